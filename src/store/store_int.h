/*
 * store_int.h - the inside of the store: the backend method table and the
 * structs shared by store.c and the backends (sqlite.c; pg.c later). Nothing
 * outside src/store/ includes this file.
 *
 * SHAPE
 *
 *     store_order_get(tx, ...)            store.c: thin wrapper
 *         -> tx->be->order_get(tx, ...)   backend: SQL on tx->conn
 *
 * A backend owns its connections. It keeps one writer connection, which only
 * the committer thread (store.c) uses, through write_begin / savepoint /
 * release / rollback_to / commit / rollback, and a pool of read connections
 * handed out by read_begin and taken back by read_end. Each connection
 * carries a store_tx of its own (so beginning a transaction never
 * allocates); tx->conn points back at the backend's connection object.
 *
 * The committer's protocol for one batch, with the methods it calls:
 *
 *     write_begin                       BEGIN IMMEDIATE (SQLite) / BEGIN
 *     for each job:
 *         savepoint                     SAVEPOINT job
 *         job->run(tx, ...)
 *         release | rollback_to         RELEASE job | ROLLBACK TO job; RELEASE
 *     commit                            COMMIT (one fsync for the batch)
 *     (rollback if anything in the transaction control failed)
 *
 * Transaction control failing (not a job failing) means the transaction can
 * no longer be trusted; the committer then rolls back the whole batch.
 *
 * MIGRATIONS
 *
 * Each backend brings its own embedded, sorted list of migration scripts
 * ("0001_init.sql": the version is the leading number) and three small
 * methods the backend-independent runner in store.c needs: run a fixed
 * script, read the highest applied version (0 when the bookkeeping table
 * does not exist yet) and record a version as applied.
 */
#ifndef ORDO_STORE_STORE_INT_H
#define ORDO_STORE_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "embedded.h"
#include "store/store.h"

struct store_tx {
	store *st;
	const struct store_backend *be;
	void *conn;    /* the backend's connection object */
	bool writable; /* the committer's transaction, not a read snapshot */
};

struct store_backend {
	const char *name;

	/*
	 * Open the database named by target (the url without its scheme
	 * prefix, for SQLite the file path) and set st->impl. On failure
	 * everything opened so far is closed again.
	 */
	ordo_code (*open)(store *st, const char *target,
			  const store_options *opts, ordo_err *err);
	/* Close every connection and free st->impl. No transaction is open. */
	void (*close)(store *st);

	/* ---- the writer; called from the committer thread only ---------- */
	ordo_code (*write_begin)(store *st, store_tx **tx, ordo_err *err);
	ordo_code (*savepoint)(store_tx *tx, ordo_err *err);
	ordo_code (*release)(store_tx *tx, ordo_err *err);
	ordo_code (*rollback_to)(store_tx *tx, ordo_err *err);
	ordo_code (*commit)(store_tx *tx, ordo_err *err);
	void (*rollback)(store_tx *tx);

	/* ---- read snapshots from the pool ------------------------------- */
	ordo_code (*read_begin)(store *st, store_tx **tx, ordo_err *err);
	void (*read_end)(store_tx *tx);

	/* ---- migrations -------------------------------------------------- */
	void (*migrations)(const struct ordo_embedded **list, size_t *n);
	/* Run a fixed script of one or more statements (no parameters). */
	ordo_code (*exec_script)(store_tx *tx, const char *sql, ordo_err *err);
	ordo_code (*schema_version)(store_tx *tx, int *version, ordo_err *err);
	ordo_code (*migration_mark)(store_tx *tx, int version, ordo_time at,
				    ordo_err *err);

	/* ---- data: one method per function of store.h ------------------- */
	ordo_code (*tenant_insert)(store_tx *tx, store_tenant *t,
				   ordo_err *err);
	ordo_code (*tenant_by_slug)(store_tx *tx, const char *slug,
				    store_tenant *t, ordo_err *err);
	ordo_code (*tenant_by_id)(store_tx *tx, int64_t id, store_tenant *t,
				  ordo_err *err);
	ordo_code (*api_key_insert)(store_tx *tx, store_api_key *k,
				    ordo_err *err);
	ordo_code (*api_key_by_hash)(store_tx *tx, const char *key_hash,
				     store_api_key *k, ordo_err *err);

	ordo_code (*sku_put)(store_tx *tx, int64_t tenant, const catalog_sku *s,
			     ordo_err *err);
	ordo_code (*sku_get)(store_tx *tx, int64_t tenant, const char *sku,
			     catalog_sku *s, ordo_err *err);
	ordo_code (*sku_list)(store_tx *tx, int64_t tenant, const char *after,
			      int limit, catalog_sku **out, size_t *n,
			      ordo_err *err);
	ordo_code (*location_put)(store_tx *tx, int64_t tenant,
				  const catalog_location *l, ordo_err *err);
	ordo_code (*location_get)(store_tx *tx, int64_t tenant,
				  const char *code, catalog_location *l,
				  ordo_err *err);
	ordo_code (*location_list)(store_tx *tx, int64_t tenant,
				   const char *after, int limit,
				   catalog_location **out, size_t *n,
				   ordo_err *err);
	ordo_code (*stock_set)(store_tx *tx, int64_t tenant,
			       const char *location, const char *sku,
			       int64_t on_hand, ordo_time now,
			       stock_level *level, ordo_err *err);
	ordo_code (*stock_get)(store_tx *tx, int64_t tenant,
			       const char *location, const char *sku,
			       stock_level *level, ordo_err *err);

	ordo_code (*order_insert)(store_tx *tx, order *o, ordo_err *err);
	ordo_code (*order_get)(store_tx *tx, int64_t tenant, const char *id,
			       order *o, ordo_err *err);
	ordo_code (*order_find_external)(store_tx *tx, int64_t tenant,
					 const char *channel,
					 const char *external_id,
					 char id_out[ORDO_ID_MAX],
					 ordo_err *err);
	ordo_code (*order_find_fingerprint)(store_tx *tx, int64_t tenant,
					    const char *fingerprint,
					    ordo_time since,
					    char id_out[ORDO_ID_MAX],
					    ordo_err *err);
	ordo_code (*order_set_state)(store_tx *tx, int64_t tenant,
				     const char *id, order_state state,
				     ordo_time now, ordo_err *err);
	ordo_code (*order_list)(store_tx *tx, int64_t tenant,
				const order_filter *f, order_page *page,
				ordo_err *err);

	ordo_code (*event_append)(store_tx *tx, int64_t tenant,
				  const char *order_id, order_event *ev,
				  ordo_err *err);
	ordo_code (*event_list)(store_tx *tx, int64_t tenant,
				const char *order_id, order_event **out,
				size_t *n, ordo_err *err);

	ordo_code (*idempotency_get)(store_tx *tx, int64_t tenant,
				     const char *key, store_idempotency *rec,
				     ordo_err *err);
	ordo_code (*idempotency_put)(store_tx *tx, int64_t tenant,
				     const store_idempotency *rec,
				     ordo_err *err);
};

struct store {
	const struct store_backend *be;
	void *impl; /* the backend's state: connections, pools */

	/* The committer: one thread, one queue of jobs. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* queue not empty, or stopping */
	store_job *head;
	store_job *tail;
	bool stopping;
	bool thread_started;
	pthread_t thread;
	store_commit_stats stats; /* under mu */
};

/* The backends store.c can dispatch to. */
extern const struct store_backend store_backend_sqlite;

#endif
