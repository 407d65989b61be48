/*
 * test_committer.c - the committer's promise about a job that lost to a
 * concurrent transaction, run against every backend: it runs again in a
 * later batch, ahead of the jobs queued after it, while the other jobs of
 * its batch are answered as soon as their batch commits; and after
 * STORE_JOB_ATTEMPTS runs its failure is its answer, the others unharmed.
 *
 * THE COMPETING TRANSACTION
 *
 * The job under test (the contender) first takes a named lock
 * (store_lock_named) that a competing writer holds:
 *
 *   PostgreSQL  a second store on the same database holds the lock in an
 *               open transaction of its outbox connection, on a thread of
 *               its own; the contender's lock wait ends after lock_timeout
 *               (busy_timeout_ms) with SQLSTATE 55P03, which the driver
 *               marks retryable - the real cause, end to end.
 *   SQLite      one writer holds the whole database, so while the
 *               committer's transaction is open nothing can get in the way
 *               of a job's statement, and named locks are no-ops. The
 *               contender then fails as the driver fails a statement that
 *               met SQLITE_BUSY: ORDO_ESTORAGE with tx->retryable set.
 *
 * A gate job parks the committer so that the contender and the jobs after it
 * are queued before the next batch starts and all land in it. The competing
 * writer lets go from the done callback of the last of the other jobs - on
 * the committer thread, after their batch committed and before the committer
 * can run anything else - so the order of events is fixed.
 *
 * And on PostgreSQL, a batch whose stock lock (committer.c, STOCK LOCKS) fails
 * keeps nothing it read under it.
 *
 * Each test gets a fresh, migrated database from the store tests' fixture
 * (fixture.h: ORDO_TEST_DB says the backend), opened with a short lock
 * wait.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fixture.h"
#include "store/store.h"
/* For tx->retryable only: the flag the SQLite stand-in sets (see above). */
#include "store/store_int.h"

/* The lock a competing writer holds. */
#define CONTENDED "committer-test"
/* PostgreSQL's lock_timeout for the store under test: each run of the
 * contender while the lock is held waits this long. */
#define LOCK_WAIT_MS 500
/* How long a test waits for answers before it calls the committer stuck. */
#define ANSWER_WAIT_S 60

/* Jobs in the contender's batch besides it, and queued after it. */
#define PEERS 3
#define LATER 3

/* The store options of this file: PostgreSQL's lock_timeout short enough
 * that a contended run fails fast. */
static store_options committer_opts(void)
{
	store_options o = test_opts();

	o.busy_timeout_ms = LOCK_WAIT_MS;
	return o;
}

/* A fresh, migrated database (fixture.h) with one tenant, f->ta, opened
 * with committer_opts. */
static int committer_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	store_options o = committer_opts();
	ordo_err err = ORDO_ERR_INIT;

	assert_non_null(f);
	test_store_url(f);
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_migrate(f->st, FX_NOW, NULL, NULL, &err),
			 ORDO_OK);
	f->ta = tenant_add(f->st, "acme");
	*state = f;
	return 0;
}

/* ---- the world of one test: jobs, answers, the competing writer ---------- */

enum tjob_kind { TJOB_PLAIN, TJOB_CONTENDER };

struct world;

/* A job that inserts the tenant named slug; the contender takes the
 * contended lock first. */
struct tjob {
	store_job job;
	struct world *w;
	enum tjob_kind kind;
	bool peer; /* in the contender's batch */
	char slug[ORDO_SLUG_MAX]; /* input: never changed by a run */
	/* outputs, reset by every run */
	int64_t id;
	/* what the test saw, under w->mu */
	int runs;
	int run_seq; /* when it last ran, counted over every run */
	bool answered;
	ordo_code rc;
	ordo_err err;
	int contender_runs_at_answer;
	bool contender_answered_first;
};

struct world {
	struct fx *f;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int seq;      /* runs of every job so far */
	int answered; /* done callbacks so far */

	struct tjob *contender;
	struct tjob peers[PEERS];
	struct tjob later[LATER];
	/* Let the competing writer go once every peer is answered, and queue
	 * the later jobs then (the test of the retried job's order). */
	bool release_after_peers;
	int peers_answered;

	/* The competing writer. */
	bool held;
	bool holder_ready;
	bool holder_release;
	bool holder_started;
	ordo_code holder_rc;
	store *st2; /* PostgreSQL: the second store the holder writes with */
	pthread_t holder;

	/* The gate: a job that parks the committer until opened. */
	struct fx_gate gate;
};

static void world_init(struct world *w, struct fx *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	assert_int_equal(pthread_mutex_init(&w->mu, NULL), 0);
	assert_int_equal(pthread_cond_init(&w->cv, NULL), 0);
}

static void world_destroy(struct world *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

/* ---- the competing writer ------------------------------------------------ */

static ordo_code holder_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct world *w = arg;
	store_tenant t;
	ordo_code rc;

	rc = store_lock_named(tx, w->f->ta, CONTENDED, err);
	/* A lock may reach the database with the job's next read (db.h,
	 * DEFERRED STATEMENTS): read, so that it is held from here. */
	if (rc == ORDO_OK)
		rc = store_tenant_by_id(tx, w->f->ta, &t, err);
	pthread_mutex_lock(&w->mu);
	w->holder_ready = true;
	w->held = rc == ORDO_OK;
	pthread_cond_broadcast(&w->cv);
	while (rc == ORDO_OK && !w->holder_release)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	return rc;
}

static void *holder_main(void *arg)
{
	struct world *w = arg;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	/* Ending the transaction lets the lock go. */
	rc = store_outbox_run(w->st2, holder_run, w, &err);
	pthread_mutex_lock(&w->mu);
	w->holder_rc = rc;
	w->holder_ready = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/* Start holding the contended lock; returns once it is held. */
static void hold_begin(struct world *w)
{
	store_options o = committer_opts();
	ordo_err err = ORDO_ERR_INIT;

	if (!test_pg_url()) {
		w->held = true;
		return;
	}
	assert_int_equal(store_open(w->f->url, &o, &w->st2, &err), ORDO_OK);
	assert_int_equal(pthread_create(&w->holder, NULL, holder_main, w), 0);
	w->holder_started = true;
	pthread_mutex_lock(&w->mu);
	while (!w->holder_ready)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
	assert_true(w->held);
}

/* Let the lock go (w->mu held); the holder's commit follows on its own
 * thread, and a contender waiting for the lock then gets it. */
static void hold_end_locked(struct world *w)
{
	w->held = false;
	w->holder_release = true;
	pthread_cond_broadcast(&w->cv);
}

/* Let the lock go if still held and wait for the holder to finish. */
static void hold_join(struct world *w)
{
	pthread_mutex_lock(&w->mu);
	hold_end_locked(w);
	pthread_mutex_unlock(&w->mu);
	if (w->holder_started) {
		pthread_join(w->holder, NULL);
		w->holder_started = false;
		assert_int_equal(w->holder_rc, ORDO_OK);
	}
	if (w->st2) {
		store_close(w->st2);
		w->st2 = NULL;
	}
}

/* ---- the jobs ------------------------------------------------------------ */

static ordo_code tjob_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct tjob *j = arg;
	struct world *w = j->w;
	store_tenant t;
	bool held;
	ordo_code rc;

	j->id = 0;
	pthread_mutex_lock(&w->mu);
	j->runs++;
	j->run_seq = ++w->seq;
	held = w->held;
	pthread_mutex_unlock(&w->mu);

	if (j->kind == TJOB_CONTENDER) {
		/* PostgreSQL: waits for the holder, failing retryably after
		 * lock_timeout while it holds on. */
		rc = store_lock_named(tx, w->f->ta, CONTENDED, err);
		if (rc)
			return rc;
		/* SQLite: the stand-in for SQLITE_BUSY (see the top). */
		if (held && !test_pg_url()) {
			tx->retryable = true;
			return ordo_err_set(err, ORDO_ESTORAGE, NULL,
					    "taking a lock: database is "
					    "locked");
		}
	}
	memset(&t, 0, sizeof(t));
	ordo_strlcpy(t.slug, j->slug, sizeof(t.slug));
	t.created_at = 1700000000;
	rc = store_tenant_insert(tx, &t, err);
	if (rc == ORDO_OK)
		j->id = t.id;
	return rc;
}

static void tjob_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct tjob *j = arg;
	struct world *w = j->w;
	int i;

	pthread_mutex_lock(&w->mu);
	j->rc = rc;
	if (rc)
		ordo_err_copy(&j->err, err);
	j->answered = true;
	j->contender_runs_at_answer = w->contender->runs;
	j->contender_answered_first = w->contender->answered && j != w->contender;
	w->answered++;
	if (j->peer && ++w->peers_answered == PEERS && w->release_after_peers) {
		/*
		 * The peers' batch has committed and its committer has not
		 * yet looked at its queue again: the retried contender is
		 * waiting at its head (or, its backoff run out, taken by the
		 * node's other committer). Jobs queued now come after it.
		 */
		hold_end_locked(w);
		for (i = 0; i < LATER; i++)
			store_submit(w->f->st, &w->later[i].job);
	}
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

static void tjob_make(struct world *w, struct tjob *j, enum tjob_kind kind,
		      const char *slug)
{
	memset(j, 0, sizeof(*j));
	j->w = w;
	j->kind = kind;
	ordo_strlcpy(j->slug, slug, sizeof(j->slug));
	j->job.run = tjob_run;
	j->job.done = tjob_done;
	j->job.arg = j;
}

/*
 * Queue the contender and its peers behind the gate so that they make one
 * batch, in that order.
 */
static void submit_batch(struct world *w, struct tjob *contender)
{
	int i;

	w->contender = contender;
	gate_park(w->f->st, &w->gate);

	store_submit(w->f->st, &contender->job);
	for (i = 0; i < PEERS; i++) {
		w->peers[i].peer = true;
		store_submit(w->f->st, &w->peers[i].job);
	}

	gate_open(&w->gate);
}

/* Wait until n jobs are answered, failing if the committer seems stuck. */
static void wait_answers(struct world *w, int n)
{
	struct timespec until;
	int e = 0;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ANSWER_WAIT_S;
	pthread_mutex_lock(&w->mu);
	while (w->answered < n && e != ETIMEDOUT)
		e = pthread_cond_timedwait(&w->cv, &w->mu, &until);
	pthread_mutex_unlock(&w->mu);
	if (w->answered < n)
		fail_msg("%d of %d jobs answered in %d s", w->answered, n,
			 ANSWER_WAIT_S);
}

/* The id of the tenant slug, or 0 when there is none. */
static int64_t tenant_id_of(struct fx *f, const char *slug)
{
	store_tx *tx = NULL;
	store_tenant t;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	assert_int_equal(store_read_begin(f->st, &tx, &err), ORDO_OK);
	rc = store_tenant_by_slug(tx, slug, &t, &err);
	store_read_end(tx);
	if (rc == ORDO_ENOTFOUND)
		return 0;
	assert_int_equal(rc, ORDO_OK);
	return t.id;
}

/* ---- the tests ----------------------------------------------------------- */

/*
 * The contender loses its first run; its peers are answered when their batch
 * commits, before it runs again; it then runs first in the next batch, ahead
 * of the jobs queued after it, and succeeds.
 */
static void test_retried_job_does_not_hold_its_batch(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct tjob contender;
	store_commit_stats before, after;
	char slug[ORDO_SLUG_MAX];
	int i;

	world_init(&w, f);
	tjob_make(&w, &contender, TJOB_CONTENDER, "contender");
	for (i = 0; i < PEERS; i++) {
		snprintf(slug, sizeof(slug), "peer-%d", i);
		tjob_make(&w, &w.peers[i], TJOB_PLAIN, slug);
	}
	for (i = 0; i < LATER; i++) {
		snprintf(slug, sizeof(slug), "later-%d", i);
		tjob_make(&w, &w.later[i], TJOB_PLAIN, slug);
	}
	w.release_after_peers = true;
	store_commit_stats_get(f->st, &before);

	hold_begin(&w);
	submit_batch(&w, &contender);
	wait_answers(&w, 1 + PEERS + LATER);
	hold_join(&w);
	assert_int_equal(w.gate.rc, ORDO_OK);

	/* The peers did not wait for the contender's second run. */
	for (i = 0; i < PEERS; i++) {
		assert_int_equal(w.peers[i].rc, ORDO_OK);
		assert_int_equal(w.peers[i].runs, 1);
		assert_int_equal(w.peers[i].contender_runs_at_answer, 1);
		assert_false(w.peers[i].contender_answered_first);
		assert_int_equal(tenant_id_of(f, w.peers[i].slug),
				 w.peers[i].id);
	}
	/* It ran again, later, and succeeded; its failed run left nothing. */
	if (contender.rc != ORDO_OK)
		fail_msg("the contender failed: %s", contender.err.message);
	assert_true(contender.runs >= 2);
	if (!test_pg_url())
		assert_int_equal(contender.runs, 2);
	assert_true(contender.id > 0);
	assert_int_equal(tenant_id_of(f, "contender"), contender.id);
	/* Ahead of every job queued after it, when its second run won the
	 * lock: on a loaded machine the holder may still hold it then (its
	 * release follows the peers' answers, on another thread), and the
	 * contender, losing again, rightly lets the later jobs go first. */
	for (i = 0; i < LATER; i++) {
		assert_int_equal(w.later[i].rc, ORDO_OK);
		if (contender.runs == 2) {
			assert_true(contender.run_seq < w.later[i].run_seq);
			assert_true(w.later[i].contender_answered_first);
		}
		assert_int_equal(tenant_id_of(f, w.later[i].slug),
				 w.later[i].id);
	}

	/*
	 * Every job is counted once, however often it ran. The gate, the
	 * peers, and the contender with the later jobs: three commits; or
	 * four, when the node's other committer took the contender once its
	 * backoff ran out, before the later jobs were queued (the peers'
	 * answers, which queue them, are slow on a loaded machine).
	 */
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, 1 + 1 + PEERS + LATER);
	assert_in_range(after.commits - before.commits, 3, 4);
	assert_true(after.max_batch >= 1 + PEERS);
	world_destroy(&w);
}

/*
 * A contender that loses every run is answered with its failure after
 * STORE_JOB_ATTEMPTS runs, each in a batch of its own after the peers'; the
 * peers are answered at once and stored.
 */
static void test_job_losing_every_run_fails_after_its_attempts(void **state)
{
	struct fx *f = *state;
	struct world w;
	struct tjob contender;
	store_commit_stats before, after;
	char slug[ORDO_SLUG_MAX];
	int i;

	world_init(&w, f);
	tjob_make(&w, &contender, TJOB_CONTENDER, "contender");
	for (i = 0; i < PEERS; i++) {
		snprintf(slug, sizeof(slug), "peer-%d", i);
		tjob_make(&w, &w.peers[i], TJOB_PLAIN, slug);
	}
	store_commit_stats_get(f->st, &before);

	hold_begin(&w);
	submit_batch(&w, &contender);
	wait_answers(&w, 1 + PEERS);
	hold_join(&w);
	assert_int_equal(w.gate.rc, ORDO_OK);

	assert_int_equal(contender.rc, ORDO_ESTORAGE);
	assert_non_null(strstr(contender.err.message, "lock"));
	assert_int_equal(contender.runs, STORE_JOB_ATTEMPTS);
	assert_int_equal(contender.id, 0);
	assert_int_equal(tenant_id_of(f, "contender"), 0);
	for (i = 0; i < PEERS; i++) {
		assert_int_equal(w.peers[i].rc, ORDO_OK);
		assert_int_equal(w.peers[i].runs, 1);
		assert_int_equal(w.peers[i].contender_runs_at_answer, 1);
		assert_false(w.peers[i].contender_answered_first);
		assert_int_equal(tenant_id_of(f, w.peers[i].slug),
				 w.peers[i].id);
	}

	/*
	 * The gate's batch, the peers' and the contender's last, which
	 * commits with nothing of it; the runs in between held nothing to
	 * commit.
	 */
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, 1 + 1 + PEERS);
	assert_int_equal(after.commits - before.commits, 3);
	world_destroy(&w);
}

/* ---- a job submitted to run later ----------------------------------------- */

struct timed {
	store_job job;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	long long at_ms;
	ordo_code rc;
	/* The stock it names (store_job.stock_skus), when sku is set:
	 * sku, and sku2 when set. */
	int64_t tenant;
	const char *sku, *sku2;
};

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static ordo_code timed_run(store_tx *tx, void *arg, ordo_err *err)
{
	(void)tx;
	(void)arg;
	(void)err;
	return ORDO_OK;
}

static void timed_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct timed *t = arg;

	(void)err;
	pthread_mutex_lock(&t->mu);
	t->done = true;
	t->at_ms = mono_ms();
	t->rc = rc;
	pthread_cond_signal(&t->cv);
	pthread_mutex_unlock(&t->mu);
}

static void timed_init(struct timed *t)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->mu, NULL);
	pthread_cond_init(&t->cv, NULL);
	t->job.run = timed_run;
	t->job.done = timed_done;
	t->job.arg = t;
}

static size_t timed_skus(void *arg, int64_t *tenant, const char **skus,
			 size_t max)
{
	struct timed *t = arg;

	size_t n = t->sku2 ? 2 : 1;

	*tenant = t->tenant;
	if (max >= n) {
		skus[0] = t->sku;
		skus[n - 1] = n == 2 ? t->sku2 : t->sku;
	}
	return n;
}

/* t, naming the tenant's SKU as its stock. */
static void timed_init_on(struct timed *t, int64_t tenant, const char *sku)
{
	timed_init(t);
	t->tenant = tenant;
	t->sku = sku;
	t->job.stock_skus = timed_skus;
}

/* Whether t is answered within ANSWER_WAIT_S. */
static bool timed_wait_bounded(struct timed *t)
{
	struct timespec until;
	bool done;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ANSWER_WAIT_S;
	pthread_mutex_lock(&t->mu);
	while (!t->done &&
	       pthread_cond_timedwait(&t->cv, &t->mu, &until) != ETIMEDOUT)
		;
	done = t->done;
	pthread_mutex_unlock(&t->mu);
	return done;
}

static bool timed_done_yet(struct timed *t)
{
	bool done;

	pthread_mutex_lock(&t->mu);
	done = t->done;
	pthread_mutex_unlock(&t->mu);
	return done;
}

static void timed_wait(struct timed *t)
{
	pthread_mutex_lock(&t->mu);
	while (!t->done)
		pthread_cond_wait(&t->cv, &t->mu);
	pthread_mutex_unlock(&t->mu);
}

static void timed_destroy(struct timed *t)
{
	ordo_err_clear(&t->job.err);
	pthread_cond_destroy(&t->cv);
	pthread_mutex_destroy(&t->mu);
}

/* A job put aside for later (store_submit_after) runs once its delay has
 * passed, and holds up none of the jobs submitted after it. The delay is
 * long enough that a loaded machine (the suite runs two tests at once
 * under sanitizers) commits the job after it well within it. */
#define LATER_MS 2000

static void test_a_later_job_holds_up_nobody(void **state)
{
	struct fx *f = *state;
	struct timed later, now;
	long long start = mono_ms();

	timed_init(&later);
	timed_init(&now);
	store_submit_after(f->st, &later.job, LATER_MS);
	store_submit(f->st, &now.job);
	timed_wait(&now);
	pthread_mutex_lock(&later.mu);
	assert_false(later.done);
	pthread_mutex_unlock(&later.mu);
	assert_true(now.at_ms - start < LATER_MS);
	timed_wait(&later);
	assert_int_equal(later.rc, ORDO_OK);
	assert_int_equal(now.rc, ORDO_OK);
	assert_true(later.at_ms - start >= LATER_MS);
	timed_destroy(&later);
	timed_destroy(&now);
}

/* Closing the store does not leave a job put aside for later behind: it
 * runs (done is called) before the store is gone, however far its time. */
static void test_closing_runs_a_later_job(void **state)
{
	struct fx *f = *state;
	struct timed later;
	long long start = mono_ms();

	timed_init(&later);
	store_submit_after(f->st, &later.job, 60000);
	store_close(f->st);
	f->st = NULL;
	assert_true(later.done);
	assert_int_equal(later.rc, ORDO_OK);
	assert_true(later.at_ms - start < 30000);
	timed_destroy(&later);
}

/* ---- the committers ------------------------------------------------------ */

/* SQLite takes one writer, PostgreSQL up to STORE_WRITERS_MAX: a number
 * beyond is refused, naming it, and nothing is opened. */
static void test_writers_beyond_the_backend_are_refused(void **state)
{
	struct fx *f = *state;
	store_options o = committer_opts();
	ordo_err err = ORDO_ERR_INIT;
	store *st = NULL;

	o.writers = test_pg_url() ? STORE_WRITERS_MAX + 1 : 2;
	assert_int_equal(store_open(f->url, &o, &st, &err), ORDO_EINVALID);
	assert_null(st);
	assert_string_equal(err.field, "writers");
	ordo_err_clear(&err);
	o.writers = -1;
	assert_int_equal(store_open(f->url, &o, &st, &err), ORDO_EINVALID);
	ordo_err_clear(&err);
}

/* f->st reopened with n batches running at once (PostgreSQL). */
static void reopen_with_writers(struct fx *f, int n)
{
	store_options o = committer_opts();
	ordo_err err = ORDO_ERR_INIT;

	store_close(f->st);
	o.writers = n;
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
}

/*
 * PostgreSQL with one batch running at a time (the default), and so two
 * committers, one to begin the next batch while a batch commits: while a
 * batch runs its jobs (a gate parks it), a job queued meanwhile waits for
 * it, though a committer is free.
 */
static void test_one_batch_runs_at_a_time(void **state)
{
	struct fx *f = *state;
	struct fx_gate gate;
	struct timed later;
	bool early;

	if (!test_pg_url())
		skip(); /* SQLite: one committer */
	reopen_with_writers(f, 1);
	gate_park(f->st, &gate);
	timed_init(&later);
	store_submit(f->st, &later.job);
	usleep(200 * 1000); /* time enough for a free committer to take it */
	early = timed_done_yet(&later);
	gate_open(&gate); /* first: the store closes only once it is */
	assert_false(early);
	assert_true(timed_wait_bounded(&later));
	assert_int_equal(later.rc, ORDO_OK);
	timed_destroy(&later);
}

/*
 * PostgreSQL with two writers: while one committer's batch is open (a
 * gate parks it), the other commits a job queued meanwhile. A job that
 * locks its stock from its batch's start (a count) and names stock the
 * open batch names waits in the queue for it, while one queued after it
 * with other stock goes ahead: it would only have waited for that batch's
 * commit in the other committer's batch, holding up the jobs in it. A job
 * queued after the waiting one that names some of its other stock waits
 * too: it must not take that stock before the job queued first. A job
 * queued before it that names the open batch's stock but changes it as
 * it read it goes ahead: its batch locks the stock only at its end.
 */
static void test_two_writers_commit_side_by_side(void **state)
{
	struct fx *f = *state;
	struct fx_gate gate;
	struct timed changes, held, behind, free_sku, plain;
	bool ahead, early, overtaken;

	if (!test_pg_url())
		skip(); /* SQLite: one writer (the test above) */
	reopen_with_writers(f, 2);
	gate_park_on(f->st, &gate, f->ta, "SKU-HELD");
	timed_init_on(&changes, f->ta, "SKU-HELD");
	timed_init_on(&held, f->ta, "SKU-HELD");
	held.sku2 = "SKU-SHARED";
	held.job.stock_exact = true;
	timed_init_on(&behind, f->ta, "SKU-SHARED");
	timed_init_on(&free_sku, f->ta, "SKU-FREE");
	timed_init(&plain);
	store_submit(f->st, &changes.job);
	store_submit(f->st, &held.job);
	store_submit(f->st, &behind.job);
	store_submit(f->st, &free_sku.job);
	store_submit(f->st, &plain.job);
	ahead = timed_wait_bounded(&free_sku) && timed_wait_bounded(&plain) &&
		timed_wait_bounded(&changes);
	/* Still queued behind the gate's batch, which holds its stock, and
	 * the job that needs some of the same. */
	early = timed_done_yet(&held);
	overtaken = timed_done_yet(&behind);
	gate_open(&gate); /* first: the store closes only once it is */
	assert_true(ahead);
	assert_false(early);
	assert_false(overtaken);
	assert_int_equal(free_sku.rc, ORDO_OK);
	assert_int_equal(changes.rc, ORDO_OK);
	assert_int_equal(gate.rc, ORDO_OK);
	assert_true(timed_wait_bounded(&held));
	assert_true(timed_wait_bounded(&behind));
	assert_int_equal(held.rc, ORDO_OK);
	assert_int_equal(behind.rc, ORDO_OK);
	timed_destroy(&changes);
	timed_destroy(&held);
	timed_destroy(&behind);
	timed_destroy(&free_sku);
	timed_destroy(&plain);
}

/* ---- a batch's stock lock that fails keeps nothing it read ------------- */

/*
 * PostgreSQL: a batch of two tenants' jobs locks the stock of the first
 * tenant's SKU, then waits for the second's, which another writer holds,
 * until lock_timeout. The lock is undone (its savepoint), and with it the
 * locks it took: what it read of the first tenant's stock must be gone
 * from the transaction's cache too, or a job would plan on rows another
 * node may be changing.
 */
struct stock_hold {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int64_t tenant;
	bool held, release;
	ordo_code rc;
};

static ordo_code stock_hold_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct stock_hold *h = arg;
	stock_level *rows = NULL;
	size_t n = 0;
	ordo_code rc = store_stock_of_sku(tx, h->tenant, "A-1", &rows, &n,
					  err);

	free(rows);
	pthread_mutex_lock(&h->mu);
	h->held = true;
	pthread_cond_broadcast(&h->cv);
	while (rc == ORDO_OK && !h->release)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
	return rc;
}

struct stock_hold_thread {
	store *st;
	struct stock_hold *h;
};

static void *stock_hold_main(void *arg)
{
	struct stock_hold_thread *t = arg;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc = store_outbox_run(t->st, stock_hold_run, t->h, &err);

	pthread_mutex_lock(&t->h->mu);
	t->h->rc = rc;
	t->h->held = true;
	pthread_cond_broadcast(&t->h->cv);
	pthread_mutex_unlock(&t->h->mu);
	ordo_err_clear(&err);
	return NULL;
}

struct stock_job {
	store_job job;
	int64_t tenant;
	const char *sku;
	bool cached; /* output: the cache had the SKU's stock */
	struct world *w;
};

static size_t stock_job_skus(void *arg, int64_t *tenant, const char **skus,
			     size_t max)
{
	struct stock_job *j = arg;

	*tenant = j->tenant;
	if (max > 0)
		skus[0] = j->sku;
	return 1;
}

static ordo_code stock_job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct stock_job *j = arg;
	stock_level *rows = NULL;
	size_t n = 0;

	(void)err;
	j->cached = tx_cache_stock_of_sku(tx, j->tenant, j->sku, &rows, &n);
	free(rows);
	return ORDO_OK;
}

static void stock_job_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct stock_job *j = arg;

	(void)rc;
	(void)err;
	pthread_mutex_lock(&j->w->mu);
	j->w->answered++;
	pthread_cond_broadcast(&j->w->cv);
	pthread_mutex_unlock(&j->w->mu);
}

static void test_a_failed_stock_lock_keeps_nothing_it_read(void **state)
{
	struct fx *f = *state;
	store_options o = committer_opts();
	struct stock_hold h;
	struct stock_hold_thread t;
	struct stock_job jobs[2];
	struct world w;
	stock_level lv;
	ordo_err err = ORDO_ERR_INIT;
	pthread_t thread;
	int64_t tb;
	int i;

	if (!test_pg_url())
		skip();
	tb = tenant_add(f->st, "globex");
	catalog_add(f, f->ta);
	catalog_add(f, tb);
	level_make(&lv, "WH1", "A-1", 10, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	assert_int_equal(wr(f, tb, w_stock_put, &lv, &err), ORDO_OK);

	/* Another writer holds the second tenant's stock of A-1. */
	memset(&h, 0, sizeof(h));
	pthread_mutex_init(&h.mu, NULL);
	pthread_cond_init(&h.cv, NULL);
	h.tenant = tb;
	assert_int_equal(store_open(f->url, &o, &t.st, &err), ORDO_OK);
	t.h = &h;
	assert_int_equal(pthread_create(&thread, NULL, stock_hold_main, &t),
			 0);
	pthread_mutex_lock(&h.mu);
	while (!h.held)
		pthread_cond_wait(&h.cv, &h.mu);
	pthread_mutex_unlock(&h.mu);
	assert_int_equal(h.rc, ORDO_OK);

	/* Both tenants' jobs in one batch, behind the gate. */
	world_init(&w, f);
	gate_park(f->st, &w.gate);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 2; i++) {
		jobs[i].tenant = i == 0 ? f->ta : tb;
		jobs[i].sku = "A-1";
		jobs[i].w = &w;
		jobs[i].job.run = stock_job_run;
		jobs[i].job.done = stock_job_done;
		jobs[i].job.arg = &jobs[i];
		jobs[i].job.stock_skus = stock_job_skus;
		/* Locked before the batch's first job: exact. */
		jobs[i].job.stock_exact = true;
		store_submit(f->st, &jobs[i].job);
	}
	gate_open(&w.gate);
	wait_answers(&w, 2);

	pthread_mutex_lock(&h.mu);
	h.release = true;
	pthread_cond_broadcast(&h.cv);
	pthread_mutex_unlock(&h.mu);
	pthread_join(thread, NULL);
	store_close(t.st);
	for (i = 0; i < 2; i++)
		ordo_err_clear(&jobs[i].job.err);
	world_destroy(&w);
	pthread_cond_destroy(&h.cv);
	pthread_mutex_destroy(&h.mu);

	/* The lock failed on the second tenant's row; the first tenant's
	 * rows it had read are not kept. */
	assert_false(jobs[0].cached);
	assert_false(jobs[1].cached);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_retried_job_does_not_hold_its_batch,
			committer_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_job_losing_every_run_fails_after_its_attempts,
			committer_setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_later_job_holds_up_nobody,
						committer_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_failed_stock_lock_keeps_nothing_it_read,
			committer_setup, teardown),
		cmocka_unit_test_setup_teardown(test_closing_runs_a_later_job,
						committer_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_writers_beyond_the_backend_are_refused,
			committer_setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_two_writers_commit_side_by_side, committer_setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_one_batch_runs_at_a_time,
						committer_setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
