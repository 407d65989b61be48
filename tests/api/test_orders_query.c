/*
 * test_orders_query.c - listing orders: filters, cursor paging, parameter
 * validation, and tenant isolation on every route.
 *
 * The group stores a known set of eight orders in tenant acme (five clean,
 * three held, two channels) and checks each filter against that set.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define N_ORDERS 8

static const struct {
	const char *ext;
	const char *channel;
	const char *bad_sku;	/* unknown SKU on line 1, or NULL */
	int bad_zip;		/* implausible US zip */
} fixtures[N_ORDERS] = {
	{ "Q-WEB-1", "web", NULL, 0 },
	{ "Q-AMZ-1", "amazon", NULL, 0 },
	{ "Q-WEB-2", "web", NULL, 0 },
	{ "Q-HELD-1", "web", "GHOST-Q-1", 0 },
	{ "Q-AMZ-2", "amazon", NULL, 0 },
	{ "Q-HELD-2", "web", "GHOST-Q-2", 0 },
	{ "Q-WEB-3", "web", NULL, 0 },
	{ "Q-ADDR-1", "web", NULL, 1 },
};

static char *ids[N_ORDERS];
/* The state clean orders are in after intake ("accepted", or a later one
 * once allocation and release run on their own). */
static char clean_state[32];
static char t_before[32], t_after[32], t_later[32];

static int group_teardown(void **state);

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	rfc3339(harness_clock_now() - 2, t_before, sizeof(t_before));
	for (int i = 0; i < N_ORDERS; i++) {
		json_t *o = order_new(fixtures[i].ext);
		struct resp *r;

		jset(o, "channel", json_string(fixtures[i].channel));
		if (fixtures[i].bad_sku)
			jset(o, "lines[1].sku", json_string(fixtures[i].bad_sku));
		if (fixtures[i].bad_zip)
			jset(o, "ship_to.postal_code", json_string("9021"));
		r = order_post(srv->key_acme, o, NULL);
		if (r->status != 201 || !jstr(r->json, "id")) {
			fprintf(stderr, "setup: order %s: HTTP %ld %s\n",
				fixtures[i].ext, r->status, r->body);
			rc = -1;
		} else {
			ids[i] = strdup(jstr(r->json, "id"));
			if (!fixtures[i].bad_sku && !fixtures[i].bad_zip &&
			    !clean_state[0])
				snprintf(clean_state, sizeof(clean_state), "%s",
					 jstr(r->json, "state") ?
						 jstr(r->json, "state") : "?");
		}
		resp_free(r);
		json_decref(o);
	}
	rfc3339(harness_clock_now() + 2, t_after, sizeof(t_after));
	rfc3339(harness_clock_now() + 3600, t_later, sizeof(t_later));
	if (rc)
		group_teardown(state);
	return rc;
}

static int group_teardown(void **state)
{
	for (int i = 0; i < N_ORDERS; i++) {
		free(ids[i]);
		ids[i] = NULL;
	}
	return harness_group_teardown(state);
}

static int fixture_index(const char *id)
{
	for (int i = 0; i < N_ORDERS; i++)
		if (ids[i] && streq(ids[i], id))
			return i;
	return -1;
}

/* Query (all pages); new reference to the orders. */
static json_t *query(const char *key, const char *q, int page)
{
	char path[HARNESS_PATH_MAX];

	snprintf(path, sizeof(path), "/v1/orders%s%s", q[0] ? "?" : "", q);
	return list_all(key, path, "orders", page);
}

/* The query returns exactly the fixtures whose bit is set in `want`. */
static void check_query(const char *q, unsigned want)
{
	json_t *got = query(srv->key_acme, q, 200), *o;
	unsigned seen = 0;
	char *text = json_dumps(got, JSON_COMPACT);
	size_t i;

	json_array_foreach(got, i, o) {
		int k = fixture_index(jstr(o, "id"));

		check(k >= 0, "?%s returned an unknown order: %.2000s", q, text);
		check(!(seen & (1u << k)), "?%s returned %s twice", q,
		      fixtures[k].ext);
		seen |= 1u << k;
	}
	check(seen == want, "?%s returned set %#x, expected %#x: %.2000s", q,
	      seen, want, text);
	free(text);
	json_decref(got);
}

#define ALL ((1u << N_ORDERS) - 1)
#define BIT(i) (1u << (i))
#define HELD (BIT(3) | BIT(5) | BIT(7))
#define AMAZON (BIT(1) | BIT(4))

API_TEST(list_is_newest_first)
{
	json_t *got = query(srv->key_acme, "", 200), *o;
	char *text = json_dumps(got, JSON_COMPACT);
	size_t i;

	check(json_array_size(got) == N_ORDERS, "%d orders expected: %.2000s",
	      N_ORDERS, text);
	json_array_foreach(got, i, o) {
		int k = fixture_index(jstr(o, "id"));

		check(k == N_ORDERS - 1 - (int)i,
		      "position %zu holds %s; newest first expected: %.2000s", i,
		      k >= 0 ? fixtures[k].ext : "?", text);
		check(jstr(o, "state") && json_is_array(json_object_get(o, "lines")) &&
			      json_is_array(json_object_get(o, "holds")),
		      "listed orders carry state, lines and holds: %.2000s", text);
	}
	free(text);
	json_decref(got);
}

API_TEST(filter_by_state)
{
	char q[64];

	check(state_is_clean(clean_state), "clean orders are in state %s",
	      clean_state);
	snprintf(q, sizeof(q), "state=%s", clean_state);
	check_query(q, ALL & ~HELD);
	if (strcmp(clean_state, "accepted"))
		check_query("state=accepted", 0);
	check_query("state=on_hold", HELD);
	check_query("state=received", 0);
	check_query("state=cancelled", 0);
}

API_TEST(filter_by_channel)
{
	check_query("channel=amazon", AMAZON);
	check_query("channel=web", ALL & ~AMAZON);
	check_query("channel=ebay", 0);
}

API_TEST(filter_by_hold_type)
{
	check_query("hold_type=unknown_sku", BIT(3) | BIT(5));
	check_query("hold_type=address_unverifiable", BIT(7));
	check_query("hold_type=duplicate_suspect", 0);
}

API_TEST(filter_by_external_id)
{
	check_query("external_id=Q-WEB-2", BIT(2));
	check_query("external_id=Q-AMZ-1", BIT(1));
	check_query("external_id=Q-NOPE", 0);
}

API_TEST(filter_by_received_range)
{
	char q[256];

	snprintf(q, sizeof(q), "received_from=%s", t_before);
	check_query(q, ALL);
	snprintf(q, sizeof(q), "received_to=%s", t_before);
	check_query(q, 0);
	snprintf(q, sizeof(q), "received_from=%s", t_later);
	check_query(q, 0);
	snprintf(q, sizeof(q), "received_from=%s&received_to=%s", t_before,
		 t_after);
	check_query(q, ALL);
	check_query("received_from=2020-01-01T00:00:00Z&"
		    "received_to=2020-12-31T23:59:59Z", 0);
}

API_TEST(filters_combine)
{
	char q[256];

	check_query("state=on_hold&channel=web", HELD);
	snprintf(q, sizeof(q), "state=%s&channel=amazon", clean_state);
	check_query(q, AMAZON);
	check_query("state=on_hold&channel=amazon", 0);
	check_query("hold_type=unknown_sku&external_id=Q-HELD-2", BIT(5));
	snprintf(q, sizeof(q), "channel=amazon&received_from=%s&received_to=%s",
		 t_before, t_after);
	check_query(q, AMAZON);
}

API_TEST(paging_visits_every_order_once)
{
	json_t *whole = query(srv->key_acme, "", 200);

	for (int page = 1; page <= 3; page++) {
		json_t *paged = query(srv->key_acme, "", page);
		json_t *a, *b;
		size_t i;

		check(json_array_size(paged) == N_ORDERS,
		      "limit=%d visited %zu orders, expected %d", page,
		      json_array_size(paged), N_ORDERS);
		json_array_foreach(whole, i, a) {
			b = json_array_get(paged, i);
			check(streq(jstr(a, "id"), jstr(b, "id")),
			      "limit=%d: position %zu differs", page, i);
		}
		json_decref(paged);
	}
	json_decref(whole);

	/* Paging a filtered list stays within the filter. */
	{
		json_t *held = query(srv->key_acme, "state=on_hold", 1);

		check(json_array_size(held) == 3, "paged held orders: %zu",
		      json_array_size(held));
		json_decref(held);
	}
}

/*
 * A cursor is sealed for the tenant and the list it was given to: it is
 * no number (the sequence every tenant's orders share would tell how much
 * the others do), it is new each time it is given out and each one reads
 * the same next page, and it is refused when changed, brought by another
 * tenant, or read by another list.
 */
API_TEST(cursors_are_sealed_for_their_tenant_and_list)
{
	char first[512], again[512], bad[512];
	struct resp *r;
	size_t n;

	r = http_get(srv->key_acme, "/v1/orders?limit=1");
	assert_status(r, 200);
	snprintf(first, sizeof(first), "%s", jstr(r->json, "next_cursor"));
	resp_free(r);
	n = strlen(first);
	check(n >= 40 && strspn(first, "0123456789.") < n &&
		      strspn(first, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				    "opqrstuvwxyz0123456789-_") == n,
	      "a cursor is sealed base64url, not a position: \"%s\"", first);
	r = http_get(srv->key_acme, "/v1/orders?limit=1");
	assert_status(r, 200);
	snprintf(again, sizeof(again), "%s", jstr(r->json, "next_cursor"));
	resp_free(r);
	check(strcmp(first, again) != 0,
	      "the same position is sealed anew each time: \"%s\"", first);
	{
		char page2[2][64];
		int k;

		for (k = 0; k < 2; k++) {
			r = http_get(srv->key_acme, "/v1/orders?limit=1&cursor=%s",
				     k ? again : first);
			assert_status(r, 200);
			snprintf(page2[k], sizeof(page2[k]), "%s",
				 jstr(r->json, "orders[0].id"));
			resp_free(r);
		}
		check(streq(page2[0], page2[1]) && streq(page2[0], ids[6]),
		      "both cursors read the second order: %s and %s, want %s",
		      page2[0], page2[1], ids[6]);
	}
	r = http_get(srv->key_globex, "/v1/orders?limit=1&cursor=%s", first);
	assert_error(r, 400, NULL, "cursor");
	resp_free(r);
	snprintf(bad, sizeof(bad), "%s", first);
	bad[n / 2] = bad[n / 2] == 'A' ? 'B' : 'A';
	r = http_get(srv->key_acme, "/v1/orders?limit=1&cursor=%s", bad);
	assert_error(r, 400, NULL, "cursor");
	resp_free(r);
	/* Another list's cursor is not this one's. */
	r = http_get(srv->key_acme, "/v1/shipments?limit=1&cursor=%s", first);
	assert_error(r, 400, NULL, "cursor");
	resp_free(r);
	/* The position itself, as ordo keeps it, is no cursor. */
	r = http_get(srv->key_acme, "/v1/orders?limit=1&cursor=12");
	assert_error(r, 400, NULL, "cursor");
	resp_free(r);
}

API_TEST(page_size_is_honoured)
{
	struct resp *r = http_get(srv->key_acme, "/v1/orders?limit=3");

	assert_status(r, 200);
	check(json_array_size(json_object_get(r->json, "orders")) == 3,
	      "limit=3 gave: %s", r->body);
	check(json_is_string(json_object_get(r->json, "next_cursor")),
	      "a full page must carry next_cursor: %s", r->body);
	resp_free(r);

	r = http_get(srv->key_acme, "/v1/orders?limit=200");
	assert_status(r, 200);
	check(json_array_size(json_object_get(r->json, "orders")) == N_ORDERS,
	      "limit=200: %s", r->body);
	check(json_is_null(json_object_get(r->json, "next_cursor")),
	      "the last page has next_cursor null: %.300s", r->body);
	resp_free(r);

	r = http_get(srv->key_acme, "/v1/orders?limit=100");
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(bad_parameters_are_400_naming_them)
{
	static const struct {
		const char *query;
		const char *param;
	} bad[] = {
		{ "limit=0", "limit" },
		{ "limit=1000", "limit" },
		{ "limit=201", "limit" },
		{ "limit=-1", "limit" },
		{ "limit=ten", "limit" },
		{ "limit=5x", "limit" },
		{ "state=bogus", "state" },
		{ "state=ACCEPTED", "state" },
		{ "hold_type=bogus", "hold_type" },
		{ "received_from=yesterday", "received_from" },
		{ "received_from=2026-11-27", "received_from" },
		{ "received_to=2026-02-30T00:00:00Z", "received_to" },
		{ "received_to=27%2F11%2F2026", "received_to" },
		{ "cursor=not-a-cursor", "cursor" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp *r = http_get(srv->key_acme, "/v1/orders?%s",
					  bad[i].query);
		const char *msg = jstr(r->json, "error.message");

		if (r->status == 400 && !error_details_naming(r, bad[i].param) &&
		    msg && strstr(msg, bad[i].param)) {
			/* Named in the message: good enough. */
			assert_error(r, 400, "invalid_request", NULL);
		} else {
			assert_error(r, 400, "invalid_request", bad[i].param);
		}
		resp_free(r);
	}
}

API_TEST(other_tenant_cannot_see_orders)
{
	json_t *theirs;
	json_t *o;
	size_t i;

	for (int k = 0; k < N_ORDERS; k++) {
		struct resp *r = http_get(srv->key_globex, "/v1/orders/%s",
					  ids[k]);

		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
		r = http_get(srv->key_globex, "/v1/orders/%s/events", ids[k]);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
	}
	theirs = query(srv->key_globex, "", 200);
	json_array_foreach(theirs, i, o)
		check(fixture_index(jstr(o, "id")) < 0,
		      "globex lists acme's order %s", jstr(o, "id"));
	json_decref(theirs);
	theirs = query(srv->key_globex, "external_id=Q-WEB-1", 200);
	check(json_array_size(theirs) == 0, "globex finds acme's Q-WEB-1");
	json_decref(theirs);
	theirs = query(srv->key_globex, "state=on_hold", 200);
	check(json_array_size(theirs) == 0, "globex sees acme's held orders");
	json_decref(theirs);
}

API_TEST(other_tenant_orders_are_invisible_both_ways)
{
	json_t *o = order_new("G-1");
	char *gid = order_create(srv->key_globex, o);
	struct resp *r = http_get(srv->key_acme, "/v1/orders/%s", gid);
	json_t *mine;
	size_t i;
	json_t *e;

	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/orders/%s/events", gid);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	mine = query(srv->key_acme, "", 200);
	json_array_foreach(mine, i, e)
		check(!streq(jstr(e, "id"), gid), "acme lists globex's order");
	check(json_array_size(mine) == N_ORDERS, "acme's list changed");
	json_decref(mine);
	r = http_get(srv->key_globex, "/v1/orders/%s", gid);
	assert_status(r, 200);
	resp_free(r);
	free(gid);
	json_decref(o);
}

API_TEST(other_tenant_cannot_see_or_touch_catalog)
{
	json_t *list, *e;
	struct resp *r;
	size_t i;

	make_sku(srv->key_globex, "GLOBEX-ONLY-SKU", "Globex flux capacitor",
		 "199.00", 1);
	make_location(srv->key_globex, "GLOBEX-DC", "Globex Columbus DC", "US",
		      "OH");
	make_sku(srv->key_acme, "ACME-ONLY-SKU", "Acme rocket skates", "89.00",
		 1);

	list = list_all(srv->key_acme, "/v1/skus", "skus", 200);
	json_array_foreach(list, i, e)
		check(!streq(jstr(e, "sku"), "GLOBEX-ONLY-SKU"),
		      "acme sees globex's SKU");
	json_decref(list);
	list = list_all(srv->key_acme, "/v1/locations", "locations", 200);
	json_array_foreach(list, i, e)
		check(!streq(jstr(e, "code"), "GLOBEX-DC"),
		      "acme sees globex's location");
	json_decref(list);
	list = list_all(srv->key_globex, "/v1/skus", "skus", 200);
	json_array_foreach(list, i, e)
		check(!streq(jstr(e, "sku"), "ACME-ONLY-SKU"),
		      "globex sees acme's SKU");
	json_decref(list);

	r = http("PUT", "/v1/locations/GLOBEX-DC/stock/MUG-12OZ", srv->key_acme,
		 "{\"on_hand\": 3}", 14, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http("PUT", "/v1/locations/WH-EAST/stock/ACME-ONLY-SKU",
		 srv->key_globex, "{\"on_hand\": 3}", 14, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	/* To acme, globex's SKU is unknown. */
	{
		json_t *o = order_new("Q-CROSS-1");

		jset(o, "lines[1].sku", json_string("GLOBEX-ONLY-SKU"));
		jset(o, "lines[1].unit_price", json_string("199.00"));
		order_fix_totals(o);
		r = order_post(srv->key_acme, o, NULL);
		assert_status(r, 201);
		assert_single_hold(r->json, "unknown_sku", "lines[1].sku");
		resp_free(r);
		json_decref(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list_is_newest_first),
		cmocka_unit_test(filter_by_state),
		cmocka_unit_test(filter_by_channel),
		cmocka_unit_test(filter_by_hold_type),
		cmocka_unit_test(filter_by_external_id),
		cmocka_unit_test(filter_by_received_range),
		cmocka_unit_test(filters_combine),
		cmocka_unit_test(paging_visits_every_order_once),
		cmocka_unit_test(cursors_are_sealed_for_their_tenant_and_list),
		cmocka_unit_test(page_size_is_honoured),
		cmocka_unit_test(bad_parameters_are_400_naming_them),
		cmocka_unit_test(other_tenant_cannot_see_orders),
		cmocka_unit_test(other_tenant_orders_are_invisible_both_ways),
		/* Last: it adds an order to acme. */
		cmocka_unit_test(other_tenant_cannot_see_or_touch_catalog),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
