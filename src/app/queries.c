/*
 * queries.c - the read use cases, each in one read transaction so that what
 * it answers is one consistent snapshot.
 */
#include "app/changes.h"
#include "app/channels.h"
#include "app/flow.h"
#include "app/imports.h"
#include "app/queries.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Open a read transaction around one statement-like call. */
#define APP_READ(st, call)                                                     \
	do {                                                                   \
		store_tx *tx;                                                  \
		ordo_code rc_ = store_read_begin((st), &tx, err);              \
		if (rc_)                                                       \
			return rc_;                                            \
		rc_ = (call);                                                  \
		store_read_end(tx);                                            \
		return rc_;                                                    \
	} while (0)

ordo_code app_health(store *st, ordo_err *err)
{
	APP_READ(st, ORDO_OK);
}

static ordo_code order_read(store *st, const app_caller *c, const char *id,
			    order *o, ordo_err *err)
{
	APP_READ(st, app_order_load(tx, c->tenant_id, id, o, err));
}

ordo_code app_order_get(store *st, const app_caller *c, const char *id,
			order *o, ordo_err *err)
{
	ordo_code rc = order_read(st, c, id, o, err);

	if (rc == ORDO_OK && !app_reaches_order(c, o)) {
		order_free(o);
		order_init(o);
		rc = app_unreached("order", id, err);
	}
	return rc;
}

/* The page, then the fulfillments, shipments and defects of all its orders
 * at once: a fixed number of statements, whatever the page size. */
static ordo_code list_with_fulfillments(store_tx *tx, int64_t tenant,
					const order_filter *f,
					order_page *page, ordo_err *err)
{
	ordo_code rc = store_order_list(tx, tenant, f, page, err);

	return rc ? rc : store_order_page_fulfillment(tx, tenant, page, err);
}

static ordo_code order_list_read(store *st, const app_caller *c,
				 const order_filter *f, order_page *page,
				 ordo_err *err)
{
	APP_READ(st, list_with_fulfillments(tx, c->tenant_id, f, page, err));
}

ordo_code app_order_list(store *st, const app_caller *c,
			 const order_filter *f, order_page *page,
			 ordo_err *err)
{
	order_filter mine;

	if (!c->scoped)
		return order_list_read(st, c, f, page, err);
	/* An integration key: the orders it created, and no others. */
	memset(page, 0, sizeof(*page));
	if (!c->key_id)
		return ORDO_OK;
	mine = *f;
	mine.created_key = c->key_id;
	return order_list_read(st, c, &mine, page, err);
}

ordo_code app_order_events(store *st, const app_caller *c, const char *id,
			   order_event **out, size_t *n, ordo_err *err)
{
	APP_READ(st, store_event_list(tx, c->tenant_id, id, out, n, err));
}

static ordo_code change_get(store_tx *tx, const app_caller *c, const char *id,
			    store_change *out, ordo_err *err)
{
	ordo_code rc = store_change_get(tx, c->tenant_id, id, out, err);

	return rc ? rc : app_change_reached(tx, c, out, err);
}

ordo_code app_change_get(store *st, const app_caller *c, const char *id,
			 store_change *out, ordo_err *err)
{
	APP_READ(st, change_get(tx, c, id, out, err));
}

ordo_code app_order_changes(store *st, const app_caller *c, const char *id,
			    store_change **out, size_t *n, ordo_err *err)
{
	APP_READ(st, store_changes_of_order(tx, c->tenant_id, id, out, n, err));
}

ordo_code app_change_requests(store *st, const app_caller *c,
			      ordo_time after_due, int64_t after_seq,
			      int limit, store_change_request **out,
			      size_t *n, bool *more, ordo_err *err)
{
	APP_READ(st, store_change_requests(tx, c->tenant_id, after_due,
					   after_seq, limit, out, n, more,
					   err));
}

ordo_code app_return_get(store *st, const app_caller *c, const char *id,
			 order_return *out, ordo_err *err)
{
	APP_READ(st, store_return_get(tx, c->tenant_id, id, out, err));
}

ordo_code app_order_returns(store *st, const app_caller *c, const char *id,
			    order_return **out, size_t *n, ordo_err *err)
{
	APP_READ(st, store_returns_of_order(tx, c->tenant_id, id, out, n, err));
}

ordo_code app_return_list(store *st, const app_caller *c, const char *state,
			  int64_t before_seq, int limit, order_return **out,
			  size_t *n, int64_t *next, ordo_err *err)
{
	APP_READ(st, store_return_list(tx, c->tenant_id, state, before_seq,
				       limit, out, n, next, err));
}

ordo_code app_sku_list(store *st, const app_caller *c, const char *after,
		       int limit, catalog_sku **out, size_t *n, ordo_err *err)
{
	APP_READ(st,
		 store_sku_list(tx, c->tenant_id, after, limit, out, n, err));
}

ordo_code app_location_list(store *st, const app_caller *c, const char *after,
			    int limit, catalog_location **out, size_t *n,
			    ordo_err *err)
{
	APP_READ(st, store_location_list(tx, c->tenant_id, after, limit, out,
					 n, err));
}

static ordo_code stock_of_known_sku(store_tx *tx, int64_t tenant,
				    const char *sku, stock_level **out,
				    size_t *n, ordo_err *err)
{
	catalog_sku s;
	ordo_code rc = store_sku_get(tx, tenant, sku, &s, err);

	return rc ? rc : store_stock_of_sku(tx, tenant, sku, out, n, err);
}

ordo_code app_stock_of_sku(store *st, const app_caller *c, const char *sku,
			   stock_level **out, size_t *n, ordo_err *err)
{
	APP_READ(st, stock_of_known_sku(tx, c->tenant_id, sku, out, n, err));
}

ordo_code app_stock_events(store *st, const app_caller *c, const char *sku,
			   const char *location, int64_t before_seq, int limit,
			   stock_event **out, size_t *n, int64_t *next,
			   ordo_err *err)
{
	APP_READ(st, store_stock_event_list(tx, c->tenant_id, sku, location,
					    before_seq, limit, out, n, next,
					    err));
}

static ordo_code fulfillment_read(store *st, const app_caller *c,
				  const char *id, fulfillment *f,
				  ordo_err *err)
{
	APP_READ(st, store_fulfillment_get(tx, c->tenant_id, id, f, err));
}

ordo_code app_fulfillment_get(store *st, const app_caller *c, const char *id,
			      fulfillment *f, ordo_err *err)
{
	ordo_code rc = fulfillment_read(st, c, id, f, err);

	if (rc == ORDO_OK && !app_reaches_location(c, f->location)) {
		fulfillment_free(f);
		memset(f, 0, sizeof(*f));
		rc = app_unreached("fulfillment", id, err);
	}
	return rc;
}

static ordo_code fulfillment_list_read(store *st, const app_caller *c,
				       const fulfillment_filter *f,
				       fulfillment **out, size_t *n,
				       int64_t *next, ordo_err *err)
{
	APP_READ(st, store_fulfillment_list(tx, c->tenant_id, f, out, n, next,
					    err));
}

ordo_code app_fulfillment_list(store *st, const app_caller *c,
			       const fulfillment_filter *f, fulfillment **out,
			       size_t *n, int64_t *next, ordo_err *err)
{
	fulfillment_filter at;

	if (!c->scoped)
		return fulfillment_list_read(st, c, f, out, n, next, err);
	*out = NULL;
	*n = 0;
	*next = 0;
	/* An integration key: its location's, and no other's. */
	if (!c->location[0])
		return ordo_err_set(err, ORDO_EFORBIDDEN, "location",
				    "this integration key answers for no "
				    "location, so it reads no fulfillments; "
				    "an admin makes a key with a location "
				    "(POST /v1/keys, \"location\")");
	if (f->location[0] && strcmp(f->location, c->location) != 0)
		return ordo_err_set(err, ORDO_EFORBIDDEN, "location",
				    "this integration key reads the "
				    "fulfillments of location %s alone",
				    c->location);
	at = *f;
	ordo_strlcpy(at.location, c->location, sizeof(at.location));
	return fulfillment_list_read(st, c, &at, out, n, next, err);
}

ordo_code app_shipment_get(store *st, const app_caller *c, const char *id,
			   shipment *s, ordo_err *err)
{
	APP_READ(st, store_shipment_get(tx, c->tenant_id, id, s, err));
}

ordo_code app_shipment_list(store *st, const app_caller *c,
			    const shipment_filter *f, shipment **out,
			    size_t *n, int64_t *next, ordo_err *err)
{
	APP_READ(st, store_shipment_list(tx, c->tenant_id, f, out, n, next,
					 err));
}

ordo_code app_webhook_list(store *st, const app_caller *c, webhook_sub **out,
			   size_t *n, ordo_err *err)
{
	APP_READ(st, store_webhook_list(tx, c->tenant_id, out, n, err));
}

ordo_code app_delivery_list(store *st, const app_caller *c, bool has_status,
			    delivery_status status, int64_t before_seq,
			    int limit, delivery **out, size_t *n,
			    int64_t *next, ordo_err *err)
{
	APP_READ(st, store_delivery_list(tx, c->tenant_id, has_status, status,
					 before_seq, limit, out, n, next,
					 err));
}

ordo_code app_queue_list(store *st, const app_caller *c, const queue_filter *f,
			 queue_item **out, size_t *n, bool *more,
			 ordo_err *err)
{
	APP_READ(st, store_queue_list(tx, c->tenant_id, f, out, n, more, err));
}

ordo_code app_policy_active(store *st, const app_caller *c,
			    policy_version *out, ordo_err *err)
{
	APP_READ(st, store_policy_active(tx, c->tenant_id, out, err));
}

ordo_code app_policy_versions(store *st, const app_caller *c,
			      policy_version **out, size_t *n, ordo_err *err)
{
	APP_READ(st, store_policy_list(tx, c->tenant_id, out, n, err));
}

ordo_code app_defect_list(store *st, const app_caller *c, const char *type,
			  const char *rule_id, ordo_time from, ordo_time to,
			  int64_t before_seq, int limit, order_defect **out,
			  size_t *n, int64_t *next, ordo_err *err)
{
	APP_READ(st, store_defect_list(tx, c->tenant_id, type, rule_id, from,
				       to, before_seq, limit, out, n, next,
				       err));
}

ordo_code app_hold_history(store *st, const app_caller *c,
			   const store_hold_filter *f, store_hold_row **out,
			   size_t *n, bool *more, ordo_err *err)
{
	APP_READ(st, store_hold_history(tx, c->tenant_id, f, out, n, more,
					err));
}

/* ---- channels (app/channels.h) --------------------------------------------------------------- */

ordo_code app_channel_get(store *st, const app_caller *c, const char *id,
			  ordo_channel *out, ordo_err *err)
{
	if (!c->tenant_id)
		return ordo_err_set(err, ORDO_ENOTFOUND, "id",
				    "no channel \"%.64s\"", id);
	APP_READ(st, store_channel_get(tx, c->tenant_id, id, out, err));
}

ordo_code app_channel_by_name(store *st, const app_caller *c,
			      const char *name, ordo_channel *out,
			      ordo_err *err)
{
	APP_READ(st, store_channel_by_name(tx, c->tenant_id, name, out, err));
}

ordo_code app_channel_list(store *st, const app_caller *c,
			   ordo_channel **out, size_t *n, ordo_err *err)
{
	APP_READ(st, store_channel_list(tx, c->tenant_id, out, n, err));
}

ordo_code app_order_source(store *st, const app_caller *c, const char *id,
			   char *type, size_t type_size, char **body,
			   ordo_err *err)
{
	APP_READ(st, store_order_source(tx, c->tenant_id, id, type,
					    type_size, body, err));
}

static ordo_code channel_caller(store_tx *tx, const char *id,
				channel_kind kind, ordo_channel *ch,
				app_caller *caller, ordo_err *err)
{
	store_tenant t;
	ordo_code rc = store_channel_get(tx, 0, id, ch, err);

	/* No key: say nothing of a channel of another kind. */
	if (rc == ORDO_ENOTFOUND || (rc == ORDO_OK && ch->kind != kind)) {
		ordo_err_clear(err);
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no %s channel \"%.64s\"",
				  channel_kind_name(kind), id);
	}
	if (rc == ORDO_OK)
		rc = store_tenant_by_id(tx, ch->tenant_id, &t, err);
	if (rc)
		return rc;
	memset(caller, 0, sizeof(*caller));
	caller->tenant_id = ch->tenant_id;
	ordo_strlcpy(caller->tenant_slug, t.slug, sizeof(caller->tenant_slug));
	caller->role = ROLE_INTEGRATION;
	snprintf(caller->actor, sizeof(caller->actor), "channel:%s",
		 ch->name);
	return ORDO_OK;
}

ordo_code app_channel_caller(store *st, const char *id, channel_kind kind,
			     ordo_channel *ch, app_caller *caller,
			     ordo_err *err)
{
	APP_READ(st, channel_caller(tx, id, kind, ch, caller, err));
}

/* ---- imports (app/imports.h) --------------------------------------------- */

ordo_code app_import_list(store *st, const app_caller *c, int64_t before_seq,
			  int limit, store_import **out, size_t *n,
			  int64_t *next, ordo_err *err)
{
	APP_READ(st, store_import_list(tx, c->tenant_id, before_seq, limit, out,
				       n, next, err));
}

static ordo_code import_problems(store_tx *tx, int64_t tenant, const char *id,
				 int64_t after_n, int limit, store_import *im,
				 import_problem **out, size_t *n,
				 ordo_err *err)
{
	ordo_code rc = store_import_get(tx, tenant, id, im, err);

	*out = NULL;
	*n = 0;
	if (rc == ORDO_OK)
		rc = store_import_problems(tx, im->seq, after_n, limit, out, n,
					   err);
	return rc;
}

ordo_code app_import_problems(store *st, const app_caller *c, const char *id,
			      int64_t after_n, int limit, store_import *im,
			      import_problem **out, size_t *n, ordo_err *err)
{
	APP_READ(st, import_problems(tx, c->tenant_id, id, after_n, limit, im,
				     out, n, err));
}
