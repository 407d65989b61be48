-- 0020_monitors.sql - SLA monitors and the alerts they raise, on SQLite;
-- the twin of migrations/postgres/0020_monitors.sql.
--
-- orders.state_since is when the order came into its state: what "an
-- order in state S for longer than T" is measured from (orders stored
-- before take their last update). orders_state_since finds a tenant's
-- orders in a state longest there first.
--
-- monitors are a tenant's SLA monitors: kind state_age (an order in
-- `state` for longer than after_s) or hold_overdue (a hold, of hold_type
-- or any when '', unresolved past its due time). alerts are what they
-- raised: the monitor, the order (and the hold) it is about, a message,
-- since when the condition held (the order's state_since, the hold's due
-- time), when raised and when cleared (0 while open: the condition still
-- holds). One open alert per monitor, order and hold. A monitor's
-- swept_to is how far its sweep has looked: what came due after it is
-- what the next sweep reads. alerts_tenant* serve GET /v1/alerts, all,
-- open or cleared; alerts_to_clear the sweep of the open ones.
ALTER TABLE orders ADD COLUMN state_since INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET state_since = updated_at;
CREATE INDEX orders_state_since ON orders(tenant_id, state, state_since);
CREATE TABLE monitors (
	seq INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	state TEXT NOT NULL,
	after_s INTEGER NOT NULL,
	hold_type TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	swept_to INTEGER NOT NULL DEFAULT 0,
	UNIQUE (tenant_id, id)
) STRICT;
CREATE TABLE alerts (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	monitor_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	order_seq INTEGER NOT NULL REFERENCES orders(seq),
	hold_id TEXT NOT NULL,
	since INTEGER NOT NULL,
	message TEXT NOT NULL,
	raised_at INTEGER NOT NULL,
	cleared_at INTEGER NOT NULL,
	UNIQUE (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX alerts_open ON alerts(tenant_id, monitor_id, order_seq,
	hold_id) WHERE cleared_at = 0;
CREATE INDEX alerts_tenant ON alerts(tenant_id, seq);
CREATE INDEX alerts_tenant_open ON alerts(tenant_id, seq) WHERE cleared_at = 0;
CREATE INDEX alerts_tenant_cleared ON alerts(tenant_id, seq) WHERE cleared_at > 0;
CREATE INDEX alerts_to_clear ON alerts(cleared_at, seq);
