/*
 * pipeline.c - the whole order pipeline over HTTP, against intake alone.
 *
 *   bench_pipeline URL KEY [CLIENTS] [ORDERS_PER_CLIENT]
 *
 * Against a running `ordo serve` (a fresh database; KEY an admin key), sets
 * up a SKU with stock at one warehouse, then runs two rounds of CLIENTS
 * concurrent clients (libcurl, one kept connection each):
 *
 *   baseline  each client posts ORDERS_PER_CLIENT clean orders: intake
 *             alone (in its transaction ordo accepts, allocates and
 *             releases the order to the warehouse)
 *   pipeline  each client takes each of its orders through every step a
 *             warehouse answers with: intake (accepted, allocated,
 *             released), POST /v1/fulfillments/{id}/accept,
 *             POST /v1/fulfillments/{id}/shipments (carrier, tracking
 *             number), POST /v1/shipments/{id}/delivered
 *
 * and prints orders/s of each, p50 and p99 of every step, and the ratio
 * pipeline / baseline: how much of intake's throughput survives the three
 * writes more each order takes. Any answer other than the expected one
 * fails the run.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *base;
static char auth[200];

enum step { INTAKE, ACCEPT, SHIP, DELIVER, STEPS };
static const char *const step_names[STEPS] = {"intake", "accept", "ship",
					      "deliver"};

struct sink {
	char buf[16384];
	size_t len;
};

static size_t sink_write(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t k = sz * n;

	if (s->len + k < sizeof(s->buf)) {
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		s->buf[s->len] = '\0';
	}
	return k;
}

/* method path body on c; the status, the body in out, the time in *us. */
static long http(CURL *c, const char *method, const char *path,
		 const char *body, struct sink *out, long long *us)
{
	struct curl_slist *h = NULL;
	char url[512];
	long status = 0;
	curl_off_t t = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	h = curl_slist_append(h, auth);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
	out->len = 0;
	out->buf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &t);
	}
	curl_slist_free_all(h);
	if (us)
		*us = (long long)t;
	return status;
}

struct client {
	pthread_t thread;
	int id, orders, round;
	bool pipeline;
	long long *us[STEPS]; /* per order, per step */
	int failures;
	char failure[512];
};

/* The id at key of the JSON answer in out (first of array arr if set). */
static int answer_id(const struct sink *out, const char *arr, char *id,
		     size_t size)
{
	json_t *j = json_loads(out->buf, 0, NULL), *o = j;
	const char *s;

	if (o && arr)
		o = json_array_get(json_object_get(o, arr), 0);
	s = json_string_value(json_object_get(o, "id"));
	if (s)
		snprintf(id, size, "%s", s);
	json_decref(j);
	return s ? 0 : -1;
}

static void fail(struct client *cl, const char *what, long status,
		 const struct sink *out)
{
	if (!cl->failures++)
		snprintf(cl->failure, sizeof(cl->failure), "%s: %ld %.400s",
			 what, status, out->buf);
}

static void *client_run(void *arg)
{
	struct client *cl = arg;
	CURL *c = curl_easy_init();
	struct sink *out = malloc(sizeof(*out));
	char body[1024], path[256], ful[128], shp[128];
	long status;
	int i;

	for (i = 0; out && i < cl->orders && !cl->failures; i++) {
		snprintf(body, sizeof(body),
			 "{\"external_id\":\"p%d-c%d-%d\",\"channel\":\"web\","
			 "\"placed_at\":\"2026-11-27T09:00:00Z\",\"currency\":"
			 "\"USD\",\"payment_status\":\"paid\",\"customer\":{"
			 "\"name\":\"Client %d\",\"email\":\"r%d-c%d-%d@example."
			 "com\"},\"ship_to\":{\"name\":\"Client %d\",\"line1\":"
			 "\"%d Main St\",\"city\":\"Springfield\",\"region\":"
			 "\"IL\",\"postal_code\":\"62701\",\"country\":\"US\"},"
			 "\"lines\":[{\"sku\":\"PIPE-1\",\"quantity\":1,"
			 "\"unit_price\":\"10.00\"}]}",
			 cl->round, cl->id, i, cl->id, cl->round, cl->id, i,
			 cl->id, i);
		status = http(c, "POST", "/v1/orders", body, out,
			      &cl->us[INTAKE][i]);
		if (status != 201 || !strstr(out->buf, "\"released\"") ||
		    answer_id(out, "fulfillments", ful, sizeof(ful))) {
			fail(cl, "intake", status, out);
			break;
		}
		if (!cl->pipeline)
			continue;
		snprintf(path, sizeof(path), "/v1/fulfillments/%s/accept", ful);
		status = http(c, "POST", path, NULL, out, &cl->us[ACCEPT][i]);
		if (status / 100 != 2) {
			fail(cl, "accept", status, out);
			break;
		}
		snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments",
			 ful);
		snprintf(body, sizeof(body),
			 "{\"lines\":[{\"sku\":\"PIPE-1\",\"quantity\":1}],"
			 "\"carrier\":\"UPS\",\"tracking_number\":"
			 "\"1ZP%03d%08d\"}",
			 cl->id, i);
		status = http(c, "POST", path, body, out, &cl->us[SHIP][i]);
		if (status != 201 || answer_id(out, NULL, shp, sizeof(shp))) {
			fail(cl, "ship", status, out);
			break;
		}
		snprintf(path, sizeof(path), "/v1/shipments/%s/delivered", shp);
		status = http(c, "POST", path, NULL, out, &cl->us[DELIVER][i]);
		if (status / 100 != 2) {
			fail(cl, "deliver", status, out);
			break;
		}
	}
	free(out);
	curl_easy_cleanup(c);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* p50 and p99 in ms of step s over all clients' orders. */
static void percentiles(struct client *cl, int clients, int orders, int s,
			double *p50, double *p99)
{
	size_t n = (size_t)clients * (size_t)orders, k = 0;
	long long *all = malloc(n * sizeof(*all));
	int i, j;

	if (!all)
		exit(1);
	for (i = 0; i < clients; i++)
		for (j = 0; j < orders; j++)
			all[k++] = cl[i].us[s][j];
	qsort(all, n, sizeof(*all), cmp_ll);
	*p50 = (double)all[n / 2] / 1000.0;
	*p99 = (double)all[(n * 99 + 99) / 100 - 1] / 1000.0;
	free(all);
}

/* One round; orders/s, and the clients (with their timings) in *out. */
static double round_run(int round, bool pipeline, int clients, int orders,
			struct client **out)
{
	struct client *cl = calloc((size_t)clients, sizeof(*cl));
	double t0, t1;
	int i, s;

	if (!cl)
		exit(1);
	for (i = 0; i < clients; i++) {
		cl[i] = (struct client){.id = i, .orders = orders,
					.round = round, .pipeline = pipeline};
		for (s = 0; s < STEPS; s++) {
			cl[i].us[s] = calloc((size_t)orders, sizeof(long long));
			if (!cl[i].us[s])
				exit(1);
		}
	}
	t0 = now_s();
	for (i = 0; i < clients; i++)
		pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
	for (i = 0; i < clients; i++)
		pthread_join(cl[i].thread, NULL);
	t1 = now_s();
	for (i = 0; i < clients; i++)
		if (cl[i].failures) {
			/* A figure with failed steps in it measures nothing. */
			fprintf(stderr, "bench_pipeline: %s\n", cl[i].failure);
			exit(1);
		}
	*out = cl;
	return (double)clients * orders / (t1 - t0);
}

static void round_free(struct client *cl, int clients)
{
	int i, s;

	for (i = 0; i < clients; i++)
		for (s = 0; s < STEPS; s++)
			free(cl[i].us[s]);
	free(cl);
}

int main(int argc, char **argv)
{
	int clients = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 32;
	int orders = argc > 4 ? (int)strtol(argv[4], NULL, 10) : 50;
	struct client *alone, *full;
	struct sink out;
	double intake, pipeline, p50, p99;
	CURL *c;
	int s;

	if (argc < 3 || clients < 1 || orders < 1) {
		fprintf(stderr, "usage: bench_pipeline URL KEY [CLIENTS] "
				"[ORDERS_PER_CLIENT]\n");
		return 2;
	}
	base = argv[1];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[2]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (http(c, "POST", "/v1/skus",
		 "{\"sku\":\"PIPE-1\",\"title\":\"Pipeline\",\"unit_price\":"
		 "\"10.00\"}",
		 &out, NULL) != 201 ||
	    http(c, "POST", "/v1/locations",
		 "{\"code\":\"PIPE-WH\",\"name\":\"Pipeline warehouse\","
		 "\"country\":\"US\"}",
		 &out, NULL) != 201 ||
	    http(c, "PUT", "/v1/locations/PIPE-WH/stock/PIPE-1",
		 "{\"on_hand\":1000000000}", &out, NULL) != 200) {
		fprintf(stderr, "bench_pipeline: setup failed: %s\n", out.buf);
		return 1;
	}
	curl_easy_cleanup(c);

	intake = round_run(1, false, clients, orders, &alone);
	pipeline = round_run(2, true, clients, orders, &full);

	percentiles(alone, clients, orders, INTAKE, &p50, &p99);
	printf("pipeline baseline, intake alone (%d clients): %8.0f orders/s, "
	       "p50 %.2f ms, p99 %.2f ms\n",
	       clients, intake, p50, p99);
	printf("pipeline, intake+accept+ship+deliver (%d clients): %8.0f "
	       "orders/s\n",
	       clients, pipeline);
	for (s = 0; s < STEPS; s++) {
		percentiles(full, clients, orders, s, &p50, &p99);
		printf("  step %-8s p50 %7.2f ms, p99 %7.2f ms\n",
		       step_names[s], p50, p99);
	}
	printf("ratio (pipeline / intake alone): %8.2f\n", pipeline / intake);
	round_free(alone, clients);
	round_free(full, clients);
	curl_global_cleanup();
	return 0;
}
