/*
 * foreign.c - reading another system's order JSON loosely. See foreign.h.
 */
#include "channels/foreign.h"

#include <stdio.h>
#include <string.h>

#include "channels/json_fields.h"
#include "core/money.h"

/* Room for a money value as text: 14 digits of ORDO_MAX_MONEY_MINOR, a
 * sign, a point, decimals and trailing zeros a system may add. Longer text
 * is given to money_parse as it is, which refuses it. */
#define FOREIGN_MONEY_TEXT_MAX 48

json_t *foreign_member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

bool foreign_given(const json_t *obj, const char *key)
{
	json_t *v = foreign_member(obj, key);

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

/* ---- text -------------------------------------------------------------- */

void foreign_text_trim(char *s)
{
	size_t start = 0, end = strlen(s);

	while (start < end && is_space(s[start]))
		start++;
	while (end > start && is_space(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
}

void foreign_text_append(char *dst, size_t size, const char *s)
{
	size_t used = strlen(dst);

	if (used + 1 < size)
		ordo_strlcpy(dst + used, s, size - used);
}

void foreign_text_join(char *dst, size_t size, const char *a,
		       const char *sep, const char *b)
{
	ordo_strlcpy(dst, a, size);
	foreign_text_trim(dst);
	while (is_space(*b))
		b++;
	if (dst[0] && b[0])
		foreign_text_append(dst, size, sep);
	foreign_text_append(dst, size, b);
	foreign_text_trim(dst);
}

bool foreign_text_get(const json_t *obj, const char *parent, const char *key,
		      char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = foreign_member(obj, key);

	dst[0] = '\0';
	if (!v)
		return false;
	if (!json_is_string(v)) {
		jf_path(path, sizeof(path), parent, key);
		ordo_err_add(err, ORDO_EINVALID, path, "must be a string");
		return false;
	}
	ordo_strlcpy(dst, json_string_value(v), size);
	foreign_text_trim(dst);
	return dst[0] != '\0';
}

bool foreign_name_get(const json_t *obj, const char *parent,
		      const char *first_key, const char *last_key, char *dst,
		      size_t size, ordo_err *err)
{
	char first[ORDO_NAME_MAX], last[ORDO_NAME_MAX];

	foreign_text_get(obj, parent, first_key, first, sizeof(first), err);
	foreign_text_get(obj, parent, last_key, last, sizeof(last), err);
	foreign_text_join(dst, size, first, " ", last);
	return dst[0] != '\0';
}

/* ---- numbers ----------------------------------------------------------- */

bool foreign_id_get(const json_t *obj, const char *parent, const char *key,
		    bool required, char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], num[24];
	json_t *v = foreign_member(obj, key);
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

bool foreign_quantity_get(const json_t *obj, const char *parent,
			  const char *key, int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = foreign_member(obj, key);
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

void foreign_money_normalise(char *text, int exponent)
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

bool foreign_money_get(const json_t *obj, const char *parent, const char *key,
		       bool required, const char *currency,
		       bool allow_negative, int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], text[FOREIGN_MONEY_TEXT_MAX];
	json_t *v = foreign_member(obj, key);
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
			foreign_money_normalise(
				text, money_currency_exponent(currency));
		} else {
			parse = json_string_value(v);
		}
	} else {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a decimal string such as \"12.50\"");
		return false;
	}
	if (money_parse(parse, currency, allow_negative, out, path, &one) !=
	    ORDO_OK) {
		ordo_err_add(err, ORDO_EINVALID, path, "%s", one.message);
		ordo_err_clear(&one);
		return false;
	}
	return true;
}

/* ---- the order's parts ------------------------------------------------- */

void foreign_address_decode(const json_t *obj, const char *path,
			    const foreign_address_keys *keys,
			    order_address *a, ordo_err *err)
{
	if (!keys->name ||
	    !foreign_text_get(obj, path, keys->name, a->name, sizeof(a->name),
			      err))
		foreign_name_get(obj, path, keys->first_name, keys->last_name,
				 a->name, sizeof(a->name), err);
	foreign_text_get(obj, path, keys->company, a->company,
			 sizeof(a->company), err);
	foreign_text_get(obj, path, keys->line1, a->line1, sizeof(a->line1),
			 err);
	foreign_text_get(obj, path, keys->line2, a->line2, sizeof(a->line2),
			 err);
	foreign_text_get(obj, path, keys->city, a->city, sizeof(a->city), err);
	if (!jf_string(obj, path, keys->region, false, a->region,
		       sizeof(a->region), err) &&
	    keys->region_alt)
		jf_string(obj, path, keys->region_alt, false, a->region,
			  sizeof(a->region), err);
	jf_string(obj, path, keys->postal_code, false, a->postal_code,
		  sizeof(a->postal_code), err);
	jf_string(obj, path, keys->country, false, a->country,
		  sizeof(a->country), err);
	jf_string(obj, path, keys->phone, false, a->phone, sizeof(a->phone),
		  err);
}

bool foreign_address_empty(const order_address *a)
{
	return !a->name[0] && !a->company[0] && !a->line1[0] &&
	       !a->line2[0] && !a->city[0] && !a->region[0] &&
	       !a->postal_code[0] && !a->country[0] && !a->phone[0];
}

void foreign_currency_decode(const json_t *doc, const char *parent,
			     const ordo_channel *ch, order *o, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	char *p;

	jf_path(path, sizeof(path), parent, "currency");
	if (foreign_member(doc, "currency")) {
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

const json_t *foreign_lines_get(const json_t *doc, const char *parent,
				const char *key, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const json_t *lines;

	jf_path(path, sizeof(path), parent, key);
	lines = jf_array(doc, parent, key, true, err);
	if (lines && json_array_size(lines) == 0) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must hold at least one line item");
		return NULL;
	}
	if (lines && json_array_size(lines) > ORDO_MAX_LINES) {
		ordo_err_add(err, ORDO_ELIMIT, path,
			     "must hold at most %d line items (got %zu)",
			     ORDO_MAX_LINES, json_array_size(lines));
		return NULL;
	}
	return lines;
}

void foreign_lines_decode(const json_t *arr, const char *path,
			  foreign_line_fn decode, void *ctx, order *o,
			  ordo_err *err)
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
		decode(item, item_path, ctx, l, err);
	}
	order_lines_open_all(o);
}

bool foreign_line_sku(const ordo_channel *ch, const char *sku,
		      const char *first_id, const char *first_prefix,
		      const char *second_id, const char *second_prefix,
		      char *dst, size_t size)
{
	const char *mapped = NULL;

	if (sku[0])
		mapped = channel_sku_of(ch, sku);
	if (!mapped && first_id[0])
		mapped = channel_sku_of(ch, first_id);
	if (!mapped && second_id[0])
		mapped = channel_sku_of(ch, second_id);
	if (mapped)
		ordo_strlcpy(dst, mapped, size);
	else if (sku[0])
		ordo_strlcpy(dst, sku, size);
	else if (first_id[0])
		snprintf(dst, size, "%s%s", first_prefix, first_id);
	else if (second_id[0])
		snprintf(dst, size, "%s%s", second_prefix, second_id);
	else
		return false;
	return true;
}

bool foreign_shipping_lines_decode(const json_t *doc, const char *parent,
				   const char *array_key,
				   const char *method_key,
				   const char *method_alt_key,
				   const char *amount_key,
				   const char *currency, order *o,
				   ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], item_path[ORDO_ERR_FIELD_MAX];
	char method[ORDO_METHOD_MAX];
	const json_t *arr;
	size_t i;

	ordo_strlcpy(o->shipping.method, "standard",
		     sizeof(o->shipping.method));
	jf_path(path, sizeof(path), parent, array_key);
	arr = jf_array(doc, parent, array_key, false, err);
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
		    (foreign_text_get(item, item_path, method_key, method,
				      sizeof(method), err) ||
		     foreign_text_get(item, item_path, method_alt_key, method,
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
		if (foreign_money_get(item, item_path, amount_key, false,
				      currency, false, &amount, err) &&
		    !money_add(o->shipping.amount, amount,
			       &o->shipping.amount))
			ordo_err_add(err, ORDO_EINVALID, item_path,
				     "the shipping lines add up to more than "
				     "the largest amount ordo accepts");
	}
	return arr != NULL;
}

bool foreign_lines_subtotal(const order *o, const char *path, int64_t *out,
			    ordo_err *err)
{
	int64_t sum = 0, ext;
	size_t i;

	for (i = 0; i < o->n_lines; i++) {
		if (!money_mul(o->lines[i].unit_price, o->lines[i].quantity,
			       &ext) ||
		    !money_add(sum, ext, &sum)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "the order's value exceeds the largest "
				     "amount ordo accepts");
			return false;
		}
	}
	*out = sum;
	return true;
}

bool foreign_total_compute(order_totals *t, const char *path, ordo_err *err)
{
	if (!money_add(t->subtotal, t->shipping, &t->total) ||
	    !money_add(t->total, t->tax, &t->total) ||
	    !money_add(t->total, -t->discount, &t->total)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "the order's value exceeds the largest amount "
			     "ordo accepts");
		return false;
	}
	return true;
}

/* ---- the body ---------------------------------------------------------- */

json_t *foreign_parse(const char *body, size_t len, const char *envelope,
		      const json_t **doc, const char **parent, ordo_err *err)
{
	json_t *root = jf_parse_object(body, len, err);

	*doc = NULL;
	*parent = "";
	if (!root)
		return NULL;
	*doc = root;
	if (json_object_size(root) == 1 &&
	    json_is_object(json_object_get(root, envelope))) {
		*doc = json_object_get(root, envelope);
		*parent = envelope;
	}
	return root;
}

ordo_code foreign_finish(ordo_err *err, const char *system)
{
	size_t n = err->n_details + err->n_dropped;

	if (err->code != ORDO_OK && err->message[0] == '\0')
		ordo_err_set_message(err, "the %s order has %zu problem%s",
				     system, n, n == 1 ? "" : "s");
	return err->code;
}

void foreign_line_id(const json_t *item, order_line *l)
{
	ordo_err scratch = ORDO_ERR_INIT;

	if (!foreign_id_get(item, "", "id", false, l->external_id,
			    sizeof(l->external_id), &scratch))
		l->external_id[0] = '\0';
	ordo_err_clear(&scratch);
}
