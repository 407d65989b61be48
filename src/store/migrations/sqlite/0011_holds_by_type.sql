-- 0011_holds_by_type.sql - the order list filtered by hold type, read from
-- the holds, on SQLite; the twin of migrations/postgres/0011_holds_by_type.sql.
--
-- GET /v1/orders?hold_type=T walked the tenant's orders newest first and
-- probed each for an open hold of type T: quick when such holds are
-- common, a walk of the whole history when they are rare or none is open.
-- It now walks the open holds of type T newest order first, on this index,
-- and reads each one's order by its seq: a page costs its own rows
-- whatever the history. holds_queue (tenant_id, type, status) is its
-- prefix and served nothing this one does not.
DROP INDEX holds_queue;
CREATE INDEX holds_by_type ON holds(tenant_id, type, status, order_seq);
