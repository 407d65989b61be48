-- 0003_review.sql - the review queue on PostgreSQL 15: holds gain their
-- rule, priority, due time, claim and resolution; orders gain the customer
-- key their history is counted by; per-hold-type settings, review policy
-- versions and downstream defects. The twin of
-- migrations/sqlite/0003_review.sql, kept equivalent so the shared SQL of
-- src/store/sql.c fits both (run by src/store/pg.c).
--
-- Differences from the SQLite file, as in 0001 and 0002: numbers are
-- BIGINT; defects.seq is an identity column where SQLite has INTEGER
-- PRIMARY KEY; no STRICT; the new columns of a table come in one ALTER
-- TABLE. A hold's ordinal (queue_item.seq) is the identity column "rowid"
-- of 0001, which the queue index names (SQLite's indexes end with the rowid
-- by themselves). The customer key backfill lower-cases under COLLATE "C",
-- so only ASCII letters change, as with SQLite's lower().

-- ---- holds: the review queue ----------------------------------------------

ALTER TABLE holds
	ADD COLUMN rule_id TEXT NOT NULL DEFAULT '',
	ADD COLUMN policy_version BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN priority BIGINT NOT NULL DEFAULT 3,
	ADD COLUMN due_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN assignee TEXT NOT NULL DEFAULT '',
	ADD COLUMN claimed_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN claimed_until BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN escalated INTEGER NOT NULL DEFAULT 0
		CHECK (escalated IN (0, 1)),
	ADD COLUMN resolution TEXT NOT NULL DEFAULT '',
	ADD COLUMN resolution_reason TEXT NOT NULL DEFAULT '',
	ADD COLUMN resolved_by TEXT NOT NULL DEFAULT '';
-- A hold raised before there were SLAs is due since it was raised.
UPDATE holds SET due_at = created_at;
-- The queue: a tenant's open holds by due time, then rowid.
CREATE INDEX holds_due ON holds(tenant_id, status, due_at, rowid);

-- ---- orders: the customer they are counted under ---------------------------

-- policy_customer_key(); older orders are keyed by their lower-cased email,
-- or not at all.
ALTER TABLE orders ADD COLUMN customer_key TEXT NOT NULL DEFAULT '';
UPDATE orders SET customer_key = lower(customer_email COLLATE "C")
WHERE customer_email <> '';
CREATE INDEX orders_customer ON orders(tenant_id, customer_key, received_at);

-- ---- settings per hold type ------------------------------------------------

-- One row per hold type of a tenant that saved settings; a type without a
-- row has the defaults of settings_hold_defaults() (core/settings.c).
CREATE TABLE tenant_hold_settings (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	type TEXT NOT NULL,
	sla_s BIGINT NOT NULL CHECK (sla_s >= 0),
	priority BIGINT NOT NULL CHECK (priority BETWEEN 1 AND 5),
	PRIMARY KEY (tenant_id, type)
);

-- ---- review policy versions ------------------------------------------------

-- Append-only; the highest version is the one in force.
CREATE TABLE policy_versions (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	version BIGINT NOT NULL CHECK (version >= 1),
	document TEXT NOT NULL,
	created_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, version)
);

-- ---- downstream defects ----------------------------------------------------

CREATE TABLE defects (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	type TEXT NOT NULL,
	found_by TEXT NOT NULL,
	note TEXT NOT NULL,
	reported_by TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX defects_tenant ON defects(tenant_id, created_at);
CREATE INDEX defects_order ON defects(tenant_id, order_seq);
