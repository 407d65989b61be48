/*
 * sql_tenants.c - tenants, their API keys and their settings (the tenant's
 * own and the per hold type ones), and the named locks taken per tenant.
 * Everything here is read on every request (key lookup, settings) or
 * written rarely by an operator; it is kept apart from the order data it
 * scopes. See store.h for the contract of each public function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* A tenant's settings (settings_fields; p: a table alias and its dot). */
#define SQL_SETTINGS_COLS_OF(p)                                                \
	p "duplicate_window_s, " p "backorder_mode, " p "release_mode, "       \
	p "release_sla_s, " p "cutoff_minute, " p "closing_period_s, "         \
	p "webhook_retry_window_s, " p "low_stock_threshold, " p "bulk_limit, "      \
	p "change_window_s"
#define SQL_TENANT_COLS "id, slug, created_at"
#define SQL_API_KEY_NEW_COLS_OF(p)                                             \
	p "tenant_id, " p "public_id, " p "name, " p "role, " p "key_hash, "   \
	p "created_at, " p "location"
/* A key's row after its id: what it is made with, then what it became. */
#define SQL_API_KEY_COLS_OF(p)                                                 \
	"" p "id, " SQL_API_KEY_NEW_COLS_OF(p) ", " p "last_used_at, "         \
	p "revoked_at"

/* SQL_TENANT_COLS after id. */
static const struct q_field tenant_fields[] = {
	Q_TEXT(store_tenant, slug),
	Q_I64(store_tenant, created_at),
};

/* SQL_API_KEY_NEW_COLS_OF. */
static const struct q_field api_key_fields[] = {
	Q_I64(store_api_key, tenant_id), Q_TEXT(store_api_key, public_id),
	Q_TEXT(store_api_key, name),	 Q_TEXT(store_api_key, role),
	Q_TEXT(store_api_key, key_hash), Q_I64(store_api_key, created_at),
	Q_TEXT_OR_NULL(store_api_key, location),
};

/* The rest of SQL_API_KEY_COLS_OF (NULL reads 0). */
static const struct q_field api_key_later[] = {
	Q_I64(store_api_key, last_used_at),
	Q_I64(store_api_key, revoked_at),
};

Q_ENUM_NAMES(backorder_names, backorder_mode, backorder_mode_name,
	     backorder_mode_parse);
Q_ENUM_NAMES(release_names, release_mode, release_mode_name,
	     release_mode_parse);

static const struct q_field settings_fields[] = {
	Q_I64(tenant_settings, duplicate_window_s),
	Q_ENUM(tenant_settings, backorder, &backorder_names),
	Q_ENUM(tenant_settings, release, &release_names),
	Q_I64(tenant_settings, release_sla_s),
	Q_INT(tenant_settings, cutoff_minute),
	Q_I64(tenant_settings, closing_period_s),
	Q_I64(tenant_settings, webhook_retry_window_s),
	Q_I64(tenant_settings, low_stock_threshold),
	Q_I64(tenant_settings, bulk_limit),
	Q_I64(tenant_settings, change_window_s),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_TENANT_INSERT] = "INSERT INTO tenants (slug, created_at) "
			      "VALUES (?, ?) RETURNING id",
	[SQL_TENANT_BY_SLUG] = "SELECT " SQL_TENANT_COLS " FROM tenants "
			       "WHERE slug = ?",
	[SQL_TENANT_BY_ID] = "SELECT " SQL_TENANT_COLS " FROM tenants "
			     "WHERE id = ?",
	/* A deployment's secret: the first value offered is kept. */
	[SQL_SECRET_KEEP] = "INSERT INTO server_secrets (name, value) "
			    "VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
	[SQL_SECRET_GET] = "SELECT value FROM server_secrets WHERE name = ?",
	/* No row returned: the tenant has a key of that name (0005). */
	[SQL_API_KEY_INSERT] = "INSERT INTO api_keys ("
			       SQL_API_KEY_NEW_COLS_OF("") ") "
			       "VALUES (?, ?, ?, ?, ?, ?, ?) "
			       "ON CONFLICT (tenant_id, name) DO NOTHING "
			       "RETURNING id",
	/* With its tenant's row (SQL_TENANT_COLS): a request's caller in
	 * one statement. The key's row found by its hash alone, then its
	 * tenant's by its key; every key has its tenant (a foreign key).
	 * A revoked key is no key: store_api_key_by_hash reads its
	 * revoked_at (a condition here would offer the planner
	 * api_keys_live, every live key of every tenant, to filter). */
	[SQL_API_KEY_BY_HASH] = "SELECT " SQL_API_KEY_COLS_OF("k.") ", "
				"k.tenant_id, "
				"(SELECT slug FROM tenants "
				"WHERE id = k.tenant_id), "
				"(SELECT created_at FROM tenants "
				"WHERE id = k.tenant_id) "
				"FROM api_keys k WHERE k.key_hash = ?",
	/* A tenant's live keys, oldest first (api_keys_live). */
	[SQL_API_KEY_LIST] = "SELECT " SQL_API_KEY_COLS_OF("") " "
			     "FROM api_keys WHERE tenant_id = ? "
			     "AND revoked_at IS NULL ORDER BY id",
	[SQL_API_KEY_GET] = "SELECT " SQL_API_KEY_COLS_OF("") " "
			    "FROM api_keys WHERE tenant_id = ? "
			    "AND public_id = ? AND revoked_at IS NULL",
	[SQL_API_KEY_COUNT] = "SELECT count(*) FROM api_keys "
			      "WHERE tenant_id = ? AND revoked_at IS NULL",
	[SQL_API_KEY_COUNT_ROLE] = "SELECT count(*) FROM api_keys "
				   "WHERE tenant_id = ? "
				   "AND revoked_at IS NULL AND role = ?",
	[SQL_API_KEY_REVOKE] = "UPDATE api_keys SET revoked_at = ? "
			       "WHERE tenant_id = ? AND public_id = ? "
			       "AND revoked_at IS NULL RETURNING id",
	[SQL_API_KEY_ROTATE] = "UPDATE api_keys SET key_hash = ? "
			       "WHERE tenant_id = ? AND public_id = ? "
			       "AND revoked_at IS NULL RETURNING id",
	/* Kept to the minute: a key in use writes once a minute, not once
	 * a request (binds: now, the key, now less a minute). */
	[SQL_API_KEY_USED] = "UPDATE api_keys SET last_used_at = ? "
			     "WHERE id = ? AND (last_used_at IS NULL "
			     "OR last_used_at <= ?)",
	[SQL_SETTINGS_GET] = "SELECT " SQL_SETTINGS_COLS_OF("")
			     " FROM tenant_settings WHERE tenant_id = ?",
	[SQL_SETTINGS_PUT] = "INSERT INTO tenant_settings (tenant_id, "
			     SQL_SETTINGS_COLS_OF("") ") "
			     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			     "ON CONFLICT (tenant_id) DO UPDATE SET ("
			     SQL_SETTINGS_COLS_OF("") ") = ("
			     SQL_SETTINGS_COLS_OF("excluded.") ")",
	[SQL_HOLD_SETTINGS_GET] = "SELECT type, sla_s, priority "
				  "FROM tenant_hold_settings "
				  "WHERE tenant_id = ?",
	[SQL_HOLD_SETTINGS_PUT] = "INSERT INTO tenant_hold_settings "
				  "(tenant_id, type, sla_s, priority) "
				  "VALUES (?, ?, ?, ?) "
				  "ON CONFLICT (tenant_id, type) DO UPDATE SET "
				  "sla_s = excluded.sla_s, "
				  "priority = excluded.priority",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_tenants_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

ordo_code store_tenant_insert(store_tx *tx, store_tenant *t, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_tenant_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_TENANT_INSERT, err);
	if (rc)
		goto out;
	q_bind_row(&q, t, tenant_fields);
	rc = q_insert_returning(&q, &t->id, "tenant", "slug", err);
out:
	q_close(&q);
	return rc;
}

/* Open, bound: read the one tenant row or ORDO_ENOTFOUND naming field. */
static ordo_code tenant_read(struct q *q, store_tenant *t, const char *field,
			     const char *key, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, "reading a tenant", NULL, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ENOTFOUND, field,
				    "no tenant with %s \"%.64s\"", field, key);
	memset(t, 0, sizeof(*t));
	t->id = q_col_i64(q);
	q_read_row(q, t, tenant_fields);
	return q_row_end(q, "reading a tenant", err);
}

ordo_code store_tenant_by_slug(store_tx *tx, const char *slug, store_tenant *t,
			       ordo_err *err)
{
	struct q q;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_TENANT_BY_SLUG, err);
	if (rc)
		goto out;
	q_str(&q, slug);
	rc = tenant_read(&q, t, "slug", slug, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_secret(store_tx *tx, const char *name, const char *fresh,
			char *out, size_t size, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_secret", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_SECRET_KEEP, err);
	if (rc == ORDO_OK) {
		q_str(&q, name);
		q_str(&q, fresh);
		rc = q_exec(&q, "keeping a secret", "name", err);
	}
	q_close(&q);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_SECRET_GET, err);
	if (rc == ORDO_OK) {
		q_str(&q, name);
		rc = q_step_one(&q, "reading a secret", "name", "secret", name,
				err);
	}
	if (rc == ORDO_OK) {
		q_col_str(&q, out, size);
		rc = q_row_end(&q, "reading a secret", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_tenant_by_id(store_tx *tx, int64_t id, store_tenant *t,
			     ordo_err *err)
{
	struct q q;
	char key[24];
	ordo_code rc;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	rc = q_open(&q, tx, SQL_TENANT_BY_ID, err);
	if (rc)
		goto out;
	q_i64(&q, id);
	rc = tenant_read(&q, t, "id", key, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_api_key_insert(store_tx *tx, store_api_key *k, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_api_key_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_API_KEY_INSERT, err);
	if (rc)
		goto out;
	q_bind_row(&q, k, api_key_fields);
	rc = q_step(&q, &row, "API key", "key_hash", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ECONFLICT, "name",
				  "the tenant already has a key named "
				  "\"%.128s\"",
				  k->name);
		goto out;
	}
	k->id = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

/* The row of SQL_API_KEY_COLS_OF at the statement's next column. */
static void api_key_read(struct q *q, store_api_key *k)
{
	memset(k, 0, sizeof(*k));
	k->id = q_col_i64(q);
	q_read_row(q, k, api_key_fields);
	q_read_row(q, k, api_key_later);
}

static ordo_code api_key_row(struct q *q, void *item, ordo_err *err)
{
	api_key_read(q, item);
	return q_row_end(q, "listing API keys", err);
}

ordo_code store_api_key_list(store_tx *tx, int64_t tenant,
			     store_api_key **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_API_KEY_LIST, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		rc = q_rows(&q, SIZE_MAX, sizeof(store_api_key), api_key_row,
			    &items, n, "listing API keys", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_api_key_get(store_tx *tx, int64_t tenant, const char *id,
			    store_api_key *k, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = q_get(&q, tx, SQL_API_KEY_GET, tenant, id, "reading an API key",
		   "id", "API key", err);
	if (rc == ORDO_OK) {
		api_key_read(&q, k);
		rc = q_row_end(&q, "reading an API key", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_api_key_count(store_tx *tx, int64_t tenant, const char *role,
			      int64_t *n, ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, role ? SQL_API_KEY_COUNT_ROLE : SQL_API_KEY_COUNT,
		    err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		if (role)
			q_str(&q, role);
		rc = q_step(&q, &row, "counting API keys", NULL, err);
	}
	if (rc == ORDO_OK && row)
		*n = q_col_i64(&q);
	q_close(&q);
	return rc;
}

/* Revoke (key_hash NULL) or give a new hash to the live key id. */
static ordo_code api_key_change(store_tx *tx, int64_t tenant, const char *id,
				const char *key_hash, ordo_time now,
				ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_api_key_change", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx,
			    key_hash ? SQL_API_KEY_ROTATE : SQL_API_KEY_REVOKE,
			    err);
	if (rc == ORDO_OK) {
		if (key_hash)
			q_str(&q, key_hash);
		else
			q_i64(&q, now);
		q_i64(&q, tenant);
		q_str(&q, id);
		rc = q_step_one(&q, "changing an API key", "id", "API key", id,
				err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_api_key_revoke(store_tx *tx, int64_t tenant, const char *id,
			       ordo_time now, ordo_err *err)
{
	return api_key_change(tx, tenant, id, NULL, now, err);
}

ordo_code store_api_key_rotate(store_tx *tx, int64_t tenant, const char *id,
			       const char *key_hash, ordo_err *err)
{
	return api_key_change(tx, tenant, id, key_hash, 0, err);
}

ordo_code store_api_key_used(store_tx *tx, int64_t key, ordo_time now,
			     ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_api_key_used", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_API_KEY_USED, err);
	if (rc == ORDO_OK) {
		q_i64(&q, now);
		q_i64(&q, key);
		q_i64(&q, now - STORE_KEY_USED_GRAIN_S);
		rc = q_exec(&q, "noting an API key's use", NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_api_key_by_hash(store_tx *tx, const char *key_hash,
				store_api_key *k, store_tenant *t,
				ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_API_KEY_BY_HASH, err);
	if (rc)
		goto out;
	q_str(&q, key_hash);
	rc = q_step(&q, &row, "reading an API key", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no API key with this hash");
		goto out;
	}
	api_key_read(&q, k);
	if (k->revoked_at) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no live API key with this hash");
		goto out;
	}
	if (t) {
		memset(t, 0, sizeof(*t));
		t->id = q_col_i64(&q);
		q_read_row(&q, t, tenant_fields);
	}
	rc = q_row_end(&q, "reading an API key", err);
out:
	q_close(&q);
	return rc;
}

/* Without named locks (one writer at a time) every kind is had at once. */
ordo_code named_lock(store_tx *tx, int64_t tenant, const char *name,
		     enum named_lock kind, bool *got, ordo_err *err)
{
	static const unsigned ids[] = {SQL_NAMED_LOCK, SQL_NAMED_LOCK_SHARED,
				       SQL_NAMED_TRY_LOCK};
	const char *sql = kind == NAMED_EXCLUSIVE ? tx->db->sql_named_lock
			  : kind == NAMED_SHARED  ? tx->db->sql_named_lock_shared
						  : tx->db->sql_named_try_lock;
	char key[256];
	struct q q;
	bool row = false;
	ordo_code rc;

	if (got)
		*got = true;
	if (!sql)
		return ORDO_OK; /* writers never overlap */
	/* Taken for the running job at its batch's start (sql_lookups.c,
	 * A BATCH'S LOOKUPS). */
	if (kind == NAMED_EXCLUSIVE && sql_lookups_locked(tx, tenant, name))
		return ORDO_OK;
	snprintf(key, sizeof(key), "%lld:%s", (long long)tenant, name);
	rc = q_open_sql(&q, tx, ids[kind], sql, err);
	/* A lock is waited for by whatever the job runs next: only a try
	 * needs its answer now. */
	if (rc == ORDO_OK) {
		q_str(&q, key);
		if (kind == NAMED_TRY)
			rc = q_step(&q, &row, "taking a lock", NULL, err);
		else
			rc = q_exec_deferred(&q, "taking a lock", NULL,
					     err);
	}
	if (rc == ORDO_OK && kind == NAMED_TRY && got)
		*got = row && q_col_i64(&q) == 1;
	q_close(&q);
	return rc;
}

ordo_code store_lock_named(store_tx *tx, int64_t tenant, const char *name,
			   ordo_err *err)
{
	return named_lock(tx, tenant, name, NAMED_EXCLUSIVE, NULL, err);
}

/* ---- tenant settings ----------------------------------------------------- */

/* Override s's per-hold-type settings with the tenant's saved rows. A row
 * of a type this build does not know is passed over: settings of a type
 * since removed must not make the others unreadable. */
static ordo_code hold_settings_load(store_tx *tx, int64_t tenant,
				    tenant_settings *s, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_HOLD_SETTINGS_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	for (;;) {
		char type[32];
		hold_type t;
		int64_t sla_s;
		int priority;

		rc = q_step(&q, &row, "reading hold settings", NULL, err);
		if (rc || !row)
			break;
		q_col_str(&q, type, sizeof(type));
		sla_s = q_col_i64(&q);
		priority = (int)q_col_i64(&q);
		q.bad = false; /* a type name too long is one not known */
		if (hold_type_parse(type, &t) != 0)
			continue;
		s->hold_sla_s[t] = sla_s;
		s->hold_priority[t] = priority;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_settings_get(store_tx *tx, int64_t tenant, tenant_settings *s,
			     ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	if (tx_cache_settings(tx, tenant, s))
		return ORDO_OK;
	settings_defaults(s);
	rc = q_open(&q, tx, SQL_SETTINGS_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "reading settings", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		q_close(&q);
		rc = hold_settings_load(tx, tenant, s, err);
		goto out;
	}
	q_read_row(&q, s, settings_fields);
	rc = q_row_end(&q, "reading settings", err);
	if (rc)
		goto out;
	q_close(&q);
	rc = hold_settings_load(tx, tenant, s, err);
out:
	q_close(&q);
	if (rc == ORDO_OK)
		tx_cache_put_settings(tx, tenant, s);
	return rc;
}

ordo_code store_settings_put(store_tx *tx, int64_t tenant,
			     const tenant_settings *s, ordo_err *err)
{
	struct q q = {0};
	int t;
	ordo_code rc;

	tx_cache_forget_settings(tx);
	rc = tx_check_writable(tx, "store_settings_put", err);
	if (rc)
		goto out;
	rc = settings_check(s, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SETTINGS_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_bind_row(&q, s, settings_fields);
	rc = q_exec(&q, "settings", "tenant_id", err);
	if (rc)
		goto out;
	q_close(&q);
	/* Every type's row, so that what was saved is what is read back
	 * whatever the defaults become. */
	for (t = 0; t < HOLD_TYPE_COUNT; t++) {
		rc = q_open(&q, tx, SQL_HOLD_SETTINGS_PUT, err);
		if (rc)
			goto out;
		q_i64(&q, tenant);
		q_str(&q, hold_type_name((hold_type)t));
		q_i64(&q, s->hold_sla_s[t]);
		q_i64(&q, s->hold_priority[t]);
		rc = q_exec(&q, "hold settings", "type", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}
