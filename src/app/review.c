/*
 * review.c - the review queue: people taking holds, deciding them, and the
 * order going on.
 *
 *   claim     an exclusive lease on a hold (default 15 min, renewable by
 *             its holder); another person's live lease refuses, an expired
 *             one frees. The hold row is locked while claimed (store.h),
 *             so of many simultaneous claimers exactly one wins.
 *   release   give a claim up (one's own; a supervisor's for anyone's)
 *   assign    a supervisor hands a hold to someone
 *   resolve   approve | correct (patch the order, validate and judge it
 *             again) | cancel_order | escalate (stays open, most urgent)
 *   bulk      one action over every hold a filter matches, with a dry run
 *
 * Every decision is an order event with who, when and why. Resolving the
 * last open hold lets the order continue on its own (app_order_resume).
 *
 * A correction's changes come decoded (core/order_patch.h): the caller
 * read and checked them before the write, and only what needs the stored
 * order - money in its currency, its line numbers - is checked here, as
 * order_patch_apply applies them.
 *
 * The commands at the end (write.h) are how the API and the CLI hand these
 * to the committer: their runs read the inputs, call the use case with the
 * command's caller and time, and leave the results in the outputs.
 */
#include "app/audit.h"
#include "app/allocation.h"
#include "app/caller.h"
#include "app/flow.h"
#include "app/metrics.h"
#include "app/intake.h"
#include "app/policy.h"
#include "app/review.h"
#include "app/stock.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "channels/native_out.h"
#include "core/fingerprint.h"
#include "core/order_diff.h"
#include "core/timeutil.h"
#include "core/validate.h"

static const char *const action_names[] = {"approve", "correct",
					   "cancel_order", "escalate",
					   "release"};

const char *review_action_name(review_action a)
{
	return (unsigned)a <= REVIEW_RELEASE ? action_names[a] : "unknown";
}

int review_action_parse(const char *name, review_action *out)
{
	int i;

	for (i = 0; i <= REVIEW_RELEASE; i++) {
		if (strcmp(name, action_names[i]) == 0) {
			*out = (review_action)i;
			return 0;
		}
	}
	return -1;
}

static bool claimed_by_other(const order_hold *h, const app_caller *c,
			     ordo_time now)
{
	return h->assignee[0] && h->claimed_until >= now &&
	       strcmp(h->assignee, c->actor) != 0;
}

static ordo_code refuse_claimed(const order_hold *h, ordo_err *err)
{
	char until[32];

	time_format_rfc3339(h->claimed_until, until, sizeof(until));
	return ordo_err_set(err, ORDO_ECONFLICT, "assignee",
			    "hold %s is claimed by %s until %s", h->id,
			    h->assignee, until);
}

static ordo_code open_hold(store_tx *tx, const app_caller *c, const char *id,
			   order_hold *h, char order_id[ORDO_ID_MAX],
			   ordo_err *err)
{
	ordo_code rc = store_hold_get(tx, c->tenant_id, id, h, order_id, err);

	if (rc)
		return rc;
	if (h->status != HOLD_OPEN)
		return ordo_err_set(err, ORDO_ESTATE, "status",
				    "hold %s is already resolved (%s)", id,
				    h->resolution[0] ? h->resolution
						     : "resolved");
	return ORDO_OK;
}

ordo_code app_hold_claim(store_tx *tx, const app_caller *c, const char *id,
			 int lease_s, ordo_time now, order_hold *h,
			 ordo_err *err)
{
	char order_id[ORDO_ID_MAX];
	ordo_code rc = open_hold(tx, c, id, h, order_id, err);

	if (rc)
		return rc;
	if (claimed_by_other(h, c, now))
		return refuse_claimed(h, err);
	ordo_strlcpy(h->assignee, c->actor, sizeof(h->assignee));
	h->claimed_until = now + lease_s;
	if (h->claimed_at == 0)
		h->claimed_at = now;
	return store_hold_update(tx, c->tenant_id, h, err);
}

ordo_code app_hold_release(store_tx *tx, const app_caller *c, const char *id,
			   ordo_time now, order_hold *h, ordo_err *err)
{
	char order_id[ORDO_ID_MAX];
	ordo_code rc = open_hold(tx, c, id, h, order_id, err);

	if (rc)
		return rc;
	if (claimed_by_other(h, c, now) && c->role != ROLE_ADMIN &&
	    c->role != ROLE_SUPERVISOR)
		return ordo_err_set(err, ORDO_EFORBIDDEN, "assignee",
				    "only a supervisor may release a claim "
				    "held by %s",
				    h->assignee);
	h->assignee[0] = '\0';
	h->claimed_until = 0;
	return store_hold_update(tx, c->tenant_id, h, err);
}

/* The order of a hold, loaded (and locked) with the hold found in it. */
static ordo_code load_with_hold(store_tx *tx, const app_caller *c,
				const char *order_id, const char *hold_id,
				order *o, order_hold **h, ordo_err *err)
{
	size_t i;
	ordo_code rc = app_order_load(tx, c->tenant_id, order_id, o, err);

	if (rc)
		return rc;
	for (i = 0; i < o->n_holds; i++) {
		if (strcmp(o->holds[i].id, hold_id) == 0) {
			*h = &o->holds[i];
			return ORDO_OK;
		}
	}
	return ordo_err_set(err, ORDO_EINTERNAL, "id",
			    "hold %s is not among its order's", hold_id);
}

ordo_code app_hold_assign(store_tx *tx, const app_caller *c, const char *id,
			  const char *assignee, int lease_s, ordo_time now,
			  order_hold *out, ordo_err *err)
{
	char order_id[ORDO_ID_MAX], text[ORDO_MESSAGE_MAX];
	order_hold *h = NULL;
	order o;
	ordo_code rc = open_hold(tx, c, id, out, order_id, err);

	if (rc)
		return rc;
	order_init(&o);
	rc = load_with_hold(tx, c, order_id, id, &o, &h, err);
	if (rc)
		goto out;
	ordo_strlcpy(h->assignee, assignee, sizeof(h->assignee));
	h->claimed_until = now + lease_s;
	if (h->claimed_at == 0)
		h->claimed_at = now;
	snprintf(text, sizeof(text), "assigned to %s", assignee);
	rc = app_event(tx, &o, "hold_assigned", o.state, o.state, h->id,
		       c->actor, text, now, err);
	if (rc == ORDO_OK)
		rc = app_order_save(tx, &o, now, err);
	if (rc == ORDO_OK)
		*out = *h;
out:
	order_free(&o);
	return rc;
}

ordo_code app_order_resume(store_tx *tx, order *o, const char *actor,
			   ordo_time now, ordo_err *err)
{
	tenant_settings set;
	ordo_code rc;

	if (o->state != ORDER_ON_HOLD || order_open_holds(o) > 0)
		return app_order_save(tx, o, now, err);
	if (o->accepted_at == 0) {
		rc = store_settings_get(tx, o->tenant_id, &set, err);
		if (rc == ORDO_OK)
			rc = app_order_move(tx, o, ORDER_VALIDATED, actor, now,
					    err);
		if (rc == ORDO_OK)
			rc = app_order_move(tx, o, ORDER_ACCEPTED, actor, now,
					    err);
		if (rc)
			return rc;
		o->release_due_at = release_due_at(o->accepted_at,
						   set.release_sla_s,
						   set.cutoff_minute);
	} else {
		rc = app_order_move(tx, o, order_stage_from_lines(o), actor,
				    now, err);
		if (rc)
			return rc;
	}
	return app_order_allocate(tx, o, actor, HOLD_TYPE_COUNT, now, err);
}

static void resolve_one(order_hold *h, const char *resolution,
			const char *reason, const char *actor, ordo_time now)
{
	h->status = HOLD_RESOLVED;
	h->resolved_at = now;
	h->assignee[0] = '\0';
	h->claimed_until = 0;
	ordo_strlcpy(h->resolution, resolution, sizeof(h->resolution));
	ordo_strlcpy(h->resolution_reason, reason,
		     sizeof(h->resolution_reason));
	ordo_strlcpy(h->resolved_by, actor, sizeof(h->resolved_by));
}

static ordo_code record(store_tx *tx, order *o, const char *type,
			const order_hold *h, const char *actor,
			const char *what, const char *reason, ordo_time now,
			ordo_err *err)
{
	/* Room for both whole; the event keeps what fits its message. */
	char text[ORDO_MESSAGE_MAX + 32];

	snprintf(text, sizeof(text), "%s: %s", what, reason);
	return app_event(tx, o, type, o->state, o->state, h->id, actor, text,
			 now, err);
}

/* Give back stock and cancel every unit not shipped. */
ordo_code app_order_cancel(store_tx *tx, order *o, const char *actor,
			   const char *reason, bool in_review, ordo_time now,
			   ordo_err *err)
{
	/* Cancelled in review, its holds are decided so; cancelled by who
	 * asked (a change, its store), they end with it, decided by no
	 * one (core/metrics.h: not a person's touch). */
	const char *resolution = in_review ? "cancel_order" : "system";
	char why[ORDO_MESSAGE_MAX];
	size_t i, k;
	ordo_code rc;

	for (i = 0; i < o->n_lines; i++)
		if (o->lines[i].qty_shipped > 0)
			return ordo_err_set(err, ORDO_ESTATE, "state",
					    "order %s has shipped units; it "
					    "can no longer be cancelled",
					    o->id);
	for (i = 0; i < o->n_fulfillments; i++) {
		fulfillment *f = &o->fulfillments[i];

		if (f->state != FULFILLMENT_PENDING &&
		    f->state != FULFILLMENT_RELEASED &&
		    f->state != FULFILLMENT_ACCEPTED)
			continue;
		for (k = 0; k < f->n_lines; k++) {
			fulfillment_line *fl = &f->lines[k];
			int64_t q = fl->quantity - fl->shipped;
			stock_level before, after;
			order_line *l = NULL;
			size_t j;

			for (j = 0; j < o->n_lines; j++)
				if (o->lines[j].line_no == fl->line_no)
					l = &o->lines[j];
			if (q == 0 || !l)
				continue;
			rc = order_line_move(l,
					     f->state == FULFILLMENT_PENDING
						     ? QTY_ALLOCATED
						     : QTY_RELEASED,
					     QTY_CANCELLED, q, err);
			if (rc == ORDO_OK)
				rc = store_stock_get(tx, o->tenant_id,
						     f->location, fl->sku,
						     &before, err);
			if (rc)
				return rc;
			after = before;
			after.reserved -= q;
			after.updated_at = now;
			rc = app_stock_change(tx, o->tenant_id, &before, &after,
					      "unreserve", "cancelled", reason,
					      actor, o->id, now, err);
			if (rc)
				return rc;
		}
		{
			/* The warehouse had it: tell its handoff. */
			bool handed_over = f->state != FULFILLMENT_PENDING;

			f->state = FULFILLMENT_CANCELLED;
			f->updated_at = now;
			rc = store_fulfillment_update(tx, o->tenant_id, f,
						      err);
			if (rc == ORDO_OK && handed_over)
				rc = app_emit_fulfillment(
					tx, o, f, "fulfillment.cancelled", now,
					err);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < o->n_lines; i++) {
		order_line *l = &o->lines[i];

		if (l->qty_open > 0) {
			rc = order_line_move(l, QTY_OPEN, QTY_CANCELLED,
					     l->qty_open, err);
			if (rc)
				return rc;
		}
	}
	for (i = 0; i < o->n_holds; i++) {
		if (o->holds[i].status != HOLD_OPEN)
			continue;
		snprintf(why, sizeof(why), "%s%.200s",
			 in_review ? "" : "the order was cancelled: ", reason);
		resolve_one(&o->holds[i], resolution, why, actor, now);
		rc = record(tx, o, "hold_resolved", &o->holds[i], actor,
			    resolution, why, now, err);
		if (rc)
			return rc;
	}
	rc = app_order_move(tx, o, ORDER_CANCELLED, actor, now, err);
	return rc ? rc : app_order_save(tx, o, now, err);
}

ordo_code app_order_revalidate(store_tx *tx, order *o, const char *actor,
			       const char *why, ordo_time now, ordo_err *err)
{
	app_catalog lookup = {.tx = tx, .tenant = o->tenant_id};
	size_t i, before;
	ordo_code rc;

	for (i = 0; i < o->n_holds; i++) {
		order_hold *h = &o->holds[i];

		if (h->status != HOLD_OPEN ||
		    strcmp(h->raised_by, "validation") != 0)
			continue;
		resolve_one(h, "system", why, actor, now);
		rc = record(tx, o, "hold_resolved", h, actor, "system", why,
			    now, err);
		if (rc)
			return rc;
	}
	rc = fingerprint_order(o, err);
	if (rc)
		return rc;
	policy_customer_key(&o->customer, o->customer_key,
			    sizeof(o->customer_key));
	before = o->n_holds;
	rc = validate_order(o, app_catalog_lookup, &lookup, now, err);
	if (rc == ORDO_OK)
		rc = app_policy_judge(tx, o, now, err);
	for (i = before; rc == ORDO_OK && i < o->n_holds; i++) {
		rc = app_hold_stamp(tx, o->tenant_id, &o->holds[i], err);
		if (rc == ORDO_OK)
			rc = app_event(tx, o, "hold_raised", o->state,
				       o->state, o->holds[i].id,
				       o->holds[i].raised_by,
				       o->holds[i].message, now, err);
	}
	return rc;
}

/* Where a correction's field-by-field record goes (order_diff_fn). */
struct correction_log {
	store_tx *tx;
	const order *o;
	const char *hold_id;
	const char *actor;
	ordo_time now;
	ordo_err *err;
};

/*
 * One timeline event "corrected" per changed field, message
 * "ship_to.postal_code: \"6270\" -> \"62701\"" (with a real arrow). A line
 * longer than a message is cut at a character boundary and marked "...".
 */
static int log_correction(void *ctx, const char *field, const char *from,
			  const char *to)
{
	struct correction_log *l = ctx;
	char msg[ORDO_MESSAGE_MAX];
	int n = snprintf(msg, sizeof(msg), "%s: %s \u2192 %s", field, from,
			 to);

	if (n < 0)
		return ordo_err_set(l->err, ORDO_EINTERNAL, NULL,
				    "cannot describe a correction");
	if ((size_t)n >= sizeof(msg)) {
		size_t k = sizeof(msg) - 4;

		while (k > 0 && ((unsigned char)msg[k] & 0xC0) == 0x80)
			k--;
		memcpy(msg + k, "...", 4);
	}
	return (int)app_event(l->tx, l->o, "corrected", l->o->state,
			      l->o->state, l->hold_id, l->actor, msg, l->now,
			      l->err);
}

static bool touched_by_fulfillment(const order *o)
{
	size_t i;

	for (i = 0; i < o->n_lines; i++)
		if (o->lines[i].qty_allocated || o->lines[i].qty_released ||
		    o->lines[i].qty_shipped)
			return true;
	return false;
}

ordo_code app_hold_resolve(store_tx *tx, const app_caller *c, const char *id,
			   review_action action, const char *reason,
			   const order_patch *patch, ordo_time now,
			   order_hold *hold_out, order *order_out,
			   ordo_err *err)
{
	char order_id[ORDO_ID_MAX];
	order_hold *h = NULL;
	order before;
	ordo_code rc = open_hold(tx, c, id, hold_out, order_id, err);

	if (rc)
		return rc;
	/* Cancelling is a supervisor's (api/routes.h): an agent approves,
	 * corrects or escalates. Refused once the hold is found, so that
	 * another tenant's hold is not found, whatever the action. */
	if (action == REVIEW_CANCEL && c->role == ROLE_AGENT)
		return ordo_err_set(err, ORDO_EFORBIDDEN, "action",
				    "an agent may not cancel an order; "
				    "escalate the hold to a supervisor, who "
				    "may");
	if (claimed_by_other(hold_out, c, now))
		return refuse_claimed(hold_out, err);
	rc = load_with_hold(tx, c, order_id, id, order_out, &h, err);
	if (rc)
		return rc;

	switch (action) {
	case REVIEW_APPROVE:
		resolve_one(h, "approve", reason, c->actor, now);
		rc = record(tx, order_out, "hold_resolved", h, c->actor,
			    "approve", reason, now, err);
		*hold_out = *h;
		if (rc == ORDO_OK)
			rc = app_order_resume(tx, order_out, c->actor, now,
					      err);
		break;
	case REVIEW_CORRECT:
		if (touched_by_fulfillment(order_out))
			return ordo_err_set(err, ORDO_ESTATE, "changes",
					    "order %s already has stock "
					    "promised or shipped; change it "
					    "through a change request",
					    order_out->id);
		/* The order as it was, to record what the changes change. */
		order_init(&before);
		rc = order_copy(&before, order_out, err);
		if (rc)
			return rc;
		if (patch)
			order_patch_apply(order_out, patch, err);
		if (err->code == ORDO_OK) {
			struct correction_log log = {tx, order_out, h->id,
						     c->actor, now, err};

			rc = (ordo_code)order_diff(&before, order_out,
						   log_correction, &log);
		}
		order_free(&before);
		if (err->code != ORDO_OK)
			return err->code;
		if (rc)
			return rc;
		resolve_one(h, "correct", reason, c->actor, now);
		rc = record(tx, order_out, "hold_resolved", h, c->actor,
			    "correct", reason, now, err);
		*hold_out = *h;
		if (rc == ORDO_OK)
			rc = app_order_revalidate(tx, order_out, c->actor,
						  "superseded by a correction",
						  now, err);
		if (rc == ORDO_OK)
			rc = store_order_update_content(tx, order_out, err);
		if (rc == ORDO_OK)
			rc = app_order_resume(tx, order_out, c->actor, now,
					      err);
		break;
	case REVIEW_CANCEL: {
		order_state was = order_out->state;

		rc = app_order_cancel(tx, order_out, c->actor, reason, true,
				      now, err);
		for (size_t i = 0; i < order_out->n_holds; i++)
			if (strcmp(order_out->holds[i].id, id) == 0)
				*hold_out = order_out->holds[i];
		/* A cancellation is in the audit log however it is decided:
		 * one hold's, or each of a bulk action's. */
		if (rc == ORDO_OK)
			rc = app_audit(tx, c, now, "order.cancelled",
				       order_out->id,
				       json_pack("{s:s}", "state",
						 order_state_name(was)),
				       json_pack("{s:s, s:s, s:s}", "state",
						 order_state_name(
							 order_out->state),
						 "reason", reason, "hold", id),
				       err);
		break;
	}
	case REVIEW_ESCALATE:
		h->priority = 1;
		h->escalated = true;
		h->assignee[0] = '\0';
		h->claimed_until = 0;
		rc = record(tx, order_out, "hold_escalated", h, c->actor,
			    "escalate", reason, now, err);
		*hold_out = *h;
		if (rc == ORDO_OK)
			rc = app_order_save(tx, order_out, now, err);
		break;
	case REVIEW_RELEASE:
		return app_hold_release(tx, c, id, now, hold_out, err);
	}
	return rc;
}

ordo_code app_holds_bulk(store_tx *tx, const app_caller *c,
			 const queue_filter *f, review_action action,
			 const char *reason, bool dry_run, ordo_time now,
			 app_bulk_result *res, ordo_err *err)
{
	queue_item *items = NULL;
	queue_filter bounded;
	size_t n = 0, i;
	bool more = false, own_limit = true;
	ordo_code rc;

	memset(res, 0, sizeof(*res));
	/* Without a limit of its own, a request may touch the tenant's
	 * bulk_limit holds: a request that means more must say so. */
	if (f->limit == 0) {
		tenant_settings s;

		rc = store_settings_get(tx, c->tenant_id, &s, err);
		if (rc)
			return rc;
		bounded = *f;
		bounded.limit = (int)s.bulk_limit;
		f = &bounded;
		own_limit = false;
	}
	rc = store_queue_list(tx, c->tenant_id, f, &items, &n, &more, err);
	if (rc)
		return rc;
	/* More holds match than the request said it would touch: refused
	 * whole rather than acting on the first f->limit of them, which
	 * the caller could not tell from the rest. A dry run shows them. */
	if (more && !dry_run) {
		free(items);
		return ordo_err_set(err, ORDO_ECONFLICT, "limit",
				    "the filter matches more than %d open "
				    "holds, the limit of %s; narrow the "
				    "filter, or say \"limit\" (at most %d) "
				    "after a dry run",
				    f->limit,
				    own_limit ? "this request"
					      : "the tenant (setting "
						"bulk_limit)",
				    ORDO_BULK_MAX);
	}
	res->ids = calloc(n + 1, sizeof(*res->ids));
	res->failed = calloc(n + 1, sizeof(*res->failed));
	if (!res->ids || !res->failed) {
		free(items);
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	}
	res->matched = n;
	res->more = more;
	for (i = 0; i < n; i++)
		ordo_strlcpy(res->ids[i], items[i].hold.id, ORDO_ID_MAX);
	for (i = 0; !dry_run && i < n; i++) {
		const order_hold *qh = &items[i].hold;
		order_hold h;
		order o;

		/* Skipped rather than failed in a way that ends the
		 * transaction: someone else is working it. */
		if (claimed_by_other(qh, c, now) ||
		    (action == REVIEW_CANCEL &&
		     items[i].order_state == ORDER_CANCELLED)) {
			app_bulk_failed *bf = &res->failed[res->n_failed++];

			ordo_strlcpy(bf->hold_id, qh->id, sizeof(bf->hold_id));
			if (claimed_by_other(qh, c, now))
				snprintf(bf->error, sizeof(bf->error),
					 "claimed by %.240s", qh->assignee);
			else
				ordo_strlcpy(bf->error,
					     "the order is cancelled",
					     sizeof(bf->error));
			continue;
		}
		{
			char order_id[ORDO_ID_MAX];

			/* An earlier action of this batch may have resolved
			 * it (one cancel resolves all of an order's holds):
			 * skip it, before anything is written for it. */
			rc = store_hold_get(tx, c->tenant_id, qh->id, &h,
					    order_id, err);
			if (rc)
				break;
			if (h.status != HOLD_OPEN)
				continue;
		}
		order_init(&o);
		/* Any refusal now ends the batch: the store undoes all of
		 * it, rather than keep half of one decision. */
		rc = app_hold_resolve(tx, c, qh->id, action, reason, NULL,
				      now, &h, &o, err);
		order_free(&o);
		if (rc)
			break;
		res->applied++;
	}
	free(items);
	return rc;
}

void app_bulk_result_free(app_bulk_result *res)
{
	free(res->ids);
	free(res->failed);
	memset(res, 0, sizeof(*res));
}

const char *const app_defect_types[] = {
	"wrong_address", "missing_item", "wrong_item", "duplicate_shipped",
	"wrong_status",	 "bad_handoff",	 "other",      NULL,
};

bool app_defect_type_known(const char *type)
{
	size_t i;

	for (i = 0; app_defect_types[i]; i++)
		if (strcmp(type, app_defect_types[i]) == 0)
			return true;
	return false;
}

ordo_code app_defect_check(const order_defect *d, ordo_err *err)
{
	char list[JF_LIST_MAX] = "";
	size_t i;

	if (app_defect_type_known(d->type))
		return ORDO_OK;
	for (i = 0; app_defect_types[i]; i++)
		jf_list_add(list, sizeof(list), app_defect_types[i]);
	return ordo_err_set(err, ORDO_EINVALID, "type",
			    "\"%s\" is not a defect type; one of: %s", d->type,
			    list);
}

ordo_code app_defect_report(store_tx *tx, const app_caller *c,
			    order_defect *d, ordo_time now, ordo_err *err)
{
	order o;
	ordo_code rc = app_defect_check(d, err);

	if (rc)
		return rc;
	ordo_id_new("dft_", d->id);
	ordo_strlcpy(d->reported_by, c->actor, sizeof(d->reported_by));
	d->created_at = now;
	order_init(&o);
	/* Who let it through, from the order as it stands; then the order
	 * counts as defective (app/metrics.h), once. */
	rc = store_order_get(tx, c->tenant_id, d->order_id, &o, err);
	if (rc == ORDO_OK) {
		defect_attribute(&o, d);
		rc = store_defect_insert(tx, c->tenant_id, d, err);
	}
	if (rc == ORDO_OK) {
		o.marks_new |= MARK_DEFECT;
		rc = app_tally_order(tx, &o, false, now, err);
	}
	if (rc == ORDO_OK)
		rc = store_order_set_marks(tx, &o, err);
	if (rc == ORDO_OK) {
		char text[ORDO_MESSAGE_MAX];

		snprintf(text, sizeof(text), "%s, found by %s", d->type,
			 d->found_by);
		rc = app_event(tx, &o, "defect_reported", o.state, o.state,
			       NULL, c->actor, text, d->created_at, err);
	}
	order_free(&o);
	return rc;
}

/* ---- the commands (write.h) ----------------------------------------------- */

static ordo_code claim_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_claim_cmd *c = (app_claim_cmd *)w;

	switch (c->op) {
	case APP_CLAIM_TAKE:
		return app_hold_claim(tx, &w->caller, c->hold_id, c->lease_s,
				      w->now, &c->hold, err);
	case APP_CLAIM_RELEASE:
		return app_hold_release(tx, &w->caller, c->hold_id, w->now,
					&c->hold, err);
	case APP_CLAIM_ASSIGN:
		return app_hold_assign(tx, &w->caller, c->hold_id, c->assignee,
				       c->lease_s, w->now, &c->hold, err);
	}
	return ordo_err_set(err, ORDO_EINTERNAL, NULL, "unknown claim op %d",
			    (int)c->op);
}

static void claim_clear(app_write *w)
{
	memset(&((app_claim_cmd *)w)->hold, 0, sizeof(order_hold));
}

static const app_write_type claim_type = {
	.name = "hold_claim",
	.run = claim_run,
	.clear = claim_clear,
};

void app_claim_cmd_init(app_claim_cmd *c, const app_caller *caller,
			ordo_time now, app_claim_op op, const char *hold_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &claim_type, caller, now);
	c->op = op;
	c->lease_s = APP_CLAIM_LEASE_DEFAULT_S;
	ordo_strlcpy(c->hold_id, hold_id, sizeof(c->hold_id));
}

static ordo_code resolve_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_resolve_cmd *c = (app_resolve_cmd *)w;
	ordo_code rc = app_hold_resolve(
		tx, &w->caller, c->hold_id, c->action, c->reason,
		c->action == REVIEW_CORRECT ? &c->changes : NULL, w->now,
		&c->hold, &c->order, err);

	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "hold.resolved",
			       c->hold_id,
			       json_pack("{s:s, s:s}", "order", c->order.id,
					 "type", hold_type_name(c->hold.type)),
			       json_pack("{s:s, s:s}", "action",
					 review_action_name(c->action),
					 "reason", c->reason),
			       err);
	return rc;
}

static void resolve_clear(app_write *w)
{
	app_resolve_cmd *c = (app_resolve_cmd *)w;

	order_free(&c->order);
	order_init(&c->order);
	memset(&c->hold, 0, sizeof(c->hold));
}

static void resolve_free_input(app_write *w)
{
	order_patch_free(&((app_resolve_cmd *)w)->changes);
}

static const app_write_type resolve_type = {
	.name = "hold_resolve",
	.run = resolve_run,
	.clear = resolve_clear,
	.free_input = resolve_free_input,
};

void app_resolve_cmd_init(app_resolve_cmd *c, const app_caller *caller,
			  ordo_time now, const char *hold_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &resolve_type, caller, now);
	ordo_strlcpy(c->hold_id, hold_id, sizeof(c->hold_id));
	order_patch_init(&c->changes);
	order_init(&c->order);
}

static ordo_code bulk_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_bulk_cmd *c = (app_bulk_cmd *)w;
	queue_filter f = c->filter;

	/* The filter as sent, bounded and at the request's time: set on a
	 * copy, so that a run again reads the input as it came. */
	ordo_code rc;

	f.now = w->now;
	f.limit = c->limit;
	rc = app_holds_bulk(tx, &w->caller, &f, c->action, c->reason,
			    c->dry_run, w->now, &c->result, err);
	/* A dry run changes nothing, and records nothing. Each hold it
	 * matched is named (at most ORDO_BULK_MAX); a cancellation has its
	 * own row too (app_hold_resolve). */
	if (rc == ORDO_OK && !c->dry_run) {
		json_t *holds = json_array();
		size_t i;

		for (i = 0; i < c->result.matched; i++)
			json_array_append_new(holds,
					      json_string(c->result.ids[i]));
		rc = app_audit(tx, &w->caller, w->now, "holds.bulk",
			       review_action_name(c->action), NULL,
			       json_pack("{s:s, s:I, s:I, s:I, s:o}", "reason",
					 c->reason, "matched",
					 (json_int_t)c->result.matched,
					 "applied",
					 (json_int_t)c->result.applied,
					 "failed",
					 (json_int_t)c->result.n_failed,
					 "holds", holds),
			       err);
	}
	return rc;
}

static void bulk_clear(app_write *w)
{
	app_bulk_result_free(&((app_bulk_cmd *)w)->result);
}

static const app_write_type bulk_type = {
	.name = "holds_bulk",
	.run = bulk_run,
	.clear = bulk_clear,
};

void app_bulk_cmd_init(app_bulk_cmd *c, const app_caller *caller,
		       ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &bulk_type, caller, now);
}

static ordo_code defect_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_defect_cmd *c = (app_defect_cmd *)w;

	c->stored = c->defect;
	ordo_strlcpy(c->stored.order_id, c->order_id,
		     sizeof(c->stored.order_id));
	return app_defect_report(tx, &w->caller, &c->stored, w->now, err);
}

static const app_write_type defect_type = {.name = "defect_report",
					   .run = defect_run};

void app_defect_cmd_init(app_defect_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &defect_type, caller, now);
	ordo_strlcpy(c->order_id, order_id, sizeof(c->order_id));
}
