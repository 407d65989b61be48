/*
 * app/fulfillment.h - fulfillment orders, shipments and delivery.
 */
#ifndef ORDO_APP_FULFILLMENT_H
#define ORDO_APP_FULFILLMENT_H

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

/* ---- fulfillment, shipments, delivery (app/fulfillment.c) -------------- */

ordo_code app_fulfillment_accept(store_tx *tx, const app_caller *c,
				 const char *id, fulfillment *out,
				 ordo_err *err);
ordo_code app_fulfillment_reject(store_tx *tx, const app_caller *c,
				 const char *id, reject_reason reason,
				 const char *message, fulfillment *out,
				 ordo_err *err);
/* s: lines, carrier, tracking_number, shipped_at (0 = now) in; the stored
 * shipment out. */
ordo_code app_shipment_create(store_tx *tx, const app_caller *c,
			      const char *fulfillment_id, shipment *s,
			      ordo_err *err);
ordo_code app_shipment_delivered(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time at, shipment *out,
				 ordo_err *err);
/* Close delivered orders past their tenant's closing period (any tenant);
 * *closed says how many. */
ordo_code app_close_due(store_tx *tx, ordo_time now, size_t *closed,
			ordo_err *err);

#endif
