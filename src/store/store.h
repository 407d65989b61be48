/*
 * store.h - the one door to storage.
 *
 * Everything ordo keeps goes through the functions below; nothing above this
 * layer knows SQL or which backend answers. Each function is written once
 * (sql.c) over a small database driver (db.h; sqlite.c, pg.c later) that
 * store_open chooses by the url.
 *
 * TRANSACTIONS AND GROUP COMMIT
 *
 * Every write is a job: a function that runs inside a transaction and either
 * succeeds or leaves nothing behind. Jobs are handed to the store's committer
 * thread, which runs as many queued jobs as it has (up to
 * ORDO_COMMIT_BATCH_MAX) in one transaction, each inside its own savepoint,
 * then commits once - one fsync for the whole batch. A job that fails is
 * rolled back to its savepoint and does not disturb the others. Each job's
 * done callback is called only after its batch is durable (or has failed), so
 * a caller acknowledges a request only once it is safe on disk.
 *
 *     submit -> queue -> [BEGIN; SAVEPOINT; job1; RELEASE; SAVEPOINT; job2;
 *                         ... ; COMMIT (fsync)] -> done(job1), done(job2), ...
 *
 * Reads take a transaction of their own from a small pool of read
 * connections (store_read_begin / store_read_end); they see a consistent
 * snapshot and never wait for the writer.
 *
 * OWNERSHIP
 *
 * Functions that fill caller structs copy into them; anything they allocate
 * (order lines and holds, event arrays, idempotency bodies, pages) is owned by
 * the caller and freed with the named free function. Errors: ORDO_ENOTFOUND
 * for a missing row, ORDO_ECONFLICT for a unique key already taken,
 * ORDO_ESTORAGE for everything the database itself refused.
 *
 * TENANCY
 *
 * Every function that touches tenant data takes the tenant id and scopes its
 * query by it; a row of another tenant is ORDO_ENOTFOUND, never an answer.
 */
#ifndef ORDO_STORE_STORE_H
#define ORDO_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/err.h"
#include "core/order.h"

typedef struct store store;
typedef struct store_tx store_tx;

/* ---- opening, migrations ---------------------------------------------- */

typedef struct {
	/* Read connections kept open; reads beyond this wait for one. */
	int read_pool_size;
	/* How long a job may wait for the database lock before failing. */
	int busy_timeout_ms;
} store_options;

#define STORE_OPTIONS_DEFAULT {.read_pool_size = 8, .busy_timeout_ms = 5000}

/*
 * Open the store named by url: a file path (SQLite), optionally written
 * "sqlite:PATH". Does not migrate. *out is freed with store_close.
 */
ordo_code store_open(const char *url, const store_options *opts, store **out,
		     ordo_err *err);

/* Stop the committer (after finishing queued jobs) and close everything. */
void store_close(store *st);

/*
 * Apply every migration not yet applied, each in its own transaction, and
 * report how many ran and the version reached. Safe to run again.
 */
ordo_code store_migrate(store *st, int *applied, int *version, ordo_err *err);

/* Schema version currently applied (0 for an empty database). */
ordo_code store_schema_version(store *st, int *version, ordo_err *err);

/* ---- writes: jobs and group commit ------------------------------------- */

typedef ordo_code (*store_job_fn)(store_tx *tx, void *arg, ordo_err *err);
typedef void (*store_done_fn)(void *arg, ordo_code rc, const ordo_err *err);

typedef struct store_job {
	store_job_fn run;
	store_done_fn done; /* called from the committer thread */
	void *arg;
	/* owned by the store while queued */
	ordo_code rc;
	ordo_err err;
	struct store_job *next;
} store_job;

/*
 * Queue a job; job must stay valid until done is called. done is called
 * exactly once, after the batch holding the job is durable (rc ORDO_OK) or
 * failed (rc and err set; nothing of the job is stored).
 */
void store_submit(store *st, store_job *job);

/* Run one job and wait until it is durable. */
ordo_code store_write(store *st, store_job_fn fn, void *arg, ordo_err *err);

/* Statistics of the committer, for tests and /metrics. */
typedef struct {
	uint64_t jobs;
	uint64_t commits;
	uint64_t max_batch;
} store_commit_stats;

void store_commit_stats_get(store *st, store_commit_stats *out);

/* ---- reads ------------------------------------------------------------- */

ordo_code store_read_begin(store *st, store_tx **tx, ordo_err *err);
void store_read_end(store_tx *tx);

/* ---- tenants and API keys ---------------------------------------------- */

typedef struct {
	int64_t id;
	char slug[ORDO_SLUG_MAX];
	int64_t dup_window_s; /* duplicate-content window */
	ordo_time created_at;
} store_tenant;

/* Insert t (slug, dup_window_s, created_at); sets t->id. ORDO_ECONFLICT if
 * the slug is taken. */
ordo_code store_tenant_insert(store_tx *tx, store_tenant *t, ordo_err *err);
ordo_code store_tenant_by_slug(store_tx *tx, const char *slug, store_tenant *t,
			       ordo_err *err);
ordo_code store_tenant_by_id(store_tx *tx, int64_t id, store_tenant *t,
			     ordo_err *err);

#define ORDO_ROLE_MAX 16

typedef struct {
	int64_t id;
	int64_t tenant_id;
	char name[ORDO_NAME_MAX];
	char role[ORDO_ROLE_MAX];
	char key_hash[65]; /* hex SHA-256 of the whole key; the key is never kept */
	ordo_time created_at;
} store_api_key;

/* Insert k; sets k->id. ORDO_ECONFLICT if the hash exists. */
ordo_code store_api_key_insert(store_tx *tx, store_api_key *k, ordo_err *err);
ordo_code store_api_key_by_hash(store_tx *tx, const char *key_hash,
				store_api_key *k, ordo_err *err);

/* ---- catalog: SKUs, locations, stock ----------------------------------- */

/* Insert or replace by (tenant, sku). */
ordo_code store_sku_put(store_tx *tx, int64_t tenant, const catalog_sku *s,
			ordo_err *err);
ordo_code store_sku_get(store_tx *tx, int64_t tenant, const char *sku,
			catalog_sku *s, ordo_err *err);

/* Pages are ordered by key ascending; `after` is the last key of the previous
 * page ("" for the first); limit is 1..STORE_LIST_MAX, which is one more than
 * a page so that a caller can ask for a page and one row to learn whether
 * another page follows. *out is malloc'd; free() it. */
#define STORE_LIST_MAX (ORDO_PAGE_MAX + 1)
ordo_code store_sku_list(store_tx *tx, int64_t tenant, const char *after,
			 int limit, catalog_sku **out, size_t *n, ordo_err *err);

ordo_code store_location_put(store_tx *tx, int64_t tenant,
			     const catalog_location *l, ordo_err *err);
ordo_code store_location_get(store_tx *tx, int64_t tenant, const char *code,
			     catalog_location *l, ordo_err *err);
ordo_code store_location_list(store_tx *tx, int64_t tenant, const char *after,
			      int limit, catalog_location **out, size_t *n,
			      ordo_err *err);

/*
 * Set the counted on_hand of (location, sku); reserved and safety stock are
 * kept (a new row starts with both zero). ORDO_ENOTFOUND names "location" or
 * "sku" when either is unknown to the tenant. On success *level holds the row
 * as stored.
 */
ordo_code store_stock_set(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, int64_t on_hand, ordo_time now,
			  stock_level *level, ordo_err *err);
ordo_code store_stock_get(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, stock_level *level, ordo_err *err);

/* ---- orders ------------------------------------------------------------ */

/*
 * Insert a new order with its lines and holds (ids already assigned by the
 * caller); sets o->seq. ORDO_ECONFLICT if (tenant, channel, external_id) or
 * the order id already exists.
 */
ordo_code store_order_insert(store_tx *tx, order *o, ordo_err *err);

/* Load an order with its lines and holds into o (order_init'ed by caller;
 * free with order_free). */
ordo_code store_order_get(store_tx *tx, int64_t tenant, const char *id,
			  order *o, ordo_err *err);

/* The id of the order with this channel and external id, if any. */
ordo_code store_order_find_external(store_tx *tx, int64_t tenant,
				    const char *channel,
				    const char *external_id,
				    char id_out[ORDO_ID_MAX], ordo_err *err);

/* The id of the most recently received order with this content fingerprint
 * received at or after `since`, if any. */
ordo_code store_order_find_fingerprint(store_tx *tx, int64_t tenant,
				       const char *fingerprint,
				       ordo_time since,
				       char id_out[ORDO_ID_MAX],
				       ordo_err *err);

/* Write the order's header state and updated_at (lines and holds are
 * written by their own functions). */
ordo_code store_order_set_state(store_tx *tx, int64_t tenant, const char *id,
				order_state state, ordo_time now,
				ordo_err *err);

typedef struct {
	bool has_state;
	order_state state;
	char channel[ORDO_CHANNEL_MAX];		/* "" = any */
	bool has_hold_type;			/* orders with an open hold of */
	hold_type hold_type;			/* this type */
	char external_id[ORDO_EXTERNAL_ID_MAX]; /* "" = any */
	ordo_time received_from;		/* inclusive; 0 = open */
	ordo_time received_to;			/* exclusive; 0 = open */
	int64_t before_seq;			/* cursor; 0 = first page */
	int limit;				/* 1..ORDO_PAGE_MAX */
} order_filter;

typedef struct {
	order *orders; /* each with lines and holds loaded */
	size_t n;
	int64_t next_before_seq; /* 0 when this is the last page */
} order_page;

/* Newest first (seq descending). */
ordo_code store_order_list(store_tx *tx, int64_t tenant, const order_filter *f,
			   order_page *page, ordo_err *err);
void order_page_free(order_page *page);

/* ---- events (the order timeline) --------------------------------------- */

/* Append ev to the order's timeline; sets ev->seq. */
ordo_code store_event_append(store_tx *tx, int64_t tenant,
			     const char *order_id, order_event *ev,
			     ordo_err *err);

/* All events of one order, oldest first. ORDO_ENOTFOUND if the order is not
 * the tenant's. *out is malloc'd; free() it. */
ordo_code store_event_list(store_tx *tx, int64_t tenant, const char *order_id,
			   order_event **out, size_t *n, ordo_err *err);

/* ---- idempotency ------------------------------------------------------- */

typedef struct {
	char key[ORDO_IDEMPOTENCY_KEY_MAX];
	char request_hash[65]; /* hex SHA-256 of method, path and body */
	int status;	       /* the first response's status */
	char *body;	       /* the first response's body; owned */
	ordo_time created_at;
} store_idempotency;

ordo_code store_idempotency_get(store_tx *tx, int64_t tenant, const char *key,
				store_idempotency *rec, ordo_err *err);
/* ORDO_ECONFLICT if the key is taken. */
ordo_code store_idempotency_put(store_tx *tx, int64_t tenant,
				const store_idempotency *rec, ordo_err *err);
void store_idempotency_free(store_idempotency *rec);

#endif
