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
 *
 * Values are read one way too. A number, a boolean or a time in the query
 * is read only by api_query_int(), api_query_bool() and api_query_time()
 * below (cursors by api_int_text()), so that what is taken is exactly what
 * was written: an integer is decimal digits, with a '-' only where the
 * parameter can be negative, and no '+', white space or leading zero (so
 * "limit=+5", "limit= 5" and "limit=05" are refused rather than read as
 * 5); a boolean is "true" or "false"; a time is RFC 3339 with nothing
 * around it. Anything else is 400 naming the parameter and saying what it
 * takes.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "core/timeutil.h"

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

/* ---- values ------------------------------------------------------------- */

bool api_int_text(const char *text, size_t len, int64_t min, int64_t max,
		  int64_t *out)
{
	const char *p = text, *end = text + len;
	bool negative = false;
	uint64_t magnitude = 0, bound;
	int64_t value;

	if (p < end && *p == '-') {
		negative = true;
		p++;
	}
	if (p == end || (negative && min >= 0))
		return false;
	/* One way to write each number: "0" alone, never "-0" or "007". */
	if (*p == '0' && (end - p > 1 || negative))
		return false;
	/* The largest magnitude the sign allows; -INT64_MIN does not fit an
	 * int64, so it is computed in uint64. */
	bound = negative ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		unsigned digit;

		if (*p < '0' || *p > '9')
			return false;
		digit = (unsigned)(*p - '0');
		if (magnitude > (bound - digit) / 10)
			return false;
		magnitude = magnitude * 10 + digit;
	}
	if (negative)
		value = magnitude == (uint64_t)INT64_MAX + 1
				? INT64_MIN
				: -(int64_t)magnitude;
	else
		value = (int64_t)magnitude;
	if (value < min || value > max)
		return false;
	*out = value;
	return true;
}

bool api_query_int(api_request *r, const char *name, int64_t min,
		   int64_t max, int64_t *out, bool *given, enum MHD_Result *ret)
{
	const char *v = api_query(r, name);

	if (given)
		*given = v != NULL;
	if (!v || api_int_text(v, strlen(v), min, max, out))
		return true;
	*ret = api_reply_fail(r, ORDO_EINVALID, name,
			      "%s must be an integer from %" PRId64
			      " to %" PRId64 " in decimal digits%s, with no "
			      "'+', spaces or leading zeros, not \"%.32s\"",
			      name, min, max,
			      min < 0 ? " (a '-' before a negative one)" : "",
			      v);
	return false;
}

bool api_query_bool(api_request *r, const char *name, bool *out,
		    bool *given, enum MHD_Result *ret)
{
	const char *v = api_query(r, name);

	if (given)
		*given = v != NULL;
	if (!v)
		return true;
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
		*out = v[0] == 't';
		return true;
	}
	*ret = api_reply_fail(r, ORDO_EINVALID, name,
			      "%s must be true or false (in lower case), not "
			      "\"%.32s\"",
			      name, v);
	return false;
}

bool api_query_time(api_request *r, const char *name, int64_t *out,
		    bool *given, enum MHD_Result *ret)
{
	const char *v = api_query(r, name);

	if (given)
		*given = v != NULL;
	/* time_parse_rfc3339 reads the whole text and nothing else: white
	 * space before or after the time is refused. */
	if (!v || time_parse_rfc3339(v, out) == 0)
		return true;
	*ret = api_reply_fail(r, ORDO_EINVALID, name,
			      "%s must be an RFC 3339 time such as "
			      "2026-01-31T09:30:00Z, with no spaces, not "
			      "\"%.40s\"",
			      name, v);
	return false;
}
