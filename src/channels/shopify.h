/*
 * shopify.h - a Shopify order (the REST Admin order JSON that Shopify POSTs
 * for orders/create, orders/updated and orders/cancelled) into a core order.
 *
 * This is a foreign document: Shopify sends hundreds of members ordo has no
 * use for, so unknown members are passed over, not refused. What ordo does
 * read is checked as native.c checks its own document - types, lengths,
 * money and time formats, the line count - and every problem is reported at
 * once, each naming its path in the Shopify document. Business judgement (is
 * the SKU known, do the totals add up, is there an address to ship to) is
 * left to validate.c, which holds the order instead of refusing it.
 */
#ifndef ORDO_CHANNELS_SHOPIFY_H
#define ORDO_CHANNELS_SHOPIFY_H

#include <stddef.h>

#include "core/channel.h"
#include "core/order.h"

/*
 * Decode the Shopify order document body (len bytes, not NUL-terminated
 * necessarily) into o (order_init'ed by the caller, freed with order_free
 * whatever the result). ch gives the SKU mapping (channel_sku_of) and the
 * currency to use when the document names none; ch->name becomes
 * o->channel. Lines are allocated with all units open
 * (order_lines_open_all); id, tenant and times of receipt are the caller's.
 * Every problem is reported at once (ORDO_EINVALID, one detail per problem
 * naming its path in the Shopify document, e.g. "line_items[2].quantity").
 *
 * The body may be the bare order (a webhook) or the REST envelope
 * {"order": {...}}; in the envelope, paths start with "order.". More than
 * ORDO_MAX_LINES line items is ORDO_ELIMIT. ch, o and err must not be NULL;
 * a zeroed channel (channel_init) is one with no mapping and no currency.
 */
ordo_code shopify_order_decode(const char *body, size_t len,
			       const ordo_channel *ch, order *o, ordo_err *err);

#endif
