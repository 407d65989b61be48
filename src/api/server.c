/*
 * server.c - the HTTP server: routing, authentication, bodies, and writes
 * that wait for their commit without holding a thread (their submission
 * and answers: submit.c).
 *
 * A REQUEST'S LIFE
 *
 * libmicrohttpd calls handle() several times per request:
 *
 *   0. request line: edge_uri_seen() allocates the api_request and keeps
 *                   the request target as sent (escapes and all)
 *   1. headers in:  the edge checks the target, the query and the headers
 *                   ordo uses (see "the edge" below); a refusal is kept
 *                   and sent once the body has been read
 *   2. body chunks: append to r->body (past the limit, or after a
 *                   refusal: keep reading and throw it away, answer at the
 *                   end; see edge_body_declared for when it answers early)
 *   3. body done:   route, authenticate, run the handler. A read answers at
 *                   once. A write is handed to the store's committer as a
 *                   job and the connection is SUSPENDED: the worker thread
 *                   goes back to serving others while the job waits for its
 *                   batch to commit.
 *   4. committed:   the committer's done callback marks the request and
 *                   RESUMES the connection; libmicrohttpd calls handle()
 *                   once more and the stored answer is sent.
 *   5. completed:   request_completed() logs the request, counts it in
 *                   /metrics' series (meta.c) and frees everything.
 *
 * This is what lets group commit work: hundreds of writes can wait for one
 * fsync while a handful of threads keep accepting more.
 *
 * Shutdown: stop taking new requests (503), wait until no write is in
 * flight (every suspended connection has been resumed), then stop the daemon.
 *
 * Out of memory: a request is answered 503 out_of_memory, never dropped
 * (api_reply_nomem queues a response made at start, so the answer itself
 * needs no memory). A body that cannot be kept is read to its end and
 * thrown away first, as the library takes no answer while it is coming.
 */
#include "api/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "api/api_int.h"
#include "api/listen.h"
#include "api/routes.h"
#include "channels/json_fields.h"
#include "channels/json_pool.h"
#include "core/alloc.h"
#include "log/log.h"

#define RETRY_AFTER_TEXT_(s) #s
#define RETRY_AFTER_TEXT_OF(s) RETRY_AFTER_TEXT_(s)
/* The Retry-After of every 503, in seconds. */
#define RETRY_AFTER_TEXT RETRY_AFTER_TEXT_OF(ORDO_RETRY_AFTER_S)

long long api_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long api_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

bool api_route_match(const char *pattern, const char *path,
		     char *params[API_MAX_PARAMS])
{
	int n = 0;

	while (*pattern && *path) {
		if (*pattern == '*') {
			const char *end = strchr(path, '/');
			size_t len = end ? (size_t)(end - path) : strlen(path);

			if (len == 0 || n >= API_MAX_PARAMS)
				goto fail;
			params[n] = strndup(path, len);
			if (!params[n])
				goto fail;
			n++;
			path += len;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			goto fail;
		pattern++;
		path++;
	}
	if (*pattern == '\0' && *path == '\0')
		return true;
fail:
	while (n > 0)
		free(params[--n]);
	return false;
}

/*
 * The request's id: the caller's X-Request-Id when it is 1 to 64 letters,
 * digits, '-', '_', '.' or ':' (a proxy's or a client's, so that their
 * logs and ordo's meet), else a new one.
 */
static void request_id_set(api_request *r)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    "X-Request-Id");
	size_t n = v ? strlen(v) : 0;

	if (n > 0 && n < sizeof(r->request_id) &&
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		      "0123456789-_.:") == n)
		memcpy(r->request_id, v, n + 1);
	else
		ordo_id_new("req_", r->request_id);
}

/*
 * What every answer says about itself, for a browser that reads it (the
 * console): run nothing but what ordo serves, be framed by nothing, sniff
 * no other type, send no referrer, and keep no copy (answers hold
 * customers' data). A nonzero result: a header could not be added.
 */
static int secure_headers(struct MHD_Response *resp)
{
	static const char *const headers[][2] = {
		{"Content-Security-Policy",
		 "default-src 'self'; img-src 'self' data:; object-src 'none'; "
		 "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
		{"X-Content-Type-Options", "nosniff"},
		{"X-Frame-Options", "DENY"},
		{"Referrer-Policy", "no-referrer"},
		{"Cache-Control", "no-store"},
	};
	size_t i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
		if (MHD_add_response_header(resp, headers[i][0],
					    headers[i][1]) != MHD_YES)
			return -1;
	return 0;
}

/* Queue resp (taken) with its type, the headers of every answer and
 * headers (name, value, ..., NULL; may be NULL). */
static enum MHD_Result queue_response(api_request *r, unsigned status,
				      struct MHD_Response *resp,
				      bool replayed, const char *type,
				      const char *const *headers)
{
	enum MHD_Result ret;

	if (secure_headers(resp) != 0 ||
	    MHD_add_response_header(resp, "Content-Type", type) != MHD_YES) {
		MHD_destroy_response(resp);
		return api_reply_nomem(r);
	}
	if (r->request_id[0])
		MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	for (; headers && headers[0]; headers += 2)
		MHD_add_response_header(resp, headers[0], headers[1]);
	if (r->close_after)
		MHD_add_response_header(resp, "Connection", "close");
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (replayed)
		MHD_add_response_header(resp, "Idempotent-Replayed", "true");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, "WWW-Authenticate",
					"Bearer realm=\"ordo\"");
	/* Every 503 is for a moment (busy, the database away, memory short,
	 * stopping): it says when to try again. */
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, "Retry-After",
					RETRY_AFTER_TEXT);
	if (status == MHD_HTTP_TOO_MANY_REQUESTS) {
		char after[16];

		snprintf(after, sizeof(after), "%d",
			 r->retry_after_s > 0 ? r->retry_after_s : 1);
		MHD_add_response_header(resp, "Retry-After", after);
	}
	ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->status = (int)status;
	return ret;
}

/* Queue text (malloc'd, taken; or, with is_static, a string that lives
 * as long as the program) as an answer of type. */
static enum MHD_Result queue_as(api_request *r, unsigned status, char *text,
				bool is_static, bool replayed,
				const char *type, const char *const *headers)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(
		strlen(text), text,
		is_static ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		if (!is_static)
			free(text);
		return api_reply_nomem(r);
	}
	return queue_response(r, status, resp, replayed, type, headers);
}

enum MHD_Result api_queue_static(api_request *r, unsigned status,
				 const void *data, size_t len,
				 const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, (void *)data, MHD_RESPMEM_PERSISTENT);

	if (!resp)
		return api_reply_nomem(r);
	return queue_response(r, status, resp, false, type, NULL);
}

enum MHD_Result api_queue_file(api_request *r, char *data, size_t len,
			       const char *type)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, data, MHD_RESPMEM_MUST_FREE);

	if (!resp) {
		free(data);
		return api_reply_nomem(r);
	}
	return queue_response(r, MHD_HTTP_OK, resp, false, type, NULL);
}

enum MHD_Result api_queue_body(api_request *r, unsigned status, char *text,
			       bool is_static, bool replayed)
{
	return queue_as(r, status, text, is_static, replayed,
			"application/json", NULL);
}

enum MHD_Result api_queue_typed(api_request *r, unsigned status, char *text,
				const char *type, const char *const *headers)
{
	return queue_as(r, status, text, false, false, type, headers);
}

static enum MHD_Result queue_text(api_request *r, unsigned status,
				  char *text, bool replayed)
{
	return api_queue_body(r, status, text, false, replayed);
}

/*
 * The answer when memory runs out, preformatted: saying "out of memory" must
 * not need memory. The response is made once when the server starts
 * (MHD_RESPMEM_PERSISTENT: libmicrohttpd neither copies nor frees the body)
 * and queued as often as needed; libmicrohttpd counts its references.
 */
static const char nomem_body[] =
	"{\"error\":{\"code\":\"out_of_memory\",\"message\":\"the server "
	"is out of memory; try again later\",\"details\":[]}}";

static enum MHD_Result queue_nomem(struct api_server *srv,
				   struct MHD_Connection *conn)
{
	return MHD_queue_response(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
				  srv->nomem);
}

enum MHD_Result api_reply_nomem(api_request *r)
{
	r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
	return queue_nomem(r->srv, r->conn);
}

/* Sent when an answer cannot be encoded: every request gets an answer. */
static const char unencodable_body[] =
	"{\"error\":{\"code\":\"internal_error\",\"message\":\"the answer "
	"could not be encoded\",\"details\":[]}}";

enum MHD_Result api_reply_json(api_request *r, unsigned status, json_t *body)
{
	char *text = body && api_cursor_sealed(r, body) ? native_dump(body) : NULL;

	json_decref(body);
	if (!text) {
		text = strdup(unencodable_body);
		if (!text)
			return api_reply_nomem(r);
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return queue_text(r, status, text, false);
}

enum MHD_Result api_reply_error(api_request *r, const ordo_err *err)
{
	return api_reply_json(r, api_status_for(err->code),
			      api_error_json(err));
}

enum MHD_Result api_reply_fail(api_request *r, ordo_code code,
			       const char *field, const char *fmt, ...)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;
	va_list ap;

	err->code = code;
	ordo_strlcpy(err->field, field ? field : "", sizeof(err->field));
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	ordo_utf8_scrub(err->message);
	if (field && field[0])
		ordo_err_add(err, code, field, "%s", err->message);
	ret = api_reply_error(r, err);
	ordo_err_clear(err);
	return ret;
}

const char *api_query(api_request *r, const char *name)
{
	if (r->has_cursor && strcmp(name, "cursor") == 0)
		return r->cursor;
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

bool api_query_limit(api_request *r, int *limit, enum MHD_Result *ret)
{
	int64_t n = ORDO_PAGE_DEFAULT;

	if (!api_query_int(r, "limit", 1, ORDO_PAGE_MAX, &n, NULL, ret))
		return false;
	*limit = (int)n;
	return true;
}

json_t *api_body_object(api_request *r, enum MHD_Result *ret)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *doc;

	doc = jf_parse_object(r->body ? r->body : "", r->body_len, err);
	if (!doc) {
		if (err->n_details > 0)
			ordo_err_set_message(err, "%s",
					     err->details[0].message);
		*ret = api_reply_error(r, err);
	}
	ordo_err_clear(err);
	return doc;
}

/* Decode the body with `decode`; answer 400 with every problem if any. */
bool api_decode_body(api_request *r,
			void (*decode)(const json_t *doc, void *out,
				       ordo_err *err),
			void *out, enum MHD_Result *ret)
{
	json_t *doc = api_body_object(r, ret);
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	bool ok;

	if (!doc)
		return false;
	decode(doc, out, err);
	json_decref(doc);
	ok = err->code == ORDO_OK;
	if (!ok) {
		/* Problems added one by one are counted; a check that
		 * reported one (ordo_err_set) keeps its own words. */
		if (err->n_details)
			ordo_err_set_message(err,
					     "the request has %zu problem%s",
					     err->n_details,
					     err->n_details == 1 ? "" : "s");
		*ret = api_reply_error(r, err);
	}
	ordo_err_clear(err);
	return ok;
}

/* ---- dispatch ----------------------------------------------------------- */

bool api_content_is(api_request *r, const char *media)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						     "Content-Type");
	size_t n = strlen(media);

	return ct && strncasecmp(ct, media, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* The largest body the request's route takes (ORDO_MAX_BODY_BYTES unless
 * the route says otherwise), known from its method and path alone. */
static size_t route_max_body(const char *method, const char *path)
{
	size_t i;

	for (i = 0; i < api_n_routes; i++) {
		char *params[API_MAX_PARAMS] = {NULL, NULL};
		/* A match that fails frees what it matched itself. */
		bool hit = strcmp(api_routes[i].method, method) == 0 &&
			   api_route_match(api_routes[i].pattern, path,
					   params);

		if (!hit)
			continue;
		free(params[0]);
		free(params[1]);
		return api_routes[i].max_body ? api_routes[i].max_body
					      : ORDO_MAX_BODY_BYTES;
	}
	return ORDO_MAX_BODY_BYTES;
}

static enum MHD_Result dispatch_to(api_request *r, const api_route *rt);

static enum MHD_Result dispatch(api_request *r)
{
	const api_route *rt = NULL;
	bool path_known = false;
	enum MHD_Result ret;
	size_t i;

	for (i = 0; i < api_n_routes; i++) {
		char *params[API_MAX_PARAMS] = {NULL, NULL};

		if (!api_route_match(api_routes[i].pattern, r->path, params))
			continue;
		path_known = true;
		{
			size_t used = strlen(r->allow);

			snprintf(r->allow + used, sizeof(r->allow) - used,
				 "%s%s", used ? ", " : "", api_routes[i].method);
		}
		if (strcmp(api_routes[i].method, r->method) == 0) {
			rt = &api_routes[i];
			memcpy(r->params, params, sizeof(params));
			break;
		}
		free(params[0]);
		free(params[1]);
	}
	if (!rt && path_known)
		return api_reply_fail(r, ORDO_EMETHOD, NULL,
				      "%s is not allowed on %s", r->method,
				      r->path);
	if (!rt)
		return api_reply_fail(r, ORDO_ENOTFOUND, NULL,
				      "no such endpoint: %s %s", r->method,
				      r->path);
	/*
	 * Count the request in flight before looking at `stopping`, so that
	 * a stop either sees it (and waits for its write) or it sees the
	 * stop: never a write submitted after the server stopped waiting.
	 */
	atomic_fetch_add(&r->srv->writes_in_flight, 1);
	if (atomic_load(&r->srv->stopping)) {
		atomic_fetch_sub(&r->srv->writes_in_flight, 1);
		return api_reply_fail(r, ORDO_EUNAVAILABLE, NULL,
				      "the server is shutting down");
	}
	ret = dispatch_to(r, rt);
	if (!r->write_pending)
		atomic_fetch_sub(&r->srv->writes_in_flight, 1);
	return ret;
}

/* Authenticate, check the role, the body, and run the route's handler. */
static enum MHD_Result dispatch_to(api_request *r, const api_route *rt)
{
	enum MHD_Result ret;

	r->route = rt->pattern;
	r->route_no = (unsigned)(rt - api_routes) + 1;
	/* Each client address at most its rate, whoever it says it is. */
	r->retry_after_s = api_address_rate_wait(r->srv, r);
	if (r->retry_after_s)
		return api_reply_fail(r, ORDO_ERATE, NULL,
				      "this client address made more than its "
				      "%lld requests a second; try again in "
				      "%d s",
				      (long long)r->srv->per_address.rate,
				      r->retry_after_s);
	if (rt->roles != ANYONE) {
		if (!api_authenticate(r, &ret))
			return ret;
		if (!(rt->roles & ROLE_BIT(r->caller.role)))
			return api_reply_fail(
				r, ORDO_EFORBIDDEN, NULL,
				"%s %s %s may not %s %s",
				r->caller.role == ROLE_ADMIN ||
						r->caller.role == ROLE_AGENT ||
						r->caller.role ==
							ROLE_INTEGRATION
					? "an"
					: "a",
				app_role_name(r->caller.role),
				r->caller.user_id ? "person" : "key",
				r->method, r->path);
	}
	/* Each key at most its rate (limits.c). */
	r->retry_after_s = api_key_rate_wait(r->srv, &r->caller);
	if (r->retry_after_s)
		return api_reply_fail(r, ORDO_ERATE, NULL,
				      "this %s made more than its %lld "
				      "requests a second; try again in %d s",
				      r->caller.key_id ? "API key" : "person",
				      (long long)r->srv->per_key.rate,
				      r->retry_after_s);
	/* The cursor's position, for the handler (api_query). */
	if (!api_cursor_opened(r, &ret))
		return ret;
	if (r->body_len > 0 && !(rt->media && strcmp(rt->media, "*") == 0) &&
	    !api_content_is(r, rt->media ? rt->media : "application/json"))
		return api_reply_fail(r, ORDO_EMEDIA, "Content-Type",
				      "send the body as %s",
				      rt->media ? rt->media
						: "application/json");
	return rt->handler(r);
}

static void log_request(api_request *r)
{
	json_t *f = json_object();
	char client[64];

	api_client_address(r, client, sizeof(client));
	json_object_set_new(f, "request_id", log_text(r->request_id));
	json_object_set_new(f, "method", log_text(r->method));
	json_object_set_new(f, "path", log_text(r->path));
	if (r->route)
		json_object_set_new(f, "route", json_string(r->route));
	json_object_set_new(f, "status", json_integer(r->status));
	json_object_set_new(f, "ms", json_integer(api_now_ms() - r->started_ms));
	if (r->caller.tenant_slug[0])
		json_object_set_new(f, "tenant",
				    json_string(r->caller.tenant_slug));
	if (r->caller.actor[0])
		json_object_set_new(f, "actor", log_text(r->caller.actor));
	json_object_set_new(f, "client", json_string(client));
	log_event("info", "request", f);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **req_cls)
{
	struct api_server *srv = cls;
	api_request *r = *req_cls;

	(void)version;
	/* r was made by edge_uri_seen (or not, if it ran out of memory) and
	 * is new until it knows its connection. */
	if (!r || !r->conn) {
		if (!r)
			r = ordo_calloc(1, sizeof(*r));
		if (!r)
			return queue_nomem(srv, conn);
		r->srv = srv;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->started_ms = api_now_ms();
		r->started_us = api_now_us();
		request_id_set(r);
		r->max_body = route_max_body(method, url);
		/* A route that takes more than any other body (a file) keeps
		 * it only for a caller its key names: known from the headers
		 * alone, so that no one else makes the server hold a file.
		 * The key is checked again, as for every route, at dispatch. */
		if (r->max_body > ORDO_MAX_BODY_BYTES && !api_key_known(r))
			r->max_body = ORDO_MAX_BODY_BYTES;
		/* Its head has come: its body has a deadline now. */
		api_conn_waits(srv, conn, API_CONN_BODY, edge_body_bytes(r));
		*req_cls = r;
		edge_check(r);
		if (edge_body_declared(r))
			return edge_answer(r);
		return MHD_YES;
	}
	if (r->write_pending) {
		enum MHD_Result ret;

		if (!atomic_load(&r->write_done))
			return MHD_YES; /* spurious call while suspended */
		r->write_pending = false;
		ret = api_finish_write(r);
		if (!r->write_pending) {
			atomic_fetch_sub(&srv->writes_in_flight, 1);
			/* Answered: it leaves the queue before the client has
			 * the answer, so that a client's next write never
			 * finds its last one still counted. */
			if (r->queued) {
				r->queued = false;
				atomic_fetch_sub(&srv->writes_queued, 1);
			}
		}
		return ret;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (r->status != 0)
			return MHD_YES; /* answered early; the rest is junk */
		r->body_seen += n;
		if (r->body_seen > edge_max_discard(r)) {
			/* Reading on would serve a flood: answer and close. */
			r->body_too_large = !r->refusal;
			return edge_answer(r);
		}
		if (r->out_of_memory)
			return MHD_YES;
		if (r->refusal || r->body_too_large ||
		    r->body_len + n > r->max_body) {
			/* Read to the end and throw away, so that the answer
			 * reaches a caller that is still sending. */
			r->body_too_large = !r->refusal;
			return MHD_YES;
		}
		if (r->body_len + n + 1 > r->body_cap) {
			size_t cap = r->body_cap ? r->body_cap : 4096;
			char *nb;

			while (cap < r->body_len + n + 1)
				cap *= 2;
			/* Never past the route's limit: a 64 MiB file is
			 * not kept in 128 MiB. */
			if (cap > r->max_body + 1)
				cap = r->max_body + 1;
			nb = ordo_realloc(r->body, cap);
			if (!nb) {
				/* libmicrohttpd takes no answer while the
				 * body is coming: throw the rest away and
				 * answer 503 at its end. */
				r->out_of_memory = true;
				return MHD_YES;
			}
			r->body = nb;
			r->body_cap = cap;
		}
		memcpy(r->body + r->body_len, upload_data, n);
		r->body_len += n;
		r->body[r->body_len] = '\0';
		return MHD_YES;
	}
	/* All of it has come: no deadline while it is served. */
	api_conn_waits(srv, conn, API_CONN_SERVING, 0);
	if (r->status != 0)
		return MHD_YES; /* already answered (e.g. 413 up front) */
	if (r->out_of_memory)
		return api_reply_nomem(r);
	if (r->refusal || r->body_too_large)
		return edge_answer(r);
	return dispatch(r);
}

/*
 * handle() with the request's allocation budget (ORDO_TEST_FAIL_ALLOC, for
 * tests only) in force on this thread while it runs, and kept in the
 * request between calls: a worker thread serves many connections in turn.
 */
static enum MHD_Result handle_budgeted(void *cls, struct MHD_Connection *conn,
				       const char *url, const char *method,
				       const char *version,
				       const char *upload_data,
				       size_t *upload_data_size, void **req_cls)
{
	struct api_server *srv = cls;
	api_request *r = *req_cls;
	enum MHD_Result ret;

	if (srv->request_alloc_budget < 0)
		return handle(cls, conn, url, method, version, upload_data,
			      upload_data_size, req_cls);
	ordo_alloc_budget_set(r ? r->alloc_budget
				: srv->request_alloc_budget);
	ret = handle(cls, conn, url, method, version, upload_data,
		     upload_data_size, req_cls);
	r = *req_cls;
	if (r)
		r->alloc_budget = ordo_alloc_budget();
	ordo_alloc_budget_set(-1);
	return ret;
}

/* The handler with jansson working in the request's arena (json_pool.h):
 * decoding the body and building the answer cost no malloc per value. */
static enum MHD_Result handle_pooled(void *cls, struct MHD_Connection *conn,
				     const char *url, const char *method,
				     const char *version,
				     const char *upload_data,
				     size_t *upload_data_size, void **req_cls)
{
	api_request *r = *req_cls;
	ordo_arena *was = json_pool_use(r ? &r->arena : NULL);
	enum MHD_Result ret = handle_budgeted(cls, conn, url, method, version,
					      upload_data, upload_data_size,
					      req_cls);

	json_pool_use(was);
	return ret;
}

static void request_completed(void *cls, struct MHD_Connection *conn,
			      void **req_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct api_server *srv = cls;
	api_request *r = *req_cls;

	/* Answered: the next request's head has its time from now. */
	api_conn_waits(srv, conn, API_CONN_HEAD, 0);
	if (!r)
		return;
	/* What the request made in its arena is released in it, then the
	 * arena at once (json_pool.h). */
	json_pool_use(&r->arena);
	/* A write whose answer nobody took (the client went away while it
	 * was suspended; the library completes the request once the write
	 * resumed it, without calling the handler again): its thread is done
	 * with it here, and the stop must not wait for it. */
	if (r->write_pending)
		atomic_fetch_sub(&srv->writes_in_flight, 1);
	if (r->queued)
		atomic_fetch_sub(&srv->writes_queued, 1);
	if (r->status) {
		log_request(r);
		api_metrics_note(r);
	} else if (!r->conn)
		edge_log_unserved(r, toe);
	free(r->raw_uri);
	app_session_free(&r->session);
	ordo_err_clear(&r->refusal_err);
	free(r->params[0]);
	free(r->params[1]);
	free(r->body);
	free(r->answer);
	if (r->write_free)
		r->write_free(r->write);
	json_pool_use(NULL);
	ordo_arena_release(&r->arena);
	free(r);
	*req_cls = NULL;
}

ordo_code api_parse_listen(const char *listen, char *host, size_t host_size,
			   uint16_t *port, ordo_err *err)
{
	const char *colon, *h = listen;
	size_t hlen;
	char *end;
	long p;

	if (listen[0] == '[') {
		const char *close = strchr(listen, ']');

		if (!close || close[1] != ':')
			goto bad;
		h = listen + 1;
		hlen = (size_t)(close - h);
		colon = close + 1;
	} else {
		colon = strrchr(listen, ':');
		if (!colon)
			goto bad;
		hlen = (size_t)(colon - listen);
	}
	if (hlen == 0 || hlen >= host_size)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 0 || p > 65535)
		goto bad;
	*port = (uint16_t)p;
	return ORDO_OK;
bad:
	return ordo_err_set(err, ORDO_EINVALID, "listen",
			    "\"%s\" is not HOST:PORT (e.g. 127.0.0.1:8080)",
			    listen);
}

/*
 * ORDO_TEST_FAIL_ALLOC=N, for tests only: every request may make N
 * allocations through core/alloc.h (its own record, its body, the details
 * of its errors); the ones after fail as if memory had run out, so that a
 * black-box test can see the 503 answer. Unset: no limit.
 */
static ordo_code test_alloc_budget(long *budget, ordo_err *err)
{
	const char *v = getenv("ORDO_TEST_FAIL_ALLOC");
	char *end;
	long n;

	*budget = -1;
	if (!v)
		return ORDO_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 0)
		return ordo_err_set(err, ORDO_EINVALID, "ORDO_TEST_FAIL_ALLOC",
				    "ORDO_TEST_FAIL_ALLOC must be a count of "
				    "allocations (0 or more), not \"%.32s\"",
				    v);
	*budget = n;
	log_event("warn", "ORDO_TEST_FAIL_ALLOC is set: requests fail their "
		  "allocations on purpose (for tests only)",
		  json_pack("{s:I}", "allocations", (json_int_t)n));
	return ORDO_OK;
}

/* What api_server_start made of srv (the daemon stopped), then srv. */
static void server_free(struct api_server *srv)
{
	if (srv->nomem)
		MHD_destroy_response(srv->nomem);
	api_metrics_free(srv->metrics);
	pthread_cond_destroy(&srv->head_cv);
	pthread_mutex_destroy(&srv->limits_mu);
	sodium_memzero(srv->cursor_key, sizeof(srv->cursor_key));
	free(srv);
}

ordo_code api_server_start(store *st, const api_server_options *opts,
			   api_server **out, ordo_err *err)
{
	struct api_server *srv = calloc(1, sizeof(*srv));
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
	int fd = -1, family = 0;
	int64_t rate;
	ordo_code rc;

	if (!srv)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	srv->st = st;
	srv->clock = opts->clock;
	pthread_mutex_init(&srv->limits_mu, NULL);
	pthread_cond_init(&srv->head_cv, NULL);
	if (opts->max_queued_writes < 0 ||
	    opts->max_queued_writes > ORDO_QUEUED_WRITES_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "max_queued_writes",
				  "at most %d writes may be queued",
				  ORDO_QUEUED_WRITES_MAX);
		goto fail;
	}
	if (opts->web_dir) {
		struct stat sb;
		char index[API_WEB_DIR_MAX + 16];

		if (strlen(opts->web_dir) >= sizeof(srv->web_dir)) {
			rc = ordo_err_set(err, ORDO_EINVALID, "web_dir",
					  "the console's folder must be named "
					  "in fewer than %d bytes",
					  API_WEB_DIR_MAX);
			goto fail;
		}
		ordo_strlcpy(srv->web_dir, opts->web_dir,
			     sizeof(srv->web_dir));
		snprintf(index, sizeof(index), "%s/index.html", srv->web_dir);
		if (stat(index, &sb) != 0)
			log_event("warning", "console_missing",
				  json_pack("{s:s, s:s}", "file", index,
					    "error", strerror(errno)));
	}
	if (opts->trusted_proxies)
		srv->trusted_proxies = *opts->trusted_proxies;
	srv->max_queued_writes = opts->max_queued_writes
					 ? opts->max_queued_writes
					 : ORDO_QUEUED_WRITES_DEFAULT;
	if (opts->rate_per_key < 0 ||
	    opts->rate_per_key > ORDO_RATE_PER_KEY_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "rate_per_key",
				  "at most %d requests a second per key",
				  ORDO_RATE_PER_KEY_MAX);
		goto fail;
	}
	if (opts->rate_per_address < 0 ||
	    opts->rate_per_address > ORDO_RATE_PER_ADDRESS_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "rate_per_address",
				  "at most %d requests a second per address",
				  ORDO_RATE_PER_ADDRESS_MAX);
		goto fail;
	}
	rc = test_alloc_budget(&srv->request_alloc_budget, err);
	if (rc != ORDO_OK)
		goto fail;
	rc = app_cursor_key(st, srv->cursor_key, err);
	if (rc != ORDO_OK)
		goto fail;
	rate = opts->rate_per_key ? opts->rate_per_key
				  : ORDO_RATE_PER_KEY_DEFAULT;
	ratelimit_init(&srv->per_key, rate, 2 * rate); /* 2 s of bursts */
	rate = opts->rate_per_address ? opts->rate_per_address
				      : ORDO_RATE_PER_ADDRESS_DEFAULT;
	ratelimit_init(&srv->per_address, rate, 2 * rate);
	srv->metrics = api_metrics_new();
	srv->nomem = MHD_create_response_from_buffer(
		sizeof(nomem_body) - 1, (void *)nomem_body,
		MHD_RESPMEM_PERSISTENT);
	if (!srv->metrics || !srv->nomem ||
	    secure_headers(srv->nomem) != 0 ||
	    MHD_add_response_header(srv->nomem, "Content-Type",
				    "application/json") != MHD_YES ||
	    MHD_add_response_header(srv->nomem, "Retry-After",
				    RETRY_AFTER_TEXT) != MHD_YES) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	/* ordo binds the socket (names resolved, failures in its words; see
	 * listen.c) and the daemon takes it over, closing it when stopped. */
	rc = api_listen_open(opts->host, opts->port, &fd, &family, err);
	if (rc != ORDO_OK)
		goto fail;
	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, opts->port, api_address_admits, srv, handle_pooled, srv,
		/* First, so that every message of the library is a JSON line. */
		MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
		MHD_OPTION_LISTEN_SOCKET, fd,
		MHD_OPTION_URI_LOG_CALLBACK, edge_uri_seen, srv,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)ORDO_CONNECTION_MEMORY_BYTES,
		MHD_OPTION_THREAD_POOL_SIZE,
		(unsigned int)(opts->threads ? opts->threads : 4),
		MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)ORDO_CONNECTION_IDLE_S,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)ORDO_CONNECTIONS_MAX,
		MHD_OPTION_NOTIFY_CONNECTION, api_address_notify, srv,
		MHD_OPTION_NOTIFY_COMPLETED, request_completed, srv,
		MHD_OPTION_END);
	if (!srv->daemon) {
		/* The socket is not closed here: a daemon that failed to
		 * start has closed what it was given. */
		rc = ordo_err_set(err, ORDO_EUNAVAILABLE, "listen",
				  "cannot serve on %s:%u", opts->host,
				  (unsigned)opts->port);
		goto fail;
	}
	rc = api_head_watch_start(srv, err);
	if (rc != ORDO_OK) {
		MHD_stop_daemon(srv->daemon);
		goto fail;
	}
	*out = srv;
	return ORDO_OK;
fail:
	server_free(srv);
	return rc;
}

void api_server_stop(api_server *srv)
{
	if (!srv)
		return;
	atomic_store(&srv->stopping, true);
	while (atomic_load(&srv->writes_in_flight) > 0)
		usleep(10 * 1000);
	api_head_watch_stop(srv);
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
}
