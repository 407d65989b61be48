/*
 * stock.c - counts, adjustments and every other change to stock, each with
 * its event.
 *
 * All stock changes pass through app_stock_change, which writes the row,
 * records the event (type, reason, actor, order) and, when available stock
 * falls to the tenant's low threshold, tells subscribers (stock.low). Counts
 * and adjustments that add stock then offer it to the orders waiting for it
 * (app_stock_arrived), in the same transaction.
 *
 * Invariant, checked here in every build (stock_level_check: a level that
 * breaks it is ordo's mistake, ORDO_EINTERNAL, and nothing is written) and
 * again by the store: 0 <= reserved <= on_hand.
 *
 * What needs no storage - an adjustment's reason and the bounds of its
 * delta - is checked before the write is submitted
 * (app_stock_adjust_check), so the transaction holds only the work that
 * reads or writes rows.
 *
 * COUNTED BELOW RESERVED
 *
 * A count (or a negative adjustment) is what the warehouse really has, so
 * it is stored even below what is reserved: refusing it would leave the
 * books saying units exist that do not. The shortfall is taken back from
 * the newest reservations at that location and SKU
 * (app_stock_take_back): units of pending fulfillments first (the
 * warehouse has not been told of them), then of released and accepted
 * ones as a last resort (the warehouse's fulfillment then lists fewer
 * units to ship; one left with nothing is cancelled). The units go back
 * to open on their lines, so the line identity holds; then, with the
 * count written, those orders are allocated again: from another location
 * when one has stock, else backordered or held (insufficient_stock) as the
 * tenant's backorder_mode says. Each take-back is an "unreserve" stock
 * event (reason "count") and a "stock_taken_back" order event, and the
 * count's event says how many units were taken back from which orders.
 */
#include "app/audit.h"
#include "app/allocation.h"
#include "app/flow.h"
#include "app/stock.h"
#include "app/tenants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "channels/native_out.h"

ordo_code app_stock_change(store_tx *tx, int64_t tenant,
			   const stock_level *before, const stock_level *after,
			   const char *type, const char *reason,
			   const char *note, const char *actor,
			   const char *order_id, ordo_time now, ordo_err *err)
{
	tenant_settings set;
	stock_event ev;
	int64_t was, is;
	ordo_code rc;

	/* Input was checked and take-backs made before a level is computed,
	 * so a level that breaks the invariant here is ordo's own mistake. */
	rc = stock_level_check(after, err);
	if (rc)
		return rc;
	rc = store_stock_put(tx, tenant, after, err);
	if (rc)
		return rc;
	memset(&ev, 0, sizeof(ev));
	ordo_strlcpy(ev.location, after->location, sizeof(ev.location));
	ordo_strlcpy(ev.sku, after->sku, sizeof(ev.sku));
	ordo_strlcpy(ev.type, type, sizeof(ev.type));
	ev.delta_on_hand = after->on_hand - before->on_hand;
	ev.delta_reserved = after->reserved - before->reserved;
	ev.on_hand = after->on_hand;
	ev.reserved = after->reserved;
	ordo_strlcpy(ev.reason, reason ? reason : type, sizeof(ev.reason));
	ordo_strlcpy(ev.note, note ? note : "", sizeof(ev.note));
	ordo_strlcpy(ev.actor, actor, sizeof(ev.actor));
	ordo_strlcpy(ev.order_id, order_id ? order_id : "",
		     sizeof(ev.order_id));
	ev.at = now;
	rc = store_stock_event_append(tx, tenant, &ev, err);
	if (rc)
		return rc;

	rc = store_settings_get(tx, tenant, &set, err);
	if (rc)
		return rc;
	was = stock_available(before);
	is = stock_available(after);
	if (is <= set.low_stock_threshold && was > set.low_stock_threshold)
		return app_emit(tx, tenant, "stock.low", NULL, after->location,
				native_stock_json(after), now, err);
	return ORDO_OK;
}

/* The row for (location, sku), or a new one when the pair is known; as
 * committed, since a count or adjustment writes what it finds. */
static ordo_code stock_row(store_tx *tx, int64_t tenant, const char *location,
			   const char *sku, stock_level *level, ordo_err *err)
{
	catalog_location l;
	catalog_sku s;
	ordo_code rc = store_stock_exact(tx, err);

	if (rc == ORDO_OK)
		rc = store_stock_get(tx, tenant, location, sku, level, err);
	if (rc != ORDO_ENOTFOUND)
		return rc;
	ordo_err_clear(err);
	rc = store_location_get(tx, tenant, location, &l, err);
	if (rc == ORDO_OK)
		rc = store_sku_get(tx, tenant, sku, &s, err);
	if (rc)
		return rc;
	memset(level, 0, sizeof(*level));
	ordo_strlcpy(level->location, location, sizeof(level->location));
	ordo_strlcpy(level->sku, sku, sizeof(level->sku));
	return ORDO_OK;
}

/*
 * Write the row `after` (a count or adjustment of *before), first taking
 * back the reservations it no longer covers (see the top); *before is
 * then the row as the take-back left it. note: the caller's, or NULL.
 */
static ordo_code stock_write(store_tx *tx, const app_caller *c,
			     stock_level *before, stock_level *after,
			     const char *type, const char *reason,
			     const char *note, ordo_time now, ordo_err *err)
{
	char (*ids)[ORDO_ID_MAX] = NULL;
	char text[ORDO_MESSAGE_MAX];
	int64_t reserved = before->reserved;
	size_t n = 0, i;
	ordo_code rc = ORDO_OK;

	if (after->on_hand < before->reserved) {
		rc = app_stock_take_back(tx, c->tenant_id, after->location,
					 after->sku, after->on_hand, c->actor,
					 now, &ids, &n, err);
		if (rc == ORDO_OK)
			rc = store_stock_get(tx, c->tenant_id,
					     after->location, after->sku,
					     before, err);
		if (rc)
			goto out;
		after->reserved = before->reserved;
		/* "counted 3, 5 reserved: 2 taken back from ord_a, ord_b"
		 * (cut with "..." when the orders do not fit). */
		snprintf(text, sizeof(text),
			 "%s%scounted %lld, %lld reserved: %lld taken back "
			 "from",
			 note ? note : "", note && note[0] ? "; " : "",
			 (long long)after->on_hand, (long long)reserved,
			 (long long)(reserved - after->reserved));
		for (i = 0; i < n; i++) {
			size_t len = strlen(text);

			if (len + strlen(ids[i]) + 6 >= sizeof(text)) {
				ordo_strlcpy(text + len, " ...",
					     sizeof(text) - len);
				break;
			}
			snprintf(text + len, sizeof(text) - len, "%s %s",
				 i ? "," : "", ids[i]);
		}
		note = text;
	}
	after->updated_at = now;
	rc = app_stock_change(tx, c->tenant_id, before, after, type, reason,
			      note, c->actor, NULL, now, err);
	if (rc == ORDO_OK && n > 0)
		rc = app_orders_reallocate(tx, c->tenant_id, ids, n, c->actor,
					   now, err);
	if (rc == ORDO_OK && stock_available(after) > stock_available(before))
		rc = app_stock_arrived(tx, c->tenant_id, after->sku, c->actor,
				       now, err);
	if (rc == ORDO_OK)
		rc = store_stock_get(tx, c->tenant_id, after->location,
				     after->sku, after, err);
out:
	free(ids);
	return rc;
}

ordo_code app_stock_count(store_tx *tx, const app_caller *c,
			  const char *location, const char *sku,
			  int64_t on_hand, int64_t safety_stock,
			  ordo_time now, stock_level *level, ordo_err *err)
{
	stock_level before;
	ordo_code rc;

	if (on_hand < 0 || on_hand > ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_EINVALID, "on_hand",
				    "must be between 0 and %lld",
				    (long long)ORDO_MAX_STOCK);
	if (safety_stock > ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_EINVALID, "safety_stock",
				    "must be between 0 and %lld",
				    (long long)ORDO_MAX_STOCK);
	rc = stock_row(tx, c->tenant_id, location, sku, &before, err);
	if (rc)
		return rc;
	*level = before;
	level->on_hand = on_hand;
	if (safety_stock >= 0)
		level->safety_stock = safety_stock;
	return stock_write(tx, c, &before, level, "count", "count", NULL,
			   now, err);
}

static const char *const adjust_reasons[] = {"receipt", "damage",
					      "correction", "return",
					      "other"};

ordo_code app_stock_adjust_check(int64_t delta, const char *reason,
				 ordo_err *err)
{
	bool known = false;
	size_t i;

	for (i = 0; i < sizeof(adjust_reasons) / sizeof(adjust_reasons[0]);
	     i++)
		known = known || strcmp(reason, adjust_reasons[i]) == 0;
	if (!known) {
		char list[JF_LIST_MAX] = "";

		for (i = 0;
		     i < sizeof(adjust_reasons) / sizeof(adjust_reasons[0]);
		     i++)
			jf_list_add(list, sizeof(list), adjust_reasons[i]);
		return ordo_err_set(err, ORDO_EINVALID, "reason",
				    "\"%s\" is not a reason; one of: %s",
				    reason, list);
	}
	if (delta == 0 || delta > ORDO_MAX_STOCK || delta < -ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_EINVALID, "delta",
				    "must be a non-zero integer between %lld "
				    "and %lld",
				    -(long long)ORDO_MAX_STOCK,
				    (long long)ORDO_MAX_STOCK);
	return ORDO_OK;
}

ordo_code app_stock_adjust(store_tx *tx, const app_caller *c,
			   const char *location, const char *sku,
			   int64_t delta, const char *reason, const char *note,
			   ordo_time now, stock_level *level, ordo_err *err)
{
	stock_level before;
	ordo_code rc;

	rc = stock_row(tx, c->tenant_id, location, sku, &before, err);
	if (rc)
		return rc;
	if (before.on_hand + delta < 0 ||
	    before.on_hand + delta > ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_ECONFLICT, "delta",
				    "%s at %s has %lld on hand; a change of "
				    "%lld is not possible",
				    sku, location, (long long)before.on_hand,
				    (long long)delta);
	*level = before;
	level->on_hand += delta;
	return stock_write(tx, c, &before, level, "adjustment", reason, note,
			   now, err);
}

/* ---- the commands (write.h) ----------------------------------------------- */

static ordo_code count_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_stock_count_cmd *c = (app_stock_count_cmd *)w;
	stock_level before;
	ordo_code rc = store_stock_get(tx, w->caller.tenant_id, c->location,
				       c->sku, &before, err);
	char target[ORDO_LOCATION_CODE_MAX + ORDO_SKU_MAX + 2];

	/* A count where there was no stock row starts from nothing. */
	if (rc == ORDO_ENOTFOUND) {
		ordo_err_clear(err);
		memset(&before, 0, sizeof(before));
		rc = ORDO_OK;
	}
	if (rc == ORDO_OK)
		rc = app_stock_count(tx, &w->caller, c->location, c->sku,
				     c->on_hand, c->safety_stock, w->now,
				     &c->level, err);
	snprintf(target, sizeof(target), "%s/%s", c->location, c->sku);
	if (rc == ORDO_OK)
		rc = app_audit(tx, &w->caller, w->now, "stock.counted", target,
			       json_pack("{s:I, s:I}", "on_hand",
					 (json_int_t)before.on_hand,
					 "safety_stock",
					 (json_int_t)before.safety_stock),
			       json_pack("{s:I, s:I}", "on_hand",
					 (json_int_t)c->level.on_hand,
					 "safety_stock",
					 (json_int_t)c->level.safety_stock),
			       err);
	return rc;
}

/* A count or an adjustment locks the stock row of its SKU. */
static size_t one_stock_sku(const char *sku, const char **skus, size_t max)
{
	if (max > 0)
		skus[0] = sku;
	return 1;
}

static size_t count_stock_skus(const app_write *w, const char **skus,
			       size_t max)
{
	return one_stock_sku(((const app_stock_count_cmd *)w)->sku, skus, max);
}

static const app_write_type count_type = {.name = "stock_count",
					  .run = count_run,
					  .stock_skus = count_stock_skus,
					  .stock_exact = true};

void app_stock_count_cmd_init(app_stock_count_cmd *c,
			      const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &count_type, caller, now);
	c->safety_stock = -1;
}

static ordo_code adjust_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_stock_adjust_cmd *c = (app_stock_adjust_cmd *)w;

	return app_stock_adjust(tx, &w->caller, c->location, c->sku, c->delta,
				c->reason, c->note, w->now, &c->level, err);
}

static size_t adjust_stock_skus(const app_write *w, const char **skus,
				size_t max)
{
	return one_stock_sku(((const app_stock_adjust_cmd *)w)->sku, skus,
			     max);
}

static const app_write_type adjust_type = {.name = "stock_adjust",
					   .run = adjust_run,
					   .stock_skus = adjust_stock_skus,
					   .stock_exact = true};

void app_stock_adjust_cmd_init(app_stock_adjust_cmd *c,
			       const app_caller *caller, ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &adjust_type, caller, now);
}
