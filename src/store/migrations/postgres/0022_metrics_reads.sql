-- 0022_metrics_reads.sql - holds and defects read back by what raised or
-- let them through, on PostgreSQL 15; the twin of
-- migrations/sqlite/0022_metrics_reads.sql (see it for what each is for).
CREATE INDEX holds_rule_history ON holds(rule_id, tenant_id, created_at, id);
CREATE INDEX holds_type_history ON holds((type || ''), tenant_id, created_at,
	id);
CREATE INDEX holds_history ON holds((tenant_id + 0), created_at, id);
CREATE INDEX defects_rule ON defects(tenant_id, attributed_rule, seq);
-- The metrics' gauges by the hour the orders were received (an hour's
-- open orders are one row, not sixty), named by their scope ("all/<state>",
-- "channel:<name>/<state>") so that a scope's are read by their prefix;
-- the open alerts counted as they stand.
CREATE TABLE metric_gauges_new (
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	gauge TEXT NOT NULL,
	hour BIGINT NOT NULL,
	n BIGINT NOT NULL,
	PRIMARY KEY (tenant_id, gauge, hour)
);
INSERT INTO metric_gauges_new (tenant_id, gauge, hour, n)
	SELECT tenant_id,
		CASE WHEN gauge LIKE '%/%' THEN gauge ELSE 'all/' || gauge END,
		minute - minute % 3600, sum(n)
	FROM metric_gauges WHERE gauge <> 'alerts_open' GROUP BY 1, 2, 3;
INSERT INTO metric_gauges_new (tenant_id, gauge, hour, n)
	SELECT tenant_id,
		'day:' || CASE WHEN gauge LIKE '%/%' THEN gauge
			ELSE 'all/' || gauge END,
		minute - minute % 86400, sum(n)
	FROM metric_gauges WHERE gauge <> 'alerts_open' GROUP BY 1, 2, 3;
INSERT INTO metric_gauges_new (tenant_id, gauge, hour, n)
	SELECT tenant_id, 'alerts_open', 0, count(*) FROM alerts
	WHERE cleared_at = 0 GROUP BY tenant_id;
DROP TABLE metric_gauges;
ALTER TABLE metric_gauges_new RENAME TO metric_gauges;
CREATE INDEX metric_gauges_zero ON metric_gauges(tenant_id) WHERE n = 0;
