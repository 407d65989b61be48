/*
 * settings.c - GET and PATCH /v1/settings. A PATCH names only what it
 * changes; the result is checked whole before it is saved.
 *
 * The patch's shape - which members, which hold types, which members of
 * each hold type - and its values are checked before the write
 * (patch_check, and a merge into scratch settings); inside the write it is
 * merged into the stored settings and the result is checked whole.
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

/* The patch, kept as JSON until it is merged inside the transaction. */
static void patch_free(void *p)
{
	json_decref(p);
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
static void merge_holds(const json_t *patch, tenant_settings *s,
			ordo_err *err)
{
	json_t *holds = jf_object(patch, "", "holds", false, err), *v;
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
		if (jf_int(v, path, "sla_s", false, 60,
			   SETTINGS_HOLD_SLA_MAX_S, &n, err))
			s->hold_sla_s[t] = n;
		if (jf_int(v, path, "priority", false, 1, 5, &n, err))
			s->hold_priority[t] = (int)n;
	}
}

/* Merge patch into s, adding a detail to err per bad value. */
static void merge(void *ctx, tenant_settings *s, ordo_err *err)
{
	const json_t *patch = ctx;
	const char *key;
	json_t *v;
	char text[16], list[JF_LIST_MAX];

	json_object_foreach((json_t *)patch, key, v) {
		if (json_is_null(v) && strcmp(key, "cutoff_utc") != 0)
			ordo_err_add(err, ORDO_EINVALID, key,
				     "must not be null (only cutoff_utc can "
				     "be cleared)");
	}
#define SETTINGS_X_MERGE(f, name, min, max, def)                               \
	jf_int(patch, "", name, false, min, max, &s->f, err);
	SETTINGS_INT_MAP(SETTINGS_X_MERGE)
#undef SETTINGS_X_MERGE
	if (jf_string(patch, "", "backorder_mode", false, text, sizeof(text),
		      err) &&
	    backorder_mode_parse(text, &s->backorder) != 0) {
		JF_ENUM_LIST(list, sizeof(list), backorder_mode_name,
			     BACKORDER_HOLD + 1);
		ordo_err_add(err, ORDO_EINVALID, "backorder_mode",
			     "\"%s\" is not a backorder mode; one of: %s", text,
			     list);
	}
	if (jf_string(patch, "", "release_mode", false, text, sizeof(text),
		      err) &&
	    release_mode_parse(text, &s->release) != 0) {
		JF_ENUM_LIST(list, sizeof(list), release_mode_name,
			     RELEASE_WAVE + 1);
		ordo_err_add(err, ORDO_EINVALID, "release_mode",
			     "\"%s\" is not a release mode; one of: %s", text,
			     list);
	}
	merge_holds(patch, s, err);
	v = json_object_get(patch, "cutoff_utc");
	if (json_is_null(v)) {
		s->cutoff_minute = -1;
	} else if (v) {
		if (!json_is_string(v) ||
		    (s->cutoff_minute = settings_cutoff_parse(
			     json_string_value(v))) < 0)
			ordo_err_add(err, ORDO_EINVALID, "cutoff_utc",
				     "must be \"HH:MM\" (UTC) or null");
	}
}

static ordo_code patch_write(store_tx *tx, api_request *r, int *status,
			     char **body, ordo_err *err)
{
	tenant_settings s;
	ordo_code rc = app_settings_update(tx, &r->caller, merge, r->payload,
					   &s, err);

	if (rc) {
		if (err->n_details > 0)
			ordo_err_set_message(err,
					     "the settings have %zu problem%s",
					     err->n_details,
					     err->n_details == 1 ? "" : "s");
		return rc;
	}
	return api_answer(settings_json(&s), 200, status, body, err);
}

enum MHD_Result api_settings_patch(api_request *r)
{
	enum MHD_Result ret;
	json_t *patch;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	patch = api_body_object(r, &ret);
	if (!patch)
		return ret;
	patch_check(patch, err);
	/* The values too, merged into scratch settings here so that every
	 * problem is listed at once and a bad patch never reaches the write;
	 * the merge inside the write then checks the settings whole. */
	{
		tenant_settings scratch;

		settings_defaults(&scratch);
		merge(patch, &scratch, err);
	}
	if (err->code != ORDO_OK) {
		json_decref(patch);
		ordo_err_set_message(err, "the settings have %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	return api_submit_tx_write(r, patch_write, patch, patch_free);
}
