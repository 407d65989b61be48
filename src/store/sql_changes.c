/*
 * sql_changes.c - changes and cancellations asked of orders (migration
 * 0019): each one's row, written when it is asked and again when it is
 * decided; an order's changes; the requests whose answer is overdue; the
 * tenant's requests waiting for an answer. See store.h for the contract
 * of each public function.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* What a change is, after its id (change_fields). */
#define SQL_CHANGE_WHAT_OF(p)                                                  \
	p "kind, " p "detail, " p "summary, " p "reason, " p "state, "         \
	p "requested_by, " p "requested_at, " p "due_at, " p "decided_by, "    \
	p "decided_at, " p "decision_reason, " p "fulfillments, " p "hold_id"
/* A change with its order's id, from "order_changes c JOIN orders o". */
#define SQL_CHANGE_COLS                                                        \
	"c.seq, c.tenant_id, c.id, o.id, " SQL_CHANGE_WHAT_OF("c.")
#define SQL_CHANGE_FROM                                                        \
	" FROM order_changes c JOIN orders o ON o.seq = c.order_seq "

static const struct q_field change_fields[] = {
	Q_TEXT(store_change, kind),
	Q_TEXT(store_change, detail),
	Q_TEXT(store_change, summary),
	Q_TEXT(store_change, reason),
	Q_TEXT(store_change, state),
	Q_TEXT(store_change, requested_by),
	Q_I64(store_change, requested_at),
	Q_I64(store_change, due_at),
	Q_TEXT(store_change, decided_by),
	Q_I64(store_change, decided_at),
	Q_TEXT(store_change, decision_reason),
	Q_TEXT(store_change, fulfillments),
	Q_TEXT(store_change, hold_id),
};

/* What a decision writes, in this order. */
static const struct q_field decision_fields[] = {
	Q_TEXT(store_change, state),
	Q_TEXT(store_change, decided_by),
	Q_I64(store_change, decided_at),
	Q_TEXT(store_change, decision_reason),
	Q_TEXT(store_change, hold_id),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_CHANGE_INSERT] = "INSERT INTO order_changes (id, tenant_id, "
			      "order_seq, " SQL_CHANGE_WHAT_OF("") ") "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			      "?, ?, ?) RETURNING seq",
	/* No row back: no such change, or it is no longer in state `from`
	 * (someone decided it first). */
	[SQL_CHANGE_DECIDE] = "UPDATE order_changes SET (state, decided_by, "
			      "decided_at, decision_reason, hold_id) = "
			      "(?, ?, ?, ?, ?) WHERE id = ? AND tenant_id = ? "
			      "AND state = ? RETURNING seq",
	[SQL_CHANGE_GET] = "SELECT " SQL_CHANGE_COLS SQL_CHANGE_FROM
			   "WHERE c.tenant_id = ? AND c.id = ?",
	/* order_seq comes from a row that matched the tenant. */
	[SQL_CHANGES_OF_ORDER] = "SELECT " SQL_CHANGE_COLS SQL_CHANGE_FROM
				 "WHERE c.order_seq = ? ORDER BY c.seq",
	/* order_seq comes from a row that matched the tenant. */
	[SQL_CHANGE_WAITING] = "SELECT " SQL_CHANGE_COLS SQL_CHANGE_FROM
			       "WHERE c.order_seq = ? AND c.state = "
			       "'requested' ORDER BY c.seq LIMIT 1",
	[SQL_CHANGES_COUNT] = "SELECT count(*) FROM order_changes "
			      "WHERE order_seq = ?",
	/* Any tenant's; each change names its own. */
	[SQL_CHANGES_DUE] = "SELECT " SQL_CHANGE_COLS SQL_CHANGE_FROM
			    "WHERE c.state = 'requested' AND c.due_at <= ? "
			    "ORDER BY c.due_at LIMIT ?",
	/* The tenant's requests waiting for an answer, oldest due first,
	 * after the cursor (due_at, seq): order_changes_waiting (migration
	 * 0031) holds them alone, in this order. */
	[SQL_CHANGE_REQUESTS] = "SELECT " SQL_CHANGE_COLS ", o.external_id, "
				"o.customer_name" SQL_CHANGE_FROM
				"WHERE c.tenant_id = ? AND c.state = "
				"'requested' AND (c.due_at, c.seq) > (?, ?) "
				"ORDER BY c.due_at, c.seq LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_changes_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

const char *sql_changes_named(const char *name)
{
	if (strcmp(name, "change_requests") == 0)
		return sql_text[SQL_CHANGE_REQUESTS];
	return NULL;
}

/* ---- changes ------------------------------------------------------------- */

ordo_code store_change_insert(store_tx *tx, int64_t tenant, store_change *c,
			      ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_change_insert", err);
	if (rc == ORDO_OK)
		rc = order_seq_of(tx, tenant, c->order_id, "order_id", &oseq,
				  err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_CHANGE_INSERT, err);
	if (rc == ORDO_OK) {
		q_str(&q, c->id);
		q_i64(&q, tenant);
		q_i64(&q, oseq);
		q_bind_row(&q, c, change_fields);
		rc = q_insert_returning(&q, &c->seq, "change", "id", err);
	}
	if (rc == ORDO_OK)
		c->tenant_id = tenant;
	q_close(&q);
	return rc;
}

ordo_code store_change_decide(store_tx *tx, int64_t tenant,
			      const store_change *c, const char *from,
			      ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_change_decide", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_CHANGE_DECIDE, err);
	if (rc)
		goto out;
	q_bind_row(&q, c, decision_fields);
	q_str(&q, c->id);
	q_i64(&q, tenant);
	q_str(&q, from);
	rc = q_step(&q, &row, "deciding a change", "id", err);
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ECONFLICT, "state",
				  "change %s is no longer %s", c->id, from);
out:
	q_close(&q);
	return rc;
}

static ordo_code read_change(struct q *q, void *item, ordo_err *err)
{
	store_change *c = item;

	memset(c, 0, sizeof(*c));
	c->seq = q_col_i64(q);
	c->tenant_id = q_col_i64(q);
	q_col_str(q, c->id, sizeof(c->id));
	q_col_str(q, c->order_id, sizeof(c->order_id));
	q_read_row(q, c, change_fields);
	return q_row_end(q, "reading a change", err);
}

ordo_code store_change_get(store_tx *tx, int64_t tenant, const char *id,
			   store_change *c, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = q_get(&q, tx, SQL_CHANGE_GET, tenant, id, "reading a change",
		   "id", "change", err);
	if (rc == ORDO_OK)
		rc = read_change(&q, c, err);
	q_close(&q);
	return rc;
}

ordo_code store_changes_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, store_change **out,
				 size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_CHANGES_OF_ORDER, tenant, order_id,
			     err);
	if (rc == ORDO_OK)
		rc = q_rows(&q, STORE_CHANGES_MAX, sizeof(store_change),
			    read_change, &items, n, "reading an order's changes",
			    err);
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_change_waiting(store_tx *tx, int64_t tenant,
				const char *order_id, store_change *c,
				bool *found, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*found = false;
	rc = q_open_of_order(&q, tx, SQL_CHANGE_WAITING, tenant, order_id,
			     err);
	if (rc == ORDO_OK)
		rc = q_step(&q, found, "reading an order's change request",
			    NULL, err);
	if (rc == ORDO_OK && *found)
		rc = read_change(&q, c, err);
	q_close(&q);
	return rc;
}

/* The count statement id of the order's rows (sql_returns.c's too). */
ordo_code sql_count_of_order(store_tx *tx, unsigned id, const char *sql,
			     int64_t tenant, const char *order_id, int64_t *n,
			     ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc;

	*n = 0;
	rc = q_open_of_order_sql(&q, tx, id, sql, tenant, order_id, err);
	if (rc == ORDO_OK)
		rc = q_step(&q, &row, "counting an order's rows", NULL, err);
	if (rc == ORDO_OK && row)
		*n = q_col_i64(&q);
	q_close(&q);
	return rc;
}

ordo_code store_changes_count(store_tx *tx, int64_t tenant,
			      const char *order_id, int64_t *n, ordo_err *err)
{
	return sql_count_of_order(tx, SQL_CHANGES_COUNT,
				  sql_text[SQL_CHANGES_COUNT], tenant,
				  order_id, n, err);
}

ordo_code store_changes_due(store_tx *tx, int64_t now, int limit,
			    store_change **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_CHANGES_DUE, err);
	if (rc == ORDO_OK) {
		q_i64(&q, now);
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(store_change),
			    read_change, &items, n,
			    "finding change requests past due", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

/* A request of the list: the change, then its order's external id and
 * customer's name. */
static ordo_code read_change_request(struct q *q, void *item, ordo_err *err)
{
	store_change_request *r = item;
	ordo_code rc = read_change(q, &r->change, err);

	if (rc)
		return rc;
	q_col_str(q, r->external_id, sizeof(r->external_id));
	q_col_str(q, r->customer_name, sizeof(r->customer_name));
	return q_row_end(q, "reading a change request", err);
}

ordo_code store_change_requests(store_tx *tx, int64_t tenant,
				ordo_time after_due, int64_t after_seq,
				int limit, store_change_request **out,
				size_t *n, bool *more, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	int64_t next = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*more = false;
	rc = sql_check_limit(limit, ORDO_PAGE_MAX, err);
	if (rc == ORDO_OK && after_seq < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_CHANGE_REQUESTS, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		/* The first page's cursor is before every (due_at, seq). */
		q_i64(&q, after_seq > 0 ? after_due : INT64_MIN);
		q_i64(&q, after_seq);
		q_i64(&q, (int64_t)limit + 1);
		/* A change's seq is never 0: a cursor back means another
		 * page. */
		rc = q_page(&q, limit, sizeof(store_change_request),
			    offsetof(store_change_request, change.seq),
			    read_change_request, &items, n, &next,
			    "listing change requests", err);
	}
	q_close(&q);
	*more = next != 0;
	*out = q_rows_done(rc, items, n);
	return rc;
}
