/*
 * sql_lookups.c - INTAKE'S LOOKUPS. Intake looks up three things before it
 * writes a new order: an order of the same channel and external id, one of
 * the same content, the customer's history. Asked one by one, on
 * PostgreSQL each is a round trip the committer waits for;
 * store_intake_lookup asks them in one statement and keeps the answers in
 * the transaction (tx->lookups) for store_order_find_external,
 * store_order_find_fingerprint and store_customer_history
 * (sql_history.c), which answer from them when asked exactly the same
 * until the job inserts an order (which could change them) or ends
 * (sql_lookups_forget, from store_order_insert and the committer). See
 * store.h for the contract of each public function.
 *
 * A BATCH'S LOOKUPS
 *
 * Asked job by job, each intake's lookups are a wait in the middle of its
 * job: on PostgreSQL the server idles while the committer works out the
 * order, and the committer while the server answers. So a batch asks
 * them all at its start (sql_lookups_prefetch, from the committer): each
 * job that takes a new order says what it will look up
 * (store_job.intake_keys); the named locks that guard its lookups are
 * taken, job by job in the batch's order, each job's in its own order, as
 * the jobs would take them; then one statement (SQL_INTAKE_LOOKUPS)
 * answers every job's. A job's store_intake_lookup takes its answers from
 * there when it asks exactly what its job said, brought up to date with
 * the orders the jobs before it inserted (sql_lookups_inserted; a job
 * undone takes its own with it): one of the same channel and external id
 * is the order taken before, the newest of the same content since the
 * window's start is the duplicate, each of the same customer received by
 * then is one more of the customer's orders. Once a job has changed an
 * order's content or recorded a defect (sql_lookups_stale), the answers
 * no longer stand, and each job asks, as before. The job's
 * own calls for the locks the batch took for it send nothing
 * (sql_lookups_locked). Another node's order of the same keys is seen as
 * before: its locks are held until it commits, and the batch's lookups
 * run once the batch holds them.
 */
#include "store/sql_int.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* An order by its channel and external id; the newest by its content
 * fingerprint received since a time. */
#define SQL_BY_EXTERNAL_OF(t, ch, ext)                                         \
	"id FROM orders WHERE tenant_id = " t " AND channel = " ch " "         \
	"AND external_id = " ext
#define SQL_BY_FINGERPRINT_OF(cols, t, fp, since)                              \
	cols " FROM orders WHERE tenant_id = " t " AND fingerprint = " fp " "  \
	"AND received_at >= " since " "                                        \
	"ORDER BY received_at DESC, seq DESC LIMIT 1"
#define SQL_BY_EXTERNAL SQL_BY_EXTERNAL_OF("?", "?", "?")
#define SQL_BY_FINGERPRINT SQL_BY_FINGERPRINT_OF("id", "?", "?", "?")

static const char *const sql_text[SQL_COUNT] = {
	[SQL_ORDER_BY_EXTERNAL] = "SELECT " SQL_BY_EXTERNAL,
	[SQL_ORDER_BY_FINGERPRINT] = "SELECT " SQL_BY_FINGERPRINT,
	/* The two above and a customer's history (sql_history.c), each a
	 * subquery answering NULL for none. */
	[SQL_INTAKE_LOOKUP] = "SELECT (SELECT " SQL_BY_EXTERNAL "), "
			      "(SELECT " SQL_BY_FINGERPRINT "), "
			      SQL_HISTORY_ORDERS ", " SQL_HISTORY_DEFECTS,
	/* The same for each job of a batch (A BATCH'S LOOKUPS): a JSON
	 * object of [tenant, channel, external id, fingerprint, since,
	 * customer key ("": none), before, before seq] keyed by the job's
	 * place, read by json_each as the kept rows are (sql_kept.c); each
	 * answer names its job by that place. Its members are read into a
	 * table of their own first (MATERIALIZED): SQLite would otherwise
	 * read each value from the JSON again for every order a subquery
	 * steps over. The order of the same content
	 * is told as "<received_at> <seq> <id>", for a job's answers to be
	 * brought up to date with the orders the jobs before it inserted. */
	[SQL_INTAKE_LOOKUPS] =
		"WITH k AS MATERIALIZED (SELECT CAST(key AS BIGINT) AS i, "
		"CAST(value ->> 0 AS BIGINT) AS t, value ->> 1 AS ch, "
		"value ->> 2 AS ext, value ->> 3 AS fp, "
		"CAST(value ->> 4 AS BIGINT) AS since, "
		"NULLIF(value ->> 5, '') AS ck, "
		"CAST(value ->> 6 AS BIGINT) AS bf, "
		"CAST(value ->> 7 AS BIGINT) AS bs FROM json_each(?)) "
		"SELECT k.i, (SELECT " SQL_BY_EXTERNAL_OF("k.t", "k.ch",
							  "k.ext") "), "
		"(SELECT " SQL_BY_FINGERPRINT_OF(
			"CAST(received_at AS TEXT) || ' ' || "
			"CAST(seq AS TEXT) || ' ' || id",
			"k.t", "k.fp", "k.since") "), "
		SQL_HISTORY_ORDERS_OF("k.t", "k.ck", "k.bf", "k.bs") ", "
		SQL_HISTORY_DEFECTS_OF("k.t", "k.ck", "k.bf", "k.bs") " "
		"FROM k",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_lookups_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- lookups ------------------------------------------------------------- */

/* ORDO_ENOTFOUND: no order with this field's value. */
static ordo_code no_order(const char *field, ordo_err *err)
{
	return ordo_err_set(err, ORDO_ENOTFOUND, field,
			    "no order with this %s", field);
}

/* Step an open, bound statement yielding one id column into id_out, or
 * ORDO_ENOTFOUND naming field. */
static ordo_code order_find_id(struct q *q, char *id_out, const char *field,
			       const char *what, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, what, NULL, err);
	if (rc)
		return rc;
	if (!row)
		return no_order(field, err);
	q_col_str(q, id_out, ORDO_ID_MAX);
	return q_row_end(q, what, err);
}

void sql_lookups_forget(store_tx *tx)
{
	tx->lookups.valid = false;
}

/* The answer kept for found (an id, "" for none), as order_find_id gives
 * it. */
static ordo_code lookup_answer(const char *found, char *id_out,
			       const char *field, ordo_err *err)
{
	if (!found[0])
		return no_order(field, err);
	ordo_strlcpy(id_out, found, ORDO_ID_MAX);
	return ORDO_OK;
}

/* What l answers for: o's keys as store_intake_lookup was asked them. */
static void lookups_keys(struct tx_lookups *l, const order *o,
			 bool by_content, ordo_time since)
{
	l->tenant = o->tenant_id;
	ordo_strlcpy(l->channel, o->channel, sizeof(l->channel));
	ordo_strlcpy(l->external_id, o->external_id, sizeof(l->external_id));
	l->by_content = by_content && o->fingerprint[0];
	ordo_strlcpy(l->fingerprint, o->fingerprint, sizeof(l->fingerprint));
	l->since = since;
	ordo_strlcpy(l->customer_key, o->customer_key,
		     sizeof(l->customer_key));
	l->before = o->received_at;
}

/*
 * The running job's answers from the batch's start, brought up to date
 * (A BATCH'S LOOKUPS), into l: false when there are none for what
 * store_intake_lookup(o, by_content, since) asks.
 */
static bool prefetched_answer(store_tx *tx, const order *o, bool by_content,
			      ordo_time since, struct tx_lookups *l)
{
	const struct tx_prefetch *p = &tx->prefetch;
	const struct tx_prefetched *r = p->running;
	ordo_time at;
	int64_t seq;
	size_t i;

	if (!r || p->stale || r->keys.tenant != o->tenant_id ||
	    r->keys.by_content != by_content || r->keys.since != since ||
	    r->keys.before != o->received_at ||
	    strcmp(r->keys.channel, o->channel) != 0 ||
	    strcmp(r->keys.external_id, o->external_id) != 0 ||
	    strcmp(r->keys.fingerprint, o->fingerprint) != 0 ||
	    strcmp(r->keys.customer_key, o->customer_key) != 0)
		return false;
	memset(l, 0, sizeof(*l));
	ordo_strlcpy(l->by_external, r->by_external, sizeof(l->by_external));
	ordo_strlcpy(l->by_fingerprint, r->by_fingerprint,
		     sizeof(l->by_fingerprint));
	at = r->fingerprint_at;
	seq = r->fingerprint_seq;
	l->orders = r->orders;
	l->defects = r->defects;
	for (i = 0; i < p->n_inserted; i++) {
		const struct tx_inserted *e = &p->inserted[i];

		if (e->tenant != o->tenant_id)
			continue;
		if (strcmp(e->channel, o->channel) == 0 &&
		    strcmp(e->external_id, o->external_id) == 0)
			ordo_strlcpy(l->by_external, e->id,
				     sizeof(l->by_external));
		if (o->fingerprint[0] &&
		    strcmp(e->fingerprint, o->fingerprint) == 0 &&
		    e->received_at >= since &&
		    (!l->by_fingerprint[0] || e->received_at > at ||
		     (e->received_at == at && e->seq > seq))) {
			ordo_strlcpy(l->by_fingerprint, e->id,
				     sizeof(l->by_fingerprint));
			at = e->received_at;
			seq = e->seq;
		}
		/* Before o (SQL_HISTORY_ORDERS with before_seq INT64_MAX);
		 * a new order has no defects yet. */
		if (o->customer_key[0] &&
		    strcmp(e->customer_key, o->customer_key) == 0 &&
		    e->received_at <= o->received_at)
			l->orders++;
	}
	lookups_keys(l, o, by_content, since);
	l->valid = true;
	return true;
}

ordo_code store_intake_lookup(store_tx *tx, const order *o, bool by_content,
			      ordo_time since, ordo_err *err)
{
	struct tx_lookups *l = &tx->lookups;
	struct q q = {0};
	bool row;
	ordo_code rc;

	l->valid = false;
	if (prefetched_answer(tx, o, by_content, since, l))
		return ORDO_OK;
	rc = q_open(&q, tx, SQL_INTAKE_LOOKUP, err);
	if (rc)
		goto out;
	q_i64(&q, o->tenant_id);
	q_str(&q, o->channel);
	q_str(&q, o->external_id);
	q_i64(&q, o->tenant_id);
	q_str(&q, o->fingerprint);
	q_i64(&q, since);
	q_bind_history(&q, o->tenant_id, o->customer_key, o->received_at,
		       INT64_MAX);
	rc = q_step(&q, &row, "looking up a new order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "looking up a new order: no row");
		goto out;
	}
	memset(l, 0, sizeof(*l));
	lookups_keys(l, o, by_content, since);
	q_col_str(&q, l->by_external, sizeof(l->by_external));
	q_col_str(&q, l->by_fingerprint, sizeof(l->by_fingerprint));
	/* An order without a key has no history (store_customer_history). */
	l->orders = o->customer_key[0] ? q_col_i64(&q) : 0;
	l->defects = o->customer_key[0] ? q_col_i64(&q) : 0;
	rc = q_row_end(&q, "looking up a new order", err);
	l->valid = rc == ORDO_OK;
out:
	q_close(&q);
	return rc;
}

bool sql_lookups_history(store_tx *tx, int64_t tenant,
			 const char *customer_key, ordo_time before,
			 int64_t before_seq, int64_t *orders, int64_t *defects)
{
	const struct tx_lookups *l = &tx->lookups;

	if (!l->valid || l->tenant != tenant || l->before != before ||
	    before_seq != INT64_MAX ||
	    strcmp(l->customer_key, customer_key) != 0)
		return false;
	*orders = l->orders;
	*defects = l->defects;
	return true;
}

ordo_code store_order_find_external(store_tx *tx, int64_t tenant,
				    const char *channel,
				    const char *external_id,
				    char id_out[ORDO_ID_MAX], ordo_err *err)
{
	const struct tx_lookups *l = &tx->lookups;
	struct q q;
	ordo_code rc;

	id_out[0] = '\0';
	if (l->valid && l->tenant == tenant &&
	    strcmp(l->channel, channel) == 0 &&
	    strcmp(l->external_id, external_id) == 0)
		return lookup_answer(l->by_external, id_out, "external_id",
				     err);
	rc = q_open(&q, tx, SQL_ORDER_BY_EXTERNAL, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, channel);
	q_str(&q, external_id);
	rc = order_find_id(&q, id_out, "external_id",
			   "finding an order by external id", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_find_fingerprint(store_tx *tx, int64_t tenant,
				       const char *fingerprint,
				       ordo_time since,
				       char id_out[ORDO_ID_MAX],
				       ordo_err *err)
{
	const struct tx_lookups *l = &tx->lookups;
	struct q q = {0};
	ordo_code rc;

	id_out[0] = '\0';
	/* An order without a fingerprint is like no other. */
	if (!fingerprint || !fingerprint[0]) {
		rc = no_order("fingerprint", err);
		goto out;
	}
	if (l->valid && l->by_content && l->tenant == tenant &&
	    l->since == since && strcmp(l->fingerprint, fingerprint) == 0)
		return lookup_answer(l->by_fingerprint, id_out, "fingerprint",
				     err);
	rc = q_open(&q, tx, SQL_ORDER_BY_FINGERPRINT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, fingerprint);
	q_i64(&q, since);
	rc = order_find_id(&q, id_out, "fingerprint",
			   "finding an order by fingerprint", err);
out:
	q_close(&q);
	return rc;
}

/* ---- a batch's lookups ---------------------------------------------------- */

/* k as SQL_INTAKE_LOOKUPS reads it: the i'th member of the object. */
static void keys_json(strbuf *json, size_t i, const store_intake_keys *k)
{
	strbuf row;
	char head[32];
	int n = snprintf(head, sizeof(head), "%s\"%zu\":", i ? "," : "{", i);

	strbuf_init(&row);
	sql_kept_row_i64(&row, k->tenant);
	sql_kept_row_str(&row, k->channel);
	sql_kept_row_str(&row, k->external_id);
	sql_kept_row_str(&row, k->fingerprint);
	sql_kept_row_i64(&row, k->since);
	sql_kept_row_str(&row, k->customer_key);
	sql_kept_row_i64(&row, k->before);
	sql_kept_row_i64(&row, INT64_MAX);
	strbuf_put(&row, "]", 1);
	strbuf_put(json, head, (size_t)n);
	if (row.failed)
		json->failed = true;
	else
		strbuf_put(json, row.text, row.len);
	strbuf_free(&row);
}

/* Read the answers of SQL_INTAKE_LOOKUPS (open, bound) into p's rows,
 * each once. */
static ordo_code prefetch_read(struct q *q, struct tx_prefetch *p,
			       ordo_err *err)
{
	const char *what = "looking up a batch's new orders";
	char told[64 + ORDO_ID_MAX];
	int id_at = 0;
	size_t n = 0;
	bool row;
	ordo_code rc;

	for (;;) {
		struct tx_prefetched *r;
		int64_t i;

		rc = q_step(q, &row, what, NULL, err);
		if (rc || !row)
			break;
		i = q_col_i64(q);
		if (i < 0 || (size_t)i >= p->n || p->rows[i].answered)
			return ordo_err_set(err, ORDO_ESTORAGE, NULL,
					    "%s: an answer for no job (%lld)",
					    what, (long long)i);
		r = &p->rows[i];
		r->answered = true;
		n++;
		q_col_str(q, r->by_external, sizeof(r->by_external));
		q_col_str(q, told, sizeof(told));
		if (told[0] &&
		    (sscanf(told, "%" SCNd64 " %" SCNd64 " %n", &r->fingerprint_at,
			    &r->fingerprint_seq, &id_at) != 2 ||
		     !told[id_at]))
			return ordo_err_set(err, ORDO_ESTORAGE, NULL,
					    "%s: an order of the same content "
					    "told as \"%s\"",
					    what, told);
		ordo_strlcpy(r->by_fingerprint, told[0] ? told + id_at : "",
			     sizeof(r->by_fingerprint));
		/* As store_intake_lookup reads them. */
		r->orders = r->keys.customer_key[0] ? q_col_i64(q) : 0;
		r->defects = r->keys.customer_key[0] ? q_col_i64(q) : 0;
	}
	if (rc == ORDO_OK && n != p->n)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "%s: %zu answers for %zu jobs", what, n,
				  p->n);
	return rc;
}

ordo_code sql_lookups_prefetch(store_tx *tx, store_job *batch,
			       ordo_err *err)
{
	struct tx_prefetch *p = &tx->prefetch;
	struct q q = {0};
	strbuf json;
	store_job *job;
	size_t i;
	int k;
	ordo_code rc = ORDO_OK;

	sql_lookups_batch_end(tx);
	for (job = batch; job; job = job->next) {
		struct tx_prefetched *r;

		if (!job->intake_keys)
			continue;
		if (p->n == p->cap) {
			r = sql_grow(p->rows, &p->cap, sizeof(*p->rows));
			if (!r)
				return sql_no_memory(err, "a batch's lookups");
			p->rows = r;
		}
		r = &p->rows[p->n];
		memset(r, 0, sizeof(*r));
		r->job = job;
		if (job->intake_keys(tx, job->arg, &r->keys))
			p->n++;
	}
	if (p->n == 0)
		return ORDO_OK;
	strbuf_init(&json);
	for (i = 0; i < p->n; i++) {
		const store_intake_keys *keys = &p->rows[i].keys;

		for (k = 0; rc == ORDO_OK && k < keys->n_locks &&
			    k < STORE_JOB_LOCKS;
		     k++)
			rc = named_lock(tx, keys->tenant, keys->locks[k],
					NAMED_EXCLUSIVE, NULL, err);
		keys_json(&json, i, keys);
	}
	strbuf_put(&json, "}", 1);
	if (rc == ORDO_OK && json.failed)
		rc = sql_no_memory(err, "a batch's lookups");
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_INTAKE_LOOKUPS, err);
	if (rc == ORDO_OK) {
		q_str(&q, json.text);
		rc = prefetch_read(&q, p, err);
	}
	q_close(&q);
	strbuf_free(&json);
	if (rc)
		sql_lookups_batch_end(tx);
	return rc;
}

void sql_lookups_job(store_tx *tx, const store_job *job)
{
	struct tx_prefetch *p = &tx->prefetch;
	size_t i;

	p->running = NULL;
	for (i = 0; job && i < p->n; i++)
		if (p->rows[i].job == job)
			p->running = &p->rows[i];
}

void sql_lookups_inserted(store_tx *tx, const order *o)
{
	struct tx_prefetch *p = &tx->prefetch;
	struct tx_inserted *r;

	if (p->n == 0 || p->stale)
		return;
	if (p->n_inserted == p->cap_inserted) {
		r = sql_grow(p->inserted, &p->cap_inserted,
			     sizeof(*p->inserted));
		if (!r) {
			p->stale = true; /* what it inserted is not known */
			return;
		}
		p->inserted = r;
	}
	r = &p->inserted[p->n_inserted++];
	r->job = tx->job;
	ordo_strlcpy(r->id, o->id, sizeof(r->id));
	r->seq = o->seq;
	r->received_at = o->received_at;
	r->tenant = o->tenant_id;
	ordo_strlcpy(r->channel, o->channel, sizeof(r->channel));
	ordo_strlcpy(r->external_id, o->external_id, sizeof(r->external_id));
	ordo_strlcpy(r->fingerprint, o->fingerprint, sizeof(r->fingerprint));
	ordo_strlcpy(r->customer_key, o->customer_key,
		     sizeof(r->customer_key));
}

void sql_lookups_stale(store_tx *tx)
{
	tx->prefetch.stale = true;
}

void sql_lookups_job_undo(store_tx *tx)
{
	struct tx_prefetch *p = &tx->prefetch;

	while (p->n_inserted > 0 &&
	       p->inserted[p->n_inserted - 1].job == tx->job)
		p->n_inserted--;
}

bool sql_lookups_locked(store_tx *tx, int64_t tenant, const char *name)
{
	const struct tx_prefetched *r = tx->prefetch.running;
	int k;

	if (!r || r->keys.tenant != tenant)
		return false;
	for (k = 0; k < r->keys.n_locks && k < STORE_JOB_LOCKS; k++)
		if (strcmp(r->keys.locks[k], name) == 0)
			return true;
	return false;
}

void sql_lookups_batch_end(store_tx *tx)
{
	struct tx_prefetch *p = &tx->prefetch;

	free(p->rows);
	free(p->inserted);
	memset(p, 0, sizeof(*p));
}
