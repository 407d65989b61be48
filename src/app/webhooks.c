/*
 * webhooks.c - subscriptions and their deliveries.
 *
 * A subscription names a URL and the event types it wants; one tied to a
 * location is that location's handoff: it gets only that location's
 * fulfillment.* events. Its signing secret is made here, shown once in the
 * answer to its creation, and kept so that every delivery can be signed
 * (signature.h). Deliveries themselves are made by the outbox worker
 * (outbox/worker.c); here a failed one can be sent again.
 */
#include "app/app.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const app_event_types[] = {
	"order.accepted",	"order.on_hold",	 "order.allocated",
	"order.backordered",	"fulfillment.released", "fulfillment.accepted",
	"fulfillment.rejected", "fulfillment.cancelled", "shipment.created",
	"order.shipped",
	"order.delivered",	"order.closed",		 "order.cancelled",
	"stock.low",		NULL,
};

bool app_event_type_known(const char *type)
{
	size_t i;

	for (i = 0; app_event_types[i]; i++)
		if (strcmp(type, app_event_types[i]) == 0)
			return true;
	return false;
}

ordo_code app_webhook_create(store_tx *tx, const app_caller *c,
			     webhook_sub *w, ordo_err *err)
{
	unsigned char raw[24];
	char hex[49];

	if (strncmp(w->url, "http://", 7) != 0 &&
	    strncmp(w->url, "https://", 8) != 0)
		return ordo_err_set(err, ORDO_EINVALID, "url",
				    "the url must start with http:// or "
				    "https://");
	if (w->location[0]) {
		catalog_location l;
		ordo_code rc = store_location_get(tx, c->tenant_id,
						  w->location, &l, err);

		if (rc)
			return rc;
	}
	app_id_new("whk_", w->id);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(w->secret, sizeof(w->secret), "whsec_%s", hex);
	w->created_at = time(NULL);
	return store_webhook_insert(tx, c->tenant_id, w, err);
}

ordo_code app_delivery_redeliver(store_tx *tx, const app_caller *c,
				 const char *id, delivery *out, ordo_err *err)
{
	tenant_settings set;
	ordo_time now = time(NULL);
	ordo_code rc;

	memset(out, 0, sizeof(*out));
	rc = store_delivery_get(tx, c->tenant_id, id, out, err);
	if (rc == ORDO_OK)
		rc = store_settings_get(tx, c->tenant_id, &set, err);
	if (rc)
		return rc;
	out->status = DELIVERY_PENDING;
	out->next_attempt_at = now;
	out->retry_until = now + set.webhook_retry_window_s;
	out->claimed_until = 0;
	out->delivered_at = 0;
	return store_delivery_update(tx, out, err);
}

ordo_code app_webhook_delete(store_tx *tx, const app_caller *c,
			     const char *id, ordo_err *err)
{
	return store_webhook_delete(tx, c->tenant_id, id, err);
}
