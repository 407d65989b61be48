/*
 * changes.c - changes and cancellations of orders in the flow, change
 * requests to warehouses, and holds placed by hand (see changes.h).
 *
 *   app_order_change   decide the change (order_change_plan): refuse it,
 *                      apply it now, or ask the warehouses holding the
 *                      units it touches
 *   apply              cancel the units the plan takes away where they
 *                      sit (open; allocated, giving back the stock of
 *                      pending fulfillments; released, once accepted),
 *                      make the rest of the change (order_change_apply),
 *                      validate and judge the order again, let it go on
 *                      (allocate what is open, release as the tenant
 *                      does); a new address routes again, so what was
 *                      allocated and not released goes back to open first
 *   app_change_decide  a warehouse's accept (apply) or refusal (a
 *                      change_after_release hold)
 *   app_changes_expire requests not answered in time: the same hold
 *
 * Every change is one order_changes row and one timeline event; a
 * request's decision is a second event. Webhooks: order.changed after a
 * change is applied; change_request.requested, .accepted, .refused and
 * .expired; fulfillment.change_requested to each warehouse asked.
 */
#include "app/audit.h"
#include "app/changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/allocation.h"
#include "app/flow.h"
#include "app/metrics.h"
#include "app/review.h"
#include "app/stock.h"
#include "channels/json_fields.h"
#include "channels/native.h"
#include "channels/native_out.h"
#include "core/fulfillment.h"

json_t *app_change_json(const store_change *c)
{
	json_t *detail = json_loads(c->detail, 0, NULL);
	json_t *fuls = json_array();
	const char *p = c->fulfillments;

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		json_array_append_new(fuls, json_stringn(p, len));
		p += len + (end ? 1 : 0);
	}
	return json_pack(
		"{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
		"s:o, s:o, s:o}",
		"id", c->id, "order_id", c->order_id, "kind", c->kind, "change",
		detail ? detail : json_object(), "summary", c->summary,
		"reason", c->reason, "state", c->state, "requested_by",
		c->requested_by, "requested_at",
		native_time_json(c->requested_at), "due_at",
		c->due_at ? native_time_json(c->due_at) : json_null(),
		"decided_by",
		c->decided_by[0] ? json_string(c->decided_by) : json_null(),
		"decided_at",
		c->decided_at ? native_time_json(c->decided_at) : json_null(),
		"decision_reason",
		c->decision_reason[0] ? json_string(c->decision_reason)
				      : json_null(),
		"fulfillments", fuls, "hold_id",
		c->hold_id[0] ? json_string(c->hold_id) : json_null());
}

ordo_code app_order_if_match(const order *o, int64_t if_match, ordo_err *err)
{
	if (if_match == 0 || if_match == o->version)
		return ORDO_OK;
	return ordo_err_set(err, ORDO_EPRECONDITION, "If-Match",
			    "order %s is at version %lld, not %lld: it "
			    "changed since it was read (state %s); read it "
			    "again",
			    o->id, (long long)o->version, (long long)if_match,
			    order_state_name(o->state));
}

/* ---- the order's units --------------------------------------------------- */

static bool holds_released(const fulfillment *f)
{
	return f->state == FULFILLMENT_RELEASED ||
	       f->state == FULFILLMENT_ACCEPTED;
}

/* Give back q units of sku reserved at location for o. */
static ordo_code unreserve(store_tx *tx, const order *o, const char *location,
			   const char *sku, int64_t q, const char *reason,
			   const char *actor, ordo_time now, ordo_err *err)
{
	stock_level before, after;
	ordo_code rc = store_stock_get(tx, o->tenant_id, location, sku,
				       &before, err);

	if (rc)
		return rc;
	after = before;
	after.reserved -= q;
	after.updated_at = now;
	return app_stock_change(tx, o->tenant_id, &before, &after,
				"unreserve", "changed", reason, actor, o->id,
				now, err);
}

/* A fulfillment that has nothing left to ship: shipped when it shipped
 * some, else cancelled (a released one's warehouse told). */
static ordo_code fulfillment_settle(store_tx *tx, const order *o,
				    fulfillment *f, ordo_time now,
				    ordo_err *err)
{
	bool handed_over = holds_released(f), shipped = false;
	size_t k;
	ordo_code rc;

	if (fulfillment_unshipped(f) > 0)
		return ORDO_OK;
	for (k = 0; k < f->n_lines; k++)
		shipped |= f->lines[k].shipped > 0;
	rc = fulfillment_move(&f->state,
			      shipped ? FULFILLMENT_SHIPPED
				      : FULFILLMENT_CANCELLED,
			      err);
	if (rc == ORDO_OK && !shipped && handed_over)
		rc = app_emit_fulfillment(tx, o, f, "fulfillment.cancelled",
					  now, err);
	return rc;
}

/* Whether id is one of the comma-separated ids of list. */
static bool among(const char *list, const char *id)
{
	size_t len = strlen(id);
	const char *p = list;

	while ((p = strstr(p, id)) != NULL) {
		if ((p == list || p[-1] == ',') &&
		    (p[len] == ',' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/*
 * Cancel n units of line l promised in fulfillments (pending ones for
 * allocated units; for released units, released or accepted ones of
 * those `asked`, a request's comma-separated ids), the newest fulfillment
 * first: each unit's stock given back. Released units elsewhere are not
 * the answering warehouse's to give: ORDO_ECONFLICT.
 */
static ordo_code cancel_promised(store_tx *tx, order *o, order_line *l,
				 int64_t n, bool released, const char *asked,
				 const char *actor, const char *reason,
				 ordo_time now, ordo_err *err)
{
	size_t i = o->n_fulfillments, k;
	ordo_code rc;

	while (n > 0 && i-- > 0) {
		fulfillment *f = &o->fulfillments[i];
		bool touched = false;

		if (released ? !holds_released(f) || !among(asked, f->id)
			     : f->state != FULFILLMENT_PENDING)
			continue;
		for (k = 0; n > 0 && k < f->n_lines; k++) {
			fulfillment_line *fl = &f->lines[k];
			int64_t q = fl->quantity - fl->shipped;

			if (fl->line_no != l->line_no || q == 0)
				continue;
			if (q > n)
				q = n;
			fl->quantity -= q;
			n -= q;
			touched = true;
			rc = order_line_move(l,
					     released ? QTY_RELEASED
						      : QTY_ALLOCATED,
					     QTY_CANCELLED, q, err);
			if (rc == ORDO_OK)
				rc = unreserve(tx, o, f->location, fl->sku, q,
					       reason, actor, now, err);
			if (rc)
				return rc;
		}
		if (!touched)
			continue;
		f->updated_at = now;
		rc = fulfillment_settle(tx, o, f, now, err);
		if (rc == ORDO_OK)
			rc = store_fulfillment_update(tx, o->tenant_id, f, err);
		if (rc)
			return rc;
	}
	if (n > 0 && released)
		return ordo_err_set(err, ORDO_ECONFLICT, "fulfillments",
				    "line %d of order %s: %lld of the units "
				    "to cancel are released to a warehouse "
				    "the request did not ask",
				    l->line_no, o->id, (long long)n);
	if (n > 0)
		return ordo_err_set(err, ORDO_EINTERNAL, "lines",
				    "line %d of order %s: %lld units to "
				    "cancel are in no fulfillment",
				    l->line_no, o->id, (long long)n);
	return ORDO_OK;
}

/* Everything allocated and not released goes back to open, its stock
 * given back and its fulfillments cancelled: to be routed again. */
static ordo_code unallocate(store_tx *tx, order *o, const char *actor,
			    const char *reason, ordo_time now, ordo_err *err)
{
	size_t i, k, j;
	ordo_code rc;

	for (i = 0; i < o->n_fulfillments; i++) {
		fulfillment *f = &o->fulfillments[i];

		if (f->state != FULFILLMENT_PENDING)
			continue;
		for (k = 0; k < f->n_lines; k++) {
			fulfillment_line *fl = &f->lines[k];

			if (fl->quantity == 0)
				continue;
			for (j = 0; j < o->n_lines; j++)
				if (o->lines[j].line_no == fl->line_no)
					break;
			if (j == o->n_lines)
				return ordo_err_set(err, ORDO_EINTERNAL,
						    "lines",
						    "fulfillment %s names "
						    "line %d, which the "
						    "order does not have",
						    f->id, fl->line_no);
			rc = order_line_move(&o->lines[j], QTY_ALLOCATED,
					     QTY_OPEN, fl->quantity, err);
			if (rc == ORDO_OK)
				rc = unreserve(tx, o, f->location, fl->sku,
					       fl->quantity, reason, actor,
					       now, err);
			if (rc)
				return rc;
			fl->quantity = 0;
		}
		f->state = FULFILLMENT_CANCELLED;
		f->updated_at = now;
		rc = store_fulfillment_update(tx, o->tenant_id, f, err);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

/*
 * Make change c, planned as p, on o (loaded, locked): see the top. The
 * order is saved; an order left with no unit is cancelled. Released units
 * are taken only from the fulfillments `asked` (a request's; "" for a
 * change applied at once, which takes none).
 */
static ordo_code apply(store_tx *tx, order *o, const order_change *c,
		       const change_plan *p, const char *asked,
		       const char *actor, const char *reason,
		       const char *summary, ordo_time now, ordo_err *err)
{
	char text[ORDO_MESSAGE_MAX];
	size_t i, n_before = o->n_lines;
	ordo_code rc = ORDO_OK;

	/* Touched again after release: rework (core/metrics.h). */
	if (o->released_at > 0)
		o->marks_new |= MARK_REWORK;
	snprintf(text, sizeof(text), "%.120s: %.120s", summary, reason);
	if (p->whole) {
		rc = app_event(tx, o, "changed", o->state, o->state, NULL,
			       actor, text, now, err);
		return rc ? rc
			  : app_order_cancel(tx, o, actor, reason, false, now,
					     err);
	}
	for (i = 0; rc == ORDO_OK && i < p->n_lines; i++) {
		if (p->lines[i].from_allocated > 0)
			rc = cancel_promised(tx, o, &o->lines[i],
					     p->lines[i].from_allocated, false,
					     asked, actor, reason, now, err);
		if (rc == ORDO_OK && p->lines[i].from_released > 0)
			rc = cancel_promised(tx, o, &o->lines[i],
					     p->lines[i].from_released, true,
					     asked, actor, reason, now, err);
	}
	if (rc == ORDO_OK && c->kind == CHANGE_SHIP_TO)
		rc = unallocate(tx, o, actor, reason, now, err);
	if (rc == ORDO_OK)
		rc = order_change_apply(o, c, p, err);
	if (rc == ORDO_OK && o->n_lines > n_before)
		rc = store_order_line_add(tx, o, &o->lines[n_before], err);
	if (rc == ORDO_OK)
		rc = app_event(tx, o, "changed", o->state, o->state, NULL,
			       actor, text, now, err);
	if (rc == ORDO_OK && o->state != ORDER_RECEIVED &&
	    o->state != ORDER_VALIDATED)
		rc = app_order_revalidate(tx, o, actor,
					  "superseded by a change", now, err);
	if (rc == ORDO_OK)
		rc = store_order_update_content(tx, o, err);
	if (rc)
		return rc;
	/* Where its lines say it is now (an order with no unit left is
	 * cancelled), held if a hold is open, else on its way. */
	rc = app_order_walk(tx, o, actor, now, err);
	if (rc == ORDO_OK && order_open_holds(o) > 0 &&
	    o->state != ORDER_ON_HOLD &&
	    lifecycle_can_move(o->state, ORDER_ON_HOLD))
		rc = app_order_move(tx, o, ORDER_ON_HOLD, actor, now, err);
	if (rc)
		return rc;
	if (o->state == ORDER_ON_HOLD)
		rc = app_order_resume(tx, o, actor, now, err);
	else
		rc = app_order_allocate(tx, o, actor, HOLD_TYPE_COUNT, now,
					err);
	/* app_order_allocate saves only what it allocates. */
	if (rc == ORDO_OK)
		rc = app_order_save(tx, o, now, err);
	if (rc == ORDO_OK && o->state != ORDER_CANCELLED)
		rc = app_emit_order(tx, o, "order.changed", actor, now, err);
	return rc;
}

/* ---- asking --------------------------------------------------------------- */

/* The fulfillments a request asks: those holding released units the
 * plan takes away, or - for the address or the shipping method - every
 * one holding released units. */
static ordo_code asked_fulfillments(const order *o, const change_plan *p,
				    char *out, size_t size, bool *asked,
				    ordo_err *err)
{
	size_t i, k, j;

	out[0] = '\0';
	for (i = 0; i < o->n_fulfillments; i++) {
		const fulfillment *f = &o->fulfillments[i];
		bool touched = false;

		asked[i] = false;
		if (!holds_released(f) || fulfillment_unshipped(f) == 0)
			continue;
		for (k = 0; k < f->n_lines && !touched; k++) {
			if (f->lines[k].quantity == f->lines[k].shipped)
				continue;
			for (j = 0; j < o->n_lines; j++)
				if (o->lines[j].line_no == f->lines[k].line_no &&
				    (p->content ||
				     p->lines[j].from_released > 0))
					touched = true;
		}
		if (!touched)
			continue;
		asked[i] = true;
		if (strlen(out) + strlen(f->id) + 2 > size)
			return ordo_err_set(err, ORDO_ELIMIT, "fulfillments",
					    "a change request asks at most "
					    "%zu fulfillments",
					    size / (strlen(f->id) + 1));
		if (out[0])
			strcat(out, ",");
		strcat(out, f->id);
	}
	return ORDO_OK;
}

static ordo_code emit_change(store_tx *tx, const order *o,
			     const store_change *rec, const char *type,
			     ordo_time now, ordo_err *err)
{
	bool any = false;
	ordo_code rc = store_outbox_subscribed(tx, o->tenant_id, type, NULL,
					       NULL, &any, err);

	if (rc || !any)
		return rc;
	return app_emit(tx, o->tenant_id, type, o->id, NULL,
			app_change_json(rec), now, err);
}

static ordo_code request(store_tx *tx, order *o, const change_plan *p,
			 store_change *rec, ordo_time now, ordo_err *err)
{
	tenant_settings set;
	bool *asked = calloc(o->n_fulfillments + 1, sizeof(*asked));
	char text[ORDO_MESSAGE_MAX];
	size_t i;
	ordo_code rc;

	if (!asked)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	rc = store_settings_get(tx, o->tenant_id, &set, err);
	if (rc)
		goto out;
	rc = asked_fulfillments(o, p, rec->fulfillments,
				sizeof(rec->fulfillments), asked, err);
	if (rc)
		goto out;
	ordo_strlcpy(rec->state, APP_CHANGE_REQUESTED, sizeof(rec->state));
	rec->due_at = now + set.change_window_s;
	rc = store_change_insert(tx, o->tenant_id, rec, err);
	if (rc)
		goto out;
	snprintf(text, sizeof(text), "%.100s (%s): %.100s", rec->summary,
		 rec->id, rec->reason);
	rc = app_event(tx, o, "change_requested", o->state, o->state, NULL,
		       rec->requested_by, text, now, err);
	for (i = 0; rc == ORDO_OK && i < o->n_fulfillments; i++)
		if (asked[i])
			rc = app_emit_fulfillment_with(
				tx, o, &o->fulfillments[i],
				"fulfillment.change_requested",
				"change_request", app_change_json(rec), now,
				err);
	if (rc == ORDO_OK)
		rc = emit_change(tx, o, rec, "change_request.requested", now,
				 err);
out:
	free(asked);
	return rc;
}

/*
 * Ask change c of o (loaded, locked) for reason, c as JSON `detail`: the
 * checks first, which write nothing (*checked: they passed; a failure
 * after them has written, and must end the write), then the change made
 * or requested (see the top).
 */
static ordo_code ask(store_tx *tx, const app_caller *caller, order *o,
		     const order_change *c, const char *detail,
		     const char *reason, int64_t if_match, store_change *rec,
		     bool *checked, ordo_time now, ordo_err *err)
{
	store_change open;
	change_plan plan;
	bool waiting = false;
	int64_t count = 0;
	order_state was = o->state;
	ordo_code rc = app_order_if_match(o, if_match, err);

	*checked = false;
	if (rc == ORDO_OK)
		rc = store_change_waiting(tx, o->tenant_id, o->id, &open,
					  &waiting, err);
	if (rc == ORDO_OK)
		rc = store_changes_count(tx, o->tenant_id, o->id, &count, err);
	if (rc)
		return rc;
	if (count >= STORE_CHANGES_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, "id",
				    "order %s has had %d changes, the most "
				    "one order takes",
				    o->id, STORE_CHANGES_MAX);
	if (waiting)
		return ordo_err_set(err, ORDO_ECONFLICT, "state",
				    "order %s waits for its warehouse to "
				    "answer change request %s (%s); it takes "
				    "no other change until then",
				    o->id, open.id, open.summary);
	rc = order_change_plan(o, c, &plan, err);
	if (rc)
		return rc;
	*checked = true;
	memset(rec, 0, sizeof(*rec));
	ordo_id_new("chg_", rec->id);
	ordo_strlcpy(rec->order_id, o->id, sizeof(rec->order_id));
	ordo_strlcpy(rec->kind, change_kind_name(c->kind), sizeof(rec->kind));
	ordo_strlcpy(rec->detail, detail, sizeof(rec->detail));
	order_change_describe(o, c, rec->summary, sizeof(rec->summary));
	ordo_strlcpy(rec->reason, reason, sizeof(rec->reason));
	ordo_strlcpy(rec->requested_by, caller->actor,
		     sizeof(rec->requested_by));
	rec->requested_at = now;
	if (plan.route == CHANGE_REQUEST) {
		rc = request(tx, o, &plan, rec, now, err);
	} else {
		ordo_strlcpy(rec->state, APP_CHANGE_APPLIED,
			     sizeof(rec->state));
		ordo_strlcpy(rec->decided_by, caller->actor,
			     sizeof(rec->decided_by));
		rec->decided_at = now;
		rc = store_change_insert(tx, o->tenant_id, rec, err);
		if (rc == ORDO_OK)
			rc = app_tally_change(tx, o, rec->kind,
					      rec->requested_at,
					      rec->decided_at, err);
		if (rc == ORDO_OK)
			rc = apply(tx, o, c, &plan, "", caller->actor, reason,
				   rec->summary, now, err);
	}
	change_plan_free(&plan);
	/* A cancellation, asked or done - or a change that took every unit
	 * away - is in the audit log, whoever asked it (a person, a key, the
	 * order's store or trading partner); the other changes are on the
	 * order's timeline. */
	if (rc == ORDO_OK && (c->kind == CHANGE_CANCEL ||
			      (o->state == ORDER_CANCELLED &&
			       was != ORDER_CANCELLED)))
		rc = app_audit(tx, caller, now, "order.cancelled", o->id,
			       json_pack("{s:s}", "state",
					 order_state_name(was)),
			       json_pack("{s:s, s:s, s:s}", "state", rec->state,
					 "reason", reason, "change",
					 rec->kind),
			       err);
	return rc;
}

ordo_code app_order_change(store_tx *tx, const app_caller *caller,
			   const app_change_cmd *in, store_change *rec,
			   order *o, ordo_time now, ordo_err *err)
{
	bool checked;
	ordo_code rc = app_order_load(tx, caller->tenant_id, in->order_id, o,
				      err);

	return rc ? rc
		  : ask(tx, caller, o, &in->change, in->detail, in->reason,
			in->if_match, rec, &checked, now, err);
}

/* ---- changes from the order's channel --------------------------------------- */

/* Add "what: why" to the list of what was not applied. */
static void not_applied_add(char *list, size_t size, const char *what,
			    const char *why)
{
	size_t len = strlen(list);

	snprintf(list + len, size - len, "%s%.100s: %.200s", len ? "; " : "",
		 what, why);
}

/* Ask change c of o as the channel (caller): a change its stage refuses
 * is not applied and said so in not_applied; *stop once a request waits
 * (nothing more can change until it is answered). */
static ordo_code channel_ask(store_tx *tx, const app_caller *caller,
			     order *o, const order_change *c,
			     const char *reason, char *not_applied,
			     size_t size, bool *stop, ordo_err *err,
			     ordo_time now)
{
	store_change *rec = calloc(1, sizeof(*rec));
	json_t *j = native_change_json(c);
	char *detail = j ? native_dump_flags(j, JSON_COMPACT | JSON_SORT_KEYS)
			 : NULL;
	char what[ORDO_MESSAGE_MAX];
	bool checked = false;
	ordo_code rc;

	json_decref(j);
	if (!rec || !detail || strlen(detail) >= sizeof(rec->detail)) {
		free(rec);
		free(detail);
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory taking a channel's change");
	}
	order_change_describe(o, c, what, sizeof(what));
	rc = ask(tx, caller, o, c, detail, reason, 0, rec, &checked, now, err);
	if (rc != ORDO_OK && !checked && rc != ORDO_ENOMEM &&
	    rc != ORDO_ESTORAGE && rc != ORDO_EUNAVAILABLE &&
	    rc != ORDO_EINTERNAL) {
		not_applied_add(not_applied, size, what, err->message);
		ordo_err_clear(err);
		rc = ORDO_OK;
	} else if (rc == ORDO_OK &&
		   strcmp(rec->state, APP_CHANGE_REQUESTED) == 0) {
		*stop = true;
	}
	free(rec);
	free(detail);
	return rc;
}

/*
 * Whether the order went its own way in ordo since the channel sent it:
 * corrected in review, changed by anyone but the channel, or a change
 * of the channel's that its warehouse refused or let expire. Then the
 * channel's version of it is no longer the order plus the channel's
 * edits, and what differs is not the channel's to decide: *why says who
 * changed it.
 */
static ordo_code diverged(store_tx *tx, const app_caller *caller,
			  const order *o, char *why, size_t size,
			  ordo_err *err)
{
	store_change *all = NULL;
	size_t n = 0, i;
	ordo_code rc;

	why[0] = '\0';
	for (i = 0; i < o->n_holds; i++)
		if (strcmp(o->holds[i].resolution, "correct") == 0) {
			snprintf(why, size, "%.64s corrected it in review",
				 o->holds[i].resolved_by);
			return ORDO_OK;
		}
	rc = store_changes_of_order(tx, o->tenant_id, o->id, &all, &n, err);
	for (i = 0; rc == ORDO_OK && i < n && !why[0]; i++) {
		if (strcmp(all[i].requested_by, caller->actor) != 0)
			snprintf(why, size, "%.64s changed it (%.100s)",
				 all[i].requested_by, all[i].summary);
		else if (strcmp(all[i].state, APP_CHANGE_REFUSED) == 0 ||
			 strcmp(all[i].state, APP_CHANGE_EXPIRED) == 0)
			snprintf(why, size, "its warehouse did not take %s "
				 "(%.100s)", all[i].id, all[i].summary);
	}
	free(all);
	return rc;
}

ordo_code app_channel_changes(store_tx *tx, const app_caller *caller,
			      order *o, const order *theirs, char *not_applied,
			      size_t size, ordo_time now, ordo_err *err)
{
	order_change *all = calloc(APP_CHANNEL_CHANGES_MAX, sizeof(*all));
	char why[ORDO_MESSAGE_MAX], what[ORDO_MESSAGE_MAX];
	size_t n = 0, i;
	bool held = false;
	ordo_code rc;

	not_applied[0] = '\0';
	if (!all)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	if (!order_channel_changes(o, theirs, all, APP_CHANNEL_CHANGES_MAX,
				   &n))
		not_applied_add(not_applied, size, "the order",
				"it changes more than ordo takes at once");
	rc = n ? diverged(tx, caller, o, why, sizeof(why), err) : ORDO_OK;
	if (rc == ORDO_OK && n && why[0]) {
		/* Not the channel's to decide: each difference said, and a
		 * person asked to reconcile the two (once). */
		for (i = 0; i < n; i++) {
			order_change_describe(o, &all[i], what, sizeof(what));
			not_applied_add(not_applied, size, what, why);
		}
		for (i = 0; i < o->n_holds; i++)
			held |= o->holds[i].status == HOLD_OPEN &&
				strcmp(o->holds[i].raised_by, "channel") == 0;
		if (!held) {
			rc = app_hold_raise(tx, o, HOLD_POLICY_EXCEPTION, "",
					    "channel", now, err,
					    "the store changed the order, "
					    "which %.120s since: reconcile "
					    "the two",
					    why);
			if (rc == ORDO_OK && o->state != ORDER_ON_HOLD &&
			    lifecycle_can_move(o->state, ORDER_ON_HOLD))
				rc = app_order_move(tx, o, ORDER_ON_HOLD,
						    caller->actor, now, err);
			if (rc == ORDO_OK)
				rc = app_order_save(tx, o, now, err);
		}
	} else if (rc == ORDO_OK) {
		rc = app_channel_ask_all(tx, caller, o, all, n,
					 "changed at the store", not_applied,
					 size, now, err);
	}
	free(all);
	return rc;
}

ordo_code app_channel_ask_all(store_tx *tx, const app_caller *caller,
			      order *o, const order_change *all, size_t n,
			      const char *reason, char *not_applied,
			      size_t size, ordo_time now, ordo_err *err)
{
	bool stop = false;
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < n; i++) {
		char what[ORDO_MESSAGE_MAX];

		if (stop) {
			order_change_describe(o, &all[i], what, sizeof(what));
			not_applied_add(not_applied, size, what,
					"waits for the warehouse's answer to "
					"the change before it");
			continue;
		}
		rc = channel_ask(tx, caller, o, &all[i], reason, not_applied,
				 size, &stop, err, now);
	}
	return rc;
}

ordo_code app_channel_cancel(store_tx *tx, const app_caller *caller,
			     order *o, char *not_applied, size_t size,
			     ordo_time now, ordo_err *err)
{
	order_change c;
	bool stop = false;

	not_applied[0] = '\0';
	order_change_init(&c);
	c.kind = CHANGE_CANCEL;
	return channel_ask(tx, caller, o, &c, "cancelled at the store",
			   not_applied, size, &stop, err, now);
}

/* ---- deciding ------------------------------------------------------------- */

/* A request ended without the change: a change_after_release hold for a
 * person, the order held where it can be. */
static ordo_code hold_for_person(store_tx *tx, order *o, store_change *rec,
				 const char *actor, ordo_time now,
				 ordo_err *err)
{
	order_hold h;
	ordo_code rc;

	/* An order past holding (shipped, finished) has nothing left for a
	 * person to hold: the request's end is recorded all the same. */
	if (o->state != ORDER_ON_HOLD &&
	    !lifecycle_can_move(o->state, ORDER_ON_HOLD))
		return ORDO_OK;
	memset(&h, 0, sizeof(h));
	h.type = HOLD_CHANGE_AFTER_RELEASE;
	h.status = HOLD_OPEN;
	ordo_strlcpy(h.raised_by, "change", sizeof(h.raised_by));
	h.created_at = now;
	snprintf(h.message, sizeof(h.message), "change %s %s: %.120s", rec->id,
		 rec->state, rec->summary);
	rc = app_hold_add(tx, o, &h, actor, now, err);
	if (rc)
		return rc;
	ordo_strlcpy(rec->hold_id, h.id, sizeof(rec->hold_id));
	if (o->state != ORDER_ON_HOLD &&
	    lifecycle_can_move(o->state, ORDER_ON_HOLD))
		rc = app_order_move(tx, o, ORDER_ON_HOLD, actor, now, err);
	return rc ? rc : app_order_save(tx, o, now, err);
}

/* End rec (requested) as state, by actor, for reason: an accept applies
 * change; a refusal or an expiry holds the order for a person. */
static ordo_code decide(store_tx *tx, int64_t tenant, store_change *rec,
			const char *state, const order_change *change,
			const char *actor, const char *reason, ordo_time now,
			order *o, ordo_err *err)
{
	char text[ORDO_MESSAGE_MAX], type[48];
	change_plan plan;
	bool accept = strcmp(state, APP_CHANGE_ACCEPTED) == 0;
	ordo_code rc;

	if (strcmp(rec->state, APP_CHANGE_REQUESTED) != 0)
		return ordo_err_set(err, ORDO_ECONFLICT, "state",
				    "change %s is already %s", rec->id,
				    rec->state);
	rc = app_order_load(tx, tenant, rec->order_id, o, err);
	if (rc)
		return rc;
	ordo_strlcpy(rec->state, state, sizeof(rec->state));
	ordo_strlcpy(rec->decided_by, actor, sizeof(rec->decided_by));
	rec->decided_at = now;
	ordo_strlcpy(rec->decision_reason, reason,
		     sizeof(rec->decision_reason));
	snprintf(text, sizeof(text), "%s %s%s%.180s", rec->id, state,
		 reason[0] ? ": " : "", reason);
	snprintf(type, sizeof(type), "change_%s", state);
	rc = app_event(tx, o, type, o->state, o->state, NULL, actor, text, now,
		       err);
	if (rc)
		return rc;
	if (accept) {
		/* What it asked may no longer be possible (the warehouse
		 * shipped first): the accept is refused, the request left
		 * to run out into a hold. */
		rc = order_change_plan(o, change, &plan, err);
		if (rc) {
			char why[ORDO_ERR_MESSAGE_MAX],
				field[ORDO_ERR_FIELD_MAX];

			ordo_strlcpy(why, err->message, sizeof(why));
			ordo_strlcpy(field, err->field, sizeof(field));
			ordo_err_clear(err);
			return ordo_err_set(err, ORDO_ECONFLICT, field,
					    "change %s can no longer be "
					    "made: %.200s",
					    rec->id, why);
		}
		/* Made as the asker's: the warehouse agreed to it (a
		 * store's own cancellation is not told back to it). */
		rc = apply(tx, o, change, &plan, rec->fulfillments,
			   rec->requested_by, rec->reason, rec->summary, now,
			   err);
		change_plan_free(&plan);
	} else {
		rc = hold_for_person(tx, o, rec, actor, now, err);
	}
	if (rc == ORDO_OK)
		rc = store_change_decide(tx, tenant, rec, APP_CHANGE_REQUESTED,
					 err);
	if (rc == ORDO_OK)
		rc = app_tally_change(tx, o, rec->kind, rec->requested_at,
				      rec->decided_at, err);
	snprintf(type, sizeof(type), "change_request.%s", state);
	return rc ? rc : emit_change(tx, o, rec, type, now, err);
}

/* One request to expire: its tenant and id, the time, and - when
 * expiring it whole failed - why, to expire it without its hold. */
struct expiry {
	int64_t tenant;
	const char *id;
	ordo_time now;
	const char *failed;
};

static ordo_code expire_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct expiry *e = arg;
	store_change rec;
	order o;
	ordo_code rc = store_change_get(tx, e->tenant, e->id, &rec, err);

	if (rc || strcmp(rec.state, APP_CHANGE_REQUESTED) != 0)
		return rc; /* answered meanwhile */
	if (e->failed) {
		ordo_strlcpy(rec.state, APP_CHANGE_EXPIRED, sizeof(rec.state));
		ordo_strlcpy(rec.decided_by, "system", sizeof(rec.decided_by));
		rec.decided_at = e->now;
		snprintf(rec.decision_reason, sizeof(rec.decision_reason),
			 "no answer in time; no hold raised: %.180s",
			 e->failed);
		rc = store_change_decide(tx, e->tenant, &rec,
					 APP_CHANGE_REQUESTED, err);
		order_init(&o);
		if (rc == ORDO_OK)
			rc = store_order_get(tx, e->tenant, rec.order_id, &o,
					     err);
		if (rc == ORDO_OK)
			rc = app_tally_change(tx, &o, rec.kind,
					      rec.requested_at, rec.decided_at,
					      err);
		order_free(&o);
		return rc;
	}
	order_init(&o);
	rc = decide(tx, e->tenant, &rec, APP_CHANGE_EXPIRED, NULL, "system",
		    "no answer in time", e->now, &o, err);
	order_free(&o);
	return rc;
}

ordo_code app_changes_expire(store *st, ordo_time now, size_t *expired,
			     ordo_err *err)
{
	store_change *due = NULL;
	store_tx *tx;
	size_t n = 0, i;
	ordo_code rc = store_read_begin(st, &tx, err);

	*expired = 0;
	if (rc)
		return rc;
	rc = store_changes_due(tx, now, ORDO_PAGE_MAX, &due, &n, err);
	store_read_end(tx);
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		struct expiry e = {due[i].tenant_id, due[i].id, now, NULL};
		char why[ORDO_ERR_MESSAGE_MAX];

		rc = store_write(st, expire_run, &e, err);
		/* One that cannot be expired as it should (its order takes
		 * no more holds, ...) is expired without its hold, rather
		 * than stand in front of the others every round. */
		if (rc != ORDO_OK && rc != ORDO_ESTORAGE &&
		    rc != ORDO_EUNAVAILABLE && rc != ORDO_ENOMEM) {
			ordo_strlcpy(why, err->message, sizeof(why));
			ordo_err_clear(err);
			e.failed = why;
			rc = store_write(st, expire_run, &e, err);
		}
		if (rc == ORDO_OK)
			(*expired)++;
	}
	free(due);
	return rc;
}

/* ---- holds by hand -------------------------------------------------------- */

static ordo_code hold_place(store_tx *tx, const app_caller *c,
			    const app_hold_place_cmd *in, order_hold *out,
			    order *o, ordo_time now, ordo_err *err)
{
	order_hold h;
	ordo_code rc = app_order_load(tx, c->tenant_id, in->order_id, o, err);

	if (rc == ORDO_OK)
		rc = app_order_if_match(o, in->if_match, err);
	if (rc)
		return rc;
	if (!lifecycle_can_move(o->state, ORDER_ON_HOLD) &&
	    o->state != ORDER_ON_HOLD)
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "order %s is %s; only an order on its way "
				    "to the warehouse can be held",
				    o->id, order_state_name(o->state));
	memset(&h, 0, sizeof(h));
	h.type = in->type;
	h.status = HOLD_OPEN;
	ordo_strlcpy(h.raised_by, "person", sizeof(h.raised_by));
	snprintf(h.rule_id, sizeof(h.rule_id), "manual.%s",
		 hold_type_name(in->type));
	ordo_strlcpy(h.message, in->reason, sizeof(h.message));
	h.created_at = now;
	rc = app_hold_add(tx, o, &h, c->actor, now, err);
	if (rc == ORDO_OK && o->state != ORDER_ON_HOLD)
		rc = app_order_move(tx, o, ORDER_ON_HOLD, c->actor, now, err);
	if (rc == ORDO_OK)
		rc = app_order_save(tx, o, now, err);
	if (rc == ORDO_OK)
		*out = o->holds[o->n_holds - 1];
	return rc;
}

/* ---- the commands (write.h) ----------------------------------------------- */

static ordo_code change_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_change_cmd *c = (app_change_cmd *)w;
	/* The audit log's record of a cancellation is ask()'s. */
	return app_order_change(tx, &w->caller, c, &c->rec, &c->order, w->now,
				err);
}

static void change_clear(app_write *w)
{
	app_change_cmd *c = (app_change_cmd *)w;

	order_free(&c->order);
	order_init(&c->order);
	memset(&c->rec, 0, sizeof(c->rec));
}

static const app_write_type change_type = {
	.name = "order_change",
	.run = change_run,
	.clear = change_clear,
};

void app_change_cmd_init(app_change_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &change_type, caller, now);
	ordo_strlcpy(c->order_id, order_id, sizeof(c->order_id));
	order_change_init(&c->change);
	order_init(&c->order);
}

ordo_code app_change_reached(store_tx *tx, const app_caller *c,
			     const store_change *rec, ordo_err *err)
{
	const char *p = rec->fulfillments;
	bool any = false;

	if (!c->scoped)
		return ORDO_OK;
	while (*p) {
		char id[ORDO_ID_MAX];
		size_t len = strcspn(p, ",");
		fulfillment f;
		ordo_code rc;
		bool at;

		if (len >= sizeof(id))
			return app_unreached("change", rec->id, err);
		memcpy(id, p, len);
		id[len] = '\0';
		p += len + (p[len] == ',');
		memset(&f, 0, sizeof(f));
		rc = store_fulfillment_get(tx, c->tenant_id, id, &f, err);
		at = rc == ORDO_OK && app_reaches_location(c, f.location);
		fulfillment_free(&f);
		if (rc && rc != ORDO_ENOTFOUND)
			return rc;
		ordo_err_clear(err);
		if (!at)
			return app_unreached("change", rec->id, err);
		any = true;
	}
	return any ? ORDO_OK : app_unreached("change", rec->id, err);
}

ordo_code app_change_decide(store_tx *tx, const app_caller *caller,
			    const app_decide_cmd *in, store_change *rec,
			    order *o, ordo_time now, ordo_err *err)
{
	ordo_code rc = store_change_get(tx, caller->tenant_id, in->change_id,
					rec, err);

	if (rc == ORDO_OK)
		rc = app_change_reached(tx, caller, rec, err);
	if (rc)
		return rc;
	return decide(tx, caller->tenant_id, rec,
		      in->accept ? APP_CHANGE_ACCEPTED : APP_CHANGE_REFUSED,
		      &in->change, caller->actor, in->reason, now, o, err);
}

static ordo_code decide_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_decide_cmd *c = (app_decide_cmd *)w;

	return app_change_decide(tx, &w->caller, c, &c->rec, &c->order,
				 w->now, err);
}

static void decide_clear(app_write *w)
{
	app_decide_cmd *c = (app_decide_cmd *)w;

	order_free(&c->order);
	order_init(&c->order);
	memset(&c->rec, 0, sizeof(c->rec));
}

static const app_write_type decide_type = {
	.name = "change_decide",
	.run = decide_run,
	.clear = decide_clear,
};

void app_decide_cmd_init(app_decide_cmd *c, const app_caller *caller,
			 ordo_time now, const char *change_id, bool accept)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &decide_type, caller, now);
	ordo_strlcpy(c->change_id, change_id, sizeof(c->change_id));
	c->accept = accept;
	order_change_init(&c->change);
	order_init(&c->order);
}

static ordo_code hold_place_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_hold_place_cmd *c = (app_hold_place_cmd *)w;

	return hold_place(tx, &w->caller, c, &c->hold, &c->order, w->now,
			  err);
}

static void hold_place_clear(app_write *w)
{
	app_hold_place_cmd *c = (app_hold_place_cmd *)w;

	order_free(&c->order);
	order_init(&c->order);
	memset(&c->hold, 0, sizeof(c->hold));
}

static const app_write_type hold_place_type = {
	.name = "hold_place",
	.run = hold_place_run,
	.clear = hold_place_clear,
};

void app_hold_place_cmd_init(app_hold_place_cmd *c, const app_caller *caller,
			     ordo_time now, const char *order_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &hold_place_type, caller, now);
	ordo_strlcpy(c->order_id, order_id, sizeof(c->order_id));
	order_init(&c->order);
}
