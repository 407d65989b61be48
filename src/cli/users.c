/*
 * users.c - ordo user create, grant and disable: people, from the command
 * line.
 *
 * create reads the person's password from standard input (its first line)
 * when standard input is not a terminal and has one; otherwise it makes
 * one and prints it, once, as the last line. The password never appears
 * on the command line, where other users of the machine could read it.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/people.h"
#include "cli/cli.h"

/* The first line of standard input into out (size bytes): 1 read, 0 none
 * (a terminal, or nothing to read), -1 a line too long. */
static int password_from_stdin(char *out, size_t size)
{
	size_t n;

	if (isatty(STDIN_FILENO) || !fgets(out, (int)size, stdin))
		return 0;
	n = strcspn(out, "\r\n");
	if (out[n] == '\0' && n + 1 == size - 0 && !feof(stdin))
		return -1;
	out[n] = '\0';
	return n > 0 ? 1 : 0;
}

static int user_usage(void)
{
	printf("usage: ordo user create EMAIL --tenant SLUG --role ROLE "
	       "[--db PATH|URL]\n"
	       "       ordo user grant EMAIL --tenant SLUG --role ROLE "
	       "[--db PATH|URL]\n"
	       "       ordo user disable EMAIL --tenant SLUG "
	       "[--db PATH|URL]\n\n"
	       "create: make a person who logs in (POST /v1/session) with "
	       "EMAIL and a\n"
	       "        password, read from standard input's first line; "
	       "with none there\n"
	       "        (or a terminal), one is made and printed as the "
	       "last line, once.\n"
	       "        A password is %d to %d characters; it is kept only "
	       "as its Argon2id hash.\n"
	       "grant:  give the person ROLE in tenant SLUG (a person may "
	       "serve several\n"
	       "        tenants, with a role in each; a role there before "
	       "is replaced).\n"
	       "disable: the person logs in to tenant SLUG no more, and "
	       "their sessions\n"
	       "        there end at once (grant, or PATCH /v1/users/{id}, "
	       "enables them).\n"
	       "  --tenant SLUG  the tenant\n"
	       "  --role ROLE    admin, supervisor, agent or viewer "
	       "(integration is\n"
	       "                 for API keys)\n"
	       "  --db PATH      database file (default ./%s) or "
	       "postgres://... URL\n",
	       ORDO_PASSWORD_MIN, ORDO_PASSWORD_MAX, CLI_DEFAULT_DB);
	return CLI_OK;
}

/* ordo user disable EMAIL --tenant SLUG. */
static int user_disable(const struct cli_opts *o)
{
	ordo_err err = ORDO_ERR_INIT;
	store *st;
	int rc = CLI_OK;

	if (o->n_args != 2)
		return cli_usage_error("user", "expected one EMAIL after "
				       "'disable'");
	if (!o->tenant)
		return cli_usage_error("user", "--tenant is required");
	if (o->role)
		return cli_usage_error("user", "--role is for 'create' and "
				       "'grant'");
	if (cli_need_db(o->db) != CLI_OK)
		return CLI_FAIL;
	st = cli_open_store(o->db, 1, 1);
	if (!st)
		return CLI_FAIL;
	if (app_user_disable(st, o->args[1], o->tenant,
			     ordo_clock_now(cli_clock), &err))
		rc = cli_fail(&err);
	else
		printf("person %s is disabled in tenant %s\n", o->args[1],
		       o->tenant);
	ordo_err_clear(&err);
	store_close(st);
	return rc;
}

int cmd_user(int argc, char **argv)
{
	struct cli_opts o = {0};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	char password[ORDO_PASSWORD_MAX + 2] = "";
	bool made = false, create;
	app_role role;
	store *st;
	int rc;

	rc = cli_parse_opts("user", CLI_F_DB | CLI_F_TENANT | CLI_F_ROLE,
			    argc, argv, &o);
	if (rc)
		return rc;
	if (o.help)
		return user_usage();
	if (o.n_args >= 1 && strcmp(o.args[0], "disable") == 0)
		return user_disable(&o);
	if (o.n_args < 1 || (strcmp(o.args[0], "create") != 0 &&
			     strcmp(o.args[0], "grant") != 0))
		return cli_usage_error("user", "expected 'create EMAIL', "
				       "'grant EMAIL' or 'disable EMAIL'");
	create = strcmp(o.args[0], "create") == 0;
	if (o.n_args != 2)
		return cli_usage_error("user", "expected one EMAIL after '%s'",
				       o.args[0]);
	if (!o.tenant || !o.role)
		return cli_usage_error("user", "--tenant and --role are "
				       "required");
	if (app_role_parse(o.role, &role) != 0)
		return cli_usage_error("user", "--role \"%s\" is not a role; "
				       "one of: admin, supervisor, agent, "
				       "viewer",
				       o.role);
	if (create) {
		int got = password_from_stdin(password, sizeof(password));

		if (got < 0)
			return cli_usage_error("user", "the password on "
					       "standard input is over %d "
					       "characters",
					       ORDO_PASSWORD_MAX);
		if (got == 0) {
			app_password_generate(password);
			made = true;
		}
	}
	if (cli_need_db(o.db) != CLI_OK)
		return CLI_FAIL;
	st = cli_open_store(o.db, 1, 1);
	if (!st)
		return CLI_FAIL;
	if (create)
		app_user_create(st, o.args[1], password, o.tenant, o.role,
				ordo_clock_now(cli_clock), err);
	else
		app_user_grant(st, o.args[1], o.tenant, o.role,
			       ordo_clock_now(cli_clock), err);
	if (err->code != ORDO_OK) {
		rc = cli_fail(err);
	} else if (create) {
		printf("person %s created, %s of tenant %s\n", o.args[1],
		       o.role, o.tenant);
		if (made)
			printf("their password (shown once):\n%s\n",
			       password);
	} else {
		printf("person %s is %s of tenant %s\n", o.args[1], o.role,
		       o.tenant);
	}
	sodium_memzero(password, sizeof(password));
	ordo_err_clear(err);
	store_close(st);
	return rc;
}
