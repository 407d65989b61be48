/*
 * test_history.c - what the store remembers: downstream defects, a
 * customer's order history, review handling times, and idempotency
 * records.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup() in fixture.c, on the backend chosen by the
 * environment (see fixture.h). Writes go through store_write / store_submit
 * exactly as the app layer does, so every test also exercises the
 * committer.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- idempotency --------------------------------------------------------- */

static void test_idempotency(void **state)
{
	struct fx *f = *state;
	store_idempotency rec, got;
	char body[] = "{\"id\":\"ord_1\",\"state\":\"accepted\"}";
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, "idem-1", sizeof(rec.key));
	memset(rec.request_hash, 'c', 64);
	rec.status = 201;
	rec.body = body;
	rec.created_at = 1700003000;
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_ECONFLICT);
	assert_string_equal(err.field, "key");
	/* Keys are per tenant. */
	assert_int_equal(wr(f, f->tb, w_idem_put, &rec, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_idempotency_get(tx, f->ta, "idem-1", &got, &err),
			 ORDO_OK);
	assert_string_equal(got.key, "idem-1");
	assert_string_equal(got.request_hash, rec.request_hash);
	assert_int_equal(got.status, 201);
	assert_non_null(got.body);
	assert_string_equal(got.body, body);
	assert_int_equal(got.created_at, 1700003000);
	store_idempotency_free(&got);
	assert_null(got.body);
	assert_int_equal(store_idempotency_get(tx, f->ta, "idem-2", &got, &err),
			 ORDO_ENOTFOUND);
	assert_null(got.body);
	store_read_end(tx);
}

/* A key stored with status 0 (its write done, the answer to come) takes its
 * answer once, for the same request only. */
static void test_idempotency_answer_follows(void **state)
{
	struct fx *f = *state;
	store_idempotency rec, got;
	char empty[] = "", body[] = "{\"id\":\"ord_2\"}";
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, "idem-later", sizeof(rec.key));
	memset(rec.request_hash, 'd', 64);
	rec.status = 0;
	rec.body = empty;
	rec.created_at = 1700003000;
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
	/* Another request's answer does not fill it in. */
	rec.status = 201;
	rec.body = body;
	memset(rec.request_hash, 'e', 64);
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_ECONFLICT);
	memset(rec.request_hash, 'd', 64);
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
	/* Once answered, the answer stays. */
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_ECONFLICT);

	tx = rd(f);
	assert_int_equal(
		store_idempotency_get(tx, f->ta, "idem-later", &got, &err),
		ORDO_OK);
	assert_int_equal(got.status, 201);
	assert_string_equal(got.body, body);
	store_idempotency_free(&got);
	store_read_end(tx);
}

/* ---- downstream defects -------------------------------------------------- */

static ordo_code w_defect_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_defect_insert(tx, w->tenant, w->p, err);
}

static void defect_add(struct fx *f, int64_t tenant, const char *id,
		       const char *order_id, const char *type, ordo_time at)
{
	order_defect d;
	ordo_err err = ORDO_ERR_INIT;

	memset(&d, 0, sizeof(d));
	ordo_strlcpy(d.id, id, sizeof(d.id));
	ordo_strlcpy(d.order_id, order_id, sizeof(d.order_id));
	ordo_strlcpy(d.type, type, sizeof(d.type));
	ordo_strlcpy(d.found_by, "Warehouse East", sizeof(d.found_by));
	snprintf(d.note, sizeof(d.note), "note of %s", id);
	ordo_strlcpy(d.reported_by, "key:ops", sizeof(d.reported_by));
	d.created_at = at;
	assert_int_equal(wr(f, tenant, w_defect_insert, &d, &err), ORDO_OK);
}

/* The ids of a defect page, comma-joined. */
static const char *defect_page(struct fx *f, int64_t tenant, const char *type,
			       ordo_time from, ordo_time to, int64_t before,
			       int limit, int64_t *next)
{
	static char buf[512];
	order_defect *items = NULL;
	size_t n = 0, i;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_defect_list(tx, tenant, type, "", from, to, before,
					   limit, &items, &n, next, &err),
			 ORDO_OK);
	store_read_end(tx);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, items[i].id);
	}
	free(items);
	return buf;
}

static void test_defects(void **state)
{
	struct fx *f = *state;
	order_defect d, *items = NULL;
	int64_t next = -1, count = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_d1", "web", "D1", 1700000000, ORDER_DELIVERED);
	order_add(f, f->ta, "ord_d2", "web", "D2", 1700000000, ORDER_DELIVERED);
	order_add(f, f->tb, "ord_db", "web", "DB", 1700000000, ORDER_DELIVERED);
	defect_add(f, f->ta, "dfc_1", "ord_d1", "wrong_item", 100);
	defect_add(f, f->ta, "dfc_2", "ord_d2", "damaged", 200);
	defect_add(f, f->ta, "dfc_3", "ord_d1", "damaged", 300);
	defect_add(f, f->ta, "dfc_4", "ord_d1", "wrong_item", 400);
	defect_add(f, f->tb, "dfc_b", "ord_db", "damaged", 250);

	/* Another tenant's order, or none: not found, nothing stored. */
	memset(&d, 0, sizeof(d));
	ordo_strlcpy(d.id, "dfc_x", sizeof(d.id));
	ordo_strlcpy(d.order_id, "ord_db", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(d.order_id, "ord_nope", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	/* An id taken. */
	ordo_strlcpy(d.id, "dfc_1", sizeof(d.id));
	ordo_strlcpy(d.order_id, "ord_d2", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");

	/* An order's defects, oldest first, each field kept. */
	tx = rd(f);
	assert_int_equal(store_defects_of_order(tx, f->ta, "ord_d1", &items,
						&n, &err),
			 ORDO_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].id, "dfc_1");
	assert_string_equal(items[1].id, "dfc_3");
	assert_string_equal(items[2].id, "dfc_4");
	assert_true(items[0].seq > 0 && items[0].seq < items[1].seq);
	assert_string_equal(items[0].order_id, "ord_d1");
	assert_string_equal(items[0].type, "wrong_item");
	assert_string_equal(items[0].found_by, "Warehouse East");
	assert_string_equal(items[0].note, "note of dfc_1");
	assert_string_equal(items[0].reported_by, "key:ops");
	assert_int_equal(items[0].created_at, 100);
	free(items);
	assert_int_equal(store_defects_of_order(tx, f->tb, "ord_d1", &items,
						&n, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_defect_count(tx, f->ta, "ord_d1", &count,
						  &err),
			 ORDO_OK);
	assert_int_equal(count, 3);
	assert_int_equal(store_order_defect_count(tx, f->ta, "ord_d2", &count,
						  &err),
			 ORDO_OK);
	assert_int_equal(count, 1);
	assert_int_equal(store_order_defect_count(tx, f->tb, "ord_d1", &count,
						  &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(count, 0);
	store_read_end(tx);

	/* The list: newest first, the tenant's only. */
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 50, &next),
			    "dfc_4,dfc_3,dfc_2,dfc_1");
	assert_int_equal(next, 0);
	assert_string_equal(defect_page(f, f->tb, NULL, 0, 0, 0, 50, &next),
			    "dfc_b");
	/* By type, and by time: from inclusive, to exclusive. */
	assert_string_equal(defect_page(f, f->ta, "damaged", 0, 0, 0, 50,
					&next),
			    "dfc_3,dfc_2");
	assert_string_equal(defect_page(f, f->ta, "", 200, 400, 0, 50, &next),
			    "dfc_3,dfc_2");
	assert_string_equal(defect_page(f, f->ta, "", 0, 300, 0, 50, &next),
			    "dfc_2,dfc_1");
	assert_string_equal(defect_page(f, f->ta, "", 300, 0, 0, 50, &next),
			    "dfc_4,dfc_3");
	assert_string_equal(defect_page(f, f->ta, "wrong_item", 150, 0, 0, 50,
					&next),
			    "dfc_4");
	/* Pages by seq. */
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 3, &next),
			    "dfc_4,dfc_3,dfc_2");
	assert_true(next > 0);
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, next, 3, &next),
			    "dfc_1");
	assert_int_equal(next, 0);
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 2, &next),
			    "dfc_4,dfc_3");
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, next, 2, &next),
			    "dfc_2,dfc_1");
	assert_int_equal(next, 0);
	tx = rd(f);
	assert_int_equal(store_defect_list(tx, f->ta, "", "", 0, 0, 0, 0, &items,
					   &n, &next, &err),
			 ORDO_EINVALID);
	assert_int_equal(store_defect_list(tx, f->ta, "", "", 0, 0, -1, 10, &items,
					   &n, &next, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

/* ---- what policies are judged on ----------------------------------------- */

/* An order of the customer key received at `at`. */
static void order_of_customer(struct fx *f, int64_t tenant, const char *id,
			      const char *key, ordo_time at)
{
	order o;

	order_make(&o, tenant, id, "web", id, at, ORDER_DELIVERED, 1);
	ordo_strlcpy(o.customer_key, key, sizeof(o.customer_key));
	order_put(f, &o);
	order_free(&o);
}

static void history_at(struct fx *f, int64_t tenant, const char *key,
		       ordo_time before, int64_t before_seq,
		       int64_t want_orders, int64_t want_defects)
{
	int64_t orders = -1, defects = -1;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_customer_history(tx, tenant, key, before,
						before_seq, &orders, &defects,
						&err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(orders, want_orders);
	assert_int_equal(defects, want_defects);
}

/* Strictly before: no order of the same second counts. */
static void history(struct fx *f, int64_t tenant, const char *key,
		    ordo_time before, int64_t want_orders,
		    int64_t want_defects)
{
	history_at(f, tenant, key, before, 0, want_orders, want_defects);
}

static void test_customer_history(void **state)
{
	struct fx *f = *state;

	order_of_customer(f, f->ta, "ord_h1", "ada@example.com", 1000);
	order_of_customer(f, f->ta, "ord_h2", "ada@example.com", 2000);
	order_of_customer(f, f->ta, "ord_h3", "ada@example.com", 3000);
	order_of_customer(f, f->ta, "ord_h4", "bob@example.com", 1500);
	order_of_customer(f, f->ta, "ord_h5", "", 500);
	order_of_customer(f, f->ta, "ord_h6", "", 600);
	order_of_customer(f, f->tb, "ord_hb", "ada@example.com", 100);
	defect_add(f, f->ta, "dfc_h1", "ord_h1", "damaged", 1100);
	defect_add(f, f->ta, "dfc_h2", "ord_h1", "late", 2500);
	defect_add(f, f->ta, "dfc_h3", "ord_h3", "damaged", 3500);
	defect_add(f, f->ta, "dfc_h4", "ord_h4", "damaged", 1600);
	defect_add(f, f->ta, "dfc_h5", "ord_h5", "damaged", 1000);
	defect_add(f, f->tb, "dfc_hb", "ord_hb", "damaged", 200);

	/* Orders that came before the moment, and the defects on them
	 * reported by then: the history as it stood then. */
	history(f, f->ta, "ada@example.com", 1000, 0, 0);
	/* An order of the same second counts when it came first (lower
	 * seq; INT64_MAX: the order judged is not stored yet). */
	history_at(f, f->ta, "ada@example.com", 1000, INT64_MAX, 1, 0);
	history(f, f->ta, "ada@example.com", 1001, 1, 0);
	history(f, f->ta, "ada@example.com", 1100, 1, 1);
	history(f, f->ta, "ada@example.com", 2600, 2, 2);
	history(f, f->ta, "ada@example.com", 3001, 3, 2);
	history(f, f->ta, "ada@example.com", 99999, 3, 3);
	history(f, f->ta, "bob@example.com", 99999, 1, 1);
	history(f, f->ta, "carol@example.com", 99999, 0, 0);
	/* Tenant B's orders are its own. */
	history(f, f->tb, "ada@example.com", 99999, 1, 1);
	/* No key, no history, however many keyless orders there are. */
	history(f, f->ta, "", 99999, 0, 0);
	history(f, f->ta, NULL, 99999, 0, 0);
}

static void handling_time(struct fx *f, int64_t tenant, int64_t want_mean,
			  int64_t want_n)
{
	int64_t mean = -1, n = -1;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_handling_time(tx, tenant, &mean, &n, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(mean, want_mean);
	assert_int_equal(n, want_n);
}

/* A resolved hold, claimed first at claimed_at. */
static void hold_done(order_hold *h, const char *id, ordo_time claimed_at,
		      ordo_time resolved_at, const char *resolution)
{
	hold_make(h, id, HOLD_RISKY_ORDER, HOLD_RESOLVED);
	h->claimed_at = claimed_at;
	h->claimed_until = claimed_at + 600;
	h->resolved_at = resolved_at;
	ordo_strlcpy(h->resolution, resolution, sizeof(h->resolution));
	ordo_strlcpy(h->assignee, "rev", sizeof(h->assignee));
}

static void test_handling_time(void **state)
{
	struct fx *f = *state;
	order_hold h[7];

	/* None resolved yet. */
	handling_time(f, f->ta, 0, 0);

	hold_done(&h[0], "ht_1", 1000, 1100, "approve");  /* 100 */
	hold_done(&h[1], "ht_2", 2000, 2250, "correct");  /* 250 */
	hold_done(&h[2], "ht_3", 3000, 3001, "cancel_order"); /* 1 */
	/* Not counted: resolved by the system, never claimed, resolved
	 * before the claim, still open. */
	hold_done(&h[3], "ht_4", 4000, 9000, "system");
	hold_done(&h[4], "ht_5", 0, 9000, "approve");
	hold_done(&h[5], "ht_6", 5000, 4000, "approve");
	hold_done(&h[6], "ht_7", 6000, 0, "");
	h[6].status = HOLD_OPEN;
	order_with_holds(f, f->ta, "ord_ht", "web", h, 7);
	hold_done(&h[0], "ht_b", 1000, 1900, "approve");
	order_with_holds(f, f->tb, "ord_htb", "web", h, 1);

	/* (100 + 250 + 1) / 3 = 117, whole seconds. */
	handling_time(f, f->ta, 117, 3);
	handling_time(f, f->tb, 900, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_idempotency, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idempotency_answer_follows,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_defects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_customer_history, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handling_time, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
