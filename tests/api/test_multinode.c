/*
 * test_multinode.c - two ordo nodes on one PostgreSQL database behave as
 * one, alone and behind nginx (with docs/nginx-ordo.conf).
 *
 *   oversell      64 orders for the last 10 units, spread over both nodes
 *   duplicates    the same channel + external id, the same Idempotency-Key
 *                 and the same content, sent to both nodes at once
 *   outbox        every event delivered once, whichever node sends it
 *   group commit  concurrent writes share commits on each node
 *   lock order    orders crossing on shared SKUs at both nodes never
 *                 deadlock
 *   nginx         requests through nginx reach both nodes and work
 *   claim race    32 agents, half on each node, claim one hold at once:
 *                 exactly one wins
 *
 * SQLite is one machine's database: on that backend these tests skip.
 */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define PRICE "10.00"
#define CLIENTS 64
#define WAIT_MS 20000

static struct ordo_node node_b;

static const char *acme(void)
{
	return srv->key_acme;
}

static bool on_postgres(void)
{
	const char *db = getenv("ORDO_TEST_DB");

	return db && strncmp(db, "postgres", 8) == 0;
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc || !on_postgres())
		return rc;
	return harness_node_start(&node_b, NULL);
}

static int group_teardown(void **state)
{
	int b = harness_node_stop(&node_b);
	int rc = harness_group_teardown(state);

	if (b)
		fprintf(stderr, "node B exited with %d\n", b);
	return rc ? rc : b;
}

/* The node the i-th client talks to: alternately A and B. */
static const char *node_url(int i)
{
	return i % 2 ? node_b.base_url : srv->base_url;
}

struct client {
	pthread_t thread;
	pthread_barrier_t *start;
	int index;
	const char *body;
	const char *idem; /* Idempotency-Key or NULL */
	long status;
	char id[64];
	char state[32];
	long open;
};

static void *client_run(void *arg)
{
	struct client *c = arg;
	char header[160];
	const char *headers[] = {header, NULL};
	struct resp *r;

	snprintf(header, sizeof(header), "Idempotency-Key: %s",
		 c->idem ? c->idem : "");
	pthread_barrier_wait(c->start);
	r = http_at(node_url(c->index), "POST", "/v1/orders", acme(), c->body,
		    strlen(c->body), c->idem ? headers : NULL);
	c->status = r->status;
	if (r->json) {
		snprintf(c->id, sizeof(c->id), "%s", jstr(r->json, "id"));
		snprintf(c->state, sizeof(c->state), "%s",
			 jstr(r->json, "state"));
		c->open = order_units(r->json, "open", NULL);
	}
	resp_free(r);
	return NULL;
}

/* Fire n clients at once, each with bodies[i]. */
static void fire(struct client *cl, int n, char **bodies, const char *idem)
{
	pthread_barrier_t start;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].start = &start;
		cl[i].index = i;
		cl[i].body = bodies[i];
		cl[i].idem = idem;
		pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(cl[i].thread, NULL);
	pthread_barrier_destroy(&start);
}

static char *order_body(const char *ext, const char *sku, long qty)
{
	json_t *o = order_one_line(ext, sku, qty, PRICE);
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text;
}

API_TEST(no_oversell_across_nodes)
{
	struct client cl[CLIENTS];
	char *bodies[CLIENTS], ext[64];
	long allocated = 0, backordered = 0;
	json_t *stock;
	int i;

	if (!on_postgres())
		skip();
	make_sku(acme(), "MN-LAST", "Last units", PRICE, 1);
	make_location_serving(acme(), "MN-WH", 1, NULL);
	set_stock(acme(), "MN-WH", "MN-LAST", 10);
	for (i = 0; i < CLIENTS; i++) {
		snprintf(ext, sizeof(ext), "MN-LAST-%d", i);
		bodies[i] = order_body(ext, "MN-LAST", 1);
	}
	fire(cl, CLIENTS, bodies, NULL);
	for (i = 0; i < CLIENTS; i++) {
		check(cl[i].status == 201, "client %d (node %c): status %ld",
		      i, i % 2 ? 'B' : 'A', cl[i].status);
		if (cl[i].open == 0)
			allocated++;
		else
			backordered++;
		free(bodies[i]);
	}
	check(allocated == 10 && backordered == CLIENTS - 10,
	      "%ld orders got a unit and %ld were backordered; want 10 and "
	      "%d",
	      allocated, backordered, CLIENTS - 10);
	stock = stock_get(acme(), "MN-LAST");
	check(stock_figure(acme(), "MN-LAST", "MN-WH", "reserved") == 10 &&
		      stock_figure(acme(), "MN-LAST", "MN-WH", "on_hand") == 10,
	      "reserved and on_hand must both be 10");
	json_decref(stock);
}

API_TEST(duplicates_hold_across_nodes)
{
	struct client cl[16];
	char *bodies[16], *same, idem[64];
	int i, created = 0, clean = 0, suspects = 0;

	if (!on_postgres())
		skip();
	make_sku(acme(), "MN-DUP", "Duplicate widget", PRICE, 1);
	make_location_serving(acme(), "MN-WH", 1, NULL);
	set_stock(acme(), "MN-WH", "MN-DUP", 1000);

	/* The same channel and external id, to both nodes at once. */
	same = order_body("MN-SAME-EXT", "MN-DUP", 1);
	for (i = 0; i < 16; i++)
		bodies[i] = same;
	fire(cl, 16, bodies, NULL);
	for (i = 0; i < 16; i++) {
		check(cl[i].status == 201 || cl[i].status == 200,
		      "client %d: %ld", i, cl[i].status);
		created += cl[i].status == 201;
		check(streq(cl[i].id, cl[0].id), "client %d got order %s, "
		      "not %s", i, cl[i].id, cl[0].id);
	}
	check(created == 1, "%d orders were created, not 1", created);
	check(orders_count(acme(), "external_id=MN-SAME-EXT") == 1,
	      "more than one order stored");
	free(same);

	/* The same Idempotency-Key, to both nodes at once. */
	same = order_body("MN-IDEM", "MN-DUP", 1);
	for (i = 0; i < 16; i++)
		bodies[i] = same;
	snprintf(idem, sizeof(idem), "mn-idem-%ld", (long)getpid());
	fire(cl, 16, bodies, idem);
	for (i = 0; i < 16; i++) {
		check(cl[i].status == 201, "client %d: %ld (a replay answers "
		      "the first answer, 201)", i, cl[i].status);
		check(streq(cl[i].id, cl[0].id), "client %d got %s, not %s",
		      i, cl[i].id, cl[0].id);
	}
	check(orders_count(acme(), "external_id=MN-IDEM") == 1,
	      "more than one order stored for one key");
	free(same);

	/* The same content under different external ids. */
	for (i = 0; i < 16; i++) {
		json_t *o = order_one_line("x", "MN-DUP", 3, PRICE);
		char ext[32];

		snprintf(ext, sizeof(ext), "MN-CONTENT-%d", i);
		jset(o, "external_id", json_string(ext));
		jset(o, "customer.email", json_string("same@example.com"));
		jset(o, "ship_to.line1", json_string("9 Same Street"));
		jset(o, "ship_to.line2", json_string("Floor 2"));
		bodies[i] = json_dumps(o, JSON_COMPACT);
		json_decref(o);
	}
	fire(cl, 16, bodies, NULL);
	for (i = 0; i < 16; i++) {
		check(cl[i].status == 201, "client %d: %ld", i, cl[i].status);
		if (streq(cl[i].state, "on_hold"))
			suspects++;
		else
			clean++;
		free(bodies[i]);
	}
	check(clean == 1 && suspects == 15,
	      "%d clean and %d held; want 1 clean and 15 duplicate suspects",
	      clean, suspects);
}

/* ---- a webhook receiver counting deliveries ----------------------------- */

#define MAX_SEEN 4096

static struct {
	pthread_mutex_t mu;
	char ids[MAX_SEEN][48];
	int n;
	int dup;
} seen = {.mu = PTHREAD_MUTEX_INITIALIZER};

static enum MHD_Result on_delivery(void *cls, struct MHD_Connection *conn,
				   const char *url, const char *method,
				   const char *version, const char *data,
				   size_t *size, void **ctx)
{
	static int marker;
	const char *id;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	int i;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)data;
	if (!*ctx) {
		*ctx = &marker;
		return MHD_YES;
	}
	if (*size) {
		*size = 0;
		return MHD_YES;
	}
	id = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					 "X-Ordo-Delivery-Id");
	pthread_mutex_lock(&seen.mu);
	for (i = 0; id && i < seen.n; i++)
		if (strcmp(seen.ids[i], id) == 0)
			seen.dup++;
	if (id && seen.n < MAX_SEEN)
		snprintf(seen.ids[seen.n++], sizeof(seen.ids[0]), "%s", id);
	pthread_mutex_unlock(&seen.mu);
	resp = MHD_create_response_from_buffer(0, (void *)"",
					       MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(conn, 200, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* 127.0.0.1, any free port. */
static struct sockaddr *loopback(void)
{
	static struct sockaddr_in a;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	return (struct sockaddr *)&a;
}

static size_t deliveries_listed(const char *status)
{
	char path[128];
	json_t *all;
	size_t n;

	snprintf(path, sizeof(path), "/v1/webhooks/deliveries?status=%s",
		 status);
	all = list_all(acme(), path, "deliveries", 200);
	n = json_array_size(all);
	json_decref(all);
	return n;
}

API_TEST(each_event_is_delivered_by_one_node)
{
	struct MHD_Daemon *d;
	struct client cl[32];
	char *bodies[32], ext[32], url[64], body[256];
	struct resp *r;
	long deadline;
	size_t pending = 1, delivered = 0;
	int i, port = 0;

	if (!on_postgres())
		skip();
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION,
			     0, NULL, NULL, on_delivery, NULL,
			     MHD_OPTION_SOCK_ADDR, loopback(), MHD_OPTION_END);
	assert_non_null(d);
	port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/hook", port);
	snprintf(body, sizeof(body),
		 "{\"url\": \"%s\", \"events\": [\"order.accepted\", "
		 "\"order.allocated\", \"fulfillment.released\"]}",
		 url);
	r = http("POST", "/v1/webhooks", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);

	make_sku(acme(), "MN-HOOK", "Hooked widget", PRICE, 1);
	make_location_serving(acme(), "MN-WH", 1, NULL);
	set_stock(acme(), "MN-WH", "MN-HOOK", 1000);
	for (i = 0; i < 32; i++) {
		snprintf(ext, sizeof(ext), "MN-HOOK-%d", i);
		bodies[i] = order_body(ext, "MN-HOOK", 1);
	}
	fire(cl, 32, bodies, NULL);
	for (i = 0; i < 32; i++) {
		check(cl[i].status == 201, "client %d: %ld", i, cl[i].status);
		free(bodies[i]);
	}
	deadline = harness_now_ms() + WAIT_MS;
	while (harness_now_ms() < deadline &&
	       (pending = deliveries_listed("pending")) > 0)
		harness_sleep_ms(100);
	delivered = deliveries_listed("delivered");
	MHD_stop_daemon(d);
	check(pending == 0, "%zu deliveries still pending", pending);
	check(delivered == 32 * 3, "%zu delivered, want %d", delivered,
	      32 * 3);
	pthread_mutex_lock(&seen.mu);
	check(seen.n == 32 * 3 && seen.dup == 0,
	      "the receiver got %d deliveries with %d repeats; want %d, "
	      "none repeated (two nodes sent the same one)",
	      seen.n, seen.dup, 32 * 3);
	pthread_mutex_unlock(&seen.mu);
	r = http("GET", "/v1/webhooks", acme(), NULL, 0, NULL);
	/* Stop this webhook from seeing later tests' orders. */
	if (r->json) {
		json_t *w = json_array_get(json_object_get(r->json, "webhooks"),
					   0);
		char path[96];

		snprintf(path, sizeof(path), "/v1/webhooks/%s",
			 jstr(w, "id"));
		resp_free(http("DELETE", path, acme(), NULL, 0, NULL));
	}
	resp_free(r);
}

static long metric(const char *base_url, const char *name)
{
	struct resp *r = http_at(base_url, "GET", "/metrics", NULL, NULL, 0,
				 NULL);
	const char *p = r->body ? strstr(r->body, name) : NULL;
	long v = -1;

	while (p && p > r->body && p[-1] != '\n')
		p = strstr(p + 1, name);
	if (p)
		v = strtol(p + strlen(name) + 1, NULL, 10);
	resp_free(r);
	return v;
}

API_TEST(group_commit_works_on_each_node)
{
	const char *nodes[2];
	struct client cl[CLIENTS];
	char *bodies[CLIENTS], ext[32];
	int k, i;

	if (!on_postgres())
		skip();
	nodes[0] = srv->base_url;
	nodes[1] = node_b.base_url;
	make_sku(acme(), "MN-GC", "Group commit widget", PRICE, 1);
	make_location_serving(acme(), "MN-WH", 1, NULL);
	set_stock(acme(), "MN-WH", "MN-GC", 100000);
	for (k = 0; k < 2; k++) {
		long jobs0 = metric(nodes[k], "ordo_store_write_jobs_total");
		long commits0 = metric(nodes[k], "ordo_store_commits_total");
		long jobs, commits;

		for (i = 0; i < CLIENTS; i++) {
			snprintf(ext, sizeof(ext), "MN-GC-%d-%d", k, i);
			bodies[i] = order_body(ext, "MN-GC", 1);
		}
		/* Every client of this round talks to node k. */
		{
			pthread_barrier_t start;

			pthread_barrier_init(&start, NULL, CLIENTS);
			for (i = 0; i < CLIENTS; i++) {
				memset(&cl[i], 0, sizeof(cl[i]));
				cl[i].start = &start;
				cl[i].index = k; /* node_url(k) */
				cl[i].body = bodies[i];
				pthread_create(&cl[i].thread, NULL,
					       client_run, &cl[i]);
			}
			for (i = 0; i < CLIENTS; i++)
				pthread_join(cl[i].thread, NULL);
			pthread_barrier_destroy(&start);
		}
		for (i = 0; i < CLIENTS; i++) {
			check(cl[i].status == 201, "node %d client %d: %ld",
			      k, i, cl[i].status);
			free(bodies[i]);
		}
		jobs = metric(nodes[k], "ordo_store_write_jobs_total") - jobs0;
		commits = metric(nodes[k], "ordo_store_commits_total") -
			  commits0;
		check(jobs >= CLIENTS && commits < jobs,
		      "node %d: %ld writes took %ld commits; concurrent "
		      "writes must share commits",
		      k, jobs, commits);
	}
}

/*
 * Orders whose lines share SKUs in crossing orders, sent to both nodes at
 * once: each node's batch locks the stock of several SKUs, and two
 * batches taking them in the order of their lines wait on each other in a
 * cycle that PostgreSQL breaks only after its deadlock timeout, again and
 * again. Every batch takes its stock locks in one order: no write loses a
 * deadlock, so none is run again.
 */
#define CROSS_SKUS 12
#define CROSS_LINES 4
#define CROSS_ROUNDS 4

API_TEST(crossing_orders_never_deadlock)
{
	struct client cl[CLIENTS];
	char *bodies[CLIENTS], ext[32], sku[32];
	long retries0, retries;
	int r, i, j;

	if (!on_postgres())
		skip();
	make_location_serving(acme(), "MN-WH", 1, NULL);
	for (i = 0; i < CROSS_SKUS; i++) {
		snprintf(sku, sizeof(sku), "MN-X-%d", i);
		make_sku(acme(), sku, "Crossing widget", PRICE, 1);
		set_stock(acme(), "MN-WH", sku, 100000);
	}
	retries0 = metric(srv->base_url, "ordo_store_write_retries_total") +
		   metric(node_b.base_url, "ordo_store_write_retries_total");
	for (r = 0; r < CROSS_ROUNDS; r++) {
		for (i = 0; i < CLIENTS; i++) {
			json_t *o;

			snprintf(ext, sizeof(ext), "MN-X-%d-%d", r, i);
			o = order_new(ext);
			json_array_clear(json_object_get(o, "lines"));
			for (j = 0; j < CROSS_LINES; j++) {
				/* Distinct SKUs, every other order's in
				 * reverse. */
				int k = i % 2 ? CROSS_LINES - 1 - j : j;

				snprintf(sku, sizeof(sku), "MN-X-%d",
					 (i + r + 3 * k) % CROSS_SKUS);
				order_add_line(o, sku, 1, PRICE);
			}
			bodies[i] = json_dumps(o, JSON_COMPACT);
			json_decref(o);
		}
		fire(cl, CLIENTS, bodies, NULL);
		for (i = 0; i < CLIENTS; i++) {
			check(cl[i].status == 201 && cl[i].open == 0,
			      "round %d client %d (node %c): status %ld, %ld "
			      "units open",
			      r, i, i % 2 ? 'B' : 'A', cl[i].status,
			      cl[i].open);
			free(bodies[i]);
		}
	}
	retries = metric(srv->base_url, "ordo_store_write_retries_total") +
		  metric(node_b.base_url, "ordo_store_write_retries_total") -
		  retries0;
	check(retries == 0,
	      "%ld writes lost a deadlock or a lock wait and ran again", retries);
}

/* ---- nginx in front of both nodes ---------------------------------------- */

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = calloc(1, (size_t)n + 1);
	if (text && fread(text, 1, (size_t)n, f) != (size_t)n) {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

/* Replace every `from` in *text with `to`. */
static void replace_all(char **text, const char *from, const char *to)
{
	size_t flen = strlen(from), tlen = strlen(to), n = 0;
	char *p, *out, *o;

	for (p = strstr(*text, from); p; p = strstr(p + flen, from))
		n++;
	out = malloc(strlen(*text) + n * (tlen + 1) + 1);
	assert_non_null(out);
	o = out;
	for (p = *text;;) {
		char *hit = strstr(p, from);

		if (!hit) {
			memcpy(o, p, strlen(p) + 1);
			break;
		}
		memcpy(o, p, (size_t)(hit - p));
		o += hit - p;
		memcpy(o, to, tlen);
		o += tlen;
		p = hit + flen;
	}
	free(*text);
	*text = out;
}

static int free_port(void)
{
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_delivery,
		NULL, MHD_OPTION_SOCK_ADDR, loopback(), MHD_OPTION_END);
	int port;

	if (!d)
		return -1;
	port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	MHD_stop_daemon(d);
	return port;
}

API_TEST(nginx_in_front_of_two_nodes)
{
	char dir[96], conf_path[160], listen[64], a[64], b[64], url[80];
	char ids[20][40];
	char *conf;
	const char *nginx = "/usr/sbin/nginx";
	long a0, b0, a1, b1;
	pid_t pid;
	int port, i, ok = 0;

	if (!on_postgres())
		skip();
	conf = read_file(ORDO_SOURCE_DIR "/docs/nginx-ordo.conf");
	check(conf != NULL, "cannot read docs/nginx-ordo.conf");
	check(access(nginx, X_OK) == 0, "nginx is not installed (%s)", nginx);
	snprintf(dir, sizeof(dir), "%s/nginx", srv->dir);
	mkdir(dir, 0777);
	chmod(dir, 0777);
	port = free_port();
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(a, sizeof(a), "127.0.0.1:%d", srv->port);
	snprintf(b, sizeof(b), "127.0.0.1:%d", node_b.port);
	replace_all(&conf, "127.0.0.1:8080", listen);
	replace_all(&conf, "127.0.0.1:8081", a);
	replace_all(&conf, "127.0.0.1:8082", b);
	replace_all(&conf, "/var/lib/ordo-nginx", dir);
	snprintf(conf_path, sizeof(conf_path), "%s/nginx.conf", dir);
	{
		FILE *f = fopen(conf_path, "w");

		assert_non_null(f);
		fputs(conf, f);
		fclose(f);
	}
	free(conf);

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		execl(nginx, "nginx", "-c", conf_path, "-p", dir, "-g",
		      geteuid() == 0 ? "daemon off; user root;" : "daemon off;",
		      (char *)NULL);
		_exit(127);
	}
	snprintf(url, sizeof(url), "http://%s", listen);
	for (i = 0; i < 100 && !ok; i++) {
		struct resp *r = http_at(url, "GET", "/healthz", NULL, NULL, 0,
					 NULL);

		ok = r->status == 200;
		resp_free(r);
		if (!ok)
			harness_sleep_ms(50);
	}
	if (!ok) {
		char *log;

		snprintf(conf_path, sizeof(conf_path), "%s/error.log", dir);
		log = read_file(conf_path);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		fail_msg("nginx did not come up: %s", log ? log : "(no log)");
	}

	make_sku(acme(), "MN-NGX", "Proxied widget", PRICE, 1);
	make_location_serving(acme(), "MN-WH", 1, NULL);
	set_stock(acme(), "MN-WH", "MN-NGX", 1000);
	a0 = metric(srv->base_url, "ordo_store_write_jobs_total");
	b0 = metric(node_b.base_url, "ordo_store_write_jobs_total");
	for (i = 0; i < 20; i++) {
		char ext[32], *body;
		struct resp *r;

		snprintf(ext, sizeof(ext), "MN-NGX-%d", i);
		body = order_body(ext, "MN-NGX", 1);
		r = http_at(url, "POST", "/v1/orders", acme(), body,
			    strlen(body), NULL);
		free(body);
		check(r->status == 201, "order %d through nginx: %ld %s", i,
		      r->status, r->body ? r->body : "");
		snprintf(ids[i], sizeof(ids[i]), "%s", jstr(r->json, "id"));
		resp_free(r);
	}
	/* Read each back through nginx: whichever node answers. */
	for (i = 0; i < 20; i++) {
		char path[96], ext[32];
		struct resp *g;

		snprintf(ext, sizeof(ext), "MN-NGX-%d", i);
		snprintf(path, sizeof(path), "/v1/orders/%s", ids[i]);
		g = http_at(url, "GET", path, acme(), NULL, 0, NULL);
		check(g->status == 200 &&
			      streq(jstr(g->json, "external_id"), ext),
		      "reading order %d back through nginx: %ld", i,
		      g->status);
		resp_free(g);
	}
	a1 = metric(srv->base_url, "ordo_store_write_jobs_total");
	b1 = metric(node_b.base_url, "ordo_store_write_jobs_total");
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	check(a1 - a0 >= 5 && b1 - b0 >= 5,
	      "nginx must spread the writes over both nodes: node A took "
	      "%ld, node B %ld",
	      a1 - a0, b1 - b0);
}

/* ---- the review queue: one claim across nodes --------------------------- */

#define CLAIMERS 32

struct claimer {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *base_url;
	const char *key;
	const char *path;
	long status;
	char assignee[64];
	char message[512];
};

static void *claimer_run(void *arg)
{
	struct claimer *c = arg;
	struct resp *r;

	pthread_barrier_wait(c->start);
	r = http_at(c->base_url, "POST", c->path, c->key, NULL, 0, NULL);
	c->status = r->status;
	snprintf(c->assignee, sizeof(c->assignee), "%s",
		 jstr(r->json, "assignee") ? jstr(r->json, "assignee") : "");
	snprintf(c->message, sizeof(c->message), "%s",
		 jstr(r->json, "error.message") ? jstr(r->json, "error.message")
						: r->body);
	resp_free(r);
	return NULL;
}

API_TEST(one_claim_wins_across_nodes)
{
	static char keys[CLAIMERS][HARNESS_KEY_MAX];
	struct claimer cl[CLAIMERS];
	pthread_barrier_t start;
	char path[128], hold[64], winner[64] = "";
	json_t *body, *o;
	int i, wins = 0, conflicts = 0;

	if (!on_postgres())
		skip();
	for (i = 0; i < CLAIMERS; i++) {
		char name[32];

		snprintf(name, sizeof(name), "mnagent%d", i);
		key_create("acme", "agent", name, keys[i], sizeof(keys[i]));
	}
	body = order_new("MN-CLAIM-1");
	jset(body, "channel", json_string("mn-claim"));
	jset(body, "ship_to.postal_code", json_string("ABCDE"));
	{
		char *id = order_create(acme(), body);

		o = order_fetch(acme(), id);
		free(id);
	}
	hold_id_of(o, "address_unverifiable", hold, sizeof(hold));
	json_decref(o);
	json_decref(body);
	snprintf(path, sizeof(path), "/v1/holds/%s/claim", hold);

	pthread_barrier_init(&start, NULL, CLAIMERS);
	for (i = 0; i < CLAIMERS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].start = &start;
		cl[i].base_url = node_url(i);
		cl[i].key = keys[i];
		cl[i].path = path;
		pthread_create(&cl[i].thread, NULL, claimer_run, &cl[i]);
	}
	for (i = 0; i < CLAIMERS; i++)
		pthread_join(cl[i].thread, NULL);
	pthread_barrier_destroy(&start);

	for (i = 0; i < CLAIMERS; i++) {
		if (cl[i].status == 200) {
			wins++;
			snprintf(winner, sizeof(winner), "key:mnagent%d", i);
			check(streq(cl[i].assignee, winner),
			      "mnagent%d won but the hold says %s", i,
			      cl[i].assignee);
		} else if (cl[i].status == 409) {
			conflicts++;
		} else {
			fail_msg("mnagent%d (node %c): HTTP %ld: %s", i,
				 i % 2 ? 'B' : 'A', cl[i].status,
				 cl[i].message);
		}
	}
	check(wins == 1 && conflicts == CLAIMERS - 1,
	      "%d claims won and %d got 409 across two nodes; want 1 and %d",
	      wins, conflicts, CLAIMERS - 1);
	for (i = 0; i < CLAIMERS; i++)
		check(cl[i].status == 200 || strstr(cl[i].message, winner),
		      "mnagent%d's 409 must name the holder %s: %s", i, winner,
		      cl[i].message);
	/* Both nodes see the same holder. */
	for (i = 0; i < 2; i++) {
		char q[64];
		struct resp *r;

		snprintf(q, sizeof(q), "/v1/queue?channel=mn-claim");
		r = http_at(node_url(i), "GET", q, acme(), NULL, 0, NULL);
		assert_status(r, 200);
		check(streq(jstr(r->json, "items[0].hold.assignee"), winner),
		      "node %c must show %s holding the hold: %s",
		      i ? 'B' : 'A', winner, r->body);
		resp_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_oversell_across_nodes),
		cmocka_unit_test(duplicates_hold_across_nodes),
		cmocka_unit_test(each_event_is_delivered_by_one_node),
		cmocka_unit_test(group_commit_works_on_each_node),
		cmocka_unit_test(crossing_orders_never_deadlock),
		cmocka_unit_test(nginx_in_front_of_two_nodes),
		cmocka_unit_test(one_claim_wins_across_nodes),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
