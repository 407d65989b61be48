/*
 * test_changes.c - changes of orders and the requests warehouses answer:
 * the tenant's requests waiting for an answer, listed oldest due first a
 * page at a time, without the changes applied or decided and without
 * another tenant's; the list read by its own index, in its order.
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

/* A change of an order in a state, its answer due at due_at (0: none);
 * one decided is decided by a warehouse a second after it was asked. */
struct change_args {
	const char *id;
	const char *order_id;
	const char *state;
	ordo_time due_at;
};

static ordo_code w_change_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	const struct change_args *a = w->p;
	store_change *c = calloc(1, sizeof(*c));
	ordo_code rc;

	assert_non_null(c);
	ordo_strlcpy(c->id, a->id, sizeof(c->id));
	ordo_strlcpy(c->order_id, a->order_id, sizeof(c->order_id));
	ordo_strlcpy(c->kind, "quantity", sizeof(c->kind));
	ordo_strlcpy(c->detail, "{\"kind\":\"quantity\"}", sizeof(c->detail));
	ordo_strlcpy(c->summary, "quantity of line 1: 3 -> 1",
		     sizeof(c->summary));
	ordo_strlcpy(c->reason, "customer asked", sizeof(c->reason));
	ordo_strlcpy(c->state, a->state, sizeof(c->state));
	ordo_strlcpy(c->requested_by, "key:ops", sizeof(c->requested_by));
	c->requested_at = FX_NOW;
	c->due_at = a->due_at;
	if (strcmp(a->state, "requested") != 0 &&
	    strcmp(a->state, "applied") != 0) {
		ordo_strlcpy(c->decided_by, "key:wh", sizeof(c->decided_by));
		c->decided_at = FX_NOW + 1;
	}
	rc = store_change_insert(tx, w->tenant, c, err);
	free(c);
	return rc;
}

static void change_add(struct fx *f, int64_t tenant, const char *id,
		       const char *order_id, const char *state,
		       ordo_time due_at)
{
	struct change_args a = {id, order_id, state, due_at};
	ordo_err err = ORDO_ERR_INIT;

	if (wr(f, tenant, w_change_insert, &a, &err) != ORDO_OK)
		fail_msg("change %s: %s", id, err.message);
}

/* A warehouse accepts the request id (w->p), as app_change_decide does. */
static ordo_code w_accept(store_tx *tx, struct wctx *w, ordo_err *err)
{
	store_change *c = calloc(1, sizeof(*c));
	ordo_code rc;

	assert_non_null(c);
	rc = store_change_get(tx, w->tenant, w->p, c, err);
	if (rc == ORDO_OK) {
		ordo_strlcpy(c->state, "accepted", sizeof(c->state));
		ordo_strlcpy(c->decided_by, "key:wh", sizeof(c->decided_by));
		c->decided_at = FX_NOW + 2;
		rc = store_change_decide(tx, w->tenant, c, "requested", err);
	}
	free(c);
	return rc;
}

/*
 * Tenant A's changes (asked in this order; due / state), and B's one:
 *
 *     chg_late     ord_1  FX_NOW+3000  requested
 *     chg_soon_a   ord_2  FX_NOW+1000  requested
 *     chg_applied  ord_1  -            applied
 *     chg_soon_b   ord_3  FX_NOW+1000  requested
 *     chg_decided  ord_2  FX_NOW+500   requested, then accepted
 *     chg_refused  ord_3  FX_NOW+100   refused
 *     chg_b        ord_b  FX_NOW+10    requested (tenant B)
 *
 * so that A's waiting ones are chg_soon_a, chg_soon_b (the same due time:
 * asked in that order), then chg_late, asked first of all.
 */
static void requests_fixture(struct fx *f)
{
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_1", "web", "EXT-1", FX_NOW, ORDER_RELEASED);
	order_add(f, f->ta, "ord_2", "web", "EXT-2", FX_NOW, ORDER_RELEASED);
	order_add(f, f->ta, "ord_3", "web", "EXT-3", FX_NOW, ORDER_RELEASED);
	order_add(f, f->tb, "ord_b", "web", "EXT-B", FX_NOW, ORDER_RELEASED);
	change_add(f, f->ta, "chg_late", "ord_1", "requested", FX_NOW + 3000);
	change_add(f, f->ta, "chg_soon_a", "ord_2", "requested", FX_NOW + 1000);
	change_add(f, f->ta, "chg_applied", "ord_1", "applied", 0);
	change_add(f, f->ta, "chg_soon_b", "ord_3", "requested", FX_NOW + 1000);
	change_add(f, f->ta, "chg_decided", "ord_2", "requested", FX_NOW + 500);
	assert_int_equal(wr(f, f->ta, w_accept, (void *)"chg_decided", &err),
			 ORDO_OK);
	change_add(f, f->ta, "chg_refused", "ord_3", "refused", FX_NOW + 100);
	change_add(f, f->tb, "chg_b", "ord_b", "requested", FX_NOW + 10);
}

/* One page of the tenant's requests from the cursor, its ids
 * comma-joined into buf; *more as the store says, and the last one's
 * cursor in *due and *seq. */
static void requests_page(struct fx *f, int64_t tenant, ordo_time *due,
			  int64_t *seq, int limit, char *buf, size_t size,
			  bool *more)
{
	ordo_err err = ORDO_ERR_INIT;
	store_change_request *items = NULL;
	store_tx *tx = rd(f);
	size_t n = 0, i, len = 0;

	assert_int_equal(store_change_requests(tx, tenant, *due, *seq, limit,
					       &items, &n, more, &err),
			 ORDO_OK);
	store_read_end(tx);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		assert_string_equal(items[i].change.state, "requested");
		assert_int_equal(items[i].change.tenant_id, tenant);
		snprintf(buf + len, size - len, "%s%s", i ? "," : "",
			 items[i].change.id);
		len = strlen(buf);
	}
	if (n) {
		*due = items[n - 1].change.due_at;
		*seq = items[n - 1].change.seq;
	}
	free(items);
}

static void test_requests_wait_oldest_due_first(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	store_change_request *items = NULL;
	ordo_time due = 0;
	int64_t seq = 0;
	char ids[256];
	bool more = false;
	size_t n = 0;
	store_tx *tx;

	requests_fixture(f);
	requests_page(f, f->ta, &due, &seq, 50, ids, sizeof(ids), &more);
	assert_string_equal(ids, "chg_soon_a,chg_soon_b,chg_late");
	assert_false(more);

	/* Two pages of two: the second from the first's last. */
	due = 0;
	seq = 0;
	requests_page(f, f->ta, &due, &seq, 2, ids, sizeof(ids), &more);
	assert_string_equal(ids, "chg_soon_a,chg_soon_b");
	assert_true(more);
	assert_int_equal(due, FX_NOW + 1000);
	requests_page(f, f->ta, &due, &seq, 2, ids, sizeof(ids), &more);
	assert_string_equal(ids, "chg_late");
	assert_false(more);

	/* Another tenant's list is its own. */
	due = 0;
	seq = 0;
	requests_page(f, f->tb, &due, &seq, 50, ids, sizeof(ids), &more);
	assert_string_equal(ids, "chg_b");

	/* Each with the change as read alone, and its order. */
	tx = rd(f);
	assert_int_equal(store_change_requests(tx, f->ta, 0, 0, 1, &items, &n,
					       &more, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	{
		store_change *one = calloc(1, sizeof(*one));

		assert_non_null(one);
		assert_int_equal(store_change_get(tx, f->ta, "chg_soon_a", one,
						  &err),
				 ORDO_OK);
		assert_memory_equal(one, &items[0].change, sizeof(*one));
		free(one);
	}
	store_read_end(tx);
	assert_string_equal(items[0].change.order_id, "ord_2");
	assert_string_equal(items[0].external_id, "EXT-2");
	assert_string_equal(items[0].customer_name, "Ada Lovelace");
	free(items);
}

static void test_a_bad_page_is_refused(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	store_change_request *items = NULL;
	bool more = false;
	size_t n = 0;
	store_tx *tx = rd(f);

	assert_int_equal(store_change_requests(tx, f->ta, 0, 0, 0, &items, &n,
					       &more, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "limit");
	ordo_err_clear(&err);
	assert_int_equal(store_change_requests(tx, f->ta, 0, 0,
					       ORDO_PAGE_MAX + 1, &items, &n,
					       &more, &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	assert_int_equal(store_change_requests(tx, f->ta, 0, -1, 10, &items,
					       &n, &more, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "cursor");
	ordo_err_clear(&err);
	assert_null(items);
	store_read_end(tx);
}

/*
 * The list reads the tenant's waiting requests by order_changes_waiting
 * (migration 0031), in its order, from the cursor on: neither the
 * changes applied or decided nor other tenants' are read, and nothing is
 * sorted, however long the history.
 */
static void test_requests_are_read_by_their_index(void **state)
{
	struct fx *f = *state;
	const char *sql = store_statement_sql("change_requests");
	char *plan;

	assert_non_null(sql);
	requests_fixture(f);
	analyzed(f);
	plan = test_explain(f, sql, "1, 0, 0, 51");
	if (!plan_keyed(plan, "order_changes_waiting") ||
	    strstr(plan, "TEMP B-TREE") || strstr(plan, "Sort")) {
		print_error("the list's query plan:%s", plan);
		free(plan);
		fail();
	}
	free(plan);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_requests_wait_oldest_due_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_bad_page_is_refused,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_requests_are_read_by_their_index, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
