/*
 * crash.c - crash safety: the real `ordo serve` killed with SIGKILL under
 * load, again and again, restarted on the same database, and everything it
 * acknowledged checked after each restart.
 *
 * Why it is long: the load, the ledger of what was acknowledged, the
 * webhook receiver and the checks (over the API and in the database
 * itself, on either backend) are one instrument; apart, none means much.
 *
 * A CYCLE
 *
 *     start the load      seven client threads, each with a libcurl
 *                         handle of its own: three take orders in (most
 *                         clean, some that hold: an unknown SKU, a high
 *                         value), one works the review queue (claim,
 *                         approve or cancel), one is the warehouse
 *                         (accept, reject as out of stock, ship what was
 *                         released, mark shipments delivered), one changes
 *                         orders (quantity, address, shipping), cancels
 *                         some, and accepts the change requests that
 *                         makes, one counts and receives stock of two
 *                         scarce SKUs (backorders, counts below what is
 *                         reserved)
 *     wait 50..500 ms     (random), then SIGKILL the server: no shutdown,
 *                         requests in flight cut off
 *     stop the load       every request answered 2xx is in the ledger as
 *                         acknowledged; one cut off (no answer) as unknown:
 *                         it may or may not have committed
 *     restart             `ordo serve` again on the same database, /healthz
 *     move the clock on   past the outbox's lease (deliveries a killed
 *                         sender had claimed are sent again) and the time
 *                         an Idempotency-Key's answer may still be on its
 *                         way (ORDO_IDEMPOTENCY_LOST_S)
 *     replay              each unknown order is sent again as its client
 *                         would, with its Idempotency-Key if it had one,
 *                         and each unknown shipment that had a key: it
 *                         must be answered (replayed, found by its
 *                         external id, or done now), or refused as done
 *                         with its answer lost (409 naming
 *                         Idempotency-Key: the kill fell between the
 *                         write's commit and the answer's) - then it must
 *                         be there; never doubled. Half of the writes of
 *                         each kind carry a key, half do not (without one,
 *                         nothing waits for a second write to answer)
 *     check (API)         every order, all pages of GET /v1/orders:
 *                         - each acknowledged order there exactly once,
 *                           with the id it was answered with; the newly
 *                           acknowledged ones also by ?external_id=;
 *                         - no order the ledger does not know, none that was
 *                           refused (an error answer stores nothing);
 *                         - quantity = open + allocated + released +
 *                           shipped + cancelled on every line;
 *                         - each acknowledged shipment on its order, each
 *                           tracking number at most once; each hold whose
 *                           resolution was acknowledged resolved; each
 *                           acknowledged change among its order's changes,
 *                           each accepted change request still accepted
 *     check (database)    in one snapshot, read beside the running server:
 *                         - every stock row: reserved = the units of the
 *                           live fulfillments (pending, released, accepted)
 *                           at that location and SKU not yet shipped, and
 *                           0 <= reserved <= on_hand;
 *                         - every order line: allocated = its units in
 *                           pending fulfillments, released = in released
 *                           and accepted ones, shipped = shipped by all;
 *                         - every outbox event since the webhook was made
 *                           has its delivery to it (written together);
 *                         - SQLite: PRAGMA integrity_check and
 *                           foreign_key_check; PostgreSQL: amcheck's
 *                           bt_index_check of every index, when the
 *                           extension can be made
 *
 * After the last cycle (no more kills) the outbox is drained: every outbox
 * event committed since the webhook was made must have reached the
 * receiver (a webhook on this host, libmicrohttpd) at least once - repeats
 * are allowed, losses are not - and no delivery may end failed.
 *
 * Knobs (environment): ORDO_CRASH_CYCLES (default 5; `make crashtest`
 * runs 50), ORDO_CRASH_SEED (default: the time; printed, so a run can be
 * repeated as far as timing allows), and ORDO_CRASH_SABOTAGE=order|stock|
 * delivery, which damages the database once, between the kill and the
 * restart of the second cycle (or the first after it with an order
 * acknowledged) - deletes an acknowledged order, books a unit reserved
 * that no fulfillment holds, or marks pending deliveries delivered unsent
 * - to show that the checks catch each loss: a run with it must fail.
 */
#include "harness.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libpq-fe.h>
#include <microhttpd.h>
#include <sqlite3.h>

#define CYCLES_DEFAULT 5
#define KILL_AFTER_MIN_MS 50
#define KILL_AFTER_MAX_MS 500
#define REQUEST_TIMEOUT_S 30L
/* `ordo serve --webhook-timeout-ms`: the outbox's lease is then its
 * minimum, OUTBOX_LEASE_S_DEFAULT (60 s); the clock moves past it, and
 * past ORDO_IDEMPOTENCY_LOST_S (60 s), after each restart. */
#define WEBHOOK_TIMEOUT_MS "1000"
#define LEASE_SKIP_S 70
#define DRAIN_TIMEOUT_MS 120000
#define PROBLEMS_SHOWN 40

/* The scarce SKUs: a few dozen units each, so orders backorder, counts
 * take reservations back and stock arriving allocates the waiting ones. */
static const char *const scarce[] = { "CR-LOW-1", "CR-LOW-2" };
static const char *const locations[] = { "WH-EAST", "WH-WEST" };
#define SCARCE_PRICE "7.00"
#define SCARCE_START 30

static const char *const serve_args[] = { "--webhook-timeout-ms",
					  WEBHOOK_TIMEOUT_MS, NULL };

/* ---- the ledger: what the server answered -------------------------------- */

/*
 * Written by the load threads under mu, read by the checks once the load
 * has stopped. A request's fate: "acked" (answered 2xx: it must be there),
 * "done" (its answer lost in the crash, as a retry was told: it must be
 * there), "unknown" (cut off: it may be there, once at most) or "refused"
 * (an error answer: it must not be there).
 */
static struct ledger {
	pthread_mutex_t mu;
	json_t *orders; /* external_id -> {fate, id, status, body, key, new} */
	json_t *acked_ids; /* ids of acknowledged orders, oldest first */
	json_t *shipments; /* tracking number -> {fate, id, order_id, path,
			      body, key} */
	json_t *holds;	   /* hold id -> order id: resolution acknowledged */
	json_t *changes;   /* change id -> order id: not yet checked */
	json_t *accepted;  /* change id: acceptance not yet checked */
	json_t *problems;  /* what is wrong, as text */
	json_t *counts;	   /* "what status" -> n, for the summary */
} led = { .mu = PTHREAD_MUTEX_INITIALIZER };

static void ledger_init(void)
{
	led.orders = json_object();
	led.acked_ids = json_array();
	led.shipments = json_object();
	led.holds = json_object();
	led.changes = json_object();
	led.accepted = json_object();
	led.problems = json_array();
	led.counts = json_object();
}

static void ledger_free(void)
{
	json_decref(led.orders);
	json_decref(led.acked_ids);
	json_decref(led.shipments);
	json_decref(led.holds);
	json_decref(led.changes);
	json_decref(led.accepted);
	json_decref(led.problems);
	json_decref(led.counts);
}

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&led.mu);
	json_array_append_new(led.problems, json_string(text));
	pthread_mutex_unlock(&led.mu);
}

static void count(const char *what, long status)
{
	char key[96];
	json_t *n;

	snprintf(key, sizeof(key), "%s %ld", what, status);
	pthread_mutex_lock(&led.mu);
	n = json_object_get(led.counts, key);
	json_object_set_new(led.counts, key,
			    json_integer(n ? json_integer_value(n) + 1 : 1));
	pthread_mutex_unlock(&led.mu);
}

/* ---- the load ------------------------------------------------------------ */

enum role { ROLE_INTAKE, ROLE_REVIEW, ROLE_SHIP, ROLE_CHANGE, ROLE_STOCK };

static const enum role roles[] = { ROLE_INTAKE, ROLE_INTAKE, ROLE_INTAKE,
				   ROLE_REVIEW, ROLE_SHIP,   ROLE_CHANGE,
				   ROLE_STOCK };
#define N_WORKERS (sizeof(roles) / sizeof(roles[0]))

struct worker {
	pthread_t thread;
	enum role role;
	uint64_t rng;
	CURL *curl;
	bool lost; /* a request got no answer: the server is gone */
};

static atomic_int load_stop;
static atomic_int in_flight;	 /* requests sent and not answered */
static atomic_long cut_off;	 /* requests the kills cut off */
static atomic_ulong request_seq; /* makes ids and keys unique */
static char load_base[64];	 /* the server's URL while the load runs */
static const char *api_key;	 /* acme's admin key */

static uint64_t rnd(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ULL;
}

static long rnd_in(uint64_t *s, long lo, long hi)
{
	return lo + (long)(rnd(s) % (uint64_t)(hi - lo + 1));
}

struct body {
	char *data;
	size_t len;
};

static size_t on_data(char *p, size_t size, size_t n, void *ud)
{
	struct body *b = ud;
	char *d = realloc(b->data, b->len + size * n + 1);

	if (!d)
		return 0;
	memcpy(d + b->len, p, size * n);
	b->data = d;
	b->len += size * n;
	d[b->len] = '\0';
	return size * n;
}

/*
 * One request of a load thread to the server: its status (0 when no
 * answer came - the server died under it), the answer's JSON into *out
 * when out (NULL if none; the caller's). Never fails the test: a load
 * thread must not longjmp.
 */
static long call(struct worker *w, const char *method, const char *path,
		 const char *body, const char *idem_key, json_t **out)
{
	char url[HARNESS_PATH_MAX + 64], auth[HARNESS_KEY_MAX + 32], idem[160];
	struct curl_slist *hl = NULL;
	struct body b = { 0 };
	long status = 0;
	CURLcode rc;

	if (out)
		*out = NULL;
	snprintf(url, sizeof(url), "%s%s", load_base, path);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", api_key);
	hl = curl_slist_append(hl, auth);
	if (idem_key) {
		snprintf(idem, sizeof(idem), "Idempotency-Key: %s", idem_key);
		hl = curl_slist_append(hl, idem);
	}
	curl_easy_reset(w->curl);
	curl_easy_setopt(w->curl, CURLOPT_URL, url);
	curl_easy_setopt(w->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->curl, CURLOPT_PROXY, "");
	curl_easy_setopt(w->curl, CURLOPT_TIMEOUT, REQUEST_TIMEOUT_S);
	curl_easy_setopt(w->curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(w->curl, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(w->curl, CURLOPT_WRITEDATA, &b);
	if (body) {
		hl = curl_slist_append(hl, "Content-Type: application/json");
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)strlen(body));
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, body);
	} else if (strcmp(method, "GET") != 0) {
		hl = curl_slist_append(hl, "Content-Type:");
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)0);
		curl_easy_setopt(w->curl, CURLOPT_POSTFIELDS, "");
	}
	curl_easy_setopt(w->curl, CURLOPT_HTTPHEADER, hl);
	atomic_fetch_add(&in_flight, 1);
	rc = curl_easy_perform(w->curl);
	atomic_fetch_sub(&in_flight, 1);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(w->curl, CURLINFO_RESPONSE_CODE, &status);
	} else {
		atomic_fetch_add(&cut_off, 1);
		w->lost = true;
	}
	curl_slist_free_all(hl);
	if (out && status && b.data)
		*out = json_loads(b.data, 0, NULL);
	/* A server error is a bug whatever the load (503 is backpressure);
	 * a 400 is this test's - but for a change to the quantity a line
	 * already has (the changer does not read the order first). */
	if ((status >= 500 && status != 503) ||
	    (status == 400 && !(strstr(path, "/changes") && b.data &&
				strstr(b.data, "\"field\":\"quantity\""))))
		problem("%s %s answered %ld: %.300s (sent %.300s)", method,
			path, status, b.data ? b.data : "", body ? body : "");
	free(b.data);
	return status;
}

static long call_json(struct worker *w, const char *method, const char *path,
		      json_t *body, const char *idem_key, json_t **out)
{
	char *text = json_dumps(body, JSON_COMPACT);
	long st;

	json_decref(body);
	if (!text) {
		problem("out of memory encoding a request");
		return -1;
	}
	st = call(w, method, path, text, idem_key, out);
	free(text);
	return st;
}

static void money_text(long long c, char *out, size_t size)
{
	snprintf(out, size, "%lld.%02lld", c / 100, c % 100);
}

static void add_line(json_t *lines, const char *sku, long qty,
		     long long unit_cents, long long *subtotal)
{
	char price[32];

	money_text(unit_cents, price, sizeof(price));
	json_array_append_new(lines,
			      json_pack("{ss ss sI ss}", "sku", sku, "title",
					sku, "quantity", (json_int_t)qty,
					"unit_price", price));
	*subtotal += unit_cents * qty;
}

/*
 * A new order, unique in content (email, address line 2) so that no two
 * are duplicate suspects: clean (a scarce SKU, maybe a T-shirt), of high
 * value (20 hoodies: total >= 1000, the default policy holds it), or with
 * an unknown SKU.
 */
static json_t *order_body(struct worker *w, const char *external_id,
			  unsigned long n)
{
	json_t *lines = json_array();
	long long sub = 0, ship = 500;
	long kind = rnd_in(&w->rng, 0, 99);
	char placed[40], email[96], line2[64], s[32], t[32], total[32];

	add_line(lines, scarce[rnd(&w->rng) % 2], rnd_in(&w->rng, 1, 3), 700,
		 &sub);
	if (kind < 8)
		add_line(lines, "HOODIE-GRY-L", 20, 5400, &sub);
	else if (kind < 16) {
		char sku[32];

		snprintf(sku, sizeof(sku), "CR-NOPE-%lu", n % 7);
		add_line(lines, sku, 1, 500, &sub);
	} else if (kind < 60)
		add_line(lines, "TSHIRT-BLK-M", rnd_in(&w->rng, 1, 2), 1999,
			 &sub);
	rfc3339((time_t)harness_clock_now() - 60, placed, sizeof(placed));
	snprintf(email, sizeof(email), "crash+%lu@example.com", n);
	snprintf(line2, sizeof(line2), "Suite %lu", n);
	money_text(sub, s, sizeof(s));
	money_text(ship, t, sizeof(t));
	money_text(sub + ship, total, sizeof(total));
	return json_pack("{ss ss ss ss"
			 " s{ss ss ss}"
			 " s{ss ss ss ss ss ss ss}"
			 " so s{ss ss} s{ss ss ss ss ss} ss}",
			 "external_id", external_id, "channel", "web",
			 "placed_at", placed, "currency", "USD", "customer",
			 "name", "Casey Crash", "email", email, "phone",
			 "+1 212 555 0143", "ship_to", "name", "Casey Crash",
			 "line1", "350 Fifth Avenue", "line2", line2, "city",
			 "New York", "region", "NY", "postal_code", "10118",
			 "country", "US", "lines", lines, "shipping", "method",
			 "standard", "amount", t, "totals", "subtotal", s,
			 "shipping", t, "tax", "0.00", "discount", "0.00",
			 "total", total, "payment_status", "paid");
}

/* An order's fate in the ledger from its answer (st, the answer). */
static void order_answered(const char *ext, long st, const json_t *ans)
{
	json_t *rec;
	const char *id = jstr(ans, "id");

	pthread_mutex_lock(&led.mu);
	rec = json_object_get(led.orders, ext);
	json_object_set_new(rec, "status", json_integer(st));
	if ((st == 200 || st == 201) && id) {
		json_object_set_new(rec, "fate", json_string("acked"));
		json_object_set_new(rec, "id", json_string(id));
		json_object_set_new(rec, "new", json_true());
		json_object_del(rec, "body");
		json_array_append_new(led.acked_ids, json_string(id));
	} else if (st == 0) {
		json_object_set_new(rec, "fate", json_string("unknown"));
	} else {
		json_object_set_new(rec, "fate", json_string("refused"));
		json_object_del(rec, "body");
	}
	pthread_mutex_unlock(&led.mu);
}

static void do_intake(struct worker *w)
{
	unsigned long n = atomic_fetch_add(&request_seq, 1) + 1;
	char ext[48], key[64];
	json_t *order, *ans;
	char *text;
	long st;

	snprintf(ext, sizeof(ext), "crash-%lu", n);
	/* Half with an Idempotency-Key, half known by external_id alone (a
	 * key's answer is kept by a write of its own after the order's: a
	 * kill in between must not lose what was answered either way). */
	key[0] = '\0';
	if (rnd(&w->rng) % 2)
		snprintf(key, sizeof(key), "order-%s", ext);
	order = order_body(w, ext, n);
	text = json_dumps(order, JSON_COMPACT);
	json_decref(order);
	if (!text) {
		problem("out of memory encoding an order");
		return;
	}
	/* In the ledger before it is sent: the kill may come at any time. */
	pthread_mutex_lock(&led.mu);
	json_object_set_new(led.orders, ext,
			    json_pack("{ss ss ss}", "fate", "unknown", "body",
				      text, "key", key));
	pthread_mutex_unlock(&led.mu);
	st = call(w, "POST", "/v1/orders", text, key[0] ? key : NULL, &ans);
	free(text);
	count("intake", st);
	order_answered(ext, st, ans);
	json_decref(ans);
}

/* Claim and decide a few holds of the review queue: cancel an order with an
 * unknown SKU, approve anything else. */
static void do_review(struct worker *w)
{
	json_t *ans, *items;
	long st = call(w, "GET", "/v1/queue?limit=20", NULL, NULL, &ans);
	size_t n;

	items = json_object_get(ans, "items");
	n = json_array_size(items);
	for (int k = 0; n && k < 3 && !atomic_load(&load_stop); k++) {
		json_t *it = json_array_get(items, rnd(&w->rng) % n);
		const char *hold = jstr(it, "hold.id");
		const char *type = jstr(it, "hold.type");
		const char *order = jstr(it, "order.id");
		char path[HARNESS_PATH_MAX], key[96];
		json_t *res;
		bool cancel;

		if (!hold || !type || !order)
			continue;
		cancel = !strcmp(type, "unknown_sku");
		snprintf(path, sizeof(path), "/v1/holds/%s/claim", hold);
		st = call(w, "POST", path, NULL, NULL, NULL);
		count("claim", st);
		if (st != 200)
			continue;
		snprintf(path, sizeof(path), "/v1/holds/%s/resolve", hold);
		snprintf(key, sizeof(key), "resolve-%s", hold);
		st = call_json(w, "POST", path,
			       json_pack("{ss ss}", "action",
					 cancel ? "cancel_order" : "approve",
					 "reason", "crash test"),
			       rnd(&w->rng) % 2 ? key : NULL, &res);
		count(cancel ? "resolve-cancel" : "resolve-approve", st);
		if (st == 200) {
			pthread_mutex_lock(&led.mu);
			json_object_set_new(led.holds, hold,
					    json_string(order));
			pthread_mutex_unlock(&led.mu);
		}
		json_decref(res);
	}
	json_decref(ans);
}

/* Ship a released (or accepted) fulfillment: all its units left, or part
 * of its first line; sometimes accept it first. */
static void ship_one(struct worker *w, const json_t *f)
{
	const char *id = jstr(f, "id"), *order = jstr(f, "order_id");
	unsigned long n = atomic_fetch_add(&request_seq, 1) + 1;
	json_t *lines = json_array(), *l, *body, *ans;
	char path[HARNESS_PATH_MAX], key[64], tracking[48];
	bool whole = rnd(&w->rng) % 2;
	size_t i;
	char *text;
	long st;

	if (!id || !order) {
		json_decref(lines);
		return;
	}
	/* One in eight is refused as out of stock: its units go back and
	 * the order is routed again, elsewhere. */
	if (rnd(&w->rng) % 8 == 0) {
		json_decref(lines);
		snprintf(path, sizeof(path), "/v1/fulfillments/%s/reject", id);
		count("reject",
		      call_json(w, "POST", path,
				json_pack("{ss ss}", "reason", "out_of_stock",
					  "message", "crash test"),
				NULL, NULL));
		return;
	}
	if (streq(jstr(f, "state"), "released") && rnd(&w->rng) % 3 == 0) {
		snprintf(path, sizeof(path), "/v1/fulfillments/%s/accept", id);
		count("accept", call(w, "POST", path, NULL, NULL, NULL));
	}
	json_array_foreach(json_object_get(f, "lines"), i, l) {
		json_int_t left =
			json_integer_value(json_object_get(l, "quantity")) -
			json_integer_value(json_object_get(l, "shipped"));

		if (left <= 0)
			continue;
		if (!whole)
			left = left > 1 ? left / 2 : 1;
		json_array_append_new(lines,
				      json_pack("{sO sI}", "sku",
						json_object_get(l, "sku"),
						"quantity", left));
		if (!whole)
			break;
	}
	if (json_array_size(lines) == 0) {
		json_decref(lines);
		return;
	}
	snprintf(tracking, sizeof(tracking), "CRASH-%lu", n);
	/* Half with a key (cut off, it is sent again), half without (cut
	 * off, it must be there once at most). */
	key[0] = '\0';
	if (rnd(&w->rng) % 2)
		snprintf(key, sizeof(key), "ship-%s", tracking);
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", id);
	body = json_pack("{so ss ss}", "lines", lines, "carrier", "UPS",
			 "tracking_number", tracking);
	text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text) {
		problem("out of memory encoding a shipment");
		return;
	}
	pthread_mutex_lock(&led.mu);
	json_object_set_new(led.shipments, tracking,
			    json_pack("{ss ss ss ss ss}", "fate", "unknown",
				      "order_id", order, "path", path, "body",
				      text, "key", key));
	pthread_mutex_unlock(&led.mu);
	st = call(w, "POST", path, text, key[0] ? key : NULL, &ans);
	free(text);
	count("ship", st);
	pthread_mutex_lock(&led.mu);
	{
		json_t *rec = json_object_get(led.shipments, tracking);

		if (st == 201 && jstr(ans, "id")) {
			json_object_set_new(rec, "fate", json_string("acked"));
			json_object_set_new(rec, "id",
					    json_string(jstr(ans, "id")));
			snprintf(path, sizeof(path),
				 "/v1/shipments/%s/delivered", jstr(ans, "id"));
		} else if (st != 0) {
			json_object_set_new(rec, "fate",
					    json_string("refused"));
		}
		if (st != 0)
			json_object_del(rec, "body");
	}
	pthread_mutex_unlock(&led.mu);
	/* Half of them arrive. */
	if (st == 201 && jstr(ans, "id") && rnd(&w->rng) % 2)
		count("delivered", call(w, "POST", path, NULL, NULL, NULL));
	json_decref(ans);
}

static void do_ship(struct worker *w)
{
	const char *state = rnd(&w->rng) % 4 ? "released" : "accepted";
	char path[128];
	json_t *ans, *list;
	size_t n;

	snprintf(path, sizeof(path), "/v1/fulfillments?state=%s&limit=20",
		 state);
	call(w, "GET", path, NULL, NULL, &ans);
	list = json_object_get(ans, "fulfillments");
	n = json_array_size(list);
	for (int k = 0; n && k < 3 && !atomic_load(&load_stop); k++)
		ship_one(w, json_array_get(list, rnd(&w->rng) % n));
	json_decref(ans);
}

/* Ask a change of a recent order; every other time, accept the change
 * requests waiting for a warehouse. */
static void do_change(struct worker *w)
{
	unsigned long n = atomic_fetch_add(&request_seq, 1) + 1;
	char path[HARNESS_PATH_MAX], key[96], order[64] = "";
	json_t *body, *ans;
	long kind, st;
	size_t count_ids;

	if (rnd(&w->rng) % 2) {
		json_t *list;
		size_t i;

		call(w, "GET", "/v1/change-requests?limit=5", NULL, NULL, &ans);
		list = json_object_get(ans, "change_requests");
		for (i = 0; i < json_array_size(list); i++) {
			const char *id = jstr(json_array_get(list, i), "id");

			if (!id || atomic_load(&load_stop))
				continue;
			snprintf(path, sizeof(path),
				 "/v1/change-requests/%s/accept", id);
			snprintf(key, sizeof(key), "accept-%s", id);
			st = call_json(w, "POST", path,
				       json_pack("{ss}", "reason",
						 "crash test accepts"),
				       key, NULL);
			count("change-accept", st);
			if (st == 200) {
				pthread_mutex_lock(&led.mu);
				json_object_set_new(led.accepted, id,
						    json_true());
				pthread_mutex_unlock(&led.mu);
			}
		}
		json_decref(ans);
		return;
	}
	pthread_mutex_lock(&led.mu);
	count_ids = json_array_size(led.acked_ids);
	if (count_ids) {
		size_t pick = count_ids - 1 -
			      rnd(&w->rng) % (count_ids < 40 ? count_ids : 40);

		snprintf(
			order, sizeof(order), "%s",
			json_string_value(json_array_get(led.acked_ids, pick)));
	}
	pthread_mutex_unlock(&led.mu);
	if (!order[0])
		return;
	kind = rnd_in(&w->rng, 0, 10);
	if (kind == 10) {
		snprintf(path, sizeof(path), "/v1/orders/%s/cancel", order);
		st = call_json(w, "POST", path,
			       json_pack("{ss}", "reason", "crash test"), NULL,
			       NULL);
		count("cancel", st);
		return;
	}
	if (kind < 6) {
		body = json_pack("{ss si si ss}", "kind", "quantity", "line_no",
				 1, "quantity", (int)rnd_in(&w->rng, 1, 4),
				 "reason", "crash test");
	} else if (kind < 8) {
		char line2[48];

		snprintf(line2, sizeof(line2), "Apt %lu", n);
		body = json_pack("{ss s{ss ss ss ss ss ss ss} ss}", "kind",
				 "ship_to", "ship_to", "name", "Casey Crash",
				 "line1", "1 Main St", "line2", line2, "city",
				 "Columbus", "region", "OH", "postal_code",
				 "43215", "country", "US", "reason",
				 "crash test");
	} else {
		body = json_pack("{ss ss ss ss}", "kind", "shipping_method",
				 "method", "express", "amount", "9.90",
				 "reason", "crash test");
	}
	snprintf(path, sizeof(path), "/v1/orders/%s/changes", order);
	snprintf(key, sizeof(key), "change-%lu", n);
	st = call_json(w, "POST", path, body, rnd(&w->rng) % 2 ? key : NULL,
		       &ans);
	count("change", st);
	if ((st == 200 || st == 202) && jstr(ans, "change.id")) {
		pthread_mutex_lock(&led.mu);
		json_object_set_new(led.changes, jstr(ans, "change.id"),
				    json_string(order));
		pthread_mutex_unlock(&led.mu);
	}
	json_decref(ans);
}

/* Count a scarce SKU somewhere (often below what is reserved), or receive
 * some. */
static void do_stock(struct worker *w)
{
	const char *sku = scarce[rnd(&w->rng) % 2];
	const char *loc = locations[rnd(&w->rng) % 2];
	char path[HARNESS_PATH_MAX];
	long st;

	if (rnd(&w->rng) % 3 == 0) {
		snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s", loc,
			 sku);
		st = call_json(w, "PUT", path,
			       json_pack("{sI}", "on_hand",
					 (json_int_t)rnd_in(&w->rng, 0, 25)),
			       NULL, NULL);
		count("count", st);
	} else {
		snprintf(path, sizeof(path),
			 "/v1/locations/%s/stock/%s/adjustments", loc, sku);
		st = call_json(w, "POST", path,
			       json_pack("{sI ss}", "delta",
					 (json_int_t)rnd_in(&w->rng, 1, 8),
					 "reason", "receipt"),
			       NULL, NULL);
		count("receipt", st);
	}
	harness_sleep_ms(rnd_in(&w->rng, 20, 80));
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	w->lost = false;
	while (!atomic_load(&load_stop)) {
		/* Its server killed, a client waits for the next one. */
		if (w->lost) {
			harness_sleep_ms(1);
			continue;
		}
		switch (w->role) {
		case ROLE_INTAKE:
			do_intake(w);
			break;
		case ROLE_REVIEW:
			do_review(w);
			harness_sleep_ms(rnd_in(&w->rng, 10, 40));
			break;
		case ROLE_SHIP:
			do_ship(w);
			harness_sleep_ms(rnd_in(&w->rng, 10, 40));
			break;
		case ROLE_CHANGE:
			do_change(w);
			harness_sleep_ms(rnd_in(&w->rng, 10, 40));
			break;
		case ROLE_STOCK:
			do_stock(w);
			break;
		}
	}
	return NULL;
}

static struct worker workers[N_WORKERS];

static void load_start(uint64_t seed)
{
	snprintf(load_base, sizeof(load_base), "%s", srv->base_url);
	atomic_store(&load_stop, 0);
	for (size_t i = 0; i < N_WORKERS; i++) {
		workers[i].role = roles[i];
		workers[i].rng = seed * 0x9E3779B97F4A7C15ULL + i + 1;
		if (!workers[i].curl)
			workers[i].curl = curl_easy_init();
		assert_non_null(workers[i].curl);
		assert_int_equal(pthread_create(&workers[i].thread, NULL,
						worker_main, &workers[i]),
				 0);
	}
}

static void load_stop_all(void)
{
	atomic_store(&load_stop, 1);
	for (size_t i = 0; i < N_WORKERS; i++)
		pthread_join(workers[i].thread, NULL);
}

static void load_free(void)
{
	for (size_t i = 0; i < N_WORKERS; i++) {
		if (workers[i].curl)
			curl_easy_cleanup(workers[i].curl);
		workers[i].curl = NULL;
	}
}

/* ---- the webhook receiver ------------------------------------------------ */

/* Every event that arrived (X-Ordo-Event-Id -> times), answered 200. */
static struct receiver {
	struct MHD_Daemon *daemon;
	int port;
	pthread_mutex_t mu;
	json_t *events;
	long arrivals;
} rcv = { .mu = PTHREAD_MUTEX_INITIALIZER };

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	static int started;
	struct MHD_Response *resp;
	const char *id;
	enum MHD_Result ret;

	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	if (!*con_cls) {
		*con_cls = &started;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0; /* the body is not needed */
		return MHD_YES;
	}
	id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Ordo-Event-Id");
	pthread_mutex_lock(&rcv.mu);
	if (id && *id) {
		json_t *n = json_object_get(rcv.events, id);

		json_object_set_new(
			rcv.events, id,
			json_integer(n ? json_integer_value(n) + 1 : 1));
	}
	rcv.arrivals++;
	pthread_mutex_unlock(&rcv.mu);
	resp = MHD_create_response_from_buffer(2, (void *)"ok",
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void receiver_start(void)
{
	struct sockaddr_in addr;
	const union MHD_DaemonInfo *info;

	rcv.events = json_object();
	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	rcv.daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
		0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR,
		(struct sockaddr *)&addr, MHD_OPTION_CONNECTION_TIMEOUT,
		(unsigned int)30, MHD_OPTION_END);
	if (!rcv.daemon)
		fail_msg("webhook receiver: cannot listen");
	info = MHD_get_daemon_info(rcv.daemon, MHD_DAEMON_INFO_BIND_PORT);
	assert_non_null(info);
	rcv.port = info->port;
}

static void receiver_stop(void)
{
	if (rcv.daemon)
		MHD_stop_daemon(rcv.daemon);
	rcv.daemon = NULL;
	json_decref(rcv.events);
	rcv.events = NULL;
}

/* Times event id arrived (NULL: deliveries of any event). */
static long received(const char *id)
{
	long n;

	pthread_mutex_lock(&rcv.mu);
	n = id ? (long)json_integer_value(json_object_get(rcv.events, id))
	       : rcv.arrivals;
	pthread_mutex_unlock(&rcv.mu);
	return n;
}

/* ---- the database, read (and for sabotage written) from outside ---------- */

struct db {
	sqlite3 *lite;
	PGconn *pg;
};

static int on_pg(void)
{
	return strncmp(srv->db_path, "postgres", 8) == 0;
}

/* Open the group's database (read-only on SQLite unless writable); 0 or -1
 * (a problem recorded). */
static int db_open(struct db *d, int writable)
{
	memset(d, 0, sizeof(*d));
	if (on_pg()) {
		d->pg = PQconnectdb(srv->db_path);
		if (PQstatus(d->pg) != CONNECTION_OK) {
			problem("cannot connect to %s: %s", srv->db_path,
				PQerrorMessage(d->pg));
			PQfinish(d->pg);
			d->pg = NULL;
			return -1;
		}
		return 0;
	}
	if (sqlite3_open_v2(srv->db_path, &d->lite,
			    writable ? SQLITE_OPEN_READWRITE
				     : SQLITE_OPEN_READONLY,
			    NULL) != SQLITE_OK) {
		problem("cannot open %s: %s", srv->db_path,
			d->lite ? sqlite3_errmsg(d->lite) : "no memory");
		sqlite3_close(d->lite);
		d->lite = NULL;
		return -1;
	}
	sqlite3_busy_timeout(d->lite, 10000);
	return 0;
}

static void db_close(struct db *d)
{
	if (d->pg)
		PQfinish(d->pg);
	if (d->lite)
		sqlite3_close(d->lite);
	memset(d, 0, sizeof(*d));
}

typedef void (*row_fn)(void *arg, int n, const char *const *v);

/* Run sql, calling fn (may be NULL) for each row with its values as text
 * ("" for NULL); 0 or -1 (a problem recorded). */
static int db_query(struct db *d, const char *sql, row_fn fn, void *arg)
{
	const char *v[16];

	if (d->pg) {
		PGresult *r = PQexec(d->pg, sql);
		ExecStatusType st = PQresultStatus(r);
		int rc = 0;

		if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
			problem("%.200s: %s", sql, PQerrorMessage(d->pg));
			rc = -1;
		}
		for (int i = 0; rc == 0 && fn && i < PQntuples(r); i++) {
			int n = PQnfields(r) < 16 ? PQnfields(r) : 16;

			for (int k = 0; k < n; k++)
				v[k] = PQgetvalue(r, i, k);
			fn(arg, n, v);
		}
		PQclear(r);
		return rc;
	}
	{
		sqlite3_stmt *s = NULL;
		int rc;

		if (sqlite3_prepare_v2(d->lite, sql, -1, &s, NULL) !=
		    SQLITE_OK) {
			problem("%.200s: %s", sql, sqlite3_errmsg(d->lite));
			return -1;
		}
		while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			int n = sqlite3_column_count(s) < 16
					? sqlite3_column_count(s)
					: 16;

			for (int k = 0; k < n; k++) {
				const unsigned char *t =
					sqlite3_column_text(s, k);

				v[k] = t ? (const char *)t : "";
			}
			if (fn)
				fn(arg, n, v);
		}
		if (rc != SQLITE_DONE) {
			problem("%.200s: %s", sql, sqlite3_errmsg(d->lite));
			sqlite3_finalize(s);
			return -1;
		}
		sqlite3_finalize(s);
		return 0;
	}
}

static void row_first(void *arg, int n, const char *const *v)
{
	if (n > 0)
		snprintf(arg, 64, "%s", v[0]);
}

/* The first value of the first row of sql into out (64 bytes). */
static int db_value(struct db *d, const char *sql, char out[64])
{
	out[0] = '\0';
	return db_query(d, sql, row_first, out);
}

/* ---- the checks in the database ------------------------------------------ */

static char tenant_id[64];   /* acme's tenants.id */
static char webhook_id[64];  /* the receiver's webhook */
static char outbox_from[64]; /* outbox_events.seq before the webhook */
static int have_amcheck;

struct rows_seen {
	const char *what;
	long n;
};

/* Each row of a query that should find none is a problem. */
static void row_is_problem(void *arg, int n, const char *const *v)
{
	struct rows_seen *rs = arg;
	char text[600] = "";
	size_t len = 0;

	for (int k = 0; k < n && len < sizeof(text) - 1; k++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s%s",
					k ? " | " : "", v[k]);
	if (rs->n++ < 10)
		problem("%s: %s", rs->what, text);
}

static void expect_no_rows(struct db *d, const char *what, const char *sql)
{
	struct rows_seen rs = { what, 0 };

	db_query(d, sql, row_is_problem, &rs);
	if (rs.n > 10)
		problem("%s: %ld rows in all", what, rs.n);
}

/* Units of live fulfillments not yet shipped, of one stock row. */
#define SQL_LIVE_UNITS                                                         \
	"(SELECT COALESCE(SUM(fl.quantity - fl.shipped), 0) "                  \
	"FROM fulfillments f JOIN fulfillment_lines fl "                       \
	"ON fl.fulfillment_seq = f.seq "                                       \
	"WHERE f.tenant_id = s.tenant_id AND f.location = s.location "         \
	"AND fl.sku = s.sku AND f.state IN ('pending', 'released', "           \
	"'accepted'))"

static const char sql_stock[] =
	"SELECT s.tenant_id, s.location, s.sku, s.on_hand, "
	"s.reserved, " SQL_LIVE_UNITS " AS live FROM stock s "
	"WHERE s.reserved <> " SQL_LIVE_UNITS " OR s.reserved > s.on_hand "
	"OR s.reserved < 0 OR s.on_hand < 0";

/* Each order line against its fulfillments. */
static const char sql_lines[] =
	"SELECT o.id, l.line_no, l.quantity, l.qty_open, l.qty_allocated, "
	"l.qty_released, l.qty_shipped, l.qty_cancelled, "
	"COALESCE(SUM(CASE WHEN f.state = 'pending' "
	"THEN fl.quantity - fl.shipped END), 0) AS pend, "
	"COALESCE(SUM(CASE WHEN f.state IN ('released', 'accepted') "
	"THEN fl.quantity - fl.shipped END), 0) AS rel, "
	"COALESCE(SUM(fl.shipped), 0) AS shp "
	"FROM orders o JOIN order_lines l ON l.order_seq = o.seq "
	"LEFT JOIN fulfillments f ON f.order_seq = o.seq "
	"LEFT JOIN fulfillment_lines fl ON fl.fulfillment_seq = f.seq "
	"AND fl.line_no = l.line_no "
	"GROUP BY o.id, l.line_no, l.quantity, l.qty_open, l.qty_allocated, "
	"l.qty_released, l.qty_shipped, l.qty_cancelled "
	"HAVING l.quantity <> l.qty_open + l.qty_allocated + l.qty_released "
	"+ l.qty_shipped + l.qty_cancelled "
	"OR l.qty_allocated <> COALESCE(SUM(CASE WHEN f.state = 'pending' "
	"THEN fl.quantity - fl.shipped END), 0) "
	"OR l.qty_released <> COALESCE(SUM(CASE WHEN f.state IN "
	"('released', 'accepted') THEN fl.quantity - fl.shipped END), 0) "
	"OR l.qty_shipped <> COALESCE(SUM(fl.shipped), 0)";

static void row_integrity(void *arg, int n, const char *const *v)
{
	(void)arg;
	if (n > 0 && strcmp(v[0], "ok") != 0)
		problem("PRAGMA integrity_check: %s", v[0]);
}

/* The database's own invariants, in one snapshot. */
static void check_database(void)
{
	char sql[1024];
	struct db d;

	if (db_open(&d, 0))
		return;
	if (d.lite) {
		db_query(&d, "PRAGMA integrity_check", row_integrity, NULL);
		expect_no_rows(&d, "PRAGMA foreign_key_check",
			       "PRAGMA foreign_key_check");
		db_query(&d, "BEGIN", NULL, NULL);
	} else {
		db_query(&d, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
			 NULL, NULL);
		/* Raises an error (a problem) on a corrupt index. */
		if (have_amcheck)
			db_query(&d,
				 "SELECT bt_index_check(c.oid, true) "
				 "FROM pg_index i "
				 "JOIN pg_class c ON c.oid = i.indexrelid "
				 "JOIN pg_am a ON a.oid = c.relam "
				 "WHERE a.amname = 'btree' AND c.relnamespace "
				 "= 'public'::regnamespace",
				 NULL, NULL);
	}
	expect_no_rows(&d,
		       "stock: reserved <> units of live fulfillments, or "
		       "reserved > on_hand (tenant | location | sku | on_hand "
		       "| reserved | live)",
		       sql_stock);
	expect_no_rows(&d,
		       "order line against its fulfillments (order | line | "
		       "quantity | open | allocated | released | shipped | "
		       "cancelled | pending units | released units | shipped "
		       "units)",
		       sql_lines);
	snprintf(sql, sizeof(sql),
		 "SELECT e.id, e.type FROM outbox_events e "
		 "WHERE e.tenant_id = %s AND e.seq > %s AND NOT EXISTS "
		 "(SELECT 1 FROM deliveries d WHERE d.event_id = e.id "
		 "AND d.webhook_id = '%s')",
		 tenant_id, outbox_from, webhook_id);
	expect_no_rows(&d, "outbox event without its delivery", sql);
	db_query(&d, "COMMIT", NULL, NULL);
	db_close(&d);
}

/* ORDO_CRASH_SABOTAGE: damage the database as a crash bug would. */
static void sabotage(const char *what, const char *acked_order)
{
	char sql[512];
	struct db d;

	if (db_open(&d, 1))
		return;
	fprintf(stderr, "crash: sabotage %s\n", what);
	if (!strcmp(what, "order")) {
		/* An acknowledged order gone (its rows left behind). */
		if (d.pg)
			db_query(&d, "SET session_replication_role = replica",
				 NULL, NULL);
		snprintf(sql, sizeof(sql), "DELETE FROM orders WHERE id = '%s'",
			 acked_order);
		db_query(&d, sql, NULL, NULL);
		fprintf(stderr, "crash: deleted order %s\n", acked_order);
	} else if (!strcmp(what, "stock")) {
		/* A unit reserved that no fulfillment holds. */
		snprintf(sql, sizeof(sql),
			 "UPDATE stock SET on_hand = on_hand + 1, reserved = "
			 "reserved + 1 WHERE tenant_id = %s AND location = "
			 "'WH-EAST' AND sku = '%s'",
			 tenant_id, scarce[0]);
		db_query(&d, sql, NULL, NULL);
	} else if (!strcmp(what, "delivery")) {
		/* Deliveries marked done that were never sent. */
		snprintf(sql, sizeof(sql),
			 "UPDATE deliveries SET status = 'delivered', "
			 "delivered_at = %lld "
			 "WHERE webhook_id = '%s' AND status = 'pending'",
			 harness_clock_now(), webhook_id);
		db_query(&d, sql, NULL, NULL);
	} else {
		problem("ORDO_CRASH_SABOTAGE=%s: not order, stock or delivery",
			what);
	}
	db_close(&d);
}

/* ---- replaying what was cut off ------------------------------------------ */

/* The answer to a retry whose first request was done but whose answer was
 * never kept: 409 conflict naming Idempotency-Key (app/write.c). */
static int answer_lost(const struct resp *r)
{
	return r->status == 409 &&
	       streq(jstr(r->json, "error.code"), "conflict") &&
	       error_details_naming(r, "Idempotency-Key") > 0;
}

/*
 * Send each unknown order, and each unknown shipment that had an
 * Idempotency-Key, again as its client would: the same body and key. An
 * order must then be answered 200 or 201 (stored before the kill: its first
 * answer replayed, or found by its external id; or stored now); a shipment
 * 201, or refused when it was never stored and can no longer be made (its
 * fulfillment moved on) - which the tracking numbers then show.
 */
static void replay_unknown(long *orders_replayed, long *shipments_replayed)
{
	const char *k;
	json_t *rec;

	json_object_foreach(led.orders, k, rec) {
		struct resp *r;
		char h[160], id[64] = "";
		const char *headers[] = { h, NULL };
		const char *body = jstr(rec, "body");

		if (!streq(jstr(rec, "fate"), "unknown"))
			continue;
		snprintf(h, sizeof(h), "Idempotency-Key: %s", jstr(rec, "key"));
		r = http("POST", "/v1/orders", api_key, body, strlen(body),
			 jstr(rec, "key")[0] ? headers : NULL);
		(*orders_replayed)++;
		count("intake-replay", r->status);
		if ((r->status == 200 || r->status == 201) &&
		    jstr(r->json, "id"))
			snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
		if (answer_lost(r)) {
			/* Done before the kill: read what it did. */
			struct resp *q = http_get(
				api_key, "/v1/orders?external_id=%s&limit=5",
				k);
			json_t *found = json_object_get(q->json, "orders");

			if (q->status == 200 && json_array_size(found) == 1 &&
			    jstr(json_array_get(found, 0), "id"))
				snprintf(id, sizeof(id), "%s",
					 jstr(json_array_get(found, 0), "id"));
			count("intake-answer-lost", id[0] ? 200 : 404);
			resp_free(q);
		}
		if (id[0]) {
			json_object_set_new(rec, "fate", json_string("acked"));
			json_object_set_new(rec, "id", json_string(id));
			json_object_set_new(rec, "new", json_true());
			json_object_del(rec, "body");
			json_array_append_new(led.acked_ids, json_string(id));
		} else {
			problem("order %s sent again with its key after the "
				"crash: HTTP %ld %.300s",
				k, r->status, r->body);
		}
		resp_free(r);
	}
	json_object_foreach(led.shipments, k, rec) {
		struct resp *r;
		char h[160];
		const char *headers[] = { h, NULL };
		const char *body = jstr(rec, "body");

		/* Without a key, sending it again could ship it twice: it
		 * stays unknown (there once at most). */
		if (!streq(jstr(rec, "fate"), "unknown") ||
		    !jstr(rec, "key")[0])
			continue;
		snprintf(h, sizeof(h), "Idempotency-Key: %s", jstr(rec, "key"));
		r = http("POST", jstr(rec, "path"), api_key, body, strlen(body),
			 headers);
		(*shipments_replayed)++;
		count("ship-replay", r->status);
		if (r->status == 201 && jstr(r->json, "id")) {
			json_object_set_new(rec, "fate", json_string("acked"));
			json_object_set_new(rec, "id",
					    json_string(jstr(r->json, "id")));
		} else if (answer_lost(r)) {
			json_object_set_new(rec, "fate", json_string("done"));
		} else if (r->status == 409 || r->status == 404) {
			json_object_set_new(rec, "fate",
					    json_string("refused"));
		} else {
			problem("shipment %s sent again with its key after "
				"the crash: HTTP %ld %.300s",
				k, r->status, r->body);
		}
		json_object_del(rec, "body");
		resp_free(r);
	}
}

/* ---- the checks over the API --------------------------------------------- */

static const char *line_identity_broken(const json_t *order)
{
	static const char *const parts[] = { "open", "allocated", "released",
					     "shipped", "cancelled" };
	json_t *l;
	size_t i;

	if (!json_is_array(json_object_get(order, "lines")) ||
	    !json_array_size(json_object_get(order, "lines")))
		return "no lines";
	json_array_foreach(json_object_get(order, "lines"), i, l) {
		json_int_t sum = 0;

		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
			json_t *v = json_object_get(l, parts[k]);

			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return "a line quantity missing or negative";
			sum += json_integer_value(v);
		}
		if (!json_is_integer(json_object_get(l, "quantity")) ||
		    sum != json_integer_value(json_object_get(l, "quantity")))
			return "quantity != open + allocated + released + "
			       "shipped + cancelled";
	}
	return NULL;
}

static long units(const json_t *line, const char *field)
{
	return (long)json_integer_value(json_object_get(line, field));
}

/*
 * The order's state against its holds and lines: on_hold exactly while a
 * hold is open; otherwise, before delivery, the stage its lines say (as
 * order_stage_from_lines: cancelled when no unit is left, shipped when
 * every unit left has shipped, released when some are released or
 * shipped, allocated when some are allocated, else accepted).
 */
static const char *state_broken(const json_t *order)
{
	const char *state = jstr(order, "state"), *stage;
	long live = 0, allocated = 0, released = 0, shipped = 0;
	json_t *l;
	size_t i;

	if (!state)
		return "no state";
	if (streq(state, "on_hold") != (open_holds(order, NULL) > 0))
		return streq(state, "on_hold") ? "on hold without an open hold"
					       : "an open hold, not on hold";
	json_array_foreach(json_object_get(order, "lines"), i, l) {
		live += units(l, "quantity") - units(l, "cancelled");
		allocated += units(l, "allocated");
		released += units(l, "released");
		shipped += units(l, "shipped");
	}
	if (live == 0)
		stage = "cancelled";
	else if (shipped == live)
		stage = "shipped";
	else if (released + shipped > 0)
		stage = "released";
	else if (allocated > 0)
		stage = "allocated";
	else
		stage = "accepted";
	if ((streq(state, "accepted") || streq(state, "allocated") ||
	     streq(state, "released") || streq(state, "shipped") ||
	     streq(state, "cancelled")) &&
	    strcmp(state, stage) != 0)
		return "the state is not the stage its lines say";
	return NULL;
}

static void bump(json_t *map, const char *key)
{
	json_t *n = json_object_get(map, key);

	json_object_set_new(map, key,
			    json_integer(n ? json_integer_value(n) + 1 : 1));
}

static long count_of(const json_t *map, const char *key)
{
	return (long)json_integer_value(json_object_get(map, key));
}

static void check_api(long *orders_seen)
{
	json_t *all = list_all(api_key, "/v1/orders", "orders", 200);
	json_t *by_ext = json_object(), *id_of = json_object(),
	       *trackings = json_object(), *shipment_ids = json_object(),
	       *hold_status = json_object();
	json_t *o, *rec;
	const char *k;
	size_t i;

	*orders_seen = (long)json_array_size(all);
	json_array_foreach(all, i, o) {
		const char *ext = jstr(o, "external_id"), *why;
		json_t *x;
		size_t j;

		if (!ext || !jstr(o, "id")) {
			problem("an order without id or external_id");
			continue;
		}
		bump(by_ext, ext);
		json_object_set_new(id_of, ext, json_string(jstr(o, "id")));
		why = line_identity_broken(o);
		if (!why)
			why = state_broken(o);
		if (why)
			problem("order %s (%s, %s): %s", jstr(o, "id"), ext,
				jstr(o, "state") ? jstr(o, "state") : "-", why);
		json_array_foreach(json_object_get(o, "shipments"), j, x) {
			if (jstr(x, "tracking_number"))
				bump(trackings, jstr(x, "tracking_number"));
			if (jstr(x, "id"))
				json_object_set_new(shipment_ids, jstr(x, "id"),
						    json_string(jstr(o, "id")));
		}
		json_array_foreach(json_object_get(o, "holds"), j, x)
			if (jstr(x, "id") && jstr(x, "status"))
				json_object_set_new(
					hold_status, jstr(x, "id"),
					json_string(jstr(x, "status")));
		if (!json_object_get(led.orders, ext))
			problem("order %s (%s) is there, but nobody sent it",
				jstr(o, "id"), ext);
	}

	json_object_foreach(led.orders, k, rec) {
		const char *fate = jstr(rec, "fate");
		long n = count_of(by_ext, k);

		if (streq(fate, "acked")) {
			if (n != 1)
				problem("acknowledged order %s (%s, HTTP %lld) "
					"is there %ld times",
					k, jstr(rec, "id"),
					json_integer_value(
						json_object_get(rec, "status")),
					n);
			else if (!streq(json_string_value(
						json_object_get(id_of, k)),
					jstr(rec, "id")))
				problem("acknowledged order %s was %s, is %s",
					k, jstr(rec, "id"),
					json_string_value(
						json_object_get(id_of, k)));
		} else if (streq(fate, "refused") && n != 0) {
			problem("order %s refused with HTTP %lld is there", k,
				json_integer_value(
					json_object_get(rec, "status")));
		} else if (n > 1) {
			problem("order %s (cut off) is there %ld times", k, n);
		}
		/* The newly acknowledged, one by one by their external id. */
		if (streq(fate, "acked") &&
		    json_is_true(json_object_get(rec, "new"))) {
			struct resp *r = http_get(
				api_key, "/v1/orders?external_id=%s&limit=5",
				k);
			size_t found = json_array_size(
				json_object_get(r->json, "orders"));

			if (r->status != 200 || found != 1)
				problem("GET /v1/orders?external_id=%s: HTTP "
					"%ld, %zu orders",
					k, r->status, found);
			resp_free(r);
			json_object_del(rec, "new");
		}
	}

	json_object_foreach(led.shipments, k, rec) {
		const char *fate = jstr(rec, "fate");
		long n = count_of(trackings, k);

		if (streq(fate, "acked") &&
		    (n != 1 || !json_object_get(shipment_ids, jstr(rec, "id"))))
			problem("acknowledged shipment %s (%s) of order %s: "
				"%ld with its tracking number",
				jstr(rec, "id"), k, jstr(rec, "order_id"), n);
		else if (streq(fate, "done") && n != 1)
			problem("shipment %s of order %s, done (its answer "
				"lost), is there %ld times",
				k, jstr(rec, "order_id"), n);
		else if (streq(fate, "refused") && n != 0)
			problem("refused shipment %s is there", k);
		else if (n > 1)
			problem("shipment %s is there %ld times", k, n);
	}

	json_object_foreach(led.holds, k, rec) {
		const char *st =
			json_string_value(json_object_get(hold_status, k));

		if (!streq(st, "resolved"))
			problem("hold %s of order %s, resolved (acknowledged), "
				"is %s",
				k, json_string_value(rec), st ? st : "missing");
	}

	/* Changes and accepted change requests acknowledged since the last
	 * check, one by one. */
	json_object_foreach(led.changes, k, rec) {
		struct resp *r = http_get(api_key, "/v1/orders/%s/changes",
					  json_string_value(rec));
		json_t *c;
		int found = 0;

		json_array_foreach(json_object_get(r->json, "changes"), i, c)
			found |= streq(jstr(c, "id"), k);
		if (r->status != 200 || !found)
			problem("acknowledged change %s of order %s: not "
				"among its changes (HTTP %ld)",
				k, json_string_value(rec), r->status);
		resp_free(r);
	}
	json_object_clear(led.changes);
	json_object_foreach(led.accepted, k, rec) {
		struct resp *r = http_get(api_key, "/v1/change-requests/%s", k);

		if (r->status != 200 ||
		    !streq(jstr(r->json, "state"), "accepted"))
			problem("change request %s, accepted (acknowledged): "
				"HTTP %ld state %s",
				k, r->status,
				jstr(r->json, "state") ? jstr(r->json, "state")
						       : "-");
		resp_free(r);
	}
	json_object_clear(led.accepted);

	json_decref(all);
	json_decref(by_ext);
	json_decref(id_of);
	json_decref(trackings);
	json_decref(shipment_ids);
	json_decref(hold_status);
}

/* Print every problem (the first few dozen) and fail if there is any. */
static void fail_on_problems(const char *when)
{
	size_t n = json_array_size(led.problems);

	if (!n)
		return;
	for (size_t i = 0; i < n && i < PROBLEMS_SHOWN; i++)
		print_error("crash: %s: %s\n", when,
			    json_string_value(json_array_get(led.problems, i)));
	if (n > PROBLEMS_SHOWN)
		print_error("crash: ... and %zu more\n", n - PROBLEMS_SHOWN);
	fail_msg("crash: %zu problems %s", n, when);
}

/* ---- set-up, the cycles, the drain --------------------------------------- */

static void subscribe(void)
{
	static const char *const types[] = {
		"order.accepted",
		"order.on_hold",
		"order.allocated",
		"order.backordered",
		"fulfillment.released",
		"fulfillment.accepted",
		"fulfillment.rejected",
		"fulfillment.cancelled",
		"shipment.created",
		"order.shipped",
		"order.delivered",
		"order.closed",
		"order.cancelled",
		"stock.low",
		"webhook.paused",
		"order.changed",
		"change_request.requested",
		"change_request.accepted",
		"change_request.refused",
		"change_request.expired",
		"fulfillment.change_requested",
		"return.authorized",
		"return.received",
		"return.refunded",
		"alert.raised",
		"alert.cleared",
	};
	json_t *events = json_array(), *body;
	char url[96];
	struct resp *r;

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		json_array_append_new(events, json_string(types[i]));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/crash", rcv.port);
	body = json_pack("{ss so}", "url", url, "events", events);
	r = http_json("POST", "/v1/webhooks", api_key, body, NULL);
	json_decref(body);
	assert_status(r, 201);
	snprintf(webhook_id, sizeof(webhook_id), "%s", jstr(r->json, "id"));
	resp_free(r);
}

static void setup_tenant(void)
{
	struct db d;

	api_key = srv->key_acme;
	for (size_t i = 0; i < 2; i++) {
		make_sku(api_key, scarce[i], scarce[i], SCARCE_PRICE, 1);
		for (size_t k = 0; k < 2; k++)
			set_stock(api_key, locations[k], scarce[i],
				  SCARCE_START);
	}
	assert_int_equal(db_open(&d, 0), 0);
	db_value(&d, "SELECT id FROM tenants WHERE slug = 'acme'", tenant_id);
	assert_true(tenant_id[0] != '\0');
	{
		char sql[160];

		snprintf(sql, sizeof(sql),
			 "SELECT COALESCE(MAX(seq), 0) FROM outbox_events "
			 "WHERE tenant_id = %s",
			 tenant_id);
		db_value(&d, sql, outbox_from);
	}
	db_close(&d);
	subscribe();
	/* PostgreSQL's index checker, where this role may make it. */
	if (on_pg()) {
		PGconn *c = PQconnectdb(srv->db_path);
		PGresult *r =
			PQexec(c, "CREATE EXTENSION IF NOT EXISTS amcheck");

		have_amcheck = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!have_amcheck)
			fprintf(stderr,
				"crash: no amcheck (%s): the indexes "
				"are not checked\n",
				PQerrorMessage(c));
		PQclear(r);
		PQfinish(c);
	}
}

static long pending_deliveries(void)
{
	struct resp *r =
		http_get(api_key, "/v1/webhooks/deliveries?status=pending"
				  "&limit=200");
	long n = r->status == 200 ? (long)json_array_size(json_object_get(
					    r->json, "deliveries"))
				  : -1;

	resp_free(r);
	return n;
}

struct event_tally {
	long events, missing, repeated;
	json_t *types;
};

static void row_event(void *arg, int n, const char *const *v)
{
	struct event_tally *t = arg;
	long times;

	if (n < 2)
		return;
	t->events++;
	bump(t->types, v[1]);
	times = received(v[0]);
	if (times == 0) {
		if (t->missing++ < 10)
			problem("outbox event %s (%s, seq %s) never reached "
				"the receiver",
				v[0], v[1], n > 2 ? v[2] : "?");
	} else if (times > 1) {
		t->repeated++;
	}
}

/*
 * No more kills: wait until no delivery is pending (moving the clock on
 * past leases and backoffs now and then), then every outbox event written
 * since the webhook was made must have arrived.
 */
static void drain_and_check_outbox(void)
{
	struct event_tally t = { 0, 0, 0, json_object() };
	long deadline = harness_now_ms() + DRAIN_TIMEOUT_MS, last_move = 0;
	long pending = -1, started = harness_now_ms();
	char sql[512];
	struct db d;

	harness_clock_advance(LEASE_SKIP_S);
	while (harness_now_ms() < deadline) {
		pending = pending_deliveries();
		if (pending == 0)
			break;
		if (harness_now_ms() - last_move > 5000) {
			harness_clock_advance(LEASE_SKIP_S);
			last_move = harness_now_ms();
		}
		harness_sleep_ms(200);
	}
	if (pending != 0)
		problem("%ld deliveries still pending %d s after the last "
			"crash",
			pending, DRAIN_TIMEOUT_MS / 1000);
	{
		struct resp *r =
			http_get(api_key, "/v1/webhooks/deliveries?status="
					  "failed&limit=10");
		size_t failed =
			json_array_size(json_object_get(r->json, "deliveries"));

		if (r->status != 200 || failed)
			problem("deliveries failed (HTTP %ld): %.500s",
				r->status, r->body);
		resp_free(r);
	}
	if (db_open(&d, 0) == 0) {
		snprintf(sql, sizeof(sql),
			 "SELECT id, type, seq FROM outbox_events "
			 "WHERE tenant_id = %s AND seq > %s ORDER BY seq",
			 tenant_id, outbox_from);
		db_query(&d, sql, row_event, &t);
		snprintf(sql, sizeof(sql),
			 "SELECT id, status FROM deliveries "
			 "WHERE webhook_id = '%s' AND status <> 'delivered'",
			 webhook_id);
		expect_no_rows(&d, "delivery not delivered after the drain",
			       sql);
		db_close(&d);
	}
	if (t.missing > 10)
		problem("%ld outbox events in all never reached the receiver",
			t.missing);
	{
		char *types =
			json_dumps(t.types, JSON_COMPACT | JSON_SORT_KEYS);

		fprintf(stderr,
			"crash: outbox drained in %ld ms: %ld events "
			"committed, %ld missing, %ld received more than "
			"once (%ld arrivals); by type %s\n",
			harness_now_ms() - started, t.events, t.missing,
			t.repeated, received(NULL), types ? types : "?");
		free(types);
	}
	json_decref(t.types);
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return dflt;
	n = strtol(v, &end, 10);
	if (*end || n < 0)
		fail_msg("%s=%s: not a number", name, v);
	return n;
}

API_TEST(killed_under_load_loses_nothing)
{
	long cycles = env_long("ORDO_CRASH_CYCLES", CYCLES_DEFAULT);
	uint64_t seed = (uint64_t)env_long("ORDO_CRASH_SEED", (long)time(NULL));
	const char *sabotage_what = getenv("ORDO_CRASH_SABOTAGE");
	long started = harness_now_ms(), replayed_orders = 0,
	     replayed_shipments = 0, orders_seen = 0, kill_in_flight = 0;
	uint64_t rng = seed | 1;
	bool sabotaged = false;

	fprintf(stderr,
		"crash: %ld cycles on %s, ORDO_CRASH_SEED=%" PRIu64 "\n",
		cycles, on_pg() ? "PostgreSQL" : "SQLite", seed);
	ledger_init();
	receiver_start();
	setup_tenant();

	for (long c = 1; c <= cycles; c++) {
		long delay = rnd_in(&rng, KILL_AFTER_MIN_MS, KILL_AFTER_MAX_MS);
		long t_kill, t_up, busy;

		load_start(seed + (uint64_t)c);
		harness_sleep_ms(delay);
		busy = atomic_load(&in_flight);
		harness_server_kill();
		t_kill = harness_now_ms();
		load_stop_all();
		kill_in_flight += busy;
		if (sabotage_what && *sabotage_what && !sabotaged && c >= 2 &&
		    json_array_size(led.acked_ids) > 0) {
			const char *victim = json_string_value(json_array_get(
				led.acked_ids,
				json_array_size(led.acked_ids) / 2));

			sabotage(sabotage_what, victim ? victim : "");
			sabotaged = true;
		}
		if (harness_server_restart() != 0)
			fail_msg("crash: cycle %ld: ordo serve did not come "
				 "back after the kill",
				 c);
		t_up = harness_now_ms();
		harness_clock_advance(LEASE_SKIP_S);
		replay_unknown(&replayed_orders, &replayed_shipments);
		check_api(&orders_seen);
		check_database();
		fprintf(stderr,
			"crash: cycle %ld/%ld: killed at %ld ms with %ld "
			"requests in flight, up again in %ld ms, %ld orders, "
			"checked in %ld ms\n",
			c, cycles, delay, busy, t_up - t_kill, orders_seen,
			harness_now_ms() - t_up);
		fail_on_problems("after a crash");
	}

	drain_and_check_outbox();
	{
		char *counts =
			json_dumps(led.counts, JSON_COMPACT | JSON_SORT_KEYS);

		fprintf(stderr,
			"crash: %ld cycles in %ld ms; %ld requests in flight "
			"at the kills, %ld cut off; orders sent again %ld, "
			"shipments sent again %ld; answers %s\n",
			cycles, harness_now_ms() - started, kill_in_flight,
			atomic_load(&cut_off), replayed_orders,
			replayed_shipments, counts ? counts : "?");
		free(counts);
	}
	fail_on_problems("after the last crash");
	load_free();
	receiver_stop();
	ledger_free();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(killed_under_load_loses_nothing),
	};

	harness_set_serve_args(serve_args);
	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
