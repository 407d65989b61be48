/*
 * app/tenants.h - tenants and their API keys.
 */
#ifndef ORDO_APP_TENANTS_H
#define ORDO_APP_TENANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "core/catalog.h"
#include "core/cursor.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- tenants and keys (app/tenants.c) ---------------------------------- */

/* Create a tenant and its first admin key; the key (shown once, stored only
 * hashed) is written to key_out. */
ordo_code app_tenant_create(store *st, const char *slug, ordo_time now,
			    char key_out[APP_API_KEY_MAX], ordo_err *err);

/* Create another key for an existing tenant. */
ordo_code app_key_create(store *st, const char *slug, const char *role,
			 const char *name, ordo_time now,
			 char key_out[APP_API_KEY_MAX], ordo_err *err);

/* Resolve a presented API key to its caller; ORDO_EUNAUTHORIZED if unknown. */
ordo_code app_authenticate(store *st, const char *key, app_caller *caller,
			   ordo_err *err);

/* The deployment's key for sealing page cursors (core/cursor.h): made
 * and stored by the first node that asks, read by every other. */
ordo_code app_cursor_key(store *st,
			 unsigned char key[ORDO_CURSOR_KEY_BYTES],
			 ordo_err *err);

/* Valid tenant slugs: 1..63 of [a-z0-9-], starting with a letter or digit. */
bool app_slug_valid(const char *slug);

#endif
