-- 0017_channel_kind.sql - the kind of channel each order came through, on
-- SQLite; the twin of migrations/postgres/0017_channel_kind.sql.
--
-- An order shows its channel's name (`channel`) and, when it came through
-- a configured channel, that channel's kind (shopify, woocommerce, csv,
-- x12): orders of every channel look alike inside ordo, and say where
-- they came from. '' for an order sent to ordo's own API.
ALTER TABLE orders ADD COLUMN channel_kind TEXT NOT NULL DEFAULT '';
