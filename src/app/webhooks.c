/*
 * webhooks.c - subscriptions and their deliveries.
 *
 * A subscription names a URL and the event types it wants; one tied to a
 * location is that location's handoff: it gets only that location's
 * fulfillment.* events. Its signing secret is made here, shown once in the
 * answer to its creation, and kept so that every delivery can be signed
 * (signature.h). Deliveries themselves are made by the outbox worker
 * (outbox/worker.c); here a failed one can be sent again, and a webhook
 * the outbox paused (its receiver failed too long) is resumed. A tenant has
 * at most ORDO_WEBHOOKS_MAX webhooks. Whether a url is one (http or
 * https: app_webhook_check) and whether its host is allowed (public, or in
 * the operator's allow list) are checked before the write, where resolving
 * a name may take its time (api/webhooks.c); the write counts, looks up
 * the location and stores.
 */
#include "app/caller.h"
#include "app/flow.h"
#include "app/tenants.h"
#include "app/webhooks.h"
#include "app/audit.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "channels/native_out.h"

const char *const app_event_types[] = {
	"order.accepted",	"order.on_hold",	 "order.allocated",
	"order.backordered",	"fulfillment.released", "fulfillment.accepted",
	"fulfillment.rejected", "fulfillment.cancelled", "shipment.created",
	"order.shipped",
	"order.delivered",	"order.closed",		 "order.cancelled",
	"stock.low",		"webhook.paused",	 "order.changed",
	"change_request.requested", "change_request.accepted",
	"change_request.refused", "change_request.expired",
	"fulfillment.change_requested", "return.authorized",
	"return.received", "return.refunded", "alert.raised",
	"alert.cleared", NULL,
};

bool app_event_type_known(const char *type)
{
	size_t i;

	for (i = 0; app_event_types[i]; i++)
		if (strcmp(type, app_event_types[i]) == 0)
			return true;
	return false;
}

ordo_code app_webhook_check(const webhook_sub *w, ordo_err *err)
{
	if (strncmp(w->url, "http://", 7) != 0 &&
	    strncmp(w->url, "https://", 8) != 0)
		return ordo_err_set(err, ORDO_EINVALID, "url",
				    "the url must start with http:// or "
				    "https://");
	return ORDO_OK;
}

/* A new signing secret: "whsec_" and 48 hex digits. */
static void secret_make(char out[STORE_SECRET_MAX])
{
	unsigned char raw[24];
	char hex[49];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(hex, sizeof(hex), raw, sizeof(raw));
	snprintf(out, STORE_SECRET_MAX, "whsec_%s", hex);
	sodium_memzero(raw, sizeof(raw));
}

ordo_code app_webhook_create(store_tx *tx, const app_caller *c,
			     webhook_sub *w, ordo_time now, ordo_err *err)
{
	{
		int64_t n = 0;
		/* Two creations racing on two nodes are counted one after
		 * the other. */
		ordo_code rc = store_lock_named(tx, c->tenant_id, "webhooks",
						err);

		if (rc == ORDO_OK)
			rc = store_webhook_count(tx, c->tenant_id, &n, err);
		if (rc)
			return rc;
		if (n >= ORDO_WEBHOOKS_MAX)
			return ordo_err_set(err, ORDO_ELIMIT, "url",
					    "a tenant has at most %d webhooks "
					    "(ORDO_WEBHOOKS_MAX); delete one "
					    "first",
					    ORDO_WEBHOOKS_MAX);
	}
	if (w->location[0]) {
		catalog_location l;
		ordo_code rc = store_location_get(tx, c->tenant_id,
						  w->location, &l, err);

		if (rc)
			return rc;
	}
	ordo_id_new("whk_", w->id);
	secret_make(w->secret);
	w->created_at = now;
	return store_webhook_insert(tx, c->tenant_id, w, err);
}

ordo_code app_delivery_redeliver(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time now, delivery *out,
				 ordo_err *err)
{
	tenant_settings set;
	webhook_sub w;
	ordo_code rc;

	memset(out, 0, sizeof(*out));
	rc = store_delivery_get(tx, c->tenant_id, id, out, err);
	if (rc == ORDO_OK)
		rc = store_settings_get(tx, c->tenant_id, &set, err);
	if (rc)
		return rc;
	/* Pending again would mean pending for ever: nothing sends to a
	 * deleted webhook, nor to a paused one until it is resumed. */
	rc = store_webhook_get(tx, c->tenant_id, out->webhook_id, &w, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ordo_err_set(err, ORDO_ECONFLICT, "id",
				    "the webhook of delivery %s was deleted; "
				    "nothing can send it again",
				    out->id);
	}
	if (rc)
		return rc;
	if (w.paused)
		return ordo_err_set(err, ORDO_ECONFLICT, "id",
				    "the webhook %s is paused; resume it "
				    "(POST /v1/webhooks/%s/resume) first",
				    w.id, w.id);
	/* A store told of a shipment would fulfill its units again. */
	if (w.channel[0] && out->status == DELIVERY_DELIVERED)
		return ordo_err_set(err, ORDO_ECONFLICT, "id",
				    "delivery %s was taken by channel %s's "
				    "store; telling it again would do it "
				    "twice",
				    out->id, w.channel);
	out->status = DELIVERY_PENDING;
	out->next_attempt_at = now;
	out->retry_until = now + set.webhook_retry_window_s;
	out->claimed_until = 0;
	out->delivered_at = 0;
	rc = store_delivery_update(tx, out, err);
	return rc ? rc : store_webhook_wake(tx, c->tenant_id, w.id, now, err);
}

ordo_code app_webhook_paused_emit(store_tx *tx, int64_t tenant,
				  const webhook_sub *w, ordo_err *err)
{
	json_t *data = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s}", "id", w->id,
				 "url", w->url, "status", "paused",
				 "paused_at", native_time_json(w->paused_at),
				 "failing_since",
				 native_time_json(w->failing_since),
				 "last_error", w->last_error);

	if (!data)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	return app_emit_except(tx, tenant, "webhook.paused", NULL, NULL, data,
			       w->id, w->paused_at, err);
}

ordo_code app_webhook_delete(store_tx *tx, const app_caller *c,
			     const char *id, ordo_err *err)
{
	webhook_sub w;
	ordo_code rc = store_webhook_get(tx, c->tenant_id, id, &w, err);

	if (rc)
		return rc;
	/* A channel's own webhook lives as long as the channel's calls. */
	if (w.channel[0])
		return ordo_err_set(err, ORDO_ECONFLICT, "id",
				    "webhook %s is channel %s's own; clear "
				    "the channel's base_url to stop what it "
				    "sends",
				    w.id, w.channel);
	return store_webhook_delete(tx, c->tenant_id, id, err);
}

ordo_code app_webhook_resume(store_tx *tx, const app_caller *c,
			     const char *id, ordo_time now, webhook_sub *w,
			     ordo_err *err)
{
	ordo_code rc = store_webhook_resume(tx, c->tenant_id, id, now, err);

	return rc ? rc : store_webhook_get(tx, c->tenant_id, id, w, err);
}

/* ---- the commands (write.h) ----------------------------------------------- */

/* app_webhook_create fills in the webhook it is given (id, secret): it
 * works on a copy, so that a run that is repeated starts from the same. */
static ordo_code create_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_webhook_cmd *c = (app_webhook_cmd *)w;

	ordo_code rc;

	c->stored = c->sub;
	rc = app_webhook_create(tx, &w->caller, &c->stored, w->now, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "webhook.created",
			       c->stored.id, NULL,
			       json_pack("{s:s, s:s, s:s}", "url",
					 c->stored.url, "events",
					 c->stored.events, "location",
					 c->stored.location),
			       err);
	return rc;
}

static void create_clear(app_write *w)
{
	app_webhook_cmd *c = (app_webhook_cmd *)w;

	/* The secret is wiped, not just forgotten, before the command's
	 * memory is given back. */
	sodium_memzero(&c->stored, sizeof(c->stored));
}

static const app_write_type create_type = {
	.name = "webhook_create", .run = create_run, .clear = create_clear};

void app_webhook_cmd_init(app_webhook_cmd *c, const app_caller *caller,
			  ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &create_type, caller, now);
}

static ordo_code delete_run(store_tx *tx, app_write *w, ordo_err *err)
{
	const char *id = ((app_webhook_delete_cmd *)w)->id;
	webhook_sub was;
	ordo_code rc = store_webhook_get(tx, w->caller.tenant_id, id, &was,
					 err);

	if (rc == ORDO_OK)
		rc = app_webhook_delete(tx, &w->caller, id, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "webhook.deleted", id,
			       json_pack("{s:s}", "url", was.url), NULL, err);
	sodium_memzero(&was, sizeof(was));
	return rc;
}

static const app_write_type delete_type = {.name = "webhook_delete",
					   .run = delete_run};

void app_webhook_delete_cmd_init(app_webhook_delete_cmd *c,
				 const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &delete_type, caller, now);
}

static ordo_code rotate_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_webhook_rotate_cmd *c = (app_webhook_rotate_cmd *)w;
	ordo_code rc = store_webhook_get(tx, w->caller.tenant_id, c->id,
					 &c->stored, err);

	if (rc == ORDO_OK && c->stored.channel[0])
		return ordo_err_set(err, ORDO_ECONFLICT, "id",
				    "webhook %s is channel %s's own: its "
				    "secret is the channel's API token",
				    c->id, c->stored.channel);
	if (rc)
		return rc;
	secret_make(c->stored.secret);
	rc = store_webhook_rotate(tx, w->caller.tenant_id, c->id,
				  c->stored.secret, w->now + c->grace_s, err);
	if (rc == ORDO_OK)
		rc = store_webhook_get(tx, w->caller.tenant_id, c->id,
				       &c->stored, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "webhook.rotated", c->id,
			       NULL,
			       json_pack("{s:I}", "grace_s",
					 (json_int_t)c->grace_s),
			       err);
	return rc;
}

static void rotate_clear(app_write *w)
{
	sodium_memzero(&((app_webhook_rotate_cmd *)w)->stored,
		       sizeof(webhook_sub));
}

static const app_write_type rotate_type = {
	.name = "webhook_rotate", .run = rotate_run, .clear = rotate_clear};

void app_webhook_rotate_cmd_init(app_webhook_rotate_cmd *c,
				 const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &rotate_type, caller, now);
	c->grace_s = ORDO_SECRET_GRACE_DEFAULT_S;
}

static ordo_code resume_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_webhook_resume_cmd *c = (app_webhook_resume_cmd *)w;
	ordo_code rc = app_webhook_resume(tx, &w->caller, c->id, w->now,
					  &c->stored, err);

	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "webhook.resumed",
			       c->id, json_pack("{s:s}", "status", "paused"),
			       json_pack("{s:s}", "status", "active"), err);
	return rc;
}

static const app_write_type resume_type = {.name = "webhook_resume",
					   .run = resume_run};

void app_webhook_resume_cmd_init(app_webhook_resume_cmd *c,
				 const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &resume_type, caller, now);
}

static ordo_code redeliver_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_redeliver_cmd *c = (app_redeliver_cmd *)w;

	return app_delivery_redeliver(tx, &w->caller, c->id, w->now,
				      &c->stored, err);
}

static void redeliver_clear(app_write *w)
{
	store_delivery_free(&((app_redeliver_cmd *)w)->stored);
}

static const app_write_type redeliver_type = {.name = "delivery_redeliver",
					      .run = redeliver_run,
					      .clear = redeliver_clear};

void app_redeliver_cmd_init(app_redeliver_cmd *c, const app_caller *caller,
			    ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &redeliver_type, caller, now);
}
