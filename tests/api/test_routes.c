/*
 * test_routes.c - authentication, roles and tenant isolation of every route,
 * driven by the server's own route table (api/routes.h).
 *
 * THE TWO TABLES
 *
 * The server's table (src/api/routes.c, linked into this test) says which
 * routes exist and which roles may call each. This file holds its own table,
 * `expected`, one entry per route, written by hand: the roles the route is
 * meant to allow, spelled out by name, and what the test needs to call it.
 * The first test compares the two: a route without an entry fails naming
 * the route (a new route must be added here), an entry without a route
 * fails, and a route whose roles differ from the entry's fails (a route
 * widened by mistake is caught here, not in production).
 *
 * Every later test walks the server's table, so every route is covered:
 * each role without the right gets 403; each with it passes the role
 * check harmlessly, and reads the tenant's own objects (200); another
 * tenant gets 404; an integration key reaches its own orders and its
 * location's objects alone (404 for the rest). docs/openapi.json's x-roles
 * of each operation are checked against the table too.
 * The role tests run twice: with an API key of each role, and with the
 * session of a person holding each role (a cookie, the CSRF token, and
 * the tenant named): people get no more than keys.
 *
 * WHAT EACH ROUTE IS CALLED WITH
 *
 *   act       a body the route would act on (NULL: none): sent by callers
 *             who must be refused (no key, a bad header, a wrong key, a
 *             role without the right, another tenant), to acme's real ids.
 *             Had the refusal not happened, acme's data would change, and
 *             the snapshots taken around the calls would differ.
 *   harmless  a body the route refuses (400) or NULL: sent by every role
 *             that may call the route, to ids no tenant has, so that the
 *             allowed calls change nothing either. `allowed` is the status
 *             they must answer (never 401 or 403; never a success for a
 *             write). Every route here has such a call.
 *   segs      what each '*' segment of the pattern names, in order: an
 *             acme resource (order, hold, fulfillment, shipment, webhook,
 *             delivery) or a catalog code (location, sku), which both
 *             tenants have alike (data/catalog.json).
 *
 * TENANT ISOLATION
 *
 * Setup makes in acme one of every resource a route names by id: a clean
 * order that is released, its fulfillment and a shipment of part of it, an
 * order held for an unknown SKU and its hold, a webhook and a delivery of
 * it. globex's admin then calls each such route with acme's ids: the answer
 * is 404, and acme's resource reads back the same afterwards. For a GET,
 * acme's own key gets 200 on the same path, so the 404 means isolation and
 * not a wrong id. Routes addressed by location and SKU codes act on the
 * caller's row: globex's write changes globex's stock and not acme's.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#include "api/routes.h"

/* ---- the expected table ---------------------------------------------------- */

#define ALL_ROLES "admin supervisor agent integration viewer"
/* Every role but integration: the people's reads. */
#define ALL_PEOPLE "admin supervisor agent viewer"

struct expect {
	const char *method;
	const char *pattern;
	const char *roles; /* role names, space separated; "" = no key */
	const char *segs;  /* what each '*' names, space separated */
	const char *act;      /* a body the route would act on */
	const char *harmless; /* a body it refuses, for allowed roles */
	long allowed;         /* what allowed roles answer to harmless */
};

/* A member no route takes: every body-reading route refuses it (400). */
#define BAD "{\"zz_not_a_field\": 1}"

static const struct expect expected[] = {
	{"GET", "/healthz", "", NULL, NULL, NULL, 200},
	{"GET", "/metrics", "", NULL, NULL, NULL, 200},
	{"GET", "/openapi.json", "", NULL, NULL, NULL, 200},
	{"GET", "/v1/openapi.json", "", NULL, NULL, NULL, 200},
	/* The console's files: the page, and no file named "*" (console.c). */
	{"GET", "/", "", NULL, NULL, NULL, 200},
	{"GET", "/console/*", "", NULL, NULL, NULL, 404},
	{"GET", "/console/vendor/*", "", NULL, NULL, NULL, 404},
	{"POST", "/v1/skus", "admin", NULL,
	 "{\"sku\": \"AUTH-PROBE\", \"title\": \"Probe\", "
	 "\"unit_price\": \"1.00\"}",
	 BAD, 400},
	{"GET", "/v1/skus", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"POST", "/v1/locations", "admin", NULL,
	 "{\"code\": \"WH-PROBE\", \"name\": \"Probe\", \"country\": \"US\"}",
	 BAD, 400},
	{"GET", "/v1/locations", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"PUT", "/v1/locations/*/stock/*", "admin supervisor",
	 "location sku", "{\"on_hand\": 7}", BAD, 400},
	{"POST", "/v1/locations/*/stock/*/adjustments",
	 "admin supervisor", "location sku",
	 "{\"delta\": 3, \"reason\": \"receipt\"}", BAD, 400},
	/* Without ?sku= the stock reads answer 400, past the role check. */
	{"GET", "/v1/stock", ALL_PEOPLE, NULL, NULL, NULL, 400},
	{"GET", "/v1/stock/events", ALL_PEOPLE, NULL, NULL, NULL, 400},
	{"GET", "/v1/settings", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"PATCH", "/v1/settings", "admin", NULL,
	 "{\"webhook_retry_window_s\": 5}", BAD, 400},
	{"GET", "/v1/monitors", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"PUT", "/v1/monitors", "admin supervisor", NULL,
	 "{\"monitors\": [{\"id\": \"late\", \"kind\": \"state_age\", "
	 "\"state\": \"on_hold\", \"after_s\": 3600}]}",
	 BAD, 400},
	{"GET", "/v1/alerts", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/metrics/summary", ALL_PEOPLE, NULL, NULL, NULL, 200},
	/* Without ?metric= a series answers 400, past the role check. */
	{"GET", "/v1/metrics/series", ALL_PEOPLE, NULL, NULL, NULL, 400},
	{"GET", "/v1/metrics/automation", ALL_PEOPLE, NULL,
	 NULL, NULL, 200},
	{"GET", "/v1/holds", ALL_PEOPLE, NULL, NULL, NULL,
	 200},
	{"POST", "/v1/orders", "admin supervisor integration", NULL,
	 NULL /* a valid order, made at setup */, "{}", 400},
	{"GET", "/v1/orders", ALL_ROLES, NULL, NULL, NULL, 200},
	{"GET", "/v1/orders/*", ALL_ROLES, "order", NULL, NULL, 404},
	{"GET", "/v1/orders/*/events", ALL_PEOPLE, "order", NULL, NULL, 404},
	{"GET", "/v1/orders/*/source", ALL_PEOPLE, "order", NULL, NULL, 404},
	{"GET", "/v1/orders/*/x12/855", ALL_PEOPLE, "edi-order", NULL, NULL,
	 404},
	{"POST", "/v1/orders/*/defects", "admin supervisor agent",
	 "order", "{\"type\": \"other\", \"found_by\": \"carrier\"}", BAD, 400},
	{"POST", "/v1/orders/*/notes", "admin supervisor agent", "order",
	 "{\"text\": \"customer called\"}", BAD, 400},
	{"POST", "/v1/orders/*/changes", "admin supervisor",
	 "order",
	 "{\"kind\": \"quantity\", \"line_no\": 1, \"quantity\": 9, "
	 "\"reason\": \"more\"}",
	 BAD, 400},
	{"GET", "/v1/orders/*/changes", ALL_PEOPLE, "order", NULL, NULL, 404},
	{"POST", "/v1/orders/*/cancel", "admin supervisor",
	 "order", "{\"reason\": \"customer cancelled\"}", BAD, 400},
	{"POST", "/v1/orders/*/holds", "admin supervisor agent", "order",
	 "{\"type\": \"policy_exception\", \"reason\": \"wait\"}", BAD,
	 400},
	{"POST", "/v1/orders/*/returns", "admin supervisor",
	 "order",
	 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], \"reason\": "
	 "\"damaged\"}",
	 BAD, 400},
	{"GET", "/v1/orders/*/returns", ALL_PEOPLE, "order", NULL, NULL, 404},
	{"GET", "/v1/returns", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/returns/*", ALL_PEOPLE, "return", NULL, NULL, 404},
	{"POST", "/v1/returns/*/receive", "admin supervisor",
	 "return",
	 "{\"lines\": [{\"line_no\": 1, \"quantity\": 1}], \"restock\": "
	 "false}",
	 BAD, 400},
	{"POST", "/v1/returns/*/refund", "admin supervisor",
	 "return", "{\"amount\": \"1.00\"}", BAD, 400},
	{"GET", "/v1/change-requests", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/change-requests/*", ALL_ROLES, "change", NULL, NULL, 404},
	{"POST", "/v1/change-requests/*/accept",
	 "admin supervisor integration", "change", "{}", BAD, 400},
	{"POST", "/v1/change-requests/*/refuse",
	 "admin supervisor integration", "change",
	 "{\"reason\": \"picked\"}", BAD, 400},
	{"GET", "/v1/defects", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/fulfillments", ALL_ROLES, NULL, NULL, NULL, 200},
	{"GET", "/v1/fulfillments/*", ALL_ROLES, "fulfillment", NULL, NULL,
	 404},
	{"POST", "/v1/fulfillments/*/accept",
	 "admin supervisor integration", "fulfillment", NULL, NULL, 404},
	{"POST", "/v1/fulfillments/*/reject",
	 "admin supervisor integration", "fulfillment",
	 "{\"reason\": \"other\"}", BAD, 400},
	{"POST", "/v1/fulfillments/*/shipments",
	 "admin supervisor integration", "fulfillment",
	 "{\"lines\": [{\"sku\": \"MUG-12OZ\", \"quantity\": 1}], "
	 "\"carrier\": \"UPS\"}",
	 BAD, 400},
	{"POST", "/v1/shipments/*/delivered",
	 "admin supervisor integration", "shipment", "{}", BAD, 400},
	{"GET", "/v1/shipments", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/shipments/*", ALL_PEOPLE, "shipment", NULL, NULL, 404},
	{"POST", "/v1/waves", "admin supervisor", NULL, "{}",
	 BAD, 400},
	/* A person's session: no key; without a cookie 401, without a
	 * body 400. */
	{"POST", "/v1/session", "", NULL, NULL, NULL, 400},
	{"GET", "/v1/session", "", NULL, NULL, NULL, 401},
	{"DELETE", "/v1/session", "", NULL, NULL, NULL, 401},
	{"GET", "/v1/audit", "admin", NULL, NULL, NULL, 200},
	{"GET", "/v1/users", "admin", NULL, NULL, NULL, 200},
	{"POST", "/v1/users", "admin", NULL,
	 "{\"email\": \"routes-probe@example.com\", \"role\": \"viewer\"}",
	 BAD, 400},
	{"PATCH", "/v1/users/*", "admin", "user", "{\"status\": \"disabled\"}",
	 BAD, 400},
	{"GET", "/v1/keys", "admin", NULL, NULL, NULL, 200},
	{"POST", "/v1/keys", "admin", NULL,
	 "{\"name\": \"routes-probe\", \"role\": \"viewer\"}", BAD, 400},
	{"DELETE", "/v1/keys/*", "admin", "key", NULL, NULL, 404},
	{"POST", "/v1/keys/*/rotate", "admin", "key", NULL, NULL, 404},
	{"POST", "/v1/webhooks", "admin", NULL,
	 "{\"url\": \"http://127.0.0.1:9/probe\", "
	 "\"events\": [\"order.accepted\"]}",
	 BAD, 400},
	{"GET", "/v1/webhooks", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"DELETE", "/v1/webhooks/*", "admin", "webhook", NULL, NULL, 404},
	{"POST", "/v1/webhooks/*/resume", "admin", "webhook", NULL, NULL, 404},
	{"POST", "/v1/webhooks/*/rotate", "admin", "webhook",
	 "{\"grace_s\": 60}", BAD, 400},
	{"GET", "/v1/webhooks/deliveries", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"POST", "/v1/webhooks/deliveries/*/redeliver",
	 "admin", "delivery", NULL, NULL, 404},
	{"POST", "/v1/channels", "admin", NULL,
	 "{\"kind\": \"csv\", \"name\": \"routes-probe\"}", BAD, 400},
	{"GET", "/v1/channels", ALL_PEOPLE, NULL, NULL, NULL, 200},
	{"GET", "/v1/channels/*", ALL_PEOPLE, "channel", NULL, NULL, 404},
	{"PATCH", "/v1/channels/*", "admin", "channel",
	 "{\"base_url\": \"http://127.0.0.1:9\"}", BAD, 400},
	{"DELETE", "/v1/channels/*", "admin", "channel", NULL, NULL, 404},
	/* No key: the channel's signature says who sends (open routes). */
	{"POST", "/v1/channels/*/shopify/orders", "", "channel", "{}", NULL,
	 401},
	{"POST", "/v1/channels/*/woocommerce/orders", "", "woo-channel", "{}",
	 NULL, 401},
	{"POST", "/v1/channels/*/x12", "admin supervisor integration",
	 "x12-channel", "not an interchange", NULL, 404},
	/* A file (text/csv): a JSON body is 415, past the role check. */
	{"POST", "/v1/imports", "admin supervisor", NULL,
	 "external_id,sku,quantity,unit_price,currency\nRT-IMP,MUG-12OZ,1,"
	 "12.50,USD\n",
	 BAD, 415},
	{"GET", "/v1/imports", ALL_PEOPLE, NULL, NULL, NULL, 200},
	/* Writes nothing: its act is a view to compare. */
	{"POST", "/v1/reconciliations", "admin supervisor",
	 NULL, "{\"location\": \"WH-EAST\", \"items\": []}", BAD, 400},
	{"GET", "/v1/imports/*", ALL_PEOPLE, "import", NULL, NULL, 404},
	{"GET", "/v1/queue", ALL_PEOPLE, NULL, NULL, NULL,
	 200},
	{"POST", "/v1/holds/*/claim", "admin supervisor agent", "hold", NULL,
	 NULL, 404},
	{"POST", "/v1/holds/*/release", "admin supervisor agent", "hold", NULL,
	 NULL, 404},
	{"POST", "/v1/holds/*/assign", "admin supervisor", "hold",
	 "{\"assignee\": \"key:someone\"}", BAD, 400},
	{"POST", "/v1/holds/*/resolve", "admin supervisor agent", "hold",
	 "{\"action\": \"cancel_order\", \"reason\": \"probe\"}", BAD, 400},
	{"POST", "/v1/holds/bulk", "admin supervisor", NULL,
	 "{\"action\": \"cancel_order\", \"reason\": \"probe\"}", BAD, 400},
	{"GET", "/v1/policy", ALL_PEOPLE, NULL, NULL, NULL,
	 200},
	{"PUT", "/v1/policy", "admin supervisor", NULL, "{\"rules\": []}", BAD,
	 400},
	{"GET", "/v1/policy/versions", ALL_PEOPLE, NULL,
	 NULL, NULL, 200},
	{"POST", "/v1/policy/simulate", "admin supervisor agent", NULL,
	 "{\"policy\": {\"rules\": []}}", BAD, 400},
};

#define N_EXPECTED (sizeof(expected) / sizeof(expected[0]))

static const struct {
	const char *name;
	app_role role;
} role_names[] = {
	{"admin", ROLE_ADMIN},	     {"supervisor", ROLE_SUPERVISOR},
	{"agent", ROLE_AGENT},	     {"integration", ROLE_INTEGRATION},
	{"viewer", ROLE_VIEWER},
};

#define N_ROLES (sizeof(role_names) / sizeof(role_names[0]))

/* ---- fixtures -------------------------------------------------------------- */

/* acme's keys, one per role (role_names order), made with `ordo key create`. */
static char role_key[N_ROLES][HARNESS_KEY_MAX];
/* globex's keys, one per role (role_names order; its integration answers
 * for WH-WEST, as acme's does). */
static char globex_key[N_ROLES][HARNESS_KEY_MAX];

/* The sessions of acme's people, one per role (role_names order), made
 * with `ordo user create`: a request's cookie, CSRF token and tenant. */
static struct {
	char cookie[160];
	char csrf[100];
	const char *headers[4];
} role_person[N_ROLES];

/* The ways a caller says who it is: an API key, or a person's session. */
enum way { BY_KEY, BY_SESSION, WAYS };
static const char *const way_names[WAYS] = {"key", "person"};

/* Whether role k comes the way given: integration is a key's role, and
 * no person holds it (test_sessions). */
static bool way_has(enum way w, size_t k)
{
	return w == BY_KEY || role_names[k].role != ROLE_INTEGRATION;
}

/* Call as role k, the way given. */
static struct resp *call_as(enum way w, size_t k, const char *method,
			    const char *path, const char *body)
{
	if (w == BY_KEY)
		return http(method, path, role_key[k], body,
			    body ? strlen(body) : 0, NULL);
	return http(method, path, NULL, body, body ? strlen(body) : 0,
		    role_person[k].headers);
}

/* globex's admin person's session (headers as role_person's). */
static struct {
	char cookie[160];
	char csrf[100];
	const char *headers[4];
} globex_person;

/* Make a person of tenant with role, log them in, and keep their session
 * (cookie, csrf and headers: as role_person's). */
static void person_login(const char *email, const char *tenant,
			 const char *role, char *cookie, size_t cookie_size,
			 char *csrf, size_t csrf_size, const char **headers,
			 const char *tenant_header)
{
	char pw[64], body[200], set[256];
	const char *args[] = {"user", "create", email, "--tenant", tenant,
			      "--role", role, "--db", srv->db_path, NULL};
	struct cli_result cr;
	struct resp *r;

	cli_run(&cr, args);
	check(cr.exit_status == 0 && last_line(cr.out, pw, sizeof(pw)) == 0,
	      "ordo user create %s: %s%s", email, cr.out, cr.err);
	cli_result_free(&cr);
	snprintf(body, sizeof(body),
		 "{\"email\": \"%s\", \"password\": \"%s\"}", email, pw);
	r = http("POST", "/v1/session", NULL, body, strlen(body), NULL);
	assert_status(r, 201);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)), "a cookie");
	snprintf(cookie, cookie_size, "Cookie: %.*s", (int)strcspn(set, ";"),
		 set);
	snprintf(csrf, csrf_size, "X-CSRF-Token: %s",
		 jstr(r->json, "csrf_token"));
	resp_free(r);
	headers[0] = cookie;
	headers[1] = csrf;
	headers[2] = tenant_header;
	headers[3] = NULL;
}

/* acme's person of role k. */
static void person_make(size_t k)
{
	char email[64];

	snprintf(email, sizeof(email), "routes-%s@example.com",
		 role_names[k].name);
	person_login(email, "acme", role_names[k].name, role_person[k].cookie,
		     sizeof(role_person[k].cookie), role_person[k].csrf,
		     sizeof(role_person[k].csrf), role_person[k].headers,
		     "Ordo-Tenant: acme");
}

/* acme's resources, by the name a segment gives them. */
static struct {
	char order[64];	      /* clean, released, partly shipped */
	char held[64];	      /* on hold for an unknown SKU */
	char hold[64];	      /* its hold */
	char fulfillment[64]; /* order's */
	char shipment[64];    /* of fulfillment */
	char webhook[64];
	char delivery[64]; /* of webhook, for order's order.accepted */
	char channel[64];  /* a shopify channel */
	char woo[64];	   /* a woocommerce channel */
	char x12[64];	   /* an x12 channel */
	char edi_order[64]; /* taken from its 850, accepted */
	char import[64];   /* a file taken in */
	char change[64];   /* a change request of order, waiting */
	char ret[64];	   /* a return of order's shipped unit */
	char key[64];	   /* an API key of acme's, routes-target */
	char user[64];	   /* a person of acme's */
} acme_ids;

/* A valid order: what an unauthorised POST /v1/orders would store. */
static char *order_text;

static const struct expect *expect_of(const char *method, const char *pattern)
{
	for (size_t i = 0; i < N_EXPECTED; i++)
		if (streq(expected[i].method, method) &&
		    streq(expected[i].pattern, pattern))
			return &expected[i];
	return NULL;
}

static const api_route *route_of(const char *method, const char *pattern)
{
	for (size_t i = 0; i < api_n_routes; i++)
		if (streq(api_routes[i].method, method) &&
		    streq(api_routes[i].pattern, pattern))
			return &api_routes[i];
	return NULL;
}

/* The role mask of a space-separated list of role names; fails on a typo. */
static unsigned roles_mask(const char *names)
{
	unsigned mask = 0;
	const char *p = names;

	while (*p) {
		size_t len = strcspn(p, " "), k;

		for (k = 0; k < N_ROLES; k++)
			if (strlen(role_names[k].name) == len &&
			    !strncmp(role_names[k].name, p, len))
				break;
		check(k < N_ROLES, "\"%.*s\" is not a role", (int)len, p);
		mask |= ROLE_BIT(role_names[k].role);
		p += len;
		p += strspn(p, " ");
	}
	return mask;
}

/* The n-th word of a space-separated list into out ("" past the end). */
static void word(const char *list, int n, char *out, size_t size)
{
	const char *p = list ? list : "";

	for (;;) {
		size_t len;

		p += strspn(p, " ");
		len = strcspn(p, " ");
		if (n-- == 0 || !len) {
			snprintf(out, size, "%.*s", (int)len, p);
			return;
		}
		p += len;
	}
}

/* acme's id for a segment kind, or the catalog code both tenants share. */
static const char *real_id(const char *kind)
{
	if (streq(kind, "order"))
		return acme_ids.order;
	if (streq(kind, "hold"))
		return acme_ids.hold;
	if (streq(kind, "fulfillment"))
		return acme_ids.fulfillment;
	if (streq(kind, "shipment"))
		return acme_ids.shipment;
	if (streq(kind, "webhook"))
		return acme_ids.webhook;
	if (streq(kind, "delivery"))
		return acme_ids.delivery;
	if (streq(kind, "channel"))
		return acme_ids.channel;
	if (streq(kind, "woo-channel"))
		return acme_ids.woo;
	if (streq(kind, "x12-channel"))
		return acme_ids.x12;
	if (streq(kind, "edi-order"))
		return acme_ids.edi_order;
	if (streq(kind, "import"))
		return acme_ids.import;
	if (streq(kind, "change"))
		return acme_ids.change;
	if (streq(kind, "return"))
		return acme_ids.ret;
	if (streq(kind, "key"))
		return acme_ids.key;
	if (streq(kind, "user"))
		return acme_ids.user;
	if (streq(kind, "location"))
		return "WH-EAST";
	if (streq(kind, "sku"))
		return "MUG-12OZ";
	fail_msg("segment kind \"%s\" is not known to the test", kind);
	return NULL;
}

/* An id of the kind's form that no tenant has; catalog codes stay real
 * (their routes are made harmless by the body). */
static const char *probe_id(const char *kind)
{
	if (streq(kind, "location") || streq(kind, "sku"))
		return real_id(kind);
	if (streq(kind, "order") || streq(kind, "edi-order"))
		return "ord_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "hold"))
		return "hld_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "fulfillment"))
		return "ful_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "shipment"))
		return "shp_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "webhook"))
		return "whk_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "delivery"))
		return "dlv_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "channel") || streq(kind, "woo-channel") ||
	    streq(kind, "x12-channel"))
		return "chn_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "import"))
		return "imp_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "change"))
		return "chg_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "return"))
		return "ret_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "key"))
		return "key_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	if (streq(kind, "user"))
		return "usr_01JDZ3B4X5Y6Z7A8B9C0D1E2F3";
	fail_msg("segment kind \"%s\" is not known to the test", kind);
	return NULL;
}

/* The route's pattern with each '*' replaced by acme's id (real) or an id
 * nobody has (!real). */
static void path_of(const api_route *rt, int real, char *out, size_t size)
{
	const struct expect *e = expect_of(rt->method, rt->pattern);
	const char *p;
	size_t o = 0;
	int n = 0;

	assert_non_null(e);
	for (p = rt->pattern; *p && o + 1 < size; p++) {
		if (*p == '*') {
			char kind[32];
			const char *id;

			word(e->segs, n++, kind, sizeof(kind));
			check(kind[0], "%s %s: no segment kind for '*' %d",
			      rt->method, rt->pattern, n);
			id = real ? real_id(kind) : probe_id(kind);
			o += (size_t)snprintf(out + o, size - o, "%s", id);
		} else {
			out[o++] = *p;
		}
	}
	check(o + 1 < size, "path of %s too long", rt->pattern);
	out[o] = '\0';
}

static const char *act_body(const struct expect *e)
{
	if (streq(e->method, "POST") && streq(e->pattern, "/v1/orders"))
		return order_text;
	return e->act;
}

static struct resp *call(const char *method, const char *path,
			 const char *key, const char *body,
			 const char *auth_header)
{
	const char *headers[] = {auth_header, NULL};

	return http(method, path, key, body, body ? strlen(body) : 0,
		    auth_header ? headers : NULL);
}

/* ---- snapshots ------------------------------------------------------------- */

/* Drop what changes with the passing of time alone: a queue item's age,
 * and when a key was last used (every call of the test uses one). */
static void scrub_ages(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_del(j, "age_s");
		json_object_del(j, "last_used_at");
		json_object_foreach(j, k, v)
			scrub_ages(v);
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			scrub_ages(v);
	}
}

/* What acme has, as its admin reads it: every list and document. */
static json_t *tenant_snapshot(void)
{
	static const char *const paths[] = {
		"/v1/orders?limit=100",	      "/v1/skus?limit=100",
		"/v1/locations?limit=100",    "/v1/settings",
		"/v1/policy",		      "/v1/policy/versions",
		"/v1/webhooks",		      "/v1/defects?limit=100",
		"/v1/fulfillments?limit=100", "/v1/shipments?limit=100",
		"/v1/queue?limit=100",	      "/v1/stock?sku=MUG-12OZ",
		"/v1/stock?sku=AUTH-PROBE",   "/v1/monitors",
		"/v1/alerts",		      "/v1/keys",
		"/v1/users",		      "/v1/returns?limit=100",
		"/v1/change-requests?limit=100",
	};
	json_t *snap = json_object();

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct resp *r = http_get(srv->key_acme, "%s", paths[i]);

		json_object_set_new(snap, paths[i],
				    json_pack("{s:I,s:O?}", "status",
					      (json_int_t)r->status, "body",
					      r->json));
		resp_free(r);
	}
	scrub_ages(snap);
	return snap;
}

/* The resource a segment names, as acme's admin reads it. */
static json_t *resource_snapshot(const char *kind)
{
	char path[256];
	struct resp *r;
	json_t *snap;

	if (streq(kind, "order") || streq(kind, "hold")) {
		const char *id = streq(kind, "order") ? acme_ids.order
						      : acme_ids.held;
		json_t *events = order_events(srv->key_acme, id);

		snap = json_pack("{s:o,s:o}", "order",
				 order_fetch(srv->key_acme, id), "events",
				 events);
		return snap;
	}
	if (streq(kind, "fulfillment"))
		snprintf(path, sizeof(path), "/v1/fulfillments/%s",
			 acme_ids.fulfillment);
	else if (streq(kind, "shipment"))
		snprintf(path, sizeof(path), "/v1/shipments/%s",
			 acme_ids.shipment);
	else if (streq(kind, "webhook"))
		snprintf(path, sizeof(path), "/v1/webhooks");
	else if (streq(kind, "delivery"))
		snprintf(path, sizeof(path), "/v1/webhooks/deliveries?limit=100");
	else if (streq(kind, "channel"))
		snprintf(path, sizeof(path), "/v1/channels/%s",
			 acme_ids.channel);
	else if (streq(kind, "x12-channel"))
		snprintf(path, sizeof(path), "/v1/channels/%s", acme_ids.x12);
	else if (streq(kind, "edi-order"))
		snprintf(path, sizeof(path), "/v1/orders/%s",
			 acme_ids.edi_order);
	else if (streq(kind, "import"))
		snprintf(path, sizeof(path), "/v1/imports/%s",
			 acme_ids.import);
	else if (streq(kind, "change"))
		snprintf(path, sizeof(path), "/v1/change-requests/%s",
			 acme_ids.change);
	else if (streq(kind, "return"))
		snprintf(path, sizeof(path), "/v1/returns/%s", acme_ids.ret);
	else if (streq(kind, "key"))
		snprintf(path, sizeof(path), "/v1/keys");
	else if (streq(kind, "user"))
		snprintf(path, sizeof(path), "/v1/users");
	else
		fail_msg("no snapshot for \"%s\"", kind);
	r = http_get(srv->key_acme, "%s", path);
	assert_status(r, 200);
	snap = json_incref(r->json);
	resp_free(r);
	scrub_ages(snap);
	return snap;
}

/* Print long text in pieces (a single print_error is bounded). */
static void print_long(const char *label, const json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	size_t len = text ? strlen(text) : 0;

	print_error("%s:\n", label);
	for (size_t o = 0; o < len; o += 400)
		print_error("%.400s", text + o);
	print_error("\n");
	free(text);
}

/* Fail naming what changed between two snapshots; frees both. */
static void expect_same(json_t *before, json_t *after, const char *what)
{
	if (!json_equal(before, after)) {
		const char *k;
		json_t *v;

		if (json_is_object(before) && json_is_object(after)) {
			json_object_foreach(before, k, v) {
				json_t *a = json_object_get(after, k);

				if (json_equal(v, a))
					continue;
				print_error("%s differs\n", k);
				print_long("before", v);
				print_long("after", a);
			}
		} else {
			print_long("before", before);
			print_long("after", after);
		}
		fail_msg("%s changed acme's data", what);
	}
	json_decref(before);
	json_decref(after);
}

/* ---- setup ------------------------------------------------------------------ */

/* An order taken from an 850 through the x12 channel and accepted (its
 * holds approved), so that it has an 855. */
static void edi_order_make(void)
{
	static const char *const edi[] = {
		"Content-Type: application/edi-x12", NULL};
	static const char file[] =
		"ISA*00*          *00*          *ZZ*PARTNERR       *ZZ*ORDO      "
		"     *261201*1200*U*00401*000000901*0*P*>~\n"
		"GS*PO*PARTNERR*ORDO*20261201*1200*901*X*004010~\n"
		"ST*850*0001~\nBEG*00*SA*RT-PO-1**20261201~\nCUR*BY*USD~\n"
		"PER*BD*Pat Buyer*EM*pat@partner.example~\n"
		"N1*ST*Pat Buyer~\nN3*100 Main St~\n"
		"N4*Springfield*IL*62701*US~\n"
		"PO1*1*2*EA*12.50**VP*MUG-12OZ~\nCTT*1~\nSE*10*0001~\n"
		"GE*1*901~\nIEA*1*000000901~\n";
	char path[128];
	json_t *all, *o, *h;
	struct resp *r;
	size_t i;

	snprintf(path, sizeof(path), "/v1/channels/%s/x12", acme_ids.x12);
	r = http("POST", path, srv->key_acme, file, sizeof(file) - 1, edi);
	assert_status(r, 200);
	resp_free(r);
	all = list_all(srv->key_acme, "/v1/orders?channel=routes-x12",
		       "orders", 10);
	o = json_array_get(all, 0);
	check(o != NULL, "the 850 was not taken");
	snprintf(acme_ids.edi_order, sizeof(acme_ids.edi_order), "%s",
		 jstr(o, "id"));
	json_array_foreach(jget(o, "holds"), i, h) {
		r = hold_resolve(srv->key_acme, jstr(h, "id"), "approve",
				 "terms customer", NULL);
		assert_status(r, 200);
		resp_free(r);
	}
	json_decref(order_wait_state(srv->key_acme, acme_ids.edi_order,
				     "released", 10000));
	json_decref(all);
}

static void make_resources(void)
{
	static const char hook[] = "{\"url\": \"http://127.0.0.1:9/routes\", "
				   "\"events\": [\"order.accepted\"]}";
	static const char channel[] = "{\"kind\": \"shopify\", \"name\": "
				      "\"routes-shop\", \"secret\": \"s\"}";
	static const char woo[] = "{\"kind\": \"woocommerce\", \"name\": "
				  "\"routes-woo\", \"secret\": \"s\"}";
	static const char x12[] = "{\"kind\": \"x12\", \"name\": "
				  "\"routes-x12\"}";
	json_t *o = order_new("RT-CLEAN"), *got;
	char *id;
	struct resp *r;
	char path[256];
	long deadline;

	r = http("POST", "/v1/channels", srv->key_acme, channel,
		 strlen(channel), NULL);
	assert_status(r, 201);
	snprintf(acme_ids.channel, sizeof(acme_ids.channel), "%s",
		 jstr(r->json, "id"));
	resp_free(r);
	r = http("POST", "/v1/channels", srv->key_acme, woo, strlen(woo),
		 NULL);
	assert_status(r, 201);
	snprintf(acme_ids.woo, sizeof(acme_ids.woo), "%s",
		 jstr(r->json, "id"));
	resp_free(r);
	r = http("POST", "/v1/channels", srv->key_acme, x12, strlen(x12),
		 NULL);
	assert_status(r, 201);
	snprintf(acme_ids.x12, sizeof(acme_ids.x12), "%s",
		 jstr(r->json, "id"));
	resp_free(r);
	edi_order_make();

	{
		static const char file[] = "external_id,sku,quantity,"
					   "unit_price,currency\n"
					   "RT-FILE,MUG-12OZ,1,12.50,USD\n";
		static const char *const csv[] = {"Content-Type: text/csv",
						  NULL};
		long until = harness_now_ms() + 10000;

		r = http("POST", "/v1/imports", srv->key_acme, file,
			 sizeof(file) - 1, csv);
		assert_status(r, 202);
		snprintf(acme_ids.import, sizeof(acme_ids.import), "%s",
			 jstr(r->json, "id"));
		resp_free(r);
		/* Ended, so that snapshots of it stay the same. */
		for (;;) {
			r = http_get(srv->key_acme, "/v1/imports/%s",
				     acme_ids.import);
			if (!streq(jstr(r->json, "state"), "running")) {
				resp_free(r);
				break;
			}
			resp_free(r);
			check(harness_now_ms() < until, "import running");
			harness_sleep_ms(20);
		}
	}

	/* The webhook first, so that the clean order's acceptance is
	 * delivered (or tried: nothing listens on port 9) to it. */
	r = http("POST", "/v1/webhooks", srv->key_acme, hook,
		 strlen(hook), NULL);
	assert_status(r, 201);
	snprintf(acme_ids.webhook, sizeof(acme_ids.webhook), "%s",
		 jstr(r->json, "id"));
	resp_free(r);

	id = order_create(srv->key_acme, o);
	snprintf(acme_ids.order, sizeof(acme_ids.order), "%s", id);
	got = order_wait_state(srv->key_acme, id, "released", 10000);
	check(jstr(got, "fulfillments[0].id"),
	      "order %s has no fulfillment (state %s)", id,
	      jstr(got, "state"));
	snprintf(acme_ids.fulfillment, sizeof(acme_ids.fulfillment), "%s",
		 jstr(got, "fulfillments[0].id"));
	json_decref(got);
	free(id);

	/* Ship one unit of the first line: the order stays open. */
	snprintf(path, sizeof(path), "/v1/fulfillments/%s/shipments",
		 acme_ids.fulfillment);
	{
		char body[256];

		snprintf(body, sizeof(body),
			 "{\"lines\": [{\"sku\": \"%s\", \"quantity\": 1}], "
			 "\"carrier\": \"UPS\"}",
			 jstr(o, "lines[0].sku"));
		r = http("POST", path, srv->key_acme, body, strlen(body),
			 NULL);
	}
	assert_status(r, 201);
	snprintf(acme_ids.shipment, sizeof(acme_ids.shipment), "%s",
		 jstr(r->json, "id"));
	resp_free(r);
	json_decref(o);

	/* A change of the released order: a request its warehouse has yet
	 * to answer. */
	snprintf(path, sizeof(path), "/v1/orders/%s/changes", acme_ids.order);
	{
		const char *body = "{\"kind\": \"shipping_method\", "
				   "\"method\": \"express\", \"reason\": "
				   "\"in a hurry\"}";

		r = http("POST", path, srv->key_acme, body, strlen(body),
			 NULL);
	}
	assert_status(r, 202);
	snprintf(acme_ids.change, sizeof(acme_ids.change), "%s",
		 jstr(r->json, "change.id"));
	resp_free(r);

	/* A return of the unit shipped, not yet received. */
	snprintf(path, sizeof(path), "/v1/orders/%s/returns", acme_ids.order);
	{
		const char *body = "{\"lines\": [{\"line_no\": 1, "
				   "\"quantity\": 1}], \"reason\": "
				   "\"damaged\"}";

		r = http("POST", path, srv->key_acme, body, strlen(body),
			 NULL);
	}
	assert_status(r, 201);
	snprintf(acme_ids.ret, sizeof(acme_ids.ret), "%s", jstr(r->json, "id"));
	resp_free(r);

	o = order_new("RT-HELD");
	jset(o, "lines[1].sku", json_string("NO-SUCH-SKU"));
	id = order_create(srv->key_acme, o);
	snprintf(acme_ids.held, sizeof(acme_ids.held), "%s", id);
	got = order_fetch(srv->key_acme, id);
	hold_id_of(got, "unknown_sku", acme_ids.hold, sizeof(acme_ids.hold));
	json_decref(got);
	json_decref(o);
	free(id);

	/* The delivery, once its first attempt has been made: it then waits
	 * for a retry on the servers' clock, which the test does not move. */
	deadline = harness_now_ms() + 10000;
	while (!acme_ids.delivery[0]) {
		json_t *all = list_all(srv->key_acme, "/v1/webhooks/deliveries",
				       "deliveries", 100), *d;
		size_t i;

		json_array_foreach(all, i, d)
			if (streq(jstr(d, "webhook_id"), acme_ids.webhook) &&
			    json_integer_value(json_object_get(d, "attempts")) >=
				    1)
				snprintf(acme_ids.delivery,
					 sizeof(acme_ids.delivery), "%s",
					 jstr(d, "id"));
		json_decref(all);
		check(acme_ids.delivery[0] || harness_now_ms() < deadline,
		      "no delivery attempt to webhook %s within 10 s",
		      acme_ids.webhook);
		if (!acme_ids.delivery[0])
			harness_sleep_ms(100);
	}
}

static int group_setup(void **state)
{
	int rc = harness_group_setup(state);
	json_t *o;

	if (rc)
		return rc;
	for (size_t k = 0; k < N_ROLES; k++) {
		char name[32];

		snprintf(name, sizeof(name), "routes-%s", role_names[k].name);
		/* The integration key answers as a warehouse: the matrix
		 * checks what its role may call (what it may reach is
		 * an_integration_reaches_only_its_own's). */
		key_create_at("acme", role_names[k].name, name,
			      role_names[k].role == ROLE_INTEGRATION
				      ? "WH-WEST"
				      : NULL,
			      role_key[k], HARNESS_KEY_MAX);
		snprintf(name, sizeof(name), "routes-globex-%s",
			 role_names[k].name);
		key_create_at("globex", role_names[k].name, name,
			      role_names[k].role == ROLE_INTEGRATION
				      ? "WH-WEST"
				      : NULL,
			      globex_key[k], HARNESS_KEY_MAX);
		snprintf(name, sizeof(name), "routes-%s", role_names[k].name);
		if (role_names[k].role != ROLE_INTEGRATION)
			person_make(k);
	}
	person_login("routes-globex@example.com", "globex", "admin",
		     globex_person.cookie, sizeof(globex_person.cookie),
		     globex_person.csrf, sizeof(globex_person.csrf),
		     globex_person.headers, "Ordo-Tenant: globex");
	/* A key for the key routes to act on, by its id in the API. */
	{
		char target[HARNESS_KEY_MAX];
		struct resp *r;
		json_t *k;
		size_t i;

		key_create("acme", "viewer", "routes-target", target,
			   sizeof(target));
		r = http_get(srv->key_acme, "/v1/keys");
		assert_status(r, 200);
		json_array_foreach(jget(r->json, "keys"), i, k)
			if (streq(jstr(k, "name"), "routes-target"))
				snprintf(acme_ids.key, sizeof(acme_ids.key),
					 "%s", jstr(k, "id"));
		resp_free(r);
		check(acme_ids.key[0], "routes-target is listed");
	}
	/* A person of acme's for the people routes to act on. */
	{
		const char *args[] = {"user", "create", "routes@example.com",
				      "--tenant", "acme", "--role", "agent",
				      "--db", srv->db_path, NULL};
		struct cli_result cr;
		struct resp *r;
		json_t *u;
		size_t i;

		cli_run(&cr, args);
		check(cr.exit_status == 0, "ordo user create: %s%s", cr.out,
		      cr.err);
		cli_result_free(&cr);
		r = http_get(srv->key_acme, "/v1/users");
		assert_status(r, 200);
		json_array_foreach(jget(r->json, "users"), i, u)
			if (streq(jstr(u, "email"), "routes@example.com"))
				snprintf(acme_ids.user, sizeof(acme_ids.user),
					 "%s", jstr(u, "id"));
		resp_free(r);
		check(acme_ids.user[0], "routes@example.com is listed");
	}
	o = order_new("RT-PROBE");
	order_text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	make_resources();
	return 0;
}

static int group_teardown(void **state)
{
	free(order_text);
	order_text = NULL;
	return harness_group_teardown(state);
}

/* ---- the tables agree --------------------------------------------------------- */

API_TEST(every_route_has_an_entry_with_its_roles)
{
	int bad = 0;

	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);

		if (!e) {
			print_error("route %s %s has no entry in "
				    "tests/api/test_routes.c: add one\n",
				    rt->method, rt->pattern);
			bad++;
			continue;
		}
		if (roles_mask(e->roles) != rt->roles) {
			print_error("route %s %s allows roles 0x%x; the test "
				    "expects \"%s\" (0x%x)\n",
				    rt->method, rt->pattern, rt->roles, e->roles,
				    roles_mask(e->roles));
			bad++;
		}
	}
	for (size_t i = 0; i < N_EXPECTED; i++) {
		/* An allowed probe that succeeds would have written. */
		if (!streq(expected[i].method, "GET") &&
		    expected[i].allowed >= 200 && expected[i].allowed < 300) {
			print_error("the entry for %s %s expects a success "
				    "from a probe that must change nothing\n",
				    expected[i].method, expected[i].pattern);
			bad++;
		}
		if (!route_of(expected[i].method, expected[i].pattern)) {
			print_error("the test expects %s %s, which is not a "
				    "route\n",
				    expected[i].method, expected[i].pattern);
			bad++;
		}
	}
	check(bad == 0, "%d disagreement(s) between the route table and the "
			"test's table", bad);
}

/* The operation of a route in the OpenAPI document ("{id}" for '*'). */
static json_t *operation_of(json_t *doc, const api_route *rt)
{
	json_t *paths = json_object_get(doc, "paths"), *ops;
	const char *path;

	json_object_foreach(paths, path, ops) {
		const char *p = path, *q = rt->pattern;
		char method[8];
		size_t k;

		while (*p && *q) {
			if (*p == '{' && *q == '*') {
				p = strchr(p, '}');
				if (!p)
					break;
				p++;
				q++;
			} else if (*p++ != *q++) {
				break;
			}
		}
		if (!p || *p || *q)
			continue;
		for (k = 0; rt->method[k] && k + 1 < sizeof(method); k++)
			method[k] = (char)(rt->method[k] - 'A' + 'a');
		method[k] = '\0';
		return json_object_get(ops, method);
	}
	return NULL;
}

/* docs/openapi.json says who may call each operation (x-roles): the
 * route table's roles, never wider or narrower. */
API_TEST(the_documented_roles_are_the_routes)
{
	struct resp *doc = http_get(NULL, "/openapi.json");
	int bad = 0;

	assert_status(doc, 200);
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		json_t *op = operation_of(doc->json, rt), *roles, *name;
		unsigned mask = 0;
		size_t j;

		roles = op ? json_object_get(op, "x-roles") : NULL;
		if (!json_is_array(roles)) {
			print_error("%s %s: no x-roles in docs/openapi.json\n",
				    rt->method, rt->pattern);
			bad++;
			continue;
		}
		json_array_foreach(roles, j, name)
			mask |= roles_mask(json_string_value(name)
						   ? json_string_value(name)
						   : "?");
		if (mask != rt->roles) {
			print_error("%s %s: x-roles 0x%x, the route 0x%x\n",
				    rt->method, rt->pattern, mask, rt->roles);
			bad++;
		}
	}
	resp_free(doc);
	check(bad == 0, "%d operation(s) document other roles", bad);
}

/* ---- open routes --------------------------------------------------------------- */

/* A route that needs no key either answers anyone (the meta routes) or,
 * addressed to a channel, whoever proves by the channel's signature to be
 * it (test_channels.c): without the signature 401, key or none, and
 * nothing changes. */
API_TEST(open_routes_answer_without_a_key)
{
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		struct resp *r;

		if (rt->roles != ANYONE)
			continue;
		if (e && e->segs) {
			char path[HARNESS_PATH_MAX];
			json_t *before = tenant_snapshot();

			path_of(rt, 1, path, sizeof(path));
			r = call(rt->method, path, NULL, act_body(e), NULL);
			assert_error(r, 401, "unauthorized", NULL);
			resp_free(r);
			r = call(rt->method, path, srv->key_acme, act_body(e),
				 NULL);
			assert_error(r, 401, "unauthorized", NULL);
			resp_free(r);
			expect_same(before, tenant_snapshot(), path);
			continue;
		}
		r = call(rt->method, rt->pattern, NULL, NULL, NULL);
		assert_status(r, e ? e->allowed : 200);
		resp_free(r);
		/* A key that is no key is not looked at. */
		r = call(rt->method, rt->pattern, "not-a-key", NULL, NULL);
		assert_status(r, e ? e->allowed : 200);
		resp_free(r);
	}
}

/* ---- authentication ------------------------------------------------------------ */

/* Call every keyed route at acme's real path with its acting body, with
 * key or header; each must answer 401 with the error body. */
static void every_keyed_route_401(const char *key, const char *header,
				  const char *query)
{
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char real[HARNESS_PATH_MAX - 32], path[HARNESS_PATH_MAX];
		struct resp *r;

		if (rt->roles == ANYONE || !e)
			continue;
		path_of(rt, 1, real, sizeof(real));
		snprintf(path, sizeof(path), "%s%s", real, query ? query : "");
		r = call(rt->method, path, key, act_body(e), header);
		if (r->status != 401)
			print_error("%s %s with key \"%s\", header \"%s\"\n",
				    rt->method, path, key ? key : "",
				    header ? header : "");
		assert_error(r, 401, "unauthorized", NULL);
		resp_free(r);
	}
}

API_TEST(every_keyed_route_refuses_a_missing_key)
{
	json_t *before = tenant_snapshot();
	struct resp *r;
	char www[128] = "";

	every_keyed_route_401(NULL, NULL, NULL);
	every_keyed_route_401(NULL, NULL, "?state=accepted");
	r = call("GET", "/v1/orders", NULL, NULL, NULL);
	check(resp_header(r, "WWW-Authenticate", www, sizeof(www)) &&
		      !strncmp(www, "Bearer", 6),
	      "a 401 must carry WWW-Authenticate: Bearer; headers:\n%s",
	      r->headers);
	resp_free(r);
	expect_same(before, tenant_snapshot(), "a call without a key");
}

API_TEST(every_keyed_route_refuses_a_malformed_header)
{
	char with_key[HARNESS_KEY_MAX + 64];
	char lower[HARNESS_KEY_MAX + 64];
	char no_space[HARNESS_KEY_MAX + 64];
	const char *bad[8];
	size_t n = 0;
	json_t *before = tenant_snapshot();

	snprintf(with_key, sizeof(with_key), "Authorization: Basic %s",
		 srv->key_acme);
	snprintf(lower, sizeof(lower), "Authorization: Token %s",
		 srv->key_acme);
	snprintf(no_space, sizeof(no_space), "Authorization: Bearer%s",
		 srv->key_acme);
	bad[n++] = with_key;
	bad[n++] = lower;
	bad[n++] = no_space;
	bad[n++] = "Authorization: Bearer";
	bad[n++] = "Authorization: Bearer ";
	bad[n++] = "Authorization: ";
	bad[n++] = "Authorization: Basic YWRtaW46YWRtaW4=";
	for (size_t j = 0; j < n; j++)
		every_keyed_route_401(NULL, bad[j], NULL);
	expect_same(before, tenant_snapshot(), "a malformed Authorization");
}

API_TEST(every_keyed_route_refuses_an_unknown_key)
{
	char longer[HARNESS_KEY_MAX + 8];
	char shorter[HARNESS_KEY_MAX];
	char flipped[HARNESS_KEY_MAX];
	size_t len = strlen(srv->key_acme);
	const char *wrong[4];
	json_t *before = tenant_snapshot();

	assert_true(len > 4);
	snprintf(longer, sizeof(longer), "%sx", srv->key_acme);
	memcpy(shorter, srv->key_acme, len - 1);
	shorter[len - 1] = '\0';
	memcpy(flipped, srv->key_acme, len + 1);
	flipped[len - 1] = flipped[len - 1] == 'A' ? 'B' : 'A';
	wrong[0] = longer;
	wrong[1] = shorter;
	wrong[2] = flipped;
	wrong[3] = "ordo_live_0000000000000000000000000000000000000000";
	for (size_t j = 0; j < 4; j++)
		every_keyed_route_401(wrong[j], NULL, NULL);
	expect_same(before, tenant_snapshot(), "an unknown key");
}

/* ---- roles ---------------------------------------------------------------------- */

API_TEST(roles_without_the_right_get_403_and_change_nothing)
{
	json_t *before = tenant_snapshot();
	size_t refused = 0;

	for (enum way w = 0; w < WAYS; w++)
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char path[HARNESS_PATH_MAX];

		if (rt->roles == ANYONE || !e)
			continue;
		path_of(rt, 1, path, sizeof(path));
		for (size_t k = 0; k < N_ROLES; k++) {
			struct resp *r;

			if (roles_mask(e->roles) & ROLE_BIT(role_names[k].role))
				continue;
			if (!way_has(w, k))
				continue;
			r = call_as(w, k, rt->method, path, act_body(e));
			if (r->status != 403)
				print_error("%s %s as %s (%s)\n", rt->method,
					    path, role_names[k].name,
					    way_names[w]);
			assert_error(r, 403, "forbidden", NULL);
			check(r->body && strstr(r->body, role_names[k].name),
			      "the 403 must name the role %s: %s",
			      role_names[k].name, r->body);
			resp_free(r);
			refused++;
		}
	}
	check(refused > 0, "no route refuses any role");
	expect_same(before, tenant_snapshot(), "a refused role");
}

API_TEST(roles_with_the_right_are_let_through_harmlessly)
{
	json_t *before = tenant_snapshot();

	for (enum way w = 0; w < WAYS; w++)
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char path[HARNESS_PATH_MAX];

		if (rt->roles == ANYONE || !e)
			continue;
		path_of(rt, 0, path, sizeof(path));
		for (size_t k = 0; k < N_ROLES; k++) {
			struct resp *r;

			if (!(roles_mask(e->roles) & ROLE_BIT(role_names[k].role)))
				continue;
			if (!way_has(w, k))
				continue;
			r = call_as(w, k, rt->method, path, e->harmless);
			check(r->status != 401 && r->status != 403,
			      "%s %s as %s (%s) answers %ld: %s", rt->method,
			      path, role_names[k].name, way_names[w],
			      r->status, r->body);
			check(r->status == e->allowed,
			      "%s %s as %s (%s) answers %ld, the test expects "
			      "%ld: %s",
			      rt->method, path, role_names[k].name,
			      way_names[w], r->status, e->allowed, r->body);
			resp_free(r);
		}
	}
	expect_same(before, tenant_snapshot(), "an allowed, harmless call");
}

/* Each role that may read an object reads the tenant's own: 200 on acme's
 * real ids, by key and as a person (an integration reads its own alone:
 * an_integration_reaches_only_its_own). */
API_TEST(roles_with_the_right_read_their_tenants_objects)
{
	size_t read = 0;

	for (enum way w = 0; w < WAYS; w++)
	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char path[HARNESS_PATH_MAX];

		if (!e || rt->roles == ANYONE || !e->segs ||
		    !streq(rt->method, "GET"))
			continue;
		path_of(rt, 1, path, sizeof(path));
		for (size_t k = 0; k < N_ROLES; k++) {
			struct resp *r;

			if (!(roles_mask(e->roles) & ROLE_BIT(role_names[k].role)) ||
			    role_names[k].role == ROLE_INTEGRATION ||
			    !way_has(w, k))
				continue;
			r = call_as(w, k, "GET", path, NULL);
			check(r->status == 200, "GET %s as %s (%s) answers %ld: %s",
			      path, role_names[k].name, way_names[w], r->status,
			      r->body);
			resp_free(r);
			read++;
		}
	}
	check(read >= 50, "only %zu reads of the tenant's objects", read);
}

/* ---- tenant isolation ----------------------------------------------------------- */

static int names_tenant_resource(const struct expect *e)
{
	return e->segs && !strstr(e->segs, "location") &&
	       !strstr(e->segs, "sku");
}

API_TEST(another_tenant_gets_404_for_every_id_route)
{
	json_t *before = tenant_snapshot();
	size_t tried = 0;

	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char path[HARNESS_PATH_MAX], kind[32];
		json_t *was;
		struct resp *r;

		if (!e || rt->roles == ANYONE || !names_tenant_resource(e))
			continue;
		word(e->segs, 0, kind, sizeof(kind));
		path_of(rt, 1, path, sizeof(path));
		was = resource_snapshot(kind);
		r = call(rt->method, path, srv->key_globex, act_body(e), NULL);
		if (r->status != 404)
			print_error("%s %s with globex's key\n", rt->method,
				    path);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
		/* globex's admin person, too. */
		r = http(rt->method, path, NULL, act_body(e),
			 act_body(e) ? strlen(act_body(e)) : 0,
			 globex_person.headers);
		if (r->status != 404)
			print_error("%s %s as globex's admin person\n",
				    rt->method, path);
		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
		/* Every other role of globex's that may call the route:
		 * 404 too; one that may not is refused for its role (403),
		 * whatever the id, which says nothing of acme's. */
		for (size_t k = 0; k < N_ROLES; k++) {
			bool may = rt->roles & ROLE_BIT(role_names[k].role);

			r = call(rt->method, path, globex_key[k], act_body(e),
				 NULL);
			if (r->status != (may ? 404 : 403))
				print_error("%s %s with globex's %s key\n",
					    rt->method, path,
					    role_names[k].name);
			if (may)
				assert_error(r, 404, "not_found", NULL);
			else
				assert_error(r, 403, "forbidden", NULL);
			resp_free(r);
		}
		expect_same(was, resource_snapshot(kind), path);
		if (streq(rt->method, "GET")) {
			r = call("GET", path, srv->key_acme, NULL, NULL);
			assert_status(r, 200);
			resp_free(r);
		}
		tried++;
	}
	check(tried >= 15, "only %zu routes name a tenant resource", tried);
	expect_same(before, tenant_snapshot(), "globex's calls");
}

/* Which of acme's ids (of acme_ids; not the catalog's codes, which both
 * tenants share) text holds; NULL when none. */
static const char *acme_id_in(const char *text)
{
	const char(*ids)[64] = (const char(*)[64])(const void *)&acme_ids;
	size_t n = sizeof(acme_ids) / sizeof(ids[0]);

	for (size_t i = 0; i < n; i++)
		if (ids[i][0] && strstr(text, ids[i]))
			return ids[i];
	return NULL;
}

/*
 * Every list and read without an id (every GET route with no '*') asked by
 * each of globex's keys and its admin person holds none of acme's ids;
 * asked by acme's admin, the lists show acme's own (so that the check can
 * fail).
 */
API_TEST(another_tenants_lists_hold_none_of_its_objects)
{
	size_t tried = 0, shown = 0;

	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const char *id;
		struct resp *r;

		if (!streq(rt->method, "GET") || strchr(rt->pattern, '*') ||
		    rt->roles == ANYONE)
			continue;
		for (size_t k = 0; k <= N_ROLES; k++) {
			r = k < N_ROLES ? call("GET", rt->pattern, globex_key[k],
					       NULL, NULL)
					: http("GET", rt->pattern, NULL, NULL,
					       0, globex_person.headers);
			id = acme_id_in(r->body);
			if (id)
				print_error("GET %s as globex's %s: %s\n",
					    rt->pattern,
					    k < N_ROLES ? role_names[k].name
							: "admin person",
					    r->body);
			check(!id, "GET %s shows acme's %s to globex",
			      rt->pattern, id);
			resp_free(r);
		}
		r = call("GET", rt->pattern, srv->key_acme, NULL, NULL);
		shown += acme_id_in(r->body) != NULL;
		resp_free(r);
		tried++;
	}
	check(tried >= 20 && shown >= 10,
	      "%zu lists tried, %zu show acme's own to acme", tried, shown);
}

/* ---- an integration's reach ---------------------------------------------------- */

/* Whether a route's first segment names an order, fulfillment, change
 * request or shipment: what an integration reaches only when it is its
 * own (the order it created; its location's). */
static bool reaches_by_owner(const struct expect *e)
{
	char kind[32];

	if (!e->segs)
		return false;
	word(e->segs, 0, kind, sizeof(kind));
	return streq(kind, "order") || streq(kind, "fulfillment") ||
	       streq(kind, "change") || streq(kind, "shipment");
}

/* The array name of a list's answer, its items' ids, as one string. */
static char *listed_ids(const char *key, const char *path, const char *name)
{
	struct resp *r = http_get(key, "%s", path);
	char *out = calloc(1, 4096);
	json_t *it;
	size_t i, o = 0;

	assert_non_null(out);
	assert_status(r, 200);
	json_array_foreach(jget(r->json, name), i, it)
		o += (size_t)snprintf(out + o, 4096 - o, "%s ", jstr(it, "id"));
	resp_free(r);
	return out;
}

/*
 * An integration key reaches the orders it created and its location's
 * fulfillments, shipments and change requests: every route it may call
 * answers 404 for acme's others, as for another tenant's, and changes
 * nothing; its lists hold its own alone.
 */
API_TEST(an_integration_reaches_only_its_own)
{
	char own[HARNESS_KEY_MAX], other[HARNESS_KEY_MAX],
		nowhere[HARNESS_KEY_MAX], here[40],
		there[40], path[HARNESS_PATH_MAX], *ids, *mine;
	const char *strangers[2];
	json_t *before, *o, *it;
	struct resp *r;
	size_t tried = 0, i;

	/* Keys at acme's fulfillment's location and at the other. */
	r = http_get(srv->key_acme, "/v1/fulfillments/%s",
		     acme_ids.fulfillment);
	assert_status(r, 200);
	snprintf(here, sizeof(here), "%s", jstr(r->json, "location"));
	resp_free(r);
	snprintf(there, sizeof(there), "%s",
		 streq(here, "WH-EAST") ? "WH-WEST" : "WH-EAST");
	key_create_at("acme", "integration", "routes-wh-here", here, own,
		      sizeof(own));
	key_create_at("acme", "integration", "routes-wh-there", there, other,
		      sizeof(other));
	key_create("acme", "integration", "routes-wh-none", nowhere,
		   sizeof(nowhere));
	strangers[0] = other;
	strangers[1] = nowhere;
	before = tenant_snapshot();

	/* acme's others: 404 on every route, nothing changed. */
	for (i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char kind[32];

		if (!e || !(rt->roles & ROLE_BIT(ROLE_INTEGRATION)) ||
		    !reaches_by_owner(e))
			continue;
		word(e->segs, 0, kind, sizeof(kind));
		path_of(rt, 1, path, sizeof(path));
		for (size_t k = 0; k < 2; k++) {
			json_t *was = resource_snapshot(kind);

			r = call(rt->method, path, strangers[k], act_body(e),
				 NULL);
			if (r->status != 404)
				print_error("%s %s by %s\n", rt->method, path,
					    k ? "an integration key with no "
						"location"
					      : "another location's key");
			assert_error(r, 404, "not_found", NULL);
			resp_free(r);
			expect_same(was, resource_snapshot(kind), path);
		}
		tried++;
	}
	check(tried >= 8, "only %zu integration routes name an object", tried);

	/* Its location's: read. An order it did not create: 404. */
	r = http_get(own, "/v1/fulfillments/%s", acme_ids.fulfillment);
	assert_status(r, 200);
	resp_free(r);
	r = http_get(own, "/v1/change-requests/%s", acme_ids.change);
	assert_status(r, 200);
	resp_free(r);
	r = http_get(own, "/v1/orders/%s", acme_ids.order);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	expect_same(before, tenant_snapshot(), "calls by integration keys");

	/* The order it creates is its own: read by it, and by no other
	 * integration; its list holds its own orders alone. */
	o = order_new("RT-INT-1");
	mine = order_create(own, o);
	r = http_get(own, "/v1/orders/%s", mine);
	assert_status(r, 200);
	resp_free(r);
	r = http_get(other, "/v1/orders/%s", mine);
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	ids = listed_ids(own, "/v1/orders?limit=100", "orders");
	check(strstr(ids, mine) && strlen(ids) == strlen(mine) + 1,
	      "its list is not its one order: %s", ids);
	free(ids);
	ids = listed_ids(other, "/v1/orders?external_id=RT-INT-1", "orders");
	check(ids[0] == '\0', "another integration lists %s", ids);
	free(ids);
	ids = listed_ids(srv->key_acme, "/v1/orders?external_id=RT-INT-1",
			 "orders");
	check(strstr(ids, mine), "the admin does not list %s: %s", mine, ids);
	free(ids);
	/* Filters with no index over its orders alone: refused, named. */
	r = http_get(own, "/v1/orders?state=accepted");
	assert_error(r, 400, "invalid_request", "state");
	resp_free(r);
	/* Its external id again, from another integration: taken, and the
	 * order is not shown. */
	{
		char *text = json_dumps(o, JSON_COMPACT);

		r = http("POST", "/v1/orders", other, text, strlen(text),
			 NULL);
		free(text);
	}
	assert_error(r, 409, "conflict", "external_id");
	check(!strstr(r->body, mine), "the 409 shows the order: %s", r->body);
	resp_free(r);
	json_decref(o);
	free(mine);

	/* Fulfillments: its location's alone. */
	r = http_get(own, "/v1/fulfillments?limit=100");
	assert_status(r, 200);
	check(json_array_size(jget(r->json, "fulfillments")) >= 1,
	      "its location's fulfillment is not listed");
	json_array_foreach(jget(r->json, "fulfillments"), i, it)
		check(streq(jstr(it, "location"), here),
		      "a fulfillment of %s listed for %s", jstr(it, "location"),
		      here);
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/fulfillments?location=%s", there);
	r = http_get(own, "%s", path);
	assert_error(r, 403, "forbidden", "location");
	resp_free(r);
	r = http_get(nowhere, "/v1/fulfillments");
	assert_error(r, 403, "forbidden", "location");
	resp_free(r);

	/* Its Idempotency-Keys are its own: another key's replay of one is
	 * not answered with its stored answer. */
	{
		const char *idem[] = {"Idempotency-Key: RT-INT-IDEM", NULL};
		char *text, *made;

		o = order_new("RT-INT-IDEM");
		text = json_dumps(o, JSON_COMPACT);
		r = http("POST", "/v1/orders", own, text, strlen(text), idem);
		assert_status(r, 201);
		made = strdup(jstr(r->json, "id"));
		resp_free(r);
		r = http("POST", "/v1/orders", other, text, strlen(text),
			 idem);
		check(r->status != 200 && r->status != 201 &&
			      !strstr(r->body, made),
		      "another key's replay answers %ld: %s", r->status,
		      r->body);
		resp_free(r);
		free(made);
		free(text);
		json_decref(o);
	}
	/* A duplicate suspect of an order it may not reach does not name
	 * that order to it; people see it named. */
	{
		char *first, *second;
		json_t *got, *h;
		size_t k;
		int named = 0;

		o = order_new("RT-DUP-A");
		first = order_create(srv->key_acme, o);
		jset(o, "external_id", json_string("RT-DUP-B"));
		{
			char *text = json_dumps(o, JSON_COMPACT);

			r = http("POST", "/v1/orders", own, text,
				 strlen(text), NULL);
			free(text);
		}
		assert_status(r, 201);
		second = strdup(jstr(r->json, "id"));
		check(!strstr(r->body, first),
		      "the suspect's answer names %s: %s", first, r->body);
		resp_free(r);
		r = http_get(own, "/v1/orders/%s", second);
		assert_status(r, 200);
		check(!strstr(r->body, first), "its order names %s: %s", first,
		      r->body);
		resp_free(r);
		got = order_fetch(srv->key_acme, second);
		json_array_foreach(jget(got, "holds"), k, h)
			named += streq(jstr(h, "type"), "duplicate_suspect") &&
				 streq(jstr(h, "related_order_id"), first);
		check(named == 1, "the admin sees the suspect of %s: %s", first,
		      json_dumps(got, 0));
		json_decref(got);
		json_decref(o);
		free(first);
		free(second);
	}
}

API_TEST(stock_writes_by_code_change_only_the_callers_row)
{
	long acme_before = stock_figure(srv->key_acme, "MUG-12OZ", "WH-EAST",
					"on_hand");
	size_t tried = 0;

	for (size_t i = 0; i < api_n_routes; i++) {
		const api_route *rt = &api_routes[i];
		const struct expect *e = expect_of(rt->method, rt->pattern);
		char path[HARNESS_PATH_MAX];
		long globex_before, globex_after, want;
		struct resp *r;

		if (!e || !e->segs || names_tenant_resource(e))
			continue;
		globex_before = stock_figure(srv->key_globex, "MUG-12OZ",
					     "WH-EAST", "on_hand");
		path_of(rt, 1, path, sizeof(path));
		r = call(rt->method, path, srv->key_globex, e->act, NULL);
		check(r->status == 200 || r->status == 201,
		      "%s %s with globex's key answers %ld: %s", rt->method,
		      path, r->status, r->body);
		resp_free(r);
		globex_after = stock_figure(srv->key_globex, "MUG-12OZ",
					    "WH-EAST", "on_hand");
		want = streq(rt->method, "PUT") ? 7 : globex_before + 3;
		check(globex_after == want,
		      "%s %s: globex's on_hand is %ld, not %ld", rt->method,
		      path, globex_after, want);
		check(stock_figure(srv->key_acme, "MUG-12OZ", "WH-EAST",
				   "on_hand") == acme_before,
		      "%s %s by globex changed acme's stock", rt->method, path);
		tried++;
	}
	check(tried == 2, "%zu stock routes by code, expected 2", tried);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_route_has_an_entry_with_its_roles),
		cmocka_unit_test(the_documented_roles_are_the_routes),
		cmocka_unit_test(open_routes_answer_without_a_key),
		cmocka_unit_test(every_keyed_route_refuses_a_missing_key),
		cmocka_unit_test(every_keyed_route_refuses_a_malformed_header),
		cmocka_unit_test(every_keyed_route_refuses_an_unknown_key),
		cmocka_unit_test(roles_without_the_right_get_403_and_change_nothing),
		cmocka_unit_test(roles_with_the_right_are_let_through_harmlessly),
		cmocka_unit_test(roles_with_the_right_read_their_tenants_objects),
		cmocka_unit_test(another_tenant_gets_404_for_every_id_route),
		cmocka_unit_test(another_tenants_lists_hold_none_of_its_objects),
		cmocka_unit_test(an_integration_reaches_only_its_own),
		cmocka_unit_test(stock_writes_by_code_change_only_the_callers_row),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
