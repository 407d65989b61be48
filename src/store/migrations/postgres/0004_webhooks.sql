-- 0004_webhooks.sql - webhooks that no dead receiver can hurt, on
-- PostgreSQL 15; the twin of migrations/sqlite/0004_webhooks.sql (see it
-- for what the columns and indexes are for). Differences as in 0003:
-- numbers are BIGINT, the new columns of a table come in one ALTER TABLE.

ALTER TABLE webhooks
	ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
		CHECK (status IN ('active', 'paused')),
	ADD COLUMN next_attempt_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN failures BIGINT NOT NULL DEFAULT 0 CHECK (failures >= 0),
	ADD COLUMN failing_since BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN paused_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN last_error TEXT NOT NULL DEFAULT '',
	ADD COLUMN idle BIGINT NOT NULL DEFAULT 0 CHECK (idle IN (0, 1));
CREATE INDEX webhooks_due ON webhooks(status, next_attempt_at);

ALTER TABLE deliveries
	ADD COLUMN waiting BIGINT NOT NULL DEFAULT 0 CHECK (waiting IN (0, 1));
-- Pending deliveries queued behind an earlier one of their lane wait.
UPDATE deliveries SET waiting = 1
WHERE status = 'pending' AND order_id <> '' AND EXISTS (
	SELECT 1 FROM deliveries p
	WHERE p.webhook_id = deliveries.webhook_id
	AND p.order_id = deliveries.order_id AND p.status = 'pending'
	AND p.seq < deliveries.seq);
DROP INDEX deliveries_order;
CREATE INDEX deliveries_ready ON deliveries(webhook_id, status, waiting, seq);
CREATE INDEX deliveries_lane ON deliveries(webhook_id, order_id, status, seq);
