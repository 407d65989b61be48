/*
 * test_durability.c - what store_write and store_submit promise: a failing
 * job rolls back only itself, concurrent writes share commits, store_write
 * returns only once the row is on disk (visible after closing and reopening
 * the database), closing drains the queued jobs, and two stores on one
 * database (two nodes) never oversell; on SQLite, the database's files
 * and its backups are its owner's alone.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup() in fixture.c, on the backend chosen by the
 * environment (see fixture.h). Writes go through store_write / store_submit
 * exactly as the app layer does, so every test also exercises the
 * committer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fixture.h"

/* ---- the committer ------------------------------------------------------- */

/* Counts done callbacks; waits for a number of them. */
struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
};

static void waiter_init(struct waiter *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->done = 0;
}

static void waiter_wait(struct waiter *w, int n)
{
	pthread_mutex_lock(&w->mu);
	while (w->done < n)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

static void waiter_destroy(struct waiter *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

enum tjob_kind { TJOB_OK, TJOB_FAIL_AFTER_WRITE, TJOB_CONFLICT };

struct tjob {
	store_job job;
	struct waiter *w;
	int64_t tenant;
	enum tjob_kind kind;
	char sku[ORDO_SKU_MAX];
	ordo_code rc;
	ordo_err err;
};

static ordo_code tjob_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct tjob *j = arg;
	catalog_sku s;
	store_tenant t;
	ordo_code rc;

	sku_make(&s, j->sku, "batched", 1);
	rc = store_sku_put(tx, j->tenant, &s, err);
	if (rc)
		return rc;
	switch (j->kind) {
	case TJOB_OK:
		return ORDO_OK;
	case TJOB_FAIL_AFTER_WRITE:
		/* Wrote a row, then decided against it. */
		return ordo_err_set(err, ORDO_EINVALID, "sku",
				    "refused after writing");
	case TJOB_CONFLICT:
		/* The database refuses this one. */
		memset(&t, 0, sizeof(t));
		ordo_strlcpy(t.slug, "acme", sizeof(t.slug));
		return store_tenant_insert(tx, &t, err);
	}
	return ORDO_EINTERNAL;
}

static void tjob_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct tjob *j = arg;

	j->rc = rc;
	ordo_err_copy(&j->err, err);
	pthread_mutex_lock(&j->w->mu);
	j->w->done++;
	pthread_cond_signal(&j->w->cv);
	pthread_mutex_unlock(&j->w->mu);
}

struct submitter {
	store *st;
	struct tjob *jobs;
	int n;
};

static void *submitter_main(void *arg)
{
	struct submitter *s = arg;
	int i;

	for (i = 0; i < s->n; i++)
		store_submit(s->st, &s->jobs[i].job);
	return NULL;
}

#define ISO_THREADS 4
#define ISO_PER_THREAD 3
#define ISO_JOBS (ISO_THREADS * ISO_PER_THREAD)

/*
 * The committer is parked inside a batch (the gate job) while four threads
 * queue twelve jobs; releasing it makes those twelve one batch. One of them
 * fails after writing, one is refused by the database: both are rolled back
 * alone and the other ten are committed together.
 */
static void test_batch_failure_isolated(void **state)
{
	struct fx *f = *state;
	struct tjob jobs[ISO_JOBS];
	struct submitter subs[ISO_THREADS];
	pthread_t th[ISO_THREADS];
	struct waiter w;
	struct fx_gate g;
	store_commit_stats before, after;
	store_tenant t;
	store_tx *tx;
	catalog_sku s;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	waiter_init(&w);
	store_commit_stats_get(f->st, &before);
	gate_park(f->st, &g);

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < ISO_JOBS; i++) {
		struct tjob *j = &jobs[i];

		j->w = &w;
		j->tenant = f->ta;
		j->kind = i == 5 ? TJOB_FAIL_AFTER_WRITE
			  : i == 9 ? TJOB_CONFLICT
				   : TJOB_OK;
		snprintf(j->sku, sizeof(j->sku), "ISO-%02d", i);
		j->job.run = tjob_run;
		j->job.done = tjob_done;
		j->job.arg = j;
	}
	for (i = 0; i < ISO_THREADS; i++) {
		subs[i].st = f->st;
		subs[i].jobs = &jobs[i * ISO_PER_THREAD];
		subs[i].n = ISO_PER_THREAD;
		assert_int_equal(pthread_create(&th[i], NULL, submitter_main,
						&subs[i]),
				 0);
	}
	for (i = 0; i < ISO_THREADS; i++)
		pthread_join(th[i], NULL);

	gate_open(&g);
	waiter_wait(&w, ISO_JOBS);

	assert_int_equal(g.rc, ORDO_OK);
	for (i = 0; i < ISO_JOBS; i++) {
		if (i == 5) {
			assert_int_equal(jobs[i].rc, ORDO_EINVALID);
			assert_string_equal(jobs[i].err.message,
					    "refused after writing");
		} else if (i == 9) {
			assert_int_equal(jobs[i].rc, ORDO_ECONFLICT);
			assert_string_equal(jobs[i].err.field, "slug");
		} else {
			assert_int_equal(jobs[i].rc, ORDO_OK);
		}
	}
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, ISO_JOBS + 1);
	/* The gate's batch, then one batch for all twelve. */
	assert_int_equal(after.commits - before.commits, 2);
	assert_true(after.max_batch >= ISO_JOBS);

	tx = rd(f);
	for (i = 0; i < ISO_JOBS; i++) {
		ordo_code want = (i == 5 || i == 9) ? ORDO_ENOTFOUND : ORDO_OK;

		assert_int_equal(store_sku_get(tx, f->ta, jobs[i].sku, &s, &err),
				 want);
	}
	/* The conflicting job's tenant insert left no trace either. */
	assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err), ORDO_OK);
	assert_int_equal(t.id, f->ta);
	store_read_end(tx);

	waiter_destroy(&w);
}

#define GC_THREADS 8
#define GC_PER_THREAD 25

struct gc_thread {
	struct fx *f;
	int index;
	int failures;
};

static void *gc_thread_main(void *arg)
{
	struct gc_thread *t = arg;
	catalog_sku s;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < GC_PER_THREAD; i++) {
		char name[32];

		snprintf(name, sizeof(name), "GC-%d-%02d", t->index, i);
		sku_make(&s, name, "group commit", i);
		if (wr(t->f, t->f->ta, w_sku_put, &s, &err) != ORDO_OK)
			t->failures++;
	}
	return NULL;
}

/* 200 store_writes from 8 threads share commits. */
static void test_group_commit_batches(void **state)
{
	struct fx *f = *state;
	struct gc_thread ts[GC_THREADS];
	pthread_t th[GC_THREADS];
	store_commit_stats before, after;
	catalog_sku *page = NULL;
	size_t n = 0, total = 0;
	char after_key[ORDO_SKU_MAX] = "";
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	store_commit_stats_get(f->st, &before);
	for (i = 0; i < GC_THREADS; i++) {
		ts[i].f = f;
		ts[i].index = i;
		ts[i].failures = 0;
		assert_int_equal(
			pthread_create(&th[i], NULL, gc_thread_main, &ts[i]),
			0);
	}
	for (i = 0; i < GC_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failures, 0);
	}
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, GC_THREADS * GC_PER_THREAD);
	assert_true(after.commits - before.commits <
		    after.jobs - before.jobs);
	assert_true(after.max_batch > 1);
	print_message("group commit: %llu jobs in %llu commits, max batch "
		      "%llu\n",
		      (unsigned long long)(after.jobs - before.jobs),
		      (unsigned long long)(after.commits - before.commits),
		      (unsigned long long)after.max_batch);

	tx = rd(f);
	do {
		assert_int_equal(store_sku_list(tx, f->ta, after_key,
						ORDO_PAGE_MAX, &page, &n, &err),
				 ORDO_OK);
		total += n;
		if (n)
			ordo_strlcpy(after_key, page[n - 1].sku,
				     sizeof(after_key));
		free(page);
	} while (n);
	store_read_end(tx);
	assert_int_equal(total, GC_THREADS * GC_PER_THREAD);
}

/* When store_write returns the row is on disk: close, reopen, read it. */
static void test_write_is_durable(void **state)
{
	struct fx *f = *state;
	store_options o = test_opts();
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int64_t id;
	int version = 0;

	id = tenant_add(f->st, "durable");
	/* Visible to a new snapshot at once... */
	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "durable", &t, &err),
			 ORDO_OK);
	store_read_end(tx);
	/* ...and after the store is closed and opened again. */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(f->st, &version, &err), ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);
	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "durable", &t, &err),
			 ORDO_OK);
	assert_int_equal(t.id, id);
	store_read_end(tx);
}

/* ---- two stores on one database (two nodes) ------------------------------ */

#define NODE_THREADS 8
#define NODE_WRITES 8

struct node_thread {
	store *st;
	int64_t tenant;
	int won;
	int sold_out;
	int failed;
};

/* Reserve one unit of A-1 at WH1 if one is left: read, check, write back. */
static ordo_code job_reserve_one(store_tx *tx, void *arg, ordo_err *err)
{
	struct node_thread *t = arg;
	stock_level lv;
	ordo_code rc;

	rc = store_stock_get(tx, t->tenant, "WH1", "A-1", &lv, err);
	if (rc)
		return rc;
	if (lv.on_hand - lv.reserved < 1)
		return ordo_err_set(err, ORDO_ECONFLICT, "stock", "sold out");
	lv.reserved++;
	return store_stock_put(tx, t->tenant, &lv, err);
}

static void *node_thread_main(void *arg)
{
	struct node_thread *t = arg;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < NODE_WRITES; i++) {
		ordo_code rc = store_write(t->st, job_reserve_one, t, &err);

		if (rc == ORDO_OK)
			t->won++;
		else if (rc == ORDO_ECONFLICT)
			t->sold_out++;
		else
			t->failed++;
	}
	return NULL;
}

/*
 * Two stores on one database, as two ordo nodes: 64 read-modify-writes of
 * one stock row race for its last 10 units. Exactly 10 win, whichever
 * store (and batch) each runs in: the row is locked where the database
 * has row locks, the whole database is on SQLite.
 */
static void test_two_stores_no_oversell(void **state)
{
	struct fx *f = *state;
	struct node_thread ts[NODE_THREADS];
	pthread_t th[NODE_THREADS];
	store_options o = test_opts();
	store *second = NULL;
	stock_level lv;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i, won = 0;

	catalog_add(f, f->ta);
	level_make(&lv, "WH1", "A-1", 10, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	assert_int_equal(store_open(f->url, &o, &second, &err), ORDO_OK);
	for (i = 0; i < NODE_THREADS; i++) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].st = i % 2 ? second : f->st;
		ts[i].tenant = f->ta;
		assert_int_equal(
			pthread_create(&th[i], NULL, node_thread_main, &ts[i]),
			0);
	}
	for (i = 0; i < NODE_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failed, 0);
		won += ts[i].won;
	}
	store_close(second);
	assert_int_equal(won, 10);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &lv, &err),
			 ORDO_OK);
	assert_int_equal(lv.reserved, 10);
	assert_int_equal(lv.on_hand, 10);
	store_read_end(tx);
}

/* Jobs still queued when the store closes are run and committed first. */
static void test_close_drains(void **state)
{
	struct fx *f = *state;
	struct tjob jobs[20];
	struct waiter w;
	store_options o = test_opts();
	catalog_sku s;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	waiter_init(&w);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 20; i++) {
		jobs[i].w = &w;
		jobs[i].tenant = f->ta;
		jobs[i].kind = TJOB_OK;
		snprintf(jobs[i].sku, sizeof(jobs[i].sku), "DRAIN-%02d", i);
		jobs[i].job.run = tjob_run;
		jobs[i].job.done = tjob_done;
		jobs[i].job.arg = &jobs[i];
		store_submit(f->st, &jobs[i].job);
	}
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(w.done, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(jobs[i].rc, ORDO_OK);

	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	tx = rd(f);
	for (i = 0; i < 20; i++)
		assert_int_equal(store_sku_get(tx, f->ta, jobs[i].sku, &s, &err),
				 ORDO_OK);
	store_read_end(tx);
	waiter_destroy(&w);
}

/* ---- the files ------------------------------------------------------------ */

/* The permission bits of path, or -1 if it does not exist. */
static int mode_of(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int)(sb.st_mode & 07777) : -1;
}

/*
 * SQLite: the database, its WAL and shared memory, and a backup are made
 * readable by their owner alone, whatever the umask lets through (they
 * hold customers' addresses and webhook secrets); a backup to a file that
 * exists is refused and leaves it as it was. PostgreSQL keeps its own
 * files.
 */
static void test_files_are_private(void **state)
{
	struct fx *f = *state;
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;
	char db[PATH_MAX + 32], path[PATH_MAX + 48];
	store *st = NULL;
	mode_t was;

	if (test_pg_url())
		skip();
	was = umask(022);
	snprintf(db, sizeof(db), "%s/private.db", f->dir);
	assert_int_equal(store_open(db, &o, &st, &err), ORDO_OK);
	assert_int_equal(mode_of(db), 0600);
	snprintf(path, sizeof(path), "%s-wal", db);
	assert_int_equal(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s-shm", db);
	assert_int_equal(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s/backup.db", f->dir);
	assert_int_equal(store_backup(st, path, &err), ORDO_OK);
	assert_int_equal(mode_of(path), 0600);
	/* Over a file that exists: refused, the file as it was. */
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(store_backup(st, path, &err), ORDO_ECONFLICT);
	assert_int_equal(mode_of(path), 0640);
	store_close(st);
	/* A database made readable by others (before ordo kept its files
	 * private, or by hand): private again once opened. */
	assert_int_equal(chmod(db, 0644), 0);
	snprintf(path, sizeof(path), "%s-wal", db);
	if (mode_of(path) >= 0)
		assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(store_open(db, &o, &st, &err), ORDO_OK);
	assert_int_equal(mode_of(db), 0600);
	assert_int_equal(mode_of(path), 0600);
	snprintf(path, sizeof(path), "%s-shm", db);
	assert_int_equal(mode_of(path), 0600);
	store_close(st);
	umask(was);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_failure_isolated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_batches,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_is_durable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_files_are_private, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_drains, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_stores_no_oversell,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
