/*
 * sql_search.c - keeping the order search index true (migration 0010):
 * each order's tokens (core/search.h) in order_search, whose FTS5 index
 * (SQLite, by triggers) or GIN index (PostgreSQL, a generated tsvector)
 * the order list looks q up in (sql_order_list.c), and its exact tokens
 * beside them, which rank the matches.
 *
 * The words are written by the store functions that write what is
 * searched, in their transaction: an order's insert (head: its customer,
 * ship-to, external id and SKUs), a correction of its content (head
 * rewritten) and each shipment (its tracking number's words appended).
 * A new order's words are kept in the transaction and written with the
 * batch's other new orders' at its end, by one statement (store_int.h,
 * ROWS WRITTEN AT THE BATCH'S END). Nothing else changes a searched
 * field. The orders stored before the migration get theirs from
 * sql_search_fill, which the migration job runs after the script.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/search.h"

/* Orders read at once by sql_search_fill. */
#define SEARCH_FILL_BATCH 500

static const char *const sql_text[SQL_COUNT] = {
	/* New orders' words, kept until the batch's end (store_int.h, ROWS
	 * WRITTEN AT THE BATCH'S END) and written by one statement: a JSON
	 * object of [seq, exact, words] (sql_kept.c). */
	[SQL_SEARCH_INSERT] = "INSERT INTO order_search (seq, head_exact, "
			      "tracking_exact, head, tracking) "
			      "SELECT CAST(value ->> 0 AS BIGINT), value ->> 1, "
			      "'', value ->> 2, '' FROM json_each(?) "
			      "ORDER BY CAST(key AS BIGINT)",
	/* The seqs come from rows that matched the tenant. */
	[SQL_SEARCH_SET_HEAD] = "UPDATE order_search "
				"SET head_exact = ?, head = ? WHERE seq = ?",
	[SQL_SEARCH_ADD_TRACKING] = "UPDATE order_search "
				    "SET tracking_exact = tracking_exact || ?,"
				    " tracking = tracking || ? "
				    "WHERE seq = ?",
	/* Across tenants by design: the migration gives every order its
	 * words, each row carrying its tenant. */
	[SQL_SEARCH_FILL_ORDERS] = "SELECT seq, tenant_id, external_id, "
				   "customer_name, customer_email, "
				   "customer_phone, ship_to_name, "
				   "ship_to_postal_code, ship_to_phone "
				   "FROM orders WHERE seq > ? "
				   "ORDER BY seq LIMIT ?",
	[SQL_SEARCH_FILL_SKUS] = "SELECT sku FROM order_lines "
				 "WHERE order_seq = ? ORDER BY line_no",
	[SQL_SEARCH_FILL_TRACKING] = "SELECT tracking_number FROM shipments "
				     "WHERE order_seq = ? ORDER BY seq",
};

const char *sql_search_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* Rewrite statement id (the order's head, or a tracking number appended)
 * with the document's texts, then the order's seq. */
static ordo_code search_update(store_tx *tx, enum sql_id id, int64_t seq,
			       const search_doc *d, ordo_err *err)
{
	struct q q;
	ordo_code rc = sql_kept_needed(tx, seq, err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, id, err);
	if (rc)
		return rc;
	q_str(&q, search_doc_exact(d));
	q_str(&q, search_doc_words(d));
	q_i64(&q, seq);
	rc = q_exec_deferred(&q, "the order search index", NULL, err);
	q_close(&q);
	return rc;
}

ordo_code sql_search_insert(store_tx *tx, int64_t seq, const order *o,
			    ordo_err *err)
{
	strbuf r;
	search_doc d;
	ordo_code rc;

	search_doc_init(&d);
	rc = search_doc_order(&d, o->tenant_id, o, err);
	if (rc == ORDO_OK) {
		strbuf_init(&r);
		sql_kept_row_i64(&r, seq);
		sql_kept_row_str(&r, search_doc_exact(&d));
		sql_kept_row_str(&r, search_doc_words(&d));
		rc = sql_kept_add(tx, seq, &r, err);
	}
	search_doc_free(&d);
	return rc;
}

ordo_code sql_search_set_head(store_tx *tx, int64_t seq, const order *o,
			      ordo_err *err)
{
	search_doc d;
	ordo_code rc;

	search_doc_init(&d);
	rc = search_doc_order(&d, o->tenant_id, o, err);
	if (rc == ORDO_OK)
		rc = search_update(tx, SQL_SEARCH_SET_HEAD, seq, &d, err);
	search_doc_free(&d);
	return rc;
}

ordo_code sql_search_add_tracking(store_tx *tx, int64_t tenant,
				  int64_t seq, const char *tracking,
				  ordo_err *err)
{
	search_doc d;
	ordo_code rc;

	search_doc_init(&d);
	rc = search_doc_tracking(&d, tenant, tracking, err);
	if (rc == ORDO_OK && d.words.len > 0)
		rc = search_update(tx, SQL_SEARCH_ADD_TRACKING, seq, &d, err);
	search_doc_free(&d);
	return rc;
}

/* ---- the orders stored before the index ---------------------------------- */

/* A row of SQL_SEARCH_FILL_ORDERS: the fields of an order its head's words
 * come from (lines added apart). */
static ordo_code read_fill_order(struct q *q, void *item, ordo_err *err)
{
	order *o = item;

	order_init(o);
	o->seq = q_col_i64(q);
	o->tenant_id = q_col_i64(q);
	q_col_str(q, o->external_id, sizeof(o->external_id));
	q_col_str(q, o->customer.name, sizeof(o->customer.name));
	q_col_str(q, o->customer.email, sizeof(o->customer.email));
	q_col_str(q, o->customer.phone, sizeof(o->customer.phone));
	q_col_str(q, o->ship_to.name, sizeof(o->ship_to.name));
	q_col_str(q, o->ship_to.postal_code, sizeof(o->ship_to.postal_code));
	q_col_str(q, o->ship_to.phone, sizeof(o->ship_to.phone));
	return q_row_end(q, "reading orders to index", err);
}

static ordo_code read_fill_sku(struct q *q, void *item, ordo_err *err)
{
	order_line *l = item;

	q_col_str(q, l->sku, sizeof(l->sku));
	return q_row_end(q, "reading order lines to index", err);
}

struct tracking_row {
	char number[ORDO_EXTERNAL_ID_MAX];
};

static ordo_code read_fill_tracking(struct q *q, void *item, ordo_err *err)
{
	struct tracking_row *t = item;

	q_col_str(q, t->number, sizeof(t->number));
	return q_row_end(q, "reading tracking numbers to index", err);
}

/* Index one order of the fill: its head (with its lines' SKUs), then each
 * of its shipments' tracking numbers. */
static ordo_code fill_one(store_tx *tx, order *o, ordo_err *err)
{
	struct tracking_row *t = NULL;
	void *raw = NULL;
	size_t n_l = 0, n_t = 0, i;
	ordo_code rc;

	rc = q_rows_of(tx, SQL_SEARCH_FILL_SKUS, o->seq, sizeof(order_line),
		       read_fill_sku, &raw, &n_l, "reading order lines to "
		       "index", err);
	if (rc)
		return rc;
	o->lines = raw;
	o->n_lines = n_l;
	rc = sql_search_insert(tx, o->seq, o, err);
	free(o->lines);
	o->lines = NULL;
	o->n_lines = 0;
	if (rc)
		return rc;
	rc = q_rows_of(tx, SQL_SEARCH_FILL_TRACKING, o->seq, sizeof(*t),
		       read_fill_tracking, &raw, &n_t, "reading tracking "
		       "numbers to index", err);
	t = raw;
	for (i = 0; rc == ORDO_OK && i < n_t; i++)
		rc = sql_search_add_tracking(tx, o->tenant_id, o->seq,
					     t[i].number, err);
	free(t);
	return rc;
}

ordo_code sql_search_fill(store_tx *tx, ordo_err *err)
{
	int64_t after = 0;
	ordo_code rc = ORDO_OK;

	for (;;) {
		struct q q;
		void *raw = NULL;
		order *batch;
		size_t n = 0, i;

		rc = q_open(&q, tx, SQL_SEARCH_FILL_ORDERS, err);
		if (rc == ORDO_OK) {
			q_i64(&q, after);
			q_i64(&q, SEARCH_FILL_BATCH);
			rc = q_rows(&q, SEARCH_FILL_BATCH, sizeof(order),
				    read_fill_order, &raw, &n,
				    "reading orders to index", err);
		}
		q_close(&q);
		batch = q_rows_done(rc, raw, &n);
		for (i = 0; rc == ORDO_OK && i < n; i++)
			rc = fill_one(tx, &batch[i], err);
		if (n > 0)
			after = batch[n - 1].seq;
		free(batch);
		if (rc || n < SEARCH_FILL_BATCH)
			break;
	}
	return rc;
}
