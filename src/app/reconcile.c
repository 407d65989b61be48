/*
 * reconcile.c - a warehouse's view of its open work set beside ordo's
 * (see reconcile.h).
 */
#include "app/reconcile.h"

#include <stdlib.h>
#include <string.h>

struct held {
	fulfillment *v;
	size_t n, cap;
};

static void held_free(struct held *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		fulfillment_free(&h->v[i]);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

static bool held_has(const struct held *h, const char *id)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (strcmp(h->v[i].id, id) == 0)
			return true;
	return false;
}

/* Keep f (taken over) unless held already; ORDO_ELIMIT past the max. */
static ordo_code held_add(struct held *h, fulfillment *f, ordo_err *err)
{
	if (held_has(h, f->id)) {
		fulfillment_free(f);
		return ORDO_OK;
	}
	if (h->n >= RECONCILE_ITEMS_MAX) {
		fulfillment_free(f);
		return ordo_err_set(err, ORDO_ELIMIT, "location",
				    "more than %d fulfillments of the location "
				    "to compare (its open ones and those the "
				    "items name); a reconciliation compares at "
				    "most that many: send the view in parts",
				    RECONCILE_ITEMS_MAX);
	}
	if (h->n == h->cap) {
		size_t cap = h->cap ? h->cap * 2 : 64;
		fulfillment *p = realloc(h->v, cap * sizeof(*p));

		if (!p) {
			fulfillment_free(f);
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory");
		}
		h->v = p;
		h->cap = cap;
	}
	h->v[h->n++] = *f;
	return ORDO_OK;
}

/* The location's fulfillments in state s, every page. */
static ordo_code open_of(store_tx *tx, int64_t tenant, const char *location,
			 fulfillment_state s, struct held *h, ordo_err *err)
{
	fulfillment_filter f;
	ordo_code rc = ORDO_OK;

	memset(&f, 0, sizeof(f));
	ordo_strlcpy(f.location, location, sizeof(f.location));
	f.has_state = true;
	f.state = s;
	f.limit = ORDO_PAGE_MAX;
	do {
		fulfillment *page = NULL;
		size_t n = 0, i;
		int64_t next = 0;

		rc = store_fulfillment_list(tx, tenant, &f, &page, &n, &next,
					    err);
		for (i = 0; i < n; i++) {
			if (rc == ORDO_OK)
				rc = held_add(h, &page[i], err);
			else
				fulfillment_free(&page[i]);
		}
		free(page);
		f.before_seq = next;
	} while (rc == ORDO_OK && f.before_seq);
	return rc;
}

/* The fulfillments of order id at location, into h. */
static ordo_code of_order(store_tx *tx, int64_t tenant, const char *location,
			  const char *id, struct held *h, bool *any,
			  ordo_err *err)
{
	fulfillment *all = NULL;
	size_t n = 0, i;
	ordo_code rc = store_fulfillments_of_order(tx, tenant, id, &all, &n,
						   err);

	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ORDO_OK;
	}
	for (i = 0; i < n; i++) {
		if (rc == ORDO_OK && strcmp(all[i].location, location) == 0) {
			*any = true;
			rc = held_add(h, &all[i], err);
		} else {
			fulfillment_free(&all[i]);
		}
	}
	free(all);
	return rc;
}

/* What an item names that the open ones lack: its fulfillment, or its
 * order's (an external id becomes the order's id). */
static ordo_code named(store_tx *tx, int64_t tenant, const char *location,
		       recon_item *it, struct held *h, ordo_err *err)
{
	order_filter f;
	order_page page;
	bool any = false;
	size_t i;
	ordo_code rc;

	if (it->fulfillment_id[0]) {
		fulfillment ful;

		if (held_has(h, it->fulfillment_id))
			return ORDO_OK;
		memset(&ful, 0, sizeof(ful));
		rc = store_fulfillment_get(tx, tenant, it->fulfillment_id, &ful,
					   err);
		if (rc == ORDO_ENOTFOUND) {
			ordo_err_clear(err);
			return ORDO_OK;
		}
		if (rc == ORDO_OK && strcmp(ful.location, location) != 0) {
			fulfillment_free(&ful);
			return ORDO_OK;
		}
		return rc ? rc : held_add(h, &ful, err);
	}
	if (strncmp(it->order_ref, "ord_", 4) == 0)
		return of_order(tx, tenant, location, it->order_ref, h, &any,
				err);
	memset(&f, 0, sizeof(f));
	memset(&page, 0, sizeof(page));
	ordo_strlcpy(f.external_id, it->order_ref, sizeof(f.external_id));
	f.limit = 10;
	rc = store_order_list(tx, tenant, &f, &page, err);
	for (i = 0; rc == ORDO_OK && i < page.n && !any; i++) {
		rc = of_order(tx, tenant, location, page.orders[i].id, h, &any,
			      err);
		if (rc == ORDO_OK && any)
			ordo_strlcpy(it->order_ref, page.orders[i].id,
				     sizeof(it->order_ref));
	}
	order_page_free(&page);
	return rc;
}

ordo_code app_reconcile(store *st, const app_caller *c, const char *location,
			recon_item *items, size_t n, recon_diff **diffs,
			size_t *n_diffs, size_t *matched, size_t *open_in_ordo,
			ordo_err *err)
{
	struct held h = {0};
	recon_ful *fuls = NULL;
	catalog_location loc;
	store_tx *tx;
	size_t i;
	ordo_code rc = store_read_begin(st, &tx, err);

	*diffs = NULL;
	*n_diffs = *matched = *open_in_ordo = 0;
	if (rc)
		return rc;
	rc = store_location_get(tx, c->tenant_id, location, &loc, err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "location",
				  "no location \"%.64s\"", location);
	}
	if (rc == ORDO_OK)
		rc = open_of(tx, c->tenant_id, location, FULFILLMENT_RELEASED,
			     &h, err);
	if (rc == ORDO_OK)
		rc = open_of(tx, c->tenant_id, location, FULFILLMENT_ACCEPTED,
			     &h, err);
	*open_in_ordo = h.n;
	for (i = 0; rc == ORDO_OK && i < n; i++)
		rc = named(tx, c->tenant_id, location, &items[i], &h, err);
	store_read_end(tx);
	if (rc == ORDO_OK) {
		fuls = calloc(h.n + 1, sizeof(*fuls));
		if (!fuls)
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "out of memory");
	}
	for (i = 0; rc == ORDO_OK && i < h.n; i++) {
		fuls[i].f = &h.v[i];
		fuls[i].order_external_id = "";
	}
	if (rc == ORDO_OK)
		rc = reconcile(items, n, fuls, h.n, diffs, n_diffs, matched,
			       err);
	free(fuls);
	held_free(&h);
	return rc;
}
