/*
 * orders.c - /v1/orders over HTTP.
 *
 * POST decodes the native order document on the worker thread (a malformed
 * order is refused before it reaches the store), then hands intake to the
 * committer as an intake command. The answer - 201 with the new order, or
 * 200 with the existing one for a channel duplicate - is encoded from the
 * command's outputs once the write is durable.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "channels/native.h"
#include "core/timeutil.h"

/*
 * An order as an integration key sees it (app_caller.scoped): a hold
 * naming another order (a duplicate suspect) does not name it, as the key
 * may not reach that order; people see the hold whole.
 */
static json_t *order_json_for(const app_caller *c, const order *o,
			      ordo_time now)
{
	json_t *j = native_order_json(o, now), *h;
	size_t i;

	if (!j || !c->scoped)
		return j;
	json_array_foreach(json_object_get(j, "holds"), i, h) {
		if (json_is_null(json_object_get(h, "related_order_id")))
			continue;
		json_object_set_new(h, "related_order_id", json_null());
		json_object_set_new(h, "message",
				    json_string("a possible duplicate of "
						"another order; a person "
						"reviews it"));
	}
	return j;
}

/* 201 with the new order, or 200 with the existing one (a channel
 * duplicate). */
static json_t *order_reply(api_request *r, const app_write *w, int *status)
{
	const app_intake_cmd *c = (const app_intake_cmd *)w;

	(void)r;
	*status = c->outcome == INTAKE_CREATED ? 201 : 200;
	return order_json_for(&w->caller, &c->stored, w->now);
}

/* The query parameters each operation reads; any other is refused. */
static const char *const no_query[] = {NULL};
static const char *const list_query[] = {
	"limit",	 "cursor",	 "state",	"hold_type", "channel",
	"external_id", "received_from", "received_to", "q",	     NULL,
};

enum MHD_Result api_order_create(api_request *r)
{
	enum MHD_Result ret;
	app_intake_cmd *c;
	json_t *doc;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	doc = api_body_object(r, &ret);
	if (!doc)
		return ret;
	c = calloc(1, sizeof(*c));
	if (!c) {
		json_decref(doc);
		return api_reply_nomem(r);
	}
	app_intake_cmd_init(c, &r->caller, api_now(r));
	native_order_decode(doc, &c->order, err);
	json_decref(doc);
	if (err->code == ORDO_OK) {
		c->order.source = strndup(r->body, r->body_len);
		if (!c->order.source)
			ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
		snprintf(c->order.source_type, sizeof(c->order.source_type),
			 "application/json");
	}
	if (err->code != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		api_write_free(&c->w);
		return ret;
	}
	ordo_err_clear(err);
	return api_submit_write(r, &c->w, order_reply, api_write_free);
}

static enum MHD_Result reply_order_error(api_request *r, ordo_err *err)
{
	enum MHD_Result ret = api_reply_error(r, err);

	ordo_err_clear(err);
	return ret;
}

enum MHD_Result api_order_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;
	order o;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	order_init(&o);
	if (app_order_get(r->srv->st, &r->caller, r->params[0], &o, err)) {
		order_free(&o);
		return reply_order_error(r, err);
	}
	ordo_err_clear(err);
	{
		/* Its version is its entity tag, for If-Match. */
		json_t *j = order_json_for(&r->caller, &o, api_now(r));
		char etag[32], *text;
		const char *headers[] = {"ETag", etag, NULL};

		snprintf(etag, sizeof(etag), "\"%lld\"",
			 (long long)o.version);
		order_free(&o);
		text = j ? native_dump(j) : NULL;
		json_decref(j);
		if (!text)
			return api_reply_nomem(r);
		return api_queue_typed(r, MHD_HTTP_OK, text,
				       "application/json", headers);
	}
}

enum MHD_Result api_order_events(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	order_event *evs = NULL;
	enum MHD_Result ret;
	json_t *arr;
	size_t n = 0, i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_order_events(r->srv->st, &r->caller, r->params[0], &evs, &n,
			     err))
		return reply_order_error(r, err);
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, native_event_json(&evs[i],
							     (int64_t)i + 1));
	free(evs);
	return api_reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "events",
							 arr));
}

/* q: the search text, parsed into its terms (core/search.h). */
static bool parse_search(api_request *r, const char *v, order_filter *f,
			 enum MHD_Result *ret)
{
	ordo_err err = ORDO_ERR_INIT;

	if (search_query_parse(v, "q", &f->search, &err) == ORDO_OK)
		return true;
	*ret = api_reply_error(r, &err);
	ordo_err_clear(&err);
	return false;
}

/*
 * A search's cursor: the key of the last order of the page before (its
 * rank and seq, which store_order_list answers), a dot, and the hash of
 * the terms it was given out for, in hex: a cursor of one q read against
 * another would skip or repeat orders, so it is refused.
 */
static bool parse_search_cursor(api_request *r, const char *v,
				order_filter *f, enum MHD_Result *ret)
{
	const char *dot = strchr(v, '.');
	char want[16];

	snprintf(want, sizeof(want), "%08" PRIx32, f->search.hash);
	if (!dot || !api_int_text(v, (size_t)(dot - v), 1, INT64_MAX,
				  &f->before_seq)) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "cursor",
				      "cursor is not one this server gave "
				      "out for a search");
		return false;
	}
	if (strcmp(dot + 1, want) != 0) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "cursor",
				      "cursor was given out for another q; "
				      "a cursor pages the search it came "
				      "with");
		return false;
	}
	return true;
}

/* The next_cursor of a page: a search's carries its terms' hash. */
static json_t *list_cursor_json(const order_filter *f, int64_t next)
{
	char text[48];

	if (next <= 0 || f->search.n_terms == 0)
		return api_cursor_json(next);
	snprintf(text, sizeof(text), "%lld.%08" PRIx32, (long long)next,
		 f->search.hash);
	return json_string(text);
}

/* Read the list filters from the query string; false when one is bad (and
 * then the 400 is queued in *ret). */
static bool parse_filter(api_request *r, order_filter *f,
			 enum MHD_Result *ret)
{
	char list[JF_LIST_MAX];
	const char *v;

	memset(f, 0, sizeof(*f));
	if (!api_query_only(r, list_query, ret) ||
	    !api_query_limit(r, &f->limit, ret))
		return false;
	/* An integration key lists the orders it created (app_order_list),
	 * newest first or by external_id: no other filter has an index over
	 * its orders alone. */
	if (r->caller.scoped) {
		static const char *const people_only[] = {
			"state", "hold_type", "channel", "received_from",
			"received_to", "q", NULL,
		};
		size_t i;

		for (i = 0; people_only[i]; i++)
			if (api_query(r, people_only[i])) {
				*ret = api_reply_fail(
					r, ORDO_EINVALID, people_only[i],
					"an integration key lists the orders "
					"it created by external_id alone; %s "
					"is for people's keys",
					people_only[i]);
				return false;
			}
	}
	if ((v = api_query(r, "state")) &&
	    order_state_parse(v, &f->state) != 0) {
		JF_ENUM_LIST(list, sizeof(list), order_state_name,
			     ORDER_STATE_COUNT);
		*ret = api_reply_fail(r, ORDO_EINVALID, "state",
				      "\"%s\" is not an order state; one of: "
				      "%s",
				      v, list);
		return false;
	}
	f->has_state = v != NULL;
	if ((v = api_query(r, "hold_type")) &&
	    hold_type_parse(v, &f->hold_type) != 0) {
		JF_ENUM_LIST(list, sizeof(list), hold_type_name,
			     HOLD_TYPE_COUNT);
		*ret = api_reply_fail(r, ORDO_EINVALID, "hold_type",
				      "\"%s\" is not a hold type; one of: %s",
				      v, list);
		return false;
	}
	f->has_hold_type = v != NULL;
	if ((v = api_query(r, "channel")) &&
	    ordo_strlcpy(f->channel, v, sizeof(f->channel)) != 0) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "channel",
				      "channel is too long");
		return false;
	}
	if ((v = api_query(r, "external_id")) &&
	    ordo_strlcpy(f->external_id, v, sizeof(f->external_id)) != 0) {
		*ret = api_reply_fail(r, ORDO_EINVALID, "external_id",
				      "external_id is too long");
		return false;
	}
	if (!api_query_time(r, "received_from", &f->received_from, NULL,
			    ret) ||
	    !api_query_time(r, "received_to", &f->received_to, NULL, ret))
		return false;
	if ((v = api_query(r, "q")) && !parse_search(r, v, f, ret))
		return false;
	if ((v = api_query(r, "cursor")) && f->search.n_terms > 0)
		return parse_search_cursor(r, v, f, ret);
	if (v && !api_parse_cursor(r, v, &f->before_seq, ret))
		return false;
	return true;
}

enum MHD_Result api_order_list(api_request *r)
{
	ordo_time now = api_now(r);
	order_filter f;
	order_page page;
	enum MHD_Result ret;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t i;

	if (!parse_filter(r, &f, &ret))
		return ret;
	memset(&page, 0, sizeof(page));
	if (app_order_list(r->srv->st, &r->caller, &f, &page, err))
		return reply_order_error(r, err);
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < page.n; i++)
		json_array_append_new(arr, order_json_for(&r->caller,
							  &page.orders[i],
							  now));
	j = json_pack("{s:o}", "orders", arr);
	json_object_set_new(j, "next_cursor",
			    list_cursor_json(&f, page.next_before_seq));
	order_page_free(&page);
	return api_reply_json(r, MHD_HTTP_OK, j);
}
