/*
 * app/intake.h - order intake: decoded order in, validated, judged and stored.
 */
#ifndef ORDO_APP_INTAKE_H
#define ORDO_APP_INTAKE_H

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

/* ---- order intake (app/intake.c) --------------------------------------- */

/* The tenant's catalog, as validate.h looks SKUs up in it. */
typedef struct {
	store_tx *tx;
	int64_t tenant;
} app_catalog;

/* catalog_lookup_fn over an app_catalog (ctx). */
ordo_code app_catalog_lookup(void *ctx, const char *sku, catalog_entry *entry,
			     ordo_err *err);

typedef enum {
	INTAKE_CREATED,	       /* stored as a new order */
	INTAKE_EXISTING,       /* same channel + external id: nothing stored */
	INTAKE_UNKNOWN,	       /* a cancellation of an order ordo never had */
} intake_outcome;

/*
 * Take in a decoded order: catch a channel duplicate (return the existing
 * order), otherwise assign its id, validate it, look for content duplicates
 * within the tenant's window, raise one hold per problem, move it along the
 * lifecycle (received -> validated -> accepted, or -> on_hold) and store it
 * with its timeline. On success *stored holds the order as stored (caller
 * frees with order_free). `in` is consumed: its lines and holds move to the
 * stored order or are freed.
 */
ordo_code app_order_intake(store_tx *tx, const app_caller *c, order *in,
			   ordo_time now, intake_outcome *outcome,
			   order *stored, ordo_err *err);

/* The intake command: the decoded order in, the outcome and the order as
 * stored out (write.h). */
typedef struct {
	app_write w;
	order order;		/* in: order_init'ed, filled by the caller */
	/* in: the order is a channel's update of one it may have sent
	 * before (a store's orders/updated): when ordo has it, each thing
	 * the update changes is asked of it as a change by the channel
	 * (app_channel_changes: applied before release, a request to the
	 * warehouse after it); what is not taken is told in `not_applied`
	 * and written on its timeline (event "channel_changed"). */
	bool channel_update;
	/* in: the channel says it cancelled the order (a Shopify
	 * orders/cancelled, a WooCommerce order now "cancelled"): the order
	 * ordo has of it is cancelled as a change by the channel
	 * (app_channel_cancel: at once before release, a request to the
	 * warehouse after it); when it cannot be (units of it shipped, it
	 * ended otherwise), that is told in `not_applied` and written on
	 * its timeline (event "channel_cancelled"). Nothing is taken in: an
	 * order ordo never had is INTAKE_UNKNOWN. */
	bool channel_cancel;
	char not_applied[ORDO_MESSAGE_MAX]; /* out; "" = all taken */
	intake_outcome outcome; /* out */
	order stored;		/* out */
} app_intake_cmd;

void app_intake_cmd_init(app_intake_cmd *c, const app_caller *caller,
			 ordo_time now);

#endif
