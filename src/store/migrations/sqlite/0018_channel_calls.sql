-- 0018_channel_calls.sql - what ordo needs to tell a storefront about its
-- orders, on SQLite; the twin of migrations/postgres/0018_channel_calls.sql.
--
-- order_lines.external_id is the channel's own id of a line (a Shopify or
-- WooCommerce line item id, an X12 PO1 assigned identification, a
-- client's own line id): what a fulfillment told back to the channel, or a
-- partner's ship notice, names the line by. '' = none given.
--
-- channels.api_token is the credential ordo calls the channel's own API
-- with (a Shopify admin API access token; WooCommerce's REST API key as
-- consumer_key:consumer_secret); '' = none, and nothing is called.
-- channels.location is the location whose warehouse reports through the
-- channel (X12 856 and 945): its notices ship that location's
-- fulfillment of the order they name ('' = it reports no shipments).
-- channels.edi_own_id and edi_partner_id are an x12 channel's ISA
-- identities ("QQ:ID": qualifier and ID), ordo's and the partner's, for
-- what ordo sends it unasked (940s); '' = none.
--
-- A channel with a base URL and a token has a webhook of its own: a row of
-- webhooks whose channel names it and whose protocol is the channel's
-- kind. It subscribes to no event type (webhook_events): ordo hands it the
-- events of that channel's orders only (app/flow.c), and the outbox sends
-- them as calls to the channel's API, retried like any webhook. The
-- tenant's own webhooks have channel '' and protocol ''.
ALTER TABLE order_lines ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN api_token TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN location TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN edi_own_id TEXT NOT NULL DEFAULT '';
ALTER TABLE channels ADD COLUMN edi_partner_id TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE webhooks ADD COLUMN protocol TEXT NOT NULL DEFAULT '';
