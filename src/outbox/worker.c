/*
 * worker.c - sending webhook deliveries, at least once, in order per order.
 *
 * Each thread loops:
 *
 *     claim    a write job: up to `batch` due deliveries get a lease
 *              (claimed_until), so no other thread - or, on a shared
 *              database, no other node - sends them meanwhile
 *     send     POST the event's JSON with X-Ordo-Signature (signature.h),
 *              one at a time, each bounded by timeout_ms
 *     record   a write job: 2xx -> delivered; anything else, a timeout or
 *              a refused connection -> attempts + 1 and the next attempt
 *              after outbox_backoff_s (1 s, 2 s, 4 s ... capped at 1 h), or
 *              failed once that would fall past the delivery's retry_until
 *
 * A crash between send and record leaves the lease to expire and the
 * delivery is sent again: at least once, never lost. The store only hands
 * out a delivery when no earlier one for the same webhook and order is
 * still pending, so a receiver sees each order's events in order even while
 * it is down and they queue up.
 */
#include "outbox/worker.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/signature.h"

#define OUTBOX_MAX_THREADS 16
#define OUTBOX_BACKOFF_CAP_S 3600

struct outbox_worker {
	store *st;
	outbox_options opts;
	pthread_t threads[OUTBOX_MAX_THREADS];
	int n_threads;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
};

int64_t outbox_backoff_s(int attempts)
{
	int64_t s = 1;

	while (--attempts > 0 && s < OUTBOX_BACKOFF_CAP_S)
		s *= 2;
	return s < OUTBOX_BACKOFF_CAP_S ? s : OUTBOX_BACKOFF_CAP_S;
}

struct claim_job {
	int limit;
	int lease_s;
	delivery *items;
	size_t n;
};

static ordo_code claim_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct claim_job *j = arg;
	ordo_time now = time(NULL);

	return store_delivery_claim(tx, now, now + j->lease_s, j->limit,
				    &j->items, &j->n, err);
}

static ordo_code record_run(store_tx *tx, void *arg, ordo_err *err)
{
	return store_delivery_update(tx, arg, err);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

/* POST one delivery; returns the HTTP status, or 0 with *why set. */
static long send_one(CURL *curl, const outbox_options *o, const delivery *d,
		     char *why, size_t why_size)
{
	struct curl_slist *h = NULL;
	char line[STORE_URL_MAX], sig[SIGNATURE_HEADER_MAX];
	size_t len = strlen(d->payload);
	long status = 0;
	CURLcode rc;

	signature_make(d->secret, time(NULL), d->payload, len, sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: ordo-webhooks/1");
	snprintf(line, sizeof(line), "X-Ordo-Event-Id: %s", d->event_id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Event-Type: %s", d->event_type);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Delivery-Id: %s", d->id);
	h = curl_slist_append(h, line);
	snprintf(line, sizeof(line), "X-Ordo-Signature: %s", sig);
	h = curl_slist_append(h, line);

	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, d->url);
	curl_easy_setopt(curl, CURLOPT_POST, 1L);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, d->payload);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)len);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
			 (long)(o->timeout_ms < 5000 ? o->timeout_ms : 5000));
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	else
		snprintf(why, why_size, "%s", curl_easy_strerror(rc));
	curl_slist_free_all(h);
	return status;
}

static void outcome(delivery *d, long status, const char *why,
		    ordo_time now)
{
	d->attempts++;
	d->last_status = (int)status;
	d->claimed_until = 0;
	if (status >= 200 && status < 300) {
		d->status = DELIVERY_DELIVERED;
		d->delivered_at = now;
		d->last_error[0] = '\0';
		return;
	}
	if (status)
		snprintf(d->last_error, sizeof(d->last_error),
			 "the receiver answered %ld", status);
	else
		snprintf(d->last_error, sizeof(d->last_error), "%s", why);
	d->next_attempt_at = now + outbox_backoff_s(d->attempts);
	if (d->next_attempt_at > d->retry_until)
		d->status = DELIVERY_FAILED;
}

static bool stopping(outbox_worker *w)
{
	bool stop;

	pthread_mutex_lock(&w->mu);
	stop = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

/* Wait up to ms, or until stopping; returns true when stopping. */
static bool nap(outbox_worker *w, int ms)
{
	struct timespec until;
	bool stop;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&w->mu);
	if (!w->stopping)
		pthread_cond_timedwait(&w->cv, &w->mu, &until);
	stop = w->stopping;
	pthread_mutex_unlock(&w->mu);
	return stop;
}

static void *worker_main(void *arg)
{
	outbox_worker *w = arg;
	CURL *curl = curl_easy_init();
	ordo_err *err = malloc(sizeof(*err));

	while (curl && err) {
		struct claim_job j = {.limit = w->opts.batch,
				      .lease_s = w->opts.lease_s};
		size_t i;

		ordo_err_clear(err);
		if (store_write(w->st, claim_run, &j, err) != ORDO_OK ||
		    j.n == 0) {
			free(j.items);
			if (nap(w, w->opts.poll_ms))
				break;
			continue;
		}
		for (i = 0; i < j.n; i++) {
			char why[ORDO_MESSAGE_MAX] = "";
			long status;

			/* Stopping: what is left of the batch is sent after
			 * its lease runs out, by whoever claims it. */
			if (stopping(w)) {
				store_delivery_free(&j.items[i]);
				continue;
			}
			status = send_one(curl, &w->opts, &j.items[i], why,
					  sizeof(why));
			outcome(&j.items[i], status, why, time(NULL));
			ordo_err_clear(err);
			/* If this fails the lease runs out and the delivery
			 * is sent again: at least once. */
			store_write(w->st, record_run, &j.items[i], err);
			store_delivery_free(&j.items[i]);
		}
		free(j.items);
	}
	curl_easy_cleanup(curl);
	free(err);
	return NULL;
}

ordo_code outbox_worker_start(store *st, const outbox_options *opts,
			      outbox_worker **out, ordo_err *err)
{
	outbox_worker *w = calloc(1, sizeof(*w));
	int i;

	if (!w)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	if (opts->threads < 1 || opts->threads > OUTBOX_MAX_THREADS ||
	    opts->batch < 1 || opts->poll_ms < 1 || opts->timeout_ms < 1) {
		free(w);
		return ordo_err_set(err, ORDO_EINVALID, "outbox",
				    "outbox options out of range (1..%d "
				    "threads)",
				    OUTBOX_MAX_THREADS);
	}
	w->st = st;
	w->opts = *opts;
	/* A claim must outlast sending its whole batch, each delivery up to
	 * the timeout, or another thread (or node) would claim and send the
	 * same deliveries while this one still works through them. */
	if ((int64_t)w->opts.lease_s * 1000 <
	    (int64_t)w->opts.batch * w->opts.timeout_ms + 30000)
		w->opts.lease_s = (int)(((int64_t)w->opts.batch *
						 w->opts.timeout_ms +
					 30000) /
					1000);
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	for (i = 0; i < opts->threads; i++) {
		if (pthread_create(&w->threads[i], NULL, worker_main, w) != 0)
			break;
		w->n_threads++;
	}
	if (w->n_threads == 0) {
		outbox_worker_stop(w);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot start the webhook threads");
	}
	*out = w;
	return ORDO_OK;
}

void outbox_worker_stop(outbox_worker *w)
{
	int i;

	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	for (i = 0; i < w->n_threads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}
