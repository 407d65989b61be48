/*
 * test_shopify.c - the Shopify order decoder: the real REST fixture element
 * by element (enveloped and bare), loose payloads, 0- and 3-decimal
 * currencies, the SKU mapping and its fallbacks, every problem reported at
 * once with its path, and bodies that are not orders at all - not JSON,
 * the wrong shape, every prefix and many one-byte corruptions of the
 * fixture - which must be refused without a crash or a leak (the test
 * build runs under ASan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "files.h"
#include <jansson.h>

#include "channels/shopify.h"
#include "core/channel.h"
#include "core/limits.h"
#include "core/order.h"

#define SAMPLE_ORDER                                                           \
	ORDO_SAMPLES_DIR                                                       \
	"/shopify/Shopify_shopify_python_api__test_fixtures_order.json"

#define PLACED_2026 ((ordo_time)1795774500) /* 2026-11-27T10:15:00Z */

static ordo_channel chan;
static order o;
static ordo_err err;

static int setup(void **state)
{
	(void)state;
	channel_init(&chan);
	snprintf(chan.name, sizeof(chan.name), "shop-main");
	order_init(&o);
	ordo_err_init(&err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	order_free(&o);
	ordo_err_clear(&err);
	channel_free(&chan);
	return 0;
}

/* Start over between two decodes within one test. */
static void reset(void)
{
	order_free(&o);
	order_init(&o);
	ordo_err_clear(&err);
}

static ordo_code decode_text(const char *text)
{
	return shopify_order_decode(text, strlen(text), &chan, &o, &err);
}

/* Decode doc (a reference taken) as JSON text. */
static ordo_code decode_json(json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	ordo_code rc;

	assert_non_null(text);
	json_decref(doc);
	rc = decode_text(text);
	free(text);
	return rc;
}

static const ordo_err_detail *detail(const char *field)
{
	size_t i;

	for (i = 0; i < err.n_details; i++)
		if (strcmp(err.details[i].field, field) == 0)
			return &err.details[i];
	return NULL;
}

static size_t details_on(const char *field)
{
	size_t i, n = 0;

	for (i = 0; i < err.n_details; i++)
		n += strcmp(err.details[i].field, field) == 0;
	return n;
}

static void dump_details(void)
{
	size_t i;

	for (i = 0; i < err.n_details; i++)
		print_message("  %s: %s\n", err.details[i].field,
			      err.details[i].message);
}

static void expect_ok(ordo_code rc)
{
	if (rc != ORDO_OK) {
		dump_details();
		fail_msg("refused: %s", err.message);
	}
}

/* Expect a refusal with a detail on field whose message contains why. */
static void expect_problem(const char *field, const char *why)
{
	const ordo_err_detail *d = detail(field);

	assert_int_not_equal(err.code, ORDO_OK);
	if (!d) {
		dump_details();
		fail_msg("no problem reported on %s", field);
	}
	if (why && !strstr(d->message, why))
		fail_msg("%s: \"%s\" lacks \"%s\"", field, d->message, why);
}

/* A minimal valid order; tests change what they are about. */
static json_t *base_order(void)
{
	json_t *doc = json_pack(
		"{s:I, s:s, s:s, s:[{s:s, s:s, s:i, s:s}]}", "id",
		(json_int_t)1001, "created_at", "2026-11-27T10:15:00Z",
		"currency", "USD", "line_items", "sku", "SKU-A", "title",
		"Thing", "quantity", 1, "price", "10.00");

	assert_non_null(doc);
	return doc;
}

static json_t *line0(json_t *doc)
{
	return json_array_get(json_object_get(doc, "line_items"), 0);
}

/* ---- the real fixture -------------------------------------------------- */

static void check_bob_address(const order_address *a)
{
	assert_string_equal(a->name, "Bob Norman");
	assert_string_equal(a->company, "");
	assert_string_equal(a->line1, "Chestnut Street 92");
	assert_string_equal(a->line2, "");
	assert_string_equal(a->city, "Louisville");
	assert_string_equal(a->region, "KY");
	assert_string_equal(a->postal_code, "40202");
	assert_string_equal(a->country, "US");
	assert_string_equal(a->phone, "555-625-1199");
}

static void check_sample_order(void)
{
	static const char *const skus[] = {
		"IPOD2008GREEN", "IPOD2008RED", "IPOD2008BLACK",
	};
	static const char *const titles[] = {
		"IPod Nano - 8gb - green",
		"IPod Nano - 8gb - red",
		"IPod Nano - 8gb - black",
	};
	size_t i;

	assert_string_equal(o.external_id, "450789469");
	assert_string_equal(o.channel, "shop-main");
	/* 2008-01-10T11:00:00-05:00 */
	assert_int_equal(o.placed_at, 1199980800);
	assert_string_equal(o.currency, "USD");
	assert_int_equal(o.state, ORDER_RECEIVED);

	assert_string_equal(o.customer.external_id, "207119551");
	assert_string_equal(o.customer.name, "Bob Norman");
	assert_string_equal(o.customer.email, "bob.norman@hostmail.com");
	assert_string_equal(o.customer.phone, "");

	check_bob_address(&o.ship_to);
	assert_true(o.has_bill_to);
	check_bob_address(&o.bill_to);

	assert_int_equal(o.n_lines, 3);
	for (i = 0; i < 3; i++) {
		const order_line *l = &o.lines[i];

		assert_int_equal(l->line_no, (int)i + 1);
		assert_string_equal(l->sku, skus[i]);
		assert_string_equal(l->title, titles[i]);
		assert_int_equal(l->quantity, 1);
		assert_int_equal(l->unit_price, 19900);
		assert_int_equal(l->qty_open, 1);
		assert_true(order_line_consistent(l));
	}

	assert_string_equal(o.shipping.method, "free shipping");
	assert_int_equal(o.shipping.amount, 0);
	assert_int_equal(o.totals.subtotal, 39800);
	assert_int_equal(o.totals.shipping, 0);
	assert_int_equal(o.totals.tax, 1194);
	assert_int_equal(o.totals.discount, 0);
	assert_int_equal(o.totals.total, 40994);
	assert_int_equal(o.payment, PAYMENT_AUTHORIZED);
	assert_string_equal(o.notes, "");
}

static void test_sample_order(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_ORDER, &len);

	(void)state;
	expect_ok(shopify_order_decode(body, len, &chan, &o, &err));
	check_sample_order();
	free(body);
}

/* The webhook body is the bare order: the same order, without the REST
 * envelope. */
static void test_sample_bare(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_ORDER, &len);
	json_t *root = json_loadb(body, len, 0, NULL);

	(void)state;
	assert_non_null(root);
	expect_ok(decode_json(json_incref(json_object_get(root, "order"))));
	check_sample_order();
	json_decref(root);
	free(body);
}

/* In the envelope, a problem's path is its path in the document. */
static void test_sample_paths(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_ORDER, &len);
	json_t *root = json_loadb(body, len, 0, NULL);
	json_t *ord = json_object_get(root, "order");
	json_t *items = json_object_get(ord, "line_items");

	(void)state;
	json_object_set_new(json_array_get(items, 2), "quantity",
			    json_integer(0));
	assert_int_equal(decode_json(root), ORDO_EINVALID);
	expect_problem("order.line_items[2].quantity", "between 1 and");
	assert_int_equal(err.n_details, 1);
	free(body);
}

/* The other fixtures are Shopify documents but not orders: refused, each
 * with its problems named, never a crash. */
static void test_sample_not_orders(void **state)
{
	static const char *const names[] = {
		"Shopify_shopify_python_api__test_fixtures_orders.json",
		"Shopify_shopify_python_api__test_fixtures_refund.json",
		"Shopify_shopify_python_api__test_fixtures_fulfillment.json",
	};
	char path[512];
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *body;

		snprintf(path, sizeof(path), "%s/shopify/%s", ORDO_SAMPLES_DIR,
			 names[i]);
		body = read_file(path, &len);
		assert_int_equal(
			shopify_order_decode(body, len, &chan, &o, &err),
			ORDO_EINVALID);
		assert_true(err.n_details >= 1);
		assert_true(err.message[0] != '\0');
		free(body);
		reset();
	}
}

/* Every prefix of the fixture: a truncated delivery. */
static void test_sample_prefixes(void **state)
{
	size_t len, n, accepted = 0;
	char *body = read_file(SAMPLE_ORDER, &len);

	(void)state;
	for (n = 0; n <= len; n++) {
		ordo_code rc = shopify_order_decode(body, n, &chan, &o, &err);

		if (rc == ORDO_OK)
			accepted++;
		else
			assert_true(err.n_details + err.n_dropped >= 1);
		reset();
	}
	/* The whole file, and the file without its final newline. */
	assert_int_equal(accepted, 2);
	free(body);
}

/* One byte of the fixture replaced, at every position, by characters that
 * break JSON or change a value's type. Whatever comes of it must not
 * crash, leak or leave the error without a problem. */
static void test_sample_corrupted(void **state)
{
	static const char repl[] = { '"', '}', '9', '\0' };
	size_t len, i, k;
	char *body = read_file(SAMPLE_ORDER, &len);

	(void)state;
	for (i = 0; i < len; i++) {
		char saved = body[i];

		for (k = 0; k < sizeof(repl); k++) {
			ordo_code rc;

			body[i] = repl[k];
			rc = shopify_order_decode(body, len, &chan, &o, &err);
			if (rc != ORDO_OK)
				assert_true(err.n_details + err.n_dropped >=
					    1);
			reset();
		}
		body[i] = saved;
	}
	free(body);
}

/* ---- loose payloads ---------------------------------------------------- */

static void test_loose_payload(void **state)
{
	(void)state;
	snprintf(chan.currency, sizeof(chan.currency), "EUR");
	expect_ok(decode_text(
		"{\"id\": \"987654321\", \"created_at\": "
		"\"2026-11-27T11:15:00+01:00\", \"shipping_address\": null,"
		" \"customer\": null, \"billing_address\": null,"
		" \"line_items\": [{\"sku\": \"SKU-A\", \"quantity\": \"2\","
		" \"price\": 15}, {\"sku\": \"SKU-B\", \"quantity\": 1,"
		" \"price\": \"0\"}], \"shipping_lines\": [{\"title\":"
		" \"DHL Express\", \"price\": 5}], \"total_tax\": 3,"
		" \"financial_status\": \"paid\"}"));
	assert_string_equal(o.external_id, "987654321");
	assert_int_equal(o.placed_at, PLACED_2026);
	assert_string_equal(o.currency, "EUR");
	assert_string_equal(o.customer.external_id, "");
	assert_string_equal(o.customer.name, "");
	assert_string_equal(o.ship_to.name, "");
	assert_string_equal(o.ship_to.line1, "");
	assert_string_equal(o.ship_to.country, "");
	assert_false(o.has_bill_to);
	assert_int_equal(o.n_lines, 2);
	assert_int_equal(o.lines[0].quantity, 2);
	assert_int_equal(o.lines[0].qty_open, 2);
	assert_int_equal(o.lines[0].unit_price, 1500);
	assert_int_equal(o.lines[1].unit_price, 0);
	assert_string_equal(o.shipping.method, "dhl express");
	assert_int_equal(o.shipping.amount, 500);
	/* Totals the document leaves out are the order's arithmetic. */
	assert_int_equal(o.totals.subtotal, 3000);
	assert_int_equal(o.totals.shipping, 500);
	assert_int_equal(o.totals.tax, 300);
	assert_int_equal(o.totals.discount, 0);
	assert_int_equal(o.totals.total, 3800);
	assert_int_equal(o.payment, PAYMENT_PAID);
}

static void test_loose_refusals(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(doc, "id", json_string("12a"));
	json_object_set_new(line0(doc), "quantity", json_string("2.0"));
	json_object_set_new(line0(doc), "variant_id", json_integer(-4));
	json_object_set_new(doc, "total_price", json_integer(-1));
	json_object_set_new(doc, "total_tax", json_true());
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("id", "string of digits");
	expect_problem("line_items[0].quantity", "string of digits");
	expect_problem("line_items[0].variant_id", "negative");
	expect_problem("total_price", "negative");
	expect_problem("total_tax", "decimal string");
	assert_int_equal(err.n_details, 5);
}

/* ---- currencies -------------------------------------------------------- */

static void test_jpy(void **state)
{
	json_t *doc = base_order(), *items;

	(void)state;
	json_object_set_new(doc, "currency", json_string("JPY"));
	items = json_pack("[{s:s,s:i,s:s}, {s:s,s:i,s:s}, {s:s,s:i,s:i},"
			  " {s:s,s:i,s:s}]",
			  "sku", "A", "quantity", 1, "price", "1000", "sku",
			  "B", "quantity", 1, "price", "1000.00", "sku", "C",
			  "quantity", 1, "price", 1000, "sku", "D",
			  "quantity", 1, "price", "1000.0");
	json_object_set_new(doc, "line_items", items);
	json_object_set_new(doc, "total_price", json_string("4000.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 1000);
	assert_int_equal(o.lines[1].unit_price, 1000);
	assert_int_equal(o.lines[2].unit_price, 1000);
	assert_int_equal(o.lines[3].unit_price, 1000);
	assert_int_equal(o.totals.subtotal, 4000);
	assert_int_equal(o.totals.total, 4000);

	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("JPY"));
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:i,s:s}", "sku", "B",
					"quantity", 1, "price", "1000.50"));
	json_object_set_new(line0(doc), "price", json_string("1000"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[1].price", "no decimal places");
	assert_int_equal(err.n_details, 1);
}

static void test_kwd(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(doc, "currency", json_string("KWD"));
	json_object_set_new(line0(doc), "price", json_string("1.250"));
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:i,s:s}", "sku", "B",
					"quantity", 2, "price", "0.5"));
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:i,s:s}", "sku", "C",
					"quantity", 1, "price", "2.1250"));
	json_object_set_new(doc, "total_tax", json_string("0.005"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 1250);
	assert_int_equal(o.lines[1].unit_price, 500);
	assert_int_equal(o.lines[2].unit_price, 2125);
	assert_int_equal(o.totals.subtotal, 1250 + 1000 + 2125);
	assert_int_equal(o.totals.tax, 5);
	assert_int_equal(o.totals.total, 1250 + 1000 + 2125 + 5);

	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("KWD"));
	json_object_set_new(line0(doc), "price", json_string("1.2345"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].price", "at most 3 decimal places");
}

static void test_currency_sources(void **state)
{
	json_t *doc;

	(void)state;
	/* Lower case is taken as the code it spells. */
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("usd"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.currency, "USD");

	/* None in the document: the channel's; the document's wins. */
	reset();
	snprintf(chan.currency, sizeof(chan.currency), "GBP");
	doc = base_order();
	json_object_set_new(doc, "currency", json_null());
	expect_ok(decode_json(doc));
	assert_string_equal(o.currency, "GBP");
	reset();
	expect_ok(decode_json(base_order()));
	assert_string_equal(o.currency, "USD");

	/* Neither. */
	reset();
	chan.currency[0] = '\0';
	doc = base_order();
	json_object_del(doc, "currency");
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("currency", "no default currency");
	assert_int_equal(err.n_details, 1);

	/* Unknown, and longer than a code. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("ZZZ"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("currency", "ISO 4217");
	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("US Dollar"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("currency", "at most 3");
}

/* ---- money as a JSON real ---------------------------------------------- */

static void test_money_real_refused(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(line0(doc), "price", json_real(199.5));
	json_object_set_new(doc, "total_price", json_real(409.94));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].price", "send money as a decimal string");
	expect_problem("total_price", "send money as a decimal string");

	/* Even an integral real: its text is gone once parsed. */
	reset();
	assert_int_equal(
		decode_text("{\"id\": 1, \"created_at\": "
			    "\"2026-11-27T10:15:00Z\", \"currency\": \"USD\","
			    " \"line_items\": [{\"sku\": \"A\", \"quantity\":"
			    " 1, \"price\": 10.0}]}"),
		ORDO_EINVALID);
	expect_problem("line_items[0].price", "decimal string");
}

/* ---- SKUs -------------------------------------------------------------- */

static void test_sku_mapping(void **state)
{
	static const channel_sku map[] = {
		{ "ABC", "ORDO-ABC" },
		{ "39072856", "ORDO-VARIANT" },
		{ "632910392", "ORDO-PRODUCT" },
	};
	json_t *doc = base_order();

	(void)state;
	expect_ok(channel_set_skus(&chan, map, 3, &err));
	json_object_set_new(
		doc, "line_items",
		json_pack("[{s:s,s:I,s:I,s:i,s:s},"  /* by sku */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* by variant */
			  " {s:s,s:s,s:I,s:i,s:s},"  /* by product */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* sku as it is */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* variant fallback */
			  " {s:n,s:n,s:I,s:i,s:s}]", /* product fallback */
			  "sku", "ABC", "variant_id", (json_int_t)39072856,
			  "product_id", (json_int_t)632910392, "quantity", 1,
			  "price", "1.00",
			  "sku", "NOT-MAPPED", "variant_id",
			  (json_int_t)39072856, "product_id",
			  (json_int_t)632910392, "quantity", 1, "price",
			  "1.00",
			  "sku", "", "variant_id", "5", "product_id",
			  (json_int_t)632910392, "quantity", 1, "price",
			  "1.00",
			  "sku", "PLAIN", "variant_id", (json_int_t)7,
			  "product_id", (json_int_t)8, "quantity", 1, "price",
			  "1.00",
			  "sku", "", "variant_id", (json_int_t)777,
			  "product_id", (json_int_t)8, "quantity", 1, "price",
			  "1.00",
			  "sku", "variant_id", "product_id", (json_int_t)888,
			  "quantity", 1, "price", "1.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.n_lines, 6);
	assert_string_equal(o.lines[0].sku, "ORDO-ABC");
	assert_string_equal(o.lines[1].sku, "ORDO-VARIANT");
	assert_string_equal(o.lines[2].sku, "ORDO-PRODUCT");
	assert_string_equal(o.lines[3].sku, "PLAIN");
	assert_string_equal(o.lines[4].sku, "shopify-variant-777");
	assert_string_equal(o.lines[5].sku, "shopify-product-888");
}

static void test_sku_problems(void **state)
{
	char long_sku[ORDO_SKU_MAX + 1];
	json_t *doc = base_order();

	(void)state;
	memset(long_sku, 'S', ORDO_SKU_MAX);
	long_sku[ORDO_SKU_MAX] = '\0';
	json_object_del(line0(doc), "sku");
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:i,s:s}", "sku", long_sku,
					"quantity", 1, "price", "1.00"));
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:s,s:i,s:s}", "sku", "",
					"variant_id", "v-12", "quantity", 1,
					"price", "1.00"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].sku", "cannot tell what was ordered");
	expect_problem("line_items[1].sku", "at most 64");
	expect_problem("line_items[2].variant_id", "string of digits");
	/* One problem each: an invalid sku or id is not also "missing". */
	assert_int_equal(details_on("line_items[1].sku"), 1);
	assert_int_equal(details_on("line_items[2].sku"), 0);
	assert_int_equal(err.n_details, 3);
}

/* ---- all problems at once ---------------------------------------------- */

static void test_problems_at_once(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_array_append_new(json_object_get(doc, "line_items"),
			      json_pack("{s:s,s:i,s:s}", "sku", "B",
					"quantity", 1, "price", "abc"));
	json_object_set_new(line0(doc), "quantity", json_integer(0));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].quantity", "between 1 and 1000000");
	expect_problem("line_items[1].price", "decimal string");
	assert_int_equal(err.n_details, 2);
	assert_string_equal(err.field, "line_items[0].quantity");
	assert_string_equal(err.message, "the Shopify order has 2 problems");

	/* Required fields, all missing at once. */
	reset();
	assert_int_equal(decode_text("{\"line_items\": [{}]}"),
			 ORDO_EINVALID);
	expect_problem("currency", NULL);
	expect_problem("id", "required");
	expect_problem("created_at", "required");
	expect_problem("line_items[0].sku", NULL);
	expect_problem("line_items[0].quantity", "required");
	expect_problem("line_items[0].price", "required");
}

/* ---- malformed bodies --------------------------------------------------- */

static void test_malformed(void **state)
{
	static const char *const bodies[] = {
		"not json",
		"[{\"id\": 1}]",
		"null",
		"42",
		"\"order\"",
		"{",
		"{\"order\": ",
		"{\"id\": 1, \"id\": 2}",
		"{\"order\": {\"id\": 1}}",
		"{\"order\": [], \"id\": 1}",
		"{\"line_items\": {\"sku\": \"A\"}}",
		"{\"line_items\": [1, \"two\", null, []]}",
		"{\"customer\": 1, \"shipping_address\": [], "
		"\"billing_address\": \"x\", \"shipping_lines\": {}}",
	};
	char deep[5 + 40 + 40 + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (decode_text(bodies[i]) != ORDO_EINVALID)
			fail_msg("accepted: %s", bodies[i]);
		assert_true(err.n_details >= 1);
		reset();
	}

	/* Empty, and NULL with no bytes. */
	assert_int_equal(shopify_order_decode("", 0, &chan, &o, &err),
			 ORDO_EINVALID);
	expect_problem("", "empty");
	reset();
	assert_int_equal(shopify_order_decode(NULL, 0, &chan, &o, &err),
			 ORDO_EINVALID);
	reset();

	/* A body that is not NUL-terminated where len ends. */
	assert_int_equal(shopify_order_decode("{}garbage", 2, &chan, &o, &err),
			 ORDO_EINVALID);
	expect_problem("line_items", "required");
	reset();

	/* Nested past the limit, inside an object. */
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', 40);
	memset(deep + 45, ']', 40);
	memcpy(deep + 85, "}", 2);
	assert_int_equal(decode_text(deep), ORDO_EINVALID);
	expect_problem("", "deeper than");
}

static void test_line_items_absent_or_empty(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_del(doc, "line_items");
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items", "required");
	assert_int_equal(o.n_lines, 0);

	reset();
	doc = base_order();
	json_object_set_new(doc, "line_items", json_array());
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items", "at least one");

	reset();
	doc = base_order();
	json_object_set_new(doc, "line_items", json_null());
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items", "required");
}

static json_t *order_of_lines(size_t n)
{
	json_t *doc = base_order(), *items = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(items,
				      json_pack("{s:s,s:i,s:s}", "sku", "A",
						"quantity", 1, "price",
						"1.00"));
	json_object_set_new(doc, "line_items", items);
	return doc;
}

static void test_line_limit(void **state)
{
	json_t *doc;

	(void)state;
	expect_ok(decode_json(order_of_lines(ORDO_MAX_LINES)));
	assert_int_equal(o.n_lines, ORDO_MAX_LINES);
	assert_int_equal(o.lines[ORDO_MAX_LINES - 1].line_no, ORDO_MAX_LINES);
	assert_int_equal(o.totals.subtotal, 100 * ORDO_MAX_LINES);

	reset();
	assert_int_equal(decode_json(order_of_lines(ORDO_MAX_LINES + 1)),
			 ORDO_ELIMIT);
	expect_problem("line_items", "at most 500");
	assert_int_equal(o.n_lines, 0);

	/* Over the limit is ORDO_ELIMIT whatever else is wrong. */
	reset();
	doc = order_of_lines(ORDO_MAX_LINES + 1);
	json_object_del(doc, "id");
	assert_int_equal(decode_json(doc), ORDO_ELIMIT);
	expect_problem("id", "required");
}

/* ---- the rest of the mapping -------------------------------------------- */

static void test_times(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(doc, "created_at",
			    json_string("2026-11-27T05:15:00.123-05:00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.placed_at, PLACED_2026);

	reset();
	doc = base_order();
	json_object_set_new(doc, "created_at", json_null());
	json_object_set_new(doc, "processed_at",
			    json_string("2026-11-27T19:15:00+09:00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.placed_at, PLACED_2026);

	reset();
	doc = base_order();
	json_object_del(doc, "created_at");
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("created_at", "required");

	reset();
	doc = base_order();
	json_object_set_new(doc, "created_at", json_string("2026-11-27"));
	json_object_set_new(doc, "processed_at",
			    json_string("2026-11-27T10:15:00Z"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("created_at", "RFC 3339");
}

static void test_payment_status(void **state)
{
	static const struct {
		const char *shopify;
		payment_status want;
	} cases[] = {
		{ "pending", PAYMENT_PENDING },
		{ "authorized", PAYMENT_AUTHORIZED },
		{ "paid", PAYMENT_PAID },
		{ "partially_paid", PAYMENT_PARTIALLY_PAID },
		{ "refunded", PAYMENT_REFUNDED },
		{ "voided", PAYMENT_VOIDED },
		{ "partially_refunded", PAYMENT_UNKNOWN },
		{ "expired", PAYMENT_UNKNOWN },
		{ "PAID", PAYMENT_UNKNOWN },
		{ NULL, PAYMENT_UNKNOWN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = base_order();

		if (cases[i].shopify)
			json_object_set_new(doc, "financial_status",
					    json_string(cases[i].shopify));
		expect_ok(decode_json(doc));
		assert_int_equal(o.payment, cases[i].want);
		reset();
	}
}

static void test_customer_contact(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(doc, "contact_email", json_string("c@x.example"));
	json_object_set_new(doc, "email", json_string(""));
	json_object_set_new(
		doc, "customer",
		json_pack("{s:s,s:s,s:s,s:n,s:s}", "id", "42", "email",
			  "cust@x.example", "phone", "+15550001111",
			  "first_name", "last_name", "  Norman "));
	expect_ok(decode_json(doc));
	assert_string_equal(o.customer.external_id, "42");
	assert_string_equal(o.customer.name, "Norman");
	assert_string_equal(o.customer.email, "c@x.example");
	assert_string_equal(o.customer.phone, "+15550001111");

	reset();
	doc = base_order();
	json_object_set_new(doc, "phone", json_string("+4930123456"));
	json_object_set_new(doc, "customer",
			    json_pack("{s:I,s:s,s:s,s:s}", "id",
				      (json_int_t)207119551, "email",
				      "cust@x.example", "phone", "+1555",
				      "first_name", "Bob"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.customer.external_id, "207119551");
	assert_string_equal(o.customer.name, "Bob");
	assert_string_equal(o.customer.email, "cust@x.example");
	assert_string_equal(o.customer.phone, "+4930123456");
}

static void test_address_fallbacks(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(
		doc, "shipping_address",
		json_pack("{s:s,s:s,s:n,s:s,s:s,s:s,s:s,s:s}", "first_name",
			  "Ana", "last_name", "Lima", "name", "province",
			  "Ontario", "zip", "K1A 0B1", "country_code", "CA",
			  "address1", "1 Main St", "city", "Ottawa"));
	json_object_set_new(doc, "billing_address", json_object());
	expect_ok(decode_json(doc));
	assert_string_equal(o.ship_to.name, "Ana Lima");
	assert_string_equal(o.ship_to.region, "Ontario");
	assert_string_equal(o.ship_to.postal_code, "K1A 0B1");
	assert_string_equal(o.ship_to.country, "CA");
	assert_true(o.has_bill_to);
	assert_string_equal(o.bill_to.name, "");

	/* Identity-bearing members too long are problems, with paths. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "shipping_address",
			    json_pack("{s:s,s:s}", "country_code", "USA",
				      "zip", "12345678901234567890"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("shipping_address.country_code", "at most 2");
	expect_problem("shipping_address.zip", "at most 16");
}

/* Descriptive text is cut to fit, at a character boundary; identity is
 * refused. */
static void test_truncation(void **state)
{
	char title[600], note[3000], email[300];
	json_t *doc = base_order();
	size_t i;

	(void)state;
	/* "x" and 299 two-byte characters: the 256 bytes that fit would
	 * split the 128th, so the title keeps 127 of them. */
	title[0] = 'x';
	for (i = 1; i + 2 < sizeof(title); i += 2)
		memcpy(title + i, "\xc3\xa9", 2);
	title[i] = '\0';
	memset(note, 'n', sizeof(note) - 1);
	note[sizeof(note) - 1] = '\0';
	json_object_set_new(line0(doc), "title", json_string(title));
	json_object_set_new(line0(doc), "variant_title", json_string("red"));
	json_object_set_new(doc, "note", json_string(note));
	json_object_set_new(doc, "shipping_lines",
			    json_pack("[{s:s,s:s}, {s:s}]", "code",
				      "VERY-LONG-CARRIER-SERVICE-CODE-"
				      "THAT-GOES-ON",
				      "price", "4.50", "price", "0.50"));
	expect_ok(decode_json(doc));
	assert_int_equal(strlen(o.lines[0].title), 255);
	assert_memory_equal(o.lines[0].title + 253, "\xc3\xa9", 2);
	assert_true(ordo_utf8_valid(o.lines[0].title, 255));
	assert_int_equal(strlen(o.notes), ORDO_NOTES_MAX - 1);
	assert_string_equal(o.shipping.method,
			    "very-long-carrier-service-code-t");
	assert_int_equal(o.shipping.amount, 500);
	assert_int_equal(o.totals.shipping, 500);
	assert_int_equal(o.totals.total, 1500);

	reset();
	doc = base_order();
	memset(email, 'e', sizeof(email) - 1);
	email[sizeof(email) - 1] = '\0';
	json_object_set_new(doc, "email", json_string(email));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("email", "at most 254");
}

static void test_totals(void **state)
{
	json_t *doc = base_order();

	(void)state;
	/* Shopify's subtotal_price is after discounts: ordo's subtotal is
	 * the sum of the lines, total_line_items_price. */
	json_object_set_new(line0(doc), "quantity", json_integer(3));
	json_object_set_new(doc, "total_line_items_price",
			    json_string("30.00"));
	json_object_set_new(doc, "subtotal_price", json_string("25.00"));
	json_object_set_new(doc, "total_discounts", json_string("5.00"));
	json_object_set_new(doc, "total_tax", json_string("2.00"));
	json_object_set_new(doc, "total_price", json_string("27.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.subtotal, 3000);
	assert_int_equal(o.totals.discount, 500);
	assert_int_equal(o.totals.tax, 200);
	assert_int_equal(o.totals.total, 2700);

	/* Only subtotal_price: the discounts are added back. */
	reset();
	doc = base_order();
	json_object_set_new(line0(doc), "quantity", json_integer(3));
	json_object_set_new(doc, "subtotal_price", json_string("25.00"));
	json_object_set_new(doc, "total_discounts", json_string("5.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.subtotal, 3000);
	assert_int_equal(o.totals.total, 2500);

	/* Taxes included in the prices: none added on top. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "taxes_included", json_true());
	json_object_set_new(doc, "total_tax", json_string("1.67"));
	json_object_set_new(doc, "total_price", json_string("10.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.tax, 0);
	assert_int_equal(o.totals.subtotal, 1000);
	assert_int_equal(o.totals.total, 1000);

	/* Past the money limit when computed. */
	reset();
	doc = base_order();
	json_object_set_new(line0(doc), "price",
			    json_string("100000000000.00"));
	json_object_set_new(line0(doc), "quantity", json_integer(2));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items", "largest amount");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sample_order),
		T(test_sample_bare),
		T(test_sample_paths),
		T(test_sample_not_orders),
		T(test_sample_prefixes),
		T(test_sample_corrupted),
		T(test_loose_payload),
		T(test_loose_refusals),
		T(test_jpy),
		T(test_kwd),
		T(test_currency_sources),
		T(test_money_real_refused),
		T(test_sku_mapping),
		T(test_sku_problems),
		T(test_problems_at_once),
		T(test_malformed),
		T(test_line_items_absent_or_empty),
		T(test_line_limit),
		T(test_times),
		T(test_payment_status),
		T(test_customer_contact),
		T(test_address_fallbacks),
		T(test_truncation),
		T(test_totals),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
