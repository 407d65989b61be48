-- 0015_imports.sql - order files taken in, on SQLite; the twin of
-- migrations/postgres/0015_imports.sql. Conventions as in 0001.
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
	seq INTEGER PRIMARY KEY,
	id TEXT NOT NULL UNIQUE,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	channel TEXT NOT NULL,
	file_name TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
	rows_total INTEGER NOT NULL,
	orders_total INTEGER NOT NULL,
	orders_done INTEGER NOT NULL,
	orders_taken INTEGER NOT NULL,
	orders_existing INTEGER NOT NULL,
	orders_refused INTEGER NOT NULL,
	rows_refused INTEGER NOT NULL,
	message TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	finished_at INTEGER NOT NULL
) STRICT;
CREATE INDEX imports_tenant ON imports(tenant_id, seq);

CREATE TABLE import_problems (
	import_seq INTEGER NOT NULL REFERENCES imports(seq),
	n INTEGER NOT NULL,
	line INTEGER NOT NULL,
	col TEXT NOT NULL,
	external_id TEXT NOT NULL,
	reason TEXT NOT NULL,
	PRIMARY KEY (import_seq, n)
) STRICT;

ALTER TABLE channels ADD COLUMN csv_map TEXT NOT NULL DEFAULT '';
