/*
 * catalog.c - /v1/skus and /v1/locations over HTTP: decode into a command,
 * submit it, encode the answer from its outputs.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"
#include "core/validate.h"

/* ---- SKUs --------------------------------------------------------------- */

static const char *const no_query[] = {NULL};
static const char *const list_query[] = {"limit", "cursor", NULL};

static void sku_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {
		"sku", "title", "currency", "unit_price", "active", NULL,
	};
	static const char *const computed[] = {"updated_at", NULL};
	catalog_sku *s = out;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "sku", true, s->sku, sizeof(s->sku), err);
	jf_string(doc, "", "title", false, s->title, sizeof(s->title), err);
	ordo_strlcpy(s->currency, "USD", sizeof(s->currency));
	jf_string(doc, "", "currency", false, s->currency,
		  sizeof(s->currency), err);
	if (s->currency[0] == '\0')
		ordo_strlcpy(s->currency, "USD", sizeof(s->currency));
	jf_money(doc, "", "unit_price", true, s->currency, false,
		 &s->unit_price, err);
	s->active = true;
	jf_bool(doc, "", "active", false, &s->active, err);
}

static json_t *sku_reply(api_request *r, const app_write *w, int *status)
{
	const app_sku_cmd *c = (const app_sku_cmd *)w;

	(void)r;
	*status = c->created ? 201 : 200;
	return native_sku_json(&c->stored);
}

enum MHD_Result api_sku_create(api_request *r)
{
	app_sku_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_sku_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, sku_decode, &c->sku, &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, sku_reply, api_write_free);
}

enum MHD_Result api_sku_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	catalog_sku *items = NULL;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;

	if (!api_query_only(r, list_query, &ret) ||
	    !api_query_limit(r, &limit, &ret))
		return ret;
	if (app_sku_list(r->srv->st, &r->caller, cursor ? cursor : "",
			 limit + 1, &items, &n, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n && i < (size_t)limit; i++)
		json_array_append_new(arr, native_sku_json(&items[i]));
	j = json_pack("{s:o}", "skus", arr);
	json_object_set_new(j, "next_cursor",
			    n > (size_t)limit
				    ? json_string(items[limit - 1].sku)
				    : json_null());
	free(items);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

/* ---- locations ---------------------------------------------------------- */

/* "serves": ["US", "US-CA", ...]: ISO countries, or country-region. */
static void decode_serves(const json_t *doc, catalog_location *l,
			  ordo_err *err)
{
	json_t *arr = jf_array(doc, "", "serves", false, err), *v;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	if (!arr)
		return;
	if (json_array_size(arr) > LOCATION_MAX_SERVES) {
		ordo_err_add(err, ORDO_EINVALID, "serves",
			     "a location serves at most %d destinations",
			     LOCATION_MAX_SERVES);
		return;
	}
	json_array_foreach(arr, i, v) {
		const char *t = json_string_value(v);
		size_t len = t ? strlen(t) : 0;
		char country[3];

		jf_index_path(path, sizeof(path), "serves", i);
		if (t && len >= 2) {
			country[0] = t[0];
			country[1] = t[1];
			country[2] = '\0';
		}
		if (!t || len < 2 || len >= LOCATION_SERVE_MAX ||
		    !validate_country_known(country) ||
		    (len > 2 && (t[2] != '-' || len < 4))) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be a country code (\"US\") or "
				     "country and region (\"US-CA\")");
			continue;
		}
		ordo_strlcpy(l->serves[l->n_serves++], t,
			     sizeof(l->serves[0]));
	}
}

static void location_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {
		"code",	      "name",	 "line1",    "line2",  "city",
		"region",     "postal_code", "country", "priority", "active",
		"serves",     NULL,
	};
	static const char *const computed[] = {"updated_at", NULL};
	catalog_location *l = out;
	int64_t priority = 100;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "code", true, l->code, sizeof(l->code), err);
	jf_string(doc, "", "name", true, l->name, sizeof(l->name), err);
	jf_string(doc, "", "line1", false, l->address.line1,
		  sizeof(l->address.line1), err);
	jf_string(doc, "", "line2", false, l->address.line2,
		  sizeof(l->address.line2), err);
	jf_string(doc, "", "city", false, l->address.city,
		  sizeof(l->address.city), err);
	jf_string(doc, "", "region", false, l->address.region,
		  sizeof(l->address.region), err);
	jf_string(doc, "", "postal_code", false, l->address.postal_code,
		  sizeof(l->address.postal_code), err);
	jf_string(doc, "", "country", true, l->address.country,
		  sizeof(l->address.country), err);
	jf_int(doc, "", "priority", false, 0, 10000, &priority, err);
	l->priority = (int)priority;
	l->active = true;
	jf_bool(doc, "", "active", false, &l->active, err);
	decode_serves(doc, l, err);
}

static json_t *location_reply(api_request *r, const app_write *w,
			      int *status)
{
	const app_location_cmd *c = (const app_location_cmd *)w;

	(void)r;
	*status = c->created ? 201 : 200;
	return native_location_json(&c->stored);
}

enum MHD_Result api_location_create(api_request *r)
{
	app_location_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_location_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, location_decode, &c->location, &ret)) {
		free(c);
		return ret;
	}
	return api_submit_write(r, &c->w, location_reply, api_write_free);
}

enum MHD_Result api_location_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	catalog_location *items = NULL;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;

	if (!api_query_only(r, list_query, &ret) ||
	    !api_query_limit(r, &limit, &ret))
		return ret;
	if (app_location_list(r->srv->st, &r->caller, cursor ? cursor : "",
			      limit + 1, &items, &n, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n && i < (size_t)limit; i++)
		json_array_append_new(arr, native_location_json(&items[i]));
	j = json_pack("{s:o}", "locations", arr);
	json_object_set_new(j, "next_cursor",
			    n > (size_t)limit
				    ? json_string(items[limit - 1].code)
				    : json_null());
	free(items);
	return api_reply_json(r, MHD_HTTP_OK, j);
}
