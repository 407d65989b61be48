/*
 * app/catalog.h - the catalog: SKUs and locations.
 */
#ifndef ORDO_APP_CATALOG_H
#define ORDO_APP_CATALOG_H

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

/* ---- catalog (app/catalog.c) ------------------------------------------- */

/* Insert or replace a SKU; *created tells which. */
ordo_code app_sku_put(store_tx *tx, const app_caller *c, catalog_sku *s,
		      ordo_time now, bool *created, ordo_err *err);
ordo_code app_location_put(store_tx *tx, const app_caller *c,
			   catalog_location *l, ordo_time now, bool *created,
			   ordo_err *err);

/* The commands (write.h): the SKU or location in, as stored out. */
typedef struct {
	app_write w;
	catalog_sku sku;    /* in */
	catalog_sku stored; /* out */
	bool created;	    /* out */
} app_sku_cmd;

void app_sku_cmd_init(app_sku_cmd *c, const app_caller *caller, ordo_time now);

typedef struct {
	app_write w;
	catalog_location location; /* in */
	catalog_location stored;   /* out */
	bool created;		   /* out */
} app_location_cmd;

void app_location_cmd_init(app_location_cmd *c, const app_caller *caller,
			   ordo_time now);

#endif
