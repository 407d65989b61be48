/*
 * test_calls.c - what a storefront is asked when ordo ships or cancels one
 * of its orders (channels/calls.c), from buffers alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/calls.h"

/* An event as app_channel_tell makes it: an order of two lines (store
 * line items 111 and 222, SKUs A and B) and, when given, a shipment. */
static char *event(const char *type, const char *external_id,
		   const char *shipment_lines)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "{\"id\":\"evt_1\",\"type\":\"%s\",\"created_at\":"
		 "\"2026-12-06T00:00:00Z\",\"data\":{\"order\":{\"id\":"
		 "\"ord_1\",\"external_id\":\"%s\",\"lines\":["
		 "{\"line_no\":1,\"sku\":\"A\",\"external_id\":\"111\"},"
		 "{\"line_no\":2,\"sku\":\"B\",\"external_id\":\"222\"}]}"
		 "%s%s%s}}",
		 type, external_id, shipment_lines ? ",\"shipment\":{" : "",
		 shipment_lines ? shipment_lines : "",
		 shipment_lines ? "}" : "");
	return buf;
}

#define SHIP_A2 \
	"\"carrier\":\"UPS\",\"tracking_number\":\"1Z999\",\"lines\":" \
	"[{\"sku\":\"A\",\"quantity\":2}]"

/* Shopify's fulfillment orders of the order: one closed, one open with
 * items of both line items (A: 3 open; B: 1 open). */
static const char fulfillment_orders[] =
	"{\"fulfillment_orders\":["
	"{\"id\":9001,\"status\":\"closed\",\"line_items\":[{\"id\":1,"
	"\"line_item_id\":111,\"fulfillable_quantity\":5}]},"
	"{\"id\":9002,\"status\":\"open\",\"line_items\":["
	"{\"id\":71,\"line_item_id\":111,\"fulfillable_quantity\":3},"
	"{\"id\":72,\"line_item_id\":222,\"fulfillable_quantity\":1}]}]}";

static void test_which_events_each_kind_hears(void **state)
{
	(void)state;
	assert_true(channel_calls_wanted(CHANNEL_SHOPIFY, "shipment.created"));
	assert_true(channel_calls_wanted(CHANNEL_SHOPIFY, "order.cancelled"));
	assert_false(channel_calls_wanted(CHANNEL_SHOPIFY, "order.shipped"));
	assert_false(channel_calls_wanted(CHANNEL_SHOPIFY, "order.cancel"));
	assert_true(channel_calls_wanted(CHANNEL_WOOCOMMERCE, "order.shipped"));
	assert_true(
		channel_calls_wanted(CHANNEL_WOOCOMMERCE, "order.cancelled"));
	assert_false(channel_calls_wanted(CHANNEL_WOOCOMMERCE,
					  "shipment.created"));
	assert_false(channel_calls_wanted(CHANNEL_X12, "order.shipped"));
	assert_string_equal(channel_calls_events(CHANNEL_CSV), "");
}

static void test_a_shopify_shipment_is_two_calls(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	json_t *body, *groups, *items, *tracking;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example/",
					   "shipment.created",
					   event("shipment.created", "450789",
						 SHIP_A2),
					   0, NULL, 0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "GET");
	assert_string_equal(c.url, "https://shop.example/admin/api/"
				   SHOPIFY_API_VERSION
				   "/orders/450789/fulfillment_orders.json");
	assert_null(c.body);
	channel_call_free(&c);

	assert_int_equal(channel_call_plan(
				 CHANNEL_SHOPIFY, "https://shop.example",
				 "shipment.created",
				 event("shipment.created", "450789", SHIP_A2),
				 1, fulfillment_orders,
				 strlen(fulfillment_orders), &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "POST");
	assert_string_equal(c.url, "https://shop.example/admin/api/"
				   SHOPIFY_API_VERSION "/fulfillments.json");
	body = json_loads(c.body, 0, NULL);
	assert_non_null(body);
	/* Only the open fulfillment order, only line item 111, 2 units. */
	groups = json_object_get(json_object_get(body, "fulfillment"),
				 "line_items_by_fulfillment_order");
	assert_int_equal(json_array_size(groups), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(groups, 0),
				 "fulfillment_order_id")),
			 9002);
	items = json_object_get(json_array_get(groups, 0),
				"fulfillment_order_line_items");
	assert_int_equal(json_array_size(items), 1);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(items, 0), "id")),
			 71);
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(items, 0), "quantity")),
			 2);
	tracking = json_object_get(json_object_get(body, "fulfillment"),
				   "tracking_info");
	assert_string_equal(json_string_value(json_object_get(tracking,
							      "number")),
			    "1Z999");
	assert_string_equal(json_string_value(json_object_get(tracking,
							      "company")),
			    "UPS");
	json_decref(body);
	channel_call_free(&c);

	/* After the fulfillment, nothing is left to call. */
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example",
					   "shipment.created",
					   event("shipment.created", "450789",
						 SHIP_A2),
					   2, "{}", 2, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "");
}

static void test_units_the_store_has_not_open_are_refused(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;

	(void)state;
	/* 2 of B shipped; the store has 1 open. */
	assert_int_equal(
		channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
				  "shipment.created",
				  event("shipment.created", "450789",
					"\"lines\":[{\"sku\":\"B\","
					"\"quantity\":2}]"),
				  1, fulfillment_orders,
				  strlen(fulfillment_orders), &c, &err),
		ORDO_EINVALID);
	assert_non_null(strstr(err.message, "1 unit(s) of B"));
	assert_string_equal(c.method, "");
	ordo_err_clear(&err);
	/* A SKU no store line has. */
	assert_int_equal(
		channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
				  "shipment.created",
				  event("shipment.created", "450789",
					"\"lines\":[{\"sku\":\"C\","
					"\"quantity\":1}]"),
				  1, fulfillment_orders,
				  strlen(fulfillment_orders), &c, &err),
		ORDO_EINVALID);
	ordo_err_clear(&err);
	/* An answer that is not the fulfillment orders. */
	assert_int_equal(
		channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
				  "shipment.created",
				  event("shipment.created", "450789", SHIP_A2),
				  1, "<html>", 6, &c, &err),
		ORDO_EINVALID);
	ordo_err_clear(&err);
}

static void test_cancellations_and_woocommerce_statuses(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example",
					   "order.cancelled",
					   event("order.cancelled", "450789",
						 NULL),
					   0, NULL, 0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "POST");
	assert_string_equal(c.url, "https://shop.example/admin/api/"
				   SHOPIFY_API_VERSION
				   "/orders/450789/cancel.json");
	assert_string_equal(c.body, "{}");
	channel_call_free(&c);

	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example/",
					   "order.shipped",
					   event("order.shipped", "727", NULL),
					   0, NULL, 0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "PUT");
	assert_string_equal(c.url, "https://wp.example/wp-json/wc/v3/orders/727");
	assert_string_equal(c.body, "{\"status\":\"completed\"}");
	channel_call_free(&c);
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.cancelled",
					   event("order.cancelled", "727", NULL),
					   0, NULL, 0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.body, "{\"status\":\"cancelled\"}");
	channel_call_free(&c);
	/* One call only. */
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.cancelled",
					   event("order.cancelled", "727", NULL),
					   1, "{}", 2, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "");
}

static void test_an_order_the_store_cannot_be_told_of(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.shipped",
					   event("order.shipped", "", NULL), 0,
					   NULL, 0, &c, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "external_id");
	ordo_err_clear(&err);
	/* Not a path of the store's: never spliced into the URL. */
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example",
					   "order.cancelled",
					   event("order.cancelled", "1/../../x",
						 NULL),
					   0, NULL, 0, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	/* An event the kind is not told of. */
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "shipment.created",
					   event("shipment.created", "727",
						 SHIP_A2),
					   0, NULL, 0, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_events_each_kind_hears),
		cmocka_unit_test(test_a_shopify_shipment_is_two_calls),
		cmocka_unit_test(test_units_the_store_has_not_open_are_refused),
		cmocka_unit_test(test_cancellations_and_woocommerce_statuses),
		cmocka_unit_test(test_an_order_the_store_cannot_be_told_of),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
