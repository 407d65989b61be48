/*
 * api_int.h - what the API's files share: the request being served, the
 * helpers that answer it, and the JSON encoders. Not for use outside api/.
 */
#ifndef ORDO_API_INT_H
#define ORDO_API_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "api/server.h"
#include "core/arena.h"
#include "core/ratelimit.h"
#include "app/allocation.h"
#include "app/caller.h"
#include "app/people.h"
#include "app/catalog.h"
#include "app/fulfillment.h"
#include "app/intake.h"
#include "app/policy.h"
#include "app/queries.h"
#include "app/review.h"
#include "app/settings.h"
#include "app/stock.h"
#include "app/tenants.h"
#include "app/webhooks.h"
#include "app/write.h"
#include "channels/native_out.h"
#include "core/clock.h"
#include "core/err.h"
#include "store/store.h"

#define API_MAX_PARAMS 2
/* Longest name of the console's folder (serve --web), and the end. */
#define API_WEB_DIR_MAX 512
/* The longest X-Request-Id taken from a caller, with its NUL. */
#define API_REQUEST_ID_MAX 65

typedef struct api_request api_request;

/*
 * A write's answer, encoded on the server's thread after the commit from
 * the command's outputs: the body (a new reference; NULL when out of
 * memory, or for no body with status 204) and its status.
 */
typedef json_t *(*api_reply_fn)(api_request *r, const app_write *w,
				 int *status);

struct api_request {
	struct api_server *srv;
	/* jansson's memory while the request is handled (json_pool.h). */
	ordo_arena arena;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char *params[API_MAX_PARAMS]; /* path segments matched by '*' */
	/* The request's id: the caller's X-Request-Id when it gives a
	 * usable one, else one made here ("req_..."); in the answer's
	 * X-Request-Id and the request's log line. */
	char request_id[API_REQUEST_ID_MAX];
	const char *route; /* the pattern of its route, once routed */
	/* 1 + the route's index in api_routes once routed, else 0: which of
	 * /metrics' series it counts in (meta.c). */
	unsigned route_no;
	char allow[48];		      /* methods the path takes, for 405 */
	/* A person's session asked with "Ordo-Tenant: *": every tenant
	 * they serve (GET /v1/queue alone takes it), and that session,
	 * whose tenants the queue reads (freed with the request). */
	bool every_tenant;
	app_session session;
	long long started_ms;
	long long started_us; /* the same, in microseconds (/metrics) */

	char *body;
	size_t body_len, body_cap;
	/* The largest body its route takes (api_route.max_body; set with
	 * the headers, before any body is read). */
	size_t max_body;
	bool body_too_large;
	bool out_of_memory; /* the body could not be kept: answer 503 */

	/* The edge (server.c): what was sent before libmicrohttpd unescaped
	 * it, and an answer decided there (sent once the body has been read,
	 * so that the caller is not reset while still sending). */
	char *raw_uri;
	ordo_err *refusal; /* &refusal_err once there is one */
	ordo_err refusal_err;
	unsigned refusal_status;
	unsigned long long body_seen; /* body bytes received, kept or not */
	bool close_after;	      /* answer with Connection: close */
	/* Allocations it may still make under ORDO_TEST_FAIL_ALLOC (see
	 * server.c); unused otherwise. */
	long alloc_budget;

	app_caller caller;
	/* The cursor the request brought, opened for its caller's tenant
	 * (core/cursor.h): what api_query answers for "cursor". */
	bool has_cursor;
	char cursor[ORDO_CURSOR_INNER_MAX];

	/* A write handed to the store's committer (see server.c): the
	 * command (owned, freed with write_free), how its answer is encoded,
	 * and - while it is being kept for an Idempotency-Key - the answer. */
	app_write *write;
	void (*write_free)(app_write *w);
	api_reply_fn reply;
	bool write_pending;
	bool queued; /* counted in writes_queued until answered */
	atomic_bool write_done;
	bool keeping;
	long long pending_since_ms; /* waiting for a retried key's answer */
	int pending_rounds;	    /* times it asked */
	int status; /* the status answered, once it is */
	int retry_after_s; /* a 429's Retry-After */
	int answer_status;
	char *answer;
	/* When set, called on the answer of a write that ran (not one
	 * replayed for its Idempotency-Key) before it is sent: it returns
	 * another body, freeing the one given, or NULL when it cannot make
	 * one (the server then answers that the write was done but its
	 * answer could not be made). The stored answer stays as the write
	 * made it: a secret shown once is added here. */
	char *(*answer_fresh)(api_request *r, char *body);
	/* A Set-Cookie for the answer ("": none): a session's. */
	char set_cookie[160];
	/* The client it is from (auth.c, api_client): 4 or 6 and its
	 * address (IPv4 in the first 4 bytes), -1 when unknown, 0 until
	 * looked at. */
	int client_family;
	unsigned char client_addr[16];
};

/* A person's session: its cookie, the header its CSRF token comes back
 * in on writes, and the header naming the tenant a request is about. */
#define API_SESSION_COOKIE "ordo_session"
#define API_CSRF_HEADER "X-CSRF-Token"
#define API_TENANT_HEADER "Ordo-Tenant"

/* ---- who asks (auth.c) --------------------------------------------------- */

/*
 * The client a request is from: its connection's peer, or, when that is
 * one of the server's trusted proxies, the address X-Forwarded-For names.
 * 4 or 6 with the address in addr (IPv4 in the first 4 bytes, the rest
 * zero), or -1 when it is not known.
 */
int api_client(api_request *r, const unsigned char **addr);
/* The same, as text ("unknown" if none). */
void api_client_address(api_request *r, char *out, size_t size);
/* True when the caller is known (r->caller, with its address); otherwise
 * the answer is queued in *ret. */
bool api_authenticate(api_request *r, enum MHD_Result *ret);
/* Whether the request's headers name a caller (nothing answered). */
bool api_key_known(api_request *r);

/* An answer_fresh's work: body (freed) with member set to secret, shown
 * to the request that made it and kept from its replays; NULL without
 * memory for it. */
char *api_answer_with_secret(char *body, const char *member,
			     const char *secret);

struct api_server {
	store *st;
	const ordo_clock *clock;
	struct MHD_Daemon *daemon;
	atomic_int writes_in_flight;
	/* Requests with a write handed to the committer and not yet
	 * answered, at most max_queued_writes (api_submit_write). */
	atomic_int writes_queued;
	int max_queued_writes;
	atomic_bool stopping;
	/* The database refusing writes (submit.c, note_database): since the
	 * first write it refused, and how many it has refused since. */
	atomic_bool writes_failing;
	atomic_llong writes_refused;
	/* Imports running (imports.c), at most ORDO_IMPORTS_RUNNING. */
	atomic_int imports_running;
	/* What one client may take (limits.c), under limits_mu: the client
	 * addresses that hold connections, and how many each (at most
	 * ORDO_CONNECTIONS_MAX of them, as there are at most that many
	 * connections), and how many there are in all; each API key's
	 * requests a second. */
	pthread_mutex_t limits_mu;
	int n_conns;
	struct api_address {
		unsigned char addr[16]; /* IPv4 in the first 4 */
		int n;			/* its connections; 0: a free slot */
	} addresses[ORDO_CONNECTIONS_MAX];
	ratelimit per_key;
	ratelimit per_address;
	/* Every connection open, under limits_mu (limits.c), and the thread
	 * that closes one whose request head is late (ORDO_REQUEST_HEAD_S);
	 * head_cv wakes it to stop. */
	struct api_conn *conns;
	pthread_t head_watch;
	pthread_cond_t head_cv;
	bool head_watch_on, head_watch_stop;
	/* The console's folder (console.c); "": none. */
	char web_dir[API_WEB_DIR_MAX];
	/* The proxies whose X-Forwarded-For is believed (auth.c). */
	netaddr_list trusted_proxies;
	/* The deployment's key for page cursors, read at start. */
	unsigned char cursor_key[ORDO_CURSOR_KEY_BYTES];
	/* The out-of-memory answer, made at start (see api_reply_nomem). */
	struct MHD_Response *nomem;
	/* What /metrics counts of the requests (meta.c), made at start. */
	struct api_metrics *metrics;
	/* ORDO_TEST_FAIL_ALLOC, for tests only: the allocations each request
	 * may make through core/alloc.h; -1 (always, outside tests): no
	 * limit. */
	long request_alloc_budget;
};

/* ---- answering (server.c) ---------------------------------------------- */

/* Queue text as a JSON answer: malloc'd and taken, or with is_static a
 * string that lives as long as the program; replayed marks an
 * Idempotency-Key's replay. */
/* Answer 200 with data (malloc'd, len bytes, taken) of type. */
enum MHD_Result api_queue_file(api_request *r, char *data, size_t len,
			       const char *type);
enum MHD_Result api_queue_body(api_request *r, unsigned status, char *text,
			       bool is_static, bool replayed);
/* Queue text (malloc'd, taken) as an answer of the media type `type`,
 * with headers (name, value, ..., NULL; may be NULL). */
enum MHD_Result api_queue_typed(api_request *r, unsigned status, char *text,
				const char *type, const char *const *headers);
/* Queue len bytes at data, which live as long as the program, as an
 * answer of the media type `type`. */
enum MHD_Result api_queue_static(api_request *r, unsigned status,
				 const void *data, size_t len,
				 const char *type);
/* ---- the lists' cursors (cursors.c) -------------------------------------- */

/* Seal body's next_cursor, if it has one, for the caller's tenant and the
 * route; false when it cannot be. */
bool api_cursor_sealed(api_request *r, json_t *body);
/* Open the request's cursor, if it has one, into r->cursor; false (the
 * 400 queued in *ret) when it is not one sealed for the caller's tenant
 * and the route. */
bool api_cursor_opened(api_request *r, enum MHD_Result *ret);

/* ---- what one client may take (limits.c) -------------------------------- */

/* The address of sa in key, zero-padded to 16 bytes (IPv4 in the first
 * four); its family: 4, 6, or -1 for none or any other (key all zero). */
int api_sockaddr_key(const struct sockaddr *sa, unsigned char key[16]);

/* libmicrohttpd's accept policy: whether the address holds less than its
 * share of connections (ORDO_CONNECTIONS_PER_ADDRESS). */
enum MHD_Result api_address_admits(void *cls, const struct sockaddr *sa,
				   socklen_t len);
/* libmicrohttpd's connection notice: counts the address's connections,
 * and keeps each connection (struct api_conn) for the head deadline. */
void api_address_notify(void *cls, struct MHD_Connection *conn,
			void **socket_context,
			enum MHD_ConnectionNotificationCode toe);
/* What the connection waits for from its client, and by when: the
 * request's head (from when the answer before has gone), its body (once
 * the head has come, for body_bytes: ORDO_REQUEST_BODY_S and
 * ORDO_REQUEST_BODY_RATE), or nothing (API_CONN_SERVING: all of the
 * request has come, and it is being served). */
enum api_conn_wait { API_CONN_HEAD, API_CONN_BODY, API_CONN_SERVING };
void api_conn_waits(struct api_server *srv, struct MHD_Connection *conn,
		    enum api_conn_wait what, unsigned long long body_bytes);
/* Start and stop the thread that closes connections whose request head
 * or body is later than its deadline. */
ordo_code api_head_watch_start(struct api_server *srv, ordo_err *err);
void api_head_watch_stop(struct api_server *srv);
/* 0 when the key (0: none) may make a request now, else the whole seconds
 * it is to wait; takes its request. */
int api_key_rate_wait(struct api_server *srv, const app_caller *c);
/* The same for the request's client address (rate_per_address). */
int api_address_rate_wait(struct api_server *srv, api_request *r);

/* Whether the request's Content-Type is media (parameters aside). */
bool api_content_is(api_request *r, const char *media);
/* Monotonic milliseconds. */
long long api_now_ms(void);
/* Monotonic microseconds: a request's time in /metrics, whose first
 * bucket is a millisecond. */
long long api_now_us(void);
/* A write's answer once its job is done (submit.c), from the handler. */
enum MHD_Result api_finish_write(api_request *r);
/* Queue a JSON answer (takes the reference). */
enum MHD_Result api_reply_json(api_request *r, unsigned status, json_t *body);
/* Queue an error answer: status from the code (errors.c), error body. */
enum MHD_Result api_reply_error(api_request *r, const ordo_err *err);
/*
 * Answer 503 out_of_memory. Needs no memory: the response was made when the
 * server started. For every allocation failure on the request path, so that
 * a request is answered rather than dropped.
 */
enum MHD_Result api_reply_nomem(api_request *r);
/* Shorthand for an error made on the spot. */
enum MHD_Result api_reply_fail(api_request *r, ordo_code code,
			       const char *field, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * Hand the command w (its inputs decoded and checked, set up with
 * app_write_init for api_now(r)) to the committer and suspend the
 * connection; once the write is durable its answer is encoded by reply and
 * sent. w is freed with free_cmd (which frees the enclosing command) when
 * the request ends, also when this fails.
 */
enum MHD_Result api_submit_write(api_request *r, app_write *w,
				 api_reply_fn reply,
				 void (*free_cmd)(app_write *w));

/*
 * Copy the path's id (its first '*') into dst; one too long to fit is no
 * id ordo made, so it is answered 404 naming "id" (as a lookup of it would
 * be) rather than cut short into another, and false is returned.
 */
bool api_path_id(api_request *r, const char *what, char *dst, size_t size,
		 enum MHD_Result *ret);

/*
 * A write that takes no query parameter and no body, only the path's id:
 * check both, copy the id into the command's id buffer (what names it in
 * a 404) and submit w (allocated alone and set up), which is freed on
 * every path as api_submit_write frees it.
 */
enum MHD_Result api_submit_on_id(api_request *r, app_write *w, char *id,
				 size_t id_size, const char *what,
				 api_reply_fn reply);

/* free_cmd for a command allocated alone (calloc), app_write first. */
void api_write_free(app_write *w);

/* The time of the request, by the server's clock. */
ordo_time api_now(const api_request *r);

/* Parse the body as a JSON object, or answer 400 and return NULL. */
json_t *api_body_object(api_request *r, enum MHD_Result *ret);

/*
 * Parse the body and decode it with `decode` (json_fields.h readers, which
 * add every problem to err); answer 400 listing them all and return false
 * if there is any.
 */
bool api_decode_body(api_request *r,
		     void (*decode)(const json_t *doc, void *out,
				    ordo_err *err),
		     void *out, enum MHD_Result *ret);

/* A query parameter, or NULL. */
const char *api_query(api_request *r, const char *name);

/*
 * Match path against a route's pattern (routes.h); on success copy the
 * '*' segments into params (malloc'd, the caller frees them). Segments
 * may not be empty.
 */
bool api_route_match(const char *pattern, const char *path,
		     char *params[API_MAX_PARAMS]);

/* Parse a list cursor (a positive sequence number) or answer 400. */
bool api_parse_cursor(api_request *r, const char *text, int64_t *out,
		      enum MHD_Result *ret);
/* The next_cursor of a list answer: the number, or null when 0. */
json_t *api_cursor_json(int64_t next);
/* Parse the cursor of a list by due time, "<due_at>.<seq>" as
 * api_due_cursor_json writes it (the review queue's, the change
 * requests'), or answer 400. */
bool api_parse_due_cursor(api_request *r, const char *text, int64_t *due,
			  int64_t *seq, enum MHD_Result *ret);
/* The same without the answer: true when text is such a cursor. */
bool api_due_cursor_read(const char *text, int64_t *due, int64_t *seq);
/* The next_cursor of a list by due time: "<due_at>.<seq>" of the page's
 * last item when another page follows (more), else null. */
json_t *api_due_cursor_json(bool more, int64_t due, int64_t seq);

/* Parse `limit` (default ORDO_PAGE_DEFAULT, 1..ORDO_PAGE_MAX) or answer 400. */
bool api_query_limit(api_request *r, int *limit, enum MHD_Result *ret);

/* ---- strictness (strict.c) ---------------------------------------------- */

/*
 * Refuse (400, every problem listed) a query parameter not in known (a
 * NULL-terminated list; {NULL} for none) or one given twice. Call first.
 */
bool api_query_only(api_request *r, const char *const known[],
		    enum MHD_Result *ret);
/* For operations that take no body: an empty body or {} passes, any member
 * is refused with 400 naming it. */
bool api_body_none(api_request *r, enum MHD_Result *ret);

/*
 * The one way a number, boolean or time is read from the query string.
 * api_int_text: true when the len bytes at text are an integer from min to
 * max written as decimal digits, with a leading '-' only when min < 0, and
 * no '+', white space or leading zero; its value is then in *out.
 */
bool api_int_text(const char *text, size_t len, int64_t min, int64_t max,
		  int64_t *out);
/*
 * Read the query parameter `name` as such an integer, as "true" or "false",
 * or as an RFC 3339 time (UTC seconds). Absent: true, *out untouched. Bad:
 * answer 400 naming it, saying what it takes, and return false. *given
 * (when not NULL) says whether it was in the query.
 */
bool api_query_int(api_request *r, const char *name, int64_t min,
		   int64_t max, int64_t *out, bool *given, enum MHD_Result *ret);
bool api_query_bool(api_request *r, const char *name, bool *out,
		    bool *given, enum MHD_Result *ret);
bool api_query_time(api_request *r, const char *name, int64_t *out,
		    bool *given, enum MHD_Result *ret);

/* ---- the edge (edge.c) --------------------------------------------------- */

/* libmicrohttpd's URI log callback: allocates the api_request and keeps
 * the request target as it was sent. */
void *edge_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn);
/* Check r->raw_uri, the target as sent: its path and each query
 * parameter's name and value (see edge.c); a problem is kept as the
 * request's refusal. The part of edge_check that needs no connection. */
void edge_check_target(api_request *r);
/* Check the target and the headers once they are in; a refusal is kept
 * in r (refusal_status) and answered by edge_answer. */
void edge_check(api_request *r);
/* Whether to answer now, before the body (see edge.c). */
bool edge_body_declared(api_request *r);
/* The bytes of body the request will send, for its deadline: what its
 * Content-Length declares, or, sent in chunks, what its route takes; no
 * more than its route takes either way. */
unsigned long long edge_body_bytes(api_request *r);
/* The most of a refused body read and thrown away before the connection
 * is closed instead: ORDO_MAX_DISCARD_BYTES, or the route's own limit
 * when larger. */
unsigned long long edge_max_discard(const api_request *r);
/* Answer the edge's refusal, or 413 for a body over the limit. */
enum MHD_Result edge_answer(api_request *r);
/* Log a request that ended before ordo saw its headers. */
void edge_log_unserved(api_request *r, enum MHD_RequestTerminationCode toe);

/* ---- metrics (meta.c) ---------------------------------------------------- */

/*
 * The limits on what /metrics tracks, so that its series stay bounded
 * whatever callers send. Tenants: those named in a label, by the
 * requests' tenants the first that come (the others' requests count under
 * tenant "_other"), and by the backlog read from the database the first by
 * id (the others left out, as ordo_metrics_tenants_left_out says): a
 * scrape costs two statements a tenant. (Intake's channels are the
 * store's to bound: STORE_INTAKE_CHANNELS.)
 */
#define API_METRICS_TENANTS 64

/* The requests' series, empty; NULL when out of memory. */
struct api_metrics *api_metrics_new(void);
void api_metrics_free(struct api_metrics *m);
/* Count an answered request (r->status set) in its route's series: its
 * status, its time since it came, and a new order's channel. */
void api_metrics_note(api_request *r);

/* ---- status table (errors.c) -------------------------------------------- */

unsigned api_status_for(ordo_code code);
json_t *api_error_json(const ordo_err *err);

/* ---- handlers ----------------------------------------------------------- */

typedef enum MHD_Result (*api_handler)(api_request *r);

enum MHD_Result api_health(api_request *r);
enum MHD_Result api_openapi(api_request *r);
enum MHD_Result api_console_index(api_request *r);
enum MHD_Result api_console_file(api_request *r);
enum MHD_Result api_console_vendor(api_request *r);
enum MHD_Result api_metrics(api_request *r);
enum MHD_Result api_sku_create(api_request *r);
enum MHD_Result api_sku_list(api_request *r);
enum MHD_Result api_location_create(api_request *r);
enum MHD_Result api_location_list(api_request *r);
enum MHD_Result api_stock_put(api_request *r);
enum MHD_Result api_order_create(api_request *r);
enum MHD_Result api_order_list(api_request *r);
enum MHD_Result api_order_get(api_request *r);
enum MHD_Result api_order_events(api_request *r);
enum MHD_Result api_order_change(api_request *r);
enum MHD_Result api_order_cancel(api_request *r);
enum MHD_Result api_order_changes(api_request *r);
enum MHD_Result api_change_requests(api_request *r);
enum MHD_Result api_change_get(api_request *r);
enum MHD_Result api_change_accept(api_request *r);
enum MHD_Result api_change_refuse(api_request *r);
enum MHD_Result api_hold_place(api_request *r);
enum MHD_Result api_reconcile(api_request *r);
enum MHD_Result api_return_create(api_request *r);
enum MHD_Result api_order_returns(api_request *r);
enum MHD_Result api_return_list(api_request *r);
enum MHD_Result api_return_get(api_request *r);
enum MHD_Result api_return_receive(api_request *r);
enum MHD_Result api_return_refund(api_request *r);
enum MHD_Result api_stock_adjust(api_request *r);
enum MHD_Result api_stock_get(api_request *r);
enum MHD_Result api_stock_events(api_request *r);
enum MHD_Result api_settings_get(api_request *r);
enum MHD_Result api_monitors_get(api_request *r);
enum MHD_Result api_monitors_put(api_request *r);
enum MHD_Result api_alert_list(api_request *r);
enum MHD_Result api_metrics_summary(api_request *r);
enum MHD_Result api_metrics_series(api_request *r);
enum MHD_Result api_metrics_automation(api_request *r);
enum MHD_Result api_hold_history(api_request *r);
enum MHD_Result api_settings_patch(api_request *r);
enum MHD_Result api_fulfillment_list(api_request *r);
enum MHD_Result api_fulfillment_get(api_request *r);
enum MHD_Result api_fulfillment_accept(api_request *r);
enum MHD_Result api_fulfillment_reject(api_request *r);
enum MHD_Result api_shipment_create(api_request *r);
enum MHD_Result api_shipment_delivered(api_request *r);
/* shipments.c */
enum MHD_Result api_shipment_get(api_request *r);
enum MHD_Result api_shipment_list(api_request *r);
enum MHD_Result api_wave_create(api_request *r);
/* imports.c */
enum MHD_Result api_import_create(api_request *r);
enum MHD_Result api_import_list(api_request *r);
enum MHD_Result api_import_get(api_request *r);
/* channels.c */
enum MHD_Result api_channel_create(api_request *r);
enum MHD_Result api_channel_list(api_request *r);
enum MHD_Result api_channel_get(api_request *r);
enum MHD_Result api_channel_update(api_request *r);
enum MHD_Result api_channel_delete(api_request *r);
enum MHD_Result api_shopify_order(api_request *r);
enum MHD_Result api_woocommerce_order(api_request *r);
enum MHD_Result api_x12_take(api_request *r);
enum MHD_Result api_order_x12_855(api_request *r);
enum MHD_Result api_order_source(api_request *r);
enum MHD_Result api_session_create(api_request *r);
enum MHD_Result api_session_get(api_request *r);
enum MHD_Result api_session_delete(api_request *r);
enum MHD_Result api_audit_list(api_request *r);
enum MHD_Result api_user_list(api_request *r);
enum MHD_Result api_user_invite(api_request *r);
enum MHD_Result api_user_update(api_request *r);
enum MHD_Result api_key_list(api_request *r);
enum MHD_Result api_key_create(api_request *r);
enum MHD_Result api_key_revoke(api_request *r);
enum MHD_Result api_key_rotate(api_request *r);
enum MHD_Result api_webhook_create(api_request *r);
enum MHD_Result api_webhook_list(api_request *r);
enum MHD_Result api_webhook_delete(api_request *r);
enum MHD_Result api_webhook_resume(api_request *r);
enum MHD_Result api_webhook_rotate(api_request *r);
enum MHD_Result api_delivery_list(api_request *r);
enum MHD_Result api_delivery_redeliver(api_request *r);
enum MHD_Result api_queue_list(api_request *r);
enum MHD_Result api_hold_claim(api_request *r);
enum MHD_Result api_hold_release(api_request *r);
enum MHD_Result api_hold_assign(api_request *r);
enum MHD_Result api_hold_resolve(api_request *r);
enum MHD_Result api_holds_bulk(api_request *r);
enum MHD_Result api_defect_create(api_request *r);
enum MHD_Result api_note_create(api_request *r);
enum MHD_Result api_defect_list(api_request *r);
enum MHD_Result api_policy_get(api_request *r);
enum MHD_Result api_policy_put(api_request *r);
enum MHD_Result api_policy_versions(api_request *r);
enum MHD_Result api_policy_simulate(api_request *r);

#endif
