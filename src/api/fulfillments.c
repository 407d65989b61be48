/*
 * fulfillments.c - the warehouse's side over HTTP: fulfillment orders to
 * poll, accept and reject; shipments and deliveries; waves of release.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

static ordo_code fulfillment_answer(fulfillment *f, int *status, char **body,
				    ordo_err *err)
{
	json_t *j = native_fulfillment_json(f);

	fulfillment_free(f);
	return api_answer(j, 200, status, body, err);
}

enum MHD_Result api_fulfillment_get(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	fulfillment f;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret)) {
		ordo_err_clear(err);
		return ret;
	}
	memset(&f, 0, sizeof(f));
	if (app_fulfillment_get(r->srv->st, &r->caller, r->params[0], &f,
				err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	{
		json_t *j = native_fulfillment_json(&f);

		fulfillment_free(&f);
		return api_reply_json(r, MHD_HTTP_OK, j);
	}
}

enum MHD_Result api_fulfillment_list(api_request *r)
{
	const char *v, *cursor = api_query(r, "cursor");
	fulfillment_filter f;
	fulfillment *items = NULL;
	int64_t next = 0;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	json_t *arr, *j;
	size_t n = 0, i;
	enum MHD_Result ret;
	static const char *const query[] = {"location", "state", "limit",
					    "cursor", NULL};

	memset(&f, 0, sizeof(f));
	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &f.limit, &ret))
		return ret;
	if (cursor && !api_parse_cursor(r, cursor, &f.before_seq, &ret))
		return ret;
	if ((v = api_query(r, "location")) &&
	    ordo_strlcpy(f.location, v, sizeof(f.location)) != 0)
		return api_reply_fail(r, ORDO_EINVALID, "location",
				      "location is too long");
	if ((v = api_query(r, "state"))) {
		if (fulfillment_state_parse(v, &f.state) != 0) {
			char list[JF_LIST_MAX];

			JF_ENUM_LIST(list, sizeof(list),
				     fulfillment_state_name,
				     FULFILLMENT_STATE_COUNT);
			return api_reply_fail(r, ORDO_EINVALID, "state",
					      "\"%s\" is not a fulfillment "
					      "state; one of: %s",
					      v, list);
		}
		f.has_state = true;
	}
	if (app_fulfillment_list(r->srv->st, &r->caller, &f, &items, &n,
				 &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	ordo_err_clear(err);
	arr = json_array();
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, native_fulfillment_json(&items[i]));
		fulfillment_free(&items[i]);
	}
	free(items);
	j = json_pack("{s:o}", "fulfillments", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}

static ordo_code accept_write(store_tx *tx, api_request *r, int *status,
			      char **body, ordo_err *err)
{
	fulfillment out;
	ordo_code rc;

	memset(&out, 0, sizeof(out));
	rc = app_fulfillment_accept(tx, &r->caller, r->params[0], &out, err);
	if (rc)
		return rc;
	return fulfillment_answer(&out, status, body, err);
}

enum MHD_Result api_fulfillment_accept(api_request *r)
{
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret))
		return ret;
	return api_submit_tx_write(r, accept_write, NULL, NULL);
}

struct reject_input {
	reject_reason reason;
	char message[ORDO_MESSAGE_MAX];
};

static void reject_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"reason", "message", NULL};
	struct reject_input *in = out;
	char reason[32], list[JF_LIST_MAX];

	jf_only(doc, "", members, NULL, err);
	if (jf_string(doc, "", "reason", true, reason, sizeof(reason), err) &&
	    reject_reason_parse(reason, &in->reason) != 0) {
		JF_ENUM_LIST(list, sizeof(list), reject_reason_name,
			     REJECT_REASON_COUNT);
		ordo_err_add(err, ORDO_EINVALID, "reason",
			     "\"%s\" is not a reject reason; one of: %s",
			     reason, list);
	}
	jf_string(doc, "", "message", false, in->message,
		  sizeof(in->message), err);
}

static ordo_code reject_write(store_tx *tx, api_request *r, int *status,
			      char **body, ordo_err *err)
{
	struct reject_input *in = r->payload;
	fulfillment out;
	ordo_code rc;

	memset(&out, 0, sizeof(out));
	rc = app_fulfillment_reject(tx, &r->caller, r->params[0], in->reason,
				    in->message, &out, err);
	if (rc)
		return rc;
	return fulfillment_answer(&out, status, body, err);
}

enum MHD_Result api_fulfillment_reject(api_request *r)
{
	struct reject_input *in = calloc(1, sizeof(*in));
	enum MHD_Result ret;

	if (!in)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, reject_decode, in, &ret)) {
		free(in);
		return ret;
	}
	return api_submit_tx_write(r, reject_write, in, free);
}

static void shipment_payload_free(void *p)
{
	shipment_free(p);
	free(p);
}

static void shipment_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {
		"carrier", "tracking_number", "shipped_at", "lines", NULL,
	};
	static const char *const computed[] = {
		"id", "fulfillment_id", "order_id", "delivered_at",
		"created_at", NULL,
	};
	static const char *const line_members[] = {"sku", "quantity", NULL};
	shipment *s = out;
	json_t *lines = jf_array(doc, "", "lines", true, err), *item;
	char path[ORDO_ERR_FIELD_MAX];
	size_t i;

	jf_only(doc, "", members, computed, err);
	jf_string(doc, "", "carrier", true, s->carrier, sizeof(s->carrier),
		  err);
	jf_string(doc, "", "tracking_number", false, s->tracking_number,
		  sizeof(s->tracking_number), err);
	jf_time(doc, "", "shipped_at", false, &s->shipped_at, err);
	if (!lines)
		return;
	if (json_array_size(lines) == 0 ||
	    json_array_size(lines) > ORDO_MAX_LINES) {
		ordo_err_add(err, ORDO_EINVALID, "lines",
			     "must hold 1 to %d lines", ORDO_MAX_LINES);
		return;
	}
	s->lines = calloc(json_array_size(lines), sizeof(*s->lines));
	if (!s->lines) {
		ordo_err_add(err, ORDO_ENOMEM, "lines", "out of memory");
		return;
	}
	json_array_foreach(lines, i, item) {
		shipment_line *l = &s->lines[s->n_lines++];

		jf_index_path(path, sizeof(path), "lines", i);
		if (!json_is_object(item)) {
			ordo_err_add(err, ORDO_EINVALID, path,
				     "must be an object");
			continue;
		}
		jf_only(item, path, line_members, NULL, err);
		jf_string(item, path, "sku", true, l->sku, sizeof(l->sku),
			  err);
		jf_int(item, path, "quantity", true, 1, ORDO_MAX_QUANTITY,
		       &l->quantity, err);
	}
}

static ordo_code shipment_write(store_tx *tx, api_request *r, int *status,
				char **body, ordo_err *err)
{
	shipment *s = r->payload;
	ordo_code rc = app_shipment_create(tx, &r->caller, r->params[0], s,
					   err);

	if (rc)
		return rc;
	return api_answer(native_shipment_json(s), 201, status, body, err);
}

enum MHD_Result api_shipment_create(api_request *r)
{
	shipment *s = calloc(1, sizeof(*s));
	enum MHD_Result ret;

	if (!s)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, shipment_decode, s, &ret)) {
		shipment_payload_free(s);
		return ret;
	}
	return api_submit_tx_write(r, shipment_write, s, shipment_payload_free);
}

struct delivered_input {
	int64_t at;
};

static void delivered_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"delivered_at", NULL};
	struct delivered_input *in = out;

	jf_only(doc, "", members, NULL, err);
	jf_time(doc, "", "delivered_at", false, &in->at, err);
}

static ordo_code delivered_write(store_tx *tx, api_request *r, int *status,
				 char **body, ordo_err *err)
{
	struct delivered_input *in = r->payload;
	shipment s;
	json_t *j;
	ordo_code rc;

	rc = app_shipment_delivered(tx, &r->caller, r->params[0],
				    in ? in->at : 0, &s, err);
	if (rc) {
		shipment_free(&s);
		return rc;
	}
	j = native_shipment_json(&s);
	shipment_free(&s);
	return api_answer(j, 200, status, body, err);
}

enum MHD_Result api_shipment_delivered(api_request *r)
{
	struct delivered_input *in = calloc(1, sizeof(*in));
	enum MHD_Result ret;

	if (!in)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret)) {
		free(in);
		return ret;
	}
	/* The body is optional: {"delivered_at": ...}. */
	if (r->body_len > 0 &&
	    !api_decode_body(r, delivered_decode, in, &ret)) {
		free(in);
		return ret;
	}
	return api_submit_tx_write(r, delivered_write, in, free);
}

struct wave_input {
	char location[ORDO_LOCATION_CODE_MAX];
};

static void wave_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"location", NULL};
	struct wave_input *in = out;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "location", false, in->location,
		  sizeof(in->location), err);
}

static ordo_code wave_write(store_tx *tx, api_request *r, int *status,
			    char **body, ordo_err *err)
{
	struct wave_input *in = r->payload;
	char (*ids)[ORDO_ID_MAX] = NULL;
	json_t *arr;
	size_t n = 0, i;
	ordo_code rc = app_wave_release(tx, &r->caller, in->location,
					time(NULL), &ids, &n, err);

	if (rc)
		return rc;
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_string(ids[i]));
	free(ids);
	return api_answer(json_pack("{s:I, s:o}", "released", (json_int_t)n,
				    "fulfillments", arr),
			  200, status, body, err);
}

enum MHD_Result api_wave_create(api_request *r)
{
	struct wave_input *in = calloc(1, sizeof(*in));
	enum MHD_Result ret;

	if (!in)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    (r->body_len > 0 && !api_decode_body(r, wave_decode, in, &ret))) {
		free(in);
		return ret;
	}
	return api_submit_tx_write(r, wave_write, in, free);
}
