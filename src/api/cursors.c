/*
 * cursors.c - the cursors of the lists, sealed (core/cursor.h) for the
 * caller's tenant and the list's route as they go out in an answer's
 * next_cursor, and opened as they come back in a request's cursor, before
 * its handler runs: a handler reads and writes plain positions.
 */
#include "api/api_int.h"

/*
 * A list's next_cursor, the position its store gave (a number, "<due>.
 * <seq>", a SKU ...), sealed for the caller's tenant (core/cursor.h): the
 * position says how far other tenants' sequences have come, and is for
 * this server alone to read. False when it cannot be sealed.
 */
bool api_cursor_sealed(api_request *r, json_t *body)
{
	json_t *next = json_object_get(body, "next_cursor");
	char text[ORDO_CURSOR_TEXT_MAX];

	if (!json_is_string(next))
		return true;
	if (ordo_cursor_seal(r->srv->cursor_key, r->caller.tenant_id,
			     r->route ? r->route : "", json_string_value(next),
			     text) != 0)
		return false;
	return json_object_set_new(body, "next_cursor", json_string(text)) ==
	       0;
}

bool api_cursor_opened(api_request *r, enum MHD_Result *ret)
{
	const char *cursor = MHD_lookup_connection_value(
		r->conn, MHD_GET_ARGUMENT_KIND, "cursor");

	if (!cursor)
		return true;
	if (ordo_cursor_open(r->srv->cursor_key, r->caller.tenant_id,
			     r->route, cursor, r->cursor) != 0) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "cursor",
				      "cursor is not one this server gave out "
				      "for this list and tenant");
		return false;
	}
	r->has_cursor = true;
	return true;
}
