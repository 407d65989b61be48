-- 0007_webhook_events.sql - a webhook's event types as rows, on PostgreSQL
-- 15; the twin of migrations/sqlite/0007_webhook_events.sql (see it for
-- what the table and its indexes are for). Differences as in 0003: numbers
-- are BIGINT; the split of the old column uses string_to_array.

CREATE TABLE webhook_events (
	webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	event_type TEXT NOT NULL CHECK (event_type <> ''),
	position BIGINT NOT NULL CHECK (position >= 0),
	PRIMARY KEY (webhook_id, event_type),
	UNIQUE (webhook_id, position)
);
CREATE INDEX webhook_events_type ON webhook_events(tenant_id, event_type);

INSERT INTO webhook_events (webhook_id, tenant_id, event_type, position)
SELECT w.id, w.tenant_id, trim(e.item), min(e.n) - 1
FROM webhooks w,
	unnest(string_to_array(w.events, ',')) WITH ORDINALITY AS e(item, n)
WHERE trim(e.item) <> ''
GROUP BY w.id, w.tenant_id, trim(e.item);

ALTER TABLE webhooks DROP COLUMN events;
