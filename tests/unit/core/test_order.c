/*
 * test_order.c - enum names, line allocation and its limit, holds and their
 * cap, the line quantity identity, and setting a line's quantity.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/order.h"

static void test_hold_type_names(void **unused)
{
	hold_type t;
	size_t i;

	(void)unused;
	for (i = 0; i < HOLD_TYPE_COUNT; i++) {
		assert_int_equal(
			hold_type_parse(hold_type_name((hold_type)i), &t), 0);
		assert_int_equal(t, (hold_type)i);
	}
	assert_string_equal(hold_type_name(HOLD_UNKNOWN_SKU), "unknown_sku");
	assert_string_equal(hold_type_name(HOLD_ADDRESS_UNVERIFIABLE),
			    "address_unverifiable");
	assert_string_equal(hold_type_name(HOLD_CHANGE_AFTER_RELEASE),
			    "change_after_release");
	assert_int_equal(hold_type_parse("nope", &t), -1);
	assert_int_equal(hold_type_parse("", &t), -1);
	assert_int_equal(hold_type_parse(NULL, &t), -1);
	assert_string_equal(hold_type_name((hold_type)999), "unknown");
	assert_string_equal(hold_status_name(HOLD_OPEN), "open");
	assert_string_equal(hold_status_name(HOLD_RESOLVED), "resolved");
}

static void test_payment_names(void **unused)
{
	payment_status p;
	size_t i;

	(void)unused;
	for (i = 0; i < PAYMENT_STATUS_COUNT; i++) {
		assert_int_equal(
			payment_status_parse(
				payment_status_name((payment_status)i), &p),
			0);
		assert_int_equal(p, (payment_status)i);
	}
	assert_string_equal(payment_status_name(PAYMENT_PARTIALLY_PAID),
			    "partially_paid");
	assert_int_equal(payment_status_parse("Paid", &p), -1);
	assert_int_equal(payment_status_parse(NULL, &p), -1);
}

static void test_init_free(void **unused)
{
	order o;

	(void)unused;
	memset(&o, 0xab, sizeof(o));
	order_init(&o);
	assert_null(o.lines);
	assert_null(o.holds);
	assert_int_equal(o.n_lines, 0);
	assert_int_equal(o.state, ORDER_RECEIVED);
	order_free(&o);
	order_free(&o); /* twice is fine */
	order_free(NULL);
}

static void test_lines_alloc(void **unused)
{
	order o;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	(void)unused;
	order_init(&o);
	ordo_err_clear(&err);
	assert_int_equal(order_lines_alloc(&o, ORDO_MAX_LINES, &err), ORDO_OK);
	assert_int_equal(o.n_lines, ORDO_MAX_LINES);
	for (i = 0; i < o.n_lines; i++)
		assert_int_equal(o.lines[i].quantity, 0);
	order_free(&o);
	assert_null(o.lines);

	order_init(&o);
	assert_int_equal(order_lines_alloc(&o, ORDO_MAX_LINES + 1, &err),
			 ORDO_ELIMIT);
	assert_int_equal(err.code, ORDO_ELIMIT);
	assert_string_equal(err.field, "lines");
	assert_non_null(strstr(err.message, "500"));
	assert_null(o.lines);
	assert_int_equal(o.n_lines, 0);
	assert_int_equal(order_lines_alloc(&o, (size_t)-1, NULL), ORDO_ELIMIT);

	assert_int_equal(order_lines_alloc(&o, 0, &err), ORDO_OK);
	assert_int_equal(o.n_lines, 0);
	order_free(&o);
}

static void test_holds_cap(void **unused)
{
	order o;
	order_hold h;
	size_t i;

	(void)unused;
	order_init(&o);
	memset(&h, 0, sizeof(h));
	h.type = HOLD_PRICE_MISMATCH;
	for (i = 0; i < ORDO_MAX_HOLDS; i++) {
		order_hold *got;

		snprintf(h.message, sizeof(h.message), "hold %zu", i);
		h.status = (i % 3 == 0) ? HOLD_RESOLVED : HOLD_OPEN;
		got = order_hold_add(&o, &h);
		assert_non_null(got);
		assert_string_equal(got->message, h.message);
	}
	assert_int_equal(o.n_holds, ORDO_MAX_HOLDS);
	assert_null(order_hold_add(&o, &h));
	assert_int_equal(o.n_holds, ORDO_MAX_HOLDS);
	/* Earlier holds survived every reallocation. */
	assert_string_equal(o.holds[0].message, "hold 0");
	assert_string_equal(o.holds[ORDO_MAX_HOLDS - 1].message, "hold 531");
	assert_int_equal(order_open_holds(&o),
			 ORDO_MAX_HOLDS - (ORDO_MAX_HOLDS + 2) / 3);
	order_free(&o);
	assert_int_equal(o.n_holds, 0);
	assert_int_equal(order_open_holds(&o), 0);
}

static void test_hold_add_to_malloced_array(void **unused)
{
	order o;
	order_hold h;

	(void)unused;
	/* A store that loads holds builds the array itself, exactly sized. */
	order_init(&o);
	o.holds = calloc(1, sizeof(order_hold));
	assert_non_null(o.holds);
	o.n_holds = 1;
	memset(&h, 0, sizeof(h));
	h.type = HOLD_HIGH_VALUE;
	assert_non_null(order_hold_add(&o, &h));
	assert_int_equal(o.n_holds, 2);
	assert_int_equal(o.holds[1].type, HOLD_HIGH_VALUE);
	order_free(&o);
}

static void test_line_identity(void **unused)
{
	order o;
	order_line l;

	(void)unused;
	order_init(&o);
	assert_int_equal(order_lines_alloc(&o, 3, NULL), ORDO_OK);
	o.lines[0].quantity = 5;
	o.lines[1].quantity = 1;
	o.lines[2].quantity = 0;
	o.lines[1].qty_shipped = 7; /* overwritten by open_all */
	order_lines_open_all(&o);
	assert_int_equal(o.lines[0].qty_open, 5);
	assert_int_equal(o.lines[1].qty_open, 1);
	assert_int_equal(o.lines[1].qty_shipped, 0);
	assert_true(order_line_consistent(&o.lines[0]));
	order_line_check(&o.lines[2]);
	order_free(&o);

	memset(&l, 0, sizeof(l));
	l.quantity = 10;
	l.qty_open = 1;
	l.qty_allocated = 2;
	l.qty_released = 3;
	l.qty_shipped = 3;
	l.qty_cancelled = 1;
	l.qty_returned = 3;
	assert_true(order_line_consistent(&l));
	order_line_check(&l);

	l.qty_returned = 4; /* more returned than shipped */
	assert_false(order_line_consistent(&l));
	l.qty_returned = 0;
	l.qty_open = 2; /* parts exceed ordered */
	assert_false(order_line_consistent(&l));
	l.qty_open = 0; /* parts fall short */
	assert_false(order_line_consistent(&l));
	l.qty_open = 1;
	l.qty_cancelled = -1; /* negative part */
	l.qty_allocated = 4;
	assert_false(order_line_consistent(&l));
	l.qty_cancelled = 1;
	l.qty_allocated = 2;
	assert_true(order_line_consistent(&l));
	l.qty_returned = -1;
	assert_false(order_line_consistent(&l));

	/* A corrupt row must be reported, not overflow. */
	memset(&l, 0, sizeof(l));
	l.quantity = INT64_MAX;
	l.qty_open = INT64_MAX;
	l.qty_allocated = INT64_MAX;
	assert_false(order_line_consistent(&l));
}

/* order_check refuses a broken line in every build, naming it. */
static void test_order_check(void **unused)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;

	(void)unused;
	order_init(&o);
	ordo_strlcpy(o.id, "ord_check", sizeof(o.id));
	assert_int_equal(order_check(&o, &err), ORDO_OK); /* no lines */
	assert_int_equal(order_lines_alloc(&o, 2, NULL), ORDO_OK);
	o.lines[0].line_no = 1;
	o.lines[0].quantity = 5;
	o.lines[1].line_no = 2;
	ordo_strlcpy(o.lines[1].sku, "SKU-B", sizeof(o.lines[1].sku));
	o.lines[1].quantity = 4;
	order_lines_open_all(&o);
	assert_int_equal(order_check(&o, &err), ORDO_OK);

	/* Allocated without leaving open: the parts exceed what was ordered. */
	o.lines[1].qty_allocated = 3;
	ordo_err_clear(&err);
	assert_int_equal(order_check(&o, &err), ORDO_EINTERNAL);
	assert_int_equal(err.code, ORDO_EINTERNAL);
	assert_non_null(strstr(err.message, "order ord_check, line 2 (SKU-B)"));
	assert_non_null(strstr(err.message, "ordered 4"));
	assert_non_null(strstr(err.message, "open 4 + allocated 3"));

	/* Moved correctly, it passes again. */
	o.lines[1].qty_open = 1;
	assert_int_equal(order_check(&o, &err), ORDO_OK);

	/* More returned than shipped. */
	o.lines[0].qty_open = 3;
	o.lines[0].qty_shipped = 2;
	o.lines[0].qty_returned = 3;
	assert_int_equal(order_check(&o, &err), ORDO_EINTERNAL);
	assert_non_null(strstr(err.message, "line 1"));
	assert_non_null(strstr(err.message, "returned 3"));
	o.lines[0].qty_returned = 2;
	assert_int_equal(order_check(&o, &err), ORDO_OK);

	/* A negative count, even where the sum still adds up. */
	o.lines[0].qty_open = 4;
	o.lines[0].qty_cancelled = -1;
	o.lines[0].qty_returned = 0;
	assert_int_equal(order_check(&o, &err), ORDO_EINTERNAL);
	order_free(&o);
}

/* A copy is independent: a job that runs again starts from the original. */
static void test_copy_is_independent(void **state)
{
	order a, b;
	order_hold h;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	order_init(&a);
	order_init(&b);
	ordo_err_clear(&err);
	assert_int_equal(order_lines_alloc(&a, 2, &err), ORDO_OK);
	a.lines[0].quantity = 3;
	a.lines[1].quantity = 4;
	order_lines_open_all(&a);
	memset(&h, 0, sizeof(h));
	h.type = HOLD_UNKNOWN_SKU;
	assert_non_null(order_hold_add(&a, &h));
	assert_int_equal(order_copy(&b, &a, &err), ORDO_OK);
	assert_ptr_not_equal(b.lines, a.lines);
	assert_ptr_not_equal(b.holds, a.holds);
	assert_int_equal(b.n_lines, 2);
	assert_int_equal(b.n_holds, 1);
	/* What happens to the copy does not happen to the original. */
	b.lines[0].qty_open = 0;
	b.lines[0].qty_allocated = 3;
	assert_non_null(order_hold_add(&b, &h));
	assert_int_equal(a.lines[0].qty_open, 3);
	assert_int_equal(a.n_holds, 1);
	order_free(&b);
	order_free(&a);
}

/*
 * Setting a line's quantity changes open units only: what is promised,
 * shipped or cancelled stays, ordered follows, and the identity holds. A
 * quantity below what is promised or shipped, or out of range, changes
 * nothing.
 */
static void test_line_set_quantity(void **state)
{
	order_line l, before;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	memset(&l, 0, sizeof(l));
	l.line_no = 2;
	l.quantity = 5;
	l.qty_open = 4;
	l.qty_cancelled = 1;
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, 3, &err), ORDO_OK);
	assert_int_equal(l.qty_open, 3);
	assert_int_equal(l.qty_cancelled, 1);
	assert_int_equal(l.quantity, 4); /* 3 wanted + 1 cancelled */
	assert_true(order_line_consistent(&l));

	/* Units allocated and shipped stay; only the open ones change. */
	memset(&l, 0, sizeof(l));
	l.line_no = 1;
	l.quantity = 10;
	l.qty_open = 4;
	l.qty_allocated = 2;
	l.qty_shipped = 3;
	l.qty_cancelled = 1;
	assert_int_equal(order_line_set_quantity(&l, 7, &err), ORDO_OK);
	assert_int_equal(l.qty_open, 2);
	assert_int_equal(l.qty_allocated, 2);
	assert_int_equal(l.qty_shipped, 3);
	assert_int_equal(l.qty_cancelled, 1);
	assert_int_equal(l.quantity, 8);
	assert_true(order_line_consistent(&l));

	/* Below the 5 units promised or shipped: refused, line untouched. */
	before = l;
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, 4, &err), ORDO_ESTATE);
	assert_string_equal(err.field, "quantity");
	assert_memory_equal(&l, &before, sizeof(l));
	/* Exactly what is promised leaves nothing open. */
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, 5, &err), ORDO_OK);
	assert_int_equal(l.qty_open, 0);
	assert_int_equal(l.quantity, 6);

	/* Out of range (limits.h). */
	before = l;
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, 0, &err), ORDO_EINVALID);
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, ORDO_MAX_QUANTITY + 1,
						 &err),
			 ORDO_EINVALID);
	assert_memory_equal(&l, &before, sizeof(l));
	ordo_err_clear(&err);
	assert_int_equal(order_line_set_quantity(&l, ORDO_MAX_QUANTITY, &err),
			 ORDO_OK);
	assert_int_equal(l.qty_open, ORDO_MAX_QUANTITY - 5);
	assert_true(order_line_consistent(&l));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_type_names),
		cmocka_unit_test(test_payment_names),
		cmocka_unit_test(test_init_free),
		cmocka_unit_test(test_lines_alloc),
		cmocka_unit_test(test_holds_cap),
		cmocka_unit_test(test_hold_add_to_malloced_array),
		cmocka_unit_test(test_line_identity),
		cmocka_unit_test(test_order_check),
		cmocka_unit_test(test_copy_is_independent),
		cmocka_unit_test(test_line_set_quantity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
