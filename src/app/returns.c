/*
 * returns.c - authorising, receiving and refunding returns (see
 * returns.h).
 */
#include "app/returns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/flow.h"
#include "app/review.h"
#include "app/stock.h"
#include "channels/native_out.h"
#include "core/money.h"

json_t *app_return_json(const order_return *r)
{
	json_t *lines = json_array();
	char amount[40] = "";
	size_t i;

	for (i = 0; i < r->n_lines; i++)
		json_array_append_new(
			lines,
			json_pack("{s:i, s:s, s:I, s:I, s:I}", "line_no",
				  r->lines[i].line_no, "sku", r->lines[i].sku,
				  "quantity", (json_int_t)r->lines[i].quantity,
				  "received", (json_int_t)r->lines[i].received,
				  "restocked",
				  (json_int_t)r->lines[i].restocked));
	if (r->refunded_at)
		money_format(r->refund_amount, r->currency, amount,
			     sizeof(amount));
	return json_pack(
		"{s:s, s:s, s:s, s:s, s:s?, s:o, s:s, s:o, s:o, s:o, s:s, "
		"s:o, s:o, s:o, s:o, s:o}",
		"id", r->id, "order_id", r->order_id, "state", r->state,
		"reason", return_reason_name(r->reason), "note",
		r->note[0] ? r->note : NULL, "lines", lines, "created_by",
		r->created_by, "created_at", native_time_json(r->created_at),
		"updated_at", native_time_json(r->updated_at), "received_at",
		r->received_at ? native_time_json(r->received_at)
			       : json_null(),
		"currency", r->currency, "refund_amount",
		r->refunded_at ? json_string(amount) : json_null(),
		"refund_reference",
		r->refunded_at ? json_string(r->refund_reference)
			       : json_null(),
		"refunded_by",
		r->refunded_at ? json_string(r->refunded_by) : json_null(),
		"refunded_at",
		r->refunded_at ? native_time_json(r->refunded_at)
			       : json_null(),
		"defect_id",
		r->defect_id[0] ? json_string(r->defect_id) : json_null());
}

static ordo_code emit_return(store_tx *tx, int64_t tenant,
			     const order_return *r, const char *type,
			     ordo_time now, ordo_err *err)
{
	bool any = false;
	ordo_code rc = store_outbox_subscribed(tx, tenant, type, NULL, NULL,
					       &any, err);

	if (rc || !any)
		return rc;
	return app_emit(tx, tenant, type, r->order_id, NULL,
			app_return_json(r), now, err);
}

/*
 * The return return_id read under its order's lock (o loaded and locked:
 * every write of a return is made with its order locked), so that two
 * writes of one return at once (two nodes) take turns and each reads
 * what the other wrote.
 */
static ordo_code return_locked(store_tx *tx, const app_caller *c,
			       const char *return_id, order_return *r,
			       order *o, ordo_err *err)
{
	ordo_code rc = store_return_get(tx, c->tenant_id, return_id, r, err);

	if (rc == ORDO_OK)
		rc = app_order_load(tx, c->tenant_id, r->order_id, o, err);
	return rc ? rc : store_return_get(tx, c->tenant_id, return_id, r, err);
}

static int64_t units_of(const order_return *r, bool received)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->n_lines; i++)
		n += received ? r->lines[i].received : r->lines[i].quantity;
	return n;
}

/* ---- authorising ----------------------------------------------------------- */

ordo_code app_return_authorize(store_tx *tx, const app_caller *c,
			       const app_return_cmd *in, order_return *r,
			       ordo_time now, ordo_err *err)
{
	char text[ORDO_MESSAGE_MAX];
	int64_t count = 0;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = app_order_load(tx, c->tenant_id, in->order_id, &o, err);
	if (rc == ORDO_OK)
		rc = store_returns_count(tx, c->tenant_id, o.id, &count, err);
	if (rc == ORDO_OK && count >= STORE_RETURNS_MAX)
		rc = ordo_err_set(err, ORDO_ELIMIT, "id",
				  "order %s has %d returns, the most one "
				  "order takes",
				  o.id, STORE_RETURNS_MAX);
	if (rc)
		goto out;
	memset(r, 0, sizeof(*r));
	ordo_id_new("ret_", r->id);
	ordo_strlcpy(r->order_id, o.id, sizeof(r->order_id));
	r->reason = in->reason;
	ordo_strlcpy(r->note, in->note, sizeof(r->note));
	ordo_strlcpy(r->created_by, c->actor, sizeof(r->created_by));
	r->created_at = r->updated_at = now;
	ordo_strlcpy(r->currency, o.currency, sizeof(r->currency));
	rc = return_authorize(&o, r, in->asks, in->n, err);
	if (rc)
		goto out;
	/* A claim about what was shipped is a downstream defect too. */
	if (return_reason_is_claim(in->reason)) {
		order_defect d;

		memset(&d, 0, sizeof(d));
		ordo_strlcpy(d.order_id, o.id, sizeof(d.order_id));
		ordo_strlcpy(d.type, return_reason_name(in->reason),
			     sizeof(d.type));
		snprintf(d.found_by, sizeof(d.found_by), "customer (%s)",
			 r->id);
		ordo_strlcpy(d.note, in->note, sizeof(d.note));
		rc = app_defect_report(tx, c, &d, now, err);
		if (rc)
			goto out;
		ordo_strlcpy(r->defect_id, d.id, sizeof(r->defect_id));
	}
	rc = store_return_insert(tx, c->tenant_id, r, err);
	if (rc)
		goto out;
	snprintf(text, sizeof(text), "%s: %lld unit%s of %zu line%s, %s%s%.120s",
		 r->id, (long long)units_of(r, false),
		 units_of(r, false) == 1 ? "" : "s", r->n_lines,
		 r->n_lines == 1 ? "" : "s", return_reason_name(r->reason),
		 r->note[0] ? ": " : "", r->note);
	rc = app_event(tx, &o, "return_authorized", o.state, o.state, NULL,
		       c->actor, text, now, err);
	if (rc == ORDO_OK)
		rc = app_order_save(tx, &o, now, err);
	if (rc == ORDO_OK)
		rc = emit_return(tx, c->tenant_id, r, "return.authorized", now,
				 err);
out:
	order_free(&o);
	return rc;
}

/* ---- receiving ------------------------------------------------------------- */

ordo_code app_return_receive(store_tx *tx, const app_caller *c,
			     const app_return_receive_cmd *in, order_return *r,
			     ordo_time now, ordo_err *err)
{
	char text[ORDO_MESSAGE_MAX], note[ORDO_MESSAGE_MAX];
	int64_t before = 0;
	size_t i, k;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = return_locked(tx, c, in->return_id, r, &o, err);
	if (rc)
		goto out;
	if (in->restock) {
		catalog_location l;

		rc = store_location_get(tx, c->tenant_id, in->location, &l,
					err);
		if (rc == ORDO_ENOTFOUND)
			rc = ordo_err_set(err, rc, "location",
					  "no location \"%.64s\"",
					  in->location);
		if (rc)
			goto out;
	}
	before = units_of(r, true);
	rc = return_receive(r, in->asks, in->n, in->restock, err);
	if (rc)
		goto out;
	r->received_at = r->updated_at = now;
	snprintf(note, sizeof(note), "return %s", r->id);
	/* What goes back on the shelf: an adjustment of the location's
	 * stock, which offers it to the orders waiting for it. */
	for (i = 0; in->restock && i < in->n; i++) {
		stock_level level;

		for (k = 0; k < r->n_lines; k++) {
			if (r->lines[k].line_no != in->asks[i].line_no)
				continue;
			rc = app_stock_adjust(tx, c, in->location,
					      r->lines[k].sku,
					      in->asks[i].quantity, "return",
					      note, now, &level, err);
			if (rc)
				goto out;
		}
	}
	rc = store_return_update(tx, c->tenant_id, r, err);
	if (rc == ORDO_OK) {
		snprintf(text, sizeof(text),
			 "%s: %lld unit%s back%s%s, %s", r->id,
			 (long long)(units_of(r, true) - before),
			 units_of(r, true) - before == 1 ? "" : "s",
			 in->restock ? " into stock at " : "",
			 in->restock ? in->location : "", r->state);
		rc = app_event(tx, &o, "return_received", o.state, o.state,
			       NULL, c->actor, text, now, err);
	}
	if (rc == ORDO_OK)
		rc = emit_return(tx, c->tenant_id, r, "return.received", now,
				 err);
out:
	order_free(&o);
	return rc;
}

/* ---- refunding ------------------------------------------------------------- */

ordo_code app_return_refund(store_tx *tx, const app_caller *c,
			    const app_return_refund_cmd *in, order_return *r,
			    ordo_time now, ordo_err *err)
{
	order_return *all = NULL;
	char text[ORDO_MESSAGE_MAX], a[40], left_text[40];
	int64_t amount = 0, refunded = 0, left;
	size_t n = 0, i;
	order o;
	ordo_code rc;

	order_init(&o);
	rc = return_locked(tx, c, in->return_id, r, &o, err);
	if (rc == ORDO_OK)
		rc = money_parse(in->amount, r->currency, false, &amount,
				 "amount", err);
	if (rc == ORDO_OK)
		rc = store_returns_of_order(tx, c->tenant_id, r->order_id, &all,
					    &n, err);
	for (i = 0; rc == ORDO_OK && i < n; i++)
		refunded += all[i].refund_amount;
	free(all);
	if (rc)
		goto out;
	/* What the order's refunds may still come to: its total. */
	left = o.totals.total - refunded;
	if (amount > left) {
		money_format(left > 0 ? left : 0, r->currency, left_text,
			     sizeof(left_text));
		rc = ordo_err_set(err, ORDO_ECONFLICT, "amount",
				  "order %s may be refunded %s more at most "
				  "(its total less what was refunded)",
				  o.id, left_text);
		goto out;
	}
	rc = return_refund(r, amount, in->reference, c->actor, now, err);
	if (rc)
		goto out;
	r->updated_at = now;
	rc = store_return_update(tx, c->tenant_id, r, err);
	if (rc)
		goto out;
	money_format(amount, r->currency, a, sizeof(a));
	snprintf(text, sizeof(text), "%s: %s %s refunded%s%.120s", r->id, a,
		 r->currency, r->refund_reference[0] ? ", reference " : "",
		 r->refund_reference);
	rc = app_event(tx, &o, "return_refunded", o.state, o.state, NULL,
		       c->actor, text, now, err);
	if (rc == ORDO_OK)
		rc = emit_return(tx, c->tenant_id, r, "return.refunded", now,
				 err);
out:
	order_free(&o);
	return rc;
}

/* ---- the commands (write.h) ----------------------------------------------- */

static ordo_code authorize_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_return_cmd *c = (app_return_cmd *)w;

	return app_return_authorize(tx, &w->caller, c, &c->ret, w->now, err);
}

static const app_write_type authorize_type = {
	.name = "return_authorize",
	.run = authorize_run,
};

void app_return_cmd_init(app_return_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &authorize_type, caller, now);
	ordo_strlcpy(c->order_id, order_id, sizeof(c->order_id));
}

static ordo_code receive_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_return_receive_cmd *c = (app_return_receive_cmd *)w;

	return app_return_receive(tx, &w->caller, c, &c->ret, w->now, err);
}

/* A receipt that restocks sets stock as it finds it (an adjustment). */
static const app_write_type receive_type = {
	.name = "return_receive",
	.run = receive_run,
	.stock_exact = true,
};

void app_return_receive_cmd_init(app_return_receive_cmd *c,
				 const app_caller *caller, ordo_time now,
				 const char *return_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &receive_type, caller, now);
	ordo_strlcpy(c->return_id, return_id, sizeof(c->return_id));
}

static ordo_code refund_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_return_refund_cmd *c = (app_return_refund_cmd *)w;

	return app_return_refund(tx, &w->caller, c, &c->ret, w->now, err);
}

static const app_write_type refund_type = {
	.name = "return_refund",
	.run = refund_run,
};

void app_return_refund_cmd_init(app_return_refund_cmd *c,
				const app_caller *caller, ordo_time now,
				const char *return_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &refund_type, caller, now);
	ordo_strlcpy(c->return_id, return_id, sizeof(c->return_id));
}
