-- 0025_server_secrets.sql - secrets of the whole deployment, which every
-- node shares; the twin of migrations/postgres/0025_server_secrets.sql.
--
-- The first is the key page cursors are sealed with (core/cursor.h), made
-- by the first node that starts and read by every other: a cursor one
-- node gives out opens on any. Readable by ordo's database user alone, as
-- every table is.
CREATE TABLE server_secrets (
	name TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
