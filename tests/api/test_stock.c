/*
 * test_stock.c - stock levels per SKU and location, and their history.
 *
 *   count        PUT .../stock/{sku} {"on_hand", "safety_stock"}: safety
 *                stock kept when absent; bad values 400 naming the field;
 *                unknown location or sku 404; below reserved the count
 *                stands and the released units it no longer covers are
 *                taken back (test_stock_count.c has the rest). A location
 *                or sku in the path longer than any is 404, never the
 *                longest real one it begins with.
 *   adjustments  POST .../adjustments {"delta", "reason", "note"}: every
 *                reason; bad reason, zero or non-integer delta 400; a
 *                result below 0 409 naming delta.
 *   levels       GET /v1/stock?sku= per location and in total, available =
 *                max(0, on_hand - reserved - safety_stock); unknown sku 404,
 *                also for another tenant's sku.
 *   events       GET /v1/stock/events: one per change (count, adjustment,
 *                reserve from an order, ship, unreserve on a rejection)
 *                with reason, actor, order_id and the running figures;
 *                location filter; paging.
 *
 * Every test uses its own SKU, stocked only at its own locations, so the
 * seeded warehouses never take part.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define PRICE "10.00"
#define WAIT_MS 10000

static const char *acme(void)
{
	return srv->key_acme;
}

static struct resp *put_stock(const char *loc, const char *sku,
			      const char *body)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s", loc, sku);
	return http("PUT", path, acme(), body, strlen(body), NULL);
}

static struct resp *adjust(const char *loc, const char *sku, const char *body)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s/adjustments",
		 loc, sku);
	return http("POST", path, acme(), body, strlen(body), NULL);
}

static long ival(const json_t *j, const char *field)
{
	json_t *v = json_object_get(j, field);

	return json_is_integer(v) ? (long)json_integer_value(v) : -999999;
}

/* A stock level object has these figures (location/sku when non-NULL). */
#define assert_level(j, loc, sku, oh, res, ss, av)                             \
	assert_level_at((j), (loc), (sku), (oh), (res), (ss), (av), __LINE__)
static void assert_level_at(const json_t *j, const char *loc, const char *sku,
			    long on_hand, long reserved, long safety,
			    long available, int line)
{
	int ok = json_is_object(j) && ival(j, "on_hand") == on_hand &&
		 ival(j, "reserved") == reserved &&
		 ival(j, "safety_stock") == safety &&
		 ival(j, "available") == available &&
		 (!loc || streq(jstr(j, "location"), loc)) &&
		 (!sku || streq(jstr(j, "sku"), sku));

	if (!ok) {
		char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;

		print_error("line %d: expected %s/%s on_hand %ld reserved %ld "
			    "safety_stock %ld available %ld\ngot: %s\n",
			    line, loc ? loc : "*", sku ? sku : "*", on_hand,
			    reserved, safety, available,
			    text ? text : "(nothing)");
		free(text);
		fail_msg("stock level differs (test line %d)", line);
	}
}

/* Wait until reserved at loc is n; returns the last value seen. */
static long wait_reserved(const char *sku, const char *loc, long n)
{
	long deadline = harness_now_ms() + WAIT_MS, v;

	for (;;) {
		v = stock_figure(acme(), sku, loc, "reserved");
		if (v == n || harness_now_ms() > deadline)
			return v;
		harness_sleep_ms(100);
	}
}

/* Order quantity x sku; waits until it is allocated; the order (new ref). */
static json_t *order_units_of(const char *ext, const char *sku, long quantity)
{
	json_t *o = order_one_line(ext, sku, quantity, PRICE);
	char *id = order_create(acme(), o);
	json_t *got;

	json_decref(o);
	got = order_wait_state(acme(), id, "released", WAIT_MS);
	check(streq(jstr(got, "state"), "released"),
	      "order %s for %ld x %s not released: %s", id, quantity, sku,
	      jstr(got, "state"));
	free(id);
	return got;
}

static struct resp *ship(const char *ful_id, const char *sku, long quantity)
{
	char path[256];
	json_t *body = json_pack("{s[{sssI}] ss ss}", "lines", "sku", sku,
				 "quantity", (json_int_t)quantity, "carrier",
				 "UPS", "tracking_number", "1Z999AA10123456784");
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", ful_id);
	r = http_json("POST", path, acme(), body, NULL);
	json_decref(body);
	return r;
}

/* ---- counts ------------------------------------------------------------- */

API_TEST(count_sets_on_hand_and_safety_stock)
{
	struct resp *r;
	json_t *st;

	make_sku(acme(), "STK-CNT", "Count widget", PRICE, 1);
	make_location_serving(acme(), "ST-CNT", 5, NULL);

	r = put_stock("ST-CNT", "STK-CNT",
		      "{\"on_hand\": 20, \"safety_stock\": 3}");
	assert_status(r, 200);
	assert_level(r->json, "ST-CNT", "STK-CNT", 20, 0, 3, 17);
	resp_free(r);

	/* safety_stock is kept when absent. */
	r = put_stock("ST-CNT", "STK-CNT", "{\"on_hand\": 25}");
	assert_status(r, 200);
	assert_level(r->json, "ST-CNT", "STK-CNT", 25, 0, 3, 22);
	resp_free(r);

	/* Safety stock above on_hand: available is 0, never negative. */
	r = put_stock("ST-CNT", "STK-CNT",
		      "{\"on_hand\": 2, \"safety_stock\": 5}");
	assert_status(r, 200);
	assert_level(r->json, "ST-CNT", "STK-CNT", 2, 0, 5, 0);
	resp_free(r);

	/* Bad values name their field; nothing changes. */
	r = put_stock("ST-CNT", "STK-CNT", "{\"on_hand\": -1}");
	assert_error(r, 400, "invalid_request", "on_hand");
	resp_free(r);
	r = put_stock("ST-CNT", "STK-CNT", "{\"on_hand\": 1.5}");
	assert_error(r, 400, "invalid_request", "on_hand");
	resp_free(r);
	r = put_stock("ST-CNT", "STK-CNT", "{\"on_hand\": \"3\"}");
	assert_error(r, 400, "invalid_request", "on_hand");
	resp_free(r);
	r = put_stock("ST-CNT", "STK-CNT", "{\"safety_stock\": 1}");
	assert_error(r, 400, "invalid_request", "on_hand");
	resp_free(r);
	r = put_stock("ST-CNT", "STK-CNT",
		      "{\"on_hand\": 3, \"safety_stock\": -1}");
	assert_error(r, 400, "invalid_request", "safety_stock");
	resp_free(r);
	r = put_stock("ST-CNT", "STK-CNT",
		      "{\"on_hand\": 3, \"safety_stock\": \"x\"}");
	assert_error(r, 400, "invalid_request", "safety_stock");
	resp_free(r);

	r = put_stock("NO-SUCH-LOC", "STK-CNT", "{\"on_hand\": 3}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = put_stock("ST-CNT", "NO-SUCH-SKU", "{\"on_hand\": 3}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	st = stock_get(acme(), "STK-CNT");
	assert_level(stock_at(st, "ST-CNT"), "ST-CNT", NULL, 2, 0, 5, 0);
	json_decref(st);
}

/* A location code or SKU in the path longer than any can be, beginning
 * with the longest real one, names nothing: 404 naming it, never the real
 * one cut short, whose stock stays as it was. */
API_TEST(an_overlong_location_or_sku_is_404_not_the_one_it_begins_with)
{
	/* 32 and 64 characters: the longest a code and a SKU can be. */
	static const char loc[] = "ST-LONG-0123456789ABCDEFGHIJKLMN";
	static const char sku[] = "STK-LONG-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrs";
	char longer_loc[64], longer_sku[96];
	struct resp *r;
	json_t *st;

	assert_int_equal(strlen(loc), 32);
	assert_int_equal(strlen(sku), 64);
	snprintf(longer_loc, sizeof(longer_loc), "%sX", loc);
	snprintf(longer_sku, sizeof(longer_sku), "%sX", sku);
	make_sku(acme(), sku, "Longest widget", PRICE, 1);
	make_location_serving(acme(), loc, 5, NULL);
	r = put_stock(loc, sku, "{\"on_hand\": 10}");
	assert_status(r, 200);
	resp_free(r);

	r = put_stock(longer_loc, sku, "{\"on_hand\": 3}");
	assert_error(r, 404, "not_found", "location");
	resp_free(r);
	r = put_stock(loc, longer_sku, "{\"on_hand\": 3}");
	assert_error(r, 404, "not_found", "sku");
	resp_free(r);
	r = adjust(longer_loc, sku, "{\"delta\": -1, \"reason\": \"damage\"}");
	assert_error(r, 404, "not_found", "location");
	resp_free(r);
	r = adjust(loc, longer_sku, "{\"delta\": -1, \"reason\": \"damage\"}");
	assert_error(r, 404, "not_found", "sku");
	resp_free(r);

	st = stock_get(acme(), sku);
	assert_level(stock_at(st, loc), loc, NULL, 10, 0, 0, 10);
	json_decref(st);
}

/* ---- adjustments ------------------------------------------------------------- */

API_TEST(adjustments_record_receipts_damage_and_corrections)
{
	static const struct {
		const char *body;
		long on_hand;
	} ok[] = {
		{ "{\"delta\": 5, \"reason\": \"receipt\"}", 15 },
		{ "{\"delta\": -3, \"reason\": \"damage\", \"note\": \"crushed "
		  "pallet\"}", 12 },
		{ "{\"delta\": -2, \"reason\": \"correction\"}", 10 },
		{ "{\"delta\": 1, \"reason\": \"return\"}", 11 },
		{ "{\"delta\": 1, \"reason\": \"other\", \"note\": \"found "
		  "behind a rack\"}", 12 },
	};
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
		{ "{\"delta\": 5, \"reason\": \"theft\"}", "reason" },
		{ "{\"delta\": 5}", "reason" },
		{ "{\"delta\": 5, \"reason\": 7}", "reason" },
		{ "{\"delta\": 0, \"reason\": \"receipt\"}", "delta" },
		{ "{\"delta\": 1.5, \"reason\": \"receipt\"}", "delta" },
		{ "{\"delta\": \"5\", \"reason\": \"receipt\"}", "delta" },
		{ "{\"reason\": \"receipt\"}", "delta" },
	};
	struct resp *r;
	json_t *st;

	make_sku(acme(), "STK-ADJ", "Adjusted widget", PRICE, 1);
	make_location_serving(acme(), "ST-ADJ", 5, NULL);
	set_stock(acme(), "ST-ADJ", "STK-ADJ", 10);

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		r = adjust("ST-ADJ", "STK-ADJ", ok[i].body);
		assert_status(r, 200);
		assert_level(r->json, "ST-ADJ", "STK-ADJ", ok[i].on_hand, 0, 0,
			     ok[i].on_hand);
		resp_free(r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = adjust("ST-ADJ", "STK-ADJ", bad[i].body);
		if (r->status != 400)
			print_error("body: %s\n", bad[i].body);
		assert_error(r, 400, "invalid_request", bad[i].field);
		resp_free(r);
	}

	/* Below zero: 409 naming delta, nothing changes. */
	r = adjust("ST-ADJ", "STK-ADJ", "{\"delta\": -13, \"reason\": \"damage\"}");
	assert_error(r, 409, NULL, "delta");
	resp_free(r);
	st = stock_get(acme(), "STK-ADJ");
	assert_level(stock_at(st, "ST-ADJ"), "ST-ADJ", NULL, 12, 0, 0, 12);
	json_decref(st);

	/* Down to exactly zero is fine. */
	r = adjust("ST-ADJ", "STK-ADJ",
		   "{\"delta\": -12, \"reason\": \"correction\"}");
	assert_status(r, 200);
	assert_level(r->json, "ST-ADJ", "STK-ADJ", 0, 0, 0, 0);
	resp_free(r);

	r = adjust("NO-SUCH-LOC", "STK-ADJ",
		   "{\"delta\": 1, \"reason\": \"receipt\"}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = adjust("ST-ADJ", "NO-SUCH-SKU",
		   "{\"delta\": 1, \"reason\": \"receipt\"}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

API_TEST(stock_counted_below_reserved_takes_released_units_back)
{
	json_t *o;
	struct resp *r;
	char id[96];
	long res;

	make_sku(acme(), "STK-RSV", "Reserved widget", PRICE, 1);
	make_location_serving(acme(), "ST-RSV", 5, NULL);
	set_stock(acme(), "ST-RSV", "STK-RSV", 10);
	o = order_units_of("STK-RSV-1", "STK-RSV", 4);
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	res = wait_reserved("STK-RSV", "ST-RSV", 4);
	check(res == 4, "an order for 4 units must reserve 4, reserved %ld",
	      res);

	/* 10 - 7 = 3 < 4 reserved: the damage is recorded, and with no
	 * pending reservation left the released fulfillment gives 1 unit
	 * back (the last resort); it ships 3, the 4th is open again. */
	r = adjust("ST-RSV", "STK-RSV", "{\"delta\": -7, \"reason\": \"damage\"}");
	assert_status(r, 200);
	assert_level(r->json, "ST-RSV", "STK-RSV", 3, 3, 0, 0);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(order_units(o, "released", "STK-RSV") == 3 &&
		      order_units(o, "open", "STK-RSV") == 1 &&
		      ival(json_array_get(json_object_get(
						  json_array_get(json_object_get(
									 o, "fulfillments"),
							 0),
						  "lines"),
					  0),
			   "quantity") == 3 &&
		      streq(jstr(o, "fulfillments[0].state"), "released"),
	      "order %s must have 3 released (its fulfillment 3) and 1 open",
	      id);
	json_decref(o);

	/* Below zero is still refused. */
	r = adjust("ST-RSV", "STK-RSV", "{\"delta\": -4, \"reason\": \"damage\"}");
	assert_error(r, 409, NULL, "delta");
	resp_free(r);

	/* A count of 1: 2 more come back. */
	r = put_stock("ST-RSV", "STK-RSV", "{\"on_hand\": 1}");
	assert_status(r, 200);
	assert_level(r->json, "ST-RSV", "STK-RSV", 1, 1, 0, 0);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(order_units(o, "released", "STK-RSV") == 1 &&
		      order_units(o, "open", "STK-RSV") == 3,
	      "order %s must have 1 released and 3 open", id);
	json_decref(o);

	/* Safety stock above what is free: available stays 0. */
	r = put_stock("ST-RSV", "STK-RSV",
		      "{\"on_hand\": 5, \"safety_stock\": 4}");
	assert_status(r, 200);
	assert_level(r->json, "ST-RSV", "STK-RSV", 5, 1, 4, 0);
	resp_free(r);
}

/* A count that leaves nothing of a fulfillment the warehouse already has
 * cancels it, and its location's handoff is told (fulfillment.cancelled). */
API_TEST(a_count_that_empties_a_released_fulfillment_tells_the_warehouse)
{
	struct resp *r;
	json_t *o, *d;
	char id[96], hook[64];
	size_t i;
	int told = 0;

	make_sku(acme(), "STK-CAN", "Cancelled widget", PRICE, 1);
	make_location_serving(acme(), "ST-CAN", 5, NULL);
	set_stock(acme(), "ST-CAN", "STK-CAN", 2);
	{
		static const char body[] =
			"{\"url\": \"http://127.0.0.1:9/handoff\", "
			"\"events\": [\"fulfillment.cancelled\"], "
			"\"location\": \"ST-CAN\"}";

		r = http("POST", "/v1/webhooks", acme(), body,
			 sizeof(body) - 1, NULL);
	}
	assert_status(r, 201);
	snprintf(hook, sizeof(hook), "%s", jstr(r->json, "id"));
	resp_free(r);
	o = order_units_of("STK-CAN-1", "STK-CAN", 2);
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);

	r = put_stock("ST-CAN", "STK-CAN", "{\"on_hand\": 0}");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "fulfillments[0].state"), "cancelled") &&
		      order_units(o, "open", "STK-CAN") == 2,
	      "order %s: its fulfillment cancelled, both units open", id);
	json_decref(o);
	r = http_get(acme(), "/v1/webhooks/deliveries");
	assert_status(r, 200);
	json_array_foreach(json_object_get(r->json, "deliveries"), i, d)
		if (streq(jstr(d, "webhook_id"), hook) &&
		    streq(jstr(d, "event_type"), "fulfillment.cancelled") &&
		    streq(jstr(d, "order_id"), id))
			told = 1;
	resp_free(r);
	check(told, "the handoff of ST-CAN must be told: fulfillment.cancelled");
	{
		char path[128];

		snprintf(path, sizeof(path), "/v1/webhooks/%s", hook);
		r = http("DELETE", path, acme(), NULL, 0, NULL);
		assert_status(r, 204);
		resp_free(r);
	}
}

/* ---- levels ----------------------------------------------------------------- */

/* Every entry's available is max(0, on_hand - reserved - safety_stock). */
static void check_entries(const json_t *st)
{
	json_t *l;
	size_t i;

	json_array_foreach(json_object_get(st, "locations"), i, l) {
		long want = ival(l, "on_hand") - ival(l, "reserved") -
			    ival(l, "safety_stock");

		if (want < 0)
			want = 0;
		check(ival(l, "available") == want && ival(l, "on_hand") >= 0 &&
			      ival(l, "reserved") >= 0 &&
			      ival(l, "reserved") <= ival(l, "on_hand"),
		      "locations[%zu]: available must be max(0, on_hand - "
		      "reserved - safety_stock): %s",
		      i, jstr(l, "location"));
	}
}

API_TEST(stock_answers_per_location_and_in_total)
{
	json_t *st, *tot, *o;
	struct resp *r;
	long avail;

	make_sku(acme(), "STK-TOT", "Totalled widget", PRICE, 1);
	make_location_serving(acme(), "ST-TOT-A", 1, NULL);
	make_location_serving(acme(), "ST-TOT-B", 2, NULL);
	make_location_serving(acme(), "ST-TOT-C", 3, NULL);
	r = put_stock("ST-TOT-A", "STK-TOT",
		      "{\"on_hand\": 10, \"safety_stock\": 2}");
	assert_status(r, 200);
	resp_free(r);
	set_stock(acme(), "ST-TOT-B", "STK-TOT", 7);

	/* 3 units: shipped complete from A (priority 1, 8 available). */
	o = order_units_of("STK-TOT-1", "STK-TOT", 3);
	json_decref(o);
	check(wait_reserved("STK-TOT", "ST-TOT-A", 3) == 3,
	      "3 units must be reserved at ST-TOT-A");

	st = stock_get(acme(), "STK-TOT");
	check(streq(jstr(st, "sku"), "STK-TOT"), "sku missing");
	check_entries(st);
	assert_level(stock_at(st, "ST-TOT-A"), "ST-TOT-A", NULL, 10, 3, 2, 5);
	assert_level(stock_at(st, "ST-TOT-B"), "ST-TOT-B", NULL, 7, 0, 0, 7);
	assert_level(json_object_get(st, "total"), NULL, NULL, 17, 3, 2, 12);
	json_decref(st);

	/* C: safety stock above on_hand. Its available is 0, not -3. */
	r = put_stock("ST-TOT-C", "STK-TOT",
		      "{\"on_hand\": 1, \"safety_stock\": 4}");
	assert_status(r, 200);
	resp_free(r);
	st = stock_get(acme(), "STK-TOT");
	check_entries(st);
	assert_level(stock_at(st, "ST-TOT-C"), "ST-TOT-C", NULL, 1, 0, 4, 0);
	tot = json_object_get(st, "total");
	check(ival(tot, "on_hand") == 18 && ival(tot, "reserved") == 3 &&
		      ival(tot, "safety_stock") == 6,
	      "total must add the locations up: on_hand 18 reserved 3 "
	      "safety_stock 6");
	/*
	 * The contract leaves open whether the total's available is the sum
	 * of the locations' (12) or computed from the totals (18-3-6 = 9);
	 * either way it is never negative.
	 */
	avail = ival(tot, "available");
	check(avail == 12 || avail == 9,
	      "total.available %ld: expected 12 (sum) or 9 (from totals)",
	      avail);
	json_decref(st);

	r = http_get(acme(), "/v1/stock?sku=NO-SUCH-SKU");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	/* Another tenant does not see this SKU. */
	r = http_get(srv->key_globex, "/v1/stock?sku=STK-TOT");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

/* ---- events ----------------------------------------------------------------- */

/* All events of a query, oldest first (the list is newest first). */
static json_t *events_of(const char *query)
{
	char path[256];
	json_t *all, *sorted;
	size_t n;

	snprintf(path, sizeof(path), "/v1/stock/events?%s", query);
	all = list_all(acme(), path, "events", 100);
	n = json_array_size(all);
	sorted = json_array();
	for (size_t i = n; i > 0; i--)
		json_array_append(sorted, json_array_get(all, i - 1));
	json_decref(all);
	return sorted;
}

struct want_event {
	const char *type;
	long d_on_hand, d_reserved, on_hand, reserved;
	const char *reason;	/* NULL: any non-empty string */
	int by_key;		/* actor is "key:..." */
	const char *order_id;	/* NULL: must be null or absent */
};

static void check_events(const json_t *events, const char *sku,
			 const char *loc, const struct want_event *want,
			 size_t n)
{
	char *text = json_dumps(events, JSON_INDENT(1));
	json_t *e;
	size_t i;

	check(json_array_size(events) == n, "expected %zu events, got %zu:\n%s",
	      n, json_array_size(events), text);
	json_array_foreach(events, i, e) {
		const struct want_event *w = &want[i];
		const char *reason = jstr(e, "reason");
		const char *actor = jstr(e, "actor");
		json_t *oid = json_object_get(e, "order_id");

		check(streq(jstr(e, "type"), w->type) &&
			      streq(jstr(e, "sku"), sku) &&
			      streq(jstr(e, "location"), loc),
		      "events[%zu]: expected a %s event of %s at %s\n%s", i,
		      w->type, sku, loc, text);
		check(ival(e, "delta_on_hand") == w->d_on_hand &&
			      ival(e, "delta_reserved") == w->d_reserved &&
			      ival(e, "on_hand") == w->on_hand &&
			      ival(e, "reserved") == w->reserved,
		      "events[%zu] (%s): expected delta_on_hand %ld "
		      "delta_reserved %ld on_hand %ld reserved %ld\n%s",
		      i, w->type, w->d_on_hand, w->d_reserved, w->on_hand,
		      w->reserved, text);
		check(reason && reason[0] && (!w->reason || streq(reason, w->reason)),
		      "events[%zu] (%s): reason must be %s\n%s", i, w->type,
		      w->reason ? w->reason : "a non-empty string", text);
		check(actor && actor[0] &&
			      (!w->by_key || !strncmp(actor, "key:", 4)),
		      "events[%zu] (%s): actor must be %s\n%s", i, w->type,
		      w->by_key ? "\"key:<name>\"" : "a non-empty string",
		      text);
		if (w->order_id)
			check(streq(json_string_value(oid), w->order_id),
			      "events[%zu] (%s): order_id must be %s\n%s", i,
			      w->type, w->order_id, text);
		else
			check(!oid || json_is_null(oid),
			      "events[%zu] (%s): order_id must be null\n%s", i,
			      w->type, text);
		check(is_rfc3339(jstr(e, "at")), "events[%zu]: bad at\n%s", i,
		      text);
	}
	free(text);
}

API_TEST(every_stock_change_is_an_event)
{
	json_t *o, *ful, *events;
	struct resp *r;
	char *oid;

	make_sku(acme(), "STK-EVT", "Evented widget", PRICE, 1);
	make_location_serving(acme(), "ST-EVT", 5, NULL);
	set_stock(acme(), "ST-EVT", "STK-EVT", 10);
	r = adjust("ST-EVT", "STK-EVT",
		   "{\"delta\": 5, \"reason\": \"receipt\", \"note\": \"PO 4471\"}");
	assert_status(r, 200);
	resp_free(r);

	o = order_units_of("STK-EVT-1", "STK-EVT", 3);
	oid = strdup(jstr(o, "id"));
	ful = order_fulfillment(o, "ST-EVT", NULL);
	check(ful && jstr(ful, "id"), "no fulfillment at ST-EVT");
	r = ship(jstr(ful, "id"), "STK-EVT", 2);
	assert_status(r, 201);
	resp_free(r);
	json_decref(o);

	{
		const struct want_event want[] = {
			{ "count", 10, 0, 10, 0, NULL, 1, NULL },
			{ "adjustment", 5, 0, 15, 0, "receipt", 1, NULL },
			{ "reserve", 0, 3, 15, 3, NULL, 0, oid },
			{ "ship", -2, -2, 13, 1, NULL, 0, oid },
		};

		events = events_of("sku=STK-EVT");
		check_events(events, "STK-EVT", "ST-EVT", want, 4);
		json_decref(events);
		events = events_of("sku=STK-EVT&location=ST-EVT");
		check_events(events, "STK-EVT", "ST-EVT", want, 4);
		json_decref(events);
	}
	events = events_of("sku=STK-EVT&location=WH-EAST");
	check(json_array_size(events) == 0,
	      "the location filter must leave out other locations");
	json_decref(events);
	free(oid);
}

API_TEST(a_rejection_unreserves_as_an_event)
{
	json_t *o, *ful, *events;
	struct resp *r;
	char path[256];
	char *oid;

	make_sku(acme(), "STK-UNR", "Unreserved widget", PRICE, 1);
	make_location_serving(acme(), "ST-UNR", 5, NULL);
	set_stock(acme(), "ST-UNR", "STK-UNR", 6);
	o = order_units_of("STK-UNR-1", "STK-UNR", 2);
	oid = strdup(jstr(o, "id"));
	ful = order_fulfillment(o, "ST-UNR", NULL);
	check(ful && jstr(ful, "id"), "no fulfillment at ST-UNR");
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/reject",
		 jstr(ful, "id"));
	r = http("POST", path, acme(),
		 "{\"reason\": \"other\", \"message\": \"forklift down\"}",
		 strlen("{\"reason\": \"other\", \"message\": \"forklift down\"}"),
		 NULL);
	assert_status(r, 200);
	resp_free(r);
	json_decref(o);

	{
		const struct want_event want[] = {
			{ "count", 6, 0, 6, 0, NULL, 1, NULL },
			{ "reserve", 0, 2, 6, 2, NULL, 0, oid },
			{ "unreserve", 0, -2, 6, 0, NULL, 0, oid },
		};

		events = events_of("sku=STK-UNR");
		check_events(events, "STK-UNR", "ST-UNR", want, 3);
		json_decref(events);
	}
	free(oid);
}

API_TEST(stock_events_page_with_a_cursor)
{
	json_t *all, *e;
	struct resp *r;
	size_t i;

	make_sku(acme(), "STK-PAGE", "Paged widget", PRICE, 1);
	make_location_serving(acme(), "ST-PAGE", 5, NULL);
	set_stock(acme(), "ST-PAGE", "STK-PAGE", 100);
	for (int k = 0; k < 24; k++)
		stock_adjust(acme(), "ST-PAGE", "STK-PAGE", 1, "receipt");

	r = http_get(acme(), "/v1/stock/events?sku=STK-PAGE&limit=7");
	assert_status(r, 200);
	check(json_array_size(json_object_get(r->json, "events")) == 7 &&
		      json_is_string(json_object_get(r->json, "next_cursor")),
	      "a first page of 7 with a next_cursor expected: %s", r->body);
	resp_free(r);

	/* Pages keep the list's order, newest first, with no repeats and
	 * nothing left out: each event added one unit. No event shows the
	 * store's own number, which every tenant's events share. */
	all = list_all(acme(), "/v1/stock/events?sku=STK-PAGE", "events", 7);
	check(json_array_size(all) == 25, "25 events expected, got %zu",
	      json_array_size(all));
	json_array_foreach(all, i, e) {
		check(ival(e, "on_hand") == 124 - (long)i,
		      "events[%zu]: on_hand %ld, expected %ld across pages",
		      i, ival(e, "on_hand"), 124 - (long)i);
		check(!json_object_get(e, "seq"), "an event shows its seq");
	}
	json_decref(all);

	/* Another tenant sees none of them. */
	r = http_get(srv->key_globex, "/v1/stock/events?sku=STK-PAGE");
	check(r->status == 404 ||
		      (r->status == 200 &&
		       json_array_size(jget(r->json, "events")) == 0),
	      "another tenant's stock events leaked: HTTP %ld %s", r->status,
	      r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(count_sets_on_hand_and_safety_stock),
		cmocka_unit_test(
			an_overlong_location_or_sku_is_404_not_the_one_it_begins_with),
		cmocka_unit_test(adjustments_record_receipts_damage_and_corrections),
		cmocka_unit_test(stock_counted_below_reserved_takes_released_units_back),
		cmocka_unit_test(
			a_count_that_empties_a_released_fulfillment_tells_the_warehouse),
		cmocka_unit_test(stock_answers_per_location_and_in_total),
		cmocka_unit_test(every_stock_change_is_an_event),
		cmocka_unit_test(a_rejection_unreserves_as_an_event),
		cmocka_unit_test(stock_events_page_with_a_cursor),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
