/*
 * keys.c - a tenant's API keys over HTTP, for its admins: list, create,
 * revoke, rotate (app/tenants.h).
 *
 * A key's secret is made before its write is submitted and shown once:
 * the answer kept for an Idempotency-Key has none, and the secret is added
 * only to the answer of the creation or rotation that ran (answer_fresh),
 * so a replay never shows it. The list shows each live key's name, role,
 * and when it was made and last used; never a secret, nor its hash.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

static json_t *key_json(const store_api_key *k)
{
	json_t *j = json_object();

	json_object_set_new(j, "id", json_string(k->public_id));
	json_object_set_new(j, "name", json_string(k->name));
	json_object_set_new(j, "role", json_string(k->role));
	json_object_set_new(j, "location",
			    k->location[0] ? json_string(k->location)
					   : json_null());
	json_object_set_new(j, "created_at", native_time_json(k->created_at));
	json_object_set_new(j, "last_used_at",
			    native_time_json(k->last_used_at));
	json_object_set_new(j, "revoked_at", native_time_json(k->revoked_at));
	return j;
}

enum MHD_Result api_key_list(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_api_key *items = NULL;
	enum MHD_Result ret;
	json_t *arr;
	size_t n = 0, i;

	if (!api_query_only(r, no_query, &ret))
		return ret;
	if (app_key_list(r->srv->st, &r->caller, &items, &n, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, key_json(&items[i]));
	free(items);
	return api_reply_json(r, MHD_HTTP_OK, json_pack("{s:o}", "keys", arr));
}

static void key_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"name", "role", "location",
					      NULL};
	static const char *const computed[] = {"id", "key", "created_at",
					       "last_used_at", "revoked_at",
					       NULL};
	app_key_create_cmd *c = out;

	jf_only(doc, "", members, computed, err);
	/* location is optional: what jf_string answers for it is not
	 * whether the rest may be checked. */
	jf_string(doc, "", "location", false, c->location, sizeof(c->location),
		  err);
	if (jf_string(doc, "", "name", true, c->name, sizeof(c->name), err) &&
	    jf_string(doc, "", "role", true, c->role, sizeof(c->role), err) &&
	    err->code == ORDO_OK)
		app_key_check(c->name, c->role, c->location, err);
}

/* The key as stored (the answer kept for replays: no secret). */
static json_t *key_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return key_json(&((const app_key_change_cmd *)w)->stored);
}

static json_t *create_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 201;
	return key_json(&((const app_key_create_cmd *)w)->stored);
}

/* The creation or rotation that ran shows the key, once. */
static char *create_add_secret(api_request *r, char *body)
{
	return api_answer_with_secret(
		body, "key", ((const app_key_create_cmd *)r->write)->key);
}

static char *rotate_add_secret(api_request *r, char *body)
{
	return api_answer_with_secret(
		body, "key", ((const app_key_change_cmd *)r->write)->key);
}

enum MHD_Result api_key_create(api_request *r)
{
	app_key_create_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_key_create_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, key_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	app_key_generate(c->key, c->key_hash);
	r->answer_fresh = create_add_secret;
	return api_submit_write(r, &c->w, create_reply, api_write_free);
}

enum MHD_Result api_key_revoke(api_request *r)
{
	app_key_change_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_key_revoke_cmd_init(c, &r->caller, api_now(r));
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "API key",
				key_reply);
}

enum MHD_Result api_key_rotate(api_request *r)
{
	app_key_change_cmd *c = calloc(1, sizeof(*c));

	if (!c)
		return api_reply_nomem(r);
	app_key_rotate_cmd_init(c, &r->caller, api_now(r));
	r->answer_fresh = rotate_add_secret;
	return api_submit_on_id(r, &c->w, c->id, sizeof(c->id), "API key",
				key_reply);
}
