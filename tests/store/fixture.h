/*
 * fixture.h - the one fixture every store test file is built around.
 *
 * setup() gives each test a fresh, migrated database with two tenants, A
 * ("acme", f->ta) and B ("bolt", f->tb); teardown() closes the store and
 * drops the database. The database comes from test_store_url(), the only
 * place that knows which backend is under test (env ORDO_TEST_DB: "sqlite",
 * the default, makes a file in a new temporary directory; a postgres:// url
 * names a server and a maintenance database on it, through which each test
 * creates a database of its own, ordo_t_<pid>_<n>, dropped again by
 * test_store_drop(); its role must be allowed to create databases and to end
 * its own sessions). The few tests of one backend only skip on the other.
 *
 * Writes go through store_write (wr() and the w_* jobs below) exactly as the
 * app layer does, so every test also exercises the committer. The builders
 * make complete rows (every field set, none a default) so that a round trip
 * proves every column is stored and read back.
 *
 * A helper lives here when more than one test file uses it; a helper of one
 * domain stays static in that domain's file. This file is fixture.c's
 * header, not a test: the test_*.c glob in tests/CMakeLists.txt does not
 * pick it up, and every store test executable links fixture.c.
 */
#ifndef ORDO_TESTS_STORE_FIXTURE_H
#define ORDO_TESTS_STORE_FIXTURE_H

/* The time the tests say it is, where a store function is told the time. */
#define FX_NOW 1700000000

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>

#include <libpq-fe.h>

#include "store/store.h"

/* The schema version the store's migrations reach. */
#define SCHEMA_VERSION 32

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
const char *test_pg_url(void);

/* A connection to the url, failing the test if there is none. */
PGconn *test_pg_connect(const char *url);

/* Run sql (no parameters) on c, failing the test if it fails. */
void test_pg_exec(PGconn *c, const char *sql);

/* Make a new, empty database on the backend under test and set f->dir and
 * f->url to it. */
void test_store_url(struct fx *f);

/* Remove the database test_store_url() made. */
void test_store_drop(struct fx *f);

/* The store options every test opens with. */
store_options test_opts(void);

/*
 * The plan the database under test makes for sql (a store statement, "?"
 * placeholders) on f's database, as one text to search: SQLite's EXPLAIN
 * QUERY PLAN details, or PostgreSQL's EXPLAIN of the statement prepared
 * and executed with pg_args (the values of its parameters, written as SQL
 * literals: "1, 'a'") with the store's planner settings and sequential
 * scans disabled, so that a small test table does not hide whether an
 * index can serve the query. free() it. plan_keyed() checks what it says.
 */
char *test_explain(struct fx *f, const char *sql, const char *pg_args);

/*
 * Whether a plan of test_explain reads every table through an index by a
 * key and names index: no SQLite "SCAN", no PostgreSQL "Seq Scan", and
 * every PostgreSQL index scan with its "Index Cond" (an index walked
 * whole has none).
 */
bool plan_keyed(const char *plan, const char *index);

/* ---- the fixture --------------------------------------------------------- */

/* A write job inserting the store_tenant arg. */
ordo_code job_tenant_insert(store_tx *tx, void *arg, ordo_err *err);

/*
 * A gate: a job that parks the committer inside its batch until opened,
 * so that the jobs queued meanwhile make the next batch together.
 * gate_park submits it and returns once the committer is in it;
 * gate_open lets it go and waits for its answer (rc).
 */
struct fx_gate {
	store_job job;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool entered, open, answered;
	ordo_code rc;
	int64_t tenant;
	const char *sku;
};

void gate_park(store *st, struct fx_gate *g);
/* The same, the gate naming the tenant's SKU as the stock it takes
 * (store_job.stock_skus): its batch locks that SKU's stock. */
void gate_park_on(store *st, struct fx_gate *g, int64_t tenant,
		  const char *sku);
void gate_open(struct fx_gate *g);

/* Insert a tenant with the slug and return its id. */
int64_t tenant_add(store *st, const char *slug);

/* A fresh, migrated database with tenants A and B in *state (a struct fx). */
int setup(void **state);

/* Close the store of setup() and drop its database. */
int teardown(void **state);

/* A read transaction on f's store; the caller ends it with store_read_end. */
store_tx *rd(struct fx *f);

/* A write job that runs a callback with the fixture and a pointer. */
struct wctx {
	struct fx *f;
	ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err);
	void *p;
	int64_t tenant;
};

/* The store job that runs a struct wctx (arg). */
ordo_code wctx_run(store_tx *tx, void *arg, ordo_err *err);

/* Run fn with p for the tenant as one store_write job. */
ordo_code wr(struct fx *f, int64_t tenant,
	     ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err),
	     void *p, ordo_err *err);

/* ---- write jobs for wr(): each stores w->p for w->tenant ----------------- */

ordo_code w_sku_put(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_location_put(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_order_insert(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_api_key_insert(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_idem_put(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_settings_put(store_tx *tx, struct wctx *w, ordo_err *err);

ordo_code w_stock_put(store_tx *tx, struct wctx *w, ordo_err *err);

struct state_args {
	const char *id;
	order_state state;
	ordo_time now;
};

/* Set the state of an order; w->p is a struct state_args. */
ordo_code w_set_state(store_tx *tx, struct wctx *w, ordo_err *err);

/* ---- builders ------------------------------------------------------------ */

/* An active SKU in USD. */
void sku_make(catalog_sku *s, const char *sku, const char *title,
	      int64_t price);

/* An active location named for its code, with an address. */
void location_make(catalog_location *l, const char *code, int priority);

/* Locations WH1, WH2 and SKUs A-1, B-2 for tenant. */
void catalog_add(struct fx *f, int64_t tenant);

/* A stock level of the SKU at the location. */
void level_make(stock_level *lv, const char *location, const char *sku,
		int64_t on_hand, int64_t reserved, int64_t safety);

/* Every field of two addresses is equal. */
void address_equal(const order_address *a, const order_address *b);

/*
 * A complete order: every header field set, n_lines lines with quantities
 * spread over the states, and the given holds.
 */
void order_make(order *o, int64_t tenant, const char *id,
		const char *channel, const char *external_id,
		ordo_time received_at, order_state state,
		size_t n_lines);

/* Insert o (built by order_make), which gets its seq. */
void order_put(struct fx *f, order *o);

/* Insert a small order with one line and no holds; frees it. */
int64_t order_add(struct fx *f, int64_t tenant, const char *id,
		  const char *channel, const char *external_id,
		  ordo_time received_at, order_state state);

/* List the tenant's orders matching flt into page. */
ordo_code list(struct fx *f, int64_t tenant, const order_filter *flt,
	       order_page *page);

/*
 * PostgreSQL: the tables' statistics brought up to date, as autovacuum
 * keeps them, and f's store opened again with sessions whose sequential
 * scans are off (as in test_explain; the store's sessions have merge and
 * hash joins off themselves): a test's tables are too small for the
 * planner to prefer reading a page's rows by an index to reading the
 * whole table, as it does with a real history.
 * SQLite: nothing.
 */
void analyzed(struct fx *f);

/*
 * The work (store_tx_rows_read) of listing the tenant's orders matching
 * flt, which must give want_n of them: the least of 12 reads, more than
 * the read connections, so that it is not a connection's first, which
 * plans the statement (and PostgreSQL's planner may read rows of the
 * tables as it does).
 */
int64_t list_work(struct fx *f, int64_t tenant, const order_filter *flt,
		  size_t want_n);

/* A hold with every field but the review fields set. */
void hold_make(order_hold *h, const char *id, hold_type type,
	       hold_status status);

/* Set every review field of h to values derived from k, none a default. */
void hold_review_fill(order_hold *h, int k);

/* Every field of two holds is equal. */
void hold_equal(const order_hold *a, const order_hold *b);

/* Insert an order (one line) of the channel with the given holds. */
void order_with_holds(struct fx *f, int64_t tenant, const char *id,
		      const char *channel, const order_hold *holds,
		      size_t n);

/* A review queue filter at now returning at most limit holds. */
void queue_filter_init(queue_filter *q, ordo_time now, int limit);

#endif
