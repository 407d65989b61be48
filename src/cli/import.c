/*
 * import.c - ordo import csv FILE --tenant SLUG [--map FILE]
 * [--channel NAME] [--db PATH|URL]: an order file taken in, as POST
 * /v1/imports takes it, by this process on the database directly; and
 * ordo import x12 FILE --tenant SLUG --channel NAME: a trading partner's
 * EDI file, as POST /v1/channels/{id}/x12 takes it, its 997 printed.
 *
 * The file is read whole, its orders taken in (app/imports.h), a progress
 * line kept on standard error when it is a terminal, and the import
 * printed at the end as JSON on standard output: its counts and every row
 * not taken (line, column, reason). The mapping is --map's JSON file, else
 * the channel's saved one (--channel names a csv channel of the tenant),
 * else ordo's own column names; the orders' channel is --channel's name,
 * else "csv".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/channels.h"
#include "api/server.h"
#include "app/imports.h"
#include "channels/x12.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "log/log.h"

/* The orders' channel when the import names none. */
#define IMPORT_DEFAULT_CHANNEL "csv"

/* Read the whole file at path; NULL (logged) when it cannot be. */
static char *slurp(const char *path, size_t max, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0, got;

	if (!f) {
		log_error("cannot open %s", path);
		return NULL;
	}
	do {
		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			if (cap > max + 1)
				cap = max + 1;
			nb = n == cap ? NULL : realloc(buf, cap + 1);
			if (!nb) {
				log_error("%s is larger than %zu bytes, the "
					  "most an import takes",
					  path, max);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		log_error("cannot read %s", path);
		free(buf);
		buf = NULL;
	} else {
		buf[n] = '\0';
		*len = n;
	}
	fclose(f);
	return buf;
}

/* A bar of the orders dealt with, and the counts so far. */
static void progress(void *ctx, const store_import *im)
{
	char bar[31];
	int64_t total = im->orders_total, done = im->orders_done;
	int filled = total > 0 ? (int)(done * 30 / total) : 0, i;

	(void)ctx;
	for (i = 0; i < 30; i++)
		bar[i] = i < filled ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr,
		"\r[%s] %lld of %lld orders: %lld taken, %lld already "
		"there, %lld refused",
		bar, (long long)done, (long long)total,
		(long long)im->orders_taken, (long long)im->orders_existing,
		(long long)im->orders_refused);
	fflush(stderr);
}

/* The tenant's caller, and the csv channel's mapping when named. */
static ordo_code import_setup(store *st, const char *tenant,
			      const char *channel, channel_kind kind,
			      app_caller *caller, ordo_channel *ch,
			      ordo_err *err)
{
	store_tx *tx;
	store_tenant t;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_tenant_by_slug(tx, tenant, &t, err);
	if (rc == ORDO_OK) {
		memset(caller, 0, sizeof(*caller));
		caller->tenant_id = t.id;
		ordo_strlcpy(caller->tenant_slug, t.slug,
			     sizeof(caller->tenant_slug));
		caller->role = ROLE_ADMIN;
		ordo_strlcpy(caller->actor, "cli", sizeof(caller->actor));
	}
	if (rc == ORDO_OK && channel) {
		rc = store_channel_by_name(tx, t.id, channel, ch, err);
		if (rc == ORDO_OK && ch->kind != kind)
			rc = ordo_err_set(err, ORDO_EINVALID, "channel",
					  "channel %s is a %s channel, not a "
					  "%s one",
					  channel, channel_kind_name(ch->kind),
					  channel_kind_name(kind));
	}
	store_read_end(tx);
	return rc;
}

/* ordo import x12 FILE --tenant SLUG --channel NAME: the 997 on stdout. */
static int import_x12(const struct cli_opts *o)
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_x12_result res = {0};
	ordo_channel ch;
	app_caller caller;
	char *buf;
	size_t len = 0;
	store *st;
	int rc = CLI_OK;

	if (o->map)
		return cli_usage_error("import", "--map is for csv files");
	if (!o->channel)
		return cli_usage_error("import", "an x12 file comes through a "
				       "trading partner's channel: --channel "
				       "NAME is required");
	buf = slurp(o->args[1], X12_MAX_FILE_BYTES, &len);
	if (!buf)
		return CLI_FAIL;
	if (cli_need_db(o->db) != CLI_OK) {
		free(buf);
		return CLI_FAIL;
	}
	st = cli_open_store(o->db, 1, 1);
	if (!st) {
		free(buf);
		return CLI_FAIL;
	}
	channel_init(&ch);
	if (import_setup(st, o->tenant, o->channel, CHANNEL_X12, &caller, &ch,
			 err) == ORDO_OK &&
	    app_x12_take(st, &caller, &ch, cli_clock, buf, len, &res, err) ==
		    ORDO_OK) {
		fwrite(res.ack, 1, res.ack_len, stdout);
		log_event("info", "interchanges read",
			  json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				    "interchanges",
				    (json_int_t)res.interchanges,
				    "interchanges_seen",
				    (json_int_t)res.interchanges_seen,
				    "orders_taken",
				    (json_int_t)res.orders_taken,
				    "orders_existing",
				    (json_int_t)res.orders_existing,
				    "orders_refused",
				    (json_int_t)res.orders_refused,
				    "shipments_taken",
				    (json_int_t)res.shipments_taken,
				    "shipments_existing",
				    (json_int_t)res.shipments_existing,
				    "shipments_refused",
				    (json_int_t)res.shipments_refused));
	}
	if (err->code != ORDO_OK)
		rc = cli_fail(err);
	ordo_err_clear(err);
	free(res.ack);
	channel_free(&ch);
	free(buf);
	store_close(st);
	return rc;
}

int cmd_import(int argc, char **argv)
{
	struct cli_opts o = {0};
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	app_import_watch watch = {0};
	ordo_channel ch;
	app_caller caller;
	store_import im = {0};
	csv_map map;
	char *buf = NULL, *map_text = NULL;
	size_t len = 0, map_len = 0;
	store *st = NULL;
	int rc;

	rc = cli_parse_opts("import",
			CLI_F_DB | CLI_F_TENANT | CLI_F_MAP | CLI_F_CHANNEL,
			argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo import csv FILE --tenant SLUG [--map FILE] "
		       "[--channel NAME] [--db PATH|URL]\n"
		       "       ordo import x12 FILE --tenant SLUG --channel "
		       "NAME [--db PATH|URL]\n\n"
		       "Take in the orders of a CSV file, one row per order "
		       "line, as POST /v1/imports\ntakes them, and print the "
		       "import as JSON: its counts and every row not\ntaken "
		       "(line, column, reason). Importing a file again takes "
		       "no order twice.\n"
		       "  --map FILE      the column mapping, a JSON object "
		       "(README, Channels)\n"
		       "  --channel NAME  a csv channel of the tenant's: the "
		       "orders' channel, and its\n"
		       "                  saved mapping unless --map "
		       "(default channel: %s)\n"
		       "An x12 file (EDI interchanges) comes through a trading "
		       "partner's x12\nchannel, as POST /v1/channels/{id}/x12 "
		       "takes it: its 850s become orders\nand the 997 that "
		       "answers each interchange is printed.\n"
		       "  --db PATH|URL   SQLite file (default ./%s) or "
		       "postgres://... URL\n",
		       IMPORT_DEFAULT_CHANNEL, CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args >= 1 && strcmp(o.args[0], "csv") != 0 &&
	    strcmp(o.args[0], "x12") != 0)
		return cli_usage_error("import",
				       "\"%s\" is not a kind of file ordo "
				       "imports; one of: csv, x12",
				       o.args[0]);
	if (o.n_args != 2)
		return cli_usage_error("import", "name the kind and the file: "
				       "ordo import csv|x12 FILE");
	if (!o.tenant)
		return cli_usage_error("import", "--tenant is required");
	if (strcmp(o.args[0], "x12") == 0)
		return import_x12(&o);
	csv_map_init(&map);
	channel_init(&ch);
	if (o.map) {
		map_text = slurp(o.map, ORDO_CSV_MAP_MAX, &map_len);
		if (!map_text)
			return CLI_FAIL;
		if (csv_map_parse(map_text, map_len, &map, err) != ORDO_OK) {
			free(map_text);
			return cli_fail(err);
		}
		free(map_text);
	}
	buf = slurp(o.args[1], CSV_MAX_FILE_BYTES, &len);
	if (!buf)
		return CLI_FAIL;
	if (cli_need_db(o.db) != CLI_OK) {
		free(buf);
		return CLI_FAIL;
	}
	st = cli_open_store(o.db, 1, 1);
	if (!st) {
		free(buf);
		return CLI_FAIL;
	}
	rc = CLI_OK;
	if (import_setup(st, o.tenant, o.channel, CHANNEL_CSV, &caller, &ch,
			 err) ==
		    ORDO_OK &&
	    !o.map && ch.csv_map[0])
		csv_map_parse(ch.csv_map, strlen(ch.csv_map), &map, err);
	if (err->code == ORDO_OK)
		app_import_begin(st, &caller,
				 o.channel ? o.channel : IMPORT_DEFAULT_CHANNEL,
				 o.args[1], ordo_clock_now(cli_clock), &im,
				 err);
	if (err->code == ORDO_OK) {
		if (isatty(STDERR_FILENO))
			watch.progress = progress;
		app_import_csv(st, &caller, o.channel ? &ch : NULL, cli_clock,
			       &im, buf, len, &map, &watch, err);
		if (watch.progress)
			fputc('\n', stderr);
	}
	if (im.seq) {
		/* The whole report, read back as the API gives it. */
		import_problem *p = NULL;
		size_t n = 0;
		ordo_err rerr = ORDO_ERR_INIT;
		json_t *j;
		char *text;

		app_import_problems(st, &caller, im.id, 0, INT32_MAX, &im, &p,
				    &n, &rerr);
		j = api_import_json(&im, true, p, n, 0);
		text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (text)
			printf("%s\n", text);
		free(text);
		json_decref(j);
		free(p);
		ordo_err_clear(&rerr);
	}
	if (err->code != ORDO_OK)
		rc = cli_fail(err);
	ordo_err_clear(err);
	channel_free(&ch);
	free(buf);
	store_close(st);
	return rc;
}
