/*
 * settings.c - reading and saving a tenant's settings. The API merges a
 * partial update into the current settings and checks the whole
 * (settings_check) before it is saved, so saved settings are always valid.
 */
#include "app/settings.h"
#include "app/tenants.h"

ordo_code app_settings_get(store *st, const app_caller *c, tenant_settings *s,
			   ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_settings_get(tx, c->tenant_id, s, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_settings_update(store_tx *tx, const app_caller *c,
			      app_settings_merge_fn merge, void *ctx,
			      tenant_settings *s, ordo_err *err)
{
	ordo_code rc = store_settings_get(tx, c->tenant_id, s, err);

	if (rc)
		return rc;
	merge(ctx, s, err);
	if (err->code != ORDO_OK)
		return err->code;
	rc = settings_check(s, err);
	return rc ? rc : store_settings_put(tx, c->tenant_id, s, err);
}
