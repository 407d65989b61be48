/*
 * commands.c - ordo serve, migrate, tenant create and key create.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log/log.h"
#include "api/server.h"
#include "app/caller.h"
#include "app/tenants.h"
#include "channels/json_fields.h"
#include "core/timeutil.h"
#include "cli/cli.h"
#include "outbox/worker.h"

int cli_parse_opts(const char *cmd, unsigned takes, int argc, char **argv,
		   struct cli_opts *o)
{
	int rc = cli_parse(cmd, takes, argc, argv, o);

	if (rc)
		return rc;
	if (!o->db)
		o->db = CLI_DEFAULT_DB;
	if (!o->listen)
		o->listen = CLI_DEFAULT_LISTEN;
	return 0;
}

/*
 * Open the store at o->db with `pool` read connections, run fn on it, and
 * report its failure: the exit code of a command that does one thing. Only
 * a command that `creates` a database may be pointed at one not there.
 */
static int with_store(const struct cli_opts *o, int pool, bool creates,
		      ordo_code (*fn)(store *st, const struct cli_opts *o,
				      ordo_err *err))
{
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store *st;
	int rc = CLI_OK;

	if (!creates && cli_need_db(o->db) != CLI_OK)
		return CLI_FAIL;
	st = cli_open_store(o->db, pool, 1);
	if (!st)
		return CLI_FAIL;
	if (fn(st, o, err) != ORDO_OK)
		rc = cli_fail(err);
	ordo_err_clear(err);
	store_close(st);
	return rc;
}

/* A --flag (or the environment's variable) of CIDRs into *list; bad usage,
 * naming what is wrong, when it is no list of them. */
static int cidrs_parse(const char *flag, const char *text, netaddr_list *list)
{
	char bad[NETADDR_TEXT_MAX];

	if (netaddr_list_parse(text ? text : "", list, bad, sizeof(bad)) == 0)
		return CLI_OK;
	return cli_usage_error("serve",
			       "%s: \"%s\" is not an IPv4 or IPv6 CIDR (such "
			       "as 10.0.0.0/8 or fd00::/8), or more than %d "
			       "were given",
			       flag, bad, NETADDR_LIST_MAX);
}

int cmd_serve(int argc, char **argv)
{
	struct cli_opts o = {0};
	long timeout_ms = CLI_DEFAULT_WEBHOOK_TIMEOUT_MS;
	long pool = CLI_DEFAULT_DB_POOL;
	long writers = 0; /* the backend's own */
	long max_queued = 0; /* the server's default */
	long rate_per_key = 0; /* the server's default */
	long rate_per_address = 0; /* the server's default */
	netaddr_list proxies;
	store *st;
	int rc;

	rc = cli_parse_opts("serve",
			CLI_F_DB | CLI_F_LISTEN | CLI_F_DB_POOL |
				CLI_F_DB_WRITERS | CLI_F_WEBHOOK_TIMEOUT | CLI_F_WEBHOOK_ALLOW |
				CLI_F_CLOCK_FILE | CLI_F_MAX_QUEUED |
				CLI_F_RATE_PER_KEY | CLI_F_RATE_PER_ADDRESS |
				CLI_F_WEB | CLI_F_TRUSTED_PROXIES,
			argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo serve [--db PATH|URL] [--listen HOST:PORT] "
		       "[--db-pool N] [--db-writers N]\n"
		       "                  [--webhook-timeout-ms N] "
		       "[--webhook-allow CIDR,...]\n"
		       "                  [--max-queued-writes N] "
		       "[--rate-per-key N]\n"
		       "                  [--rate-per-address N] [--web DIR]\n"
		       "                  [--trusted-proxies CIDR,...]\n\n"
		       "Apply migrations, serve the HTTP API and deliver "
		       "webhooks.\n"
		       "  --db PATH|URL           SQLite file (default ./%s) or "
		       "postgres://... URL\n"
		       "  --listen HOST:PORT      host name or address to bind "
		       "(default %s)\n"
		       "  --db-pool N             read connections to the "
		       "database (1 to %d,\n"
		       "                          default %d; writes take "
		       "--db-writers + 1 more,\n"
		       "                          webhooks 1)\n"
		       "  --db-writers N          batches written at once "
		       "(PostgreSQL: 1 to %d,\n"
		       "                          default %d, plus one "
		       "committing; SQLite: 1)\n"
		       "  --webhook-timeout-ms N  time a webhook receiver has "
		       "to answer\n"
		       "                          (100 to 60000, default "
		       "%d)\n"
		       "  --webhook-allow CIDR,...  internal address ranges "
		       "webhooks may\n"
		       "                          go to (loopback, private ... "
		       "are refused\n"
		       "                          otherwise); default: "
		       "$ORDO_WEBHOOK_ALLOW\n"
		       "  --max-queued-writes N   writes taken in before their "
		       "commit (1 to %d,\n"
		       "                          default %d); more are "
		       "answered 503\n"
		       "  --rate-per-key N        requests a second each API "
		       "key may make\n"
		       "                          (1 to %d, default %d); "
		       "more are answered 429\n"
		       "  --rate-per-address N    requests a second each "
		       "client address may make\n"
		       "                          (1 to %d, default %d); "
		       "more are answered 429\n"
		       "  --web DIR               the console's files, served "
		       "at /\n"
		       "                          (default %s)\n"
		       "  --trusted-proxies CIDR,...  the proxies in front "
		       "of ordo: a request\n"
		       "                          from one is from the "
		       "address its\n"
		       "                          X-Forwarded-For names "
		       "(default: none)\n",
		       CLI_DEFAULT_DB, CLI_DEFAULT_LISTEN, CLI_MAX_DB_POOL,
		       CLI_DEFAULT_DB_POOL, STORE_WRITERS_MAX, STORE_WRITERS_PG,
		       CLI_DEFAULT_WEBHOOK_TIMEOUT_MS,
		       ORDO_QUEUED_WRITES_MAX, ORDO_QUEUED_WRITES_DEFAULT,
		       ORDO_RATE_PER_KEY_MAX, ORDO_RATE_PER_KEY_DEFAULT,
		       ORDO_RATE_PER_ADDRESS_MAX, ORDO_RATE_PER_ADDRESS_DEFAULT,
		       CLI_DEFAULT_WEB);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("serve", "unexpected argument \"%s\"",
				       o.args[0]);
	if (o.db_pool && cli_parse_long("serve", "db-pool", o.db_pool, 1,
					CLI_MAX_DB_POOL, &pool))
		return CLI_USAGE;
	if (o.db_writers && cli_parse_long("serve", "db-writers", o.db_writers,
					   1, STORE_WRITERS_MAX, &writers))
		return CLI_USAGE;
	/* SQLite is any --db that is not a database server's URL. */
	if (writers > 1 && !(o.db && strstr(o.db, "://")))
		return cli_usage_error("serve",
				       "--db-writers %ld: SQLite writes one "
				       "transaction at a time, so it takes 1; "
				       "more writers need a postgres:// --db",
				       writers);
	if (o.webhook_timeout &&
	    cli_parse_long("serve", "webhook-timeout-ms", o.webhook_timeout,
			   CLI_WEBHOOK_TIMEOUT_MIN_MS, CLI_WEBHOOK_TIMEOUT_MAX_MS,
			   &timeout_ms))
		return CLI_USAGE;
	if (o.max_queued &&
	    cli_parse_long("serve", "max-queued-writes", o.max_queued, 1,
			   ORDO_QUEUED_WRITES_MAX, &max_queued))
		return CLI_USAGE;
	if (o.rate_per_key &&
	    cli_parse_long("serve", "rate-per-key", o.rate_per_key, 1,
			   ORDO_RATE_PER_KEY_MAX, &rate_per_key))
		return CLI_USAGE;
	if (o.rate_per_address &&
	    cli_parse_long("serve", "rate-per-address", o.rate_per_address, 1,
			   ORDO_RATE_PER_ADDRESS_MAX, &rate_per_address))
		return CLI_USAGE;
	if (o.clock_file && cli_clock_file_use(o.clock_file) != CLI_OK)
		return CLI_USAGE;
	{
		/* The flag wins over the environment. */
		const char *allow = o.webhook_allow
					    ? o.webhook_allow
					    : getenv("ORDO_WEBHOOK_ALLOW");
		netaddr_list list;

		if (cidrs_parse(o.webhook_allow ? "--webhook-allow"
						: "ORDO_WEBHOOK_ALLOW",
				allow, &list) != CLI_OK)
			return CLI_USAGE;
		outbox_rules_set(&list);
	}
	if (cidrs_parse("--trusted-proxies", o.trusted_proxies, &proxies) !=
	    CLI_OK)
		return CLI_USAGE;
	/* A bad address or a port in use is found before the database is
	 * touched. */
	rc = cli_check_listen("serve", o.listen);
	if (rc)
		return rc;
	cli_block_stop_signals();
	st = cli_open_store(o.db, (int)pool, (int)writers);
	if (!st)
		return CLI_FAIL;
	{
		api_server_options opts = {
			.max_queued_writes = (int)max_queued,
			.rate_per_key = (int)rate_per_key,
			.rate_per_address = (int)rate_per_address,
			.web_dir = o.web ? o.web : CLI_DEFAULT_WEB,
			.trusted_proxies = &proxies};

		rc = cli_serve_until_signal(st, o.listen, NULL,
					    (int)timeout_ms, &opts);
	}
	store_close(st);
	return rc;
}

static ordo_code migrate_run(store *st, const struct cli_opts *o,
			     ordo_err *err)
{
	int version = 0;
	ordo_code rc = store_schema_version(st, &version, err);

	(void)o;
	if (rc == ORDO_OK)
		printf("schema version %d\n", version);
	return rc;
}

int cmd_migrate(int argc, char **argv)
{
	struct cli_opts o = {0};
	int rc;

	rc = cli_parse_opts("migrate", CLI_F_DB, argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo migrate [--db PATH]\n\n"
		       "Apply every database migration not yet applied.\n"
		       "  --db PATH   database file (default ./%s)\n",
		       CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("migrate", "unexpected argument \"%s\"",
				       o.args[0]);
	return with_store(&o, CLI_DEFAULT_DB_POOL, true, migrate_run);
}

static ordo_code tenant_run(store *st, const struct cli_opts *o,
			    ordo_err *err)
{
	char key[APP_API_KEY_MAX];
	ordo_code rc = app_tenant_create(st, o->args[1],
					 ordo_clock_now(cli_clock), key, err);

	if (rc == ORDO_OK)
		printf("tenant %s created; its admin API key (shown once):\n"
		       "%s\n",
		       o->args[1], key);
	return rc;
}

int cmd_tenant(int argc, char **argv)
{
	struct cli_opts o = {0};
	int rc;

	rc = cli_parse_opts("tenant", CLI_F_DB, argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo tenant create SLUG [--db PATH]\n\n"
		       "Create a tenant and print its first admin API key as "
		       "the last line.\n"
		       "SLUG is 1 to %d of a-z, 0-9 and '-'.\n"
		       "  --db PATH   database file (default ./%s)\n",
		       ORDO_SLUG_MAX - 1, CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args < 1 || strcmp(o.args[0], "create") != 0)
		return cli_usage_error("tenant", "expected 'create SLUG'");
	if (o.n_args != 2)
		return cli_usage_error("tenant", "expected one SLUG after "
				       "'create'");
	return with_store(&o, CLI_DEFAULT_DB_POOL, true, tenant_run);
}

static ordo_code key_run(store *st, const struct cli_opts *o, ordo_err *err)
{
	char key[APP_API_KEY_MAX];
	ordo_code rc = app_key_create(st, o->args[1], o->role, o->name,
				      o->location ? o->location : "",
				      ordo_clock_now(cli_clock), key, err);

	if (rc == ORDO_OK && o->location)
		printf("%s key \"%s\" for location %s created for tenant %s "
		       "(shown once):\n%s\n",
		       o->role, o->name, o->location, o->args[1], key);
	else if (rc == ORDO_OK)
		printf("%s key \"%s\" created for tenant %s (shown once):\n"
		       "%s\n",
		       o->role, o->name, o->args[1], key);
	return rc;
}

static ordo_code key_list_run(store *st, const struct cli_opts *o,
			      ordo_err *err)
{
	store_api_key *keys = NULL;
	app_caller c;
	size_t n = 0, i;
	ordo_code rc = cli_tenant_caller(st, o->args[1], &c, err);

	if (rc == ORDO_OK)
		rc = app_key_list(st, &c, &keys, &n, err);
	if (rc)
		return rc;
	printf("%-30s %-12s %-20s %-20s %-12s %s\n", "ID", "ROLE", "CREATED",
	       "LAST USED", "LOCATION", "NAME");
	for (i = 0; i < n; i++) {
		char made[32], used[32] = "never";

		time_format_rfc3339(keys[i].created_at, made, sizeof(made));
		if (keys[i].last_used_at)
			time_format_rfc3339(keys[i].last_used_at, used,
					    sizeof(used));
		printf("%-30s %-12s %-20s %-20s %-12s %s\n",
		       keys[i].public_id, keys[i].role, made, used,
		       keys[i].location[0] ? keys[i].location : "-",
		       keys[i].name);
	}
	free(keys);
	return ORDO_OK;
}

/* A revocation or rotation from the command line: the use case in a
 * write of its own. */
struct key_change_job {
	app_caller caller;
	const char *id;
	bool rotate;
	char key[APP_API_KEY_MAX];
	char key_hash[65];
	ordo_time now;
	store_api_key out;
};

static ordo_code key_change_job_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct key_change_job *j = arg;

	return j->rotate ? app_key_rotate(tx, &j->caller, j->id, j->key_hash,
					  j->now, &j->out, err)
			 : app_key_revoke(tx, &j->caller, j->id, j->now,
					  &j->out, err);
}

static ordo_code key_change_run(store *st, const struct cli_opts *o,
				ordo_err *err)
{
	struct key_change_job j = {.id = o->args[2],
				   .rotate = strcmp(o->args[0], "rotate") == 0,
				   .now = ordo_clock_now(cli_clock)};
	ordo_code rc = cli_tenant_caller(st, o->args[1], &j.caller, err);

	if (rc)
		return rc;
	if (j.rotate)
		app_key_generate(j.key, j.key_hash);
	rc = store_write(st, key_change_job_run, &j, err);
	if (rc == ORDO_OK && j.rotate)
		printf("key %s (\"%s\") of tenant %s rotated; its new key "
		       "(shown once; the old one no longer works):\n%s\n",
		       j.id, j.out.name, o->args[1], j.key);
	else if (rc == ORDO_OK)
		printf("key %s (\"%s\") of tenant %s revoked\n", j.id,
		       j.out.name, o->args[1]);
	sodium_memzero(j.key, sizeof(j.key));
	return rc;
}

int cmd_key(int argc, char **argv)
{
	struct cli_opts o = {0};
	app_role role;
	int rc;

	rc = cli_parse_opts("key", CLI_F_DB | CLI_F_ROLE | CLI_F_NAME |
				    CLI_F_LOCATION,
			    argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo key create SLUG --role ROLE --name NAME "
		       "[--location CODE] [--db PATH|URL]\n"
		       "       ordo key list SLUG [--db PATH|URL]\n"
		       "       ordo key revoke SLUG KEY_ID [--db PATH|URL]\n"
		       "       ordo key rotate SLUG KEY_ID [--db PATH|URL]\n\n"
		       "create: make an API key for tenant SLUG and print it "
		       "as the last line.\n"
		       "list:   the tenant's live keys: id, role, created, "
		       "last used, location, name.\n"
		       "revoke: refuse the key from the next request on.\n"
		       "rotate: give the key a new secret, printed as the "
		       "last line; the old\n"
		       "        one no longer works. Keys are shown once "
		       "and stored hashed.\n"
		       "  --role ROLE  admin, supervisor, agent, integration "
		       "or viewer\n"
		       "  --name NAME  who or what uses the key; events record "
		       "it as the actor\n"
		       "  --location CODE  an integration key's warehouse: it "
		       "answers for that\n"
		       "               location and reads its fulfillments "
		       "alone\n"
		       "  --db PATH    database file (default ./%s) or "
		       "postgres://... URL\n",
		       CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args >= 1 && (strcmp(o.args[0], "list") == 0 ||
			      strcmp(o.args[0], "revoke") == 0 ||
			      strcmp(o.args[0], "rotate") == 0)) {
		bool list = strcmp(o.args[0], "list") == 0;

		if (o.n_args != (list ? 2 : 3))
			return cli_usage_error("key", list
					       ? "expected 'list SLUG'"
					       : "expected '%s SLUG KEY_ID'",
					       o.args[0]);
		if (o.role || o.name || o.location)
			return cli_usage_error("key", "--role, --name and "
					       "--location are for 'create' "
					       "only");
		return with_store(&o, CLI_DEFAULT_DB_POOL, false,
				  list ? key_list_run : key_change_run);
	}
	if (o.n_args < 1 || strcmp(o.args[0], "create") != 0)
		return cli_usage_error("key", "expected 'create SLUG', 'list "
				       "SLUG', 'revoke SLUG KEY_ID' or 'rotate "
				       "SLUG KEY_ID'");
	if (o.n_args != 2)
		return cli_usage_error("key", "expected one SLUG after "
				       "'create'");
	if (!o.role)
		return cli_usage_error("key", "--role is required");
	if (!o.name)
		return cli_usage_error("key", "--name is required");
	if (app_role_parse(o.role, &role) != 0) {
		char list[JF_LIST_MAX];

		JF_ENUM_LIST(list, sizeof(list), app_role_name,
			     APP_ROLE_COUNT);
		return cli_usage_error("key", "--role \"%s\" is not a role; "
				       "one of: %s",
				       o.role, list);
	}
	return with_store(&o, CLI_DEFAULT_DB_POOL, false, key_run);
}

static ordo_code backup_run(store *st, const struct cli_opts *o,
			    ordo_err *err)
{
	ordo_code rc = store_backup(st, o->to, err);

	if (rc == ORDO_OK)
		printf("backed up %s to %s\n", o->db, o->to);
	return rc;
}

int cmd_backup(int argc, char **argv)
{
	struct cli_opts o = {0};
	int rc;

	rc = cli_parse_opts("backup", CLI_F_DB | CLI_F_TO, argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo backup --to FILE [--db PATH]\n\n"
		       "Copy a SQLite database, while ordo serves it, to a "
		       "new file.\n"
		       "The copy is a complete database: restore by serving "
		       "it (stop ordo,\nput the copy in place of the file, "
		       "start ordo). PostgreSQL databases\nare backed up "
		       "with pg_dump; see docs/operations.md.\n"
		       "  --to FILE   the new file (must not exist)\n"
		       "  --db PATH   database file (default ./%s)\n",
		       CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("backup", "unexpected argument \"%s\"",
				       o.args[0]);
	if (!o.to)
		return cli_usage_error("backup", "--to FILE is required");
	return with_store(&o, 1, false, backup_run);
}

ordo_code cli_tenant_caller(store *st, const char *slug, app_caller *caller,
			    ordo_err *err)
{
	store_tenant t;
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	memset(caller, 0, sizeof(*caller));
	if (rc)
		return rc;
	rc = store_tenant_by_slug(tx, slug, &t, err);
	store_read_end(tx);
	if (rc)
		return rc;
	caller->tenant_id = t.id;
	ordo_strlcpy(caller->tenant_slug, t.slug, sizeof(caller->tenant_slug));
	ordo_strlcpy(caller->actor, "cli", sizeof(caller->actor));
	return ORDO_OK;
}

int cmd_simulate(int argc, char **argv)
{
	struct cli_opts o = {0};
	const char *db, *tenant, *file;
	int64_t from = 0, to = 0;
	json_error_t jerr;
	json_t *doc = NULL, *answer = NULL;
	app_caller caller;
	ordo_err err_buf = ORDO_ERR_INIT, *err = &err_buf;
	store *st;
	char *text;
	int rc;

	rc = cli_parse_opts("simulate",
			CLI_F_DB | CLI_F_TENANT | CLI_F_POLICY | CLI_F_FROM |
				CLI_F_TO,
			argc, argv, &o);
	if (rc)
		return rc;
	if (o.help) {
		printf("usage: ordo simulate --tenant SLUG --policy FILE "
		       "[--from TIME] [--to TIME] [--db PATH|URL]\n\n"
		       "Replay a candidate review policy (a JSON file "
		       "{\"rules\": [...]}) and the\nactive one over "
		       "the tenant's orders received in [from, to), "
		       "and print\nwhat each would have held, as JSON. "
		       "Writes nothing.\n"
		       "  --from, --to TIME  RFC 3339 times (default: all "
		       "orders)\n"
		       "  --db PATH|URL      SQLite file (default ./%s) or "
		       "postgres://... URL\n",
		       CLI_DEFAULT_DB);
		return CLI_OK;
	}
	if (o.n_args)
		return cli_usage_error("simulate", "unexpected argument "
				       "\"%s\"",
				       o.args[0]);
	if (!o.tenant || !o.policy)
		return cli_usage_error("simulate",
				       "--tenant and --policy are required");
	if (o.from && time_parse_rfc3339(o.from, &from) != 0)
		return cli_usage_error("simulate", "--from takes an RFC 3339 "
				       "time, not \"%s\"",
				       o.from);
	if (o.to && time_parse_rfc3339(o.to, &to) != 0)
		return cli_usage_error("simulate", "--to takes an RFC 3339 "
				       "time, not \"%s\"",
				       o.to);
	db = o.db;
	tenant = o.tenant;
	file = o.policy;
	rc = CLI_OK;
	doc = json_load_file(file, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc || !json_is_object(doc)) {
		char msg[512];

		snprintf(msg, sizeof(msg), "policy file %s: %s", file,
			 doc ? "not a JSON object" : jerr.text);
		log_event("error", msg,
			  json_pack("{s:s, s:s, s:i}", "code", "invalid",
				    "file", file, "line", jerr.line));
		json_decref(doc);
		return CLI_FAIL;
	}
	if (cli_need_db(db) != CLI_OK) {
		json_decref(doc);
		return CLI_FAIL;
	}
	st = cli_open_store(db, 1, 1);
	if (!st) {
		json_decref(doc);
		return CLI_FAIL;
	}
	cli_tenant_caller(st, tenant, &caller, err);
	if (err->code == ORDO_OK)
		api_simulate(st, &caller, doc, from, to, &answer, err);
	if (err->code != ORDO_OK) {
		rc = cli_fail(err);
	} else {
		text = json_dumps(answer, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
						  JSON_REAL_PRECISION(6));
		if (text)
			printf("%s\n", text);
		free(text);
	}
	json_decref(answer);
	json_decref(doc);
	ordo_err_clear(err);
	store_close(st);
	return rc;
}
