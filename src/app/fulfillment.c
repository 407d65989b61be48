/*
 * fulfillment.c - what the warehouse answers: accepts, rejections,
 * shipments and deliveries; and closing delivered orders.
 *
 *   accept     released -> accepted
 *   reject     released|accepted -> rejected; the unshipped units go back
 *              to open and their stock is unreserved; then, for reasons
 *              another warehouse may not share (out_of_stock,
 *              invalid_sku), the order is routed again without that
 *              location, and what cannot be re-routed is held; for the
 *              others (incorrect_address, other) the order is held for a
 *              person
 *   shipment   released|accepted; each unit shipped moves released ->
 *              shipped on its line and leaves stock (on_hand and reserved
 *              both drop); shipping more than was released and is still
 *              unshipped is refused; when every unit of the fulfillment is
 *              shipped it is shipped, and when every unit of the order is,
 *              the order is
 *   delivered  a shipment arrived; when the order is shipped and all its
 *              shipments are delivered, the order is delivered
 *   close      delivered orders close after the tenant's closing period
 */
#include "app/allocation.h"
#include "app/caller.h"
#include "app/flow.h"
#include "app/fulfillment.h"
#include "app/stock.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/native_out.h"

/* Append a copy of s (with its lines) to the order's shipments. */
static ordo_code order_shipment_add(order *o, const shipment *s,
				    ordo_err *err)
{
	shipment *grown = realloc(o->shipments,
				  (o->n_shipments + 1) * sizeof(*grown));
	shipment *c;

	if (!grown)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory recording a shipment");
	o->shipments = grown;
	c = &o->shipments[o->n_shipments];
	*c = *s;
	c->lines = NULL;
	c->n_lines = 0;
	if (s->n_lines) {
		c->lines = malloc(s->n_lines * sizeof(*c->lines));
		if (!c->lines)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory recording a "
					    "shipment");
		memcpy(c->lines, s->lines, s->n_lines * sizeof(*c->lines));
		c->n_lines = s->n_lines;
	}
	o->n_shipments++;
	return ORDO_OK;
}

static fulfillment *find_fulfillment(order *o, const char *id)
{
	size_t i;

	for (i = 0; i < o->n_fulfillments; i++)
		if (strcmp(o->fulfillments[i].id, id) == 0)
			return &o->fulfillments[i];
	return NULL;
}

static order_line *find_line(order *o, int line_no)
{
	size_t i;

	for (i = 0; i < o->n_lines; i++)
		if (o->lines[i].line_no == line_no)
			return &o->lines[i];
	return NULL;
}

/* Load the fulfillment's order; *f points into it. */
static ordo_code load_for(store_tx *tx, const app_caller *c, const char *id,
			  order *o, fulfillment **f, ordo_err *err)
{
	fulfillment one;
	ordo_code rc;

	memset(&one, 0, sizeof(one));
	rc = store_fulfillment_get(tx, c->tenant_id, id, &one, err);
	if (rc == ORDO_OK && !app_reaches_location(c, one.location)) {
		fulfillment_free(&one);
		return app_unreached("fulfillment", id, err);
	}
	if (rc)
		return rc;
	rc = app_order_load(tx, c->tenant_id, one.order_id, o, err);
	fulfillment_free(&one);
	if (rc)
		return rc;
	*f = find_fulfillment(o, id);
	if (!*f)
		return ordo_err_set(err, ORDO_EINTERNAL, "id",
				    "fulfillment %s is not among its order's",
				    id);
	return ORDO_OK;
}

/* Copy f out for the caller (lines duplicated). */
static ordo_code copy_out(const fulfillment *f, fulfillment *out,
			  ordo_err *err)
{
	*out = *f;
	out->lines = NULL;
	if (f->n_lines) {
		out->lines = malloc(f->n_lines * sizeof(*out->lines));
		if (!out->lines) {
			out->n_lines = 0;
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory");
		}
		memcpy(out->lines, f->lines, f->n_lines * sizeof(*f->lines));
	}
	return ORDO_OK;
}

ordo_code app_fulfillment_accept(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time now,
				 fulfillment *out, ordo_err *err)
{
	fulfillment *f;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = load_for(tx, c, id, &o, &f, err);
	if (rc == ORDO_OK)
		rc = fulfillment_move(&f->state, FULFILLMENT_ACCEPTED, err);
	if (rc == ORDO_OK) {
		f->updated_at = now;
		rc = store_fulfillment_update(tx, c->tenant_id, f, err);
	}
	if (rc == ORDO_OK)
		rc = app_event(tx, &o, "fulfillment_accepted", o.state,
			       o.state, NULL, c->actor, f->location, now, err);
	if (rc == ORDO_OK)
		rc = app_emit_fulfillment(tx, &o, f, "fulfillment.accepted", now,
				      err);
	if (rc == ORDO_OK)
		rc = copy_out(f, out, err);
	order_free(&o);
	return rc;
}

/* Give back the stock of f's unshipped units; units return to open. */
static ordo_code unreserve(store_tx *tx, order *o, fulfillment *f,
			   const char *actor, ordo_time now, ordo_err *err)
{
	size_t i;
	ordo_code rc;

	for (i = 0; i < f->n_lines; i++) {
		fulfillment_line *fl = &f->lines[i];
		int64_t q = fl->quantity - fl->shipped;
		order_line *l = find_line(o, fl->line_no);
		stock_level before, after;

		if (q == 0)
			continue;
		if (!l)
			return ordo_err_set(err, ORDO_EINTERNAL, "lines",
					    "fulfillment %s names line %d, "
					    "which the order does not have",
					    f->id, fl->line_no);
		rc = order_line_move(l, QTY_RELEASED, QTY_OPEN, q, err);
		if (rc)
			return rc;
		rc = store_stock_get(tx, o->tenant_id, f->location, fl->sku,
				     &before, err);
		if (rc)
			return rc;
		after = before;
		after.reserved -= q;
		after.updated_at = now;
		rc = app_stock_change(tx, o->tenant_id, &before, &after,
				      "unreserve", "rejected", NULL, actor,
				      o->id, now, err);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

static bool has_open_hold(const order *o, hold_type t)
{
	size_t i;

	for (i = 0; i < o->n_holds; i++)
		if (o->holds[i].status == HOLD_OPEN && o->holds[i].type == t)
			return true;
	return false;
}

/*
 * A rejection ordo routed around still counts as an exception (it is
 * measured by hold type): record it as a hold that the re-route resolved.
 */
static ordo_code record_rerouted(store_tx *tx, order *o, hold_type t,
				 const char *text, ordo_time now,
				 ordo_err *err)
{
	order_hold *h;
	ordo_code rc = app_hold_raise(tx, o, t, "fulfillments", "warehouse",
				      now, err, "%s", text);

	if (rc)
		return rc;
	h = &o->holds[o->n_holds - 1];
	h->status = HOLD_RESOLVED;
	h->resolved_at = now;
	ordo_strlcpy(h->resolution, "system", sizeof(h->resolution));
	ordo_strlcpy(h->resolved_by, "system", sizeof(h->resolved_by));
	ordo_strlcpy(h->resolution_reason, "re-routed to another location",
		     sizeof(h->resolution_reason));
	rc = app_event(tx, o, "hold_resolved", o->state, o->state, h->id,
		       "system", "re-routed to another location", now, err);
	return rc ? rc : app_order_save(tx, o, now, err);
}

ordo_code app_fulfillment_reject(store_tx *tx, const app_caller *c,
				 const char *id, reject_reason reason,
				 const char *message, ordo_time now,
				 fulfillment *out, ordo_err *err)
{
	char text[ORDO_MESSAGE_MAX];
	fulfillment *f;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = load_for(tx, c, id, &o, &f, err);
	if (rc == ORDO_OK)
		rc = fulfillment_move(&f->state, FULFILLMENT_REJECTED, err);
	if (rc)
		goto out;
	ordo_strlcpy(f->reject_reason, reject_reason_name(reason),
		     sizeof(f->reject_reason));
	ordo_strlcpy(f->reject_message, message, sizeof(f->reject_message));
	f->updated_at = now;
	rc = unreserve(tx, &o, f, c->actor, now, err);
	if (rc == ORDO_OK)
		rc = store_fulfillment_update(tx, c->tenant_id, f, err);
	snprintf(text, sizeof(text), "%s rejected it: %s%s%s", f->location,
		 reject_reason_name(reason), message[0] ? ": " : "", message);
	if (rc == ORDO_OK)
		rc = app_event(tx, &o, "fulfillment_rejected", o.state,
			       o.state, NULL, c->actor, text, now, err);
	if (rc == ORDO_OK)
		rc = app_emit_fulfillment(tx, &o, f, "fulfillment.rejected", now,
				      err);
	if (rc == ORDO_OK)
		rc = copy_out(f, out, err);
	if (rc)
		goto out;
	/* f points into o's array, which routing may grow: not used below. */
	rc = app_order_advance(tx, &o, c->actor, now, err);
	if (rc)
		goto out;
	if (reject_reason_reroutes(reason)) {
		rc = app_order_allocate(tx, &o, c->actor,
					reject_reason_hold(reason), now, err);
		if (rc == ORDO_OK && order_open_units(&o) == 0)
			rc = record_rerouted(tx, &o, reject_reason_hold(reason),
					     text, now, err);
	}
	if (rc == ORDO_OK && order_open_units(&o) > 0 &&
	    !has_open_hold(&o, reject_reason_hold(reason))) {
		rc = app_hold_raise(tx, &o, reject_reason_hold(reason),
				    reason == REJECT_INCORRECT_ADDRESS
					    ? "ship_to"
					    : "fulfillments",
				    "warehouse", now, err, "%s", text);
		if (rc == ORDO_OK && o.state != ORDER_ON_HOLD)
			rc = app_order_move(tx, &o, ORDER_ON_HOLD, c->actor,
					    now, err);
		if (rc == ORDO_OK)
			rc = app_order_save(tx, &o, now, err);
	}
out:
	order_free(&o);
	return rc;
}

/* Ship q units of sku from f: from its lines in order, then the order's
 * lines and the stock. */
static ordo_code ship_units(store_tx *tx, order *o, fulfillment *f,
			    const char *sku, int64_t q, size_t req_index,
			    const char *actor, ordo_time now, ordo_err *err)
{
	char field[ORDO_ERR_FIELD_MAX];
	int64_t unshipped = 0;
	size_t i;
	bool known = false;
	ordo_code rc;

	for (i = 0; i < f->n_lines; i++) {
		if (strcmp(f->lines[i].sku, sku) != 0)
			continue;
		known = true;
		unshipped += f->lines[i].quantity - f->lines[i].shipped;
	}
	if (!known) {
		snprintf(field, sizeof(field), "lines[%zu].sku", req_index);
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "%s is not in fulfillment %s", sku, f->id);
	}
	if (q > unshipped) {
		snprintf(field, sizeof(field), "lines[%zu].quantity",
			 req_index);
		return ordo_err_set(err, ORDO_ECONFLICT, field,
				    "cannot ship %lld of %s: only %lld were "
				    "released to %s and are not yet shipped",
				    (long long)q, sku, (long long)unshipped,
				    f->location);
	}
	for (i = 0; q > 0 && i < f->n_lines; i++) {
		fulfillment_line *fl = &f->lines[i];
		int64_t take = fl->quantity - fl->shipped;
		order_line *l;
		stock_level before, after;

		if (strcmp(fl->sku, sku) != 0 || take == 0)
			continue;
		if (take > q)
			take = q;
		l = find_line(o, fl->line_no);
		if (!l)
			return ordo_err_set(err, ORDO_EINTERNAL, "lines",
					    "fulfillment %s names line %d, "
					    "which the order does not have",
					    f->id, fl->line_no);
		rc = order_line_move(l, QTY_RELEASED, QTY_SHIPPED, take, err);
		if (rc)
			return rc;
		fl->shipped += take;
		q -= take;
		rc = store_stock_get(tx, o->tenant_id, f->location, sku,
				     &before, err);
		if (rc)
			return rc;
		after = before;
		after.on_hand -= take;
		after.reserved -= take;
		after.updated_at = now;
		rc = app_stock_change(tx, o->tenant_id, &before, &after,
				      "ship", "shipment", NULL, actor, o->id,
				      now, err);
		if (rc)
			return rc;
	}
	return ORDO_OK;
}

ordo_code app_shipment_create(store_tx *tx, const app_caller *c,
			      const char *fulfillment_id, shipment *s,
			      ordo_time now, ordo_err *err)
{
	fulfillment *f;
	order o;
	size_t i;
	ordo_code rc;

	order_init(&o);
	rc = load_for(tx, c, fulfillment_id, &o, &f, err);
	if (rc)
		goto out;
	if (f->state != FULFILLMENT_RELEASED &&
	    f->state != FULFILLMENT_ACCEPTED) {
		rc = ordo_err_set(err, ORDO_ESTATE, "state",
				  "fulfillment %s is %s; only a released or "
				  "accepted fulfillment ships",
				  f->id, fulfillment_state_name(f->state));
		goto out;
	}
	if (o.state == ORDER_ON_HOLD) {
		rc = ordo_err_set(err, ORDO_ESTATE, "state",
				  "order %s is on hold; resolve its holds "
				  "before shipping",
				  o.id);
		goto out;
	}
	for (i = 0; i < s->n_lines; i++) {
		rc = ship_units(tx, &o, f, s->lines[i].sku,
				s->lines[i].quantity, i, c->actor, now, err);
		if (rc)
			goto out;
	}
	if (fulfillment_unshipped(f) == 0) {
		rc = fulfillment_move(&f->state, FULFILLMENT_SHIPPED, err);
		if (rc)
			goto out;
	}
	f->updated_at = now;
	rc = store_fulfillment_update(tx, c->tenant_id, f, err);
	if (rc)
		goto out;
	ordo_id_new("shp_", s->id);
	ordo_strlcpy(s->fulfillment_id, f->id, sizeof(s->fulfillment_id));
	ordo_strlcpy(s->order_id, o.id, sizeof(s->order_id));
	ordo_strlcpy(s->location, f->location, sizeof(s->location));
	if (s->shipped_at == 0)
		s->shipped_at = now;
	s->delivered_at = 0;
	rc = store_shipment_insert(tx, c->tenant_id, s, err);
	if (rc == ORDO_OK)
		rc = app_event(tx, &o, "shipment_created", o.state, o.state,
			       NULL, c->actor, s->id, now, err);
	if (rc == ORDO_OK)
		rc = app_emit(tx, c->tenant_id, "shipment.created", o.id,
			      f->location, native_shipment_json(s), now, err);
	if (rc == ORDO_OK)
		rc = app_channel_tell(tx, &o, "shipment.created", s, now,
				      err);
	/* The order's webhooks (order.shipped) carry its shipments, this
	 * one too. */
	if (rc == ORDO_OK)
		rc = order_shipment_add(&o, s, err);
	if (rc == ORDO_OK)
		rc = app_order_advance(tx, &o, c->actor, now, err);
out:
	order_free(&o);
	return rc;
}

ordo_code app_shipment_delivered(store_tx *tx, const app_caller *c,
				 const char *id, ordo_time at, ordo_time now,
				 shipment *out, ordo_err *err)
{
	shipment *all = NULL;
	size_t n = 0, i;
	bool every = true;
	order o;
	ordo_code rc;

	order_init(&o);
	memset(out, 0, sizeof(*out));
	rc = store_shipment_get(tx, c->tenant_id, id, out, err);
	if (rc == ORDO_OK && !app_reaches_location(c, out->location)) {
		shipment_free(out);
		memset(out, 0, sizeof(*out));
		rc = app_unreached("shipment", id, err);
	}
	if (rc)
		goto out;
	if (out->delivered_at != 0)
		goto out; /* already recorded: the first word stands */
	out->delivered_at = at ? at : now;
	rc = store_shipment_set_delivered(tx, c->tenant_id, id,
					  out->delivered_at, err);
	if (rc == ORDO_OK)
		rc = app_order_load(tx, c->tenant_id, out->order_id, &o, err);
	if (rc == ORDO_OK)
		rc = app_event(tx, &o, "shipment_delivered", o.state, o.state,
			       NULL, c->actor, id, now, err);
	if (rc == ORDO_OK)
		rc = store_shipments_of_order(tx, c->tenant_id, o.id, &all, &n,
					      err);
	if (rc || o.state != ORDER_SHIPPED)
		goto out;
	for (i = 0; i < n; i++)
		every = every && all[i].delivered_at != 0;
	if (every) {
		o.delivered_at = out->delivered_at;
		rc = app_order_move(tx, &o, ORDER_DELIVERED, c->actor, now,
				    err);
		if (rc == ORDO_OK)
			rc = app_order_save(tx, &o, now, err);
	}
out:
	for (i = 0; i < n; i++)
		shipment_free(&all[i]);
	free(all);
	order_free(&o);
	return rc;
}

ordo_code app_close_due(store_tx *tx, ordo_time now, size_t *closed,
			ordo_err *err)
{
	store_order_ref *refs = NULL;
	size_t n = 0, i;
	ordo_code rc = store_orders_due_to_close(tx, now, ORDO_PAGE_MAX,
						 &refs, &n, err);

	*closed = 0;
	for (i = 0; rc == ORDO_OK && i < n; i++) {
		order o;

		order_init(&o);
		rc = app_order_load(tx, refs[i].tenant_id, refs[i].id, &o,
				    err);
		/* Read unlocked, loaded locked: another node may have
		 * closed it (or a return moved it) in between. */
		if (rc == ORDO_OK && o.state != ORDER_DELIVERED) {
			order_free(&o);
			continue;
		}
		if (rc == ORDO_OK) {
			o.closed_at = now;
			rc = app_order_move(tx, &o, ORDER_CLOSED, "system",
					    now, err);
		}
		if (rc == ORDO_OK)
			rc = app_order_save(tx, &o, now, err);
		if (rc == ORDO_OK)
			(*closed)++;
		order_free(&o);
	}
	free(refs);
	return rc;
}

/* ---- the commands (write.h) ----------------------------------------------- */

/* Copy src into dst with its own lines (dst's are not freed). */
static ordo_code shipment_copy(shipment *dst, const shipment *src,
			       ordo_err *err)
{
	*dst = *src;
	dst->lines = NULL;
	dst->n_lines = 0;
	if (src->n_lines) {
		dst->lines = malloc(src->n_lines * sizeof(*dst->lines));
		if (!dst->lines)
			return ordo_err_set(err, ORDO_ENOMEM, NULL,
					    "out of memory");
		memcpy(dst->lines, src->lines,
		       src->n_lines * sizeof(*dst->lines));
		dst->n_lines = src->n_lines;
	}
	return ORDO_OK;
}

static ordo_code accept_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_fulfillment_accept_cmd *c = (app_fulfillment_accept_cmd *)w;

	return app_fulfillment_accept(tx, &w->caller, c->id, w->now,
				      &c->stored, err);
}

static void accept_clear(app_write *w)
{
	fulfillment_free(&((app_fulfillment_accept_cmd *)w)->stored);
}

static const app_write_type accept_type = {.name = "fulfillment_accept",
					   .run = accept_run,
					   .clear = accept_clear};

void app_fulfillment_accept_cmd_init(app_fulfillment_accept_cmd *c,
				     const app_caller *caller, ordo_time now,
				     const char *id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &accept_type, caller, now);
	ordo_strlcpy(c->id, id, sizeof(c->id));
}

static ordo_code reject_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_fulfillment_reject_cmd *c = (app_fulfillment_reject_cmd *)w;

	return app_fulfillment_reject(tx, &w->caller, c->id, c->reason,
				      c->message, w->now, &c->stored, err);
}

static void reject_clear(app_write *w)
{
	fulfillment_free(&((app_fulfillment_reject_cmd *)w)->stored);
}

static const app_write_type reject_type = {.name = "fulfillment_reject",
					   .run = reject_run,
					   .clear = reject_clear};

void app_fulfillment_reject_cmd_init(app_fulfillment_reject_cmd *c,
				     const app_caller *caller, ordo_time now,
				     const char *id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &reject_type, caller, now);
	ordo_strlcpy(c->id, id, sizeof(c->id));
}

/* app_shipment_create fills in the shipment it is given, so it works on
 * a copy of the input: a run that is repeated starts from the same. */
static ordo_code shipment_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_shipment_cmd *c = (app_shipment_cmd *)w;
	ordo_code rc = shipment_copy(&c->stored, &c->shipment, err);

	return rc ? rc
		  : app_shipment_create(tx, &w->caller, c->fulfillment_id,
					&c->stored, w->now, err);
}

static void shipment_clear(app_write *w)
{
	shipment_free(&((app_shipment_cmd *)w)->stored);
}

static void shipment_free_input(app_write *w)
{
	shipment_free(&((app_shipment_cmd *)w)->shipment);
}

static const app_write_type shipment_type = {
	.name = "shipment_create",
	.run = shipment_run,
	.clear = shipment_clear,
	.free_input = shipment_free_input};

void app_shipment_cmd_init(app_shipment_cmd *c, const app_caller *caller,
			   ordo_time now, const char *fulfillment_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &shipment_type, caller, now);
	ordo_strlcpy(c->fulfillment_id, fulfillment_id,
		     sizeof(c->fulfillment_id));
}

static ordo_code delivered_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_delivered_cmd *c = (app_delivered_cmd *)w;

	return app_shipment_delivered(tx, &w->caller, c->id, c->at, w->now,
				      &c->stored, err);
}

static void delivered_clear(app_write *w)
{
	shipment_free(&((app_delivered_cmd *)w)->stored);
}

static const app_write_type delivered_type = {.name = "shipment_delivered",
					      .run = delivered_run,
					      .clear = delivered_clear};

void app_delivered_cmd_init(app_delivered_cmd *c, const app_caller *caller,
			    ordo_time now, const char *id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &delivered_type, caller, now);
	ordo_strlcpy(c->id, id, sizeof(c->id));
}
