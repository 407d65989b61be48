/*
 * reads.c - the reads of the scale benchmark, timed over HTTP.
 *
 *   bench_reads URL KEY [CALLS]
 *
 * Against a running `ordo serve` on a database seeded by bench_seed, times
 * each read below CALLS times (20 by default) on one kept connection, after
 * three calls to warm it up, and prints one line per read:
 *
 *   read NAME STATUS MEDIAN_MS P90_MS ROWS PATH
 *
 * ROWS is how many items the answer held (the length of its first array:
 * a page's orders, an order's events; "-" for an answer with none). Each
 * read asks for what its answer holds as much of at every size the
 * benchmark seeds (a page that 10,000 orders already fill, or a few
 * orders that history does not add to), so that the ratio of two sizes
 * compares the same answer, read from more history; bench/run shows ROWS
 * beside the times.
 *
 * libcurl's total time of each call is the server's answer and the bytes
 * on a local socket, without process start-up or a new connection. A read
 * the server does not know yet (400 for a query parameter it refuses, 404
 * for a path it does not route) is printed with "n/a" for its times, so
 * the benchmark names it without failing; any other status that is not
 * 2xx fails the run.
 *
 * The ids the reads need (a closed order: it has a fulfillment, a
 * shipment and a long timeline; a cursor, an external id, a customer's
 * email, a time window) are found first by reads of the same API, so that
 * every size is read the same way.
 */
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *base;
static char auth[200];

struct sink {
	char *buf;
	size_t len, cap;
};

static size_t sink_write(char *p, size_t sz, size_t n, void *ud)
{
	struct sink *s = ud;
	size_t k = sz * n;

	if (s->len + k + 1 > s->cap) {
		size_t cap = (s->len + k + 1) * 2;
		char *b = realloc(s->buf, cap);

		if (!b)
			return 0;
		s->buf = b;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, k);
	s->len += k;
	s->buf[s->len] = '\0';
	return k;
}

/* GET path on c; the status, the body in out and the time in *us. */
static long get(CURL *c, const char *path, struct sink *out, long long *us)
{
	char url[1024];
	long status = 0;
	curl_off_t t = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	out->len = 0;
	if (out->buf)
		out->buf[0] = '\0';
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_TOTAL_TIME_T, &t);
	}
	if (us)
		*us = (long long)t;
	return status;
}

/* GET path and parse it; exit unless it is 200 JSON. */
static json_t *get_json(CURL *c, const char *path, struct sink *out)
{
	long status = get(c, path, out, NULL);
	json_t *j = status == 200 ? json_loads(out->buf, 0, NULL) : NULL;

	if (!j) {
		fprintf(stderr, "bench_reads: GET %s answered %ld\n", path,
			status);
		exit(1);
	}
	return j;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The length of the first array among the members of the answer in out,
 * into buf ("-" when it has none). */
static void rows_of(const struct sink *out, char *buf, size_t size)
{
	json_t *j = json_loads(out->buf ? out->buf : "", 0, NULL);
	const char *key;
	json_t *v;

	snprintf(buf, size, "-");
	json_object_foreach(j, key, v)
	{
		if (json_is_array(v)) {
			snprintf(buf, size, "%zu", json_array_size(v));
			break;
		}
	}
	json_decref(j);
}

static void timed(CURL *c, struct sink *out, int calls, const char *name,
		  const char *path)
{
	long long *us = calloc((size_t)calls, sizeof(*us));
	long status = 0;
	char rows[32];
	int i;

	if (!us)
		exit(1);
	for (i = 0; i < 3; i++)
		status = get(c, path, out, NULL);
	if (status == 400 || status == 404) {
		printf("read %s %ld n/a n/a - %s\n", name, status, path);
		free(us);
		return;
	}
	for (i = 0; i < calls; i++) {
		status = get(c, path, out, &us[i]);
		if (status < 200 || status > 299) {
			fprintf(stderr, "bench_reads: GET %s answered %ld: %s\n",
				path, status, out->buf ? out->buf : "");
			exit(1);
		}
	}
	qsort(us, (size_t)calls, sizeof(*us), cmp_ll);
	rows_of(out, rows, sizeof(rows));
	printf("read %s %ld %.2f %.2f %s %s\n", name, status,
	       (double)us[calls / 2] / 1000.0,
	       (double)us[(calls * 9 + 9) / 10 - 1] / 1000.0, rows, path);
	fflush(stdout);
	free(us);
}

/*
 * A page of the console: the reads it makes when it opens (paths, n of
 * them), one after another on the kept connection, timed together: what
 * the page waits for at most (the browser makes them at once). Printed as
 * a read named page_NAME, with no rows.
 */
static void timed_page(CURL *c, struct sink *out, int calls, const char *name,
		       char paths[][1024], size_t n)
{
	long long *us = calloc((size_t)calls, sizeof(*us));
	long status = 0;
	size_t k;
	int i;

	if (!us)
		exit(1);
	for (i = -3; i < calls; i++) {
		long long sum = 0;

		for (k = 0; k < n; k++) {
			long long one = 0;

			status = get(c, paths[k], out, i < 0 ? NULL : &one);
			if (status == 400 || status == 404) {
				printf("read page_%s %ld n/a n/a - %s\n", name,
				       status, paths[k]);
				free(us);
				return;
			}
			if (status < 200 || status > 299) {
				fprintf(stderr,
					"bench_reads: GET %s answered %ld: "
					"%s\n",
					paths[k], status,
					out->buf ? out->buf : "");
				exit(1);
			}
			sum += one;
		}
		if (i >= 0)
			us[i] = sum;
	}
	qsort(us, (size_t)calls, sizeof(*us), cmp_ll);
	printf("read page_%s %ld %.2f %.2f - (%zu reads: %s ...)\n", name,
	       status, (double)us[calls / 2] / 1000.0,
	       (double)us[(calls * 9 + 9) / 10 - 1] / 1000.0, n, paths[0]);
	fflush(stdout);
	free(us);
}

/* "YYYY-MM-DDTHH:MM:SSZ" shifted by delta seconds, into out. */
static void shift_time(const char *t, long delta, char *out, size_t size)
{
	struct tm tm;
	time_t s;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(t, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon,
		   &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
		fprintf(stderr, "bench_reads: bad time %s\n", t);
		exit(1);
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	s = timegm(&tm) + delta;
	gmtime_r(&s, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *jstr(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	if (!s) {
		fprintf(stderr, "bench_reads: no \"%s\" in an answer\n", key);
		exit(1);
	}
	return s;
}

static size_t digits(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s >= '0' && *s <= '9';
	return n;
}

int main(int argc, char **argv)
{
	static const char *const holds[] = {
		"unknown_sku", "address_unverifiable", "duplicate_suspect",
		"high_value", "risky_order",
	};
	int calls = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 20;
	struct curl_slist *h = NULL;
	struct sink out = {0};
	char path[1024], name[64], cursor[300], ext[128], email[256];
	char order_id[128], newest[64], from[64], to[64];
	json_t *page, *o, *del;
	size_t i;
	CURL *c;

	if (argc < 3 || calls < 1) {
		fprintf(stderr, "usage: bench_reads URL KEY [CALLS]\n");
		return 2;
	}
	base = argv[1];
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", argv[2]);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	h = curl_slist_append(h, auth);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &out);

	/* What the reads name: the newest page's cursor, an order in its
	 * middle (its external id), a customer of the page (below), the
	 * newest time, and a closed order. */
	page = get_json(c, "/v1/orders?limit=50", &out);
	snprintf(cursor, sizeof(cursor), "%s", jstr(page, "next_cursor"));
	o = json_array_get(json_object_get(page, "orders"), 25);
	snprintf(ext, sizeof(ext), "%s", jstr(o, "external_id"));
	/* Of the page's customers, one whose email no other customer's
	 * begins with (search matches each term as a prefix, and an email
	 * with fewer digits begins more of them as history grows): the one
	 * with the most digits. */
	email[0] = '\0';
	for (i = 0; i < json_array_size(json_object_get(page, "orders")); i++) {
		const char *e = jstr(
			json_object_get(
				json_array_get(json_object_get(page, "orders"),
					       i),
				"customer"),
			"email");

		if (digits(e) > digits(email))
			snprintf(email, sizeof(email), "%s", e);
	}
	snprintf(newest, sizeof(newest), "%s",
		 jstr(json_array_get(json_object_get(page, "orders"), 0),
		      "received_at"));
	json_decref(page);
	page = get_json(c, "/v1/orders?state=closed&limit=1", &out);
	del = json_array_get(json_object_get(page, "orders"), 0);
	if (!del) {
		fprintf(stderr, "bench_reads: no closed order\n");
		return 1;
	}
	snprintf(order_id, sizeof(order_id), "%s", jstr(del, "id"));
	json_decref(page);
	/* An hour's window that ends an hour before the newest order. */
	shift_time(newest, -7200, from, sizeof(from));
	shift_time(newest, -3600, to, sizeof(to));

	timed(c, &out, calls, "list", "/v1/orders?limit=50");
	snprintf(path, sizeof(path), "/v1/orders?limit=50&cursor=%s", cursor);
	timed(c, &out, calls, "list_page2", path);
	timed(c, &out, calls, "state_released",
	      "/v1/orders?state=released&limit=50");
	timed(c, &out, calls, "state_on_hold",
	      "/v1/orders?state=on_hold&limit=50");
	timed(c, &out, calls, "state_shipped",
	      "/v1/orders?state=shipped&limit=50");
	timed(c, &out, calls, "state_closed",
	      "/v1/orders?state=closed&limit=50");
	timed(c, &out, calls, "channel", "/v1/orders?channel=edi&limit=50");
	snprintf(path, sizeof(path), "/v1/orders?external_id=%s", ext);
	timed(c, &out, calls, "external_id", path);
	for (i = 0; i < sizeof(holds) / sizeof(holds[0]); i++) {
		snprintf(name, sizeof(name), "hold_%s", holds[i]);
		snprintf(path, sizeof(path),
			 "/v1/orders?hold_type=%s&limit=50", holds[i]);
		timed(c, &out, calls, name, path);
	}
	snprintf(path, sizeof(path),
		 "/v1/orders?received_from=%s&received_to=%s&limit=50", from,
		 to);
	timed(c, &out, calls, "received_window", path);
	/* A SKU no catalog has, on a few orders in 10,000 (8 with
	 * bench_seed's orders): a page of 5 of them, the newest. */
	timed(c, &out, calls, "q_rare_sku", "/v1/orders?q=GONE-0007&limit=5");
	/* One order from the start of history, by its external id
	 * (bench_seed's order 7). */
	timed(c, &out, calls, "q_old_external_id",
	      "/v1/orders?q=edi-00000007&limit=50");
	timed(c, &out, calls, "q_common_sku",
	      "/v1/orders?q=SKU-0001&limit=50");
	{
		char *e = curl_easy_escape(c, email, 0);

		snprintf(path, sizeof(path), "/v1/orders?q=%s&limit=50",
			 e ? e : email);
		curl_free(e);
	}
	timed(c, &out, calls, "q_email", path);
	timed(c, &out, calls, "queue", "/v1/queue?limit=50");
	timed(c, &out, calls, "queue_high_value",
	      "/v1/queue?type=high_value&limit=50");
	timed(c, &out, calls, "queue_unclaimed_address",
	      "/v1/queue?type=address_unverifiable&assignee=-&limit=50");
	timed(c, &out, calls, "queue_channel",
	      "/v1/queue?channel=marketplace&limit=50");
	snprintf(path, sizeof(path), "/v1/orders/%s", order_id);
	timed(c, &out, calls, "order", path);
	snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
	timed(c, &out, calls, "order_events", path);
	snprintf(path, sizeof(path), "/v1/shipments?order_id=%s", order_id);
	timed(c, &out, calls, "order_shipments", path);
	timed(c, &out, calls, "fulfillments_released",
	      "/v1/fulfillments?state=released&limit=50");
	timed(c, &out, calls, "shipments", "/v1/shipments?limit=50");
	timed(c, &out, calls, "stock", "/v1/stock?sku=SKU-0001");
	timed(c, &out, calls, "stock_events",
	      "/v1/stock/events?sku=SKU-0001&limit=50");
	/* The figures of the five hours up to the newest order (10,000
	 * orders fill them already), with the backlog as it stands, and a
	 * metric by the hour over the same hours: read from the rollups and
	 * the gauges, never the orders. */
	shift_time(newest, -5 * 3600, from, sizeof(from));
	snprintf(path, sizeof(path), "/v1/metrics/summary?from=%s&to=%s",
		 from, newest);
	timed(c, &out, calls, "metrics_summary", path);
	snprintf(path, sizeof(path),
		 "/v1/metrics/series?metric=exception_rate&bucket=hour&"
		 "from=%s&to=%s",
		 from, newest);
	timed(c, &out, calls, "metrics_series", path);

	/*
	 * The console's pages, each as the reads it makes when it opens
	 * (web/): what a person waits for on a page, at every size.
	 */
	{
		static char p[32][1024];
		size_t n = 0;
		json_t *skus;

		/* The dashboard: the last 7 days by the day, and the work late
		 * now. */
		shift_time(newest, -7 * 86400, from, sizeof(from));
		snprintf(p[n++], sizeof(p[0]),
			 "/v1/metrics/summary?from=%s&to=%s", from, newest);
		for (i = 0; i < 5; i++) {
			static const char *const m[] = {
				"orders_received", "received_to_released_ms",
				"on_time_release_rate", "accuracy",
				"rework_rate"};

			snprintf(p[n++], sizeof(p[0]),
				 "/v1/metrics/series?metric=%s&bucket=day&"
				 "from=%s&to=%s",
				 m[i], from, newest);
		}
		snprintf(p[n++], sizeof(p[0]), "/v1/queue?limit=100");
		snprintf(p[n++], sizeof(p[0]), "/v1/alerts?status=open&limit=5");
		timed_page(c, &out, calls, "dashboard", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/queue?limit=25");
		timed_page(c, &out, calls, "queue", p, n);
		/* A hold's page: its order, the timeline, past holds of its
		 * type. */
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s", order_id);
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s/events", order_id);
		snprintf(p[n++], sizeof(p[0]),
			 "/v1/holds?type=high_value&limit=10");
		timed_page(c, &out, calls, "hold", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/orders?limit=25");
		timed_page(c, &out, calls, "orders", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/orders?q=SKU-0001&limit=25");
		timed_page(c, &out, calls, "orders_search", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s", order_id);
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s/events", order_id);
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s/changes",
			 order_id);
		snprintf(p[n++], sizeof(p[0]), "/v1/orders/%s/returns",
			 order_id);
		timed_page(c, &out, calls, "order", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/policy");
		snprintf(p[n++], sizeof(p[0]), "/v1/metrics/automation");
		timed_page(c, &out, calls, "rules", p, n);
		/* Stock: a page of 25 SKUs and the stock of each. */
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/settings");
		snprintf(p[n++], sizeof(p[0]), "/v1/locations");
		snprintf(p[n++], sizeof(p[0]), "/v1/skus?limit=25");
		skus = get_json(c, "/v1/skus?limit=25", &out);
		for (i = 0; i < json_array_size(json_object_get(skus, "skus"));
		     i++)
			snprintf(p[n++], sizeof(p[0]), "/v1/stock?sku=%s",
				 jstr(json_array_get(
					      json_object_get(skus, "skus"), i),
				      "sku"));
		json_decref(skus);
		timed_page(c, &out, calls, "stock", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/change-requests?limit=25");
		snprintf(p[n++], sizeof(p[0]), "/v1/returns?state=authorized&"
					       "limit=25");
		snprintf(p[n++], sizeof(p[0]),
			 "/v1/returns?state=partly_received&limit=25");
		timed_page(c, &out, calls, "changes", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/channels");
		snprintf(p[n++], sizeof(p[0]), "/v1/imports?limit=10");
		snprintf(p[n++], sizeof(p[0]), "/v1/orders?channel=edi&limit=10");
		snprintf(p[n++], sizeof(p[0]),
			 "/v1/orders?channel=marketplace&limit=10");
		timed_page(c, &out, calls, "channels", p, n);
		n = 0;
		snprintf(p[n++], sizeof(p[0]), "/v1/audit?limit=50");
		timed_page(c, &out, calls, "audit", p, n);
	}

	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	free(out.buf);
	curl_global_cleanup();
	return 0;
}
