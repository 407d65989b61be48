/*
 * fuzz_shopify_answer.c - what a Shopify store answers ordo when ordo
 * tells it of a shipment (channels/calls.c, channel_call_plan): the
 * order's fulfillments (step 1: told before?) and its fulfillment orders
 * (step 2: which of their line items the shipped units fulfill), for a
 * fixed shipment of an order of two lines.
 *
 * Checked: a fulfillment ordo sends fulfills exactly the units shipped,
 * each one against a fulfillment order line the store named, with its id
 * and fulfillment order's id (the store refuses a line without them);
 * otherwise the call is refused, naming why.
 */
#include "fuzz.h"

#include <string.h>

#include <jansson.h>

#include "channels/calls.h"

/* An event as app_channel_tell makes it (tests/unit/channels/test_calls.c):
 * store line items 111 (SKU A) and 222 (SKU B); 2 of A and 1 of B
 * shipped. */
static const char event[] =
	"{\"id\":\"evt_1\",\"type\":\"shipment.created\",\"created_at\":"
	"\"2026-12-06T00:00:00Z\",\"data\":{\"order\":{\"id\":\"ord_1\","
	"\"external_id\":\"450789\",\"lines\":[{\"line_no\":1,\"sku\":\"A\","
	"\"external_id\":\"111\"},{\"line_no\":2,\"sku\":\"B\","
	"\"external_id\":\"222\"}]},\"shipment\":{\"carrier\":\"UPS\","
	"\"tracking_number\":\"1Z999\",\"lines\":[{\"sku\":\"A\","
	"\"quantity\":2},{\"sku\":\"B\",\"quantity\":1}]}}}";
#define SHIPPED_UNITS 3

static void body_check(const char *text)
{
	json_t *body = json_loads(text, 0, NULL), *groups, *g, *items, *it;
	json_int_t units = 0;
	size_t i, k;

	FUZZ_CHECK(body);
	groups = json_object_get(json_object_get(body, "fulfillment"),
				 "line_items_by_fulfillment_order");
	FUZZ_CHECK(json_is_array(groups));
	json_array_foreach(groups, i, g) {
		FUZZ_CHECK(json_object_get(g, "fulfillment_order_id"));
		items = json_object_get(g, "fulfillment_order_line_items");
		FUZZ_CHECK(json_is_array(items));
		json_array_foreach(items, k, it) {
			json_t *q = json_object_get(it, "quantity");

			FUZZ_CHECK(json_object_get(it, "id"));
			FUZZ_CHECK(json_is_integer(q) &&
				   json_integer_value(q) > 0);
			units += json_integer_value(q);
		}
	}
	if (units != SHIPPED_UNITS) {
		fprintf(stderr, "fulfillment of %lld units: %s\n",
			(long long)units, text);
		FUZZ_CHECK(!"a fulfillment of other units than shipped");
	}
	json_decref(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const channel_call_ctx ctx = {.now = 1767225600};
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	int step;

	for (step = 1; step <= 2; step++) {
		if (channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
				      "shipment.created", event, step,
				      (const char *)data, size, &ctx, &c,
				      &err) == ORDO_OK) {
			if (step == 2 && c.method[0])
				body_check(c.body);
			channel_call_free(&c);
		} else {
			FUZZ_CHECK(err.message[0]);
		}
		ordo_err_clear(&err);
	}
	return 0;
}
