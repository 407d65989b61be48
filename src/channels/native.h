/*
 * native.h - ordo's own order document (JSON) into a core order.
 *
 * The decoder checks structure only: types, required fields, lengths,
 * money and time formats, the line count. It reports every problem at once
 * (ORDO_EINVALID with one detail per problem, each naming its field path) and
 * leaves business judgement - is the SKU known, do the totals add up - to
 * validate.c, which holds the order instead of refusing it.
 */
#ifndef ORDO_CHANNELS_NATIVE_H
#define ORDO_CHANNELS_NATIVE_H

#include <jansson.h>

#include "core/order.h"
#include "core/order_change.h"

/*
 * Decode doc into o (order_init'ed by the caller, freed with order_free
 * whatever the result). Lines are allocated with all units open; state is
 * ORDER_RECEIVED; id, tenant and times of receipt are the caller's to set.
 */
ordo_code native_order_decode(const json_t *doc, order *o, ordo_err *err);

/*
 * A change asked of an order (core/order_change.h) from ordo's own JSON:
 * {"kind": ..., and that kind's members} (native_change.c says which). A
 * "reason" member is let through, for the caller to read. Every problem
 * is added to err, naming its member; returns err->code.
 */
ordo_code native_change_decode(const json_t *doc, order_change *c,
			       ordo_err *err);

/* A change as ordo's own JSON, the shape native_change_decode reads
 * (keys as it writes them; NULL when out of memory). */
json_t *native_change_json(const order_change *c);

/* An address object at path (members of order_address; unknown ones
 * refused) into a; problems added to err. */
void native_address_decode(const json_t *obj, const char *path,
			   order_address *a, ordo_err *err);

#endif
