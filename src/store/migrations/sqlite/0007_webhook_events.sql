-- 0007_webhook_events.sql - a webhook's event types as rows, on SQLite; the
-- twin of migrations/postgres/0007_webhook_events.sql. Conventions as in
-- 0001.
--
-- Until now a webhook kept its event types as one comma-separated column,
-- and an emit read every webhook of the tenant to match the type in C. Now
-- each subscription is a row: an emit reads only the webhooks subscribed to
-- its type, by webhook_events_type (tenant_id, event_type), and a webhook's
-- types are read back in the order they were given by the unique
-- (webhook_id, position). A type is named at most once per webhook (the
-- primary key). The rows go with their webhook (ON DELETE CASCADE).
--
-- Existing webhooks are split here: blanks around a name are dropped, as
-- the emit used to ignore them, and a name given twice keeps its first
-- place. Then the column goes.

CREATE TABLE webhook_events (
	webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	event_type TEXT NOT NULL CHECK (event_type <> ''),
	position INTEGER NOT NULL CHECK (position >= 0),
	PRIMARY KEY (webhook_id, event_type),
	UNIQUE (webhook_id, position)
) STRICT;
CREATE INDEX webhook_events_type ON webhook_events(tenant_id, event_type);

INSERT INTO webhook_events (webhook_id, tenant_id, event_type, position)
WITH RECURSIVE split(webhook_id, tenant_id, item, rest, position) AS (
	SELECT id, tenant_id, '', events || ',', -1 FROM webhooks
	UNION ALL
	SELECT webhook_id, tenant_id,
		trim(substr(rest, 1, instr(rest, ',') - 1)),
		substr(rest, instr(rest, ',') + 1), position + 1
	FROM split WHERE rest <> ''
)
SELECT webhook_id, tenant_id, item, min(position) FROM split
WHERE item <> '' GROUP BY webhook_id, tenant_id, item;

ALTER TABLE webhooks DROP COLUMN events;
