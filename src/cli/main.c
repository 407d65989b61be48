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

#include "api/log.h"
#include "api/server.h"
#include "cli/cli.h"

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
	"  key       create API keys (ordo key create SLUG --role ROLE "
	"--name NAME)\n"
	"  backup    copy a SQLite database while it is in use\n"
	"  simulate  replay a candidate review policy over past orders\n"
	"\n"
	"Every command takes --db PATH (a SQLite file, default ./" CLI_DEFAULT_DB
	")\nor --db postgres://..., and --help.\n";

const char *cli_program = "ordo";

int cli_fail(const ordo_err *err)
{
	size_t i;

	fprintf(stderr, "ordo: %s\n",
		err->message[0] ? err->message : ordo_code_name(err->code));
	for (i = 0; i < err->n_details; i++)
		fprintf(stderr, "  %s: %s\n", err->details[i].field,
			err->details[i].message);
	return CLI_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "ordo %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nrun 'ordo %s --help' for usage\n", cmd);
	return CLI_USAGE;
}

store *cli_open_store(const char *db, int pool)
{
	store_options opts = STORE_OPTIONS_DEFAULT;
	ordo_err *err = malloc(sizeof(*err));
	store *st = NULL;
	int applied = 0, version = 0;

	if (!err)
		return NULL;
	opts.read_pool_size = pool;
	ordo_err_clear(err);
	if (store_open(db, &opts, &st, err) != ORDO_OK) {
		cli_fail(err);
		free(err);
		return NULL;
	}
	if (store_migrate(st, &applied, &version, err) != ORDO_OK) {
		cli_fail(err);
		store_close(st);
		free(err);
		return NULL;
	}
	if (applied)
		log_info("applied %d migration%s; schema version %d", applied,
			 applied == 1 ? "" : "s", version);
	free(err);
	return st;
}

int cli_serve_until_signal(store *st, const char *listen, const char *banner,
			   int webhook_timeout_ms)
{
	api_server_options opts = {.threads = 4};
	api_server *srv = NULL;
	struct background *bg = NULL;
	char host[64];
	ordo_err *err = malloc(sizeof(*err));
	sigset_t set;
	int sig = 0, rc = CLI_OK;
	json_t *fields;

	if (!err)
		return CLI_FAIL;
	ordo_err_clear(err);
	if (api_parse_listen(listen, host, sizeof(host), &opts.port, err)) {
		rc = cli_fail(err);
		goto out;
	}
	opts.host = host;

	/* Signals are taken by sigwait below, never by a server thread. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (api_server_start(st, &opts, &srv, err)) {
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
	free(err);
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
		{"simulate", cmd_simulate},
	};
	size_t i;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "ordo: libcurl failed to initialise\n");
		return CLI_FAIL;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "ordo: libsodium failed to initialise\n");
		return CLI_FAIL;
	}
	signal(SIGPIPE, SIG_IGN);
	if (argc > 0 && argv[0] && argv[0][0])
		cli_program = argv[0];
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage, stdout);
		return CLI_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "ordo: unknown command \"%s\"\n\n%s", argv[1], usage);
	return CLI_USAGE;
}
