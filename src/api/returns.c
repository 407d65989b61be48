/*
 * returns.c - returns of what shipped (app/returns.h):
 *
 *   POST /v1/orders/{id}/returns    authorise one: 201
 *   GET  /v1/orders/{id}/returns    the order's, oldest first
 *   GET  /v1/returns                the tenant's, newest first (?state=)
 *   GET  /v1/returns/{id}           one
 *   POST /v1/returns/{id}/receive   units back, restocked or not
 *   POST /v1/returns/{id}/refund    a refund recorded
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/returns.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

/* "lines": [{"line_no", "quantity"}], 1..RETURN_LINES_MAX of them. */
static void asks_decode(const json_t *doc, return_ask *asks, size_t *n,
			ordo_err *err)
{
	static const char *const members[] = {"line_no", "quantity", NULL};
	const json_t *arr = jf_array(doc, "", "lines", true, err), *l;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	*n = 0;
	if (!arr)
		return;
	if (json_array_size(arr) == 0 ||
	    json_array_size(arr) > RETURN_LINES_MAX) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "names 1 to %d lines", RETURN_LINES_MAX);
		return;
	}
	json_array_foreach(arr, i, l) {
		int64_t v = 0;

		jf_index_path(path, sizeof(path), "lines", i);
		if (!json_is_object(l)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_only(l, path, members, NULL, err);
		if (jf_int(l, path, "line_no", true, 1, ORDO_MAX_LINES, &v,
			   err))
			asks[*n].line_no = (int)v;
		if (jf_int(l, path, "quantity", true, 1, ORDO_MAX_QUANTITY, &v,
			   err))
			asks[*n].quantity = v;
		(*n)++;
	}
}

static void return_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"lines", "reason", "note", NULL};
	app_return_cmd *c = out;
	char reason[32], list[JF_LIST_MAX];

	jf_only(doc, "", members, NULL, err);
	asks_decode(doc, c->asks, &c->n, err);
	if (jf_string(doc, "", "reason", true, reason, sizeof(reason), err) &&
	    return_reason_parse(reason, &c->reason) != 0) {
		JF_ENUM_LIST(list, sizeof(list), return_reason_name,
			     RETURN_REASON_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "reason",
			     "\"%s\" is not a return reason; one of: %s",
			     reason, list);
	}
	jf_string(doc, "", "note", false, c->note, sizeof(c->note), err);
}

static json_t *return_reply(api_request *r, const app_write *w, int *status)
{
	const app_return_cmd *c = (const app_return_cmd *)w;

	(void)r;
	*status = 201;
	return app_return_json(&c->ret);
}

enum MHD_Result api_return_create(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_return_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "order", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_return_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, return_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, return_reply, api_write_free);
}

enum MHD_Result api_order_returns(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	order_return *all = NULL;
	enum MHD_Result ret;
	json_t *arr;
	size_t n = 0, i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_order_returns(r->srv->st, &r->caller, r->params[0], &all, &n,
			      &err)) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_return_json(&all[i]));
	free(all);
	return api_reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "returns",
							 arr));
}

/* A page of the tenant's returns, each as GET /v1/returns/{id} shows it,
 * in one state if ?state= names one. */
enum MHD_Result api_return_list(api_request *r)
{
	static const char *const query[] = {"state", "limit", "cursor", NULL};
	const char *state = api_query(r, "state");
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	order_return *items = NULL;
	int64_t before = 0, next = 0;
	char list[JF_LIST_MAX] = "";
	enum MHD_Result ret;
	json_t *arr, *j;
	size_t n = 0, i;
	int limit;

	if (!api_query_only(r, query, &ret))
		return ret;
	if (state && !return_state_known(state)) {
		for (i = 0; return_states[i]; i++)
			jf_list_add(list, sizeof(list), return_states[i]);
		return api_reply_fail(r, ORDO_EINVALID, "state",
				      "\"%s\" is not a return state; one of: "
				      "%s",
				      state, list);
	}
	if (!api_query_limit(r, &limit, &ret) ||
	    (cursor && !api_parse_cursor(r, cursor, &before, &ret)))
		return ret;
	if (app_return_list(r->srv->st, &r->caller, state, before, limit,
			    &items, &n, &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_return_json(&items[i]));
	free(items);
	j = json_pack("{s:o}", "returns", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_return_get(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	order_return *ret_ = NULL;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	ret_ = malloc(sizeof(*ret_));
	if (!ret_)
		return api_reply_nomem(r);
	if (app_return_get(r->srv->st, &r->caller, r->params[0], ret_, &err)) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK, app_return_json(ret_));
	}
	free(ret_);
	return ret;
}

/* {"lines", "restock", "location"}: a location when restocking, and
 * only then. */
static void receive_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"lines", "restock", "location",
					      NULL};
	app_return_receive_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	asks_decode(doc, c->asks, &c->n, err);
	jf_bool(doc, "", "restock", true, &c->restock, err);
	jf_string(doc, "", "location", c->restock, c->location,
		  sizeof(c->location), err);
	if (!c->restock && c->location[0])
		ordo_err_add(err, ORDO_EINVALID, "location",
			     "goes with \"restock\": true only (units not "
			     "restocked go to no location's stock)");
}

static json_t *receive_reply(api_request *r, const app_write *w,
			     int *status)
{
	(void)r;
	*status = 200;
	return app_return_json(&((const app_return_receive_cmd *)w)->ret);
}

enum MHD_Result api_return_receive(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_return_receive_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "return", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_return_receive_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, receive_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, receive_reply, api_write_free);
}

static json_t *refund_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return app_return_json(&((const app_return_refund_cmd *)w)->ret);
}

/* {"amount", "reference"}: the amount as decimal text, checked in the
 * return's currency by the write. */
static void refund_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"amount", "reference", NULL};
	app_return_refund_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "amount", true, c->amount, sizeof(c->amount), err);
	jf_string(doc, "", "reference", false, c->reference,
		  sizeof(c->reference), err);
}

enum MHD_Result api_return_refund(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_return_refund_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "return", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_return_refund_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, refund_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, refund_reply, api_write_free);
}
