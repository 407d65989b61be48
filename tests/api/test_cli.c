/*
 * test_cli.c - the ordo command line: help, usage errors (exit 2 with a
 * message naming what is wrong and the closest flag), tenant and key
 * creation against the database of a running server (the new keys
 * authenticate at once), idempotent migrations, a --db that is not there,
 * --version, --listen with a host name, a port in use, and JSON on stderr.
 */
#include "harness.h"
#include "proc.h"

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
		{ "backup", "--help", NULL },
		{ "simulate", "--help", NULL },
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
	static const char *const bad[][10] = {
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
		{ "serve", "--db", "DB", "--listen", "nonsense", NULL },
		{ "serve", "--db", "DB", "--db-pool", "0", NULL },
		/* A key's rate: 1 to 1,000,000 requests a second. */
		{ "serve", "--db", "DB", "--rate-per-key", "0", NULL },
		{ "serve", "--db", "DB", "--rate-per-key", "1000001", NULL },
		{ "serve", "--db", "DB", "--rate-per-address", "0", NULL },
		{ "serve", "--db", "DB", "--rate-per-address", "1000001",
		  NULL },
		/* SQLite has one writer (a path no CLI going ahead can
		 * make a database at). */
		{ "serve", "--db", "/nonexistent-dir/ordo.db", "--db-writers",
		  "2", NULL },
		/* An abbreviation is not the flag. */
		{ "key", "create", "acme", "--rol", "viewer", "--name", "x",
		  "--db", "DB", NULL },
		/* A flag the command does not take is not ignored. */
		{ "migrate", "--role", "viewer", "--db", "DB", NULL },
		/* Nor is the first of two values for one flag. */
		{ "tenant", "create", "twice", "--db", "DB", "--db", "DB",
		  NULL },
		{ "key", "create", "acme", "--role", "superuser", "--name", "x",
		  "--db", "DB", NULL },
		/* The key commands: what each takes, no more. */
		{ "key", "list", "--db", "DB", NULL },
		{ "key", "list", "acme", "extra", "--db", "DB", NULL },
		{ "key", "revoke", "acme", "--db", "DB", NULL },
		{ "key", "rotate", "acme", "--db", "DB", NULL },
		{ "key", "list", "acme", "--role", "viewer", "--db", "DB",
		  NULL },
		{ "key", "frobnicate", "acme", "--db", "DB", NULL },
		{ "simulate", "--tenant", "acme", "--polic", "p.json", "--db",
		  "DB", NULL },
		{ "demo", "--db", "DB", "extra", NULL },
		{ "version", "extra", NULL },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *args[10];
		struct cli_result r;
		char what[200] = "ordo";
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
			    strstr(r.err, "already has or had a key"));
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

API_TEST(a_misspelled_flag_is_named_with_the_closest)
{
	/* Each row: the arguments (DB: the group's database), then what the
	 * message must name. */
	static const char *const rows[][10] = {
		{ "key", "create", "acme", "--rol", "viewer", "--name", "x",
		  "--db", "DB", NULL },
		{ "key", "create", "acme", "--role", "viewer", "--nmae", "x",
		  "--db", "DB", NULL },
		{ "tenant", "create", "x", "--dbb", "DB", NULL },
		{ "serve", "--db", "DB", "--listne", "127.0.0.1:1", NULL },
		{ "serve", "--db", "DB", "--webhook-timeout", "500", NULL },
		{ "simulate", "--tennant", "acme", "--policy", "p.json", "--db",
		  "DB", NULL },
		{ "serv", NULL },
	};
	static const char *const closest[] = { "--role", "--name", "--db",
					       "--listen",
					       "--webhook-timeout-ms",
					       "--tenant", "serve" };

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *args[10];
		struct cli_result r;
		char what[200];
		size_t k;

		for (k = 0; rows[i][k]; k++)
			args[k] = strcmp(rows[i][k], "DB") ? rows[i][k] :
							      srv->db_path;
		args[k] = NULL;
		snprintf(what, sizeof(what), "ordo %s %s ... names %s",
			 rows[i][0], rows[i][1] ? rows[i][1] : "", closest[i]);
		cli_run(&r, args);
		expect_exit(&r, what,
			    r.exit_status == 2 && strstr(r.err, closest[i]));
		cli_result_free(&r);
	}
}

API_TEST(an_unknown_role_is_bad_usage_listing_the_roles)
{
	const char *args[] = { "key", "create", "acme", "--role", "owner",
			       "--name", "x", "--db", srv->db_path, NULL };
	struct cli_result r;

	cli_run(&r, args);
	expect_exit(&r, "ordo key create --role owner exits 2",
		    r.exit_status == 2 && strstr(r.err, "owner") &&
			    strstr(r.err, "supervisor") &&
			    strstr(r.err, "viewer"));
	cli_result_free(&r);
}

API_TEST(a_missing_database_is_refused_not_created)
{
	char path[300], sqlite_url[320], to[320];
	const char *key_args[] = { "key", "create", "acme", "--role", "viewer",
				   "--name", "x", "--db", path, NULL };
	const char *url_args[] = { "key", "create", "acme", "--role", "viewer",
				   "--name", "x", "--db", sqlite_url, NULL };
	const char *backup_args[] = { "backup", "--to", to, "--db", path,
				      NULL };
	const char *sim_args[] = { "simulate", "--tenant", "acme", "--policy",
				   ORDO_SOURCE_DIR
				   "/docs/examples/candidate-policy.json",
				   "--db", path, NULL };
	const char *const *cases[] = { key_args, url_args, backup_args,
				       sim_args };
	struct cli_result r;

	snprintf(path, sizeof(path), "%s/nope.db", srv->dir);
	snprintf(sqlite_url, sizeof(sqlite_url), "sqlite:%s", path);
	snprintf(to, sizeof(to), "%s/nope-copy.db", srv->dir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cli_run(&r, cases[i]);
		expect_exit(&r, cases[i][0],
			    r.exit_status == 1 && strstr(r.err, path));
		cli_result_free(&r);
		check(access(path, F_OK) != 0,
		      "ordo %s created the database %s", cases[i][0], path);
	}
}

API_TEST(version_prints_the_version)
{
	static const char *const forms[][2] = { { "--version", NULL },
						{ "version", NULL } };

	for (size_t i = 0; i < 2; i++) {
		struct cli_result r;

		cli_run(&r, forms[i]);
		expect_exit(&r, forms[i][0],
			    r.exit_status == 0 &&
				    strcmp(r.out, "ordo " ORDO_VERSION "\n") ==
					    0);
		cli_result_free(&r);
	}
}

API_TEST(listen_takes_a_host_name)
{
	char db[300], listen[64], base[64];
	const char *args[] = { "serve", "--db", db, "--listen", listen, NULL };
	struct proc p;
	struct resp *r = NULL;
	long deadline = harness_now_ms() + 30000;
	int port = proc_free_port(), status;

	snprintf(db, sizeof(db), "%s/named.db", srv->dir);
	snprintf(listen, sizeof(listen), "localhost:%d", port);
	snprintf(base, sizeof(base), "http://localhost:%d", port);
	proc_start(&p, "named", NULL, args);
	while (harness_now_ms() < deadline) {
		r = http_at(base, "GET", "/healthz", NULL, NULL, 0, NULL);
		if (r->status == 200 || waitpid(p.pid, &status, WNOHANG) != 0)
			break;
		resp_free(r);
		r = NULL;
		harness_sleep_ms(100);
	}
	if (!r || r->status != 200)
		proc_dump(&p);
	check(r && r->status == 200, "ordo serve --listen %s did not serve",
	      listen);
	resp_free(r);
	check(proc_stop(&p) == 0, "ordo serve did not stop cleanly");
}

API_TEST(a_port_in_use_is_found_before_anything_is_written)
{
	char db[300], listen[64], port[16];
	const char *serve[] = { "serve", "--db", db, "--listen", listen, NULL };
	const char *demo[] = { "demo", "--db", db, "--listen", listen, NULL };
	const char *const *cases[] = { serve, demo };
	struct cli_result r;

	/* The group's server holds its port. */
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", srv->port);
	snprintf(port, sizeof(port), "%d", srv->port);
	for (size_t i = 0; i < 2; i++) {
		snprintf(db, sizeof(db), "%s/busy-%zu.db", srv->dir, i);
		cli_run(&r, cases[i]);
		expect_exit(&r, cases[i][0],
			    r.exit_status == 1 && strstr(r.err, port) &&
				    strstr(r.err, "in use") &&
				    !strstr(r.out, "seeding"));
		cli_result_free(&r);
		check(access(db, F_OK) != 0,
		      "ordo %s wrote %s before finding the port in use",
		      cases[i][0], db);
	}
}

API_TEST(everything_on_stderr_is_a_json_line)
{
	char fresh[300];
	static const char *const rows[][10] = {
		{ NULL },
		{ "frobnicate", NULL },
		{ "key", "create", "acme", "--rol", "viewer", "--db", "DB",
		  NULL },
		{ "key", "create", "umbrella", "--role", "viewer", "--name", "x",
		  "--db", "DB", NULL },
		{ "tenant", "create", "acme", "--db", "DB", NULL },
		{ "migrate", "--db", "FRESH", NULL },
		{ "backup", "--to", "DB", "--db", "DB", NULL },
		{ "simulate", "--tenant", "acme", "--policy", "/nonexistent.json",
		  "--db", "DB", NULL },
		{ "serve", "--db", "DB", "--listen", "LISTEN", NULL },
	};
	char listen[64];
	char *log;
	const char *bad;

	snprintf(fresh, sizeof(fresh), "%s/json-lines.db", srv->dir);
	snprintf(listen, sizeof(listen), "127.0.0.1:%d", srv->port);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *args[10];
		struct cli_result r;
		size_t k;

		for (k = 0; rows[i][k]; k++) {
			const char *a = rows[i][k];

			args[k] = !strcmp(a, "DB")	   ? srv->db_path :
				  !strcmp(a, "FRESH")  ? fresh :
				  !strcmp(a, "LISTEN") ? listen :
							 a;
		}
		args[k] = NULL;
		cli_run(&r, args);
		bad = proc_non_json_line(r.err);
		if (bad || !r.err[0])
			print_cli(rows[i][0] ? rows[i][0] : "ordo", &r);
		check(r.err[0] && !bad, "ordo %s wrote a line on stderr that "
		      "is not a JSON log line",
		      rows[i][0] ? rows[i][0] : "");
		cli_result_free(&r);
	}
	/* And the server, the whole run so far. */
	log = harness_log_text(srv);
	bad = proc_non_json_line(log);
	check(!bad, "the server wrote a line that is not JSON: %.200s",
	      bad ? bad : "");
	free(log);
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
		cmocka_unit_test(a_misspelled_flag_is_named_with_the_closest),
		cmocka_unit_test(an_unknown_role_is_bad_usage_listing_the_roles),
		cmocka_unit_test(a_missing_database_is_refused_not_created),
		cmocka_unit_test(version_prints_the_version),
		cmocka_unit_test(listen_takes_a_host_name),
		cmocka_unit_test(a_port_in_use_is_found_before_anything_is_written),
		cmocka_unit_test(everything_on_stderr_is_a_json_line),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
