/*
 * app/catalog.h - the catalog: SKUs and locations.
 */
#ifndef ORDO_APP_CATALOG_H
#define ORDO_APP_CATALOG_H

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

/* ---- catalog (app/catalog.c) ------------------------------------------- */

/* Insert or replace a SKU; *created tells which. */
ordo_code app_sku_put(store_tx *tx, const app_caller *c, catalog_sku *s,
		      bool *created, ordo_err *err);
ordo_code app_location_put(store_tx *tx, const app_caller *c,
			   catalog_location *l, bool *created, ordo_err *err);

#endif
