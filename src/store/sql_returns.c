/*
 * sql_returns.c - returns of orders (migration 0019): a return's row and
 * its lines, written when it is authorised and again as it is received
 * and refunded; one return; an order's returns; the tenant's returns, a
 * page at a time, their lines read at once. See store.h for the contract
 * of each public function.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* What a return is after its id: its head, then its course (what a
 * receipt or a refund writes). */
#define SQL_RETURN_HEAD_OF(p)                                                  \
	p "reason, " p "note, " p "created_by, " p "created_at, " p "currency, "  \
	p "defect_id"
#define SQL_RETURN_COURSE_OF(p)                                                \
	p "state, " p "updated_at, " p "received_at, " p "refund_amount, "     \
	p "refund_reference, " p "refunded_by, " p "refunded_at"
#define SQL_RETURN_COLS                                                        \
	"r.seq, r.id, o.id, " SQL_RETURN_HEAD_OF("r.") ", "                    \
	SQL_RETURN_COURSE_OF("r.")
#define SQL_RETURN_FROM " FROM returns r JOIN orders o ON o.seq = r.order_seq "
/* A line's columns after its return's seq (q_col_return_line). */
#define SQL_RETURN_LINE_COLS "line_no, sku, quantity, received, restocked"

Q_ENUM_NAMES(reason_names, return_reason, return_reason_name,
	     return_reason_parse);

static const struct q_field head_fields[] = {
	Q_ENUM(order_return, reason, &reason_names),
	Q_TEXT(order_return, note),
	Q_TEXT(order_return, created_by),
	Q_I64(order_return, created_at),
	Q_TEXT(order_return, currency),
	Q_TEXT(order_return, defect_id),
};

static const struct q_field course_fields[] = {
	Q_TEXT(order_return, state),
	Q_I64(order_return, updated_at),
	Q_I64(order_return, received_at),
	Q_I64(order_return, refund_amount),
	Q_TEXT(order_return, refund_reference),
	Q_TEXT(order_return, refunded_by),
	Q_I64(order_return, refunded_at),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_RETURN_INSERT] = "INSERT INTO returns (id, tenant_id, order_seq, "
			      SQL_RETURN_HEAD_OF("") ", "
			      SQL_RETURN_COURSE_OF("") ") "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			      "?, ?, ?) RETURNING seq",
	/* No row back: no such return of the tenant. */
	[SQL_RETURN_UPDATE] = "UPDATE returns SET (" SQL_RETURN_COURSE_OF("")
			      ") = (?, ?, ?, ?, ?, ?, ?) "
			      "WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* return_seq comes from a row that matched the tenant. */
	[SQL_RETURN_LINE_PUT] = "INSERT INTO return_lines (return_seq, "
				"line_no, sku, quantity, received, "
				"restocked) VALUES (?, ?, ?, ?, ?, ?) "
				"ON CONFLICT (return_seq, line_no) DO UPDATE "
				"SET received = excluded.received, "
				"restocked = excluded.restocked",
	[SQL_RETURN_GET] = "SELECT " SQL_RETURN_COLS SQL_RETURN_FROM
			   "WHERE r.tenant_id = ? AND r.id = ?",
	/* order_seq comes from a row that matched the tenant. */
	[SQL_RETURNS_OF_ORDER] = "SELECT " SQL_RETURN_COLS SQL_RETURN_FROM
				 "WHERE r.order_seq = ? ORDER BY r.seq",
	[SQL_RETURNS_COUNT] = "SELECT count(*) FROM returns "
			      "WHERE order_seq = ?",
	[SQL_RETURN_LINES_OF] = "SELECT " SQL_RETURN_LINE_COLS
				" FROM return_lines "
				"WHERE return_seq = ? ORDER BY line_no",
	/* The tenant's returns, newest first, one text per combination of
	 * filters; the first page binds INT64_MAX as the cursor. Read by
	 * returns_tenant and returns_state (migration 0031). */
	[SQL_RETURN_LIST] = "SELECT " SQL_RETURN_COLS SQL_RETURN_FROM
			    "WHERE r.tenant_id = ? AND r.seq < ? "
			    "ORDER BY r.seq DESC LIMIT ?",
	[SQL_RETURN_LIST_STATE] = "SELECT " SQL_RETURN_COLS SQL_RETURN_FROM
				  "WHERE r.tenant_id = ? AND r.seq < ? "
				  "AND r.state = ? "
				  "ORDER BY r.seq DESC LIMIT ?",
	/* The lines of many returns, of the tenant's rows (q_children):
	 * their primary keys, the returns' in turn. */
	[SQL_RETURNS_LINES] = "SELECT return_seq, " SQL_RETURN_LINE_COLS
			      " FROM return_lines "
			      "WHERE return_seq IN " SQL_PAGE_IN " "
			      "ORDER BY return_seq, line_no",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_returns_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

const char *sql_returns_named(const char *name)
{
	if (strcmp(name, "return_list") == 0)
		return sql_text[SQL_RETURN_LIST];
	if (strcmp(name, "return_list_state") == 0)
		return sql_text[SQL_RETURN_LIST_STATE];
	return NULL;
}

/* ---- returns ------------------------------------------------------------- */

static ordo_code lines_put(store_tx *tx, const order_return *r, ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < r->n_lines; i++) {
		const return_line *l = &r->lines[i];

		q_close(&q);
		rc = q_open(&q, tx, SQL_RETURN_LINE_PUT, err);
		if (rc)
			break;
		q_i64(&q, r->seq);
		q_i64(&q, l->line_no);
		q_str(&q, l->sku);
		q_i64(&q, l->quantity);
		q_i64(&q, l->received);
		q_i64(&q, l->restocked);
		rc = q_exec(&q, "return line", "lines", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_return_insert(store_tx *tx, int64_t tenant, order_return *r,
			      ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_return_insert", err);
	if (rc == ORDO_OK)
		rc = order_seq_of(tx, tenant, r->order_id, "order_id", &oseq,
				  err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_RETURN_INSERT, err);
	if (rc == ORDO_OK) {
		q_str(&q, r->id);
		q_i64(&q, tenant);
		q_i64(&q, oseq);
		q_bind_row(&q, r, head_fields);
		q_bind_row(&q, r, course_fields);
		rc = q_insert_returning(&q, &r->seq, "return", "id", err);
	}
	q_close(&q);
	return rc ? rc : lines_put(tx, r, err);
}

ordo_code store_return_update(store_tx *tx, int64_t tenant,
			      const order_return *r, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_return_update", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_RETURN_UPDATE, err);
	if (rc == ORDO_OK) {
		q_bind_row(&q, r, course_fields);
		q_i64(&q, tenant);
		q_str(&q, r->id);
		rc = q_step_one(&q, "updating a return", "id", "return", r->id,
				err);
	}
	q_close(&q);
	return rc ? rc : lines_put(tx, r, err);
}

/* Read one return's row (SQL_RETURN_COLS) into r, then its lines. */
static ordo_code read_return(struct q *q, void *item, ordo_err *err)
{
	order_return *r = item;

	memset(r, 0, sizeof(*r));
	r->seq = q_col_i64(q);
	q_col_str(q, r->id, sizeof(r->id));
	q_col_str(q, r->order_id, sizeof(r->order_id));
	q_read_row(q, r, head_fields);
	q_read_row(q, r, course_fields);
	return q_row_end(q, "reading a return", err);
}

/* One line's columns (SQL_RETURN_LINE_COLS) into l. */
static void q_col_return_line(struct q *q, return_line *l)
{
	l->line_no = (int)q_col_i64(q);
	q_col_str(q, l->sku, sizeof(l->sku));
	l->quantity = q_col_i64(q);
	l->received = q_col_i64(q);
	l->restocked = q_col_i64(q);
}

static ordo_code lines_load(store_tx *tx, order_return *r, ordo_err *err)
{
	struct q q = {0};
	bool row = true;
	ordo_code rc = q_open(&q, tx, SQL_RETURN_LINES_OF, err);

	if (rc == ORDO_OK)
		q_i64(&q, r->seq);
	while (rc == ORDO_OK) {
		return_line *l;

		rc = q_step(&q, &row, "reading a return's lines", NULL, err);
		if (rc || !row)
			break;
		if (r->n_lines >= RETURN_LINES_MAX) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, "lines",
					  "return %s has more than %d lines",
					  r->id, RETURN_LINES_MAX);
			break;
		}
		l = &r->lines[r->n_lines++];
		q_col_return_line(&q, l);
		rc = q_row_end(&q, "reading a return's lines", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_return_get(store_tx *tx, int64_t tenant, const char *id,
			   order_return *r, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = q_get(&q, tx, SQL_RETURN_GET, tenant, id, "reading a return",
		   "id", "return", err);
	if (rc == ORDO_OK)
		rc = read_return(&q, r, err);
	q_close(&q);
	return rc ? rc : lines_load(tx, r, err);
}

ordo_code store_returns_count(store_tx *tx, int64_t tenant,
			      const char *order_id, int64_t *n, ordo_err *err)
{
	return sql_count_of_order(tx, SQL_RETURNS_COUNT,
				  sql_text[SQL_RETURNS_COUNT], tenant,
				  order_id, n, err);
}

ordo_code store_returns_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, order_return **out,
				 size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	size_t i;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_RETURNS_OF_ORDER, tenant, order_id,
			     err);
	if (rc == ORDO_OK)
		rc = q_rows(&q, STORE_RETURNS_MAX, sizeof(order_return),
			    read_return, &items, n,
			    "reading an order's returns", err);
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	for (i = 0; rc == ORDO_OK && i < *n; i++)
		rc = lines_load(tx, &(*out)[i], err);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

/* Rows of SQL_RETURNS_LINES: the return's seq, then the line. */
struct page_return_line {
	int64_t return_seq;
	return_line l;
};

static ordo_code read_page_return_line(struct q *q, void *item,
				       ordo_err *err)
{
	struct page_return_line *r = item;

	r->return_seq = q_col_i64(q);
	q_col_return_line(q, &r->l);
	return q_row_end(q, "reading a return's lines", err);
}

/*
 * The lines of the n returns of a page, by one statement (q_children)
 * whatever n: each return's handed out into an array of its own, then
 * copied into the return, which holds at most RETURN_LINES_MAX.
 */
static ordo_code page_lines_load(store_tx *tx, order_return *items,
				 size_t n, ordo_err *err)
{
	struct q_parent *to = calloc(n, sizeof(*to));
	return_line **got = calloc(n, sizeof(*got));
	size_t *got_n = calloc(n, sizeof(*got_n));
	size_t i;
	ordo_code rc = ORDO_OK;

	if (!to || !got || !got_n)
		rc = sql_no_memory(err, "reading returns' lines");
	for (i = 0; rc == ORDO_OK && i < n; i++)
		to[i] = (struct q_parent){items[i].seq, &got[i], &got_n[i]};
	if (rc == ORDO_OK)
		rc = q_children(tx, SQL_RETURNS_LINES, to, n,
				sizeof(struct page_return_line),
				read_page_return_line,
				offsetof(struct page_return_line, l),
				sizeof(return_line), "reading returns' lines",
				err);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		if (got_n[i] > RETURN_LINES_MAX) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, "lines",
					  "return %s has more than %d lines",
					  items[i].id, RETURN_LINES_MAX);
			break;
		}
		if (got_n[i])
			memcpy(items[i].lines, got[i],
			       got_n[i] * sizeof(return_line));
		items[i].n_lines = got_n[i];
	}
	for (i = 0; got && i < n; i++)
		free(got[i]);
	free(got);
	free(got_n);
	free(to);
	return rc;
}

ordo_code store_return_list(store_tx *tx, int64_t tenant, const char *state,
			    int64_t before_seq, int limit, order_return **out,
			    size_t *n, int64_t *next, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(limit, before_seq, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx,
			    state ? SQL_RETURN_LIST_STATE : SQL_RETURN_LIST,
			    err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, sql_page_bound(before_seq));
		if (state)
			q_str(&q, state);
		q_i64(&q, (int64_t)limit + 1);
		rc = q_page(&q, limit, sizeof(order_return),
			    offsetof(order_return, seq), read_return, &items,
			    n, next, "listing returns", err);
	}
	q_close(&q);
	if (rc == ORDO_OK && *n)
		rc = page_lines_load(tx, items, *n, err);
	*out = q_rows_done(rc, items, n);
	if (rc)
		*next = 0;
	return rc;
}
