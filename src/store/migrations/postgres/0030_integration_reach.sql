-- 0030_integration_reach.sql - what an integration key may reach: the
-- orders it created and the fulfillments of its location; the twin of
-- migrations/sqlite/0030_integration_reach.sql.
ALTER TABLE api_keys ADD COLUMN location TEXT;
ALTER TABLE orders ADD COLUMN created_key BIGINT;
CREATE INDEX orders_created_key ON orders(tenant_id, created_key, seq)
	WHERE created_key IS NOT NULL;
