/*
 * test_cli.c - the ordo command line: help, usage errors (exit 2 with a
 * message), tenant and key creation against the database of a running
 * server (the new keys authenticate at once), and idempotent migrations.
 */
#include "harness.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static int contains_ci(const char *hay, const char *needle)
{
	size_t n = strlen(needle);

	for (; *hay; hay++)
		if (!strncasecmp(hay, needle, n))
			return 1;
	return 0;
}

static void print_cli(const char *what, const struct cli_result *r)
{
	print_error("%s: exit %d\nstdout:\n%s\nstderr:\n%s\n", what,
		    r->exit_status, r->out, r->err);
}

#define expect_exit(r, what, cond)                                             \
	do {                                                                   \
		if (!(cond))                                                   \
			print_cli((what), (r));                                \
		check(cond, "%s", (what));                                     \
	} while (0)

API_TEST(help_exits_0_with_usage)
{
	static const char *const helps[][4] = {
		{ "--help", NULL },
		{ "tenant", "create", "--help", NULL },
		{ "key", "create", "--help", NULL },
		{ "serve", "--help", NULL },
		{ "migrate", "--help", NULL },
		{ "demo", "--help", NULL },
	};

	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		struct cli_result r;
		char what[128];

		snprintf(what, sizeof(what), "ordo %s %s %s", helps[i][0],
			 helps[i][1] ? helps[i][1] : "",
			 helps[i][2] ? helps[i][2] : "");
		cli_run(&r, helps[i]);
		expect_exit(&r, what,
			    r.exit_status == 0 &&
				    (contains_ci(r.out, "usage") ||
				     contains_ci(r.err, "usage")));
		cli_result_free(&r);
	}
}

API_TEST(top_level_help_lists_the_commands)
{
	const char *args[] = { "--help", NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo --help names every command",
		    r.exit_status == 0 && contains_ci(r.out, "serve") &&
			    contains_ci(r.out, "tenant") &&
			    contains_ci(r.out, "key") &&
			    contains_ci(r.out, "migrate") &&
			    contains_ci(r.out, "demo"));
	cli_result_free(&r);
}

API_TEST(bad_usage_exits_2_with_a_message)
{
	/* Rows end at NULL; "DB" is replaced by the group's database so that
	 * a CLI that wrongly goes ahead cannot touch ./ordo.db. */
	static const char *const bad[][8] = {
		{ NULL },
		{ "frobnicate", NULL },
		{ "tenant", "create", "--db", "DB", NULL },
		{ "tenant", "frobnicate", "acme", "--db", "DB", NULL },
		{ "tenant", "create", "initrode", "--no-such-flag", "--db", "DB",
		  NULL },
		{ "key", "create", "acme", "--name", "x", "--db", "DB", NULL },
		{ "key", "create", "acme", "--role", "viewer", "--db", "DB",
		  NULL },
		{ "serve", "--db", "DB", "--listen", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[8];
		struct cli_result r;
		char what[160] = "ordo";
		size_t k;

		for (k = 0; bad[i][k]; k++) {
			size_t len = strlen(what);

			args[k] = strcmp(bad[i][k], "DB") ? bad[i][k] :
							     srv->db_path;
			snprintf(what + len, sizeof(what) - len, " %s",
				 bad[i][k]);
		}
		args[k] = NULL;
		cli_run(&r, args);
		expect_exit(&r, what,
			    r.exit_status == 2 && strlen(r.err) > 0);
		cli_result_free(&r);
	}
}

API_TEST(tenant_create_missing_slug_names_the_problem)
{
	const char *args[] = { "tenant", "create", "--db", srv->db_path, NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo tenant create (no slug) says what is missing",
		    r.exit_status == 2 && contains_ci(r.err, "slug"));
	cli_result_free(&r);
}

API_TEST(duplicate_tenant_slug_is_refused)
{
	const char *args[] = { "tenant", "create", "acme", "--db", srv->db_path,
			       NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo tenant create acme (taken) exits 1 naming acme",
		    r.exit_status == 1 && strstr(r.err, "acme"));
	cli_result_free(&r);
}

static void check_key_works(const char *key, const char *what)
{
	struct resp *r = http_get(key, "/v1/orders");

	if (r->status != 200)
		print_error("%s\n", what);
	assert_status(r, 200);
	resp_free(r);
}

API_TEST(new_tenant_key_works_on_the_running_server)
{
	const char *args[] = { "tenant", "create", "initech", "--db",
			       srv->db_path, NULL };
	struct cli_result r;
	char key[HARNESS_KEY_MAX];
	struct resp *resp;

	cli_run(&r, args);
	expect_exit(&r, "ordo tenant create initech",
		    r.exit_status == 0 && !last_line(r.out, key, sizeof(key)));
	check(strcmp(key, srv->key_acme) && strcmp(key, srv->key_globex),
	      "a new tenant must get a new key");
	check_key_works(key, "the new tenant's key");
	/* A new tenant starts empty. */
	resp = http_get(key, "/v1/skus");
	assert_status(resp, 200);
	check(json_array_size(json_object_get(resp->json, "skus")) == 0,
	      "a new tenant sees SKUs: %s", resp->body);
	resp_free(resp);
	cli_result_free(&r);
}

API_TEST(key_create_prints_a_working_key)
{
	const char *args[] = { "key", "create", "acme", "--role", "viewer",
			       "--name", "x", "--db", srv->db_path, NULL };
	static const char *const roles[] = { "admin", "supervisor", "agent",
					     "integration", "viewer" };
	struct cli_result r;
	char key[HARNESS_KEY_MAX];

	cli_run(&r, args);
	expect_exit(&r, "ordo key create acme --role viewer --name x",
		    r.exit_status == 0 && !last_line(r.out, key, sizeof(key)));
	check(strcmp(key, srv->key_acme), "a new key must differ");
	check_key_works(key, "the viewer key");
	cli_result_free(&r);

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++) {
		char name[64];
		const char *a[] = { "key", "create", "globex", "--role",
				    roles[i], "--name", name, "--db",
				    srv->db_path, NULL };

		/* Names are unique per tenant ("admin" is the first key's). */
		snprintf(name, sizeof(name), "%s-key", roles[i]);
		cli_run(&r, a);
		expect_exit(&r, roles[i],
			    r.exit_status == 0 &&
				    !last_line(r.out, key, sizeof(key)));
		check_key_works(key, roles[i]);
		cli_result_free(&r);
	}
}

API_TEST(key_create_refuses_a_bad_role)
{
	const char *args[] = { "key", "create", "acme", "--role", "superuser",
			       "--name", "x", "--db", srv->db_path, NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo key create --role superuser",
		    r.exit_status != 0 && strstr(r.err, "superuser"));
	cli_result_free(&r);
}

API_TEST(key_create_refuses_a_name_in_use)
{
	const char *first[] = { "key", "create", "acme", "--role", "viewer",
				"--name", "dup-name", "--db", srv->db_path,
				NULL };
	const char *again[] = { "key", "create", "acme", "--role", "agent",
				"--name", "dup-name", "--db", srv->db_path,
				NULL };
	const char *other[] = { "key", "create", "globex", "--role", "agent",
				"--name", "dup-name", "--db", srv->db_path,
				NULL };
	struct cli_result r;
	char key[HARNESS_KEY_MAX];

	cli_run(&r, first);
	expect_exit(&r, "ordo key create acme --name dup-name",
		    r.exit_status == 0 && !last_line(r.out, key, sizeof(key)));
	cli_result_free(&r);

	/* The same name again in the same tenant: refused, saying why. */
	cli_run(&r, again);
	expect_exit(&r, "ordo key create acme --name dup-name (in use)",
		    r.exit_status != 0 && strstr(r.err, "dup-name") &&
			    strstr(r.err, "already has a key"));
	check(!strstr(r.out, "ordo_sk_"), "no key may be printed: %s", r.out);
	cli_result_free(&r);
	check_key_works(key, "the first dup-name key");

	/* Another tenant may use the name. */
	cli_run(&r, other);
	expect_exit(&r, "ordo key create globex --name dup-name",
		    r.exit_status == 0 && !last_line(r.out, key, sizeof(key)));
	cli_result_free(&r);
	check_key_works(key, "globex's dup-name key");
}

API_TEST(key_create_refuses_an_unknown_tenant)
{
	const char *args[] = { "key", "create", "umbrella", "--role", "viewer",
			       "--name", "x", "--db", srv->db_path, NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo key create umbrella (no such tenant)",
		    r.exit_status != 0 && r.exit_status != 2 &&
			    strstr(r.err, "umbrella"));
	cli_result_free(&r);
}

API_TEST(migrate_is_idempotent)
{
	char path[300];
	const char *args[] = { "migrate", "--db", path, NULL };
	struct cli_result r;

	snprintf(path, sizeof(path), "%s/fresh.db", srv->dir);
	for (int i = 0; i < 2; i++) {
		cli_run(&r, args);
		expect_exit(&r, i ? "ordo migrate (again)" : "ordo migrate (fresh)",
			    r.exit_status == 0);
		cli_result_free(&r);
	}
	check(access(path, F_OK) == 0, "migrate did not create %s", path);

	/* The database of the running server is already migrated. */
	snprintf(path, sizeof(path), "%s", srv->db_path);
	cli_run(&r, args);
	expect_exit(&r, "ordo migrate on the live database", r.exit_status == 0);
	cli_result_free(&r);
	check_key_works(srv->key_acme, "after migrate");
}

API_TEST(migrate_reports_an_unusable_path)
{
	const char *args[] = { "migrate", "--db",
			       "/nonexistent-ordo-dir/sub/ordo.db", NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo migrate into a missing directory",
		    r.exit_status != 0 && strlen(r.err) > 0);
	cli_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(help_exits_0_with_usage),
		cmocka_unit_test(top_level_help_lists_the_commands),
		cmocka_unit_test(bad_usage_exits_2_with_a_message),
		cmocka_unit_test(tenant_create_missing_slug_names_the_problem),
		cmocka_unit_test(duplicate_tenant_slug_is_refused),
		cmocka_unit_test(new_tenant_key_works_on_the_running_server),
		cmocka_unit_test(key_create_prints_a_working_key),
		cmocka_unit_test(key_create_refuses_a_bad_role),
		cmocka_unit_test(key_create_refuses_a_name_in_use),
		cmocka_unit_test(key_create_refuses_an_unknown_tenant),
		cmocka_unit_test(migrate_is_idempotent),
		cmocka_unit_test(migrate_reports_an_unusable_path),
	};

	return cmocka_run_group_tests(tests, harness_group_setup,
				      harness_group_teardown);
}
