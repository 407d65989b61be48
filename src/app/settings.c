/*
 * settings.c - reading and saving a tenant's settings. A change comes as a
 * patch, decoded and checked by the caller before it is submitted
 * (core/settings.h: tenant_settings_patch); the write reads the current
 * settings, applies the patch to them - checking the result whole
 * (tenant_settings_apply) - and saves it, so saved settings are always
 * valid.
 */
#include "app/audit.h"
#include "app/settings.h"
#include "app/tenants.h"

#include <string.h>

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
			      const tenant_settings_patch *p,
			      tenant_settings *s, ordo_err *err)
{
	ordo_code rc = store_settings_get(tx, c->tenant_id, s, err);

	if (rc == ORDO_OK)
		rc = tenant_settings_apply(s, p, err);
	return rc ? rc : store_settings_put(tx, c->tenant_id, s, err);
}

/* ---- the command (write.h) ------------------------------------------------ */

static ordo_code settings_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_settings_cmd *c = (app_settings_cmd *)w;
	tenant_settings before;
	ordo_code rc = store_settings_get(tx, w->caller.tenant_id, &before,
					  err);

	if (rc == ORDO_OK)
		rc = app_settings_update(tx, &w->caller, &c->patch, &c->stored,
					 err);
	if (rc == ORDO_OK)
		rc = app_audit_settings(tx, &w->caller, w->now, &before,
					&c->stored, err);
	return rc;
}

static const app_write_type settings_type = {.name = "settings_update",
					     .run = settings_run};

void app_settings_cmd_init(app_settings_cmd *c, const app_caller *caller,
			   ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &settings_type, caller, now);
	tenant_settings_patch_init(&c->patch);
}
