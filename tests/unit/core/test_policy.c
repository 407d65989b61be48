/*
 * test_policy.c - the review-policy rule language: conditions and their
 * values against hand-built orders (every field, operator, precedence,
 * money scaling in 0-, 2- and 3-decimal currencies), every refusal with its
 * column and reason, rule id/outcome refusals, limits, evaluation order, the
 * default policy, and the customer key.
 *
 * Why it is long: the language is one unit (lexer, parser, checker,
 * evaluator); its cases are tables, one per part, over shared builders.
 *
 * Three orders are built once (orders_build):
 *
 *     ORD_A  USD 1500.00, express, ships US / bills GB, first order, paid,
 *            lines SKU-A x2 + SKU-B x5, received Wed 2024-03-06 14:30 UTC
 *     ORD_B  JPY 1000, standard, ships JP to "P.O. Box 12", bill-to absent
 *            (but its buffer filled, which must not show), no name or
 *            email, pending, 3 earlier orders, 1 defect, not served, one
 *            line JP-1 x3, received at the epoch (Thu 00:00)
 *     ORD_C  KWD 1.234, "Next-Day", ships KW with "Post Office Box 9" on
 *            line 2, bills "kw" (same country), payment unknown, no lines,
 *            received 1969-12-31 23:59:59 (Wed)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/policy.h"

enum { ORD_A, ORD_B, ORD_C, ORD_COUNT };

static order orders[ORD_COUNT];
static policy_context ctxs[ORD_COUNT];

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static void set(char *dst, size_t size, const char *src)
{
	assert_int_equal(ordo_strlcpy(dst, src, size), 0);
}

#define SET(dst, src) set((dst), sizeof(dst), (src))

static void add_lines(order *o, size_t n, const char *const *skus,
		      const int64_t *qty)
{
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	if (n == 0)
		return;
	assert_int_equal(order_lines_alloc(o, n, &err), ORDO_OK);
	for (i = 0; i < n; i++) {
		o->lines[i].line_no = (int)i + 1;
		SET(o->lines[i].sku, skus[i]);
		o->lines[i].quantity = qty[i];
		o->lines[i].unit_price = 100;
	}
	order_lines_open_all(o);
}

static int orders_build(void **unused)
{
	static const char *const skus_a[] = { "SKU-A", "SKU-B" };
	static const int64_t qty_a[] = { 2, 5 };
	static const char *const skus_b[] = { "JP-1" };
	static const int64_t qty_b[] = { 3 };
	order *o;

	(void)unused;
	o = &orders[ORD_A];
	order_init(o);
	SET(o->currency, "USD");
	SET(o->channel, "web");
	o->totals.total = 150000;
	o->totals.subtotal = 140000;
	o->shipping.amount = 1000;
	SET(o->shipping.method, "Express");
	o->payment = PAYMENT_PAID;
	SET(o->customer.name, "Ada Lovelace");
	SET(o->customer.email, "Ada@Example.com");
	SET(o->customer.phone, "+1 (555) 010-9999");
	SET(o->ship_to.country, "US");
	SET(o->ship_to.region, "CA");
	SET(o->ship_to.postal_code, "94105");
	SET(o->ship_to.city, "San Francisco");
	SET(o->ship_to.line1, "1 Main St");
	o->has_bill_to = true;
	SET(o->bill_to.country, "GB");
	SET(o->bill_to.region, "LND");
	add_lines(o, 2, skus_a, qty_a);
	o->received_at = 1709735400; /* Wed 2024-03-06 14:30:00 UTC */
	ctxs[ORD_A] = (policy_context){ .o = o,
					.customer_orders = 0,
					.customer_defects = 0,
					.destination_served = true };

	o = &orders[ORD_B];
	order_init(o);
	SET(o->currency, "JPY");
	SET(o->channel, "marketplace");
	o->totals.total = 1000;
	o->totals.subtotal = 900;
	o->shipping.amount = 100;
	SET(o->shipping.method, "standard");
	o->payment = PAYMENT_PENDING;
	SET(o->customer.phone, "03-1234-5678");
	SET(o->ship_to.country, "JP");
	SET(o->ship_to.region, "13");
	SET(o->ship_to.postal_code, "100-0001");
	SET(o->ship_to.city, "Tokyo");
	SET(o->ship_to.line1, "P.O. Box 12");
	o->has_bill_to = false;
	SET(o->bill_to.country, "US"); /* stale: must read as "" */
	SET(o->bill_to.region, "NY");
	add_lines(o, 1, skus_b, qty_b);
	o->received_at = 0; /* Thu 1970-01-01 00:00:00 */
	ctxs[ORD_B] = (policy_context){ .o = o,
					.customer_orders = 3,
					.customer_defects = 1,
					.destination_served = false };

	o = &orders[ORD_C];
	order_init(o);
	SET(o->currency, "KWD");
	SET(o->channel, "phone");
	o->totals.total = 1234; /* 1.234 KWD */
	o->totals.subtotal = 1000;
	o->shipping.amount = 234;
	SET(o->shipping.method, "Next-Day");
	o->payment = PAYMENT_UNKNOWN;
	SET(o->customer.name, "Zed");
	SET(o->customer.email, "z@example.kw");
	SET(o->ship_to.country, "KW");
	SET(o->ship_to.city, "Kuwait City");
	SET(o->ship_to.line1, "Block 3");
	SET(o->ship_to.line2, "Post Office Box 9");
	o->has_bill_to = true;
	SET(o->bill_to.country, "kw");
	o->received_at = -1; /* Wed 1969-12-31 23:59:59 */
	ctxs[ORD_C] = (policy_context){ .o = o,
					.customer_orders = 1,
					.customer_defects = 0,
					.destination_served = true };
	return 0;
}

static int orders_free(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < ORD_COUNT; i++)
		order_free(&orders[i]);
	return 0;
}

/* Compile one hold rule with condition `when`. */
static ordo_code compile1(const char *when, policy *p, ordo_err *err)
{
	policy_rule_src r = { .id = "t",
			      .when = when,
			      .hold = HOLD_RISKY_ORDER,
			      .priority = 3 };

	memset(p, 0, sizeof(*p));
	ordo_err_clear(err);
	return policy_compile(&r, 1, p, err);
}

static bool eval1(const char *when, const policy_context *ctx)
{
	ordo_err err = ORDO_ERR_INIT;
	policy p;
	bool v;

	if (compile1(when, &p, &err) != ORDO_OK)
		fail_msg("\"%s\" refused: %s", when, err.message);
	assert_int_equal(p.n_rules, 1);
	assert_string_equal(p.rules[0].when, when);
	v = policy_expr_eval(p.rules[0].expr, ctx);
	policy_free(&p);
	return v;
}

/* ---- conditions that compile, and their values ------------------------- */

struct eval_case {
	const char *when;
	int ord;
	bool want;
};

static const struct eval_case eval_cases[] = {
	/* money, USD: literals are read as dollars */
	{ "total >= 1000", ORD_A, true },
	{ "total > 1500", ORD_A, false },
	{ "total >= 1500", ORD_A, true },
	{ "total == 1500", ORD_A, true },
	{ "total == 1500.00", ORD_A, true },
	{ "total == 1500.0", ORD_A, true },
	{ "total != 1500", ORD_A, false },
	{ "total <= 1500", ORD_A, true },
	{ "total < 1500", ORD_A, false },
	{ "total == 150000", ORD_A, false },
	{ "total == 1500.001", ORD_A, false }, /* finer than cents: exact */
	{ "total < 1500.001", ORD_A, true },
	{ "total > 1499.999", ORD_A, true },
	{ "total >= 1500.001", ORD_A, false },
	{ "total <= 1499.999", ORD_A, false },
	{ "1000 <= total", ORD_A, true }, /* literal on the left */
	{ "1500.5 > total", ORD_A, true },
	{ "1500 == total", ORD_A, true },
	{ "subtotal == 1400", ORD_A, true },
	{ "shipping.amount == 10", ORD_A, true },
	{ "shipping.amount < 10.01", ORD_A, true },
	{ "shipping.amount > 9.999999", ORD_A, true },
	{ "total > subtotal", ORD_A, true },
	{ "shipping.amount < total", ORD_A, true },
	{ "subtotal == subtotal", ORD_A, true },
	{ "total < 999999999999999", ORD_A, true },
	{ "total > 0.000000000000001", ORD_A, true },
	{ "total > 0", ORD_A, true },
	{ "total >= 0001500.000", ORD_A, true },
	/* money, JPY: no decimals */
	{ "total >= 1000", ORD_B, true },
	{ "total == 1000", ORD_B, true },
	{ "total == 1000.0", ORD_B, true },
	{ "total > 999.5", ORD_B, true },
	{ "total >= 1000.5", ORD_B, false },
	{ "total < 1000.01", ORD_B, true },
	{ "total > 1000", ORD_B, false },
	{ "subtotal == 900", ORD_B, true },
	{ "shipping.amount == 100", ORD_B, true },
	/* money, KWD: three decimals */
	{ "total == 1.234", ORD_C, true },
	{ "total == 1.2340", ORD_C, true },
	{ "total > 1.2335", ORD_C, true },
	{ "total < 1.2341", ORD_C, true },
	{ "total >= 1.235", ORD_C, false },
	{ "total > 1", ORD_C, true },
	{ "total < 2", ORD_C, true },
	{ "total == 1234", ORD_C, false },
	{ "total >= 1000", ORD_C, false },
	{ "shipping.amount == 0.234", ORD_C, true },
	/* strings */
	{ "currency == \"USD\"", ORD_A, true },
	{ "currency == \"usd\"", ORD_A, false },
	{ "currency == \"JPY\"", ORD_B, true },
	{ "channel == \"web\"", ORD_A, true },
	{ "channel != \"web\"", ORD_B, true },
	{ "payment_status == \"paid\"", ORD_A, true },
	{ "payment_status == \"pending\"", ORD_B, true },
	{ "payment_status == \"unknown\"", ORD_C, true },
	{ "shipping.method == \"express\"", ORD_A, true }, /* lower-cased */
	{ "shipping.method == \"Express\"", ORD_A, false },
	{ "shipping.method == \"standard\"", ORD_B, true },
	{ "shipping.method == \"next-day\"", ORD_C, true },
	{ "ship_to.country == \"US\"", ORD_A, true },
	{ "ship_to.region == \"CA\"", ORD_A, true },
	{ "ship_to.postal_code == \"94105\"", ORD_A, true },
	{ "ship_to.city == \"San Francisco\"", ORD_A, true },
	{ "ship_to.city != \"Z\xc3\xbcrich\"", ORD_A, true }, /* UTF-8 bytes */
	{ "\"Z\xc3\xbcrich\" contains \"\xc3\xbc\"", ORD_A, true },
	{ "ship_to.region == \"\"", ORD_C, true },
	{ "bill_to.country == \"GB\"", ORD_A, true },
	{ "bill_to.region == \"LND\"", ORD_A, true },
	{ "bill_to.country == \"\"", ORD_B, true }, /* absent */
	{ "bill_to.region == \"\"", ORD_B, true },
	{ "bill_to.country == \"kw\"", ORD_C, true },
	{ "customer.email == \"Ada@Example.com\"", ORD_A, true },
	{ "customer.email contains \"@Example\"", ORD_A, true },
	{ "customer.email contains \"@example\"", ORD_A, false },
	{ "customer.phone contains \"555\"", ORD_A, true },
	{ "customer.name == \"Ada Lovelace\"", ORD_A, true },
	{ "customer.name == \"\"", ORD_B, true },
	{ "customer.email == \"\"", ORD_B, true },
	{ "customer.phone == \"\"", ORD_C, true },
	{ "\"a\" == \"a\"", ORD_A, true },
	{ "\"ab\" contains \"\"", ORD_A, true },
	{ "\"ab\" contains \"abc\"", ORD_A, false },
	{ "\"a\\\"b\" contains \"\\\"\"", ORD_A, true },
	{ "\"\\\\\" == \"\\\\\"", ORD_A, true },
	{ "\"x\\\\y\" contains \"\\\\y\"", ORD_A, true },
	/* ints */
	{ "lines.count == 2", ORD_A, true },
	{ "lines.count == 1", ORD_B, true },
	{ "lines.count == 0", ORD_C, true },
	{ "quantity.total == 7", ORD_A, true },
	{ "quantity.max == 5", ORD_A, true },
	{ "quantity.max > 4.5", ORD_A, true },
	{ "quantity.max < 5.1", ORD_A, true },
	{ "quantity.max == 5.0", ORD_A, true },
	{ "quantity.max == 5.01", ORD_A, false },
	{ "quantity.total == 3", ORD_B, true },
	{ "quantity.total == 0", ORD_C, true },
	{ "quantity.max == 0", ORD_C, true },
	{ "quantity.total > quantity.max", ORD_A, true },
	{ "customer.orders_count == 0", ORD_A, true },
	{ "customer.orders_count == 3", ORD_B, true },
	{ "customer.defects_count >= 1", ORD_B, true },
	{ "customer.defects_count == 0", ORD_A, true },
	{ "hour == 14", ORD_A, true },
	{ "weekday == 3", ORD_A, true },
	{ "hour == 0", ORD_B, true },
	{ "weekday == 4", ORD_B, true },
	{ "hour == 23", ORD_C, true },
	{ "weekday == 3", ORD_C, true },
	{ "hour >= 9 and hour < 17 and weekday >= 1 and weekday <= 5", ORD_A,
	  true },
	{ "1 < 2", ORD_A, true },
	{ "2.50 == 2.5", ORD_A, true },
	{ "0.1 < 0.10001", ORD_A, true },
	{ "0 == 0.0", ORD_A, true },
	/* bools */
	{ "shipping.expedited", ORD_A, true },
	{ "shipping.expedited", ORD_B, false },
	{ "shipping.expedited", ORD_C, true },
	{ "address.mismatch", ORD_A, true },
	{ "address.mismatch", ORD_B, false }, /* no bill-to */
	{ "address.mismatch", ORD_C, false }, /* "kw" is "KW" */
	{ "ship_to.po_box", ORD_A, false },
	{ "ship_to.po_box", ORD_B, true },
	{ "ship_to.po_box", ORD_C, true }, /* on line 2 */
	{ "destination.served", ORD_A, true },
	{ "destination.served", ORD_B, false },
	{ "not destination.served", ORD_B, true },
	{ "address.mismatch == true", ORD_A, true },
	{ "true == true", ORD_A, true },
	{ "false != true", ORD_A, true },
	{ "shipping.expedited == address.mismatch", ORD_C, false },
	/* lists, in and contains */
	{ "\"SKU-A\" in skus", ORD_A, true },
	{ "\"SKU-C\" in skus", ORD_A, false },
	{ "\"sku-a\" in skus", ORD_A, false },
	{ "skus contains \"SKU-B\"", ORD_A, true },
	{ "skus contains \"SKU\"", ORD_A, false }, /* items, not substrings */
	{ "skus contains \"JP-1\"", ORD_B, true },
	{ "skus contains \"X\"", ORD_C, false },
	{ "currency in [\"EUR\", \"USD\"]", ORD_A, true },
	{ "currency in [\"EUR\",\"GBP\"]", ORD_A, false },
	{ "currency in []", ORD_A, false },
	{ "currency in [channel, \"x\"]", ORD_A, false },
	{ "\"web\" in [channel]", ORD_A, true },
	{ "[\"a\", \"b\"] contains \"b\"", ORD_A, true },
	{ "[] contains \"b\"", ORD_A, false },
	{ "shipping.method in [\"express\", \"overnight\"]", ORD_A, true },
	{ "ship_to.country in [\"JP\", \"KR\"]", ORD_B, true },
	{ "not ship_to.country in [\"JP\", \"KR\"]", ORD_A, true },
	/* precedence: or < and < not < comparison */
	{ "true or false and false", ORD_A, true },
	{ "(true or false) and false", ORD_A, false },
	{ "false and true or true", ORD_A, true },
	{ "false and (true or true)", ORD_A, false },
	{ "not true or true", ORD_A, true },
	{ "not (true or true)", ORD_A, false },
	{ "not not true", ORD_A, true },
	{ "not not not true", ORD_A, false },
	{ "not total > 100", ORD_A, false },
	{ "not false and false", ORD_A, false },
	{ "false or false or true", ORD_A, true },
	{ "true and true and false", ORD_A, false },
	{ "((((total >= 1000))))", ORD_A, true },
	{ "(total) >= (1000)", ORD_A, true },
	{ "total >= 1000 and customer.orders_count == 0 and "
	  "shipping.method == \"express\"",
	  ORD_A, true },
	{ "total >= 1000 and customer.orders_count == 0 and "
	  "shipping.method == \"express\"",
	  ORD_B, false },
	/* white space of every kind; newlines are plain bytes */
	{ "\ttotal>=1000\n and\r\nlines.count==2 ", ORD_A, true },
};

static void test_eval_table(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < N_ELEMS(eval_cases); i++) {
		const struct eval_case *c = &eval_cases[i];

		if (eval1(c->when, &ctxs[c->ord]) != c->want)
			fail_msg("case %zu: \"%s\" on order %d: want %s", i,
				 c->when, c->ord, c->want ? "true" : "false");
	}
}

/* Money fields at the int64 limits compare without overflow. */
static void test_money_extremes(void **unused)
{
	order o;
	policy_context ctx = { .o = &o };

	(void)unused;
	order_init(&o);
	SET(o.currency, "USD");
	o.totals.total = INT64_MAX;
	o.totals.subtotal = INT64_MIN;
	o.received_at = INT64_MIN;
	assert_true(eval1("total > 999999999999999", &ctx));
	assert_true(eval1("total > 999999999999.999", &ctx));
	assert_false(eval1("total < 0.000000000000001", &ctx));
	assert_true(eval1("subtotal < 0", &ctx));
	assert_true(eval1("subtotal < 0.000000000000001", &ctx));
	assert_true(eval1("total > subtotal", &ctx));
	assert_true(eval1("hour >= 0 and hour <= 23", &ctx));
	assert_true(eval1("weekday >= 0 and weekday <= 6", &ctx));
	SET(o.currency, "KWD");
	assert_true(eval1("total > 999999999999.999", &ctx));
	SET(o.currency, "JPY");
	assert_true(eval1("total > 999999999999999", &ctx));
	/* An unknown currency reads as two decimals (money.h). */
	SET(o.currency, "XYZ");
	o.totals.total = 1050;
	assert_true(eval1("total == 10.5", &ctx));
	order_free(&o);
}

static void test_weekdays(void **unused)
{
	static const struct {
		ordo_time t;
		int hour, weekday;
	} cases[] = {
		{ 0, 0, 4 },			/* Thu 1970-01-01 */
		{ 86400 * 3 + 3600 * 5, 5, 0 }, /* Sun 1970-01-04 05:00 */
		{ 86400 * 2 + 86399, 23, 6 },	/* Sat 23:59:59 */
		{ -86400, 0, 3 },		/* Wed 1969-12-31 */
		{ -86400 * 4 - 1, 23, 6 },	/* Sat 1969-12-27 23:59:59 */
		{ 1709735400, 14, 3 },		/* Wed 2024-03-06 14:30 */
		{ 1710028800, 0, 0 },		/* Sun 2024-03-10 */
	};
	char when[64];
	order o;
	policy_context ctx = { .o = &o };
	size_t i;

	(void)unused;
	order_init(&o);
	for (i = 0; i < N_ELEMS(cases); i++) {
		o.received_at = cases[i].t;
		snprintf(when, sizeof(when), "hour == %d and weekday == %d",
			 cases[i].hour, cases[i].weekday);
		if (!eval1(when, &ctx))
			fail_msg("%lld: want %s", (long long)cases[i].t, when);
	}
	order_free(&o);
}

static void test_po_box(void **unused)
{
	static const struct {
		const char *line;
		bool want;
	} cases[] = {
		{ "PO Box 123", true },
		{ "P.O. Box 123", true },
		{ "P. O. Box 5", true },
		{ "p o box 5", true },
		{ "P.O.Box 7", true },
		{ "PO-Box 7", true },
		{ "POBox 5", true },
		{ "pobox5", true },
		{ "Post Office Box 7", true },
		{ "post office box 7", true },
		{ "POB 12", true },
		{ "P.O.B. 12", true },
		{ "Unit 4, PO BOX 99", true },
		{ "1 Main St", false },
		{ "123 Tempo Box Rd", false },
		{ "1 Boxwood Lane", false },
		{ "Box 12", false },
		{ "POB Street 4", false },
		{ "Polo Box Rd", false },
		{ "Post Office Rd", false },
		{ "", false },
	};
	order o;
	policy_context ctx = { .o = &o };
	size_t i;

	(void)unused;
	for (i = 0; i < N_ELEMS(cases); i++) {
		order_init(&o);
		SET(o.ship_to.line1, cases[i].line);
		if (eval1("ship_to.po_box", &ctx) != cases[i].want)
			fail_msg("line1 \"%s\": want %d", cases[i].line,
				 cases[i].want);
		order_init(&o);
		SET(o.ship_to.line1, "1 Main St");
		SET(o.ship_to.line2, cases[i].line);
		if (eval1("ship_to.po_box", &ctx) != cases[i].want)
			fail_msg("line2 \"%s\": want %d", cases[i].line,
				 cases[i].want);
	}
}

static void test_expedited(void **unused)
{
	static const struct {
		const char *method;
		bool want;
	} cases[] = {
		{ "express", true },	{ "EXPRESS", true },
		{ "expedited", true },	{ "overnight", true },
		{ "next_day", true },	{ "next-day", true },
		{ "Next Day", true },	{ "priority", true },
		{ "same_day", true },	{ "Same-Day", true },
		{ "standard", false },	{ "economy", false },
		{ "", false },		{ "express_plus", false },
		{ "priority mail", false },
	};
	order o;
	policy_context ctx = { .o = &o };
	size_t i;

	(void)unused;
	order_init(&o);
	for (i = 0; i < N_ELEMS(cases); i++) {
		SET(o.shipping.method, cases[i].method);
		if (eval1("shipping.expedited", &ctx) != cases[i].want)
			fail_msg("method \"%s\": want %d", cases[i].method,
				 cases[i].want);
	}
}

static void test_address_mismatch(void **unused)
{
	order o;
	policy_context ctx = { .o = &o };

	(void)unused;
	order_init(&o);
	SET(o.ship_to.country, "US");
	assert_false(eval1("address.mismatch", &ctx)); /* no bill-to */
	SET(o.bill_to.country, "CA");
	assert_false(eval1("address.mismatch", &ctx)); /* still absent */
	o.has_bill_to = true;
	assert_true(eval1("address.mismatch", &ctx));
	SET(o.bill_to.country, "us");
	assert_false(eval1("address.mismatch", &ctx));
	SET(o.bill_to.country, "US");
	assert_false(eval1("address.mismatch", &ctx));
	SET(o.bill_to.country, "");
	assert_false(eval1("address.mismatch", &ctx)); /* nothing to compare */
	order_free(&o);
}

/* Every field is known, and has the documented type. */
static void test_field_names(void **unused)
{
	static const char *const bools[] = { "shipping.expedited",
					     "address.mismatch",
					     "ship_to.po_box",
					     "destination.served" };
	char when[128];
	ordo_err err = ORDO_ERR_INIT;
	policy p;
	size_t i, j, n = 0;

	(void)unused;
	for (i = 0; policy_field_names[i]; i++) {
		bool is_bool = false;

		n++;
		for (j = 0; j < N_ELEMS(bools); j++)
			if (strcmp(policy_field_names[i], bools[j]) == 0)
				is_bool = true;
		if (compile1(policy_field_names[i], &p, &err) == ORDO_OK) {
			assert_true(is_bool);
			policy_free(&p);
		} else {
			assert_false(is_bool);
			assert_non_null(strstr(err.message,
					       "must be true or false"));
		}
		snprintf(when, sizeof(when), "%s != %s",
			 policy_field_names[i], policy_field_names[i]);
		if (strcmp(policy_field_names[i], "skus") == 0) {
			assert_int_equal(compile1(when, &p, &err),
					 ORDO_EINVALID);
			continue;
		}
		for (j = 0; j < ORD_COUNT; j++)
			assert_false(eval1(when, &ctxs[j]));
	}
	assert_int_equal(n, 28);
}

/* ---- refusals ---------------------------------------------------------- */

struct bad_case {
	const char *when;
	int col;
	const char *why;
};

static const struct bad_case bad_cases[] = {
	/* empty and unknown */
	{ "", 1, "the condition is empty" },
	{ "   \n", 1, "the condition is empty" },
	{ "totl >= 1", 1, "unknown field \"totl\"" },
	{ "total >= 1000 and Total < 5", 19, "unknown field \"Total\"" },
	{ "customer.orders >= 1", 1, "unknown field \"customer.orders\"" },
	{ "ship_to..country == \"US\"", 1, "unknown field" },
	{ "true\nand totl", 10, "unknown field \"totl\"" },
	/* unexpected tokens and ends */
	{ "total >=", 9, "unexpected end of condition" },
	{ "total >= 1000 and", 18, "unexpected end of condition" },
	{ "not", 4, "unexpected end of condition" },
	{ "(total >= 1000", 15, "unexpected end of condition, expected \")\"" },
	{ "total >= 1000)", 14, "unexpected token \")\"" },
	{ "total >= 1000 1", 15, "unexpected token \"1\"" },
	{ "true true", 6, "unexpected token \"true\"" },
	{ "and", 1, "unexpected token \"and\"" },
	{ "total >= >= 1", 10, "unexpected token \">=\"" },
	{ "()", 2, "unexpected token \")\", expected a value" },
	{ "total == 1 == 1", 12, "comparisons do not chain" },
	{ "currency in [\"a\"] in [\"b\"]", 19, "comparisons do not chain" },
	{ "currency in [\"a\" \"b\"]", 18,
	  "unexpected token \"\"b\"\", expected \",\" or \"]\"" },
	{ "currency in [\"a\",]", 18, "unexpected token \"]\"" },
	{ "currency in [\"a\"", 17, "unexpected end of condition" },
	{ "currency in [currency == \"a\"]", 23, "unexpected token \"==\"" },
	{ "total >= 1 AND true", 12, "unexpected token \"AND\"" },
	/* characters */
	{ "total = 1", 7, "use \"==\"" },
	{ "total ! 1", 7, "unexpected character \"!\"" },
	{ "total >= 1 && true", 12, "use \"and\"" },
	{ "total >= 1 || true", 12, "use \"or\"" },
	{ "total >= -1", 10, "no sign" },
	{ "total >= 1 + 1", 12, "no sign" },
	{ "'a' == currency", 1, "double quotes" },
	{ "total >= 1 @", 12, "unexpected character \"@\"" },
	{ "total >= .5", 10, "unexpected character \".\"" },
	{ "total >= 1 \xc3\xa9", 12, "unexpected character 0xc3" },
	/* strings */
	{ "currency == \"USD", 13, "unterminated string" },
	{ "currency == \"US\\", 13, "unterminated string" },
	{ "currency == \"US\\\"", 13, "unterminated string" },
	{ "currency == \"U\\n\"", 15, "bad escape \"\\n\"" },
	{ "\"", 1, "unterminated string" },
	/* numbers */
	{ "total >= 12.", 10, "bad number \"12.\"" },
	{ "total >= 1.2.3", 10, "bad number \"1.2.3\"" },
	{ "total >= 12abc", 10, "bad number \"12abc\"" },
	{ "total>=1000and true", 8, "bad number \"1000and\"" },
	{ "total >= 1234567890123456", 10, "at most 15 digits" },
	{ "total >= 0.1234567890123456", 10, "at most 15 digits" },
	{ "total >= 1234567890.123456", 10, "at most 15 digits" },
	/* types */
	{ "total == \"1000\"", 7, "cannot compare money with string" },
	{ "\"1000\" == total", 8, "cannot compare string with money" },
	{ "currency == 1", 10, "cannot compare string with number" },
	{ "total == lines.count", 7, "cannot compare money with int" },
	{ "total < quantity.max", 7, "cannot compare money with int" },
	{ "lines.count == true", 13, "cannot compare int with bool" },
	{ "currency == address.mismatch", 10,
	  "cannot compare string with bool" },
	{ "skus == [\"a\"]", 6, "cannot compare lists" },
	{ "currency != []", 10, "cannot compare lists" },
	{ "currency < \"USD\"", 10,
	  "\"<\" compares numbers or money, not string" },
	{ "shipping.expedited > 1", 20,
	  "\">\" compares numbers or money, not bool" },
	{ "1 <= skus", 3, "\"<=\" compares numbers or money, not list" },
	{ "total", 1, "the condition must be true or false, not money" },
	{ "lines.count", 1, "the condition must be true or false, not int" },
	{ "currency", 1, "the condition must be true or false, not string" },
	{ "skus", 1, "the condition must be true or false, not list" },
	{ "1", 1, "the condition must be true or false, not number" },
	{ "[]", 1, "the condition must be true or false, not list" },
	{ "  (total)", 4, "the condition must be true or false, not money" },
	{ "(total >= 1) and lines.count", 18,
	  "\"and\" needs true or false, not int" },
	{ "lines.count and true", 1, "\"and\" needs true or false, not int" },
	{ "lines.count or true", 1, "\"or\" needs true or false, not int" },
	{ "true or \"x\"", 9, "\"or\" needs true or false, not string" },
	{ "not total", 5, "\"not\" needs true or false, not money" },
	{ "not not skus", 9, "\"not\" needs true or false, not list" },
	{ "currency in \"USD\"", 13, "\"in\" needs a list on its right" },
	{ "currency in channel", 13, "\"in\" needs a list on its right" },
	{ "skus in [\"a\"]", 1, "\"in\" needs a string on its left, not list" },
	{ "total in [\"a\"]", 1,
	  "\"in\" needs a string on its left, not money" },
	{ "currency in [\"a\", 1]", 19,
	  "list items must be strings, not number" },
	{ "currency in [[\"a\"]]", 14, "list items must be strings, not list" },
	{ "currency in [true]", 14, "list items must be strings, not bool" },
	{ "total contains \"1\"", 1,
	  "\"contains\" needs a list or a string on its left, not money" },
	{ "skus contains 1", 15,
	  "\"contains\" needs a string on its right, not number" },
	{ "skus contains [\"a\"]", 15,
	  "\"contains\" needs a string on its right, not list" },
};

static void test_refusals(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < N_ELEMS(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		char prefix[64];
		ordo_err err = ORDO_ERR_INIT;
		policy p;

		if (compile1(c->when, &p, &err) != ORDO_EINVALID) {
			policy_free(&p);
			fail_msg("case %zu: \"%s\" accepted", i, c->when);
		}
		assert_int_equal(err.code, ORDO_EINVALID);
		assert_string_equal(err.field, "rules[0].when");
		assert_int_equal(p.n_rules, 0);
		assert_null(p.rules);
		snprintf(prefix, sizeof(prefix),
			 "rule \"t\" (rules[0]), column %d: ", c->col);
		if (strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		    !strstr(err.message + strlen(prefix), c->why))
			fail_msg("case %zu: \"%s\": got \"%s\", want \"%s%s\"",
				 i, c->when, err.message, prefix, c->why);
	}
}

static void test_refusal_message(void **unused)
{
	policy_rule_src rules[] = {
		{ .id = "ok", .when = "true", .approve = true },
		{ .id = "big-orders",
		  .when = "totl >= 1000",
		  .hold = HOLD_HIGH_VALUE,
		  .priority = 2 },
	};
	ordo_err err = ORDO_ERR_INIT;
	policy p;

	(void)unused;
	memset(&p, 0, sizeof(p));
	ordo_err_clear(&err);
	assert_int_equal(policy_compile(rules, 2, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.message, "rule \"big-orders\" (rules[1]), "
					 "column 1: unknown field \"totl\"");
	assert_string_equal(err.field, "rules[1].when");
	assert_int_equal(p.n_rules, 0);
	assert_null(p.rules);

	/* A NULL condition is an empty one. */
	rules[1].when = NULL;
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(rules, 2, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.message, "rule \"big-orders\" (rules[1]), "
					 "column 1: the condition is empty");
}

/* Refuse rules (compiled after a good first rule) and check field and
 * reason. */
static void expect_rule_refused(const policy_rule_src *r, const char *field,
				const char *why)
{
	policy_rule_src rules[2] = {
		{ .id = "first",
		  .when = "total > 1",
		  .hold = HOLD_HIGH_VALUE,
		  .priority = 1 },
		*r,
	};
	ordo_err err = ORDO_ERR_INIT;
	policy p;

	memset(&p, 0, sizeof(p));
	ordo_err_clear(&err);
	if (policy_compile(rules, 2, &p, &err) != ORDO_EINVALID) {
		policy_free(&p);
		fail_msg("rule accepted; wanted %s: %s", field, why);
	}
	assert_string_equal(err.field, field);
	if (!strstr(err.message, why))
		fail_msg("message \"%s\" lacks \"%s\"", err.message, why);
	assert_int_equal(p.n_rules, 0);
	assert_null(p.rules);
}

static void test_rule_refusals(void **unused)
{
	policy_rule_src r = { .id = "x",
			      .when = "true",
			      .hold = HOLD_RISKY_ORDER,
			      .priority = 3 };
	policy_rule_src ok;
	ordo_err err = ORDO_ERR_INIT;
	policy p;

	(void)unused;
	r.id[0] = '\0';
	expect_rule_refused(&r, "rules[1].id", "rules[1]: the id must be");
	SET(r.id, "Big");
	expect_rule_refused(&r, "rules[1].id", "the id must be 1 to 64");
	SET(r.id, "big orders");
	expect_rule_refused(&r, "rules[1].id", "a-z, 0-9");
	SET(r.id, "big/orders");
	expect_rule_refused(&r, "rules[1].id", "the id must be");
	/* All 65 bytes used, no terminator: too long, and not overread. */
	memset(r.id, 'a', sizeof(r.id));
	expect_rule_refused(&r, "rules[1].id", "the id must be");
	SET(r.id, "first");
	expect_rule_refused(&r, "rules[1].id",
			    "rule \"first\" (rules[1]): duplicate id, already "
			    "used by rules[0]");

	SET(r.id, "x");
	r.priority = 0;
	expect_rule_refused(&r, "rules[1].then",
			    "rule \"x\" (rules[1]): priority must be 1 to 5, "
			    "not 0");
	r.priority = 6;
	expect_rule_refused(&r, "rules[1].then", "not 6");
	r.priority = 5;
	r.hold = HOLD_TYPE_COUNT;
	expect_rule_refused(&r, "rules[1].then", "unknown hold type");
	r.hold = (hold_type)-1;
	expect_rule_refused(&r, "rules[1].then", "unknown hold type");

	/* Approve rules carry no hold or priority. */
	ok = r;
	ok.approve = true;
	ok.priority = 0;
	ok.hold = HOLD_TYPE_COUNT;
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(&ok, 1, &p, &err), ORDO_OK);
	assert_true(p.rules[0].approve);
	policy_free(&p);

	/* Ids of exactly 64 characters and every allowed character. */
	memset(ok.id, 'a', POLICY_RULE_ID_MAX - 1);
	ok.id[POLICY_RULE_ID_MAX - 1] = '\0';
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(&ok, 1, &p, &err), ORDO_OK);
	assert_int_equal(strlen(p.rules[0].id), 64);
	policy_free(&p);
	SET(ok.id, "a-z_0.9");
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(&ok, 1, &p, &err), ORDO_OK);
	assert_string_equal(p.rules[0].id, "a-z_0.9");
	policy_free(&p);
	policy_free(&p); /* twice is harmless */
}

/* ---- limits ------------------------------------------------------------ */

static void test_limit_rules(void **unused)
{
	policy_rule_src *rules;
	ordo_err err = ORDO_ERR_INIT;
	policy p;
	size_t i;

	(void)unused;
	rules = calloc(POLICY_MAX_RULES + 1, sizeof(*rules));
	assert_non_null(rules);
	for (i = 0; i <= POLICY_MAX_RULES; i++) {
		snprintf(rules[i].id, sizeof(rules[i].id), "r%zu", i);
		rules[i].when = "true";
		rules[i].hold = HOLD_POLICY_EXCEPTION;
		rules[i].priority = 3;
	}
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(rules, POLICY_MAX_RULES, &p, &err),
			 ORDO_OK);
	assert_int_equal(p.n_rules, POLICY_MAX_RULES);
	{
		policy_outcome out;

		policy_evaluate(&p, &ctxs[ORD_A], &out);
		assert_int_equal(out.n_hits, POLICY_MAX_RULES);
		assert_int_equal(out.hits[POLICY_MAX_RULES - 1],
				 POLICY_MAX_RULES - 1);
	}
	policy_free(&p);

	memset(&p, 0, sizeof(p));
	assert_int_equal(
		policy_compile(rules, POLICY_MAX_RULES + 1, &p, &err),
		ORDO_EINVALID);
	assert_string_equal(err.field, "rules");
	assert_non_null(strstr(err.message, "at most 200 rules"));
	assert_int_equal(p.n_rules, 0);

	/* An empty policy compiles and holds nothing. */
	memset(&p, 0, sizeof(p));
	assert_int_equal(policy_compile(NULL, 0, &p, &err), ORDO_OK);
	assert_int_equal(p.n_rules, 0);
	policy_free(&p);
	free(rules);
}

static void test_limit_length(void **unused)
{
	char *when = malloc(POLICY_WHEN_MAX + 2);
	ordo_err err = ORDO_ERR_INIT;
	policy p;

	(void)unused;
	assert_non_null(when);
	memset(when, ' ', POLICY_WHEN_MAX + 1);
	memcpy(when, "true", 4);
	when[POLICY_WHEN_MAX] = '\0';
	assert_int_equal(compile1(when, &p, &err), ORDO_OK);
	policy_free(&p);
	when[POLICY_WHEN_MAX] = ' ';
	when[POLICY_WHEN_MAX + 1] = '\0';
	assert_int_equal(compile1(when, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "rules[0].when");
	assert_non_null(strstr(err.message, "column 2049: the condition is "
					    "longer than 2048 bytes"));
	free(when);
}

/* "(" * n + "true" + ")" * n */
static char *nest(const char *open, const char *inner, const char *close,
		  int n)
{
	size_t lo = strlen(open), lc = strlen(close), li = strlen(inner);
	char *s = malloc((size_t)n * (lo + lc) + li + 1), *w = s;
	int i;

	assert_non_null(s);
	for (i = 0; i < n; i++, w += lo)
		memcpy(w, open, lo);
	memcpy(w, inner, li);
	w += li;
	for (i = 0; i < n; i++, w += lc)
		memcpy(w, close, lc);
	*w = '\0';
	return s;
}

/* n_ok repetitions of open/close compile; one more is refused at col. */
static void expect_depth(const char *open, const char *inner,
			 const char *close, int n_ok, int col)
{
	char want[64];
	ordo_err err = ORDO_ERR_INIT;
	policy p;
	char *s;

	s = nest(open, inner, close, n_ok);
	if (compile1(s, &p, &err) != ORDO_OK) {
		free(s);
		fail_msg("depth %d refused: %s", n_ok, err.message);
	}
	policy_free(&p);
	free(s);
	s = nest(open, inner, close, n_ok + 1);
	assert_int_equal(compile1(s, &p, &err), ORDO_EINVALID);
	free(s);
	snprintf(want, sizeof(want), "column %d: nesting too deep", col);
	if (!strstr(err.message, want))
		fail_msg("\"%s\" lacks \"%s\"", err.message, want);
}

static void test_limit_depth(void **unused)
{
	char *s;
	ordo_err err = ORDO_ERR_INIT;
	policy p;

	(void)unused;
	expect_depth("(", "true", ")", POLICY_MAX_DEPTH, 33);
	expect_depth("not ", "true", "", POLICY_MAX_DEPTH, 32 * 4 + 1);
	/* Each "not (" opens two levels; the 33rd is the 17th "not". */
	expect_depth("not (", "true", ")", POLICY_MAX_DEPTH / 2, 16 * 5 + 1);
	/* A list opens a level too: 31 parentheses around "x in [...]". */
	s = nest("(", "currency in [\"a\"]", ")", POLICY_MAX_DEPTH - 1);
	assert_int_equal(compile1(s, &p, &err), ORDO_OK);
	policy_free(&p);
	free(s);
	s = nest("(", "currency in [\"a\"]", ")", POLICY_MAX_DEPTH);
	assert_int_equal(compile1(s, &p, &err), ORDO_EINVALID);
	assert_non_null(strstr(err.message, "column 45: nesting too deep"));
	free(s);

	/* Long flat chains are not nesting. */
	s = nest("false or ", "true", "", 220);
	assert_true(strlen(s) < POLICY_WHEN_MAX);
	assert_true(eval1(s, &ctxs[ORD_A]));
	free(s);
	s = nest("true and ", "false", "", 200);
	assert_false(eval1(s, &ctxs[ORD_A]));
	free(s);
}

static void test_limit_list(void **unused)
{
	char buf[1024];
	size_t len, i;
	ordo_err err = ORDO_ERR_INIT;
	policy p;
	int col101 = 0;

	(void)unused;
	len = (size_t)snprintf(buf, sizeof(buf), "currency in [");
	for (i = 0; i < POLICY_MAX_LIST; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					"%s\"%02zu\"", i ? "," : "", i);
	snprintf(buf + len, sizeof(buf) - len, "]");
	assert_int_equal(compile1(buf, &p, &err), ORDO_OK);
	assert_int_equal(p.n_rules, 1);
	policy_free(&p);
	/* One more item: refused at the 101st. */
	col101 = (int)len + 2;
	snprintf(buf + len, sizeof(buf) - len, ",\"xx\"]");
	assert_int_equal(compile1(buf, &p, &err), ORDO_EINVALID);
	{
		char want[64];

		snprintf(want, sizeof(want), "column %d: list too long",
			 col101);
		if (!strstr(err.message, want))
			fail_msg("\"%s\" lacks \"%s\"", err.message, want);
	}
}

/* ---- evaluation order -------------------------------------------------- */

static void compile_ok(const policy_rule_src *r, size_t n, policy *p)
{
	ordo_err err = ORDO_ERR_INIT;

	memset(p, 0, sizeof(*p));
	if (policy_compile(r, n, p, &err) != ORDO_OK)
		fail_msg("refused: %s", err.message);
	assert_int_equal(p->n_rules, n);
}

static void test_evaluation_order(void **unused)
{
	const policy_rule_src rules[] = {
		{ .id = "h0", .when = "true", .hold = HOLD_HIGH_VALUE,
		  .priority = 2 },
		{ .id = "h1", .when = "false", .hold = HOLD_RISKY_ORDER,
		  .priority = 1 },
		{ .id = "h2", .when = "total > 1", .hold = HOLD_RISKY_ORDER,
		  .priority = 1 },
		{ .id = "ok", .when = "currency == \"USD\"", .approve = true },
		{ .id = "h4", .when = "true", .hold = HOLD_POLICY_EXCEPTION,
		  .priority = 5 },
	};
	const policy_rule_src exempt[] = {
		{ .id = "trusted", .when = "customer.orders_count >= 1",
		  .approve = true },
		{ .id = "all", .when = "true", .hold = HOLD_POLICY_EXCEPTION,
		  .priority = 3 },
	};
	policy_outcome out;
	policy p;

	(void)unused;
	compile_ok(rules, N_ELEMS(rules), &p);
	assert_string_equal(p.rules[3].id, "ok");
	assert_true(p.rules[3].approve);
	assert_int_equal(p.rules[2].hold, HOLD_RISKY_ORDER);
	assert_int_equal(p.rules[2].priority, 1);
	assert_string_equal(p.rules[2].when, "total > 1");

	/* Holds accumulate; approve stops later rules but keeps earlier
	 * holds. */
	policy_evaluate(&p, &ctxs[ORD_A], &out);
	assert_int_equal(out.n_hits, 2);
	assert_int_equal(out.hits[0], 0);
	assert_int_equal(out.hits[1], 2);
	assert_true(out.approved);
	assert_int_equal(out.approved_by, 3);

	/* No approve match: every hold rule is looked at. */
	policy_evaluate(&p, &ctxs[ORD_B], &out);
	assert_int_equal(out.n_hits, 3);
	assert_int_equal(out.hits[0], 0);
	assert_int_equal(out.hits[1], 2);
	assert_int_equal(out.hits[2], 4);
	assert_false(out.approved);
	policy_free(&p);

	/* An approve rule placed first exempts what it matches. */
	compile_ok(exempt, N_ELEMS(exempt), &p);
	policy_evaluate(&p, &ctxs[ORD_B], &out);
	assert_true(out.approved);
	assert_int_equal(out.approved_by, 0);
	assert_int_equal(out.n_hits, 0);
	policy_evaluate(&p, &ctxs[ORD_A], &out);
	assert_false(out.approved);
	assert_int_equal(out.n_hits, 1);
	assert_int_equal(out.hits[0], 1);
	policy_free(&p);
}

/* ---- the default policy ------------------------------------------------ */

static void expect_hits(const policy *p, const policy_context *ctx,
			const char *const *ids, size_t n)
{
	policy_outcome out;
	size_t i;

	policy_evaluate(p, ctx, &out);
	assert_false(out.approved);
	if (out.n_hits != n)
		fail_msg("%zu hits, want %zu", out.n_hits, n);
	for (i = 0; i < n; i++)
		assert_string_equal(p->rules[out.hits[i]].id, ids[i]);
}

static void test_default_policy(void **unused)
{
	static const char *const hits_a[] = { "large-value",
					      "first-express-mismatch" };
	static const char *const hits_b[] = { "large-value",
					      "incomplete-contact",
					      "no-location-serves",
					      "payment-not-verified" };
	static const char *const hits_c[] = { "payment-not-verified" };
	policy p;
	order o;
	policy_context ctx;
	size_t i;

	(void)unused;
	assert_int_equal(policy_default_count, 5);
	compile_ok(policy_default_rules, policy_default_count, &p);
	for (i = 0; i < p.n_rules; i++) {
		assert_false(p.rules[i].approve);
		assert_true(p.rules[i].priority >= POLICY_PRIORITY_MIN &&
			    p.rules[i].priority <= POLICY_PRIORITY_MAX);
	}
	assert_int_equal(p.rules[0].hold, HOLD_HIGH_VALUE);
	assert_int_equal(p.rules[1].hold, HOLD_RISKY_ORDER);
	assert_int_equal(p.rules[2].hold, HOLD_MISSING_CONTACT);
	assert_int_equal(p.rules[3].hold, HOLD_SHIPPING_CONFLICT);
	assert_int_equal(p.rules[4].hold, HOLD_PAYMENT_UNVERIFIED);

	expect_hits(&p, &ctxs[ORD_A], hits_a, N_ELEMS(hits_a));
	/* JPY 1000 is "total >= 1000" in yen. */
	expect_hits(&p, &ctxs[ORD_B], hits_b, N_ELEMS(hits_b));
	expect_hits(&p, &ctxs[ORD_C], hits_c, N_ELEMS(hits_c));

	/* An ordinary order: nothing. */
	order_init(&o);
	SET(o.currency, "USD");
	o.totals.total = 99999; /* 999.99 */
	SET(o.shipping.method, "express");
	SET(o.customer.name, "Bo");
	SET(o.customer.email, "bo@example.com");
	SET(o.ship_to.country, "US");
	o.has_bill_to = true;
	SET(o.bill_to.country, "CA");
	o.payment = PAYMENT_AUTHORIZED;
	ctx = (policy_context){ .o = &o,
				.customer_orders = 1,
				.destination_served = true };
	expect_hits(&p, &ctx, NULL, 0);
	/* The same as a first order: express + mismatch is risky. */
	ctx.customer_orders = 0;
	{
		static const char *const ids[] = { "first-express-mismatch" };

		expect_hits(&p, &ctx, ids, 1);
	}
	/* ... unless the countries agree. */
	SET(o.bill_to.country, "us");
	expect_hits(&p, &ctx, NULL, 0);
	o.totals.total = 100000;
	{
		static const char *const ids[] = { "large-value" };

		expect_hits(&p, &ctx, ids, 1);
	}
	o.payment = PAYMENT_VOIDED;
	o.totals.total = 1;
	{
		static const char *const ids[] = { "payment-not-verified" };

		expect_hits(&p, &ctx, ids, 1);
	}
	order_free(&o);
	policy_free(&p);
}

/* ---- customer key ------------------------------------------------------ */

static void test_customer_key(void **unused)
{
	order_customer c;
	char key[ORDO_EMAIL_MAX];
	char small[4];

	(void)unused;
	memset(&c, 0, sizeof(c));
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "");

	SET(c.name, "  Ada Lovelace ");
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "ada lovelace");

	SET(c.phone, "n/a");
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "ada lovelace"); /* no digits: the name */

	SET(c.phone, "+1 (555) 010-9999");
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "15550109999");

	SET(c.email, "   ");
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "15550109999");

	SET(c.email, " Ada@Example.COM ");
	policy_customer_key(&c, key, sizeof(key));
	assert_string_equal(key, "ada@example.com");

	policy_customer_key(&c, small, sizeof(small));
	assert_string_equal(small, "ada");
	memset(small, 'x', sizeof(small));
	policy_customer_key(&c, small, 0);
	assert_int_equal(small[0], 'x');
	memset(&c, 0, sizeof(c));
	SET(c.phone, "555-0100");
	policy_customer_key(&c, small, sizeof(small));
	assert_string_equal(small, "555");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_money_extremes),
		cmocka_unit_test(test_weekdays),
		cmocka_unit_test(test_po_box),
		cmocka_unit_test(test_expedited),
		cmocka_unit_test(test_address_mismatch),
		cmocka_unit_test(test_field_names),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_refusal_message),
		cmocka_unit_test(test_rule_refusals),
		cmocka_unit_test(test_limit_rules),
		cmocka_unit_test(test_limit_length),
		cmocka_unit_test(test_limit_depth),
		cmocka_unit_test(test_limit_list),
		cmocka_unit_test(test_evaluation_order),
		cmocka_unit_test(test_default_policy),
		cmocka_unit_test(test_customer_key),
	};

	return cmocka_run_group_tests(tests, orders_build, orders_free);
}
