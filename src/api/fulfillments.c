/*
 * fulfillments.c - the warehouse's side over HTTP: fulfillment orders to
 * poll, accept and reject; shipments and deliveries; waves of release.
 *
 * A write is decoded and checked here into its command (app/fulfillment.h,
 * app/allocation.h), submitted, and answered from the command's outputs
 * once it is durable, on this thread: the transaction holds only the
 * storage work.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

enum MHD_Result api_fulfillment_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	fulfillment f;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	memset(&f, 0, sizeof(f));
	if (app_fulfillment_get(r->srv->st, &r->caller, r->params[0], &f,
				err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	{
		json_t *j = native_fulfillment_json(&f);

		fulfillment_free(&f);
		return api_reply_json(r, MHD_HTTP_OK, j);
	}
}

enum MHD_Result api_fulfillment_list(api_request *r)
{
	const char *v, *cursor = api_query(r, "cursor");
	fulfillment_filter f;
	fulfillment *items = NULL;
	int64_t next = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	static const char *const query[] = {"location", "state", "limit",
					    "cursor", NULL};

	memset(&f, 0, sizeof(f));
	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &f.before_seq, &ret))
		return ret;
	if ((v = api_query(r, "location")) &&
	    ordo_strlcpy(f.location, v, sizeof(f.location)) != 0)
		return api_reply_fail(r, ORDO_EINVALID, "location",
				      "location is too long");
	if ((v = api_query(r, "state"))) {
		if (fulfillment_state_parse(v, &f.state) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list),
				     fulfillment_state_name,
				     FULFILLMENT_STATE_COUNT);
			return api_reply_fail(r, ORDO_EINVALID, "state",
					      "\"%s\" is not a fulfillment "
					      "state; one of: %s",
					      v, list);
		}
		f.has_state = true;
	}
	if (app_fulfillment_list(r->srv->st, &r->caller, &f, &items, &n,
				 &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, native_fulfillment_json(&items[i]));
		fulfillment_free(&items[i]);
	}
	free(items);
	j = json_pack("{s:o}", "fulfillments", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}

/* accept and reject answer with the fulfillment as it now is. */
static json_t *fulfillment_reply(const fulfillment *f, int *status)
{
	*status = 200;
	return native_fulfillment_json(f);
}

static json_t *accept_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	return fulfillment_reply(
		&((const app_fulfillment_accept_cmd *)w)->stored, status);
}

enum MHD_Result api_fulfillment_accept(api_request *r)
{
	app_fulfillment_accept_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_fulfillment_accept_cmd_init(c, &r->caller, api_now(r), "");
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "fulfillment",
				accept_reply);
}

static void reject_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"reason", "message", NULL};
	app_fulfillment_reject_cmd *c = out;
	char reason[32], list[JF_LIST_MAX];

	jf_only(doc, "", members, NULL, err);
	if (jf_string(doc, "", "reason", true, reason, sizeof(reason), err) &&
	    reject_reason_parse(reason, &c->reason) != 0) {
		JF_ENUM_LIST(list, sizeof(list), reject_reason_name,
			     REJECT_REASON_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "reason",
			     "\"%s\" is not a reject reason; one of: %s",
			     reason, list);
	}
	jf_string(doc, "", "message", false, c->message,
		  sizeof(c->message), err);
}

static json_t *reject_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	return fulfillment_reply(
		&((const app_fulfillment_reject_cmd *)w)->stored, status);
}

enum MHD_Result api_fulfillment_reject(api_request *r)
{
	app_fulfillment_reject_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_fulfillment_reject_cmd_init(c, &r->caller, api_now(r), "");
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, reject_decode, c, &ret) ||
	    !api_path_id(r, "fulfillment", c->id, sizeof(c->id), &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, reject_reply, api_write_free);
}

static void shipment_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {
		"carrier", "tracking_number", "shipped_at", "lines", NULL,
	};
	static const char *const computed[] = {
		"id", "fulfillment_id", "order_id", "delivered_at",
		"created_at", NULL,
	};
	static const char *const line_members[] = {"sku", "quantity", NULL};
	shipment *s = out;
	json_t *lines = jf_array(doc, "", "lines", true, err), *item;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "carrier", true, s->carrier, sizeof(s->carrier),
		  err);
	jf_string(doc, "", "tracking_number", false, s->tracking_number,
		  sizeof(s->tracking_number), err);
	jf_time(doc, "", "shipped_at", false, &s->shipped_at, err);
	if (!lines)
		return;
	if (json_array_size(lines) == 0 ||
	    json_array_size(lines) > ORDO_MAX_LINES) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "must hold 1 to %d lines", ORDO_MAX_LINES);
		return;
	}
	s->lines = calloc(json_array_size(lines), sizeof(*s->lines));
	if (!s->lines) {
		ordo_err_add(err, ORDO_ENOMEM, "lines", "out of memory");
		return;
	}
	json_array_foreach(lines, i, item) {
		shipment_line *l = &s->lines[s->n_lines++];

		jf_index_path(path, sizeof(path), "lines", i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_only(item, path, line_members, NULL, err);
		jf_string(item, path, "sku", true, l->sku, sizeof(l->sku),
			  err);
		jf_int(item, path, "quantity", true, 1, ORDO_MAX_QUANTITY,
		       &l->quantity, err);
	}
}

static json_t *shipment_reply(api_request *r, const app_write *w,
			      int *status)
{
	(void)r;
	*status = 201;
	return native_shipment_json(&((const app_shipment_cmd *)w)->stored);
}

enum MHD_Result api_shipment_create(api_request *r)
{
	app_shipment_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_shipment_cmd_init(c, &r->caller, api_now(r), "");
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, shipment_decode, &c->shipment, &ret) ||
	    !api_path_id(r, "fulfillment", c->fulfillment_id,
		     sizeof(c->fulfillment_id), &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, shipment_reply, api_write_free);
}

static void delivered_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"delivered_at", NULL};
	app_delivered_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	jf_time(doc, "", "delivered_at", false, &c->at, err);
}

static json_t *delivered_reply(api_request *r, const app_write *w,
			       int *status)
{
	(void)r;
	*status = 200;
	return native_shipment_json(&((const app_delivered_cmd *)w)->stored);
}

enum MHD_Result api_shipment_delivered(api_request *r)
{
	app_delivered_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_delivered_cmd_init(c, &r->caller, api_now(r), "");
	if (!api_query_only(r, no_query, &ret)) {
		free(c);
		return ret;
	}
	/* The body is optional: {"delivered_at": ...}. */
	if ((r->body_len > 0 &&
	     !api_decode_body(r, delivered_decode, c, &ret)) ||
	    !api_path_id(r, "shipment", c->id, sizeof(c->id), &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, delivered_reply, api_write_free);
}

static void wave_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"location", NULL};
	app_wave_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "location", false, c->location,
		  sizeof(c->location), err);
}

static json_t *wave_reply(api_request *r, const app_write *w, int *status)
{
	const app_wave_cmd *c = (const app_wave_cmd *)w;
	json_t *arr = json_array();
	size_t i;

	(void)r;
	for (i = 0; i < c->n; i++)
		json_array_append_new(arr, json_string(c->ids[i]));
	*status = 200;
	return json_pack("{s:I, s:o}", "released", (json_int_t)c->n,
			 "fulfillments", arr);
}

enum MHD_Result api_wave_create(api_request *r)
{
	app_wave_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_wave_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    (r->body_len > 0 && !api_decode_body(r, wave_decode, c, &ret))) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, wave_reply, api_write_free);
}
