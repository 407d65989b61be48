/*
 * worker.h - delivering webhooks from the outbox.
 *
 * Background threads that claim webhooks with due work from the store,
 * POST their deliveries, and record each outcome. See worker.c for the
 * schedule: round robin over webhooks, a circuit breaker per webhook, the
 * retry schedule, pausing, and how ordering per order is kept.
 */
#ifndef ORDO_OUTBOX_WORKER_H
#define ORDO_OUTBOX_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/clock.h"
#include "core/err.h"
#include "core/limits.h"
#include "core/netaddr.h"
#include "store/store.h"

typedef struct outbox_worker outbox_worker;

typedef struct {
	int threads;	      /* sending threads (each sends one at a time) */
	int poll_ms;	      /* how often an idle thread looks for work */
	int timeout_ms;	      /* a receiver slower than this has failed */
	int lease_s;	      /* a claim lasts this long; raised to outlast
				 a whole batch of timeouts */
	int batch;	      /* deliveries claimed at once per webhook */
	const ordo_clock *clock; /* what "now" is (NULL: the system's) */
} outbox_options;

/* The defaults and bounds, with their reasons, are in core/limits.h. */
#define OUTBOX_OPTIONS_DEFAULT                                                 \
	{.threads = OUTBOX_THREADS_DEFAULT,                                    \
	 .poll_ms = OUTBOX_POLL_MS_DEFAULT,                                    \
	 .timeout_ms = OUTBOX_TIMEOUT_MS_DEFAULT,                              \
	 .lease_s = OUTBOX_LEASE_S_DEFAULT,                                    \
	 .batch = OUTBOX_BATCH_DEFAULT}

/*
 * Process-wide rules of sending, set once at start before any worker or
 * request runs (`ordo serve`): the address ranges a receiver may be in
 * although internal (NULL: none).
 */
void outbox_rules_set(const netaddr_list *allow);

/*
 * Whether a webhook may be sent to the address: not internal, or in the
 * allow list. family 4 or 6, addr 4 or 16 bytes.
 */
bool outbox_address_allowed(int family, const unsigned char *addr);

/*
 * Check a webhook url before it is stored: http or https, a host that
 * resolves, and every address it resolves to allowed. ORDO_EINVALID
 * naming "url" with why, or ORDO_OK. Resolves names: call it outside any
 * transaction.
 */
ordo_code outbox_url_check(const char *url, ordo_err *err);

/* Seconds to wait before attempt n+1 after n failed attempts (n >= 1). */
int64_t outbox_backoff_s(int attempts);

/*
 * FAILED ATTEMPTS, for /metrics: the delivery attempts that failed (each
 * is logged, "webhook delivery failed"), counted per webhook by every
 * sender of this process since it started - one node's, as its log is.
 * At most OUTBOX_FAILURES_TRACKED webhooks are counted by their id, the
 * first to fail; the attempts of any other are counted together under
 * the webhook id "_other" (tenant 0), so that the series /metrics shows
 * stay bounded however many webhooks come and go.
 */
#define OUTBOX_FAILURES_TRACKED 256

typedef struct {
	int64_t tenant_id;
	char webhook_id[ORDO_ID_MAX];
	uint64_t attempts;
} outbox_failures;

/* Copy the counts into out (up to max of them: the webhooks counted by id
 * in the order they first failed, then "_other" when it has any); returns
 * how many were copied. */
size_t outbox_failures_get(outbox_failures *out, size_t max);

ordo_code outbox_worker_start(store *st, const outbox_options *opts,
			      outbox_worker **out, ordo_err *err);
/* Stop within about a second: a send in progress is abandoned, its lease
 * left to run out, and the delivery sent again later. */
void outbox_worker_stop(outbox_worker *w);

#endif
