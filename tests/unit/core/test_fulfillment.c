/*
 * test_fulfillment.c - fulfillment moves, line quantity moves through every
 * transition, the derived order stage, and release deadlines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/fulfillment.h"
#include "core/timeutil.h"

/* The allowed moves, written out independently of the table under test. */
static const fulfillment_state allowed[][2] = {
	{FULFILLMENT_PENDING, FULFILLMENT_RELEASED},
	{FULFILLMENT_PENDING, FULFILLMENT_CANCELLED},
	{FULFILLMENT_RELEASED, FULFILLMENT_ACCEPTED},
	{FULFILLMENT_RELEASED, FULFILLMENT_REJECTED},
	{FULFILLMENT_RELEASED, FULFILLMENT_SHIPPED},
	{FULFILLMENT_RELEASED, FULFILLMENT_CANCELLED},
	{FULFILLMENT_ACCEPTED, FULFILLMENT_REJECTED},
	{FULFILLMENT_ACCEPTED, FULFILLMENT_SHIPPED},
	{FULFILLMENT_ACCEPTED, FULFILLMENT_CANCELLED},
};

static bool expected_allowed(fulfillment_state a, fulfillment_state b)
{
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (allowed[i][0] == a && allowed[i][1] == b)
			return true;
	return false;
}

static void every_fulfillment_move(void **state)
{
	int a, b;

	(void)state;
	for (a = 0; a < FULFILLMENT_STATE_COUNT; a++) {
		for (b = 0; b < FULFILLMENT_STATE_COUNT; b++) {
			fulfillment_state s = (fulfillment_state)a;
			ordo_err err = ORDO_ERR_INIT;
			ordo_code rc;

			ordo_err_clear(&err);
			rc = fulfillment_move(&s, (fulfillment_state)b, &err);
			if (expected_allowed((fulfillment_state)a,
					     (fulfillment_state)b)) {
				assert_int_equal(rc, ORDO_OK);
				assert_int_equal(s, b);
			} else {
				assert_int_equal(rc, ORDO_ESTATE);
				assert_int_equal(s, a);
				assert_non_null(strstr(
					err.message,
					fulfillment_state_name(
						(fulfillment_state)b)));
			}
		}
	}
}

static void names_round_trip(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < FULFILLMENT_STATE_COUNT; i++) {
		fulfillment_state s;

		assert_int_equal(fulfillment_state_parse(
					 fulfillment_state_name(
						 (fulfillment_state)i),
					 &s),
				 0);
		assert_int_equal(s, i);
	}
	for (i = 0; i < REJECT_REASON_COUNT; i++) {
		reject_reason r;

		assert_int_equal(reject_reason_parse(
					 reject_reason_name((reject_reason)i),
					 &r),
				 0);
		assert_int_equal(r, i);
	}
	assert_int_equal(reject_reason_hold(REJECT_OUT_OF_STOCK),
			 HOLD_INSUFFICIENT_STOCK);
	assert_int_equal(reject_reason_hold(REJECT_INCORRECT_ADDRESS),
			 HOLD_ADDRESS_UNVERIFIABLE);
	assert_true(reject_reason_reroutes(REJECT_OUT_OF_STOCK));
	assert_false(reject_reason_reroutes(REJECT_INCORRECT_ADDRESS));
	assert_int_equal(fulfillment_state_parse("lost", &(fulfillment_state){0}),
			 -1);
}

static order_line line_of(int64_t qty)
{
	order_line l;

	memset(&l, 0, sizeof(l));
	l.line_no = 1;
	ordo_strlcpy(l.sku, "SKU-1", sizeof(l.sku));
	l.quantity = qty;
	l.qty_open = qty;
	return l;
}

static void sum_holds(const order_line *l)
{
	assert_int_equal(l->quantity, l->qty_open + l->qty_allocated +
					      l->qty_released +
					      l->qty_shipped +
					      l->qty_cancelled);
}

/* The whole life of a line: every transition keeps the identity. */
static void line_moves_keep_the_identity(void **state)
{
	order_line l = line_of(10);
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	ordo_err_clear(&err);
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_ALLOCATED, 7, &err),
			 ORDO_OK); /* allocate 7, 3 backordered */
	sum_holds(&l);
	assert_int_equal(order_line_move(&l, QTY_ALLOCATED, QTY_RELEASED, 7,
					 &err),
			 ORDO_OK); /* release */
	assert_int_equal(order_line_move(&l, QTY_RELEASED, QTY_OPEN, 2, &err),
			 ORDO_OK); /* warehouse rejects 2 */
	assert_int_equal(order_line_move(&l, QTY_RELEASED, QTY_SHIPPED, 5,
					 &err),
			 ORDO_OK); /* ship 5 */
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_ALLOCATED, 4, &err),
			 ORDO_OK); /* stock arrives */
	assert_int_equal(order_line_move(&l, QTY_ALLOCATED, QTY_OPEN, 1, &err),
			 ORDO_OK); /* deallocate */
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_CANCELLED, 2, &err),
			 ORDO_OK); /* cancel */
	sum_holds(&l);
	assert_int_equal(l.qty_open, 0);
	assert_int_equal(l.qty_allocated, 3);
	assert_int_equal(l.qty_shipped, 5);
	assert_int_equal(l.qty_cancelled, 2);
}

static void line_moves_refuse_too_many(void **state)
{
	order_line l = line_of(3);
	order_line before;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	ordo_err_clear(&err);
	before = l;
	assert_int_equal(order_line_move(&l, QTY_ALLOCATED, QTY_RELEASED, 1,
					 &err),
			 ORDO_ECONFLICT);
	assert_non_null(strstr(err.message, "only 0 units are allocated"));
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_ALLOCATED, 4, &err),
			 ORDO_ECONFLICT);
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_ALLOCATED, 0, &err),
			 ORDO_ECONFLICT);
	assert_int_equal(order_line_move(&l, QTY_OPEN, QTY_OPEN, 1, &err),
			 ORDO_ECONFLICT);
	l.qty_open = 1;
	l.qty_shipped = 1;
	l.qty_cancelled = 1;
	before = l;
	assert_int_equal(order_line_move(&l, QTY_SHIPPED, QTY_OPEN, 1, &err),
			 ORDO_ECONFLICT);
	assert_int_equal(order_line_move(&l, QTY_CANCELLED, QTY_OPEN, 1, &err),
			 ORDO_ECONFLICT);
	assert_memory_equal(&l, &before, sizeof(l));
}

static void stage_follows_lines(void **state)
{
	order_line lines[2] = {line_of(2), line_of(3)};
	order o;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	ordo_err_clear(&err);
	order_init(&o);
	lines[1].line_no = 2;
	o.lines = lines;
	o.n_lines = 2;
	assert_int_equal(order_stage_from_lines(&o), ORDER_ACCEPTED);
	order_line_move(&lines[0], QTY_OPEN, QTY_ALLOCATED, 1, &err);
	assert_int_equal(order_stage_from_lines(&o), ORDER_ALLOCATED);
	order_line_move(&lines[0], QTY_ALLOCATED, QTY_RELEASED, 1, &err);
	assert_int_equal(order_stage_from_lines(&o), ORDER_RELEASED);
	order_line_move(&lines[0], QTY_RELEASED, QTY_SHIPPED, 1, &err);
	assert_int_equal(order_stage_from_lines(&o), ORDER_RELEASED);
	order_line_move(&lines[0], QTY_OPEN, QTY_CANCELLED, 1, &err);
	order_line_move(&lines[1], QTY_OPEN, QTY_ALLOCATED, 3, &err);
	order_line_move(&lines[1], QTY_ALLOCATED, QTY_RELEASED, 3, &err);
	order_line_move(&lines[1], QTY_RELEASED, QTY_SHIPPED, 3, &err);
	assert_int_equal(order_stage_from_lines(&o), ORDER_SHIPPED);
	lines[0] = line_of(2);
	lines[1] = line_of(3);
	order_line_move(&lines[0], QTY_OPEN, QTY_CANCELLED, 2, &err);
	order_line_move(&lines[1], QTY_OPEN, QTY_CANCELLED, 3, &err);
	assert_int_equal(order_stage_from_lines(&o), ORDER_CANCELLED);
}

static ordo_time at(const char *rfc3339)
{
	int64_t t = 0;

	assert_int_equal(time_parse_rfc3339(rfc3339, &t), 0);
	return t;
}

static void release_deadlines(void **state)
{
	(void)state;
	/* No cut-off: the SLA alone. */
	assert_int_equal(release_due_at(at("2026-11-27T10:00:00Z"), 4 * 3600,
					-1),
			 at("2026-11-27T14:00:00Z"));
	/* Cut-off 12:00 comes before the SLA runs out. */
	assert_int_equal(release_due_at(at("2026-11-27T10:00:00Z"), 4 * 3600,
					12 * 60),
			 at("2026-11-27T12:00:00Z"));
	/* Accepted after today's cut-off: tomorrow's, unless the SLA is
	 * sooner. */
	assert_int_equal(release_due_at(at("2026-11-27T13:00:00Z"),
					48 * 3600, 12 * 60),
			 at("2026-11-28T12:00:00Z"));
	assert_int_equal(release_due_at(at("2026-11-27T13:00:00Z"), 3600,
					12 * 60),
			 at("2026-11-27T14:00:00Z"));
	/* Exactly at the cut-off counts as that cut-off. */
	assert_int_equal(release_due_at(at("2026-11-27T12:00:00Z"), 3600,
					12 * 60),
			 at("2026-11-27T12:00:00Z"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_fulfillment_move),
		cmocka_unit_test(names_round_trip),
		cmocka_unit_test(line_moves_keep_the_identity),
		cmocka_unit_test(line_moves_refuse_too_many),
		cmocka_unit_test(stage_follows_lines),
		cmocka_unit_test(release_deadlines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
