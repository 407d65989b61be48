/*
 * test_changes.c - changing and cancelling orders, by where they are:
 *
 *   before release   every kind applied at once (200): the lines, the
 *                    totals and the stock reserved follow exactly; a new
 *                    unknown SKU holds the order, removing it lets it go
 *   after release    a request (202) the warehouse accepts (only then do
 *                    the order and its stock change) or refuses (a
 *                    change_after_release hold); no answer in the
 *                    tenant's window expires into the same hold; the
 *                    order takes no other change meanwhile
 *   waiting          the tenant's requests waiting for an answer, oldest
 *                    due first, a page at a time, each as it reads alone
 *                    with its order; people of every role read them, an
 *                    integration key does not
 *   after shipment   reducing or cancelling shipped units is refused,
 *                    pointing to returns
 *   versions         every write counts; If-Match refuses a stale edit
 *   races            of many changes sent at once with one version, one
 *                    wins; a cancel racing a wave ends one way or the
 *                    other, never half
 *   holds by hand    a person holds an order and releases it
 *   strictness       every bad body refused, naming the member
 *
 * After every step the line identity holds and the stock reserved for a
 * SKU equals the units the order has allocated and released of it.
 */
#include "harness.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRICE "10.00"

static const char *acme(void)
{
	return srv->key_acme;
}

static long ival(const json_t *j, const char *path)
{
	json_t *v = jget(j, path);

	return json_is_integer(v) ? (long)json_integer_value(v) : -999999;
}

/* A SKU of its own at a location of its own, with stock. */
static void stocked(const char *sku, const char *loc, long on_hand)
{
	make_sku(acme(), sku, sku, PRICE, 1);
	make_location_serving(acme(), loc, 5, NULL);
	set_stock(acme(), loc, sku, on_hand);
}

/* The stock reserved for sku at loc is what the order holds of it. */
static void check_stock(const json_t *o, const char *sku, const char *loc)
{
	long held = order_units(o, "allocated", sku) +
		    order_units(o, "released", sku);
	long reserved = stock_figure(acme(), sku, loc, "reserved");

	assert_line_identity(o);
	check(reserved == held, "%s at %s: %ld reserved, the order holds %ld",
	      sku, loc, reserved, held);
}

static struct resp *post_to(const char *id, const char *what,
			    const char *body, const char *version)
{
	char path[160], header[64];
	const char *headers[] = {header, NULL};

	snprintf(path, sizeof(path), "/v1/orders/%s/%s", id, what);
	snprintf(header, sizeof(header), "If-Match: %s",
		 version ? version : "");
	return http("POST", path, acme(), body, strlen(body),
		    version ? headers : NULL);
}

static struct resp *change(const char *id, const char *body)
{
	return post_to(id, "changes", body, NULL);
}

/* A change that must answer status; the order after. New reference. */
static json_t *change_ok(const char *id, const char *body, long status)
{
	struct resp *r = change(id, body);
	json_t *o;

	assert_status(r, status);
	check(streq(jstr(r->json, "change.state"),
		    status == 200 ? "applied" : "requested"),
	      "%s", r->body);
	o = json_incref(jget(r->json, "order"));
	resp_free(r);
	return o;
}

static struct resp *decide(const char *key, const char *chg,
			   const char *what, const char *body)
{
	char path[160];

	snprintf(path, sizeof(path), "/v1/change-requests/%s/%s", chg, what);
	return http("POST", path, key, body, strlen(body), NULL);
}

static json_t *line_of(const json_t *o, long line_no)
{
	json_t *l;
	size_t i;

	json_array_foreach(jget(o, "lines"), i, l)
		if (ival(l, "line_no") == line_no)
			return l;
	return NULL;
}

/* The order's first fulfillment's id into out. */
static void ful_of(const json_t *o, char *out, size_t size)
{
	snprintf(out, size, "%s",
		 jstr(json_array_get(jget(o, "fulfillments"), 0), "id"));
}

static void ship(const char *ful, const char *sku, long qty)
{
	char path[160], body[256];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", ful);
	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"sku\": \"%s\", \"quantity\": %ld}], "
		 "\"carrier\": \"UPS\", \"tracking_number\": \"1Z%s%ld\"}",
		 sku, qty, sku, qty);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	resp_free(r);
}

/* ---- before release ------------------------------------------------------ */

API_TEST(every_kind_applies_at_once_before_release)
{
	json_t *body, *o;
	char *id;
	struct resp *r;
	char addr[512];

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-A", "CH-1", 20);
	make_sku(acme(), "CH-B", "CH-B", PRICE, 1);
	set_stock(acme(), "CH-1", "CH-B", 20);
	make_sku(acme(), "CH-C", "CH-C", "2.50", 1);
	set_stock(acme(), "CH-1", "CH-C", 20);
	body = order_one_line("CH-1", "CH-A", 3, PRICE);
	order_add_line(body, "CH-B", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "allocated") && ival(o, "version") >= 1,
	      "allocated, pending: %s", jstr(o, "state"));
	json_decref(o);

	/* quantity down: 2 units of line 1 cancelled, their stock back */
	o = change_ok(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
			  "\"quantity\": 1, \"reason\": \"customer asked\"}",
		      200);
	check(ival(line_of(o, 1), "cancelled") == 2 &&
		      ival(line_of(o, 1), "allocated") == 1 &&
		      streq(jstr(o, "totals.subtotal"), "30.00") &&
		      streq(jstr(o, "totals.total"), "35.00"),
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-A", "CH-1");
	json_decref(o);

	/* quantity up: the new units are allocated */
	o = change_ok(id, "{\"kind\": \"quantity\", \"line_no\": 2, "
			  "\"quantity\": 5, \"reason\": \"wants more\"}",
		      200);
	check(ival(line_of(o, 2), "allocated") == 5 &&
		      ival(line_of(o, 2), "quantity") == 5 &&
		      streq(jstr(o, "totals.subtotal"), "60.00"),
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-B", "CH-1");
	json_decref(o);

	/* a new line, then taken off again */
	o = change_ok(id, "{\"kind\": \"add_line\", \"reason\": \"upsell\", "
			  "\"line\": {\"sku\": \"CH-C\", \"quantity\": 4, "
			  "\"unit_price\": \"2.50\", \"title\": \"Cee\"}}",
		      200);
	check(ival(line_of(o, 3), "allocated") == 4 &&
		      streq(jstr(o, "totals.subtotal"), "70.00") &&
		      streq(jstr(o, "state"), "allocated"),
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-C", "CH-1");
	json_decref(o);
	o = change_ok(id, "{\"kind\": \"remove_line\", \"line_no\": 3, "
			  "\"reason\": \"changed mind\"}",
		      200);
	check(ival(line_of(o, 3), "cancelled") == 4 &&
		      streq(jstr(o, "totals.subtotal"), "60.00"),
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-C", "CH-1");
	json_decref(o);

	/* a new address: routed again, the same stock reserved */
	snprintf(addr, sizeof(addr),
		 "{\"kind\": \"ship_to\", \"reason\": \"moved\", \"ship_to\": "
		 "{\"name\": \"Ada Lovelace\", \"line1\": \"1 New Street\", "
		 "\"city\": \"Columbus\", \"region\": \"OH\", "
		 "\"postal_code\": \"43004\", \"country\": \"US\"}}");
	o = change_ok(id, addr, 200);
	check(streq(jstr(o, "ship_to.line1"), "1 New Street") &&
		      streq(jstr(o, "state"), "allocated"),
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-A", "CH-1");
	check_stock(o, "CH-B", "CH-1");
	json_decref(o);

	/* the shipping method and its amount */
	o = change_ok(id, "{\"kind\": \"shipping_method\", \"method\": "
			  "\"express\", \"amount\": \"9.00\", \"reason\": "
			  "\"in a hurry\"}",
		      200);
	check(streq(jstr(o, "shipping.method"), "express") &&
		      streq(jstr(o, "totals.shipping"), "9.00") &&
		      streq(jstr(o, "totals.total"), "69.00") &&
		      open_holds(o, NULL) == 0,
	      "%s", json_dumps(o, 0));
	json_decref(o);

	/* every change recorded: who, why, when asked and decided */
	r = http_get(acme(), "/v1/orders/%s/changes", id);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "changes")) == 6 &&
		      streq(jstr(r->json, "changes[0].kind"), "quantity") &&
		      streq(jstr(r->json, "changes[0].state"), "applied") &&
		      streq(jstr(r->json, "changes[0].reason"),
			    "customer asked") &&
		      is_rfc3339(jstr(r->json, "changes[0].requested_at")) &&
		      is_rfc3339(jstr(r->json, "changes[0].decided_at")) &&
		      jstr(r->json, "changes[0].requested_by")[0],
	      "%s", r->body);
	resp_free(r);
	{
		json_t *evs = order_events(acme(), id);

		check(event_find(evs, "changed", NULL) != NULL,
		      "a \"changed\" event");
		json_decref(evs);
	}
	free(id);
}

API_TEST(a_change_that_raises_a_hold_and_one_that_clears_it)
{
	json_t *body, *o;
	char *id;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-H", "CH-H1", 10);
	body = order_one_line("CH-H1", "CH-H", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);

	o = change_ok(id, "{\"kind\": \"add_line\", \"reason\": \"phone\", "
			  "\"line\": {\"sku\": \"NO-SUCH-SKU\", \"quantity\": "
			  "1, \"unit_price\": \"1.00\"}}",
		      200);
	check(streq(jstr(o, "state"), "on_hold") &&
		      open_holds(o, "unknown_sku") == 1,
	      "an unknown SKU holds it: %s", json_dumps(o, 0));
	check_stock(o, "CH-H", "CH-H1");
	json_decref(o);

	o = change_ok(id, "{\"kind\": \"remove_line\", \"line_no\": 2, "
			  "\"reason\": \"typo\"}",
		      200);
	check(streq(jstr(o, "state"), "allocated") &&
		      open_holds(o, NULL) == 0,
	      "the change clears what it raised: %s", json_dumps(o, 0));
	check_stock(o, "CH-H", "CH-H1");
	json_decref(o);
	free(id);
}

API_TEST(cancel_before_release_gives_the_stock_back)
{
	json_t *body, *o;
	char *id;
	struct resp *r;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-K", "CH-K1", 10);
	body = order_one_line("CH-K1", "CH-K", 4, PRICE);
	id = order_create(acme(), body);
	json_decref(body);

	/* some units of a line */
	r = post_to(id, "cancel",
		    "{\"reason\": \"short\", \"lines\": [{\"line_no\": 1, "
		    "\"quantity\": 1}]}",
		    NULL);
	assert_status(r, 200);
	o = json_incref(jget(r->json, "order"));
	resp_free(r);
	check(ival(line_of(o, 1), "cancelled") == 1 &&
		      ival(line_of(o, 1), "allocated") == 3,
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-K", "CH-K1");
	json_decref(o);

	/* the rest: the order is cancelled */
	r = post_to(id, "cancel", "{\"reason\": \"customer cancelled\"}",
		    NULL);
	assert_status(r, 200);
	o = json_incref(jget(r->json, "order"));
	resp_free(r);
	check(streq(jstr(o, "state"), "cancelled") &&
		      ival(line_of(o, 1), "cancelled") == 4,
	      "%s", json_dumps(o, 0));
	check_stock(o, "CH-K", "CH-K1");
	json_decref(o);

	/* nothing changes a cancelled order */
	r = post_to(id, "cancel", "{\"reason\": \"again\"}", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 2, \"reason\": \"x\"}");
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
	free(id);
}

/* ---- after release ------------------------------------------------------- */

API_TEST(after_release_the_warehouse_accepts_or_refuses)
{
	char agent[HARNESS_KEY_MAX], wh[HARNESS_KEY_MAX], chg[64], ful[64];
	json_t *body, *o;
	char *id;
	struct resp *r;

	key_create("acme", "agent", "chg-agent", agent, sizeof(agent));
	stocked("CH-R", "CH-R1", 10);
	key_create_at("acme", "integration", "chg-warehouse", "CH-R1", wh,
		      sizeof(wh));
	body = order_one_line("CH-R1", "CH-R", 5, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "released"), "%s", jstr(o, "state"));
	ful_of(o, ful, sizeof(ful));
	json_decref(o);

	/* a request; nothing changes yet */
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 3, \"reason\": \"fewer\"}");
	assert_status(r, 202);
	snprintf(chg, sizeof(chg), "%s", jstr(r->json, "change.id"));
	check(streq(jstr(r->json, "change.state"), "requested") &&
		      streq(jstr(r->json, "change.fulfillments[0]"), ful) &&
		      is_rfc3339(jstr(r->json, "change.due_at")) &&
		      ival(line_of(jget(r->json, "order"), 1), "released") ==
			      5,
	      "%s", r->body);
	resp_free(r);

	/* the order takes no other change while it waits */
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 4, \"reason\": \"other\"}");
	assert_error(r, 409, "conflict", NULL);
	check(strstr(jstr(r->json, "error.message"), chg) != NULL, "%s",
	      r->body);
	resp_free(r);

	r = http_get(acme(), "/v1/change-requests/%s", chg);
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "requested"), "%s", r->body);
	resp_free(r);

	/* the warehouse accepts: now the units go, their stock back */
	r = decide(wh, chg, "accept", "{}");
	assert_status(r, 200);
	o = json_incref(jget(r->json, "order"));
	check(streq(jstr(r->json, "change.state"), "accepted") &&
		      streq(jstr(r->json, "change.decided_by"),
			    "key:chg-warehouse") &&
		      ival(line_of(o, 1), "released") == 3 &&
		      ival(line_of(o, 1), "cancelled") == 2,
	      "%s", r->body);
	resp_free(r);
	check_stock(o, "CH-R", "CH-R1");
	json_decref(o);
	r = decide(wh, chg, "accept", "{}");
	assert_error(r, 409, "conflict", NULL);
	resp_free(r);

	/* a refusal holds the order for a person */
	r = change(id, "{\"kind\": \"shipping_method\", \"method\": "
		       "\"express\", \"reason\": \"hurry\"}");
	assert_status(r, 202);
	snprintf(chg, sizeof(chg), "%s", jstr(r->json, "change.id"));
	resp_free(r);
	r = decide(wh, chg, "refuse", "{}");
	assert_error(r, 400, "invalid_request", NULL);
	check(error_details_naming(r, "reason") == 1, "%s", r->body);
	resp_free(r);
	r = decide(wh, chg, "refuse", "{\"reason\": \"already picked\"}");
	assert_status(r, 200);
	o = json_incref(jget(r->json, "order"));
	check(streq(jstr(r->json, "change.state"), "refused") &&
		      streq(jstr(o, "state"), "on_hold") &&
		      open_holds(o, "change_after_release") == 1 &&
		      !streq(jstr(o, "shipping.method"), "express"),
	      "%s", r->body);
	check(streq(jstr(find_hold(o, "change_after_release"), "id"),
		    jstr(r->json, "change.hold_id")),
	      "the change names its hold: %s", r->body);
	resp_free(r);
	check_stock(o, "CH-R", "CH-R1");
	{
		char hold[64];

		hold_id_of(o, "change_after_release", hold, sizeof(hold));
		json_decref(o);
		r = hold_resolve(agent, hold, "approve", "told the customer",
				 NULL);
		assert_status(r, 200);
		check(streq(jstr(r->json, "order.state"), "released"), "%s",
		      r->body);
		resp_free(r);
	}
	free(id);
}

API_TEST(no_answer_in_the_window_expires_into_a_hold)
{
	json_t *body, *o;
	char *id, chg[64];
	struct resp *r;
	long i;

	settings_patch(acme(), "{\"change_window_s\": 600}");
	stocked("CH-E", "CH-E1", 10);
	body = order_one_line("CH-E1", "CH-E", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	r = post_to(id, "cancel", "{\"reason\": \"customer cancelled\"}",
		    NULL);
	assert_status(r, 202);
	snprintf(chg, sizeof(chg), "%s", jstr(r->json, "change.id"));
	check(streq(jstr(r->json, "change.kind"), "cancel"), "%s", r->body);
	resp_free(r);

	harness_clock_advance(601);
	for (i = 0; i < 100; i++) {
		r = http_get(acme(), "/v1/change-requests/%s", chg);
		if (streq(jstr(r->json, "state"), "expired"))
			break;
		resp_free(r);
		r = NULL;
		harness_sleep_ms(100);
	}
	check(r && streq(jstr(r->json, "decided_by"), "system") &&
		      jstr(r->json, "hold_id") != NULL,
	      "expired: %s", r ? r->body : "(still requested)");
	resp_free(r);
	o = order_fetch(acme(), id);
	check(streq(jstr(o, "state"), "on_hold") &&
		      open_holds(o, "change_after_release") == 1 &&
		      order_units(o, "released", NULL) == 2,
	      "held, nothing cancelled: %s", json_dumps(o, 0));
	{
		json_t *evs = order_events(acme(), id);

		check(event_find(evs, "change_expired", NULL) != NULL,
		      "the timeline says it expired");
		json_decref(evs);
	}
	check_stock(o, "CH-E", "CH-E1");
	json_decref(o);
	/* too late to accept it */
	r = decide(acme(), chg, "accept", "{}");
	assert_error(r, 409, "conflict", NULL);
	resp_free(r);
	free(id);
}

/*
 * The ids of items (change requests) that are among mine, in the list's
 * order, comma-joined into buf. Each is as GET /v1/change-requests/{id}
 * answers it, with its order (whose external id is in exts, as mine).
 */
static void mine_waiting(const json_t *items, char mine[][64],
			 const char *const *exts, size_t n_mine, char *buf,
			 size_t size)
{
	json_t *it;
	size_t i, k, len = 0;

	buf[0] = '\0';
	json_array_foreach(items, i, it) {
		json_t *alone;
		struct resp *r;

		check(streq(jstr(it, "state"), "requested"), "waiting only: %s",
		      json_dumps(it, 0));
		for (k = 0; k < n_mine; k++)
			if (streq(jstr(it, "id"), mine[k]))
				break;
		if (k == n_mine)
			continue;
		check(streq(jstr(it, "order.id"), jstr(it, "order_id")) &&
			      streq(jstr(it, "order.external_id"), exts[k]) &&
			      jstr(it, "order.customer_name") &&
			      jstr(it, "order.customer_name")[0],
		      "with its order: %s", json_dumps(it, 0));
		r = http_get(acme(), "/v1/change-requests/%s", mine[k]);
		assert_status(r, 200);
		alone = json_deep_copy(it);
		json_object_del(alone, "order");
		check(json_equal(r->json, alone),
		      "as it reads alone: %s and %s", r->body,
		      json_dumps(it, 0));
		json_decref(alone);
		resp_free(r);
		snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			 mine[k]);
		len = strlen(buf);
	}
}

API_TEST(waiting_requests_are_listed_oldest_due_first)
{
	static const char *const exts[] = {"CH-W1", "CH-W2", "CH-W3",
					   "CH-W4"};
	static const char *const windows[] = {
		"{\"change_window_s\": 7200}", "{\"change_window_s\": 600}",
		"{\"change_window_s\": 600}", "{\"change_window_s\": 60}"};
	char chg[4][64], viewer[HARNESS_KEY_MAX], wh[HARNESS_KEY_MAX];
	char want[512], got[512];
	json_t *all, *body;
	struct resp *r;
	char *id;
	int k;

	key_create("acme", "viewer", "chg-list-viewer", viewer,
		   sizeof(viewer));
	stocked("CH-W", "CH-W1", 40);
	key_create_at("acme", "integration", "chg-list-wh", "CH-W1", wh,
		      sizeof(wh));
	/* Asked in order, each with its window: the first is due last, the
	 * second and third at the same second (the clock held), the fourth
	 * first - and refused. */
	harness_clock_stop();
	for (k = 0; k < 4; k++) {
		body = order_one_line(exts[k], "CH-W", 2, PRICE);
		id = order_create(acme(), body);
		json_decref(body);
		settings_patch(acme(), windows[k]);
		r = post_to(id, "cancel", "{\"reason\": \"customer asked\"}",
			    NULL);
		assert_status(r, 202);
		snprintf(chg[k], sizeof(chg[k]), "%s",
			 jstr(r->json, "change.id"));
		resp_free(r);
		free(id);
	}
	harness_clock_run();
	r = decide(wh, chg[3], "refuse", "{\"reason\": \"already picked\"}");
	assert_status(r, 200);
	resp_free(r);

	/* oldest due first, then as asked; a page of one at a time */
	all = list_all(acme(), "/v1/change-requests", "change_requests", 1);
	mine_waiting(all, chg, exts, 4, got, sizeof(got));
	snprintf(want, sizeof(want), "%s,%s,%s", chg[1], chg[2], chg[0]);
	check(streq(got, want), "oldest due first: %s, not %s", got, want);
	json_decref(all);
	all = list_all(viewer, "/v1/change-requests", "change_requests", 50);
	mine_waiting(all, chg, exts, 4, got, sizeof(got));
	check(streq(got, want), "a viewer reads them: %s", got);
	json_decref(all);

	/* another tenant's list is its own */
	all = list_all(srv->key_globex, "/v1/change-requests",
		       "change_requests", 50);
	mine_waiting(all, chg, exts, 4, got, sizeof(got));
	check(streq(got, ""), "globex lists acme's: %s", got);
	json_decref(all);

	r = http_get(acme(), "/v1/change-requests?state=requested");
	assert_error(r, 400, "invalid_request", "state");
	resp_free(r);
	r = http_get(acme(), "/v1/change-requests?cursor=100.1");
	assert_error(r, 400, "invalid_request", "cursor");
	resp_free(r);
	/* a warehouse reads its requests one by one, not the tenant's */
	r = http_get(wh, "/v1/change-requests");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = http_get(wh, "/v1/change-requests/%s", chg[0]);
	assert_status(r, 200);
	resp_free(r);
}

/* ---- after shipment ------------------------------------------------------ */

API_TEST(shipped_units_are_refused_pointing_to_returns)
{
	json_t *body, *o;
	char *id, ful[64];
	struct resp *r;

	stocked("CH-S", "CH-S1", 10);
	body = order_one_line("CH-S1", "CH-S", 3, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	ful_of(o, ful, sizeof(ful));
	json_decref(o);
	ship(ful, "CH-S", 2);

	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 1, \"reason\": \"less\"}");
	assert_error(r, 409, "invalid_state_transition", NULL);
	check(strstr(jstr(r->json, "error.message"), "/returns") != NULL,
	      "%s", r->body);
	resp_free(r);
	r = post_to(id, "cancel", "{\"reason\": \"too late\"}", NULL);
	assert_error(r, 409, "invalid_state_transition", NULL);
	check(strstr(jstr(r->json, "error.message"), "/returns") != NULL,
	      "%s", r->body);
	resp_free(r);

	ship(ful, "CH-S", 1);
	o = order_wait_state(acme(), id, "shipped", 5000);
	check(streq(jstr(o, "state"), "shipped"), "%s", jstr(o, "state"));
	json_decref(o);
	r = change(id, "{\"kind\": \"shipping_method\", \"method\": "
		       "\"express\", \"reason\": \"late\"}");
	assert_error(r, 409, "invalid_state_transition", NULL);
	resp_free(r);
	free(id);
}

/* A held order whose only units left have shipped goes on to shipped
 * when its hold is resolved. */
API_TEST(a_held_order_left_with_shipped_units_ships)
{
	char agent[HARNESS_KEY_MAX], hold[64], ful[64];
	json_t *body, *o;
	char *id;
	struct resp *r;

	key_create("acme", "agent", "ship-agent", agent, sizeof(agent));
	stocked("CH-G", "CH-G1", 10);
	make_sku(acme(), "CH-G0", "CH-G0", PRICE, 1); /* no stock anywhere */
	body = order_one_line("CH-G", "CH-G", 2, PRICE);
	order_add_line(body, "CH-G0", 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	ful_of(o, ful, sizeof(ful));
	json_decref(o);
	ship(ful, "CH-G", 2);
	r = post_to(id, "holds", "{\"type\": \"policy_exception\", "
				 "\"reason\": \"customer called\"}",
		    NULL);
	assert_status(r, 201);
	resp_free(r);
	r = post_to(id, "cancel",
		    "{\"reason\": \"will not wait\", \"lines\": "
		    "[{\"line_no\": 2, \"quantity\": 1}]}",
		    NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "order.state"), "on_hold"), "%s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	hold_id_of(o, "policy_exception", hold, sizeof(hold));
	json_decref(o);
	r = hold_resolve(agent, hold, "approve", "go on", NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "order.state"), "shipped"), "%s", r->body);
	resp_free(r);
	free(id);
}

/* Cancelling every unit, line by line, cancels the order: its holds
 * resolved, never accepted on the way. */
API_TEST(cancelling_every_unit_cancels_the_order)
{
	json_t *body, *o;
	char *id;
	struct resp *r;

	/* never accepted: its only line has an unknown SKU */
	body = order_one_line("CH-N1", "NO-SUCH-SKU", 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	r = change(id, "{\"kind\": \"remove_line\", \"line_no\": 1, "
		       "\"reason\": \"typo\"}");
	assert_status(r, 200);
	o = jget(r->json, "order");
	check(streq(jstr(o, "state"), "cancelled") &&
		      open_holds(o, NULL) == 0 &&
		      jget(o, "accepted_at") == json_null(),
	      "%s", r->body);
	resp_free(r);
	free(id);

	/* held for stock, then every unit taken off */
	settings_patch(acme(), "{\"backorder_mode\": \"hold\"}");
	make_sku(acme(), "CH-N2", "CH-N2", PRICE, 1);
	body = order_one_line("CH-N2", "CH-N2", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	check(open_holds(o, "insufficient_stock") == 1, "%s", jstr(o, "state"));
	json_decref(o);
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 1, \"reason\": \"fewer\"}");
	assert_status(r, 200);
	resp_free(r);
	r = post_to(id, "cancel",
		    "{\"reason\": \"none\", \"lines\": [{\"line_no\": 1, "
		    "\"quantity\": 1}]}",
		    NULL);
	assert_status(r, 200);
	o = jget(r->json, "order");
	check(streq(jstr(o, "state"), "cancelled") &&
		      open_holds(o, NULL) == 0,
	      "%s", r->body);
	resp_free(r);
	free(id);
}

/* What a request would do is checked when it is asked: money in the
 * order's currency. */
API_TEST(a_request_is_checked_before_it_is_asked)
{
	json_t *body;
	char *id;
	struct resp *r;

	stocked("CH-M", "CH-M1", 10);
	body = order_one_line("CH-M", "CH-M", 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	r = change(id, "{\"kind\": \"shipping_method\", \"method\": "
		       "\"express\", \"amount\": \"9.999\", \"reason\": "
		       "\"x\"}");
	assert_error(r, 400, "invalid_request", "amount");
	resp_free(r);
	r = change(id, "{\"kind\": \"shipping_method\", \"method\": "
		       "\"express\", \"amount\": \"\", \"reason\": \"x\"}");
	assert_error(r, 400, "invalid_request", "amount");
	resp_free(r);
	r = post_to(id, "cancel", "{\"reason\": \"x\", \"lines\": null}",
		    NULL);
	assert_error(r, 400, "invalid_request", "lines");
	resp_free(r);
	r = http_get(acme(), "/v1/orders/%s/changes", id);
	check(json_array_size(jget(r->json, "changes")) == 0, "%s", r->body);
	resp_free(r);
	free(id);
}

/* An accept that comes after the units shipped is refused, saying why. */
API_TEST(an_accept_after_shipment_is_refused_saying_why)
{
	json_t *body, *o;
	char *id, chg[64], ful[64];
	struct resp *r;

	stocked("CH-L", "CH-L1", 10);
	body = order_one_line("CH-L", "CH-L", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	ful_of(o, ful, sizeof(ful));
	json_decref(o);
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 1, \"reason\": \"fewer\"}");
	assert_status(r, 202);
	snprintf(chg, sizeof(chg), "%s", jstr(r->json, "change.id"));
	resp_free(r);
	ship(ful, "CH-L", 2);
	r = decide(acme(), chg, "accept", "{}");
	assert_error(r, 409, "conflict", NULL);
	check(strstr(jstr(r->json, "error.message"), "can no longer be made") &&
		      strstr(jstr(r->json, "error.message"), "/returns"),
	      "%s", r->body);
	resp_free(r);
	/* refused now, the order is past holding: the end is recorded */
	r = decide(acme(), chg, "refuse", "{\"reason\": \"shipped\"}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "change.state"), "refused") &&
		      jget(r->json, "change.hold_id") == json_null() &&
		      streq(jstr(r->json, "order.state"), "shipped"),
	      "%s", r->body);
	resp_free(r);
	free(id);
}

/* An order takes at most 200 changes; its list shows them all. */
API_TEST(an_order_takes_at_most_200_changes)
{
	json_t *body;
	char *id;
	struct resp *r;
	int i;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-Z", "CH-Z1", 1000);
	body = order_one_line("CH-Z", "CH-Z", 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	for (i = 0; i < 200; i++) {
		char b[128];

		snprintf(b, sizeof(b),
			 "{\"kind\": \"quantity\", \"line_no\": 1, "
			 "\"quantity\": %d, \"reason\": \"again\"}",
			 i % 2 ? 1 : 2);
		r = change(id, b);
		assert_status(r, 200);
		resp_free(r);
	}
	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 5, \"reason\": \"one more\"}");
	assert_error(r, 400, "limit_exceeded", NULL);
	resp_free(r);
	r = http_get(acme(), "/v1/orders/%s/changes", id);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "changes")) == 200, "%zu",
	      json_array_size(jget(r->json, "changes")));
	resp_free(r);
	free(id);
}

/* ---- versions and races -------------------------------------------------- */

API_TEST(if_match_refuses_a_stale_edit)
{
	json_t *body, *o;
	char *id, v[32], etag[32];
	struct resp *r;
	long version;

	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-V", "CH-V1", 10);
	body = order_one_line("CH-V1", "CH-V", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	r = http_get(acme(), "/v1/orders/%s", id);
	assert_status(r, 200);
	version = ival(r->json, "version");
	snprintf(v, sizeof(v), "\"%ld\"", version);
	check(resp_header(r, "ETag", etag, sizeof(etag)) == 1 &&
		      streq(etag, v),
	      "ETag %s, version %ld", etag, version);
	resp_free(r);

	r = post_to(id, "changes",
		    "{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": "
		    "3, \"reason\": \"more\"}",
		    v);
	assert_status(r, 200);
	check(ival(r->json, "order.version") == version + 1, "%s", r->body);
	resp_free(r);
	/* the same version again is stale now */
	r = post_to(id, "changes",
		    "{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": "
		    "4, \"reason\": \"more\"}",
		    v);
	assert_error(r, 412, "precondition_failed", NULL);
	resp_free(r);
	r = post_to(id, "holds", "{\"type\": \"policy_exception\", "
				 "\"reason\": \"wait\"}",
		    v);
	assert_error(r, 412, "precondition_failed", NULL);
	resp_free(r);
	r = post_to(id, "changes",
		    "{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": "
		    "4, \"reason\": \"more\"}",
		    "seven");
	assert_error(r, 400, "invalid_request", NULL);
	check(error_details_naming(r, "If-Match") == 1 ||
		      streq(jstr(r->json, "error.details[0].field"),
			    "If-Match"),
	      "%s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(ival(line_of(o, 1), "quantity") == 3, "%s", json_dumps(o, 0));
	check_stock(o, "CH-V", "CH-V1");
	json_decref(o);
	free(id);
}

#define RACERS 8

struct racer {
	pthread_t thread;
	pthread_barrier_t *start;
	const char *path;
	char body[256];
	const char *version;
	long status;
};

static void *racer_run(void *arg)
{
	struct racer *c = arg;
	char header[64];
	const char *headers[] = {header, NULL};
	struct resp *r;

	snprintf(header, sizeof(header), "If-Match: %s",
		 c->version ? c->version : "*");
	pthread_barrier_wait(c->start);
	r = http("POST", c->path, acme(), c->body, strlen(c->body), headers);
	c->status = r->status;
	resp_free(r);
	return NULL;
}

static void race(struct racer *cl, int n)
{
	pthread_barrier_t start;
	int i;

	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (i = 0; i < n; i++) {
		cl[i].start = &start;
		pthread_create(&cl[i].thread, NULL, racer_run, &cl[i]);
	}
	for (i = 0; i < n; i++)
		pthread_join(cl[i].thread, NULL);
	pthread_barrier_destroy(&start);
}

API_TEST(of_changes_sent_at_once_with_one_version_one_wins)
{
	for (int round = 0; round < 3; round++) {
		struct racer cl[RACERS];
		char ext[32], path[128], v[32];
		json_t *body, *o;
		char *id;
		int wins = 0, stale = 0, i;

		/* A SKU of each round's own, for its stock to be the one
		 * order's. */
		settings_patch(acme(), "{\"release_mode\": \"wave\"}");
		snprintf(ext, sizeof(ext), "CH-X-%d", round);
		stocked(ext, "CH-X1", 1000);
		body = order_one_line(ext, ext, 2, PRICE);
		id = order_create(acme(), body);
		json_decref(body);
		o = order_fetch(acme(), id);
		snprintf(v, sizeof(v), "\"%ld\"", ival(o, "version"));
		json_decref(o);
		snprintf(path, sizeof(path), "/v1/orders/%s/changes", id);
		memset(cl, 0, sizeof(cl));
		for (i = 0; i < RACERS; i++) {
			cl[i].path = path;
			cl[i].version = v;
			snprintf(cl[i].body, sizeof(cl[i].body),
				 "{\"kind\": \"quantity\", \"line_no\": 1, "
				 "\"quantity\": %d, \"reason\": \"racer\"}",
				 3 + i);
		}
		race(cl, RACERS);
		for (i = 0; i < RACERS; i++) {
			wins += cl[i].status == 200;
			stale += cl[i].status == 412;
		}
		check(wins == 1 && stale == RACERS - 1,
		      "round %d: %d won, %d stale", round, wins, stale);
		o = order_fetch(acme(), id);
		check(ival(line_of(o, 1), "quantity") >= 3, "%s",
		      json_dumps(o, 0));
		check_stock(o, ext, "CH-X1");
		json_decref(o);
		free(id);
	}
}

API_TEST(a_cancel_racing_a_wave_ends_one_way)
{
	for (int round = 0; round < 8; round++) {
		struct racer cl[2];
		char ext[32], cancel_path[128];
		json_t *body, *o;
		char *id;

		settings_patch(acme(), "{\"release_mode\": \"wave\"}");
		snprintf(ext, sizeof(ext), "CH-W-%d", round);
		stocked(ext, "CH-W1", 1000);
		body = order_one_line(ext, ext, 2, PRICE);
		id = order_create(acme(), body);
		json_decref(body);
		snprintf(cancel_path, sizeof(cancel_path),
			 "/v1/orders/%s/cancel", id);
		memset(cl, 0, sizeof(cl));
		cl[0].path = cancel_path;
		snprintf(cl[0].body, sizeof(cl[0].body),
			 "{\"reason\": \"race\"}");
		cl[1].path = "/v1/waves";
		snprintf(cl[1].body, sizeof(cl[1].body),
			 "{\"location\": \"CH-W1\"}");
		race(cl, 2);
		o = order_fetch(acme(), id);
		/* Cancelled before the wave (200), or a request after it
		 * (202) with the order released and untouched. */
		check((cl[0].status == 200 &&
		       streq(jstr(o, "state"), "cancelled")) ||
			      (cl[0].status == 202 &&
			       streq(jstr(o, "state"), "released") &&
			       order_units(o, "released", NULL) == 2),
		      "round %d: cancel %ld, order %s", round, cl[0].status,
		      jstr(o, "state"));
		check(cl[1].status == 200 || cl[1].status == 201, "wave %ld",
		      cl[1].status);
		check_stock(o, ext, "CH-W1");
		json_decref(o);
		free(id);
	}
}

/* A warehouse's accept of a cancellation crossing its own shipment of
 * the same units: one of them wins, the other is refused, and the order,
 * its fulfillment and the stock agree with the winner. */
API_TEST(an_accept_crossing_a_shipment_ends_one_way)
{
	for (int round = 0; round < 8; round++) {
		struct racer cl[2];
		char ext[32], accept_path[128], ship_path[128], ful[64];
		json_t *body, *o;
		struct resp *r;
		char *id;

		snprintf(ext, sizeof(ext), "CH-Y-%d", round);
		stocked(ext, "CH-Y1", 1000);
		body = order_one_line(ext, ext, 2, PRICE);
		id = order_create(acme(), body);
		json_decref(body);
		o = order_fetch(acme(), id);
		ful_of(o, ful, sizeof(ful));
		json_decref(o);
		r = post_to(id, "cancel", "{\"reason\": \"race\"}", NULL);
		assert_status(r, 202);
		snprintf(accept_path, sizeof(accept_path),
			 "/v1/change-requests/%s/accept",
			 jstr(r->json, "change.id"));
		resp_free(r);
		snprintf(ship_path, sizeof(ship_path),
			 "/v1/fulfillments/%s/shipments", ful);
		memset(cl, 0, sizeof(cl));
		cl[0].path = accept_path;
		snprintf(cl[0].body, sizeof(cl[0].body), "{}");
		cl[1].path = ship_path;
		snprintf(cl[1].body, sizeof(cl[1].body),
			 "{\"lines\": [{\"sku\": \"%s\", \"quantity\": 2}], "
			 "\"carrier\": \"UPS\"}",
			 ext);
		race(cl, 2);
		o = order_fetch(acme(), id);
		check((cl[0].status == 200 && cl[1].status == 409 &&
		       streq(jstr(o, "state"), "cancelled") &&
		       streq(jstr(o, "fulfillments[0].state"), "cancelled")) ||
			      (cl[1].status == 201 && cl[0].status == 409 &&
			       streq(jstr(o, "state"), "shipped") &&
			       order_units(o, "cancelled", NULL) == 0),
		      "round %d: accept %ld, shipment %ld, order %s", round,
		      cl[0].status, cl[1].status, jstr(o, "state"));
		check_stock(o, ext, "CH-Y1");
		json_decref(o);
		free(id);
	}
}

/* ---- holds by hand -------------------------------------------------------- */

API_TEST(a_person_holds_an_order_and_releases_it)
{
	char agent[HARNESS_KEY_MAX], wh[HARNESS_KEY_MAX], hold[64];
	json_t *body, *o;
	char *id;
	struct resp *r;

	key_create("acme", "agent", "hold-agent", agent, sizeof(agent));
	settings_patch(acme(), "{\"release_mode\": \"wave\"}");
	stocked("CH-P", "CH-P1", 10);
	key_create_at("acme", "integration", "hold-warehouse", "CH-P1", wh,
		      sizeof(wh));
	body = order_one_line("CH-P1", "CH-P", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);

	r = post_to(id, "holds", "{\"type\": \"policy_exception\"}", NULL);
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);
	{
		char path[128];
		const char *b = "{\"type\": \"policy_exception\", \"reason\": "
				"\"customer called: wait\"}";

		snprintf(path, sizeof(path), "/v1/orders/%s/holds", id);
		r = http("POST", path, wh, b, strlen(b), NULL);
		assert_error(r, 403, "forbidden", NULL);
		resp_free(r);
		r = http("POST", path, agent, b, strlen(b), NULL);
	}
	assert_status(r, 201);
	o = json_incref(jget(r->json, "order"));
	check(streq(jstr(r->json, "hold.type"), "policy_exception") &&
		      streq(jstr(r->json, "hold.rule_id"),
			    "manual.policy_exception") &&
		      streq(jstr(o, "state"), "on_hold"),
	      "%s", r->body);
	resp_free(r);
	/* it keeps its stock while held, and no wave releases it */
	check_stock(o, "CH-P", "CH-P1");
	check(order_units(o, "allocated", NULL) == 2, "kept");
	json_decref(o);
	r = http("POST", "/v1/waves", acme(), "{\"location\": \"CH-P1\"}",
		 strlen("{\"location\": \"CH-P1\"}"), NULL);
	check(r->status == 200 || r->status == 201, "%s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(order_units(o, "released", NULL) == 0, "held back from the wave");
	hold_id_of(o, "policy_exception", hold, sizeof(hold));
	json_decref(o);
	{
		json_t *evs = order_events(acme(), id);
		json_t *e = event_find(evs, "hold_raised", hold);

		check(e && streq(jstr(e, "actor"), "key:hold-agent") &&
			      streq(jstr(e, "message"),
				    "customer called: wait"),
		      "the timeline says who held it and why");
		json_decref(evs);
	}
	r = hold_resolve(agent, hold, "approve", "customer confirmed", NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "order.state"), "allocated"), "%s",
	      r->body);
	resp_free(r);
	free(id);
}

/* ---- webhooks ---------------------------------------------------------------- */

/* A webhook of acme's for events (JSON text), of location (or NULL), to a
 * receiver that is not there: its deliveries wait, listed. */
static void hook(const char *events, const char *location, char *id,
		 size_t size)
{
	char body[1024];
	struct resp *r;

	snprintf(body, sizeof(body),
		 "{\"url\": \"http://127.0.0.1:9/hook\", \"events\": %s%s%s%s}",
		 events, location ? ", \"location\": \"" : "",
		 location ? location : "", location ? "\"" : "");
	r = http("POST", "/v1/webhooks", acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	snprintf(id, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

/* How many deliveries to webhook whk are of event type. */
static size_t delivered_of(const char *whk, const char *type)
{
	json_t *all = list_all(acme(), "/v1/webhooks/deliveries",
			       "deliveries", 200), *d;
	size_t i, n = 0;

	json_array_foreach(all, i, d)
		n += streq(jstr(d, "webhook_id"), whk) &&
		     streq(jstr(d, "event_type"), type);
	json_decref(all);
	return n;
}

static void unhook(const char *id)
{
	char path[128];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/webhooks/%s", id);
	r = http("DELETE", path, acme(), NULL, 0, NULL);
	resp_free(r);
}

/* Each step tells its subscribers: the tenant's webhook and the
 * warehouse's handoff. */
API_TEST(changes_and_returns_are_told_by_webhooks)
{
	char all[64], handoff[64], chg[64], ful[64];
	json_t *body, *o;
	char *id;
	struct resp *r;

	stocked("CH-WH", "CH-WH1", 10);
	hook("[\"order.changed\", \"change_request.requested\", "
	     "\"change_request.refused\", \"change_request.accepted\", "
	     "\"return.authorized\", \"return.received\", "
	     "\"return.refunded\"]",
	     NULL, all, sizeof(all));
	hook("[\"fulfillment.change_requested\"]", "CH-WH1", handoff,
	     sizeof(handoff));
	body = order_one_line("CH-WH", "CH-WH", 3, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_fetch(acme(), id);
	ful_of(o, ful, sizeof(ful));
	json_decref(o);

	r = change(id, "{\"kind\": \"quantity\", \"line_no\": 1, "
		       "\"quantity\": 2, \"reason\": \"fewer\"}");
	assert_status(r, 202);
	snprintf(chg, sizeof(chg), "%s", jstr(r->json, "change.id"));
	resp_free(r);
	check(delivered_of(all, "change_request.requested") == 1 &&
		      delivered_of(handoff, "fulfillment.change_requested") ==
			      1,
	      "requested: told");
	r = decide(acme(), chg, "accept", "{}");
	assert_status(r, 200);
	resp_free(r);
	check(delivered_of(all, "change_request.accepted") == 1 &&
		      delivered_of(all, "order.changed") == 1,
	      "accepted and changed: told");

	ship(ful, "CH-WH", 2);
	r = post_to(id, "returns",
		    "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		    "\"reason\": \"damaged\"}",
		    NULL);
	assert_status(r, 201);
	resp_free(r);
	check(delivered_of(all, "return.authorized") == 1, "return: told");
	unhook(all);
	unhook(handoff);
	free(id);
}

/* ---- strictness and tenancy ---------------------------------------------- */

API_TEST(bad_changes_are_refused_naming_the_member)
{
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
		{"{\"kind\": \"ship_to\", \"reason\": \"x\", \"quantity\": 2, "
		 "\"ship_to\": {\"city\": \"A\"}}",
		 "quantity"},
		{"{\"kind\": \"quantity\", \"line_no\": 1, \"reason\": \"x\"}",
		 "quantity"},
		{"{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": 2}",
		 "reason"},
		{"{\"kind\": \"resize\", \"reason\": \"x\"}", "kind"},
		{"{\"kind\": \"ship_to\", \"reason\": \"x\", \"ship_to\": "
		 "{\"contry\": \"US\"}}",
		 "ship_to.contry"},
		{"{\"kind\": \"add_line\", \"reason\": \"x\", \"line\": "
		 "{\"sku\": \"A\", \"quantity\": 1, \"unit_price\": \"1,00\"}}",
		 "line.unit_price"},
		{"{\"kind\": \"cancel\", \"reason\": \"x\"}", "kind"},
		{"{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": 2, "
		 "\"reason\": \"x\", \"version\": 3}",
		 "version"},
	};
	json_t *body;
	char *id;
	size_t i;

	stocked("CH-B1", "CH-BL", 10);
	body = order_one_line("CH-BAD", "CH-B1", 2, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp *r = change(id, bad[i].body);

		assert_error(r, 400, "invalid_request", NULL);
		check(error_details_naming(r, bad[i].field) >= 1 ||
			      streq(jstr(r->json, "error.field"),
				    bad[i].field),
		      "%s: %s", bad[i].body, r->body);
		resp_free(r);
	}
	{
		struct resp *r = post_to(id, "cancel",
					 "{\"reason\": \"x\", \"lines\": []}",
					 NULL);

		assert_error(r, 400, "invalid_request", NULL);
		resp_free(r);
		r = post_to(id, "cancel",
			    "{\"reason\": \"x\", \"lines\": [{\"line_no\": 9, "
			    "\"quantity\": 1}]}",
			    NULL);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
	}
	{
		json_t *o = order_fetch(acme(), id);

		check(ival(line_of(o, 1), "cancelled") == 0, "nothing done");
		json_decref(o);
	}
	free(id);
}

API_TEST(another_tenants_orders_and_requests_are_404)
{
	json_t *body;
	char *id, path[160];
	struct resp *r;
	const char *b = "{\"reason\": \"x\"}";

	stocked("CH-T", "CH-T1", 10);
	body = order_one_line("CH-T", "CH-T", 1, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	r = post_to(id, "cancel", b, NULL);
	assert_status(r, 202);
	snprintf(path, sizeof(path), "/v1/change-requests/%s/accept",
		 jstr(r->json, "change.id"));
	resp_free(r);
	r = http("POST", path, srv->key_globex, "{}", 2, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/orders/%s/cancel", id);
	r = http("POST", path, srv->key_globex, b, strlen(b), NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http_get(srv->key_globex, "/v1/orders/%s/changes", id);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(
			every_kind_applies_at_once_before_release,
			settings_reset),
		cmocka_unit_test_teardown(
			a_change_that_raises_a_hold_and_one_that_clears_it,
			settings_reset),
		cmocka_unit_test_teardown(
			cancel_before_release_gives_the_stock_back,
			settings_reset),
		cmocka_unit_test(after_release_the_warehouse_accepts_or_refuses),
		cmocka_unit_test_teardown(
			no_answer_in_the_window_expires_into_a_hold,
			settings_reset),
		cmocka_unit_test_teardown(
			waiting_requests_are_listed_oldest_due_first,
			settings_reset),
		cmocka_unit_test(shipped_units_are_refused_pointing_to_returns),
		cmocka_unit_test(a_held_order_left_with_shipped_units_ships),
		cmocka_unit_test_teardown(
			cancelling_every_unit_cancels_the_order,
			settings_reset),
		cmocka_unit_test(a_request_is_checked_before_it_is_asked),
		cmocka_unit_test(
			an_accept_after_shipment_is_refused_saying_why),
		cmocka_unit_test_teardown(an_order_takes_at_most_200_changes,
					  settings_reset),
		cmocka_unit_test_teardown(if_match_refuses_a_stale_edit,
					  settings_reset),
		cmocka_unit_test_teardown(
			of_changes_sent_at_once_with_one_version_one_wins,
			settings_reset),
		cmocka_unit_test_teardown(a_cancel_racing_a_wave_ends_one_way,
					  settings_reset),
		cmocka_unit_test(an_accept_crossing_a_shipment_ends_one_way),
		cmocka_unit_test_teardown(
			a_person_holds_an_order_and_releases_it,
			settings_reset),
		cmocka_unit_test(changes_and_returns_are_told_by_webhooks),
		cmocka_unit_test(bad_changes_are_refused_naming_the_member),
		cmocka_unit_test(another_tenants_orders_and_requests_are_404),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
