/*
 * test_stock_count.c - stock counted below what is reserved.
 *
 * The count is stored as counted; the shortfall is taken back from the
 * newest reservations at that location and SKU, and those orders are
 * backordered or held (insufficient_stock) as backorder_mode says, while
 * the older order keeps its allocation. Afterwards reserved == on_hand,
 * every line's quantities add up, and the stock events and the order's
 * timeline say what was taken back and why.
 *
 *   backorder mode   a count (PUT .../stock/{sku}) below reserved
 *   hold mode        a damage adjustment below reserved
 *   elsewhere        the taken units are routed to another location that
 *                    has stock, when there is one
 *
 * release_mode is wave, so that the orders stay allocated (pending
 * fulfillments) until the count. Every test uses its own SKU and
 * locations; settings are reset after each.
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

static long ival(const json_t *j, const char *field)
{
	json_t *v = jget(j, field);

	return json_is_integer(v) ? (long)json_integer_value(v) : -999999;
}

/* An order for qty x sku, allocated (wave mode keeps it so); its id. */
static char *allocated_order(const char *ext, const char *sku, long qty)
{
	json_t *order = order_one_line(ext, sku, qty, PRICE);
	char *id = order_create(acme(), order);
	json_t *o = order_wait_state(acme(), id, "allocated", WAIT_MS);

	check(streq(jstr(o, "state"), "allocated") &&
		      order_units(o, "allocated", sku) == qty,
	      "order %s must have %ld x %s allocated, is %s", id, qty, sku,
	      jstr(o, "state"));
	json_decref(o);
	json_decref(order);
	return id;
}

/* The newest stock event of sku at loc of `type` (new ref) or NULL. */
static json_t *stock_event(const char *sku, const char *loc,
			   const char *type, const char *order_id)
{
	struct resp *r = http_get(acme(), "/v1/stock/events?sku=%s&location=%s",
				  sku, loc);
	json_t *e, *found = NULL;
	size_t i;

	assert_status(r, 200);
	json_array_foreach(jget(r->json, "events"), i, e) {
		if (found || !streq(jstr(e, "type"), type))
			continue;
		if (order_id && !streq(jstr(e, "order_id"), order_id))
			continue;
		found = json_incref(e);
	}
	resp_free(r);
	return found;
}

/* The two orders' and the stock row's state after a shortfall of the
 * newer order's whole allocation. */
static void check_newest_taken(const char *sku, const char *loc,
			       const char *older, const char *newer,
			       const char *newer_state, const char *count_type,
			       long counted, long reserved_before)
{
	json_t *o, *n, *st, *ev, *events;
	char want[256];

	/* The stock row: on_hand as counted, reserved down to it. */
	st = stock_get(acme(), sku);
	check(stock_at(st, loc) && ival(stock_at(st, loc), "on_hand") ==
						   counted &&
		      ival(stock_at(st, loc), "reserved") == counted,
	      "%s at %s must be on_hand %ld reserved %ld", sku, loc, counted,
	      counted);
	json_decref(st);

	/* The older order keeps every unit. */
	o = order_fetch(acme(), older);
	check(streq(jstr(o, "state"), "allocated") &&
		      order_units(o, "allocated", sku) == counted &&
		      order_units(o, "open", sku) == 0,
	      "the older order %s must keep its %ld allocated, is %s", older,
	      counted, jstr(o, "state"));
	check(ival(o, "fulfillments[0].lines[0].quantity") == counted,
	      "the older order's fulfillment must keep %ld units", counted);
	json_decref(o);

	/* The newer one has its units open again, in newer_state. */
	n = order_fetch(acme(), newer);
	check(streq(jstr(n, "state"), newer_state) &&
		      order_units(n, "allocated", sku) == 0 &&
		      order_units(n, "open", sku) ==
			      reserved_before - counted,
	      "the newer order %s must be %s with its units open, is %s "
	      "with %ld open",
	      newer, newer_state, jstr(n, "state"),
	      order_units(n, "open", sku));
	check(streq(jstr(n, "fulfillments[0].state"), "cancelled"),
	      "the newer order's emptied fulfillment must be cancelled, is "
	      "%s", jstr(n, "fulfillments[0].state"));
	json_decref(n);

	/* The timeline of the newer order says what was taken and why. */
	events = order_events(acme(), newer);
	ev = event_find(events, "stock_taken_back", NULL);
	snprintf(want, sizeof(want), "%ld of %s taken back",
		 reserved_before - counted, sku);
	check(ev && strstr(jstr(ev, "message"), want) &&
		      strstr(jstr(ev, "message"), loc),
	      "order %s must have a stock_taken_back event saying \"%s\"",
	      newer, want);
	json_decref(events);
	events = order_events(acme(), older);
	check(event_find(events, "stock_taken_back", NULL) == NULL,
	      "nothing was taken from the older order %s", older);
	json_decref(events);

	/* The stock events: the unreserve of the newer order, and the
	 * count naming it. */
	ev = stock_event(sku, loc, "unreserve", newer);
	check(ev && streq(jstr(ev, "reason"), "count") &&
		      ival(ev, "delta_reserved") == counted - reserved_before,
	      "an unreserve event (reason count) of %ld for %s expected",
	      reserved_before - counted, newer);
	json_decref(ev);
	snprintf(want, sizeof(want),
		 "counted %ld, %ld reserved: %ld taken back from %s", counted,
		 reserved_before, reserved_before - counted, newer);
	ev = stock_event(sku, loc, count_type, NULL);
	check(ev && strstr(jstr(ev, "note"), want) &&
		      ival(ev, "on_hand") == counted &&
		      ival(ev, "reserved") == counted,
	      "the count's event must say \"%s\" (got \"%s\")", want,
	      ev ? jstr(ev, "note") : "(none)");
	json_decref(ev);
}

API_TEST(counted_below_reserved_backorders_the_newest_order)
{
	char *older, *newer;
	struct resp *r;
	json_t *events;

	settings_patch(acme(), "{\"release_mode\": \"wave\", "
			       "\"backorder_mode\": \"backorder\"}");
	make_sku(acme(), "CNT-BO", "Counted widget", PRICE, 1);
	make_location_serving(acme(), "CNT-BO-A", 5, NULL);
	set_stock(acme(), "CNT-BO-A", "CNT-BO", 5);
	older = allocated_order("CNT-BO-1", "CNT-BO", 3);
	newer = allocated_order("CNT-BO-2", "CNT-BO", 2);

	/* 3 counted, 5 reserved: the count stands. */
	r = http("PUT", "/v1/locations/CNT-BO-A/stock/CNT-BO", acme(),
		 "{\"on_hand\": 3}", 14, NULL);
	assert_status(r, 200);
	check(ival(r->json, "on_hand") == 3 && ival(r->json, "reserved") == 3,
	      "the answer must show the count: %s", r->body);
	resp_free(r);
	check_newest_taken("CNT-BO", "CNT-BO-A", older, newer, "accepted",
			   "count", 3, 5);
	events = order_events(acme(), newer);
	check(event_find(events, "backordered", NULL) != NULL,
	      "the newer order must be backordered");
	json_decref(events);
	free(older);
	free(newer);
}

API_TEST(counted_below_reserved_holds_the_newest_order_in_hold_mode)
{
	char *older, *newer;
	json_t *n;

	settings_patch(acme(), "{\"release_mode\": \"wave\", "
			       "\"backorder_mode\": \"hold\"}");
	make_sku(acme(), "CNT-HO", "Counted widget", PRICE, 1);
	make_location_serving(acme(), "CNT-HO-A", 5, NULL);
	set_stock(acme(), "CNT-HO-A", "CNT-HO", 6);
	older = allocated_order("CNT-HO-1", "CNT-HO", 4);
	newer = allocated_order("CNT-HO-2", "CNT-HO", 2);

	/* 6 - 2 damaged = 4, with 6 reserved. */
	stock_adjust(acme(), "CNT-HO-A", "CNT-HO", -2, "damage");
	check_newest_taken("CNT-HO", "CNT-HO-A", older, newer, "on_hold",
			   "adjustment", 4, 6);
	n = order_fetch(acme(), newer);
	assert_single_hold(n, "insufficient_stock", NULL);
	json_decref(n);
	free(older);
	free(newer);
}

API_TEST(units_taken_back_go_to_another_location_with_stock)
{
	char *older, *newer;
	json_t *n, *st;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	make_sku(acme(), "CNT-RR", "Counted widget", PRICE, 1);
	make_location_serving(acme(), "CNT-RR-A", 5, NULL);
	set_stock(acme(), "CNT-RR-A", "CNT-RR", 4);
	older = allocated_order("CNT-RR-1", "CNT-RR", 2);
	newer = allocated_order("CNT-RR-2", "CNT-RR", 2);
	/* A second location gets stock only now. */
	make_location_serving(acme(), "CNT-RR-B", 6, NULL);
	set_stock(acme(), "CNT-RR-B", "CNT-RR", 10);

	stock_adjust(acme(), "CNT-RR-A", "CNT-RR", -1, "damage");
	n = order_fetch(acme(), newer);
	check(streq(jstr(n, "state"), "allocated") &&
		      order_units(n, "allocated", "CNT-RR") == 2 &&
		      order_fulfillment(n, "CNT-RR-A", "pending") &&
		      order_fulfillment(n, "CNT-RR-B", "pending"),
	      "the newer order must keep 1 unit at CNT-RR-A and take 1 from "
	      "CNT-RR-B");
	json_decref(n);
	st = stock_get(acme(), "CNT-RR");
	check(ival(stock_at(st, "CNT-RR-A"), "on_hand") == 3 &&
		      ival(stock_at(st, "CNT-RR-A"), "reserved") == 3 &&
		      ival(stock_at(st, "CNT-RR-B"), "reserved") == 1,
	      "CNT-RR-A must be 3/3 and CNT-RR-B must reserve 1");
	json_decref(st);
	free(older);
	free(newer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			counted_below_reserved_backorders_the_newest_order,
			settings_reset),
		cmocka_unit_test_teardown(
			counted_below_reserved_holds_the_newest_order_in_hold_mode,
			settings_reset),
		cmocka_unit_test_teardown(
			units_taken_back_go_to_another_location_with_stock,
			settings_reset),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
