/*
 * order_patch.c - applying a correction's changes to an order (see
 * order_patch.h).
 *
 * Applying walks the patch in the order of the request's members and adds
 * every problem to err rather than stopping at the first, so that the
 * reviewer sees all of them at once; strings were bounded when decoded,
 * so only money and line numbers can fail here.
 */
#include "core/order_patch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

void order_patch_init(order_patch *p)
{
	memset(p, 0, sizeof(*p));
}

void order_patch_free(order_patch *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_lines; i++)
		free(p->lines[i].unit_price);
	free(p->lines);
	free(p->shipping_amount);
	free(p->subtotal);
	free(p->shipping);
	free(p->tax);
	free(p->discount);
	free(p->total);
	memset(p, 0, sizeof(*p));
}

ordo_code order_patch_money(char **dst, const char *text, ordo_err *err)
{
	size_t len = strlen(text);
	char *copy = malloc(len + 1);

	if (!copy)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	memcpy(copy, text, len + 1);
	free(*dst);
	*dst = copy;
	return ORDO_OK;
}

order_patch_line *order_patch_line_add(order_patch *p, size_t index)
{
	order_patch_line *lines;

	if (p->n_lines >= ORDO_MAX_LINES)
		return NULL;
	lines = realloc(p->lines, (p->n_lines + 1) * sizeof(*lines));
	if (!lines)
		return NULL;
	p->lines = lines;
	memset(&lines[p->n_lines], 0, sizeof(lines[0]));
	lines[p->n_lines].index = index;
	return &lines[p->n_lines++];
}

/* Convert text (when given) with the order's currency into *dst. */
static void apply_money(const char *text, const char *currency,
			const char *path, int64_t *dst, ordo_err *err)
{
	ordo_err one = ORDO_ERR_INIT;
	int64_t v;

	if (!text)
		return;
	if (money_parse(text, currency, false, &v, path, &one) != ORDO_OK)
		ordo_err_add(err, ORDO_EINVALID, path, "%s", one.message);
	else
		*dst = v;
	ordo_err_clear(&one);
}

static void apply_address(order_address *a, const order_patch_address_set *set,
			  const order_address *v)
{
#define PATCH_MEMBER(m)                                                        \
	if (set->m)                                                            \
		memcpy(a->m, v->m, sizeof(a->m));
	PATCH_MEMBER(name)
	PATCH_MEMBER(company)
	PATCH_MEMBER(line1)
	PATCH_MEMBER(line2)
	PATCH_MEMBER(city)
	PATCH_MEMBER(region)
	PATCH_MEMBER(postal_code)
	PATCH_MEMBER(country)
	PATCH_MEMBER(phone)
#undef PATCH_MEMBER
}

static order_line *line_find(order *o, int line_no)
{
	size_t k;

	for (k = 0; k < o->n_lines; k++)
		if (o->lines[k].line_no == line_no)
			return &o->lines[k];
	return NULL;
}

static void apply_line(order *o, const order_patch_line *pl, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX], field[ORDO_ERR_FIELD_MAX];
	order_line *line = line_find(o, pl->line_no);

	snprintf(path, sizeof(path), "changes.lines[%zu]", pl->index);
	if (!line) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "the order has no line %d", pl->line_no);
		return;
	}
	if (pl->has_sku)
		memcpy(line->sku, pl->sku, sizeof(line->sku));
	if (pl->has_title)
		memcpy(line->title, pl->title, sizeof(line->title));
	snprintf(field, sizeof(field), "changes.lines[%zu].unit_price",
		 pl->index);
	apply_money(pl->unit_price, o->currency, field, &line->unit_price,
		    err);
	if (pl->has_quantity) {
		ordo_err one = ORDO_ERR_INIT;

		snprintf(field, sizeof(field), "changes.lines[%zu].quantity",
			 pl->index);
		if (order_line_set_quantity(line, pl->quantity, &one))
			ordo_err_add(err, one.code, field, "%s", one.message);
		ordo_err_clear(&one);
	}
}

ordo_code order_patch_apply(order *o, const order_patch *p, ordo_err *err)
{
	size_t i;

	if (p->has_customer_name)
		memcpy(o->customer.name, p->customer.name,
		       sizeof(o->customer.name));
	if (p->has_customer_email)
		memcpy(o->customer.email, p->customer.email,
		       sizeof(o->customer.email));
	if (p->has_customer_phone)
		memcpy(o->customer.phone, p->customer.phone,
		       sizeof(o->customer.phone));
	apply_address(&o->ship_to, &p->ship_to_set, &p->ship_to);
	if (p->has_bill_to) {
		o->has_bill_to = true;
		apply_address(&o->bill_to, &p->bill_to_set, &p->bill_to);
	}
	if (p->has_shipping_method)
		memcpy(o->shipping.method, p->shipping_method,
		       sizeof(o->shipping.method));
	apply_money(p->shipping_amount, o->currency, "changes.shipping.amount",
		    &o->shipping.amount, err);
	apply_money(p->subtotal, o->currency, "changes.totals.subtotal",
		    &o->totals.subtotal, err);
	apply_money(p->shipping, o->currency, "changes.totals.shipping",
		    &o->totals.shipping, err);
	apply_money(p->tax, o->currency, "changes.totals.tax", &o->totals.tax,
		    err);
	apply_money(p->discount, o->currency, "changes.totals.discount",
		    &o->totals.discount, err);
	apply_money(p->total, o->currency, "changes.totals.total",
		    &o->totals.total, err);
	if (p->has_payment)
		o->payment = p->payment;
	if (p->has_notes)
		memcpy(o->notes, p->notes, sizeof(o->notes));
	for (i = 0; i < p->n_lines; i++)
		apply_line(o, &p->lines[i], err);
	if (err->code != ORDO_OK)
		ordo_err_set_message(err, "the changes have %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
	return err->code;
}
