/*
 * edge.c - what every request is checked for before routing: its target
 * as it was sent, its headers, and a body over the limit. See the note
 * below; server.c calls these from handle() and request_completed().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "core/alloc.h"
#include "log/log.h"

/*
 * Everything a caller sends is checked here once, before routing, so that no
 * handler ever looks at (or echoes into a JSON answer) a path, a query
 * parameter or a header value that is not clean text. libmicrohttpd unescapes
 * "%00" into a NUL that silently cuts a C string short (so "/v1/orders/ID%00x"
 * would find the order ID) and "%ff" into a byte that is not UTF-8 (which the
 * JSON encoder refuses, leaving the caller without an answer). So the edge
 * decodes the request target as it was sent (kept by edge_uri_seen) itself:
 *
 *   target longer than ORDO_MAX_URI_BYTES            414 limit_exceeded
 *   header names and values over ORDO_MAX_HEADER_BYTES 431 limit_exceeded
 *   path: a malformed %-escape, NUL, control
 *         character or invalid UTF-8                  400 field "path"
 *   query: the same in a name                         400 field "query"
 *          or in a value                              400 field <name>
 *   Idempotency-Key not printable ASCII               400 "Idempotency-Key"
 *
 * A refusal is answered after the body has been read (and thrown away),
 * like a body over ORDO_MAX_BODY_BYTES (413): a server that closes while
 * unread data is still arriving resets the connection (its TCP stack sends
 * RST), and a client still sending then reports the reset, not the answer
 * it never got to read. Only when the client waits for permission to send the body
 * (Expect: 100-continue) or declares a body past ORDO_MAX_DISCARD_BYTES is
 * the answer sent at once.
 *
 * What libmicrohttpd refuses itself (a malformed request line or header, an
 * unsupported HTTP version, a request line or headers past
 * ORDO_CONNECTION_MEMORY_BYTES) it answers with its own HTML page: 0.9.75
 * has no hook to replace those. The memory limit is set well above ordo's
 * own URI and header limits so that ordinary oversized requests get ordo's
 * JSON answer; the library logs the others through log_mhd, and
 * edge_log_unserved logs a request that ended before ordo saw its headers.
 */

/* libmicrohttpd's URI log callback: the target before unescaping. */
void *edge_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct api_server *srv = cls;
	api_request *r;

	(void)conn;
	/* The request's allocation budget starts here (tests only; see
	 * handle_budgeted in server.c). */
	ordo_alloc_budget_set(srv->request_alloc_budget);
	r = ordo_calloc(1, sizeof(*r));
	if (r) {
		r->raw_uri = strdup(uri ? uri : "");
		r->alloc_budget = ordo_alloc_budget();
	}
	ordo_alloc_budget_set(-1);
	return r;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode the %HH escapes (and in a query '+' as a space, as libmicrohttpd
 * does) of the n bytes at s into out (n + 1 bytes); the decoded length in
 * *out_len. False on a '%' not followed by two hex digits.
 */
static bool edge_unescape(const char *s, size_t n, bool query, char *out,
			  size_t *out_len)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < n ? hex_digit(s[i + 1]) : -1;
			int lo = i + 2 < n ? hex_digit(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return false;
			out[o++] = (char)(hi * 16 + lo);
			i += 2;
		} else if (query && s[i] == '+') {
			out[o++] = ' ';
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
	*out_len = o;
	return true;
}

/* Why the n bytes at s are not clean text, or NULL when they are. */
static const char *edge_text_problem(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0)
			return "contains a NUL character (%00)";
		if (c < 0x20 || c == 0x7F)
			return "contains a control character";
	}
	if (!ordo_utf8_valid(s, n))
		return "is not valid UTF-8";
	return NULL;
}

/* Keep the first refusal found; it is answered once the body is read. */
static void edge_refuse(api_request *r, unsigned status, const char *field,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void edge_refuse(api_request *r, unsigned status, const char *field,
			const char *fmt, ...)
{
	ordo_err *err = &r->refusal_err;
	va_list ap;

	if (r->refusal)
		return;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(err->message);
	err->code = status == MHD_HTTP_BAD_REQUEST	     ? ORDO_EINVALID
		    : status == MHD_HTTP_SERVICE_UNAVAILABLE ? ORDO_ENOMEM
							     : ORDO_ELIMIT;
	if (field)
		ordo_err_add(err, err->code, field, "%s", err->message);
	r->refusal = err;
	r->refusal_status = status;
}

/* The path and every query parameter, decoded from the target as sent. */
void edge_check_target(api_request *r)
{
	const char *raw = r->raw_uri, *q, *p, *end, *why;
	size_t len, plen, n;
	char *name, *value;

	if (!raw) {
		/* Out of memory at the request line: a target that cannot be
		 * checked is not served. */
		edge_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
			    "the server is out of memory; try again later");
		return;
	}
	len = strlen(raw);
	if (len > ORDO_MAX_URI_BYTES) {
		edge_refuse(r, MHD_HTTP_URI_TOO_LONG, NULL,
			    "the request target exceeds %d bytes",
			    ORDO_MAX_URI_BYTES);
		return;
	}
	name = malloc(len + 1);
	value = malloc(len + 1);
	if (!name || !value) {
		edge_refuse(r, MHD_HTTP_SERVICE_UNAVAILABLE, NULL,
			    "the server is out of memory; try again later");
		goto out;
	}
	q = strchr(raw, '?');
	plen = q ? (size_t)(q - raw) : len;
	if (!edge_unescape(raw, plen, false, name, &n))
		edge_refuse(r, MHD_HTTP_BAD_REQUEST, "path",
			    "the path has a malformed %%-escape");
	else if ((why = edge_text_problem(name, n)))
		edge_refuse(r, MHD_HTTP_BAD_REQUEST, "path", "the path %s",
			    why);
	for (p = q ? q + 1 : NULL; p && *p && !r->refusal; p = end) {
		const char *amp = strchr(p, '&'), *eq;
		size_t seg = amp ? (size_t)(amp - p) : strlen(p), vn;

		end = amp ? amp + 1 : p + seg;
		eq = memchr(p, '=', seg);
		if (!edge_unescape(p, eq ? (size_t)(eq - p) : seg, true, name,
				   &n)) {
			edge_refuse(r, MHD_HTTP_BAD_REQUEST, "query",
				    "a query parameter name has a malformed "
				    "%%-escape");
		} else if ((why = edge_text_problem(name, n))) {
			edge_refuse(r, MHD_HTTP_BAD_REQUEST, "query",
				    "a query parameter name %s", why);
		} else if (eq && !edge_unescape(eq + 1,
						seg - (size_t)(eq + 1 - p),
						true, value, &vn)) {
			edge_refuse(r, MHD_HTTP_BAD_REQUEST, name,
				    "query parameter %s has a malformed "
				    "%%-escape",
				    name);
		} else if (eq && (why = edge_text_problem(value, vn))) {
			edge_refuse(r, MHD_HTTP_BAD_REQUEST, name,
				    "query parameter %s %s", name, why);
		}
	}
out:
	free(name);
	free(value);
}

static enum MHD_Result edge_count_header(void *cls, enum MHD_ValueKind kind,
					 const char *key, size_t key_size,
					 const char *value, size_t value_size)
{
	size_t *bytes = cls;

	(void)kind;
	(void)key;
	(void)value;
	*bytes += key_size + value_size;
	return MHD_YES;
}

/* The size of all headers, and the header values ordo takes as text. */
static void edge_check_headers(api_request *r)
{
	const char *v = NULL;
	size_t bytes = 0, vn = 0, i;

	MHD_get_connection_values_n(r->conn, MHD_HEADER_KIND,
				    edge_count_header, &bytes);
	if (bytes > ORDO_MAX_HEADER_BYTES) {
		edge_refuse(r, MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, NULL,
			    "the request headers exceed %d bytes",
			    ORDO_MAX_HEADER_BYTES);
		return;
	}
	/* A key is compared and stored as given: only printable ASCII, so
	 * that it reads the same everywhere and can be echoed back. */
	if (MHD_lookup_connection_value_n(r->conn, MHD_HEADER_KIND,
					  "Idempotency-Key",
					  strlen("Idempotency-Key"), &v,
					  &vn) == MHD_YES &&
	    v) {
		for (i = 0; i < vn; i++) {
			unsigned char c = (unsigned char)v[i];

			if (c < 0x20 || c > 0x7E) {
				edge_refuse(r, MHD_HTTP_BAD_REQUEST,
					    "Idempotency-Key",
					    "Idempotency-Key may hold only "
					    "printable ASCII characters");
				return;
			}
		}
	}
}

void edge_check(api_request *r)
{
	edge_check_target(r);
	edge_check_headers(r);
}

/*
 * Look at the declared body: true when the answer must go out now rather
 * than after the body. Over ORDO_MAX_BODY_BYTES the body is read and thrown
 * away, unless the client waits for "100 Continue" (it will not send the
 * body; the answer tells it not to) or declares more than
 * ORDO_MAX_DISCARD_BYTES (not worth reading).
 */
/* The request's Content-Length: false when it has none, or a bad one
 * (which libmicrohttpd refuses itself). */
static bool declared_length(api_request *r, unsigned long long *n)
{
	const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     "Content-Length");
	char *end;

	*n = 0;
	if (!cl)
		return false;
	errno = 0;
	*n = strtoull(cl, &end, 10);
	if (errno || end == cl || *end)
		*n = 0;
	return *n > 0 || (end != cl && !*end);
}

unsigned long long edge_body_bytes(api_request *r)
{
	unsigned long long n;

	if (declared_length(r, &n))
		return n < r->max_body ? n : r->max_body;
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
					   "Transfer-Encoding")
		       ? r->max_body
		       : 0;
}

bool edge_body_declared(api_request *r)
{
	const char *expect = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "Expect");
	bool waits = expect && strcasecmp(expect, "100-continue") == 0;
	unsigned long long n;

	declared_length(r, &n);
	if (n > r->max_body && !r->refusal)
		r->body_too_large = true;
	if (n == 0 || (!r->refusal && !r->body_too_large))
		return false;
	return waits || n > edge_max_discard(r);
}

unsigned long long edge_max_discard(const api_request *r)
{
	return r->max_body > (size_t)ORDO_MAX_DISCARD_BYTES
		       ? (unsigned long long)r->max_body
		       : (unsigned long long)ORDO_MAX_DISCARD_BYTES;
}

/* Answer the edge's refusal, or 413 for a body over the limit. */
enum MHD_Result edge_answer(api_request *r)
{
	if (r->refusal)
		return api_reply_json(r, r->refusal_status,
				      api_error_json(r->refusal));
	/* The caller sent more than it may; a fresh connection is cleaner
	 * than one whose framing it may not honour. */
	r->close_after = true;
	return api_reply_fail(r, ORDO_ETOOLARGE, NULL,
			      "the request body exceeds %zu bytes",
			      r->max_body);
}

/*
 * A request that ended before ordo saw its headers: libmicrohttpd refused it
 * (with its own answer), the client went away, or it timed out.
 */
void edge_log_unserved(api_request *r, enum MHD_RequestTerminationCode toe)
{
	json_t *f = json_object();
	char target[128];
	const char *why;

	switch (toe) {
	case MHD_REQUEST_TERMINATED_WITH_ERROR:
		why = "refused by the HTTP library";
		break;
	case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
		why = "timed out";
		break;
	case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
		why = "server stopping";
		break;
	default:
		why = "the client went away";
		break;
	}
	ordo_strlcpy(target, r->raw_uri ? r->raw_uri : "", sizeof(target));
	json_object_set_new(f, "target", log_text(target));
	json_object_set_new(f, "reason", json_string(why));
	log_event("warn", "request not served", f);
}
