-- 0021_metrics.sql - the rollups the metrics are read from, and defects
-- attributed, on SQLite; the twin of migrations/postgres/0021_metrics.sql.
--
-- orders.marks are the facts about an order the rollups have counted
-- (core/metrics.h, MARKS); an order stored before this migration has
-- none, not even that it was received, and is never counted.
--
-- metric_rollups are the counts the metrics are made of, kept as the work
-- happens (store.h, METRIC ROLLUPS): per tenant, grain ('h' an hour, 'd' a
-- day) and bucket (its start, Unix seconds), scope ('' the tenant,
-- 'channel:<name>' one channel), metric, key (a hold type, a rule, an
-- agent, or '') and bin (a duration histogram's bin, else 0), the count n.
-- metric_gauges are counts of what stands now: a tenant's open orders by
-- state and the minute they were received in, and its open alerts;
-- metric_gauges_zero finds the rows counted down to nothing, which the
-- purge removes.
--
-- orders.approved_rule is the review policy's approve rule that let the
-- order through at intake, if one did.
--
-- defects.attributed_* say who let the defect through (the step, the rule
-- and the person that last touched what was wrong).
ALTER TABLE orders ADD COLUMN marks INTEGER NOT NULL DEFAULT 0;
CREATE TABLE metric_rollups (
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	grain TEXT NOT NULL,
	scope TEXT NOT NULL,
	bucket INTEGER NOT NULL,
	metric TEXT NOT NULL,
	key TEXT NOT NULL,
	bin INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, grain, scope, bucket, metric, key, bin)
) STRICT, WITHOUT ROWID;
CREATE TABLE metric_gauges (
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	gauge TEXT NOT NULL,
	minute INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, gauge, minute)
) STRICT, WITHOUT ROWID;
CREATE INDEX metric_gauges_zero ON metric_gauges(tenant_id) WHERE n = 0;
ALTER TABLE orders ADD COLUMN approved_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN attributed_step TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN attributed_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN attributed_actor TEXT NOT NULL DEFAULT '';
-- A monitor written anew gets a seq never used before (AUTOINCREMENT: a
-- plain INTEGER PRIMARY KEY takes the deleted row's again), so that a
-- sweep that read the old one finds it gone (store_monitor_swept).
CREATE TABLE monitors_new (
	seq INTEGER PRIMARY KEY AUTOINCREMENT,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	id TEXT NOT NULL,
	kind TEXT NOT NULL,
	state TEXT NOT NULL,
	after_s INTEGER NOT NULL,
	hold_type TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	swept_to INTEGER NOT NULL DEFAULT 0,
	UNIQUE (tenant_id, id)
) STRICT;
INSERT INTO monitors_new SELECT seq, tenant_id, id, kind, state, after_s,
	hold_type, created_at, swept_to FROM monitors;
DROP TABLE monitors;
ALTER TABLE monitors_new RENAME TO monitors;
