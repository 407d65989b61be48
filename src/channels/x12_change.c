/*
 * x12_change.c - a buyer's 860 purchase order change read as the changes
 * it asks of the order its 850 placed (see 860 PURCHASE ORDER CHANGES in
 * x12.h). Works on a doc x12_read made, from the buffer alone; what the
 * changes do to the order is ordo's to decide (core/order_change.h).
 */
#include "channels/x12.h"
#include "channels/x12_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

#define ELEM 256

bool x12_set_is_change(const x12_doc *d, size_t set)
{
	return set < d->n_sets && strcmp(d->sets[set].id, "860") == 0;
}

void x12_po_change_free(x12_po_change *c)
{
	if (!c)
		return;
	free(c->lines);
	memset(c, 0, sizeof(*c));
}

/* Element el of segment seg, white space trimmed, into buf. */
static size_t get(const x12_doc *d, size_t seg, unsigned el, char *buf,
		  size_t size)
{
	x12_element(d, seg, el, buf, size);
	x12_text_trim(buf);
	return strlen(buf);
}

/* A quantity of type R that is a whole number 0 .. ORDO_MAX_QUANTITY, or
 * -1. */
static int64_t whole(const char *s)
{
	int64_t v = 0;

	if (!s[0] || !x12_r_syntax(s) || s[0] == '-')
		return -1;
	for (; x12_is_digit(*s); s++)
		if (v <= ORDO_MAX_QUANTITY)
			v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s == '0'; s++)
			;
	return *s || v > ORDO_MAX_QUANTITY ? -1 : v;
}

static x12_change_line *line_new(x12_po_change *c, size_t seg, bool *oom)
{
	x12_change_line *p;

	if (c->n_lines >= ORDO_MAX_LINES) {
		if (!c->problem[0])
			snprintf(c->problem, sizeof(c->problem),
				 "segment %zu: more than %d line changes",
				 seg + 1, ORDO_MAX_LINES);
		return NULL;
	}
	p = realloc(c->lines, (c->n_lines + 1) * sizeof(*p));
	if (!p) {
		*oom = true;
		return NULL;
	}
	c->lines = p;
	p = &c->lines[c->n_lines++];
	memset(p, 0, sizeof(*p));
	p->segment = seg + 1;
	p->quantity = -1;
	return p;
}

static void poc(const x12_doc *d, size_t seg, x12_change_line *l)
{
	char buf[ELEM], q[ELEM];
	unsigned el, n_el = d->segments[seg].n_elements;

	get(d, seg, 1, l->line_id, sizeof(l->line_id));
	get(d, seg, 2, l->code, sizeof(l->code));
	if (get(d, seg, 3, buf, sizeof(buf))) {
		l->quantity = whole(buf);
		if (l->quantity < 0)
			snprintf(l->problem, sizeof(l->problem),
				 "segment %zu: POC03 \"%.40s\" is not a whole "
				 "number of units",
				 l->segment, buf);
	}
	get(d, seg, 6, l->price, sizeof(l->price));
	for (el = 8; el + 1 <= n_el && el < X12_MAX_ELEMENTS &&
		     l->n_ids < X12_NOTICE_IDS;
	     el += 2) {
		if (get(d, seg, el, q, sizeof(q)) != 2 ||
		    get(d, seg, el + 1, buf, sizeof(buf)) == 0 ||
		    strlen(buf) >= sizeof(l->ids[0].id))
			continue;
		memcpy(l->ids[l->n_ids].q, q, 3);
		ordo_strlcpy(l->ids[l->n_ids].id, buf, sizeof(l->ids[0].id));
		l->n_ids++;
	}
}

static void n4(const x12_doc *d, size_t seg, x12_po_change *c)
{
	order_address *a = &c->ship_to;
	char buf[ELEM];
	size_t n;

	get(d, seg, 1, a->city, sizeof(a->city));
	get(d, seg, 2, a->region, sizeof(a->region));
	get(d, seg, 3, a->postal_code, sizeof(a->postal_code));
	n = get(d, seg, 4, buf, sizeof(buf));
	if (n == 2)
		ordo_strlcpy(a->country, buf, sizeof(a->country));
	else if (n == 3 && x12_country_alpha2(buf))
		ordo_strlcpy(a->country, x12_country_alpha2(buf),
			     sizeof(a->country));
	else if (n)
		snprintf(c->ship_to_problem, sizeof(c->ship_to_problem),
			 "segment %zu: N4-04 \"%.8s\" is not a country code "
			 "ordo knows",
			 seg + 1, buf);
}

ordo_code x12_set_change(const x12_doc *d, size_t set, x12_po_change *c,
			 ordo_err *err)
{
	const x12_set *s;
	x12_change_line *l = NULL;
	order_address *addr = NULL;
	char buf[ELEM];
	size_t seg, last;
	bool oom = false, bch = false;

	memset(c, 0, sizeof(*c));
	if (!x12_set_is_change(d, set))
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu is not an 860", set);
	s = &d->sets[set];
	last = s->has_trailer ? s->end - 1 : s->end;
	for (seg = s->first + 1; seg < last && !oom; seg++) {
		const char *id = d->segments[seg].id;

		if (strcmp(id, "N1") != 0 && strcmp(id, "N2") != 0 &&
		    strcmp(id, "N3") != 0 && strcmp(id, "N4") != 0 &&
		    strcmp(id, "PER") != 0 && strcmp(id, "REF") != 0)
			addr = NULL;
		if (strcmp(id, "BCH") == 0 && !bch) {
			bch = true;
			/* Read whole or not at all: a value cut to fit
			 * could name another PO, or another purpose. */
			if (get(d, seg, 1, buf, sizeof(buf)) <
			    sizeof(c->purpose))
				ordo_strlcpy(c->purpose, buf,
					     sizeof(c->purpose));
			if (get(d, seg, 3, buf, sizeof(buf)) <
			    sizeof(c->po_number))
				ordo_strlcpy(c->po_number, buf,
					     sizeof(c->po_number));
		} else if (strcmp(id, "POC") == 0) {
			l = line_new(c, seg, &oom);
			if (l)
				poc(d, seg, l);
		} else if (strcmp(id, "PID") == 0 && l) {
			if (get(d, seg, 5, buf, sizeof(buf)))
				x12_text_append(l->title, sizeof(l->title),
						" ", buf);
		} else if (strcmp(id, "N1") == 0 && !l) {
			/* Each N1 starts its own party: only ST's lines
			 * are the ship-to's. */
			addr = NULL;
			get(d, seg, 1, buf, sizeof(buf));
			if (strcmp(buf, "ST") == 0 && !c->has_ship_to) {
				c->has_ship_to = true;
				addr = &c->ship_to;
				get(d, seg, 2, addr->name, sizeof(addr->name));
			}
		} else if (strcmp(id, "N2") == 0 && addr) {
			get(d, seg, 1, addr->company, sizeof(addr->company));
		} else if (strcmp(id, "N3") == 0 && addr) {
			get(d, seg, 1, addr->line1, sizeof(addr->line1));
			get(d, seg, 2, addr->line2, sizeof(addr->line2));
		} else if (strcmp(id, "N4") == 0 && addr) {
			n4(d, seg, c);
		}
	}
	if (oom) {
		x12_po_change_free(c);
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	}
	if (!bch || !c->po_number[0])
		snprintf(c->problem, sizeof(c->problem),
			 "the 860 names no PO number (BCH03)");
	else if (strcmp(c->purpose, "01") != 0 &&
		 strcmp(c->purpose, "04") != 0)
		snprintf(c->problem, sizeof(c->problem),
			 "BCH01 \"%s\" asks nothing ordo takes: 01 cancels "
			 "the order, 04 changes it",
			 c->purpose);
	return ORDO_OK;
}

/* Add "what: why" to the list. */
static void not_taken(char *list, size_t size, const char *what,
		      const char *why)
{
	size_t len = strlen(list);

	if (len + 1 < size)
		snprintf(list + len, size - len, "%s%.100s: %.200s",
			 len ? "; " : "", what, why);
}

static const order_line *line_of(const order *o, const char *line_id)
{
	size_t i;

	for (i = 0; line_id[0] && i < o->n_lines; i++)
		if (strcmp(o->lines[i].external_id, line_id) == 0)
			return &o->lines[i];
	return NULL;
}

/* Whether a POC06 price is the price the line was ordered at. */
static bool same_price(const char *text, int64_t price, const char *currency)
{
	ordo_err e = ORDO_ERR_INIT;
	int64_t v;
	bool same = money_parse(text, currency, false, &v, "POC06", &e) ==
			    ORDO_OK &&
		    v == price;

	ordo_err_clear(&e);
	return same;
}

static bool code_is(const char *code, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(code, *list) == 0)
			return true;
	return false;
}

void x12_changes_of(const x12_po_change *c, const order *o,
		    const ordo_channel *ch, order_change *out, size_t max,
		    size_t *n, char *not_applied, size_t size)
{
	static const char *const quantity_codes[] = {"QD", "QI", "QC", "CA",
						     "PQ", NULL};
	char what[96];
	size_t i;

	*n = 0;
	not_applied[0] = '\0';
	if (c->problem[0]) {
		not_taken(not_applied, size, "the 860", c->problem);
		return;
	}
	if (strcmp(c->purpose, "01") == 0) {
		if (max > 0) {
			order_change_init(&out[0]);
			out[0].kind = CHANGE_CANCEL;
			*n = 1;
		}
		return;
	}
	/* Added lines first: a line swapped for another never leaves the
	 * order empty on the way (a cancellation). */
	for (i = 0; i < 2 * c->n_lines; i++) {
		const x12_change_line *l = &c->lines[i % c->n_lines];
		const order_line *ol = line_of(o, l->line_id);
		order_change *oc;

		if ((strcmp(l->code, "AI") == 0) != (i < c->n_lines))
			continue;
		snprintf(what, sizeof(what), "POC %.16s %.20s (segment %zu)",
			 l->code, l->line_id, l->segment);
		if (l->problem[0]) {
			not_taken(not_applied, size, what, l->problem);
			continue;
		}
		if (*n >= max) {
			not_taken(not_applied, size, what,
				  "more changes than ordo takes at once");
			continue;
		}
		oc = &out[*n];
		order_change_init(oc);
		if (strcmp(l->code, "AI") == 0) {
			int64_t price;
			ordo_err e = ORDO_ERR_INIT;

			if (!x12_ids_sku(ch, l->ids, l->n_ids, oc->add.sku,
					 sizeof(oc->add.sku))) {
				not_taken(not_applied, size, what,
					  "the added line names no product "
					  "(POC08/09, ...)");
				continue;
			}
			if (l->quantity < 1 ||
			    money_parse(l->price, o->currency, false, &price,
					"POC06", &e) != ORDO_OK) {
				ordo_err_clear(&e);
				not_taken(not_applied, size, what,
					  "an added line needs its quantity "
					  "(POC03) and unit price (POC06)");
				continue;
			}
			oc->kind = CHANGE_ADD_LINE;
			oc->add.quantity = l->quantity;
			ordo_strlcpy(oc->add.title, l->title,
				     sizeof(oc->add.title));
			ordo_strlcpy(oc->add.external_id, l->line_id,
				     sizeof(oc->add.external_id));
			money_format(price, o->currency, oc->add_price,
				     sizeof(oc->add_price));
			(*n)++;
			continue;
		}
		if (!ol) {
			not_taken(not_applied, size, what,
				  "the order has no line of this ID (PO1-01)");
			continue;
		}
		if (strcmp(l->code, "DI") == 0) {
			oc->kind = CHANGE_REMOVE_LINE;
			oc->line_no = ol->line_no;
			(*n)++;
		} else if (code_is(l->code, quantity_codes) &&
			   l->quantity < 0) {
			not_taken(not_applied, size, what,
				  "POC03, the quantity now ordered, is "
				  "required");
		} else if (code_is(l->code, quantity_codes) &&
			   l->quantity == 0) {
			oc->kind = CHANGE_REMOVE_LINE;
			oc->line_no = ol->line_no;
			(*n)++;
		} else if (code_is(l->code, quantity_codes)) {
			if (l->quantity != ol->quantity - ol->qty_cancelled) {
				oc->kind = CHANGE_QUANTITY;
				oc->line_no = ol->line_no;
				oc->quantity = l->quantity;
				(*n)++;
			}
			if (l->price[0] &&
			    !same_price(l->price, ol->unit_price, o->currency))
				not_taken(not_applied, size, what,
					  "a new price (POC06) is not taken: "
					  "ordo keeps the price ordered");
		} else if (strcmp(l->code, "PC") == 0) {
			not_taken(not_applied, size, what,
				  "a price change is not taken: ordo keeps "
				  "the price ordered");
		} else {
			not_taken(not_applied, size, what,
				  "a change of this code is not one ordo "
				  "takes (AI, DI, QD, QI, QC, CA, PQ)");
		}
	}
	if (c->has_ship_to) {
		order_address a = c->ship_to;

		/* The N1 loop has no phone: the order's stays. */
		if (!a.phone[0])
			ordo_strlcpy(a.phone, o->ship_to.phone,
				     sizeof(a.phone));
		if (c->ship_to_problem[0])
			not_taken(not_applied, size, "the ship-to",
				  c->ship_to_problem);
		else if (order_address_same(&a, &o->ship_to))
			; /* the address the order has: nothing to change */
		else if (*n >= max)
			not_taken(not_applied, size, "the ship-to",
				  "more changes than ordo takes at once");
		else {
			order_change_init(&out[*n]);
			out[*n].kind = CHANGE_SHIP_TO;
			out[*n].ship_to = a;
			(*n)++;
		}
	}
}
