/*
 * order_diff.h - what a correction changed in an order, field by field, so
 * that the timeline can say who changed what from what to what.
 *
 * The fields compared are those a correction may change (see
 * store_order_update_content): customer, ship_to, bill_to, shipping,
 * totals, payment_status, notes, and each line's sku, title, quantity and
 * unit_price. Each difference is reported once, in that order, with its
 * JSON path ("ship_to.postal_code", "lines[0].quantity") and both values
 * as they read in the API: strings quoted, money as a decimal string in
 * the order's currency, quantities as integers.
 */
#ifndef ORDO_CORE_ORDER_DIFF_H
#define ORDO_CORE_ORDER_DIFF_H

#include <stddef.h>

#include "core/order.h"

/* Called once per changed field; from and to are formatted values. A
 * non-zero return stops the walk and is returned by order_diff. */
typedef int (*order_diff_fn)(void *ctx, const char *field, const char *from,
			     const char *to);

/*
 * Compare before and after (the same order, same lines by position) and
 * call fn for each field that differs. Returns 0, or fn's non-zero value.
 */
int order_diff(const order *before, const order *after, order_diff_fn fn,
	       void *ctx);

#endif
