/*
 * shopify.c - decoding a Shopify order document. See shopify.h.
 *
 * NOTES ON THE MAPPING
 *
 * Shopify is lenient in what it sends and what it documents; loose payloads
 * (test tools, apps that re-post orders) are more so. So each value is read
 * in the shapes Shopify is known to send it:
 *
 *   ids          a JSON integer, or a string of digits    -> decimal text
 *   quantities   a JSON integer, or a string of digits
 *   money        a decimal string ("199.00"), or a JSON integer ("199");
 *                a JSON real (199.5) is refused: its text is gone once
 *                jansson has read it, and ordo takes no floating point
 *   times        RFC 3339 with an offset (time_parse_rfc3339 converts)
 *
 * Money strings may carry more decimals than the currency has: Shopify
 * writes yen as "1000.00". Zeros past the currency's exponent are dropped
 * before money_parse (money_normalise); any other digit there is refused.
 *
 * Strings that identify something (ids, SKUs, email, phone, currency,
 * country, region, postal code) are refused when longer than ordo's field,
 * because a truncated one names something else. Descriptive text (titles,
 * names, companies, address lines, city, notes) is cut at a character
 * boundary instead: it is not worth refusing an order over.
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
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "channels/json_fields.h"
#include "core/money.h"
#include "core/timeutil.h"

/* Room for a Shopify product or variant id as decimal text: they are
 * 64-bit integers (at most 19 digits), and "shopify-variant-" plus one
 * must fit in a SKU. */
#define SHOPIFY_NUM_ID_MAX 21
/* Room for a money value as text: 14 digits of ORDO_MAX_MONEY_MINOR, a
 * point, decimals and trailing zeros Shopify may add. Longer text is given
 * to money_parse as it is, which refuses it. */
#define SHOPIFY_MONEY_TEXT_MAX 48

/* The member, or NULL when absent or JSON null (null means "not given"). */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/* Whether obj has key with a value other than null or "": a reader that
 * returned false for such a member found it invalid. */
static bool given(const json_t *obj, const char *key)
{
	json_t *v = member(obj, key);

	return v && !(json_is_string(v) && json_string_length(v) == 0);
}

static bool is_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Drop ASCII white space from both ends of s, in place. */
static void text_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (start < end && is_space(s[start]))
		start++;
	while (end > start && is_space(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

/* Append s to the string in dst, cut at a character boundary to fit. */
static void text_append(char *dst, size_t size, const char *s)
{
	size_t used = strlen(dst);

	if (used + 1 < size)
		ordo_strlcpy(dst + used, s, size - used);
}

/* "a<sep>b", trimmed, with sep only between two non-empty parts. */
static void text_join(char *dst, size_t size, const char *a, const char *sep,
		      const char *b)
{
	ordo_strlcpy(dst, a, size);
	text_trim(dst);
	while (is_space(*b))
		b++;
	if (dst[0] && b[0])
		text_append(dst, size, sep);
	text_append(dst, size, b);
	text_trim(dst);
}

/*
 * Descriptive text: a string, cut at a character boundary to fit size and
 * trimmed. Absent or null is "". Returns true when the text is not empty.
 */
static bool text_get(const json_t *obj, const char *parent, const char *key,
		     char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);

	dst[0] = '\0';
	if (!v)
		return false;
	if (!json_is_string(v)) {
		jf_path(path, sizeof(path), parent, key);
		ordo_err_add(err, ORDO_EINVALID, path, "must be a string");
		return false;
	}
	ordo_strlcpy(dst, json_string_value(v), size);
	text_trim(dst);
	return dst[0] != '\0';
}

/*
 * A Shopify id as decimal text: a non-negative JSON integer or a string of
 * digits, at most size - 1 of them. An empty string is absent.
 */
static bool id_get(const json_t *obj, const char *parent, const char *key,
		   bool required, char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], num[24];
	json_t *v = member(obj, key);
	const char *text;

	dst[0] = '\0';
	jf_path(path, sizeof(path), parent, key);
	if (json_is_string(v) && json_string_length(v) == 0)
		v = NULL;
	if (!v) {
		if (required)
			ordo_err_add(err, ORDO_EINVALID, path, "is required");
		return false;
	}
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must not be negative");
			return false;
		}
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		text = num;
	} else if (json_is_string(v) && is_digits(json_string_value(v))) {
		text = json_string_value(v);
	} else {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be an integer or a string of digits");
		return false;
	}
	if (strlen(text) >= size) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be at most %zu digits (got %zu)", size - 1,
			     strlen(text));
		return false;
	}
	ordo_strlcpy(dst, text, size);
	return true;
}

/* A line's quantity: a JSON integer or a string of digits, 1 to
 * ORDO_MAX_QUANTITY. */
static bool quantity_get(const json_t *obj, const char *parent,
			 const char *key, int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);
	int64_t n = 0;

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		ordo_err_add(err, ORDO_EINVALID, path, "is required");
		return false;
	}
	if (json_is_integer(v)) {
		n = json_integer_value(v);
	} else if (json_is_string(v) && is_digits(json_string_value(v))) {
		const char *p = json_string_value(v);

		/* Stop accumulating past the limit so it cannot overflow. */
		for (; *p && n <= ORDO_MAX_QUANTITY; p++)
			n = n * 10 + (*p - '0');
	} else {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be an integer or a string of digits");
		return false;
	}
	if (n < 1 || n > ORDO_MAX_QUANTITY) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be between 1 and %lld",
			     (long long)ORDO_MAX_QUANTITY);
		return false;
	}
	*out = n;
	return true;
}

/*
 * Drop the zeros a money string carries past the currency's exponent
 * ("1000.00" in yen is "1000", "1.2500" in dinars "1.250"), in place. Any
 * other digit there is left for money_parse to refuse, and text that is not
 * digits is left for it to call malformed.
 */
static void money_normalise(char *text, int exponent)
{
	char *dot = strchr(text, '.');
	size_t decimals, i;

	if (!dot)
		return;
	decimals = strlen(dot + 1);
	if (decimals <= (size_t)exponent)
		return;
	for (i = (size_t)exponent; i < decimals; i++)
		if (dot[1 + i] != '0')
			return;
	/* "1000." stays malformed; "1000.0" in yen becomes "1000". */
	if (exponent == 0)
		dot[0] = '\0';
	else
		dot[1 + exponent] = '\0';
}

/* Money: a decimal string or a JSON integer of major units (see the top
 * of this file). Never negative. */
static bool money_get(const json_t *obj, const char *parent, const char *key,
		      bool required, const char *currency, int64_t *out,
		      ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], text[SHOPIFY_MONEY_TEXT_MAX];
	json_t *v = member(obj, key);
	ordo_err one = ORDO_ERR_INIT;
	const char *parse = text;

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		if (required)
			ordo_err_add(err, ORDO_EINVALID, path, "is required");
		return false;
	}
	if (json_is_real(v)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is a JSON number with a fraction or exponent; "
			     "send money as a decimal string such as "
			     "\"12.50\"");
		return false;
	}
	if (json_is_integer(v)) {
		snprintf(text, sizeof(text), "%lld",
			 (long long)json_integer_value(v));
	} else if (json_is_string(v)) {
		if (json_string_length(v) < sizeof(text)) {
			memcpy(text, json_string_value(v),
			       json_string_length(v) + 1);
			money_normalise(text,
					money_currency_exponent(currency));
		} else {
			parse = json_string_value(v);
		}
	} else {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a decimal string such as \"12.50\"");
		return false;
	}
	if (money_parse(parse, currency, false, out, path, &one) != ORDO_OK) {
		ordo_err_add(err, ORDO_EINVALID, path, "%s", one.message);
		ordo_err_clear(&one);
		return false;
	}
	return true;
}

static void address_decode(const json_t *obj, const char *path,
			   order_address *a, ordo_err *err)
{
	char first[ORDO_NAME_MAX], last[ORDO_NAME_MAX];

	if (!text_get(obj, path, "name", a->name, sizeof(a->name), err)) {
		text_get(obj, path, "first_name", first, sizeof(first), err);
		text_get(obj, path, "last_name", last, sizeof(last), err);
		text_join(a->name, sizeof(a->name), first, " ", last);
	}
	text_get(obj, path, "company", a->company, sizeof(a->company), err);
	text_get(obj, path, "address1", a->line1, sizeof(a->line1), err);
	text_get(obj, path, "address2", a->line2, sizeof(a->line2), err);
	text_get(obj, path, "city", a->city, sizeof(a->city), err);
	if (!jf_string(obj, path, "province_code", false, a->region,
		       sizeof(a->region), err))
		jf_string(obj, path, "province", false, a->region,
			  sizeof(a->region), err);
	jf_string(obj, path, "zip", false, a->postal_code,
		  sizeof(a->postal_code), err);
	jf_string(obj, path, "country_code", false, a->country,
		  sizeof(a->country), err);
	jf_string(obj, path, "phone", false, a->phone, sizeof(a->phone), err);
}

static void customer_decode(const json_t *doc, const char *parent, order *o,
			    ordo_err *err)
{
	order_customer *c = &o->customer;
	char path[ORDO_ERR_FIELD_MAX];
	char first[ORDO_NAME_MAX], last[ORDO_NAME_MAX];
	const json_t *cust;

	jf_path(path, sizeof(path), parent, "customer");
	cust = jf_object(doc, parent, "customer", false, err);
	if (cust) {
		id_get(cust, path, "id", false, c->external_id,
		       sizeof(c->external_id), err);
		text_get(cust, path, "first_name", first, sizeof(first), err);
		text_get(cust, path, "last_name", last, sizeof(last), err);
		text_join(c->name, sizeof(c->name), first, " ", last);
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

/* The SKU of one line (see the top of this file); false when the line
 * names nothing ordo could hold it under. */
static bool line_sku(const ordo_channel *ch, const char *sku,
		     const char *variant, const char *product, char *dst,
		     size_t size)
{
	const char *mapped = NULL;

	if (sku[0])
		mapped = channel_sku_of(ch, sku);
	if (!mapped && variant[0])
		mapped = channel_sku_of(ch, variant);
	if (!mapped && product[0])
		mapped = channel_sku_of(ch, product);
	if (mapped)
		ordo_strlcpy(dst, mapped, size);
	else if (sku[0])
		ordo_strlcpy(dst, sku, size);
	else if (variant[0])
		snprintf(dst, size, "shopify-variant-%s", variant);
	else if (product[0])
		snprintf(dst, size, "shopify-product-%s", product);
	else
		return false;
	return true;
}

static void line_decode(const json_t *item, const char *path,
			const ordo_channel *ch, const char *currency,
			order_line *l, ordo_err *err)
{
	char sku[ORDO_SKU_MAX], variant[SHOPIFY_NUM_ID_MAX];
	char product[SHOPIFY_NUM_ID_MAX], variant_title[ORDO_TITLE_MAX];
	char sku_path[ORDO_ERR_FIELD_MAX];
	bool ids_ok = true;

	jf_path(sku_path, sizeof(sku_path), path, "sku");
	/* An invalid sku or id is already a problem; naming the line as
	 * unidentifiable too would report one mistake twice. */
	if (!jf_string(item, path, "sku", false, sku, sizeof(sku), err) &&
	    given(item, "sku"))
		ids_ok = false;
	if (!id_get(item, path, "variant_id", false, variant, sizeof(variant),
		    err) &&
	    given(item, "variant_id"))
		ids_ok = false;
	if (!id_get(item, path, "product_id", false, product, sizeof(product),
		    err) &&
	    given(item, "product_id"))
		ids_ok = false;
	if (ids_ok && !line_sku(ch, sku, variant, product, l->sku,
				sizeof(l->sku)))
		ordo_err_add(err, ORDO_EINVALID, sku_path,
			     "is empty and the line names no variant_id or "
			     "product_id; ordo cannot tell what was ordered");

	if (!text_get(item, path, "title", l->title, sizeof(l->title), err))
		text_get(item, path, "name", l->title, sizeof(l->title), err);
	if (text_get(item, path, "variant_title", variant_title,
		     sizeof(variant_title), err) &&
	    l->title[0]) {
		text_append(l->title, sizeof(l->title), " - ");
		text_append(l->title, sizeof(l->title), variant_title);
		/* A title cut short may end in the separator. */
		text_trim(l->title);
	}
	quantity_get(item, path, "quantity", &l->quantity, err);
	money_get(item, path, "price", true, currency, &l->unit_price, err);
}

static void lines_decode(const json_t *arr, const char *path,
			 const ordo_channel *ch, const char *currency,
			 order *o, ordo_err *err)
{
	size_t n = json_array_size(arr), i;
	char item_path[ORDO_ERR_FIELD_MAX];
	ordo_err alloc_err = ORDO_ERR_INIT;

	if (order_lines_alloc(o, n, &alloc_err) != ORDO_OK) {
		ordo_err_add(err, alloc_err.code, path, "%s",
			     alloc_err.message);
		ordo_err_clear(&alloc_err);
		return;
	}
	for (i = 0; i < n; i++) {
		const json_t *item = json_array_get(arr, i);
		order_line *l = &o->lines[i];

		jf_index_path(item_path, sizeof(item_path), path, i);
		l->line_no = (int)i + 1;
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "must be an object");
			continue;
		}
		line_decode(item, item_path, ch, currency, l, err);
	}
	order_lines_open_all(o);
}

static void shipping_decode(const json_t *doc, const char *parent,
			    const char *currency, order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], item_path[ORDO_ERR_FIELD_MAX];
	char method[ORDO_METHOD_MAX];
	const json_t *arr;
	size_t i;

	ordo_strlcpy(o->shipping.method, "standard",
		     sizeof(o->shipping.method));
	jf_path(path, sizeof(path), parent, "shipping_lines");
	arr = jf_array(doc, parent, "shipping_lines", false, err);
	for (i = 0; arr && i < json_array_size(arr); i++) {
		const json_t *item = json_array_get(arr, i);
		int64_t amount = 0;

		jf_index_path(item_path, sizeof(item_path), path, i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "must be an object");
			continue;
		}
		if (i == 0 &&
		    (text_get(item, item_path, "code", method, sizeof(method),
			      err) ||
		     text_get(item, item_path, "title", method,
			      sizeof(method), err))) {
			char *p;

			/* ASCII only: bytes of other UTF-8 characters are
			 * left as they are, so the text stays UTF-8. */
			for (p = method; *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			ordo_strlcpy(o->shipping.method, method,
				     sizeof(o->shipping.method));
		}
		if (money_get(item, item_path, "price", false, currency,
			      &amount, err) &&
		    !money_add(o->shipping.amount, amount,
			       &o->shipping.amount))
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "the shipping lines add up to more than "
				     "the largest amount ordo accepts");
	}
}

static void totals_decode(const json_t *doc, const char *parent,
			  const char *currency, order *o, ordo_err *err)
{
	order_totals *t = &o->totals;
	char path[ORDO_ERR_FIELD_MAX];
	bool taxes_included = false, has_subtotal, has_total;
	size_t i;

	t->shipping = o->shipping.amount;
	money_get(doc, parent, "total_discounts", false, currency,
		  &t->discount, err);
	money_get(doc, parent, "total_tax", false, currency, &t->tax, err);
	jf_bool(doc, parent, "taxes_included", false, &taxes_included, err);
	if (taxes_included)
		t->tax = 0;
	has_subtotal = money_get(doc, parent, "total_line_items_price", false,
				 currency, &t->subtotal, err);
	if (!has_subtotal && !member(doc, "total_line_items_price") &&
	    money_get(doc, parent, "subtotal_price", false, currency,
		      &t->subtotal, err)) {
		has_subtotal = true;
		jf_path(path, sizeof(path), parent, "subtotal_price");
		if (!money_add(t->subtotal, t->discount, &t->subtotal))
			ordo_err_add(err, ORDO_EINVALID, path,
				     "with the discounts added back it "
				     "exceeds the largest amount ordo "
				     "accepts");
	}
	has_total = money_get(doc, parent, "total_price", false, currency,
			      &t->total, err);
	/* Arithmetic on values that failed to decode would only add
	 * problems that are not the sender's. */
	if (err->code != ORDO_OK)
		return;

	/* What the document leaves out is the order's own arithmetic. */
	if (!has_subtotal) {
		for (i = 0; i < o->n_lines; i++) {
			int64_t ext;

			if (!money_mul(o->lines[i].unit_price,
				       o->lines[i].quantity, &ext) ||
			    !money_add(t->subtotal, ext, &t->subtotal)) {
				jf_path(path, sizeof(path), parent,
					"line_items");
				ordo_err_add(err, ORDO_EINVALID, path,
					     "the order's value exceeds the "
					     "largest amount ordo accepts");
				return;
			}
		}
	}
	if (!has_total &&
	    (!money_add(t->subtotal, t->shipping, &t->total) ||
	     !money_add(t->total, t->tax, &t->total) ||
	     !money_add(t->total, -t->discount, &t->total))) {
		jf_path(path, sizeof(path), parent, "total_price");
		ordo_err_add(err, ORDO_EINVALID, path,
			     "the order's value exceeds the largest amount "
			     "ordo accepts");
	}
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
	const json_t *v = member(doc, "financial_status");
	size_t i;

	for (i = 0; json_is_string(v) && i < sizeof(map) / sizeof(map[0]);
	     i++)
		if (strcmp(json_string_value(v), map[i].shopify) == 0)
			return map[i].ordo;
	return PAYMENT_UNKNOWN;
}

/* The document's currency, else the channel's; sets o->currency, or
 * reports why there is none. */
static void currency_decode(const json_t *doc, const char *parent,
			    const ordo_channel *ch, order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	char *p;

	jf_path(path, sizeof(path), parent, "currency");
	if (member(doc, "currency")) {
		if (!jf_string(doc, parent, "currency", true, o->currency,
			       sizeof(o->currency), err))
			return;
		/* ISO 4217 writes codes in capitals; money.c matches them
		 * exactly. */
		for (p = o->currency; *p; p++)
			if (*p >= 'a' && *p <= 'z')
				*p = (char)(*p - 'a' + 'A');
		if (!money_currency_known(o->currency))
			ordo_err_add(err, ORDO_EINVALID, path,
				     "\"%s\" is not an ISO 4217 currency code",
				     o->currency);
		return;
	}
	if (!ch->currency[0]) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is required: the document names no currency "
			     "and channel \"%s\" has no default currency",
			     ch->name);
		return;
	}
	ordo_strlcpy(o->currency, ch->currency, sizeof(o->currency));
	if (!money_currency_known(o->currency))
		ordo_err_add(err, ORDO_EINVALID, path,
			     "the document names no currency and channel "
			     "\"%s\"'s default, \"%s\", is not an ISO 4217 "
			     "currency code",
			     ch->name, o->currency);
}

ordo_code shopify_order_decode(const char *body, size_t len,
			       const ordo_channel *ch, order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *parent = "", *currency;
	const json_t *doc, *lines, *addr;
	json_t *root;

	assert(ch && o && err);
	o->state = ORDER_RECEIVED;
	o->payment = PAYMENT_UNKNOWN;
	ordo_strlcpy(o->channel, ch->name, sizeof(o->channel));

	root = jf_parse_object(body, len, err);
	if (!root)
		goto out;
	/* The REST API's envelope, {"order": {...}}; a webhook's body is
	 * the bare order. */
	doc = root;
	if (json_object_size(root) == 1 &&
	    json_is_object(json_object_get(root, "order"))) {
		doc = json_object_get(root, "order");
		parent = "order";
	}

	/* The line count first, so that a body over the limit is refused as
	 * such (ORDO_ELIMIT) whatever else is wrong with it. */
	jf_path(path, sizeof(path), parent, "line_items");
	lines = jf_array(doc, parent, "line_items", true, err);
	if (lines && json_array_size(lines) == 0) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must hold at least one line item");
		lines = NULL;
	} else if (lines && json_array_size(lines) > ORDO_MAX_LINES) {
		ordo_err_add(err, ORDO_ELIMIT, path,
			     "must hold at most %d line items (got %zu)",
			     ORDO_MAX_LINES, json_array_size(lines));
		lines = NULL;
	}

	/* Every money field depends on the currency; without a known one
	 * they are still checked for shape, with the default exponent. */
	currency_decode(doc, parent, ch, o, err);
	currency = money_currency_known(o->currency) ? o->currency : "XXX";

	id_get(doc, parent, "id", true, o->external_id,
	       sizeof(o->external_id), err);
	if (member(doc, "created_at") || !member(doc, "processed_at"))
		jf_time(doc, parent, "created_at", true, &o->placed_at, err);
	else
		jf_time(doc, parent, "processed_at", true, &o->placed_at, err);

	customer_decode(doc, parent, o, err);
	jf_path(path, sizeof(path), parent, "shipping_address");
	addr = jf_object(doc, parent, "shipping_address", false, err);
	if (addr)
		address_decode(addr, path, &o->ship_to, err);
	jf_path(path, sizeof(path), parent, "billing_address");
	addr = jf_object(doc, parent, "billing_address", false, err);
	if (addr) {
		o->has_bill_to = true;
		address_decode(addr, path, &o->bill_to, err);
	}

	jf_path(path, sizeof(path), parent, "line_items");
	if (lines)
		lines_decode(lines, path, ch, currency, o, err);
	shipping_decode(doc, parent, currency, o, err);
	totals_decode(doc, parent, currency, o, err);
	o->payment = payment_of(doc);
	text_get(doc, parent, "note", o->notes, sizeof(o->notes), err);

	json_decref(root);
out:
	if (err->code != ORDO_OK && err->message[0] == '\0')
		ordo_err_set_message(err,
				     "the Shopify order has %zu problem%s",
				     err->n_details + err->n_dropped,
				     err->n_details + err->n_dropped == 1
					     ? ""
					     : "s");
	return err->code;
}
