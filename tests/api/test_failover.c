/*
 * test_failover.c - losing a node, and restarting PostgreSQL, under load:
 * nothing acknowledged is lost or doubled, and the rest keeps working.
 *
 *   a node dies   two nodes on one database; clients post distinct orders
 *                 to both (each with an Idempotency-Key; one that gets no
 *                 answer sends it again to the other node); one node is
 *                 SIGKILLed mid-load. The survivor answers every post
 *                 (201), before and after; every order answered 201 is
 *                 stored exactly once (as is one the dead node stored
 *                 without keeping its answer for the key: sent again, it
 *                 is answered 409 naming the Idempotency-Key). A hold claimed through the dead
 *                 node (lease_s 60) stays claimed until its lease lapses
 *                 on the servers' clock, then another agent claims it
 *                 through the survivor. Webhook deliveries the dead node
 *                 had claimed (it was hanging in the send of the first)
 *                 wait out its lease (nothing is sent meanwhile), are
 *                 then sent by the survivor, and every event is delivered
 *                 once (the one whose send the crash cut, once by the
 *                 survivor).
 *   PostgreSQL    (its own throwaway server, so the shared one the other
 *   restarts      tests use never stops) two nodes under load while
 *                 PostgreSQL is stopped (fast, then immediate: a crash)
 *                 and started again: every answer is 201, 503 with
 *                 Retry-After, or - for an order sent again after a 503
 *                 whose commit was in fact done - 200 naming the order
 *                 stored; never a 500, never slower than REQUEST_MAX_MS;
 *                 only 503 while it is down; only 201/200 once a node's
 *                 /healthz says it is back, without restarting ordo; each
 *                 order ends stored exactly once.
 *
 * Which node dies is the one the outbox chose to send through: the
 * webhook receiver names the process at the other end of each connection
 * (/proc/net/tcp and the nodes' descriptors), so either the group's server
 * or the second node may be the one killed; the survivor serves the rest.
 *
 * SQLite is one machine's database: on that backend these tests skip.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define PRICE "10.00"
#define SKU "FO-1"
#define WAIT_MS 25000
/* The longest a write may take to be answered, outage or not. */
#define REQUEST_MAX_MS 10000

static struct ordo_node node_b;

static bool on_postgres(void)
{
	const char *db = getenv("ORDO_TEST_DB");

	return db && strncmp(db, "postgres", 8) == 0;
}

static const char *acme(void)
{
	return srv->key_acme;
}

/* An order body (malloc'd) for external id ext. */
static char *order_body(const char *ext)
{
	json_t *o = order_one_line(ext, SKU, 1, PRICE);
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text;
}

static long health_at(const char *base_url)
{
	struct resp *r = http_at(base_url, "GET", "/healthz", NULL, NULL, 0,
				 NULL);
	long status = r->status;

	resp_free(r);
	return status;
}

/*
 * Every element of a paged list at base_url (path without limit or
 * cursor), collecting array_name. New reference.
 */
static json_t *list_at(const char *base_url, const char *path,
		       const char *array_name)
{
	json_t *all = json_array();
	char cursor[256] = "";
	char sep = strchr(path, '?') ? '&' : '?';

	for (int pages = 0; pages < 1000; pages++) {
		char url[600];
		struct resp *r;
		json_t *items;
		const char *next;

		if (cursor[0])
			snprintf(url, sizeof(url), "%s%climit=200&cursor=%s",
				 path, sep, cursor);
		else
			snprintf(url, sizeof(url), "%s%climit=200", path, sep);
		r = http_at(base_url, "GET", url, acme(), NULL, 0, NULL);
		assert_status(r, 200);
		items = json_object_get(r->json, array_name);
		check(json_is_array(items), "GET %s: no %s: %s", url,
		      array_name, r->body);
		json_array_extend(all, items);
		next = jstr(r->json, "next_cursor");
		if (!next || json_array_size(items) == 0) {
			resp_free(r);
			return all;
		}
		/* Cursors are URL-safe tokens. */
		snprintf(cursor, sizeof(cursor), "%s", next);
		resp_free(r);
	}
	fail_msg("list %s did not end", path);
	return all;
}

/* How many orders of each external id are stored: {ext: [ids...]}. */
static json_t *stored_orders(const char *base_url)
{
	json_t *all = list_at(base_url, "/v1/orders", "orders");
	json_t *by_ext = json_object(), *o;
	size_t i;

	json_array_foreach(all, i, o) {
		const char *ext = jstr(o, "external_id");
		json_t *ids;

		if (!ext)
			continue;
		ids = json_object_get(by_ext, ext);
		if (!ids) {
			ids = json_array();
			json_object_set_new(by_ext, ext, ids);
		}
		json_array_append_new(ids, json_string(jstr(o, "id")));
	}
	json_decref(all);
	return by_ext;
}

static size_t stored_count(const json_t *by_ext, const char *ext)
{
	return json_array_size(json_object_get(by_ext, ext));
}

/* ==== a node dies ========================================================== */

/*
 * The webhook receiver of the node test: libmicrohttpd on 127.0.0.1,
 * answering the first request 500 (the webhook then backs off, while
 * deliveries pile up for one claim), holding the next one without an
 * answer until released (the send a crash cuts), and 200 to the rest.
 * Each request is recorded with the node that sent it.
 */
#define HITS_MAX 4096

struct hit {
	char event_id[96];
	char order_id[64];
	pid_t sender; /* 0: neither node */
	int status;   /* answered; 0 for the one held */
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct MHD_Daemon *daemon;
	int port;
	pid_t pids[2];
	struct hit hits[HITS_MAX];
	int n;
	bool fail_next;
	bool hold_next;
	int held; /* index + 1 of the request held, 0: none yet */
	bool release;
} rx = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct upload {
	char *data;
	size_t len;
};

/*
 * The node (of rx.pids) holding the socket that is the client end of a
 * connection from peer_port to our_port on 127.0.0.1: its inode in
 * /proc/net/tcp, then a descriptor of that socket among the node's. 0 if
 * neither.
 */
static pid_t socket_owner(int peer_port, int our_port)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[512], want[64];
	unsigned long inode = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned lport, rport;
		unsigned long ino;

		if (sscanf(line,
			   " %*d: %*x:%x %*x:%x %*x %*x:%*x %*x:%*x %*x %*u "
			   "%*u %lu",
			   &lport, &rport, &ino) == 3 &&
		    (int)lport == peer_port && (int)rport == our_port) {
			inode = ino;
			break;
		}
	}
	fclose(f);
	if (!inode)
		return 0;
	snprintf(want, sizeof(want), "socket:[%lu]", inode);
	for (int k = 0; k < 2; k++) {
		char dir[64];
		DIR *d;
		struct dirent *e;

		if (rx.pids[k] <= 0)
			continue;
		snprintf(dir, sizeof(dir), "/proc/%ld/fd", (long)rx.pids[k]);
		d = opendir(dir);
		while (d && (e = readdir(d)) != NULL) {
			char path[320], target[64];
			ssize_t n;

			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			n = readlink(path, target, sizeof(target) - 1);
			if (n <= 0)
				continue;
			target[n] = '\0';
			if (!strcmp(target, want)) {
				closedir(d);
				return rx.pids[k];
			}
		}
		if (d)
			closedir(d);
	}
	return 0;
}

static enum MHD_Result rx_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *data,
				  size_t *size, void **ctx)
{
	struct upload *up = *ctx;
	const union MHD_ConnectionInfo *ci;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	struct hit h;
	json_t *body;
	const char *v;
	int peer = 0, status = 200;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*ctx = up;
		return MHD_YES;
	}
	if (*size) {
		char *p = realloc(up->data, up->len + *size + 1);

		if (!p)
			return MHD_NO;
		memcpy(p + up->len, data, *size);
		up->data = p;
		up->len += *size;
		up->data[up->len] = '\0';
		*size = 0;
		return MHD_YES;
	}
	memset(&h, 0, sizeof(h));
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ordo-Event-Id");
	snprintf(h.event_id, sizeof(h.event_id), "%s", v ? v : "");
	body = up->data ? json_loadb(up->data, up->len, 0, NULL) : NULL;
	v = jstr(body, "data.id");
	snprintf(h.order_id, sizeof(h.order_id), "%s", v ? v : "");
	json_decref(body);
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr && ci->client_addr->sa_family == AF_INET)
		peer = ntohs(((const struct sockaddr_in *)(const void *)
				      ci->client_addr)
				     ->sin_port);
	h.sender = socket_owner(peer, rx.port);

	pthread_mutex_lock(&rx.mu);
	if (rx.n == HITS_MAX) {
		pthread_mutex_unlock(&rx.mu);
		return MHD_NO;
	}
	if (rx.fail_next) {
		rx.fail_next = false;
		status = 500;
	} else if (rx.hold_next) {
		/* Held: no answer until released, then the connection is
		 * dropped - its sender is dead by then. */
		long deadline = harness_now_ms() + 120000;

		rx.hold_next = false;
		rx.hits[rx.n++] = h;
		rx.held = rx.n;
		pthread_cond_broadcast(&rx.cv);
		while (!rx.release && harness_now_ms() < deadline) {
			pthread_mutex_unlock(&rx.mu);
			harness_sleep_ms(20);
			pthread_mutex_lock(&rx.mu);
		}
		pthread_mutex_unlock(&rx.mu);
		return MHD_NO;
	}
	h.status = status;
	rx.hits[rx.n++] = h;
	pthread_cond_broadcast(&rx.cv);
	pthread_mutex_unlock(&rx.mu);

	resp = MHD_create_response_from_buffer(2, (void *)"ok",
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void rx_completed(void *cls, struct MHD_Connection *c, void **ctx,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *ctx;

	(void)cls;
	(void)c;
	(void)toe;
	if (up) {
		free(up->data);
		free(up);
		*ctx = NULL;
	}
}

static void rx_start(void)
{
	struct sockaddr_in a;
	const union MHD_DaemonInfo *info;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rx.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
		0, NULL, NULL, rx_request, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&a, MHD_OPTION_NOTIFY_COMPLETED,
		rx_completed, NULL, MHD_OPTION_END);
	assert_non_null(rx.daemon);
	info = MHD_get_daemon_info(rx.daemon, MHD_DAEMON_INFO_BIND_PORT);
	rx.port = info->port;
}

static void rx_stop(void)
{
	pthread_mutex_lock(&rx.mu);
	rx.release = true;
	pthread_mutex_unlock(&rx.mu);
	if (rx.daemon)
		MHD_stop_daemon(rx.daemon);
	rx.daemon = NULL;
}

/* Wait until the receiver has had n requests; how many it has had. */
static int rx_wait(int n, long ms)
{
	long deadline = harness_now_ms() + ms;
	int got;

	pthread_mutex_lock(&rx.mu);
	while (rx.n < n && harness_now_ms() < deadline) {
		pthread_mutex_unlock(&rx.mu);
		harness_sleep_ms(20);
		pthread_mutex_lock(&rx.mu);
	}
	got = rx.n;
	pthread_mutex_unlock(&rx.mu);
	return got;
}

/* ---- the nodes ------------------------------------------------------------ */

struct peer {
	char name[40];
	const char *url;
	pid_t pid;
};

static struct peer nodes[2];
static atomic_int dead_node = -1; /* index into nodes, once killed */

/* ---- the clients ------------------------------------------------------------- */

#define KILL_CLIENTS 8
#define KILL_ORDERS 200 /* per client, at most */

struct posted {
	char ext[48];
	long status;	    /* the answer that settled it */
	int node;	    /* which node gave it */
	bool after_kill;    /* sent after the kill was known */
	bool lost_answer;   /* 409: done, its answer not kept */
	bool sent_twice;    /* no answer at first: sent again elsewhere */
};

struct client {
	pthread_t thread;
	int index;
	atomic_bool *stop;
	struct posted orders[KILL_ORDERS];
	int n;
	char problem[600];
};

/* The node client c posts to now: its own, or the other once its own died. */
static int client_node(const struct client *c)
{
	int home = c->index % 2, dead = atomic_load(&dead_node);

	return dead == home ? 1 - home : home;
}

static void *client_run(void *arg)
{
	struct client *c = arg;

	while (!atomic_load(c->stop) && c->n < KILL_ORDERS && !c->problem[0]) {
		struct posted *p = &c->orders[c->n];
		char key[96], header[120], *body;
		const char *headers[] = {header, NULL};
		int node = client_node(c), tries;
		struct resp *r;

		snprintf(p->ext, sizeof(p->ext), "FO-%d-%d", c->index, c->n);
		snprintf(key, sizeof(key), "fo-%ld-%d-%d", (long)getpid(),
			 c->index, c->n);
		snprintf(header, sizeof(header), "Idempotency-Key: %s", key);
		body = order_body(p->ext);
		p->after_kill = atomic_load(&dead_node) >= 0;
		r = http_at(nodes[node].url, "POST", "/v1/orders", acme(),
			    body, strlen(body), headers);
		/* No answer: its node died. A client sends it again, with
		 * the same key, to the other node. */
		for (tries = 0; r->status == 0 && tries < 5; tries++) {
			resp_free(r);
			p->sent_twice = true;
			node = 1 - node;
			harness_sleep_ms(50);
			r = http_at(nodes[node].url, "POST", "/v1/orders",
				    acme(), body, strlen(body), headers);
		}
		free(body);
		p->status = r->status;
		p->node = node;
		if (r->status == 409 && p->sent_twice &&
		    error_details_naming(r, "Idempotency-Key") > 0)
			p->lost_answer = true;
		else if (r->status != 201)
			snprintf(c->problem, sizeof(c->problem),
				 "%s to %s (%s): %ld %.300s", p->ext,
				 nodes[node].name,
				 p->sent_twice ? "sent again" : "first send",
				 r->status, r->body);
		resp_free(r);
		c->n++;
		harness_sleep_ms(5);
	}
	return NULL;
}

/* ---- the test ---------------------------------------------------------------- */

static int kill_setup(void **state)
{
	int rc;

	*state = NULL;
	if (!on_postgres())
		return 0; /* the tests skip */
	rc = harness_group_setup(state);
	if (rc == 0 && harness_node_start(&node_b, NULL) != 0) {
		harness_group_teardown(state);
		rc = -1;
	}
	return rc;
}

static int kill_teardown(void **state)
{
	int b = harness_node_stop(&node_b);
	int rc = harness_group_teardown(state);

	rx_stop();
	if (b)
		fprintf(stderr, "node B exited with %d\n", b);
	return rc ? rc : b;
}

/* POST /v1/holds/{id}/claim with a 60 s lease through base_url. */
static struct resp *claim_at(const char *base_url, const char *key,
			     const char *hold)
{
	char path[128];
	static const char body[] = "{\"lease_s\": 60}";

	snprintf(path, sizeof(path), "/v1/holds/%s/claim", hold);
	return http_at(base_url, "POST", path, key, body, strlen(body), NULL);
}

static size_t pending_at(const char *base_url)
{
	json_t *all = list_at(base_url, "/v1/webhooks/deliveries?status=pending",
			      "deliveries");
	size_t n = json_array_size(all);

	json_decref(all);
	return n;
}

API_TEST(a_node_dies_under_load)
{
	static struct client cl[KILL_CLIENTS];
	static char agent1[HARNESS_KEY_MAX], agent2[HARNESS_KEY_MAX];
	atomic_bool stop = false;
	char hook_body[256], probe_ids[4][64], held_event[96], hold[64];
	const struct peer *x, *y;
	struct resp *r;
	json_t *stored, *o;
	long t0, deadline;
	size_t pending = 0;
	int i, k, xi, acked = 0, after_kill = 0, sent_twice = 0, lost = 0;
	int requests_before;

	if (!on_postgres())
		skip();
	snprintf(nodes[0].name, sizeof(nodes[0].name), "node A (port %d)",
		 srv->port);
	nodes[0].url = srv->base_url;
	nodes[0].pid = srv->pid;
	snprintf(nodes[1].name, sizeof(nodes[1].name), "node B (port %d)",
		 node_b.port);
	nodes[1].url = node_b.base_url;
	nodes[1].pid = node_b.pid;
	rx.pids[0] = srv->pid;
	rx.pids[1] = node_b.pid;

	make_sku(acme(), SKU, "Failover widget", PRICE, 1);
	make_location_serving(acme(), "FO-WH", 1, NULL);
	set_stock(acme(), "FO-WH", SKU, 1000000);
	key_create("acme", "agent", "foagent1", agent1, sizeof(agent1));
	key_create("acme", "agent", "foagent2", agent2, sizeof(agent2));

	/*
	 * The outbox: the first event's send fails, so the webhook backs
	 * off - for good, on a clock that stands still - while three more
	 * events wait. Once the clock moves on, one node claims all four
	 * and hangs sending the first: that node dies.
	 */
	rx_start();
	rx.fail_next = true;
	rx.hold_next = true;
	harness_clock_stop();
	snprintf(hook_body, sizeof(hook_body),
		 "{\"url\": \"http://127.0.0.1:%d/failover\", \"events\": "
		 "[\"order.accepted\"]}",
		 rx.port);
	r = http("POST", "/v1/webhooks", acme(), hook_body, strlen(hook_body),
		 NULL);
	assert_status(r, 201);
	resp_free(r);
	for (i = 0; i < 4; i++) {
		char ext[32], *id;

		snprintf(ext, sizeof(ext), "FO-PROBE-%d", i);
		o = order_one_line(ext, SKU, 1, PRICE);
		id = order_create(acme(), o);
		snprintf(probe_ids[i], sizeof(probe_ids[i]), "%s", id);
		free(id);
		json_decref(o);
		if (i == 0) {
			check(rx_wait(1, WAIT_MS) == 1,
			      "the first event was never sent");
			/* Its failure recorded: the webhook backs off. */
			deadline = harness_now_ms() + WAIT_MS;
			for (;;) {
				struct resp *w = http("GET", "/v1/webhooks",
						      acme(), NULL, 0, NULL);
				const char *e = jstr(w->json,
						     "webhooks[0].last_error");
				bool failed = e && e[0];

				resp_free(w);
				if (failed)
					break;
				check(harness_now_ms() < deadline,
				      "the failed send was never recorded");
				harness_sleep_ms(50);
			}
		}
	}
	harness_clock_advance(5);
	check(rx_wait(2, WAIT_MS) == 2, "the webhook was not sent to again "
	      "after its backoff");
	pthread_mutex_lock(&rx.mu);
	k = rx.held;
	snprintf(held_event, sizeof(held_event), "%s", rx.hits[1].event_id);
	xi = rx.hits[1].sender == nodes[0].pid	 ? 0
	     : rx.hits[1].sender == nodes[1].pid ? 1
						 : -1;
	pthread_mutex_unlock(&rx.mu);
	check(k == 2, "the second request was answered, not held");
	check(xi >= 0, "the held send came from neither node");
	x = &nodes[xi];
	y = &nodes[1 - xi];
	print_message("    %s holds the webhook's claim and will die; %s "
		      "survives\n",
		      x->name, y->name);
	harness_clock_run();

	/* A hold claimed through the node that will die. */
	o = order_new("FO-HOLD-1");
	jset(o, "channel", json_string("fo-claim"));
	jset(o, "ship_to.postal_code", json_string("ABCDE"));
	{
		char *id = order_create(acme(), o);
		json_t *held = order_fetch(acme(), id);

		hold_id_of(held, "address_unverifiable", hold, sizeof(hold));
		json_decref(held);
		free(id);
	}
	json_decref(o);
	r = claim_at(x->url, agent1, hold);
	assert_status(r, 200);
	resp_free(r);

	/* Load on both nodes; one dies in the middle of it. */
	for (i = 0; i < KILL_CLIENTS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].index = i;
		cl[i].stop = &stop;
		pthread_create(&cl[i].thread, NULL, client_run, &cl[i]);
	}
	t0 = harness_now_ms();
	for (;;) {
		int done = 0;

		for (i = 0; i < KILL_CLIENTS; i++)
			done += cl[i].n;
		if (done >= 8 * KILL_CLIENTS || harness_now_ms() - t0 > 5000)
			break;
		harness_sleep_ms(20);
	}
	kill(x->pid, SIGKILL);
	waitpid(x->pid, NULL, 0);
	if (xi == 0)
		srv->pid = 0; /* killed here; the teardown has none to stop */
	else
		node_b.pid = 0;
	atomic_store(&dead_node, xi);
	t0 = harness_now_ms();
	for (;;) {
		int done = 0;

		for (i = 0; i < KILL_CLIENTS; i++)
			for (k = 0; k < cl[i].n; k++)
				done += cl[i].orders[k].after_kill;
		if (done >= 8 * KILL_CLIENTS || harness_now_ms() - t0 > 5000)
			break;
		harness_sleep_ms(20);
	}
	atomic_store(&stop, true);
	for (i = 0; i < KILL_CLIENTS; i++)
		pthread_join(cl[i].thread, NULL);

	/* The survivor answered every post, before the kill and after. */
	for (i = 0; i < KILL_CLIENTS; i++) {
		check(!cl[i].problem[0], "client %d: %s", i, cl[i].problem);
		for (k = 0; k < cl[i].n; k++) {
			const struct posted *p = &cl[i].orders[k];

			acked += p->status == 201;
			after_kill += p->after_kill && p->status == 201;
			sent_twice += p->sent_twice;
			lost += p->lost_answer;
			check(p->node == 1 - xi || !p->after_kill,
			      "%s was answered by the dead node", p->ext);
		}
	}
	print_message("    %d orders answered 201, %d of them after the "
		      "kill; %d sent again after no answer (%d done without "
		      "their answer kept)\n",
		      acked, after_kill, sent_twice, lost);
	check(after_kill >= KILL_CLIENTS,
	      "the survivor answered only %d orders after the kill",
	      after_kill);
	check(health_at(y->url) == 200, "the survivor's /healthz");

	/*
	 * Nothing was sent to the webhook meanwhile: the dead node's
	 * claim holds it until its lease runs out.
	 */
	requests_before = rx_wait(3, 1000);
	check(requests_before == 2, "%d requests reached the webhook while "
	      "the dead node's claim on it should hold", requests_before);

	/* The hold: still the dead node's caller's until its lease lapses. */
	r = claim_at(y->url, agent2, hold);
	check(r->status == 409, "claiming a hold under another's live lease "
	      "answered %ld: %s", r->status, r->body);
	resp_free(r);
	/* Past the hold's lease (60 s) and the outbox's (390 s with
	 * --webhook-timeout-ms 30000: 4 sends of up to 3 calls each, and a
	 * margin of 30 s). */
	harness_clock_advance(500);
	r = claim_at(y->url, agent2, hold);
	check(r->status == 200 && streq(jstr(r->json, "assignee"),
					"key:foagent2"),
	      "the hold's lease lapsed, yet claiming it through the "
	      "survivor answered %ld: %s", r->status, r->body);
	resp_free(r);

	/* Every event is delivered, by the survivor. */
	deadline = harness_now_ms() + WAIT_MS;
	while (harness_now_ms() < deadline && (pending = pending_at(y->url)))
		harness_sleep_ms(200);
	check(pending == 0, "%zu deliveries still pending %d s after the "
	      "leases ran out", pending, WAIT_MS / 1000);

	stored = stored_orders(y->url);
	for (i = 0; i < KILL_CLIENTS; i++)
		for (k = 0; k < cl[i].n; k++) {
			const struct posted *p = &cl[i].orders[k];
			size_t n = stored_count(stored, p->ext);

			check(n == 1, "%s (answered %ld by %s%s) is stored %zu "
			      "times",
			      p->ext, p->status, nodes[p->node].name,
			      p->sent_twice ? ", sent again" : "", n);
		}

	pthread_mutex_lock(&rx.mu);
	{
		const char *id, *ext;
		json_t *ids;
		int probes_by_y = 0, held_by_y = 0;

		/* Each stored order's event: delivered once (the one cut
		 * by the crash: once more than it was held). */
		json_object_foreach(stored, ext, ids) {
			int ok = 0;

			id = json_string_value(json_array_get(ids, 0));
			for (k = 0; k < rx.n; k++)
				ok += rx.hits[k].status == 200 &&
				      streq(rx.hits[k].order_id, id);
			if (strncmp(ext, "FO-", 3) || !strcmp(ext, "FO-HOLD-1"))
				continue;
			if (ok != 1) {
				pthread_mutex_unlock(&rx.mu);
				fail_msg("the event of %s (%s) was delivered "
					 "%d times, not once",
					 ext, id, ok);
			}
		}
		for (k = 0; k < rx.n; k++) {
			const struct hit *h = &rx.hits[k];

			if (h->status != 200)
				continue;
			for (i = 0; i < 4; i++)
				probes_by_y += streq(h->order_id,
						     probe_ids[i]) &&
					       h->sender == y->pid;
			held_by_y += streq(h->event_id, held_event) &&
				     h->sender == y->pid;
		}
		pthread_mutex_unlock(&rx.mu);
		check(held_by_y == 1, "the event whose send the crash cut was "
		      "delivered %d times by the survivor, not once",
		      held_by_y);
		check(probes_by_y == 4, "of the 4 events the dead node had "
		      "claimed, the survivor delivered %d",
		      probes_by_y);
	}
	json_decref(stored);
}

/* ==== PostgreSQL restarts ====================================================== */

/*
 * A PostgreSQL server of this test's own, made as tests/run-with-postgres
 * makes the shared one (initdb, a free loopback port, fsync off), so that
 * stopping it disturbs no other test.
 */
static struct {
	char dir[64];
	char bindir[160];
	int port;
	char url[128];
	char *saved_db; /* ORDO_TEST_DB before, restored after */
} pg;

/* Run a shell command (formatted); its exit status, -1 if it did not. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

/* PostgreSQL refuses to run as root: as the postgres user then. */
static const char *as_pg(void)
{
	return geteuid() == 0 ? "runuser -u postgres -- " : "";
}

/*
 * A free loopback port below the kernel's ephemeral range: PostgreSQL
 * binds it again after each stop, and a port of that range could be
 * taken meanwhile as the local end of some other test's connection.
 */
static int pg_free_port(void)
{
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");
	int low = 32768, high;

	if (f) {
		if (fscanf(f, "%d %d", &low, &high) != 2)
			low = 32768;
		fclose(f);
	}
	if (low <= 20000 + 1000)
		low = 32768;
	for (int attempt = 0; attempt < 100; attempt++) {
		struct sockaddr_in a;
		int fd = socket(AF_INET, SOCK_STREAM, 0), port, ok;

		port = 20000 + (int)((unsigned)rand() % (unsigned)(low - 20000));
		memset(&a, 0, sizeof(a));
		a.sin_family = AF_INET;
		a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.sin_port = htons((uint16_t)port);
		ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;
		if (fd >= 0)
			close(fd);
		if (ok)
			return port;
	}
	return -1;
}

static int pg_start(void)
{
	return sh("%s%s/pg_ctl -D %s/data -l %s/server.log -w -t 30 -o "
		  "\"-p %d -k %s -c listen_addresses=127.0.0.1 "
		  "-c max_connections=100 -c fsync=off\" start >/dev/null 2>&1",
		  as_pg(), pg.bindir, pg.dir, pg.dir, pg.port, pg.dir);
}

/* mode: "fast" (a clean stop) or "immediate" (as a crash). */
static int pg_stop(const char *mode)
{
	return sh("%s%s/pg_ctl -D %s/data -m %s -w -t 30 stop >/dev/null 2>&1",
		  as_pg(), pg.bindir, pg.dir, mode);
}

static int pg_make(void)
{
	FILE *p = popen("ls -d /usr/lib/postgresql/*/bin 2>/dev/null | "
			"sort -V | tail -n 1",
			"r");
	struct passwd *pw = geteuid() == 0 ? getpwnam("postgres") : NULL;
	size_t n;

	if (!p)
		return -1;
	n = fread(pg.bindir, 1, sizeof(pg.bindir) - 1, p);
	pclose(p);
	while (n > 0 && (pg.bindir[n - 1] == '\n' || pg.bindir[n - 1] == ' '))
		n--;
	pg.bindir[n] = '\0';
	if (!n) {
		fprintf(stderr, "test_failover: PostgreSQL is not installed\n");
		return -1;
	}
	snprintf(pg.dir, sizeof(pg.dir), "/tmp/ordo-failover-pg-XXXXXX");
	if (!mkdtemp(pg.dir))
		return -1;
	if (geteuid() == 0 && (!pw || chown(pg.dir, pw->pw_uid, pw->pw_gid)))
		return -1;
	if (sh("%s%s/initdb -D %s/data -A trust -U ordo -E UTF8 --locale=C "
	       "--no-sync >/dev/null 2>&1",
	       as_pg(), pg.bindir, pg.dir)) {
		fprintf(stderr, "test_failover: initdb failed\n");
		return -1;
	}
	srand((unsigned)getpid() ^ (unsigned)time(NULL));
	for (int attempt = 0; attempt < 5; attempt++) {
		pg.port = pg_free_port();
		if (pg.port > 0 && pg_start() == 0) {
			snprintf(pg.url, sizeof(pg.url),
				 "postgres://ordo@127.0.0.1:%d/postgres",
				 pg.port);
			return 0;
		}
	}
	sh("cat %s/server.log >&2", pg.dir);
	return -1;
}

static void pg_remove(void)
{
	if (!pg.dir[0])
		return;
	pg_stop("immediate");
	sh("rm -rf %s", pg.dir);
	pg.dir[0] = '\0';
}

static int restart_teardown(void **state);

static int restart_setup(void **state)
{
	int rc;

	*state = NULL;
	if (!on_postgres())
		return 0; /* the tests skip */
	if (pg_make()) {
		pg_remove();
		return -1;
	}
	/* The group's database is made on this server. */
	pg.saved_db = strdup(getenv("ORDO_TEST_DB"));
	setenv("ORDO_TEST_DB", pg.url, 1);
	rc = harness_group_setup(state);
	if (rc == 0)
		rc = harness_node_start(&node_b, NULL);
	if (rc) /* no teardown follows a failed setup */
		restart_teardown(state);
	return rc;
}

static int restart_teardown(void **state)
{
	int b = harness_node_stop(&node_b);
	int rc = harness_group_teardown(state);

	pg_remove();
	if (pg.saved_db) {
		setenv("ORDO_TEST_DB", pg.saved_db, 1);
		free(pg.saved_db);
		pg.saved_db = NULL;
	}
	if (b)
		fprintf(stderr, "node B exited with %d\n", b);
	return rc ? rc : b;
}

#define PGR_CLIENTS 6
#define PGR_TRIES 8192 /* per client */
#define PGR_ROUNDS 2

struct attempt {
	long start_ms, end_ms;
	long status;
	int node;
	bool retry_after;
};

struct pgr_client {
	pthread_t thread;
	int index;
	atomic_bool *stop;
	struct attempt tries[PGR_TRIES];
	int n_tries;
	int orders;	     /* settled */
	int stored_by_503;   /* 200: a 503'd send had stored it */
	bool unsettled;	     /* stopped while its order got 503 */
	char problem[600];
};

static const char *pgr_url(int node)
{
	return node ? node_b.base_url : srv->base_url;
}

/*
 * Post orders one after another to the client's node; an order answered
 * 503 is sent again (as a client honouring Retry-After would, sooner)
 * until it is answered 201, or 200 when a send answered 503 had stored
 * it after all.
 */
static void *pgr_client_run(void *arg)
{
	struct pgr_client *c = arg;
	int node = c->index % 2;

	while (!atomic_load(c->stop) && !c->problem[0]) {
		char ext[48], *body;
		bool settled = false, refused = false;

		snprintf(ext, sizeof(ext), "PGR-%d-%d", c->index, c->orders);
		body = order_body(ext);
		while (!settled && !c->problem[0] &&
		       c->n_tries < PGR_TRIES) {
			struct attempt *a = &c->tries[c->n_tries++];
			struct resp *r;
			char ra[16];

			a->node = node;
			a->start_ms = harness_now_ms();
			r = http_at(pgr_url(node), "POST", "/v1/orders", acme(),
				    body, strlen(body), NULL);
			a->end_ms = harness_now_ms();
			a->status = r->status;
			a->retry_after = resp_header(r, "Retry-After", ra,
						     sizeof(ra));
			if (r->status == 201 || (r->status == 200 && refused)) {
				settled = true;
				c->stored_by_503 += r->status == 200;
			} else if (r->status == 503) {
				refused = true;
			} else {
				snprintf(c->problem, sizeof(c->problem),
					 "%s to node %c: %ld %.400s", ext,
					 node ? 'B' : 'A', r->status, r->body);
			}
			resp_free(r);
			if (!settled && !c->problem[0]) {
				/* Still refused when told to stop: given up,
				 * reported as unsettled. */
				if (atomic_load(c->stop)) {
					c->unsettled = true;
					break;
				}
				harness_sleep_ms(100);
			}
		}
		free(body);
		if (!settled)
			break;
		c->orders++;
		harness_sleep_ms(10);
	}
	return NULL;
}

/* Wait until base_url's /healthz is 200; when it was (ms), or -1. */
static long wait_healthy(const char *base_url, long ms)
{
	long deadline = harness_now_ms() + ms;

	while (harness_now_ms() < deadline) {
		if (health_at(base_url) == 200)
			return harness_now_ms();
		harness_sleep_ms(50);
	}
	return -1;
}

API_TEST(postgresql_restarts_under_load)
{
	static struct pgr_client cl[PGR_CLIENTS];
	static const char *const modes[PGR_ROUNDS] = {"fast", "immediate"};
	long stop_at[PGR_ROUNDS], down_from[PGR_ROUNDS], down_to[PGR_ROUNDS];
	long healthy[PGR_ROUNDS][2];
	atomic_bool stop = false;
	json_t *stored;
	int i, k, round, refused = 0, by_503 = 0, orders = 0;

	if (!on_postgres())
		skip();
	make_sku(acme(), SKU, "Failover widget", PRICE, 1);
	make_location_serving(acme(), "FO-WH", 1, NULL);
	set_stock(acme(), "FO-WH", SKU, 1000000);

	for (i = 0; i < PGR_CLIENTS; i++) {
		memset(&cl[i], 0, sizeof(cl[i]));
		cl[i].index = i;
		cl[i].stop = &stop;
		pthread_create(&cl[i].thread, NULL, pgr_client_run, &cl[i]);
	}
	harness_sleep_ms(1000);
	for (round = 0; round < PGR_ROUNDS; round++) {
		long t = stop_at[round] = harness_now_ms();

		check(pg_stop(modes[round]) == 0, "pg_ctl stop -m %s failed",
		      modes[round]);
		down_from[round] = harness_now_ms();
		print_message("    PostgreSQL stopped (%s) in %ld ms\n",
			      modes[round], down_from[round] - t);
		harness_sleep_ms(1000);
		for (k = 0; k < 2; k++) {
			long st = health_at(pgr_url(k));

			check(st == 503, "node %c's /healthz answered %ld while "
			      "PostgreSQL was down, not 503", k ? 'B' : 'A', st);
		}
		harness_sleep_ms(1000);
		down_to[round] = harness_now_ms();
		check(pg_start() == 0, "PostgreSQL did not start again");
		t = harness_now_ms();
		for (k = 0; k < 2; k++) {
			healthy[round][k] = wait_healthy(pgr_url(k), 20000);
			check(healthy[round][k] > 0, "node %c's /healthz not "
			      "200 within 20 s of PostgreSQL's start",
			      k ? 'B' : 'A');
		}
		print_message("    PostgreSQL back; both nodes healthy %ld ms "
			      "later\n",
			      harness_now_ms() - t);
		harness_sleep_ms(1500);
	}
	atomic_store(&stop, true);
	for (i = 0; i < PGR_CLIENTS; i++)
		pthread_join(cl[i].thread, NULL);

	for (i = 0; i < PGR_CLIENTS; i++) {
		const struct pgr_client *c = &cl[i];
		int late_ok = 0;

		check(!c->problem[0], "client %d: %s", i, c->problem);
		check(!c->unsettled && c->n_tries < PGR_TRIES,
		      "client %d never had its last order taken", i);
		orders += c->orders;
		by_503 += c->stored_by_503;
		for (k = 0; k < c->n_tries; k++) {
			const struct attempt *a = &c->tries[k];

			refused += a->status == 503;
			check(a->end_ms - a->start_ms <= REQUEST_MAX_MS,
			      "client %d: a write took %ld ms to be answered "
			      "(%ld)", i, a->end_ms - a->start_ms, a->status);
			check(a->status != 503 || a->retry_after,
			      "client %d: a 503 without Retry-After", i);
			for (round = 0; round < PGR_ROUNDS; round++) {
				check(!(a->start_ms >= down_from[round] &&
					a->end_ms <= down_to[round]) ||
					      a->status == 503,
				      "client %d: a write answered %ld while "
				      "PostgreSQL was down (round %d)",
				      i, a->status, round);
				check(a->start_ms < healthy[round][a->node] ||
					      (round + 1 < PGR_ROUNDS &&
					       a->end_ms >= stop_at[round + 1]) ||
					      a->status != 503,
				      "client %d: node %c answered 503 %ld ms "
				      "after its /healthz said it was back "
				      "(round %d)",
				      i, a->node ? 'B' : 'A',
				      a->start_ms - healthy[round][a->node],
				      round);
			}
			late_ok += a->start_ms > healthy[PGR_ROUNDS - 1][a->node] &&
				   (a->status == 201 || a->status == 200);
		}
		check(late_ok > 0, "client %d: no write was taken after the "
		      "last restart", i);
	}
	print_message("    %d orders taken, %d writes refused with 503, %d "
		      "orders stored by a send answered 503\n",
		      orders, refused, by_503);
	check(refused > 0, "no write was refused: the outage was not seen");

	/* Every order is stored, exactly once. */
	stored = stored_orders(srv->base_url);
	for (i = 0; i < PGR_CLIENTS; i++)
		for (k = 0; k < cl[i].orders; k++) {
			char ext[48];
			size_t n;

			snprintf(ext, sizeof(ext), "PGR-%d-%d", i, k);
			n = stored_count(stored, ext);
			check(n == 1, "%s is stored %zu times", ext, n);
		}
	json_decref(stored);
}

/* ---- groups -------------------------------------------------------------------- */

/* Sends may take long: the lease is what this test waits out. */
static const char *const kill_args[] = {"--webhook-timeout-ms", "30000",
					NULL};

int main(void)
{
	const struct CMUnitTest kill_tests[] = {
		cmocka_unit_test(a_node_dies_under_load),
	};
	const struct CMUnitTest restart_tests[] = {
		cmocka_unit_test(postgresql_restarts_under_load),
	};
	int failed;

	harness_set_serve_args(kill_args);
	failed = harness_run_group_name("failover_node_dies", kill_tests,
					     kill_setup, kill_teardown);
	harness_set_serve_args(NULL);
	failed += harness_run_group_name("failover_postgresql_restarts",
					      restart_tests, restart_setup,
					      restart_teardown);
	return failed;
}
