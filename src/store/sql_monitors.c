/*
 * sql_monitors.c - SLA monitors and the alerts they raise (migration
 * 0020): a tenant's monitors, written whole; what each finds due; the
 * alerts, raised, cleared and listed. See store.h for the contract of
 * each public function.
 */
#include "store/sql_int.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define SQL_MONITOR_COLS                                                       \
	"tenant_id, id, kind, state, after_s, hold_type, created_at"
#define SQL_ALERT_WHAT_OF(p)                                                   \
	p "monitor_id, " p "kind, " p "hold_id, " p "since, " p "message, "    \
	p "raised_at, " p "cleared_at"
#define SQL_ALERT_COLS "a.seq, a.tenant_id, a.id, o.id, " SQL_ALERT_WHAT_OF("a.")
#define SQL_ALERT_FROM " FROM alerts a JOIN orders o ON o.seq = a.order_seq "
#define SQL_ALERTS_PAGE(where)                                                 \
	"SELECT " SQL_ALERT_COLS SQL_ALERT_FROM "WHERE a.tenant_id = ? AND "   \
	where "a.seq < ? ORDER BY a.seq DESC LIMIT ?"

static const struct q_field monitor_fields[] = {
	Q_TEXT(store_monitor, id),	  Q_TEXT(store_monitor, kind),
	Q_TEXT(store_monitor, state),	  Q_I64(store_monitor, after_s),
	Q_TEXT(store_monitor, hold_type), Q_I64(store_monitor, created_at),
};

static const struct q_field alert_fields[] = {
	Q_TEXT(store_alert, monitor_id), Q_TEXT(store_alert, kind),
	Q_TEXT(store_alert, hold_id),	 Q_I64(store_alert, since),
	Q_TEXT(store_alert, message),	 Q_I64(store_alert, raised_at),
	Q_I64(store_alert, cleared_at),
};

/* What tells whether an open alert still holds (SQL_ALERTS_OPEN). */
static const struct q_field alert_now_fields[] = {
	Q_TEXT(store_alert, now_order_state),
	Q_I64(store_alert, now_state_since),
	Q_TEXT(store_alert, now_hold_status),
	Q_I64(store_alert, now_hold_due_at),
	Q_TEXT(store_alert, now_hold_type),
	Q_TEXT(store_alert, now_monitor_kind),
	Q_TEXT(store_alert, now_monitor_state),
	Q_TEXT(store_alert, now_monitor_hold_type),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_MONITORS_DELETE] = "DELETE FROM monitors WHERE tenant_id = ?",
	[SQL_MONITOR_INSERT] = "INSERT INTO monitors (" SQL_MONITOR_COLS ") "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_MONITORS_OF] = "SELECT " SQL_MONITOR_COLS ", swept_to, seq "
			    "FROM monitors WHERE tenant_id = ? ORDER BY id",
	/* Every tenant's, for the sweep: a few per tenant. */
	/* Every tenant's, for the sweep, a page at a time after a seq. */
	[SQL_MONITORS_ALL] = "SELECT " SQL_MONITOR_COLS ", swept_to, seq "
			     "FROM monitors WHERE seq > ? ORDER BY seq LIMIT ?",
	/* No row back: the monitor was replaced (a PUT writes them anew)
	 * or removed. The mark never goes back. */
	[SQL_MONITOR_SWEPT] = "UPDATE monitors SET swept_to = CASE WHEN "
			      "swept_to < ? THEN ? ELSE swept_to END "
			      "WHERE seq = ? RETURNING seq",
	/* A state_age monitor's orders that came into the state after its
	 * swept_to and have been there long enough, earliest first, that
	 * it has no open alert of (orders_state_since, alerts_open). */
	[SQL_MONITOR_DUE_ORDERS] =
		"SELECT o.seq, o.id, o.state, o.state_since, '', '' "
		"FROM orders o "
		"WHERE o.tenant_id = ? AND o.state = ? AND o.state_since >= ? "
		"AND o.state_since <= ? "
		"AND NOT EXISTS (SELECT 1 FROM alerts a WHERE "
		"a.tenant_id = o.tenant_id AND a.monitor_id = ? AND "
		"a.order_seq = o.seq AND a.hold_id = '' AND a.cleared_at = 0 "
		"AND a.since = o.state_since) "
		"ORDER BY o.state_since LIMIT ?",
	/* A hold_overdue monitor's open holds (of its type, or any when
	 * '') that fell due after its swept_to, earliest first (holds_due,
	 * alerts_open). */
	[SQL_MONITOR_DUE_HOLDS] =
		"SELECT o.seq, o.id, o.state, h.due_at, h.id, h.type "
		"FROM holds h JOIN orders o ON o.seq = h.order_seq "
		"WHERE h.tenant_id = ? AND h.status = 'open' "
		"AND (? = '' OR h.type = ?) "
		"AND h.due_at >= ? AND h.due_at < ? "
		"AND NOT EXISTS (SELECT 1 FROM alerts a WHERE "
		"a.tenant_id = h.tenant_id AND a.monitor_id = ? AND "
		"a.order_seq = h.order_seq AND a.hold_id = h.id AND "
		"a.cleared_at = 0) "
		"ORDER BY h.due_at LIMIT ?",
	/* Nothing back: the monitor has this alert open already. */
	[SQL_ALERT_INSERT] = "INSERT INTO alerts (id, tenant_id, order_seq, "
			     SQL_ALERT_WHAT_OF("") ") "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			     "ON CONFLICT (tenant_id, monitor_id, order_seq, "
			     "hold_id) WHERE cleared_at = 0 DO NOTHING "
			     "RETURNING seq",
	/* The open alerts after a seq, with what tells whether they still
	 * hold: the order's state, the hold's, the monitor's. Any tenant's
	 * (alerts_to_clear). */
	[SQL_ALERTS_OPEN] =
		"SELECT " SQL_ALERT_COLS ", o.state, o.state_since, "
		"coalesce(h.status, ''), coalesce(h.due_at, 0), "
		"coalesce(h.type, ''), coalesce(m.kind, ''), "
		"coalesce(m.state, ''), coalesce(m.hold_type, ''), "
		"coalesce(m.after_s, 0)"
		SQL_ALERT_FROM
		"LEFT JOIN holds h ON h.id = a.hold_id "
		"LEFT JOIN monitors m ON m.tenant_id = a.tenant_id "
		"AND m.id = a.monitor_id "
		"WHERE a.cleared_at = 0 AND a.seq > ? ORDER BY a.seq LIMIT ?",
	/* An open alert of the same monitor, order and hold raised on an
	 * earlier stay (the order left the state and came back before the
	 * sweep cleared it): cleared before the new one is raised. */
	[SQL_ALERT_CLEAR_STALE] = "UPDATE alerts SET cleared_at = ? "
				  "WHERE tenant_id = ? AND monitor_id = ? "
				  "AND order_seq = ? AND hold_id = ? "
				  "AND cleared_at = 0 AND since <> ? "
				  "RETURNING id, since, message, raised_at",
	[SQL_ALERT_CLEAR] = "UPDATE alerts SET cleared_at = ? "
			    "WHERE tenant_id = ? AND id = ? AND cleared_at = 0 "
			    "RETURNING seq",
	/* Newest first; the cursor is the last seq of the page before
	 * (alerts_tenant, alerts_tenant_open, alerts_tenant_cleared). */
	[SQL_ALERTS_LIST] = SQL_ALERTS_PAGE(""),
	[SQL_ALERTS_LIST_OPEN] = SQL_ALERTS_PAGE("a.cleared_at = 0 AND "),
	[SQL_ALERTS_LIST_CLEARED] = SQL_ALERTS_PAGE("a.cleared_at > 0 AND "),
};

const char *sql_monitors_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- monitors ------------------------------------------------------------ */

ordo_code store_monitors_put(store_tx *tx, int64_t tenant,
			     const store_monitor *m, size_t n, ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc = tx_check_writable(tx, "store_monitors_put", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_MONITORS_DELETE, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		rc = q_exec(&q, "monitors", NULL, err);
	}
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		q_close(&q);
		rc = q_open(&q, tx, SQL_MONITOR_INSERT, err);
		if (rc)
			break;
		q_i64(&q, tenant);
		q_bind_row(&q, &m[i], monitor_fields);
		rc = q_exec(&q, "monitor", "id", err);
	}
	q_close(&q);
	return rc;
}

static ordo_code read_monitor(struct q *q, void *item, ordo_err *err)
{
	store_monitor *m = item;

	memset(m, 0, sizeof(*m));
	m->tenant_id = q_col_i64(q);
	q_read_row(q, m, monitor_fields);
	m->swept_to = q_col_i64(q);
	m->seq = q_col_i64(q);
	return q_row_end(q, "reading a monitor", err);
}

static ordo_code monitors_read(store_tx *tx, unsigned id, int64_t bind,
			       int64_t limit, store_monitor **out, size_t *n,
			       ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open(&q, tx, id, err);
	if (rc == ORDO_OK) {
		q_i64(&q, bind);
		if (limit)
			q_i64(&q, limit);
		rc = q_rows(&q, SQL_SCAN_MAX, sizeof(store_monitor),
			    read_monitor, &items, n, "reading monitors", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_monitors_of(store_tx *tx, int64_t tenant, store_monitor **out,
			    size_t *n, ordo_err *err)
{
	return monitors_read(tx, SQL_MONITORS_OF, tenant, 0, out, n, err);
}

ordo_code store_monitors_all(store_tx *tx, int64_t after_seq, int limit,
			     store_monitor **out, size_t *n, ordo_err *err)
{
	ordo_code rc = sql_check_limit(limit, SQL_SCAN_MAX, err);

	*out = NULL;
	*n = 0;
	return rc ? rc
		  : monitors_read(tx, SQL_MONITORS_ALL, after_seq, limit, out,
				  n, err);
}

ordo_code store_monitor_swept(store_tx *tx, int64_t seq, int64_t swept_to,
			      bool *still, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_monitor_swept", err);

	*still = false;
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_MONITOR_SWEPT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, swept_to);
		q_i64(&q, swept_to);
		q_i64(&q, seq);
		rc = q_step(&q, still, "moving a monitor on", NULL, err);
	}
	q_close(&q);
	return rc;
}

static ordo_code read_due(struct q *q, void *item, ordo_err *err)
{
	store_due *d = item;

	memset(d, 0, sizeof(*d));
	d->order_seq = q_col_i64(q);
	q_col_str(q, d->order_id, sizeof(d->order_id));
	q_col_str(q, d->order_state, sizeof(d->order_state));
	d->since = q_col_i64(q);
	q_col_str(q, d->hold_id, sizeof(d->hold_id));
	q_col_str(q, d->hold_type, sizeof(d->hold_type));
	return q_row_end(q, "reading what a monitor finds", err);
}

ordo_code store_monitor_due(store_tx *tx, const store_monitor *m,
			    ordo_time now, int limit, store_due **out,
			    size_t *n, ordo_err *err)
{
	bool holds = strcmp(m->kind, "hold_overdue") == 0;
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx,
			    holds ? SQL_MONITOR_DUE_HOLDS
				  : SQL_MONITOR_DUE_ORDERS,
			    err);
	if (rc == ORDO_OK) {
		q_i64(&q, m->tenant_id);
		if (holds) {
			q_str(&q, m->hold_type);
			q_str(&q, m->hold_type);
			q_i64(&q, m->swept_to);
			q_i64(&q, now);
		} else {
			q_str(&q, m->state);
			q_i64(&q, m->swept_to);
			q_i64(&q, now - m->after_s);
		}
		q_str(&q, m->id);
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(store_due), read_due,
			    &items, n, "finding what a monitor finds", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

/* ---- alerts -------------------------------------------------------------- */

ordo_code store_alert_insert(store_tx *tx, int64_t tenant, int64_t order_seq,
			     store_alert *a, bool *raised, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_alert_insert", err);

	*raised = false;
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_ALERT_INSERT, err);
	if (rc == ORDO_OK) {
		q_str(&q, a->id);
		q_i64(&q, tenant);
		q_i64(&q, order_seq);
		q_bind_row(&q, a, alert_fields);
		rc = q_step(&q, raised, "raising an alert", "id", err);
		if (rc == ORDO_OK && *raised)
			a->seq = q_col_i64(&q);
	}
	q_close(&q);
	return rc;
}

static ordo_code read_alert(struct q *q, void *item, ordo_err *err)
{
	store_alert *a = item;

	memset(a, 0, sizeof(*a));
	a->seq = q_col_i64(q);
	a->tenant_id = q_col_i64(q);
	q_col_str(q, a->id, sizeof(a->id));
	q_col_str(q, a->order_id, sizeof(a->order_id));
	q_read_row(q, a, alert_fields);
	return q_row_end(q, "reading an alert", err);
}

static ordo_code read_open_alert(struct q *q, void *item, ordo_err *err)
{
	store_alert *a = item;

	memset(a, 0, sizeof(*a));
	a->seq = q_col_i64(q);
	a->tenant_id = q_col_i64(q);
	q_col_str(q, a->id, sizeof(a->id));
	q_col_str(q, a->order_id, sizeof(a->order_id));
	q_read_row(q, a, alert_fields);
	q_read_row(q, a, alert_now_fields);
	a->now_monitor_after_s = q_col_i64(q);
	return q_row_end(q, "reading an open alert", err);
}

ordo_code store_alerts_open(store_tx *tx, int64_t after_seq, int limit,
			    store_alert **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_ALERTS_OPEN, err);
	if (rc == ORDO_OK) {
		q_i64(&q, after_seq);
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(store_alert),
			    read_open_alert, &items, n,
			    "reading the open alerts", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_alert_clear_stale(store_tx *tx, const store_alert *a,
				  int64_t order_seq, ordo_time now,
				  store_alert *old, bool *cleared,
				  ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_alert_clear_stale", err);

	*cleared = false;
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_ALERT_CLEAR_STALE, err);
	if (rc == ORDO_OK) {
		q_i64(&q, now);
		q_i64(&q, a->tenant_id);
		q_str(&q, a->monitor_id);
		q_i64(&q, order_seq);
		q_str(&q, a->hold_id);
		q_i64(&q, a->since);
		rc = q_step(&q, cleared, "clearing an alert", NULL, err);
	}
	if (rc == ORDO_OK && *cleared) {
		*old = *a;
		q_col_str(&q, old->id, sizeof(old->id));
		old->since = q_col_i64(&q);
		q_col_str(&q, old->message, sizeof(old->message));
		old->raised_at = q_col_i64(&q);
		old->cleared_at = now;
	}
	q_close(&q);
	return rc;
}

ordo_code store_alert_clear(store_tx *tx, int64_t tenant, const char *id,
			    ordo_time now, bool *cleared, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_alert_clear", err);

	*cleared = false;
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_ALERT_CLEAR, err);
	if (rc == ORDO_OK) {
		q_i64(&q, now);
		q_i64(&q, tenant);
		q_str(&q, id);
		rc = q_step(&q, cleared, "clearing an alert", "id", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_alert_list(store_tx *tx, int64_t tenant, const char *status,
			   int64_t before_seq, int limit, store_alert **out,
			   size_t *n, int64_t *next, ordo_err *err)
{
	unsigned id = !status || !*status	   ? SQL_ALERTS_LIST
		      : strcmp(status, "open") == 0 ? SQL_ALERTS_LIST_OPEN
						    : SQL_ALERTS_LIST_CLEARED;
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(limit, before_seq, err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, id, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, sql_page_bound(before_seq));
		q_i64(&q, (int64_t)limit + 1);
		rc = q_page(&q, limit, sizeof(store_alert),
			    offsetof(store_alert, seq), read_alert, &items, n,
			    next, "listing alerts", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}
