/*
 * test_shipments.c - shipments read back.
 *
 *   get        GET /v1/shipments/{id}: carrier, tracking_number, location,
 *              lines and times as created; an unknown id 404, and another
 *              tenant's id 404 as if unknown.
 *   list       GET /v1/shipments newest first, filtered by order_id,
 *              fulfillment_id, location, carrier and tracking_number (alone
 *              and together, exact), paged with limit and cursor; another
 *              tenant lists none of them; a filter value longer than ordo
 *              stores is 400 naming it.
 *   on orders  GET /v1/orders/{id} carries `shipments`, each with its
 *              carrier and tracking number.
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

/* A released order for qty x sku; its id and its fulfillment's id. */
static void released_order(const char *ext, const char *sku, long qty,
			   char *id, char *ful, size_t size)
{
	json_t *order = order_one_line(ext, sku, qty, PRICE);
	char *oid = order_create(acme(), order);
	json_t *o = order_wait_state(acme(), oid, "released", WAIT_MS);

	check(streq(jstr(o, "state"), "released") &&
		      jstr(o, "fulfillments[0].id"),
	      "order %s for %ld x %s must be released, is %s", oid, qty, sku,
	      jstr(o, "state"));
	snprintf(id, size, "%s", oid);
	snprintf(ful, size, "%s", jstr(o, "fulfillments[0].id"));
	json_decref(o);
	json_decref(order);
	free(oid);
}

/* Ship qty x sku of ful; the new shipment's id into out. */
static void ship(const char *ful, const char *sku, long qty,
		 const char *carrier, const char *tracking, char *out,
		 size_t size)
{
	char path[256], body[512];
	struct resp *r;

	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", ful);
	snprintf(body, sizeof(body),
		 "{\"lines\": [{\"sku\": \"%s\", \"quantity\": %ld}], "
		 "\"carrier\": \"%s\", \"tracking_number\": \"%s\"}",
		 sku, qty, carrier, tracking);
	r = http("POST", path, acme(), body, strlen(body), NULL);
	assert_status(r, 201);
	snprintf(out, size, "%s", jstr(r->json, "id"));
	resp_free(r);
}

/* The ids of the shipments GET /v1/shipments?query lists (all pages),
 * comma-separated in listed order, into out. */
static void listed(const char *query, int page, char *out, size_t size)
{
	char path[512];
	json_t *all, *s;
	size_t i, len = 0;

	snprintf(path, sizeof(path), "/v1/shipments%s%s", query[0] ? "?" : "",
		 query);
	all = list_all(acme(), path, "shipments", page);
	out[0] = '\0';
	json_array_foreach(all, i, s) {
		snprintf(out + len, size - len, "%s%s", i ? "," : "",
			 jstr(s, "id"));
		len = strlen(out);
	}
	json_decref(all);
}

#define assert_listed(query, want)                                             \
	do {                                                                   \
		char got_[2048];                                               \
		listed((query), 1, got_, sizeof(got_));                       \
		check(streq(got_, (want)),                                     \
		      "GET /v1/shipments?%s listed [%s], expected [%s]",       \
		      (query), got_, (want));                                  \
		listed((query), 50, got_, sizeof(got_));                      \
		check(streq(got_, (want)),                                     \
		      "GET /v1/shipments?%s (one page) listed [%s], "          \
		      "expected [%s]",                                         \
		      (query), got_, (want));                                  \
	} while (0)

API_TEST(a_shipment_reads_back_by_id)
{
	char id[96], ful[96], shp[96], path[160];
	struct resp *r;

	make_sku(acme(), "SHP-GET", "Shipped widget", PRICE, 1);
	make_location_serving(acme(), "SHP-GET-A", 5, NULL);
	set_stock(acme(), "SHP-GET-A", "SHP-GET", 10);
	released_order("SHP-GET-1", "SHP-GET", 3, id, ful, sizeof(id));
	ship(ful, "SHP-GET", 2, "UPS", "1ZGET0001", shp, sizeof(shp));

	snprintf(path, sizeof(path), "/v1/shipments/%s", shp);
	r = http_get(acme(), "%s", path);
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), shp) &&
		      streq(jstr(r->json, "order_id"), id) &&
		      streq(jstr(r->json, "fulfillment_id"), ful) &&
		      streq(jstr(r->json, "location"), "SHP-GET-A") &&
		      streq(jstr(r->json, "carrier"), "UPS") &&
		      streq(jstr(r->json, "tracking_number"), "1ZGET0001") &&
		      streq(jstr(r->json, "lines[0].sku"), "SHP-GET") &&
		      json_integer_value(jget(r->json, "lines[0].quantity")) ==
			      2 &&
		      json_array_size(jget(r->json, "lines")) == 1 &&
		      is_rfc3339(jstr(r->json, "shipped_at")) &&
		      json_is_null(jget(r->json, "delivered_at")),
	      "the shipment must read back as created: %s", r->body);
	resp_free(r);

	r = http_get(acme(), "/v1/shipments/shp_00000000000000000000000000");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http_get(srv->key_globex, "%s", path);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

API_TEST(shipments_list_by_every_filter)
{
	char a[96], fa[96], b[96], fb[96];
	char s1[96], s2[96], s3[96];
	char q[512], want[512];
	struct resp *r;
	json_t *o;

	make_sku(acme(), "SHP-LST", "Listed widget", PRICE, 1);
	make_location_serving(acme(), "SHP-LST-A", 5, NULL);
	set_stock(acme(), "SHP-LST-A", "SHP-LST", 10);
	released_order("SHP-LST-1", "SHP-LST", 2, a, fa, sizeof(a));
	released_order("SHP-LST-2", "SHP-LST", 1, b, fb, sizeof(b));
	ship(fa, "SHP-LST", 1, "UPS-LST", "1ZLST-A1", s1, sizeof(s1));
	ship(fb, "SHP-LST", 1, "FEDEX-LST", "FXLST-B1", s2, sizeof(s2));
	ship(fa, "SHP-LST", 1, "UPS-LST", "1ZLST-A2", s3, sizeof(s3));

	/* Newest first, by each filter alone. */
	snprintf(q, sizeof(q), "order_id=%s", a);
	snprintf(want, sizeof(want), "%s,%s", s3, s1);
	assert_listed(q, want);
	snprintf(q, sizeof(q), "fulfillment_id=%s", fb);
	assert_listed(q, s2);
	snprintf(want, sizeof(want), "%s,%s,%s", s3, s2, s1);
	assert_listed("location=SHP-LST-A", want);
	snprintf(want, sizeof(want), "%s,%s", s3, s1);
	assert_listed("carrier=UPS-LST", want);
	assert_listed("tracking_number=FXLST-B1", s2);
	assert_listed("tracking_number=1ZLST-A1", s1);

	/* Together: every filter must hold. */
	snprintf(q, sizeof(q), "order_id=%s&carrier=UPS-LST", a);
	snprintf(want, sizeof(want), "%s,%s", s3, s1);
	assert_listed(q, want);
	snprintf(q, sizeof(q), "order_id=%s&carrier=FEDEX-LST", a);
	assert_listed(q, "");
	snprintf(q, sizeof(q),
		 "order_id=%s&fulfillment_id=%s&location=SHP-LST-A&"
		 "carrier=UPS-LST&tracking_number=1ZLST-A2",
		 a, fa);
	assert_listed(q, s3);
	assert_listed("order_id=ord_00000000000000000000000000", "");
	assert_listed("location=NO-SUCH-PLACE&carrier=UPS-LST", "");

	/* The whole list holds them too, newest first. */
	r = http_get(acme(), "/v1/shipments?limit=3");
	assert_status(r, 200);
	check(streq(jstr(r->json, "shipments[0].id"), s3) &&
		      streq(jstr(r->json, "shipments[1].id"), s2) &&
		      streq(jstr(r->json, "shipments[2].id"), s1),
	      "the three newest shipments must lead the list: %s", r->body);
	resp_free(r);

	/* Another tenant lists none of them. */
	snprintf(q, sizeof(q), "/v1/shipments?order_id=%s", a);
	r = http_get(srv->key_globex, "%s", q);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "shipments")) == 0,
	      "globex lists acme's shipments: %s", r->body);
	resp_free(r);
	r = http_get(srv->key_globex, "/v1/shipments?carrier=UPS-LST");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "shipments")) == 0,
	      "globex lists acme's shipments: %s", r->body);
	resp_free(r);

	/* A value longer than ordo keeps cannot match: 400 naming it. */
	{
		char big[400];

		memset(big, 'x', 300);
		big[300] = '\0';
		snprintf(q, sizeof(q), "/v1/shipments?tracking_number=%s", big);
		r = http_get(acme(), "%s", q);
		assert_error(r, 400, "invalid_request", "tracking_number");
		resp_free(r);
	}

	/* The order carries its shipments with carrier and tracking. */
	o = order_fetch(acme(), a);
	check(json_array_size(jget(o, "shipments")) == 2 &&
		      streq(jstr(o, "shipments[0].id"), s1) &&
		      streq(jstr(o, "shipments[0].carrier"), "UPS-LST") &&
		      streq(jstr(o, "shipments[0].tracking_number"),
			    "1ZLST-A1") &&
		      streq(jstr(o, "shipments[1].id"), s3) &&
		      streq(jstr(o, "shipments[1].tracking_number"),
			    "1ZLST-A2") &&
		      streq(jstr(o, "shipments[1].location"), "SHP-LST-A"),
	      "order %s must list its two shipments, oldest first", a);
	json_decref(o);
	r = http_get(acme(), "/v1/orders?external_id=SHP-LST-2");
	assert_status(r, 200);
	check(streq(jstr(r->json, "orders[0].shipments[0].id"), s2) &&
		      streq(jstr(r->json,
				 "orders[0].shipments[0].tracking_number"),
			    "FXLST-B1"),
	      "the order list must carry shipments too: %s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_shipment_reads_back_by_id),
		cmocka_unit_test(shipments_list_by_every_filter),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
