/*
 * users.c - the people of a tenant, for its admins: GET and POST
 * /v1/users, PATCH /v1/users/{id} (app/people.h).
 *
 * An invitation of someone new to ordo answers their password, once: the
 * answer kept for an Idempotency-Key has none (answer_fresh adds it only
 * to the invitation that ran and made the person). Someone who already
 * has a password keeps it, and is given the role here.
 */
#include <stdlib.h>
#include <string.h>

#include "api/api_int.h"
#include "channels/json_fields.h"

static const char *const no_query[] = {NULL};

static json_t *user_json(const store_tenant_user *u)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "id", u->public_id,
			 "email", u->email, "role", u->role, "status",
			 u->disabled_at ? "disabled" : "active", "created_at",
			 native_time_json(u->created_at), "disabled_at",
			 native_time_json(u->disabled_at));
}

enum MHD_Result api_user_list(api_request *r)
{
	static const char *const query[] = {"limit", "cursor", NULL};
	const char *cursor = api_query(r, "cursor");
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store_tenant_user *items = NULL;
	int64_t before = 0, next = 0;
	enum MHD_Result ret;
	json_t *arr, *j;
	size_t n = 0, i;
	int limit;

	if (!api_query_only(r, query, &ret) ||
	    !api_query_limit(r, &limit, &ret) ||
	    (cursor && !api_parse_cursor(r, cursor, &before, &ret)))
		return ret;
	if (app_tenant_users(r->srv->st, &r->caller, before, limit, &items, &n,
			     &next, err)) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, user_json(&items[i]));
	free(items);
	j = json_pack("{s:o}", "users", arr);
	json_object_set_new(j, "next_cursor", api_cursor_json(next));
	return api_reply_json(r, MHD_HTTP_OK, j);
}

static void invite_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"email", "role", NULL};
	static const char *const computed[] = {"id", "password", "status",
					       "created_at", "disabled_at",
					       NULL};
	app_user_invite_cmd *c = out;
	char email[ORDO_EMAIL_MAX];

	jf_only(doc, "", members, computed, err);
	if (jf_string(doc, "", "email", true, email, sizeof(email), err))
		app_email_check(email, c->email, err);
	if (jf_string(doc, "", "role", true, c->role, sizeof(c->role), err) &&
	    err->code == ORDO_OK)
		app_person_role_check(c->role, err);
}

static json_t *invite_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 201;
	return user_json(&((const app_user_invite_cmd *)w)->stored);
}

/* The invitation that ran shows a new person's password, once. */
static char *invite_add_password(api_request *r, char *body)
{
	const app_user_invite_cmd *c = (const app_user_invite_cmd *)r->write;

	return c->made ? api_answer_with_secret(body, "password", c->password)
		       : body;
}

enum MHD_Result api_user_invite(api_request *r)
{
	app_user_invite_cmd *c = calloc(1, sizeof(*c));
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, invite_decode, c, &ret)) {
		free(c);
		return ret;
	}
	if (app_user_invite_cmd_init(c, &r->caller, api_now(r), err) !=
	    ORDO_OK) {
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		api_write_free(&c->w);
		return ret;
	}
	r->answer_fresh = invite_add_password;
	return api_submit_write(r, &c->w, invite_reply, api_write_free);
}

static void update_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"role", "status", NULL};
	static const char *const computed[] = {"id", "email", "created_at",
					       "disabled_at", "password", NULL};
	app_user_update_cmd *c = out;
	char status[16] = "";

	jf_only(doc, "", members, computed, err);
	if (jf_string(doc, "", "role", false, c->role, sizeof(c->role), err) &&
	    c->role[0] && err->code == ORDO_OK)
		app_person_role_check(c->role, err);
	if (jf_string(doc, "", "status", false, status, sizeof(status), err) &&
	    status[0]) {
		if (strcmp(status, "disabled") == 0)
			c->disabled = 1;
		else if (strcmp(status, "active") == 0)
			c->disabled = 0;
		else
			ordo_err_add(err, ORDO_EINVALID, "status",
				     "\"%.15s\" is not a status; one of: "
				     "active, disabled",
				     status);
	}
	if (err->code == ORDO_OK && !c->role[0] && c->disabled < 0)
		ordo_err_add(err, ORDO_EINVALID, "",
			     "name what changes: role, status or both");
}

static json_t *update_reply(api_request *r, const app_write *w, int *status)
{
	(void)r;
	*status = 200;
	return user_json(&((const app_user_update_cmd *)w)->stored);
}

enum MHD_Result api_user_update(api_request *r)
{
	app_user_update_cmd *c = calloc(1, sizeof(*c));
	enum MHD_Result ret;

	if (!c)
		return api_reply_nomem(r);
	app_user_update_cmd_init(c, &r->caller, api_now(r));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_path_id(r, "person", c->id, sizeof(c->id), &ret) ||
	    !api_decode_body(r, update_decode, c, &ret)) {
		api_write_free(&c->w);
		return ret;
	}
	return api_submit_write(r, &c->w, update_reply, api_write_free);
}
