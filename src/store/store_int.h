/*
 * store_int.h - the inside of the store: the structs shared by store.c
 * (opening, the queue), committer.c (the committers), the sql_*.c files (every data operation,
 * written once) and the drivers (sqlite.c, pg.c), and the few functions
 * sql_history.c lends store.c. Nothing outside src/store/ includes this
 * file; the driver interface itself is db.h.
 *
 *     store.h          the public door
 *     store.c          store_open by url, the queue of writes, read
 *                      snapshots
 *     committer.c      the committers: batches, stock locks, commits
 *     store_migrate.c  the migration runner
 *     sql_*.c          every store_* data operation, SQL text + C, by area:
 *       sql_tenants.c      tenants, API keys, settings, named locks
 *       sql_catalog.c      SKUs, locations, stock levels and events
 *       sql_orders.c       orders, their lines and holds
 *       sql_lookups.c      what intake looks up before it writes
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
 *     pg.c             the PostgreSQL driver (libpq): connections,
 *                      statements, transactions
 *     pg_pipe.c        its errors and deferred statements (pipeline
 *                      mode); pg_int.h what the two share
 */
#ifndef ORDO_STORE_STORE_INT_H
#define ORDO_STORE_STORE_INT_H

#include <pthread.h>
#include <stdbool.h>

#include "store/db.h"
#include "store/store.h"

/*
 * TRANSACTION CACHE. Within one transaction, a few rows are read again and
 * again: every order a batch takes in reads its tenant's settings, asks
 * which webhooks hear of each event it emits, reads the active review
 * policy, and finds its own seq for each event and row it adds. The
 * transaction keeps the answers (sql_cache.c) so that each is read once
 * per batch rather than a dozen times per order.
 *
 * It also keeps the first page of the tenant's locations (every order is
 * routed over them), which locations and SKUs exist (every stock write
 * checks them; neither is ever deleted), the SKUs read (every order's
 * lines are checked against them) and the stock rows of a SKU read for
 * routing, kept true by every stock write made through the transaction
 * (store_stock_put and store_stock_set write them through).
 *
 * What it keeps is true for the whole transaction because nothing else
 * changes it there: the statements that write these rows forget the entry
 * (store_settings_put, store_webhook_insert and _delete,
 * store_policy_insert, store_location_put, store_sku_put), and a job
 * rolled back to its
 * savepoint forgets everything, since what it read after its own writes is
 * gone with them.
 * The cache starts empty at every BEGIN. On PostgreSQL another node may
 * change a setting meanwhile; the batch then works as if it had begun a
 * moment earlier, which no one can tell from outside.
 */
#define TX_CACHE_ORDERS 8
#define TX_CACHE_SUBSCRIBERS 8
#define TX_CACHE_KEYS 128
#define TX_CACHE_SKUS 128
#define TX_CACHE_STOCK 128

struct tx_subscribers {
	int64_t tenant;
	char type[32];
	char location[ORDO_LOCATION_CODE_MAX];
	char skip[ORDO_ID_MAX];
	size_t n;
	char ids[ORDO_WEBHOOKS_MAX][ORDO_ID_MAX];
};

/* Seqs a transaction draws at once (db.h, SEQS DRAWN AHEAD). */
#define TX_SEQS_DRAWN 32

/* The tables whose seqs are drawn ahead. */
enum tx_seq_table { TX_SEQ_ORDERS, TX_SEQ_FULFILLMENTS, TX_SEQ_TABLES };

struct tx_cache {
	bool dirty; /* something was kept since the last reset */
	/* Drawn and not used yet, of each table: the next at
	 * seqs[next]. */
	struct {
		int64_t seqs[TX_SEQS_DRAWN];
		unsigned n, next;
	} drawn[TX_SEQ_TABLES];
	bool has_settings;
	int64_t settings_tenant;
	tenant_settings settings;

	bool has_policy; /* policy (or its absence) of policy_tenant */
	bool policy_found;
	int64_t policy_tenant;
	policy_version policy;

	struct {
		int64_t tenant; /* 0: empty */
		char id[ORDO_ID_MAX];
		int64_t seq;
	} orders[TX_CACHE_ORDERS];
	unsigned next_order;

	struct tx_subscribers subscribers[TX_CACHE_SUBSCRIBERS];
	unsigned n_subscribers, next_subscribers;

	/* The first page (after "") of locations of locations_tenant, read
	 * with locations_limit. */
	bool has_locations;
	int64_t locations_tenant;
	int locations_limit;
	catalog_location *locations;
	size_t n_locations;

	/* Keys found to exist (require_key): statement, tenant, key. */
	struct {
		unsigned id; /* 0: empty */
		int64_t tenant;
		char key[ORDO_SKU_MAX];
	} keys[TX_CACHE_KEYS];
	unsigned next_key;

	struct {
		int64_t tenant; /* 0: empty */
		catalog_sku sku;
	} skus[TX_CACHE_SKUS];
	unsigned next_sku;

	/* The stock rows of a SKU (store_stock_of_sku), each list owned. */
	struct {
		int64_t tenant; /* 0: empty */
		char sku[ORDO_SKU_MAX];
		stock_level *rows;
		size_t n;
	} stock[TX_CACHE_STOCK];
	unsigned next_stock;
};

/*
 * ROWS WRITTEN AT THE BATCH'S END (sql_kept.c). A new order's search
 * words, which nothing in the transaction reads back, are kept in the
 * transaction and written with the batch's others by one statement, just
 * before the commit (tx_kept_finish). SQLite's FTS5 index writes what it
 * holds as a segment of its own at every savepoint, which the committer
 * opens for each job: words written with each order cost a segment (and
 * its merging) per order; kept, one per batch. (An order's events, kept
 * the same way, cost the same as written one by one on both databases:
 * they are not.) A job that is rolled back takes its rows with it
 * (tx_kept_job_undo); a statement about an order whose words are still
 * kept writes them first (sql_kept_needed); once TX_KEPT rows wait, they
 * are written at once. Once written, the rows of the earlier jobs are
 * kept until the running job stands (a rollback of it unwrites them: kept
 * again); its own are dropped. A kept row whose write fails at the
 * batch's end fails the whole batch, as a failed commit does: its rows
 * are the store's own (an order's seq, its words), which no caller's
 * input can make fail.
 */
#define TX_KEPT 256

struct tx_kept {
	struct {
		int64_t seq; /* the order's */
		char *json;  /* its values, a JSON array; owned */
		/* 0 while kept; once written, the number of the job that
		 * wrote it, which a rollback of that job undoes. */
		unsigned written_by;
	} rows[2 * TX_KEPT]; /* the earlier jobs', then the running one's */
	unsigned n;	     /* rows */
	unsigned mark;	     /* rows before the running job's */
	unsigned job;	     /* the running job's number; 0 outside a job */
};

struct store_tx {
	store *st;
	const struct db_driver *db;
	void *conn;    /* the driver's connection object */
	bool writable; /* the committer's transaction, not a read snapshot */
	/* Set by db->error when the transaction failed only because another
	 * one got in its way (serialization failure, deadlock, busy): running
	 * it again could succeed. Cleared by write_begin and read_begin, and
	 * by the committer before each job; a job that fails with it set is
	 * queued again for a later batch (committer.c, THE COMMITTER). */
	bool retryable;
	/* Statements opened on this connection so far (q_open_sql), never
	 * reset: store_tx_statements gives tests the count a read makes. */
	int64_t statements;
	/* Waits for the database's answers on this connection (network
	 * round trips: a statement run at once, the deferred ones read
	 * together, a transaction command; not the session's setup nor a
	 * statement's preparing, once per session), never reset; none on
	 * SQLite, which answers in the same process. */
	int64_t round_trips;
	struct tx_cache cache;
	struct tx_kept kept;
	/* A new order of the running job, kept to be inserted once, or
	 * NULL (sql_orders.c, AN ORDER WRITTEN ONCE); owned. */
	order *pending;
	/* What store_intake_lookup answered for the running job, until it
	 * inserts an order or ends (sql_lookups.c). */
	struct tx_lookups {
		bool valid;
		int64_t tenant;
		char channel[ORDO_CHANNEL_MAX];
		char external_id[ORDO_EXTERNAL_ID_MAX];
		char by_external[ORDO_ID_MAX]; /* "": none */
		bool by_content;	       /* the content was looked up */
		char fingerprint[65];
		ordo_time since;
		char by_fingerprint[ORDO_ID_MAX]; /* "": none */
		char customer_key[ORDO_EMAIL_MAX];
		ordo_time before;
		int64_t orders, defects;
	} lookups;
};

/* A SKU's stock in a tenant, as a batch locks it (committer.c, STOCK LOCKS). */
struct stock_key {
	int64_t tenant;
	const char *sku; /* the job's own, valid while the job is */
};

struct stock_keys {
	struct stock_key *v;
	size_t n, cap;
};

/* One committer thread and the driver's writer connection it uses. */
struct committer {
	store *st;
	int writer; /* 0 .. n_committers - 1 */
	pthread_t thread;
	bool started;
	/* The stock its batch locks, sorted, from when the batch is taken
	 * until it has committed (under store.mu; STOCK LOCKS). */
	struct stock_keys keys;
	/* While a batch is taken: the stock of the jobs left queued, which
	 * the jobs behind them must not take first. */
	struct stock_keys blocked;
	/* Its writer's round trips counted into the statistics so far. */
	int64_t trips_seen;
	/* Its batch counts in store.running (under store.mu). */
	bool running;
};

struct store {
	const struct db_driver *db;
	void *impl; /* the driver's state: connections, pools */

	/* The committers (THE COMMITTERS): their threads, one queue of
	 * jobs. */
	pthread_mutex_t mu;
	pthread_cond_t cv; /* queue not empty, or stopping */
	store_job *head;
	store_job *tail;
	/* Jobs submitted to run later (store_submit_after), in no order:
	 * each joins the queue's tail once due, never holding the queue up
	 * meanwhile. */
	store_job *delayed;
	bool stopping;
	struct committer committers[STORE_WRITERS_MAX + 1];
	int n_committers;
	/* Batches running their jobs now, and how many may at once
	 * (store_options.writers); a batch committing counts no more. */
	int running, running_max;
	store_commit_stats stats; /* under mu */
};

/* sql_cache.c: the transaction cache (TRANSACTION CACHE above). */
void tx_cache_reset(store_tx *tx);
bool tx_cache_settings(store_tx *tx, int64_t tenant, tenant_settings *out);
void tx_cache_put_settings(store_tx *tx, int64_t tenant,
			   const tenant_settings *s);
void tx_cache_forget_settings(store_tx *tx);
/* true when the tenant's active policy is known: *found says whether there
 * is one, and then out receives a copy (ORDO_ENOMEM in *rc otherwise). */
bool tx_cache_policy(store_tx *tx, int64_t tenant, bool *found,
		     policy_version *out, ordo_code *rc, ordo_err *err);
void tx_cache_put_policy(store_tx *tx, int64_t tenant,
			 const policy_version *v);
void tx_cache_forget_policy(store_tx *tx);
bool tx_cache_order_seq(store_tx *tx, int64_t tenant, const char *id,
			int64_t *seq);
void tx_cache_put_order_seq(store_tx *tx, int64_t tenant, const char *id,
			    int64_t seq);
const struct tx_subscribers *tx_cache_subscribers(store_tx *tx,
						  int64_t tenant,
						  const char *type,
						  const char *location,
						  const char *skip);
void tx_cache_put_subscribers(store_tx *tx, const struct tx_subscribers *s);
void tx_cache_forget_subscribers(store_tx *tx);
/* A copy of the first page of locations (*out, free()), when known. */
bool tx_cache_locations(store_tx *tx, int64_t tenant, int limit,
			catalog_location **out, size_t *n);
void tx_cache_put_locations(store_tx *tx, int64_t tenant, int limit,
			    const catalog_location *items, size_t n);
void tx_cache_forget_locations(store_tx *tx);
bool tx_cache_key_exists(store_tx *tx, unsigned id, int64_t tenant,
			 const char *key);
void tx_cache_put_key(store_tx *tx, unsigned id, int64_t tenant,
		      const char *key);
bool tx_cache_sku(store_tx *tx, int64_t tenant, const char *sku,
		  catalog_sku *out);
void tx_cache_put_sku(store_tx *tx, int64_t tenant, const catalog_sku *s);
void tx_cache_forget_skus(store_tx *tx);
/* A copy (*out, free()) of the SKU's stock rows, when known. */
bool tx_cache_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			   stock_level **out, size_t *n);
void tx_cache_put_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			       const stock_level *rows, size_t n);
/* A stock row as just written: the known list of its SKU follows it (or
 * is forgotten when the row is new to it). */
void tx_cache_stock_written(store_tx *tx, int64_t tenant,
			    const stock_level *level);

/* Count a checkpoint made off the committer's thread (sqlite.c). */
void store_note_checkpoint(store *st);

/* Count an outbox claim and the work it did (store_commit_stats). */
void store_note_claim(store *st, int64_t rows_read);

/* ---- sql_history.c's migration bookkeeping, for store_migrate.c ------- */

/* Create the bookkeeping table if it does not exist (write transaction). */
/* Lock the stock rows of n SKUs (sorted, distinct) of a tenant, in the
 * order of (sku, location): STOCK LOCKS in committer.c. */
/* committer.c: the thread of one committer (arg: its struct committer),
 * and nanoseconds on the monotonic clock, which the queue's due times
 * (store_job.due_ns) and condition waits use. */
void *committer_main(void *arg);
int64_t committer_now_ns(void);

/* AN ORDER WRITTEN ONCE (sql_orders.c): the running job's new order
 * inserted now, or dropped with the job. */
ordo_code sql_order_pending_write(store_tx *tx, ordo_err *err);
void sql_order_pending_drop(store_tx *tx);
/* The job's INTAKE'S LOOKUPS forgotten (sql_lookups.c). */
void sql_lookups_forget(store_tx *tx);
ordo_code sql_stock_lock(store_tx *tx, int64_t tenant,
			 const char *const *skus, size_t n, ordo_err *err);
ordo_code sql_migrations_init(store_tx *tx, ordo_err *err);
/* Highest applied version; 0 when the bookkeeping table does not exist. */
ordo_code sql_schema_version(store_tx *tx, int *version, ordo_err *err);

/* Give every order stored before the search index (migration
 * SQL_SEARCH_MIGRATION) its words in it (sql_search.c); the migration job
 * runs it after that migration's script, in its transaction. */
#define SQL_SEARCH_MIGRATION 10
ordo_code sql_search_fill(store_tx *tx, ordo_err *err);

/* The committer's marks of the rows kept for the batch's end (ROWS
 * WRITTEN AT THE BATCH'S END above): a job begins, stands (released) or
 * is undone (rolled back to its savepoint); the batch's end writes what
 * is kept (before the commit), and tx_kept_forget drops it all (a
 * transaction begun or abandoned). */
void tx_kept_job_begin(store_tx *tx);
void tx_kept_job_kept(store_tx *tx);
void tx_kept_job_undo(store_tx *tx);
ordo_code tx_kept_finish(store_tx *tx, ordo_err *err);
void tx_kept_forget(store_tx *tx);
ordo_code sql_migration_mark(store_tx *tx, int version, ordo_time at,
			     ordo_err *err);

#endif
