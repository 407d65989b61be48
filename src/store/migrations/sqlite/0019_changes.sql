-- 0019_changes.sql - changes, cancellations and returns of orders, on
-- SQLite; the twin of migrations/postgres/0019_changes.sql.
--
-- orders.version counts the writes to an order: one more for each write
-- that changes it, so that a caller can send If-Match with the version it
-- read and have a stale edit refused.
--
-- tenant_settings.change_window_s is how long a warehouse has to answer a
-- change request before it expires into a change_after_release hold.
--
-- order_changes keeps every change and cancellation asked of an order:
-- what (kind; detail, the change as the caller gave it, as JSON; summary,
-- one line for people), why (reason), who asked and when, and how it
-- ended (state: applied at once before release; requested, then
-- accepted, refused or expired after it), who decided and when, why, the
-- fulfillments asked (their ids, comma-separated), and the hold a refusal
-- or an expiry raised. due_at is when a request's answer is due (0 for a
-- change applied at once). Its id is unique in its tenant, the key a
-- change is read by.
--
-- returns keeps every return (RMA) of an order: its state (authorized,
-- partly_received, received, refunded), reason and note, who authorised
-- it and when, its last receipt, its refund (amount in the order's
-- currency, the caller's reference, who and when; 0 until refunded), and
-- for a claim (wrong_item, missing_item) the defect it recorded.
-- return_lines are its lines: the units authorised, received and put
-- back into stock. An order line's qty_returned counts its units under
-- a return.
ALTER TABLE orders ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tenant_settings ADD COLUMN change_window_s INTEGER NOT NULL
	DEFAULT 14400;
CREATE TABLE order_changes (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	order_seq INTEGER NOT NULL REFERENCES orders(seq),
	kind TEXT NOT NULL,
	detail TEXT NOT NULL,
	summary TEXT NOT NULL,
	reason TEXT NOT NULL,
	state TEXT NOT NULL,
	requested_by TEXT NOT NULL,
	requested_at INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	decided_by TEXT NOT NULL,
	decided_at INTEGER NOT NULL,
	decision_reason TEXT NOT NULL,
	fulfillments TEXT NOT NULL,
	hold_id TEXT NOT NULL,
	UNIQUE (tenant_id, id)
) STRICT;
CREATE INDEX order_changes_order ON order_changes(order_seq, seq);
CREATE INDEX order_changes_due ON order_changes(state, due_at);
CREATE TABLE returns (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	order_seq INTEGER NOT NULL REFERENCES orders(seq),
	state TEXT NOT NULL,
	reason TEXT NOT NULL,
	note TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	received_at INTEGER NOT NULL,
	currency TEXT NOT NULL,
	refund_amount INTEGER NOT NULL,
	refund_reference TEXT NOT NULL,
	refunded_by TEXT NOT NULL,
	refunded_at INTEGER NOT NULL,
	defect_id TEXT NOT NULL,
	UNIQUE (tenant_id, id)
) STRICT;
CREATE INDEX returns_order ON returns(order_seq, seq);
CREATE TABLE return_lines (
	return_seq INTEGER NOT NULL REFERENCES returns(seq),
	line_no INTEGER NOT NULL,
	sku TEXT NOT NULL,
	quantity INTEGER NOT NULL,
	received INTEGER NOT NULL,
	restocked INTEGER NOT NULL,
	PRIMARY KEY (return_seq, line_no)
) STRICT;
