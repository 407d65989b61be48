-- 0018_channel_calls.sql - what ordo needs to tell a storefront about its
-- orders, on PostgreSQL 15; the twin of
-- migrations/sqlite/0018_channel_calls.sql (see it for what each column
-- is for).
ALTER TABLE order_lines ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN api_token TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN edi_own_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN edi_partner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
