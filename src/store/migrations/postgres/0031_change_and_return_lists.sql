-- 0031_change_and_return_lists.sql - the tenant's change requests and
-- returns listed, on PostgreSQL 15; the twin of
-- migrations/sqlite/0031_change_and_return_lists.sql (see it for what
-- each index serves).
CREATE INDEX order_changes_waiting ON order_changes(tenant_id, due_at, seq)
	WHERE state = 'requested';
CREATE INDEX returns_tenant ON returns(tenant_id, seq);
CREATE INDEX returns_state ON returns(tenant_id, state, seq);
