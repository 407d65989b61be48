/*
 * test_store.c - the store suite, run against every backend.
 *
 * Each test gets a fresh, migrated database with two tenants, A ("acme") and
 * B ("bolt"), from setup(); the database comes from test_store_url(), the
 * only place that knows which backend is under test (env ORDO_TEST_DB:
 * "sqlite", the default, makes a file in a new temporary directory; a
 * postgres:// url names a server and a maintenance database on it, through
 * which each test creates a database of its own, ordo_t_<pid>_<n>, dropped
 * again by test_store_drop(); its role must be allowed to create databases
 * and to end its own sessions). The few tests of one backend only skip on
 * the other.
 *
 * Writes go through store_write / store_submit exactly as the app layer does,
 * so every test also exercises the committer. The committer tests at the end
 * check what group commit promises: a failing job rolls back only itself,
 * concurrent writes share commits, and store_write returns only once the row
 * is on disk (visible after closing and reopening the database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "embedded.h"
#include "store/store.h"

/* The migrations compiled into the store (test_store_make_v1). */
extern const struct ordo_embedded migrations_sqlite[];
extern const size_t migrations_sqlite_count;
extern const struct ordo_embedded migrations_postgres[];
extern const size_t migrations_postgres_count;

/* The schema version the store's migrations reach, and how many there are
 * (versions may skip numbers). */
#define SCHEMA_VERSION 6
#define MIGRATIONS ((int)migrations_sqlite_count)

struct fx {
	char dir[PATH_MAX]; /* SQLite: the directory; PostgreSQL: the db */
	char url[PATH_MAX + 16];
	store *st;
	int first_applied;
	int first_version;
	int64_t ta; /* tenant A */
	int64_t tb; /* tenant B */
};

/* ---- the backend under test ---------------------------------------------- */

/* The PostgreSQL url of ORDO_TEST_DB, or NULL when SQLite is under test. */
static const char *test_pg_url(void)
{
	const char *be = getenv("ORDO_TEST_DB");

	if (be && (strncmp(be, "postgres://", 11) == 0 ||
		   strncmp(be, "postgresql://", 13) == 0))
		return be;
	return NULL;
}

static void test_pg_notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* A connection to the url, failing the test if there is none. */
static PGconn *test_pg_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
	PQsetNoticeProcessor(c, test_pg_notice_ignore, NULL);
	return c;
}

/* Run sql (no parameters) on c, failing the test if it fails. */
static void test_pg_exec(PGconn *c, const char *sql)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		print_error("%s: %s\n", sql, PQresultErrorMessage(res));
		PQclear(res);
		fail();
	}
	PQclear(res);
}

/* base with its database name replaced by db (query string kept). */
static void test_pg_url_for(const char *base, const char *db, char *out,
			    size_t size)
{
	const char *auth = strstr(base, "://") + 3;
	const char *path = strchr(auth, '/');
	const char *query = strchr(auth, '?');
	size_t head;

	if (path && query && path > query)
		path = NULL;
	head = path ? (size_t)(path - base)
		    : query ? (size_t)(query - base) : strlen(base);
	snprintf(out, size, "%.*s/%s%s", (int)head, base, db,
		 query ? query : "");
}

static void test_store_url(struct fx *f)
{
	static int seq;
	const char *be = getenv("ORDO_TEST_DB");
	const char *tmp = getenv("TMPDIR");
	const char *pg = test_pg_url();

	if (pg) {
		char sql[PATH_MAX + 64];
		PGconn *c = test_pg_connect(pg);

		snprintf(f->dir, sizeof(f->dir), "ordo_t_%ld_%d",
			 (long)getpid(), ++seq);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s",
			 f->dir);
		test_pg_exec(c, sql);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->dir);
		test_pg_exec(c, sql);
		PQfinish(c);
		test_pg_url_for(pg, f->dir, f->url, sizeof(f->url));
		return;
	}
	if (be && be[0] && strcmp(be, "sqlite") != 0)
		fail_msg("ORDO_TEST_DB=%s: no such backend in this build", be);
	snprintf(f->dir, sizeof(f->dir), "%s/ordo-store-XXXXXX",
		 tmp && tmp[0] ? tmp : "/tmp");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->url, sizeof(f->url), "sqlite:%s/ordo.db", f->dir);
}

static void test_store_drop(struct fx *f)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char path[PATH_MAX + 32];
	const char *pg = test_pg_url();
	size_t i;

	if (pg) {
		char sql[PATH_MAX + 64];
		PGconn *c = test_pg_connect(pg);

		snprintf(sql, sizeof(sql),
			 "DROP DATABASE IF EXISTS %s WITH (FORCE)", f->dir);
		test_pg_exec(c, sql);
		PQfinish(c);
		return;
	}
	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(path, sizeof(path), "%s/ordo.db%s", f->dir,
			 suffixes[i]);
		unlink(path);
	}
	rmdir(f->dir);
}

/* ---- helpers ------------------------------------------------------------- */

static store_options test_opts(void)
{
	store_options o = STORE_OPTIONS_DEFAULT;

	o.read_pool_size = 4;
	return o;
}

static ordo_code job_tenant_insert(store_tx *tx, void *arg, ordo_err *err)
{
	return store_tenant_insert(tx, arg, err);
}

static int64_t tenant_add(store *st, const char *slug)
{
	store_tenant t;
	ordo_err err = ORDO_ERR_INIT;

	memset(&t, 0, sizeof(t));
	ordo_strlcpy(t.slug, slug, sizeof(t.slug));
	t.created_at = 1700000000;
	assert_int_equal(store_write(st, job_tenant_insert, &t, &err), ORDO_OK);
	assert_true(t.id > 0);
	return t.id;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;

	assert_non_null(f);
	test_store_url(f);
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_migrate(f->st, &f->first_applied,
				       &f->first_version, &err),
			 ORDO_OK);
	f->ta = tenant_add(f->st, "acme");
	f->tb = tenant_add(f->st, "bolt");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	test_store_drop(f);
	free(f);
	return 0;
}

static store_tx *rd(struct fx *f)
{
	store_tx *tx = NULL;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_read_begin(f->st, &tx, &err), ORDO_OK);
	assert_non_null(tx);
	return tx;
}

/* A write job that runs a callback with the fixture and a pointer. */
struct wctx {
	struct fx *f;
	ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err);
	void *p;
	int64_t tenant;
};

static ordo_code wctx_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct wctx *w = arg;

	return w->fn(tx, w, err);
}

static ordo_code wr(struct fx *f, int64_t tenant,
		    ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err),
		    void *p, ordo_err *err)
{
	struct wctx w = {.f = f, .fn = fn, .p = p, .tenant = tenant};

	return store_write(f->st, wctx_run, &w, err);
}

static ordo_code w_sku_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_sku_put(tx, w->tenant, w->p, err);
}

static ordo_code w_location_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_location_put(tx, w->tenant, w->p, err);
}

static ordo_code w_order_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	(void)w->tenant;
	return store_order_insert(tx, w->p, err);
}

static ordo_code w_api_key_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_api_key_insert(tx, w->p, err);
}

static ordo_code w_idem_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_idempotency_put(tx, w->tenant, w->p, err);
}

struct event_args {
	const char *order_id;
	order_event ev;
};

static ordo_code w_event_append(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct event_args *a = w->p;

	return store_event_append(tx, w->tenant, a->order_id, &a->ev, err);
}

struct stock_args {
	const char *location;
	const char *sku;
	int64_t on_hand;
	stock_level level;
};

static ordo_code w_stock_set(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct stock_args *a = w->p;

	return store_stock_set(tx, w->tenant, a->location, a->sku, a->on_hand,
			       1700000100, &a->level, err);
}

struct state_args {
	const char *id;
	order_state state;
	ordo_time now;
};

static ordo_code w_set_state(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct state_args *a = w->p;

	return store_order_set_state(tx, w->tenant, a->id, a->state, a->now,
				     err);
}

static void sku_make(catalog_sku *s, const char *sku, const char *title,
		     int64_t price)
{
	memset(s, 0, sizeof(*s));
	ordo_strlcpy(s->sku, sku, sizeof(s->sku));
	ordo_strlcpy(s->title, title, sizeof(s->title));
	s->unit_price = price;
	ordo_strlcpy(s->currency, "USD", sizeof(s->currency));
	s->active = true;
	s->updated_at = 1700000000;
}

static void address_make(order_address *a, const char *tag)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s Name", tag);
	snprintf(a->company, sizeof(a->company), "%s Co", tag);
	snprintf(a->line1, sizeof(a->line1), "%s 1 Main St", tag);
	snprintf(a->line2, sizeof(a->line2), "%s Suite 2", tag);
	snprintf(a->city, sizeof(a->city), "%s City", tag);
	ordo_strlcpy(a->region, "CA", sizeof(a->region));
	ordo_strlcpy(a->postal_code, "94105", sizeof(a->postal_code));
	ordo_strlcpy(a->country, "US", sizeof(a->country));
	ordo_strlcpy(a->phone, "+14155550100", sizeof(a->phone));
}

static void address_equal(const order_address *a, const order_address *b)
{
	assert_string_equal(a->name, b->name);
	assert_string_equal(a->company, b->company);
	assert_string_equal(a->line1, b->line1);
	assert_string_equal(a->line2, b->line2);
	assert_string_equal(a->city, b->city);
	assert_string_equal(a->region, b->region);
	assert_string_equal(a->postal_code, b->postal_code);
	assert_string_equal(a->country, b->country);
	assert_string_equal(a->phone, b->phone);
}

/*
 * A complete order: every header field set, n_lines lines with quantities
 * spread over the states, and the given holds.
 */
static void order_make(order *o, int64_t tenant, const char *id,
		       const char *channel, const char *external_id,
		       ordo_time received_at, order_state state,
		       size_t n_lines)
{
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	order_init(o);
	ordo_strlcpy(o->id, id, sizeof(o->id));
	o->tenant_id = tenant;
	ordo_strlcpy(o->external_id, external_id, sizeof(o->external_id));
	ordo_strlcpy(o->channel, channel, sizeof(o->channel));
	o->placed_at = received_at - 60;
	o->received_at = received_at;
	o->updated_at = received_at + 5;
	ordo_strlcpy(o->currency, "USD", sizeof(o->currency));
	ordo_strlcpy(o->customer.external_id, "cust-9",
		     sizeof(o->customer.external_id));
	ordo_strlcpy(o->customer.name, "Ada Lovelace",
		     sizeof(o->customer.name));
	ordo_strlcpy(o->customer.email, "ada@example.com",
		     sizeof(o->customer.email));
	ordo_strlcpy(o->customer.phone, "+442071234567",
		     sizeof(o->customer.phone));
	address_make(&o->ship_to, "Ship");
	o->has_bill_to = true;
	address_make(&o->bill_to, "Bill");
	ordo_strlcpy(o->shipping.method, "express", sizeof(o->shipping.method));
	o->shipping.amount = 995;
	o->totals.subtotal = 10000;
	o->totals.shipping = 995;
	o->totals.tax = 812;
	o->totals.discount = 500;
	o->totals.total = 11307;
	o->payment = PAYMENT_AUTHORIZED;
	ordo_strlcpy(o->notes, "Leave at the door; it's fine.",
		     sizeof(o->notes));
	o->state = state;
	snprintf(o->fingerprint, sizeof(o->fingerprint), "fp-%s", id);

	assert_int_equal(order_lines_alloc(o, n_lines, &err), ORDO_OK);
	for (i = 0; i < n_lines; i++) {
		order_line *l = &o->lines[i];

		l->line_no = (int)i + 1;
		snprintf(l->sku, sizeof(l->sku), "SKU-%zu", i + 1);
		snprintf(l->title, sizeof(l->title), "Widget %zu", i + 1);
		l->quantity = 10 + (int64_t)i;
		l->unit_price = 250 * ((int64_t)i + 1);
		l->qty_open = 1;
		l->qty_allocated = 2;
		l->qty_released = 3;
		l->qty_shipped = 3;
		l->qty_cancelled = l->quantity - 9;
		l->qty_returned = 1;
		assert_true(order_line_consistent(l));
	}
}

static void hold_make(order_hold *h, const char *id, hold_type type,
		      hold_status status)
{
	memset(h, 0, sizeof(*h));
	ordo_strlcpy(h->id, id, sizeof(h->id));
	h->type = type;
	h->status = status;
	ordo_strlcpy(h->field, "ship_to.postal_code", sizeof(h->field));
	snprintf(h->message, sizeof(h->message), "hold %s", id);
	ordo_strlcpy(h->related_order_id, "ord_other",
		     sizeof(h->related_order_id));
	ordo_strlcpy(h->raised_by, "validation", sizeof(h->raised_by));
	h->created_at = 1700000200;
	h->resolved_at = status == HOLD_RESOLVED ? 1700000300 : 0;
}

/* Set every review field of h to values derived from k, none a default. */
static void hold_review_fill(order_hold *h, int k)
{
	snprintf(h->rule_id, sizeof(h->rule_id), "policy.rule_%d", k);
	h->policy_version = 10 + k;
	h->priority = 1 + k % 5;
	h->due_at = 1700003000 + k;
	snprintf(h->assignee, sizeof(h->assignee), "key:reviewer-%d", k);
	h->claimed_at = 1700002000 + k;
	h->claimed_until = 1700002600 + k;
	h->escalated = k % 2 == 1;
	ordo_strlcpy(h->resolution, k % 2 ? "approve" : "correct",
		     sizeof(h->resolution));
	snprintf(h->resolution_reason, sizeof(h->resolution_reason),
		 "reason %d: it's fine", k);
	snprintf(h->resolved_by, sizeof(h->resolved_by), "key:lead-%d", k);
}

/* Every field of two holds is equal. */
static void hold_equal(const order_hold *a, const order_hold *b)
{
	assert_string_equal(b->id, a->id);
	assert_int_equal(b->type, a->type);
	assert_int_equal(b->status, a->status);
	assert_string_equal(b->field, a->field);
	assert_string_equal(b->message, a->message);
	assert_string_equal(b->related_order_id, a->related_order_id);
	assert_string_equal(b->raised_by, a->raised_by);
	assert_int_equal(b->created_at, a->created_at);
	assert_int_equal(b->resolved_at, a->resolved_at);
	assert_string_equal(b->rule_id, a->rule_id);
	assert_int_equal(b->policy_version, a->policy_version);
	assert_int_equal(b->priority, a->priority);
	assert_int_equal(b->due_at, a->due_at);
	assert_string_equal(b->assignee, a->assignee);
	assert_int_equal(b->claimed_at, a->claimed_at);
	assert_int_equal(b->claimed_until, a->claimed_until);
	assert_int_equal(b->escalated, a->escalated);
	assert_string_equal(b->resolution, a->resolution);
	assert_string_equal(b->resolution_reason, a->resolution_reason);
	assert_string_equal(b->resolved_by, a->resolved_by);
}

static void order_put(struct fx *f, order *o)
{
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(wr(f, o->tenant_id, w_order_insert, o, &err), ORDO_OK);
	assert_true(o->seq > 0);
}

/* Insert a small order with one line and no holds; frees it. */
static int64_t order_add(struct fx *f, int64_t tenant, const char *id,
			 const char *channel, const char *external_id,
			 ordo_time received_at, order_state state)
{
	order o;
	int64_t seq;

	order_make(&o, tenant, id, channel, external_id, received_at, state, 1);
	order_put(f, &o);
	seq = o.seq;
	order_free(&o);
	return seq;
}

/* ---- migrations ---------------------------------------------------------- */

static void test_migrate(void **state)
{
	struct fx *f = *state;
	int applied = -1, version = -1;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(f->first_applied, MIGRATIONS);
	assert_int_equal(f->first_version, SCHEMA_VERSION);
	assert_int_equal(store_migrate(f->st, &applied, &version, &err),
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
	assert_int_equal(store_migrate(st, &applied, &version, &err), ORDO_OK);
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
		m->rc = store_migrate(st, &m->applied, NULL, &err);
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

/* ---- tenants and keys ---------------------------------------------------- */

static void test_tenants(void **state)
{
	struct fx *f = *state;
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&t, 0, sizeof(t));
	ordo_strlcpy(t.slug, "acme", sizeof(t.slug));
	assert_int_equal(store_write(f->st, job_tenant_insert, &t, &err),
			 ORDO_ECONFLICT);
	assert_int_equal(err.code, ORDO_ECONFLICT);
	assert_string_equal(err.field, "slug");

	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err), ORDO_OK);
	assert_int_equal(t.id, f->ta);
	assert_string_equal(t.slug, "acme");
	assert_int_equal(t.created_at, 1700000000);
	assert_int_equal(store_tenant_by_id(tx, f->tb, &t, &err), ORDO_OK);
	assert_string_equal(t.slug, "bolt");
	assert_int_equal(store_tenant_by_slug(tx, "nope", &t, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_tenant_by_id(tx, 999999, &t, &err),
			 ORDO_ENOTFOUND);
	/* A write through a read snapshot is refused. */
	assert_int_equal(store_tenant_insert(tx, &t, &err), ORDO_EINTERNAL);
	store_read_end(tx);
}

static void test_api_keys(void **state)
{
	struct fx *f = *state;
	store_api_key k, got;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&k, 0, sizeof(k));
	k.tenant_id = f->ta;
	ordo_strlcpy(k.name, "shopify", sizeof(k.name));
	ordo_strlcpy(k.role, "channel", sizeof(k.role));
	memset(k.key_hash, 'a', 64);
	k.created_at = 1700000050;
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err), ORDO_OK);
	assert_true(k.id > 0);
	k.id = 0;
	ordo_strlcpy(k.name, "shopify-2", sizeof(k.name));
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "key_hash");
	/* A name is one key's within its tenant, so the timeline's actor
	 * ("key:<name>") names one key; another tenant may use it. */
	ordo_strlcpy(k.name, "shopify", sizeof(k.name));
	memset(k.key_hash, 'c', 64);
	assert_int_equal(wr(f, f->ta, w_api_key_insert, &k, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "name");
	assert_non_null(strstr(err.message, "shopify"));
	k.tenant_id = f->tb;
	assert_int_equal(wr(f, f->tb, w_api_key_insert, &k, &err), ORDO_OK);
	k.tenant_id = f->ta;
	memset(k.key_hash, 'a', 64);

	tx = rd(f);
	assert_int_equal(store_api_key_by_hash(tx, k.key_hash, &got, &err),
			 ORDO_OK);
	assert_true(got.id > 0);
	assert_int_equal(got.tenant_id, f->ta);
	assert_string_equal(got.name, "shopify");
	assert_string_equal(got.role, "channel");
	assert_string_equal(got.key_hash, k.key_hash);
	assert_int_equal(got.created_at, 1700000050);
	assert_int_equal(store_api_key_by_hash(tx, "bbbb", &got, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/* ---- catalog ------------------------------------------------------------- */

static void test_skus(void **state)
{
	struct fx *f = *state;
	static const char *const names[] = {"B-2", "A-1", "E-5", "C-3", "D-4"};
	catalog_sku s, *page = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	for (i = 0; i < 5; i++) {
		sku_make(&s, names[i], "Thing", 100 + (int64_t)i);
		assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);
	}
	/* Put again: replaces. */
	sku_make(&s, "C-3", "Renamed", 777);
	s.active = false;
	s.updated_at = 1700009999;
	assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_sku_get(tx, f->ta, "C-3", &s, &err), ORDO_OK);
	assert_string_equal(s.sku, "C-3");
	assert_string_equal(s.title, "Renamed");
	assert_int_equal(s.unit_price, 777);
	assert_string_equal(s.currency, "USD");
	assert_false(s.active);
	assert_int_equal(s.updated_at, 1700009999);
	assert_int_equal(store_sku_get(tx, f->ta, "Z-9", &s, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	assert_int_equal(store_sku_get(tx, f->tb, "C-3", &s, &err),
			 ORDO_ENOTFOUND);

	assert_int_equal(store_sku_list(tx, f->ta, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].sku, "A-1");
	assert_string_equal(page[1].sku, "B-2");
	assert_int_equal(page[1].unit_price, 100);
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "B-2", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].sku, "C-3");
	assert_string_equal(page[1].sku, "D-4");
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "D-4", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(page[0].sku, "E-5");
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "E-5", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	assert_int_equal(store_sku_list(tx, f->tb, "", 50, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	assert_int_equal(store_sku_list(tx, f->ta, "", 0, &page, &n, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

static void location_make(catalog_location *l, const char *code, int priority)
{
	memset(l, 0, sizeof(*l));
	ordo_strlcpy(l->code, code, sizeof(l->code));
	snprintf(l->name, sizeof(l->name), "Warehouse %s", code);
	address_make(&l->address, code);
	l->priority = priority;
	l->active = true;
	l->updated_at = 1700000010;
}

static void test_locations(void **state)
{
	struct fx *f = *state;
	catalog_location l, want, *page = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	location_make(&l, "WH2", 2);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH1", 1);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH3", 3);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&want, "WH1", 5);
	want.active = false;
	assert_int_equal(wr(f, f->ta, w_location_put, &want, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &l, &err),
			 ORDO_OK);
	assert_string_equal(l.code, "WH1");
	assert_string_equal(l.name, want.name);
	address_equal(&l.address, &want.address);
	assert_int_equal(l.priority, 5);
	assert_false(l.active);
	assert_int_equal(l.updated_at, want.updated_at);
	assert_int_equal(store_location_get(tx, f->ta, "NOPE", &l, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	assert_int_equal(store_location_get(tx, f->tb, "WH1", &l, &err),
			 ORDO_ENOTFOUND);

	assert_int_equal(store_location_list(tx, f->ta, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(page[0].code, "WH1");
	assert_string_equal(page[1].code, "WH2");
	free(page);
	assert_int_equal(
		store_location_list(tx, f->ta, "WH2", 2, &page, &n, &err),
		ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(page[0].code, "WH3");
	location_make(&want, "WH3", 3);
	address_equal(&page[0].address, &want.address);
	assert_int_equal(page[0].priority, 3);
	assert_true(page[0].active);
	free(page);
	assert_int_equal(store_location_list(tx, f->tb, "", 2, &page, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(page);
	store_read_end(tx);
}

static void test_stock(void **state)
{
	struct fx *f = *state;
	struct stock_args a = {.location = "WH1", .sku = "A-1", .on_hand = 7};
	catalog_location l;
	catalog_sku s;
	stock_level lv;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	location_make(&l, "WH1", 1);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	sku_make(&s, "A-1", "Thing", 100);
	assert_int_equal(wr(f, f->ta, w_sku_put, &s, &err), ORDO_OK);
	/* Tenant B knows neither. */
	assert_int_equal(wr(f, f->tb, w_stock_set, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");

	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_OK);
	assert_string_equal(a.level.location, "WH1");
	assert_string_equal(a.level.sku, "A-1");
	assert_int_equal(a.level.on_hand, 7);
	assert_int_equal(a.level.reserved, 0);
	assert_int_equal(a.level.safety_stock, 0);
	assert_int_equal(a.level.updated_at, 1700000100);
	a.on_hand = 42;
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_OK);
	assert_int_equal(a.level.on_hand, 42);
	a.on_hand = -1;
	assert_int_equal(wr(f, f->ta, w_stock_set, &a, &err), ORDO_EINVALID);

	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &lv, &err),
			 ORDO_OK);
	assert_int_equal(lv.on_hand, 42);
	assert_int_equal(lv.reserved, 0);
	assert_int_equal(store_stock_get(tx, f->tb, "WH1", "A-1", &lv, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "B-2", &lv, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/* ---- orders -------------------------------------------------------------- */

static void test_order_round_trip(void **state)
{
	struct fx *f = *state;
	order o, got;
	order_hold h;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	order_make(&o, f->ta, "ord_round", "shopify", "1001", 1700001000,
		   ORDER_ON_HOLD, 3);
	ordo_strlcpy(o.customer_key, "ada@example.com",
		     sizeof(o.customer_key));
	hold_make(&h, "hld_1", HOLD_ADDRESS_UNVERIFIABLE, HOLD_OPEN);
	hold_review_fill(&h, 1);
	assert_non_null(order_hold_add(&o, &h));
	hold_make(&h, "hld_2", HOLD_HIGH_VALUE, HOLD_RESOLVED);
	hold_review_fill(&h, 2);
	assert_non_null(order_hold_add(&o, &h));
	order_put(f, &o);

	order_init(&got);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_round", &got, &err),
			 ORDO_OK);
	store_read_end(tx);

	assert_int_equal(got.seq, o.seq);
	assert_int_equal(got.tenant_id, f->ta);
	assert_string_equal(got.id, o.id);
	assert_string_equal(got.external_id, "1001");
	assert_string_equal(got.channel, "shopify");
	assert_int_equal(got.placed_at, o.placed_at);
	assert_int_equal(got.received_at, o.received_at);
	assert_int_equal(got.updated_at, o.updated_at);
	assert_string_equal(got.currency, "USD");
	assert_string_equal(got.customer.external_id, o.customer.external_id);
	assert_string_equal(got.customer.name, o.customer.name);
	assert_string_equal(got.customer.email, o.customer.email);
	assert_string_equal(got.customer.phone, o.customer.phone);
	address_equal(&got.ship_to, &o.ship_to);
	assert_true(got.has_bill_to);
	address_equal(&got.bill_to, &o.bill_to);
	assert_string_equal(got.shipping.method, "express");
	assert_int_equal(got.shipping.amount, 995);
	assert_int_equal(got.totals.subtotal, o.totals.subtotal);
	assert_int_equal(got.totals.shipping, o.totals.shipping);
	assert_int_equal(got.totals.tax, o.totals.tax);
	assert_int_equal(got.totals.discount, o.totals.discount);
	assert_int_equal(got.totals.total, o.totals.total);
	assert_int_equal(got.payment, PAYMENT_AUTHORIZED);
	assert_string_equal(got.notes, o.notes);
	assert_int_equal(got.state, ORDER_ON_HOLD);
	assert_string_equal(got.fingerprint, o.fingerprint);
	assert_string_equal(got.customer_key, "ada@example.com");

	assert_int_equal(got.n_lines, 3);
	for (i = 0; i < 3; i++) {
		const order_line *a = &o.lines[i], *b = &got.lines[i];

		assert_int_equal(b->line_no, a->line_no);
		assert_string_equal(b->sku, a->sku);
		assert_string_equal(b->title, a->title);
		assert_int_equal(b->quantity, a->quantity);
		assert_int_equal(b->unit_price, a->unit_price);
		assert_int_equal(b->qty_open, a->qty_open);
		assert_int_equal(b->qty_allocated, a->qty_allocated);
		assert_int_equal(b->qty_released, a->qty_released);
		assert_int_equal(b->qty_shipped, a->qty_shipped);
		assert_int_equal(b->qty_cancelled, a->qty_cancelled);
		assert_int_equal(b->qty_returned, a->qty_returned);
	}
	assert_int_equal(got.n_holds, 2);
	for (i = 0; i < 2; i++)
		hold_equal(&o.holds[i], &got.holds[i]);
	assert_int_equal(order_open_holds(&got), 1);

	/* Missing, and another tenant's: both not found. */
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_nope", &got, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	assert_int_equal(got.n_lines, 0);
	assert_int_equal(store_order_get(tx, f->tb, "ord_round", &got, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
	order_free(&got);
	order_free(&o);
}

static void test_order_conflicts(void **state)
{
	struct fx *f = *state;
	order o;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_c1", "web", "E-1", 1700001000,
		  ORDER_RECEIVED);

	/* Same channel and external id, new order id. */
	order_make(&o, f->ta, "ord_c2", "web", "E-1", 1700001000,
		   ORDER_RECEIVED, 1);
	assert_int_equal(wr(f, f->ta, w_order_insert, &o, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "external_id");
	assert_int_equal(o.seq, 0);
	order_free(&o);

	/* Same order id. */
	order_make(&o, f->ta, "ord_c1", "web", "E-2", 1700001000,
		   ORDER_RECEIVED, 1);
	assert_int_equal(wr(f, f->ta, w_order_insert, &o, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	order_free(&o);

	/* Another channel, or another tenant, may reuse the external id. */
	order_add(f, f->ta, "ord_c3", "amazon", "E-1", 1700001000,
		  ORDER_RECEIVED);
	order_add(f, f->tb, "ord_c4", "web", "E-1", 1700001000,
		  ORDER_RECEIVED);
	/* Orders without an external id never collide. */
	order_add(f, f->ta, "ord_c5", "phone", "", 1700001000,
		  ORDER_RECEIVED);
	order_add(f, f->ta, "ord_c6", "phone", "", 1700001000,
		  ORDER_RECEIVED);
}

static void test_order_find(void **state)
{
	struct fx *f = *state;
	char id[ORDO_ID_MAX];
	order o;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_f1", "web", "X-1", 1000, ORDER_RECEIVED);
	/* Two orders with one content fingerprint, received at 1000 and 2000. */
	order_make(&o, f->ta, "ord_f2", "web", "X-2", 1000, ORDER_RECEIVED, 1);
	ordo_strlcpy(o.fingerprint, "same", sizeof(o.fingerprint));
	order_put(f, &o);
	order_free(&o);
	order_make(&o, f->ta, "ord_f3", "web", "X-3", 2000, ORDER_RECEIVED, 1);
	ordo_strlcpy(o.fingerprint, "same", sizeof(o.fingerprint));
	order_put(f, &o);
	order_free(&o);

	tx = rd(f);
	assert_int_equal(store_order_find_external(tx, f->ta, "web", "X-1", id,
						   &err),
			 ORDO_OK);
	assert_string_equal(id, "ord_f1");
	assert_int_equal(store_order_find_external(tx, f->ta, "pos", "X-1", id,
						   &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_external(tx, f->tb, "web", "X-1", id,
						   &err),
			 ORDO_ENOTFOUND);

	assert_int_equal(store_order_find_fingerprint(tx, f->ta, "same", 500,
						      id, &err),
			 ORDO_OK);
	assert_string_equal(id, "ord_f3");
	assert_int_equal(store_order_find_fingerprint(tx, f->ta, "same", 2000,
						      id, &err),
			 ORDO_OK);
	assert_string_equal(id, "ord_f3");
	assert_int_equal(store_order_find_fingerprint(tx, f->ta, "same", 2001,
						      id, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_fingerprint(tx, f->tb, "same", 0, id,
						      &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_fingerprint(tx, f->ta, "other", 0,
						      id, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

static void test_order_set_state(void **state)
{
	struct fx *f = *state;
	struct state_args a = {"ord_s1", ORDER_VALIDATED, 1700005000};
	order got;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_s1", "web", "S-1", 1700001000,
		  ORDER_RECEIVED);
	assert_int_equal(wr(f, f->ta, w_set_state, &a, &err), ORDO_OK);
	assert_int_equal(wr(f, f->tb, w_set_state, &a, &err), ORDO_ENOTFOUND);
	a.id = "ord_nope";
	assert_int_equal(wr(f, f->ta, w_set_state, &a, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");

	order_init(&got);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_s1", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, ORDER_VALIDATED);
	assert_int_equal(got.updated_at, 1700005000);
	order_free(&got);
}

static ordo_code list(struct fx *f, int64_t tenant, const order_filter *flt,
		      order_page *page)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_order_list(tx, tenant, flt, page, &err);
	store_read_end(tx);
	return rc;
}

static void test_order_list(void **state)
{
	struct fx *f = *state;
	order_filter flt;
	order_page page;
	order o;
	order_hold h;
	int64_t seqs[7];
	int64_t cursor;
	size_t total, i;

	/* 7 orders: seq order ord_l0 .. ord_l6. */
	seqs[0] = order_add(f, f->ta, "ord_l0", "web", "L0", 1000,
			    ORDER_RECEIVED);
	seqs[1] = order_add(f, f->ta, "ord_l1", "amazon", "L1", 2000,
			    ORDER_ACCEPTED);
	order_make(&o, f->ta, "ord_l2", "web", "L2", 3000, ORDER_ON_HOLD, 2);
	hold_make(&h, "hld_l2a", HOLD_PRICE_MISMATCH, HOLD_OPEN);
	assert_non_null(order_hold_add(&o, &h));
	order_put(f, &o);
	seqs[2] = o.seq;
	order_free(&o);
	seqs[3] = order_add(f, f->ta, "ord_l3", "web", "L3", 4000,
			    ORDER_ACCEPTED);
	order_make(&o, f->ta, "ord_l4", "edi", "L4", 5000, ORDER_ON_HOLD, 1);
	/* A resolved hold of the type does not count. */
	hold_make(&h, "hld_l4a", HOLD_PRICE_MISMATCH, HOLD_RESOLVED);
	assert_non_null(order_hold_add(&o, &h));
	hold_make(&h, "hld_l4b", HOLD_HIGH_VALUE, HOLD_OPEN);
	assert_non_null(order_hold_add(&o, &h));
	order_put(f, &o);
	seqs[4] = o.seq;
	order_free(&o);
	seqs[5] = order_add(f, f->ta, "ord_l5", "web", "L5", 6000,
			    ORDER_ACCEPTED);
	seqs[6] = order_add(f, f->ta, "ord_l6", "web", "L6", 7000,
			    ORDER_RECEIVED);
	/* Tenant B's order is never listed for A. */
	order_add(f, f->tb, "ord_lb", "web", "LB", 4500, ORDER_ACCEPTED);

	/* Everything, newest first, paged by 3: 3 + 3 + 1. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 3;
	total = 0;
	cursor = 0;
	for (i = 0; i < 3; i++) {
		size_t k;

		flt.before_seq = cursor;
		assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
		assert_int_equal(page.n, i < 2 ? 3 : 1);
		for (k = 0; k < page.n; k++) {
			assert_int_equal(page.orders[k].seq, seqs[6 - total]);
			assert_int_equal(page.orders[k].tenant_id, f->ta);
			assert_true(page.orders[k].n_lines >= 1);
			total++;
		}
		if (i < 2)
			assert_int_equal(page.next_before_seq,
					 page.orders[2].seq);
		else
			assert_int_equal(page.next_before_seq, 0);
		cursor = page.next_before_seq;
		order_page_free(&page);
	}
	assert_int_equal(total, 7);

	/* An exact page still reports no next page. */
	flt.before_seq = 0;
	flt.limit = 7;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 7);
	assert_int_equal(page.next_before_seq, 0);
	order_page_free(&page);

	/* By state. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	flt.has_state = true;
	flt.state = ORDER_ACCEPTED;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 3);
	assert_string_equal(page.orders[0].id, "ord_l5");
	assert_string_equal(page.orders[1].id, "ord_l3");
	assert_string_equal(page.orders[2].id, "ord_l1");
	order_page_free(&page);

	/* By channel. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	ordo_strlcpy(flt.channel, "amazon", sizeof(flt.channel));
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l1");
	order_page_free(&page);

	/* By open hold type: l4's price hold is resolved. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	flt.has_hold_type = true;
	flt.hold_type = HOLD_PRICE_MISMATCH;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l2");
	assert_int_equal(page.orders[0].n_holds, 1);
	assert_int_equal(page.orders[0].n_lines, 2);
	order_page_free(&page);
	flt.hold_type = HOLD_HIGH_VALUE;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l4");
	assert_int_equal(page.orders[0].n_holds, 2);
	order_page_free(&page);
	flt.hold_type = HOLD_RISKY_ORDER;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 0);
	order_page_free(&page);

	/* By external id. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	ordo_strlcpy(flt.external_id, "L3", sizeof(flt.external_id));
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l3");
	order_page_free(&page);

	/* By received range [3000, 6000): l2, l3, l4. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	flt.received_from = 3000;
	flt.received_to = 6000;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 3);
	assert_string_equal(page.orders[0].id, "ord_l4");
	assert_string_equal(page.orders[2].id, "ord_l2");
	order_page_free(&page);

	/* Filters combine, and combine with the cursor. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 1;
	ordo_strlcpy(flt.channel, "web", sizeof(flt.channel));
	flt.has_state = true;
	flt.state = ORDER_ACCEPTED;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l5");
	assert_int_equal(page.next_before_seq, seqs[5]);
	flt.before_seq = page.next_before_seq;
	order_page_free(&page);
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_l3");
	assert_int_equal(page.next_before_seq, 0);
	order_page_free(&page);

	/* Tenant B sees only its own. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	assert_int_equal(list(f, f->tb, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 1);
	assert_string_equal(page.orders[0].id, "ord_lb");
	order_page_free(&page);

	flt.limit = 0;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_EINVALID);
	flt.limit = ORDO_PAGE_MAX + 1;
	assert_int_equal(list(f, f->ta, &flt, &page), ORDO_EINVALID);
}

/* ---- events -------------------------------------------------------------- */

static void test_events(void **state)
{
	struct fx *f = *state;
	struct event_args a;
	order_event *evs = NULL;
	size_t n = 0, i;
	int64_t last = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_events", "web", "EV", 1700001000,
		  ORDER_RECEIVED);
	for (i = 0; i < 3; i++) {
		order_event *ev = &a.ev;

		memset(&a, 0, sizeof(a));
		a.order_id = "ord_events";
		ordo_strlcpy(ev->type, i == 1 ? "hold_raised" : "state_changed",
			     sizeof(ev->type));
		ev->from_state = (order_state)i;
		ev->to_state = (order_state)(i + 1);
		if (i == 1)
			ordo_strlcpy(ev->hold_id, "hld_e", sizeof(ev->hold_id));
		snprintf(ev->actor, sizeof(ev->actor), "agent-%zu", i);
		snprintf(ev->message, sizeof(ev->message), "step %zu", i);
		ev->at = 1700002000 + (int64_t)i;
		assert_int_equal(wr(f, f->ta, w_event_append, &a, &err),
				 ORDO_OK);
		assert_true(ev->seq > last);
		last = ev->seq;
	}
	/* Tenant B cannot append to A's order; nobody to a missing one. */
	assert_int_equal(wr(f, f->tb, w_event_append, &a, &err),
			 ORDO_ENOTFOUND);
	a.order_id = "ord_nope";
	assert_int_equal(wr(f, f->ta, w_event_append, &a, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");

	tx = rd(f);
	assert_int_equal(store_event_list(tx, f->ta, "ord_events", &evs, &n,
					  &err),
			 ORDO_OK);
	assert_int_equal(n, 3);
	for (i = 0; i < 3; i++) {
		char want[32];

		assert_string_equal(evs[i].type,
				    i == 1 ? "hold_raised" : "state_changed");
		assert_int_equal(evs[i].from_state, i);
		assert_int_equal(evs[i].to_state, i + 1);
		assert_string_equal(evs[i].hold_id, i == 1 ? "hld_e" : "");
		snprintf(want, sizeof(want), "agent-%zu", i);
		assert_string_equal(evs[i].actor, want);
		snprintf(want, sizeof(want), "step %zu", i);
		assert_string_equal(evs[i].message, want);
		assert_int_equal(evs[i].at, 1700002000 + (int64_t)i);
		if (i)
			assert_true(evs[i].seq > evs[i - 1].seq);
	}
	free(evs);
	evs = NULL;
	assert_int_equal(store_event_list(tx, f->tb, "ord_events", &evs, &n,
					  &err),
			 ORDO_ENOTFOUND);
	assert_null(evs);
	assert_int_equal(n, 0);
	store_read_end(tx);
}

/* ---- tenancy ------------------------------------------------------------- */

static void test_tenant_scoping(void **state)
{
	struct fx *f = *state;
	struct state_args a = {"ord_a", ORDER_CANCELLED, 1700009000};
	char id[ORDO_ID_MAX];
	order_filter flt;
	order_page page;
	order got;
	order_event *evs = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_a", "web", "TA", 1700001000, ORDER_RECEIVED);

	order_init(&got);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->tb, "ord_a", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_event_list(tx, f->tb, "ord_a", &evs, &n, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_external(tx, f->tb, "web", "TA", id,
						   &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_find_fingerprint(tx, f->tb, "fp-ord_a", 0,
						      id, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
	memset(&flt, 0, sizeof(flt));
	flt.limit = 50;
	assert_int_equal(list(f, f->tb, &flt, &page), ORDO_OK);
	assert_int_equal(page.n, 0);
	assert_int_equal(page.next_before_seq, 0);
	order_page_free(&page);
	/* Nor change it. */
	assert_int_equal(wr(f, f->tb, w_set_state, &a, &err), ORDO_ENOTFOUND);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_a", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, ORDER_RECEIVED);
	order_free(&got);
}

/* ---- idempotency --------------------------------------------------------- */

static void test_idempotency(void **state)
{
	struct fx *f = *state;
	store_idempotency rec, got;
	char body[] = "{\"id\":\"ord_1\",\"state\":\"accepted\"}";
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, "idem-1", sizeof(rec.key));
	memset(rec.request_hash, 'c', 64);
	rec.status = 201;
	rec.body = body;
	rec.created_at = 1700003000;
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_ECONFLICT);
	assert_string_equal(err.field, "key");
	/* Keys are per tenant. */
	assert_int_equal(wr(f, f->tb, w_idem_put, &rec, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_idempotency_get(tx, f->ta, "idem-1", &got, &err),
			 ORDO_OK);
	assert_string_equal(got.key, "idem-1");
	assert_string_equal(got.request_hash, rec.request_hash);
	assert_int_equal(got.status, 201);
	assert_non_null(got.body);
	assert_string_equal(got.body, body);
	assert_int_equal(got.created_at, 1700003000);
	store_idempotency_free(&got);
	assert_null(got.body);
	assert_int_equal(store_idempotency_get(tx, f->ta, "idem-2", &got, &err),
			 ORDO_ENOTFOUND);
	assert_null(got.body);
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
	assert_int_equal(store_migrate(g.st, &applied, &version, &err),
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

/* ---- settings ------------------------------------------------------------ */

static ordo_code w_settings_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_settings_put(tx, w->tenant, w->p, err);
}

static void test_settings(void **state)
{
	struct fx *f = *state;
	tenant_settings s, want, def;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int t;

	settings_defaults(&def);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &def, sizeof(s));
	store_read_end(tx);

	settings_defaults(&want);
	want.duplicate_window_s = 120;
	want.backorder = BACKORDER_HOLD;
	want.release = RELEASE_WAVE;
	want.release_sla_s = 3600;
	want.cutoff_minute = 15 * 60 + 30;
	want.closing_period_s = 7200;
	want.webhook_retry_window_s = 600;
	want.low_stock_threshold = 9;
	want.bulk_limit = 7;
	for (t = 0; t < HOLD_TYPE_COUNT; t++) {
		want.hold_sla_s[t] = 60 + 100 * t;
		want.hold_priority[t] = 1 + (t + 2) % 5;
	}
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &want, sizeof(s));
	/* Tenant B still has the defaults. */
	assert_int_equal(store_settings_get(tx, f->tb, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &def, sizeof(s));
	store_read_end(tx);

	/* Saving again replaces, the hold types' rows too. */
	want.cutoff_minute = -1;
	want.release = RELEASE_AUTO;
	want.hold_sla_s[HOLD_RISKY_ORDER] = SETTINGS_HOLD_SLA_MAX_S;
	want.hold_priority[HOLD_RISKY_ORDER] = 5;
	want.hold_sla_s[HOLD_MISSING_DATA] = def.hold_sla_s[HOLD_MISSING_DATA];
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_settings_get(tx, f->ta, &s, &err), ORDO_OK);
	assert_memory_equal(&s, &want, sizeof(s));
	store_read_end(tx);

	/* Out of bounds, or no such tenant. */
	want.hold_priority[HOLD_UNKNOWN_SKU] = 6;
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "holds");
	want.hold_priority[HOLD_UNKNOWN_SKU] = 2;
	want.release_sla_s = -1;
	assert_int_equal(wr(f, f->ta, w_settings_put, &want, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "release_sla_s");
	assert_int_equal(wr(f, 999999, w_settings_put, &def, &err),
			 ORDO_ENOTFOUND);
}

/* ---- locations: what they serve ------------------------------------------ */

static void test_location_serves(void **state)
{
	struct fx *f = *state;
	catalog_location l, got, *page = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	location_make(&l, "WH1", 1);
	l.n_serves = 3;
	ordo_strlcpy(l.serves[0], "US", sizeof(l.serves[0]));
	ordo_strlcpy(l.serves[1], "CA-QC", sizeof(l.serves[1]));
	ordo_strlcpy(l.serves[2], "MX", sizeof(l.serves[2]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH2", 2);
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);

	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.n_serves, 3);
	assert_string_equal(got.serves[0], "US");
	assert_string_equal(got.serves[1], "CA-QC");
	assert_string_equal(got.serves[2], "MX");
	assert_int_equal(store_location_list(tx, f->ta, "", 10, &page, &n,
					     &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].n_serves, 3);
	assert_int_equal(page[1].n_serves, 0);
	free(page);
	store_read_end(tx);

	/* Replacing the location replaces the list. */
	location_make(&l, "WH1", 1);
	l.n_serves = 1;
	ordo_strlcpy(l.serves[0], "DE", sizeof(l.serves[0]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_location_get(tx, f->ta, "WH1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.n_serves, 1);
	assert_string_equal(got.serves[0], "DE");
	store_read_end(tx);

	/* A code that cannot be stored as given is refused. */
	ordo_strlcpy(l.serves[0], "U,S", sizeof(l.serves[0]));
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "serves");
	l.serves[0][0] = '\0';
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
	l.n_serves = LOCATION_MAX_SERVES + 1;
	assert_int_equal(wr(f, f->ta, w_location_put, &l, &err),
			 ORDO_EINVALID);
}

/* ---- stock rows and history ---------------------------------------------- */

static ordo_code w_stock_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_stock_put(tx, w->tenant, w->p, err);
}

static ordo_code w_stock_event(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_stock_event_append(tx, w->tenant, w->p, err);
}

/* Locations WH1, WH2 and SKUs A-1, B-2 for tenant. */
static void catalog_add(struct fx *f, int64_t tenant)
{
	catalog_location l;
	catalog_sku s;
	ordo_err err = ORDO_ERR_INIT;

	location_make(&l, "WH1", 1);
	assert_int_equal(wr(f, tenant, w_location_put, &l, &err), ORDO_OK);
	location_make(&l, "WH2", 2);
	assert_int_equal(wr(f, tenant, w_location_put, &l, &err), ORDO_OK);
	sku_make(&s, "A-1", "Thing", 100);
	assert_int_equal(wr(f, tenant, w_sku_put, &s, &err), ORDO_OK);
	sku_make(&s, "B-2", "Other", 200);
	assert_int_equal(wr(f, tenant, w_sku_put, &s, &err), ORDO_OK);
}

static void level_make(stock_level *lv, const char *location, const char *sku,
		       int64_t on_hand, int64_t reserved, int64_t safety)
{
	memset(lv, 0, sizeof(*lv));
	ordo_strlcpy(lv->location, location, sizeof(lv->location));
	ordo_strlcpy(lv->sku, sku, sizeof(lv->sku));
	lv->on_hand = on_hand;
	lv->reserved = reserved;
	lv->safety_stock = safety;
	lv->updated_at = 1700000200;
}

static void test_stock_put(void **state)
{
	struct fx *f = *state;
	struct stock_args sa = {.location = "WH1", .sku = "A-1", .on_hand = 3};
	stock_level lv, got, *rows = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	catalog_add(f, f->ta);
	level_make(&lv, "WH1", "A-1", 10, 4, 1);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &got, &err),
			 ORDO_OK);
	assert_memory_equal(&got, &lv, sizeof(got));
	store_read_end(tx);

	/* Replace the whole row. */
	level_make(&lv, "WH1", "A-1", 8, 8, 0);
	lv.updated_at = 1700000300;
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	/* stock_set keeps what is reserved: 3 < 8 reserved. */
	assert_int_equal(wr(f, f->ta, w_stock_set, &sa, &err),
			 ORDO_ECONFLICT);

	/* Impossible rows are refused and change nothing. */
	level_make(&lv, "WH1", "A-1", 10, 11, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "on_hand");
	level_make(&lv, "WH1", "A-1", -1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "on_hand");
	level_make(&lv, "WH1", "A-1", 5, -1, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	level_make(&lv, "WH1", "A-1", 5, 0, -2);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err),
			 ORDO_ECONFLICT);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.on_hand, 8);
	assert_int_equal(got.reserved, 8);
	assert_int_equal(got.updated_at, 1700000300);
	store_read_end(tx);

	/* Unknown keys, also another tenant's. */
	level_make(&lv, "WH9", "A-1", 1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	level_make(&lv, "WH1", "Z-9", 1, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_ENOTFOUND);
	assert_string_equal(err.field, "sku");
	level_make(&lv, "WH1", "A-1", 1, 0, 0);
	assert_int_equal(wr(f, f->tb, w_stock_put, &lv, &err), ORDO_ENOTFOUND);

	/* Every location's row of one SKU, by location. */
	level_make(&lv, "WH2", "A-1", 5, 0, 2);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	level_make(&lv, "WH1", "B-2", 7, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_stock_of_sku(tx, f->ta, "A-1", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(rows[0].location, "WH1");
	assert_int_equal(rows[0].on_hand, 8);
	assert_string_equal(rows[1].location, "WH2");
	assert_int_equal(rows[1].safety_stock, 2);
	free(rows);
	assert_int_equal(store_stock_of_sku(tx, f->tb, "A-1", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(rows);
	assert_int_equal(store_stock_of_sku(tx, f->ta, "Z-9", &rows, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(rows);
	store_read_end(tx);
}

static void stock_event_make(stock_event *ev, const char *location,
			     const char *sku, int i)
{
	memset(ev, 0, sizeof(*ev));
	ordo_strlcpy(ev->location, location, sizeof(ev->location));
	ordo_strlcpy(ev->sku, sku, sizeof(ev->sku));
	ordo_strlcpy(ev->type, i % 2 ? "reserve" : "count", sizeof(ev->type));
	ev->delta_on_hand = i % 2 ? 0 : 10 + i;
	ev->delta_reserved = i % 2 ? 2 : 0;
	ev->on_hand = 100 + i;
	ev->reserved = i;
	snprintf(ev->reason, sizeof(ev->reason), "reason-%d", i);
	snprintf(ev->note, sizeof(ev->note), "note %d", i);
	ordo_strlcpy(ev->actor, "key:ops", sizeof(ev->actor));
	if (i % 2)
		snprintf(ev->order_id, sizeof(ev->order_id), "ord_%d", i);
	ev->at = 1700000000 + i;
}

static void test_stock_events(void **state)
{
	struct fx *f = *state;
	stock_event ev, want[6], *page = NULL;
	int64_t seqs[6], next = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	/* A-1: events 0..5 alternating WH1, WH2; one of B-2, one of B's. */
	for (i = 0; i < 6; i++) {
		stock_event_make(&want[i], i % 2 ? "WH2" : "WH1", "A-1", i);
		ev = want[i];
		assert_int_equal(wr(f, f->ta, w_stock_event, &ev, &err),
				 ORDO_OK);
		assert_true(i == 0 || ev.seq > seqs[i - 1]);
		seqs[i] = ev.seq;
		want[i].seq = ev.seq;
	}
	stock_event_make(&ev, "WH1", "B-2", 9);
	assert_int_equal(wr(f, f->ta, w_stock_event, &ev, &err), ORDO_OK);
	stock_event_make(&ev, "WH1", "A-1", 9);
	assert_int_equal(wr(f, f->tb, w_stock_event, &ev, &err), ORDO_OK);

	tx = rd(f);
	/* Newest first, pages of 4 then 2. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 4,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 4);
	assert_memory_equal(&page[0], &want[5], sizeof(page[0]));
	assert_memory_equal(&page[3], &want[2], sizeof(page[0]));
	assert_int_equal(next, seqs[2]);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", next, 4,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].seq, seqs[1]);
	assert_int_equal(page[1].seq, seqs[0]);
	assert_memory_equal(&page[1], &want[0], sizeof(page[0]));
	assert_int_equal(next, 0);
	free(page);
	/* An exact page says no more. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 6,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 6);
	assert_int_equal(next, 0);
	free(page);
	/* One location. */
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "WH2", 0, 2,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_int_equal(page[0].seq, seqs[5]);
	assert_int_equal(page[1].seq, seqs[3]);
	assert_int_equal(next, seqs[3]);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "WH2", next,
						2, &page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_int_equal(page[0].seq, seqs[1]);
	assert_int_equal(next, 0);
	free(page);
	/* Tenant B sees its one event; a bad limit is refused. */
	assert_int_equal(store_stock_event_list(tx, f->tb, "A-1", "", 0, 50,
						&page, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	free(page);
	assert_int_equal(store_stock_event_list(tx, f->ta, "A-1", "", 0, 0,
						&page, &n, &next, &err),
			 ORDO_EINVALID);
	assert_null(page);
	store_read_end(tx);
}

/* ---- orders waiting for stock -------------------------------------------- */

static void test_orders_awaiting_sku(void **state)
{
	struct fx *f = *state;
	char(*ids)[ORDO_ID_MAX] = NULL;
	size_t n = 0;
	order o;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	/* One line of SKU-1 with 1 unit open each, unless said otherwise. */
	order_add(f, f->ta, "ord_w1", "web", "W1", 1000, ORDER_ACCEPTED);
	order_add(f, f->ta, "ord_w2", "web", "W2", 1000, ORDER_RECEIVED);
	order_add(f, f->ta, "ord_w3", "web", "W3", 1000, ORDER_ON_HOLD);
	/* Allocated, but nothing of SKU-1 open any more. */
	order_make(&o, f->ta, "ord_w4", "web", "W4", 1000, ORDER_ALLOCATED, 1);
	o.lines[0].qty_open = 0;
	o.lines[0].qty_cancelled++;
	order_put(f, &o);
	order_free(&o);
	order_add(f, f->ta, "ord_w5", "web", "W5", 1000, ORDER_RELEASED);
	order_add(f, f->ta, "ord_w6", "web", "W6", 1000, ORDER_SHIPPED);
	/* Two lines: SKU-2 open too. */
	order_make(&o, f->ta, "ord_w7", "web", "W7", 1000, ORDER_ALLOCATED, 2);
	order_put(f, &o);
	order_free(&o);
	order_add(f, f->tb, "ord_wb", "web", "WB", 1000, ORDER_ACCEPTED);

	tx = rd(f);
	assert_int_equal(store_orders_awaiting_sku(tx, f->ta, "SKU-1", 10,
						   &ids, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 4);
	assert_string_equal(ids[0], "ord_w1");
	assert_string_equal(ids[1], "ord_w3");
	assert_string_equal(ids[2], "ord_w5");
	assert_string_equal(ids[3], "ord_w7");
	free(ids);
	assert_int_equal(store_orders_awaiting_sku(tx, f->ta, "SKU-1", 2, &ids,
						   &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ids[1], "ord_w3");
	free(ids);
	assert_int_equal(store_orders_awaiting_sku(tx, f->ta, "SKU-2", 10,
						   &ids, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "ord_w7");
	free(ids);
	assert_int_equal(store_orders_awaiting_sku(tx, f->tb, "SKU-1", 10,
						   &ids, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(ids[0], "ord_wb");
	free(ids);
	assert_int_equal(store_orders_awaiting_sku(tx, f->ta, "SKU-1", 0, &ids,
						   &n, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

/* ---- whole-order update -------------------------------------------------- */

static ordo_code w_order_update(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_order_update(tx, w->p, err);
}

/* Read the order inside the write job, change it, write it back. */
static ordo_code w_order_read_modify(store_tx *tx, struct wctx *w,
				     ordo_err *err)
{
	order o;
	order_hold h;
	ordo_code rc;

	order_init(&o);
	rc = store_order_get(tx, w->tenant, w->p, &o, err);
	if (rc)
		goto out;
	o.state = ORDER_ALLOCATED;
	o.updated_at = 1700007000;
	o.accepted_at = 1700006000;
	o.release_due_at = 1700020400;
	o.released_at = 1700006500;
	o.delivered_at = 1700090000;
	o.closed_at = 1700099000;
	/* Line 1: its open unit allocated; line 2: two released shipped. */
	o.lines[0].qty_open--;
	o.lines[0].qty_allocated++;
	o.lines[1].qty_released -= 2;
	o.lines[1].qty_shipped += 2;
	/* The open hold resolved, a new one raised. */
	o.holds[0].status = HOLD_RESOLVED;
	o.holds[0].resolved_at = 1700006900;
	ordo_strlcpy(o.holds[0].message, "resolved",
		     sizeof(o.holds[0].message));
	hold_review_fill(&o.holds[0], 3);
	hold_make(&h, "hld_u3", HOLD_CHANGE_AFTER_RELEASE, HOLD_OPEN);
	hold_review_fill(&h, 4);
	if (!order_hold_add(&o, &h)) {
		rc = ORDO_ENOMEM;
		goto out;
	}
	rc = store_order_update(tx, &o, err);
out:
	order_free(&o);
	return rc;
}

static void test_order_update(void **state)
{
	struct fx *f = *state;
	order o, got, bad;
	order_hold h;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_make(&o, f->ta, "ord_u", "web", "U1", 1700001000, ORDER_ON_HOLD,
		   2);
	o.accepted_at = 11;
	o.release_due_at = 12;
	o.released_at = 13;
	o.delivered_at = 14;
	o.closed_at = 15;
	hold_make(&h, "hld_u1", HOLD_ADDRESS_UNVERIFIABLE, HOLD_OPEN);
	assert_non_null(order_hold_add(&o, &h));
	hold_make(&h, "hld_u2", HOLD_HIGH_VALUE, HOLD_RESOLVED);
	assert_non_null(order_hold_add(&o, &h));
	order_put(f, &o);
	order_add(f, f->ta, "ord_other", "web", "U2", 1700001000,
		  ORDER_ACCEPTED);

	/* The new header times are stored at insert. */
	order_init(&got);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_u", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.accepted_at, 11);
	assert_int_equal(got.release_due_at, 12);
	assert_int_equal(got.released_at, 13);
	assert_int_equal(got.delivered_at, 14);
	assert_int_equal(got.closed_at, 15);
	order_free(&got);

	assert_int_equal(wr(f, f->ta, w_order_read_modify, "ord_u", &err),
			 ORDO_OK);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_u", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, ORDER_ALLOCATED);
	assert_int_equal(got.updated_at, 1700007000);
	assert_int_equal(got.accepted_at, 1700006000);
	assert_int_equal(got.release_due_at, 1700020400);
	assert_int_equal(got.released_at, 1700006500);
	assert_int_equal(got.delivered_at, 1700090000);
	assert_int_equal(got.closed_at, 1700099000);
	/* Header fields set at intake are kept. */
	assert_int_equal(got.received_at, o.received_at);
	assert_string_equal(got.notes, o.notes);
	assert_int_equal(got.n_lines, 2);
	assert_int_equal(got.lines[0].qty_open, o.lines[0].qty_open - 1);
	assert_int_equal(got.lines[0].qty_allocated,
			 o.lines[0].qty_allocated + 1);
	assert_int_equal(got.lines[1].qty_released,
			 o.lines[1].qty_released - 2);
	assert_int_equal(got.lines[1].qty_shipped, o.lines[1].qty_shipped + 2);
	assert_int_equal(got.lines[1].qty_returned, o.lines[1].qty_returned);
	assert_int_equal(got.n_holds, 3);
	assert_string_equal(got.holds[0].id, "hld_u1");
	assert_int_equal(got.holds[0].status, HOLD_RESOLVED);
	assert_int_equal(got.holds[0].resolved_at, 1700006900);
	assert_string_equal(got.holds[0].message, "resolved");
	/* The review fields are written for existing and new holds. */
	h = o.holds[0];
	h.status = HOLD_RESOLVED;
	h.resolved_at = 1700006900;
	ordo_strlcpy(h.message, "resolved", sizeof(h.message));
	hold_review_fill(&h, 3);
	hold_equal(&h, &got.holds[0]);
	assert_string_equal(got.holds[1].id, "hld_u2");
	assert_string_equal(got.holds[1].rule_id, "");
	assert_int_equal(got.holds[1].priority, 0);
	assert_string_equal(got.holds[2].id, "hld_u3");
	assert_int_equal(got.holds[2].type, HOLD_CHANGE_AFTER_RELEASE);
	assert_int_equal(got.holds[2].status, HOLD_OPEN);
	hold_make(&h, "hld_u3", HOLD_CHANGE_AFTER_RELEASE, HOLD_OPEN);
	hold_review_fill(&h, 4);
	hold_equal(&h, &got.holds[2]);
	assert_int_equal(order_open_holds(&got), 1);

	/* Another tenant cannot update it. */
	got.tenant_id = f->tb;
	got.state = ORDER_CANCELLED;
	assert_int_equal(wr(f, f->tb, w_order_update, &got, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	got.tenant_id = f->ta;

	/* A hold id of another order is refused, and nothing is written. */
	order_init(&bad);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_other", &bad, &err),
			 ORDO_OK);
	store_read_end(tx);
	bad.state = ORDER_CANCELLED;
	hold_make(&h, "hld_u1", HOLD_RISKY_ORDER, HOLD_OPEN);
	assert_non_null(order_hold_add(&bad, &h));
	assert_int_equal(wr(f, f->ta, w_order_update, &bad, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "holds");
	/* A line the order does not have. */
	bad.n_holds = 0;
	bad.lines[0].line_no = 7;
	assert_int_equal(wr(f, f->ta, w_order_update, &bad, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "line_no");
	order_free(&bad);
	order_init(&bad);
	tx = rd(f);
	assert_int_equal(store_order_get(tx, f->ta, "ord_other", &bad, &err),
			 ORDO_OK);
	assert_int_equal(store_order_get(tx, f->ta, "ord_u", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(bad.state, ORDER_ACCEPTED);
	assert_int_equal(bad.n_holds, 0);
	assert_int_equal(got.holds[0].type, HOLD_ADDRESS_UNVERIFIABLE);
	order_free(&bad);
	order_free(&got);
	order_free(&o);
}

/* ---- closing delivered orders -------------------------------------------- */

static void order_add_delivered(struct fx *f, int64_t tenant, const char *id,
				order_state state, ordo_time delivered_at)
{
	order o;

	order_make(&o, tenant, id, "web", id, 1000, state, 1);
	o.delivered_at = delivered_at;
	order_put(f, &o);
	order_free(&o);
}

static ordo_code due(struct fx *f, ordo_time now, int limit,
		     store_order_ref **refs, size_t *n)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_orders_due_to_close(tx, now, limit, refs, n, &err);
	store_read_end(tx);
	return rc;
}

static void test_orders_due_to_close(void **state)
{
	struct fx *f = *state;
	store_order_ref *refs = NULL;
	tenant_settings s;
	size_t n = 0;
	ordo_err err = ORDO_ERR_INIT;
	const ordo_time dflt = 1209600;

	/* A closes after 100 s; B keeps the default. */
	settings_defaults(&s);
	s.closing_period_s = 100;
	assert_int_equal(wr(f, f->ta, w_settings_put, &s, &err), ORDO_OK);
	order_add_delivered(f, f->ta, "ord_a1", ORDER_DELIVERED, 1000);
	order_add_delivered(f, f->ta, "ord_a2", ORDER_DELIVERED, 950);
	order_add_delivered(f, f->ta, "ord_a3", ORDER_DELIVERED, 2000);
	order_add_delivered(f, f->ta, "ord_a4", ORDER_SHIPPED, 0);
	order_add_delivered(f, f->ta, "ord_a5", ORDER_CLOSED, 900);
	order_add_delivered(f, f->tb, "ord_b1", ORDER_DELIVERED, 1000);

	assert_int_equal(due(f, 1049, 10, &refs, &n), ORDO_OK);
	assert_int_equal(n, 0);
	free(refs);
	assert_int_equal(due(f, 1100, 10, &refs, &n), ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(refs[0].id, "ord_a2");
	assert_int_equal(refs[0].tenant_id, f->ta);
	assert_string_equal(refs[1].id, "ord_a1");
	free(refs);
	/* B's default period passes too: every tenant, oldest first. */
	assert_int_equal(due(f, 1000 + dflt, 10, &refs, &n), ORDO_OK);
	assert_int_equal(n, 4);
	assert_string_equal(refs[0].id, "ord_a2");
	assert_string_equal(refs[1].id, "ord_a1");
	assert_string_equal(refs[2].id, "ord_b1");
	assert_int_equal(refs[2].tenant_id, f->tb);
	assert_string_equal(refs[3].id, "ord_a3");
	free(refs);
	assert_int_equal(due(f, 1000 + dflt, 1, &refs, &n), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(refs[0].id, "ord_a2");
	free(refs);
	assert_int_equal(due(f, 1000, 0, &refs, &n), ORDO_EINVALID);
}

/* ---- fulfillments -------------------------------------------------------- */

struct ful_args {
	fulfillment *ful;
	bool update;
};

static ordo_code w_ful(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct ful_args *a = w->p;

	if (a->update)
		return store_fulfillment_update(tx, w->tenant, a->ful, err);
	return store_fulfillment_insert(tx, w->tenant, a->ful, err);
}

static ordo_code ful_write(struct fx *f, int64_t tenant, fulfillment *ful,
			   bool update, ordo_err *err)
{
	struct ful_args a = {ful, update};

	return wr(f, tenant, w_ful, &a, err);
}

/* A fulfillment with n lines (line_no 1.., quantity 3, none shipped). */
static void ful_make(fulfillment *ful, const char *id, const char *order_id,
		     const char *location, fulfillment_state st, size_t n)
{
	size_t i;

	memset(ful, 0, sizeof(*ful));
	ordo_strlcpy(ful->id, id, sizeof(ful->id));
	ordo_strlcpy(ful->order_id, order_id, sizeof(ful->order_id));
	ordo_strlcpy(ful->location, location, sizeof(ful->location));
	ful->state = st;
	ful->created_at = 1700003000;
	ful->updated_at = 1700003001;
	ful->n_lines = n;
	ful->lines = calloc(n ? n : 1, sizeof(*ful->lines));
	assert_non_null(ful->lines);
	for (i = 0; i < n; i++) {
		ful->lines[i].line_no = (int)i + 1;
		snprintf(ful->lines[i].sku, sizeof(ful->lines[i].sku),
			 "SKU-%zu", i + 1);
		ful->lines[i].quantity = 3;
	}
}

static void ful_add(struct fx *f, int64_t tenant, const char *id,
		    const char *order_id, const char *location,
		    fulfillment_state st, size_t n)
{
	fulfillment ful;
	ordo_err err = ORDO_ERR_INIT;

	ful_make(&ful, id, order_id, location, st, n);
	assert_int_equal(ful_write(f, tenant, &ful, false, &err), ORDO_OK);
	fulfillment_free(&ful);
}

static ordo_code ful_list(struct fx *f, int64_t tenant,
			  const fulfillment_filter *flt, fulfillment **out,
			  size_t *n, int64_t *next)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_fulfillment_list(tx, tenant, flt, out, n, next, &err);
	store_read_end(tx);
	return rc;
}

static void fuls_free(fulfillment *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		fulfillment_free(&items[i]);
	free(items);
}

/* Tenant A: WH1, WH2 and orders ord_f1 (2 lines), ord_f2. */
static void ful_fixture(struct fx *f)
{
	catalog_add(f, f->ta);
	order_add(f, f->ta, "ord_f1", "web", "F1", 1700001000,
		  ORDER_ALLOCATED);
	order_add(f, f->ta, "ord_f2", "web", "F2", 1700001000,
		  ORDER_ALLOCATED);
}

static void test_fulfillments(void **state)
{
	struct fx *f = *state;
	fulfillment ful, got, *items = NULL;
	fulfillment_filter flt;
	size_t n = 0;
	int64_t next = -1, seq2;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	ful_fixture(f);
	catalog_add(f, f->tb);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_PENDING, 1);
	ful_add(f, f->ta, "ful_2", "ord_f1", "WH2", FULFILLMENT_ACCEPTED, 2);
	ful_add(f, f->ta, "ful_3", "ord_f2", "WH1", FULFILLMENT_RELEASED, 1);

	/* Refused: a taken id, an unknown order or location, another
	 * tenant's order. */
	ful_make(&ful, "ful_1", "ord_f2", "WH1", FULFILLMENT_PENDING, 1);
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	ordo_strlcpy(ful.id, "ful_x", sizeof(ful.id));
	ordo_strlcpy(ful.order_id, "ord_nope", sizeof(ful.order_id));
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(ful.order_id, "ord_f2", sizeof(ful.order_id));
	ordo_strlcpy(ful.location, "WH9", sizeof(ful.location));
	assert_int_equal(ful_write(f, f->ta, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "location");
	ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
	assert_int_equal(ful_write(f, f->tb, &ful, false, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	fulfillment_free(&ful);

	/* Read back. */
	memset(&got, 0, sizeof(got));
	tx = rd(f);
	assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_2", &got, &err),
			 ORDO_OK);
	assert_true(got.seq > 0);
	assert_string_equal(got.id, "ful_2");
	assert_string_equal(got.order_id, "ord_f1");
	assert_string_equal(got.location, "WH2");
	assert_int_equal(got.state, FULFILLMENT_ACCEPTED);
	assert_int_equal(got.created_at, 1700003000);
	assert_int_equal(got.updated_at, 1700003001);
	assert_int_equal(got.released_at, 0);
	assert_int_equal(got.n_lines, 2);
	assert_int_equal(got.lines[1].line_no, 2);
	assert_string_equal(got.lines[1].sku, "SKU-2");
	assert_int_equal(got.lines[1].quantity, 3);
	assert_int_equal(got.lines[1].shipped, 0);
	seq2 = got.seq;
	assert_int_equal(store_fulfillment_get(tx, f->tb, "ful_2", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(got.n_lines, 0);
	store_read_end(tx);

	/* Update: released, one line partly shipped, a line added. */
	ful_make(&ful, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful.released_at = 1700004000;
	ful.updated_at = 1700004001;
	ful.lines[0].shipped = 2;
	ful.lines[1].line_no = 2;
	ful.lines[1].quantity = 4;
	ful.lines[1].shipped = 4;
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err), ORDO_OK);
	/* Then rejected, with a reason. */
	ful.state = FULFILLMENT_REJECTED;
	ordo_strlcpy(ful.reject_reason, "out_of_stock",
		     sizeof(ful.reject_reason));
	ordo_strlcpy(ful.reject_message, "shelf empty",
		     sizeof(ful.reject_message));
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err), ORDO_OK);
	/* Refused: another tenant's, unknown, more shipped than allocated. */
	assert_int_equal(ful_write(f, f->tb, &ful, true, &err),
			 ORDO_ENOTFOUND);
	ful.lines[0].shipped = 4;
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err),
			 ORDO_EINTERNAL);
	ful.lines[0].shipped = 2;
	ordo_strlcpy(ful.id, "ful_nope", sizeof(ful.id));
	assert_int_equal(ful_write(f, f->ta, &ful, true, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	fulfillment_free(&ful);

	tx = rd(f);
	assert_int_equal(store_fulfillment_get(tx, f->ta, "ful_1", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.state, FULFILLMENT_REJECTED);
	assert_string_equal(got.reject_reason, "out_of_stock");
	assert_string_equal(got.reject_message, "shelf empty");
	assert_int_equal(got.released_at, 1700004000);
	assert_int_equal(got.created_at, 1700003000);
	assert_int_equal(got.n_lines, 2);
	assert_int_equal(got.lines[0].shipped, 2);
	assert_int_equal(got.lines[1].quantity, 4);
	assert_int_equal(got.lines[1].shipped, 4);
	assert_int_equal(fulfillment_unshipped(&got), 1);
	fulfillment_free(&got);

	/* An order's fulfillments, oldest first. */
	tx = rd(f);
	assert_int_equal(store_fulfillments_of_order(tx, f->ta, "ord_f1",
						     &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_1");
	assert_string_equal(items[1].id, "ful_2");
	assert_int_equal(items[1].n_lines, 2);
	fuls_free(items, n);
	assert_int_equal(store_fulfillments_of_order(tx, f->tb, "ord_f1",
						     &items, &n, &err),
			 ORDO_ENOTFOUND);
	assert_null(items);
	store_read_end(tx);

	/* The list: newest first, paged. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 2;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_3");
	assert_string_equal(items[1].id, "ful_2");
	assert_int_equal(items[1].n_lines, 2);
	assert_int_equal(next, seq2);
	fuls_free(items, n);
	flt.before_seq = next;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_1");
	assert_int_equal(next, 0);
	fuls_free(items, n);
	/* By location, by state, by both. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "ful_3");
	assert_string_equal(items[1].id, "ful_1");
	fuls_free(items, n);
	flt.has_state = true;
	flt.state = FULFILLMENT_RELEASED;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_3");
	fuls_free(items, n);
	flt.location[0] = '\0';
	flt.state = FULFILLMENT_ACCEPTED;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "ful_2");
	fuls_free(items, n);
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 0);
	fuls_free(items, n);
	/* Tenant B has none; bad limits are refused. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	assert_int_equal(ful_list(f, f->tb, &flt, &items, &n, &next), ORDO_OK);
	assert_int_equal(n, 0);
	fuls_free(items, n);
	flt.limit = 0;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next),
			 ORDO_EINVALID);
	flt.limit = STORE_LIST_MAX + 1;
	assert_int_equal(ful_list(f, f->ta, &flt, &items, &n, &next),
			 ORDO_EINVALID);
}

/* ---- shipments ----------------------------------------------------------- */

static ordo_code w_ship_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_ship_delivered(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_shipment_set_delivered(tx, w->tenant, w->p, 1700009000,
					    err);
}

static void ship_make(shipment *s, const char *id, const char *ful,
		      const char *order_id, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	ordo_strlcpy(s->id, id, sizeof(s->id));
	ordo_strlcpy(s->fulfillment_id, ful, sizeof(s->fulfillment_id));
	ordo_strlcpy(s->order_id, order_id, sizeof(s->order_id));
	ordo_strlcpy(s->carrier, "ups", sizeof(s->carrier));
	snprintf(s->tracking_number, sizeof(s->tracking_number), "1Z-%s", id);
	s->shipped_at = 1700005000;
	s->n_lines = n;
	s->lines = calloc(n ? n : 1, sizeof(*s->lines));
	assert_non_null(s->lines);
	for (i = 0; i < n; i++) {
		snprintf(s->lines[i].sku, sizeof(s->lines[i].sku), "SKU-%zu",
			 i + 1);
		s->lines[i].quantity = (int64_t)i + 1;
	}
}

static void test_shipments(void **state)
{
	struct fx *f = *state;
	shipment s, got, *items = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	ful_fixture(f);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful_add(f, f->ta, "ful_2", "ord_f2", "WH1", FULFILLMENT_RELEASED, 1);

	ship_make(&s, "shp_1", "ful_1", "ord_f1", 2);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
	shipment_free(&s);
	/* The order may be left out: it is the fulfillment's. */
	ship_make(&s, "shp_2", "ful_1", "", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	/* Refused: a fulfillment of another order, an unknown one, another
	 * tenant's. */
	ship_make(&s, "shp_3", "ful_2", "ord_f1", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_EINVALID);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(s.fulfillment_id, "ful_nope", sizeof(s.fulfillment_id));
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "fulfillment_id");
	ordo_strlcpy(s.fulfillment_id, "ful_1", sizeof(s.fulfillment_id));
	assert_int_equal(wr(f, f->tb, w_ship_insert, &s, &err),
			 ORDO_ENOTFOUND);
	shipment_free(&s);

	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_1", &got, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_string_equal(got.id, "shp_1");
	assert_string_equal(got.fulfillment_id, "ful_1");
	assert_string_equal(got.order_id, "ord_f1");
	assert_string_equal(got.carrier, "ups");
	assert_string_equal(got.tracking_number, "1Z-shp_1");
	assert_int_equal(got.shipped_at, 1700005000);
	assert_int_equal(got.delivered_at, 0);
	assert_int_equal(got.n_lines, 2);
	for (i = 0; i < 2; i++) {
		char want[16];

		snprintf(want, sizeof(want), "SKU-%zu", i + 1);
		assert_string_equal(got.lines[i].sku, want);
		assert_int_equal(got.lines[i].quantity, (int64_t)i + 1);
	}
	shipment_free(&got);

	assert_int_equal(wr(f, f->ta, w_ship_delivered, "shp_1", &err),
			 ORDO_OK);
	assert_int_equal(wr(f, f->tb, w_ship_delivered, "shp_1", &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(wr(f, f->ta, w_ship_delivered, "shp_nope", &err),
			 ORDO_ENOTFOUND);

	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_1", &got, &err),
			 ORDO_OK);
	assert_int_equal(got.delivered_at, 1700009000);
	shipment_free(&got);
	assert_int_equal(store_shipment_get(tx, f->tb, "shp_1", &got, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_shipments_of_order(tx, f->ta, "ord_f1", &items,
						  &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "shp_1");
	assert_int_equal(items[0].n_lines, 2);
	assert_string_equal(items[1].id, "shp_2");
	assert_string_equal(items[1].order_id, "ord_f1");
	assert_int_equal(items[1].n_lines, 1);
	for (i = 0; i < n; i++)
		shipment_free(&items[i]);
	free(items);
	assert_int_equal(store_shipments_of_order(tx, f->ta, "ord_f2", &items,
						  &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	assert_int_equal(store_shipments_of_order(tx, f->tb, "ord_f1", &items,
						  &n, &err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);
}

/* The ids a shipment list answers, comma-separated, into out; *next. */
static void ship_listed(struct fx *f, int64_t tenant,
			const shipment_filter *flt, char *out, size_t size,
			int64_t *next)
{
	store_tx *tx = rd(f);
	shipment *items = NULL;
	size_t n = 0, i, len = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_shipment_list(tx, tenant, flt, &items, &n, next,
					     &err),
			 ORDO_OK);
	store_read_end(tx);
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		snprintf(out + len, size - len, "%s%s", i ? "," : "",
			 items[i].id);
		len = strlen(out);
		shipment_free(&items[i]);
	}
	free(items);
}

static void test_shipment_list(void **state)
{
	struct fx *f = *state;
	shipment_filter flt;
	shipment s;
	int64_t next = 0;
	char got[256];
	ordo_err err = ORDO_ERR_INIT;
	store_tx *tx;

	ful_fixture(f);
	ful_add(f, f->ta, "ful_1", "ord_f1", "WH1", FULFILLMENT_RELEASED, 2);
	ful_add(f, f->ta, "ful_2", "ord_f2", "WH2", FULFILLMENT_RELEASED, 1);
	ship_make(&s, "shp_a", "ful_1", "ord_f1", 1);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	ship_make(&s, "shp_b", "ful_2", "ord_f2", 1);
	ordo_strlcpy(s.carrier, "fedex", sizeof(s.carrier));
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);
	ship_make(&s, "shp_c", "ful_1", "ord_f1", 2);
	assert_int_equal(wr(f, f->ta, w_ship_insert, &s, &err), ORDO_OK);
	shipment_free(&s);

	/* The location is the fulfillment's, stored with the shipment. */
	tx = rd(f);
	assert_int_equal(store_shipment_get(tx, f->ta, "shp_b", &s, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_string_equal(s.location, "WH2");
	shipment_free(&s);

	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_b,shp_a");
	assert_int_equal(next, 0);
	/* Pages of one, newest first, with a cursor. */
	flt.limit = 1;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c");
	assert_true(next > 0);
	flt.before_seq = next;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	flt.before_seq = next;
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_a");
	assert_int_equal(next, 0);

	/* Each filter, and together. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.order_id, "ord_f1", sizeof(flt.order_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_a");
	ordo_strlcpy(flt.tracking_number, "1Z-shp_a",
		     sizeof(flt.tracking_number));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_a");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.fulfillment_id, "ful_2", sizeof(flt.fulfillment_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.location, "WH1", sizeof(flt.location));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_c,shp_a");
	ordo_strlcpy(flt.carrier, "fedex", sizeof(flt.carrier));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ordo_strlcpy(flt.carrier, "fedex", sizeof(flt.carrier));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "shp_b");
	ordo_strlcpy(flt.order_id, "ord_nope", sizeof(flt.order_id));
	ship_listed(f, f->ta, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");

	/* Another tenant sees none, even by the order's id. */
	memset(&flt, 0, sizeof(flt));
	flt.limit = 10;
	ship_listed(f, f->tb, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
	ordo_strlcpy(flt.order_id, "ord_f1", sizeof(flt.order_id));
	ship_listed(f, f->tb, &flt, got, sizeof(got), &next);
	assert_string_equal(got, "");
}

/* ---- webhooks ------------------------------------------------------------ */

static ordo_code w_webhook_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_insert(tx, w->tenant, w->p, err);
}

static ordo_code w_webhook_delete(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_delete(tx, w->tenant, w->p, err);
}

static void webhook_add(struct fx *f, int64_t tenant, const char *id,
			const char *events, const char *location)
{
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	memset(&w, 0, sizeof(w));
	ordo_strlcpy(w.id, id, sizeof(w.id));
	snprintf(w.url, sizeof(w.url), "https://hooks.example.com/%s", id);
	snprintf(w.secret, sizeof(w.secret), "whsec_%s", id);
	ordo_strlcpy(w.events, events, sizeof(w.events));
	ordo_strlcpy(w.location, location, sizeof(w.location));
	w.created_at = 1700000500;
	assert_int_equal(wr(f, tenant, w_webhook_insert, &w, &err), ORDO_OK);
}

static void test_webhooks(void **state)
{
	struct fx *f = *state;
	webhook_sub w, *items = NULL;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_1", "order.created,order.updated", "");
	webhook_add(f, f->ta, "wh_2", "fulfillment.released", "WH1");
	webhook_add(f, f->tb, "wh_3", "order.created", "");
	memset(&w, 0, sizeof(w));
	ordo_strlcpy(w.id, "wh_1", sizeof(w.id));
	assert_int_equal(wr(f, f->tb, w_webhook_insert, &w, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");

	tx = rd(f);
	assert_int_equal(store_webhook_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].id, "wh_1");
	assert_string_equal(items[0].url, "https://hooks.example.com/wh_1");
	assert_string_equal(items[0].secret, "whsec_wh_1");
	assert_string_equal(items[0].events, "order.created,order.updated");
	assert_string_equal(items[0].location, "");
	assert_int_equal(items[0].created_at, 1700000500);
	assert_string_equal(items[1].id, "wh_2");
	assert_string_equal(items[1].location, "WH1");
	free(items);
	assert_int_equal(store_webhook_list(tx, f->tb, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "wh_3");
	free(items);
	store_read_end(tx);

	/* Only the owner deletes, once. */
	assert_int_equal(wr(f, f->tb, w_webhook_delete, "wh_1", &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(wr(f, f->ta, w_webhook_delete, "wh_1", &err),
			 ORDO_OK);
	assert_int_equal(wr(f, f->ta, w_webhook_delete, "wh_1", &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	tx = rd(f);
	assert_int_equal(store_webhook_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].id, "wh_2");
	free(items);
	store_read_end(tx);
}

/* ---- the outbox and deliveries ------------------------------------------- */

struct emit_args {
	outbox_event ev;
	int64_t window;
	size_t n;
};

static ordo_code w_emit(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct emit_args *a = w->p;

	return store_outbox_emit(tx, w->tenant, &a->ev, a->window, &a->n, err);
}

/* Emit an event; returns how many deliveries it made. */
static size_t emit(struct fx *f, int64_t tenant, const char *id,
		   const char *type, const char *order_id,
		   const char *location, ordo_time at)
{
	struct emit_args a;
	char payload[128];
	ordo_err err = ORDO_ERR_INIT;

	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.ev.id, id, sizeof(a.ev.id));
	ordo_strlcpy(a.ev.type, type, sizeof(a.ev.type));
	ordo_strlcpy(a.ev.order_id, order_id, sizeof(a.ev.order_id));
	ordo_strlcpy(a.ev.location, location, sizeof(a.ev.location));
	snprintf(payload, sizeof(payload), "{\"id\":\"%s\",\"type\":\"%s\"}",
		 id, type);
	a.ev.payload = payload;
	a.ev.created_at = at;
	a.window = 1000;
	assert_int_equal(wr(f, tenant, w_emit, &a, &err), ORDO_OK);
	return a.n;
}

static void deliveries_free_all(delivery *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_delivery_free(&items[i]);
	free(items);
}

/* Every delivery of a tenant, newest first. */
static size_t deliveries_all(struct fx *f, int64_t tenant, delivery **out)
{
	store_tx *tx = rd(f);
	int64_t next = 0;
	size_t n = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_delivery_list(tx, tenant, false,
					     DELIVERY_PENDING, 0,
					     STORE_LIST_MAX, out, &n, &next,
					     &err),
			 ORDO_OK);
	assert_int_equal(next, 0);
	store_read_end(tx);
	return n;
}

/* The one delivery of event_id to webhook_id. */
static void delivery_find(struct fx *f, int64_t tenant, const char *event_id,
			  const char *webhook_id, delivery *out)
{
	delivery *items = NULL;
	size_t n = deliveries_all(f, tenant, &items), i, found = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(items[i].event_id, event_id) == 0 &&
		    strcmp(items[i].webhook_id, webhook_id) == 0) {
			*out = items[i];
			found++;
		}
	}
	assert_int_equal(found, 1);
	deliveries_free_all(items, n);
}

/* Whether some delivery of event_id went to webhook_id. */
static bool delivered_to(const delivery *items, size_t n,
			 const char *event_id, const char *webhook_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(items[i].event_id, event_id) == 0 &&
		    strcmp(items[i].webhook_id, webhook_id) == 0)
			return true;
	return false;
}

static void test_outbox_emit(void **state)
{
	struct fx *f = *state;
	struct emit_args a;
	delivery *items = NULL, d;
	size_t n;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_all", "order.created, order.updated", "");
	webhook_add(f, f->ta, "wh_ful", "fulfillment.released", "");
	webhook_add(f, f->ta, "wh_wh1", "order.created,fulfillment.released",
		    "WH1");
	/* Names that only look alike never match. */
	webhook_add(f, f->ta, "wh_near", "order.create,order.created.x,order",
		    "");
	webhook_add(f, f->tb, "wh_b", "order.created", "");

	/* An order event: not for the location-bound webhook. */
	assert_int_equal(emit(f, f->ta, "evt_1", "order.created", "ord_1", "",
			      100),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_2", "fulfillment.released",
			      "ord_1", "WH1", 110),
			 2);
	assert_int_equal(emit(f, f->ta, "evt_3", "fulfillment.released",
			      "ord_1", "WH2", 120),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_4", "order.updated", "", "", 130),
			 1);
	assert_int_equal(emit(f, f->ta, "evt_5", "order.cancelled", "ord_1",
			      "", 140),
			 0);
	assert_int_equal(emit(f, f->tb, "evt_6", "order.created", "ord_b", "",
			      150),
			 1);

	n = deliveries_all(f, f->ta, &items);
	assert_int_equal(n, 5);
	assert_true(delivered_to(items, n, "evt_1", "wh_all"));
	assert_true(delivered_to(items, n, "evt_2", "wh_ful"));
	assert_true(delivered_to(items, n, "evt_2", "wh_wh1"));
	assert_true(delivered_to(items, n, "evt_3", "wh_ful"));
	assert_true(delivered_to(items, n, "evt_4", "wh_all"));
	assert_false(delivered_to(items, n, "evt_6", "wh_b"));
	deliveries_free_all(items, n);
	n = deliveries_all(f, f->tb, &items);
	assert_int_equal(n, 1);
	assert_true(delivered_to(items, n, "evt_6", "wh_b"));
	deliveries_free_all(items, n);

	delivery_find(f, f->ta, "evt_2", "wh_wh1", &d);
	assert_int_equal(strncmp(d.id, "dlv_", 4), 0);
	assert_int_equal(strlen(d.id), 30);
	assert_true(d.seq > 0);
	assert_int_equal(d.tenant_id, f->ta);
	assert_string_equal(d.event_type, "fulfillment.released");
	assert_string_equal(d.order_id, "ord_1");
	assert_int_equal(d.status, DELIVERY_PENDING);
	assert_int_equal(d.attempts, 0);
	assert_int_equal(d.last_status, 0);
	assert_string_equal(d.last_error, "");
	assert_int_equal(d.next_attempt_at, 110);
	assert_int_equal(d.retry_until, 1110);
	assert_int_equal(d.claimed_until, 0);
	assert_int_equal(d.delivered_at, 0);
	assert_int_equal(d.created_at, 110);
	assert_null(d.payload);

	/* An event id is used once. */
	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.ev.id, "evt_1", sizeof(a.ev.id));
	ordo_strlcpy(a.ev.type, "order.created", sizeof(a.ev.type));
	a.ev.payload = "{}";
	assert_int_equal(wr(f, f->ta, w_emit, &a, &err), ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");
}

struct claim_args {
	ordo_time now;
	ordo_time lease;
	int limit;
	ordo_time idle; /* until when a webhook with nothing is idle; 0: now + 1 */
	outbox_claim c;
	int64_t rows_read; /* the claim's own work */
};

static ordo_code w_claim(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct claim_args *a = w->p;
	int64_t before = 0, after = 0;
	ordo_code rc = store_tx_rows_read(tx, &before, err);

	if (rc == ORDO_OK)
		rc = store_outbox_claim(tx, a->now, a->lease,
					a->idle ? a->idle : a->now + 1,
					a->limit, &a->c, err);
	if (rc == ORDO_OK)
		rc = store_tx_rows_read(tx, &after, err);
	/* What the store reports is what the database counted. */
	if (rc == ORDO_OK)
		assert_int_equal(a->c.rows_read, after - before);
	a->rows_read = after - before;
	return rc;
}

static ordo_code w_delivery_update(store_tx *tx, struct wctx *w,
				   ordo_err *err)
{
	return store_delivery_update(tx, w->p, err);
}

static ordo_code w_webhook_record(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_webhook_record(tx, w->tenant, w->p, err);
}

struct resume_args {
	const char *id;
	ordo_time now;
};

static ordo_code w_webhook_resume(store_tx *tx, struct wctx *w,
				  ordo_err *err)
{
	struct resume_args *a = w->p;

	return store_webhook_resume(tx, w->tenant, a->id, a->now, err);
}

/* Run fn as the outbox does: its own transaction, not the committer's. */
static ordo_code ob(struct fx *f, int64_t tenant,
		    ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err),
		    void *p, ordo_err *err)
{
	struct wctx w = {.f = f, .fn = fn, .p = p, .tenant = tenant};

	return store_outbox_run(f->st, wctx_run, &w, err);
}

/* Claim at now; "webhook: event ids in order", or "" for nothing. */
static void claim(struct fx *f, ordo_time now, ordo_time lease,
		  const char *want)
{
	struct claim_args a = {.now = now, .lease = lease, .limit = 50};
	char got[256] = "";
	size_t i, len = 0;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
	if (a.c.n)
		len += (size_t)snprintf(got, sizeof(got), "%s:",
					a.c.hook.id);
	for (i = 0; i < a.c.n; i++) {
		const delivery *d = &a.c.items[i];
		char payload[128];

		assert_int_equal(d->status, DELIVERY_PENDING);
		assert_int_equal(d->tenant_id, a.c.tenant_id);
		assert_string_equal(d->webhook_id, a.c.hook.id);
		snprintf(payload, sizeof(payload),
			 "{\"id\":\"%s\",\"type\":\"%s\"}", d->event_id,
			 d->event_type);
		assert_non_null(d->payload);
		assert_string_equal(d->payload, payload);
		assert_int_equal(strncmp(d->url, "https://hooks.example.com/",
					 26),
				 0);
		assert_string_equal(d->url + 26, d->webhook_id);
		assert_int_equal(strncmp(d->secret, "whsec_", 6), 0);
		len += (size_t)snprintf(got + len, sizeof(got) - len, " %s",
					d->event_id);
		assert_true(len < sizeof(got));
	}
	if (a.c.n)
		assert_int_equal(a.c.hook.next_attempt_at, lease);
	store_outbox_claim_free(&a.c);
	assert_string_equal(got, want);
}

/* The webhook as the store has it. */
static void webhook_get(struct fx *f, int64_t tenant, const char *id,
			webhook_sub *w)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_webhook_get(tx, tenant, id, w, &err), ORDO_OK);
	store_read_end(tx);
}

/* Set when the webhook may next be sent to (releasing or backing off). */
static void webhook_next(struct fx *f, int64_t tenant, const char *id,
			 ordo_time at)
{
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	webhook_get(f, tenant, id, &w);
	w.next_attempt_at = at;
	assert_int_equal(ob(f, tenant, w_webhook_record, &w, &err), ORDO_OK);
}

/* Write back d (found by event and webhook) as delivered or failed. */
static void delivery_finish(struct fx *f, int64_t tenant, const char *event_id,
			    const char *webhook_id, delivery_status status,
			    ordo_time at)
{
	delivery d;
	ordo_err err = ORDO_ERR_INIT;

	delivery_find(f, tenant, event_id, webhook_id, &d);
	d.status = status;
	d.attempts++;
	d.last_status = status == DELIVERY_DELIVERED ? 200 : 500;
	ordo_strlcpy(d.last_error, status == DELIVERY_DELIVERED ? "" : "boom",
		     sizeof(d.last_error));
	d.delivered_at = status == DELIVERY_DELIVERED ? at : 0;
	assert_int_equal(ob(f, tenant, w_delivery_update, &d, &err), ORDO_OK);
}

struct purge_args {
	ordo_time idem_before, delivered_before;
	int64_t purged;
};

static ordo_code w_purge(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct purge_args *a = w->p;

	return store_purge(tx, a->idem_before, a->delivered_before,
			   &a->purged, err);
}

static void idem_at(struct fx *f, const char *key, ordo_time at)
{
	store_idempotency rec;
	char body[] = "{}";
	ordo_err err = ORDO_ERR_INIT;

	memset(&rec, 0, sizeof(rec));
	ordo_strlcpy(rec.key, key, sizeof(rec.key));
	memset(rec.request_hash, 'd', 64);
	rec.status = 201;
	rec.body = body;
	rec.created_at = at;
	assert_int_equal(wr(f, f->ta, w_idem_put, &rec, &err), ORDO_OK);
}

/* Retention forgets old keys and delivered webhooks, nothing else. */
static void test_purge(void **state)
{
	struct fx *f = *state;
	struct purge_args a = {.idem_before = 2000, .delivered_before = 300};
	store_idempotency got;
	delivery *items = NULL;
	int64_t next = 0;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_p", "e", "");
	emit(f, f->ta, "ev_p1", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev_p2", "e", "ord_2", "", 110);
	emit(f, f->ta, "ev_p3", "nobody-listens", "ord_3", "", 50);
	delivery_finish(f, f->ta, "ev_p1", "wh_p", DELIVERY_DELIVERED, 200);
	delivery_finish(f, f->ta, "ev_p2", "wh_p", DELIVERY_FAILED, 210);
	idem_at(f, "old-key", 100);
	idem_at(f, "new-key", 5000);

	assert_int_equal(wr(f, f->ta, w_purge, &a, &err), ORDO_OK);
	/* The old key, ev_p1's delivery, and the events ev_p1 and ev_p3,
	 * which no delivery needs any more. */
	assert_int_equal(a.purged, 4);
	tx = rd(f);
	assert_int_equal(store_idempotency_get(tx, f->ta, "old-key", &got,
					       &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_idempotency_get(tx, f->ta, "new-key", &got,
					       &err),
			 ORDO_OK);
	store_idempotency_free(&got);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_DELIVERED, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	/* A failed delivery stays, to be sent again. */
	assert_int_equal(store_delivery_list(tx, f->ta, true, DELIVERY_FAILED,
					     0, 10, &items, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	deliveries_free_all(items, n);
	store_read_end(tx);
	a.purged = -1;
	assert_int_equal(wr(f, f->ta, w_purge, &a, &err), ORDO_OK);
	assert_int_equal(a.purged, 0);
}

static void test_delivery_claim(void **state)
{
	struct fx *f = *state;
	struct claim_args a = {.now = 1, .lease = 2, .limit = 1};
	struct resume_args ra = {.id = "wh_a", .now = 900};
	char id[ORDO_ID_MAX];
	delivery d, *items = NULL;
	webhook_sub w;
	outbox_claim c;
	int64_t next = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_a", "e", "");
	webhook_add(f, f->tb, "wh_b", "e", "");
	webhook_add(f, f->ta, "wh_idle", "other", "");
	/* ev1, ev2: one order to one webhook, in this order. ev3, ev6: the
	 * same for another order. ev4: no order. ev5: tenant B. */
	emit(f, f->ta, "ev1", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev2", "e", "ord_1", "", 110);
	emit(f, f->ta, "ev3", "e", "ord_2", "", 105);
	emit(f, f->ta, "ev4", "e", "", "", 300);
	emit(f, f->tb, "ev5", "e", "ord_1", "", 100);
	emit(f, f->ta, "ev6", "e", "ord_2", "", 106);

	/* One webhook per claim, the longest waiting first, any tenant, with
	 * the first ready delivery of each order: ev2 and ev6 wait. A
	 * webhook with nothing ready (wh_idle) is passed over and set to
	 * look again later. */
	claim(f, 200, 260, "wh_a: ev1 ev3 ev4");
	claim(f, 201, 270, "wh_b: ev5");
	/* Tenant B's receiver backs off for long: out of the way below. */
	webhook_next(f, f->tb, "wh_b", 100000);
	/* Leased: no other sender while the lease lives. */
	claim(f, 210, 280, "");
	webhook_get(f, f->ta, "wh_idle", &w);
	assert_int_equal(w.next_attempt_at, 211);
	claim(f, 259, 280, "");
	/* The lease ran out, the deliveries still pending: claimed again. */
	claim(f, 260, 320, "wh_a: ev1 ev3 ev4");

	/* ev1 delivered: ev2 is ready; ev6 still waits for ev3. */
	delivery_finish(f, f->ta, "ev1", "wh_a", DELIVERY_DELIVERED, 262);
	webhook_next(f, f->ta, "wh_a", 262);
	claim(f, 262, 330, "wh_a: ev2 ev3 ev4");
	/* ev3 failed for good: ev6 is ready. */
	delivery_finish(f, f->ta, "ev3", "wh_a", DELIVERY_FAILED, 263);
	webhook_next(f, f->ta, "wh_a", 263);
	claim(f, 263, 340, "wh_a: ev2 ev4 ev6");

	/* The update wrote everything back and cleared the claim. */
	delivery_find(f, f->ta, "ev1", "wh_a", &d);
	assert_int_equal(d.status, DELIVERY_DELIVERED);
	assert_int_equal(d.attempts, 1);
	assert_int_equal(d.last_status, 200);
	assert_int_equal(d.delivered_at, 262);
	assert_int_equal(d.claimed_until, 0);
	delivery_find(f, f->ta, "ev3", "wh_a", &d);
	assert_int_equal(d.status, DELIVERY_FAILED);
	assert_string_equal(d.last_error, "boom");
	assert_int_equal(d.last_status, 500);

	/* A failing receiver: the webhook backs off as a whole, whatever
	 * its deliveries; its state is kept. */
	webhook_get(f, f->ta, "wh_a", &w);
	w.failures = 2;
	w.failing_since = 263;
	w.next_attempt_at = 500;
	ordo_strlcpy(w.last_error, "no answer within 500 ms",
		     sizeof(w.last_error));
	assert_int_equal(ob(f, f->ta, w_webhook_record, &w, &err), ORDO_OK);
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	d.attempts = 1;
	d.last_status = 0;
	ordo_strlcpy(d.last_error, "no answer within 500 ms",
		     sizeof(d.last_error));
	d.next_attempt_at = 500;
	d.retry_until = 9999;
	assert_int_equal(ob(f, f->ta, w_delivery_update, &d, &err), ORDO_OK);
	claim(f, 499, 600, "");
	webhook_get(f, f->ta, "wh_a", &w);
	assert_int_equal(w.failures, 2);
	assert_int_equal(w.failing_since, 263);
	assert_string_equal(w.last_error, "no answer within 500 ms");
	assert_false(w.paused);
	claim(f, 500, 600, "wh_a: ev2 ev4 ev6");

	/* Paused: never claimed, however due, until resumed. */
	webhook_get(f, f->ta, "wh_a", &w);
	w.paused = true;
	w.paused_at = 700;
	w.next_attempt_at = 700;
	assert_int_equal(ob(f, f->ta, w_webhook_record, &w, &err), ORDO_OK);
	claim(f, 800, 850, "");
	webhook_get(f, f->ta, "wh_a", &w);
	assert_true(w.paused);
	assert_int_equal(w.paused_at, 700);
	ra.id = "wh_b";
	assert_int_equal(wr(f, f->ta, w_webhook_resume, &ra, &err),
			 ORDO_ENOTFOUND);
	ra.id = "wh_a";
	assert_int_equal(wr(f, f->ta, w_webhook_resume, &ra, &err), ORDO_OK);
	webhook_get(f, f->ta, "wh_a", &w);
	assert_false(w.paused);
	assert_int_equal(w.paused_at, 0);
	assert_int_equal(w.failures, 0);
	assert_int_equal(w.failing_since, 0);
	assert_string_equal(w.last_error, "");
	assert_int_equal(w.next_attempt_at, 900);
	claim(f, 899, 950, "");
	claim(f, 900, 950, "wh_a: ev2 ev4 ev6");

	/* Tenancy: get and update are the owner's only. */
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	ordo_strlcpy(id, d.id, sizeof(id));
	tx = rd(f);
	assert_int_equal(store_delivery_get(tx, f->ta, id, &d, &err), ORDO_OK);
	assert_string_equal(d.id, id);
	assert_string_equal(d.event_id, "ev2");
	assert_int_equal(d.attempts, 1);
	assert_int_equal(d.retry_until, 9999);
	assert_int_equal(d.next_attempt_at, 500);
	assert_string_equal(d.last_error, "no answer within 500 ms");
	assert_null(d.payload);
	assert_int_equal(store_delivery_get(tx, f->tb, id, &d, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_delivery_get(tx, f->ta, "dlv_nope", &d, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_webhook_get(tx, f->tb, "wh_a", &w, &err),
			 ORDO_ENOTFOUND);
	/* A claim needs a write transaction. */
	assert_int_equal(store_outbox_claim(tx, 1, 2, 2, 1, &c, &err),
			 ORDO_EINTERNAL);
	store_read_end(tx);
	delivery_find(f, f->ta, "ev2", "wh_a", &d);
	d.tenant_id = f->tb;
	assert_int_equal(ob(f, f->tb, w_delivery_update, &d, &err),
			 ORDO_ENOTFOUND);
	a.limit = 0;
	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_EINVALID);

	/* Deleting a webhook fails its pending deliveries: never claimed. */
	emit(f, f->tb, "ev7", "e", "ord_9", "", 700);
	assert_int_equal(wr(f, f->tb, w_webhook_delete, "wh_b", &err),
			 ORDO_OK);
	claim(f, 10000, 10100, "wh_a: ev2 ev4 ev6");
	claim(f, 10001, 10100, "");
	delivery_find(f, f->tb, "ev7", "wh_b", &d);
	assert_int_equal(d.status, DELIVERY_FAILED);

	/* The list: by status, newest first, paged. */
	tx = rd(f);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_PENDING, 0, 2, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].event_id, "ev6");
	assert_string_equal(items[1].event_id, "ev4");
	assert_int_equal(next, items[1].seq);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_PENDING, next, 2, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "ev2");
	assert_int_equal(next, 0);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, true,
					     DELIVERY_DELIVERED, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	assert_string_equal(items[0].event_id, "ev1");
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, false,
					     DELIVERY_PENDING, 0, 10, &items,
					     &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 5);
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->tb, true, DELIVERY_FAILED,
					     0, 10, &items, &n, &next, &err),
			 ORDO_OK);
	assert_int_equal(n, 2);
	assert_string_equal(items[0].event_id, "ev7");
	assert_string_equal(items[0].last_error, "the webhook was deleted");
	assert_string_equal(items[1].event_id, "ev5");
	assert_string_equal(items[1].last_error, "the webhook was deleted");
	deliveries_free_all(items, n);
	assert_int_equal(store_delivery_list(tx, f->ta, false,
					     DELIVERY_PENDING, 0, 0, &items,
					     &n, &next, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

struct emit_many_args {
	const char *prefix; /* event ids: prefix + number */
	int from, count;
	int per_order; /* events per order id */
};

/* Many events of tenant w->tenant in one job: a backlog, made quickly. */
static ordo_code w_emit_many(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct emit_many_args *a = w->p;
	ordo_code rc = ORDO_OK;
	int i;

	for (i = a->from; rc == ORDO_OK && i < a->from + a->count; i++) {
		outbox_event ev;
		size_t n;

		memset(&ev, 0, sizeof(ev));
		snprintf(ev.id, sizeof(ev.id), "%s%d", a->prefix, i);
		ordo_strlcpy(ev.type, "e", sizeof(ev.type));
		snprintf(ev.order_id, sizeof(ev.order_id), "ord_%s%d",
			 a->prefix, i / a->per_order);
		ev.payload = "{}";
		ev.created_at = 100;
		rc = store_outbox_emit(tx, w->tenant, &ev, 100000, &n, err);
	}
	return rc;
}

/* The work of a claim that finds tenant B's webhook with one delivery. */
static int64_t claim_work(struct fx *f, const char *event_id)
{
	struct claim_args a = {.now = 1000, .lease = 1060, .limit = 4};
	ordo_err err = ORDO_ERR_INIT;

	emit(f, f->tb, event_id, "e", "", "", 100);
	webhook_next(f, f->tb, "wh_live", 0);
	assert_int_equal(ob(f, f->tb, w_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.c.n, 1);
	assert_string_equal(a.c.hook.id, "wh_live");
	assert_string_equal(a.c.items[0].event_id, event_id);
	store_outbox_claim_free(&a.c);
	/* Sent: delivered, so the next measure starts alike. */
	delivery_finish(f, f->tb, event_id, "wh_live", DELIVERY_DELIVERED,
			1000);
	assert_true(a.rows_read > 0);
	return a.rows_read;
}

/*
 * A claim costs the same whatever the backlog of a failing webhook of
 * another tenant: measured in the work the database did (rows read, or
 * SQLite's VM steps), not in time. With the backlog scanned (as a NOT
 * EXISTS over earlier deliveries did) the big case costs thousands of
 * times more.
 */
/*
 * A webhook whose claim found nothing is idle for long, and an event for
 * it makes it due at once: no poll stands between an event and its send.
 * A webhook leased to a sender (or backing off) keeps its time.
 */
static void test_idle_webhook_wakes_on_emit(void **state)
{
	struct fx *f = *state;
	struct claim_args a = {
		.now = 1000, .lease = 1100, .limit = 50, .idle = 5000};
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_w", "e", "");
	assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.c.n, 0);
	store_outbox_claim_free(&a.c);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 5000);

	emit(f, f->ta, "evw1", "e", "ord_w", "", 1010);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 1010);
	claim(f, 1011, 1100, "wh_w: evw1");

	/* Leased: another event does not make it due before the lease
	 * ends (one sender per webhook). */
	emit(f, f->ta, "evw2", "e", "ord_v", "", 1020);
	webhook_get(f, f->ta, "wh_w", &w);
	assert_int_equal(w.next_attempt_at, 1100);
	claim(f, 1021, 1200, "");
}

/* An emit whose transaction claims in the middle (on the outbox's own
 * connection), as another writer's commit can come after a claim read. */
struct emit_then_claim {
	struct emit_args e;
	struct claim_args c;
	ordo_code claim_rc;
};

static ordo_code w_emit_then_claim(store_tx *tx, struct wctx *w,
				   ordo_err *err)
{
	struct emit_then_claim *a = w->p;
	ordo_err cerr = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_outbox_emit(tx, w->tenant, &a->e.ev, a->e.window, &a->e.n,
			       err);
	if (rc == ORDO_OK)
		a->claim_rc = ob(w->f, w->tenant, w_claim, &a->c, &cerr);
	return rc;
}

/*
 * With several writers (PostgreSQL), a claim that cannot see an emit not
 * yet committed must not set the webhook idle for long, or the emit's
 * wake-up, run before the claim, is lost and its delivery waits for the
 * safety net: it looks again soon instead (see WAKING in sql.c).
 */
static void test_a_wake_in_flight_is_not_lost(void **state)
{
	struct fx *f = *state;
	struct emit_then_claim a;
	char payload[64] = "{\"id\":\"evr\",\"type\":\"e\"}";
	webhook_sub w;
	ordo_err err = ORDO_ERR_INIT;

	if (!test_pg_url())
		skip(); /* one writer at a time: nothing is in flight */
	webhook_add(f, f->ta, "wh_r", "e", "");
	memset(&a, 0, sizeof(a));
	ordo_strlcpy(a.e.ev.id, "evr", sizeof(a.e.ev.id));
	ordo_strlcpy(a.e.ev.type, "e", sizeof(a.e.ev.type));
	ordo_strlcpy(a.e.ev.order_id, "ord_r", sizeof(a.e.ev.order_id));
	a.e.ev.payload = payload;
	a.e.ev.created_at = 2000;
	a.e.window = 1000;
	a.c.now = 2000;
	a.c.lease = 2100;
	a.c.limit = 50;
	a.c.idle = 9000;
	assert_int_equal(wr(f, f->ta, w_emit_then_claim, &a, &err), ORDO_OK);
	assert_int_equal(a.claim_rc, ORDO_OK);
	assert_int_equal(a.c.c.n, 0); /* the delivery was not visible */
	store_outbox_claim_free(&a.c.c);
	webhook_get(f, f->ta, "wh_r", &w);
	assert_int_equal(w.next_attempt_at, 2001);
	claim(f, 2001, 2100, "wh_r: evr");
}

static void test_claim_work_is_flat(void **state)
{
	struct fx *f = *state;
	struct emit_many_args m = {.prefix = "dead", .per_order = 3};
	int64_t small, big;
	ordo_err err = ORDO_ERR_INIT;

	webhook_add(f, f->ta, "wh_dead", "e", "");
	webhook_add(f, f->tb, "wh_live", "e", "");
	/* Tenant A's receiver is dead: its webhook backs off. */
	m.from = 0;
	m.count = 10;
	assert_int_equal(wr(f, f->ta, w_emit_many, &m, &err), ORDO_OK);
	webhook_next(f, f->ta, "wh_dead", 1000000);
	small = claim_work(f, "live1");

	/* Thousands more wait for it, ready and waiting. */
	m.from = 10;
	m.count = 3000;
	assert_int_equal(wr(f, f->ta, w_emit_many, &m, &err), ORDO_OK);
	big = claim_work(f, "live2");
	print_message("claim work: %lld with 10 deliveries waiting, %lld with "
		      "3010\n",
		      (long long)small, (long long)big);
	if (big > small + small / 2 + 20)
		fail_msg("a claim read %lld with 3010 deliveries waiting for "
			 "another tenant's failing webhook, %lld with 10",
			 (long long)big, (long long)small);
	/* And the failing webhook itself is never claimed meanwhile. */
	{
		struct claim_args a = {.now = 1001, .lease = 1060,
				       .limit = 4};

		assert_int_equal(ob(f, f->ta, w_claim, &a, &err), ORDO_OK);
		assert_int_equal(a.c.n, 0);
		store_outbox_claim_free(&a.c);
	}
}

static void test_delivery_status_names(void **state)
{
	delivery_status s;

	(void)state;
	assert_string_equal(delivery_status_name(DELIVERY_PENDING), "pending");
	assert_string_equal(delivery_status_name(DELIVERY_DELIVERED),
			    "delivered");
	assert_string_equal(delivery_status_name(DELIVERY_FAILED), "failed");
	assert_int_equal(delivery_status_parse("failed", &s), 0);
	assert_int_equal(s, DELIVERY_FAILED);
	assert_int_equal(delivery_status_parse("delivered", &s), 0);
	assert_int_equal(s, DELIVERY_DELIVERED);
	assert_int_equal(delivery_status_parse("nope", &s), -1);
	store_delivery_free(NULL);
}

/* ---- the committer ------------------------------------------------------- */

/* Counts done callbacks; waits for a number of them. */
struct waiter {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int done;
};

static void waiter_init(struct waiter *w)
{
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->done = 0;
}

static void waiter_wait(struct waiter *w, int n)
{
	pthread_mutex_lock(&w->mu);
	while (w->done < n)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

static void waiter_destroy(struct waiter *w)
{
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
}

enum tjob_kind { TJOB_OK, TJOB_FAIL_AFTER_WRITE, TJOB_CONFLICT };

struct tjob {
	store_job job;
	struct waiter *w;
	int64_t tenant;
	enum tjob_kind kind;
	char sku[ORDO_SKU_MAX];
	ordo_code rc;
	ordo_err err;
};

static ordo_code tjob_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct tjob *j = arg;
	catalog_sku s;
	store_tenant t;
	ordo_code rc;

	sku_make(&s, j->sku, "batched", 1);
	rc = store_sku_put(tx, j->tenant, &s, err);
	if (rc)
		return rc;
	switch (j->kind) {
	case TJOB_OK:
		return ORDO_OK;
	case TJOB_FAIL_AFTER_WRITE:
		/* Wrote a row, then decided against it. */
		return ordo_err_set(err, ORDO_EINVALID, "sku",
				    "refused after writing");
	case TJOB_CONFLICT:
		/* The database refuses this one. */
		memset(&t, 0, sizeof(t));
		ordo_strlcpy(t.slug, "acme", sizeof(t.slug));
		return store_tenant_insert(tx, &t, err);
	}
	return ORDO_EINTERNAL;
}

static void tjob_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct tjob *j = arg;

	j->rc = rc;
	ordo_err_copy(&j->err, err);
	pthread_mutex_lock(&j->w->mu);
	j->w->done++;
	pthread_cond_signal(&j->w->cv);
	pthread_mutex_unlock(&j->w->mu);
}

/* Holds the committer inside its batch until released. */
struct gate {
	store_job job;
	struct waiter *w;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool entered;
	bool open;
	ordo_code rc;
};

static ordo_code gate_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct gate *g = arg;

	(void)tx;
	(void)err;
	pthread_mutex_lock(&g->mu);
	g->entered = true;
	pthread_cond_broadcast(&g->cv);
	while (!g->open)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	return ORDO_OK;
}

static void gate_done(void *arg, ordo_code rc, const ordo_err *err)
{
	struct gate *g = arg;

	(void)err;
	g->rc = rc;
	pthread_mutex_lock(&g->w->mu);
	g->w->done++;
	pthread_cond_signal(&g->w->cv);
	pthread_mutex_unlock(&g->w->mu);
}

struct submitter {
	store *st;
	struct tjob *jobs;
	int n;
};

static void *submitter_main(void *arg)
{
	struct submitter *s = arg;
	int i;

	for (i = 0; i < s->n; i++)
		store_submit(s->st, &s->jobs[i].job);
	return NULL;
}

#define ISO_THREADS 4
#define ISO_PER_THREAD 3
#define ISO_JOBS (ISO_THREADS * ISO_PER_THREAD)

/*
 * The committer is parked inside a batch (the gate job) while four threads
 * queue twelve jobs; releasing it makes those twelve one batch. One of them
 * fails after writing, one is refused by the database: both are rolled back
 * alone and the other ten are committed together.
 */
static void test_batch_failure_isolated(void **state)
{
	struct fx *f = *state;
	struct tjob jobs[ISO_JOBS];
	struct submitter subs[ISO_THREADS];
	pthread_t th[ISO_THREADS];
	struct waiter w;
	struct gate g;
	store_commit_stats before, after;
	store_tenant t;
	store_tx *tx;
	catalog_sku s;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	waiter_init(&w);
	memset(&g, 0, sizeof(g));
	pthread_mutex_init(&g.mu, NULL);
	pthread_cond_init(&g.cv, NULL);
	g.w = &w;
	g.job.run = gate_run;
	g.job.done = gate_done;
	g.job.arg = &g;
	store_commit_stats_get(f->st, &before);

	store_submit(f->st, &g.job);
	pthread_mutex_lock(&g.mu);
	while (!g.entered)
		pthread_cond_wait(&g.cv, &g.mu);
	pthread_mutex_unlock(&g.mu);

	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < ISO_JOBS; i++) {
		struct tjob *j = &jobs[i];

		j->w = &w;
		j->tenant = f->ta;
		j->kind = i == 5 ? TJOB_FAIL_AFTER_WRITE
			  : i == 9 ? TJOB_CONFLICT
				   : TJOB_OK;
		snprintf(j->sku, sizeof(j->sku), "ISO-%02d", i);
		j->job.run = tjob_run;
		j->job.done = tjob_done;
		j->job.arg = j;
	}
	for (i = 0; i < ISO_THREADS; i++) {
		subs[i].st = f->st;
		subs[i].jobs = &jobs[i * ISO_PER_THREAD];
		subs[i].n = ISO_PER_THREAD;
		assert_int_equal(pthread_create(&th[i], NULL, submitter_main,
						&subs[i]),
				 0);
	}
	for (i = 0; i < ISO_THREADS; i++)
		pthread_join(th[i], NULL);

	pthread_mutex_lock(&g.mu);
	g.open = true;
	pthread_cond_broadcast(&g.cv);
	pthread_mutex_unlock(&g.mu);
	waiter_wait(&w, ISO_JOBS + 1);

	assert_int_equal(g.rc, ORDO_OK);
	for (i = 0; i < ISO_JOBS; i++) {
		if (i == 5) {
			assert_int_equal(jobs[i].rc, ORDO_EINVALID);
			assert_string_equal(jobs[i].err.message,
					    "refused after writing");
		} else if (i == 9) {
			assert_int_equal(jobs[i].rc, ORDO_ECONFLICT);
			assert_string_equal(jobs[i].err.field, "slug");
		} else {
			assert_int_equal(jobs[i].rc, ORDO_OK);
		}
	}
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, ISO_JOBS + 1);
	/* The gate's batch, then one batch for all twelve. */
	assert_int_equal(after.commits - before.commits, 2);
	assert_true(after.max_batch >= ISO_JOBS);

	tx = rd(f);
	for (i = 0; i < ISO_JOBS; i++) {
		ordo_code want = (i == 5 || i == 9) ? ORDO_ENOTFOUND : ORDO_OK;

		assert_int_equal(store_sku_get(tx, f->ta, jobs[i].sku, &s, &err),
				 want);
	}
	/* The conflicting job's tenant insert left no trace either. */
	assert_int_equal(store_tenant_by_slug(tx, "acme", &t, &err), ORDO_OK);
	assert_int_equal(t.id, f->ta);
	store_read_end(tx);

	pthread_cond_destroy(&g.cv);
	pthread_mutex_destroy(&g.mu);
	waiter_destroy(&w);
}

#define GC_THREADS 8
#define GC_PER_THREAD 25

struct gc_thread {
	struct fx *f;
	int index;
	int failures;
};

static void *gc_thread_main(void *arg)
{
	struct gc_thread *t = arg;
	catalog_sku s;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < GC_PER_THREAD; i++) {
		char name[32];

		snprintf(name, sizeof(name), "GC-%d-%02d", t->index, i);
		sku_make(&s, name, "group commit", i);
		if (wr(t->f, t->f->ta, w_sku_put, &s, &err) != ORDO_OK)
			t->failures++;
	}
	return NULL;
}

/* 200 store_writes from 8 threads share commits. */
static void test_group_commit_batches(void **state)
{
	struct fx *f = *state;
	struct gc_thread ts[GC_THREADS];
	pthread_t th[GC_THREADS];
	store_commit_stats before, after;
	catalog_sku *page = NULL;
	size_t n = 0, total = 0;
	char after_key[ORDO_SKU_MAX] = "";
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	store_commit_stats_get(f->st, &before);
	for (i = 0; i < GC_THREADS; i++) {
		ts[i].f = f;
		ts[i].index = i;
		ts[i].failures = 0;
		assert_int_equal(
			pthread_create(&th[i], NULL, gc_thread_main, &ts[i]),
			0);
	}
	for (i = 0; i < GC_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failures, 0);
	}
	store_commit_stats_get(f->st, &after);
	assert_int_equal(after.jobs - before.jobs, GC_THREADS * GC_PER_THREAD);
	assert_true(after.commits - before.commits <
		    after.jobs - before.jobs);
	assert_true(after.max_batch > 1);
	print_message("group commit: %llu jobs in %llu commits, max batch "
		      "%llu\n",
		      (unsigned long long)(after.jobs - before.jobs),
		      (unsigned long long)(after.commits - before.commits),
		      (unsigned long long)after.max_batch);

	tx = rd(f);
	do {
		assert_int_equal(store_sku_list(tx, f->ta, after_key,
						ORDO_PAGE_MAX, &page, &n, &err),
				 ORDO_OK);
		total += n;
		if (n)
			ordo_strlcpy(after_key, page[n - 1].sku,
				     sizeof(after_key));
		free(page);
	} while (n);
	store_read_end(tx);
	assert_int_equal(total, GC_THREADS * GC_PER_THREAD);
}

/* When store_write returns the row is on disk: close, reopen, read it. */
static void test_write_is_durable(void **state)
{
	struct fx *f = *state;
	store_options o = test_opts();
	store_tenant t;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int64_t id;
	int version = 0;

	id = tenant_add(f->st, "durable");
	/* Visible to a new snapshot at once... */
	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "durable", &t, &err),
			 ORDO_OK);
	store_read_end(tx);
	/* ...and after the store is closed and opened again. */
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_schema_version(f->st, &version, &err), ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);
	tx = rd(f);
	assert_int_equal(store_tenant_by_slug(tx, "durable", &t, &err),
			 ORDO_OK);
	assert_int_equal(t.id, id);
	store_read_end(tx);
}

/* ---- two stores on one database (two nodes) ------------------------------ */

#define NODE_THREADS 8
#define NODE_WRITES 8

struct node_thread {
	store *st;
	int64_t tenant;
	int won;
	int sold_out;
	int failed;
};

/* Reserve one unit of A-1 at WH1 if one is left: read, check, write back. */
static ordo_code job_reserve_one(store_tx *tx, void *arg, ordo_err *err)
{
	struct node_thread *t = arg;
	stock_level lv;
	ordo_code rc;

	rc = store_stock_get(tx, t->tenant, "WH1", "A-1", &lv, err);
	if (rc)
		return rc;
	if (lv.on_hand - lv.reserved < 1)
		return ordo_err_set(err, ORDO_ECONFLICT, "stock", "sold out");
	lv.reserved++;
	return store_stock_put(tx, t->tenant, &lv, err);
}

static void *node_thread_main(void *arg)
{
	struct node_thread *t = arg;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < NODE_WRITES; i++) {
		ordo_code rc = store_write(t->st, job_reserve_one, t, &err);

		if (rc == ORDO_OK)
			t->won++;
		else if (rc == ORDO_ECONFLICT)
			t->sold_out++;
		else
			t->failed++;
	}
	return NULL;
}

/*
 * Two stores on one database, as two ordo nodes: 64 read-modify-writes of
 * one stock row race for its last 10 units. Exactly 10 win, whichever
 * store (and batch) each runs in: the row is locked where the database
 * has row locks, the whole database is on SQLite.
 */
static void test_two_stores_no_oversell(void **state)
{
	struct fx *f = *state;
	struct node_thread ts[NODE_THREADS];
	pthread_t th[NODE_THREADS];
	store_options o = test_opts();
	store *second = NULL;
	stock_level lv;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i, won = 0;

	catalog_add(f, f->ta);
	level_make(&lv, "WH1", "A-1", 10, 0, 0);
	assert_int_equal(wr(f, f->ta, w_stock_put, &lv, &err), ORDO_OK);
	assert_int_equal(store_open(f->url, &o, &second, &err), ORDO_OK);
	for (i = 0; i < NODE_THREADS; i++) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].st = i % 2 ? second : f->st;
		ts[i].tenant = f->ta;
		assert_int_equal(
			pthread_create(&th[i], NULL, node_thread_main, &ts[i]),
			0);
	}
	for (i = 0; i < NODE_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failed, 0);
		won += ts[i].won;
	}
	store_close(second);
	assert_int_equal(won, 10);
	tx = rd(f);
	assert_int_equal(store_stock_get(tx, f->ta, "WH1", "A-1", &lv, &err),
			 ORDO_OK);
	assert_int_equal(lv.reserved, 10);
	assert_int_equal(lv.on_hand, 10);
	store_read_end(tx);
}

/* Jobs still queued when the store closes are run and committed first. */
static void test_close_drains(void **state)
{
	struct fx *f = *state;
	struct tjob jobs[20];
	struct waiter w;
	store_options o = test_opts();
	catalog_sku s;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	waiter_init(&w);
	memset(jobs, 0, sizeof(jobs));
	for (i = 0; i < 20; i++) {
		jobs[i].w = &w;
		jobs[i].tenant = f->ta;
		jobs[i].kind = TJOB_OK;
		snprintf(jobs[i].sku, sizeof(jobs[i].sku), "DRAIN-%02d", i);
		jobs[i].job.run = tjob_run;
		jobs[i].job.done = tjob_done;
		jobs[i].job.arg = &jobs[i];
		store_submit(f->st, &jobs[i].job);
	}
	store_close(f->st);
	f->st = NULL;
	assert_int_equal(w.done, 20);
	for (i = 0; i < 20; i++)
		assert_int_equal(jobs[i].rc, ORDO_OK);

	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	tx = rd(f);
	for (i = 0; i < 20; i++)
		assert_int_equal(store_sku_get(tx, f->ta, jobs[i].sku, &s, &err),
				 ORDO_OK);
	store_read_end(tx);
	waiter_destroy(&w);
}

/* ---- holds and the review queue ------------------------------------------ */

/* An open or resolved hold for the queue: due and raised at the given times,
 * of a priority; unclaimed, not escalated. */
static void hold_q(order_hold *h, const char *id, hold_type type,
		   hold_status status, ordo_time due_at, ordo_time created_at,
		   int priority)
{
	hold_make(h, id, type, status);
	h->due_at = due_at;
	h->created_at = created_at;
	h->priority = priority;
}

/* Insert an order (one line) of the channel with the given holds. */
static void order_with_holds(struct fx *f, int64_t tenant, const char *id,
			     const char *channel, const order_hold *holds,
			     size_t n)
{
	order o;
	size_t i;

	order_make(&o, tenant, id, channel, id, 1700000000, ORDER_ON_HOLD, 1);
	for (i = 0; i < n; i++)
		assert_non_null(order_hold_add(&o, &holds[i]));
	order_put(f, &o);
	order_free(&o);
}

/*
 * Tenant A: five open holds over three orders and one resolved, seen at
 * now = 2000 (due / raised / priority / claim):
 *
 *     hq_c  amazon  risky_order         900 / 100  / 1  alice until 5000
 *     hq_a  web     address_unverif.   1000 / 500  / 3
 *     hq_b  web     high_value         1000 / 600  / 2  escalated
 *     hq_d  amazon  risky_order        1000 / 700  / 1  bob until 1500
 *     hq_f  web     high_value         1100 / 1900 / 2
 *     hq_e  amazon  risky_order (resolved, due 800)
 *
 * and tenant B one open hold due before them all. Inserted in the order
 * a, b, c, d, e, f, so that of the holds due at 1000 a comes before b
 * before d.
 */
static void queue_fixture(struct fx *f)
{
	order_hold h[3];

	hold_q(&h[0], "hq_a", HOLD_ADDRESS_UNVERIFIABLE, HOLD_OPEN, 1000, 500,
	       3);
	hold_q(&h[1], "hq_b", HOLD_HIGH_VALUE, HOLD_OPEN, 1000, 600, 2);
	h[1].escalated = true;
	order_with_holds(f, f->ta, "ord_q1", "web", h, 2);

	hold_q(&h[0], "hq_c", HOLD_RISKY_ORDER, HOLD_OPEN, 900, 100, 1);
	ordo_strlcpy(h[0].assignee, "alice", sizeof(h[0].assignee));
	h[0].claimed_at = 150;
	h[0].claimed_until = 5000;
	hold_q(&h[1], "hq_d", HOLD_RISKY_ORDER, HOLD_OPEN, 1000, 700, 1);
	ordo_strlcpy(h[1].assignee, "bob", sizeof(h[1].assignee));
	h[1].claimed_at = 800;
	h[1].claimed_until = 1500;
	hold_q(&h[2], "hq_e", HOLD_RISKY_ORDER, HOLD_RESOLVED, 800, 50, 1);
	order_with_holds(f, f->ta, "ord_q2", "amazon", h, 3);

	hold_q(&h[0], "hq_f", HOLD_HIGH_VALUE, HOLD_OPEN, 1100, 1900, 2);
	order_with_holds(f, f->ta, "ord_q3", "web", h, 1);

	hold_q(&h[0], "hq_x", HOLD_HIGH_VALUE, HOLD_OPEN, 100, 100, 1);
	order_with_holds(f, f->tb, "ord_qx", "web", h, 1);
}

static void queue_filter_init(queue_filter *q, ordo_time now, int limit)
{
	memset(q, 0, sizeof(*q));
	q->now = now;
	q->limit = limit;
}

/* The ids of one page, comma-joined into buf; *more as the store says.
 * The page's items are left in *items (free()) when items is not NULL. */
static ordo_code queue_ids(struct fx *f, int64_t tenant, const queue_filter *q,
			   char *buf, size_t size, bool *more,
			   queue_item **items, size_t *n)
{
	queue_item *out = NULL;
	size_t count = 0, i;
	store_tx *tx = rd(f);
	bool m = false;
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	buf[0] = '\0';
	rc = store_queue_list(tx, tenant, q, &out, &count, &m, &err);
	store_read_end(tx);
	if (more)
		*more = m;
	for (i = 0; i < count; i++) {
		if (i)
			strncat(buf, ",", size - strlen(buf) - 1);
		strncat(buf, out[i].hold.id, size - strlen(buf) - 1);
	}
	if (items) {
		*items = out;
		*n = count;
	} else {
		free(out);
	}
	return rc;
}

/* The ids of the first page of the queue under q (up to 50). */
static const char *queue_of(struct fx *f, queue_filter *q)
{
	static char buf[512];

	assert_int_equal(queue_ids(f, f->ta, q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_OK);
	return buf;
}

static void test_queue_list(void **state)
{
	struct fx *f = *state;
	queue_filter q;
	queue_item *items = NULL;
	char buf[512];
	bool more = true;
	size_t n = 0;

	queue_fixture(f);

	/* Open holds only, by due time then seq; another tenant's never. */
	queue_filter_init(&q, 2000, 50);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   &items, &n),
			 ORDO_OK);
	assert_string_equal(buf, "hq_c,hq_a,hq_b,hq_d,hq_f");
	assert_false(more);
	/* Each item carries its hold and a summary of its order. */
	assert_int_equal(n, 5);
	assert_true(items[0].seq > 0);
	assert_true(items[1].seq < items[2].seq);
	assert_true(items[2].seq < items[3].seq);
	assert_int_equal(items[0].hold.type, HOLD_RISKY_ORDER);
	assert_int_equal(items[0].hold.status, HOLD_OPEN);
	assert_int_equal(items[0].hold.due_at, 900);
	assert_int_equal(items[0].hold.priority, 1);
	assert_string_equal(items[0].hold.assignee, "alice");
	assert_int_equal(items[0].hold.claimed_until, 5000);
	assert_string_equal(items[0].hold.message, "hold hq_c");
	assert_string_equal(items[0].order_id, "ord_q2");
	assert_string_equal(items[0].external_id, "ord_q2");
	assert_string_equal(items[0].channel, "amazon");
	assert_int_equal(items[0].order_state, ORDER_ON_HOLD);
	assert_int_equal(items[0].total, 11307);
	assert_string_equal(items[0].currency, "USD");
	assert_string_equal(items[0].customer_name, "Ada Lovelace");
	assert_int_equal(items[0].received_at, 1700000000);
	assert_true(items[2].hold.escalated);
	assert_false(items[1].hold.escalated);
	free(items);

	queue_filter_init(&q, 2000, 50);
	assert_int_equal(queue_ids(f, f->tb, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_string_equal(buf, "hq_x");

	/* Type. */
	queue_filter_init(&q, 2000, 50);
	q.has_type = true;
	q.type = HOLD_HIGH_VALUE;
	assert_string_equal(queue_of(f, &q), "hq_b,hq_f");
	q.type = HOLD_MISSING_DATA;
	assert_string_equal(queue_of(f, &q), "");

	/* Priority. */
	queue_filter_init(&q, 2000, 50);
	q.priority = 1;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_d");
	q.priority = 3;
	assert_string_equal(queue_of(f, &q), "hq_a");

	/* Unclaimed: nobody's, or a lease run out (bob's, at 1500). */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_a,hq_b,hq_d,hq_f");
	/* Claimed by a name: only while the lease is live. */
	ordo_strlcpy(q.assignee, "alice", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_c");
	ordo_strlcpy(q.assignee, "bob", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "");
	q.now = 1400;
	assert_string_equal(queue_of(f, &q), "hq_d");
	q.now = 1500; /* the lease's last second is still its */
	assert_string_equal(queue_of(f, &q), "hq_d");
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "hq_a,hq_b,hq_f");
	q.now = 5001; /* alice's lease is over too */
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d,hq_f");
	ordo_strlcpy(q.assignee, "carol", sizeof(q.assignee));
	assert_string_equal(queue_of(f, &q), "");

	/* The order's channel. */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.channel, "amazon", sizeof(q.channel));
	assert_string_equal(queue_of(f, &q), "hq_c,hq_d");

	/* Age: raised at least min_age_s before now. */
	queue_filter_init(&q, 2000, 50);
	q.min_age_s = 1500;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a");
	q.min_age_s = 100;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d,hq_f");
	q.min_age_s = 101;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_b,hq_d");
	q.min_age_s = -1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);

	/* Escalated, either way. */
	queue_filter_init(&q, 2000, 50);
	q.has_escalated = true;
	q.escalated = true;
	assert_string_equal(queue_of(f, &q), "hq_b");
	q.escalated = false;
	assert_string_equal(queue_of(f, &q), "hq_c,hq_a,hq_d,hq_f");

	/* Filters combine. */
	queue_filter_init(&q, 2000, 50);
	ordo_strlcpy(q.channel, "web", sizeof(q.channel));
	q.has_type = true;
	q.type = HOLD_HIGH_VALUE;
	assert_string_equal(queue_of(f, &q), "hq_b,hq_f");
	ordo_strlcpy(q.assignee, "-", sizeof(q.assignee));
	q.priority = 2;
	q.has_escalated = true;
	q.escalated = false;
	assert_string_equal(queue_of(f, &q), "hq_f");

	/* Limits. */
	queue_filter_init(&q, 2000, 0);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
	q.limit = STORE_BULK_MAX + 1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
	q.limit = STORE_BULK_MAX;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_false(more);
	q.limit = 5; /* exactly all: no page follows */
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_false(more);
	q.after_seq = -1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), NULL, NULL,
				   NULL),
			 ORDO_EINVALID);
}

/* Paging by (due_at, seq), through three holds due at the same second. */
static void test_queue_paging(void **state)
{
	struct fx *f = *state;
	static const char *const pages[] = {"hq_c,hq_a", "hq_b,hq_d", "hq_f"};
	queue_filter q;
	queue_item *items = NULL;
	char buf[512];
	bool more = false;
	size_t n = 0, i;

	queue_fixture(f);
	queue_filter_init(&q, 2000, 2);
	for (i = 0; i < 3; i++) {
		assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf),
					   &more, &items, &n),
				 ORDO_OK);
		assert_string_equal(buf, pages[i]);
		assert_int_equal(more, i < 2);
		q.after_due = items[n - 1].hold.due_at;
		q.after_seq = items[n - 1].seq;
		free(items);
	}
	/* After the last item: nothing. */
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   NULL, NULL),
			 ORDO_OK);
	assert_string_equal(buf, "");
	assert_false(more);

	/* One at a time, the cursor inside the run of equal due times. */
	queue_filter_init(&q, 2000, 1);
	buf[0] = '\0';
	{
		char all[512] = "";

		for (;;) {
			assert_int_equal(queue_ids(f, f->ta, &q, buf,
						   sizeof(buf), &more, &items,
						   &n),
					 ORDO_OK);
			assert_int_equal(n, 1);
			if (all[0])
				strcat(all, ",");
			strcat(all, buf);
			q.after_due = items[0].hold.due_at;
			q.after_seq = items[0].seq;
			free(items);
			if (!more)
				break;
		}
		assert_string_equal(all, "hq_c,hq_a,hq_b,hq_d,hq_f");
	}

	/* A filter keeps to the cursor as well. */
	queue_filter_init(&q, 2000, 1);
	q.priority = 1;
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more,
				   &items, &n),
			 ORDO_OK);
	assert_string_equal(buf, "hq_c");
	assert_true(more);
	q.after_due = items[0].hold.due_at;
	q.after_seq = items[0].seq;
	free(items);
	assert_int_equal(queue_ids(f, f->ta, &q, buf, sizeof(buf), &more, NULL,
				   NULL),
			 ORDO_OK);
	assert_string_equal(buf, "hq_d");
	assert_false(more);
}

struct hold_args {
	const char *id;
	order_hold h;
	char order_id[ORDO_ID_MAX];
};

static ordo_code w_hold_update(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct hold_args *a = w->p;

	return store_hold_update(tx, w->tenant, &a->h, err);
}

/* Read the hold inside the write job (locked where there are row locks),
 * change its mutable fields, write it back. */
static ordo_code w_hold_read_modify(store_tx *tx, struct wctx *w,
				    ordo_err *err)
{
	struct hold_args *a = w->p;
	ordo_code rc;

	rc = store_hold_get(tx, w->tenant, a->id, &a->h, a->order_id, err);
	if (rc)
		return rc;
	a->h.status = HOLD_RESOLVED;
	a->h.priority = 5;
	a->h.due_at = 4242;
	ordo_strlcpy(a->h.assignee, "key:rev", sizeof(a->h.assignee));
	a->h.claimed_at = 3000;
	a->h.claimed_until = 3600;
	a->h.escalated = true;
	ordo_strlcpy(a->h.resolution, "approve", sizeof(a->h.resolution));
	ordo_strlcpy(a->h.resolution_reason, "checked by phone",
		     sizeof(a->h.resolution_reason));
	ordo_strlcpy(a->h.resolved_by, "key:rev", sizeof(a->h.resolved_by));
	a->h.resolved_at = 3300;
	/* Not mutable: not written. */
	ordo_strlcpy(a->h.message, "changed", sizeof(a->h.message));
	ordo_strlcpy(a->h.rule_id, "changed", sizeof(a->h.rule_id));
	return store_hold_update(tx, w->tenant, &a->h, err);
}

static void test_hold_get_update(void **state)
{
	struct fx *f = *state;
	struct hold_args a;
	order_hold h, got, want;
	char order_id[ORDO_ID_MAX];
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	hold_make(&h, "hld_g", HOLD_PRICE_MISMATCH, HOLD_OPEN);
	hold_review_fill(&h, 7);
	h.resolved_at = 0;
	order_with_holds(f, f->ta, "ord_g", "web", &h, 1);

	/* Every field, and the order's id. */
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	hold_equal(&h, &got);
	assert_string_equal(order_id, "ord_g");
	/* Missing, or another tenant's: not found. */
	assert_int_equal(store_hold_get(tx, f->ta, "hld_nope", &got, order_id,
					&err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	assert_int_equal(store_hold_get(tx, f->tb, "hld_g", &got, order_id,
					&err),
			 ORDO_ENOTFOUND);
	store_read_end(tx);

	/* Read and written back in one write job. */
	memset(&a, 0, sizeof(a));
	a.id = "hld_g";
	assert_int_equal(wr(f, f->ta, w_hold_read_modify, &a, &err), ORDO_OK);
	assert_string_equal(a.order_id, "ord_g");
	want = h;
	want.status = HOLD_RESOLVED;
	want.priority = 5;
	want.due_at = 4242;
	ordo_strlcpy(want.assignee, "key:rev", sizeof(want.assignee));
	want.claimed_at = 3000;
	want.claimed_until = 3600;
	want.escalated = true;
	ordo_strlcpy(want.resolution, "approve", sizeof(want.resolution));
	ordo_strlcpy(want.resolution_reason, "checked by phone",
		     sizeof(want.resolution_reason));
	ordo_strlcpy(want.resolved_by, "key:rev", sizeof(want.resolved_by));
	want.resolved_at = 3300;
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	store_read_end(tx);
	hold_equal(&want, &got);

	/* Back to open and unclaimed; the order sees the same hold. */
	memset(&a, 0, sizeof(a));
	a.h = got;
	a.h.status = HOLD_OPEN;
	a.h.assignee[0] = '\0';
	a.h.claimed_until = 0;
	a.h.escalated = false;
	a.h.resolution[0] = '\0';
	a.h.resolved_at = 0;
	assert_int_equal(wr(f, f->ta, w_hold_update, &a, &err), ORDO_OK);
	{
		order o;

		order_init(&o);
		tx = rd(f);
		assert_int_equal(store_order_get(tx, f->ta, "ord_g", &o, &err),
				 ORDO_OK);
		store_read_end(tx);
		assert_int_equal(o.n_holds, 1);
		hold_equal(&a.h, &o.holds[0]);
		order_free(&o);
	}

	/* Another tenant's hold, or none: not found, nothing written. */
	a.h.priority = 4;
	assert_int_equal(wr(f, f->tb, w_hold_update, &a, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "id");
	ordo_strlcpy(a.h.id, "hld_nope", sizeof(a.h.id));
	assert_int_equal(wr(f, f->ta, w_hold_update, &a, &err),
			 ORDO_ENOTFOUND);
	tx = rd(f);
	assert_int_equal(store_hold_get(tx, f->ta, "hld_g", &got, order_id,
					&err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(got.priority, 5);
}

#define CLAIM_THREADS 8
#define CLAIM_HOLDS 48

struct claim_thread {
	store *st;
	int64_t tenant;
	char name[16];
	char hold[ORDO_ID_MAX]; /* the one being claimed */
	int won[CLAIM_HOLDS];
	int failed;
};

/* Claim t->hold for this thread's name unless a live claim holds it:
 * read, check, write back, as the app layer claims. */
static ordo_code job_claim(store_tx *tx, void *arg, ordo_err *err)
{
	struct claim_thread *t = arg;
	char order_id[ORDO_ID_MAX];
	order_hold h;
	ordo_code rc;

	rc = store_hold_get(tx, t->tenant, t->hold, &h, order_id, err);
	if (rc)
		return rc;
	if (h.assignee[0] && h.claimed_until >= 1000)
		return ordo_err_set(err, ORDO_ECONFLICT, "assignee",
				    "claimed by %s", h.assignee);
	ordo_strlcpy(h.assignee, t->name, sizeof(h.assignee));
	if (!h.claimed_at)
		h.claimed_at = 1000;
	h.claimed_until = 1900;
	return store_hold_update(tx, t->tenant, &h, err);
}

static void *claim_thread_main(void *arg)
{
	struct claim_thread *t = arg;
	ordo_err err = ORDO_ERR_INIT;
	int i;

	for (i = 0; i < CLAIM_HOLDS; i++) {
		ordo_code rc;

		snprintf(t->hold, sizeof(t->hold), "hld_race_%d", i);
		rc = store_write(t->st, job_claim, t, &err);
		if (rc == ORDO_OK)
			t->won[i] = 1;
		else if (rc != ORDO_ECONFLICT)
			t->failed++;
	}
	return NULL;
}

/*
 * Claimers of the same holds on two stores (two nodes) at once: of each
 * hold exactly one claimer wins, and the hold names it - the row is locked
 * by store_hold_get in a write job where the database has row locks, the
 * whole database is on SQLite.
 */
static void test_hold_claim_race(void **state)
{
	struct fx *f = *state;
	static struct claim_thread ts[CLAIM_THREADS];
	pthread_t th[CLAIM_THREADS];
	store_options o = test_opts();
	store *second = NULL;
	char order_id[ORDO_ID_MAX];
	order_hold holds[CLAIM_HOLDS], h;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;
	int i, k;

	for (k = 0; k < CLAIM_HOLDS; k++) {
		char id[ORDO_ID_MAX];

		snprintf(id, sizeof(id), "hld_race_%d", k);
		hold_make(&holds[k], id, HOLD_RISKY_ORDER, HOLD_OPEN);
	}
	order_with_holds(f, f->ta, "ord_race", "web", holds, CLAIM_HOLDS);
	assert_int_equal(store_open(f->url, &o, &second, &err), ORDO_OK);
	for (i = 0; i < CLAIM_THREADS; i++) {
		memset(&ts[i], 0, sizeof(ts[i]));
		ts[i].st = i % 2 ? second : f->st;
		ts[i].tenant = f->ta;
		snprintf(ts[i].name, sizeof(ts[i].name), "rev-%d", i);
		assert_int_equal(pthread_create(&th[i], NULL,
						claim_thread_main, &ts[i]),
				 0);
	}
	for (i = 0; i < CLAIM_THREADS; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(ts[i].failed, 0);
	}
	store_close(second);
	tx = rd(f);
	for (k = 0; k < CLAIM_HOLDS; k++) {
		int wins = 0, won = -1;

		for (i = 0; i < CLAIM_THREADS; i++) {
			if (ts[i].won[k]) {
				wins++;
				won = i;
			}
		}
		assert_int_equal(wins, 1);
		assert_int_equal(store_hold_get(tx, f->ta, holds[k].id, &h,
						order_id, &err),
				 ORDO_OK);
		assert_string_equal(h.assignee, ts[won].name);
		assert_int_equal(h.claimed_at, 1000);
		assert_int_equal(h.claimed_until, 1900);
	}
	store_read_end(tx);
}

/* ---- review policy versions ---------------------------------------------- */

static ordo_code w_policy_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_policy_insert(tx, w->tenant, w->p, err);
}

/* Two versions inserted in one job: the second sees the first. */
static ordo_code w_policy_insert_two(store_tx *tx, struct wctx *w,
				     ordo_err *err)
{
	policy_version *v = w->p;
	ordo_code rc = store_policy_insert(tx, w->tenant, &v[0], err);

	return rc ? rc : store_policy_insert(tx, w->tenant, &v[1], err);
}

static void policy_make(policy_version *v, const char *doc, const char *by,
			ordo_time at)
{
	memset(v, 0, sizeof(*v));
	v->document = (char *)doc;
	ordo_strlcpy(v->created_by, by, sizeof(v->created_by));
	v->created_at = at;
}

static void test_policy_versions(void **state)
{
	struct fx *f = *state;
	policy_version v, two[2], got, *items = NULL;
	size_t n = 0, i;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	/* None yet: not found (the default applies). */
	tx = rd(f);
	assert_int_equal(store_policy_active(tx, f->ta, &got, &err),
			 ORDO_ENOTFOUND);
	assert_null(got.document);
	assert_int_equal(store_policy_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 0);
	free(items);
	store_read_end(tx);

	/* Versions count up from 1, per tenant. */
	policy_make(&v, "{\"rules\":[]}", "key:admin", 1700000100);
	assert_int_equal(wr(f, f->ta, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 1);
	policy_make(&v, "{\"rules\":[{\"id\":\"r1\"}]}", "key:admin2",
		    1700000200);
	assert_int_equal(wr(f, f->ta, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 2);
	policy_make(&two[0], "{\"v\":3}", "key:a", 1700000300);
	policy_make(&two[1], "{\"v\":4}", "key:b", 1700000400);
	assert_int_equal(wr(f, f->ta, w_policy_insert_two, two, &err),
			 ORDO_OK);
	assert_int_equal(two[0].version, 3);
	assert_int_equal(two[1].version, 4);
	policy_make(&v, "{\"tenant\":\"b\"}", "key:bolt", 1700000500);
	assert_int_equal(wr(f, f->tb, w_policy_insert, &v, &err), ORDO_OK);
	assert_int_equal(v.version, 1);
	/* No such tenant. */
	assert_int_equal(wr(f, 999999, w_policy_insert, &v, &err),
			 ORDO_ENOTFOUND);

	tx = rd(f);
	assert_int_equal(store_policy_active(tx, f->ta, &got, &err), ORDO_OK);
	assert_int_equal(got.version, 4);
	assert_string_equal(got.document, "{\"v\":4}");
	assert_string_equal(got.created_by, "key:b");
	assert_int_equal(got.created_at, 1700000400);
	store_policy_version_free(&got);
	assert_null(got.document);
	assert_int_equal(store_policy_active(tx, f->tb, &got, &err), ORDO_OK);
	assert_int_equal(got.version, 1);
	assert_string_equal(got.document, "{\"tenant\":\"b\"}");
	store_policy_version_free(&got);

	/* Newest first, only the tenant's. */
	assert_int_equal(store_policy_list(tx, f->ta, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < n; i++)
		assert_int_equal(items[i].version, 4 - (int)i);
	assert_string_equal(items[3].document, "{\"rules\":[]}");
	assert_string_equal(items[3].created_by, "key:admin");
	assert_int_equal(items[3].created_at, 1700000100);
	assert_string_equal(items[2].document, "{\"rules\":[{\"id\":\"r1\"}]}");
	for (i = 0; i < n; i++)
		store_policy_version_free(&items[i]);
	free(items);
	assert_int_equal(store_policy_list(tx, f->tb, &items, &n, &err),
			 ORDO_OK);
	assert_int_equal(n, 1);
	store_policy_version_free(&items[0]);
	free(items);
	store_read_end(tx);
}

/* ---- downstream defects -------------------------------------------------- */

static ordo_code w_defect_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_defect_insert(tx, w->tenant, w->p, err);
}

static void defect_add(struct fx *f, int64_t tenant, const char *id,
		       const char *order_id, const char *type, ordo_time at)
{
	order_defect d;
	ordo_err err = ORDO_ERR_INIT;

	memset(&d, 0, sizeof(d));
	ordo_strlcpy(d.id, id, sizeof(d.id));
	ordo_strlcpy(d.order_id, order_id, sizeof(d.order_id));
	ordo_strlcpy(d.type, type, sizeof(d.type));
	ordo_strlcpy(d.found_by, "Warehouse East", sizeof(d.found_by));
	snprintf(d.note, sizeof(d.note), "note of %s", id);
	ordo_strlcpy(d.reported_by, "key:ops", sizeof(d.reported_by));
	d.created_at = at;
	assert_int_equal(wr(f, tenant, w_defect_insert, &d, &err), ORDO_OK);
}

/* The ids of a defect page, comma-joined. */
static const char *defect_page(struct fx *f, int64_t tenant, const char *type,
			       ordo_time from, ordo_time to, int64_t before,
			       int limit, int64_t *next)
{
	static char buf[512];
	order_defect *items = NULL;
	size_t n = 0, i;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_defect_list(tx, tenant, type, from, to, before,
					   limit, &items, &n, next, &err),
			 ORDO_OK);
	store_read_end(tx);
	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i)
			strcat(buf, ",");
		strcat(buf, items[i].id);
	}
	free(items);
	return buf;
}

static void test_defects(void **state)
{
	struct fx *f = *state;
	order_defect d, *items = NULL;
	int64_t next = -1, count = -1;
	size_t n = 0;
	store_tx *tx;
	ordo_err err = ORDO_ERR_INIT;

	order_add(f, f->ta, "ord_d1", "web", "D1", 1700000000, ORDER_DELIVERED);
	order_add(f, f->ta, "ord_d2", "web", "D2", 1700000000, ORDER_DELIVERED);
	order_add(f, f->tb, "ord_db", "web", "DB", 1700000000, ORDER_DELIVERED);
	defect_add(f, f->ta, "dfc_1", "ord_d1", "wrong_item", 100);
	defect_add(f, f->ta, "dfc_2", "ord_d2", "damaged", 200);
	defect_add(f, f->ta, "dfc_3", "ord_d1", "damaged", 300);
	defect_add(f, f->ta, "dfc_4", "ord_d1", "wrong_item", 400);
	defect_add(f, f->tb, "dfc_b", "ord_db", "damaged", 250);

	/* Another tenant's order, or none: not found, nothing stored. */
	memset(&d, 0, sizeof(d));
	ordo_strlcpy(d.id, "dfc_x", sizeof(d.id));
	ordo_strlcpy(d.order_id, "ord_db", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	ordo_strlcpy(d.order_id, "ord_nope", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ENOTFOUND);
	assert_string_equal(err.field, "order_id");
	/* An id taken. */
	ordo_strlcpy(d.id, "dfc_1", sizeof(d.id));
	ordo_strlcpy(d.order_id, "ord_d2", sizeof(d.order_id));
	assert_int_equal(wr(f, f->ta, w_defect_insert, &d, &err),
			 ORDO_ECONFLICT);
	assert_string_equal(err.field, "id");

	/* An order's defects, oldest first, each field kept. */
	tx = rd(f);
	assert_int_equal(store_defects_of_order(tx, f->ta, "ord_d1", &items,
						&n, &err),
			 ORDO_OK);
	assert_int_equal(n, 3);
	assert_string_equal(items[0].id, "dfc_1");
	assert_string_equal(items[1].id, "dfc_3");
	assert_string_equal(items[2].id, "dfc_4");
	assert_true(items[0].seq > 0 && items[0].seq < items[1].seq);
	assert_string_equal(items[0].order_id, "ord_d1");
	assert_string_equal(items[0].type, "wrong_item");
	assert_string_equal(items[0].found_by, "Warehouse East");
	assert_string_equal(items[0].note, "note of dfc_1");
	assert_string_equal(items[0].reported_by, "key:ops");
	assert_int_equal(items[0].created_at, 100);
	free(items);
	assert_int_equal(store_defects_of_order(tx, f->tb, "ord_d1", &items,
						&n, &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(store_order_defect_count(tx, f->ta, "ord_d1", &count,
						  &err),
			 ORDO_OK);
	assert_int_equal(count, 3);
	assert_int_equal(store_order_defect_count(tx, f->ta, "ord_d2", &count,
						  &err),
			 ORDO_OK);
	assert_int_equal(count, 1);
	assert_int_equal(store_order_defect_count(tx, f->tb, "ord_d1", &count,
						  &err),
			 ORDO_ENOTFOUND);
	assert_int_equal(count, 0);
	store_read_end(tx);

	/* The list: newest first, the tenant's only. */
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 50, &next),
			    "dfc_4,dfc_3,dfc_2,dfc_1");
	assert_int_equal(next, 0);
	assert_string_equal(defect_page(f, f->tb, NULL, 0, 0, 0, 50, &next),
			    "dfc_b");
	/* By type, and by time: from inclusive, to exclusive. */
	assert_string_equal(defect_page(f, f->ta, "damaged", 0, 0, 0, 50,
					&next),
			    "dfc_3,dfc_2");
	assert_string_equal(defect_page(f, f->ta, "", 200, 400, 0, 50, &next),
			    "dfc_3,dfc_2");
	assert_string_equal(defect_page(f, f->ta, "", 0, 300, 0, 50, &next),
			    "dfc_2,dfc_1");
	assert_string_equal(defect_page(f, f->ta, "", 300, 0, 0, 50, &next),
			    "dfc_4,dfc_3");
	assert_string_equal(defect_page(f, f->ta, "wrong_item", 150, 0, 0, 50,
					&next),
			    "dfc_4");
	/* Pages by seq. */
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 3, &next),
			    "dfc_4,dfc_3,dfc_2");
	assert_true(next > 0);
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, next, 3, &next),
			    "dfc_1");
	assert_int_equal(next, 0);
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, 0, 2, &next),
			    "dfc_4,dfc_3");
	assert_string_equal(defect_page(f, f->ta, "", 0, 0, next, 2, &next),
			    "dfc_2,dfc_1");
	assert_int_equal(next, 0);
	tx = rd(f);
	assert_int_equal(store_defect_list(tx, f->ta, "", 0, 0, 0, 0, &items,
					   &n, &next, &err),
			 ORDO_EINVALID);
	assert_int_equal(store_defect_list(tx, f->ta, "", 0, 0, -1, 10, &items,
					   &n, &next, &err),
			 ORDO_EINVALID);
	store_read_end(tx);
}

/* ---- what policies are judged on ----------------------------------------- */

/* An order of the customer key received at `at`. */
static void order_of_customer(struct fx *f, int64_t tenant, const char *id,
			      const char *key, ordo_time at)
{
	order o;

	order_make(&o, tenant, id, "web", id, at, ORDER_DELIVERED, 1);
	ordo_strlcpy(o.customer_key, key, sizeof(o.customer_key));
	order_put(f, &o);
	order_free(&o);
}

static void history_at(struct fx *f, int64_t tenant, const char *key,
		       ordo_time before, int64_t before_seq,
		       int64_t want_orders, int64_t want_defects)
{
	int64_t orders = -1, defects = -1;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_customer_history(tx, tenant, key, before,
						before_seq, &orders, &defects,
						&err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(orders, want_orders);
	assert_int_equal(defects, want_defects);
}

/* Strictly before: no order of the same second counts. */
static void history(struct fx *f, int64_t tenant, const char *key,
		    ordo_time before, int64_t want_orders,
		    int64_t want_defects)
{
	history_at(f, tenant, key, before, 0, want_orders, want_defects);
}

static void test_customer_history(void **state)
{
	struct fx *f = *state;

	order_of_customer(f, f->ta, "ord_h1", "ada@example.com", 1000);
	order_of_customer(f, f->ta, "ord_h2", "ada@example.com", 2000);
	order_of_customer(f, f->ta, "ord_h3", "ada@example.com", 3000);
	order_of_customer(f, f->ta, "ord_h4", "bob@example.com", 1500);
	order_of_customer(f, f->ta, "ord_h5", "", 500);
	order_of_customer(f, f->ta, "ord_h6", "", 600);
	order_of_customer(f, f->tb, "ord_hb", "ada@example.com", 100);
	defect_add(f, f->ta, "dfc_h1", "ord_h1", "damaged", 1100);
	defect_add(f, f->ta, "dfc_h2", "ord_h1", "late", 2500);
	defect_add(f, f->ta, "dfc_h3", "ord_h3", "damaged", 3500);
	defect_add(f, f->ta, "dfc_h4", "ord_h4", "damaged", 1600);
	defect_add(f, f->ta, "dfc_h5", "ord_h5", "damaged", 1000);
	defect_add(f, f->tb, "dfc_hb", "ord_hb", "damaged", 200);

	/* Orders that came before the moment, and the defects on them
	 * reported by then: the history as it stood then. */
	history(f, f->ta, "ada@example.com", 1000, 0, 0);
	/* An order of the same second counts when it came first (lower
	 * seq; INT64_MAX: the order judged is not stored yet). */
	history_at(f, f->ta, "ada@example.com", 1000, INT64_MAX, 1, 0);
	history(f, f->ta, "ada@example.com", 1001, 1, 0);
	history(f, f->ta, "ada@example.com", 1100, 1, 1);
	history(f, f->ta, "ada@example.com", 2600, 2, 2);
	history(f, f->ta, "ada@example.com", 3001, 3, 2);
	history(f, f->ta, "ada@example.com", 99999, 3, 3);
	history(f, f->ta, "bob@example.com", 99999, 1, 1);
	history(f, f->ta, "carol@example.com", 99999, 0, 0);
	/* Tenant B's orders are its own. */
	history(f, f->tb, "ada@example.com", 99999, 1, 1);
	/* No key, no history, however many keyless orders there are. */
	history(f, f->ta, "", 99999, 0, 0);
	history(f, f->ta, NULL, 99999, 0, 0);
}

static void handling_time(struct fx *f, int64_t tenant, int64_t want_mean,
			  int64_t want_n)
{
	int64_t mean = -1, n = -1;
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_handling_time(tx, tenant, &mean, &n, &err),
			 ORDO_OK);
	store_read_end(tx);
	assert_int_equal(mean, want_mean);
	assert_int_equal(n, want_n);
}

/* A resolved hold, claimed first at claimed_at. */
static void hold_done(order_hold *h, const char *id, ordo_time claimed_at,
		      ordo_time resolved_at, const char *resolution)
{
	hold_make(h, id, HOLD_RISKY_ORDER, HOLD_RESOLVED);
	h->claimed_at = claimed_at;
	h->claimed_until = claimed_at + 600;
	h->resolved_at = resolved_at;
	ordo_strlcpy(h->resolution, resolution, sizeof(h->resolution));
	ordo_strlcpy(h->assignee, "rev", sizeof(h->assignee));
}

static void test_handling_time(void **state)
{
	struct fx *f = *state;
	order_hold h[7];

	/* None resolved yet. */
	handling_time(f, f->ta, 0, 0);

	hold_done(&h[0], "ht_1", 1000, 1100, "approve");  /* 100 */
	hold_done(&h[1], "ht_2", 2000, 2250, "correct");  /* 250 */
	hold_done(&h[2], "ht_3", 3000, 3001, "cancel_order"); /* 1 */
	/* Not counted: resolved by the system, never claimed, resolved
	 * before the claim, still open. */
	hold_done(&h[3], "ht_4", 4000, 9000, "system");
	hold_done(&h[4], "ht_5", 0, 9000, "approve");
	hold_done(&h[5], "ht_6", 5000, 4000, "approve");
	hold_done(&h[6], "ht_7", 6000, 0, "");
	h[6].status = HOLD_OPEN;
	order_with_holds(f, f->ta, "ord_ht", "web", h, 7);
	hold_done(&h[0], "ht_b", 1000, 1900, "approve");
	order_with_holds(f, f->tb, "ord_htb", "web", h, 1);

	/* (100 + 250 + 1) / 3 = 117, whole seconds. */
	handling_time(f, f->ta, 117, 3);
	handling_time(f, f->tb, 900, 1);
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
	assert_int_equal(store_migrate(g.st, &applied, &version, &err),
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
	assert_int_equal(store_migrate(g.st, &applied, &version, &err),
			 ORDO_OK);
	assert_int_equal(version, SCHEMA_VERSION);

	tx = NULL;
	assert_int_equal(store_read_begin(g.st, &tx, &err), ORDO_OK);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(store_api_key_by_hash(tx, want[i].hash, &k,
						       &err),
				 ORDO_OK);
		assert_string_equal(k.name, want[i].name);
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


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate, setup, teardown),
		cmocka_unit_test(test_open_fresh_and_bad_urls),
		cmocka_unit_test(test_migrate_concurrently),
		cmocka_unit_test_setup_teardown(test_reconnect, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_tenants, setup, teardown),
		cmocka_unit_test_setup_teardown(test_api_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skus, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locations, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_round_trip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_conflicts, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_find, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_set_state, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tenant_scoping, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_purge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idempotency, setup,
						teardown),
		cmocka_unit_test(test_migrate_from_v1),
		cmocka_unit_test_setup_teardown(test_settings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_location_serves, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock_put, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_stock_events, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_orders_awaiting_sku, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_order_update, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_orders_due_to_close, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fulfillments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shipments, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shipment_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_webhooks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_emit, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_delivery_claim, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_idle_webhook_wakes_on_emit,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_wake_in_flight_is_not_lost,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_claim_work_is_flat, setup,
						teardown),
		cmocka_unit_test(test_delivery_status_names),
		cmocka_unit_test_setup_teardown(test_batch_failure_isolated,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_batches,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_is_durable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_close_drains, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_two_stores_no_oversell,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_list, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_queue_paging, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_get_update, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hold_claim_race, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_policy_versions, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_defects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_customer_history, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_handling_time, setup,
						teardown),
		cmocka_unit_test(test_migrate_from_v2),
		cmocka_unit_test(test_migrate_renames_duplicate_key_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
