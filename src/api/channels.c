/*
 * channels.c - channels over HTTP, what they send, and an order's source.
 *
 * /v1/channels makes, lists, reads, changes and deletes a tenant's
 * channels (app/channels.h). A channel's secret is written, never read
 * back: an answer says only whether one is set (secret_set).
 *
 * POST /v1/channels/{id}/shopify/orders and .../woocommerce/orders are
 * what a store's order webhook calls (struct storefront says how each
 * store signs and names things). They carry no API key: the path's
 * channel names the tenant, and the signature header (the base64 HMAC-
 * SHA256 of the raw body with the channel's secret: X-Shopify-Hmac-Sha256,
 * X-WC-Webhook-Signature) proves the store sent it; anything else answers
 * 401 and stores nothing. A store sends each delivery again until it is
 * answered: a delivery's id (X-Shopify-Webhook-Id, X-WC-Webhook-Delivery-ID)
 * is its Idempotency-Key (a second delivery gets the first one's answer
 * back, replayed), and the store's order id is the order's external_id (a
 * second webhook for the same order finds it: 200 with the order as
 * stored). The order is decoded here, outside the write (channels/
 * shopify.c, woocommerce.c), and taken in as any other: the same
 * validation, duplicate detection and review policy. Its document is kept
 * with it, as it came (GET /v1/orders/{id}/source). WooCommerce's unsigned
 * ping as a webhook is saved ("webhook_id=N") is answered 200, storing
 * nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "app/channels.h"
#include "app/imports.h"
#include "channels/csv.h"
#include "channels/json_fields.h"
#include "channels/shopify.h"
#include "channels/woocommerce.h"
#include "channels/x12.h"

#define EDI_ID_RULE                                                            \
	"is an ISA identity as \"QQ:ID\": a qualifier of 2 letters or "       \
	"digits, a colon "                                                     \
	"and an ID of 1 to 15 printable characters, none of *~>^|"
#include "core/money.h"
#include "core/signature.h"
#include "outbox/worker.h"

static const char *const no_query[] = {NULL};

/* What a channel's document is kept as. */
#define SOURCE_JSON "application/json"

static json_t *channel_json(const ordo_channel *ch, bool with_skus)
{
	json_t *j = json_object();
	char endpoint[128];

	json_object_set_new(j, "id", json_string(ch->id));
	json_object_set_new(j, "kind",
			    json_string(channel_kind_name(ch->kind)));
	json_object_set_new(j, "name", json_string(ch->name));
	json_object_set_new(j, "secret_set", json_boolean(ch->secret[0]));
	json_object_set_new(j, "api_token_set",
			    json_boolean(ch->api_token[0]));
	json_object_set_new(j, "location", ch->location[0]
						   ? json_string(ch->location)
						   : json_null());
	json_object_set_new(j, "edi_own_id", ch->edi_own_id[0]
						     ? json_string(ch->edi_own_id)
						     : json_null());
	json_object_set_new(j, "edi_partner_id",
			    ch->edi_partner_id[0]
				    ? json_string(ch->edi_partner_id)
				    : json_null());

	json_object_set_new(j, "base_url", ch->base_url[0]
						   ? json_string(ch->base_url)
						   : json_null());
	json_object_set_new(j, "currency", ch->currency[0]
						   ? json_string(ch->currency)
						   : json_null());
	/* Where its documents go. */
	if (ch->kind == CHANNEL_SHOPIFY || ch->kind == CHANNEL_WOOCOMMERCE)
		snprintf(endpoint, sizeof(endpoint), "/v1/channels/%s/%s/orders",
			 ch->id, channel_kind_name(ch->kind));
	else if (ch->kind == CHANNEL_X12)
		snprintf(endpoint, sizeof(endpoint), "/v1/channels/%s/x12",
			 ch->id);
	else
		snprintf(endpoint, sizeof(endpoint), "/v1/imports?channel=%s",
			 ch->name);
	json_object_set_new(j, "endpoint", json_string(endpoint));
	if (with_skus) {
		json_t *skus = json_array();
		size_t i;

		for (i = 0; i < ch->n_skus; i++)
			json_array_append_new(
				skus, json_pack("{s:s,s:s}", "code",
						ch->skus[i].code, "sku",
						ch->skus[i].sku));
		json_object_set_new(j, "skus", skus);
	} else {
		json_object_set_new(j, "sku_count",
				    json_integer((json_int_t)ch->n_skus));
	}
	json_object_set_new(j, "map", ch->csv_map[0]
					      ? json_loads(ch->csv_map, 0, NULL)
					      : json_null());
	json_object_set_new(j, "previous_secret_until",
			    native_time_json(ch->previous_until));
	json_object_set_new(j, "created_at", native_time_json(ch->created_at));
	json_object_set_new(j, "updated_at", native_time_json(ch->updated_at));
	return j;
}

/* ---- decoding a channel -------------------------------------------------- */

static const char *const channel_members[] = {
	"kind",	    "name", "secret", "base_url",   "api_token",
	"location", "edi_own_id", "edi_partner_id", "currency",
	"skus",	    "map",	  "secret_grace_s", NULL,
};
static const char *const channel_computed[] = {
	"id",	   "secret_set", "api_token_set", "endpoint",   "sku_count",
	"created_at", "updated_at", "previous_secret_until", NULL,
};

/* The SKU mapping at doc's "skus" into ch; *given says it was there. */
static void decode_skus(const json_t *doc, ordo_channel *ch, bool *given,
			ordo_err *err)
{
	static const char *const members[] = {"code", "sku", NULL};
	json_t *arr = jf_array(doc, "", "skus", false, err), *item;
	channel_sku *skus;
	char path[ORDO_ERR_FIELD_MAX], code_path[ORDO_ERR_FIELD_MAX];
	size_t n, i, k;

	*given = arr != NULL;
	if (!arr)
		return;
	n = json_array_size(arr);
	if (n > ORDO_CHANNEL_SKUS_MAX) {
		ordo_err_add(err, ORDO_ELIMIT, "skus",
			     "%zu SKU mappings; a channel holds at most %d", n,
			     ORDO_CHANNEL_SKUS_MAX);
		return;
	}
	skus = calloc(n ? n : 1, sizeof(*skus));
	if (!skus) {
		ordo_err_add(err, ORDO_ENOMEM, "skus", "out of memory");
		return;
	}
	json_array_foreach(arr, i, item) {
		jf_index_path(path, sizeof(path), "skus", i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object {\"code\", \"sku\"}");
			continue;
		}
		jf_only(item, path, members, NULL, err);
		jf_string(item, path, "code", true, skus[i].code,
			  sizeof(skus[i].code), err);
		jf_string(item, path, "sku", true, skus[i].sku,
			  sizeof(skus[i].sku), err);
		/* A code mapped twice, named where it is given again. */
		for (k = 0; skus[i].code[0] && k < i; k++) {
			if (strcmp(skus[k].code, skus[i].code) != 0)
				continue;
			jf_path(code_path, sizeof(code_path), path, "code");
			ordo_err_add(err, ORDO_EINVALID, code_path,
				     "code \"%s\" is mapped already "
				     "(skus[%zu])",
				     skus[i].code, k);
			break;
		}
	}
	if (err->code == ORDO_OK)
		channel_set_skus(ch, skus, n, err);
	free(skus);
}

/* A csv channel's column mapping ("map": an object, or null for none),
 * checked as its files will be read (channels/csv.h) and kept as compact
 * JSON text. Whether the kind takes one is the app's to say. */
static void decode_map(const json_t *doc, ordo_channel *ch, unsigned *set,
		       ordo_err *err)
{
	json_t *map = json_object_get(doc, "map");
	ordo_err map_err = ORDO_ERR_INIT;
	csv_map m;
	char *text;
	size_t i;

	if (!map)
		return;
	*set |= CHANNEL_SET_CSV_MAP;
	if (json_is_null(map))
		return;
	if (!json_is_object(map)) {
		ordo_err_add(err, ORDO_EINVALID, "map",
			     "must be an object (a column mapping) or null");
		return;
	}
	if (csv_map_from_json(map, &m, &map_err) != ORDO_OK) {
		for (i = 0; i < map_err.n_details; i++) {
			char path[ORDO_ERR_FIELD_MAX];

			jf_path(path, sizeof(path), "map",
				map_err.details[i].field);
			ordo_err_add(err, map_err.code, path, "%s",
				     map_err.details[i].message);
		}
		if (!map_err.n_details)
			ordo_err_add(err, map_err.code, "map", "%s",
				     map_err.message);
		ordo_err_clear(&map_err);
		return;
	}
	text = native_dump_flags(map, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text || strlen(text) >= sizeof(ch->csv_map))
		ordo_err_add(err, text ? ORDO_ELIMIT : ORDO_ENOMEM, "map",
			     "the mapping takes more than %zu bytes",
			     sizeof(ch->csv_map) - 1);
	else
		memcpy(ch->csv_map, text, strlen(text) + 1);
	free(text);
}

/* Whether doc's member key is null or "": what clears a setting. */
static bool cleared(const json_t *doc, const char *key)
{
	const json_t *v = json_object_get(doc, key);

	return json_is_null(v) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

/* An optional text member key of doc into dst (null or "" clear it):
 * true, with bit added to *set, when it was given and read. */
static bool opt_text(const json_t *doc, const char *key, char *dst,
		     size_t size, unsigned bit, unsigned *set, ordo_err *err)
{
	if (!json_object_get(doc, key) ||
	    !(cleared(doc, key) ||
	      jf_string(doc, "", key, false, dst, size, err)))
		return false;
	*set |= bit;
	return true;
}

/*
 * The members of a channel present in doc into ch; *set gets the
 * CHANNEL_SET_* of those present. A creation needs kind and name; a
 * change may not name the kind.
 */
static void decode_channel(const json_t *doc, ordo_channel *ch,
			   unsigned *set, bool creating, ordo_err *err)
{
	char kind[16], list[JF_LIST_MAX];
	bool skus = false;

	*set = 0;
	jf_only(doc, "", channel_members, channel_computed, err);
	if (creating) {
		if (jf_string(doc, "", "kind", true, kind, sizeof(kind), err) &&
		    channel_kind_parse(kind, &ch->kind) != 0) {
			JF_ENUM_LIST(list, sizeof(list), channel_kind_name,
				     CHANNEL_KIND_COUNT);
			ordo_err_add(err, ORDO_EINVALID, "kind",
				     "\"%s\" is not a channel kind; one of: %s",
				     kind, list);
		}
	} else if (json_object_get(doc, "kind")) {
		ordo_err_add(err, ORDO_EINVALID, "kind",
			     "a channel's kind cannot change; make a new "
			     "channel");
	}
	if (jf_string(doc, "", "name", creating, ch->name, sizeof(ch->name),
		      err)) {
		*set |= CHANNEL_SET_NAME;
		if (!channel_name_ok(ch->name))
			ordo_err_add(err, ORDO_EINVALID, "name",
				     CHANNEL_NAME_RULE);
	}
	/* Each optional text member: null or "" clears it. */
	opt_text(doc, "secret", ch->secret, sizeof(ch->secret),
		 CHANNEL_SET_SECRET, set, err);
	if (opt_text(doc, "base_url", ch->base_url, sizeof(ch->base_url),
		     CHANNEL_SET_BASE_URL, set, err) &&
	    ch->base_url[0] && strncmp(ch->base_url, "http://", 7) != 0 &&
	    strncmp(ch->base_url, "https://", 8) != 0)
		ordo_err_add(err, ORDO_EINVALID, "base_url",
			     "must start with http:// or https://");
	opt_text(doc, "api_token", ch->api_token, sizeof(ch->api_token),
		 CHANNEL_SET_API_TOKEN, set, err);
	opt_text(doc, "location", ch->location, sizeof(ch->location),
		 CHANNEL_SET_LOCATION, set, err);
	if (opt_text(doc, "edi_own_id", ch->edi_own_id,
		     sizeof(ch->edi_own_id), CHANNEL_SET_EDI_OWN_ID, set, err) &&
	    ch->edi_own_id[0] && !x12_edi_id_ok(ch->edi_own_id))
		ordo_err_add(err, ORDO_EINVALID, "edi_own_id", EDI_ID_RULE);
	if (opt_text(doc, "edi_partner_id", ch->edi_partner_id,
		     sizeof(ch->edi_partner_id), CHANNEL_SET_EDI_PARTNER_ID,
		     set, err) &&
	    ch->edi_partner_id[0] && !x12_edi_id_ok(ch->edi_partner_id))
		ordo_err_add(err, ORDO_EINVALID, "edi_partner_id",
			     EDI_ID_RULE);
	if (opt_text(doc, "currency", ch->currency, sizeof(ch->currency),
		     CHANNEL_SET_CURRENCY, set, err) &&
	    ch->currency[0] && !money_currency_known(ch->currency))
		ordo_err_add(err, ORDO_EINVALID, "currency",
			     "\"%s\" is not an ISO 4217 currency ordo knows",
			     ch->currency);
	decode_skus(doc, ch, &skus, err);
	if (skus)
		*set |= CHANNEL_SET_SKUS;
	decode_map(doc, ch, set, err);
	if (creating && err->code == ORDO_OK) {
		/* What the members ask of each other, as one more problem
		 * of the request (its message kept, its field named). */
		ordo_err check = ORDO_ERR_INIT;

		if (app_channel_check(ch, &check) != ORDO_OK)
			ordo_err_add(err, check.code, check.field, "%s",
				     check.message);
		ordo_err_clear(&check);
	}
	if (!creating && err->code == ORDO_OK && !*set)
		ordo_err_add(err, ORDO_EINVALID, NULL,
			     "name at least one member to change: %s",
			     "name, secret, base_url, api_token, location, "
			     "edi_own_id, edi_partner_id, currency, skus, "
			     "map");
}

static void decode_create(const json_t *doc, void *out, ordo_err *err)
{
	app_channel_cmd *c = out;

	decode_channel(doc, &c->in, &c->set, true, err);
	if (json_object_get(doc, "secret_grace_s"))
		ordo_err_add(err, ORDO_EINVALID, "secret_grace_s",
			     "a new channel has no secret before its first");
}

static void decode_update(const json_t *doc, void *out, ordo_err *err)
{
	app_channel_cmd *c = out;

	decode_channel(doc, &c->in, &c->set, false, err);
	if (jf_int(doc, "", "secret_grace_s", false, 0,
		   ORDO_SECRET_GRACE_MAX_S, &c->secret_grace_s, err) &&
	    !(c->set & CHANNEL_SET_SECRET))
		ordo_err_add(err, ORDO_EINVALID, "secret_grace_s",
			     "a grace is for the secret a change replaces: "
			     "give the new \"secret\" too");
}

/* ---- the routes ---------------------------------------------------------- */

static json_t *channel_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return channel_json(&((const app_channel_cmd *)w)->stored, true);
}

static json_t *created_reply(api_request *r, const app_write *w, int *status)
{
	json_t *j = channel_reply(r, w, status);

	*status = 201;
	return j;
}

static enum MHD_Result channel_write(api_request *r, bool creating)
{
	app_channel_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	if (creating)
		app_channel_create_cmd_init(c, &r->caller, api_now(r));
	else
		app_channel_update_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    (!creating &&
	     !api_path_id(r, "channel", c->id, sizeof(c->id), &ret)) ||
	    !api_decode_body(r, creating ? decode_create : decode_update, c,
			     &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	/* ordo calls the store there: checked as a webhook's url is, and
	 * before the write, since it resolves the host. */
	if ((c->set & CHANNEL_SET_BASE_URL) && c->in.base_url[0]) {
		ordo_err check = ORDO_ERR_INIT, err = ORDO_ERR_INIT;

		if (outbox_url_check(c->in.base_url, &check) != ORDO_OK) {
			ordo_err_set(&err, check.code, "base_url", "%s",
				     check.message);
			ret = api_reply_error(r, &err);
			ordo_err_clear(&check);
			ordo_err_clear(&err);
			api_write_free(&c->w);
			return ret;
		}
	}
	return api_submit_write(r, &c->w,
				creating ? created_reply : channel_reply,
				api_write_free);
}

enum MHD_Result api_channel_create(api_request *r)
{
	return channel_write(r, true);
}

enum MHD_Result api_channel_update(api_request *r)
{
	return channel_write(r, false);
}

static json_t *delete_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	(void)w;
	*status = 204;
	return NULL;
}

enum MHD_Result api_channel_delete(api_request *r)
{
	app_channel_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_channel_delete_cmd_init(c, &r->caller, api_now(r));
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "channel",
				delete_reply);
}

static enum MHD_Result reply_error(api_request *r, ordo_err *err)
{
	enum MHD_Result ret = api_reply_error(r, err);

	ordo_err_clear(err);
	return ret;
}

enum MHD_Result api_channel_list(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	ordo_channel *items = NULL;
	json_t *arr;
	size_t n = 0, i;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_channel_list(r->srv->st, &r->caller, &items, &n, err))
		return reply_error(r, err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, channel_json(&items[i], false));
	free(items);
	return api_reply_json(r, MHD_HTTP_OK,
			      json_pack("{s:o}", "channels", arr));
}

enum MHD_Result api_channel_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	ordo_channel ch;
	enum MHD_Result ret;
	json_t *j;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	channel_init(&ch);
	if (app_channel_get(r->srv->st, &r->caller, r->params[0], &ch, err))
		return reply_error(r, err);
	j = channel_json(&ch, true);
	channel_free(&ch);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_order_source(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	char type[ORDO_SOURCE_TYPE_MAX], *body = NULL;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_order_source(r->srv->st, &r->caller, r->params[0], type,
			     sizeof(type), &body, err))
		return reply_error(r, err);
	return api_queue_typed(r, MHD_HTTP_OK, body, type, NULL);
}

/* ---- what a storefront sends ---------------------------------------------- */

/* A storefront's order webhook: how it signs, names its topic and its
 * delivery, which topics take orders, and its decoder. */
struct storefront {
	channel_kind kind;
	const char *signature; /* header: base64 HMAC-SHA256 of the body */
	const char *topic;     /* header */
	const char *delivery;  /* header: the delivery's id */
	/* Taken: a new order, an update, and the store's cancellation
	 * (NULL when it has no topic of its own). */
	const char *topics[3];
	ordo_code (*decode)(const char *body, size_t len,
			    const ordo_channel *ch, order *o, ordo_err *err);
	/* Whether an update says the store cancelled the order. */
	bool (*cancels)(const char *body, size_t len);
};

static const struct storefront shopify = {
	CHANNEL_SHOPIFY,
	"X-Shopify-Hmac-Sha256",
	"X-Shopify-Topic",
	"X-Shopify-Webhook-Id",
	{"orders/create", "orders/updated", "orders/cancelled"},
	shopify_order_decode,
	NULL,
};
static const struct storefront woocommerce = {
	CHANNEL_WOOCOMMERCE,
	"X-WC-Webhook-Signature",
	"X-WC-Webhook-Topic",
	"X-WC-Webhook-Delivery-ID",
	{"order.created", "order.updated", NULL},
	woocommerce_order_decode,
	woocommerce_order_cancelled,
};

static json_t *intake_reply(api_request *r, const app_write *w, int *status)
{
	const app_intake_cmd *c = (const app_intake_cmd *)w;
	json_t *j;

	(void)r;
	*status = c->outcome == INTAKE_CREATED ? 201 : 200;
	/* A cancellation of an order ordo never had: nothing to do. */
	if (c->outcome == INTAKE_UNKNOWN)
		return json_pack("{s:b, s:s}", "cancelled", 0, "message",
				 "ordo has no order of this channel with this "
				 "external id; nothing was cancelled");
	j = native_order_json(&c->stored, w->now);
	/* What the store said that ordo did not take, and why (also on
	 * the order's timeline). */
	if (j && c->not_applied[0])
		json_object_set_new(j,
				    c->channel_cancel
					    ? "cancellation_not_applied"
					    : "changes_not_applied",
				    json_string(c->not_applied));
	return j;
}

static const char *header(api_request *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static bool topic_takes(const struct storefront *sf, const char *topic)
{
	size_t i;

	for (i = 0; topic && i < 3 && sf->topics[i]; i++)
		if (strcmp(topic, sf->topics[i]) == 0)
			return true;
	return false;
}

/* WooCommerce, as a webhook is saved, sends "webhook_id=N" (a form, not
 * an order, and not signed) to see that the address answers. */
static bool woocommerce_ping(api_request *r)
{
	const char *ct = header(r, "Content-Type");

	return r->body && ct &&
	       strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
	       strncmp(r->body, "webhook_id=", 11) == 0;
}

static enum MHD_Result storefront_order(api_request *r,
					const struct storefront *sf)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	const char *sig = header(r, sf->signature);
	const char *topic = header(r, sf->topic);
	const char *delivery_id = header(r, sf->delivery);
	const char *body = r->body ? r->body : "";
	ordo_channel ch;
	app_caller caller;
	app_intake_cmd *c;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	channel_init(&ch);
	if (app_channel_caller(r->srv->st, r->params[0], sf->kind, &ch,
			       &caller, err))
		return reply_error(r, err);
	if (sf->kind == CHANNEL_WOOCOMMERCE && !sig && woocommerce_ping(r)) {
		channel_free(&ch);
		return api_reply_json(r, MHD_HTTP_OK,
				      json_pack("{s:s}", "ping", "ok"));
	}
	/* The channel's secret, or, for its grace, the one before. */
	if (!sig ||
	    (!signature_verify_base64(ch.secret, sig, body, r->body_len) &&
	     !(ch.previous_secret[0] && api_now(r) < ch.previous_until &&
	       signature_verify_base64(ch.previous_secret, sig, body,
				       r->body_len)))) {
		channel_free(&ch);
		return api_reply_fail(r, ORDO_EUNAUTHORIZED, sf->signature,
				      sig ? "%s is not the signature of this "
					    "body with the channel's secret"
					  : "%s is missing: the store signs "
					    "what it sends",
				      sf->signature);
	}
	/* Signed: the channel is the caller from here on. */
	r->caller = caller;
	if (!topic_takes(sf, topic)) {
		channel_free(&ch);
		return api_reply_fail(
			r, ORDO_EINVALID, sf->topic,
			"%s%s%s: this endpoint takes %s, %s%s%s",
			topic ? "topic \"" : sf->topic, topic ? topic : " is missing",
			topic ? "\"" : "", sf->topics[0], sf->topics[1],
			sf->topics[2] ? " and " : "",
			sf->topics[2] ? sf->topics[2] : "");
	}
	if (!api_content_is(r, SOURCE_JSON)) {
		channel_free(&ch);
		return api_reply_fail(r, ORDO_EMEDIA, "Content-Type",
				      "send the body as application/json");
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		channel_free(&ch);
		return api_reply_nomem(r);
	}
	app_intake_cmd_init(c, &r->caller, api_now(r));
	c->channel_update = strcmp(topic, sf->topics[1]) == 0;
	c->channel_cancel =
		(sf->topics[2] && strcmp(topic, sf->topics[2]) == 0) ||
		(c->channel_update && sf->cancels &&
		 sf->cancels(body, r->body_len));
	sf->decode(body, r->body_len, &ch, &c->order, err);
	channel_free(&ch);
	if (err->code == ORDO_OK) {
		c->order.source = strndup(body, r->body_len);
		if (!c->order.source)
			ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		snprintf(c->order.source_type, sizeof(c->order.source_type),
			 "%s", SOURCE_JSON);
	}
	/* The delivery's key is its channel's own: two stores may number
	 * their deliveries alike, and a caller's Idempotency-Key never
	 * meets a store's. */
	if (err->code == ORDO_OK && delivery_id &&
	    (size_t)snprintf(c->w.idempotency_key,
			     sizeof(c->w.idempotency_key), "%s:%s:%s",
			     channel_kind_name(sf->kind), r->params[0],
			     delivery_id) >= sizeof(c->w.idempotency_key))
		ordo_err_set(err, ORDO_EINVALID, sf->delivery,
			     "%s is too long to be a delivery's id",
			     sf->delivery);
	if (err->code != ORDO_OK) {
		api_write_free(&c->w);
		return reply_error(r, err);
	}
	ordo_err_clear(err);
	return api_submit_write(r, &c->w, intake_reply, api_write_free);
}

enum MHD_Result api_shopify_order(api_request *r)
{
	return storefront_order(r, &shopify);
}

enum MHD_Result api_woocommerce_order(api_request *r)
{
	return storefront_order(r, &woocommerce);
}

/* ---- what a trading partner sends (EDI X12) ------------------------------ */

#define X12_MEDIA "application/edi-x12"

enum MHD_Result api_x12_take(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_x12_result res;
	ordo_channel ch;
	enum MHD_Result ret;
	char taken[24], existing[24], refused[24], seen[24];
	char ship_taken[24], ship_existing[24], ship_refused[24];
	char chg_taken[24], chg_refused[24];
	const char *headers[] = {"X-Ordo-Orders-Taken", taken,
				 "X-Ordo-Orders-Existing", existing,
				 "X-Ordo-Orders-Refused", refused,
				 "X-Ordo-Interchanges-Seen", seen,
				 "X-Ordo-Shipments-Taken", ship_taken,
				 "X-Ordo-Shipments-Existing", ship_existing,
				 "X-Ordo-Shipments-Refused", ship_refused,
				 "X-Ordo-Changes-Taken", chg_taken,
				 "X-Ordo-Changes-Refused", chg_refused, NULL};

	if (!api_query_only(r, no_query, &ret))
		return ret;
	channel_init(&ch);
	if (app_channel_get(r->srv->st, &r->caller, r->params[0], &ch, err))
		return reply_error(r, err);
	if (ch.kind != CHANNEL_X12) {
		channel_kind kind = ch.kind;

		channel_free(&ch);
		return api_reply_fail(r, ORDO_ENOTFOUND, "id",
				      "channel %s is a %s channel, not an x12 "
				      "one",
				      r->params[0], channel_kind_name(kind));
	}
	if (app_x12_take(r->srv->st, &r->caller, &ch, r->srv->clock,
			 r->body ? r->body : "", r->body_len, &res, err)) {
		channel_free(&ch);
		free(res.ack);
		return reply_error(r, err);
	}
	channel_free(&ch);
	snprintf(taken, sizeof(taken), "%lld", (long long)res.orders_taken);
	snprintf(existing, sizeof(existing), "%lld",
		 (long long)res.orders_existing);
	snprintf(refused, sizeof(refused), "%lld",
		 (long long)res.orders_refused);
	snprintf(seen, sizeof(seen), "%lld", (long long)res.interchanges_seen);
	snprintf(ship_taken, sizeof(ship_taken), "%lld",
		 (long long)res.shipments_taken);
	snprintf(ship_existing, sizeof(ship_existing), "%lld",
		 (long long)res.shipments_existing);
	snprintf(ship_refused, sizeof(ship_refused), "%lld",
		 (long long)res.shipments_refused);
	snprintf(chg_taken, sizeof(chg_taken), "%lld",
		 (long long)res.changes_taken);
	snprintf(chg_refused, sizeof(chg_refused), "%lld",
		 (long long)res.changes_refused);
	return api_queue_typed(r, MHD_HTTP_OK, res.ack, X12_MEDIA, headers);
}

enum MHD_Result api_order_x12_855(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;
	char *text = NULL;
	size_t len = 0;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_order_855(r->srv->st, &r->caller, r->params[0], api_now(r),
			  &text, &len, err))
		return reply_error(r, err);
	return api_queue_typed(r, MHD_HTTP_OK, text, X12_MEDIA, NULL);
}
