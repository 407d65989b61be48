-- 0009_page_order.sql - indexes that serve each list page in its order, on
-- SQLite; the twin of migrations/postgres/0009_page_order.sql.
--
-- A page of a list (ORDER BY ... LIMIT ?) is read in the order of an index
-- whose columns are the statement's equality columns, then its ORDER BY
-- columns, and the read stops at the page's end. Without such an index the
-- planner reads every matching row of the tenant and sorts them all to
-- return one page, a read that grows with the tenant's history.
--
-- The fulfillment list, newest first, alone, by location or by state:
-- fulfillments_queue (tenant_id, location, state, seq) gives seq order only
-- when both are bound.
CREATE INDEX fulfillments_tenant ON fulfillments(tenant_id, seq);
CREATE INDEX fulfillments_location ON fulfillments(tenant_id, location, seq);
CREATE INDEX fulfillments_state ON fulfillments(tenant_id, state, seq);
-- The defect list, newest first, alone or by type; its time bounds are
-- tested on the way. defects_tenant (tenant_id, created_at) served those
-- bounds and no other statement, and drew the planner to read the whole
-- window and sort it; the name now serves the list's order.
DROP INDEX defects_tenant;
CREATE INDEX defects_tenant ON defects(tenant_id, seq);
CREATE INDEX defects_type ON defects(tenant_id, type, seq);
-- The defects of a page of orders are read by the orders' seqs alone (the
-- orders matched the tenant), as their holds are: matched on the tenant as
-- well, the planner walked all the tenant's defects by defects_order.
CREATE INDEX defects_page ON defects(order_seq, seq);
-- The order list, newest first, by channel or by external id too
-- (orders' unique key, tenant_id, channel, external_id, gives neither in
-- seq order). Its received-time bounds are tested on the way:
-- orders_received (tenant_id, received_at) served those bounds and no other
-- statement, and drew the planner to read every order in the window and
-- sort them. orders_tenant and orders_state end with received_at, so that
-- the bounds are tested inside them, where PostgreSQL otherwise preferred
-- an index that holds received_at further in (orders_fingerprint) and
-- sorted what it found.
DROP INDEX orders_received;
DROP INDEX orders_tenant;
CREATE INDEX orders_tenant ON orders(tenant_id, seq, received_at);
DROP INDEX orders_state;
CREATE INDEX orders_state ON orders(tenant_id, state, seq, received_at);
CREATE INDEX orders_channel ON orders(tenant_id, channel, seq);
CREATE INDEX orders_external ON orders(tenant_id, external_id, seq);
-- Statements ordered by a range column, then seq: the newest order of a
-- fingerprint (received_at DESC, seq DESC), the delivered orders due to
-- close (delivered_at, seq) and the webhooks due (next_attempt_at, seq).
-- Their indexes now end with seq. SQLite's indexes end with the rowid, seq,
-- already; PostgreSQL's did not, and it sorted the range.
DROP INDEX orders_fingerprint;
CREATE INDEX orders_fingerprint
	ON orders(tenant_id, fingerprint, received_at, seq);
DROP INDEX orders_delivered;
CREATE INDEX orders_delivered ON orders(state, delivered_at, seq);
DROP INDEX webhooks_due;
CREATE INDEX webhooks_due ON webhooks(status, next_attempt_at, seq);
