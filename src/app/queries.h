/*
 * app/queries.h - read use cases, each in one read transaction.
 */
#ifndef ORDO_APP_QUERIES_H
#define ORDO_APP_QUERIES_H

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

/* ---- reads (app/queries.c): each in one read transaction --------------- */

/* Whether the database answers a read (ORDO_OK), for /healthz. */
ordo_code app_health(store *st, ordo_err *err);

ordo_code app_order_get(store *st, const app_caller *c, const char *id,
			order *o, ordo_err *err);
ordo_code app_order_list(store *st, const app_caller *c,
			 const order_filter *f, order_page *page,
			 ordo_err *err);
/* *out is malloc'd; free() it. */
/* One change or change request of the tenant; an order's, oldest first
 * (at most STORE_CHANGES_MAX; *out: free()). */
ordo_code app_change_get(store *st, const app_caller *c, const char *id,
			 store_change *out, ordo_err *err);
ordo_code app_order_changes(store *st, const app_caller *c, const char *id,
			    store_change **out, size_t *n, ordo_err *err);
/* GET /v1/change-requests: the tenant's requests waiting for an answer
 * (store_change_requests). */
ordo_code app_change_requests(store *st, const app_caller *c,
			      ordo_time after_due, int64_t after_seq,
			      int limit, store_change_request **out,
			      size_t *n, bool *more, ordo_err *err);
/* One return of the tenant; an order's, oldest first (at most
 * STORE_RETURNS_MAX; *out: free()). */
ordo_code app_return_get(store *st, const app_caller *c, const char *id,
			 order_return *out, ordo_err *err);
ordo_code app_order_returns(store *st, const app_caller *c, const char *id,
			    order_return **out, size_t *n, ordo_err *err);
/* GET /v1/returns: the tenant's returns, newest first, in state (NULL:
 * any) (store_return_list). */
ordo_code app_return_list(store *st, const app_caller *c, const char *state,
			  int64_t before_seq, int limit, order_return **out,
			  size_t *n, int64_t *next, ordo_err *err);
ordo_code app_order_events(store *st, const app_caller *c, const char *id,
			   order_event **out, size_t *n, ordo_err *err);
ordo_code app_sku_list(store *st, const app_caller *c, const char *after,
		       int limit, catalog_sku **out, size_t *n, ordo_err *err);
ordo_code app_location_list(store *st, const app_caller *c, const char *after,
			    int limit, catalog_location **out, size_t *n,
			    ordo_err *err);
/* Every location's stock of one SKU; ORDO_ENOTFOUND for an unknown SKU. */
ordo_code app_stock_of_sku(store *st, const app_caller *c, const char *sku,
			   stock_level **out, size_t *n, ordo_err *err);
ordo_code app_stock_events(store *st, const app_caller *c, const char *sku,
			   const char *location, int64_t before_seq, int limit,
			   stock_event **out, size_t *n, int64_t *next,
			   ordo_err *err);
ordo_code app_fulfillment_get(store *st, const app_caller *c, const char *id,
			      fulfillment *f, ordo_err *err);
ordo_code app_fulfillment_list(store *st, const app_caller *c,
			       const fulfillment_filter *f, fulfillment **out,
			       size_t *n, int64_t *next, ordo_err *err);
ordo_code app_shipment_get(store *st, const app_caller *c, const char *id,
			   shipment *s, ordo_err *err);
ordo_code app_shipment_list(store *st, const app_caller *c,
			    const shipment_filter *f, shipment **out,
			    size_t *n, int64_t *next, ordo_err *err);
ordo_code app_webhook_list(store *st, const app_caller *c, webhook_sub **out,
			   size_t *n, ordo_err *err);
ordo_code app_queue_list(store *st, const app_caller *c, const queue_filter *f,
			 queue_item **out, size_t *n, bool *more,
			 ordo_err *err);
/* ORDO_ENOTFOUND: none saved; the built-in default (version 0) applies. */
ordo_code app_policy_active(store *st, const app_caller *c,
			    policy_version *out, ordo_err *err);
ordo_code app_policy_versions(store *st, const app_caller *c,
			      policy_version **out, size_t *n,
			      ordo_err *err);
ordo_code app_defect_list(store *st, const app_caller *c, const char *type,
			  const char *rule_id, ordo_time from, ordo_time to,
			  int64_t before_seq, int limit, order_defect **out,
			  size_t *n, int64_t *next, ordo_err *err);
/* GET /v1/holds: the tenant's holds of a rule or a type (store.h). */
ordo_code app_hold_history(store *st, const app_caller *c,
			   const store_hold_filter *f, store_hold_row **out,
			   size_t *n, bool *more, ordo_err *err);
ordo_code app_delivery_list(store *st, const app_caller *c, bool has_status,
			    delivery_status status, int64_t before_seq,
			    int limit, delivery **out, size_t *n,
			    int64_t *next, ordo_err *err);

#endif
