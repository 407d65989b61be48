/*
 * native_out.c - core records to ordo's native JSON, as the API answers and
 * webhooks deliver them. Money goes out as decimal strings in the record's
 * currency, times as RFC 3339 UTC strings, enums as their names. The shapes
 * are the OpenAPI document's schemas.
 */
#include "channels/native_out.h"

#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/money.h"
#include "core/timeutil.h"

/* A text growing in malloc'd memory, for json_dump_callback. */
struct dump_text {
	char *s;
	size_t len, cap;
};

static int dump_append(const char *buf, size_t size, void *data)
{
	struct dump_text *t = data;

	if (size >= t->cap - t->len) {
		size_t cap = t->cap * 2;
		char *s;

		while (size >= cap - t->len)
			cap *= 2;
		s = realloc(t->s, cap);
		if (!s)
			return -1;
		t->s = s;
		t->cap = cap;
	}
	memcpy(t->s + t->len, buf, size);
	t->len += size;
	return 0;
}

char *native_dump_flags(const json_t *j, size_t flags)
{
	/* Written into malloc'd memory, in one pass: the text outlives any
	 * arena jansson works in (json_pool.h). */
	struct dump_text t = {malloc(1024), 0, 1024};

	if (!t.s)
		return NULL;
	if (json_dump_callback(j, dump_append, &t, flags) != 0) {
		free(t.s);
		return NULL;
	}
	t.s[t.len] = '\0'; /* dump_append always leaves a byte */
	return t.s;
}

char *native_dump(const json_t *j)
{
	/* Reals are ratios (shares, hours), never money: 6 digits say it. */
	return native_dump_flags(j, JSON_COMPACT | JSON_PRESERVE_ORDER |
					    JSON_REAL_PRECISION(6));
}

json_t *native_time_json(ordo_time t)
{
	char buf[32];

	if (t == 0)
		return json_null();
	time_format_rfc3339(t, buf, sizeof(buf));
	return json_string(buf);
}

static json_t *money_json(ordo_money m, const char *currency)
{
	char buf[40];

	money_format(m, currency, buf, sizeof(buf));
	return json_string(buf);
}

/* A string, or null when empty. */
static json_t *opt_string(const char *s)
{
	return s[0] ? json_string(s) : json_null();
}

static json_t *address_json(const order_address *a)
{
	json_t *j = json_object();

	json_object_set_new(j, "name", json_string(a->name));
	json_object_set_new(j, "company", json_string(a->company));
	json_object_set_new(j, "line1", json_string(a->line1));
	json_object_set_new(j, "line2", json_string(a->line2));
	json_object_set_new(j, "city", json_string(a->city));
	json_object_set_new(j, "region", json_string(a->region));
	json_object_set_new(j, "postal_code", json_string(a->postal_code));
	json_object_set_new(j, "country", json_string(a->country));
	json_object_set_new(j, "phone", json_string(a->phone));
	return j;
}

static json_t *line_json(const order_line *l, const char *currency)
{
	json_t *j = json_object();

	json_object_set_new(j, "line_no", json_integer(l->line_no));
	json_object_set_new(j, "sku", json_string(l->sku));
	json_object_set_new(j, "title", json_string(l->title));
	json_object_set_new(j, "external_id", json_string(l->external_id));
	json_object_set_new(j, "quantity", json_integer(l->quantity));
	json_object_set_new(j, "unit_price",
			    money_json(l->unit_price, currency));
	json_object_set_new(j, "open", json_integer(l->qty_open));
	json_object_set_new(j, "allocated", json_integer(l->qty_allocated));
	json_object_set_new(j, "released", json_integer(l->qty_released));
	json_object_set_new(j, "shipped", json_integer(l->qty_shipped));
	json_object_set_new(j, "cancelled", json_integer(l->qty_cancelled));
	json_object_set_new(j, "returned", json_integer(l->qty_returned));
	return j;
}

static json_t *hold_json(const order_hold *h, ordo_time now)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(h->id));
	json_object_set_new(j, "type", json_string(hold_type_name(h->type)));
	json_object_set_new(j, "status",
			    json_string(hold_status_name(h->status)));
	json_object_set_new(j, "field", json_string(h->field));
	json_object_set_new(j, "message", json_string(h->message));
	json_object_set_new(j, "related_order_id",
			    opt_string(h->related_order_id));
	json_object_set_new(j, "raised_by", json_string(h->raised_by));
	json_object_set_new(j, "created_at", native_time_json(h->created_at));
	json_object_set_new(j, "resolved_at", native_time_json(h->resolved_at));
	json_object_set_new(j, "rule_id", json_string(h->rule_id));
	json_object_set_new(j, "policy_version",
			    json_integer(h->policy_version));
	json_object_set_new(j, "priority", json_integer(h->priority));
	json_object_set_new(j, "due_at", native_time_json(h->due_at));
	/* A lapsed claim is no claim: nobody holds the hold. */
	if (hold_claim_live(h, now)) {
		json_object_set_new(j, "assignee", opt_string(h->assignee));
		json_object_set_new(j, "claimed_until",
				    native_time_json(h->claimed_until));
	} else {
		json_object_set_new(j, "assignee", json_null());
		json_object_set_new(j, "claimed_until", json_null());
	}
	json_object_set_new(j, "claimed_at",
			    h->claimed_at ? native_time_json(h->claimed_at)
					  : json_null());
	json_object_set_new(j, "escalated", json_boolean(h->escalated));
	json_object_set_new(j, "resolution", opt_string(h->resolution));
	json_object_set_new(j, "resolution_reason",
			    opt_string(h->resolution_reason));
	json_object_set_new(j, "resolved_by", opt_string(h->resolved_by));
	return j;
}

json_t *native_hold_json(const order_hold *h, ordo_time now)
{
	return hold_json(h, now);
}

json_t *native_defect_json(const order_defect *d)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(d->id));
	json_object_set_new(j, "order_id", json_string(d->order_id));
	json_object_set_new(j, "type", json_string(d->type));
	json_object_set_new(j, "found_by", json_string(d->found_by));
	json_object_set_new(j, "note", json_string(d->note));
	json_object_set_new(j, "reported_by", json_string(d->reported_by));
	json_object_set_new(j, "created_at", native_time_json(d->created_at));
	json_object_set_new(
		j, "attributed_to",
		d->attributed_step[0]
			? json_pack("{s:s, s:o, s:s}", "step",
				    d->attributed_step, "rule_id",
				    d->attributed_rule[0]
					    ? json_string(d->attributed_rule)
					    : json_null(),
				    "actor", d->attributed_actor)
			: json_null());
	return j;
}

json_t *native_order_json(const order *o, ordo_time now)
{
	json_t *j = json_object(), *lines = json_array(), *holds = json_array();
	json_t *customer = json_object(), *shipping = json_object(),
	       *totals = json_object(), *fulfillments, *shipments, *defects;
	size_t i;

	json_object_set_new(j, "id", json_string(o->id));
	json_object_set_new(j, "external_id", json_string(o->external_id));
	json_object_set_new(j, "channel", json_string(o->channel));
	json_object_set_new(j, "channel_kind", o->channel_kind[0]
						       ? json_string(o->channel_kind)
						       : json_null());
	json_object_set_new(j, "state",
			    json_string(order_state_name(o->state)));
	json_object_set_new(j, "version", json_integer(o->version));
	json_object_set_new(j, "placed_at", native_time_json(o->placed_at));
	json_object_set_new(j, "received_at", native_time_json(o->received_at));
	json_object_set_new(j, "updated_at", native_time_json(o->updated_at));
	json_object_set_new(j, "accepted_at", native_time_json(o->accepted_at));
	json_object_set_new(j, "release_due_at",
			    native_time_json(o->release_due_at));
	json_object_set_new(j, "released_at", native_time_json(o->released_at));
	json_object_set_new(j, "delivered_at",
			    native_time_json(o->delivered_at));
	json_object_set_new(j, "closed_at", native_time_json(o->closed_at));
	json_object_set_new(j, "currency", json_string(o->currency));

	json_object_set_new(customer, "external_id",
			    json_string(o->customer.external_id));
	json_object_set_new(customer, "name", json_string(o->customer.name));
	json_object_set_new(customer, "email", json_string(o->customer.email));
	json_object_set_new(customer, "phone", json_string(o->customer.phone));
	json_object_set_new(j, "customer", customer);
	json_object_set_new(j, "ship_to", address_json(&o->ship_to));
	json_object_set_new(j, "bill_to", o->has_bill_to
						  ? address_json(&o->bill_to)
						  : json_null());

	json_object_set_new(shipping, "method",
			    json_string(o->shipping.method));
	json_object_set_new(shipping, "amount",
			    money_json(o->shipping.amount, o->currency));
	json_object_set_new(j, "shipping", shipping);
	json_object_set_new(totals, "subtotal",
			    money_json(o->totals.subtotal, o->currency));
	json_object_set_new(totals, "shipping",
			    money_json(o->totals.shipping, o->currency));
	json_object_set_new(totals, "tax",
			    money_json(o->totals.tax, o->currency));
	json_object_set_new(totals, "discount",
			    money_json(o->totals.discount, o->currency));
	json_object_set_new(totals, "total",
			    money_json(o->totals.total, o->currency));
	json_object_set_new(j, "totals", totals);
	json_object_set_new(j, "payment_status",
			    json_string(payment_status_name(o->payment)));
	json_object_set_new(j, "notes", json_string(o->notes));

	for (i = 0; i < o->n_lines; i++)
		json_array_append_new(lines,
				      line_json(&o->lines[i], o->currency));
	json_object_set_new(j, "lines", lines);
	for (i = 0; i < o->n_holds; i++)
		json_array_append_new(holds, hold_json(&o->holds[i], now));
	json_object_set_new(j, "holds", holds);
	fulfillments = json_array();
	for (i = 0; i < o->n_fulfillments; i++)
		json_array_append_new(fulfillments,
				      native_fulfillment_json(
					      &o->fulfillments[i]));
	json_object_set_new(j, "fulfillments", fulfillments);
	shipments = json_array();
	for (i = 0; i < o->n_shipments; i++)
		json_array_append_new(shipments,
				      native_shipment_json(&o->shipments[i]));
	json_object_set_new(j, "shipments", shipments);
	defects = json_array();
	for (i = 0; i < o->n_defects; i++)
		json_array_append_new(defects,
				      native_defect_json(&o->defects[i]));
	json_object_set_new(j, "defects", defects);
	return j;
}

json_t *native_fulfillment_json(const fulfillment *f)
{
	json_t *j = json_object(), *lines = json_array();
	size_t i;

	json_object_set_new(j, "id", json_string(f->id));
	json_object_set_new(j, "order_id", json_string(f->order_id));
	json_object_set_new(j, "location", json_string(f->location));
	json_object_set_new(j, "state",
			    json_string(fulfillment_state_name(f->state)));
	for (i = 0; i < f->n_lines; i++)
		json_array_append_new(
			lines,
			json_pack("{s:i, s:s, s:I, s:I}", "line_no",
				  f->lines[i].line_no, "sku", f->lines[i].sku,
				  "quantity", (json_int_t)f->lines[i].quantity,
				  "shipped", (json_int_t)f->lines[i].shipped));
	json_object_set_new(j, "lines", lines);
	json_object_set_new(j, "reject_reason",
			    opt_string(f->reject_reason));
	json_object_set_new(j, "reject_message",
			    opt_string(f->reject_message));
	json_object_set_new(j, "created_at", native_time_json(f->created_at));
	json_object_set_new(j, "released_at",
			    native_time_json(f->released_at));
	json_object_set_new(j, "updated_at", native_time_json(f->updated_at));
	return j;
}

json_t *native_shipment_json(const shipment *s)
{
	json_t *j = json_object(), *lines = json_array();
	size_t i;

	json_object_set_new(j, "id", json_string(s->id));
	json_object_set_new(j, "fulfillment_id", json_string(s->fulfillment_id));
	json_object_set_new(j, "order_id", json_string(s->order_id));
	json_object_set_new(j, "location", json_string(s->location));
	json_object_set_new(j, "carrier", json_string(s->carrier));
	json_object_set_new(j, "tracking_number",
			    json_string(s->tracking_number));
	json_object_set_new(j, "shipped_at", native_time_json(s->shipped_at));
	json_object_set_new(j, "delivered_at",
			    native_time_json(s->delivered_at));
	for (i = 0; i < s->n_lines; i++)
		json_array_append_new(
			lines, json_pack("{s:s, s:I}", "sku", s->lines[i].sku,
					 "quantity",
					 (json_int_t)s->lines[i].quantity));
	json_object_set_new(j, "lines", lines);
	return j;
}

json_t *native_event_json(const order_event *ev, int64_t place)
{
	json_t *j = json_object();

	json_object_set_new(j, "seq", json_integer(place));
	json_object_set_new(j, "type", json_string(ev->type));
	json_object_set_new(j, "from_state",
			    json_string(order_state_name(ev->from_state)));
	json_object_set_new(j, "to_state",
			    json_string(order_state_name(ev->to_state)));
	json_object_set_new(j, "hold_id", opt_string(ev->hold_id));
	json_object_set_new(j, "actor", json_string(ev->actor));
	json_object_set_new(j, "message", json_string(ev->message));
	json_object_set_new(j, "at", native_time_json(ev->at));
	return j;
}

json_t *native_sku_json(const catalog_sku *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "sku", json_string(s->sku));
	json_object_set_new(j, "title", json_string(s->title));
	json_object_set_new(j, "unit_price",
			    money_json(s->unit_price, s->currency));
	json_object_set_new(j, "currency", json_string(s->currency));
	json_object_set_new(j, "active", json_boolean(s->active));
	json_object_set_new(j, "updated_at", native_time_json(s->updated_at));
	return j;
}

json_t *native_location_json(const catalog_location *l)
{
	json_t *j = json_object(), *serves;
	size_t i;

	json_object_set_new(j, "code", json_string(l->code));
	json_object_set_new(j, "name", json_string(l->name));
	json_object_set_new(j, "line1", json_string(l->address.line1));
	json_object_set_new(j, "line2", json_string(l->address.line2));
	json_object_set_new(j, "city", json_string(l->address.city));
	json_object_set_new(j, "region", json_string(l->address.region));
	json_object_set_new(j, "postal_code",
			    json_string(l->address.postal_code));
	json_object_set_new(j, "country", json_string(l->address.country));
	json_object_set_new(j, "priority", json_integer(l->priority));
	serves = json_array();
	for (i = 0; i < l->n_serves; i++)
		json_array_append_new(serves, json_string(l->serves[i]));
	json_object_set_new(j, "serves", serves);
	json_object_set_new(j, "active", json_boolean(l->active));
	json_object_set_new(j, "updated_at", native_time_json(l->updated_at));
	return j;
}

json_t *native_stock_json(const stock_level *s)
{
	json_t *j = json_object();

	json_object_set_new(j, "location", json_string(s->location));
	json_object_set_new(j, "sku", json_string(s->sku));
	json_object_set_new(j, "on_hand", json_integer(s->on_hand));
	json_object_set_new(j, "reserved", json_integer(s->reserved));
	json_object_set_new(j, "safety_stock", json_integer(s->safety_stock));
	json_object_set_new(j, "available", json_integer(stock_available(s)));
	json_object_set_new(j, "updated_at", native_time_json(s->updated_at));
	return j;
}
