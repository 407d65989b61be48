/*
 * api_int.h - what the API's files share: the request being served, the
 * helpers that answer it, and the JSON encoders. Not for use outside api/.
 */
#ifndef ORDO_API_INT_H
#define ORDO_API_INT_H

#include <jansson.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "api/server.h"
#include "app/app.h"
#include "channels/native_out.h"
#include "core/err.h"
#include "store/store.h"

#define API_MAX_PARAMS 2

typedef struct api_request api_request;

/* A write's body: runs inside the store transaction and produces the answer. */
typedef ordo_code (*api_write_fn)(store_tx *tx, api_request *r, int *status,
				  char **body, ordo_err *err);

struct api_request {
	struct api_server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	char *params[API_MAX_PARAMS]; /* path segments matched by '*' */
	char allow[48];		      /* methods the path takes, for 405 */
	long long started_ms;

	char *body;
	size_t body_len, body_cap;
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

	/* A write handed to the store's committer (see server.c). */
	store_job job;
	bool write_pending;
	atomic_bool write_done;
	api_write_fn write_fn;
	void *payload;
	void (*payload_free)(void *payload);
	char idempotency_key[ORDO_IDEMPOTENCY_KEY_MAX];
	char request_hash[65];
	int status;
	char *resp_body;
	bool replayed;
	/* When set, called on the answer of a write that ran (not one
	 * replayed for its Idempotency-Key) before it is sent: it may return
	 * another body, freeing the one given. The stored answer stays as the
	 * write made it: a secret shown once is added here. */
	char *(*answer_fresh)(api_request *r, char *body);
};

struct api_server {
	store *st;
	struct MHD_Daemon *daemon;
	atomic_int writes_in_flight;
	atomic_bool stopping;
	/* The out-of-memory answer, made at start (see api_reply_nomem). */
	struct MHD_Response *nomem;
	/* ORDO_TEST_FAIL_ALLOC, for tests only: the allocations each request
	 * may make through core/alloc.h; -1 (always, outside tests): no
	 * limit. */
	long request_alloc_budget;
};

/* ---- answering (server.c) ---------------------------------------------- */

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
 * Hand a write to the committer and suspend the connection; the answer is
 * sent when the write is durable. payload is freed with payload_free when
 * the request ends.
 */
enum MHD_Result api_submit_write(api_request *r, api_write_fn fn,
				 void *payload,
				 void (*payload_free)(void *payload));

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

/* A write's answer: serialise j (taken) as *body with status status_in. */
ordo_code api_answer(json_t *j, int status_in, int *status, char **body,
		     ordo_err *err);

/* A query parameter, or NULL. */
const char *api_query(api_request *r, const char *name);

/* Parse a list cursor (a positive sequence number) or answer 400. */
bool api_parse_cursor(api_request *r, const char *text, int64_t *out,
		      enum MHD_Result *ret);
/* The next_cursor of a list answer: the number, or null when 0. */
json_t *api_cursor_json(int64_t next);

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

/* ---- the edge (edge.c) --------------------------------------------------- */

/* libmicrohttpd's URI log callback: allocates the api_request and keeps
 * the request target as it was sent. */
void *edge_uri_seen(void *cls, const char *uri, struct MHD_Connection *conn);
/* Check the target and the headers once they are in; a refusal is kept
 * in r (refusal_status) and answered by edge_answer. */
void edge_check(api_request *r);
/* Whether to answer now, before the body (see edge.c). */
bool edge_body_declared(api_request *r);
/* Answer the edge's refusal, or 413 for a body over the limit. */
enum MHD_Result edge_answer(api_request *r);
/* Log a request that ended before ordo saw its headers. */
void edge_log_unserved(api_request *r, enum MHD_RequestTerminationCode toe);

/* ---- status table (errors.c) -------------------------------------------- */

unsigned api_status_for(ordo_code code);
json_t *api_error_json(const ordo_err *err);

/* ---- handlers ----------------------------------------------------------- */

typedef enum MHD_Result (*api_handler)(api_request *r);

enum MHD_Result api_health(api_request *r);
enum MHD_Result api_openapi(api_request *r);
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
enum MHD_Result api_stock_adjust(api_request *r);
enum MHD_Result api_stock_get(api_request *r);
enum MHD_Result api_stock_events(api_request *r);
enum MHD_Result api_settings_get(api_request *r);
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
enum MHD_Result api_webhook_create(api_request *r);
enum MHD_Result api_webhook_list(api_request *r);
enum MHD_Result api_webhook_delete(api_request *r);
enum MHD_Result api_webhook_resume(api_request *r);
enum MHD_Result api_delivery_list(api_request *r);
enum MHD_Result api_delivery_redeliver(api_request *r);
enum MHD_Result api_queue_list(api_request *r);
enum MHD_Result api_hold_claim(api_request *r);
enum MHD_Result api_hold_release(api_request *r);
enum MHD_Result api_hold_assign(api_request *r);
enum MHD_Result api_hold_resolve(api_request *r);
enum MHD_Result api_holds_bulk(api_request *r);
enum MHD_Result api_defect_create(api_request *r);
enum MHD_Result api_defect_list(api_request *r);
enum MHD_Result api_policy_get(api_request *r);
enum MHD_Result api_policy_put(api_request *r);
enum MHD_Result api_policy_versions(api_request *r);
enum MHD_Result api_policy_simulate(api_request *r);

#endif
