/*
 * native_out.h - ordo's records as its native JSON: what the API answers
 * and what webhooks deliver. Each function returns a new reference.
 */
#ifndef ORDO_CHANNELS_NATIVE_OUT_H
#define ORDO_CHANNELS_NATIVE_OUT_H

#include <jansson.h>

#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"

/* The order with its lines, holds and (when loaded) fulfillments. */
json_t *native_order_json(const order *o, ordo_time now);
json_t *native_fulfillment_json(const fulfillment *f);
json_t *native_hold_json(const order_hold *h, ordo_time now);
json_t *native_defect_json(const order_defect *d);
json_t *native_shipment_json(const shipment *s);
/* An event of an order's timeline; place is where it stands there, from 1
 * (its "seq": the store's own number is shared by every tenant, and says
 * how busy the others are). */
json_t *native_event_json(const order_event *ev, int64_t place);
json_t *native_sku_json(const catalog_sku *s);
json_t *native_location_json(const catalog_location *l);
json_t *native_stock_json(const stock_level *s);
/* An RFC 3339 string, or null for 0. */
json_t *native_time_json(ordo_time t);
/* Serialise compactly, keeping key order; caller frees. */
char *native_dump(const json_t *j);
/* j written with jansson's flags, in malloc'd memory (free()); NULL when
 * it cannot be encoded or memory ran out. */
char *native_dump_flags(const json_t *j, size_t flags);

#endif
