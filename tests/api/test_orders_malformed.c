/*
 * test_orders_malformed.c - every kind of structurally bad order is refused
 * (400, 413 or 415) with an error that lists each problem with its field
 * path, and nothing is stored.
 *
 * Cases are rows of `bad_cases`: up to three changes to a clean order and
 * the fields the error must name. After each case the order's external_id
 * finds nothing, and at the end the total number of orders is what it was
 * before. Limits are also checked from the good side (500 lines, 128-char
 * external_id, 2048-char notes are accepted).
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

#define LONG_TEXT_MAX 4096

static size_t orders_before;

static char *repeat(char ch, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, ch, n);
	s[n] = '\0';
	return s;
}

/* Nothing with this external_id is stored. */
static void check_not_stored(const char *ext)
{
	char query[256];

	snprintf(query, sizeof(query), "external_id=%s", ext);
	check(orders_count(srv->key_acme, query) == 0,
	      "a refused order with external_id %s was stored", ext);
}

static void check_total_unchanged(void)
{
	size_t now = orders_count(srv->key_acme, "");

	check(now == orders_before,
	      "refused orders changed the order count from %zu to %zu",
	      orders_before, now);
}

struct change {
	const char *path;
	const char *value;	/* JSON text, NULL deletes, "@LONG:n" n x's */
};

struct bad_case {
	const char *what;
	struct change changes[3];
	const char *fields[3];	/* each must be named by a detail */
};

static const struct bad_case bad_cases[] = {
	{ "missing external_id", { { "external_id", NULL } }, { "external_id" } },
	{ "missing channel", { { "channel", NULL } }, { "channel" } },
	{ "missing placed_at", { { "placed_at", NULL } }, { "placed_at" } },
	{ "missing currency", { { "currency", NULL } }, { "currency" } },
	{ "missing customer", { { "customer", NULL } }, { "customer" } },
	{ "missing ship_to", { { "ship_to", NULL } }, { "ship_to" } },
	{ "missing lines", { { "lines", NULL } }, { "lines" } },
	{ "external_id is a number", { { "external_id", "1001" } },
	  { "external_id" } },
	{ "empty external_id", { { "external_id", "\"\"" } }, { "external_id" } },
	{ "external_id of 129 chars", { { "external_id", "@LONG:129" } },
	  { "external_id" } },
	{ "channel with capitals and a space", { { "channel", "\"Web Store\"" } },
	  { "channel" } },
	{ "channel of 33 chars", { { "channel", "@LONG:33" } }, { "channel" } },
	{ "quantity as string", { { "lines[0].quantity", "\"2\"" } },
	  { "lines[0].quantity" } },
	{ "quantity as fraction", { { "lines[0].quantity", "2.5" } },
	  { "lines[0].quantity" } },
	{ "zero quantity", { { "lines[0].quantity", "0" } },
	  { "lines[0].quantity" } },
	{ "negative quantity", { { "lines[1].quantity", "-3" } },
	  { "lines[1].quantity" } },
	{ "quantity over 1000000", { { "lines[0].quantity", "1000001" } },
	  { "lines[0].quantity" } },
	{ "missing quantity", { { "lines[0].quantity", NULL } },
	  { "lines[0].quantity" } },
	{ "lines is an object", { { "lines", "{\"sku\": \"MUG-12OZ\"}" } },
	  { "lines" } },
	{ "lines is empty", { { "lines", "[]" } }, { "lines" } },
	{ "a line is a string", { { "lines[1]", "\"MUG-12OZ x1\"" } },
	  { "lines[1]" } },
	{ "line without sku", { { "lines[1].sku", NULL } }, { "lines[1].sku" } },
	{ "line without unit_price", { { "lines[1].unit_price", NULL } },
	  { "lines[1].unit_price" } },
	{ "unit_price as number", { { "lines[1].unit_price", "12.5" } },
	  { "lines[1].unit_price" } },
	{ "unit_price with 3 decimals", { { "lines[0].unit_price", "\"19.999\"" } },
	  { "lines[0].unit_price" } },
	{ "negative unit_price", { { "lines[0].unit_price", "\"-19.99\"" } },
	  { "lines[0].unit_price" } },
	{ "unit_price not a number", { { "lines[0].unit_price", "\"19,99\"" } },
	  { "lines[0].unit_price" } },
	{ "customer as string", { { "customer", "\"Margaret Hollis\"" } },
	  { "customer" } },
	{ "customer.email as number", { { "customer.email", "42" } },
	  { "customer.email" } },
	{ "ship_to as array", { { "ship_to", "[\"350 Fifth Avenue\"]" } },
	  { "ship_to" } },
	{ "ship_to.city as number", { { "ship_to.city", "10118" } },
	  { "ship_to.city" } },
	{ "bill_to as string", { { "bill_to", "\"same as shipping\"" } },
	  { "bill_to" } },
	{ "notes of 2049 chars", { { "notes", "@LONG:2049" } }, { "notes" } },
	{ "placed_at not RFC 3339", { { "placed_at", "\"27/11/2026 09:00\"" } },
	  { "placed_at" } },
	{ "placed_at impossible date",
	  { { "placed_at", "\"2026-13-45T09:00:00Z\"" } }, { "placed_at" } },
	{ "placed_at as number", { { "placed_at", "1795770000" } },
	  { "placed_at" } },
	{ "unknown currency", { { "currency", "\"QQQ\"" } }, { "currency" } },
	{ "currency as number", { { "currency", "840" } }, { "currency" } },
	{ "JPY prices with decimals", { { "currency", "\"JPY\"" } },
	  { "lines[0].unit_price" } },
	{ "total with 3 decimals", { { "totals.total", "\"57.481\"" } },
	  { "totals.total" } },
	{ "shipping amount with 3 decimals",
	  { { "shipping.amount", "\"5.001\"" } }, { "shipping.amount" } },
	{ "totals without subtotal", { { "totals.subtotal", NULL } },
	  { "totals.subtotal" } },
	{ "totals without total", { { "totals.total", NULL } },
	  { "totals.total" } },
	{ "unknown payment_status", { { "payment_status", "\"sometimes\"" } },
	  { "payment_status" } },
	{ "payment_status as number", { { "payment_status", "1" } },
	  { "payment_status" } },
	{ "two problems",
	  { { "channel", NULL }, { "lines[0].quantity", "0" } },
	  { "channel", "lines[0].quantity" } },
	{ "three problems",
	  { { "currency", "\"QQQ\"" }, { "lines[1].unit_price", "12.5" },
	    { "payment_status", "\"sometimes\"" } },
	  { "currency", "lines[1].unit_price", "payment_status" } },
};

static json_t *change_value(const char *v)
{
	if (!v)
		return NULL;
	if (!strncmp(v, "@LONG:", 6)) {
		size_t n = strtoul(v + 6, NULL, 10);
		char *s;
		json_t *j;

		assert_true(n > 0 && n < LONG_TEXT_MAX);
		s = repeat('x', n);
		j = json_string(s);
		free(s);
		return j;
	}
	return jparse(v);
}

static void run_case(const struct bad_case *c, size_t i)
{
	char ext[64];
	json_t *order;
	struct resp *r;
	size_t n_fields = 0;

	snprintf(ext, sizeof(ext), "BAD-%zu", i);
	order = order_new(ext);
	for (size_t k = 0; k < 3 && c->changes[k].path; k++)
		jset(order, c->changes[k].path, change_value(c->changes[k].value));
	r = order_post(srv->key_acme, order, NULL);
	if (r->status != 400)
		print_error("case: %s\n", c->what);
	assert_error(r, 400, "invalid_request", NULL);
	for (size_t k = 0; k < 3 && c->fields[k]; k++) {
		n_fields++;
		if (!error_details_naming(r, c->fields[k]))
			print_error("case: %s\n", c->what);
		assert_error(r, 400, "invalid_request", c->fields[k]);
	}
	check(json_array_size(jget(r->json, "error.details")) >= n_fields,
	      "%s: every problem must be listed: %s", c->what, r->body);
	resp_free(r);
	check_not_stored(ext);
	json_decref(order);
}

static int group_setup(void **state)
{
	json_t *order;
	struct resp *r;
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	/* One stored order, so that "count unchanged" means something. */
	order = order_new("GOOD-BASELINE");
	r = order_post(srv->key_acme, order, NULL);
	rc = r->status == 201 ? 0 : -1;
	resp_free(r);
	json_decref(order);
	if (rc) {
		harness_group_teardown(state);
		return -1;
	}
	return 0;
}

API_TEST(count_before)
{
	orders_before = orders_count(srv->key_acme, "");
	check(orders_before == 1, "the baseline order must be listed");
}

API_TEST(each_malformed_field_is_refused)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++)
		run_case(&bad_cases[i], i);
	check_total_unchanged();
}

API_TEST(bodies_that_are_not_an_order_object_are_refused)
{
	static const char *bodies[] = {
		"this is not json",
		"{\"external_id\": \"RAW-1\", ",
		"",
		"[]",
		"[{\"external_id\": \"RAW-2\"}]",
		"null",
		"42",
		"\"an order\"",
		"{\"external_id\": \"RAW-3\"} trailing",
		"{\"external_id\": \"RAW-\xff\xfe\"}",
		"{}",
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct resp *r = http("POST", "/v1/orders", srv->key_acme,
				      bodies[i], strlen(bodies[i]), NULL);

		if (r->status != 400)
			print_error("body: %s\n", bodies[i]);
		assert_error(r, 400, "invalid_request", NULL);
		resp_free(r);
	}
	check_total_unchanged();
}

API_TEST(empty_object_lists_every_required_field)
{
	static const char *required[] = { "external_id", "channel", "placed_at",
					   "currency", "customer", "ship_to",
					   "lines" };
	struct resp *r = http("POST", "/v1/orders", srv->key_acme, "{}", 2,
			      NULL);

	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		assert_error(r, 400, "invalid_request", required[i]);
	resp_free(r);
	check_total_unchanged();
}

API_TEST(deeply_nested_json_is_refused)
{
	size_t depth = 200, len = 0;
	char *body = malloc(2 * depth + 64);
	struct resp *r;

	assert_non_null(body);
	len += (size_t)snprintf(body, 64, "{\"external_id\": \"DEEP-1\", \"notes\": ");
	for (size_t i = 0; i < depth; i++)
		body[len++] = '[';
	for (size_t i = 0; i < depth; i++)
		body[len++] = ']';
	body[len++] = '}';
	body[len] = '\0';
	r = http("POST", "/v1/orders", srv->key_acme, body, len, NULL);
	assert_error(r, 400, NULL, NULL);
	resp_free(r);
	free(body);
	check_not_stored("DEEP-1");
}

static json_t *order_with_lines(const char *ext, size_t n)
{
	json_t *order = order_new(ext);
	json_t *lines = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(lines,
				      json_pack("{ss ss si ss}", "sku", "MUG-12OZ",
						"title", "Stoneware mug, 12 oz",
						"quantity", 1, "unit_price",
						"12.50"));
	jset(order, "lines", lines);
	order_fix_totals(order);
	return order;
}

API_TEST(more_than_500_lines_is_refused)
{
	json_t *order = order_with_lines("LINES-501", 501);
	struct resp *r = order_post(srv->key_acme, order, NULL);
	const char *code;

	assert_error(r, 400, NULL, "lines");
	code = jstr(r->json, "error.code");
	check(streq(code, "invalid_request") || streq(code, "limit_exceeded"),
	      "code for 501 lines: %s", r->body);
	resp_free(r);
	json_decref(order);
	check_not_stored("LINES-501");
	check_total_unchanged();
}

API_TEST(limits_are_inclusive)
{
	char *ext128 = repeat('7', 128);
	char *notes = repeat('n', 2048);
	json_t *order = order_with_lines("LINES-500", 500);
	struct resp *r = order_post(srv->key_acme, order, NULL);

	assert_status(r, 201);
	check(json_array_size(json_object_get(r->json, "lines")) == 500,
	      "500 lines must be kept");
	resp_free(r);
	json_decref(order);

	order = order_new(ext128);
	jset(order, "notes", json_string(notes));
	jset(order, "lines[0].quantity", json_integer(1000000));
	order_fix_totals(order);
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "external_id"), ext128),
	      "128-char external_id not kept");
	check(streq(jstr(r->json, "notes"), notes), "2048-char notes not kept");
	resp_free(r);
	json_decref(order);
	free(ext128);
	free(notes);
	orders_before += 2;
	check_total_unchanged();
}

API_TEST(body_over_1_mib_is_413)
{
	size_t big = 1024 * 1024 + 4096;
	char *notes = repeat('z', big);
	json_t *order = order_new("HUGE-1");
	struct resp *r;

	jset(order, "notes", json_string(notes));
	r = order_post(srv->key_acme, order, NULL);
	assert_error(r, 413, "payload_too_large", NULL);
	resp_free(r);
	json_decref(order);
	free(notes);
	check_not_stored("HUGE-1");
	check_total_unchanged();
}

/* The size limit holds when no Content-Length announces the size. */
API_TEST(chunked_body_over_1_mib_is_413)
{
	size_t big = 1024 * 1024 + 4096;
	char *notes = repeat('c', big);
	json_t *order = order_new("HUGE-CHUNKED-1");
	char *text;
	const char *headers[] = { "Transfer-Encoding: chunked", NULL };
	struct resp *r;

	jset(order, "notes", json_string(notes));
	text = json_dumps(order, JSON_COMPACT);
	assert_non_null(text);
	r = http("POST", "/v1/orders", srv->key_acme, text, strlen(text),
		 headers);
	assert_error(r, 413, "payload_too_large", NULL);
	resp_free(r);
	free(text);
	json_decref(order);
	free(notes);
	check_not_stored("HUGE-CHUNKED-1");
	check_total_unchanged();
}

API_TEST(chunked_small_body_is_accepted)
{
	json_t *order = order_new("CHUNKED-1");
	char *text = json_dumps(order, JSON_COMPACT);
	const char *headers[] = { "Transfer-Encoding: chunked", NULL };
	struct resp *r;

	assert_non_null(text);
	r = http("POST", "/v1/orders", srv->key_acme, text, strlen(text),
		 headers);
	assert_status(r, 201);
	resp_free(r);
	orders_before++;
	check_total_unchanged();
	free(text);
	json_decref(order);
}

/*
 * A NUL inside a string must not silently cut it: either the order is
 * refused, or the value is kept whole.
 */
API_TEST(nul_in_a_string_is_refused_or_kept_whole)
{
	static const char nul_notes[] = "Ring twice\0then knock";
	const size_t nul_len = sizeof(nul_notes) - 1;
	json_t *order = order_new("NUL-1");
	char *text;
	struct resp *r;

	jset(order, "notes", json_stringn(nul_notes, nul_len));
	text = json_dumps(order, JSON_COMPACT);
	assert_non_null(text);
	r = http("POST", "/v1/orders", srv->key_acme, text, strlen(text),
		 NULL);
	if (r->status == 201) {
		json_t *notes = jget(r->json, "notes");

		check(json_string_length(notes) == nul_len &&
			      !memcmp(json_string_value(notes), nul_notes,
				      nul_len),
		      "notes with a NUL were altered: %s", r->body);
		orders_before++;
	} else {
		assert_error(r, 400, "invalid_request", NULL);
		check_not_stored("NUL-1");
	}
	resp_free(r);
	free(text);
	json_decref(order);
	check_total_unchanged();
}

API_TEST(non_json_content_type_is_415)
{
	static const char *types[] = { "Content-Type: text/plain",
				       "Content-Type: application/x-www-form-urlencoded",
				       "Content-Type: application/xml" };
	json_t *order = order_new("TEXT-PLAIN-1");
	char *text = json_dumps(order, JSON_COMPACT);

	assert_non_null(text);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		const char *headers[] = { types[i], NULL };
		struct resp *r = http("POST", "/v1/orders", srv->key_acme, text,
				      strlen(text), headers);

		if (r->status != 415)
			print_error("with %s\n", types[i]);
		assert_error(r, 415, "unsupported_media_type", NULL);
		resp_free(r);
	}
	check_not_stored("TEXT-PLAIN-1");
	check_total_unchanged();
	free(text);
	json_decref(order);
}

API_TEST(json_content_type_with_charset_is_accepted)
{
	json_t *order = order_new("CHARSET-1");
	char *text = json_dumps(order, JSON_COMPACT);
	const char *headers[] = { "Content-Type: application/json; charset=utf-8",
				  NULL };
	struct resp *r;

	assert_non_null(text);
	r = http("POST", "/v1/orders", srv->key_acme, text, strlen(text),
		 headers);
	assert_status(r, 201);
	resp_free(r);
	orders_before++;
	check_total_unchanged();
	free(text);
	json_decref(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(count_before),
		cmocka_unit_test(each_malformed_field_is_refused),
		cmocka_unit_test(bodies_that_are_not_an_order_object_are_refused),
		cmocka_unit_test(empty_object_lists_every_required_field),
		cmocka_unit_test(deeply_nested_json_is_refused),
		cmocka_unit_test(more_than_500_lines_is_refused),
		cmocka_unit_test(limits_are_inclusive),
		cmocka_unit_test(body_over_1_mib_is_413),
		cmocka_unit_test(chunked_body_over_1_mib_is_413),
		cmocka_unit_test(chunked_small_body_is_accepted),
		cmocka_unit_test(nul_in_a_string_is_refused_or_kept_whole),
		cmocka_unit_test(non_json_content_type_is_415),
		cmocka_unit_test(json_content_type_with_charset_is_accepted),
	};

	return harness_run_group(tests, group_setup,
				      harness_group_teardown);
}
