/*
 * test_keys.c - a tenant's API keys managed by its admins: /v1/keys (list,
 * create, revoke, rotate) and `ordo key list|revoke|rotate`.
 *
 * A key's secret is shown once, in the answer to its creation or
 * rotation, and never again (not in the list, not in a replay of the same
 * Idempotency-Key). A revoked or rotated key is refused from the next
 * request on, by this node and by another on the same database. The list
 * says when each key was last used, kept to the minute on the servers'
 * clock. The tenant's last admin key is not revoked; a tenant keeps at
 * most ORDO_API_KEYS_MAX (100) live keys; a key's name is never given to
 * a second key. Another tenant's key is not found. The database keeps
 * keys, sessions and passwords only as hashes: none of them is anywhere in
 * it, read from outside.
 */
#include "harness.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_MAX 100 /* ORDO_API_KEYS_MAX */

/* A literal body and its length. */
#define B(text) text, strlen(text)

/* POST /v1/keys {"name", "role"}: 201 with the key; its id and secret. */
static void key_post(const char *name, const char *role, char *id,
		     size_t id_size, char *secret, size_t secret_size)
{
	char body[256];
	struct resp *r;

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"role\": \"%s\"}",
		 name, role);
	r = http("POST", "/v1/keys", srv->key_acme, body, strlen(body), NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "name"), name) &&
		      streq(jstr(r->json, "role"), role),
	      "the key as made: %s", r->body);
	check(jstr(r->json, "id") && !strncmp(jstr(r->json, "id"), "key_", 4),
	      "a key's id is key_...: %s", r->body);
	check(jstr(r->json, "key") &&
		      !strncmp(jstr(r->json, "key"), "ordo_sk_", 8),
	      "the new key is shown: %s", r->body);
	check(json_is_null(jget(r->json, "last_used_at")) &&
		      json_is_null(jget(r->json, "revoked_at")) &&
		      is_rfc3339(jstr(r->json, "created_at")),
	      "a new key was never used: %s", r->body);
	snprintf(id, id_size, "%s", jstr(r->json, "id"));
	snprintf(secret, secret_size, "%s", jstr(r->json, "key"));
	resp_free(r);
}

/* The status GET /v1/orders answers with key (at base, NULL: the group's
 * server). */
static long orders_status(const char *base, const char *key)
{
	struct resp *r = base ? http_at(base, "GET", "/v1/orders?limit=1", key,
					NULL, 0, NULL)
			      : http_get(key, "/v1/orders?limit=1");
	long status = r->status;

	if (status == 401)
		assert_error(r, 401, "unauthorized", "Authorization");
	resp_free(r);
	return status;
}

/* acme's live key of id in GET /v1/keys (borrowed from *list, which the
 * caller frees), or NULL. Fails on a secret or a hash in the list. */
static json_t *listed(const char *key, const char *id, json_t **list)
{
	struct resp *r = http_get(key, "/v1/keys");
	json_t *k, *found = NULL;
	size_t i;

	assert_status(r, 200);
	check(!strstr(r->body, "ordo_sk_") && !strstr(r->body, "hash"),
	      "the list shows no secret: %s", r->body);
	*list = json_incref(jget(r->json, "keys"));
	json_array_foreach(*list, i, k) {
		check(!jget(k, "key"), "a listed key has no \"key\": %s",
		      r->body);
		if (streq(jstr(k, "id"), id))
			found = k;
	}
	resp_free(r);
	return found;
}

API_TEST(a_key_is_shown_once_and_listed_without_its_secret)
{
	char id[64], secret[HARNESS_KEY_MAX], again[HARNESS_KEY_MAX];
	static const char *const idem[] = {"Idempotency-Key: key-once-1",
					   NULL};
	const char *body = "{\"name\": \"shown-once\", \"role\": \"viewer\"}";
	json_t *list, *k;
	struct resp *r;

	r = http("POST", "/v1/keys", srv->key_acme, body, strlen(body), idem);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	snprintf(secret, sizeof(secret), "%s", jstr(r->json, "key"));
	check(!strncmp(secret, "ordo_sk_", 8), "shown: %s", r->body);
	resp_free(r);
	/* The same request again: the same key, without its secret. */
	r = http("POST", "/v1/keys", srv->key_acme, body, strlen(body), idem);
	assert_status(r, 201);
	check(streq(jstr(r->json, "id"), id) && !jget(r->json, "key") &&
		      !strstr(r->body, secret),
	      "a replay does not show the key again: %s", r->body);
	resp_free(r);
	assert_int_equal(orders_status(NULL, secret), 200);
	k = listed(srv->key_acme, id, &list);
	check(k && streq(jstr(k, "name"), "shown-once") &&
		      streq(jstr(k, "role"), "viewer") &&
		      json_is_null(jget(k, "revoked_at")),
	      "the key is listed with its name and role");
	json_decref(list);
	/* Its role is the one given: a viewer writes nothing. */
	r = http("POST", "/v1/keys", secret, B("{}"), NULL);
	assert_error(r, 403, "forbidden", NULL);
	resp_free(r);
	snprintf(again, sizeof(again), "%s", secret);
	assert_int_equal(orders_status(NULL, again), 200);
}

API_TEST(the_list_says_when_each_key_was_last_used_to_the_minute)
{
	char id[64], secret[HARNESS_KEY_MAX], first[64];
	json_t *list, *k = NULL;
	long long before;
	long waited;

	key_post("used-lately", "agent", id, sizeof(id), secret,
		 sizeof(secret));
	before = harness_clock_now();
	assert_int_equal(orders_status(NULL, secret), 200);
	/* Noted by a write the request did not wait for. */
	for (waited = 0; waited < 5000; waited += 50) {
		k = listed(srv->key_acme, id, &list);
		if (k && !json_is_null(jget(k, "last_used_at")))
			break;
		json_decref(list);
		k = NULL;
		harness_sleep_ms(50);
	}
	check(k, "the key's use is noted within 5 s");
	snprintf(first, sizeof(first), "%s", jstr(k, "last_used_at"));
	check(rfc3339_parse(first) >= (time_t)before &&
		      rfc3339_parse(first) <= (time_t)harness_clock_now(),
	      "last used at the servers' clock: %s, used at %lld", first,
	      before);
	json_decref(list);
	/* Within the minute: not written again. */
	harness_clock_advance(30);
	assert_int_equal(orders_status(NULL, secret), 200);
	harness_sleep_ms(300);
	k = listed(srv->key_acme, id, &list);
	check(k && streq(jstr(k, "last_used_at"), first),
	      "a use 30 s later keeps %s", first);
	json_decref(list);
	/* A minute on: noted again. */
	harness_clock_advance(31);
	before = harness_clock_now();
	assert_int_equal(orders_status(NULL, secret), 200);
	for (waited = 0; waited < 5000; waited += 50) {
		k = listed(srv->key_acme, id, &list);
		if (k && rfc3339_parse(jstr(k, "last_used_at")) >=
				 (time_t)before)
			break;
		json_decref(list);
		k = NULL;
		harness_sleep_ms(50);
	}
	check(k, "a use a minute later is noted at its time");
	json_decref(list);
}

API_TEST(a_revoked_key_is_refused_at_once_on_every_node)
{
	char id[64], secret[HARNESS_KEY_MAX];
	struct ordo_node other;
	json_t *list;
	struct resp *r;

	key_post("leaver", "integration", id, sizeof(id), secret,
		 sizeof(secret));
	assert_int_equal(harness_node_start(&other, NULL), 0);
	assert_int_equal(orders_status(NULL, secret), 200);
	assert_int_equal(orders_status(other.base_url, secret), 200);
	{
		char path[128];

		snprintf(path, sizeof(path), "/v1/keys/%s", id);
		r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
		assert_status(r, 200);
		check(streq(jstr(r->json, "id"), id) &&
			      is_rfc3339(jstr(r->json, "revoked_at")),
		      "the answer is the key, revoked: %s", r->body);
		resp_free(r);
		/* From the next request on, on both nodes. */
		assert_int_equal(orders_status(NULL, secret), 401);
		assert_int_equal(orders_status(other.base_url, secret), 401);
		check(!listed(srv->key_acme, id, &list),
		      "a revoked key is no longer listed");
		json_decref(list);
		/* Revoked once: there is no such live key. */
		r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
		assert_error(r, 404, "not_found", "id");
		resp_free(r);
	}
	assert_int_equal(harness_node_stop(&other), 0);
	/* Its name stays taken: events name it as their actor. */
	r = http("POST", "/v1/keys", srv->key_acme,
		 B("{\"name\": \"leaver\", \"role\": \"viewer\"}"), NULL);
	assert_error(r, 409, "conflict", "name");
	resp_free(r);
}

API_TEST(a_rotated_key_works_with_its_new_secret_only)
{
	char id[64], secret[HARNESS_KEY_MAX], fresh[HARNESS_KEY_MAX],
		path[128];
	static const char *const idem[] = {"Idempotency-Key: key-rotate-1",
					   NULL};
	struct ordo_node other;
	json_t *list, *k;
	struct resp *r;

	key_post("rotating", "supervisor", id, sizeof(id), secret,
		 sizeof(secret));
	assert_int_equal(harness_node_start(&other, NULL), 0);
	assert_int_equal(orders_status(other.base_url, secret), 200);
	snprintf(path, sizeof(path), "/v1/keys/%s/rotate", id);
	r = http("POST", path, srv->key_acme, NULL, 0, idem);
	assert_status(r, 200);
	check(streq(jstr(r->json, "id"), id) &&
		      streq(jstr(r->json, "name"), "rotating") &&
		      streq(jstr(r->json, "role"), "supervisor") &&
		      jstr(r->json, "key") &&
		      !streq(jstr(r->json, "key"), secret),
	      "the same key, with a new secret: %s", r->body);
	snprintf(fresh, sizeof(fresh), "%s", jstr(r->json, "key"));
	resp_free(r);
	assert_int_equal(orders_status(NULL, secret), 401);
	assert_int_equal(orders_status(other.base_url, secret), 401);
	assert_int_equal(orders_status(NULL, fresh), 200);
	assert_int_equal(orders_status(other.base_url, fresh), 200);
	assert_int_equal(harness_node_stop(&other), 0);
	/* A replay answers the rotation without its secret, and makes no
	 * other. */
	r = http("POST", path, srv->key_acme, NULL, 0, idem);
	assert_status(r, 200);
	check(!jget(r->json, "key"), "a replay shows no key: %s", r->body);
	resp_free(r);
	assert_int_equal(orders_status(NULL, fresh), 200);
	k = listed(srv->key_acme, id, &list);
	check(k != NULL, "a rotated key is listed still");
	json_decref(list);
	/* A rotation takes no member: a grace for the old secret is not
	 * quietly dropped, and nothing is rotated. */
	r = http("POST", path, srv->key_acme, B("{\"grace_s\": 60}"), NULL);
	assert_error(r, 400, NULL, "grace_s");
	resp_free(r);
	assert_int_equal(orders_status(NULL, fresh), 200);
}

API_TEST(the_last_admin_key_is_kept)
{
	char id[64], secret[HARNESS_KEY_MAX], path[128], first[64] = "";
	json_t *list, *k;
	struct resp *r;
	size_t i, admins = 0;

	/* globex has its first admin key only. */
	r = http_get(srv->key_globex, "/v1/keys");
	assert_status(r, 200);
	json_array_foreach(jget(r->json, "keys"), i, k)
		if (streq(jstr(k, "role"), "admin")) {
			admins++;
			snprintf(first, sizeof(first), "%s", jstr(k, "id"));
		}
	resp_free(r);
	assert_int_equal(admins, 1);
	snprintf(path, sizeof(path), "/v1/keys/%s", first);
	r = http("DELETE", path, srv->key_globex, NULL, 0, NULL);
	assert_error(r, 409, "conflict", "id");
	check(strstr(r->body, "last admin key"), "says why: %s", r->body);
	resp_free(r);
	assert_int_equal(orders_status(NULL, srv->key_globex), 200);
	/* With a second admin key, the first goes. */
	r = http("POST", "/v1/keys", srv->key_globex,
		 B("{\"name\": \"admin-2\", \"role\": \"admin\"}"), NULL);
	assert_status(r, 201);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	snprintf(secret, sizeof(secret), "%s", jstr(r->json, "key"));
	resp_free(r);
	r = http("DELETE", path, secret, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	assert_int_equal(orders_status(NULL, srv->key_globex), 401);
	/* Now admin-2 is the last. */
	snprintf(path, sizeof(path), "/v1/keys/%s", id);
	r = http("DELETE", path, secret, NULL, 0, NULL);
	assert_error(r, 409, "conflict", "id");
	resp_free(r);
	check(listed(secret, id, &list), "admin-2 is live");
	json_decref(list);
	snprintf(srv->key_globex, sizeof(srv->key_globex), "%s", secret);
}

API_TEST(another_tenants_keys_are_not_found)
{
	char id[64], secret[HARNESS_KEY_MAX], path[128];
	json_t *list;
	struct resp *r;

	key_post("acme-only", "viewer", id, sizeof(id), secret,
		 sizeof(secret));
	check(!listed(srv->key_globex, id, &list),
	      "globex's list has none of acme's keys");
	json_decref(list);
	snprintf(path, sizeof(path), "/v1/keys/%s", id);
	r = http("DELETE", path, srv->key_globex, NULL, 0, NULL);
	assert_error(r, 404, "not_found", "id");
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/keys/%s/rotate", id);
	r = http("POST", path, srv->key_globex, NULL, 0, NULL);
	assert_error(r, 404, "not_found", "id");
	resp_free(r);
	assert_int_equal(orders_status(NULL, secret), 200);
}

API_TEST(a_key_is_asked_for_exactly)
{
	static const struct {
		const char *body;
		const char *field;
	} bad[] = {
		{"{\"name\": \"x1\", \"role\": \"viewer\", \"scope\": \"all\"}",
		 "scope"},
		{"{\"name\": \"x2\", \"role\": \"superuser\"}", "role"},
		{"{\"name\": \"x3\", \"role\": \"Admin\"}", "role"},
		{"{\"role\": \"viewer\"}", "name"},
		{"{\"name\": \"\", \"role\": \"viewer\"}", "name"},
		{"{\"name\": \"x4\"}", "role"},
		{"{\"name\": 7, \"role\": \"viewer\"}", "name"},
		/* A location is an integration key's, and a real one. */
		{"{\"name\": \"x6\", \"role\": \"viewer\", \"location\": "
		 "\"WH-EAST\"}",
		 "location"},
		{"{\"name\": \"x7\", \"role\": \"integration\", "
		 "\"location\": \"WH-NOWHERE\"}",
		 "location"},
		{"{\"name\": \"x8\", \"role\": \"integration\", "
		 "\"location\": 7}",
		 "location"},
		/* A key's secret is ordo's to make. */
		{"{\"name\": \"x5\", \"role\": \"viewer\", \"key\": "
		 "\"ordo_sk_mine\"}",
		 "key"},
	};
	struct resp *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = http("POST", "/v1/keys", srv->key_acme, bad[i].body,
			 strlen(bad[i].body), NULL);
		assert_error(r, 400, NULL, bad[i].field);
		resp_free(r);
	}
	/* A check's refusal says what is wrong, not a count. */
	r = http("POST", "/v1/keys", srv->key_acme,
		 bad[1].body, strlen(bad[1].body), NULL);
	check(strstr(r->body, "is not a role") &&
		      strstr(r->body, "\"message\":\"\\\"superuser\\\" is"),
	      "the refusal names the role: %s", r->body);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/keys?role=admin");
	assert_error(r, 400, NULL, "role");
	resp_free(r);
	/* None of them was made. */
	r = http_get(srv->key_acme, "/v1/keys");
	assert_status(r, 200);
	check(!strstr(r->body, "\"x1\"") && !strstr(r->body, "\"x2\"") &&
		      !strstr(r->body, "\"x5\"") &&
		      !strstr(r->body, "\"x6\"") && !strstr(r->body, "\"x7\""),
	      "no refused key was made: %s", r->body);
	resp_free(r);
}

/* An integration key made for a location keeps it, listed, through a
 * rotation; its actions reach that location alone (test_routes). */
API_TEST(an_integration_key_answers_for_its_location)
{
	const char *body = "{\"name\": \"east-wms\", \"role\": "
			   "\"integration\", \"location\": \"WH-EAST\"}";
	char path[128], id[64];
	json_t *k, *list;
	struct resp *r;

	r = http("POST", "/v1/keys", srv->key_acme, body, strlen(body), NULL);
	assert_status(r, 201);
	check(streq(jstr(r->json, "location"), "WH-EAST"), "%s", r->body);
	snprintf(id, sizeof(id), "%s", jstr(r->json, "id"));
	resp_free(r);
	snprintf(path, sizeof(path), "/v1/keys/%s/rotate", id);
	r = http("POST", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	k = listed(srv->key_acme, id, &list);
	check(k && streq(jstr(k, "location"), "WH-EAST"),
	      "the rotated key lost its location");
	/* Others have none. */
	{
		json_t *it;
		size_t i;

		json_array_foreach(list, i, it)
			if (!streq(jstr(it, "id"), id))
				check(json_is_null(json_object_get(it,
								   "location")),
				      "key %s has a location", jstr(it, "id"));
	}
	json_decref(list);
}

API_TEST(a_tenant_keeps_at_most_100_live_keys)
{
	char id[64], secret[HARNESS_KEY_MAX], name[32], path[128];
	struct resp *r;
	size_t live;

	r = http_get(srv->key_acme, "/v1/keys");
	assert_status(r, 200);
	live = json_array_size(jget(r->json, "keys"));
	resp_free(r);
	check(live < KEYS_MAX, "acme has %zu keys", live);
	for (; live < KEYS_MAX; live++) {
		snprintf(name, sizeof(name), "many-%zu", live);
		key_post(name, "viewer", id, sizeof(id), secret,
			 sizeof(secret));
	}
	r = http("POST", "/v1/keys", srv->key_acme,
		 B("{\"name\": \"one-too-many\", \"role\": \"viewer\"}"),
		 NULL);
	assert_error(r, 400, NULL, "name");
	check(strstr(r->body, "100"), "names the limit: %s", r->body);
	resp_free(r);
	/* Revoked keys do not count. */
	snprintf(path, sizeof(path), "/v1/keys/%s", id);
	r = http("DELETE", path, srv->key_acme, NULL, 0, NULL);
	assert_status(r, 200);
	resp_free(r);
	r = http("POST", "/v1/keys", srv->key_acme,
		 B("{\"name\": \"one-more\", \"role\": \"viewer\"}"), NULL);
	assert_status(r, 201);
	resp_free(r);
	r = http_get(srv->key_acme, "/v1/keys");
	assert_status(r, 200);
	assert_int_equal(json_array_size(jget(r->json, "keys")), KEYS_MAX);
	resp_free(r);
}

API_TEST(the_command_line_lists_revokes_and_rotates)
{
	char id[64], secret[HARNESS_KEY_MAX], fresh[HARNESS_KEY_MAX];
	struct cli_result r;

	key_post("from-cli", "agent", id, sizeof(id), secret, sizeof(secret));
	{
		const char *args[] = {"key", "list", "acme", "--db",
				      srv->db_path, NULL};

		cli_run(&r, args);
		check(r.exit_status == 0 && strstr(r.out, id) &&
			      strstr(r.out, "from-cli") &&
			      !strstr(r.out, "ordo_sk_"),
		      "ordo key list shows the key, not its secret: %s%s",
		      r.out, r.err);
		cli_result_free(&r);
	}
	{
		const char *args[] = {"key", "rotate", "acme", id, "--db",
				      srv->db_path, NULL};

		cli_run(&r, args);
		check(r.exit_status == 0 &&
			      last_line(r.out, fresh, sizeof(fresh)) == 0 &&
			      !strncmp(fresh, "ordo_sk_", 8),
		      "ordo key rotate prints the new key last: %s%s", r.out,
		      r.err);
		cli_result_free(&r);
	}
	assert_int_equal(orders_status(NULL, secret), 401);
	assert_int_equal(orders_status(NULL, fresh), 200);
	/* An integration key for a location: listed with it. A location
	 * for another role, or one the tenant has not: refused, named. */
	{
		static const struct {
			const char *name, *role, *location;
			int exit;
			const char *says;
		} made[] = {
			{"cli-wms", "integration", "WH-WEST", 0, "WH-WEST"},
			{"cli-viewer", "viewer", "WH-WEST", 1, "location"},
			{"cli-lost", "integration", "WH-NOWHERE", 1,
			 "has no location"},
		};
		const char *list[] = {"key", "list", "acme", "--db",
				      srv->db_path, NULL};
		size_t i;

		for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
			const char *args[] = {
				"key",	      "create", "acme",
				"--role",     made[i].role, "--name",
				made[i].name, "--location", made[i].location,
				"--db",	      srv->db_path, NULL};

			cli_run(&r, args);
			check(r.exit_status == made[i].exit &&
				      strstr(made[i].exit ? r.err : r.out,
					     made[i].says),
			      "ordo key create %s: exit %d, %s%s",
			      made[i].name, r.exit_status, r.out, r.err);
			cli_result_free(&r);
		}
		cli_run(&r, list);
		check(r.exit_status == 0 && strstr(r.out, "WH-WEST") &&
			      strstr(r.out, "cli-wms") &&
			      !strstr(r.out, "cli-viewer") &&
			      !strstr(r.out, "cli-lost"),
		      "ordo key list: %s%s", r.out, r.err);
		cli_result_free(&r);
	}
	{
		const char *args[] = {"key", "revoke", "acme", id, "--db",
				      srv->db_path, NULL};

		cli_run(&r, args);
		check(r.exit_status == 0, "ordo key revoke: %s%s", r.out,
		      r.err);
		cli_result_free(&r);
		assert_int_equal(orders_status(NULL, fresh), 401);
		/* Again: no such live key, and the CLI says so. */
		cli_run(&r, args);
		check(r.exit_status == 1 && strstr(r.err, id),
		      "a second revocation fails naming the key: %s%s", r.out,
		      r.err);
		cli_result_free(&r);
	}
}

/* The bytes of the file at path (none when it is not there); malloc'd. */
static char *file_bytes(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *out = malloc(1);
	size_t n = 0, got;

	assert_non_null(out);
	while (f) {
		out = realloc(out, n + 65536);
		assert_non_null(out);
		got = fread(out + n, 1, 65536, f);
		n += got;
		if (got == 0)
			break;
	}
	if (f)
		fclose(f);
	*len = n;
	return out;
}

/* Everything the database holds, as text: the bytes of the SQLite file
 * and its WAL, or every row of every table of PostgreSQL's; malloc'd. */
static char *database_text(size_t *len)
{
	char *out = NULL;

	if (strncmp(srv->db_path, "postgres", 8) == 0) {
		PGconn *c = PQconnectdb(srv->db_path);
		PGresult *tables;
		size_t n = 0;

		check(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
		tables = PQexec(c, "SELECT quote_ident(tablename) FROM "
				   "pg_tables WHERE schemaname = "
				   "current_schema()");
		check(PQresultStatus(tables) == PGRES_TUPLES_OK, "%s",
		      PQerrorMessage(c));
		for (int t = 0; t < PQntuples(tables); t++) {
			char sql[256];
			PGresult *rows;

			snprintf(sql, sizeof(sql),
				 "SELECT t::text FROM %s t",
				 PQgetvalue(tables, t, 0));
			rows = PQexec(c, sql);
			check(PQresultStatus(rows) == PGRES_TUPLES_OK, "%s",
			      PQerrorMessage(c));
			for (int i = 0; i < PQntuples(rows); i++) {
				size_t l = strlen(PQgetvalue(rows, i, 0));

				out = realloc(out, n + l + 2);
				assert_non_null(out);
				memcpy(out + n, PQgetvalue(rows, i, 0), l);
				n += l;
				out[n++] = '\n';
			}
			PQclear(rows);
		}
		PQclear(tables);
		PQfinish(c);
		*len = n;
		return out;
	}
	{
		char wal[300];
		size_t a, b;
		char *db = file_bytes(srv->db_path, &a);
		char *w;

		snprintf(wal, sizeof(wal), "%s-wal", srv->db_path);
		w = file_bytes(wal, &b);
		out = malloc(a + b + 1);
		assert_non_null(out);
		memcpy(out, db, a);
		memcpy(out + a, w, b);
		free(db);
		free(w);
		*len = a + b;
	}
	return out;
}

/* Whether the len bytes at text hold needle. */
static int holds(const char *text, size_t len, const char *needle)
{
	size_t n = strlen(needle);

	for (size_t i = 0; n && i + n <= len; i++)
		if (memcmp(text + i, needle, n) == 0)
			return 1;
	return 0;
}

API_TEST(keys_sessions_and_passwords_are_kept_only_as_hashes)
{
	const char *args[] = {"user",	"create", "hashed@example.com",
			      "--tenant", "acme",   "--role",
			      "viewer", "--db",	    srv->db_path, NULL};
	char id[64], secret[HARNESS_KEY_MAX], pw[64], body[160], set[256];
	char token[128], *text;
	struct cli_result cr;
	struct resp *r;
	size_t len;

	key_post("hashed", "viewer", id, sizeof(id), secret, sizeof(secret));
	cli_run(&cr, args);
	check(cr.exit_status == 0 && last_line(cr.out, pw, sizeof(pw)) == 0,
	      "%s%s", cr.out, cr.err);
	cli_result_free(&cr);
	snprintf(body, sizeof(body),
		 "{\"email\": \"hashed@example.com\", \"password\": "
		 "\"%s\"}", pw);
	r = http("POST", "/v1/session", NULL, body, strlen(body), NULL);
	assert_status(r, 201);
	check(resp_header(r, "Set-Cookie", set, sizeof(set)), "a cookie");
	resp_free(r);
	/* ordo_session=TOKEN; ... */
	snprintf(token, sizeof(token), "%.*s",
		 (int)(strcspn(set, ";") - (strchr(set, '=') + 1 - set)),
		 strchr(set, '=') + 1);
	check(strlen(token) >= 16, "a session token: %s", set);
	text = database_text(&len);
	check(len > 0 && holds(text, len, "hashed@example.com"),
	      "the database read from outside holds the person's email");
	check(!holds(text, len, secret), "the key's secret is in the database");
	check(!holds(text, len, token), "the session's token is in the "
	      "database");
	check(!holds(text, len, pw), "the password is in the database");
	check(holds(text, len, "$argon2id$v=19$m=65536,"),
	      "no password hashed with Argon2id (64 MiB) in the database");
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_key_is_shown_once_and_listed_without_its_secret),
		cmocka_unit_test(the_list_says_when_each_key_was_last_used_to_the_minute),
		cmocka_unit_test(a_revoked_key_is_refused_at_once_on_every_node),
		cmocka_unit_test(a_rotated_key_works_with_its_new_secret_only),
		cmocka_unit_test(the_last_admin_key_is_kept),
		cmocka_unit_test(another_tenants_keys_are_not_found),
		cmocka_unit_test(a_key_is_asked_for_exactly),
		cmocka_unit_test(an_integration_key_answers_for_its_location),
		cmocka_unit_test(the_command_line_lists_revokes_and_rotates),
		cmocka_unit_test(keys_sessions_and_passwords_are_kept_only_as_hashes),
		/* Last: it leaves acme with all the keys it may have. */
		cmocka_unit_test(a_tenant_keeps_at_most_100_live_keys),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
