/*
 * test_order_patch.c - applying a correction's changes: money converted
 * with the order's currency, fields given set and others left, a line the
 * order lacks refused, and a quantity change keeping the line identity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/order_patch.h"

/* An order in currency with two lines (line_no 1 and 2), all units open. */
static void order_make(order *o, const char *currency)
{
	ordo_err err = ORDO_ERR_INIT;

	order_init(o);
	ordo_err_clear(&err);
	snprintf(o->currency, sizeof(o->currency), "%s", currency);
	snprintf(o->ship_to.city, sizeof(o->ship_to.city), "Springfield");
	snprintf(o->ship_to.postal_code, sizeof(o->ship_to.postal_code),
		 "6270");
	assert_int_equal(order_lines_alloc(o, 2, &err), ORDO_OK);
	o->lines[0].line_no = 1;
	o->lines[0].quantity = 2;
	o->lines[0].unit_price = 1000;
	o->lines[1].line_no = 2;
	o->lines[1].quantity = 1;
	o->lines[1].unit_price = 500;
	order_lines_open_all(o);
	ordo_err_clear(&err);
}

/* The same decimal text is a different amount in another currency. */
static void test_money_in_the_orders_currency(void **state)
{
	order usd, jpy, kwd;
	order_patch p;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	order_patch_init(&p);
	ordo_err_clear(&err);
	assert_int_equal(order_patch_money(&p.total, "12", &err), ORDO_OK);
	assert_int_equal(order_patch_money(&p.shipping_amount, "3", &err),
			 ORDO_OK);

	order_make(&usd, "USD");
	assert_int_equal(order_patch_apply(&usd, &p, &err), ORDO_OK);
	assert_int_equal(usd.totals.total, 1200);
	assert_int_equal(usd.shipping.amount, 300);
	order_make(&jpy, "JPY");
	assert_int_equal(order_patch_apply(&jpy, &p, &err), ORDO_OK);
	assert_int_equal(jpy.totals.total, 12);
	assert_int_equal(jpy.shipping.amount, 3);
	order_make(&kwd, "KWD");
	assert_int_equal(order_patch_apply(&kwd, &p, &err), ORDO_OK);
	assert_int_equal(kwd.totals.total, 12000);
	order_free(&usd);
	order_free(&jpy);
	order_free(&kwd);

	/* Cents are fine in USD and refused in JPY, naming the field. */
	assert_int_equal(order_patch_money(&p.total, "12.50", &err), ORDO_OK);
	order_make(&usd, "USD");
	assert_int_equal(order_patch_apply(&usd, &p, &err), ORDO_OK);
	assert_int_equal(usd.totals.total, 1250);
	order_make(&jpy, "JPY");
	assert_int_equal(order_patch_apply(&jpy, &p, &err), ORDO_EINVALID);
	assert_int_equal(err.n_details, 1);
	assert_string_equal(err.details[0].field, "changes.totals.total");
	assert_string_equal(err.message, "the changes have 1 problem");
	order_free(&usd);
	order_free(&jpy);
	order_patch_free(&p);
	ordo_err_clear(&err);
}

/* What the patch sets changes; what it does not say stays. */
static void test_only_what_is_given_changes(void **state)
{
	order o;
	order_patch p;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	order_make(&o, "USD");
	order_patch_init(&p);
	ordo_err_clear(&err);
	p.ship_to_set.postal_code = true;
	snprintf(p.ship_to.postal_code, sizeof(p.ship_to.postal_code),
		 "62701");
	p.has_notes = true; /* set to "" */
	p.has_payment = true;
	p.payment = PAYMENT_REFUNDED;
	assert_int_equal(order_patch_apply(&o, &p, &err), ORDO_OK);
	assert_string_equal(o.ship_to.postal_code, "62701");
	assert_string_equal(o.ship_to.city, "Springfield");
	assert_string_equal(o.notes, "");
	assert_int_equal(o.payment, PAYMENT_REFUNDED);
	assert_false(o.has_bill_to);
	/* A bill_to given at all gives the order one. */
	p.has_bill_to = true;
	assert_int_equal(order_patch_apply(&o, &p, &err), ORDO_OK);
	assert_true(o.has_bill_to);
	order_free(&o);
	order_patch_free(&p);
	ordo_err_clear(&err);
}

/* A line_no the order lacks is refused at the request's position; every
 * problem is listed, not only the first. */
static void test_unknown_line_refused(void **state)
{
	order o;
	order_patch p;
	order_patch_line *pl;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	order_make(&o, "USD");
	order_patch_init(&p);
	ordo_err_clear(&err);
	pl = order_patch_line_add(&p, 0);
	assert_non_null(pl);
	pl->line_no = 2;
	pl->has_title = true;
	snprintf(pl->title, sizeof(pl->title), "Mug");
	pl = order_patch_line_add(&p, 1);
	assert_non_null(pl);
	pl->line_no = 9;
	pl->has_quantity = true;
	pl->quantity = 1;
	pl = order_patch_line_add(&p, 2);
	assert_non_null(pl);
	pl->line_no = 1;
	assert_int_equal(order_patch_money(&pl->unit_price, "1.234", &err),
			 ORDO_OK);
	assert_int_equal(order_patch_apply(&o, &p, &err), ORDO_EINVALID);
	assert_int_equal(err.n_details, 2);
	assert_string_equal(err.details[0].field, "changes.lines[1]");
	assert_non_null(strstr(err.details[0].message, "no line 9"));
	assert_string_equal(err.details[1].field,
			    "changes.lines[2].unit_price");
	assert_string_equal(err.message, "the changes have 2 problems");
	order_free(&o);
	order_patch_free(&p);
	ordo_err_clear(&err);
}

/* A quantity change moves open units only, through the line's own rule,
 * and keeps ordered = open + ... + cancelled. */
static void test_quantity_keeps_the_identity(void **state)
{
	order o;
	order_patch p;
	order_patch_line *pl;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	order_make(&o, "USD");
	/* One unit of line 1 was cancelled before. */
	o.lines[0].quantity = 3;
	o.lines[0].qty_open = 2;
	o.lines[0].qty_cancelled = 1;
	order_patch_init(&p);
	ordo_err_clear(&err);
	pl = order_patch_line_add(&p, 0);
	assert_non_null(pl);
	pl->line_no = 1;
	pl->has_quantity = true;
	pl->quantity = 5;
	assert_int_equal(order_patch_apply(&o, &p, &err), ORDO_OK);
	assert_int_equal(o.lines[0].qty_open, 5);
	assert_int_equal(o.lines[0].qty_cancelled, 1);
	assert_int_equal(o.lines[0].quantity, 6);
	assert_true(order_line_consistent(&o.lines[0]));
	/* Line 2 was not named: untouched. */
	assert_int_equal(o.lines[1].quantity, 1);
	assert_int_equal(o.lines[1].qty_open, 1);

	/* Below what is allocated: refused, naming the line's quantity. */
	o.lines[0].qty_open = 1;
	o.lines[0].qty_allocated = 4;
	pl->quantity = 3;
	ordo_err_clear(&err);
	assert_int_equal(order_patch_apply(&o, &p, &err), ORDO_ESTATE);
	assert_string_equal(err.details[0].field, "changes.lines[0].quantity");
	assert_int_equal(o.lines[0].qty_allocated, 4);
	assert_true(order_line_consistent(&o.lines[0]));
	order_free(&o);
	order_patch_free(&p);
	ordo_err_clear(&err);
}

/* A patch holds at most ORDO_MAX_LINES lines. */
static void test_line_limit(void **state)
{
	order_patch p;
	size_t i;

	(void)state;
	order_patch_init(&p);
	for (i = 0; i < ORDO_MAX_LINES; i++)
		assert_non_null(order_patch_line_add(&p, i));
	assert_null(order_patch_line_add(&p, i));
	assert_int_equal(p.n_lines, ORDO_MAX_LINES);
	order_patch_free(&p);
	assert_int_equal(p.n_lines, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_money_in_the_orders_currency),
		cmocka_unit_test(test_only_what_is_given_changes),
		cmocka_unit_test(test_unknown_line_refused),
		cmocka_unit_test(test_quantity_keeps_the_identity),
		cmocka_unit_test(test_line_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
