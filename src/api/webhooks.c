/*
 * webhooks.c - subscriptions and deliveries over HTTP.
 *
 * A webhook's url is checked before its creation is submitted (its host
 * resolved, every address public or allowed: outbox_url_check), since
 * resolving a name must not happen inside the write transaction. Its
 * secret is shown once: the answer stored for an Idempotency-Key has none,
 * and the secret is added only to the answer of the creation that ran
 * (answer_fresh), so a replay - by any key of the tenant - never shows it.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "outbox/worker.h"

static const char *const no_query[] = {NULL};

static json_t *webhook_json(const webhook_sub *w, bool with_secret)
{
	json_t *j = json_object(), *events = json_array();
	char list[STORE_EVENTS_MAX], *save = NULL, *tok;

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
	if (with_secret)
		json_object_set_new(j, "secret", json_string(w->secret));
	json_object_set_new(j, "created_at", native_time_json(w->created_at));
	json_object_set_new(j, "status",
			    json_string(w->paused ? "paused" : "active"));
	json_object_set_new(j, "paused_at", native_time_json(w->paused_at));
	json_object_set_new(j, "failing_since",
			    native_time_json(w->failing_since));
	json_object_set_new(j, "last_error", json_string(w->last_error));
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
	size_t i, used = 0;

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
			size_t k;

			for (k = 0; app_event_types[k]; k++)
				jf_list_add(list, sizeof(list),
					    app_event_types[k]);
			ordo_err_add(err, ORDO_EINVALID, path,
				     "is not an event type ordo sends; one "
				     "of: %s",
				     list);
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

static ordo_code webhook_write(store_tx *tx, api_request *r, int *status,
			       char **body, ordo_err *err)
{
	webhook_sub *w = r->payload;
	ordo_code rc = app_webhook_create(tx, &r->caller, w, err);

	if (rc)
		return rc;
	/* Without the secret: this is also the answer kept for replays. */
	return api_answer(webhook_json(w, false), 201, status, body, err);
}

/* The creation that ran shows the secret, once. */
static char *webhook_add_secret(api_request *r, char *body)
{
	const webhook_sub *w = r->payload;
	json_t *j = json_loads(body, 0, NULL);
	char *out;

	if (!j)
		return body;
	json_object_set_new(j, "secret", json_string(w->secret));
	out = native_dump(j);
	json_decref(j);
	if (!out)
		return body;
	free(body);
	return out;
}

enum MHD_Result api_webhook_create(api_request *r)
{
	webhook_sub *w = calloc(1, sizeof(*w));
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!w)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, webhook_decode, w, &ret)) {
		free(w);
		return ret;
	}
	if (outbox_url_check(w->url, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		free(w);
		return ret;
	}
	ordo_err_clear(err);
	r->answer_fresh = webhook_add_secret;
	return api_submit_tx_write(r, webhook_write, w, free);
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

static ordo_code webhook_delete(store_tx *tx, api_request *r, int *status,
				char **body, ordo_err *err)
{
	ordo_code rc = app_webhook_delete(tx, &r->caller, r->params[0], err);

	if (rc)
		return rc;
	*body = strdup("");
	if (!*body)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	*status = 204;
	return ORDO_OK;
}

enum MHD_Result api_webhook_delete(api_request *r)
{
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret))
		return ret;
	return api_submit_tx_write(r, webhook_delete, NULL, NULL);
}

static ordo_code resume_write(store_tx *tx, api_request *r, int *status,
			      char **body, ordo_err *err)
{
	webhook_sub w;
	ordo_code rc = app_webhook_resume(tx, &r->caller, r->params[0], &w,
					  err);

	if (rc)
		return rc;
	return api_answer(webhook_json(&w, false), 200, status, body, err);
}

enum MHD_Result api_webhook_resume(api_request *r)
{
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret))
		return ret;
	return api_submit_tx_write(r, resume_write, NULL, NULL);
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

static ordo_code redeliver_write(store_tx *tx, api_request *r, int *status,
				 char **body, ordo_err *err)
{
	delivery d;
	json_t *j;
	ordo_code rc = app_delivery_redeliver(tx, &r->caller, r->params[0],
					      &d, err);

	if (rc) {
		store_delivery_free(&d);
		return rc;
	}
	j = delivery_json(&d);
	store_delivery_free(&d);
	return api_answer(j, 200, status, body, err);
}

enum MHD_Result api_delivery_redeliver(api_request *r)
{
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret))
		return ret;
	return api_submit_tx_write(r, redeliver_write, NULL, NULL);
}
