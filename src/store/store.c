/*
 * store.c - the backend-independent frame of the store: opening by url,
 * the queue of writes, store_write, the outbox's own transactions and read
 * snapshots (the committers, which run the writes, are committer.c; the
 * migration runner, run through them, is store_migrate.c). The data operations
 * themselves are in the sql_*.c files, one per area, written once over the
 * driver interface of db.h. See store.h for the contract.
 *
 * store_close stops taking new jobs (later submissions are answered
 * ORDO_EUNAVAILABLE at once), lets the committer finish every queued job,
 * joins it and closes the backend.
 *
 * MIGRATIONS
 *
 * The driver's embedded scripts are applied in file-name order, each as one
 * job through the committer (store_write, so each is durable before the next
 * starts and, with no other writers at startup, each is a transaction of its
 * own). The job reads the applied version inside the write transaction, so
 * two processes migrating the same database at once cannot both apply a
 * script: on SQLite the write transaction holds the whole database; on
 * PostgreSQL the job first takes the driver's migration lock (db.h), which
 * makes the other process wait for this transaction's end before it reads
 * the version.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- opening ------------------------------------------------------------- */

static void committers_join(store *st);

/*
 * The committer's condition waits on the monotonic clock, so a job's due
 * time (store_job.due_ns) is not moved by the wall clock being set.
 */
static int committer_cond_init(pthread_cond_t *cv)
{
	pthread_condattr_t attr;
	int e;

	e = pthread_condattr_init(&attr);
	if (e != 0)
		return e;
	e = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (e == 0)
		e = pthread_cond_init(cv, &attr);
	pthread_condattr_destroy(&attr);
	return e;
}

/*
 * Choose the driver from the url. Returns the driver and sets *target to
 * what the driver opens, or NULL with err set.
 */
static const struct db_driver *store_driver_for(const char *url,
						const char **target,
						ordo_err *err)
{
	static const char sqlite_prefix[] = "sqlite:";

	if (!url || !url[0]) {
		ordo_err_set(err, ORDO_EINVALID, "url",
			     "the store url is empty; give a file path, "
			     "\"sqlite:PATH\" or a postgres:// url");
		return NULL;
	}
	if (strncmp(url, sqlite_prefix, sizeof(sqlite_prefix) - 1) == 0) {
		*target = url + sizeof(sqlite_prefix) - 1;
		if (!(*target)[0]) {
			ordo_err_set(err, ORDO_EINVALID, "url",
				     "\"sqlite:\" needs a file path after it");
			return NULL;
		}
		return &db_driver_sqlite;
	}
	/* libpq takes the whole url, scheme and all. */
	if (strncmp(url, "postgres://", 11) == 0 ||
	    strncmp(url, "postgresql://", 13) == 0) {
		*target = url;
		return &db_driver_pg;
	}
	if (strstr(url, "://")) {
		ordo_err_set(err, ORDO_EINVALID, "url",
			     "unknown store url scheme in \"%.64s\"; use a file "
			     "path, \"sqlite:PATH\" or postgres://",
			     url);
		return NULL;
	}
	*target = url;
	return &db_driver_sqlite;
}

ordo_code store_open(const char *url, const store_options *opts, store **out,
		     ordo_err *err)
{
	static const store_options defaults = STORE_OPTIONS_DEFAULT;
	const struct db_driver *db;
	const char *target = NULL;
	store_options resolved;
	store *st = NULL;
	bool locks = false, opened = false;
	ordo_code rc = ORDO_OK;
	int e, i;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->read_pool_size < 1 ||
	    opts->read_pool_size > STORE_READ_POOL_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "read_pool_size",
				  "read_pool_size must be 1..%d, not %d",
				  STORE_READ_POOL_MAX, opts->read_pool_size);
		goto out;
	}
	if (opts->busy_timeout_ms < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "busy_timeout_ms",
				  "busy_timeout_ms must not be negative");
		goto out;
	}
	db = store_driver_for(url, &target, err);
	if (!db) {
		rc = err ? err->code : ORDO_EINVALID;
		goto out;
	}
	resolved = *opts;
	if (resolved.writers == 0)
		resolved.writers = db->writers_max > 1 ? STORE_WRITERS_PG : 1;
	if (resolved.writers < 1 || resolved.writers > db->writers_max) {
		rc = ordo_err_set(err, ORDO_EINVALID, "writers",
				  db->writers_max == 1
					  ? "%s takes one write transaction at "
					    "a time: writers must be 1, not %d"
					  : "%s takes 1..%d writers, not %d",
				  db->name,
				  db->writers_max == 1 ? resolved.writers
						       : db->writers_max,
				  resolved.writers);
		goto out;
	}

	st = calloc(1, sizeof(*st));
	if (!st) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory opening the store");
		goto out;
	}
	st->db = db;
	/* On a database that takes several writers, one committer more
	 * than may run batches: it begins the next batch while a batch's
	 * COMMIT reaches the disk (THE COMMITTERS). */
	st->running_max = resolved.writers;
	if (db->writers_max > 1)
		resolved.writers++;
	if (pthread_mutex_init(&st->mu, NULL) != 0) {
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "cannot create the committer's mutex");
		goto out;
	}
	if (committer_cond_init(&st->cv) != 0) {
		pthread_mutex_destroy(&st->mu);
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "cannot create the committer's condition");
		goto out;
	}
	locks = true;

	rc = db->open(st, target, &resolved, err);
	if (rc)
		goto out;
	opened = true;

	st->n_committers = resolved.writers;
	for (i = 0; i < st->n_committers; i++) {
		struct committer *c = &st->committers[i];

		c->st = st;
		c->writer = i;
		e = pthread_create(&c->thread, NULL, committer_main, c);
		if (e != 0) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
					  "cannot start a committer thread: "
					  "%s",
					  strerror(e));
			goto out;
		}
		c->started = true;
	}
	*out = st;
	st = NULL;
out:
	if (st) {
		if (locks)
			committers_join(st);
		if (opened)
			st->db->close(st);
		if (locks) {
			pthread_cond_destroy(&st->cv);
			pthread_mutex_destroy(&st->mu);
		}
		free(st);
	}
	return rc;
}

/* Stop the committers that were started, once the queue is drained. */
static void committers_join(store *st)
{
	int i;

	pthread_mutex_lock(&st->mu);
	st->stopping = true;
	pthread_cond_broadcast(&st->cv);
	pthread_mutex_unlock(&st->mu);
	for (i = 0; i < st->n_committers; i++) {
		if (st->committers[i].started)
			pthread_join(st->committers[i].thread, NULL);
		st->committers[i].started = false;
		free(st->committers[i].keys.v);
		free(st->committers[i].blocked.v);
		memset(&st->committers[i].keys, 0,
		       sizeof(st->committers[i].keys));
		memset(&st->committers[i].blocked, 0,
		       sizeof(st->committers[i].blocked));
	}
}

void store_close(store *st)
{
	if (!st)
		return;
	committers_join(st);
	st->db->close(st);
	pthread_cond_destroy(&st->cv);
	pthread_mutex_destroy(&st->mu);
	free(st);
}

/* Queue job, or put it aside until delay_ms have passed (0: at once). */
static void submit(store *st, store_job *job, int delay_ms)
{
	job->next = NULL;
	job->rc = ORDO_OK;
	ordo_err_clear(&job->err);
	job->runs = 0;
	job->due_ns = 0;

	pthread_mutex_lock(&st->mu);
	if (st->stopping) {
		pthread_mutex_unlock(&st->mu);
		job->rc = ordo_err_set(&job->err, ORDO_EUNAVAILABLE, NULL,
				       "the store is closing");
		if (job->done)
			job->done(job->arg, job->rc, &job->err);
		return;
	}
	if (delay_ms > 0) {
		job->due_ns = committer_now_ns() + (int64_t)delay_ms * 1000000;
		job->next = st->delayed;
		st->delayed = job;
	} else {
		if (st->tail)
			st->tail->next = job;
		else
			st->head = job;
		st->tail = job;
	}
	pthread_cond_signal(&st->cv);
	pthread_mutex_unlock(&st->mu);
}

void store_submit(store *st, store_job *job)
{
	submit(st, job, 0);
}

void store_submit_after(store *st, store_job *job, int delay_ms)
{
	submit(st, job, delay_ms);
}

/* store_write's rendezvous with the committer, on the caller's stack. */
struct write_wait {
	store_job_fn fn;
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	ordo_code rc;
};

static ordo_code write_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct write_wait *w = arg;

	return w->fn(tx, w->arg, err);
}

static void write_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct write_wait *w = arg;

	(void)err; /* store_write takes it from its job once woken */
	pthread_mutex_lock(&w->mu);
	w->rc = rc;
	w->done = true;
	pthread_cond_signal(&w->cv);
	/* w lives on the waiter's stack: not touched after this unlock. */
	pthread_mutex_unlock(&w->mu);
}

ordo_code store_write(store *st, store_job_fn fn, void *arg, ordo_err *err)
{
	struct write_wait w;
	store_job job;
	int i;

	for (i = 0; i < st->n_committers; i++)
		if (st->committers[i].started &&
		    pthread_equal(pthread_self(), st->committers[i].thread))
			return ordo_err_set(err, ORDO_EINTERNAL, NULL,
					    "store_write called from inside a "
					    "write job would wait for itself");

	memset(&job, 0, sizeof(job));
	w.fn = fn;
	w.arg = arg;
	w.done = false;
	w.rc = ORDO_OK;
	if (pthread_mutex_init(&w.mu, NULL) != 0)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create a mutex for the write");
	if (pthread_cond_init(&w.cv, NULL) != 0) {
		pthread_mutex_destroy(&w.mu);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create a condition for the write");
	}

	job.run = write_run;
	job.done = write_done;
	job.arg = &w;
	store_submit(st, &job);

	pthread_mutex_lock(&w.mu);
	while (!w.done)
		pthread_cond_wait(&w.cv, &w.mu);
	pthread_mutex_unlock(&w.mu);

	pthread_cond_destroy(&w.cv);
	pthread_mutex_destroy(&w.mu);
	/* The committer is done with the job: its error (and the details it
	 * owns) goes to the caller. */
	if (w.rc != ORDO_OK)
		ordo_err_move(err, &job.err);
	ordo_err_clear(&job.err);
	return w.rc;
}

ordo_code store_backup(store *st, const char *dest, ordo_err *err)
{
	if (!st->db->backup)
		return ordo_err_set(err, ORDO_EINVALID, "db",
				    "ordo backs up SQLite databases only; back "
				    "up PostgreSQL with pg_dump (see "
				    "docs/operations.md)");
	return st->db->backup(st, dest, err);
}

void store_note_claim(store *st, int64_t rows_read)
{
	pthread_mutex_lock(&st->mu);
	st->stats.outbox_claims++;
	st->stats.outbox_claim_rows_last = rows_read;
	if (rows_read > st->stats.outbox_claim_rows_max)
		st->stats.outbox_claim_rows_max = rows_read;
	pthread_mutex_unlock(&st->mu);
}

void store_note_checkpoint(store *st)
{
	pthread_mutex_lock(&st->mu);
	st->stats.checkpoints++;
	pthread_mutex_unlock(&st->mu);
}

void store_commit_stats_get(store *st, store_commit_stats *out)
{
	pthread_mutex_lock(&st->mu);
	*out = st->stats;
	pthread_mutex_unlock(&st->mu);
}

/* ---- the outbox's own transactions --------------------------------------- */

ordo_code store_outbox_run(store *st, store_job_fn fn, void *arg,
			   ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc;

	rc = st->db->outbox_begin(st, &tx, err);
	if (rc)
		return rc;
	tx->retryable = false;
	tx_cache_reset(tx);
	tx_kept_forget(tx);
	rc = fn(tx, arg, err);
	if (rc == ORDO_OK)
		rc = sql_job_kept_write(tx, err);
	sql_job_kept_drop(tx);
	sql_lookups_forget(tx);
	tx_cache_reset(tx);
	if (rc == ORDO_OK)
		rc = tx_kept_finish(tx, err);
	else
		tx_kept_forget(tx);
	if (rc == ORDO_OK && tx->db->flush)
		rc = tx->db->flush(tx, err);
	if (rc == ORDO_OK)
		rc = tx->db->commit(tx, err);
	tx_tally_committed(st, tx, rc == ORDO_OK);
	if (rc != ORDO_OK)
		tx->db->rollback(tx);
	st->db->outbox_end(tx);
	return rc;
}

ordo_code store_tx_rows_read(store_tx *tx, int64_t *rows, ordo_err *err)
{
	*rows = 0;
	return tx->db->rows_read(tx, rows, err);
}

int64_t store_tx_statements(const store_tx *tx)
{
	return tx->statements;
}

int64_t store_tx_round_trips(const store_tx *tx)
{
	return tx->round_trips;
}

/* ---- reads --------------------------------------------------------------- */

ordo_code store_read_begin(store *st, store_tx **tx, ordo_err *err)
{
	ordo_code rc;

	*tx = NULL;
	rc = st->db->read_begin(st, tx, err);
	if (!rc) {
		(*tx)->retryable = false;
		tx_cache_reset(*tx);
	}
	return rc;
}

void store_read_end(store_tx *tx)
{
	if (tx) {
		tx_cache_reset(tx);
		tx->db->read_end(tx);
	}
}
