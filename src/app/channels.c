/*
 * channels.c - channels and what comes through them.
 *
 * A channel is made, changed and deleted by the tenant's admins; its
 * secret is never shown back (an answer says only whether one is set). A
 * tenant has at most ORDO_CHANNELS_MAX channels, each mapping at most
 * ORDO_CHANNEL_SKUS_MAX of its codes. Each member is checked as it is
 * decoded (api/channels.c); here, once a change has met the channel as
 * stored, what the members ask of each other (app_channel_check).
 *
 * What a channel sends (a storefront's order webhook) carries no API key:
 * app_channel_caller reads the channel by the id of the path, and the
 * caller of the intake that follows is the channel itself.
 */
#include "app/audit.h"
#include "app/channels.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "app/tenants.h"
#include "channels/calls.h"
#include "core/ids.h"

/* Whether a token may go to url: over TLS, or not off this machine
 * (localhost, 127.0.0.0/8, [::1]). */
static bool https_or_local(const char *url)
{
	char host[64];
	const char *h, *end;
	struct in_addr a;

	if (strncmp(url, "https://", 8) == 0)
		return true;
	if (strncmp(url, "http://", 7) != 0)
		return false;
	h = url + 7;
	end = h[0] == '[' ? strchr(h, ']') : h + strcspn(h, ":/?#");
	if (!end)
		return false;
	if (h[0] == '[')
		end++;
	if ((size_t)(end - h) >= sizeof(host))
		return false;
	memcpy(host, h, (size_t)(end - h));
	host[end - h] = '\0';
	if (strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0)
		return true;
	return inet_pton(AF_INET, host, &a) == 1 &&
	       (ntohl(a.s_addr) >> 24) == 127;
}

ordo_code app_channel_check(const ordo_channel *ch, ordo_err *err)
{
	if ((ch->kind == CHANNEL_SHOPIFY || ch->kind == CHANNEL_WOOCOMMERCE) &&
	    !ch->secret[0])
		return ordo_err_set(err, ORDO_EINVALID, "secret",
				    "a %s channel needs the secret %s signs "
				    "its webhooks with",
				    channel_kind_name(ch->kind),
				    ch->kind == CHANNEL_SHOPIFY
					    ? "Shopify"
					    : "WooCommerce");
	if (ch->api_token[0] && ch->kind == CHANNEL_CSV)
		return ordo_err_set(err, ORDO_EINVALID, "api_token",
				    "ordo sends nothing to a csv channel");
	if ((ch->edi_own_id[0] || ch->edi_partner_id[0]) &&
	    ch->kind != CHANNEL_X12)
		return ordo_err_set(err, ORDO_EINVALID,
				    ch->edi_own_id[0] ? "edi_own_id"
						      : "edi_partner_id",
				    "ISA identities are an x12 channel's, "
				    "not a %s one's",
				    channel_kind_name(ch->kind));
	/* A warehouse handed its releases (940s) is told who writes. */
	if (ch->kind == CHANNEL_X12 && ch->base_url[0] && ch->location[0] &&
	    (!ch->edi_own_id[0] || !ch->edi_partner_id[0]))
		return ordo_err_set(err, ORDO_EINVALID,
				    !ch->edi_own_id[0] ? "edi_own_id"
						       : "edi_partner_id",
				    "an x12 channel sent the releases at its "
				    "location (a base_url and a location) "
				    "needs both ISA identities, edi_own_id "
				    "and edi_partner_id");
	if (ch->api_token[0] && !ch->base_url[0])
		return ordo_err_set(err, ORDO_EINVALID, "base_url",
				    "is needed with an api_token: where the "
				    "store's API is");
	if (ch->api_token[0] && !https_or_local(ch->base_url))
		return ordo_err_set(err, ORDO_EINVALID, "base_url",
				    "must be https:// when ordo sends the "
				    "api_token there (http:// only to this "
				    "machine itself)");
	if (ch->kind == CHANNEL_WOOCOMMERCE && ch->api_token[0] &&
	    !strchr(ch->api_token, ':'))
		return ordo_err_set(err, ORDO_EINVALID, "api_token",
				    "a WooCommerce REST API key is given as "
				    "consumer_key:consumer_secret");
	if (ch->kind != CHANNEL_CSV && ch->csv_map[0])
		return ordo_err_set(err, ORDO_EINVALID, "map",
				    "a column mapping is for a csv channel, "
				    "not a %s one",
				    channel_kind_name(ch->kind));
	return ORDO_OK;
}

/* What the channel's own webhook subscribes to as any webhook does: an
 * x12 channel's, the releases at its location and their cancellations
 * (the 940s of its warehouse); the rest ordo hands it
 * (app_channel_tell). */
static void hook_events(const ordo_channel *ch, webhook_sub *w)
{
	ordo_strlcpy(w->events,
		     ch->kind == CHANNEL_X12 && ch->location[0]
			     ? "fulfillment.released,fulfillment.cancelled"
			     : "",
		     sizeof(w->events));
}

/*
 * The channel's own webhook, kept to what ch asks: a storefront's while it
 * has a base URL and an API token, an x12 channel's while it has a base
 * URL (its url, secret and location the channel's); none otherwise. A
 * changed URL, token or location is tried at once on whatever waited; a
 * removed one fails what was pending (store_webhook_delete says why).
 */
static ordo_code hook_sync(store_tx *tx, int64_t tenant,
			   const ordo_channel *ch, bool gone, ordo_time now,
			   ordo_err *err)
{
	bool wanted = !gone && ch->base_url[0] &&
		      (ch->api_token[0] || ch->kind == CHANNEL_X12) &&
		      channel_calls_events(ch->kind)[0];
	bool found = false;
	webhook_sub w;
	ordo_code rc = store_channel_hook_get(tx, tenant, ch->name, &w, &found,
					      err);

	if (rc)
		return rc;
	if (!wanted)
		return found ? store_webhook_delete(tx, tenant, w.id, err)
			     : ORDO_OK;
	if (found && strcmp(w.url, ch->base_url) == 0 &&
	    strcmp(w.secret, ch->api_token) == 0 &&
	    strcmp(w.location, ch->location) == 0)
		return ORDO_OK;
	ordo_strlcpy(w.url, ch->base_url, sizeof(w.url));
	ordo_strlcpy(w.secret, ch->api_token, sizeof(w.secret));
	ordo_strlcpy(w.location, ch->location, sizeof(w.location));
	hook_events(ch, &w);
	if (found)
		return store_channel_hook_set(tx, tenant, &w, now, err);
	ordo_id_new("whk_", w.id);
	ordo_strlcpy(w.channel, ch->name, sizeof(w.channel));
	ordo_strlcpy(w.protocol, channel_kind_name(ch->kind),
		     sizeof(w.protocol));
	w.created_at = now;
	w.next_attempt_at = now;
	return store_webhook_insert(tx, tenant, &w, err);
}

/* The location a channel names is one of the tenant's. */
static ordo_code location_check(store_tx *tx, int64_t tenant,
				const ordo_channel *ch, ordo_err *err)
{
	catalog_location l;
	ordo_code rc;

	if (!ch->location[0])
		return ORDO_OK;
	rc = store_location_get(tx, tenant, ch->location, &l, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ordo_err_set(err, ORDO_EINVALID, "location",
				    "the tenant has no location \"%s\"",
				    ch->location);
	}
	return rc;
}

ordo_code app_channel_create(store_tx *tx, const app_caller *c,
			     ordo_channel *ch, ordo_time now, ordo_err *err)
{
	int64_t n = 0;
	ordo_code rc;

	/* Two creations racing on two nodes are counted one after the
	 * other. */
	rc = store_lock_named(tx, c->tenant_id, "channels", err);
	if (rc == ORDO_OK)
		rc = store_channel_count(tx, c->tenant_id, &n, err);
	if (rc)
		return rc;
	if (n >= ORDO_CHANNELS_MAX)
		return ordo_err_set(err, ORDO_ELIMIT, "name",
				    "a tenant has at most %d channels "
				    "(ORDO_CHANNELS_MAX); delete one first",
				    ORDO_CHANNELS_MAX);
	rc = location_check(tx, c->tenant_id, ch, err);
	if (rc)
		return rc;
	ordo_id_new("chn_", ch->id);
	ch->created_at = now;
	ch->updated_at = now;
	rc = store_channel_insert(tx, c->tenant_id, ch, err);
	return rc ? rc : hook_sync(tx, c->tenant_id, ch, false, now, err);
}

static ordo_code create_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_channel_cmd *c = (app_channel_cmd *)w;
	ordo_code rc = channel_copy(&c->stored, &c->in, err);

	if (rc == ORDO_OK)
		rc = app_channel_create(tx, &w->caller, &c->stored, w->now,
					err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "channel.created",
			       c->stored.id, NULL,
			       json_pack("{s:s, s:s}", "name", c->stored.name,
					 "kind",
					 channel_kind_name(c->stored.kind)),
			       err);
	return rc;
}

static ordo_code channel_update(store_tx *tx, app_write *w,
				app_channel_cmd *c, ordo_channel *s,
				ordo_err *err);

/* A channel's settings that are no secret, as the audit log shows them
 * before and after a change. */
static json_t *channel_settings(const ordo_channel *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "base_url",
			 s->base_url, "currency", s->currency, "location",
			 s->location, "edi_own_id", s->edi_own_id,
			 "edi_partner_id", s->edi_partner_id, "skus",
			 (json_int_t)s->n_skus);
}

static ordo_code update_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_channel_cmd *c = (app_channel_cmd *)w;
	ordo_channel *s = &c->stored;
	json_t *before;
	ordo_code rc;

	rc = store_channel_get(tx, w->caller.tenant_id, c->id, s, err);
	if (rc)
		return rc;
	before = channel_settings(s);
	rc = channel_update(tx, w, c, s, err);
	/* Which settings changed, and the values of those that are no
	 * secret; never a secret's value. */
	if (rc == ORDO_OK)
		return app_audit(
			tx, &w->caller, w->now, "channel.changed", c->id,
			json_pack("{s:o}", "settings", before),
			json_pack("{s:b, s:b, s:b, s:b, s:b, s:o}", "secret",
				  (c->set & CHANNEL_SET_SECRET) != 0,
				  "api_token",
				  (c->set & CHANNEL_SET_API_TOKEN) != 0,
				  "base_url",
				  (c->set & CHANNEL_SET_BASE_URL) != 0,
				  "location",
				  (c->set & CHANNEL_SET_LOCATION) != 0, "skus",
				  (c->set & CHANNEL_SET_SKUS) != 0, "settings",
				  channel_settings(s)),
			err);
	json_decref(before);
	return rc;
}

/* update_run's change of s, read. */
static ordo_code channel_update(store_tx *tx, app_write *w,
				app_channel_cmd *c, ordo_channel *s,
				ordo_err *err)
{
	ordo_code rc;

	/* Its orders carry its name, and are told apart by it: a store's
	 * order sent again after a rename would be taken twice. */
	if ((c->set & CHANNEL_SET_NAME) && strcmp(s->name, c->in.name) != 0)
		return ordo_err_set(err, ORDO_EINVALID, "name",
				    "a channel's name cannot change: its "
				    "orders carry it and are told apart by "
				    "it (make a new channel)");
	if ((c->set & CHANNEL_SET_SECRET) &&
	    strcmp(s->secret, c->in.secret) != 0) {
		/* The store may still sign with the secret it had, for the
		 * grace asked. */
		memcpy(s->previous_secret, s->secret,
		       sizeof(s->previous_secret));
		s->previous_until = c->secret_grace_s ? w->now + c->secret_grace_s
						      : 0;
		if (!s->previous_until)
			s->previous_secret[0] = '\0';
		memcpy(s->secret, c->in.secret, sizeof(s->secret));
	}
	if (c->set & CHANNEL_SET_BASE_URL)
		memcpy(s->base_url, c->in.base_url, sizeof(s->base_url));
	if (c->set & CHANNEL_SET_CURRENCY)
		memcpy(s->currency, c->in.currency, sizeof(s->currency));
	if (c->set & CHANNEL_SET_CSV_MAP)
		memcpy(s->csv_map, c->in.csv_map, sizeof(s->csv_map));
	if (c->set & CHANNEL_SET_API_TOKEN)
		memcpy(s->api_token, c->in.api_token, sizeof(s->api_token));
	if (c->set & CHANNEL_SET_EDI_OWN_ID)
		memcpy(s->edi_own_id, c->in.edi_own_id, sizeof(s->edi_own_id));
	if (c->set & CHANNEL_SET_EDI_PARTNER_ID)
		memcpy(s->edi_partner_id, c->in.edi_partner_id,
		       sizeof(s->edi_partner_id));
	if (c->set & CHANNEL_SET_LOCATION) {
		memcpy(s->location, c->in.location, sizeof(s->location));
		rc = location_check(tx, w->caller.tenant_id, s, err);
		if (rc)
			return rc;
	}

	if (c->set & CHANNEL_SET_SKUS) {
		rc = channel_set_skus(s, c->in.skus, c->in.n_skus, err);
		if (rc)
			return rc;
	}
	rc = app_channel_check(s, err);
	if (rc)
		return rc;
	s->updated_at = w->now;
	rc = store_channel_update(tx, w->caller.tenant_id, s,
				  (c->set & CHANNEL_SET_SKUS) != 0, err);
	if (rc == ORDO_OK)
		rc = hook_sync(tx, w->caller.tenant_id, s, false, w->now, err);
	return rc;
}

static ordo_code delete_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_channel_cmd *c = (app_channel_cmd *)w;
	ordo_code rc = store_channel_get(tx, w->caller.tenant_id, c->id,
					 &c->stored, err);

	if (rc == ORDO_OK)
		rc = store_channel_delete(tx, w->caller.tenant_id, c->id, err);
	if (rc == ORDO_OK)
		rc = hook_sync(tx, w->caller.tenant_id, &c->stored, true,
			       w->now, err);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "channel.deleted", c->id,
			       json_pack("{s:s}", "name", c->stored.name), NULL,
			       err);
	return rc;
}

static void channel_clear(app_write *w)
{
	channel_free(&((app_channel_cmd *)w)->stored);
}

static void channel_free_input(app_write *w)
{
	channel_free(&((app_channel_cmd *)w)->in);
}

static const app_write_type create_type = {
	.name = "channel_create",
	.run = create_run,
	.clear = channel_clear,
	.free_input = channel_free_input,
};
static const app_write_type update_type = {
	.name = "channel_update",
	.run = update_run,
	.clear = channel_clear,
	.free_input = channel_free_input,
};
static const app_write_type delete_type = {
	.name = "channel_delete",
	.run = delete_run,
	.clear = channel_clear,
	.free_input = channel_free_input,
};

static void cmd_init(app_channel_cmd *c, const app_write_type *t,
		     const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, t, caller, now);
}

void app_channel_create_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now)
{
	cmd_init(c, &create_type, caller, now);
}

void app_channel_update_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now)
{
	cmd_init(c, &update_type, caller, now);
}

void app_channel_delete_cmd_init(app_channel_cmd *c, const app_caller *caller,
				 ordo_time now)
{
	cmd_init(c, &delete_type, caller, now);
}
