-- 0026_api_key_admin.sql - API keys an admin can list, revoke and rotate;
-- the twin of migrations/postgres/0026_api_key_admin.sql.
--
-- public_id is the key's id in the API ("key_" and 26 characters); keys
-- made before have their row number, zero-padded, in its place.
-- revoked_at: a revoked key is refused from the next request on (its
-- row stays: events name it as their actor, and its name stays taken).
-- last_used_at: when it last authenticated a request, kept to the minute.
-- api_keys_live serves a tenant's list and count of live keys.
ALTER TABLE api_keys ADD COLUMN public_id TEXT;
ALTER TABLE api_keys ADD COLUMN revoked_at INTEGER;
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
UPDATE api_keys SET public_id = printf('key_%026d', id);
CREATE UNIQUE INDEX api_keys_public ON api_keys(tenant_id, public_id);
CREATE INDEX api_keys_live ON api_keys(tenant_id, id)
	WHERE revoked_at IS NULL;
