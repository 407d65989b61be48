/*
 * app/allocation.h - stock promised to orders, routed and released.
 */
#ifndef ORDO_APP_ALLOCATION_H
#define ORDO_APP_ALLOCATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- allocation and release (app/allocation.c) -------------------------- */

/*
 * Promise stock to the order's open units and route them (allocate.h), in
 * this transaction: reserve stock, move units open -> allocated, create or
 * extend fulfillment orders. What cannot be promised is left open
 * (backorder) or held as short_hold (or, when short_hold is HOLD_TYPE_COUNT,
 * as the tenant's backorder mode says). Then releases what is allocated if
 * the tenant releases automatically and the order has no open hold.
 * Does nothing to an order that is held, not yet accepted, or finished.
 */
ordo_code app_order_allocate(store_tx *tx, order *o, const char *actor,
			     hold_type short_hold, ordo_time now,
			     ordo_err *err);

/* Release the order's pending fulfillments to their warehouses (only
 * those of `location` when it is given). */
ordo_code app_order_release(store_tx *tx, order *o, const char *location,
			    const char *actor, ordo_time now, ordo_err *err);

/*
 * Stock of sku arrived: allocate it to the orders waiting for it, oldest
 * first, resolving insufficient_stock holds that it now covers.
 */
ordo_code app_stock_arrived(store_tx *tx, int64_t tenant, const char *sku,
			    const char *actor, ordo_time now, ordo_err *err);

/*
 * Stock of sku at location was counted at on_hand, below what is
 * reserved there: take the difference back from the newest reservations
 * (pending fulfillments, then released, then accepted ones, newest first),
 * each with an "unreserve" stock event (reason "count") and a
 * "stock_taken_back" order event; the units go back to open. Afterwards
 * reserved == on_hand. *ids lists the orders taken from (free()); the
 * caller writes the count, then calls app_orders_reallocate on them.
 */
ordo_code app_stock_take_back(store_tx *tx, int64_t tenant,
			      const char *location, const char *sku,
			      int64_t on_hand, const char *actor,
			      ordo_time now, char (**ids)[ORDO_ID_MAX],
			      size_t *n, ordo_err *err);

/* Allocate the open units of these orders again (app_order_allocate):
 * elsewhere if stock allows, else backordered or held as the tenant's
 * backorder_mode says. */
ordo_code app_orders_reallocate(store_tx *tx, int64_t tenant,
				char (*ids)[ORDO_ID_MAX], size_t n,
				const char *actor, ordo_time now,
				ordo_err *err);

/* Release every pending fulfillment (of one location, or all when
 * location is "") of orders without open holds. ids: free(). */
ordo_code app_wave_release(store_tx *tx, const app_caller *c,
			   const char *location, ordo_time now,
			   char (**ids)[ORDO_ID_MAX], size_t *n,
			   ordo_err *err);

/* The command (write.h): a wave of one location ("" for all) in, the
 * fulfillments it released out. */
typedef struct {
	app_write w;
	char location[ORDO_LOCATION_CODE_MAX]; /* in */
	char (*ids)[ORDO_ID_MAX];	       /* out: owned */
	size_t n;			       /* out */
} app_wave_cmd;

void app_wave_cmd_init(app_wave_cmd *c, const app_caller *caller,
		       ordo_time now);

#endif
