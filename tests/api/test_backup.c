/*
 * test_backup.c - backup and restore as docs/operations.md tells them.
 *
 *   SQLite      `ordo backup --to FILE` while the server takes orders; a
 *               node started on the copy serves every order it holds,
 *               each with its lines adding up
 *   PostgreSQL  `ordo backup` points to pg_dump; pg_dump -Fc, then
 *               pg_restore into a new database, and a node on it serves
 *               the orders
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define PRICE "10.00"

static bool on_postgres(void)
{
	const char *db = getenv("ORDO_TEST_DB");

	return db && strncmp(db, "postgres", 8) == 0;
}

static const char *acme(void)
{
	return srv->key_acme;
}

static void place(const char *prefix, int n)
{
	char ext[48];
	int i;

	for (i = 0; i < n; i++) {
		json_t *o;
		char *id;

		snprintf(ext, sizeof(ext), "%s-%d", prefix, i);
		o = order_one_line(ext, "BK-1", 1, PRICE);
		id = order_create(acme(), o);
		free(id);
		json_decref(o);
	}
}

static void *place_during_backup(void *arg)
{
	(void)arg;
	place("BK-DURING", 20);
	return NULL;
}

/* Every order the node on the copy holds reads back whole. */
static size_t check_copy(const struct ordo_node *n)
{
	char path[480], cursor[300] = "";
	size_t count = 0;

	for (;;) {
		struct resp *r;
		json_t *orders, *o;
		size_t i;

		snprintf(path, sizeof(path), "/v1/orders?limit=100%s%s",
			 cursor[0] ? "&cursor=" : "", cursor);
		r = http_at(n->base_url, "GET", path, acme(), NULL, 0, NULL);
		assert_status(r, 200);
		orders = json_object_get(r->json, "orders");
		json_array_foreach(orders, i, o) {
			assert_line_identity(o);
			count++;
		}
		if (json_is_null(json_object_get(r->json, "next_cursor"))) {
			resp_free(r);
			break;
		}
		snprintf(cursor, sizeof(cursor), "%s",
			 jstr(r->json, "next_cursor"));
		resp_free(r);
	}
	return count;
}

API_TEST(sqlite_online_backup_and_restore)
{
	char copy[160];
	const char *args[] = {"backup", "--db", srv->db_path, "--to", copy,
			      NULL};
	struct cli_result cr;
	struct ordo_node n;
	pthread_t writer;
	size_t before, in_copy;

	if (on_postgres())
		skip();
	make_sku(acme(), "BK-1", "Backed-up widget", PRICE, 1);
	make_location_serving(acme(), "BK-WH", 1, NULL);
	set_stock(acme(), "BK-WH", "BK-1", 1000);
	place("BK-BEFORE", 10);
	before = orders_count(acme(), "");
	snprintf(copy, sizeof(copy), "%s/copy.db", srv->dir);

	/* Orders keep arriving while the copy is made. */
	pthread_create(&writer, NULL, place_during_backup, NULL);
	cli_run(&cr, args);
	pthread_join(writer, NULL);
	check(cr.exit_status == 0, "ordo backup failed: %s", cr.err);
	cli_result_free(&cr);

	/* A second backup to the same file is refused, not overwritten. */
	cli_run(&cr, args);
	check(cr.exit_status == 1 && strstr(cr.err, "exists"),
	      "backing up onto an existing file must fail: %d %s",
	      cr.exit_status, cr.err);
	cli_result_free(&cr);

	assert_int_equal(harness_node_start(&n, copy), 0);
	in_copy = check_copy(&n);
	check(in_copy >= before && in_copy <= before + 20,
	      "the copy holds %zu orders; the database had %zu before and "
	      "20 more during the backup",
	      in_copy, before);
	check(harness_node_stop(&n) == 0, "the node on the copy failed");
}

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int sh(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

API_TEST(postgres_backup_with_pg_dump_and_restore)
{
	const char *args[] = {"backup", "--db", srv->db_path, "--to",
			      "/tmp/never-written", NULL};
	char dump[160], target[320], name[64], url[320];
	struct cli_result cr;
	struct ordo_node n;
	const char *slash;
	size_t before;

	if (!on_postgres())
		skip();
	cli_run(&cr, args);
	check(cr.exit_status == 1 && strstr(cr.err, "pg_dump"),
	      "ordo backup on PostgreSQL must point to pg_dump: %d %s",
	      cr.exit_status, cr.err);
	cli_result_free(&cr);

	make_sku(acme(), "BK-1", "Backed-up widget", PRICE, 1);
	make_location_serving(acme(), "BK-WH", 1, NULL);
	set_stock(acme(), "BK-WH", "BK-1", 1000);
	place("BK-PG", 10);
	before = orders_count(acme(), "");

	/* As docs/operations.md says. */
	snprintf(dump, sizeof(dump), "%s/ordo.dump", srv->dir);
	check(sh("pg_dump -Fc -f '%s' '%s'", dump, srv->db_path) == 0,
	      "pg_dump failed");
	snprintf(name, sizeof(name), "ordo_restore_%ld", (long)getpid());
	slash = strrchr(srv->db_path, '/');
	snprintf(url, sizeof(url), "%.*s/postgres",
		 (int)(slash - srv->db_path), srv->db_path);
	snprintf(target, sizeof(target), "CREATE DATABASE %s", name);
	check(sh("psql -X -q '%s' -c '%s' >/dev/null", url, target) == 0,
	      "createdb failed");
	snprintf(target, sizeof(target), "%.*s/%s",
		 (int)(slash - srv->db_path), srv->db_path, name);
	check(sh("pg_restore --no-owner -d '%s' '%s'", target, dump) == 0,
	      "pg_restore failed");

	assert_int_equal(harness_node_start(&n, target), 0);
	check(check_copy(&n) == before, "the restored database must hold the "
	      "%zu orders", before);
	check(harness_node_stop(&n) == 0, "the node on the restore failed");
	snprintf(target, sizeof(target), "DROP DATABASE %s WITH (FORCE)",
		 name);
	sh("psql -X -q '%s' -c '%s' >/dev/null", url, target);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sqlite_online_backup_and_restore),
		cmocka_unit_test(postgres_backup_with_pg_dump_and_restore),
	};

	return harness_run_group(tests, harness_group_setup,
				      harness_group_teardown);
}
