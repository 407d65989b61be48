-- 0020_monitors.sql - SLA monitors and the alerts they raise, on
-- PostgreSQL 15; the twin of migrations/sqlite/0020_monitors.sql (see it
-- for what each is for).
ALTER TABLE orders ADD COLUMN state_since BIGINT NOT NULL DEFAULT 0;
UPDATE orders SET state_since = updated_at;
CREATE INDEX orders_state_since ON orders(tenant_id, state, state_since);
CREATE TABLE monitors (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	state TEXT NOT NULL,
	after_s BIGINT NOT NULL,
	hold_type TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	swept_to BIGINT NOT NULL DEFAULT 0,
	UNIQUE (tenant_id, id)
);
CREATE TABLE alerts (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	monitor_id TEXT NOT NULL,
	kind TEXT NOT NULL,
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	hold_id TEXT NOT NULL,
	since BIGINT NOT NULL,
	message TEXT NOT NULL,
	raised_at BIGINT NOT NULL,
	cleared_at BIGINT NOT NULL,
	UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX alerts_open ON alerts(tenant_id, monitor_id, order_seq,
	hold_id) WHERE cleared_at = 0;
CREATE INDEX alerts_tenant ON alerts(tenant_id, seq);
CREATE INDEX alerts_tenant_open ON alerts(tenant_id, seq) WHERE cleared_at = 0;
CREATE INDEX alerts_tenant_cleared ON alerts(tenant_id, seq) WHERE cleared_at > 0;
CREATE INDEX alerts_to_clear ON alerts(cleared_at, seq);
