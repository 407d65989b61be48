/*
 * errors.c - the one table from ordo_code to HTTP status, and the error body
 *
 *   {"error": {"code": "...", "message": "...",
 *              "details": [{"field": "...", "message": "..."}]}}
 *
 * `details` is always present; a problem past the detail limit is counted in
 * the message rather than silently dropped.
 *
 * The strings of an error often echo what a caller sent; log_text (log.h)
 * makes sure none of them can make the encoder fail (which would leave the
 * caller without an answer): text that is not valid UTF-8 is scrubbed
 * first.
 */
#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "log/log.h"

/* {"field": ..., "message": ...} */
static json_t *detail_json(const char *field, const char *message)
{
	json_t *d = json_object();

	json_object_set_new(d, "field", log_text(field));
	json_object_set_new(d, "message", log_text(message));
	return d;
}

unsigned api_status_for(ordo_code code)
{
	switch (code) {
	case ORDO_OK:
		return MHD_HTTP_OK;
	case ORDO_EINVALID:
	case ORDO_ELIMIT:
		return MHD_HTTP_BAD_REQUEST;
	case ORDO_ETOOLARGE:
		return MHD_HTTP_CONTENT_TOO_LARGE;
	case ORDO_ERATE:
		return MHD_HTTP_TOO_MANY_REQUESTS;
	case ORDO_EMEDIA:
		return MHD_HTTP_UNSUPPORTED_MEDIA_TYPE;
	case ORDO_EUNAUTHORIZED:
		return MHD_HTTP_UNAUTHORIZED;
	case ORDO_EFORBIDDEN:
		return MHD_HTTP_FORBIDDEN;
	case ORDO_ENOTFOUND:
		return MHD_HTTP_NOT_FOUND;
	case ORDO_EMETHOD:
		return MHD_HTTP_METHOD_NOT_ALLOWED;
	case ORDO_ECONFLICT:
	case ORDO_EIDEMPOTENCY:
	case ORDO_ESTATE:
		return MHD_HTTP_CONFLICT;
	case ORDO_EPRECONDITION:
		return MHD_HTTP_PRECONDITION_FAILED;
	case ORDO_EUNAVAILABLE:
	case ORDO_ENOMEM:
		return MHD_HTTP_SERVICE_UNAVAILABLE;
	case ORDO_ESTORAGE:
	case ORDO_EINTERNAL:
	case ORDO_CODE_COUNT:
		break;
	}
	return MHD_HTTP_INTERNAL_SERVER_ERROR;
}

json_t *api_error_json(const ordo_err *err)
{
	json_t *details = json_array(), *e;
	size_t i;

	for (i = 0; i < err->n_details; i++)
		json_array_append_new(details,
				      detail_json(err->details[i].field,
						  err->details[i].message));
	if (err->n_details == 0 && err->field[0])
		json_array_append_new(details,
				      detail_json(err->field, err->message));
	e = json_object();
	json_object_set_new(e, "code", json_string(ordo_code_name(err->code)));
	json_object_set_new(e, "message",
			    log_text(err->message[0]
						  ? err->message
						  : ordo_code_name(err->code)));
	json_object_set_new(e, "details", details);
	if (err->n_dropped)
		json_object_set_new(e, "more_problems",
				    json_integer((json_int_t)err->n_dropped));
	return json_pack("{s:o}", "error", e);
}
