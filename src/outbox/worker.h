/*
 * worker.h - delivering webhooks from the outbox.
 *
 * Background threads that claim due deliveries from the store, POST them,
 * and record each outcome. See worker.c for the retry schedule and how
 * ordering per order is kept.
 */
#ifndef ORDO_OUTBOX_WORKER_H
#define ORDO_OUTBOX_WORKER_H

#include "core/err.h"
#include "store/store.h"

typedef struct outbox_worker outbox_worker;

typedef struct {
	int threads;	      /* sending threads (each sends one at a time) */
	int poll_ms;	      /* how often an idle thread looks for work */
	int timeout_ms;	      /* a receiver slower than this has failed */
	int lease_s;	      /* a claim lasts this long; raised to outlast
				 a whole batch of timeouts */
	int batch;	      /* deliveries claimed at once per thread */
} outbox_options;

#define OUTBOX_OPTIONS_DEFAULT                                                 \
	{.threads = 2, .poll_ms = 200, .timeout_ms = 10000, .lease_s = 60,     \
	 .batch = 4}

/* Seconds to wait before attempt n+1 after n failed attempts (n >= 1). */
int64_t outbox_backoff_s(int attempts);

ordo_code outbox_worker_start(store *st, const outbox_options *opts,
			      outbox_worker **out, ordo_err *err);
/* Finish the deliveries in hand, then stop. */
void outbox_worker_stop(outbox_worker *w);

#endif
