/*
 * fixture.c - the fixture and the helpers shared by the store test files;
 * fixture.h says what each one does and how the backend under test is
 * chosen.
 *
 * The builders and readers fail the test (cmocka assertions) rather than
 * return an error a caller could forget to check; the write jobs, wr() and
 * list() return the store's code, which is what the tests assert on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fixture.h"

/* ---- the backend under test ---------------------------------------------- */

const char *test_pg_url(void)
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

PGconn *test_pg_connect(const char *url)
{
	PGconn *c = PQconnectdb(url);

	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("cannot connect to %s: %s", url, PQerrorMessage(c));
	PQsetNoticeProcessor(c, test_pg_notice_ignore, NULL);
	return c;
}

void test_pg_exec(PGconn *c, const char *sql)
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

/* Append text to the growing string *buf (of *len bytes). */
static void plan_append(char **buf, size_t *len, const char *text)
{
	size_t add = strlen(text);
	char *p = realloc(*buf, *len + add + 2);

	assert_non_null(p);
	memcpy(p + *len, text, add);
	p[*len + add] = '\n';
	p[*len + add + 1] = '\0';
	*buf = p;
	*len += add + 1;
}

char *test_explain(struct fx *f, const char *sql, const char *pg_args)
{
	char *plan = NULL;
	size_t len = 0;

	plan_append(&plan, &len, "");
	if (test_pg_url()) {
		PGconn *c = test_pg_connect(f->url);
		size_t size = strlen(sql) * 4 + 1;
		char *text = malloc(size), *q;
		char *exec = malloc(strlen(pg_args) + 64);
		PGresult *res;
		int n = 0, i;

		assert_non_null(text);
		assert_non_null(exec);
		/* The placeholders as the PostgreSQL driver numbers them. */
		for (q = text; *sql; sql++) {
			if (*sql == '?')
				q += snprintf(q, size - (size_t)(q - text),
					      "$%d", ++n);
			else
				*q++ = *sql;
		}
		*q = '\0';
		/* Planned as the store's sessions plan (no merge or hash
		 * joins). A test's tables are too small for the planner to
		 * prefer probes to walking them: with sequential scans off
		 * too, a plan that still reads a whole table or index is one
		 * no index can serve. */
		test_pg_exec(c, store_pg_planner_settings());
		test_pg_exec(c, "SET enable_seqscan = off");
		res = PQprepare(c, "ordo_explain", text, 0, NULL);
		if (PQresultStatus(res) != PGRES_COMMAND_OK)
			fail_msg("%s: %s", text, PQresultErrorMessage(res));
		PQclear(res);
		snprintf(exec, strlen(pg_args) + 64,
			 "EXPLAIN EXECUTE ordo_explain(%s)", pg_args);
		res = PQexec(c, exec);
		if (PQresultStatus(res) != PGRES_TUPLES_OK)
			fail_msg("%s: %s", exec, PQresultErrorMessage(res));
		for (i = 0; i < PQntuples(res); i++)
			plan_append(&plan, &len, PQgetvalue(res, i, 0));
		PQclear(res);
		PQfinish(c);
		free(text);
		free(exec);
	} else {
		char path[PATH_MAX + 16], *text;
		sqlite3 *db = NULL;
		sqlite3_stmt *st = NULL;

		snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
		assert_int_equal(sqlite3_open_v2(path, &db,
						 SQLITE_OPEN_READONLY, NULL),
				 SQLITE_OK);
		text = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
		assert_non_null(text);
		if (sqlite3_prepare_v2(db, text, -1, &st, NULL) != SQLITE_OK)
			fail_msg("%s: %s", text, sqlite3_errmsg(db));
		while (sqlite3_step(st) == SQLITE_ROW)
			plan_append(&plan, &len,
				    (const char *)sqlite3_column_text(st, 3));
		sqlite3_finalize(st);
		sqlite3_free(text);
		sqlite3_close(db);
	}
	return plan;
}

/* How many times needle occurs in hay. */
static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

bool plan_keyed(const char *plan, const char *index)
{
	size_t scans = occurrences(plan, "Index Scan") +
		       occurrences(plan, "Index Only Scan");

	return strstr(plan, index) && !strstr(plan, "SCAN ") &&
	       !strstr(plan, "Seq Scan") &&
	       occurrences(plan, "Index Cond") >= scans;
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

void test_store_url(struct fx *f)
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

void test_store_drop(struct fx *f)
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

/* ---- the fixture and its helpers ----------------------------------------- */

store_options test_opts(void)
{
	store_options o = STORE_OPTIONS_DEFAULT;

	o.read_pool_size = 4;
	/* One batch running at a time: tests park it behind a gate
	 * (fx_gate) to make the batches they need; test_committer runs
	 * several at once. */
	o.writers = 1;
	return o;
}

ordo_code job_tenant_insert(store_tx *tx, void *arg, ordo_err *err)
{
	return store_tenant_insert(tx, arg, err);
}

int64_t tenant_add(store *st, const char *slug)
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

int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;

	assert_non_null(f);
	test_store_url(f);
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
	assert_int_equal(store_migrate(f->st, FX_NOW, &f->first_applied,
				       &f->first_version, &err),
			 ORDO_OK);
	f->ta = tenant_add(f->st, "acme");
	f->tb = tenant_add(f->st, "bolt");
	*state = f;
	return 0;
}

int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->st);
	test_store_drop(f);
	free(f);
	return 0;
}

store_tx *rd(struct fx *f)
{
	store_tx *tx = NULL;
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(store_read_begin(f->st, &tx, &err), ORDO_OK);
	assert_non_null(tx);
	return tx;
}

ordo_code wctx_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct wctx *w = arg;

	return w->fn(tx, w, err);
}

ordo_code wr(struct fx *f, int64_t tenant,
	     ordo_code (*fn)(store_tx *tx, struct wctx *w, ordo_err *err),
	     void *p, ordo_err *err)
{
	struct wctx w = {.f = f, .fn = fn, .p = p, .tenant = tenant};

	return store_write(f->st, wctx_run, &w, err);
}

ordo_code w_sku_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_sku_put(tx, w->tenant, w->p, err);
}

ordo_code w_location_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_location_put(tx, w->tenant, w->p, err);
}

ordo_code w_order_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	(void)w->tenant;
	return store_order_insert(tx, w->p, err);
}

ordo_code w_api_key_insert(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_api_key_insert(tx, w->p, err);
}

ordo_code w_idem_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_idempotency_put(tx, w->tenant, w->p, err);
}

ordo_code w_set_state(store_tx *tx, struct wctx *w, ordo_err *err)
{
	struct state_args *a = w->p;

	return store_order_set_state(tx, w->tenant, a->id, a->state, a->now,
				     err);
}

void sku_make(catalog_sku *s, const char *sku, const char *title,
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

void address_equal(const order_address *a, const order_address *b)
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

void order_make(order *o, int64_t tenant, const char *id,
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

void hold_make(order_hold *h, const char *id, hold_type type,
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

void hold_review_fill(order_hold *h, int k)
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

void hold_equal(const order_hold *a, const order_hold *b)
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

void order_put(struct fx *f, order *o)
{
	ordo_err err = ORDO_ERR_INIT;

	assert_int_equal(wr(f, o->tenant_id, w_order_insert, o, &err), ORDO_OK);
	assert_true(o->seq > 0);
}

int64_t order_add(struct fx *f, int64_t tenant, const char *id,
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

void location_make(catalog_location *l, const char *code, int priority)
{
	memset(l, 0, sizeof(*l));
	ordo_strlcpy(l->code, code, sizeof(l->code));
	snprintf(l->name, sizeof(l->name), "Warehouse %s", code);
	address_make(&l->address, code);
	l->priority = priority;
	l->active = true;
	l->updated_at = 1700000010;
}

ordo_code list(struct fx *f, int64_t tenant, const order_filter *flt,
	       order_page *page)
{
	store_tx *tx = rd(f);
	ordo_err err = ORDO_ERR_INIT;
	ordo_code rc;

	rc = store_order_list(tx, tenant, flt, page, &err);
	store_read_end(tx);
	return rc;
}

void analyzed(struct fx *f)
{
	store_options o = test_opts();
	ordo_err err = ORDO_ERR_INIT;
	PGconn *c;

	if (!test_pg_url())
		return;
	c = test_pg_connect(f->url);
	test_pg_exec(c, "ANALYZE");
	test_pg_exec(c, "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET "
			"enable_seqscan = off', current_database()); END $$");
	PQfinish(c);
	store_close(f->st);
	assert_int_equal(store_open(f->url, &o, &f->st, &err), ORDO_OK);
}

int64_t list_work(struct fx *f, int64_t tenant, const order_filter *flt,
		  size_t want_n)
{
	ordo_err err = ORDO_ERR_INIT;
	int64_t least = INT64_MAX;
	int i;

	for (i = 0; i < 12; i++) {
		store_tx *tx = rd(f);
		int64_t before, after;
		order_page p;

		assert_int_equal(store_tx_rows_read(tx, &before, &err),
				 ORDO_OK);
		assert_int_equal(store_order_list(tx, tenant, flt, &p, &err),
				 ORDO_OK);
		assert_int_equal(store_tx_rows_read(tx, &after, &err),
				 ORDO_OK);
		assert_int_equal(p.n, want_n);
		order_page_free(&p);
		store_read_end(tx);
		if (after - before < least)
			least = after - before;
	}
	return least;
}

ordo_code w_settings_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_settings_put(tx, w->tenant, w->p, err);
}

ordo_code w_stock_put(store_tx *tx, struct wctx *w, ordo_err *err)
{
	return store_stock_put(tx, w->tenant, w->p, err);
}

void catalog_add(struct fx *f, int64_t tenant)
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

void level_make(stock_level *lv, const char *location, const char *sku,
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

void order_with_holds(struct fx *f, int64_t tenant, const char *id,
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

void queue_filter_init(queue_filter *q, ordo_time now, int limit)
{
	memset(q, 0, sizeof(*q));
	q->now = now;
	q->limit = limit;
}

/* ---- the gate ------------------------------------------------------------ */

static ordo_code gate_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct fx_gate *g = arg;

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
	struct fx_gate *g = arg;

	(void)err;
	pthread_mutex_lock(&g->mu);
	g->rc = rc;
	g->answered = true;
	pthread_cond_broadcast(&g->cv);
	pthread_mutex_unlock(&g->mu);
}

static size_t gate_skus(void *arg, int64_t *tenant, const char **skus,
			size_t max)
{
	struct fx_gate *g = arg;

	*tenant = g->tenant;
	if (max > 0)
		skus[0] = g->sku;
	return 1;
}

void gate_park(store *st, struct fx_gate *g)
{
	gate_park_on(st, g, 0, NULL);
}

void gate_park_on(store *st, struct fx_gate *g, int64_t tenant,
		  const char *sku)
{
	memset(g, 0, sizeof(*g));
	pthread_mutex_init(&g->mu, NULL);
	pthread_cond_init(&g->cv, NULL);
	g->job.run = gate_run;
	g->job.done = gate_done;
	g->job.arg = g;
	g->tenant = tenant;
	g->sku = sku;
	if (sku)
		g->job.stock_skus = gate_skus;
	store_submit(st, &g->job);
	pthread_mutex_lock(&g->mu);
	while (!g->entered && !g->answered)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	/* Answered without running: the store would not take it. */
	assert_true(g->entered);
}

void gate_open(struct fx_gate *g)
{
	pthread_mutex_lock(&g->mu);
	g->open = true;
	pthread_cond_broadcast(&g->cv);
	while (!g->answered)
		pthread_cond_wait(&g->cv, &g->mu);
	pthread_mutex_unlock(&g->mu);
	ordo_err_clear(&g->job.err);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
}
