-- 0029_secret_grace.sql - a webhook's secret rotated with a grace: the
-- secret it had, kept until previous_until, signs its deliveries beside
-- the new one, so that a receiver moves to the new secret at its own
-- pace. A channel's secret changed with a grace: the one it had
-- verifies what the store signs until previous_until, beside the new one.
-- The twin of migrations/postgres/0029_secret_grace.sql.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN previous_until INTEGER NOT NULL DEFAULT 0;
