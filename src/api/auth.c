/*
 * auth.c - who a request is: the API key of its Authorization header, or
 * else the person's session of its cookie, about the tenant it names
 * (app/tenants.h, app/people.h); and the client address it came from.
 *
 * A write made with a session carries the session's CSRF token
 * (X-CSRF-Token). "Ordo-Tenant: *" reads every tenant the person serves,
 * and only GET /v1/queue takes it: the request keeps the session for the
 * queue to read its tenants (api/review.c), and frees it when it ends.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <strings.h>

#include "api/api_int.h"

void api_client_address(api_request *r, char *out, size_t size)
{
	const union MHD_ConnectionInfo *info = MHD_get_connection_info(
		r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = info ? info->client_addr : NULL;

	ordo_strlcpy(out, "unknown", size);
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr,
			  out, (socklen_t)size);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)size);
}

/* The caller of a person's session: the session of the request's cookie,
 * about the tenant its Ordo-Tenant header names; a write carries the
 * session's CSRF token. */
static ordo_code session_caller(api_request *r, const char *token,
				app_caller *caller, bool keep, ordo_err *err)
{
	const char *tenant = MHD_lookup_connection_value(
		r->conn, MHD_HEADER_KIND, API_TENANT_HEADER);
	app_session s;
	ordo_code rc = app_session_find(r->srv->st, token, api_now(r), &s, err);

	if (rc)
		return rc;
	/* "*": the queue of every tenant the person serves, read as one
	 * (api/review.c); the caller is the first of them. */
	if (tenant && strcmp(tenant, "*") == 0) {
		if (strcmp(r->method, "GET") != 0 || !r->route ||
		    strcmp(r->route, "/v1/queue") != 0) {
			app_session_free(&s);
			return ordo_err_set(err, ORDO_EINVALID,
					    API_TENANT_HEADER,
					    "\"*\" (every tenant served) is "
					    "for GET /v1/queue alone; name "
					    "one tenant");
		}
		r->every_tenant = keep;
		tenant = s.n_roles ? s.roles[0].tenant_slug : NULL;
	}
	rc = app_session_caller(&s, tenant, API_TENANT_HEADER, caller, err);
	if (rc == ORDO_OK && r->every_tenant)
		caller->role = ROLE_VIEWER; /* reads; each tenant's role is
					     * looked at by the queue */
	/* The queue reads the tenants of the session it keeps. */
	if (rc == ORDO_OK && r->every_tenant && keep)
		r->session = s;
	else
		app_session_free(&s);
	if (rc == ORDO_OK && strcmp(r->method, "GET") != 0 &&
	    strcmp(r->method, "HEAD") != 0 &&
	    !app_csrf_ok(token, MHD_lookup_connection_value(
					r->conn, MHD_HEADER_KIND,
					API_CSRF_HEADER)))
		rc = ordo_err_set(err, ORDO_EFORBIDDEN, API_CSRF_HEADER,
				  "a write made with a session needs its "
				  "csrf_token in the %s header",
				  API_CSRF_HEADER);
	return rc;
}

/* The caller the request's Authorization names, or else its session's
 * cookie (ORDO_EUNAUTHORIZED, naming the header, when it has neither). */
static ordo_code caller_of(api_request *r, app_caller *caller, bool keep,
			   ordo_err *err)
{
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						    "Authorization");
	const char *cookie;

	if (!h) {
		cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND,
						     API_SESSION_COOKIE);
		if (cookie)
			return session_caller(r, cookie, caller, keep, err);
		return ordo_err_set(err, ORDO_EUNAUTHORIZED, "Authorization",
				    "an API key is required: send "
				    "\"Authorization: Bearer KEY\" (or log "
				    "in: POST /v1/session)");
	}
	if (strncasecmp(h, "Bearer ", 7) != 0 || h[7] == '\0')
		return ordo_err_set(err, ORDO_EUNAUTHORIZED, "Authorization",
				    "the Authorization header must be "
				    "\"Bearer KEY\"");
	return app_authenticate(r->srv->st, h + 7, api_now(r), caller, err);
}

bool api_key_known(api_request *r)
{
	ordo_err err = ORDO_ERR_INIT;
	app_caller c;
	bool ok = caller_of(r, &c, false, &err) == ORDO_OK;

	ordo_err_clear(&err);
	return ok;
}

bool api_authenticate(api_request *r, enum MHD_Result *ret)
{
	ordo_err err = ORDO_ERR_INIT;
	bool ok = caller_of(r, &r->caller, true, &err) == ORDO_OK;

	if (ok)
		api_client_address(r, r->caller.address,
				   sizeof(r->caller.address));
	else
		*ret = api_reply_error(r, &err);
	ordo_err_clear(&err);
	return ok;
}

