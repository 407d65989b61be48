/*
 * main.c - the `ordo` command: dispatch to subcommands, and what they share
 * (opening the store, serving until a signal, reporting errors).
 */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "channels/json_pool.h"
#include "api/listen.h"
#include "log/log.h"
#include "api/server.h"
#include "cli/cli.h"
#include "core/limits.h"

#ifndef ORDO_VERSION
#error "ORDO_VERSION must be the version of ordo (CMake's project version)"
#endif

static const char usage[] =
	"usage: ordo COMMAND [OPTIONS]\n"
	"\n"
	"ordo takes orders in, checks them, catches duplicates and tracks\n"
	"them through their lifecycle.\n"
	"\n"
	"commands:\n"
	"  serve     serve the HTTP API (ordo serve --help)\n"
	"  demo      seed a demo tenant and serve it\n"
	"  migrate   apply database migrations\n"
	"  tenant    create tenants (ordo tenant create SLUG)\n"
	"  key       create, list, revoke and rotate API keys (ordo key "
	"--help)\n"
	"  user      create people and give them roles (ordo user --help)\n"
	"  backup    copy a SQLite database while it is in use\n"
	"  simulate  replay a candidate review policy over past orders\n"
	"  report    print the tenant's figures over a range (ordo report "
	"--tenant SLUG)\n"
	"  import    take in an order file (ordo import csv FILE --tenant "
	"SLUG)\n"
	"  version   print the version (also ordo --version)\n"
	"\n"
	"Every command takes --db PATH (a SQLite file, default ./" CLI_DEFAULT_DB
	";\nordo demo's default is ./" CLI_DEMO_DB ", its own) or --db "
	"postgres://...,\nand --help. Results go to stdout; logs and errors "
	"go to stderr, one JSON\nobject per line. Exit status: 0 done, 1 "
	"failed, 2 bad usage.\n";

const char *cli_program = "ordo";

int cli_fail(const ordo_err *err)
{
	json_t *fields = json_object(), *details = json_array();
	size_t i;

	json_object_set_new(fields, "code",
			    json_string(ordo_code_name(err->code)));
	if (err->field[0])
		json_object_set_new(fields, "field", json_string(err->field));
	for (i = 0; i < err->n_details; i++)
		json_array_append_new(
			details, json_pack("{s:s, s:s}", "field",
					   err->details[i].field, "message",
					   err->details[i].message));
	if (err->n_details)
		json_object_set_new(fields, "details", details);
	else
		json_decref(details);
	/* A decoder's problems come as details only: the first one, field
	 * and all, is the line's message. */
	if (err->message[0]) {
		log_event("error", err->message, fields);
	} else if (err->n_details) {
		char msg[ORDO_ERR_MESSAGE_MAX + ORDO_ERR_FIELD_MAX + 2];

		snprintf(msg, sizeof(msg), "%s %s", err->details[0].field,
			 err->details[0].message);
		log_event("error", msg, fields);
	} else {
		log_event("error", ordo_code_name(err->code), fields);
	}
	return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512], hint[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(hint, sizeof(hint), "run '%s %s --help' for usage",
		 cli_program, cmd);
	log_event("error", msg,
		  json_pack("{s:s, s:s}", "command", cmd, "hint", hint));
	return CLI_USAGE;
}

int cli_need_db(const char *db)
{
	static const char sqlite_prefix[] = "sqlite:";
	const char *path = db;
	struct stat sb;
	ordo_err err = ORDO_ERR_INIT;

	/* A database server's URL is the server's to check. */
	if (strstr(db, "://"))
		return CLI_OK;
	if (strncmp(db, sqlite_prefix, sizeof(sqlite_prefix) - 1) == 0)
		path = db + sizeof(sqlite_prefix) - 1;
	if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode))
		return CLI_OK;
	ordo_err_set(&err, ORDO_ENOTFOUND, "db",
		     "no database at %s (ordo tenant create, ordo migrate, "
		     "ordo serve and ordo demo make one)",
		     path);
	return cli_fail(&err);
}

int cli_check_listen(const char *cmd, const char *listen)
{
	ordo_err err = ORDO_ERR_INIT;
	int rc;

	if (api_listen_check(listen, &err) == ORDO_OK)
		return CLI_OK;
	if (err.code == ORDO_EINVALID)
		rc = cli_usage_error(cmd, "--listen: %s", err.message);
	else
		rc = cli_fail(&err);
	ordo_err_clear(&err);
	return rc;
}

/*
 * ORDO_TEST_IO_FAULTS=PATH, for ordo's own tests only: a SQLite database
 * is opened through a VFS that makes its disk fill up or fail whenever the
 * control file at PATH says so (store/sqlite_faults.c). Unset: none, as
 * always in production.
 */
static const char *test_io_faults(void)
{
	const char *v = getenv("ORDO_TEST_IO_FAULTS");

	if (!v || !*v)
		return NULL;
	log_event("warn", "ORDO_TEST_IO_FAULTS is set: the database's writes "
		  "fail on purpose when its control file says so (for tests "
		  "only)",
		  json_pack("{s:o}", "control", log_text(v)));
	return v;
}

store *cli_open_store(const char *db, int pool, int writers)
{
	store_options opts = STORE_OPTIONS_DEFAULT;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store *st = NULL;
	int applied = 0, version = 0;

	opts.read_pool_size = pool;
	opts.writers = writers;
	opts.test_io_faults = test_io_faults();
	if (store_open(db, &opts, &st, err) != ORDO_OK) {
		cli_fail(err);
		ordo_err_clear(err);
		return NULL;
	}
	if (store_migrate(st, ordo_clock_now(cli_clock), &applied,
			  &version, err) != ORDO_OK) {
		cli_fail(err);
		store_close(st);
		ordo_err_clear(err);
		return NULL;
	}
	if (applied)
		log_info("applied %d migration%s; schema version %d", applied,
			 applied == 1 ? "" : "s", version);
	ordo_err_clear(err);
	return st;
}

const ordo_clock *cli_clock = &ordo_clock_system;

void cli_stop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
}

void cli_block_stop_signals(void)
{
	sigset_t set;

	cli_stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/*
 * A node holds up to ORDO_CONNECTIONS_MAX connections, each a file, beside
 * its database's: a soft limit of open files below that (1,024 is common)
 * would refuse connections the node means to take. Raise it to what they
 * need, as far as the hard limit allows; say so when it does not.
 */
static void files_for_connections(void)
{
	rlim_t want = ORDO_CONNECTIONS_MAX + 256;
	struct rlimit fl;

	if (getrlimit(RLIMIT_NOFILE, &fl) != 0 || fl.rlim_cur >= want)
		return;
	fl.rlim_cur = fl.rlim_max < want ? fl.rlim_max : want;
	if (setrlimit(RLIMIT_NOFILE, &fl) != 0 || fl.rlim_cur < want)
		log_event("warning", "open_files_limit",
			  json_pack("{s:I, s:I}", "limit",
				    (json_int_t)fl.rlim_cur, "wanted",
				    (json_int_t)want));
}

int cli_serve_until_signal(store *st, const char *listen, const char *banner,
			   int webhook_timeout_ms, api_server_options *opts)
{
	api_server *srv = NULL;
	struct background *bg = NULL;
	char host[64];
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	sigset_t set;
	int sig = 0, rc = CLI_OK;
	json_t *fields;

	if (api_parse_listen(listen, host, sizeof(host), &opts->port, err)) {
		rc = cli_fail(err);
		goto out;
	}
	opts->host = host;
	opts->threads = 4;
	opts->clock = cli_clock;
	files_for_connections();

	/* Signals are taken by sigwait below, never by another thread: they
	 * were blocked before the first one started (cli_block_stop_signals),
	 * and every thread inherits that. */
	cli_stop_signals(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (api_server_start(st, opts, &srv, err)) {
		rc = cli_fail(err);
		goto out;
	}
	bg = background_start(st, webhook_timeout_ms, err);
	if (!bg) {
		api_server_stop(srv);
		rc = cli_fail(err);
		goto out;
	}
	fields = json_object();
	json_object_set_new(fields, "url", json_sprintf("http://%s", listen));
	log_event("info", "listening", fields);
	if (banner)
		printf("%s", banner);
	fflush(stdout);
	sigwait(&set, &sig);
	log_info("signal %d: shutting down", sig);
	api_server_stop(srv);
	background_stop(bg);
out:
	ordo_err_clear(err);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} commands[] = {
		{"serve", cmd_serve},	{"demo", cmd_demo},
		{"migrate", cmd_migrate}, {"tenant", cmd_tenant},
		{"key", cmd_key},	{"backup", cmd_backup},
		{"simulate", cmd_simulate}, {"import", cmd_import},
		{"report", cmd_report}, {"user", cmd_user},
	};
	const char *names[sizeof(commands) / sizeof(commands[0])];
	const char *near;
	size_t i;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		log_error("libcurl failed to initialise");
		return CLI_FAIL;
	}
	if (sodium_init() < 0) {
		log_error("libsodium failed to initialise");
		return CLI_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	/* Before any thread: requests' JSON from their arenas. */
	json_pool_install();
	if (argc > 0 && argv[0] && argv[0][0])
		cli_program = argv[0];
	if (argc < 2) {
		fputs(usage, stdout);
		log_event("error", "no command given",
			  json_pack("{s:s}", "hint",
				    "run 'ordo --help' for usage"));
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		if (argc == 3 && (strcmp(argv[2], "--help") == 0 ||
				  strcmp(argv[2], "-h") == 0)) {
			printf("usage: ordo version (or ordo --version)\n\n"
			       "Print the version of ordo.\n");
			return CLI_OK;
		}
		if (argc > 2)
			return cli_usage_error("version", "unexpected "
					       "argument \"%s\"",
					       argv[2]);
		printf("ordo %s\n", ORDO_VERSION);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		names[i] = commands[i].name;
	near = cli_closest(argv[1], names, i);
	{
		char msg[256];

		if (near)
			snprintf(msg, sizeof(msg),
				 "unknown command \"%.64s\"; did you mean "
				 "%s?",
				 argv[1], near);
		else
			snprintf(msg, sizeof(msg),
				 "unknown command \"%.64s\"", argv[1]);
		log_event("error", msg,
			  json_pack("{s:s}", "hint",
				    "run 'ordo --help' for the commands"));
	}
	return CLI_USAGE;
}
