-- 0008_read_indexes.sql - indexes for reads that walked a whole table, on
-- PostgreSQL 15; the twin of migrations/sqlite/0008_read_indexes.sql.
--
-- orders_tenant serves the order list (and the orders waiting for a SKU)
-- of one tenant, newest first: "tenant_id = ? ... ORDER BY seq DESC LIMIT
-- ?" read the orders of every tenant backwards by seq, keeping the
-- tenant's, where it now reads the tenant's alone, from its cursor on.
--
-- store_purge removes the events older than its bound that no delivery
-- names any more (SQL_PURGE_EVENTS). It read every event to compare its
-- age, and for each one every delivery to look for its id: a purge grew
-- with the product of the two tables, inside the write transaction that
-- every other write waits for. outbox_events_age serves the age bound;
-- deliveries_event serves the lookup by event, and also the check of the
-- foreign key deliveries.event_id when an event is deleted.
CREATE INDEX orders_tenant ON orders(tenant_id, seq);
CREATE INDEX outbox_events_age ON outbox_events(created_at);
CREATE INDEX deliveries_event ON deliveries(event_id);
