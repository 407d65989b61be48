-- 0002_fulfillment.sql - tenant settings, stock history, fulfillment orders,
-- shipments, webhooks and the outbox on PostgreSQL 15; the twin of
-- migrations/sqlite/0002_fulfillment.sql, kept equivalent so the shared SQL
-- of src/store/sql.c fits both (run by src/store/pg.c).
--
-- Differences from the SQLite file, as in 0001: numbers are BIGINT;
-- generated keys (seq) are identity columns where SQLite has INTEGER
-- PRIMARY KEY; no STRICT; the new orders columns come in one ALTER TABLE;
-- fulfillments.location is COLLATE "C" like the locations.code it refers to.
--
-- Rows of a fulfillment or shipment reach their order through the order's
-- seq (like lines and holds), never through a bare id, so a row can only
-- ever belong to one tenant's order. Deliveries name their webhook by id
-- without a foreign key: deleting a webhook fails its pending deliveries
-- (store_webhook_delete) and keeps the history.

-- ---- tenant settings ------------------------------------------------------

-- One row per tenant that saved settings; a tenant without one has the
-- defaults of settings_defaults() (core/settings.c).
CREATE TABLE tenant_settings (
	tenant_id BIGINT PRIMARY KEY REFERENCES tenants(id),
	duplicate_window_s BIGINT NOT NULL CHECK (duplicate_window_s >= 0),
	backorder_mode TEXT NOT NULL
		CHECK (backorder_mode IN ('backorder', 'hold')),
	release_mode TEXT NOT NULL CHECK (release_mode IN ('auto', 'wave')),
	release_sla_s BIGINT NOT NULL CHECK (release_sla_s >= 0),
	cutoff_minute BIGINT NOT NULL
		CHECK (cutoff_minute >= -1 AND cutoff_minute < 1440),
	closing_period_s BIGINT NOT NULL CHECK (closing_period_s >= 0),
	webhook_retry_window_s BIGINT NOT NULL
		CHECK (webhook_retry_window_s >= 0),
	low_stock_threshold BIGINT NOT NULL CHECK (low_stock_threshold >= 0)
);

-- The duplicate window moves from tenants into the settings. The other
-- values are settings_defaults(): keep them equal to SETTINGS_INT_MAP.
INSERT INTO tenant_settings (tenant_id, duplicate_window_s, backorder_mode,
			     release_mode, release_sla_s, cutoff_minute,
			     closing_period_s, webhook_retry_window_s,
			     low_stock_threshold)
SELECT id, dup_window_s, 'backorder', 'auto', 14400, -1, 1209600, 259200, 5
FROM tenants;

ALTER TABLE tenants DROP COLUMN dup_window_s;

-- ---- locations and orders: new columns ------------------------------------

-- Destinations served, comma-joined ('US,CA-QC'); '' = everywhere.
ALTER TABLE locations ADD COLUMN serves TEXT NOT NULL DEFAULT '';

ALTER TABLE orders
	ADD COLUMN accepted_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN release_due_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN released_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN delivered_at BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0;
-- The closer's scan: delivered orders by delivery time.
CREATE INDEX orders_delivered ON orders(state, delivered_at);
-- Orders waiting for a SKU (store_orders_awaiting_sku).
CREATE INDEX order_lines_sku ON order_lines(sku, order_seq);

-- ---- stock history ---------------------------------------------------------

CREATE TABLE stock_events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	location TEXT NOT NULL,
	sku TEXT NOT NULL,
	type TEXT NOT NULL,
	delta_on_hand BIGINT NOT NULL,
	delta_reserved BIGINT NOT NULL,
	on_hand BIGINT NOT NULL,
	reserved BIGINT NOT NULL,
	reason TEXT NOT NULL,
	note TEXT NOT NULL,
	actor TEXT NOT NULL,
	order_id TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX stock_events_sku ON stock_events(tenant_id, sku, seq);

-- ---- fulfillment orders and shipments -------------------------------------

CREATE TABLE fulfillments (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	location TEXT COLLATE "C" NOT NULL,
	state TEXT NOT NULL,
	reject_reason TEXT NOT NULL,
	reject_message TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	released_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	FOREIGN KEY (tenant_id, location) REFERENCES locations(tenant_id, code)
);
CREATE INDEX fulfillments_queue
	ON fulfillments(tenant_id, location, state, seq);
CREATE INDEX fulfillments_order ON fulfillments(order_seq, seq);

CREATE TABLE fulfillment_lines (
	fulfillment_seq BIGINT NOT NULL REFERENCES fulfillments(seq),
	line_no BIGINT NOT NULL,
	sku TEXT NOT NULL,
	quantity BIGINT NOT NULL,
	shipped BIGINT NOT NULL,
	PRIMARY KEY (fulfillment_seq, line_no),
	CHECK (0 <= shipped AND shipped <= quantity)
);

CREATE TABLE shipments (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	fulfillment_seq BIGINT NOT NULL REFERENCES fulfillments(seq),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	carrier TEXT NOT NULL,
	tracking_number TEXT NOT NULL,
	shipped_at BIGINT NOT NULL,
	delivered_at BIGINT NOT NULL
);
CREATE INDEX shipments_order ON shipments(order_seq, seq);
CREATE INDEX shipments_fulfillment ON shipments(fulfillment_seq);

CREATE TABLE shipment_lines (
	shipment_seq BIGINT NOT NULL REFERENCES shipments(seq),
	line_no BIGINT NOT NULL, -- position in the shipment, from 1
	sku TEXT NOT NULL,
	quantity BIGINT NOT NULL CHECK (quantity >= 0),
	PRIMARY KEY (shipment_seq, line_no)
);

-- ---- webhooks and the outbox -----------------------------------------------

CREATE TABLE webhooks (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	url TEXT NOT NULL,
	secret TEXT NOT NULL,
	events TEXT NOT NULL, -- comma-separated event types
	location TEXT NOT NULL, -- '' = every location
	created_at BIGINT NOT NULL
);
CREATE INDEX webhooks_tenant ON webhooks(tenant_id, seq);

CREATE TABLE outbox_events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	type TEXT NOT NULL,
	order_id TEXT NOT NULL,
	location TEXT NOT NULL,
	payload TEXT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX outbox_events_tenant ON outbox_events(tenant_id, seq);

CREATE TABLE deliveries (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	webhook_id TEXT NOT NULL,
	event_id TEXT NOT NULL REFERENCES outbox_events(id),
	event_type TEXT NOT NULL,
	order_id TEXT NOT NULL, -- ordering key; '' for none
	status TEXT NOT NULL
		CHECK (status IN ('pending', 'delivered', 'failed')),
	attempts BIGINT NOT NULL CHECK (attempts >= 0),
	last_status BIGINT NOT NULL,
	last_error TEXT NOT NULL,
	next_attempt_at BIGINT NOT NULL,
	retry_until BIGINT NOT NULL,
	claimed_until BIGINT NOT NULL,
	delivered_at BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(status, next_attempt_at);
CREATE INDEX deliveries_order ON deliveries(webhook_id, order_id, seq);
CREATE INDEX deliveries_tenant ON deliveries(tenant_id, seq);
