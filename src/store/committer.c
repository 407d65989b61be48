/*
 * committer.c - the committers of the store (group commit): each takes a
 * batch of queued writes off the store's queue and runs it in one write
 * transaction. The queue, store_write and the opening of the store are
 * store.c's.
 *
 * THE COMMITTER
 *
 * A thread per store owns the writer connection (THE COMMITTERS: one per
 * writer connection). Writers never touch it; they queue jobs:
 *
 *     store_submit(job) --> [ queue (mu, cv) ] --> committer thread
 *
 *     loop:
 *         wait until the queue is non-empty (or stopping with it empty)
 *         wait until the job at its head is due (a job queued again)
 *         take up to ORDO_COMMIT_BATCH_MAX due jobs off the queue
 *         BEGIN IMMEDIATE
 *         for each job:  SAVEPOINT; rc = run(); RELEASE
 *                        (on rc != OK: ROLLBACK TO; RELEASE - only this job
 *                         is undone, the rest of the batch stands)
 *         COMMIT         one fsync for the whole batch
 *         put the jobs to run again back at the head of the queue
 *         done(job) for each other job, in submission order, only now
 *
 * THE COMMITTERS
 *
 * On SQLite that thread is the one writer the database has. PostgreSQL
 * takes write transactions at once, each on a connection of its own, and
 * does the work of each in a server process of its own. One thread with
 * one transaction open at a time leaves that process idle while each
 * batch's COMMIT reaches the disk, and every other process of the server
 * idle all the time. So a store runs store_options.writers batches at
 * once (PostgreSQL: STORE_WRITERS_PG unless told; SQLite: 1), and on
 * PostgreSQL one committer more than that, each a thread with a writer
 * connection of its own (write_begin's writer), all taking batches off
 * the one queue by the loop above. A committer takes a batch only while
 * fewer than `writers` batches are running their jobs; a batch that has
 * reached its COMMIT runs no more (batch_ran), so the next committer
 * takes the jobs queued meanwhile and runs them while that COMMIT is made
 * durable. With the default of one, a batch begins once the one before
 * has run its jobs, no longer once it has committed; more run side by
 * side where the database server has the cores for them. Two committers
 * of one store are two writers as two nodes' committers are, and are safe
 * for the same reasons (row locks, STOCK LOCKS below, unique keys): a
 * batch begun while another commits reads what that one wrote only where
 * it waits for its locks (stock, an order, a named lock), as it would on
 * another node, and a job of it run again goes back to the queue only
 * after that commit. A client that waits for one answer before its next
 * request still has its writes made in its order.
 *
 * RUNNING A JOB AGAIN
 *
 * A job that failed only because a concurrent transaction got in its way
 * (tx->retryable: a deadlock, a serialization failure, a lock wait or
 * SQLite's busy timeout) may succeed if run again, but not inside the same
 * transaction: what it lost to may be waiting for locks this batch holds,
 * and every other job of the batch would wait with it. So, after its
 * savepoint is rolled back, it leaves the batch; the batch commits and its
 * other jobs are answered; the job goes back to the head of the queue, in
 * its order, with a due time a short backoff ahead (STORE_JOB_BACKOFF_MS
 * times its runs). The committer waits for that due time with no
 * transaction open, and the job runs first in the next batch with the jobs
 * queued behind it. After STORE_JOB_ATTEMPTS runs its last failure is its
 * answer. Waiting for the head keeps the order in which jobs were queued;
 * the backoff is a few milliseconds, and the jobs that arrive meanwhile
 * all join the next batch.
 *
 * STOCK LOCKS
 *
 * On a backend with row locks (PostgreSQL, several nodes), a batch reads
 * the stock of every SKU its jobs name (store_job.stock_skus) before its
 * first job, in one statement, and writes what its jobs changed of it at
 * its end (store_int.h, STOCK WRITTEN AT THE BATCH'S END): it locks the
 * rows then, tenant by tenant in ascending id, each tenant's rows in (sku,
 * location) order, in one statement. Should another transaction have taken
 * the stock meanwhile, the batch is rolled back and run again exact: the
 * same locks taken before its first job, the jobs finding their rows
 * locked already (and a job that cannot name its SKUs before it runs, a
 * hold released to allocation, locking them as it goes). So is a batch
 * with a job that sets stock to what it finds (store_job.stock_exact).
 * Jobs taking the locks in the order of their own lines, in two nodes'
 * batches at once, would wait on each other in a cycle: PostgreSQL breaks
 * one only after its deadlock timeout (a second), and the loser, run
 * again, meets the next. In one order, two batches wait for each other
 * only where they share a SKU, and then one simply goes first; a job that
 * locks as it goes and meets a cycle runs again (below) and the rest of
 * its batch stands.
 *
 * The committers of one store keep out of each other's way: a batch's
 * stock is known from when it is taken off the queue until it commits. A
 * job that locks its stock from its batch's start (store_job.stock_exact)
 * and names some of it stays queued, with the jobs behind it that name
 * any of its SKUs (none takes stock before a job queued earlier), while
 * the next committer takes the others (batch_take). Other jobs need not
 * wait: their batch reads stock unlocked and locks what it read at its
 * end, after the batch before it committed, so orders all on the same few
 * SKUs run in a batch begun while the one before it commits.
 *
 * If COMMIT fails, every job of the batch that had succeeded is answered
 * ORDO_ESTORAGE (ORDO_EUNAVAILABLE when the database could not be
 * reached, or its disk is full or failing: sqlite.c, DISK FULL): nothing
 * of the batch was stored - except that a connection lost during COMMIT
 * leaves its outcome unknown to the client, as with any database server.
 * A COMMIT that failed retryably is answered so too; only a job's own run
 * is ever run again. If the transaction control itself fails (BEGIN,
 * SAVEPOINT, RELEASE, ROLLBACK TO), the transaction can no longer be
 * trusted: the batch is rolled back and every job in it that was not
 * already failed by its own code is answered ORDO_ESTORAGE (again
 * ORDO_EUNAVAILABLE when that was the cause: a full disk makes SQLite
 * roll the whole transaction back, which the next savepoint move finds).
 * Either way the committer goes on to the next batch, which begins a
 * transaction of its own: a failed batch fails its own writes only.
 *
 * Batches grow by themselves under load: while one batch is being made
 * durable, new jobs pile up in the queue and all go into the next one. That
 * is the whole trick of group commit - no timers, no waiting for company.
 * The statistics show how well it works (store_commit_stats): each
 * committed batch is counted in two histograms, the writes it carried and
 * the time its COMMIT took, which is the fsync every one of them waited
 * for.
 *
 * done callbacks run on the committer thread, after the commit returned and
 * outside the queue lock; they must be short and must not call store_write
 * (which would wait for the thread that is running them). store_write
 * refuses to run on the committer thread for that reason.
 */
#include "store/store_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t committer_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Fail a job that has not failed by its own code: the batch is lost. The
 * job is ORDO_ESTORAGE, or ORDO_EUNAVAILABLE when the cause was the
 * database being unreachable, or its disk full or failing (try again
 * later, not a fault of the write).
 */
static void job_fail_storage(store_job *job, const ordo_err *cause,
			     const char *what)
{
	ordo_code code = cause && cause->code == ORDO_EUNAVAILABLE
				 ? ORDO_EUNAVAILABLE
				 : ORDO_ESTORAGE;

	if (job->rc != ORDO_OK)
		return;
	job->rc = code;
	ordo_err_set(&job->err, code, NULL, "%s: %s", what,
		     cause && cause->message[0] ? cause->message
						: "the database refused");
}

static int stock_key_cmp(const void *a, const void *b)
{
	const struct stock_key *x = a, *y = b;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	return strcmp(x->sku, y->sku);
}

/*
 * The SKUs job names (store_job.stock_skus) into *skus: some (16 of them)
 * or, for more, an array to free(); *n their count, 0 without memory.
 */
static const char **job_skus(store_job *job, const char **some,
			     int64_t *tenant, size_t *n)
{
	const char **skus = some;
	size_t count = job->stock_skus(job->arg, tenant, some, 16);

	if (count > 16) {
		skus = malloc(count * sizeof(*skus));
		count = skus ? job->stock_skus(job->arg, tenant, skus, count)
			     : 0;
	}
	*n = count;
	return skus;
}

/*
 * Must job wait for another committer's batch to commit: does a job left
 * queued before it need the stock of a SKU it names, or, for a job that
 * locks its stock from its batch's start (store_job.stock_exact), does
 * another batch hold it? Any other job's batch reads the stock without
 * locking it and locks it only at its end (STOCK WRITTEN AT THE BATCH'S
 * END), after the other batch's commit.
 */
static bool job_waits(store *st, const struct committer *self, store_job *job)
{
	const char *some[16], **skus;
	int64_t tenant = 0;
	size_t n, k, b;
	int i;
	bool held = false;

	skus = job_skus(job, some, &tenant, &n);
	for (k = 0; k < n && !held; k++) {
		struct stock_key key = {tenant, skus[k]};

		for (i = 0; job->stock_exact && i < st->n_committers && !held;
		     i++) {
			const struct committer *c = &st->committers[i];

			held = c != self && c->keys.n > 0 &&
			       bsearch(&key, c->keys.v, c->keys.n, sizeof(key),
				       stock_key_cmp) != NULL;
		}
		for (b = 0; b < self->blocked.n && !held; b++)
			held = stock_key_cmp(&key, &self->blocked.v[b]) == 0;
	}
	if (skus != some)
		free(skus);
	return held;
}

/* Add the SKUs job names to keys (unsorted until keys_sort). */
static void keys_add(struct stock_keys *keys, store_job *job)
{
	const char *some[16], **skus;
	int64_t tenant = 0;
	size_t n, k;

	skus = job_skus(job, some, &tenant, &n);
	for (k = 0; k < n; k++) {
		if (keys->n == keys->cap) {
			size_t grown = keys->cap ? keys->cap * 2 : 64;
			struct stock_key *more =
				realloc(keys->v, grown * sizeof(*keys->v));

			if (!more)
				break; /* its jobs lock the rest as they go */
			keys->v = more;
			keys->cap = grown;
		}
		keys->v[keys->n++] = (struct stock_key){tenant, skus[k]};
	}
	if (skus != some)
		free(skus);
}

/* Sort keys and drop repeats. */
static void keys_sort(struct stock_keys *keys)
{
	size_t i, m = 0;

	if (keys->n < 2)
		return;
	qsort(keys->v, keys->n, sizeof(*keys->v), stock_key_cmp);
	for (i = 0; i < keys->n; i++)
		if (m == 0 || stock_key_cmp(&keys->v[m - 1], &keys->v[i]) != 0)
			keys->v[m++] = keys->v[i];
	keys->n = m;
}

/*
 * Run fn(tx, arg, err) at a batch's start, before its first job, in a
 * savepoint of its own: should it fail (a lock wait timed out, a deadlock
 * with another node's batch, no memory), what it did is undone, and what
 * was read under its locks forgotten; the jobs then do it as they go.
 */
static void batch_start_step(store_tx *tx,
			     ordo_code (*fn)(store_tx *tx, void *arg,
					     ordo_err *err),
			     void *arg)
{
	const struct db_driver *db = tx->db;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc = db->savepoint(tx, &err);

	if (rc == ORDO_OK) {
		rc = fn(tx, arg, &err);
		if (rc) {
			rc = db->rollback_to(tx, &err);
			tx_cache_reset(tx);
		} else {
			rc = db->release(tx, &err);
		}
	}
	(void)rc; /* a broken transaction fails the first job's savepoint */
	tx->retryable = false;
	ordo_err_clear(&err);
}

struct stock_locks {
	const struct stock_key *keys;
	size_t n;
	const char **skus; /* room for n */
};

static ordo_code stock_locks_take(store_tx *tx, void *arg, ordo_err *err)
{
	const struct stock_locks *l = arg;
	size_t i, from, m;
	ordo_code rc = ORDO_OK;

	for (from = 0; rc == ORDO_OK && from < l->n; from = i) {
		m = 0;
		for (i = from;
		     i < l->n && l->keys[i].tenant == l->keys[from].tenant; i++)
			l->skus[m++] = l->keys[i].sku;
		rc = sql_stock_lock(tx, l->keys[from].tenant, l->skus, m, err);
	}
	return rc;
}

/*
 * STOCK LOCKS: lock the stock of every SKU the batch's jobs name (keys,
 * sorted), in that order, before the first job runs (batch_start_step).
 */
static void batch_lock_stock(store_tx *tx, const struct stock_key *keys,
			     size_t n)
{
	struct stock_locks l = {keys, n, NULL};

	if (n == 0)
		return;
	l.skus = malloc(n * sizeof(*l.skus));
	if (l.skus)
		batch_start_step(tx, stock_locks_take, &l);
	free(l.skus);
}

/* The batch of self has run its jobs: another may start running (THE
 * COMMITTERS). Once per batch; a no-op after. */
static void batch_ran(store *st, struct committer *self)
{
	pthread_mutex_lock(&st->mu);
	if (self->running) {
		self->running = false;
		st->running--;
		pthread_cond_broadcast(&st->cv);
	}
	pthread_mutex_unlock(&st->mu);
}

static ordo_code lookups_take(store_tx *tx, void *arg, ordo_err *err)
{
	return sql_lookups_prefetch(tx, arg, err);
}

/*
 * A BATCH'S LOOKUPS (sql_lookups.c): what the batch's new orders look up,
 * asked at its start (batch_start_step), when it has any.
 */
static void batch_lookups(store_tx *tx, store_job *batch)
{
	const store_job *job = batch;

	while (job && !job->intake_keys)
		job = job->next;
	if (job)
		batch_start_step(tx, lookups_take, batch);
}

/*
 * A failure of a statement an earlier job deferred, found late, while the
 * batch's jobs do not each wait at their end: the batch runs again, each
 * waiting. Once they do, no such failure is late (a failed RELEASE or
 * SAVEPOINT, which no job's input can cause, is the transaction's own
 * failure), so a batch runs again for this once at most.
 */
static bool found_late(const store_tx *tx, bool wait_each)
{
	return tx->late_failure && !wait_each;
}

/*
 * Run one batch (a NULL-terminated list through job->next, *batchp) in one
 * transaction. Sets every job's rc and err; calls no done callback. A job
 * that lost to a concurrent transaction and has runs left is taken out of
 * the batch, rolled back to its savepoint, given its due time and put on
 * *retry (in batch order) to be queued again. Returns true when the
 * transaction committed; *txp is the transaction it began, NULL if none,
 * and *commit_ns how long its COMMIT took (the fsync; 0 when none ran).
 */
static bool committer_run_batch(store *st, struct committer *self,
				store_job **batchp, store_job **retry,
				int64_t *statements, store_tx **txp,
				int64_t *commit_ns)
{
	const struct db_driver *db = st->db;
	store_tx *tx = NULL;
	store_job *job, *failed_at;
	store_job **link, **retry_tail = retry;
	ordo_err cerr = ORDO_ERR_INIT;
	ordo_code rc;
	/* Its stock written at its end (store_int.h, STOCK WRITTEN AT THE
	 * BATCH'S END) unless it runs exact. */
	bool exact = !db->row_locks;
	/* Each job waits for its deferred statements' answers at its end
	 * (DEFERRED STATEMENTS, db.h): only once a batch is run again after
	 * one failed unseen (store_tx.late_failure). */
	bool wait_each = false;
	unsigned job_no = 0;
	store_job *last_run; /* the last job of the batch run in this pass */

	*retry = NULL;
	*commit_ns = 0;
	for (job = *batchp; job; job = job->next)
		exact = exact || job->stock_exact;
	*statements = 0;
again:
	failed_at = NULL;
	last_run = NULL;
	link = batchp;
	for (job = *batchp; job; job = job->next) {
		job->rc = ORDO_OK;
		ordo_err_clear(&job->err);
		job->due_ns = 0;
	}

	rc = db->write_begin(st, self->writer, &tx, &cerr);
	*txp = tx;
	if (rc) {
		for (job = *batchp; job; job = job->next)
			job_fail_storage(job, &cerr,
					 "cannot begin the write transaction");
		ordo_err_clear(&cerr);
		return false;
	}
	tx->retryable = false;
	tx->late_failure = false;
	tx->job = 0;
	tx_cache_reset(tx);
	tx_kept_forget(tx);
	tx_stock_begin(tx, !exact);
	sql_job_kept_drop(tx);
	sql_lookups_forget(tx);
	*statements -= tx->statements;
	if (db->row_locks)
		batch_lock_stock(tx, self->keys.v, self->keys.n);
	batch_lookups(tx, *batchp);

	while ((job = *link)) {
		/* The batch is to run again exact (its end says so): the
		 * jobs left run there. */
		if (tx->stock.conflict)
			break;
		/* Numbered first: what the pipeline answers at its SAVEPOINT
		 * is an earlier job's. */
		tx->job = ++job_no ? job_no : ++job_no;
		rc = db->savepoint(tx, &cerr);
		if (rc && found_late(tx, wait_each))
			goto late;
		if (rc) {
			failed_at = job;
			break;
		}
		tx_kept_job_begin(tx);
		tx_stock_job_begin(tx);
		tx->retryable = false;
		last_run = job;
		job->runs++;
		sql_lookups_job(tx, job);
		job->rc = job->run(tx, job->arg, &job->err);
		/* Its new order, if it kept one to write once (sql_orders.c,
		 * AN ORDER WRITTEN ONCE), and its events (sql_history.c). */
		if (job->rc == ORDO_OK)
			job->rc = sql_job_kept_write(tx, &job->err);
		if (job->rc != ORDO_OK)
			sql_job_kept_drop(tx);
		sql_lookups_forget(tx);
		sql_lookups_job(tx, NULL);
		/*
		 * What the job deferred fails or stands with it, answered
		 * with the next job's first read. It waits for the answers
		 * now only where they must be known now: when the batch runs
		 * again after a failure found late, when one is known to have
		 * failed already (the job took the error in its stride, or a
		 * full pipeline was read), and as the batch's last job.
		 */
		if (job->rc == ORDO_OK && db->flush &&
		    (wait_each || !job->next ||
		     (db->deferred_failed && db->deferred_failed(tx))))
			job->rc = db->flush(tx, &job->err);
		if (found_late(tx, wait_each))
			goto late;
		if (job->rc == ORDO_OK) {
			rc = db->release(tx, &cerr);
			if (rc && found_late(tx, wait_each))
				goto late;
			if (rc == ORDO_OK) {
				tx_kept_job_kept(tx);
				link = &job->next;
				continue;
			}
			if (!db->deferred_failed || !db->deferred_failed(tx)) {
				failed_at = job;
				break;
			}
			/* Its own statements failed, read as the full
			 * pipeline made way for its RELEASE, which was not
			 * sent: undone below. */
			job->rc = rc;
			ordo_err_copy(&job->err, &cerr);
			ordo_err_clear(&cerr);
		}
		/* A job that failed without saying why still gets a message. */
		if (job->err.code == ORDO_OK)
			ordo_err_set(&job->err, job->rc, NULL,
				     "the write failed (%s)",
				     ordo_code_name(job->rc));
		rc = db->rollback_to(tx, &cerr);
		tx_cache_reset(tx); /* what it read after its writes is gone */
		tx_kept_job_undo(tx);
		tx_stock_job_undo(tx);
		sql_lookups_job_undo(tx);
		if (found_late(tx, wait_each))
			goto late;
		if (rc) {
			failed_at = job;
			break;
		}
		/*
		 * Lost a deadlock or a lock wait to another transaction: its
		 * own work is undone, so it leaves the batch to run again in
		 * a later one (RUNNING A JOB AGAIN), without this batch
		 * waiting for it.
		 */
		if (tx->retryable && !tx->stock.conflict &&
		    job->runs < STORE_JOB_ATTEMPTS) {
			*link = job->next;
			job->next = NULL;
			job->rc = ORDO_OK;
			ordo_err_clear(&job->err);
			job->due_ns = committer_now_ns() +
				      (int64_t)STORE_JOB_BACKOFF_MS * 1000000 *
					      job->runs;
			*retry_tail = job;
			retry_tail = &job->next;
			continue;
		}
		link = &job->next;
	}

	tx->job = 0;
	tx_cache_reset(tx);
	if (failed_at) {
		/*
		 * The transaction control failed: what is in the transaction
		 * is unknown, so none of it may be committed. Jobs not yet run
		 * are failed too rather than run in a transaction in that
		 * state.
		 */
		*statements += tx->statements;
		tx_kept_forget(tx);
		tx_stock_forget(tx);
		sql_lookups_batch_end(tx);
		db->rollback(tx);
		for (job = *batchp; job; job = job->next) {
			if (job == failed_at && job->rc != ORDO_OK) {
				/* Its own failure stands; nothing was kept. */
				continue;
			}
			job_fail_storage(job, &cerr,
					 "the write transaction failed");
		}
		ordo_err_clear(&cerr);
		return false;
	}

	if (!*batchp) {
		/* Every job is to run again: nothing to make durable. */
		*statements += tx->statements;
		tx_kept_forget(tx);
		tx_stock_forget(tx);
		sql_lookups_batch_end(tx);
		db->rollback(tx);
		return false;
	}
	/* Its stock, checked and written now; should another transaction
	 * have taken it meanwhile (or a job need it exact), the whole batch
	 * runs again, exact. */
	tx->retryable = false;
	rc = tx->stock.conflict ? ORDO_ECONFLICT : tx_stock_finish(tx, &cerr);
	if (found_late(tx, wait_each))
		goto late;
	if (rc && (tx->stock.conflict || tx->retryable)) {
		pthread_mutex_lock(&st->mu);
		st->stats.stock_reruns++;
		pthread_mutex_unlock(&st->mu);
		exact = true;
		goto rerun;
	}
	/* The rows kept for the batch's end (store_int.h), then the commit:
	 * either failing, the batch's writes are incomplete, and none
	 * stands. */
	if (rc == ORDO_OK)
		rc = tx_kept_finish(tx, &cerr);
	if (rc == ORDO_OK && db->flush)
		rc = db->flush(tx, &cerr);
	if (found_late(tx, wait_each))
		goto late;
	tx_stock_forget(tx);
	sql_lookups_batch_end(tx);
	*statements += tx->statements;
	/* While its COMMIT reaches the disk, the next batch may run. */
	batch_ran(st, self);
	if (rc == ORDO_OK) {
		int64_t began = committer_now_ns();

		rc = db->commit(tx, &cerr);
		*commit_ns = committer_now_ns() - began;
	}
	tx_tally_committed(st, tx, rc == ORDO_OK);
	if (rc) {
		db->rollback(tx);
		for (job = *batchp; job; job = job->next)
			job_fail_storage(job, &cerr, "commit failed");
		ordo_err_clear(&cerr);
		return false;
	}
	ordo_err_clear(&cerr);
	return true;

late:
	/* A statement a job that stood had deferred failed: which job's
	 * failure it is, only waiting at each job's end tells. */
	wait_each = true;
	pthread_mutex_lock(&st->mu);
	st->stats.batch_reruns++;
	pthread_mutex_unlock(&st->mu);
rerun:
	*statements += tx->statements;
	tx_kept_forget(tx);
	tx_stock_forget(tx);
	sql_lookups_batch_end(tx);
	sql_job_kept_drop(tx);
	sql_lookups_forget(tx);
	tx->job = 0;
	db->rollback(tx);
	ordo_err_clear(&cerr);
	/* The runs of this pass do not count. */
	for (job = *batchp; job && last_run; job = job->next) {
		job->runs--;
		if (job == last_run)
			break;
	}
	goto again;
}

/* The bucket of a histogram (store.h: bounds inclusive, the last bucket
 * past every bound) that v falls in. */
static size_t bucket_of(const uint64_t *bounds, size_t n, uint64_t v)
{
	size_t i = 0;

	while (i < n && v > bounds[i])
		i++;
	return i;
}

/* A committed batch, in the histograms of the statistics (under mu):
 * the writes it carried and its COMMIT's time. */
static void stats_observe_commit(store_commit_stats *s, uint64_t writes,
				 int64_t commit_ns)
{
	static const uint64_t batch_bounds[] = {STORE_BATCH_BOUNDS};
	static const uint64_t commit_bounds[] = {STORE_COMMIT_US_BOUNDS};
	uint64_t us = commit_ns > 0 ? (uint64_t)commit_ns / 1000 : 0;

	_Static_assert(sizeof(batch_bounds) / sizeof(batch_bounds[0]) ==
			       STORE_BATCH_BUCKETS,
		       "STORE_BATCH_BUCKETS counts STORE_BATCH_BOUNDS");
	_Static_assert(sizeof(commit_bounds) / sizeof(commit_bounds[0]) ==
			       STORE_COMMIT_BUCKETS,
		       "STORE_COMMIT_BUCKETS counts STORE_COMMIT_US_BOUNDS");
	s->batch_writes[bucket_of(batch_bounds, STORE_BATCH_BUCKETS,
				  writes)]++;
	s->batch_writes_sum += writes;
	s->commit_us[bucket_of(commit_bounds, STORE_COMMIT_BUCKETS, us)]++;
	s->commit_us_sum += us;
}

/*
 * Move the delayed jobs that are due (all of them when stopping) to the
 * queue's tail, due at once; under mu. Returns when the next one left
 * waiting is due (monotonic ns), or 0 when none is.
 */
static int64_t delayed_promote(store *st)
{
	int64_t now = committer_now_ns(), next = 0;
	store_job **link = &st->delayed, *job;

	while ((job = *link)) {
		if (job->due_ns <= now || st->stopping) {
			*link = job->next;
			job->next = NULL;
			job->due_ns = 0;
			if (st->tail)
				st->tail->next = job;
			else
				st->head = job;
			st->tail = job;
			continue;
		}
		if (!next || job->due_ns < next)
			next = job->due_ns;
		link = &job->next;
	}
	return next;
}

/*
 * Take the next batch off the queue for self, under mu: up to
 * ORDO_COMMIT_BATCH_MAX due jobs in their order (one not yet due heads a
 * later batch), leaving in the queue, in their order, the jobs whose stock
 * another committer's batch holds (STOCK LOCKS): they would only wait for
 * it to commit, and hold up the jobs behind them. A job behind one left
 * queued that names some of its stock is left too, so that no job takes
 * stock before one queued earlier. At most BATCH_TAKE_SCAN jobs are looked
 * at. NULL when every due job waits.
 */
#define BATCH_TAKE_SCAN (4 * ORDO_COMMIT_BATCH_MAX)

static store_job *batch_take(store *st, struct committer *self, int64_t now,
			     uint64_t *n)
{
	store_job *batch = NULL, **tail = &batch, **link = &st->head, *job;
	store_job *prev = NULL;
	bool locks = st->db->row_locks, others = locks && st->n_committers > 1;
	int left = BATCH_TAKE_SCAN;

	*n = 0;
	self->keys.n = 0;
	self->blocked.n = 0;
	while ((job = *link) && *n < ORDO_COMMIT_BATCH_MAX &&
	       job->due_ns <= now && left-- > 0) {
		if (others && job->stock_skus && job_waits(st, self, job)) {
			/* Its stock is the later jobs' to wait for too: none
			 * takes it before it. */
			keys_add(&self->blocked, job);
			prev = job;
			link = &job->next;
			continue;
		}
		*link = job->next;
		if (st->tail == job)
			st->tail = prev;
		job->next = NULL;
		*tail = job;
		tail = &job->next;
		(*n)++;
		if (locks && job->stock_skus)
			keys_add(&self->keys, job);
	}
	self->blocked.n = 0;
	if (locks)
		keys_sort(&self->keys);
	return batch;
}

/* Wait on the queue's condition, under mu: until due_ns on the monotonic
 * clock, or, with 0, until woken. */
static void committer_wait(store *st, int64_t due_ns)
{
	struct timespec until;

	if (!due_ns) {
		pthread_cond_wait(&st->cv, &st->mu);
		return;
	}
	until.tv_sec = (time_t)(due_ns / 1000000000);
	until.tv_nsec = (long)(due_ns % 1000000000);
	pthread_cond_timedwait(&st->cv, &st->mu, &until);
}

void *committer_main(void *arg)
{
	struct committer *self = arg;
	store *st = self->st;

	pthread_mutex_lock(&st->mu);
	for (;;) {
		store_job *batch, *retry, *job, *last, *next;
		uint64_t n = 0, answered = 0;
		int64_t now, wake, trips = 0, commit_ns;
		bool committed;
		int64_t statements;
		store_tx *tx;

		for (;;) {
			wake = delayed_promote(st);

			if (st->head || (st->stopping && !st->delayed))
				break;
			committer_wait(st, wake);
		}
		if (!st->head)
			break; /* stopping and drained */

		/*
		 * A job queued again waits out its backoff at the head, with
		 * no transaction open; new jobs queue up behind it meanwhile.
		 */
		now = committer_now_ns();
		if (st->head->due_ns > now) {
			committer_wait(st, st->head->due_ns);
			continue;
		}
		/* As many batches run their jobs at once as may: another
		 * waits for one to reach its COMMIT. */
		if (st->running >= st->running_max) {
			committer_wait(st, wake);
			continue;
		}
		batch = batch_take(st, self, now, &n);
		if (batch) {
			self->running = true;
			st->running++;
		}
		if (!batch) {
			/* Every due job waits for another committer's
			 * batch, which wakes us once it has committed; or
			 * until a job put aside for later is due. */
			committer_wait(st, wake);
			continue;
		}
		if (st->head)
			pthread_cond_signal(&st->cv); /* for another committer */
		pthread_mutex_unlock(&st->mu);

		statements = 0;
		committed = committer_run_batch(st, self, &batch, &retry,
						&statements, &tx, &commit_ns);
		batch_ran(st, self); /* if it ended before its COMMIT */
		/* The writer's waits since the last batch: its BEGIN too. */
		if (tx) {
			trips = tx->round_trips - self->trips_seen;
			self->trips_seen = tx->round_trips;
		}
		for (job = batch; job; job = job->next)
			answered++;

		pthread_mutex_lock(&st->mu);
		/* Its stock is free (the keys point into jobs answered
		 * below); the jobs that waited for it may go. */
		self->keys.n = 0;
		if (st->n_committers > 1 && st->head)
			pthread_cond_broadcast(&st->cv);
		/* The jobs to run again go back to the head, in their order. */
		if (retry) {
			st->stats.retries++;
			for (last = retry; last->next; last = last->next)
				st->stats.retries++;
			last->next = st->head;
			if (!st->head)
				st->tail = last;
			st->head = retry;
		}
		st->stats.jobs += answered;
		st->stats.write_statements += (uint64_t)statements;
		st->stats.write_round_trips += (uint64_t)trips;
		if (committed) {
			st->stats.commits++;
			stats_observe_commit(&st->stats, answered, commit_ns);
		}
		if (n > st->stats.max_batch)
			st->stats.max_batch = n;
		pthread_mutex_unlock(&st->mu);

		/* Answer only now: the batch is durable or has failed. The
		 * callback may free its job, so read next first. */
		for (job = batch; job; job = next) {
			next = job->next;
			job->next = NULL;
			if (job->done)
				job->done(job->arg, job->rc, &job->err);
		}

		pthread_mutex_lock(&st->mu);
	}
	pthread_mutex_unlock(&st->mu);
	return NULL;
}
