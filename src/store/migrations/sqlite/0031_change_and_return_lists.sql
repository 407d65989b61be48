-- 0031_change_and_return_lists.sql - the tenant's change requests and
-- returns listed, on SQLite; the twin of
-- migrations/postgres/0031_change_and_return_lists.sql.
--
-- GET /v1/change-requests lists the requests still waiting for a
-- warehouse's answer, oldest due first (due_at, then seq), from its
-- cursor on. order_changes_due (state, due_at) is every tenant's, for the
-- expiry's sweep; order_changes_waiting holds the waiting requests alone,
-- by tenant, in the list's order, so that a page reads its own rows
-- however many changes were applied or decided before it.
--
-- GET /v1/returns lists the tenant's returns newest first (seq), and
-- with ?state=S those in one state: returns_tenant and returns_state
-- serve each from its cursor on, where the only index by tenant, its
-- (tenant_id, id) key, would have read and sorted all of them.
CREATE INDEX order_changes_waiting ON order_changes(tenant_id, due_at, seq)
	WHERE state = 'requested';
CREATE INDEX returns_tenant ON returns(tenant_id, seq);
CREATE INDEX returns_state ON returns(tenant_id, state, seq);
