/*
 * test_monitors.c - SLA monitors and alerts in the store: a tenant's
 * monitors written whole; what a monitor finds due (in its state long
 * enough, after its swept_to, without an open alert of it); an alert
 * raised once while open, again once cleared; the open alerts read with
 * what they were raised on as it is now; the tenant's alerts by page and
 * status.
 *
 * Each test gets a fresh, migrated database with tenants A and B
 * (fixture.c), on the backend the environment chooses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

static const store_monitor held = {
	.id = "held", .kind = "state_age", .state = "on_hold",
	.after_s = 3600, .created_at = 100,
};

static ordo_code w_monitors_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	const store_monitor *m = w->p;

	return store_monitors_put(tx, w->tenant, m, m ? 1 : 0, err);
}

struct raise_args {
	int64_t order_seq;
	store_alert a;
	bool raised;
};

static ordo_code w_alert_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct raise_args *r = w->p;

	return store_alert_insert(tx, w->tenant, r->order_seq, &r->a,
				  &r->raised, err);
}

struct clear_args {
	const char *id;
	bool cleared;
};

static ordo_code w_alert_clear(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct clear_args *c = w->p;

	return store_alert_clear(tx, w->tenant, c->id, 9000, &c->cleared, err);
}

struct swept_args {
	int64_t seq;
	int64_t to;
	bool still;
};

static ordo_code w_swept(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct swept_args *s = w->p;

	return store_monitor_swept(tx, s->seq, s->to, &s->still, err);
}

/* An order of the tenant put in state at time at; its seq. */
static int64_t order_in(struct fx *f, int64_t tenant, const char *id,
			order_state state, ordo_time at)
{
	ordo_err err = ORDO_ERR_INIT;
	struct state_args s = {id, state, at};
	int64_t seq = order_add(f, tenant, id, "web", id, 10, ORDER_ACCEPTED);

	assert_int_equal(wr(f, tenant, w_set_state, &s, &err), ORDO_OK);
	return seq;
}

/* The ids of what m finds due at now, comma-joined. */
static void due_ids(struct fx *f, const store_monitor *m, ordo_time now,
		    char *buf, size_t size)
{
	ordo_err err = ORDO_ERR_INIT;
	store_tx *tx = rd(f);
	store_due *d = NULL;
	size_t n = 0, i;

	assert_int_equal(store_monitor_due(tx, m, now, 100, &d, &n, &err),
			 ORDO_OK);
	store_read_end(tx);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		strncat(buf, i ? "," : "", size - strlen(buf) - 1);
		strncat(buf, d[i].order_id, size - strlen(buf) - 1);
	}
	free(d);
}

static store_monitor monitor_of(struct fx *f, int64_t tenant)
{
	ordo_err err = ORDO_ERR_INIT;
	store_tx *tx = rd(f);
	store_monitor *m = NULL, one;
	size_t n = 0;

	assert_int_equal(store_monitors_of(tx, tenant, &m, &n, &err), ORDO_OK);
	store_read_end(tx);
	assert_int_equal(n, 1);
	one = m[0];
	free(m);
	return one;
}

static void raise_for(struct fx *f, int64_t seq, const char *alert_id,
		      bool expect)
{
	ordo_err err = ORDO_ERR_INIT;
	struct raise_args r = {.order_seq = seq,
			       .a = {.kind = "state_age", .since = 1000,
				     .raised_at = 4700}};

	ordo_strlcpy(r.a.id, alert_id, sizeof(r.a.id));
	ordo_strlcpy(r.a.monitor_id, "held", sizeof(r.a.monitor_id));
	ordo_strlcpy(r.a.message, "late", sizeof(r.a.message));
	assert_int_equal(wr(f, f->ta, w_alert_insert, &r, &err), ORDO_OK);
	assert_int_equal(r.raised, expect);
	if (expect)
		assert_true(r.a.seq > 0);
}

static void test_due_raised_once_and_swept(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	struct clear_args c = {.id = "alr_1"};
	struct swept_args s = {0, 4000, false};
	store_monitor m;
	char ids[256];
	int64_t o1;

	o1 = order_in(f, f->ta, "ord_1", ORDER_ON_HOLD, 1000);
	order_in(f, f->ta, "ord_2", ORDER_ON_HOLD, 5000);
	order_in(f, f->ta, "ord_3", ORDER_ALLOCATED, 1000);
	order_in(f, f->tb, "ord_b", ORDER_ON_HOLD, 1000);
	assert_int_equal(wr(f, f->ta, w_monitors_put, (void *)&held, &err),
			 ORDO_OK);
	m = monitor_of(f, f->ta);
	assert_string_equal(m.kind, "state_age");
	assert_int_equal(m.after_s, 3600);
	assert_int_equal(m.swept_to, 0);

	/* in on_hold an hour by 4600: the first only, of tenant A only */
	due_ids(f, &m, 4599, ids, sizeof(ids));
	assert_string_equal(ids, "");
	due_ids(f, &m, 4600, ids, sizeof(ids));
	assert_string_equal(ids, "ord_1");
	due_ids(f, &m, 9000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_1,ord_2");

	/* raised once while open; found due no more */
	raise_for(f, o1, "alr_1", true);
	raise_for(f, o1, "alr_2", false);
	due_ids(f, &m, 9000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_2");
	/* cleared once; then it can be raised again */
	assert_int_equal(wr(f, f->ta, w_alert_clear, &c, &err), ORDO_OK);
	assert_true(c.cleared);
	assert_int_equal(wr(f, f->ta, w_alert_clear, &c, &err), ORDO_OK);
	assert_false(c.cleared);
	raise_for(f, o1, "alr_3", true);

	/* swept to 4000: what came into the state before is not read; the
	 * mark never goes back */
	s.seq = m.seq;
	assert_int_equal(wr(f, f->ta, w_swept, &s, &err), ORDO_OK);
	assert_true(s.still);
	s.to = 3000;
	assert_int_equal(wr(f, f->ta, w_swept, &s, &err), ORDO_OK);
	m = monitor_of(f, f->ta);
	assert_int_equal(m.swept_to, 4000);
	due_ids(f, &m, 9000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_2");
	/* written whole: the mark starts over, on a monitor of its own;
	 * the old one's sweep finds it gone */
	assert_int_equal(wr(f, f->ta, w_monitors_put, (void *)&held, &err),
			 ORDO_OK);
	assert_int_equal(monitor_of(f, f->ta).swept_to, 0);
	assert_true(monitor_of(f, f->ta).seq != s.seq);
	assert_int_equal(wr(f, f->ta, w_swept, &s, &err), ORDO_OK);
	assert_false(s.still);
}

/* Tenant A's orders with holds of two types, due at 1000 and 2000. */
static void test_overdue_holds_of_a_type_or_any(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	store_monitor m = {.id = "overdue", .kind = "hold_overdue"};
	order_hold h[2];
	char ids[256];

	hold_make(&h[0], "hld_a", HOLD_ADDRESS_UNVERIFIABLE, HOLD_OPEN);
	h[0].due_at = 1000;
	hold_make(&h[1], "hld_b", HOLD_HIGH_VALUE, HOLD_OPEN);
	h[1].due_at = 2000;
	order_with_holds(f, f->ta, "ord_h", "web", h, 2);
	hold_make(&h[0], "hld_c", HOLD_HIGH_VALUE, HOLD_RESOLVED);
	h[0].due_at = 500;
	order_with_holds(f, f->ta, "ord_r", "web", h, 1);
	hold_make(&h[0], "hld_x", HOLD_HIGH_VALUE, HOLD_OPEN);
	h[0].due_at = 500;
	order_with_holds(f, f->tb, "ord_x", "web", h, 1);
	assert_int_equal(wr(f, f->ta, w_monitors_put, &m, &err), ORDO_OK);
	m = monitor_of(f, f->ta);

	/* past due: after the due time, not at it; open ones only */
	due_ids(f, &m, 1000, ids, sizeof(ids));
	assert_string_equal(ids, "");
	due_ids(f, &m, 1001, ids, sizeof(ids));
	assert_string_equal(ids, "ord_h");
	due_ids(f, &m, 5000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_h,ord_h");
	/* of one type */
	ordo_strlcpy(m.hold_type, "high_value", sizeof(m.hold_type));
	due_ids(f, &m, 5000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_h");
	/* after its mark only */
	m.hold_type[0] = '\0';
	m.swept_to = 1500;
	due_ids(f, &m, 5000, ids, sizeof(ids));
	assert_string_equal(ids, "ord_h");
}

static void test_open_alerts_say_what_holds_now(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	struct state_args s = {"ord_1", ORDER_ALLOCATED, 6000};
	store_alert *a = NULL;
	store_tx *tx;
	size_t n = 0;
	int64_t o1 = order_in(f, f->ta, "ord_1", ORDER_ON_HOLD, 1000);

	assert_int_equal(wr(f, f->ta, w_monitors_put, (void *)&held, &err),
			 ORDO_OK);
	raise_for(f, o1, "alr_1", true);
	tx = rd(f);
	assert_int_equal(store_alerts_open(tx, 0, 10, &a, &n, &err), ORDO_OK);
	store_read_end(tx);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].id, "alr_1");
	assert_string_equal(a[0].order_id, "ord_1");
	assert_string_equal(a[0].now_order_state, "on_hold");
	assert_int_equal(a[0].now_state_since, 1000);
	assert_string_equal(a[0].now_monitor_kind, "state_age");
	assert_string_equal(a[0].now_monitor_state, "on_hold");
	assert_string_equal(a[0].now_hold_status, "");
	free(a);

	/* the order moves on; the monitor goes */
	assert_int_equal(wr(f, f->ta, w_set_state, &s, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_monitors_put, NULL, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_alerts_open(tx, 0, 10, &a, &n, &err), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].now_order_state, "allocated");
	assert_int_equal(a[0].now_state_since, 6000);
	assert_string_equal(a[0].now_monitor_kind, "");
	free(a);
	/* after its seq: none */
	assert_int_equal(store_alerts_open(tx, 1000000, 10, &a, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(a);
	store_read_end(tx);
}

static void test_alerts_by_page_and_status(void **state)
{
	struct fx *f = *state;
	ordo_err err = ORDO_ERR_INIT;
	struct clear_args c = {.id = "alr_1"};
	store_alert *a = NULL;
	int64_t next = 0, o[3];
	store_tx *tx;
	size_t n = 0;

	o[0] = order_in(f, f->ta, "ord_1", ORDER_ON_HOLD, 1000);
	o[1] = order_in(f, f->ta, "ord_2", ORDER_ON_HOLD, 1000);
	o[2] = order_in(f, f->ta, "ord_3", ORDER_ON_HOLD, 1000);
	raise_for(f, o[0], "alr_1", true);
	raise_for(f, o[1], "alr_2", true);
	raise_for(f, o[2], "alr_3", true);
	assert_int_equal(wr(f, f->ta, w_alert_clear, &c, &err), ORDO_OK);

	tx = rd(f);
	/* newest first, two to a page */
	assert_int_equal(store_alert_list(tx, f->ta, "", 0, 2, &a, &n, &next,
					  &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(a[0].id, "alr_3");
	assert_string_equal(a[1].id, "alr_2");
	assert_true(next > 0);
	free(a);
	assert_int_equal(store_alert_list(tx, f->ta, "", next, 2, &a, &n,
					  &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].id, "alr_1");
	assert_int_equal(a[0].cleared_at, 9000);
	assert_int_equal(next, 0);
	free(a);
	/* by status */
	assert_int_equal(store_alert_list(tx, f->ta, "open", 0, 10, &a, &n,
					  &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].cleared_at, 0);
	assert_int_equal(a[1].cleared_at, 0);
	free(a);
	assert_int_equal(store_alert_list(tx, f->ta, "cleared", 0, 10, &a, &n,
					  &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].id, "alr_1");
	free(a);
	/* another tenant's: none */
	assert_int_equal(store_alert_list(tx, f->tb, "", 0, 10, &a, &n, &next,
					  &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(a);
	/* a limit out of range */
	assert_int_equal(store_alert_list(tx, f->ta, "", 0, 0, &a, &n, &next,
					  &err),
			 ORDO_EINVALID);
	ordo_err_clear(&err);
	store_read_end(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_due_raised_once_and_swept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_overdue_holds_of_a_type_or_any, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_open_alerts_say_what_holds_now, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alerts_by_page_and_status,
						setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
