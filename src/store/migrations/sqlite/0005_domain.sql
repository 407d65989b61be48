-- 0005_domain.sql - shipments read back by their own filters, and API key
-- names unique per tenant, on SQLite. The twin of
-- migrations/postgres/0005_domain.sql. Conventions as in 0001.
--
-- SHIPMENTS
--
-- A shipment gains the location it left from (its fulfillment's, copied
-- so that "shipments of a location, newest first" is one index range);
-- rows shipped before this version take it from their fulfillment. Every
-- filter of GET /v1/shipments has an index ending with seq, the list's
-- order and cursor: the tenant alone, location, carrier and tracking
-- number by (tenant_id, ..., seq); an order's and a fulfillment's
-- shipments through (order_seq, seq) and (fulfillment_seq, seq).
--
-- API KEY NAMES
--
-- A key's name is who the timeline says acted ("key:<name>"), so two keys
-- of one tenant may not share it. Databases made before this version may
-- hold such twins: every key after the first of a name (by id) is renamed
-- "<name> (2)", "<name> (3)", ... before the unique index is made, so the
-- migration succeeds on them and no key stops working.

ALTER TABLE shipments ADD COLUMN location TEXT NOT NULL DEFAULT '';
UPDATE shipments SET location = (SELECT f.location FROM fulfillments f
				 WHERE f.seq = shipments.fulfillment_seq);

CREATE INDEX shipments_tenant ON shipments(tenant_id, seq);
CREATE INDEX shipments_location ON shipments(tenant_id, location, seq);
CREATE INDEX shipments_carrier ON shipments(tenant_id, carrier, seq);
CREATE INDEX shipments_tracking ON shipments(tenant_id, tracking_number, seq);
DROP INDEX shipments_fulfillment;
CREATE INDEX shipments_fulfillment ON shipments(fulfillment_seq, seq);

CREATE TEMP TABLE api_key_renames AS
	SELECT id, name || ' (' || CAST(n AS TEXT) || ')' AS new_name
	FROM (SELECT id, name, ROW_NUMBER() OVER (PARTITION BY tenant_id, name
						   ORDER BY id) AS n
	      FROM api_keys) k
	WHERE n > 1;
UPDATE api_keys SET name = (SELECT r.new_name FROM api_key_renames r
			    WHERE r.id = api_keys.id)
	WHERE id IN (SELECT id FROM api_key_renames);
DROP TABLE api_key_renames;
CREATE UNIQUE INDEX api_keys_name ON api_keys(tenant_id, name);
