/*
 * test_outbox.c - webhooks and the outbox: subscribing, emitting events
 * into deliveries, claiming work under a lease, waking idle webhooks, the
 * retention purge of old keys and delivered webhooks, and the delivery
 * status names.
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
#include "store/pg_int.h" /* PG_ROWS_READ_SQL */

/* ---- webhooks ------------------------------------------------------------ */

static ordo_code w_webhook_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_webhook_delete(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_delete(tx, w->tenant, w->p, err);
}

static void webhook_add(struct fx *f, int64_t tenant, const char *id,
			const char *events, const char *location)
{
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	memset(&w, 0, sizeof(w));
	ordo_strlcpy(w.id, id, sizeof(w.id));
	snprintf(w.url, sizeof(w.url), "https://hooks.example.com/%s", id);
	snprintf(w.secret, sizeof(w.secret), "whsec_%s", id);
	ordo_strlcpy(w.events, events, sizeof(w.events));
	ordo_strlcpy(w.location, location, sizeof(w.location));
	w.created_at = 1700000500;
	assert_int_equal(wr(f, tenant, w_webhook_insert, &w, &err), ORDO_OK);
}

static void test_webhooks(void **state)
{
	struct fx *f = *state;
	webhook_sub w, *items = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_1", "order.created,order.updated", "");
	webhook_add(f, f->ta, "wh_2", "fulfillment.released", "WH1");
	webhook_add(f, f->tb, "wh_3", "order.created", "");
	memset(&w, 0, sizeof(w));
	ordo_strlcpy(w.id, "wh_1", sizeof(w.id));
	ordo_strlcpy(w.events, "order.created", sizeof(w.events));
	assert_int_equal(wr(f, f->tb, w_webhook_insert, &w, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	/* Each type is a row of its own: none, an empty one or one named
	 * twice is refused, naming the field, and nothing is left behind. */
	{
		static const char *const bad[] = {
			"", "order.created,,order.updated",
			"order.created,order.created",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			memset(&w, 0, sizeof(w));
			ordo_strlcpy(w.id, "wh_bad", sizeof(w.id));
			ordo_strlcpy(w.events, bad[i], sizeof(w.events));
			assert_int_not_equal(wr(f, f->ta, w_webhook_insert, &w,
						&err),
					     ORDO_OK);
			assert_string_equal(err.field, "events");
		}
	}
	tx = rd(f);
	assert_int_equal(store_webhook_get(tx, f->ta, "wh_bad", &w, &err),
			 ORDO_ENOTFOUND);
	/* Read back in the order given. */
	assert_int_equal(store_webhook_get(tx, f->ta, "wh_1", &w, &err),
			 ORDO_OK);
	assert_string_equal(w.events, "order.created,order.updated");
	store_read_end(tx);

	tx = rd(f);
	assert_int_equal(store_webhook_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "wh_1");
	assert_string_equal(items[0].url, "https://hooks.example.com/wh_1");
	assert_string_equal(items[0].secret, "whsec_wh_1");
	assert_string_equal(items[0].events, "order.created,order.updated");
	assert_string_equal(items[0].location, "");
	assert_int_equal(items[0].created_at, 1700000500);
	assert_string_equal(items[1].id, "wh_2");
	assert_string_equal(items[1].events, "fulfillment.released");
	assert_string_equal(items[1].location, "WH1");
	free(items);
	assert_int_equal(store_webhook_list(tx, f->tb, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "wh_3");
	free(items);
	store_read_end(tx);

	/* Only the owner deletes, once. */
	assert_int_equal(wr(f, f->tb, w_webhook_delete, "wh_1", &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(wr(f, f->ta, w_webhook_delete, "wh_1", &err),
			 ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_webhook_delete, "wh_1", &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	tx = rd(f);
	assert_int_equal(store_webhook_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "wh_2");
	free(items);
	store_read_end(tx);
}

/*
 * An emit reads only the webhooks subscribed to the event's type: a range
 * of the index webhook_events_type, never a scan of the tenant's webhooks
 * matched in C.
 */
static void test_emit_reads_subscriptions_by_index(void **state)
{
	struct fx *f = *state;
	const char *sql = store_statement_sql("webhooks_for_event");
	char *plan;

	assert_non_null(sql);
	assert_null(store_statement_sql("no such statement"));
	webhook_add(f, f->ta, "wh_1", "order.created,order.updated", "");
	plan = test_explain(f, sql, "1, 'order.created', '', ''");
	if (!plan_keyed(plan, "webhook_events_type")) {
		print_error("the emit's query plan:%s", plan);
		free(plan);
		fail();
	}
	free(plan);
}

/* ---- the outbox and deliveries ------------------------------------------- */

struct emit_args {
	outbox_event ev;
	int64_t window;
	size_t n;
};

static ordo_code w_emit(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct emit_args *a = w->p;

	return store_outbox_emit(tx, w->tenant, &a->ev, a->window, &a->n, err);
}

/* Emit an event; returns how many deliveries it made. */
static size_t emit(struct fx *f, int64_t tenant, const char *id,
		   const char *type, const char *order_id,
		   const char *location, ordo_time at)
{
	struct emit_args a;
	char payload[128];
	ordo_err err = ORDO_ERR_INIT;

	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.ev.id, id, sizeof(a.ev.id));
	ordo_strlcpy(a.ev.type, type, sizeof(a.ev.type));
	ordo_strlcpy(a.ev.order_id, order_id, sizeof(a.ev.order_id));
	ordo_strlcpy(a.ev.location, location, sizeof(a.ev.location));
	snprintf(payload, sizeof(payload), "{\"id\":\"%s\",\"type\":\"%s\"}",
		 id, type);
	a.ev.payload = payload;
	a.ev.created_at = at;
	a.window = 1000;
	assert_int_equal(wr(f, tenant, w_emit, &a, &err), ORDO_OK);
	return a.n;
}

static void deliveries_free_all(delivery *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_delivery_free(&items[i]);
	free(items);
}

/* Every delivery of a tenant, newest first. */
static size_t deliveries_all(struct fx *f, int64_t tenant, delivery **out)
{
	store_tx *tx = rd(f);
	int64_t next = 0;
	size_t n = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_delivery_list(tx, tenant, false,
					     DELIVERY_PENDING, 0,
					     STORE_LIST_MAX, out, &n, &next,
					     &err),
			 ORDO_OK);
	assert_int_equal(next, 0);
	store_read_end(tx);
	return n;
}

/* The one delivery of event_id to webhook_id. */
static void delivery_find(struct fx *f, int64_t tenant, const char *event_id,
			  const char *webhook_id, delivery *out)
{
	delivery *items = NULL;
	size_t n = deliveries_all(f, tenant, &items), i, found = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(items[i].event_id, event_id) == 0 &&
		    strcmp(items[i].webhook_id, webhook_id) == 0) {
			*out = items[i];
			found++;
		}
	}
	assert_int_equal(found, 1);
	deliveries_free_all(items, n);
}

/* Whether some delivery of event_id went to webhook_id. */
static bool delivered_to(const delivery *items, size_t n,
			 const char *event_id, const char *webhook_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].event_id, event_id) == 0 &&
		    strcmp(items[i].webhook_id, webhook_id) == 0)
			return true;
	return false;
}

static void test_outbox_emit(void **state)
{
	struct fx *f = *state;
	struct emit_args a;
	delivery *items = NULL, d;
	size_t n;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_all", "order.created, order.updated", "");
	webhook_add(f, f->ta, "wh_ful", "fulfillment.released", "");
	webhook_add(f, f->ta, "wh_wh1", "order.created,fulfillment.released",
		    "WH1");
	/* Names that only look alike never match. */
	webhook_add(f, f->ta, "wh_near", "order.create,order.created.x,order",
		    "");
	webhook_add(f, f->tb, "wh_b", "order.created", "");

	/* An order event: not for the location-bound webhook. */
	assert_int_equal(emit(f, f->ta, "evt_1", "order.created", "ord_1", "",
			      100),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_2", "fulfillment.released",
			      "ord_1", "WH1", 110),
			 2);
	assert_int_equal(emit(f, f->ta, "evt_3", "fulfillment.released",
			      "ord_1", "WH2", 120),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_4", "order.updated", "", "", 130),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_5", "order.cancelled", "ord_1",
			      "", 140),
			 0);
	assert_int_equal(emit(f, f->tb, "evt_6", "order.created", "ord_b", "",
			      150),
			 1);

	n = deliveries_all(f, f->ta, &items);
	assert_int_equal(n, 5);
	assert_true(delivered_to(items, n, "evt_1", "wh_all"));
	assert_true(delivered_to(items, n, "evt_2", "wh_ful"));
	assert_true(delivered_to(items, n, "evt_2", "wh_wh1"));
	assert_true(delivered_to(items, n, "evt_3", "wh_ful"));
	assert_true(delivered_to(items, n, "evt_4", "wh_all"));
	assert_false(delivered_to(items, n, "evt_6", "wh_b"));
	deliveries_free_all(items, n);
	n = deliveries_all(f, f->tb, &items);
	assert_int_equal(n, 1);
	assert_true(delivered_to(items, n, "evt_6", "wh_b"));
	deliveries_free_all(items, n);

	delivery_find(f, f->ta, "evt_2", "wh_wh1", &d);
	assert_int_equal(strncmp(d.id, "dlv_", 4), 0);
	assert_int_equal(strlen(d.id), 30);
	assert_true(d.seq > 0);
	assert_int_equal(d.tenant_id, f->ta);
	assert_string_equal(d.event_type, "fulfillment.released");
	assert_string_equal(d.order_id, "ord_1");
	assert_int_equal(d.status, DELIVERY_PENDING);
	assert_int_equal(d.attempts, 0);
	assert_int_equal(d.last_status, 0);
	assert_string_equal(d.last_error, "");
	assert_int_equal(d.next_attempt_at, 110);
	assert_int_equal(d.retry_until, 1110);
	assert_int_equal(d.claimed_until, 0);
	assert_int_equal(d.delivered_at, 0);
	assert_int_equal(d.created_at, 110);
	assert_null(d.payload);

	/* An event id is used once. */
	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.ev.id, "evt_1", sizeof(a.ev.id));
	ordo_strlcpy(a.ev.type, "order.created", sizeof(a.ev.type));
	a.ev.payload = "{}";
	assert_int_equal(wr(f, f->ta, w_emit, &a, &err), ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
}

struct claim_args {
	ordo_time now;
	ordo_time lease;
	int limit;
	ordo_time idle; /* until when a webhook with nothing is idle; 0: now + 1 */
	outbox_claim c;
	int64_t rows_read; /* the claim's own work */
};

static ordo_code w_claim(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct claim_args *a = w->p;
	int64_t before = 0, after = 0;
	ordo_code rc = store_tx_rows_read(tx, &before, err);

	if (rc == ORDO_OK)
		rc = store_outbox_claim(tx, a->now, a->lease,
					a->idle ? a->idle : a->now + 1,
					a->limit, &a->c, err);
	if (rc == ORDO_OK)
		rc = store_tx_rows_read(tx, &after, err);
	/* What the store reports is what the database counted. */
	if (rc == ORDO_OK)
		assert_int_equal(a->c.rows_read, after - before);
	a->rows_read = after - before;
	return rc;
}

static ordo_code w_delivery_update(store_tx *tx, struct wctx *w,
				   ordo_err *err)
{
	return store_delivery_update(tx, w->p, err);
}

static ordo_code w_webhook_record(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_record(tx, w->tenant, w->p, err);
}

struct resume_args {
	const char *id;
	ordo_time now;
};

static ordo_code w_webhook_resume(store_tx *tx, struct wctx *w,
				  ordo_err *err)
{
	struct resume_args *a = w->p;

	return store_webhook_resume(tx, w->tenant, a->id, a->now, err);
}

/* Run fn as the outbox does: its own transaction, not the committer's. */
static ordo_code ob(struct fx *f, int64_t tenant,
		    ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err),
		    void *p, ordo_err *err)
{
	struct wctx w = {.f = f, .fn = fn, .p = p, .tenant = tenant};

	return store_outbox_run(f->st, wctx_run, &w, err);
}

/* Claim at now; "webhook: event ids in order", or "" for nothing. */
static void claim(struct fx *f, ordo_time now, ordo_time lease,
		  const char *want)
{
	struct claim_args a = {.now = now, .lease = lease, .limit = 50};
	char got[256] = "";
	size_t i, len = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
	if (a.c.n)
		len += (size_t)snprintf(got, sizeof(got), "%s:",
					a.c.hook.id);
	for (i = 0; i < a.c.n; i++) {
		const delivery *d = &a.c.items[i];
		char payload[128];

		assert_int_equal(d->status, DELIVERY_PENDING);
		assert_int_equal(d->tenant_id, a.c.tenant_id);
		assert_string_equal(d->webhook_id, a.c.hook.id);
		snprintf(payload, sizeof(payload),
			 "{\"id\":\"%s\",\"type\":\"%s\"}", d->event_id,
			 d->event_type);
		assert_non_null(d->payload);
		assert_string_equal(d->payload, payload);
		assert_int_equal(strncmp(d->url, "https://hooks.example.com/",
					 26),
				 0);
		assert_string_equal(d->url + 26, d->webhook_id);
		assert_int_equal(strncmp(d->secret, "whsec_", 6), 0);
		len += (size_t)snprintf(got + len, sizeof(got) - len, " %s",
					d->event_id);
		assert_true(len < sizeof(got));
	}
	if (a.c.n)
		assert_int_equal(a.c.hook.next_attempt_at, lease);
	store_outbox_claim_free(&a.c);
	assert_string_equal(got, want);
}

/* The webhook as the store has it. */
static void webhook_get(struct fx *f, int64_t tenant, const char *id,
			webhook_sub *w)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_webhook_get(tx, tenant, id, w, &err), ORDO_OK);
	store_read_end(tx);
}

/* Set when the webhook may next be sent to (releasing or backing off). */
static void webhook_next(struct fx *f, int64_t tenant, const char *id,
			 ordo_time at)
{
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	webhook_get(f, tenant, id, &w);
	w.next_attempt_at = at;
	assert_int_equal(ob(f, tenant, w_webhook_record, &w, &err), ORDO_OK);
}

/* Write back d (found by event and webhook) as delivered or failed. */
static void delivery_finish(struct fx *f, int64_t tenant, const char *event_id,
			    const char *webhook_id, delivery_status status,
			    ordo_time at)
{
	delivery d;
	ordo_err err = ORDO_ERR_INIT;

	delivery_find(f, tenant, event_id, webhook_id, &d);
	d.status = status;
	d.attempts++;
	d.last_status = status == DELIVERY_DELIVERED ? 200 : 500;
	ordo_strlcpy(d.last_error, status == DELIVERY_DELIVERED ? "" : "boom",
		     sizeof(d.last_error));
	d.delivered_at = status == DELIVERY_DELIVERED ? at : 0;
	assert_int_equal(ob(f, tenant, w_delivery_update, &d, &err), ORDO_OK);
}

struct purge_args {
	ordo_time idem_before, delivered_before;
	int64_t purged;
};

static ordo_code w_purge(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct purge_args *a = w->p;

	return store_purge(tx, a->idem_before, a->delivered_before,
			   &a->purged, err);
}

/*
 * One transaction: an event nobody hears of is not stored; a webhook added
 * in the same transaction hears of the next one at once (the transaction's
 * memory of who subscribes is forgotten when a webhook is written).
 */
static ordo_code w_subscribe_midway(store_tx *tx, struct wctx *w,
				    ordo_err *err)
{
	size_t *made = w->p;
	outbox_event ev;
	webhook_sub hook;
	bool any = true;
	char payload[] = "{}";
	ordo_code rc;

	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.id, "evt_mid1", sizeof(ev.id));
	ordo_strlcpy(ev.type, "order.midway", sizeof(ev.type));
	ev.payload = payload;
	ev.created_at = 100;
	rc = store_outbox_subscribed(tx, w->tenant, ev.type, "", NULL, &any,
				     err);
	if (rc || any)
		return rc ? rc : ORDO_EINTERNAL;
	rc = store_outbox_emit(tx, w->tenant, &ev, 1000, &made[0], err);
	if (rc)
		return rc;
	memset(&hook, 0, sizeof(hook));
	ordo_strlcpy(hook.id, "wh_mid", sizeof(hook.id));
	ordo_strlcpy(hook.url, "https://hooks.example.com/mid",
		     sizeof(hook.url));
	ordo_strlcpy(hook.secret, "whsec_mid", sizeof(hook.secret));
	ordo_strlcpy(hook.events, "order.midway", sizeof(hook.events));
	hook.created_at = 100;
	rc = store_webhook_insert(tx, w->tenant, &hook, err);
	if (rc)
		return rc;
	rc = store_outbox_subscribed(tx, w->tenant, ev.type, "", NULL, &any,
				     err);
	if (rc || !any)
		return rc ? rc : ORDO_EINTERNAL;
	ordo_strlcpy(ev.id, "evt_mid2", sizeof(ev.id));
	return store_outbox_emit(tx, w->tenant, &ev, 1000, &made[1], err);
}

static void test_unheard_events_are_not_stored(void **state)
{
	struct fx *f = *state;
	struct purge_args a = {.idem_before = 0, .delivered_before = 1000000};
	size_t made[2] = {9, 9};
	delivery d;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(wr(f, f->ta, w_subscribe_midway, made, &err),
			 ORDO_OK);
	assert_int_equal(made[0], 0);
	assert_int_equal(made[1], 1);
	delivery_find(f, f->ta, "evt_mid2", "wh_mid", &d);
	/* Nothing is left of the first event to purge, however old: only
	 * the second is stored, and its delivery still needs it. */
	assert_int_equal(wr(f, f->ta, w_purge, &a, &err), ORDO_OK);
	assert_int_equal(a.purged, 0);
}

static void idem_at(struct fx *f, const char *key, ordo_time at)
{
	store_idempotency rec;
	char body[] = "{}";
	ordo_err err = ORDO_ERR_INIT;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, key, sizeof(rec.key));
	memset(rec.request_hash, 'd', 64);
	rec.status = 201;
	rec.body = body;
	rec.created_at = at;
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
}

/* Retention forgets old keys and delivered webhooks, nothing else. */
static void test_purge(void **state)
{
	struct fx *f = *state;
	struct purge_args a = {.idem_before = 2000, .delivered_before = 300};
	store_idempotency got;
	delivery *items = NULL;
	int64_t next = 0;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_p", "e", "");
	emit(f, f->ta, "ev_p1", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev_p2", "e", "ord_2", "", 110);
	emit(f, f->ta, "ev_p3", "nobody-listens", "ord_3", "", 50);
	delivery_finish(f, f->ta, "ev_p1", "wh_p", DELIVERY_DELIVERED, 200);
	delivery_finish(f, f->ta, "ev_p2", "wh_p", DELIVERY_FAILED, 210);
	idem_at(f, "old-key", 100);
	idem_at(f, "new-key", 5000);

	assert_int_equal(wr(f, f->ta, w_purge, &a, &err), ORDO_OK);
	/* The old key, ev_p1's delivery, and the event ev_p1, which no
	 * delivery needs any more (ev_p3, heard of by nobody, was never
	 * stored). */
	assert_int_equal(a.purged, 3);
	tx = rd(f);
	assert_int_equal(store_idempotency_get(tx, f->ta, "old-key", &got,
					       &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_idempotency_get(tx, f->ta, "new-key", &got,
					       &err),
			 ORDO_OK);
	store_idempotency_free(&got);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_DELIVERED, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	/* A failed delivery stays, to be sent again. */
	assert_int_equal(store_delivery_list(tx, f->ta, true, DELIVERY_FAILED,
					     0, 10, &items, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	deliveries_free_all(items, n);
	store_read_end(tx);
	a.purged = -1;
	assert_int_equal(wr(f, f->ta, w_purge, &a, &err), ORDO_OK);
	assert_int_equal(a.purged, 0);
}

static void test_delivery_claim(void **state)
{
	struct fx *f = *state;
	struct claim_args a = {.now = 1, .lease = 2, .limit = 1};
	struct resume_args ra = {.id = "wh_a", .now = 900};
	char id[ORDO_ID_MAX];
	delivery d, *items = NULL;
	webhook_sub w;
	outbox_claim c;
	int64_t next = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_a", "e", "");
	webhook_add(f, f->tb, "wh_b", "e", "");
	webhook_add(f, f->ta, "wh_idle", "other", "");
	/* ev1, ev2: one order to one webhook, in this order. ev3, ev6: the
	 * same for another order. ev4: no order. ev5: tenant B. */
	emit(f, f->ta, "ev1", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev2", "e", "ord_1", "", 110);
	emit(f, f->ta, "ev3", "e", "ord_2", "", 105);
	emit(f, f->ta, "ev4", "e", "", "", 300);
	emit(f, f->tb, "ev5", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev6", "e", "ord_2", "", 106);

	/* One webhook per claim, the longest waiting first, any tenant, with
	 * the first ready delivery of each order: ev2 and ev6 wait. A
	 * webhook with nothing ready (wh_idle) is passed over and set to
	 * look again later. */
	claim(f, 200, 260, "wh_a: ev1 ev3 ev4");
	claim(f, 201, 270, "wh_b: ev5");
	/* Tenant B's receiver backs off for long: out of the way below. */
	webhook_next(f, f->tb, "wh_b", 100000);
	/* Leased: no other sender while the lease lives. */
	claim(f, 210, 280, "");
	webhook_get(f, f->ta, "wh_idle", &w);
	assert_int_equal(w.next_attempt_at, 211);
	claim(f, 259, 280, "");
	/* The lease ran out, the deliveries still pending: claimed again. */
	claim(f, 260, 320, "wh_a: ev1 ev3 ev4");

	/* ev1 delivered: ev2 is ready; ev6 still waits for ev3. */
	delivery_finish(f, f->ta, "ev1", "wh_a", DELIVERY_DELIVERED, 262);
	webhook_next(f, f->ta, "wh_a", 262);
	claim(f, 262, 330, "wh_a: ev2 ev3 ev4");
	/* ev3 failed for good: ev6 is ready. */
	delivery_finish(f, f->ta, "ev3", "wh_a", DELIVERY_FAILED, 263);
	webhook_next(f, f->ta, "wh_a", 263);
	claim(f, 263, 340, "wh_a: ev2 ev4 ev6");

	/* The update wrote everything back and cleared the claim. */
	delivery_find(f, f->ta, "ev1", "wh_a", &d);
	assert_int_equal(d.status, DELIVERY_DELIVERED);
	assert_int_equal(d.attempts, 1);
	assert_int_equal(d.last_status, 200);
	assert_int_equal(d.delivered_at, 262);
	assert_int_equal(d.claimed_until, 0);
	delivery_find(f, f->ta, "ev3", "wh_a", &d);
	assert_int_equal(d.status, DELIVERY_FAILED);
	assert_string_equal(d.last_error, "boom");
	assert_int_equal(d.last_status, 500);

	/* A failing receiver: the webhook backs off as a whole, whatever
	 * its deliveries; its state is kept. */
	webhook_get(f, f->ta, "wh_a", &w);
	w.failures = 2;
	w.failing_since = 263;
	w.next_attempt_at = 500;
	ordo_strlcpy(w.last_error, "no answer within 500 ms",
		     sizeof(w.last_error));
	assert_int_equal(ob(f, f->ta, w_webhook_record, &w, &err), ORDO_OK);
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	d.attempts = 1;
	d.last_status = 0;
	ordo_strlcpy(d.last_error, "no answer within 500 ms",
		     sizeof(d.last_error));
	d.next_attempt_at = 500;
	d.retry_until = 9999;
	assert_int_equal(ob(f, f->ta, w_delivery_update, &d, &err), ORDO_OK);
	claim(f, 499, 600, "");
	webhook_get(f, f->ta, "wh_a", &w);
	assert_int_equal(w.failures, 2);
	assert_int_equal(w.failing_since, 263);
	assert_string_equal(w.last_error, "no answer within 500 ms");
	assert_false(w.paused);
	claim(f, 500, 600, "wh_a: ev2 ev4 ev6");

	/* Paused: never claimed, however due, until resumed. */
	webhook_get(f, f->ta, "wh_a", &w);
	w.paused = true;
	w.paused_at = 700;
	w.next_attempt_at = 700;
	assert_int_equal(ob(f, f->ta, w_webhook_record, &w, &err), ORDO_OK);
	claim(f, 800, 850, "");
	webhook_get(f, f->ta, "wh_a", &w);
	assert_true(w.paused);
	assert_int_equal(w.paused_at, 700);
	ra.id = "wh_b";
	assert_int_equal(wr(f, f->ta, w_webhook_resume, &ra, &err),
			 ORDO_ENOTFOUND);
	ra.id = "wh_a";
	assert_int_equal(wr(f, f->ta, w_webhook_resume, &ra, &err), ORDO_OK);
	webhook_get(f, f->ta, "wh_a", &w);
	assert_false(w.paused);
	assert_int_equal(w.paused_at, 0);
	assert_int_equal(w.failures, 0);
	assert_int_equal(w.failing_since, 0);
	assert_string_equal(w.last_error, "");
	assert_int_equal(w.next_attempt_at, 900);
	claim(f, 899, 950, "");
	claim(f, 900, 950, "wh_a: ev2 ev4 ev6");

	/* Tenancy: get and update are the owner's only. */
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	ordo_strlcpy(id, d.id, sizeof(id));
	tx = rd(f);
	assert_int_equal(store_delivery_get(tx, f->ta, id, &d, &err), ORDO_OK);
	assert_string_equal(d.id, id);
	assert_string_equal(d.event_id, "ev2");
	assert_int_equal(d.attempts, 1);
	assert_int_equal(d.retry_until, 9999);
	assert_int_equal(d.next_attempt_at, 500);
	assert_string_equal(d.last_error, "no answer within 500 ms");
	assert_null(d.payload);
	assert_int_equal(store_delivery_get(tx, f->tb, id, &d, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_delivery_get(tx, f->ta, "dlv_nope", &d, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_webhook_get(tx, f->tb, "wh_a", &w, &err),
			 ORDO_ENOTFOUND);
	/* A claim needs a write transaction. */
	assert_int_equal(store_outbox_claim(tx, 1, 2, 2, 1, &c, &err),
			 ORDO_EINTERNAL);
	store_read_end(tx);
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	d.tenant_id = f->tb;
	assert_int_equal(ob(f, f->tb, w_delivery_update, &d, &err),
			 ORDO_ENOTFOUND);
	a.limit = 0;
	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_EINVALID);

	/* Deleting a webhook fails its pending deliveries: never claimed. */
	emit(f, f->tb, "ev7", "e", "ord_9", "", 700);
	assert_int_equal(wr(f, f->tb, w_webhook_delete, "wh_b", &err),
			 ORDO_OK);
	claim(f, 10000, 10100, "wh_a: ev2 ev4 ev6");
	claim(f, 10001, 10100, "");
	delivery_find(f, f->tb, "ev7", "wh_b", &d);
	assert_int_equal(d.status, DELIVERY_FAILED);

	/* The list: by status, newest first, paged. */
	tx = rd(f);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_PENDING, 0, 2, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].event_id, "ev6");
	assert_string_equal(items[1].event_id, "ev4");
	assert_int_equal(next, items[1].seq);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_PENDING, next, 2, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "ev2");
	assert_int_equal(next, 0);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_DELIVERED, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "ev1");
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, false,
					     DELIVERY_PENDING, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 5);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->tb, true, DELIVERY_FAILED,
					     0, 10, &items, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].event_id, "ev7");
	assert_string_equal(items[0].last_error, "the webhook was deleted");
	assert_string_equal(items[1].event_id, "ev5");
	assert_string_equal(items[1].last_error, "the webhook was deleted");
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, false,
					     DELIVERY_PENDING, 0, 0, &items,
					     &n, &next, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

struct emit_many_args {
	const char *prefix; /* event ids: prefix + number */
	int from, count;
	int per_order; /* events per order id */
};

/* Many events of tenant w->tenant in one job: a backlog, made quickly. */
static ordo_code w_emit_many(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct emit_many_args *a = w->p;
	ordo_code rc = ORDO_OK;
	int i;

	for (i = a->from; rc == ORDO_OK && i < a->from + a->count; i++) {
		outbox_event ev;
		size_t n;

		memset(&ev, 0, sizeof(ev));
		snprintf(ev.id, sizeof(ev.id), "%s%d", a->prefix, i);
		ordo_strlcpy(ev.type, "e", sizeof(ev.type));
		snprintf(ev.order_id, sizeof(ev.order_id), "ord_%s%d",
			 a->prefix, i / a->per_order);
		ev.payload = "{}";
		ev.created_at = 100;
		rc = store_outbox_emit(tx, w->tenant, &ev, 100000, &n, err);
	}
	return rc;
}

/* The work of a claim that finds tenant B's webhook with one delivery. */
static int64_t claim_work(struct fx *f, const char *event_id)
{
	struct claim_args a = {.now = 1000, .lease = 1060, .limit = 4};
	ordo_err err = ORDO_ERR_INIT;

	emit(f, f->tb, event_id, "e", "", "", 100);
	webhook_next(f, f->tb, "wh_live", 0);
	assert_int_equal(ob(f, f->tb, w_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.c.n, 1);
	assert_string_equal(a.c.hook.id, "wh_live");
	assert_string_equal(a.c.items[0].event_id, event_id);
	store_outbox_claim_free(&a.c);
	/* Sent: delivered, so the next measure starts alike. */
	delivery_finish(f, f->tb, event_id, "wh_live", DELIVERY_DELIVERED,
			1000);
	assert_true(a.rows_read > 0);
	return a.rows_read;
}

/*
 * A claim costs the same whatever the backlog of a failing webhook of
 * another tenant: measured in the work the database did (rows read, or
 * SQLite's VM steps), not in time. With the backlog scanned (as a NOT
 * EXISTS over earlier deliveries did) the big case costs thousands of
 * times more.
 */
/*
 * A webhook whose claim found nothing is idle for long, and an event for
 * it makes it due at once: no poll stands between an event and its send.
 * A webhook leased to a sender (or backing off) keeps its time.
 */
static void test_idle_webhook_wakes_on_emit(void **state)
{
	struct fx *f = *state;
	struct claim_args a = {
		.now = 1000, .lease = 1100, .limit = 50, .idle = 5000};
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_w", "e", "");
	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.c.n, 0);
	store_outbox_claim_free(&a.c);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 5000);

	emit(f, f->ta, "evw1", "e", "ord_w", "", 1010);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 1010);
	claim(f, 1011, 1100, "wh_w: evw1");

	/* Leased: another event does not make it due before the lease
	 * ends (one sender per webhook). */
	emit(f, f->ta, "evw2", "e", "ord_v", "", 1020);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 1100);
	claim(f, 1021, 1200, "");
}

/* An emit whose transaction claims in the middle (on the outbox's own
 * connection), as another writer's commit can come after a claim read. */
struct emit_then_claim {
	struct emit_args e;
	struct claim_args c;
	ordo_code claim_rc;
};

static ordo_code w_emit_then_claim(store_tx *tx, struct wctx *w,
				   ordo_err *err)
{
	struct emit_then_claim *a = w->p;
	ordo_err cerr = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_outbox_emit(tx, w->tenant, &a->e.ev, a->e.window, &a->e.n,
			       err);
	if (rc == ORDO_OK)
		a->claim_rc = ob(w->f, w->tenant, w_claim, &a->c, &cerr);
	return rc;
}

/*
 * With several writers (PostgreSQL), a claim that cannot see an emit not
 * yet committed must not set the webhook idle for long, or the emit's
 * wake-up, run before the claim, is lost and its delivery waits for the
 * safety net: it stays due instead (see WAKING in sql_outbox.c), found by
 * the next claim even on a clock that stands still.
 */
static void test_a_wake_in_flight_is_not_lost(void **state)
{
	struct fx *f = *state;
	struct emit_then_claim a;
	char payload[64] = "{\"id\":\"evr\",\"type\":\"e\"}";
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	if (!test_pg_url())
		skip(); /* one writer at a time: nothing is in flight */
	webhook_add(f, f->ta, "wh_r", "e", "");
	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.e.ev.id, "evr", sizeof(a.e.ev.id));
	ordo_strlcpy(a.e.ev.type, "e", sizeof(a.e.ev.type));
	ordo_strlcpy(a.e.ev.order_id, "ord_r", sizeof(a.e.ev.order_id));
	a.e.ev.payload = payload;
	a.e.ev.created_at = 2000;
	a.e.window = 1000;
	a.c.now = 2000;
	a.c.lease = 2100;
	a.c.limit = 50;
	a.c.idle = 9000;
	assert_int_equal(wr(f, f->ta, w_emit_then_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.claim_rc, ORDO_OK);
	assert_int_equal(a.c.c.n, 0); /* the delivery was not visible */
	store_outbox_claim_free(&a.c.c);
	webhook_get(f, f->ta, "wh_r", &w);
	assert_int_equal(w.next_attempt_at, 2000);
	claim(f, 2000, 2100, "wh_r: evr");
}

static void test_claim_work_is_flat(void **state)
{
	struct fx *f = *state;
	struct emit_many_args m = {.prefix = "dead", .per_order = 3};
	int64_t small, big;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_dead", "e", "");
	webhook_add(f, f->tb, "wh_live", "e", "");
	/* Tenant A's receiver is dead: its webhook backs off. */
	m.from = 0;
	m.count = 10;
	assert_int_equal(wr(f, f->ta, w_emit_many, &m, &err), ORDO_OK);
	webhook_next(f, f->ta, "wh_dead", 1000000);
	small = claim_work(f, "live1");

	/* Thousands more wait for it, ready and waiting. */
	m.from = 10;
	m.count = 3000;
	assert_int_equal(wr(f, f->ta, w_emit_many, &m, &err), ORDO_OK);
	big = claim_work(f, "live2");
	print_message("claim work: %lld with 10 deliveries waiting, %lld with "
		      "3010\n",
		      (long long)small, (long long)big);
	if (big > small + small / 2 + 20)
		fail_msg("a claim read %lld with 3010 deliveries waiting for "
			 "another tenant's failing webhook, %lld with 10",
			 (long long)big, (long long)small);
	/* And the failing webhook itself is never claimed meanwhile. */
	{
		struct claim_args a = {.now = 1001, .lease = 1060,
				       .limit = 4};

		assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
		assert_int_equal(a.c.n, 0);
		store_outbox_claim_free(&a.c);
	}
}

/*
 * The measure of a claim's work (store_tx_rows_read) counts what
 * pg_stat_xact_user_tables counts, reading fewer counters.
 */
static void test_the_work_measure_is_the_views(void **state)
{
	struct fx *f = *state;
	const char *url = test_pg_url();
	PGconn *c;
	PGresult *view, *ours;
	char sql[128];

	if (!url)
		skip(); /* SQLite counts its own steps */
	c = test_pg_connect(f->url);
	test_pg_exec(c, "BEGIN");
	test_pg_exec(c, "SELECT count(*) FROM webhooks");
	snprintf(sql, sizeof(sql), "SELECT slug FROM tenants WHERE id = %lld",
		 (long long)f->ta);
	test_pg_exec(c, sql);
	test_pg_exec(c, "SELECT count(*) FROM tenants WHERE id > 0");
	view = PQexec(c, "SELECT coalesce(sum(seq_tup_read + "
			 "coalesce(idx_tup_fetch, 0)), 0) "
			 "FROM pg_stat_xact_user_tables");
	ours = PQexec(c, PG_ROWS_READ_SQL);
	assert_int_equal(PQresultStatus(view), PGRES_TUPLES_OK);
	assert_int_equal(PQresultStatus(ours), PGRES_TUPLES_OK);
	assert_true(atoll(PQgetvalue(view, 0, 0)) >= 3);
	assert_string_equal(PQgetvalue(ours, 0, 0), PQgetvalue(view, 0, 0));
	PQclear(view);
	PQclear(ours);
	PQfinish(c);
}

static void test_delivery_status_names(void **state)
{
	delivery_status s;

	(void)state;
	assert_string_equal(delivery_status_name(DELIVERY_PENDING), "pending");
	assert_string_equal(delivery_status_name(DELIVERY_DELIVERED),
			    "delivered");
	assert_string_equal(delivery_status_name(DELIVERY_FAILED), "failed");
	assert_int_equal(delivery_status_parse("failed", &s), 0);
	assert_int_equal(s, DELIVERY_FAILED);
	assert_int_equal(delivery_status_parse("delivered", &s), 0);
	assert_int_equal(s, DELIVERY_DELIVERED);
	assert_int_equal(delivery_status_parse("nope", &s), -1);
	store_delivery_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_unheard_events_are_not_stored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhooks, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_emit_reads_subscriptions_by_index, setup,
			teardown),
		cmocka_unit_test_setup_teardown(test_outbox_emit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delivery_claim, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idle_webhook_wakes_on_emit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_wake_in_flight_is_not_lost,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_work_is_flat, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_the_work_measure_is_the_views,
						setup, teardown),
		cmocka_unit_test(test_delivery_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
