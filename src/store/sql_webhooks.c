/*
 * sql_webhooks.c - webhooks and their subscriptions: create (the event
 * types as rows of webhook_events, migration 0007), get and list (each
 * webhook's types read back in the order given, a list's in one
 * statement), count, delete (its pending deliveries failed), resume, and
 * the record of how sending to one goes. A webhook row is read by one
 * function (q_col_webhook, which the outbox's claim uses too) from its
 * arrays of members. See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

static const struct q_field webhook_fields[] = {
	Q_TEXT(webhook_sub, id),       Q_TEXT(webhook_sub, url),
	Q_TEXT(webhook_sub, secret),   Q_TEXT(webhook_sub, location),
	Q_I64(webhook_sub, created_at),
	Q_TEXT(webhook_sub, channel),  Q_TEXT(webhook_sub, protocol),
	Q_TEXT(webhook_sub, previous_secret),
	Q_I64(webhook_sub, previous_until),
};

/* SQL_WEBHOOK_STATE_COLS after status (paused, a bool, is bound and read
 * in C). */
static const struct q_field webhook_state_fields[] = {
	Q_I64(webhook_sub, paused_at),	   Q_INT(webhook_sub, failures),
	Q_I64(webhook_sub, failing_since), Q_TEXT(webhook_sub, last_error),
	Q_I64(webhook_sub, next_attempt_at),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_WEBHOOK_INSERT] = "INSERT INTO webhooks (tenant_id, "
			       SQL_WEBHOOK_COLS ") "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	/* Binds: previous_until, the new secret, tenant, id. */
	[SQL_WEBHOOK_ROTATE] = "UPDATE webhooks SET previous_secret = secret, "
			       "previous_until = ?, secret = ? "
			       "WHERE tenant_id = ? AND id = ? "
			       "AND channel = '' RETURNING seq",
	[SQL_WEBHOOK_LIST] = "SELECT " SQL_WEBHOOK_COLS ", "
			     SQL_WEBHOOK_STATE_COLS " FROM webhooks "
			     "WHERE tenant_id = ? ORDER BY seq",
	[SQL_WEBHOOK_GET] = "SELECT " SQL_WEBHOOK_COLS ", "
			    SQL_WEBHOOK_STATE_COLS " FROM webhooks "
			    "WHERE tenant_id = ? AND id = ?",
	/* A channel's own webhook: binds tenant, the channel's name. */
	[SQL_CHANNEL_HOOK_GET] = "SELECT " SQL_WEBHOOK_COLS ", "
				 SQL_WEBHOOK_STATE_COLS " FROM webhooks "
				 "WHERE tenant_id = ? AND channel = ?",
	/* Sent to anew, as a resumed webhook is. Binds url, secret,
	 * location, now, tenant, id. */
	[SQL_CHANNEL_HOOK_SET] = "UPDATE webhooks SET url = ?, secret = ?, "
				 "location = ?, "
				 "status = 'active', paused_at = 0, idle = 0, "
				 "failures = 0, failing_since = 0, "
				 "last_error = '', next_attempt_at = ? "
				 "WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* The tenant's own webhooks (ORDO_WEBHOOKS_MAX), not its
	 * channels'. */
	[SQL_WEBHOOK_COUNT] = "SELECT count(*) FROM webhooks "
			      "WHERE tenant_id = ? AND channel = ''",
	[SQL_WEBHOOK_DELETE] = "DELETE FROM webhooks "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* Binds: failed, the message, tenant, webhook id, pending. */
	[SQL_WEBHOOK_FAIL_PENDING] = "UPDATE deliveries SET status = ?, "
				     "last_error = ?, claimed_until = 0 "
				     "WHERE tenant_id = ? AND webhook_id = ? "
				     "AND status = ?",
	/* Binds: active, now, tenant, id. */
	[SQL_WEBHOOK_RESUME] = "UPDATE webhooks SET status = ?, paused_at = 0, "
			       "idle = 0, "
			       "failures = 0, failing_since = 0, "
			       "last_error = '', next_attempt_at = ? "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_WEBHOOK_RECORD] = "UPDATE webhooks SET idle = 0, ("
			       SQL_WEBHOOK_STATE_COLS ") = (?, ?, ?, ?, ?, ?) "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_WEBHOOK_EVENT_INSERT] = "INSERT INTO webhook_events (webhook_id, "
				     "tenant_id, event_type, position) "
				     "VALUES (?, ?, ?, ?)",
	[SQL_WEBHOOK_EVENTS_DELETE] = "DELETE FROM webhook_events "
				      "WHERE webhook_id = ? AND tenant_id = ?",
	/* One webhook's types in the order given: binds webhook, tenant. */
	[SQL_WEBHOOK_EVENTS_OF] = "SELECT event_type FROM webhook_events "
				  "WHERE webhook_id = ? AND tenant_id = ? "
				  "ORDER BY position",
	/* Every type of the tenant's webhooks, in SQL_WEBHOOK_LIST's order
	 * of webhooks and each one's order of types. */
	[SQL_WEBHOOK_LIST_EVENTS] = "SELECT w.id, e.event_type FROM webhooks w "
				    "JOIN webhook_events e "
				    "ON e.webhook_id = w.id "
				    "AND e.tenant_id = w.tenant_id "
				    "WHERE w.tenant_id = ? "
				    "ORDER BY w.seq, e.position",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_webhooks_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- webhooks ------------------------------------------------------------ */

/*
 * The next name of a comma-separated list at *p (blanks around it left
 * out) into name; *p moves past it and its comma. ORDO_EINVALID naming
 * "events" for an empty name or one too long to be an event type.
 */
static ordo_code events_next(const char **p, char *name, size_t size,
			     ordo_err *err)
{
	const char *start = *p, *end = strchr(start, ',');
	const char *stop = end ? end : start + strlen(start);
	size_t len;

	*p = end ? end + 1 : stop;
	while (start < stop && *start == ' ')
		start++;
	while (stop > start && stop[-1] == ' ')
		stop--;
	len = (size_t)(stop - start);
	if (len == 0)
		return ordo_err_set(err, ORDO_EINVALID, "events",
				    "an event type is empty");
	if (len >= size)
		return ordo_err_set(err, ORDO_EINVALID, "events",
				    "an event type is too long");
	memcpy(name, start, len);
	name[len] = '\0';
	return ORDO_OK;
}

/*
 * The webhook row, then one webhook_events row per type of w->events in
 * the order given. A type named twice is refused by the primary key
 * (ORDO_ECONFLICT from the driver), never collapsed: the caller is told.
 */
static ordo_code events_insert(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err);

ordo_code store_webhook_insert(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	tx_cache_forget_subscribers(tx);
	rc = tx_check_writable(tx, "store_webhook_insert", err);
	if (rc)
		goto out;
	if (!w->events[0] && !w->channel[0]) {
		rc = ordo_err_set(err, ORDO_EINVALID, "events",
				  "name at least one event type");
		goto out;
	}
	rc = q_open(&q, tx, SQL_WEBHOOK_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_bind_row(&q, w, webhook_fields);
	rc = q_exec(&q, "webhook", "id", err);
	q_close(&q);
	if (rc == ORDO_OK)
		rc = events_insert(tx, tenant, w, err);
out:
	q_close(&q);
	return rc;
}

/* w's event types as rows of webhook_events, in the order given. */
static ordo_code events_insert(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	const char *p = w->events;
	int64_t position = 0;
	ordo_code rc = ORDO_OK;

	while (rc == ORDO_OK && *p) {
		char type[sizeof(((outbox_event *)0)->type)];

		q_close(&q);
		rc = events_next(&p, type, sizeof(type), err);
		if (rc)
			break;
		rc = q_open(&q, tx, SQL_WEBHOOK_EVENT_INSERT, err);
		if (rc)
			break;
		q_str(&q, w->id);
		q_i64(&q, tenant);
		q_str(&q, type);
		q_i64(&q, position++);
		rc = q_exec(&q, "webhook event type", "events", err);
	}
	q_close(&q);
	return rc;
}

/* Append type to w->events (comma-separated); a list that does not fit
 * was not written by ordo. */
static ordo_code events_append(webhook_sub *w, const char *type,
			       ordo_err *err)
{
	size_t used = strlen(w->events), len = strlen(type);

	if (used + (used ? 1 : 0) + len >= sizeof(w->events))
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "webhook %s: its event types do not fit",
				    w->id);
	if (used)
		w->events[used++] = ',';
	memcpy(w->events + used, type, len + 1);
	return ORDO_OK;
}

void q_col_webhook(struct q *q, webhook_sub *w)
{
	char status[16];

	memset(w, 0, sizeof(*w));
	q_read_row(q, w, webhook_fields);
	q_col_str(q, status, sizeof(status));
	w->paused = strcmp(status, "paused") == 0;
	q_read_row(q, w, webhook_state_fields);
}

static ordo_code read_webhook(struct q *q, void *item, ordo_err *err)
{
	q_col_webhook(q, item);
	return q_row_end(q, "listing webhooks", err);
}

/*
 * The event types of the n webhooks listed (SQL_WEBHOOK_LIST), read in
 * one statement: its rows come in the same order of webhooks, so each
 * row belongs to the current webhook or to a later one.
 */
static ordo_code webhook_list_events(store_tx *tx, int64_t tenant,
				     webhook_sub *items, size_t n,
				     ordo_err *err)
{
	struct q q = {0};
	size_t i = 0;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_WEBHOOK_LIST_EVENTS, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	for (;;) {
		char id[ORDO_ID_MAX], type[sizeof(((outbox_event *)0)->type)];

		rc = q_step(&q, &row, "listing webhook event types", NULL,
			    err);
		if (rc || !row)
			break;
		q_col_str(&q, id, sizeof(id));
		q_col_str(&q, type, sizeof(type));
		rc = q_row_end(&q, "listing webhook event types", err);
		if (rc)
			break;
		while (i < n && strcmp(items[i].id, id) != 0)
			i++;
		/* A webhook made since the list was read (one snapshot:
		 * none) would have no item. */
		if (i == n) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "webhook %s: event types out of "
					  "order",
					  id);
			break;
		}
		rc = events_append(&items[i], type, err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_list(store_tx *tx, int64_t tenant, webhook_sub **out,
			     size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_WEBHOOK_LIST, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		rc = q_rows(&q, SIZE_MAX, sizeof(webhook_sub), read_webhook,
			    &items, n, "listing webhooks", err);
	}
	q_close(&q);
	if (rc == ORDO_OK)
		rc = webhook_list_events(tx, tenant, items, *n, err);
	*out = q_rows_done(rc, items, n);
	return rc;
}

/* The event types of w (read, events empty), in the order given. */
static ordo_code webhook_events_load(store_tx *tx, int64_t tenant,
				     webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_WEBHOOK_EVENTS_OF, err);
	if (rc)
		goto out;
	q_str(&q, w->id);
	q_i64(&q, tenant);
	for (;;) {
		char type[sizeof(((outbox_event *)0)->type)];

		rc = q_step(&q, &row, "reading webhook event types", NULL,
			    err);
		if (rc || !row)
			break;
		q_col_str(&q, type, sizeof(type));
		rc = q_row_end(&q, "reading webhook event types", err);
		if (rc == ORDO_OK)
			rc = events_append(w, type, err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_get(store_tx *tx, int64_t tenant, const char *id,
			    webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	memset(w, 0, sizeof(*w));
	rc = q_get(&q, tx, SQL_WEBHOOK_GET, tenant, id, "reading a webhook",
		   "id", "webhook", err);
	if (rc)
		goto out;
	q_col_webhook(&q, w);
	rc = q_row_end(&q, "reading a webhook", err);
	q_close(&q);
	if (rc == ORDO_OK)
		rc = webhook_events_load(tx, tenant, w, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_count(store_tx *tx, int64_t tenant, int64_t *n,
			      ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_WEBHOOK_COUNT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "counting webhooks", NULL, err);
	if (!rc && row)
		*n = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_delete(store_tx *tx, int64_t tenant, const char *id,
			       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	tx_cache_forget_subscribers(tx);
	rc = tx_check_writable(tx, "store_webhook_delete", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_DELETE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step_one(&q, "deleting a webhook", "id", "webhook", id, err);
	if (rc)
		goto out;
	q_close(&q);
	/* Nothing will send its pending deliveries any more: say so. No lane
	 * is left to move on: every delivery of the webhook has ended. */
	rc = q_open(&q, tx, SQL_WEBHOOK_FAIL_PENDING, err);
	if (rc)
		goto out;
	q_str(&q, delivery_status_name(DELIVERY_FAILED));
	q_str(&q, "the webhook was deleted");
	q_i64(&q, tenant);
	q_str(&q, id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	rc = q_exec(&q, "failing a deleted webhook's deliveries", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_rotate(store_tx *tx, int64_t tenant, const char *id,
			       const char *secret, ordo_time previous_until,
			       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_webhook_rotate", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_WEBHOOK_ROTATE, err);
	if (rc == ORDO_OK) {
		q_i64(&q, previous_until);
		q_str(&q, secret);
		q_i64(&q, tenant);
		q_str(&q, id);
		rc = q_step_one(&q, "rotating a webhook's secret", "id",
				"webhook", id, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_webhook_resume(store_tx *tx, int64_t tenant, const char *id,
			       ordo_time now, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_resume", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_RESUME, err);
	if (rc)
		goto out;
	q_str(&q, "active");
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step_one(&q, "resuming a webhook", "id", "webhook", id, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_record(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_record", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_RECORD, err);
	if (rc)
		goto out;
	q_str(&q, w->paused ? "paused" : "active");
	q_bind_row(&q, w, webhook_state_fields);
	q_i64(&q, tenant);
	q_str(&q, w->id);
	rc = q_step_one(&q, "recording a webhook's state", "id", "webhook",
			w->id, err);
out:
	q_close(&q);
	return rc;
}


ordo_code store_channel_hook_get(store_tx *tx, int64_t tenant,
				 const char *channel, webhook_sub *w,
				 bool *found, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	memset(w, 0, sizeof(*w));
	*found = false;
	rc = q_get(&q, tx, SQL_CHANNEL_HOOK_GET, tenant, channel,
		   "reading a channel's webhook", "channel", "webhook", err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		rc = ORDO_OK;
	} else if (rc == ORDO_OK) {
		q_col_webhook(&q, w);
		rc = q_row_end(&q, "reading a channel's webhook", err);
		*found = rc == ORDO_OK;
	}
	q_close(&q);
	return rc;
}

ordo_code store_channel_hook_set(store_tx *tx, int64_t tenant,
				 const webhook_sub *w, ordo_time now,
				 ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	tx_cache_forget_subscribers(tx);
	rc = tx_check_writable(tx, "store_channel_hook_set", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_EVENTS_DELETE, err);
	if (rc)
		goto out;
	q_str(&q, w->id);
	q_i64(&q, tenant);
	rc = q_exec(&q, "webhook event types", NULL, err);
	q_close(&q);
	if (rc == ORDO_OK)
		rc = events_insert(tx, tenant, w, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_CHANNEL_HOOK_SET, err);
	if (rc)
		goto out;
	q_str(&q, w->url);
	q_str(&q, w->secret);
	q_str(&q, w->location);
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, w->id);
	rc = q_step_one(&q, "changing a channel's webhook", "id", "webhook",
			w->id, err);
out:
	q_close(&q);
	return rc;
}

