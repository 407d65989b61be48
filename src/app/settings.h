/*
 * app/settings.h - tenant settings.
 */
#ifndef ORDO_APP_SETTINGS_H
#define ORDO_APP_SETTINGS_H

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

/* ---- settings (app/settings.c) -------------------------------------------- */

ordo_code app_settings_get(store *st, const app_caller *c, tenant_settings *s,
			   ordo_err *err);
/* Changes the settings in place; adds a detail to err per bad value. */
typedef void (*app_settings_merge_fn)(void *ctx, tenant_settings *s,
				      ordo_err *err);

/* Read the settings, merge the change, check the whole and save it; *s is
 * the result. */
ordo_code app_settings_update(store_tx *tx, const app_caller *c,
			      app_settings_merge_fn merge, void *ctx,
			      tenant_settings *s, ordo_err *err);

#endif
