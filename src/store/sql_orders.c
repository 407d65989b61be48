/*
 * sql_orders.c - orders with their lines and holds as stored with them:
 * insert, get (with the row lock of write jobs on PostgreSQL), the whole
 * order update, the lookups by external id and fingerprint, and the scans
 * across tenants of orders due to close (the order list is
 * sql_order_list.c's). An order row is read by one function (q_col_order,
 * q_read_order for lists), a line by one (q_col_line) and a hold by one
 * (q_col_hold, which the review queue uses too), each from its arrays of members (order_*_fields,
 * line_*_fields, hold_*_fields), which also bind what is written. Line
 * quantities are checked before writing (order_check, in every build) and
 * again when read back. See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define SQL_Q20 SQL_Q10 "," SQL_Q10

Q_ENUM_NAMES(payment_names, payment_status, payment_status_name,
	     payment_status_parse);
Q_ENUM_NAMES(order_state_names, order_state, order_state_name,
	     order_state_parse);

static const struct q_field order_head_fields[] = {
	Q_I64(order, tenant_id),	 Q_TEXT(order, id),
	Q_TEXT_OR_NULL(order, external_id), Q_TEXT(order, channel),
	Q_I64(order, placed_at),	 Q_I64(order, received_at),
	Q_TEXT(order, currency),	 Q_TEXT(order, channel_kind),
	Q_I64_OR_NULL(order, created_key),
};

static const struct q_field order_content_fields[] = {
	Q_TEXT(order, customer.external_id),
	Q_TEXT(order, customer.name),
	Q_TEXT(order, customer.email),
	Q_TEXT(order, customer.phone),
	Q_ADDRESS(order, ship_to),
	Q_BOOL(order, has_bill_to),
	Q_ADDRESS(order, bill_to),
	Q_TEXT(order, shipping.method),
	Q_I64(order, shipping.amount),
	Q_I64(order, totals.subtotal),
	Q_I64(order, totals.shipping),
	Q_I64(order, totals.tax),
	Q_I64(order, totals.discount),
	Q_I64(order, totals.total),
	Q_ENUM(order, payment, &payment_names),
	Q_TEXT(order, notes),
	Q_TEXT(order, fingerprint),
	Q_TEXT(order, customer_key),
};

static const struct q_field order_course_fields[] = {
	Q_ENUM(order, state, &order_state_names),
	Q_I64(order, updated_at),
	Q_I64(order, accepted_at),
	Q_I64(order, release_due_at),
	Q_I64(order, released_at),
	Q_I64(order, delivered_at),
	Q_I64(order, closed_at),
	Q_I64(order, version),
	Q_I64(order, state_since),
	Q_I64(order, marks),
	Q_TEXT(order, approved_rule),
};

static const struct q_field line_content_fields[] = {
	Q_TEXT(order_line, sku),
	Q_TEXT(order_line, title),
	Q_I64(order_line, unit_price),
	Q_TEXT(order_line, external_id),
};

static const struct q_field line_qty_fields[] = {
	Q_I64(order_line, quantity),	  Q_I64(order_line, qty_open),
	Q_I64(order_line, qty_allocated), Q_I64(order_line, qty_released),
	Q_I64(order_line, qty_shipped),	  Q_I64(order_line, qty_cancelled),
	Q_I64(order_line, qty_returned),
};

/* Open and resolved are the only statuses a hold has; core names them. */
static int hold_status_parse(const char *name, hold_status *out)
{
	if (strcmp(name, hold_status_name(HOLD_OPEN)) == 0)
		*out = HOLD_OPEN;
	else if (strcmp(name, hold_status_name(HOLD_RESOLVED)) == 0)
		*out = HOLD_RESOLVED;
	else
		return -1;
	return 0;
}

Q_ENUM_NAMES(hold_type_names, hold_type, hold_type_name, hold_type_parse);
Q_ENUM_NAMES(hold_status_names, hold_status, hold_status_name,
	     hold_status_parse);

/* SQL_HOLD_HEAD_COLS_OF. */
static const struct q_field hold_head_fields[] = {
	Q_TEXT(order_hold, id),
	Q_ENUM(order_hold, type, &hold_type_names),
	Q_TEXT(order_hold, field),
	Q_TEXT(order_hold, message),
	Q_TEXT(order_hold, related_order_id),
	Q_TEXT(order_hold, raised_by),
	Q_I64(order_hold, created_at),
	Q_TEXT(order_hold, rule_id),
	Q_INT(order_hold, policy_version),
};

/* SQL_HOLD_COURSE_COLS_OF. */
static const struct q_field hold_course_fields[] = {
	Q_ENUM(order_hold, status, &hold_status_names),
	Q_INT(order_hold, priority),
	Q_I64(order_hold, due_at),
	Q_TEXT(order_hold, assignee),
	Q_I64(order_hold, claimed_at),
	Q_I64(order_hold, claimed_until),
	Q_BOOL(order_hold, escalated),
	Q_TEXT(order_hold, resolution),
	Q_TEXT(order_hold, resolution_reason),
	Q_TEXT(order_hold, resolved_by),
	Q_I64(order_hold, resolved_at),
};

static const char *const sql_text[SQL_COUNT] = {
	/* No row back: (tenant, channel, external id) is taken. */
	/* Then the source it came in (SQL_ORDER_SOURCE reads it). */
	[SQL_ORDER_INSERT] = "INSERT INTO orders (" SQL_ORDER_COLS_NOSEQ
			     ", source_type, source) "
			     "VALUES (" SQL_Q10 "," SQL_Q10 "," SQL_Q10
			     "," SQL_Q10 ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
			     "ON CONFLICT (tenant_id, channel, external_id) "
			     "DO NOTHING RETURNING seq",
	/* SQL_ORDER_INSERT with a seq drawn ahead (db.h, SEQS DRAWN AHEAD). */
	[SQL_ORDER_INSERT_SEQ] = "INSERT INTO orders (seq, "
				 SQL_ORDER_COLS_NOSEQ ", source_type, source) "
				 "OVERRIDING SYSTEM VALUE VALUES (?, " SQL_Q10
				 "," SQL_Q10 "," SQL_Q10 "," SQL_Q10
				 ",?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
				 "ON CONFLICT (tenant_id, channel, external_id) "
				 "DO NOTHING RETURNING seq",
	[SQL_LINE_INSERT] = "INSERT INTO order_lines (order_seq, "
			    SQL_LINE_COLS ") VALUES (?, " SQL_Q10 ", ?, ?)",
	[SQL_HOLD_INSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			    SQL_HOLD_COLS ") VALUES (?, ?, " SQL_Q20 ")",
	[SQL_ORDER_GET] = "SELECT " SQL_ORDER_COLS " FROM orders "
			  "WHERE tenant_id = ? AND id = ?",
	/* SQL_ORDER_GET locking the row: drivers with row_locks, inside a
	 * write transaction (changes to one order, one node at a time). */
	[SQL_ORDER_GET_LOCKED] = "SELECT " SQL_ORDER_COLS " FROM orders "
				 "WHERE tenant_id = ? AND id = ? FOR UPDATE",
	/* The tenant's order of a seq (an X12 depositor order number). */
	[SQL_ORDER_ID_BY_SEQ] = "SELECT id FROM orders "
				"WHERE seq = ? AND tenant_id = ?",
	[SQL_ORDER_SEQ] = "SELECT seq FROM orders "
			  "WHERE tenant_id = ? AND id = ?",
	[SQL_LINE_COUNT] = "SELECT count(*) FROM order_lines "
			   "WHERE order_seq = ?",
	[SQL_LINES_OF] = "SELECT " SQL_LINE_COLS " FROM order_lines "
			 "WHERE order_seq = ? ORDER BY line_no",
	/* Insertion order: SQLite's implicit rowid, an explicit identity
	 * column of that name in PostgreSQL. */
	[SQL_HOLDS_OF] = "SELECT " SQL_HOLD_COLS " FROM holds "
			 "WHERE tenant_id = ? AND order_seq = ? "
			 "ORDER BY created_at, rowid",
	/* No row back: no such order of the tenant. */
	[SQL_ORDER_SET_STATE] = "UPDATE orders SET state = ?, updated_at = ?, "
				"version = version + 1, state_since = ? "
				"WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* No row back: no such order of the tenant. */
	[SQL_ORDER_SET_MARKS] = "UPDATE orders SET marks = ? "
				"WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* No row back: no such order of the tenant. */
	[SQL_ORDER_UPDATE] = "UPDATE orders SET (" SQL_ORDER_COURSE_COLS
			     ") = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			     "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_ORDER_UPDATE_CONTENT] = "UPDATE orders SET ("
				     SQL_ORDER_CONTENT_COLS ") = ("
				     SQL_Q10 "," SQL_Q10 "," SQL_Q10
				     ",?,?,?,?) "
				     "WHERE tenant_id = ? AND id = ? "
				     "RETURNING seq",
	/* order_seq comes from SQL_ORDER_UPDATE_CONTENT (tenant matched). */
	[SQL_LINE_UPDATE_CONTENT] = "UPDATE order_lines SET ("
				    SQL_LINE_CONTENT_COLS ") = (?, ?, ?, ?) "
				    "WHERE order_seq = ? AND line_no = ? "
				    "RETURNING line_no",
	/* order_seq comes from SQL_ORDER_UPDATE, which matched the tenant. */
	[SQL_LINE_UPDATE] = "UPDATE order_lines SET (" SQL_LINE_QTY_COLS
			    ") = (?, ?, ?, ?, ?, ?, ?) "
			    "WHERE order_seq = ? AND line_no = ? "
			    "RETURNING line_no",
	/* No row back: the hold id is another order's. */
	[SQL_HOLD_UPSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			    SQL_HOLD_COLS ") VALUES (?, ?, " SQL_Q20 ") "
			    "ON CONFLICT (id) DO UPDATE SET (" SQL_HOLD_COLS
			    ") = (" SQL_HOLD_COLS_OF("excluded.") ") "
			    "WHERE holds.tenant_id = excluded.tenant_id "
			    "AND holds.order_seq = excluded.order_seq "
			    "RETURNING id",
	/* Any tenant; the default closing period is bound for tenants that
	 * saved no settings. */
	[SQL_ORDERS_DUE_TO_CLOSE] = "SELECT o.tenant_id, o.id FROM orders o "
				    "LEFT JOIN tenant_settings s "
				    "ON s.tenant_id = o.tenant_id "
				    "WHERE o.state = ? AND o.delivered_at + "
				    "coalesce(s.closing_period_s, ?) <= ? "
				    "ORDER BY o.delivered_at, o.seq LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_orders_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- orders -------------------------------------------------------------- */

/* Bind every column of a hold (SQL_HOLD_COLS). */

/* Read one hold (SQL_HOLD_COLS) into h, checking its type and status. */
ordo_code q_col_hold(struct q *q, order_hold *h, ordo_err *err)
{
	memset(h, 0, sizeof(*h));
	q_read_row(q, h, hold_head_fields);
	q_read_row(q, h, hold_course_fields);
	h->was = h->status == HOLD_OPEN ? 1 : 2;
	return q_row_end(q, "reading holds", err);
}

/* Bind a whole hold (SQL_HOLD_COLS). */
static void q_bind_hold(struct q *q, const order_hold *h)
{
	q_bind_row(q, h, hold_head_fields);
	q_bind_hold_course(q, h);
}

void q_bind_hold_course(struct q *q, const order_hold *h)
{
	q_bind_row(q, h, hold_course_fields);
}

/*
 * Write every hold of o under the order's seq with statement id:
 * SQL_HOLD_INSERT (a new order's) or SQL_HOLD_UPSERT, which answers no row
 * for a hold id of another order.
 */
static ordo_code holds_put(store_tx *tx, const order *o, int64_t seq,
			   enum sql_id id, ordo_err *err)
{
	struct q q;
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		rc = q_open(&q, tx, id, err);
		if (rc == ORDO_OK) {
			q_i64(&q, o->tenant_id);
			q_i64(&q, seq);
			q_bind_hold(&q, h);
			/* No row back from the upsert: the hold id is
			 * another order's. */
			rc = q_exec_deferred_row(
				&q, "hold", "holds",
				id == SQL_HOLD_UPSERT ? ORDO_ECONFLICT
						      : ORDO_OK,
				NULL, "a hold of that id belongs to another "
				      "order",
				err);
		}
		q_close(&q);
	}
	return rc;
}

/* A line of the order of seq (ctx) for SQL_LINE_INSERT. */
static void line_bind(struct q *q, const void *item, const void *ctx)
{
	const order_line *l = item;

	q_i64(q, *(const int64_t *)ctx);
	q_i64(q, l->line_no);
	q_bind_row(q, l, line_content_fields);
	q_bind_row(q, l, line_qty_fields);
}

static ordo_code order_children_insert(store_tx *tx, const order *o,
				       int64_t seq, ordo_err *err)
{
	ordo_code rc = q_insert_rows(tx, SQL_LINE_INSERT, o->lines,
				     o->n_lines, sizeof(*o->lines), line_bind,
				     &seq, "order line", "line_no", err);

	if (rc == ORDO_OK)
		rc = holds_put(tx, o, seq, SQL_HOLD_INSERT, err);
	return rc;
}

/*
 * Insert o's row, with the seq drawn ahead (0: none, the database gives
 * it), and its lines and holds; *seq is its seq.
 */
static ordo_code order_rows_insert(store_tx *tx, const order *o,
				   int64_t *seq, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, *seq ? SQL_ORDER_INSERT_SEQ : SQL_ORDER_INSERT,
		    err);
	if (rc)
		goto out;
	if (*seq)
		q_i64(&q, *seq);
	q_bind_row(&q, o, order_head_fields);
	q_bind_row(&q, o, order_content_fields);
	q_bind_row(&q, o, order_course_fields);
	q_str(&q, o->source_type);
	if (o->source)
		q_str(&q, o->source);
	else
		q_str_or_null(&q, NULL);
	if (*seq) {
		/* Its seq known, it need not be waited for; DO NOTHING (no
		 * row) is the external id's conflict, a unique error the
		 * id's. */
		rc = q_exec_deferred_row(&q, "order", "id", ORDO_ECONFLICT,
					 "external_id",
					 "external_id is already taken", err);
		if (rc)
			goto out;
	} else {
		/* The external id's key is DO NOTHING: a unique error is
		 * the id's. */
		rc = q_step(&q, &row, "order", "id", err);
		if (rc)
			goto out;
		if (!row) {
			rc = ordo_err_set(err, ORDO_ECONFLICT, "external_id",
					  "order: external_id is already "
					  "taken");
			goto out;
		}
		*seq = q_col_i64(&q);
	}
	q_close(&q);
	rc = order_children_insert(tx, o, *seq, err);
out:
	q_close(&q);
	return rc;
}

/*
 * AN ORDER WRITTEN ONCE (drivers with sql_seqs and sql_checks_deferred:
 * PostgreSQL). Intake inserts a new order, then in the same job moves it
 * through its states, allocates and releases it, and saves it: written as
 * it goes, its row and its lines' rows would be written twice, each time
 * with every index of orders and order_lines. So a new order whose seq is
 * drawn ahead is kept in the transaction (tx->pending, a copy) and
 * inserted once, as it stands, when the job ends (sql_job_kept_write,
 * from the committer) or before any statement that might read it or its
 * lines (q_open_as in sql_row.c: every statement but those
 * sql_order_may_wait names), whichever comes first; store_order_update of
 * it replaces the copy. The rows written meanwhile that refer to it (its
 * fulfillments and search words; its events, kept too, go in just before
 * its row, by its insert's own q_open) need its row only by then: their
 * foreign keys to orders are deferrable (migration 0013), deferred while it is kept, and checked
 * again as soon as it is written, still inside the job, so that a row
 * referring to no order fails its own job, never the batch. SQLite learns
 * a seq by inserting: there an order is inserted at once.
 */
bool sql_order_may_wait(unsigned id)
{
	switch (id) {
	case SQL_SEQS:
	case SQL_CHECKS_DEFERRED:
	case SQL_CHECKS_IMMEDIATE:
	case SQL_NAMED_LOCK:
	case SQL_EVENT_INSERT:
	case SQL_SETTINGS_GET:
	case SQL_HOLD_SETTINGS_GET:
	case SQL_LOCATION_LIST:
	case SQL_LOCATION_EXISTS:
	case SQL_SKU_EXISTS:
	case SQL_STOCK_OF_SKU:
	case SQL_STOCK_OF_SKU_LOCKED:
	case SQL_STOCK_PUT:
	case SQL_STOCK_EVENT_INSERT:
	case SQL_FUL_INSERT_SEQ:
	case SQL_FUL_LINE_PUT:
	case SQL_WEBHOOKS_FOR_EVENT:
	case SQL_OUTBOX_INSERT:
	case SQL_DELIVERY_INSERT:
	case SQL_SEARCH_INSERT:
		/* none reads orders, order_lines, holds or order_events */
		return true;
	default:
		return false;
	}
}

/* Run one of the driver's statements without parameters, deferred. */
static ordo_code checks_set(store_tx *tx, unsigned id, const char *sql,
			    ordo_err *err)
{
	struct q q;
	ordo_code rc = q_open_sql(&q, tx, id, sql, err);

	if (rc == ORDO_OK)
		rc = q_exec_deferred(&q, "checking foreign keys", NULL, err);
	q_close(&q);
	return rc;
}

/* The running job's new order inserted now (AN ORDER WRITTEN ONCE). */
static ordo_code pending_write(store_tx *tx, ordo_err *err)
{
	order *o = tx->pending;
	int64_t seq;
	ordo_code rc;

	if (!o)
		return ORDO_OK;
	tx->pending = NULL; /* its own statements must not write it again */
	seq = o->seq;
	rc = order_rows_insert(tx, o, &seq, err);
	if (rc == ORDO_OK)
		rc = checks_set(tx, SQL_CHECKS_IMMEDIATE,
				tx->db->sql_checks_immediate, err);
	order_free(o);
	free(o);
	return rc;
}

static void pending_drop(store_tx *tx)
{
	order_free(tx->pending);
	free(tx->pending);
	tx->pending = NULL;
}

ordo_code sql_job_kept_write(store_tx *tx, ordo_err *err)
{
	ordo_code rc = pending_write(tx, err);

	if (rc == ORDO_OK)
		rc = sql_events_write(tx, err);
	return rc;
}

void sql_job_kept_drop(store_tx *tx)
{
	pending_drop(tx);
	tx->events.n = 0;
}

/* Keep a copy of o, with seq, as the order to write (AN ORDER WRITTEN
 * ONCE). */
static ordo_code pending_keep(store_tx *tx, const order *o, int64_t seq,
			      ordo_err *err)
{
	order *copy = malloc(sizeof(*copy));
	ordo_code rc;

	if (!copy)
		return sql_no_memory(err, "keeping an order");
	rc = order_copy(copy, o, err);
	if (rc) {
		free(copy);
		return rc;
	}
	copy->seq = seq;
	pending_drop(tx);
	tx->pending = copy;
	return ORDO_OK;
}

/* Copy the members fields name from src to dst. */
static void fields_copy(void *dst, const void *src,
			const struct q_field *fields, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy((char *)dst + fields[i].offset,
		       (const char *)src + fields[i].offset, fields[i].size);
}

/*
 * Apply o to the kept order p as store_order_update's statements apply it
 * to its rows: its course, each of its lines' quantities (a line p does not
 * have fails, as no row would match), its holds put by id.
 */
static ordo_code pending_update(order *p, const order *o, ordo_err *err)
{
	size_t i, k, add = 0;

	for (i = 0; i < o->n_lines; i++) {
		for (k = 0; k < p->n_lines; k++)
			if (p->lines[k].line_no == o->lines[i].line_no)
				break;
		if (k == p->n_lines)
			return ordo_err_set(err, ORDO_ENOTFOUND, "line_no",
					    "updating an order: the order has "
					    "no such line");
	}
	for (i = 0; i < o->n_holds; i++) {
		for (k = 0; k < p->n_holds; k++)
			if (strcmp(p->holds[k].id, o->holds[i].id) == 0)
				break;
		add += k == p->n_holds;
	}
	if (add) {
		order_hold *more = realloc(p->holds, (p->n_holds + add) *
							     sizeof(*more));

		if (!more)
			return sql_no_memory(err, "keeping an order");
		p->holds = more;
	}
	fields_copy(p, o, order_course_fields, Q_NFIELDS(order_course_fields));
	for (i = 0; i < o->n_lines; i++) {
		for (k = 0; p->lines[k].line_no != o->lines[i].line_no; k++)
			;
		fields_copy(&p->lines[k], &o->lines[i], line_qty_fields,
			    Q_NFIELDS(line_qty_fields));
	}
	for (i = 0; i < o->n_holds; i++) {
		for (k = 0; k < p->n_holds; k++)
			if (strcmp(p->holds[k].id, o->holds[i].id) == 0)
				break;
		p->holds[k] = o->holds[i]; /* k == n_holds: added */
		if (k == p->n_holds)
			p->n_holds++;
	}
	return ORDO_OK;
}

ordo_code store_order_insert(store_tx *tx, order *o, ordo_err *err)
{
	int64_t seq = 0;
	ordo_code rc;

	sql_lookups_forget(tx); /* its answers may change with the order */
	rc = tx_check_writable(tx, "store_order_insert", err);
	if (rc == ORDO_OK)
		rc = order_check(o, err);
	/* A new order is at its first version; saving it again in the same
	 * write does not count (app_order_save). */
	if (o->version == 0)
		o->version = 1;
	if (o->state_since == 0)
		o->state_since = o->updated_at ? o->updated_at : o->received_at;
	o->version_counted = true;
	/* An order kept before this one is written first. */
	if (rc == ORDO_OK)
		rc = pending_write(tx, err);
	if (rc == ORDO_OK)
		rc = sql_seq_draw(tx, TX_SEQ_ORDERS, &seq, err);
	if (rc)
		return rc;
	if (seq && tx->db->sql_checks_deferred) {
		rc = checks_set(tx, SQL_CHECKS_DEFERRED,
				tx->db->sql_checks_deferred, err);
		if (rc == ORDO_OK)
			rc = pending_keep(tx, o, seq, err);
	} else {
		rc = order_rows_insert(tx, o, &seq, err);
	}
	if (rc == ORDO_OK)
		rc = sql_search_insert(tx, seq, o, err);
	if (rc)
		return rc;
	o->seq = seq;
	tx_cache_put_order_seq(tx, o->tenant_id, o->id, seq);
	sql_lookups_inserted(tx, o);
	return ORDO_OK;
}

/* Read one orders row (SQL_ORDER_COLS) into o, which has no lines or holds. */
static ordo_code q_col_order(struct q *q, order *o, ordo_err *err)
{
	order_init(o);
	o->seq = q_col_i64(q);
	q_read_row(q, o, order_head_fields);
	q_read_row(q, o, order_content_fields);
	q_read_row(q, o, order_course_fields);
	o->stored_state = o->state;
	return q_row_end(q, "reading an order", err);
}

ordo_code q_read_order(struct q *q, void *item, ordo_err *err)
{
	return q_col_order(q, item, err);
}

void q_col_line(struct q *q, order_line *l)
{
	l->line_no = (int)q_col_i64(q);
	q_read_row(q, l, line_content_fields);
	q_read_row(q, l, line_qty_fields);
}

/* Load the lines of o (header read, none loaded yet), checking each. */
static ordo_code order_lines_load(store_tx *tx, order *o, ordo_err *err)
{
	struct q q;
	size_t n = 0, i = 0;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_LINE_COUNT, err);
	if (rc)
		goto out;
	q_i64(&q, o->seq);
	rc = q_step(&q, &row, "counting order lines", NULL, err);
	if (rc)
		goto out;
	if (row)
		n = (size_t)q_col_i64(&q);
	q_close(&q);
	rc = order_lines_alloc(o, n, err);
	if (rc)
		goto out;

	rc = q_open(&q, tx, SQL_LINES_OF, err);
	if (rc)
		goto out;
	q_i64(&q, o->seq);
	for (;;) {
		order_line *l;

		rc = q_step(&q, &row, "reading order lines", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		/* One snapshot: the count cannot have changed. */
		if (i >= n) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "order %s: more lines than counted",
					  o->id);
			goto out;
		}
		l = &o->lines[i++];
		q_col_line(&q, l);
		rc = q_row_end(&q, "reading order lines", err);
		if (rc)
			goto out;
		if (!order_line_consistent(l)) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "order %s line %d breaks the "
					  "quantity identity",
					  o->id, l->line_no);
			goto out;
		}
	}
	if (i != n)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "order %s: fewer lines than counted", o->id);
out:
	q_close(&q);
	return rc;
}

static ordo_code order_holds_load(store_tx *tx, order *o, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_HOLDS_OF, err);
	if (rc)
		goto out;
	q_i64(&q, o->tenant_id);
	q_i64(&q, o->seq);
	for (;;) {
		order_hold h;

		rc = q_step(&q, &row, "reading holds", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		rc = q_col_hold(&q, &h, err);
		if (rc)
			goto out;
		if (!order_hold_add(o, &h)) {
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "order %s: cannot load its holds",
					  o->id);
			goto out;
		}
	}
out:
	q_close(&q);
	return rc;
}

/* Load the lines and holds of o (header read, none loaded yet). */
static ordo_code order_children_load(store_tx *tx, order *o, ordo_err *err)
{
	ordo_code rc = order_lines_load(tx, o, err);

	return rc ? rc : order_holds_load(tx, o, err);
}

ordo_code store_order_get(store_tx *tx, int64_t tenant, const char *id,
			  order *o, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	order_free(o);
	/* On a database with row locks, a write job's read locks the order
	 * it is about to change. */
	rc = q_get(&q, tx, q_locking(tx, SQL_ORDER_GET, SQL_ORDER_GET_LOCKED),
		   tenant, id, "reading an order", "id", "order", err);
	if (rc)
		goto out;
	rc = q_col_order(&q, o, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = order_children_load(tx, o, err);
out:
	q_close(&q);
	if (rc)
		order_free(o);
	return rc;
}

ordo_code store_order_set_state(store_tx *tx, int64_t tenant, const char *id,
				order_state state, ordo_time now,
				ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_set_state", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_ORDER_SET_STATE, err);
	if (rc)
		goto out;
	q_str(&q, order_state_name(state));
	q_i64(&q, now);
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step_one(&q, "setting the order state", "id", "order", id, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_set_marks(store_tx *tx, const order *o, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_order_set_marks", err);

	if (rc == ORDO_OK)
		rc = sql_kept_needed(tx, o->seq, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_ORDER_SET_MARKS, err);
	if (rc == ORDO_OK) {
		q_i64(&q, o->marks);
		q_i64(&q, o->tenant_id);
		q_str(&q, o->id);
		rc = q_step_one(&q, "counting an order", "id", "order", o->id,
				err);
	}
	q_close(&q);
	return rc;
}

/* The seq of the tenant's order id, or ORDO_ENOTFOUND naming field. */
ordo_code order_seq_of(store_tx *tx, int64_t tenant, const char *id,
		       const char *field, int64_t *seq, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	if (tx_cache_order_seq(tx, tenant, id, seq))
		return ORDO_OK;
	rc = q_get(&q, tx, SQL_ORDER_SEQ, tenant, id, "finding an order", field,
		   "order", err);
	if (rc == ORDO_OK) {
		*seq = q_col_i64(&q);
		tx_cache_put_order_seq(tx, tenant, id, *seq);
	}
	q_close(&q);
	return rc;
}

ordo_code q_open_of_order_sql(struct q *q, store_tx *tx, unsigned id,
			      const char *sql, int64_t tenant,
			      const char *order_id, ordo_err *err)
{
	int64_t seq = 0;
	ordo_code rc;

	memset(q, 0, sizeof(*q));
	rc = order_seq(tx, tenant, order_id, &seq, err);
	if (rc == ORDO_OK)
		rc = q_open_sql(q, tx, id, sql, err);
	if (rc == ORDO_OK)
		q_i64(q, seq);
	return rc;
}

/* The seq of the tenant's order id, or ORDO_ENOTFOUND naming "id". */
ordo_code order_seq(store_tx *tx, int64_t tenant, const char *id,
		    int64_t *seq, ordo_err *err)
{
	return order_seq_of(tx, tenant, id, "id", seq, err);
}

/* ---- orders: whole-order update ------------------------------------------ */

/*
 * Bind the line's key (its order's seq, its number) after what an update
 * of one line sets, and step: no row is ORDO_ENOTFOUND naming line_no.
 */
/*
 * Rewrite one part of the order o and of each of its lines: statement id
 * sets the order's columns mapped by of (then its key, the tenant and id)
 * and answers its seq; line_id sets each line's columns mapped by lf (then
 * the order's seq and the line's number). A missing order or line is
 * ORDO_ENOTFOUND naming id or line_no.
 */
static ordo_code order_rewrite(store_tx *tx, const order *o, enum sql_id id,
			       const struct q_field *of, size_t n_of,
			       enum sql_id line_id, const struct q_field *lf,
			       size_t n_lf, const char *what, int64_t *seq,
			       ordo_err *err)
{
	struct q q;
	size_t i;
	/* The seq of the row that matched the tenant, not o->seq: known
	 * already when this transaction read or wrote the order, and then
	 * the rewrite is deferred whole (db.h), else read back. */
	bool known = tx_cache_order_seq(tx, o->tenant_id, o->id, seq);
	ordo_code rc = q_open(&q, tx, id, err);

	if (rc == ORDO_OK) {
		q_bind_fields(&q, o, of, n_of);
		q_i64(&q, o->tenant_id);
		q_str(&q, o->id);
		if (known)
			rc = q_exec_deferred_row(&q, what, "id",
						 ORDO_ENOTFOUND, NULL,
						 "no such order", err);
		else
			rc = q_step_one(&q, what, "id", "order", o->id, err);
	}
	if (rc == ORDO_OK && !known)
		*seq = q_col_i64(&q);
	q_close(&q);
	for (i = 0; rc == ORDO_OK && i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		rc = q_open(&q, tx, line_id, err);
		if (rc == ORDO_OK) {
			q_bind_fields(&q, l, lf, n_lf);
			q_i64(&q, *seq);
			q_i64(&q, l->line_no);
			rc = q_exec_deferred_row(&q, what, "line_no",
						 ORDO_ENOTFOUND, NULL,
						 "the order has no such line",
						 err);
		}
		q_close(&q);
	}
	return rc;
}

ordo_code store_order_line_add(store_tx *tx, const order *o,
			       const order_line *l, ordo_err *err)
{
	int64_t seq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_line_add", err);
	/* An order kept to be written is written first: its lines are
	 * rows before this one is added to them. */
	if (rc == ORDO_OK)
		rc = pending_write(tx, err);
	if (rc == ORDO_OK)
		rc = order_seq_of(tx, o->tenant_id, o->id, "id", &seq, err);
	if (rc == ORDO_OK)
		rc = q_insert_rows(tx, SQL_LINE_INSERT, l, 1, sizeof(*l),
				   line_bind, &seq, "order line", "line_no",
				   err);
	return rc;
}

ordo_code store_order_update_content(store_tx *tx, const order *o,
				     ordo_err *err)
{
	int64_t seq;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_update_content", err);
	/* Its keys may change: the batch's lookups no longer stand. */
	sql_lookups_stale(tx);
	if (rc == ORDO_OK)
		rc = order_rewrite(tx, o, SQL_ORDER_UPDATE_CONTENT,
				   order_content_fields,
				   Q_NFIELDS(order_content_fields),
				   SQL_LINE_UPDATE_CONTENT, line_content_fields,
				   Q_NFIELDS(line_content_fields),
				   "correcting an order", &seq, err);
	/* The customer, ship-to and SKUs may have changed: the order's
	 * words in the search index with them. */
	if (rc == ORDO_OK)
		rc = sql_search_set_head(tx, seq, o, err);
	/* Quantities, state and holds: the ordinary update. */
	if (rc == ORDO_OK)
		rc = store_order_update(tx, o, err);
	return rc;
}

ordo_code store_order_update(store_tx *tx, const order *o, ordo_err *err)
{
	int64_t seq;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_update", err);
	if (rc == ORDO_OK)
		rc = order_check(o, err);
	if (rc)
		return rc;
	/* The order kept to be written (AN ORDER WRITTEN ONCE): the update
	 * applied to it, written once. */
	if (tx->pending && tx->pending->seq == o->seq &&
	    tx->pending->tenant_id == o->tenant_id &&
	    strcmp(tx->pending->id, o->id) == 0)
		return pending_update(tx->pending, o, err);
	rc = order_rewrite(tx, o, SQL_ORDER_UPDATE, order_course_fields,
			   Q_NFIELDS(order_course_fields), SQL_LINE_UPDATE,
			   line_qty_fields, Q_NFIELDS(line_qty_fields),
			   "updating an order", &seq, err);
	if (rc == ORDO_OK)
		rc = holds_put(tx, o, seq, SQL_HOLD_UPSERT, err);
	return rc;
}

static ordo_code read_order_ref(struct q *q, void *item, ordo_err *err)
{
	store_order_ref *r = item;

	r->tenant_id = q_col_i64(q);
	q_col_str(q, r->id, sizeof(r->id));
	return q_row_end(q, "finding orders to close", err);
}

ordo_code store_orders_due_to_close(store_tx *tx, ordo_time now, int limit,
				    store_order_ref **out, size_t *n,
				    ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	tenant_settings defaults;
	size_t count = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc)
		goto out;
	settings_defaults(&defaults);
	rc = q_open(&q, tx, SQL_ORDERS_DUE_TO_CLOSE, err);
	if (rc)
		goto out;
	q_str(&q, order_state_name(ORDER_DELIVERED));
	q_i64(&q, defaults.closing_period_s);
	q_i64(&q, now);
	q_i64(&q, limit);
	rc = q_rows(&q, (size_t)limit, sizeof(store_order_ref),
		    read_order_ref, &items, &count, "finding orders to close",
		    err);
out:
	q_close(&q);
	*n = count;
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_order_seq(store_tx *tx, int64_t tenant, const char *id,
			  int64_t *seq, ordo_err *err)
{
	return order_seq(tx, tenant, id, seq, err);
}

ordo_code store_order_id_by_seq(store_tx *tx, int64_t tenant, int64_t seq,
				char id_out[ORDO_ID_MAX], ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc;

	id_out[0] = '\0';
	rc = q_open(&q, tx, SQL_ORDER_ID_BY_SEQ, err);
	if (rc)
		goto out;
	q_i64(&q, seq);
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "finding an order by seq", NULL, err);
	if (rc == ORDO_OK && row)
		q_col_str(&q, id_out, ORDO_ID_MAX);
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "seq",
				  "no order of seq %lld", (long long)seq);
out:
	q_close(&q);
	return rc;
}
