/*
 * routes.c - the route table: which handler answers each method and path,
 * and which roles may call it (see routes.h for how a pattern matches).
 *
 * The dispatcher takes the first route whose pattern and method match, and
 * names the methods of every route whose pattern matches in a 405's Allow
 * header. Each route names the body it takes: its media type (NULL:
 * application/json; another is 415; "*": the handler says) and its
 * largest size (0:
 * ORDO_MAX_BODY_BYTES; a larger one is 413 and never kept). A route added
 * here must also get its entry in tests/api/test_routes.c, which fails
 * naming any route it does not know, and its operation in
 * docs/openapi.json.
 */
#include "api/routes.h"

#include "api/api_int.h"
#include "channels/csv.h"

const api_route api_routes[] = {
	{"GET", "/healthz", api_health, ANYONE, NULL, 0},
	{"GET", "/metrics", api_metrics, ANYONE, NULL, 0},
	{"GET", "/openapi.json", api_openapi, ANYONE, NULL, 0},
	{"GET", "/v1/openapi.json", api_openapi, ANYONE, NULL, 0},
	/* The console's files (console.c): it logs in with a session. */
	{"GET", "/", api_console_index, ANYONE, NULL, 0},
	{"GET", "/console/*", api_console_file, ANYONE, NULL, 0},
	{"GET", "/console/vendor/*", api_console_vendor, ANYONE, NULL, 0},
	{"POST", "/v1/skus", api_sku_create, ADMINS, NULL, 0},
	{"GET", "/v1/skus", api_sku_list, READERS, NULL, 0},
	{"POST", "/v1/locations", api_location_create, ADMINS, NULL, 0},
	{"GET", "/v1/locations", api_location_list, READERS, NULL, 0},
	{"PUT", "/v1/locations/*/stock/*", api_stock_put, SUPERVISORS, NULL, 0},
	{"POST", "/v1/locations/*/stock/*/adjustments", api_stock_adjust,
	 SUPERVISORS, NULL, 0},
	{"GET", "/v1/stock", api_stock_get, READERS, NULL, 0},
	{"GET", "/v1/stock/events", api_stock_events, READERS, NULL, 0},
	{"GET", "/v1/settings", api_settings_get, READERS, NULL, 0},
	{"PATCH", "/v1/settings", api_settings_patch, ADMINS, NULL, 0},
	{"GET", "/v1/monitors", api_monitors_get, READERS, NULL, 0},
	{"PUT", "/v1/monitors", api_monitors_put, SUPERVISORS, NULL, 0},
	{"GET", "/v1/alerts", api_alert_list, READERS, NULL, 0},
	{"GET", "/v1/metrics/summary", api_metrics_summary, READERS, NULL, 0},
	{"GET", "/v1/metrics/series", api_metrics_series, READERS, NULL, 0},
	{"GET", "/v1/metrics/automation", api_metrics_automation, READERS,
	 NULL, 0},
	{"GET", "/v1/holds", api_hold_history, READERS, NULL, 0},
	{"POST", "/v1/orders", api_order_create, INTAKE, NULL, 0},
	{"GET", "/v1/orders", api_order_list, READERS_AND_OWN, NULL, 0},
	{"GET", "/v1/orders/*", api_order_get, READERS_AND_OWN, NULL, 0},
	{"GET", "/v1/orders/*/events", api_order_events, READERS, NULL, 0},
	{"GET", "/v1/orders/*/source", api_order_source, READERS, NULL, 0},
	{"GET", "/v1/orders/*/x12/855", api_order_x12_855, READERS, NULL, 0},
	{"POST", "/v1/orders/*/defects", api_defect_create, AGENTS, NULL, 0},
	{"POST", "/v1/orders/*/notes", api_note_create, AGENTS, NULL, 0},
	{"POST", "/v1/orders/*/changes", api_order_change, SUPERVISORS, NULL, 0},
	{"GET", "/v1/orders/*/changes", api_order_changes, READERS, NULL, 0},
	{"POST", "/v1/orders/*/cancel", api_order_cancel, SUPERVISORS, NULL, 0},
	{"POST", "/v1/orders/*/holds", api_hold_place, AGENTS, NULL, 0},
	{"POST", "/v1/orders/*/returns", api_return_create, SUPERVISORS, NULL, 0},
	{"GET", "/v1/orders/*/returns", api_order_returns, READERS, NULL, 0},
	{"GET", "/v1/returns", api_return_list, READERS, NULL, 0},
	{"GET", "/v1/returns/*", api_return_get, READERS, NULL, 0},
	{"POST", "/v1/returns/*/receive", api_return_receive, SUPERVISORS, NULL,
	 0},
	{"POST", "/v1/returns/*/refund", api_return_refund, SUPERVISORS, NULL, 0},
	/* The people's list; a warehouse's key reads its requests one by one,
	 * as its webhooks name them. */
	{"GET", "/v1/change-requests", api_change_requests, READERS, NULL, 0},
	{"GET", "/v1/change-requests/*", api_change_get, READERS_AND_OWN, NULL, 0},
	{"POST", "/v1/change-requests/*/accept", api_change_accept, WAREHOUSE,
	 NULL, 0},
	{"POST", "/v1/change-requests/*/refuse", api_change_refuse, WAREHOUSE,
	 NULL, 0},
	{"GET", "/v1/defects", api_defect_list, READERS, NULL, 0},
	{"GET", "/v1/fulfillments", api_fulfillment_list, READERS_AND_OWN, NULL, 0},
	{"GET", "/v1/fulfillments/*", api_fulfillment_get, READERS_AND_OWN, NULL, 0},
	{"POST", "/v1/fulfillments/*/accept", api_fulfillment_accept, WAREHOUSE,
	 NULL, 0},
	{"POST", "/v1/fulfillments/*/reject", api_fulfillment_reject, WAREHOUSE,
	 NULL, 0},
	{"POST", "/v1/fulfillments/*/shipments", api_shipment_create,
	 WAREHOUSE, NULL, 0},
	{"POST", "/v1/shipments/*/delivered", api_shipment_delivered,
	 WAREHOUSE, NULL, 0},
	{"GET", "/v1/shipments", api_shipment_list, READERS, NULL, 0},
	{"GET", "/v1/shipments/*", api_shipment_get, READERS, NULL, 0},
	{"POST", "/v1/waves", api_wave_create, SUPERVISORS, NULL, 0},
	/* A person's session: its own checks (api/session.c). */
	{"POST", "/v1/session", api_session_create, ANYONE, NULL, 0},
	{"GET", "/v1/session", api_session_get, ANYONE, NULL, 0},
	{"DELETE", "/v1/session", api_session_delete, ANYONE, NULL, 0},
	{"GET", "/v1/audit", api_audit_list, ADMINS, NULL, 0},
	{"GET", "/v1/users", api_user_list, ADMINS, NULL, 0},
	{"POST", "/v1/users", api_user_invite, ADMINS, NULL, 0},
	{"PATCH", "/v1/users/*", api_user_update, ADMINS, NULL, 0},
	{"GET", "/v1/keys", api_key_list, ADMINS, NULL, 0},
	{"POST", "/v1/keys", api_key_create, ADMINS, NULL, 0},
	{"DELETE", "/v1/keys/*", api_key_revoke, ADMINS, NULL, 0},
	{"POST", "/v1/keys/*/rotate", api_key_rotate, ADMINS, NULL, 0},
	{"POST", "/v1/webhooks", api_webhook_create, ADMINS, NULL, 0},
	{"GET", "/v1/webhooks", api_webhook_list, READERS, NULL, 0},
	{"DELETE", "/v1/webhooks/*", api_webhook_delete, ADMINS, NULL, 0},
	{"POST", "/v1/webhooks/*/resume", api_webhook_resume, ADMINS, NULL, 0},
	{"POST", "/v1/webhooks/*/rotate", api_webhook_rotate, ADMINS, NULL, 0},
	{"GET", "/v1/webhooks/deliveries", api_delivery_list, READERS, NULL, 0},
	{"POST", "/v1/webhooks/deliveries/*/redeliver",
	 api_delivery_redeliver, ADMINS, NULL, 0},
	{"POST", "/v1/channels", api_channel_create, ADMINS, NULL, 0},
	{"GET", "/v1/channels", api_channel_list, READERS, NULL, 0},
	{"GET", "/v1/channels/*", api_channel_get, READERS, NULL, 0},
	{"PATCH", "/v1/channels/*", api_channel_update, ADMINS, NULL, 0},
	{"DELETE", "/v1/channels/*", api_channel_delete, ADMINS, NULL, 0},
	/* A Shopify store's order webhook: no key; its signature and the
	 * channel's secret say who sent it (api/channels.c). */
	{"POST", "/v1/channels/*/shopify/orders", api_shopify_order, ANYONE,
	 "*", 0},
	{"POST", "/v1/channels/*/woocommerce/orders", api_woocommerce_order,
	 ANYONE, "*", 0},
	/* A partner's interchange, by its key's integration: any media type
	 * (application/edi-x12, text/plain, ...), answered with its 997. */
	{"POST", "/v1/channels/*/x12", api_x12_take, INTAKE, "*", 0},
	{"POST", "/v1/imports", api_import_create, SUPERVISORS, "text/csv",
	 CSV_MAX_FILE_BYTES},
	{"GET", "/v1/imports", api_import_list, READERS, NULL, 0},
	/* A location's view of its open work: JSON, or a CSV file. */
	{"POST", "/v1/reconciliations", api_reconcile, SUPERVISORS, "*",
	 RECONCILE_BODY_MAX},
	{"GET", "/v1/imports/*", api_import_get, READERS, NULL, 0},
	{"GET", "/v1/queue", api_queue_list, READERS, NULL, 0},
	{"POST", "/v1/holds/*/claim", api_hold_claim, AGENTS, NULL, 0},
	{"POST", "/v1/holds/*/release", api_hold_release, AGENTS, NULL, 0},
	{"POST", "/v1/holds/*/assign", api_hold_assign, SUPERVISORS, NULL, 0},
	{"POST", "/v1/holds/*/resolve", api_hold_resolve, AGENTS, NULL, 0},
	{"POST", "/v1/holds/bulk", api_holds_bulk, SUPERVISORS, NULL, 0},
	{"GET", "/v1/policy", api_policy_get, READERS, NULL, 0},
	{"PUT", "/v1/policy", api_policy_put, SUPERVISORS, NULL, 0},
	{"GET", "/v1/policy/versions", api_policy_versions, READERS, NULL, 0},
	{"POST", "/v1/policy/simulate", api_policy_simulate, AGENTS, NULL, 0},
};

const size_t api_n_routes = sizeof(api_routes) / sizeof(api_routes[0]);
