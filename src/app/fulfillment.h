/*
 * app/fulfillment.h - fulfillment orders, shipments and delivery.
 */
#ifndef ORDO_APP_FULFILLMENT_H
#define ORDO_APP_FULFILLMENT_H

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

/* ---- fulfillment, shipments, delivery (app/fulfillment.c) -------------- */

ordo_code app_fulfillment_accept(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time now,
				 fulfillment *out, ordo_err *err);
ordo_code app_fulfillment_reject(store_tx *tx, const app_caller *c,
				 const char *id, reject_reason reason,
				 const char *message, ordo_time now,
				 fulfillment *out, ordo_err *err);
/* s: lines, carrier, tracking_number, shipped_at (0 = now) in; the stored
 * shipment out. */
ordo_code app_shipment_create(store_tx *tx, const app_caller *c,
			      const char *fulfillment_id, shipment *s,
			      ordo_time now, ordo_err *err);
/* at: when it arrived (0 = now). */
ordo_code app_shipment_delivered(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time at, ordo_time now,
				 shipment *out, ordo_err *err);

/*
 * The commands (write.h). Path ids are inputs, copied in by init; the
 * fulfillment or shipment as stored is the output (its lines owned).
 */
typedef struct {
	app_write w;
	char id[ORDO_ID_MAX];	/* in: the fulfillment */
	fulfillment stored;	/* out */
} app_fulfillment_accept_cmd;

void app_fulfillment_accept_cmd_init(app_fulfillment_accept_cmd *c,
				     const app_caller *caller, ordo_time now,
				     const char *id);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX];		 /* in: the fulfillment */
	reject_reason reason;		 /* in */
	char message[ORDO_MESSAGE_MAX]; /* in */
	fulfillment stored;		 /* out */
} app_fulfillment_reject_cmd;

void app_fulfillment_reject_cmd_init(app_fulfillment_reject_cmd *c,
				     const app_caller *caller, ordo_time now,
				     const char *id);

typedef struct {
	app_write w;
	char fulfillment_id[ORDO_ID_MAX]; /* in */
	/* in: lines (owned, freed by free_input), carrier, tracking_number,
	 * shipped_at (0 = now) */
	shipment shipment;
	shipment stored; /* out: the shipment as created (lines owned) */
} app_shipment_cmd;

void app_shipment_cmd_init(app_shipment_cmd *c, const app_caller *caller,
			   ordo_time now, const char *fulfillment_id);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX]; /* in: the shipment */
	ordo_time at;	      /* in: when it arrived (0 = now) */
	shipment stored;      /* out */
} app_delivered_cmd;

void app_delivered_cmd_init(app_delivered_cmd *c, const app_caller *caller,
			    ordo_time now, const char *id);
/* Close delivered orders past their tenant's closing period (any tenant);
 * *closed says how many. */
ordo_code app_close_due(store_tx *tx, ordo_time now, size_t *closed,
			ordo_err *err);

#endif
