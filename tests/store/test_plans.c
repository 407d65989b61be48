/*
 * test_plans.c - no statement the store prepares reads a whole table: every
 * statement number sql_int.h has is EXPLAINed, as the store prepares it,
 * on a migrated database holding rows, and its plan must reach every table
 * through an index by a key. The numbers are the fixed statements (0 up to
 * SQL_COUNT) and the assembled ones after them, each combination of
 * filters of the order list, the review queue and the shipment list.
 *
 * The rows are orders (with lines and holds) of many tenants, so that one
 * tenant is a small part of each table, as in a database many share: a
 * plan that walks every tenant's rows to find one tenant's then costs the
 * planner what it costs in use.
 *
 * SQLite: EXPLAIN QUERY PLAN of the text with its parameters unbound; a
 * "SCAN <table>" line, with or without "USING [COVERING] INDEX" (an index
 * walked whole is a table walked whole), reads every row.
 *
 * PostgreSQL: the text is prepared as the driver prepares it ($1, $2 ...,
 * types inferred by the server) and EXPLAIN EXECUTE runs it with NULL for
 * every parameter. PostgreSQL 15 has no EXPLAIN (GENERIC_PLAN), so the
 * test's database is set to plan_cache_mode = force_generic_plan: the plan
 * is the one made for unknown values, not one folded around the NULLs
 * ("x = NULL" is never true, and a custom plan would read nothing at
 * all). The tables with rows are analyzed, as autovacuum does in use.
 * The session has the store's own planner settings
 * (store_pg_planner_settings: no merge or hash joins, no parallel
 * workers), and sequential scans are off, as in test_explain (fixture.c),
 * so that the small tables of a test do not hide whether an index can
 * serve the statement. A "Seq Scan" that remains, an index scan without an
 * "Index Cond", or one whose condition leaves out the index's first column
 * (PostgreSQL then reads the whole index to test it) is a statement no
 * index serves. Parallel workers are made free to start: a plan with a
 * Gather node would start workers for a page, as a plan made for any
 * values on a long history did (9 ms each read).
 *
 * A statement that returns a page (its text has an ORDER BY and a LIMIT)
 * must also be read in its order, by an index whose columns are its
 * equality columns, then its ORDER BY columns: a plan that sorts reads
 * every matching row of the tenant, however long its history, to return
 * one page. SQLite says "USE TEMP B-TREE FOR ORDER BY" (or for a part or
 * the last terms of it); PostgreSQL has a Sort or an Incremental Sort
 * node. PostgreSQL is asked for that plan again with bitmap scans off, as
 * sequential scans are: a bitmap scan returns rows in table order, never
 * an index's, and where a tenant has a handful of rows, as in a test, the
 * planner takes a bitmap scan and a sort of those few over any index
 * order; without bitmap scans it still sorts when no index gives the
 * order, or when the index that does is worse for the rest of the
 * statement.
 *
 * On PostgreSQL, a fixed statement that returns a page must also leave
 * none of its equalities to a Filter: its index must have every column
 * it tests by a parameter, or the read walks past the rows that fail the
 * test, and with a real history's statistics the planner may prefer for
 * the order an index that serves fewer of them still (a webhook's claim
 * once walked the deliveries of the tenant's other webhooks so).
 *
 * A statement that reads a whole table, sorts its page or filters it by
 * design is named in allowed[] below with its reason; any other statement that
 * does, new ones included, fails the test, which names its number, its
 * text and its plan. This test includes sql_int.h, the store's inside,
 * only for the statement numbers, so that the list names statements the
 * compiler knows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "fixture.h"
#include "store/sql_int.h"

/* What a statement may do by design: read a whole table, sort, or test
 * an equality on rows its index returns. */
enum allowed_kind { ALLOWED_SCAN, ALLOWED_SORT, ALLOWED_FILTER };

/* A statement that reads a whole table or sorts its page by design, and
 * why. */
struct allowed_scan {
	unsigned id;
	enum allowed_kind kind;
	const char *name;
	const char *reason;
};

#define ALLOW(id, reason) {id, ALLOWED_SCAN, #id, reason}
#define ALLOW_SORT(id, reason) {id, ALLOWED_SORT, #id, reason}
#define ALLOW_FILTER(id, reason) {id, ALLOWED_FILTER, #id, reason}

/*
 * No page statement is allowed to sort (ALLOW_SORT): each has an index
 * whose columns are its equality columns, then its ORDER BY columns (the
 * review queue's is holds_due: tenant, status, then due time and seq).
 */
static const struct allowed_scan allowed[] = {
	ALLOW(SQL_MIGRATIONS_CREATE,
	      "schema bookkeeping at start-up: DDL, no plan to make"),
	ALLOW_FILTER(SQL_STOCK_EVENTS_AT,
		     "two filters, SKU and location, each with its index, "
		     "as the order list combines them: read by the SKU"),
	ALLOW_FILTER(SQL_FUL_LIST_LOC_STATE,
		     "two filters, location and state, each with its index: "
		     "read by one, the other tested"),
	ALLOW_FILTER(SQL_DEFECT_LIST_TYPE,
		     "the type with its index, the time range tested: a "
		     "filter and a range, as the order list combines them"),
	ALLOW_FILTER(SQL_INTAKE_LOOKUP,
		     "no page: one new order's lookups, each subquery the "
		     "text of a statement checked on its own "
		     "(SQL_ORDER_BY_EXTERNAL, SQL_ORDER_BY_FINGERPRINT, "
		     "SQL_CUSTOMER_HISTORY); LIMIT 1 takes the newest"),
	ALLOW_FILTER(SQL_INTAKE_LOOKUPS,
		     "no page: a batch's new orders' lookups, each subquery "
		     "as in SQL_INTAKE_LOOKUP, by the keys of each member of "
		     "the JSON object it is given"),
	ALLOW(SQL_MONITORS_ALL,
	      "the sweep's round: every tenant's monitors, at most 20 of "
	      "each, read once a second"),
	ALLOW(SQL_GAUGES_PURGE,
	      "the purge, once a minute: the partial index "
	      "metric_gauges_zero holds only the rows counted down to "
	      "nothing, every one of which it removes"),
	ALLOW_FILTER(SQL_MONITOR_DUE_HOLDS,
		     "a monitor of one hold type reads the tenant's open "
		     "holds by due time (holds_due) and tests the type: what "
		     "it passes is holds of other types that fell due since "
		     "its last sweep"),
	ALLOW_FILTER(SQL_ORDER_LIST_MINE_EXTERNAL,
		     "an integration's orders of one external id: the few "
		     "orders of that id (orders_external: one per channel), "
		     "each tested for the key"),
	ALLOW_FILTER(SQL_DELIVERY_LANE_NEXT,
		     "one order's deliveries to one webhook, by its lane: "
		     "the tenant tested on a handful of rows"),
};

/* The numbers whose text the driver holds (db.h), never a store file's. */
static const unsigned driver_owned[] = {
	SQL_TABLE_EXISTS,
	SQL_NAMED_LOCK,
	SQL_NAMED_LOCK_SHARED,
	SQL_NAMED_TRY_LOCK,
	SQL_SEQS,
	SQL_CHECKS_DEFERRED,
	SQL_CHECKS_IMMEDIATE,
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* Every statement number, the assembled ones last. */
#define SQL_IDS (SQL_ROWS_BASE + SQL_ROWS_KINDS * (SQL_ROWS_MAX - 1))

/*
 * The order list's searches (q) merge two tiers, each a page read from
 * the search index newest first: they sort those two pages, a bounded
 * number of rows whatever the history, so each may sort its page by
 * design. How they reach each tier is checked as every statement's is.
 */
static const struct allowed_scan allowed_search = {
	0, ALLOWED_SORT, "SQL_ORDER_LIST_BASE + a search",
	"merges a page of each of its two tiers"};

static bool search_statement(unsigned id)
{
	return id >= SQL_ORDER_LIST_BASE && id < SQL_QUEUE_BASE &&
	       ((id - SQL_ORDER_LIST_BASE) & (1u << SQL_ORDER_LIST_SEARCH_BIT));
}

static const struct allowed_scan *allowed_find(unsigned id,
						enum allowed_kind kind)
{
	size_t i;

	if (kind == ALLOWED_SORT && search_statement(id))
		return &allowed_search;

	for (i = 0; i < N_OF(allowed); i++)
		if (allowed[i].id == id && allowed[i].kind == kind)
			return &allowed[i];
	return NULL;
}

static bool driver_owns(unsigned id)
{
	size_t i;

	for (i = 0; i < N_OF(driver_owned); i++)
		if (driver_owned[i] == id)
			return true;
	return false;
}

/* Append text and a newline to the growing string *buf (of *len bytes). */
static void text_append(char **buf, size_t *len, const char *text)
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

/* How many times needle occurs in hay. */
static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

/*
 * The generic plan PostgreSQL makes for sql ("?" placeholders) on c, or
 * the server's error; free() it.
 */
static char *pg_plan(PGconn *c, const char *sql, bool *ok)
{
	size_t size = strlen(sql) * 4 + 1, len = 0;
	char *text = malloc(size), *q, *plan = NULL, *exec;
	size_t exec_size = 64 + count_of(sql, "?") * 6;
	PGresult *res;
	int n = 0, i;

	assert_non_null(text);
	for (q = text; *sql; sql++) {
		if (*sql == '?')
			q += snprintf(q, size - (size_t)(q - text), "$%d", ++n);
		else
			*q++ = *sql;
	}
	*q = '\0';
	text_append(&plan, &len, "");
	*ok = false;
	res = PQexec(c, "DEALLOCATE ALL");
	PQclear(res);
	res = PQprepare(c, "ordo_plan", text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		text_append(&plan, &len, PQresultErrorMessage(res));
		PQclear(res);
		free(text);
		return plan;
	}
	PQclear(res);
	exec = malloc(exec_size);
	assert_non_null(exec);
	q = exec;
	q += snprintf(q, exec_size, "EXPLAIN EXECUTE ordo_plan");
	for (i = 1; i <= n; i++)
		q += snprintf(q, exec_size - (size_t)(q - exec), "%sNULL",
			      i == 1 ? "(" : ", ");
	if (n)
		snprintf(q, exec_size - (size_t)(q - exec), ")");
	res = PQexec(c, exec);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		for (i = 0; i < PQntuples(res); i++)
			text_append(&plan, &len, PQgetvalue(res, i, 0));
		*ok = true;
	} else {
		text_append(&plan, &len, PQresultErrorMessage(res));
	}
	PQclear(res);
	free(exec);
	free(text);
	return plan;
}

/*
 * SQLite's plan for sql on f's database (parameters unbound), one detail
 * a line, or SQLite's error; free() it.
 */
static char *sqlite_plan(struct fx *f, const char *sql, bool *ok)
{
	char path[PATH_MAX + 16], *text, *plan = NULL;
	size_t len = 0;
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	text_append(&plan, &len, "");
	snprintf(path, sizeof(path), "%s/ordo.db", f->dir);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL),
			 SQLITE_OK);
	text = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	assert_non_null(text);
	*ok = sqlite3_prepare_v2(db, text, -1, &st, NULL) == SQLITE_OK;
	if (*ok) {
		while (sqlite3_step(st) == SQLITE_ROW)
			text_append(&plan, &len,
				    (const char *)sqlite3_column_text(st, 3));
	} else {
		text_append(&plan, &len, sqlite3_errmsg(db));
	}
	sqlite3_finalize(st);
	sqlite3_free(text);
	sqlite3_close(db);
	return plan;
}

/*
 * Whether a SQLite "SCAN x" line at line reads no table whole: x is a
 * subquery's rows, made by a MATERIALIZE or CO-ROUTINE line of the same
 * plan (its own plan's lines say how it reads), a full-text lookup, an
 * FTS5 table read by its index for a MATCH ("VIRTUAL TABLE INDEX n:M..."),
 * or json_each, which reads the JSON text bound to it, no table.
 */
static bool sqlite_scan_bounded(const char *plan, const char *line)
{
	const char *name = line + 5, *end = name;
	char made[160];
	size_t len;

	while (*end && *end != ' ' && *end != '\n')
		end++;
	len = (size_t)(end - name);
	if (len + 16 > sizeof(made))
		return false;
	if (strncmp(end, " VIRTUAL TABLE INDEX ", 21) == 0) {
		if (len == 9 && strncmp(name, "json_each", 9) == 0)
			return true;
		/* "<number>:<constraints>": an FTS5 lookup has its MATCH
		 * (M) among them, after a rowid bound ("=", "<") or not. */
		const char *idx = strchr(end + 21, ':');
		const char *eol = strchr(end + 21, '\n');

		if (!idx || (eol && idx > eol))
			return false;
		for (idx++; *idx && *idx != '\n'; idx++)
			if (*idx == 'M')
				return true;
		return false;
	}
	snprintf(made, sizeof(made), "MATERIALIZE %.*s\n", (int)len, name);
	if (strstr(plan, made))
		return true;
	snprintf(made, sizeof(made), "CO-ROUTINE %.*s\n", (int)len, name);
	return strstr(plan, made) != NULL;
}

/* Whether a SQLite "SCAN" line at line reads the rows of a VALUES list
 * ("SCAN 3 CONSTANT ROWS": an insert of several rows), no table. */
static bool sqlite_scan_values(const char *line)
{
	const char *p = line + 5;

	if (*p < '0' || *p > '9')
		return false;
	while (*p >= '0' && *p <= '9')
		p++;
	return strncmp(p, " CONSTANT ROWS\n", 15) == 0;
}

/* Whether a plan (either backend's) reads a whole table or index. */
static bool plan_scans(const char *plan)
{
	const char *line = plan;

	if (strstr(plan, "Seq Scan"))
		return true;
	if (count_of(plan, "Index Scan") + count_of(plan, "Index Only Scan") >
	    count_of(plan, "Index Cond"))
		return true;
	/* SQLite: every "SCAN" line but a constant row read for a
	 * statement without a table, or the rows of a VALUES list. */
	while ((line = strstr(line, "SCAN ")) != NULL) {
		if (strncmp(line, "SCAN CONSTANT ROW", 17) != 0 &&
		    !sqlite_scan_values(line) &&
		    !sqlite_scan_bounded(plan, line))
			return true;
		line += 5;
	}
	return false;
}

/* Whether the len bytes of line hold needle. */
static bool line_has(const char *line, size_t len, const char *needle)
{
	const char *at = strstr(line, needle);

	return at && at + strlen(needle) <= line + len;
}

/* Whether sql returns a page: its rows in an order, so many at most. */
static bool sql_pages(const char *sql)
{
	return strstr(sql, "ORDER BY") && strstr(sql, " LIMIT ");
}

/*
 * Whether a plan (either backend's) sorts the rows it reads: it then reads
 * every row that matches, however few the page returns, where a read in
 * the order of an index stops at the page's end. SQLite names the sort
 * "USE TEMP B-TREE FOR ORDER BY" (or for a part or the last terms of it);
 * PostgreSQL has a Sort or an Incremental Sort node.
 */
static bool plan_sorts(const char *plan)
{
	const char *line = plan;

	if (strstr(plan, "Sort  (cost="))
		return true;
	while ((line = strstr(line, "USE TEMP B-TREE FOR ")) != NULL) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (line_has(line, len, "ORDER BY"))
			return true;
		line += len;
	}
	return false;
}

/*
 * Whether a plan (either backend's) reaches rows by column col through an
 * index: SQLite names it in a SEARCH line ("col=?"), PostgreSQL in an
 * index or recheck condition. A statement about one order must: read by
 * its tenant alone, it would read all of the tenant's rows, more as
 * history grows.
 */
static bool plan_keyed_by(const char *plan, const char *col)
{
	char sqlite_term[64];
	const char *line = plan;

	snprintf(sqlite_term, sizeof(sqlite_term), "%s=?", col);
	if (strstr(plan, sqlite_term))
		return true;
	while ((line = strstr(line, "Cond: ")) != NULL) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);

		if (line_has(line, len, col))
			return true;
		line += len;
	}
	return false;
}

/* Tenants the rows are spread over, and orders of each. */
#define ROW_TENANTS 50
#define ROW_ORDERS 12
#define ROW_PEOPLE 4

/*
 * Order k of the job's tenant (w->p: its number t) and what comes of it:
 * lines and, on every other one, a hold; an entry of its timeline and of
 * the stock history; a fulfillment on every other one, shipped on every
 * fourth, and a return of it; a defect on every third, and a change on
 * every third but another; an outbox event delivered to the tenant's
 * webhook; an alert of one of the tenant's monitors on every other one
 * (of its hold), or on every third (of its state), some cleared.
 */
static ordo_code order_rows_add(store_tx *tx, struct wctx *w, int t, int k,
				ordo_err *err)
{
	static const char *const channels[] = {"web", "edi", "shopify"};
	static const order_state states[] = {ORDER_RECEIVED, ORDER_ACCEPTED,
					     ORDER_ON_HOLD, ORDER_SHIPPED};
	char id[32], ext[32], ful_id[32];
	order o;
	order_event ev = {.type = "received", .at = 1700000000};
	stock_event se = {.type = "adjustment", .delta_on_hand = 1,
			  .on_hand = 1, .at = 1700000000};
	outbox_event oe = {.type = "order.created", .payload = "{}"};
	size_t n;
	int64_t seq;
	ordo_code rc;

	snprintf(id, sizeof(id), "ord_%d_%d", t, k);
	snprintf(ext, sizeof(ext), "X%d", k);
	order_make(&o, w->tenant, id, channels[k % 3], ext,
		   1700000000 + k * 60, states[k % N_OF(states)],
		   (size_t)(1 + k % 2));
	if (k % 2) {
		order_hold h;
		char hold_id[32];

		snprintf(hold_id, sizeof(hold_id), "hld_%d_%d", t, k);
		hold_make(&h, hold_id, HOLD_HIGH_VALUE, HOLD_OPEN);
		assert_non_null(order_hold_add(&o, &h));
	}
	rc = store_order_insert(tx, &o, err);
	seq = o.seq;
	order_free(&o);
	if (rc == ORDO_OK)
		rc = store_event_append(tx, w->tenant, id, &ev, err);
	if (rc == ORDO_OK && (k % 2 || k % 3 == 0)) {
		store_alert a = {.since = 1700000000 + k * 60,
				 .raised_at = 1700009000};
		bool raised = false;

		snprintf(a.id, sizeof(a.id), "alr_%d_%d", t, k);
		ordo_strlcpy(a.monitor_id, k % 2 ? "overdue" : "held",
			     sizeof(a.monitor_id));
		ordo_strlcpy(a.kind, k % 2 ? "hold_overdue" : "state_age",
			     sizeof(a.kind));
		if (k % 2)
			snprintf(a.hold_id, sizeof(a.hold_id), "hld_%d_%d", t,
				 k);
		ordo_strlcpy(a.message, "late", sizeof(a.message));
		a.cleared_at = k % 5 == 0 ? 1700009500 : 0;
		rc = store_alert_insert(tx, w->tenant, seq, &a, &raised, err);
	}
	ordo_strlcpy(se.location, "WH1", sizeof(se.location));
	ordo_strlcpy(se.sku, "A-1", sizeof(se.sku));
	ordo_strlcpy(se.order_id, id, sizeof(se.order_id));
	if (rc == ORDO_OK)
		rc = store_stock_event_append(tx, w->tenant, &se, err);
	snprintf(ful_id, sizeof(ful_id), "ful_%d_%d", t, k);
	if (rc == ORDO_OK && k % 2 == 0) {
		fulfillment ful = {.state = FULFILLMENT_RELEASED,
				   .created_at = 1700003000,
				   .updated_at = 1700003000};
		fulfillment_line line = {.line_no = 1, .quantity = 1};

		ordo_strlcpy(ful.id, ful_id, sizeof(ful.id));
		ordo_strlcpy(ful.order_id, id, sizeof(ful.order_id));
		ordo_strlcpy(ful.location, "WH1", sizeof(ful.location));
		ordo_strlcpy(line.sku, "SKU-1", sizeof(line.sku));
		ful.lines = &line;
		ful.n_lines = 1;
		rc = store_fulfillment_insert(tx, w->tenant, &ful, err);
	}
	if (rc == ORDO_OK && k % 4 == 0) {
		shipment sh = {.shipped_at = 1700005000};
		shipment_line sl = {.quantity = 1};

		snprintf(sh.id, sizeof(sh.id), "shp_%d_%d", t, k);
		ordo_strlcpy(sh.fulfillment_id, ful_id,
			     sizeof(sh.fulfillment_id));
		ordo_strlcpy(sh.order_id, id, sizeof(sh.order_id));
		ordo_strlcpy(sh.carrier, "ups", sizeof(sh.carrier));
		snprintf(sh.tracking_number, sizeof(sh.tracking_number),
			 "1Z-%d-%d", t, k);
		ordo_strlcpy(sl.sku, "SKU-1", sizeof(sl.sku));
		sh.lines = &sl;
		sh.n_lines = 1;
		rc = store_shipment_insert(tx, w->tenant, &sh, err);
	}
	if (rc == ORDO_OK && k % 3 == 0) {
		order_defect d = {.created_at = 1700006000};

		snprintf(d.id, sizeof(d.id), "dfc_%d_%d", t, k);
		ordo_strlcpy(d.order_id, id, sizeof(d.order_id));
		ordo_strlcpy(d.type, "wrong_item", sizeof(d.type));
		ordo_strlcpy(d.found_by, "Warehouse East", sizeof(d.found_by));
		ordo_strlcpy(d.reported_by, "key:ops", sizeof(d.reported_by));
		rc = store_defect_insert(tx, w->tenant, &d, err);
	}
	if (rc == ORDO_OK && k % 3 == 1) {
		store_change *c = calloc(1, sizeof(*c));

		assert_non_null(c);
		snprintf(c->id, sizeof(c->id), "chg_%d_%d", t, k);
		ordo_strlcpy(c->order_id, id, sizeof(c->order_id));
		ordo_strlcpy(c->kind, "quantity", sizeof(c->kind));
		ordo_strlcpy(c->detail, "{}", sizeof(c->detail));
		ordo_strlcpy(c->state, k % 2 ? "requested" : "applied",
			     sizeof(c->state));
		c->requested_at = 1700007000;
		c->due_at = k % 2 ? 1700010000 + k : 0;
		rc = store_change_insert(tx, w->tenant, c, err);
		free(c);
	}
	if (rc == ORDO_OK && k % 4 == 0) {
		order_return *r = calloc(1, sizeof(*r));

		assert_non_null(r);
		snprintf(r->id, sizeof(r->id), "ret_%d_%d", t, k);
		ordo_strlcpy(r->order_id, id, sizeof(r->order_id));
		ordo_strlcpy(r->state, "authorized", sizeof(r->state));
		ordo_strlcpy(r->currency, "USD", sizeof(r->currency));
		r->created_at = r->updated_at = 1700008000;
		r->n_lines = 1;
		r->lines[0].line_no = 1;
		r->lines[0].quantity = 1;
		ordo_strlcpy(r->lines[0].sku, "SKU-1", sizeof(r->lines[0].sku));
		rc = store_return_insert(tx, w->tenant, r, err);
		free(r);
	}
	snprintf(oe.id, sizeof(oe.id), "evt_%d_%d", t, k);
	ordo_strlcpy(oe.order_id, id, sizeof(oe.order_id));
	oe.created_at = 1700000000 + k;
	if (rc == ORDO_OK)
		rc = store_outbox_emit(tx, w->tenant, &oe, 86400, &n, err);
	return rc;
}

/* The job making every row of one tenant: its webhook, its settings on
 * every other one, then its orders. */
static ordo_code w_tenant_rows(store_tx *tx, struct wctx *w, ordo_err *err)
{
	int t = *(const int *)w->p, k;
	webhook_sub hook = {.created_at = 1700000000};
	ordo_code rc;

	snprintf(hook.id, sizeof(hook.id), "wh_%d", t);
	snprintf(hook.url, sizeof(hook.url), "https://hooks.example.com/%d",
		 t);
	snprintf(hook.secret, sizeof(hook.secret), "whsec_%d", t);
	ordo_strlcpy(hook.events, "order.created", sizeof(hook.events));
	rc = store_webhook_insert(tx, w->tenant, &hook, err);
	/* Settings saved by every other tenant; the rest use the defaults. */
	if (rc == ORDO_OK && t % 2) {
		tenant_settings ts;

		settings_defaults(&ts);
		rc = store_settings_put(tx, w->tenant, &ts, err);
	}
	/* Monitors of every tenant, as GET and PUT /v1/monitors make. */
	if (rc == ORDO_OK) {
		store_monitor m[3] = {
			{.id = "held", .kind = "state_age", .state = "on_hold",
			 .after_s = 3600},
			{.id = "overdue", .kind = "hold_overdue"},
			{.id = "stuck", .kind = "state_age",
			 .state = "released", .after_s = 86400},
		};

		rc = store_monitors_put(tx, w->tenant, m, N_OF(m), err);
	}
	/* The people who serve it, each with a role here, sessions, and
	 * a failed login. */
	for (k = 0; rc == ORDO_OK && k < ROW_PEOPLE; k++) {
		store_user u = {.created_at = 1700000000};
		store_session sess = {.created_at = 1700000000,
				      .seen_at = 1700000000};
		char name[ORDO_EMAIL_MAX + 8];
		int n;

		snprintf(u.public_id, sizeof(u.public_id), "usr_%d_%d", t, k);
		snprintf(u.email, sizeof(u.email), "p%d@t%d.example.com", k,
			 t);
		ordo_strlcpy(u.password_hash, "$argon2id$", sizeof(u.password_hash));
		rc = store_user_insert(tx, &u, err);
		if (rc == ORDO_OK)
			rc = store_user_role_put(tx, u.id, w->tenant, "agent",
						 err);
		for (n = 0; rc == ORDO_OK && n < 3; n++) {
			snprintf(sess.token_hash, sizeof(sess.token_hash),
				 "%016d%016d%016d%016d", t, k, n, 7);
			sess.user_id = u.id;
			ordo_strlcpy(sess.address, "192.0.2.1",
				     sizeof(sess.address));
			rc = store_session_insert(tx, &sess, err);
		}
		snprintf(name, sizeof(name), "email:%s", u.email);
		if (rc == ORDO_OK)
			rc = store_login_failures_put(tx, name, 1, 1700000000,
						      err);
		/* What they did, in the tenant's audit log. */
		for (n = 0; rc == ORDO_OK && n < 3; n++) {
			store_audit a = {.at = 1700000000 + n,
					 .detail = (char *)"{}"};

			snprintf(a.actor, sizeof(a.actor), "user:%s", u.email);
			ordo_strlcpy(a.address, "192.0.2.1", sizeof(a.address));
			ordo_strlcpy(a.kind, n ? "login.succeeded" : "key.created",
				     sizeof(a.kind));
			ordo_strlcpy(a.target, u.email, sizeof(a.target));
			rc = store_audit_insert(tx, w->tenant, &a, err);
		}
	}
	for (k = 0; rc == ORDO_OK && k < ROW_ORDERS; k++)
		rc = order_rows_add(tx, w, t, k, err);
	return rc;
}

/*
 * Rows for the planner to see in the tables requests fill: each of many
 * tenants has a catalog, a webhook and orders with what comes of them, so
 * that a tenant is a small part of each table, as it is in a database
 * shared by many, and a plan that reads every tenant's rows to find one
 * tenant's costs what it would.
 */
static void rows_add(struct fx *f)
{
	ordo_err err = ORDO_ERR_INIT;
	int t;

	for (t = 0; t < ROW_TENANTS; t++) {
		char slug[32];
		int64_t tenant = t == 0 ? f->ta : t == 1 ? f->tb : 0;

		if (!tenant) {
			snprintf(slug, sizeof(slug), "tenant-%d", t);
			tenant = tenant_add(f->st, slug);
		}
		catalog_add(f, tenant);
		if (wr(f, tenant, w_tenant_rows, &t, &err) != ORDO_OK)
			fail_msg("rows of tenant %d: %s", t, err.message);
	}
}

/* The first column of PostgreSQL index name on c, into col ("" if none):
 * its name, or for an expression the expression as plans print it
 * ("(type || ''::text)"). */
static void pg_index_lead(PGconn *c, const char *name, char *col,
			  size_t size)
{
	const char *params[1] = {name};
	PGresult *res = PQexecParams(
		c,
		"SELECT pg_get_indexdef(x.oid, 1, true) FROM pg_class x "
		"JOIN pg_index i ON i.indexrelid = x.oid WHERE x.relname = $1",
		1, NULL, params, NULL, NULL, 0);

	col[0] = '\0';
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		snprintf(col, size, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

/*
 * Whether a PostgreSQL plan walks an index whole although it names an
 * "Index Cond": PostgreSQL can test a condition on a later column of an
 * index while reading every entry of it, and only a condition on the
 * index's first column bounds what is read. Each index scan's condition
 * (the "Index Cond" line of its node) must name that column.
 */
static bool pg_index_walked(PGconn *c, const char *plan)
{
	static const char *const marks[] = {" using ", "Bitmap Index Scan on "};
	const char *line = plan;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		size_t m;

		for (m = 0; m < N_OF(marks); m++) {
			const char *at = strstr(line, marks[m]);
			char name[128], col[128], want[160];
			const char *cond, *next, *cond_end;
			size_t n = 0;

			/* " using " names an index on an index scan's
			 * line only. */
			if (!at || at >= line + len ||
			    (m == 0 && !line_has(line, len, "Index")))
				continue;
			at += strlen(marks[m]);
			while (at[n] && at[n] != ' ' && at[n] != '\n' &&
			       n + 1 < sizeof(name)) {
				name[n] = at[n];
				n++;
			}
			name[n] = '\0';
			pg_index_lead(c, name, col, sizeof(col));
			if (!col[0])
				return true;
			/* The node's own lines run to the next node. */
			cond = strstr(line + len, "Index Cond: ");
			next = strstr(line + len, "->");
			if (!cond || (next && next < cond))
				return true;
			snprintf(want, sizeof(want), "(%s ", col);
			cond_end = strchr(cond, '\n');
			next = strstr(cond, want);
			if (!next || (cond_end && next > cond_end))
				return true;
		}
		line = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * Whether a PostgreSQL plan leaves an equality with a parameter to a
 * Filter: the index it reads has no column for it, so the read walks the
 * index's rows that fail it too, as many as history holds. A page read in
 * an index's order that filters so reads on until its page is full; and
 * with statistics of a real history, the planner may take for the order
 * an index that serves fewer of the equalities still (deliveries by
 * tenant rather than by webhook), since either gives the order.
 */
static bool pg_filters_equality(const char *plan)
{
	const char *line = plan;

	while ((line = strstr(line, "Filter: ")) != NULL) {
		const char *end = strchr(line, '\n');
		const char *eq = strstr(line, " = $");

		if (eq && (!end || eq < end))
			return true;
		line += 8;
	}
	return false;
}

static void test_every_statement_is_keyed(void **state)
{
	struct fx *f = *state;
	PGconn *c = NULL;
	char *report = NULL;
	size_t report_len = 0, bad = 0;
	unsigned id;
	char buf[4096];

	rows_add(f);
	text_append(&report, &report_len, "");
	/* An allowance is for a statement the store has. */
	for (id = 0; id < N_OF(allowed); id++)
		if (!store_statement_text(allowed[id].id, buf, sizeof(buf)))
			fail_msg("%s is allowed to scan but has no text",
				 allowed[id].name);
	if (test_pg_url()) {
		char sql[PATH_MAX + 96];

		c = test_pg_connect(f->url);
		snprintf(sql, sizeof(sql),
			 "ALTER DATABASE %s SET plan_cache_mode = "
			 "force_generic_plan",
			 f->dir);
		test_pg_exec(c, sql);
		/* The statistics PostgreSQL keeps of the tables in use (its
		 * autovacuum gathers them). */
		test_pg_exec(c, "ANALYZE");
		PQfinish(c);
		/* A new session takes the database's setting, and the
		 * store's sessions' own. Parallel workers are made free to
		 * start, as a plan costed for a long history finds them:
		 * none may be planned all the same. */
		c = test_pg_connect(f->url);
		test_pg_exec(c, store_pg_planner_settings());
		test_pg_exec(c, "SET enable_seqscan = off");
		test_pg_exec(c, "SET parallel_setup_cost = 0; "
				"SET parallel_tuple_cost = 0; "
				"SET min_parallel_table_scan_size = 0; "
				"SET min_parallel_index_scan_size = 0");
	}
	for (id = 0; id < SQL_IDS; id++) {
		const char *sql = store_statement_text(id, buf, sizeof(buf));
		char *plan, *strict;
		bool ok = true, keyed, paged;
		char head[64];

		if (!sql) {
			if (!driver_owns(id)) {
				snprintf(head, sizeof(head),
					 "statement %u has no SQL text", id);
				text_append(&report, &report_len, head);
				bad++;
			}
			continue;
		}
		if (allowed_find(id, ALLOWED_SCAN))
			continue;
		/* The *_LOCKED twins and a batch's stock locks are prepared
		 * only by a driver with row locks (sql_int.h); SQLite has no
		 * FOR UPDATE, nor arrays. */
		if (!c && (strstr(sql, " FOR UPDATE") ||
			   id == SQL_SKUS_OF_BATCH || id == SQL_STOCK_OF_SKUS ||
			   id == SQL_ORDER_INSERT_SEQ ||
			   id == SQL_FUL_INSERT_SEQ))
			continue;
		if (c)
			plan = pg_plan(c, sql, &ok);
		else
			plan = sqlite_plan(f, sql, &ok);
		if (!ok || plan_scans(plan) ||
		    (c && pg_index_walked(c, plan)) ||
		    (c && strstr(plan, "Gather"))) {
			snprintf(head, sizeof(head), "statement %u %s:", id,
				 !ok			  ? "has no plan"
				 : strstr(plan, "Gather") ? "runs in parallel"
							  : "reads a whole table");
			text_append(&report, &report_len, head);
			text_append(&report, &report_len, sql);
			text_append(&report, &report_len, plan);
			bad++;
			free(plan);
			continue;
		}
		/* PostgreSQL: planned again without bitmap scans (see the
		 * top of this file) for the two checks on how it reads: on
		 * the test's few rows a bitmap scan of a tenant's index costs
		 * about what an order's index or an ordered read does, which
		 * it never does on a real history. */
		/* About one order: its rows by a parameter, or, in the order
		 * list filtered by hold type, each order's holds as the list
		 * tests it. */
		keyed = strstr(sql, "order_seq = ?") != NULL ||
			strstr(sql, "order_seq = orders.seq") != NULL;
		paged = sql_pages(sql) && !allowed_find(id, ALLOWED_SORT);
		strict = plan;
		if (c && (keyed || paged)) {
			test_pg_exec(c, "SET enable_bitmapscan = off");
			strict = pg_plan(c, sql, &ok);
			test_pg_exec(c, "RESET enable_bitmapscan");
		}
		if (keyed && (!ok || !plan_keyed_by(strict, "order_seq"))) {
			snprintf(head, sizeof(head),
				 "statement %u reads one order's rows by "
				 "more than the order:",
				 id);
			text_append(&report, &report_len, head);
			text_append(&report, &report_len, sql);
			text_append(&report, &report_len, strict);
			bad++;
		} else if (paged && c && id < SQL_COUNT &&
			   !allowed_find(id, ALLOWED_FILTER) &&
			   pg_filters_equality(strict)) {
			snprintf(head, sizeof(head),
				 "statement %u filters its page:",
				 id);
			text_append(&report, &report_len, head);
			text_append(&report, &report_len, sql);
			text_append(&report, &report_len, strict);
			bad++;
		} else if (paged && (!ok || plan_sorts(strict))) {
			snprintf(head, sizeof(head), "statement %u %s:", id,
				 ok ? "sorts the rows of its page"
				    : "has no plan");
			text_append(&report, &report_len, head);
			text_append(&report, &report_len, sql);
			text_append(&report, &report_len, strict);
			bad++;
		}
		if (strict != plan)
			free(strict);
		free(plan);
	}
	if (c)
		PQfinish(c);
	if (bad)
		fprintf(stderr, "%s", report);
	free(report);
	assert_int_equal(bad, 0);
}

/*
 * The check itself can fail: a plan of each backend that walks a table,
 * and one that walks an index whole, are taken for what they are; so are
 * a plan that sorts and a statement that returns a page.
 */
static void test_scans_are_seen(void **state)
{
	(void)state;
	assert_true(plan_keyed_by("SEARCH f USING INDEX fulfillments_of_order "
				  "(tenant_id=? AND order_seq=?)\n",
				  "order_seq"));
	assert_false(plan_keyed_by("SEARCH f USING INDEX fulfillments_tenant "
				   "(tenant_id=?)\n",
				   "order_seq"));
	assert_true(plan_keyed_by("Index Scan using defects_order on defects\n"
				  "  Index Cond: ((tenant_id = $1) AND "
				  "(order_seq = $2))\n",
				  "order_seq"));
	assert_false(plan_keyed_by("Index Scan using defects_tenant on defects"
				   "\n  Index Cond: (tenant_id = $1)\n"
				   "  Filter: (order_seq = $2)\n",
				   "order_seq"));
	assert_true(plan_scans("SCAN orders\n"));
	assert_true(plan_scans("SCAN orders USING INDEX orders_tenant_seq\n"));
	assert_true(plan_scans("SCAN h USING COVERING INDEX holds_due\n"));
	assert_false(plan_scans("SEARCH orders USING INDEX orders_tenant_seq "
				"(tenant_id=?)\nSCAN CONSTANT ROW\n"));
	assert_false(plan_scans("MATERIALIZE c\n"
				"SCAN order_search_fts VIRTUAL TABLE INDEX "
				"192:M2\nSCAN c\n"));
	assert_true(plan_scans("SCAN order_search_fts VIRTUAL TABLE INDEX "
			       "0:\n"));
	assert_false(plan_scans("SCAN e VIRTUAL TABLE INDEX 0:=M2\n"));
	assert_true(plan_scans("SCAN e VIRTUAL TABLE INDEX 0:=\n"));
	assert_false(plan_scans("SCAN json_each VIRTUAL TABLE INDEX 1:\n"));
	assert_false(plan_scans("SCAN 16 CONSTANT ROWS\n"));
	assert_true(plan_scans("SCAN 16 CONSTANT ROWS x\n"));
	assert_true(plan_scans("SCAN 16x\n"));
	assert_true(plan_scans("SCAN json_each_x VIRTUAL TABLE INDEX 1:\n"));
	assert_true(plan_scans("MATERIALIZE c\nSCAN d\n"));
	assert_true(plan_scans("Limit\n  ->  Seq Scan on orders\n"));
	assert_true(plan_scans("Limit\n  ->  Index Scan Backward using "
			       "orders_pkey on orders\n        Filter: "
			       "(tenant_id = $1)\n"));
	assert_false(plan_scans("Limit\n  ->  Index Scan using x on orders\n"
				"        Index Cond: (tenant_id = $1)\n"));
	assert_true(plan_sorts("SEARCH orders USING INDEX orders_received "
			       "(tenant_id=? AND received_at>?)\n"
			       "USE TEMP B-TREE FOR ORDER BY\n"));
	assert_true(plan_sorts("SEARCH f USING INDEX fulfillments_queue "
			       "(tenant_id=?)\n"
			       "USE TEMP B-TREE FOR RIGHT PART OF ORDER BY\n"));
	assert_true(plan_sorts("USE TEMP B-TREE FOR LAST TERM OF ORDER BY\n"));
	assert_false(plan_sorts("SEARCH o USING INDEX x (tenant_id=?)\n"
				"USE TEMP B-TREE FOR GROUP BY\n"));
	assert_false(plan_sorts("SEARCH orders USING INDEX orders_tenant "
				"(tenant_id=? AND seq<?)\n"));
	assert_true(plan_sorts("Limit  (cost=8.31..8.31 rows=1 width=433)\n"
			       "  ->  Sort  (cost=8.31..8.31 rows=1 width=433)\n"
			       "        Sort Key: seq DESC\n"));
	assert_true(plan_sorts("Limit  (cost=1.0..2.0 rows=1 width=8)\n"
			       "  ->  Incremental Sort  (cost=1.0..2.0 rows=1 "
			       "width=8)\n"));
	assert_false(plan_sorts("Limit  (cost=0.28..8.30 rows=1 width=433)\n"
				"  ->  Index Scan Backward using orders_tenant "
				"on orders  (cost=0.28..8.30 rows=1 "
				"width=433)\n"));
	assert_true(pg_filters_equality(
		"Limit\n  ->  Index Scan using deliveries_tenant on deliveries "
		"d\n        Index Cond: (tenant_id = $3)\n        Filter: "
		"((webhook_id = $1) AND (status = $2) AND (waiting = 0))\n"));
	assert_false(pg_filters_equality(
		"Limit\n  ->  Index Scan using deliveries_ready on deliveries "
		"d\n        Index Cond: ((tenant_id = $1) AND (webhook_id = "
		"$2) AND (status = $3) AND (waiting = 0))\n"));
	assert_false(pg_filters_equality(
		"Index Scan using deliveries_pkey on deliveries\n"
		"        Index Cond: (seq = $0)\n        Filter: (waiting = "
		"1)\n"));
	assert_true(sql_pages("SELECT id FROM orders WHERE tenant_id = ? "
			      "ORDER BY seq DESC LIMIT ?"));
	assert_false(sql_pages("SELECT id FROM orders WHERE tenant_id = ? "
			       "ORDER BY seq"));
	assert_false(sql_pages("SELECT seq FROM deliveries WHERE "
			       "webhook_id = ? LIMIT 1"));
}

/*
 * The PostgreSQL check of an index's first column can fail too: a
 * condition on a later column alone is a walk of the whole index (on the
 * test's own database, whose indexes it looks up).
 */
static void test_index_walks_are_seen(void **state)
{
	struct fx *f = *state;
	PGconn *c;

	if (!test_pg_url())
		skip();
	c = test_pg_connect(f->url);
	assert_true(pg_index_walked(
		c, "Index Scan using orders_tenant_id_channel_external_id_key "
		   "on orders o\n      Index Cond: (channel = $7)\n"));
	assert_false(pg_index_walked(
		c, "Index Scan using orders_tenant_id_channel_external_id_key "
		   "on orders o\n      Index Cond: ((tenant_id = $1) AND "
		   "(channel = $7))\n"));
	assert_true(pg_index_walked(c, "Index Scan using orders_pkey on "
				       "orders\n  Filter: (tenant_id = $1)\n"));
	assert_false(pg_index_walked(c, "Bitmap Index Scan on holds_order\n"
				        "  Index Cond: (order_seq = $1)\n"));
	PQfinish(c);
}

/*
 * A batch's stock and SKUs (STOCK LOCKS, committer.c) are read SKU by SKU by
 * their indexes on a catalog of a thousand SKUs, the planner left to
 * choose (sequential scans on): a plan made for any array of SKUs
 * ("sku = ANY (?)") read every stock and SKU row of such a catalog in
 * every batch, and compared each with every SKU of the batch.
 */
static void test_a_batch_reads_its_skus_by_their_index(void **state)
{
	static const unsigned ids[] = {SQL_STOCK_LOCK_SKUS, SQL_STOCK_OF_SKUS,
				       SQL_SKUS_OF_BATCH};
	struct fx *f = *state;
	char buf[4096], sql[PATH_MAX + 256];
	PGconn *c;
	size_t i;

	if (!test_pg_url())
		skip(); /* SQLite has neither arrays nor row locks */
	c = test_pg_connect(f->url);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO locations VALUES (%lld, 'WH1', 'one', '', '', "
		 "'', '', '', '', '', 'US', '', 1, 1, 0, '')",
		 (long long)f->ta);
	test_pg_exec(c, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO skus SELECT %lld, 'SKU-' || i, 'one', 100, "
		 "'USD', 1, 0 FROM generate_series(1, 1000) i",
		 (long long)f->ta);
	test_pg_exec(c, sql);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO stock SELECT %lld, 'WH1', 'SKU-' || i, 10, 0, "
		 "0, 0 FROM generate_series(1, 1000) i",
		 (long long)f->ta);
	test_pg_exec(c, sql);
	snprintf(sql, sizeof(sql),
		 "ALTER DATABASE %s SET plan_cache_mode = force_generic_plan",
		 f->dir);
	test_pg_exec(c, sql);
	test_pg_exec(c, "ANALYZE");
	PQfinish(c);
	c = test_pg_connect(f->url); /* with the database's setting */
	for (i = 0; i < N_OF(ids); i++) {
		const char *text = store_statement_text(ids[i], buf,
							sizeof(buf));
		bool ok;
		char *plan;

		assert_non_null(text);
		plan = pg_plan(c, text, &ok);
		if (!ok || strstr(plan, "Seq Scan") ||
		    !strstr(plan, "Index Cond"))
			fail_msg("statement %u reads more than its SKUs:\n%s\n"
				 "%s",
				 ids[i], text, plan);
		free(plan);
	}
	PQfinish(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scans_are_seen),
		cmocka_unit_test_setup_teardown(test_index_walks_are_seen,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_statement_is_keyed,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_a_batch_reads_its_skus_by_their_index, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
