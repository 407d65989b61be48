/*
 * test_edge.c - every request gets an answer, in ordo's JSON error shape,
 * whatever bytes it carries; bodies over the limit get their 413 even when
 * the client sends all of it first; idempotency compares meaning, not bytes.
 *
 *   bad bytes      %ff, a cut character, %00, control characters and
 *                  malformed escapes in a path or a query parameter: 400
 *                  naming "path", "query" or the parameter, before routing
 *   long values    an id of 200 accented characters answers JSON on every
 *                  route that echoes an id (messages cut between characters)
 *   limits         a request target over 8 KiB is 414, headers over 16 KiB
 *                  are 431, both as JSON
 *   405            every path of the OpenAPI document answers 405 with an
 *                  Allow header to a method it does not document
 *   413            a raw client that sends its whole over-limit body slowly
 *                  before reading receives the 413; curl posting 2 MiB too;
 *                  a client that sends "Expect: 100-continue" gets it at once
 *   idempotency    the same document re-serialised replays; another
 *                  document is 409; a key that is not printable ASCII is 400
 *   connections    one client address holds at most its share of them;
 *                  another address is answered meanwhile; 2,000 slow
 *                  connections leave room for a new client
 *
 * Some cases go over a raw socket, because libcurl would refuse or reshape
 * them (long targets, huge headers) or would hide how the answer arrived.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

/* ---- a raw HTTP client ---------------------------------------------------- */

struct raw {
	int status;	 /* 0: no status line came back */
	char *text;	 /* everything read, NUL-terminated */
	size_t len;
	const char *body; /* into text, after the blank line ("" if none) */
	json_t *json;	 /* the body parsed, or NULL */
	int sent_all;	 /* the whole body went out without a send error */
	int send_errno;
};

static void raw_free(struct raw *r)
{
	free(r->text);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}

static int raw_connect(void)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)srv->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Send head (the request line and headers, with the blank line), then
 * body_len bytes of `fill` in chunks of `chunk` bytes with pause_ms between
 * them, and only then read the answer until the server closes (at most
 * 10 s).
 */
static void raw_request(struct raw *out, const char *head, size_t body_len,
			char fill, size_t chunk, long pause_ms)
{
	int fd = raw_connect();
	char *block = malloc(chunk ? chunk : 1);
	size_t sent = 0, cap = 65536;
	long deadline;

	assert_non_null(block);
	memset(out, 0, sizeof(*out));
	memset(block, fill, chunk ? chunk : 1);
	out->sent_all = send_all(fd, head, strlen(head)) == 0;
	while (out->sent_all && sent < body_len) {
		size_t n = body_len - sent < chunk ? body_len - sent : chunk;

		if (send_all(fd, block, n) != 0) {
			out->sent_all = 0;
			out->send_errno = errno;
			break;
		}
		sent += n;
		if (pause_ms > 0)
			harness_sleep_ms(pause_ms);
	}
	free(block);
	out->text = malloc(cap);
	assert_non_null(out->text);
	deadline = harness_now_ms() + 10000;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - harness_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		if (out->len + 4096 > cap) {
			cap *= 2;
			out->text = realloc(out->text, cap);
			assert_non_null(out->text);
		}
		n = recv(fd, out->text + out->len, cap - out->len - 1, 0);
		if (n <= 0)
			break;
		out->len += (size_t)n;
	}
	close(fd);
	out->text[out->len] = '\0';
	if (!strncmp(out->text, "HTTP/1.", 7) && out->len > 12)
		out->status = (int)strtol(out->text + 9, NULL, 10);
	out->body = strstr(out->text, "\r\n\r\n");
	out->body = out->body ? out->body + 4 : "";
	out->json = json_loads(out->body, 0, NULL);
}

/* The raw answer is status with ordo's error body of code. */
static int raw_has_header(const struct raw *r, const char *name,
			  const char *value);

/* r is ordo's error answer with status and code, with the security headers
 * every answer carries. */
static void check_raw_error(const struct raw *r, int status, const char *code,
			    const char *what)
{
	json_t *e = json_object_get(r->json, "error");

	check(r->status == status, "%s: status %d, want %d; answer:\n%.600s",
	      what, r->status, status, r->text);
	check(json_is_object(e) &&
		      streq(json_string_value(json_object_get(e, "code")),
			    code) &&
		      json_is_string(json_object_get(e, "message")) &&
		      json_is_array(json_object_get(e, "details")),
	      "%s: the body is not ordo's %s error; answer:\n%.600s", what,
	      code, r->text);
	check(raw_has_header(r, "X-Content-Type-Options", "nosniff") &&
		      raw_has_header(r, "Cache-Control", "no-store") &&
		      raw_has_header(r, "Content-Security-Policy",
				     "default-src 'self'") &&
		      !raw_has_header(r, "Server", ""),
	      "%s: the answer lacks the security headers:\n%.600s", what,
	      r->text);
}

/* Case-insensitive: the raw answer's head carries "name: value". */
static int raw_has_header(const struct raw *r, const char *name,
			  const char *value)
{
	const char *line = strstr(r->text, "\r\n");
	size_t nl = strlen(name);

	while (line && line < r->body) {
		line += 2;
		if (!strncasecmp(line, name, nl) && line[nl] == ':') {
			const char *v = line + nl + 1;

			while (*v == ' ')
				v++;
			if (!strncasecmp(v, value, strlen(value)))
				return 1;
		}
		line = strstr(line, "\r\n");
	}
	return 0;
}

/* ---- bad bytes in paths and queries ---------------------------------------- */

struct bad_target {
	const char *method;
	const char *path; /* "@ID" is replaced by a real order id */
	const char *field;
};

/* Bytes that are not UTF-8, or a character cut short: today's encoder would
 * refuse to echo them, so these must be refused before anything echoes them. */
static const struct bad_target not_utf8[] = {
	{ "GET", "/v1/orders/%ff", "path" },
	{ "GET", "/v1/orders/%c3", "path" },	/* a character cut short */
	{ "GET", "/v1/no-such-thing/%ff", "path" },
	{ "POST", "/v1/orders/%ff/defects", "path" },
	{ "DELETE", "/v1/webhooks/%ed%a0%80", "path" }, /* a surrogate */
	{ "GET", "/v1/orders?state=%ff", "state" },
	{ "GET", "/v1/orders?limit=5&channel=%c0%af", "channel" }, /* overlong */
	{ "GET", "/v1/orders?%ff=1", "query" },
	{ "GET", "/v1/stock?sku=MUG%ff", "sku" },
	{ "GET", "/v1/webhooks/deliveries?status=%e2%82", "status" },
	{ "GET", "/healthz?x=%ff", "x" },
};

/* NUL would cut the value short (the order would be found), control
 * characters have no place in an id or a filter, and an escape must be one. */
static const struct bad_target cut_or_control[] = {
	{ "GET", "/v1/orders/@ID%00junk", "path" },
	{ "GET", "/v1/orders/@ID%00", "path" },
	{ "GET", "/v1/orders/@ID/events%00", "path" },
	{ "GET", "/v1/orders/@ID%0a", "path" },
	{ "GET", "/v1/orders/@ID%7f", "path" },
	{ "GET", "/v1/orders/@ID%zz", "path" },
	{ "GET", "/v1/orders/@ID%f", "path" },
	{ "GET", "/v1/orders?external_id=EDGE-BYTES-1%00junk", "external_id" },
	{ "GET", "/v1/orders?external_id=EDGE-BYTES-1%01", "external_id" },
	{ "GET", "/v1/orders?state=%g1", "state" },
};

/* A filter that is not text must not be dropped (listing everything). */
static const struct bad_target queue_filters[] = {
	{ "GET", "/v1/queue?type=%ff", "type" },
	{ "GET", "/v1/queue?type=insufficient_stock%00", "type" },
	{ "GET", "/v1/queue?assignee=%c3", "assignee" },
};

/* Each target answers 400 invalid_request naming its field. */
static void check_bad_targets(const struct bad_target *targets, size_t n)
{
	json_t *order = order_new("EDGE-BYTES-1");
	char *id;

	/* One order with this external_id, made once for the group. */
	if (orders_count(srv->key_acme, "external_id=EDGE-BYTES-1") == 0)
		free(order_create(srv->key_acme, order));
	{
		struct resp *l = http_get(srv->key_acme,
					  "/v1/orders?external_id=EDGE-BYTES-1");

		assert_status(l, 200);
		id = strdup(jstr(json_array_get(json_object_get(l->json,
								"orders"),
						0),
				 "id"));
		resp_free(l);
	}
	for (size_t i = 0; i < n; i++) {
		const struct bad_target *t = &targets[i];
		char path[HARNESS_PATH_MAX];
		const char *at = strstr(t->path, "@ID");
		struct resp *r;

		if (at)
			snprintf(path, sizeof(path), "%.*s%s%s",
				 (int)(at - t->path), t->path, id, at + 3);
		else
			snprintf(path, sizeof(path), "%s", t->path);
		r = http(t->method, path, srv->key_acme,
			 strcmp(t->method, "POST") ? NULL : "{}",
			 strcmp(t->method, "POST") ? 0 : 2, NULL);
		check(r->status != 0, "%s %s got no answer at all", t->method,
		      path);
		assert_error(r, 400, "invalid_request", t->field);
		resp_free(r);
	}
	free(id);
	json_decref(order);
}

/* ---- connections per client address ---------------------------------------- */

/* core/limits.h's ORDO_CONNECTIONS_PER_ADDRESS, ORDO_CONNECTIONS_MAX and
 * the room it keeps for others, ORDO_CONNECTIONS_KEPT. */
#define PER_ADDRESS 512
#define ORDO_CONNECTIONS_MAX 1024
#define ORDO_CONNECTIONS_KEPT 64

/* A connection to the server from the loopback address `from`
 * (127.0.0.x). */
static int connect_from(const char *from)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, from, &a.sin_addr), 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	a.sin_port = htons((uint16_t)srv->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Whether the server closed fd within ms (nothing to read, then EOF or a
 * reset). */
static int closed_within(int fd, long ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c;

	if (poll(&p, 1, (int)ms) <= 0)
		return 0;
	return recv(fd, &c, 1, 0) <= 0;
}

/*
 * One client address holds at most its share of the connections: of
 * PER_ADDRESS + 16 idle ones from 127.0.0.1, those past its share are
 * closed at once (the server's threads, accepting at the same moment, may
 * each let one more in), and another address (127.0.0.2) is still
 * answered; once they close, the first address is answered again.
 */
API_TEST(one_address_holds_at_most_its_share_of_connections)
{
	enum { TRIED = PER_ADDRESS + 16, THREADS = 4 };
	static int fds[TRIED];
	const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
			   "Connection: close\r\n\r\n";
	char answer[256];
	struct resp *r;
	ssize_t n;
	int i, other, kept = 0;

	for (i = 0; i < TRIED; i++)
		fds[i] = connect_from("127.0.0.1");
	harness_sleep_ms(500);
	for (i = 0; i < TRIED; i++)
		kept += !closed_within(fds[i], 0);
	check(kept >= PER_ADDRESS && kept <= PER_ADDRESS + THREADS,
	      "one address kept %d of %d connections; its share is %d", kept,
	      TRIED, PER_ADDRESS);
	other = connect_from("127.0.0.2");
	assert_int_equal(send_all(other, get, strlen(get)), 0);
	n = recv(other, answer, sizeof(answer) - 1, MSG_WAITALL);
	check(n > 12 && strncmp(answer, "HTTP/1.1 200", 12) == 0,
	      "another address must be answered: %.*s", (int)(n > 0 ? n : 0),
	      answer);
	close(other);
	for (i = 0; i < TRIED; i++)
		close(fds[i]);
	harness_sleep_ms(200);
	r = http_get(NULL, "/healthz");
	assert_status(r, 200);
	resp_free(r);
}

/*
 * Slow clients cannot shut others out: 2,000 connections from four
 * addresses (each under its share), each having sent one byte of a
 * request head, take the node's connections but the last
 * ORDO_CONNECTIONS_KEPT (64), which go to addresses that hold fewer than
 * ORDO_CONNECTIONS_FEW (8): a new client is answered at once, and so is a
 * request through the harness, while the slow connections are still open.
 */
API_TEST(slow_clients_leave_room_for_others)
{
	enum { HELD = 2000 };
	static int fds[HELD];
	static const char *const from[] = {"127.0.0.1", "127.0.0.2",
					   "127.0.0.3", "127.0.0.4"};
	const char get[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n"
			   "Connection: close\r\n\r\n";
	struct rlimit fl;
	struct resp *r;
	char answer[64];
	ssize_t n;
	int i, open_yet = 0, late;
	long t0;

	/* The test holds more sockets than a default soft limit of 1,024
	 * files lets it: up to the hard limit, which must allow them. */
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &fl), 0);
	if (fl.rlim_cur < HELD + 64 && fl.rlim_max >= HELD + 64) {
		fl.rlim_cur = HELD + 64;
		assert_int_equal(setrlimit(RLIMIT_NOFILE, &fl), 0);
	}
	check(fl.rlim_cur >= HELD + 64,
	      "this test holds %d sockets; the hard limit of open files is "
	      "%ld",
	      HELD, (long)fl.rlim_max);
	for (i = 0; i < HELD; i++) {
		fds[i] = connect_from(from[i % 4]);
		assert_int_equal(send_all(fds[i], "G", 1), 0);
	}
	harness_sleep_ms(1000);
	for (i = 0; i < HELD; i++)
		open_yet += !closed_within(fds[i], 0);
	check(open_yet >= ORDO_CONNECTIONS_MAX - ORDO_CONNECTIONS_KEPT - 8 &&
		      open_yet <= ORDO_CONNECTIONS_MAX - ORDO_CONNECTIONS_KEPT +
					  8,
	      "%d slow connections kept; the node keeps %d for others", open_yet,
	      ORDO_CONNECTIONS_KEPT);
	t0 = harness_now_ms();
	late = connect_from("127.0.0.5");
	{
		struct timeval tv = {.tv_sec = 5};

		setsockopt(late, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	assert_int_equal(send_all(late, get, strlen(get)), 0);
	n = recv(late, answer, sizeof(answer) - 1, MSG_WAITALL);
	check(n > 12 && strncmp(answer, "HTTP/1.1 200", 12) == 0,
	      "a new client must be answered beside 2,000 slow ones: %.*s",
	      (int)(n > 0 ? n : 0), answer);
	check(harness_now_ms() - t0 < 2000, "the new client waited %ld ms",
	      harness_now_ms() - t0);
	close(late);
	/* Once the slow ones close, their addresses are served again. */
	for (i = 0; i < HELD; i++)
		close(fds[i]);
	t0 = harness_now_ms();
	do {
		harness_sleep_ms(100);
		r = http_get(NULL, "/healthz");
		n = r->status;
		resp_free(r);
	} while (n != 200 && harness_now_ms() - t0 < 10000);
	check(n == 200, "127.0.0.1 is not served again 10 s after its slow "
	      "connections closed");
}

/*
 * A connection that sends half a request head and then nothing is closed
 * once it has been idle ORDO_CONNECTION_IDLE_S (30 s): not at once, and
 * not held for ever.
 */
API_TEST(an_idle_connection_is_closed)
{
	const char half[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
	long started = harness_now_ms(), took;
	int fd = connect_from("127.0.0.1");

	assert_int_equal(send_all(fd, half, strlen(half)), 0);
	check(!closed_within(fd, 2000), "closed before it was idle");
	check(closed_within(fd, 45000), "still open 45 s after its last byte");
	took = harness_now_ms() - started;
	check(took >= 29000, "closed after %ld ms, before its 30 s", took);
	close(fd);
}

/*
 * A connection that sends its request head a byte every second or two -
 * each before the idle time (30 s) runs out - is closed once the head has
 * taken ORDO_REQUEST_HEAD_S (45 s), and one that sends its body so once
 * the body has taken ORDO_REQUEST_BODY_S (45 s) and what its size adds:
 * not before, and not never.
 */
API_TEST(a_request_head_or_body_sent_a_byte_at_a_time_is_cut_off)
{
	/* A head that never ends, and a body of 1,000 bytes (45 s, and
	 * 1000 / ORDO_REQUEST_BODY_RATE more: under 0.1 s) that never
	 * does, each sent a byte every second or two. */
	static const char *const starts[2] = {
		"GET /healthz HTTP/1.1\r\nHost: x\r\n",
		"POST /v1/orders HTTP/1.1\r\nHost: x\r\n"
		"Content-Type: application/json\r\nContent-Length: 1000\r\n"
		"\r\n{",
	};
	static const char *const what[2] = {"head", "body"};
	long started = harness_now_ms(), took[2] = {0, 0};
	int fd[2], open_yet[2] = {1, 1}, i;

	for (i = 0; i < 2; i++) {
		fd[i] = connect_from("127.0.0.1");
		assert_int_equal(send_all(fd[i], starts[i], strlen(starts[i])),
				 0);
	}
	while ((open_yet[0] || open_yet[1]) &&
	       harness_now_ms() - started < 60000)
		for (i = 0; i < 2; i++) {
			if (!open_yet[i])
				continue;
			if (closed_within(fd[i], 1000) ||
			    send(fd[i], " ", 1, MSG_NOSIGNAL) != 1) {
				open_yet[i] = 0;
				took[i] = harness_now_ms() - started;
			}
		}
	for (i = 0; i < 2; i++) {
		check(!open_yet[i], "still open 60 s into a %s sent a byte at "
		      "a time", what[i]);
		check(took[i] >= 44000 && took[i] <= 52000,
		      "the %s's connection closed after %ld ms; it has 45 s",
		      what[i], took[i]);
		close(fd[i]);
	}
	/* Others are served still. */
	{
		struct resp *r = http_get(NULL, "/healthz");

		assert_status(r, 200);
		resp_free(r);
	}
}

API_TEST(bytes_that_are_not_utf8_answer_400_naming_the_parameter)
{
	check_bad_targets(not_utf8, sizeof(not_utf8) / sizeof(not_utf8[0]));
}

API_TEST(nul_control_characters_and_bad_escapes_answer_400)
{
	check_bad_targets(cut_or_control,
			  sizeof(cut_or_control) / sizeof(cut_or_control[0]));
}

API_TEST(a_queue_filter_that_is_not_text_is_400_not_dropped)
{
	check_bad_targets(queue_filters,
			  sizeof(queue_filters) / sizeof(queue_filters[0]));
}

/* Clean escaped UTF-8 still goes through: the edge refuses bytes, not
 * characters. */
API_TEST(escaped_utf8_in_a_query_is_taken)
{
	json_t *order = order_new("\xc3\xa9t\xc3\xa9-EDGE-1");
	char *id = order_create(srv->key_acme, order);
	struct resp *r = http_get(srv->key_acme,
				  "/v1/orders?external_id=%%C3%%A9t%%C3%%A9"
				  "-EDGE-1");
	json_t *orders;

	assert_status(r, 200);
	orders = json_object_get(r->json, "orders");
	check(json_array_size(orders) == 1 &&
		      streq(jstr(json_array_get(orders, 0), "id"), id),
	      "the order with an accented external_id is not found: %s",
	      r->body);
	resp_free(r);
	free(id);
	json_decref(order);
}

/*
 * An id of 200 accented characters, after one ASCII letter so that a cut at
 * any even byte count splits a character: every route that echoes an id in
 * its message answers with a JSON error.
 */
API_TEST(a_long_accented_id_gets_a_json_answer_everywhere)
{
	/* Each route as the text before and after the id. */
	static const char *const routes[][2] = {
		{ "GET /v1/orders/", "" },
		{ "GET /v1/orders/", "/events" },
		{ "POST /v1/orders/", "/defects" },
		{ "GET /v1/fulfillments/", "" },
		{ "POST /v1/fulfillments/", "/accept" },
		{ "POST /v1/shipments/", "/delivered" },
		{ "DELETE /v1/webhooks/", "" },
		{ "POST /v1/webhooks/deliveries/", "/redeliver" },
		{ "POST /v1/holds/", "/claim" },
		{ "PUT /v1/locations/", "/stock/MUG-12OZ" },
		{ "PUT /v1/locations/WH-EAST/stock/", "" },
		{ "GET /v1/stock?sku=", "" },
		{ "GET /v1/orders?external_id=", "" },
	};
	char id[1 + 200 * 6 + 1];
	size_t o = 0;

	id[o++] = 'a';
	for (int i = 0; i < 200; i++) {
		memcpy(id + o, "%C3%A9", 6);
		o += 6;
	}
	id[o] = '\0';
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		char line[2048], head[4096];
		const char *body = "{\"on_hand\": 1, \"type\": \"other\", "
				   "\"message\": \"x\"}";
		struct raw r;
		json_t *e;

		snprintf(line, sizeof(line), "%s%s%s", routes[i][0], id,
			 routes[i][1]);
		snprintf(head, sizeof(head),
			 "%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Authorization: Bearer %s\r\n"
			 "Content-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 line, srv->key_acme,
			 strncmp(line, "GET ", 4) ? strlen(body) : 0,
			 strncmp(line, "GET ", 4) ? body : "");
		raw_request(&r, head, 0, 0, 0, 0);
		check(r.status != 0, "%.60s...: no answer at all", line);
		if (r.status == 200) {
			/* A list that matched nothing is an answer too. */
			check(json_is_object(r.json),
			      "%.60s...: 200 without JSON: %.300s", line,
			      r.text);
		} else {
			e = json_object_get(r.json, "error");
			check(r.status >= 400 && r.status < 500 &&
				      json_is_object(e) &&
				      json_is_string(
					      json_object_get(e, "message")),
			      "%.60s...: not a JSON error: %.600s", line,
			      r.text);
		}
		raw_free(&r);
	}
}

/* ---- limits of the request head ------------------------------------------- */

API_TEST(a_request_target_over_8_kib_is_414_json)
{
	size_t n = 9000;
	char *head = malloc(n + 512);
	size_t o;
	struct raw r;

	assert_non_null(head);
	o = (size_t)snprintf(head, 512, "GET /v1/orders?external_id=");
	memset(head + o, 'a', n);
	o += n;
	snprintf(head + o, 512,
		 " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
		 "Connection: close\r\n\r\n",
		 srv->key_acme);
	raw_request(&r, head, 0, 0, 0, 0);
	check_raw_error(&r, 414, "limit_exceeded", "a 9000-byte target");
	raw_free(&r);
	free(head);
}

API_TEST(request_headers_over_16_kib_are_431_json)
{
	char *head = malloc(32768);
	size_t o;
	struct raw r;

	assert_non_null(head);
	o = (size_t)snprintf(head, 1024,
			     "GET /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Authorization: Bearer %s\r\n",
			     srv->key_acme);
	for (int i = 0; i < 10; i++) {
		o += (size_t)snprintf(head + o, 64, "X-Pad-%d: ", i);
		memset(head + o, 'p', 2000);
		o += 2000;
		memcpy(head + o, "\r\n", 2);
		o += 2;
	}
	snprintf(head + o, 64, "Connection: close\r\n\r\n");
	raw_request(&r, head, 0, 0, 0, 0);
	check_raw_error(&r, 431, "limit_exceeded", "20 KB of headers");
	raw_free(&r);
	free(head);
}

/*
 * Past ORDO_CONNECTION_MEMORY_BYTES libmicrohttpd answers by itself (its own
 * page: it has no hook for that). The request still gets an answer, the
 * server logs it as JSON and goes on serving.
 */
API_TEST(a_head_past_the_http_library_memory_still_gets_an_answer)
{
	size_t n = 200 * 1024;
	char *head = malloc(n + 1024);
	size_t o;
	struct raw r;
	struct resp *h;
	char *log;

	assert_non_null(head);
	o = (size_t)snprintf(head, 1024,
			     "GET /v1/orders?edge-flood HTTP/1.1\r\n"
			     "Host: 127.0.0.1\r\nX-Flood: ");
	memset(head + o, 'f', n);
	o += n;
	snprintf(head + o, 64, "\r\nConnection: close\r\n\r\n");
	raw_request(&r, head, 0, 0, 0, 0);
	check(r.status >= 400 && r.status < 500,
	      "a 200 KiB header got status %d:\n%.300s", r.status, r.text);
	raw_free(&r);
	free(head);
	h = http_get(NULL, "/healthz");
	assert_status(h, 200);
	resp_free(h);
	log = harness_log_text(srv);
	check(strstr(log, "edge-flood") != NULL,
	      "the refused request is not in the log");
	free(log);
}

/* ---- 405 ----------------------------------------------------------------- */

/* A documented path with each {param} replaced by "x". */
static void concrete_path(const char *tmpl, char *out, size_t size)
{
	size_t o = 0;

	for (const char *p = tmpl; *p && o + 2 < size; p++) {
		if (*p == '{') {
			const char *close = strchr(p, '}');

			if (close) {
				out[o++] = 'x';
				p = close;
				continue;
			}
		}
		out[o++] = *p;
	}
	out[o] = '\0';
}

/* A concrete path matches a documented template ({param}: one segment). */
static int template_matches(const char *tmpl, const char *path)
{
	while (*tmpl && *path) {
		if (*tmpl == '{') {
			tmpl = strchr(tmpl, '}');
			if (!tmpl)
				return 0;
			tmpl++;
			while (*path && *path != '/')
				path++;
			continue;
		}
		if (*tmpl++ != *path++)
			return 0;
	}
	return !*tmpl && !*path;
}

/* Some documented path other than `self` takes method on path. */
static int taken_elsewhere(const json_t *paths, const char *self,
			   const char *path, const char *method)
{
	const char *t;
	json_t *it;

	json_object_foreach((json_t *)paths, t, it) {
		if (strcmp(t, self) && template_matches(t, path) &&
		    json_object_get(it, method))
			return 1;
	}
	return 0;
}

API_TEST(every_documented_path_answers_405_with_allow)
{
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH",
					       "DELETE" };
	struct resp *doc = http_get(NULL, "/openapi.json");
	json_t *paths;
	const char *tmpl;
	json_t *item;
	size_t tried = 0;

	assert_status(doc, 200);
	paths = json_object_get(doc->json, "paths");
	assert_true(json_is_object(paths));
	json_object_foreach(paths, tmpl, item) {
		char path[256];

		concrete_path(tmpl, path, sizeof(path));
		for (size_t m = 0; m < 5; m++) {
			char lower[8], allow[128] = "";
			struct resp *r;
			size_t k;

			for (k = 0; methods[m][k]; k++)
				lower[k] = (char)(methods[m][k] | 0x20);
			lower[k] = '\0';
			if (json_object_get(item, lower) ||
			    taken_elsewhere(paths, tmpl, path, lower))
				continue;
			r = http(methods[m], path, srv->key_acme,
				 m == 0 || m == 4 ? NULL : "{}",
				 m == 0 || m == 4 ? 0 : 2, NULL);
			assert_error(r, 405, "method_not_allowed", NULL);
			check(resp_header(r, "Allow", allow, sizeof(allow)),
			      "405 for %s %s has no Allow header:\n%s",
			      methods[m], path, r->headers);
			check(!strstr(allow, methods[m]),
			      "Allow \"%s\" for %s lists the refused method",
			      allow, path);
			/* Every documented method is allowed. */
			for (size_t d = 0; d < 5; d++) {
				char low[8];

				for (k = 0; methods[d][k]; k++)
					low[k] = (char)(methods[d][k] | 0x20);
				low[k] = '\0';
				if (json_object_get(item, low))
					check(strstr(allow, methods[d]),
					      "Allow \"%s\" for %s misses the "
					      "documented %s",
					      allow, path, methods[d]);
			}
			resp_free(r);
			tried++;
		}
	}
	check(tried > 50, "only %zu wrong methods tried", tried);
	resp_free(doc);
}

API_TEST(an_order_answers_405_to_delete_and_put)
{
	json_t *order = order_new("EDGE-405-1");
	char *id = order_create(srv->key_acme, order);
	char path[128], allow[64] = "";
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/orders/%s", id);
	r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
	assert_error(r, 405, "method_not_allowed", NULL);
	check(resp_header(r, "Allow", allow, sizeof(allow)) &&
		      streq(allow, "GET"),
	      "Allow for an order is \"%s\", want \"GET\"", allow);
	resp_free(r);
	r = http("PUT", "/v1/orders", srv->key_acme, "{}", 2, NULL);
	assert_error(r, 405, "method_not_allowed", NULL);
	check(resp_header(r, "Allow", allow, sizeof(allow)) &&
		      strstr(allow, "GET") && strstr(allow, "POST"),
	      "Allow for /v1/orders is \"%s\"", allow);
	resp_free(r);
	/* The order is still there. */
	json_decref(order_fetch(srv->key_acme, id));
	free(id);
	json_decref(order);
}

/* ---- bodies over the limit ------------------------------------------------ */

#define LIMIT (1024 * 1024)

/*
 * A client that sends its whole body (2 MiB, slowly, in 64 KiB pieces) and
 * only then reads must receive the 413: the server reads the rest and throws
 * it away rather than closing on a client that is still sending.
 */
API_TEST(an_oversized_body_sent_in_full_receives_its_413)
{
	char head[1024];
	struct raw r;

	snprintf(head, sizeof(head),
		 "POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		 "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n"
		 "Content-Length: %d\r\n\r\n",
		 srv->key_acme, 2 * LIMIT);
	raw_request(&r, head, 2 * LIMIT, ' ', 64 * 1024, 10);
	check(r.sent_all, "the server cut the upload short (errno %d: %s)",
	      r.send_errno, strerror(r.send_errno));
	check_raw_error(&r, 413, "payload_too_large", "2 MiB sent in full");
	check(raw_has_header(&r, "Connection", "close"),
	      "a 413 must say Connection: close; answer:\n%.400s", r.text);
	raw_free(&r);
}

/* The same without Content-Length: chunked transfer coding. */
API_TEST(an_oversized_chunked_body_receives_its_413)
{
	size_t cap = 2 * LIMIT + 65536, o;
	char *body = malloc(cap);
	struct raw r;

	assert_non_null(body);
	o = (size_t)snprintf(body, 1024,
			     "POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Authorization: Bearer %s\r\n"
			     "Content-Type: application/json\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n",
			     srv->key_acme);
	for (int i = 0; i < 32; i++) {
		o += (size_t)snprintf(body + o, 16, "10000\r\n");
		memset(body + o, ' ', 65536);
		o += 65536;
		memcpy(body + o, "\r\n", 2);
		o += 2;
	}
	memcpy(body + o, "0\r\n\r\n", 5);
	o += 5;
	body[o] = '\0';
	raw_request(&r, body, 0, 0, 0, 0);
	check(r.sent_all, "the server cut the chunked upload short");
	check_raw_error(&r, 413, "payload_too_large", "2 MiB chunked");
	raw_free(&r);
	free(body);
}

/* A client that waits for "100 Continue" is told 413 at once instead. */
API_TEST(expect_100_continue_over_the_limit_is_413_at_once)
{
	char head[1024];
	long t0 = harness_now_ms();
	struct raw r;

	snprintf(head, sizeof(head),
		 "POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		 "Authorization: Bearer %s\r\n"
		 "Content-Type: application/json\r\n"
		 "Expect: 100-continue\r\n"
		 "Content-Length: %d\r\n\r\n",
		 srv->key_acme, 2 * LIMIT);
	raw_request(&r, head, 0, 0, 0, 0);
	check_raw_error(&r, 413, "payload_too_large", "Expect: 100-continue");
	check(harness_now_ms() - t0 < 5000,
	      "the 413 must come without waiting for the body");
	raw_free(&r);
}

/* libcurl posting twice the limit, with and without Expect. */
API_TEST(curl_posting_2_mib_receives_413)
{
	static const char *const no_expect[] = { "Expect:", NULL };
	char *body = malloc(2 * LIMIT);
	struct resp *r;

	assert_non_null(body);
	memset(body, ' ', 2 * LIMIT);
	body[0] = '{';
	body[2 * LIMIT - 1] = '}';
	r = http("POST", "/v1/orders", srv->key_acme, body, 2 * LIMIT, NULL);
	assert_error(r, 413, "payload_too_large", NULL);
	resp_free(r);
	r = http("POST", "/v1/orders", srv->key_acme, body, 2 * LIMIT,
		 no_expect);
	assert_error(r, 413, "payload_too_large", NULL);
	resp_free(r);
	free(body);
}

/* ---- idempotency by meaning ------------------------------------------------ */

static struct resp *post_text(const char *text, const char *ikey)
{
	char h[256];
	const char *headers[] = { h, NULL };

	snprintf(h, sizeof(h), "Idempotency-Key: %s", ikey);
	return http("POST", "/v1/orders", srv->key_acme, text, strlen(text),
		    headers);
}

static int replayed(const struct resp *r)
{
	char v[16];

	return resp_header(r, "Idempotent-Replayed", v, sizeof(v)) &&
	       !strcasecmp(v, "true");
}

API_TEST(the_same_document_reserialised_replays)
{
	json_t *order = order_new("EDGE-IDEM-1");
	char *compact = json_dumps(order, JSON_COMPACT | JSON_PRESERVE_ORDER);
	char *pretty = json_dumps(order, JSON_INDENT(3) | JSON_SORT_KEYS |
						 JSON_ENSURE_ASCII);
	const char *ikey = "edge-idem-1-4b8e";
	struct resp *first, *again;

	assert_non_null(compact);
	assert_non_null(pretty);
	check(strcmp(compact, pretty) != 0, "the two texts must differ");
	first = post_text(compact, ikey);
	assert_status(first, 201);
	again = post_text(pretty, ikey);
	assert_status(again, 201);
	check(replayed(again) && again->body_len == first->body_len &&
		      !memcmp(again->body, first->body, first->body_len),
	      "the same order written differently must replay the first "
	      "answer\nfirst: %.300s\nagain: %.300s",
	      first->body, again->body);
	resp_free(again);
	resp_free(first);
	{
		char q[64];

		snprintf(q, sizeof(q), "external_id=%s", "EDGE-IDEM-1");
		check(orders_count(srv->key_acme, q) == 1,
		      "one order EDGE-IDEM-1");
	}
	free(compact);
	free(pretty);
	json_decref(order);
}

API_TEST(another_document_under_the_key_is_409)
{
	json_t *order = order_new("EDGE-IDEM-2");
	char *a, *b;
	const char *ikey = "edge-idem-2-77a1";
	struct resp *r;

	a = json_dumps(order, JSON_INDENT(2));
	jset(order, "notes", json_string("another note"));
	b = json_dumps(order, JSON_COMPACT | JSON_SORT_KEYS);
	r = post_text(a, ikey);
	assert_status(r, 201);
	resp_free(r);
	r = post_text(b, ikey);
	assert_error(r, 409, "idempotency_key_reused", "Idempotency-Key");
	resp_free(r);
	free(a);
	free(b);
	json_decref(order);
}

API_TEST(an_idempotency_key_not_printable_ascii_is_400)
{
	static const char *const keys[] = {
		"Idempotency-Key: \xff\xfe-edge",
		"Idempotency-Key: caf\xc3\xa9-edge",
		"Idempotency-Key: a\x01" "b-edge",
		"Idempotency-Key: a\tb-edge",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *order = order_new("EDGE-IDEM-BAD");
		char *text = json_dumps(order, JSON_COMPACT);
		const char *headers[] = { keys[i], NULL };
		struct resp *r = http("POST", "/v1/orders", srv->key_acme, text,
				      strlen(text), headers);

		check(r->status != 0, "key %zu: no answer", i);
		assert_error(r, 400, "invalid_request", "Idempotency-Key");
		resp_free(r);
		free(text);
		json_decref(order);
	}
	check(orders_count(srv->key_acme, "external_id=EDGE-IDEM-BAD") == 0,
	      "a request with a refused key must store nothing");
}

/* ---- the log ------------------------------------------------------------- */

/* After all the above, every log line (the HTTP library's too) is JSON. */
API_TEST(every_log_line_is_json)
{
	char *log = harness_log_text(srv);
	char *line, *next;

	for (line = log; *line; line = next) {
		json_t *j;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		j = json_loads(line, 0, NULL);
		check(json_is_object(j), "a log line is not JSON: %.300s",
		      line);
		json_decref(j);
	}
	free(log);
}

/*
 * The server was started with a soft limit of 1,024 open files (main
 * below), fewer than its connections and database need: it raised its
 * own to what they need.
 */
API_TEST(the_node_raises_its_open_files_limit)
{
	char path[64], line[256];
	long soft = -1;
	FILE *f;
	const char *wrap = getenv("ORDO_TEST_WRAP");

	/* Under Valgrind (make valgrind) the limit the node sets is
	 * Valgrind's to keep, not the process's. */
	if (wrap && *wrap)
		skip();
	snprintf(path, sizeof(path), "/proc/%d/limits", (int)srv->pid);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "Max open files", 14) == 0)
			soft = strtol(line + 14, NULL, 10);
	fclose(f);
	check(soft >= ORDO_CONNECTIONS_MAX + 64,
	      "the node's soft limit of open files is %ld", soft);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_node_raises_its_open_files_limit),
		cmocka_unit_test(one_address_holds_at_most_its_share_of_connections),
		cmocka_unit_test(slow_clients_leave_room_for_others),
		cmocka_unit_test(an_idle_connection_is_closed),
		cmocka_unit_test(a_request_head_or_body_sent_a_byte_at_a_time_is_cut_off),
		cmocka_unit_test(bytes_that_are_not_utf8_answer_400_naming_the_parameter),
		cmocka_unit_test(nul_control_characters_and_bad_escapes_answer_400),
		cmocka_unit_test(a_queue_filter_that_is_not_text_is_400_not_dropped),
		cmocka_unit_test(escaped_utf8_in_a_query_is_taken),
		cmocka_unit_test(a_long_accented_id_gets_a_json_answer_everywhere),
		cmocka_unit_test(a_request_target_over_8_kib_is_414_json),
		cmocka_unit_test(request_headers_over_16_kib_are_431_json),
		cmocka_unit_test(a_head_past_the_http_library_memory_still_gets_an_answer),
		cmocka_unit_test(every_documented_path_answers_405_with_allow),
		cmocka_unit_test(an_order_answers_405_to_delete_and_put),
		cmocka_unit_test(an_oversized_body_sent_in_full_receives_its_413),
		cmocka_unit_test(an_oversized_chunked_body_receives_its_413),
		cmocka_unit_test(expect_100_continue_over_the_limit_is_413_at_once),
		cmocka_unit_test(curl_posting_2_mib_receives_413),
		cmocka_unit_test(the_same_document_reserialised_replays),
		cmocka_unit_test(another_document_under_the_key_is_409),
		cmocka_unit_test(an_idempotency_key_not_printable_ascii_is_400),
		cmocka_unit_test(every_log_line_is_json),
	};

	struct rlimit fl;

	/* A common default, below what a node needs: it raises its own. */
	if (getrlimit(RLIMIT_NOFILE, &fl) == 0 && fl.rlim_cur > 1024) {
		fl.rlim_cur = 1024;
		setrlimit(RLIMIT_NOFILE, &fl);
	}
	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
