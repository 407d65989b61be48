/*
 * intake.c - taking an order in.
 *
 * One transaction, in this order:
 *
 *   1. identify            id, received_at, all units open, fingerprint;
 *                          the named locks of its external id and of its
 *                          content taken, then what steps 2, 4 and 5 look
 *                          up asked of the store at once
 *                          (store_intake_lookup: one statement)
 *   2. channel duplicate?  same (channel, external_id) as a stored order:
 *                          answer that order, store nothing
 *   3. validate            one hold per business problem (validate.c)
 *   4. content duplicate?  same fingerprint received within the tenant's
 *                          window: a duplicate_suspect hold naming it
 *   5. review policy       one hold per matching policy rule (policy.c); every
 *                          hold gets its rule id, priority, due date and
 *                          the policy version in force
 *   6. move                received -> validated -> accepted when no hold is
 *                          open, else received -> on_hold
 *   7. store               order, lines, holds and every event of the above
 *   8. allocate            an accepted order is promised stock, routed and
 *                          (when the tenant releases automatically)
 *                          released to its warehouses (allocation.c)
 *
 * Because two writes taking in the same order wait for each other (the
 * named lock of its external id; on one database through unique keys), two
 * copies of the same order arriving at once cannot both be stored: the
 * second finds the first in step 2, or the unique key on (tenant, channel,
 * external_id) refuses it. A copy sent again takes the content's lock too
 * before it is answered, since both locks come before the one lookup.
 */
#include "app/allocation.h"
#include "app/caller.h"
#include "app/changes.h"
#include "app/flow.h"
#include "app/intake.h"
#include "app/metrics.h"
#include "app/policy.h"
#include "app/review.h"
#include "app/tenants.h"
#include "app/write.h"

#include <stdio.h>
#include <string.h>

#include "core/fingerprint.h"
#include "core/lifecycle.h"
#include "core/validate.h"

ordo_code app_catalog_lookup(void *arg, const char *sku,
			     catalog_entry *entry, ordo_err *err)
{
	app_catalog *ctx = arg;
	catalog_sku s;
	ordo_code rc = store_sku_get(ctx->tx, ctx->tenant, sku, &s, err);

	memset(entry, 0, sizeof(*entry));
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ORDO_OK;
	}
	if (rc)
		return rc;
	entry->found = true;
	entry->active = s.active;
	entry->unit_price = s.unit_price;
	ordo_strlcpy(entry->currency, s.currency, sizeof(entry->currency));
	return ORDO_OK;
}

static ordo_code check_content_duplicate(store_tx *tx, order *o,
					 int64_t window_s, ordo_err *err)
{
	char other[ORDO_ID_MAX];
	order_hold h;
	ordo_code rc;

	if (window_s <= 0)
		return ORDO_OK;
	/* Under the content's lock, taken by app_order_intake. */
	rc = store_order_find_fingerprint(tx, o->tenant_id, o->fingerprint,
					  o->received_at - window_s, other,
					  err);
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		return ORDO_OK;
	}
	if (rc)
		return rc;
	memset(&h, 0, sizeof(h));
	h.type = HOLD_DUPLICATE_SUSPECT;
	h.status = HOLD_OPEN;
	ordo_strlcpy(h.field, "lines", sizeof(h.field));
	ordo_strlcpy(h.related_order_id, other, sizeof(h.related_order_id));
	ordo_strlcpy(h.raised_by, "duplicates", sizeof(h.raised_by));
	h.created_at = o->received_at;
	snprintf(h.message, sizeof(h.message),
		 "same customer, ship-to address and lines as order %s, "
		 "received within the last %lld hours",
		 other, (long long)(window_s + 3599) / 3600);
	if (!order_hold_add(o, &h))
		return ordo_err_set(err, ORDO_ELIMIT, "holds",
				    "the order carries too many holds");
	return ORDO_OK;
}

/* The named lock of an order's channel and external id. */
static void external_lock(const order *o, char *lock, size_t size)
{
	snprintf(lock, size, "ext:%s:%s", o->channel, o->external_id);
}

ordo_code app_order_intake(store_tx *tx, const app_caller *c, order *in,
			   ordo_time now, intake_outcome *outcome,
			   order *stored, ordo_err *err)
{
	app_catalog lookup = {.tx = tx, .tenant = c->tenant_id};
	char existing[ORDO_ID_MAX];
	char lock[ORDO_CHANNEL_MAX + ORDO_EXTERNAL_ID_MAX + 8];
	tenant_settings set;
	size_t i;
	ordo_code rc;

	/* Other nodes taking the same order (channel and external id) or
	 * the same content at once wait for this one. */
	external_lock(in, lock, sizeof(lock));
	rc = store_lock_named(tx, c->tenant_id, lock, err);
	if (rc == ORDO_OK)
		rc = store_settings_get(tx, c->tenant_id, &set, err);
	if (rc)
		return rc;

	/* 1. identify */
	ordo_id_new("ord_", in->id);
	in->tenant_id = c->tenant_id;
	in->created_key = c->scoped ? c->key_id : 0;
	in->received_at = now;
	in->updated_at = now;
	in->state = ORDER_RECEIVED;
	order_lines_open_all(in);
	policy_customer_key(&in->customer, in->customer_key,
			    sizeof(in->customer_key));
	rc = fingerprint_order(in, err);
	if (rc == ORDO_OK && set.duplicate_window_s > 0)
		rc = store_lock_named(tx, c->tenant_id, in->fingerprint, err);
	/* What steps 2, 4 and 5 look up, asked at once. */
	if (rc == ORDO_OK)
		rc = store_intake_lookup(tx, in, set.duplicate_window_s > 0,
					 now - set.duplicate_window_s, err);
	if (rc)
		return rc;

	/* 2. channel duplicate */
	rc = store_order_find_external(tx, c->tenant_id, in->channel,
				       in->external_id, existing, err);
	if (rc == ORDO_OK) {
		*outcome = INTAKE_EXISTING;
		order_free(in);
		rc = app_order_load(tx, c->tenant_id, existing, stored, err);
		/* Another's order is not shown to an integration key: its
		 * external id is taken, and that is all it learns. */
		if (rc == ORDO_OK && !app_reaches_order(c, stored)) {
			rc = ordo_err_set(err, ORDO_ECONFLICT, "external_id",
					  "channel %.64s already has an order "
					  "with external_id %.64s, which "
					  "this key did not create",
					  stored->channel, stored->external_id);
			order_free(stored);
			order_init(stored);
		}
		return rc;
	}
	if (rc != ORDO_ENOTFOUND)
		return rc;
	ordo_err_clear(err);

	/* 3. validate, 4. content duplicate */
	rc = validate_order(in, app_catalog_lookup, &lookup, now, err);
	if (rc)
		return rc;
	rc = check_content_duplicate(tx, in, set.duplicate_window_s, err);
	if (rc)
		return rc;
	/* 5. the review policy, then every hold's id, rule, SLA, version */
	rc = app_policy_judge(tx, in, now, err);
	for (i = 0; rc == ORDO_OK && i < in->n_holds; i++)
		rc = app_hold_stamp(tx, c->tenant_id, &in->holds[i], err);
	if (rc)
		return rc;

	/* 6, 7: the order row first, so that events can refer to it;
	 * counted as received (app/metrics.h) as it is written. */
	rc = app_tally_order(tx, in, true, now, err);
	if (rc == ORDO_OK)
		rc = store_order_insert(tx, in, err);
	if (rc)
		return rc;
	rc = app_event(tx, in, "received", ORDER_RECEIVED, ORDER_RECEIVED,
		       NULL, c->actor, in->channel, now, err);
	for (i = 0; rc == ORDO_OK && i < in->n_holds; i++)
		rc = app_event(tx, in, "hold_raised", in->state, in->state,
			       in->holds[i].id, in->holds[i].raised_by,
			       in->holds[i].message, now, err);
	if (rc)
		return rc;
	if (order_open_holds(in) > 0) {
		rc = app_order_move(tx, in, ORDER_ON_HOLD, "system", now, err);
		if (rc == ORDO_OK)
			rc = app_order_save(tx, in, now, err);
	} else {
		rc = app_order_move(tx, in, ORDER_VALIDATED, "system", now,
				    err);
		if (rc == ORDO_OK)
			rc = app_order_move(tx, in, ORDER_ACCEPTED, "system",
					    now, err);
		if (rc == ORDO_OK) {
			in->release_due_at = release_due_at(
				in->accepted_at, set.release_sla_s,
				set.cutoff_minute);
			/* 8. promise stock, route, release */
			rc = app_order_allocate(tx, in, "system",
						HOLD_TYPE_COUNT, now, err);
		}
	}
	if (rc)
		return rc;

	/* The answer is the order as written: every row above was written
	 * from it, so reading them back would only repeat it (a test holds
	 * the answer equal to a later GET for every kind of intake). */
	*outcome = INTAKE_CREATED;
	order_free(stored);
	*stored = *in;
	order_init(in);
	return ORDO_OK;
}

/* ---- the intake command (write.h) ---------------------------------------- */

/* What the channel said that was not taken, on the order's timeline
 * (event type, "<channel> changed the order; not applied: ..."). */
static ordo_code note_not_applied(store_tx *tx, app_intake_cmd *c,
				  const char *type, const char *did,
				  ordo_err *err)
{
	const order *o = &c->stored;
	char message[ORDO_MESSAGE_MAX];

	if (!c->not_applied[0])
		return ORDO_OK;
	snprintf(message, sizeof(message), "%s %s; not applied: %.180s",
		 o->channel, did, c->not_applied);
	return app_event(tx, o, type, o->state, o->state, "",
			 c->w.caller.actor, message, c->w.now, err);
}

/* The order ordo has of the channel's, loaded (and locked) into stored
 * to be changed; ORDO_ENOTFOUND when it has none. */
static ordo_code load_theirs(store_tx *tx, app_intake_cmd *c, ordo_err *err)
{
	char id[ORDO_ID_MAX];
	ordo_code rc = store_order_find_external(
		tx, c->w.caller.tenant_id, c->order.channel,
		c->order.external_id, id, err);

	if (rc)
		return rc;
	order_free(&c->stored);
	order_init(&c->stored);
	return app_order_load(tx, c->w.caller.tenant_id, id, &c->stored, err);
}

/* A channel's update of an order ordo has: each thing it changes asked
 * of the order as a change by the channel (app/changes.h). */
static ordo_code take_update(store_tx *tx, app_intake_cmd *c, ordo_err *err)
{
	ordo_code rc = load_theirs(tx, c, err);

	if (rc == ORDO_OK)
		rc = app_channel_changes(tx, &c->w.caller, &c->stored,
					 &c->order, c->not_applied,
					 sizeof(c->not_applied), c->w.now, err);
	return rc ? rc
		  : note_not_applied(tx, c, "channel_changed",
				     "changed the order", err);
}

/* A channel's cancellation of an order it sent (app_intake_cmd). */
static ordo_code cancel_run(store_tx *tx, app_intake_cmd *c, ordo_err *err)
{
	ordo_code rc = load_theirs(tx, c, err);

	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		c->outcome = INTAKE_UNKNOWN;
		return ORDO_OK;
	}
	if (rc)
		return rc;
	c->outcome = INTAKE_EXISTING;
	if (c->stored.state == ORDER_CANCELLED)
		return ORDO_OK; /* told again: it is */
	rc = app_channel_cancel(tx, &c->w.caller, &c->stored, c->not_applied,
				sizeof(c->not_applied), c->w.now, err);
	return rc ? rc
		  : note_not_applied(tx, c, "channel_cancelled",
				     "cancelled the order", err);
}

static ordo_code intake_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_intake_cmd *c = (app_intake_cmd *)w;
	order in;
	ordo_code rc;

	if (c->channel_cancel)
		return cancel_run(tx, c, err);
	/* Intake takes its order over: it works on a copy, so that a run
	 * again starts from the order as decoded. */
	order_init(&in);
	rc = order_copy(&in, &c->order, err);
	if (rc == ORDO_OK)
		rc = app_order_intake(tx, &w->caller, &in, w->now, &c->outcome,
				      &c->stored, err);
	order_free(&in);
	if (rc == ORDO_OK && c->channel_update &&
	    c->outcome == INTAKE_EXISTING)
		rc = take_update(tx, c, err);
	return rc;
}

static void intake_clear(app_write *w)
{
	app_intake_cmd *c = (app_intake_cmd *)w;

	order_free(&c->stored);
	order_init(&c->stored);
	c->outcome = INTAKE_CREATED;
	c->not_applied[0] = '\0';
}

static void intake_free_input(app_write *w)
{
	order_free(&((app_intake_cmd *)w)->order);
}

/* The SKUs of its lines: allocation locks their stock. */
static size_t intake_stock_skus(const app_write *w, const char **skus,
				size_t max)
{
	const order *o = &((const app_intake_cmd *)w)->order;
	size_t i;

	for (i = 0; i < o->n_lines && i < max; i++)
		skus[i] = o->lines[i].sku;
	return o->n_lines;
}

/*
 * What app_order_intake will look up for the command's order, and the
 * locks it takes first, as it works them out: the settings' duplicate
 * window, the order's customer key and fingerprint (set on the decoded
 * order, from which each run copies). A channel's cancellation takes no
 * new order.
 */
static bool intake_keys(store_tx *tx, app_write *w, store_intake_keys *k)
{
	app_intake_cmd *c = (app_intake_cmd *)w;
	order *o = &c->order;
	tenant_settings set;
	ordo_err err = ORDO_ERR_INIT;
	bool ok;

	if (c->channel_cancel || k->n_locks + 2 > STORE_JOB_LOCKS)
		return false;
	ok = store_settings_get(tx, w->caller.tenant_id, &set, &err) ==
		     ORDO_OK &&
	     fingerprint_order(o, &err) == ORDO_OK;
	ordo_err_clear(&err);
	if (!ok)
		return false;
	external_lock(o, k->locks[k->n_locks++], sizeof(k->locks[0]));
	if (set.duplicate_window_s > 0)
		ordo_strlcpy(k->locks[k->n_locks++], o->fingerprint,
			     sizeof(k->locks[0]));
	ordo_strlcpy(k->channel, o->channel, sizeof(k->channel));
	ordo_strlcpy(k->external_id, o->external_id, sizeof(k->external_id));
	ordo_strlcpy(k->fingerprint, o->fingerprint, sizeof(k->fingerprint));
	policy_customer_key(&o->customer, k->customer_key,
			    sizeof(k->customer_key));
	k->by_content = set.duplicate_window_s > 0;
	k->since = w->now - set.duplicate_window_s;
	k->before = w->now;
	return true;
}

static const app_write_type intake_type = {
	.name = "order_intake",
	.run = intake_run,
	.clear = intake_clear,
	.free_input = intake_free_input,
	.stock_skus = intake_stock_skus,
	.intake_keys = intake_keys,
};

void app_intake_cmd_init(app_intake_cmd *c, const app_caller *caller,
			 ordo_time now)
{
	app_write_init(&c->w, &intake_type, caller, now);
	order_init(&c->order);
	order_init(&c->stored);
	c->outcome = INTAKE_CREATED;
}
