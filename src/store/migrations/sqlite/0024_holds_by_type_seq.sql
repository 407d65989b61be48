-- 0024_holds_by_type_seq.sql - the list by hold type read by its own index
-- alone, on SQLite; the twin of migrations/postgres/0024_holds_by_type_seq.sql.
--
-- GET /v1/orders?hold_type=T walks the open holds of type T newest order
-- first. On PostgreSQL the plan made for any values could walk holds_order
-- (every tenant's holds, newest order first) instead and test each, which
-- read the whole table for a type the tenant's orders do not have. The
-- list now orders its holds by order_seq + 0, which this index alone
-- holds in order: no other index can give the list its order.
DROP INDEX holds_by_type;
CREATE INDEX holds_by_type ON holds(tenant_id, type, status, (order_seq + 0));
