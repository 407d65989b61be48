/*
 * test_defects.c - downstream defects recorded against orders.
 *
 *   record     POST /v1/orders/{id}/defects with every type -> 201 with
 *              id dft_..., order_id, type, found_by, note (null when not
 *              given), reported_by (the caller's actor), created_at.
 *   refusals   a bad or missing type, a missing found_by, a bad body ->
 *              400 naming the field; unknown or another tenant's order ->
 *              404; viewers may not (403), agents may.
 *   listed     on the order ("defects") and at GET /v1/defects, which
 *              filters by type and by from/to (created_at), pages with
 *              cursors visiting each once, and shows one tenant only.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>

static const char *const types[] = {
	"wrong_address", "missing_item",	"wrong_item", "duplicate_shipped",
	"wrong_status",	 "bad_handoff", "other",
};
#define N_TYPES (sizeof(types) / sizeof(types[0]))

static const char *acme(void)
{
	return srv->key_acme;
}

static char *new_order(const char *key, const char *ext)
{
	json_t *body = order_new(ext);
	char *id = order_create(key, body);

	json_decref(body);
	return id;
}

static struct resp *post_defect(const char *key, const char *order_id,
				const char *body)
{
	char path[128];

	snprintf(path, sizeof(path), "/v1/orders/%s/defects", order_id);
	return http("POST", path, key, body, strlen(body), NULL);
}

/* POST a defect; assert 201; its id into id (may be NULL). */
static void defect_ok(const char *key, const char *order_id, const char *type,
		      const char *found_by, const char *note, char *id)
{
	char body[512];
	struct resp *r;

	if (note)
		snprintf(body, sizeof(body),
			 "{\"type\": \"%s\", \"found_by\": \"%s\", \"note\": "
			 "\"%s\"}",
			 type, found_by, note);
	else
		snprintf(body, sizeof(body),
			 "{\"type\": \"%s\", \"found_by\": \"%s\"}", type,
			 found_by);
	r = post_defect(key, order_id, body);
	assert_status(r, 201);
	if (id)
		snprintf(id, 64, "%s", jstr(r->json, "id"));
	resp_free(r);
}

static int listed(const json_t *arr, const char *id)
{
	json_t *d;
	size_t i;

	json_array_foreach(arr, i, d)
		if (streq(jstr(d, "id"), id))
			return 1;
	return 0;
}

API_TEST(every_type_is_recorded_and_listed_on_the_order)
{
	char *order = new_order(acme(), "D-ALL");
	char ids[N_TYPES][64], note[64];
	struct resp *r;
	json_t *o, *defects;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		char body[256];

		snprintf(note, sizeof(note), "note for %s", types[i]);
		snprintf(body, sizeof(body),
			 "{\"type\": \"%s\", \"found_by\": \"warehouse\", "
			 "\"note\": \"%s\"}",
			 types[i], note);
		r = post_defect(acme(), order, body);
		assert_status(r, 201);
		check(jstr(r->json, "id") &&
			      !strncmp(jstr(r->json, "id"), "dft_", 4) &&
			      streq(jstr(r->json, "order_id"), order) &&
			      streq(jstr(r->json, "type"), types[i]) &&
			      streq(jstr(r->json, "found_by"), "warehouse") &&
			      streq(jstr(r->json, "note"), note) &&
			      streq(jstr(r->json, "reported_by"), "key:admin") &&
			      is_rfc3339(jstr(r->json, "created_at")),
		      "defect %s: want {id dft_..., order_id, type, found_by, "
		      "note, reported_by key:admin, created_at}: %s",
		      types[i], r->body);
		snprintf(ids[i], sizeof(ids[i]), "%s", jstr(r->json, "id"));
		for (size_t k = 0; k < i; k++)
			check(strcmp(ids[k], ids[i]) != 0,
			      "defect ids must be unique");
		resp_free(r);
	}
	/* note is optional. */
	r = post_defect(acme(), order,
			"{\"type\": \"other\", \"found_by\": \"carrier\"}");
	assert_status(r, 201);
	check(json_is_null(json_object_get(r->json, "note")) ||
		      streq(jstr(r->json, "note"), ""),
	      "a defect without a note has no note (null or \"\"): %s",
	      r->body);
	resp_free(r);

	o = order_fetch(acme(), order);
	defects = json_object_get(o, "defects");
	check(json_array_size(defects) == N_TYPES + 1,
	      "the order must list its %zu defects, lists %zu", N_TYPES + 1,
	      json_array_size(defects));
	for (i = 0; i < N_TYPES; i++)
		check(listed(defects, ids[i]), "defect %s missing on the order",
		      ids[i]);
	json_decref(o);

	/* An order without defects has an empty list. */
	{
		char *other = new_order(acme(), "D-NONE");

		o = order_fetch(acme(), other);
		check(json_is_array(json_object_get(o, "defects")) &&
			      json_array_size(json_object_get(o, "defects")) ==
				      0,
		      "an order without defects has \"defects\": []");
		json_decref(o);
		free(other);
	}
	free(order);
}

API_TEST(refusals)
{
	char *order = new_order(acme(), "D-REF");
	char viewer[HARNESS_KEY_MAX], agent[HARNESS_KEY_MAX];
	static const char *const bad[][2] = {
		{ "{\"type\": \"broken_box\", \"found_by\": \"customer\"}",
		  "type" },
		{ "{\"type\": \"WRONG_ITEM\", \"found_by\": \"customer\"}",
		  "type" },
		{ "{\"found_by\": \"customer\"}", "type" },
		{ "{\"type\": 3, \"found_by\": \"customer\"}", "type" },
		{ "{\"type\": \"other\"}", "found_by" },
		{ "{\"type\": \"other\", \"found_by\": 7}", "found_by" },
		{ "{\"type\": \"other\", \"found_by\": \"x\", \"note\": 7}",
		  "note" },
	};
	struct resp *r;
	json_t *o;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = post_defect(acme(), order, bad[i][0]);
		assert_error(r, 400, "invalid_request", bad[i][1]);
		resp_free(r);
	}
	r = post_defect(acme(), order, "{\"type\": ");
	assert_error(r, 400, "invalid_request", NULL);
	resp_free(r);

	r = post_defect(acme(), "ord_does_not_exist",
			"{\"type\": \"other\", \"found_by\": \"customer\"}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);
	r = post_defect(srv->key_globex, order,
			"{\"type\": \"other\", \"found_by\": \"customer\"}");
	assert_error(r, 404, "not_found", NULL);
	resp_free(r);

	key_create("acme", "viewer", "dviewer", viewer, sizeof(viewer));
	r = post_defect(viewer, order,
			"{\"type\": \"other\", \"found_by\": \"customer\"}");
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	r = http_get(viewer, "/v1/defects");
	assert_status(r, 200);
	resp_free(r);

	o = order_fetch(acme(), order);
	check(json_array_size(json_object_get(o, "defects")) == 0,
	      "refused defects must not be recorded");
	json_decref(o);

	/* Agents record defects; reported_by is their actor. */
	key_create("acme", "agent", "dagent", agent, sizeof(agent));
	r = post_defect(agent, order,
			"{\"type\": \"wrong_item\", \"found_by\": \"customer\"}");
	assert_status(r, 201);
	check(streq(jstr(r->json, "reported_by"), "key:dagent"),
	      "reported_by must be key:dagent: %s", r->body);
	resp_free(r);
	free(order);
}

API_TEST(the_defects_list_filters_and_pages)
{
	char *o1 = new_order(acme(), "D-LIST-1"), *o2 = new_order(acme(), "D-LIST-2");
	char *g = new_order(srv->key_globex, "D-LIST-G");
	char early[3][64], late[3][64], boundary[32], path[160];
	json_t *all, *d;
	size_t i, before_total;
	struct resp *r;
	time_t t;

	all = list_all(acme(), "/v1/defects", "defects", 200);
	before_total = json_array_size(all);
	json_decref(all);

	defect_ok(acme(), o1, "wrong_item", "customer", NULL, early[0]);
	defect_ok(acme(), o1, "bad_handoff", "warehouse", "label", early[1]);
	defect_ok(acme(), o2, "wrong_item", "carrier", NULL, early[2]);
	/* A whole second later. */
	t = harness_clock_now() + 1;
	harness_clock_advance(1);
	rfc3339(t, boundary, sizeof(boundary));
	defect_ok(acme(), o2, "wrong_item", "customer", NULL, late[0]);
	defect_ok(acme(), o2, "missing_item", "customer", NULL, late[1]);
	defect_ok(acme(), o1, "wrong_status", "support", NULL, late[2]);
	defect_ok(srv->key_globex, g, "wrong_item", "customer", NULL, NULL);

	/* All of acme's, in pages of 2, each once; none of globex's. */
	all = list_all(acme(), "/v1/defects", "defects", 2);
	check(json_array_size(all) == before_total + 6,
	      "want %zu defects, listed %zu", before_total + 6,
	      json_array_size(all));
	for (i = 0; i < 3; i++)
		check(listed(all, early[i]) && listed(all, late[i]),
		      "a defect is missing from the list");
	json_array_foreach(all, i, d) {
		check(jstr(d, "order_id") && !streq(jstr(d, "order_id"), g),
		      "globex's defect listed for acme");
		for (size_t k = 0; k < i; k++)
			check(!streq(jstr(json_array_get(all, k), "id"),
				     jstr(d, "id")),
			      "defect %s listed twice", jstr(d, "id"));
	}
	json_decref(all);

	/* type */
	all = list_all(acme(), "/v1/defects?type=wrong_item", "defects", 200);
	json_array_foreach(all, i, d)
		check(streq(jstr(d, "type"), "wrong_item"),
		      "type=wrong_item listed a %s", jstr(d, "type"));
	check(listed(all, early[0]) && listed(all, early[2]) &&
		      listed(all, late[0]) && !listed(all, early[1]),
	      "type=wrong_item must list the three wrong_item defects");
	json_decref(all);

	/* from / to: created_at in [from, to). */
	snprintf(path, sizeof(path), "/v1/defects?from=%s", boundary);
	all = list_all(acme(), path, "defects", 200);
	check(json_array_size(all) == 3 && listed(all, late[0]) &&
		      listed(all, late[1]) && listed(all, late[2]),
	      "from=%s must list exactly the three later defects (listed "
	      "%zu)",
	      boundary, json_array_size(all));
	json_decref(all);
	snprintf(path, sizeof(path), "/v1/defects?to=%s", boundary);
	all = list_all(acme(), path, "defects", 200);
	check(listed(all, early[0]) && listed(all, early[1]) &&
		      listed(all, early[2]) && !listed(all, late[0]) &&
		      !listed(all, late[1]) && !listed(all, late[2]),
	      "to=%s must list the earlier defects only", boundary);
	json_decref(all);
	snprintf(path, sizeof(path), "/v1/defects?type=wrong_item&from=%s",
		 boundary);
	all = list_all(acme(), path, "defects", 200);
	check(json_array_size(all) == 1 && listed(all, late[0]),
	      "type=wrong_item&from=T lists one defect (listed %zu)",
	      json_array_size(all));
	json_decref(all);

	/* The order lists its own only. */
	{
		json_t *o = order_fetch(acme(), o2);

		check(json_array_size(json_object_get(o, "defects")) == 3,
		      "D-LIST-2 has 3 defects");
		json_decref(o);
	}
	free(o1);
	free(o2);
	free(g);

	/* Bad filters (last: the rest is checked first) name the parameter. */
	{
		static const char *const bad[][2] = {
			{ "type=broken_box", "type" },
			{ "from=yesterday", "from" },
			{ "to=2026-02-30T00:00:00Z", "to" },
			{ "limit=0", "limit" },
			{ "cursor=not-a-cursor", "cursor" },
		};

		int failures = 0;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			r = http_get(acme(), "/v1/defects?%s", bad[i][0]);
			if (r->status != 400 ||
			    error_details_naming(r, bad[i][1]) == 0) {
				print_error("GET /v1/defects?%s -> HTTP %ld %.300s"
					    " (want 400 naming %s)\n",
					    bad[i][0], r->status, r->body,
					    bad[i][1]);
				failures++;
			}
			resp_free(r);
		}
		check(failures == 0, "%d bad filters were not refused",
		      failures);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_type_is_recorded_and_listed_on_the_order),
		cmocka_unit_test(refusals),
		cmocka_unit_test(the_defects_list_filters_and_pages),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
