/*
 * strict.c - nothing a caller writes is passed over: the query string and
 * the bodies of operations that take no body are checked against what the
 * operation reads.
 *
 * Each handler names the query parameters it reads, in one list next to the
 * code that reads them, and calls api_query_only() before anything else; a
 * parameter not in the list, or one given twice (only the first would be
 * read), is refused with 400 naming it, with the closest known name when
 * there is one; so is a parameter without a value ("?escalated", which
 * would read as absent); bytes that are not UTF-8 never get this far
 * (edge.c). Every problem of the query string is listed at once.
 *
 * Bodies that are decoded check their own members with jf_only() at every
 * level (json_fields.h). Operations that take no body at all (accept,
 * redeliver, delete ...) call api_body_none(): an empty body or {} is fine,
 * any member is refused the same way. Both checks run before the request
 * touches storage.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

/* The distinct known names a request can give: more than any operation
 * reads (only known names are remembered, each once). */
#define STRICT_QUERY_SEEN_MAX 32

struct query_check {
	const char *const *known;
	ordo_err *err;
	const char *seen[STRICT_QUERY_SEEN_MAX];
	size_t n_seen;
};

static bool listed(const char *name, const char *const list[])
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

static enum MHD_Result query_one(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *value)
{
	struct query_check *qc = cls;
	size_t i;

	(void)kind;
	/* Names and values are clean UTF-8 text by now (edge.c refused any
	 * other before routing); a name given without "=value" would read as
	 * absent. */
	if (!listed(key, qc->known)) {
		jf_unknown(key, key, qc->known, "query parameter", qc->err);
		return MHD_YES;
	}
	for (i = 0; i < qc->n_seen; i++) {
		if (strcmp(qc->seen[i], key) == 0) {
			ordo_err_add(qc->err, ORDO_EINVALID, key,
				     "is given more than once; give it once");
			return MHD_YES;
		}
	}
	if (qc->n_seen < STRICT_QUERY_SEEN_MAX)
		qc->seen[qc->n_seen++] = key;
	if (!value)
		ordo_err_add(qc->err, ORDO_EINVALID, key,
			     "needs a value: %s=...", key);
	return MHD_YES;
}

/* Set the answer's message from its details and queue it. */
static enum MHD_Result reply_problems(api_request *r, ordo_err *err,
				      const char *what)
{
	if (err->n_details == 1)
		ordo_err_set_message(err, "%s: %s", err->details[0].field,
				     err->details[0].message);
	else
		ordo_err_set_message(err, "the %s has %zu problems", what,
				     err->n_details + err->n_dropped);
	return api_reply_error(r, err);
}

bool api_query_only(api_request *r, const char *const known[],
		    enum MHD_Result *ret)
{
	struct query_check qc;
	ordo_err err = ORDO_ERR_INIT;
	bool ok;

	memset(&qc, 0, sizeof(qc));
	qc.known = known;
	qc.err = &err;
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, query_one,
				  &qc);
	ok = qc.err->code == ORDO_OK;
	if (!ok)
		*ret = reply_problems(r, qc.err, "query string");
	ordo_err_clear(&err);
	return ok;
}

/* A body that takes no member: jf_only with nothing known. */
static void decode_nothing(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const nothing[] = {NULL};

	(void)out;
	jf_only(doc, "", nothing, NULL, err);
}

bool api_body_none(api_request *r, enum MHD_Result *ret)
{
	if (r->body_len == 0)
		return true;
	return api_decode_body(r, decode_nothing, NULL, ret);
}
