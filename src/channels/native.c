/*
 * native.c - decoding ordo's native order JSON. See native.h and the
 * OpenAPI document (components/schemas/OrderInput) for the format.
 *
 * The currency is read first because every money field depends on it; if it
 * is missing or unknown, money fields are still checked for shape with the
 * default exponent so that the caller sees their problems too.
 *
 * Every object of the document is checked with jf_only(): a member ordo
 * does not read is refused, never dropped, and a member ordo computes (an
 * order's id, state, timestamps, holds, a line's quantities by state) is
 * refused saying so, so that an answer echoed back is not mistaken for
 * input ordo took.
 */
#include "channels/native.h"

#include <string.h>

#include "channels/json_fields.h"
#include "core/channel.h"
#include "core/money.h"

/* The members of each object of an order: what ordo reads, and what it
 * computes and writes in its answers only. */
static const char *const order_members[] = {
	"currency", "external_id", "channel",  "placed_at",
	"customer", "ship_to",	   "bill_to",  "lines",
	"shipping", "totals",	   "payment_status", "notes",
	NULL,
};
static const char *const order_computed[] = {
	"id",	      "state",	      "received_at", "updated_at",
	"accepted_at", "release_due_at", "released_at", "delivered_at",
	"closed_at",  "holds",	      "fulfillments", "defects",
	"fingerprint", "tenant",      "seq",	       "channel_kind",
	"changes_not_applied", "version", NULL,
};
static const char *const customer_members[] = {
	"external_id", "name", "email", "phone", NULL,
};
static const char *const address_members[] = {
	"name",	       "company", "line1", "line2", "city",
	"region",      "postal_code", "country", "phone", NULL,
};
static const char *const line_members[] = {
	"sku", "title", "quantity", "unit_price", "external_id", NULL,
};
static const char *const line_computed[] = {
	"line_no", "open",	"allocated", "released",
	"shipped", "cancelled", "returned",  NULL,
};
static const char *const shipping_members[] = {"method", "amount", NULL};
static const char *const totals_members[] = {
	"subtotal", "shipping", "tax", "discount", "total", NULL,
};

void native_address_decode(const json_t *obj, const char *path,
			   order_address *a, ordo_err *err)
{
	jf_only(obj, path, address_members, NULL, err);
	jf_string(obj, path, "name", false, a->name, sizeof(a->name), err);
	jf_string(obj, path, "company", false, a->company, sizeof(a->company),
		  err);
	jf_string(obj, path, "line1", false, a->line1, sizeof(a->line1), err);
	jf_string(obj, path, "line2", false, a->line2, sizeof(a->line2), err);
	jf_string(obj, path, "city", false, a->city, sizeof(a->city), err);
	jf_string(obj, path, "region", false, a->region, sizeof(a->region),
		  err);
	jf_string(obj, path, "postal_code", false, a->postal_code,
		  sizeof(a->postal_code), err);
	jf_string(obj, path, "country", false, a->country, sizeof(a->country),
		  err);
	jf_string(obj, path, "phone", false, a->phone, sizeof(a->phone), err);
}

static void decode_lines(const json_t *arr, const char *currency, order *o,
			 ordo_err *err)
{
	size_t n = json_array_size(arr), i;
	char path[ORDO_ERR_FIELD_MAX];
	ordo_err alloc_err = ORDO_ERR_INIT;

	if (n == 0) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "must hold at least one line");
		return;
	}
	if (n > ORDO_MAX_LINES) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "must hold at most %d lines (got %zu)",
			     ORDO_MAX_LINES, n);
		return;
	}
	if (order_lines_alloc(o, n, &alloc_err) != ORDO_OK) {
		ordo_err_add(err, alloc_err.code, "lines", "%s",
			     alloc_err.message);
		ordo_err_clear(&alloc_err);
		return;
	}
	for (i = 0; i < n; i++) {
		const json_t *item = json_array_get(arr, i);
		order_line *l = &o->lines[i];

		jf_index_path(path, sizeof(path), "lines", i);
		l->line_no = (int)i + 1;
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_only(item, path, line_members, line_computed, err);
		jf_string(item, path, "sku", true, l->sku, sizeof(l->sku),
			  err);
		jf_string(item, path, "title", false, l->title,
			  sizeof(l->title), err);
		jf_string(item, path, "external_id", false, l->external_id,
			  sizeof(l->external_id), err);
		jf_int(item, path, "quantity", true, 1, ORDO_MAX_QUANTITY,
		       &l->quantity, err);
		jf_money(item, path, "unit_price", true, currency, false,
			 &l->unit_price, err);
	}
	order_lines_open_all(o);
}

ordo_code native_order_decode(const json_t *doc, order *o, ordo_err *err)
{
	const json_t *customer, *ship_to, *bill_to, *lines, *shipping,
		*totals;
	char payment[32];
	const char *currency;

	o->state = ORDER_RECEIVED;
	o->payment = PAYMENT_UNKNOWN;
	jf_only(doc, "", order_members, order_computed, err);

	if (jf_string(doc, "", "currency", true, o->currency,
		      sizeof(o->currency), err) &&
	    !money_currency_known(o->currency))
		ordo_err_add(err, ORDO_EINVALID, "currency",
			     "\"%s\" is not an ISO 4217 currency code",
			     o->currency);
	currency = money_currency_known(o->currency) ? o->currency : "XXX";

	jf_string(doc, "", "external_id", true, o->external_id,
		  sizeof(o->external_id), err);
	if (jf_string(doc, "", "channel", true, o->channel,
		      sizeof(o->channel), err) &&
	    !channel_name_ok(o->channel))
		ordo_err_add(err, ORDO_EINVALID, "channel",
			     CHANNEL_NAME_RULE);
	jf_time(doc, "", "placed_at", true, &o->placed_at, err);

	customer = jf_object(doc, "", "customer", true, err);
	if (customer) {
		order_customer *c = &o->customer;

		jf_only(customer, "customer", customer_members, NULL, err);
		jf_string(customer, "customer", "external_id", false,
			  c->external_id, sizeof(c->external_id), err);
		jf_string(customer, "customer", "name", false, c->name,
			  sizeof(c->name), err);
		jf_string(customer, "customer", "email", false, c->email,
			  sizeof(c->email), err);
		jf_string(customer, "customer", "phone", false, c->phone,
			  sizeof(c->phone), err);
	}
	ship_to = jf_object(doc, "", "ship_to", true, err);
	if (ship_to)
		native_address_decode(ship_to, "ship_to", &o->ship_to, err);
	bill_to = jf_object(doc, "", "bill_to", false, err);
	if (bill_to) {
		o->has_bill_to = true;
		native_address_decode(bill_to, "bill_to", &o->bill_to, err);
	}

	lines = jf_array(doc, "", "lines", true, err);
	if (lines)
		decode_lines(lines, currency, o, err);

	ordo_strlcpy(o->shipping.method, "standard",
		     sizeof(o->shipping.method));
	shipping = jf_object(doc, "", "shipping", false, err);
	if (shipping) {
		char method[ORDO_METHOD_MAX];

		jf_only(shipping, "shipping", shipping_members, NULL, err);
		if (jf_string(shipping, "shipping", "method", false, method,
			      sizeof(method), err))
			ordo_strlcpy(o->shipping.method, method,
				     sizeof(o->shipping.method));
		jf_money(shipping, "shipping", "amount", false, currency,
			 false, &o->shipping.amount, err);
	}

	totals = jf_object(doc, "", "totals", false, err);
	if (totals) {
		order_totals *t = &o->totals;

		jf_only(totals, "totals", totals_members, NULL, err);
		t->shipping = o->shipping.amount;
		jf_money(totals, "totals", "subtotal", true, currency, false,
			 &t->subtotal, err);
		jf_money(totals, "totals", "shipping", false, currency, false,
			 &t->shipping, err);
		jf_money(totals, "totals", "tax", false, currency, false,
			 &t->tax, err);
		jf_money(totals, "totals", "discount", false, currency, false,
			 &t->discount, err);
		jf_money(totals, "totals", "total", true, currency, false,
			 &t->total, err);
	} else if (err->code == ORDO_OK) {
		/* No totals given: the order's own arithmetic is the total. */
		order_totals *t = &o->totals;
		size_t i;

		t->shipping = o->shipping.amount;
		for (i = 0; i < o->n_lines; i++) {
			int64_t ext;

			if (!money_mul(o->lines[i].unit_price,
				       o->lines[i].quantity, &ext) ||
			    !money_add(t->subtotal, ext, &t->subtotal)) {
				ordo_err_add(err, ORDO_EINVALID, "lines",
					     "the order's value exceeds the "
					     "largest amount ordo accepts");
				break;
			}
		}
		if (!money_add(t->subtotal, t->shipping, &t->total))
			ordo_err_add(err, ORDO_EINVALID, "shipping.amount",
				     "the order's value exceeds the largest "
				     "amount ordo accepts");
	}

	if (jf_string(doc, "", "payment_status", false, payment,
		      sizeof(payment), err) &&
	    payment_status_parse(payment, &o->payment) != 0) {
		char list[JF_LIST_MAX];

		JF_ENUM_LIST(list, sizeof(list), payment_status_name,
			     PAYMENT_STATUS_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "payment_status",
			     "\"%s\" is not a payment status; one of: %s",
			     payment, list);
	}
	jf_string(doc, "", "notes", false, o->notes, sizeof(o->notes), err);

	if (err->code != ORDO_OK && err->message[0] == '\0')
		ordo_err_set_message(err, "the order has %zu problem%s",
				     err->n_details + err->n_dropped,
				     err->n_details + err->n_dropped == 1
					     ? ""
					     : "s");
	return err->code;
}
