/*
 * test_order_diff.c - what a correction changed: every changed field once,
 * in order, with its path and both values as the API writes them (strings
 * quoted, money in the order's currency, quantities as integers); nothing
 * for an unchanged order; a bill_to that appears compares with an empty
 * one; the walk stops at the first non-zero answer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/order_diff.h"

struct seen {
	char text[2048];
	int n;
	int stop_after; /* 0: never */
};

static int note(void *ctx, const char *field, const char *from,
		const char *to)
{
	struct seen *s = ctx;
	size_t len = strlen(s->text);

	snprintf(s->text + len, sizeof(s->text) - len, "%s%s: %s > %s",
		 s->n ? "; " : "", field, from, to);
	s->n++;
	return s->stop_after && s->n >= s->stop_after ? 7 : 0;
}

static void make(order *o)
{
	order_init(o);
	memcpy(o->currency, "USD", 4);
	memcpy(o->ship_to.postal_code, "6270", 5);
	memcpy(o->ship_to.city, "Springfield", 12);
	o->totals.total = 3395;
	o->n_lines = 2;
	o->lines = calloc(2, sizeof(*o->lines));
	assert_non_null(o->lines);
	memcpy(o->lines[0].sku, "MUG", 4);
	o->lines[0].quantity = 2;
	o->lines[0].unit_price = 1400;
	memcpy(o->lines[1].sku, "CUP", 4);
	o->lines[1].quantity = 1;
	o->lines[1].unit_price = 500;
}

static void unchanged_order_has_no_differences(void **state)
{
	struct seen s = {{0}, 0, 0};
	order a, b;

	(void)state;
	make(&a);
	make(&b);
	assert_int_equal(order_diff(&a, &b, note, &s), 0);
	assert_int_equal(s.n, 0);
	order_free(&a);
	order_free(&b);
}

static void every_changed_field_once_in_order(void **state)
{
	struct seen s = {{0}, 0, 0};
	order a, b;

	(void)state;
	make(&a);
	make(&b);
	memcpy(b.ship_to.postal_code, "62701", 6);
	b.totals.total = 3495;
	b.lines[1].quantity = 3;
	b.payment = PAYMENT_PAID;
	b.has_bill_to = true;
	memcpy(b.bill_to.country, "US", 3);
	assert_int_equal(order_diff(&a, &b, note, &s), 0);
	assert_string_equal(
		s.text,
		"ship_to.postal_code: \"6270\" > \"62701\"; "
		"bill_to.country: \"\" > \"US\"; "
		"totals.total: 33.95 > 34.95; "
		"payment_status: \"pending\" > \"paid\"; "
		"lines[1].quantity: 1 > 3");
	order_free(&a);
	order_free(&b);
}

static void a_non_zero_answer_stops_the_walk(void **state)
{
	struct seen s = {{0}, 0, 1};
	order a, b;

	(void)state;
	make(&a);
	make(&b);
	memcpy(b.ship_to.postal_code, "62701", 6);
	memcpy(b.notes, "call", 5);
	assert_int_equal(order_diff(&a, &b, note, &s), 7);
	assert_int_equal(s.n, 1);
	order_free(&a);
	order_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unchanged_order_has_no_differences),
		cmocka_unit_test(every_changed_field_once_in_order),
		cmocka_unit_test(a_non_zero_answer_stops_the_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
