/*
 * test_allocation.c - promising stock and routing an accepted order.
 *
 * Why it is long: settings, routing, backorders, arrivals and release are
 * one flow on one seeded group, and the cases share its stock builders.
 *
 *   settings     GET/PATCH /v1/settings: every key, its bounds, bad values
 *                400 naming the key, unknown keys 400, nothing half-applied.
 *   routing      ship complete from one location when one can (priority,
 *                then code, decides between several that can); otherwise
 *                the fewest locations; only active locations serving the
 *                destination (country or country-region) are ever used.
 *   shortfall    backorder mode: what cannot be promised stays `open` and is
 *                allocated when stock arrives, oldest order first; hold
 *                mode: an insufficient_stock hold on lines[i].quantity,
 *                resolved by the system when stock arrives.
 *   release      auto release; release_due_at from the SLA and the cut-off;
 *                released_at recorded; the `fulfillments` shape.
 *   concurrency  64 clients order the last 10 units at the same moment:
 *                exactly 10 promised, reserved never above on_hand, and
 *                available never negative in any answer on the way.
 *
 * Every order read is checked for the line identity
 * quantity = open + allocated + released + shipped + cancelled.
 * Each test stocks its own SKUs at its own locations.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define PRICE "10.00"
#define WAIT_MS 10000

static const char *acme(void)
{
	return srv->key_acme;
}

static long ival(const json_t *j, const char *field)
{
	json_t *v = json_object_get(j, field);

	return json_is_integer(v) ? (long)json_integer_value(v) : -999999;
}

static time_t parse_time(const char *s)
{
	struct tm tm;
	int y, mo, d, h, mi, sec;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi,
			 &sec) != 6)
		return (time_t)-1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	return timegm(&tm);
}

static void dump_order(const char *why, const json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1));

	print_error("%s\norder: %s\n", why, text ? text : "?");
	free(text);
}

/* Units promised to a line or order: allocated + released + shipped. */
static long promised(const json_t *o, const char *sku)
{
	return order_units(o, "allocated", sku) +
	       order_units(o, "released", sku) + order_units(o, "shipped", sku);
}

/*
 * The fulfillments of an order have the contract's shape and add up: per
 * sku, the live fulfillments' quantities are what the lines promise.
 */
static void check_fulfillments(const json_t *o)
{
	json_t *fuls = json_object_get(o, "fulfillments");
	json_t *line, *f, *fl;
	size_t i, j, k;

	if (!json_is_array(fuls)) {
		dump_order("order has no fulfillments array", o);
		fail();
	}
	json_array_foreach(fuls, i, f) {
		const char *id = jstr(f, "id");

		if (!id || strncmp(id, "ful_", 4) || !jstr(f, "location") ||
		    !jstr(f, "state") || !is_rfc3339(jstr(f, "created_at")) ||
		    !json_is_array(json_object_get(f, "lines")) ||
		    !json_object_get(f, "released_at")) {
			dump_order("a fulfillment lacks id (ful_...), "
				   "location, state, lines, released_at or "
				   "created_at", o);
			fail();
		}
		json_array_foreach(json_object_get(f, "lines"), j, fl) {
			if (!json_is_integer(json_object_get(fl, "line_no")) ||
			    !jstr(fl, "sku") || ival(fl, "quantity") <= 0 ||
			    ival(fl, "shipped") < 0 ||
			    ival(fl, "shipped") > ival(fl, "quantity")) {
				dump_order("a fulfillment line lacks line_no, "
					   "sku, quantity > 0 or 0 <= shipped "
					   "<= quantity", o);
				fail();
			}
		}
	}
	json_array_foreach(json_object_get(o, "lines"), i, line) {
		long sum = 0;
		long want = ival(line, "allocated") + ival(line, "released") +
			    ival(line, "shipped");

		json_array_foreach(fuls, j, f) {
			const char *st = jstr(f, "state");

			if (streq(st, "rejected") || streq(st, "cancelled"))
				continue;
			json_array_foreach(json_object_get(f, "lines"), k, fl)
				if (ival(fl, "line_no") == ival(line, "line_no"))
					sum += ival(fl, "quantity");
		}
		if (sum != want) {
			dump_order("fulfillment quantities do not add up to "
				   "allocated + released + shipped of a line", o);
			fail_msg("lines[%zu]: fulfillments hold %ld, line %ld",
				 i, sum, want);
		}
	}
}

/* POST an order, assert 201 and the identity; the order as stored. */
static json_t *place(const json_t *order)
{
	struct resp *r = order_post(acme(), order, NULL);
	json_t *o;

	assert_status(r, 201);
	assert_line_identity(r->json);
	o = order_fetch(acme(), jstr(r->json, "id"));
	/* The answer to the POST is the order as stored, whatever
	 * allocation did to it (split, in part, on hold for stock). */
	if (!json_equal(r->json, o)) {
		dump_order("the POST answered", r->json);
		dump_order("GET /v1/orders/{id} answers", o);
		fail();
	}
	resp_free(r);
	if (streq(jstr(o, "state"), "on_hold") && !find_hold(o, "insufficient_stock"))
		dump_order("test order unexpectedly on hold", o);
	return o;
}

static json_t *place_one(const char *ext, const char *sku, long qty)
{
	json_t *order = order_one_line(ext, sku, qty, PRICE);
	json_t *o = place(order);

	json_decref(order);
	return o;
}

/* How many of the order's fulfillments are neither rejected nor cancelled. */
static size_t live_fulfillments(const json_t *o)
{
	json_t *f;
	size_t i, n = 0;

	json_array_foreach(json_object_get(o, "fulfillments"), i, f)
		if (!streq(jstr(f, "state"), "rejected") &&
		    !streq(jstr(f, "state"), "cancelled"))
			n++;
	return n;
}

static long ful_qty(const json_t *f, const char *sku)
{
	json_t *fl;
	size_t i;
	long n = 0;

	json_array_foreach(json_object_get(f, "lines"), i, fl)
		if (streq(jstr(fl, "sku"), sku))
			n += ival(fl, "quantity");
	return n;
}

static void stock_put_body(const char *loc, const char *sku, const char *body)
{
	char path[256];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/locations/%s/stock/%s", loc, sku);
	r = http("PUT", path, acme(), body, strlen(body), NULL);
	assert_status(r, 200);
	resp_free(r);
}

/* ---- settings ----------------------------------------------------------- */

static const char settings_defaults[] =
	"{\"duplicate_window_s\": 86400, \"backorder_mode\": \"backorder\", "
	"\"release_mode\": \"auto\", \"release_sla_s\": 14400, "
	"\"cutoff_utc\": null, \"closing_period_s\": 1209600, "
	"\"webhook_retry_window_s\": 259200, \"low_stock_threshold\": 5, "
	"\"bulk_limit\": 100, \"change_window_s\": 14400}";

/* The settings without the per-hold-type part (test_queue.c covers it). */
static int settings_equal(const json_t *got, const json_t *want)
{
	json_t *c = json_deep_copy(got);
	int eq;

	json_object_del(c, "holds");
	eq = json_equal(c, want);
	json_decref(c);
	return eq;
}

static struct resp *patch(const char *body)
{
	return http("PATCH", "/v1/settings", acme(), body, strlen(body), NULL);
}

API_TEST(settings_have_the_contract_defaults)
{
	struct resp *r = http_get(srv->key_globex, "/v1/settings");
	json_t *want = jparse(settings_defaults);

	assert_status(r, 200);
	check(settings_equal(r->json, want), "settings differ from the defaults:\n%s",
	      r->body);
	resp_free(r);
	r = http("GET", "/v1/settings", NULL, NULL, 0, NULL);
	assert_error(r, 401, "unauthorized", NULL);
	resp_free(r);
	json_decref(want);
}

API_TEST(settings_patch_every_key)
{
	static const char *const good[] = {
		"{\"duplicate_window_s\": 3600}",
		"{\"duplicate_window_s\": 0}",
		"{\"duplicate_window_s\": 2592000}",
		"{\"backorder_mode\": \"hold\"}",
		"{\"backorder_mode\": \"backorder\"}",
		"{\"release_mode\": \"wave\"}",
		"{\"release_mode\": \"auto\"}",
		"{\"release_sla_s\": 0}",
		"{\"release_sla_s\": 604800}",
		"{\"release_sla_s\": 600}",
		"{\"cutoff_utc\": \"00:00\"}",
		"{\"cutoff_utc\": \"23:59\"}",
		"{\"cutoff_utc\": \"14:30\"}",
		"{\"cutoff_utc\": null}",
		"{\"closing_period_s\": 0}",
		"{\"closing_period_s\": 31536000}",
		"{\"closing_period_s\": 60}",
		"{\"webhook_retry_window_s\": 1}",
		"{\"webhook_retry_window_s\": 2592000}",
		"{\"webhook_retry_window_s\": 3600}",
		"{\"low_stock_threshold\": 0}",
		"{\"low_stock_threshold\": 1000000}",
		"{\"low_stock_threshold\": 2}",
		"{\"change_window_s\": 60}",
		"{\"change_window_s\": 604800}",
		"{\"change_window_s\": 3600}",
		"{\"release_sla_s\": 900, \"cutoff_utc\": \"16:00\", "
		"\"backorder_mode\": \"hold\"}",
	};
	json_t *now = jparse(settings_defaults);

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		json_t *p = jparse(good[i]);
		struct resp *r = patch(good[i]);

		assert_status(r, 200);
		json_object_update(now, p);
		check(settings_equal(r->json, now),
		      "PATCH %s must answer the whole settings object\n"
		      "expected: %s\ngot: %s",
		      good[i], json_dumps(now, JSON_COMPACT | JSON_SORT_KEYS),
		      r->body);
		resp_free(r);
		r = http_get(acme(), "/v1/settings");
		assert_status(r, 200);
		check(settings_equal(r->json, now), "GET after PATCH %s: %s",
		      good[i], r->body);
		resp_free(r);
		json_decref(p);
	}
	json_decref(now);
}

API_TEST(settings_bad_values_are_400_naming_the_key)
{
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
		{ "{\"duplicate_window_s\": -1}", "duplicate_window_s" },
		{ "{\"duplicate_window_s\": 2592001}", "duplicate_window_s" },
		{ "{\"duplicate_window_s\": \"60\"}", "duplicate_window_s" },
		{ "{\"duplicate_window_s\": 1.5}", "duplicate_window_s" },
		{ "{\"duplicate_window_s\": null}", "duplicate_window_s" },
		{ "{\"backorder_mode\": \"queue\"}", "backorder_mode" },
		{ "{\"backorder_mode\": 1}", "backorder_mode" },
		{ "{\"backorder_mode\": null}", "backorder_mode" },
		{ "{\"release_mode\": \"manual\"}", "release_mode" },
		{ "{\"release_mode\": true}", "release_mode" },
		{ "{\"release_mode\": null}", "release_mode" },
		{ "{\"release_sla_s\": null}", "release_sla_s" },
		{ "{\"closing_period_s\": null}", "closing_period_s" },
		{ "{\"webhook_retry_window_s\": null}", "webhook_retry_window_s" },
		{ "{\"low_stock_threshold\": null}", "low_stock_threshold" },
		{ "{\"release_sla_s\": -1}", "release_sla_s" },
		{ "{\"release_sla_s\": 604801}", "release_sla_s" },
		{ "{\"cutoff_utc\": \"24:00\"}", "cutoff_utc" },
		{ "{\"cutoff_utc\": \"12:60\"}", "cutoff_utc" },
		{ "{\"cutoff_utc\": \"noon\"}", "cutoff_utc" },
		{ "{\"cutoff_utc\": \"12:30:00\"}", "cutoff_utc" },
		{ "{\"cutoff_utc\": 1230}", "cutoff_utc" },
		{ "{\"cutoff_utc\": \"\"}", "cutoff_utc" },
		{ "{\"closing_period_s\": -1}", "closing_period_s" },
		{ "{\"closing_period_s\": 31536001}", "closing_period_s" },
		{ "{\"webhook_retry_window_s\": 0}", "webhook_retry_window_s" },
		{ "{\"webhook_retry_window_s\": 2592001}",
		  "webhook_retry_window_s" },
		{ "{\"low_stock_threshold\": -1}", "low_stock_threshold" },
		{ "{\"low_stock_threshold\": 1000001}", "low_stock_threshold" },
		{ "{\"change_window_s\": 59}", "change_window_s" },
		{ "{\"change_window_s\": 604801}", "change_window_s" },
		{ "{\"change_window_s\": null}", "change_window_s" },
		{ "{\"colour\": \"blue\"}", "colour" },
		{ "{\"release_sla_s\": 900, \"bogus_key\": 1}", "bogus_key" },
	};
	struct resp *r;
	json_t *want = jparse(settings_defaults);
	size_t failures = 0;

	/* Nothing of a refused PATCH is applied. */
	r = patch("{\"release_sla_s\": 900, \"backorder_mode\": \"hold\", "
		  "\"low_stock_threshold\": -1}");
	assert_error(r, 400, "invalid_request", "low_stock_threshold");
	resp_free(r);
	r = http_get(acme(), "/v1/settings");
	assert_status(r, 200);
	check(settings_equal(r->json, want),
	      "a refused PATCH changed the settings: %s", r->body);
	resp_free(r);

	/* Every case is tried; all that fail are listed. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *code;

		r = patch(bad[i].body);
		code = jstr(r->json, "error.code");
		if (r->status != 400 || !streq(code, "invalid_request") ||
		    error_details_naming(r, bad[i].field) == 0) {
			print_error("PATCH /v1/settings %s\n  -> HTTP %ld %s\n"
				    "  expected 400 invalid_request naming %s\n",
				    bad[i].body, r->status, r->body,
				    bad[i].field);
			failures++;
		}
		resp_free(r);
		/* Undo whatever a wrongly accepted PATCH did. */
		r = patch(settings_defaults);
		resp_free(r);
	}
	check(failures == 0, "%zu bad settings were not refused as expected",
	      failures);
	r = patch("[1, 2]");
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);
	r = patch("{\"release_sla_s\": ");
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);
	json_decref(want);
}

/* ---- routing ----------------------------------------------------------------- */

API_TEST(ship_complete_from_one_location_beats_priority)
{
	json_t *order, *o, *f;
	struct resp *r;

	make_sku(acme(), "AL-A", "Routing A", PRICE, 1);
	make_sku(acme(), "AL-B", "Routing B", PRICE, 1);
	make_location_serving(acme(), "AL-L1", 1, NULL);
	make_location_serving(acme(), "AL-L2", 2, NULL);
	set_stock(acme(), "AL-L1", "AL-A", 10);
	set_stock(acme(), "AL-L2", "AL-A", 10);
	set_stock(acme(), "AL-L2", "AL-B", 10);

	order = order_one_line("AL-COMPLETE-1", "AL-A", 2, PRICE);
	order_add_line(order, "AL-B", 1, PRICE);
	o = place(order);
	check_fulfillments(o);
	f = order_fulfillment(o, "AL-L2", NULL);
	if (live_fulfillments(o) != 1 || !f || ful_qty(f, "AL-A") != 2 ||
	    ful_qty(f, "AL-B") != 1) {
		dump_order("expected one fulfillment at AL-L2 (the only "
			   "location with both SKUs) with 2 x AL-A, 1 x AL-B", o);
		fail();
	}
	check(streq(jstr(o, "state"), "released") &&
		      streq(jstr(f, "state"), "released"),
	      "auto release: order and fulfillment must be released, are %s "
	      "and %s", jstr(o, "state"), jstr(f, "state"));
	check(order_units(o, "released", NULL) == 3 &&
		      order_units(o, "open", NULL) == 0,
	      "all 3 units must be released");
	check(stock_figure(acme(), "AL-A", "AL-L1", "reserved") == 0 &&
		      stock_figure(acme(), "AL-A", "AL-L2", "reserved") == 2 &&
		      stock_figure(acme(), "AL-B", "AL-L2", "reserved") == 1,
	      "reservations must be at AL-L2 only");

	/* GET /v1/fulfillments/{id}: the same, with order_id. */
	r = http_get(acme(), "/v1/fulfillments/%s", jstr(f, "id"));
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), jstr(f, "id")) &&
		      streq(jstr(r->json, "order_id"), jstr(o, "id")) &&
		      streq(jstr(r->json, "location"), "AL-L2") &&
		      json_equal(json_object_get(r->json, "lines"),
				 json_object_get(f, "lines")),
	      "GET fulfillment differs from the order's: %s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/fulfillments/ful_doesnotexist");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	json_decref(o);
	json_decref(order);
}

API_TEST(priority_then_code_decides_between_complete_locations)
{
	json_t *o;
	char body[256];
	struct resp *r;

	make_sku(acme(), "AL-P", "Priority widget", PRICE, 1);
	make_location_serving(acme(), "AL-P-SLOW", 2, NULL);
	make_location_serving(acme(), "AL-P-FAST", 1, NULL);
	/* Priority 0 would win, but it is inactive. */
	snprintf(body, sizeof(body),
		 "{\"code\": \"AL-P-OFF\", \"name\": \"Closed\", \"country\": "
		 "\"US\", \"region\": \"OH\", \"priority\": 0, \"active\": "
		 "false}");
	r = http("POST", "/v1/locations", acme(), body, strlen(body), NULL);
	check(r->status == 201 || r->status == 200, "inactive location: %s",
	      r->body);
	resp_free(r);
	set_stock(acme(), "AL-P-SLOW", "AL-P", 10);
	set_stock(acme(), "AL-P-FAST", "AL-P", 10);
	set_stock(acme(), "AL-P-OFF", "AL-P", 10);

	o = place_one("AL-PRIO-1", "AL-P", 4);
	check_fulfillments(o);
	if (live_fulfillments(o) != 1 || !order_fulfillment(o, "AL-P-FAST", NULL)) {
		dump_order("expected one fulfillment at AL-P-FAST (priority 1; "
			   "AL-P-OFF is inactive)", o);
		fail();
	}
	json_decref(o);

	/* Equal priority: the lower code. */
	make_sku(acme(), "AL-PT", "Tie widget", PRICE, 1);
	make_location_serving(acme(), "AL-PT-B", 1, NULL);
	make_location_serving(acme(), "AL-PT-A", 1, NULL);
	set_stock(acme(), "AL-PT-B", "AL-PT", 10);
	set_stock(acme(), "AL-PT-A", "AL-PT", 10);
	o = place_one("AL-PRIO-2", "AL-PT", 1);
	if (live_fulfillments(o) != 1 || !order_fulfillment(o, "AL-PT-A", NULL)) {
		dump_order("equal priority: expected AL-PT-A (lower code)", o);
		fail();
	}
	json_decref(o);
}

/*
 * Two lines of one SKU at one location: the second line's reservation
 * counts the first's (reserving takes the stock row as the first left it,
 * not as it was before the order), and every stock event says so.
 */
API_TEST(two_lines_of_one_sku_reserve_both)
{
	json_t *order, *o, *st, *e;
	struct resp *r;
	long sum = 0, last = -1;
	size_t i;

	make_sku(acme(), "AL-TWICE", "Twice", PRICE, 1);
	make_location_serving(acme(), "AL-TW", 5, NULL);
	set_stock(acme(), "AL-TW", "AL-TWICE", 5);
	order = order_one_line("AL-TWICE-1", "AL-TWICE", 2, PRICE);
	order_add_line(order, "AL-TWICE", 3, PRICE);
	o = place(order);
	check(order_units(o, "released", NULL) == 5 &&
		      order_units(o, "open", NULL) == 0,
	      "both lines (5 units) must be released");
	check(stock_figure(acme(), "AL-TWICE", "AL-TW", "reserved") == 5,
	      "5 of 5 reserved, not the last line's alone");
	r = http_get(acme(), "/v1/stock/events?sku=AL-TWICE");
	assert_status(r, 200);
	st = json_object_get(r->json, "events");
	json_array_foreach(st, i, e) {
		if (!streq(jstr(e, "type"), "reserve"))
			continue;
		sum += ival(e, "delta_reserved");
		if (ival(e, "reserved") > last)
			last = ival(e, "reserved");
	}
	check(sum == 5 && last == 5,
	      "reserve events must add up to 5 and end at 5: %s", r->body);
	resp_free(r);
	json_decref(o);
	json_decref(order);
}

API_TEST(split_across_the_fewest_locations)
{
	json_t *order, *o, *f1, *f2;
	long q1, q2;

	make_sku(acme(), "AL-S1", "Split 1", PRICE, 1);
	make_sku(acme(), "AL-S2", "Split 2", PRICE, 1);
	make_sku(acme(), "AL-S3", "Split 3", PRICE, 1);
	/*
	 * No location has all three. By priority alone, SZ (S1), SW (S2)
	 * and SY (S3) would make three; SX (S1 + S2) and SY make two.
	 */
	make_location_serving(acme(), "AL-SX", 5, NULL);
	make_location_serving(acme(), "AL-SY", 4, NULL);
	make_location_serving(acme(), "AL-SZ", 1, NULL);
	make_location_serving(acme(), "AL-SW", 1, NULL);
	set_stock(acme(), "AL-SX", "AL-S1", 5);
	set_stock(acme(), "AL-SX", "AL-S2", 5);
	set_stock(acme(), "AL-SY", "AL-S3", 5);
	set_stock(acme(), "AL-SZ", "AL-S1", 5);
	set_stock(acme(), "AL-SW", "AL-S2", 5);

	order = order_one_line("AL-SPLIT-1", "AL-S1", 1, PRICE);
	order_add_line(order, "AL-S2", 1, PRICE);
	order_add_line(order, "AL-S3", 1, PRICE);
	o = place(order);
	check_fulfillments(o);
	f1 = order_fulfillment(o, "AL-SX", NULL);
	f2 = order_fulfillment(o, "AL-SY", NULL);
	if (live_fulfillments(o) != 2 || !f1 || !f2 ||
	    ful_qty(f1, "AL-S1") != 1 || ful_qty(f1, "AL-S2") != 1 ||
	    ful_qty(f2, "AL-S3") != 1) {
		dump_order("expected two fulfillments: AL-SX (S1, S2) and "
			   "AL-SY (S3)", o);
		fail();
	}
	check(order_units(o, "open", NULL) == 0, "nothing may stay open");
	json_decref(o);
	json_decref(order);

	/* One line larger than any location: two locations, priority first. */
	make_sku(acme(), "AL-SQ", "Split quantity", PRICE, 1);
	make_location_serving(acme(), "AL-SQ1", 1, NULL);
	make_location_serving(acme(), "AL-SQ2", 2, NULL);
	make_location_serving(acme(), "AL-SQ3", 3, NULL);
	set_stock(acme(), "AL-SQ1", "AL-SQ", 3);
	set_stock(acme(), "AL-SQ2", "AL-SQ", 4);
	set_stock(acme(), "AL-SQ3", "AL-SQ", 2);
	o = place_one("AL-SPLIT-2", "AL-SQ", 6);
	check_fulfillments(o);
	f1 = order_fulfillment(o, "AL-SQ1", NULL);
	q1 = f1 ? ful_qty(f1, "AL-SQ") : 0;
	f2 = order_fulfillment(o, "AL-SQ2", NULL);
	q2 = f2 ? ful_qty(f2, "AL-SQ") : 0;
	if (live_fulfillments(o) != 2 || !f1 || promised(o, NULL) != 6 ||
	    q1 > 3 || q2 > 4) {
		dump_order("6 units over stocks 3/4/2: expected two locations, "
			   "AL-SQ1 (priority 1) among them, 6 promised", o);
		fail();
	}
	json_decref(o);
}

static json_t *order_to(const char *ext, const char *sku, const char *country,
			const char *region, const char *city,
			const char *postal)
{
	json_t *order = order_one_line(ext, sku, 1, PRICE);

	jset(order, "ship_to.country", json_string(country));
	jset(order, "ship_to.city", json_string(city));
	jset(order, "ship_to.postal_code", json_string(postal));
	jset(order, "ship_to.region", region ? json_string(region) : NULL);
	return order;
}

static json_t *place_to(const char *ext, const char *sku, const char *country,
			const char *region, const char *city,
			const char *postal)
{
	json_t *order = order_to(ext, sku, country, region, city, postal);
	json_t *o = place(order);

	json_decref(order);
	if (open_holds(o, NULL)) {
		dump_order("destination test order must be clean", o);
		fail();
	}
	return o;
}

static void expect_only(const json_t *o, const char *loc)
{
	if (live_fulfillments(o) != 1 || !order_fulfillment(o, loc, NULL)) {
		char msg[128];

		snprintf(msg, sizeof(msg), "expected one fulfillment at %s", loc);
		dump_order(msg, o);
		fail();
	}
}

static int has_promised(const json_t *o, const void *n)
{
	return promised(o, NULL) >= *(const long *)n;
}

API_TEST(only_locations_serving_the_destination_are_used)
{
	json_t *o;
	struct resp *r;
	char *ny_id;
	long one = 1;

	make_sku(acme(), "AL-D", "Destination widget", PRICE, 1);
	make_location_serving(acme(), "AL-D-CAL", 1, "[\"US-CA\"]");
	make_location_serving(acme(), "AL-D-US", 2, "[\"US\"]");
	make_location_serving(acme(), "AL-D-CAN", 0, "[\"CA\"]");
	set_stock(acme(), "AL-D-CAL", "AL-D", 10);
	set_stock(acme(), "AL-D-US", "AL-D", 10);
	set_stock(acme(), "AL-D-CAN", "AL-D", 10);

	o = place_to("AL-DEST-NY", "AL-D", "US", "NY", "New York", "10118");
	expect_only(o, "AL-D-US");
	json_decref(o);
	o = place_to("AL-DEST-CA", "AL-D", "US", "CA", "Los Angeles", "90012");
	expect_only(o, "AL-D-CAL");
	json_decref(o);
	o = place_to("AL-DEST-ON", "AL-D", "CA", "ON", "Toronto", "M5V 2T6");
	expect_only(o, "AL-D-CAN");
	json_decref(o);

	/* Nobody with stock serves Germany: backordered, nothing promised. */
	o = place_to("AL-DEST-DE", "AL-D", "DE", NULL, "Berlin", "10115");
	check(promised(o, NULL) == 0 && order_units(o, "open", NULL) == 1 &&
		      live_fulfillments(o) == 0,
	      "no location serving DE has stock: the unit must stay open "
	      "(state %s)", jstr(o, "state"));
	json_decref(o);

	/* AL-D-US runs dry: the NY order may not go to CAL or CAN. */
	set_stock(acme(), "AL-D-US", "AL-D", 1);
	o = place_to("AL-DEST-NY2", "AL-D", "US", "NY", "New York", "10118");
	ny_id = strdup(jget(o, "id") ? jstr(o, "id") : "");
	check(promised(o, NULL) == 0 && order_units(o, "open", NULL) == 1,
	      "AL-D-US is empty; the locations with stock do not serve NY");
	json_decref(o);
	check(stock_figure(acme(), "AL-D", "AL-D-CAL", "reserved") == 1 &&
		      stock_figure(acme(), "AL-D", "AL-D-CAN", "reserved") == 1,
	      "CAL and CAN must hold only their own orders' units");

	/* Stock arriving where NY is not served changes nothing ... */
	stock_adjust(acme(), "AL-D-CAL", "AL-D", 5, "receipt");
	o = order_fetch(acme(), ny_id);
	check(promised(o, NULL) == 0,
	      "a receipt at AL-D-CAL (serves US-CA only) allocated a NY order");
	json_decref(o);
	/* ... where it is served, it is allocated. */
	stock_adjust(acme(), "AL-D-US", "AL-D", 1, "receipt");
	o = order_wait(acme(), ny_id, has_promised, &one, WAIT_MS);
	if (promised(o, NULL) != 1) {
		dump_order("a receipt at AL-D-US must allocate the NY backorder",
			   o);
		fail();
	}
	expect_only(o, "AL-D-US");
	json_decref(o);
	free(ny_id);

	/* serves entries must be countries or country-regions. */
	r = http("POST", "/v1/locations", acme(),
		 "{\"code\": \"AL-D-BAD\", \"name\": \"Bad\", \"country\": "
		 "\"US\", \"serves\": [\"not a country\"]}",
		 strlen("{\"code\": \"AL-D-BAD\", \"name\": \"Bad\", "
			"\"country\": \"US\", \"serves\": [\"not a "
			"country\"]}"),
		 NULL);
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);
}

/* ---- shortfall ------------------------------------------------------------------ */

static int open_is(const json_t *o, const void *want)
{
	return order_units(o, "open", NULL) == *(const long *)want;
}

static void wait_open(const char *id, long want, const char *why)
{
	json_t *o = order_wait(acme(), id, open_is, &want, WAIT_MS);

	if (order_units(o, "open", NULL) != want) {
		dump_order(why, o);
		fail_msg("expected %ld units open", want);
	}
	check_fulfillments(o);
	json_decref(o);
}

API_TEST(backorders_are_allocated_oldest_first_when_stock_arrives)
{
	json_t *o;
	char *id1, *id2, *id3;
	json_t *st;

	make_sku(acme(), "AL-BO", "Backordered widget", PRICE, 1);
	make_location_serving(acme(), "AL-BO", 5, NULL);
	set_stock(acme(), "AL-BO", "AL-BO", 3);

	/* 5 wanted, 3 there: 3 go ahead, 2 stay open. */
	o = place_one("AL-BO-1", "AL-BO", 5);
	check(promised(o, NULL) == 3 && order_units(o, "open", NULL) == 2 &&
		      streq(jstr(o, "state"), "released"),
	      "order 1: 3 released, 2 open, state released (state %s, open "
	      "%ld)", jstr(o, "state"), order_units(o, "open", NULL));
	check(open_holds(o, NULL) == 0, "backorder mode raises no hold");
	check_fulfillments(o);
	id1 = strdup(jstr(o, "id"));
	json_decref(o);

	o = place_one("AL-BO-2", "AL-BO", 2);
	check(promised(o, NULL) == 0 && order_units(o, "open", NULL) == 2 &&
		      streq(jstr(o, "state"), "accepted") &&
		      open_holds(o, NULL) == 0,
	      "order 2: nothing to promise: accepted with 2 open (state %s)",
	      jstr(o, "state"));
	id2 = strdup(jstr(o, "id"));
	json_decref(o);
	o = place_one("AL-BO-3", "AL-BO", 1);
	id3 = strdup(jstr(o, "id"));
	json_decref(o);

	/* 3 arrive: order 1 takes 2, order 2 takes 1, order 3 waits. */
	stock_adjust(acme(), "AL-BO", "AL-BO", 3, "receipt");
	wait_open(id1, 0, "order 1 (oldest) must get 2 of the 3 arrived");
	wait_open(id2, 1, "order 2 must get the third unit");
	wait_open(id3, 1, "order 3 (newest) must still wait");

	/* A count that raises on_hand is stock arriving too. */
	stock_put_body("AL-BO", "AL-BO", "{\"on_hand\": 8}");
	wait_open(id2, 0, "order 2 must be complete after the count");
	wait_open(id3, 0, "order 3 must be complete after the count");
	o = order_fetch(acme(), id2);
	check(streq(jstr(o, "state"), "released"), "order 2 state %s",
	      jstr(o, "state"));
	json_decref(o);

	st = stock_get(acme(), "AL-BO");
	check(ival(stock_at(st, "AL-BO"), "on_hand") == 8 &&
		      ival(stock_at(st, "AL-BO"), "reserved") == 8 &&
		      ival(stock_at(st, "AL-BO"), "available") == 0,
	      "AL-BO: on_hand 8, reserved 8, available 0 expected");
	json_decref(st);
	free(id1);
	free(id2);
	free(id3);
}

static int hold_resolved(const json_t *o, const void *unused)
{
	(void)unused;
	return !streq(jstr(o, "state"), "on_hold") &&
	       order_units(o, "open", NULL) == 0;
}

API_TEST(hold_mode_holds_and_resolves_when_stock_arrives)
{
	json_t *order, *o, *h;
	size_t i;
	char *id;
	int seen = 0;

	settings_patch(acme(), "{\"backorder_mode\": \"hold\"}");
	make_sku(acme(), "AL-HD", "Held widget", PRICE, 1);
	make_sku(acme(), "AL-HD2", "Plentiful widget", PRICE, 1);
	make_location_serving(acme(), "AL-HD", 5, NULL);
	set_stock(acme(), "AL-HD", "AL-HD", 2);
	set_stock(acme(), "AL-HD", "AL-HD2", 10);

	order = order_one_line("AL-HOLD-1", "AL-HD2", 1, PRICE);
	order_add_line(order, "AL-HD", 5, PRICE);
	o = place(order);
	json_decref(order);
	assert_single_hold(o, "insufficient_stock", "lines[1].quantity");
	id = strdup(jstr(o, "id"));
	json_decref(o);
	check(stock_figure(acme(), "AL-HD", "AL-HD", "reserved") <= 2,
	      "reserved above on_hand");

	/* Not enough yet: still held. */
	stock_adjust(acme(), "AL-HD", "AL-HD", 1, "receipt");
	o = order_fetch(acme(), id);
	assert_single_hold(o, "insufficient_stock", "lines[1].quantity");
	json_decref(o);

	/* Enough: the system resolves the hold and the order goes on. */
	stock_adjust(acme(), "AL-HD", "AL-HD", 2, "receipt");
	o = order_wait(acme(), id, hold_resolved, NULL, WAIT_MS);
	if (!hold_resolved(o, NULL) || !streq(jstr(o, "state"), "released") ||
	    open_holds(o, NULL) != 0) {
		dump_order("the insufficient_stock hold must be resolved and "
			   "the order released", o);
		fail();
	}
	json_array_foreach(json_object_get(o, "holds"), i, h)
		if (streq(jstr(h, "type"), "insufficient_stock")) {
			seen = 1;
			check(streq(jstr(h, "status"), "resolved"),
			      "hold status %s", jstr(h, "status"));
		}
	check(seen, "the resolved hold must still be listed");
	check(promised(o, "AL-HD") == 5 && promised(o, "AL-HD2") == 1,
	      "all 6 units promised");
	check_fulfillments(o);
	json_decref(o);
	check(stock_figure(acme(), "AL-HD", "AL-HD", "reserved") == 5,
	      "AL-HD must reserve 5 of its 5");
	free(id);
}

API_TEST(held_orders_are_resolved_oldest_first)
{
	json_t *o;
	char *older, *newer;

	settings_patch(acme(), "{\"backorder_mode\": \"hold\"}");
	make_sku(acme(), "AL-HO", "Awaited widget", PRICE, 1);
	make_location_serving(acme(), "AL-HO", 5, NULL);
	set_stock(acme(), "AL-HO", "AL-HO", 0);

	o = place_one("AL-HO-1", "AL-HO", 3);
	assert_single_hold(o, "insufficient_stock", "lines[0].quantity");
	older = strdup(jstr(o, "id"));
	json_decref(o);
	o = place_one("AL-HO-2", "AL-HO", 2);
	assert_single_hold(o, "insufficient_stock", "lines[0].quantity");
	newer = strdup(jstr(o, "id"));
	json_decref(o);

	/* 3 arrive: enough for either; the older order gets them. */
	stock_adjust(acme(), "AL-HO", "AL-HO", 3, "receipt");
	o = order_wait(acme(), older, hold_resolved, NULL, WAIT_MS);
	if (!hold_resolved(o, NULL) || promised(o, NULL) != 3) {
		dump_order("the older held order must be served first", o);
		fail();
	}
	json_decref(o);
	o = order_fetch(acme(), newer);
	assert_single_hold(o, "insufficient_stock", "lines[0].quantity");
	json_decref(o);

	/* 2 more: the newer one too. */
	stock_adjust(acme(), "AL-HO", "AL-HO", 2, "receipt");
	o = order_wait(acme(), newer, hold_resolved, NULL, WAIT_MS);
	if (!hold_resolved(o, NULL) || promised(o, NULL) != 2) {
		dump_order("the newer held order must be resolved when its "
			   "stock arrives", o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "AL-HO", "AL-HO", "reserved") == 5,
	      "5 of 5 reserved");
	free(older);
	free(newer);
}

/* ---- release ------------------------------------------------------------------- */

/* When the order entered `accepted`, from its events (received_at if none). */
static time_t accepted_at(const json_t *o)
{
	struct resp *r = http_get(acme(), "/v1/orders/%s/events", jstr(o, "id"));
	json_t *e;
	size_t i;
	time_t t = parse_time(jstr(o, "received_at"));

	assert_status(r, 200);
	json_array_foreach(json_object_get(r->json, "events"), i, e)
		if (streq(jstr(e, "to_state"), "accepted"))
			t = parse_time(jstr(e, "at"));
	resp_free(r);
	return t;
}

static long due_minus(const json_t *o, time_t expected)
{
	time_t due = parse_time(jstr(o, "release_due_at"));

	return due == (time_t)-1 ? 999999 : (long)(due - expected);
}

API_TEST(release_due_at_follows_sla_and_cutoff)
{
	json_t *o, *f;
	char body[128], hhmm[8];
	time_t acc, cut, rel, now;
	struct tm tm;
	long d;

	make_sku(acme(), "AL-REL", "Released widget", PRICE, 1);
	make_location_serving(acme(), "AL-REL", 5, NULL);
	set_stock(acme(), "AL-REL", "AL-REL", 100);

	/* SLA only: accepted_at + release_sla_s. */
	settings_patch(acme(), "{\"release_sla_s\": 3600, \"cutoff_utc\": null}");
	o = place_one("AL-REL-1", "AL-REL", 1);
	acc = accepted_at(o);
	d = due_minus(o, acc + 3600);
	check(d >= -2 && d <= 2,
	      "release_due_at %s must be accepted_at + 3600 s (off by %ld s)",
	      jstr(o, "release_due_at"), d);

	/* released_at: recorded on the order and the fulfillment. */
	now = harness_clock_now();
	rel = parse_time(jstr(o, "released_at"));
	check(is_rfc3339(jstr(o, "released_at")) && rel >= acc - 1 &&
		      rel <= now + 1,
	      "released_at %s must lie between acceptance and now",
	      jstr(o, "released_at"));
	f = order_fulfillment(o, "AL-REL", NULL);
	check(f && is_rfc3339(jstr(f, "released_at")),
	      "the fulfillment must carry released_at");
	check(json_is_null(json_object_get(o, "delivered_at")) &&
		      json_is_null(json_object_get(o, "closed_at")),
	      "delivered_at and closed_at must be null");
	json_decref(o);

	/* A cut-off before the SLA ends: the first cut-off after acceptance. */
	cut = (harness_clock_now() + 20 * 60) / 60 * 60;
	gmtime_r(&cut, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	snprintf(body, sizeof(body),
		 "{\"release_sla_s\": 14400, \"cutoff_utc\": \"%s\"}", hhmm);
	settings_patch(acme(), body);
	o = place_one("AL-REL-2", "AL-REL", 1);
	d = due_minus(o, cut);
	check(d == 0,
	      "cut-off %s, SLA 4 h: release_due_at %s must be the cut-off "
	      "(off by %ld s)", hhmm, jstr(o, "release_due_at"), d);
	json_decref(o);

	/* A cut-off after the SLA ends: the SLA. */
	cut = (harness_clock_now() + 3 * 3600) / 60 * 60;
	gmtime_r(&cut, &tm);
	strftime(hhmm, sizeof(hhmm), "%H:%M", &tm);
	snprintf(body, sizeof(body),
		 "{\"release_sla_s\": 600, \"cutoff_utc\": \"%s\"}", hhmm);
	settings_patch(acme(), body);
	o = place_one("AL-REL-3", "AL-REL", 1);
	acc = accepted_at(o);
	d = due_minus(o, acc + 600);
	check(d >= -2 && d <= 2,
	      "cut-off %s, SLA 600 s: release_due_at %s must be accepted_at "
	      "+ 600 (off by %ld s)", hhmm, jstr(o, "release_due_at"), d);
	json_decref(o);
}

/* ---- concurrency -------------------------------------------------------------- */

#define RACERS 64
#define RACE_STOCK 10

struct racer {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *base_url;
	const char *key;
	char *body;
	long status;
	char id[64];
	char error[300];
};

static void *racer_run(void *arg)
{
	struct racer *c = arg;
	struct resp *r;
	const char *id;

	pthread_barrier_wait(c->start);
	r = http_at(c->base_url, "POST", "/v1/orders", c->key, c->body,
		    strlen(c->body), NULL);
	c->status = r->status;
	id = jstr(r->json, "id");
	snprintf(c->id, sizeof(c->id), "%s", id ? id : "");
	snprintf(c->error, sizeof(c->error), "%.290s", r->body);
	resp_free(r);
	return NULL;
}

/* Reads the stock of a SKU over and over while the race runs. */
struct monitor {
	pthread_t thread;
	const char *base_url;
	const char *key;
	char path[128];
	volatile int stop;
	int readings;
	int violations;
	char first_violation[600];
};

static int level_ok(const json_t *l)
{
	return ival(l, "reserved") >= 0 && ival(l, "on_hand") >= 0 &&
	       ival(l, "reserved") <= ival(l, "on_hand") &&
	       ival(l, "available") >= 0;
}

static void *monitor_run(void *arg)
{
	struct monitor *m = arg;

	while (!m->stop) {
		struct resp *r = http_at(m->base_url, "GET", m->path, m->key,
					 NULL, 0, NULL);
		int ok = r->status == 200;
		json_t *l;
		size_t i;

		json_array_foreach(json_object_get(r->json, "locations"), i, l)
			ok = ok && level_ok(l);
		ok = ok && level_ok(json_object_get(r->json, "total"));
		m->readings++;
		if (!ok && m->violations++ == 0)
			snprintf(m->first_violation,
				 sizeof(m->first_violation), "HTTP %ld %.500s",
				 r->status, r->body);
		resp_free(r);
	}
	return NULL;
}

/* Damages stock one unit at a time while the race runs. */
struct damager {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *base_url;
	const char *key;
	char path[160];
	int done_ok, done_409, other;
	char first_other[300];
};

static void *damager_run(void *arg)
{
	struct damager *d = arg;
	static const char body[] = "{\"delta\": -1, \"reason\": \"damage\"}";

	pthread_barrier_wait(d->start);
	for (int i = 0; i < 8; i++) {
		struct resp *r = http_at(d->base_url, "POST", d->path, d->key,
					 body, strlen(body), NULL);

		if (r->status == 200)
			d->done_ok++;
		else if (r->status == 409)
			d->done_409++;
		else if (d->other++ == 0)
			snprintf(d->first_other, sizeof(d->first_other),
				 "HTTP %ld %.250s", r->status, r->body);
		resp_free(r);
	}
	return NULL;
}

struct race_cfg {
	const char *sku;
	const char *loc[2];	/* second may be NULL */
	long stock[2];
	const char *prefix;
	long (*qty)(int i);
	int damage;		/* a thread damages units of loc[0] meanwhile */
	int damaged;		/* out: damage adjustments that went through */
};

static void race(struct race_cfg *cfg, char ids[RACERS][64])
{
	static struct racer racers[RACERS];
	struct monitor mon;
	struct damager dmg;
	pthread_barrier_t start;
	unsigned parties = RACERS + (cfg->damage ? 1 : 0);
	const char *sku = cfg->sku;

	make_sku(acme(), sku, "Last units", PRICE, 1);
	for (int k = 0; k < 2 && cfg->loc[k]; k++) {
		make_location_serving(acme(), cfg->loc[k], 5, NULL);
		set_stock(acme(), cfg->loc[k], sku, cfg->stock[k]);
	}
	memset(&dmg, 0, sizeof(dmg));

	memset(&mon, 0, sizeof(mon));
	mon.base_url = srv->base_url;
	mon.key = acme();
	snprintf(mon.path, sizeof(mon.path), "/v1/stock?sku=%s", sku);

	assert_int_equal(pthread_barrier_init(&start, NULL, parties), 0);
	for (int i = 0; i < RACERS; i++) {
		char ext[64];
		json_t *o;

		snprintf(ext, sizeof(ext), "%s-%02d", cfg->prefix, i);
		o = order_one_line(ext, sku, cfg->qty(i), PRICE);
		memset(&racers[i], 0, sizeof(racers[i]));
		racers[i].body = json_dumps(o, JSON_COMPACT);
		assert_non_null(racers[i].body);
		json_decref(o);
		racers[i].start = &start;
		racers[i].base_url = srv->base_url;
		racers[i].key = acme();
	}
	assert_int_equal(pthread_create(&mon.thread, NULL, monitor_run, &mon),
			 0);
	if (cfg->damage) {
		dmg.start = &start;
		dmg.base_url = srv->base_url;
		dmg.key = acme();
		snprintf(dmg.path, sizeof(dmg.path),
			 "/v1/locations/%s/stock/%s/adjustments", cfg->loc[0],
			 sku);
		assert_int_equal(pthread_create(&dmg.thread, NULL,
						damager_run, &dmg),
				 0);
	}
	for (int i = 0; i < RACERS; i++)
		assert_int_equal(pthread_create(&racers[i].thread, NULL,
						racer_run, &racers[i]),
				 0);
	for (int i = 0; i < RACERS; i++)
		pthread_join(racers[i].thread, NULL);
	if (cfg->damage)
		pthread_join(dmg.thread, NULL);
	/* Let the monitor look a little longer at the settled stock. */
	{
		long until = harness_now_ms() + 500;

		while (harness_now_ms() < until && mon.readings < 1000)
			harness_sleep_ms(20);
	}
	mon.stop = 1;
	pthread_join(mon.thread, NULL);
	pthread_barrier_destroy(&start);

	for (int i = 0; i < RACERS; i++) {
		free(racers[i].body);
		check(racers[i].status == 201 && racers[i].id[0],
		      "racer %d: HTTP %ld %s", i, racers[i].status,
		      racers[i].error);
		memcpy(ids[i], racers[i].id, 64);
	}
	check(dmg.other == 0, "a damage adjustment during the race got "
	      "neither 200 nor 409: %s", dmg.first_other);
	cfg->damaged = dmg.done_ok;
	check(mon.readings > 0, "the stock monitor never got an answer");
	check(mon.violations == 0,
	      "%d of %d stock readings during the race had reserved > "
	      "on_hand or available < 0; first: %s",
	      mon.violations, mon.readings, mon.first_violation);
}

static int reserved_settled(const char *sku, const char *loc, long want)
{
	long deadline = harness_now_ms() + WAIT_MS;

	for (;;) {
		long v = stock_figure(acme(), sku, loc, "reserved");

		if (v == want)
			return 1;
		if (harness_now_ms() > deadline)
			return 0;
		harness_sleep_ms(100);
	}
}

static long one_unit(int i)
{
	(void)i;
	return 1;
}

static long two_or_three(int i)
{
	return 2 + i % 2;
}

static long reserve_event_sum(const char *sku)
{
	char path[128];
	json_t *all, *e;
	size_t i;
	long sum = 0;

	snprintf(path, sizeof(path), "/v1/stock/events?sku=%s", sku);
	all = list_all(acme(), path, "events", 200);
	json_array_foreach(all, i, e)
		sum += ival(e, "delta_reserved");
	json_decref(all);
	return sum;
}

API_TEST(sixty_four_concurrent_orders_for_the_last_ten_units)
{
	static char ids[RACERS][64];
	int got = 0, waiting = 0;
	json_t *st;

	struct race_cfg cfg = { "AL-RACE-1", { "AL-RACE-1", NULL },
				{ RACE_STOCK, 0 }, "AL-RACE1", one_unit, 0, 0 };

	race(&cfg, ids);
	check(reserved_settled("AL-RACE-1", "AL-RACE-1", RACE_STOCK),
	      "reserved must settle at %d", RACE_STOCK);
	for (int i = 0; i < RACERS; i++) {
		json_t *o = order_fetch(acme(), ids[i]);
		long p = promised(o, NULL), open = order_units(o, "open", NULL);

		if (p == 1 && open == 0) {
			got++;
			check_fulfillments(o);
		} else if (p == 0 && open == 1) {
			waiting++;
			check(open_holds(o, NULL) == 0 &&
				      streq(jstr(o, "state"), "accepted"),
			      "a backordered racer must be accepted, no hold "
			      "(state %s)", jstr(o, "state"));
		} else {
			dump_order("a racer is neither promised nor open", o);
			fail();
		}
		json_decref(o);
	}
	check(got == RACE_STOCK && waiting == RACERS - RACE_STOCK,
	      "expected %d orders promised and %d backordered, got %d and %d",
	      RACE_STOCK, RACERS - RACE_STOCK, got, waiting);
	st = stock_get(acme(), "AL-RACE-1");
	check(ival(stock_at(st, "AL-RACE-1"), "on_hand") == RACE_STOCK &&
		      ival(stock_at(st, "AL-RACE-1"), "reserved") == RACE_STOCK &&
		      ival(stock_at(st, "AL-RACE-1"), "available") == 0 &&
		      ival(json_object_get(st, "total"), "reserved") == RACE_STOCK,
	      "stock after the race: on_hand 10, reserved 10, available 0");
	json_decref(st);
	check(reserve_event_sum("AL-RACE-1") == RACE_STOCK,
	      "the stock events must account for the 10 reserved units");
}

API_TEST(sixty_four_concurrent_orders_of_two_or_three_units)
{
	static char ids[RACERS][64];
	long total = 0;
	json_t *st;

	struct race_cfg cfg = { "AL-RACE-2", { "AL-RACE-2", NULL },
				{ RACE_STOCK, 0 }, "AL-RACE2", two_or_three,
				0, 0 };

	race(&cfg, ids);
	check(reserved_settled("AL-RACE-2", "AL-RACE-2", RACE_STOCK),
	      "reserved must settle at %d", RACE_STOCK);
	for (int i = 0; i < RACERS; i++) {
		json_t *o = order_fetch(acme(), ids[i]);
		long p = promised(o, NULL);

		check(p >= 0 && p <= two_or_three(i) &&
			      p + order_units(o, "open", NULL) == two_or_three(i),
		      "racer %d: promised %ld of %ld", i, p, two_or_three(i));
		check(open_holds(o, NULL) == 0, "racer %d has a hold", i);
		if (p)
			check_fulfillments(o);
		total += p;
		json_decref(o);
	}
	check(total == RACE_STOCK,
	      "orders were promised %ld units of the %d there are", total,
	      RACE_STOCK);
	st = stock_get(acme(), "AL-RACE-2");
	check(ival(stock_at(st, "AL-RACE-2"), "on_hand") == RACE_STOCK &&
		      ival(stock_at(st, "AL-RACE-2"), "reserved") == RACE_STOCK &&
		      ival(stock_at(st, "AL-RACE-2"), "available") == 0,
	      "stock after the race: on_hand 10, reserved 10, available 0");
	json_decref(st);
	check(reserve_event_sum("AL-RACE-2") == RACE_STOCK,
	      "the stock events must account for the 10 reserved units");
}

API_TEST(concurrent_orders_over_two_locations)
{
	static char ids[RACERS][64];
	struct race_cfg cfg = { "AL-RACE-3", { "AL-RACE-3A", "AL-RACE-3B" },
				{ 5, 5 }, "AL-RACE3", one_unit, 0, 0 };
	long total = 0;

	race(&cfg, ids);
	check(reserved_settled("AL-RACE-3", "AL-RACE-3A", 5) &&
		      reserved_settled("AL-RACE-3", "AL-RACE-3B", 5),
	      "both locations must end with 5 of 5 reserved (A %ld, B %ld)",
	      stock_figure(acme(), "AL-RACE-3", "AL-RACE-3A", "reserved"),
	      stock_figure(acme(), "AL-RACE-3", "AL-RACE-3B", "reserved"));
	for (int i = 0; i < RACERS; i++) {
		json_t *o = order_fetch(acme(), ids[i]);

		total += promised(o, NULL);
		if (promised(o, NULL))
			check_fulfillments(o);
		json_decref(o);
	}
	check(total == 10, "10 units promised over both locations, got %ld",
	      total);
}

API_TEST(concurrent_orders_while_stock_is_damaged)
{
	static char ids[RACERS][64];
	struct race_cfg cfg = { "AL-RACE-4", { "AL-RACE-4", NULL },
				{ RACE_STOCK, 0 }, "AL-RACE4", one_unit, 1, 0 };
	long total = 0;
	json_t *st, *l;

	race(&cfg, ids);
	for (int i = 0; i < RACERS; i++) {
		json_t *o = order_fetch(acme(), ids[i]);

		total += promised(o, NULL);
		json_decref(o);
	}
	st = stock_get(acme(), "AL-RACE-4");
	l = stock_at(st, "AL-RACE-4");
	check(ival(l, "on_hand") == RACE_STOCK - cfg.damaged &&
		      ival(l, "reserved") == total &&
		      ival(l, "reserved") <= ival(l, "on_hand") &&
		      ival(l, "available") >= 0,
	      "after %d damaged units: on_hand %ld (want %ld), reserved %ld "
	      "(want %ld = promised)",
	      cfg.damaged, ival(l, "on_hand"), (long)RACE_STOCK - cfg.damaged,
	      ival(l, "reserved"), total);
	check(total + cfg.damaged == RACE_STOCK,
	      "every unit is either promised (%ld) or damaged (%d)", total,
	      cfg.damaged);
	json_decref(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(settings_have_the_contract_defaults),
		cmocka_unit_test_teardown(settings_patch_every_key,
					  settings_reset),
		cmocka_unit_test_teardown(settings_bad_values_are_400_naming_the_key,
					  settings_reset),
		cmocka_unit_test(ship_complete_from_one_location_beats_priority),
		cmocka_unit_test(priority_then_code_decides_between_complete_locations),
		cmocka_unit_test(two_lines_of_one_sku_reserve_both),
		cmocka_unit_test(split_across_the_fewest_locations),
		cmocka_unit_test(only_locations_serving_the_destination_are_used),
		cmocka_unit_test(backorders_are_allocated_oldest_first_when_stock_arrives),
		cmocka_unit_test_teardown(hold_mode_holds_and_resolves_when_stock_arrives,
					  settings_reset),
		cmocka_unit_test_teardown(held_orders_are_resolved_oldest_first,
					  settings_reset),
		cmocka_unit_test_teardown(release_due_at_follows_sla_and_cutoff,
					  settings_reset),
		cmocka_unit_test(sixty_four_concurrent_orders_for_the_last_ten_units),
		cmocka_unit_test(sixty_four_concurrent_orders_of_two_or_three_units),
		cmocka_unit_test(concurrent_orders_over_two_locations),
		cmocka_unit_test(concurrent_orders_while_stock_is_damaged),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
