/*
 * test_fulfillment.c - from a promised order to a closed one.
 *
 *   waves        release_mode wave: fulfillments stay pending (not
 *                acceptable, not shippable) until POST /v1/waves, which
 *                releases them, optionally for one location.
 *   warehouse    GET /v1/fulfillments?location=&state= with paging; accept
 *                (409 from a wrong state); reject with each reason:
 *                out_of_stock and invalid_sku re-route (never to the
 *                rejecting location) or hold insufficient_stock /
 *                unknown_sku, incorrect_address holds address_unverifiable,
 *                other holds policy_exception; the stock comes back.
 *   shipments    partial then full (order released -> shipped, fulfillment
 *                shipped, on_hand and reserved down); more than released
 *                409 naming lines[i].quantity; an sku not in the
 *                fulfillment 400 lines[i].sku; a pending fulfillment 409.
 *   delivery     the order is delivered when it is shipped and every
 *                shipment delivered; it closes after closing_period_s,
 *                once, when another node closed it first (PostgreSQL).
 *   tenancy      another tenant's fulfillment and shipment ids are 404 on
 *                every route.
 */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
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

static void dump_order(const char *why, const json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(1));

	print_error("%s\norder: %s\n", why, text ? text : "?");
	free(text);
}

static json_t *place_one(const char *ext, const char *sku, long qty)
{
	json_t *order = order_one_line(ext, sku, qty, PRICE);
	char *id = order_create(acme(), order);
	json_t *o = order_fetch(acme(), id);

	free(id);
	json_decref(order);
	return o;
}

/* The id of the order's fulfillment at loc (any state), copied into out. */
static void ful_id(const json_t *o, const char *loc, char *out, size_t size)
{
	json_t *f = order_fulfillment(o, loc, NULL);

	if (!f || !jstr(f, "id")) {
		char msg[128];

		snprintf(msg, sizeof(msg), "no fulfillment at %s", loc);
		dump_order(msg, o);
		fail();
	}
	snprintf(out, size, "%s", jstr(f, "id"));
}

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

/* The order has a fulfillment at loc that is neither rejected nor cancelled. */
static int live_at(const json_t *o, const char *loc)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(o, "fulfillments"), i, f)
		if (streq(jstr(f, "location"), loc) &&
		    !streq(jstr(f, "state"), "rejected") &&
		    !streq(jstr(f, "state"), "cancelled"))
			return 1;
	return 0;
}

static json_t *ful_get(const char *key, const char *id)
{
	struct resp *r = http_get(key, "/v1/fulfillments/%s", id);
	json_t *f;

	assert_status(r, 200);
	f = json_incref(r->json);
	resp_free(r);
	return f;
}

static struct resp *ful_post(const char *key, const char *id, const char *what,
			     const char *body)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/%s", id, what);
	return http("POST", path, key, body, body ? strlen(body) : 0, NULL);
}

static struct resp *reject(const char *key, const char *id, const char *reason)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"reason\": \"%s\", \"message\": \"warehouse says %s\"}",
		 reason, reason);
	return ful_post(key, id, "reject", body);
}

/* POST a shipment with lines given as JSON text. */
static struct resp *ship_lines(const char *key, const char *id,
			       const char *lines_json)
{
	char body[1024];

	snprintf(body, sizeof(body),
		 "{\"lines\": %s, \"carrier\": \"UPS\", \"tracking_number\": "
		 "\"1Z999AA10123456784\"}",
		 lines_json);
	return ful_post(key, id, "shipments", body);
}

static struct resp *ship1(const char *id, const char *sku, long qty)
{
	char lines[256];

	snprintf(lines, sizeof(lines), "[{\"sku\": \"%s\", \"quantity\": %ld}]",
		 sku, qty);
	return ship_lines(acme(), id, lines);
}

static struct resp *deliver(const char *key, const char *shp, const char *body)
{
	char path[256];

	snprintf(path, sizeof(path), "/v1/shipments/%s/delivered", shp);
	return http("POST", path, key, body ? body : "{}",
		    strlen(body ? body : "{}"), NULL);
}

static void expect_state(const char *id, const char *state)
{
	json_t *o = order_wait_state(acme(), id, state, WAIT_MS);

	if (!streq(jstr(o, "state"), state)) {
		char msg[96];

		snprintf(msg, sizeof(msg), "order must be %s", state);
		dump_order(msg, o);
		fail();
	}
	json_decref(o);
}

static int in_list(const json_t *arr, const char *id)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *s = json_is_string(v) ? json_string_value(v)
						  : jstr(v, "id");

		if (streq(s, id))
			return 1;
	}
	return 0;
}

/* ---- waves ------------------------------------------------------------ */

API_TEST(wave_mode_releases_only_in_waves)
{
	json_t *o1, *o2, *f, *list;
	struct resp *r;
	char f1[64], f2[64], id1[64], id2[64];

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	make_sku(acme(), "FW-A", "Wave A", PRICE, 1);
	make_sku(acme(), "FW-B", "Wave B", PRICE, 1);
	make_location_serving(acme(), "FW-A", 5, NULL);
	make_location_serving(acme(), "FW-B", 5, NULL);
	set_stock(acme(), "FW-A", "FW-A", 10);
	set_stock(acme(), "FW-B", "FW-B", 10);

	o1 = place_one("FW-1", "FW-A", 2);
	o2 = place_one("FW-2", "FW-B", 1);
	ful_id(o1, "FW-A", f1, sizeof(f1));
	ful_id(o2, "FW-B", f2, sizeof(f2));
	snprintf(id1, sizeof(id1), "%s", jstr(o1, "id"));
	snprintf(id2, sizeof(id2), "%s", jstr(o2, "id"));
	f = order_fulfillment(o1, "FW-A", NULL);
	if (!streq(jstr(o1, "state"), "allocated") ||
	    !streq(jstr(f, "state"), "pending") ||
	    !json_is_null(json_object_get(f, "released_at")) ||
	    !json_is_null(json_object_get(o1, "released_at")) ||
	    order_units(o1, "allocated", NULL) != 2 ||
	    order_units(o1, "released", NULL) != 0) {
		dump_order("wave mode: the order must be allocated, its "
			   "fulfillment pending, nothing released", o1);
		fail();
	}
	json_decref(o1);
	json_decref(o2);

	/* A pending fulfillment can be neither accepted nor shipped. */
	r = ful_post(acme(), f1, "accept", NULL);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	r = ship1(f1, "FW-A", 1);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);

	list = list_all(acme(), "/v1/fulfillments?location=FW-A&state=pending",
			"fulfillments", 50);
	check(in_list(list, f1) && !in_list(list, f2),
	      "pending list for FW-A must hold %s and not %s", f1, f2);
	json_decref(list);

	/* A wave for FW-A releases FW-A's only. */
	r = http("POST", "/v1/waves", acme(), "{\"location\": \"FW-A\"}",
		 strlen("{\"location\": \"FW-A\"}"), NULL);
	assert_status(r, 200);
	check(in_list(json_object_get(r->json, "fulfillments"), f1) &&
		      !in_list(json_object_get(r->json, "fulfillments"), f2) &&
		      ival(r->json, "released") ==
			      (long)json_array_size(
				      json_object_get(r->json, "fulfillments")),
	      "wave for FW-A: %s", r->body);
	resp_free(r);
	expect_state(id1, "released");
	f = ful_get(acme(), f1);
	check(streq(jstr(f, "state"), "released") &&
		      is_rfc3339(jstr(f, "released_at")),
	      "after the wave %s must be released with released_at", f1);
	json_decref(f);
	o1 = order_fetch(acme(), id1);
	check(is_rfc3339(jstr(o1, "released_at")) &&
		      order_units(o1, "released", NULL) == 2,
	      "the order must record released_at and 2 released units");
	json_decref(o1);
	o2 = order_fetch(acme(), id2);
	check(streq(jstr(o2, "state"), "allocated") &&
		      streq(jstr(order_fulfillment(o2, "FW-B", NULL), "state"),
			    "pending"),
	      "FW-B's fulfillment must still be pending");
	json_decref(o2);

	/* A wave for every location. */
	r = http("POST", "/v1/waves", acme(), "{}", 2, NULL);
	assert_status(r, 200);
	check(in_list(json_object_get(r->json, "fulfillments"), f2) &&
		      !in_list(json_object_get(r->json, "fulfillments"), f1),
	      "wave for all: %s", r->body);
	resp_free(r);
	expect_state(id2, "released");

	/* Nothing left. */
	r = http("POST", "/v1/waves", acme(), "{}", 2, NULL);
	assert_status(r, 200);
	check(!in_list(json_object_get(r->json, "fulfillments"), f1) &&
		      !in_list(json_object_get(r->json, "fulfillments"), f2),
	      "a released fulfillment was released again: %s", r->body);
	resp_free(r);
}

/* ---- the warehouse's view ------------------------------------------------- */

API_TEST(warehouse_lists_its_fulfillments_by_state)
{
	char ids[5][64];
	json_t *list, *f;
	struct resp *r;
	size_t i;

	make_sku(acme(), "FL", "Listed widget", PRICE, 1);
	make_location_serving(acme(), "FL-1", 5, NULL);
	set_stock(acme(), "FL-1", "FL", 100);
	for (int k = 0; k < 5; k++) {
		char ext[32];
		json_t *o;

		snprintf(ext, sizeof(ext), "FL-%d", k);
		o = place_one(ext, "FL", 1);
		ful_id(o, "FL-1", ids[k], sizeof(ids[k]));
		json_decref(o);
	}

	list = list_all(acme(), "/v1/fulfillments?location=FL-1&state=released",
			"fulfillments", 2);
	check(json_array_size(list) == 5, "5 released at FL-1, got %zu",
	      json_array_size(list));
	json_array_foreach(list, i, f)
		check(streq(jstr(f, "location"), "FL-1") &&
			      streq(jstr(f, "state"), "released") &&
			      jstr(f, "order_id") &&
			      json_is_array(json_object_get(f, "lines")),
		      "fulfillments[%zu]: wrong location/state or no "
		      "order_id/lines", i);
	for (int k = 0; k < 5; k++)
		check(in_list(list, ids[k]), "%s missing from the list", ids[k]);
	json_decref(list);

	r = ful_post(acme(), ids[0], "accept", NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "accepted") &&
		      streq(jstr(r->json, "id"), ids[0]),
	      "accept must answer the accepted fulfillment: %s", r->body);
	resp_free(r);
	list = list_all(acme(), "/v1/fulfillments?location=FL-1&state=released",
			"fulfillments", 2);
	check(json_array_size(list) == 4 && !in_list(list, ids[0]),
	      "4 left released");
	json_decref(list);
	list = list_all(acme(), "/v1/fulfillments?location=FL-1&state=accepted",
			"fulfillments", 2);
	check(json_array_size(list) == 1 && in_list(list, ids[0]),
	      "1 accepted");
	json_decref(list);

	r = http_get(acme(), "/v1/fulfillments?location=FL-1&state=bogus");
	assert_error(r, 400, "invalid_request", "state");
	resp_free(r);
}

API_TEST(accept_only_from_released)
{
	json_t *o;
	struct resp *r;
	char f[64];

	make_sku(acme(), "FA", "Accepted widget", PRICE, 1);
	make_location_serving(acme(), "FA-1", 5, NULL);
	set_stock(acme(), "FA-1", "FA", 10);
	o = place_one("FA-1", "FA", 1);
	ful_id(o, "FA-1", f, sizeof(f));
	json_decref(o);

	r = ful_post(acme(), f, "accept", NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "accepted"), "state %s",
	      jstr(r->json, "state"));
	resp_free(r);
	r = ful_post(acme(), f, "accept", NULL);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);

	/* Accepted can ship; shipped cannot be accepted. */
	r = ship1(f, "FA", 1);
	assert_status(r, 201);
	resp_free(r);
	r = ful_post(acme(), f, "accept", NULL);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	r = reject(acme(), f, "other");
	assert_error(r, 409, NULL, NULL);
	resp_free(r);

	r = ful_post(acme(), "ful_doesnotexist", "accept", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

/* ---- rejections ------------------------------------------------------------- */

API_TEST(out_of_stock_reroutes_never_to_the_rejecting_location)
{
	json_t *o, *f;
	struct resp *r;
	char f1[64], id[64];

	make_sku(acme(), "FR", "Rerouted widget", PRICE, 1);
	make_location_serving(acme(), "FR-1", 1, NULL);
	make_location_serving(acme(), "FR-2", 2, NULL);
	set_stock(acme(), "FR-1", "FR", 50);
	set_stock(acme(), "FR-2", "FR", 5);
	o = place_one("FR-1", "FR", 3);
	ful_id(o, "FR-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);

	r = reject(acme(), f1, "out_of_stock");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "rejected"),
	      "reject must answer the rejected fulfillment: %s", r->body);
	resp_free(r);

	/* FR-1 still has 50, but it said no: FR-2 ships it. */
	o = order_fetch(acme(), id);
	f = order_fulfillment(o, "FR-2", NULL);
	if (live_fulfillments(o) != 1 || !f ||
	    streq(jstr(f, "state"), "rejected") || open_holds(o, NULL) ||
	    order_units(o, "open", NULL) != 0 ||
	    !streq(jstr(order_fulfillment(o, "FR-1", NULL), "state"),
		   "rejected")) {
		dump_order("out_of_stock at FR-1: the order must be re-routed "
			   "to FR-2 in full, no hold, FR-1's fulfillment "
			   "rejected", o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "FR", "FR-1", "reserved") == 0 &&
		      stock_figure(acme(), "FR", "FR-2", "reserved") == 3,
	      "reserved: FR-1 0 and FR-2 3 expected, got %ld and %ld",
	      stock_figure(acme(), "FR", "FR-1", "reserved"),
	      stock_figure(acme(), "FR", "FR-2", "reserved"));
	check(stock_figure(acme(), "FR", "FR-1", "on_hand") == 50,
	      "a rejection must not change on_hand");

	/* A rejected fulfillment cannot be rejected, accepted or shipped. */
	r = reject(acme(), f1, "out_of_stock");
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	r = ful_post(acme(), f1, "accept", NULL);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	r = ship1(f1, "FR", 1);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
}

API_TEST(out_of_stock_with_nowhere_else_holds_insufficient_stock)
{
	json_t *o;
	struct resp *r;
	char f1[64], id[64];

	make_sku(acme(), "FR2", "Scarce widget", PRICE, 1);
	make_location_serving(acme(), "FR2-1", 1, NULL);
	set_stock(acme(), "FR2-1", "FR2", 5);
	o = place_one("FR2-1", "FR2", 3);
	ful_id(o, "FR2-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);

	r = reject(acme(), f1, "out_of_stock");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), id);
	if (live_fulfillments(o) != 0 || !find_hold(o, "insufficient_stock") ||
	    !streq(jstr(o, "state"), "on_hold") ||
	    order_units(o, "open", NULL) != 3) {
		dump_order("out_of_stock with no other location: an "
			   "insufficient_stock hold, 3 units open, and never "
			   "back to FR2-1", o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "FR2", "FR2-1", "reserved") == 0,
	      "the rejected units must be unreserved");

	/* Partly re-routable: FR3-2 has 2 of the 3. */
	make_sku(acme(), "FR3", "Thin widget", PRICE, 1);
	make_location_serving(acme(), "FR3-1", 1, NULL);
	make_location_serving(acme(), "FR3-2", 2, NULL);
	set_stock(acme(), "FR3-1", "FR3", 5);
	set_stock(acme(), "FR3-2", "FR3", 2);
	o = place_one("FR3-1", "FR3", 3);
	ful_id(o, "FR3-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	r = reject(acme(), f1, "out_of_stock");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), id);
	if (!find_hold(o, "insufficient_stock") ||
	    order_units(o, "open", NULL) < 1 || live_at(o, "FR3-1")) {
		dump_order("not fully re-routable: an insufficient_stock hold, "
			   "at least 1 unit open, FR3-1 not used again", o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "FR3", "FR3-1", "reserved") == 0,
	      "FR3-1 rejected: nothing may stay reserved there");
}

struct reason_case {
	const char *reason;
	const char *hold;
};

API_TEST(rejection_reasons_raise_typed_holds)
{
	static const struct reason_case cases[] = {
		{ "incorrect_address", "address_unverifiable" },
		{ "other", "policy_exception" },
	};
	json_t *o, *f;
	struct resp *r;
	char f1[64], id[64];

	make_sku(acme(), "FX", "Refused widget", PRICE, 1);
	make_location_serving(acme(), "FX-1", 1, NULL);
	make_location_serving(acme(), "FX-2", 2, NULL);
	set_stock(acme(), "FX-1", "FX", 20);
	set_stock(acme(), "FX-2", "FX", 20);

	/* Reasons that do not re-route, though FX-2 could ship. */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char ext[32];

		snprintf(ext, sizeof(ext), "FX-%zu", i);
		o = place_one(ext, "FX", 2);
		ful_id(o, "FX-1", f1, sizeof(f1));
		snprintf(id, sizeof(id), "%s", jstr(o, "id"));
		json_decref(o);
		r = reject(acme(), f1, cases[i].reason);
		assert_status(r, 200);
		resp_free(r);
		o = order_fetch(acme(), id);
		if (live_fulfillments(o) != 0 ||
		    !find_hold(o, cases[i].hold) ||
		    !streq(jstr(o, "state"), "on_hold") ||
		    order_units(o, "open", NULL) != 2) {
			char msg[160];

			snprintf(msg, sizeof(msg),
				 "reject %s: a %s hold, 2 units open, no "
				 "re-route", cases[i].reason, cases[i].hold);
			dump_order(msg, o);
			fail();
		}
		json_decref(o);
		check(stock_figure(acme(), "FX", "FX-1", "reserved") == 0 &&
			      stock_figure(acme(), "FX", "FX-2", "reserved") == 0,
		      "reject %s: nothing may stay reserved", cases[i].reason);
	}

	/* invalid_sku re-routes like out_of_stock ... */
	o = place_one("FX-SKU-1", "FX", 1);
	ful_id(o, "FX-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	r = reject(acme(), f1, "invalid_sku");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), id);
	f = order_fulfillment(o, "FX-2", NULL);
	if (!f || live_fulfillments(o) != 1 || live_at(o, "FX-1") ||
	    open_holds(o, NULL)) {
		dump_order("invalid_sku at FX-1: re-routed to FX-2", o);
		fail();
	}
	json_decref(o);
	/* ... and holds unknown_sku when nobody else can ship. */
	make_sku(acme(), "FY", "Lonely widget", PRICE, 1);
	make_location_serving(acme(), "FY-1", 1, NULL);
	set_stock(acme(), "FY-1", "FY", 20);
	o = place_one("FY-SKU-1", "FY", 1);
	ful_id(o, "FY-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	r = reject(acme(), f1, "invalid_sku");
	assert_status(r, 200);
	resp_free(r);
	o = order_fetch(acme(), id);
	if (live_fulfillments(o) != 0 || !find_hold(o, "unknown_sku") ||
	    !streq(jstr(o, "state"), "on_hold")) {
		dump_order("invalid_sku with no other location: an "
			   "unknown_sku hold", o);
		fail();
	}
	json_decref(o);
	check(stock_figure(acme(), "FY", "FY-1", "reserved") == 0,
	      "FY-1 rejected: nothing may stay reserved there");

	/* Bad requests. */
	o = place_one("FX-BAD-1", "FX", 1);
	ful_id(o, "FX-1", f1, sizeof(f1));
	json_decref(o);
	r = ful_post(acme(), f1, "reject", "{\"reason\": \"lost\"}");
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	r = ful_post(acme(), f1, "reject", "{\"message\": \"no reason\"}");
	assert_error(r, 400, "invalid_request", "reason");
	resp_free(r);
	r = ful_post(acme(), "ful_doesnotexist", "reject",
		     "{\"reason\": \"other\"}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	f = ful_get(acme(), f1);
	check(streq(jstr(f, "state"), "released"),
	      "refused rejections must change nothing");
	json_decref(f);
}

/* ---- shipments ------------------------------------------------------------------ */

API_TEST(shipments_partial_then_full)
{
	json_t *order, *o, *f, *st;
	struct resp *r;
	char f1[64], id[64], when[32], body[512];

	make_sku(acme(), "FS-1", "Shipped one", PRICE, 1);
	make_sku(acme(), "FS-2", "Shipped two", PRICE, 1);
	make_location_serving(acme(), "FS", 5, NULL);
	set_stock(acme(), "FS", "FS-1", 20);
	set_stock(acme(), "FS", "FS-2", 20);
	order = order_one_line("FS-1", "FS-1", 3, PRICE);
	order_add_line(order, "FS-2", 2, PRICE);
	id[0] = '\0';
	{
		char *oid = order_create(acme(), order);

		snprintf(id, sizeof(id), "%s", oid);
		free(oid);
	}
	json_decref(order);
	o = order_fetch(acme(), id);
	ful_id(o, "FS", f1, sizeof(f1));
	json_decref(o);

	/* Partial: 1 of 3 FS-1, with an explicit shipped_at. */
	rfc3339(harness_clock_now() - 120, when, sizeof(when));
	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"sku\": \"FS-1\", \"quantity\": 1}], "
		 "\"carrier\": \"FedEx\", \"tracking_number\": \"7712 3456 "
		 "7890\", \"shipped_at\": \"%s\"}",
		 when);
	r = ful_post(acme(), f1, "shipments", body);
	assert_status(r, 201);
	check(jstr(r->json, "id") && !strncmp(jstr(r->json, "id"), "shp_", 4) &&
		      streq(jstr(r->json, "fulfillment_id"), f1) &&
		      streq(jstr(r->json, "order_id"), id) &&
		      streq(jstr(r->json, "carrier"), "FedEx") &&
		      streq(jstr(r->json, "tracking_number"), "7712 3456 7890") &&
		      streq(jstr(r->json, "shipped_at"), when) &&
		      json_is_null(json_object_get(r->json, "delivered_at")) &&
		      json_array_size(json_object_get(r->json, "lines")) == 1 &&
		      streq(jstr(r->json, "lines[0].sku"), "FS-1") &&
		      ival(jget(r->json, "lines[0]"), "quantity") == 1,
	      "shipment shape: %s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	f = order_fulfillment(o, "FS", NULL);
	if (!streq(jstr(o, "state"), "released") ||
	    order_units(o, "shipped", "FS-1") != 1 ||
	    order_units(o, "released", "FS-1") != 2 ||
	    !streq(jstr(f, "state"), "released") ||
	    ival(jget(f, "lines[0]"), "shipped") +
			    ival(jget(f, "lines[1]"), "shipped") != 1) {
		dump_order("after 1 of 5 shipped: order and fulfillment "
			   "released, FS-1 shipped 1 released 2", o);
		fail();
	}
	json_decref(o);
	st = stock_get(acme(), "FS-1");
	check(ival(stock_at(st, "FS"), "on_hand") == 19 &&
		      ival(stock_at(st, "FS"), "reserved") == 2,
	      "FS-1 at FS: on_hand 19 reserved 2 expected");
	json_decref(st);

	/* More than released and unshipped: 409 naming the line. */
	r = ship_lines(acme(), f1,
		       "[{\"sku\": \"FS-2\", \"quantity\": 1}, "
		       "{\"sku\": \"FS-1\", \"quantity\": 3}]");
	assert_error(r, 409, "conflict", "lines[1].quantity");
	resp_free(r);
	/* An sku not in this fulfillment (known or not): 400. */
	r = ship_lines(acme(), f1, "[{\"sku\": \"NO-SUCH\", \"quantity\": 1}]");
	assert_error(r, 400, "invalid_request", "lines[0].sku");
	resp_free(r);
	r = ship_lines(acme(), f1,
		       "[{\"sku\": \"FS-2\", \"quantity\": 1}, "
		       "{\"sku\": \"TSHIRT-BLK-M\", \"quantity\": 1}]");
	assert_error(r, 400, "invalid_request", "lines[1].sku");
	resp_free(r);
	r = ship_lines(acme(), f1, "[{\"sku\": \"FS-1\", \"quantity\": 0}]");
	assert_error(r, 400, "invalid_request", "lines[0].quantity");
	resp_free(r);
	r = ship_lines(acme(), f1, "[]");
	assert_error(r, 400, "invalid_request", "lines");
	resp_free(r);
	r = ful_post(acme(), f1, "shipments", "{\"carrier\": \"UPS\"}");
	assert_error(r, 400, "invalid_request", "lines");
	resp_free(r);
	/* None of that shipped anything. */
	o = order_fetch(acme(), id);
	check(order_units(o, "shipped", NULL) == 1,
	      "refused shipments must ship nothing (shipped %ld)",
	      order_units(o, "shipped", NULL));
	json_decref(o);

	/* The rest: the order and the fulfillment are shipped. */
	r = ship_lines(acme(), f1,
		       "[{\"sku\": \"FS-1\", \"quantity\": 2}, "
		       "{\"sku\": \"FS-2\", \"quantity\": 2}]");
	assert_status(r, 201);
	resp_free(r);
	expect_state(id, "shipped");
	o = order_fetch(acme(), id);
	f = order_fulfillment(o, "FS", NULL);
	if (!streq(jstr(f, "state"), "shipped") ||
	    order_units(o, "shipped", NULL) != 5 ||
	    order_units(o, "released", NULL) != 0) {
		dump_order("all shipped: fulfillment shipped, 5 units shipped",
			   o);
		fail();
	}
	json_decref(o);
	st = stock_get(acme(), "FS-1");
	check(ival(stock_at(st, "FS"), "on_hand") == 17 &&
		      ival(stock_at(st, "FS"), "reserved") == 0,
	      "FS-1 at FS: on_hand 17 reserved 0 expected");
	json_decref(st);
	st = stock_get(acme(), "FS-2");
	check(ival(stock_at(st, "FS"), "on_hand") == 18 &&
		      ival(stock_at(st, "FS"), "reserved") == 0,
	      "FS-2 at FS: on_hand 18 reserved 0 expected");
	json_decref(st);

	r = ship1(f1, "FS-1", 1);
	assert_error(r, 409, NULL, NULL);
	resp_free(r);
	r = ship1("ful_doesnotexist", "FS-1", 1);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

/* ---- delivery and closing -------------------------------------------------------- */

static void create_shipment(const char *f, const char *sku, long qty, char *shp,
			    size_t size)
{
	struct resp *r = ship1(f, sku, qty);

	assert_status(r, 201);
	snprintf(shp, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

API_TEST(delivered_when_every_shipment_is_delivered)
{
	json_t *o;
	struct resp *r;
	char f1[64], id[64], s1[64], s2[64], when[32], body[128];

	make_sku(acme(), "FD", "Delivered widget", PRICE, 1);
	make_location_serving(acme(), "FD-1", 5, NULL);
	set_stock(acme(), "FD-1", "FD", 20);
	o = place_one("FD-1", "FD", 2);
	ful_id(o, "FD-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);

	create_shipment(f1, "FD", 1, s1, sizeof(s1));
	r = deliver(acme(), s1, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), s1) &&
		      is_rfc3339(jstr(r->json, "delivered_at")),
	      "delivered shipment must carry delivered_at: %s", r->body);
	resp_free(r);
	/* Half shipped: not delivered, whatever its shipments. */
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "released") &&
		      json_is_null(json_object_get(o, "delivered_at")),
	      "a partly shipped order is not delivered (state %s)",
	      jstr(o, "state"));
	json_decref(o);

	create_shipment(f1, "FD", 1, s2, sizeof(s2));
	expect_state(id, "shipped");
	rfc3339(harness_clock_now() - 30, when, sizeof(when));
	snprintf(body, sizeof(body), "{\"delivered_at\": \"%s\"}", when);
	r = deliver(acme(), s2, body);
	assert_status(r, 200);
	check(streq(jstr(r->json, "delivered_at"), when),
	      "delivered_at must be the one given: %s", r->body);
	resp_free(r);
	expect_state(id, "delivered");
	o = order_fetch(acme(), id);
	check(is_rfc3339(jstr(o, "delivered_at")) &&
		      json_is_null(json_object_get(o, "closed_at")),
	      "a delivered order has delivered_at, no closed_at yet");
	json_decref(o);

	r = deliver(acme(), "shp_doesnotexist", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	/* The timeline shows the way: released, shipped, delivered. */
	r = http_get(acme(), "/v1/orders/%s/events", id);
	assert_status(r, 200);
	{
		static const char *const way[] = { "released", "shipped",
						   "delivered" };
		json_t *e;
		size_t i, k = 0;

		json_array_foreach(json_object_get(r->json, "events"), i, e)
			if (k < 3 && streq(jstr(e, "to_state"), way[k]))
				k++;
		check(k == 3, "order events must move through released, "
		      "shipped, delivered in that order: %s", r->body);
	}
	resp_free(r);
}

API_TEST(delivered_orders_close_after_the_closing_period)
{
	json_t *o;
	char f1[64], id[64], s1[64];
	struct resp *r;

	settings_patch(acme(), "{\"closing_period_s\": 1}");
	make_sku(acme(), "FC", "Closed widget", PRICE, 1);
	make_location_serving(acme(), "FC-1", 5, NULL);
	set_stock(acme(), "FC-1", "FC", 20);
	o = place_one("FC-1", "FC", 1);
	ful_id(o, "FC-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	create_shipment(f1, "FC", 1, s1, sizeof(s1));
	r = deliver(acme(), s1, NULL);
	assert_status(r, 200);
	resp_free(r);

	o = order_wait_state(acme(), id, "closed", 10000);
	if (!streq(jstr(o, "state"), "closed") ||
	    !is_rfc3339(jstr(o, "closed_at"))) {
		dump_order("closing_period_s 1: the delivered order must be "
			   "closed, with closed_at, within 10 s", o);
		fail();
	}
	json_decref(o);
}

/*
 * Another node closes an order the closing sweep has read as due: the
 * sweep, waiting on the order's row lock meanwhile, finds it closed and
 * closes the others it read, with no error. Before, it failed its whole
 * round with "cannot move order from closed to closed". The other node is
 * played by a connection of the test's own, which locks the order, waits
 * until a sweep waits on it, then closes it. PostgreSQL only: SQLite has
 * one writer, which reads and closes in one go.
 */
API_TEST(an_order_closed_by_another_node_is_skipped_by_the_sweep)
{
	const char *params[1];
	json_t *o;
	char fx[64], fy[64], x[64], y[64], sx[64], sy[64];
	char *log;
	long log_from;
	struct resp *r;
	PGconn *c;
	PGresult *res;
	int i, waiting = 0;

	if (strncmp(srv->db_path, "postgres", 8) != 0)
		skip();
	settings_patch(acme(), "{\"closing_period_s\": 86400}");
	make_sku(acme(), "FK", "Raced widget", PRICE, 1);
	make_location_serving(acme(), "FK-1", 5, NULL);
	set_stock(acme(), "FK-1", "FK", 20);
	o = place_one("FK-X", "FK", 1);
	ful_id(o, "FK-1", fx, sizeof(fx));
	snprintf(x, sizeof(x), "%s", jstr(o, "id"));
	json_decref(o);
	o = place_one("FK-Y", "FK", 1);
	ful_id(o, "FK-1", fy, sizeof(fy));
	snprintf(y, sizeof(y), "%s", jstr(o, "id"));
	json_decref(o);
	create_shipment(fx, "FK", 1, sx, sizeof(sx));
	create_shipment(fy, "FK", 1, sy, sizeof(sy));
	r = deliver(acme(), sx, NULL);
	assert_status(r, 200);
	resp_free(r);
	r = deliver(acme(), sy, NULL);
	assert_status(r, 200);
	resp_free(r);

	/* The other node takes X's row lock first. */
	c = PQconnectdb(srv->db_path);
	check(PQstatus(c) == CONNECTION_OK, "connect: %s", PQerrorMessage(c));
	params[0] = x;
	res = PQexec(c, "BEGIN");
	PQclear(res);
	res = PQexecParams(c, "SELECT 1 FROM orders WHERE id = $1 FOR UPDATE",
			   1, NULL, params, NULL, NULL, 0);
	check(PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1,
	      "locking %s: %s", x, PQerrorMessage(c));
	PQclear(res);
	log_from = (long)strlen(log = harness_log_text(srv));
	free(log);
	settings_patch(acme(), "{\"closing_period_s\": 1}");

	/* A sweep has read X and Y as due and waits for X's lock. */
	for (i = 0; i < 100 && !waiting; i++) {
		harness_sleep_ms(100);
		res = PQexec(c, "SELECT count(*) FROM pg_stat_activity "
				"WHERE datname = current_database() "
				"AND wait_event_type = 'Lock'");
		waiting = PQresultStatus(res) == PGRES_TUPLES_OK &&
			  atoi(PQgetvalue(res, 0, 0)) > 0;
		PQclear(res);
	}
	check(waiting, "no closing sweep waited for the locked order in 10 s");
	res = PQexecParams(c, "UPDATE orders SET state = 'closed', "
			      "closed_at = delivered_at + 1 WHERE id = $1",
			   1, NULL, params, NULL, NULL, 0);
	check(PQresultStatus(res) == PGRES_COMMAND_OK, "closing %s: %s", x,
	      PQerrorMessage(c));
	PQclear(res);
	res = PQexec(c, "COMMIT");
	check(PQresultStatus(res) == PGRES_COMMAND_OK, "commit: %s",
	      PQerrorMessage(c));
	PQclear(res);
	PQfinish(c);

	expect_state(y, "closed");
	log = harness_log_text(srv);
	if (strstr(log + log_from, "closing delivered orders")) {
		harness_dump_log(srv, log_from);
		free(log);
		fail_msg("a closing sweep failed on an order closed meanwhile");
	}
	free(log);
	o = order_fetch(acme(), x);
	check(streq(jstr(o, "state"), "closed"), "X stays closed: %s",
	      jstr(o, "state"));
	json_decref(o);
}

/* ---- tenancy ----------------------------------------------------------------- */

API_TEST(other_tenants_fulfillments_and_shipments_are_404)
{
	json_t *o, *list, *f;
	struct resp *r;
	char f1[64], f2[64], id[64], s1[64];
	const char *gx = srv->key_globex;

	make_sku(acme(), "FT", "Tenant widget", PRICE, 1);
	make_location_serving(acme(), "FT-1", 5, NULL);
	set_stock(acme(), "FT-1", "FT", 20);
	o = place_one("FT-1", "FT", 2);
	ful_id(o, "FT-1", f1, sizeof(f1));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);
	create_shipment(f1, "FT", 1, s1, sizeof(s1));
	o = place_one("FT-2", "FT", 1);
	ful_id(o, "FT-1", f2, sizeof(f2));
	json_decref(o);

	r = http_get(gx, "/v1/fulfillments/%s", f1);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = ful_post(gx, f2, "accept", NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = reject(gx, f2, "out_of_stock");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = ship_lines(gx, f1, "[{\"sku\": \"FT\", \"quantity\": 1}]");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = deliver(gx, s1, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	list = list_all(gx, "/v1/fulfillments?location=FT-1", "fulfillments", 50);
	check(!in_list(list, f1) && !in_list(list, f2),
	      "another tenant's fulfillments listed");
	json_decref(list);
	list = list_all(gx, "/v1/fulfillments?state=released", "fulfillments",
			50);
	check(!in_list(list, f1) && !in_list(list, f2),
	      "another tenant's fulfillments listed");
	json_decref(list);

	/* Nothing moved. */
	f = ful_get(acme(), f2);
	check(streq(jstr(f, "state"), "released"), "f2 state %s",
	      jstr(f, "state"));
	json_decref(f);
	o = order_fetch(acme(), id);
	check(order_units(o, "shipped", NULL) == 1 &&
		      json_is_null(json_object_get(o, "delivered_at")),
	      "the other tenant shipped or delivered acme's order");
	json_decref(o);
}

/* One order split across two locations: a wave for one of them must leave
 * the other location's part of the same order pending. */
API_TEST(wave_for_one_location_leaves_the_orders_other_part)
{
	char fa[64], fb[64], id[64];
	struct resp *r;
	json_t *o;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	make_sku(acme(), "FWS-1", "Wave split", PRICE, 1);
	make_location_serving(acme(), "FWS-A", 5, NULL);
	make_location_serving(acme(), "FWS-B", 6, NULL);
	set_stock(acme(), "FWS-A", "FWS-1", 3);
	set_stock(acme(), "FWS-B", "FWS-1", 3);
	o = place_one("FWS-1", "FWS-1", 5);
	ful_id(o, "FWS-A", fa, sizeof(fa));
	ful_id(o, "FWS-B", fb, sizeof(fb));
	snprintf(id, sizeof(id), "%s", jstr(o, "id"));
	json_decref(o);

	r = http("POST", "/v1/waves", acme(), "{\"location\": \"FWS-A\"}",
		 strlen("{\"location\": \"FWS-A\"}"), NULL);
	assert_status(r, 200);
	check(in_list(json_object_get(r->json, "fulfillments"), fa) &&
		      !in_list(json_object_get(r->json, "fulfillments"), fb),
	      "wave for FWS-A: %s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(streq(jstr(order_fulfillment(o, "FWS-A", NULL), "state"),
		    "released") &&
		      streq(jstr(order_fulfillment(o, "FWS-B", NULL), "state"),
			    "pending") &&
		      order_units(o, "released", NULL) == 3 &&
		      order_units(o, "allocated", NULL) == 2,
	      "only FWS-A's part may be released by its wave");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(wave_mode_releases_only_in_waves,
					  settings_reset),
		cmocka_unit_test_teardown(
			wave_for_one_location_leaves_the_orders_other_part,
			settings_reset),
		cmocka_unit_test(warehouse_lists_its_fulfillments_by_state),
		cmocka_unit_test(accept_only_from_released),
		cmocka_unit_test(out_of_stock_reroutes_never_to_the_rejecting_location),
		cmocka_unit_test(out_of_stock_with_nowhere_else_holds_insufficient_stock),
		cmocka_unit_test(rejection_reasons_raise_typed_holds),
		cmocka_unit_test(shipments_partial_then_full),
		cmocka_unit_test(delivered_when_every_shipment_is_delivered),
		cmocka_unit_test_teardown(delivered_orders_close_after_the_closing_period,
					  settings_reset),
		cmocka_unit_test_teardown(
			an_order_closed_by_another_node_is_skipped_by_the_sweep,
			settings_reset),
		cmocka_unit_test(other_tenants_fulfillments_and_shipments_are_404),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
