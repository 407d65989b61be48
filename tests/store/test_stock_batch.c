/*
 * test_stock_batch.c - a batch's stock written at its end (store_int.h,
 * STOCK WRITTEN AT THE BATCH'S END): on PostgreSQL a batch holds no stock
 * lock while its jobs run, another node's write of the same stock goes
 * ahead and the batch's changes are made to the row as that left it; stock
 * taken meanwhile runs the batch again, exact; on both backends a job
 * rolled back takes its stock changes and events with it.
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/err.h"
#include "store/sql_int.h" /* SQL_ROWS_MAX */

/* PostgreSQL's lock_timeout of the stores under test: a write that waits
 * for another's stock lock fails after this. */
#define LOCK_WAIT_MS 300

/*
 * A stock write on A-1 at WH1: give back `give_back` reserved units, then
 * reserve `take` when they are free, else fail with ORDO_ECONFLICT naming
 * "stock" (or, with `backorder`, stand without them); fail (after
 * reserving) when `fails`; short, it tells the store so
 * (store_stock_short). Or, with set_on_hand or set_safety (not -1), set
 * that and nothing else, at `at` (WH1 unless set; a row made if there is
 * none). The first run parks at its end while `park` is set. With
 * `named`, the job names A-1 as its stock (store_job.stock_skus) and
 * reads it as routing does.
 */
struct reserve {
	store_job job;
	int64_t tenant;
	int64_t take, give_back, set_on_hand, set_safety;
	bool fails, named, backorder;
	const char *order_id, *at;
	/* Short, after its park, read A-1 at this location too. */
	const char *then_at;
	/* the park, under mu */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool park, parked, release, answered;
	int runs;
	ordo_code rc;
	ordo_err err;
	store_commit_stats stats; /* of its store, once answered (race) */
};

/* The first run parks here while r->park is set. */
static void reserve_park(struct reserve *r)
{
	pthread_mutex_lock(&r->mu);
	if (r->park && r->runs == 1) {
		r->parked = true;
		pthread_cond_broadcast(&r->cv);
		while (!r->release)
			pthread_cond_wait(&r->cv, &r->mu);
	}
	pthread_mutex_unlock(&r->mu);
}

static ordo_code reserve_event(store_tx *tx, struct reserve *r,
			       const stock_level *after, ordo_err *err)
{
	stock_event ev;

	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.location, after->location, sizeof(ev.location));
	ordo_strlcpy(ev.sku, "A-1", sizeof(ev.sku));
	ordo_strlcpy(ev.type, "reserve", sizeof(ev.type));
	ordo_strlcpy(ev.reason, "allocation", sizeof(ev.reason));
	ordo_strlcpy(ev.actor, "test", sizeof(ev.actor));
	ordo_strlcpy(ev.order_id, r->order_id, sizeof(ev.order_id));
	ev.delta_reserved = r->take;
	ev.on_hand = after->on_hand;
	ev.reserved = after->reserved;
	ev.at = FX_NOW;
	return store_stock_event_append(tx, r->tenant, &ev, err);
}

static ordo_code reserve_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct reserve *r = arg;
	stock_level before, after;
	ordo_code rc;

	pthread_mutex_lock(&r->mu);
	r->runs++;
	pthread_mutex_unlock(&r->mu);
	if (r->named) {
		stock_level *rows = NULL;
		size_t n = 0;

		size_t i, most = 0;

		/* The location with the most free, as routing would. */
		rc = store_stock_of_sku(tx, r->tenant, "A-1", &rows, &n, err);
		if (rc == ORDO_OK && n == 0)
			rc = ordo_err_set(err, ORDO_EINTERNAL, "stock",
					  "A-1 has no stock rows");
		for (i = 1; rc == ORDO_OK && i < n; i++)
			if (stock_available(&rows[i]) >
			    stock_available(&rows[most]))
				most = i;
		if (rc == ORDO_OK)
			before = rows[most];
		free(rows);
	} else {
		rc = store_stock_get(tx, r->tenant, r->at ? r->at : "WH1",
				     "A-1", &before, err);
	}
	if (rc == ORDO_ENOTFOUND && r->at) {
		ordo_err_clear(err);
		level_make(&before, r->at, "A-1", 0, 0, 0);
		rc = ORDO_OK;
	}
	if (rc)
		return rc;
	if (r->set_on_hand >= 0 || r->set_safety >= 0) {
		if (r->set_on_hand >= 0)
			before.on_hand = r->set_on_hand;
		if (r->set_safety >= 0)
			before.safety_stock = r->set_safety;
		return store_stock_put(tx, r->tenant, &before, err);
	}
	if (r->give_back) {
		/* As a cancellation does: a write of its own. */
		before.reserved -= r->give_back;
		rc = store_stock_put(tx, r->tenant, &before, err);
		if (rc)
			return rc;
	}
	if (stock_available(&before) < r->take) {
		if (!r->backorder)
			return ordo_err_set(err, ORDO_ECONFLICT, "stock",
					    "only %lld free",
					    (long long)stock_available(&before));
		store_stock_short(tx, r->tenant, "A-1");
		reserve_park(r);
		if (r->then_at)
			rc = store_stock_get(tx, r->tenant, r->then_at, "A-1",
					     &after, err);
		return rc;
	}
	after = before;
	after.reserved += r->take;
	after.updated_at = FX_NOW;
	rc = store_stock_put(tx, r->tenant, &after, err);
	if (rc == ORDO_OK)
		rc = reserve_event(tx, r, &after, err);
	if (rc)
		return rc;
	reserve_park(r);
	if (r->fails)
		return ordo_err_set(err, ORDO_EINVALID, "order",
				    "failed after its reservation");
	return ORDO_OK;
}

static size_t reserve_skus(void *arg, int64_t *tenant, const char **skus,
			   size_t max)
{
	struct reserve *r = arg;

	*tenant = r->tenant;
	if (max > 0)
		skus[0] = "A-1";
	return 1;
}

static void reserve_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct reserve *r = arg;

	pthread_mutex_lock(&r->mu);
	r->rc = rc;
	if (rc)
		ordo_err_copy(&r->err, err);
	r->answered = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void reserve_init(struct reserve *r, int64_t tenant, int64_t take,
			 const char *order_id)
{
	memset(r, 0, sizeof(*r));
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->tenant = tenant;
	r->take = take;
	r->set_on_hand = r->set_safety = -1;
	r->order_id = order_id;
	r->err = (ordo_err)ORDO_ERR_INIT;
	r->job.run = reserve_run;
	r->job.done = reserve_done;
	r->job.arg = r;
}

static void reserve_named(struct reserve *r)
{
	r->named = true;
	r->job.stock_skus = reserve_skus;
}

static void reserve_wait(struct reserve *r, bool *flag)
{
	pthread_mutex_lock(&r->mu);
	while (!*flag)
		pthread_cond_wait(&r->cv, &r->mu);
	pthread_mutex_unlock(&r->mu);
}

static void reserve_release(struct reserve *r)
{
	pthread_mutex_lock(&r->mu);
	r->release = true;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void reserve_destroy(struct reserve *r)
{
	ordo_err_clear(&r->err);
	pthread_cond_destroy(&r->cv);
	pthread_mutex_destroy(&r->mu);
}

/* A-1 at WH1 of tenant A: on_hand, nothing reserved. The job sets the
 * row (a new one): its batch runs exact, which the returned count of
 * batches run again exact so far includes. */
static uint64_t stock_add(struct fx *f, int64_t on_hand)
{
	stock_level lv;
	store_commit_stats cs;
	ordo_err err = ORDO_ERR_INIT;

	catalog_add(f, f->ta);
	level_make(&lv, "WH1", "A-1", on_hand, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	store_commit_stats_get(f->st, &cs);
	return cs.stock_reruns;
}

static stock_level stock_now(struct fx *f)
{
	store_tx *tx = rd(f);
	stock_level lv;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &lv, &err),
			 ORDO_OK);
	store_read_end(tx);
	return lv;
}

/* A-1's events at WH1, newest first: *n of them. free(). */
static stock_event *events_now(struct fx *f, size_t *n)
{
	store_tx *tx = rd(f);
	stock_event *evs = NULL;
	int64_t next = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "WH1", 0,
						100, &evs, n, &next, &err),
			 ORDO_OK);
	store_read_end(tx);
	return evs;
}

/*
 * A race with another node: parked (its first run parks at its end) runs
 * in a batch of f's store; meanwhile `other` runs on another node (a store
 * of its own on f's database, lock waits cut short: a write waiting for
 * the parked batch's locks would fail) and is answered; then the parked
 * batch is let go and answered.
 */
static void race(struct fx *f, struct reserve *parked, struct reserve *other)
{
	store_options o = test_opts();
	store *st2 = NULL;
	ordo_err err = ORDO_ERR_INIT;

	o.busy_timeout_ms = LOCK_WAIT_MS;
	assert_int_equal(store_open(f->url, &o, &st2, &err), ORDO_OK);
	parked->park = true;
	store_submit(f->st, &parked->job);
	reserve_wait(parked, &parked->parked);
	store_submit(st2, &other->job);
	reserve_wait(other, &other->answered);
	store_commit_stats_get(st2, &other->stats);
	reserve_release(parked);
	reserve_wait(parked, &parked->answered);
	store_close(st2);
}

/* Batches of f's store run again exact so far. */
static uint64_t reruns_of(struct fx *f)
{
	store_commit_stats cs;

	store_commit_stats_get(f->st, &cs);
	return cs.stock_reruns;
}

/*
 * PostgreSQL: while a batch of one node has reserved 2 units and not yet
 * ended, another node reserves 3 and commits without waiting for it (with
 * the stock locked from the batch's start it waited until its lock wait
 * ran out, every run). The batch then ends on the row as the other node
 * left it: 5 reserved, and its event says so, after the other's. The
 * parked batch names its SKU, so its stock is read before its first job.
 */
static void test_a_batch_holds_no_stock_until_its_end(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	stock_event *evs;
	stock_level lv;
	size_t n = 0;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = stock_add(f, 100);
	reserve_init(&parked, f->ta, 2, "ord_parked");
	reserve_named(&parked);
	reserve_init(&other, f->ta, 3, "ord_other");
	reserve_named(&other);
	race(f, &parked, &other);
	assert_int_equal(other.rc, ORDO_OK);
	assert_int_equal(other.stats.retries, 0);
	assert_int_equal(parked.rc, ORDO_OK);
	assert_int_equal(reruns_of(f), reruns);

	lv = stock_now(f);
	assert_int_equal(lv.on_hand, 100);
	assert_int_equal(lv.reserved, 5);
	evs = events_now(f, &n);
	assert_int_equal(n, 2);
	assert_string_equal(evs[0].order_id, "ord_parked");
	assert_int_equal(evs[0].reserved, 5);
	assert_int_equal(evs[0].delta_reserved, 2);
	assert_string_equal(evs[1].order_id, "ord_other");
	assert_int_equal(evs[1].reserved, 3);
	free(evs);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: of 5 units, a parked batch reserves 4 while another node
 * reserves 3 and commits. At its end the batch finds that its 4 are no
 * longer free: it runs again, exact, where its job finds 2 free and fails
 * on its own. Nothing of its first run stands: 3 reserved, one event.
 */
static void test_stock_taken_meanwhile_runs_the_batch_exact(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	stock_event *evs;
	size_t n = 0;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = stock_add(f, 5);
	reserve_init(&parked, f->ta, 4, "ord_parked");
	reserve_init(&other, f->ta, 3, "ord_other");
	race(f, &parked, &other);
	assert_int_equal(other.rc, ORDO_OK);
	assert_int_equal(parked.rc, ORDO_ECONFLICT);
	assert_string_equal(parked.err.field, "stock");
	assert_int_equal(parked.runs, 2);
	assert_int_equal(parked.job.runs, 1); /* the first does not count */
	assert_int_equal(reruns_of(f), reruns + 1);

	assert_int_equal(stock_now(f).reserved, 3);
	evs = events_now(f, &n);
	assert_int_equal(n, 1);
	assert_string_equal(evs[0].order_id, "ord_other");
	free(evs);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: 10 on hand, the tenant's low-stock threshold 5 (the
 * default). A parked batch reserves 2 (10 free to 8: above the threshold)
 * while another node reserves 3. At its end the batch would take the row
 * from 7 free to 5, crossing the threshold, which its job did not see
 * (nor would it have sent stock.low): the batch runs again exact, where
 * its job sees the row as it is, and stands.
 */
static void test_a_threshold_crossed_unseen_runs_exact(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = stock_add(f, 10);
	reserve_init(&parked, f->ta, 2, "ord_parked");
	reserve_init(&other, f->ta, 3, "ord_other");
	race(f, &parked, &other);
	assert_int_equal(other.rc, ORDO_OK);
	assert_int_equal(parked.rc, ORDO_OK);
	assert_int_equal(parked.runs, 2);
	assert_int_equal(reruns_of(f), reruns + 1);
	assert_int_equal(stock_now(f).reserved, 5);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/* Reserve all of A-1 at WH1's on_hand units, now. */
static void reserve_all(struct fx *f, int64_t on_hand)
{
	struct reserve first;

	reserve_init(&first, f->ta, on_hand, "ord_first");
	store_submit(f->st, &first.job);
	reserve_wait(&first, &first.answered);
	assert_int_equal(first.rc, ORDO_OK);
	reserve_destroy(&first);
}

/*
 * A shortage raced: 5 of A-1 on hand at WH1, all 5 reserved; parked wants
 * 1 and, short, leaves its order waiting for stock (backorder); other
 * counts on_hand at `at` meanwhile. Returns the batches run again exact
 * before the race; *parked and *other are set up for it (the caller may
 * add to them, then calls race).
 */
static uint64_t shortage_init(struct fx *f, struct reserve *parked,
			      struct reserve *other, const char *at,
			      int64_t on_hand)
{
	uint64_t reruns = stock_add(f, 5);

	reserve_all(f, 5);
	reserve_init(parked, f->ta, 1, "ord_parked");
	parked->backorder = true;
	reserve_init(other, f->ta, 0, "ord_count");
	other->at = at;
	other->set_on_hand = on_hand;
	return reruns;
}

/* After a shortage raced: the count stood, and the parked batch ran again
 * exact (its job twice). */
static void shortage_ran_again(struct fx *f, struct reserve *parked,
			       struct reserve *other, uint64_t reruns)
{
	assert_int_equal(other->rc, ORDO_OK);
	assert_int_equal(parked->rc, ORDO_OK);
	assert_int_equal(parked->runs, 2);
	assert_int_equal(reruns_of(f), reruns + 1);
}

/*
 * PostgreSQL: a parked batch finds none free for its order and leaves it
 * waiting for stock, writing no stock; another node raises on hand to 15
 * meanwhile (a count, which then looks for the orders waiting for stock,
 * before this batch's is stored). At its end the batch finds more free
 * than its job saw: it runs again exact, where its job reserves from the
 * 10 now free.
 */
static void test_stock_added_meanwhile_runs_exact(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = shortage_init(f, &parked, &other, NULL, 15);
	race(f, &parked, &other);
	shortage_ran_again(f, &parked, &other, reruns);
	assert_int_equal(stock_now(f).reserved, 6);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: as above, but the count is of a location new to A-1, WH2,
 * 10 units: a row the parked batch never read, made meanwhile; its job,
 * short of A-1, would find them. The batch runs again exact and reserves
 * at WH2.
 */
static void test_stock_at_a_new_location_runs_exact(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	store_tx *tx;
	stock_level lv;
	ordo_err err = ORDO_ERR_INIT;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = shortage_init(f, &parked, &other, "WH2", 10);
	reserve_named(&parked);
	race(f, &parked, &other);
	shortage_ran_again(f, &parked, &other, reruns);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH2", "A-1", &lv, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(lv.reserved, 1);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: the same, the parked job reading WH2's new row only after
 * it found A-1 short (as a job does whose batch forgot what it read when
 * another job of it was rolled back): the row is new to the batch, but
 * not to the job's search, which missed it. The batch runs again.
 */
static void test_stock_seen_after_a_shortage_runs_exact(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = shortage_init(f, &parked, &other, "WH2", 10);
	parked.then_at = "WH2";
	race(f, &parked, &other);
	shortage_ran_again(f, &parked, &other, reruns);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: a parked batch reserves 1 of 90 free while another node
 * gives 5 back (a cancellation): more is free at its end than it saw, but
 * no job of it was short. It stands, not run again.
 */
static void test_stock_freed_meanwhile_keeps_the_batch(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = stock_add(f, 100);
	reserve_all(f, 10);
	reserve_init(&parked, f->ta, 1, "ord_parked");
	reserve_init(&other, f->ta, 0, "ord_cancelled");
	other.give_back = 5;
	race(f, &parked, &other);
	assert_int_equal(other.rc, ORDO_OK);
	assert_int_equal(parked.rc, ORDO_OK);
	assert_int_equal(parked.runs, 1);
	assert_int_equal(reruns_of(f), reruns);
	assert_int_equal(stock_now(f).reserved, 6);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/*
 * PostgreSQL: 10 on hand, 5 reserved. A parked batch gives the 5 back and
 * reserves 4, fewer than before, of the 10 it saw free; meanwhile another
 * node sets 8 units of safety stock. At its end the 4 are no longer free
 * of safety stock: the batch runs again exact and its job, finding 2
 * free, fails on its own.
 */
static void test_reserving_into_safety_stock_set_meanwhile(void **state)
{
	struct fx *f = *state;
	struct reserve parked, other;
	stock_level lv;
	uint64_t reruns;

	if (!test_pg_url())
		skip(); /* SQLite has one writer */
	reruns = stock_add(f, 10);
	reserve_all(f, 5);
	reserve_init(&parked, f->ta, 4, "ord_parked");
	parked.give_back = 5;
	reserve_init(&other, f->ta, 0, "ord_count");
	other.set_safety = 8;
	race(f, &parked, &other);
	assert_int_equal(other.rc, ORDO_OK);
	assert_int_equal(parked.rc, ORDO_ECONFLICT);
	assert_string_equal(parked.err.field, "stock");
	assert_int_equal(reruns_of(f), reruns + 1);
	lv = stock_now(f);
	assert_int_equal(lv.reserved, 5);
	assert_int_equal(lv.safety_stock, 8);
	reserve_destroy(&parked);
	reserve_destroy(&other);
}

/* A job that counts A-1 at WH1 as `counted`, reading it after
 * store_stock_exact. */
static ordo_code w_count(store_tx *tx, struct wctx *w, ordo_err *err)
{
	stock_level lv;
	ordo_code rc = store_stock_exact(tx, err);

	if (rc == ORDO_OK)
		rc = store_stock_get(tx, w->tenant, "WH1", "A-1", &lv, err);
	if (rc)
		return rc;
	lv.on_hand = *(int64_t *)w->p;
	return store_stock_put(tx, w->tenant, &lv, err);
}

/*
 * A job that sets stock to what it finds, submitted without stock_exact:
 * on PostgreSQL its first run fails and its batch runs again exact, where
 * it stands; on SQLite it runs once.
 */
static void test_a_count_runs_its_batch_exact(void **state)
{
	struct fx *f = *state;
	int64_t counted = 7;
	store_commit_stats cs;
	ordo_err err = ORDO_ERR_INIT;
	uint64_t reruns = stock_add(f, 10);

	assert_int_equal(wr(f, f->ta, w_count, &counted, &err), ORDO_OK);
	store_commit_stats_get(f->st, &cs);
	assert_int_equal(cs.stock_reruns, reruns + (test_pg_url() ? 1 : 0));
	assert_int_equal(stock_now(f).on_hand, 7);
}

/*
 * Both backends: in one batch, the second of three jobs reserves and then
 * fails. Its reservation and event go with it; the third job saw the
 * first's reservation and not the second's.
 */
/* Jobs in one batch: more stock events than one statement writes
 * (sql_int.h, ROWS IN ONE STATEMENT). */
#define UNDONE_JOBS (2 * SQL_ROWS_MAX + 3)

/* In one batch, a job undone takes its stock changes and events with it;
 * the others' events are all stored, in the order of their jobs, each
 * with the levels it left. */
static void test_a_job_undone_takes_its_stock_changes(void **state)
{
	struct fx *f = *state;
	struct reserve jobs[UNDONE_JOBS];
	char ids[UNDONE_JOBS][16];
	struct fx_gate gate;
	stock_event *evs;
	stock_level lv;
	size_t n = 0;
	int64_t reserved = 0;
	int i, k;

	stock_add(f, 1000);
	gate_park(f->st, &gate);
	for (i = 0; i < UNDONE_JOBS; i++) {
		snprintf(ids[i], sizeof(ids[i]), "ord_%d", i);
		reserve_init(&jobs[i], f->ta, 1 + i % 3, ids[i]);
		jobs[i].fails = i == 1;
		store_submit(f->st, &jobs[i].job);
	}
	gate_open(&gate);
	for (i = 0; i < UNDONE_JOBS; i++)
		reserve_wait(&jobs[i], &jobs[i].answered);
	for (i = 0; i < UNDONE_JOBS; i++) {
		assert_int_equal(jobs[i].rc, i == 1 ? ORDO_EINVALID : ORDO_OK);
		reserved += i == 1 ? 0 : 1 + i % 3;
	}

	lv = stock_now(f);
	assert_int_equal(lv.reserved, reserved);
	evs = events_now(f, &n);
	assert_int_equal(n, UNDONE_JOBS - 1);
	/* Newest first: the last job's, down to the first's. */
	for (i = UNDONE_JOBS - 1, k = 0; i >= 0; i--) {
		if (i == 1)
			continue;
		assert_string_equal(evs[k].order_id, ids[i]);
		assert_int_equal(evs[k].delta_reserved, 1 + i % 3);
		assert_int_equal(evs[k].reserved, reserved);
		assert_int_equal(evs[k].on_hand, 1000);
		reserved -= 1 + i % 3;
		k++;
	}
	assert_int_equal(reserved, 0);
	free(evs);
	for (i = 0; i < UNDONE_JOBS; i++)
		reserve_destroy(&jobs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_batch_holds_no_stock_until_its_end, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_taken_meanwhile_runs_the_batch_exact, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_threshold_crossed_unseen_runs_exact, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_reserving_into_safety_stock_set_meanwhile, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_added_meanwhile_runs_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_at_a_new_location_runs_exact, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_seen_after_a_shortage_runs_exact, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_stock_freed_meanwhile_keeps_the_batch, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_a_count_runs_its_batch_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_job_undone_takes_its_stock_changes, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
