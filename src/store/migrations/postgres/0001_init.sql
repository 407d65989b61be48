-- 0001_init.sql - the first schema of ordo on PostgreSQL 15; the twin of
-- migrations/sqlite/0001_init.sql, kept equivalent so the shared SQL of
-- src/store/sql.c fits both (run by src/store/pg.c).
--
-- Conventions: every row belongs to a tenant and every query names it; time
-- is integer UTC seconds; money is integer minor units; enums are stored as
-- their text names (order_state_name, hold_type_name, ...) so the database
-- reads well and a reordered C enum cannot corrupt it. An external id the
-- channel did not give is NULL, so it never collides with another (UNIQUE is
-- NULLS DISTINCT, as in SQLite).
--
-- Differences from the SQLite file, and why:
--   numbers are BIGINT (SQLite's INTEGER is 64-bit); the 0/1 flags
--     (active, has_bill_to) stay INTEGER with the same CHECK, since the
--     shared SQL binds integers, not booleans;
--   generated keys (tenants.id, api_keys.id, orders.seq, order_events.seq)
--     are identity columns, where SQLite has INTEGER PRIMARY KEY;
--   holds has an explicit rowid identity column: its rows are read back in
--     insertion order ("ORDER BY created_at, rowid"), which SQLite keeps in
--     its implicit rowid and PostgreSQL does not keep at all;
--   no STRICT: PostgreSQL's columns are typed anyway;
--   the codes lists are paged or sorted by (skus.sku, locations.code,
--     stock.location) are COLLATE "C": byte order, as in SQLite, whatever
--     the database's locale, so "sku > ? ORDER BY sku" pages alike on
--     both; the columns referring to them (stock.sku) share it.

CREATE TABLE tenants (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	slug TEXT NOT NULL UNIQUE,
	dup_window_s BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE api_keys (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	name TEXT NOT NULL,
	role TEXT NOT NULL,
	key_hash TEXT NOT NULL UNIQUE,
	created_at BIGINT NOT NULL
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE skus (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	sku TEXT COLLATE "C" NOT NULL,
	title TEXT NOT NULL,
	unit_price BIGINT NOT NULL,
	currency TEXT NOT NULL,
	active INTEGER NOT NULL CHECK (active IN (0, 1)),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, sku)
);

CREATE TABLE locations (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	code TEXT COLLATE "C" NOT NULL,
	name TEXT NOT NULL,
	addr_name TEXT NOT NULL,
	addr_company TEXT NOT NULL,
	addr_line1 TEXT NOT NULL,
	addr_line2 TEXT NOT NULL,
	addr_city TEXT NOT NULL,
	addr_region TEXT NOT NULL,
	addr_postal_code TEXT NOT NULL,
	addr_country TEXT NOT NULL,
	addr_phone TEXT NOT NULL,
	priority BIGINT NOT NULL,
	active INTEGER NOT NULL CHECK (active IN (0, 1)),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, code)
);

CREATE TABLE stock (
	tenant_id BIGINT NOT NULL,
	location TEXT COLLATE "C" NOT NULL,
	sku TEXT COLLATE "C" NOT NULL,
	on_hand BIGINT NOT NULL CHECK (on_hand >= 0),
	reserved BIGINT NOT NULL CHECK (reserved >= 0),
	safety_stock BIGINT NOT NULL CHECK (safety_stock >= 0),
	updated_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, location, sku),
	CHECK (reserved <= on_hand),
	FOREIGN KEY (tenant_id, location) REFERENCES locations(tenant_id, code),
	FOREIGN KEY (tenant_id, sku) REFERENCES skus(tenant_id, sku)
);
CREATE INDEX stock_sku ON stock(tenant_id, sku);

CREATE TABLE orders (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	id TEXT NOT NULL UNIQUE,
	external_id TEXT,
	channel TEXT NOT NULL,
	placed_at BIGINT NOT NULL,
	received_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	currency TEXT NOT NULL,
	customer_external_id TEXT NOT NULL,
	customer_name TEXT NOT NULL,
	customer_email TEXT NOT NULL,
	customer_phone TEXT NOT NULL,
	ship_to_name TEXT NOT NULL,
	ship_to_company TEXT NOT NULL,
	ship_to_line1 TEXT NOT NULL,
	ship_to_line2 TEXT NOT NULL,
	ship_to_city TEXT NOT NULL,
	ship_to_region TEXT NOT NULL,
	ship_to_postal_code TEXT NOT NULL,
	ship_to_country TEXT NOT NULL,
	ship_to_phone TEXT NOT NULL,
	has_bill_to INTEGER NOT NULL CHECK (has_bill_to IN (0, 1)),
	bill_to_name TEXT NOT NULL,
	bill_to_company TEXT NOT NULL,
	bill_to_line1 TEXT NOT NULL,
	bill_to_line2 TEXT NOT NULL,
	bill_to_city TEXT NOT NULL,
	bill_to_region TEXT NOT NULL,
	bill_to_postal_code TEXT NOT NULL,
	bill_to_country TEXT NOT NULL,
	bill_to_phone TEXT NOT NULL,
	shipping_method TEXT NOT NULL,
	shipping_amount BIGINT NOT NULL,
	subtotal BIGINT NOT NULL,
	shipping_total BIGINT NOT NULL,
	tax BIGINT NOT NULL,
	discount BIGINT NOT NULL,
	total BIGINT NOT NULL,
	payment_status TEXT NOT NULL,
	notes TEXT NOT NULL,
	state TEXT NOT NULL,
	fingerprint TEXT NOT NULL,
	UNIQUE (tenant_id, channel, external_id)
);
CREATE INDEX orders_fingerprint ON orders(tenant_id, fingerprint, received_at);
CREATE INDEX orders_state ON orders(tenant_id, state, seq);
CREATE INDEX orders_received ON orders(tenant_id, received_at);

CREATE TABLE order_lines (
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	line_no BIGINT NOT NULL,
	sku TEXT NOT NULL,
	title TEXT NOT NULL,
	quantity BIGINT NOT NULL,
	unit_price BIGINT NOT NULL,
	qty_open BIGINT NOT NULL CHECK (qty_open >= 0),
	qty_allocated BIGINT NOT NULL CHECK (qty_allocated >= 0),
	qty_released BIGINT NOT NULL CHECK (qty_released >= 0),
	qty_shipped BIGINT NOT NULL CHECK (qty_shipped >= 0),
	qty_cancelled BIGINT NOT NULL CHECK (qty_cancelled >= 0),
	qty_returned BIGINT NOT NULL CHECK (qty_returned >= 0),
	PRIMARY KEY (order_seq, line_no),
	CHECK (quantity = qty_open + qty_allocated + qty_released +
			  qty_shipped + qty_cancelled),
	CHECK (qty_returned <= qty_shipped)
);

CREATE TABLE holds (
	id TEXT PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	type TEXT NOT NULL,
	status TEXT NOT NULL,
	field TEXT NOT NULL,
	message TEXT NOT NULL,
	related_order_id TEXT NOT NULL,
	raised_by TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	resolved_at BIGINT NOT NULL,
	rowid BIGINT GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX holds_queue ON holds(tenant_id, type, status);
CREATE INDEX holds_order ON holds(order_seq);

CREATE TABLE order_events (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	order_seq BIGINT NOT NULL REFERENCES orders(seq),
	type TEXT NOT NULL,
	from_state TEXT NOT NULL,
	to_state TEXT NOT NULL,
	hold_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	message TEXT NOT NULL,
	at BIGINT NOT NULL
);
CREATE INDEX order_events_order ON order_events(order_seq, seq);

CREATE TABLE idempotency_keys (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	key TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	status BIGINT NOT NULL,
	body TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_age ON idempotency_keys(created_at);
