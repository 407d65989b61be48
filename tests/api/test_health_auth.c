/*
 * test_health_auth.c - unauthenticated endpoints, authentication of every
 * /v1 route, unknown routes and wrong methods.
 *
 * Every /v1 route is tried without a key, with malformed Authorization
 * headers and with wrong keys; each must answer 401 with the error body and
 * must not act (the unauthenticated SKU post is not stored).
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

struct route {
	const char *method;
	const char *path;
	const char *body;
};

static const struct route v1_routes[] = {
	{ "GET", "/v1/skus", NULL },
	{ "POST", "/v1/skus",
	  "{\"sku\": \"AUTH-PROBE\", \"title\": \"Probe\", \"unit_price\": \"1.00\"}" },
	{ "GET", "/v1/locations", NULL },
	{ "POST", "/v1/locations",
	  "{\"code\": \"WH-PROBE\", \"name\": \"Probe\", \"country\": \"US\"}" },
	{ "PUT", "/v1/locations/WH-EAST/stock/MUG-12OZ", "{\"on_hand\": 1}" },
	{ "GET", "/v1/orders", NULL },
	{ "POST", "/v1/orders", "{}" },
	{ "GET", "/v1/orders?state=accepted", NULL },
	{ "GET", "/v1/orders/ord_01JDZ3B4X5Y6Z7A8B9C0D1E2F3", NULL },
	{ "GET", "/v1/orders/ord_01JDZ3B4X5Y6Z7A8B9C0D1E2F3/events", NULL },
};

#define N_ROUTES (sizeof(v1_routes) / sizeof(v1_routes[0]))

static struct resp *call(const struct route *rt, const char *key,
			 const char *auth_header)
{
	const char *headers[] = { auth_header, NULL };

	return http(rt->method, rt->path, key, rt->body,
		    rt->body ? strlen(rt->body) : 0,
		    auth_header ? headers : NULL);
}

API_TEST(healthz_needs_no_auth)
{
	struct resp *r = http_get(NULL, "/healthz");

	assert_status(r, 200);
	check(json_is_object(r->json), "healthz body is not a JSON object: %s",
	      r->body);
	check(jstr(r->json, "status") && streq(jstr(r->json, "status"), "ok"),
	      "healthz status is not \"ok\": %s", r->body);
	resp_free(r);

	/* A wrong key on an open endpoint is ignored, not refused. */
	r = http_get("not-a-key", "/healthz");
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(openapi_document_is_served)
{
	struct resp *r = http_get(NULL, "/openapi.json");
	json_t *paths;

	assert_status(r, 200);
	check(json_is_object(r->json), "openapi.json is not a JSON object");
	check(json_is_string(json_object_get(r->json, "openapi")) &&
		      !strncmp(jstr(r->json, "openapi"), "3.", 2),
	      "\"openapi\" is not a 3.x version string: %.200s", r->body);
	paths = json_object_get(r->json, "paths");
	check(json_is_object(paths), "\"paths\" is not an object");
	check(json_object_get(paths, "/v1/orders") != NULL,
	      "paths has no /v1/orders");
	check(json_object_get(paths, "/v1/skus") != NULL,
	      "paths has no /v1/skus");
	check(json_object_get(paths, "/healthz") != NULL,
	      "paths has no /healthz");
	resp_free(r);
}

/* Every operation the OpenAPI document describes is one the server has:
 * none answers "no such endpoint" or "method not allowed". */
API_TEST(every_documented_operation_exists)
{
	struct resp *doc = http_get(NULL, "/openapi.json");
	json_t *paths = json_object_get(doc->json, "paths"), *ops;
	const char *path;
	size_t checked = 0;

	json_object_foreach(paths, path, ops) {
		static const char *const methods[] = {"get", "post", "put",
						      "patch", "delete"};
		char concrete[256], *o = concrete;
		const char *p;

		/* {param} -> a value no tenant has */
		for (p = path; *p && o < concrete + sizeof(concrete) - 16;) {
			if (*p == '{') {
				memcpy(o, "zz-none", 7);
				o += 7;
				p = strchr(p, '}');
				p = p ? p + 1 : p + strlen(p);
			} else {
				*o++ = *p++;
			}
		}
		*o = '\0';
		for (size_t m = 0; m < 5; m++) {
			char upper[8];
			struct resp *r;
			size_t k;

			if (!json_object_get(ops, methods[m]))
				continue;
			for (k = 0; methods[m][k]; k++)
				upper[k] = (char)(methods[m][k] - 'a' + 'A');
			upper[k] = '\0';
			r = http(upper, concrete, srv->key_acme, "{}", 2, NULL);
			check(r->status != 405 &&
				      !(r->status == 404 && r->body &&
					strstr(r->body, "no such endpoint")),
			      "%s %s is documented but the server answers "
			      "%ld: %s",
			      upper, concrete, r->status,
			      r->body ? r->body : "");
			resp_free(r);
			checked++;
		}
	}
	check(checked >= 40, "only %zu operations documented", checked);
	resp_free(doc);
}

API_TEST(every_v1_route_refuses_a_missing_key)
{
	for (size_t i = 0; i < N_ROUTES; i++) {
		struct resp *r = call(&v1_routes[i], NULL, NULL);

		assert_error(r, 401, "unauthorized", NULL);
		resp_free(r);
	}
}

API_TEST(every_v1_route_refuses_a_malformed_header)
{
	char with_key[HARNESS_KEY_MAX + 64];
	char lower[HARNESS_KEY_MAX + 64];
	char no_space[HARNESS_KEY_MAX + 64];
	const char *bad[8];
	size_t n = 0;

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
	for (size_t i = 0; i < N_ROUTES; i++) {
		for (size_t j = 0; j < n; j++) {
			struct resp *r = call(&v1_routes[i], NULL, bad[j]);

			if (r->status != 401)
				print_error("with header \"%s\"\n", bad[j]);
			assert_error(r, 401, "unauthorized", NULL);
			resp_free(r);
		}
	}
}

API_TEST(every_v1_route_refuses_a_wrong_key)
{
	char longer[HARNESS_KEY_MAX + 8];
	char shorter[HARNESS_KEY_MAX];
	char flipped[HARNESS_KEY_MAX];
	size_t len = strlen(srv->key_acme);
	const char *wrong[4];

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
	for (size_t i = 0; i < N_ROUTES; i++) {
		for (size_t j = 0; j < 4; j++) {
			struct resp *r = call(&v1_routes[i], wrong[j], NULL);

			if (r->status != 401)
				print_error("with key \"%s\"\n", wrong[j]);
			assert_error(r, 401, "unauthorized", NULL);
			resp_free(r);
		}
	}
}

API_TEST(refused_requests_store_nothing)
{
	json_t *skus = list_all(srv->key_acme, "/v1/skus", "skus", 200);
	json_t *locs = list_all(srv->key_acme, "/v1/locations", "locations",
				200);
	json_t *s;
	size_t i;

	json_array_foreach(skus, i, s)
		check(!streq(jstr(s, "sku"), "AUTH-PROBE"),
		      "an unauthenticated POST /v1/skus was stored");
	json_array_foreach(locs, i, s)
		check(!streq(jstr(s, "code"), "WH-PROBE"),
		      "an unauthenticated POST /v1/locations was stored");
	json_decref(skus);
	json_decref(locs);
}

API_TEST(the_right_key_is_accepted_on_every_read_route)
{
	struct resp *r = http_get(srv->key_acme, "/v1/orders");

	assert_status(r, 200);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/skus");
	assert_status(r, 200);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/locations");
	assert_status(r, 200);
	resp_free(r);
	r = http_get(srv->key_globex, "/v1/orders");
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(unknown_routes_are_404)
{
	static const char *paths[] = {
		"/v1/nothing-here", "/v1/orders/ord_x/nothing", "/v2/orders",
		"/v1/skus/extra/segments/here", "/v1",
	};

	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct resp *r = http_get(srv->key_acme, "%s", paths[i]);

		assert_error(r, 404, "not_found", NULL);
		resp_free(r);
	}
}

API_TEST(unknown_order_id_is_404)
{
	struct resp *r = http_get(srv->key_acme,
				  "/v1/orders/ord_01JDZ3B4X5Y6Z7A8B9C0D1E2F3");

	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = http_get(srv->key_acme,
		     "/v1/orders/ord_01JDZ3B4X5Y6Z7A8B9C0D1E2F3/events");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
}

API_TEST(wrong_methods_are_405)
{
	static const struct route wrong[] = {
		{ "DELETE", "/v1/skus", NULL },
		{ "PUT", "/v1/skus", "{}" },
		{ "DELETE", "/v1/locations", NULL },
		{ "DELETE", "/v1/orders", NULL },
		{ "PATCH", "/v1/orders", "{}" },
		{ "GET", "/v1/locations/WH-EAST/stock/MUG-12OZ", NULL },
		{ "POST", "/healthz", "{}" },
	};

	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		const char *key = strcmp(wrong[i].path, "/healthz") ?
					  srv->key_acme : NULL;
		struct resp *r = call(&wrong[i], key, NULL);
		char allow[128] = "";

		assert_error(r, 405, "method_not_allowed", NULL);
		check(resp_header(r, "Allow", allow, sizeof(allow)) && allow[0],
		      "405 for %s %s must carry an Allow header; headers:\n%s",
		      wrong[i].method, wrong[i].path, r->headers);
		resp_free(r);
	}
}

API_TEST(server_announces_its_address_and_logs_json)
{
	char *log = harness_log_text(srv);
	char want[128];
	char *line, *next;
	size_t json_lines = 0;

	snprintf(want, sizeof(want), "\"msg\":\"listening\",\"url\":\"%s\"",
		 srv->base_url);
	check(strstr(log, want) != NULL,
	      "stderr must log %s when ready; the log is:\n%.3000s", want,
	      log);
	for (line = log; *line; line = next) {
		json_t *j;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		j = json_loads(line, 0, NULL);
		check(json_is_object(j), "a log line is not a JSON object: %s",
		      line);
		json_decref(j);
		json_lines++;
	}
	check(json_lines > 0, "no JSON log lines");
	free(log);
}

API_TEST(errors_are_json)
{
	struct resp *r = http_get(NULL, "/v1/orders");
	char ct[128] = "";

	assert_error(r, 401, "unauthorized", NULL);
	check(resp_header(r, "Content-Type", ct, sizeof(ct)) &&
		      !strncmp(ct, "application/json", 16),
	      "error Content-Type is \"%s\", not application/json", ct);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthz_needs_no_auth),
		cmocka_unit_test(openapi_document_is_served),
		cmocka_unit_test(every_documented_operation_exists),
		cmocka_unit_test(every_v1_route_refuses_a_missing_key),
		cmocka_unit_test(every_v1_route_refuses_a_malformed_header),
		cmocka_unit_test(every_v1_route_refuses_a_wrong_key),
		cmocka_unit_test(refused_requests_store_nothing),
		cmocka_unit_test(the_right_key_is_accepted_on_every_read_route),
		cmocka_unit_test(unknown_routes_are_404),
		cmocka_unit_test(unknown_order_id_is_404),
		cmocka_unit_test(wrong_methods_are_405),
		cmocka_unit_test(errors_are_json),
		cmocka_unit_test(server_announces_its_address_and_logs_json),
	};

	return cmocka_run_group_tests(tests, harness_group_setup,
				      harness_group_teardown);
}
