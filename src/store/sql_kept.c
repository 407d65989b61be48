/*
 * sql_kept.c - the new orders' search words, kept in the write transaction
 * and written at the batch's end by one statement (store_int.h, ROWS
 * WRITTEN AT THE BATCH'S END; the statement is sql_search.c's
 * SQL_SEARCH_INSERT).
 *
 * A kept row is a JSON array of its values, made by sql_search.c
 * (sql_kept_row_*). The rows are written as one JSON object of their
 * arrays keyed by their order ({"0": [...], "1": [...]}), which the
 * statement reads with json_each, a function of both databases' (object
 * members in the order written; the statement orders them by key, so that
 * rows are written in the order they were kept).
 */
#include "store/sql_int.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the kept rows are, for errors. */
#define KEPT_WHAT "the order search index"

/* ---- a row's JSON --------------------------------------------------------- */

static void row_sep(strbuf *r)
{
	strbuf_put(r, r->len == 0 ? "[" : ",", 1);
}

void sql_kept_row_i64(strbuf *r, int64_t v)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);

	row_sep(r);
	strbuf_put(r, buf, (size_t)n);
}

/* Text as a JSON string: quotes, backslashes and control characters
 * escaped, the rest (UTF-8 included) as it is. */
void sql_kept_row_str(strbuf *r, const char *v)
{
	const char *p, *run;

	row_sep(r);
	strbuf_put(r, "\"", 1);
	for (p = run = v ? v : ""; *p; p++) {
		unsigned char c = (unsigned char)*p;
		char esc[8];

		if (c != '"' && c != '\\' && c >= 0x20)
			continue;
		strbuf_put(r, run, (size_t)(p - run));
		snprintf(esc, sizeof(esc), "\\u%04x", c);
		strbuf_put(r, esc, 6);
		run = p + 1;
	}
	strbuf_put(r, run, (size_t)(p - run));
	strbuf_put(r, "\"", 1);
}

/* ---- keeping and writing -------------------------------------------------- */

static unsigned unwritten(const struct tx_kept *k)
{
	unsigned i, n = 0;

	for (i = 0; i < k->n; i++)
		n += k->rows[i].written_by == 0;
	return n;
}

/* Write the unwritten rows by one statement; each becomes written by the
 * running job (a rollback of it unwrites them), or for good outside the
 * committer's jobs. */
static ordo_code write_kept(store_tx *tx, ordo_err *err)
{
	struct tx_kept *k = &tx->kept;
	size_t len = 2;
	unsigned i, n = 0;
	struct q q;
	char *json, head[32];
	ordo_code rc;

	for (i = 0; i < k->n; i++)
		if (k->rows[i].written_by == 0)
			len += strlen(k->rows[i].json) + 16;
	if (len == 2)
		return ORDO_OK;
	json = malloc(len + 1);
	if (!json)
		return sql_no_memory(err, KEPT_WHAT);
	len = 0;
	json[len++] = '{';
	for (i = 0; i < k->n; i++) {
		size_t rl;
		int h;

		if (k->rows[i].written_by != 0)
			continue;
		h = snprintf(head, sizeof(head), "%s\"%u\":", n ? "," : "", n);
		memcpy(json + len, head, (size_t)h);
		len += (size_t)h;
		rl = strlen(k->rows[i].json);
		memcpy(json + len, k->rows[i].json, rl);
		len += rl;
		n++;
	}
	json[len++] = '}';
	json[len] = '\0';
	rc = q_open_sql(&q, tx, SQL_SEARCH_INSERT,
			sql_search_text(SQL_SEARCH_INSERT), err);
	if (rc == ORDO_OK) {
		q_str(&q, json);
		rc = q_exec_deferred(&q, KEPT_WHAT, NULL, err);
	}
	q_close(&q);
	free(json);
	for (i = 0; rc == ORDO_OK && i < k->n; i++)
		if (k->rows[i].written_by == 0)
			k->rows[i].written_by = k->job ? k->job : UINT_MAX;
	return rc;
}

/* Drop the written rows from the from'th on: they stand with the
 * transaction, or go with the running job's own writes. */
static void drop_written(struct tx_kept *k, unsigned from)
{
	unsigned i, n = from;

	for (i = from; i < k->n; i++) {
		if (k->rows[i].written_by != 0) {
			free(k->rows[i].json);
			continue;
		}
		k->rows[n++] = k->rows[i];
	}
	k->n = n;
}

static void drop_from(struct tx_kept *k, unsigned from)
{
	unsigned i;

	for (i = from; i < k->n; i++)
		free(k->rows[i].json);
	k->n = from;
}

/* Write every unwritten row, then drop the running job's own. */
static ordo_code write_now(store_tx *tx, ordo_err *err)
{
	ordo_code rc = write_kept(tx, err);

	if (rc == ORDO_OK)
		drop_written(&tx->kept, tx->kept.mark);
	return rc;
}

ordo_code sql_kept_add(store_tx *tx, int64_t seq,
		       strbuf *r, ordo_err *err)
{
	struct tx_kept *k = &tx->kept;
	ordo_code rc = ORDO_OK;

	strbuf_put(r, "]", 1);
	if (r->failed)
		rc = sql_no_memory(err, KEPT_WHAT);
	if (rc == ORDO_OK && unwritten(k) == TX_KEPT)
		rc = write_now(tx, err);
	/* Never, with the earlier jobs' rows at most TX_KEPT (store_int.h)
	 * and as many waiting: but never past the end either. */
	if (rc == ORDO_OK && k->n == 2 * TX_KEPT)
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "%s: more rows kept than the transaction "
				  "holds", KEPT_WHAT);
	if (rc == ORDO_OK) {
		k->rows[k->n].seq = seq;
		k->rows[k->n].json = r->text;
		k->rows[k->n].written_by = 0;
		k->n++;
		strbuf_init(r);
	}
	strbuf_free(r);
	return rc;
}

ordo_code sql_kept_needed(store_tx *tx, int64_t seq,
			  ordo_err *err)
{
	const struct tx_kept *k = &tx->kept;
	unsigned i;

	for (i = 0; i < k->n; i++)
		if (k->rows[i].seq == seq &&
		    k->rows[i].written_by == 0)
			return write_now(tx, err);
	return ORDO_OK;
}

void tx_kept_job_begin(store_tx *tx)
{
	tx->tally.mark = tx->tally.n;
	tx->kept.mark = tx->kept.n;
	tx->kept.job = tx->kept.job >= UINT_MAX - 1 ? 1 : tx->kept.job + 1;
}

void tx_kept_job_kept(store_tx *tx)
{
	tx->tally.mark = tx->tally.n;
	drop_written(&tx->kept, 0);
	tx->kept.mark = tx->kept.n;
}

void tx_kept_job_undo(store_tx *tx)
{
	struct tx_kept *k = &tx->kept;
	unsigned i;

	/* The job's own rows are gone, written or not; the earlier jobs'
	 * rows it wrote are unwritten by the rollback: kept again. */
	drop_from(k, k->mark);
	tx->tally.n = tx->tally.mark;
	for (i = 0; i < k->n; i++)
		if (k->rows[i].written_by == k->job)
			k->rows[i].written_by = 0;
}

ordo_code tx_kept_finish(store_tx *tx, ordo_err *err)
{
	ordo_code rc = write_now(tx, err);

	if (rc == ORDO_OK)
		rc = tx_tally_finish(tx, err);
	tx_kept_forget(tx);
	return rc;
}

void tx_kept_forget(store_tx *tx)
{
	drop_from(&tx->kept, 0);
	tx->kept.mark = 0;
	tx->kept.job = 0;
	tx_tally_forget(tx);
}
