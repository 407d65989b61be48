/*
 * flow.c - moving an order along its lifecycle, with its timeline and its
 * webhooks.
 *
 * Every state change of an order goes through app_order_move: the lifecycle
 * table decides (lifecycle.c), the timeline records it (an event with actor
 * and time), and subscribers hear of it through the outbox - all in the
 * caller's transaction, so a change, its record and its notification are
 * durable together or not at all.
 *
 * Past acceptance the stage follows the lines (order_stage_from_lines);
 * app_order_advance walks the order there one lifecycle step at a time so
 * that the timeline shows every stage it passed.
 */
#include "app/caller.h"
#include "app/flow.h"
#include "app/metrics.h"
#include "app/policy.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/calls.h"
#include "channels/native_out.h"

ordo_code app_order_load(store_tx *tx, int64_t tenant, const char *id,
			 order *o, ordo_err *err)
{
	fulfillment *f = NULL;
	size_t n = 0;
	ordo_code rc = store_order_get(tx, tenant, id, o, err);

	if (rc)
		return rc;
	rc = store_fulfillments_of_order(tx, tenant, id, &f, &n, err);
	if (rc)
		return rc;
	order_fulfillments_free(o);
	o->fulfillments = f;
	o->n_fulfillments = n;
	order_shipments_free(o);
	rc = store_shipments_of_order(tx, tenant, id, &o->shipments,
				      &o->n_shipments, err);
	if (rc)
		return rc;
	free(o->defects);
	o->defects = NULL;
	o->n_defects = 0;
	return store_defects_of_order(tx, tenant, id, &o->defects,
				      &o->n_defects, err);
}

ordo_code app_event(store_tx *tx, const order *o, const char *type,
		    order_state from, order_state to, const char *hold_id,
		    const char *actor, const char *message, ordo_time at,
		    ordo_err *err)
{
	order_event ev;

	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.type, type, sizeof(ev.type));
	ev.from_state = from;
	ev.to_state = to;
	ordo_strlcpy(ev.hold_id, hold_id ? hold_id : "", sizeof(ev.hold_id));
	ordo_strlcpy(ev.actor, actor, sizeof(ev.actor));
	ordo_strlcpy(ev.message, message ? message : "", sizeof(ev.message));
	ev.at = at;
	return store_event_append(tx, o->tenant_id, o->id, &ev, err);
}

/* The webhook event a move into `to` announces, if any. */
static const char *move_event_type(order_state to)
{
	switch (to) {
	case ORDER_ACCEPTED:
		return "order.accepted";
	case ORDER_ON_HOLD:
		return "order.on_hold";
	case ORDER_ALLOCATED:
		return "order.allocated";
	case ORDER_SHIPPED:
		return "order.shipped";
	case ORDER_DELIVERED:
		return "order.delivered";
	case ORDER_CLOSED:
		return "order.closed";
	case ORDER_CANCELLED:
		return "order.cancelled";
	default:
		return NULL;
	}
}

ordo_code app_order_move(store_tx *tx, order *o, order_state to,
			 const char *actor, ordo_time now, ordo_err *err)
{
	order_state from = o->state;
	bool was_accepted = o->accepted_at != 0;
	const char *type;
	ordo_code rc = lifecycle_move(&o->state, to, err);

	if (rc)
		return rc;
	o->updated_at = now;
	o->state_since = now;
	if (to == ORDER_ACCEPTED && !was_accepted)
		o->accepted_at = now;
	rc = app_event(tx, o, "state_changed", from, to, NULL, actor, NULL,
		       now, err);
	if (rc)
		return rc;
	/* Stepping back (a warehouse refused, units returned to open) is
	 * not news: subscribers heard of these stages already. */
	type = move_event_type(to);
	if (!type || (to == ORDER_ALLOCATED && from == ORDER_RELEASED) ||
	    (to == ORDER_ACCEPTED && was_accepted))
		return ORDO_OK;
	return app_emit_order(tx, o, type, actor, now, err);
}

/* One step from `at` toward `target` along the main flow. */
static order_state step_toward(order_state at, order_state target)
{
	static const order_state path[] = {ORDER_ACCEPTED, ORDER_ALLOCATED,
					   ORDER_RELEASED, ORDER_SHIPPED};
	int i, a = -1, t = -1;

	for (i = 0; i < 4; i++) {
		if (path[i] == at)
			a = i;
		if (path[i] == target)
			t = i;
	}
	if (a < 0 || t < 0 || a == t)
		return target;
	return path[a < t ? a + 1 : a - 1];
}

ordo_code app_order_advance(store_tx *tx, order *o, const char *actor,
			    ordo_time now, ordo_err *err)
{
	ordo_code rc = app_order_walk(tx, o, actor, now, err);

	return rc ? rc : app_order_save(tx, o, now, err);
}

ordo_code app_order_walk(store_tx *tx, order *o, const char *actor,
			 ordo_time now, ordo_err *err)
{
	order_state target;
	ordo_code rc;

	switch (o->state) {
	case ORDER_ACCEPTED:
	case ORDER_ALLOCATED:
	case ORDER_RELEASED:
	case ORDER_SHIPPED:
		break;
	default:
		return ORDO_OK;
	}
	target = order_stage_from_lines(o);
	while (o->state != target) {
		order_state next = target == ORDER_CANCELLED
					   ? ORDER_CANCELLED
					   : step_toward(o->state, target);

		rc = app_order_move(tx, o, next, actor, now, err);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

ordo_code app_order_save(store_tx *tx, order *o, ordo_time now,
			 ordo_err *err)
{
	ordo_code rc = app_tally_order(tx, o, false, now, err);

	if (rc)
		return rc;
	o->updated_at = now;
	/* One write, one version, however many times it saves. */
	if (!o->version_counted) {
		o->version++;
		o->version_counted = true;
	}
	return store_order_update(tx, o, err);
}

ordo_code app_hold_raise(store_tx *tx, order *o, hold_type type,
			 const char *field, const char *raised_by,
			 ordo_time now, ordo_err *err, const char *fmt, ...)
{
	order_hold h;
	va_list ap;

	memset(&h, 0, sizeof(h));
	h.type = type;
	h.status = HOLD_OPEN;
	ordo_strlcpy(h.field, field, sizeof(h.field));
	ordo_strlcpy(h.raised_by, raised_by, sizeof(h.raised_by));
	h.created_at = now;
	va_start(ap, fmt);
	vsnprintf(h.message, sizeof(h.message), fmt, ap);
	va_end(ap);
	return app_hold_add(tx, o, &h, raised_by, now, err);
}

ordo_code app_hold_add(store_tx *tx, order *o, order_hold *h,
		       const char *actor, ordo_time now, ordo_err *err)
{
	ordo_code rc = app_hold_stamp(tx, o->tenant_id, h, err);

	if (rc)
		return rc;
	if (!order_hold_add(o, h))
		return ordo_err_set(err, ORDO_ELIMIT, "holds",
				    "the order carries too many holds");
	return app_event(tx, o, "hold_raised", o->state, o->state, h->id,
			 actor, h->message, now, err);
}

/* An event as the outbox keeps it: ev->payload is the envelope every
 * receiver gets ({"id","type","created_at","data"}; malloc'd, the
 * caller frees it, also on failure). data is stolen. */
static ordo_code event_make(outbox_event *ev, const char *type,
			    const char *order_id, const char *location,
			    json_t *data, ordo_time now, ordo_err *err)
{
	json_t *body;

	memset(ev, 0, sizeof(*ev));
	ordo_id_new("evt_", ev->id);
	ordo_strlcpy(ev->type, type, sizeof(ev->type));
	ordo_strlcpy(ev->order_id, order_id ? order_id : "",
		     sizeof(ev->order_id));
	ordo_strlcpy(ev->location, location ? location : "",
		     sizeof(ev->location));
	ev->created_at = now;
	body = json_pack("{s:s, s:s, s:o, s:o}", "id", ev->id, "type", type,
			 "created_at", native_time_json(now), "data",
			 data ? data : json_null());
	ev->payload = body ? native_dump(body) : NULL;
	json_decref(body);
	if (!ev->payload)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory writing an event");
	return ORDO_OK;
}

ordo_code app_emit(store_tx *tx, int64_t tenant, const char *type,
		   const char *order_id, const char *location, json_t *data,
		   ordo_time now, ordo_err *err)
{
	return app_emit_except(tx, tenant, type, order_id, location, data,
			       "", now, err);
}

ordo_code app_emit_except(store_tx *tx, int64_t tenant, const char *type,
			  const char *order_id, const char *location,
			  json_t *data, const char *skip_webhook,
			  ordo_time now, ordo_err *err)
{
	tenant_settings set;
	outbox_event ev;
	size_t n = 0;
	bool any = false;
	ordo_code rc;

	/* An event no webhook hears of is not stored: nor encoded. */
	rc = store_outbox_subscribed(tx, tenant, type, location, skip_webhook,
				     &any, err);
	if (rc || !any) {
		json_decref(data);
		return rc;
	}
	rc = event_make(&ev, type, order_id, location, data, now, err);
	if (rc == ORDO_OK)
		rc = store_settings_get(tx, tenant, &set, err);
	if (rc == ORDO_OK)
		rc = store_outbox_emit_except(tx, tenant, &ev,
					      set.webhook_retry_window_s,
					      skip_webhook, &n, err);
	free(ev.payload);
	return rc;
}

ordo_code app_channel_tell(store_tx *tx, const order *o, const char *type,
			   const shipment *s, ordo_time now, ordo_err *err)
{
	tenant_settings set;
	outbox_event ev;
	webhook_sub hook;
	channel_kind kind;
	json_t *data;
	bool found = false;
	ordo_code rc;

	/* Only a storefront's orders, and only what it is told of: the
	 * others pay nothing here. */
	if (!o->channel_kind[0] ||
	    channel_kind_parse(o->channel_kind, &kind) != 0 ||
	    !channel_calls_wanted(kind, type))
		return ORDO_OK;
	rc = store_channel_hook_get(tx, o->tenant_id, o->channel, &hook,
				    &found, err);
	if (rc || !found)
		return rc;
	data = json_pack("{s:o}", "order", native_order_json(o, now));
	if (data && s)
		json_object_set_new(data, "shipment", native_shipment_json(s));
	/* A partner's 855 is made again from the 850 the order came in. */
	if (data && kind == CHANNEL_X12) {
		char type_buf[ORDO_SOURCE_TYPE_MAX], *source = NULL;

		if (o->source) {
			json_object_set_new(data, "source",
					    json_string(o->source));
		} else {
			rc = store_order_source(tx, o->tenant_id, o->id,
						type_buf, sizeof(type_buf),
						&source, err);
			if (rc == ORDO_OK && source)
				json_object_set_new(data, "source",
						    json_string(source));
			free(source);
			if (rc == ORDO_ENOTFOUND) {
				/* No source, no 855: nothing to tell. */
				ordo_err_clear(err);
				rc = ORDO_OK;
			}
			if (rc) {
				json_decref(data);
				return rc;
			}
		}
		if (!json_object_get(data, "source")) {
			json_decref(data);
			return ORDO_OK;
		}
	}
	rc = event_make(&ev, type, o->id, s ? s->location : NULL, data, now,
			err);
	if (rc == ORDO_OK)
		rc = store_settings_get(tx, o->tenant_id, &set, err);
	if (rc == ORDO_OK)
		rc = store_outbox_emit_to(tx, o->tenant_id, &ev,
					  set.webhook_retry_window_s, hook.id,
					  err);
	free(ev.payload);
	return rc;
}

/*
 * The order's own events carry the whole order: it is made only when some
 * webhook will hear of the event (most of an intake's time would otherwise
 * go to encoding payloads nobody receives).
 */
ordo_code app_emit_order(store_tx *tx, const order *o, const char *type,
			 const char *actor, ordo_time now, ordo_err *err)
{
	char self[ORDO_ACTOR_MAX];
	bool any = false;
	ordo_code rc = ORDO_OK;

	/* What the channel itself did (a store's own cancellation) is not
	 * told back to it. */
	snprintf(self, sizeof(self), "channel:%s", o->channel);
	if (!actor || strcmp(actor, self) != 0)
		rc = app_channel_tell(tx, o, type, NULL, now, err);

	if (rc == ORDO_OK)
		rc = store_outbox_subscribed(tx, o->tenant_id, type, NULL,
					     NULL, &any, err);
	if (rc || !any)
		return rc;
	return app_emit(tx, o->tenant_id, type, o->id, NULL,
			native_order_json(o, now), now, err);
}

ordo_code app_emit_fulfillment(store_tx *tx, const order *o,
			       const fulfillment *f, const char *type,
			       ordo_time now, ordo_err *err)
{
	return app_emit_fulfillment_with(tx, o, f, type, NULL, NULL, now,
					 err);
}

ordo_code app_emit_fulfillment_with(store_tx *tx, const order *o,
				    const fulfillment *f, const char *type,
				    const char *key, json_t *extra,
				    ordo_time now, ordo_err *err)
{
	bool any = false;
	json_t *data;
	ordo_code rc = store_outbox_subscribed(tx, o->tenant_id, type,
					       f->location, NULL, &any, err);

	if (rc || !any) {
		json_decref(extra);
		return rc;
	}
	data = native_fulfillment_json(f);
	json_object_set_new(data, "order", native_order_json(o, now));
	if (key)
		json_object_set_new(data, key, extra);
	return app_emit(tx, o->tenant_id, type, o->id, f->location, data, now,
			err);
}
