-- 0013_deferrable_order_keys.sql - the foreign keys to orders of the rows
-- intake writes before an order's own row, deferrable, on PostgreSQL; the
-- twin of migrations/sqlite/0013_deferrable_order_keys.sql.
--
-- A new order is inserted once, as it stands at the end of the job that
-- takes it in (sql_orders.c, AN ORDER WRITTEN ONCE), rather than inserted
-- and updated again with every index of orders and order_lines: its
-- events, its fulfillments and its search words are written first. Their
-- keys stay checked at once (INITIALLY IMMEDIATE) except while a job keeps
-- a new order (SET CONSTRAINTS ALL DEFERRED), and are checked again as soon
-- as the order is written, still inside the job (SET CONSTRAINTS ALL
-- IMMEDIATE): a row that refers to no order fails its own job.
ALTER TABLE order_events ALTER CONSTRAINT order_events_order_seq_fkey
	DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE fulfillments ALTER CONSTRAINT fulfillments_order_seq_fkey
	DEFERRABLE INITIALLY IMMEDIATE;
ALTER TABLE order_search ALTER CONSTRAINT order_search_seq_fkey
	DEFERRABLE INITIALLY IMMEDIATE;
