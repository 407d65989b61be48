/*
 * test_catalog.c - the catalog: SKUs, locations (and what each serves),
 * stock levels, the stock rows written whole, and their history of events.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup() in fixture.c, on the backend chosen by the
 * environment (see fixture.h). Writes go through store_write / store_submit
 * exactly as the app layer does, so every test also exercises the
 * committer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- catalog ------------------------------------------------------------- */

struct stock_args {
	const char *location;
	const char *sku;
	int64_t on_hand;
	stock_level level;
};

static ordo_code w_stock_set(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct stock_args *a = w->p;

	return store_stock_set(tx, w->tenant, a->location, a->sku, a->on_hand,
			       1700000100, &a->level, err);
}

static void test_skus(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {"B-2", "A-1", "E-5", "C-3", "D-4"};
	catalog_sku s, *page = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	for (i = 0; i < 5; i++) {
		sku_make(&s, names[i], "Thing", 100 + (int64_t)i);
		assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);
	}
	/* Put again: replaces. */
	sku_make(&s, "C-3", "Renamed", 777);
	s.active = false;
	s.updated_at = 1700009999;
	assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_sku_get(tx, f->ta, "C-3", &s, &err), ORDO_OK);
	assert_string_equal(s.sku, "C-3");
	assert_string_equal(s.title, "Renamed");
	assert_int_equal(s.unit_price, 777);
	assert_string_equal(s.currency, "USD");
	assert_false(s.active);
	assert_int_equal(s.updated_at, 1700009999);
	assert_int_equal(store_sku_get(tx, f->ta, "Z-9", &s, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	assert_int_equal(store_sku_get(tx, f->tb, "C-3", &s, &err),
			 ORDO_ENOTFOUND);

	assert_int_equal(store_sku_list(tx, f->ta, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].sku, "A-1");
	assert_string_equal(page[1].sku, "B-2");
	assert_int_equal(page[1].unit_price, 100);
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "B-2", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].sku, "C-3");
	assert_string_equal(page[1].sku, "D-4");
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "D-4", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(page[0].sku, "E-5");
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "E-5", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	assert_int_equal(store_sku_list(tx, f->tb, "", 50, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "", 0, &page, &n, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

static void test_locations(void **state)
{
	struct fx *f = *state;
	catalog_location l, want, *page = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	location_make(&l, "WH2", 2);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH1", 1);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH3", 3);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&want, "WH1", 5);
	want.active = false;
	assert_int_equal(wr(f, f->ta, w_location_put, &want, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &l, &err),
			 ORDO_OK);
	assert_string_equal(l.code, "WH1");
	assert_string_equal(l.name, want.name);
	address_equal(&l.address, &want.address);
	assert_int_equal(l.priority, 5);
	assert_false(l.active);
	assert_int_equal(l.updated_at, want.updated_at);
	assert_int_equal(store_location_get(tx, f->ta, "NOPE", &l, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	assert_int_equal(store_location_get(tx, f->tb, "WH1", &l, &err),
			 ORDO_ENOTFOUND);

	assert_int_equal(store_location_list(tx, f->ta, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].code, "WH1");
	assert_string_equal(page[1].code, "WH2");
	free(page);
	assert_int_equal(
		store_location_list(tx, f->ta, "WH2", 2, &page, &n, &err),
		ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(page[0].code, "WH3");
	location_make(&want, "WH3", 3);
	address_equal(&page[0].address, &want.address);
	assert_int_equal(page[0].priority, 3);
	assert_true(page[0].active);
	free(page);
	assert_int_equal(store_location_list(tx, f->tb, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	store_read_end(tx);
}

static void test_stock(void **state)
{
	struct fx *f = *state;
	struct stock_args a = {.location = "WH1", .sku = "A-1", .on_hand = 7};
	catalog_location l;
	catalog_sku s;
	stock_level lv;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	location_make(&l, "WH1", 1);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	sku_make(&s, "A-1", "Thing", 100);
	assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);
	/* Tenant B knows neither. */
	assert_int_equal(wr(f, f->tb, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");

	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_OK);
	assert_string_equal(a.level.location, "WH1");
	assert_string_equal(a.level.sku, "A-1");
	assert_int_equal(a.level.on_hand, 7);
	assert_int_equal(a.level.reserved, 0);
	assert_int_equal(a.level.safety_stock, 0);
	assert_int_equal(a.level.updated_at, 1700000100);
	a.on_hand = 42;
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_OK);
	assert_int_equal(a.level.on_hand, 42);
	a.on_hand = -1;
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_EINVALID);

	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &lv, &err),
			 ORDO_OK);
	assert_int_equal(lv.on_hand, 42);
	assert_int_equal(lv.reserved, 0);
	assert_int_equal(store_stock_get(tx, f->tb, "WH1", "A-1", &lv, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "B-2", &lv, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/* ---- locations: what they serve ------------------------------------------ */

static void test_location_serves(void **state)
{
	struct fx *f = *state;
	catalog_location l, got, *page = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	location_make(&l, "WH1", 1);
	l.n_serves = 3;
	ordo_strlcpy(l.serves[0], "US", sizeof(l.serves[0]));
	ordo_strlcpy(l.serves[1], "CA-QC", sizeof(l.serves[1]));
	ordo_strlcpy(l.serves[2], "MX", sizeof(l.serves[2]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH2", 2);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.n_serves, 3);
	assert_string_equal(got.serves[0], "US");
	assert_string_equal(got.serves[1], "CA-QC");
	assert_string_equal(got.serves[2], "MX");
	assert_int_equal(store_location_list(tx, f->ta, "", 10, &page, &n,
					     &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].n_serves, 3);
	assert_int_equal(page[1].n_serves, 0);
	free(page);
	store_read_end(tx);

	/* Replacing the location replaces the list. */
	location_make(&l, "WH1", 1);
	l.n_serves = 1;
	ordo_strlcpy(l.serves[0], "DE", sizeof(l.serves[0]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.n_serves, 1);
	assert_string_equal(got.serves[0], "DE");
	store_read_end(tx);

	/* A code that cannot be stored as given is refused. */
	ordo_strlcpy(l.serves[0], "U,S", sizeof(l.serves[0]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "serves");
	l.serves[0][0] = '\0';
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
	l.n_serves = LOCATION_MAX_SERVES + 1;
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
}

/* ---- stock rows and history ---------------------------------------------- */

static ordo_code w_stock_event(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_stock_event_append(tx, w->tenant, w->p, err);
}

static void test_stock_put(void **state)
{
	struct fx *f = *state;
	struct stock_args sa = {.location = "WH1", .sku = "A-1", .on_hand = 3};
	stock_level lv, got, *rows = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	catalog_add(f, f->ta);
	level_make(&lv, "WH1", "A-1", 10, 4, 1);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &got, &err),
			 ORDO_OK);
	assert_memory_equal(&got, &lv, sizeof(got));
	store_read_end(tx);

	/* Replace the whole row. */
	level_make(&lv, "WH1", "A-1", 8, 8, 0);
	lv.updated_at = 1700000300;
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	/* stock_set keeps what is reserved: 3 < 8 reserved. */
	assert_int_equal(wr(f, f->ta, w_stock_set, &sa, &err),
			 ORDO_ECONFLICT);

	/* Impossible rows are refused and change nothing. */
	level_make(&lv, "WH1", "A-1", 10, 11, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "on_hand");
	level_make(&lv, "WH1", "A-1", -1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "on_hand");
	level_make(&lv, "WH1", "A-1", 5, -1, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	level_make(&lv, "WH1", "A-1", 5, 0, -2);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.on_hand, 8);
	assert_int_equal(got.reserved, 8);
	assert_int_equal(got.updated_at, 1700000300);
	store_read_end(tx);

	/* Unknown keys, also another tenant's. */
	level_make(&lv, "WH9", "A-1", 1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	level_make(&lv, "WH1", "Z-9", 1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	level_make(&lv, "WH1", "A-1", 1, 0, 0);
	assert_int_equal(wr(f, f->tb, w_stock_put, &lv, &err), ORDO_ENOTFOUND);

	/* Every location's row of one SKU, by location. */
	level_make(&lv, "WH2", "A-1", 5, 0, 2);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	level_make(&lv, "WH1", "B-2", 7, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_stock_of_sku(tx, f->ta, "A-1", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].location, "WH1");
	assert_int_equal(rows[0].on_hand, 8);
	assert_string_equal(rows[1].location, "WH2");
	assert_int_equal(rows[1].safety_stock, 2);
	free(rows);
	assert_int_equal(store_stock_of_sku(tx, f->tb, "A-1", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(rows);
	assert_int_equal(store_stock_of_sku(tx, f->ta, "Z-9", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(rows);
	store_read_end(tx);
}

static void stock_event_make(stock_event *ev, const char *location,
			     const char *sku, int i)
{
	memset(ev, 0, sizeof(*ev));
	ordo_strlcpy(ev->location, location, sizeof(ev->location));
	ordo_strlcpy(ev->sku, sku, sizeof(ev->sku));
	ordo_strlcpy(ev->type, i % 2 ? "reserve" : "count", sizeof(ev->type));
	ev->delta_on_hand = i % 2 ? 0 : 10 + i;
	ev->delta_reserved = i % 2 ? 2 : 0;
	ev->on_hand = 100 + i;
	ev->reserved = i;
	snprintf(ev->reason, sizeof(ev->reason), "reason-%d", i);
	snprintf(ev->note, sizeof(ev->note), "note %d", i);
	ordo_strlcpy(ev->actor, "key:ops", sizeof(ev->actor));
	if (i % 2)
		snprintf(ev->order_id, sizeof(ev->order_id), "ord_%d", i);
	ev->at = 1700000000 + i;
}

static void test_stock_events(void **state)
{
	struct fx *f = *state;
	stock_event ev, want[6], *page = NULL;
	int64_t seqs[6], next = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	/* events 0..5 alternating WH1, WH2; one of B-2, one of B's. */
	for (i = 0; i < 6; i++) {
		stock_event_make(&want[i], i % 2 ? "WH2" : "WH1", "A-1", i);
		ev = want[i];
		assert_int_equal(wr(f, f->ta, w_stock_event, &ev, &err),
				 ORDO_OK);
	}
	/* Their seqs as the history reads them: rising as appended. */
	tx = rd(f);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 6,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 6);
	for (i = 0; i < 6; i++) {
		seqs[i] = page[5 - i].seq;
		want[i].seq = seqs[i];
		assert_true(i == 0 || seqs[i] > seqs[i - 1]);
	}
	free(page);
	page = NULL;
	store_read_end(tx);
	stock_event_make(&ev, "WH1", "B-2", 9);
	assert_int_equal(wr(f, f->ta, w_stock_event, &ev, &err), ORDO_OK);
	stock_event_make(&ev, "WH1", "A-1", 9);
	assert_int_equal(wr(f, f->tb, w_stock_event, &ev, &err), ORDO_OK);

	tx = rd(f);
	/* Newest first, pages of 4 then 2. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 4,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(&page[0], &want[5], sizeof(page[0]));
	assert_memory_equal(&page[3], &want[2], sizeof(page[0]));
	assert_int_equal(next, seqs[2]);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", next, 4,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].seq, seqs[1]);
	assert_int_equal(page[1].seq, seqs[0]);
	assert_memory_equal(&page[1], &want[0], sizeof(page[0]));
	assert_int_equal(next, 0);
	free(page);
	/* An exact page says no more. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 6,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 6);
	assert_int_equal(next, 0);
	free(page);
	/* One location. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "WH2", 0, 2,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].seq, seqs[5]);
	assert_int_equal(page[1].seq, seqs[3]);
	assert_int_equal(next, seqs[3]);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "WH2", next,
						2, &page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_int_equal(page[0].seq, seqs[1]);
	assert_int_equal(next, 0);
	free(page);
	/* Tenant B sees its one event; a bad limit is refused. */
	assert_int_equal(store_stock_event_list(tx, f->tb, "A-1", "", 0, 50,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 0,
						&page, &n, &next, &err),
			 ORDO_EINVALID);
	assert_null(page);
	store_read_end(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_skus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_location_serves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock_put, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock_events, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
