/*
 * test_review.c - holds and the review queue: listing and paging the
 * queue, reading and updating holds, racing claims, and review policy
 * versions.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup() in fixture.c, on the backend chosen by the
 * environment (see fixture.h). Writes go through store_write / store_submit
 * exactly as the app layer does, so every test also exercises the
 * committer.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"

/* ---- holds and the review queue ------------------------------------------ */

/* An open or resolved hold for the queue: due and raised at the given times,
 * of a priority; unclaimed, not escalated. */
static void hold_q(order_hold *h, const char *id, hold_type type,
		   hold_status status, ordo_time due_at, ordo_time created_at,
		   int priority)
{
	hold_make(h, id, type, status);
	h->due_at = due_at;
	h->created_at = created_at;
	h->priority = priority;
}

/*
 * Tenant A: five open holds over three orders and one resolved, seen at
 * now = 2000 (due / raised / priority / claim):
 *
 *     hq_c  amazon  risky_order         900 / 100  / 1  alice until 5000
 *     hq_a  web     address_unverif.   1000 / 500  / 3
 *     hq_b  web     high_value         1000 / 600  / 2  escalated
 *     hq_d  amazon  risky_order        1000 / 700  / 1  bob until 1500
 *     hq_f  web     high_value         1100 / 1900 / 2
 *     hq_e  amazon  risky_order (resolved, due 800)
 *
 * and tenant B one open hold due before them all. Inserted in the order
 * a, b, c, d, e, f, so that of the holds due at 1000 a comes before b
 * before d.
 */
static void queue_fixture(struct fx *f)
{
	order_hold h[3];

	hold_q(&h[0], "hq_a", HOLD_ADDRESS_UNVERIFIABLE, HOLD_OPEN, 1000, 500,
	       3);
	hold_q(&h[1], "hq_b", HOLD_HIGH_VALUE, HOLD_OPEN, 1000, 600, 2);
	h[1].escalated = true;
	order_with_holds(f, f->ta, "ord_q1", "web", h, 2);

	hold_q(&h[0], "hq_c", HOLD_RISKY_ORDER, HOLD_OPEN, 900, 100, 1);
	ordo_strlcpy(h[0].assignee, "alice", sizeof(h[0].assignee));
	h[0].claimed_at = 150;
	h[0].claimed_until = 5000;
	hold_q(&h[1], "hq_d", HOLD_RISKY_ORDER, HOLD_OPEN, 1000, 700, 1);
	ordo_strlcpy(h[1].assignee, "bob", sizeof(h[1].assignee));
	h[1].claimed_at = 800;
	h[1].claimed_until = 1500;
	hold_q(&h[2], "hq_e", HOLD_RISKY_ORDER, HOLD_RESOLVED, 800, 50, 1);
	order_with_holds(f, f->ta, "ord_q2", "amazon", h, 3);

	hold_q(&h[0], "hq_f", HOLD_HIGH_VALUE, HOLD_OPEN, 1100, 1900, 2);
	order_with_holds(f, f->ta, "ord_q3", "web", h, 1);

	hold_q(&h[0], "hq_x", HOLD_HIGH_VALUE, HOLD_OPEN, 100, 100, 1);
	order_with_holds(f, f->tb, "ord_qx", "web", h, 1);
}

/* The ids of one page, comma-joined into buf; *more as the store says.
 * The page's items are left in *items (free()) when items is not NULL. */
static ordo_code queue_ids(struct fx *f, int64_t tenant, const queue_filter *q,
			   char *buf, size_t size, bool *more,
			   queue_item **items, size_t *n)
{
	queue_item *out = NULL;
	size_t count = 0, i;
	store_tx *tx = rd(f);
	bool m = false;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	buf[0] = '\0';
	rc = store_queue_list(tx, tenant, q, &out, &count, &m, &err);
	store_read_end(tx);
	if (more)
		*more = m;
	for (i = 0; i < count; i++) {
		if (i)
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, out[i].hold.id, size - strlen(buf) - 1);
	}
	if (items) {
		*items = out;
		*n = count;
	} else {
		free(out);
	}
	return rc;
}

/* The ids of the first page of the queue under q (up to 50). */
static const char *queue_of(struct fx *f, queue_filter *q)
{
	static char buf[512];

	assert_int_equal(queue_ids(f, f->ta, q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_OK);
	return buf;
}

static void test_queue_list(void **state)
{
	struct fx *f = *state;
	queue_filter q;
	queue_item *items = NULL;
	char buf[512];
	bool more = true;
	size_t n = 0;

	queue_fixture(f);

	/* Open holds only, by due time then seq; another tenant's never. */
	queue_filter_init(&q, 2000, 50);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   &items, &n),
			 ORDO_OK);
	assert_string_equal(buf, "hq_c,hq_a,hq_b,hq_d,hq_f");
	assert_false(more);
	/* Each item carries its hold and a summary of its order. */
	assert_int_equal(n, 5);
	assert_true(items[0].seq > 0);
	assert_true(items[1].seq < items[2].seq);
	assert_true(items[2].seq < items[3].seq);
	assert_int_equal(items[0].hold.type, HOLD_RISKY_ORDER);
	assert_int_equal(items[0].hold.status, HOLD_OPEN);
	assert_int_equal(items[0].hold.due_at, 900);
	assert_int_equal(items[0].hold.priority, 1);
	assert_string_equal(items[0].hold.assignee, "alice");
	assert_int_equal(items[0].hold.claimed_until, 5000);
	assert_string_equal(items[0].hold.message, "hold hq_c");
	assert_string_equal(items[0].order_id, "ord_q2");
	assert_string_equal(items[0].external_id, "ord_q2");
	assert_string_equal(items[0].channel, "amazon");
	assert_int_equal(items[0].order_state, ORDER_ON_HOLD);
	assert_int_equal(items[0].total, 11307);
	assert_string_equal(items[0].currency, "USD");
	assert_string_equal(items[0].customer_name, "Ada Lovelace");
	assert_int_equal(items[0].received_at, 1700000000);
	assert_true(items[2].hold.escalated);
	assert_false(items[1].hold.escalated);
	free(items);

	queue_filter_init(&q, 2000, 50);
	assert_int_equal(queue_ids(f, f->tb, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_string_equal(buf, "hq_x");

	/* Type. */
	queue_filter_init(&q, 2000, 50);
	q.has_type = true;
	q.type = HOLD_HIGH_VALUE;
	assert_string_equal(queue_of(f, &q), "hq_b,hq_f");
	q.type = HOLD_MISSING_DATA;
	assert_string_equal(queue_of(f, &q), "");

	/* Priority. */
	queue_filter_init(&q, 2000, 50);
	q.priority = 1;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_d");
	q.priority = 3;
	assert_string_equal(queue_of(f, &q), "hq_a");

	/* Unclaimed: nobody's, or a lease run out (bob's, at 1500). */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_a,hq_b,hq_d,hq_f");
	/* Claimed by a name: only while the lease is live. */
	ordo_strlcpy(q.assignee, "alice", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_c");
	ordo_strlcpy(q.assignee, "bob", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "");
	q.now = 1400;
	assert_string_equal(queue_of(f, &q), "hq_d");
	q.now = 1500; /* the lease's last second is still its */
	assert_string_equal(queue_of(f, &q), "hq_d");
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_a,hq_b,hq_f");
	q.now = 5001; /* alice's lease is over too */
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d,hq_f");
	ordo_strlcpy(q.assignee, "carol", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "");

	/* The order's channel. */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.channel, "amazon", sizeof(q.channel));
	assert_string_equal(queue_of(f, &q), "hq_c,hq_d");

	/* Age: raised at least min_age_s before now. */
	queue_filter_init(&q, 2000, 50);
	q.min_age_s = 1500;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a");
	q.min_age_s = 100;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d,hq_f");
	q.min_age_s = 101;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d");
	q.min_age_s = -1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);

	/* Escalated, either way. */
	queue_filter_init(&q, 2000, 50);
	q.has_escalated = true;
	q.escalated = true;
	assert_string_equal(queue_of(f, &q), "hq_b");
	q.escalated = false;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_d,hq_f");

	/* Filters combine. */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.channel, "web", sizeof(q.channel));
	q.has_type = true;
	q.type = HOLD_HIGH_VALUE;
	assert_string_equal(queue_of(f, &q), "hq_b,hq_f");
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	q.priority = 2;
	q.has_escalated = true;
	q.escalated = false;
	assert_string_equal(queue_of(f, &q), "hq_f");

	/* Limits. */
	queue_filter_init(&q, 2000, 0);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
	q.limit = STORE_BULK_MAX + 1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
	q.limit = STORE_BULK_MAX;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_false(more);
	q.limit = 5; /* exactly all: no page follows */
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_false(more);
	q.after_seq = -1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
}

/* Paging by (due_at, seq), through three holds due at the same second. */
static void test_queue_paging(void **state)
{
	struct fx *f = *state;
	static const char *const pages[] = {"hq_c,hq_a", "hq_b,hq_d", "hq_f"};
	queue_filter q;
	queue_item *items = NULL;
	char buf[512];
	bool more = false;
	size_t n = 0, i;

	queue_fixture(f);
	queue_filter_init(&q, 2000, 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf),
					   &more, &items, &n),
				 ORDO_OK);
		assert_string_equal(buf, pages[i]);
		assert_int_equal(more, i < 2);
		q.after_due = items[n - 1].hold.due_at;
		q.after_seq = items[n - 1].seq;
		free(items);
	}
	/* After the last item: nothing. */
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   NULL, NULL),
			 ORDO_OK);
	assert_string_equal(buf, "");
	assert_false(more);

	/* One at a time, the cursor inside the run of equal due times. */
	queue_filter_init(&q, 2000, 1);
	buf[0] = '\0';
	{
		char all[512] = "";

		for (;;) {
			assert_int_equal(queue_ids(f, f->ta, &q, buf,
						   sizeof(buf), &more, &items,
						   &n),
					 ORDO_OK);
			assert_int_equal(n, 1);
			if (all[0])
				strcat(all, ",");
			strcat(all, buf);
			q.after_due = items[0].hold.due_at;
			q.after_seq = items[0].seq;
			free(items);
			if (!more)
				break;
		}
		assert_string_equal(all, "hq_c,hq_a,hq_b,hq_d,hq_f");
	}

	/* A filter keeps to the cursor as well. */
	queue_filter_init(&q, 2000, 1);
	q.priority = 1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   &items, &n),
			 ORDO_OK);
	assert_string_equal(buf, "hq_c");
	assert_true(more);
	q.after_due = items[0].hold.due_at;
	q.after_seq = items[0].seq;
	free(items);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_string_equal(buf, "hq_d");
	assert_false(more);
}

struct hold_args {
	const char *id;
	order_hold h;
	char order_id[ORDO_ID_MAX];
};

static ordo_code w_hold_update(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct hold_args *a = w->p;

	return store_hold_update(tx, w->tenant, &a->h, err);
}

/* Read the hold inside the write job (locked where there are row locks),
 * change its mutable fields, write it back. */
static ordo_code w_hold_read_modify(store_tx *tx, struct wctx *w,
				    ordo_err *err)
{
	struct hold_args *a = w->p;
	ordo_code rc;

	rc = store_hold_get(tx, w->tenant, a->id, &a->h, a->order_id, err);
	if (rc)
		return rc;
	a->h.status = HOLD_RESOLVED;
	a->h.priority = 5;
	a->h.due_at = 4242;
	ordo_strlcpy(a->h.assignee, "key:rev", sizeof(a->h.assignee));
	a->h.claimed_at = 3000;
	a->h.claimed_until = 3600;
	a->h.escalated = true;
	ordo_strlcpy(a->h.resolution, "approve", sizeof(a->h.resolution));
	ordo_strlcpy(a->h.resolution_reason, "checked by phone",
		     sizeof(a->h.resolution_reason));
	ordo_strlcpy(a->h.resolved_by, "key:rev", sizeof(a->h.resolved_by));
	a->h.resolved_at = 3300;
	/* Not mutable: not written. */
	ordo_strlcpy(a->h.message, "changed", sizeof(a->h.message));
	ordo_strlcpy(a->h.rule_id, "changed", sizeof(a->h.rule_id));
	return store_hold_update(tx, w->tenant, &a->h, err);
}

static void test_hold_get_update(void **state)
{
	struct fx *f = *state;
	struct hold_args a;
	order_hold h, got, want;
	char order_id[ORDO_ID_MAX];
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	hold_make(&h, "hld_g", HOLD_PRICE_MISMATCH, HOLD_OPEN);
	hold_review_fill(&h, 7);
	h.resolved_at = 0;
	order_with_holds(f, f->ta, "ord_g", "web", &h, 1);

	/* Every field, and the order's id. */
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	hold_equal(&h, &got);
	assert_string_equal(order_id, "ord_g");
	/* Missing, or another tenant's: not found. */
	assert_int_equal(store_hold_get(tx, f->ta, "hld_nope", &got, order_id,
					&err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	assert_int_equal(store_hold_get(tx, f->tb, "hld_g", &got, order_id,
					&err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);

	/* Read and written back in one write job. */
	memset(&a, 0, sizeof(a));
	a.id = "hld_g";
	assert_int_equal(wr(f, f->ta, w_hold_read_modify, &a, &err), ORDO_OK);
	assert_string_equal(a.order_id, "ord_g");
	want = h;
	want.status = HOLD_RESOLVED;
	want.priority = 5;
	want.due_at = 4242;
	ordo_strlcpy(want.assignee, "key:rev", sizeof(want.assignee));
	want.claimed_at = 3000;
	want.claimed_until = 3600;
	want.escalated = true;
	ordo_strlcpy(want.resolution, "approve", sizeof(want.resolution));
	ordo_strlcpy(want.resolution_reason, "checked by phone",
		     sizeof(want.resolution_reason));
	ordo_strlcpy(want.resolved_by, "key:rev", sizeof(want.resolved_by));
	want.resolved_at = 3300;
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	store_read_end(tx);
	hold_equal(&want, &got);

	/* Back to open and unclaimed; the order sees the same hold. */
	memset(&a, 0, sizeof(a));
	a.h = got;
	a.h.status = HOLD_OPEN;
	a.h.assignee[0] = '\0';
	a.h.claimed_until = 0;
	a.h.escalated = false;
	a.h.resolution[0] = '\0';
	a.h.resolved_at = 0;
	assert_int_equal(wr(f, f->ta, w_hold_update, &a, &err), ORDO_OK);
	{
		order o;

		order_init(&o);
		tx = rd(f);
		assert_int_equal(store_order_get(tx, f->ta, "ord_g", &o, &err),
				 ORDO_OK);
		store_read_end(tx);
		assert_int_equal(o.n_holds, 1);
		hold_equal(&a.h, &o.holds[0]);
		order_free(&o);
	}

	/* Another tenant's hold, or none: not found, nothing written. */
	a.h.priority = 4;
	assert_int_equal(wr(f, f->tb, w_hold_update, &a, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	ordo_strlcpy(a.h.id, "hld_nope", sizeof(a.h.id));
	assert_int_equal(wr(f, f->ta, w_hold_update, &a, &err),
			 ORDO_ENOTFOUND);
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.priority, 5);
}

#define CLAIM_THREADS 8
#define CLAIM_HOLDS 48

struct claim_thread {
	store *st;
	int64_t tenant;
	char name[16];
	char hold[ORDO_ID_MAX]; /* the one being claimed */
	int won[CLAIM_HOLDS];
	int failed;
};

/* Claim t->hold for this thread's name unless a live claim holds it:
 * read, check, write back, as the app layer claims. */
static ordo_code job_claim(store_tx *tx, void *arg, ordo_err *err)
{
	struct claim_thread *t = arg;
	char order_id[ORDO_ID_MAX];
	order_hold h;
	ordo_code rc;

	rc = store_hold_get(tx, t->tenant, t->hold, &h, order_id, err);
	if (rc)
		return rc;
	if (h.assignee[0] && h.claimed_until >= 1000)
		return ordo_err_set(err, ORDO_ECONFLICT, "assignee",
				    "claimed by %s", h.assignee);
	ordo_strlcpy(h.assignee, t->name, sizeof(h.assignee));
	if (!h.claimed_at)
		h.claimed_at = 1000;
	h.claimed_until = 1900;
	return store_hold_update(tx, t->tenant, &h, err);
}

static void *claim_thread_main(void *arg)
{
	struct claim_thread *t = arg;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < CLAIM_HOLDS; i++) {
		ordo_code rc;

		snprintf(t->hold, sizeof(t->hold), "hld_race_%d", i);
		rc = store_write(t->st, job_claim, t, &err);
		if (rc == ORDO_OK)
			t->won[i] = 1;
		else if (rc != ORDO_ECONFLICT)
			t->failed++;
	}
	return NULL;
}

/*
 * Claimers of the same holds on two stores (two nodes) at once: of each
 * hold exactly one claimer wins, and the hold names it - the row is locked
 * by store_hold_get in a write job where the database has row locks, the
 * whole database is on SQLite.
 */
static void test_hold_claim_race(void **state)
{
	struct fx *f = *state;
	static struct claim_thread ts[CLAIM_THREADS];
	pthread_t th[CLAIM_THREADS];
	store_options o = test_opts();
	store *second = NULL;
	char order_id[ORDO_ID_MAX];
	order_hold holds[CLAIM_HOLDS], h;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i, k;

	for (k = 0; k < CLAIM_HOLDS; k++) {
		char id[ORDO_ID_MAX];

		snprintf(id, sizeof(id), "hld_race_%d", k);
		hold_make(&holds[k], id, HOLD_RISKY_ORDER, HOLD_OPEN);
	}
	order_with_holds(f, f->ta, "ord_race", "web", holds, CLAIM_HOLDS);
	assert_int_equal(store_open(f->url, &o, &second, &err), ORDO_OK);
	for (i = 0; i < CLAIM_THREADS; i++) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].st = i % 2 ? second : f->st;
		ts[i].tenant = f->ta;
		snprintf(ts[i].name, sizeof(ts[i].name), "rev-%d", i);
		assert_int_equal(pthread_create(&th[i], NULL,
						claim_thread_main, &ts[i]),
				 0);
	}
	for (i = 0; i < CLAIM_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failed, 0);
	}
	store_close(second);
	tx = rd(f);
	for (k = 0; k < CLAIM_HOLDS; k++) {
		int wins = 0, won = -1;

		for (i = 0; i < CLAIM_THREADS; i++) {
			if (ts[i].won[k]) {
				wins++;
				won = i;
			}
		}
		assert_int_equal(wins, 1);
		assert_int_equal(store_hold_get(tx, f->ta, holds[k].id, &h,
						order_id, &err),
				 ORDO_OK);
		assert_string_equal(h.assignee, ts[won].name);
		assert_int_equal(h.claimed_at, 1000);
		assert_int_equal(h.claimed_until, 1900);
	}
	store_read_end(tx);
}

/* ---- review policy versions ---------------------------------------------- */

static ordo_code w_policy_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_policy_insert(tx, w->tenant, w->p, err);
}

/* Two versions inserted in one job: the second sees the first. */
static ordo_code w_policy_insert_two(store_tx *tx, struct wctx *w,
				     ordo_err *err)
{
	policy_version *v = w->p;
	ordo_code rc = store_policy_insert(tx, w->tenant, &v[0], err);

	return rc ? rc : store_policy_insert(tx, w->tenant, &v[1], err);
}

static void policy_make(policy_version *v, const char *doc, const char *by,
			ordo_time at)
{
	memset(v, 0, sizeof(*v));
	v->document = (char *)doc;
	ordo_strlcpy(v->created_by, by, sizeof(v->created_by));
	v->created_at = at;
}

static void test_policy_versions(void **state)
{
	struct fx *f = *state;
	policy_version v, two[2], got, *items = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	/* None yet: not found (the default applies). */
	tx = rd(f);
	assert_int_equal(store_policy_active(tx, f->ta, &got, &err),
			 ORDO_ENOTFOUND);
	assert_null(got.document);
	assert_int_equal(store_policy_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	store_read_end(tx);

	/* Versions count up from 1, per tenant. */
	policy_make(&v, "{\"rules\":[]}", "key:admin", 1700000100);
	assert_int_equal(wr(f, f->ta, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 1);
	policy_make(&v, "{\"rules\":[{\"id\":\"r1\"}]}", "key:admin2",
		    1700000200);
	assert_int_equal(wr(f, f->ta, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 2);
	policy_make(&two[0], "{\"v\":3}", "key:a", 1700000300);
	policy_make(&two[1], "{\"v\":4}", "key:b", 1700000400);
	assert_int_equal(wr(f, f->ta, w_policy_insert_two, two, &err),
			 ORDO_OK);
	assert_int_equal(two[0].version, 3);
	assert_int_equal(two[1].version, 4);
	policy_make(&v, "{\"tenant\":\"b\"}", "key:bolt", 1700000500);
	assert_int_equal(wr(f, f->tb, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 1);
	/* No such tenant. */
	assert_int_equal(wr(f, 999999, w_policy_insert, &v, &err),
			 ORDO_ENOTFOUND);

	tx = rd(f);
	assert_int_equal(store_policy_active(tx, f->ta, &got, &err), ORDO_OK);
	assert_int_equal(got.version, 4);
	assert_string_equal(got.document, "{\"v\":4}");
	assert_string_equal(got.created_by, "key:b");
	assert_int_equal(got.created_at, 1700000400);
	store_policy_version_free(&got);
	assert_null(got.document);
	assert_int_equal(store_policy_active(tx, f->tb, &got, &err), ORDO_OK);
	assert_int_equal(got.version, 1);
	assert_string_equal(got.document, "{\"tenant\":\"b\"}");
	store_policy_version_free(&got);

	/* Newest first, only the tenant's. */
	assert_int_equal(store_policy_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i].version, 4 - (int)i);
	assert_string_equal(items[3].document, "{\"rules\":[]}");
	assert_string_equal(items[3].created_by, "key:admin");
	assert_int_equal(items[3].created_at, 1700000100);
	assert_string_equal(items[2].document, "{\"rules\":[{\"id\":\"r1\"}]}");
	for (i = 0; i < n; i++)
		store_policy_version_free(&items[i]);
	free(items);
	assert_int_equal(store_policy_list(tx, f->tb, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	store_policy_version_free(&items[0]);
	free(items);
	store_read_end(tx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_queue_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_paging, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_get_update, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_claim_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_versions, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
