/*
 * shipments.c - shipments read back over HTTP: one by id, and the list
 * with its filters (order_id, fulfillment_id, location, carrier,
 * tracking_number), newest first with a cursor. Each filter is exact and
 * served by an index (store_shipment_list); a value longer than ordo
 * stores can match nothing, so it is refused as invalid rather than cut.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"

enum MHD_Result api_shipment_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	shipment s;
	json_t *j;
	enum MHD_Result ret;
	static const char *const no_query[] = {NULL};

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	memset(&s, 0, sizeof(s));
	if (app_shipment_get(r->srv->st, &r->caller, r->params[0], &s, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	j = native_shipment_json(&s);
	shipment_free(&s);
	return api_reply_json(r, MHD_HTTP_OK, j);
}

/* Copy the query parameter `name` into dst when present; false (with the
 * 400 answer in *ret) when it is too long. */
static bool filter_param(api_request *r, const char *name, char *dst,
			 size_t size, enum MHD_Result *ret)
{
	const char *v = api_query(r, name);

	if (!v)
		return true;
	if (ordo_strlcpy(dst, v, size) != 0) {
		*ret = api_reply_fail(r, ORDO_EINVALID, name,
				      "%s is longer than %zu characters", name,
				      size - 1);
		return false;
	}
	return true;
}

enum MHD_Result api_shipment_list(api_request *r)
{
	const char *cursor = api_query(r, "cursor");
	shipment_filter f;
	shipment *items = NULL;
	int64_t next = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	static const char *const query[] = {
		"order_id", "fulfillment_id", "location", "carrier",
		"tracking_number", "limit", "cursor", NULL};

	memset(&f, 0, sizeof(f));
	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &f.before_seq, &ret))
		return ret;
	if (!filter_param(r, "order_id", f.order_id, sizeof(f.order_id),
			  &ret) ||
	    !filter_param(r, "fulfillment_id", f.fulfillment_id,
			  sizeof(f.fulfillment_id), &ret) ||
	    !filter_param(r, "location", f.location, sizeof(f.location),
			  &ret) ||
	    !filter_param(r, "carrier", f.carrier, sizeof(f.carrier), &ret) ||
	    !filter_param(r, "tracking_number", f.tracking_number,
			  sizeof(f.tracking_number), &ret))
		return ret;
	if (app_shipment_list(r->srv->st, &r->caller, &f, &items, &n, &next,
			      err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, native_shipment_json(&items[i]));
		shipment_free(&items[i]);
	}
	free(items);
	j = json_pack("{s:o}", "shipments", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}
