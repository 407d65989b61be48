/*
 * app/reconcile.h - a warehouse's view of its open work set beside
 * ordo's (app/reconcile.c; the comparison is core/reconcile.h's).
 */
#ifndef ORDO_APP_RECONCILE_H
#define ORDO_APP_RECONCILE_H

#include <stddef.h>

#include "app/caller.h"
#include "core/reconcile.h"
#include "store/store.h"

/*
 * Read, in one read transaction, what ordo has at location (its
 * fulfillments handed over there and not yet done - released or accepted
 * - and any other of the location's an item names), and compare the
 * items with it (reconcile()). Items named by an order's external id are
 * taken as that order's (the first of that id with a fulfillment at the
 * location). ORDO_ENOTFOUND naming "location" for a location the tenant
 * lacks; ORDO_ELIMIT when it has more than RECONCILE_ITEMS_MAX open
 * fulfillments there. *diffs: free().
 */
ordo_code app_reconcile(store *st, const app_caller *c, const char *location,
			recon_item *items, size_t n, recon_diff **diffs,
			size_t *n_diffs, size_t *matched, size_t *open_in_ordo,
			ordo_err *err);

#endif
