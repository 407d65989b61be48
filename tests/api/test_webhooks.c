/*
 * test_webhooks.c - signed webhooks out of the transactional outbox.
 *
 * Why it is long: its groups share one in-process receiver (recording,
 * answering by mode, the views and checks over what arrived), and each
 * group needs its own server flags; the receiver is this file's fixture.
 *
 * A webhook receiver runs inside this process: libmicrohttpd on 127.0.0.1
 * and a free port, recording every request (path, headers, body, arrival)
 * and answering as the test says: 200, 500 (until a moment), slow (sleep
 * past the server's timeout on an event's first attempt), or down (not
 * listening at all).
 *
 *   subscriptions   POST /v1/webhooks answers the secret once; GET never
 *                   shows it; bad url / unknown event type 400; DELETE.
 *   a clean order   order.accepted, order.allocated, fulfillment.released,
 *                   shipment.created, order.shipped, order.delivered, each
 *                   delivered once, every X-Ordo-Signature valid
 *                   (HMAC-SHA256 of "t.body" with the secret, t within 5
 *                   minutes), X-Ordo-Event-Id = body.id, in the order they
 *                   happened; another tenant's webhook hears nothing.
 *   handoff         a location-bound webhook gets only its location's
 *                   fulfillment events.
 *   outages         a receiver answering 500, one that is down, and one that
 *                   accepts each connection and resets it (RST, no answer),
 *                   for the first ~3 s: every event is delivered as 2xx
 *                   exactly once (repeats only before the success), in
 *                   order per order, within ~20 s; while the resets last,
 *                   another tenant's webhook and orders are not slowed, and
 *                   ordo backs off from the resetting receiver as from any
 *                   failing one.
 *   slow receiver   (second group: ordo serve --webhook-timeout-ms 500) a
 *                   first attempt that takes 2 s is retried and delivered.
 *   retry window    webhook_retry_window_s 2 and a receiver that always
 *                   fails: the delivery ends failed, is listed with
 *                   status=failed, and redeliver sends it again.
 *   stock.low       fires when available drops to the threshold.
 *   secrets         a replay of a creation (same Idempotency-Key, any key
 *                   of the tenant) shows no secret.
 *   management      only admin keys create, delete and resume webhooks; at
 *                   most 20 per tenant; redelivering for a deleted webhook
 *                   is 409.
 *
 * Further groups run servers with other options. A "black hole" (a socket
 * that listens and never accepts) stands for a receiver that never answers.
 *
 *   dead receiver   (--webhook-timeout-ms 300) five acme webhooks to the
 *                   black hole and thousands of pending deliveries: a
 *                   globex webhook still gets its event within 5 s, the
 *                   claims' work (/metrics) does not grow, the dead
 *                   webhooks back off as a whole and say why neutrally.
 *   stopping        (--webhook-timeout-ms 60000) SIGTERM while a send
 *                   hangs: the server exits 0 within 5 s.
 *   guarded         (--webhook-allow 192.0.2.0/24, so loopback is refused)
 *                   internal addresses and names are refused at creation,
 *                   an allowed range is accepted, a bad allow list stops
 *                   the start, and a send is checked on the address it
 *                   connects to.
 *   paused          a webhook failing for a day (the clock moved a day on)
 *                   is paused, listed so, the tenant told by webhook.paused
 *                   and the log, its deliveries kept; redelivery is 409
 *                   until an admin resumes it.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#define PRICE "10.00"
#define DELIVERY_WAIT_MS 25000
#define SIGNATURE_TOLERANCE_S 300

static const char *acme(void)
{
	return srv->key_acme;
}

static long ival(const json_t *j, const char *field)
{
	json_t *v = json_object_get(j, field);

	return json_is_integer(v) ? (long)json_integer_value(v) : -999999;
}

/* ---- the receiver ------------------------------------------------------ */

enum rcv_mode {
	RCV_OK,		/* 200 */
	RCV_FAIL,	/* 500 until fail_until_ms, then 200 */
	RCV_SLOW_FIRST, /* an event's first attempt: sleep slow_ms, then 200 */
};

struct rec {
	char path[128];
	char event_id[96];
	char event_type[64];
	char delivery_id[96];
	char signature[256];
	char content_type[128];
	char *body;
	size_t body_len;
	long arrived_ms; /* monotonic, on the servers' clock */
	time_t arrived_unix;
	int status; /* what we answered */
};

struct receiver {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t mu;
	struct rec *recs;
	size_t n, cap;
	enum rcv_mode mode;
	long fail_until_ms;
	long slow_ms;
};

static struct receiver rcv = { .mu = PTHREAD_MUTEX_INITIALIZER };

struct upload {
	char *data;
	size_t len;
};

static int seen_event(const struct receiver *r, const char *event_id)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->recs[i].event_id, event_id))
			return 1;
	return 0;
}

static void copy_header(struct MHD_Connection *c, const char *name, char *out,
			size_t size)
{
	const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);

	snprintf(out, size, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct receiver *r = cls;
	struct upload *up = *con_cls;
	struct rec rec;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	long sleep_ms = 0;

	(void)method;
	(void)version;
	if (!up) {
		up = calloc(1, sizeof(*up));
		if (!up)
			return MHD_NO;
		*con_cls = up;
		return MHD_YES;
	}
	if (*upload_data_size) {
		char *d = realloc(up->data, up->len + *upload_data_size + 1);

		if (!d)
			return MHD_NO;
		memcpy(d + up->len, upload_data, *upload_data_size);
		up->data = d;
		up->len += *upload_data_size;
		up->data[up->len] = '\0';
		*upload_data_size = 0;
		return MHD_YES;
	}

	memset(&rec, 0, sizeof(rec));
	rec.arrived_ms = harness_clock_ms();
	rec.arrived_unix = harness_clock_now();
	snprintf(rec.path, sizeof(rec.path), "%s", url);
	copy_header(c, "X-Ordo-Event-Id", rec.event_id, sizeof(rec.event_id));
	copy_header(c, "X-Ordo-Event-Type", rec.event_type,
		    sizeof(rec.event_type));
	copy_header(c, "X-Ordo-Delivery-Id", rec.delivery_id,
		    sizeof(rec.delivery_id));
	copy_header(c, "X-Ordo-Signature", rec.signature, sizeof(rec.signature));
	copy_header(c, "Content-Type", rec.content_type,
		    sizeof(rec.content_type));
	rec.body = up->data ? up->data : strdup("");
	rec.body_len = up->data ? up->len : 0;
	up->data = NULL;
	up->len = 0;

	pthread_mutex_lock(&r->mu);
	switch (r->mode) {
	case RCV_OK:
		rec.status = 200;
		break;
	case RCV_FAIL:
		rec.status = harness_now_ms() < r->fail_until_ms ? 500 : 200;
		break;
	case RCV_SLOW_FIRST:
		rec.status = 200;
		if (!seen_event(r, rec.event_id))
			sleep_ms = r->slow_ms;
		break;
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 256;
		struct rec *v = realloc(r->recs, cap * sizeof(*v));

		if (!v) {
			pthread_mutex_unlock(&r->mu);
			free(rec.body);
			return MHD_NO;
		}
		r->recs = v;
		r->cap = cap;
	}
	r->recs[r->n++] = rec;
	pthread_mutex_unlock(&r->mu);

	if (sleep_ms)
		harness_sleep_ms(sleep_ms);
	resp = MHD_create_response_from_buffer(2, (void *)"ok",
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, (unsigned int)rec.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct upload *up = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (up) {
		free(up->data);
		free(up);
		*con_cls = NULL;
	}
}

/* Listen on 127.0.0.1:port (0: any free port). */
static void receiver_start(int port)
{
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)port);
	for (int attempt = 0; attempt < 50 && !rcv.daemon; attempt++) {
		rcv.daemon = MHD_start_daemon(
			MHD_USE_INTERNAL_POLLING_THREAD |
				MHD_USE_THREAD_PER_CONNECTION,
			(uint16_t)port, NULL, NULL, on_request, &rcv,
			MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
			MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
			MHD_OPTION_NOTIFY_COMPLETED, on_completed, &rcv,
			MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
			MHD_OPTION_END);
		if (!rcv.daemon)
			harness_sleep_ms(100);
	}
	if (!rcv.daemon)
		fail_msg("webhook receiver: cannot listen on port %d", port);
	info = MHD_get_daemon_info(rcv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	rcv.port = info ? info->port : port;
	assert_true(rcv.port > 0);
}

static void receiver_stop(void)
{
	if (rcv.daemon)
		MHD_stop_daemon(rcv.daemon);
	rcv.daemon = NULL;
}

static void receiver_mode(enum rcv_mode mode, long fail_for_ms, long slow_ms)
{
	pthread_mutex_lock(&rcv.mu);
	rcv.mode = mode;
	rcv.fail_until_ms = fail_for_ms == LONG_MAX ?
				    LONG_MAX :
				    harness_now_ms() + fail_for_ms;
	rcv.slow_ms = slow_ms;
	pthread_mutex_unlock(&rcv.mu);
}

/* When a RCV_FAIL outage ends (real time, monotonic ms). */
static long rcv_fail_until(void)
{
	long until;

	pthread_mutex_lock(&rcv.mu);
	until = rcv.fail_until_ms;
	pthread_mutex_unlock(&rcv.mu);
	return until;
}

static void receiver_clear(void)
{
	pthread_mutex_lock(&rcv.mu);
	for (size_t i = 0; i < rcv.n; i++)
		free(rcv.recs[i].body);
	free(rcv.recs);
	rcv.recs = NULL;
	rcv.n = rcv.cap = 0;
	pthread_mutex_unlock(&rcv.mu);
}

/*
 * ---- a receiver that resets connections ---------------------------------
 *
 * A listener on a port of its own that, while resetting, accepts each
 * connection and closes it with a TCP RST (SO_LINGER 0) without a word:
 * every other one at once, the others once the request's headers (or
 * whatever came within 200 ms) were read - so ordo meets the reset both
 * while sending and while waiting for the answer. Then it relays each
 * connection to the receiver above, which answers 200 and records as
 * ever, at the path the webhook names.
 */
static struct resetter {
	pthread_t thread;
	int fd;
	int port;
	bool running;
	atomic_bool relaying;
	atomic_bool stop;
	atomic_int resets;
	atomic_int pumps; /* relayed connections still open */
} rst = { .fd = -1 };

/* Read what arrives on fd until the headers end or ms pass. */
static void drain_headers(int fd, long ms)
{
	char buf[4096];
	size_t have = 0;
	long deadline = harness_now_ms() + ms;

	while (harness_now_ms() < deadline && have < sizeof(buf) - 1) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;

		if (poll(&p, 1, 20) <= 0)
			continue;
		n = read(fd, buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			return;
		have += (size_t)n;
		buf[have] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return;
	}
}

static void reset_close(int fd)
{
	struct linger l = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}

/* Copy bytes both ways between a relayed connection and the receiver. */
static void *pump_main(void *arg)
{
	int a = (int)(intptr_t)arg, b = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)rcv.port);
	if (b >= 0 && connect(b, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
		while (!atomic_load(&rst.stop)) {
			struct pollfd p[2] = { { a, POLLIN, 0 }, { b, POLLIN, 0 } };
			char buf[16384];
			int k, done = 0;

			if (poll(p, 2, 50) <= 0)
				continue;
			for (k = 0; k < 2 && !done; k++) {
				ssize_t n;

				if (!p[k].revents)
					continue;
				n = read(p[k].fd, buf, sizeof(buf));
				done = n <= 0 ||
				       write(p[1 - k].fd, buf, (size_t)n) != n;
			}
			if (done)
				break;
		}
	}
	if (b >= 0)
		close(b);
	close(a);
	atomic_fetch_sub(&rst.pumps, 1);
	return NULL;
}

static void *resetter_main(void *arg)
{
	(void)arg;
	while (!atomic_load(&rst.stop)) {
		struct pollfd p = { rst.fd, POLLIN, 0 };
		int c;

		if (poll(&p, 1, 50) <= 0)
			continue;
		c = accept(rst.fd, NULL, NULL);
		if (c < 0)
			continue;
		if (atomic_load(&rst.relaying)) {
			pthread_t t;

			atomic_fetch_add(&rst.pumps, 1);
			if (pthread_create(&t, NULL, pump_main,
					   (void *)(intptr_t)c) == 0) {
				pthread_detach(t);
			} else {
				atomic_fetch_sub(&rst.pumps, 1);
				close(c);
			}
			continue;
		}
		if (atomic_load(&rst.resets) % 2)
			drain_headers(c, 200);
		reset_close(c);
		atomic_fetch_add(&rst.resets, 1);
	}
	return NULL;
}

static void resetter_start(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rst.fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(rst.fd >= 0);
	assert_int_equal(bind(rst.fd, (struct sockaddr *)&addr, sizeof(addr)),
			 0);
	assert_int_equal(listen(rst.fd, 64), 0);
	assert_int_equal(getsockname(rst.fd, (struct sockaddr *)&addr, &len),
			 0);
	rst.port = ntohs(addr.sin_port);
	atomic_store(&rst.stop, false);
	atomic_store(&rst.relaying, false);
	atomic_store(&rst.resets, 0);
	assert_int_equal(pthread_create(&rst.thread, NULL, resetter_main, NULL),
			 0);
	rst.running = true;
}

static void resetter_stop(void)
{
	if (!rst.running)
		return;
	atomic_store(&rst.stop, true);
	pthread_join(rst.thread, NULL);
	while (atomic_load(&rst.pumps) > 0)
		harness_sleep_ms(10);
	close(rst.fd);
	rst.fd = -1;
	rst.running = false;
}

/* ---- event views --------------------------------------------------------- */

/* The order an event is about, or "" (stock.low). */
static void event_order_id(const json_t *body, char *out, size_t size)
{
	const char *type = jstr(body, "type");
	const char *id = NULL;

	if (type && !strncmp(type, "order.", 6))
		id = jstr(body, "data.id");
	else if (type && !strncmp(type, "fulfillment.", 12))
		id = jstr(body, "data.order_id") ? jstr(body, "data.order_id")
						 : jstr(body, "data.order.id");
	else if (type && !strcmp(type, "shipment.created"))
		id = jstr(body, "data.order_id");
	snprintf(out, size, "%s", id ? id : "");
}

/* One event as the receiver at a path saw it. */
struct ev {
	char id[96];
	char type[64];
	char order_id[64];
	char created_at[40];
	char location[64]; /* data.location, if any */
	long available;	   /* stock.low: data.available */
	char sku[64];	   /* stock.low: data.sku */
	int attempts;
	int ok;		     /* 2xx answers */
	size_t first_seen;   /* index of its first request */
	size_t first_ok;     /* index of its first 2xx */
	int after_ok;	     /* requests after the first 2xx */
	long first_ms, second_ms;
};

struct view {
	struct ev *ev;
	size_t n;
};

static void view_free(struct view *v)
{
	free(v->ev);
	v->ev = NULL;
	v->n = 0;
}

/* Every event id received at path, in order of first arrival. */
static void view_of(const char *path, struct view *v)
{
	memset(v, 0, sizeof(*v));
	pthread_mutex_lock(&rcv.mu);
	v->ev = calloc(rcv.n ? rcv.n : 1, sizeof(*v->ev));
	assert_non_null(v->ev);
	for (size_t i = 0; i < rcv.n; i++) {
		const struct rec *rc = &rcv.recs[i];
		struct ev *e = NULL;

		if (strcmp(rc->path, path))
			continue;
		for (size_t k = 0; k < v->n; k++)
			if (!strcmp(v->ev[k].id, rc->event_id))
				e = &v->ev[k];
		if (!e) {
			json_t *body = json_loadb(rc->body, rc->body_len, 0,
						  NULL);
			const char *s;

			e = &v->ev[v->n++];
			snprintf(e->id, sizeof(e->id), "%s", rc->event_id);
			s = jstr(body, "type");
			snprintf(e->type, sizeof(e->type), "%s", s ? s : "");
			event_order_id(body, e->order_id, sizeof(e->order_id));
			s = jstr(body, "created_at");
			snprintf(e->created_at, sizeof(e->created_at), "%s",
				 s ? s : "");
			s = jstr(body, "data.location");
			snprintf(e->location, sizeof(e->location), "%s",
				 s ? s : "");
			s = jstr(body, "data.sku");
			snprintf(e->sku, sizeof(e->sku), "%s", s ? s : "");
			e->available = ival(jget(body, "data"), "available");
			e->first_seen = i;
			e->first_ms = rc->arrived_ms;
			json_decref(body);
		} else if (e->attempts == 1) {
			e->second_ms = rc->arrived_ms;
		}
		e->attempts++;
		if (e->ok)
			e->after_ok++;
		if (rc->status >= 200 && rc->status < 300) {
			if (!e->ok)
				e->first_ok = i;
			e->ok++;
		}
	}
	pthread_mutex_unlock(&rcv.mu);
}

/* How many events of type about order were delivered (2xx) at path. */
static int delivered_count(const struct view *v, const char *order_id,
			   const char *type)
{
	int n = 0;

	for (size_t i = 0; i < v->n; i++)
		if (v->ev[i].ok && !strcmp(v->ev[i].type, type) &&
		    (!order_id || !strcmp(v->ev[i].order_id, order_id)))
			n++;
	return n;
}

struct expect {
	const char *order_id;
	const char *type;
	int count; /* at least */
};

static int all_delivered(const char *path, const struct expect *want,
			 size_t n)
{
	struct view v;
	int ok = 1;

	view_of(path, &v);
	for (size_t i = 0; i < n && ok; i++)
		ok = delivered_count(&v, want[i].order_id, want[i].type) >=
		     want[i].count;
	view_free(&v);
	return ok;
}

static void dump_view(const char *path)
{
	struct view v;

	view_of(path, &v);
	print_error("receiver %s saw %zu events:\n", path, v.n);
	for (size_t i = 0; i < v.n; i++)
		print_error("  %s %-22s order %s created %s attempts %d ok %d "
			    "after_ok %d\n",
			    v.ev[i].id, v.ev[i].type, v.ev[i].order_id,
			    v.ev[i].created_at, v.ev[i].attempts, v.ev[i].ok,
			    v.ev[i].after_ok);
	view_free(&v);
}

/* Every request at path: arrival (ms after the first), type, order, answer. */
static void dump_requests(const char *path)
{
	long t0 = -1;

	pthread_mutex_lock(&rcv.mu);
	print_error("requests at %s:\n", path);
	for (size_t i = 0; i < rcv.n; i++) {
		const struct rec *rc = &rcv.recs[i];
		json_t *body;
		char oid[64];

		if (strcmp(rc->path, path))
			continue;
		if (t0 < 0)
			t0 = rc->arrived_ms;
		body = json_loadb(rc->body, rc->body_len, 0, NULL);
		event_order_id(body, oid, sizeof(oid));
		print_error("  +%6ld ms  %s %-22s order %s -> %d\n",
			    rc->arrived_ms - t0, rc->event_id, rc->event_type,
			    oid, rc->status);
		json_decref(body);
	}
	pthread_mutex_unlock(&rcv.mu);
}

/* Wait until every expectation is met at path, or fail listing what came. */
static void wait_delivered(const char *path, const struct expect *want,
			   size_t n, long timeout_ms)
{
	long deadline = harness_now_ms() + timeout_ms;

	while (!all_delivered(path, want, n)) {
		if (harness_now_ms() > deadline) {
			dump_view(path);
			for (size_t i = 0; i < n; i++)
				print_error("expected %d x %s for order %s\n",
					    want[i].count, want[i].type,
					    want[i].order_id ? want[i].order_id
							     : "(any)");
			fail_msg("webhooks at %s not all delivered within %ld "
				 "ms", path, timeout_ms);
		}
		harness_sleep_ms(100);
	}
}

/* The body of the first request of event_id at path (new ref), or NULL. */
static json_t *body_of(const char *path, const char *event_id)
{
	json_t *body = NULL;

	pthread_mutex_lock(&rcv.mu);
	for (size_t i = 0; i < rcv.n && !body; i++)
		if (!strcmp(rcv.recs[i].path, path) &&
		    !strcmp(rcv.recs[i].event_id, event_id))
			body = json_loadb(rcv.recs[i].body,
					  rcv.recs[i].body_len, 0, NULL);
	pthread_mutex_unlock(&rcv.mu);
	return body;
}

/* ---- signatures ------------------------------------------------------------ */

/* NULL if the request is well signed and labelled, else why not. */
static const char *delivery_problem(const struct rec *rc, const char *secret,
				    char *why, size_t size)
{
	unsigned char mac[crypto_auth_hmacsha256_BYTES];
	char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
	crypto_auth_hmacsha256_state st;
	char tbuf[32] = "", v1[160] = "", all_v1[3][160], copy[256];
	char *tok, *save = NULL;
	long long t;
	json_t *body;
	int n_v1 = 0, k;

	/* Every v1 (two while a rotated secret's grace lasts): one must be
	 * the secret's, as a receiver checks. */
	snprintf(copy, sizeof(copy), "%s", rc->signature);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (!strncmp(tok, "t=", 2))
			snprintf(tbuf, sizeof(tbuf), "%s", tok + 2);
		else if (!strncmp(tok, "v1=", 3) && n_v1 < 3)
			snprintf(all_v1[n_v1++], sizeof(all_v1[0]), "%s",
				 tok + 3);
	}
	if (n_v1)
		snprintf(v1, sizeof(v1), "%s", all_v1[0]);
	if (!tbuf[0] || !v1[0]) {
		snprintf(why, size, "X-Ordo-Signature \"%s\" is not "
			 "t=UNIX,v1=HEX", rc->signature);
		return why;
	}
	t = atoll(tbuf);
	if (llabs((long long)rc->arrived_unix - t) > SIGNATURE_TOLERANCE_S) {
		snprintf(why, size, "signature t=%lld is more than %d s from "
			 "arrival %lld", t, SIGNATURE_TOLERANCE_S,
			 (long long)rc->arrived_unix);
		return why;
	}
	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret,
				    strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)tbuf,
				      strlen(tbuf));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)rc->body,
				      rc->body_len);
	crypto_auth_hmacsha256_final(&st, mac);
	sodium_bin2hex(hex, sizeof(hex), mac, sizeof(mac));
	for (k = 0; k < n_v1; k++)
		if (!strcmp(hex, all_v1[k]))
			snprintf(v1, sizeof(v1), "%s", all_v1[k]);
	if (strcmp(hex, v1)) {
		snprintf(why, size, "v1=%s is not HMAC-SHA256(secret, "
			 "\"t.body\") = %s", v1, hex);
		return why;
	}
	if (strncasecmp(rc->content_type, "application/json", 16)) {
		snprintf(why, size, "Content-Type \"%s\"", rc->content_type);
		return why;
	}
	body = json_loadb(rc->body, rc->body_len, 0, NULL);
	if (!body || !jstr(body, "id") || strcmp(jstr(body, "id"), rc->event_id)) {
		snprintf(why, size, "X-Ordo-Event-Id \"%s\" is not body.id",
			 rc->event_id);
	} else if (!streq(jstr(body, "type"), rc->event_type)) {
		snprintf(why, size, "X-Ordo-Event-Type \"%s\" is not body.type",
			 rc->event_type);
	} else if (strncmp(rc->event_id, "evt_", 4)) {
		snprintf(why, size, "event id \"%s\" is not evt_...",
			 rc->event_id);
	} else if (strncmp(rc->delivery_id, "dlv_", 4)) {
		snprintf(why, size, "X-Ordo-Delivery-Id \"%s\" is not dlv_...",
			 rc->delivery_id);
	} else if (!is_rfc3339(jstr(body, "created_at")) ||
		   !json_is_object(json_object_get(body, "data"))) {
		snprintf(why, size, "body lacks created_at or data");
	} else {
		why = NULL;
	}
	json_decref(body);
	return why;
}

/* Every request received at path is signed with secret; returns how many. */
static size_t check_signatures(const char *path, const char *secret)
{
	size_t n = 0, bad = 0;
	char first[600] = "";

	pthread_mutex_lock(&rcv.mu);
	for (size_t i = 0; i < rcv.n; i++) {
		char why[400];
		const struct rec *rc = &rcv.recs[i];

		if (strcmp(rc->path, path))
			continue;
		n++;
		if (delivery_problem(rc, secret, why, sizeof(why)) && !bad++)
			snprintf(first, sizeof(first), "%s\nbody: %.150s", why,
				 rc->body);
	}
	pthread_mutex_unlock(&rcv.mu);
	check(bad == 0, "%zu of %zu deliveries at %s are not well signed; "
	      "first: %s", bad, n, path, first);
	return n;
}

/*
 * The events of each order arrived (first success) in the order they
 * happened: created_at never goes back, no event was even sent before the
 * one before it was delivered, and (chain_order, for an order that never
 * went back a stage) the lifecycle types come in their order.
 */
static void check_order_sequence(const char *path, const char *order_id,
				 int chain_order)
{
	static const char *const chain[] = {
		"order.accepted", "order.allocated", "fulfillment.released",
		"shipment.created", "order.shipped", "order.delivered",
	};
	struct view v;
	const struct ev *prev = NULL;
	int last_rank = -1;
	size_t *idx;
	size_t m = 0;

	view_of(path, &v);
	idx = calloc(v.n ? v.n : 1, sizeof(*idx));
	assert_non_null(idx);
	for (size_t i = 0; i < v.n; i++)
		if (v.ev[i].ok && !strcmp(v.ev[i].order_id, order_id))
			idx[m++] = i;
	/* sort by first success */
	for (size_t i = 1; i < m; i++)
		for (size_t k = i; k > 0 && v.ev[idx[k - 1]].first_ok >
						    v.ev[idx[k]].first_ok;
		     k--) {
			size_t t = idx[k];

			idx[k] = idx[k - 1];
			idx[k - 1] = t;
		}
	for (size_t i = 0; i < m; i++) {
		const struct ev *e = &v.ev[idx[i]];
		int rank = -1;

		for (int k = 0; k < (int)(sizeof(chain) / sizeof(chain[0])); k++)
			if (!strcmp(e->type, chain[k]))
				rank = k;
		if ((prev && strcmp(prev->created_at, e->created_at) > 0) ||
		    (chain_order && rank >= 0 && rank < last_rank)) {
			struct ev a, b = *e;

			memset(&a, 0, sizeof(a));
			if (prev)
				a = *prev;
			free(idx);
			view_free(&v);
			dump_requests(path);
			fail_msg("order %s: %s (created %s) was delivered after "
				 "%s (created %s)", order_id, b.type,
				 b.created_at, a.type, a.created_at);
		}
		/* Not even sent before the earlier one was delivered. */
		if (prev && e->first_seen < prev->first_ok) {
			struct ev a = *prev, b = *e;

			free(idx);
			view_free(&v);
			dump_requests(path);
			fail_msg("order %s: %s %s was sent before the earlier %s "
				 "%s was delivered", order_id, b.type, b.id,
				 a.type, a.id);
		}
		if (rank >= 0)
			last_rank = rank;
		prev = e;
	}
	free(idx);
	view_free(&v);
}

/* Each event at path was answered 2xx exactly once, with nothing after it. */
static void check_exactly_once(const char *path)
{
	struct view v;

	view_of(path, &v);
	for (size_t i = 0; i < v.n; i++) {
		if (v.ev[i].ok == 1 && v.ev[i].after_ok == 0)
			continue;
		{
			struct ev e = v.ev[i];

			view_free(&v);
			dump_view(path);
			fail_msg("event %s (%s) was answered 2xx %d times, with "
				 "%d requests after the first success",
				 e.id, e.type, e.ok, e.after_ok);
		}
	}
	view_free(&v);
}

/*
 * Retries back off exponentially (1 s, 2 s, 4 s, ...): attempt k of an
 * event comes no sooner than (2^k - 1) s after its first attempt. Times in
 * the API are whole seconds, so a schedule kept in seconds may fire up to
 * 1 s early; that much (and 100 ms of timer slack) is allowed.
 */
static void check_backoff(const char *path)
{
	struct view v;

	view_of(path, &v);
	for (size_t e = 0; e < v.n; e++) {
		long first = -1, want;
		int k = 0;
		char msg[400] = "";

		pthread_mutex_lock(&rcv.mu);
		for (size_t i = 0; i < rcv.n; i++) {
			const struct rec *rc = &rcv.recs[i];

			if (strcmp(rc->path, path) ||
			    strcmp(rc->event_id, v.ev[e].id))
				continue;
			if (first < 0) {
				first = rc->arrived_ms;
				continue;
			}
			k++;
			want = ((1L << k) - 1) * 1000 - 1100;
			if (rc->arrived_ms - first < want && !msg[0])
				snprintf(msg, sizeof(msg),
					 "event %s: attempt %d came %ld ms after "
					 "the first (backoff 1 s, 2 s, 4 s ... "
					 "wants >= %ld ms)",
					 v.ev[e].id, k + 1,
					 rc->arrived_ms - first, want + 1100);
		}
		pthread_mutex_unlock(&rcv.mu);
		if (msg[0]) {
			view_free(&v);
			dump_requests(path);
			fail_msg("%s", msg);
		}
	}
	view_free(&v);
}

/* ---- API helpers ------------------------------------------------------------- */

struct hook {
	char id[64];
	char secret[256];
	char path[64];
};

/* Subscribe to 127.0.0.1:port at path. */
static void subscribe_port(const char *key, struct hook *h, int port,
			   const char *path, const char *events_json,
			   const char *location)
{
	char body[1024];
	struct resp *r;

	snprintf(h->path, sizeof(h->path), "%s", path);
	if (location)
		snprintf(body, sizeof(body),
			 "{\"url\": \"http://127.0.0.1:%d%s\", \"events\": %s, "
			 "\"location\": \"%s\"}",
			 port, path, events_json, location);
	else
		snprintf(body, sizeof(body),
			 "{\"url\": \"http://127.0.0.1:%d%s\", \"events\": %s}",
			 port, path, events_json);
	r = http("POST", "/v1/webhooks", key, body, strlen(body), NULL);
	assert_status(r, 201);
	check(jstr(r->json, "id") && jstr(r->json, "secret"),
	      "webhook without id or secret: %s", r->body);
	snprintf(h->id, sizeof(h->id), "%s", jstr(r->json, "id"));
	snprintf(h->secret, sizeof(h->secret), "%s", jstr(r->json, "secret"));
	resp_free(r);
}

static void subscribe(const char *key, struct hook *h, const char *path,
		      const char *events_json, const char *location)
{
	subscribe_port(key, h, rcv.port, path, events_json, location);
}

static const char all_events[] =
	"[\"order.accepted\", \"order.on_hold\", \"order.allocated\", "
	"\"order.backordered\", \"fulfillment.released\", "
	"\"fulfillment.accepted\", \"fulfillment.rejected\", "
	"\"shipment.created\", \"order.shipped\", \"order.delivered\", "
	"\"order.closed\", \"order.cancelled\", \"stock.low\"]";

static void delete_all_webhooks(const char *key)
{
	struct resp *r = http_get(key, "/v1/webhooks");
	json_t *w;
	size_t i;

	if (r->status == 200) {
		json_array_foreach(json_object_get(r->json, "webhooks"), i, w) {
			char path[128];
			struct resp *d;

			snprintf(path, sizeof(path), "/v1/webhooks/%s",
				 jstr(w, "id"));
			d = http("DELETE", path, key, NULL, 0, NULL);
			resp_free(d);
		}
	}
	resp_free(r);
}

/* Per-test teardown: no webhooks left, default settings, receiver up. */
static int webhook_test_teardown(void **state)
{
	if (!srv)
		return 0;
	delete_all_webhooks(srv->key_acme);
	delete_all_webhooks(srv->key_globex);
	resetter_stop();
	receiver_mode(RCV_OK, 0, 0);
	if (!rcv.daemon)
		receiver_start(rcv.port);
	return settings_reset(state);
}

static void make_stocked(const char *sku, const char *loc, long on_hand)
{
	make_sku(acme(), sku, sku, PRICE, 1);
	make_location_serving(acme(), loc, 5, NULL);
	set_stock(acme(), loc, sku, on_hand);
}

static char *order_of(const char *ext, const char *sku, long qty)
{
	json_t *o = order_one_line(ext, sku, qty, PRICE);
	char *id = order_create(acme(), o);

	json_decref(o);
	return id;
}

static void first_fulfillment(const char *order_id, char *out, size_t size)
{
	json_t *o = order_fetch(acme(), order_id);
	const char *id = jstr(o, "fulfillments[0].id");

	check(id != NULL, "order %s has no fulfillment", order_id);
	snprintf(out, size, "%s", id);
	json_decref(o);
}

static void ship_and_deliver(const char *ful, const char *sku, long qty)
{
	char path[256], body[256], shp[96];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", ful);
	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"sku\": \"%s\", \"quantity\": %ld}], "
		 "\"carrier\": \"UPS\", \"tracking_number\": \"1Z%ld\"}",
		 sku, qty, qty);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	snprintf(shp, sizeof(shp), "%s", jstr(r->json, "id"));
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/shipments/%s/delivered", shp);
	r = http("POST", path, acme(), "{}", 2, NULL);
	assert_status(r, 200);
	resp_free(r);
}

/* The delivery of event_id in a deliveries list (new ref), or NULL. */
static json_t *find_delivery(const char *status, const char *event_id)
{
	char path[128];
	json_t *all, *d, *found = NULL;
	size_t i;

	snprintf(path, sizeof(path), "/v1/webhooks/deliveries?status=%s", status);
	all = list_all(acme(), path, "deliveries", 200);
	json_array_foreach(all, i, d)
		if (streq(jstr(d, "event_id"), event_id))
			found = json_incref(d);
	json_decref(all);
	return found;
}

/* ---- subscriptions ---------------------------------------------------------- */

API_TEST(subscriptions_show_the_secret_once)
{
	static const struct {
		const char *body;
		const char *field;
		const char *alt;
	} bad[] = {
		{ "{\"url\": \"ftp://example.com/hook\", \"events\": "
		  "[\"order.accepted\"]}", "url", NULL },
		{ "{\"url\": \"not a url\", \"events\": [\"order.accepted\"]}",
		  "url", NULL },
		{ "{\"events\": [\"order.accepted\"]}", "url", NULL },
		{ "{\"url\": \"http://127.0.0.1:9/x\", \"events\": "
		  "[\"order.accepted\", \"order.exploded\"]}", "events[1]",
		  "events" },
		/* Each type is one subscription: named twice, refused. */
		{ "{\"url\": \"http://127.0.0.1:9/x\", \"events\": "
		  "[\"order.accepted\", \"order.shipped\", "
		  "\"order.accepted\"]}", "events[2]", NULL },
		{ "{\"url\": \"http://127.0.0.1:9/x\"}", "events", NULL },
		{ "{\"url\": \"http://127.0.0.1:9/x\", \"events\": "
		  "\"order.accepted\"}", "events", NULL },
	};
	struct resp *r;
	struct hook h;
	json_t *w;
	size_t i;
	int listed = 0;
	char path[128], delete_body[256];
	long delete_status;

	subscribe(acme(), &h, "/t1", "[\"order.accepted\", \"order.shipped\"]",
		  NULL);
	check(!strncmp(h.id, "whk_", 4) && !strncmp(h.secret, "whsec_", 6),
	      "id %s / secret %s: expected whk_... and whsec_...", h.id,
	      h.secret);

	r = http_get(acme(), "/v1/webhooks");
	assert_status(r, 200);
	check(!strstr(r->body, h.secret), "GET /v1/webhooks shows the secret");
	json_array_foreach(json_object_get(r->json, "webhooks"), i, w) {
		check(!json_object_get(w, "secret"),
		      "webhooks[%zu] carries a secret: %s", i, r->body);
		if (streq(jstr(w, "id"), h.id)) {
			json_t *ev = json_object_get(w, "events");

			listed = 1;
			check(json_array_size(ev) == 2 &&
				      streq(json_string_value(
						    json_array_get(ev, 0)),
					    "order.accepted") &&
				      strstr(jstr(w, "url"), "/t1") &&
				      is_rfc3339(jstr(w, "created_at")),
			      "listed webhook: %s", r->body);
		}
	}
	check(listed, "the new webhook is not listed");
	resp_free(r);

	r = http_get(srv->key_globex, "/v1/webhooks");
	assert_status(r, 200);
	check(!strstr(r->body, h.id), "another tenant lists acme's webhook");
	resp_free(r);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = http("POST", "/v1/webhooks", acme(), bad[i].body,
			 strlen(bad[i].body), NULL);
		if (r->status != 400 ||
		    (error_details_naming(r, bad[i].field) == 0 &&
		     (!bad[i].alt || error_details_naming(r, bad[i].alt) == 0)))
			print_error("POST /v1/webhooks %s\n", bad[i].body);
		assert_error(r, 400, "invalid_request", NULL);
		check(error_details_naming(r, bad[i].field) ||
			      (bad[i].alt && error_details_naming(r, bad[i].alt)),
		      "error must name %s: %s", bad[i].field, r->body);
		resp_free(r);
	}

	snprintf(path, sizeof(path), "/v1/webhooks/%s", h.id);
	r = http("DELETE", path, srv->key_globex, NULL, 0, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	delete_status = r->status;
	snprintf(delete_body, sizeof(delete_body), "%.200s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/webhooks");
	check(!strstr(r->body, h.id), "a deleted webhook is still listed");
	resp_free(r);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	/* Checked last so that the rest runs either way. */
	check(delete_status == 204,
	      "DELETE /v1/webhooks/{id} must answer 204, got HTTP %ld \"%s\"",
	      delete_status, delete_body);
}

/* ---- a clean order ------------------------------------------------------------- */

API_TEST(a_clean_order_is_reported_signed_and_in_order)
{
	struct hook h, g;
	char *id;
	char ful[96];
	struct view v;
	json_t *d;

	receiver_mode(RCV_OK, 0, 0);
	subscribe(acme(), &h, "/t2", all_events, NULL);
	subscribe(srv->key_globex, &g, "/t2-globex", all_events, NULL);
	make_stocked("WK-CLEAN", "WK-CLEAN", 100);

	id = order_of("WK-CLEAN-1", "WK-CLEAN", 2);
	first_fulfillment(id, ful, sizeof(ful));
	ship_and_deliver(ful, "WK-CLEAN", 1);
	ship_and_deliver(ful, "WK-CLEAN", 1);
	{
		const struct expect want[] = {
			{ id, "order.accepted", 1 },
			{ id, "order.allocated", 1 },
			{ id, "fulfillment.released", 1 },
			{ id, "shipment.created", 2 },
			{ id, "order.shipped", 1 },
			{ id, "order.delivered", 1 },
		};

		wait_delivered("/t2", want, sizeof(want) / sizeof(want[0]),
			       DELIVERY_WAIT_MS);
	}
	check(check_signatures("/t2", h.secret) >= 7, "at least 7 deliveries");
	check_exactly_once("/t2");
	check_order_sequence("/t2", id, 1);

	/* The event bodies carry what they report. */
	view_of("/t2", &v);
	for (size_t i = 0; i < v.n; i++) {
		json_t *b = body_of("/t2", v.ev[i].id);
		const char *t = v.ev[i].type;
		char *text = json_dumps(b, JSON_COMPACT);
		int ok = 1;

		if (!strncmp(t, "order.", 6))
			ok = streq(jstr(b, "data.id"), id) &&
			     json_is_array(jget(b, "data.lines")) &&
			     jstr(b, "data.state");
		else if (!strncmp(t, "fulfillment.", 12))
			ok = streq(jstr(b, "data.id"), ful) &&
			     streq(jstr(b, "data.location"), "WK-CLEAN") &&
			     streq(jstr(b, "data.order.id"), id);
		else if (!strcmp(t, "shipment.created"))
			ok = jstr(b, "data.id") &&
			     !strncmp(jstr(b, "data.id"), "shp_", 4) &&
			     streq(jstr(b, "data.fulfillment_id"), ful) &&
			     streq(jstr(b, "data.order_id"), id);
		check(ok, "%s: data must be the %s it reports (fulfillment "
		      "events: with \"order\"): %s", t,
		      !strncmp(t, "order.", 6) ? "order" :
		      !strncmp(t, "fulfillment.", 12) ? "fulfillment" :
						       "shipment",
		      text ? text : "?");
		free(text);
		json_decref(b);
	}
	{
		/* The API lists them as delivered. */
		struct ev first = v.ev[0];

		view_free(&v);
		d = find_delivery("delivered", first.id);
		check(d != NULL, "delivery of %s not listed as delivered",
		      first.id);
		check(streq(jstr(d, "webhook_id"), h.id) &&
			      streq(jstr(d, "status"), "delivered") &&
			      ival(d, "attempts") >= 1 &&
			      !strncmp(jstr(d, "id") ? jstr(d, "id") : "",
				       "dlv_", 4) &&
			      streq(jstr(d, "event_type"), first.type) &&
			      is_rfc3339(jstr(d, "delivered_at")),
		      "delivery entry lacks fields");
		json_decref(d);
	}

	/* Another tenant sees none of acme's deliveries. */
	{
		json_t *gl = list_all(srv->key_globex,
				      "/v1/webhooks/deliveries?status=delivered",
				      "deliveries", 200);
		char *text = json_dumps(gl, JSON_COMPACT);

		check(!strstr(text, id) && !strstr(text, h.id),
		      "globex lists acme's deliveries: %.300s", text);
		free(text);
		json_decref(gl);
	}

	/* Another tenant's subscription heard nothing of it. */
	view_of("/t2-globex", &v);
	for (size_t i = 0; i < v.n; i++)
		check(strcmp(v.ev[i].order_id, id),
		      "globex's webhook got acme's %s", v.ev[i].type);
	view_free(&v);
	free(id);
}

/* ---- location handoff --------------------------------------------------------- */

API_TEST(a_location_webhook_gets_only_its_fulfillments)
{
	struct hook loc, all;
	char *a, *b;
	char fa[96], path[160];
	struct resp *r;
	struct view v;
	long until;

	receiver_mode(RCV_OK, 0, 0);
	make_stocked("WK-LA", "WK-LA", 100);
	make_stocked("WK-LB", "WK-LB", 100);
	subscribe(acme(), &loc, "/t3-loc",
		  "[\"fulfillment.released\", \"fulfillment.accepted\", "
		  "\"fulfillment.rejected\"]", "WK-LA");
	subscribe(acme(), &all, "/t3-all",
		  "[\"fulfillment.released\", \"fulfillment.accepted\", "
		  "\"fulfillment.rejected\"]", NULL);
	r = http_get(acme(), "/v1/webhooks");
	check(strstr(r->body, "WK-LA") != NULL,
	      "the location of a webhook must be listed: %s", r->body);
	resp_free(r);

	a = order_of("WK-LOC-A", "WK-LA", 1);
	b = order_of("WK-LOC-B", "WK-LB", 1);
	first_fulfillment(a, fa, sizeof(fa));
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/accept", fa);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	{
		const struct expect want_all[] = {
			{ a, "fulfillment.released", 1 },
			{ a, "fulfillment.accepted", 1 },
			{ b, "fulfillment.released", 1 },
		};
		const struct expect want_loc[] = {
			{ a, "fulfillment.released", 1 },
			{ a, "fulfillment.accepted", 1 },
		};

		wait_delivered("/t3-all", want_all, 3, DELIVERY_WAIT_MS);
		wait_delivered("/t3-loc", want_loc, 2, DELIVERY_WAIT_MS);
	}
	/* Give a wrongly routed event a moment to show up. */
	until = harness_now_ms() + 1000;
	while (harness_now_ms() < until)
		harness_sleep_ms(100);
	view_of("/t3-loc", &v);
	for (size_t i = 0; i < v.n; i++)
		check(!strcmp(v.ev[i].location, "WK-LA") &&
			      strcmp(v.ev[i].order_id, b),
		      "the WK-LA webhook got %s of %s at %s", v.ev[i].type,
		      v.ev[i].order_id, v.ev[i].location);
	view_free(&v);
	check_signatures("/t3-loc", loc.secret);
	check_signatures("/t3-all", all.secret);
	free(a);
	free(b);
}

/* ---- outages -------------------------------------------------------------------- */

#define OUTAGE_ORDERS 3

static void outage_orders(const char *prefix, const char *sku,
			  char *ids[OUTAGE_ORDERS])
{
	for (int i = 0; i < OUTAGE_ORDERS; i++) {
		char ext[64];

		snprintf(ext, sizeof(ext), "%s-%d", prefix, i);
		ids[i] = order_of(ext, sku, 1);
	}
}

/*
 * Every order's accepted/allocated/released events (and, with shipped set,
 * the first order's shipment.created, order.shipped and order.delivered)
 * are delivered exactly once, well signed, in order.
 */
static void outage_checks(const struct hook *h, char *ids[OUTAGE_ORDERS],
			  int shipped)
{
	struct expect want[OUTAGE_ORDERS * 3 + 3];
	size_t n = 0;
	long start = harness_now_ms();

	for (int i = 0; i < OUTAGE_ORDERS; i++) {
		want[n++] = (struct expect){ ids[i], "order.accepted", 1 };
		want[n++] = (struct expect){ ids[i], "order.allocated", 1 };
		want[n++] = (struct expect){ ids[i], "fulfillment.released", 1 };
	}
	if (shipped) {
		want[n++] = (struct expect){ ids[0], "shipment.created", 1 };
		want[n++] = (struct expect){ ids[0], "order.shipped", 1 };
		want[n++] = (struct expect){ ids[0], "order.delivered", 1 };
	}
	wait_delivered(h->path, want, n, DELIVERY_WAIT_MS);
	print_message("    all delivered %ld ms after the checks began\n",
		      harness_now_ms() - start);
	check_signatures(h->path, h->secret);
	check_exactly_once(h->path);
	for (int i = 0; i < OUTAGE_ORDERS; i++)
		check_order_sequence(h->path, ids[i], 1);
	check_backoff(h->path);
}

API_TEST(a_receiver_answering_500_loses_nothing)
{
	struct hook h;
	char *ids[OUTAGE_ORDERS];
	struct view v;
	int retried = 0;
	json_t *d;

	make_stocked("WK-500", "WK-500", 100);
	receiver_mode(RCV_FAIL, 3000, 0);
	subscribe(acme(), &h, "/t4", all_events, NULL);
	outage_orders("WK-500", "WK-500", ids);
	/* The first order also ships and is delivered during the outage. */
	{
		char ful[96];

		first_fulfillment(ids[0], ful, sizeof(ful));
		ship_and_deliver(ful, "WK-500", 1);
	}
	/* The outage ends; the retries it caused are due at once on the
	 * servers' clock rather than after their backoff in real time. */
	while (harness_now_ms() < rcv_fail_until())
		harness_sleep_ms(50);
	harness_clock_advance(8);
	outage_checks(&h, ids, 1);

	view_of("/t4", &v);
	for (size_t i = 0; i < v.n; i++)
		if (v.ev[i].attempts > 1)
			retried++;
	if (retried) {
		for (size_t i = 0; i < v.n; i++)
			if (v.ev[i].attempts > 1) {
				char eid[96];

				snprintf(eid, sizeof(eid), "%s", v.ev[i].id);
				view_free(&v);
				d = find_delivery("delivered", eid);
				check(d && ival(d, "attempts") >= 2,
				      "a retried delivery must be listed "
				      "delivered with attempts >= 2");
				json_decref(d);
				break;
			}
	}
	view_free(&v);
	check(retried > 0, "the receiver answered 500 for 3 s, yet no event "
	      "was retried");
	/* Each failed attempt is logged, what it was and what comes of it,
	 * and never the secret. */
	{
		char *log = harness_log_text(srv);

		check(strstr(log, "\"msg\":\"webhook delivery failed\"") &&
			      strstr(log, "\"error\":\"the receiver answered "
					  "500\"") &&
			      strstr(log, "\"outcome\":\"retried with "
					  "backoff\"") &&
			      !strstr(log, h.secret),
		      "the failures in the log");
		free(log);
	}
	for (int i = 0; i < OUTAGE_ORDERS; i++)
		free(ids[i]);
}

API_TEST(a_receiver_that_is_down_loses_nothing)
{
	struct hook h;
	char *ids[OUTAGE_ORDERS];
	int port = rcv.port;
	long up_at;

	make_stocked("WK-DOWN", "WK-DOWN", 100);
	receiver_mode(RCV_OK, 0, 0);
	subscribe(acme(), &h, "/t5", all_events, NULL);
	receiver_stop();
	up_at = harness_now_ms() + 3000;
	outage_orders("WK-DOWN", "WK-DOWN", ids);
	/* The outage itself: nobody listens for 3 s. */
	while (harness_now_ms() < up_at)
		harness_sleep_ms(50);
	receiver_start(port);
	check(rcv.port == port, "receiver came back on port %d, not %d",
	      rcv.port, port);
	harness_clock_advance(8);
	outage_checks(&h, ids, 0);
	for (int i = 0; i < OUTAGE_ORDERS; i++)
		free(ids[i]);
}

/*
 * A receiver that accepts the connection and resets it (RST, no answer)
 * for 3 s, then answers 200: every event is delivered in the end, once,
 * in order; meanwhile another tenant's webhook gets its events at once
 * and orders are answered as quickly as ever.
 */
API_TEST(a_receiver_resetting_connections_loses_nothing)
{
	struct hook h, g;
	char *ids[OUTAGE_ORDERS];
	long t0, took, resets_until, waited = 0, slowest = 0;
	int resets;

	make_stocked("WK-RST", "WK-RST", 100);
	resetter_start();
	resets_until = harness_now_ms() + 3000;
	subscribe_port(acme(), &h, rst.port, "/t-rst", all_events, NULL);
	subscribe(srv->key_globex, &g, "/t-rst-live", "[\"order.accepted\"]",
		  NULL);
	for (int i = 0; i < OUTAGE_ORDERS; i++) {
		char ext[64];

		snprintf(ext, sizeof(ext), "WK-RST-%d", i);
		t0 = harness_now_ms();
		ids[i] = order_of(ext, "WK-RST", 1);
		took = harness_now_ms() - t0;
		slowest = took > slowest ? took : slowest;
	}
	{
		char ful[96];

		first_fulfillment(ids[0], ful, sizeof(ful));
		ship_and_deliver(ful, "WK-RST", 1);
	}
	/* The resets under way, another tenant's event comes at once. */
	t0 = harness_now_ms();
	while (atomic_load(&rst.resets) < 1 && harness_now_ms() - t0 < 5000)
		harness_sleep_ms(20);
	check(atomic_load(&rst.resets) >= 1,
	      "ordo never connected to the resetting receiver");
	{
		json_t *o = order_one_line("WK-RST-LIVE", "TSHIRT-BLK-M", 1,
					   "19.99");
		char *id;
		bool got = false;

		t0 = harness_now_ms();
		id = order_create(srv->key_globex, o);
		took = harness_now_ms() - t0;
		slowest = took > slowest ? took : slowest;
		json_decref(o);
		while (!got) {
			struct view v;

			view_of("/t-rst-live", &v);
			for (size_t k = 0; k < v.n; k++)
				got = got || (streq(v.ev[k].order_id, id) &&
					      v.ev[k].ok);
			view_free(&v);
			waited = harness_now_ms() - t0;
			check(got || waited < 5000,
			      "globex's event not delivered within 5 s while "
			      "acme's receiver resets every connection");
			if (!got)
				harness_sleep_ms(50);
		}
		free(id);
	}
	check(slowest < 2000, "an order took %ld ms to be answered while a "
	      "receiver reset its connections", slowest);
	print_message("    globex's event arrived after %ld ms; the slowest "
		      "order took %ld ms\n", waited, slowest);

	/* The resets end: the receiver answers 200 from now on. */
	while (harness_now_ms() < resets_until)
		harness_sleep_ms(50);
	atomic_store(&rst.relaying, true);
	resets = atomic_load(&rst.resets);
	harness_clock_advance(8);
	outage_checks(&h, ids, 1);
	print_message("    %d connections reset\n", resets);
	/* Tried once per backoff period (1 s, 2 s: at 0, 1 and 3 s), not
	 * again at once after each reset. */
	check(resets <= 6, "%d connections in 3 s: a receiver that resets "
	      "them must be backed off from like any failing one", resets);

	/* Each reset was a failed attempt, logged neutrally, and retried. */
	{
		char *log = harness_log_text(srv);

		check(strstr(log, "\"error\":\"the connection closed without "
				  "an answer\"") &&
			      strstr(log, "\"outcome\":\"retried with "
					  "backoff\""),
		      "the resets in the log");
		free(log);
	}
	resetter_stop();
	for (int i = 0; i < OUTAGE_ORDERS; i++)
		free(ids[i]);
}

/* ---- retry window and redelivery ----------------------------------------------- */

API_TEST(an_undeliverable_event_fails_and_can_be_redelivered)
{
	struct hook h;
	char *id;
	char eid[96] = "", dlv[96] = "", path[160];
	json_t *d = NULL;
	struct resp *r;
	long deadline;
	struct view v;

	settings_patch(acme(), "{\"webhook_retry_window_s\": 2}");
	receiver_mode(RCV_FAIL, LONG_MAX, 0);
	make_stocked("WK-FAIL", "WK-FAIL", 100);
	subscribe(acme(), &h, "/t7", "[\"order.accepted\"]", NULL);
	id = order_of("WK-FAIL-1", "WK-FAIL", 1);

	/* The first attempt names the event. */
	deadline = harness_now_ms() + 10000;
	while (!eid[0]) {
		view_of("/t7", &v);
		for (size_t i = 0; i < v.n; i++)
			if (!strcmp(v.ev[i].order_id, id))
				snprintf(eid, sizeof(eid), "%s", v.ev[i].id);
		view_free(&v);
		check(eid[0] || harness_now_ms() < deadline,
		      "no attempt to deliver order.accepted within 10 s");
		harness_sleep_ms(100);
	}

	/* 2 s after the event it is given up: failed. The window passes on
	 * the servers' clock, not in real time. */
	harness_clock_advance(3);
	deadline = harness_now_ms() + 20000;
	while (!(d = find_delivery("failed", eid))) {
		if (harness_now_ms() > deadline) {
			dump_view("/t7");
			fail_msg("delivery of %s not failed within 20 s "
				 "(retry window 2 s)", eid);
		}
		harness_sleep_ms(200);
	}
	check(streq(jstr(d, "status"), "failed") &&
		      streq(jstr(d, "webhook_id"), h.id) &&
		      streq(jstr(d, "event_type"), "order.accepted") &&
		      streq(jstr(d, "order_id"), id) &&
		      ival(d, "attempts") >= 1 && ival(d, "last_status") == 500 &&
		      jstr(d, "id") && !strncmp(jstr(d, "id"), "dlv_", 4),
	      "failed delivery entry: status failed, webhook_id, event_type, "
	      "order_id, attempts >= 1, last_status 500");
	snprintf(dlv, sizeof(dlv), "%s", jstr(d, "id"));
	json_decref(d);
	check_signatures("/t7", h.secret);

	/* The receiver is fixed; redeliver. */
	receiver_mode(RCV_OK, 0, 0);
	snprintf(path, sizeof(path), "/v1/webhooks/deliveries/%s/redeliver", dlv);
	r = http("POST", path, srv->key_globex, NULL, 0, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), dlv) &&
		      (streq(jstr(r->json, "status"), "pending") ||
		       streq(jstr(r->json, "status"), "delivered")),
	      "redeliver must answer the delivery, pending again: %s",
	      r->body);
	resp_free(r);
	{
		const struct expect want[] = { { id, "order.accepted", 1 } };

		wait_delivered("/t7", want, 1, 15000);
	}
	deadline = harness_now_ms() + 10000;
	while (!(d = find_delivery("delivered", eid))) {
		check(harness_now_ms() < deadline,
		      "redelivered %s not listed as delivered", dlv);
		harness_sleep_ms(200);
	}
	json_decref(d);
	d = find_delivery("failed", eid);
	check(d == NULL, "a redelivered delivery is still listed as failed");
	check_signatures("/t7", h.secret);

	r = http("POST", "/v1/webhooks/deliveries/dlv_doesnotexist/redeliver",
		 acme(), NULL, 0, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http_get(acme(), "/v1/webhooks/deliveries?status=bogus");
	assert_error(r, 400, "invalid_request", "status");
	resp_free(r);
	free(id);
}

/* ---- stock.low ------------------------------------------------------------------ */

static int low_for(const struct view *v, const char *sku, long *available)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->ev[i].type, "stock.low") &&
		    !strcmp(v->ev[i].sku, sku) && v->ev[i].ok) {
			*available = v->ev[i].available;
			return 1;
		}
	return 0;
}

API_TEST(stock_low_fires_at_the_threshold)
{
	struct hook h;
	char *a, *b;
	struct view v;
	long avail = -1, deadline;
	int found = 0;

	receiver_mode(RCV_OK, 0, 0);
	subscribe(acme(), &h, "/t8", "[\"stock.low\"]", NULL);
	make_stocked("WK-LOW", "WK-LOW", 8);
	/* threshold 5 (default): 8 -> 6 is above it ... */
	a = order_of("WK-LOW-1", "WK-LOW", 2);
	/* ... 6 -> 5 reaches it. */
	b = order_of("WK-LOW-2", "WK-LOW", 1);
	check(stock_figure(acme(), "WK-LOW", "WK-LOW", "available") == 5,
	      "available must be 5");

	deadline = harness_now_ms() + 15000;
	while (!found) {
		view_of("/t8", &v);
		found = low_for(&v, "WK-LOW", &avail);
		view_free(&v);
		if (!found && harness_now_ms() > deadline) {
			dump_view("/t8");
			fail_msg("no stock.low for WK-LOW within 15 s");
		}
		harness_sleep_ms(100);
	}
	check(avail == 5, "the first stock.low must report available 5, got "
	      "%ld", avail);
	view_of("/t8", &v);
	for (size_t i = 0; i < v.n; i++) {
		json_t *body = body_of("/t8", v.ev[i].id);
		json_t *data = json_object_get(body, "data");
		char *text = json_dumps(body, JSON_COMPACT);

		if (!strcmp(v.ev[i].sku, "WK-LOW"))
			check(ival(data, "on_hand") == 8 &&
				      ival(data, "reserved") >= 3 &&
				      json_is_integer(json_object_get(
					      data, "safety_stock")),
			      "stock.low data must be the stock level "
			      "(location, sku, on_hand, reserved, "
			      "safety_stock, available): %s", text);
		free(text);
		json_decref(body);
	}
	view_free(&v);
	view_of("/t8", &v);
	for (size_t i = 0; i < v.n; i++)
		if (!strcmp(v.ev[i].sku, "WK-LOW"))
			check(v.ev[i].available <= 5 &&
				      !strcmp(v.ev[i].location, "WK-LOW"),
			      "stock.low with available %ld at %s",
			      v.ev[i].available, v.ev[i].location);
	view_free(&v);
	check_signatures("/t8", h.secret);
	free(a);
	free(b);
}

/* ---- concurrency --------------------------------------------------------- */

#define CONC_ORDERS 16

struct poster {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *base_url;
	const char *key;
	char *body;
	long status;
	char id[64];
};

static void *poster_run(void *arg)
{
	struct poster *p = arg;
	struct resp *r;
	const char *id;

	pthread_barrier_wait(p->start);
	r = http_at(p->base_url, "POST", "/v1/orders", p->key, p->body,
		    strlen(p->body), NULL);
	p->status = r->status;
	id = jstr(r->json, "id");
	snprintf(p->id, sizeof(p->id), "%s", id ? id : "");
	resp_free(r);
	return NULL;
}

API_TEST(concurrent_orders_are_each_reported_once_in_order)
{
	static struct poster posters[CONC_ORDERS];
	struct expect want[CONC_ORDERS * 3];
	pthread_barrier_t start;
	struct hook h;

	receiver_mode(RCV_OK, 0, 0);
	make_stocked("WK-CONC", "WK-CONC", 1000);
	subscribe(acme(), &h, "/t10", all_events, NULL);
	assert_int_equal(pthread_barrier_init(&start, NULL, CONC_ORDERS), 0);
	for (int i = 0; i < CONC_ORDERS; i++) {
		char ext[32];
		json_t *o;

		snprintf(ext, sizeof(ext), "WK-CONC-%02d", i);
		o = order_one_line(ext, "WK-CONC", 1, PRICE);
		memset(&posters[i], 0, sizeof(posters[i]));
		posters[i].body = json_dumps(o, JSON_COMPACT);
		json_decref(o);
		posters[i].start = &start;
		posters[i].base_url = srv->base_url;
		posters[i].key = acme();
		assert_int_equal(pthread_create(&posters[i].thread, NULL,
						poster_run, &posters[i]),
				 0);
	}
	for (int i = 0; i < CONC_ORDERS; i++)
		pthread_join(posters[i].thread, NULL);
	pthread_barrier_destroy(&start);
	for (int i = 0; i < CONC_ORDERS; i++) {
		free(posters[i].body);
		check(posters[i].status == 201, "order %d: HTTP %ld", i,
		      posters[i].status);
		want[i * 3] = (struct expect){ posters[i].id, "order.accepted", 1 };
		want[i * 3 + 1] =
			(struct expect){ posters[i].id, "order.allocated", 1 };
		want[i * 3 + 2] = (struct expect){ posters[i].id,
						   "fulfillment.released", 1 };
	}
	wait_delivered("/t10", want, CONC_ORDERS * 3, DELIVERY_WAIT_MS);
	check_signatures("/t10", h.secret);
	check_exactly_once("/t10");
	for (int i = 0; i < CONC_ORDERS; i++)
		check_order_sequence("/t10", posters[i].id, 1);
}

/* ---- holds and rejections ---------------------------------------------------- */

API_TEST(holds_and_rejections_are_reported)
{
	struct hook h;
	char *id;
	char ful[96], path[160];
	struct view v;
	struct resp *r;
	const char *body = "{\"reason\": \"incorrect_address\", "
			   "\"message\": \"no such street\"}";

	receiver_mode(RCV_OK, 0, 0);
	settings_patch(acme(), "{\"backorder_mode\": \"hold\"}");
	make_stocked("WK-HOLD", "WK-HOLD", 1);
	subscribe(acme(), &h, "/t9", all_events, NULL);

	/* 3 wanted, 1 there: on hold. */
	id = order_of("WK-HOLD-1", "WK-HOLD", 3);
	{
		const struct expect want[] = { { id, "order.on_hold", 1 } };

		wait_delivered("/t9", want, 1, DELIVERY_WAIT_MS);
	}
	/* Stock arrives: allocated and released. */
	stock_adjust(acme(), "WK-HOLD", "WK-HOLD", 5, "receipt");
	{
		const struct expect want[] = {
			{ id, "order.allocated", 1 },
			{ id, "fulfillment.released", 1 },
		};

		wait_delivered("/t9", want, 2, DELIVERY_WAIT_MS);
	}
	/* The warehouse rejects: fulfillment.rejected, on hold again. */
	first_fulfillment(id, ful, sizeof(ful));
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/reject", ful);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 200);
	resp_free(r);
	{
		const struct expect want[] = {
			{ id, "fulfillment.rejected", 1 },
			{ id, "order.on_hold", 2 },
		};

		wait_delivered("/t9", want, 2, DELIVERY_WAIT_MS);
	}
	check_signatures("/t9", h.secret);
	check_exactly_once("/t9");
	check_order_sequence("/t9", id, 0);

	view_of("/t9", &v);
	for (size_t i = 0; i < v.n; i++) {
		json_t *b = body_of("/t9", v.ev[i].id);

		if (!strcmp(v.ev[i].type, "fulfillment.rejected"))
			check(streq(jstr(b, "data.state"), "rejected") &&
				      streq(jstr(b, "data.order.id"), id),
			      "fulfillment.rejected must carry the rejected "
			      "fulfillment with its order");
		json_decref(b);
	}
	view_free(&v);
	free(id);
}

/* ---- slow receiver (server started with --webhook-timeout-ms 500) ------------- */

API_TEST(a_slow_receiver_is_retried)
{
	struct hook h;
	char *id;
	struct view v;
	struct ev e;
	json_t *d = NULL;
	long deadline;
	int got = 0;

	make_stocked("WK-SLOW", "WK-SLOW", 100);
	receiver_mode(RCV_SLOW_FIRST, 0, 2000);
	subscribe(acme(), &h, "/t6", "[\"order.accepted\"]", NULL);
	id = order_of("WK-SLOW-1", "WK-SLOW", 1);

	deadline = harness_now_ms() + 20000;
	memset(&e, 0, sizeof(e));
	while (!got) {
		view_of("/t6", &v);
		for (size_t i = 0; i < v.n; i++)
			if (!strcmp(v.ev[i].order_id, id) &&
			    v.ev[i].attempts >= 2) {
				e = v.ev[i];
				got = 1;
			}
		view_free(&v);
		if (!got && harness_now_ms() > deadline) {
			dump_view("/t6");
			fail_msg("a first attempt that took 2 s (timeout 500 ms) "
				 "was not retried within 20 s");
		}
		harness_sleep_ms(100);
	}
	check(e.second_ms - e.first_ms >= 400,
	      "the retry came %ld ms after the first attempt",
	      e.second_ms - e.first_ms);
	while (!(d = find_delivery("delivered", e.id))) {
		if (harness_now_ms() > deadline) {
			dump_view("/t6");
			fail_msg("the slow delivery %s never became delivered",
				 e.id);
		}
		harness_sleep_ms(200);
	}
	check(ival(d, "attempts") >= 2,
	      "delivered after a timeout: attempts must be >= 2, got %ld",
	      ival(d, "attempts"));
	json_decref(d);
	check_signatures("/t6", h.secret);
	free(id);
}

/* ---- carrier and tracking ------------------------------------------------------ */

/* shipment.created and order.shipped tell the carrier, the tracking
 * number and the location of what left. */
API_TEST(shipped_events_carry_carrier_and_tracking)
{
	struct hook h;
	struct view v;
	char *id;
	char ful[96];
	int saw_created = 0, saw_shipped = 0;

	receiver_mode(RCV_OK, 0, 0);
	subscribe(acme(), &h, "/t-track",
		  "[\"shipment.created\", \"order.shipped\"]", NULL);
	make_stocked("WK-TRACK", "WK-TRACK", 10);
	id = order_of("WK-TRACK-1", "WK-TRACK", 3);
	first_fulfillment(id, ful, sizeof(ful));
	/* ship_and_deliver sends carrier UPS, tracking "1Z<qty>". */
	ship_and_deliver(ful, "WK-TRACK", 3);
	{
		const struct expect want[] = {
			{ id, "shipment.created", 1 },
			{ id, "order.shipped", 1 },
		};

		wait_delivered("/t-track", want, sizeof(want) / sizeof(want[0]),
			       DELIVERY_WAIT_MS);
	}
	view_of("/t-track", &v);
	for (size_t i = 0; i < v.n; i++) {
		json_t *b = body_of("/t-track", v.ev[i].id);
		char *text = json_dumps(b, JSON_COMPACT);

		if (!strcmp(v.ev[i].type, "shipment.created")) {
			saw_created++;
			check(streq(jstr(b, "data.carrier"), "UPS") &&
				      streq(jstr(b, "data.tracking_number"),
					    "1Z3") &&
				      streq(jstr(b, "data.location"),
					    "WK-TRACK"),
			      "shipment.created must carry carrier, tracking "
			      "and location: %s", text ? text : "?");
		} else if (!strcmp(v.ev[i].type, "order.shipped")) {
			saw_shipped++;
			check(json_array_size(jget(b, "data.shipments")) == 1 &&
				      streq(jstr(b, "data.shipments[0].carrier"),
					    "UPS") &&
				      streq(jstr(b, "data.shipments[0]."
						    "tracking_number"),
					    "1Z3"),
			      "order.shipped must list the shipment with its "
			      "carrier and tracking: %s", text ? text : "?");
		}
		free(text);
		json_decref(b);
	}
	view_free(&v);
	check(saw_created == 1 && saw_shipped == 1,
	      "one shipment.created and one order.shipped expected");
	free(id);
}

/* ---- a receiver that never answers ---------------------------------------- */

/*
 * A socket that listens on 127.0.0.1 and never accepts: the kernel
 * completes connections into its backlog, the request goes out, and no
 * answer ever comes - a receiver that is up but dead.
 */
static int hole_fd = -1;
static int hole_port;

static void black_hole_start(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);

	if (hole_fd >= 0)
		return;
	hole_fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(hole_fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(hole_fd, (struct sockaddr *)&addr, sizeof(addr)),
			 0);
	assert_int_equal(listen(hole_fd, 4096), 0);
	assert_int_equal(getsockname(hole_fd, (struct sockaddr *)&addr, &len),
			 0);
	hole_port = ntohs(addr.sin_port);
}

static void black_hole_stop(void)
{
	if (hole_fd >= 0)
		close(hole_fd);
	hole_fd = -1;
}

/* POST /v1/webhooks for url; the answer (caller frees). */
static struct resp *webhook_post(const char *key, const char *url,
				 const char *events_json,
				 const char *const *headers)
{
	char body[1024];

	snprintf(body, sizeof(body), "{\"url\": \"%s\", \"events\": %s}", url,
		 events_json);
	return http("POST", "/v1/webhooks", key, body, strlen(body), headers);
}

/* Subscribe to the black hole; the webhook id into id. */
static void subscribe_dead(const char *key, const char *path, char *id,
			   size_t size)
{
	char url[128];
	struct resp *r;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", hole_port, path);
	r = webhook_post(key, url, all_events, NULL);
	assert_status(r, 201);
	snprintf(id, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

/* The tenant's webhook id as GET /v1/webhooks lists it (new ref). */
static json_t *webhook_listed(const char *key, const char *id)
{
	struct resp *r = http_get(key, "/v1/webhooks");
	json_t *w, *found = NULL;
	size_t i;

	assert_status(r, 200);
	json_array_foreach(json_object_get(r->json, "webhooks"), i, w)
		if (streq(jstr(w, "id"), id))
			found = json_incref(w);
	resp_free(r);
	return found;
}

/* One value of the server's /metrics. */
static long long metric(const char *name)
{
	struct resp *r = http("GET", "/metrics", NULL, NULL, 0, NULL);
	char pat[128];
	const char *p;
	long long v = -1;

	assert_status(r, 200);
	snprintf(pat, sizeof(pat), "\n%s ", name);
	p = strstr(r->body, pat);
	if (p)
		v = strtoll(p + strlen(pat), NULL, 10);
	resp_free(r);
	check(v >= 0, "/metrics has no %s", name);
	return v;
}

/* ---- a secret is shown once ------------------------------------------------- */

/* How many v1 the signatures of the requests at path carry, at most. */
static int v1_count(const char *path)
{
	int most = 0;

	pthread_mutex_lock(&rcv.mu);
	for (size_t i = 0; i < rcv.n; i++) {
		const char *p = rcv.recs[i].signature;
		int n = 0;

		if (strcmp(rcv.recs[i].path, path))
			continue;
		while ((p = strstr(p, "v1=")) != NULL) {
			n++;
			p += 3;
		}
		if (n > most)
			most = n;
	}
	pthread_mutex_unlock(&rcv.mu);
	return most;
}

API_TEST(a_rotated_secret_signs_beside_the_old_one_until_its_grace_ends)
{
	const char *events = "[\"order.accepted\"]";
	struct hook h;
	char path[128], fresh[256], *id;
	struct resp *r;

	receiver_mode(RCV_OK, 0, 0);
	subscribe(acme(), &h, "/rot", events, NULL);
	make_stocked("WK-ROT", "WK-ROT", 100);
	snprintf(path, sizeof(path), "/v1/webhooks/%s/rotate", h.id);
	r = http("POST", path, acme(), "{\"grace_s\": 3600}", 17, NULL);
	assert_status(r, 200);
	check(jstr(r->json, "secret") &&
		      !streq(jstr(r->json, "secret"), h.secret) &&
		      llabs((long long)rfc3339_parse(
				    jstr(r->json, "previous_secret_until")) -
			    (harness_clock_now() + 3600)) < 60,
	      "a new secret, the old one until an hour on: %s", r->body);
	snprintf(fresh, sizeof(fresh), "%s", jstr(r->json, "secret"));
	resp_free(r);
	r = http_get(acme(), "/v1/webhooks");
	check(!strstr(r->body, fresh) && !strstr(r->body, h.secret),
	      "no secret in the list: %s", r->body);
	resp_free(r);
	/* Within the grace, each delivery is signed with both. */
	id = order_of("WK-ROT-1", "WK-ROT", 1);
	{
		const struct expect want[] = {{id, "order.accepted", 1}};

		wait_delivered("/rot", want, 1, DELIVERY_WAIT_MS);
	}
	free(id);
	check(v1_count("/rot") == 2, "two v1 while the grace lasts");
	check_signatures("/rot", fresh);
	check_signatures("/rot", h.secret);
	/* Past it, the new secret alone. */
	harness_clock_advance(3601);
	receiver_clear();
	id = order_of("WK-ROT-2", "WK-ROT", 1);
	{
		const struct expect want[] = {{id, "order.accepted", 1}};

		wait_delivered("/rot", want, 1, DELIVERY_WAIT_MS);
	}
	free(id);
	check(v1_count("/rot") == 1, "one v1 once the grace is over");
	check_signatures("/rot", fresh);
	/* A grace past a week, or a member it does not take, is refused. */
	r = http("POST", path, acme(), "{\"grace_s\": 604801}", 19, NULL);
	assert_error(r, 400, NULL, "grace_s");
	resp_free(r);
	r = http("POST", path, acme(), "{\"grace\": 60}", 13, NULL);
	assert_error(r, 400, NULL, "grace");
	resp_free(r);
}

API_TEST(a_replayed_creation_shows_no_secret)
{
	static const char *const idem[] = { "Idempotency-Key: whk-once-1",
					    NULL };
	char url[128], other[HARNESS_KEY_MAX];
	char id[64];
	struct resp *r;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/once", rcv.port);
	r = webhook_post(acme(), url, "[\"order.accepted\"]", idem);
	assert_status(r, 201);
	check(jstr(r->json, "secret") &&
		      !strncmp(jstr(r->json, "secret"), "whsec_", 6),
	      "the creation must show the secret: %s", r->body);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);

	/* The same caller again: the same webhook, no secret. */
	r = webhook_post(acme(), url, "[\"order.accepted\"]", idem);
	assert_status(r, 201);
	check(streq(jstr(r->json, "id"), id), "a replay must answer the same "
	      "webhook: %s", r->body);
	check(!json_object_get(r->json, "secret"),
	      "a replay must not show the secret again: %s", r->body);
	check(strstr(r->body, "whsec_") == NULL,
	      "no secret anywhere in a replay: %s", r->body);
	resp_free(r);

	/* Another key of the tenant: no secret either. */
	key_create("acme", "admin", "whk-other-admin", other, sizeof(other));
	r = webhook_post(other, url, "[\"order.accepted\"]", idem);
	assert_status(r, 201);
	check(streq(jstr(r->json, "id"), id) &&
		      strstr(r->body, "whsec_") == NULL,
	      "another key's replay must not show the secret: %s", r->body);
	resp_free(r);
}

/* ---- who manages webhooks, and how many ------------------------------------- */

API_TEST(only_admins_manage_webhooks)
{
	char sup[HARNESS_KEY_MAX], integ[HARNESS_KEY_MAX], url[128], id[64];
	const char *keys[2];
	char path[160];
	struct resp *r;

	key_create("acme", "supervisor", "whk-sup", sup, sizeof(sup));
	key_create("acme", "integration", "whk-int", integ, sizeof(integ));
	keys[0] = sup;
	keys[1] = integ;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/roles", rcv.port);
	r = webhook_post(acme(), url, "[\"order.accepted\"]", NULL);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	for (int k = 0; k < 2; k++) {
		r = webhook_post(keys[k], url, "[\"order.accepted\"]", NULL);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
		snprintf(path, sizeof(path), "/v1/webhooks/%s", id);
		r = http("DELETE", path, keys[k], NULL, 0, NULL);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
		snprintf(path, sizeof(path), "/v1/webhooks/%s/resume", id);
		r = http("POST", path, keys[k], NULL, 0, NULL);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
		/* Looking is allowed to people, not to integrations. */
		r = http_get(keys[k], "/v1/webhooks");
		assert_status(r, k == 0 ? 200 : 403);
		resp_free(r);
	}
	snprintf(path, sizeof(path), "/v1/webhooks/%s/resume", id);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "status"), "active") &&
		      !json_object_get(r->json, "secret"),
	      "resume answers the webhook, active, without its secret: %s",
	      r->body);
	resp_free(r);
	r = http("POST", "/v1/webhooks/whk_nope/resume", acme(), NULL, 0,
		 NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

API_TEST(a_tenant_has_at_most_20_webhooks)
{
	char url[128];
	struct resp *r;
	int i;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/many", rcv.port);
	for (i = 0; i < 20; i++) {
		r = webhook_post(acme(), url, "[\"order.accepted\"]", NULL);
		assert_status(r, 201);
		resp_free(r);
	}
	r = webhook_post(acme(), url, "[\"order.accepted\"]", NULL);
	assert_error(r, 400, "limit_exceeded", "url");
	check(strstr(r->body, "20") != NULL,
	      "the refusal must name the limit: %s", r->body);
	resp_free(r);
	/* Another tenant's count is its own. */
	r = webhook_post(srv->key_globex, url, "[\"order.accepted\"]", NULL);
	assert_status(r, 201);
	resp_free(r);
}

/* ---- redelivery needs a webhook that sends ----------------------------------- */

API_TEST(redelivering_for_a_deleted_webhook_conflicts)
{
	char id[64], path[160], dlv[96] = "";
	char *order;
	struct resp *r;
	json_t *all, *d;
	size_t i;
	long deadline = harness_now_ms() + 10000;

	black_hole_start();
	make_stocked("WK-GONE", "WK-GONE", 10);
	subscribe_dead(acme(), "/gone", id, sizeof(id));
	order = order_of("WK-GONE-1", "WK-GONE", 1);
	while (!dlv[0]) {
		all = list_all(acme(), "/v1/webhooks/deliveries", "deliveries",
			       200);
		json_array_foreach(all, i, d)
			if (streq(jstr(d, "webhook_id"), id) && !dlv[0])
				snprintf(dlv, sizeof(dlv), "%s", jstr(d, "id"));
		json_decref(all);
		check(dlv[0] || harness_now_ms() < deadline,
		      "no delivery listed for webhook %s", id);
		if (!dlv[0])
			harness_sleep_ms(100);
	}
	snprintf(path, sizeof(path), "/v1/webhooks/%s", id);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	assert_status(r, 204);
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/webhooks/deliveries/%s/redeliver",
		 dlv);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_error(r, 409, "conflict", "id");
	check(strstr(r->body, "deleted") != NULL,
	      "the conflict must say the webhook was deleted: %s", r->body);
	resp_free(r);
	d = find_delivery("failed", "");
	json_decref(d);
	free(order);
}

/* A refused connection is recorded as such, without the address or port
 * ordo tried: ordo is no port scanner. */
API_TEST(a_refused_connection_is_recorded_neutrally)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;
	char url[128], id[64];
	struct resp *r;
	json_t *w = NULL, *all, *d;
	long deadline;
	size_t i;

	/* A port nobody listens on: bound once, then closed. */
	assert_true(fd >= 0);
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	port = ntohs(addr.sin_port);
	close(fd);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/closed", port);
	r = webhook_post(acme(), url, "[\"order.accepted\"]", NULL);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	make_stocked("WK-CLOSED", "WK-CLOSED", 10);
	free(order_of("WK-CLOSED-1", "WK-CLOSED", 1));
	deadline = harness_now_ms() + 15000;
	for (;;) {
		w = webhook_listed(acme(), id);
		check(w != NULL, "webhook %s not listed", id);
		if (jstr(w, "last_error") && jstr(w, "last_error")[0])
			break;
		check(harness_now_ms() < deadline, "no attempt recorded: %s",
		      json_dumps(w, 0));
		json_decref(w);
		harness_sleep_ms(100);
	}
	check(streq(jstr(w, "last_error"), "the connection was refused"),
	      "a refused connection reads \"the connection was refused\": %s",
	      json_dumps(w, 0));
	json_decref(w);
	all = list_all(acme(), "/v1/webhooks/deliveries?status=pending",
		       "deliveries", 200);
	json_array_foreach(all, i, d)
		if (streq(jstr(d, "webhook_id"), id))
			check(streq(jstr(d, "last_error"),
				    "the connection was refused") ||
				      !ival(d, "attempts"),
			      "a delivery's last_error: %s",
			      jstr(d, "last_error"));
	json_decref(all);
}

/* ---- a dead receiver slows nobody -------------------------------------------- */

#define DEAD_HOOKS 5
#define DEAD_ORDERS 200

API_TEST(a_dead_receiver_slows_nobody)
{
	char ids[DEAD_HOOKS][64], path[32];
	struct hook g;
	long long work_small, work_big, claims;
	long t0, waited;
	int i;

	black_hole_start();
	make_stocked("WK-DEAD", "WK-DEAD", 100000);
	for (i = 0; i < DEAD_HOOKS; i++) {
		snprintf(path, sizeof(path), "/dead%d", i);
		subscribe_dead(acme(), path, ids[i], sizeof(ids[i]));
	}
	subscribe(srv->key_globex, &g, "/live", "[\"order.accepted\"]", NULL);

	/* A small backlog first: what a claim costs then. */
	for (i = 0; i < 5; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "WK-DEAD-%d", i);
		free(order_of(ext, "WK-DEAD", 1));
	}
	harness_sleep_ms(1500);
	work_small = metric("ordo_webhook_claim_rows_read_max");

	/* Thousands of deliveries wait for the dead receiver. */
	for (i = 5; i < DEAD_ORDERS; i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "WK-DEAD-%d", i);
		free(order_of(ext, "WK-DEAD", 1));
	}
	{
		json_t *pending = list_all(acme(),
					   "/v1/webhooks/deliveries?"
					   "status=pending",
					   "deliveries", 200);

		check(json_array_size(pending) >= 2000,
		      "only %zu deliveries pending; the test wants thousands",
		      json_array_size(pending));
		json_decref(pending);
	}

	/* Another tenant's receiver still gets its events promptly. */
	claims = metric("ordo_webhook_claims_total");
	t0 = harness_now_ms();
	{
		json_t *o = order_one_line("WK-LIVE-1", "TSHIRT-BLK-M", 1,
					   "19.99");
		char *id = order_create(srv->key_globex, o);
		struct view v;
		bool got = false;

		json_decref(o);
		while (!got) {
			view_of("/live", &v);
			for (size_t k = 0; k < v.n; k++)
				if (streq(v.ev[k].order_id, id))
					got = true;
			view_free(&v);
			waited = harness_now_ms() - t0;
			check(got || waited < 5000,
			      "globex's event not delivered within 5 s while "
			      "acme's receiver is dead");
			if (!got)
				harness_sleep_ms(50);
		}
		free(id);
	}
	print_message("globex's event arrived after %ld ms\n", waited);

	/* Claims went on, and none cost more with the backlog. */
	harness_sleep_ms(1500);
	check(metric("ordo_webhook_claims_total") > claims,
	      "no claims while waiting");
	work_big = metric("ordo_webhook_claim_rows_read_max");
	print_message("claim work: %lld with a small backlog, %lld with "
		      "thousands\n",
		      work_small, work_big);
	check(work_big <= 3 * work_small + 50,
	      "a claim's work grew with the backlog: %lld, was %lld",
	      work_big, work_small);

	/* The dead webhooks say why, neutrally, and back off as a whole. */
	for (i = 0; i < DEAD_HOOKS; i++) {
		json_t *w = webhook_listed(acme(), ids[i]);

		check(w != NULL, "webhook %s not listed", ids[i]);
		check(streq(jstr(w, "status"), "active") &&
			      streq(jstr(w, "last_error"),
				    "no answer within 300 ms") &&
			      is_rfc3339(jstr(w, "failing_since")) &&
			      json_is_null(json_object_get(w, "paused_at")),
		      "a failing webhook lists status, last_error and "
		      "failing_since: %s",
		      json_dumps(w, 0));
		json_decref(w);
	}
	{
		json_t *pending = list_all(acme(),
					   "/v1/webhooks/deliveries?"
					   "status=pending",
					   "deliveries", 200);
		json_t *d;
		size_t k, tried = 0;

		json_array_foreach(pending, k, d) {
			const char *e = jstr(d, "last_error");

			check(!strstr(e, "127.0.0.1") && !strstr(e, "port"),
			      "a delivery's error names the network: %s", e);
			if (ival(d, "attempts") > 0)
				tried++;
		}
		/* One attempt per webhook per backoff period, not one per
		 * delivery. */
		check(tried <= (size_t)DEAD_HOOKS * 4,
		      "%zu deliveries were tried; a dead receiver must cost "
		      "one attempt per backoff period",
		      tried);
		json_decref(pending);
	}
}

/* ---- stopping --------------------------------------------------------------------- */

API_TEST(sigterm_ends_the_server_while_a_send_hangs)
{
	char id[64];
	int status = 0;
	long t0, took;
	pid_t got = 0;

	black_hole_start();
	make_stocked("WK-TERM", "WK-TERM", 10);
	subscribe_dead(acme(), "/term", id, sizeof(id));
	free(order_of("WK-TERM-1", "WK-TERM", 1));
	/* A send is under way, with a minute to run. */
	harness_sleep_ms(2500);
	t0 = harness_now_ms();
	kill(srv->pid, SIGTERM);
	while (got == 0 && harness_now_ms() - t0 < 15000) {
		got = waitpid(srv->pid, &status, WNOHANG);
		if (got == 0)
			harness_sleep_ms(20);
	}
	took = harness_now_ms() - t0;
	if (got == 0) {
		kill(srv->pid, SIGKILL);
		waitpid(srv->pid, &status, 0);
	}
	srv->pid = 0; /* stopped here; the teardown has nothing to stop */
	check(got > 0 && took < 5000,
	      "the server took %ld ms to end after SIGTERM", took);
	check(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the server must exit 0 after SIGTERM");
}

/* ---- webhooks go to the internet ------------------------------------------------- */

API_TEST(internal_addresses_are_refused)
{
	static const char *const bad[] = {
		"127.0.0.1",	   "localhost",	  "[::1]",
		"10.0.0.5",	   "169.254.169.254", "100.64.1.1",
		"0.0.0.0",	   "[fd00::1]",	  "224.0.0.1",
		"[::ffff:127.0.0.1]", NULL,
	};
	char url[128];
	struct resp *r;

	for (int i = 0; bad[i]; i++) {
		snprintf(url, sizeof(url), "http://%s:%d/in", bad[i],
			 rcv.port);
		r = webhook_post(acme(), url, "[\"order.accepted\"]", NULL);
		assert_error(r, 400, "invalid_request", "url");
		resp_free(r);
	}
	r = webhook_post(acme(), "http://no-such-host.invalid/x",
			 "[\"order.accepted\"]", NULL);
	assert_error(r, 400, "invalid_request", "url");
	resp_free(r);
	/* A range the operator allows is accepted, though internal. */
	r = webhook_post(acme(), "http://192.0.2.10/allowed",
			 "[\"order.accepted\"]", NULL);
	assert_status(r, 201);
	resp_free(r);
}

/*
 * The address is checked again when sending, on the address connected to:
 * a webhook stored while its address was allowed (here by another node
 * with another allow list; in life, a name that resolved outside at
 * creation and inside later) is not sent to.
 */
API_TEST(a_send_is_checked_on_the_address_connected_to)
{
	static const char *const guarded[] = { "--webhook-allow",
					       "192.0.2.0/24", NULL };
	struct ordo_node n;
	char body[256], id[64];
	struct resp *r;
	json_t *w = NULL;
	long deadline;
	struct view v;

	/* A node that allows loopback (the harness's environment). */
	harness_set_serve_args(NULL);
	assert_int_equal(harness_node_start(&n, NULL), 0);
	harness_set_serve_args(guarded);
	snprintf(body, sizeof(body),
		 "{\"url\": \"http://127.0.0.1:%d/rebound\", \"events\": "
		 "[\"order.accepted\"]}",
		 rcv.port);
	r = http_at(n.base_url, "POST", "/v1/webhooks", acme(), body,
		    strlen(body), NULL);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	assert_int_equal(harness_node_stop(&n), 0);

	make_stocked("WK-REBIND", "WK-REBIND", 10);
	free(order_of("WK-REBIND-1", "WK-REBIND", 1));
	deadline = harness_now_ms() + 15000;
	for (;;) {
		w = webhook_listed(acme(), id);
		check(w != NULL, "webhook %s not listed", id);
		if (streq(jstr(w, "last_error"), "address not allowed"))
			break;
		check(harness_now_ms() < deadline,
		      "the send was not refused on its address: %s",
		      json_dumps(w, 0));
		json_decref(w);
		harness_sleep_ms(200);
	}
	json_decref(w);
	view_of("/rebound", &v);
	check(v.n == 0, "the receiver inside was sent %zu events", v.n);
	view_free(&v);
}

API_TEST(a_bad_allow_list_stops_the_start)
{
	const char *flag[] = { "serve", "--webhook-allow",
			       "10.0.0.0/8,10.0.0.0/33", "--db",
			       srv->db_path, "--listen", "127.0.0.1:1", NULL };
	const char *env[] = { "serve", "--db", srv->db_path, "--listen",
			      "127.0.0.1:1", NULL };
	const char *saved = getenv("ORDO_WEBHOOK_ALLOW");
	char keep[256];
	struct cli_result c;

	snprintf(keep, sizeof(keep), "%s", saved ? saved : "");
	cli_run(&c, flag);
	check(c.exit_status != 0 && strstr(c.err, "10.0.0.0/33") &&
		      strstr(c.err, "--webhook-allow"),
	      "a bad --webhook-allow must stop the start, naming it: %d %s",
	      c.exit_status, c.err);
	cli_result_free(&c);
	setenv("ORDO_WEBHOOK_ALLOW", "fe80::/10,nonsense", 1);
	cli_run(&c, env);
	setenv("ORDO_WEBHOOK_ALLOW", keep, 1);
	check(c.exit_status != 0 && strstr(c.err, "nonsense") &&
		      strstr(c.err, "ORDO_WEBHOOK_ALLOW"),
	      "a bad ORDO_WEBHOOK_ALLOW must stop the start, naming it: %d %s",
	      c.exit_status, c.err);
	cli_result_free(&c);
}

/* ---- pausing ------------------------------------------------------------------------ */

API_TEST(a_webhook_failing_too_long_is_paused_and_resumed)
{
	char dead[64], path[160], dlv[96] = "", sup[HARNESS_KEY_MAX];
	struct hook told;
	json_t *w = NULL;
	long deadline;
	struct view v;
	bool heard = false;
	char *log;
	struct resp *r;

	black_hole_start();
	make_stocked("WK-PAUSE", "WK-PAUSE", 10);
	subscribe_dead(acme(), "/paused", dead, sizeof(dead));
	subscribe(acme(), &told, "/told", "[\"webhook.paused\"]", NULL);
	free(order_of("WK-PAUSE-1", "WK-PAUSE", 1));

	/* It fails; then a day passes with no success (the servers' clock
	 * moves a day on rather than anyone waiting for it): paused. */
	deadline = harness_now_ms() + 20000;
	for (;;) {
		w = webhook_listed(acme(), dead);
		check(w != NULL, "webhook %s not listed", dead);
		if (is_rfc3339(jstr(w, "failing_since")))
			break;
		json_decref(w);
		check(harness_now_ms() < deadline,
		      "webhook %s has not failed within 20 s", dead);
		harness_sleep_ms(100);
	}
	check(streq(jstr(w, "status"), "active"),
	      "a webhook failing for less than a day is not paused: %s",
	      json_dumps(w, 0));
	json_decref(w);
	harness_clock_advance(24 * 3600 + 1);
	deadline = harness_now_ms() + 20000;
	for (;;) {
		w = webhook_listed(acme(), dead);
		check(w != NULL, "webhook %s not listed", dead);
		if (streq(jstr(w, "status"), "paused"))
			break;
		json_decref(w);
		check(harness_now_ms() < deadline,
		      "webhook %s not paused within 20 s of failing for a day",
		      dead);
		harness_sleep_ms(100);
	}
	check(is_rfc3339(jstr(w, "paused_at")) &&
		      is_rfc3339(jstr(w, "failing_since")) &&
		      streq(jstr(w, "last_error"), "no answer within 300 ms"),
	      "a paused webhook lists paused_at, failing_since, last_error: "
	      "%s",
	      json_dumps(w, 0));
	json_decref(w);

	/* The tenant is told, through its other webhook and the log. */
	deadline = harness_now_ms() + 10000;
	while (!heard) {
		view_of("/told", &v);
		for (size_t i = 0; i < v.n; i++) {
			json_t *b = body_of("/told", v.ev[i].id);

			if (b && streq(jstr(b, "type"), "webhook.paused") &&
			    streq(jstr(b, "data.id"), dead) &&
			    streq(jstr(b, "data.status"), "paused"))
				heard = true;
			json_decref(b);
		}
		view_free(&v);
		check(heard || harness_now_ms() < deadline,
		      "no webhook.paused event delivered within 10 s");
		if (!heard)
			harness_sleep_ms(100);
	}
	check_signatures("/told", told.secret);
	log = harness_log_text(srv);
	check(strstr(log, "webhook paused") && strstr(log, dead),
	      "the server log must say the webhook was paused");
	free(log);

	/* Its deliveries are kept, pending; redelivering waits for the
	 * resume. */
	{
		json_t *all = list_all(acme(),
				       "/v1/webhooks/deliveries?status=pending",
				       "deliveries", 200);
		json_t *d;
		size_t i, mine = 0;

		json_array_foreach(all, i, d)
			if (streq(jstr(d, "webhook_id"), dead)) {
				mine++;
				if (!dlv[0])
					snprintf(dlv, sizeof(dlv), "%s",
						 jstr(d, "id"));
			}
		json_decref(all);
		check(mine >= 2, "a paused webhook's deliveries stay pending "
		      "(%zu)", mine);
	}
	snprintf(path, sizeof(path), "/v1/webhooks/deliveries/%s/redeliver",
		 dlv);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_error(r, 409, "conflict", "id");
	check(strstr(r->body, "paused") != NULL,
	      "the conflict must say the webhook is paused: %s", r->body);
	resp_free(r);

	/* An admin resumes it; a supervisor may not. */
	key_create("acme", "supervisor", "whk-pause-sup", sup, sizeof(sup));
	snprintf(path, sizeof(path), "/v1/webhooks/%s/resume", dead);
	r = http("POST", path, sup, NULL, 0, NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "status"), "active") &&
		      json_is_null(json_object_get(r->json, "paused_at")) &&
		      json_is_null(json_object_get(r->json, "failing_since")),
	      "a resumed webhook is active, its failures forgotten: %s",
	      r->body);
	resp_free(r);
	/* Resumed, redelivery is allowed again. */
	snprintf(path, sizeof(path), "/v1/webhooks/deliveries/%s/redeliver",
		 dlv);
	r = http("POST", path, acme(), NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
}

/* ---- groups ---------------------------------------------------------------------- */

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc == 0 && !rcv.daemon)
		receiver_start(0);
	return rc;
}

static int group_teardown(void **state)
{
	int rc;

	receiver_stop();
	rc = harness_group_teardown(state);
	receiver_clear();
	return rc;
}

static const char *const slow_args[] = { "--webhook-timeout-ms", "500", NULL };
static const char *const dead_args[] = { "--webhook-timeout-ms", "300", NULL };
static const char *const long_args[] = { "--webhook-timeout-ms", "60000",
					 NULL };
static const char *const guarded_args[] = { "--webhook-allow", "192.0.2.0/24",
					    NULL };
static const char *const pause_args[] = { "--webhook-timeout-ms", "300",
					  NULL };

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(subscriptions_show_the_secret_once,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_clean_order_is_reported_signed_and_in_order,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_location_webhook_gets_only_its_fulfillments,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_receiver_answering_500_loses_nothing,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_receiver_that_is_down_loses_nothing,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_receiver_resetting_connections_loses_nothing,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(an_undeliverable_event_fails_and_can_be_redelivered,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(stock_low_fires_at_the_threshold,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(concurrent_orders_are_each_reported_once_in_order,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(holds_and_rejections_are_reported,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(shipped_events_carry_carrier_and_tracking,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(
			a_rotated_secret_signs_beside_the_old_one_until_its_grace_ends,
			webhook_test_teardown),
		cmocka_unit_test_teardown(a_replayed_creation_shows_no_secret,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(only_admins_manage_webhooks,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_tenant_has_at_most_20_webhooks,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(redelivering_for_a_deleted_webhook_conflicts,
					  webhook_test_teardown),
		cmocka_unit_test_teardown(a_refused_connection_is_recorded_neutrally,
					  webhook_test_teardown),
	};
	const struct CMUnitTest dead_tests[] = {
		cmocka_unit_test_teardown(a_dead_receiver_slows_nobody,
					  webhook_test_teardown),
	};
	const struct CMUnitTest long_tests[] = {
		cmocka_unit_test(sigterm_ends_the_server_while_a_send_hangs),
	};
	const struct CMUnitTest guarded_tests[] = {
		cmocka_unit_test_teardown(internal_addresses_are_refused,
					  webhook_test_teardown),
		cmocka_unit_test(a_bad_allow_list_stops_the_start),
		cmocka_unit_test_teardown(a_send_is_checked_on_the_address_connected_to,
					  webhook_test_teardown),
	};
	const struct CMUnitTest pause_tests[] = {
		cmocka_unit_test_teardown(a_webhook_failing_too_long_is_paused_and_resumed,
					  webhook_test_teardown),
	};
	const struct CMUnitTest slow_tests[] = {
		cmocka_unit_test_teardown(a_slow_receiver_is_retried,
					  webhook_test_teardown),
	};
	int failed;

	if (sodium_init() < 0)
		return 1;
	failed = harness_run_group_name("webhooks", tests, group_setup,
					     group_teardown);
	harness_set_serve_args(slow_args);
	failed += harness_run_group_name("webhooks_slow_receiver",
					      slow_tests, group_setup,
					      group_teardown);
	harness_set_serve_args(dead_args);
	failed += harness_run_group_name("webhooks_dead_receiver",
					      dead_tests, group_setup,
					      group_teardown);
	harness_set_serve_args(long_args);
	failed += harness_run_group_name("webhooks_stopping", long_tests,
					      group_setup, group_teardown);
	harness_set_serve_args(guarded_args);
	failed += harness_run_group_name("webhooks_guarded",
					      guarded_tests, group_setup,
					      group_teardown);
	harness_set_serve_args(pause_args);
	failed += harness_run_group_name("webhooks_paused", pause_tests,
					      group_setup, group_teardown);
	harness_set_serve_args(NULL);
	black_hole_stop();
	return failed;
}
