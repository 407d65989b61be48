-- 0010_order_rows.sql - indexes that read one order's fulfillments,
-- shipments and defects by the order, on PostgreSQL 15; the twin of
-- migrations/sqlite/0010_order_rows.sql.
--
-- A statement about one order binds its tenant and its order
-- ("tenant_id = ? AND order_seq = ? ORDER BY seq"). With an index of the
-- tenant that also gives seq order (fulfillments_tenant, shipments_tenant,
-- defects_tenant), planners chose it and read all of the tenant's rows to
-- keep one order's: a read that grows with history, on the intake path
-- (an order's fulfillments are read at every allocation). An index of
-- tenant, order, then seq serves both the terms and the order.
CREATE INDEX fulfillments_of_order ON fulfillments(tenant_id, order_seq, seq);
CREATE INDEX shipments_of_order ON shipments(tenant_id, order_seq, seq);
-- defects_order (tenant_id, order_seq) gave no seq order: it ends with seq
-- now.
DROP INDEX defects_order;
CREATE INDEX defects_order ON defects(tenant_id, order_seq, seq);
