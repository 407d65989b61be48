/*
 * floor.c - the storage floor: how many orders per second SQLite itself can
 * store, durably, when it is given nothing but the rows ordo stores for a
 * clean order. ordo's intake (bench/run, over HTTP) is reported as a ratio to
 * this figure measured in the same run, on the same disk: what ordo spends
 * above the floor is parsing, checking, its reads, its intermediate writes
 * and HTTP, and the ratio says how much of the disk's speed it keeps.
 *
 *   bench_floor [ORDERS_PER_COMMIT] [SECONDS] [LINES]
 *
 * Defaults: 32 orders per commit (what ordo's group commit makes at most
 * with 32 clients, each waiting for its answer), 5 seconds, 1 line per order.
 * Prints one line: "floor, ...: N orders/s ...".
 *
 * THE SAME DATABASE
 *
 * A fresh file in a temporary directory, opened as ordo's writer opens it
 * (src/store/sqlite.c): journal_mode=WAL, synchronous=FULL (a commit is on
 * disk when COMMIT returns), foreign_keys=ON. The schema is ordo's own: the
 * migrations under src/store/migrations/sqlite/ are compiled in (CMake,
 * floor_migrations) and applied in order, so every table, index, CHECK and
 * foreign key ordo's rows pay for is paid for here too, and stays so as the
 * migrations change. One tenant, one location (WH1) and LINES SKUs with
 * ample stock are set up first, as bench/run sets them up through the API.
 *
 * THE WRITE SET OF ONE CLEAN ORDER
 *
 * Read from ordo itself: on a fresh database with no webhook, a clean order
 * (known SKUs at catalog price, paid, stock on hand, a customer and address
 * not seen before, no Idempotency-Key) is accepted, allocated from one
 * location and released in the transaction that takes it in
 * (src/app/intake.c, allocation.c, flow.c). The row counts of every table
 * before and after posting a 1-line and a 3-line order differ by exactly
 * these, with L the number of lines:
 *
 *     orders              1 insert, in its final state (released), with
 *                         the document it came in (its source: the JSON
 *                         bench/intake.lua posts)
 *     order_lines         L inserts
 *     order_events        7 inserts: received, received -> validated ->
 *                         accepted, allocated, accepted -> allocated,
 *                         released, allocated -> released
 *     stock               L updates (reserved), one per line
 *     stock_events        L inserts (reserve)
 *     fulfillments        1 insert (released)
 *     fulfillment_lines   L inserts
 *     order_search        1 insert (and its FTS5 index order_search_fts,
 *                         by trigger): the order's search words, made by
 *                         ordo's own src/core/search.c as the store
 *                         makes them
 *
 * and nothing in holds (a clean order has none), outbox_events and
 * deliveries (no webhook is subscribed in the benchmark, and ordo stores an
 * event only when some webhook hears of it), or idempotency_keys (no header
 * is sent).
 * Every row is written once, with its final values; ordo writes some of them
 * more than once on the way (the order and its lines are updated at each
 * move, the fulfillment when it is released) and reads before it writes -
 * that is part of what the ratio measures, not part of the floor. Ids are
 * random like ordo's (128 random bits in base32) and the fingerprint is 64
 * hex digits spread like a SHA-256, so the unique indexes take their
 * inserts at random places as they do under ordo. One transaction holds
 * ORDERS_PER_COMMIT orders, without the savepoint ordo opens for each job.
 *
 * This file must follow ordo's write set: when a clean order comes to write
 * other rows (a new table, another event), the list above
 * and order_write() change with it, or the floor stops being one. Counting
 * the rows of every table before and after posting one order to `ordo
 * serve` tells.
 */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/order.h"
#include "core/search.h"
#include "embedded.h"

extern const struct ordo_embedded floor_migrations[];
extern const size_t floor_migrations_count;

/* The largest order this benchmark writes: lines are SKUs BENCH-1.. */
#define FLOOR_LINES_MAX 50

/* Stock on hand of every SKU: more than any run can reserve. */
#define FLOOR_ON_HAND 1000000000LL

enum {
	S_ORDER,
	S_LINE,
	S_EVENT,
	S_STOCK,
	S_STOCK_EVENT,
	S_FUL,
	S_FUL_LINE,
	S_SEARCH,
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
	[S_ORDER] =
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
		"fingerprint, accepted_at, release_due_at, released_at, "
		"delivered_at, closed_at, customer_key, source_type, source) "
		"VALUES (1, ?1, ?2, "
		"'web', ?3, ?4, ?4, 'USD', '', ?5, ?6, '', ?5, '', ?7, '', "
		"'Springfield', 'IL', '62701', 'US', '', 0, '', '', '', '', "
		"'', '', '', '', '', 'standard', 0, ?8, 0, 0, 0, ?8, 'paid', "
		"'', 'released', ?9, ?4, ?10, ?4, 0, 0, ?6, 'application/json', "
		"?11)",
	[S_SEARCH] = "INSERT INTO order_search (seq, head_exact, "
		     "tracking_exact, head, tracking) VALUES (?1, ?2, '', ?3, "
		     "'')",
	[S_LINE] = "INSERT INTO order_lines (order_seq, line_no, sku, title, "
		   "quantity, unit_price, qty_open, qty_allocated, "
		   "qty_released, qty_shipped, qty_cancelled, qty_returned) "
		   "VALUES (?1, ?2, ?3, '', ?4, ?5, 0, 0, ?4, 0, 0, 0)",
	[S_EVENT] = "INSERT INTO order_events (tenant_id, order_seq, type, "
		    "from_state, to_state, hold_id, actor, message, at) "
		    "VALUES (1, ?1, ?2, ?3, ?4, '', ?5, ?6, ?7)",
	[S_STOCK] = "UPDATE stock SET reserved = reserved + ?1, "
		    "updated_at = ?2 WHERE tenant_id = 1 AND location = 'WH1' "
		    "AND sku = ?3",
	[S_STOCK_EVENT] =
		"INSERT INTO stock_events (tenant_id, location, sku, type, "
		"delta_on_hand, delta_reserved, on_hand, reserved, reason, "
		"note, actor, order_id, at) VALUES (1, 'WH1', ?1, 'reserve', "
		"0, ?2, ?3, ?4, 'allocation', '', 'system', ?5, ?6)",
	[S_FUL] = "INSERT INTO fulfillments (id, tenant_id, order_seq, "
		  "location, state, reject_reason, reject_message, "
		  "created_at, released_at, updated_at) "
		  "VALUES (?1, 1, ?2, 'WH1', 'released', '', '', ?3, ?3, ?3)",
	[S_FUL_LINE] = "INSERT INTO fulfillment_lines (fulfillment_seq, "
		       "line_no, sku, quantity, shipped) "
		       "VALUES (?1, ?2, ?3, ?4, 0)",
};

/* The seven timeline events of a clean order, in ordo's order. */
static const struct {
	const char *type, *from, *to, *actor, *message;
} timeline[] = {
	{"received", "received", "received", "key:admin", "web"},
	{"state_changed", "received", "validated", "system", ""},
	{"state_changed", "validated", "accepted", "system", ""},
	{"allocated", "accepted", "accepted", "system", "from one location"},
	{"state_changed", "accepted", "allocated", "system", ""},
	{"released", "allocated", "allocated", "system", "WH1"},
	{"state_changed", "allocated", "released", "system", ""},
};

static sqlite3 *db;
static sqlite3_stmt *stmt[S_COUNT];

static void die(const char *what)
{
	fprintf(stderr, "bench_floor: %s: %s\n", what,
		db ? sqlite3_errmsg(db) : "no database");
	exit(1);
}

static void exec(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "bench_floor: %.60s...: %s\n", sql,
			msg ? msg : "failed");
		exit(1);
	}
}

/* Step a statement that returns no rows, and reset it for the next use. */
static void run(int id, const char *what)
{
	if (sqlite3_step(stmt[id]) != SQLITE_DONE)
		die(what);
	sqlite3_reset(stmt[id]);
}

static void bind_text(int id, int pos, const char *s)
{
	if (sqlite3_bind_text(stmt[id], pos, s, -1, SQLITE_STATIC) !=
	    SQLITE_OK)
		die("binding");
}

static void bind_i64(int id, int pos, int64_t v)
{
	if (sqlite3_bind_int64(stmt[id], pos, v) != SQLITE_OK)
		die("binding");
}

/* splitmix64: ids and fingerprints spread like random ones, reproducibly. */
static uint64_t rng_state = 0x6f72646f666c6f6fULL;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A public id like ordo's: prefix + 26 base32 characters of 128 bits. */
static void id_new(const char *prefix, char out[32])
{
	static const char alphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
	uint64_t a = rng_next(), b = rng_next();
	size_t n = strlen(prefix), i;

	memcpy(out, prefix, n);
	for (i = 0; i < 26; i++) {
		uint64_t *w = i < 13 ? &a : &b;

		out[n + i] = alphabet[*w & 31];
		*w >>= 5;
	}
	out[n + 26] = '\0';
}

static void fingerprint_new(char out[65])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 4; i++) {
		uint64_t w = rng_next();
		int j;

		for (j = 0; j < 16; j++, w >>= 4)
			out[i * 16 + j] = hex[w & 15];
	}
	out[64] = '\0';
}

static int64_t reserved[FLOOR_LINES_MAX + 1]; /* per SKU, kept in memory */

/* The order's search words, as the store makes them from the order. */
static void search_write(int64_t seq, const char *ext, const char *name,
			 const char *email, int lines)
{
	static order_line line[FLOOR_LINES_MAX];
	order o;
	search_doc d;
	ordo_err err = ORDO_ERR_INIT;
	int l;

	memset(&o, 0, sizeof(o));
	ordo_strlcpy(o.external_id, ext, sizeof(o.external_id));
	ordo_strlcpy(o.customer.name, name, sizeof(o.customer.name));
	ordo_strlcpy(o.customer.email, email, sizeof(o.customer.email));
	ordo_strlcpy(o.ship_to.name, name, sizeof(o.ship_to.name));
	ordo_strlcpy(o.ship_to.postal_code, "62701",
		     sizeof(o.ship_to.postal_code));
	for (l = 0; l < lines; l++)
		snprintf(line[l].sku, sizeof(line[l].sku), "BENCH-%d", l + 1);
	o.lines = line;
	o.n_lines = (size_t)lines;
	search_doc_init(&d);
	if (search_doc_order(&d, 1, &o, &err) != ORDO_OK)
		die("making the search words");
	bind_i64(S_SEARCH, 1, seq);
	bind_text(S_SEARCH, 2, search_doc_exact(&d));
	bind_text(S_SEARCH, 3, search_doc_words(&d));
	run(S_SEARCH, "inserting the search words");
	search_doc_free(&d);
}

/* Write the rows of clean order number n (see the top of this file). */
static void order_write(long n, int lines, int64_t now)
{
	char id[32], ful[32], fp[65], ext[32], name[48], email[64];
	char line1[48], sku[24], source[2048];
	size_t used;
	int64_t seq, ful_seq;
	size_t i;
	int l;

	id_new("ord_", id);
	fingerprint_new(fp);
	/* The customer and address of bench/intake.lua's orders. */
	snprintf(ext, sizeof(ext), "wrk-1-1-%ld", n);
	snprintf(name, sizeof(name), "Client 1-1-%ld", n);
	snprintf(email, sizeof(email), "c1-1-%ld@example.com", n);
	snprintf(line1, sizeof(line1), "1-1-%ld Main St", n);

	bind_text(S_ORDER, 1, id);
	bind_text(S_ORDER, 2, ext);
	bind_i64(S_ORDER, 3, now - 3600);
	bind_i64(S_ORDER, 4, now);
	bind_text(S_ORDER, 5, name);
	bind_text(S_ORDER, 6, email);
	bind_text(S_ORDER, 7, line1);
	bind_i64(S_ORDER, 8, 1000LL * lines);
	bind_text(S_ORDER, 9, fp);
	bind_i64(S_ORDER, 10, now + 4 * 3600);
	/* The body bench/intake.lua posts for it, byte for byte in form. */
	used = (size_t)snprintf(
		source, sizeof(source),
		"{\"external_id\":\"%s\",\"channel\":\"web\","
		"\"placed_at\":\"2026-11-27T09:00:00Z\",\"currency\":\"USD\","
		"\"customer\":{\"name\":\"%s\",\"email\":\"%s\"},"
		"\"ship_to\":{\"name\":\"%s\",\"line1\":\"%s\","
		"\"city\":\"Springfield\",\"region\":\"IL\","
		"\"postal_code\":\"62701\",\"country\":\"US\"},\"lines\":[",
		ext, name, email, name, line1);
	for (l = 1; l <= lines && used < sizeof(source); l++)
		used += (size_t)snprintf(source + used, sizeof(source) - used,
					 "%s{\"sku\":\"BENCH-%d\",\"quantity\":1,"
					 "\"unit_price\":\"10.00\"}",
					 l > 1 ? "," : "", l);
	if (used < sizeof(source))
		snprintf(source + used, sizeof(source) - used,
			 "],\"payment_status\":\"paid\"}");
	bind_text(S_ORDER, 11, source);
	run(S_ORDER, "inserting an order");
	seq = sqlite3_last_insert_rowid(db);

	for (l = 1; l <= lines; l++) {
		snprintf(sku, sizeof(sku), "BENCH-%d", l);
		bind_i64(S_LINE, 1, seq);
		bind_i64(S_LINE, 2, l);
		bind_text(S_LINE, 3, sku);
		bind_i64(S_LINE, 4, 1);
		bind_i64(S_LINE, 5, 1000);
		run(S_LINE, "inserting an order line");
	}
	for (i = 0; i < sizeof(timeline) / sizeof(timeline[0]); i++) {
		bind_i64(S_EVENT, 1, seq);
		bind_text(S_EVENT, 2, timeline[i].type);
		bind_text(S_EVENT, 3, timeline[i].from);
		bind_text(S_EVENT, 4, timeline[i].to);
		bind_text(S_EVENT, 5, timeline[i].actor);
		bind_text(S_EVENT, 6, timeline[i].message);
		bind_i64(S_EVENT, 7, now);
		run(S_EVENT, "inserting an order event");
	}
	for (l = 1; l <= lines; l++) {
		snprintf(sku, sizeof(sku), "BENCH-%d", l);
		reserved[l] += 1;
		bind_i64(S_STOCK, 1, 1);
		bind_i64(S_STOCK, 2, now);
		bind_text(S_STOCK, 3, sku);
		run(S_STOCK, "reserving stock");
		if (sqlite3_changes(db) != 1)
			die("reserving stock: no stock row");
		bind_text(S_STOCK_EVENT, 1, sku);
		bind_i64(S_STOCK_EVENT, 2, 1);
		bind_i64(S_STOCK_EVENT, 3, FLOOR_ON_HAND);
		bind_i64(S_STOCK_EVENT, 4, reserved[l]);
		bind_text(S_STOCK_EVENT, 5, id);
		bind_i64(S_STOCK_EVENT, 6, now);
		run(S_STOCK_EVENT, "inserting a stock event");
	}
	id_new("ful_", ful);
	bind_text(S_FUL, 1, ful);
	bind_i64(S_FUL, 2, seq);
	bind_i64(S_FUL, 3, now);
	run(S_FUL, "inserting a fulfillment");
	ful_seq = sqlite3_last_insert_rowid(db);
	for (l = 1; l <= lines; l++) {
		snprintf(sku, sizeof(sku), "BENCH-%d", l);
		bind_i64(S_FUL_LINE, 1, ful_seq);
		bind_i64(S_FUL_LINE, 2, l);
		bind_text(S_FUL_LINE, 3, sku);
		bind_i64(S_FUL_LINE, 4, 1);
		run(S_FUL_LINE, "inserting a fulfillment line");
	}
	search_write(seq, ext, name, email, lines);
}

/* Read a positive whole number argument, or use the default. */
static long arg_long(int argc, char **argv, int i, long def, long max)
{
	char *end = NULL;
	long v;

	if (argc <= i)
		return def;
	v = strtol(argv[i], &end, 10);
	if (!*argv[i] || *end || v < 1 || v > max) {
		fprintf(stderr,
			"usage: bench_floor [ORDERS_PER_COMMIT] [SECONDS] "
			"[LINES]: \"%s\" is not a number from 1 to %ld\n",
			argv[i], max);
		exit(2);
	}
	return v;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The single value of a query, to check what was written. */
static int64_t query_i64(const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK ||
	    sqlite3_step(s) != SQLITE_ROW)
		die(sql);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

int main(int argc, char **argv)
{
	long per_commit = arg_long(argc, argv, 1, 32, 100000);
	long seconds = arg_long(argc, argv, 2, 5, 3600);
	int lines = (int)arg_long(argc, argv, 3, 1, FLOOR_LINES_MAX);
	char dir[] = "/tmp/ordo-floor-XXXXXX", path[64], sql[256];
	int64_t now = (int64_t)time(NULL);
	long n = 0, commits = 0, i;
	double t0, t1;
	size_t k;
	int l, failed;

	/* As ordo's store configures SQLite (src/store/sqlite.c): no memory
	 * statistics, so no global mutex around each allocation. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	if (!mkdtemp(dir)) {
		perror("bench_floor: mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/floor.db", dir);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("opening the database");
	/* ordo's writer connection, as src/store/sqlite.c opens it. */
	exec("PRAGMA foreign_keys = ON");
	exec("PRAGMA journal_mode = WAL");
	exec("PRAGMA synchronous = FULL");

	/* ordo's schema: its migrations, in the order of their names. */
	for (k = 0; k < floor_migrations_count; k++) {
		exec("BEGIN IMMEDIATE");
		exec((const char *)floor_migrations[k].data);
		exec("COMMIT");
	}
	exec("BEGIN IMMEDIATE");
	exec("INSERT INTO tenants (id, slug, created_at) "
	     "VALUES (1, 'bench', 0)");
	exec("INSERT INTO locations (tenant_id, code, name, addr_name, "
	     "addr_company, addr_line1, addr_line2, addr_city, addr_region, "
	     "addr_postal_code, addr_country, addr_phone, priority, active, "
	     "updated_at, serves) VALUES (1, 'WH1', 'Warehouse 1', '', '', "
	     "'', '', '', '', '', 'US', '', 100, 1, 0, '')");
	for (l = 1; l <= lines; l++) {
		snprintf(sql, sizeof(sql),
			 "INSERT INTO skus (tenant_id, sku, title, unit_price, "
			 "currency, active, updated_at) VALUES (1, 'BENCH-%d', "
			 "'Bench %d', 1000, 'USD', 1, 0)",
			 l, l);
		exec(sql);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO stock (tenant_id, location, sku, on_hand, "
			 "reserved, safety_stock, updated_at) VALUES (1, 'WH1', "
			 "'BENCH-%d', %lld, 0, 0, 0)",
			 l, FLOOR_ON_HAND);
		exec(sql);
	}
	exec("COMMIT");

	for (i = 0; i < S_COUNT; i++)
		if (sqlite3_prepare_v3(db, stmt_sql[i], -1,
				       SQLITE_PREPARE_PERSISTENT, &stmt[i],
				       NULL) != SQLITE_OK)
			die("preparing a statement");

	t0 = now_s();
	do {
		exec("BEGIN IMMEDIATE");
		for (i = 0; i < per_commit; i++)
			order_write(n++, lines, now);
		exec("COMMIT");
		commits++;
		t1 = now_s();
	} while (t1 - t0 < (double)seconds);

	/* A figure for rows that are not there would measure nothing. */
	failed = query_i64("SELECT count(*) FROM orders") != n ||
		 query_i64("SELECT count(*) FROM order_events") != 7 * n ||
		 query_i64("SELECT count(*) FROM order_search") != n;
	for (i = 0; i < S_COUNT; i++)
		sqlite3_finalize(stmt[i]);
	sqlite3_close(db);
	db = NULL;
	if (failed) {
		fprintf(stderr, "bench_floor: the rows written are not the "
				"rows counted\n");
		return 1;
	}
	printf("floor, %ld orders per commit, %d line%s, %d rows each: "
	       "%8.0f orders/s (%ld orders, %ld commits, %.1f s)\n",
	       per_commit, lines, lines == 1 ? "" : "s", 10 + 4 * lines,
	       (double)n / (t1 - t0), n, commits, t1 - t0);
	snprintf(path, sizeof(path), "%s/floor.db", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/floor.db-wal", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/floor.db-shm", dir);
	unlink(path);
	return rmdir(dir) == 0 ? 0 : 1;
}
