/*
 * order_diff.c - the fields a correction changed; see order_diff.h.
 *
 * Values are formatted into fixed buffers sized for the longest field
 * (notes) plus its quotes; a value is never cut here (callers that keep a
 * bounded message cut the whole line, with a mark).
 */
#include "core/order_diff.h"

#include <stdio.h>
#include <string.h>

#include "core/money.h"

#define DIFF_VALUE_MAX (ORDO_NOTES_MAX + 3)

struct walk {
	const order *before;
	const order *after;
	order_diff_fn fn;
	void *ctx;
	int rc; /* the first non-zero answer of fn */
};

static void diff_text(struct walk *w, const char *field, const char *a,
		      const char *b)
{
	char from[DIFF_VALUE_MAX], to[DIFF_VALUE_MAX];

	if (w->rc || strcmp(a, b) == 0)
		return;
	snprintf(from, sizeof(from), "\"%s\"", a);
	snprintf(to, sizeof(to), "\"%s\"", b);
	w->rc = w->fn(w->ctx, field, from, to);
}

static void diff_money(struct walk *w, const char *field, ordo_money a,
		       ordo_money b)
{
	char from[48], to[48];

	if (w->rc || a == b)
		return;
	money_format(a, w->before->currency, from, sizeof(from));
	money_format(b, w->after->currency, to, sizeof(to));
	w->rc = w->fn(w->ctx, field, from, to);
}

static void diff_int(struct walk *w, const char *field, int64_t a, int64_t b)
{
	char from[32], to[32];

	if (w->rc || a == b)
		return;
	snprintf(from, sizeof(from), "%lld", (long long)a);
	snprintf(to, sizeof(to), "%lld", (long long)b);
	w->rc = w->fn(w->ctx, field, from, to);
}

static void diff_address(struct walk *w, const char *prefix,
			 const order_address *a, const order_address *b)
{
	static const struct {
		const char *name;
		size_t offset;
	} fields[] = {
		{"name", offsetof(order_address, name)},
		{"company", offsetof(order_address, company)},
		{"line1", offsetof(order_address, line1)},
		{"line2", offsetof(order_address, line2)},
		{"city", offsetof(order_address, city)},
		{"region", offsetof(order_address, region)},
		{"postal_code", offsetof(order_address, postal_code)},
		{"country", offsetof(order_address, country)},
		{"phone", offsetof(order_address, phone)},
	};
	char path[64];
	size_t i;

	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		snprintf(path, sizeof(path), "%s.%s", prefix, fields[i].name);
		diff_text(w, path, (const char *)a + fields[i].offset,
			  (const char *)b + fields[i].offset);
	}
}

int order_diff(const order *before, const order *after, order_diff_fn fn,
	       void *ctx)
{
	static const order_address none;
	struct walk w = {before, after, fn, ctx, 0};
	char path[64];
	size_t i;

	diff_text(&w, "customer.name", before->customer.name,
		  after->customer.name);
	diff_text(&w, "customer.email", before->customer.email,
		  after->customer.email);
	diff_text(&w, "customer.phone", before->customer.phone,
		  after->customer.phone);
	diff_address(&w, "ship_to", &before->ship_to, &after->ship_to);
	diff_address(&w, "bill_to",
		     before->has_bill_to ? &before->bill_to : &none,
		     after->has_bill_to ? &after->bill_to : &none);
	diff_text(&w, "shipping.method", before->shipping.method,
		  after->shipping.method);
	diff_money(&w, "shipping.amount", before->shipping.amount,
		   after->shipping.amount);
	diff_money(&w, "totals.subtotal", before->totals.subtotal,
		   after->totals.subtotal);
	diff_money(&w, "totals.shipping", before->totals.shipping,
		   after->totals.shipping);
	diff_money(&w, "totals.tax", before->totals.tax, after->totals.tax);
	diff_money(&w, "totals.discount", before->totals.discount,
		   after->totals.discount);
	diff_money(&w, "totals.total", before->totals.total,
		   after->totals.total);
	diff_text(&w, "payment_status", payment_status_name(before->payment),
		  payment_status_name(after->payment));
	diff_text(&w, "notes", before->notes, after->notes);
	for (i = 0; i < before->n_lines && i < after->n_lines; i++) {
		const order_line *a = &before->lines[i], *b = &after->lines[i];

		snprintf(path, sizeof(path), "lines[%zu].sku", i);
		diff_text(&w, path, a->sku, b->sku);
		snprintf(path, sizeof(path), "lines[%zu].title", i);
		diff_text(&w, path, a->title, b->title);
		snprintf(path, sizeof(path), "lines[%zu].quantity", i);
		diff_int(&w, path, a->quantity, b->quantity);
		snprintf(path, sizeof(path), "lines[%zu].unit_price", i);
		diff_money(&w, path, a->unit_price, b->unit_price);
	}
	return w.rc;
}
