/*
 * monitors.c - GET and PUT /v1/monitors (a tenant's SLA monitors, written
 * whole) and GET /v1/alerts (what they raised). The monitors are decoded
 * and checked here, before the write; the write only replaces them.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/monitors.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

static json_t *monitors_json(const store_monitor *m, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_monitor_json(&m[i]));
	return json_pack("{s:o}", "monitors", arr);
}

enum MHD_Result api_monitors_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_monitor *m = NULL;
	enum MHD_Result ret;
	size_t n = 0;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_monitors_get(r->srv->st, &r->caller, &m, &n, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	ret = api_reply_json(r, MHD_HTTP_OK, monitors_json(m, n));
	free(m);
	return ret;
}

/* Each kind's members, by whether they are there at all (an empty
 * string or a 0 is there): state_age takes state and after_s, and no
 * hold_type but null; hold_overdue takes a hold_type, and no state or
 * after_s. */
static void members_for_kind(const json_t *v, const char *path,
			     const char *kind, ordo_err *err)
{
	bool ages = strcmp(kind, "state_age") == 0;
	bool holds = strcmp(kind, "hold_overdue") == 0;
	json_t *ht = json_object_get(v, "hold_type");
	char field[ORDO_ERR_FIELD_MAX];

	if (ages) {
		if (!json_object_get(v, "state")) {
			jf_path(field, sizeof(field), path, "state");
			ordo_err_add(err, ORDO_EINVALID, field,
				     "is required: the state an order waits "
				     "in too long");
		}
		if (!json_object_get(v, "after_s")) {
			jf_path(field, sizeof(field), path, "after_s");
			ordo_err_add(err, ORDO_EINVALID, field,
				     "is required: how many seconds in the "
				     "state make an order late");
		}
		if (ht && !json_is_null(ht)) {
			jf_path(field, sizeof(field), path, "hold_type");
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a hold_overdue monitor takes a "
				     "hold_type");
		}
	} else if (holds) {
		if (json_object_get(v, "state")) {
			jf_path(field, sizeof(field), path, "state");
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a state_age monitor takes a "
				     "state (a hold is overdue past its "
				     "due_at)");
		}
		if (json_object_get(v, "after_s")) {
			jf_path(field, sizeof(field), path, "after_s");
			ordo_err_add(err, ORDO_EINVALID, field,
				     "only a state_age monitor takes after_s "
				     "(a hold is overdue past its due_at, "
				     "set by the settings' holds.<type>."
				     "sla_s)");
		}
	}
}

/* {"id", "kind", "state", "after_s", "hold_type"}: its shape and values
 * into m; app_monitor_check then says what does not make a monitor,
 * unless the shape was wrong already. */
static void monitor_decode(const json_t *v, const char *path, store_monitor *m,
			   ordo_err *err)
{
	static const char *const members[] = {"id",	 "kind",
					      "state",	 "after_s",
					      "hold_type", NULL};
	size_t before = err->n_details;

	if (!json_is_object(v)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be an object {\"id\", \"kind\", ...}");
		return;
	}
	jf_only(v, path, members, NULL, err);
	jf_string(v, path, "id", false, m->id, sizeof(m->id), err);
	jf_string(v, path, "kind", false, m->kind, sizeof(m->kind), err);
	jf_string(v, path, "state", false, m->state, sizeof(m->state), err);
	jf_int(v, path, "after_s", false, INT64_MIN, INT64_MAX, &m->after_s,
	       err);
	if (!json_is_null(json_object_get(v, "hold_type")))
		jf_string(v, path, "hold_type", false, m->hold_type,
			  sizeof(m->hold_type), err);
	if (err->n_details == before)
		members_for_kind(v, path, m->kind, err);
	if (err->n_details == before)
		app_monitor_check(m, path, err);
}

static json_t *put_reply(api_request *r, const app_write *w, int *status)
{
	const app_monitors_cmd *c = (const app_monitors_cmd *)w;

	(void)r;
	*status = 200;
	return monitors_json(c->monitors, c->n);
}

enum MHD_Result api_monitors_put(api_request *r)
{
	static const char *const members[] = {"monitors", NULL};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_monitors_cmd *c;
	enum MHD_Result ret;
	json_t *doc, *arr;

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
	app_monitors_cmd_init(c, &r->caller, api_now(r));
	ordo_err_clear(err);
	jf_only(doc, "", members, NULL, err);
	arr = jf_array(doc, "", "monitors", true, err);
	if (arr && json_array_size(arr) > STORE_MONITORS_MAX) {
		ordo_err_add(err, ORDO_ELIMIT, "monitors",
			     "a tenant has at most %d monitors, not %zu",
			     STORE_MONITORS_MAX, json_array_size(arr));
	} else if (arr) {
		char path[32];
		size_t i;

		for (i = 0; i < json_array_size(arr); i++) {
			jf_index_path(path, sizeof(path), "monitors", i);
			monitor_decode(json_array_get(arr, i), path,
				       &c->monitors[i], err);
		}
		c->n = json_array_size(arr);
		if (err->code == ORDO_OK)
			app_monitors_cmd_check(c, err);
	}
	json_decref(doc);
	if (err->code != ORDO_OK) {
		ordo_err_set_message(err, "the monitors have %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		free(c);
		return ret;
	}
	ordo_err_clear(err);
	return api_submit_write(r, &c->w, put_reply, api_write_free);
}

enum MHD_Result api_alert_list(api_request *r)
{
	static const char *const query[] = {"status", "limit", "cursor", NULL};
	const char *status = api_query(r, "status");
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	int64_t before = 0, next = 0;
	store_alert *items = NULL;
	enum MHD_Result ret;
	size_t n = 0, i;
	json_t *arr, *j;
	int limit;

	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &before, &ret))
		return ret;
	if (status && strcmp(status, "open") != 0 &&
	    strcmp(status, "cleared") != 0)
		return api_reply_fail(r, ORDO_EINVALID, "status",
				      "\"%s\" is not an alert status; one of: "
				      "open, cleared",
				      status);
	if (app_alerts_list(r->srv->st, &r->caller, status ? status : "",
			    before, limit, &items, &n, &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, app_alert_json(&items[i]));
	free(items);
	j = json_pack("{s:o}", "alerts", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
