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
 *     sqlite_faults.c  for tests only: a VFS that fills or fails the disk
 *                      under it on demand (ORDO_TEST_IO_FAULTS)
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
 * its merging) per order; kept, one per batch. (An order's events are
 * kept for their job's end only: sql_history.c, EVENTS WRITTEN
 * TOGETHER.) A job that is rolled back takes its rows with it
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

/*
 * METRIC ROLLUPS KEPT FOR THE BATCH'S END (sql_rollups.c). What a write
 * counts (store_tally, store_gauge_add) is kept in the transaction, added
 * up by row, and written by one statement per table just before the
 * commit, its rows in one order: the rows every order of a tenant counts
 * in (its hour, its day) are then locked once per batch, for the commit
 * only, and in the same order by every node. A job that is rolled back
 * takes its counts with it (tx_kept_job_undo).
 */
struct tx_tally_row {
	int64_t tenant;
	bool gauge; /* metric_gauges (at: the hour), else metric_rollups */
	int64_t at;
	int bin;
	int64_t n;
	char scope[48];
	char metric[64];
	char key[ORDO_ACTOR_MAX];
};
struct tx_tally {
	struct tx_tally_row *rows; /* owned */
	size_t n, cap;
	size_t mark; /* rows before the running job's */
	/* What the batch written by tx_tally_finish raised and resolved of
	 * holds, by tenant and type: counted by the committer once its
	 * commit stands (tx_tally_committed). Owned. */
	struct tx_holds_done {
		int64_t tenant;
		int type;
		int64_t raised, resolved;
	} *done;
	size_t n_done, cap_done;
	/* And the orders it took in, by tenant and channel. Owned. */
	struct tx_intake_done {
		int64_t tenant;
		char channel[ORDO_CHANNEL_MAX];
		int64_t orders;
	} *intake;
	size_t n_intake, cap_intake;
};
/* Write what is kept (before the commit) and forget it. */
ordo_code tx_tally_finish(store_tx *tx, ordo_err *err);
void tx_tally_forget(store_tx *tx);
/* The batch committed: count its holds into st's (committed true), or
 * not (false); either way they are forgotten. */
void tx_tally_committed(store *st, store_tx *tx, bool committed);

/* A job's order events kept at most before they are written
 * (sql_history.c, EVENTS WRITTEN TOGETHER): one statement's rows
 * (sql_int.h, ROWS IN ONE STATEMENT). */
#define TX_EVENTS 16

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

/*
 * STOCK WRITTEN AT THE BATCH'S END (sql_stock.c). On a backend with row
 * locks, a batch of another node's that locks a popular SKU's stock holds
 * it until it commits: locked from the batch's start, every order on that
 * SKU, on every node, waits for the whole batch before it. So a batch
 * (unless run exact, below) reads stock without locking it and keeps what
 * its jobs change of each row as a change (on hand, reserved, safety
 * stock) over the row as it read it; the jobs see the row with the
 * batch's changes made. A job's stock events are kept too. At the batch's
 * end, just before its commit, it locks the rows it read (STOCK LOCKS'
 * one order and statement), checks that each still holds with its changes
 * made to the row as it is now (for a SKU a job found too little of, no
 * more of it free than the jobs saw, at no location new to them: the job
 * would now find enough, and a count that added the stock looked for the
 * orders waiting for it before this batch's were stored; reserved within
 * on hand; what the batch reserved or took still free of others'
 * reservations and safety stock;
 * the tenant's low-stock threshold crossed exactly when the jobs saw it
 * crossed, since app_stock_change sends stock.low on what they saw) and
 * writes those it changed, then its stock events, each event's levels moved by what
 * others changed of its row since it was read. The rows are then locked
 * from the batch's end to its commit only.
 *
 * Should a check fail (another transaction took the stock meanwhile), the
 * batch is rolled back and run again exact: its stock locked before its
 * first job, read and written as it stands (committer.c). So is a batch
 * holding a job that sets stock to what it counts (store_job.stock_exact,
 * or, unflagged, its first run failing in store_stock_exact), whose writes
 * are not changes to what it read. A job rolled back to its
 * savepoint takes its changes and events with it.
 */
struct tx_stock_row {
	int64_t tenant;
	stock_level base; /* as read; updated_at: the latest written */
	int64_t d_on_hand, d_reserved, d_safety; /* the batch's changes */
	bool reserves; /* some change of it reserved more */
	/* A job found too little of its SKU (store_stock_short). A row of
	 * location "" marks the SKU so: its rows made or added to by others
	 * meanwhile run the batch again. */
	bool short_of;
	/* The above before the running job's first change, which undo
	 * restores; job: the job that saved them (0: none). */
	int64_t s_on_hand, s_reserved, s_safety, s_updated_at;
	bool s_reserves;
	unsigned job;
};

struct tx_stock {
	bool deltas;   /* this batch writes its stock at its end */
	bool conflict; /* its end found stock taken: run it again exact */
	struct tx_stock_row *rows;
	size_t n, cap;
	/* rows by (tenant, location, sku): open addressing, each slot a
	 * row's index + 1 (0: empty); index_cap a power of 2, twice cap */
	size_t *index, index_cap;
	struct tx_stock_event {
		int64_t tenant;
		size_t row; /* its row in rows */
		stock_event ev;
	} *events;
	size_t n_events, cap_events;
	size_t mark; /* events before the running job's */
	uint64_t reruns; /* batches run again exact, never reset */
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
	/* The running job's number (committer.c; 0 between jobs) and
	 * whether a statement deferred by an earlier one failed, found only
	 * now: the jobs did not wait for their deferred statements' answers
	 * at their end, and the batch runs again, waiting (pg_pipe.c). */
	unsigned job;
	bool late_failure;
	struct tx_cache cache;
	struct tx_kept kept;
	struct tx_tally tally;
	struct tx_stock stock;
	/* A new order of the running job, kept to be inserted once, or
	 * NULL (sql_orders.c, AN ORDER WRITTEN ONCE); owned. */
	order *pending;
	/* The running job's order events not yet written (sql_history.c,
	 * EVENTS WRITTEN TOGETHER), each with its tenant and order. */
	struct tx_events {
		struct tx_event {
			int64_t tenant, order_seq;
			order_event ev;
		} rows[TX_EVENTS];
		unsigned n;
	} events;
	/* A BATCH'S LOOKUPS (sql_lookups.c): what each intake job of the
	 * batch said it will look up, and the answers, asked at the batch's
	 * start; the keys of the orders its jobs have inserted since; stale
	 * once a job changed what other answers depend on. */
	struct tx_prefetch {
		struct tx_prefetched {
			const void *job; /* its store_job */
			store_intake_keys keys;
			char by_external[ORDO_ID_MAX];
			char by_fingerprint[ORDO_ID_MAX];
			ordo_time fingerprint_at; /* by_fingerprint's */
			int64_t fingerprint_seq;
			int64_t orders, defects;
			bool answered;
		} *rows;
		size_t n, cap;
		const struct tx_prefetched *running; /* the running job's */
		struct tx_inserted {
			unsigned job; /* tx.job that inserted it */
			char id[ORDO_ID_MAX];
			int64_t seq;
			ordo_time received_at;
			int64_t tenant;
			char channel[ORDO_CHANNEL_MAX];
			char external_id[ORDO_EXTERNAL_ID_MAX];
			char fingerprint[65];
			char customer_key[ORDO_EMAIL_MAX];
		} *inserted;
		size_t n_inserted, cap_inserted;
		bool stale;
	} prefetch;
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
	/* Holds raised and resolved as committed (store_hold_counts_get),
	 * under mu: the first STORE_HOLD_COUNT_TENANTS tenants seen, then
	 * one row of tenant_id 0 for the others. */
	store_hold_counts hold_counts[STORE_HOLD_COUNT_TENANTS + 1];
	size_t n_hold_counts;
	/* Orders taken in as committed (store_intake_counts_get), under mu,
	 * kept alike. */
	store_intake_counts intake_counts[STORE_HOLD_COUNT_TENANTS + 1];
	size_t n_intake_counts;
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

/* EVENTS WRITTEN TOGETHER (sql_history.c): the running job's events
 * written now. */
ordo_code sql_events_write(store_tx *tx, ordo_err *err);
/* What the running job keeps to write at its end (its new order: AN ORDER
 * WRITTEN ONCE; its events) written now, or dropped with the job
 * (sql_orders.c). */
ordo_code sql_job_kept_write(store_tx *tx, ordo_err *err);
void sql_job_kept_drop(store_tx *tx);
/* The job's INTAKE'S LOOKUPS forgotten (sql_lookups.c). */
void sql_lookups_forget(store_tx *tx);
/* A BATCH'S LOOKUPS (sql_lookups.c): asked at the batch's start (after its
 * stock locks; in a savepoint of the caller's: failing, the jobs look up
 * as they go), the running job named (NULL between jobs), an order
 * inserted or content changed since, the running job's inserts undone
 * with it, a named lock the batch took, and all of it dropped at the
 * batch's end. */
ordo_code sql_lookups_prefetch(store_tx *tx, store_job *batch,
			       ordo_err *err);
void sql_lookups_job(store_tx *tx, const store_job *job);
void sql_lookups_inserted(store_tx *tx, const order *o);
void sql_lookups_stale(store_tx *tx);
void sql_lookups_job_undo(store_tx *tx);
bool sql_lookups_locked(store_tx *tx, int64_t tenant, const char *name);
void sql_lookups_batch_end(store_tx *tx);
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
/* STOCK WRITTEN AT THE BATCH'S END (above; sql_stock.c): a batch
 * begins with its stock changes kept (deltas) or written as it goes; a job
 * begins, stands or is undone; tx_stock_finish writes the changes and
 * events before the commit, failing with tx->stock.conflict set when the
 * batch must run again exact; tx_stock_forget drops them all. */
void tx_stock_begin(store_tx *tx, bool deltas);
void tx_stock_job_begin(store_tx *tx);
void tx_stock_job_undo(store_tx *tx);
ordo_code tx_stock_finish(store_tx *tx, ordo_err *err);
void tx_stock_forget(store_tx *tx);
/* The row (tenant, location, sku) the batch keeps, or NULL. */
struct tx_stock_row *tx_stock_find(store_tx *tx, int64_t tenant,
				   const char *location, const char *sku);
/* *level (just read) as the batch sees it: its row kept from the first
 * read (added now if new), with the batch's changes made. */
ordo_code tx_stock_seen(store_tx *tx, int64_t tenant, stock_level *level,
			ordo_err *err);
/* level, written by a job, kept as a change of its row (which must be
 * kept: tx_stock_seen first). */
void tx_stock_change(store_tx *tx, struct tx_stock_row *r,
		     const stock_level *level);
/* A stock event of the kept row r, kept for the batch's end. */
ordo_code tx_stock_keep_event(store_tx *tx, const struct tx_stock_row *r,
			      const stock_event *ev, ordo_err *err);
/* A stock row, and n stock events (their rows unused), written now
 * (sql_catalog.c). */
ordo_code sql_stock_write(store_tx *tx, int64_t tenant,
			  const stock_level *level, ordo_err *err);
ordo_code sql_stock_events_write(store_tx *tx,
				 const struct tx_stock_event *evs, size_t n,
				 ordo_err *err);
/* The stock rows (a SKU's every location) of n SKUs (sorted, distinct) of
 * a tenant, in (sku, location) order, locked or not (sql_catalog.c).
 * *rows: free(). */
ordo_code sql_stock_rows_of_skus(store_tx *tx, int64_t tenant,
				 const char *const *skus, size_t n,
				 bool lock, stock_level **rows, size_t *count,
				 ordo_err *err);
ordo_code sql_migration_mark(store_tx *tx, int version, ordo_time at,
			     ordo_err *err);

#endif
