/*
 * app.h - ordo's use cases.
 *
 * Each write use case is a function that runs inside one store transaction
 * (a store job, see store.h) and either does all of its work or returns an
 * error having written nothing the caller could see: the store rolls the
 * job back to its savepoint. Read use cases take a read transaction.
 *
 * The callers - the HTTP API and the CLI - decode input, pick the use case
 * and encode the answer; they never decide anything about orders themselves.
 *
 * Everything is scoped by the caller's tenant (app_caller), which the API
 * derives from the API key and the CLI from the tenant slug.
 */
#ifndef ORDO_APP_APP_H
#define ORDO_APP_APP_H

#include <jansson.h>
#include <stdbool.h>

#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* X(enum, name) - what each role may do is enforced per route. */
#define APP_ROLE_MAP(X)                                                        \
	X(ROLE_ADMIN, "admin")                                                 \
	X(ROLE_SUPERVISOR, "supervisor")                                       \
	X(ROLE_AGENT, "agent")                                                 \
	X(ROLE_INTEGRATION, "integration")                                     \
	X(ROLE_VIEWER, "viewer")

typedef enum {
#define APP_X_ENUM(e, name) e,
	APP_ROLE_MAP(APP_X_ENUM)
#undef APP_X_ENUM
	APP_ROLE_COUNT
} app_role;

const char *app_role_name(app_role r);
int app_role_parse(const char *name, app_role *out);

/* Who is asking: the tenant and the actor recorded on every event. */
typedef struct {
	int64_t tenant_id;
	char tenant_slug[ORDO_SLUG_MAX];
	app_role role;
	char actor[ORDO_ACTOR_MAX]; /* "key:<name>", "cli", "demo", ... */
} app_caller;

/* ---- ids and secrets (app/ids.c) --------------------------------------- */

/* A new random public id: prefix + 26 base32 characters, e.g. "ord_...". */
void app_id_new(const char *prefix, char out[ORDO_ID_MAX]);

/* Hex SHA-256 of data (65 bytes with NUL). */
void app_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- tenants and keys (app/tenants.c) ---------------------------------- */


/* Create a tenant and its first admin key; the key (shown once, stored only
 * hashed) is written to key_out. */
ordo_code app_tenant_create(store *st, const char *slug,
			    char key_out[APP_API_KEY_MAX], ordo_err *err);

/* Create another key for an existing tenant. */
ordo_code app_key_create(store *st, const char *slug, const char *role,
			 const char *name, char key_out[APP_API_KEY_MAX],
			 ordo_err *err);

/* Resolve a presented API key to its caller; ORDO_EUNAUTHORIZED if unknown. */
ordo_code app_authenticate(store *st, const char *key, app_caller *caller,
			   ordo_err *err);

/* Valid tenant slugs: 1..63 of [a-z0-9-], starting with a letter or digit. */
bool app_slug_valid(const char *slug);

/* ---- catalog (app/catalog.c) ------------------------------------------- */

/* Insert or replace a SKU; *created tells which. */
ordo_code app_sku_put(store_tx *tx, const app_caller *c, catalog_sku *s,
		      bool *created, ordo_err *err);
ordo_code app_location_put(store_tx *tx, const app_caller *c,
			   catalog_location *l, bool *created, ordo_err *err);

/* ---- order intake (app/intake.c) --------------------------------------- */

/* The tenant's catalog, as validate.h looks SKUs up in it. */
typedef struct {
	store_tx *tx;
	int64_t tenant;
} app_catalog;

/* catalog_lookup_fn over an app_catalog (ctx). */
ordo_code app_catalog_lookup(void *ctx, const char *sku, catalog_entry *entry,
			     ordo_err *err);

typedef enum {
	INTAKE_CREATED,	       /* stored as a new order */
	INTAKE_EXISTING,       /* same channel + external id: nothing stored */
} intake_outcome;

/*
 * Take in a decoded order: catch a channel duplicate (return the existing
 * order), otherwise assign its id, validate it, look for content duplicates
 * within the tenant's window, raise one hold per problem, move it along the
 * lifecycle (received -> validated -> accepted, or -> on_hold) and store it
 * with its timeline. On success *stored holds the order as stored (caller
 * frees with order_free). `in` is consumed: its lines and holds move to the
 * stored order or are freed.
 */
ordo_code app_order_intake(store_tx *tx, const app_caller *c, order *in,
			   ordo_time now, intake_outcome *outcome,
			   order *stored, ordo_err *err);

/* ---- idempotent writes (app/idempotency.c) ----------------------------- */

/* Produces a write's answer: an HTTP-like status and a body the caller owns. */
typedef ordo_code (*app_answer_fn)(store_tx *tx, void *arg, int *status,
				   char **body, ordo_err *err);

/*
 * Run fn at most once per (tenant, key): the first run's answer is stored in
 * the same transaction as its effects; a later call with the same key and
 * request hash gets that answer back (*replayed = true) and runs nothing; a
 * different request hash is ORDO_EIDEMPOTENCY. With key NULL or "" fn just
 * runs.
 */
ordo_code app_idempotent(store_tx *tx, const app_caller *c, const char *key,
			 const char *request_hash, ordo_time now,
			 app_answer_fn fn, void *arg, int *status, char **body,
			 bool *replayed, ordo_err *err);

/* ---- the order flow (app/flow.c) ---------------------------------------- */

/* Load an order with lines, holds and fulfillments (o: order_init'ed). */
ordo_code app_order_load(store_tx *tx, int64_t tenant, const char *id,
			 order *o, ordo_err *err);

/* Append one event to the order's timeline. */
ordo_code app_event(store_tx *tx, const order *o, const char *type,
		    order_state from, order_state to, const char *hold_id,
		    const char *actor, const char *message, ordo_time at,
		    ordo_err *err);

/*
 * Move the order to `to` through the lifecycle table, record the move, and
 * tell subscribers (order.accepted, order.on_hold, order.allocated,
 * order.shipped, order.delivered, order.closed, order.cancelled).
 */
ordo_code app_order_move(store_tx *tx, order *o, order_state to,
			 const char *actor, ordo_time now, ordo_err *err);

/*
 * Bring an order in the main flow (accepted .. shipped) to the stage its
 * lines say, one lifecycle step at a time, then save it.
 */
ordo_code app_order_advance(store_tx *tx, order *o, const char *actor,
			    ordo_time now, ordo_err *err);

/* Write the order back (header, lines, holds). */
ordo_code app_order_save(store_tx *tx, order *o, ordo_time now,
			 ordo_err *err);

/* Raise an open hold on the order (id assigned here) and record it. */
ordo_code app_hold_raise(store_tx *tx, order *o, hold_type type,
			 const char *field, const char *raised_by,
			 ordo_time now, ordo_err *err, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

/*
 * Queue a webhook event in this transaction: data (stolen) becomes the
 * event's "data"; order_id orders deliveries; location scopes handoffs.
 */
ordo_code app_emit(store_tx *tx, int64_t tenant, const char *type,
		   const char *order_id, const char *location, json_t *data,
		   ordo_time now, ordo_err *err);
/* The same, to every subscribed webhook but skip_webhook (an id). */
ordo_code app_emit_except(store_tx *tx, int64_t tenant, const char *type,
			  const char *order_id, const char *location,
			  json_t *data, const char *skip_webhook,
			  ordo_time now, ordo_err *err);
/* webhook.paused: w (just paused) to the tenant's other webhooks. */
ordo_code app_webhook_paused_emit(store_tx *tx, int64_t tenant,
				  const webhook_sub *w, ordo_err *err);

/* The order as a webhook payload ("order.*" events). */
ordo_code app_emit_order(store_tx *tx, const order *o, const char *type,
			 ordo_time now, ordo_err *err);
/* The fulfillment with its order ("fulfillment.*" events), to its
 * location's handoff. */
ordo_code app_emit_fulfillment(store_tx *tx, const order *o,
			       const fulfillment *f, const char *type,
			       ordo_time now, ordo_err *err);

/* ---- allocation and release (app/allocation.c) -------------------------- */

/*
 * Promise stock to the order's open units and route them (allocate.h), in
 * this transaction: reserve stock, move units open -> allocated, create or
 * extend fulfillment orders. What cannot be promised is left open
 * (backorder) or held as short_hold (or, when short_hold is HOLD_TYPE_COUNT,
 * as the tenant's backorder mode says). Then releases what is allocated if
 * the tenant releases automatically and the order has no open hold.
 * Does nothing to an order that is held, not yet accepted, or finished.
 */
ordo_code app_order_allocate(store_tx *tx, order *o, const char *actor,
			     hold_type short_hold, ordo_time now,
			     ordo_err *err);

/* Release the order's pending fulfillments to their warehouses (only
 * those of `location` when it is given). */
ordo_code app_order_release(store_tx *tx, order *o, const char *location,
			    const char *actor, ordo_time now, ordo_err *err);

/*
 * Stock of sku arrived: allocate it to the orders waiting for it, oldest
 * first, resolving insufficient_stock holds that it now covers.
 */
ordo_code app_stock_arrived(store_tx *tx, int64_t tenant, const char *sku,
			    const char *actor, ordo_time now, ordo_err *err);

/*
 * Stock of sku at location was counted at on_hand, below what is
 * reserved there: take the difference back from the newest reservations
 * (pending fulfillments, then released, then accepted ones, newest first),
 * each with an "unreserve" stock event (reason "count") and a
 * "stock_taken_back" order event; the units go back to open. Afterwards
 * reserved == on_hand. *ids lists the orders taken from (free()); the
 * caller writes the count, then calls app_orders_reallocate on them.
 */
ordo_code app_stock_take_back(store_tx *tx, int64_t tenant,
			      const char *location, const char *sku,
			      int64_t on_hand, const char *actor,
			      ordo_time now, char (**ids)[ORDO_ID_MAX],
			      size_t *n, ordo_err *err);

/* Allocate the open units of these orders again (app_order_allocate):
 * elsewhere if stock allows, else backordered or held as the tenant's
 * backorder_mode says. */
ordo_code app_orders_reallocate(store_tx *tx, int64_t tenant,
				char (*ids)[ORDO_ID_MAX], size_t n,
				const char *actor, ordo_time now,
				ordo_err *err);

/* Release every pending fulfillment (of one location, or all when
 * location is "") of orders without open holds. ids: free(). */
ordo_code app_wave_release(store_tx *tx, const app_caller *c,
			   const char *location, ordo_time now,
			   char (**ids)[ORDO_ID_MAX], size_t *n,
			   ordo_err *err);

/* ---- stock (app/stock.c) ------------------------------------------------- */

/*
 * Write a changed stock row with its event (reason, actor, order) and tell
 * subscribers when available stock falls to the tenant's low threshold.
 * `before` is the row as read in this transaction (zeroed for a new row).
 */
ordo_code app_stock_change(store_tx *tx, int64_t tenant,
			   const stock_level *before, const stock_level *after,
			   const char *type, const char *reason,
			   const char *note, const char *actor,
			   const char *order_id, ordo_time now, ordo_err *err);

/* Count: set on_hand (and safety stock when safety_stock >= 0). */
ordo_code app_stock_count(store_tx *tx, const app_caller *c,
			  const char *location, const char *sku,
			  int64_t on_hand, int64_t safety_stock,
			  stock_level *level, ordo_err *err);

/* Adjust on_hand by delta for a reason (receipt, damage, ...). */
ordo_code app_stock_adjust(store_tx *tx, const app_caller *c,
			   const char *location, const char *sku,
			   int64_t delta, const char *reason, const char *note,
			   stock_level *level, ordo_err *err);

/* ---- fulfillment, shipments, delivery (app/fulfillment.c) -------------- */

ordo_code app_fulfillment_accept(store_tx *tx, const app_caller *c,
				 const char *id, fulfillment *out,
				 ordo_err *err);
ordo_code app_fulfillment_reject(store_tx *tx, const app_caller *c,
				 const char *id, reject_reason reason,
				 const char *message, fulfillment *out,
				 ordo_err *err);
/* s: lines, carrier, tracking_number, shipped_at (0 = now) in; the stored
 * shipment out. */
ordo_code app_shipment_create(store_tx *tx, const app_caller *c,
			      const char *fulfillment_id, shipment *s,
			      ordo_err *err);
ordo_code app_shipment_delivered(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time at, shipment *out,
				 ordo_err *err);
/* Close delivered orders past their tenant's closing period (any tenant);
 * *closed says how many. */
ordo_code app_close_due(store_tx *tx, ordo_time now, size_t *closed,
			ordo_err *err);

/* ---- settings and webhooks (app/settings.c, app/webhooks.c) ------------ */

ordo_code app_settings_get(store *st, const app_caller *c, tenant_settings *s,
			   ordo_err *err);
/* Changes the settings in place; adds a detail to err per bad value. */
typedef void (*app_settings_merge_fn)(void *ctx, tenant_settings *s,
				      ordo_err *err);

/* Read the settings, merge the change, check the whole and save it; *s is
 * the result. */
ordo_code app_settings_update(store_tx *tx, const app_caller *c,
			      app_settings_merge_fn merge, void *ctx,
			      tenant_settings *s, ordo_err *err);

/* Known webhook event types. */
bool app_event_type_known(const char *type);
extern const char *const app_event_types[];

/* Create a subscription; w->id, secret and created_at are filled. */
ordo_code app_webhook_create(store_tx *tx, const app_caller *c,
			     webhook_sub *w, ordo_err *err);
ordo_code app_webhook_delete(store_tx *tx, const app_caller *c,
			     const char *id, ordo_err *err);
/* Send to a paused webhook again; *w is the webhook afterwards. */
ordo_code app_webhook_resume(store_tx *tx, const app_caller *c,
			     const char *id, webhook_sub *w, ordo_err *err);
/* Send a delivery again. ORDO_ECONFLICT when its webhook was deleted or
 * is paused (resume the webhook first). */
ordo_code app_delivery_redeliver(store_tx *tx, const app_caller *c,
				 const char *id, delivery *out, ordo_err *err);

/* ---- the review queue (app/review.c) ------------------------------------ */


typedef enum {
	REVIEW_APPROVE,
	REVIEW_CORRECT,
	REVIEW_CANCEL, /* "cancel_order" */
	REVIEW_ESCALATE,
	REVIEW_RELEASE, /* bulk only: give the claims up */
} review_action;

const char *review_action_name(review_action a);
int review_action_parse(const char *name, review_action *out);

/* Claim (or renew) a hold for the caller for lease_s seconds. */
ordo_code app_hold_claim(store_tx *tx, const app_caller *c, const char *id,
			 int lease_s, ordo_time now, order_hold *h,
			 ordo_err *err);
/* Give a claim up: one's own, or - for a supervisor - anyone's. */
ordo_code app_hold_release(store_tx *tx, const app_caller *c, const char *id,
			   ordo_time now, order_hold *h, ordo_err *err);
/* A supervisor hands a hold to assignee for lease_s seconds. */
ordo_code app_hold_assign(store_tx *tx, const app_caller *c, const char *id,
			  const char *assignee, int lease_s, ordo_time now,
			  order_hold *out, ordo_err *err);

/* Changes a correction makes to the order, in place; adds a detail to err
 * per bad value. */
typedef void (*app_order_patch_fn)(void *ctx, order *o, ordo_err *err);

/*
 * Decide a hold (see review.c). patch is used by REVIEW_CORRECT only. On
 * success *hold_out is the hold as decided and *order_out the order after
 * (order_init'ed by the caller; free with order_free).
 */
ordo_code app_hold_resolve(store_tx *tx, const app_caller *c, const char *id,
			   review_action action, const char *reason,
			   app_order_patch_fn patch, void *ctx, ordo_time now,
			   order_hold *hold_out, order *order_out,
			   ordo_err *err);

/* After its last open hold is resolved, the order goes on by itself. */
ordo_code app_order_resume(store_tx *tx, order *o, const char *actor,
			   ordo_time now, ordo_err *err);

/* Cancel the whole order: stock given back, fulfillments cancelled, every
 * unit not shipped cancelled, open holds resolved. */
ordo_code app_order_cancel(store_tx *tx, order *o, const char *actor,
			   const char *reason, ordo_time now, ordo_err *err);

typedef struct {
	char hold_id[ORDO_ID_MAX];
	char error[ORDO_MESSAGE_MAX];
} app_bulk_failed;

typedef struct {
	size_t matched;
	size_t applied;
	bool more; /* more holds matched than one call takes */
	char (*ids)[ORDO_ID_MAX];
	app_bulk_failed *failed;
	size_t n_failed;
} app_bulk_result;

/* One action over every open hold f matches, at most f->limit (0: the
 * tenant's bulk_limit setting): when more match, ORDO_ECONFLICT (field
 * "limit") and nothing is done. With dry_run,
 * only count and list them (res->more says there are more). */
ordo_code app_holds_bulk(store_tx *tx, const app_caller *c,
			 const queue_filter *f, review_action action,
			 const char *reason, bool dry_run, ordo_time now,
			 app_bulk_result *res, ordo_err *err);
void app_bulk_result_free(app_bulk_result *res);

/* The defect types, NULL-terminated: wrong_address, missing_item,
 * wrong_item, duplicate_shipped, wrong_status, bad_handoff, other. */
extern const char *const app_defect_types[];
bool app_defect_type_known(const char *type);

/* Record a downstream defect against an order (id, reporter, time set). */
ordo_code app_defect_report(store_tx *tx, const app_caller *c,
			    order_defect *d, ordo_err *err);

/* ---- review policy (app/policy.c) -------------------------------------- */

/* A policy document decoded from JSON: rule sources ready to compile. */
typedef struct {
	policy_rule_src *src;
	char **whens; /* owned condition texts */
	size_t n;
} app_policy_doc;

/* Decode {"rules": [...]}; every problem in err with its field path. */
ordo_code app_policy_decode(const json_t *doc, app_policy_doc *d,
			    ordo_err *err);
void app_policy_doc_free(app_policy_doc *d);

/* The tenant's active policy, compiled (version 0: the default). */
ordo_code app_policy_load(store_tx *tx, int64_t tenant, policy *p,
			  ordo_err *err);

/* The context an order is judged in (history before its receipt). */
ordo_code app_policy_context(store_tx *tx, const order *o,
			     policy_context *ctx, ordo_err *err);

/* Judge o by the active policy: append one open hold per matching hold
 * rule (not a type already open), unstamped (see app_hold_stamp). */
ordo_code app_policy_judge(store_tx *tx, order *o, ordo_time now,
			   ordo_err *err);

/* Fill a new hold's id (if none), rule id (if none: "<raised_by>.<type>"),
 * priority (if 0) and due date from the tenant's settings, and the policy
 * version in force. */
ordo_code app_hold_stamp(store_tx *tx, int64_t tenant, order_hold *h,
			 ordo_err *err);

/* Check, compile and store doc as the tenant's next policy version. */
ordo_code app_policy_save(store_tx *tx, const app_caller *c,
			  const json_t *doc, policy_version *out,
			  ordo_err *err);

typedef struct {
	int64_t held;  /* orders with at least one policy hold */
	int64_t holds; /* policy holds in all */
	int64_t by_rule[POLICY_MAX_RULES];
	int64_t defects_caught;
	int64_t defects_missed;
} app_sim_side;

typedef struct {
	int64_t orders;
	int64_t mean_handling_s;
	policy active_policy; /* owned */
	app_sim_side candidate;
	app_sim_side active;
} app_sim_result;

/* Replay candidate and the active policy over the orders received in
 * [from, to) (0 = open), in one read transaction. */
ordo_code app_policy_simulate(store *st, const app_caller *c,
			      const policy *candidate, ordo_time from,
			      ordo_time to, app_sim_result *res,
			      ordo_err *err);
void app_sim_result_free(app_sim_result *res);

/* Forget what is past its retention (limits.h): idempotency keys after a
 * day, delivered webhooks after 30 days. */
ordo_code app_purge(store_tx *tx, ordo_time now, int64_t *purged,
		    ordo_err *err);

/* ---- reads (app/queries.c): each in one read transaction --------------- */

ordo_code app_order_get(store *st, const app_caller *c, const char *id,
			order *o, ordo_err *err);
ordo_code app_order_list(store *st, const app_caller *c,
			 const order_filter *f, order_page *page,
			 ordo_err *err);
/* *out is malloc'd; free() it. */
ordo_code app_order_events(store *st, const app_caller *c, const char *id,
			   order_event **out, size_t *n, ordo_err *err);
ordo_code app_sku_list(store *st, const app_caller *c, const char *after,
		       int limit, catalog_sku **out, size_t *n, ordo_err *err);
ordo_code app_location_list(store *st, const app_caller *c, const char *after,
			    int limit, catalog_location **out, size_t *n,
			    ordo_err *err);
/* Every location's stock of one SKU; ORDO_ENOTFOUND for an unknown SKU. */
ordo_code app_stock_of_sku(store *st, const app_caller *c, const char *sku,
			   stock_level **out, size_t *n, ordo_err *err);
ordo_code app_stock_events(store *st, const app_caller *c, const char *sku,
			   const char *location, int64_t before_seq, int limit,
			   stock_event **out, size_t *n, int64_t *next,
			   ordo_err *err);
ordo_code app_fulfillment_get(store *st, const app_caller *c, const char *id,
			      fulfillment *f, ordo_err *err);
ordo_code app_fulfillment_list(store *st, const app_caller *c,
			       const fulfillment_filter *f, fulfillment **out,
			       size_t *n, int64_t *next, ordo_err *err);
ordo_code app_shipment_get(store *st, const app_caller *c, const char *id,
			   shipment *s, ordo_err *err);
ordo_code app_shipment_list(store *st, const app_caller *c,
			    const shipment_filter *f, shipment **out,
			    size_t *n, int64_t *next, ordo_err *err);
ordo_code app_webhook_list(store *st, const app_caller *c, webhook_sub **out,
			   size_t *n, ordo_err *err);
ordo_code app_queue_list(store *st, const app_caller *c, const queue_filter *f,
			 queue_item **out, size_t *n, bool *more,
			 ordo_err *err);
/* ORDO_ENOTFOUND: none saved; the built-in default (version 0) applies. */
ordo_code app_policy_active(store *st, const app_caller *c,
			    policy_version *out, ordo_err *err);
ordo_code app_policy_versions(store *st, const app_caller *c,
			      policy_version **out, size_t *n,
			      ordo_err *err);
ordo_code app_defect_list(store *st, const app_caller *c, const char *type,
			  ordo_time from, ordo_time to, int64_t before_seq,
			  int limit, order_defect **out, size_t *n,
			  int64_t *next, ordo_err *err);
ordo_code app_delivery_list(store *st, const app_caller *c, bool has_status,
			    delivery_status status, int64_t before_seq,
			    int limit, delivery **out, size_t *n,
			    int64_t *next, ordo_err *err);

#endif
