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

/* The value of the request's last X-Forwarded-For header: the one the
 * proxy nearest ordo wrote, should a client have sent its own as well. */
static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind,
				      const char *key, const char *value)
{
	(void)kind;
	if (value && strcasecmp(key, "X-Forwarded-For") == 0)
		*(const char **)cls = value;
	return MHD_YES;
}

/* One address of X-Forwarded-For (blanks around it, an IPv6 one maybe in
 * brackets) into family and addr; false when it is no address. */
static bool forwarded_parse(const char *s, size_t len, int *family,
			    unsigned char addr[16])
{
	char text[INET6_ADDRSTRLEN + 2];

	while (len && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '[' && s[len - 1] == ']')
		s++, len -= 2;
	if (len == 0 || len >= sizeof(text))
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, text, addr) == 1)
		*family = 4;
	else if (inet_pton(AF_INET6, text, addr) == 1)
		*family = 6;
	else
		return false;
	return true;
}

/*
 * Each proxy appends the address it was reached from, so the list is read
 * from its end: the client is the last address there that is not one of
 * the trusted proxies. What lies further left was written by the client
 * itself and is not believed; nor is anything left of an entry that is no
 * address. With no usable entry, the client is the proxy.
 */
static void client_forwarded(api_request *r)
{
	const netaddr_list *trusted = &r->srv->trusted_proxies;
	const char *xff = NULL, *end;
	int family;
	unsigned char addr[16];

	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, last_forwarded,
				  (void *)&xff);
	if (!xff)
		return;
	end = xff + strlen(xff);
	while (end > xff &&
	       netaddr_list_match(trusted, r->client_family, r->client_addr)) {
		const char *start = end;

		while (start > xff && start[-1] != ',')
			start--;
		if (!forwarded_parse(start, (size_t)(end - start), &family,
				     addr))
			return;
		r->client_family = family;
		memcpy(r->client_addr, addr, 16);
		end = start > xff ? start - 1 : xff;
	}
}

int api_client(api_request *r, const unsigned char **addr)
{
	if (r->client_family == 0) {
		const union MHD_ConnectionInfo *info = MHD_get_connection_info(
			r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		const struct sockaddr *sa = info ? info->client_addr : NULL;

		r->client_family = api_sockaddr_key(sa, r->client_addr);
		if (r->client_family > 0 && r->srv->trusted_proxies.n)
			client_forwarded(r);
	}
	*addr = r->client_addr;
	return r->client_family;
}

void api_client_address(api_request *r, char *out, size_t size)
{
	const unsigned char *addr;
	int family = api_client(r, &addr);

	ordo_strlcpy(out, "unknown", size);
	if (family > 0)
		inet_ntop(family == 4 ? AF_INET : AF_INET6, addr, out,
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

