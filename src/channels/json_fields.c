/*
 * json_fields.c - typed field readers with path-named errors. See
 * json_fields.h.
 */
#include "channels/json_fields.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/money.h"
#include "core/timeutil.h"

void jf_path(char *buf, size_t size, const char *parent, const char *key)
{
	if (parent && parent[0])
		snprintf(buf, size, "%s.%s", parent, key);
	else
		snprintf(buf, size, "%s", key);
}

void jf_index_path(char *buf, size_t size, const char *parent, size_t i)
{
	snprintf(buf, size, "%s[%zu]", parent, i);
}

/* The member, or NULL when absent or JSON null (null means "not given"). */
static json_t *member(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

static void missing(const char *path, bool required, ordo_err *err)
{
	if (required)
		ordo_err_add(err, ORDO_EINVALID, path, "is required");
}

bool jf_string(const json_t *obj, const char *parent, const char *key,
	       bool required, char *dst, size_t size, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);
	size_t len;

	dst[0] = '\0';
	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return false;
	}
	if (!json_is_string(v)) {
		ordo_err_add(err, ORDO_EINVALID, path, "must be a string");
		return false;
	}
	len = json_string_length(v);
	if (len >= size) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be at most %zu characters (got %zu)",
			     size - 1, len);
		return false;
	}
	if (len == 0) {
		missing(path, required, err);
		return false;
	}
	memcpy(dst, json_string_value(v), len + 1);
	return true;
}

bool jf_int(const json_t *obj, const char *parent, const char *key,
	    bool required, int64_t min, int64_t max, int64_t *out,
	    ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);
	json_int_t n;

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return false;
	}
	if (!json_is_integer(v)) {
		ordo_err_add(err, ORDO_EINVALID, path, "must be an integer");
		return false;
	}
	n = json_integer_value(v);
	if (n < min || n > max) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be between %lld and %lld (got %lld)",
			     (long long)min, (long long)max, (long long)n);
		return false;
	}
	*out = n;
	return true;
}

bool jf_bool(const json_t *obj, const char *parent, const char *key,
	     bool required, bool *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return false;
	}
	if (!json_is_boolean(v)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be true or false");
		return false;
	}
	*out = json_is_true(v);
	return true;
}

bool jf_money(const json_t *obj, const char *parent, const char *key,
	      bool required, const char *currency, bool allow_negative,
	      int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);
	ordo_err one = ORDO_ERR_INIT;

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return false;
	}
	if (!json_is_string(v)) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be a decimal string such as \"12.50\"");
		return false;
	}
	if (money_parse(json_string_value(v), currency, allow_negative, out,
			path, &one) != ORDO_OK) {
		ordo_err_add(err, ORDO_EINVALID, path, "%s", one.message);
		ordo_err_clear(&one);
		return false;
	}
	return true;
}

bool jf_time(const json_t *obj, const char *parent, const char *key,
	     bool required, int64_t *out, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return false;
	}
	if (!json_is_string(v) ||
	    time_parse_rfc3339(json_string_value(v), out) != 0) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "must be an RFC 3339 time such as "
			     "\"2026-11-27T10:15:00Z\"");
		return false;
	}
	return true;
}

json_t *jf_object(const json_t *obj, const char *parent, const char *key,
		  bool required, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return NULL;
	}
	if (!json_is_object(v)) {
		ordo_err_add(err, ORDO_EINVALID, path, "must be an object");
		return NULL;
	}
	return v;
}

json_t *jf_array(const json_t *obj, const char *parent, const char *key,
		 bool required, ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	json_t *v = member(obj, key);

	jf_path(path, sizeof(path), parent, key);
	if (!v) {
		missing(path, required, err);
		return NULL;
	}
	if (!json_is_array(v)) {
		ordo_err_add(err, ORDO_EINVALID, path, "must be an array");
		return NULL;
	}
	return v;
}

/* ---- strict objects ------------------------------------------------------ */

static bool in_list(const char *name, const char *const list[])
{
	size_t i;

	for (i = 0; list && list[i]; i++)
		if (strcmp(name, list[i]) == 0)
			return true;
	return false;
}

/* Names longer than this are never typos of a member name. */
#define JF_NAME_CMP_MAX 48

/*
 * Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of two adjacent characters each cost one, so "emial" is one
 * edit from "email".
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[JF_NAME_CMP_MAX + 1][JF_NAME_CMP_MAX + 1];

	if (la > JF_NAME_CMP_MAX || lb > JF_NAME_CMP_MAX)
		return SIZE_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[la][lb];
}

const char *jf_closest(const char *name, const char *const known[])
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX, len = strlen(name), i;
	/* One edit in short names, up to a third of a longer one: close
	 * enough to be a slip of the keyboard, not a different word. */
	size_t allowed = len <= 4 ? 1 : (len + 2) / 3;

	for (i = 0; known && known[i]; i++) {
		size_t d = edit_distance(name, known[i]);

		if (d < best_d) {
			best_d = d;
			best = known[i];
		}
	}
	return best && best_d <= allowed ? best : NULL;
}

void jf_list_add(char *buf, size_t size, const char *name)
{
	size_t used = strlen(buf);

	if (used + 1 >= size)
		return;
	snprintf(buf + used, size - used, "%s%s", used ? ", " : "", name);
}

void jf_unknown(const char *path, const char *name, const char *const known[],
		const char *what, ordo_err *err)
{
	const char *close = jf_closest(name, known);
	char list[JF_LIST_MAX] = "";
	size_t i;

	if (close) {
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is not a %s ordo takes here; did you mean "
			     "\"%s\"?",
			     what, close);
		return;
	}
	for (i = 0; known && known[i]; i++)
		jf_list_add(list, sizeof(list), known[i]);
	if (list[0])
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is not a %s ordo takes here; it takes: %s",
			     what, list);
	else
		ordo_err_add(err, ORDO_EINVALID, path,
			     "is not a %s ordo takes here; it takes none",
			     what);
}

void jf_only(const json_t *obj, const char *parent, const char *const known[],
	     const char *const computed[], ordo_err *err)
{
	char path[ORDO_ERR_FIELD_MAX];
	const char *key;
	json_t *v;

	if (!json_is_object(obj))
		return;
	json_object_foreach((json_t *)obj, key, v) {
		(void)v;
		if (in_list(key, known))
			continue;
		jf_path(path, sizeof(path), parent, key);
		if (in_list(key, computed))
			ordo_err_add(err, ORDO_EINVALID, path,
				     "is computed by ordo and cannot be "
				     "written; leave it out");
		else
			jf_unknown(path, key, known, "member", err);
	}
}

static size_t depth_of(const json_t *v)
{
	size_t deepest = 0, d, i;
	const char *key;
	json_t *child;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, child) {
			d = depth_of(child);
			if (d > deepest)
				deepest = d;
			if (deepest > ORDO_MAX_JSON_DEPTH)
				break;
		}
		return deepest + 1;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, child) {
			d = depth_of(child);
			if (d > deepest)
				deepest = d;
			if (deepest > ORDO_MAX_JSON_DEPTH)
				break;
		}
		return deepest + 1;
	}
	return 0;
}

json_t *jf_parse_object(const char *body, size_t len, ordo_err *err)
{
	json_error_t jerr;
	json_t *root;

	if (len == 0) {
		ordo_err_add(err, ORDO_EINVALID, "",
			     "the request body is empty; a JSON object is "
			     "required");
		return NULL;
	}
	/* jansson itself stops at 2048 levels; ours is far lower. */
	root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		ordo_err_add(err, ORDO_EINVALID, "",
			     "the body is not valid JSON: %s (line %d, "
			     "column %d)",
			     jerr.text, jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(root)) {
		ordo_err_add(err, ORDO_EINVALID, "",
			     "the body must be a JSON object");
		json_decref(root);
		return NULL;
	}
	if (depth_of(root) > ORDO_MAX_JSON_DEPTH) {
		ordo_err_add(err, ORDO_EINVALID, "",
			     "the body nests deeper than %d levels",
			     ORDO_MAX_JSON_DEPTH);
		json_decref(root);
		return NULL;
	}
	return root;
}
