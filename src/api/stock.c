/*
 * stock.c - stock over HTTP: counts, adjustments, levels per SKU and the
 * stock event log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

struct stock_input {
	int64_t on_hand;
	int64_t safety_stock; /* -1: keep */
	int64_t delta;
	char reason[32];
	char note[ORDO_MESSAGE_MAX];
};

/* What ordo computes in a stock level: never written by a caller. */
static const char *const level_computed[] = {
	"location", "sku", "reserved", "available", "updated_at", NULL,
};
static const char *const no_query[] = {NULL};

static void count_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"on_hand", "safety_stock",
					      NULL};
	struct stock_input *s = out;

	jf_only(doc, "", members, level_computed, err);
	s->safety_stock = -1;
	jf_int(doc, "", "on_hand", true, 0, ORDO_MAX_STOCK, &s->on_hand, err);
	jf_int(doc, "", "safety_stock", false, 0, ORDO_MAX_STOCK,
	       &s->safety_stock, err);
}

static ordo_code count_write(store_tx *tx, api_request *r, int *status,
			     char **body, ordo_err *err)
{
	struct stock_input *s = r->payload;
	stock_level level;
	ordo_code rc = app_stock_count(tx, &r->caller, r->params[0],
				       r->params[1], s->on_hand,
				       s->safety_stock, &level, err);

	if (rc)
		return rc;
	return api_answer(native_stock_json(&level), 200, status, body, err);
}

enum MHD_Result api_stock_put(api_request *r)
{
	struct stock_input *s = calloc(1, sizeof(*s));
	enum MHD_Result ret;

	if (!s)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, count_decode, s, &ret)) {
		free(s);
		return ret;
	}
	return api_submit_tx_write(r, count_write, s, free);
}

static void adjust_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"delta", "reason", "note",
					      NULL};
	struct stock_input *s = out;

	jf_only(doc, "", members, level_computed, err);
	jf_int(doc, "", "delta", true, -ORDO_MAX_STOCK, ORDO_MAX_STOCK,
	       &s->delta, err);
	jf_string(doc, "", "reason", true, s->reason, sizeof(s->reason), err);
	jf_string(doc, "", "note", false, s->note, sizeof(s->note), err);
}

static ordo_code adjust_write(store_tx *tx, api_request *r, int *status,
			      char **body, ordo_err *err)
{
	struct stock_input *s = r->payload;
	stock_level level;
	ordo_code rc = app_stock_adjust(tx, &r->caller, r->params[0],
					r->params[1], s->delta, s->reason,
					s->note, &level, err);

	if (rc)
		return rc;
	return api_answer(native_stock_json(&level), 200, status, body, err);
}

enum MHD_Result api_stock_adjust(api_request *r)
{
	struct stock_input *s = calloc(1, sizeof(*s));
	enum MHD_Result ret;

	if (!s)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, adjust_decode, s, &ret)) {
		free(s);
		return ret;
	}
	return api_submit_tx_write(r, adjust_write, s, free);
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
			json_pack("{s:I, s:s, s:s, s:s, s:I, s:I, s:I, s:I, "
				  "s:s, s:s, s:s, s:o, s:o}",
				  "seq", (json_int_t)e->seq, "location",
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
