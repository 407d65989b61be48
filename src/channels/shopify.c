/*
 * shopify.c - decoding a Shopify order document. See shopify.h.
 *
 * NOTES ON THE MAPPING
 *
 * Shopify is lenient in what it sends and what it documents; loose payloads
 * (test tools, apps that re-post orders) are more so. Each value is read in
 * the shapes Shopify is known to send it by the readers of foreign.h (ids
 * and quantities as integers or digit strings, money as decimal strings or
 * integers and never as a JSON real, "1000.00" yen, descriptive text cut to
 * fit and identity refused when too long); times are RFC 3339 with an
 * offset (time_parse_rfc3339 converts).
 *
 * Totals follow ordo's identities (validate.c), not Shopify's names:
 *
 *   subtotal = sum of the lines     = total_line_items_price
 *   total    = subtotal + shipping + tax - discount
 *
 * Shopify's subtotal_price is after discounts, so it is the subtotal only
 * with total_discounts added back, when total_line_items_price is absent.
 * When taxes_included is true the tax is already inside the prices (and
 * inside total_price), so ordo's tax, which is added on top, is 0.
 *
 * A line's SKU is, in this order: the mapping of its sku, of its
 * variant_id, of its product_id (channel_sku_of); the sku itself;
 * "shopify-variant-<id>" or "shopify-product-<id>". The last two are SKUs
 * no catalog holds, so validation holds the order as an unknown SKU
 * instead of the decoder refusing it, and a person can map it.
 */
#include "channels/shopify.h"

#include <assert.h>
#include <string.h>

#include <jansson.h>

#include "channels/foreign.h"
#include "channels/json_fields.h"
#include "core/money.h"

/* The members of Shopify's address objects (shipping_address,
 * billing_address). */
static const foreign_address_keys shopify_address = {
	.name = "name",
	.first_name = "first_name",
	.last_name = "last_name",
	.company = "company",
	.line1 = "address1",
	.line2 = "address2",
	.city = "city",
	.region = "province_code",
	.region_alt = "province",
	.postal_code = "zip",
	.country = "country_code",
	.phone = "phone",
};

static void customer_decode(const json_t *doc, const char *parent, order *o,
			    ordo_err *err)
{
	order_customer *c = &o->customer;
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *cust;

	jf_path(path, sizeof(path), parent, "customer");
	cust = jf_object(doc, parent, "customer", false, err);
	if (cust) {
		foreign_id_get(cust, path, "id", false, c->external_id,
			       sizeof(c->external_id), err);
		foreign_name_get(cust, path, "first_name", "last_name",
				 c->name, sizeof(c->name), err);
	}
	/* The order's own contact details first: they are what the buyer
	 * gave at this checkout. */
	if (!jf_string(doc, parent, "email", false, c->email, sizeof(c->email),
		       err) &&
	    !jf_string(doc, parent, "contact_email", false, c->email,
		       sizeof(c->email), err) &&
	    cust)
		jf_string(cust, path, "email", false, c->email,
			  sizeof(c->email), err);
	if (!jf_string(doc, parent, "phone", false, c->phone, sizeof(c->phone),
		       err) &&
	    cust)
		jf_string(cust, path, "phone", false, c->phone,
			  sizeof(c->phone), err);
}

/* What a line decoder needs besides the line. */
struct line_ctx {
	const ordo_channel *ch;
	const char *currency;
};

static void line_decode(const json_t *item, const char *path, void *ctx,
			order_line *l, ordo_err *err)
{
	const struct line_ctx *lc = ctx;
	char sku[ORDO_SKU_MAX], variant[FOREIGN_NUM_ID_MAX];
	char product[FOREIGN_NUM_ID_MAX], variant_title[ORDO_TITLE_MAX];
	char sku_path[ORDO_ERR_FIELD_MAX];
	bool ids_ok = true;

	jf_path(sku_path, sizeof(sku_path), path, "sku");
	/* An invalid sku or id is already a problem; naming the line as
	 * unidentifiable too would report one mistake twice. */
	if (!jf_string(item, path, "sku", false, sku, sizeof(sku), err) &&
	    foreign_given(item, "sku"))
		ids_ok = false;
	if (!foreign_id_get(item, path, "variant_id", false, variant,
			    sizeof(variant), err) &&
	    foreign_given(item, "variant_id"))
		ids_ok = false;
	if (!foreign_id_get(item, path, "product_id", false, product,
			    sizeof(product), err) &&
	    foreign_given(item, "product_id"))
		ids_ok = false;
	if (ids_ok &&
	    !foreign_line_sku(lc->ch, sku, variant, "shopify-variant-",
			      product, "shopify-product-", l->sku,
			      sizeof(l->sku)))
		ordo_err_add(err, ORDO_EINVALID, sku_path,
			     "is empty and the line names no variant_id or "
			     "product_id; ordo cannot tell what was ordered");

	if (!foreign_text_get(item, path, "title", l->title, sizeof(l->title),
			      err))
		foreign_text_get(item, path, "name", l->title,
				 sizeof(l->title), err);
	if (foreign_text_get(item, path, "variant_title", variant_title,
			     sizeof(variant_title), err) &&
	    l->title[0]) {
		foreign_text_append(l->title, sizeof(l->title), " - ");
		foreign_text_append(l->title, sizeof(l->title), variant_title);
		/* A title cut short may end in the separator. */
		foreign_text_trim(l->title);
	}
	foreign_line_id(item, l);
	foreign_quantity_get(item, path, "quantity", &l->quantity, err);
	foreign_money_get(item, path, "price", true, lc->currency, false,
			  &l->unit_price, err);
}

/*
 * After an order edit at the store a line item keeps the quantity first
 * ordered and says what the customer has now in current_quantity (0: the
 * item was removed). The order is what they have now: each line its
 * current quantity, removed ones left out. (The totals are the store's
 * as sent.) A current_quantity that is no count is the decoder's error.
 */
static void current_quantities(const json_t *items, const char *path,
			       order *o, ordo_err *err)
{
	char item_path[ORDO_ERR_FIELD_MAX];
	size_t i, kept = 0;

	for (i = 0; i < o->n_lines && i < json_array_size(items); i++) {
		const json_t *v = foreign_member(json_array_get(items, i),
						 "current_quantity");
		int64_t q = o->lines[i].quantity;
		const char *s = json_string_value(v);

		/* As loose as quantity: a number, or a string of digits. */
		if (s && s[0] && strlen(s) <= 7 &&
		    strspn(s, "0123456789") == strlen(s)) {
			q = strtoll(s, NULL, 10);
		} else if (v && json_is_integer(v) &&
			   json_integer_value(v) >= 0) {
			q = json_integer_value(v);
		} else if (v) {
			q = -1;
		}
		if (q < 0 || q > ORDO_MAX_QUANTITY) {
			jf_index_path(item_path, sizeof(item_path), path, i);
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "current_quantity must be a count from 0 "
				     "to %lld",
				     (long long)ORDO_MAX_QUANTITY);
			continue;
		}
		if (q == 0)
			continue;
		o->lines[kept] = o->lines[i];
		o->lines[kept].quantity = q;
		o->lines[kept].line_no = (int)kept + 1;
		kept++;
	}
	o->n_lines = kept;
	order_lines_open_all(o);
}

static void totals_decode(const json_t *doc, const char *parent,
			  const char *currency, order *o, ordo_err *err)
{
	order_totals *t = &o->totals;
	char path[ORDO_ERR_FIELD_MAX];
	bool taxes_included = false, has_subtotal, has_total;

	t->shipping = o->shipping.amount;
	foreign_money_get(doc, parent, "total_discounts", false, currency,
			  false, &t->discount, err);
	foreign_money_get(doc, parent, "total_tax", false, currency, false,
			  &t->tax, err);
	jf_bool(doc, parent, "taxes_included", false, &taxes_included, err);
	if (taxes_included)
		t->tax = 0;
	has_subtotal = foreign_money_get(doc, parent, "total_line_items_price",
					 false, currency, false, &t->subtotal,
					 err);
	if (!has_subtotal && !foreign_member(doc, "total_line_items_price") &&
	    foreign_money_get(doc, parent, "subtotal_price", false, currency,
			      false, &t->subtotal, err)) {
		has_subtotal = true;
		jf_path(path, sizeof(path), parent, "subtotal_price");
		if (!money_add(t->subtotal, t->discount, &t->subtotal))
			ordo_err_add(err, ORDO_EINVALID, path,
				     "with the discounts added back it "
				     "exceeds the largest amount ordo "
				     "accepts");
	}
	has_total = foreign_money_get(doc, parent, "total_price", false,
				      currency, false, &t->total, err);
	/* Arithmetic on values that failed to decode would only add
	 * problems that are not the sender's. */
	if (err->code != ORDO_OK)
		return;

	/* What the document leaves out is the order's own arithmetic. */
	jf_path(path, sizeof(path), parent, "line_items");
	if (!has_subtotal &&
	    !foreign_lines_subtotal(o, path, &t->subtotal, err))
		return;
	jf_path(path, sizeof(path), parent, "total_price");
	if (!has_total)
		foreign_total_compute(t, path, err);
}

static payment_status payment_of(const json_t *doc)
{
	static const struct {
		const char *shopify;
		payment_status ordo;
	} map[] = {
		{ "pending", PAYMENT_PENDING },
		{ "authorized", PAYMENT_AUTHORIZED },
		{ "paid", PAYMENT_PAID },
		{ "partially_paid", PAYMENT_PARTIALLY_PAID },
		{ "refunded", PAYMENT_REFUNDED },
		{ "voided", PAYMENT_VOIDED },
		/* partially_refunded has no ordo status: unknown. */
	};
	const json_t *v = foreign_member(doc, "financial_status");
	size_t i;

	for (i = 0; json_is_string(v) && i < sizeof(map) / sizeof(map[0]);
	     i++)
		if (strcmp(json_string_value(v), map[i].shopify) == 0)
			return map[i].ordo;
	return PAYMENT_UNKNOWN;
}

ordo_code shopify_order_decode(const char *body, size_t len,
			       const ordo_channel *ch, order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *parent, *currency;
	const json_t *doc, *lines, *addr;
	struct line_ctx lc;
	json_t *root;

	assert(ch && o && err);
	o->state = ORDER_RECEIVED;
	o->payment = PAYMENT_UNKNOWN;
	ordo_strlcpy(o->channel, ch->name, sizeof(o->channel));
	ordo_strlcpy(o->channel_kind, channel_kind_name(CHANNEL_SHOPIFY),
		     sizeof(o->channel_kind));

	/* The REST API's envelope, {"order": {...}}; a webhook's body is
	 * the bare order. */
	root = foreign_parse(body, len, "order", &doc, &parent, err);
	if (!root)
		goto out;

	/* The line count first, so that a body over the limit is refused as
	 * such (ORDO_ELIMIT) whatever else is wrong with it. */
	lines = foreign_lines_get(doc, parent, "line_items", err);

	/* Every money field depends on the currency; without a known one
	 * they are still checked for shape, with the default exponent. */
	foreign_currency_decode(doc, parent, ch, o, err);
	currency = money_currency_known(o->currency) ? o->currency : "XXX";

	foreign_id_get(doc, parent, "id", true, o->external_id,
		       sizeof(o->external_id), err);
	if (foreign_member(doc, "created_at") ||
	    !foreign_member(doc, "processed_at"))
		jf_time(doc, parent, "created_at", true, &o->placed_at, err);
	else
		jf_time(doc, parent, "processed_at", true, &o->placed_at, err);

	customer_decode(doc, parent, o, err);
	jf_path(path, sizeof(path), parent, "shipping_address");
	addr = jf_object(doc, parent, "shipping_address", false, err);
	if (addr)
		foreign_address_decode(addr, path, &shopify_address,
				       &o->ship_to, err);
	jf_path(path, sizeof(path), parent, "billing_address");
	addr = jf_object(doc, parent, "billing_address", false, err);
	if (addr) {
		o->has_bill_to = true;
		foreign_address_decode(addr, path, &shopify_address,
				       &o->bill_to, err);
	}

	jf_path(path, sizeof(path), parent, "line_items");
	lc.ch = ch;
	lc.currency = currency;
	if (lines)
		foreign_lines_decode(lines, path, line_decode, &lc, o, err);
	if (lines && err->code == ORDO_OK)
		current_quantities(lines, path, o, err);
	foreign_shipping_lines_decode(doc, parent, "shipping_lines", "code",
				      "title", "price", currency, o, err);
	totals_decode(doc, parent, currency, o, err);
	o->payment = payment_of(doc);
	foreign_text_get(doc, parent, "note", o->notes, sizeof(o->notes),
			 err);

	json_decref(root);
out:
	return foreign_finish(err, "Shopify");
}
