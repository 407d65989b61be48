/*
 * sql_imports.c - order files taken in (migration 0015): an import's row,
 * written as it starts, as its counts move on and as it ends; the rows it
 * did not take (import_problems), numbered in the order found and read
 * back a page at a time. See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* SQL_IMPORT_COLS after seq. */
static const struct q_field import_fields[] = {
	Q_TEXT(store_import, id),	   Q_TEXT(store_import, channel),
	Q_TEXT(store_import, file_name),   Q_TEXT(store_import, state),
	Q_I64(store_import, rows_total),   Q_I64(store_import, orders_total),
	Q_I64(store_import, orders_done),  Q_I64(store_import, orders_taken),
	Q_I64(store_import, orders_existing),
	Q_I64(store_import, orders_refused),
	Q_I64(store_import, rows_refused), Q_TEXT(store_import, message),
	Q_I64(store_import, created_at),   Q_I64(store_import, updated_at),
	Q_I64(store_import, finished_at),
};
#define SQL_IMPORT_COLS                                                        \
	"id, channel, file_name, state, rows_total, orders_total, "            \
	"orders_done, orders_taken, orders_existing, orders_refused, "         \
	"rows_refused, message, created_at, updated_at, finished_at"
/* What its course writes, in import_fields' order from state on. */
static const struct q_field import_course_fields[] = {
	Q_TEXT(store_import, state),	    Q_I64(store_import, rows_total),
	Q_I64(store_import, orders_total),  Q_I64(store_import, orders_done),
	Q_I64(store_import, orders_taken),  Q_I64(store_import, orders_existing),
	Q_I64(store_import, orders_refused), Q_I64(store_import, rows_refused),
	Q_TEXT(store_import, message),	    Q_I64(store_import, updated_at),
	Q_I64(store_import, finished_at),
};

static const struct q_field problem_fields[] = {
	Q_I64(import_problem, n),	    Q_I64(import_problem, line),
	Q_TEXT(import_problem, column),	    Q_TEXT(import_problem, external_id),
	Q_TEXT(import_problem, reason),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_IMPORT_INSERT] = "INSERT INTO imports (tenant_id, "
			      SQL_IMPORT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, "
			      "?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING seq",
	[SQL_IMPORT_UPDATE] = "UPDATE imports SET (state, rows_total, "
			      "orders_total, orders_done, orders_taken, "
			      "orders_existing, orders_refused, rows_refused, "
			      "message, updated_at, finished_at) = "
			      "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			      "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_IMPORT_GET] = "SELECT seq, " SQL_IMPORT_COLS " FROM imports "
			   "WHERE tenant_id = ? AND id = ?",
	/* Newest first; the cursor is the last seq of the page before. */
	[SQL_IMPORT_LIST] = "SELECT seq, " SQL_IMPORT_COLS " FROM imports "
			    "WHERE tenant_id = ? AND seq < ? "
			    "ORDER BY seq DESC LIMIT ?",
	[SQL_IMPORT_PROBLEM_INSERT] = "INSERT INTO import_problems "
				      "(import_seq, n, line, col, "
				      "external_id, reason) "
				      "VALUES (?, ?, ?, ?, ?, ?)",
	[SQL_IMPORT_PROBLEMS] = "SELECT n, line, col, external_id, reason "
				"FROM import_problems WHERE import_seq = ? "
				"AND n > ? ORDER BY n LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_imports_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- imports ------------------------------------------------------------- */

ordo_code store_import_insert(store_tx *tx, int64_t tenant, store_import *im,
			      ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_import_insert", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_IMPORT_INSERT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_bind_row(&q, im, import_fields);
		rc = q_insert_returning(&q, &im->seq, "import", "id", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_import_update(store_tx *tx, int64_t tenant,
			      const store_import *im, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_import_update", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_IMPORT_UPDATE, err);
	if (rc == ORDO_OK) {
		q_bind_row(&q, im, import_course_fields);
		q_i64(&q, tenant);
		q_str(&q, im->id);
		rc = q_step_one(&q, "recording an import", "id", "import",
				im->id, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_import_problems_add(store_tx *tx, int64_t import_seq,
				    const import_problem *p, size_t n,
				    ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc = tx_check_writable(tx, "store_import_problems_add", err);

	for (i = 0; rc == ORDO_OK && i < n; i++) {
		q_close(&q);
		rc = q_open(&q, tx, SQL_IMPORT_PROBLEM_INSERT, err);
		if (rc)
			break;
		q_i64(&q, import_seq);
		q_bind_row(&q, &p[i], problem_fields);
		rc = q_exec(&q, "recording a row not taken", NULL, err);
	}
	q_close(&q);
	return rc;
}

static void col_import(struct q *q, store_import *im)
{
	memset(im, 0, sizeof(*im));
	im->seq = q_col_i64(q);
	q_read_row(q, im, import_fields);
}

ordo_code store_import_get(store_tx *tx, int64_t tenant, const char *id,
			   store_import *im, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = q_get(&q, tx, SQL_IMPORT_GET, tenant, id, "reading an import",
		   "id", "import", err);
	if (rc == ORDO_OK) {
		col_import(&q, im);
		rc = q_row_end(&q, "reading an import", err);
	}
	q_close(&q);
	return rc;
}

static ordo_code read_import(struct q *q, void *item, ordo_err *err)
{
	col_import(q, item);
	return q_row_end(q, "listing imports", err);
}

ordo_code store_import_list(store_tx *tx, int64_t tenant, int64_t before_seq,
			    int limit, store_import **out, size_t *n,
			    int64_t *next, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*n = 0;
	*next = 0;
	rc = q_open(&q, tx, SQL_IMPORT_LIST, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, before_seq ? before_seq : INT64_MAX);
		q_i64(&q, (int64_t)limit + 1);
		rc = q_rows(&q, (size_t)limit + 1, sizeof(store_import),
			    read_import, &items, n, "listing imports", err);
	}
	q_close(&q);
	if (rc == ORDO_OK && *n > (size_t)limit) {
		*n = (size_t)limit;
		*next = ((store_import *)items)[*n - 1].seq;
	}
	*out = q_rows_done(rc, items, n);
	return rc;
}

static ordo_code read_problem(struct q *q, void *item, ordo_err *err)
{
	q_read_row(q, item, problem_fields);
	return q_row_end(q, "reading an import's rows not taken", err);
}

ordo_code store_import_problems(store_tx *tx, int64_t import_seq,
				int64_t after_n, int limit,
				import_problem **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_IMPORT_PROBLEMS, err);
	if (rc == ORDO_OK) {
		q_i64(&q, import_seq);
		q_i64(&q, after_n);
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(import_problem),
			    read_problem, &items, n,
			    "reading an import's rows not taken", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}
