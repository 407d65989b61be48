/*
 * allocation.c - promising stock, routing, and releasing to warehouses.
 *
 *   app_order_allocate   plan (core/allocate.c) over the stock read in this
 *                        transaction, then for each pick: reserve the stock
 *                        (checked again at the row), move the line's units
 *                        open -> allocated, add them to the location's
 *                        pending fulfillment order
 *   app_order_release    pending fulfillment orders -> released; units
 *                        allocated -> released; the warehouse is told
 *   app_stock_arrived    give new stock to the orders waiting for it,
 *                        oldest first
 *   app_stock_take_back  stock counted below what is reserved: take the
 *                        shortfall back from the newest reservations at
 *                        that location (pending fulfillments first, then
 *                        released, then accepted ones), units back to open
 *   app_orders_reallocate  then route those units again, elsewhere, or
 *                        backorder or hold them as the tenant's
 *                        backorder_mode says
 *   app_wave_release     release everything pending at once (wave mode;
 *                        in wave.c)
 *
 * Reserved never exceeds on_hand: the plan is made from available stock
 * read in the same write transaction, and each reservation re-reads its row
 * and refuses (as a bug) to go past it. With SQLite one writer runs at a
 * time; on PostgreSQL the read takes the row lock (store.h).
 */
#include "app/allocation.h"
#include "app/caller.h"
#include "app/flow.h"
#include "app/stock.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/native_out.h"
#include "core/allocate.h"

struct plan_input {
	allocate_line *lines;
	size_t n_lines;
	allocate_location *locations;
	size_t n_locations;
	allocate_stock *stock;
	/* The rows stock[] was made of (same index), kept true as units are
	 * reserved: reserving reads no row again. */
	stock_level *levels;
	size_t n_stock;
	const char **excluded;
	size_t n_excluded;
};

static void plan_input_free(struct plan_input *in)
{
	free(in->lines);
	free(in->locations);
	free(in->stock);
	free(in->levels);
	free(in->excluded);
	memset(in, 0, sizeof(*in));
}

static ordo_code load_locations(store_tx *tx, int64_t tenant,
				struct plan_input *in, ordo_err *err)
{
	char after[ORDO_LOCATION_CODE_MAX] = "";
	ordo_code rc;

	for (;;) {
		catalog_location *page = NULL;
		allocate_location *grown;
		size_t n = 0, i;

		rc = store_location_list(tx, tenant, after, ORDO_PAGE_MAX,
					 &page, &n, err);
		if (rc)
			return rc;
		if (in->n_locations + n > ALLOCATE_MAX_LOCATIONS) {
			free(page);
			return ordo_err_set(err, ORDO_ELIMIT, "locations",
					    "more than %d locations",
					    ALLOCATE_MAX_LOCATIONS);
		}
		grown = realloc(in->locations, (in->n_locations + n + 1) *
						       sizeof(*grown));
		if (!grown) {
			free(page);
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory routing");
		}
		in->locations = grown;
		for (i = 0; i < n; i++) {
			allocate_location *a = &in->locations[in->n_locations++];
			size_t k;

			memset(a, 0, sizeof(*a));
			ordo_strlcpy(a->code, page[i].code, sizeof(a->code));
			a->priority = page[i].priority;
			a->active = page[i].active;
			a->n_serves = page[i].n_serves;
			for (k = 0; k < page[i].n_serves; k++)
				ordo_strlcpy(a->serves[k], page[i].serves[k],
					     sizeof(a->serves[k]));
		}
		if (n < ORDO_PAGE_MAX) {
			free(page);
			return ORDO_OK;
		}
		ordo_strlcpy(after, page[n - 1].code, sizeof(after));
		free(page);
	}
}

static bool sku_seen(const struct plan_input *in, const char *sku)
{
	size_t i;

	for (i = 0; i < in->n_stock; i++)
		if (strcmp(in->stock[i].sku, sku) == 0)
			return true;
	return false;
}

static ordo_code load_stock(store_tx *tx, int64_t tenant,
			    struct plan_input *in, ordo_err *err)
{
	size_t i, k;
	ordo_code rc;

	for (i = 0; i < in->n_lines; i++) {
		stock_level *rows = NULL, *levels;
		allocate_stock *grown;
		size_t n = 0;

		if (sku_seen(in, in->lines[i].sku))
			continue;
		rc = store_stock_of_sku(tx, tenant, in->lines[i].sku, &rows,
					&n, err);
		if (rc)
			return rc;
		grown = realloc(in->stock,
				(in->n_stock + n + 1) * sizeof(*grown));
		if (grown)
			in->stock = grown;
		levels = grown ? realloc(in->levels, (in->n_stock + n + 1) *
							     sizeof(*levels))
			       : NULL;
		if (!levels) {
			free(rows);
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory routing");
		}
		in->levels = levels;
		for (k = 0; k < n; k++) {
			allocate_stock *s = &in->stock[in->n_stock];

			in->levels[in->n_stock++] = rows[k];
			ordo_strlcpy(s->location, rows[k].location,
				     sizeof(s->location));
			ordo_strlcpy(s->sku, rows[k].sku, sizeof(s->sku));
			s->available = stock_available(&rows[k]);
		}
		free(rows);
	}
	return ORDO_OK;
}

static fulfillment *pending_fulfillment(order *o, const char *location,
					ordo_time now, ordo_err *err)
{
	fulfillment *grown, *f;
	size_t i;

	for (i = 0; i < o->n_fulfillments; i++) {
		f = &o->fulfillments[i];
		if (f->state == FULFILLMENT_PENDING &&
		    strcmp(f->location, location) == 0)
			return f;
	}
	grown = realloc(o->fulfillments,
			(o->n_fulfillments + 1) * sizeof(*grown));
	if (!grown) {
		ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory routing");
		return NULL;
	}
	o->fulfillments = grown;
	f = &o->fulfillments[o->n_fulfillments++];
	memset(f, 0, sizeof(*f));
	f->seq = 0; /* not stored yet */
	ordo_id_new("ful_", f->id);
	ordo_strlcpy(f->order_id, o->id, sizeof(f->order_id));
	ordo_strlcpy(f->location, location, sizeof(f->location));
	f->state = FULFILLMENT_PENDING;
	f->created_at = now;
	f->updated_at = now;
	return f;
}

static ordo_code fulfillment_add(fulfillment *f, const order_line *l,
				 int64_t q, ordo_err *err)
{
	fulfillment_line *grown;
	size_t i;

	for (i = 0; i < f->n_lines; i++) {
		if (f->lines[i].line_no == l->line_no) {
			f->lines[i].quantity += q;
			return ORDO_OK;
		}
	}
	grown = realloc(f->lines, (f->n_lines + 1) * sizeof(*grown));
	if (!grown)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory routing");
	f->lines = grown;
	memset(&f->lines[f->n_lines], 0, sizeof(f->lines[0]));
	f->lines[f->n_lines].line_no = l->line_no;
	ordo_strlcpy(f->lines[f->n_lines].sku, l->sku,
		     sizeof(f->lines[0].sku));
	f->lines[f->n_lines].quantity = q;
	f->n_lines++;
	return ORDO_OK;
}

static order_line *line_no(order *o, int n)
{
	size_t i;

	for (i = 0; i < o->n_lines; i++)
		if (o->lines[i].line_no == n)
			return &o->lines[i];
	return NULL;
}

/* Reserve q of sku at location for order o: the row is read again here. */
static ordo_code reserve(store_tx *tx, order *o, struct plan_input *in,
			 const char *location, const char *sku, int64_t q,
			 const char *actor, ordo_time now, ordo_err *err)
{
	stock_level before, after, *known = NULL;
	size_t i;
	ordo_code rc = ORDO_OK;

	/* The row as the plan read it (and as earlier picks left it). */
	for (i = 0; i < in->n_stock && !known; i++)
		if (strcmp(in->levels[i].location, location) == 0 &&
		    strcmp(in->levels[i].sku, sku) == 0)
			known = &in->levels[i];
	if (known)
		before = *known;
	else
		rc = store_stock_get(tx, o->tenant_id, location, sku, &before,
				     err);
	if (rc)
		return rc;
	if (stock_available(&before) < q)
		return ordo_err_set(err, ORDO_EINTERNAL, "stock",
				    "planned %lld of %s at %s but only %lld "
				    "are available",
				    (long long)q, sku, location,
				    (long long)stock_available(&before));
	after = before;
	after.reserved += q;
	after.updated_at = now;
	rc = app_stock_change(tx, o->tenant_id, &before, &after, "reserve",
			      "allocation", NULL, actor, o->id, now, err);
	if (rc == ORDO_OK && known)
		*known = after;
	return rc;
}

/* The locations whose warehouse already refused this order. */
static ordo_code excluded_locations(const order *o, struct plan_input *in,
				    ordo_err *err)
{
	size_t i;

	in->excluded = calloc(o->n_fulfillments + 1, sizeof(*in->excluded));
	if (!in->excluded)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory routing");
	for (i = 0; i < o->n_fulfillments; i++)
		if (o->fulfillments[i].state == FULFILLMENT_REJECTED)
			in->excluded[in->n_excluded++] =
				o->fulfillments[i].location;
	return ORDO_OK;
}

static bool in_main_flow(const order *o)
{
	return o->state == ORDER_ACCEPTED || o->state == ORDER_ALLOCATED ||
	       o->state == ORDER_RELEASED;
}

/* Save new and changed fulfillments. */
/* Write a fulfillment: the first time an insert, then updates. */
static ordo_code fulfillment_write(store_tx *tx, order *o, fulfillment *f,
				   ordo_err *err)
{
	ordo_code rc;

	if (f->seq != 0)
		return store_fulfillment_update(tx, o->tenant_id, f, err);
	rc = store_fulfillment_insert(tx, o->tenant_id, f, err);
	f->seq = -1; /* stored; the real seq is not needed */
	return rc;
}

/* Write the order's new fulfillments and those still open to change
 * (pending; and released unless pending_only). */
static ordo_code save_fulfillments(store_tx *tx, order *o, bool pending_only,
				   ordo_err *err)
{
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < o->n_fulfillments; i++) {
		fulfillment *f = &o->fulfillments[i];

		if (f->seq == 0) {
			rc = fulfillment_write(tx, o, f, err);
		} else if (f->state == FULFILLMENT_PENDING ||
			   (!pending_only &&
			    f->state == FULFILLMENT_RELEASED)) {
			rc = store_fulfillment_update(tx, o->tenant_id, f,
						      err);
		}
	}
	return rc;
}

/* Hold (or backorder) what the plan could not cover. */
static ordo_code handle_shortfall(store_tx *tx, order *o,
				  const tenant_settings *set,
				  hold_type short_hold, const char *actor,
				  ordo_time now, ordo_err *err)
{
	bool held = false;
	size_t i, k;
	ordo_code rc;

	if (short_hold == HOLD_TYPE_COUNT) {
		if (set->backorder == BACKORDER_KEEP_OPEN) {
			rc = app_event(tx, o, "backordered", o->state,
				       o->state, NULL, actor,
				       "units wait for stock", now, err);
			return rc ? rc : app_emit_order(tx, o,
							"order.backordered",
							actor, now, err);
		}
		short_hold = HOLD_INSUFFICIENT_STOCK;
	}
	for (i = 0; i < o->n_lines; i++) {
		order_line *l = &o->lines[i];
		char field[ORDO_ERR_FIELD_MAX];
		bool already = false;

		if (l->qty_open == 0)
			continue;
		snprintf(field, sizeof(field), "lines[%zu].quantity", i);
		/* One open hold of the kind is enough, whichever line or
		 * rejection raised it. */
		for (k = 0; k < o->n_holds; k++)
			if (o->holds[k].status == HOLD_OPEN &&
			    o->holds[k].type == short_hold)
				already = true;
		if (already)
			continue;
		rc = app_hold_raise(tx, o, short_hold, field, "allocation",
				    now, err,
				    "%lld of %lld units of %s cannot be "
				    "promised from any location serving %s%s%s",
				    (long long)l->qty_open,
				    (long long)l->quantity, l->sku,
				    o->ship_to.country,
				    o->ship_to.region[0] ? "-" : "",
				    o->ship_to.region);
		if (rc)
			return rc;
		held = true;
	}
	if (held && o->state != ORDER_ON_HOLD)
		return app_order_move(tx, o, ORDER_ON_HOLD, actor, now, err);
	return ORDO_OK;
}

/*
 * Plan and reserve the order's open units, whatever its state; the callers
 * decide whether it may take stock. announce: tell subscribers when units
 * are left backordered (the first time an order is allocated).
 */
/*
 * Promise o's open units. The fulfillments are written here unless
 * then_release: the caller then releases them at once and writes each
 * (app_order_allocate), so that a fulfillment is written once, released,
 * rather than written pending and again released.
 */
static ordo_code allocate_open_units(store_tx *tx, order *o,
				     const tenant_settings *set,
				     const char *actor, hold_type short_hold,
				     bool announce, bool then_release,
				     ordo_time now, ordo_err *err)
{
	struct plan_input in;
	allocate_request req;
	allocate_plan plan;
	size_t i;
	ordo_code rc = ORDO_OK;

	memset(&in, 0, sizeof(in));
	memset(&plan, 0, sizeof(plan));
	in.lines = calloc(o->n_lines + 1, sizeof(*in.lines));
	if (!in.lines) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory routing");
		goto out;
	}
	for (i = 0; i < o->n_lines; i++) {
		if (o->lines[i].qty_open == 0)
			continue;
		in.lines[in.n_lines].line_no = o->lines[i].line_no;
		ordo_strlcpy(in.lines[in.n_lines].sku, o->lines[i].sku,
			     sizeof(in.lines[0].sku));
		in.lines[in.n_lines].remaining = o->lines[i].qty_open;
		in.n_lines++;
	}
	if (in.n_lines == 0)
		goto out;
	rc = load_locations(tx, o->tenant_id, &in, err);
	if (rc == ORDO_OK)
		rc = load_stock(tx, o->tenant_id, &in, err);
	if (rc == ORDO_OK)
		rc = excluded_locations(o, &in, err);
	if (rc)
		goto out;

	memset(&req, 0, sizeof(req));
	req.country = o->ship_to.country;
	req.region = o->ship_to.region;
	req.lines = in.lines;
	req.n_lines = in.n_lines;
	req.locations = in.locations;
	req.n_locations = in.n_locations;
	req.stock = in.stock;
	req.n_stock = in.n_stock;
	req.excluded = in.excluded;
	req.n_excluded = in.n_excluded;
	rc = allocate_plan_make(&req, &plan, err);
	if (rc)
		goto out;
	allocate_plan_check(&req, &plan);

	for (i = 0; i < plan.n_picks; i++) {
		const allocate_pick *p = &plan.picks[i];
		order_line *l = line_no(o, p->line_no);
		fulfillment *f;

		if (!l) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, "lines",
					  "the plan names line %d, which the "
					  "order does not have",
					  p->line_no);
			goto out;
		}
		rc = reserve(tx, o, &in, p->location, l->sku, p->quantity,
			     actor, now, err);
		if (rc)
			goto out;
		rc = order_line_move(l, QTY_OPEN, QTY_ALLOCATED, p->quantity,
				     err);
		if (rc)
			goto out;
		f = pending_fulfillment(o, p->location, now, err);
		if (!f) {
			rc = err->code;
			goto out;
		}
		rc = fulfillment_add(f, l, p->quantity, err);
		if (rc)
			goto out;
	}
	/* What is left open waits for stock: stock of it freed or added
	 * meanwhile elsewhere must be seen (store_stock_short). */
	for (i = 0; !plan.complete && i < o->n_lines; i++)
		if (o->lines[i].qty_open > 0)
			store_stock_short(tx, o->tenant_id, o->lines[i].sku);
	if (plan.n_picks > 0) {
		rc = app_event(tx, o, "allocated", o->state, o->state, NULL,
			       actor,
			       plan.single_location
				       ? "from one location"
				       : plan.complete ? "split across locations"
						       : "in part",
			       now, err);
		if (rc)
			goto out;
	}
	if (!then_release)
		rc = save_fulfillments(tx, o, false, err);
	/* Not saved here: every caller saves the order next, released or
	 * not (app_order_allocate, feed_order). */
	if (rc == ORDO_OK)
		rc = app_order_walk(tx, o, actor, now, err);
	if (rc == ORDO_OK && !plan.complete &&
	    (announce || short_hold != HOLD_TYPE_COUNT ||
	     set->backorder == BACKORDER_HOLD))
		rc = handle_shortfall(tx, o, set, short_hold, actor, now,
				      err);
out:
	allocate_plan_free(&plan);
	plan_input_free(&in);
	return rc;
}

ordo_code app_order_allocate(store_tx *tx, order *o, const char *actor,
			     hold_type short_hold, ordo_time now,
			     ordo_err *err)
{
	tenant_settings set;
	ordo_code rc;

	if (!in_main_flow(o) || order_open_holds(o) > 0)
		return ORDO_OK;
	rc = store_settings_get(tx, o->tenant_id, &set, err);
	if (rc == ORDO_OK)
		rc = allocate_open_units(tx, o, &set, actor, short_hold,
					 short_hold == HOLD_TYPE_COUNT,
					 set.release == RELEASE_AUTO, now, err);
	if (rc)
		return rc;
	if (set.release != RELEASE_AUTO)
		return app_order_save(tx, o, now, err);
	rc = app_order_release(tx, o, NULL, actor, now, err);
	/* What the release did not write: all of it when the order is on
	 * hold, and fulfillments of other locations left pending. */
	return rc ? rc : save_fulfillments(tx, o, true, err);
}

/* Release one pending fulfillment of o. */
static ordo_code release_one(store_tx *tx, order *o, fulfillment *f,
			     const char *actor, ordo_time now, ordo_err *err)
{
	size_t i;
	ordo_code rc = fulfillment_move(&f->state, FULFILLMENT_RELEASED, err);

	if (rc)
		return rc;
	for (i = 0; i < f->n_lines; i++) {
		order_line *l = line_no(o, f->lines[i].line_no);
		int64_t q = f->lines[i].quantity - f->lines[i].shipped;

		if (!l)
			return ordo_err_set(err, ORDO_EINTERNAL, "lines",
					    "fulfillment %s names line %d, "
					    "which the order does not have",
					    f->id, f->lines[i].line_no);
		if (q > 0) {
			rc = order_line_move(l, QTY_ALLOCATED, QTY_RELEASED, q,
					     err);
			if (rc)
				return rc;
		}
	}
	f->released_at = now;
	f->updated_at = now;
	if (o->released_at == 0)
		o->released_at = now;
	rc = fulfillment_write(tx, o, f, err);
	if (rc == ORDO_OK)
		rc = app_event(tx, o, "released", o->state, o->state, NULL,
			       actor, f->location, now, err);
	if (rc)
		return rc;
	return app_emit_fulfillment(tx, o, f, "fulfillment.released", now,
				    err);
}

ordo_code app_order_release(store_tx *tx, order *o, const char *location,
			    const char *actor, ordo_time now, ordo_err *err)
{
	size_t i;
	ordo_code rc;

	if (!in_main_flow(o) || order_open_holds(o) > 0)
		return app_order_save(tx, o, now, err);
	for (i = 0; i < o->n_fulfillments; i++) {
		if (o->fulfillments[i].state != FULFILLMENT_PENDING ||
		    (location && location[0] &&
		     strcmp(o->fulfillments[i].location, location) != 0))
			continue;
		rc = release_one(tx, o, &o->fulfillments[i], actor, now, err);
		if (rc)
			return rc;
	}
	return app_order_advance(tx, o, actor, now, err);
}

/* Resolve the system's insufficient_stock holds once nothing is short. */
static ordo_code resolve_stock_holds(store_tx *tx, order *o,
				     const char *actor, ordo_time now,
				     ordo_err *err)
{
	size_t i;
	ordo_code rc;

	for (i = 0; i < o->n_holds; i++) {
		order_hold *h = &o->holds[i];

		if (h->status != HOLD_OPEN ||
		    h->type != HOLD_INSUFFICIENT_STOCK)
			continue;
		h->status = HOLD_RESOLVED;
		h->resolved_at = now;
		ordo_strlcpy(h->resolution, "system", sizeof(h->resolution));
		ordo_strlcpy(h->resolved_by, "system", sizeof(h->resolved_by));
		ordo_strlcpy(h->resolution_reason, "stock arrived",
			     sizeof(h->resolution_reason));
		rc = app_event(tx, o, "hold_resolved", o->state, o->state,
			       h->id, actor, "stock arrived", now, err);
		if (rc)
			return rc;
	}
	if (o->state == ORDER_ON_HOLD && order_open_holds(o) == 0)
		return app_order_move(tx, o, order_stage_from_lines(o), actor,
				      now, err);
	return ORDO_OK;
}

/* On hold for stock alone (no other open hold)? Then stock may free it. */
static bool held_only_for_stock(const order *o)
{
	size_t i;

	if (o->state != ORDER_ON_HOLD || o->accepted_at == 0)
		return false;
	for (i = 0; i < o->n_holds; i++)
		if (o->holds[i].status == HOLD_OPEN &&
		    o->holds[i].type != HOLD_INSUFFICIENT_STOCK)
			return false;
	return true;
}

static ordo_code sku_available(store_tx *tx, int64_t tenant, const char *sku,
			       int64_t *total, ordo_err *err)
{
	stock_level *rows = NULL;
	size_t n = 0, i;
	ordo_code rc = store_stock_of_sku(tx, tenant, sku, &rows, &n, err);

	*total = 0;
	for (i = 0; rc == ORDO_OK && i < n; i++)
		*total += stock_available(&rows[i]);
	free(rows);
	return rc;
}

/* Give arrived stock to one waiting order. */
static ordo_code feed_order(store_tx *tx, order *o,
			    const tenant_settings *set, const char *actor,
			    ordo_time now, ordo_err *err)
{
	ordo_code rc;

	if (held_only_for_stock(o)) {
		rc = allocate_open_units(tx, o, set, actor,
					 HOLD_INSUFFICIENT_STOCK, false, false,
					 now, err);
		if (rc == ORDO_OK && order_open_units(o) == 0)
			rc = resolve_stock_holds(tx, o, actor, now, err);
	} else if (in_main_flow(o) && order_open_holds(o) == 0) {
		rc = allocate_open_units(tx, o, set, actor, HOLD_TYPE_COUNT,
					 false, false, now, err);
	} else {
		return ORDO_OK;
	}
	if (rc)
		return rc;
	if (set->release == RELEASE_AUTO)
		return app_order_release(tx, o, NULL, actor, now, err);
	return app_order_save(tx, o, now, err);
}

ordo_code app_stock_arrived(store_tx *tx, int64_t tenant, const char *sku,
			    const char *actor, ordo_time now, ordo_err *err)
{
	char (*ids)[ORDO_ID_MAX] = NULL;
	tenant_settings set;
	size_t n = 0, i;
	int64_t left = 0;
	ordo_code rc;

	rc = store_settings_get(tx, tenant, &set, err);
	if (rc == ORDO_OK)
		rc = sku_available(tx, tenant, sku, &left, err);
	if (rc || left == 0)
		return rc;
	rc = store_orders_awaiting_sku(tx, tenant, sku, ORDO_PAGE_MAX, &ids,
				       &n, err);
	for (i = 0; rc == ORDO_OK && i < n && left > 0; i++) {
		order o;

		order_init(&o);
		rc = app_order_load(tx, tenant, ids[i], &o, err);
		if (rc == ORDO_OK)
			rc = feed_order(tx, &o, &set, actor, now, err);
		order_free(&o);
		if (rc == ORDO_OK)
			rc = sku_available(tx, tenant, sku, &left, err);
	}
	free(ids);
	return rc;
}

/* ---- taking reservations back: stock counted below what is reserved ---- */

/* A take-back in progress (app_stock_take_back). */
struct take_back {
	const char *location;
	const char *sku;
	int64_t need;	    /* units still to take back */
	int64_t counted;    /* the new on_hand, for the messages */
	int64_t reserved;   /* reserved before the take-back */
	const char *actor;
	ordo_time now;
	char (*ids)[ORDO_ID_MAX]; /* orders taken from, in order taken */
	size_t n, cap;
};

static ordo_code take_back_note(struct take_back *tb, const char *order_id,
				ordo_err *err)
{
	size_t i;

	for (i = 0; i < tb->n; i++)
		if (strcmp(tb->ids[i], order_id) == 0)
			return ORDO_OK;
	if (tb->n == tb->cap) {
		size_t nc = tb->cap ? tb->cap * 2 : 8;
		char(*grown)[ORDO_ID_MAX] =
			realloc(tb->ids, nc * sizeof(*tb->ids));

		if (!grown)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory taking stock back");
		tb->ids = grown;
		tb->cap = nc;
	}
	ordo_strlcpy(tb->ids[tb->n++], order_id, ORDO_ID_MAX);
	return ORDO_OK;
}

/*
 * Take up to tb->need units of tb->sku back from one fulfillment (its
 * newest lines first): the order's units go back to open (from allocated
 * for a pending fulfillment, from released for one the warehouse has),
 * the fulfillment ships that many fewer (cancelled when nothing is left of
 * it, shipped when the rest is shipped), the reservation is dropped with a
 * stock event saying why, and the order's timeline says what was taken.
 */
static ordo_code take_from_fulfillment(store_tx *tx, int64_t tenant,
				       const fulfillment *listed,
				       struct take_back *tb, ordo_err *err)
{
	char note[ORDO_MESSAGE_MAX];
	stock_level before, after;
	fulfillment *f = NULL;
	int64_t taken = 0, shipped = 0;
	qty_bucket from;
	size_t i;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = app_order_load(tx, tenant, listed->order_id, &o, err);
	if (rc)
		goto out;
	for (i = 0; i < o.n_fulfillments; i++)
		if (strcmp(o.fulfillments[i].id, listed->id) == 0)
			f = &o.fulfillments[i];
	if (!f) {
		rc = ordo_err_set(err, ORDO_EINTERNAL, "fulfillments",
				  "fulfillment %s is not among order %s's",
				  listed->id, o.id);
		goto out;
	}
	from = f->state == FULFILLMENT_PENDING ? QTY_ALLOCATED : QTY_RELEASED;
	for (i = f->n_lines; i-- > 0 && tb->need > 0;) {
		fulfillment_line *fl = &f->lines[i];
		int64_t take = fl->quantity - fl->shipped;
		order_line *l;

		if (strcmp(fl->sku, tb->sku) != 0 || take <= 0)
			continue;
		if (take > tb->need)
			take = tb->need;
		l = line_no(&o, fl->line_no);
		if (!l) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, "lines",
					  "fulfillment %s names line %d, which "
					  "the order does not have",
					  f->id, fl->line_no);
			goto out;
		}
		rc = order_line_move(l, from, QTY_OPEN, take, err);
		if (rc)
			goto out;
		fl->quantity -= take;
		taken += take;
		tb->need -= take;
	}
	if (taken == 0)
		goto out;
	for (i = 0; i < f->n_lines; i++)
		shipped += f->lines[i].shipped;
	if (fulfillment_unshipped(f) == 0) {
		rc = fulfillment_move(&f->state,
				      shipped > 0 ? FULFILLMENT_SHIPPED
						  : FULFILLMENT_CANCELLED,
				      err);
		if (rc)
			goto out;
	}
	f->updated_at = tb->now;
	rc = store_fulfillment_update(tx, tenant, f, err);
	/* The warehouse had it and now has nothing left to ship: tell its
	 * handoff, as when an order is cancelled. */
	if (rc == ORDO_OK && from == QTY_RELEASED &&
	    f->state == FULFILLMENT_CANCELLED)
		rc = app_emit_fulfillment(tx, &o, f, "fulfillment.cancelled",
					  tb->now, err);
	if (rc)
		goto out;

	rc = store_stock_get(tx, tenant, tb->location, tb->sku, &before, err);
	if (rc)
		goto out;
	after = before;
	after.reserved -= taken;
	after.updated_at = tb->now;
	snprintf(note, sizeof(note),
		 "counted %lld, %lld reserved: %lld taken back from %s",
		 (long long)tb->counted, (long long)tb->reserved,
		 (long long)taken, o.id);
	rc = app_stock_change(tx, tenant, &before, &after, "unreserve", "count",
			      note, tb->actor, o.id, tb->now, err);
	if (rc)
		goto out;
	snprintf(note, sizeof(note),
		 "%lld of %s taken back from fulfillment %s at %s: counted "
		 "%lld, %lld reserved",
		 (long long)taken, tb->sku, f->id, tb->location,
		 (long long)tb->counted, (long long)tb->reserved);
	rc = app_event(tx, &o, "stock_taken_back", o.state, o.state, NULL,
		       tb->actor, note, tb->now, err);
	if (rc == ORDO_OK)
		rc = app_order_advance(tx, &o, tb->actor, tb->now, err);
	if (rc == ORDO_OK)
		rc = take_back_note(tb, o.id, err);
out:
	order_free(&o);
	return rc;
}

/* Take back from the fulfillments of one state at the location, newest
 * first, until nothing more is needed. */
static ordo_code take_back_from(store_tx *tx, int64_t tenant,
				fulfillment_state state, struct take_back *tb,
				ordo_err *err)
{
	fulfillment_filter f;
	ordo_code rc = ORDO_OK;

	memset(&f, 0, sizeof(f));
	ordo_strlcpy(f.location, tb->location, sizeof(f.location));
	f.has_state = true;
	f.state = state;
	f.limit = ORDO_PAGE_MAX;
	while (tb->need > 0) {
		fulfillment *page = NULL;
		size_t got = 0, i, k;
		int64_t next = 0;

		rc = store_fulfillment_list(tx, tenant, &f, &page, &got, &next,
					    err);
		if (rc)
			break;
		for (i = 0; rc == ORDO_OK && i < got && tb->need > 0; i++) {
			bool has = false;

			for (k = 0; k < page[i].n_lines; k++)
				has = has ||
				      (strcmp(page[i].lines[k].sku, tb->sku) ==
					       0 &&
				       page[i].lines[k].quantity >
					       page[i].lines[k].shipped);
			if (has)
				rc = take_from_fulfillment(tx, tenant,
							   &page[i], tb, err);
		}
		for (i = 0; i < got; i++)
			fulfillment_free(&page[i]);
		free(page);
		if (rc || next == 0)
			break;
		f.before_seq = next;
	}
	return rc;
}

ordo_code app_stock_take_back(store_tx *tx, int64_t tenant,
			      const char *location, const char *sku,
			      int64_t on_hand, const char *actor,
			      ordo_time now, char (**ids)[ORDO_ID_MAX],
			      size_t *n, ordo_err *err)
{
	/* Units the warehouse has not been told of go first; of those it
	 * has, the ones it has not yet accepted. */
	static const fulfillment_state order_of_states[] = {
		FULFILLMENT_PENDING, FULFILLMENT_RELEASED,
		FULFILLMENT_ACCEPTED};
	struct take_back tb;
	stock_level row;
	size_t i;
	ordo_code rc;

	*ids = NULL;
	*n = 0;
	rc = store_stock_get(tx, tenant, location, sku, &row, err);
	if (rc)
		return rc;
	memset(&tb, 0, sizeof(tb));
	tb.location = location;
	tb.sku = sku;
	tb.need = row.reserved - on_hand;
	tb.counted = on_hand;
	tb.reserved = row.reserved;
	tb.actor = actor;
	tb.now = now;
	for (i = 0; rc == ORDO_OK && tb.need > 0 && i < 3; i++)
		rc = take_back_from(tx, tenant, order_of_states[i], &tb, err);
	/* Every reservation belongs to a fulfillment line; units reserved
	 * that none claims are a broken book, not a count to accept. */
	if (rc == ORDO_OK && tb.need > 0)
		rc = ordo_err_set(err, ORDO_EINTERNAL, "on_hand",
				  "%lld units of %s reserved at %s belong to "
				  "no fulfillment",
				  (long long)tb.need, sku, location);
	if (rc) {
		free(tb.ids);
		return rc;
	}
	*ids = tb.ids;
	*n = tb.n;
	return ORDO_OK;
}

ordo_code app_orders_reallocate(store_tx *tx, int64_t tenant,
				char (*ids)[ORDO_ID_MAX], size_t n,
				const char *actor, ordo_time now,
				ordo_err *err)
{
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; rc == ORDO_OK && i < n; i++) {
		order o;

		order_init(&o);
		rc = app_order_load(tx, tenant, ids[i], &o, err);
		if (rc == ORDO_OK)
			rc = app_order_allocate(tx, &o, actor, HOLD_TYPE_COUNT,
						now, err);
		order_free(&o);
	}
	return rc;
}
