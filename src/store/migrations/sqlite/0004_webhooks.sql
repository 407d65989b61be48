-- 0004_webhooks.sql - webhooks that no dead receiver can hurt, on SQLite;
-- the twin of migrations/postgres/0004_webhooks.sql. Conventions as in 0001.
--
-- A webhook is the unit the outbox schedules (src/outbox/worker.c): its
-- next_attempt_at is when anyone may next send to it - the end of a
-- sender's lease while one works on it, the end of its backoff while its
-- receiver fails (failures in a row, failing since), an idle pause when it
-- had nothing to send (idle = 1: an event for it wakes it at once,
-- store_webhook_wake, and the pause is only a safety net). A paused webhook
-- (failing too long) is left alone until an admin resumes it. The claim reads webhooks by
-- (status, next_attempt_at), so a backed-off or paused webhook costs
-- nothing, however many deliveries wait for it.
--
-- A delivery is "waiting" while an earlier delivery of the same webhook
-- and order is pending: the claim reads only ready ones, by
-- (webhook_id, status, waiting, seq), and a lane (webhook, order) is read
-- by (webhook_id, order_id, status, seq) when a delivery ends, to make the
-- next one ready.

ALTER TABLE webhooks ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
	CHECK (status IN ('active', 'paused'));
ALTER TABLE webhooks ADD COLUMN next_attempt_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN failures INTEGER NOT NULL DEFAULT 0
	CHECK (failures >= 0);
ALTER TABLE webhooks ADD COLUMN failing_since INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN paused_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhooks ADD COLUMN last_error TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN idle INTEGER NOT NULL DEFAULT 0
	CHECK (idle IN (0, 1));
CREATE INDEX webhooks_due ON webhooks(status, next_attempt_at);

ALTER TABLE deliveries ADD COLUMN waiting INTEGER NOT NULL DEFAULT 0
	CHECK (waiting IN (0, 1));
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
