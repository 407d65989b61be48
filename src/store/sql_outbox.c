/*
 * sql_outbox.c - the outbox events emitted for webhooks, and their
 * deliveries: emit (one delivery per webhook subscribed to the event,
 * queued per lane of webhook and order), the claim a sender makes (a
 * webhook due, its ready deliveries, its lease), and the record of each
 * attempt. The claim and its lease are the scans across tenants by design.
 * The webhooks themselves and their subscriptions are sql_webhooks.c's.
 * See store.h for the contract of each public function.
 */
#include "core/ids.h"
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* What an attempt changes of a delivery (delivery_course_fields; p: a
 * table alias and its dot, or ""). */
#define SQL_DELIVERY_COURSE_COLS_OF(p)                                         \
	p "status, " p "attempts, " p "last_status, " p "last_error, "         \
	p "next_attempt_at, " p "retry_until, " p "delivered_at"
#define SQL_DELIVERY_COLS                                                      \
	"d.seq, d.id, d.tenant_id, d.webhook_id, d.event_id, d.event_type, "   \
	"d.order_id, " SQL_DELIVERY_COURSE_COLS_OF("d.") ", d.claimed_until, " \
	"d.created_at"
/*
 * Up to ? webhooks due at ? (status bound first), the longest-waiting
 * first: the outbox's round robin. The PostgreSQL variant
 * (SQL_WEBHOOK_DUE_LOCKED) appends the row lock.
 */
#define SQL_WEBHOOK_DUE_TEXT                                                   \
	"SELECT seq, tenant_id, " SQL_WEBHOOK_COLS ", "                        \
	SQL_WEBHOOK_STATE_COLS " FROM webhooks "                               \
	"WHERE status = ? AND next_attempt_at <= ? "                           \
	"ORDER BY next_attempt_at, seq LIMIT ?"

Q_ENUM_NAMES(delivery_status_codec, delivery_status, delivery_status_name,
	     delivery_status_parse);

/* SQL_DELIVERY_COLS from d.id to d.order_id. */
static const struct q_field delivery_head_fields[] = {
	Q_TEXT(delivery, id),	      Q_I64(delivery, tenant_id),
	Q_TEXT(delivery, webhook_id), Q_TEXT(delivery, event_id),
	Q_TEXT(delivery, event_type), Q_TEXT(delivery, order_id),
};

static const struct q_field delivery_course_fields[] = {
	Q_ENUM(delivery, status, &delivery_status_codec),
	Q_INT(delivery, attempts),
	Q_INT(delivery, last_status),
	Q_TEXT(delivery, last_error),
	Q_I64(delivery, next_attempt_at),
	Q_I64(delivery, retry_until),
	Q_I64(delivery, delivered_at),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_WEBHOOK_DUE] = SQL_WEBHOOK_DUE_TEXT,
	/*
	 * POSTGRESQL HOOK: the claim for drivers with row_locks (db.h).
	 * Several nodes claim at once there; each locks the webhook it chose
	 * and skips those another node holds, so no webhook has two senders
	 * and nobody waits. The lease (SQL_WEBHOOK_SET_NEXT) is written in
	 * the same transaction. Never prepared on SQLite.
	 */
	[SQL_WEBHOOK_DUE_LOCKED] = SQL_WEBHOOK_DUE_TEXT " FOR UPDATE SKIP LOCKED",
	/* seq comes from the claim just made (any tenant, by design). */
	[SQL_WEBHOOK_SET_NEXT] = "UPDATE webhooks SET next_attempt_at = ?, "
				 "idle = ? "
				 "WHERE seq = ?",
	/*
	 * An idle webhook (its last claim found nothing to send) is due at
	 * once when it is given something: binds now, tenant, id. Only an
	 * idle one: a webhook backing off or leased to a sender keeps its
	 * time. On PostgreSQL the row is locked only when it matches, so
	 * writers meet here only when a webhook wakes.
	 */
	[SQL_WEBHOOK_WAKE] = "UPDATE webhooks SET idle = 0, next_attempt_at = ? "
			     "WHERE tenant_id = ? AND id = ? AND idle = 1",
	/*
	 * The webhooks subscribed to an event type, of any location or of
	 * the event's, leaving out one (bound "" for none): binds tenant,
	 * type, location, the webhook left out. One range of
	 * webhook_events_type, then one probe of each webhook by its unique
	 * id; at most ORDO_WEBHOOKS_MAX rows are sorted. A subscription row
	 * has its webhook's tenant (written together), so the webhook is not
	 * matched on the tenant again: that would let SQLite walk the
	 * tenant's webhooks (webhooks_tenant) instead.
	 */
	[SQL_WEBHOOKS_FOR_EVENT] = "SELECT w.id FROM webhook_events e "
				   "JOIN webhooks w ON w.id = e.webhook_id "
				   "WHERE e.tenant_id = ? "
				   "AND e.event_type = ? "
				   "AND (w.location = '' OR w.location = ?) "
				   "AND w.id <> ? "
				   "ORDER BY w.seq",
	[SQL_OUTBOX_INSERT] = "INSERT INTO outbox_events (id, tenant_id, "
			      "type, order_id, location, payload, "
			      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_DELIVERY_INSERT] = "INSERT INTO deliveries (id, tenant_id, "
				"webhook_id, event_id, event_type, order_id, "
				"status, attempts, last_status, last_error, "
				"next_attempt_at, retry_until, claimed_until, "
				"delivered_at, created_at, waiting) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?, "
				"0, 0, ?, ?)",
	/*
	 * A claimed webhook's ready deliveries, oldest first: an index range
	 * of deliveries_ready bounded by the limit. That index has every
	 * column the read tests (0012): PostgreSQL drops the ORDER BY terms
	 * an equality fixes, so any index of (tenant, seq) gives the same
	 * order, and one that left a column to a filter would be walked
	 * past the other webhooks' deliveries. The webhook (tenant, id) was
	 * just read from its row (any tenant, by design). Each payload is
	 * then read by its own
	 * probe (SQL_EVENT_PAYLOAD), never by a join a planner could turn
	 * into a scan.
	 */
	[SQL_DELIVERY_READY] = "SELECT " SQL_DELIVERY_COLS " FROM deliveries d "
			       "WHERE d.tenant_id = ? AND d.webhook_id = ? "
			       "AND d.status = ? AND d.waiting = 0 "
			       "ORDER BY d.tenant_id, d.webhook_id, d.status, "
			       "d.waiting, d.seq LIMIT ?",
	/* A claimed delivery's payload: one probe of the unique id. */
	[SQL_EVENT_PAYLOAD] = "SELECT payload FROM outbox_events "
			      "WHERE id = ? AND tenant_id = ?",
	/* Whether a lane (webhook, order) has a pending delivery. */
	[SQL_DELIVERY_LANE_BUSY] = "SELECT seq FROM deliveries "
				   "WHERE webhook_id = ? AND order_id = ? "
				   "AND status = ? AND tenant_id = ? LIMIT 1",
	/* The first pending delivery of a lane is ready. */
	[SQL_DELIVERY_LANE_NEXT] = "UPDATE deliveries SET waiting = 0 "
				   "WHERE seq = (SELECT seq FROM deliveries "
				   "WHERE webhook_id = ? AND order_id = ? "
				   "AND status = ? AND tenant_id = ? "
				   "ORDER BY seq LIMIT 1) AND waiting = 1",
	[SQL_DELIVERY_UPDATE] = "UPDATE deliveries SET ("
				SQL_DELIVERY_COURSE_COLS_OF("")
				") = (?, ?, ?, ?, ?, ?, ?), "
				"claimed_until = 0, waiting = 0 "
				"WHERE tenant_id = ? AND id = ? "
				"RETURNING seq, webhook_id, order_id",
	[SQL_DELIVERY_GET] = "SELECT " SQL_DELIVERY_COLS " FROM deliveries d "
			     "WHERE d.tenant_id = ? AND d.id = ?",
	[SQL_DELIVERY_LIST] = "SELECT " SQL_DELIVERY_COLS
			      " FROM deliveries d "
			      "WHERE d.tenant_id = ? AND d.seq < ? "
			      "ORDER BY d.seq DESC LIMIT ?",
	[SQL_DELIVERY_LIST_STATUS] = "SELECT " SQL_DELIVERY_COLS
				     " FROM deliveries d "
				     "WHERE d.tenant_id = ? AND d.seq < ? "
				     "AND d.status = ? "
				     "ORDER BY d.seq DESC LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_outbox_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

const char *sql_outbox_named(const char *name)
{
	if (strcmp(name, "webhooks_for_event") == 0)
		return sql_text[SQL_WEBHOOKS_FOR_EVENT];
	return NULL;
}

/* ---- the outbox and deliveries ------------------------------------------- */

/*
 * WAKING (POSTGRESQL). A claim that finds a webhook empty sets it idle, and
 * an emit wakes an idle webhook; with several writers an emit not yet
 * committed is invisible to the claim, and its wake may have run before
 * the claim made the webhook idle - the wake-up would be lost. So a waker
 * holds a shared lock "wake:<webhook>" until it commits, and the claim sets
 * a webhook idle only when it can take that lock exclusively (a try, never
 * a wait): a waker in flight leaves it due, for the next claim to look at
 * again, and a waker coming after it waits for its commit and then finds
 * the webhook idle. Due, not due a second on: a worker that found nothing
 * waits its poll interval (outbox/worker.c) on the real clock, while the
 * store's clock, which a test may stop, never reaches a second on.
 * The claim tries the lock before it reads the webhook's deliveries, not
 * after: an emit that committed between that read and a later try would
 * have woken a webhook not yet idle, and be lost behind the idle time.
 */
static void wake_lock_name(char *buf, size_t size, const char *webhook_id)
{
	snprintf(buf, size, "wake:%s", webhook_id);
}

ordo_code store_webhook_wake(store_tx *tx, int64_t tenant, const char *id,
			     ordo_time now, ordo_err *err)
{
	char name[ORDO_ID_MAX + 8];
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_wake", err);
	if (rc)
		goto out;
	wake_lock_name(name, sizeof(name), id);
	rc = named_lock(tx, tenant, name, NAMED_SHARED, NULL, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_WAKE, err);
	if (rc)
		goto out;
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_exec(&q, "waking a webhook", NULL, err);
out:
	q_close(&q);
	return rc;
}

/*
 * A lane is one webhook's deliveries for one order. On PostgreSQL its
 * emits (under the order's row lock) and the end of its pending delivery
 * (on the outbox's connection) take this lock first, so an emit that saw
 * the lane busy commits before the ending delivery looks for the next one
 * to make ready, or sees it ended: no delivery is left waiting behind
 * nothing.
 */
static ordo_code lane_lock(store_tx *tx, int64_t tenant,
			   const char *webhook_id, const char *order_id,
			   ordo_err *err)
{
	char name[2 * ORDO_ID_MAX + 8];

	snprintf(name, sizeof(name), "lane:%s:%s", webhook_id, order_id);
	return store_lock_named(tx, tenant, name, err);
}

/* Whether the lane (webhook, order) has a pending delivery. */
static ordo_code lane_busy(store_tx *tx, int64_t tenant,
			   const char *webhook_id, const char *order_id,
			   bool *busy, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*busy = false;
	rc = q_open(&q, tx, SQL_DELIVERY_LANE_BUSY, err);
	if (rc)
		goto out;
	q_str(&q, webhook_id);
	q_str(&q, order_id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	q_i64(&q, tenant);
	rc = q_step(&q, busy, "reading a delivery lane", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_outbox_emit(store_tx *tx, int64_t tenant,
			    const outbox_event *ev, int64_t retry_window_s,
			    size_t *n_deliveries, ordo_err *err)
{
	return store_outbox_emit_except(tx, tenant, ev, retry_window_s, "",
					n_deliveries, err);
}

/*
 * The webhooks that hear of ev (but skip_webhook), in webhook order, as a
 * new array *out of *n ids (NULL when none). Asked once per transaction
 * for each kind of event (TRANSACTION CACHE, store_int.h) where one
 * writer has the database; where several nodes write (row locks), at
 * every event, so that a webhook another node deleted meanwhile gets no
 * delivery from the rest of the batch (its pending ones were failed when
 * it was deleted; a new one would wait for it forever) - unless none
 * hears of it: that is kept for the batch as well, since it makes no
 * delivery (a webhook another node creates meanwhile hears of the events
 * written after, as it would of this batch's had it read a moment
 * earlier).
 */
static ordo_code subscribers_of(store_tx *tx, int64_t tenant,
				const outbox_event *ev, const char *skip,
				char (**out)[ORDO_ID_MAX], size_t *n,
				ordo_err *err)
{
	const struct tx_subscribers *known =
		tx_cache_subscribers(tx, tenant, ev->type, ev->location, skip);
	struct tx_subscribers *keep = NULL;
	struct q q = {0};
	char(*hooks)[ORDO_ID_MAX] = NULL;
	size_t count = 0, cap = 0;
	bool row;
	ordo_code rc = ORDO_OK;

	*out = NULL;
	*n = 0;
	if (known) {
		if (known->n == 0)
			return ORDO_OK;
		hooks = malloc(known->n * sizeof(*hooks));
		if (!hooks)
			return sql_no_memory(err, "finding webhooks");
		memcpy(hooks, known->ids, known->n * sizeof(*hooks));
		*out = hooks;
		*n = known->n;
		return ORDO_OK;
	}
	rc = q_open(&q, tx, SQL_WEBHOOKS_FOR_EVENT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, ev->type);
	q_str(&q, ev->location);
	q_str(&q, skip);
	for (;;) {
		char id[ORDO_ID_MAX];

		rc = q_step(&q, &row, "finding webhooks", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		q_col_str(&q, id, sizeof(id));
		rc = q_row_end(&q, "finding webhooks", err);
		if (rc)
			goto out;
		if (count == cap) {
			char(*p)[ORDO_ID_MAX] =
				sql_grow(hooks, &cap, sizeof(*hooks));

			if (!p) {
				rc = sql_no_memory(err, "finding webhooks");
				goto out;
			}
			hooks = p;
		}
		memcpy(hooks[count++], id, sizeof(id));
	}
	/* Kept when it fits: a tenant has at most ORDO_WEBHOOKS_MAX webhooks,
	 * but two nodes may each have let one more in at once. */
	if ((!tx->db->row_locks || count == 0) && count <= ORDO_WEBHOOKS_MAX &&
	    (keep = calloc(1, sizeof(*keep)))) {
		keep->tenant = tenant;
		ordo_strlcpy(keep->type, ev->type, sizeof(keep->type));
		ordo_strlcpy(keep->location, ev->location,
			     sizeof(keep->location));
		ordo_strlcpy(keep->skip, skip, sizeof(keep->skip));
		keep->n = count;
		if (count)
			memcpy(keep->ids, hooks, count * sizeof(*hooks));
		tx_cache_put_subscribers(tx, keep);
		free(keep);
	}
	*out = hooks;
	*n = count;
	hooks = NULL;
out:
	q_close(&q);
	free(hooks);
	return rc;
}

ordo_code store_outbox_subscribed(store_tx *tx, int64_t tenant,
				  const char *type, const char *location,
				  const char *skip_webhook, bool *any,
				  ordo_err *err)
{
	outbox_event ev;
	char(*hooks)[ORDO_ID_MAX] = NULL;
	size_t n = 0;
	ordo_code rc;

	*any = false;
	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.type, type, sizeof(ev.type));
	ordo_strlcpy(ev.location, location ? location : "",
		     sizeof(ev.location));
	rc = subscribers_of(tx, tenant, &ev, skip_webhook ? skip_webhook : "",
			    &hooks, &n, err);
	free(hooks);
	*any = n > 0;
	return rc;
}

/* Store ev and one pending delivery of it to each of the count hooks. */
static ordo_code emit_to(store_tx *tx, int64_t tenant, const outbox_event *ev,
			 int64_t retry_window_s,
			 const char (*hooks)[ORDO_ID_MAX], size_t count,
			 ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc;

	if (retry_window_s < 0)
		return ordo_err_set(err, ORDO_EINVALID, "retry_window_s",
				    "the retry window must not be negative");
	rc = q_open(&q, tx, SQL_OUTBOX_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, ev->id);
	q_i64(&q, tenant);
	q_str(&q, ev->type);
	q_str(&q, ev->order_id);
	q_str(&q, ev->location);
	q_str(&q, ev->payload);
	q_i64(&q, ev->created_at);
	rc = q_exec(&q, "outbox event", "id", err);
	if (rc)
		goto out;
	q_close(&q);

	for (i = 0; i < count; i++) {
		char id[ORDO_ID_MAX];
		bool waiting = false;

		/* Behind an earlier pending delivery of its order, a delivery
		 * waits: one index probe now, none at claim time. */
		if (ev->order_id[0]) {
			rc = lane_lock(tx, tenant, hooks[i], ev->order_id,
				       err);
			if (rc == ORDO_OK)
				rc = lane_busy(tx, tenant, hooks[i],
					       ev->order_id, &waiting, err);
			if (rc)
				goto out;
		}
		ordo_id_new("dlv_", id);
		rc = q_open(&q, tx, SQL_DELIVERY_INSERT, err);
		if (rc)
			goto out;
		q_str(&q, id);
		q_i64(&q, tenant);
		q_str(&q, hooks[i]);
		q_str(&q, ev->id);
		q_str(&q, ev->type);
		q_str(&q, ev->order_id);
		q_str(&q, delivery_status_name(DELIVERY_PENDING));
		q_i64(&q, ev->created_at);
		q_i64(&q, ev->created_at + retry_window_s);
		q_i64(&q, ev->created_at);
		q_i64(&q, waiting ? 1 : 0);
		rc = q_exec(&q, "delivery", "id", err);
		if (rc)
			goto out;
		q_close(&q);
		if (!waiting) {
			rc = store_webhook_wake(tx, tenant, hooks[i],
						ev->created_at, err);
			if (rc)
				goto out;
		}
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_outbox_emit_except(store_tx *tx, int64_t tenant,
				   const outbox_event *ev,
				   int64_t retry_window_s,
				   const char *skip_webhook,
				   size_t *n_deliveries, ordo_err *err)
{
	char(*hooks)[ORDO_ID_MAX] = NULL;
	size_t count = 0;
	ordo_code rc;

	*n_deliveries = 0;
	rc = tx_check_writable(tx, "store_outbox_emit", err);
	if (rc)
		return rc;
	/* The subscribers, matched in SQL, before writing anything: an event
	 * no webhook hears of is not stored at all. */
	rc = subscribers_of(tx, tenant, ev, skip_webhook ? skip_webhook : "",
			    &hooks, &count, err);
	if (rc == ORDO_OK && count > 0)
		rc = emit_to(tx, tenant, ev, retry_window_s,
			     (const char(*)[ORDO_ID_MAX])hooks, count, err);
	if (rc == ORDO_OK)
		*n_deliveries = count;
	free(hooks);
	return rc;
}

ordo_code store_outbox_emit_to(store_tx *tx, int64_t tenant,
			       const outbox_event *ev, int64_t retry_window_s,
			       const char *webhook_id, ordo_err *err)
{
	char hook[1][ORDO_ID_MAX];
	ordo_code rc = tx_check_writable(tx, "store_outbox_emit_to", err);

	if (rc)
		return rc;
	ordo_strlcpy(hook[0], webhook_id, sizeof(hook[0]));
	return emit_to(tx, tenant, ev, retry_window_s,
		       (const char(*)[ORDO_ID_MAX])hook, 1, err);
}

static const char *const delivery_status_names[] = {
	[DELIVERY_PENDING] = "pending",
	[DELIVERY_DELIVERED] = "delivered",
	[DELIVERY_FAILED] = "failed",
};

const char *delivery_status_name(delivery_status s)
{
	if ((unsigned)s > DELIVERY_FAILED)
		return "unknown";
	return delivery_status_names[s];
}

int delivery_status_parse(const char *name, delivery_status *out)
{
	unsigned i;

	for (i = 0; i <= DELIVERY_FAILED; i++) {
		if (strcmp(name, delivery_status_names[i]) == 0) {
			*out = (delivery_status)i;
			return 0;
		}
	}
	return -1;
}

void store_delivery_free(delivery *d)
{
	if (!d)
		return;
	free(d->payload);
	d->payload = NULL;
}

/* Read one delivery (SQL_DELIVERY_COLS) into d, zeroing the rest. */
static ordo_code q_col_delivery(struct q *q, delivery *d, ordo_err *err)
{
	memset(d, 0, sizeof(*d));
	d->seq = q_col_i64(q);
	q_read_row(q, d, delivery_head_fields);
	q_read_row(q, d, delivery_course_fields);
	d->claimed_until = q_col_i64(q);
	d->created_at = q_col_i64(q);
	return q_row_end(q, "reading a delivery", err);
}

static void deliveries_free(delivery *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_delivery_free(&items[i]);
	free(items);
}

void store_outbox_claim_free(outbox_claim *c)
{
	if (!c)
		return;
	deliveries_free(c->items, c->n);
	c->items = NULL;
	c->n = 0;
}

static ordo_code read_ready(struct q *q, void *item, ordo_err *err)
{
	return q_col_delivery(q, item, err);
}

/* The payload of a claimed delivery's event. */
static ordo_code event_payload(store_tx *tx, delivery *d, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc = q_open(&q, tx, SQL_EVENT_PAYLOAD, err);

	if (rc)
		goto out;
	q_str(&q, d->event_id);
	q_i64(&q, d->tenant_id);
	rc = q_step(&q, &row, "reading an event", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "delivery %s has no event %s", d->id,
				  d->event_id);
		goto out;
	}
	rc = q_col_dup(&q, &d->payload, "reading an event", err);
	if (rc == ORDO_OK)
		rc = q_row_end(&q, "reading an event", err);
out:
	q_close(&q);
	return rc;
}

/* Webhooks looked at per claim for one with work: a bound on its cost. */
#define OUTBOX_CLAIM_PROBE 8

static ordo_code webhook_set_next(store_tx *tx, int64_t seq, ordo_time at,
				  bool idle, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_open(&q, tx, SQL_WEBHOOK_SET_NEXT, err);

	if (rc == ORDO_OK) {
		q_i64(&q, at);
		q_i64(&q, idle ? 1 : 0);
		q_i64(&q, seq);
		rc = q_exec(&q, "leasing a webhook", NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_outbox_claim(store_tx *tx, ordo_time now,
			     ordo_time lease_until, ordo_time idle_until,
			     int limit, outbox_claim *c, ordo_err *err)
{
	struct q q = {0};
	struct due {
		int64_t seq;
		int64_t tenant;
		webhook_sub w;
	} *due = NULL;
	size_t n_due = 0, i;
	void *raw = NULL;
	size_t count = 0;
	int64_t before = 0;
	bool row;
	ordo_code rc;

	memset(c, 0, sizeof(*c));
	rc = tx_check_writable(tx, "store_outbox_claim", err);
	if (rc)
		goto out;
	/* The work counter may carry work done before this claim. */
	rc = store_tx_rows_read(tx, &before, err);
	if (rc)
		goto out;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc)
		goto out;
	due = calloc(OUTBOX_CLAIM_PROBE, sizeof(*due));
	if (!due) {
		rc = sql_no_memory(err, "claiming a webhook");
		goto out;
	}
	/* The PostgreSQL hook: lock the chosen webhooks, skip locked ones. */
	rc = q_open(&q, tx,
		    tx->db->row_locks ? SQL_WEBHOOK_DUE_LOCKED
				      : SQL_WEBHOOK_DUE,
		    err);
	if (rc)
		goto out;
	q_str(&q, "active");
	q_i64(&q, now);
	q_i64(&q, OUTBOX_CLAIM_PROBE);
	while (n_due < OUTBOX_CLAIM_PROBE) {
		rc = q_step(&q, &row, "claiming a webhook", NULL, err);
		if (rc || !row)
			break;
		due[n_due].seq = q_col_i64(&q);
		due[n_due].tenant = q_col_i64(&q);
		q_col_webhook(&q, &due[n_due].w);
		rc = q_row_end(&q, "claiming a webhook", err);
		if (rc)
			break;
		n_due++;
	}
	q_close(&q);
	if (rc)
		goto out;

	for (i = 0; i < n_due; i++) {
		char name[ORDO_ID_MAX + 8];
		bool quiet;

		/* Whether a waker is in flight, asked BEFORE the deliveries
		 * are read (see WAKING): an emit that commits after this
		 * has to wait for this claim's commit to wake the webhook,
		 * and one that committed before it is in the read below. */
		wake_lock_name(name, sizeof(name), due[i].w.id);
		rc = named_lock(tx, due[i].tenant, name, NAMED_TRY, &quiet,
				err);
		if (rc)
			goto out;
		rc = q_open(&q, tx, SQL_DELIVERY_READY, err);
		if (rc)
			goto out;
		q_i64(&q, due[i].tenant);
		q_str(&q, due[i].w.id);
		q_str(&q, delivery_status_name(DELIVERY_PENDING));
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(delivery), read_ready,
			    &raw, &count, "claiming deliveries", err);
		q_close(&q);
		if (rc)
			goto out;
		if (count == 0) {
			free(raw);
			raw = NULL;
			/* Nothing to send: idle until an event wakes it
			 * (store_webhook_wake), or idle_until at the latest,
			 * behind the webhooks that wait already - unless a
			 * waker is in flight (see WAKING): then still due. */
			rc = webhook_set_next(tx, due[i].seq,
					      quiet ? idle_until : now, quiet,
					      err);
			if (rc)
				goto out;
			continue;
		}
		for (size_t k = 0; k < count; k++) {
			rc = event_payload(tx, &((delivery *)raw)[k], err);
			if (rc)
				goto out;
		}
		rc = webhook_set_next(tx, due[i].seq, lease_until, false,
				      err);
		if (rc)
			goto out;
		c->tenant_id = due[i].tenant;
		c->hook = due[i].w;
		c->hook.next_attempt_at = lease_until;
		c->items = raw;
		c->n = count;
		raw = NULL;
		for (size_t k = 0; k < count; k++) {
			ordo_strlcpy(c->items[k].url, c->hook.url,
				     sizeof(c->items[k].url));
			ordo_strlcpy(c->items[k].secret, c->hook.secret,
				     sizeof(c->items[k].secret));
			ordo_strlcpy(c->items[k].previous_secret,
				     c->hook.previous_secret,
				     sizeof(c->items[k].previous_secret));
			c->items[k].previous_until = c->hook.previous_until;
		}
		break;
	}
	/* What the claim cost, whatever it found: the measure that must not
	 * grow with the backlog. */
	rc = store_tx_rows_read(tx, &c->rows_read, err);
	c->rows_read -= before;
	if (rc == ORDO_OK)
		store_note_claim(tx->st, c->rows_read);
out:
	q_close(&q);
	if (rc) {
		deliveries_free(raw, count);
		store_outbox_claim_free(c);
	}
	free(due);
	return rc;
}

ordo_code store_delivery_update(store_tx *tx, const delivery *d,
				ordo_err *err)
{
	struct q q = {0};
	char webhook_id[ORDO_ID_MAX] = "", order_id[ORDO_ID_MAX] = "";
	ordo_code rc;

	rc = tx_check_writable(tx, "store_delivery_update", err);
	if (rc)
		goto out;
	/* Ending a delivery moves its lane on: lock the lane first (see
	 * lane_lock), before the row. Its ids come from the row itself. */
	if (d->status != DELIVERY_PENDING && d->order_id[0] &&
	    d->webhook_id[0]) {
		rc = lane_lock(tx, d->tenant_id, d->webhook_id, d->order_id,
			       err);
		if (rc)
			goto out;
	}
	rc = q_open(&q, tx, SQL_DELIVERY_UPDATE, err);
	if (rc)
		goto out;
	q_bind_row(&q, d, delivery_course_fields);
	q_i64(&q, d->tenant_id);
	q_str(&q, d->id);
	rc = q_step_one(&q, "updating a delivery", "id", "delivery", d->id,
			err);
	if (rc)
		goto out;
	(void)q_col_i64(&q);
	q_col_str(&q, webhook_id, sizeof(webhook_id));
	q_col_str(&q, order_id, sizeof(order_id));
	rc = q_row_end(&q, "updating a delivery", err);
	q_close(&q);
	if (rc || d->status == DELIVERY_PENDING || !order_id[0])
		goto out;
	/* It has ended: the next pending delivery of its lane is ready. */
	rc = q_open(&q, tx, SQL_DELIVERY_LANE_NEXT, err);
	if (rc)
		goto out;
	q_str(&q, webhook_id);
	q_str(&q, order_id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	q_i64(&q, d->tenant_id);
	rc = q_exec(&q, "moving a delivery lane on", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_delivery_get(store_tx *tx, int64_t tenant, const char *id,
			     delivery *d, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	memset(d, 0, sizeof(*d));
	rc = q_get(&q, tx, SQL_DELIVERY_GET, tenant, id, "reading a delivery",
		   "id", "delivery", err);
	if (rc)
		goto out;
	rc = q_col_delivery(&q, d, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_delivery_list(store_tx *tx, int64_t tenant, bool has_status,
			      delivery_status status, int64_t before_seq,
			      int limit, delivery **out, size_t *n,
			      int64_t *next, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(limit, before_seq, err);
	if (rc)
		return rc;
	rc = q_open(&q, tx,
		    has_status ? SQL_DELIVERY_LIST_STATUS : SQL_DELIVERY_LIST,
		    err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, sql_page_bound(before_seq));
		if (has_status)
			q_str(&q, delivery_status_name(status));
		q_i64(&q, (int64_t)limit + 1);
		rc = q_page(&q, limit, sizeof(delivery),
			    offsetof(delivery, seq), read_ready, &items, n,
			    next, "listing deliveries", err);
	}
	q_close(&q);
	if (rc) {
		deliveries_free(items, *n);
		*n = 0;
		return rc;
	}
	*out = items;
	return ORDO_OK;
}