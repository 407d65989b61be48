/*
 * cli.h - the ordo command's subcommands and what they share.
 *
 * Exit codes: 0 success, 1 the operation failed (message on stderr),
 * 2 bad usage (message and a hint to --help on stderr).
 */
#ifndef ORDO_CLI_H
#define ORDO_CLI_H

#include "core/err.h"
#include "store/store.h"

#define CLI_OK 0
#define CLI_FAIL 1
#define CLI_USAGE 2

#define CLI_DEFAULT_DB "ordo.db"
#define CLI_DEFAULT_LISTEN "127.0.0.1:8080"

/* How the ordo command was invoked (argv[0]), for messages that show a
 * command to run. */
extern const char *cli_program;

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_tenant(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_simulate(int argc, char **argv);

/* Print "ordo: <message>" (and each detail) to stderr; returns CLI_FAIL. */
int cli_fail(const ordo_err *err);
/* Print a usage error and a pointer to --help; returns CLI_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Read connections per node by default, and at most. */
#define CLI_DEFAULT_DB_POOL 8
#define CLI_MAX_DB_POOL 64

/* Open and migrate the store at db with `pool` read connections; on
 * failure print and return NULL. */
store *cli_open_store(const char *db, int pool);

/* Webhook delivery and the periodic sweeps (background.c). */
struct background;
struct background *background_start(store *st, int webhook_timeout_ms,
				    ordo_err *err);
void background_stop(struct background *b);

/* Serve st on listen until SIGINT or SIGTERM, with the background work
 * running. Returns an exit code. */
int cli_serve_until_signal(store *st, const char *listen, const char *banner,
			   int webhook_timeout_ms);

/* Default time a webhook receiver has to answer. */
#define CLI_DEFAULT_WEBHOOK_TIMEOUT_MS 10000

#endif
