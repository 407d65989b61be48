-- 0015_imports.sql - order files taken in, on PostgreSQL 15; the twin of
-- migrations/sqlite/0015_imports.sql (see it for what the tables are
-- for). Differences as in 0001.
--
-- An import is one file of orders (a CSV export) taken in: its counts as
-- it goes (rows read, orders taken, found already taken, refused) and, in
-- import_problems, every row it did not take with its line, column and
-- reason, numbered in the order found. Its orders are taken one write at
-- a time like any others; the import's own row is written only as it
-- starts, as its counts move on (every ORDO_IMPORT_PROGRESS_ORDERS orders)
-- and as it ends. A channel of kind csv keeps the column mapping its files
-- are read with (csv_map, a JSON object; '' for ordo's own column names).
CREATE TABLE imports (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	channel TEXT NOT NULL,
	file_name TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
	rows_total BIGINT NOT NULL,
	orders_total BIGINT NOT NULL,
	orders_done BIGINT NOT NULL,
	orders_taken BIGINT NOT NULL,
	orders_existing BIGINT NOT NULL,
	orders_refused BIGINT NOT NULL,
	rows_refused BIGINT NOT NULL,
	message TEXT NOT NULL,
	created_at BIGINT NOT NULL,
	updated_at BIGINT NOT NULL,
	finished_at BIGINT NOT NULL
);
CREATE INDEX imports_tenant ON imports(tenant_id, seq);

CREATE TABLE import_problems (
	import_seq BIGINT NOT NULL REFERENCES imports(seq),
	n BIGINT NOT NULL,
	line BIGINT NOT NULL,
	col TEXT NOT NULL,
	external_id TEXT NOT NULL,
	reason TEXT NOT NULL,
	PRIMARY KEY (import_seq, n)
);

ALTER TABLE channels ADD COLUMN csv_map TEXT NOT NULL DEFAULT '';
