/*
 * test_tx_cache.c - what a write transaction remembers of the rows it read
 * (store_int.h, TRANSACTION CACHE) is never wrong, on every backend:
 *
 *   - a job rolled back to its savepoint takes what it wrote with it, and
 *     the next job of the same batch reads the rows as they are, not as the
 *     failed job left them in the transaction's memory;
 *   - a job that writes a setting reads its new value back at once, and one
 *     that adds a location finds it in the list at once;
 *   - a location a failed job added does not exist for the next job.
 *
 * And, on SQLite, checkpoints run beside the committer: the WAL is copied
 * back into the database by the checkpointer thread once it is long
 * enough, never in a commit (store_commit_stats.checkpoints counts them).
 *
 * A gate job parks the committer so that the jobs under test are queued
 * behind it and all run in the next batch, one transaction.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/limits.h"
#include "core/settings.h"
#include "fixture.h"
#include "store/store.h"

/* ---- a batch of jobs behind a gate ----------------------------------------- */

struct batch_job {
	store_job job;
	struct batch *b;
	ordo_code (*fn)(store_tx *tx, struct batch_job *j, ordo_err *err);
	int64_t seen; /* what the job read */
	ordo_code rc;
	bool done;
};

struct batch {
	struct fx *f;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending;
};

static ordo_code job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct batch_job *j = arg;

	return j->fn(tx, j, err);
}

static void job_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct batch_job *j = arg;
	struct batch *b = j->b;

	(void)err;
	pthread_mutex_lock(&b->mu);
	j->rc = rc;
	j->done = true;
	b->pending--;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
}

/* Run the n jobs in one batch (behind a gate) and wait for their answers. */
static void run_batch(struct fx *f, struct batch_job *jobs, size_t n)
{
	struct fx_gate gate;
	struct batch b;
	size_t i;

	memset(&b, 0, sizeof(b));
	b.f = f;
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.cv, NULL);
	gate_park(f->st, &gate);
	b.pending = (int)n;
	for (i = 0; i < n; i++) {
		jobs[i].b = &b;
		jobs[i].job.run = job_run;
		jobs[i].job.done = job_done;
		jobs[i].job.arg = &jobs[i];
		store_submit(f->st, &jobs[i].job);
	}
	gate_open(&gate);
	pthread_mutex_lock(&b.mu);
	while (b.pending > 0)
		pthread_cond_wait(&b.cv, &b.mu);
	pthread_mutex_unlock(&b.mu);
	for (i = 0; i < n; i++)
		ordo_err_clear(&jobs[i].job.err);
	pthread_cond_destroy(&b.cv);
	pthread_mutex_destroy(&b.mu);
}

/* ---- the jobs ------------------------------------------------------------- */

static int64_t tenant_a;

static ordo_code read_window(store_tx *tx, struct batch_job *j, ordo_err *err)
{
	tenant_settings s;
	ordo_code rc = store_settings_get(tx, tenant_a, &s, err);

	j->seen = s.duplicate_window_s;
	return rc;
}

/* Write a new window, read it back, then fail: all of it is undone. */
static ordo_code write_then_fail(store_tx *tx, struct batch_job *j,
				 ordo_err *err)
{
	tenant_settings s;
	ordo_code rc = store_settings_get(tx, tenant_a, &s, err);

	if (rc)
		return rc;
	s.duplicate_window_s = 7777;
	rc = store_settings_put(tx, tenant_a, &s, err);
	if (rc == ORDO_OK)
		rc = read_window(tx, j, err);
	if (rc)
		return rc;
	return ordo_err_set(err, ORDO_EINVALID, NULL, "failing on purpose");
}

static ordo_code write_and_read(store_tx *tx, struct batch_job *j,
				ordo_err *err)
{
	tenant_settings s;
	ordo_code rc = store_settings_get(tx, tenant_a, &s, err);

	if (rc)
		return rc;
	s.duplicate_window_s = 4242;
	rc = store_settings_put(tx, tenant_a, &s, err);
	return rc ? rc : read_window(tx, j, err);
}

/* A job rolled back takes its writes out of the transaction's memory. */
static void test_a_failed_job_leaves_nothing_remembered(void **state)
{
	struct fx *f = *state;
	struct batch_job jobs[4];
	tenant_settings defaults;

	settings_defaults(&defaults);
	tenant_a = f->ta;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].fn = read_window;     /* the batch remembers the setting */
	jobs[1].fn = write_then_fail; /* changes it, reads it, fails */
	jobs[2].fn = read_window;     /* must see it unchanged */
	jobs[3].fn = write_and_read;  /* changes it and sees the change */
	run_batch(f, jobs, 4);

	assert_int_equal(jobs[0].rc, ORDO_OK);
	assert_int_equal(jobs[0].seen, defaults.duplicate_window_s);
	assert_int_equal(jobs[1].rc, ORDO_EINVALID);
	assert_int_equal(jobs[1].seen, 7777);
	assert_int_equal(jobs[2].rc, ORDO_OK);
	assert_int_equal(jobs[2].seen, defaults.duplicate_window_s);
	assert_int_equal(jobs[3].rc, ORDO_OK);
	assert_int_equal(jobs[3].seen, 4242);
}

/* Add location NEW between two reads of the list: the second sees it. */
static ordo_code add_between_lists(store_tx *tx, struct batch_job *j,
				   ordo_err *err)
{
	catalog_location *page = NULL, loc;
	size_t before = 0, after = 0;
	ordo_code rc;

	rc = store_location_list(tx, tenant_a, "", 50, &page, &before, err);
	free(page);
	page = NULL;
	if (rc)
		return rc;
	location_make(&loc, "NEW", 3);
	rc = store_location_put(tx, tenant_a, &loc, err);
	if (rc == ORDO_OK)
		rc = store_location_list(tx, tenant_a, "", 50, &page, &after,
					 err);
	free(page);
	j->seen = (int64_t)(after - before);
	return rc;
}

/* Add location GHOST and stock there, then fail. */
static ordo_code ghost_then_fail(store_tx *tx, struct batch_job *j,
				 ordo_err *err)
{
	catalog_location loc;
	stock_level lv;
	ordo_code rc;

	(void)j;
	location_make(&loc, "GHOST", 4);
	rc = store_location_put(tx, tenant_a, &loc, err);
	level_make(&lv, "GHOST", "A-1", 5, 0, 0);
	if (rc == ORDO_OK)
		rc = store_stock_put(tx, tenant_a, &lv, err);
	if (rc)
		return rc;
	return ordo_err_set(err, ORDO_EINVALID, NULL, "failing on purpose");
}

static ordo_code stock_at_ghost(store_tx *tx, struct batch_job *j,
				ordo_err *err)
{
	stock_level lv;

	(void)j;
	level_make(&lv, "GHOST", "A-1", 5, 0, 0);
	return store_stock_put(tx, tenant_a, &lv, err);
}

static void test_locations_are_seen_as_they_are(void **state)
{
	struct fx *f = *state;
	struct batch_job jobs[4];

	catalog_add(f, f->ta);
	tenant_a = f->ta;
	memset(jobs, 0, sizeof(jobs));
	jobs[0].fn = add_between_lists;
	jobs[1].fn = ghost_then_fail;
	jobs[2].fn = stock_at_ghost;
	run_batch(f, jobs, 3);
	assert_int_equal(jobs[0].rc, ORDO_OK);
	assert_int_equal(jobs[0].seen, 1);
	assert_int_equal(jobs[1].rc, ORDO_EINVALID);
	/* GHOST went with the job that made it. */
	assert_int_equal(jobs[2].rc, ORDO_ENOTFOUND);
}

/* Read the settings three times in one job. */
static ordo_code settings_thrice(store_tx *tx, struct wctx *w, ordo_err *err)
{
	tenant_settings s;
	ordo_code rc = ORDO_OK;
	int i;

	for (i = 0; rc == ORDO_OK && i < 3; i++)
		rc = store_settings_get(tx, w->tenant, &s, err);
	return rc;
}

/* The committer counts the statements its jobs run (/metrics shows it),
 * and a setting read again in the transaction costs none. */
static void test_statements_are_counted_and_spared(void **state)
{
	struct fx *f = *state;
	store_commit_stats before, after;
	ordo_err err = ORDO_ERR_INIT;

	store_commit_stats_get(f->st, &before);
	assert_int_equal(wr(f, f->ta, settings_thrice, NULL, &err), ORDO_OK);
	store_commit_stats_get(f->st, &after);
	/* The settings row and the per-hold-type rows: two statements,
	 * read once. */
	assert_int_equal(after.write_statements - before.write_statements, 2);
}

/* Insert an order; the job's own statements into w->p. */
static ordo_code order_counted(store_tx *tx, struct wctx *w, ordo_err *err)
{
	int64_t *job = w->p, s0 = store_tx_statements(tx);
	ordo_code rc;
	order o;

	char id[ORDO_ID_MAX];

	order_make(&o, w->tenant, "ord_counted", "web", "CNT-1", 1700000000,
		   ORDER_ACCEPTED, 1);
	rc = store_order_insert(tx, &o, err);
	/* A read of it: where the order is written once, at the job's end
	 * (sql_orders.c), it is written now, among the job's statements. */
	if (rc == ORDO_OK)
		rc = store_order_find_external(tx, w->tenant, "web", "CNT-1",
					       id, err);
	order_free(&o);
	*job = store_tx_statements(tx) - s0;
	return rc;
}

/* The statements the batch runs at its end (the new orders' search words,
 * store_int.h) are counted too. */
static void test_the_batch_end_is_counted(void **state)
{
	struct fx *f = *state;
	store_commit_stats before, after;
	ordo_err err = ORDO_ERR_INIT;
	int64_t job = 0;

	store_commit_stats_get(f->st, &before);
	assert_int_equal(wr(f, f->ta, order_counted, &job, &err), ORDO_OK);
	store_commit_stats_get(f->st, &after);
	assert_true(job > 0);
	assert_int_equal(after.write_statements - before.write_statements,
			 job + 1);
}

/* A new order of 3 lines, *(int *)w->p events, saved again: what
 * intake writes of an order. */
static ordo_code order_with_events(store_tx *tx, struct wctx *w,
				   ordo_err *err)
{
	int n = *(int *)w->p, i;
	char id[32], ext[32];
	order_event ev;
	ordo_code rc;
	order o;

	snprintf(id, sizeof(id), "ord_trips_%d", n);
	snprintf(ext, sizeof(ext), "TRIPS-%d", n);
	order_make(&o, w->tenant, id, "web", ext, 1700000000, ORDER_RECEIVED,
		   3);
	rc = store_order_insert(tx, &o, err);
	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.type, "note", sizeof(ev.type));
	ordo_strlcpy(ev.actor, "test", sizeof(ev.actor));
	ev.at = 1700000000;
	for (i = 0; rc == ORDO_OK && i < n; i++)
		rc = store_event_append(tx, w->tenant, id, &ev, err);
	if (rc == ORDO_OK) {
		o.state = ORDER_VALIDATED;
		rc = store_order_update(tx, &o, err);
	}
	order_free(&o);
	return rc;
}

/* The committers' waits for answers around one write of order_with_events
 * with n events. */
static uint64_t trips_of(struct fx *f, int n)
{
	store_commit_stats before, after;
	ordo_err err = ORDO_ERR_INIT;

	store_commit_stats_get(f->st, &before);
	assert_int_equal(wr(f, f->ta, order_with_events, &n, &err), ORDO_OK);
	store_commit_stats_get(f->st, &after);
	return after.write_round_trips - before.write_round_trips;
}

/*
 * A write waits for the database's answers a few times, however many rows
 * it writes: its statements whose answers it does not read go together
 * (db.h, DEFERRED STATEMENTS; sql_orders.c, AN ORDER WRITTEN ONCE). On
 * PostgreSQL: BEGIN, the seqs drawn, the batch's deferred statements (the
 * job's among them) read at its end, COMMIT. SQLite has no round trips.
 */
static void test_a_write_waits_a_few_times_whatever_it_writes(void **state)
{
	struct fx *f = *state;
	uint64_t few, many;

	(void)trips_of(f, 1); /* statements prepared, seqs drawn */
	few = trips_of(f, 2);
	many = trips_of(f, 20);
	assert_int_equal(few, many);
	if (test_pg_url())
		assert_in_range(few, 3, 5);
	else
		assert_int_equal(few, 0);
}

/* order_with_events as a job of a batch: j->seen is its n. */
static ordo_code order_in_batch(store_tx *tx, struct batch_job *j,
				ordo_err *err)
{
	int n = (int)j->seen;
	struct wctx w = {.f = j->b->f, .p = &n, .tenant = tenant_a};

	return order_with_events(tx, &w, err);
}

/* Run n jobs of fn in one batch (run_batch), job i seeing from + i; *d:
 * the committer's statistics after less those before (the counters). */
static void run_batch_of(struct fx *f, struct batch_job *jobs, int n,
			 ordo_code (*fn)(store_tx *, struct batch_job *,
					 ordo_err *),
			 int from, store_commit_stats *d)
{
	store_commit_stats before;
	int i;

	memset(jobs, 0, (size_t)n * sizeof(*jobs));
	for (i = 0; i < n; i++) {
		jobs[i].fn = fn;
		jobs[i].seen = from + i;
	}
	store_commit_stats_get(f->st, &before);
	run_batch(f, jobs, (size_t)n);
	store_commit_stats_get(f->st, d);
	d->write_round_trips -= before.write_round_trips;
	d->batch_reruns -= before.batch_reruns;
}

/* The committers' waits around one batch of n writes of order_with_events
 * (distinct orders from `from` on, as many events). */
static uint64_t batch_trips(struct fx *f, int n, int from)
{
	struct batch_job jobs[12];
	store_commit_stats d;
	int i;

	assert_true(n <= 12);
	run_batch_of(f, jobs, n, order_in_batch, from, &d);
	for (i = 0; i < n; i++)
		assert_int_equal(jobs[i].rc, ORDO_OK);
	return d.write_round_trips;
}

/*
 * A batch waits for the database's answers as often with 12 writes as with
 * one: a write's deferred statements travel with the next write's, and no
 * write waits at its end (pg_pipe.c, DEFERRED STATEMENTS). Each count has
 * the gate's batch in it too.
 */
static void test_a_batch_waits_as_often_whatever_its_writes(void **state)
{
	struct fx *f = *state;
	uint64_t one, twelve;

	tenant_a = f->ta;
	(void)trips_of(f, 1); /* statements prepared */
	/* (Fewer statements in all than a pipeline holds, PG_PIPELINE_MAX:
	 * a full one is read before more are sent.) */
	one = batch_trips(f, 1, 14);
	twelve = batch_trips(f, 12, 2);
	assert_int_equal(one, twelve);
	if (!test_pg_url())
		assert_int_equal(one, 0);
}

/* Jobs that only defer: events_n stock events each, the last of job
 * `bad`'s for a tenant that does not exist; job `swallow` then reads a SKU
 * that does not exist, takes the error in its stride and stands. */
static int events_n = 2, events_bad = -1, events_swallow = -1;

static ordo_code two_events(store_tx *tx, struct batch_job *j, ordo_err *err)
{
	stock_event ev;
	catalog_sku sku;
	ordo_code rc = ORDO_OK;
	int k;

	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.location, "WH1", sizeof(ev.location));
	ordo_strlcpy(ev.sku, "A-1", sizeof(ev.sku));
	ordo_strlcpy(ev.type, "adjustment", sizeof(ev.type));
	ev.at = 1700002000;
	for (k = 0; rc == ORDO_OK && k < events_n; k++)
		rc = store_stock_event_append(
			tx,
			j->seen == events_bad && k == events_n - 1
				? 987654321
				: tenant_a,
			&ev, err);
	if (rc == ORDO_OK && j->seen == events_swallow) {
		rc = store_sku_get(tx, tenant_a, "NO-SUCH", &sku, err);
		if (rc == ORDO_ENOTFOUND) {
			ordo_err_clear(err);
			rc = ORDO_OK;
		}
	}
	return rc;
}

/* A batch of n two_events jobs; fails unless only job bad failed, as its
 * own (the event's tenant); returns the batches run again for a failure
 * found late. */
static uint64_t events_batch(struct fx *f, int n, int bad, int swallow)
{
	struct batch_job jobs[80];
	store_commit_stats d;
	int i;

	assert_true(n <= 80);
	events_bad = bad;
	events_swallow = swallow;
	run_batch_of(f, jobs, n, two_events, 0, &d);
	for (i = 0; i < n; i++)
		if (jobs[i].rc != (i == bad ? ORDO_ENOTFOUND : ORDO_OK))
			fail_msg("job %d of %d (bad %d): %s", i, n, bad,
				 ordo_code_name(jobs[i].rc));
	return d.batch_reruns;
}

/*
 * Jobs do not wait for their deferred statements at their end on
 * PostgreSQL (pg_pipe.c): a failure is found with a later job's answers
 * and the batch runs again, each job waiting, so that only the job that
 * failed fails, wherever the full pipeline (PG_PIPELINE_MAX, 256
 * statements) is read: at a later job's statement or its SAVEPOINT (two
 * events a job: SAVEPOINT, 2 inserts, RELEASE), or at the failing job's
 * own RELEASE (seven events a job, 9 statements: the pipeline is read as
 * job 56 sends its RELEASE; with that job's failure taken for the
 * transaction's, every job failed). A job that took the failure's error in
 * its stride fails at once. The last job waits at its end: its failure is
 * its own.
 */
static void test_a_failure_found_late_fails_its_job_alone(void **state)
{
	struct fx *f = *state;
	bool pg = test_pg_url() != NULL;
	int bad;

	tenant_a = f->ta;
	(void)events_batch(f, 1, -1, -1); /* statements prepared */
	for (bad = 0; bad < 79; bad += 6)
		assert_int_equal(events_batch(f, 80, bad, -1), pg ? 1 : 0);
	assert_int_equal(events_batch(f, 80, 79, -1), 0);
	assert_int_equal(events_batch(f, 3, 1, 1), 0);
	events_n = 7;
	assert_in_range(events_batch(f, 60, 56, -1), 0, pg ? 1 : 0);
	events_n = 2;
}

/* What the lookups found, one by one and answered from the joint one. */
struct found {
	ordo_code ext_rc, fp_rc;
	char ext[ORDO_ID_MAX], fp[ORDO_ID_MAX];
	int64_t orders, defects;
	int64_t statements; /* the three lookups' own */
	bool after_insert;  /* asked again once an order was inserted */
};

static void look_up(store_tx *tx, const order *o, struct found *out)
{
	ordo_err err = ORDO_ERR_INIT;
	int64_t s0 = store_tx_statements(tx);

	out->ext_rc = store_order_find_external(tx, o->tenant_id, o->channel,
						o->external_id, out->ext,
						&err);
	ordo_err_clear(&err);
	out->fp_rc = store_order_find_fingerprint(tx, o->tenant_id,
						  o->fingerprint,
						  o->received_at - 3600,
						  out->fp, &err);
	ordo_err_clear(&err);
	assert_int_equal(store_customer_history(tx, o->tenant_id,
						o->customer_key,
						o->received_at, INT64_MAX,
						&out->orders, &out->defects,
						&err),
			 ORDO_OK);
	out->statements = store_tx_statements(tx) - s0;
}

/* w->p: struct found[2], one by one, then after store_intake_lookup. */
static ordo_code lookups_compared(store_tx *tx, struct wctx *w,
				  ordo_err *err)
{
	struct found *f = w->p;
	char id[ORDO_ID_MAX];
	ordo_code rc;
	order o;

	/* The same channel, external id, content and customer as the
	 * order the test stored: each lookup finds something. */
	order_make(&o, w->tenant, "ord_look_2", "web", "LOOK-1", 1700000100,
		   ORDER_RECEIVED, 1);
	ordo_strlcpy(o.fingerprint, "fp-ord_look_1", sizeof(o.fingerprint));
	ordo_strlcpy(o.customer_key, "ada@example.com",
		     sizeof(o.customer_key));
	look_up(tx, &o, &f[0]);
	rc = store_intake_lookup(tx, &o, true, o.received_at - 3600, err);
	if (rc == ORDO_OK)
		look_up(tx, &o, &f[1]);
	/* An order inserted: the answers kept may be stale, asked again. */
	ordo_strlcpy(o.external_id, "LOOK-2", sizeof(o.external_id));
	if (rc == ORDO_OK)
		rc = store_order_insert(tx, &o, err);
	if (rc == ORDO_OK) {
		int64_t s0 = store_tx_statements(tx);

		rc = store_order_find_external(tx, w->tenant, "web", "LOOK-1",
					       id, err);
		f[1].after_insert = store_tx_statements(tx) > s0;
	}
	order_free(&o);
	return rc;
}

/*
 * INTAKE'S LOOKUPS (sql_lookups.c): after store_intake_lookup, an order by
 * external id, an order by content and the customer's history are the
 * answers the statements of each give, and cost no statement; once the
 * job inserts an order they are asked of the database again.
 */
static void test_intake_looks_up_at_once(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	struct found found[2];
	order stored;

	memset(found, 0, sizeof(found));
	order_make(&stored, f->ta, "ord_look_1", "web", "LOOK-1", 1700000000,
		   ORDER_ACCEPTED, 1);
	ordo_strlcpy(stored.customer_key, "ada@example.com",
		     sizeof(stored.customer_key));
	order_put(f, &stored);
	order_free(&stored);
	assert_int_equal(wr(f, f->ta, lookups_compared, found, &err), ORDO_OK);
	assert_int_equal(found[0].ext_rc, ORDO_OK);
	assert_string_equal(found[0].ext, "ord_look_1");
	assert_int_equal(found[0].fp_rc, ORDO_OK);
	assert_string_equal(found[0].fp, "ord_look_1");
	assert_int_equal(found[0].orders, 1);
	assert_true(found[0].statements >= 3);
	assert_int_equal(found[1].ext_rc, found[0].ext_rc);
	assert_string_equal(found[1].ext, found[0].ext);
	assert_int_equal(found[1].fp_rc, found[0].fp_rc);
	assert_string_equal(found[1].fp, found[0].fp);
	assert_int_equal(found[1].orders, found[0].orders);
	assert_int_equal(found[1].defects, found[0].defects);
	assert_int_equal(found[1].statements, 0);
	assert_true(found[1].after_insert);
}

/* ---- a batch's lookups ----------------------------------------------------- */

/* The new orders of a batch, job by job (a job's seen: its place): channel
 * "web", content "fp-batch", customer "ada@example.com", received a second
 * apart; fail: the job inserts its order, then fails; defect: it then
 * records a defect on the order "ord_pre"; correct: it gives "ord_pre"
 * the customer "ada@example.com". */
struct batch_order {
	const char *ext;
	bool fail, defect, correct;
};
static const struct batch_order *batch_orders;

/* What each job found, and the statements its lookups sent. */
static struct batch_found {
	char ext[ORDO_ID_MAX], fp[ORDO_ID_MAX];
	int64_t orders, defects, statements;
} batch_found[8];

static void batch_order_make(order *o, int i)
{
	char id[32];

	snprintf(id, sizeof(id), "ord_new_%s_%d", batch_orders[i].ext, i);
	order_make(o, tenant_a, id, "web", batch_orders[i].ext,
		   1700000100 + i, ORDER_RECEIVED, 1);
	ordo_strlcpy(o->fingerprint, "fp-batch", sizeof(o->fingerprint));
	ordo_strlcpy(o->customer_key, "ada@example.com",
		     sizeof(o->customer_key));
}

static void batch_lock_name(const order *o, char *lock, size_t size)
{
	snprintf(lock, size, "ext:%s", o->external_id);
}

/* What batch_intake will look up, said before it runs. */
static bool batch_keys(store_tx *tx, void *arg, store_intake_keys *k)
{
	struct batch_job *j = arg;
	order o;

	(void)tx;
	batch_order_make(&o, (int)j->seen);
	memset(k, 0, sizeof(*k));
	k->tenant = o.tenant_id;
	ordo_strlcpy(k->channel, o.channel, sizeof(k->channel));
	ordo_strlcpy(k->external_id, o.external_id, sizeof(k->external_id));
	ordo_strlcpy(k->fingerprint, o.fingerprint, sizeof(k->fingerprint));
	ordo_strlcpy(k->customer_key, o.customer_key,
		     sizeof(k->customer_key));
	k->by_content = true;
	k->since = o.received_at - 3600;
	k->before = o.received_at;
	batch_lock_name(&o, k->locks[0], sizeof(k->locks[0]));
	k->n_locks = 1;
	order_free(&o);
	return true;
}

/* As intake does: its lock, its lookups, its order unless one of its
 * external id was found. */
static ordo_code batch_intake(store_tx *tx, struct batch_job *j,
			      ordo_err *err)
{
	int i = (int)j->seen;
	struct batch_found *a = &batch_found[i];
	int64_t s0 = store_tx_statements(tx);
	char lock[64];
	ordo_code rc;
	order o;

	batch_order_make(&o, i);
	batch_lock_name(&o, lock, sizeof(lock));
	rc = store_lock_named(tx, o.tenant_id, lock, err);
	if (rc == ORDO_OK)
		rc = store_intake_lookup(tx, &o, true, o.received_at - 3600,
					 err);
	if (rc == ORDO_OK &&
	    store_order_find_external(tx, o.tenant_id, "web", o.external_id,
				      a->ext, err) == ORDO_ENOTFOUND)
		ordo_err_clear(err);
	if (rc == ORDO_OK &&
	    store_order_find_fingerprint(tx, o.tenant_id, o.fingerprint,
					 o.received_at - 3600, a->fp,
					 err) == ORDO_ENOTFOUND)
		ordo_err_clear(err);
	if (rc == ORDO_OK)
		rc = store_customer_history(tx, o.tenant_id, o.customer_key,
					    o.received_at, INT64_MAX,
					    &a->orders, &a->defects, err);
	a->statements = store_tx_statements(tx) - s0;
	if (rc == ORDO_OK && !a->ext[0])
		rc = store_order_insert(tx, &o, err);
	if (rc == ORDO_OK && batch_orders[i].defect) {
		order_defect d = {.created_at = 1700000050};

		snprintf(d.id, sizeof(d.id), "dfc_batch_%d", i);
		ordo_strlcpy(d.order_id, "ord_pre", sizeof(d.order_id));
		ordo_strlcpy(d.type, "wrong_item", sizeof(d.type));
		ordo_strlcpy(d.found_by, "Warehouse East", sizeof(d.found_by));
		ordo_strlcpy(d.reported_by, "key:ops", sizeof(d.reported_by));
		rc = store_defect_insert(tx, o.tenant_id, &d, err);
	}
	if (rc == ORDO_OK && batch_orders[i].correct) {
		order pre;

		order_init(&pre);
		rc = store_order_get(tx, o.tenant_id, "ord_pre", &pre, err);
		if (rc == ORDO_OK) {
			ordo_strlcpy(pre.customer_key, "ada@example.com",
				     sizeof(pre.customer_key));
			rc = store_order_update_content(tx, &pre, err);
			order_free(&pre);
		}
	}
	if (rc == ORDO_OK && batch_orders[i].fail)
		rc = ordo_err_set(err, ORDO_ECONFLICT, NULL,
				  "failed, as the test asks");
	order_free(&o);
	return rc;
}

/* Run the n orders of spec as one batch of intakes; the committers'
 * round trips. */
static uint64_t batch_of_intakes(struct fx *f, const struct batch_order *spec,
				 int n)
{
	struct batch_job jobs[8];
	store_commit_stats before, after;
	int i;

	assert_true(n <= 8);
	tenant_a = f->ta;
	batch_orders = spec;
	memset(batch_found, 0, sizeof(batch_found));
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < n; i++) {
		jobs[i].fn = batch_intake;
		jobs[i].seen = i;
		jobs[i].job.intake_keys = batch_keys;
	}
	store_commit_stats_get(f->st, &before);
	run_batch(f, jobs, (size_t)n);
	store_commit_stats_get(f->st, &after);
	for (i = 0; i < n; i++)
		assert_int_equal(jobs[i].rc,
				 spec[i].fail ? ORDO_ECONFLICT : ORDO_OK);
	return after.write_round_trips - before.write_round_trips;
}

/* The order "ord_pre" (external id PRE-1), received before any of the
 * batch's, of customer_key and, unless NULL, fingerprint. */
static void pre_put(struct fx *f, const char *customer_key,
		    const char *fingerprint)
{
	order pre;

	order_make(&pre, f->ta, "ord_pre", "web", "PRE-1", 1700000000,
		   ORDER_ACCEPTED, 1);
	if (fingerprint)
		ordo_strlcpy(pre.fingerprint, fingerprint,
			     sizeof(pre.fingerprint));
	ordo_strlcpy(pre.customer_key, customer_key, sizeof(pre.customer_key));
	order_put(f, &pre);
	order_free(&pre);
}

/*
 * A BATCH'S LOOKUPS (sql_lookups.c): a batch's new orders are looked up
 * at its start, and each job's answers are what the database would say
 * when the job runs: an order of its external id, the newest of its
 * content, its customer's orders, with those the jobs before it inserted,
 * and without those of a job undone. No job sends a statement for them.
 */
static void test_a_batch_looks_up_its_orders_at_its_start(void **state)
{
	static const struct batch_order spec[] = {
		{"NEW-0", false, false, false}, {"NEW-0", false, false, false}, {"NEW-2", false, false, false},
		{"NEW-3", true, false, false},  {"NEW-3", false, false, false},
	};
	static const struct {
		const char *ext, *fp;
		int64_t orders;
	} want[] = {
		{"", "ord_pre", 1},
		{"ord_new_NEW-0_0", "ord_new_NEW-0_0", 2},
		{"", "ord_new_NEW-0_0", 2},
		{"", "ord_new_NEW-2_2", 3},
		{"", "ord_new_NEW-2_2", 3}, /* NEW-3 of job 3 is undone */
	};
	struct fx *f = *state;
	int i;

	pre_put(f, "ada@example.com", "fp-batch");
	(void)batch_of_intakes(f, spec, 5);
	for (i = 0; i < 5; i++) {
		assert_string_equal(batch_found[i].ext, want[i].ext);
		assert_string_equal(batch_found[i].fp, want[i].fp);
		assert_int_equal(batch_found[i].orders, want[i].orders);
		assert_int_equal(batch_found[i].statements, 0);
	}
}

/* Once a job of the batch has recorded a defect, the customers' histories
 * of the batch's start no longer stand: the jobs after it ask again. */
static void test_a_batch_asks_again_after_a_defect(void **state)
{
	static const struct batch_order spec[] = {{"DEF-0", false, true, false},
						  {"DEF-1", false, false, false}};
	struct fx *f = *state;

	pre_put(f, "ada@example.com", NULL);
	(void)batch_of_intakes(f, spec, 2);
	assert_int_equal(batch_found[0].defects, 0);
	assert_int_equal(batch_found[0].statements, 0);
	assert_int_equal(batch_found[1].orders, 2);
	assert_int_equal(batch_found[1].defects, 1);
	assert_true(batch_found[1].statements > 0);
}

/* Once a job of the batch has corrected an order's content, the answers
 * of the batch's start no longer stand: the jobs after it ask again. */
static void test_a_batch_asks_again_after_a_correction(void **state)
{
	static const struct batch_order spec[] = {
		{"COR-0", false, false, true}, {"COR-1", false, false, false}};
	struct fx *f = *state;

	pre_put(f, "bob@example.com", NULL);
	(void)batch_of_intakes(f, spec, 2);
	assert_int_equal(batch_found[0].orders, 0);
	assert_int_equal(batch_found[0].statements, 0);
	/* ord_pre, now ada's, and COR-0. */
	assert_int_equal(batch_found[1].orders, 2);
	assert_true(batch_found[1].statements > 0);
}

/* A batch waits as often for its new orders' lookups whatever their
 * number: once, for all of them. */
static void test_a_batch_of_new_orders_waits_once_for_their_lookups(
	void **state)
{
	static const struct batch_order two[] = {{"TWO-0", false, false, false},
						 {"TWO-1", false, false, false}};
	static const struct batch_order eight[] = {
		{"EIGHT-0", false, false, false}, {"EIGHT-1", false, false, false}, {"EIGHT-2", false, false, false},
		{"EIGHT-3", false, false, false}, {"EIGHT-4", false, false, false}, {"EIGHT-5", false, false, false},
		{"EIGHT-6", false, false, false}, {"EIGHT-7", false, false, false},
	};
	static const struct batch_order warm[] = {{"WARM-0", false, false, false}};
	struct fx *f = *state;
	uint64_t a, b;

	(void)batch_of_intakes(f, warm, 1); /* statements prepared */
	a = batch_of_intakes(f, two, 2);
	b = batch_of_intakes(f, eight, 8);
	assert_int_equal(a, b);
	if (!test_pg_url())
		assert_int_equal(a, 0);
}

/* w->p: the work (store_tx_rows_read) of looking up a keyless order. */
static ordo_code keyless_lookup(store_tx *tx, struct wctx *w, ordo_err *err)
{
	int64_t *work = w->p, before = 0, after = 0;
	ordo_code rc;
	order o;

	order_make(&o, w->tenant, "ord_keyless_new", "web", "KEYLESS-NEW",
		   1700001000, ORDER_RECEIVED, 1);
	o.customer_key[0] = '\0';
	rc = store_tx_rows_read(tx, &before, err);
	if (rc == ORDO_OK)
		rc = store_intake_lookup(tx, &o, true, 1700000000, err);
	if (rc == ORDO_OK)
		rc = store_tx_rows_read(tx, &after, err);
	*work = after - before;
	order_free(&o);
	return rc;
}

/*
 * An order without a customer key has no history: looking it up does not
 * count the tenant's other keyless orders, a count that would grow with
 * them.
 */
static void keyless_orders_put(struct fx *f, int from, int to)
{
	int i;

	for (i = from; i < to; i++) {
		char id[32], ext[32];
		order o;

		snprintf(id, sizeof(id), "ord_keyless_%d", i);
		snprintf(ext, sizeof(ext), "KEYLESS-%d", i);
		order_make(&o, f->ta, id, "web", ext, 1690000000 + i,
			   ORDER_ACCEPTED, 1);
		o.customer_key[0] = '\0';
		order_put(f, &o);
		order_free(&o);
	}
}

static void test_a_keyless_order_counts_no_history(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	int64_t few = 0, many = 0;

	/* The work SQLite counts is its own, whatever the statistics;
	 * PostgreSQL plans a test's few rows unlike a database in use
	 * (test_plans checks which index serves the statement). */
	if (test_pg_url())
		skip();
	keyless_orders_put(f, 0, 10);
	assert_int_equal(wr(f, f->ta, keyless_lookup, &few, &err), ORDO_OK);
	keyless_orders_put(f, 10, 110);
	assert_int_equal(wr(f, f->ta, keyless_lookup, &many, &err), ORDO_OK);
	/* The same work with 100 keyless orders more. */
	if (many > few + 5)
		fail_msg("looking up a keyless order read %lld with 10 keyless "
			 "orders stored, %lld with 110",
			 (long long)few, (long long)many);
}

/* Read a SKU's stock, change it two ways, read it again: the reads see
 * each write (a row changed, a row new to the list). */
static ordo_code stock_follows_writes(store_tx *tx, struct wctx *w,
				      ordo_err *err)
{
	stock_level *rows = NULL, lv;
	size_t n = 0, i;
	int64_t *seen = w->p;
	ordo_code rc;

	level_make(&lv, "WH1", "A-1", 10, 0, 0);
	rc = store_stock_put(tx, w->tenant, &lv, err);
	if (rc == ORDO_OK)
		rc = store_stock_of_sku(tx, w->tenant, "A-1", &rows, &n, err);
	free(rows);
	rows = NULL;
	if (rc)
		return rc;
	level_make(&lv, "WH1", "A-1", 10, 4, 0);
	rc = store_stock_put(tx, w->tenant, &lv, err);
	if (rc == ORDO_OK)
		rc = store_stock_set(tx, w->tenant, "WH2", "A-1", 7, FX_NOW,
				     NULL, err);
	if (rc == ORDO_OK)
		rc = store_stock_of_sku(tx, w->tenant, "A-1", &rows, &n, err);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		if (strcmp(rows[i].location, "WH1") == 0)
			seen[0] = rows[i].reserved;
		if (strcmp(rows[i].location, "WH2") == 0)
			seen[1] = rows[i].on_hand;
	}
	seen[2] = (int64_t)n;
	free(rows);
	return rc;
}

static void test_stock_reads_follow_stock_writes(void **state)
{
	struct fx *f = *state;
	int64_t seen[3] = {-1, -1, -1};
	ordo_err err = ORDO_ERR_INIT;

	catalog_add(f, f->ta);
	assert_int_equal(wr(f, f->ta, stock_follows_writes, seen, &err),
			 ORDO_OK);
	assert_int_equal(seen[0], 4);
	assert_int_equal(seen[1], 7);
	assert_int_equal(seen[2], 2);
}

/* ---- checkpoints ------------------------------------------------------------ */

/* About 1 MiB of idempotency answers per job: the WAL grows fast. */
static ordo_code write_a_lot(store_tx *tx, struct wctx *w, ordo_err *err)
{
	static char body[64 * 1024];
	store_idempotency rec;
	int *round = w->p;
	int i;
	ordo_code rc = ORDO_OK;

	memset(body, 'x', sizeof(body) - 1);
	for (i = 0; rc == ORDO_OK && i < 16; i++) {
		memset(&rec, 0, sizeof(rec));
		snprintf(rec.key, sizeof(rec.key), "bulk-%d-%d", *round, i);
		memset(rec.request_hash, 'a', 64);
		rec.status = 201;
		rec.body = body;
		rec.created_at = FX_NOW;
		rc = store_idempotency_put(tx, w->tenant, &rec, err);
	}
	return rc;
}

static void test_checkpoints_run_beside_the_committer(void **state)
{
	struct fx *f = *state;
	store_commit_stats cs;
	ordo_err err = ORDO_ERR_INIT;
	int round, waited;

	if (test_pg_url())
		skip();
	store_commit_stats_get(f->st, &cs);
	assert_int_equal(cs.checkpoints, 0);
	/* Twice the checkpointer's threshold of pages, 1 MiB a round. */
	for (round = 0; round < SQ_WAL_CHECKPOINT_PAGES * 4096 * 2 / 1048576;
	     round++)
		assert_int_equal(wr(f, f->ta, write_a_lot, &round, &err),
				 ORDO_OK);
	for (waited = 0; waited < 100; waited++) {
		store_commit_stats_get(f->st, &cs);
		if (cs.checkpoints > 0)
			break;
		usleep(100 * 1000);
	}
	assert_true(cs.checkpoints > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_failed_job_leaves_nothing_remembered, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_locations_are_seen_as_they_are, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_statements_are_counted_and_spared, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_waits_as_often_whatever_its_writes, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_failure_found_late_fails_its_job_alone, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_write_waits_a_few_times_whatever_it_writes,
			setup, teardown),
		cmocka_unit_test_setup_teardown(test_intake_looks_up_at_once,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_looks_up_its_orders_at_its_start, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_of_new_orders_waits_once_for_their_lookups,
			setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_asks_again_after_a_defect, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_asks_again_after_a_correction, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_keyless_order_counts_no_history, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_the_batch_end_is_counted,
						setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_reads_follow_stock_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_checkpoints_run_beside_the_committer, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
