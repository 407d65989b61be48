-- 0014_channels.sql - where a tenant's orders come from, and the document
-- each order came in, on PostgreSQL 15; the twin of
-- migrations/sqlite/0014_channels.sql (see it for what the tables and
-- columns are for). Differences as in 0001.
CREATE TABLE channels (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	kind TEXT NOT NULL
		CHECK (kind IN ('shopify', 'woocommerce', 'csv', 'x12')),
	name TEXT NOT NULL,
	secret TEXT NOT NULL,	-- '' = none
	base_url TEXT NOT NULL, -- '' = none
	currency TEXT NOT NULL, -- '' = none
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	UNIQUE (tenant_id, name)
);

CREATE TABLE channel_skus (
	channel_seq BIGINT NOT NULL REFERENCES channels(seq),
	code TEXT NOT NULL,
	sku TEXT NOT NULL,
	PRIMARY KEY (channel_seq, code)
);

ALTER TABLE orders
	ADD COLUMN source_type TEXT NOT NULL DEFAULT '',
	ADD COLUMN source TEXT;
