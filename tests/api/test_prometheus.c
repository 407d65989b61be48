/*
 * test_prometheus.c - GET /metrics as Prometheus reads it, after real work:
 *
 *   the text      every line a HELP or TYPE line before its family's
 *                 samples, or a sample `name{labels} value`; a family's
 *                 samples together; no series twice; every histogram's
 *                 buckets cumulative, ending in le="+Inf" equal to its
 *                 _count, with its _sum
 *   requests      counted by route pattern, method, status class and
 *                 tenant, exactly (before and after), each route with its
 *                 latency histogram; a request of no tenant under
 *                 tenant="", one no route took under route="unmatched"
 *   intake        new orders by tenant and channel; past the channels one
 *                 tenant may name, under channel="_other"
 *   the backlog   a held order (unknown SKU) in the review queue's depth
 *                 and its type's open holds, overdue once its due time
 *                 passes, gone once resolved; the other tenant's unmoved
 *   the store     the commit histograms grow with the commits
 *   webhooks      a dead receiver's failed attempts and pending deliveries
 *
 * The server counts a request once it has sent its answer, a moment after
 * the client has it: a figure is read until it reaches what is expected,
 * then must be exactly that.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define PRICE "10.00"
#define LABELS_MAX 8

static const char *acme(void)
{
	return srv->key_acme;
}

static const char *globex(void)
{
	return srv->key_globex;
}

/* ---- the exposition, parsed and checked ----------------------------------- */

struct label {
	char name[64];
	char value[256];
};

struct sample {
	char name[128];
	char family[128];
	struct label labels[LABELS_MAX];
	size_t n_labels;
	double value;
};

struct family {
	char name[128];
	char type[16];
	bool help;
	bool ended; /* another family's samples came after its own */
};

struct expo {
	struct sample *s;
	size_t n, cap;
	struct family *f;
	size_t n_f, cap_f;
	char *text;
};

static void expo_free(struct expo *e)
{
	free(e->s);
	free(e->f);
	free(e->text);
	memset(e, 0, sizeof(*e));
}

static struct family *family_get(const struct expo *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->n_f; i++)
		if (strcmp(e->f[i].name, name) == 0)
			return &e->f[i];
	return NULL;
}

static struct family *family_add(struct expo *e, const char *name)
{
	struct family *f = family_get(e, name);

	if (f)
		return f;
	if (e->n_f == e->cap_f) {
		e->cap_f = e->cap_f ? e->cap_f * 2 : 64;
		e->f = realloc(e->f, e->cap_f * sizeof(*e->f));
		assert_non_null(e->f);
	}
	f = &e->f[e->n_f++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static bool name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	       c == ':' || (!first && c >= '0' && c <= '9');
}

/* A metric or label name at *p into out; false when there is none. */
static bool take_name(const char **p, char *out, size_t size)
{
	size_t n = 0;

	if (!name_char(**p, true))
		return false;
	while (name_char(**p, n == 0) && n + 1 < size)
		out[n++] = *(*p)++;
	out[n] = '\0';
	return !name_char(**p, false);
}

/* {name="value",...} at *p (after the '{'), escapes undone. */
static bool take_labels(const char **p, struct sample *s)
{
	for (;;) {
		struct label *l;
		size_t n = 0;

		if (**p == '}') {
			(*p)++;
			return true;
		}
		if (s->n_labels == LABELS_MAX)
			return false;
		l = &s->labels[s->n_labels++];
		if (!take_name(p, l->name, sizeof(l->name)) || *(*p)++ != '=' ||
		    *(*p)++ != '"')
			return false;
		while (**p && **p != '"' && **p != '\n') {
			char c = *(*p)++;

			if (c == '\\') {
				c = *(*p)++;
				if (c == 'n')
					c = '\n';
				else if (c != '\\' && c != '"')
					return false;
			}
			if (n + 1 >= sizeof(l->value))
				return false;
			l->value[n++] = c;
		}
		l->value[n] = '\0';
		if (*(*p)++ != '"')
			return false;
		if (**p == ',')
			(*p)++;
		else if (**p != '}')
			return false;
	}
}

/* A sample's value: a float, or +Inf, -Inf, NaN. */
static bool take_value(const char *text, double *v)
{
	char *end;

	if (strcmp(text, "+Inf") == 0) {
		*v = INFINITY;
		return true;
	}
	if (strcmp(text, "-Inf") == 0) {
		*v = -INFINITY;
		return true;
	}
	if (strcmp(text, "NaN") == 0) {
		*v = NAN;
		return true;
	}
	*v = strtod(text, &end);
	return end != text && *end == '\0';
}

static const char *label_of(const struct sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->n_labels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}

/* The family a sample belongs to: a histogram's _bucket, _sum and _count
 * are its own. */
static void family_of(struct expo *e, struct sample *s)
{
	static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
	size_t i, n = strlen(s->name);

	snprintf(s->family, sizeof(s->family), "%s", s->name);
	for (i = 0; i < 3; i++) {
		size_t k = strlen(suffixes[i]);
		struct family *f;

		if (n <= k || strcmp(s->name + n - k, suffixes[i]) != 0)
			continue;
		snprintf(s->family, sizeof(s->family), "%.*s", (int)(n - k),
			 s->name);
		f = family_get(e, s->family);
		if (f && strcmp(f->type, "histogram") == 0)
			return;
		snprintf(s->family, sizeof(s->family), "%s", s->name);
	}
}

/* Whether a and b name the same series (labels in any order). */
static bool same_series(const struct sample *a, const struct sample *b)
{
	size_t i;

	if (strcmp(a->name, b->name) != 0 || a->n_labels != b->n_labels)
		return false;
	for (i = 0; i < a->n_labels; i++) {
		const char *v = label_of(b, a->labels[i].name);

		if (!v || strcmp(v, a->labels[i].value) != 0)
			return false;
	}
	return true;
}

/* One line of the text; fails the test naming it when it is not valid. */
static void expo_line(struct expo *e, const char *line, const char **last)
{
	struct sample s;
	struct family *f;
	const char *p = line;
	char name[128], value[64];
	size_t n;

	if (line[0] == '#') {
		char kind[8];

		check(sscanf(line, "# %7s %127s", kind, name) == 2,
		      "a comment that is neither HELP nor TYPE: %s", line);
		check(strcmp(kind, "HELP") == 0 || strcmp(kind, "TYPE") == 0,
		      "a comment that is neither HELP nor TYPE: %s", line);
		f = family_add(e, name);
		check(!f->ended && !(*last && strcmp(*last, name) == 0),
		      "HELP or TYPE after %s's samples: %s", name, line);
		if (strcmp(kind, "HELP") == 0) {
			check(!f->help, "HELP twice for %s", name);
			f->help = true;
		} else {
			check(!f->type[0], "TYPE twice for %s", name);
			check(sscanf(line, "# TYPE %*s %15s", f->type) == 1,
			      "TYPE without a type: %s", line);
			check(!strcmp(f->type, "counter") ||
				      !strcmp(f->type, "gauge") ||
				      !strcmp(f->type, "histogram"),
			      "a type ordo does not use: %s", line);
		}
		return;
	}
	memset(&s, 0, sizeof(s));
	check(take_name(&p, s.name, sizeof(s.name)),
	      "a sample without a name: %s", line);
	if (*p == '{') {
		p++;
		check(take_labels(&p, &s), "bad labels: %s", line);
	}
	check(*p == ' ', "no space before the value: %s", line);
	p++;
	n = strcspn(p, " ");
	check(n > 0 && n < sizeof(value), "no value: %s", line);
	memcpy(value, p, n);
	value[n] = '\0';
	check(p[n] == '\0', "more than a value (ordo writes no timestamps): %s",
	      line);
	check(take_value(value, &s.value), "the value is no number: %s", line);
	family_of(e, &s);
	f = family_get(e, s.family);
	check(f && f->help && f->type[0],
	      "a sample before its family's HELP and TYPE: %s", line);
	check(!f->ended, "%s's samples are not together: %s", s.family, line);
	if (*last && strcmp(*last, s.family) != 0) {
		struct family *prev = family_get(e, *last);

		if (prev)
			prev->ended = true;
	}
	*last = f->name;
	check(strcmp(f->type, "histogram") != 0 ||
		      strcmp(s.name, s.family) != 0,
	      "a histogram's sample is a _bucket, _sum or _count: %s", line);
	check(strcmp(f->type, "counter") != 0 || s.value >= 0,
	      "a counter below 0: %s", line);
	for (n = 0; n < e->n; n++)
		check(!same_series(&e->s[n], &s), "a series twice: %s", line);
	if (e->n == e->cap) {
		e->cap = e->cap ? e->cap * 2 : 256;
		e->s = realloc(e->s, e->cap * sizeof(*e->s));
		assert_non_null(e->s);
	}
	e->s[e->n++] = s;
}

/* Whether a and b, both of one histogram, are of one series (le aside). */
static bool same_histogram(const struct sample *a, const struct sample *b)
{
	size_t i, na = 0, nb = 0;

	if (strcmp(a->family, b->family) != 0)
		return false;
	for (i = 0; i < a->n_labels; i++) {
		const char *v;

		if (strcmp(a->labels[i].name, "le") == 0)
			continue;
		na++;
		v = label_of(b, a->labels[i].name);
		if (!v || strcmp(v, a->labels[i].value) != 0)
			return false;
	}
	for (i = 0; i < b->n_labels; i++)
		nb += strcmp(b->labels[i].name, "le") != 0;
	return na == nb;
}

/* Every histogram series: buckets in ascending le, cumulative, the last
 * +Inf and equal to _count, a _sum. */
static void expo_check_histograms(const struct expo *e)
{
	size_t i, j;

	for (i = 0; i < e->n; i++) {
		const struct sample *s = &e->s[i];
		const struct family *f = family_get(e, s->family);
		double le_prev = -INFINITY, count_prev = 0;
		const struct sample *inf = NULL, *count = NULL, *sum = NULL;
		size_t buckets = 0;

		if (strcmp(f->type, "histogram") != 0 ||
		    !strstr(s->name, "_count") ||
		    strcmp(s->name + strlen(s->name) - 6, "_count") != 0)
			continue;
		count = s;
		for (j = 0; j < e->n; j++) {
			const struct sample *b = &e->s[j];
			const char *le;
			double lv;

			if (!same_histogram(b, s))
				continue;
			if (strcmp(b->name + strlen(b->family), "_sum") == 0) {
				sum = b;
				continue;
			}
			if (strcmp(b->name + strlen(b->family), "_bucket") != 0)
				continue;
			le = label_of(b, "le");
			check(le && take_value(le, &lv), "a bucket without le "
			      "in %s", b->family);
			check(!inf, "a bucket after le=\"+Inf\" in %s",
			      b->family);
			check(lv > le_prev, "buckets not in ascending le in %s",
			      b->family);
			check(b->value >= count_prev,
			      "buckets not cumulative in %s (le=%s: %g < %g)",
			      b->family, le, b->value, count_prev);
			le_prev = lv;
			count_prev = b->value;
			buckets++;
			if (isinf(lv))
				inf = b;
		}
		check(buckets >= 2, "%s has %zu buckets", s->family, buckets);
		check(inf, "%s's buckets do not end in le=\"+Inf\"", s->family);
		check(inf->value == count->value,
		      "%s: le=\"+Inf\" is %g, _count %g", s->family, inf->value,
		      count->value);
		check(sum, "%s has no _sum", s->family);
	}
}

/* Scrape /metrics and check all of it. */
static void scrape(struct expo *e)
{
	struct resp *r = http_get(NULL, "/metrics");
	const char *last = NULL;
	char ct[128] = "";
	char *line, *end;

	memset(e, 0, sizeof(*e));
	assert_status(r, 200);
	check(resp_header(r, "Content-Type", ct, sizeof(ct)) &&
		      strncmp(ct, "text/plain; version=0.0.4", 25) == 0,
	      "Content-Type \"%s\"", ct);
	check(r->body_len > 0 && r->body[r->body_len - 1] == '\n',
	      "the text does not end with a line feed");
	e->text = strdup(r->body);
	assert_non_null(e->text);
	resp_free(r);
	for (line = e->text; *line; line = end + 1) {
		end = strchr(line, '\n');
		*end = '\0';
		check(end > line, "an empty line");
		expo_line(e, line, &last);
	}
	expo_check_histograms(e);
}

/*
 * The value of the series name with exactly the labels given (name, value,
 * ..., NULL); 0 when there is none (a counter not yet counted).
 */
static double value_v(const struct expo *e, const char *name, va_list ap)
{
	struct sample want;
	const char *k;
	size_t i;

	memset(&want, 0, sizeof(want));
	snprintf(want.name, sizeof(want.name), "%s", name);
	while ((k = va_arg(ap, const char *)) != NULL) {
		struct label *l = &want.labels[want.n_labels++];

		snprintf(l->name, sizeof(l->name), "%s", k);
		snprintf(l->value, sizeof(l->value), "%s",
			 va_arg(ap, const char *));
	}
	for (i = 0; i < e->n; i++)
		if (same_series(&e->s[i], &want))
			return e->s[i].value;
	return 0;
}

static double value(const struct expo *e, const char *name, ...)
{
	va_list ap;
	double v;

	va_start(ap, name);
	v = value_v(e, name, ap);
	va_end(ap);
	return v;
}

/* Whether the series exists. */
static bool has(const struct expo *e, const char *name, const char *k,
		const char *v)
{
	size_t i;

	for (i = 0; i < e->n; i++) {
		const char *l = k ? label_of(&e->s[i], k) : "";

		if (strcmp(e->s[i].name, name) == 0 && l && streq(l, v ? v : l))
			return true;
	}
	return false;
}

/*
 * Scrape until the series (labels as for value) reaches want, up to ten
 * seconds (a request is counted once its answer is sent); e is the last
 * scrape, for the caller to check and free.
 */
static double reach(struct expo *e, double want, const char *name, ...)
{
	long until = harness_now_ms() + 10000;
	va_list ap;
	double v;

	for (;;) {
		scrape(e);
		va_start(ap, name);
		v = value_v(e, name, ap);
		va_end(ap);
		if (v >= want || harness_now_ms() > until)
			return v;
		expo_free(e);
		harness_sleep_ms(50);
	}
}

/* The figures a request of route, method and tenant counts in. */
static double requests(const struct expo *e, const char *route,
		       const char *method, const char *code,
		       const char *tenant)
{
	return value(e, "ordo_http_requests_total", "route", route, "method",
		     method, "code", code, "tenant", tenant, NULL);
}

static double latency_count(const struct expo *e, const char *route,
			    const char *method, const char *tenant)
{
	return value(e, "ordo_http_request_duration_seconds_count", "route",
		     route, "method", method, "tenant", tenant, NULL);
}

static double intake(const struct expo *e, const char *tenant,
		     const char *channel)
{
	return value(e, "ordo_intake_orders_total", "tenant", tenant,
		     "channel", channel, NULL);
}

/* Every order of the tenant taken in, whatever its channel. */
static double intake_all(const struct expo *e, const char *tenant)
{
	double n = 0;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (streq(e->s[i].name, "ordo_intake_orders_total") &&
		    streq(label_of(&e->s[i], "tenant"), tenant))
			n += e->s[i].value;
	return n;
}

/* Post a clean order on channel; returns its id (free()). */
static char *order_on(const char *key, const char *ext, const char *channel)
{
	json_t *o = order_new(ext);
	char *id;

	jset(o, "channel", json_string(channel));
	id = order_create(key, o);
	json_decref(o);
	return id;
}

/* ---- the tests ------------------------------------------------------------ */

API_TEST(the_text_is_prometheus_text)
{
	static const char *const families[][2] = {
		{"ordo_store_write_jobs_total", "counter"},
		{"ordo_store_commits_total", "counter"},
		{"ordo_store_commit_batch_max", "gauge"},
		{"ordo_http_writes_queued", "gauge"},
		{"ordo_webhook_claims_total", "counter"},
		{"ordo_webhook_claim_rows_read_max", "gauge"},
		{"ordo_store_checkpoints_total", "counter"},
		{"ordo_store_commit_batch_writes", "histogram"},
		{"ordo_store_commit_duration_seconds", "histogram"},
		{"ordo_http_requests_total", "counter"},
		{"ordo_http_request_duration_seconds", "histogram"},
		{"ordo_intake_orders_total", "counter"},
		{"ordo_webhook_delivery_failures_total", "counter"},
		{"ordo_review_queue_depth", "gauge"},
		{"ordo_review_queue_overdue", "gauge"},
		{"ordo_holds_open", "gauge"},
		{"ordo_holds_overdue", "gauge"},
		{"ordo_webhook_deliveries_pending", "gauge"},
		{"ordo_webhook_paused", "gauge"},
		{"ordo_metrics_store_read", "gauge"},
		{"ordo_metrics_tenants_left_out", "gauge"},
	};
	struct expo e;
	char *id = order_on(acme(), "prom-text-1", "web");
	struct resp *r = http_get(acme(), "/v1/orders/%s", id);
	size_t i;

	assert_status(r, 200);
	resp_free(r);
	free(id);
	scrape(&e);
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		struct family *f = family_get(&e, families[i][0]);

		check(f && streq(f->type, families[i][1]),
		      "%s is not a %s in:\n%s", families[i][0],
		      families[i][1], e.text);
	}
	check(value(&e, "ordo_metrics_store_read", NULL) == 1,
	      "the backlog was not read");
	/* Both tenants' backlog, by their slugs. */
	check(has(&e, "ordo_review_queue_depth", "tenant", "acme") &&
		      has(&e, "ordo_review_queue_depth", "tenant", "globex"),
	      "a tenant's queue depth is missing");
	/* The store's histograms count every commit, once. */
	check(value(&e, "ordo_store_commit_batch_writes_count", NULL) ==
		      value(&e, "ordo_store_commits_total", NULL),
	      "batches in the histogram: %g, commits: %g",
	      value(&e, "ordo_store_commit_batch_writes_count", NULL),
	      value(&e, "ordo_store_commits_total", NULL));
	check(value(&e, "ordo_store_commit_duration_seconds_count", NULL) ==
		      value(&e, "ordo_store_commits_total", NULL),
	      "commit times in the histogram differ from commits");
	expo_free(&e);
}

/* Whether every request of the test below is counted in a (over b). */
static bool counted(const struct expo *a, const struct expo *b)
{
	return requests(a, "/v1/orders", "POST", "2xx", "acme") >=
		       requests(b, "/v1/orders", "POST", "2xx", "acme") + 5 &&
	       requests(a, "/v1/orders", "POST", "2xx", "globex") >=
		       requests(b, "/v1/orders", "POST", "2xx", "globex") + 1 &&
	       requests(a, "/v1/orders/*", "GET", "2xx", "acme") >=
		       requests(b, "/v1/orders/*", "GET", "2xx", "acme") + 1 &&
	       requests(a, "/v1/orders", "POST", "4xx", "") >=
		       requests(b, "/v1/orders", "POST", "4xx", "") + 1 &&
	       requests(a, "unmatched", "GET", "4xx", "") >=
		       requests(b, "unmatched", "GET", "4xx", "") + 1;
}

/* Scrape into a until counted(a, b), up to ten seconds. */
static void settle(struct expo *a, const struct expo *b)
{
	long until = harness_now_ms() + 10000;

	for (;;) {
		scrape(a);
		if (counted(a, b) || harness_now_ms() > until)
			return;
		expo_free(a);
		harness_sleep_ms(50);
	}
}

/* Whether a and b count the same of every series counted() reads. */
static bool same(const struct expo *a, const struct expo *b)
{
	static const char *const series[][4] = {
		{"/v1/orders", "POST", "2xx", "acme"},
		{"/v1/orders", "POST", "2xx", "globex"},
		{"/v1/orders/*", "GET", "2xx", "acme"},
		{"/v1/orders", "POST", "4xx", ""},
		{"unmatched", "GET", "4xx", ""},
	};
	size_t i;

	for (i = 0; i < sizeof(series) / sizeof(series[0]); i++)
		if (requests(a, series[i][0], series[i][1], series[i][2],
			     series[i][3]) != requests(b, series[i][0],
						       series[i][1],
						       series[i][2],
						       series[i][3]))
			return false;
	return true;
}

/* Scrape into b once the requests before it are all counted: a request is
 * counted when it completes, which may be just after its client has the
 * answer (server.c), so the previous test's last read can land after a
 * first scrape. Two scrapes 50 ms apart that agree on every series the test
 * below counts are taken as settled, up to ten seconds. */
static void quiet(struct expo *b)
{
	long until = harness_now_ms() + 10000;
	struct expo next;

	scrape(b);
	for (;;) {
		harness_sleep_ms(50);
		scrape(&next);
		if (same(&next, b) || harness_now_ms() > until) {
			expo_free(&next);
			return;
		}
		expo_free(b);
		*b = next;
	}
}

API_TEST(requests_and_intake_are_counted_by_route_tenant_and_channel)
{
	struct expo a, b;
	double posts, gets, none, unmatched, held_lat, commits, batch_sum;
	char *ids[6];
	struct resp *r;
	size_t i;

	quiet(&b);
	/* Five orders of acme on two channels, one of globex. */
	ids[0] = order_on(acme(), "prom-req-1", "prom-web");
	ids[1] = order_on(acme(), "prom-req-2", "prom-web");
	ids[2] = order_on(acme(), "prom-req-3", "prom-web");
	ids[3] = order_on(acme(), "prom-req-4", "prom-phone");
	ids[4] = order_on(acme(), "prom-req-5", "prom-phone");
	ids[5] = order_on(globex(), "prom-req-6", "prom-web");
	/* One read of an order, by its route's pattern. */
	r = http_get(acme(), "/v1/orders/%s", ids[0]);
	assert_status(r, 200);
	resp_free(r);
	/* A write with no key: of no tenant, 4xx. */
	r = http("POST", "/v1/orders", NULL, "{}", 2, NULL);
	assert_status(r, 401);
	resp_free(r);
	/* A path no route takes. */
	r = http_get(NULL, "/no/such/path");
	assert_status(r, 404);
	resp_free(r);

	posts = requests(&b, "/v1/orders", "POST", "2xx", "acme");
	unmatched = requests(&b, "unmatched", "GET", "4xx", "");
	settle(&a, &b);
	check(requests(&a, "/v1/orders", "POST", "2xx", "acme") == posts + 5,
	      "acme's orders: %g before, %g after five",
	      posts, requests(&a, "/v1/orders", "POST", "2xx", "acme"));
	check(requests(&a, "/v1/orders", "POST", "2xx", "globex") ==
		      requests(&b, "/v1/orders", "POST", "2xx", "globex") + 1,
	      "globex's orders are not one more");
	check(requests(&a, "/v1/orders", "POST", "4xx", "acme") ==
		      requests(&b, "/v1/orders", "POST", "4xx", "acme"),
	      "acme's orders counted as refused");
	gets = requests(&b, "/v1/orders/*", "GET", "2xx", "acme");
	check(requests(&a, "/v1/orders/*", "GET", "2xx", "acme") == gets + 1,
	      "the read of an order is not counted under /v1/orders/*");
	none = requests(&b, "/v1/orders", "POST", "4xx", "");
	check(requests(&a, "/v1/orders", "POST", "4xx", "") == none + 1,
	      "a request with no key is not counted under tenant \"\"");
	check(requests(&a, "unmatched", "GET", "4xx", "") == unmatched + 1,
	      "a path no route takes is not counted as unmatched");

	/* Each route its latency histogram, counting what it answered. */
	held_lat = latency_count(&b, "/v1/orders", "POST", "acme");
	check(latency_count(&a, "/v1/orders", "POST", "acme") ==
		      held_lat + 5,
	      "acme's POST /v1/orders latencies: %g before, %g after",
	      held_lat, latency_count(&a, "/v1/orders", "POST", "acme"));
	check(latency_count(&a, "/v1/orders/*", "GET", "acme") >= 1 &&
		      latency_count(&a, "/v1/orders", "POST", "globex") >= 1 &&
		      latency_count(&a, "/metrics", "GET", "") >= 1,
	      "a route answered has no latency histogram:\n%s", a.text);

	/* Intake, by channel. */
	check(intake(&a, "acme", "prom-web") == intake(&b, "acme", "prom-web") +
							 3,
	      "acme's prom-web orders: %g", intake(&a, "acme", "prom-web"));
	check(intake(&a, "acme", "prom-phone") ==
		      intake(&b, "acme", "prom-phone") + 2,
	      "acme's prom-phone orders: %g",
	      intake(&a, "acme", "prom-phone"));
	check(intake(&a, "globex", "prom-web") ==
		      intake(&b, "globex", "prom-web") + 1,
	      "globex's prom-web orders: %g",
	      intake(&a, "globex", "prom-web"));
	check(intake(&a, "globex", "prom-phone") == 0,
	      "globex counted acme's channel");
	check(intake_all(&a, "acme") == intake_all(&b, "acme") + 5 &&
		      intake_all(&a, "globex") == intake_all(&b, "globex") + 1,
	      "orders counted in other channels: acme %g, globex %g",
	      intake_all(&a, "acme") - intake_all(&b, "acme"),
	      intake_all(&a, "globex") - intake_all(&b, "globex"));

	/* The six orders were committed: the batches counted grow, by at
	 * least six writes. */
	commits = value(&a, "ordo_store_commit_batch_writes_count", NULL);
	check(commits > value(&b, "ordo_store_commit_batch_writes_count", NULL),
	      "no committed batch counted");
	check(commits == value(&a, "ordo_store_commits_total", NULL),
	      "batches in the histogram: %g, commits: %g", commits,
	      value(&a, "ordo_store_commits_total", NULL));
	batch_sum = value(&a, "ordo_store_commit_batch_writes_sum", NULL) -
		    value(&b, "ordo_store_commit_batch_writes_sum", NULL);
	check(batch_sum >= 6, "the batches carried %g writes", batch_sum);
	check(value(&a, "ordo_store_commit_duration_seconds_count", NULL) ==
		      commits,
	      "commit times counted apart from the commits");
	for (i = 0; i < 6; i++)
		free(ids[i]);
	expo_free(&a);
	expo_free(&b);
}

/* Orders taken in by a CSV import count in their channel as the others
 * do: the count is of what was committed, whatever way it came in. */
API_TEST(imported_orders_are_counted_in_their_channel)
{
	static const char map[] =
		"{\"kind\": \"csv\", \"name\": \"prom-csv\", \"map\": "
		"{\"columns\": {\"external_id\": \"Order\", \"sku\": \"SKU\", "
		"\"quantity\": \"Qty\", \"unit_price\": \"Price\", "
		"\"ship_to_name\": \"Name\", \"customer_name\": \"Name\", "
		"\"ship_to_line1\": \"Street\", \"ship_to_city\": \"City\", "
		"\"ship_to_region\": \"State\", \"ship_to_postal_code\": "
		"\"Zip\", \"ship_to_country\": \"Country\"}, "
		"\"currency\": \"USD\"}}";
	static const char file[] =
		"Order,SKU,Qty,Price,Name,Street,City,State,Zip,Country\n"
		"PC-1,MUG-12OZ,1,12.50,Ann Lee,1 Main St,Springfield,IL,62701,"
		"US\n"
		"PC-2,MUG-12OZ,2,12.50,Bo Ma,2 Main St,Springfield,IL,62701,"
		"US\n";
	const char *csv[] = {"Content-Type: text/csv", NULL};
	struct expo a, b;
	struct resp *r;
	double before;

	r = http("POST", "/v1/channels", acme(), map, strlen(map), NULL);
	assert_status(r, 201);
	resp_free(r);
	scrape(&b);
	before = value(&b, "ordo_intake_orders_total", "tenant", "acme",
		       "channel", "prom-csv", NULL);
	r = http("POST", "/v1/imports?channel=prom-csv", acme(), file,
		 sizeof(file) - 1, csv);
	assert_status(r, 202);
	resp_free(r);
	check(reach(&a, before + 2, "ordo_intake_orders_total", "tenant",
		    "acme", "channel", "prom-csv", NULL) == before + 2,
	      "the imported orders are not counted in their channel");
	expo_free(&a);
	expo_free(&b);
}

/* An idempotent retry is the same order: counted once. */
API_TEST(a_replayed_order_is_not_counted_again)
{
	const char *headers[] = {"Idempotency-Key: prom-replay-1", NULL};
	json_t *o = order_new("prom-replay-1");
	char *body;
	struct resp *r;
	struct expo a, b;
	double posts;

	jset(o, "channel", json_string("prom-replay"));
	body = json_dumps(o, JSON_COMPACT);
	quiet(&b);
	posts = requests(&b, "/v1/orders", "POST", "2xx", "acme");
	r = http("POST", "/v1/orders", acme(), body, strlen(body), headers);
	assert_status(r, 201);
	resp_free(r);
	r = http("POST", "/v1/orders", acme(), body, strlen(body), headers);
	assert_status(r, 201);
	resp_free(r);
	reach(&a, posts + 2, "ordo_http_requests_total", "route", "/v1/orders",
	      "method", "POST", "code", "2xx", "tenant", "acme", NULL);
	check(requests(&a, "/v1/orders", "POST", "2xx", "acme") == posts + 2,
	      "two answers, %g counted",
	      requests(&a, "/v1/orders", "POST", "2xx", "acme") - posts);
	check(intake(&a, "acme", "prom-replay") ==
		      intake(&b, "acme", "prom-replay") + 1,
	      "one order, %g taken in", intake(&a, "acme", "prom-replay"));
	check(intake_all(&a, "acme") == intake_all(&b, "acme") + 1,
	      "one order, %g counted in acme's channels",
	      intake_all(&a, "acme") - intake_all(&b, "acme"));
	free(body);
	json_decref(o);
	expo_free(&a);
	expo_free(&b);
}

API_TEST(a_held_order_is_in_the_review_queue_gauges)
{
	struct expo a, b, c, d;
	json_t *o = order_one_line("prom-held-1", "PROM-NO-SUCH-SKU", 1, PRICE);
	json_t *got;
	char *id, hold[64];
	struct resp *r;
	double depth, open, overdue, raised, resolved;

	scrape(&b);
	raised = value(&b, "ordo_holds_raised_total", "tenant", "acme", "type",
		       "unknown_sku", NULL);
	resolved = value(&b, "ordo_holds_resolved_total", "tenant", "acme",
			 "type", "unknown_sku", NULL);
	depth = value(&b, "ordo_review_queue_depth", "tenant", "acme", NULL);
	open = value(&b, "ordo_holds_open", "tenant", "acme", "type",
		     "unknown_sku", NULL);
	overdue = value(&b, "ordo_review_queue_overdue", "tenant", "acme",
			NULL);
	id = order_create(acme(), o);
	json_decref(o);
	got = order_fetch(acme(), id);
	hold_id_of(got, "unknown_sku", hold, sizeof(hold));
	json_decref(got);

	/* Read from the database: there as soon as the order is. */
	scrape(&a);
	check(value(&a, "ordo_review_queue_depth", "tenant", "acme", NULL) ==
		      depth + 1,
	      "acme's queue: %g before, %g after a held order", depth,
	      value(&a, "ordo_review_queue_depth", "tenant", "acme", NULL));
	check(value(&a, "ordo_holds_open", "tenant", "acme", "type",
		    "unknown_sku", NULL) == open + 1,
	      "acme's unknown_sku holds are not one more");
	check(value(&a, "ordo_review_queue_overdue", "tenant", "acme",
		    NULL) == overdue,
	      "a hold just raised is overdue");
	/* Counted as committed: one raised, none resolved yet. */
	check(value(&a, "ordo_holds_raised_total", "tenant", "acme", "type",
		    "unknown_sku", NULL) == raised + 1 &&
		      value(&a, "ordo_holds_resolved_total", "tenant", "acme",
			    "type", "unknown_sku", NULL) == resolved,
	      "holds raised %g (was %g), resolved %g (was %g)",
	      value(&a, "ordo_holds_raised_total", "tenant", "acme", "type",
		    "unknown_sku", NULL),
	      raised,
	      value(&a, "ordo_holds_resolved_total", "tenant", "acme", "type",
		    "unknown_sku", NULL),
	      resolved);
	check(value(&a, "ordo_review_queue_depth", "tenant", "globex",
		    NULL) ==
		      value(&b, "ordo_review_queue_depth", "tenant", "globex",
			    NULL),
	      "globex's queue moved with acme's");

	/* Past every hold type's time (a day at most, by default), every
	 * open hold is overdue. */
	harness_clock_advance(2 * 24 * 3600);
	scrape(&c);
	check(value(&c, "ordo_review_queue_overdue", "tenant", "acme",
		    NULL) ==
		      value(&c, "ordo_review_queue_depth", "tenant", "acme",
			    NULL),
	      "acme: %g overdue of %g open two days later",
	      value(&c, "ordo_review_queue_overdue", "tenant", "acme", NULL),
	      value(&c, "ordo_review_queue_depth", "tenant", "acme", NULL));
	check(value(&c, "ordo_holds_overdue", "tenant", "acme", "type",
		    "unknown_sku", NULL) == open + 1,
	      "acme's unknown_sku holds are not all overdue");

	/* Resolved, it leaves the queue. */
	r = hold_resolve(acme(), hold, "cancel_order", "a test order", NULL);
	assert_status(r, 200);
	resp_free(r);
	scrape(&d);
	check(value(&d, "ordo_review_queue_depth", "tenant", "acme", NULL) ==
		      depth,
	      "acme's queue after the resolution: %g, before the order: %g",
	      value(&d, "ordo_review_queue_depth", "tenant", "acme", NULL),
	      depth);
	check(value(&d, "ordo_holds_open", "tenant", "acme", "type",
		    "unknown_sku", NULL) == open,
	      "the resolved hold is still counted open");
	check(value(&d, "ordo_holds_resolved_total", "tenant", "acme", "type",
		    "unknown_sku", NULL) == resolved + 1 &&
		      value(&d, "ordo_holds_raised_total", "tenant", "acme",
			    "type", "unknown_sku", NULL) == raised + 1,
	      "the resolution is not counted once");
	free(id);
	expo_free(&a);
	expo_free(&b);
	expo_free(&c);
	expo_free(&d);
}

/* The channels the tenant's intake names ("_other" aside). */
static size_t channels_named(const struct expo *e, const char *tenant)
{
	size_t n = 0, i;

	for (i = 0; i < e->n; i++)
		n += streq(e->s[i].name, "ordo_intake_orders_total") &&
		     streq(label_of(&e->s[i], "tenant"), tenant) &&
		     !streq(label_of(&e->s[i], "channel"), "_other");
	return n;
}

/* Past API_METRICS_CHANNELS (16) channels of one tenant, the orders of
 * any other count under channel "_other". */
API_TEST(channels_past_the_limit_count_as_other)
{
	struct expo a, b;
	size_t named_before, named_after, i;
	double other, taken;
	char ext[32], channel[32];

	scrape(&b);
	named_before = channels_named(&b, "globex");
	other = intake(&b, "globex", "_other");
	for (i = 0; i < 17; i++) {
		snprintf(ext, sizeof(ext), "prom-chan-%zu", i);
		snprintf(channel, sizeof(channel), "prom-chan-%zu", i);
		free(order_on(globex(), ext, channel));
	}
	scrape(&a);
	/* Every order is counted, under its channel or "_other". */
	for (long until = harness_now_ms() + 10000;;) {
		taken = intake(&a, "globex", "_other") - other;
		for (i = 0; i < 17; i++) {
			snprintf(channel, sizeof(channel), "prom-chan-%zu", i);
			taken += intake(&a, "globex", channel);
		}
		if (taken >= 17 || harness_now_ms() > until)
			break;
		expo_free(&a);
		harness_sleep_ms(50);
		scrape(&a);
	}
	check(taken == 17, "17 orders, %g counted", taken);
	named_after = channels_named(&a, "globex");
	check(named_after == 16, "globex names %zu channels (%zu before)",
	      named_after, named_before);
	check(intake(&a, "globex", "_other") ==
		      other + (double)(named_before + 17 - 16),
	      "globex's other channels: %g",
	      intake(&a, "globex", "_other"));
	expo_free(&a);
	expo_free(&b);
}

/* A port nothing listens on: a receiver that refuses every connection. */
static int dead_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int port;

	assert_true(fd >= 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

API_TEST(a_dead_receivers_failures_and_backlog_are_counted)
{
	struct expo a;
	char body[256], hook[64], path[96];
	struct resp *r;
	double failed, pending;

	snprintf(body, sizeof(body),
		 "{\"url\": \"http://127.0.0.1:%d/hook\", "
		 "\"events\": [\"order.accepted\"]}",
		 dead_port());
	r = http("POST", "/v1/webhooks", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	snprintf(hook, sizeof(hook), "%s", jstr(r->json, "id"));
	resp_free(r);
	free(order_on(acme(), "prom-hook-1", "web"));

	failed = reach(&a, 1, "ordo_webhook_delivery_failures_total",
		       "tenant", "acme", "webhook", hook, NULL);
	check(failed >= 1, "no failed attempt counted for %s:\n%s", hook,
	      a.text);
	pending = value(&a, "ordo_webhook_deliveries_pending", "tenant",
			"acme", "webhook", hook, NULL);
	check(pending >= 1, "%s has %g deliveries pending", hook, pending);
	check(has(&a, "ordo_webhook_paused", "webhook", hook) &&
		      value(&a, "ordo_webhook_paused", "tenant", "acme",
			    "webhook", hook, NULL) == 0,
	      "%s is not shown active", hook);
	expo_free(&a);

	/* Deleted, it waits for nothing. */
	snprintf(path, sizeof(path), "/v1/webhooks/%s", hook);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	check(r->status == 200 || r->status == 204, "delete: %ld",
	      r->status);
	resp_free(r);
	scrape(&a);
	check(!has(&a, "ordo_webhook_deliveries_pending", "webhook", hook),
	      "a deleted webhook's backlog is still shown");
	expo_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_text_is_prometheus_text),
		cmocka_unit_test(
			requests_and_intake_are_counted_by_route_tenant_and_channel),
		cmocka_unit_test(a_replayed_order_is_not_counted_again),
		cmocka_unit_test(imported_orders_are_counted_in_their_channel),
		cmocka_unit_test(a_held_order_is_in_the_review_queue_gauges),
		cmocka_unit_test(channels_past_the_limit_count_as_other),
		cmocka_unit_test(
			a_dead_receivers_failures_and_backlog_are_counted),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
