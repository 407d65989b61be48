/*
 * args.c - the ordo command's strict reading of its arguments.
 *
 * Every command names the flags it takes; anything else is bad usage (exit
 * 2) with a message that names what is wrong and, when a flag was
 * misspelled, the closest flag the command takes. Nothing a caller writes
 * is silently ignored: a flag the command does not take, a flag given
 * twice, an abbreviated flag ("--rol" for "--role", which getopt_long
 * would accept) and a flag without its value are all refused. "--name=x"
 * and "--name x" are the same; "--" ends the flags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channels/json_fields.h"
#include "cli/cli.h"

static const struct {
	const char *name;
	unsigned flag;
	const char *value; /* what the value is, for messages */
} cli_flags[] = {
	{"db", CLI_F_DB, "PATH|URL"},
	{"listen", CLI_F_LISTEN, "HOST:PORT"},
	{"role", CLI_F_ROLE, "ROLE"},
	{"name", CLI_F_NAME, "NAME"},
	{"webhook-timeout-ms", CLI_F_WEBHOOK_TIMEOUT, "N"},
	{"db-pool", CLI_F_DB_POOL, "N"},
	{"to", CLI_F_TO, "VALUE"},
	{"tenant", CLI_F_TENANT, "SLUG"},
	{"policy", CLI_F_POLICY, "FILE"},
	{"from", CLI_F_FROM, "TIME"},
	{"webhook-allow", CLI_F_WEBHOOK_ALLOW, "CIDR,..."},
	{"clock-file", CLI_F_CLOCK_FILE, "PATH"},
	{"max-queued-writes", CLI_F_MAX_QUEUED, "N"},
	{"db-writers", CLI_F_DB_WRITERS, "N"},
	{"map", CLI_F_MAP, "FILE"},
	{"channel", CLI_F_CHANNEL, "NAME"},
	{"rate-per-key", CLI_F_RATE_PER_KEY, "N"},
	{"rate-per-address", CLI_F_RATE_PER_ADDRESS, "N"},
	{"location", CLI_F_LOCATION, "CODE"},
	{"web", CLI_F_WEB, "DIR"},
	{"trusted-proxies", CLI_F_TRUSTED_PROXIES, "CIDR,..."},
};

#define N_FLAGS (sizeof(cli_flags) / sizeof(cli_flags[0]))

const char *cli_closest(const char *given, const char *const *names,
			size_t n)
{
	const char *list[64];
	size_t i, len = strlen(given);

	for (i = 0; i < n && i + 1 < sizeof(list) / sizeof(list[0]); i++) {
		/* A prefix ("--rol") is a slip too, not only a near miss. */
		if (len >= 2 && strncmp(names[i], given, len) == 0)
			return names[i];
		list[i] = names[i];
	}
	list[i] = NULL;
	return jf_closest(given, list);
}

/* Where o keeps the value of flag (one CLI_F_*). */
static const char **slot(struct cli_opts *o, unsigned flag)
{
	switch (flag) {
	case CLI_F_DB:
		return &o->db;
	case CLI_F_LISTEN:
		return &o->listen;
	case CLI_F_ROLE:
		return &o->role;
	case CLI_F_NAME:
		return &o->name;
	case CLI_F_WEBHOOK_TIMEOUT:
		return &o->webhook_timeout;
	case CLI_F_DB_POOL:
		return &o->db_pool;
	case CLI_F_TO:
		return &o->to;
	case CLI_F_TENANT:
		return &o->tenant;
	case CLI_F_POLICY:
		return &o->policy;
	case CLI_F_WEBHOOK_ALLOW:
		return &o->webhook_allow;
	case CLI_F_CLOCK_FILE:
		return &o->clock_file;
	case CLI_F_MAX_QUEUED:
		return &o->max_queued;
	case CLI_F_DB_WRITERS:
		return &o->db_writers;
	case CLI_F_MAP:
		return &o->map;
	case CLI_F_CHANNEL:
		return &o->channel;
	case CLI_F_RATE_PER_KEY:
		return &o->rate_per_key;
	case CLI_F_RATE_PER_ADDRESS:
		return &o->rate_per_address;
	case CLI_F_LOCATION:
		return &o->location;
	case CLI_F_WEB:
		return &o->web;
	case CLI_F_TRUSTED_PROXIES:
		return &o->trusted_proxies;
	default:
		return &o->from;
	}
}

static int unknown_flag(const char *cmd, unsigned takes, const char *arg,
			const char *name)
{
	const char *names[N_FLAGS + 1];
	const char *near;
	size_t i, n = 0;

	for (i = 0; i < N_FLAGS; i++)
		if (takes & cli_flags[i].flag)
			names[n++] = cli_flags[i].name;
	names[n++] = "help";
	near = cli_closest(name, names, n);
	if (near)
		return cli_usage_error(cmd, "unknown option \"%s\"; did you "
				       "mean --%s?",
				       arg, near);
	for (i = 0; i < N_FLAGS; i++)
		if (strcmp(cli_flags[i].name, name) == 0)
			return cli_usage_error(cmd, "ordo %s does not take "
					       "--%s",
					       cmd, name);
	return cli_usage_error(cmd, "unknown option \"%s\"", arg);
}

int cli_parse(const char *cmd, unsigned takes, int argc, char **argv,
	      struct cli_opts *o)
{
	bool flags_done = false;
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *eq, *value = NULL;
		char name[64];
		size_t k, len;

		if (flags_done || arg[0] != '-' || strcmp(arg, "-") == 0) {
			if (o->n_args >= (int)(sizeof(o->args) /
					       sizeof(o->args[0])))
				return cli_usage_error(cmd, "too many "
						       "arguments, from "
						       "\"%s\"",
						       arg);
			o->args[o->n_args++] = argv[i];
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			flags_done = true;
			continue;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			o->help = true;
			continue;
		}
		if (arg[1] != '-')
			return unknown_flag(cmd, takes, arg, arg + 1);
		eq = strchr(arg, '=');
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		if (len >= sizeof(name))
			return cli_usage_error(cmd, "unknown option \"%.64s\"",
					       arg);
		memcpy(name, arg + 2, len);
		name[len] = '\0';
		for (k = 0; k < N_FLAGS; k++)
			if ((takes & cli_flags[k].flag) &&
			    strcmp(cli_flags[k].name, name) == 0)
				break;
		if (k == N_FLAGS)
			return unknown_flag(cmd, takes, arg, name);
		if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2)) {
			value = argv[++i];
		}
		/* A value that looks like the next flag means the value was
		 * left out ("--listen --db x"). */
		if (!value || !value[0])
			return cli_usage_error(cmd, "--%s needs a value (%s)",
					       name, cli_flags[k].value);
		if (o->given & cli_flags[k].flag)
			return cli_usage_error(cmd, "--%s is given twice",
					       name);
		o->given |= cli_flags[k].flag;
		*slot(o, cli_flags[k].flag) = value;
	}
	return 0;
}

int cli_parse_long(const char *cmd, const char *flag, const char *value,
		   long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(value, &end, 10);
	if (errno || end == value || *end || v < min || v > max)
		return cli_usage_error(cmd, "--%s takes a whole number from "
				       "%ld to %ld, not \"%s\"",
				       flag, min, max, value);
	*out = v;
	return 0;
}
