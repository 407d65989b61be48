/*
 * test_db_outage.c - losing the database: ordo keeps running, answers 503
 * (at /healthz and for writes) while PostgreSQL cannot be reached, and
 * comes back by itself when it can.
 *
 * The test puts a TCP relay of its own between a node and PostgreSQL, and
 * "pulls the cable" by closing every relayed connection and refusing new
 * ones; then it plugs it back in. The shared test server itself never
 * stops, so other tests running at the same time are not disturbed.
 * SQLite has no connection to lose: on that backend this test skips.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

#define PRICE "10.00"
#define RELAY_MAX 128

static struct relay {
	pthread_t thread;
	pthread_mutex_t mu;
	int listen_fd;
	int port;	 /* where ordo connects */
	int pg_port;	 /* where PostgreSQL listens */
	bool up;	 /* accepting and relaying */
	bool stop;	 /* end the thread */
	int pairs[RELAY_MAX][2];
	int n;
} relay = {.mu = PTHREAD_MUTEX_INITIALIZER, .listen_fd = -1};

static int listen_on(int port)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)port);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
	    listen(fd, 64) != 0) {
		close(fd);
		return -1;
	}
	getsockname(fd, (struct sockaddr *)&a, &len);
	relay.port = ntohs(a.sin_port);
	return fd;
}

static int connect_pg(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons((uint16_t)relay.pg_port);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Close every relayed connection: the cable is pulled. Under mu. */
static void drop_all(void)
{
	int i;

	for (i = 0; i < relay.n; i++) {
		close(relay.pairs[i][0]);
		close(relay.pairs[i][1]);
	}
	relay.n = 0;
}

static void *relay_main(void *arg)
{
	(void)arg;
	for (;;) {
		struct pollfd fds[1 + 2 * RELAY_MAX];
		int nfds = 0, i, k;

		pthread_mutex_lock(&relay.mu);
		if (relay.stop) {
			drop_all();
			pthread_mutex_unlock(&relay.mu);
			return NULL;
		}
		if (relay.listen_fd >= 0)
			fds[nfds++] = (struct pollfd){relay.listen_fd, POLLIN, 0};
		for (i = 0; i < relay.n; i++)
			for (k = 0; k < 2; k++)
				fds[nfds++] = (struct pollfd){relay.pairs[i][k],
							      POLLIN, 0};
		pthread_mutex_unlock(&relay.mu);

		if (poll(fds, (nfds_t)nfds, 20) <= 0)
			continue;
		pthread_mutex_lock(&relay.mu);
		if (!relay.up) {
			pthread_mutex_unlock(&relay.mu);
			continue;
		}
		i = 0;
		if (relay.listen_fd >= 0 && fds[0].fd == relay.listen_fd) {
			if (fds[0].revents & POLLIN) {
				int c = accept(relay.listen_fd, NULL, NULL);
				int p = c >= 0 ? connect_pg() : -1;

				/* ordo nodes forked later must not hold
				 * relayed sockets open. */
				if (c >= 0)
					fcntl(c, F_SETFD, FD_CLOEXEC);

				if (c >= 0 && p >= 0 && relay.n < RELAY_MAX) {
					relay.pairs[relay.n][0] = c;
					relay.pairs[relay.n][1] = p;
					relay.n++;
				} else {
					if (c >= 0)
						close(c);
					if (p >= 0)
						close(p);
				}
			}
			i = 1;
		}
		for (; i < nfds; i++) {
			char buf[16384];
			ssize_t got;
			int pair, side, to;

			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (pair = 0; pair < relay.n; pair++)
				for (side = 0; side < 2; side++)
					if (relay.pairs[pair][side] ==
					    fds[i].fd)
						goto found;
			continue;
found:
			to = relay.pairs[pair][1 - side];
			got = read(fds[i].fd, buf, sizeof(buf));
			if (got <= 0 || write(to, buf, (size_t)got) != got) {
				close(relay.pairs[pair][0]);
				close(relay.pairs[pair][1]);
				relay.pairs[pair][0] = relay.pairs[relay.n - 1][0];
				relay.pairs[pair][1] = relay.pairs[relay.n - 1][1];
				relay.n--;
				break; /* the fd list is stale now */
			}
		}
		pthread_mutex_unlock(&relay.mu);
	}
}

static void relay_set(bool up)
{
	pthread_mutex_lock(&relay.mu);
	relay.up = up;
	if (up && relay.listen_fd < 0)
		relay.listen_fd = listen_on(relay.port);
	if (!up) {
		drop_all();
		if (relay.listen_fd >= 0)
			close(relay.listen_fd);
		relay.listen_fd = -1;
	}
	pthread_mutex_unlock(&relay.mu);
}

static long health(const struct ordo_node *n)
{
	struct resp *r = http_at(n->base_url, "GET", "/healthz", NULL, NULL,
				 0, NULL);
	long status = r->status;

	resp_free(r);
	return status;
}

static long wait_health(const struct ordo_node *n, long want, long ms)
{
	long deadline = harness_now_ms() + ms, got = 0;

	while (harness_now_ms() < deadline && (got = health(n)) != want)
		harness_sleep_ms(100);
	return got;
}

static long post_order(const struct ordo_node *n, const char *ext)
{
	json_t *o = order_one_line(ext, "OUT-1", 1, PRICE);
	char *body = json_dumps(o, JSON_COMPACT);
	struct resp *r = http_at(n->base_url, "POST", "/v1/orders",
				 srv->key_acme, body, strlen(body), NULL);
	long status = r->status;

	if (status != 201 && status != 503)
		fprintf(stderr, "POST /v1/orders: %ld %s\n", status,
			r->body ? r->body : "");
	resp_free(r);
	free(body);
	json_decref(o);
	return status;
}

static void show_log(const struct ordo_node *n)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "grep -v '\"request\"' %s | tail -20 >&2",
		 n->log_path);
	if (system(cmd) != 0)
		fprintf(stderr, "(no node log)\n");
}

API_TEST(the_database_goes_away_and_comes_back)
{
	const char *db = getenv("ORDO_TEST_DB");
	struct ordo_node n;
	char url[320];
	const char *colon, *slash;
	long status;
	int exit_status;

	if (!db || strncmp(db, "postgres", 8) != 0)
		skip();
	/* postgres://user@127.0.0.1:PORT/name: relay to PORT. */
	slash = strrchr(srv->db_path, '/');
	colon = strrchr(srv->db_path, ':');
	assert_non_null(slash);
	assert_non_null(colon);
	relay.pg_port = (int)strtol(colon + 1, NULL, 10);
	relay.listen_fd = listen_on(0);
	assert_true(relay.listen_fd >= 0);
	relay.up = true;
	pthread_create(&relay.thread, NULL, relay_main, NULL);
	snprintf(url, sizeof(url), "%.*s:%d%s", (int)(colon - srv->db_path),
		 srv->db_path, relay.port, slash);

	make_sku(srv->key_acme, "OUT-1", "Outage widget", PRICE, 1);
	make_location_serving(srv->key_acme, "OUT-WH", 1, NULL);
	set_stock(srv->key_acme, "OUT-WH", "OUT-1", 1000);
	assert_int_equal(harness_node_start(&n, url), 0);
	check(post_order(&n, "OUT-BEFORE") == 201, "an order before");

	relay_set(false);
	status = wait_health(&n, 503, 15000);
	check(status == 503, "/healthz answered %ld while the database was "
	      "unreachable, not 503", status);
	status = post_order(&n, "OUT-DURING");
	check(status == 503, "a write while the database is unreachable "
	      "answered %ld, not 503", status);

	relay_set(true);
	status = wait_health(&n, 200, 20000);
	if (status != 200)
		show_log(&n);
	check(status == 200, "/healthz answered %ld after the database came "
	      "back, not 200", status);
	status = 0;
	for (int i = 0; i < 50 && status != 201; i++) {
		status = post_order(&n, "OUT-AFTER");
		if (status != 201)
			harness_sleep_ms(100);
	}
	check(status == 201, "writes must work again: %ld", status);
	check(orders_count(srv->key_acme, "external_id=OUT-DURING") == 0,
	      "the refused order must not be stored");
	check(orders_count(srv->key_acme, "external_id=OUT-AFTER") == 1,
	      "the order after the outage must be stored once");

	exit_status = harness_node_stop(&n);
	pthread_mutex_lock(&relay.mu);
	relay.stop = true;
	pthread_mutex_unlock(&relay.mu);
	pthread_join(relay.thread, NULL);
	relay_set(false);
	check(exit_status == 0, "the node exited with %d (a crash or a "
	      "sanitizer report)", exit_status);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_database_goes_away_and_comes_back),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
