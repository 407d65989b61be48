/*
 * cli.h - the ordo command's subcommands and what they share.
 *
 * Exit codes: 0 success, 1 the operation failed, 2 bad usage. Results go to
 * stdout; everything on stderr (logs, failures, usage errors with a hint to
 * --help) is one JSON object per line, like the server's log.
 */
#ifndef ORDO_CLI_H
#define ORDO_CLI_H

#include <signal.h>

#include "app/caller.h"
#include "core/clock.h"
#include "api/server.h"
#include "core/err.h"
#include "store/store.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

#define CLI_DEFAULT_DB "ordo.db"
#define CLI_DEFAULT_LISTEN "127.0.0.1:8080"
/* The demo keeps its own database, so that trying ordo never writes into
 * the database that `ordo serve` uses by default. */
#define CLI_DEMO_DB "ordo-demo.db"

/* The flags of the ordo command; each command takes some of them. */
#define CLI_F_DB (1u << 0)
#define CLI_F_LISTEN (1u << 1)
#define CLI_F_ROLE (1u << 2)
#define CLI_F_NAME (1u << 3)
#define CLI_F_WEBHOOK_TIMEOUT (1u << 4)
#define CLI_F_DB_POOL (1u << 5)
#define CLI_F_TO (1u << 6)
#define CLI_F_TENANT (1u << 7)
#define CLI_F_POLICY (1u << 8)
#define CLI_F_FROM (1u << 9)
#define CLI_F_WEBHOOK_ALLOW (1u << 10)
/* Not in any help: tests move the server's clock (clock_file.c). */
#define CLI_F_CLOCK_FILE (1u << 11)
#define CLI_F_MAX_QUEUED (1u << 12)
#define CLI_F_DB_WRITERS (1u << 13)
#define CLI_F_MAP (1u << 14)
#define CLI_F_CHANNEL (1u << 15)
#define CLI_F_RATE_PER_KEY (1u << 16)
#define CLI_F_RATE_PER_ADDRESS (1u << 17)
#define CLI_F_LOCATION (1u << 18)
#define CLI_F_WEB (1u << 19)
#define CLI_F_TRUSTED_PROXIES (1u << 20)

/* What a command was given: each flag's value (NULL: not given), the
 * positional arguments, and whether help was asked for. */
struct cli_opts {
	const char *db;
	const char *listen;
	const char *role;
	const char *name;
	const char *webhook_timeout;
	const char *db_pool;
	const char *to;
	const char *tenant;
	const char *policy;
	const char *from;
	const char *webhook_allow;
	const char *clock_file;
	const char *max_queued;
	const char *rate_per_key;
	const char *rate_per_address;
	const char *db_writers;
	const char *map;
	const char *channel;
	const char *location;
	const char *web;
	const char *trusted_proxies;
	unsigned given; /* CLI_F_* of the flags given */
	bool help;
	int n_args;
	char *args[4];
};

/*
 * Read argv[1..] of command cmd, which takes the flags in `takes`
 * (CLI_F_*), into o (zeroed by the caller). Returns 0, or CLI_USAGE having
 * said what is wrong.
 */
int cli_parse(const char *cmd, unsigned takes, int argc, char **argv,
	      struct cli_opts *o);
/* Read a flag's value as a whole number in [min, max]; 0 or CLI_USAGE. */
int cli_parse_long(const char *cmd, const char *flag, const char *value,
		   long min, long max, long *out);
/* Of names[0..n), the one closest to given (a likely misspelling), or
 * NULL when none is close. */
const char *cli_closest(const char *given, const char *const *names,
			size_t n);

/* How the ordo command was invoked (argv[0]), for messages that show a
 * command to run. */
extern const char *cli_program;

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_tenant(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_backup(int argc, char **argv);
/* cli_parse, then the defaults of --db and --listen. 0, or CLI_USAGE
 * having said what is wrong. */
int cli_parse_opts(const char *cmd, unsigned takes, int argc, char **argv,
		   struct cli_opts *o);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);
/* The caller "cli" of the tenant slug, for the commands that act as
 * one (simulate, report); ORDO_ENOTFOUND naming it. */
ordo_code cli_tenant_caller(store *st, const char *slug, app_caller *caller,
			    ordo_err *err);
int cmd_import(int argc, char **argv);

/* Print "ordo: <message>" (and each detail) to stderr; returns CLI_FAIL. */
int cli_fail(const ordo_err *err);
/* Print a usage error and a pointer to --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Open and migrate the store at db with `pool` read connections; on
 * failure print and return NULL. */
/* Open and migrate the store: pool read connections, writers committers
 * (0: the backend's own number, store_options.writers). NULL having said
 * why. */
store *cli_open_store(const char *db, int pool, int writers);

/*
 * For the commands that work on a database that must be there already:
 * CLI_OK when db is a postgres:// URL or a SQLite file that exists,
 * otherwise CLI_FAIL having named the path (rather than create an empty
 * database and fail later with a puzzling "no tenant").
 */
int cli_need_db(const char *db);

/* Make sure ordo can listen on `listen` now: CLI_OK, or CLI_USAGE (not
 * HOST:PORT, an unknown host) or CLI_FAIL (e.g. the port is in use),
 * having said why. */
int cli_check_listen(const char *cmd, const char *listen);

/* Webhook delivery and the periodic sweeps (background.c). */
struct background;
struct background *background_start(store *st, int webhook_timeout_ms,
				    ordo_err *err);
void background_stop(struct background *b);

/* SIGINT and SIGTERM, the signals that stop a server; and blocking them
 * in the calling thread. A serving command blocks them before it starts
 * any thread (the store's committer included), so that every thread
 * inherits the mask and a stop is only ever taken by sigwait: a signal
 * delivered to a thread that does not block it would end the process at
 * once, without finishing the writes in flight. */
void cli_stop_signals(sigset_t *set);
void cli_block_stop_signals(void);

/* Serve st on listen until SIGINT or SIGTERM with opts (its limits and
 * console; host, port, threads and clock are set here), with the
 * background work running. Returns an exit code. */
int cli_serve_until_signal(store *st, const char *listen, const char *banner,
			   int webhook_timeout_ms, api_server_options *opts);
/* Where the console's files are when --web is not given: the web/ folder
 * of the checkout ordo was built from. */
#define CLI_DEFAULT_WEB ORDO_WEB_DIR

/* The clock of this process: the system's, unless `serve --clock-file`
 * set one a test moves (cli_clock_file_use). Read it, never time(). */
extern const ordo_clock *cli_clock;
/* Longest --clock-file path. */
#define CLI_PATH_MAX 512
/* Run on the clock of the file at path; CLI_OK or CLI_USAGE. */
int cli_clock_file_use(const char *path);

#endif
