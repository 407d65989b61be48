/*
 * test_order_page.c - a page of the order list reads its orders' children
 * (lines, holds, fulfillments and their lines, shipments and their lines,
 * defects) in a fixed number of statements, whatever the page's size: the
 * count of statements a page of 1 and a page of 50 run is the same, what
 * the page holds is what the per-order reads give, another tenant's rows
 * never join it, and each of the page's statements is served by an index
 * on both backends. The fulfillment and shipment lists read their lines
 * so too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* Orders made for the page tests. */
#define PAGE_ORDERS 50

static ordo_code w_ful_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_fulfillment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_ship_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_defect_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_defect_insert(tx, w->tenant, w->p, err);
}

/*
 * Order k of the tenant: 1 to 3 lines, a hold on every other one, a
 * fulfillment of two lines on two of three, a shipment of the fulfillment
 * on one of three and a defect on one of four - so that orders of a page
 * differ in what they have, and some have none of each.
 */
static void order_family_add(struct fx *f, int64_t tenant, int k)
{
	char id[32], ext[32], ful_id[32], ship_id[32], dfc_id[32];
	ordo_err err = ORDO_ERR_INIT;
	order o;

	snprintf(id, sizeof(id), "ord_p%lld_%d", (long long)tenant, k);
	snprintf(ext, sizeof(ext), "X%d", k);
	order_make(&o, tenant, id, "web", ext, 1700000000 + k, ORDER_ACCEPTED,
		   (size_t)(1 + k % 3));
	if (k % 2) {
		order_hold h;

		snprintf(ful_id, sizeof(ful_id), "hld_p%lld_%d",
			 (long long)tenant, k);
		hold_make(&h, ful_id, HOLD_HIGH_VALUE, HOLD_OPEN);
		assert_non_null(order_hold_add(&o, &h));
	}
	order_put(f, &o);
	order_free(&o);

	snprintf(ful_id, sizeof(ful_id), "ful_p%lld_%d", (long long)tenant, k);
	if (k % 3 != 0) {
		fulfillment ful;
		fulfillment_line lines[2];
		int i;

		memset(&ful, 0, sizeof(ful));
		memset(lines, 0, sizeof(lines));
		ordo_strlcpy(ful.id, ful_id, sizeof(ful.id));
		ordo_strlcpy(ful.order_id, id, sizeof(ful.order_id));
		ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
		ful.state = FULFILLMENT_RELEASED;
		ful.created_at = 1700003000 + k;
		ful.updated_at = 1700003001 + k;
		for (i = 0; i < 2; i++) {
			lines[i].line_no = i + 1;
			snprintf(lines[i].sku, sizeof(lines[i].sku), "SKU-%d",
				 i + 1);
			lines[i].quantity = 3 + k;
			lines[i].shipped = i;
		}
		ful.lines = lines;
		ful.n_lines = 2;
		assert_int_equal(wr(f, tenant, w_ful_insert, &ful, &err),
				 ORDO_OK);
	}
	if (k % 3 == 1) {
		shipment s;
		shipment_line sl = {.quantity = 1};

		memset(&s, 0, sizeof(s));
		snprintf(ship_id, sizeof(ship_id), "shp_p%lld_%d",
			 (long long)tenant, k);
		ordo_strlcpy(s.id, ship_id, sizeof(s.id));
		ordo_strlcpy(s.fulfillment_id, ful_id, sizeof(s.fulfillment_id));
		ordo_strlcpy(s.order_id, id, sizeof(s.order_id));
		ordo_strlcpy(s.carrier, "ups", sizeof(s.carrier));
		snprintf(s.tracking_number, sizeof(s.tracking_number), "1Z-%d",
			 k);
		s.shipped_at = 1700005000 + k;
		ordo_strlcpy(sl.sku, "SKU-2", sizeof(sl.sku));
		s.lines = &sl;
		s.n_lines = 1;
		assert_int_equal(wr(f, tenant, w_ship_insert, &s, &err),
				 ORDO_OK);
	}
	if (k % 4 == 0) {
		order_defect d;

		memset(&d, 0, sizeof(d));
		snprintf(dfc_id, sizeof(dfc_id), "dfc_p%lld_%d",
			 (long long)tenant, k);
		ordo_strlcpy(d.id, dfc_id, sizeof(d.id));
		ordo_strlcpy(d.order_id, id, sizeof(d.order_id));
		ordo_strlcpy(d.type, "wrong_item", sizeof(d.type));
		ordo_strlcpy(d.found_by, "Warehouse East", sizeof(d.found_by));
		ordo_strlcpy(d.reported_by, "key:ops", sizeof(d.reported_by));
		d.created_at = 1700006000 + k;
		assert_int_equal(wr(f, tenant, w_defect_insert, &d, &err),
				 ORDO_OK);
	}
}

/* Both tenants get PAGE_ORDERS orders, interleaved, so that tenant A's
 * page spans tenant B's rows. */
static void families_add(struct fx *f)
{
	int k;

	catalog_add(f, f->ta);
	catalog_add(f, f->tb);
	for (k = 0; k < PAGE_ORDERS; k++) {
		order_family_add(f, f->ta, k);
		order_family_add(f, f->tb, k);
	}
}

/* The newest `limit` orders of tenant A, with everything the order list
 * shows; returns the statements it took. */
static int64_t page_read(struct fx *f, store_tx *tx, int limit,
			 order_page *page)
{
	order_filter flt;
	ordo_err err = ORDO_ERR_INIT;
	int64_t before = store_tx_statements(tx);

	memset(&flt, 0, sizeof(flt));
	flt.limit = limit;
	assert_int_equal(store_order_list(tx, f->ta, &flt, page, &err),
			 ORDO_OK);
	assert_int_equal(store_order_page_fulfillment(tx, f->ta, page, &err),
			 ORDO_OK);
	return store_tx_statements(tx) - before;
}

static void test_page_statements_are_fixed(void **state)
{
	struct fx *f = *state;
	order_page one, all;
	store_tx *tx;
	int64_t n_one, n_all;

	families_add(f);
	tx = rd(f);
	n_one = page_read(f, tx, 1, &one);
	n_all = page_read(f, tx, PAGE_ORDERS, &all);
	assert_int_equal(one.n, 1);
	assert_int_equal(all.n, PAGE_ORDERS);
	/* The orders, their lines and holds, fulfillments and their lines,
	 * shipments and their lines, defects. */
	assert_int_equal(n_one, 8);
	assert_int_equal(n_all, n_one);
	order_page_free(&one);
	order_page_free(&all);
	store_read_end(tx);
}

/*
 * The fulfillment and shipment lists read their items' lines in one
 * statement, whatever the page's size, and each item's lines are what
 * reading it alone gives.
 */
static void test_list_lines_are_read_at_once(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	fulfillment_filter ff;
	shipment_filter sf;
	fulfillment *fuls = NULL, one;
	shipment *ships = NULL, alone;
	size_t n, i;
	int64_t next, before, per_page[2];
	int k;
	store_tx *tx;

	memset(&one, 0, sizeof(one));
	families_add(f);
	tx = rd(f);
	for (k = 0; k < 2; k++) {
		memset(&ff, 0, sizeof(ff));
		ff.limit = k ? PAGE_ORDERS : 1;
		before = store_tx_statements(tx);
		assert_int_equal(store_fulfillment_list(tx, f->ta, &ff, &fuls,
							&n, &next, &err),
				 ORDO_OK);
		per_page[k] = store_tx_statements(tx) - before;
		assert_int_equal(n, k ? PAGE_ORDERS * 2 / 3 : 1);
		for (i = 0; i < n; i++) {
			assert_int_equal(store_fulfillment_get(tx, f->ta,
							       fuls[i].id, &one,
							       &err),
					 ORDO_OK);
			assert_int_equal(fuls[i].n_lines, 2);
			assert_int_equal(one.n_lines, fuls[i].n_lines);
			assert_memory_equal(one.lines, fuls[i].lines,
					    one.n_lines * sizeof(*one.lines));
			fulfillment_free(&one);
			fulfillment_free(&fuls[i]);
		}
		free(fuls);
	}
	/* The fulfillments, then their lines. */
	assert_int_equal(per_page[0], 2);
	assert_int_equal(per_page[1], per_page[0]);

	for (k = 0; k < 2; k++) {
		memset(&sf, 0, sizeof(sf));
		sf.limit = k ? PAGE_ORDERS : 1;
		before = store_tx_statements(tx);
		assert_int_equal(store_shipment_list(tx, f->ta, &sf, &ships,
						     &n, &next, &err),
				 ORDO_OK);
		per_page[k] = store_tx_statements(tx) - before;
		assert_int_equal(n, k ? (PAGE_ORDERS + 1) / 3 : 1);
		for (i = 0; i < n; i++) {
			assert_int_equal(store_shipment_get(tx, f->ta,
							    ships[i].id, &alone,
							    &err),
					 ORDO_OK);
			assert_int_equal(ships[i].n_lines, 1);
			assert_int_equal(alone.n_lines, ships[i].n_lines);
			assert_memory_equal(alone.lines, ships[i].lines,
					    alone.n_lines *
						    sizeof(*alone.lines));
			shipment_free(&alone);
			shipment_free(&ships[i]);
		}
		free(ships);
	}
	assert_int_equal(per_page[0], 2);
	assert_int_equal(per_page[1], per_page[0]);
	store_read_end(tx);
}

/* An order's fulfillments past what one statement binds (ORDO_PAGE_MAX)
 * have their lines all the same, read ORDO_PAGE_MAX fulfillments at a
 * time. */
#define MANY_FULS (ORDO_PAGE_MAX + 5)

static void test_many_fulfillments_have_their_lines(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	fulfillment *fuls = NULL;
	fulfillment_line lines[2];
	size_t n, i;
	int64_t before;
	store_tx *tx;
	order o;
	int k;

	catalog_add(f, f->ta);
	order_make(&o, f->ta, "ord_many", "web", "MANY", 1700000000,
		   ORDER_ACCEPTED, 1);
	order_put(f, &o);
	order_free(&o);
	for (k = 0; k < MANY_FULS; k++) {
		fulfillment ful;

		memset(&ful, 0, sizeof(ful));
		memset(lines, 0, sizeof(lines));
		snprintf(ful.id, sizeof(ful.id), "ful_many_%d", k);
		ordo_strlcpy(ful.order_id, "ord_many", sizeof(ful.order_id));
		ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
		ful.state = FULFILLMENT_RELEASED;
		ful.created_at = 1700003000 + k;
		ful.updated_at = 1700003000 + k;
		for (i = 0; i < 2; i++) {
			lines[i].line_no = (int)i + 1;
			snprintf(lines[i].sku, sizeof(lines[i].sku), "SKU-%zu",
				 i + 1);
			lines[i].quantity = k + 1;
		}
		ful.lines = lines;
		ful.n_lines = (size_t)(1 + k % 2);
		assert_int_equal(wr(f, f->ta, w_ful_insert, &ful, &err),
				 ORDO_OK);
	}
	tx = rd(f);
	before = store_tx_statements(tx);
	assert_int_equal(store_fulfillments_of_order(tx, f->ta, "ord_many",
						     &fuls, &n, &err),
			 ORDO_OK);
	/* The order's seq, its fulfillments, then their lines in two. */
	assert_int_equal(store_tx_statements(tx) - before, 4);
	assert_int_equal(n, MANY_FULS);
	for (i = 0; i < n; i++) {
		char id[32];

		snprintf(id, sizeof(id), "ful_many_%zu", i);
		assert_string_equal(fuls[i].id, id);
		assert_int_equal(fuls[i].n_lines, 1 + i % 2);
		for (k = 0; k < (int)fuls[i].n_lines; k++) {
			assert_int_equal(fuls[i].lines[k].line_no, k + 1);
			assert_int_equal(fuls[i].lines[k].quantity,
					 (int64_t)i + 1);
		}
		fulfillment_free(&fuls[i]);
	}
	free(fuls);
	store_read_end(tx);
}

/* What the page holds of one order is what the per-order reads give. */
static void order_matches_reads(store_tx *tx, int64_t tenant, const order *p)
{
	order o;
	fulfillment *fuls = NULL;
	shipment *ships = NULL;
	order_defect *defects = NULL;
	size_t n_f = 0, n_s = 0, n_d = 0, i;
	ordo_err err = ORDO_ERR_INIT;

	order_init(&o);
	assert_int_equal(store_order_get(tx, tenant, p->id, &o, &err), ORDO_OK);
	assert_int_equal(p->n_lines, o.n_lines);
	assert_true(o.n_lines >= 1);
	assert_memory_equal(p->lines, o.lines, o.n_lines * sizeof(*o.lines));
	assert_int_equal(p->n_holds, o.n_holds);
	for (i = 0; i < o.n_holds; i++)
		hold_equal(&p->holds[i], &o.holds[i]);
	order_free(&o);

	assert_int_equal(store_fulfillments_of_order(tx, tenant, p->id, &fuls,
						     &n_f, &err),
			 ORDO_OK);
	assert_int_equal(p->n_fulfillments, n_f);
	for (i = 0; i < n_f; i++) {
		const fulfillment *a = &p->fulfillments[i], *b = &fuls[i];

		assert_string_equal(a->id, b->id);
		assert_string_equal(a->order_id, p->id);
		assert_int_equal(a->seq, b->seq);
		assert_int_equal(a->state, b->state);
		assert_int_equal(a->created_at, b->created_at);
		assert_int_equal(a->n_lines, 2);
		assert_int_equal(a->n_lines, b->n_lines);
		assert_memory_equal(a->lines, b->lines,
				    b->n_lines * sizeof(*b->lines));
		fulfillment_free(&fuls[i]);
	}
	free(fuls);

	assert_int_equal(store_shipments_of_order(tx, tenant, p->id, &ships,
						  &n_s, &err),
			 ORDO_OK);
	assert_int_equal(p->n_shipments, n_s);
	for (i = 0; i < n_s; i++) {
		const shipment *a = &p->shipments[i], *b = &ships[i];

		assert_string_equal(a->id, b->id);
		assert_string_equal(a->fulfillment_id, b->fulfillment_id);
		assert_string_equal(a->tracking_number, b->tracking_number);
		assert_int_equal(a->n_lines, 1);
		assert_int_equal(a->n_lines, b->n_lines);
		assert_memory_equal(a->lines, b->lines,
				    b->n_lines * sizeof(*b->lines));
		shipment_free(&ships[i]);
	}
	free(ships);

	assert_int_equal(store_defects_of_order(tx, tenant, p->id, &defects,
						&n_d, &err),
			 ORDO_OK);
	assert_int_equal(p->n_defects, n_d);
	for (i = 0; i < n_d; i++) {
		assert_string_equal(p->defects[i].id, defects[i].id);
		assert_string_equal(p->defects[i].order_id, p->id);
		assert_string_equal(p->defects[i].found_by,
				    defects[i].found_by);
		assert_int_equal(p->defects[i].created_at,
				 defects[i].created_at);
	}
	free(defects);
}

static void test_page_holds_what_orders_have(void **state)
{
	struct fx *f = *state;
	order_page page;
	store_tx *tx;
	size_t i, fuls = 0, ships = 0, defects = 0, holds = 0;

	families_add(f);
	tx = rd(f);
	(void)page_read(f, tx, PAGE_ORDERS, &page);
	assert_int_equal(page.n, PAGE_ORDERS);
	for (i = 0; i < page.n; i++) {
		const order *o = &page.orders[i];

		/* Newest first, and only tenant A's. */
		if (i > 0)
			assert_true(o->seq < page.orders[i - 1].seq);
		assert_non_null(strstr(o->id, "ord_p"));
		assert_int_equal(o->tenant_id, f->ta);
		order_matches_reads(tx, f->ta, o);
		holds += o->n_holds;
		fuls += o->n_fulfillments;
		ships += o->n_shipments;
		defects += o->n_defects;
	}
	/* Every kind of child is there, and none of tenant B's. */
	assert_int_equal(holds, PAGE_ORDERS / 2);
	assert_int_equal(fuls, 33);
	assert_int_equal(ships, 17);
	assert_int_equal(defects, 13);
	order_page_free(&page);
	store_read_end(tx);
}

/* An empty page reads no children at all. */
static void test_empty_page(void **state)
{
	struct fx *f = *state;
	order_page page;
	store_tx *tx = rd(f);
	int64_t n = page_read(f, tx, 10, &page);

	assert_int_equal(page.n, 0);
	assert_int_equal(n, 1);
	order_page_free(&page);
	store_read_end(tx);
}

/*
 * Each statement of a page is served by an index: the page's seqs probe
 * the children's indexes by order (never a scan of a table), on both
 * backends.
 */
static void test_page_statements_use_indexes(void **state)
{
	static const struct {
		const char *name;
		const char *index; /* one index the plan must name */
		bool tenant;	   /* binds the tenant first */
	} stmts[] = {
		{"page_lines", "order_lines", false},
		{"page_holds", "holds_order", false},
		{"page_fulfillments", "fulfillments_order", false},
		{"page_fulfillment_lines", "fulfillments_order", false},
		{"page_shipments", "shipments_order", false},
		{"page_shipment_lines", "shipments_order", false},
		{"page_defects", "defects_page", false},
	};
	struct fx *f = *state;
	char args[ORDO_PAGE_MAX * 4 + 16];
	size_t i;
	int k;

	families_add(f);
	for (i = 0; i < sizeof(stmts) / sizeof(stmts[0]); i++) {
		const char *sql = store_statement_sql(stmts[i].name);
		size_t used = 0;
		char *plan;

		assert_non_null(sql);
		args[0] = '\0';
		if (stmts[i].tenant)
			used += (size_t)snprintf(args, sizeof(args), "1, ");
		for (k = 0; k < ORDO_PAGE_MAX; k++)
			used += (size_t)snprintf(args + used,
						 sizeof(args) - used, "%s%d",
						 k ? ", " : "",
						 k < 3 ? k + 1 : 0);
		plan = test_explain(f, sql, args);
		if (!plan_keyed(plan, stmts[i].index)) {
			print_error("%s's plan:%s", stmts[i].name, plan);
			free(plan);
			fail();
		}
		free(plan);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_page_statements_are_fixed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_page_holds_what_orders_have, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_page, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_list_lines_are_read_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_many_fulfillments_have_their_lines, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_page_statements_use_indexes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
