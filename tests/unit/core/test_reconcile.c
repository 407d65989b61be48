/*
 * test_reconcile.c - a warehouse's view beside ordo's: each kind of
 * difference, an item named by its order taking the order's open
 * fulfillment first, and SKUs compared both ways.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/reconcile.h"

static fulfillment_line fl_a = {.line_no = 1, .sku = "A", .quantity = 2};
static fulfillment_line fl_b = {.line_no = 2, .sku = "B", .quantity = 1,
				.shipped = 1};

static void ful(fulfillment *f, const char *id, const char *order_ref,
		fulfillment_state s, ordo_time created, fulfillment_line *l,
		size_t n)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->id, sizeof(f->id), "%s", id);
	snprintf(f->order_id, sizeof(f->order_id), "%s", order_ref);
	f->state = s;
	f->created_at = created;
	f->lines = l;
	f->n_lines = n;
}

static void item(recon_item *it, const char *ful_id, const char *order_ref,
		 fulfillment_state s, const char *sku, int64_t qty,
		 int64_t shipped)
{
	memset(it, 0, sizeof(*it));
	snprintf(it->fulfillment_id, sizeof(it->fulfillment_id), "%s", ful_id);
	snprintf(it->order_ref, sizeof(it->order_ref), "%s", order_ref);
	it->status = s;
	if (sku) {
		snprintf(it->lines[0].sku, sizeof(it->lines[0].sku), "%s", sku);
		it->lines[0].quantity = qty;
		it->lines[0].shipped = shipped;
		it->n_lines = 1;
	}
}

static size_t count(const recon_diff *d, size_t n, recon_kind k)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += d[i].kind == k;
	return c;
}

static void test_each_kind(void **state)
{
	fulfillment f[3];
	recon_ful rf[3];
	recon_item it[3];
	recon_diff *d = NULL;
	size_t n = 0, matched = 0, i;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	ful(&f[0], "ful_1", "ord_1", FULFILLMENT_RELEASED, 1, &fl_a, 1);
	ful(&f[1], "ful_2", "ord_2", FULFILLMENT_ACCEPTED, 2, &fl_a, 1);
	ful(&f[2], "ful_3", "ord_3", FULFILLMENT_SHIPPED, 3, &fl_b, 1);
	for (i = 0; i < 3; i++) {
		rf[i].f = &f[i];
		rf[i].order_external_id = "";
	}
	/* ful_1 agrees (accepted counts as released); ful_3 is shipped
	 * but said released, with B 1 of 1 shipped; ful_9 unknown; ful_2
	 * unnamed. */
	item(&it[0], "ful_1", "", FULFILLMENT_ACCEPTED, "A", 2, -1);
	item(&it[1], "ful_3", "", FULFILLMENT_RELEASED, "B", 1, 0);
	item(&it[2], "ful_9", "", FULFILLMENT_RELEASED, "A", 1, -1);
	assert_int_equal(reconcile(it, 3, rf, 3, &d, &n, &matched, &err),
			 ORDO_OK);
	assert_int_equal(matched, 1);
	assert_int_equal(count(d, n, RECON_STATUS_MISMATCH), 1);
	assert_int_equal(count(d, n, RECON_QUANTITY_MISMATCH), 1);
	assert_int_equal(count(d, n, RECON_UNKNOWN_TO_ORDO), 1);
	assert_int_equal(count(d, n, RECON_UNKNOWN_TO_WAREHOUSE), 1);
	for (i = 0; i < n; i++)
		if (d[i].kind == RECON_UNKNOWN_TO_WAREHOUSE)
			assert_string_equal(d[i].order_id, "ord_2");
	free(d);
}

/* By order: its open fulfillment before a newer finished one; a SKU
 * the warehouse lacks, or has besides, is a quantity mismatch. */
static void test_by_order_and_skus_both_ways(void **state)
{
	fulfillment f[2];
	recon_ful rf[2];
	recon_item it;
	recon_diff *d = NULL;
	size_t n = 0, matched = 0;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	ful(&f[0], "ful_old", "ord_1", FULFILLMENT_RELEASED, 1, &fl_a, 1);
	ful(&f[1], "ful_new", "ord_1", FULFILLMENT_CANCELLED, 9, &fl_a, 1);
	rf[0].f = &f[0];
	rf[1].f = &f[1];
	rf[0].order_external_id = rf[1].order_external_id = "";
	item(&it, "", "ord_1", FULFILLMENT_RELEASED, "Z", 1, -1);
	assert_int_equal(reconcile(&it, 1, rf, 2, &d, &n, &matched, &err),
			 ORDO_OK);
	assert_int_equal(matched, 0);
	assert_int_equal(n, 2); /* A missing, Z besides */
	assert_string_equal(d[0].fulfillment_id, "ful_old");
	assert_int_equal(count(d, n, RECON_QUANTITY_MISMATCH), 2);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_kind),
		cmocka_unit_test(test_by_order_and_skus_both_ways),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
