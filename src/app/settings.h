/*
 * app/settings.h - tenant settings.
 */
#ifndef ORDO_APP_SETTINGS_H
#define ORDO_APP_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
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

/* Read the settings, apply the patch (tenant_settings_apply: one detail
 * per problem, nothing applied on any) and save the result; *s is it. */
ordo_code app_settings_update(store_tx *tx, const app_caller *c,
			      const tenant_settings_patch *p,
			      tenant_settings *s, ordo_err *err);

/* The command (write.h): the patch in, the settings as saved out. */
typedef struct {
	app_write w;
	tenant_settings_patch patch; /* in */
	tenant_settings stored;	     /* out */
} app_settings_cmd;

void app_settings_cmd_init(app_settings_cmd *c, const app_caller *caller,
			   ordo_time now);

#endif
