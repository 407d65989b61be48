/*
 * catalog.c - SKUs, locations and stock counts: what validation and (later)
 * allocation read. Each function is one write inside the caller's
 * transaction.
 */
#include "app/catalog.h"
#include "app/tenants.h"

#include <string.h>

#include "core/money.h"
#include "core/validate.h"

ordo_code app_sku_put(store_tx *tx, const app_caller *c, catalog_sku *s,
		      ordo_time now, bool *created, ordo_err *err)
{
	catalog_sku old;
	ordo_code rc;

	if (!money_currency_known(s->currency))
		return ordo_err_set(err, ORDO_EINVALID, "currency",
				    "\"%s\" is not an ISO 4217 currency code",
				    s->currency);
	rc = store_sku_get(tx, c->tenant_id, s->sku, &old, err);
	if (rc && rc != ORDO_ENOTFOUND)
		return rc;
	*created = rc == ORDO_ENOTFOUND;
	ordo_err_clear(err);
	s->updated_at = now;
	return store_sku_put(tx, c->tenant_id, s, err);
}

ordo_code app_location_put(store_tx *tx, const app_caller *c,
			   catalog_location *l, ordo_time now, bool *created,
			   ordo_err *err)
{
	catalog_location old;
	ordo_code rc;

	if (!validate_country_known(l->address.country))
		return ordo_err_set(err, ORDO_EINVALID, "country",
				    "\"%s\" is not an ISO 3166-1 alpha-2 "
				    "country code",
				    l->address.country);
	rc = store_location_get(tx, c->tenant_id, l->code, &old, err);
	if (rc && rc != ORDO_ENOTFOUND)
		return rc;
	*created = rc == ORDO_ENOTFOUND;
	ordo_err_clear(err);
	l->updated_at = now;
	return store_location_put(tx, c->tenant_id, l, err);
}

/* ---- the commands (write.h) ----------------------------------------------- */

static ordo_code sku_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_sku_cmd *c = (app_sku_cmd *)w;

	c->stored = c->sku;
	return app_sku_put(tx, &w->caller, &c->stored, w->now, &c->created,
			   err);
}

static const app_write_type sku_type = {.name = "sku_put", .run = sku_run};

void app_sku_cmd_init(app_sku_cmd *c, const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &sku_type, caller, now);
}

static ordo_code location_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_location_cmd *c = (app_location_cmd *)w;

	c->stored = c->location;
	return app_location_put(tx, &w->caller, &c->stored, w->now,
				&c->created, err);
}

static const app_write_type location_type = {.name = "location_put",
					     .run = location_run};

void app_location_cmd_init(app_location_cmd *c, const app_caller *caller,
			   ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &location_type, caller, now);
}
