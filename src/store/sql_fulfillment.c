/*
 * sql_fulfillment.c - fulfillments and their lines, their list, and the
 * fulfillments of a list page of orders (shipments are sql_shipments.c's).
 * Fulfillment lines are reached only through their fulfillment's seq,
 * itself taken from a row that matched the tenant, and are checked when
 * written and read (0 <= shipped <= quantity). See store.h for the
 * contract of each public function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* What an update of a fulfillment writes (ful_course_fields; p: a table
 * alias and its dot, or ""). */
#define SQL_FUL_COURSE_COLS_OF(p)                                              \
	p "state, " p "reject_reason, " p "reject_message, " p "released_at, " \
	p "updated_at"
/* A fulfillment's header, with its order's id, from "fulfillments f JOIN
 * orders o". */
#define SQL_FUL_COLS                                                           \
	"f.seq, f.id, o.id, f.location, f.created_at, "                        \
	SQL_FUL_COURSE_COLS_OF("f.")
#define SQL_FUL_LINE_COLS_OF(p)                                                \
	p "line_no, " p "sku, " p "quantity, " p "shipped"

Q_ENUM_NAMES(ful_state_names, fulfillment_state, fulfillment_state_name,
	     fulfillment_state_parse);

static const struct q_field ful_course_fields[] = {
	Q_ENUM(fulfillment, state, &ful_state_names),
	Q_TEXT(fulfillment, reject_reason),
	Q_TEXT(fulfillment, reject_message),
	Q_I64(fulfillment, released_at),
	Q_I64(fulfillment, updated_at),
};

/* SQL_FUL_LINE_COLS_OF. */
static const struct q_field ful_line_fields[] = {
	Q_INT(fulfillment_line, line_no),
	Q_TEXT(fulfillment_line, sku),
	Q_I64(fulfillment_line, quantity),
	Q_I64(fulfillment_line, shipped),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_FUL_INSERT] = "INSERT INTO fulfillments (id, tenant_id, "
			   "order_seq, location, created_at, "
			   SQL_FUL_COURSE_COLS_OF("") ") "
			   "VALUES (" SQL_Q10 ") RETURNING seq",
	/* SQL_FUL_INSERT with a seq drawn ahead (db.h, SEQS DRAWN AHEAD). */
	[SQL_FUL_INSERT_SEQ] = "INSERT INTO fulfillments (seq, id, tenant_id, "
			       "order_seq, location, created_at, "
			       SQL_FUL_COURSE_COLS_OF("") ") "
			       "OVERRIDING SYSTEM VALUE "
			       "VALUES (?, " SQL_Q10 ")",
	/* fulfillment_seq comes from a row that matched the tenant. */
	[SQL_FUL_LINE_PUT] = "INSERT INTO fulfillment_lines (fulfillment_seq, "
			     SQL_FUL_LINE_COLS_OF("") ") "
			     "VALUES (?, ?, ?, ?, ?) "
			     "ON CONFLICT (fulfillment_seq, line_no) "
			     "DO UPDATE SET (" SQL_FUL_LINE_COLS_OF("")
			     ") = (" SQL_FUL_LINE_COLS_OF("excluded.") ")",
	[SQL_FUL_UPDATE] = "UPDATE fulfillments SET ("
			   SQL_FUL_COURSE_COLS_OF("") ") = (?, ?, ?, ?, ?) "
			   "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_FUL_GET] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			"WHERE f.tenant_id = ? AND f.id = ?",
	[SQL_FUL_LINES_OF] = "SELECT " SQL_FUL_LINE_COLS_OF("")
			     " FROM fulfillment_lines "
			     "WHERE fulfillment_seq = ? ORDER BY line_no",
	/* The lines of many fulfillments, of the tenant's rows (q_children):
	 * their primary keys, the fulfillments' in turn. */
	[SQL_FULS_LINES] = "SELECT fulfillment_seq, " SQL_FUL_LINE_COLS_OF("")
			   " FROM fulfillment_lines "
			   "WHERE fulfillment_seq IN " SQL_PAGE_IN " "
			   "ORDER BY fulfillment_seq, line_no",
	[SQL_FULS_OF_ORDER] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			      "WHERE f.order_seq = ? "
			      "ORDER BY f.seq",
	/* The list, one text per combination of filters; the first page
	 * binds INT64_MAX as the cursor. */
	[SQL_FUL_LIST] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			 "WHERE f.tenant_id = ? AND f.seq < ? "
			 "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_LOC] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			     "WHERE f.tenant_id = ? AND f.seq < ? "
			     "AND f.location = ? "
			     "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_STATE] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			       "WHERE f.tenant_id = ? AND f.seq < ? "
			       "AND f.state = ? "
			       "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_LOC_STATE] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
				   "WHERE f.tenant_id = ? AND f.seq < ? "
				   "AND f.location = ? AND f.state = ? "
				   "ORDER BY f.seq DESC LIMIT ?",
	/*
	 * The fulfillments and their lines of a whole page of orders, each
	 * by one statement (SQL_PAGE_IN: the page's seqs, taken from rows
	 * that matched the tenant), grouped by their parent:
	 * fulfillments_order, then the lines' primary keys, in the order of
	 * the parents' index (a line's parent is f.seq = fl.fulfillment_seq,
	 * so the lines of one come together). They are not matched on the
	 * tenant again: that would let a planner walk all the tenant's rows
	 * (fulfillments_queue) instead of probing the page's orders
	 * (sql_shipments.c reads a page's shipments the same way).
	 */
	[SQL_PAGE_FULS] = "SELECT f.order_seq, " SQL_FUL_COLS SQL_FUL_FROM
			  "WHERE f.order_seq IN " SQL_PAGE_IN " "
			  "ORDER BY f.order_seq, f.seq",
	[SQL_PAGE_FUL_LINES] = "SELECT fl.fulfillment_seq, "
			       SQL_FUL_LINE_COLS_OF("fl.")
			       " FROM fulfillments f "
			       "JOIN fulfillment_lines fl "
			       "ON fl.fulfillment_seq = f.seq "
			       "WHERE f.order_seq IN " SQL_PAGE_IN " "
			       "ORDER BY f.order_seq, f.seq, fl.line_no",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_fulfillment_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- fulfillments -------------------------------------------------------- */

static bool ful_line_consistent(const fulfillment_line *l)
{
	return l->quantity >= 0 && l->shipped >= 0 &&
	       l->shipped <= l->quantity;
}

/* Every line of f ships 0..quantity units: checked before writing. */
static ordo_code ful_lines_check(const fulfillment *f, ordo_err *err)
{
	size_t i, j;

	for (i = 0; i < f->n_lines; i++) {
		const fulfillment_line *l = &f->lines[i];

		if (!ful_line_consistent(l))
			return ordo_err_set(err, ORDO_EINTERNAL, NULL,
					    "fulfillment %.32s line %d: "
					    "shipped %lld of %lld",
					    f->id, l->line_no,
					    (long long)l->shipped,
					    (long long)l->quantity);
		for (j = 0; j < i; j++)
			if (f->lines[j].line_no == l->line_no)
				return ordo_err_set(
					err, ORDO_EINTERNAL, "line_no",
					"fulfillment %.32s has line %d twice",
					f->id, l->line_no);
	}
	return ORDO_OK;
}

/* A line of the fulfillment of seq (ctx) for SQL_FUL_LINE_PUT. */
static void ful_line_bind(struct q *q, const void *item, const void *ctx)
{
	q_i64(q, *(const int64_t *)ctx);
	q_bind_row(q, item, ful_line_fields);
}

/* Insert or rewrite every line of f under fulfillment seq: no two of one
 * line (ful_lines_check), which one upsert of several rows may not touch
 * twice. */
static ordo_code ful_lines_put(store_tx *tx, int64_t seq, const fulfillment *f,
			       ordo_err *err)
{
	return q_insert_rows(tx, SQL_FUL_LINE_PUT, f->lines, f->n_lines,
			     sizeof(*f->lines), ful_line_bind, &seq,
			     "fulfillment line", "line_no", err);
}

ordo_code store_fulfillment_insert(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0, seq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_fulfillment_insert", err);
	if (rc)
		goto out;
	rc = ful_lines_check(f, err);
	if (rc)
		goto out;
	rc = order_seq_of(tx, tenant, f->order_id, "order_id", &oseq, err);
	if (rc)
		goto out;
	rc = require_key(tx, SQL_LOCATION_EXISTS, tenant, f->location,
			 "location", err);
	if (rc)
		goto out;
	rc = sql_seq_draw(tx, TX_SEQ_FULFILLMENTS, &seq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, seq ? SQL_FUL_INSERT_SEQ : SQL_FUL_INSERT, err);
	if (rc)
		goto out;
	if (seq)
		q_i64(&q, seq);
	q_str(&q, f->id);
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	q_str(&q, f->location);
	q_i64(&q, f->created_at);
	q_bind_row(&q, f, ful_course_fields);
	/* With its seq known, not waited for. */
	if (seq)
		rc = q_exec_deferred(&q, "fulfillment", "id", err);
	else
		rc = q_insert_returning(&q, &seq, "fulfillment", "id", err);
	if (rc)
		goto out;
	q_close(&q);
	rc = ful_lines_put(tx, seq, f, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_update(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err)
{
	struct q q = {0};
	int64_t seq;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_fulfillment_update", err);
	if (rc)
		goto out;
	rc = ful_lines_check(f, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_FUL_UPDATE, err);
	if (rc)
		goto out;
	q_bind_row(&q, f, ful_course_fields);
	q_i64(&q, tenant);
	q_str(&q, f->id);
	rc = q_step_one(&q, "updating a fulfillment", "id", "fulfillment",
			f->id, err);
	if (rc)
		goto out;
	seq = q_col_i64(&q);
	q_close(&q);
	rc = ful_lines_put(tx, seq, f, err);
out:
	q_close(&q);
	return rc;
}

/* Read one fulfillment header (SQL_FUL_COLS) into f, which has no lines. */
static ordo_code q_col_ful(struct q *q, fulfillment *f, ordo_err *err)
{
	memset(f, 0, sizeof(*f));
	f->seq = q_col_i64(q);
	q_col_str(q, f->id, sizeof(f->id));
	q_col_str(q, f->order_id, sizeof(f->order_id));
	q_col_str(q, f->location, sizeof(f->location));
	f->created_at = q_col_i64(q);
	q_read_row(q, f, ful_course_fields);
	return q_row_end(q, "reading a fulfillment", err);
}

static ordo_code read_ful_line(struct q *q, void *item, ordo_err *err)
{
	q_read_row(q, item, ful_line_fields);
	return q_row_end(q, "reading fulfillment lines", err);
}

/* Load the lines of f (header read, none loaded yet), checking each. */
static ordo_code ful_lines_load(store_tx *tx, fulfillment *f, ordo_err *err)
{
	void *items = NULL;
	size_t i;
	ordo_code rc;

	rc = q_rows_of(tx, SQL_FUL_LINES_OF, f->seq, sizeof(*f->lines),
		       read_ful_line, &items, &f->n_lines,
		       "reading fulfillment lines", err);
	f->lines = items;
	for (i = 0; rc == ORDO_OK && i < f->n_lines; i++) {
		const fulfillment_line *l = &f->lines[i];

		if (!ful_line_consistent(l))
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "fulfillment %s line %d ships more "
					  "than its quantity",
					  f->id, l->line_no);
	}
	return rc;
}

ordo_code store_fulfillment_get(store_tx *tx, int64_t tenant, const char *id,
				fulfillment *f, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	fulfillment_free(f);
	rc = q_get(&q, tx, SQL_FUL_GET, tenant, id, "reading a fulfillment",
		   "id", "fulfillment", err);
	if (rc)
		goto out;
	rc = q_col_ful(&q, f, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = ful_lines_load(tx, f, err);
out:
	q_close(&q);
	if (rc)
		fulfillment_free(f);
	return rc;
}

static ordo_code read_ful(struct q *q, void *item, ordo_err *err)
{
	return q_col_ful(q, item, err);
}

/* Rows of the SQL_PAGE_FUL* and SQL_FULS_LINES statements: the parent's
 * seq, then the item. */
struct page_ful {
	int64_t order_seq;
	fulfillment f;
};
struct page_ful_line {
	int64_t fulfillment_seq;
	fulfillment_line l;
};

static ordo_code read_page_ful(struct q *q, void *item, ordo_err *err)
{
	struct page_ful *r = item;

	r->order_seq = q_col_i64(q);
	return q_col_ful(q, &r->f, err);
}

static ordo_code read_page_ful_line(struct q *q, void *item, ordo_err *err)
{
	struct page_ful_line *r = item;

	r->fulfillment_seq = q_col_i64(q);
	return read_ful_line(q, &r->l, err);
}

/*
 * Read the headers an open, bound statement yields - one page of limit
 * when next is given (q_page), else all - close it, then load their
 * lines (q_children). On failure nothing is left allocated.
 */
static ordo_code ful_read_all(store_tx *tx, struct q *q, int limit,
			      int64_t *next, fulfillment **out, size_t *n,
			      const char *what, ordo_err *err)
{
	void *raw = NULL;
	fulfillment *items;
	struct q_parent *to = NULL;
	size_t count = 0, i, k;
	ordo_code rc;

	if (next)
		rc = q_page(q, limit, sizeof(fulfillment),
			    offsetof(fulfillment, seq), read_ful, &raw, &count,
			    next, what, err);
	else
		rc = q_rows(q, SIZE_MAX, sizeof(fulfillment), read_ful, &raw,
			    &count, what, err);
	items = raw;
	q_close(q);
	/* Their lines, by one statement per ORDO_PAGE_MAX of them. */
	if (!rc && count) {
		to = calloc(count, sizeof(*to));
		if (!to)
			rc = sql_no_memory(err, what);
	}
	for (i = 0; !rc && i < count; i++)
		to[i] = (struct q_parent){items[i].seq, &items[i].lines,
					  &items[i].n_lines};
	if (!rc && count)
		rc = q_children(tx, SQL_FULS_LINES, to, count,
				sizeof(struct page_ful_line),
				read_page_ful_line,
				offsetof(struct page_ful_line, l),
				sizeof(fulfillment_line), what, err);
	free(to);
	for (i = 0; !rc && i < count; i++)
		for (k = 0; !rc && k < items[i].n_lines; k++)
			if (!ful_line_consistent(&items[i].lines[k]))
				rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
						  "fulfillment %s line %d "
						  "ships more than its "
						  "quantity",
						  items[i].id,
						  items[i].lines[k].line_no);
	if (rc) {
		for (i = 0; i < count; i++)
			fulfillment_free(&items[i]);
		free(items);
		if (next)
			*next = 0;
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

ordo_code store_fulfillments_of_order(store_tx *tx, int64_t tenant,
				      const char *order_id, fulfillment **out,
				      size_t *n, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open_of_order(&q, tx, SQL_FULS_OF_ORDER, tenant, order_id, err);
	if (rc)
		goto out;
	rc = ful_read_all(tx, &q, 0, NULL, out, n,
			  "reading an order's fulfillments", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_list(store_tx *tx, int64_t tenant,
				 const fulfillment_filter *f,
				 fulfillment **out, size_t *n, int64_t *next,
				 ordo_err *err)
{
	static const enum sql_id ids[2][2] = {
		{SQL_FUL_LIST, SQL_FUL_LIST_STATE},
		{SQL_FUL_LIST_LOC, SQL_FUL_LIST_LOC_STATE},
	};
	struct q q = {0};
	bool at = f->location[0] != '\0';
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(f->limit, f->before_seq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, ids[at][f->has_state], err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, sql_page_bound(f->before_seq));
	if (at)
		q_str(&q, f->location);
	if (f->has_state)
		q_str(&q, fulfillment_state_name(f->state));
	q_i64(&q, (int64_t)f->limit + 1);
	rc = ful_read_all(tx, &q, f->limit, next, out, n,
			  "listing fulfillments", err);
out:
	q_close(&q);
	return rc;
}

/* ---- the fulfillments and shipments of a page of orders ------------------ */

/*
 * The fulfillments of the page, each with its lines: the lines are handed
 * to the rows read, then the rows to their orders.
 */
static ordo_code page_fulfillments(store_tx *tx, order_page *page,
				   ordo_err *err)
{
	const char *what = "reading the page's fulfillments";
	struct page_ful *fuls = NULL;
	struct page_ful_line *lines = NULL;
	struct q_parent *to_ful = NULL, *to_order = NULL;
	void *raw = NULL;
	size_t n_f = 0, n_l = 0, i;
	ordo_code rc;

	rc = q_page_rows(tx, SQL_PAGE_FULS, page, sizeof(*fuls),
		       read_page_ful, &raw, &n_f, what, err);
	fuls = raw;
	raw = NULL;
	if (rc)
		goto out;
	rc = q_page_rows(tx, SQL_PAGE_FUL_LINES, page, sizeof(*lines),
		       read_page_ful_line, &raw, &n_l, what, err);
	lines = raw;
	for (i = 0; rc == ORDO_OK && i < n_l; i++)
		if (!ful_line_consistent(&lines[i].l))
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "fulfillment seq %lld line %d ships "
					  "more than its quantity",
					  (long long)lines[i].fulfillment_seq,
					  lines[i].l.line_no);
	if (rc)
		goto out;
	to_ful = calloc(n_f + 1, sizeof(*to_ful));
	to_order = calloc(page->n + 1, sizeof(*to_order));
	if (!to_ful || !to_order) {
		rc = sql_no_memory(err, what);
		goto out;
	}
	for (i = 0; i < n_f; i++)
		to_ful[i] = (struct q_parent){fuls[i].f.seq, &fuls[i].f.lines,
					      &fuls[i].f.n_lines};
	rc = q_spread(to_ful, n_f, lines, n_l, sizeof(*lines),
		      offsetof(struct page_ful_line, l),
		      sizeof(fulfillment_line), SIZE_MAX, what, err);
	if (rc)
		goto out;
	for (i = 0; i < page->n; i++) {
		order *o = &page->orders[i];

		to_order[i] = (struct q_parent){o->seq, &o->fulfillments,
						&o->n_fulfillments};
	}
	rc = q_spread(to_order, page->n, fuls, n_f, sizeof(*fuls),
		      offsetof(struct page_ful, f), sizeof(fulfillment),
		      SIZE_MAX, what, err);
	if (rc == ORDO_OK)
		n_f = 0; /* their lines are the orders' now */
out:
	for (i = 0; i < n_f; i++)
		fulfillment_free(&fuls[i].f);
	free(fuls);
	free(lines);
	free(to_ful);
	free(to_order);
	return rc;
}

ordo_code store_order_page_fulfillment(store_tx *tx, int64_t tenant,
				       order_page *page, ordo_err *err)
{
	ordo_code rc;

	/* The page's orders matched the tenant; their children are read by
	 * the orders' seqs alone. */
	(void)tenant;
	if (page->n == 0)
		return ORDO_OK;
	rc = page_fulfillments(tx, page, err);
	if (rc == ORDO_OK)
		rc = sql_page_shipments(tx, page, err);
	if (rc == ORDO_OK)
		rc = sql_page_defects(tx, page->orders, page->n, err);
	return rc;
}

const char *sql_fulfillment_named(const char *name)
{
	static const struct {
		const char *name;
		enum sql_id id;
	} named[] = {
		{"page_fulfillments", SQL_PAGE_FULS},
		{"page_fulfillment_lines", SQL_PAGE_FUL_LINES},
	};
	size_t i;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++)
		if (strcmp(name, named[i].name) == 0)
			return sql_text[named[i].id];
	return NULL;
}
