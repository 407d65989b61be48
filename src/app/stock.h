/*
 * app/stock.h - stock counts, adjustments and their events.
 */
#ifndef ORDO_APP_STOCK_H
#define ORDO_APP_STOCK_H

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
			  ordo_time now, stock_level *level, ordo_err *err);

/* Whether delta (non-zero, within ORDO_MAX_STOCK) and reason (receipt,
 * damage, ...) make an adjustment: checked before it is submitted. */
ordo_code app_stock_adjust_check(int64_t delta, const char *reason,
				 ordo_err *err);

/* Adjust on_hand by delta for a reason, both passed by
 * app_stock_adjust_check; ORDO_ECONFLICT when on_hand would leave its
 * bounds. */
ordo_code app_stock_adjust(store_tx *tx, const app_caller *c,
			   const char *location, const char *sku,
			   int64_t delta, const char *reason, const char *note,
			   ordo_time now, stock_level *level, ordo_err *err);

/* The commands (write.h): the location and SKU of the path and the
 * figures in; the stock level as written out. */
typedef struct {
	app_write w;
	char location[ORDO_LOCATION_CODE_MAX]; /* in */
	char sku[ORDO_SKU_MAX];		       /* in */
	int64_t on_hand;		       /* in */
	int64_t safety_stock;		       /* in: -1 keeps it */
	stock_level level;		       /* out */
} app_stock_count_cmd;

void app_stock_count_cmd_init(app_stock_count_cmd *c,
			      const app_caller *caller, ordo_time now);

typedef struct {
	app_write w;
	char location[ORDO_LOCATION_CODE_MAX]; /* in */
	char sku[ORDO_SKU_MAX];		       /* in */
	int64_t delta;			       /* in */
	char reason[32];		       /* in */
	char note[ORDO_MESSAGE_MAX];	       /* in */
	stock_level level;		       /* out */
} app_stock_adjust_cmd;

void app_stock_adjust_cmd_init(app_stock_adjust_cmd *c,
			       const app_caller *caller, ordo_time now);

#endif
