/*
 * intake_bench.c - what group commit buys: order intake throughput with many
 * concurrent clients, against one client at a time as the baseline, on the
 * same server and disk in the same run.
 *
 *   bench_intake ORDO_BIN [CLIENTS] [ORDERS_PER_CLIENT]
 *
 * Starts `ordo serve` on a fresh database in a temporary directory, creates a
 * tenant and a SKU, then:
 *   baseline: 1 client sends ORDERS_PER_CLIENT orders, one after another
 *   grouped:  CLIENTS clients each send ORDERS_PER_CLIENT orders at once
 * and prints orders per second of each, their ratio, and commits (fsyncs)
 * per order read from /metrics. Every order is durable when answered, so
 * without group commit the ratio would stay near 1 (one fsync per order).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *base_url;
static char auth_header[160];

struct sink {
	char buf[8192];
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

static long http(CURL *c, const char *method, const char *path,
		 const char *body, struct sink *out)
{
	struct curl_slist *h = NULL;
	char url[256];
	long status = 0;

	snprintf(url, sizeof(url), "%s%s", base_url, path);
	h = curl_slist_append(h, auth_header);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	out->len = 0;
	out->buf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	return status;
}

struct client {
	pthread_t thread;
	int id, orders, round;
	int failures;
};

static void *client_run(void *arg)
{
	struct client *cl = arg;
	CURL *c = curl_easy_init();
	struct sink out;
	char body[1024];
	int i;

	for (i = 0; i < cl->orders; i++) {
		snprintf(body, sizeof(body),
			 "{\"external_id\":\"r%d-c%d-%d\",\"channel\":\"web\","
			 "\"placed_at\":\"2026-11-27T09:00:00Z\",\"currency\":"
			 "\"USD\",\"customer\":{\"name\":\"Client %d\","
			 "\"email\":\"c%d-%d@example.com\"},\"ship_to\":{"
			 "\"name\":\"Client %d\",\"line1\":\"%d Main St\","
			 "\"city\":\"Springfield\",\"region\":\"IL\","
			 "\"postal_code\":\"62701\",\"country\":\"US\"},"
			 "\"lines\":[{\"sku\":\"BENCH-1\",\"quantity\":1,"
			 "\"unit_price\":\"10.00\"}]}",
			 cl->round, cl->id, i, cl->id, cl->id, i, cl->id, i);
		if (http(c, "POST", "/v1/orders", body, &out) != 201)
			cl->failures++;
	}
	curl_easy_cleanup(c);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long metric(CURL *c, const char *name)
{
	struct sink out;
	const char *p;

	http(c, "GET", "/metrics", NULL, &out);
	p = strstr(out.buf, name);
	while (p && (p > out.buf && p[-1] != '\n'))
		p = strstr(p + 1, name);
	return p ? strtoll(p + strlen(name) + 1, NULL, 10) : -1;
}

/* The server under test, stopped on the way out. */
static pid_t pid;

/* Run one round; returns orders per second and sets commits per order. */
static double round_run(CURL *c, int round, int clients, int orders,
			double *commits_per_order)
{
	struct client *cl = calloc((size_t)clients, sizeof(*cl));
	long long commits0 = metric(c, "ordo_store_commits_total"), commits1;
	double t0, t1;
	int i, failures = 0;

	t0 = now_s();
	for (i = 0; i < clients; i++) {
		cl[i] = (struct client){.id = i, .orders = orders,
					.round = round};
		pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
	}
	for (i = 0; i < clients; i++) {
		pthread_join(cl[i].thread, NULL);
		failures += cl[i].failures;
	}
	t1 = now_s();
	commits1 = metric(c, "ordo_store_commits_total");
	free(cl);
	if (failures) {
		/* A figure with failed orders in it measures nothing. */
		fprintf(stderr, "bench: %d orders failed\n", failures);
		kill(pid, SIGTERM);
		exit(1);
	}
	*commits_per_order =
		(double)(commits1 - commits0) / ((double)clients * orders);
	return (double)clients * orders / (t1 - t0);
}

int main(int argc, char **argv)
{
	const char *bin;
	int clients = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 32;
	int orders = argc > 3 ? (int)strtol(argv[3], NULL, 10) : 50;
	char dir[] = "/tmp/ordo-bench-XXXXXX", cmd[512], db[300], key[128];
	char url[64];
	double base, grouped, cpo_base, cpo_grouped;
	struct sink out;
	FILE *p;
	CURL *c;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_intake ORDO_BIN [CLIENTS] "
				"[ORDERS_PER_CLIENT]\n");
		return 2;
	}
	bin = argv[1];
	if (!mkdtemp(dir))
		return 1;
	snprintf(db, sizeof(db), "%s/bench.db", dir);
	snprintf(cmd, sizeof(cmd), "%s tenant create bench --db %s 2>/dev/null",
		 bin, db);
	p = popen(cmd, "r");
	key[0] = '\0';
	while (p && fgets(key, sizeof(key), p))
		;
	if (p)
		pclose(p);
	key[strcspn(key, "\n")] = '\0';
	snprintf(auth_header, sizeof(auth_header), "Authorization: Bearer %s",
		 key);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d",
		 20000 + (int)(getpid() % 20000));
	base_url = url;

	pid = fork();
	if (pid == 0) {
		FILE *devnull = freopen("/dev/null", "w", stderr);

		(void)devnull; /* the server's request log is not the result */
		execl(bin, bin, "serve", "--db", db, "--listen", url + 7,
		      (char *)NULL);
		_exit(127);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	for (i = 0; i < 100 && http(c, "GET", "/healthz", NULL, &out) != 200;
	     i++)
		usleep(50000);
	if (i == 100) {
		fprintf(stderr, "bench: ordo serve did not answer on %s\n",
			url);
		kill(pid, SIGTERM);
		return 1;
	}
	http(c, "POST", "/v1/skus",
	     "{\"sku\":\"BENCH-1\",\"title\":\"Bench\",\"unit_price\":\"10.00\"}",
	     &out);

	base = round_run(c, 1, 1, orders, &cpo_base);
	grouped = round_run(c, 2, clients, orders, &cpo_grouped);

	printf("intake, 1 client (baseline): %8.0f orders/s, %.3f commits "
	       "per order\n",
	       base, cpo_base);
	printf("intake, %d clients:          %8.0f orders/s, %.3f commits "
	       "per order\n",
	       clients, grouped, cpo_grouped);
	printf("ratio (grouped / baseline):  %8.2f x\n", grouped / base);

	curl_easy_cleanup(c);
	curl_global_cleanup();
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
