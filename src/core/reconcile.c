/*
 * reconcile.c - a warehouse's view of its open work set beside ordo's
 * (see reconcile.h).
 */
#include "core/reconcile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kind_names[] = {
	"unknown_to_ordo",
	"unknown_to_warehouse",
	"status_mismatch",
	"quantity_mismatch",
};

const char *recon_kind_name(recon_kind k)
{
	return (unsigned)k <= RECON_QUANTITY_MISMATCH ? kind_names[k]
						       : "unknown";
}

bool recon_status_ok(fulfillment_state s)
{
	return s == FULFILLMENT_RELEASED || s == FULFILLMENT_ACCEPTED ||
	       s == FULFILLMENT_SHIPPED || s == FULFILLMENT_CANCELLED;
}

static bool open_state(fulfillment_state s)
{
	return s == FULFILLMENT_RELEASED || s == FULFILLMENT_ACCEPTED;
}

/* The fulfillment item it names (index into fuls), or -1. */
static long match(const recon_item *it, const recon_ful *fuls, size_t m,
		  const bool *taken)
{
	long best = -1;
	size_t k;

	for (k = 0; k < m; k++) {
		const fulfillment *f = fuls[k].f;

		if (it->fulfillment_id[0]) {
			if (strcmp(f->id, it->fulfillment_id) == 0)
				return taken[k] ? -2 : (long)k;
			continue;
		}
		if (taken[k] ||
		    (strcmp(f->order_id, it->order_ref) != 0 &&
		     strcmp(fuls[k].order_external_id, it->order_ref) != 0))
			continue;
		/* Its open one first, else its newest. */
		if (best < 0 || (open_state(f->state) &&
				 !open_state(fuls[best].f->state)) ||
		    (open_state(f->state) == open_state(fuls[best].f->state) &&
		     f->created_at >= fuls[best].f->created_at))
			best = (long)k;
	}
	return best;
}

/* Whether the order an item names has a fulfillment an earlier item
 * took (and none left for this one). */
static bool named_before(const recon_item *it, const recon_ful *fuls,
			 size_t m, const bool *taken)
{
	size_t k;

	for (k = 0; k < m; k++)
		if (taken[k] &&
		    (strcmp(fuls[k].f->order_id, it->order_ref) == 0 ||
		     strcmp(fuls[k].order_external_id, it->order_ref) == 0))
			return true;
	return false;
}

/* Units of sku the fulfillment has to ship, and shipped. */
static void ful_units(const fulfillment *f, const char *sku, int64_t *qty,
		      int64_t *shipped)
{
	size_t i;

	*qty = *shipped = 0;
	for (i = 0; i < f->n_lines; i++) {
		if (strcmp(f->lines[i].sku, sku) != 0)
			continue;
		*qty += f->lines[i].quantity;
		*shipped += f->lines[i].shipped;
	}
}

static recon_diff *diff_add(recon_diff **out, size_t *n, size_t *cap,
			    recon_kind kind, long item, const fulfillment *f,
			    ordo_err *err)
{
	recon_diff *d;

	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 16;
		recon_diff *p = realloc(*out, c * sizeof(*p));

		if (!p) {
			ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
			return NULL;
		}
		*out = p;
		*cap = c;
	}
	d = &(*out)[(*n)++];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->item = item;
	if (f) {
		ordo_strlcpy(d->fulfillment_id, f->id, sizeof(d->fulfillment_id));
		ordo_strlcpy(d->order_id, f->order_id, sizeof(d->order_id));
	}
	return d;
}

/* The SKUs of an item and of its fulfillment, each compared once. */
static ordo_code compare_lines(const recon_item *it, long i,
			       const fulfillment *f, recon_diff **out,
			       size_t *n, size_t *cap, bool *agree,
			       ordo_err *err)
{
	size_t k, j;

	for (k = 0; k < it->n_lines + f->n_lines; k++) {
		const char *sku = k < it->n_lines
					  ? it->lines[k].sku
					  : f->lines[k - it->n_lines].sku;
		int64_t want = 0, shipped_said = -1, qty, shipped;
		bool said = false, seen = false;
		recon_diff *d;

		/* Each SKU once: at its first place in item, then ful. */
		for (j = 0; j < k && !seen; j++)
			seen = strcmp(j < it->n_lines
					      ? it->lines[j].sku
					      : f->lines[j - it->n_lines].sku,
				      sku) == 0;
		if (seen)
			continue;
		for (j = 0; j < it->n_lines; j++) {
			if (strcmp(it->lines[j].sku, sku) != 0)
				continue;
			said = true;
			want += it->lines[j].quantity;
			if (it->lines[j].shipped >= 0)
				shipped_said = (shipped_said < 0 ? 0
								 : shipped_said) +
					       it->lines[j].shipped;
		}
		ful_units(f, sku, &qty, &shipped);
		if (qty == want && (shipped_said < 0 || shipped_said == shipped))
			continue;
		*agree = false;
		d = diff_add(out, n, cap, RECON_QUANTITY_MISMATCH, i, f, err);
		if (!d)
			return err->code;
		ordo_strlcpy(d->sku, sku, sizeof(d->sku));
		if (!said)
			snprintf(d->message, sizeof(d->message),
				 "%s: ordo has %lld to ship (%lld shipped); "
				 "the warehouse has none",
				 sku, (long long)qty, (long long)shipped);
		else if (shipped_said >= 0)
			snprintf(d->message, sizeof(d->message),
				 "%s: ordo has %lld to ship, %lld shipped; the "
				 "warehouse %lld, %lld shipped",
				 sku, (long long)qty, (long long)shipped,
				 (long long)want, (long long)shipped_said);
		else
			snprintf(d->message, sizeof(d->message),
				 "%s: ordo has %lld to ship; the warehouse %lld",
				 sku, (long long)qty, (long long)want);
	}
	return ORDO_OK;
}

ordo_code reconcile(const recon_item *items, size_t n, const recon_ful *fuls,
		    size_t m, recon_diff **out, size_t *n_out,
		    size_t *matched, ordo_err *err)
{
	bool *taken = calloc(m + 1, sizeof(*taken));
	size_t cap = 0, i;
	ordo_code rc = ORDO_OK;

	*out = NULL;
	*n_out = 0;
	*matched = 0;
	if (!taken)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		const recon_item *it = &items[i];
		long k = match(it, fuls, m, taken);
		const fulfillment *f;
		bool agree = true;
		recon_diff *d;

		if (k == -2 || (k < 0 && !it->fulfillment_id[0] &&
				named_before(it, fuls, m, taken))) {
			rc = ordo_err_set(err, ORDO_EINVALID, "items",
					  "the item at %zu names a fulfillment "
					  "an earlier item names: a view names "
					  "each once",
					  it->where);
			break;
		}
		if (k < 0) {
			d = diff_add(out, n_out, &cap, RECON_UNKNOWN_TO_ORDO,
				     (long)i, NULL, err);
			if (!d) {
				rc = err->code;
				break;
			}
			snprintf(d->message, sizeof(d->message),
				 "ordo has no fulfillment %s%s at this "
				 "location",
				 it->fulfillment_id[0] ? "" : "of order ",
				 it->fulfillment_id[0] ? it->fulfillment_id
						       : it->order_ref);
			continue;
		}
		taken[k] = true;
		f = fuls[k].f;
		if (!(open_state(f->state) && open_state(it->status)) &&
		    f->state != it->status) {
			agree = false;
			d = diff_add(out, n_out, &cap, RECON_STATUS_MISMATCH,
				     (long)i, f, err);
			if (!d) {
				rc = err->code;
				break;
			}
			snprintf(d->message, sizeof(d->message),
				 "ordo has it %s; the warehouse %s",
				 fulfillment_state_name(f->state),
				 fulfillment_state_name(it->status));
		}
		rc = compare_lines(it, (long)i, f, out, n_out, &cap, &agree,
				   err);
		if (rc == ORDO_OK && agree)
			(*matched)++;
	}
	for (i = 0; rc == ORDO_OK && i < m; i++) {
		recon_diff *d;

		if (taken[i] || !open_state(fuls[i].f->state))
			continue;
		d = diff_add(out, n_out, &cap, RECON_UNKNOWN_TO_WAREHOUSE, -1,
			     fuls[i].f, err);
		if (!d) {
			rc = err->code;
			break;
		}
		snprintf(d->message, sizeof(d->message),
			 "ordo handed it over (%s); the warehouse does not "
			 "name it",
			 fulfillment_state_name(fuls[i].f->state));
	}
	free(taken);
	if (rc) {
		free(*out);
		*out = NULL;
		*n_out = 0;
	}
	return rc;
}
