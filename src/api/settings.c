/*
 * settings.c - GET and PATCH /v1/settings. A PATCH names only what it
 * changes; the result is checked whole before it is saved.
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

enum MHD_Result api_settings_get(api_request *r)
{
	ordo_err *err = malloc(sizeof(*err));
	tenant_settings s;
	enum MHD_Result ret;

	if (!err)
		return MHD_NO;
	ordo_err_clear(err);
	if (app_settings_get(r->srv->st, &r->caller, &s, err)) {
		ret = api_reply_error(r, err);
		free(err);
		return ret;
	}
	free(err);
	return api_reply_json(r, MHD_HTTP_OK, settings_json(&s));
}

/* The patch, kept as JSON until it is merged inside the transaction. */
static void patch_free(void *p)
{
	json_decref(p);
}

static bool known_key(const char *key)
{
	static const char *const keys[] = {
#define SETTINGS_X_NAME(f, name, min, max, def) name,
		SETTINGS_INT_MAP(SETTINGS_X_NAME)
#undef SETTINGS_X_NAME
			"backorder_mode",
		"release_mode", "cutoff_utc", "holds",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(key, keys[i]) == 0)
			return true;
	return false;
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
		if (hold_type_parse(type, &t) != 0) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "is not a hold type");
			continue;
		}
		if (!json_is_object(v)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be {\"sla_s\": N, \"priority\": N}");
			continue;
		}
		{
			const char *k;
			json_t *x;
			char kpath[ORDO_ERR_FIELD_MAX];

			json_object_foreach(v, k, x) {
				(void)x;
				if (strcmp(k, "sla_s") == 0 ||
				    strcmp(k, "priority") == 0)
					continue;
				jf_path(kpath, sizeof(kpath), path, k);
				ordo_err_add(err, ORDO_EINVALID, kpath,
					     "is not a hold setting (sla_s, "
					     "priority)");
			}
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
	char text[16];

	json_object_foreach((json_t *)patch, key, v) {
		if (!known_key(key))
			ordo_err_add(err, ORDO_EINVALID, key,
				     "is not a setting");
		else if (json_is_null(v) && strcmp(key, "cutoff_utc") != 0)
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
	    backorder_mode_parse(text, &s->backorder) != 0)
		ordo_err_add(err, ORDO_EINVALID, "backorder_mode",
			     "must be \"backorder\" or \"hold\"");
	if (jf_string(patch, "", "release_mode", false, text, sizeof(text),
		      err) &&
	    release_mode_parse(text, &s->release) != 0)
		ordo_err_add(err, ORDO_EINVALID, "release_mode",
			     "must be \"auto\" or \"wave\"");
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
	json_t *patch = api_body_object(r, &ret);

	if (!patch)
		return ret;
	return api_submit_write(r, patch_write, patch, patch_free);
}
