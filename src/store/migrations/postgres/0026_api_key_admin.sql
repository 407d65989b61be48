-- 0026_api_key_admin.sql - API keys an admin can list, revoke and rotate;
-- the twin of migrations/sqlite/0026_api_key_admin.sql.
ALTER TABLE api_keys ADD COLUMN public_id TEXT;
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT;
UPDATE api_keys SET public_id = 'key_' || lpad(id::text, 26, '0');
CREATE UNIQUE INDEX api_keys_public ON api_keys(tenant_id, public_id);
CREATE INDEX api_keys_live ON api_keys(tenant_id, id)
	WHERE revoked_at IS NULL;
