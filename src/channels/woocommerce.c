/*
 * woocommerce.c - decoding a WooCommerce order document. See
 * woocommerce.h for the mapping; foreign.h reads the values.
 *
 * The order of the work follows shopify.c: the line count first (so that
 * ORDO_ELIMIT wins), the currency before any money, then each part, then
 * the totals, whose arithmetic runs only when every value decoded (a sum
 * over values that failed would only add problems that are not the
 * sender's).
 */
#include "channels/woocommerce.h"

#include <assert.h>
#include <string.h>

#include <jansson.h>

#include "channels/foreign.h"
#include "channels/json_fields.h"
#include "core/money.h"
#include "core/timeutil.h"

/* Room for a time as text: RFC 3339 with a long fraction of a second and
 * an offset fits; longer text is no time. */
#define WC_TIME_TEXT_MAX 64

/* The members of WooCommerce's billing and shipping objects. billing also
 * has "email", which is the customer's (read in customer_decode). */
static const foreign_address_keys wc_address = {
	.name = NULL,
	.first_name = "first_name",
	.last_name = "last_name",
	.company = "company",
	.line1 = "address_1",
	.line2 = "address_2",
	.city = "city",
	.region = "state",
	.region_alt = NULL,
	.postal_code = "postcode",
	.country = "country",
	.phone = "phone",
};

/* Whether an id is zero ("0", "00"): WooCommerce's "none" (a guest's
 * customer_id, a line's variation_id when it is no variation). */
static bool id_is_zero(const char *id)
{
	return id[0] && strspn(id, "0") == strlen(id);
}

/* An id member where 0 means none: dst is "" then. */
static bool id_get_nonzero(const json_t *obj, const char *parent,
			   const char *key, char *dst, size_t size,
			   ordo_err *err)
{
	if (!foreign_id_get(obj, parent, key, false, dst, size, err))
		return false;
	if (id_is_zero(dst))
		dst[0] = '\0';
	return true;
}

/* A WooCommerce time: "2018-04-03T23:05:12" (no offset: UTC), or RFC 3339
 * with its offset. */
static bool time_parse(const char *text, int64_t *out)
{
	char buf[WC_TIME_TEXT_MAX];
	size_t n = strlen(text);

	if (n + 2 > sizeof(buf))
		return false;
	memcpy(buf, text, n);
	buf[n] = 'Z';
	buf[n + 1] = '\0';
	return time_parse_rfc3339(buf, out) == 0 ||
	       time_parse_rfc3339(text, out) == 0;
}

static void placed_at_decode(const json_t *doc, const char *parent,
			     order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *key = "date_created_gmt";
	const json_t *v;

	/* The store's local time only when there is no UTC one: WooCommerce
	 * writes no offset, so it is taken as UTC, off by the store's. */
	if (!foreign_given(doc, key) && foreign_given(doc, "date_created"))
		key = "date_created";
	jf_path(path, sizeof(path), parent, key);
	v = foreign_member(doc, key);
	if (!foreign_given(doc, key)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is required: the order has neither "
			     "date_created_gmt nor date_created");
		return;
	}
	if (!json_is_string(v) || !time_parse(json_string_value(v),
					      &o->placed_at))
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a time such as \"2018-04-03T23:05:12\" "
			     "(UTC) or \"2018-04-03T23:05:12+02:00\"");
}

static void customer_decode(const json_t *doc, const char *parent, order *o,
			    ordo_err *err)
{
	order_customer *c = &o->customer;
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *addr;

	/* customer_id 0 is a guest checkout: no customer account. */
	id_get_nonzero(doc, parent, "customer_id", c->external_id,
		       sizeof(c->external_id), err);

	jf_path(path, sizeof(path), parent, "billing");
	addr = jf_object(doc, parent, "billing", false, err);
	if (addr) {
		foreign_address_decode(addr, path, &wc_address, &o->bill_to,
				       err);
		jf_string(addr, path, "email", false, c->email,
			  sizeof(c->email), err);
		/* A billing object of empty strings (WooCommerce writes every
		 * member) is no address. */
		o->has_bill_to = !foreign_address_empty(&o->bill_to);
		/* The buyer is who pays: the name and phone are read once,
		 * so a problem with them is reported once. */
		ordo_strlcpy(c->name, o->bill_to.name, sizeof(c->name));
		ordo_strlcpy(c->phone, o->bill_to.phone, sizeof(c->phone));
	}

	/* All empty for digital goods: ship_to stays empty then. */
	jf_path(path, sizeof(path), parent, "shipping");
	addr = jf_object(doc, parent, "shipping", false, err);
	if (addr)
		foreign_address_decode(addr, path, &wc_address, &o->ship_to,
				       err);
}

/* What a line decoder needs besides the line. */
struct line_ctx {
	const ordo_channel *ch;
	const char *currency;
};

/* The unit price of a line whose quantity is qty (0 when the quantity
 * was invalid): see woocommerce.h. */
static void unit_price_decode(const json_t *item, const char *path,
			      const char *currency, int64_t qty,
			      order_line *l, ordo_err *err)
{
	char sub_path[ORDO_ERR_FIELD_MAX], price_path[ORDO_ERR_FIELD_MAX];
	char text[32];
	int64_t subtotal;

	jf_path(sub_path, sizeof(sub_path), path, "subtotal");
	jf_path(price_path, sizeof(price_path), path, "price");
	if (foreign_given(item, "subtotal")) {
		if (!foreign_money_get(item, path, "subtotal", false, currency,
				       false, &subtotal, err) ||
		    qty < 1)
			return;
		if (subtotal % qty != 0) {
			money_format(subtotal, currency, text, sizeof(text));
			ordo_err_add(err, ORDO_EINVALID, sub_path,
				     "the line's subtotal, %s for %lld units, "
				     "is not a whole number of minor units per "
				     "unit; ordo keeps one unit price per line",
				     text, (long long)qty);
			return;
		}
		l->unit_price = subtotal / qty;
		return;
	}
	if (json_is_real(foreign_member(item, "price"))) {
		ordo_err_add(err, ORDO_EINVALID, price_path,
			     "is a JSON number with a fraction or exponent "
			     "(WooCommerce computes it, after discounts, in "
			     "floating point) and the line has no subtotal to "
			     "take the unit price from exactly; send the "
			     "line's subtotal, or the price as a decimal "
			     "string such as \"12.50\"");
		return;
	}
	if (!foreign_member(item, "price")) {
		ordo_err_add(err, ORDO_EINVALID, sub_path,
			     "is required: the line has neither a subtotal "
			     "nor a price");
		return;
	}
	foreign_money_get(item, path, "price", true, currency, false,
			  &l->unit_price, err);
}

static void line_decode(const json_t *item, const char *path, void *ctx,
			order_line *l, ordo_err *err)
{
	const struct line_ctx *lc = ctx;
	char sku[ORDO_SKU_MAX], variation[FOREIGN_NUM_ID_MAX];
	char product[FOREIGN_NUM_ID_MAX], sku_path[ORDO_ERR_FIELD_MAX];
	bool ids_ok = true;

	jf_path(sku_path, sizeof(sku_path), path, "sku");
	/* An invalid sku or id is already a problem; naming the line as
	 * unidentifiable too would report one mistake twice. */
	if (!jf_string(item, path, "sku", false, sku, sizeof(sku), err) &&
	    foreign_given(item, "sku"))
		ids_ok = false;
	if (!id_get_nonzero(item, path, "variation_id", variation,
			    sizeof(variation), err) &&
	    foreign_given(item, "variation_id"))
		ids_ok = false;
	if (!id_get_nonzero(item, path, "product_id", product,
			    sizeof(product), err) &&
	    foreign_given(item, "product_id"))
		ids_ok = false;
	if (ids_ok &&
	    !foreign_line_sku(lc->ch, sku, variation, "woocommerce-variation-",
			      product, "woocommerce-product-", l->sku,
			      sizeof(l->sku)))
		ordo_err_add(err, ORDO_EINVALID, sku_path,
			     "is empty and the line names no variation_id or "
			     "product_id; ordo cannot tell what was ordered");

	foreign_text_get(item, path, "name", l->title, sizeof(l->title), err);
	foreign_line_id(item, l);
	/* An invalid quantity leaves the line's 0: no unit price then. */
	foreign_quantity_get(item, path, "quantity", &l->quantity, err);
	unit_price_decode(item, path, lc->currency, l->quantity, l, err);
}

/* The fees (see woocommerce.h): *charged the sum of the positive ones,
 * *credited of the negative ones, as a positive amount. */
static void fees_decode(const json_t *doc, const char *parent,
			const char *currency, int64_t *charged,
			int64_t *credited, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], item_path[ORDO_ERR_FIELD_MAX];
	const json_t *arr;
	size_t i;

	*charged = 0;
	*credited = 0;
	jf_path(path, sizeof(path), parent, "fee_lines");
	arr = jf_array(doc, parent, "fee_lines", false, err);
	for (i = 0; arr && i < json_array_size(arr); i++) {
		const json_t *item = json_array_get(arr, i);
		int64_t amount = 0;
		bool ok;

		jf_index_path(item_path, sizeof(item_path), path, i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "must be an object");
			continue;
		}
		if (!foreign_money_get(item, item_path, "total", false,
				       currency, true, &amount, err))
			continue;
		/* money_parse bounds the amount, so negating it is safe. */
		if (amount >= 0)
			ok = money_add(*charged, amount, charged);
		else
			ok = money_add(*credited, -amount, credited);
		if (!ok)
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "the fee lines add up to more than the "
				     "largest amount ordo accepts");
	}
}

/* The sum of coupon_lines[].discount, for an order without
 * discount_total. */
static void coupons_decode(const json_t *doc, const char *parent,
			   const char *currency, int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], item_path[ORDO_ERR_FIELD_MAX];
	const json_t *arr;
	size_t i;

	jf_path(path, sizeof(path), parent, "coupon_lines");
	arr = jf_array(doc, parent, "coupon_lines", false, err);
	for (i = 0; arr && i < json_array_size(arr); i++) {
		const json_t *item = json_array_get(arr, i);
		int64_t amount = 0;

		jf_index_path(item_path, sizeof(item_path), path, i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "must be an object");
			continue;
		}
		if (foreign_money_get(item, item_path, "discount", false,
				      currency, false, &amount, err) &&
		    !money_add(*out, amount, out))
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "the coupons add up to more than the "
				     "largest amount ordo accepts");
	}
}

static void totals_decode(const json_t *doc, const char *parent,
			  const char *currency, bool has_shipping_lines,
			  order *o, ordo_err *err)
{
	order_totals *t = &o->totals;
	char path[ORDO_ERR_FIELD_MAX];
	int64_t fees = 0, credits = 0, shipping_total = 0;
	bool has_shipping_total, has_total;

	fees_decode(doc, parent, currency, &fees, &credits, err);
	has_shipping_total =
		foreign_money_get(doc, parent, "shipping_total", false,
				  currency, false, &shipping_total, err);
	if (!foreign_money_get(doc, parent, "discount_total", false, currency,
			       false, &t->discount, err) &&
	    !foreign_member(doc, "discount_total"))
		coupons_decode(doc, parent, currency, &t->discount, err);
	foreign_money_get(doc, parent, "total_tax", false, currency, false,
			  &t->tax, err);
	has_total = foreign_money_get(doc, parent, "total", false, currency,
				      false, &t->total, err);
	if (err->code != ORDO_OK)
		return;

	if (!has_shipping_lines && has_shipping_total)
		o->shipping.amount = shipping_total;
	t->shipping = has_shipping_total ? shipping_total : o->shipping.amount;
	jf_path(path, sizeof(path), parent, "fee_lines");
	if (!money_add(o->shipping.amount, fees, &o->shipping.amount) ||
	    !money_add(t->shipping, fees, &t->shipping) ||
	    !money_add(t->discount, credits, &t->discount)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "with the fees the order's value exceeds the "
			     "largest amount ordo accepts");
		return;
	}

	jf_path(path, sizeof(path), parent, "line_items");
	if (!foreign_lines_subtotal(o, path, &t->subtotal, err))
		return;
	jf_path(path, sizeof(path), parent, "total");
	if (!has_total)
		foreign_total_compute(t, path, err);
}

/* The member's string, or NULL. */
static const char *string_of(const json_t *obj, const char *key)
{
	const json_t *v = foreign_member(obj, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The order's status, without the "wc-" WordPress stores it with (the
 * REST API drops the prefix, other senders may not); NULL for none. */
static const char *status_of(const json_t *doc)
{
	const char *status = string_of(doc, "status");

	if (status && strncmp(status, "wc-", 3) == 0)
		status += 3;
	return status;
}

bool woocommerce_order_cancelled(const char *body, size_t len)
{
	ordo_err scratch = ORDO_ERR_INIT;
	const json_t *doc;
	const char *parent;
	json_t *root = foreign_parse(body, len, "data", &doc, &parent,
				     &scratch);
	const char *status = root ? status_of(doc) : NULL;
	bool yes = status && strcmp(status, "cancelled") == 0;

	json_decref(root);
	ordo_err_clear(&scratch);
	return yes;
}

static payment_status payment_of(const json_t *doc)
{
	static const struct {
		const char *woocommerce;
		payment_status ordo;
	} map[] = {
		{ "processing", PAYMENT_PAID },
		{ "completed", PAYMENT_PAID },
		{ "pending", PAYMENT_PENDING },
		{ "on-hold", PAYMENT_PENDING },
		{ "checkout-draft", PAYMENT_PENDING },
		{ "draft", PAYMENT_PENDING },
		{ "auto-draft", PAYMENT_PENDING },
		{ "refunded", PAYMENT_REFUNDED },
		{ "failed", PAYMENT_VOIDED },
		{ "cancelled", PAYMENT_VOIDED },
		{ "trash", PAYMENT_VOIDED },
	};
	const char *status = status_of(doc);
	const char *method = string_of(doc, "payment_method");
	payment_status p = PAYMENT_UNKNOWN;
	bool known = false;
	size_t i;

	for (i = 0; status && i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(status, map[i].woocommerce) == 0) {
			p = map[i].ordo;
			known = true;
			break;
		}
	}
	if (!known && (foreign_given(doc, "date_paid_gmt") ||
		       foreign_given(doc, "date_paid")))
		p = PAYMENT_PAID;

	if (p == PAYMENT_PAID) {
		/* Cash on delivery is processing, with a date_paid, before
		 * any money is taken; completed means it was delivered. */
		if (method && strcmp(method, "cod") == 0 &&
		    !(status && strcmp(status, "completed") == 0))
			p = PAYMENT_PENDING;
		if (json_is_true(foreign_member(doc, "needs_payment")))
			p = PAYMENT_PENDING;
	}
	return p;
}

ordo_code woocommerce_order_decode(const char *body, size_t len,
				   const ordo_channel *ch, order *o,
				   ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *parent, *currency;
	const json_t *doc, *lines;
	struct line_ctx lc;
	bool has_shipping_lines;
	json_t *root;

	assert(ch && o && err);
	o->state = ORDER_RECEIVED;
	o->payment = PAYMENT_UNKNOWN;
	ordo_strlcpy(o->channel, ch->name, sizeof(o->channel));
	ordo_strlcpy(o->channel_kind, channel_kind_name(CHANNEL_WOOCOMMERCE),
		     sizeof(o->channel_kind));

	/* The REST answer's envelope, {"data": {...}}; a webhook's body is
	 * the bare order. */
	root = foreign_parse(body, len, "data", &doc, &parent, err);
	if (!root)
		goto out;
	if (json_object_size(root) == 1 &&
	    json_is_array(json_object_get(root, "data"))) {
		ordo_err_add(err, ORDO_EINVALID, "data",
			     "is a list of orders; send one order per "
			     "request");
		goto done;
	}

	/* The line count first, so that a body over the limit is refused as
	 * such (ORDO_ELIMIT) whatever else is wrong with it. */
	lines = foreign_lines_get(doc, parent, "line_items", err);

	/* Every money field depends on the currency; without a known one
	 * they are still checked for shape, with the default exponent. */
	foreign_currency_decode(doc, parent, ch, o, err);
	currency = money_currency_known(o->currency) ? o->currency : "XXX";

	jf_path(path, sizeof(path), parent, "id");
	if (foreign_id_get(doc, parent, "id", true, o->external_id,
			   sizeof(o->external_id), err) &&
	    id_is_zero(o->external_id))
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is 0, which WooCommerce gives only an order "
			     "not yet saved");
	placed_at_decode(doc, parent, o, err);
	customer_decode(doc, parent, o, err);

	jf_path(path, sizeof(path), parent, "line_items");
	lc.ch = ch;
	lc.currency = currency;
	if (lines)
		foreign_lines_decode(lines, path, line_decode, &lc, o, err);
	has_shipping_lines = foreign_shipping_lines_decode(
		doc, parent, "shipping_lines", "method_id", "method_title",
		"total", currency, o, err);
	totals_decode(doc, parent, currency, has_shipping_lines, o, err);
	o->payment = payment_of(doc);
	foreign_text_get(doc, parent, "customer_note", o->notes,
			 sizeof(o->notes), err);

done:
	json_decref(root);
out:
	return foreign_finish(err, "WooCommerce");
}
