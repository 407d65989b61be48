/*
 * app/tenants.h - tenants and their API keys.
 */
#ifndef ORDO_APP_TENANTS_H
#define ORDO_APP_TENANTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
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

/* Create another key for an existing tenant; location ("": none) for an
 * integration key that answers as that warehouse. */
ordo_code app_key_create(store *st, const char *slug, const char *role,
			 const char *name, const char *location, ordo_time now,
			 char key_out[APP_API_KEY_MAX], ordo_err *err);

/* Resolve a presented API key to its caller; ORDO_EUNAUTHORIZED if unknown
 * or revoked. With now (not 0), the key's last use is noted as now, in a
 * write of its own that the request does not wait for, when the one kept
 * is STORE_KEY_USED_GRAIN_S old or more. */
ordo_code app_authenticate(store *st, const char *key, ordo_time now,
			   app_caller *caller, ordo_err *err);

/* ---- keys an admin manages (app/tenants.c) ------------------------------ */

/* role is one of app/caller.h's (ORDO_EINVALID naming "role", listing
 * them). */
ordo_code app_role_check(const char *role, ordo_err *err);
/* A new key's name, role and location ("": none; integration keys
 * alone have one), checked before it is submitted. */
ordo_code app_key_check(const char *name, const char *role,
			const char *location, ordo_err *err);
/* A fresh key into key_out, shown once, and the hash the store keeps. */
void app_key_generate(char key_out[APP_API_KEY_MAX], char hash[65]);

/* The caller's tenant's live keys, oldest first (*out: free()). */
ordo_code app_key_list(store *st, const app_caller *c, store_api_key **out,
		       size_t *n, ordo_err *err);

/* Store a key (checked; its hash made) for the caller's tenant: at most
 * ORDO_API_KEYS_MAX live keys a tenant, a name no key of the tenant ever
 * had. *out is the key stored. */
ordo_code app_key_add(store_tx *tx, const app_caller *c, const char *name,
		      const char *role, const char *location,
		      const char *key_hash, ordo_time now, store_api_key *out,
		      ordo_err *err);
/* Revoke the live key id at now, or give it the new hash key_hash (its
 * old secret stops at once); *out is the key before (revoked_at set on a
 * revocation). The tenant's last live admin key is not revoked
 * (ORDO_ECONFLICT): nobody could manage its keys through the API after. */
ordo_code app_key_revoke(store_tx *tx, const app_caller *c, const char *id,
			 ordo_time now, store_api_key *out, ordo_err *err);
ordo_code app_key_rotate(store_tx *tx, const app_caller *c, const char *id,
			 const char *key_hash, ordo_time now,
			 store_api_key *out, ordo_err *err);

/*
 * The commands (write.h). Creation: name, role and the key made by
 * app_key_generate in (the key itself is for the answer alone: only its
 * hash is stored); the key stored out. Revocation: the path's id in.
 * Rotation: the id and a fresh key and hash in. Both: the key out.
 */
typedef struct {
	app_write w;
	char name[ORDO_NAME_MAX];     /* in */
	char role[ORDO_ROLE_MAX];     /* in */
	char location[ORDO_LOCATION_CODE_MAX]; /* in: "" none */
	char key[APP_API_KEY_MAX];    /* in: shown once */
	char key_hash[65];	      /* in */
	store_api_key stored;	      /* out */
} app_key_create_cmd;

void app_key_create_cmd_init(app_key_create_cmd *c, const app_caller *caller,
			     ordo_time now);

typedef struct {
	app_write w;
	char id[ORDO_ID_MAX];	   /* in */
	char key[APP_API_KEY_MAX]; /* in: rotation's new key, shown once */
	char key_hash[65];	   /* in: rotation's */
	store_api_key stored;	   /* out */
} app_key_change_cmd;

void app_key_revoke_cmd_init(app_key_change_cmd *c, const app_caller *caller,
			     ordo_time now);
/* Also makes the new key (app_key_generate). */
void app_key_rotate_cmd_init(app_key_change_cmd *c, const app_caller *caller,
			     ordo_time now);

/* The deployment's key for sealing page cursors (core/cursor.h): made
 * and stored by the first node that asks, read by every other. */
ordo_code app_cursor_key(store *st,
			 unsigned char key[ORDO_CURSOR_KEY_BYTES],
			 ordo_err *err);

/* Valid tenant slugs: 1..63 of [a-z0-9-], starting with a letter or digit. */
bool app_slug_valid(const char *slug);

#endif
