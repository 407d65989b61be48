/*
 * calls.h - what ordo asks of a storefront's own API when it ships or
 * cancels one of that storefront's orders.
 *
 * A shopify or woocommerce channel with a base URL and an API token has a
 * webhook of its own (store.h, webhook_sub.channel): ordo hands it the
 * events of that channel's orders that the store must hear of, and the
 * outbox sends each as one or more calls to the store's API, retried like
 * any webhook. This file turns one such event into those calls, from
 * buffers alone (no network, no store): the outbox performs them.
 *
 *   shopify      shipment.created -> GET  orders/{id}/fulfillments (one
 *                                         of the shipment's tracking
 *                                         number: told before, done)
 *                                    GET  orders/{id}/fulfillment_orders
 *                                    POST fulfillments (the shipment's
 *                                         units by fulfillment order line,
 *                                         its carrier and tracking number)
 *                order.cancelled  -> POST orders/{id}/cancel
 *                under {base_url}/admin/api/SHOPIFY_API_VERSION/
 *   woocommerce  order.shipped    -> PUT  orders/{id} {"status":"completed"}
 *                order.cancelled  -> PUT  orders/{id} {"status":"cancelled"}
 *                under {base_url}/wp-json/wc/v3/
 *   x12          order.allocated, -> POST the 855 of an order the partner
 *                order.backordered,    sent an 850 for (the event carries
 *                order.cancelled,      its "source"), as its lines stand:
 *                order.changed         after a change (an 860's too), the
 *                                      order as it is now
 *                fulfillment.released -> POST the 940 handing a release
 *                                    at the channel's location to its
 *                                    warehouse (the webhook subscribes
 *                                    to it at that location)
 *                fulfillment.cancelled -> POST the 940 taking it back
 *                                    (W0501 F)
 *                to {base_url} itself, application/edi-x12; ISA13 the
 *                delivery's number, the same on every try.
 *
 * {id} is the order's external_id (the store's own order id). A shipment's
 * units are matched to the store's lines by the lines' external_id (the
 * store's line item id), through each line's SKU.
 *
 * The event handed to the channel's webhook is ordo's event envelope
 * ({"id","type","created_at","data"}) whose data holds "order" (the order
 * as the API shows it) and, for shipment.created, "shipment".
 */
#ifndef ORDO_CHANNELS_CALLS_H
#define ORDO_CHANNELS_CALLS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/channel.h"
#include "core/order.h"
#include "core/err.h"
#include "core/limits.h"

#define SHOPIFY_API_VERSION "2026-10"
/* The most calls one event becomes (Shopify's shipment: two reads, then
 * the fulfillment): the outbox's lease is sized for that many per
 * delivery. */
#define CHANNEL_CALLS_MAX 3

/* Whether a channel of this kind is told of events of this type. */
bool channel_calls_wanted(channel_kind kind, const char *type);
/* The types it is told of, comma-separated ("" for a kind told nothing). */
const char *channel_calls_events(channel_kind kind);

typedef struct {
	char method[8];	     /* "GET", "POST", "PUT"; "" = no call */
	char url[STORE_URL_MAX + 160];
	char content_type[32]; /* of the body */
	char accept[32];       /* what answer is wanted; "" = any */
	/* The channel's credentials as the store takes them: a header
	 * line (Shopify's X-Shopify-Access-Token, a partner's bearer
	 * token), or HTTP basic user:password (WooCommerce's REST key);
	 * "" = none. */
	char auth_header[STORE_SECRET_MAX + 40];
	char userpwd[STORE_SECRET_MAX];
	char *body;	     /* JSON to send (malloc'd), NULL for none */
} channel_call;

void channel_call_free(channel_call *c);

/*
 * Call number `step` (0 first) for one event: payload is the event
 * (see above), base_url the channel's; answer (answer_len bytes) is what
 * call step-1 was answered with (a 2xx), ignored for step 0. c->method is
 * "" when no call is left. ORDO_EINVALID with why the event cannot be
 * told (an order with no external_id, units the store has no open
 * fulfillment order line for), which the outbox records as the
 * delivery's failure.
 */
/* What a call needs besides the event: the time; for an x12 document its
 * ISA13 (the same on every try of one delivery: the partner knows it
 * again), and for a 940 the channel's ISA identities ("QQ:ID") and the
 * order's seq (its depositor order number); a 940 is refused without
 * them. */
typedef struct {
	ordo_time now;
	const char *token; /* the channel's api_token; NULL or "" = none */
	int64_t control;
	const char *edi_own_id, *edi_partner_id;
	int64_t order_seq;
} channel_call_ctx;

ordo_code channel_call_plan(channel_kind kind, const char *base_url,
			    const char *type, const char *payload, int step,
			    const char *answer, size_t answer_len,
			    const channel_call_ctx *ctx, channel_call *c,
			    ordo_err *err);

#endif
