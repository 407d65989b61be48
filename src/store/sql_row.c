/*
 * sql_row.c - the one way every sql_*.c file runs a statement and reads its
 * rows: struct q (one statement in use) and its sequential binding and
 * column reading, stepping with the driver's error mapping, the one row of
 * a key (q_get), rows into a growing array (q_rows), pages (q_page), the
 * checks every page makes, and the ids the store makes itself.
 *
 * A table's mapping to its struct is written once, next to its SQL, as an
 * array of struct q_field (sql_int.h); q_bind_fields binds and
 * q_read_fields reads a row by walking it, so the list of columns and
 * members is never written again per query. See sql_int.h for the course
 * a function follows through these helpers.
 */
#include "store/sql_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


/* ---- one statement in use ------------------------------------------------ */

/* Open statement number id, whose text is sql and which is statement as
 * for what it reads (as: id, or the one-row statement of rows). */
static ordo_code q_open_as(struct q *q, store_tx *tx, unsigned id,
			   unsigned as, const char *sql, ordo_err *err)
{
	memset(q, 0, sizeof(*q));
	q->tx = tx;
	/* A number whose text is in another file's sql_text[] reads NULL
	 * here: a mistake in ordo, said plainly rather than crashed on. */
	if (!sql)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "statement %u has no SQL text here", as);
	/* A statement that may read what the job keeps to write at its end
	 * (its new order, its events) finds it written. */
	if ((tx->pending || tx->events.n) && !sql_order_may_wait(as)) {
		ordo_code rc = sql_job_kept_write(tx, err);

		if (rc)
			return rc;
	}
	tx->statements++;
	return tx->db->prepare(tx, id, sql, &q->s, err);
}

ordo_code q_open_sql(struct q *q, store_tx *tx, unsigned id,
		     const char *sql, ordo_err *err)
{
	return q_open_as(q, tx, id, id, sql, err);
}

/* ---- rows in one statement ----------------------------------------------- */

/* The one-row statement of each kind of rows. */
static const unsigned rows_one[SQL_ROWS_KINDS] = {
	[SQL_ROWS_LINES] = SQL_LINE_INSERT,
	[SQL_ROWS_FUL_LINES] = SQL_FUL_LINE_PUT,
	[SQL_ROWS_EVENTS] = SQL_EVENT_INSERT,
	[SQL_ROWS_STOCK_EVENTS] = SQL_STOCK_EVENT_INSERT,
};

/* The kind of rows statement id inserts, or -1. */
static int rows_kind(unsigned id)
{
	int k;

	for (k = 0; k < SQL_ROWS_KINDS; k++)
		if (rows_one[k] == id)
			return k;
	return -1;
}

/*
 * The text of one-row sql (INSERT ... VALUES (tuple) rest) for n rows,
 * "INSERT ... VALUES (tuple), (tuple), ... rest", into out (size bytes)
 * where it fits: its length, which does not fit when size or more; -1
 * when sql has no VALUES tuple.
 */
static long rows_text(const char *sql, unsigned n, char *out, size_t size)
{
	const char *open = strstr(sql, " VALUES (");
	const char *close;
	size_t head, tuple, len;
	char *o;
	unsigned i;
	int depth = 0;

	if (!open)
		return -1;
	open += strlen(" VALUES ");
	for (close = open; *close; close++) {
		depth += *close == '(';
		depth -= *close == ')';
		if (depth == 0)
			break;
	}
	if (!*close)
		return -1;
	head = (size_t)(open - sql);
	tuple = (size_t)(close + 1 - open);
	len = strlen(sql) + (n - 1) * (tuple + 2);
	if (len >= size)
		return (long)len;
	memcpy(out, sql, head);
	o = out + head;
	for (i = 0; i < n; i++) {
		if (i > 0) {
			memcpy(o, ", ", 2);
			o += 2;
		}
		memcpy(o, open, tuple);
		o += tuple;
	}
	strcpy(o, close + 1);
	return (long)len;
}

/* rows_text into memory of its own (free()), NULL when out of memory or
 * sql has no VALUES tuple. */
static char *rows_text_dup(const char *sql, unsigned n)
{
	long len = rows_text(sql, n, NULL, 0);
	char *out;

	if (len < 0 || !(out = malloc((size_t)len + 1)))
		return NULL;
	rows_text(sql, n, out, (size_t)len + 1);
	return out;
}

/* The texts made so far, kept for the process's life: a connection reads
 * a number's text again when it prepares it on a new session. */
static pthread_mutex_t rows_mu = PTHREAD_MUTEX_INITIALIZER;
static char *rows_texts[SQL_ROWS_KINDS][SQL_ROWS_MAX + 1];

/* Open statement id, whose one-row text is sql, for n rows. */
static ordo_code q_open_rows(struct q *q, store_tx *tx, unsigned id,
			     const char *sql, unsigned n, ordo_err *err)
{
	int kind = rows_kind(id);
	char *text;

	if (n == 1)
		return q_open_sql(q, tx, id, sql, err);
	if (kind < 0 || n < 1 || n > SQL_ROWS_MAX || !sql) {
		memset(q, 0, sizeof(*q));
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "statement %u has no text for %u rows",
				    id, n);
	}
	pthread_mutex_lock(&rows_mu);
	text = rows_texts[kind][n];
	if (!text)
		text = rows_texts[kind][n] = rows_text_dup(sql, n);
	pthread_mutex_unlock(&rows_mu);
	if (!text) {
		memset(q, 0, sizeof(*q));
		return sql_no_memory(err, "writing a statement's rows");
	}
	return q_open_as(q, tx,
			 SQL_ROWS_BASE + (unsigned)kind * (SQL_ROWS_MAX - 1) +
				 (n - 2),
			 id, text, err);
}

ordo_code q_insert_rows_sql(store_tx *tx, unsigned id, const char *sql,
			    const void *items, size_t n, size_t size,
			    q_row_bind_fn bind, const void *ctx,
			    const char *what, const char *field,
			    ordo_err *err)
{
	const char *item = items;
	struct q q = {0};
	size_t i, j, k;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < n; i += k) {
		k = n - i < SQL_ROWS_MAX ? n - i : SQL_ROWS_MAX;
		rc = q_open_rows(&q, tx, id, sql, (unsigned)k, err);
		for (j = i; rc == ORDO_OK && j < i + k; j++)
			bind(&q, item + j * size, ctx);
		if (rc == ORDO_OK)
			rc = q_exec_deferred(&q, what, field, err);
		q_close(&q);
	}
	return rc;
}

unsigned q_locking(const store_tx *tx, unsigned plain, unsigned locked)
{
	return tx->writable && tx->db->row_locks ? locked : plain;
}

/* Reset the statement for its next use; safe after a failed q_open. */
void q_close(struct q *q)
{
	if (q->s)
		q->tx->db->reset(q->s);
	q->s = NULL;
}

void q_i64(struct q *q, int64_t v)
{
	q->tx->db->bind_i64(q->s, v);
}

void q_str(struct q *q, const char *v)
{
	q->tx->db->bind_text(q->s, v ? v : "");
}

/* "" is stored as NULL (an external id the channel did not give). */
void q_str_or_null(struct q *q, const char *v)
{
	if (!v || !v[0])
		q->tx->db->bind_null(q->s);
	else
		q->tx->db->bind_text(q->s, v);
}

void q_address(struct q *q, const order_address *a)
{
	q_str(q, a->name);
	q_str(q, a->company);
	q_str(q, a->line1);
	q_str(q, a->line2);
	q_str(q, a->city);
	q_str(q, a->region);
	q_str(q, a->postal_code);
	q_str(q, a->country);
	q_str(q, a->phone);
}

/*
 * Step to the next row; *row says whether there was one. what says what was
 * being done, field names the unique key should the step violate one.
 */
ordo_code q_step(struct q *q, bool *row, const char *what,
		 const char *field, ordo_err *err)
{
	*row = false;
	q->col = 0;
	switch (q->tx->db->step(q->s)) {
	case DB_ROW:
		*row = true;
		return ORDO_OK;
	case DB_DONE:
		return ORDO_OK;
	default:
		return q->tx->db->error(q->tx, what, field, err);
	}
}

/* Step a statement whose rows (if any) do not matter. */
ordo_code q_exec(struct q *q, const char *what, const char *field,
		 ordo_err *err)
{
	bool row;

	return q_step(q, &row, what, field, err);
}

/*
 * Run a statement whose rows are not read and whose failure fails the
 * job, deferred where the driver can (db.h, DEFERRED STATEMENTS): its
 * outcome then comes with the job's next read or its end. Elsewhere it
 * runs now.
 */
ordo_code q_exec_deferred(struct q *q, const char *what, const char *field,
			  ordo_err *err)
{
	return q_exec_deferred_row(q, what, field, ORDO_OK, NULL, NULL, err);
}

/*
 * q_exec_deferred of a statement that answers a row: none is a failure
 * with code if_none, naming none_field (NULL: field) and saying
 * "what: none_msg" (literals).
 */
ordo_code q_exec_deferred_row(struct q *q, const char *what,
			      const char *field, ordo_code if_none,
			      const char *none_field, const char *none_msg,
			      ordo_err *err)
{
	const struct db_driver *db = q->tx->db;
	bool row;
	ordo_code rc;

	if (!db->defer) {
		rc = q_step(q, &row, what, field, err);
		if (rc == ORDO_OK && !row && if_none != ORDO_OK)
			rc = ordo_err_set(err, if_none,
					  none_field ? none_field : field,
					  "%s: %s", what,
					  none_msg ? none_msg : "no row");
		return rc;
	}
	q->col = 0;
	if (db->defer(q->s, what, field, if_none, none_field, none_msg) ==
	    DB_DONE)
		return ORDO_OK;
	return db->error(q->tx, what, field, err);
}

/*
 * The next seq of the table the transaction drew (db.h, SEQS DRAWN
 * AHEAD), drawing TX_SEQS_DRAWN more when none is left; 0 where the
 * driver draws none (the insert then answers its seq).
 */
ordo_code sql_seq_draw(store_tx *tx, enum tx_seq_table table, int64_t *seq,
		       ordo_err *err)
{
	static const char *const names[TX_SEQ_TABLES] = {
		[TX_SEQ_ORDERS] = "orders",
		[TX_SEQ_FULFILLMENTS] = "fulfillments",
	};
	struct tx_cache *c = &tx->cache;
	struct q q;
	bool row = true;
	ordo_code rc = ORDO_OK;

	*seq = 0;
	if (!tx->db->sql_seqs)
		return ORDO_OK;
	if (c->drawn[table].next >= c->drawn[table].n) {
		c->drawn[table].n = c->drawn[table].next = 0;
		c->dirty = true;
		rc = q_open_sql(&q, tx, SQL_SEQS, tx->db->sql_seqs, err);
		if (rc == ORDO_OK) {
			q_str(&q, names[table]);
			q_i64(&q, TX_SEQS_DRAWN);
		}
		while (rc == ORDO_OK && c->drawn[table].n < TX_SEQS_DRAWN) {
			rc = q_step(&q, &row, "drawing seqs", NULL, err);
			if (rc == ORDO_OK && !row)
				break;
			if (rc == ORDO_OK)
				c->drawn[table].seqs[c->drawn[table].n++] =
					q_col_i64(&q);
		}
		q_close(&q);
		if (rc == ORDO_OK && c->drawn[table].n == 0)
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "drawing seqs of %s: none came",
					  names[table]);
		if (rc)
			return rc;
	}
	*seq = c->drawn[table].seqs[c->drawn[table].next++];
	return ORDO_OK;
}

int64_t q_col_i64(struct q *q)
{
	return q->tx->db->column_i64(q->s, q->col++);
}

void q_col_str(struct q *q, char *dst, size_t size)
{
	const struct db_driver *db = q->tx->db;
	const char *t = NULL;

	if (!db->column_is_null(q->s, q->col))
		t = db->column_text(q->s, q->col, NULL);
	if (ordo_strlcpy(dst, t ? t : "", size) != 0)
		q->bad = true;
	q->col++;
}

void q_col_address(struct q *q, order_address *a)
{
	q_col_str(q, a->name, sizeof(a->name));
	q_col_str(q, a->company, sizeof(a->company));
	q_col_str(q, a->line1, sizeof(a->line1));
	q_col_str(q, a->line2, sizeof(a->line2));
	q_col_str(q, a->city, sizeof(a->city));
	q_col_str(q, a->region, sizeof(a->region));
	q_col_str(q, a->postal_code, sizeof(a->postal_code));
	q_col_str(q, a->country, sizeof(a->country));
	q_col_str(q, a->phone, sizeof(a->phone));
}

/* The row just read is whole (no value cut to fit), or ORDO_ESTORAGE. */
ordo_code q_row_end(struct q *q, const char *what, ordo_err *err)
{
	if (q->bad && q->bad_column)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: unknown %s \"%s\" stored", what,
				    q->bad_column, q->bad_name);
	if (q->bad)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: a stored value is longer than ordo "
				    "allows",
				    what);
	return ORDO_OK;
}

ordo_code q_step_one(struct q *q, const char *what, const char *field,
		     const char *noun, const char *key, ordo_err *err)
{
	bool row;
	ordo_code rc = q_step(q, &row, what, NULL, err);

	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, field,
				  "no %s \"%.64s\"", noun, key);
	return rc;
}

ordo_code q_get_sql(struct q *q, store_tx *tx, unsigned id, const char *sql,
		    int64_t tenant, const char *key, const char *what,
		    const char *field, const char *noun, ordo_err *err)
{
	ordo_code rc = q_open_sql(q, tx, id, sql, err);

	if (rc)
		return rc;
	q_i64(q, tenant);
	q_str(q, key);
	return q_step_one(q, what, field, noun, key, err);
}

/* ---- a table's mapping --------------------------------------------------- */

void q_bind_fields(struct q *q, const void *obj, const struct q_field *f,
		   size_t n)
{
	const char *base = obj;
	size_t i;

	for (i = 0; i < n; i++) {
		const void *m = base + f[i].offset;

		switch (f[i].kind) {
		case Q_I64:
			q_i64(q, *(const int64_t *)m);
			break;
		case Q_I64_OR_NULL:
			if (*(const int64_t *)m)
				q_i64(q, *(const int64_t *)m);
			else
				q->tx->db->bind_null(q->s);
			break;
		case Q_INT:
			q_i64(q, *(const int *)m);
			break;
		case Q_BOOL:
			q_i64(q, *(const bool *)m ? 1 : 0);
			break;
		case Q_TEXT:
			q_str(q, m);
			break;
		case Q_TEXT_OR_NULL:
			q_str_or_null(q, m);
			break;
		case Q_ADDRESS:
			q_address(q, m);
			break;
		case Q_ENUM:
			q_str(q, f[i].names->name(*(const int *)m));
			break;
		}
	}
}

/* Read a Q_ENUM column into *v; an unknown name marks the row bad. */
static void q_col_enum(struct q *q, const struct q_field *f, int *v)
{
	char name[sizeof(q->bad_name)];

	q_col_str(q, name, sizeof(name));
	if (f->names->parse(name, v) == 0 || q->bad)
		return;
	q->bad = true;
	q->bad_column = f->column;
	ordo_strlcpy(q->bad_name, name, sizeof(q->bad_name));
}

void q_read_fields(struct q *q, void *obj, const struct q_field *f, size_t n)
{
	char *base = obj;
	size_t i;

	for (i = 0; i < n; i++) {
		void *m = base + f[i].offset;

		switch (f[i].kind) {
		case Q_I64:
		case Q_I64_OR_NULL:
			*(int64_t *)m = q_col_i64(q);
			break;
		case Q_INT:
			*(int *)m = (int)q_col_i64(q);
			break;
		case Q_BOOL:
			*(bool *)m = q_col_i64(q) != 0;
			break;
		case Q_TEXT:
		case Q_TEXT_OR_NULL:
			q_col_str(q, m, f[i].size);
			break;
		case Q_ADDRESS:
			q_col_address(q, m);
			break;
		case Q_ENUM:
			q_col_enum(q, &f[i], m);
			break;
		}
	}
}

/*
 * A write through a read snapshot is a programmer error the database would
 * also refuse (read connections are read-only); say so plainly.
 */
ordo_code tx_check_writable(store_tx *tx, const char *what,
			    ordo_err *err)
{
	if (tx->writable)
		return ORDO_OK;
	return ordo_err_set(err, ORDO_EINTERNAL, NULL,
			    "%s needs a write job, not a read transaction",
			    what);
}

/* ---- tenants and API keys ------------------------------------------------ */

/*
 * Run an INSERT ... RETURNING of one generated key into *id. A unique key
 * taken is ORDO_ECONFLICT naming field.
 */
ordo_code q_insert_returning(struct q *q, int64_t *id, const char *what,
			     const char *field, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, what, field, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: the database returned no key", what);
	*id = q_col_i64(q);
	return ORDO_OK;
}

/* ---- helpers of the operations below ------------------------------------- */

/*
 * Double an array of items of size bytes (when count reached *cap), zeroing
 * the new part. Returns the array, or NULL (the old one kept) when out of
 * memory.
 */
void *sql_grow(void *items, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	char *p = realloc(items, ncap * size);

	if (!p)
		return NULL;
	memset(p + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return p;
}

ordo_code sql_no_memory(ordo_err *err, const char *what)
{
	return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory %s", what);
}

/*
 * Read every row the open, bound statement q yields - at most max - into a
 * new array of items of `size` bytes, each read by `read`. The array grows
 * as rows come, and every item starts zeroed. On failure *items and *n
 * still hold what was read (the row that failed included), for the caller
 * to free with its item's destructor; the statement is left open.
 */
ordo_code q_rows(struct q *q, size_t max, size_t size, q_row_fn read,
		 void **items, size_t *n, const char *what,
		 ordo_err *err)
{
	size_t cap = 0;
	char *p = NULL;
	bool row;
	ordo_code rc;

	*items = NULL;
	*n = 0;
	for (;;) {
		rc = q_step(q, &row, what, NULL, err);
		if (rc || !row)
			break;
		if (*n == max) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "%s: more rows than the limit",
					  what);
			break;
		}
		if (*n == cap) {
			char *g = sql_grow(p, &cap, size);

			if (!g) {
				rc = sql_no_memory(err, what);
				break;
			}
			p = g;
			*items = p;
		}
		rc = read(q, p + (*n)++ * size, err);
		if (rc)
			break;
	}
	return rc;
}

ordo_code q_page(struct q *q, int limit, size_t size, size_t seq_offset,
		 q_row_fn read, void **items, size_t *n, int64_t *next,
		 const char *what, ordo_err *err)
{
	ordo_code rc;

	*next = 0;
	rc = q_rows(q, (size_t)limit + 1, size, read, items, n, what, err);
	if (rc == ORDO_OK && *n == (size_t)limit + 1) {
		char *last = (char *)*items + (*n - 2) * size;

		(*n)--;
		memcpy(next, last + seq_offset, sizeof(*next));
	}
	return rc;
}

ordo_code q_rows_of_sql(store_tx *tx, unsigned id, const char *sql,
			int64_t parent, size_t size, q_row_fn read,
			void **items, size_t *n, const char *what,
			ordo_err *err)
{
	struct q q;
	ordo_code rc = q_open_sql(&q, tx, id, sql, err);

	*items = NULL;
	*n = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, parent);
		rc = q_rows(&q, SIZE_MAX, size, read, items, n, what, err);
	}
	q_close(&q);
	return rc;
}

void *q_rows_done(ordo_code rc, void *items, size_t *n)
{
	if (rc == ORDO_OK)
		return items;
	free(items);
	*n = 0;
	return NULL;
}

/* A limit in 1..max, or ORDO_EINVALID. */
ordo_code sql_check_limit(int limit, int max, ordo_err *err)
{
	if (limit < 1 || limit > max)
		return ordo_err_set(err, ORDO_EINVALID, "limit",
				    "limit must be 1..%d, not %d", max, limit);
	return ORDO_OK;
}

/* A page's limit and cursor are valid. */
ordo_code sql_check_page(int limit, int64_t before_seq, ordo_err *err)
{
	ordo_code rc = sql_check_limit(limit, STORE_LIST_MAX, err);

	if (!rc && before_seq < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
	return rc;
}

/* The "seq < ?" bound of a page: the first page has none. */
int64_t sql_page_bound(int64_t before_seq)
{
	return before_seq > 0 ? before_seq : INT64_MAX;
}


/* Copy the text column at q->col into a new string *out. */
ordo_code q_col_dup(struct q *q, char **out, const char *what,
		    ordo_err *err)
{
	const struct db_driver *db = q->tx->db;
	const char *t = "";
	size_t len = 0;

	if (!db->column_is_null(q->s, q->col))
		t = db->column_text(q->s, q->col, &len);
	q->col++;
	*out = malloc(len + 1);
	if (!*out)
		return sql_no_memory(err, what);
	if (len)
		memcpy(*out, t, len);
	(*out)[len] = '\0';
	return ORDO_OK;
}

/* ---- the children of a page ---------------------------------------------- */

void q_page_seqs(struct q *q, const order *orders, size_t n)
{
	size_t i;

	for (i = 0; i < ORDO_PAGE_MAX; i++)
		q_i64(q, i < n ? orders[i].seq : 0);
}

ordo_code q_page_rows_sql(store_tx *tx, unsigned id, const char *sql,
			  const order_page *page, size_t size, q_row_fn read,
			  void **rows, size_t *n, const char *what,
			  ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_open_sql(&q, tx, id, sql, err);

	if (rc == ORDO_OK) {
		q_page_seqs(&q, page->orders, page->n);
		rc = q_rows(&q, SIZE_MAX, size, read, rows, n, what, err);
	}
	q_close(&q);
	return rc;
}

static int parent_cmp(const void *a, const void *b)
{
	int64_t x = ((const struct q_parent *)a)->key;
	int64_t y = ((const struct q_parent *)b)->key;

	return (x > y) - (x < y);
}

static int64_t row_key(const void *rows, size_t i, size_t row_size)
{
	int64_t key;

	memcpy(&key, (const char *)rows + i * row_size, sizeof(key));
	return key;
}

ordo_code q_spread(struct q_parent *parents, size_t n_parents,
		   const void *rows, size_t n_rows, size_t row_size,
		   size_t item_offset, size_t item_size, size_t max,
		   const char *what, ordo_err *err)
{
	/* The arrays made, one per run, kept until every run has its
	 * parent: only then are they handed out. */
	struct run {
		struct q_parent *to;
		void *items;
		size_t n;
	} *runs = NULL;
	size_t n_runs = 0, i, j, k;
	ordo_code rc = ORDO_OK;

	if (n_rows == 0)
		return ORDO_OK;
	qsort(parents, n_parents, sizeof(*parents), parent_cmp);
	runs = calloc(n_rows, sizeof(*runs));
	if (!runs)
		return sql_no_memory(err, what);
	for (i = 0; i < n_rows; i = j) {
		struct q_parent key = {.key = row_key(rows, i, row_size)};
		struct run *r = &runs[n_runs];

		for (j = i + 1; j < n_rows &&
				row_key(rows, j, row_size) == key.key;
		     j++)
			;
		r->to = bsearch(&key, parents, n_parents, sizeof(*parents),
				parent_cmp);
		if (!r->to || j - i > max) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "%s: %zu rows of parent %lld "
					  "(%s)",
					  what, j - i, (long long)key.key,
					  r->to ? "too many" : "no such parent");
			goto out;
		}
		r->items = malloc((j - i) * item_size);
		if (!r->items) {
			rc = sql_no_memory(err, what);
			goto out;
		}
		n_runs++;
		r->n = j - i;
		for (k = i; k < j; k++)
			memcpy((char *)r->items + (k - i) * item_size,
			       (const char *)rows + k * row_size + item_offset,
			       item_size);
	}
	for (i = 0; i < n_runs; i++) {
		memcpy(runs[i].to->items, &runs[i].items, sizeof(void *));
		*runs[i].to->n = runs[i].n;
	}
	n_runs = 0;
out:
	for (i = 0; i < n_runs; i++)
		free(runs[i].items);
	free(runs);
	return rc;
}

ordo_code q_children_sql(store_tx *tx, unsigned id, const char *sql,
			 struct q_parent *parents, size_t n, size_t row_size,
			 q_row_fn read, size_t item_offset, size_t item_size,
			 const char *what, ordo_err *err)
{
	ordo_code rc = ORDO_OK;
	size_t at, k;

	for (at = 0; rc == ORDO_OK && at < n; at += ORDO_PAGE_MAX) {
		size_t part = n - at < ORDO_PAGE_MAX ? n - at : ORDO_PAGE_MAX;
		void *rows = NULL;
		size_t n_rows = 0;
		struct q q = {0};

		rc = q_open_sql(&q, tx, id, sql, err);
		if (rc == ORDO_OK) {
			for (k = 0; k < ORDO_PAGE_MAX; k++)
				q_i64(&q, k < part ? parents[at + k].key : 0);
			rc = q_rows(&q, SIZE_MAX, row_size, read, &rows,
				    &n_rows, what, err);
		}
		q_close(&q);
		if (rc == ORDO_OK)
			rc = q_spread(parents + at, part, rows, n_rows,
				      row_size, item_offset, item_size,
				      SIZE_MAX, what, err);
		free(rows);
	}
	return rc;
}

/* ---- statements named for tests ------------------------------------------ */

const char *store_statement_sql(const char *name)
{
	const char *(*const files[])(const char *) = {
		sql_outbox_named,
		sql_order_list_named,
		sql_fulfillment_named,
		sql_shipments_named,
		sql_history_named,
		sql_changes_named,
		sql_returns_named,
	};
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *sql = files[i](name);

		if (sql)
			return sql;
	}
	return NULL;
}

/*
 * Each file's sql_text[] holds the numbers it runs and NULL for the rest;
 * the first file with a text for id is the one that owns it. The numbers
 * from SQL_COUNT on are assembled by the file of their list.
 */
const char *store_statement_text(unsigned id, char *buf, size_t size)
{
	const char *(*const files[])(unsigned) = {
		sql_tenants_text,     sql_people_text,    sql_audit_text,
		sql_catalog_text,     sql_orders_text,
		sql_lookups_text,     sql_order_list_text_of,
		sql_fulfillment_text, sql_shipments_text, sql_webhooks_text,
		sql_outbox_text,      sql_review_text,    sql_history_text,
		sql_search_text,      sql_channels_text,  sql_imports_text,
		sql_changes_text,     sql_returns_text,
		sql_monitors_text,    sql_rollups_text,
		sql_scrape_text,
	};
	size_t i;
	int len = -1;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		const char *sql = files[i](id);

		if (sql)
			return sql;
	}
	if (id >= SQL_ROWS_BASE &&
	    id < SQL_ROWS_BASE + SQL_ROWS_KINDS * (SQL_ROWS_MAX - 1)) {
		unsigned k = (id - SQL_ROWS_BASE) / (SQL_ROWS_MAX - 1);
		const char *one = store_statement_text(rows_one[k], NULL, 0);
		long n = one ? rows_text(one, (id - SQL_ROWS_BASE) %
						      (SQL_ROWS_MAX - 1) +
						      2,
					 buf, size)
			     : -1;

		return n >= 0 && (size_t)n < size ? buf : NULL;
	}
	if (id >= SQL_ORDER_LIST_BASE && id < SQL_QUEUE_BASE)
		len = sql_order_list_text(id - SQL_ORDER_LIST_BASE, buf, size);
	else if (id >= SQL_QUEUE_BASE && id < SQL_SHIP_LIST_BASE)
		len = sql_queue_text(id - SQL_QUEUE_BASE, buf, size);
	else if (id >= SQL_SHIP_LIST_BASE &&
		 id < SQL_SHIP_LIST_BASE + (1u << SQL_SHIP_LIST_FILTERS))
		len = sql_ship_list_text(id - SQL_SHIP_LIST_BASE, buf, size);
	return len >= 0 && (size_t)len < size ? buf : NULL;
}
