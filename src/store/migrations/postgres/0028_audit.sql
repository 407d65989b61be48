-- 0028_audit.sql - the audit log; the twin of migrations/sqlite/0028_audit.sql.
CREATE TABLE audit_log (
	seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	at BIGINT NOT NULL,
	actor TEXT NOT NULL,
	address TEXT NOT NULL,
	kind TEXT NOT NULL,
	target TEXT NOT NULL,
	detail TEXT NOT NULL
);
CREATE INDEX audit_tenant ON audit_log(tenant_id, seq);
CREATE INDEX audit_kind ON audit_log(tenant_id, kind, seq);
CREATE INDEX audit_actor ON audit_log(tenant_id, actor, seq);
CREATE INDEX audit_actor_kind ON audit_log(tenant_id, actor, kind, seq);
CREATE INDEX audit_at ON audit_log(tenant_id, at, seq);
