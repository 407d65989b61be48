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

#include <stdbool.h>

#include "core/catalog.h"
#include "core/order.h"
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

#define APP_API_KEY_MAX 80

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
ordo_code app_stock_count(store_tx *tx, const app_caller *c,
			  const char *location, const char *sku,
			  int64_t on_hand, stock_level *level, ordo_err *err);

/* ---- order intake (app/intake.c) --------------------------------------- */

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

#endif
