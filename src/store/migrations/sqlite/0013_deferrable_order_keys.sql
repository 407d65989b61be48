-- 0013_deferrable_order_keys.sql - nothing to change on SQLite; the twin
-- of migrations/postgres/0013_deferrable_order_keys.sql, so that both
-- databases are at the same schema version.
--
-- On PostgreSQL a new order is inserted at the end of the job that takes
-- it in, after its events and fulfillments, whose foreign keys to orders
-- are checked then (sql_orders.c, AN ORDER WRITTEN ONCE). SQLite learns an
-- order's seq only by inserting it, so an order is inserted at once there,
-- before anything refers to it, and its keys stay as they are.
SELECT 1;
