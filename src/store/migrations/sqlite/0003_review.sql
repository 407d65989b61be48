-- 0003_review.sql - the review queue on SQLite: holds gain their rule,
-- priority, due time, claim and resolution; orders gain the customer key
-- their history is counted by; per-hold-type settings, review policy
-- versions and downstream defects. The twin of
-- migrations/postgres/0003_review.sql. Conventions as in 0001.
--
-- A hold's ordinal (the queue's tie-break and cursor, queue_item.seq) is
-- its rowid, as for SQL_HOLDS_OF; an index on holds ends with the rowid by
-- itself, so the queue index names only (tenant_id, status, due_at).

-- ---- holds: the review queue ----------------------------------------------

ALTER TABLE holds ADD COLUMN rule_id TEXT NOT NULL DEFAULT '';
ALTER TABLE holds ADD COLUMN policy_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN priority INTEGER NOT NULL DEFAULT 3;
ALTER TABLE holds ADD COLUMN due_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN assignee TEXT NOT NULL DEFAULT '';
ALTER TABLE holds ADD COLUMN claimed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN claimed_until INTEGER NOT NULL DEFAULT 0;
ALTER TABLE holds ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0
	CHECK (escalated IN (0, 1));
ALTER TABLE holds ADD COLUMN resolution TEXT NOT NULL DEFAULT '';
ALTER TABLE holds ADD COLUMN resolution_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE holds ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
-- A hold raised before there were SLAs is due since it was raised.
UPDATE holds SET due_at = created_at;
-- The queue: a tenant's open holds by due time, then rowid.
CREATE INDEX holds_due ON holds(tenant_id, status, due_at);

-- ---- orders: the customer they are counted under ---------------------------

-- policy_customer_key(); older orders are keyed by their lower-cased email
-- (ASCII, as SQLite's lower() and the PostgreSQL twin's lower() under
-- COLLATE "C"), or not at all.
ALTER TABLE orders ADD COLUMN customer_key TEXT NOT NULL DEFAULT '';
UPDATE orders SET customer_key = lower(customer_email)
WHERE customer_email <> '';
CREATE INDEX orders_customer ON orders(tenant_id, customer_key, received_at);

-- ---- settings per hold type ------------------------------------------------

-- One row per hold type of a tenant that saved settings; a type without a
-- row has the defaults of settings_hold_defaults() (core/settings.c).
CREATE TABLE tenant_hold_settings (
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	type TEXT NOT NULL,
	sla_s INTEGER NOT NULL CHECK (sla_s >= 0),
	priority INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 5),
	PRIMARY KEY (tenant_id, type)
) STRICT;

-- ---- review policy versions ------------------------------------------------

-- Append-only; the highest version is the one in force.
CREATE TABLE policy_versions (
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	version INTEGER NOT NULL CHECK (version >= 1),
	document TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, version)
) STRICT;

-- ---- downstream defects ----------------------------------------------------

CREATE TABLE defects (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	order_seq INTEGER NOT NULL REFERENCES orders(seq),
	type TEXT NOT NULL,
	found_by TEXT NOT NULL,
	note TEXT NOT NULL,
	reported_by TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX defects_tenant ON defects(tenant_id, created_at);
CREATE INDEX defects_order ON defects(tenant_id, order_seq);
