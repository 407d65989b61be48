/*
 * test_out_of_memory.c - a request that runs out of memory is answered 503
 * out_of_memory in JSON, never dropped; an error whose details cannot be
 * stored is still answered with its code, message and field.
 *
 * A second `ordo serve` runs with ORDO_TEST_FAIL_ALLOC=1 (for tests only;
 * see api/server.c): each request may make one allocation through the
 * server's request allocator (core/alloc.h), its own record, and the ones
 * after fail as if memory had run out. GET /healthz needs no other, so the
 * node starts and stays healthy; a body has to be buffered, so every
 * request with one runs out of memory. The node has a database of its own
 * (on SQLite a file beside the group's; on PostgreSQL the group's, which
 * several nodes share by design): nothing here gets as far as storage.
 */
#include "harness.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static struct ordo_node node;

static bool on_postgres(void)
{
	const char *db = getenv("ORDO_TEST_DB");

	return db && strncmp(db, "postgres", 8) == 0;
}

static int group_setup(void **state)
{
	char db[256];
	int rc = harness_group_setup(state);

	if (rc)
		return rc;
	snprintf(db, sizeof(db), "%s/oom.db", srv->dir);
	setenv("ORDO_TEST_FAIL_ALLOC", "1", 1);
	rc = harness_node_start(&node, on_postgres() ? NULL : db);
	unsetenv("ORDO_TEST_FAIL_ALLOC");
	return rc;
}

static int group_teardown(void **state)
{
	/* 0 only when the node exited cleanly: no sanitizer report, so no
	 * leak on the out-of-memory paths either. */
	int node_rc = harness_node_stop(&node);
	int rc = harness_group_teardown(state);

	if (node_rc)
		fprintf(stderr, "the out-of-memory node exited with %d\n",
			node_rc);
	return rc ? rc : node_rc;
}

API_TEST(a_body_that_cannot_be_buffered_is_answered_503_json)
{
	static const char body[] =
		"{\"sku\": \"OOM-1\", \"title\": \"Mug\", "
		"\"unit_price\": \"1.00\"}";
	const char *headers[] = {"Content-Type: application/json", NULL};
	char ct[64];
	struct resp *r;
	int i;

	/* Every time, not only once: the server keeps answering. */
	for (i = 0; i < 3; i++) {
		r = http_at(node.base_url, "POST", "/v1/skus", srv->key_acme,
			    body, strlen(body), headers);
		assert_error(r, 503, "out_of_memory", NULL);
		assert_int_equal(resp_header(r, "Content-Type", ct,
					     sizeof(ct)),
				 1);
		assert_string_equal(ct, "application/json");
		assert_secure_headers(r);
		resp_free(r);
	}
	r = http_at(node.base_url, "GET", "/healthz", NULL, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(an_error_whose_details_cannot_be_stored_keeps_its_field)
{
	struct resp *r = http_at(node.base_url, "GET", "/v1/orders?limit=%ff",
				 srv->key_acme, NULL, 0, NULL);

	/* The edge refuses the parameter; there is no memory for the
	 * detail, so it is counted, and the answer still names the field. */
	assert_error(r, 400, "invalid_request", "limit");
	assert_int_equal(json_integer_value(jget(r->json,
						 "error.more_problems")),
			 1);
	resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_body_that_cannot_be_buffered_is_answered_503_json),
		cmocka_unit_test(an_error_whose_details_cannot_be_stored_keeps_its_field),
	};

	return harness_run_group(tests, group_setup, group_teardown);
}
