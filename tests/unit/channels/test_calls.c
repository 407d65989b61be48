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
#include "channels/x12.h"

static const channel_call_ctx ctx0 = {0};

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

/* The order's fulfillments as Shopify answers them. */
static const char no_fulfillments[] = "{\"fulfillments\": []}";
static const char told_before[] =
	"{\"fulfillments\": [{\"id\": 1, \"status\": \"success\", "
	"\"tracking_number\": \"OTHER\"}, {\"id\": 2, \"status\": "
	"\"success\", \"tracking_number\": null, \"tracking_numbers\": "
	"[\"1Z999\"]}]}";
static const char told_cancelled[] =
	"{\"fulfillments\": [{\"id\": 2, \"status\": \"cancelled\", "
	"\"tracking_number\": \"1Z999\"}]}";

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

static void test_a_shopify_shipment_is_three_calls(void **state)
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
					   0, NULL, 0, &ctx0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "GET");
	assert_string_equal(c.url, "https://shop.example/admin/api/"
				   SHOPIFY_API_VERSION
				   "/orders/450789/fulfillments.json");
	assert_null(c.body);
	channel_call_free(&c);

	/* None of its tracking number: what is open to fulfill. */
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example/",
					   "shipment.created",
					   event("shipment.created", "450789",
						 SHIP_A2),
					   1, no_fulfillments,
					   strlen(no_fulfillments), &ctx0, &c,
					   &err),
			 ORDO_OK);
	assert_string_equal(c.method, "GET");
	assert_string_equal(c.url, "https://shop.example/admin/api/"
				   SHOPIFY_API_VERSION
				   "/orders/450789/fulfillment_orders.json");
	channel_call_free(&c);
	/* One of its tracking number (told before, its answer lost): done,
	 * not fulfilled twice; a cancelled one does not count. */
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example/",
					   "shipment.created",
					   event("shipment.created", "450789",
						 SHIP_A2),
					   1, told_before, strlen(told_before),
					   &ctx0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "");
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example/",
					   "shipment.created",
					   event("shipment.created", "450789",
						 SHIP_A2),
					   1, told_cancelled,
					   strlen(told_cancelled), &ctx0, &c,
					   &err),
			 ORDO_OK);
	assert_string_equal(c.method, "GET");
	channel_call_free(&c);

	assert_int_equal(channel_call_plan(
				 CHANNEL_SHOPIFY, "https://shop.example",
				 "shipment.created",
				 event("shipment.created", "450789", SHIP_A2),
				 2, fulfillment_orders,
				 strlen(fulfillment_orders), &ctx0, &c, &err),
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
					   3, "{}", 2, &ctx0, &c, &err),
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
				  2, fulfillment_orders,
				  strlen(fulfillment_orders), &ctx0, &c, &err),
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
				  2, fulfillment_orders,
				  strlen(fulfillment_orders), &ctx0, &c, &err),
		ORDO_EINVALID);
	ordo_err_clear(&err);
	/* An answer that is not the fulfillment orders. */
	assert_int_equal(
		channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
				  "shipment.created",
				  event("shipment.created", "450789", SHIP_A2),
				  2, "<html>", 6, &ctx0, &c, &err),
		ORDO_EINVALID);
	ordo_err_clear(&err);
}

/*
 * A fulfillment order line the store gives no id (or whose fulfillment
 * order has none) cannot be named in the fulfillment: units that only it
 * could take are refused, not left out of a fulfillment that then tells
 * the store of fewer units than were shipped (found by
 * fuzz/fuzz_shopify_answer.c; fuzz/regressions/shopify_answer).
 */
static void test_store_lines_without_ids_take_no_units(void **state)
{
	static const char no_line_id[] =
		"{\"fulfillment_orders\":[{\"id\":9002,\"status\":\"open\","
		"\"line_items\":[{\"id\":71,\"line_item_id\":111,"
		"\"fulfillable_quantity\":3},{\"line_item_id\":222,"
		"\"fulfillable_quantity\":1}]}]}";
	static const char no_order_id[] =
		"{\"fulfillment_orders\":[{\"status\":\"open\",\"line_items\":"
		"[{\"id\":71,\"line_item_id\":111,\"fulfillable_quantity\":3}]}"
		"]}";
	static const char *const answers[] = {no_line_id, no_order_id};
	static const char *const refused[] = {"1 unit(s) of B",
					      "2 unit(s) of A"};
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		assert_int_equal(
			channel_call_plan(
				CHANNEL_SHOPIFY, "https://shop.example",
				"shipment.created",
				event("shipment.created", "450789",
				      i == 0 ? "\"lines\":[{\"sku\":\"A\","
					       "\"quantity\":2},{\"sku\":"
					       "\"B\",\"quantity\":1}]"
					     : SHIP_A2),
				2, answers[i], strlen(answers[i]), &ctx0, &c,
				&err),
			ORDO_EINVALID);
		assert_non_null(strstr(err.message, refused[i]));
		assert_string_equal(c.method, "");
		ordo_err_clear(&err);
	}
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
					   0, NULL, 0, &ctx0, &c, &err),
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
					   0, NULL, 0, &ctx0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "PUT");
	assert_string_equal(c.url, "https://wp.example/wp-json/wc/v3/orders/727");
	assert_string_equal(c.body, "{\"status\":\"completed\"}");
	channel_call_free(&c);
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.cancelled",
					   event("order.cancelled", "727", NULL),
					   0, NULL, 0, &ctx0, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.body, "{\"status\":\"cancelled\"}");
	channel_call_free(&c);
	/* One call only. */
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.cancelled",
					   event("order.cancelled", "727", NULL),
					   1, "{}", 2, &ctx0, &c, &err),
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
					   NULL, 0, &ctx0, &c, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "external_id");
	ordo_err_clear(&err);
	/* Not a path of the store's: never spliced into the URL. */
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY,
					   "https://shop.example",
					   "order.cancelled",
					   event("order.cancelled", "1/../../x",
						 NULL),
					   0, NULL, 0, &ctx0, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	/* An event the kind is not told of. */
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "shipment.created",
					   event("shipment.created", "727",
						 SHIP_A2),
					   0, NULL, 0, &ctx0, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
}

/* ---- a trading partner's documents ---------------------------------------- */

#define PO850                                                                  \
	"ISA*00*          *00*          *ZZ*PARTNERA       *ZZ*ORDO           " \
	"*261201*1200*U*00401*000000601*0*P*>~"                                 \
	"GS*PO*PARTNERA*ORDO*20261201*1200*601*X*004010~"                        \
	"ST*850*0001~BEG*00*SA*PO-1**20261201~N1*ST*Pat Buyer~"                 \
	"N3*100 Main St~N4*Springfield*IL*62701*US~"                            \
	"PO1*1*2*EA*12.50**VP*MUG-12OZ~PO1*2*1*EA*5.00**VP*CAP~CTT*2~"          \
	"SE*9*0001~GE*1*601~IEA*1*000000601~"

/* An order event of the x12 partner's order ord_1 (PO-1): line 1 of 2
 * mugs allocated, line 2 of 1 cap still open. */
static char *x12_event(const char *type, const char *state)
{
	json_t *ev = json_pack(
		"{s:s, s:s, s:s, s:{s:{s:s, s:s, s:s, s:{s:s, s:s, s:s, "
		"s:s, s:s, s:s}, s:{s:s}, s:[{s:i, s:s, s:s, s:i, s:i, s:i}, "
		"{s:i, s:s, s:s, s:i, s:i, s:i}]}, s:s}}",
		"id", "evt_42", "type", type, "created_at",
		"2026-12-06T12:00:00Z", "data", "order", "id", "ord_1",
		"external_id", "PO-1", "state", state, "ship_to", "name",
		"Pat Buyer", "line1", "100 Main St", "line2", "", "city",
		"Springfield", "region", "IL", "postal_code", "62701",
		"shipping", "method", "ground", "lines", "line_no", 1, "sku",
		"MUG-12OZ", "title", "Mug", "quantity", 2, "open", 0,
		"cancelled", 0, "line_no", 2, "sku", "CAP", "title", "Cap",
		"quantity", 1, "open", 1, "cancelled", 0, "source", PO850);
	char *text;

	assert_non_null(ev);
	json_object_set_new(json_object_get(json_object_get(
					    json_object_get(ev, "data"),
					    "order"),
				    "ship_to"),
			    "country", json_string("US"));
	text = json_dumps(ev, 0);
	json_decref(ev);
	return text;
}

static void test_a_partners_855_is_told(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	char *ev = x12_event("order.backordered", "backordered");
	channel_call_ctx ctx = {.now = 1796558400, .control = 601};

	(void)state;
	assert_true(channel_calls_wanted(CHANNEL_X12, "order.backordered"));
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://as2.example/in",
					   "order.backordered", ev, 0, NULL, 0,
					   &ctx, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.method, "POST");
	assert_string_equal(c.url, "https://as2.example/in");
	assert_string_equal(c.content_type, "application/edi-x12");
	assert_non_null(strstr(c.body, "ST*855*"));
	assert_non_null(strstr(c.body, "BAK*00*AC*PO-1*20261201"));
	assert_non_null(strstr(c.body, "ACK*IA*2*EA"));
	assert_non_null(strstr(c.body, "ACK*IB*1*EA"));
	/* Addressed back to the partner. */
	assert_non_null(strstr(c.body, "*ZZ*ORDO           *ZZ*PARTNERA       *"));
	channel_call_free(&c);
	free(ev);
}

static void test_a_release_is_handed_over_in_a_940(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	channel_call_ctx ctx = {.now = 1796558400,
				.control = 77,
				.edi_own_id = "ZZ:DEMOCOFFEE",
				.edi_partner_id = "01:123456789",
				.order_seq = 42};
	json_t *ev = json_pack(
		"{s:s, s:s, s:s, s:{s:s, s:s, s:[{s:i, s:s, s:i}], s:{s:s, "
		"s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s}, "
		"s:[{s:i, s:s, s:s}]}}}",
		"id", "evt_7", "type", "fulfillment.released", "created_at",
		"2026-12-06T12:00:00Z", "data", "id", "ful_1", "location",
		"WH-EAST", "lines", "line_no", 1, "sku", "MUG-12OZ", "quantity",
		2, "order", "id", "ord_1", "external_id", "PO*1", "ship_to",
		"name", "Pat ~Buyer", "line1", "100 Main St", "city",
		"Springfield", "region", "IL", "postal_code", "62701",
		"country", "US", "shipping", "method", "ground", "lines",
		"line_no", 1, "sku", "MUG-12OZ", "title", "Mug, black");
	char *text = json_dumps(ev, 0);
	ordo_channel none;
	x12_doc d;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://wh.example/edi",
					   "fulfillment.released", text, 0,
					   NULL, 0, &ctx, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.content_type, "application/edi-x12");
	/* Read back as any partner's file: no problem in it. */
	channel_init(&none);
	x12_doc_init(&d);
	assert_int_equal(x12_read(c.body, strlen(c.body), &none, &d, &err),
			 ORDO_OK);
	assert_int_equal(d.n_problems, 0);
	assert_int_equal(d.n_sets, 1);
	assert_string_equal(d.sets[0].id, "940");
	x12_doc_free(&d);
	assert_non_null(strstr(c.body, "*ZZ*DEMOCOFFEE     *01*123456789      *"));
	assert_non_null(strstr(c.body, "GS*OW*DEMOCOFFEE*123456789*20261206*"));
	/* ISA13 is the delivery's number, plus one (never 0). */
	assert_non_null(strstr(c.body, "*00401*000000078*0*P*>~"));
	/* The depositor order number fits its 22 and names the order; the
	 * separators in the data became spaces. */
	assert_non_null(strstr(c.body, "W05*N*ORDO42*PO 1~"));
	assert_non_null(strstr(c.body, "N9*CO*ord_1~"));
	assert_non_null(strstr(c.body, "N1*ST*Pat  Buyer~"));
	assert_non_null(strstr(c.body, "N4*Springfield*IL*62701*US~"));
	assert_non_null(strstr(c.body, "N9*ZZ*ground~"));
	assert_non_null(strstr(c.body, "LX*1~\nW01*2*EA**VN*MUG-12OZ~\n"
				       "G69*Mug, black~"));
	assert_non_null(strstr(c.body, "W76*2~"));
	channel_call_free(&c);
	/* Taken back: the same order, cancelled. */
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://wh.example/edi",
					   "fulfillment.cancelled", text, 0,
					   NULL, 0, &ctx, &c, &err),
			 ORDO_OK);
	assert_non_null(strstr(c.body, "W05*F*ORDO42*PO 1~"));
	channel_call_free(&c);
	/* No order seq, no depositor order number, no 940. */
	ctx.order_seq = 0;
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://wh.example/edi",
					   "fulfillment.released", text, 0,
					   NULL, 0, &ctx, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	ctx.order_seq = 42;
	/* No ISA identities, no 940. */
	ctx.edi_own_id = "";
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://wh.example/edi",
					   "fulfillment.released", text, 0,
					   NULL, 0, &ctx, &c, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	free(text);
	json_decref(ev);
}

/* X12 text is ASCII: accented letters are written as their base letters,
 * any other character beyond ASCII as "?". */
static void test_a_940_is_written_in_ascii(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call c;
	channel_call_ctx ctx = {.now = 1796558400,
				.control = 77,
				.edi_own_id = "ZZ:DEMOCOFFEE",
				.edi_partner_id = "01:123456789",
				.order_seq = 42};
	json_t *ev = json_pack(
		"{s:s, s:s, s:s, s:{s:s, s:s, s:[{s:i, s:s, s:i}], s:{s:s, "
		"s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:{s:s}, "
		"s:[{s:i, s:s, s:s}]}}}",
		"id", "evt_8", "type", "fulfillment.released", "created_at",
		"2026-12-06T12:00:00Z", "data", "id", "ful_1", "location",
		"WH-EAST", "lines", "line_no", 1, "sku", "MUG-12OZ", "quantity",
		1, "order", "id", "ord_1", "external_id", "PO-2", "ship_to",
		"name", "Zo\u00eb \u0141ukasz-\u00d8rsted \u00c6sa",
		"line1", "Stra\u00dfe 5", "city", "Krak\u00f3w",
		"postal_code", "30-001", "country", "PL", "shipping", "method",
		"ground", "lines", "line_no", 1, "sku", "MUG-12OZ", "title",
		"Caf\u00e9 cr\u00e8me \u65e5\u672c");
	char *text = json_dumps(ev, 0);
	size_t i;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_X12, "https://wh.example/edi",
					   "fulfillment.released", text, 0,
					   NULL, 0, &ctx, &c, &err),
			 ORDO_OK);
	for (i = 0; c.body[i]; i++)
		assert_true((unsigned char)c.body[i] < 0x80);
	assert_non_null(strstr(c.body, "N1*ST*Zoe Lukasz-Orsted AEsa~"));
	assert_non_null(strstr(c.body, "N3*Strasse 5~"));
	assert_non_null(strstr(c.body, "N4*Krakow**30-001*PL~"));
	assert_non_null(strstr(c.body, "G69*Cafe creme ??~"));
	channel_call_free(&c);
	free(text);
	json_decref(ev);
}

/* Each kind's credentials, as its store takes them. */
static void test_credentials(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	channel_call_ctx ctx = {.token = "tok_123"};
	channel_call c;

	(void)state;
	assert_int_equal(channel_call_plan(CHANNEL_SHOPIFY, "https://shop.example",
					   "order.cancelled",
					   event("order.cancelled", "450789",
						 NULL),
					   0, NULL, 0, &ctx, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.auth_header, "X-Shopify-Access-Token: tok_123");
	assert_string_equal(c.userpwd, "");
	assert_string_equal(c.accept, "application/json");
	channel_call_free(&c);
	ctx.token = "ck_1:cs_2";
	assert_int_equal(channel_call_plan(CHANNEL_WOOCOMMERCE,
					   "https://wp.example",
					   "order.cancelled",
					   event("order.cancelled", "727", NULL),
					   0, NULL, 0, &ctx, &c, &err),
			 ORDO_OK);
	assert_string_equal(c.auth_header, "");
	assert_string_equal(c.userpwd, "ck_1:cs_2");
	channel_call_free(&c);
	/* A partner's endpoint: a bearer token when one is set. */
	{
		char *ev = x12_event("order.allocated", "allocated");

		ctx.token = "edi_tok";
		assert_int_equal(channel_call_plan(CHANNEL_X12,
						   "https://as2.example/in",
						   "order.allocated", ev, 0,
						   NULL, 0, &ctx, &c, &err),
				 ORDO_OK);
		assert_string_equal(c.auth_header,
				    "Authorization: Bearer edi_tok");
		assert_string_equal(c.accept, "");
		channel_call_free(&c);
		ctx.token = "";
		assert_int_equal(channel_call_plan(CHANNEL_X12,
						   "https://as2.example/in",
						   "order.allocated", ev, 0,
						   NULL, 0, &ctx, &c, &err),
				 ORDO_OK);
		assert_string_equal(c.auth_header, "");
		channel_call_free(&c);
		free(ev);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_which_events_each_kind_hears),
		cmocka_unit_test(test_a_shopify_shipment_is_three_calls),
		cmocka_unit_test(test_units_the_store_has_not_open_are_refused),
		cmocka_unit_test(test_store_lines_without_ids_take_no_units),
		cmocka_unit_test(test_cancellations_and_woocommerce_statuses),
		cmocka_unit_test(test_an_order_the_store_cannot_be_told_of),
		cmocka_unit_test(test_a_partners_855_is_told),
		cmocka_unit_test(test_credentials),
		cmocka_unit_test(test_a_release_is_handed_over_in_a_940),
		cmocka_unit_test(test_a_940_is_written_in_ascii),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
