/*
 * store_int.h - the inside of the store: the structs shared by store.c (the
 * committer, opening, migrations), the sql_*.c files (every data operation,
 * written once) and the drivers (sqlite.c, pg.c), and the few functions
 * sql_history.c lends store.c. Nothing outside src/store/ includes this
 * file; the driver interface itself is db.h.
 *
 *     store.h          the public door
 *     store.c          store_open by url, the committer, the migration runner
 *     sql_*.c          every store_* data operation, SQL text + C, by area:
 *       sql_tenants.c      tenants, API keys, settings, named locks
 *       sql_catalog.c      SKUs, locations, stock levels and events
 *       sql_orders.c       orders, their lines and holds
 *       sql_order_list.c   the order list
 *       sql_fulfillment.c  fulfillments
 *       sql_shipments.c    shipments
 *       sql_webhooks.c     webhooks and their subscriptions
 *       sql_outbox.c       outbox events, deliveries, the claim
 *       sql_review.c       holds on their own, review queue, policies
 *       sql_history.c      events, defects, idempotency, purge,
 *                          migration bookkeeping
 *     sql_int.h        what they share: statement numbers, struct q
 *     sql_row.c        struct q: binding, stepping, reading rows
 *     db.h             the driver interface the sql_*.c files and store.c
 *                      call
 *     sqlite.c         the SQLite driver
 *     pg.c             the PostgreSQL driver (libpq)
 */
#ifndef ORDO_STORE_STORE_INT_H
#define ORDO_STORE_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "store/db.h"
#include "store/store.h"

struct store_tx {
	store *st;
	const struct db_driver *db;
	void *conn;    /* the driver's connection object */
	bool writable; /* the committer's transaction, not a read snapshot */
	/* Set by db->error when the transaction failed only because another
	 * one got in its way (serialization failure, deadlock, busy): running
	 * it again could succeed. Cleared by write_begin and read_begin, and
	 * by the committer before each job; a job that fails with it set is
	 * queued again for a later batch (store.c, THE COMMITTER). */
	bool retryable;
	/* Statements opened on this connection so far (q_open_sql), never
	 * reset: store_tx_statements gives tests the count a read makes. */
	int64_t statements;
};

struct store {
	const struct db_driver *db;
	void *impl; /* the driver's state: connections, pools */

	/* The committer: one thread, one queue of jobs. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* queue not empty, or stopping */
	store_job *head;
	store_job *tail;
	/* Jobs submitted to run later (store_submit_after), in no order:
	 * each joins the queue's tail once due, never holding the queue up
	 * meanwhile. */
	store_job *delayed;
	bool stopping;
	bool thread_started;
	pthread_t thread;
	store_commit_stats stats; /* under mu */
};

/* Count an outbox claim and the work it did (store_commit_stats). */
void store_note_claim(store *st, int64_t rows_read);

/* ---- sql_history.c's migration bookkeeping, for the runner in store.c --- */

/* Create the bookkeeping table if it does not exist (write transaction). */
ordo_code sql_migrations_init(store_tx *tx, ordo_err *err);
/* Highest applied version; 0 when the bookkeeping table does not exist. */
ordo_code sql_schema_version(store_tx *tx, int *version, ordo_err *err);

/* Give every order stored before the search index (migration
 * SQL_SEARCH_MIGRATION) its words in it (sql_search.c); the migration job
 * runs it after that migration's script, in its transaction. */
#define SQL_SEARCH_MIGRATION 10
ordo_code sql_search_fill(store_tx *tx, ordo_err *err);
ordo_code sql_migration_mark(store_tx *tx, int version, ordo_time at,
			     ordo_err *err);

#endif
