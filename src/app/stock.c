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
 * Invariant, checked here and again by the store: 0 <= reserved <= on_hand.
 * A count or adjustment that would put on_hand below what is reserved is
 * refused: those units are promised, and taking them back is a decision
 * (cancel or re-route orders), not a side effect of counting.
 */
#include "app/app.h"

#include <string.h>
#include <time.h>

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

	if (after->on_hand < 0 || after->reserved < 0 ||
	    after->reserved > after->on_hand || after->safety_stock < 0)
		return ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
				    "%s at %s: on hand %lld with %lld reserved "
				    "is not possible",
				    after->sku, after->location,
				    (long long)after->on_hand,
				    (long long)after->reserved);
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

/* The row for (location, sku), or a new one when the pair is known. */
static ordo_code stock_row(store_tx *tx, int64_t tenant, const char *location,
			   const char *sku, stock_level *level, ordo_err *err)
{
	catalog_location l;
	catalog_sku s;
	ordo_code rc = store_stock_get(tx, tenant, location, sku, level, err);

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

static ordo_code stock_write(store_tx *tx, const app_caller *c,
			     const stock_level *before, stock_level *after,
			     const char *type, const char *reason,
			     const char *note, ordo_err *err)
{
	ordo_time now = time(NULL);
	ordo_code rc;

	after->updated_at = now;
	rc = app_stock_change(tx, c->tenant_id, before, after, type, reason,
			      note, c->actor, NULL, now, err);
	if (rc == ORDO_OK && stock_available(after) > stock_available(before))
		rc = app_stock_arrived(tx, c->tenant_id, after->sku, c->actor,
				       now, err);
	if (rc == ORDO_OK)
		rc = store_stock_get(tx, c->tenant_id, after->location,
				     after->sku, after, err);
	return rc;
}

ordo_code app_stock_count(store_tx *tx, const app_caller *c,
			  const char *location, const char *sku,
			  int64_t on_hand, int64_t safety_stock,
			  stock_level *level, ordo_err *err)
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
	if (on_hand < before.reserved)
		return ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
				    "%lld units of %s at %s are promised to "
				    "orders; on_hand cannot go below that",
				    (long long)before.reserved, sku, location);
	*level = before;
	level->on_hand = on_hand;
	if (safety_stock >= 0)
		level->safety_stock = safety_stock;
	return stock_write(tx, c, &before, level, "count", "count", NULL,
			   err);
}

static const char *const adjust_reasons[] = {"receipt", "damage",
					      "correction", "return",
					      "other"};

ordo_code app_stock_adjust(store_tx *tx, const app_caller *c,
			   const char *location, const char *sku,
			   int64_t delta, const char *reason, const char *note,
			   stock_level *level, ordo_err *err)
{
	stock_level before;
	bool known = false;
	size_t i;
	ordo_code rc;

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
	rc = stock_row(tx, c->tenant_id, location, sku, &before, err);
	if (rc)
		return rc;
	if (before.on_hand + delta < before.reserved ||
	    before.on_hand + delta > ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_ECONFLICT, "delta",
				    "%s at %s has %lld on hand, %lld of them "
				    "promised; a change of %lld is not "
				    "possible",
				    sku, location, (long long)before.on_hand,
				    (long long)before.reserved,
				    (long long)delta);
	*level = before;
	level->on_hand += delta;
	return stock_write(tx, c, &before, level, "adjustment", reason, note,
			   err);
}
