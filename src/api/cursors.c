/*
 * cursors.c - the cursors of the lists, sealed (core/cursor.h) for the
 * caller's tenant and the list's route as they go out in an answer's
 * next_cursor, and opened as they come back in a request's cursor, before
 * its handler runs: a handler reads and writes plain positions, read
 * and written here too (a number, or "<due>.<seq>").
 */
#include "api/api_int.h"

#include <stdio.h>
#include <string.h>

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

bool api_parse_cursor(api_request *r, const char *text, int64_t *out,
		      enum MHD_Result *ret)
{
	/* The positions inside cursors are written by this server as plain
	 * positive numbers, so only that form is read back. */
	if (!api_int_text(text, strlen(text), 1, INT64_MAX, out)) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "cursor",
				      "cursor is not one this server gave "
				      "out");
		return false;
	}
	return true;
}

json_t *api_cursor_json(int64_t next)
{
	char text[32];

	if (next <= 0)
		return json_null();
	snprintf(text, sizeof(text), "%lld", (long long)next);
	return json_string(text);
}

bool api_due_cursor_read(const char *text, int64_t *due, int64_t *seq)
{
	const char *dot = strchr(text, '.');

	/* The due time is any integer, the sequence number positive; each
	 * is read strictly. */
	return dot &&
	       api_int_text(text, (size_t)(dot - text), INT64_MIN, INT64_MAX,
			    due) &&
	       api_int_text(dot + 1, strlen(dot + 1), 1, INT64_MAX, seq);
}

bool api_parse_due_cursor(api_request *r, const char *text, int64_t *due,
			  int64_t *seq, enum MHD_Result *ret)
{
	if (api_due_cursor_read(text, due, seq))
		return true;
	*ret = api_reply_fail(r, ORDO_EINVALID, "cursor",
			      "cursor is not one this server gave out");
	return false;
}

json_t *api_due_cursor_json(bool more, int64_t due, int64_t seq)
{
	char text[48];

	if (!more)
		return json_null();
	snprintf(text, sizeof(text), "%lld.%lld", (long long)due,
		 (long long)seq);
	return json_string(text);
}
