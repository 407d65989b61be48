/*
 * audit.c - the tenant's audit log, for its admins: GET /v1/audit
 * (app/audit.h), newest first, by kind, actor and time.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "app/audit.h"
#include "channels/json_fields.h"

static json_t *audit_json(const store_audit *a)
{
	json_t *detail = json_loads(a->detail, 0, NULL);
	json_t *j = json_pack("{s:o, s:s, s:s, s:s, s:s}", "at",
			      native_time_json(a->at), "actor", a->actor,
			      "address", a->address, "kind", a->kind, "target",
			      a->target);
	json_t *before = json_object_get(detail, "before");
	json_t *after = json_object_get(detail, "after");

	json_object_set(j, "before", before ? before : json_null());
	json_object_set(j, "after", after ? after : json_null());
	json_decref(detail);
	return j;
}

enum MHD_Result api_audit_list(api_request *r)
{
	static const char *const query[] = {"kind", "actor", "from", "to",
					    "limit", "cursor", NULL};
	const char *kind = api_query(r, "kind");
	const char *actor = api_query(r, "actor");
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_audit_filter f;
	store_audit *items = NULL;
	int64_t next = 0;
	enum MHD_Result ret;
	json_t *arr, *j;
	size_t n = 0, i;

	memset(&f, 0, sizeof(f));
	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret) ||
	    !api_query_time(r, "from", &f.from, NULL, &ret) ||
	    !api_query_time(r, "to", &f.to, NULL, &ret) ||
	    (cursor && !api_parse_cursor(r, cursor, &f.before, &ret)))
		return ret;
	if (kind && ordo_strlcpy(f.kind, kind, sizeof(f.kind)) != 0)
		return api_reply_fail(r, ORDO_EINVALID, "kind",
				      "a kind is at most %zu characters",
				      sizeof(f.kind) - 1);
	if (actor && ordo_strlcpy(f.actor, actor, sizeof(f.actor)) != 0)
		return api_reply_fail(r, ORDO_EINVALID, "actor",
				      "an actor is at most %zu characters",
				      sizeof(f.actor) - 1);
	if (app_audit_list(r->srv->st, &r->caller, &f, &items, &n, &next,
			   err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, audit_json(&items[i]));
	store_audit_free(items, n);
	j = json_pack("{s:o}", "audit", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
