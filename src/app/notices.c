/*
 * notices.c - what a warehouse says it shipped (an X12 856 or 945, read by
 * channels/x12_ship.c) becomes a shipment of the order it names.
 *
 * Only a warehouse reports shipments: a channel with a location. Everything
 * a notice says is read and mapped to SKUs before its write; the write
 * finds the order (an ordo order id, the depositor order number a 940
 * gave, else the one order of the tenant with that external id: the PO
 * number), its released fulfillment at the channel's location, and ships
 * it as POST /v1/fulfillments/{id}/shipments does: the same checks, the
 * same events and webhooks. A notice already taken (a shipment of that
 * fulfillment with its tracking number) is not shipped again. One write
 * per notice: a notice refused takes nothing, and the others go on.
 */
#include "app/imports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/flow.h"
#include "app/fulfillment.h"
#include "log/log.h"

/* One notice, its lines as SKUs (and the partner's line IDs, which win
 * when they name a line of the order). */
struct notice_job {
	const app_caller *c;
	const ordo_channel *ch;
	const x12_notice *n;
	char (*skus)[ORDO_SKU_MAX]; /* per notice line; "" = none named */
	ordo_time now;
	shipment s;    /* out */
	bool existing; /* out: taken before */
};

/* The id of the order a notice names: the depositor order number a 940
 * gave, an ordo order id, else the tenant's one order of that external
 * id. */
static ordo_code notice_order(store_tx *tx, int64_t tenant, const char *ref,
			      char id[ORDO_ID_MAX], ordo_err *err)
{
	int64_t seq = x12_depositor_seq(ref);
	order_filter f;
	order_page page;
	ordo_code rc;

	if (seq > 0) {
		rc = store_order_id_by_seq(tx, tenant, seq, id, err);
		if (rc != ORDO_ENOTFOUND)
			return rc;
		ordo_err_clear(err); /* a PO number of that form, perhaps */
	}
	if (strncmp(ref, "ord_", 4) == 0) {
		ordo_strlcpy(id, ref, ORDO_ID_MAX);
		return ORDO_OK;
	}
	memset(&f, 0, sizeof(f));
	ordo_strlcpy(f.external_id, ref, sizeof(f.external_id));
	f.limit = 2;
	memset(&page, 0, sizeof(page));
	rc = store_order_list(tx, tenant, &f, &page, err);
	if (rc)
		return rc;
	if (page.n == 1)
		ordo_strlcpy(id, page.orders[0].id, ORDO_ID_MAX);
	else if (page.n == 0)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "order",
				  "no order has the id or external id \"%s\"",
				  ref);
	else
		rc = ordo_err_set(err, ORDO_ECONFLICT, "order",
				  "orders of channels %s and %s both have the "
				  "external id \"%s\"; the notice must name "
				  "the ordo order id",
				  page.orders[0].channel, page.orders[1].channel,
				  ref);
	order_page_free(&page);
	return rc;
}

/* The fulfillment it ships: the order's released or accepted one at the
 * channel's location. */
static ordo_code notice_fulfillment(const ordo_channel *ch, const order *o,
				    char id[ORDO_ID_MAX], ordo_err *err)
{
	size_t i, open = 0;

	for (i = 0; i < o->n_fulfillments; i++) {
		const fulfillment *f = &o->fulfillments[i];

		if ((f->state != FULFILLMENT_RELEASED &&
		     f->state != FULFILLMENT_ACCEPTED) ||
		    strcmp(f->location, ch->location) != 0)
			continue;
		if (open++ == 0)
			ordo_strlcpy(id, f->id, ORDO_ID_MAX);
	}
	if (open == 1)
		return ORDO_OK;
	if (open == 0)
		return ordo_err_set(err, ORDO_ESTATE, "order",
				    "order %s (%s) has no released fulfillment "
				    "at %s to ship",
				    o->id, o->external_id, ch->location);
	return ordo_err_set(err, ORDO_ECONFLICT, "order",
			    "order %s has %zu released fulfillments at %s; "
			    "the notice cannot say which it ships",
			    o->id, open, ch->location);
}

static bool order_has_sku(const order *o, const char *sku)
{
	size_t i;

	for (i = 0; sku[0] && i < o->n_lines; i++)
		if (strcmp(o->lines[i].sku, sku) == 0)
			return true;
	return false;
}

/* A notice sent again (another interchange, the same shipment): the
 * fulfillment already has a shipment of its tracking number. */
static bool already_taken(const order *o, const char *ful,
			  const char *tracking)
{
	size_t i;

	for (i = 0; tracking[0] && i < o->n_shipments; i++)
		if (strcmp(o->shipments[i].fulfillment_id, ful) == 0 &&
		    strcmp(o->shipments[i].tracking_number, tracking) == 0)
			return true;
	return false;
}

static ordo_code notice_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct notice_job *j = arg;
	const x12_notice *n = j->n;
	char ful[ORDO_ID_MAX], id[ORDO_ID_MAX];
	size_t i, k, m = 0;
	order o;
	ordo_code rc;

	order_init(&o);
	shipment_free(&j->s);
	j->existing = false;
	rc = notice_order(tx, j->c->tenant_id, n->order_ref, id, err);
	if (rc == ORDO_OK)
		rc = app_order_load(tx, j->c->tenant_id, id, &o, err);
	if (rc == ORDO_ENOTFOUND && strcmp(err->field, "id") == 0) {
		ordo_err_clear(err);
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "order", "no order %s",
				  n->order_ref);
	}
	if (rc == ORDO_OK)
		rc = notice_fulfillment(j->ch, &o, ful, err);
	if (rc)
		goto out;
	j->s.lines = calloc(n->n_lines, sizeof(*j->s.lines));
	if (!j->s.lines) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		goto out;
	}
	j->existing = already_taken(&o, ful, n->tracking);
	if (j->existing)
		goto out;
	for (i = 0; i < n->n_lines; i++) {
		const char *sku = j->skus[i];

		/* The product named, when the order has it; else the line
		 * the partner's line ID is. */
		if (!order_has_sku(&o, sku))
			for (k = 0; n->lines[i].line_id[0] && k < o.n_lines;
			     k++)
				if (strcmp(o.lines[k].external_id,
					   n->lines[i].line_id) == 0)
					sku = o.lines[k].sku;
		if (!sku[0]) {
			rc = ordo_err_set(err, ORDO_EINVALID, "lines",
					  "segment %zu: the line names no "
					  "product ordo can use",
					  n->lines[i].segment);
			goto out;
		}
		for (k = 0; k < m && strcmp(j->s.lines[k].sku, sku); k++)
			;
		if (k == m)
			ordo_strlcpy(j->s.lines[m++].sku, sku,
				     sizeof(j->s.lines[0].sku));
		j->s.lines[k].quantity += n->lines[i].quantity;
	}
	j->s.n_lines = m;
	ordo_strlcpy(j->s.carrier, n->carrier, sizeof(j->s.carrier));
	ordo_strlcpy(j->s.tracking_number, n->tracking,
		     sizeof(j->s.tracking_number));
	j->s.shipped_at = n->shipped_at;
	rc = app_shipment_create(tx, j->c, ful, &j->s, j->now, err);
out:
	order_free(&o);
	return rc;
}

ordo_code app_x12_ship_notices(store *st, const app_caller *c,
			       const ordo_channel *ch, const x12_doc *d,
			       size_t set, ordo_time now, app_x12_result *res,
			       size_t *failed, ordo_err *err)
{
	x12_notice *v = NULL;
	size_t n = 0, i, l;
	ordo_code rc = x12_set_notices(d, set, &v, &n, err);

	for (i = 0; rc == ORDO_OK && i < n; i++) {
		struct notice_job j = {.c = c, .ch = ch, .n = &v[i], .now = now};
		ordo_err nerr = ORDO_ERR_INIT;

		if (!ch->location[0]) {
			ordo_err_set(&nerr, ORDO_EINVALID, "location",
				     "channel %s has no location: only a "
				     "warehouse's channel reports what it "
				     "shipped",
				     ch->name);
		} else if (v[i].problem[0]) {
			ordo_err_set(&nerr, ORDO_EINVALID, "body", "%s",
				     v[i].problem);
		} else {
			j.skus = calloc(v[i].n_lines, sizeof(*j.skus));
			if (!j.skus) {
				rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
						  "out of memory");
				break;
			}
			for (l = 0; l < v[i].n_lines; l++)
				x12_notice_line_sku(ch, &v[i].lines[l],
						    j.skus[l],
						    sizeof(j.skus[l]));
			store_write(st, notice_run, &j, &nerr);
			free(j.skus);
			shipment_free(&j.s);
		}
		if (nerr.code == ORDO_OK) {
			if (j.existing)
				res->shipments_existing++;
			else
				res->shipments_taken++;
			continue;
		}
		/* The store failing is no verdict on the notice: it is read
		 * again when the interchange comes again. */
		if (nerr.code == ORDO_ESTORAGE || nerr.code == ORDO_ENOMEM ||
		    nerr.code == ORDO_EUNAVAILABLE)
			(*failed)++;
		res->shipments_refused++;
		log_event("warn", "ship notice refused",
			  json_pack("{s:s, s:s, s:I, s:o}", "channel",
				    ch->name, "order", v[i].order_ref,
				    "segment", (json_int_t)v[i].segment,
				    "reason", log_text(nerr.message)));
		ordo_err_clear(&nerr);
	}
	x12_notices_free(v, n);
	return rc;
}
