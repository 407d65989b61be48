/*
 * settings.c - GET and PATCH /v1/settings. A PATCH names only what it
 * changes; the result is checked whole before it is saved.
 *
 * The patch is decoded and checked here, before the write: its shape -
 * which members, which hold types, which members of each hold type
 * (patch_check) - and its values, into a tenant_settings_patch
 * (core/settings.h) with a flag for each setting given. The write only
 * reads the settings, applies the patch (checking the result whole) and
 * saves them; the answer is encoded from what it saved, after the commit.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

static json_t *settings_json(const tenant_settings *s)
{
	json_t *j = json_object();
	char cutoff[6];

#define SETTINGS_X_JSON(f, name, min, max, def)                                \
	json_object_set_new(j, name, json_integer((json_int_t)s->f));
	SETTINGS_INT_MAP(SETTINGS_X_JSON)
#undef SETTINGS_X_JSON
	{
		json_t *holds = json_object();
		int t;

		for (t = 0; t < HOLD_TYPE_COUNT; t++)
			json_object_set_new(
				holds, hold_type_name((hold_type)t),
				json_pack("{s:I, s:i}", "sla_s",
					  (json_int_t)s->hold_sla_s[t],
					  "priority", s->hold_priority[t]));
		json_object_set_new(j, "holds", holds);
	}
	json_object_set_new(j, "backorder_mode",
			    json_string(backorder_mode_name(s->backorder)));
	json_object_set_new(j, "release_mode",
			    json_string(release_mode_name(s->release)));
	if (s->cutoff_minute >= 0) {
		settings_cutoff_format(s->cutoff_minute, cutoff);
		json_object_set_new(j, "cutoff_utc", json_string(cutoff));
	} else {
		json_object_set_new(j, "cutoff_utc", json_null());
	}
	return j;
}

static const char *const no_query[] = {NULL};

enum MHD_Result api_settings_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	tenant_settings s;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_settings_get(r->srv->st, &r->caller, &s, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	return api_reply_json(r, MHD_HTTP_OK, settings_json(&s));
}

static const char *const setting_names[] = {
#define SETTINGS_X_NAME(f, name, min, max, def) name,
	SETTINGS_INT_MAP(SETTINGS_X_NAME)
#undef SETTINGS_X_NAME
		"backorder_mode",
	"release_mode", "cutoff_utc", "holds", NULL,
};

/* Every member of the patch is a setting, every key of "holds" a hold
 * type, and each hold type's object holds only sla_s and priority. */
static void patch_check(const json_t *patch, ordo_err *err)
{
	static const char *const hold_members[] = {"sla_s", "priority",
						   NULL};
	const char *hold_names[HOLD_TYPE_COUNT + 1];
	char path[ORDO_ERR_FIELD_MAX];
	json_t *holds, *v;
	const char *type;
	int t;

	jf_only(patch, "", setting_names, NULL, err);
	holds = json_object_get(patch, "holds");
	if (!json_is_object(holds))
		return;
	for (t = 0; t < HOLD_TYPE_COUNT; t++)
		hold_names[t] = hold_type_name((hold_type)t);
	hold_names[HOLD_TYPE_COUNT] = NULL;
	jf_only(holds, "holds", hold_names, NULL, err);
	json_object_foreach(holds, type, v) {
		jf_path(path, sizeof(path), "holds", type);
		jf_only(v, path, hold_members, NULL, err);
	}
}

/* "holds": {"<type>": {"sla_s": N, "priority": N}, ...} */
static void decode_holds(const json_t *doc, tenant_settings_patch *p,
			 ordo_err *err)
{
	json_t *holds = jf_object(doc, "", "holds", false, err), *v;
	char path[ORDO_ERR_FIELD_MAX];
	const char *type;

	if (!holds)
		return;
	json_object_foreach(holds, type, v) {
		hold_type t;
		int64_t n;

		jf_path(path, sizeof(path), "holds", type);
		/* Unknown types and members were refused by patch_check. */
		if (hold_type_parse(type, &t) != 0)
			continue;
		if (!json_is_object(v)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be {\"sla_s\": N, \"priority\": N}");
			continue;
		}
		p->has_hold_sla_s[t] =
			jf_int(v, path, "sla_s", false, 60,
			       SETTINGS_HOLD_SLA_MAX_S, &p->v.hold_sla_s[t],
			       err);
		p->has_hold_priority[t] = jf_int(v, path, "priority", false, 1,
						 5, &n, err);
		if (p->has_hold_priority[t])
			p->v.hold_priority[t] = (int)n;
	}
}

/* Decode the PATCH body into p, adding a detail to err per bad member or
 * value: every problem a patch can have without the current settings. */
static void patch_decode(const json_t *doc, tenant_settings_patch *p,
			 ordo_err *err)
{
	const char *key;
	json_t *v;
	char text[16], list[JF_LIST_MAX];

	patch_check(doc, err);
	json_object_foreach((json_t *)doc, key, v) {
		if (json_is_null(v) && strcmp(key, "cutoff_utc") != 0)
			ordo_err_add(err, ORDO_EINVALID, key,
				     "must not be null (only cutoff_utc can "
				     "be cleared)");
	}
#define SETTINGS_X_DECODE(f, name, min, max, def)                              \
	p->has_##f = jf_int(doc, "", name, false, min, max, &p->v.f, err);
	SETTINGS_INT_MAP(SETTINGS_X_DECODE)
#undef SETTINGS_X_DECODE
	if (jf_string(doc, "", "backorder_mode", false, text, sizeof(text),
		      err)) {
		if (backorder_mode_parse(text, &p->v.backorder) == 0) {
			p->has_backorder = true;
		} else {
			JF_ENUM_LIST(list, sizeof(list), backorder_mode_name,
				     BACKORDER_HOLD + 1);
			ordo_err_add(err, ORDO_EINVALID, "backorder_mode",
				     "\"%s\" is not a backorder mode; one "
				     "of: %s",
				     text, list);
		}
	}
	if (jf_string(doc, "", "release_mode", false, text, sizeof(text),
		      err)) {
		if (release_mode_parse(text, &p->v.release) == 0) {
			p->has_release = true;
		} else {
			JF_ENUM_LIST(list, sizeof(list), release_mode_name,
				     RELEASE_WAVE + 1);
			ordo_err_add(err, ORDO_EINVALID, "release_mode",
				     "\"%s\" is not a release mode; one of: "
				     "%s",
				     text, list);
		}
	}
	decode_holds(doc, p, err);
	v = json_object_get(doc, "cutoff_utc");
	if (json_is_null(v)) {
		p->has_cutoff = true;
		p->v.cutoff_minute = -1;
	} else if (v) {
		if (json_is_string(v) &&
		    (p->v.cutoff_minute = settings_cutoff_parse(
			     json_string_value(v))) >= 0)
			p->has_cutoff = true;
		else
			ordo_err_add(err, ORDO_EINVALID, "cutoff_utc",
				     "must be \"HH:MM\" (UTC) or null");
	}
}

static json_t *patch_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return settings_json(&((const app_settings_cmd *)w)->stored);
}

enum MHD_Result api_settings_patch(api_request *r)
{
	app_settings_cmd *c;
	enum MHD_Result ret;
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
	app_settings_cmd_init(c, &r->caller, api_now(r));
	ordo_err_clear(err);
	patch_decode(doc, &c->patch, err);
	json_decref(doc);
	if (err->code != ORDO_OK) {
		ordo_err_set_message(err, "the settings have %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		free(c);
		return ret;
	}
	ordo_err_clear(err);
	return api_submit_write(r, &c->w, patch_reply, api_write_free);
}
