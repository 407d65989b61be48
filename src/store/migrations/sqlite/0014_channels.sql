-- 0014_channels.sql - where a tenant's orders come from, and the document
-- each order came in, on SQLite; the twin of
-- migrations/postgres/0014_channels.sql. Conventions as in 0001.
--
-- A channel (core/channel.h) is a storefront, a file format or a trading
-- partner the tenant takes orders from: its name is the `channel` of every
-- order taken through it, so it is unique in its tenant. Its secret checks
-- the signature of what it sends; it is kept as it is, since a signature
-- can be checked only with the secret itself. channel_skus maps the
-- channel's own product codes to ordo SKUs, read whole with the channel.
--
-- orders.source is the document an order came in, as it came (JSON from
-- the API or a storefront, a file's rows, a partner's interchange), with
-- its media type: what a person auditing the order reads against what ordo
-- made of it. NULL for the orders taken in before it was kept.
CREATE TABLE channels (
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	kind TEXT NOT NULL
		CHECK (kind IN ('shopify', 'woocommerce', 'csv', 'x12')),
	name TEXT NOT NULL,
	secret TEXT NOT NULL,	-- '' = none
	base_url TEXT NOT NULL, -- '' = none
	currency TEXT NOT NULL, -- '' = none
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (tenant_id, name)
) STRICT;

CREATE TABLE channel_skus (
	channel_seq INTEGER NOT NULL REFERENCES channels(seq),
	code TEXT NOT NULL,
	sku TEXT NOT NULL,
	PRIMARY KEY (channel_seq, code)
) STRICT;

ALTER TABLE orders ADD COLUMN source_type TEXT NOT NULL DEFAULT '';
ALTER TABLE orders ADD COLUMN source TEXT;
