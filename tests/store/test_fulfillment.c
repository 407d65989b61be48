/*
 * test_fulfillment.c - fulfillments and shipments: writing, reading and
 * listing them, and the order lines they move.
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
#include "store/sql_int.h" /* SQL_ROWS_MAX */

/* ---- fulfillments -------------------------------------------------------- */

struct ful_args {
	fulfillment *ful;
	bool update;
};

static ordo_code w_ful(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct ful_args *a = w->p;

	if (a->update)
		return store_fulfillment_update(tx, w->tenant, a->ful, err);
	return store_fulfillment_insert(tx, w->tenant, a->ful, err);
}

static ordo_code ful_write(struct fx *f, int64_t tenant, fulfillment *ful,
			   bool update, ordo_err *err)
{
	struct ful_args a = {ful, update};

	return wr(f, tenant, w_ful, &a, err);
}

/* A fulfillment with n lines (line_no 1.., quantity 3, none shipped). */
static void ful_make(fulfillment *ful, const char *id, const char *order_id,
		     const char *location, fulfillment_state st, size_t n)
{
	size_t i;

	memset(ful, 0, sizeof(*ful));
	ordo_strlcpy(ful->id, id, sizeof(ful->id));
	ordo_strlcpy(ful->order_id, order_id, sizeof(ful->order_id));
	ordo_strlcpy(ful->location, location, sizeof(ful->location));
	ful->state = st;
	ful->created_at = 1700003000;
	ful->updated_at = 1700003001;
	ful->n_lines = n;
	ful->lines = calloc(n ? n : 1, sizeof(*ful->lines));
	assert_non_null(ful->lines);
	for (i = 0; i < n; i++) {
		ful->lines[i].line_no = (int)i + 1;
		snprintf(ful->lines[i].sku, sizeof(ful->lines[i].sku),
			 "SKU-%zu", i + 1);
		ful->lines[i].quantity = 3;
	}
}

static void ful_add(struct fx *f, int64_t tenant, const char *id,
		    const char *order_id, const char *location,
		    fulfillment_state st, size_t n)
{
	fulfillment ful;
	ordo_err err = ORDO_ERR_INIT;

	ful_make(&ful, id, order_id, location, st, n);
	assert_int_equal(ful_write(f, tenant, &ful, false, &err), ORDO_OK);
	fulfillment_free(&ful);
}

static ordo_code ful_list(struct fx *f, int64_t tenant,
			  const fulfillment_filter *flt, fulfillment **out,
			  size_t *n, int64_t *next)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_fulfillment_list(tx, tenant, flt, out, n, next, &err);
	store_read_end(tx);
	return rc;
}

static void fuls_free(fulfillment *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fulfillment_free(&items[i]);
	free(items);
}

/* Tenant A: WH1, WH2 and orders ord_f1 (2 lines), ord_f2. */
static void ful_fixture(struct fx *f)
{
	catalog_add(f, f->ta);
	order_add(f, f->ta, "ord_f1", "web", "F1", 1700001000,
		  ORDER_ALLOCATED);
	order_add(f, f->ta, "ord_f2", "web", "F2", 1700001000,
		  ORDER_ALLOCATED);
}

/* Lines enough for two full statements and part of a third (sql_int.h,
 * ROWS IN ONE STATEMENT). */
#define FUL_MANY (2 * SQL_ROWS_MAX + 1)

/* The lines of a fulfillment of many are stored, rewritten and read back
 * in their order; one with a line twice is refused and not written. */
static void test_a_fulfillment_of_many_lines(void **state)
{
	struct fx *f = *state;
	fulfillment ful, got;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	size_t i, pass;

	ful_fixture(f);
	ful_make(&ful, "ful_many", "ord_f1", "WH1", FULFILLMENT_RELEASED,
		 FUL_MANY);
	for (pass = 0; pass < 2; pass++) {
		/* Then rewritten: each line partly shipped. */
		for (i = 0; pass && i < FUL_MANY; i++)
			ful.lines[i].shipped = (int64_t)(i % 4);
		assert_int_equal(ful_write(f, f->ta, &ful, pass == 1, &err),
				 ORDO_OK);
		memset(&got, 0, sizeof(got));
		tx = rd(f);
		assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_many",
						       &got, &err),
				 ORDO_OK);
		store_read_end(tx);
		assert_int_equal(got.n_lines, FUL_MANY);
		for (i = 0; i < FUL_MANY; i++) {
			char sku[16];

			snprintf(sku, sizeof(sku), "SKU-%zu", i + 1);
			assert_int_equal(got.lines[i].line_no, (int)i + 1);
			assert_string_equal(got.lines[i].sku, sku);
			assert_int_equal(got.lines[i].quantity, 3);
			assert_int_equal(got.lines[i].shipped,
					 pass ? (int64_t)(i % 4) : 0);
		}
		fulfillment_free(&got);
	}
	fulfillment_free(&ful);

	/* Line 2 twice: one statement may not write a row twice, and a
	 * fulfillment has each line once. */
	ful_make(&ful, "ful_twice", "ord_f2", "WH1", FULFILLMENT_RELEASED,
		 FUL_MANY);
	ful.lines[FUL_MANY - 1].line_no = 2;
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_EINTERNAL);
	assert_string_equal(err.field, "line_no");
	fulfillment_free(&ful);
	memset(&got, 0, sizeof(got));
	tx = rd(f);
	assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_twice", &got,
					       &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

static void test_fulfillments(void **state)
{
	struct fx *f = *state;
	fulfillment ful, got, *items = NULL;
	fulfillment_filter flt;
	size_t n = 0;
	int64_t next = -1, seq2;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	ful_fixture(f);
	catalog_add(f, f->tb);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_PENDING, 1);
	ful_add(f, f->ta, "ful_2", "ord_f1", "WH2", FULFILLMENT_ACCEPTED, 2);
	ful_add(f, f->ta, "ful_3", "ord_f2", "WH1", FULFILLMENT_RELEASED, 1);

	/* Refused: a taken id, an unknown order or location, another
	 * tenant's order. */
	ful_make(&ful, "ful_1", "ord_f2", "WH1", FULFILLMENT_PENDING, 1);
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	ordo_strlcpy(ful.id, "ful_x", sizeof(ful.id));
	ordo_strlcpy(ful.order_id, "ord_nope", sizeof(ful.order_id));
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(ful.order_id, "ord_f2", sizeof(ful.order_id));
	ordo_strlcpy(ful.location, "WH9", sizeof(ful.location));
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
	assert_int_equal(ful_write(f, f->tb, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	fulfillment_free(&ful);

	/* Read back. */
	memset(&got, 0, sizeof(got));
	tx = rd(f);
	assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_2", &got, &err),
			 ORDO_OK);
	assert_true(got.seq > 0);
	assert_string_equal(got.id, "ful_2");
	assert_string_equal(got.order_id, "ord_f1");
	assert_string_equal(got.location, "WH2");
	assert_int_equal(got.state, FULFILLMENT_ACCEPTED);
	assert_int_equal(got.created_at, 1700003000);
	assert_int_equal(got.updated_at, 1700003001);
	assert_int_equal(got.released_at, 0);
	assert_int_equal(got.n_lines, 2);
	assert_int_equal(got.lines[1].line_no, 2);
	assert_string_equal(got.lines[1].sku, "SKU-2");
	assert_int_equal(got.lines[1].quantity, 3);
	assert_int_equal(got.lines[1].shipped, 0);
	seq2 = got.seq;
	assert_int_equal(store_fulfillment_get(tx, f->tb, "ful_2", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(got.n_lines, 0);
	store_read_end(tx);

	/* Update: released, one line partly shipped, a line added. */
	ful_make(&ful, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful.released_at = 1700004000;
	ful.updated_at = 1700004001;
	ful.lines[0].shipped = 2;
	ful.lines[1].line_no = 2;
	ful.lines[1].quantity = 4;
	ful.lines[1].shipped = 4;
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err), ORDO_OK);
	/* Then rejected, with a reason. */
	ful.state = FULFILLMENT_REJECTED;
	ordo_strlcpy(ful.reject_reason, "out_of_stock",
		     sizeof(ful.reject_reason));
	ordo_strlcpy(ful.reject_message, "shelf empty",
		     sizeof(ful.reject_message));
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err), ORDO_OK);
	/* Refused: another tenant's, unknown, more shipped than allocated. */
	assert_int_equal(ful_write(f, f->tb, &ful, true, &err),
			 ORDO_ENOTFOUND);
	ful.lines[0].shipped = 4;
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err),
			 ORDO_EINTERNAL);
	ful.lines[0].shipped = 2;
	ordo_strlcpy(ful.id, "ful_nope", sizeof(ful.id));
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	fulfillment_free(&ful);

	tx = rd(f);
	assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_1", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, FULFILLMENT_REJECTED);
	assert_string_equal(got.reject_reason, "out_of_stock");
	assert_string_equal(got.reject_message, "shelf empty");
	assert_int_equal(got.released_at, 1700004000);
	assert_int_equal(got.created_at, 1700003000);
	assert_int_equal(got.n_lines, 2);
	assert_int_equal(got.lines[0].shipped, 2);
	assert_int_equal(got.lines[1].quantity, 4);
	assert_int_equal(got.lines[1].shipped, 4);
	assert_int_equal(fulfillment_unshipped(&got), 1);
	fulfillment_free(&got);

	/* An order's fulfillments, oldest first. */
	tx = rd(f);
	assert_int_equal(store_fulfillments_of_order(tx, f->ta, "ord_f1",
						     &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_1");
	assert_string_equal(items[1].id, "ful_2");
	assert_int_equal(items[1].n_lines, 2);
	fuls_free(items, n);
	assert_int_equal(store_fulfillments_of_order(tx, f->tb, "ord_f1",
						     &items, &n, &err),
			 ORDO_ENOTFOUND);
	assert_null(items);
	store_read_end(tx);

	/* The list: newest first, paged. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 2;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_3");
	assert_string_equal(items[1].id, "ful_2");
	assert_int_equal(items[1].n_lines, 2);
	assert_int_equal(next, seq2);
	fuls_free(items, n);
	flt.before_seq = next;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_1");
	assert_int_equal(next, 0);
	fuls_free(items, n);
	/* By location, by state, by both. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_3");
	assert_string_equal(items[1].id, "ful_1");
	fuls_free(items, n);
	flt.has_state = true;
	flt.state = FULFILLMENT_RELEASED;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_3");
	fuls_free(items, n);
	flt.location[0] = '\0';
	flt.state = FULFILLMENT_ACCEPTED;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_2");
	fuls_free(items, n);
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 0);
	fuls_free(items, n);
	/* Tenant B has none; bad limits are refused. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	assert_int_equal(ful_list(f, f->tb, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 0);
	fuls_free(items, n);
	flt.limit = 0;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next),
			 ORDO_EINVALID);
	flt.limit = STORE_LIST_MAX + 1;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next),
			 ORDO_EINVALID);
}

/* ---- shipments ----------------------------------------------------------- */

static ordo_code w_ship_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_ship_delivered(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_set_delivered(tx, w->tenant, w->p, 1700009000,
					    err);
}

static void ship_make(shipment *s, const char *id, const char *ful,
		      const char *order_id, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	ordo_strlcpy(s->id, id, sizeof(s->id));
	ordo_strlcpy(s->fulfillment_id, ful, sizeof(s->fulfillment_id));
	ordo_strlcpy(s->order_id, order_id, sizeof(s->order_id));
	ordo_strlcpy(s->carrier, "ups", sizeof(s->carrier));
	snprintf(s->tracking_number, sizeof(s->tracking_number), "1Z-%s", id);
	s->shipped_at = 1700005000;
	s->n_lines = n;
	s->lines = calloc(n ? n : 1, sizeof(*s->lines));
	assert_non_null(s->lines);
	for (i = 0; i < n; i++) {
		snprintf(s->lines[i].sku, sizeof(s->lines[i].sku), "SKU-%zu",
			 i + 1);
		s->lines[i].quantity = (int64_t)i + 1;
	}
}

static void test_shipments(void **state)
{
	struct fx *f = *state;
	shipment s, got, *items = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	ful_fixture(f);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful_add(f, f->ta, "ful_2", "ord_f2", "WH1", FULFILLMENT_RELEASED, 1);

	ship_make(&s, "shp_1", "ful_1", "ord_f1", 2);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	shipment_free(&s);
	/* The order may be left out: it is the fulfillment's. */
	ship_make(&s, "shp_2", "ful_1", "", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	/* Refused: a fulfillment of another order, an unknown one, another
	 * tenant's. */
	ship_make(&s, "shp_3", "ful_2", "ord_f1", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(s.fulfillment_id, "ful_nope", sizeof(s.fulfillment_id));
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "fulfillment_id");
	ordo_strlcpy(s.fulfillment_id, "ful_1", sizeof(s.fulfillment_id));
	assert_int_equal(wr(f, f->tb, w_ship_insert, &s, &err),
			 ORDO_ENOTFOUND);
	shipment_free(&s);

	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_1", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_string_equal(got.id, "shp_1");
	assert_string_equal(got.fulfillment_id, "ful_1");
	assert_string_equal(got.order_id, "ord_f1");
	assert_string_equal(got.carrier, "ups");
	assert_string_equal(got.tracking_number, "1Z-shp_1");
	assert_int_equal(got.shipped_at, 1700005000);
	assert_int_equal(got.delivered_at, 0);
	assert_int_equal(got.n_lines, 2);
	for (i = 0; i < 2; i++) {
		char want[16];

		snprintf(want, sizeof(want), "SKU-%zu", i + 1);
		assert_string_equal(got.lines[i].sku, want);
		assert_int_equal(got.lines[i].quantity, (int64_t)i + 1);
	}
	shipment_free(&got);

	assert_int_equal(wr(f, f->ta, w_ship_delivered, "shp_1", &err),
			 ORDO_OK);
	assert_int_equal(wr(f, f->tb, w_ship_delivered, "shp_1", &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(wr(f, f->ta, w_ship_delivered, "shp_nope", &err),
			 ORDO_ENOTFOUND);

	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.delivered_at, 1700009000);
	shipment_free(&got);
	assert_int_equal(store_shipment_get(tx, f->tb, "shp_1", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_shipments_of_order(tx, f->ta, "ord_f1", &items,
						  &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "shp_1");
	assert_int_equal(items[0].n_lines, 2);
	assert_string_equal(items[1].id, "shp_2");
	assert_string_equal(items[1].order_id, "ord_f1");
	assert_int_equal(items[1].n_lines, 1);
	for (i = 0; i < n; i++)
		shipment_free(&items[i]);
	free(items);
	assert_int_equal(store_shipments_of_order(tx, f->ta, "ord_f2", &items,
						  &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(store_shipments_of_order(tx, f->tb, "ord_f1", &items,
						  &n, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/* The ids a shipment list answers, comma-separated, into out; *next. */
static void ship_listed(struct fx *f, int64_t tenant,
			const shipment_filter *flt, char *out, size_t size,
			int64_t *next)
{
	store_tx *tx = rd(f);
	shipment *items = NULL;
	size_t n = 0, i, len = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_shipment_list(tx, tenant, flt, &items, &n, next,
					     &err),
			 ORDO_OK);
	store_read_end(tx);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(out + len, size - len, "%s%s", i ? "," : "",
			 items[i].id);
		len = strlen(out);
		shipment_free(&items[i]);
	}
	free(items);
}

static void test_shipment_list(void **state)
{
	struct fx *f = *state;
	shipment_filter flt;
	shipment s;
	int64_t next = 0;
	char got[256];
	ordo_err err = ORDO_ERR_INIT;
	store_tx *tx;

	ful_fixture(f);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful_add(f, f->ta, "ful_2", "ord_f2", "WH2", FULFILLMENT_RELEASED, 1);
	ship_make(&s, "shp_a", "ful_1", "ord_f1", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	ship_make(&s, "shp_b", "ful_2", "ord_f2", 1);
	ordo_strlcpy(s.carrier, "fedex", sizeof(s.carrier));
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	ship_make(&s, "shp_c", "ful_1", "ord_f1", 2);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);

	/* The location is the fulfillment's, stored with the shipment. */
	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_b", &s, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_string_equal(s.location, "WH2");
	shipment_free(&s);

	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_b,shp_a");
	assert_int_equal(next, 0);
	/* Pages of one, newest first, with a cursor. */
	flt.limit = 1;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c");
	assert_true(next > 0);
	flt.before_seq = next;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	flt.before_seq = next;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_a");
	assert_int_equal(next, 0);

	/* Each filter, and together. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.order_id, "ord_f1", sizeof(flt.order_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_a");
	ordo_strlcpy(flt.tracking_number, "1Z-shp_a",
		     sizeof(flt.tracking_number));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_a");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.fulfillment_id, "ful_2", sizeof(flt.fulfillment_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_a");
	ordo_strlcpy(flt.carrier, "fedex", sizeof(flt.carrier));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.carrier, "fedex", sizeof(flt.carrier));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	ordo_strlcpy(flt.order_id, "ord_nope", sizeof(flt.order_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");

	/* Another tenant sees none, even by the order's id. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ship_listed(f, f->tb, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
	ordo_strlcpy(flt.order_id, "ord_f1", sizeof(flt.order_id));
	ship_listed(f, f->tb, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_a_fulfillment_of_many_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fulfillments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shipments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shipment_list, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
