/*
 * test_reconcile.c - a warehouse's view of its open work beside ordo's:
 * every difference answered (unknown to ordo, unknown to the warehouse,
 * status and quantity mismatches), each naming the order it concerns;
 * the same from a CSV file; bad views refused naming what is wrong;
 * another tenant's fulfillments are unknown to it. Nothing changes.
 */
#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRICE "10.00"

static const char *acme(void)
{
	return srv->key_acme;
}

struct placed {
	char id[64], ext[32], ful[64];
};

static void place(const char *ext, const char *sku, long qty,
		  struct placed *p)
{
	json_t *body = order_one_line(ext, sku, qty, PRICE), *o;
	char *id = order_create(acme(), body);

	json_decref(body);
	o = order_wait_state(acme(), id, "released", 5000);
	snprintf(p->id, sizeof(p->id), "%s", id);
	snprintf(p->ext, sizeof(p->ext), "%s", ext);
	snprintf(p->ful, sizeof(p->ful), "%s",
		 jstr(o, "fulfillments[0].id"));
	json_decref(o);
	free(id);
}

static struct placed o1, o2, o3, o4;

static void setup_location(void)
{
	static int done;
	char path[128];
	const char *b = "{\"lines\": [{\"sku\": \"REC-A\", \"quantity\": 1}], "
			"\"carrier\": \"UPS\"}";
	struct resp *r;

	if (done++)
		return;
	make_sku(acme(), "REC-A", "REC-A", PRICE, 1);
	make_sku(acme(), "REC-B", "REC-B", PRICE, 1);
	make_location_serving(acme(), "REC-1", 5, NULL);
	set_stock(acme(), "REC-1", "REC-A", 100);
	set_stock(acme(), "REC-1", "REC-B", 100);
	place("REC-O1", "REC-A", 2, &o1);
	place("REC-O2", "REC-B", 1, &o2);
	place("REC-O3", "REC-A", 3, &o3);
	place("REC-O4", "REC-A", 1, &o4);
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments", o4.ful);
	r = http("POST", path, acme(), b, strlen(b), NULL);
	assert_status(r, 201);
	resp_free(r);
}

/* The difference of kind about order (id), or NULL. Borrowed. */
static json_t *diff_of(const json_t *answer, const char *kind,
		       const char *order_id)
{
	json_t *d;
	size_t i;

	json_array_foreach(jget(answer, "differences"), i, d)
		if (streq(jstr(d, "kind"), kind) &&
		    (!order_id || streq(jstr(d, "order_id"), order_id)))
			return d;
	return NULL;
}

static void check_answer(const json_t *a, const char *where)
{
	check(json_integer_value(jget(a, "items")) == 4 &&
		      json_integer_value(jget(a, "open_in_ordo")) == 3 &&
		      json_integer_value(jget(a, "matched")) == 1 &&
		      json_array_size(jget(a, "differences")) == 4,
	      "%s: %s", where, json_dumps(a, 0));
	check(diff_of(a, "quantity_mismatch", o2.id) &&
		      streq(jstr(diff_of(a, "quantity_mismatch", o2.id), "sku"),
			    "REC-B") &&
		      diff_of(a, "status_mismatch", o4.id) &&
		      diff_of(a, "unknown_to_warehouse", o3.id) &&
		      diff_of(a, "unknown_to_ordo", NULL) &&
		      !diff_of(a, "unknown_to_warehouse", o1.id),
	      "%s: %s", where, json_dumps(a, 0));
}

API_TEST(every_difference_is_answered)
{
	char body[2048];
	struct resp *r;
	json_t *before;

	setup_location();
	before = order_fetch(acme(), o2.id);
	snprintf(body, sizeof(body),
		 "{\"location\": \"REC-1\", \"items\": ["
		 "{\"fulfillment_id\": \"%s\", \"status\": \"accepted\", "
		 "\"lines\": [{\"sku\": \"REC-A\", \"quantity\": 2, "
		 "\"shipped\": 0}]},"
		 "{\"order\": \"%s\", \"status\": \"released\", "
		 "\"lines\": [{\"sku\": \"REC-B\", \"quantity\": 3}]},"
		 "{\"fulfillment_id\": \"%s\", \"status\": \"released\", "
		 "\"lines\": [{\"sku\": \"REC-A\", \"quantity\": 1}]},"
		 "{\"fulfillment_id\": \"ful_nosuchthing000000000000\", "
		 "\"status\": \"released\", \"lines\": []}]}",
		 o1.ful, o2.ext, o4.ful);
	r = http("POST", "/v1/reconciliations", acme(), body, strlen(body),
		 NULL);
	assert_status(r, 200);
	check_answer(r->json, "json");
	check(json_integer_value(
		      jget(diff_of(r->json, "unknown_to_ordo", NULL), "item")) ==
		      3,
	      "names the item: %s", r->body);
	resp_free(r);
	/* Nothing changed. */
	{
		json_t *after = order_fetch(acme(), o2.id);

		check(json_equal(before, after), "the order is as it was");
		json_decref(after);
	}
	json_decref(before);
}

API_TEST(a_csv_view_is_read_the_same)
{
	char body[2048];
	const char *headers[] = {"Content-Type: text/csv", NULL};
	struct resp *r;

	setup_location();
	snprintf(body, sizeof(body),
		 "Fulfillment_ID,Order,Status,SKU,Quantity,Shipped\r\n"
		 "%s,,accepted,REC-A,2,0\r\n"
		 ",%s,released,REC-B,3,\r\n"
		 "%s,,released,REC-A,1,\r\n"
		 "ful_nosuchthing000000000000,,released,REC-A,1,\r\n",
		 o1.ful, o2.ext, o4.ful);
	r = http("POST", "/v1/reconciliations?location=REC-1", acme(), body,
		 strlen(body), headers);
	assert_status(r, 200);
	/* The unknown item also names a SKU ordo does not hold for it:
	 * it is unknown, nothing more. */
	check_answer(r->json, "csv");
	check(json_integer_value(
		      jget(diff_of(r->json, "unknown_to_ordo", NULL), "line")) ==
		      5,
	      "names the line: %s", r->body);
	resp_free(r);

	r = http("POST", "/v1/reconciliations", acme(), body, strlen(body),
		 headers);
	assert_error(r, 400, "invalid_request", "location");
	resp_free(r);
	{
		static const struct {
			const char *csv;
			const char *field;
		} bad[] = {
			{"Status,SKU\r\nreleased,REC-A\r\n", "file"},
			{"order,status,sku,quantity,shiped\r\n"
			 "X,released,REC-A,1,1\r\n",
			 "file"},
			{"order,status,sku,quantity\r\nX,released,REC-A,1\r\n"
			 "Y,released,REC-A,1\r\nX,released,REC-B,1\r\n",
			 "line 4"},
			{"order,status,sku,quantity\r\nX,released,REC-A,1\r\n"
			 "X,shipped,REC-B,1\r\n",
			 "line 3"},
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = http("POST", "/v1/reconciliations?location=REC-1",
				 acme(), bad[i].csv, strlen(bad[i].csv),
				 headers);
			assert_error(r, 400, "invalid_request", bad[i].field);
			resp_free(r);
		}
	}
}

API_TEST(bad_views_are_refused_naming_what)
{
	static const struct {
		const char *body;
		const char *field;
		long status;
	} bad[] = {
		{"{\"location\": \"NO-SUCH\", \"items\": []}", "location",
		 404},
		{"{\"location\": \"REC-1\", \"items\": [{\"order\": \"X\", "
		 "\"status\": \"lost\", \"lines\": []}]}",
		 "items[0].status", 400},
		{"{\"location\": \"REC-1\", \"items\": [{\"status\": "
		 "\"released\", \"lines\": []}]}",
		 "items[0]", 400},
		{"{\"location\": \"REC-1\", \"items\": [], \"when\": 1}",
		 "when", 400},
		{"{\"location\": \"REC-1\", \"items\": [{\"order\": \"X\", "
		 "\"status\": \"released\", \"lines\": [{\"sku\": \"A\", "
		 "\"qty\": 1}]}]}",
		 "items[0].lines[0].qty", 400},
		{"{\"location\": \"REC-1\", \"items\": [{\"order\": \"X\", "
		 "\"fulfillment_id\": \"ful_x\", \"status\": \"released\", "
		 "\"lines\": []}]}",
		 "items[0]", 400},
		{"{\"location\": \"REC-1\", \"items\": [{\"order\": \"X\", "
		 "\"status\": \"released\", \"lines\": [{\"sku\": \"A\", "
		 "\"quantity\": 1, \"shipped\": 2}]}]}",
		 "items[0].lines[0]", 400},
	};
	size_t i;

	setup_location();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct resp *r = http("POST", "/v1/reconciliations", acme(),
				      bad[i].body, strlen(bad[i].body), NULL);

		assert_error(r, bad[i].status, NULL, bad[i].field);
		resp_free(r);
	}
	/* A fulfillment named twice, by its id and by its order. */
	{
		char body[512];
		struct resp *r;

		snprintf(body, sizeof(body),
			 "{\"location\": \"REC-1\", \"items\": ["
			 "{\"fulfillment_id\": \"%s\", \"status\": "
			 "\"released\", \"lines\": []},"
			 "{\"fulfillment_id\": \"%s\", \"status\": "
			 "\"released\", \"lines\": []}]}",
			 o1.ful, o1.ful);
		r = http("POST", "/v1/reconciliations", acme(), body,
			 strlen(body), NULL);
		assert_error(r, 400, "invalid_request", "items");
		resp_free(r);
	}
}

API_TEST(another_tenants_fulfillments_are_unknown_to_it)
{
	char body[512];
	struct resp *r;

	setup_location();
	make_location_serving(srv->key_globex, "REC-1", 5, NULL);
	snprintf(body, sizeof(body),
		 "{\"location\": \"REC-1\", \"items\": [{\"fulfillment_id\": "
		 "\"%s\", \"status\": \"released\", \"lines\": []}]}",
		 o1.ful);
	r = http("POST", "/v1/reconciliations", srv->key_globex, body,
		 strlen(body), NULL);
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "differences")) == 1 &&
		      diff_of(r->json, "unknown_to_ordo", NULL) &&
		      jget(diff_of(r->json, "unknown_to_ordo", NULL),
			   "order_id") == json_null(),
	      "%s", r->body);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_difference_is_answered),
		cmocka_unit_test(a_csv_view_is_read_the_same),
		cmocka_unit_test(bad_views_are_refused_naming_what),
		cmocka_unit_test(another_tenants_fulfillments_are_unknown_to_it),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
