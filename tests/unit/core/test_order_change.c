/*
 * test_order_change.c - every change kind at every stage of an order: the
 * table of what each takes (applied at once, a request to the warehouse,
 * or refused), where the units taken away come from, and applying a change
 * keeping the line identity and the totals in step.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/fulfillment.h"
#include "core/order_change.h"

typedef enum {
	ST_HELD,	 /* on hold before acceptance: every unit open */
	ST_ACCEPTED,	 /* accepted, nothing promised (backordered) */
	ST_ALLOCATED,	 /* every unit allocated, none released */
	ST_RELEASED,	 /* every unit released */
	ST_PART_SHIPPED, /* line 1: 1 shipped, 1 released; line 2 released */
	ST_SHIPPED,	 /* every unit shipped */
	ST_CANCELLED,
	ST_COUNT
} stage;

static const char *const stage_names[] = {
	"held", "accepted", "allocated", "released", "part_shipped", "shipped",
	"cancelled",
};

/* Two lines: 1 is 2 x 10.00, 2 is 1 x 5.00; totals to match. */
static void order_at(order *o, stage s)
{
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	order_init(o);
	snprintf(o->id, sizeof(o->id), "ord_test");
	snprintf(o->currency, sizeof(o->currency), "USD");
	snprintf(o->shipping.method, sizeof(o->shipping.method), "standard");
	o->shipping.amount = 500;
	assert_int_equal(order_lines_alloc(o, 2, &err), ORDO_OK);
	o->lines[0].line_no = 1;
	o->lines[0].quantity = 2;
	o->lines[0].unit_price = 1000;
	snprintf(o->lines[0].sku, sizeof(o->lines[0].sku), "A");
	o->lines[1].line_no = 2;
	o->lines[1].quantity = 1;
	o->lines[1].unit_price = 500;
	snprintf(o->lines[1].sku, sizeof(o->lines[1].sku), "B");
	order_lines_open_all(o);
	o->totals.subtotal = 2500;
	o->totals.shipping = 500;
	o->totals.total = 3000;
	o->state = ORDER_ACCEPTED;
	for (i = 0; i < 2; i++) {
		order_line *l = &o->lines[i];

		switch (s) {
		case ST_HELD:
			o->state = ORDER_ON_HOLD;
			break;
		case ST_ACCEPTED:
			break;
		case ST_ALLOCATED:
			order_line_move(l, QTY_OPEN, QTY_ALLOCATED,
					l->quantity, &err);
			o->state = ORDER_ALLOCATED;
			break;
		case ST_RELEASED:
		case ST_PART_SHIPPED:
		case ST_SHIPPED:
			order_line_move(l, QTY_OPEN, QTY_RELEASED, l->quantity,
					&err);
			o->state = ORDER_RELEASED;
			if (s == ST_SHIPPED ||
			    (s == ST_PART_SHIPPED && i == 0))
				order_line_move(l, QTY_RELEASED, QTY_SHIPPED,
						s == ST_SHIPPED ? l->quantity
								: 1,
						&err);
			if (s == ST_SHIPPED)
				o->state = ORDER_SHIPPED;
			break;
		case ST_CANCELLED:
			order_line_move(l, QTY_OPEN, QTY_CANCELLED,
					l->quantity, &err);
			o->state = ORDER_CANCELLED;
			break;
		case ST_COUNT:
			break;
		}
	}
	assert_int_equal(err.code, ORDO_OK);
}

typedef enum {
	K_SHIP_TO,
	K_QTY_DOWN,
	K_QTY_UP,
	K_ADD_LINE,
	K_REMOVE_LINE,
	K_METHOD,
	K_CANCEL_WHOLE,
	K_CANCEL_PART,
	K_COUNT
} kind;

static const char *const kind_names[] = {
	"ship_to", "quantity 2->1", "quantity 2->3", "add_line",
	"remove_line", "shipping_method", "cancel", "cancel part",
};

static void change_of(order_change *c, kind k)
{
	order_change_init(c);
	switch (k) {
	case K_SHIP_TO:
		c->kind = CHANGE_SHIP_TO;
		snprintf(c->ship_to.city, sizeof(c->ship_to.city), "Paris");
		break;
	case K_QTY_DOWN:
	case K_QTY_UP:
		c->kind = CHANGE_QUANTITY;
		c->line_no = 1;
		c->quantity = k == K_QTY_DOWN ? 1 : 3;
		break;
	case K_ADD_LINE:
		c->kind = CHANGE_ADD_LINE;
		snprintf(c->add.sku, sizeof(c->add.sku), "C");
		c->add.quantity = 4;
		snprintf(c->add_price, sizeof(c->add_price), "2.50");
		break;
	case K_REMOVE_LINE:
		c->kind = CHANGE_REMOVE_LINE;
		c->line_no = 1;
		break;
	case K_METHOD:
		c->kind = CHANGE_SHIPPING_METHOD;
		snprintf(c->method, sizeof(c->method), "express");
		break;
	case K_CANCEL_WHOLE:
		c->kind = CHANGE_CANCEL;
		break;
	case K_CANCEL_PART:
		c->kind = CHANGE_CANCEL;
		c->n_lines = 1;
		c->lines[0].line_no = 1;
		c->lines[0].quantity = 1;
		break;
	case K_COUNT:
		break;
	}
}

enum { A = 1, R, X }; /* applied, requested, refused */

static const int table[K_COUNT][ST_COUNT] = {
	/*               held accepted allocated released part shipped canc */
	[K_SHIP_TO] = {A, A, A, R, R, X, X},
	[K_QTY_DOWN] = {A, A, A, R, R, X, X},
	[K_QTY_UP] = {A, A, A, A, A, X, X},
	[K_ADD_LINE] = {A, A, A, A, A, X, X},
	[K_REMOVE_LINE] = {A, A, A, R, X, X, X},
	[K_METHOD] = {A, A, A, R, R, X, X},
	[K_CANCEL_WHOLE] = {A, A, A, R, X, X, X},
	[K_CANCEL_PART] = {A, A, A, R, R, X, X},
};

/* Every kind at every stage, and the identity and totals after applying
 * what may be applied. */
static void test_kind_by_stage(void **state)
{
	int k, s;

	(void)state;
	for (k = 0; k < K_COUNT; k++) {
		for (s = 0; s < ST_COUNT; s++) {
			ordo_err err = ORDO_ERR_INIT;
			order o;
			order_change c;
			change_plan p;
			ordo_code rc;
			int got;
			size_t i;

			order_at(&o, (stage)s);
			change_of(&c, (kind)k);
			rc = order_change_plan(&o, &c, &p, &err);
			got = rc ? X : p.route == CHANGE_APPLY ? A : R;
			if (got != table[k][s])
				fail_msg("%s at %s: got %d, want %d (%s)",
					 kind_names[k], stage_names[s], got,
					 table[k][s], err.message);
			if (rc) {
				assert_int_equal(rc, ORDO_ESTATE);
				assert_non_null(err.field[0] ? err.field
							     : NULL);
			}
			if (got == A) {
				assert_int_equal(order_change_apply(&o, &c, &p,
								    &err),
						 ORDO_OK);
				/* The caller's part: the units promised. */
				for (i = 0; i < p.n_lines; i++)
					if (p.lines[i].from_allocated)
						assert_int_equal(
							order_line_move(
								&o.lines[i],
								QTY_ALLOCATED,
								QTY_CANCELLED,
								p.lines[i].from_allocated,
								&err),
							ORDO_OK);
				for (i = 0; i < o.n_lines; i++)
					assert_true(order_line_consistent(
						&o.lines[i]));
				/* The money follows the units not
				 * cancelled (a whole cancellation keeps
				 * it as it was). */
				if (!p.whole) {
					int64_t sum = 0;

					for (i = 0; i < o.n_lines; i++)
						sum += o.lines[i].unit_price *
						       (o.lines[i].quantity -
							o.lines[i]
								.qty_cancelled);
					assert_int_equal(o.totals.subtotal,
							 sum);
					assert_int_equal(
						o.totals.total,
						sum + o.totals.shipping);
				}
			}
			change_plan_free(&p);
			order_free(&o);
			ordo_err_clear(&err);
		}
	}
}

/* Units go from open first, then allocated, then released. */
static void test_units_taken_least_far_along_first(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;
	order_change c;
	change_plan p;

	(void)state;
	order_at(&o, ST_ACCEPTED);
	/* Line 1 made 4 units: 2 open, 1 allocated, 1 released. Cancel 3:
	 * 2 open, 1 allocated, none released. */
	order_line_move(&o.lines[0], QTY_OPEN, QTY_ALLOCATED, 1, &err);
	o.lines[0].quantity = 4;
	o.lines[0].qty_open += 2;
	order_line_move(&o.lines[0], QTY_OPEN, QTY_RELEASED, 1, &err);
	change_of(&c, K_CANCEL_PART);
	c.lines[0].quantity = 3;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_int_equal(p.lines[0].from_open, 2);
	assert_int_equal(p.lines[0].from_allocated, 1);
	assert_int_equal(p.lines[0].from_released, 0);
	assert_int_equal(p.route, CHANGE_APPLY);
	change_plan_free(&p);
	/* Cancel 4: the released one too, so a request. */
	c.lines[0].quantity = 4;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_int_equal(p.lines[0].from_released, 1);
	assert_int_equal(p.route, CHANGE_REQUEST);
	change_plan_free(&p);
	/* Cancel 5: more than the line has. */
	c.lines[0].quantity = 5;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_ESTATE);
	assert_string_equal(err.field, "lines[0].quantity");
	order_free(&o);
	ordo_err_clear(&err);
}

/* What a refusal names: the line, and returns for shipped units. */
static void test_refusals_name_the_way(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;
	order_change c;
	change_plan p;

	(void)state;
	order_at(&o, ST_PART_SHIPPED);
	change_of(&c, K_REMOVE_LINE);
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_ESTATE);
	assert_string_equal(err.field, "line_no");
	assert_non_null(strstr(err.message, "/returns"));
	ordo_err_clear(&err);

	change_of(&c, K_QTY_DOWN);
	c.line_no = 9;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "line_no");
	ordo_err_clear(&err);

	change_of(&c, K_CANCEL_PART);
	c.n_lines = 2;
	c.lines[1] = c.lines[0];
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "lines[1].line_no");
	ordo_err_clear(&err);

	/* The quantity it already has is no change. */
	change_of(&c, K_QTY_DOWN);
	c.quantity = 2;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_EINVALID);
	ordo_err_clear(&err);
	order_free(&o);
}

/* A new line is numbered after the last and brings its money; a bad
 * price in the order's currency is refused. */
static void test_add_line(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;
	order_change c;
	change_plan p;

	(void)state;
	order_at(&o, ST_ALLOCATED);
	change_of(&c, K_ADD_LINE);
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_int_equal(order_change_apply(&o, &c, &p, &err), ORDO_OK);
	assert_int_equal(o.n_lines, 3);
	assert_int_equal(o.lines[2].line_no, 3);
	assert_int_equal(o.lines[2].qty_open, 4);
	assert_int_equal(o.totals.subtotal, 3500);
	assert_int_equal(o.totals.total, 4000);
	change_plan_free(&p);
	order_free(&o);

	/* Money bad in the order's currency is refused when the change is
	 * decided, before anything is applied or asked. */
	order_at(&o, ST_ALLOCATED);
	snprintf(c.add_price, sizeof(c.add_price), "2.505");
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "line.unit_price");
	ordo_err_clear(&err);
	order_free(&o);
	order_at(&o, ST_RELEASED);
	change_of(&c, K_METHOD);
	snprintf(c.amount, sizeof(c.amount), "9.999");
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "amount");
	order_free(&o);
	ordo_err_clear(&err);
}

/* A change that leaves no unit cancels the order as a whole. */
static void test_nothing_left_is_a_cancellation(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;
	order_change c;
	change_plan p;

	(void)state;
	order_at(&o, ST_ALLOCATED);
	change_of(&c, K_CANCEL_PART);
	c.n_lines = 2;
	c.lines[0].quantity = 2;
	c.lines[1].line_no = 2;
	c.lines[1].quantity = 1;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_true(p.whole);
	change_plan_free(&p);
	c.lines[0].quantity = 1;
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_false(p.whole);
	change_plan_free(&p);
	order_free(&o);
}

/* A new shipping amount moves shipping and total. */
static void test_shipping_amount(void **state)
{
	ordo_err err = ORDO_ERR_INIT;
	order o;
	order_change c;
	change_plan p;

	(void)state;
	order_at(&o, ST_ACCEPTED);
	change_of(&c, K_METHOD);
	snprintf(c.amount, sizeof(c.amount), "12.00");
	assert_int_equal(order_change_plan(&o, &c, &p, &err), ORDO_OK);
	assert_int_equal(order_change_apply(&o, &c, &p, &err), ORDO_OK);
	assert_string_equal(o.shipping.method, "express");
	assert_int_equal(o.shipping.amount, 1200);
	assert_int_equal(o.totals.shipping, 1200);
	assert_int_equal(o.totals.total, 3700);
	change_plan_free(&p);
	order_free(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_by_stage),
		cmocka_unit_test(test_units_taken_least_far_along_first),
		cmocka_unit_test(test_refusals_name_the_way),
		cmocka_unit_test(test_add_line),
		cmocka_unit_test(test_shipping_amount),
		cmocka_unit_test(test_nothing_left_is_a_cancellation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
