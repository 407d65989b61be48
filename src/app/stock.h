/*
 * app/stock.h - stock counts, adjustments and their events.
 */
#ifndef ORDO_APP_STOCK_H
#define ORDO_APP_STOCK_H

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

/* ---- stock (app/stock.c) ------------------------------------------------- */

/*
 * Write a changed stock row with its event (reason, actor, order) and tell
 * subscribers when available stock falls to the tenant's low threshold.
 * `before` is the row as read in this transaction (zeroed for a new row).
 */
ordo_code app_stock_change(store_tx *tx, int64_t tenant,
			   const stock_level *before, const stock_level *after,
			   const char *type, const char *reason,
			   const char *note, const char *actor,
			   const char *order_id, ordo_time now, ordo_err *err);

/* Count: set on_hand (and safety stock when safety_stock >= 0). */
ordo_code app_stock_count(store_tx *tx, const app_caller *c,
			  const char *location, const char *sku,
			  int64_t on_hand, int64_t safety_stock,
			  stock_level *level, ordo_err *err);

/* Adjust on_hand by delta for a reason (receipt, damage, ...). */
ordo_code app_stock_adjust(store_tx *tx, const app_caller *c,
			   const char *location, const char *sku,
			   int64_t delta, const char *reason, const char *note,
			   stock_level *level, ordo_err *err);

#endif
