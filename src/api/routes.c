/*
 * routes.c - the route table: which handler answers each method and path,
 * and which roles may call it (see routes.h for how a pattern matches).
 *
 * The dispatcher takes the first route whose pattern and method match, and
 * names the methods of every route whose pattern matches in a 405's Allow
 * header. A route added here must also get its entry in
 * tests/api/test_routes.c, which fails naming any route it does not know,
 * and its operation in docs/openapi.json.
 */
#include "api/routes.h"

#include "api/api_int.h"

const api_route api_routes[] = {
	{"GET", "/healthz", api_health, ANYONE},
	{"GET", "/metrics", api_metrics, ANYONE},
	{"GET", "/openapi.json", api_openapi, ANYONE},
	{"GET", "/v1/openapi.json", api_openapi, ANYONE},
	{"POST", "/v1/skus", api_sku_create, WRITERS},
	{"GET", "/v1/skus", api_sku_list, READERS},
	{"POST", "/v1/locations", api_location_create, WRITERS},
	{"GET", "/v1/locations", api_location_list, READERS},
	{"PUT", "/v1/locations/*/stock/*", api_stock_put, WRITERS},
	{"POST", "/v1/locations/*/stock/*/adjustments", api_stock_adjust,
	 WRITERS},
	{"GET", "/v1/stock", api_stock_get, READERS},
	{"GET", "/v1/stock/events", api_stock_events, READERS},
	{"GET", "/v1/settings", api_settings_get, READERS},
	{"PATCH", "/v1/settings", api_settings_patch, SUPERVISORS},
	{"POST", "/v1/orders", api_order_create, WRITERS},
	{"GET", "/v1/orders", api_order_list, READERS},
	{"GET", "/v1/orders/*", api_order_get, READERS},
	{"GET", "/v1/orders/*/events", api_order_events, READERS},
	{"GET", "/v1/orders/*/source", api_order_source, READERS},
	{"POST", "/v1/orders/*/defects", api_defect_create, WRITERS},
	{"GET", "/v1/defects", api_defect_list, READERS},
	{"GET", "/v1/fulfillments", api_fulfillment_list, READERS},
	{"GET", "/v1/fulfillments/*", api_fulfillment_get, READERS},
	{"POST", "/v1/fulfillments/*/accept", api_fulfillment_accept, WRITERS},
	{"POST", "/v1/fulfillments/*/reject", api_fulfillment_reject, WRITERS},
	{"POST", "/v1/fulfillments/*/shipments", api_shipment_create,
	 WRITERS},
	{"POST", "/v1/shipments/*/delivered", api_shipment_delivered,
	 WRITERS},
	{"GET", "/v1/shipments", api_shipment_list, READERS},
	{"GET", "/v1/shipments/*", api_shipment_get, READERS},
	{"POST", "/v1/waves", api_wave_create, WRITERS},
	{"POST", "/v1/webhooks", api_webhook_create, ADMINS},
	{"GET", "/v1/webhooks", api_webhook_list, READERS},
	{"DELETE", "/v1/webhooks/*", api_webhook_delete, ADMINS},
	{"POST", "/v1/webhooks/*/resume", api_webhook_resume, ADMINS},
	{"GET", "/v1/webhooks/deliveries", api_delivery_list, READERS},
	{"POST", "/v1/webhooks/deliveries/*/redeliver",
	 api_delivery_redeliver, WRITERS},
	{"POST", "/v1/channels", api_channel_create, ADMINS},
	{"GET", "/v1/channels", api_channel_list, READERS},
	{"GET", "/v1/channels/*", api_channel_get, READERS},
	{"PATCH", "/v1/channels/*", api_channel_update, ADMINS},
	{"DELETE", "/v1/channels/*", api_channel_delete, ADMINS},
	/* A Shopify store's order webhook: no key; its signature and the
	 * channel's secret say who sent it (api/channels.c). */
	{"POST", "/v1/channels/*/shopify/orders", api_shopify_order, ANYONE},
	{"GET", "/v1/queue", api_queue_list, REVIEWERS},
	{"POST", "/v1/holds/*/claim", api_hold_claim, PEOPLE},
	{"POST", "/v1/holds/*/release", api_hold_release, PEOPLE},
	{"POST", "/v1/holds/*/assign", api_hold_assign, SUPERVISORS},
	{"POST", "/v1/holds/*/resolve", api_hold_resolve, PEOPLE},
	{"POST", "/v1/holds/bulk", api_holds_bulk, SUPERVISORS},
	{"GET", "/v1/policy", api_policy_get, REVIEWERS},
	{"PUT", "/v1/policy", api_policy_put, SUPERVISORS},
	{"GET", "/v1/policy/versions", api_policy_versions, REVIEWERS},
	{"POST", "/v1/policy/simulate", api_policy_simulate, PEOPLE},
};

const size_t api_n_routes = sizeof(api_routes) / sizeof(api_routes[0]);
