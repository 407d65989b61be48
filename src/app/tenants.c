/*
 * tenants.c - tenants, API keys and authentication.
 *
 * An API key is "ordo_sk_" followed by 64 hex digits of randomness. It is
 * shown once, when created or rotated; the store keeps only its SHA-256,
 * and a presented key is looked up by that hash on every request, with no
 * copy kept anywhere: a revoked or rotated key is refused from the next
 * request on, by every node. Keys carry a role and a name; the name is
 * what events record as the actor ("key:<name>"), so a name is never
 * given to a second key of the tenant, even once the first is revoked.
 * A key's id in the API is its public id ("key_..."). A tenant keeps at
 * most ORDO_API_KEYS_MAX live keys, and always one admin key: the last is
 * not revoked.
 */
#include "app/caller.h"
#include "app/tenants.h"
#include "app/audit.h"

#include <stdlib.h>

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

void app_key_generate(char key_out[APP_API_KEY_MAX], char hash[65])
{
	unsigned char raw[32];
	char hex[65];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(key_out, APP_API_KEY_MAX, "ordo_sk_%s", hex);
	ordo_sha256_hex(key_out, strlen(key_out), hash);
}

bool app_reaches_order(const app_caller *c, const order *o)
{
	return !c->scoped || (c->key_id != 0 && o->created_key == c->key_id);
}

bool app_reaches_location(const app_caller *c, const char *location)
{
	return !c->scoped ||
	       (c->location[0] != '\0' && strcmp(c->location, location) == 0);
}

ordo_code app_unreached(const char *noun, const char *id, ordo_err *err)
{
	return ordo_err_set(err, ORDO_ENOTFOUND, "id", "no %s \"%.64s\"", noun,
			    id);
}

ordo_code app_role_check(const char *role, ordo_err *err)
{
	app_role r;
	char list[JF_LIST_MAX];

	if (app_role_parse(role, &r) == 0)
		return ORDO_OK;
	JF_ENUM_LIST(list, sizeof(list), app_role_name, APP_ROLE_COUNT);
	return ordo_err_set(err, ORDO_EINVALID, "role",
			    "\"%.32s\" is not a role; one of: %s", role, list);
}

ordo_code app_key_check(const char *name, const char *role,
			const char *location, ordo_err *err)
{
	ordo_code rc = app_role_check(role, err);

	if (rc)
		return rc;
	if (location[0] && strcmp(role, "integration") != 0)
		return ordo_err_set(err, ORDO_EINVALID, "location",
				    "only an integration key answers for a "
				    "location; a %s key reaches the whole "
				    "tenant",
				    role);
	if (name[0] == '\0' || strlen(name) >= ORDO_NAME_MAX)
		return ordo_err_set(err, ORDO_EINVALID, "name",
				    "a key name of 1 to %d characters is "
				    "required",
				    ORDO_NAME_MAX - 1);
	return ORDO_OK;
}

ordo_code app_key_add(store_tx *tx, const app_caller *c, const char *name,
		      const char *role, const char *location,
		      const char *key_hash, ordo_time now, store_api_key *out,
		      ordo_err *err)
{
	int64_t n = 0;
	/* Two creations racing on two nodes are counted one after the
	 * other. */
	ordo_code rc = store_lock_named(tx, c->tenant_id, "api_keys", err);

	if (rc == ORDO_OK && location[0]) {
		catalog_location loc;

		rc = store_location_get(tx, c->tenant_id, location, &loc, err);
		if (rc == ORDO_ENOTFOUND) {
			ordo_err_clear(err);
			return ordo_err_set(err, ORDO_EINVALID, "location",
					    "tenant %s has no location "
					    "\"%.32s\"",
					    c->tenant_slug, location);
		}
	}

	if (rc == ORDO_OK)
		rc = store_api_key_count(tx, c->tenant_id, NULL, &n, err);
	if (rc)
		return rc;
	if (n >= ORDO_API_KEYS_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, "name",
				    "a tenant has at most %d live API keys "
				    "(ORDO_API_KEYS_MAX); revoke one first",
				    ORDO_API_KEYS_MAX);
	memset(out, 0, sizeof(*out));
	out->tenant_id = c->tenant_id;
	ordo_id_new("key_", out->public_id);
	ordo_strlcpy(out->name, name, sizeof(out->name));
	ordo_strlcpy(out->role, role, sizeof(out->role));
	ordo_strlcpy(out->location, location, sizeof(out->location));
	ordo_strlcpy(out->key_hash, key_hash, sizeof(out->key_hash));
	out->created_at = now;
	rc = store_api_key_insert(tx, out, err);
	/* Events name a key by its name ("key:<name>"), so one name is one
	 * key within a tenant, for good. */
	if (rc == ORDO_ECONFLICT && strcmp(err->field, "name") == 0) {
		ordo_err_clear(err);
		return ordo_err_set(err, ORDO_ECONFLICT, "name",
				    "tenant %s already has or had a key named "
				    "\"%s\"; choose another name",
				    c->tenant_slug, name);
	}
	if (rc == ORDO_OK)
		rc = app_audit(tx, c, now, "key.created", out->public_id, NULL,
			       location[0] ? json_pack("{s:s, s:s, s:s}",
						       "name", name, "role",
						       role, "location",
						       location)
					   : json_pack("{s:s, s:s}", "name",
						       name, "role", role),
			       err);
	return rc;
}

ordo_code app_key_list(store *st, const app_caller *c, store_api_key **out,
		       size_t *n, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc = store_read_begin(st, &tx, err);

	*out = NULL;
	*n = 0;
	if (rc)
		return rc;
	rc = store_api_key_list(tx, c->tenant_id, out, n, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_key_revoke(store_tx *tx, const app_caller *c, const char *id,
			 ordo_time now, store_api_key *out, ordo_err *err)
{
	ordo_code rc = store_lock_named(tx, c->tenant_id, "api_keys", err);
	int64_t admins = 0;

	if (rc == ORDO_OK)
		rc = store_api_key_get(tx, c->tenant_id, id, out, err);
	if (rc == ORDO_OK && strcmp(out->role, "admin") == 0) {
		rc = store_api_key_count(tx, c->tenant_id, "admin", &admins,
					 err);
		if (rc == ORDO_OK && admins <= 1)
			return ordo_err_set(err, ORDO_ECONFLICT, "id",
					    "%s is the tenant's last admin "
					    "key; create another admin key "
					    "before revoking it",
					    id);
	}
	if (rc == ORDO_OK)
		rc = store_api_key_revoke(tx, c->tenant_id, id, now, err);
	if (rc == ORDO_OK) {
		out->revoked_at = now;
		rc = app_audit(tx, c, now, "key.revoked", id,
			       json_pack("{s:s, s:s}", "name", out->name,
					 "role", out->role),
			       NULL, err);
	}
	return rc;
}

ordo_code app_key_rotate(store_tx *tx, const app_caller *c, const char *id,
			 const char *key_hash, ordo_time now,
			 store_api_key *out, ordo_err *err)
{
	ordo_code rc = store_api_key_get(tx, c->tenant_id, id, out, err);

	if (rc == ORDO_OK)
		rc = store_api_key_rotate(tx, c->tenant_id, id, key_hash, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, c, now, "key.rotated", id, NULL,
			       json_pack("{s:s}", "name", out->name), err);
	return rc;
}

/* ---- the commands ---------------------------------------------------------- */

static void key_stored_clear(app_write *w, size_t offset)
{
	memset((char *)w + offset, 0, sizeof(store_api_key));
}

static ordo_code create_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_key_create_cmd *c = (app_key_create_cmd *)w;

	return app_key_add(tx, &w->caller, c->name, c->role, c->location,
			   c->key_hash,
			   w->now, &c->stored, err);
}

static void create_clear(app_write *w)
{
	key_stored_clear(w, offsetof(app_key_create_cmd, stored));
}

static const app_write_type create_type = {
	.name = "key_create", .run = create_run, .clear = create_clear};

void app_key_create_cmd_init(app_key_create_cmd *c, const app_caller *caller,
			     ordo_time now)
{
	app_write_init(&c->w, &create_type, caller, now);
}

static ordo_code revoke_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_key_change_cmd *c = (app_key_change_cmd *)w;

	return app_key_revoke(tx, &w->caller, c->id, w->now, &c->stored, err);
}

static ordo_code rotate_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_key_change_cmd *c = (app_key_change_cmd *)w;

	return app_key_rotate(tx, &w->caller, c->id, c->key_hash, w->now,
			      &c->stored, err);
}

static void change_clear(app_write *w)
{
	key_stored_clear(w, offsetof(app_key_change_cmd, stored));
}

static const app_write_type revoke_type = {
	.name = "key_revoke", .run = revoke_run, .clear = change_clear};
static const app_write_type rotate_type = {
	.name = "key_rotate", .run = rotate_run, .clear = change_clear};

void app_key_revoke_cmd_init(app_key_change_cmd *c, const app_caller *caller,
			     ordo_time now)
{
	app_write_init(&c->w, &revoke_type, caller, now);
}

void app_key_rotate_cmd_init(app_key_change_cmd *c, const app_caller *caller,
			     ordo_time now)
{
	app_write_init(&c->w, &rotate_type, caller, now);
	app_key_generate(c->key, c->key_hash);
}

/* ---- tenants and their keys from the command line -------------------------- */

/* The key is made before the write, which stores only its hash. */
struct key_job {
	const char *slug;
	bool create_tenant;
	const char *role;
	const char *name;
	const char *location; /* "" or NULL: none */
	char key_hash[65];
	ordo_time now;
};

static ordo_code key_job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct key_job *j = arg;
	store_tenant t;
	store_api_key k;
	app_caller c;
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
	memset(&c, 0, sizeof(c));
	c.tenant_id = t.id;
	ordo_strlcpy(c.tenant_slug, t.slug, sizeof(c.tenant_slug));
	ordo_strlcpy(c.actor, "cli", sizeof(c.actor));
	return app_key_add(tx, &c, j->name, j->role,
			   j->location ? j->location : "", j->key_hash, j->now,
			   &k, err);
}

ordo_code app_tenant_create(store *st, const char *slug, ordo_time now,
			    char key_out[APP_API_KEY_MAX], ordo_err *err)
{
	struct key_job j = {.slug = slug, .create_tenant = true,
			    .role = "admin", .name = "admin", .now = now};

	if (!app_slug_valid(slug))
		return ordo_err_set(err, ORDO_EINVALID, "slug",
				    "\"%s\" is not a valid tenant slug: use 1 "
				    "to %d of a-z, 0-9 and '-', not starting "
				    "with '-'",
				    slug, ORDO_SLUG_MAX - 1);
	app_key_generate(key_out, j.key_hash);
	return store_write(st, key_job_run, &j, err);
}

ordo_code app_key_create(store *st, const char *slug, const char *role,
			 const char *name, const char *location, ordo_time now,
			 char key_out[APP_API_KEY_MAX], ordo_err *err)
{
	struct key_job j = {.slug = slug, .role = role, .name = name,
			    .location = location, .now = now};
	ordo_code rc = app_key_check(name, role, location, err);

	if (rc)
		return rc;
	app_key_generate(key_out, j.key_hash);
	return store_write(st, key_job_run, &j, err);
}

/* A key's last use: its row and when. */
struct key_used {
	int64_t key;
	ordo_time now;
};

static ordo_code key_used_run(store_tx *tx, void *arg, ordo_err *err)
{
	const struct key_used *u = arg;

	return store_api_key_used(tx, u->key, u->now, err);
}

ordo_code app_authenticate(store *st, const char *key, ordo_time now,
			   app_caller *caller, ordo_err *err)
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
	caller->scoped = caller->role == ROLE_INTEGRATION;
	ordo_strlcpy(caller->location, k.location, sizeof(caller->location));
	snprintf(caller->actor, sizeof(caller->actor), "key:%s", k.name);
out:
	store_read_end(tx);
	if (rc == ORDO_OK && now > 0 &&
	    now - k.last_used_at >= STORE_KEY_USED_GRAIN_S) {
		struct key_used u = {k.id, now};

		app_write_detached(st, key_used_run, &u, sizeof(u));
	}
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
