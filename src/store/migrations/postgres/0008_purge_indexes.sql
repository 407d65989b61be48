-- 0008_purge_indexes.sql - the indexes the purge of old outbox events needs,
-- on PostgreSQL 15; the twin of migrations/sqlite/0008_purge_indexes.sql.
--
-- store_purge removes the events older than its bound that no delivery
-- names any more (SQL_PURGE_EVENTS). Without these it read every event to
-- compare its age, and for each one every delivery to look for its id: a
-- purge grew with the product of the two tables, inside the write
-- transaction that every other write waits for. outbox_events_age serves
-- the age bound; deliveries_event serves the lookup by event, and also the
-- check of the foreign key deliveries.event_id when an event is deleted.
CREATE INDEX outbox_events_age ON outbox_events(created_at);
CREATE INDEX deliveries_event ON deliveries(event_id);
