-- 0029_secret_grace.sql - a webhook's secret rotated with a grace; the
-- twin of migrations/sqlite/0029_secret_grace.sql.
ALTER TABLE webhooks ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN previous_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE channels ADD COLUMN previous_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN previous_until BIGINT NOT NULL DEFAULT 0;
