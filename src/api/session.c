/*
 * session.c - a person logs in, says who they are, and logs out:
 * POST, GET and DELETE /v1/session (app/people.h).
 *
 * The session's token travels in a cookie only: "ordo_session", HttpOnly
 * (no script reads it), SameSite=Strict (no other site's page sends it),
 * Path=/, Max-Age its absolute length, and Secure when the request came
 * over TLS - to ordo, or to a proxy in front that says so with
 * X-Forwarded-Proto: https. Its CSRF token is in the answers' bodies, for
 * the page to send back as X-CSRF-Token on every write (server.c).
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"
#include "app/people.h"
#include "channels/json_fields.h"
#include "log/log.h"

static const char *const no_query[] = {NULL};
static char nothing[] = "";

/* The cookie setting token (NULL: ending it) for the answer. */
static void set_cookie(api_request *r, const char *token)
{
	const char *proto = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, "X-Forwarded-Proto");
	const union MHD_ConnectionInfo *tls = MHD_get_connection_info(
		r->conn, MHD_CONNECTION_INFO_PROTOCOL);
	bool secure = (proto && strcasecmp(proto, "https") == 0) ||
		      (tls && tls->protocol != 0);

	snprintf(r->set_cookie, sizeof(r->set_cookie),
		 "%s=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s",
		 API_SESSION_COOKIE, token ? token : "",
		 token ? ORDO_SESSION_ABSOLUTE_S : 0,
		 secure ? "; Secure" : "");
}

static json_t *session_json(const app_session *s)
{
	json_t *tenants = json_array();
	size_t i;

	for (i = 0; i < s->n_roles; i++)
		json_array_append_new(
			tenants,
			json_pack("{s:s, s:s}", "tenant",
				  s->roles[i].tenant_slug, "role",
				  s->roles[i].role));
	return json_pack("{s:{s:s, s:s}, s:o, s:s, s:o, s:o, s:o}", "user",
			 "id", s->user.public_id, "email", s->user.email,
			 "tenants", tenants, "csrf_token", s->csrf,
			 "created_at", native_time_json(s->created_at),
			 "expires_at", native_time_json(s->expires_at),
			 "idle_expires_at",
			 native_time_json(s->idle_expires_at));
}

struct login_body {
	char email[ORDO_EMAIL_MAX];
	char password[ORDO_PASSWORD_MAX + 2];
};

static void login_decode(const json_t *doc, void *out, ordo_err *err)
{
	static const char *const members[] = {"email", "password", NULL};
	struct login_body *b = out;

	jf_only(doc, "", members, NULL, err);
	jf_string(doc, "", "email", true, b->email, sizeof(b->email), err);
	jf_string(doc, "", "password", true, b->password, sizeof(b->password),
		  err);
}

enum MHD_Result api_session_create(api_request *r)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	struct login_body b;
	app_session s;
	char address[64];
	enum MHD_Result ret;
	int wait = 0;

	memset(&b, 0, sizeof(b));
	if (!api_query_only(r, no_query, &ret) ||
	    !api_decode_body(r, login_decode, &b, &ret)) {
		sodium_memzero(&b, sizeof(b));
		return ret;
	}
	api_client_address(r, address, sizeof(address));
	if (app_login(r->srv->st, b.email, b.password, address, api_now(r),
		      &s, &wait, err) != ORDO_OK) {
		/* The tenants' audit logs record a person's failed logins;
		 * this line records every one, nobody's email too. */
		log_event("warning", "login_refused",
			  json_pack("{s:o, s:s, s:s}", "email",
				    log_text(b.email), "client", address,
				    "code", ordo_code_name(err->code)));
		sodium_memzero(&b, sizeof(b));
		r->retry_after_s = wait;
		ret = api_reply_error(r, err);
		ordo_err_clear(err);
		return ret;
	}
	sodium_memzero(&b, sizeof(b));
	set_cookie(r, s.token);
	ordo_strlcpy(r->caller.actor, "user:", sizeof(r->caller.actor));
	ordo_strlcpy(r->caller.actor + 5, s.user.email,
		     sizeof(r->caller.actor) - 5);
	ret = api_reply_json(r, MHD_HTTP_CREATED, session_json(&s));
	app_session_free(&s);
	return ret;
}

/* The request's session (answered 401 when it has none). */
static bool session_of(api_request *r, app_session *s, enum MHD_Result *ret)
{
	ordo_err err = ORDO_ERR_INIT;
	const char *token = MHD_lookup_connection_value(
		r->conn, MHD_COOKIE_KIND, API_SESSION_COOKIE);
	bool ok;

	if (!token) {
		*ret = api_reply_fail(r, ORDO_EUNAUTHORIZED, "session",
				      "no session: log in with POST "
				      "/v1/session");
		return false;
	}
	ok = app_session_find(r->srv->st, token, api_now(r), s, &err) ==
	     ORDO_OK;
	if (!ok)
		*ret = api_reply_error(r, &err);
	ordo_err_clear(&err);
	return ok;
}

enum MHD_Result api_session_get(api_request *r)
{
	app_session s;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !session_of(r, &s, &ret))
		return ret;
	ret = api_reply_json(r, MHD_HTTP_OK, session_json(&s));
	app_session_free(&s);
	return ret;
}

enum MHD_Result api_session_delete(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	const char *token = MHD_lookup_connection_value(
		r->conn, MHD_COOKIE_KIND, API_SESSION_COOKIE);
	app_session s;
	enum MHD_Result ret;

	if (!api_query_only(r, no_query, &ret) || !api_body_none(r, &ret) ||
	    !session_of(r, &s, &ret))
		return ret;
	app_session_free(&s);
	if (!app_csrf_ok(token, MHD_lookup_connection_value(
					r->conn, MHD_HEADER_KIND,
					API_CSRF_HEADER)))
		return api_reply_fail(r, ORDO_EFORBIDDEN, API_CSRF_HEADER,
				      "a write made with a session needs its "
				      "csrf_token in the %s header",
				      API_CSRF_HEADER);
	if (app_logout(r->srv->st, token, &err) != ORDO_OK) {
		ret = api_reply_error(r, &err);
		ordo_err_clear(&err);
		return ret;
	}
	set_cookie(r, NULL);
	return api_queue_body(r, MHD_HTTP_NO_CONTENT, nothing, true, false);
}
