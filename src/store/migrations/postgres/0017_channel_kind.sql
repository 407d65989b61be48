-- 0017_channel_kind.sql - the kind of channel each order came through, on
-- PostgreSQL 15; the twin of migrations/sqlite/0017_channel_kind.sql (see
-- it for what the column is for).
ALTER TABLE orders ADD COLUMN channel_kind TEXT NOT NULL DEFAULT '';
