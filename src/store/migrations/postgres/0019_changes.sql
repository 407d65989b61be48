-- 0019_changes.sql - changes, cancellations and returns of orders, on
-- PostgreSQL 15; the twin of migrations/sqlite/0019_changes.sql (see it
-- for what each column is for).
ALTER TABLE orders ADD COLUMN version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenant_settings ADD COLUMN change_window_s BIGINT NOT NULL
	DEFAULT 14400;
CREATE TABLE order_changes (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	kind TEXT NOT NULL,
	detail TEXT NOT NULL,
	summary TEXT NOT NULL,
	reason TEXT NOT NULL,
	state TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at BIGINT NOT NULL,
	due_at BIGINT NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at BIGINT NOT NULL,
	decision_reason TEXT NOT NULL,
	fulfillments TEXT NOT NULL,
	hold_id TEXT NOT NULL,
	UNIQUE (tenant_id, id)
);
CREATE INDEX order_changes_order ON order_changes(order_seq, seq);
CREATE INDEX order_changes_due ON order_changes(state, due_at);
CREATE TABLE returns (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	state TEXT NOT NULL,
	reason TEXT NOT NULL,
	note TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	received_at BIGINT NOT NULL,
	currency TEXT NOT NULL,
	refund_amount BIGINT NOT NULL,
	refund_reference TEXT NOT NULL,
	refunded_by TEXT NOT NULL,
	refunded_at BIGINT NOT NULL,
	defect_id TEXT NOT NULL,
	UNIQUE (tenant_id, id)
);
CREATE INDEX returns_order ON returns(order_seq, seq);
CREATE TABLE return_lines (
	return_seq BIGINT NOT NULL REFERENCES returns(seq),
	line_no BIGINT NOT NULL,
	sku TEXT NOT NULL,
	quantity BIGINT NOT NULL,
	received BIGINT NOT NULL,
	restocked BIGINT NOT NULL,
	PRIMARY KEY (return_seq, line_no)
);
