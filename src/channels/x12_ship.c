/*
 * x12_ship.c - a warehouse's 856 ship notices and 945 warehouse shipping
 * advices read as notices of what left it (see SHIP NOTICES in x12.h).
 * Works on a doc x12_read made, from the buffer alone.
 */
#include "channels/x12.h"
#include "channels/x12_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define ELEM 256

bool x12_set_is_notice(const x12_doc *d, size_t set)
{
	return set < d->n_sets && (strcmp(d->sets[set].id, "856") == 0 ||
				   strcmp(d->sets[set].id, "945") == 0);
}

void x12_notices_free(x12_notice *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].lines);
	free(v);
}

/* What the notices being read need: the list, and where each is. */
struct reading {
	const x12_doc *d;
	x12_notice *v;
	size_t n, cap;
	/* The tracking found so far, by rank (0 best: 2I, CN, BM, the
	 * shipment's ID), at the shipment level and in the current notice. */
	int ship_rank, rank;
	x12_notice shipment; /* the 856's shipment level (no lines) */
	/* The ID of the shipment the whole set reports (856 BSN02, 945
	 * W0604): the tracking of a notice that names none better. */
	char shipment_id[ORDO_EXTERNAL_ID_MAX];
	bool oom;
};

static x12_notice *cur(struct reading *r)
{
	return r->n ? &r->v[r->n - 1] : NULL;
}

static x12_notice *notice_new(struct reading *r, size_t seg)
{
	x12_notice *x;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 4;
		x12_notice *p = realloc(r->v, cap * sizeof(*p));

		if (!p) {
			r->oom = true;
			return NULL;
		}
		r->v = p;
		r->cap = cap;
	}
	x = &r->v[r->n++];
	*x = r->shipment;
	x->segment = seg + 1;
	x->lines = NULL;
	x->n_lines = 0;
	r->rank = r->ship_rank;
	return x;
}

static x12_notice_line *line_new(struct reading *r, x12_notice *x, size_t seg)
{
	x12_notice_line *p, *l;

	if (x->n_lines >= ORDO_MAX_LINES) {
		if (!x->problem[0])
			snprintf(x->problem, sizeof(x->problem),
				 "segment %zu: more than %d lines in one "
				 "shipment",
				 seg + 1, ORDO_MAX_LINES);
		return NULL;
	}
	p = realloc(x->lines, (x->n_lines + 1) * sizeof(*p));
	if (!p) {
		r->oom = true;
		return NULL;
	}
	x->lines = p;
	l = &p[x->n_lines++];
	memset(l, 0, sizeof(*l));
	l->segment = seg + 1;
	return l;
}

/* A product ID pair (qualifier element qe, ID element qe + 1, or the ID
 * alone at qe with qualifier q) onto l. */
static void pair_add(const x12_doc *d, size_t seg, unsigned qe,
		     const char *q, x12_notice_line *l)
{
	char qual[ELEM], id[ELEM];
	unsigned ie = q ? qe : qe + 1;

	if (l->n_ids >= X12_NOTICE_IDS)
		return;
	if (q)
		snprintf(qual, sizeof(qual), "%s", q);
	else if (x12_element(d, seg, qe, qual, sizeof(qual)) != 2)
		return;
	if (x12_element(d, seg, ie, id, sizeof(id)) == 0 ||
	    strlen(id) >= sizeof(l->ids[0].id))
		return;
	memcpy(l->ids[l->n_ids].q, qual, 3);
	ordo_strlcpy(l->ids[l->n_ids].id, id, sizeof(l->ids[0].id));
	l->n_ids++;
}

/* A quantity shipped (type R): a whole number 0 .. ORDO_MAX_QUANTITY. */
static bool quantity_read(const x12_doc *d, size_t seg, unsigned el,
			  int64_t *q, x12_notice *x)
{
	char buf[ELEM], *end;
	double v;

	if (x12_element(d, seg, el, buf, sizeof(buf)) == 0) {
		*q = 0;
		return true;
	}
	v = strtod(buf, &end);
	if (*end || v < 0 || v > ORDO_MAX_QUANTITY || v != (double)(int64_t)v) {
		if (!x->problem[0])
			snprintf(x->problem, sizeof(x->problem),
				 "segment %zu: the quantity shipped \"%.32s\" is "
				 "not a whole number of units from 0 to %lld",
				 seg + 1, buf, (long long)ORDO_MAX_QUANTITY);
		return false;
	}
	*q = (int64_t)v;
	return true;
}

/* Tracking of rank `rank` (lower is better) at element el, onto x when it
 * beats what x has. */
static void tracking_offer(const x12_doc *d, size_t seg, unsigned el,
			   int rank, x12_notice *x, int *have)
{
	char buf[ELEM];

	if (rank >= *have || x12_element(d, seg, el, buf, sizeof(buf)) == 0 ||
	    strlen(buf) >= sizeof(x->tracking))
		return;
	ordo_strlcpy(x->tracking, buf, sizeof(x->tracking));
	*have = rank;
}

static int ref_rank(const char *q)
{
	return strcmp(q, "2I") == 0 ? 0
	       : strcmp(q, "CN") == 0 ? 1
	       : strcmp(q, "BM") == 0 ? 2
				      : 99;
}

/* A date CCYYMMDD at element el, as midnight UTC; 0 when not one. */
static int64_t date_read(const x12_doc *d, size_t seg, unsigned el)
{
	char buf[ELEM];
	ordo_time t;

	if (x12_element(d, seg, el, buf, sizeof(buf)) != 8)
		return 0;
	return x12_date_parse(buf, 8, &t) ? t : 0;
}

static void carrier_offer(const x12_doc *d, size_t seg, unsigned el,
			  x12_notice *x)
{
	char buf[ELEM];

	if (!x->carrier[0] && x12_element(d, seg, el, buf, sizeof(buf)) > 0)
		ordo_strlcpy(x->carrier, buf, sizeof(x->carrier));
}

/* ---- 856 ------------------------------------------------------------------ */

static void read_856(struct reading *r, size_t set)
{
	const x12_doc *d = r->d;
	const x12_set *s = &d->sets[set];
	x12_notice_line *item = NULL; /* the item level's line */
	bool in_order = false;
	char buf[ELEM];
	size_t seg;

	for (seg = s->first + 1; seg < s->end && !r->oom; seg++) {
		const char *id = d->segments[seg].id;
		x12_notice *x = in_order ? cur(r) : &r->shipment;
		int *rank = in_order ? &r->rank : &r->ship_rank;

		if (strcmp(id, "HL") == 0) {
			x12_element(d, seg, 3, buf, sizeof(buf));
			item = NULL;
			if (strcmp(buf, "O") == 0) {
				in_order = notice_new(r, seg) != NULL;
			} else if (strcmp(buf, "S") == 0) {
				/* Another shipment: its own carrier,
				 * tracking and date. */
				in_order = false;
				memset(&r->shipment, 0, sizeof(r->shipment));
				r->ship_rank = 99;
			}
		} else if (strcmp(id, "BSN") == 0) {
			x12_element(d, seg, 2, r->shipment_id,
				    sizeof(r->shipment_id));
		} else if (strcmp(id, "TD5") == 0) {
			carrier_offer(d, seg, 3, x);
			carrier_offer(d, seg, 5, x);
		} else if (strcmp(id, "REF") == 0) {
			x12_element(d, seg, 1, buf, sizeof(buf));
			tracking_offer(d, seg, 2, ref_rank(buf), x, rank);
		} else if (strcmp(id, "DTM") == 0) {
			x12_element(d, seg, 1, buf, sizeof(buf));
			if (strcmp(buf, "011") == 0 && !x->shipped_at)
				x->shipped_at = date_read(d, seg, 2);
		} else if (strcmp(id, "PRF") == 0 && in_order) {
			x12_element(d, seg, 1, x->order_ref,
				    sizeof(x->order_ref));
		} else if (strcmp(id, "LIN") == 0 && in_order) {
			unsigned el;

			item = line_new(r, x, seg);
			if (!item)
				continue;
			x12_element(d, seg, 1, item->line_id,
				    sizeof(item->line_id));
			for (el = 2; el + 1 < 32; el += 2)
				pair_add(d, seg, el, NULL, item);
		} else if (strcmp(id, "SN1") == 0 && in_order) {
			if (!item) {
				item = line_new(r, x, seg);
				if (!item)
					continue;
			}
			item->segment = seg + 1;
			if (!item->line_id[0])
				x12_element(d, seg, 1, item->line_id,
					    sizeof(item->line_id));
			quantity_read(d, seg, 2, &item->quantity, x);
			item = NULL;
		}
	}
	/* A notice with no order level: the shipment is the order. */
	if (r->n == 0 && !r->oom)
		notice_new(r, s->first);
}

/* ---- 945 ------------------------------------------------------------------ */

static void read_945(struct reading *r, size_t set)
{
	const x12_doc *d = r->d;
	const x12_set *s = &d->sets[set];
	x12_notice *x = notice_new(r, s->first);
	char buf[ELEM];
	int64_t w06_date = 0;
	size_t seg;

	if (!x)
		return;
	for (seg = s->first + 1; seg < s->end && !r->oom; seg++) {
		const char *id = d->segments[seg].id;

		if (strcmp(id, "W06") == 0) {
			x->segment = seg + 1;
			if (x12_element(d, seg, 2, x->order_ref,
					sizeof(x->order_ref)) == 0)
				x12_element(d, seg, 6, x->order_ref,
					    sizeof(x->order_ref));
			x12_element(d, seg, 4, r->shipment_id,
				    sizeof(r->shipment_id));
			w06_date = date_read(d, seg, 3);
		} else if (strcmp(id, "W27") == 0) {
			carrier_offer(d, seg, 2, x);
			carrier_offer(d, seg, 3, x);
		} else if (strcmp(id, "N9") == 0) {
			x12_element(d, seg, 1, buf, sizeof(buf));
			tracking_offer(d, seg, 2, ref_rank(buf), x, &r->rank);
		} else if (strcmp(id, "G62") == 0) {
			x12_element(d, seg, 1, buf, sizeof(buf));
			if (strcmp(buf, "11") == 0 && !x->shipped_at)
				x->shipped_at = date_read(d, seg, 2);
		} else if (strcmp(id, "W12") == 0) {
			x12_notice_line *l = line_new(r, x, seg);

			if (!l)
				continue;
			quantity_read(d, seg, 3, &l->quantity, x);
			pair_add(d, seg, 7, NULL, l);
			pair_add(d, seg, 16, NULL, l);
			pair_add(d, seg, 6, "UK", l);
		}
	}
	if (!x->shipped_at)
		x->shipped_at = w06_date;
}

/* Lines shipping nothing left out; what makes a notice no shipment. */
static void notice_finish(x12_notice *x, const char *shipment_id)
{
	size_t i, k = 0;

	if (!x->tracking[0])
		ordo_strlcpy(x->tracking, shipment_id, sizeof(x->tracking));
	for (i = 0; i < x->n_lines; i++)
		if (x->lines[i].quantity > 0)
			x->lines[k++] = x->lines[i];
	x->n_lines = k;
	if (x->problem[0])
		return;
	if (!x->order_ref[0])
		snprintf(x->problem, sizeof(x->problem),
			 "segment %zu: the notice names no order (856 PRF01, "
			 "945 W0602 or W0606)",
			 x->segment);
	else if (x->n_lines == 0)
		snprintf(x->problem, sizeof(x->problem),
			 "segment %zu: the notice ships no unit of any line",
			 x->segment);
}

ordo_code x12_set_notices(const x12_doc *d, size_t set, x12_notice **out,
			  size_t *n, ordo_err *err)
{
	struct reading r;
	size_t i;

	*out = NULL;
	*n = 0;
	if (!x12_set_is_notice(d, set))
		return ordo_err_set(err, ORDO_EINVALID, "set",
				    "set %zu is no 856 or 945", set);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.ship_rank = r.rank = 99;
	if (strcmp(d->sets[set].id, "856") == 0)
		read_856(&r, set);
	else
		read_945(&r, set);
	if (r.oom) {
		x12_notices_free(r.v, r.n);
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory reading a ship notice");
	}
	for (i = 0; i < r.n; i++)
		notice_finish(&r.v[i], r.shipment_id);
	*out = r.v;
	*n = r.n;
	return ORDO_OK;
}

bool x12_ids_sku(const ordo_channel *ch, const x12_product_id *ids, size_t n,
		 char *sku, size_t size)
{
	size_t k, i;

	for (k = 0; k < X12_PRODUCT_QUALIFIERS; k++)
		for (i = 0; i < n; i++) {
			const char *mapped;

			if (strcmp(ids[i].q, x12_sku_mapped_order[k]) != 0)
				continue;
			mapped = channel_sku_of(ch, ids[i].id);
			if (mapped) {
				ordo_strlcpy(sku, mapped, size);
				return true;
			}
		}
	for (k = 0; k < X12_PRODUCT_QUALIFIERS; k++)
		for (i = 0; i < n; i++)
			if (strcmp(ids[i].q, x12_sku_plain_order[k]) == 0) {
				ordo_strlcpy(sku, ids[i].id, size);
				return true;
			}
	return false;
}

bool x12_notice_line_sku(const ordo_channel *ch, const x12_notice_line *l,
			 char *sku, size_t size)
{
	return x12_ids_sku(ch, l->ids, l->n_ids, sku, size);
}
