/*
 * sql_rollups.c - the counts the metrics are read from (migration 0021):
 * kept in the write transaction as the work happens and written at the
 * batch's end (store_int.h, METRIC ROLLUPS KEPT FOR THE BATCH'S END), and
 * read back summed over a range, by bucket for a series, and as the gauges
 * stand. See store.h (METRIC ROLLUPS) for the contract of each public
 * function.
 *
 * The kept rows are written as one JSON object of arrays keyed by their
 * order ({"0": [...], ...}), read by json_each as the search words are
 * (sql_kept.c); they are added up by row first, so that no statement
 * names a row twice, and sorted, so that every batch takes the rows' locks
 * in the same order.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

static const char *const sql_text[SQL_COUNT] = {
	/* WHERE true: SQLite reads an ON after a bare FROM as a join's. */
	[SQL_ROLLUPS_ADD] =
		"INSERT INTO metric_rollups (tenant_id, grain, scope, bucket, "
		"metric, key, bin, n) "
		"SELECT CAST(value ->> 0 AS BIGINT), value ->> 1, value ->> 2, "
		"CAST(value ->> 3 AS BIGINT), value ->> 4, value ->> 5, "
		"CAST(value ->> 6 AS INTEGER), CAST(value ->> 7 AS BIGINT) "
		"FROM json_each(?) WHERE true ORDER BY CAST(key AS BIGINT) "
		"ON CONFLICT (tenant_id, grain, scope, bucket, metric, key, bin) "
		"DO UPDATE SET n = metric_rollups.n + excluded.n",
	[SQL_GAUGES_ADD] =
		"INSERT INTO metric_gauges (tenant_id, gauge, hour, n) "
		"SELECT CAST(value ->> 0 AS BIGINT), value ->> 1, "
		"CAST(value ->> 2 AS BIGINT), CAST(value ->> 3 AS BIGINT) "
		"FROM json_each(?) WHERE true ORDER BY CAST(key AS BIGINT) "
		"ON CONFLICT (tenant_id, gauge, hour) "
		"DO UPDATE SET n = metric_gauges.n + excluded.n",
	/* A range's counts summed: as many rows as metrics, keys and bins,
	 * however long the range (the primary key). */
	[SQL_ROLLUPS_SUM] = "SELECT metric, key, bin, sum(n) "
			    "FROM metric_rollups WHERE tenant_id = ? "
			    "AND grain = ? AND scope = ? AND bucket >= ? "
			    "AND bucket < ? GROUP BY metric, key, bin",
	/* Two metrics' counts by bucket (the primary key, in its order;
	 * the metrics tested on the range's rows). */
	[SQL_ROLLUPS_SERIES] = "SELECT bucket, metric, key, bin, n "
			       "FROM metric_rollups WHERE tenant_id = ? "
			       "AND grain = ? AND scope = ? AND bucket >= ? "
			       "AND bucket < ? AND (metric = ? OR metric = ?) "
			       "ORDER BY bucket, metric, key, bin",
	/* The gauges of one scope: their names' prefix, up to the next
	 * name that does not begin so (the primary key). */
	[SQL_GAUGES_READ] = "SELECT gauge, hour, n FROM metric_gauges "
			    "WHERE tenant_id = ? AND gauge >= ? AND gauge < ? "
			    "AND n <> 0 ORDER BY gauge, hour",
	/* One gauge's hours in [from, to) (the primary key). */
	[SQL_GAUGE_HOURS] = "SELECT gauge, hour, n FROM metric_gauges "
			    "WHERE tenant_id = ? AND gauge = ? AND hour >= ? "
			    "AND hour < ? AND n <> 0 ORDER BY hour",
	/* Rows counted down to nothing, every tenant's (metric_gauges_zero). */
	[SQL_GAUGES_PURGE] = "DELETE FROM metric_gauges WHERE n = 0 "
			     "RETURNING 1",
};

const char *sql_rollups_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- keeping --------------------------------------------------------------- */

static ordo_code keep(store_tx *tx, const struct tx_tally_row *r,
		      ordo_err *err)
{
	struct tx_tally *t = &tx->tally;
	ordo_code rc = tx_check_writable(tx, "counting for the metrics", err);

	if (rc)
		return rc;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct tx_tally_row *rows = realloc(t->rows,
						    cap * sizeof(*rows));

		if (!rows)
			return sql_no_memory(err, "counting for the metrics");
		t->rows = rows;
		t->cap = cap;
	}
	t->rows[t->n++] = *r;
	return ORDO_OK;
}

static void text_in(char *dst, size_t size, const char *src)
{
	ordo_strlcpy(dst, src ? src : "", size);
}

ordo_code store_tally(store_tx *tx, int64_t tenant, const char *scope,
		      const char *metric, const char *key, int64_t at, int bin,
		      int64_t n, ordo_err *err)
{
	struct tx_tally_row r;

	memset(&r, 0, sizeof(r));
	r.tenant = tenant;
	r.at = at;
	r.bin = bin;
	r.n = n;
	text_in(r.scope, sizeof(r.scope), scope);
	text_in(r.metric, sizeof(r.metric), metric);
	text_in(r.key, sizeof(r.key), key);
	return keep(tx, &r, err);
}

ordo_code store_gauge_add(store_tx *tx, int64_t tenant, const char *gauge,
			  int64_t hour, int64_t n, ordo_err *err)
{
	struct tx_tally_row r;

	memset(&r, 0, sizeof(r));
	r.tenant = tenant;
	r.gauge = true;
	r.at = hour;
	r.n = n;
	text_in(r.metric, sizeof(r.metric), gauge);
	return keep(tx, &r, err);
}

/* ---- writing at the batch's end --------------------------------------------- */

/* A row as written: its grain ('h', 'd'; 0 for a gauge) and bucket. */
struct out_row {
	const struct tx_tally_row *r;
	char grain;
	int64_t bucket;
	int64_t n;
};

static int out_cmp(const void *a, const void *b)
{
	const struct out_row *x = a, *y = b;
	int c;

	if (x->r->tenant != y->r->tenant)
		return x->r->tenant < y->r->tenant ? -1 : 1;
	if (x->grain != y->grain)
		return x->grain < y->grain ? -1 : 1;
	if ((c = strcmp(x->r->scope, y->r->scope)) != 0)
		return c;
	if (x->bucket != y->bucket)
		return x->bucket < y->bucket ? -1 : 1;
	if ((c = strcmp(x->r->metric, y->r->metric)) != 0)
		return c;
	if ((c = strcmp(x->r->key, y->r->key)) != 0)
		return c;
	return (x->r->bin > y->r->bin) - (x->r->bin < y->r->bin);
}

/* Sort and add up rows[0..*n), dropping the rows that add up to 0. */
static void add_up(struct out_row *rows, size_t *n)
{
	size_t i, k = 0;

	qsort(rows, *n, sizeof(*rows), out_cmp);
	for (i = 0; i < *n; i++) {
		if (k > 0 && out_cmp(&rows[k - 1], &rows[i]) == 0) {
			rows[k - 1].n += rows[i].n;
			continue;
		}
		rows[k++] = rows[i];
	}
	*n = 0;
	for (i = 0; i < k; i++)
		if (rows[i].n != 0)
			rows[(*n)++] = rows[i];
}

static ordo_code write_rows(store_tx *tx, enum sql_id id,
			    const struct out_row *rows, size_t n,
			    ordo_err *err)
{
	strbuf json, row;
	struct q q;
	size_t i;
	ordo_code rc;

	if (n == 0)
		return ORDO_OK;
	strbuf_init(&json);
	strbuf_put(&json, "{", 1);
	for (i = 0; i < n; i++) {
		char head[32];
		int h = snprintf(head, sizeof(head), "%s\"%zu\":",
				 i ? "," : "", i);

		strbuf_put(&json, head, (size_t)h);
		strbuf_init(&row);
		sql_kept_row_i64(&row, rows[i].r->tenant);
		if (rows[i].grain) {
			char grain[2] = {rows[i].grain, 0};

			sql_kept_row_str(&row, grain);
			sql_kept_row_str(&row, rows[i].r->scope);
			sql_kept_row_i64(&row, rows[i].bucket);
			sql_kept_row_str(&row, rows[i].r->metric);
			sql_kept_row_str(&row, rows[i].r->key);
			sql_kept_row_i64(&row, rows[i].r->bin);
		} else {
			sql_kept_row_str(&row, rows[i].r->metric);
			sql_kept_row_i64(&row, rows[i].bucket);
		}
		sql_kept_row_i64(&row, rows[i].n);
		strbuf_put(&row, "]", 1);
		if (row.text)
			strbuf_put(&json, row.text, row.len);
		json.failed |= row.failed;
		strbuf_free(&row);
	}
	strbuf_put(&json, "}", 1);
	if (json.failed) {
		strbuf_free(&json);
		return sql_no_memory(err, "writing the metrics' counts");
	}
	rc = q_open(&q, tx, id, err);
	if (rc == ORDO_OK) {
		q_str(&q, json.text);
		rc = q_exec_deferred(&q, "the metrics' counts", NULL, err);
	}
	q_close(&q);
	strbuf_free(&json);
	return rc;
}

/* One received row of a channel's scope into t->intake. */
static void intake_done(struct tx_tally *t, const struct tx_tally_row *r)
{
	const char *channel = r->scope + 8;
	size_t k;

	for (k = 0; k < t->n_intake; k++)
		if (t->intake[k].tenant == r->tenant &&
		    strcmp(t->intake[k].channel, channel) == 0)
			break;
	if (k == t->n_intake) {
		if (k == t->cap_intake) {
			size_t cap = k ? 2 * k : 16;
			struct tx_intake_done *d = realloc(
				t->intake, cap * sizeof(*d));

			if (!d)
				return;
			t->intake = d;
			t->cap_intake = cap;
		}
		memset(&t->intake[k], 0, sizeof(t->intake[k]));
		t->intake[k].tenant = r->tenant;
		ordo_strlcpy(t->intake[k].channel, channel,
			     sizeof(t->intake[k].channel));
		t->n_intake++;
	}
	t->intake[k].orders += r->n;
}

/* The holds the kept rows raised and resolved, by tenant and type, into
 * tx->tally.done (what does not fit in memory is not counted: these
 * are /metrics's counters, not the rollups). */
static void holds_done(store_tx *tx)
{
	struct tx_tally *t = &tx->tally;
	size_t i, k;

	t->n_done = 0;
	t->n_intake = 0;
	for (i = 0; i < t->n; i++) {
		const struct tx_tally_row *r = &t->rows[i];
		bool raised = strcmp(r->metric, "holds_raised") == 0;
		hold_type type;

		if (!r->gauge && strcmp(r->metric, "received") == 0 &&
		    strncmp(r->scope, "channel:", 8) == 0) {
			intake_done(t, r);
			continue;
		}
		if (r->gauge || strcmp(r->scope, "holds") != 0 ||
		    (!raised && strcmp(r->metric, "holds_resolved") != 0) ||
		    strncmp(r->key, "type:", 5) != 0 ||
		    hold_type_parse(r->key + 5, &type) != 0)
			continue;
		for (k = 0; k < t->n_done; k++)
			if (t->done[k].tenant == r->tenant &&
			    t->done[k].type == (int)type)
				break;
		if (k == t->n_done) {
			if (k == t->cap_done) {
				size_t cap = k ? 2 * k : 16;
				struct tx_holds_done *d = realloc(
					t->done, cap * sizeof(*d));

				if (!d)
					continue;
				t->done = d;
				t->cap_done = cap;
			}
			t->done[k] = (struct tx_holds_done){r->tenant,
							    (int)type, 0, 0};
			t->n_done++;
		}
		if (raised)
			t->done[k].raised += r->n;
		else
			t->done[k].resolved += r->n;
	}
}

ordo_code tx_tally_finish(store_tx *tx, ordo_err *err)
{
	struct tx_tally *t = &tx->tally;
	struct out_row *rollups, *gauges;
	size_t i, nr = 0, ng = 0;
	ordo_code rc;

	if (t->n == 0)
		return ORDO_OK;
	holds_done(tx);
	rollups = malloc(2 * t->n * sizeof(*rollups));
	gauges = malloc(t->n * sizeof(*gauges));
	if (!rollups || !gauges) {
		free(rollups);
		free(gauges);
		return sql_no_memory(err, "writing the metrics' counts");
	}
	for (i = 0; i < t->n; i++) {
		const struct tx_tally_row *r = &t->rows[i];

		if (r->gauge) {
			gauges[ng++] = (struct out_row){r, 0, r->at, r->n};
			continue;
		}
		rollups[nr++] = (struct out_row){r, 'd',
						 r->at - r->at % 86400, r->n};
		rollups[nr++] = (struct out_row){r, 'h', r->at - r->at % 3600,
						 r->n};
	}
	add_up(rollups, &nr);
	add_up(gauges, &ng);
	rc = write_rows(tx, SQL_ROLLUPS_ADD, rollups, nr, err);
	if (rc == ORDO_OK)
		rc = write_rows(tx, SQL_GAUGES_ADD, gauges, ng, err);
	free(rollups);
	free(gauges);
	return rc;
}

void tx_tally_forget(store_tx *tx)
{
	free(tx->tally.rows);
	tx->tally.rows = NULL;
	tx->tally.n = tx->tally.cap = tx->tally.mark = 0;
}

/* The row of tenant in rows[0..*n) (the last, of tenant 0, for tenants
 * past the first STORE_HOLD_COUNT_TENANTS). */
static store_intake_counts *intake_row(store_intake_counts *rows, size_t *n,
				       int64_t tenant)
{
	size_t k;

	for (k = 0; k < *n; k++)
		if (rows[k].tenant_id == tenant)
			return &rows[k];
	if (*n < STORE_HOLD_COUNT_TENANTS) {
		memset(&rows[*n], 0, sizeof(rows[*n]));
		rows[*n].tenant_id = tenant;
		return &rows[(*n)++];
	}
	rows[STORE_HOLD_COUNT_TENANTS].tenant_id = 0;
	return &rows[STORE_HOLD_COUNT_TENANTS];
}

static void intake_committed(store *st, const struct tx_tally *t)
{
	size_t i, k;

	for (i = 0; i < t->n_intake; i++) {
		store_intake_counts *c = intake_row(
			st->intake_counts, &st->n_intake_counts,
			t->intake[i].tenant);

		for (k = 0; k < c->n; k++)
			if (strcmp(c->channel[k], t->intake[i].channel) == 0)
				break;
		if (k == c->n && c->n < STORE_INTAKE_CHANNELS)
			ordo_strlcpy(c->channel[c->n++], t->intake[i].channel,
				     sizeof(c->channel[0]));
		if (k < c->n)
			c->orders[k] += t->intake[i].orders;
		else
			c->other += t->intake[i].orders;
	}
}

void store_intake_counts_get(store *st, store_intake_counts *out, size_t *n)
{
	const store_intake_counts *other =
		&st->intake_counts[STORE_HOLD_COUNT_TENANTS];
	size_t i;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->n_intake_counts; i++)
		out[i] = st->intake_counts[i];
	*n = st->n_intake_counts;
	if (other->n || other->other)
		out[(*n)++] = *other;
	pthread_mutex_unlock(&st->mu);
}

void tx_tally_committed(store *st, store_tx *tx, bool committed)
{
	struct tx_tally *t = &tx->tally;
	size_t i, k;

	if (committed && t->n_intake) {
		pthread_mutex_lock(&st->mu);
		intake_committed(st, t);
		pthread_mutex_unlock(&st->mu);
	}
	free(t->intake);
	t->intake = NULL;
	t->n_intake = t->cap_intake = 0;
	if (committed && t->n_done) {
		pthread_mutex_lock(&st->mu);
		for (i = 0; i < t->n_done; i++) {
			store_hold_counts *c = NULL;

			for (k = 0; k < st->n_hold_counts; k++)
				if (st->hold_counts[k].tenant_id ==
				    t->done[i].tenant)
					c = &st->hold_counts[k];
			if (!c && st->n_hold_counts < STORE_HOLD_COUNT_TENANTS) {
				c = &st->hold_counts[st->n_hold_counts++];
				memset(c, 0, sizeof(*c));
				c->tenant_id = t->done[i].tenant;
			}
			if (!c) {
				c = &st->hold_counts[STORE_HOLD_COUNT_TENANTS];
				c->tenant_id = 0;
			}
			c->raised[t->done[i].type] += t->done[i].raised;
			c->resolved[t->done[i].type] += t->done[i].resolved;
		}
		pthread_mutex_unlock(&st->mu);
	}
	free(t->done);
	t->done = NULL;
	t->n_done = t->cap_done = 0;
}

void store_hold_counts_get(store *st, store_hold_counts *out, size_t *n)
{
	const store_hold_counts *other =
		&st->hold_counts[STORE_HOLD_COUNT_TENANTS];
	size_t i;
	bool any_other = false;

	pthread_mutex_lock(&st->mu);
	for (i = 0; i < st->n_hold_counts; i++)
		out[i] = st->hold_counts[i];
	*n = st->n_hold_counts;
	for (i = 0; i < HOLD_TYPE_COUNT; i++)
		any_other |= other->raised[i] || other->resolved[i];
	if (any_other)
		out[(*n)++] = *other;
	pthread_mutex_unlock(&st->mu);
}

/* ---- reading --------------------------------------------------------------- */

static ordo_code read_sum(struct q *q, void *item, ordo_err *err)
{
	store_rollup *r = item;

	memset(r, 0, sizeof(*r));
	q_col_str(q, r->metric, sizeof(r->metric));
	q_col_str(q, r->key, sizeof(r->key));
	r->bin = (int)q_col_i64(q);
	r->n = q_col_i64(q);
	return q_row_end(q, "reading the metrics' counts", err);
}

static ordo_code read_series(struct q *q, void *item, ordo_err *err)
{
	store_rollup *r = item;

	memset(r, 0, sizeof(*r));
	r->bucket = q_col_i64(q);
	q_col_str(q, r->metric, sizeof(r->metric));
	q_col_str(q, r->key, sizeof(r->key));
	r->bin = (int)q_col_i64(q);
	r->n = q_col_i64(q);
	return q_row_end(q, "reading the metrics' counts", err);
}

static ordo_code rollups_read(store_tx *tx, enum sql_id id, int64_t tenant,
			      char grain, const char *scope, int64_t from,
			      int64_t to, const char *const metrics[2],
			      store_rollup **out, size_t *n, ordo_err *err)
{
	char g[2] = {grain, 0};
	struct q q;
	void *items = NULL;
	ordo_code rc = q_open(&q, tx, id, err);

	*out = NULL;
	*n = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, g);
		q_str(&q, scope);
		q_i64(&q, from);
		q_i64(&q, to);
		if (metrics) {
			q_str(&q, metrics[0]);
			q_str(&q, metrics[1]);
		}
		rc = q_rows(&q, STORE_ROLLUP_ROWS_MAX, sizeof(store_rollup),
			    id == SQL_ROLLUPS_SERIES ? read_series : read_sum,
			    &items, n, "reading the metrics' counts", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_rollups_sum(store_tx *tx, int64_t tenant, char grain,
			    const char *scope, int64_t from, int64_t to,
			    store_rollup **out, size_t *n, ordo_err *err)
{
	return rollups_read(tx, SQL_ROLLUPS_SUM, tenant, grain, scope, from,
			    to, NULL, out, n, err);
}

ordo_code store_rollups_series(store_tx *tx, int64_t tenant, char grain,
			       const char *scope, const char *const metrics[2],
			       int64_t from, int64_t to, store_rollup **out,
			       size_t *n, ordo_err *err)
{
	return rollups_read(tx, SQL_ROLLUPS_SERIES, tenant, grain, scope, from,
			    to, metrics, out, n, err);
}

static ordo_code read_gauge(struct q *q, void *item, ordo_err *err)
{
	store_rollup *r = item;

	memset(r, 0, sizeof(*r));
	q_col_str(q, r->metric, sizeof(r->metric));
	r->bucket = q_col_i64(q);
	r->n = q_col_i64(q);
	return q_row_end(q, "reading the metrics' gauges", err);
}

ordo_code store_gauges_read(store_tx *tx, int64_t tenant, const char *prefix,
			    store_rollup **out, size_t *n, ordo_err *err)
{
	char upto[72];
	size_t len = strlen(prefix);
	struct q q;
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	/* The first name past every one that begins with prefix: its last
	 * byte one more. */
	if (len == 0 || len >= sizeof(upto) ||
	    (unsigned char)prefix[len - 1] == 0xff)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "reading the metrics' gauges: a bad "
				    "prefix");
	memcpy(upto, prefix, len + 1);
	upto[len - 1] = (char)((unsigned char)upto[len - 1] + 1);
	rc = q_open(&q, tx, SQL_GAUGES_READ, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, prefix);
		q_str(&q, upto);
		rc = q_rows(&q, STORE_ROLLUP_ROWS_MAX, sizeof(store_rollup),
			    read_gauge, &items, n,
			    "reading the metrics' gauges", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_gauge_hours(store_tx *tx, int64_t tenant, const char *gauge,
			    int64_t from, int64_t to, store_rollup **out,
			    size_t *n, ordo_err *err)
{
	struct q q;
	void *items = NULL;
	ordo_code rc = q_open(&q, tx, SQL_GAUGE_HOURS, err);

	*out = NULL;
	*n = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, gauge);
		q_i64(&q, from);
		q_i64(&q, to);
		rc = q_rows(&q, STORE_ROLLUP_ROWS_MAX, sizeof(store_rollup),
			    read_gauge, &items, n,
			    "reading the metrics' gauges", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_gauges_purge(store_tx *tx, int64_t *purged, ordo_err *err)
{
	struct q q = {0};
	bool row = true;
	ordo_code rc = tx_check_writable(tx, "store_gauges_purge", err);

	*purged = 0;
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_GAUGES_PURGE, err);
	while (rc == ORDO_OK && row) {
		rc = q_step(&q, &row, "purging the metrics' gauges", NULL, err);
		if (rc == ORDO_OK && row)
			(*purged)++;
	}
	q_close(&q);
	return rc;
}
