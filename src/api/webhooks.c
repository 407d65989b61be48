/*
 * webhooks.c - subscriptions and deliveries over HTTP.
 *
 * A write is decoded and checked here into its command (app/webhooks.h),
 * submitted, and answered from the command's outputs once it is durable,
 * on this thread. A webhook's url is checked before its creation is
 * submitted (its host resolved, every address public or allowed:
 * outbox_url_check; its scheme: app_webhook_check), since resolving a name
 * must not happen inside the write transaction. Its secret is shown once:
 * the answer encoded from the command (and stored for an Idempotency-Key)
 * has none, and the secret is added only to the answer of the creation
 * that ran (answer_fresh), so a replay - by any key of the tenant - never
 * shows it.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/calls.h"
#include "channels/json_fields.h"
#include "outbox/worker.h"

static const char *const no_query[] = {NULL};

static json_t *webhook_json(const webhook_sub *w, bool with_secret)
{
	json_t *j = json_object(), *events = json_array();
	char list[STORE_EVENTS_MAX], *save = NULL, *tok;
	channel_kind kind;

	/* A channel's own webhook hears what its protocol tells the store. */
	if (w->channel[0] && channel_kind_parse(w->protocol, &kind) == 0)
		ordo_strlcpy(list, channel_calls_events(kind), sizeof(list));
	else
		ordo_strlcpy(list, w->events, sizeof(list));
	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		json_array_append_new(events, json_string(tok));
	json_object_set_new(j, "id", json_string(w->id));
	json_object_set_new(j, "url", json_string(w->url));
	json_object_set_new(j, "events", events);
	json_object_set_new(j, "location", w->location[0]
						   ? json_string(w->location)
						   : json_null());
	json_object_set_new(j, "channel", w->channel[0]
						  ? json_string(w->channel)
						  : json_null());
	if (with_secret)
		json_object_set_new(j, "secret", json_string(w->secret));
	json_object_set_new(j, "created_at", native_time_json(w->created_at));
	json_object_set_new(j, "status",
			    json_string(w->paused ? "paused" : "active"));
	json_object_set_new(j, "paused_at", native_time_json(w->paused_at));
	json_object_set_new(j, "failing_since",
			    native_time_json(w->failing_since));
	json_object_set_new(j, "last_error", json_string(w->last_error));
	json_object_set_new(j, "previous_secret_until",
			    native_time_json(w->previous_until));
	return j;
}

static void webhook_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"url", "events", "location",
					      NULL};
	static const char *const computed[] = {"id", "secret", "created_at",
					       NULL};
	webhook_sub *w = out;
	json_t *events = jf_array(doc, "", "events", true, err), *v;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i, k, used = 0;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "url", true, w->url, sizeof(w->url), err);
	jf_string(doc, "", "location", false, w->location,
		  sizeof(w->location), err);
	if (!events)
		return;
	if (json_array_size(events) == 0)
		ordo_err_add(err, ORDO_EINVALID, "events",
			     "name at least one event type");
	json_array_foreach(events, i, v) {
		const char *t = json_string_value(v);
		size_t len;

		jf_index_path(path, sizeof(path), "events", i);
		if (!t || !app_event_type_known(t)) {
			char list[JF_LIST_MAX] = "";

			for (k = 0; app_event_types[k]; k++)
				jf_list_add(list, sizeof(list),
					    app_event_types[k]);
			ordo_err_add(err, ORDO_EINVALID, path,
				     "is not an event type ordo sends; one "
				     "of: %s",
				     list);
			continue;
		}
		/* Each type is one subscription (a row of its own): a type
		 * named twice is refused rather than quietly kept once. */
		for (k = 0; k < i; k++) {
			const char *u = json_string_value(
				json_array_get(events, k));

			if (u && strcmp(u, t) == 0)
				break;
		}
		if (k < i) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "names an event type already listed "
				     "(events[%zu])",
				     k);
			continue;
		}
		len = strlen(t);
		if (used + len + 2 > sizeof(w->events)) {
			ordo_err_add(err, ORDO_EINVALID, "events",
				     "too many event types");
			return;
		}
		if (used)
			w->events[used++] = ',';
		memcpy(w->events + used, t, len + 1);
		used += len;
	}
}

static json_t *webhook_reply(api_request *r, const app_write *w,
			     int *status)
{
	(void)r;
	*status = 201;
	/* Without the secret: this is also the answer kept for replays. */
	return webhook_json(&((const app_webhook_cmd *)w)->stored, false);
}

/* The creation that ran shows the secret, once. */
static char *webhook_add_secret(api_request *r, char *body)
{
	return api_answer_with_secret(
		body, "secret",
		((const app_webhook_cmd *)r->write)->stored.secret);
}

enum MHD_Result api_webhook_create(api_request *r)
{
	app_webhook_cmd *c = calloc(1, sizeof(*c));
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_webhook_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, webhook_decode, &c->sub, &ret)) {
		free(c);
		return ret;
	}
	ordo_err_clear(err);
	if (outbox_url_check(c->sub.url, err) != ORDO_OK ||
	    app_webhook_check(&c->sub, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		free(c);
		return ret;
	}
	ordo_err_clear(err);
	r->answer_fresh = webhook_add_secret;
	return api_submit_write(r, &c->w, webhook_reply, api_write_free);
}

enum MHD_Result api_webhook_list(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	webhook_sub *items = NULL;
	json_t *arr;
	size_t n = 0, i;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	if (app_webhook_list(r->srv->st, &r->caller, &items, &n, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, webhook_json(&items[i], false));
	free(items);
	return api_reply_json(r, MHD_HTTP_OK,
			      json_pack("{s:o}", "webhooks", arr));
}

static json_t *delete_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	(void)w;
	*status = 204;
	return NULL;
}

enum MHD_Result api_webhook_delete(api_request *r)
{
	app_webhook_delete_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_webhook_delete_cmd_init(c, &r->caller, api_now(r));
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "webhook",
				delete_reply);
}

static void rotate_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"grace_s", NULL};
	app_webhook_rotate_cmd *c = out;

	jf_only(doc, "", members, NULL, err);
	jf_int(doc, "", "grace_s", false, 0, ORDO_SECRET_GRACE_MAX_S,
	       &c->grace_s, err);
}

static json_t *rotate_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return webhook_json(&((const app_webhook_rotate_cmd *)w)->stored,
			    false);
}

/* The rotation that ran shows the new secret, once. */
static char *rotate_add_secret(api_request *r, char *body)
{
	return api_answer_with_secret(
		body, "secret",
		((const app_webhook_rotate_cmd *)r->write)->stored.secret);
}

enum MHD_Result api_webhook_rotate(api_request *r)
{
	app_webhook_rotate_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_webhook_rotate_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_path_id(r, "webhook", c->id, sizeof(c->id), &ret) ||
	    (r->body_len > 0 &&
	     !api_decode_body(r, rotate_decode, c, &ret))) {
		api_write_free(&c->w);
		return ret;
	}
	r->answer_fresh = rotate_add_secret;
	return api_submit_write(r, &c->w, rotate_reply, api_write_free);
}

static json_t *resume_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return webhook_json(&((const app_webhook_resume_cmd *)w)->stored,
			    false);
}

enum MHD_Result api_webhook_resume(api_request *r)
{
	app_webhook_resume_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_webhook_resume_cmd_init(c, &r->caller, api_now(r));
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "webhook",
				resume_reply);
}

static json_t *delivery_json(const delivery *d)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(d->id));
	json_object_set_new(j, "webhook_id", json_string(d->webhook_id));
	json_object_set_new(j, "event_id", json_string(d->event_id));
	json_object_set_new(j, "event_type", json_string(d->event_type));
	json_object_set_new(j, "order_id", d->order_id[0]
						   ? json_string(d->order_id)
						   : json_null());
	json_object_set_new(j, "status",
			    json_string(delivery_status_name(d->status)));
	json_object_set_new(j, "attempts", json_integer(d->attempts));
	json_object_set_new(j, "last_status", json_integer(d->last_status));
	json_object_set_new(j, "last_error", json_string(d->last_error));
	json_object_set_new(j, "next_attempt_at",
			    native_time_json(d->next_attempt_at));
	json_object_set_new(j, "retry_until",
			    native_time_json(d->retry_until));
	json_object_set_new(j, "delivered_at",
			    native_time_json(d->delivered_at));
	json_object_set_new(j, "created_at", native_time_json(d->created_at));
	return j;
}

enum MHD_Result api_delivery_list(api_request *r)
{
	const char *status = api_query(r, "status");
	const char *cursor = api_query(r, "cursor");
	delivery_status st = DELIVERY_PENDING;
	delivery *items = NULL;
	int64_t before = 0, next = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;
	static const char *const query[] = {"status", "limit", "cursor",
					    NULL};
	char list[JF_LIST_MAX];

	if (!api_query_only(r, query, &ret))
		return ret;
	if (status && delivery_status_parse(status, &st) != 0) {
		JF_ENUM_LIST(list, sizeof(list), delivery_status_name,
			     DELIVERY_FAILED + 1);
		return api_reply_fail(r, ORDO_EINVALID, "status",
				      "\"%s\" is not a delivery status; one "
				      "of: %s",
				      status, list);
	}
	if (!api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &before, &ret))
		return ret;
	if (app_delivery_list(r->srv->st, &r->caller, status != NULL, st,
			      before, limit, &items, &n, &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, delivery_json(&items[i]));
		store_delivery_free(&items[i]);
	}
	free(items);
	j = json_pack("{s:o}", "deliveries", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}

static json_t *redeliver_reply(api_request *r, const app_write *w,
			       int *status)
{
	(void)r;
	*status = 200;
	return delivery_json(&((const app_redeliver_cmd *)w)->stored);
}

enum MHD_Result api_delivery_redeliver(api_request *r)
{
	app_redeliver_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_redeliver_cmd_init(c, &r->caller, api_now(r));
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "delivery",
				redeliver_reply);
}
