/*
 * monitors.c - SLA monitors and their alerts (app/monitors.h).
 *
 * Raising: each monitor's sweep reads, outside any write, what came due
 * since it last looked (store_monitor_due: orders in its state since
 * before now - after_s, or open holds past due, after its swept_to), then
 * writes an alert, a timeline event and the webhook for each, and moves
 * swept_to on, in one write. Two nodes sweeping at once raise each alert
 * once: the second insert finds it open and does nothing.
 *
 * Clearing: the open alerts are read a page at a time with what they
 * were raised on as it is now (the order's state and state_since, the
 * hold's status, the monitor); those whose condition has ended are
 * cleared in one write.
 */
#include "app/audit.h"
#include "app/monitors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/flow.h"
#include "app/metrics.h"
#include "channels/json_fields.h"
#include "channels/native_out.h"
#include "core/ids.h"
#include "core/lifecycle.h"
#include "core/timeutil.h"

/* The states an order rests in that a state_age monitor may watch. */
static const char *const watched_states[] = {
	"on_hold", "accepted", "allocated", "released", "shipped", "delivered",
	NULL,
};

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool id_ok(const char *id)
{
	size_t i, len = strlen(id);

	if (len == 0 || len >= STORE_MONITOR_ID_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((id[i] >= 'a' && id[i] <= 'z') ||
		      (id[i] >= '0' && id[i] <= '9') || id[i] == '-' ||
		      id[i] == '_'))
			return false;
	return true;
}

void app_monitor_check(const store_monitor *m, const char *path,
		       ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	hold_type t;

	snprintf(field, sizeof(field), "%s.id", path);
	if (!id_ok(m->id))
		ordo_err_add(err, ORDO_EINVALID, field,
			     "must be 1 to %d lower-case letters, digits, "
			     "'-' or '_'",
			     STORE_MONITOR_ID_MAX - 1);
	if (strcmp(m->kind, "state_age") == 0) {
		snprintf(field, sizeof(field), "%s.state", path);
		if (!in_list(m->state, watched_states))
			ordo_err_add(err, ORDO_EINVALID, field,
				     "\"%s\" is not a state an order waits "
				     "in; one of: on_hold, accepted, "
				     "allocated, released, shipped, delivered",
				     m->state);
		snprintf(field, sizeof(field), "%s.after_s", path);
		if (m->after_s < APP_MONITOR_AFTER_MIN_S ||
		    m->after_s > APP_MONITOR_AFTER_MAX_S)
			ordo_err_add(err, ORDO_EINVALID, field,
				     "must be %d..%d seconds, not %lld",
				     APP_MONITOR_AFTER_MIN_S,
				     APP_MONITOR_AFTER_MAX_S,
				     (long long)m->after_s);
		snprintf(field, sizeof(field), "%s.hold_type", path);
		if (m->hold_type[0])
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a hold_overdue monitor takes a "
				     "hold_type");
	} else if (strcmp(m->kind, "hold_overdue") == 0) {
		snprintf(field, sizeof(field), "%s.hold_type", path);
		if (m->hold_type[0] &&
		    hold_type_parse(m->hold_type, &t) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list), hold_type_name,
				     HOLD_TYPE_COUNT);
			ordo_err_add(err, ORDO_EINVALID, field,
				     "\"%s\" is not a hold type; one of: %s",
				     m->hold_type, list);
		}
		snprintf(field, sizeof(field), "%s.state", path);
		if (m->state[0])
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a state_age monitor takes a "
				     "state (a hold is overdue past its "
				     "due_at)");
		snprintf(field, sizeof(field), "%s.after_s", path);
		if (m->after_s)
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a state_age monitor takes after_s "
				     "(a hold is overdue past its due_at, "
				     "set by the tenant's settings holds.*"
				     ".sla_s)");
	} else if (!m->kind[0]) {
		snprintf(field, sizeof(field), "%s.kind", path);
		ordo_err_add(err, ORDO_EINVALID, field,
			     "is required: state_age or hold_overdue");
	} else {
		snprintf(field, sizeof(field), "%s.kind", path);
		ordo_err_add(err, ORDO_EINVALID, field,
			     "\"%s\" is not a monitor kind; one of: "
			     "state_age, hold_overdue",
			     m->kind);
	}
}

ordo_code app_monitors_cmd_check(const app_monitors_cmd *c, ordo_err *err)
{
	char path[48];
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		snprintf(path, sizeof(path), "monitors[%zu]", i);
		app_monitor_check(&c->monitors[i], path, err);
		for (j = 0; j < i; j++) {
			if (strcmp(c->monitors[i].id, c->monitors[j].id) != 0)
				continue;
			snprintf(path, sizeof(path), "monitors[%zu].id", i);
			ordo_err_add(err, ORDO_EINVALID, path,
				     "\"%s\" is the id of monitors[%zu] "
				     "already",
				     c->monitors[i].id, j);
			break;
		}
	}
	return err->code;
}

/* ---- the command (write.h) ------------------------------------------------ */

/* The monitors as the audit log keeps them: each one's JSON. */
static json_t *monitors_audit(const store_monitor *m, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_monitor_json(&m[i]));
	return arr;
}

static ordo_code monitors_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_monitors_cmd *c = (app_monitors_cmd *)w;
	store_monitor *was = NULL;
	size_t n_was = 0;
	ordo_code rc = store_monitors_of(tx, w->caller.tenant_id, &was, &n_was,
					 err);

	if (rc == ORDO_OK)
		rc = store_monitors_put(tx, w->caller.tenant_id, c->monitors,
					c->n, err);
	/* Like the settings: what was watched before and after. */
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "monitors.changed",
			       "monitors", monitors_audit(was, n_was),
			       monitors_audit(c->monitors, c->n), err);
	free(was);
	return rc;
}

static const app_write_type monitors_type = {.name = "monitors_put",
					     .run = monitors_run};

void app_monitors_cmd_init(app_monitors_cmd *c, const app_caller *caller,
			   ordo_time now)
{
	size_t i;

	app_write_init(&c->w, &monitors_type, caller, now);
	for (i = 0; i < STORE_MONITORS_MAX; i++)
		c->monitors[i].created_at = now;
}

/* ---- reads ---------------------------------------------------------------- */

ordo_code app_monitors_get(store *st, const app_caller *c,
			   store_monitor **out, size_t *n, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = store_monitors_of(tx, c->tenant_id, out, n, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_alerts_list(store *st, const app_caller *c, const char *status,
			  int64_t before_seq, int limit, store_alert **out,
			  size_t *n, int64_t *next, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	*out = NULL;
	*n = 0;
	*next = 0;
	if (rc)
		return rc;
	rc = store_alert_list(tx, c->tenant_id, status, before_seq, limit,
			      out, n, next, err);
	store_read_end(tx);
	return rc;
}

json_t *app_monitor_json(const store_monitor *m)
{
	json_t *j = json_pack("{s:s, s:s}", "id", m->id, "kind", m->kind);

	if (strcmp(m->kind, "state_age") == 0) {
		json_object_set_new(j, "state", json_string(m->state));
		json_object_set_new(j, "after_s",
				    json_integer((json_int_t)m->after_s));
	} else {
		json_object_set_new(j, "hold_type",
				    m->hold_type[0] ? json_string(m->hold_type)
						    : json_null());
	}
	return j;
}

json_t *app_alert_json(const store_alert *a)
{
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o}", "id",
		a->id, "monitor_id", a->monitor_id, "kind", a->kind,
		"order_id", a->order_id, "hold_id",
		a->hold_id[0] ? json_string(a->hold_id) : json_null(),
		"status", a->cleared_at ? "cleared" : "open", "since",
		native_time_json(a->since), "message", a->message,
		"raised_at", native_time_json(a->raised_at), "cleared_at",
		a->cleared_at ? native_time_json(a->cleared_at) : json_null());
}

/* ---- the sweep ------------------------------------------------------------ */

/* 7200 -> "2h", 5400 -> "90m", 90061 -> "90061s" */
static void duration_text(int64_t s, char *buf, size_t size)
{
	if (s % 86400 == 0)
		snprintf(buf, size, "%lldd", (long long)(s / 86400));
	else if (s % 3600 == 0)
		snprintf(buf, size, "%lldh", (long long)(s / 3600));
	else if (s % 60 == 0)
		snprintf(buf, size, "%lldm", (long long)(s / 60));
	else
		snprintf(buf, size, "%llds", (long long)s);
}

static void alert_message(const store_monitor *m, const store_due *d,
			  char *buf, size_t size)
{
	char since[32], after[24];

	time_format_rfc3339(d->since, since, sizeof(since));
	if (d->hold_id[0]) {
		snprintf(buf, size,
			 "hold %s (%s) unresolved past its due time %s "
			 "(monitor %s)",
			 d->hold_id, d->hold_type, since, m->id);
	} else {
		duration_text(m->after_s, after, sizeof(after));
		snprintf(buf, size,
			 "order %s in %s for more than %s, since %s "
			 "(monitor %s)",
			 d->order_id, m->state, after, since, m->id);
	}
}

/* Record on the order's timeline and tell the subscribers. */
static ordo_code alert_tell(store_tx *tx, const store_alert *a,
			    const char *order_state_text, const char *type,
			    const char *event_type, const char *message,
			    ordo_time now, ordo_err *err)
{
	order_event ev;
	order_state s = ORDER_ACCEPTED;
	bool any = false;
	ordo_code rc;

	order_state_parse(order_state_text, &s);
	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.type, event_type, sizeof(ev.type));
	ev.from_state = s;
	ev.to_state = s;
	ordo_strlcpy(ev.hold_id, a->hold_id, sizeof(ev.hold_id));
	ordo_strlcpy(ev.actor, "system", sizeof(ev.actor));
	ordo_strlcpy(ev.message, message, sizeof(ev.message));
	ev.at = now;
	rc = store_event_append(tx, a->tenant_id, a->order_id, &ev, err);
	if (rc == ORDO_OK)
		rc = store_outbox_subscribed(tx, a->tenant_id, type, NULL,
					     NULL, &any, err);
	if (rc || !any)
		return rc;
	return app_emit(tx, a->tenant_id, type, a->order_id, NULL,
			app_alert_json(a), now, err);
}

/* What one monitor found due, to raise. */
struct raise {
	const store_monitor *m;
	const store_due *due;
	size_t n;
	int64_t swept_to;
	ordo_time now;
	size_t raised; /* out */
};

/* Clear an open alert of the same monitor, order and hold raised on an
 * earlier stay in the state, before a is raised for this one. */
static ordo_code clear_stale(store_tx *tx, const store_alert *a,
			     const store_due *d, ordo_time now, ordo_err *err)
{
	char message[ORDO_MESSAGE_MAX];
	store_alert old;
	bool cleared = false;
	ordo_code rc = store_alert_clear_stale(tx, a, d->order_seq, now, &old,
					       &cleared, err);

	if (rc || !cleared)
		return rc;
	snprintf(message, sizeof(message),
		 "%s cleared: the order left the state (monitor %s)", old.id,
		 old.monitor_id);
	rc = app_tally_alert(tx, old.tenant_id, -1, err);
	return rc ? rc
		  : alert_tell(tx, &old, d->order_state, "alert.cleared",
			       "alert_cleared", message, now, err);
}

static ordo_code raise_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct raise *r = arg;
	size_t i;
	bool still = false;
	ordo_code rc = store_monitor_swept(tx, r->m->seq, r->swept_to, &still,
					   err);

	r->raised = 0;
	/* A monitor written anew since it was read raises nothing on what
	 * the old one found: its own sweep starts over. */
	if (rc || !still)
		return rc;
	for (i = 0; rc == ORDO_OK && i < r->n; i++) {
		const store_due *d = &r->due[i];
		store_alert a;
		bool raised = false;

		memset(&a, 0, sizeof(a));
		ordo_id_new("alr_", a.id);
		a.tenant_id = r->m->tenant_id;
		ordo_strlcpy(a.order_id, d->order_id, sizeof(a.order_id));
		ordo_strlcpy(a.monitor_id, r->m->id, sizeof(a.monitor_id));
		ordo_strlcpy(a.kind, r->m->kind, sizeof(a.kind));
		ordo_strlcpy(a.hold_id, d->hold_id, sizeof(a.hold_id));
		a.since = d->since;
		alert_message(r->m, d, a.message, sizeof(a.message));
		a.raised_at = r->now;
		rc = clear_stale(tx, &a, d, r->now, err);
		if (rc == ORDO_OK)
			rc = store_alert_insert(tx, a.tenant_id, d->order_seq,
						&a, &raised, err);
		if (rc == ORDO_OK && raised) {
			rc = app_tally_alert(tx, a.tenant_id, 1, err);
			if (rc == ORDO_OK)
				rc = alert_tell(tx, &a, d->order_state,
						"alert.raised", "alert_raised",
						a.message, r->now, err);
			r->raised++;
		}
	}
	return rc;
}

/* Raise what monitor m finds due by now, a page at a time. */
static ordo_code sweep_monitor(store *st, store_monitor *m, ordo_time now,
			       size_t *raised, ordo_err *err)
{
	bool holds = strcmp(m->kind, "hold_overdue") == 0;
	int64_t bound = holds ? now : now - m->after_s;
	int pages;
	ordo_code rc = ORDO_OK;

	for (pages = 0; rc == ORDO_OK && pages < 5; pages++) {
		struct raise r = {.m = m, .now = now};
		store_due *due = NULL;
		store_tx *tx;

		rc = store_read_begin(st, &tx, err);
		if (rc)
			break;
		rc = store_monitor_due(tx, m, now, APP_MONITOR_SWEEP_MAX, &due,
				       &r.n, err);
		store_read_end(tx);
		if (rc)
			break;
		r.due = due;
		/* A full page goes on from its last (the same time read again
		 * finds those raised, and passes them); else all is read. */
		r.swept_to = r.n == APP_MONITOR_SWEEP_MAX ? due[r.n - 1].since
							  : bound;
		/* Nothing new costs no write, but for moving the mark on
		 * once a minute: what lies between it and the bound has its
		 * alerts already, which reading it again passes. */
		if (r.n > 0 || r.swept_to - m->swept_to >= 60)
			rc = store_write(st, raise_run, &r, err);
		free(due);
		if (rc)
			break;
		*raised += r.raised;
		if (r.n < APP_MONITOR_SWEEP_MAX ||
		    r.swept_to == m->swept_to)
			break;
		m->swept_to = r.swept_to;
	}
	return rc;
}

/* Why an open alert no longer holds at now, or NULL when it still
 * does. */
static const char *alert_ended(const store_alert *a, ordo_time now)
{
	if (!a->now_monitor_kind[0])
		return "its monitor was removed";
	if (strcmp(a->now_monitor_kind, a->kind) != 0)
		return "its monitor was changed";
	if (strcmp(a->kind, "state_age") == 0) {
		if (a->now_state_since != a->since)
			return "the order left the state";
		/* In the state it was alerted for still: then the monitor
		 * watches another, or waits longer now. */
		if (strcmp(a->now_order_state, a->now_monitor_state) != 0 ||
		    now - a->since < a->now_monitor_after_s)
			return "its monitor was changed";
		return NULL;
	}
	if (strcmp(a->now_hold_status, "open") != 0)
		return "the hold was resolved";
	if (a->now_monitor_hold_type[0] &&
	    strcmp(a->now_monitor_hold_type, a->now_hold_type) != 0)
		return "its monitor was changed";
	return NULL;
}

struct clearing {
	store_alert *alerts;
	size_t n;
	ordo_time now;
	size_t cleared; /* out */
};

static ordo_code clear_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct clearing *c = arg;
	size_t i;
	ordo_code rc = ORDO_OK;

	c->cleared = 0;
	for (i = 0; rc == ORDO_OK && i < c->n; i++) {
		store_alert *a = &c->alerts[i];
		const char *why = alert_ended(a, c->now);
		char message[ORDO_MESSAGE_MAX];
		bool cleared = false;

		if (!why)
			continue;
		rc = store_alert_clear(tx, a->tenant_id, a->id, c->now,
				       &cleared, err);
		if (rc || !cleared)
			continue;
		a->cleared_at = c->now;
		snprintf(message, sizeof(message), "%s cleared: %s (monitor %s)",
			 a->id, why, a->monitor_id);
		rc = app_tally_alert(tx, a->tenant_id, -1, err);
		if (rc == ORDO_OK)
			rc = alert_tell(tx, a, a->now_order_state,
					"alert.cleared", "alert_cleared",
					message, c->now, err);
		c->cleared++;
	}
	return rc;
}

static ordo_code clear_ended(store *st, ordo_time now, int64_t *cursor,
			     size_t *cleared, ordo_err *err)
{
	struct clearing c = {.now = now};
	store_tx *tx;
	size_t i;
	bool any = false;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_alerts_open(tx, *cursor, APP_MONITOR_SWEEP_MAX, &c.alerts,
			       &c.n, err);
	store_read_end(tx);
	if (rc)
		return rc;
	for (i = 0; i < c.n && !any; i++)
		any = alert_ended(&c.alerts[i], now) != NULL;
	if (any)
		rc = store_write(st, clear_run, &c, err);
	if (rc == ORDO_OK) {
		*cleared += c.cleared;
		*cursor = c.n == APP_MONITOR_SWEEP_MAX ? c.alerts[c.n - 1].seq
						       : 0;
	}
	free(c.alerts);
	return rc;
}

/* Keep the first failure in err; go on with a scratch one. */
static void keep_first(ordo_code rc, ordo_err *first, ordo_err *scratch)
{
	if (rc && first->code == ORDO_OK)
		ordo_err_set(first, scratch->code, scratch->field, "%s",
			     scratch->message);
	ordo_err_clear(scratch);
}

ordo_code app_monitors_sweep(store *st, ordo_time now, int64_t *cursor,
			     size_t *raised, size_t *cleared, ordo_err *err)
{
	ordo_err one = ORDO_ERR_INIT;
	int64_t after = 0;
	size_t n, i;
	ordo_code rc;

	*raised = 0;
	*cleared = 0;
	/* Every monitor of every tenant, a page at a time; one that fails
	 * (its tenant's database trouble) keeps none of the others from
	 * their round, nor the clearing. */
	do {
		store_monitor *m = NULL;
		store_tx *tx;

		n = 0;
		rc = store_read_begin(st, &tx, &one);
		if (rc == ORDO_OK) {
			rc = store_monitors_all(tx, after,
						APP_MONITOR_SWEEP_MAX, &m, &n,
						&one);
			store_read_end(tx);
		}
		keep_first(rc, err, &one);
		for (i = 0; i < n; i++) {
			keep_first(sweep_monitor(st, &m[i], now, raised, &one),
				   err, &one);
			after = m[i].seq;
		}
		free(m);
	} while (rc == ORDO_OK && n == APP_MONITOR_SWEEP_MAX);
	keep_first(clear_ended(st, now, cursor, cleared, &one), err, &one);
	return err->code;
}
