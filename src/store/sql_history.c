/*
 * sql_history.c - what is kept about the past: an order's events (its
 * timeline), downstream defects, the history policies are judged on
 * (a customer's orders and defects, handling time), idempotency records,
 * their purge, and the bookkeeping of applied migrations that the runner
 * of store_migrate.c asks for. See store.h for the contract of each public function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* An event's columns after seq (event_fields). */
#define SQL_EVENT_COLS                                                         \
	"type, from_state, to_state, hold_id, actor, message, at"
/* Its key, then what is bound and read (idem_fields), then the body. */
#define SQL_IDEM_COLS "key, request_hash, status, created_at, body"
/* What a defect is (defect_fields; p: a table alias and its dot, or ""). */
#define SQL_DEFECT_WHAT_OF(p)                                                  \
	p "type, " p "found_by, " p "note, " p "reported_by, " p "created_at, "  \
	p "attributed_step, " p "attributed_rule, " p "attributed_actor"
/* A defect with its order's id, from "defects d JOIN orders o". */
#define SQL_DEFECT_COLS "d.seq, d.id, o.id, " SQL_DEFECT_WHAT_OF("d.")
#define SQL_DEFECT_FROM " FROM defects d JOIN orders o ON o.seq = d.order_seq "

Q_ENUM_NAMES(event_state_names, order_state, order_state_name,
	     order_state_parse);

static const struct q_field event_fields[] = {
	Q_TEXT(order_event, type),
	Q_ENUM(order_event, from_state, &event_state_names),
	Q_ENUM(order_event, to_state, &event_state_names),
	Q_TEXT(order_event, hold_id),
	Q_TEXT(order_event, actor),
	Q_TEXT(order_event, message),
	Q_I64(order_event, at),
};

static const struct q_field idem_fields[] = {
	Q_TEXT(store_idempotency, key),
	Q_TEXT(store_idempotency, request_hash),
	Q_INT(store_idempotency, status),
	Q_I64(store_idempotency, created_at),
};

static const struct q_field defect_fields[] = {
	Q_TEXT(order_defect, type),	   Q_TEXT(order_defect, found_by),
	Q_TEXT(order_defect, note),	   Q_TEXT(order_defect, reported_by),
	Q_I64(order_defect, created_at),
	Q_TEXT(order_defect, attributed_step),
	Q_TEXT(order_defect, attributed_rule),
	Q_TEXT(order_defect, attributed_actor),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_MIGRATIONS_CREATE] = "CREATE TABLE IF NOT EXISTS "
				  "schema_migrations ("
				  " version INTEGER PRIMARY KEY,"
				  " applied_at BIGINT NOT NULL)",
	[SQL_MIGRATIONS_MAX] = "SELECT coalesce(max(version), 0) "
			       "FROM schema_migrations",
	[SQL_MIGRATION_MARK] = "INSERT INTO schema_migrations "
			       "(version, applied_at) VALUES (?, ?)",
	[SQL_EVENT_INSERT] = "INSERT INTO order_events (tenant_id, order_seq, "
			     SQL_EVENT_COLS ") "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_EVENTS_OF] = "SELECT seq, " SQL_EVENT_COLS " FROM order_events "
			  "WHERE order_seq = ? ORDER BY seq",
	[SQL_IDEM_GET] = "SELECT " SQL_IDEM_COLS " FROM idempotency_keys "
			 "WHERE tenant_id = ? AND key = ?",
	/* A key is stored with status 0 by the write, then its answer
	 * (app/write.c): the second put fills in that row only. */
	[SQL_IDEM_PUT] = "INSERT INTO idempotency_keys (tenant_id, "
			 SQL_IDEM_COLS ") VALUES (?, ?, ?, ?, ?, ?) "
			 "ON CONFLICT (tenant_id, key) DO UPDATE SET "
			 "status = excluded.status, body = excluded.body "
			 "WHERE idempotency_keys.status = 0 AND "
			 "idempotency_keys.request_hash = "
			 "excluded.request_hash RETURNING 1",
	/* Retention (store_purge): each answers the rows it removed. */
	[SQL_PURGE_IDEM] = "DELETE FROM idempotency_keys WHERE created_at < ? "
			   "RETURNING 1",
	[SQL_PURGE_DELIVERIES] = "DELETE FROM deliveries WHERE status = "
				 "'delivered' AND delivered_at < ? "
				 "RETURNING 1",
	[SQL_PURGE_EVENTS] = "DELETE FROM outbox_events WHERE created_at < ? "
			     "AND NOT EXISTS (SELECT 1 FROM deliveries d "
			     "WHERE d.event_id = outbox_events.id) "
			     "RETURNING 1",
	[SQL_DEFECT_INSERT] = "INSERT INTO defects (id, tenant_id, order_seq, "
			      SQL_DEFECT_WHAT_OF("") ") "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_DEFECTS_OF_ORDER] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
				 "WHERE d.order_seq = ? "
				 "ORDER BY d.seq",
	/* The list, one text with the type filter and one without; the
	 * cursor and the time bounds are always bound (INT64_MAX, INT64_MIN
	 * and INT64_MAX when open). */
	/* The defects of a whole page of orders (SQL_PAGE_IN: the page's
	 * seqs, taken from rows that matched the tenant), by defects_page.
	 * They are not matched on the tenant again: that would let a planner
	 * walk all the tenant's defects (defects_order, defects_tenant)
	 * instead of probing the page's orders, as SQL_PAGE_HOLDS says. */
	[SQL_PAGE_DEFECTS] = "SELECT d.order_seq, " SQL_DEFECT_COLS
			     SQL_DEFECT_FROM "WHERE d.order_seq IN "
			     SQL_PAGE_IN " ORDER BY d.order_seq, d.seq",
	[SQL_DEFECT_LIST] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
			    "WHERE d.tenant_id = ? AND d.seq < ? "
			    "AND d.created_at >= ? AND d.created_at < ? "
			    "ORDER BY d.seq DESC LIMIT ?",
	[SQL_DEFECT_LIST_TYPE] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
				 "WHERE d.tenant_id = ? AND d.seq < ? "
				 "AND d.created_at >= ? AND d.created_at < ? "
				 "AND d.type = ? "
				 "ORDER BY d.seq DESC LIMIT ?",
	/* The defects attributed to a rule (defects_rule). */
	[SQL_DEFECT_LIST_RULE] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
				 "WHERE d.tenant_id = ? AND d.seq < ? "
				 "AND d.created_at >= ? AND d.created_at < ? "
				 "AND d.attributed_rule = ? "
				 "ORDER BY d.seq DESC LIMIT ?",
	/* order_seq comes from a row that matched the tenant. */
	[SQL_DEFECT_COUNT] = "SELECT count(*) FROM defects "
			     "WHERE order_seq = ?",
	/* Binds: tenant, key, before (the orders), the same again (their
	 * defects). */
	/* "Before" is (received_at, seq) < (?, ?): orders received in the
	 * same second count when they came first. */
	[SQL_CUSTOMER_HISTORY] = "SELECT " SQL_HISTORY_ORDERS ", "
				 SQL_HISTORY_DEFECTS,
	/* The sum, not avg(): avg is numeric in PostgreSQL and real in
	 * SQLite, and each rounds its own way; C divides. Binds: tenant,
	 * resolved, "system". */
	[SQL_HANDLING_TIME] = "SELECT count(*), "
			      "coalesce(sum(resolved_at - claimed_at), 0) "
			      "FROM holds WHERE tenant_id = ? AND status = ? "
			      "AND claimed_at > 0 AND resolution <> ? "
			      "AND resolved_at >= claimed_at",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_history_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- migration bookkeeping ----------------------------------------------- */

ordo_code sql_migrations_init(store_tx *tx, ordo_err *err)
{
	return tx->db->exec_script(tx, sql_text[SQL_MIGRATIONS_CREATE], err);
}

ordo_code sql_schema_version(store_tx *tx, int *version, ordo_err *err)
{
	struct q q;
	bool row = false;
	ordo_code rc;

	*version = 0;
	rc = q_open_sql(&q, tx, SQL_TABLE_EXISTS, tx->db->sql_table_exists,
			err);
	if (rc)
		goto out;
	q_str(&q, "schema_migrations");
	rc = q_step(&q, &row, "reading the schema version", NULL, err);
	if (rc || !row || q_col_i64(&q) == 0)
		goto out;
	q_close(&q);
	/* Prepared only once the table exists. */
	rc = q_open(&q, tx, SQL_MIGRATIONS_MAX, err);
	if (rc)
		goto out;
	rc = q_step(&q, &row, "reading the schema version", NULL, err);
	if (rc)
		goto out;
	if (row)
		*version = (int)q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

ordo_code sql_migration_mark(store_tx *tx, int version, ordo_time at,
			     ordo_err *err)
{
	struct q q;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_MIGRATION_MARK, err);
	if (rc)
		goto out;
	q_i64(&q, version);
	q_i64(&q, at);
	rc = q_exec(&q, "recording a migration", "version", err);
out:
	q_close(&q);
	return rc;
}

/* ---- events -------------------------------------------------------------- */

/*
 * EVENTS WRITTEN TOGETHER. A clean order takes in seven events in the job
 * that takes it in, each appended where its step happens. They are kept
 * in the transaction (store_tx.events) and written by one statement
 * (sql_int.h, ROWS IN ONE STATEMENT) at the job's end, before any
 * statement that may read them (sql_row.c, as a kept order is), or once
 * TX_EVENTS wait. A job that fails drops its own (sql_job_kept_drop); none
 * outlives its job, so a failed write of them is the job's. Their seqs
 * are drawn as they are written, in the order they were appended, so the
 * timeline reads as before.
 */
static void event_bind(struct q *q, const void *item, const void *ctx)
{
	const struct tx_event *e = item;

	(void)ctx;
	q_i64(q, e->tenant);
	q_i64(q, e->order_seq);
	q_bind_row(q, &e->ev, event_fields);
}

ordo_code sql_events_write(store_tx *tx, ordo_err *err)
{
	unsigned n = tx->events.n;

	tx->events.n = 0; /* its own statement finds none left to write */
	/* No RETURNING: the writer needs none of their seqs (the timeline
	 * is read by the list). */
	return q_insert_rows(tx, SQL_EVENT_INSERT, tx->events.rows, n,
			     sizeof(tx->events.rows[0]), event_bind, NULL,
			     "event", NULL, err);
}

ordo_code store_event_append(store_tx *tx, int64_t tenant,
			     const char *order_id, const order_event *ev,
			     ordo_err *err)
{
	struct tx_event *row;
	int64_t seq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_event_append", err);
	if (rc == ORDO_OK)
		rc = order_seq(tx, tenant, order_id, &seq, err);
	if (rc == ORDO_OK && tx->events.n == TX_EVENTS)
		rc = sql_events_write(tx, err);
	if (rc)
		return rc;
	row = &tx->events.rows[tx->events.n++];
	row->tenant = tenant;
	row->order_seq = seq;
	row->ev = *ev;
	return ORDO_OK;
}

static ordo_code read_event(struct q *q, void *item, ordo_err *err)
{
	order_event *ev = item;

	ev->seq = q_col_i64(q);
	q_read_row(q, ev, event_fields);
	return q_row_end(q, "reading events", err);
}

ordo_code store_event_list(store_tx *tx, int64_t tenant, const char *order_id,
			   order_event **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_EVENTS_OF, tenant, order_id, err);
	if (rc == ORDO_OK)
		rc = q_rows(&q, SIZE_MAX, sizeof(order_event), read_event,
			    &items, n, "reading events", err);
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

/* ---- idempotency --------------------------------------------------------- */

ordo_code store_idempotency_get(store_tx *tx, int64_t tenant, const char *key,
				store_idempotency *rec, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	memset(rec, 0, sizeof(*rec));
	rc = q_get(&q, tx, SQL_IDEM_GET, tenant, key,
		   "reading an idempotency key", "key", "idempotency key", err);
	if (rc == ORDO_OK) {
		q_read_row(&q, rec, idem_fields);
		rc = q_col_dup(&q, &rec->body, "reading a stored response", err);
	}
	if (rc == ORDO_OK)
		rc = q_row_end(&q, "reading an idempotency key", err);
	q_close(&q);
	if (rc)
		store_idempotency_free(rec);
	return rc;
}

/* Run one purge statement with its cut-off; count the rows it removed. */
ordo_code sql_purge_rows_sql(store_tx *tx, unsigned id, const char *sql,
			     ordo_time before, int64_t *n, ordo_err *err)
{
	struct q q = {0};
	bool row = true;
	ordo_code rc = q_open_sql(&q, tx, id, sql, err);

	if (rc == ORDO_OK)
		q_i64(&q, before);
	while (rc == ORDO_OK && row) {
		rc = q_step(&q, &row, "purging old rows", NULL, err);
		if (rc == ORDO_OK && row)
			(*n)++;
	}
	q_close(&q);
	return rc;
}

ordo_code store_purge(store_tx *tx, ordo_time idempotency_before,
		      ordo_time delivered_before, int64_t *purged,
		      ordo_err *err)
{
	ordo_code rc = tx_check_writable(tx, "store_purge", err);

	*purged = 0;
	if (rc == ORDO_OK)
		rc = sql_purge_rows(tx, SQL_PURGE_IDEM, idempotency_before, purged,
			       err);
	if (rc == ORDO_OK)
		rc = sql_purge_rows(tx, SQL_PURGE_DELIVERIES, delivered_before,
			       purged, err);
	if (rc == ORDO_OK)
		rc = sql_purge_rows(tx, SQL_PURGE_EVENTS, delivered_before, purged,
			       err);
	return rc;
}

ordo_code store_idempotency_put(store_tx *tx, int64_t tenant,
				const store_idempotency *rec, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_idempotency_put", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_IDEM_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_bind_row(&q, rec, idem_fields);
	q_str(&q, rec->body);
	rc = q_step(&q, &row, "idempotency key", "key", err);
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ECONFLICT, "key",
				  "the idempotency key \"%.64s\" is taken",
				  rec->key);
out:
	q_close(&q);
	return rc;
}

void store_idempotency_free(store_idempotency *rec)
{
	if (!rec)
		return;
	free(rec->body);
	rec->body = NULL;
}

/* ---- downstream defects -------------------------------------------------- */

ordo_code store_defect_insert(store_tx *tx, int64_t tenant,
			      const order_defect *d, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_defect_insert", err);
	if (rc)
		goto out;
	/* A customer's history changes: the batch's lookups no longer
	 * stand. */
	sql_lookups_stale(tx);
	rc = order_seq_of(tx, tenant, d->order_id, "order_id", &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_DEFECT_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, d->id);
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	q_bind_row(&q, d, defect_fields);
	rc = q_exec(&q, "defect", "id", err);
out:
	q_close(&q);
	return rc;
}

/* Read one defect (SQL_DEFECT_COLS) into d. */
static ordo_code q_col_defect(struct q *q, order_defect *d, ordo_err *err)
{
	memset(d, 0, sizeof(*d));
	d->seq = q_col_i64(q);
	q_col_str(q, d->id, sizeof(d->id));
	q_col_str(q, d->order_id, sizeof(d->order_id));
	q_read_row(q, d, defect_fields);
	return q_row_end(q, "reading a defect", err);
}

static ordo_code read_defect(struct q *q, void *item, ordo_err *err)
{
	return q_col_defect(q, item, err);
}

/*
 * Read the defects an open, bound statement yields - one page of limit when
 * next is given (q_page), else all - into a new array. On failure nothing
 * is left allocated.
 */
static ordo_code defect_read_all(struct q *q, int limit, int64_t *next,
				 order_defect **out, size_t *n,
				 const char *what, ordo_err *err)
{
	void *items = NULL;
	ordo_code rc;

	if (next)
		rc = q_page(q, limit, sizeof(order_defect),
			    offsetof(order_defect, seq), read_defect, &items,
			    n, next, what, err);
	else
		rc = q_rows(q, SIZE_MAX, sizeof(order_defect), read_defect,
			    &items, n, what, err);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_defects_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, order_defect **out,
				 size_t *n, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_DEFECTS_OF_ORDER, tenant, order_id,
			     err);
	if (rc)
		goto out;
	rc = defect_read_all(&q, 0, NULL, out, n, "reading an order's defects",
			     err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_defect_list(store_tx *tx, int64_t tenant, const char *type,
			    const char *rule_id, ordo_time from, ordo_time to,
			    int64_t before_seq, int limit, order_defect **out,
			    size_t *n, int64_t *next, ordo_err *err)
{
	struct q q = {0};
	bool typed = type && type[0], ruled = rule_id && rule_id[0];
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(limit, before_seq, err);
	if (rc)
		goto out;
	if (typed && ruled) {
		rc = ordo_err_set(err, ORDO_EINVALID, "rule_id",
				  "list defects by type or by rule_id, not "
				  "both at once");
		goto out;
	}
	rc = q_open(&q, tx,
		    ruled   ? SQL_DEFECT_LIST_RULE
		    : typed ? SQL_DEFECT_LIST_TYPE
			    : SQL_DEFECT_LIST,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, sql_page_bound(before_seq));
	q_i64(&q, from != 0 ? from : INT64_MIN);
	q_i64(&q, to != 0 ? to : INT64_MAX);
	if (typed || ruled)
		q_str(&q, ruled ? rule_id : type);
	q_i64(&q, (int64_t)limit + 1);
	rc = defect_read_all(&q, limit, next, out, n, "listing defects", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_defect_count(store_tx *tx, int64_t tenant,
				   const char *order_id, int64_t *n,
				   ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_DEFECT_COUNT, tenant, order_id, err);
	if (rc)
		goto out;
	rc = q_step(&q, &row, "counting an order's defects", NULL, err);
	if (!rc && row)
		*n = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

/* ---- what policies are judged on ----------------------------------------- */

void q_bind_history(struct q *q, int64_t tenant, const char *customer_key,
		    ordo_time before, int64_t before_seq)
{
	/* No key matches nothing: a keyless order has no history, and
	 * counting every keyless order would grow with them. */
	q_i64(q, tenant);
	q_str_or_null(q, customer_key);
	q_i64(q, before);
	q_i64(q, before);
	q_i64(q, before_seq);
	q_i64(q, tenant);
	q_str_or_null(q, customer_key);
	q_i64(q, before);
	q_i64(q, before);
	q_i64(q, before_seq);
	q_i64(q, before); /* defects known by then */
}

ordo_code store_customer_history(store_tx *tx, int64_t tenant,
				 const char *customer_key, ordo_time before,
				 int64_t before_seq,
				 int64_t *orders, int64_t *defects,
				 ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc = ORDO_OK;

	*orders = 0;
	*defects = 0;
	/* Orders without a key are nobody's: no history to count. */
	if (!customer_key || !customer_key[0])
		goto out;
	/* Looked up with the rest of intake's lookups (sql_orders.c)? */
	if (sql_lookups_history(tx, tenant, customer_key, before, before_seq,
				orders, defects))
		goto out;
	rc = q_open(&q, tx, SQL_CUSTOMER_HISTORY, err);
	if (rc)
		goto out;
	q_bind_history(&q, tenant, customer_key, before, before_seq);
	rc = q_step(&q, &row, "counting a customer's orders", NULL, err);
	if (!rc && row) {
		*orders = q_col_i64(&q);
		*defects = q_col_i64(&q);
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_handling_time(store_tx *tx, int64_t tenant, int64_t *mean_s,
			      int64_t *n, ordo_err *err)
{
	struct q q = {0};
	int64_t count = 0, sum = 0;
	bool row;
	ordo_code rc;

	*mean_s = 0;
	*n = 0;
	rc = q_open(&q, tx, SQL_HANDLING_TIME, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, hold_status_name(HOLD_RESOLVED));
	q_str(&q, "system");
	rc = q_step(&q, &row, "measuring handling time", NULL, err);
	if (rc || !row)
		goto out;
	count = q_col_i64(&q);
	sum = q_col_i64(&q);
	/* Whole seconds, rounded down (every term is >= 0). */
	if (count > 0) {
		*mean_s = sum / count;
		*n = count;
	}
out:
	q_close(&q);
	return rc;
}

/* ---- the defects of a page of orders ------------------------------------- */

struct page_defect {
	int64_t order_seq;
	order_defect d;
};

static ordo_code read_page_defect(struct q *q, void *item, ordo_err *err)
{
	struct page_defect *r = item;

	r->order_seq = q_col_i64(q);
	return q_col_defect(q, &r->d, err);
}

ordo_code sql_page_defects(store_tx *tx, order *orders, size_t n,
			   ordo_err *err)
{
	const char *what = "reading the page's defects";
	struct q q = {0};
	struct q_parent *to = NULL;
	void *raw = NULL;
	size_t n_d = 0, i;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_PAGE_DEFECTS, err);
	if (rc == ORDO_OK) {
		q_page_seqs(&q, orders, n);
		rc = q_rows(&q, SIZE_MAX, sizeof(struct page_defect),
			    read_page_defect, &raw, &n_d, what, err);
	}
	q_close(&q);
	if (rc)
		goto out;
	to = calloc(n + 1, sizeof(*to));
	if (!to) {
		rc = sql_no_memory(err, what);
		goto out;
	}
	for (i = 0; i < n; i++)
		to[i] = (struct q_parent){orders[i].seq, &orders[i].defects,
					  &orders[i].n_defects};
	rc = q_spread(to, n, raw, n_d, sizeof(struct page_defect),
		      offsetof(struct page_defect, d), sizeof(order_defect),
		      SIZE_MAX, what, err);
out:
	free(raw);
	free(to);
	return rc;
}

const char *sql_history_named(const char *name)
{
	return strcmp(name, "page_defects") == 0 ? sql_text[SQL_PAGE_DEFECTS]
						 : NULL;
}
