/*
 * test_catalog.c - SKUs, locations and stock over HTTP.
 *
 * Good input: create (201), replace (200), list sorted by sku, cursor paging
 * that visits every SKU once. Bad input: a table of bodies, each answered with
 * the right status and the field at fault, and each proven to store nothing
 * by comparing the full lists before and after.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

/* One character over the 64 a SKU may have. */
#define SKU_65_CHARS "SKU-65-CHARS-" \
	"XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"

static json_t *all_skus(void)
{
	return list_all(srv->key_acme, "/v1/skus", "skus", 200);
}

static json_t *all_locations(void)
{
	return list_all(srv->key_acme, "/v1/locations", "locations", 200);
}

/* The element of list whose member `key` is `value`, or NULL. */
static json_t *find_by(const json_t *list, const char *key, const char *value)
{
	json_t *e;
	size_t i;

	json_array_foreach(list, i, e) {
		const char *v = jstr(e, key);

		if (v && !strcmp(v, value))
			return e;
	}
	return NULL;
}

static size_t count_by(const json_t *list, const char *key, const char *value)
{
	json_t *e;
	size_t i, n = 0;

	json_array_foreach(list, i, e) {
		const char *v = jstr(e, key);

		if (v && !strcmp(v, value))
			n++;
	}
	return n;
}

static void check_lists_equal(json_t *before, json_t *after, const char *what)
{
	if (json_equal(before, after))
		return;
	{
		char *a = json_dumps(before, JSON_COMPACT);
		char *b = json_dumps(after, JSON_COMPACT);

		print_error("%s changed after a refused request\nbefore: %.3000s"
			    "\nafter:  %.3000s\n", what, a ? a : "?",
			    b ? b : "?");
		free(a);
		free(b);
	}
	fail();
}

API_TEST(sku_create_returns_the_sku)
{
	json_t *body = jparse("{\"sku\": \"BEANIE-NVY\", \"title\": "
			      "\"Merino beanie, navy\", \"unit_price\": \"24.00\"}");
	struct resp *r = http_json("POST", "/v1/skus", srv->key_acme, body,
				   NULL);
	json_t *list, *s;

	assert_status(r, 201);
	check(jstr(r->json, "sku") && streq(jstr(r->json, "sku"), "BEANIE-NVY"),
	      "sku: %s", r->body);
	check(jstr(r->json, "title") &&
		      streq(jstr(r->json, "title"), "Merino beanie, navy"),
	      "title: %s", r->body);
	check(jstr(r->json, "unit_price") &&
		      streq(jstr(r->json, "unit_price"), "24.00"),
	      "unit_price must be the decimal string \"24.00\": %s", r->body);
	check(jstr(r->json, "currency") &&
		      streq(jstr(r->json, "currency"), "USD"),
	      "currency must default to USD: %s", r->body);
	check(json_is_true(json_object_get(r->json, "active")),
	      "active must default to true: %s", r->body);
	check(is_rfc3339(jstr(r->json, "updated_at")),
	      "updated_at is not RFC 3339: %s", r->body);
	resp_free(r);

	list = all_skus();
	s = find_by(list, "sku", "BEANIE-NVY");
	check(s != NULL, "the new SKU is not listed");
	check(streq(jstr(s, "unit_price"), "24.00"), "listed price differs");
	json_decref(list);
	json_decref(body);
}

API_TEST(sku_post_existing_replaces_it)
{
	json_t *v1 = jparse("{\"sku\": \"SCARF-RED\", \"title\": \"Wool scarf\", "
			    "\"unit_price\": \"30.00\"}");
	json_t *v2 = jparse("{\"sku\": \"SCARF-RED\", \"title\": "
			    "\"Lambswool scarf, red\", \"unit_price\": \"32.50\", "
			    "\"active\": false}");
	struct resp *r = http_json("POST", "/v1/skus", srv->key_acme, v1, NULL);
	json_t *list, *s;

	assert_status(r, 201);
	resp_free(r);
	r = http_json("POST", "/v1/skus", srv->key_acme, v2, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "title"), "Lambswool scarf, red"),
	      "replace did not return the new title: %s", r->body);
	check(streq(jstr(r->json, "unit_price"), "32.50"),
	      "replace did not return the new price: %s", r->body);
	check(json_is_false(json_object_get(r->json, "active")),
	      "replace did not return active false: %s", r->body);
	resp_free(r);

	list = all_skus();
	check(count_by(list, "sku", "SCARF-RED") == 1,
	      "a replaced SKU must be listed exactly once");
	s = find_by(list, "sku", "SCARF-RED");
	check(streq(jstr(s, "unit_price"), "32.50"), "listed price is old");
	check(json_is_false(json_object_get(s, "active")), "listed as active");
	json_decref(list);
	json_decref(v1);
	json_decref(v2);
}

API_TEST(sku_currencies_use_their_decimals)
{
	static const char *good[] = {
		"{\"sku\": \"JP-TEA-100G\", \"title\": \"Sencha tea 100 g\", "
		"\"unit_price\": \"1200\", \"currency\": \"JPY\"}",
		"{\"sku\": \"KW-DATES-1KG\", \"title\": \"Medjool dates 1 kg\", "
		"\"unit_price\": \"3.125\", \"currency\": \"KWD\"}",
		"{\"sku\": \"US-SOCKS-3PK\", \"title\": \"Crew socks, 3 pack\", "
		"\"unit_price\": \"12.5\"}",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct resp *r = http("POST", "/v1/skus", srv->key_acme, good[i],
				      strlen(good[i]), NULL);

		if (r->status != 201)
			print_error("body: %s\n", good[i]);
		assert_status(r, 201);
		resp_free(r);
	}
}

API_TEST(sku_list_is_sorted_and_pages_visit_each_once)
{
	static const char *names[] = { "PAGE-05", "PAGE-01", "PAGE-07",
				       "PAGE-03", "PAGE-02", "PAGE-06",
				       "PAGE-04" };
	json_t *whole, *paged, *e;
	const char *prev = NULL;
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		make_sku(srv->key_acme, names[i], "Paging probe", "1.00", 1);

	r = http_get(srv->key_acme, "/v1/skus?limit=2");
	assert_status(r, 200);
	check(json_array_size(json_object_get(r->json, "skus")) == 2,
	      "limit=2 must give 2 SKUs: %s", r->body);
	check(json_is_string(json_object_get(r->json, "next_cursor")),
	      "a full first page must carry a next_cursor: %s", r->body);
	resp_free(r);

	whole = list_all(srv->key_acme, "/v1/skus", "skus", 200);
	paged = list_all(srv->key_acme, "/v1/skus", "skus", 2);
	check(json_equal(whole, paged),
	      "paging with limit=2 does not give the same SKUs as one page");
	json_array_foreach(paged, i, e) {
		const char *sku = jstr(e, "sku");

		check(sku != NULL, "SKU without sku");
		check(!prev || strcmp(prev, sku) < 0,
		      "SKUs not sorted or repeated: %s then %s", prev, sku);
		prev = sku;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check(count_by(paged, "sku", names[i]) == 1,
		      "%s not visited exactly once", names[i]);
	json_decref(whole);
	json_decref(paged);
}

struct bad_case {
	const char *body;
	long status;
	const char *field;
};

static void run_bad_cases(const char *path,
			  const struct bad_case *cases, size_t n)
{
	json_t *skus_before = all_skus();
	json_t *locs_before = all_locations();
	json_t *skus_after, *locs_after;

	for (size_t i = 0; i < n; i++) {
		struct resp *r = http("POST", path, srv->key_acme,
				      cases[i].body, strlen(cases[i].body),
				      NULL);

		if (r->status != cases[i].status ||
		    !error_details_naming(r, cases[i].field))
			print_error("case %zu body: %s\n", i, cases[i].body);
		assert_error(r, cases[i].status, "invalid_request",
			     cases[i].field);
		resp_free(r);
	}
	skus_after = all_skus();
	locs_after = all_locations();
	check_lists_equal(skus_before, skus_after, "the SKU list");
	check_lists_equal(locs_before, locs_after, "the location list");
	json_decref(skus_before);
	json_decref(skus_after);
	json_decref(locs_before);
	json_decref(locs_after);
}

API_TEST(bad_skus_are_refused_and_not_stored)
{
	static const struct bad_case cases[] = {
		{ "{\"title\": \"No sku\", \"unit_price\": \"1.00\"}", 400, "sku" },
		{ "{\"sku\": \"\", \"title\": \"Empty sku\", \"unit_price\": \"1.00\"}",
		  400, "sku" },
		{ "{\"sku\": 1234, \"title\": \"Numeric sku\", \"unit_price\": \"1.00\"}",
		  400, "sku" },
		{ "{\"sku\": \"BAD-NOPRICE\", \"title\": \"No price\"}", 400,
		  "unit_price" },
		{ "{\"sku\": \"BAD-3DEC\", \"title\": \"x\", \"unit_price\": \"12.345\"}",
		  400, "unit_price" },
		{ "{\"sku\": \"BAD-NEG\", \"title\": \"x\", \"unit_price\": \"-1.00\"}",
		  400, "unit_price" },
		{ "{\"sku\": \"BAD-NUM\", \"title\": \"x\", \"unit_price\": 12.5}",
		  400, "unit_price" },
		{ "{\"sku\": \"BAD-TEXT\", \"title\": \"x\", \"unit_price\": \"twelve\"}",
		  400, "unit_price" },
		{ "{\"sku\": \"BAD-JPY\", \"title\": \"x\", \"unit_price\": \"100.5\", "
		  "\"currency\": \"JPY\"}", 400, "unit_price" },
		{ "{\"sku\": \"BAD-CUR\", \"title\": \"x\", \"unit_price\": \"1.00\", "
		  "\"currency\": \"QQQ\"}", 400, "currency" },
		{ "{\"sku\": \"BAD-ACTIVE\", \"title\": \"x\", \"unit_price\": \"1.00\", "
		  "\"active\": \"yes\"}", 400, "active" },
		{ "{\"sku\": \"BAD-ACTIVE1\", \"title\": \"x\", \"unit_price\": \"1.00\", "
		  "\"active\": 1}", 400, "active" },
		{ "{\"sku\": \"" SKU_65_CHARS "\", "
		  "\"title\": \"x\", \"unit_price\": \"1.00\"}", 400, "sku" },
	};

	run_bad_cases("/v1/skus", cases, sizeof(cases) / sizeof(cases[0]));
}

API_TEST(sku_body_that_is_not_json_is_refused)
{
	static const char *bodies[] = { "sku=X&price=1", "{\"sku\": ", "[]",
					"" };
	json_t *before = all_skus(), *after;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct resp *r = http("POST", "/v1/skus", srv->key_acme,
				      bodies[i], strlen(bodies[i]), NULL);

		assert_error(r, 400, "invalid_request", NULL);
		resp_free(r);
	}
	after = all_skus();
	check_lists_equal(before, after, "the SKU list");
	json_decref(before);
	json_decref(after);
}

API_TEST(location_create_replace_and_list)
{
	json_t *body = jparse(
		"{\"code\": \"WH-CENTRAL\", \"name\": \"Central warehouse\", "
		"\"country\": \"US\", \"region\": \"OH\", \"city\": \"Columbus\", "
		"\"postal_code\": \"43215\", \"line1\": \"2400 Westbelt Dr\", "
		"\"priority\": 3, \"active\": true}");
	struct resp *r = http_json("POST", "/v1/locations", srv->key_acme,
				   body, NULL);
	static const char soho[] = "{\"code\": \"STORE-SOHO\", \"name\": "
				   "\"SoHo store\", \"country\": \"US\"}";
	json_t *list, *loc;

	assert_status(r, 201);
	check(streq(jstr(r->json, "code"), "WH-CENTRAL"), "code: %s", r->body);
	check(streq(jstr(r->json, "name"), "Central warehouse"), "name: %s",
	      r->body);
	check(streq(jstr(r->json, "country"), "US"), "country: %s", r->body);
	resp_free(r);

	jset(body, "name", json_string("Central fulfilment centre"));
	r = http_json("POST", "/v1/locations", srv->key_acme, body, NULL);
	assert_status(r, 200);
	check(streq(jstr(r->json, "name"), "Central fulfilment centre"),
	      "replace did not return the new name: %s", r->body);
	resp_free(r);

	/* Only the three required fields. */
	r = http("POST", "/v1/locations", srv->key_acme, soho, strlen(soho),
		 NULL);
	assert_status(r, 201);
	resp_free(r);

	list = all_locations();
	check(count_by(list, "code", "WH-CENTRAL") == 1,
	      "WH-CENTRAL must be listed once");
	loc = find_by(list, "code", "WH-CENTRAL");
	check(streq(jstr(loc, "name"), "Central fulfilment centre"),
	      "listed name is old");
	check(find_by(list, "code", "STORE-SOHO") != NULL,
	      "STORE-SOHO not listed");
	check(find_by(list, "code", "WH-EAST") != NULL, "WH-EAST not listed");
	json_decref(list);
	json_decref(body);
}

API_TEST(bad_locations_are_refused_and_not_stored)
{
	static const struct bad_case cases[] = {
		{ "{\"name\": \"No code\", \"country\": \"US\"}", 400, "code" },
		{ "{\"code\": \"BAD-NONAME\", \"country\": \"US\"}", 400, "name" },
		{ "{\"code\": \"BAD-NOCTRY\", \"name\": \"x\"}", 400, "country" },
		{ "{\"code\": \"BAD-USA\", \"name\": \"x\", \"country\": \"USA\"}",
		  400, "country" },
		{ "{\"code\": \"BAD-ZZ\", \"name\": \"x\", \"country\": \"ZZ\"}", 400,
		  "country" },
		{ "{\"code\": \"BAD-NUMCTRY\", \"name\": \"x\", \"country\": 840}",
		  400, "country" },
		{ "{\"code\": \"BAD-ACTIVE\", \"name\": \"x\", \"country\": \"US\", "
		  "\"active\": \"no\"}", 400, "active" },
		{ "{\"code\": \"BAD-PRIO\", \"name\": \"x\", \"country\": \"US\", "
		  "\"priority\": \"high\"}", 400, "priority" },
	};

	run_bad_cases("/v1/locations", cases, sizeof(cases) / sizeof(cases[0]));
}

API_TEST(stock_put_sets_on_hand)
{
	struct resp *r = http("PUT", "/v1/locations/WH-EAST/stock/HOODIE-GRY-L",
			      srv->key_acme, "{\"on_hand\": 25}", 15, NULL);
	json_t *want = jparse("{\"location\": \"WH-EAST\", \"sku\": "
			      "\"HOODIE-GRY-L\", \"on_hand\": 25, "
			      "\"reserved\": 0, \"safety_stock\": 0, "
			      "\"available\": 25}");
	const char *k;
	json_t *v;

	assert_status(r, 200);
	json_object_foreach(want, k, v)
		check(json_equal(json_object_get(r->json, k), v),
		      "stock field %s wrong: %s", k, r->body);
	resp_free(r);

	r = http("PUT", "/v1/locations/WH-EAST/stock/HOODIE-GRY-L",
		 srv->key_acme, "{\"on_hand\": 0}", 14, NULL);
	assert_status(r, 200);
	check(json_integer_value(json_object_get(r->json, "on_hand")) == 0 &&
		      json_integer_value(json_object_get(r->json, "available")) == 0,
	      "on_hand 0 not applied: %s", r->body);
	resp_free(r);
	json_decref(want);
}

API_TEST(bad_stock_is_refused)
{
	static const char *bodies[] = { "{\"on_hand\": -1}",
					"{\"on_hand\": 2.5}",
					"{\"on_hand\": \"25\"}",
					"{\"on_hand\": null}", "{}",
					"{\"on_hand\": 25" };
	json_t *skus_before = all_skus(), *locs_before = all_locations();
	json_t *skus_after, *locs_after;
	struct resp *r;

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = http("PUT", "/v1/locations/WH-EAST/stock/MUG-12OZ",
			 srv->key_acme, bodies[i], strlen(bodies[i]), NULL);
		if (r->status != 400)
			print_error("body: %s\n", bodies[i]);
		/* The unterminated body has no field to name. */
		assert_error(r, 400, "invalid_request",
			     i < 5 ? "on_hand" : NULL);
		resp_free(r);
	}

	r = http("PUT", "/v1/locations/WH-NOWHERE/stock/MUG-12OZ",
		 srv->key_acme, "{\"on_hand\": 5}", 14, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http("PUT", "/v1/locations/WH-EAST/stock/NO-SUCH-SKU",
		 srv->key_acme, "{\"on_hand\": 5}", 14, NULL);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	/* A 404 must not have created the missing location or SKU. */
	skus_after = all_skus();
	locs_after = all_locations();
	check_lists_equal(skus_before, skus_after, "the SKU list");
	check_lists_equal(locs_before, locs_after, "the location list");
	json_decref(skus_before);
	json_decref(skus_after);
	json_decref(locs_before);
	json_decref(locs_after);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sku_create_returns_the_sku),
		cmocka_unit_test(sku_post_existing_replaces_it),
		cmocka_unit_test(sku_currencies_use_their_decimals),
		cmocka_unit_test(sku_list_is_sorted_and_pages_visit_each_once),
		cmocka_unit_test(bad_skus_are_refused_and_not_stored),
		cmocka_unit_test(sku_body_that_is_not_json_is_refused),
		cmocka_unit_test(location_create_replace_and_list),
		cmocka_unit_test(bad_locations_are_refused_and_not_stored),
		cmocka_unit_test(stock_put_sets_on_hand),
		cmocka_unit_test(bad_stock_is_refused),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
