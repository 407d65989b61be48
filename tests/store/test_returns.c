/*
 * test_returns.c - returns of orders: the tenant's returns listed newest
 * first a page at a time, in one state or any, each with its lines as it
 * reads alone, without another tenant's; the lines of a whole page read by
 * one statement; each list read by its own index, in its order.
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

static ordo_code w_return_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	order_return *r = malloc(sizeof(*r));
	ordo_code rc;

	/* A job may run again: it inserts a copy, its input unchanged. */
	assert_non_null(r);
	memcpy(r, w->p, sizeof(*r));
	rc = store_return_insert(tx, w->tenant, r, err);
	free(r);
	return rc;
}

/* A return of order_id in state with n_lines lines (line_no 1.., every
 * field set), inserted for tenant. */
static void return_add(struct fx *f, int64_t tenant, const char *id,
		       const char *order_id, const char *state, size_t n_lines)
{
	order_return *r = calloc(1, sizeof(*r));
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	assert_non_null(r);
	ordo_strlcpy(r->id, id, sizeof(r->id));
	ordo_strlcpy(r->order_id, order_id, sizeof(r->order_id));
	ordo_strlcpy(r->state, state, sizeof(r->state));
	r->reason = RETURN_DAMAGED;
	ordo_strlcpy(r->note, "box crushed", sizeof(r->note));
	ordo_strlcpy(r->created_by, "key:ops", sizeof(r->created_by));
	r->created_at = FX_NOW;
	r->updated_at = FX_NOW + 1;
	ordo_strlcpy(r->currency, "USD", sizeof(r->currency));
	r->n_lines = n_lines;
	for (i = 0; i < n_lines; i++) {
		r->lines[i].line_no = (int)i + 1;
		snprintf(r->lines[i].sku, sizeof(r->lines[i].sku), "SKU-%zu",
			 i + 1);
		r->lines[i].quantity = 3;
		r->lines[i].received = 2;
		r->lines[i].restocked = 1;
	}
	if (wr(f, tenant, w_return_insert, r, &err) != ORDO_OK)
		fail_msg("return %s: %s", id, err.message);
	free(r);
}

/*
 * Tenant A's returns, made in this order, and B's one:
 *
 *     ret_1  ord_1  authorized  2 lines
 *     ret_2  ord_2  received    1 line
 *     ret_3  ord_1  authorized  3 lines
 *     ret_4  ord_3  refunded    1 line
 *     ret_b  ord_b  authorized  1 line (tenant B)
 */
static void returns_fixture(struct fx *f)
{
	order_add(f, f->ta, "ord_1", "web", "EXT-1", FX_NOW, ORDER_SHIPPED);
	order_add(f, f->ta, "ord_2", "web", "EXT-2", FX_NOW, ORDER_SHIPPED);
	order_add(f, f->ta, "ord_3", "web", "EXT-3", FX_NOW, ORDER_SHIPPED);
	order_add(f, f->tb, "ord_b", "web", "EXT-B", FX_NOW, ORDER_SHIPPED);
	return_add(f, f->ta, "ret_1", "ord_1", "authorized", 2);
	return_add(f, f->ta, "ret_2", "ord_2", "received", 1);
	return_add(f, f->ta, "ret_3", "ord_1", "authorized", 3);
	return_add(f, f->ta, "ret_4", "ord_3", "refunded", 1);
	return_add(f, f->tb, "ret_b", "ord_b", "authorized", 1);
}

/* One page of the tenant's returns in state (NULL: any) before *before
 * (0: from the newest), its ids comma-joined into buf; *before is then
 * the store's cursor for the next page. Each return is as it reads
 * alone, its lines with it. */
static void returns_page(struct fx *f, int64_t tenant, const char *state,
			 int64_t *before, int limit, char *buf, size_t size)
{
	ordo_err err = ORDO_ERR_INIT;
	order_return *items = NULL, *one = malloc(sizeof(*one));
	store_tx *tx = rd(f);
	size_t n = 0, i, len = 0;

	assert_non_null(one);
	assert_int_equal(store_return_list(tx, tenant, state, *before, limit,
					   &items, &n, before, &err),
			 ORDO_OK);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_int_equal(store_return_get(tx, tenant, items[i].id, one,
						  &err),
				 ORDO_OK);
		assert_true(one->n_lines > 0);
		assert_memory_equal(one, &items[i], sizeof(*one));
		snprintf(buf + len, size - len, "%s%s", i ? "," : "",
			 items[i].id);
		len = strlen(buf);
	}
	store_read_end(tx);
	free(items);
	free(one);
}

static void test_returns_are_listed_newest_first(void **state)
{
	struct fx *f = *state;
	int64_t before = 0;
	char ids[256];

	returns_fixture(f);
	returns_page(f, f->ta, NULL, &before, 50, ids, sizeof(ids));
	assert_string_equal(ids, "ret_4,ret_3,ret_2,ret_1");
	assert_int_equal(before, 0);

	/* Two pages of two, the second from the first's cursor. */
	returns_page(f, f->ta, NULL, &before, 2, ids, sizeof(ids));
	assert_string_equal(ids, "ret_4,ret_3");
	assert_true(before > 0);
	returns_page(f, f->ta, NULL, &before, 2, ids, sizeof(ids));
	assert_string_equal(ids, "ret_2,ret_1");
	assert_int_equal(before, 0);

	/* In one state: its returns alone, paged the same way. */
	returns_page(f, f->ta, "authorized", &before, 1, ids, sizeof(ids));
	assert_string_equal(ids, "ret_3");
	assert_true(before > 0);
	returns_page(f, f->ta, "authorized", &before, 1, ids, sizeof(ids));
	assert_string_equal(ids, "ret_1");
	assert_int_equal(before, 0);
	returns_page(f, f->ta, "received", &before, 50, ids, sizeof(ids));
	assert_string_equal(ids, "ret_2");
	returns_page(f, f->ta, "partly_received", &before, 50, ids,
		     sizeof(ids));
	assert_string_equal(ids, "");

	/* Another tenant's list is its own. */
	returns_page(f, f->tb, NULL, &before, 50, ids, sizeof(ids));
	assert_string_equal(ids, "ret_b");
	returns_page(f, f->tb, "refunded", &before, 50, ids, sizeof(ids));
	assert_string_equal(ids, "");
}

/* A page's lines are read by one statement, whatever its size: a page of
 * one return and a page of four each take two (the returns, the lines). */
static void test_a_pages_lines_are_read_at_once(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	order_return *items = NULL;
	int64_t next = 0, before, per_page[2];
	size_t n = 0;
	store_tx *tx;
	int k;

	returns_fixture(f);
	tx = rd(f);
	for (k = 0; k < 2; k++) {
		before = store_tx_statements(tx);
		assert_int_equal(store_return_list(tx, f->ta, NULL, 0,
						   k ? 50 : 1, &items, &n,
						   &next, &err),
				 ORDO_OK);
		per_page[k] = store_tx_statements(tx) - before;
		assert_int_equal(n, k ? 4 : 1);
		assert_int_equal(items[0].n_lines, 1);
		if (k)
			assert_int_equal(items[1].n_lines, 3);
		free(items);
	}
	store_read_end(tx);
	assert_int_equal(per_page[0], 2);
	assert_int_equal(per_page[1], per_page[0]);
}

static void test_a_bad_page_is_refused(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	order_return *items = NULL;
	int64_t next = 0;
	size_t n = 0;
	store_tx *tx = rd(f);

	assert_int_equal(store_return_list(tx, f->ta, NULL, 0, 0, &items, &n,
					   &next, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "limit");
	ordo_err_clear(&err);
	assert_int_equal(store_return_list(tx, f->ta, NULL, -1, 10, &items,
					   &n, &next, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "cursor");
	ordo_err_clear(&err);
	assert_null(items);
	store_read_end(tx);
}

/*
 * Each list reads the tenant's returns by its own index (migration 0031),
 * newest first from the cursor: returns_tenant, and returns_state for one
 * state. Nothing is sorted and no other tenant's rows are read, however
 * long the history.
 */
static void test_returns_are_read_by_their_index(void **state)
{
	static const struct {
		const char *name, *args, *index;
	} lists[] = {
		{"return_list", "1, 9223372036854775807, 51", "returns_tenant"},
		{"return_list_state",
		 "1, 9223372036854775807, 'authorized', 51", "returns_state"},
	};
	struct fx *f = *state;
	size_t i;

	returns_fixture(f);
	analyzed(f);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		const char *sql = store_statement_sql(lists[i].name);
		char *plan;

		assert_non_null(sql);
		plan = test_explain(f, sql, lists[i].args);
		if (!plan_keyed(plan, lists[i].index) ||
		    strstr(plan, "TEMP B-TREE") || strstr(plan, "Sort")) {
			print_error("%s's query plan:%s", lists[i].name, plan);
			free(plan);
			fail();
		}
		free(plan);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_returns_are_listed_newest_first, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_pages_lines_are_read_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_bad_page_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_returns_are_read_by_their_index, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
