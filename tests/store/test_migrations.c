/*
 * test_migrations.c - opening and migrating: a fresh database, bad urls,
 * concurrent migrations, reconnecting after PostgreSQL ends the sessions,
 * and migrating databases made by older schemas (version 1, version 2, and
 * a version-3 database with duplicate key names) up to the current one,
 * and a version-9 database's orders made searchable by migration 10.
 *
 * The tests that open or migrate a database themselves make an empty one
 * with test_store_url() (fixture.c) on the backend chosen by the
 * environment, and drop it again; the others get a fresh, migrated
 * database with tenants A ("acme") and B ("bolt") from setup().
 */
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "fixture.h"

#include "embedded.h"

/* The migrations compiled into the store (test_store_make_v1). */
extern const struct ordo_embedded migrations_sqlite[];
extern const size_t migrations_sqlite_count;
extern const struct ordo_embedded migrations_postgres[];
extern const size_t migrations_postgres_count;

/* How many migrations the store has (versions may skip numbers). */
#define MIGRATIONS ((int)migrations_sqlite_count)

/* ---- migrations ---------------------------------------------------------- */

static void test_migrate(void **state)
{
	struct fx *f = *state;
	int applied = -1, version = -1;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(f->first_applied, MIGRATIONS);
	assert_int_equal(f->first_version, SCHEMA_VERSION);
	assert_int_equal(store_migrate(f->st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(applied, 0);
	assert_int_equal(version, SCHEMA_VERSION);
	assert_int_equal(store_schema_version(f->st, &version, &err), ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);
}

static void test_open_fresh_and_bad_urls(void **state)
{
	struct fx g;
	store_options o = test_opts();
	store *st = NULL;
	int version = -1, applied = -1;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	assert_int_equal(store_open(g.url, &o, &st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(st, &version, &err), ORDO_OK);
	assert_int_equal(version, 0);
	assert_int_equal(store_migrate(st, FX_NOW, &applied, &version, &err), ORDO_OK);
	assert_int_equal(applied, MIGRATIONS);
	assert_int_equal(version, SCHEMA_VERSION);
	store_close(st);
	test_store_drop(&g);

	assert_int_equal(store_open("", &o, &st, &err), ORDO_EINVALID);
	assert_null(st);
	assert_int_equal(store_open("sqlite:", &o, &st, &err), ORDO_EINVALID);
	assert_int_equal(store_open("ftp://x", &o, &st, &err), ORDO_EINVALID);
	assert_int_equal(store_open("/nonexistent-dir/x/ordo.db", &o, &st, &err),
			 ORDO_ESTORAGE);
	assert_null(st);
	/* No server there: refused at once, nothing left open. */
	assert_int_equal(store_open("postgres://127.0.0.1:1/ordo", &o, &st,
				    &err),
			 ORDO_EUNAVAILABLE);
	assert_null(st);
	o.read_pool_size = 0;
	assert_int_equal(store_open(g.url, &o, &st, &err), ORDO_EINVALID);
	assert_string_equal(err.field, "read_pool_size");
}

struct migrate_thread {
	const char *url;
	int applied;
	ordo_code rc;
};

static void *migrate_thread_main(void *arg)
{
	struct migrate_thread *m = arg;
	store_options o = test_opts();
	store *st = NULL;
	ordo_err err = ORDO_ERR_INIT;

	m->rc = store_open(m->url, &o, &st, &err);
	if (m->rc == ORDO_OK)
		m->rc = store_migrate(st, FX_NOW, &m->applied, NULL, &err);
	if (m->rc)
		print_error("migrating: %s\n", err.message);
	store_close(st);
	return NULL;
}

/* Two processes (here: two stores) migrating one fresh database at once
 * apply each script once between them. */
static void test_migrate_concurrently(void **state)
{
	struct migrate_thread m[4];
	pthread_t th[4];
	struct fx g;
	store_options o = test_opts();
	store *st = NULL;
	int i, total = 0, version = -1;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	for (i = 0; i < 4; i++) {
		m[i].url = g.url;
		m[i].applied = 0;
		m[i].rc = ORDO_EINTERNAL;
		assert_int_equal(pthread_create(&th[i], NULL,
						migrate_thread_main, &m[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(m[i].rc, ORDO_OK);
		total += m[i].applied;
	}
	assert_int_equal(total, MIGRATIONS);
	assert_int_equal(store_open(g.url, &o, &st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(st, &version, &err), ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);
	store_close(st);
	test_store_drop(&g);
}

/* ---- lost connections (PostgreSQL) --------------------------------------- */

/* Terminate every session of f's database but the caller's; wait till gone. */
static void test_pg_kill_sessions(struct fx *f)
{
	char sql[PATH_MAX + 256];
	PGconn *c = test_pg_connect(test_pg_url());
	int i;

	snprintf(sql, sizeof(sql),
		 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
		 "WHERE datname = '%s' AND pid <> pg_backend_pid()",
		 f->dir);
	test_pg_exec(c, sql);
	snprintf(sql, sizeof(sql),
		 "SELECT 1 FROM pg_stat_activity WHERE datname = '%s'",
		 f->dir);
	for (i = 0; i < 500; i++) {
		PGresult *res = PQexec(c, sql);
		int n = PQntuples(res);

		PQclear(res);
		if (n == 0)
			break;
		usleep(10000);
	}
	PQfinish(c);
}

/*
 * The server drops every connection (a restart, a failover): a statement in
 * flight fails ORDO_EUNAVAILABLE, and the next transactions reconnect by
 * themselves - reads and writes alike, with no request lost to a connection
 * that died while idle.
 */
static void test_reconnect(void **state)
{
	struct fx *f = *state;
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	if (!test_pg_url())
		skip();
	/* In flight: the snapshot's connection dies under it. */
	tx = rd(f);
	test_pg_kill_sessions(f);
	assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err),
			 ORDO_EUNAVAILABLE);
	store_read_end(tx);
	/* Idle: every pooled reader and the writer are dead now. */
	for (i = 0; i < 8; i++) {
		tx = rd(f);
		assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err),
				 ORDO_OK);
		store_read_end(tx);
	}
	tenant_add(f->st, "after-restart");
	test_pg_kill_sessions(f);
	tenant_add(f->st, "after-second-restart");
	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "after-second-restart", &t,
					      &err),
			 ORDO_OK);
	store_read_end(tx);
}

/* ---- migrating an existing database -------------------------------------- */

/*
 * Make f's database a version-1 database holding one tenant (dup window
 * 600 s) and one location, as ordo 0001 left it. Backend-specific, like
 * test_store_url.
 */
static void test_store_make_v1(struct fx *f)
{
	static const char v1_rows[] =
		"INSERT INTO schema_migrations VALUES (1, 1);"
		"INSERT INTO tenants (slug, dup_window_s, "
		"created_at) VALUES ('old', 600, 1690000000);"
		"INSERT INTO locations VALUES (1, 'OLD1', 'Old', "
		"'', '', '', '', '', '', '', 'US', '', 1, 1, "
		"1690000000);";
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;
	char *msg = NULL;

	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);

		assert_true(migrations_postgres_count >= 1);
		assert_string_equal(migrations_postgres[0].name,
				    "0001_init.sql");
		test_pg_exec(c, (const char *)migrations_postgres[0].data);
		test_pg_exec(c, "CREATE TABLE schema_migrations ("
				" version INTEGER PRIMARY KEY,"
				" applied_at BIGINT NOT NULL)");
		test_pg_exec(c, v1_rows);
		PQfinish(c);
		return;
	}
	snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(migrations_sqlite_count >= 1);
	assert_string_equal(migrations_sqlite[0].name, "0001_init.sql");
	assert_int_equal(sqlite3_exec(db,
				      (const char *)migrations_sqlite[0].data,
				      NULL, NULL, &msg),
			 SQLITE_OK);
	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE schema_migrations ("
			     " version INTEGER PRIMARY KEY,"
			     " applied_at BIGINT NOT NULL);",
			     NULL, NULL, &msg),
		SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, v1_rows, NULL, NULL, &msg),
			 SQLITE_OK);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static void test_migrate_from_v1(void **state)
{
	struct fx g;
	store_options o = test_opts();
	store_tenant t;
	tenant_settings s;
	catalog_location l;
	store_tx *tx;
	int applied = -1, version = -1;
	ordo_err err = ORDO_ERR_INIT;
	int64_t fresh;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	test_store_make_v1(&g);
	assert_int_equal(store_open(g.url, &o, &g.st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(g.st, &version, &err), ORDO_OK);
	assert_int_equal(version, 1);
	assert_int_equal(store_migrate(g.st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(applied, MIGRATIONS - 1);
	assert_int_equal(version, SCHEMA_VERSION);
	fresh = tenant_add(g.st, "fresh");

	tx = NULL;
	assert_int_equal(store_read_begin(g.st, &tx, &err), ORDO_OK);
	assert_int_equal(store_tenant_by_slug(tx, "old", &t, &err), ORDO_OK);
	assert_int_equal(t.created_at, 1690000000);
	/* The old tenant's window moved into its settings... */
	assert_int_equal(store_settings_get(tx, t.id, &s, &err), ORDO_OK);
	assert_int_equal(s.duplicate_window_s, 600);
	assert_int_equal(s.release_sla_s, 14400);
	assert_int_equal(s.closing_period_s, 1209600);
	assert_int_equal(s.webhook_retry_window_s, 259200);
	assert_int_equal(s.low_stock_threshold, 5);
	assert_int_equal(s.bulk_limit, ORDO_BULK_DEFAULT);
	assert_int_equal(s.cutoff_minute, -1);
	assert_int_equal(s.backorder, BACKORDER_KEEP_OPEN);
	assert_int_equal(s.release, RELEASE_AUTO);
	/* ...a new tenant has the defaults... */
	assert_int_equal(store_settings_get(tx, fresh, &s, &err), ORDO_OK);
	assert_int_equal(s.duplicate_window_s, 86400);
	/* ...and an old location serves everywhere. */
	assert_int_equal(store_location_get(tx, t.id, "OLD1", &l, &err),
			 ORDO_OK);
	assert_int_equal(l.n_serves, 0);
	assert_true(l.active);
	store_read_end(tx);
	store_close(g.st);
	test_store_drop(&g);
}

/* ---- migrating a version-2 database -------------------------------------- */

/*
 * Make f's database a version-2 database, as ordo 0002 left it: a tenant
 * with settings, an order with two holds (one open, one resolved) and a
 * keyless order.
 */
static void test_store_make_v2(struct fx *f)
{
	static const char v2_rows[] =
		"INSERT INTO schema_migrations VALUES (1, 1), (2, 2);"
		"INSERT INTO tenants (slug, created_at) "
		"VALUES ('old', 1690000000);"
		"INSERT INTO tenant_settings VALUES (1, 600, 'hold', 'wave', "
		"3600, -1, 7200, 600, 9);"
		"INSERT INTO orders (tenant_id, id, external_id, channel, "
		"placed_at, received_at, updated_at, currency, "
		"customer_external_id, customer_name, customer_email, "
		"customer_phone, ship_to_name, ship_to_company, ship_to_line1, "
		"ship_to_line2, ship_to_city, ship_to_region, "
		"ship_to_postal_code, ship_to_country, ship_to_phone, "
		"has_bill_to, bill_to_name, bill_to_company, bill_to_line1, "
		"bill_to_line2, bill_to_city, bill_to_region, "
		"bill_to_postal_code, bill_to_country, bill_to_phone, "
		"shipping_method, shipping_amount, subtotal, shipping_total, "
		"tax, discount, total, payment_status, notes, state, "
		"fingerprint) VALUES "
		"(1, 'ord_old', 'X1', 'web', 1690000100, 1690000200, "
		"1690000300, 'USD', '', 'Ada', 'Ada.L@Example.COM', '', "
		"'', '', '', '', '', '', '', 'US', '', 0, "
		"'', '', '', '', '', '', '', '', '', "
		"'std', 0, 100, 0, 0, 0, 100, 'paid', '', 'on_hold', 'fp1'),"
		"(1, 'ord_anon', 'X2', 'web', 1690000100, 1690000250, "
		"1690000300, 'USD', '', 'Bob', '', '+1 555', "
		"'', '', '', '', '', '', '', 'US', '', 0, "
		"'', '', '', '', '', '', '', '', '', "
		"'std', 0, 100, 0, 0, 0, 100, 'paid', '', 'accepted', 'fp2');"
		"INSERT INTO holds (id, tenant_id, order_seq, type, status, "
		"field, message, related_order_id, raised_by, created_at, "
		"resolved_at) VALUES "
		"('hld_old1', 1, 1, 'high_value', 'open', 'total', 'big', '', "
		"'validation', 1690000400, 0),"
		"('hld_old2', 1, 1, 'missing_data', 'resolved', 'email', "
		"'none', '', 'validation', 1690000500, 1690000600);";
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;
	char *msg = NULL;
	size_t i;

	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);

		assert_true(migrations_postgres_count >= 2);
		for (i = 0; i < 2; i++)
			test_pg_exec(c,
				     (const char *)migrations_postgres[i].data);
		assert_string_equal(migrations_postgres[1].name,
				    "0002_fulfillment.sql");
		test_pg_exec(c, "CREATE TABLE schema_migrations ("
				" version INTEGER PRIMARY KEY,"
				" applied_at BIGINT NOT NULL)");
		test_pg_exec(c, v2_rows);
		PQfinish(c);
		return;
	}
	snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(migrations_sqlite_count >= 2);
	assert_string_equal(migrations_sqlite[1].name, "0002_fulfillment.sql");
	for (i = 0; i < 2; i++) {
		const char *sql = (const char *)migrations_sqlite[i].data;

		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, &msg),
				 SQLITE_OK);
	}
	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE schema_migrations ("
			     " version INTEGER PRIMARY KEY,"
			     " applied_at BIGINT NOT NULL);",
			     NULL, NULL, &msg),
		SQLITE_OK);
	if (sqlite3_exec(db, v2_rows, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("v2 rows: %s", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static void test_migrate_from_v2(void **state)
{
	struct fx g;
	store_options o = test_opts();
	store_tenant t;
	tenant_settings s, def;
	queue_filter q;
	queue_item *items = NULL;
	order got;
	store_tx *tx;
	int applied = -1, version = -1;
	int64_t orders = -1, defects = -1, mean = -1, n = -1;
	size_t count = 0;
	bool more = true;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	test_store_make_v2(&g);
	assert_int_equal(store_open(g.url, &o, &g.st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(g.st, &version, &err), ORDO_OK);
	assert_int_equal(version, 2);
	assert_int_equal(store_migrate(g.st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(applied, MIGRATIONS - 2);
	assert_int_equal(version, SCHEMA_VERSION);

	tx = NULL;
	assert_int_equal(store_read_begin(g.st, &tx, &err), ORDO_OK);
	assert_int_equal(store_tenant_by_slug(tx, "old", &t, &err), ORDO_OK);

	/* The holds are carried over, due when they were raised. */
	order_init(&got);
	assert_int_equal(store_order_get(tx, t.id, "ord_old", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.n_holds, 2);
	assert_string_equal(got.holds[0].id, "hld_old1");
	assert_int_equal(got.holds[0].type, HOLD_HIGH_VALUE);
	assert_int_equal(got.holds[0].status, HOLD_OPEN);
	assert_string_equal(got.holds[0].message, "big");
	assert_int_equal(got.holds[0].created_at, 1690000400);
	assert_int_equal(got.holds[0].due_at, 1690000400);
	assert_int_equal(got.holds[1].due_at, 1690000500);
	assert_int_equal(got.holds[1].resolved_at, 1690000600);
	/* The new fields have their defaults. */
	assert_string_equal(got.holds[0].rule_id, "");
	assert_int_equal(got.holds[0].policy_version, 0);
	assert_int_equal(got.holds[0].priority, 3);
	assert_string_equal(got.holds[0].assignee, "");
	assert_int_equal(got.holds[0].claimed_at, 0);
	assert_int_equal(got.holds[0].claimed_until, 0);
	assert_false(got.holds[0].escalated);
	assert_string_equal(got.holds[0].resolution, "");
	assert_string_equal(got.holds[0].resolution_reason, "");
	assert_string_equal(got.holds[0].resolved_by, "");
	/* The customer key is the lower-cased email, or none. */
	assert_string_equal(got.customer_key, "ada.l@example.com");
	order_free(&got);
	assert_int_equal(store_order_get(tx, t.id, "ord_anon", &got, &err),
			 ORDO_OK);
	assert_string_equal(got.customer_key, "");
	order_free(&got);

	/* The open hold is in the queue. */
	queue_filter_init(&q, 1700000000, 10);
	assert_int_equal(store_queue_list(tx, t.id, &q, &items, &count, &more,
					  &err),
			 ORDO_OK);
	assert_int_equal(count, 1);
	assert_false(more);
	assert_string_equal(items[0].hold.id, "hld_old1");
	assert_int_equal(items[0].hold.due_at, 1690000400);
	assert_string_equal(items[0].order_id, "ord_old");
	assert_true(items[0].seq > 0);
	free(items);

	/* History by the backfilled key; nothing claimed, nothing timed. */
	assert_int_equal(store_customer_history(tx, t.id, "ada.l@example.com",
						1700000000, INT64_MAX, &orders,
						&defects, &err),
			 ORDO_OK);
	assert_int_equal(orders, 1);
	assert_int_equal(defects, 0);
	assert_int_equal(store_handling_time(tx, t.id, &mean, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);

	/* Saved settings are kept; the hold types have their defaults. */
	settings_defaults(&def);
	assert_int_equal(store_settings_get(tx, t.id, &s, &err), ORDO_OK);
	assert_int_equal(s.duplicate_window_s, 600);
	assert_int_equal(s.backorder, BACKORDER_HOLD);
	assert_int_equal(s.release, RELEASE_WAVE);
	assert_memory_equal(s.hold_sla_s, def.hold_sla_s,
			    sizeof(s.hold_sla_s));
	assert_memory_equal(s.hold_priority, def.hold_priority,
			    sizeof(s.hold_priority));
	store_read_end(tx);
	store_close(g.st);
	test_store_drop(&g);
}

/*
 * Make f's database a version-3 database (migrations 0001 to 0003) with two
 * tenants whose keys share names - tenant 1 has three keys "ops" and one
 * "other", tenant 2 one "ops" - and one shipped order of tenant 1.
 */
static void test_store_make_v3_keys(struct fx *f)
{
	static const char v3_rows[] =
		"INSERT INTO schema_migrations VALUES (1, 1), (2, 2), (3, 3);"
		"INSERT INTO tenants (slug, created_at) "
		"VALUES ('old', 1690000000), ('two', 1690000000);"
		"INSERT INTO api_keys (tenant_id, name, role, key_hash, "
		"created_at) VALUES "
		"(1, 'ops', 'admin', 'h1', 1), (1, 'ops', 'agent', 'h2', 2), "
		"(2, 'ops', 'admin', 'h3', 3), (1, 'other', 'viewer', 'h4', 4), "
		"(1, 'ops', 'viewer', 'h5', 5);"
		"INSERT INTO locations (tenant_id, code, name, addr_name, "
		"addr_company, addr_line1, addr_line2, addr_city, addr_region, "
		"addr_postal_code, addr_country, addr_phone, priority, active, "
		"updated_at) VALUES (1, 'OLD1', 'Old', '', '', '', '', '', '', "
		"'', 'US', '', 1, 1, 1690000000);"
		"INSERT INTO orders (tenant_id, id, external_id, channel, "
		"placed_at, received_at, updated_at, currency, "
		"customer_external_id, customer_name, customer_email, "
		"customer_phone, ship_to_name, ship_to_company, ship_to_line1, "
		"ship_to_line2, ship_to_city, ship_to_region, "
		"ship_to_postal_code, ship_to_country, ship_to_phone, "
		"has_bill_to, bill_to_name, bill_to_company, bill_to_line1, "
		"bill_to_line2, bill_to_city, bill_to_region, "
		"bill_to_postal_code, bill_to_country, bill_to_phone, "
		"shipping_method, shipping_amount, subtotal, shipping_total, "
		"tax, discount, total, payment_status, notes, state, "
		"fingerprint) VALUES "
		"(1, 'ord_old', 'X1', 'web', 1690000100, 1690000200, "
		"1690000300, 'USD', '', 'Ada', 'ada@example.com', '', "
		"'', '', '', '', '', '', '', 'US', '', 0, "
		"'', '', '', '', '', '', '', '', '', "
		"'std', 0, 100, 0, 0, 0, 100, 'paid', '', 'shipped', 'fp1');"
		"INSERT INTO fulfillments (id, tenant_id, order_seq, location, "
		"state, reject_reason, reject_message, created_at, released_at, "
		"updated_at) VALUES ('ful_old', 1, 1, 'OLD1', 'shipped', '', '', "
		"1690000300, 1690000300, 1690000300);"
		"INSERT INTO shipments (id, tenant_id, fulfillment_seq, "
		"order_seq, carrier, tracking_number, shipped_at, delivered_at) "
		"VALUES ('shp_old', 1, 1, 1, 'UPS', '1ZOLD', 1690000400, 0);";
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;
	char *msg = NULL;
	size_t i;

	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);

		assert_true(migrations_postgres_count >= 3);
		assert_string_equal(migrations_postgres[2].name,
				    "0003_review.sql");
		for (i = 0; i < 3; i++)
			test_pg_exec(c,
				     (const char *)migrations_postgres[i].data);
		test_pg_exec(c, "CREATE TABLE schema_migrations ("
				" version INTEGER PRIMARY KEY,"
				" applied_at BIGINT NOT NULL)");
		test_pg_exec(c, v3_rows);
		PQfinish(c);
		return;
	}
	snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(migrations_sqlite_count >= 3);
	assert_string_equal(migrations_sqlite[2].name, "0003_review.sql");
	for (i = 0; i < 3; i++) {
		const char *sql = (const char *)migrations_sqlite[i].data;

		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("%s: %s", migrations_sqlite[i].name, msg);
	}
	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE schema_migrations ("
			     " version INTEGER PRIMARY KEY,"
			     " applied_at BIGINT NOT NULL);",
			     NULL, NULL, &msg),
		SQLITE_OK);
	if (sqlite3_exec(db, v3_rows, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("v3 rows: %s", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

/*
 * Migration 0005 on a database that has lived: key names become unique per
 * tenant (the later twins renamed "<name> (2)", "(3)" by id, every key still
 * found by its hash; afterwards a twin is refused), and a shipment made
 * before it gets its fulfillment's location.
 */
static void test_migrate_renames_duplicate_key_names(void **state)
{
	static const struct {
		const char *hash;
		const char *name;
	} want[] = {
		{"h1", "ops"},	   {"h2", "ops (2)"}, {"h3", "ops"},
		{"h4", "other"}, {"h5", "ops (3)"},
	};
	struct fx g;
	store_options o = test_opts();
	store_api_key k;
	store_tx *tx;
	int applied = -1, version = -1;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	test_store_make_v3_keys(&g);
	assert_int_equal(store_open(g.url, &o, &g.st, &err), ORDO_OK);
	assert_int_equal(store_migrate(g.st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);

	tx = NULL;
	assert_int_equal(store_read_begin(g.st, &tx, &err), ORDO_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		store_api_key by_id;

		assert_int_equal(store_api_key_by_hash(tx, want[i].hash, &k,
						       NULL, &err),
				 ORDO_OK);
		assert_string_equal(k.name, want[i].name);
		/* 0026: every key made before has an id in the API, and is
		 * live, never used. */
		assert_int_equal(strlen(k.public_id), 30);
		assert_memory_equal(k.public_id, "key_", 4);
		assert_int_equal(k.revoked_at, 0);
		assert_int_equal(k.last_used_at, 0);
		assert_int_equal(store_api_key_get(tx, k.tenant_id, k.public_id,
						   &by_id, &err),
				 ORDO_OK);
		assert_string_equal(by_id.key_hash, want[i].hash);
	}
	/* A shipment made before 0005 has its fulfillment's location, and
	 * is listed by it. */
	{
		shipment_filter flt;
		shipment sh, *items = NULL;
		size_t n = 0;
		int64_t next = 0;

		assert_int_equal(store_shipment_get(tx, 1, "shp_old", &sh, &err),
				 ORDO_OK);
		assert_string_equal(sh.location, "OLD1");
		shipment_free(&sh);
		memset(&flt, 0, sizeof(flt));
		flt.limit = 10;
		ordo_strlcpy(flt.location, "OLD1", sizeof(flt.location));
		assert_int_equal(store_shipment_list(tx, 1, &flt, &items, &n,
						     &next, &err),
				 ORDO_OK);
		assert_int_equal(n, 1);
		assert_string_equal(items[0].id, "shp_old");
		shipment_free(&items[0]);
		free(items);
	}
	store_read_end(tx);

	/* From now on a twin is refused, naming the field. */
	memset(&k, 0, sizeof(k));
	k.tenant_id = 1;
	ordo_strlcpy(k.name, "ops (2)", sizeof(k.name));
	ordo_strlcpy(k.role, "viewer", sizeof(k.role));
	memset(k.key_hash, 'd', 64);
	assert_int_equal(wr(&g, 1, w_api_key_insert, &k, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "name");
	store_close(g.st);
	test_store_drop(&g);
}

/*
 * Make f's database a version-6 database (migrations 0001 to 0006) with
 * one tenant and its webhooks as they were kept then: event types in one
 * comma-separated column.
 */
static void test_store_make_v6_webhooks(struct fx *f)
{
	static const char v6_rows[] =
		"INSERT INTO schema_migrations VALUES (1, 1), (2, 2), (3, 3), "
		"(4, 4), (5, 5), (6, 6);"
		"INSERT INTO tenants (slug, created_at) "
		"VALUES ('old', 1690000000);"
		"INSERT INTO webhooks (id, tenant_id, url, secret, events, "
		"location, created_at) VALUES "
		"('whk_ab', 1, 'https://h.example.com/ab', 'whsec_ab', 'a,b', "
		"'', 1690000100), "
		"('whk_c', 1, 'https://h.example.com/c', 'whsec_c', "
		"' c , b,c', '', 1690000200);";
	char path[PATH_MAX + 16];
	sqlite3 *db = NULL;
	char *msg = NULL;
	size_t i;

	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);

		assert_true(migrations_postgres_count >= 6);
		assert_string_equal(migrations_postgres[5].name,
				    "0006_bulk_limit.sql");
		for (i = 0; i < 6; i++)
			test_pg_exec(c,
				     (const char *)migrations_postgres[i].data);
		test_pg_exec(c, "CREATE TABLE schema_migrations ("
				" version INTEGER PRIMARY KEY,"
				" applied_at BIGINT NOT NULL)");
		test_pg_exec(c, v6_rows);
		PQfinish(c);
		return;
	}
	snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_true(migrations_sqlite_count >= 6);
	assert_string_equal(migrations_sqlite[5].name, "0006_bulk_limit.sql");
	for (i = 0; i < 6; i++) {
		const char *sql = (const char *)migrations_sqlite[i].data;

		if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
			fail_msg("%s: %s", migrations_sqlite[i].name, msg);
	}
	assert_int_equal(
		sqlite3_exec(db,
			     "CREATE TABLE schema_migrations ("
			     " version INTEGER PRIMARY KEY,"
			     " applied_at BIGINT NOT NULL);",
			     NULL, NULL, &msg),
		SQLITE_OK);
	if (sqlite3_exec(db, v6_rows, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("v6 rows: %s", msg);
	sqlite3_free(msg);
	sqlite3_close(db);
}

static ordo_code w_emit_type(store_tx *tx, struct wctx *w, ordo_err *err)
{
	outbox_event ev;
	size_t *n = w->p;

	memset(&ev, 0, sizeof(ev));
	snprintf(ev.id, sizeof(ev.id), "evt_%zu", *n);
	ordo_strlcpy(ev.type, "b", sizeof(ev.type));
	ev.payload = "{}";
	ev.created_at = FX_NOW;
	return store_outbox_emit(tx, w->tenant, &ev, 3600, n, err);
}

/*
 * Migration 0007 on a database with webhooks: each type of the old
 * column becomes a subscription row, in the order given (blanks dropped,
 * a type named twice kept once), read back as before and matched by the
 * emit: both webhooks subscribed to "b" get its delivery.
 */
static void test_migrate_webhook_events_to_rows(void **state)
{
	struct fx g;
	store_options o = test_opts();
	webhook_sub w;
	store_tx *tx;
	int applied = -1, version = -1;
	size_t n = 0;
	ordo_err err = ORDO_ERR_INIT;

	(void)state;
	memset(&g, 0, sizeof(g));
	test_store_url(&g);
	test_store_make_v6_webhooks(&g);
	assert_int_equal(store_open(g.url, &o, &g.st, &err), ORDO_OK);
	assert_int_equal(store_migrate(g.st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);
	assert_int_equal(applied, MIGRATIONS - 6);

	tx = NULL;
	assert_int_equal(store_read_begin(g.st, &tx, &err), ORDO_OK);
	assert_int_equal(store_webhook_get(tx, 1, "whk_ab", &w, &err), ORDO_OK);
	assert_string_equal(w.events, "a,b");
	assert_string_equal(w.url, "https://h.example.com/ab");
	assert_int_equal(store_webhook_get(tx, 1, "whk_c", &w, &err), ORDO_OK);
	assert_string_equal(w.events, "c,b");
	store_read_end(tx);

	assert_int_equal(wr(&g, 1, w_emit_type, &n, &err), ORDO_OK);
	assert_int_equal(n, 2);
	store_close(g.st);
	test_store_drop(&g);
}

/* ---- the search index of orders stored before it ------------------------ */

static ordo_code w_ful_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_fulfillment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_ship_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_insert(tx, w->tenant, w->p, err);
}

/* The external ids tenant's search for q lists, comma-separated. */
static void searched(struct fx *f, int64_t tenant, const char *q, char *out,
		     size_t size)
{
	order_filter flt;
	order_page p;
	ordo_err err = ORDO_ERR_INIT;
	size_t i, len = 0;

	memset(&flt, 0, sizeof(flt));
	assert_int_equal(search_query_parse(q, "q", &flt.search, &err),
			 ORDO_OK);
	flt.limit = 50;
	assert_int_equal(list(f, tenant, &flt, &p), ORDO_OK);
	out[0] = '\0';
	for (i = 0; i < p.n; i++) {
		snprintf(out + len, size - len, "%s%s", i ? "," : "",
			 p.orders[i].external_id);
		len = strlen(out);
	}
	order_page_free(&p);
}

/*
 * Orders stored before migration 0010 are searchable after it: the
 * database is taken back to version 9 (the search index dropped, its
 * version forgotten) with its orders, one of them shipped, in it; the
 * migration then gives each its words, its tracking number's too.
 */
/* Back to version 9, after the search index's own table or function: holds
 * and deliveries indexed as they were (0011, 0012), the versions from 10
 * on forgotten. */
#define BACK_TO_9                                                              \
	"DROP TABLE order_search;"                                             \
	"DROP INDEX holds_by_type;"                                            \
	"CREATE INDEX holds_queue ON holds(tenant_id, type, status);"          \
	"DROP INDEX deliveries_status;"                                        \
	"DROP INDEX deliveries_ready;"                                         \
	"CREATE INDEX deliveries_ready ON "                                    \
	"deliveries(webhook_id, status, waiting, seq);"                        \
	"DROP TABLE x12_interchanges;"                                         \
	"DROP TABLE import_problems;"                                          \
	"DROP TABLE imports;"                                                  \
	"DROP TABLE channel_skus;"                                             \
	"DROP TABLE channels;"                                                 \
	"ALTER TABLE orders DROP COLUMN channel_kind;"                         \
	"ALTER TABLE order_lines DROP COLUMN external_id;"                     \
	"ALTER TABLE webhooks DROP COLUMN channel;"                            \
	"ALTER TABLE webhooks DROP COLUMN protocol;"                           \
	"ALTER TABLE orders DROP COLUMN source;"                               \
	"ALTER TABLE orders DROP COLUMN source_type;"                          \
	"DROP INDEX holds_rule_history;"                                       \
	"DROP INDEX holds_type_history;"                                       \
	"DROP INDEX holds_history;"                                            \
	"DROP INDEX defects_rule;"                                             \
	"DROP TABLE metric_rollups;"                                           \
	"DROP TABLE metric_gauges;"                                            \
	"ALTER TABLE orders DROP COLUMN marks;"                                \
	"ALTER TABLE orders DROP COLUMN approved_rule;"                        \
	"ALTER TABLE defects DROP COLUMN attributed_step;"                     \
	"ALTER TABLE defects DROP COLUMN attributed_rule;"                     \
	"ALTER TABLE defects DROP COLUMN attributed_actor;"                    \
	"DROP TABLE alerts;"                                                   \
	"DROP TABLE monitors;"                                                 \
	"DROP INDEX orders_state_since;"                                       \
	"ALTER TABLE orders DROP COLUMN state_since;"                          \
	"DROP INDEX order_changes_waiting;"                                    \
	"DROP INDEX returns_tenant;"                                           \
	"DROP INDEX returns_state;"                                            \
	"DROP TABLE order_changes;"                                            \
	"DROP TABLE return_lines;"                                             \
	"DROP TABLE returns;"                                                  \
	"ALTER TABLE orders DROP COLUMN version;"                              \
	"ALTER TABLE tenant_settings DROP COLUMN change_window_s;"             \
	"DROP TABLE server_secrets;"                                           \
	"DROP INDEX api_keys_public;"                                          \
	"DROP INDEX api_keys_live;"                                            \
	"ALTER TABLE api_keys DROP COLUMN public_id;"                          \
	"ALTER TABLE api_keys DROP COLUMN revoked_at;"                         \
	"ALTER TABLE api_keys DROP COLUMN last_used_at;"                       \
	"DROP TABLE login_failures;"                                           \
	"DROP TABLE sessions;"                                                 \
	"DROP TABLE user_roles;"                                               \
	"DROP TABLE users;"                                                    \
	"DROP TABLE audit_log;"                                                \
	"ALTER TABLE webhooks DROP COLUMN previous_secret;"                    \
	"ALTER TABLE webhooks DROP COLUMN previous_until;"                     \
	"DROP INDEX orders_created_key;"                                       \
	"ALTER TABLE orders DROP COLUMN created_key;"                          \
	"ALTER TABLE api_keys DROP COLUMN location;"                           \
	"DELETE FROM schema_migrations WHERE version >= 10"

static void test_migrate_fills_the_search_index(void **state)
{
	struct fx *f = *state;
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;
	fulfillment ful;
	fulfillment_line fl;
	shipment sh;
	shipment_line sl;
	int applied = -1, version = -1;
	char got[256];
	order ord;

	catalog_add(f, f->ta);
	order_make(&ord, f->ta, "ord_old", "web", "OLD-1", 1700000001,
		   ORDER_RELEASED, 2);
	ordo_strlcpy(ord.customer.name, "Winifred Oldcastle",
		     sizeof(ord.customer.name));
	order_put(f, &ord);
	order_free(&ord);
	order_make(&ord, f->tb, "ord_old_b", "web", "OLD-B", 1700000002,
		   ORDER_ACCEPTED, 1);
	ordo_strlcpy(ord.customer.name, "Winifred Bolt",
		     sizeof(ord.customer.name));
	order_put(f, &ord);
	order_free(&ord);
	memset(&ful, 0, sizeof(ful));
	memset(&fl, 0, sizeof(fl));
	ordo_strlcpy(ful.id, "ful_old", sizeof(ful.id));
	ordo_strlcpy(ful.order_id, "ord_old", sizeof(ful.order_id));
	ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
	ful.state = FULFILLMENT_RELEASED;
	ful.created_at = ful.updated_at = 1700000100;
	fl.line_no = 1;
	ordo_strlcpy(fl.sku, "A-1", sizeof(fl.sku));
	fl.quantity = 1;
	ful.lines = &fl;
	ful.n_lines = 1;
	assert_int_equal(wr(f, f->ta, w_ful_put, &ful, &err), ORDO_OK);
	memset(&sh, 0, sizeof(sh));
	memset(&sl, 0, sizeof(sl));
	ordo_strlcpy(sh.id, "shp_old", sizeof(sh.id));
	ordo_strlcpy(sh.fulfillment_id, "ful_old", sizeof(sh.fulfillment_id));
	ordo_strlcpy(sh.carrier, "ups", sizeof(sh.carrier));
	ordo_strlcpy(sh.tracking_number, "1ZOLD777", sizeof(sh.tracking_number));
	sh.shipped_at = 1700000200;
	ordo_strlcpy(sl.sku, "A-1", sizeof(sl.sku));
	sl.quantity = 1;
	sh.lines = &sl;
	sh.n_lines = 1;
	assert_int_equal(wr(f, f->ta, w_ship_put, &sh, &err), ORDO_OK);
	store_close(f->st);
	f->st = NULL;

	/* Back to version 9: no search index, holds and deliveries indexed
	 * as they were (0011, 0012), their versions forgotten. */
	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);

		test_pg_exec(c, "DROP FUNCTION order_search_fts(text);"
				BACK_TO_9);
		PQfinish(c);
	} else {
		char path[PATH_MAX + 16];
		sqlite3 *db = NULL;

		snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(
			sqlite3_exec(db,
				     "DROP TABLE order_search_fts;"
				     BACK_TO_9,
				     NULL, NULL, NULL),
			SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(f->st, &version, &err), ORDO_OK);
	assert_int_equal(version, 9);
	assert_int_equal(store_migrate(f->st, FX_NOW, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(applied, MIGRATIONS - 9);
	assert_int_equal(version, SCHEMA_VERSION);

	searched(f, f->ta, "winifred", got, sizeof(got));
	assert_string_equal(got, "OLD-1");
	searched(f, f->ta, "oldcastle 1zold777", got, sizeof(got));
	assert_string_equal(got, "OLD-1");
	searched(f, f->tb, "winifred", got, sizeof(got));
	assert_string_equal(got, "OLD-B");
	searched(f, f->tb, "oldcastle", got, sizeof(got));
	assert_string_equal(got, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test(test_open_fresh_and_bad_urls),
		cmocka_unit_test(test_migrate_concurrently),
		cmocka_unit_test_setup_teardown(test_reconnect, setup,
						teardown),
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test(test_migrate_from_v2),
		cmocka_unit_test(test_migrate_renames_duplicate_key_names),
		cmocka_unit_test(test_migrate_webhook_events_to_rows),
		cmocka_unit_test_setup_teardown(
			test_migrate_fills_the_search_index, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
