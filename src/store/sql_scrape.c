/*
 * sql_scrape.c - the backlog as /metrics reads it when it is scraped: the
 * open holds of each tenant by type (the review queue's depth) with those
 * past due, and each webhook's deliveries waiting to go. These are gauges
 * of what stands now, so they are read, not counted: a count kept in
 * memory would be one node's, and would start again at 0 with it. See
 * store.h (store_scrape_read) for the contract.
 *
 * WHAT A SCRAPE READS
 *
 * One read snapshot: the first tenants by id (SQL_SCRAPE_TENANTS, by the
 * primary key), then for each two statements. Neither reads history:
 *
 *     SQL_SCRAPE_HOLDS     the tenant's open holds through holds_due
 *                          (tenant_id, status, due_at): the review queue
 *                          itself, grouped by type. Its range on due_at
 *                          (from the earliest time there is) is what
 *                          leads SQLite, which keeps no statistics, to
 *                          holds_due rather than holds_by_type, whose
 *                          (tenant_id, type) would give the GROUP BY its
 *                          order by walking every hold the tenant ever
 *                          had, resolved ones and all.
 *     SQL_SCRAPE_WEBHOOKS  the tenant's webhooks through webhooks_tenant
 *                          (at most ORDO_WEBHOOKS_MAX of its own and one
 *                          per channel), each with a count of its pending
 *                          deliveries through deliveries_ready (tenant_id,
 *                          webhook_id, status): only the pending ones,
 *                          never those delivered or failed.
 *
 * What they read grows with the backlog (open holds, deliveries waiting),
 * which is what the gauges measure; tests/store/test_plans.c checks that
 * each is read by an index.
 */
#include "store/sql_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* A tenant's webhooks, at most: its own and one for each channel. */
#define SCRAPE_WEBHOOKS_MAX (ORDO_WEBHOOKS_MAX + ORDO_CHANNELS_MAX)

static const char *const sql_text[SQL_COUNT] = {
	/* The first tenants after an id (0: from the first), by id. Binds:
	 * after, limit. */
	[SQL_SCRAPE_TENANTS] = "SELECT id, slug FROM tenants WHERE id > ? "
			       "ORDER BY id LIMIT ?",
	/* Binds: now (past due before it), tenant, open, the earliest due
	 * time (WHAT A SCRAPE READS). */
	[SQL_SCRAPE_HOLDS] = "SELECT type, count(*), "
			     "sum(CASE WHEN due_at < ? THEN 1 ELSE 0 END) "
			     "FROM holds WHERE tenant_id = ? AND status = ? "
			     "AND due_at >= ? GROUP BY type",
	/* Binds: pending, tenant, limit. */
	[SQL_SCRAPE_WEBHOOKS] = "SELECT w.id, w.status, "
				"(SELECT count(*) FROM deliveries d "
				"WHERE d.tenant_id = w.tenant_id "
				"AND d.webhook_id = w.id AND d.status = ?) "
				"FROM webhooks w WHERE w.tenant_id = ? "
				"ORDER BY w.seq LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_scrape_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- reading ------------------------------------------------------------- */

/* The first max tenants (one more read, to learn whether there are more). */
static ordo_code scrape_tenants(store_tx *tx, size_t max, store_scrape *out,
				ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	out->tenants = calloc(max ? max : 1, sizeof(*out->tenants));
	if (!out->tenants)
		return sql_no_memory(err, "reading the tenants");
	rc = q_open(&q, tx, SQL_SCRAPE_TENANTS, err);
	if (rc)
		goto out;
	q_i64(&q, 0);
	q_i64(&q, (int64_t)max + 1);
	for (;;) {
		store_scrape_tenant *t;

		rc = q_step(&q, &row, "reading the tenants", NULL, err);
		if (rc || !row)
			break;
		if (out->n == max) {
			out->more = true;
			break;
		}
		t = &out->tenants[out->n++];
		t->id = q_col_i64(&q);
		q_col_str(&q, t->slug, sizeof(t->slug));
		rc = q_row_end(&q, "reading the tenants", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

/* The tenant's open holds by type, and those due before now. */
static ordo_code scrape_holds(store_tx *tx, store_scrape_tenant *t,
			      ordo_time now, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc = q_open(&q, tx, SQL_SCRAPE_HOLDS, err);

	if (rc)
		goto out;
	q_i64(&q, now);
	q_i64(&q, t->id);
	q_str(&q, hold_status_name(HOLD_OPEN));
	q_i64(&q, INT64_MIN);
	for (;;) {
		store_scrape_holds *h;

		rc = q_step(&q, &row, "reading the open holds", NULL, err);
		if (rc || !row)
			break;
		/* One row a type: more than there are types is a broken
		 * row, not a count to drop. */
		if (t->n_holds == HOLD_TYPE_COUNT) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "reading the open holds: more "
					  "types than ordo has");
			break;
		}
		h = &t->holds[t->n_holds++];
		q_col_str(&q, h->type, sizeof(h->type));
		h->open = q_col_i64(&q);
		h->overdue = q_col_i64(&q);
		rc = q_row_end(&q, "reading the open holds", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

/* The tenant's webhooks, each with its pending deliveries. */
static ordo_code scrape_webhooks(store_tx *tx, store_scrape_tenant *t,
				 ordo_err *err)
{
	struct q q = {0};
	char status[16];
	bool row;
	ordo_code rc;

	t->webhooks = calloc(SCRAPE_WEBHOOKS_MAX, sizeof(*t->webhooks));
	if (!t->webhooks)
		return sql_no_memory(err, "reading the webhooks");
	rc = q_open(&q, tx, SQL_SCRAPE_WEBHOOKS, err);
	if (rc)
		goto out;
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	q_i64(&q, t->id);
	q_i64(&q, SCRAPE_WEBHOOKS_MAX);
	for (;;) {
		store_scrape_webhook *w;

		rc = q_step(&q, &row, "reading the webhooks", NULL, err);
		if (rc || !row || t->n_webhooks == SCRAPE_WEBHOOKS_MAX)
			break;
		w = &t->webhooks[t->n_webhooks++];
		q_col_str(&q, w->id, sizeof(w->id));
		q_col_str(&q, status, sizeof(status));
		w->paused = strcmp(status, "paused") == 0;
		w->pending = q_col_i64(&q);
		rc = q_row_end(&q, "reading the webhooks", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_scrape_read(store *st, ordo_time now, size_t max,
			    store_scrape *out, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc;
	size_t i;

	memset(out, 0, sizeof(*out));
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = scrape_tenants(tx, max, out, err);
	for (i = 0; rc == ORDO_OK && i < out->n; i++) {
		rc = scrape_holds(tx, &out->tenants[i], now, err);
		if (rc == ORDO_OK)
			rc = scrape_webhooks(tx, &out->tenants[i], err);
	}
	store_read_end(tx);
	return rc;
}

void store_scrape_free(store_scrape *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n && s->tenants; i++)
		free(s->tenants[i].webhooks);
	free(s->tenants);
	memset(s, 0, sizeof(*s));
}
