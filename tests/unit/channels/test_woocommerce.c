/*
 * test_woocommerce.c - the WooCommerce order decoder: the real REST
 * fixtures element by element (enveloped and bare), the four orders of the
 * list fixture, a refunded and a broken order, unit prices from subtotals
 * (never from the floating-point `price`), the SKU mapping and its
 * fallbacks, fees, taxes and payment statuses, every problem reported at
 * once with its path, and bodies that are not orders at all - not JSON,
 * the wrong shape, every prefix and many one-byte corruptions of the
 * fixture - which must be refused without a crash or a leak (the test
 * build runs under ASan).
 *
 * The fixture order.json (and the first order of orders-load-all.json, the
 * same mock) has a line with "quantity": 1.5, which ordo refuses: it keeps
 * whole units. The tests check that refusal, then check every field of the
 * same document with that quantity made 1.
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

#include "channels/woocommerce.h"
#include "core/channel.h"
#include "core/limits.h"
#include "core/order.h"

#define SAMPLE_PREFIX                                                          \
	ORDO_SAMPLES_DIR "/woocommerce/"                                       \
			 "woocommerce_woocommerce-ios__Networking_"            \
			 "NetworkingTests_Responses_"
#define SAMPLE_ORDER SAMPLE_PREFIX "order.json"
#define SAMPLE_LIST SAMPLE_PREFIX "orders-load-all.json"
#define SAMPLE_REFUNDED SAMPLE_PREFIX "order-fully-refunded.json"
#define SAMPLE_BROKEN SAMPLE_PREFIX "broken-order.json"

#define PLACED_2018 ((ordo_time)1522796712) /* 2018-04-03T23:05:12Z */

static ordo_channel chan;
static order o;
static ordo_err err;

static int setup(void **state)
{
	(void)state;
	channel_init(&chan);
	snprintf(chan.name, sizeof(chan.name), "woo-main");
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

/* The fixture as JSON (a new reference). */
static json_t *load_json(const char *path)
{
	size_t len;
	char *body = read_file(path, &len);
	json_t *root = json_loadb(body, len, 0, NULL);

	assert_non_null(root);
	free(body);
	return root;
}

static ordo_code decode_text(const char *text)
{
	return woocommerce_order_decode(text, strlen(text), &chan, &o, &err);
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

/* ordo's identities, as validate.c checks them. */
static void expect_identities(void)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < o.n_lines; i++)
		sum += o.lines[i].unit_price * o.lines[i].quantity;
	assert_int_equal(o.totals.subtotal, sum);
	assert_int_equal(o.totals.total, o.totals.subtotal + o.totals.shipping +
						 o.totals.tax -
						 o.totals.discount);
	assert_int_equal(o.totals.shipping, o.shipping.amount);
}

/* A minimal valid order; tests change what they are about. */
static json_t *base_order(void)
{
	json_t *doc = json_pack(
		"{s:I, s:s, s:s, s:[{s:I, s:s, s:I, s:i, s:s, s:s, s:f}]}",
		"id", (json_int_t)1001, "date_created_gmt",
		"2018-04-03T23:05:12", "currency", "USD", "line_items", "id",
		(json_int_t)1, "name", "Thing", "product_id", (json_int_t)52,
		"quantity", 1, "sku", "SKU-A", "subtotal", "10.00", "price",
		10.0);

	assert_non_null(doc);
	return doc;
}

static json_t *items(json_t *doc)
{
	return json_object_get(doc, "line_items");
}

static json_t *line0(json_t *doc)
{
	return json_array_get(items(doc), 0);
}

/* ---- the real fixtures ------------------------------------------------- */

/* order.json with the quantity ordo cannot take made 1. */
static json_t *sample_fixed(void)
{
	json_t *root = load_json(SAMPLE_ORDER);
	json_t *lines = json_object_get(json_object_get(root, "data"),
					"line_items");

	assert_int_equal(json_real_value(json_object_get(
				 json_array_get(lines, 1), "quantity")),
			 1);
	json_object_set_new(json_array_get(lines, 1), "quantity",
			    json_integer(1));
	return root;
}

static void check_johnny_address(const order_address *a)
{
	assert_string_equal(a->name, "Johnny Appleseed");
	assert_string_equal(a->company, "");
	assert_string_equal(a->line1, "234 70th Street");
	assert_string_equal(a->line2, "");
	assert_string_equal(a->city, "Niagara Falls");
	assert_string_equal(a->region, "NY");
	assert_string_equal(a->postal_code, "14304");
	assert_string_equal(a->country, "US");
	assert_string_equal(a->phone, "333-333-3333");
}

static void check_sample_order(void)
{
	assert_string_equal(o.external_id, "963");
	assert_string_equal(o.channel, "woo-main");
	assert_int_equal(o.placed_at, PLACED_2018);
	assert_string_equal(o.currency, "USD");
	assert_int_equal(o.state, ORDER_RECEIVED);

	assert_string_equal(o.customer.external_id, "11");
	assert_string_equal(o.customer.name, "Johnny Appleseed");
	assert_string_equal(o.customer.email, "scrambled@scrambled.com");
	assert_string_equal(o.customer.phone, "333-333-3333");

	check_johnny_address(&o.ship_to);
	assert_true(o.has_bill_to);
	check_johnny_address(&o.bill_to);

	assert_int_equal(o.n_lines, 2);
	assert_int_equal(o.lines[0].line_no, 1);
	/* No sku, no variation: the product's id, for a person to map. */
	assert_string_equal(o.lines[0].sku, "woocommerce-product-52");
	assert_string_equal(o.lines[0].title,
			    "Fruits Basket (Mix & Match Product)");
	assert_int_equal(o.lines[0].quantity, 2);
	/* subtotal "50.00" / 2, not the after-discount "price": 30. */
	assert_int_equal(o.lines[0].unit_price, 2500);
	assert_int_equal(o.lines[0].qty_open, 2);
	assert_true(order_line_consistent(&o.lines[0]));
	assert_int_equal(o.lines[1].line_no, 2);
	assert_string_equal(o.lines[1].sku, "5555-A");
	assert_string_equal(o.lines[1].title, "Fruits Bundle");
	assert_int_equal(o.lines[1].quantity, 1);
	/* subtotal "10.00"; the price, 0.00, is after the coupon. */
	assert_int_equal(o.lines[1].unit_price, 1000);
	assert_int_equal(o.lines[1].qty_open, 1);
	assert_true(order_line_consistent(&o.lines[1]));

	assert_string_equal(o.shipping.method, "usps");
	/* The shipping line, 133.00, and the fee, 125.50. */
	assert_int_equal(o.shipping.amount, 13300 + 12550);
	assert_int_equal(o.totals.subtotal, 6000);
	/* shipping_total, 0.00 (the mock disagrees with its own shipping
	 * line: validation holds it), and the fee. */
	assert_int_equal(o.totals.shipping, 12550);
	assert_int_equal(o.totals.tax, 120);
	/* discount_total; discount_tax is inside total_tax already. */
	assert_int_equal(o.totals.discount, 3000);
	assert_int_equal(o.totals.total, 3120);
	/* processing, but the document says needs_payment: true. */
	assert_int_equal(o.payment, PAYMENT_PENDING);
	assert_string_equal(o.notes, "");
}

static void test_sample_order_refused(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_ORDER, &len);

	(void)state;
	assert_int_equal(woocommerce_order_decode(body, len, &chan, &o, &err),
			 ORDO_EINVALID);
	expect_problem("data.line_items[1].quantity", "integer");
	assert_int_equal(err.n_details, 1);
	assert_string_equal(err.message, "the WooCommerce order has 1 problem");
	free(body);
}

static void test_sample_order(void **state)
{
	(void)state;
	expect_ok(decode_json(sample_fixed()));
	check_sample_order();
}

/* The webhook body is the bare order: the same order. */
static void test_sample_bare(void **state)
{
	json_t *root = sample_fixed();

	(void)state;
	expect_ok(decode_json(json_incref(json_object_get(root, "data"))));
	check_sample_order();
	json_decref(root);

	/* And its problems are named without the prefix. */
	reset();
	root = load_json(SAMPLE_ORDER);
	assert_int_equal(
		decode_json(json_incref(json_object_get(root, "data"))),
		ORDO_EINVALID);
	expect_problem("line_items[1].quantity", "integer");
	assert_int_equal(err.n_details, 1);
	json_decref(root);
}

static void test_sample_list(void **state)
{
	static const struct {
		const char *id;
		size_t n_lines;
		const char *skus[8];
		int64_t qty[8];
		int64_t unit[8];
		int64_t subtotal, shipping, total;
		ordo_time placed_at;
	} want[] = {
		{ "963", 2, { "woocommerce-product-52", "5555-A" }, { 2, 1 },
		  { 2500, 1000 }, 6000, 12550, 3120, PLACED_2018 },
		{ "961", 1, { "woocommerce-product-956" }, { 1 }, { 2000 },
		  2000, 0, 2000, 1522788861 },
		{ "960", 1, { "woocommerce-product-956" }, { 1 }, { 2000 },
		  2000, 0, 2000, 1522788758 },
		{ "560", 8,
		  { "T-SHIRT-HAPPY-NINJA", "HOODIE-HAPPY-NINJA",
		    "T-SHIRT-NINJA-SILHOUETTE", "HOODIE-PATIENT-NINJA",
		    "T-SHIRT-PREMIUM-QUALITY", "HOODIE-SHIP-YOUR-IDEA-BLACK-L",
		    "HOODIE-WOO-LOGO", "HOODIE-SHIP-YOUR-IDEA-BLUE-XL" },
		  { 3, 10, 2, 3, 2, 4, 2, 7 },
		  { 1620, 3150, 1800, 3150, 1800, 3150, 3150, 2700 }, 90810,
		  29040, 119850, 1569958277 },
	};
	json_t *root = load_json(SAMPLE_LIST);
	json_t *list = json_object_get(root, "data");
	size_t i, k;

	(void)state;
	assert_int_equal(json_array_size(list), 4);

	/* The whole list is not an order. */
	{
		char *text = json_dumps(root, 0);

		assert_int_equal(decode_text(text), ORDO_EINVALID);
		expect_problem("data", "list of orders");
		free(text);
		reset();
	}

	/* The first is order.json's mock, with its quantity of 1.5. */
	assert_int_equal(decode_json(json_incref(json_array_get(list, 0))),
			 ORDO_EINVALID);
	expect_problem("line_items[1].quantity", "integer");
	assert_int_equal(err.n_details, 1);
	reset();
	json_object_set_new(
		json_array_get(json_object_get(json_array_get(list, 0),
					       "line_items"),
			       1),
		"quantity", json_integer(1));

	for (i = 0; i < 4; i++) {
		expect_ok(decode_json(json_incref(json_array_get(list, i))));
		assert_string_equal(o.external_id, want[i].id);
		assert_int_equal(o.placed_at, want[i].placed_at);
		assert_int_equal(o.n_lines, want[i].n_lines);
		for (k = 0; k < want[i].n_lines; k++) {
			assert_string_equal(o.lines[k].sku, want[i].skus[k]);
			assert_int_equal(o.lines[k].quantity, want[i].qty[k]);
			assert_int_equal(o.lines[k].unit_price,
					 want[i].unit[k]);
		}
		assert_int_equal(o.totals.subtotal, want[i].subtotal);
		assert_int_equal(o.totals.shipping, want[i].shipping);
		assert_int_equal(o.totals.total, want[i].total);
		/* The three the mock did not garble add up. */
		if (i > 0) {
			expect_identities();
			assert_int_equal(o.payment, PAYMENT_PAID);
		}
		reset();
	}

	/* The last in detail: what the others lack. */
	expect_ok(decode_json(json_incref(json_array_get(list, 3))));
	assert_string_equal(o.shipping.method, "wc_services_usps");
	assert_int_equal(o.shipping.amount, 29040);
	assert_int_equal(o.totals.tax, 0);
	assert_int_equal(o.totals.discount, 0);
	assert_string_equal(o.notes,
			    "It's the annual company baseball game! My team "
			    "needs geared up with hoodies, t-shirts, the "
			    "works. Be a dear and fill this order quick!");
	/* Shipping lines absent: shipping_total is the amount. */
	reset();
	expect_ok(decode_json(json_incref(json_array_get(list, 1))));
	assert_string_equal(o.shipping.method, "standard");
	assert_int_equal(o.shipping.amount, 0);
	json_decref(root);
}

static void test_sample_refunded(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_REFUNDED, &len);

	(void)state;
	expect_ok(woocommerce_order_decode(body, len, &chan, &o, &err));
	assert_int_equal(o.payment, PAYMENT_REFUNDED);
	assert_string_equal(o.external_id, "609");
	assert_int_equal(o.placed_at, 1503608217);
	assert_string_equal(o.customer.name, "Sara Doe");
	assert_string_equal(o.customer.email, "julia.amosova@gmail.com");
	assert_string_equal(o.ship_to.company, "South Estate, LLC");
	assert_string_equal(o.ship_to.region, "CA");
	assert_string_equal(o.ship_to.phone, "");
	assert_string_equal(o.bill_to.region, "MA");
	assert_int_equal(o.n_lines, 1);
	assert_string_equal(o.lines[0].sku, "woocommerce-product-379");
	assert_string_equal(o.lines[0].title, "Yellow Pants (H&M)");
	assert_int_equal(o.lines[0].unit_price, 9000);
	assert_string_equal(o.shipping.method, "ups");
	assert_int_equal(o.totals.subtotal, 18000);
	assert_int_equal(o.totals.shipping, 4371);
	assert_int_equal(o.totals.total, 22371);
	expect_identities();
	free(body);
}

/* A draft with no lines and no dates: refused, with its problems. */
static void test_sample_broken(void **state)
{
	size_t len;
	char *body = read_file(SAMPLE_BROKEN, &len);

	(void)state;
	assert_int_equal(woocommerce_order_decode(body, len, &chan, &o, &err),
			 ORDO_EINVALID);
	expect_problem("data.line_items", "at least one");
	expect_problem("data.date_created_gmt", "required");
	assert_int_equal(err.n_details, 2);
	assert_int_equal(o.n_lines, 0);
	free(body);
}

/* Every prefix of the fixture: a truncated delivery. The fixture as it is
 * (refused for its quantity) and with the quantity made 1 in its bytes. */
static void test_sample_prefixes(void **state)
{
	size_t len, n, accepted = 0, round;
	char *body = read_file(SAMPLE_ORDER, &len);
	char *q = strstr(body, "\"quantity\": 1.5,");

	(void)state;
	assert_non_null(q);
	for (round = 0; round < 2; round++) {
		accepted = 0;
		for (n = 0; n <= len; n++) {
			ordo_code rc = woocommerce_order_decode(body, n, &chan,
								&o, &err);

			if (rc == ORDO_OK)
				accepted++;
			else
				assert_true(err.n_details + err.n_dropped >=
					    1);
			reset();
		}
		/* Fixed: the whole file, and without its final newline. */
		assert_int_equal(accepted, round == 0 ? 0 : 2);
		memcpy(q, "\"quantity\": 1  ,", 16);
	}
	free(body);
}

/* One byte of the fixture replaced, at every position, by characters that
 * break JSON or end the text. Whatever comes of it must not crash, leak
 * or leave the error without a problem. */
static void test_sample_corrupted(void **state)
{
	static const char repl[] = { '"', '}', '\0' };
	size_t len, i, k, accepted = 0;
	char *body = read_file(SAMPLE_ORDER, &len);
	char *q = strstr(body, "\"quantity\": 1.5,");

	(void)state;
	/* The accepted form, so that corruptions reach every field. */
	assert_non_null(q);
	memcpy(q, "\"quantity\": 1  ,", 16);
	for (i = 0; i < len; i++) {
		char saved = body[i];

		for (k = 0; k < sizeof(repl); k++) {
			ordo_code rc;

			body[i] = repl[k];
			rc = woocommerce_order_decode(body, len, &chan, &o,
						      &err);
			if (rc != ORDO_OK)
				assert_true(err.n_details + err.n_dropped >=
					    1);
			else
				accepted++;
			reset();
		}
		body[i] = saved;
	}
	/* Some replacements land in text, where they change nothing. */
	assert_true(accepted > 0);
	free(body);
}

/* ---- unit prices ------------------------------------------------------- */

static void test_unit_price(void **state)
{
	json_t *doc = base_order();

	(void)state;
	/* WooCommerce's price is a real; the subtotal gives it exactly. */
	json_object_set_new(line0(doc), "price", json_real(11.99));
	json_object_set_new(line0(doc), "quantity", json_integer(2));
	json_object_set_new(line0(doc), "subtotal", json_string("23.98"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 1199);
	assert_int_equal(o.totals.subtotal, 2398);

	/* The subtotal wins over a price that is after discounts. */
	reset();
	doc = base_order();
	json_object_set_new(line0(doc), "price", json_string("9.00"));
	json_object_set_new(line0(doc), "quantity", json_string("2"));
	json_object_set_new(line0(doc), "subtotal", json_string("20.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 1000);

	/* No subtotal: a price as an integer or a string is used. */
	reset();
	doc = base_order();
	json_object_del(line0(doc), "subtotal");
	json_object_set_new(line0(doc), "price", json_integer(30));
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:s}", "sku", "B",
					"quantity", 3, "price", "12.50"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 3000);
	assert_int_equal(o.lines[1].unit_price, 1250);
	assert_int_equal(o.totals.subtotal, 3000 + 3750);

	/* A yen subtotal with zeros WooCommerce may add. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("JPY"));
	json_object_set_new(line0(doc), "quantity", json_integer(2));
	json_object_set_new(line0(doc), "subtotal", json_string("1000.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.lines[0].unit_price, 500);
}

static void test_unit_price_refusals(void **state)
{
	json_t *doc = base_order();

	(void)state;
	/* 10.00 for 3 units: 333.33... cents each. */
	json_object_set_new(line0(doc), "quantity", json_integer(3));
	json_object_set_new(line0(doc), "subtotal", json_string("10.00"));
	/* A real price without a subtotal: its text is gone. */
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:f}", "sku", "B",
					"quantity", 1, "price", 11.99));
	/* Neither. */
	json_array_append_new(items(doc), json_pack("{s:s,s:i}", "sku", "C",
						    "quantity", 1));
	/* A subtotal that is no money; a real subtotal. */
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:s}", "sku", "D",
					"quantity", 1, "subtotal", "12,50"));
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:f}", "sku", "E",
					"quantity", 1, "subtotal", 12.5));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].subtotal",
		       "not a whole number of minor units per unit");
	expect_problem("line_items[1].price", "no subtotal");
	expect_problem("line_items[1].price", "floating point");
	expect_problem("line_items[2].subtotal", "neither a subtotal");
	expect_problem("line_items[3].subtotal", NULL);
	expect_problem("line_items[4].subtotal", "decimal string");
	assert_int_equal(err.n_details, 5);

	/* An integral real is a real all the same. */
	reset();
	doc = base_order();
	json_object_del(line0(doc), "subtotal");
	json_object_set_new(line0(doc), "price", json_real(30.0));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].price", "no subtotal");

	/* A yen subtotal that does not divide. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("JPY"));
	json_object_set_new(line0(doc), "quantity", json_integer(2));
	json_object_set_new(line0(doc), "subtotal", json_string("1001"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].subtotal", "1001 for 2 units");
}

/* ---- SKUs -------------------------------------------------------------- */

static void test_sku_mapping(void **state)
{
	static const channel_sku map[] = {
		{ "ABC", "ORDO-ABC" },
		{ "71", "ORDO-VARIATION" },
		{ "21", "ORDO-PRODUCT" },
	};
	json_t *doc = base_order();

	(void)state;
	expect_ok(channel_set_skus(&chan, map, 3, &err));
	json_object_set_new(
		doc, "line_items",
		json_pack("[{s:s,s:I,s:I,s:i,s:s},"  /* by sku */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* by variation */
			  " {s:s,s:s,s:I,s:i,s:s},"  /* by product */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* sku as it is */
			  " {s:s,s:I,s:I,s:i,s:s},"  /* variation fallback */
			  " {s:n,s:I,s:I,s:i,s:s},"  /* product fallback */
			  " {s:s,s:s,s:s,s:i,s:s}]", /* ids as strings */
			  "sku", "ABC", "variation_id", (json_int_t)71,
			  "product_id", (json_int_t)21, "quantity", 1,
			  "subtotal", "1.00",
			  "sku", "NOT-MAPPED", "variation_id", (json_int_t)71,
			  "product_id", (json_int_t)21, "quantity", 1,
			  "subtotal", "1.00",
			  "sku", "", "variation_id", "0", "product_id",
			  (json_int_t)21, "quantity", 1, "subtotal", "1.00",
			  "sku", "PLAIN", "variation_id", (json_int_t)7,
			  "product_id", (json_int_t)8, "quantity", 1,
			  "subtotal", "1.00",
			  "sku", "", "variation_id", (json_int_t)777,
			  "product_id", (json_int_t)8, "quantity", 1,
			  "subtotal", "1.00",
			  "sku", "variation_id", (json_int_t)0, "product_id",
			  (json_int_t)888, "quantity", 1, "subtotal", "1.00",
			  "sku", "", "variation_id", "71", "product_id", "21",
			  "quantity", 1, "subtotal", "1.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.n_lines, 7);
	assert_string_equal(o.lines[0].sku, "ORDO-ABC");
	assert_string_equal(o.lines[1].sku, "ORDO-VARIATION");
	assert_string_equal(o.lines[2].sku, "ORDO-PRODUCT");
	assert_string_equal(o.lines[3].sku, "PLAIN");
	assert_string_equal(o.lines[4].sku, "woocommerce-variation-777");
	assert_string_equal(o.lines[5].sku, "woocommerce-product-888");
	assert_string_equal(o.lines[6].sku, "ORDO-VARIATION");
}

static void test_sku_problems(void **state)
{
	char long_sku[ORDO_SKU_MAX + 1];
	json_t *doc = base_order();

	(void)state;
	memset(long_sku, 'S', ORDO_SKU_MAX);
	long_sku[ORDO_SKU_MAX] = '\0';
	/* Nothing to go by: no sku, product 0 (deleted), no variation. */
	json_object_set_new(line0(doc), "sku", json_null());
	json_object_set_new(line0(doc), "product_id", json_integer(0));
	json_object_set_new(line0(doc), "variation_id", json_integer(0));
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:s}", "sku", long_sku,
					"quantity", 1, "subtotal", "1.00"));
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:s,s:i,s:s}", "sku", "",
					"variation_id", "v-12", "quantity", 1,
					"subtotal", "1.00"));
	json_array_append_new(items(doc),
			      json_pack("{s:i,s:I,s:i,s:s}", "sku", 5,
					"product_id", (json_int_t)-3,
					"quantity", 1, "subtotal", "1.00"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("line_items[0].sku", "cannot tell what was ordered");
	expect_problem("line_items[1].sku", "at most 64");
	expect_problem("line_items[2].variation_id", "string of digits");
	expect_problem("line_items[3].sku", "must be a string");
	expect_problem("line_items[3].product_id", "negative");
	/* One problem each: an invalid sku or id is not also "missing". */
	assert_int_equal(details_on("line_items[1].sku"), 1);
	assert_int_equal(details_on("line_items[2].sku"), 0);
	assert_int_equal(details_on("line_items[3].sku"), 1);
	assert_int_equal(err.n_details, 5);
}

/* ---- loose payloads ---------------------------------------------------- */

static void test_loose_payload(void **state)
{
	(void)state;
	snprintf(chan.currency, sizeof(chan.currency), "EUR");
	expect_ok(decode_text(
		"{\"id\": \"987654321\", \"date_created_gmt\": null,"
		" \"date_created\": \"2018-04-03T23:05:12\","
		" \"customer_id\": \"0\", \"billing\": null,"
		" \"line_items\": [{\"sku\": \"SKU-A\", \"quantity\": \"2\","
		" \"subtotal\": 15, \"name\": null, \"variation_id\": null},"
		" {\"sku\": \"SKU-B\", \"quantity\": 1, \"subtotal\": \"0\","
		" \"meta_data\": [{\"key\": \"x\", \"value\": {\"a\": []}}]}],"
		" \"shipping_lines\": [{\"method_title\": \"DHL Express\","
		" \"total\": 5}], \"total_tax\": 3, \"status\": null,"
		" \"customer_note\": null, \"fee_lines\": null,"
		" \"coupon_lines\": null, \"unknown\": {\"deep\": [1, 2.5]}}"));
	assert_string_equal(o.external_id, "987654321");
	assert_int_equal(o.placed_at, PLACED_2018);
	assert_string_equal(o.currency, "EUR");
	assert_string_equal(o.customer.external_id, "");
	assert_string_equal(o.customer.name, "");
	assert_string_equal(o.customer.email, "");
	assert_string_equal(o.ship_to.name, "");
	assert_string_equal(o.ship_to.line1, "");
	assert_false(o.has_bill_to);
	assert_int_equal(o.n_lines, 2);
	assert_string_equal(o.lines[0].title, "");
	assert_int_equal(o.lines[0].quantity, 2);
	assert_int_equal(o.lines[0].qty_open, 2);
	assert_int_equal(o.lines[0].unit_price, 750);
	assert_int_equal(o.lines[1].unit_price, 0);
	assert_string_equal(o.shipping.method, "dhl express");
	assert_int_equal(o.shipping.amount, 500);
	/* Totals the document leaves out are the order's arithmetic. */
	assert_int_equal(o.totals.subtotal, 1500);
	assert_int_equal(o.totals.shipping, 500);
	assert_int_equal(o.totals.tax, 300);
	assert_int_equal(o.totals.discount, 0);
	assert_int_equal(o.totals.total, 2300);
	assert_int_equal(o.payment, PAYMENT_UNKNOWN);
	assert_string_equal(o.notes, "");
	expect_identities();
}

static void test_loose_refusals(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(doc, "id", json_string("12a"));
	json_object_set_new(doc, "customer_id", json_integer(-1));
	json_object_set_new(line0(doc), "quantity", json_string("2.0"));
	json_object_set_new(doc, "total", json_integer(-1));
	json_object_set_new(doc, "total_tax", json_true());
	json_object_set_new(doc, "billing", json_string("x"));
	json_object_set_new(doc, "shipping", json_array());
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("id", "string of digits");
	expect_problem("customer_id", "negative");
	expect_problem("line_items[0].quantity", "string of digits");
	expect_problem("total", "negative");
	expect_problem("total_tax", "decimal string");
	expect_problem("billing", "object");
	expect_problem("shipping", "object");
	assert_int_equal(err.n_details, 7);

	/* An order id of 0 is an order WooCommerce never saved. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "id", json_integer(0));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("id", "not yet saved");
}

/* ---- all problems at once ---------------------------------------------- */

static void test_problems_at_once(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_array_append_new(items(doc),
			      json_pack("{s:s,s:i,s:s}", "sku", "B",
					"quantity", 1, "subtotal", "abc"));
	json_object_set_new(line0(doc), "quantity", json_integer(0));
	json_object_set_new(doc, "date_created_gmt", json_string("yesterday"));
	json_object_set_new(doc, "billing",
			    json_pack("{s:s}", "country", "USA"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("date_created_gmt", "such as");
	expect_problem("billing.country", "at most 2");
	expect_problem("line_items[0].quantity", "between 1 and 1000000");
	expect_problem("line_items[1].subtotal", "decimal string");
	assert_int_equal(err.n_details, 4);
	assert_string_equal(err.field, "date_created_gmt");
	assert_string_equal(err.message,
			    "the WooCommerce order has 4 problems");

	/* Required fields, all missing at once. */
	reset();
	assert_int_equal(decode_text("{\"line_items\": [{}]}"),
			 ORDO_EINVALID);
	expect_problem("currency", "no default currency");
	expect_problem("id", "required");
	expect_problem("date_created_gmt", "required");
	expect_problem("line_items[0].sku", "cannot tell");
	expect_problem("line_items[0].quantity", "required");
	expect_problem("line_items[0].subtotal", "required");
	assert_int_equal(err.n_details, 6);
}

/* ---- malformed bodies --------------------------------------------------- */

static void test_malformed(void **state)
{
	static const char *const bodies[] = {
		"not json",
		"[{\"id\": 1}]",
		"[]",
		"null",
		"42",
		"\"order\"",
		"{",
		"{\"data\": ",
		"{\"id\": 1, \"id\": 2}",
		"{\"data\": {\"id\": 1}}",
		"{\"data\": []}",
		"{\"data\": [{\"id\": 1}, 2]}",
		"{\"data\": \"x\"}",
		"{\"data\": {}, \"id\": 1}",
		"{\"line_items\": {\"sku\": \"A\"}}",
		"{\"line_items\": [1, \"two\", null, []]}",
		"{\"billing\": 1, \"shipping\": [], \"shipping_lines\": {},"
		" \"fee_lines\": 3, \"coupon_lines\": \"x\"}",
		"{\"shipping_lines\": [1], \"fee_lines\": [null, 2],"
		" \"coupon_lines\": [[]]}",
	};
	char deep[5 + 40 + 40 + 2];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		if (decode_text(bodies[i]) != ORDO_EINVALID)
			fail_msg("accepted: %s", bodies[i]);
		assert_true(err.n_details >= 1);
		assert_true(err.message[0] != '\0');
		reset();
	}

	/* Empty, and NULL with no bytes. */
	assert_int_equal(woocommerce_order_decode("", 0, &chan, &o, &err),
			 ORDO_EINVALID);
	expect_problem("", "empty");
	reset();
	assert_int_equal(woocommerce_order_decode(NULL, 0, &chan, &o, &err),
			 ORDO_EINVALID);
	reset();

	/* A body that is not NUL-terminated where len ends. */
	assert_int_equal(
		woocommerce_order_decode("{}garbage", 2, &chan, &o, &err),
		ORDO_EINVALID);
	expect_problem("line_items", "required");
	reset();

	/* A NUL inside a string. */
	assert_int_equal(
		woocommerce_order_decode("{\"id\": \"1\0\"}", 12, &chan, &o,
					 &err),
		ORDO_EINVALID);
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
	json_t *doc = base_order(), *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr,
				      json_pack("{s:s,s:i,s:s}", "sku", "A",
						"quantity", 1, "subtotal",
						"1.00"));
	json_object_set_new(doc, "line_items", arr);
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

/* ---- times -------------------------------------------------------------- */

static void test_times(void **state)
{
	static const struct {
		const char *gmt;   /* NULL: absent */
		const char *local; /* NULL: absent */
		ordo_time want;	   /* 0: refused */
		const char *at;	   /* the path named when refused */
	} cases[] = {
		{ "2018-04-03T23:05:12", "2018-04-03T19:05:12", PLACED_2018,
		  NULL },
		/* Only the local time: taken as UTC. */
		{ NULL, "2018-04-03T23:05:12", PLACED_2018, NULL },
		{ "", "2018-04-03T23:05:12", PLACED_2018, NULL },
		/* Offsets are taken as they say. */
		{ "2018-04-03T23:05:12Z", NULL, PLACED_2018, NULL },
		{ "2018-04-04T01:05:12.250+02:00", NULL, PLACED_2018, NULL },
		/* A bad UTC time is refused, whatever the local one. */
		{ "2018-04-03 23:05:12", "2018-04-03T23:05:12", 0,
		  "date_created_gmt" },
		{ "2018-04-03", NULL, 0, "date_created_gmt" },
		{ "2018-02-30T10:00:00", NULL, 0, "date_created_gmt" },
		{ "2018-04-03T23:05:12ZZ", NULL, 0, "date_created_gmt" },
		{ NULL, "soon", 0, "date_created" },
		{ NULL, NULL, 0, "date_created_gmt" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = base_order();

		json_object_del(doc, "date_created_gmt");
		if (cases[i].gmt)
			json_object_set_new(doc, "date_created_gmt",
					    json_string(cases[i].gmt));
		else
			json_object_set_new(doc, "date_created_gmt",
					    json_null());
		if (cases[i].local)
			json_object_set_new(doc, "date_created",
					    json_string(cases[i].local));
		if (cases[i].want) {
			expect_ok(decode_json(doc));
			assert_int_equal(o.placed_at, cases[i].want);
		} else {
			assert_int_equal(decode_json(doc), ORDO_EINVALID);
			expect_problem(cases[i].at, NULL);
			assert_int_equal(err.n_details, 1);
		}
		reset();
	}

	/* Not a string at all. */
	{
		json_t *doc = base_order();

		json_object_set_new(doc, "date_created_gmt",
				    json_integer(1522796712));
		assert_int_equal(decode_json(doc), ORDO_EINVALID);
		expect_problem("date_created_gmt", "such as");
	}
}

/* ---- payment ------------------------------------------------------------ */

static void test_payment_status(void **state)
{
	static const struct {
		const char *status;  /* NULL: absent */
		const char *method;  /* payment_method; NULL: absent */
		const char *paid;    /* date_paid_gmt; NULL: null */
		int needs_payment;   /* -1: absent */
		payment_status want;
	} cases[] = {
		{ "processing", "stripe", "2018-04-03T23:05:14", -1,
		  PAYMENT_PAID },
		{ "completed", NULL, NULL, -1, PAYMENT_PAID },
		{ "wc-processing", NULL, NULL, -1, PAYMENT_PAID },
		{ "pending", NULL, NULL, -1, PAYMENT_PENDING },
		{ "on-hold", "bacs", NULL, -1, PAYMENT_PENDING },
		/* A status that waits wins over a date_paid. */
		{ "on-hold", NULL, "2018-04-03T23:05:14", -1,
		  PAYMENT_PENDING },
		{ "checkout-draft", NULL, NULL, -1, PAYMENT_PENDING },
		{ "draft", NULL, NULL, -1, PAYMENT_PENDING },
		{ "refunded", NULL, "2018-04-03T23:05:14", -1,
		  PAYMENT_REFUNDED },
		{ "failed", NULL, NULL, -1, PAYMENT_VOIDED },
		{ "cancelled", NULL, "2018-04-03T23:05:14", -1,
		  PAYMENT_VOIDED },
		{ "trash", NULL, NULL, -1, PAYMENT_VOIDED },
		/* Cash on delivery is processing before the cash. */
		{ "processing", "cod", "2018-04-03T23:05:14", -1,
		  PAYMENT_PENDING },
		{ "completed", "cod", "2018-04-03T23:05:14", -1,
		  PAYMENT_PAID },
		/* The document says it still needs paying. */
		{ "processing", "stripe", NULL, 1, PAYMENT_PENDING },
		{ "processing", "stripe", NULL, 0, PAYMENT_PAID },
		/* A plugin's status: the payment date decides. */
		{ "shipped", NULL, "2018-04-03T23:05:14", -1, PAYMENT_PAID },
		{ "shipped", "cod", "2018-04-03T23:05:14", -1,
		  PAYMENT_PENDING },
		{ "shipped", NULL, NULL, -1, PAYMENT_UNKNOWN },
		{ NULL, NULL, "2018-04-03T23:05:14", -1, PAYMENT_PAID },
		{ NULL, NULL, NULL, -1, PAYMENT_UNKNOWN },
		{ "PROCESSING", NULL, NULL, -1, PAYMENT_UNKNOWN },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *doc = base_order();

		if (cases[i].status)
			json_object_set_new(doc, "status",
					    json_string(cases[i].status));
		if (cases[i].method)
			json_object_set_new(doc, "payment_method",
					    json_string(cases[i].method));
		json_object_set_new(doc, "date_paid_gmt",
				    cases[i].paid ? json_string(cases[i].paid)
						  : json_null());
		if (cases[i].needs_payment >= 0)
			json_object_set_new(
				doc, "needs_payment",
				json_boolean(cases[i].needs_payment));
		expect_ok(decode_json(doc));
		if (o.payment != cases[i].want)
			fail_msg("case %zu (%s): %s, not %s", i,
				 cases[i].status ? cases[i].status : "-",
				 payment_status_name(o.payment),
				 payment_status_name(cases[i].want));
		reset();
	}

	/* The fixture without its needs_payment: paid. */
	{
		json_t *root = sample_fixed();

		json_object_del(json_object_get(root, "data"),
				"needs_payment");
		expect_ok(decode_json(root));
		assert_int_equal(o.payment, PAYMENT_PAID);
	}
}

/* ---- money: fees, taxes, discounts, shipping ---------------------------- */

/* An order as WooCommerce computes it: fees, a negative fee, a coupon,
 * taxes and shipping. total = line totals + fees + shipping + tax. */
static void test_fees(void **state)
{
	json_t *doc = base_order();

	(void)state;
	json_object_set_new(line0(doc), "quantity", json_integer(5));
	json_object_set_new(line0(doc), "subtotal", json_string("50.00"));
	json_object_set_new(line0(doc), "total", json_string("45.00"));
	json_object_set_new(doc, "discount_total", json_string("5.00"));
	json_object_set_new(doc, "shipping_total", json_string("10.00"));
	json_object_set_new(doc, "shipping_lines",
			    json_pack("[{s:s,s:s,s:s}]", "method_id",
				      "flat_rate", "method_title", "Flat rate",
				      "total", "10.00"));
	json_object_set_new(doc, "fee_lines",
			    json_pack("[{s:s,s:s}, {s:s,s:s}, {s:s,s:i}]",
				      "name", "Gift wrap", "total", "2.50",
				      "name", "Loyalty", "total", "-1.00",
				      "name", "Handling", "total", 1));
	json_object_set_new(doc, "total_tax", json_string("3.00"));
	/* 45.00 + 2.50 - 1.00 + 1.00 + 10.00 + 3.00 */
	json_object_set_new(doc, "total", json_string("60.50"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.shipping.method, "flat_rate");
	assert_int_equal(o.totals.subtotal, 5000);
	/* Positive fees are charged with the shipping, on both sides. */
	assert_int_equal(o.shipping.amount, 1000 + 250 + 100);
	assert_int_equal(o.totals.shipping, 1000 + 250 + 100);
	/* A negative fee is a discount. */
	assert_int_equal(o.totals.discount, 500 + 100);
	assert_int_equal(o.totals.tax, 300);
	assert_int_equal(o.totals.total, 6050);
	expect_identities();

	/* Without a total, the same arithmetic gives it. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "fee_lines",
			    json_pack("[{s:s,s:s}]", "name", "Fee", "total",
				      "2.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.shipping.amount, 200);
	assert_int_equal(o.totals.total, 1200);
	expect_identities();

	/* Fees that are no money, or past the limit. */
	reset();
	doc = base_order();
	json_object_set_new(
		doc, "fee_lines",
		json_pack("[{s:s,s:f}, {s:s,s:s}, {s:s,s:s}, {s:s,s:s}]",
			  "name", "a", "total", 1.5, "name", "b", "total",
			  "lots", "name", "c", "total", "99999999999.00",
			  "name", "d", "total", "99999999999.00"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("fee_lines[0].total", "decimal string");
	expect_problem("fee_lines[1].total", NULL);
	expect_problem("fee_lines[3]", "largest amount");
	assert_int_equal(err.n_details, 3);
}

static void test_taxes_and_discounts(void **state)
{
	json_t *doc = base_order();

	(void)state;
	/* Prices include tax: WooCommerce still stores the lines, the
	 * discount and the shipping excluding tax, and total_tax after the
	 * discount, so discount_tax is not added to the discount. A 10.00
	 * item at 20% VAT with a 1.00 coupon (0.83 + 0.17 tax). */
	json_object_set_new(doc, "prices_include_tax", json_true());
	json_object_set_new(line0(doc), "subtotal", json_string("8.33"));
	json_object_set_new(line0(doc), "subtotal_tax", json_string("1.67"));
	json_object_set_new(line0(doc), "total", json_string("7.50"));
	json_object_set_new(doc, "discount_total", json_string("0.83"));
	json_object_set_new(doc, "discount_tax", json_string("0.17"));
	json_object_set_new(doc, "total_tax", json_string("1.50"));
	json_object_set_new(doc, "total", json_string("9.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.subtotal, 833);
	assert_int_equal(o.totals.discount, 83);
	assert_int_equal(o.totals.tax, 150);
	assert_int_equal(o.totals.total, 900);
	expect_identities();

	/* No discount_total: the coupons' discounts. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "coupon_lines",
			    json_pack("[{s:s,s:s}, {s:s,s:i}]", "code", "A",
				      "discount", "1.50", "code", "B",
				      "discount", 2));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.discount, 350);
	assert_int_equal(o.totals.total, 650);

	/* With a discount_total, the coupons are not counted again. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "discount_total", json_string("1.00"));
	json_object_set_new(doc, "coupon_lines",
			    json_pack("[{s:s,s:s}]", "code", "A", "discount",
				      "1.00"));
	expect_ok(decode_json(doc));
	assert_int_equal(o.totals.discount, 100);
}

static void test_shipping(void **state)
{
	json_t *doc = base_order();

	(void)state;
	/* No method_id: the title, lower-cased and cut to fit. */
	json_object_set_new(
		doc, "shipping_lines",
		json_pack("[{s:s,s:s,s:s}, {s:s}]", "method_id", "",
			  "method_title",
			  "International Priority Mail Express Flat Rate",
			  "total", "4.50", "total", "0.50"));
	json_object_set_new(doc, "shipping_total", json_string("5.00"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.shipping.method,
			    "international priority mail expr");
	assert_int_equal(strlen(o.shipping.method), ORDO_METHOD_MAX - 1);
	assert_int_equal(o.shipping.amount, 500);
	assert_int_equal(o.totals.shipping, 500);
	assert_int_equal(o.totals.total, 1500);

	/* shipping_total and the lines disagree: both kept as they are,
	 * for validation to hold the order on. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "shipping_lines",
			    json_pack("[{s:s,s:s}]", "method_id", "UPS",
				      "total", "7.00"));
	json_object_set_new(doc, "shipping_total", json_string("5.00"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.shipping.method, "ups");
	assert_int_equal(o.shipping.amount, 700);
	assert_int_equal(o.totals.shipping, 500);

	/* No lines at all: shipping_total. */
	reset();
	doc = base_order();
	json_object_set_new(doc, "shipping_total", json_string("5.00"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.shipping.method, "standard");
	assert_int_equal(o.shipping.amount, 500);
	assert_int_equal(o.totals.shipping, 500);
}

/* ---- people and addresses ------------------------------------------------ */

static json_t *address(const char *first, const char *line1,
		       const char *country)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}",
			 "first_name", first, "last_name", "",
			 "company", "", "address_1", line1, "address_2", "",
			 "city", "", "state", "", "postcode", "", "country",
			 country);
}

static void test_addresses(void **state)
{
	json_t *doc = base_order(), *billing;

	(void)state;
	/* Digital goods: a billing address, an all-empty shipping one. */
	billing = address("Ana", "1 Main St", "CA");
	json_object_set_new(billing, "last_name", json_string("  Lima "));
	json_object_set_new(billing, "email", json_string("ana@x.example"));
	json_object_set_new(billing, "phone", json_string("+1555"));
	json_object_set_new(billing, "state", json_string("ON"));
	json_object_set_new(billing, "postcode", json_string("K1A 0B1"));
	json_object_set_new(doc, "billing", billing);
	json_object_set_new(doc, "shipping", address("", "", ""));
	json_object_set_new(doc, "customer_id", json_integer(42));
	expect_ok(decode_json(doc));
	assert_string_equal(o.customer.external_id, "42");
	assert_string_equal(o.customer.name, "Ana Lima");
	assert_string_equal(o.customer.email, "ana@x.example");
	assert_string_equal(o.customer.phone, "+1555");
	assert_true(o.has_bill_to);
	assert_string_equal(o.bill_to.name, "Ana Lima");
	assert_string_equal(o.bill_to.line1, "1 Main St");
	assert_string_equal(o.bill_to.region, "ON");
	assert_string_equal(o.bill_to.postal_code, "K1A 0B1");
	assert_string_equal(o.bill_to.country, "CA");
	assert_true(o.ship_to.name[0] == '\0' && o.ship_to.line1[0] == '\0' &&
		    o.ship_to.country[0] == '\0');

	/* An all-empty billing (a draft's) is no address; a guest. */
	reset();
	doc = base_order();
	billing = address("", "", "");
	json_object_set_new(billing, "email", json_string(""));
	json_object_set_new(doc, "billing", billing);
	json_object_set_new(doc, "shipping", address("Bo", "2 Side St", "GB"));
	json_object_set_new(doc, "customer_id", json_integer(0));
	expect_ok(decode_json(doc));
	assert_false(o.has_bill_to);
	assert_string_equal(o.customer.external_id, "");
	assert_string_equal(o.customer.name, "");
	assert_string_equal(o.ship_to.name, "Bo");
	assert_string_equal(o.ship_to.line1, "2 Side St");
	assert_string_equal(o.ship_to.country, "GB");

	/* Identity-bearing members too long are problems, with paths, and
	 * the billing phone, read once, is reported once. */
	reset();
	doc = base_order();
	billing = address("A", "x", "USA");
	json_object_set_new(billing, "phone",
			    json_string("+1 555 0100 0100 0100 0100 0100 "
					"0100 0100 0100"));
	json_object_set_new(doc, "billing", billing);
	json_object_set_new(doc, "shipping",
			    json_pack("{s:s}", "postcode",
				      "12345678901234567890"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("billing.country", "at most 2");
	expect_problem("billing.phone", "at most");
	expect_problem("shipping.postcode", "at most 16");
	assert_int_equal(details_on("billing.phone"), 1);
	assert_int_equal(err.n_details, 3);
}

/* Descriptive text is cut to fit, at a character boundary; identity is
 * refused. */
static void test_truncation(void **state)
{
	char title[600], note[3000], email[300], name[400];
	json_t *doc = base_order(), *billing;
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
	memset(name, 'm', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	json_object_set_new(line0(doc), "name", json_string(title));
	json_object_set_new(doc, "customer_note", json_string(note));
	billing = address(name, name, "US");
	json_object_set_new(doc, "billing", billing);
	expect_ok(decode_json(doc));
	assert_int_equal(strlen(o.lines[0].title), 255);
	assert_memory_equal(o.lines[0].title + 253, "\xc3\xa9", 2);
	assert_true(ordo_utf8_valid(o.lines[0].title, 255));
	assert_int_equal(strlen(o.notes), ORDO_NOTES_MAX - 1);
	assert_int_equal(strlen(o.customer.name), ORDO_NAME_MAX - 1);
	assert_int_equal(strlen(o.bill_to.line1), ORDO_ADDRESS_LINE_MAX - 1);

	reset();
	doc = base_order();
	memset(email, 'e', sizeof(email) - 1);
	email[sizeof(email) - 1] = '\0';
	json_object_set_new(doc, "billing",
			    json_pack("{s:s}", "email", email));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("billing.email", "at most 254");
}

static void test_currency(void **state)
{
	json_t *doc;

	(void)state;
	/* The broken fixture's GBP, lower case, and the channel's. */
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("gbp"));
	expect_ok(decode_json(doc));
	assert_string_equal(o.currency, "GBP");

	reset();
	snprintf(chan.currency, sizeof(chan.currency), "EUR");
	doc = base_order();
	json_object_del(doc, "currency");
	expect_ok(decode_json(doc));
	assert_string_equal(o.currency, "EUR");

	reset();
	chan.currency[0] = '\0';
	doc = base_order();
	json_object_set_new(doc, "currency", json_string("ZZZ"));
	assert_int_equal(decode_json(doc), ORDO_EINVALID);
	expect_problem("currency", "ISO 4217");
}

/* A store's cancellation: its status, bare or in the REST envelope, with
 * or without the "wc-" WordPress keeps. */
static void test_cancelled(void **state)
{
	static const char *const yes[] = {
		"{\"id\": 1, \"status\": \"cancelled\"}",
		"{\"id\": 1, \"status\": \"wc-cancelled\"}",
		"{\"data\": {\"id\": 1, \"status\": \"cancelled\"}}",
	};
	static const char *const no[] = {
		"{\"id\": 1, \"status\": \"processing\"}",
		"{\"id\": 1}",
		"{\"id\": 1, \"status\": 7}",
		"not json",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(woocommerce_order_cancelled(yes[i], strlen(yes[i])));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(woocommerce_order_cancelled(no[i], strlen(no[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_sample_order_refused),
		T(test_sample_order),
		T(test_sample_bare),
		T(test_sample_list),
		T(test_sample_refunded),
		T(test_sample_broken),
		T(test_sample_prefixes),
		T(test_sample_corrupted),
		T(test_unit_price),
		T(test_unit_price_refusals),
		T(test_sku_mapping),
		T(test_sku_problems),
		T(test_loose_payload),
		T(test_loose_refusals),
		T(test_problems_at_once),
		T(test_malformed),
		T(test_line_items_absent_or_empty),
		T(test_line_limit),
		T(test_times),
		T(test_payment_status),
		T(test_fees),
		T(test_taxes_and_discounts),
		T(test_shipping),
		T(test_addresses),
		T(test_truncation),
		T(test_currency),
		T(test_cancelled),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
