/*
 * write.c - running a write command on the committer, at most once per
 * Idempotency-Key (write.h).
 *
 * The key is taken under a named lock, so a retry racing its original on
 * another node waits for it. The first run stores the key with status 0
 * and no answer in the same transaction as the write's effects, so either
 * both are durable or neither is; the answer follows in a second write
 * once the caller has encoded it. A row with status 0 is a write whose
 * answer is not kept yet: a retry then runs nothing and says `pending`
 * (the caller asks again), or, once the row is too old for the answer to
 * be on its way, is refused with ORDO_ECONFLICT - never run twice. A
 * different request under a used key is refused too, since the client has
 * mixed up its keys and guessing which request it meant would be wrong.
 */
#include "app/write.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void app_write_init(app_write *w, const app_write_type *t,
		    const app_caller *c, ordo_time now)
{
	w->type = t;
	w->caller = *c;
	w->now = now;
	w->idempotency_key[0] = '\0';
	w->request_hash[0] = '\0';
	w->done = NULL;
	w->done_arg = NULL;
	w->pending = false;
	w->replayed = false;
	w->replay_status = 0;
	w->replay_body = NULL;
	memset(&w->job, 0, sizeof(w->job));
	w->keep_status = 0;
	w->keep_body = NULL;
}

ordo_code app_write_lost_answer(const char *key, ordo_err *err)
{
	return ordo_err_set(err, ORDO_ECONFLICT, "Idempotency-Key",
			    "the request with the key \"%s\" was done, but "
			    "its answer was not kept (the server stopped "
			    "before it could): read what it changed",
			    key);
}

static void outputs_clear(app_write *w)
{
	w->pending = false;
	w->replayed = false;
	w->replay_status = 0;
	free(w->replay_body);
	w->replay_body = NULL;
	if (w->type->clear)
		w->type->clear(w);
}

/* The named lock of an Idempotency-Key. */
static void key_lock(const app_write *w, char *lock, size_t size)
{
	snprintf(lock, size, "idem:%s", w->idempotency_key);
}

/* The key's row: replay it, refuse it, or (ORDO_ENOTFOUND) run. */
static ordo_code key_lookup(store_tx *tx, app_write *w, ordo_err *err)
{
	const char *key = w->idempotency_key;
	char lock[ORDO_IDEMPOTENCY_KEY_MAX + 8];
	store_idempotency rec;
	ordo_code rc;

	key_lock(w, lock, sizeof(lock));
	rc = store_lock_named(tx, w->caller.tenant_id, lock, err);
	if (rc)
		return rc;
	memset(&rec, 0, sizeof(rec));
	rc = store_idempotency_get(tx, w->caller.tenant_id, key, &rec, err);
	if (rc)
		return rc;
	if (strcmp(rec.request_hash, w->request_hash) != 0) {
		store_idempotency_free(&rec);
		return ordo_err_set(err, ORDO_EIDEMPOTENCY, "Idempotency-Key",
				    "the key \"%s\" was already used for a "
				    "different request",
				    key);
	}
	if (rec.status == 0 &&
	    w->now - rec.created_at <= ORDO_IDEMPOTENCY_LOST_S) {
		store_idempotency_free(&rec);
		w->pending = true;
		return ORDO_OK;
	}
	if (rec.status == 0) {
		store_idempotency_free(&rec);
		return app_write_lost_answer(key, err);
	}
	w->replay_status = rec.status;
	w->replay_body = rec.body; /* hand over */
	rec.body = NULL;
	w->replayed = true;
	return ORDO_OK;
}

static ordo_code write_job(store_tx *tx, void *arg, ordo_err *err)
{
	app_write *w = arg;
	store_idempotency rec;
	ordo_code rc;

	outputs_clear(w);
	if (!w->idempotency_key[0])
		return w->type->run(tx, w, err);
	rc = key_lookup(tx, w, err);
	if (rc != ORDO_ENOTFOUND)
		return rc;
	ordo_err_clear(err);
	rc = w->type->run(tx, w, err);
	if (rc)
		return rc;
	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, w->idempotency_key, sizeof(rec.key));
	ordo_strlcpy(rec.request_hash, w->request_hash,
		     sizeof(rec.request_hash));
	rec.status = 0; /* the answer follows (app_write_keep_answer) */
	rec.body = (char *)"";
	rec.created_at = w->now;
	return store_idempotency_put(tx, w->caller.tenant_id, &rec, err);
}

static ordo_code keep_job(store_tx *tx, void *arg, ordo_err *err)
{
	app_write *w = arg;
	store_idempotency rec;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, w->idempotency_key, sizeof(rec.key));
	ordo_strlcpy(rec.request_hash, w->request_hash,
		     sizeof(rec.request_hash));
	rec.status = w->keep_status;
	rec.body = (char *)w->keep_body;
	rec.created_at = w->now;
	return store_idempotency_put(tx, w->caller.tenant_id, &rec, err);
}

static void job_done(void *arg, ordo_code rc, const ordo_err *err)
{
	app_write *w = arg;

	(void)rc;
	(void)err; /* both are kept in w->job */
	if (w->done)
		w->done(w);
}

void app_write_submit(store *st, app_write *w)
{
	app_write_submit_after(st, w, 0);
}

static size_t job_stock_skus(void *arg, int64_t *tenant, const char **skus,
			     size_t max)
{
	app_write *w = arg;

	*tenant = w->caller.tenant_id;
	return w->type->stock_skus(w, skus, max);
}

/* What the run looks up, said before it runs: the key's lock first, as
 * write_job takes it. */
static bool job_intake_keys(store_tx *tx, void *arg, store_intake_keys *keys)
{
	app_write *w = arg;

	memset(keys, 0, sizeof(*keys));
	keys->tenant = w->caller.tenant_id;
	if (w->idempotency_key[0])
		key_lock(w, keys->locks[keys->n_locks++],
			 sizeof(keys->locks[0]));
	return w->type->intake_keys(tx, w, keys);
}

void app_write_submit_after(store *st, app_write *w, int delay_ms)
{
	w->job.run = write_job;
	w->job.done = job_done;
	w->job.arg = w;
	w->job.stock_skus = w->type->stock_skus ? job_stock_skus : NULL;
	w->job.stock_exact = w->type->stock_exact;
	w->job.intake_keys = w->type->intake_keys ? job_intake_keys : NULL;
	store_submit_after(st, &w->job, delay_ms);
}

void app_write_keep_answer(store *st, app_write *w, int status,
			   const char *body)
{
	w->keep_status = status;
	w->keep_body = body;
	w->job.run = keep_job;
	w->job.done = job_done;
	w->job.arg = w;
	w->job.stock_skus = NULL;
	w->job.stock_exact = false;
	w->job.intake_keys = NULL;
	store_submit(st, &w->job);
}

void app_write_free(app_write *w)
{
	if (!w || !w->type)
		return;
	outputs_clear(w);
	if (w->type->free_input)
		w->type->free_input(w);
	ordo_err_clear(&w->job.err);
}

ordo_code app_purge(store_tx *tx, ordo_time now, int64_t *purged,
		    ordo_err *err)
{
	int64_t gauges = 0;
	ordo_code rc = store_purge(tx, now - ORDO_IDEMPOTENCY_KEEP_S,
				   now - ORDO_DELIVERED_KEEP_S, purged, err);

	/* The metrics' gauges counted down to nothing (app/metrics.h). */
	if (rc == ORDO_OK)
		rc = store_gauges_purge(tx, &gauges, err);
	*purged += gauges;
	/* Sessions past their absolute end, failed logins past their lock
	 * (app/people.h). */
	if (rc == ORDO_OK)
		rc = store_people_purge(tx, now - ORDO_SESSION_ABSOLUTE_S,
					now - ORDO_LOGIN_LOCK_S, purged, err);
	return rc;
}

/* A detached write: its job, its function and its copy of the input. */
struct detached {
	store_job job;
	store_job_fn fn;
	max_align_t arg[];
};

static ordo_code detached_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct detached *d = arg;

	return d->fn(tx, d->arg, err);
}

static void detached_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct detached *d = arg;

	(void)rc;
	(void)err;
	ordo_err_clear(&d->job.err);
	free(d);
}

void app_write_detached(store *st, store_job_fn fn, const void *arg,
			size_t size)
{
	struct detached *d = calloc(1, sizeof(*d) + size);

	if (!d)
		return;
	d->job.run = detached_run;
	d->job.done = detached_done;
	d->job.arg = d;
	d->fn = fn;
	memcpy(d->arg, arg, size);
	store_submit(st, &d->job);
}
