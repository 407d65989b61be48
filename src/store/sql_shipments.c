/*
 * sql_shipments.c - shipments and their lines: insert (against the
 * fulfillment they ship from), get, delivered, an order's, the list with
 * its filters, and the shipments of a list page of orders in two
 * statements. A shipment row is read by one function (read_ship) and its
 * lines by one (read_ship_line), from their arrays of members. Shipment
 * lines are reached only through their shipment's seq, itself taken from a
 * row that matched the tenant. See store.h for the contract of each
 * public function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define SQL_SHIP_COLS                                                          \
	"s.seq, s.id, f.id, o.id, s.location, s.carrier, s.tracking_number, "  \
	"s.shipped_at, s.delivered_at"
#define SQL_SHIP_FROM                                                          \
	" FROM shipments s JOIN fulfillments f ON f.seq = s.fulfillment_seq "  \
	"JOIN orders o ON o.seq = s.order_seq "

/* SQL_SHIP_COLS after s.seq. */
static const struct q_field ship_fields[] = {
	Q_TEXT(shipment, id),	     Q_TEXT(shipment, fulfillment_id),
	Q_TEXT(shipment, order_id),  Q_TEXT(shipment, location),
	Q_TEXT(shipment, carrier),   Q_TEXT(shipment, tracking_number),
	Q_I64(shipment, shipped_at), Q_I64(shipment, delivered_at),
};

/* sku, quantity. */
static const struct q_field ship_line_fields[] = {
	Q_TEXT(shipment_line, sku),
	Q_I64(shipment_line, quantity),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_FUL_REF] = "SELECT f.seq, f.order_seq, o.id" SQL_FUL_FROM
			"WHERE f.tenant_id = ? AND f.id = ?",
	[SQL_SHIP_INSERT] = "INSERT INTO shipments (id, tenant_id, "
			    "fulfillment_seq, order_seq, location, carrier, "
			    "tracking_number, shipped_at, delivered_at) "
			    "VALUES (?, ?, ?, ?, (SELECT f.location "
			    "FROM fulfillments f WHERE f.seq = ?), "
			    "?, ?, ?, ?) RETURNING seq",
	[SQL_SHIP_LINE_INSERT] = "INSERT INTO shipment_lines (shipment_seq, "
				 "line_no, sku, quantity) "
				 "VALUES (?, ?, ?, ?)",
	[SQL_SHIP_GET] = "SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
			 "WHERE s.tenant_id = ? AND s.id = ?",
	[SQL_SHIP_LINES_OF] = "SELECT sku, quantity FROM shipment_lines "
			      "WHERE shipment_seq = ? ORDER BY line_no",
	[SQL_SHIP_SET_DELIVERED] = "UPDATE shipments SET delivered_at = ? "
				   "WHERE tenant_id = ? AND id = ? "
				   "RETURNING seq",
	/*
	 * The shipments and their lines of a whole page of orders, each by
	 * one statement (SQL_PAGE_IN: the page's seqs, taken from rows that
	 * matched the tenant), grouped by their parent: shipments_order, then
	 * the lines' primary keys (a line's parent is s.seq =
	 * sl.shipment_seq). Not matched on the tenant again, which would let
	 * a planner walk all the tenant's shipments (shipments_tenant).
	 */
	[SQL_PAGE_SHIPS] = "SELECT s.order_seq, " SQL_SHIP_COLS SQL_SHIP_FROM
			   "WHERE s.order_seq IN " SQL_PAGE_IN " "
			   "ORDER BY s.order_seq, s.seq",
	[SQL_PAGE_SHIP_LINES] = "SELECT sl.shipment_seq, sl.sku, sl.quantity "
				"FROM shipments s JOIN shipment_lines sl "
				"ON sl.shipment_seq = s.seq "
				"WHERE s.order_seq IN " SQL_PAGE_IN " "
				"ORDER BY s.order_seq, s.seq, sl.line_no",
	/* The lines of many shipments, of the tenant's rows (q_children):
	 * their primary keys, the shipments' in turn. */
	[SQL_SHIPS_LINES] = "SELECT shipment_seq, sku, quantity "
			    "FROM shipment_lines "
			    "WHERE shipment_seq IN " SQL_PAGE_IN " "
			    "ORDER BY shipment_seq, line_no",
	[SQL_SHIPS_OF_ORDER] = "SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
			       "WHERE s.order_seq = ? "
			       "ORDER BY s.seq",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_shipments_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

const char *sql_shipments_named(const char *name)
{
	if (strcmp(name, "page_shipments") == 0)
		return sql_text[SQL_PAGE_SHIPS];
	if (strcmp(name, "page_shipment_lines") == 0)
		return sql_text[SQL_PAGE_SHIP_LINES];
	return NULL;
}

/* ---- shipments ----------------------------------------------------------- */

ordo_code store_shipment_insert(store_tx *tx, int64_t tenant,
				const shipment *s, ordo_err *err)
{
	struct q q = {0};
	char order_id[ORDO_ID_MAX];
	int64_t ful = 0, oseq = 0, seq = 0;
	size_t i;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_shipment_insert", err);
	if (rc)
		goto out;
	for (i = 0; i < s->n_lines; i++) {
		if (s->lines[i].quantity < 0) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
					  "shipment %.32s line %zu: negative "
					  "quantity",
					  s->id, i + 1);
			goto out;
		}
	}
	/* The fulfillment, the tenant's, and the order it belongs to. */
	rc = q_open(&q, tx, SQL_FUL_REF, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, s->fulfillment_id);
	rc = q_step_one(&q, "finding a fulfillment", "fulfillment_id",
			"fulfillment", s->fulfillment_id, err);
	if (rc)
		goto out;
	ful = q_col_i64(&q);
	oseq = q_col_i64(&q);
	q_col_str(&q, order_id, sizeof(order_id));
	rc = q_row_end(&q, "finding a fulfillment", err);
	if (rc)
		goto out;
	q_close(&q);
	if (s->order_id[0] && strcmp(s->order_id, order_id) != 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "order_id",
				  "fulfillment %.32s is not of order %.32s",
				  s->fulfillment_id, s->order_id);
		goto out;
	}

	rc = q_open(&q, tx, SQL_SHIP_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, s->id);
	q_i64(&q, tenant);
	q_i64(&q, ful);
	q_i64(&q, oseq);
	q_i64(&q, ful);
	q_str(&q, s->carrier);
	q_str(&q, s->tracking_number);
	q_i64(&q, s->shipped_at);
	q_i64(&q, s->delivered_at);
	rc = q_insert_returning(&q, &seq, "shipment", "id", err);
	if (rc)
		goto out;
	q_close(&q);
	/* The order is found by its tracking numbers from now on. */
	rc = sql_search_add_tracking(tx, tenant, oseq, s->tracking_number,
				     err);
	if (rc)
		goto out;
	for (i = 0; i < s->n_lines; i++) {
		rc = q_open(&q, tx, SQL_SHIP_LINE_INSERT, err);
		if (rc)
			goto out;
		q_i64(&q, seq);
		q_i64(&q, (int64_t)i + 1);
		q_bind_row(&q, &s->lines[i], ship_line_fields);
		rc = q_exec(&q, "shipment line", "line_no", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

/* Read one shipment header (SQL_SHIP_COLS) into s; *seq is its key. */
/* A shipment with its key, which shipment does not carry. */
struct ship_row {
	int64_t seq;
	shipment s;
};

/* Read one shipment header (SQL_SHIP_COLS) into a struct ship_row. */
static ordo_code read_ship(struct q *q, void *item, ordo_err *err)
{
	struct ship_row *r = item;

	r->seq = q_col_i64(q);
	q_read_row(q, &r->s, ship_fields);
	return q_row_end(q, "reading a shipment", err);
}

static ordo_code read_ship_line(struct q *q, void *item, ordo_err *err)
{
	q_read_row(q, item, ship_line_fields);
	return q_row_end(q, "reading shipment lines", err);
}

static ordo_code ship_lines_load(store_tx *tx, shipment *s, int64_t seq,
				 ordo_err *err)
{
	void *items = NULL;
	ordo_code rc;

	rc = q_rows_of(tx, SQL_SHIP_LINES_OF, seq, sizeof(*s->lines),
		       read_ship_line, &items, &s->n_lines,
		       "reading shipment lines", err);
	s->lines = items;
	return rc;
}

ordo_code store_shipment_get(store_tx *tx, int64_t tenant, const char *id,
			     shipment *s, ordo_err *err)
{
	struct q q;
	struct ship_row r;
	ordo_code rc;

	memset(s, 0, sizeof(*s));
	memset(&r, 0, sizeof(r));
	rc = q_get(&q, tx, SQL_SHIP_GET, tenant, id, "reading a shipment", "id",
		   "shipment", err);
	if (rc == ORDO_OK)
		rc = read_ship(&q, &r, err);
	q_close(&q);
	if (rc == ORDO_OK) {
		*s = r.s;
		rc = ship_lines_load(tx, s, r.seq, err);
	}
	if (rc)
		shipment_free(s);
	return rc;
}

ordo_code store_shipment_set_delivered(store_tx *tx, int64_t tenant,
				       const char *id, ordo_time at,
				       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_shipment_set_delivered", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SHIP_SET_DELIVERED, err);
	if (rc)
		goto out;
	q_i64(&q, at);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step_one(&q, "marking a shipment delivered", "id", "shipment",
			id, err);
out:
	q_close(&q);
	return rc;
}

/* Rows of SQL_PAGE_SHIP_LINES and SQL_SHIPS_LINES: the shipment's seq,
 * then the line. */
struct page_ship_line {
	int64_t shipment_seq;
	shipment_line l;
};

static ordo_code read_page_ship_line(struct q *q, void *item, ordo_err *err)
{
	struct page_ship_line *r = item;

	r->shipment_seq = q_col_i64(q);
	return read_ship_line(q, &r->l, err);
}

/*
 * Read the shipments an open, bound statement yields (SQL_SHIP_COLS) -
 * one page of limit when next is given (q_page), else all - close it,
 * then load their lines (q_children). On failure nothing is left
 * allocated.
 */
static ordo_code ship_read_all(store_tx *tx, struct q *q, int limit,
			       int64_t *next, const char *what,
			       shipment **out, size_t *n, ordo_err *err)
{
	void *raw = NULL;
	struct ship_row *rows;
	shipment *items = NULL;
	struct q_parent *to = NULL;
	size_t count = 0, i;
	ordo_code rc;

	if (next)
		rc = q_page(q, limit, sizeof(*rows),
			    offsetof(struct ship_row, seq), read_ship, &raw,
			    &count, next, what, err);
	else
		rc = q_rows(q, SIZE_MAX, sizeof(*rows), read_ship, &raw, &count,
			    what, err);
	rows = raw;
	q_close(q);
	/* Their lines, by one statement per ORDO_PAGE_MAX of them. */
	if (!rc && count) {
		to = calloc(count, sizeof(*to));
		items = calloc(count, sizeof(*items));
		if (!to || !items)
			rc = sql_no_memory(err, what);
	}
	for (i = 0; !rc && i < count; i++)
		to[i] = (struct q_parent){rows[i].seq, &rows[i].s.lines,
					  &rows[i].s.n_lines};
	if (!rc && count)
		rc = q_children(tx, SQL_SHIPS_LINES, to, count,
				sizeof(struct page_ship_line),
				read_page_ship_line,
				offsetof(struct page_ship_line, l),
				sizeof(shipment_line), what, err);
	free(to);
	if (rc) {
		for (i = 0; i < count; i++)
			shipment_free(&rows[i].s);
		free(rows);
		free(items);
		if (next)
			*next = 0;
		return rc;
	}
	for (i = 0; i < count; i++)
		items[i] = rows[i].s;
	free(rows);
	*out = items;
	*n = count;
	return ORDO_OK;
}

ordo_code store_shipments_of_order(store_tx *tx, int64_t tenant,
				   const char *order_id, shipment **out,
				   size_t *n, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_SHIPS_OF_ORDER, tenant, order_id, err);
	if (rc)
		goto out;
	rc = ship_read_all(tx, &q, 0, NULL, "reading an order's shipments",
			   out, n, err);
out:
	q_close(&q);
	return rc;
}

/*
 * The shipment list: "SELECT ... WHERE s.tenant_id = ? AND s.seq < ?", then
 * the fragment of every filter present, in this order and bound in this
 * order, then " ORDER BY s.seq DESC LIMIT ?". The order and fulfillment
 * filters find their parent's seq by its (unique) id within the tenant.
 */
enum ship_list_filter {
	SLF_ORDER,	 /* binds tenant, order id */
	SLF_FULFILLMENT, /* binds tenant, fulfillment id */
	SLF_LOCATION,
	SLF_CARRIER,
	SLF_TRACKING,
	SLF_COUNT
};

static const char *const ship_list_where[SLF_COUNT] = {
	[SLF_ORDER] = " AND s.order_seq = (SELECT seq FROM orders"
		      " WHERE tenant_id = ? AND id = ?)",
	[SLF_FULFILLMENT] = " AND s.fulfillment_seq = (SELECT seq FROM"
			    " fulfillments WHERE tenant_id = ? AND id = ?)",
	[SLF_LOCATION] = " AND s.location = ?",
	[SLF_CARRIER] = " AND s.carrier = ?",
	[SLF_TRACKING] = " AND s.tracking_number = ?",
};

_Static_assert(SLF_COUNT == SQL_SHIP_LIST_FILTERS,
	       "sql_int.h numbers one statement per combination of filters");

int sql_ship_list_text(unsigned mask, char *buf, size_t size)
{
	const char *frag[SLF_COUNT];
	int i;

	for (i = 0; i < SLF_COUNT; i++)
		frag[i] = mask & (1u << i) ? ship_list_where[i] : "";
	_Static_assert(SLF_COUNT == 5, "one %s per filter below");
	return snprintf(buf, size,
			"SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
			"WHERE s.tenant_id = ? AND s.seq < ?%s%s%s%s%s "
			"ORDER BY s.seq DESC LIMIT ?",
			frag[0], frag[1], frag[2], frag[3], frag[4]);
}

ordo_code store_shipment_list(store_tx *tx, int64_t tenant,
			      const shipment_filter *f, shipment **out,
			      size_t *n, int64_t *next, ordo_err *err)
{
	bool has[SLF_COUNT] = {
		[SLF_ORDER] = f->order_id[0] != '\0',
		[SLF_FULFILLMENT] = f->fulfillment_id[0] != '\0',
		[SLF_LOCATION] = f->location[0] != '\0',
		[SLF_CARRIER] = f->carrier[0] != '\0',
		[SLF_TRACKING] = f->tracking_number[0] != '\0',
	};
	struct q q = {0};
	char sql[1024];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(f->limit, f->before_seq, err);
	if (rc)
		goto out;
	for (i = 0; i < SLF_COUNT; i++)
		if (has[i])
			mask |= 1u << i;
	len = sql_ship_list_text(mask, sql, sizeof(sql));
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql)) {
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "the shipment list query does not fit");
		goto out;
	}
	rc = q_open_sql(&q, tx, SQL_SHIP_LIST_BASE + mask, sql, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, sql_page_bound(f->before_seq));
	if (has[SLF_ORDER]) {
		q_i64(&q, tenant);
		q_str(&q, f->order_id);
	}
	if (has[SLF_FULFILLMENT]) {
		q_i64(&q, tenant);
		q_str(&q, f->fulfillment_id);
	}
	if (has[SLF_LOCATION])
		q_str(&q, f->location);
	if (has[SLF_CARRIER])
		q_str(&q, f->carrier);
	if (has[SLF_TRACKING])
		q_str(&q, f->tracking_number);
	q_i64(&q, (int64_t)f->limit + 1);
	rc = ship_read_all(tx, &q, f->limit, next, "listing shipments", out, n,
			   err);
out:
	q_close(&q);
	return rc;
}

/* ---- the shipments of a page of orders ----------------------------------- */

/* Rows of SQL_PAGE_SHIPS: the order's seq, then the shipment. */
struct page_ship {
	int64_t order_seq;
	struct ship_row r;
};

static ordo_code read_page_ship(struct q *q, void *item, ordo_err *err)
{
	struct page_ship *r = item;

	r->order_seq = q_col_i64(q);
	return read_ship(q, &r->r, err);
}


/* The shipments of the page, each with its lines: the lines are handed to
 * the rows read, then the rows to their orders. */
ordo_code sql_page_shipments(store_tx *tx, order_page *page, ordo_err *err)
{
	const char *what = "reading the page's shipments";
	struct page_ship *ships = NULL;
	struct page_ship_line *lines = NULL;
	struct q_parent *to_ship = NULL, *to_order = NULL;
	void *raw = NULL;
	size_t n_s = 0, n_l = 0, i;
	ordo_code rc;

	rc = q_page_rows(tx, SQL_PAGE_SHIPS, page, sizeof(*ships),
		       read_page_ship, &raw, &n_s, what, err);
	ships = raw;
	raw = NULL;
	if (rc)
		goto out;
	rc = q_page_rows(tx, SQL_PAGE_SHIP_LINES, page, sizeof(*lines),
		       read_page_ship_line, &raw, &n_l, what, err);
	lines = raw;
	if (rc)
		goto out;
	to_ship = calloc(n_s + 1, sizeof(*to_ship));
	to_order = calloc(page->n + 1, sizeof(*to_order));
	if (!to_ship || !to_order) {
		rc = sql_no_memory(err, what);
		goto out;
	}
	for (i = 0; i < n_s; i++)
		to_ship[i] = (struct q_parent){ships[i].r.seq,
					       &ships[i].r.s.lines,
					       &ships[i].r.s.n_lines};
	rc = q_spread(to_ship, n_s, lines, n_l, sizeof(*lines),
		      offsetof(struct page_ship_line, l),
		      sizeof(shipment_line), SIZE_MAX, what, err);
	if (rc)
		goto out;
	for (i = 0; i < page->n; i++) {
		order *o = &page->orders[i];

		to_order[i] = (struct q_parent){o->seq, &o->shipments,
						&o->n_shipments};
	}
	rc = q_spread(to_order, page->n, ships, n_s, sizeof(*ships),
		      offsetof(struct page_ship, r.s), sizeof(shipment),
		      SIZE_MAX, what, err);
	if (rc == ORDO_OK)
		n_s = 0; /* their lines are the orders' now */
out:
	for (i = 0; i < n_s; i++)
		shipment_free(&ships[i].r.s);
	free(ships);
	free(lines);
	free(to_ship);
	free(to_order);
	return rc;
}
