/*
 * seed.c - orders for the scale benchmark, written by ordo's own code.
 *
 *   bench_seed DB KEY FROM TO [THREADS]
 *
 * Takes in orders FROM..TO-1 (so that a database can be grown: 0 10000,
 * then 10000 1000000) for the tenant of the API key KEY, through the same
 * intake command POST /v1/orders submits (app/intake.h): each order is a
 * native order document, decoded on a seeding thread, and its command is
 * handed to the store's committer, which gathers the commands of every
 * thread into group commits. The rows are therefore the ones ordo really
 * writes - order, lines, events, outbox events, reservations,
 * fulfillments and holds - and the holds are ordo's own judgement.
 *
 * With FROM = 0 the tenant's catalog is set up first: CATALOG_SKUS SKUs and
 * three warehouses serving the US, with stock for every SKU that outlasts
 * any run. Order i is then, by i alone (so that every run writes the same
 * orders):
 *
 *   - from one of five channels, with external id "<channel>-<i>";
 *   - for one of about 400,000 customers (names, emails, phones, postal
 *     codes), of 1 to 3 lines over the catalog, the first SKUs the most
 *     common;
 *   - received SPACING_S seconds after order i-1 (a million orders span
 *     about three weeks), so that time windows select real slices;
 *   - about one in ten on hold: an unknown SKU (3%), an implausible postal
 *     code (2%), the content of an order taken in 1,000 orders earlier
 *     under a new external id (a duplicate suspect, 2%), or a total over
 *     the review policy's high-value rule (3%);
 *   - of the clean ones, three in ten shipped with a carrier and tracking
 *     number (shipment commands, after the batch's intake), and one in ten
 *     delivered as well.
 *
 * Last, the delivered orders past the tenant's closing period are closed
 * by the server's own closing use case (app_close_due), as `ordo serve`
 * would on starting: a history is mostly closed orders, and a server that
 * closed them while it was being measured would measure its writes.
 *
 * It prints the orders taken in per second. Any failed command stops it:
 * a benchmark over half-seeded data measures nothing.
 *
 * SIGINT or SIGTERM stops it early and cleanly, so that a database of many
 * hours can be grown over several runs: no thread takes another batch, the
 * batches already taken are finished, the closing step runs, and it prints
 * "seeded orders FROM..N-1: ..., stopped" and exits with status 3. Orders
 * FROM..N-1 are then all in, and a run with FROM = N goes on from there.
 */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/catalog.h"
#include "app/fulfillment.h"
#include "app/intake.h"
#include "app/stock.h"
#include "app/tenants.h"
#include "channels/native.h"

#define CATALOG_SKUS 1000
#define CUSTOMERS 400009
/* Orders each thread has in flight at once: enough for the committer to
 * gather large batches from a few threads. */
#define BATCH 256
#define SPACING_S 2
/* 2026-01-01T00:00:00Z, when order 0 is received. */
#define T0 ((ordo_time)1767225600)

static store *st;
static app_caller caller;
static long long from, to;
static atomic_llong next_batch;
static atomic_bool stopping;

static const char *const channels[] = {"web", "marketplace", "edi", "phone",
				       "csv"};
static const char *const first_names[] = {
	"Maria", "James", "Aisha", "Tom",   "Grace", "Luis",  "Noah",
	"Chloe", "Omar",  "Ines",  "Kim",   "Sam",   "Dana",  "Yuki",
	"Ravi",  "Elena", "Jonas", "Fatima", "Pedro", "Lena", "Ahmed",
	"Sofia", "Liam",  "Mei",   "Oscar", "Zara",  "Ivan",  "Nora",
	"Kofi",  "Hana",
};
static const char *const last_names[] = {
	"Lopez",  "Chen",   "Patel",  "Becker", "ONeil",  "Romero", "Fischer",
	"Martin", "Haddad", "Costa",  "Park",   "Reed",   "White",  "Tanaka",
	"Singh",  "Ivanova", "Berg",  "Khan",   "Silva",  "Novak",  "Hassan",
	"Rossi",  "Murphy", "Wang",   "Nilsen", "Ali",    "Petrov", "Dubois",
	"Mensah", "Kim",    "Garcia", "Smith",  "Brown",  "Jones",  "Miller",
	"Davis",  "Wilson", "Moore",  "Taylor", "Clark",
};
static const struct {
	const char *city, *region;
} cities[] = {
	{"New York", "NY"},   {"San Francisco", "CA"}, {"Chicago", "IL"},
	{"Seattle", "WA"},    {"Boston", "MA"},	       {"Austin", "TX"},
	{"Denver", "CO"},     {"Atlanta", "GA"},       {"Portland", "OR"},
	{"Miami", "FL"},      {"Phoenix", "AZ"},       {"Detroit", "MI"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A well-mixed number of i, so that neighbouring orders differ. */
static unsigned long long mix(unsigned long long x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb93fe53a87ceULL;
	x ^= x >> 33;
	return x;
}

/* The catalog price of SKU k, in cents: 5.00 to 204.00. */
static long long sku_cents(int k)
{
	return 500 + (long long)(k % 200) * 100;
}

/* A SKU for line l of order i: the first 50 SKUs take half the lines. */
static int pick_sku(long long i, int l)
{
	unsigned long long r = mix((unsigned long long)i * 4 + (unsigned)l);

	return r % 2 ? (int)((r >> 8) % 50) : (int)((r >> 8) % CATALOG_SKUS);
}

enum kind { CLEAN, UNKNOWN_SKU, BAD_ZIP, DUPLICATE, HIGH_VALUE };

static enum kind kind_of(long long i)
{
	int r = (int)(mix((unsigned long long)i ^ 0x5eedULL) % 100);

	if (r < 3)
		return UNKNOWN_SKU;
	if (r < 5)
		return BAD_ZIP;
	if (r < 7 && i >= 1000)
		return DUPLICATE;
	if (r < 10)
		return HIGH_VALUE;
	return CLEAN;
}

/* The native order document of order i, with the content of order
 * content (i itself, or an earlier order for a duplicate suspect). */
static int order_text(long long i, long long content, enum kind k, char *buf,
		      size_t size)
{
	unsigned long long cu = mix((unsigned long long)content) % CUSTOMERS;
	const char *first = first_names[cu % COUNT(first_names)];
	const char *last = last_names[(cu / COUNT(first_names)) %
				      COUNT(last_names)];
	int city = (int)(cu % COUNT(cities));
	int n_lines = 1 + (int)(mix((unsigned long long)content + 7) % 3);
	char lines[600], zip[16], sku[32];
	long long subtotal = 0, total;
	size_t len = 0;
	int l;

	lines[0] = '\0';
	for (l = 0; l < n_lines; l++) {
		int s = pick_sku(content, l);
		long long qty = 1 + (long long)(mix((unsigned long long)content *
							    3 + (unsigned)l) %
						    3);
		long long cents = sku_cents(s);

		snprintf(sku, sizeof(sku), "SKU-%04d", s);
		if (k == UNKNOWN_SKU && l == 0)
			snprintf(sku, sizeof(sku), "GONE-%04d", s);
		if (k == HIGH_VALUE && l == 0) {
			/* Ten of the dearer half: over 1,000.00. */
			s = 100 + s % 100;
			snprintf(sku, sizeof(sku), "SKU-%04d", s);
			cents = sku_cents(s);
			qty = 10;
		}
		subtotal += cents * qty;
		len += (size_t)snprintf(
			lines + len, sizeof(lines) - len,
			"%s{\"sku\":\"%s\",\"quantity\":%lld,"
			"\"unit_price\":\"%lld.%02lld\"}",
			l ? "," : "", sku, qty, cents / 100, cents % 100);
	}
	if (k == BAD_ZIP)
		snprintf(zip, sizeof(zip), "%04llu", cu % 10000);
	else
		snprintf(zip, sizeof(zip), "%05llu", 10000 + cu % 89999);
	total = subtotal + 595;
	return snprintf(
		buf, size,
		"{\"external_id\":\"%s-%08lld\",\"channel\":\"%s\","
		"\"placed_at\":\"2025-12-31T23:00:00Z\",\"currency\":\"USD\","
		"\"payment_status\":\"paid\","
		"\"customer\":{\"name\":\"%s %s\",\"email\":\"%s.%s.%llu@"
		"example.com\",\"phone\":\"+1 %03llu 555 %04llu\"},"
		"\"ship_to\":{\"name\":\"%s %s\",\"line1\":\"%llu Main St\","
		"\"city\":\"%s\",\"region\":\"%s\",\"postal_code\":\"%s\","
		"\"country\":\"US\"},"
		"\"lines\":[%s],"
		"\"shipping\":{\"method\":\"standard\",\"amount\":\"5.95\"},"
		"\"totals\":{\"subtotal\":\"%lld.%02lld\",\"shipping\":"
		"\"5.95\",\"total\":\"%lld.%02lld\"}}",
		channels[i % (long long)COUNT(channels)], i,
		channels[i % (long long)COUNT(channels)], first, last, first,
		last, cu, 200 + cu % 700, cu % 10000, first, last,
		1 + cu % 9999, cities[city].city, cities[city].region, zip,
		lines, subtotal / 100, subtotal % 100, total / 100,
		total % 100);
}

/* ---- waiting for a batch of commands --------------------------------------- */

struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int pending;
};

static void command_done(app_write *w)
{
	struct waiter *wt = w->done_arg;

	pthread_mutex_lock(&wt->mu);
	if (--wt->pending == 0)
		pthread_cond_signal(&wt->cv);
	pthread_mutex_unlock(&wt->mu);
}

/* Submit the n commands ws and wait for all of them; exit on a failure. */
static void run_all(struct waiter *wt, app_write **ws, int n)
{
	int j;

	wt->pending = n;
	for (j = 0; j < n; j++) {
		ws[j]->done = command_done;
		ws[j]->done_arg = wt;
		app_write_submit(st, ws[j]);
	}
	pthread_mutex_lock(&wt->mu);
	while (wt->pending > 0)
		pthread_cond_wait(&wt->cv, &wt->mu);
	pthread_mutex_unlock(&wt->mu);
	for (j = 0; j < n; j++)
		if (ws[j]->job.rc != ORDO_OK) {
			fprintf(stderr, "bench_seed: %s failed: %s\n",
				ws[j]->type->name,
				ws[j]->job.err.message);
			exit(1);
		}
}

/* ---- the seeding threads --------------------------------------------------- */

static void *seeder(void *arg)
{
	static app_intake_cmd intake_zero;
	app_intake_cmd *in = calloc(BATCH, sizeof(*in));
	app_shipment_cmd *sh = calloc(BATCH, sizeof(*sh));
	app_delivered_cmd *dl = calloc(BATCH, sizeof(*dl));
	app_write **ws = calloc(BATCH, sizeof(*ws));
	long long *idx = calloc(BATCH, sizeof(*idx));
	struct waiter wt = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
			    0};
	char text[2048];

	(void)arg;
	if (!in || !sh || !dl || !ws || !idx) {
		fprintf(stderr, "bench_seed: out of memory\n");
		exit(1);
	}
	for (;;) {
		long long b, lo, i;
		int n = 0, ns = 0, nd = 0, j;

		/* A batch taken is always finished: on a stop, every batch
		 * below next_batch is in. */
		if (atomic_load(&stopping))
			break;
		b = atomic_fetch_add(&next_batch, 1);
		lo = from + b * BATCH;
		if (lo >= to)
			break;
		/* Decode every order of the batch, then hand them over. */
		for (i = lo; i < to && i < lo + BATCH; i++, n++) {
			enum kind k = kind_of(i);
			ordo_err err = ORDO_ERR_INIT;
			json_t *doc;

			in[n] = intake_zero;
			app_intake_cmd_init(&in[n], &caller,
					    T0 + (ordo_time)i * SPACING_S);
			order_text(i, k == DUPLICATE ? i - 1000 : i,
				   k == DUPLICATE ? kind_of(i - 1000) : k, text,
				   sizeof(text));
			doc = json_loads(text, 0, NULL);
			if (!doc || native_order_decode(doc, &in[n].order,
							&err) != ORDO_OK) {
				fprintf(stderr, "bench_seed: order %lld: %s\n",
					i, err.code ? err.message : text);
				exit(1);
			}
			json_decref(doc);
			ordo_err_clear(&err);
			idx[n] = i;
			ws[n] = &in[n].w;
		}
		run_all(&wt, ws, n);

		/* Three clean orders in ten shipped, one delivered. */
		for (j = 0; j < n; j++) {
			const order *o = &in[j].stored;
			const fulfillment *f;
			shipment *s;
			size_t l;

			if (kind_of(idx[j]) != CLEAN || idx[j] % 10 > 2 ||
			    o->n_fulfillments == 0)
				continue;
			f = &o->fulfillments[0];
			memset(&sh[ns], 0, sizeof(sh[ns]));
			app_shipment_cmd_init(&sh[ns], &caller,
					      in[j].w.now + 6 * 3600, f->id);
			s = &sh[ns].shipment;
			s->lines = calloc(f->n_lines, sizeof(*s->lines));
			if (!s->lines) {
				fprintf(stderr, "bench_seed: out of memory\n");
				exit(1);
			}
			for (l = 0; l < f->n_lines; l++) {
				ordo_strlcpy(s->lines[l].sku, f->lines[l].sku,
					     sizeof(s->lines[l].sku));
				s->lines[l].quantity = f->lines[l].quantity;
			}
			s->n_lines = f->n_lines;
			ordo_strlcpy(s->carrier, idx[j] % 2 ? "UPS" : "FedEx",
				     sizeof(s->carrier));
			snprintf(s->tracking_number,
				 sizeof(s->tracking_number), "1Z%014lld",
				 idx[j]);
			idx[ns] = idx[j];
			ws[ns] = &sh[ns].w;
			ns++;
		}
		if (ns)
			run_all(&wt, ws, ns);
		for (j = 0; j < ns; j++) {
			if (idx[j] % 10 != 0)
				continue;
			memset(&dl[nd], 0, sizeof(dl[nd]));
			app_delivered_cmd_init(&dl[nd], &caller,
					       sh[j].w.now + 48 * 3600,
					       sh[j].stored.id);
			ws[nd] = &dl[nd].w;
			nd++;
		}
		if (nd)
			run_all(&wt, ws, nd);

		for (j = 0; j < n; j++)
			app_write_free(&in[j].w);
		for (j = 0; j < ns; j++)
			app_write_free(&sh[j].w);
		for (j = 0; j < nd; j++)
			app_write_free(&dl[j].w);
	}
	free(in);
	free(sh);
	free(dl);
	free(ws);
	free(idx);
	return NULL;
}

/* ---- the catalog ----------------------------------------------------------- */

static ordo_code catalog_run(store_tx *tx, void *arg, ordo_err *err)
{
	static const char *const codes[] = {"WH-NJ", "WH-NV", "WH-TX"};
	ordo_time now = T0 - 86400;
	bool created;
	ordo_code rc;
	size_t w;
	int k;

	(void)arg;
	for (k = 0; k < CATALOG_SKUS; k++) {
		catalog_sku s;

		memset(&s, 0, sizeof(s));
		snprintf(s.sku, sizeof(s.sku), "SKU-%04d", k);
		snprintf(s.title, sizeof(s.title), "Catalog item %d", k);
		ordo_strlcpy(s.currency, "USD", sizeof(s.currency));
		s.unit_price = sku_cents(k);
		s.active = true;
		rc = app_sku_put(tx, &caller, &s, now, &created, err);
		if (rc)
			return rc;
	}
	for (w = 0; w < COUNT(codes); w++) {
		catalog_location l;

		memset(&l, 0, sizeof(l));
		ordo_strlcpy(l.code, codes[w], sizeof(l.code));
		snprintf(l.name, sizeof(l.name), "Warehouse %s", codes[w]);
		ordo_strlcpy(l.address.city, cities[w].city,
			     sizeof(l.address.city));
		ordo_strlcpy(l.address.region, cities[w].region,
			     sizeof(l.address.region));
		ordo_strlcpy(l.address.postal_code, "10001",
			     sizeof(l.address.postal_code));
		ordo_strlcpy(l.address.country, "US",
			     sizeof(l.address.country));
		l.priority = (int)w + 1;
		l.active = true;
		l.n_serves = 1;
		ordo_strlcpy(l.serves[0], "US", sizeof(l.serves[0]));
		rc = app_location_put(tx, &caller, &l, now, &created, err);
		if (rc)
			return rc;
		for (k = 0; k < CATALOG_SKUS; k++) {
			stock_level level;
			char sku[32];

			snprintf(sku, sizeof(sku), "SKU-%04d", k);
			rc = app_stock_count(tx, &caller, codes[w], sku,
					     1000000000LL, -1, now, &level,
					     err);
			if (rc)
				return rc;
		}
	}
	return ORDO_OK;
}

static ordo_code close_run(store_tx *tx, void *arg, ordo_err *err)
{
	return app_close_due(tx, time(NULL), arg, err);
}

/* Waits for SIGINT or SIGTERM (blocked in every other thread) and asks the
 * seeders to stop. */
static void *stopper(void *arg)
{
	sigset_t *set = arg;
	int sig;

	if (sigwait(set, &sig) == 0)
		atomic_store(&stopping, true);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	store_options opts = STORE_OPTIONS_DEFAULT;
	ordo_err err = ORDO_ERR_INIT;
	int threads = argc > 5 ? (int)strtol(argv[5], NULL, 10) : 4;
	int applied = 0, version = 0, t;
	static sigset_t stop_signals;
	pthread_t *th, stop_thread;
	long long done;
	double t0, t1;

	if (argc < 5 || threads < 1) {
		fprintf(stderr, "usage: bench_seed DB KEY FROM TO [THREADS]\n");
		return 2;
	}
	from = strtoll(argv[3], NULL, 10);
	to = strtoll(argv[4], NULL, 10);
	/* Blocked before any thread starts (the store's committer too), so
	 * that only the stopper receives them. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	if (pthread_create(&stop_thread, NULL, stopper, &stop_signals) != 0 ||
	    pthread_detach(stop_thread) != 0)
		return 1;
	if (store_open(argv[1], &opts, &st, &err) != ORDO_OK ||
	    store_migrate(st, T0, &applied, &version, &err) != ORDO_OK ||
	    app_authenticate(st, argv[2], 0, &caller, &err) != ORDO_OK) {
		fprintf(stderr, "bench_seed: %s\n",
			err.message);
		return 1;
	}
	ordo_strlcpy(caller.actor, "bench", sizeof(caller.actor));
	if (from == 0 && store_write(st, catalog_run, NULL, &err) != ORDO_OK) {
		fprintf(stderr, "bench_seed: catalog: %s\n",
			err.message);
		return 1;
	}
	th = calloc((size_t)threads, sizeof(*th));
	if (!th)
		return 1;
	t0 = now_s();
	for (t = 0; t < threads; t++)
		pthread_create(&th[t], NULL, seeder, NULL);
	for (t = 0; t < threads; t++)
		pthread_join(th[t], NULL);
	t1 = now_s();
	free(th);
	for (;;) {
		size_t closed = 0;

		if (store_write(st, close_run, &closed, &err) != ORDO_OK) {
			fprintf(stderr, "bench_seed: closing: %s\n",
				err.message);
			return 1;
		}
		if (closed == 0)
			break;
	}
	store_close(st);
	done = from + atomic_load(&next_batch) * BATCH;
	if (done > to)
		done = to;
	printf("seeded orders %lld..%lld: %.0f orders/s (%.1f s)%s\n", from,
	       done - 1, (double)(done - from) / (t1 - t0), t1 - t0,
	       done < to ? ", stopped" : "");
	return done < to ? 3 : 0;
}
