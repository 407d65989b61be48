/*
 * test_health_auth.c - unauthenticated endpoints, the shape of a refusal,
 * unknown routes and wrong methods, and the headers every answer carries.
 *
 * That every route refuses a missing key, a malformed Authorization header,
 * an unknown key and a role without the right - and acts on none of them -
 * is tried route by route from the server's own route table in
 * test_routes.c; this file keeps what is not about one route at a time.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

struct route {
	const char *method;
	const char *path;
	const char *body;
};

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

/* Every answer carries its request's id, the caller's when usable; the
 * request's log line has it, with the route, tenant and actor, and never
 * the key. */
API_TEST(each_request_has_an_id_in_its_answer_and_its_log_line)
{
	const char *mine[] = {"X-Request-Id: trace-abc.123", NULL};
	const char *bad[] = {"X-Request-Id: two words", NULL};
	char id[80] = "", *log, *line, *next;
	struct resp *r;
	int seen = 0;

	r = http("GET", "/healthz", NULL, NULL, 0, NULL);
	check(resp_header(r, "X-Request-Id", id, sizeof(id)) &&
		      strncmp(id, "req_", 4) == 0,
	      "made: \"%s\"", id);
	resp_free(r);
	r = http("GET", "/v1/orders?limit=1", srv->key_acme, NULL, 0, mine);
	assert_status(r, 200);
	check(resp_header(r, "X-Request-Id", id, sizeof(id)) &&
		      streq(id, "trace-abc.123"),
	      "echoed: \"%s\"", id);
	resp_free(r);
	r = http("GET", "/v1/orders/ord_nosuch", srv->key_acme, NULL, 0, bad);
	check(resp_header(r, "X-Request-Id", id, sizeof(id)) &&
		      strncmp(id, "req_", 4) == 0,
	      "a bad one is replaced: \"%s\"", id);
	resp_free(r);

	harness_sleep_ms(200);
	log = harness_log_text(srv);
	check(strstr(log, srv->key_acme) == NULL, "the key is logged");
	for (line = log; *line; line = next) {
		json_t *j;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		j = json_loads(line, 0, NULL);
		if (j && streq(jstr(j, "request_id"), "trace-abc.123"))
			seen = streq(jstr(j, "route"), "/v1/orders") &&
			       streq(jstr(j, "tenant"), "acme") &&
			       jstr(j, "actor") &&
			       strncmp(jstr(j, "actor"), "key:", 4) == 0 &&
			       json_integer_value(json_object_get(j, "status")) ==
				       200;
		json_decref(j);
	}
	check(seen, "the request's log line names its id, route, tenant and "
		    "actor");
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

/*
 * Every answer carries the headers a browser needs to keep the console
 * safe: success and refusal, JSON and the
 * metrics' text, the OpenAPI document, a write and its replay.
 */
API_TEST(every_answer_carries_the_security_headers)
{
	static const char sku[] = "{\"sku\": \"SEC-1\", \"title\": \"Mug\", "
				  "\"unit_price\": \"1.00\"}";
	const char *idem[] = {"Idempotency-Key: sec-headers-1", NULL};
	const struct {
		const char *method, *path, *key, *body;
		long status;
	} calls[] = {
		{"GET", "/healthz", NULL, NULL, 200},
		{"GET", "/v1/orders", NULL, NULL, 401},
		{"GET", "/v1/orders?limit=1", srv->key_acme, NULL, 200},
		{"GET", "/v1/orders?limt=1", srv->key_acme, NULL, 400},
		{"GET", "/v1/nothing-here", srv->key_acme, NULL, 404},
		{"DELETE", "/healthz", NULL, NULL, 405},
		{"GET", "/v1/openapi.json", NULL, NULL, 200},
		{"GET", "/metrics", NULL, NULL, 200},
		/* A write, then its replay. */
		{"POST", "/v1/skus", srv->key_acme, sku, 201},
		{"POST", "/v1/skus", srv->key_acme, sku, 201},
		/* The console's files. */
		{"GET", "/", NULL, NULL, 200},
		{"GET", "/console/app.js", NULL, NULL, 200},
	};
	size_t i;
	/* The edge's refusals of headers over 16 KiB and a body over 1 MiB
	 * (test_edge checks the others'). */
	static char long_header[17000], big[1048600];
	const char *big_headers[] = {long_header, NULL};
	struct resp *r;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		r = http(calls[i].method, calls[i].path, calls[i].key,
			 calls[i].body,
			 calls[i].body ? strlen(calls[i].body) : 0,
			 calls[i].body ? idem : NULL);
		assert_status(r, calls[i].status);
		assert_secure_headers(r);
		resp_free(r);
	}
	snprintf(long_header, sizeof(long_header), "X-Long: %0*d",
		 (int)sizeof(long_header) - 10, 0);
	r = http("GET", "/healthz", NULL, NULL, 0, big_headers);
	assert_status(r, 431);
	assert_secure_headers(r);
	resp_free(r);
	memset(big, ' ', sizeof(big));
	big[0] = '{';
	big[sizeof(big) - 1] = '}';
	r = http("POST", "/v1/skus", srv->key_acme, big, sizeof(big), NULL);
	assert_status(r, 413);
	assert_secure_headers(r);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(healthz_needs_no_auth),
		cmocka_unit_test(openapi_document_is_served),
		cmocka_unit_test(every_documented_operation_exists),
		cmocka_unit_test(the_right_key_is_accepted_on_every_read_route),
		cmocka_unit_test(unknown_routes_are_404),
		cmocka_unit_test(unknown_order_id_is_404),
		cmocka_unit_test(wrong_methods_are_405),
		cmocka_unit_test(
			each_request_has_an_id_in_its_answer_and_its_log_line),
		cmocka_unit_test(errors_are_json),
		cmocka_unit_test(every_answer_carries_the_security_headers),
		cmocka_unit_test(server_announces_its_address_and_logs_json),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
