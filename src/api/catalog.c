/*
 * catalog.c - /v1/skus, /v1/locations and stock counts over HTTP: decode,
 * hand to the app layer inside a write, encode.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

/* Decode the body with `decode`; answer 400 with every problem if any. */
static bool decode_body(api_request *r,
			void (*decode)(const json_t *doc, void *out,
				       ordo_err *err),
			void *out, enum MHD_Result *ret)
{
	json_t *doc = api_body_object(r, ret);
	ordo_err *err;
	bool ok;

	if (!doc)
		return false;
	err = malloc(sizeof(*err));
	if (!err) {
		json_decref(doc);
		*ret = MHD_NO;
		return false;
	}
	ordo_err_clear(err);
	decode(doc, out, err);
	json_decref(doc);
	ok = err->code == ORDO_OK;
	if (!ok) {
		ordo_err_set_message(err, "the request has %zu problem%s",
				     err->n_details,
				     err->n_details == 1 ? "" : "s");
		*ret = api_reply_error(r, err);
	}
	free(err);
	return ok;
}

/* Answer a write with a JSON body (takes the reference). */
static ordo_code answer(json_t *j, int status_in, int *status, char **body,
			ordo_err *err)
{
	*body = native_dump(j);
	json_decref(j);
	if (!*body)
		return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory");
	*status = status_in;
	return ORDO_OK;
}

/* ---- SKUs --------------------------------------------------------------- */

static void sku_decode(const json_t *doc, void *out, ordo_err *err)
{
	catalog_sku *s = out;

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

static ordo_code sku_write(store_tx *tx, api_request *r, int *status,
			   char **body, ordo_err *err)
{
	catalog_sku *s = r->payload;
	bool created;
	ordo_code rc = app_sku_put(tx, &r->caller, s, &created, err);

	if (rc)
		return rc;
	return answer(native_sku_json(s), created ? 201 : 200, status, body, err);
}

enum MHD_Result api_sku_create(api_request *r)
{
	catalog_sku *s = calloc(1, sizeof(*s));
	enum MHD_Result ret;

	if (!s)
		return MHD_NO;
	if (!decode_body(r, sku_decode, s, &ret)) {
		free(s);
		return ret;
	}
	return api_submit_write(r, sku_write, s, free);
}

enum MHD_Result api_sku_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	catalog_sku *items = NULL;
	ordo_err *err;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;

	if (!api_query_limit(r, &limit, &ret))
		return ret;
	err = malloc(sizeof(*err));
	if (!err)
		return MHD_NO;
	ordo_err_clear(err);
	if (app_sku_list(r->srv->st, &r->caller, cursor ? cursor : "",
			 limit + 1, &items, &n, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		free(err);
		return ret;
	}
	free(err);
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

static void location_decode(const json_t *doc, void *out, ordo_err *err)
{
	catalog_location *l = out;
	int64_t priority = 100;

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
}

static ordo_code location_write(store_tx *tx, api_request *r, int *status,
				char **body, ordo_err *err)
{
	catalog_location *l = r->payload;
	bool created;
	ordo_code rc = app_location_put(tx, &r->caller, l, &created, err);

	if (rc)
		return rc;
	return answer(native_location_json(l), created ? 201 : 200, status, body,
		      err);
}

enum MHD_Result api_location_create(api_request *r)
{
	catalog_location *l = calloc(1, sizeof(*l));
	enum MHD_Result ret;

	if (!l)
		return MHD_NO;
	if (!decode_body(r, location_decode, l, &ret)) {
		free(l);
		return ret;
	}
	return api_submit_write(r, location_write, l, free);
}

enum MHD_Result api_location_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	catalog_location *items = NULL;
	ordo_err *err;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	int limit;

	if (!api_query_limit(r, &limit, &ret))
		return ret;
	err = malloc(sizeof(*err));
	if (!err)
		return MHD_NO;
	ordo_err_clear(err);
	if (app_location_list(r->srv->st, &r->caller, cursor ? cursor : "",
			      limit + 1, &items, &n, err) != ORDO_OK) {
		ret = api_reply_error(r, err);
		free(err);
		return ret;
	}
	free(err);
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

/* ---- stock -------------------------------------------------------------- */

struct stock_count {
	int64_t on_hand;
};

static void stock_decode(const json_t *doc, void *out, ordo_err *err)
{
	struct stock_count *s = out;

	jf_int(doc, "", "on_hand", true, 0, ORDO_MAX_STOCK, &s->on_hand, err);
}

static ordo_code stock_write(store_tx *tx, api_request *r, int *status,
			     char **body, ordo_err *err)
{
	struct stock_count *s = r->payload;
	stock_level level;
	ordo_code rc = app_stock_count(tx, &r->caller, r->params[0],
				       r->params[1], s->on_hand, &level, err);

	if (rc)
		return rc;
	return answer(native_stock_json(&level), 200, status, body, err);
}

enum MHD_Result api_stock_put(api_request *r)
{
	struct stock_count *s = calloc(1, sizeof(*s));
	enum MHD_Result ret;

	if (!s)
		return MHD_NO;
	if (!decode_body(r, stock_decode, s, &ret)) {
		free(s);
		return ret;
	}
	return api_submit_write(r, stock_write, s, free);
}
