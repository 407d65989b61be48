/*
 * meta.c - the endpoints about the server itself: /healthz, the OpenAPI
 * document (compiled into the binary from docs/openapi.json), and
 * /metrics with the series it counts of the requests.
 *
 * /METRICS
 *
 * Prometheus text (format 0.0.4) of figures of three origins:
 *
 *   counted here, in memory, as each request is answered
 *   (api_metrics_note, from server.c's request_completed):
 *       ordo_http_requests_total{route, method, code, tenant}
 *       ordo_http_request_duration_seconds{route, method, tenant}
 *       ordo_intake_orders_total{tenant, channel}
 *   counted by the store and the outbox as they work, also in memory:
 *       ordo_store_* (store_commit_stats), with the histograms of the
 *       committed batches' writes and COMMIT times
 *       ordo_webhook_delivery_failures_total{tenant, webhook}
 *       ordo_holds_raised_total{tenant, type},
 *       ordo_holds_resolved_total{tenant, type}   as committed (taken from
 *                                                  each batch's rollups)
 *       (outbox_failures_get)
 *   read from the database when scraped (store_scrape_read), as gauges
 *   of what stands, the same on every node:
 *       ordo_review_queue_depth{tenant}, ordo_review_queue_overdue{tenant},
 *       ordo_holds_open{tenant, type}, ordo_holds_overdue{tenant, type},
 *       ordo_webhook_deliveries_pending{tenant, webhook},
 *       ordo_webhook_paused{tenant, webhook}
 *
 * What is counted in memory is the node's since it started, as its log
 * is; Prometheus adds the nodes up. `route` is the route table's pattern
 * (routes.c), as the request's log line names it, and "unmatched" for a
 * request no route took (404, 405, and the edge's refusals), whose method
 * is then one of a fixed few or "other"; `code` is the status class
 * ("2xx" .. "5xx"); `tenant` the slug of the tenant the request was
 * authenticated to, or "" (which Prometheus takes as no label) for one
 * that was not.
 *
 * BOUNDED. Every label takes a bounded number of values: routes are a
 * table, status classes five, hold types an enum. Tenants are bounded by
 * api_int.h's API_METRICS_TENANTS and the store's STORE_HOLD_COUNT_TENANTS,
 * channels by STORE_INTAKE_CHANNELS, the rest counted under "_other" (a
 * name no slug and no channel can have); webhooks by
 * OUTBOX_FAILURES_TRACKED and by a tenant's own limits. A series appears
 * once it has something to count.
 *
 * COUNTING WITHOUT A LOCK. Requests are counted on every worker thread at
 * once, by relaxed atomic adds. A tenant's row is made
 * once, under mu, and published by its count (a release store, which a
 * reader loads first, acquiring): once seen, its name never changes. A
 * histogram's count is not kept apart: it is the sum of its buckets as
 * read, so that its +Inf bucket and its _count agree even while requests
 * are counted during a scrape.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "api/routes.h"
#include "core/strbuf.h"
#include "embedded.h"
#include "log/log.h"
#include "outbox/worker.h"

extern const struct ordo_embedded docs_files[];
extern const size_t docs_files_count;

/* None of these endpoints reads a query parameter: any is refused. */
static const char *const no_query[] = {NULL};

enum MHD_Result api_health(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	/* Healthy means the database answers a read. */
	if (app_health(r->srv->st, err) != ORDO_OK) {
		err->code = ORDO_EUNAVAILABLE;
		ret = api_reply_error(r, err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK,
				     json_pack("{s:s}", "status", "ok"));
	}
	ordo_err_clear(err);
	return ret;
}

enum MHD_Result api_openapi(api_request *r)
{
	enum MHD_Result ret;
	size_t i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	for (i = 0; i < docs_files_count; i++)
		if (strcmp(docs_files[i].name, "openapi.json") == 0)
			return api_queue_static(r, MHD_HTTP_OK,
						docs_files[i].data,
						docs_files[i].len,
						"application/json");
	return api_reply_fail(r, ORDO_ENOTFOUND, NULL,
			      "the OpenAPI document is not built in");
}

/* ---- the requests' series ------------------------------------------------ */

/* A request's time, bounds in microseconds (inclusive): a millisecond (a
 * read from the cache) to ten seconds (a write that waited for a lock, a
 * large import). */
#define LATENCY_US_BOUNDS                                                      \
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,         \
		1000000, 2500000, 5000000, 10000000
#define LATENCY_BUCKETS 13

static const uint64_t latency_bounds[] = {LATENCY_US_BOUNDS};
_Static_assert(sizeof(latency_bounds) / sizeof(latency_bounds[0]) ==
		       LATENCY_BUCKETS,
	       "LATENCY_BUCKETS counts LATENCY_US_BOUNDS");

/* The methods a request no route took is counted under: what a caller
 * sends there is any text, so anything else is "other" (the last). */
static const char *const unmatched_methods[] = {
	"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other",
};
#define N_UNMATCHED (sizeof(unmatched_methods) / sizeof(unmatched_methods[0]))

/* The status classes, 1xx .. 5xx. */
#define N_CLASSES 5

/* The requests of one route (and method) of one tenant. */
struct http_cell {
	atomic_uint_least64_t by_class[N_CLASSES];
	/* Not cumulative: bucket i above bound i - 1 and at most bound i,
	 * the last above every bound. */
	atomic_uint_least64_t buckets[LATENCY_BUCKETS + 1];
	atomic_uint_least64_t sum_us;
};

/* One tenant's series ("": requests of no tenant; "_other": of tenants
 * past API_METRICS_TENANTS). */
struct tenant_row {
	char slug[ORDO_SLUG_MAX];
	/* api_n_routes cells, one per route, then N_UNMATCHED. */
	struct http_cell cells[];
};

struct api_metrics {
	pthread_mutex_t mu; /* making a row */
	size_t n_cells;
	struct tenant_row *none, *other;
	/* Published by n_rows (COUNTING WITHOUT A LOCK). */
	struct tenant_row *rows[API_METRICS_TENANTS];
	atomic_uint n_rows;
};

static struct tenant_row *row_new(const struct api_metrics *m,
				  const char *slug)
{
	struct tenant_row *t = calloc(
		1, sizeof(*t) + m->n_cells * sizeof(struct http_cell));

	if (t)
		ordo_strlcpy(t->slug, slug, sizeof(t->slug));
	return t;
}

struct api_metrics *api_metrics_new(void)
{
	struct api_metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->n_cells = api_n_routes + N_UNMATCHED;
	if (pthread_mutex_init(&m->mu, NULL) != 0) {
		free(m);
		return NULL;
	}
	m->none = row_new(m, "");
	m->other = row_new(m, "_other");
	if (!m->none || !m->other) {
		api_metrics_free(m);
		return NULL;
	}
	return m;
}

void api_metrics_free(struct api_metrics *m)
{
	unsigned i;

	if (!m)
		return;
	for (i = 0; i < atomic_load(&m->n_rows); i++)
		free(m->rows[i]);
	free(m->none);
	free(m->other);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

/* The row of a tenant seen before, by its slug, or NULL. */
static struct tenant_row *row_find(struct api_metrics *m, const char *slug)
{
	unsigned n = atomic_load_explicit(&m->n_rows, memory_order_acquire);
	unsigned i;

	for (i = 0; i < n; i++)
		if (strcmp(m->rows[i]->slug, slug) == 0)
			return m->rows[i];
	return NULL;
}

/* The row a request of the tenant slug counts in: its own, made the
 * first time while there is room (and memory), else "_other". */
static struct tenant_row *row_of(struct api_metrics *m, const char *slug)
{
	struct tenant_row *t;
	unsigned n;

	if (!slug[0])
		return m->none;
	t = row_find(m, slug);
	if (t)
		return t;
	pthread_mutex_lock(&m->mu);
	t = row_find(m, slug); /* made meanwhile by another thread */
	n = atomic_load_explicit(&m->n_rows, memory_order_relaxed);
	if (!t && n < API_METRICS_TENANTS) {
		t = row_new(m, slug);
		if (t) {
			m->rows[n] = t;
			atomic_store_explicit(&m->n_rows, n + 1,
					      memory_order_release);
		}
	}
	pthread_mutex_unlock(&m->mu);
	return t ? t : m->other;
}

/* The cell of the request's route, or of its method when it had none. */
static size_t cell_of(const api_request *r)
{
	size_t i;

	if (r->route_no > 0 && r->route_no <= api_n_routes)
		return r->route_no - 1;
	for (i = 0; i + 1 < N_UNMATCHED; i++)
		if (r->method && strcmp(r->method, unmatched_methods[i]) == 0)
			break;
	return api_n_routes + i;
}

void api_metrics_note(api_request *r)
{
	struct api_metrics *m = r->srv->metrics;
	struct tenant_row *t = row_of(m, r->caller.tenant_slug);
	struct http_cell *c = &t->cells[cell_of(r)];
	long long us = api_now_us() - r->started_us;
	int cls = r->status / 100 - 1;
	size_t b = 0;

	if (us < 0)
		us = 0;
	if (cls < 0)
		cls = 0;
	if (cls >= N_CLASSES)
		cls = N_CLASSES - 1;
	while (b < LATENCY_BUCKETS && (uint64_t)us > latency_bounds[b])
		b++;
	atomic_fetch_add_explicit(&c->by_class[cls], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->buckets[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&c->sum_us, (uint64_t)us,
				  memory_order_relaxed);
}

/* ---- writing the exposition ---------------------------------------------- */

/* Append printf's text to b (marking it failed when out of memory). */
static void put(strbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(strbuf *b, const char *fmt, ...)
{
	char line[512], *big;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->failed = true;
		return;
	}
	if ((size_t)n < sizeof(line)) {
		strbuf_put(b, line, (size_t)n);
		return;
	}
	big = malloc((size_t)n + 1);
	if (!big) {
		b->failed = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	strbuf_put(b, big, (size_t)n);
	free(big);
}

/* A family's HELP and TYPE lines, which come before its samples. */
static void family(strbuf *b, const char *name, const char *type,
		   const char *help)
{
	put(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label's value as the text format writes it: backslash, double quote
 * and line feed escaped. out holds twice the value, and its NUL. */
static const char *escaped(char *out, size_t size, const char *v)
{
	size_t n = 0;

	for (; *v && n + 3 <= size; v++) {
		if (*v == '\\' || *v == '"' || *v == '\n') {
			out[n++] = '\\';
			out[n++] = *v == '\n' ? 'n' : *v;
		} else {
			out[n++] = *v;
		}
	}
	out[n] = '\0';
	return out;
}

/*
 * One histogram's samples: counts (n + 1 buckets, not cumulative, the
 * last above every bound) made cumulative against bounds (printed divided
 * by scale), then its sum (already written as text) and its count, the
 * +Inf bucket's. labels: `k="v",...` or "".
 */
static void histogram(strbuf *b, const char *name, const char *labels,
		      const uint64_t *bounds, size_t n, const uint64_t *counts,
		      double scale, const char *sum)
{
	const char *sep = labels[0] ? "," : "";
	uint64_t total = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		total += counts[i];
		put(b, "%s_bucket{%s%sle=\"%g\"} %" PRIu64 "\n", name, labels,
		    sep, (double)bounds[i] / scale, total);
	}
	total += counts[n];
	put(b, "%s_bucket{%s%sle=\"+Inf\"} %" PRIu64 "\n", name, labels, sep,
	    total);
	if (labels[0]) {
		put(b, "%s_sum{%s} %s\n", name, labels, sum);
		put(b, "%s_count{%s} %" PRIu64 "\n", name, labels, total);
	} else {
		put(b, "%s_sum %s\n", name, sum);
		put(b, "%s_count %" PRIu64 "\n", name, total);
	}
}

/* The rows of tenants to write, none and other among them: *n of them. */
static size_t rows_all(struct api_metrics *m,
		       struct tenant_row *out[API_METRICS_TENANTS + 2])
{
	unsigned n = atomic_load_explicit(&m->n_rows, memory_order_acquire);
	size_t k = 0;
	unsigned i;

	out[k++] = m->none;
	for (i = 0; i < n; i++)
		out[k++] = m->rows[i];
	out[k++] = m->other;
	return k;
}

/* The labels route="...",method="..." of cell i. */
static void cell_labels(size_t i, char *out, size_t size)
{
	if (i < api_n_routes)
		snprintf(out, size, "route=\"%s\",method=\"%s\"",
			 api_routes[i].pattern, api_routes[i].method);
	else
		snprintf(out, size, "route=\"unmatched\",method=\"%s\"",
			 unmatched_methods[i - api_n_routes]);
}

static void write_requests(strbuf *b, struct api_metrics *m)
{
	struct tenant_row *rows[API_METRICS_TENANTS + 2];
	size_t n_rows = rows_all(m, rows), k, i, j;
	char cell[160], slug[2 * ORDO_SLUG_MAX], labels[400];

	family(b, "ordo_http_requests_total", "counter",
	       "Requests answered, by route (its pattern; \"unmatched\" for "
	       "none), method, status class and the tenant they were "
	       "authenticated to (\"\" for none).");
	for (k = 0; k < n_rows; k++) {
		escaped(slug, sizeof(slug), rows[k]->slug);
		for (i = 0; i < m->n_cells; i++) {
			struct http_cell *c = &rows[k]->cells[i];

			cell_labels(i, cell, sizeof(cell));
			for (j = 0; j < N_CLASSES; j++) {
				uint64_t v = atomic_load_explicit(
					&c->by_class[j], memory_order_relaxed);

				if (v)
					put(b,
					    "ordo_http_requests_total{%s,"
					    "code=\"%zuxx\",tenant=\"%s\"} "
					    "%" PRIu64 "\n",
					    cell, j + 1, slug, v);
			}
		}
	}
	family(b, "ordo_http_request_duration_seconds", "histogram",
	       "Time from a request's headers to its answer's end, by "
	       "route, method and tenant.");
	for (k = 0; k < n_rows; k++) {
		escaped(slug, sizeof(slug), rows[k]->slug);
		for (i = 0; i < m->n_cells; i++) {
			struct http_cell *c = &rows[k]->cells[i];
			uint64_t counts[LATENCY_BUCKETS + 1], total = 0;
			char sum[32];

			for (j = 0; j <= LATENCY_BUCKETS; j++) {
				counts[j] = atomic_load_explicit(
					&c->buckets[j], memory_order_relaxed);
				total += counts[j];
			}
			if (!total)
				continue;
			snprintf(sum, sizeof(sum), "%.6f",
				 (double)atomic_load_explicit(
					 &c->sum_us, memory_order_relaxed) /
					 1e6);
			cell_labels(i, cell, sizeof(cell));
			snprintf(labels, sizeof(labels), "%s,tenant=\"%s\"",
				 cell, slug);
			histogram(b, "ordo_http_request_duration_seconds",
				  labels, latency_bounds, LATENCY_BUCKETS,
				  counts, 1e6, sum);
		}
	}
}

/* The slug of tenant id among those read, or "_other". */
static const char *slug_of(const store_scrape *sc, int64_t id)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		if (sc->tenants[i].id == id)
			return sc->tenants[i].slug;
	return "_other";
}

/* Orders taken in by tenant and channel, as committed on this node
 * (store_intake_counts_get): every way in counts, imports too; tenants
 * beyond those the scrape names add up under "_other". */
static void write_intake(strbuf *b, store *st, const store_scrape *sc)
{
	store_intake_counts *c = malloc((STORE_HOLD_COUNT_TENANTS + 1) *
					sizeof(*c));
	char slug[2 * ORDO_SLUG_MAX], name[2 * ORDO_CHANNEL_MAX];
	size_t n = 0, i, k, j;

	family(b, "ordo_intake_orders_total", "counter",
	       "New orders taken in, by tenant and the order's channel, as "
	       "committed on this node (API, store webhooks, CSV imports, "
	       "X12 interchanges).");
	if (!c) {
		b->failed = true;
		return;
	}
	store_intake_counts_get(st, c, &n);
	/* Rows whose tenants share a label are added into the first. */
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++) {
			if (c[k].tenant_id == -1 ||
			    strcmp(slug_of(sc, c[i].tenant_id),
				   slug_of(sc, c[k].tenant_id)) != 0)
				continue;
			for (j = 0; j < c[i].n; j++) {
				size_t m;

				for (m = 0; m < c[k].n; m++)
					if (strcmp(c[k].channel[m],
						   c[i].channel[j]) == 0)
						break;
				if (m < c[k].n)
					c[k].orders[m] += c[i].orders[j];
				else
					c[k].other += c[i].orders[j];
			}
			c[k].other += c[i].other;
			c[i].tenant_id = -1;
			break;
		}
	for (i = 0; i < n; i++) {
		if (c[i].tenant_id == -1)
			continue;
		escaped(slug, sizeof(slug), slug_of(sc, c[i].tenant_id));
		for (j = 0; j < c[i].n; j++)
			put(b,
			    "ordo_intake_orders_total{tenant=\"%s\","
			    "channel=\"%s\"} %" PRId64 "\n",
			    slug, escaped(name, sizeof(name), c[i].channel[j]),
			    c[i].orders[j]);
		if (c[i].other)
			put(b,
			    "ordo_intake_orders_total{tenant=\"%s\","
			    "channel=\"_other\"} %" PRId64 "\n",
			    slug, c[i].other);
	}
	free(c);
}

/* ---- what the store and the outbox count --------------------------------- */

/* The committer's counters, as /metrics has always written them. */
static void write_store(strbuf *b, api_request *r, const store_commit_stats *cs)
{
	put(b,
	    "# HELP ordo_store_write_jobs_total Writes run by the "
	    "committer.\n"
	    "# TYPE ordo_store_write_jobs_total counter\n"
	    "ordo_store_write_jobs_total %llu\n"
	    "# HELP ordo_store_commits_total Transactions committed (one "
	    "fsync each).\n"
	    "# TYPE ordo_store_commits_total counter\n"
	    "ordo_store_commits_total %llu\n"
	    "# HELP ordo_store_write_statements_total Statements run by "
	    "the committer's writes.\n"
	    "# TYPE ordo_store_write_statements_total counter\n"
	    "ordo_store_write_statements_total %llu\n",
	    (unsigned long long)cs->jobs, (unsigned long long)cs->commits,
	    (unsigned long long)cs->write_statements);
	put(b,
	    "# HELP ordo_store_write_round_trips_total Waits of the "
	    "committers for the database's answers (0 on SQLite).\n"
	    "# TYPE ordo_store_write_round_trips_total counter\n"
	    "ordo_store_write_round_trips_total %llu\n"
	    "# HELP ordo_store_write_retries_total Writes run again after "
	    "losing a deadlock or a lock wait to another transaction.\n"
	    "# TYPE ordo_store_write_retries_total counter\n"
	    "ordo_store_write_retries_total %llu\n",
	    (unsigned long long)cs->write_round_trips,
	    (unsigned long long)cs->retries);
	put(b,
	    "# HELP ordo_store_stock_reruns_total Batches run again with "
	    "their stock locked from their start: stock taken or added "
	    "by another transaction meanwhile, or set to a count.\n"
	    "# TYPE ordo_store_stock_reruns_total counter\n"
	    "ordo_store_stock_reruns_total %llu\n"
	    "# HELP ordo_store_batch_reruns_total Batches run again, "
	    "each write waiting at its end, after a write's deferred "
	    "statement failed unseen.\n"
	    "# TYPE ordo_store_batch_reruns_total counter\n"
	    "ordo_store_batch_reruns_total %llu\n",
	    (unsigned long long)cs->stock_reruns,
	    (unsigned long long)cs->batch_reruns);
	put(b,
	    "# HELP ordo_store_commit_batch_max Most writes committed "
	    "together.\n"
	    "# TYPE ordo_store_commit_batch_max gauge\n"
	    "ordo_store_commit_batch_max %llu\n"
	    "# HELP ordo_http_writes_in_flight Writes waiting for their "
	    "commit.\n"
	    "# TYPE ordo_http_writes_in_flight gauge\n"
	    "ordo_http_writes_in_flight %d\n"
	    "# HELP ordo_http_writes_queued Writes taken in and not yet "
	    "answered (refused with 503 past --max-queued-writes).\n"
	    "# TYPE ordo_http_writes_queued gauge\n"
	    "ordo_http_writes_queued %d\n",
	    (unsigned long long)cs->max_batch,
	    atomic_load(&r->srv->writes_in_flight),
	    atomic_load(&r->srv->writes_queued));
	put(b,
	    "# HELP ordo_webhook_claims_total Claims of webhook work by "
	    "the outbox.\n"
	    "# TYPE ordo_webhook_claims_total counter\n"
	    "ordo_webhook_claims_total %llu\n"
	    "# HELP ordo_webhook_claim_rows_read Work of the last claim "
	    "(rows read; SQLite: VM steps).\n"
	    "# TYPE ordo_webhook_claim_rows_read gauge\n"
	    "ordo_webhook_claim_rows_read %lld\n"
	    "# HELP ordo_webhook_claim_rows_read_max Work of the costliest "
	    "claim so far.\n"
	    "# TYPE ordo_webhook_claim_rows_read_max gauge\n"
	    "ordo_webhook_claim_rows_read_max %lld\n"
	    "# HELP ordo_store_checkpoints_total Checkpoints run beside "
	    "the committer (SQLite's WAL copied back).\n"
	    "# TYPE ordo_store_checkpoints_total counter\n"
	    "ordo_store_checkpoints_total %llu\n",
	    (unsigned long long)cs->outbox_claims,
	    (long long)cs->outbox_claim_rows_last,
	    (long long)cs->outbox_claim_rows_max,
	    (unsigned long long)cs->checkpoints);
}

/* The histograms of the committed batches (store.h's bounds). */
static void write_commits(strbuf *b, const store_commit_stats *cs)
{
	static const uint64_t batch_bounds[] = {STORE_BATCH_BOUNDS};
	static const uint64_t commit_bounds[] = {STORE_COMMIT_US_BOUNDS};
	char sum[32];

	family(b, "ordo_store_commit_batch_writes", "histogram",
	       "Writes per committed batch (group commit: one fsync each).");
	snprintf(sum, sizeof(sum), "%llu",
		 (unsigned long long)cs->batch_writes_sum);
	histogram(b, "ordo_store_commit_batch_writes", "", batch_bounds,
		  STORE_BATCH_BUCKETS, cs->batch_writes, 1, sum);
	family(b, "ordo_store_commit_duration_seconds", "histogram",
	       "Time of each committed batch's COMMIT: the fsync its writes "
	       "wait for.");
	snprintf(sum, sizeof(sum), "%.6f", (double)cs->commit_us_sum / 1e6);
	histogram(b, "ordo_store_commit_duration_seconds", "", commit_bounds,
		  STORE_COMMIT_BUCKETS, cs->commit_us, 1e6, sum);
}


static void write_failures(strbuf *b, const store_scrape *sc)
{
	outbox_failures *f = malloc((OUTBOX_FAILURES_TRACKED + 1) * sizeof(*f));
	char slug[2 * ORDO_SLUG_MAX], id[2 * ORDO_ID_MAX];
	size_t n, i;

	family(b, "ordo_webhook_delivery_failures_total", "counter",
	       "Webhook delivery attempts that failed (each logged as "
	       "\"webhook delivery failed\"), by tenant and webhook.");
	if (!f) {
		b->failed = true;
		return;
	}
	n = outbox_failures_get(f, OUTBOX_FAILURES_TRACKED + 1);
	for (i = 0; i < n; i++)
		put(b,
		    "ordo_webhook_delivery_failures_total{tenant=\"%s\","
		    "webhook=\"%s\"} %" PRIu64 "\n",
		    escaped(slug, sizeof(slug), slug_of(sc, f[i].tenant_id)),
		    escaped(id, sizeof(id), f[i].webhook_id), f[i].attempts);
	free(f);
}

/* Holds raised and resolved by tenant and type, as committed on this node
 * (store_hold_counts_get); tenants beyond those the scrape names add up
 * under "_other". */
static void write_hold_counts(strbuf *b, store *st, const store_scrape *sc)
{
	static const char *const names[2] = {"ordo_holds_raised_total",
					     "ordo_holds_resolved_total"};
	store_hold_counts *c = malloc((STORE_HOLD_COUNT_TENANTS + 1) *
				      sizeof(*c));
	char slug[2 * ORDO_SLUG_MAX];
	size_t n = 0, i, k, f;
	int t;

	if (!c) {
		b->failed = true;
		return;
	}
	store_hold_counts_get(st, c, &n);
	/* Rows whose tenants share a label are added into the first. */
	for (i = 0; i < n; i++)
		for (k = 0; k < i; k++) {
			if (strcmp(slug_of(sc, c[i].tenant_id),
				   slug_of(sc, c[k].tenant_id)) != 0 ||
			    c[k].tenant_id == -1)
				continue;
			for (t = 0; t < HOLD_TYPE_COUNT; t++) {
				c[k].raised[t] += c[i].raised[t];
				c[k].resolved[t] += c[i].resolved[t];
			}
			c[i].tenant_id = -1;
			break;
		}
	for (f = 0; f < 2; f++) {
		family(b, names[f], "counter",
		       f ? "Holds resolved (in review or by the system), by "
			   "tenant and hold type, as committed on this node."
			 : "Holds raised, by tenant and hold type, as "
			   "committed on this node.");
		for (i = 0; i < n; i++) {
			if (c[i].tenant_id == -1)
				continue;
			for (t = 0; t < HOLD_TYPE_COUNT; t++) {
				int64_t v = f ? c[i].resolved[t] : c[i].raised[t];

				if (v)
					put(b,
					    "%s{tenant=\"%s\",type=\"%s\"} "
					    "%" PRId64 "\n",
					    names[f],
					    escaped(slug, sizeof(slug),
						    slug_of(sc, c[i].tenant_id)),
					    hold_type_name((hold_type)t), v);
			}
		}
	}
	free(c);
}

/* ---- what the database holds now ----------------------------------------- */

static void write_backlog(strbuf *b, const store_scrape *sc, bool read)
{
	char slug[2 * ORDO_SLUG_MAX], id[2 * ORDO_ID_MAX];
	size_t i, j;

	family(b, "ordo_metrics_store_read", "gauge",
	       "1 when this scrape read the backlog from the database, 0 "
	       "when it could not (the gauges below are then missing).");
	put(b, "ordo_metrics_store_read %d\n", read ? 1 : 0);
	put(b,
	    "# HELP ordo_metrics_tenants_left_out 1 when the database has "
	    "more tenants than /metrics reads the backlog of (the first %d "
	    "by id).\n# TYPE ordo_metrics_tenants_left_out gauge\n",
	    API_METRICS_TENANTS);
	put(b, "ordo_metrics_tenants_left_out %d\n", sc->more ? 1 : 0);

	family(b, "ordo_review_queue_depth", "gauge",
	       "Open holds: the review queue's length, by tenant.");
	for (i = 0; i < sc->n; i++) {
		int64_t open = 0;

		for (j = 0; j < sc->tenants[i].n_holds; j++)
			open += sc->tenants[i].holds[j].open;
		put(b, "ordo_review_queue_depth{tenant=\"%s\"} %" PRId64 "\n",
		    escaped(slug, sizeof(slug), sc->tenants[i].slug), open);
	}
	family(b, "ordo_review_queue_overdue", "gauge",
	       "Open holds past their due time, by tenant.");
	for (i = 0; i < sc->n; i++) {
		int64_t overdue = 0;

		for (j = 0; j < sc->tenants[i].n_holds; j++)
			overdue += sc->tenants[i].holds[j].overdue;
		put(b,
		    "ordo_review_queue_overdue{tenant=\"%s\"} %" PRId64 "\n",
		    escaped(slug, sizeof(slug), sc->tenants[i].slug), overdue);
	}
	family(b, "ordo_holds_open", "gauge",
	       "Open holds by tenant and hold type (types with none left "
	       "out).");
	for (i = 0; i < sc->n; i++)
		for (j = 0; j < sc->tenants[i].n_holds; j++)
			put(b,
			    "ordo_holds_open{tenant=\"%s\",type=\"%s\"} "
			    "%" PRId64 "\n",
			    escaped(slug, sizeof(slug), sc->tenants[i].slug),
			    sc->tenants[i].holds[j].type,
			    sc->tenants[i].holds[j].open);
	family(b, "ordo_holds_overdue", "gauge",
	       "Open holds past their due time, by tenant and hold type.");
	for (i = 0; i < sc->n; i++)
		for (j = 0; j < sc->tenants[i].n_holds; j++)
			put(b,
			    "ordo_holds_overdue{tenant=\"%s\",type=\"%s\"} "
			    "%" PRId64 "\n",
			    escaped(slug, sizeof(slug), sc->tenants[i].slug),
			    sc->tenants[i].holds[j].type,
			    sc->tenants[i].holds[j].overdue);
	family(b, "ordo_webhook_deliveries_pending", "gauge",
	       "Deliveries waiting to go, by tenant and webhook.");
	for (i = 0; i < sc->n; i++)
		for (j = 0; j < sc->tenants[i].n_webhooks; j++)
			put(b,
			    "ordo_webhook_deliveries_pending{tenant=\"%s\","
			    "webhook=\"%s\"} %" PRId64 "\n",
			    escaped(slug, sizeof(slug), sc->tenants[i].slug),
			    escaped(id, sizeof(id),
				    sc->tenants[i].webhooks[j].id),
			    sc->tenants[i].webhooks[j].pending);
	family(b, "ordo_webhook_paused", "gauge",
	       "1 for a webhook paused after failing too long (resume it), "
	       "by tenant and webhook.");
	for (i = 0; i < sc->n; i++)
		for (j = 0; j < sc->tenants[i].n_webhooks; j++)
			put(b,
			    "ordo_webhook_paused{tenant=\"%s\",webhook=\"%s\"} "
			    "%d\n",
			    escaped(slug, sizeof(slug), sc->tenants[i].slug),
			    escaped(id, sizeof(id),
				    sc->tenants[i].webhooks[j].id),
			    sc->tenants[i].webhooks[j].paused ? 1 : 0);
}

/*
 * Prometheus text metrics of the node (see /METRICS above). It needs no
 * key, and names tenants, channels and webhooks: expose it only to your
 * monitoring (docs/operations.md).
 */
enum MHD_Result api_metrics(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_commit_stats cs;
	store_scrape sc;
	enum MHD_Result ret;
	strbuf b;
	bool read;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	store_commit_stats_get(r->srv->st, &cs);
	/* The database away, the rest is still worth a scrape. */
	read = store_scrape_read(r->srv->st, api_now(r), API_METRICS_TENANTS,
				 &sc, err) == ORDO_OK;
	if (!read) {
		log_event("warn", "metrics: the backlog could not be read",
			  json_pack("{s:o}", "error", log_text(err->message)));
		store_scrape_free(&sc);
	}
	ordo_err_clear(err);
	strbuf_init(&b);
	write_store(&b, r, &cs);
	write_commits(&b, &cs);
	write_requests(&b, r->srv->metrics);
	write_intake(&b, r->srv->st, &sc);
	write_failures(&b, &sc);
	write_hold_counts(&b, r->srv->st, &sc);
	write_backlog(&b, &sc, read);
	store_scrape_free(&sc);
	if (b.failed || !b.text) {
		strbuf_free(&b);
		return api_reply_nomem(r);
	}
	/* The text is handed over (api_queue_typed frees it). */
	return api_queue_typed(r, MHD_HTTP_OK, b.text,
			       "text/plain; version=0.0.4", NULL);
}
