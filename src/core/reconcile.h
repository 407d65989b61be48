/*
 * reconcile.h - a warehouse's view of its open work set beside ordo's.
 *
 * The warehouse says, per fulfillment it holds, its status and the units
 * of each SKU to ship and shipped. ordo has the location's fulfillments.
 * reconcile() answers every difference:
 *
 *   unknown_to_ordo        an item naming no fulfillment ordo has at the
 *                          location
 *   unknown_to_warehouse   a fulfillment ordo has handed to the location
 *                          (released or accepted) that no item names
 *   status_mismatch        the item's status is not the fulfillment's
 *                          (released and accepted both count as open)
 *   quantity_mismatch      a SKU's units to ship, or shipped, differ
 *
 * An item names its fulfillment by id, or its order (ordo's order id or
 * the order's external id): then the order's fulfillment at the location
 * that is still open, else its newest one. A view names each fulfillment
 * once: an item naming one an earlier item named is ORDO_EINVALID.
 */
#ifndef ORDO_CORE_RECONCILE_H
#define ORDO_CORE_RECONCILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/fulfillment.h"

/* The most items one view holds, and lines one item. */
#define RECONCILE_ITEMS_MAX 10000
#define RECONCILE_LINES_MAX 50

typedef struct {
	char sku[ORDO_SKU_MAX];
	int64_t quantity; /* units to ship, in all */
	int64_t shipped;  /* -1: not said */
} recon_line;

typedef struct {
	size_t where; /* the item's place in the view (0-based) or its line */
	char fulfillment_id[ORDO_ID_MAX]; /* "" = named by its order */
	char order_ref[ORDO_EXTERNAL_ID_MAX];
	fulfillment_state status;
	size_t n_lines;
	recon_line lines[RECONCILE_LINES_MAX];
} recon_item;

/* A fulfillment of ordo's at the location, with its order's ids. */
typedef struct {
	const fulfillment *f;
	const char *order_external_id;
} recon_ful;

typedef enum {
	RECON_UNKNOWN_TO_ORDO,
	RECON_UNKNOWN_TO_WAREHOUSE,
	RECON_STATUS_MISMATCH,
	RECON_QUANTITY_MISMATCH,
} recon_kind;

const char *recon_kind_name(recon_kind k);

typedef struct {
	recon_kind kind;
	long item; /* the item's index, -1 for unknown_to_warehouse */
	char fulfillment_id[ORDO_ID_MAX];
	char order_id[ORDO_ID_MAX];
	char sku[ORDO_SKU_MAX]; /* a quantity mismatch's; "" */
	char message[ORDO_MESSAGE_MAX];
} recon_diff;

/* The statuses an item may have: ordo's fulfillment states but pending
 * and rejected (no warehouse holds a fulfillment in either). */
bool recon_status_ok(fulfillment_state s);

/*
 * Compare items[0..n) with fuls[0..m) (every fulfillment of the location
 * ordo has that is open, and any other the items name). *out (free()):
 * the differences, items' first in their order, then the fulfillments no
 * item named; *matched the items that named a fulfillment and agree.
 */
ordo_code reconcile(const recon_item *items, size_t n, const recon_ful *fuls,
		    size_t m, recon_diff **out, size_t *n_out,
		    size_t *matched, ordo_err *err);

#endif
