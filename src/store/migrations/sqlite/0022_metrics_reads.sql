-- 0022_metrics_reads.sql - holds and defects read back by what raised or
-- let them through, and the metrics' gauges by the hour, on SQLite; the
-- twin of migrations/postgres/0022_metrics_reads.sql.
--
-- GET /v1/holds lists a tenant's holds, of one rule or of one type or all,
-- over a time range, newest first (holds_rule_history, holds_type_history,
-- holds_history: the holds behind each figure of
-- GET /v1/metrics/automation);
-- GET /v1/defects?rule_id= the defects attributed to one rule
-- (defects_rule). The holds' indexes lead with what only the history's
-- statements name - the rule, the type as the expression type || '', the
-- tenant as tenant_id + 0 -
-- so that no planner takes them for the review queue's statements, which
-- name the tenant, the type and the age, read by due time (holds_due) and
-- would then sort.
CREATE INDEX holds_rule_history ON holds(rule_id, tenant_id, created_at, id);
CREATE INDEX holds_type_history ON holds((type || ''), tenant_id, created_at,
	id);
CREATE INDEX holds_history ON holds((tenant_id + 0), created_at, id);
CREATE INDEX defects_rule ON defects(tenant_id, attributed_rule, seq);
-- The metrics' gauges by the hour the orders were received (an hour's
-- open orders are one row, not sixty), named by their scope ("all/<state>",
-- "channel:<name>/<state>") so that a scope's are read by their prefix,
-- and again by the day ("day:all/<state>", ...: the backlog reads its days,
-- then the hours of two of them); the open alerts counted as they stand.
CREATE TABLE metric_gauges_new (
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	gauge TEXT NOT NULL,
	hour INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (tenant_id, gauge, hour)
) STRICT, WITHOUT ROWID;
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
