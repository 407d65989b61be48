-- 0028_audit.sql - the audit log: who changed what of a tenant's, when,
-- from where, before and after; the twin of migrations/postgres/0028_audit.sql.
--
-- A row is written in the transaction of the change it records (a login
-- in each tenant its person serves). detail is JSON: {"before", "after"}.
-- The log is read newest first, whole or by kind or by actor, each by an
-- index of its own; a time window is found by at (audit_at) and read as
-- the rows between its first and last.
CREATE TABLE audit_log (
	seq INTEGER PRIMARY KEY,
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	at INTEGER NOT NULL,
	actor TEXT NOT NULL,
	address TEXT NOT NULL,
	kind TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL
) STRICT;
CREATE INDEX audit_tenant ON audit_log(tenant_id, seq);
CREATE INDEX audit_kind ON audit_log(tenant_id, kind, seq);
CREATE INDEX audit_actor ON audit_log(tenant_id, actor, seq);
CREATE INDEX audit_actor_kind ON audit_log(tenant_id, actor, kind, seq);
CREATE INDEX audit_at ON audit_log(tenant_id, at, seq);
