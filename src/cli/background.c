/*
 * background.c - the work `ordo serve` does on its own, beside answering
 * requests: delivering webhooks (outbox/worker.c) and, every second, the
 * time-driven use cases (closing delivered orders past their tenant's
 * closing period; expiring change requests not answered in their
 * tenant's change window; raising and clearing the SLA monitors' alerts;
 * once a minute, forgetting what is past its retention).
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "log/log.h"
#include "app/changes.h"
#include "app/fulfillment.h"
#include "app/monitors.h"
#include "app/policy.h"
#include "app/write.h"
#include "cli/cli.h"
#include "outbox/worker.h"

struct background {
	store *st;
	outbox_worker *outbox;
	pthread_t sweeper;
	bool sweeper_started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
};

/* One round's work: what it closed and purged, at the time it read. */
struct sweep {
	ordo_time now;
	size_t closed;
	size_t expired;
	int64_t purged;
	size_t raised;
	size_t cleared;
};

static ordo_code sweep_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct sweep *s = arg;

	return app_close_due(tx, s->now, &s->closed, err);
}

static ordo_code purge_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct sweep *s = arg;

	return app_purge(tx, s->now, &s->purged, err);
}

static void *sweeper_main(void *arg)
{
	struct background *b = arg;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	unsigned long round = 0;
	int64_t alerts_cursor = 0;

	pthread_mutex_lock(&b->mu);
	while (!b->stopping) {
		struct timespec until;
		struct sweep s = {.now = ordo_clock_now(cli_clock)};

		pthread_mutex_unlock(&b->mu);
		/* Retention once a minute, from the first round on. */
		if (round++ % 60 == 0) {
			ordo_err_clear(err);
			if (store_write(b->st, purge_run, &s, err) !=
			    ORDO_OK)
				log_error("purging old rows: %s",
					  err->message);
			else if (s.purged)
				log_info("purged %lld row%s past their "
					 "retention",
					 (long long)s.purged,
					 s.purged == 1 ? "" : "s");
		}
		ordo_err_clear(err);
		if (store_write(b->st, sweep_run, &s, err) != ORDO_OK)
			log_error("closing delivered orders: %s",
				  err->message);
		else if (s.closed)
			log_info("closed %zu delivered order%s", s.closed,
				 s.closed == 1 ? "" : "s");
		ordo_err_clear(err);
		if (app_changes_expire(b->st, s.now, &s.expired, err) !=
		    ORDO_OK)
			log_error("expiring change requests: %s",
				  err->message);
		if (s.expired)
			log_info("%zu change request%s expired", s.expired,
				 s.expired == 1 ? "" : "s");
		ordo_err_clear(err);
		if (app_monitors_sweep(b->st, s.now, &alerts_cursor, &s.raised,
				       &s.cleared, err) != ORDO_OK)
			log_error("sweeping the SLA monitors: %s",
				  err->message);
		if (s.raised || s.cleared)
			log_info("SLA monitors: %zu alert%s raised, %zu "
				 "cleared",
				 s.raised, s.raised == 1 ? "" : "s",
				 s.cleared);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_mutex_lock(&b->mu);
		if (!b->stopping)
			pthread_cond_timedwait(&b->cv, &b->mu, &until);
	}
	pthread_mutex_unlock(&b->mu);
	ordo_err_clear(err);
	return NULL;
}

struct background *background_start(store *st, int webhook_timeout_ms,
				    ordo_err *err)
{
	outbox_options oo = OUTBOX_OPTIONS_DEFAULT;
	struct background *b = calloc(1, sizeof(*b));

	oo.timeout_ms = webhook_timeout_ms;
	oo.clock = cli_clock;
	if (!b) {
		ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	b->st = st;
	pthread_mutex_init(&b->mu, NULL);
	pthread_cond_init(&b->cv, NULL);
	if (outbox_worker_start(st, &oo, &b->outbox, err) != ORDO_OK) {
		background_stop(b);
		return NULL;
	}
	if (pthread_create(&b->sweeper, NULL, sweeper_main, b) != 0) {
		ordo_err_set(err, ORDO_EINTERNAL, NULL,
			     "cannot start the sweeper thread");
		background_stop(b);
		return NULL;
	}
	b->sweeper_started = true;
	return b;
}

void background_stop(struct background *b)
{
	if (!b)
		return;
	pthread_mutex_lock(&b->mu);
	b->stopping = true;
	pthread_cond_broadcast(&b->cv);
	pthread_mutex_unlock(&b->mu);
	if (b->sweeper_started)
		pthread_join(b->sweeper, NULL);
	outbox_worker_stop(b->outbox);
	pthread_cond_destroy(&b->cv);
	pthread_mutex_destroy(&b->mu);
	free(b);
}
