/*
 * app/flow.h - the order flow inside a write: loading, moving, saving, holds, events and webhook events.
 */
#ifndef ORDO_APP_FLOW_H
#define ORDO_APP_FLOW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- the order flow (app/flow.c) ---------------------------------------- */

/* Load an order with lines, holds and fulfillments (o: order_init'ed). */
ordo_code app_order_load(store_tx *tx, int64_t tenant, const char *id,
			 order *o, ordo_err *err);

/* Append one event to the order's timeline. */
ordo_code app_event(store_tx *tx, const order *o, const char *type,
		    order_state from, order_state to, const char *hold_id,
		    const char *actor, const char *message, ordo_time at,
		    ordo_err *err);

/*
 * Move the order to `to` through the lifecycle table, record the move, and
 * tell subscribers (order.accepted, order.on_hold, order.allocated,
 * order.shipped, order.delivered, order.closed, order.cancelled).
 */
ordo_code app_order_move(store_tx *tx, order *o, order_state to,
			 const char *actor, ordo_time now, ordo_err *err);

/*
 * Bring an order in the main flow (accepted .. shipped) to the stage its
 * lines say, one lifecycle step at a time, then save it.
 */
ordo_code app_order_advance(store_tx *tx, order *o, const char *actor,
			    ordo_time now, ordo_err *err);
/* The same without saving, for a caller that saves the order itself
 * before its transaction ends (each save rewrites the order and every
 * line). */
ordo_code app_order_walk(store_tx *tx, order *o, const char *actor,
			 ordo_time now, ordo_err *err);

/* Write the order back (header, lines, holds). */
ordo_code app_order_save(store_tx *tx, order *o, ordo_time now,
			 ordo_err *err);

/* Raise an open hold on the order (id assigned here) and record it. */
ordo_code app_hold_raise(store_tx *tx, order *o, hold_type type,
			 const char *field, const char *raised_by,
			 ordo_time now, ordo_err *err, const char *fmt, ...)
	__attribute__((format(printf, 8, 9)));

/* Add h (its type, message, raised_by, created_at and any rule_id set;
 * id, rule_id, priority and due time stamped here) as an open hold, and
 * record it as actor's. */
ordo_code app_hold_add(store_tx *tx, order *o, order_hold *h,
		       const char *actor, ordo_time now, ordo_err *err);

/*
 * Queue a webhook event in this transaction: data (stolen) becomes the
 * event's "data"; order_id orders deliveries; location scopes handoffs.
 */
ordo_code app_emit(store_tx *tx, int64_t tenant, const char *type,
		   const char *order_id, const char *location, json_t *data,
		   ordo_time now, ordo_err *err);
/* The same, to every subscribed webhook but skip_webhook (an id). */
ordo_code app_emit_except(store_tx *tx, int64_t tenant, const char *type,
			  const char *order_id, const char *location,
			  json_t *data, const char *skip_webhook,
			  ordo_time now, ordo_err *err);
/* webhook.paused: w (just paused) to the tenant's other webhooks. */
ordo_code app_webhook_paused_emit(store_tx *tx, int64_t tenant,
				  const webhook_sub *w, ordo_err *err);

/*
 * Tell the storefront an order came from of this event, when its channel
 * is told of such events (channels/calls.h) and has a webhook of its own
 * (a base URL and an API token): one delivery to that webhook, carrying
 * the order and, for shipment.created, the shipment s (else NULL). Every
 * other order costs nothing. app_emit_order does this itself,
 * but for what the channel did itself (its actor "channel:NAME").
 */
ordo_code app_channel_tell(store_tx *tx, const order *o, const char *type,
			   const shipment *s, ordo_time now, ordo_err *err);
/* The order as a webhook payload ("order.*" events). */
ordo_code app_emit_order(store_tx *tx, const order *o, const char *type,
			 const char *actor, ordo_time now, ordo_err *err);
/* The fulfillment with its order ("fulfillment.*" events), to its
 * location's handoff. */
ordo_code app_emit_fulfillment(store_tx *tx, const order *o,
			       const fulfillment *f, const char *type,
			       ordo_time now, ordo_err *err);
/* The same with one member more in the data: key, extra (stolen). */
ordo_code app_emit_fulfillment_with(store_tx *tx, const order *o,
				    const fulfillment *f, const char *type,
				    const char *key, json_t *extra,
				    ordo_time now, ordo_err *err);

#endif
