/*
 * woocommerce.h - a WooCommerce order (the REST API v3 order JSON that a
 * store's order webhook POSTs for order.created and order.updated) into a
 * core order.
 *
 * This is a foreign document, read as shopify.h reads Shopify's (see
 * foreign.h): unknown members are passed over, what ordo reads is checked
 * for type, length, money and time, every problem is reported at once
 * with its path, and business judgement is left to validate.c.
 *
 * THE MAPPING, where it is not one member to one field
 *
 *   placed_at    date_created_gmt ("2018-04-03T23:05:12", UTC without an
 *                offset); date_created (the store's local time) only when
 *                date_created_gmt is absent, taken as UTC. A time with an
 *                RFC 3339 offset is taken as it says.
 *   line SKU     the channel's mapping of sku, of variation_id (0 is none),
 *                of product_id; sku as it is; "woocommerce-variation-<id>",
 *                "woocommerce-product-<id>" (held later as unknown SKUs).
 *                Products and variations share one id space in WordPress,
 *                so one mapping serves both.
 *   unit price   the line's subtotal (before discounts, excluding tax) /
 *                quantity, when it divides into whole minor units; a line
 *                whose subtotal does not is refused on its subtotal.
 *                WooCommerce's `price` is total / quantity computed in
 *                floating point, after discounts: it is used only when
 *                the line has no subtotal, and only when written as a
 *                string or an integer - a JSON real is refused.
 *
 * TOTALS. WooCommerce computes total = sum of line totals (after
 * discounts) + fees + shipping_total + total_tax, where the line subtotals,
 * discount_total, fees and shipping are all amounts excluding tax - also
 * when prices_include_tax is true: that setting says how the shop enters
 * prices, not how the order stores them. So:
 *
 *   subtotal  = sum of the line subtotals (= unit price x quantity)
 *   discount  = discount_total (else the sum of coupon_lines[].discount);
 *               discount_tax is not added: total_tax is already the tax
 *               after discounts, so adding it would count it twice
 *   tax       = total_tax (cart and shipping tax, fees' tax included)
 *   shipping  = shipping_total, plus the fees (see below)
 *   total     = total
 *
 * and ordo's total = subtotal + shipping + tax - discount holds for every
 * order WooCommerce computed. shipping.amount is the sum of the
 * shipping_lines (shipping_total when there are none) plus the fees; when
 * the two disagree, validation holds the order on totals.shipping.
 *
 * FEES. ordo has no fee line, and a fee is no goods to pick, so it cannot
 * be a line. A fee (fee_lines[], "Gift wrap", "Payment surcharge") is an
 * order-level charge beyond the goods and the tax, which is what ordo's
 * shipping is: positive fees are added to shipping.amount and
 * totals.shipping alike (so validation's check that the two agree holds).
 * A negative fee is how WooCommerce writes an ad hoc discount: it is added
 * to the discount. No money is dropped: the total is WooCommerce's, and
 * ordo's identity holds; what a person sees as "shipping" includes fees.
 *
 * PAYMENT, from status, so that ordo never takes an unpaid order as paid:
 *
 *   processing, completed      paid (payment complete, or the merchant
 *                              says so)
 *   pending, on-hold           pending (awaiting payment; on-hold is
 *                              bank transfer, cheque, or a payment to be
 *                              confirmed by hand)
 *   checkout-draft, draft,     pending (a checkout not finished, or an
 *   auto-draft                 order being written in the admin: nothing
 *                              was paid, and nothing was voided either)
 *   refunded                   refunded
 *   failed, cancelled, trash   voided (payment declined or abandoned, or
 *                              the order called off)
 *   anything else or none      paid when date_paid_gmt / date_paid is set,
 *                              else unknown (plugins add statuses)
 *
 * and paid becomes pending when the document also says it is not: cash on
 * delivery (payment_method "cod") in any status but completed - WooCommerce
 * puts such orders in processing, and even sets date_paid, before any money
 * is taken - or needs_payment true.
 *
 * The body may be the bare order (a webhook) or the REST answer's
 * envelope {"data": {...}}; in the envelope, paths start with "data.". A
 * list of orders ({"data": [...]}) is refused: one order per delivery.
 */
#ifndef ORDO_CHANNELS_WOOCOMMERCE_H
#define ORDO_CHANNELS_WOOCOMMERCE_H

#include <stddef.h>

#include "core/channel.h"
#include "core/order.h"

/*
 * Decode the WooCommerce order document body (len bytes, not necessarily
 * NUL-terminated) into o (order_init'ed by the caller, freed with
 * order_free whatever the result). ch gives the SKU mapping
 * (channel_sku_of) and the currency to use when the document names none;
 * ch->name becomes o->channel. Lines are allocated with all units open
 * (order_lines_open_all); id, tenant and times of receipt are the
 * caller's. Every problem is reported at once (ORDO_EINVALID, one detail
 * per problem naming its path in the WooCommerce document, e.g.
 * "line_items[2].subtotal"); more than ORDO_MAX_LINES line items is
 * ORDO_ELIMIT. ch, o and err must not be NULL.
 */
ordo_code woocommerce_order_decode(const char *body, size_t len,
				   const ordo_channel *ch, order *o,
				   ordo_err *err);

/* Whether the order of body (bare, or in its {"data": ...} envelope)
 * has the status cancelled ("wc-cancelled" too): the store cancelled
 * it. WooCommerce has no webhook topic of its own for that. */
bool woocommerce_order_cancelled(const char *body, size_t len);

#endif
