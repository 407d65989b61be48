/*
 * holds.c - GET /v1/holds: a tenant's holds, open or resolved, of one
 * rule or of one hold type or all, raised in a time range, newest first -
 * the holds behind the figures of GET /v1/metrics/automation.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "channels/native_out.h"

/* A cursor "<created_at>.<id>": the last hold of the page before. */
static bool cursor_read(const char *text, store_hold_filter *f)
{
	const char *dot = strchr(text, '.'), *p;
	char *end;
	long long at;

	if (!dot || dot == text || dot - text > 18 || strlen(dot + 1) == 0 ||
	    strlen(dot + 1) >= sizeof(f->before_id))
		return false;
	for (p = text; p < dot; p++)
		if (*p < '0' || *p > '9')
			return false;
	for (p = dot + 1; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	at = strtoll(text, &end, 10);
	if (end != dot || at < 0)
		return false;
	f->before_at = at;
	ordo_strlcpy(f->before_id, dot + 1, sizeof(f->before_id));
	return true;
}

enum MHD_Result api_hold_history(api_request *r)
{
	static const char *const query[] = {"rule_id", "type", "from", "to",
					    "limit",   "cursor", NULL};
	const char *rule_id = api_query(r, "rule_id");
	const char *type = api_query(r, "type");
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_hold_filter f;
	store_hold_row *rows = NULL;
	enum MHD_Result ret;
	int64_t from = 0, to = 0;
	bool has_to = false, more = false;
	hold_type t;
	size_t n = 0, i;
	json_t *arr, *j;

	memset(&f, 0, sizeof(f));
	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret) ||
	    !api_query_time(r, "from", &from, NULL, &ret) ||
	    !api_query_time(r, "to", &to, &has_to, &ret))
		return ret;
	if (rule_id && type)
		return api_reply_fail(r, ORDO_EINVALID, "type",
				      "name the holds by rule_id or by type, "
				      "not both");
	if (rule_id && (!*rule_id || strlen(rule_id) >= sizeof(f.rule_id)))
		return api_reply_fail(r, ORDO_EINVALID, "rule_id",
				      "a rule id is 1 to %d bytes",
				      (int)sizeof(f.rule_id) - 1);
	if (type && hold_type_parse(type, &t) != 0) {
		char list[JF_LIST_MAX];

		JF_ENUM_LIST(list, sizeof(list), hold_type_name,
			     HOLD_TYPE_COUNT);
		return api_reply_fail(r, ORDO_EINVALID, "type",
				      "\"%s\" is not a hold type; one of: %s",
				      type, list);
	}
	ordo_strlcpy(f.rule_id, rule_id ? rule_id : "", sizeof(f.rule_id));
	ordo_strlcpy(f.type, type ? type : "", sizeof(f.type));
	f.from = from;
	f.before_at = has_to ? to : INT64_MAX;
	f.before_id[0] = '\0';
	/* The next page: older than the last of the one before (which
	 * was in [from, to) already). */
	if (cursor && !cursor_read(cursor, &f))
		return api_reply_fail(r, ORDO_EINVALID, "cursor",
				      "the page cursor is not valid");
	if (app_hold_history(r->srv->st, &r->caller, &f, &rows, &n, &more,
			     err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_t *h = native_hold_json(&rows[i].hold, api_now(r));

		json_object_set_new(h, "order_id",
				    json_string(rows[i].order_id));
		json_array_append_new(arr, h);
	}
	j = json_pack("{s:o}", "holds", arr);
	if (more && n > 0) {
		char next[64];

		snprintf(next, sizeof(next), "%" PRId64 ".%s",
			 (int64_t)rows[n - 1].hold.created_at,
			 rows[n - 1].hold.id);
		json_object_set_new(j, "next_cursor", json_string(next));
	} else {
		json_object_set_new(j, "next_cursor", json_null());
	}
	free(rows);
	return api_reply_json(r, MHD_HTTP_OK, j);
}
