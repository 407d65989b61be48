/*
 * test_returns.c - returns of what shipped:
 *
 *   authorised   against each line's shipped units not yet under a
 *                return; more is refused naming the line
 *   received     restocked units back into the location's stock (an
 *                adjustment, reason "return"), others not; a receipt
 *                of more than is due refused
 *   refunded     an amount recorded once, never more than the order's
 *                total less what was refunded
 *   claims       wrong_item and missing_item record a defect too
 *   the list     the tenant's returns newest first, each as it reads
 *                alone, in one state or any, a page at a time; people
 *                of every role read it, an integration key does not
 *   strictness   every bad body refused, naming the member; another
 *                tenant's returns are 404
 *
 * The line identity holds after every step.
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

/* A released order of qty x sku, alone at its location; *ful its
 * fulfillment. Returns the order id (free()). */
static char *released(const char *sku, const char *loc, long qty, char *ful,
		      size_t size)
{
	json_t *body, *o;
	char *id;

	make_sku(acme(), sku, sku, PRICE, 1);
	make_location_serving(acme(), loc, 5, NULL);
	set_stock(acme(), loc, sku, 100);
	body = order_one_line(sku, sku, qty, PRICE);
	id = order_create(acme(), body);
	json_decref(body);
	o = order_wait_state(acme(), id, "released", 5000);
	snprintf(ful, size, "%s", jstr(o, "fulfillments[0].id"));
	json_decref(o);
	return id;
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

/* POST body to path with its "%s" replaced by id. */
static struct resp *post(const char *path, const char *id, const char *body)
{
	const char *at = strstr(path, "%s");
	char full[160];

	snprintf(full, sizeof(full), "%.*s%s%s", (int)(at - path), path, id,
		 at + 2);
	return http("POST", full, acme(), body, strlen(body), NULL);
}

static struct resp *authorize(const char *order, long qty,
			      const char *reason)
{
	char body[256];

	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": %ld}], "
		 "\"reason\": \"%s\", \"note\": \"customer says so\"}",
		 qty, reason);
	return post("/v1/orders/%s/returns", order, body);
}

API_TEST(returns_are_authorised_against_shipped_units)
{
	char ful[64], ret[64];
	char *id = released("RT-A", "RT-A1", 3, ful, sizeof(ful));
	struct resp *r;
	json_t *o;

	/* nothing shipped yet */
	r = authorize(id, 1, "damaged");
	assert_error(r, 409, "invalid_state_transition", "lines[0].quantity");
	resp_free(r);
	ship(ful, "RT-A", 2);
	r = authorize(id, 3, "damaged");
	assert_error(r, 409, "invalid_state_transition", "lines[0].quantity");
	resp_free(r);
	r = authorize(id, 2, "damaged");
	assert_status(r, 201);
	snprintf(ret, sizeof(ret), "%s", jstr(r->json, "id"));
	check(streq(jstr(r->json, "state"), "authorized") &&
		      streq(jstr(r->json, "reason"), "damaged") &&
		      ival(r->json, "lines[0].quantity") == 2 &&
		      streq(jstr(r->json, "lines[0].sku"), "RT-A") &&
		      jget(r->json, "defect_id") == json_null(),
	      "%s", r->body);
	resp_free(r);
	o = order_fetch(acme(), id);
	check(ival(o, "lines[0].returned") == 2, "%s", json_dumps(o, 0));
	json_decref(o);
	/* both shipped units are under the return now */
	r = authorize(id, 1, "not_wanted");
	assert_error(r, 409, "invalid_state_transition", "lines[0].quantity");
	resp_free(r);
	ship(ful, "RT-A", 1);
	r = authorize(id, 1, "not_wanted");
	assert_status(r, 201);
	resp_free(r);

	r = http_get(acme(), "/v1/orders/%s/returns", id);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "returns")) == 2 &&
		      streq(jstr(r->json, "returns[0].id"), ret),
	      "%s", r->body);
	resp_free(r);
	{
		json_t *evs = order_events(acme(), id);

		check(event_find(evs, "return_authorized", NULL) != NULL,
		      "on the timeline");
		json_decref(evs);
	}
	free(id);
}

API_TEST(received_units_go_back_into_stock_when_restocked)
{
	char ful[64], ret[64];
	char *id = released("RT-B", "RT-B1", 3, ful, sizeof(ful));
	struct resp *r;
	long on_hand;

	ship(ful, "RT-B", 3);
	r = authorize(id, 3, "damaged");
	assert_status(r, 201);
	snprintf(ret, sizeof(ret), "%s", jstr(r->json, "id"));
	resp_free(r);
	on_hand = stock_figure(acme(), "RT-B", "RT-B1", "on_hand");

	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 2}], "
		 "\"restock\": true, \"location\": \"RT-B1\"}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "partly_received") &&
		      ival(r->json, "lines[0].received") == 2 &&
		      ival(r->json, "lines[0].restocked") == 2 &&
		      is_rfc3339(jstr(r->json, "received_at")),
	      "%s", r->body);
	resp_free(r);
	check(stock_figure(acme(), "RT-B", "RT-B1", "on_hand") == on_hand + 2,
	      "restocked");

	/* the last one is broken: back, not into stock */
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 2}], "
		 "\"restock\": false}");
	assert_error(r, 409, "invalid_state_transition", "lines[0].quantity");
	resp_free(r);
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": false}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "received") &&
		      ival(r->json, "lines[0].received") == 3 &&
		      ival(r->json, "lines[0].restocked") == 2,
	      "%s", r->body);
	resp_free(r);
	check(stock_figure(acme(), "RT-B", "RT-B1", "on_hand") == on_hand + 2,
	      "not restocked");
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": false}");
	assert_error(r, 409, "invalid_state_transition", "state");
	resp_free(r);
	/* an unknown location changes nothing */
	free(id);
	id = released("RT-C", "RT-C1", 1, ful, sizeof(ful));
	ship(ful, "RT-C", 1);
	r = authorize(id, 1, "damaged");
	snprintf(ret, sizeof(ret), "%s", jstr(r->json, "id"));
	resp_free(r);
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": true, \"location\": \"NO-SUCH\"}");
	assert_error(r, 404, "not_found", "location");
	resp_free(r);
	r = http_get(acme(), "/v1/returns/%s", ret);
	check(streq(jstr(r->json, "state"), "authorized"), "%s", r->body);
	resp_free(r);
	free(id);
}

API_TEST(a_refund_is_recorded_once_within_the_total)
{
	char ful[64], ret[64];
	char *id = released("RT-D", "RT-D1", 2, ful, sizeof(ful));
	struct resp *r;
	json_t *o;

	ship(ful, "RT-D", 2);
	r = authorize(id, 1, "not_wanted");
	snprintf(ret, sizeof(ret), "%s", jstr(r->json, "id"));
	resp_free(r);
	o = order_fetch(acme(), id);
	json_decref(o);

	r = post("/v1/returns/%s/refund", ret,
		 "{\"amount\": \"10.005\", \"reference\": \"RF-1\"}");
	assert_error(r, 400, "invalid_request", "amount");
	resp_free(r);
	r = post("/v1/returns/%s/refund", ret,
		 "{\"amount\": \"999.00\", \"reference\": \"RF-1\"}");
	assert_error(r, 409, "conflict", "amount");
	resp_free(r);
	r = post("/v1/returns/%s/refund", ret,
		 "{\"amount\": \"10.00\", \"reference\": \"RF-1\"}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "refunded") &&
		      streq(jstr(r->json, "refund_amount"), "10.00") &&
		      streq(jstr(r->json, "refund_reference"), "RF-1") &&
		      is_rfc3339(jstr(r->json, "refunded_at")),
	      "%s", r->body);
	resp_free(r);
	r = post("/v1/returns/%s/refund", ret, "{\"amount\": \"1.00\"}");
	assert_error(r, 409, "invalid_state_transition", "state");
	resp_free(r);
	/* What comes back after the refund is still received. */
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": false}");
	assert_status(r, 200);
	check(streq(jstr(r->json, "state"), "refunded") &&
		      ival(r->json, "lines[0].received") == 1,
	      "%s", r->body);
	resp_free(r);
	free(id);
}

struct receiver {
	pthread_t thread;
	pthread_barrier_t *start;
	char path[160];
	long status;
};

static void *receive_run(void *arg)
{
	struct receiver *c = arg;
	const char *b = "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
			"\"restock\": true, \"location\": \"RT-G1\"}";
	struct resp *r;

	pthread_barrier_wait(c->start);
	r = http("POST", c->path, acme(), b, strlen(b), NULL);
	c->status = r->status;
	resp_free(r);
	return NULL;
}

/* Two receipts of the one unit due, at once: one takes it, the other is
 * told it came already; the stock grows by one. */
API_TEST(two_receipts_of_one_unit_at_once_take_it_once)
{
	char ful[64];
	char *id = released("RT-G", "RT-G1", 8, ful, sizeof(ful));

	ship(ful, "RT-G", 8);
	for (int round = 0; round < 4; round++) {
		struct receiver cl[2];
		pthread_barrier_t start;
		struct resp *r = authorize(id, 1, "damaged");
		long on_hand = stock_figure(acme(), "RT-G", "RT-G1", "on_hand");
		int i, ok = 0;

		assert_status(r, 201);
		pthread_barrier_init(&start, NULL, 2);
		for (i = 0; i < 2; i++) {
			cl[i].start = &start;
			snprintf(cl[i].path, sizeof(cl[i].path),
				 "/v1/returns/%s/receive", jstr(r->json, "id"));
			pthread_create(&cl[i].thread, NULL, receive_run, &cl[i]);
		}
		for (i = 0; i < 2; i++) {
			pthread_join(cl[i].thread, NULL);
			ok += cl[i].status == 200;
		}
		pthread_barrier_destroy(&start);
		resp_free(r);
		check(ok == 1 && (cl[0].status == 409 || cl[1].status == 409),
		      "round %d: %ld and %ld", round, cl[0].status,
		      cl[1].status);
		check(stock_figure(acme(), "RT-G", "RT-G1", "on_hand") ==
			      on_hand + 1,
		      "round %d: restocked once", round);
	}
	free(id);
}

API_TEST(claims_record_a_defect)
{
	char ful[64];
	char *id = released("RT-E", "RT-E1", 2, ful, sizeof(ful));
	struct resp *r;
	json_t *o, *d;
	size_t i, found = 0;

	ship(ful, "RT-E", 2);
	r = authorize(id, 1, "wrong_item");
	assert_status(r, 201);
	check(jstr(r->json, "defect_id") != NULL, "%s", r->body);
	resp_free(r);
	r = authorize(id, 1, "missing_item");
	assert_status(r, 201);
	resp_free(r);
	o = order_fetch(acme(), id);
	json_array_foreach(jget(o, "defects"), i, d)
		found += streq(jstr(d, "type"), "wrong_item") ||
			 streq(jstr(d, "type"), "missing_item");
	check(found == 2, "two defects: %s", json_dumps(o, 0));
	json_decref(o);
	free(id);
}

API_TEST(bad_returns_are_refused_naming_the_member)
{
	static const struct {
		const char *path;
		const char *body;
		const char *field;
	} bad[] = {
		{"/v1/orders/%s/returns",
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"reason\": \"meh\"}",
		 "reason"},
		{"/v1/orders/%s/returns", "{\"reason\": \"damaged\"}", "lines"},
		{"/v1/orders/%s/returns",
		 "{\"lines\": [], \"reason\": \"damaged\"}", "lines"},
		{"/v1/orders/%s/returns",
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1, \"sku\": "
		 "\"X\"}], \"reason\": \"damaged\"}",
		 "lines[0].sku"},
		{"/v1/orders/%s/returns",
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"reason\": \"damaged\", \"refund\": \"1.00\"}",
		 "refund"},
	};
	char ful[64], ret[64];
	char *id = released("RT-F", "RT-F1", 2, ful, sizeof(ful));
	struct resp *r;
	size_t i;

	ship(ful, "RT-F", 2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = post(bad[i].path, id, bad[i].body);
		assert_error(r, 400, "invalid_request", bad[i].field);
		resp_free(r);
	}
	r = authorize(id, 1, "damaged");
	snprintf(ret, sizeof(ret), "%s", jstr(r->json, "id"));
	resp_free(r);
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": true}");
	assert_error(r, 400, "invalid_request", "location");
	resp_free(r);
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": false, \"location\": \"RT-F1\"}");
	assert_error(r, 400, "invalid_request", "location");
	resp_free(r);
	r = post("/v1/returns/%s/receive", ret,
		 "{\"lines\": [{\"line_no\": 2, \"quantity\": 1}], "
		 "\"restock\": false}");
	assert_error(r, 404, "not_found", "lines[0].line_no");
	resp_free(r);
	{
		char path[160];

		snprintf(path, sizeof(path), "/v1/returns/%s/refund", ret);
		r = http("POST", path, srv->key_globex, "{\"amount\": \"1\"}",
			 strlen("{\"amount\": \"1\"}"), NULL);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
		r = http_get(srv->key_globex, "/v1/returns/%s", ret);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
	}
	{
		json_t *o = order_fetch(acme(), id);

		check(ival(o, "lines[0].returned") == 1, "only the one");
		json_decref(o);
	}
	free(id);
}

/* The ids of items (returns) that are among mine, in the list's order,
 * comma-joined into buf; each must read alone as it is in the list and be
 * in state (NULL: any). */
static void mine_in_list(const json_t *items, const char *const *mine,
			 size_t n_mine, const char *state, char *buf,
			 size_t size)
{
	json_t *it;
	size_t i, k, len = 0;

	buf[0] = '\0';
	json_array_foreach(items, i, it) {
		struct resp *r;

		check(!state || streq(jstr(it, "state"), state),
		      "only %s returns: %s", state, json_dumps(it, 0));
		for (k = 0; k < n_mine; k++)
			if (streq(jstr(it, "id"), mine[k]))
				break;
		if (k == n_mine)
			continue;
		r = http_get(acme(), "/v1/returns/%s", mine[k]);
		assert_status(r, 200);
		check(json_equal(r->json, it), "as it reads alone: %s and %s",
		      r->body, json_dumps(it, 0));
		resp_free(r);
		snprintf(buf + len, size - len, "%s%s", len ? "," : "",
			 mine[k]);
		len = strlen(buf);
	}
}

API_TEST(the_tenants_returns_are_listed_newest_first)
{
	char ful[64], ret[3][64], viewer[HARNESS_KEY_MAX],
		wh[HARNESS_KEY_MAX], want[256], got[256];
	const char *mine[] = {ret[0], ret[1], ret[2]};
	char *id = released("RT-L", "RT-L1", 3, ful, sizeof(ful));
	json_t *all;
	struct resp *r;
	int k;

	key_create("acme", "viewer", "rt-list-viewer", viewer, sizeof(viewer));
	key_create_at("acme", "integration", "rt-list-wh", "RT-L1", wh,
		      sizeof(wh));
	ship(ful, "RT-L", 3);
	for (k = 0; k < 3; k++) {
		r = authorize(id, 1, "damaged");
		assert_status(r, 201);
		snprintf(ret[k], sizeof(ret[k]), "%s", jstr(r->json, "id"));
		resp_free(r);
	}
	/* the second comes back whole */
	r = post("/v1/returns/%s/receive", ret[1],
		 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], "
		 "\"restock\": false}");
	assert_status(r, 200);
	resp_free(r);

	/* newest first, a page of two at a time, as each reads alone */
	all = list_all(acme(), "/v1/returns", "returns", 2);
	mine_in_list(all, mine, 3, NULL, got, sizeof(got));
	snprintf(want, sizeof(want), "%s,%s,%s", ret[2], ret[1], ret[0]);
	check(streq(got, want), "newest first: %s, not %s", got, want);
	json_decref(all);

	/* one state: its returns alone */
	all = list_all(viewer, "/v1/returns?state=authorized", "returns", 1);
	mine_in_list(all, mine, 3, "authorized", got, sizeof(got));
	snprintf(want, sizeof(want), "%s,%s", ret[2], ret[0]);
	check(streq(got, want), "authorized: %s, not %s", got, want);
	json_decref(all);
	all = list_all(acme(), "/v1/returns?state=received", "returns", 50);
	mine_in_list(all, mine, 3, "received", got, sizeof(got));
	check(streq(got, ret[1]), "received: %s", got);
	json_decref(all);

	/* another tenant's list is its own */
	all = list_all(srv->key_globex, "/v1/returns", "returns", 50);
	mine_in_list(all, mine, 3, NULL, got, sizeof(got));
	check(streq(got, ""), "globex lists acme's: %s", got);
	json_decref(all);

	r = http_get(acme(), "/v1/returns?state=shipped");
	assert_error(r, 400, "invalid_request", "state");
	check(strstr(jstr(r->json, "error.message"), "partly_received") !=
		      NULL,
	      "names the states: %s", r->body);
	resp_free(r);
	r = http_get(acme(), "/v1/returns?status=received");
	assert_error(r, 400, "invalid_request", "status");
	resp_free(r);
	r = http_get(acme(), "/v1/returns?cursor=12");
	assert_error(r, 400, "invalid_request", "cursor");
	resp_free(r);
	r = http_get(wh, "/v1/returns");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(returns_are_authorised_against_shipped_units),
		cmocka_unit_test(
			received_units_go_back_into_stock_when_restocked),
		cmocka_unit_test(a_refund_is_recorded_once_within_the_total),
		cmocka_unit_test(claims_record_a_defect),
		cmocka_unit_test(two_receipts_of_one_unit_at_once_take_it_once),
		cmocka_unit_test(bad_returns_are_refused_naming_the_member),
		cmocka_unit_test(the_tenants_returns_are_listed_newest_first),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
