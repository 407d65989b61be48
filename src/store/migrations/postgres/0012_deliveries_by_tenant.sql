-- 0012_deliveries_by_tenant.sql - deliveries read by tenant first, on
-- PostgreSQL; the twin of migrations/sqlite/0012_deliveries_by_tenant.sql.
--
-- A webhook's claim reads its ready deliveries (tenant, webhook, pending,
-- not waiting) oldest first. deliveries_ready had every column of that
-- read but the tenant, which the read tested row by row; given the
-- statistics of a large backlog, the planner preferred deliveries_tenant
-- (tenant, seq), which gives the same order, and walked every delivery of
-- the tenant's other webhooks to fill one claim. With the tenant in it,
-- deliveries_ready serves every equality of the read, and a claim reads
-- the deliveries it returns, whatever the backlog.
--
-- GET /v1/webhooks/deliveries?status=S walked the tenant's deliveries
-- newest first and tested each one's status: a page of the few pending
-- behind millions delivered read them all. deliveries_status serves it.
DROP INDEX deliveries_ready;
CREATE INDEX deliveries_ready ON deliveries(tenant_id, webhook_id, status, waiting, seq);
CREATE INDEX deliveries_status ON deliveries(tenant_id, status, seq);
