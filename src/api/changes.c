/*
 * changes.c - changing and cancelling orders, the requests warehouses
 * answer, and holds placed by hand (app/changes.h):
 *
 *   POST /v1/orders/{id}/changes           200 applied, 202 requested
 *   POST /v1/orders/{id}/cancel            the same, for a cancellation
 *   GET  /v1/orders/{id}/changes           the order's, oldest first
 *   GET  /v1/change-requests               the tenant's waiting for an
 *                                          answer, oldest due first
 *   GET  /v1/change-requests/{id}          one change
 *   POST /v1/change-requests/{id}/accept   a warehouse applies it
 *   POST /v1/change-requests/{id}/refuse   ... or refuses it
 *   POST /v1/orders/{id}/holds             a person holds the order
 *
 * A change's body is decoded here (channels/native.h), before the write;
 * kept with it is its detail, the change as JSON (sorted, without the
 * reason), which an accept decodes again the same way. Writes to an order
 * take If-Match: the version of the order the caller read ("7", or 7).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/changes.h"
#include "channels/json_fields.h"
#include "channels/native.h"

static const char *const no_query[] = {NULL};

/* If-Match: absent or "*" is 0 (any version); "N", W/"N" or N is N;
 * anything else is answered 400 naming it. */
static bool if_match(api_request *r, int64_t *out, enum MHD_Result *ret)
{
	const char *v = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    "If-Match");
	size_t len;

	*out = 0;
	if (!v || strcmp(v, "*") == 0)
		return true;
	if (strncmp(v, "W/", 2) == 0)
		v += 2;
	len = strlen(v);
	if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
		v++;
		len -= 2;
	}
	if (api_int_text(v, len, 1, INT64_MAX, out))
		return true;
	*ret = api_reply_fail(r, ORDO_EINVALID, "If-Match",
			      "If-Match takes the version of the order as "
			      "read (its \"version\"), such as \"7\"");
	return false;
}

/* The change as kept: the body without its reason, keys sorted. */
static void detail_of(const json_t *doc, char *dst, size_t size,
		      ordo_err *err)
{
	json_t *copy = json_copy((json_t *)doc);
	char *text;

	if (!copy) {
		ordo_err_add(err, ORDO_ENOMEM, "", "out of memory");
		return;
	}
	json_object_del(copy, "reason");
	text = native_dump_flags(copy, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(copy);
	if (!text)
		ordo_err_add(err, ORDO_ENOMEM, "", "out of memory");
	else if (strlen(text) >= size)
		ordo_err_add(err, ORDO_ELIMIT, "",
			     "the change takes more than %zu bytes", size - 1);
	else
		memcpy(dst, text, strlen(text) + 1);
	free(text);
}

static void change_decode(const json_t *doc, void *out, ordo_err *err)
{
	app_change_cmd *c = out;

	native_change_decode(doc, &c->change, err);
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
	if (err->code == ORDO_OK && c->change.kind == CHANGE_CANCEL)
		ordo_err_add(err, ORDO_EINVALID, "kind",
			     "an order is cancelled by POST "
			     "/v1/orders/{id}/cancel");
	if (err->code == ORDO_OK)
		detail_of(doc, c->detail, sizeof(c->detail), err);
}

/* {"reason", "lines"}: a cancellation, decoded as a change of kind
 * cancel (its detail says so). */
static void cancel_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"reason", "lines", NULL};
	app_change_cmd *c = out;
	json_t *as_change;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
	if (err->code != ORDO_OK)
		return;
	as_change = json_copy((json_t *)doc);
	if (!as_change ||
	    json_object_set_new(as_change, "kind", json_string("cancel"))) {
		json_decref(as_change);
		ordo_err_add(err, ORDO_ENOMEM, "", "out of memory");
		return;
	}
	native_change_decode(as_change, &c->change, err);
	if (err->code == ORDO_OK)
		detail_of(as_change, c->detail, sizeof(c->detail), err);
	json_decref(as_change);
}

/* 200 with the change applied and the order after; 202 with a request
 * the warehouse is to answer. */
static json_t *change_reply(api_request *r, const app_write *w, int *status)
{
	const app_change_cmd *c = (const app_change_cmd *)w;

	(void)r;
	*status = strcmp(c->rec.state, APP_CHANGE_REQUESTED) == 0 ? 202 : 200;
	return json_pack("{s:o, s:o}", "change", app_change_json(&c->rec),
			 "order", native_order_json(&c->order, w->now));
}

static enum MHD_Result submit_change(api_request *r,
				     void (*decode)(const json_t *, void *,
						    ordo_err *))
{
	char id[ORDO_ID_MAX];
	app_change_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "order", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_change_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !if_match(r, &c->if_match, &ret) ||
	    !api_decode_body(r, decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, change_reply, api_write_free);
}

enum MHD_Result api_order_change(api_request *r)
{
	return submit_change(r, change_decode);
}

enum MHD_Result api_order_cancel(api_request *r)
{
	return submit_change(r, cancel_decode);
}

enum MHD_Result api_order_changes(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	store_change *all = NULL;
	enum MHD_Result ret;
	json_t *arr;
	size_t n = 0, i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_order_changes(r->srv->st, &r->caller, r->params[0], &all, &n,
			      &err)) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_change_json(&all[i]));
	free(all);
	return api_reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "changes",
							 arr));
}

/*
 * A page of the tenant's requests waiting for an answer, each the change
 * as GET /v1/change-requests/{id} shows it with a summary of its order
 * (what a person needs to tell one from another in a list). The cursor
 * is the last one's (due_at, seq), as the review queue's.
 */
enum MHD_Result api_change_requests(api_request *r)
{
	static const char *const query[] = {"limit", "cursor", NULL};
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_change_request *items = NULL;
	int64_t after_due = 0, after_seq = 0;
	bool more = false;
	enum MHD_Result ret;
	json_t *arr, *j;
	size_t n = 0, i;
	int limit;

	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor &&
	    !api_parse_due_cursor(r, cursor, &after_due, &after_seq, &ret))
		return ret;
	if (app_change_requests(r->srv->st, &r->caller, after_due, after_seq,
				limit, &items, &n, &more, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++) {
		const store_change_request *c = &items[i];
		json_t *item = app_change_json(&c->change);

		json_object_set_new(item, "order",
				    json_pack("{s:s, s:s, s:s}", "id",
					      c->change.order_id, "external_id",
					      c->external_id, "customer_name",
					      c->customer_name));
		json_array_append_new(arr, item);
	}
	j = json_pack("{s:o}", "change_requests", arr);
	json_object_set_new(j, "next_cursor",
			    n ? api_due_cursor_json(more,
						    items[n - 1].change.due_at,
						    items[n - 1].change.seq)
			      : json_null());
	free(items);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

enum MHD_Result api_change_get(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	store_change *c;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	c = malloc(sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	if (app_change_get(r->srv->st, &r->caller, r->params[0], c, &err)) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
	} else {
		ret = api_reply_json(r, MHD_HTTP_OK, app_change_json(c));
	}
	free(c);
	return ret;
}

/* {"reason"}: required to refuse, optional to accept. */
static void decision_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"reason", NULL};
	app_decide_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "reason", !c->accept, c->reason, sizeof(c->reason),
		  err);
}

static json_t *decide_reply(api_request *r, const app_write *w, int *status)
{
	const app_decide_cmd *c = (const app_decide_cmd *)w;

	(void)r;
	*status = 200;
	return json_pack("{s:o, s:o}", "change", app_change_json(&c->rec),
			 "order", native_order_json(&c->order, w->now));
}

/* Read the change, and for an accept decode what it asks, before the
 * write: the write applies it (app/changes.h). */
static bool change_read(api_request *r, app_decide_cmd *c,
			enum MHD_Result *ret)
{
	ordo_err err = ORDO_ERR_INIT;
	store_change *rec = malloc(sizeof(*rec));
	json_t *doc = NULL;
	bool ok = false;

	if (!rec) {
		*ret = api_reply_nomem(r);
		return false;
	}
	if (app_change_get(r->srv->st, &r->caller, c->change_id, rec, &err))
		goto out;
	if (c->accept) {
		doc = json_loads(rec->detail, 0, NULL);
		if (!doc ||
		    native_change_decode(doc, &c->change, &err) != ORDO_OK) {
			ordo_err_clear(&err);
			ordo_err_set(&err, ORDO_EINTERNAL, "change",
				     "change %s cannot be read back", rec->id);
			goto out;
		}
	}
	ok = true;
out:
	if (!ok)
		*ret = api_reply_error(r, &err);
	json_decref(doc);
	ordo_err_clear(&err);
	free(rec);
	return ok;
}

static enum MHD_Result decide(api_request *r, bool accept)
{
	char id[ORDO_ID_MAX];
	app_decide_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "change request", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_decide_cmd_init(c, &r->caller, api_now(r), id, accept);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, decision_decode, c, &ret) ||
	    !change_read(r, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, decide_reply, api_write_free);
}

enum MHD_Result api_change_accept(api_request *r)
{
	return decide(r, true);
}

enum MHD_Result api_change_refuse(api_request *r)
{
	return decide(r, false);
}

/* {"type", "reason"}: a hold placed by hand. */
static void hold_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"type", "reason", NULL};
	app_hold_place_cmd *c = out;
	char type[32], list[JF_LIST_MAX];

	jf_only(doc, "", members, NULL, err);
	if (jf_string(doc, "", "type", true, type, sizeof(type), err) &&
	    hold_type_parse(type, &c->type) != 0) {
		JF_ENUM_LIST(list, sizeof(list), hold_type_name,
			     HOLD_TYPE_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "type",
			     "\"%s\" is not a hold type; one of: %s", type,
			     list);
	}
	jf_string(doc, "", "reason", true, c->reason, sizeof(c->reason), err);
}

static json_t *hold_reply(api_request *r, const app_write *w, int *status)
{
	const app_hold_place_cmd *c = (const app_hold_place_cmd *)w;

	(void)r;
	*status = 201;
	return json_pack("{s:o, s:o}", "hold",
			 native_hold_json(&c->hold, w->now), "order",
			 native_order_json(&c->order, w->now));
}

enum MHD_Result api_hold_place(api_request *r)
{
	char id[ORDO_ID_MAX];
	app_hold_place_cmd *c;
	enum MHD_Result ret;

	if (!api_path_id(r, "order", id, sizeof(id), &ret))
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c)
		return api_reply_nomem(r);
	app_hold_place_cmd_init(c, &r->caller, api_now(r), id);
	if (!api_query_only(r, no_query, &ret) ||
	    !if_match(r, &c->if_match, &ret) ||
	    !api_decode_body(r, hold_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, hold_reply, api_write_free);
}
