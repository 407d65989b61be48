/*
 * stock.c - stock over HTTP: counts, adjustments, levels per SKU and the
 * stock event log.
 *
 * A count or an adjustment is decoded and checked here into its command
 * (app/stock.h), submitted, and answered from the stock level it wrote
 * once that is durable, on this thread: the transaction holds only the
 * storage work.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

/* What ordo computes in a stock level: never written by a caller. */
static const char *const level_computed[] = {
	"location", "sku", "reserved", "available", "updated_at", NULL,
};
static const char *const no_query[] = {NULL};

/*
 * Copy the path's location and SKU into a command. One too long to fit is
 * none the tenant has, so it is answered as not found (as a lookup of it
 * would be) rather than cut short into another.
 */
static bool path_pair(api_request *r, char *location, size_t location_size,
		      char *sku, size_t sku_size, enum MHD_Result *ret)
{
	if (ordo_strlcpy(location, r->params[0], location_size) != 0) {
		*ret = api_reply_fail(r, ORDO_ENOTFOUND, "location",
				      "no location \"%.32s\"", r->params[0]);
		return false;
	}
	if (ordo_strlcpy(sku, r->params[1], sku_size) != 0) {
		*ret = api_reply_fail(r, ORDO_ENOTFOUND, "sku",
				      "no SKU \"%.64s\"", r->params[1]);
		return false;
	}
	return true;
}

static json_t *level_reply(api_request *r, const stock_level *level,
			   int *status)
{
	(void)r;
	*status = 200;
	return native_stock_json(level);
}

static void count_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"on_hand", "safety_stock",
					      NULL};
	app_stock_count_cmd *c = out;

	jf_only(doc, "", members, level_computed, err);
	c->safety_stock = -1;
	jf_int(doc, "", "on_hand", true, 0, ORDO_MAX_STOCK, &c->on_hand, err);
	jf_int(doc, "", "safety_stock", false, 0, ORDO_MAX_STOCK,
	       &c->safety_stock, err);
}

static json_t *count_reply(api_request *r, const app_write *w, int *status)
{
	return level_reply(r, &((const app_stock_count_cmd *)w)->level,
			   status);
}

enum MHD_Result api_stock_put(api_request *r)
{
	app_stock_count_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_stock_count_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, count_decode, c, &ret) ||
	    !path_pair(r, c->location, sizeof(c->location), c->sku,
		       sizeof(c->sku), &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, count_reply, api_write_free);
}

static void adjust_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"delta", "reason", "note",
					      NULL};
	app_stock_adjust_cmd *c = out;

	jf_only(doc, "", members, level_computed, err);
	jf_int(doc, "", "delta", true, -ORDO_MAX_STOCK, ORDO_MAX_STOCK,
	       &c->delta, err);
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
	jf_string(doc, "", "note", false, c->note, sizeof(c->note), err);
}

static json_t *adjust_reply(api_request *r, const app_write *w, int *status)
{
	return level_reply(r, &((const app_stock_adjust_cmd *)w)->level,
			   status);
}

enum MHD_Result api_stock_adjust(api_request *r)
{
	app_stock_adjust_cmd *c = calloc(1, sizeof(*c));
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_stock_adjust_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, adjust_decode, c, &ret)) {
		free(c);
		return ret;
	}
	/* The reason and the delta's bounds need no storage: checked here,
	 * so that a refused adjustment never reaches the write. */
	ordo_err_clear(err);
	if (app_stock_adjust_check(c->delta, c->reason, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		free(c);
		return ret;
	}
	ordo_err_clear(err);
	if (!path_pair(r, c->location, sizeof(c->location), c->sku,
		       sizeof(c->sku), &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, adjust_reply, api_write_free);
}

static json_t *figures_json(const stock_level *s)
{
	return json_pack("{s:I, s:I, s:I, s:I}", "on_hand",
			 (json_int_t)s->on_hand, "reserved",
			 (json_int_t)s->reserved, "safety_stock",
			 (json_int_t)s->safety_stock, "available",
			 (json_int_t)stock_available(s));
}

enum MHD_Result api_stock_get(api_request *r)
{
	const char *sku = api_query(r, "sku");
	stock_level *rows = NULL, total;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *locs;
	size_t n = 0, i;
	enum MHD_Result ret;
	static const char *const query[] = {"sku", NULL};

	if (!api_query_only(r, query, &ret))
		return ret;
	if (!sku || !sku[0])
		return api_reply_fail(r, ORDO_EINVALID, "sku",
				      "give the SKU: /v1/stock?sku=...");
	if (app_stock_of_sku(r->srv->st, &r->caller, sku, &rows, &n, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	memset(&total, 0, sizeof(total));
	locs = json_array();
	for (i = 0; i < n; i++) {
		json_t *one = figures_json(&rows[i]);

		json_object_set_new(one, "location",
				    json_string(rows[i].location));
		json_array_append_new(locs, one);
		total.on_hand += rows[i].on_hand;
		total.reserved += rows[i].reserved;
		total.safety_stock += rows[i].safety_stock;
	}
	free(rows);
	{
		json_t *j = json_pack("{s:s, s:o, s:o}", "sku", sku,
				      "locations", locs, "total",
				      figures_json(&total));
		/* The total's available is the sum of each location's. */
		json_int_t avail = 0;
		json_t *one;

		json_array_foreach(locs, i, one)
			avail += json_integer_value(
				json_object_get(one, "available"));
		json_object_set_new(json_object_get(j, "total"), "available",
				    json_integer(avail));
		return api_reply_json(r, MHD_HTTP_OK, j);
	}
}

enum MHD_Result api_stock_events(api_request *r)
{
	const char *sku = api_query(r, "sku"), *loc = api_query(r, "location");
	const char *cursor = api_query(r, "cursor");
	stock_event *evs = NULL;
	int64_t before = 0, next = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;
	static const char *const query[] = {"sku", "location", "limit",
					    "cursor", NULL};

	if (!api_query_only(r, query, &ret))
		return ret;
	if (!sku || !sku[0])
		return api_reply_fail(r, ORDO_EINVALID, "sku",
				      "give the SKU: /v1/stock/events?sku=...");
	if (!api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &before, &ret))
		return ret;
	if (app_stock_events(r->srv->st, &r->caller, sku, loc ? loc : "",
			     before, limit, &evs, &n, &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		const stock_event *e = &evs[i];

		json_array_append_new(
			arr,
			/* Newest first; no "seq": the store's number is
			 * shared by every tenant, and would say how busy
			 * the others are. */
			json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
				  "s:s, s:s, s:s, s:o, s:o}",
				  "location",
				  e->location, "sku", e->sku, "type", e->type,
				  "delta_on_hand", (json_int_t)e->delta_on_hand,
				  "delta_reserved",
				  (json_int_t)e->delta_reserved, "on_hand",
				  (json_int_t)e->on_hand, "reserved",
				  (json_int_t)e->reserved, "reason", e->reason,
				  "note", e->note, "actor", e->actor,
				  "order_id",
				  e->order_id[0] ? json_string(e->order_id)
						 : json_null(),
				  "at", native_time_json(e->at)));
	}
	free(evs);
	j = json_pack("{s:o}", "events", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
