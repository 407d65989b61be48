/*
 * audit.c - the audit log (audit.h).
 *
 * The detail is encoded in the change's transaction: a few members, for
 * changes people make by hand (settings, keys, a login), never for the
 * writes of the order flow.
 */
#include "app/audit.h"

#include <stdlib.h>
#include <string.h>

ordo_code app_audit(store_tx *tx, const app_caller *c, ordo_time now,
		    const char *kind, const char *target, json_t *before,
		    json_t *after, ordo_err *err)
{
	json_t *detail = json_pack("{s:o?, s:o?}", "before", before, "after",
				   after);
	store_audit a;
	ordo_code rc;

	memset(&a, 0, sizeof(a));
	a.at = now;
	ordo_strlcpy(a.actor, c->actor, sizeof(a.actor));
	ordo_strlcpy(a.address, c->address[0] ? c->address : "local",
		     sizeof(a.address));
	ordo_strlcpy(a.kind, kind, sizeof(a.kind));
	ordo_strlcpy(a.target, target, sizeof(a.target));
	a.detail = detail ? json_dumps(detail, JSON_COMPACT |
						       JSON_PRESERVE_ORDER)
			  : NULL;
	json_decref(detail);
	if (!a.detail)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "no memory for an audit row");
	rc = store_audit_insert(tx, c->tenant_id, &a, err);
	free(a.detail);
	return rc;
}

ordo_code app_audit_settings(store_tx *tx, const app_caller *c, ordo_time now,
			     const tenant_settings *before,
			     const tenant_settings *after, ordo_err *err)
{
	json_t *was = json_object(), *is = json_object();

#define AUDIT_X_INT(field, name, min, max, def)                                \
	if (before->field != after->field) {                                   \
		json_object_set_new(was, name, json_integer(before->field));   \
		json_object_set_new(is, name, json_integer(after->field));     \
	}
	SETTINGS_INT_MAP(AUDIT_X_INT)
#undef AUDIT_X_INT
	if (before->backorder != after->backorder) {
		json_object_set_new(
			was, "backorder_mode",
			json_string(backorder_mode_name(before->backorder)));
		json_object_set_new(
			is, "backorder_mode",
			json_string(backorder_mode_name(after->backorder)));
	}
	if (before->release != after->release) {
		json_object_set_new(
			was, "release_mode",
			json_string(release_mode_name(before->release)));
		json_object_set_new(
			is, "release_mode",
			json_string(release_mode_name(after->release)));
	}
	if (before->cutoff_minute != after->cutoff_minute) {
		json_object_set_new(was, "cutoff_minute",
				    json_integer(before->cutoff_minute));
		json_object_set_new(is, "cutoff_minute",
				    json_integer(after->cutoff_minute));
	}
	if (memcmp(before->hold_sla_s, after->hold_sla_s,
		   sizeof(before->hold_sla_s)) != 0 ||
	    memcmp(before->hold_priority, after->hold_priority,
		   sizeof(before->hold_priority)) != 0) {
		json_object_set_new(was, "holds", json_string("changed"));
		json_object_set_new(is, "holds", json_string("changed"));
	}
	return app_audit(tx, c, now, "settings.changed", "settings", was, is,
			 err);
}

ordo_code app_audit_list(store *st, const app_caller *c,
			 const store_audit_filter *f, store_audit **out,
			 size_t *n, int64_t *next, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc = store_read_begin(st, &tx, err);

	*out = NULL;
	*n = 0;
	*next = 0;
	if (rc)
		return rc;
	rc = store_audit_list(tx, c->tenant_id, f, out, n, next, err);
	store_read_end(tx);
	return rc;
}
