/*
 * order_change.c - deciding and applying a change to an order (see
 * order_change.h).
 */
#include "core/order_change.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fulfillment.h"
#include "core/money.h"

static const char *const kind_names[] = {
#define CHANGE_X_NAME(e, name) name,
	CHANGE_KIND_MAP(CHANGE_X_NAME)
#undef CHANGE_X_NAME
};

const char *change_kind_name(change_kind k)
{
	return (unsigned)k < CHANGE_KIND_COUNT ? kind_names[k] : "unknown";
}

int change_kind_parse(const char *name, change_kind *out)
{
	int i;

	for (i = 0; i < CHANGE_KIND_COUNT; i++) {
		if (strcmp(name, kind_names[i]) == 0) {
			*out = (change_kind)i;
			return 0;
		}
	}
	return -1;
}

void order_change_init(order_change *c)
{
	memset(c, 0, sizeof(*c));
}

void change_plan_free(change_plan *p)
{
	if (!p)
		return;
	free(p->lines);
	memset(p, 0, sizeof(*p));
}

static const order_line *find_line(const order *o, int line_no, size_t *at)
{
	size_t i;

	for (i = 0; i < o->n_lines; i++) {
		if (o->lines[i].line_no == line_no) {
			*at = i;
			return &o->lines[i];
		}
	}
	return NULL;
}

/* Units of the line still to be had: ordered and not cancelled. */
static int64_t live_units(const order_line *l)
{
	return l->quantity - l->qty_cancelled;
}

static ordo_code refuse_shipped(const order *o, const order_line *l,
				const char *field, ordo_err *err)
{
	return ordo_err_set(err, ORDO_ESTATE, field,
			    "line %d of order %s has %lld unit%s shipped; "
			    "shipped units come back by a return (POST "
			    "/v1/orders/%s/returns), not by a change",
			    l->line_no, o->id, (long long)l->qty_shipped,
			    l->qty_shipped == 1 ? "" : "s", o->id);
}

/* Take n units of line l away: open first, then allocated, then
 * released. The caller has checked that n units are not shipped. */
static void take_away(const order_line *l, int64_t n, change_line_effect *e)
{
	int64_t q;

	q = n < l->qty_open ? n : l->qty_open;
	e->from_open += q;
	n -= q;
	q = n < l->qty_allocated ? n : l->qty_allocated;
	e->from_allocated += q;
	n -= q;
	e->from_released += n;
}

static ordo_code cancel_units(const order *o, const order_line *l, size_t at,
			      int64_t n, const char *field, change_plan *p,
			      ordo_err *err)
{
	int64_t left = live_units(l) - l->qty_shipped;

	if (n > left) {
		if (l->qty_shipped > 0)
			return refuse_shipped(o, l, field, err);
		return ordo_err_set(err, ORDO_ESTATE, field,
				    "line %d has %lld unit%s left to cancel, "
				    "not %lld",
				    l->line_no, (long long)left,
				    left == 1 ? "" : "s", (long long)n);
	}
	take_away(l, n, &p->lines[at]);
	return ORDO_OK;
}

static ordo_code order_state_allows(const order *o, ordo_err *err)
{
	switch (o->state) {
	case ORDER_CANCELLED:
	case ORDER_REJECTED:
	case ORDER_CLOSED:
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "order %s is %s; it can no longer change",
				    o->id, order_state_name(o->state));
	case ORDER_SHIPPED:
	case ORDER_DELIVERED:
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "order %s is %s; shipped units come "
				    "back by a return (POST "
				    "/v1/orders/%s/returns), not by a change",
				    o->id, order_state_name(o->state), o->id);
	default:
		return ORDO_OK;
	}
}

static ordo_code plan_lines(const order *o, const order_change *c,
			    change_plan *p, ordo_err *err)
{
	const order_line *l;
	size_t at = 0, i, k;
	char field[ORDO_ERR_FIELD_MAX];
	ordo_code rc;

	switch (c->kind) {
	case CHANGE_SHIP_TO:
	case CHANGE_SHIPPING_METHOD:
		p->content = true;
		return ORDO_OK;
	case CHANGE_ADD_LINE:
		if (o->n_lines >= ORDO_MAX_LINES)
			return ordo_err_set(err, ORDO_ELIMIT, "add",
					    "order %s has %d lines, the most "
					    "an order may have",
					    o->id, ORDO_MAX_LINES);
		return ORDO_OK;
	case CHANGE_QUANTITY:
	case CHANGE_REMOVE_LINE:
		l = find_line(o, c->line_no, &at);
		if (!l)
			return ordo_err_set(err, ORDO_ENOTFOUND, "line_no",
					    "order %s has no line %d", o->id,
					    c->line_no);
		if (c->kind == CHANGE_REMOVE_LINE) {
			if (live_units(l) == 0)
				return ordo_err_set(
					err, ORDO_ESTATE, "line_no",
					"line %d is already cancelled",
					l->line_no);
			if (l->qty_shipped > 0)
				return refuse_shipped(o, l, "line_no", err);
			return cancel_units(o, l, at, live_units(l), "line_no",
					    p, err);
		}
		if (c->quantity == live_units(l))
			return ordo_err_set(err, ORDO_EINVALID, "quantity",
					    "line %d already has %lld units",
					    l->line_no, (long long)c->quantity);
		if (c->quantity > live_units(l)) {
			if (c->quantity - live_units(l) >
			    ORDO_MAX_QUANTITY - l->quantity)
				return ordo_err_set(
					err, ORDO_EINVALID, "quantity",
					"line %d cannot be ordered more than "
					"%lld units in all",
					l->line_no,
					(long long)ORDO_MAX_QUANTITY);
			p->lines[at].add = c->quantity - live_units(l);
			return ORDO_OK;
		}
		if (c->quantity < l->qty_shipped)
			return refuse_shipped(o, l, "quantity", err);
		return cancel_units(o, l, at, live_units(l) - c->quantity,
				    "quantity", p, err);
	case CHANGE_CANCEL:
		if (c->n_lines == 0) {
			p->whole = true;
			for (i = 0; i < o->n_lines; i++)
				if (o->lines[i].qty_shipped > 0)
					return refuse_shipped(o, &o->lines[i],
							      "state", err);
			for (i = 0; i < o->n_lines; i++)
				take_away(&o->lines[i],
					  live_units(&o->lines[i]),
					  &p->lines[i]);
			return ORDO_OK;
		}
		for (i = 0; i < c->n_lines; i++) {
			snprintf(field, sizeof(field), "lines[%zu].line_no", i);
			for (k = 0; k < i; k++)
				if (c->lines[k].line_no == c->lines[i].line_no)
					return ordo_err_set(
						err, ORDO_EINVALID, field,
						"line %d is named twice",
						c->lines[i].line_no);
			l = find_line(o, c->lines[i].line_no, &at);
			if (!l)
				return ordo_err_set(err, ORDO_ENOTFOUND, field,
						    "order %s has no line %d",
						    o->id,
						    c->lines[i].line_no);
			snprintf(field, sizeof(field), "lines[%zu].quantity",
				 i);
			rc = cancel_units(o, l, at, c->lines[i].quantity, field,
					  p, err);
			if (rc)
				return rc;
		}
		return ORDO_OK;
	case CHANGE_KIND_COUNT:
		break;
	}
	return ordo_err_set(err, ORDO_EINVALID, "kind", "unknown change kind");
}

static ordo_code money_of(const order *o, const char *text,
			  const char *field, int64_t *out, ordo_err *err);

/* The change's money is good in the order's currency: checked when it is
 * decided, not only when it is applied (a request is applied later). */
static ordo_code plan_money(const order *o, const order_change *c,
			    ordo_err *err)
{
	int64_t v;

	if (c->kind == CHANGE_SHIPPING_METHOD && c->amount[0])
		return money_of(o, c->amount, "amount", &v, err);
	if (c->kind == CHANGE_ADD_LINE)
		return money_of(o, c->add_price, "line.unit_price", &v, err);
	return ORDO_OK;
}

ordo_code order_change_plan(const order *o, const order_change *c,
			    change_plan *plan, ordo_err *err)
{
	size_t i;
	bool any_released = false, touches_released = false;
	ordo_code rc;

	memset(plan, 0, sizeof(*plan));
	rc = order_state_allows(o, err);
	if (rc)
		return rc;
	plan->lines = calloc(o->n_lines + 1, sizeof(*plan->lines));
	if (!plan->lines)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	plan->n_lines = o->n_lines;
	rc = plan_lines(o, c, plan, err);
	if (rc) {
		change_plan_free(plan);
		return rc;
	}
	rc = plan_money(o, c, err);
	if (rc) {
		change_plan_free(plan);
		return rc;
	}
	/* A change that leaves no unit at all cancels the order: as a
	 * whole, so that it ends as a cancellation does. */
	if (!plan->whole && c->kind != CHANGE_ADD_LINE) {
		bool left = false;

		for (i = 0; i < o->n_lines; i++) {
			const change_line_effect *e = &plan->lines[i];

			left |= live_units(&o->lines[i]) + e->add -
					e->from_open - e->from_allocated -
					e->from_released >
				0;
		}
		plan->whole = !left;
	}
	for (i = 0; i < o->n_lines; i++) {
		any_released |= o->lines[i].qty_released > 0;
		touches_released |= plan->lines[i].from_released > 0;
	}
	if (plan->whole) {
		bool left = false;

		for (i = 0; i < o->n_lines; i++)
			left |= live_units(&o->lines[i]) > 0;
		if (!left) {
			change_plan_free(plan);
			return ordo_err_set(err, ORDO_ESTATE, "state",
					    "order %s has nothing left to "
					    "cancel",
					    o->id);
		}
	}
	plan->route = touches_released || (plan->content && any_released)
			      ? CHANGE_REQUEST
			      : CHANGE_APPLY;
	return ORDO_OK;
}

static ordo_code money_of(const order *o, const char *text,
			  const char *field, int64_t *out, ordo_err *err)
{
	return money_parse(text, o->currency, false, out, field, err);
}

static ordo_code too_large(const char *field, ordo_err *err)
{
	return ordo_err_set(err, ORDO_EINVALID, field,
			    "the order's totals would exceed the largest "
			    "amount accepted");
}

/* Move subtotal and total (and shipping, when ship_delta) by the money. */
static ordo_code totals_move(order *o, int64_t lines_delta, int64_t ship_delta,
			     const char *field, ordo_err *err)
{
	order_totals t = o->totals;

	if (!money_add(t.subtotal, lines_delta, &t.subtotal) ||
	    !money_add(t.shipping, ship_delta, &t.shipping) ||
	    !money_add(t.total, lines_delta, &t.total) ||
	    !money_add(t.total, ship_delta, &t.total) ||
	    t.subtotal > ORDO_MAX_MONEY_MINOR || t.total > ORDO_MAX_MONEY_MINOR)
		return too_large(field, err);
	o->totals = t;
	return ORDO_OK;
}

static ordo_code add_line(order *o, const order_change *c, int64_t *delta,
			  ordo_err *err)
{
	order_line *grown, *l;
	int64_t price, amount;
	int max_no = 0;
	size_t i;
	ordo_code rc = money_of(o, c->add_price, "line.unit_price", &price,
				err);

	if (rc)
		return rc;
	if (o->n_lines >= ORDO_MAX_LINES)
		return ordo_err_set(err, ORDO_ELIMIT, "add",
				    "an order has at most %d lines",
				    ORDO_MAX_LINES);
	if (!money_mul(price, c->add.quantity, &amount))
		return too_large("line.unit_price", err);
	for (i = 0; i < o->n_lines; i++)
		if (o->lines[i].line_no > max_no)
			max_no = o->lines[i].line_no;
	grown = realloc(o->lines, (o->n_lines + 1) * sizeof(*grown));
	if (!grown)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	o->lines = grown;
	l = &o->lines[o->n_lines++];
	memset(l, 0, sizeof(*l));
	l->line_no = max_no + 1;
	ordo_strlcpy(l->sku, c->add.sku, sizeof(l->sku));
	ordo_strlcpy(l->title, c->add.title, sizeof(l->title));
	ordo_strlcpy(l->external_id, c->add.external_id,
		     sizeof(l->external_id));
	l->quantity = c->add.quantity;
	l->qty_open = c->add.quantity;
	l->unit_price = price;
	*delta = amount;
	return ORDO_OK;
}

ordo_code order_change_apply(order *o, const order_change *c,
			     const change_plan *plan, ordo_err *err)
{
	int64_t lines_delta = 0, ship_delta = 0, amount;
	size_t i;
	ordo_code rc;

	if (plan->n_lines != o->n_lines)
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "the plan is for another order");
	for (i = 0; i < o->n_lines; i++) {
		order_line *l = &o->lines[i];
		const change_line_effect *e = &plan->lines[i];
		int64_t gone = e->from_open + e->from_allocated +
			       e->from_released;

		if (e->from_open > 0) {
			rc = order_line_move(l, QTY_OPEN, QTY_CANCELLED,
					     e->from_open, err);
			if (rc)
				return rc;
		}
		if (e->add > 0) {
			l->quantity += e->add;
			l->qty_open += e->add;
			order_line_check(l);
		}
		if (plan->whole)
			continue;
		if (!money_mul(l->unit_price, e->add - gone, &amount) ||
		    !money_add(lines_delta, amount, &lines_delta))
			return too_large("quantity", err);
	}
	switch (c->kind) {
	case CHANGE_SHIP_TO:
		o->ship_to = c->ship_to;
		break;
	case CHANGE_SHIPPING_METHOD:
		ordo_strlcpy(o->shipping.method, c->method,
			     sizeof(o->shipping.method));
		if (c->amount[0]) {
			rc = money_of(o, c->amount, "amount", &amount, err);
			if (rc)
				return rc;
			ship_delta = amount - o->shipping.amount;
			o->shipping.amount = amount;
		}
		break;
	case CHANGE_ADD_LINE:
		rc = add_line(o, c, &lines_delta, err);
		if (rc)
			return rc;
		break;
	default:
		break;
	}
	return totals_move(o, lines_delta, ship_delta,
			   c->kind == CHANGE_SHIPPING_METHOD ? "amount"
							     : "quantity",
			   err);
}

bool order_address_same(const order_address *a, const order_address *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       strcmp(a->company, b->company) == 0 &&
	       strcmp(a->line1, b->line1) == 0 &&
	       strcmp(a->line2, b->line2) == 0 &&
	       strcmp(a->city, b->city) == 0 &&
	       strcmp(a->region, b->region) == 0 &&
	       strcmp(a->postal_code, b->postal_code) == 0 &&
	       strcmp(a->country, b->country) == 0 &&
	       strcmp(a->phone, b->phone) == 0;
}

/* Theirs line matching ours l (index into theirs, or -1). */
static long match_line(const order_line *l, const order *theirs,
		       const bool *taken)
{
	size_t k;

	if (l->external_id[0]) {
		for (k = 0; k < theirs->n_lines; k++)
			if (!taken[k] &&
			    strcmp(theirs->lines[k].external_id,
				   l->external_id) == 0)
				return (long)k;
		return -1;
	}
	for (k = 0; k < theirs->n_lines; k++)
		if (!taken[k] && theirs->lines[k].line_no == l->line_no &&
		    !theirs->lines[k].external_id[0] &&
		    strcmp(theirs->lines[k].sku, l->sku) == 0)
			return (long)k;
	return -1;
}

static order_change *next_change(order_change *out, size_t max, size_t *n,
				 bool *fits)
{
	if (*n >= max) {
		*fits = false;
		return NULL;
	}
	order_change_init(&out[*n]);
	return &out[(*n)++];
}

bool order_channel_changes(const order *ours, const order *theirs,
			   order_change *out, size_t max, size_t *n)
{
	bool taken[ORDO_MAX_LINES] = {false}, fits = true;
	long match[ORDO_MAX_LINES];
	order_change *c;
	size_t i;

	*n = 0;
	if (ours->n_lines > ORDO_MAX_LINES || theirs->n_lines > ORDO_MAX_LINES)
		return false;
	/* Lines matched first: a line of theirs no line of ours matches is
	 * added before any of ours goes, so that swapping the only item is
	 * never an order left with nothing (a cancellation). */
	for (i = 0; i < ours->n_lines; i++) {
		match[i] = match_line(&ours->lines[i], theirs, taken);
		if (match[i] >= 0)
			taken[match[i]] = true;
	}
	for (i = 0; fits && i < theirs->n_lines; i++) {
		const order_line *t = &theirs->lines[i];

		if (taken[i] || t->quantity < 1)
			continue;
		if (!(c = next_change(out, max, n, &fits)))
			break;
		c->kind = CHANGE_ADD_LINE;
		ordo_strlcpy(c->add.sku, t->sku, sizeof(c->add.sku));
		ordo_strlcpy(c->add.title, t->title, sizeof(c->add.title));
		ordo_strlcpy(c->add.external_id, t->external_id,
			     sizeof(c->add.external_id));
		c->add.quantity = t->quantity;
		money_format(t->unit_price, ours->currency, c->add_price,
			     sizeof(c->add_price));
	}
	for (i = 0; fits && i < ours->n_lines; i++) {
		const order_line *l = &ours->lines[i];
		long k = match[i];

		if (live_units(l) == 0 ||
		    (k >= 0 && theirs->lines[k].quantity == live_units(l)))
			continue;
		if (!(c = next_change(out, max, n, &fits)))
			break;
		c->line_no = l->line_no;
		if (k < 0 || theirs->lines[k].quantity == 0) {
			c->kind = CHANGE_REMOVE_LINE;
		} else {
			c->kind = CHANGE_QUANTITY;
			c->quantity = theirs->lines[k].quantity;
		}
	}
	if (fits && !order_address_same(&ours->ship_to, &theirs->ship_to) &&
	    (c = next_change(out, max, n, &fits))) {
		c->kind = CHANGE_SHIP_TO;
		c->ship_to = theirs->ship_to;
	}
	if (fits &&
	    (strcmp(ours->shipping.method, theirs->shipping.method) != 0 ||
	     ours->shipping.amount != theirs->shipping.amount) &&
	    (c = next_change(out, max, n, &fits))) {
		c->kind = CHANGE_SHIPPING_METHOD;
		ordo_strlcpy(c->method, theirs->shipping.method,
			     sizeof(c->method));
		if (ours->shipping.amount != theirs->shipping.amount)
			money_format(theirs->shipping.amount, ours->currency,
				     c->amount, sizeof(c->amount));
	}
	return fits;
}

void order_change_describe(const order *o, const order_change *c, char *buf,
			   size_t size)
{
	size_t at = 0;
	const order_line *l;

	switch (c->kind) {
	case CHANGE_SHIP_TO:
		snprintf(buf, size, "ship to %s, %s %s, %s", c->ship_to.name,
			 c->ship_to.city, c->ship_to.postal_code,
			 c->ship_to.country);
		return;
	case CHANGE_SHIPPING_METHOD:
		snprintf(buf, size, "shipping method %s \u2192 %s",
			 o->shipping.method, c->method);
		return;
	case CHANGE_QUANTITY:
		l = find_line(o, c->line_no, &at);
		snprintf(buf, size, "quantity of line %d (%s): %lld \u2192 %lld",
			 c->line_no, l ? l->sku : "?",
			 l ? (long long)live_units(l) : 0LL,
			 (long long)c->quantity);
		return;
	case CHANGE_ADD_LINE:
		snprintf(buf, size, "add %lld of %s", (long long)c->add.quantity,
			 c->add.sku);
		return;
	case CHANGE_REMOVE_LINE:
		l = find_line(o, c->line_no, &at);
		snprintf(buf, size, "remove line %d (%s)", c->line_no,
			 l ? l->sku : "?");
		return;
	case CHANGE_CANCEL:
		if (c->n_lines == 0)
			snprintf(buf, size, "cancel the order");
		else
			snprintf(buf, size, "cancel units of %zu line%s",
				 c->n_lines, c->n_lines == 1 ? "" : "s");
		return;
	case CHANGE_KIND_COUNT:
		break;
	}
	snprintf(buf, size, "change");
}
