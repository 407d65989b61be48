/*
 * tenants.c - tenants, API keys and authentication.
 *
 * An API key is "ordo_sk_" followed by 64 hex digits of randomness. It is
 * shown once, when created; the store keeps only its SHA-256, and a
 * presented key is looked up by that hash. Keys carry a role and a name; the
 * name is what events record as the actor ("key:<name>").
 */
#include "app/caller.h"
#include "app/tenants.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "channels/json_fields.h"

static const char *const role_names[] = {
#define APP_X_NAME(e, name) name,
	APP_ROLE_MAP(APP_X_NAME)
#undef APP_X_NAME
};

const char *app_role_name(app_role r)
{
	return (unsigned)r < APP_ROLE_COUNT ? role_names[r] : "unknown";
}

int app_role_parse(const char *name, app_role *out)
{
	int i;

	for (i = 0; i < APP_ROLE_COUNT; i++) {
		if (strcmp(name, role_names[i]) == 0) {
			*out = (app_role)i;
			return 0;
		}
	}
	return -1;
}

bool app_slug_valid(const char *slug)
{
	size_t n = strlen(slug), i;

	if (n == 0 || n >= ORDO_SLUG_MAX || slug[0] == '-')
		return false;
	for (i = 0; i < n; i++) {
		char ch = slug[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
		      ch == '-'))
			return false;
	}
	return true;
}

static void key_generate(char key_out[APP_API_KEY_MAX], char hash[65])
{
	unsigned char raw[32];
	char hex[65];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(key_out, APP_API_KEY_MAX, "ordo_sk_%s", hex);
	ordo_sha256_hex(key_out, strlen(key_out), hash);
}

/* The key is made before the write, which stores only its hash. */
struct key_job {
	const char *slug;
	bool create_tenant;
	app_role role;
	const char *name;
	char key_hash[65];
	ordo_time now;
};

static ordo_code key_job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct key_job *j = arg;
	store_tenant t;
	store_api_key k;
	ordo_code rc;

	memset(&t, 0, sizeof(t));
	if (j->create_tenant) {
		ordo_strlcpy(t.slug, j->slug, sizeof(t.slug));
		t.created_at = j->now;
		rc = store_tenant_insert(tx, &t, err);
		if (rc == ORDO_ECONFLICT)
			return ordo_err_set(err, ORDO_ECONFLICT, "slug",
					    "tenant \"%s\" already exists",
					    j->slug);
	} else {
		rc = store_tenant_by_slug(tx, j->slug, &t, err);
		if (rc == ORDO_ENOTFOUND)
			return ordo_err_set(err, ORDO_ENOTFOUND, "slug",
					    "no tenant \"%s\"", j->slug);
	}
	if (rc)
		return rc;

	memset(&k, 0, sizeof(k));
	k.tenant_id = t.id;
	ordo_strlcpy(k.name, j->name, sizeof(k.name));
	ordo_strlcpy(k.role, app_role_name(j->role), sizeof(k.role));
	k.created_at = j->now;
	memcpy(k.key_hash, j->key_hash, sizeof(k.key_hash));
	rc = store_api_key_insert(tx, &k, err);
	/* Events name a key by its name ("key:<name>"), so one name is one
	 * key within a tenant. */
	if (rc == ORDO_ECONFLICT && strcmp(err->field, "name") == 0)
		return ordo_err_set(err, ORDO_ECONFLICT, "name",
				    "tenant %s already has a key named "
				    "\"%s\"; choose another name",
				    j->slug, j->name);
	return rc;
}

ordo_code app_tenant_create(store *st, const char *slug, ordo_time now,
			    char key_out[APP_API_KEY_MAX], ordo_err *err)
{
	struct key_job j = {.slug = slug, .create_tenant = true,
			    .role = ROLE_ADMIN, .name = "admin", .now = now};

	if (!app_slug_valid(slug))
		return ordo_err_set(err, ORDO_EINVALID, "slug",
				    "\"%s\" is not a valid tenant slug: use 1 "
				    "to %d of a-z, 0-9 and '-', not starting "
				    "with '-'",
				    slug, ORDO_SLUG_MAX - 1);
	key_generate(key_out, j.key_hash);
	return store_write(st, key_job_run, &j, err);
}

ordo_code app_key_create(store *st, const char *slug, const char *role,
			 const char *name, ordo_time now,
			 char key_out[APP_API_KEY_MAX], ordo_err *err)
{
	struct key_job j = {.slug = slug, .name = name, .now = now};

	if (app_role_parse(role, &j.role) != 0) {
		char list[JF_LIST_MAX];

		JF_ENUM_LIST(list, sizeof(list), app_role_name,
			     APP_ROLE_COUNT);
		return ordo_err_set(err, ORDO_EINVALID, "role",
				    "\"%s\" is not a role; one of: %s", role,
				    list);
	}
	if (name[0] == '\0' || strlen(name) >= ORDO_NAME_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "name",
				    "a key name of 1 to %d characters is "
				    "required",
				    ORDO_NAME_MAX - 1);
	key_generate(key_out, j.key_hash);
	return store_write(st, key_job_run, &j, err);
}

ordo_code app_authenticate(store *st, const char *key, app_caller *caller,
			   ordo_err *err)
{
	char hash[65];
	store_tx *tx = NULL;
	store_api_key k;
	store_tenant t;
	ordo_code rc;

	if (strncmp(key, "ordo_sk_", 8) != 0 || strlen(key) >= APP_API_KEY_MAX)
		return ordo_err_set(err, ORDO_EUNAUTHORIZED, "Authorization",
				    "the API key is not valid");
	ordo_sha256_hex(key, strlen(key), hash);
	rc = store_read_begin(st, &tx, err);
	if (rc)
		return rc;
	rc = store_api_key_by_hash(tx, hash, &k, &t, err);
	if (rc == ORDO_ENOTFOUND) {
		rc = ordo_err_set(err, ORDO_EUNAUTHORIZED, "Authorization",
				  "the API key is not valid");
		goto out;
	}
	if (rc)
		goto out;
	memset(caller, 0, sizeof(*caller));
	caller->tenant_id = t.id;
	caller->key_id = k.id;
	ordo_strlcpy(caller->tenant_slug, t.slug, sizeof(caller->tenant_slug));
	if (app_role_parse(k.role, &caller->role) != 0)
		caller->role = ROLE_VIEWER;
	snprintf(caller->actor, sizeof(caller->actor), "key:%s", k.name);
out:
	store_read_end(tx);
	return rc;
}

/* ---- the cursor key ------------------------------------------------------ */

struct cursor_key_job {
	char fresh[2 * ORDO_CURSOR_KEY_BYTES + 1];
	char kept[2 * ORDO_CURSOR_KEY_BYTES + 2];
};

static ordo_code cursor_key_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct cursor_key_job *j = arg;

	return store_secret(tx, "cursor_key", j->fresh, j->kept,
			    sizeof(j->kept), err);
}

ordo_code app_cursor_key(store *st,
			 unsigned char key[ORDO_CURSOR_KEY_BYTES],
			 ordo_err *err)
{
	struct cursor_key_job j;
	unsigned char fresh[ORDO_CURSOR_KEY_BYTES];
	size_t len = 0;
	ordo_code rc;

	randombytes_buf(fresh, sizeof(fresh));
	sodium_bin2hex(j.fresh, sizeof(j.fresh), fresh, sizeof(fresh));
	sodium_memzero(fresh, sizeof(fresh));
	rc = store_write(st, cursor_key_run, &j, err);
	if (rc == ORDO_OK &&
	    (strlen(j.kept) != 2 * ORDO_CURSOR_KEY_BYTES ||
	     sodium_hex2bin(key, ORDO_CURSOR_KEY_BYTES, j.kept,
			    strlen(j.kept), NULL, &len, NULL) != 0 ||
	     len != ORDO_CURSOR_KEY_BYTES))
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "the stored cursor key is not %d bytes in "
				  "hex",
				  ORDO_CURSOR_KEY_BYTES);
	sodium_memzero(&j, sizeof(j));
	return rc;
}
