/*
 * test_policy_restore.c - an order is judged by the policy the database
 * holds, even when the database changed under a running node without it:
 * a restore, a failover, or a version number saved in a transaction that
 * failed and saved again with other rules. The node compiles each version
 * once and keeps it; it must not keep judging by rules the database no
 * longer has.
 *
 * The test saves version 1 (a rule that never matches), has an order
 * judged by it, then rewrites version 1's rules in the database itself (a
 * rule that always matches) and has another order judged: it must carry
 * the rewritten rule's hold.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "harness.h"

static const char never[] =
	"{\"rules\": [{\"id\": \"never\", \"when\": \"total >= 999999999\", "
	"\"then\": {\"hold\": \"high_value\", \"priority\": 3}}]}";
static const char always[] =
	"{\"rules\": [{\"id\": \"always\", \"when\": \"total >= 0\", "
	"\"then\": {\"hold\": \"risky_order\", \"priority\": 2}}]}";

/* Write version 1's document in the database, behind the node's back. */
static void rewrite_version_1(const char *doc)
{
	if (strncmp(srv->db_path, "postgres", 8) == 0) {
		PGconn *c = PQconnectdb(srv->db_path);
		const char *params[1] = {doc};
		PGresult *res;

		check(PQstatus(c) == CONNECTION_OK, "connect: %s",
		      PQerrorMessage(c));
		res = PQexecParams(c,
				   "UPDATE policy_versions SET document = $1 "
				   "WHERE version = 1",
				   1, NULL, params, NULL, NULL, 0);
		check(PQresultStatus(res) == PGRES_COMMAND_OK &&
			      strcmp(PQcmdTuples(res), "0") != 0,
		      "update: %s", PQerrorMessage(c));
		PQclear(res);
		PQfinish(c);
		return;
	}
	{
		sqlite3 *db = NULL;
		sqlite3_stmt *s = NULL;

		check(sqlite3_open(srv->db_path, &db) == SQLITE_OK, "open");
		sqlite3_busy_timeout(db, 5000);
		check(sqlite3_prepare_v2(db,
					 "UPDATE policy_versions SET document "
					 "= ?1 WHERE version = 1",
					 -1, &s, NULL) == SQLITE_OK,
		      "prepare: %s", sqlite3_errmsg(db));
		sqlite3_bind_text(s, 1, doc, -1, SQLITE_STATIC);
		check(sqlite3_step(s) == SQLITE_DONE &&
			      sqlite3_changes(db) > 0,
		      "update: %s", sqlite3_errmsg(db));
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
}

static bool has_rule_hold(const json_t *o, const char *rule)
{
	json_t *h;
	size_t i;

	json_array_foreach(json_object_get(o, "holds"), i, h)
		if (streq(jstr(h, "rule_id"), rule))
			return true;
	return false;
}

API_TEST(orders_are_judged_by_the_rules_the_database_holds)
{
	struct resp *r;
	json_t *order;

	r = http("PUT", "/v1/policy", srv->key_acme, never, strlen(never),
		 NULL);
	assert_status(r, 201);
	check(json_integer_value(json_object_get(r->json, "version")) == 1,
	      "the first saved version is 1: %s", r->body);
	resp_free(r);

	order = order_new("PR-BEFORE");
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(!has_rule_hold(r->json, "never") &&
		      !has_rule_hold(r->json, "always"),
	      "version 1 holds nothing yet: %s", r->body);
	resp_free(r);
	json_decref(order);

	rewrite_version_1(always);

	order = order_new("PR-AFTER");
	r = order_post(srv->key_acme, order, NULL);
	assert_status(r, 201);
	check(has_rule_hold(r->json, "always"),
	      "the order must be judged by version 1 as the database holds "
	      "it now (rule \"always\"): %s", r->body);
	resp_free(r);
	json_decref(order);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			orders_are_judged_by_the_rules_the_database_holds),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
