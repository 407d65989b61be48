/*
 * sql_int.h - what the sql_*.c files share: the numbers of their
 * statements, the column lists more than one of them names, struct q (one
 * statement in use) with the helpers of sql_row.c, and the few row readers
 * and lookups one file lends another. Nothing outside src/store/ includes
 * this file but the store test that EXPLAINs every statement by its number
 * (tests/store/test_plans.c).
 *
 *     sql_row.c          struct q: binding, stepping, reading rows
 *     sql_tenants.c      tenants, API keys, settings, named locks
 *     sql_catalog.c      SKUs, locations, stock levels and stock events
 *     sql_orders.c       orders, their lines and holds
 *     sql_order_list.c   the order list, and its search (q)
 *     sql_search.c       the order search index, kept true on writes
 *     sql_kept.c         rows written at the batch's end (store_int.h)
 *     sql_fulfillment.c  fulfillments
 *     sql_shipments.c    shipments
 *     sql_webhooks.c     webhooks and their subscriptions
 *     sql_channels.c     channels, their SKU mappings, orders' sources
 *     sql_imports.c      order files taken in, their rows not taken
 *     sql_outbox.c       outbox events, deliveries, the claim
 *     sql_review.c       holds on their own, the review queue, policies
 *     sql_history.c      events, defects, policy history, idempotency,
 *                        purge, migration bookkeeping
 *     sql_changes.c      changes and cancellations of orders
 *     sql_returns.c      returns and their lines
 *     sql_monitors.c     SLA monitors and their alerts
 *     sql_rollups.c      the metrics' counts, kept and read back
 *     sql_scrape.c       the backlog /metrics reads when scraped
 *
 * Each file keeps the SQL text of its statements (its own sql_text[],
 * indexed by the one enum sql_id below so that no two files can use the
 * same number) next to the functions that run them; q_open takes the text
 * from the table of the file it is written in. The C binds, steps and reads
 * through the driver interface of db.h; the same code runs on SQLite and
 * PostgreSQL, only the driver under tx->db differs.
 *
 * THE SQL
 *
 * Statements are written in the common subset of SQLite 3.40 and PostgreSQL
 * 15 (see db.h): "?" placeholders and never a '?' elsewhere, ON CONFLICT
 * upserts, RETURNING instead of last_insert_rowid() and changes(), LIMIT ?,
 * integer 0/1 for booleans. Both schemas (migrations/sqlite and
 * migrations/postgres) have the same tables, columns and keys, so one text
 * fits both. Two answers come from RETURNING rather than from an error the
 * databases word differently:
 *
 *     order insert   ON CONFLICT (tenant_id, channel, external_id) DO NOTHING
 *                    RETURNING seq: no row means the external id is taken; a
 *                    unique error can then only be the order id.
 *     stock set      DO UPDATE ... WHERE stock.reserved <= excluded.on_hand
 *                    RETURNING the row: no row means on_hand would fall below
 *                    what is reserved.
 *     hold upsert    ON CONFLICT (id) DO UPDATE ... WHERE the hold is this
 *                    order's, RETURNING id: no row means the id is another
 *                    order's.
 *
 * Every value reaches SQL as a bound parameter. The statements with a
 * shape chosen at run time, the order list, the review queue and the
 * shipment list, are assembled from the fixed fragments of
 * order_list_where[], queue_list_where[] and ship_list_where[] and cached
 * under their own number for each combination of filters present
 * (SQL_ORDER_LIST_BASE, SQL_QUEUE_BASE, SQL_SHIP_LIST_BASE + bit mask). The
 * smaller lists (fulfillments, stock events, deliveries, defects, returns)
 * have one text per combination of their optional filters in sql_text[];
 * their cursor is always bound, the first page binding INT64_MAX (the
 * keyset cursor (due_at, seq) of the queue and of the change requests
 * likewise, from INT64_MIN). Pages fetch one row more than the limit to
 * learn whether another page follows.
 *
 * ROW LOCKS (POSTGRESQL)
 *
 * A few statements differ where several writers share the database (read
 * committed: each statement sees what others committed before it, and
 * nothing stops two transactions from reading the same row and writing
 * it back). In a write job they lock the rows they read for the rest of
 * the transaction, so a read-modify-write on one node waits for the
 * other's to commit and then reads its result:
 *
 *     stock row, stock of a SKU     FOR UPDATE in a batch run exact:
 *                                   counts are computed from rows no one
 *                                   else can change before the commit;
 *                                   other batches read stock unlocked and
 *                                   lock it at their end (store_int.h,
 *                                   STOCK WRITTEN AT THE BATCH'S END)
 *     order                         FOR UPDATE: every change to an order
 *                                   (its lines, holds, fulfillments) is
 *                                   made after reading it, so changes to
 *                                   one order are serialized
 *     hold                          FOR UPDATE OF h: a claim, release or
 *                                   resolution of one hold reads it first,
 *                                   so of two claimers one wins
 *     webhook claim                 FOR UPDATE SKIP LOCKED: nodes
 *                                   claim different webhooks, no waiting
 *
 * Each has a *_LOCKED twin in sql_text[], used when the driver sets
 * row_locks (db.h); SQLite, one writer at a time, never prepares them.
 * Locks taken in different orders by two nodes can deadlock; PostgreSQL
 * then fails one job (ORDO_ESTORAGE, tx->retryable) and the rest of its
 * batch stands.
 *
 * Each function follows the same course through a struct q (one statement in
 * use): q_open (prepare or take from the cache), q_i64 / q_str (sequential
 * binding), q_step (row, done, or the driver's mapped error), q_col_*
 * (sequential reading; a value longer than its buffer marks the row bad) and
 * q_close (reset) on every path out.
 *
 * TENANCY
 *
 * Every query on tenant data has "tenant_id = ?" in it. Lines, holds and
 * events are reached through an order's seq, which is only ever taken from a
 * row that matched the tenant; so are fulfillment and shipment lines through
 * their parent's seq, and the children of a page of orders through the
 * page's seqs (SQL_PAGE_IN). Three scans are across tenants by design, each row
 * carrying its tenant: orders due to close, the webhook claim and its lease.
 *
 * INVARIANTS, CHECKED TWICE
 *
 * Line quantities are checked before writing (order_check, in every build:
 * a wrong order fails its job with ORDO_EINTERNAL) and checked
 * again when read back (order_line_consistent, a broken row is ORDO_ESTORAGE),
 * with CHECK constraints in the schema between the two. Stock rows are
 * checked the same way (0 <= reserved <= on_hand), also the row a stock
 * update returns; fulfillment lines likewise (0 <= shipped <= quantity).
 */
#ifndef ORDO_STORE_SQL_INT_H
#define ORDO_STORE_SQL_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/strbuf.h"
#include "store/store_int.h"

/* ---- column lists more than one file names ------------------------------- */

#define SQL_ADDR_COLS(p)                                                       \
	p "name, " p "company, " p "line1, " p "line2, " p "city, "            \
	p "region, " p "postal_code, " p "country, " p "phone"
#define SQL_Q10 "?,?,?,?,?,?,?,?,?,?"
#define SQL_Q50 SQL_Q10 "," SQL_Q10 "," SQL_Q10 "," SQL_Q10 "," SQL_Q10
/*
 * The seqs of one page of orders, "IN (?, ... ?)" with one placeholder per
 * order a page can hold, bound by q_page_seqs: the children of a whole
 * page (lines, holds, fulfillments, ...) are read by one statement each,
 * whatever the page size, each an index probe per order.
 */
#define SQL_PAGE_IN "(" SQL_Q50 "," SQL_Q50 "," SQL_Q50 "," SQL_Q50 ")"

/*
 * A hold's columns (p: a table alias and its dot, or ""), in the order
 * they are bound and read (sql_orders.c's hold_fields): what it was
 * raised as, then its course, which the review changes
 * (hold_course_fields, q_bind_hold_course).
 */
#define SQL_HOLD_HEAD_COLS_OF(p)                                               \
	p "id, " p "type, " p "field, " p "message, " p "related_order_id, "   \
	p "raised_by, " p "created_at, " p "rule_id, " p "policy_version"
#define SQL_HOLD_COURSE_COLS_OF(p)                                             \
	p "status, " p "priority, " p "due_at, " p "assignee, "                \
	p "claimed_at, " p "claimed_until, " p "escalated, " p "resolution, "  \
	p "resolution_reason, " p "resolved_by, " p "resolved_at"
#define SQL_HOLD_COLS_OF(p)                                                    \
	SQL_HOLD_HEAD_COLS_OF(p) ", " SQL_HOLD_COURSE_COLS_OF(p)

/* ---- statement numbers --------------------------------------------------- */

enum sql_id {
	SQL_TABLE_EXISTS, /* the driver's text: db->sql_table_exists */
	SQL_NAMED_LOCK,	  /* the driver's text: db->sql_named_lock */
	SQL_NAMED_LOCK_SHARED, /* db->sql_named_lock_shared */
	SQL_NAMED_TRY_LOCK,    /* db->sql_named_try_lock */
	SQL_SEQS,	       /* db->sql_seqs */
	SQL_CHECKS_DEFERRED,   /* db->sql_checks_deferred */
	SQL_CHECKS_IMMEDIATE,  /* db->sql_checks_immediate */
	SQL_MIGRATIONS_CREATE,
	SQL_MIGRATIONS_MAX,
	SQL_MIGRATION_MARK,
	SQL_TENANT_INSERT,
	SQL_TENANT_BY_SLUG,
	SQL_TENANT_BY_ID,
	SQL_SECRET_KEEP,
	SQL_SECRET_GET,
	SQL_API_KEY_INSERT,
	SQL_API_KEY_BY_HASH,
	SQL_API_KEY_LIST,
	SQL_API_KEY_GET,
	SQL_API_KEY_COUNT,
	SQL_API_KEY_COUNT_ROLE,
	SQL_API_KEY_REVOKE,
	SQL_API_KEY_ROTATE,
	SQL_API_KEY_USED,
	SQL_USER_INSERT,
	SQL_USER_BY_EMAIL,
	SQL_USER_BY_ID,
	SQL_USER_ROLE_PUT,
	SQL_USER_ROLE_SET,
	SQL_TENANT_USERS,
	SQL_TENANT_USER_GET,
	SQL_USER_ROLES,
	SQL_SESSION_INSERT,
	SQL_SESSION_GET,
	SQL_SESSION_DELETE,
	SQL_SESSION_SEEN,
	SQL_SESSIONS_OF_USER,
	SQL_LOGIN_FAILURES_GET,
	SQL_LOGIN_FAILURES_PUT,
	SQL_LOGIN_FAILURES_CLEAR,
	SQL_PURGE_SESSIONS,
	SQL_PURGE_LOGIN_FAILURES,
	SQL_AUDIT_INSERT,
	SQL_WEBHOOK_ROTATE,
	SQL_AUDIT_PAGE,
	SQL_AUDIT_PAGE_KIND,
	SQL_AUDIT_PAGE_ACTOR,
	SQL_AUDIT_PAGE_ACTOR_KIND,
	SQL_AUDIT_FIRST_AT,
	SQL_AUDIT_LAST_BEFORE,
	SQL_SKU_PUT,
	SQL_SKU_GET,
	SQL_SKU_LIST,
	SQL_LOCATION_PUT,
	SQL_LOCATION_GET,
	SQL_LOCATION_LIST,
	SQL_LOCATION_EXISTS,
	SQL_SKU_EXISTS,
	SQL_STOCK_SET,
	SQL_STOCK_GET,
	SQL_ORDER_INSERT,
	SQL_ORDER_INSERT_SEQ, /* drivers with sql_seqs */
	SQL_LINE_INSERT,
	SQL_HOLD_INSERT,
	SQL_ORDER_GET,
	SQL_ORDER_GET_LOCKED, /* drivers with row_locks, write jobs */
	SQL_ORDER_SEQ,
	SQL_ORDER_ID_BY_SEQ,
	SQL_LINE_COUNT,
	SQL_LINES_OF,
	SQL_HOLDS_OF,
	SQL_ORDER_BY_EXTERNAL,
	SQL_ORDER_BY_FINGERPRINT,
	SQL_INTAKE_LOOKUP,
	SQL_INTAKE_LOOKUPS,
	SQL_ORDER_SET_STATE,
	SQL_ORDER_SET_MARKS,
	SQL_EVENT_INSERT,
	SQL_EVENTS_OF,
	SQL_IDEM_GET,
	SQL_IDEM_PUT,
	SQL_PURGE_IDEM,
	SQL_PURGE_DELIVERIES,
	SQL_PURGE_EVENTS,
	SQL_SETTINGS_GET,
	SQL_SETTINGS_PUT,
	SQL_STOCK_GET_LOCKED,
	SQL_STOCK_PUT,
	SQL_STOCK_OF_SKU,
	SQL_STOCK_OF_SKU_LOCKED, /* drivers with row_locks, write jobs */
	SQL_STOCK_LOCK_SKUS,	 /* drivers with row_locks: STOCK LOCKS */
	SQL_SKUS_OF_BATCH,	 /* drivers with row_locks: STOCK LOCKS */
	SQL_STOCK_OF_SKUS,	 /* drivers with row_locks: STOCK LOCKS */
	SQL_STOCK_EVENT_INSERT,
	SQL_STOCK_EVENTS,
	SQL_STOCK_EVENTS_AT,
	SQL_ORDERS_AWAITING_SKU,
	SQL_ORDER_UPDATE,
	SQL_LINE_UPDATE,
	SQL_ORDER_UPDATE_CONTENT,
	SQL_LINE_UPDATE_CONTENT,
	SQL_HOLD_UPSERT,
	SQL_ORDERS_DUE_TO_CLOSE,
	SQL_FUL_INSERT,
	SQL_FUL_INSERT_SEQ, /* drivers with sql_seqs */
	SQL_FUL_LINE_PUT,
	SQL_FUL_UPDATE,
	SQL_FUL_GET,
	SQL_FUL_REF,
	SQL_FUL_LINES_OF,
	SQL_FULS_LINES,
	SQL_FULS_OF_ORDER,
	SQL_FUL_LIST,
	SQL_FUL_LIST_LOC,
	SQL_FUL_LIST_STATE,
	SQL_FUL_LIST_LOC_STATE,
	SQL_SHIP_INSERT,
	SQL_SHIP_LINE_INSERT,
	SQL_SHIP_GET,
	SQL_SHIP_LINES_OF,
	SQL_SHIPS_LINES,
	SQL_SHIP_SET_DELIVERED,
	SQL_SHIPS_OF_ORDER,
	SQL_WEBHOOK_INSERT,
	SQL_WEBHOOK_LIST,
	SQL_WEBHOOK_GET,
	SQL_CHANNEL_HOOK_GET,
	SQL_CHANNEL_HOOK_SET,
	SQL_WEBHOOK_EVENTS_DELETE,
	SQL_WEBHOOK_COUNT,
	SQL_WEBHOOK_DELETE,
	SQL_WEBHOOK_FAIL_PENDING,
	SQL_WEBHOOK_RESUME,
	SQL_WEBHOOK_RECORD,
	SQL_WEBHOOK_DUE,
	SQL_WEBHOOK_DUE_LOCKED, /* drivers with row_locks (PostgreSQL) */
	SQL_WEBHOOK_SET_NEXT,
	SQL_WEBHOOK_WAKE,
	SQL_WEBHOOKS_FOR_EVENT,
	SQL_WEBHOOK_EVENT_INSERT,
	SQL_WEBHOOK_EVENTS_OF,
	SQL_WEBHOOK_LIST_EVENTS,
	SQL_OUTBOX_INSERT,
	SQL_DELIVERY_INSERT,
	SQL_DELIVERY_READY,
	SQL_EVENT_PAYLOAD,
	SQL_DELIVERY_LANE_BUSY,
	SQL_DELIVERY_LANE_NEXT,
	SQL_DELIVERY_UPDATE,
	SQL_DELIVERY_GET,
	SQL_DELIVERY_LIST,
	SQL_DELIVERY_LIST_STATUS,
	SQL_HOLD_SETTINGS_GET,
	SQL_HOLD_SETTINGS_PUT,
	SQL_HOLD_HISTORY_RULE,
	SQL_HOLD_HISTORY_TYPE,
	SQL_HOLD_HISTORY_ALL,
	SQL_HOLD_GET,
	SQL_HOLD_GET_LOCKED, /* drivers with row_locks, write jobs */
	SQL_HOLD_UPDATE,
	SQL_POLICY_ACTIVE,
	SQL_POLICY_INSERT,
	SQL_POLICY_LIST,
	SQL_DEFECT_INSERT,
	SQL_DEFECTS_OF_ORDER,
	SQL_DEFECT_LIST,
	SQL_DEFECT_LIST_TYPE,
	SQL_DEFECT_LIST_RULE,
	SQL_DEFECT_COUNT,
	SQL_CUSTOMER_HISTORY,
	SQL_HANDLING_TIME,
	SQL_PAGE_LINES,
	SQL_PAGE_HOLDS,
	SQL_PAGE_FULS,
	SQL_PAGE_FUL_LINES,
	SQL_PAGE_SHIPS,
	SQL_PAGE_SHIP_LINES,
	SQL_PAGE_DEFECTS,
	SQL_SEARCH_INSERT,
	SQL_SEARCH_SET_HEAD,
	SQL_SEARCH_ADD_TRACKING,
	SQL_SEARCH_FILL_ORDERS,
	SQL_SEARCH_FILL_SKUS,
	SQL_SEARCH_FILL_TRACKING,
	SQL_SEARCH_PROBE,
	SQL_SEARCH_NEWEST,
	SQL_ORDER_LIST_MINE,
	SQL_ORDER_LIST_MINE_EXTERNAL,
	SQL_CHANNEL_INSERT,
	SQL_CHANNEL_GET,
	SQL_CHANNEL_BY_NAME,
	SQL_CHANNEL_LIST,
	SQL_CHANNEL_COUNT,
	SQL_CHANNEL_UPDATE,
	SQL_CHANNEL_DELETE,
	SQL_CHANNEL_SKUS_OF,
	SQL_CHANNEL_SKUS_DELETE,
	SQL_CHANNEL_SKU_INSERT,
	SQL_ORDER_SOURCE,
	SQL_X12_FORGET,
	SQL_X12_SEEN,
	SQL_X12_KEEP,
	SQL_IMPORT_INSERT,
	SQL_IMPORT_UPDATE,
	SQL_IMPORT_GET,
	SQL_IMPORT_LIST,
	SQL_IMPORT_PROBLEM_INSERT,
	SQL_IMPORT_PROBLEMS,
	SQL_CHANGE_INSERT,
	SQL_CHANGE_DECIDE,
	SQL_CHANGE_GET,
	SQL_CHANGES_OF_ORDER,
	SQL_CHANGES_DUE,
	SQL_CHANGE_WAITING,
	SQL_CHANGES_COUNT,
	SQL_CHANGE_REQUESTS,
	SQL_RETURNS_COUNT,
	SQL_RETURN_INSERT,
	SQL_RETURN_UPDATE,
	SQL_RETURN_LINE_PUT,
	SQL_RETURN_GET,
	SQL_RETURNS_OF_ORDER,
	SQL_RETURN_LINES_OF,
	SQL_RETURN_LIST,
	SQL_RETURN_LIST_STATE,
	SQL_RETURNS_LINES,
	SQL_MONITORS_DELETE,
	SQL_MONITOR_INSERT,
	SQL_MONITORS_OF,
	SQL_MONITORS_ALL,
	SQL_MONITOR_SWEPT,
	SQL_MONITOR_DUE_ORDERS,
	SQL_MONITOR_DUE_HOLDS,
	SQL_ALERT_INSERT,
	SQL_ALERTS_OPEN,
	SQL_ALERT_CLEAR_STALE,
	SQL_ALERT_CLEAR,
	SQL_ALERTS_LIST,
	SQL_ALERTS_LIST_OPEN,
	SQL_ALERTS_LIST_CLEARED,
	SQL_SCRAPE_TENANTS,
	SQL_SCRAPE_HOLDS,
	SQL_SCRAPE_WEBHOOKS,
	SQL_ROLLUPS_ADD,
	SQL_GAUGES_ADD,
	SQL_ROLLUPS_SUM,
	SQL_ROLLUPS_SERIES,
	SQL_GAUGES_READ,
	SQL_GAUGE_HOURS,
	SQL_GAUGES_PURGE,
	SQL_COUNT
	/* Then the assembled statements: SQL_ORDER_LIST_BASE and on. */
};

/*
 * The statements assembled at run time, one number per combination of
 * filters present (a bit mask over each list's filters): the order list
 * (sql_order_list.c), the review queue (sql_review.c) and the shipment list
 * (sql_shipments.c). Each file asserts its filter count is the one here.
 */
#define SQL_ORDER_LIST_FILTERS 8
/* The order list's filter bit of a search (q): its statements merge a
 * page of each of their two tiers (sql_order_list.c). */
#define SQL_ORDER_LIST_SEARCH_BIT 7
#define SQL_QUEUE_FILTERS 6
#define SQL_SHIP_LIST_FILTERS 5
#define SQL_ORDER_LIST_BASE SQL_COUNT
#define SQL_QUEUE_BASE (SQL_ORDER_LIST_BASE + (1 << SQL_ORDER_LIST_FILTERS))
#define SQL_SHIP_LIST_BASE (SQL_QUEUE_BASE + (1 << SQL_QUEUE_FILTERS))

/*
 * ROWS IN ONE STATEMENT (sql_row.c). Where a write inserts several rows of
 * one table at once - an order's lines, a fulfillment's lines, a job's
 * order events, a batch's stock events - it inserts them by statements of
 * up to SQL_ROWS_MAX rows each, not one statement per row: a database
 * spends on each statement (on PostgreSQL: its executor set up and taken
 * down, the table's CHECK constraints read back from their stored text)
 * about what it spends on a row. The text for n rows is the one-row
 * statement's (sql_text[id]) with its VALUES tuple written n times, made
 * once; each kind of row has SQL_ROWS_MAX - 1 numbers from SQL_ROWS_BASE,
 * for 2 to SQL_ROWS_MAX rows (one row is the statement's own number).
 */
#define SQL_ROWS_MAX 16
enum sql_rows_kind {
	SQL_ROWS_LINES,	      /* SQL_LINE_INSERT */
	SQL_ROWS_FUL_LINES,   /* SQL_FUL_LINE_PUT */
	SQL_ROWS_EVENTS,      /* SQL_EVENT_INSERT */
	SQL_ROWS_STOCK_EVENTS, /* SQL_STOCK_EVENT_INSERT */
	SQL_ROWS_KINDS
};
#define SQL_ROWS_BASE (SQL_SHIP_LIST_BASE + (1 << SQL_SHIP_LIST_FILTERS))

_Static_assert(SQL_ROWS_BASE + SQL_ROWS_KINDS * (SQL_ROWS_MAX - 1) <=
		       DB_STMT_MAX,
	       "every statement number must fit the drivers' caches");
_Static_assert(TX_EVENTS <= SQL_ROWS_MAX,
	       "a job's kept events are written by one statement");

/*
 * The text of each for one combination of filters (mask), into buf of size
 * bytes: what snprintf answers, the length it needs (size or more: it did
 * not fit).
 */
int sql_order_list_text(unsigned mask, char *buf, size_t size);
int sql_queue_text(unsigned mask, char *buf, size_t size);
int sql_ship_list_text(unsigned mask, char *buf, size_t size);

/* Most rows one scan across orders or deliveries returns (claims, closers,
 * orders waiting for stock); callers run it again for more. */
#define SQL_SCAN_MAX 10000

/* ---- one statement in use (sql_row.c) ------------------------------------ */

struct q {
	store_tx *tx;
	db_stmt *s;
	int col;  /* next column to read */
	bool bad; /* a value did not fit its buffer, or is no known name */
	/* The first stored name no enum knows (bad_column names its
	 * column), for q_row_end to say. */
	const char *bad_column;
	char bad_name[32];
};

/* Reads one row of an open statement into item (zeroed memory). */
typedef ordo_code (*q_row_fn)(struct q *q, void *item, ordo_err *err);

/*
 * Open statement id with the SQL text of the calling file's own sql_text[]
 * (each sql_*.c file defines one for the numbers it runs).
 */
#define q_open(q, tx, id, err) \
	q_open_sql((q), (tx), (id), sql_text[(id)], (err))

/*
 * The statement a read runs: in a write job on a database with row locks
 * (db.h), its *_LOCKED twin, which locks the rows it reads until the
 * transaction ends; else the plain one.
 */
unsigned q_locking(const store_tx *tx, unsigned plain, unsigned locked);

/* The course of one statement; each is described where sql_row.c
 * defines it. */
ordo_code q_open_sql(struct q *q, store_tx *tx, unsigned id,
		     const char *sql, ordo_err *err);
/* How q_insert_rows binds one row's parameters: item, with what every
 * row shares (ctx). */
typedef void (*q_row_bind_fn)(struct q *q, const void *item,
			      const void *ctx);
/*
 * Insert n rows (items, size bytes apart) by statement id, one of ROWS IN
 * ONE STATEMENT's (sql its one-row text): SQL_ROWS_MAX rows a statement,
 * each row bound by bind, each statement run deferred (q_exec_deferred
 * naming what and field).
 */
ordo_code q_insert_rows_sql(store_tx *tx, unsigned id, const char *sql,
			    const void *items, size_t n, size_t size,
			    q_row_bind_fn bind, const void *ctx,
			    const char *what, const char *field,
			    ordo_err *err);
#define q_insert_rows(tx, id, ...) \
	q_insert_rows_sql((tx), (id), sql_text[(id)], __VA_ARGS__)
void q_close(struct q *q);
void q_i64(struct q *q, int64_t v);
void q_str(struct q *q, const char *v);
void q_str_or_null(struct q *q, const char *v);
void q_address(struct q *q, const order_address *a);
ordo_code q_step(struct q *q, bool *row, const char *what,
		 const char *field, ordo_err *err);
ordo_code q_exec(struct q *q, const char *what, const char *field,
		 ordo_err *err);
ordo_code q_exec_deferred(struct q *q, const char *what, const char *field,
			  ordo_err *err);
ordo_code sql_seq_draw(store_tx *tx, enum tx_seq_table table, int64_t *seq,
		       ordo_err *err);
ordo_code q_exec_deferred_row(struct q *q, const char *what,
			      const char *field, ordo_code if_none,
			      const char *none_field, const char *none_msg,
			      ordo_err *err);
int64_t q_col_i64(struct q *q);
void q_col_str(struct q *q, char *dst, size_t size);
void q_col_address(struct q *q, order_address *a);
ordo_code q_col_dup(struct q *q, char **out, const char *what,
		    ordo_err *err);
ordo_code q_row_end(struct q *q, const char *what, ordo_err *err);
ordo_code q_insert_returning(struct q *q, int64_t *id, const char *what,
			     const char *field, ordo_err *err);
ordo_code tx_check_writable(store_tx *tx, const char *what,
			    ordo_err *err);

/* Rows into a growing array (sql_row.c says how). */
void *sql_grow(void *items, size_t *cap, size_t size);
ordo_code sql_no_memory(ordo_err *err, const char *what);
/*
 * A customer's history (store_customer_history), as two subqueries: its
 * orders before a moment, and the defects on them known by then. Bound by
 * q_bind_history.
 */
#define SQL_HISTORY_ORDERS_OF(t, ck, bf, bs)                                   \
	"(SELECT count(*) FROM orders WHERE tenant_id = " t " "                \
	"AND customer_key = " ck " AND (received_at < " bf " "                 \
	"OR (received_at = " bf " AND seq < " bs ")))"
#define SQL_HISTORY_DEFECTS_OF(t, ck, bf, bs)                                  \
	"(SELECT count(*) FROM orders o JOIN defects d "                       \
	"ON d.tenant_id = o.tenant_id AND d.order_seq = o.seq "                \
	"WHERE o.tenant_id = " t " AND o.customer_key = " ck " "               \
	"AND (o.received_at < " bf " OR (o.received_at = " bf " "              \
	"AND o.seq < " bs ")) AND d.created_at <= " bf ")"
#define SQL_HISTORY_ORDERS SQL_HISTORY_ORDERS_OF("?", "?", "?", "?")
#define SQL_HISTORY_DEFECTS SQL_HISTORY_DEFECTS_OF("?", "?", "?", "?")
void q_bind_history(struct q *q, int64_t tenant, const char *customer_key,
		    ordo_time before, int64_t before_seq);
/* The history store_intake_lookup found, when asked exactly that
 * (sql_lookups.c). */
bool sql_lookups_history(store_tx *tx, int64_t tenant,
			 const char *customer_key, ordo_time before,
			 int64_t before_seq, int64_t *orders, int64_t *defects);

/* Whether statement id may run while a new order waits to be written
 * (sql_orders.c, AN ORDER WRITTEN ONCE): it reads none of it. */
bool sql_order_may_wait(unsigned id);
ordo_code q_rows(struct q *q, size_t max, size_t size, q_row_fn read,
		 void **items, size_t *n, const char *what,
		 ordo_err *err);


/*
 * One page of rows, the statement bound with limit + 1 as its LIMIT: read
 * as q_rows does, the row past the limit only telling that another page
 * follows; *next is then the cursor for it, the seq (an int64_t at
 * seq_offset in each item) of the last row kept, else 0.
 */
ordo_code q_page(struct q *q, int limit, size_t size, size_t seq_offset,
		 q_row_fn read, void **items, size_t *n, int64_t *next,
		 const char *what, ordo_err *err);
/*
 * Every row statement id answers for one parent seq (its only parameter):
 * the lines of a fulfillment or a shipment. As q_rows, the statement
 * closed.
 */
ordo_code q_rows_of_sql(store_tx *tx, unsigned id, const char *sql,
			int64_t parent, size_t size, q_row_fn read,
			void **items, size_t *n, const char *what,
			ordo_err *err);
#define q_rows_of(tx, id, parent, size, read, items, n, what, err)             \
	q_rows_of_sql((tx), (id), sql_text[(id)], (parent), (size), (read),    \
		      (items), (n), (what), (err))


/*
 * The end of reading rows whose items own nothing (q_rows, q_page): the
 * array itself after rc == ORDO_OK; else NULL, the array freed and *n 0.
 */
void *q_rows_done(ordo_code rc, void *items, size_t *n);

/* The checks every page makes. (The ids the store makes itself come from
 * core/ids.h, as everyone's.) */
ordo_code sql_check_limit(int limit, int max, ordo_err *err);
ordo_code sql_check_page(int limit, int64_t before_seq, ordo_err *err);
int64_t sql_page_bound(int64_t before_seq);

/*
 * Bind the seqs of the n orders of a page for SQL_PAGE_IN, then 0 (no
 * order's seq) for each place left.
 */
void q_page_seqs(struct q *q, const order *orders, size_t n);

/* Every row statement id (text sql) answers for the page's orders (bound
 * the page's seqs), into *rows; q_page_rows takes the calling file's text
 * as q_open does. */
ordo_code q_page_rows_sql(store_tx *tx, unsigned id, const char *sql,
			  const order_page *page, size_t size, q_row_fn read,
			  void **rows, size_t *n, const char *what,
			  ordo_err *err);
#define q_page_rows(tx, id, ...)                                               \
	q_page_rows_sql((tx), (id), sql_text[(id)], __VA_ARGS__)

/*
 * Where rows read for many parents go: a parent's key, and the addresses
 * of its array pointer (a T *, set from a void *) and of its count.
 */
struct q_parent {
	int64_t key;
	void *items;
	size_t *n;
};

/*
 * Hand rows out to their parents. rows holds n_rows rows of row_size
 * bytes, each starting with its parent's key (an int64_t), those of one key
 * next to each other (the statement orders by the key first); what a
 * parent gets of a row is the item_size bytes at item_offset. A parent
 * with rows gets a new array of its items, in row order, of at most max;
 * one without is left as it was. All or nothing: a key no parent has
 * (ORDO_ESTORAGE), a run longer than max (ORDO_ESTORAGE) or no memory,
 * and no parent is changed. parents is sorted by key here. The items'
 * own pointers move to the parents: the caller then frees rows alone.
 */
ordo_code q_spread(struct q_parent *parents, size_t n_parents,
		   const void *rows, size_t n_rows, size_t row_size,
		   size_t item_offset, size_t item_size, size_t max,
		   const char *what, ordo_err *err);

/*
 * The children of n parents read by statement id (text sql, with
 * SQL_PAGE_IN for the parents' keys, ordered by the parent's key first),
 * ORDO_PAGE_MAX parents a statement whatever n, and handed out to them as
 * q_spread does. Each row is row_size bytes read by read, starting with its
 * parent's key, its item the item_size bytes at item_offset, with no
 * pointers of its own. Each ORDO_PAGE_MAX of parents is sorted by key
 * here. q_children takes the calling file's text as q_open does.
 */
ordo_code q_children_sql(store_tx *tx, unsigned id, const char *sql,
			 struct q_parent *parents, size_t n, size_t row_size,
			 q_row_fn read, size_t item_offset, size_t item_size,
			 const char *what, ordo_err *err);
#define q_children(tx, id, ...)                                                \
	q_children_sql((tx), (id), sql_text[(id)], __VA_ARGS__)

/* ---- a table's mapping, written once (sql_row.c) ------------------------- */

/*
 * The columns of a table (its SQL_*_COLS list, or a run of it) as the
 * members of its struct, in the order they are named: one array per
 * table, next to its column list, that q_bind_row binds (a write) and
 * q_read_row reads (every query answering such rows). A member's type is
 * checked when the array is compiled: Q_I64 an int64_t (money, time),
 * Q_INT an int, Q_BOOL a bool (stored 0/1), Q_TEXT a char array (read
 * cut to fit marks the row bad), Q_TEXT_OR_NULL likewise but "" is
 * stored as NULL, Q_ADDRESS an order_address (nine columns), Q_ENUM a C
 * enum stored by name (an unknown name marks the row bad).
 */
/* Q_I64_OR_NULL: 0 is stored as NULL, and NULL reads 0; Q_TEXT_OR_NULL
 * the same with "". */
enum q_kind {
	Q_I64,
	Q_I64_OR_NULL,
	Q_INT,
	Q_BOOL,
	Q_TEXT,
	Q_TEXT_OR_NULL,
	Q_ADDRESS,
	Q_ENUM
};

/* How one C enum's values are named in storage (Q_ENUM). */
struct q_enum {
	const char *(*name)(int v);
	int (*parse)(const char *name, int *v); /* 0, or -1: unknown */
};

/* Define a struct q_enum var over an enum's own name and parse. */
#define Q_ENUM_NAMES(var, type, name_fn, parse_fn)                            \
	static const char *var##_name(int v)                                   \
	{                                                                      \
		return name_fn((type)v);                                       \
	}                                                                      \
	static int var##_parse(const char *name, int *v)                       \
	{                                                                      \
		type t;                                                        \
		int r = parse_fn(name, &t);                                    \
		if (r == 0)                                                    \
			*v = (int)t;                                           \
		return r;                                                      \
	}                                                                      \
	static const struct q_enum var = {var##_name, var##_parse}

struct q_field {
	enum q_kind kind;
	size_t offset;
	size_t size; /* of the member */
	const struct q_enum *names; /* Q_ENUM */
	const char *column;	    /* the member's name, for errors */
};

/* The member's offset, refused at compile time unless ok holds. */
#define Q_OFFSET(type, member, ok)                                             \
	(offsetof(type, member) + 0 * sizeof(char[(ok) ? 1 : -1]))
#define Q_MSIZE(type, member) sizeof(((type *)0)->member)
#define Q_FIELD(kind, type, member, ok, names)                                 \
	{kind, Q_OFFSET(type, member, ok), Q_MSIZE(type, member), names,      \
	 #member}
#define Q_I64(type, m)                                                         \
	Q_FIELD(Q_I64, type, m, Q_MSIZE(type, m) == sizeof(int64_t), NULL)
#define Q_I64_OR_NULL(type, m)                                                 \
	Q_FIELD(Q_I64_OR_NULL, type, m, Q_MSIZE(type, m) == sizeof(int64_t),   \
		NULL)
#define Q_INT(type, m)                                                         \
	Q_FIELD(Q_INT, type, m, Q_MSIZE(type, m) == sizeof(int), NULL)
#define Q_BOOL(type, m)                                                        \
	Q_FIELD(Q_BOOL, type, m, Q_MSIZE(type, m) == sizeof(bool), NULL)
#define Q_TEXT(type, m)                                                        \
	Q_FIELD(Q_TEXT, type, m, Q_MSIZE(type, m[0]) == 1, NULL)
#define Q_TEXT_OR_NULL(type, m)                                                \
	Q_FIELD(Q_TEXT_OR_NULL, type, m, Q_MSIZE(type, m[0]) == 1, NULL)
#define Q_ADDRESS(type, m)                                                     \
	Q_FIELD(Q_ADDRESS, type, m, Q_MSIZE(type, m) == sizeof(order_address), \
		NULL)
#define Q_ENUM(type, m, names)                                                 \
	Q_FIELD(Q_ENUM, type, m, Q_MSIZE(type, m) == sizeof(int), names)

void q_bind_fields(struct q *q, const void *obj, const struct q_field *f,
		   size_t n);
void q_read_fields(struct q *q, void *obj, const struct q_field *f, size_t n);
#define Q_NFIELDS(fields) (sizeof(fields) / sizeof((fields)[0]))
#define q_bind_row(q, obj, fields)                                             \
	q_bind_fields((q), (obj), (fields), Q_NFIELDS(fields))
#define q_read_row(q, obj, fields)                                             \
	q_read_fields((q), (obj), (fields), Q_NFIELDS(fields))

/*
 * Step q to the one row it answers, left to read; none is ORDO_ENOTFOUND
 * naming field: "no <noun> "<key>"".
 */
ordo_code q_step_one(struct q *q, const char *what, const char *field,
		     const char *noun, const char *key, ordo_err *err);

/*
 * The common read of one row: open statement id, bind the tenant and a
 * key, and step to the row (q_step_one). q_close it on every path.
 */
ordo_code q_get_sql(struct q *q, store_tx *tx, unsigned id, const char *sql,
		    int64_t tenant, const char *key, const char *what,
		    const char *field, const char *noun, ordo_err *err);
#define q_get(q, tx, id, tenant, key, what, field, noun, err)                  \
	q_get_sql((q), (tx), (id), sql_text[(id)], (tenant), (key), (what),    \
		  (field), (noun), (err))

/* ---- lent from one file to another --------------------------------------- */

/* The text of a statement named for store_statement_sql, from the file
 * that holds it; NULL for a name it does not know. */
/* A webhook's columns (sql_webhooks.c; the outbox's claim reads them too).
 * Its event types are rows of webhook_events (migration 0007), read and
 * written apart from these columns. */
#define SQL_WEBHOOK_COLS                                                       \
	"id, url, secret, location, created_at, channel, protocol, "          \
	"previous_secret, previous_until"
/* How sending to a webhook goes, after SQL_WEBHOOK_COLS when reading. */
#define SQL_WEBHOOK_STATE_COLS                                                 \
	"status, paused_at, failures, failing_since, last_error, "             \
	"next_attempt_at"
/* SQL_WEBHOOK_COLS then SQL_WEBHOOK_STATE_COLS into w (not row-ended). */
void q_col_webhook(struct q *q, webhook_sub *w);

const char *sql_outbox_named(const char *name);
const char *sql_order_list_named(const char *name);
const char *sql_fulfillment_named(const char *name);
const char *sql_shipments_named(const char *name);
const char *sql_history_named(const char *name);
const char *sql_changes_named(const char *name);
const char *sql_returns_named(const char *name);

/* Each file's own text of statement id, NULL when another file (or the
 * driver) holds it: what store_statement_text asks. */
const char *sql_tenants_text(unsigned id);
const char *sql_people_text(unsigned id);
const char *sql_audit_text(unsigned id);
const char *sql_catalog_text(unsigned id);
const char *sql_orders_text(unsigned id);
const char *sql_lookups_text(unsigned id);
const char *sql_order_list_text_of(unsigned id);
const char *sql_fulfillment_text(unsigned id);
const char *sql_shipments_text(unsigned id);
const char *sql_webhooks_text(unsigned id);
const char *sql_channels_text(unsigned id);
const char *sql_imports_text(unsigned id);
const char *sql_changes_text(unsigned id);
const char *sql_returns_text(unsigned id);
const char *sql_monitors_text(unsigned id);
const char *sql_scrape_text(unsigned id);
const char *sql_rollups_text(unsigned id);

/* sql_history.c: delete the rows statement id (its text sql; one bind: a
 * time; RETURNING a row each) answers for before, counted into *n. */
ordo_code sql_purge_rows_sql(store_tx *tx, unsigned id, const char *sql,
			     ordo_time before, int64_t *n, ordo_err *err);
#define sql_purge_rows(tx, id, before, n, err)                                 \
	sql_purge_rows_sql((tx), (id), sql_text[(id)], (before), (n), (err))

/* sql_changes.c: run the count statement id (text sql) over one order's
 * rows (q_open_of_order). */
ordo_code sql_count_of_order(store_tx *tx, unsigned id, const char *sql,
			     int64_t tenant, const char *order_id, int64_t *n,
			     ordo_err *err);
const char *sql_outbox_text(unsigned id);
const char *sql_review_text(unsigned id);
const char *sql_history_text(unsigned id);
const char *sql_search_text(unsigned id);

/*
 * An order's columns after seq, in three runs, each mapped by one array
 * of sql_orders.c: what it was received as (order_head_fields), its content, which
 * a correction rewrites (order_content_fields), and its course, which
 * every update writes (order_course_fields).
 */
#define SQL_ORDER_HEAD_COLS                                                    \
	"tenant_id, id, external_id, channel, placed_at, received_at, "        \
	"currency, channel_kind, created_key"
#define SQL_ORDER_CONTENT_COLS                                                 \
	"customer_external_id, customer_name, customer_email, "                \
	"customer_phone, " SQL_ADDR_COLS("ship_to_") ", has_bill_to, "         \
	SQL_ADDR_COLS("bill_to_") ", shipping_method, shipping_amount, "       \
	"subtotal, shipping_total, tax, discount, total, payment_status, "     \
	"notes, fingerprint, customer_key"
#define SQL_ORDER_COURSE_COLS                                                  \
	"state, updated_at, accepted_at, release_due_at, released_at, "        \
	"delivered_at, closed_at, version, state_since, marks, approved_rule"
#define SQL_ORDER_COLS_NOSEQ                                                   \
	SQL_ORDER_HEAD_COLS ", " SQL_ORDER_CONTENT_COLS ", "                   \
	SQL_ORDER_COURSE_COLS
#define SQL_ORDER_COLS "seq, " SQL_ORDER_COLS_NOSEQ
/* A line's columns after line_no: its content (line_content_fields), then
 * its quantities (line_qty_fields). */
#define SQL_LINE_CONTENT_COLS "sku, title, unit_price, external_id"
#define SQL_LINE_QTY_COLS                                                      \
	"quantity, qty_open, qty_allocated, qty_released, qty_shipped, "       \
	"qty_cancelled, qty_returned"
#define SQL_LINE_COLS                                                          \
	"line_no, " SQL_LINE_CONTENT_COLS ", " SQL_LINE_QTY_COLS
#define SQL_HOLD_COLS SQL_HOLD_COLS_OF("")

/* An orders row (SQL_ORDER_COLS) into the order item, which has no lines
 * or holds (a q_row_fn); a line's columns (SQL_LINE_COLS) into l, not
 * row-ended. sql_orders.c's mappings, which the order list reads by. */
ordo_code q_read_order(struct q *q, void *item, ordo_err *err);
void q_col_line(struct q *q, order_line *l);

/* A fulfillment row is "fulfillments f JOIN orders o" (its order's id):
 * sql_fulfillment.c's, and sql_shipments.c's for the fulfillment a
 * shipment ships from. */
#define SQL_FUL_FROM                                                           \
	" FROM fulfillments f JOIN orders o ON o.seq = f.order_seq "

/* sql_shipments.c: the shipments of every order of a page, each with its
 * lines, by two statements; each order must have none loaded. */
ordo_code sql_page_shipments(store_tx *tx, order_page *page, ordo_err *err);

/* sql_history.c: the defects of every order of a page (orders that matched
 * the tenant), by one statement (SQL_PAGE_DEFECTS); each order must have
 * none loaded. */
ordo_code sql_page_defects(store_tx *tx, order *orders, size_t n,
			   ordo_err *err);

/*
 * sql_search.c: an order's words in the search index (core/search.h), by
 * its seq (taken from a row that matched the tenant): inserted with a new
 * order, rewritten with a correction of its content, a tracking number's
 * appended with a shipment (and sql_search_fill, store_int.h).
 */
ordo_code sql_search_insert(store_tx *tx, int64_t seq, const order *o,
			    ordo_err *err);
ordo_code sql_search_set_head(store_tx *tx, int64_t seq, const order *o,
			      ordo_err *err);
ordo_code sql_search_add_tracking(store_tx *tx, int64_t tenant,
				  int64_t seq, const char *tracking,
				  ordo_err *err);

/*
 * sql_kept.c: a new order's search words kept for the batch's end
 * (store_int.h, ROWS WRITTEN AT THE BATCH'S END), made as a JSON array of
 * the values SQL_SEARCH_INSERT reads: an empty strbuf, then each value,
 * then sql_kept_add, which takes the text over. sql_kept_needed writes the
 * kept rows when the order seq's is among them: a statement about its row
 * needs it.
 */
void sql_kept_row_i64(strbuf *r, int64_t v);
void sql_kept_row_str(strbuf *r, const char *v);
ordo_code sql_kept_add(store_tx *tx, int64_t seq, strbuf *r, ordo_err *err);
ordo_code sql_kept_needed(store_tx *tx, int64_t seq, ordo_err *err);

/* sql_tenants.c: a named lock until the transaction ends: exclusive
 * (waits), shared (waits for an exclusive holder only) or a try (exclusive
 * if free now; *got says). */
enum named_lock { NAMED_EXCLUSIVE, NAMED_SHARED, NAMED_TRY };
ordo_code named_lock(store_tx *tx, int64_t tenant, const char *name,
		     enum named_lock kind, bool *got, ordo_err *err);

/* sql_catalog.c: the row of statement id (tenant, key) exists, or
 * ORDO_ENOTFOUND naming field. */
ordo_code require_key(store_tx *tx, enum sql_id id, int64_t tenant,
		      const char *key, const char *field, ordo_err *err);

/* sql_orders.c: a hold row read (SQL_HOLD_COLS), a hold's course bound
 * (SQL_HOLD_COURSE_COLS_OF), an order's seq. */
ordo_code q_col_hold(struct q *q, order_hold *h, ordo_err *err);
void q_bind_hold_course(struct q *q, const order_hold *h);
ordo_code order_seq_of(store_tx *tx, int64_t tenant, const char *id,
		       const char *field, int64_t *seq, ordo_err *err);
ordo_code order_seq(store_tx *tx, int64_t tenant, const char *id,
		    int64_t *seq, ordo_err *err);

/*
 * Open statement id over the rows of one order of the tenant, bound with
 * the order's seq alone; ORDO_ENOTFOUND naming "id" when the tenant has no
 * such order. The order was matched to the tenant here, so its rows need
 * no tenant term of their own - one that let planners read all of the
 * tenant's rows by a tenant index to keep one order's (the plans test
 * fails a statement about one order not read by order_seq). q_close it on
 * every path.
 */
ordo_code q_open_of_order_sql(struct q *q, store_tx *tx, unsigned id,
			      const char *sql, int64_t tenant,
			      const char *order_id, ordo_err *err);
#define q_open_of_order(q, tx, id, tenant, order_id, err)                      \
	q_open_of_order_sql((q), (tx), (id), sql_text[(id)], (tenant),         \
			    (order_id), (err))

#endif
