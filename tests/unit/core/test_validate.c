/*
 * test_validate.c - every validation rule: a clean order raises nothing; each
 * problem raises exactly its hold type on its field; several problems raise
 * several holds; a failing catalog look-up aborts; absurd totals do not
 * overflow. Plus the address, postal code and email checks on their own.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/validate.h"

#define NOW ((ordo_time)1795774500) /* 2026-11-27T10:15:00Z */

struct fake_sku {
	const char *sku;
	bool active;
	ordo_money price;
	const char *currency;
};

struct fake_catalog {
	const struct fake_sku *skus;
	size_t n;
	int fail_at;	    /* 1-based look-up that fails; 0 never */
	bool fail_silently; /* fail without filling err */
	int calls;
};

static const struct fake_sku default_skus[] = {
	{ "SKU-A", true, 1000, "USD" },
	{ "SKU-B", true, 500, "USD" },
	{ "SKU-OLD", false, 700, "USD" },
	{ "SKU-EUR", true, 1000, "EUR" },
	{ "SKU-ANY", true, 300, "" }, /* catalog without currency: order's */
	{ "SKU-BIG", true, ORDO_MAX_MONEY_MINOR, "USD" },
	{ "SKU-YEN", true, 1500, "JPY" },
};

static struct fake_catalog catalog;

static ordo_code fake_lookup(void *ctx, const char *sku, catalog_entry *e,
			     ordo_err *err)
{
	struct fake_catalog *c = ctx;
	size_t i;

	c->calls++;
	if (c->fail_at && c->calls == c->fail_at) {
		if (c->fail_silently)
			return ORDO_EUNAVAILABLE;
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "database is locked");
	}
	memset(e, 0, sizeof(*e));
	for (i = 0; i < c->n; i++) {
		if (strcmp(c->skus[i].sku, sku) == 0) {
			e->found = true;
			e->active = c->skus[i].active;
			e->unit_price = c->skus[i].price;
			ordo_strlcpy(e->currency, c->skus[i].currency,
				     sizeof(e->currency));
			return ORDO_OK;
		}
	}
	return ORDO_OK;
}

static int setup(void **state)
{
	(void)state;
	memset(&catalog, 0, sizeof(catalog));
	catalog.skus = default_skus;
	catalog.n = sizeof(default_skus) / sizeof(default_skus[0]);
	return 0;
}

static void set_line(order *o, size_t i, const char *sku, int64_t qty,
		     ordo_money price)
{
	order_line *l = &o->lines[i];

	l->line_no = (int)i + 1;
	ordo_strlcpy(l->sku, sku, sizeof(l->sku));
	l->quantity = qty;
	l->unit_price = price;
}

/* Everything of a clean US order but its lines. */
static void clean_header(order *o)
{
	order_init(o);
	ordo_strlcpy(o->currency, "USD", sizeof(o->currency));
	ordo_strlcpy(o->channel, "web", sizeof(o->channel));
	o->placed_at = NOW - 3600;
	ordo_strlcpy(o->customer.name, "Ann Smith", sizeof(o->customer.name));
	ordo_strlcpy(o->customer.email, "ann@example.com",
		     sizeof(o->customer.email));
	ordo_strlcpy(o->ship_to.name, "Ann Smith", sizeof(o->ship_to.name));
	ordo_strlcpy(o->ship_to.line1, "1 Main St", sizeof(o->ship_to.line1));
	ordo_strlcpy(o->ship_to.city, "Springfield", sizeof(o->ship_to.city));
	ordo_strlcpy(o->ship_to.region, "IL", sizeof(o->ship_to.region));
	ordo_strlcpy(o->ship_to.postal_code, "62701",
		     sizeof(o->ship_to.postal_code));
	ordo_strlcpy(o->ship_to.country, "US", sizeof(o->ship_to.country));
	ordo_strlcpy(o->shipping.method, "standard",
		     sizeof(o->shipping.method));
	o->shipping.amount = 500;
	o->totals.subtotal = 2500;
	o->totals.shipping = 500;
	o->totals.tax = 0;
	o->totals.discount = 0;
	o->totals.total = 3000;
}

/* A clean US order: 2 x SKU-A at 10.00 + 1 x SKU-B at 5.00, shipping 5.00. */
static void clean_order(order *o)
{
	clean_header(o);
	assert_int_equal(order_lines_alloc(o, 2, NULL), ORDO_OK);
	set_line(o, 0, "SKU-A", 2, 1000);
	set_line(o, 1, "SKU-B", 1, 500);
	order_lines_open_all(o);
}

static ordo_code run(order *o)
{
	ordo_err err = ORDO_ERR_INIT;

	ordo_err_clear(&err);
	return validate_order(o, fake_lookup, &catalog, NOW, &err);
}

static void assert_no_holds(order *o)
{
	size_t i;

	assert_int_equal(run(o), ORDO_OK);
	for (i = 0; i < o->n_holds; i++)
		print_error("unexpected hold %s on %s: %s\n",
			    hold_type_name(o->holds[i].type), o->holds[i].field,
			    o->holds[i].message);
	assert_int_equal(o->n_holds, 0);
}

/* Find the hold of this type on this field; check the common fields. */
static const order_hold *find_hold(const order *o, hold_type t,
				   const char *field)
{
	size_t i;

	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		if (h->type != t || strcmp(h->field, field) != 0)
			continue;
		assert_int_equal(h->status, HOLD_OPEN);
		assert_string_equal(h->raised_by, "validation");
		assert_int_equal(h->created_at, NOW);
		assert_int_equal(h->resolved_at, 0);
		assert_string_equal(h->id, "");
		assert_true(strlen(h->message) > 0);
		return h;
	}
	fail_msg("no %s hold on %s", hold_type_name(t), field);
	return NULL;
}

/* Validate and expect exactly one hold; its message must contain `text`. */
static void expect_one(order *o, hold_type t, const char *field,
		       const char *text)
{
	const order_hold *h;
	size_t i;

	assert_int_equal(run(o), ORDO_OK);
	if (o->n_holds != 1) {
		for (i = 0; i < o->n_holds; i++)
			print_error("hold %s on %s: %s\n",
				    hold_type_name(o->holds[i].type),
				    o->holds[i].field, o->holds[i].message);
		fail_msg("expected 1 hold, got %zu", o->n_holds);
	}
	h = find_hold(o, t, field);
	if (text && !strstr(h->message, text))
		fail_msg("message \"%s\" lacks \"%s\"", h->message, text);
}

static void test_clean_order(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	assert_no_holds(&o);
	assert_int_equal(catalog.calls, 2);
	order_free(&o);
}

static void test_clean_variants(void **unused)
{
	order o;

	(void)unused;
	/* Phone only, no email. */
	clean_order(&o);
	o.customer.email[0] = '\0';
	ordo_strlcpy(o.customer.phone, "+1 (555) 010-9999",
		     sizeof(o.customer.phone));
	assert_no_holds(&o);
	order_free(&o);

	/* ZIP+4, lower-case region and country, surrounding spaces. */
	clean_order(&o);
	ordo_strlcpy(o.ship_to.postal_code, "62701-1234",
		     sizeof(o.ship_to.postal_code));
	ordo_strlcpy(o.ship_to.region, " il", sizeof(o.ship_to.region));
	ordo_strlcpy(o.ship_to.country, "us", sizeof(o.ship_to.country));
	assert_no_holds(&o);
	order_free(&o);

	/* Canada, UK, Ireland without Eircode, Hong Kong without postal
	 * code, Germany without region. */
	clean_order(&o);
	ordo_strlcpy(o.ship_to.country, "CA", sizeof(o.ship_to.country));
	ordo_strlcpy(o.ship_to.region, "Ontario", sizeof(o.ship_to.region));
	ordo_strlcpy(o.ship_to.postal_code, "k1a0b1",
		     sizeof(o.ship_to.postal_code));
	assert_no_holds(&o);
	ordo_strlcpy(o.ship_to.country, "GB", sizeof(o.ship_to.country));
	o.ship_to.region[0] = '\0';
	ordo_strlcpy(o.ship_to.postal_code, "SW1A 1AA",
		     sizeof(o.ship_to.postal_code));
	assert_no_holds(&o);
	ordo_strlcpy(o.ship_to.country, "IE", sizeof(o.ship_to.country));
	o.ship_to.postal_code[0] = '\0';
	assert_no_holds(&o);
	ordo_strlcpy(o.ship_to.postal_code, "D02 X285",
		     sizeof(o.ship_to.postal_code));
	assert_no_holds(&o);
	ordo_strlcpy(o.ship_to.country, "HK", sizeof(o.ship_to.country));
	o.ship_to.postal_code[0] = '\0';
	assert_no_holds(&o);
	ordo_strlcpy(o.ship_to.country, "DE", sizeof(o.ship_to.country));
	ordo_strlcpy(o.ship_to.postal_code, "10115",
		     sizeof(o.ship_to.postal_code));
	assert_no_holds(&o);
	order_free(&o);

	/* Discount and tax that add up; catalog entry without currency. */
	clean_order(&o);
	set_line(&o, 1, "SKU-ANY", 1, 300);
	o.totals.subtotal = 2300;
	o.totals.tax = 184;
	o.totals.discount = 250;
	o.totals.total = 2300 + 500 + 184 - 250;
	assert_no_holds(&o);
	order_free(&o);

	/* placed_at just inside the clock skew. */
	clean_order(&o);
	o.placed_at = NOW + VALIDATE_FUTURE_SKEW_S;
	assert_no_holds(&o);
	order_free(&o);

	/* A zero-decimal currency. */
	clean_order(&o);
	ordo_strlcpy(o.currency, "JPY", sizeof(o.currency));
	o.n_lines = 1;
	set_line(&o, 0, "SKU-YEN", 3, 1500);
	o.shipping.amount = o.totals.shipping = 800;
	o.totals.subtotal = 4500;
	o.totals.total = 5300;
	ordo_strlcpy(o.ship_to.country, "JP", sizeof(o.ship_to.country));
	ordo_strlcpy(o.ship_to.postal_code, "100-0001",
		     sizeof(o.ship_to.postal_code));
	o.ship_to.region[0] = '\0';
	assert_no_holds(&o);
	order_free(&o);
}

static void test_unknown_sku(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	set_line(&o, 1, "ABC", 1, 500);
	expect_one(&o, HOLD_UNKNOWN_SKU, "lines[1].sku",
		   "SKU \"ABC\" is not in the catalog");
	order_free(&o);

	/* SKUs are matched exactly by the catalog; case is its business. */
	clean_order(&o);
	set_line(&o, 0, "sku-a", 2, 1000);
	expect_one(&o, HOLD_UNKNOWN_SKU, "lines[0].sku", "\"sku-a\"");
	order_free(&o);
}

static void test_inactive_sku(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	set_line(&o, 1, "SKU-OLD", 1, 500); /* price differs too: one hold */
	expect_one(&o, HOLD_INACTIVE_SKU, "lines[1].sku",
		   "SKU \"SKU-OLD\" is in the catalog but not active");
	order_free(&o);
}

static void test_price_mismatch(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	set_line(&o, 0, "SKU-A", 2, 1200);
	o.totals.subtotal = 2900;
	o.totals.total = 3400;
	expect_one(&o, HOLD_PRICE_MISMATCH, "lines[0].unit_price",
		   "unit price 12.00 does not match the catalog price 10.00");
	assert_non_null(strstr(o.holds[0].message, "SKU-A"));
	order_free(&o);

	/* A cheaper price is a mismatch as well. */
	clean_order(&o);
	set_line(&o, 1, "SKU-B", 1, 499);
	o.totals.subtotal = 2499;
	o.totals.total = 2999;
	expect_one(&o, HOLD_PRICE_MISMATCH, "lines[1].unit_price",
		   "unit price 4.99 does not match the catalog price 5.00");
	order_free(&o);
}

static void test_price_currency_mismatch(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	set_line(&o, 0, "SKU-EUR", 2, 1000); /* same number, other money */
	expect_one(&o, HOLD_PRICE_MISMATCH, "lines[0].unit_price", "EUR");
	assert_non_null(strstr(o.holds[0].message, "USD"));
	order_free(&o);
}

static void test_subtotal_mismatch(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.totals.subtotal = 2600;
	o.totals.total = 3100;
	expect_one(&o, HOLD_TOTALS_MISMATCH, "totals.subtotal",
		   "subtotal 26.00 does not equal the sum of the lines 25.00");
	order_free(&o);
}

static void test_total_mismatch(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.totals.total = 3100;
	expect_one(&o, HOLD_TOTALS_MISMATCH, "totals.total",
		   "total 31.00 does not equal subtotal 25.00 + shipping 5.00 "
		   "+ tax 0.00 - discount 0.00 = 30.00");
	order_free(&o);

	clean_order(&o);
	o.totals.discount = 100; /* discount not taken off the total */
	expect_one(&o, HOLD_TOTALS_MISMATCH, "totals.total",
		   "- discount 1.00 = 29.00");
	order_free(&o);
}

static void test_shipping_mismatch(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.shipping.amount = 400;
	expect_one(&o, HOLD_TOTALS_MISMATCH, "totals.shipping",
		   "totals shipping 5.00 does not equal the shipping amount "
		   "4.00");
	order_free(&o);
}

static void test_overflowing_totals(void **unused)
{
	order o;

	(void)unused;
	/* quantity x price past the money limit */
	clean_order(&o);
	set_line(&o, 0, "SKU-BIG", ORDO_MAX_QUANTITY, ORDO_MAX_MONEY_MINOR);
	assert_int_equal(run(&o), ORDO_OK);
	find_hold(&o, HOLD_TOTALS_MISMATCH, "totals.subtotal");
	assert_non_null(strstr(o.holds[0].message, "exceeds"));
	order_free(&o);

	/* int64 extremes everywhere */
	clean_order(&o);
	set_line(&o, 0, "SKU-A", INT64_MAX, INT64_MAX);
	set_line(&o, 1, "SKU-B", INT64_MIN, INT64_MIN);
	o.totals.subtotal = INT64_MAX;
	o.totals.shipping = INT64_MAX;
	o.totals.tax = INT64_MAX;
	o.totals.discount = INT64_MIN;
	o.totals.total = INT64_MIN;
	o.shipping.amount = INT64_MIN;
	assert_int_equal(run(&o), ORDO_OK);
	find_hold(&o, HOLD_TOTALS_MISMATCH, "totals.subtotal");
	find_hold(&o, HOLD_TOTALS_MISMATCH, "totals.total");
	find_hold(&o, HOLD_TOTALS_MISMATCH, "totals.shipping");
	order_free(&o);

	/* The line sum is fine but the total overflows. */
	clean_order(&o);
	o.totals.tax = ORDO_MAX_MONEY_MINOR;
	o.totals.total = 0;
	expect_one(&o, HOLD_TOTALS_MISMATCH, "totals.total", "exceeds");
	order_free(&o);
}

static void test_address_missing_parts(void **unused)
{
	static const struct {
		size_t offset;
		const char *field;
	} parts[] = {
		{ offsetof(order_address, name), "ship_to.name" },
		{ offsetof(order_address, line1), "ship_to.line1" },
		{ offsetof(order_address, city), "ship_to.city" },
		{ offsetof(order_address, postal_code), "ship_to.postal_code" },
		{ offsetof(order_address, country), "ship_to.country" },
	};
	size_t i;
	order o;

	(void)unused;
	for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		clean_order(&o);
		((char *)&o.ship_to)[parts[i].offset] = '\0';
		expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, parts[i].field, NULL);
		order_free(&o);

		/* Whitespace only counts as missing. */
		clean_order(&o);
		ordo_strlcpy((char *)&o.ship_to + parts[i].offset, "  \t", 4);
		expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, parts[i].field, NULL);
		order_free(&o);
	}
}

static void test_address_implausible(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	ordo_strlcpy(o.ship_to.country, "XX", sizeof(o.ship_to.country));
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.country",
		   "country \"XX\" is not an ISO 3166-1 alpha-2 code");
	order_free(&o);

	clean_order(&o);
	ordo_strlcpy(o.ship_to.postal_code, "6270",
		     sizeof(o.ship_to.postal_code));
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.postal_code",
		   "postal code \"6270\" is not a valid US postal code");
	order_free(&o);

	/* A German postal code on a French address. */
	clean_order(&o);
	ordo_strlcpy(o.ship_to.country, "FR", sizeof(o.ship_to.country));
	ordo_strlcpy(o.ship_to.postal_code, "1011",
		     sizeof(o.ship_to.postal_code));
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.postal_code", "FR");
	order_free(&o);

	/* US postal code missing names the requirement. */
	clean_order(&o);
	o.ship_to.postal_code[0] = '\0';
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.postal_code", "US");
	order_free(&o);
}

static void test_address_region(void **unused)
{
	static const char *const needs_region[] = { "US", "CA", "AU" };
	size_t i;
	order o;

	(void)unused;
	for (i = 0; i < 3; i++) {
		clean_order(&o);
		ordo_strlcpy(o.ship_to.country, needs_region[i],
			     sizeof(o.ship_to.country));
		ordo_strlcpy(o.ship_to.postal_code,
			     i == 0 ? "10001" : (i == 1 ? "M5V 2T6" : "2000"),
			     sizeof(o.ship_to.postal_code));
		o.ship_to.region[0] = '\0';
		expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.region",
			   needs_region[i]);
		order_free(&o);
	}

	clean_order(&o);
	ordo_strlcpy(o.ship_to.region, "ZZ", sizeof(o.ship_to.region));
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.region",
		   "region \"ZZ\" is not a US state or territory code");
	order_free(&o);

	clean_order(&o);
	ordo_strlcpy(o.ship_to.region, "Illinois", sizeof(o.ship_to.region));
	expect_one(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.region",
		   "\"Illinois\"");
	order_free(&o);

	clean_order(&o);
	ordo_strlcpy(o.ship_to.region, "PR", sizeof(o.ship_to.region));
	ordo_strlcpy(o.ship_to.postal_code, "00901",
		     sizeof(o.ship_to.postal_code));
	assert_no_holds(&o);
	order_free(&o);
}

static void test_bill_to_not_validated(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.has_bill_to = true; /* empty bill-to */
	assert_no_holds(&o);
	order_free(&o);
}

static void test_missing_contact(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.customer.email[0] = '\0';
	expect_one(&o, HOLD_MISSING_CONTACT, "customer",
		   "neither an email address nor a phone number");
	order_free(&o);

	clean_order(&o);
	ordo_strlcpy(o.customer.email, "   ", sizeof(o.customer.email));
	ordo_strlcpy(o.customer.phone, "n/a", sizeof(o.customer.phone));
	expect_one(&o, HOLD_MISSING_CONTACT, "customer", NULL);
	order_free(&o);
}

static void test_invalid_email(void **unused)
{
	order o;

	(void)unused;
	/* With a phone: the email is wrong but the customer is reachable. */
	clean_order(&o);
	ordo_strlcpy(o.customer.email, "ann.example.com",
		     sizeof(o.customer.email));
	ordo_strlcpy(o.customer.phone, "555-010-9999",
		     sizeof(o.customer.phone));
	expect_one(&o, HOLD_INVALID_DATA, "customer.email",
		   "\"ann.example.com\"");
	order_free(&o);

	/* Without one: both holds. */
	clean_order(&o);
	ordo_strlcpy(o.customer.email, "ann@", sizeof(o.customer.email));
	assert_int_equal(run(&o), ORDO_OK);
	assert_int_equal(o.n_holds, 2);
	find_hold(&o, HOLD_INVALID_DATA, "customer.email");
	find_hold(&o, HOLD_MISSING_CONTACT, "customer");
	order_free(&o);
}

static void test_placed_in_future(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	o.placed_at = NOW + VALIDATE_FUTURE_SKEW_S + 1;
	expect_one(&o, HOLD_INVALID_DATA, "placed_at", "2026-11-27T10:30:01Z");
	order_free(&o);

	clean_order(&o);
	o.placed_at = INT64_MAX;
	expect_one(&o, HOLD_INVALID_DATA, "placed_at", "in the future");
	order_free(&o);
}

static void test_unknown_currency(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	ordo_strlcpy(o.currency, "XYZ", sizeof(o.currency));
	/* The catalog prices are USD, so the lines mismatch as well. */
	assert_int_equal(run(&o), ORDO_OK);
	find_hold(&o, HOLD_INVALID_DATA, "currency");
	find_hold(&o, HOLD_PRICE_MISMATCH, "lines[0].unit_price");
	order_free(&o);
}

static void test_multiple_problems(void **unused)
{
	order o;

	(void)unused;
	clean_order(&o);
	set_line(&o, 0, "NOPE", 2, 1000);
	o.ship_to.city[0] = '\0';
	ordo_strlcpy(o.ship_to.postal_code, "ABCDE",
		     sizeof(o.ship_to.postal_code));
	o.customer.email[0] = '\0';
	o.totals.total = 1;
	assert_int_equal(run(&o), ORDO_OK);
	assert_int_equal(o.n_holds, 5);
	find_hold(&o, HOLD_UNKNOWN_SKU, "lines[0].sku");
	find_hold(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.city");
	find_hold(&o, HOLD_ADDRESS_UNVERIFIABLE, "ship_to.postal_code");
	find_hold(&o, HOLD_MISSING_CONTACT, "customer");
	find_hold(&o, HOLD_TOTALS_MISMATCH, "totals.total");
	order_free(&o);
}

static void test_lookup_error_aborts(void **unused)
{
	order o;
	ordo_err err = ORDO_ERR_INIT;

	(void)unused;
	clean_order(&o);
	set_line(&o, 0, "NOPE", 2, 1000);
	catalog.fail_at = 2;
	ordo_err_clear(&err);
	assert_int_equal(validate_order(&o, fake_lookup, &catalog, NOW, &err),
			 ORDO_ESTORAGE);
	assert_int_equal(err.code, ORDO_ESTORAGE);
	assert_string_equal(err.message, "database is locked");
	assert_int_equal(catalog.calls, 2); /* no rule ran after */
	order_free(&o);

	/* A callback that forgets to fill err still yields a message. */
	setup(NULL);
	clean_order(&o);
	catalog.fail_at = 1;
	catalog.fail_silently = true;
	ordo_err_clear(&err);
	assert_int_equal(validate_order(&o, fake_lookup, &catalog, NOW, &err),
			 ORDO_EUNAVAILABLE);
	assert_int_equal(err.code, ORDO_EUNAVAILABLE);
	assert_non_null(strstr(err.message, "SKU-A"));
	assert_int_equal(o.n_holds, 0);
	order_free(&o);
}

static void test_every_line_unknown(void **unused)
{
	order o;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;
	char sku[16];

	(void)unused;
	clean_header(&o);
	assert_int_equal(order_lines_alloc(&o, ORDO_MAX_LINES, NULL), ORDO_OK);
	for (i = 0; i < ORDO_MAX_LINES; i++) {
		snprintf(sku, sizeof(sku), "X%zu", i);
		set_line(&o, i, sku, 1, 1);
	}
	o.totals.subtotal = ORDO_MAX_LINES;
	o.totals.total = ORDO_MAX_LINES + 500;
	/* Every line and every order-level rule at once still fits. */
	o.ship_to.name[0] = o.ship_to.line1[0] = o.ship_to.city[0] = '\0';
	o.customer.email[0] = '\0';
	o.placed_at = INT64_MAX;
	assert_int_equal(run(&o), ORDO_OK);
	assert_int_equal(o.n_holds, ORDO_MAX_LINES + 5);
	find_hold(&o, HOLD_UNKNOWN_SKU, "lines[499].sku");
	order_free(&o);

	/* When the order is already full of holds, validation says so. */
	clean_order(&o);
	{
		order_hold h;

		memset(&h, 0, sizeof(h));
		for (i = 0; i < ORDO_MAX_HOLDS; i++)
			assert_non_null(order_hold_add(&o, &h));
	}
	set_line(&o, 0, "NOPE", 2, 1000);
	ordo_err_clear(&err);
	assert_int_equal(validate_order(&o, fake_lookup, &catalog, NOW, &err),
			 ORDO_ELIMIT);
	assert_int_equal(err.code, ORDO_ELIMIT);
	order_free(&o);
}

static void test_country_known(void **unused)
{
	static const char *const known[] = {
		"US", "CA", "GB", "DE", "FR", "JP", "CN", "AU",
		"BR", "IN", "ZA", "NG", "AQ", "AX", "SS", "XK" /* not ISO */,
		"ZW", "VA",
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_int_equal(validate_country_known(known[i]),
				 strcmp(known[i], "XK") != 0);
	assert_true(validate_country_known("us"));
	assert_false(validate_country_known("UK")); /* GB is the code */
	assert_false(validate_country_known("USA"));
	assert_false(validate_country_known("U"));
	assert_false(validate_country_known(""));
	assert_false(validate_country_known(NULL));
	assert_false(validate_country_known("1A"));
}

static void test_postal_codes(void **unused)
{
	static const struct {
		const char *country;
		const char *postal;
		bool ok;
	} cases[] = {
		{ "US", "12345", true },
		{ "US", "12345-6789", true },
		{ "US", "1234", false },
		{ "US", "123456", false },
		{ "US", "12345-678", false },
		{ "US", "ABCDE", false },
		{ "CA", "K1A 0B1", true },
		{ "CA", "K1A0B1", true },
		{ "CA", "k1a 0b1", true },
		{ "CA", "K1A  0B1", false },
		{ "CA", "12345", false },
		{ "GB", "SW1A 1AA", true },
		{ "GB", "M1 1AE", true },
		{ "GB", "B33 8TH", true },
		{ "GB", "CR2 6XH", true },
		{ "GB", "DN55 1PT", true },
		{ "GB", "W1A 0AX", true },
		{ "GB", "EC1A1BB", true },
		{ "GB", "GIR 0AA", true },
		{ "GB", "12345", false },
		{ "GB", "SW1A", false },
		{ "DE", "10115", true },
		{ "DE", "1011", false },
		{ "FR", "75008", true },
		{ "ES", "28013", true },
		{ "IT", "00184", true },
		{ "IT", "0018A", false },
		{ "NL", "1234 AB", true },
		{ "NL", "1234AB", true },
		{ "NL", "1234", false },
		{ "AU", "2000", true },
		{ "AT", "1010", true },
		{ "BE", "1000", true },
		{ "CH", "8001", true },
		{ "DK", "2100", true },
		{ "NO", "0150", true },
		{ "AU", "20000", false },
		{ "JP", "100-0001", true },
		{ "JP", "1000001", true },
		{ "JP", "100-001", false },
		{ "BR", "01310-100", true },
		{ "BR", "01310100", true },
		{ "BR", "01310", false },
		{ "IN", "110001", true },
		{ "IN", "11000", false },
		{ "SE", "114 55", true },
		{ "SE", "11455", true },
		{ "SE", "1145", false },
		{ "PL", "00-950", true },
		{ "PL", "00950", false },
		{ "IE", "D02 X285", true },
		{ "IE", "A65F4E2", true },
		{ "IE", "D6W 1234", true },
		{ "IE", "D02", false },
		{ "NZ", "6011", true },
		{ "MX", "06600", true },
		/* Countries without a specific shape. */
		{ "AR", "C1002AAP", true },
		{ "RU", "101000", true },
		{ "LT", "LT-01100", true },
		{ "AR", "1", false },
		{ "AR", "12345678901", false },
		{ "AR", "12#45", false },
		{ "AR", "--", false },
		{ "US", "", false },
		{ "US", " 12345 ", true },
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (validate_postal_code(cases[i].country, cases[i].postal) !=
		    cases[i].ok)
			fail_msg("%s \"%s\": expected %s", cases[i].country,
				 cases[i].postal,
				 cases[i].ok ? "valid" : "invalid");
	assert_false(validate_postal_code("US", NULL));
}

static void test_emails(void **unused)
{
	static const char *const good[] = {
		"ann@example.com",
		"Ann.Smith+orders@Example.CO.UK",
		"a@b.io",
		"o'brien@example.ie",
		"x_y-z@sub-domain.example.org",
		" ann@example.com ",
		"1@123.example.xn--p1ai",
	};
	static const char *const bad[] = {
		"",
		"ann",
		"ann@",
		"@example.com",
		"ann@example",
		"ann@@example.com",
		"ann@exa mple.com",
		"an n@example.com",
		"ann.@example.com",
		".ann@example.com",
		"an..n@example.com",
		"ann@example..com",
		"ann@.example.com",
		"ann@example.com.",
		"ann@-example.com",
		"ann@example-.com",
		"ann@example.123",
		"ann@exam_ple.com",
		"ann(x)@example.com",
		"ann@example.com,bob@example.com",
		"\"ann\"@example.com",
	};
	size_t i;
	char longer[300];

	(void)unused;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!validate_email(good[i]))
			fail_msg("\"%s\" refused", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (validate_email(bad[i]))
			fail_msg("\"%s\" accepted", bad[i]);
	assert_false(validate_email(NULL));

	/* Local part over 64 characters; a label over 63. */
	memset(longer, 'a', 65);
	snprintf(longer + 65, sizeof(longer) - 65, "@example.com");
	assert_false(validate_email(longer));
	snprintf(longer, sizeof(longer), "a@%064d.com", 0);
	assert_false(validate_email(longer));
	snprintf(longer, sizeof(longer), "a@%063d.com", 0);
	assert_true(validate_email(longer));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_clean_order, setup),
		cmocka_unit_test_setup(test_clean_variants, setup),
		cmocka_unit_test_setup(test_unknown_sku, setup),
		cmocka_unit_test_setup(test_inactive_sku, setup),
		cmocka_unit_test_setup(test_price_mismatch, setup),
		cmocka_unit_test_setup(test_price_currency_mismatch, setup),
		cmocka_unit_test_setup(test_subtotal_mismatch, setup),
		cmocka_unit_test_setup(test_total_mismatch, setup),
		cmocka_unit_test_setup(test_shipping_mismatch, setup),
		cmocka_unit_test_setup(test_overflowing_totals, setup),
		cmocka_unit_test_setup(test_address_missing_parts, setup),
		cmocka_unit_test_setup(test_address_implausible, setup),
		cmocka_unit_test_setup(test_address_region, setup),
		cmocka_unit_test_setup(test_bill_to_not_validated, setup),
		cmocka_unit_test_setup(test_missing_contact, setup),
		cmocka_unit_test_setup(test_invalid_email, setup),
		cmocka_unit_test_setup(test_placed_in_future, setup),
		cmocka_unit_test_setup(test_unknown_currency, setup),
		cmocka_unit_test_setup(test_multiple_problems, setup),
		cmocka_unit_test_setup(test_lookup_error_aborts, setup),
		cmocka_unit_test_setup(test_every_line_unknown, setup),
		cmocka_unit_test_setup(test_country_known, setup),
		cmocka_unit_test_setup(test_postal_codes, setup),
		cmocka_unit_test_setup(test_emails, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
