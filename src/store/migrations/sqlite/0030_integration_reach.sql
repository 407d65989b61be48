-- 0030_integration_reach.sql - what an integration key may reach: the
-- orders it created and the fulfillments of its location, nothing else.
-- The twin of migrations/postgres/0030_integration_reach.sql.
--
-- api_keys.location: the code of the location an integration key answers
-- for as a warehouse; NULL: none (and for every other role).
-- orders.created_key: the integration key that created the order (its
-- api_keys.id); NULL when anyone else did. orders_created_key serves an
-- integration's list of its orders, newest first; it holds only their
-- orders, so intake by anyone else writes nothing more.
ALTER TABLE api_keys ADD COLUMN location TEXT;
ALTER TABLE orders ADD COLUMN created_key INTEGER;
CREATE INDEX orders_created_key ON orders(tenant_id, created_key, seq)
	WHERE created_key IS NOT NULL;
