-- 0021_metrics.sql - the rollups the metrics are read from, and defects
-- attributed, on PostgreSQL 15; the twin of
-- migrations/sqlite/0021_metrics.sql (see it for what each is for).
ALTER TABLE orders ADD COLUMN marks BIGINT NOT NULL DEFAULT 0;
CREATE TABLE metric_rollups (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	grain TEXT NOT NULL,
	scope TEXT NOT NULL,
	bucket BIGINT NOT NULL,
	metric TEXT NOT NULL,
	key TEXT NOT NULL,
	bin INTEGER NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, grain, scope, bucket, metric, key, bin)
);
CREATE TABLE metric_gauges (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	gauge TEXT NOT NULL,
	minute BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, gauge, minute)
);
CREATE INDEX metric_gauges_zero ON metric_gauges(tenant_id) WHERE n = 0;
ALTER TABLE orders ADD COLUMN approved_rule TEXT NOT NULL DEFAULT '';
-- (monitors.seq is an identity: never used twice, unlike SQLite's, which
-- this migration makes AUTOINCREMENT.)
ALTER TABLE defects ADD COLUMN attributed_step TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN attributed_rule TEXT NOT NULL DEFAULT '';
ALTER TABLE defects ADD COLUMN attributed_actor TEXT NOT NULL DEFAULT '';
