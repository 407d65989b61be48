/*
 * calls.c - a storefront told of its orders' shipments and cancellations:
 * see calls.h for the calls each event becomes.
 */
#include "channels/calls.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/native_out.h"
#include "channels/x12.h"

/* The types each kind is told of, as calls.h lists them. */
static const char *events_of(channel_kind kind)
{
	switch (kind) {
	case CHANNEL_SHOPIFY:
		return "shipment.created,order.cancelled";
	case CHANNEL_WOOCOMMERCE:
		return "order.shipped,order.cancelled";
	case CHANNEL_X12:
		return "order.allocated,order.backordered,order.cancelled,"
		       "order.changed,fulfillment.released,"
		       "fulfillment.cancelled";
	default:
		return "";
	}
}

const char *channel_calls_events(channel_kind kind)
{
	return events_of(kind);
}

bool channel_calls_wanted(channel_kind kind, const char *type)
{
	const char *p = events_of(kind);
	size_t n = strlen(type);

	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, type, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

void channel_call_free(channel_call *c)
{
	free(c->body);
	memset(c, 0, sizeof(*c));
}

/* ---- reading the event ---------------------------------------------------- */

static const char *str_at(const json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* A JSON id (Shopify writes integers, some proxies strings) as text. */
static void id_text(const json_t *v, char *buf, size_t size)
{
	if (json_is_integer(v))
		snprintf(buf, size, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
	else if (json_is_string(v))
		snprintf(buf, size, "%s", json_string_value(v));
	else
		buf[0] = '\0';
}

/* Whether v is an id the store can be given back: an integer or a
 * string that is not empty. */
static bool id_usable(const json_t *v)
{
	return json_is_integer(v) ||
	       (json_is_string(v) && json_string_length(v) > 0);
}

/* base_url without its trailing slashes, then the rest. */
static ordo_code url_make(channel_call *c, const char *base_url,
			  ordo_err *err, const char *fmt, ...)
{
	size_t n = strlen(base_url);
	va_list ap;
	int k;

	while (n > 0 && base_url[n - 1] == '/')
		n--;
	if (n >= sizeof(c->url))
		return ordo_err_set(err, ORDO_EINVALID, "base_url",
				    "the channel's base_url is too long");
	memcpy(c->url, base_url, n);
	va_start(ap, fmt);
	k = vsnprintf(c->url + n, sizeof(c->url) - n, fmt, ap);
	va_end(ap);
	if (k < 0 || (size_t)k >= sizeof(c->url) - n)
		return ordo_err_set(err, ORDO_EINVALID, "base_url",
				    "the call's URL does not fit");
	return ORDO_OK;
}

/* The store's order id, from the event's order; names what is missing. */
static ordo_code store_order_id(const json_t *ord, const char *type,
				char *buf, size_t size, ordo_err *err)
{
	const char *id = str_at(ord, "external_id");
	size_t i;

	if (!id[0])
		return ordo_err_set(err, ORDO_EINVALID, "external_id",
				    "order %s has no external_id; the store "
				    "cannot be told of its %s",
				    str_at(ord, "id"), type);
	/* It goes into a path: the store's ids are digits. */
	for (i = 0; id[i]; i++)
		if (id[i] < '0' || id[i] > '9')
			return ordo_err_set(err, ORDO_EINVALID, "external_id",
					    "order %s's external_id \"%s\" is "
					    "not the store's numeric order id",
					    str_at(ord, "id"), id);
	snprintf(buf, size, "%s", id);
	return ORDO_OK;
}

static ordo_code body_set(channel_call *c, json_t *body, ordo_err *err)
{
	c->body = body ? native_dump(body) : NULL;
	json_decref(body);
	if (!c->body)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory writing a store call");
	return ORDO_OK;
}

/* ---- Shopify's fulfillment --------------------------------------------- */

/* One line item of a fulfillment order still to fulfill. */
struct fo_item {
	const json_t *fo_id, *id; /* the fulfillment order's, the item's */
	char line_item[32];
	json_int_t open;
	json_int_t take;
};

/* The open items of the fulfillment orders answered (n of them; *items
 * malloc'd). Closed, cancelled and incomplete orders have none to give. */
static ordo_code fo_items(const json_t *answer, struct fo_item **items,
			  size_t *n, ordo_err *err)
{
	const json_t *fos = json_object_get(answer, "fulfillment_orders");
	const json_t *fo, *li;
	size_t i, k, cap = 0;

	*items = NULL;
	*n = 0;
	if (!json_is_array(fos))
		return ordo_err_set(err, ORDO_EINVALID, "fulfillment_orders",
				    "the store's answer has no "
				    "fulfillment_orders list");
	json_array_foreach(fos, i, fo) {
		const char *status = str_at(fo, "status");

		if (strcmp(status, "open") != 0 &&
		    strcmp(status, "in_progress") != 0)
			continue;
		json_array_foreach(json_object_get(fo, "line_items"), k, li) {
			json_t *q = json_object_get(li, "fulfillable_quantity");
			struct fo_item *it;

			/* A line item the fulfillment cannot name (no id of
			 * its own or of its fulfillment order) has no units
			 * to give: units shipped against it alone would be
			 * left out of the fulfillment, not refused. */
			if (!json_is_integer(q) || json_integer_value(q) <= 0 ||
			    !id_usable(json_object_get(fo, "id")) ||
			    !id_usable(json_object_get(li, "id")))
				continue;
			if (*n == cap) {
				size_t c2 = cap ? cap * 2 : 16;
				struct fo_item *p =
					realloc(*items, c2 * sizeof(*p));

				if (!p) {
					free(*items);
					*items = NULL;
					*n = 0;
					return ordo_err_set(
						err, ORDO_ENOMEM, NULL,
						"out of memory reading the "
						"store's answer");
				}
				*items = p;
				cap = c2;
			}
			it = &(*items)[(*n)++];
			memset(it, 0, sizeof(*it));
			it->fo_id = json_object_get(fo, "id");
			it->id = json_object_get(li, "id");
			id_text(json_object_get(li, "line_item_id"),
				it->line_item, sizeof(it->line_item));
			it->open = json_integer_value(q);
		}
	}
	return ORDO_OK;
}

/* Take up to *want units of the store line item `line_item` from the
 * open items. */
static void fo_take(struct fo_item *items, size_t n, const char *line_item,
		    json_int_t *want)
{
	size_t i;

	for (i = 0; i < n && *want > 0; i++) {
		json_int_t t;

		if (strcmp(items[i].line_item, line_item) != 0)
			continue;
		t = items[i].open - items[i].take;
		if (t > *want)
			t = *want;
		items[i].take += t;
		*want -= t;
	}
}

/* The fulfillment of the shipment's units, by fulfillment order line. */
static ordo_code shopify_fulfillment(const json_t *data, const json_t *answer,
				     json_t **out, ordo_err *err)
{
	const json_t *ord = json_object_get(data, "order");
	const json_t *ship = json_object_get(data, "shipment");
	const json_t *sl, *ol;
	struct fo_item *items = NULL;
	json_t *by_fo, *body, *tracking;
	size_t n = 0, i, k;
	ordo_code rc = fo_items(answer, &items, &n, err);

	if (rc)
		return rc;
	json_array_foreach(json_object_get(ship, "lines"), i, sl) {
		const char *sku = str_at(sl, "sku");
		json_int_t want =
			json_integer_value(json_object_get(sl, "quantity"));

		json_array_foreach(json_object_get(ord, "lines"), k, ol) {
			const char *line_item = str_at(ol, "external_id");

			if (strcmp(str_at(ol, "sku"), sku) == 0 &&
			    line_item[0])
				fo_take(items, n, line_item, &want);
		}
		if (want > 0) {
			free(items);
			return ordo_err_set(
				err, ORDO_EINVALID, "lines",
				"the store has no open fulfillment order line "
				"for %" JSON_INTEGER_FORMAT " unit(s) of %s "
				"shipped from order %s",
				want, sku, str_at(ord, "id"));
		}
	}
	by_fo = json_array();
	for (i = 0; i < n; i++) {
		json_t *group = NULL, *g;
		size_t j;

		if (items[i].take == 0)
			continue;
		json_array_foreach(by_fo, j, g) {
			if (json_equal(json_object_get(g,
						       "fulfillment_order_id"),
				       items[i].fo_id)) {
				group = g;
				break;
			}
		}
		if (!group) {
			group = json_pack("{s:O, s:[]}", "fulfillment_order_id",
					  items[i].fo_id,
					  "fulfillment_order_line_items");
			json_array_append_new(by_fo, group);
		}
		json_array_append_new(
			json_object_get(group, "fulfillment_order_line_items"),
			json_pack("{s:O, s:I}", "id", items[i].id, "quantity",
				  (json_int_t)items[i].take));
	}
	free(items);
	tracking = json_object();
	if (str_at(ship, "tracking_number")[0])
		json_object_set_new(tracking, "number",
				    json_string(str_at(ship, "tracking_number")));
	if (str_at(ship, "carrier")[0])
		json_object_set_new(tracking, "company",
				    json_string(str_at(ship, "carrier")));
	body = json_pack("{s:{s:o, s:o, s:b}}", "fulfillment",
			 "line_items_by_fulfillment_order", by_fo,
			 "tracking_info", tracking, "notify_customer", 1);
	*out = body;
	return body ? ORDO_OK
		    : ordo_err_set(err, ORDO_ENOMEM, NULL,
				   "out of memory writing a store call");
}

#define SHOPIFY_ADMIN "/admin/api/" SHOPIFY_API_VERSION

/* Whether the order's fulfillments (the shop's answer) have one, not
 * cancelled, of this tracking number ("" never matches). */
static bool shopify_has_tracking(const json_t *answer, const char *tracking)
{
	const json_t *f, *t;
	size_t i, k;

	if (!tracking[0])
		return false;
	json_array_foreach(json_object_get(answer, "fulfillments"), i, f) {
		const char *status = str_at(f, "status");

		if (strcmp(status, "cancelled") == 0 ||
		    strcmp(status, "error") == 0 ||
		    strcmp(status, "failure") == 0)
			continue;
		if (strcmp(str_at(f, "tracking_number"), tracking) == 0)
			return true;
		json_array_foreach(json_object_get(f, "tracking_numbers"), k,
				   t)
			if (json_is_string(t) &&
			    strcmp(json_string_value(t), tracking) == 0)
				return true;
	}
	return false;
}

static ordo_code shopify_plan(const char *base_url, const char *type,
			      const json_t *data, int step,
			      const json_t *answer, channel_call *c,
			      ordo_err *err)
{
	char id[ORDO_EXTERNAL_ID_MAX];
	json_t *body = NULL;
	ordo_code rc = store_order_id(json_object_get(data, "order"), type,
				      id, sizeof(id), err);

	if (rc)
		return rc;
	if (strcmp(type, "order.cancelled") == 0) {
		if (step > 0)
			return ORDO_OK;
		snprintf(c->method, sizeof(c->method), "POST");
		rc = url_make(c, base_url, err,
			      SHOPIFY_ADMIN "/orders/%s/cancel.json", id);
		return rc ? rc : body_set(c, json_object(), err);
	}
	/* shipment.created: the order's fulfillments (one of this tracking
	 * number means the shop has it: told before, and not told twice),
	 * what is open to fulfill, then the fulfillment */
	if (step == 0) {
		snprintf(c->method, sizeof(c->method), "GET");
		return url_make(c, base_url, err,
				SHOPIFY_ADMIN "/orders/%s/fulfillments.json",
				id);
	}
	if (step == 1) {
		if (shopify_has_tracking(answer,
					 str_at(json_object_get(data,
								"shipment"),
						"tracking_number")))
			return ORDO_OK;
		snprintf(c->method, sizeof(c->method), "GET");
		return url_make(c, base_url, err,
				SHOPIFY_ADMIN
				"/orders/%s/fulfillment_orders.json",
				id);
	}
	if (step > 2)
		return ORDO_OK;
	rc = shopify_fulfillment(data, answer, &body, err);
	if (rc)
		return rc;
	snprintf(c->method, sizeof(c->method), "POST");
	rc = url_make(c, base_url, err, SHOPIFY_ADMIN "/fulfillments.json");
	if (rc) {
		json_decref(body);
		return rc;
	}
	return body_set(c, body, err);
}

/* ---- WooCommerce's order status ------------------------------------------ */

static ordo_code woo_plan(const char *base_url, const char *type,
			  const json_t *data, int step, channel_call *c,
			  ordo_err *err)
{
	char id[ORDO_EXTERNAL_ID_MAX];
	ordo_code rc;

	if (step > 0)
		return ORDO_OK;
	rc = store_order_id(json_object_get(data, "order"), type, id,
			    sizeof(id), err);
	if (rc == ORDO_OK)
		rc = url_make(c, base_url, err, "/wp-json/wc/v3/orders/%s", id);
	if (rc)
		return rc;
	snprintf(c->method, sizeof(c->method), "PUT");
	return body_set(c,
			json_pack("{s:s}", "status",
				  strcmp(type, "order.cancelled") == 0
					  ? "cancelled"
					  : "completed"),
			err);
}

/* ---- a trading partner's documents (X12) --------------------------------- */

static int64_t int_at(const json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

/* The 855 of the event's order, as its lines stand. */
static ordo_code x12_855_plan(const json_t *data, const channel_call_ctx *ctx,
			      channel_call *c, ordo_err *err)
{
	const json_t *ord = json_object_get(data, "order"), *l;
	const char *state = str_at(ord, "state");
	x12_855_line *lines = NULL;
	size_t n = 0, i;
	char *text = NULL;
	size_t len = 0;
	ordo_code rc;

	if (!json_is_string(json_object_get(data, "source")))
		return ordo_err_set(err, ORDO_EINVALID, "source",
				    "order %s came in no 850", str_at(ord, "id"));
	if (strcmp(state, "cancelled") != 0 && strcmp(state, "rejected") != 0) {
		n = json_array_size(json_object_get(ord, "lines"));
		lines = calloc(n ? n : 1, sizeof(*lines));
		if (!lines)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory");
		json_array_foreach(json_object_get(ord, "lines"), i, l)
			lines[i] = x12_line_answer_of(int_at(l, "quantity"),
						      int_at(l, "open"),
						      int_at(l, "cancelled"));
	}
	rc = x12_855_of(str_at(data, "source"), str_at(ord, "external_id"),
			str_at(ord, "id"), lines, n, ctx->control, ctx->now,
			&text, &len, err);
	free(lines);
	c->body = text;
	return rc;
}

/* The 940 that hands the event's fulfillment to the warehouse. */
static ordo_code x12_940_plan(const json_t *ful, const channel_call_ctx *ctx,
			      bool cancel, channel_call *c, ordo_err *err)
{
	char depositor[X12_DEPOSITOR_REF_MAX];
	/* The fulfillment's own event: the fulfillment, its order within. */
	const json_t *ord = json_object_get(ful, "order");
	const json_t *to = json_object_get(ord, "ship_to"), *fl, *ol;
	x12_940_line *lines;
	order_address addr;
	x12_940_order o;
	size_t n = json_array_size(json_object_get(ful, "lines")), i, k;
	size_t len = 0;
	ordo_code rc;

	memset(&addr, 0, sizeof(addr));
	ordo_strlcpy(addr.line1, str_at(to, "line1"), sizeof(addr.line1));
	ordo_strlcpy(addr.line2, str_at(to, "line2"), sizeof(addr.line2));
	ordo_strlcpy(addr.city, str_at(to, "city"), sizeof(addr.city));
	ordo_strlcpy(addr.region, str_at(to, "region"), sizeof(addr.region));
	ordo_strlcpy(addr.postal_code, str_at(to, "postal_code"),
		     sizeof(addr.postal_code));
	ordo_strlcpy(addr.country, str_at(to, "country"),
		     sizeof(addr.country));
	lines = calloc(n ? n : 1, sizeof(*lines));
	if (!lines)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	json_array_foreach(json_object_get(ful, "lines"), i, fl) {
		lines[i].sku = str_at(fl, "sku");
		lines[i].quantity = int_at(fl, "quantity");
		lines[i].title = "";
		json_array_foreach(json_object_get(ord, "lines"), k, ol)
			if (int_at(ol, "line_no") == int_at(fl, "line_no"))
				lines[i].title = str_at(ol, "title");
	}
	memset(&o, 0, sizeof(o));
	o.sender = ctx->edi_own_id ? ctx->edi_own_id : "";
	o.receiver = ctx->edi_partner_id ? ctx->edi_partner_id : "";
	o.control = ctx->control;
	o.now = ctx->now;
	o.cancel = cancel;
	x12_depositor_ref(ctx->order_seq, depositor);
	o.depositor_ref = ctx->order_seq > 0 ? depositor : "";
	o.order_id = str_at(ord, "id");
	o.po_number = str_at(ord, "external_id");
	o.ship_to_name = str_at(to, "name");
	o.ship_to = &addr;
	o.method = str_at(json_object_get(ord, "shipping"), "method");
	o.n_lines = n;
	o.lines = lines;
	rc = x12_940_build(&o, &c->body, &len, err);
	free(lines);
	return rc;
}

static ordo_code x12_plan(const char *base_url, const char *type,
			  const json_t *ev, int step,
			  const channel_call_ctx *ctx, channel_call *c,
			  ordo_err *err)
{
	const json_t *data = json_object_get(ev, "data");

	if (step > 0)
		return ORDO_OK;
	if (strlen(base_url) >= sizeof(c->url))
		return ordo_err_set(err, ORDO_EINVALID, "base_url",
				    "the channel's base_url is too long");
	snprintf(c->method, sizeof(c->method), "POST");
	snprintf(c->url, sizeof(c->url), "%s", base_url);
	snprintf(c->content_type, sizeof(c->content_type),
		 "application/edi-x12");
	return strncmp(type, "fulfillment.", 12) == 0
		       ? x12_940_plan(data, ctx,
				      strcmp(type, "fulfillment.cancelled") == 0,
				      c, err)
		       : x12_855_plan(data, ctx, c, err);
}

/* How each kind of store takes its token, and what it answers in. */
static void credentials(channel_kind kind, const char *token,
			channel_call *c)
{
	switch (kind) {
	case CHANNEL_SHOPIFY:
		snprintf(c->auth_header, sizeof(c->auth_header),
			 "X-Shopify-Access-Token: %s", token);
		snprintf(c->accept, sizeof(c->accept), "application/json");
		break;
	case CHANNEL_WOOCOMMERCE:
		ordo_strlcpy(c->userpwd, token, sizeof(c->userpwd));
		snprintf(c->accept, sizeof(c->accept), "application/json");
		break;
	default:
		if (token[0])
			snprintf(c->auth_header, sizeof(c->auth_header),
				 "Authorization: Bearer %s", token);
		break;
	}
}

ordo_code channel_call_plan(channel_kind kind, const char *base_url,
			    const char *type, const char *payload, int step,
			    const char *answer, size_t answer_len,
			    const channel_call_ctx *ctx, channel_call *c,
			    ordo_err *err)
{
	json_t *ev, *ans = NULL;
	const json_t *data;
	ordo_code rc;

	memset(c, 0, sizeof(*c));
	if (!channel_calls_wanted(kind, type))
		return ordo_err_set(err, ORDO_EINVALID, "type",
				    "a %s channel is not told of %s",
				    channel_kind_name(kind), type);
	ev = json_loads(payload, 0, NULL);
	data = json_object_get(ev, "data");
	snprintf(c->content_type, sizeof(c->content_type),
		 "application/json");
	if (!json_is_object(json_object_get(data, "order"))) {
		json_decref(ev);
		return ordo_err_set(err, ORDO_EINVALID, "data",
				    "the event carries no order");
	}
	if (step > 0 && answer) {
		ans = json_loadb(answer, answer_len, 0, NULL);
		if (!ans && kind == CHANNEL_SHOPIFY &&
		    strcmp(type, "shipment.created") == 0 && step <= 2) {
			json_decref(ev);
			return ordo_err_set(err, ORDO_EINVALID, NULL,
					    "the store's answer was not JSON");
		}
	}
	if (kind == CHANNEL_SHOPIFY)
		rc = shopify_plan(base_url, type, data, step, ans, c, err);
	else if (kind == CHANNEL_WOOCOMMERCE)
		rc = woo_plan(base_url, type, data, step, c, err);
	else
		rc = x12_plan(base_url, type, ev, step, ctx, c, err);
	json_decref(ans);
	json_decref(ev);
	if (rc)
		channel_call_free(c);
	else if (c->method[0])
		credentials(kind, ctx->token ? ctx->token : "", c);
	return rc;
}
