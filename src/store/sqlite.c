/*
 * sqlite.c - the SQLite backend of the store (see store_int.h).
 *
 * CONNECTIONS
 *
 *     writer   one connection, used only by the committer thread (store.c):
 *              journal_mode=WAL, synchronous=FULL (a commit is on disk when
 *              COMMIT returns), foreign_keys=ON, busy_timeout from options.
 *     readers  opts->read_pool_size connections with query_only=ON, checked
 *              out by read_begin (waiting on a condition when all are out)
 *              and returned by read_end. In WAL mode a reader's deferred
 *              BEGIN pins a snapshot at its first read and never waits for
 *              the writer, nor the writer for it.
 *
 * Each connection has its own store_tx (tx->conn points back at it) and its
 * own cache of prepared statements, indexed by enum sq_id; the SQL text for
 * each id is in sq_sql[]. Statements are prepared on first use, kept for the
 * life of the connection, and reset after every use. Every value reaches SQL
 * as a bound parameter; the one statement built at run time (the order list
 * with its optional filters) is assembled from fixed fragments only.
 *
 * ERRORS
 *
 *     SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY  -> ORDO_ECONFLICT (field named)
 *     SQLITE_CONSTRAINT_FOREIGNKEY            -> ORDO_ENOTFOUND "tenant_id"
 *     no row where one was asked for          -> ORDO_ENOTFOUND (field named)
 *     anything else                           -> ORDO_ESTORAGE with
 *                                                sqlite3_errmsg()
 *
 * TENANCY
 *
 * Every query on tenant data has "tenant_id = ?" in it. Lines, holds and
 * events are reached through an order's seq, which is only ever taken from a
 * row that matched the tenant.
 *
 * INVARIANTS, CHECKED TWICE
 *
 * Line quantities are asserted before writing (order_line_check) and checked
 * again when read back (order_line_consistent, a broken row is ORDO_ESTORAGE),
 * with CHECK constraints in the schema between the two. Stock rows are
 * checked the same way (0 <= reserved <= on_hand).
 */
#include "store/store_int.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

extern const struct ordo_embedded migrations_sqlite[];
extern const size_t migrations_sqlite_count;

/* ---- SQL ----------------------------------------------------------------- */

#define SQ_ADDR_COLS(p)                                                        \
	p "name, " p "company, " p "line1, " p "line2, " p "city, "            \
	p "region, " p "postal_code, " p "country, " p "phone"

/* The order's columns after seq, in the order they are bound and read. */
#define SQ_ORDER_COLS_NOSEQ                                                    \
	"tenant_id, id, external_id, channel, placed_at, received_at, "        \
	"updated_at, currency, customer_external_id, customer_name, "          \
	"customer_email, customer_phone, "                                     \
	SQ_ADDR_COLS("ship_to_") ", has_bill_to, "                             \
	SQ_ADDR_COLS("bill_to_") ", "                                          \
	"shipping_method, shipping_amount, subtotal, shipping_total, tax, "    \
	"discount, total, payment_status, notes, state, fingerprint"
#define SQ_ORDER_COLS "seq, " SQ_ORDER_COLS_NOSEQ
#define SQ_Q10 "?,?,?,?,?,?,?,?,?,?"

#define SQ_SKU_COLS "sku, title, unit_price, currency, active, updated_at"
#define SQ_LOCATION_COLS                                                       \
	"code, name, " SQ_ADDR_COLS("addr_") ", priority, active, updated_at"
#define SQ_STOCK_COLS                                                          \
	"location, sku, on_hand, reserved, safety_stock, updated_at"
#define SQ_LINE_COLS                                                           \
	"line_no, sku, title, quantity, unit_price, qty_open, qty_allocated, " \
	"qty_released, qty_shipped, qty_cancelled, qty_returned"
#define SQ_HOLD_COLS                                                           \
	"id, type, status, field, message, related_order_id, raised_by, "      \
	"created_at, resolved_at"
#define SQ_EVENT_COLS                                                          \
	"seq, type, from_state, to_state, hold_id, actor, message, at"

enum sq_id {
	SQ_BEGIN,
	SQ_BEGIN_IMMEDIATE,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_MIGRATIONS_EXIST,
	SQ_MIGRATIONS_MAX,
	SQ_MIGRATION_MARK,
	SQ_TENANT_INSERT,
	SQ_TENANT_BY_SLUG,
	SQ_TENANT_BY_ID,
	SQ_API_KEY_INSERT,
	SQ_API_KEY_BY_HASH,
	SQ_SKU_PUT,
	SQ_SKU_GET,
	SQ_SKU_LIST,
	SQ_LOCATION_PUT,
	SQ_LOCATION_GET,
	SQ_LOCATION_LIST,
	SQ_LOCATION_EXISTS,
	SQ_SKU_EXISTS,
	SQ_STOCK_SET,
	SQ_STOCK_GET,
	SQ_ORDER_INSERT,
	SQ_LINE_INSERT,
	SQ_HOLD_INSERT,
	SQ_ORDER_GET,
	SQ_ORDER_SEQ,
	SQ_LINE_COUNT,
	SQ_LINES_OF,
	SQ_HOLDS_OF,
	SQ_ORDER_BY_EXTERNAL,
	SQ_ORDER_BY_FINGERPRINT,
	SQ_ORDER_SET_STATE,
	SQ_EVENT_INSERT,
	SQ_EVENTS_OF,
	SQ_IDEM_GET,
	SQ_IDEM_PUT,
	SQ_COUNT
};

static const char *const sq_sql[SQ_COUNT] = {
	[SQ_BEGIN] = "BEGIN",
	[SQ_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[SQ_SAVEPOINT] = "SAVEPOINT ordo_job",
	[SQ_RELEASE] = "RELEASE ordo_job",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO ordo_job",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
	[SQ_MIGRATIONS_EXIST] = "SELECT count(*) FROM sqlite_master "
				"WHERE type = 'table' "
				"AND name = 'schema_migrations'",
	[SQ_MIGRATIONS_MAX] = "SELECT coalesce(max(version), 0) "
			      "FROM schema_migrations",
	[SQ_MIGRATION_MARK] = "INSERT INTO schema_migrations "
			      "(version, applied_at) VALUES (?, ?)",
	[SQ_TENANT_INSERT] = "INSERT INTO tenants "
			     "(slug, dup_window_s, created_at) VALUES (?, ?, ?)",
	[SQ_TENANT_BY_SLUG] = "SELECT id, slug, dup_window_s, created_at "
			      "FROM tenants WHERE slug = ?",
	[SQ_TENANT_BY_ID] = "SELECT id, slug, dup_window_s, created_at "
			    "FROM tenants WHERE id = ?",
	[SQ_API_KEY_INSERT] = "INSERT INTO api_keys "
			      "(tenant_id, name, role, key_hash, created_at) "
			      "VALUES (?, ?, ?, ?, ?)",
	[SQ_API_KEY_BY_HASH] = "SELECT id, tenant_id, name, role, key_hash, "
			       "created_at FROM api_keys WHERE key_hash = ?",
	[SQ_SKU_PUT] = "INSERT INTO skus (tenant_id, " SQ_SKU_COLS ") "
		       "VALUES (?, ?, ?, ?, ?, ?, ?) "
		       "ON CONFLICT (tenant_id, sku) DO UPDATE SET "
		       "title = excluded.title, "
		       "unit_price = excluded.unit_price, "
		       "currency = excluded.currency, "
		       "active = excluded.active, "
		       "updated_at = excluded.updated_at",
	[SQ_SKU_GET] = "SELECT " SQ_SKU_COLS " FROM skus "
		       "WHERE tenant_id = ? AND sku = ?",
	[SQ_SKU_LIST] = "SELECT " SQ_SKU_COLS " FROM skus "
			"WHERE tenant_id = ? AND sku > ? ORDER BY sku LIMIT ?",
	[SQ_LOCATION_PUT] =
		"INSERT INTO locations (tenant_id, " SQ_LOCATION_COLS ") "
		"VALUES (?, " SQ_Q10 ", ?, ?, ?, ?) "
		"ON CONFLICT (tenant_id, code) DO UPDATE SET "
		"name = excluded.name, addr_name = excluded.addr_name, "
		"addr_company = excluded.addr_company, "
		"addr_line1 = excluded.addr_line1, "
		"addr_line2 = excluded.addr_line2, "
		"addr_city = excluded.addr_city, "
		"addr_region = excluded.addr_region, "
		"addr_postal_code = excluded.addr_postal_code, "
		"addr_country = excluded.addr_country, "
		"addr_phone = excluded.addr_phone, "
		"priority = excluded.priority, active = excluded.active, "
		"updated_at = excluded.updated_at",
	[SQ_LOCATION_GET] = "SELECT " SQ_LOCATION_COLS " FROM locations "
			    "WHERE tenant_id = ? AND code = ?",
	[SQ_LOCATION_LIST] = "SELECT " SQ_LOCATION_COLS " FROM locations "
			     "WHERE tenant_id = ? AND code > ? "
			     "ORDER BY code LIMIT ?",
	[SQ_LOCATION_EXISTS] = "SELECT 1 FROM locations "
			       "WHERE tenant_id = ? AND code = ?",
	[SQ_SKU_EXISTS] = "SELECT 1 FROM skus WHERE tenant_id = ? AND sku = ?",
	[SQ_STOCK_SET] = "INSERT INTO stock (tenant_id, " SQ_STOCK_COLS ") "
			 "VALUES (?, ?, ?, ?, 0, 0, ?) "
			 "ON CONFLICT (tenant_id, location, sku) DO UPDATE SET "
			 "on_hand = excluded.on_hand, "
			 "updated_at = excluded.updated_at",
	[SQ_STOCK_GET] = "SELECT " SQ_STOCK_COLS " FROM stock "
			 "WHERE tenant_id = ? AND location = ? AND sku = ?",
	[SQ_ORDER_INSERT] = "INSERT INTO orders (" SQ_ORDER_COLS_NOSEQ ") "
			    "VALUES (" SQ_Q10 "," SQ_Q10 "," SQ_Q10 "," SQ_Q10
			    ",?,?)",
	[SQ_LINE_INSERT] = "INSERT INTO order_lines (order_seq, " SQ_LINE_COLS
			   ") VALUES (?, " SQ_Q10 ", ?)",
	[SQ_HOLD_INSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			   SQ_HOLD_COLS ") VALUES (?, ?, ?,?,?,?,?,?,?,?,?)",
	[SQ_ORDER_GET] = "SELECT " SQ_ORDER_COLS " FROM orders "
			 "WHERE tenant_id = ? AND id = ?",
	[SQ_ORDER_SEQ] = "SELECT seq FROM orders WHERE tenant_id = ? AND id = ?",
	[SQ_LINE_COUNT] = "SELECT count(*) FROM order_lines WHERE order_seq = ?",
	[SQ_LINES_OF] = "SELECT " SQ_LINE_COLS " FROM order_lines "
			"WHERE order_seq = ? ORDER BY line_no",
	[SQ_HOLDS_OF] = "SELECT " SQ_HOLD_COLS " FROM holds "
			"WHERE tenant_id = ? AND order_seq = ? "
			"ORDER BY created_at, rowid",
	[SQ_ORDER_BY_EXTERNAL] = "SELECT id FROM orders WHERE tenant_id = ? "
				 "AND channel = ? AND external_id = ?",
	[SQ_ORDER_BY_FINGERPRINT] = "SELECT id FROM orders "
				    "WHERE tenant_id = ? AND fingerprint = ? "
				    "AND received_at >= ? "
				    "ORDER BY received_at DESC, seq DESC "
				    "LIMIT 1",
	[SQ_ORDER_SET_STATE] = "UPDATE orders SET state = ?, updated_at = ? "
			       "WHERE tenant_id = ? AND id = ?",
	[SQ_EVENT_INSERT] = "INSERT INTO order_events (tenant_id, order_seq, "
			    "type, from_state, to_state, hold_id, actor, "
			    "message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	[SQ_EVENTS_OF] = "SELECT " SQ_EVENT_COLS " FROM order_events "
			 "WHERE tenant_id = ? AND order_seq = ? ORDER BY seq",
	[SQ_IDEM_GET] = "SELECT key, request_hash, status, body, created_at "
			"FROM idempotency_keys WHERE tenant_id = ? AND key = ?",
	[SQ_IDEM_PUT] = "INSERT INTO idempotency_keys (tenant_id, key, "
			"request_hash, status, body, created_at) "
			"VALUES (?, ?, ?, ?, ?, ?)",
};

/* ---- connections and the pool -------------------------------------------- */

struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *stmt[SQ_COUNT];
	store_tx tx;
	struct sq_conn *next_free;
};

struct sq_store {
	struct sq_conn writer;
	struct sq_conn *readers;
	int n_readers;
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv; /* a reader was returned */
	struct sq_conn *free_readers;
};

static void sq_conn_close(struct sq_conn *c)
{
	size_t i;

	for (i = 0; i < SQ_COUNT; i++) {
		sqlite3_finalize(c->stmt[i]);
		c->stmt[i] = NULL;
	}
	if (c->db)
		sqlite3_close_v2(c->db);
	c->db = NULL;
}

/* Run a PRAGMA and, when want is given, check the single value it returns. */
static ordo_code sq_pragma(struct sq_conn *c, const char *sql,
			   const char *want, ordo_err *err)
{
	sqlite3_stmt *s = NULL;
	ordo_code rc = ORDO_OK;
	int r;

	r = sqlite3_prepare_v2(c->db, sql, -1, &s, NULL);
	if (r != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s: %s", sql,
				  sqlite3_errmsg(c->db));
		goto out;
	}
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		const unsigned char *v = sqlite3_column_text(s, 0);

		if (want && (!v || strcmp((const char *)v, want) != 0)) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "%s: the database answered \"%s\", "
					  "not \"%s\"",
					  sql, v ? (const char *)v : "", want);
			goto out;
		}
	}
	if (r != SQLITE_DONE)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s: %s", sql,
				  sqlite3_errmsg(c->db));
out:
	sqlite3_finalize(s);
	return rc;
}

static ordo_code sq_conn_open(store *st, struct sq_conn *c, const char *path,
			      bool writer, const store_options *opts,
			      ordo_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	ordo_code rc = ORDO_OK;
	int r;

	memset(c, 0, sizeof(*c));
	if (writer)
		flags |= SQLITE_OPEN_CREATE;
	r = sqlite3_open_v2(path, &c->db, flags, NULL);
	if (r != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, "url",
				  "cannot open database \"%.128s\": %s", path,
				  c->db ? sqlite3_errmsg(c->db)
					: sqlite3_errstr(r));
		goto out;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, opts->busy_timeout_ms);
	rc = sq_pragma(c, "PRAGMA foreign_keys = ON", NULL, err);
	if (rc)
		goto out;
	if (writer) {
		rc = sq_pragma(c, "PRAGMA journal_mode = WAL", "wal", err);
		if (rc)
			goto out;
		rc = sq_pragma(c, "PRAGMA synchronous = FULL", NULL, err);
		if (rc)
			goto out;
	} else {
		rc = sq_pragma(c, "PRAGMA query_only = ON", NULL, err);
		if (rc)
			goto out;
	}
	c->tx.st = st;
	c->tx.be = &store_backend_sqlite;
	c->tx.conn = c;
	c->tx.writable = writer;
out:
	if (rc)
		sq_conn_close(c);
	return rc;
}

static void sq_close(store *st)
{
	struct sq_store *s = st->impl;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n_readers; i++)
		sq_conn_close(&s->readers[i]);
	free(s->readers);
	/* The writer goes last: closing the last connection checkpoints. */
	sq_conn_close(&s->writer);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->pool_mu);
	free(s);
	st->impl = NULL;
}

static ordo_code sq_open(store *st, const char *path, const store_options *opts,
			 ordo_err *err)
{
	struct sq_store *s;
	ordo_code rc = ORDO_OK;
	int i;

	if (!sqlite3_threadsafe())
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "this SQLite library was built without "
				    "thread support");
	if (strcmp(path, ":memory:") == 0)
		return ordo_err_set(err, ORDO_EINVALID, "url",
				    "an in-memory SQLite database cannot be "
				    "shared by the read pool; give a file path");
	s = calloc(1, sizeof(*s));
	if (!s)
		return ordo_err_set(err, ORDO_ENOMEM, NULL,
				    "out of memory opening the store");
	if (pthread_mutex_init(&s->pool_mu, NULL) != 0) {
		free(s);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create the read pool's mutex");
	}
	if (pthread_cond_init(&s->pool_cv, NULL) != 0) {
		pthread_mutex_destroy(&s->pool_mu);
		free(s);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create the read pool's condition");
	}
	st->impl = s;

	/* The writer first: it creates the file and switches it to WAL. */
	rc = sq_conn_open(st, &s->writer, path, true, opts, err);
	if (rc)
		goto out;
	s->readers = calloc((size_t)opts->read_pool_size, sizeof(*s->readers));
	if (!s->readers) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory opening the read pool");
		goto out;
	}
	for (i = 0; i < opts->read_pool_size; i++) {
		rc = sq_conn_open(st, &s->readers[i], path, false, opts, err);
		if (rc)
			goto out;
		s->n_readers = i + 1;
		s->readers[i].next_free = s->free_readers;
		s->free_readers = &s->readers[i];
	}
out:
	if (rc)
		sq_close(st);
	return rc;
}

/* ---- statements, binding, reading ---------------------------------------- */

static ordo_code sq_stmt(store_tx *tx, enum sq_id id, sqlite3_stmt **out,
			 ordo_err *err)
{
	struct sq_conn *c = tx->conn;

	*out = NULL;
	if (!c->stmt[id]) {
		int r = sqlite3_prepare_v3(c->db, sq_sql[id], -1,
					   SQLITE_PREPARE_PERSISTENT,
					   &c->stmt[id], NULL);

		if (r != SQLITE_OK) {
			c->stmt[id] = NULL;
			return ordo_err_set(err, ORDO_ESTORAGE, NULL,
					    "preparing a statement: %s",
					    sqlite3_errmsg(c->db));
		}
	}
	*out = c->stmt[id];
	return ORDO_OK;
}

/* Make a cached statement ready for its next use. */
static void sq_stmt_done(sqlite3_stmt *s)
{
	if (!s)
		return;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

/* Map the connection's last error; what says what was being done. */
static ordo_code sq_err(store_tx *tx, const char *what,
			const char *conflict_field, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	int e = sqlite3_extended_errcode(c->db);

	switch (e) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return ordo_err_set(err, ORDO_ECONFLICT, conflict_field,
				    "%s: %s is already taken", what,
				    conflict_field ? conflict_field : "the key");
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return ordo_err_set(err, ORDO_ENOTFOUND, "tenant_id",
				    "%s: the tenant or a row it refers to "
				    "does not exist",
				    what);
	default:
		return ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s: %s", what,
				    sqlite3_errmsg(c->db));
	}
}

/* Step a statement that returns no rows (or ignores them). */
static ordo_code sq_exec(store_tx *tx, sqlite3_stmt *s, const char *what,
			 const char *conflict_field, ordo_err *err)
{
	int r = sqlite3_step(s);

	if (r == SQLITE_DONE || r == SQLITE_ROW)
		return ORDO_OK;
	return sq_err(tx, what, conflict_field, err);
}

/* Step to the next row: *row says whether there was one. */
static ordo_code sq_next(store_tx *tx, sqlite3_stmt *s, bool *row,
			 const char *what, ordo_err *err)
{
	int r = sqlite3_step(s);

	*row = (r == SQLITE_ROW);
	if (r == SQLITE_ROW || r == SQLITE_DONE)
		return ORDO_OK;
	return sq_err(tx, what, NULL, err);
}

/* Sequential binding: parameters 1, 2, ... in the order of the calls. */
struct sq_bind {
	sqlite3_stmt *s;
	int i;
	int r;
};

static void bind_str(struct sq_bind *b, const char *v)
{
	b->i++;
	if (b->r == SQLITE_OK)
		b->r = sqlite3_bind_text(b->s, b->i, v ? v : "", -1,
					 SQLITE_STATIC);
}

/* "" is stored as NULL (an external id the channel did not give). */
static void bind_str_or_null(struct sq_bind *b, const char *v)
{
	b->i++;
	if (b->r != SQLITE_OK)
		return;
	if (!v || !v[0])
		b->r = sqlite3_bind_null(b->s, b->i);
	else
		b->r = sqlite3_bind_text(b->s, b->i, v, -1, SQLITE_STATIC);
}

static void bind_i64(struct sq_bind *b, int64_t v)
{
	b->i++;
	if (b->r == SQLITE_OK)
		b->r = sqlite3_bind_int64(b->s, b->i, v);
}

static void bind_address(struct sq_bind *b, const order_address *a)
{
	bind_str(b, a->name);
	bind_str(b, a->company);
	bind_str(b, a->line1);
	bind_str(b, a->line2);
	bind_str(b, a->city);
	bind_str(b, a->region);
	bind_str(b, a->postal_code);
	bind_str(b, a->country);
	bind_str(b, a->phone);
}

static ordo_code bind_end(store_tx *tx, struct sq_bind *b, ordo_err *err)
{
	struct sq_conn *c = tx->conn;

	if (b->r != SQLITE_OK)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "binding parameter %d: %s", b->i,
				    sqlite3_errmsg(c->db));
	/* Every parameter of the statement bound, no more: our bug if not. */
	assert(b->i == sqlite3_bind_parameter_count(b->s));
	return ORDO_OK;
}

/* Sequential reading of a row's columns; bad is set if a value does not fit
 * its buffer (it cannot, unless the database was written by someone else). */
struct sq_row {
	sqlite3_stmt *s;
	int i;
	bool bad;
};

static void row_str(struct sq_row *r, char *dst, size_t size)
{
	const unsigned char *t = sqlite3_column_text(r->s, r->i);

	if (ordo_strlcpy(dst, t ? (const char *)t : "", size) != 0)
		r->bad = true;
	r->i++;
}

static int64_t row_i64(struct sq_row *r)
{
	return sqlite3_column_int64(r->s, r->i++);
}

static void row_address(struct sq_row *r, order_address *a)
{
	row_str(r, a->name, sizeof(a->name));
	row_str(r, a->company, sizeof(a->company));
	row_str(r, a->line1, sizeof(a->line1));
	row_str(r, a->line2, sizeof(a->line2));
	row_str(r, a->city, sizeof(a->city));
	row_str(r, a->region, sizeof(a->region));
	row_str(r, a->postal_code, sizeof(a->postal_code));
	row_str(r, a->country, sizeof(a->country));
	row_str(r, a->phone, sizeof(a->phone));
}

static ordo_code row_end(struct sq_row *r, const char *what, ordo_err *err)
{
	if (r->bad)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: a stored value is longer than ordo "
				    "allows",
				    what);
	return ORDO_OK;
}

/* ---- transactions -------------------------------------------------------- */

static ordo_code sq_run_id(store_tx *tx, enum sq_id id, const char *what,
			   ordo_err *err)
{
	sqlite3_stmt *s = NULL;
	ordo_code rc;

	rc = sq_stmt(tx, id, &s, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, s, what, NULL, err);
out:
	sq_stmt_done(s);
	return rc;
}

/* The write transaction must still be open after every savepoint move; SQLite
 * rolls it back by itself on some errors (disk full, I/O). */
static ordo_code sq_check_in_tx(store_tx *tx, const char *what, ordo_err *err)
{
	struct sq_conn *c = tx->conn;

	if (sqlite3_get_autocommit(c->db))
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: the database rolled the transaction "
				    "back",
				    what);
	return ORDO_OK;
}

static ordo_code sq_write_begin(store *st, store_tx **tx, ordo_err *err)
{
	struct sq_store *s = st->impl;
	ordo_code rc;

	*tx = &s->writer.tx;
	rc = sq_run_id(*tx, SQ_BEGIN_IMMEDIATE, "BEGIN IMMEDIATE", err);
	if (rc)
		*tx = NULL;
	return rc;
}

static ordo_code sq_savepoint(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_run_id(tx, SQ_SAVEPOINT, "SAVEPOINT", err);

	return rc ? rc : sq_check_in_tx(tx, "SAVEPOINT", err);
}

static ordo_code sq_release(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_check_in_tx(tx, "RELEASE", err);

	return rc ? rc : sq_run_id(tx, SQ_RELEASE, "RELEASE", err);
}

static ordo_code sq_rollback_to(store_tx *tx, ordo_err *err)
{
	ordo_code rc;

	rc = sq_check_in_tx(tx, "ROLLBACK TO", err);
	if (rc)
		goto out;
	rc = sq_run_id(tx, SQ_ROLLBACK_TO, "ROLLBACK TO", err);
	if (rc)
		goto out;
	/* ROLLBACK TO keeps the savepoint open; pop it. */
	rc = sq_run_id(tx, SQ_RELEASE, "RELEASE", err);
out:
	return rc;
}

static ordo_code sq_commit(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_check_in_tx(tx, "COMMIT", err);

	return rc ? rc : sq_run_id(tx, SQ_COMMIT, "COMMIT", err);
}

static void sq_rollback(store_tx *tx)
{
	struct sq_conn *c = tx->conn;

	if (!sqlite3_get_autocommit(c->db))
		(void)sq_run_id(tx, SQ_ROLLBACK, "ROLLBACK", NULL);
}

static ordo_code sq_read_begin(store *st, store_tx **tx, ordo_err *err)
{
	struct sq_store *s = st->impl;
	struct sq_conn *c;
	ordo_code rc;

	pthread_mutex_lock(&s->pool_mu);
	while (!s->free_readers)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	c = s->free_readers;
	s->free_readers = c->next_free;
	c->next_free = NULL;
	pthread_mutex_unlock(&s->pool_mu);

	rc = sq_run_id(&c->tx, SQ_BEGIN, "BEGIN", err);
	if (rc) {
		pthread_mutex_lock(&s->pool_mu);
		c->next_free = s->free_readers;
		s->free_readers = c;
		pthread_cond_signal(&s->pool_cv);
		pthread_mutex_unlock(&s->pool_mu);
		return rc;
	}
	*tx = &c->tx;
	return ORDO_OK;
}

static void sq_read_end(store_tx *tx)
{
	struct sq_conn *c = tx->conn;
	struct sq_store *s = tx->st->impl;

	if (!sqlite3_get_autocommit(c->db) &&
	    sq_run_id(tx, SQ_COMMIT, "COMMIT", NULL) != ORDO_OK)
		sq_rollback(tx);
	pthread_mutex_lock(&s->pool_mu);
	c->next_free = s->free_readers;
	s->free_readers = c;
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

/* ---- migrations ---------------------------------------------------------- */

static void sq_migrations(const struct ordo_embedded **list, size_t *n)
{
	*list = migrations_sqlite;
	*n = migrations_sqlite_count;
}

static ordo_code sq_exec_script(store_tx *tx, const char *sql, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	char *msg = NULL;
	ordo_code rc = ORDO_OK;

	if (sqlite3_exec(c->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s",
				  msg ? msg : sqlite3_errmsg(c->db));
		sqlite3_free(msg);
	}
	return rc;
}

static ordo_code sq_schema_version(store_tx *tx, int *version, ordo_err *err)
{
	sqlite3_stmt *s = NULL, *m = NULL;
	bool row = false;
	ordo_code rc;

	*version = 0;
	rc = sq_stmt(tx, SQ_MIGRATIONS_EXIST, &s, err);
	if (rc)
		goto out;
	rc = sq_next(tx, s, &row, "reading the schema version", err);
	if (rc || !row || sqlite3_column_int(s, 0) == 0)
		goto out;
	/* Prepared only once the table exists. */
	rc = sq_stmt(tx, SQ_MIGRATIONS_MAX, &m, err);
	if (rc)
		goto out;
	rc = sq_next(tx, m, &row, "reading the schema version", err);
	if (rc)
		goto out;
	if (row)
		*version = sqlite3_column_int(m, 0);
out:
	sq_stmt_done(s);
	sq_stmt_done(m);
	return rc;
}

static ordo_code sq_migration_mark(store_tx *tx, int version, ordo_time at,
				   ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_MIGRATION_MARK, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, version);
	bind_i64(&b, at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "recording a migration", "version", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

/* ---- tenants and API keys ------------------------------------------------ */

static ordo_code sq_tenant_insert(store_tx *tx, store_tenant *t, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_TENANT_INSERT, &b.s, err);
	if (rc)
		goto out;
	bind_str(&b, t->slug);
	bind_i64(&b, t->dup_window_s);
	bind_i64(&b, t->created_at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "tenant", "slug", err);
	if (rc)
		goto out;
	t->id = sqlite3_last_insert_rowid(c->db);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_tenant_read(store_tx *tx, sqlite3_stmt *s,
				store_tenant *t, const char *field,
				const char *key, ordo_err *err)
{
	struct sq_row r = {.s = s};
	bool row;
	ordo_code rc;

	rc = sq_next(tx, s, &row, "reading a tenant", err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ENOTFOUND, field,
				    "no tenant with %s \"%.64s\"", field, key);
	memset(t, 0, sizeof(*t));
	t->id = row_i64(&r);
	row_str(&r, t->slug, sizeof(t->slug));
	t->dup_window_s = row_i64(&r);
	t->created_at = row_i64(&r);
	return row_end(&r, "reading a tenant", err);
}

static ordo_code sq_tenant_by_slug(store_tx *tx, const char *slug,
				   store_tenant *t, ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_TENANT_BY_SLUG, &b.s, err);
	if (rc)
		goto out;
	bind_str(&b, slug);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_tenant_read(tx, b.s, t, "slug", slug, err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_tenant_by_id(store_tx *tx, int64_t id, store_tenant *t,
				 ordo_err *err)
{
	struct sq_bind b = {0};
	char key[24];
	ordo_code rc;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	rc = sq_stmt(tx, SQ_TENANT_BY_ID, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, id);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_tenant_read(tx, b.s, t, "id", key, err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_api_key_insert(store_tx *tx, store_api_key *k,
				   ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_API_KEY_INSERT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, k->tenant_id);
	bind_str(&b, k->name);
	bind_str(&b, k->role);
	bind_str(&b, k->key_hash);
	bind_i64(&b, k->created_at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "API key", "key_hash", err);
	if (rc)
		goto out;
	k->id = sqlite3_last_insert_rowid(c->db);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_api_key_by_hash(store_tx *tx, const char *key_hash,
				    store_api_key *k, ordo_err *err)
{
	struct sq_bind b = {0};
	struct sq_row r = {0};
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_API_KEY_BY_HASH, &b.s, err);
	if (rc)
		goto out;
	bind_str(&b, key_hash);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading an API key", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no API key with this hash");
		goto out;
	}
	memset(k, 0, sizeof(*k));
	r.s = b.s;
	k->id = row_i64(&r);
	k->tenant_id = row_i64(&r);
	row_str(&r, k->name, sizeof(k->name));
	row_str(&r, k->role, sizeof(k->role));
	row_str(&r, k->key_hash, sizeof(k->key_hash));
	k->created_at = row_i64(&r);
	rc = row_end(&r, "reading an API key", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

/* ---- SKUs and locations -------------------------------------------------- */

static void row_sku(struct sq_row *r, catalog_sku *s)
{
	memset(s, 0, sizeof(*s));
	row_str(r, s->sku, sizeof(s->sku));
	row_str(r, s->title, sizeof(s->title));
	s->unit_price = row_i64(r);
	row_str(r, s->currency, sizeof(s->currency));
	s->active = row_i64(r) != 0;
	s->updated_at = row_i64(r);
}

static void row_location(struct sq_row *r, catalog_location *l)
{
	memset(l, 0, sizeof(*l));
	row_str(r, l->code, sizeof(l->code));
	row_str(r, l->name, sizeof(l->name));
	row_address(r, &l->address);
	l->priority = (int)row_i64(r);
	l->active = row_i64(r) != 0;
	l->updated_at = row_i64(r);
}

static ordo_code sq_sku_put(store_tx *tx, int64_t tenant, const catalog_sku *s,
			    ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_SKU_PUT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, s->sku);
	bind_str(&b, s->title);
	bind_i64(&b, s->unit_price);
	bind_str(&b, s->currency);
	bind_i64(&b, s->active ? 1 : 0);
	bind_i64(&b, s->updated_at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "SKU", "sku", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_sku_get(store_tx *tx, int64_t tenant, const char *sku,
			    catalog_sku *s, ordo_err *err)
{
	struct sq_bind b = {0};
	struct sq_row r = {0};
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_SKU_GET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, sku);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading a SKU", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "sku",
				  "no SKU \"%.64s\"", sku);
		goto out;
	}
	r.s = b.s;
	row_sku(&r, s);
	rc = row_end(&r, "reading a SKU", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_sku_list(store_tx *tx, int64_t tenant, const char *after,
			     int limit, catalog_sku **out, size_t *n,
			     ordo_err *err)
{
	struct sq_bind b = {0};
	catalog_sku *items = NULL;
	size_t count = 0;
	bool row;
	ordo_code rc;

	items = calloc((size_t)limit, sizeof(*items));
	if (!items) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory listing SKUs");
		goto out;
	}
	rc = sq_stmt(tx, SQ_SKU_LIST, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, after);
	bind_i64(&b, limit);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	for (;;) {
		struct sq_row r = {.s = b.s};

		rc = sq_next(tx, b.s, &row, "listing SKUs", err);
		if (rc || !row)
			break;
		assert(count < (size_t)limit);
		row_sku(&r, &items[count++]);
		rc = row_end(&r, "listing SKUs", err);
		if (rc)
			break;
	}
out:
	sq_stmt_done(b.s);
	if (rc) {
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

static ordo_code sq_location_put(store_tx *tx, int64_t tenant,
				 const catalog_location *l, ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_LOCATION_PUT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, l->code);
	bind_str(&b, l->name);
	bind_address(&b, &l->address);
	bind_i64(&b, l->priority);
	bind_i64(&b, l->active ? 1 : 0);
	bind_i64(&b, l->updated_at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "location", "code", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_location_get(store_tx *tx, int64_t tenant,
				 const char *code, catalog_location *l,
				 ordo_err *err)
{
	struct sq_bind b = {0};
	struct sq_row r = {0};
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_LOCATION_GET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, code);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading a location", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "location",
				  "no location \"%.32s\"", code);
		goto out;
	}
	r.s = b.s;
	row_location(&r, l);
	rc = row_end(&r, "reading a location", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_location_list(store_tx *tx, int64_t tenant,
				  const char *after, int limit,
				  catalog_location **out, size_t *n,
				  ordo_err *err)
{
	struct sq_bind b = {0};
	catalog_location *items = NULL;
	size_t count = 0;
	bool row;
	ordo_code rc;

	items = calloc((size_t)limit, sizeof(*items));
	if (!items) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory listing locations");
		goto out;
	}
	rc = sq_stmt(tx, SQ_LOCATION_LIST, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, after);
	bind_i64(&b, limit);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	for (;;) {
		struct sq_row r = {.s = b.s};

		rc = sq_next(tx, b.s, &row, "listing locations", err);
		if (rc || !row)
			break;
		assert(count < (size_t)limit);
		row_location(&r, &items[count++]);
		rc = row_end(&r, "listing locations", err);
		if (rc)
			break;
	}
out:
	sq_stmt_done(b.s);
	if (rc) {
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

/* ---- stock --------------------------------------------------------------- */

/* ORDO_ENOTFOUND naming field unless (tenant, key) exists via statement id. */
static ordo_code sq_require(store_tx *tx, enum sq_id id, int64_t tenant,
			    const char *key, const char *field, ordo_err *err)
{
	struct sq_bind b = {0};
	bool row = false;
	ordo_code rc;

	rc = sq_stmt(tx, id, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, key);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "looking up a key", err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, field, "no %s \"%.64s\"",
				  field, key);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_stock_get(store_tx *tx, int64_t tenant,
			      const char *location, const char *sku,
			      stock_level *level, ordo_err *err)
{
	struct sq_bind b = {0};
	struct sq_row r = {0};
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_STOCK_GET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, location);
	bind_str(&b, sku);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading stock", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "sku",
				  "no stock of SKU \"%.64s\" at location "
				  "\"%.32s\"",
				  sku, location);
		goto out;
	}
	memset(level, 0, sizeof(*level));
	r.s = b.s;
	row_str(&r, level->location, sizeof(level->location));
	row_str(&r, level->sku, sizeof(level->sku));
	level->on_hand = row_i64(&r);
	level->reserved = row_i64(&r);
	level->safety_stock = row_i64(&r);
	level->updated_at = row_i64(&r);
	rc = row_end(&r, "reading stock", err);
	if (rc)
		goto out;
	if (level->on_hand < 0 || level->reserved < 0 ||
	    level->safety_stock < 0 || level->reserved > level->on_hand)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "stock of \"%.64s\" at \"%.32s\" is "
				  "inconsistent: on hand %lld, reserved %lld",
				  sku, location, (long long)level->on_hand,
				  (long long)level->reserved);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_stock_set(store_tx *tx, int64_t tenant,
			      const char *location, const char *sku,
			      int64_t on_hand, ordo_time now,
			      stock_level *level, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0};
	stock_level tmp;
	ordo_code rc;
	int r;

	rc = sq_require(tx, SQ_LOCATION_EXISTS, tenant, location, "location",
			err);
	if (rc)
		goto out;
	rc = sq_require(tx, SQ_SKU_EXISTS, tenant, sku, "sku", err);
	if (rc)
		goto out;
	rc = sq_stmt(tx, SQ_STOCK_SET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, location);
	bind_str(&b, sku);
	bind_i64(&b, on_hand);
	bind_i64(&b, now);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	r = sqlite3_step(b.s);
	if (r != SQLITE_DONE) {
		if (sqlite3_extended_errcode(c->db) == SQLITE_CONSTRAINT_CHECK)
			rc = ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
					  "on hand %lld is less than what is "
					  "already reserved of \"%.64s\" at "
					  "\"%.32s\"",
					  (long long)on_hand, sku, location);
		else
			rc = sq_err(tx, "setting stock", NULL, err);
		goto out;
	}
	rc = sq_stock_get(tx, tenant, location, sku, level ? level : &tmp,
			  err);
out:
	sq_stmt_done(b.s);
	return rc;
}

/* ---- orders -------------------------------------------------------------- */

static ordo_code sq_order_insert(store_tx *tx, order *o, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0}, lb = {0}, hb = {0};
	int64_t seq = 0;
	size_t i;
	ordo_code rc;

	for (i = 0; i < o->n_lines; i++)
		order_line_check(&o->lines[i]);

	rc = sq_stmt(tx, SQ_ORDER_INSERT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, o->tenant_id);
	bind_str(&b, o->id);
	bind_str_or_null(&b, o->external_id);
	bind_str(&b, o->channel);
	bind_i64(&b, o->placed_at);
	bind_i64(&b, o->received_at);
	bind_i64(&b, o->updated_at);
	bind_str(&b, o->currency);
	bind_str(&b, o->customer.external_id);
	bind_str(&b, o->customer.name);
	bind_str(&b, o->customer.email);
	bind_str(&b, o->customer.phone);
	bind_address(&b, &o->ship_to);
	bind_i64(&b, o->has_bill_to ? 1 : 0);
	bind_address(&b, &o->bill_to);
	bind_str(&b, o->shipping.method);
	bind_i64(&b, o->shipping.amount);
	bind_i64(&b, o->totals.subtotal);
	bind_i64(&b, o->totals.shipping);
	bind_i64(&b, o->totals.tax);
	bind_i64(&b, o->totals.discount);
	bind_i64(&b, o->totals.total);
	bind_str(&b, payment_status_name(o->payment));
	bind_str(&b, o->notes);
	bind_str(&b, order_state_name(o->state));
	bind_str(&b, o->fingerprint);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	if (sqlite3_step(b.s) != SQLITE_DONE) {
		/* Which unique key: the order id or (channel, external id). */
		const char *field =
			strstr(sqlite3_errmsg(c->db), "orders.id") ? "id"
								  : "external_id";

		rc = sq_err(tx, "order", field, err);
		goto out;
	}
	seq = sqlite3_last_insert_rowid(c->db);

	rc = sq_stmt(tx, SQ_LINE_INSERT, &lb.s, err);
	if (rc)
		goto out;
	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		sq_stmt_done(lb.s);
		lb.i = 0;
		bind_i64(&lb, seq);
		bind_i64(&lb, l->line_no);
		bind_str(&lb, l->sku);
		bind_str(&lb, l->title);
		bind_i64(&lb, l->quantity);
		bind_i64(&lb, l->unit_price);
		bind_i64(&lb, l->qty_open);
		bind_i64(&lb, l->qty_allocated);
		bind_i64(&lb, l->qty_released);
		bind_i64(&lb, l->qty_shipped);
		bind_i64(&lb, l->qty_cancelled);
		bind_i64(&lb, l->qty_returned);
		rc = bind_end(tx, &lb, err);
		if (rc)
			goto out;
		rc = sq_exec(tx, lb.s, "order line", "line_no", err);
		if (rc)
			goto out;
	}

	rc = sq_stmt(tx, SQ_HOLD_INSERT, &hb.s, err);
	if (rc)
		goto out;
	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		sq_stmt_done(hb.s);
		hb.i = 0;
		bind_i64(&hb, o->tenant_id);
		bind_i64(&hb, seq);
		bind_str(&hb, h->id);
		bind_str(&hb, hold_type_name(h->type));
		bind_str(&hb, hold_status_name(h->status));
		bind_str(&hb, h->field);
		bind_str(&hb, h->message);
		bind_str(&hb, h->related_order_id);
		bind_str(&hb, h->raised_by);
		bind_i64(&hb, h->created_at);
		bind_i64(&hb, h->resolved_at);
		rc = bind_end(tx, &hb, err);
		if (rc)
			goto out;
		rc = sq_exec(tx, hb.s, "hold", "holds", err);
		if (rc)
			goto out;
	}
	o->seq = seq;
out:
	sq_stmt_done(b.s);
	sq_stmt_done(lb.s);
	sq_stmt_done(hb.s);
	return rc;
}

/* Read one orders row (SQ_ORDER_COLS) into o, which has no lines or holds. */
static ordo_code row_order(sqlite3_stmt *s, order *o, ordo_err *err)
{
	struct sq_row r = {.s = s};
	char payment[32], state[32];
	ordo_code rc;

	order_init(o);
	o->seq = row_i64(&r);
	o->tenant_id = row_i64(&r);
	row_str(&r, o->id, sizeof(o->id));
	row_str(&r, o->external_id, sizeof(o->external_id));
	row_str(&r, o->channel, sizeof(o->channel));
	o->placed_at = row_i64(&r);
	o->received_at = row_i64(&r);
	o->updated_at = row_i64(&r);
	row_str(&r, o->currency, sizeof(o->currency));
	row_str(&r, o->customer.external_id, sizeof(o->customer.external_id));
	row_str(&r, o->customer.name, sizeof(o->customer.name));
	row_str(&r, o->customer.email, sizeof(o->customer.email));
	row_str(&r, o->customer.phone, sizeof(o->customer.phone));
	row_address(&r, &o->ship_to);
	o->has_bill_to = row_i64(&r) != 0;
	row_address(&r, &o->bill_to);
	row_str(&r, o->shipping.method, sizeof(o->shipping.method));
	o->shipping.amount = row_i64(&r);
	o->totals.subtotal = row_i64(&r);
	o->totals.shipping = row_i64(&r);
	o->totals.tax = row_i64(&r);
	o->totals.discount = row_i64(&r);
	o->totals.total = row_i64(&r);
	row_str(&r, payment, sizeof(payment));
	row_str(&r, o->notes, sizeof(o->notes));
	row_str(&r, state, sizeof(state));
	row_str(&r, o->fingerprint, sizeof(o->fingerprint));
	rc = row_end(&r, "reading an order", err);
	if (rc)
		return rc;
	if (payment_status_parse(payment, &o->payment) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "order %s has an unknown payment status "
				    "\"%s\"",
				    o->id, payment);
	if (order_state_parse(state, &o->state) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "order %s has an unknown state \"%s\"",
				    o->id, state);
	return ORDO_OK;
}

/* Load the lines and holds of o (header read, none loaded yet). */
static ordo_code sq_order_children(store_tx *tx, order *o, ordo_err *err)
{
	struct sq_bind cb = {0}, lb = {0}, hb = {0};
	size_t n = 0, i = 0;
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_LINE_COUNT, &cb.s, err);
	if (rc)
		goto out;
	bind_i64(&cb, o->seq);
	rc = bind_end(tx, &cb, err);
	if (rc)
		goto out;
	rc = sq_next(tx, cb.s, &row, "counting order lines", err);
	if (rc)
		goto out;
	if (row)
		n = (size_t)sqlite3_column_int64(cb.s, 0);
	rc = order_lines_alloc(o, n, err);
	if (rc)
		goto out;

	rc = sq_stmt(tx, SQ_LINES_OF, &lb.s, err);
	if (rc)
		goto out;
	bind_i64(&lb, o->seq);
	rc = bind_end(tx, &lb, err);
	if (rc)
		goto out;
	for (;;) {
		struct sq_row r = {.s = lb.s};
		order_line *l;

		rc = sq_next(tx, lb.s, &row, "reading order lines", err);
		if (rc)
			goto out;
		if (!row)
			break;
		/* One snapshot: the count cannot have changed. */
		if (i >= n) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "order %s: more lines than counted",
					  o->id);
			goto out;
		}
		l = &o->lines[i++];
		l->line_no = (int)row_i64(&r);
		row_str(&r, l->sku, sizeof(l->sku));
		row_str(&r, l->title, sizeof(l->title));
		l->quantity = row_i64(&r);
		l->unit_price = row_i64(&r);
		l->qty_open = row_i64(&r);
		l->qty_allocated = row_i64(&r);
		l->qty_released = row_i64(&r);
		l->qty_shipped = row_i64(&r);
		l->qty_cancelled = row_i64(&r);
		l->qty_returned = row_i64(&r);
		rc = row_end(&r, "reading order lines", err);
		if (rc)
			goto out;
		if (!order_line_consistent(l)) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "order %s line %d breaks the "
					  "quantity identity",
					  o->id, l->line_no);
			goto out;
		}
	}
	if (i != n) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "order %s: fewer lines than counted", o->id);
		goto out;
	}

	rc = sq_stmt(tx, SQ_HOLDS_OF, &hb.s, err);
	if (rc)
		goto out;
	bind_i64(&hb, o->tenant_id);
	bind_i64(&hb, o->seq);
	rc = bind_end(tx, &hb, err);
	if (rc)
		goto out;
	for (;;) {
		struct sq_row r = {.s = hb.s};
		order_hold h;
		char type[32], status[16];

		rc = sq_next(tx, hb.s, &row, "reading holds", err);
		if (rc)
			goto out;
		if (!row)
			break;
		memset(&h, 0, sizeof(h));
		row_str(&r, h.id, sizeof(h.id));
		row_str(&r, type, sizeof(type));
		row_str(&r, status, sizeof(status));
		row_str(&r, h.field, sizeof(h.field));
		row_str(&r, h.message, sizeof(h.message));
		row_str(&r, h.related_order_id, sizeof(h.related_order_id));
		row_str(&r, h.raised_by, sizeof(h.raised_by));
		h.created_at = row_i64(&r);
		h.resolved_at = row_i64(&r);
		rc = row_end(&r, "reading holds", err);
		if (rc)
			goto out;
		if (hold_type_parse(type, &h.type) != 0) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "hold %s has an unknown type \"%s\"",
					  h.id, type);
			goto out;
		}
		if (strcmp(status, hold_status_name(HOLD_OPEN)) == 0) {
			h.status = HOLD_OPEN;
		} else if (strcmp(status, hold_status_name(HOLD_RESOLVED)) ==
			   0) {
			h.status = HOLD_RESOLVED;
		} else {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "hold %s has an unknown status "
					  "\"%s\"",
					  h.id, status);
			goto out;
		}
		if (!order_hold_add(o, &h)) {
			rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
					  "order %s: cannot load its holds",
					  o->id);
			goto out;
		}
	}
out:
	sq_stmt_done(cb.s);
	sq_stmt_done(lb.s);
	sq_stmt_done(hb.s);
	return rc;
}

static ordo_code sq_order_get(store_tx *tx, int64_t tenant, const char *id,
			      order *o, ordo_err *err)
{
	struct sq_bind b = {0};
	bool row;
	ordo_code rc;

	order_free(o);
	rc = sq_stmt(tx, SQ_ORDER_GET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, id);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading an order", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
		goto out;
	}
	rc = row_order(b.s, o, err);
	if (rc)
		goto out;
	sq_stmt_done(b.s);
	b.s = NULL;
	rc = sq_order_children(tx, o, err);
out:
	sq_stmt_done(b.s);
	if (rc)
		order_free(o);
	return rc;
}

/* Run a statement that yields one id column into id_out, or ENOTFOUND. */
static ordo_code sq_find_id(store_tx *tx, sqlite3_stmt *s, char *id_out,
			    const char *field, const char *what, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = sq_next(tx, s, &row, what, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ENOTFOUND, field,
				    "no order with this %s", field);
	{
		struct sq_row r = {.s = s};

		row_str(&r, id_out, ORDO_ID_MAX);
		return row_end(&r, what, err);
	}
}

static ordo_code sq_order_find_external(store_tx *tx, int64_t tenant,
					const char *channel,
					const char *external_id,
					char id_out[ORDO_ID_MAX],
					ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_ORDER_BY_EXTERNAL, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, channel);
	bind_str(&b, external_id);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_find_id(tx, b.s, id_out, "external_id",
			"finding an order by external id", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_order_find_fingerprint(store_tx *tx, int64_t tenant,
					   const char *fingerprint,
					   ordo_time since,
					   char id_out[ORDO_ID_MAX],
					   ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	/* An order without a fingerprint is like no other. */
	if (!fingerprint || !fingerprint[0])
		return ordo_err_set(err, ORDO_ENOTFOUND, "fingerprint",
				    "no order with this fingerprint");
	rc = sq_stmt(tx, SQ_ORDER_BY_FINGERPRINT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, fingerprint);
	bind_i64(&b, since);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_find_id(tx, b.s, id_out, "fingerprint",
			"finding an order by fingerprint", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_order_set_state(store_tx *tx, int64_t tenant,
				    const char *id, order_state state,
				    ordo_time now, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_ORDER_SET_STATE, &b.s, err);
	if (rc)
		goto out;
	bind_str(&b, order_state_name(state));
	bind_i64(&b, now);
	bind_i64(&b, tenant);
	bind_str(&b, id);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "setting the order state", NULL, err);
	if (rc)
		goto out;
	if (sqlite3_changes(c->db) == 0)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
out:
	sq_stmt_done(b.s);
	return rc;
}

/*
 * The list query is built from fixed fragments, one per filter present;
 * parameters are numbered so each keeps its number whichever are present
 * (?10, the limit, is always there, so every lower number may be bound).
 */
static ordo_code sq_order_list(store_tx *tx, int64_t tenant,
			       const order_filter *f, order_page *page,
			       ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	char sql[2048];
	sqlite3_stmt *s = NULL;
	order *orders = NULL;
	size_t n = 0, cap = (size_t)f->limit + 1, i;
	int r = SQLITE_OK;
	bool row;
	ordo_code rc = ORDO_OK;

	snprintf(sql, sizeof(sql),
		 "SELECT " SQ_ORDER_COLS " FROM orders WHERE tenant_id = ?1"
		 "%s%s%s%s%s%s%s ORDER BY seq DESC LIMIT ?10",
		 f->has_state ? " AND state = ?2" : "",
		 f->channel[0] ? " AND channel = ?3" : "",
		 f->external_id[0] ? " AND external_id = ?4" : "",
		 f->received_from ? " AND received_at >= ?5" : "",
		 f->received_to ? " AND received_at < ?6" : "",
		 f->before_seq ? " AND seq < ?7" : "",
		 f->has_hold_type
			 ? " AND EXISTS (SELECT 1 FROM holds h"
			   " WHERE h.tenant_id = orders.tenant_id"
			   " AND h.order_seq = orders.seq"
			   " AND h.type = ?8 AND h.status = ?9)"
			 : "");
	if (sqlite3_prepare_v2(c->db, sql, -1, &s, NULL) != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "preparing the order list: %s",
				  sqlite3_errmsg(c->db));
		goto out;
	}
	r = sqlite3_bind_int64(s, 1, tenant);
	if (!r && f->has_state)
		r = sqlite3_bind_text(s, 2, order_state_name(f->state), -1,
				      SQLITE_STATIC);
	if (!r && f->channel[0])
		r = sqlite3_bind_text(s, 3, f->channel, -1, SQLITE_STATIC);
	if (!r && f->external_id[0])
		r = sqlite3_bind_text(s, 4, f->external_id, -1, SQLITE_STATIC);
	if (!r && f->received_from)
		r = sqlite3_bind_int64(s, 5, f->received_from);
	if (!r && f->received_to)
		r = sqlite3_bind_int64(s, 6, f->received_to);
	if (!r && f->before_seq)
		r = sqlite3_bind_int64(s, 7, f->before_seq);
	if (!r && f->has_hold_type)
		r = sqlite3_bind_text(s, 8, hold_type_name(f->hold_type), -1,
				      SQLITE_STATIC);
	if (!r && f->has_hold_type)
		r = sqlite3_bind_text(s, 9, hold_status_name(HOLD_OPEN), -1,
				      SQLITE_STATIC);
	if (!r)
		r = sqlite3_bind_int64(s, 10, (int64_t)cap);
	if (r) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "binding the order list: %s",
				  sqlite3_errmsg(c->db));
		goto out;
	}

	orders = calloc(cap, sizeof(*orders));
	if (!orders) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory listing orders");
		goto out;
	}
	for (;;) {
		rc = sq_next(tx, s, &row, "listing orders", err);
		if (rc)
			goto out;
		if (!row)
			break;
		assert(n < cap);
		rc = row_order(s, &orders[n++], err);
		if (rc)
			goto out;
	}
	sqlite3_finalize(s);
	s = NULL;

	/* limit + 1 rows came back: there is another page after this one. */
	if (n == cap) {
		n--;
		order_free(&orders[n]);
		page->next_before_seq = orders[n - 1].seq;
	}
	for (i = 0; i < n; i++) {
		rc = sq_order_children(tx, &orders[i], err);
		if (rc)
			goto out;
	}
out:
	sqlite3_finalize(s);
	if (rc) {
		for (i = 0; i < n; i++)
			order_free(&orders[i]);
		free(orders);
		page->next_before_seq = 0;
		return rc;
	}
	page->orders = orders;
	page->n = n;
	return ORDO_OK;
}

/* ---- events -------------------------------------------------------------- */

static ordo_code sq_order_seq(store_tx *tx, int64_t tenant, const char *id,
			      int64_t *seq, ordo_err *err)
{
	struct sq_bind b = {0};
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_ORDER_SEQ, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, id);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "finding an order", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
		goto out;
	}
	*seq = sqlite3_column_int64(b.s, 0);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_event_append(store_tx *tx, int64_t tenant,
				 const char *order_id, order_event *ev,
				 ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct sq_bind b = {0};
	int64_t seq = 0;
	ordo_code rc;

	rc = sq_order_seq(tx, tenant, order_id, &seq, err);
	if (rc)
		goto out;
	rc = sq_stmt(tx, SQ_EVENT_INSERT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_i64(&b, seq);
	bind_str(&b, ev->type);
	bind_str(&b, order_state_name(ev->from_state));
	bind_str(&b, order_state_name(ev->to_state));
	bind_str(&b, ev->hold_id);
	bind_str(&b, ev->actor);
	bind_str(&b, ev->message);
	bind_i64(&b, ev->at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "event", NULL, err);
	if (rc)
		goto out;
	ev->seq = sqlite3_last_insert_rowid(c->db);
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_event_list(store_tx *tx, int64_t tenant,
			       const char *order_id, order_event **out,
			       size_t *n, ordo_err *err)
{
	struct sq_bind b = {0};
	order_event *evs = NULL;
	size_t count = 0, cap = 0;
	int64_t seq = 0;
	bool row;
	ordo_code rc;

	rc = sq_order_seq(tx, tenant, order_id, &seq, err);
	if (rc)
		goto out;
	rc = sq_stmt(tx, SQ_EVENTS_OF, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_i64(&b, seq);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	for (;;) {
		struct sq_row r = {.s = b.s};
		order_event *ev;
		char from[32], to[32];

		rc = sq_next(tx, b.s, &row, "reading events", err);
		if (rc)
			goto out;
		if (!row)
			break;
		if (count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			order_event *nev = realloc(evs, ncap * sizeof(*nev));

			if (!nev) {
				rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
						  "out of memory reading "
						  "events");
				goto out;
			}
			evs = nev;
			cap = ncap;
		}
		ev = &evs[count++];
		memset(ev, 0, sizeof(*ev));
		ev->seq = row_i64(&r);
		row_str(&r, ev->type, sizeof(ev->type));
		row_str(&r, from, sizeof(from));
		row_str(&r, to, sizeof(to));
		row_str(&r, ev->hold_id, sizeof(ev->hold_id));
		row_str(&r, ev->actor, sizeof(ev->actor));
		row_str(&r, ev->message, sizeof(ev->message));
		ev->at = row_i64(&r);
		rc = row_end(&r, "reading events", err);
		if (rc)
			goto out;
		if (order_state_parse(from, &ev->from_state) != 0 ||
		    order_state_parse(to, &ev->to_state) != 0) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "event %lld has an unknown state",
					  (long long)ev->seq);
			goto out;
		}
	}
out:
	sq_stmt_done(b.s);
	if (rc) {
		free(evs);
		return rc;
	}
	*out = evs;
	*n = count;
	return ORDO_OK;
}

/* ---- idempotency --------------------------------------------------------- */

static ordo_code sq_idempotency_get(store_tx *tx, int64_t tenant,
				    const char *key, store_idempotency *rec,
				    ordo_err *err)
{
	struct sq_bind b = {0};
	struct sq_row r = {0};
	const unsigned char *body;
	size_t len;
	bool row;
	ordo_code rc;

	rc = sq_stmt(tx, SQ_IDEM_GET, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, key);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_next(tx, b.s, &row, "reading an idempotency key", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no idempotency key \"%.64s\"", key);
		goto out;
	}
	r.s = b.s;
	row_str(&r, rec->key, sizeof(rec->key));
	row_str(&r, rec->request_hash, sizeof(rec->request_hash));
	rec->status = (int)row_i64(&r);
	body = sqlite3_column_text(b.s, r.i);
	len = (size_t)sqlite3_column_bytes(b.s, r.i);
	r.i++;
	rec->created_at = row_i64(&r);
	rc = row_end(&r, "reading an idempotency key", err);
	if (rc)
		goto out;
	rec->body = malloc(len + 1);
	if (!rec->body) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory reading a stored response");
		goto out;
	}
	if (len)
		memcpy(rec->body, body, len);
	rec->body[len] = '\0';
out:
	sq_stmt_done(b.s);
	return rc;
}

static ordo_code sq_idempotency_put(store_tx *tx, int64_t tenant,
				    const store_idempotency *rec,
				    ordo_err *err)
{
	struct sq_bind b = {0};
	ordo_code rc;

	rc = sq_stmt(tx, SQ_IDEM_PUT, &b.s, err);
	if (rc)
		goto out;
	bind_i64(&b, tenant);
	bind_str(&b, rec->key);
	bind_str(&b, rec->request_hash);
	bind_i64(&b, rec->status);
	bind_str(&b, rec->body);
	bind_i64(&b, rec->created_at);
	rc = bind_end(tx, &b, err);
	if (rc)
		goto out;
	rc = sq_exec(tx, b.s, "idempotency key", "key", err);
out:
	sq_stmt_done(b.s);
	return rc;
}

/* ---- the method table ---------------------------------------------------- */

const struct store_backend store_backend_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.write_begin = sq_write_begin,
	.savepoint = sq_savepoint,
	.release = sq_release,
	.rollback_to = sq_rollback_to,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.read_begin = sq_read_begin,
	.read_end = sq_read_end,
	.migrations = sq_migrations,
	.exec_script = sq_exec_script,
	.schema_version = sq_schema_version,
	.migration_mark = sq_migration_mark,
	.tenant_insert = sq_tenant_insert,
	.tenant_by_slug = sq_tenant_by_slug,
	.tenant_by_id = sq_tenant_by_id,
	.api_key_insert = sq_api_key_insert,
	.api_key_by_hash = sq_api_key_by_hash,
	.sku_put = sq_sku_put,
	.sku_get = sq_sku_get,
	.sku_list = sq_sku_list,
	.location_put = sq_location_put,
	.location_get = sq_location_get,
	.location_list = sq_location_list,
	.stock_set = sq_stock_set,
	.stock_get = sq_stock_get,
	.order_insert = sq_order_insert,
	.order_get = sq_order_get,
	.order_find_external = sq_order_find_external,
	.order_find_fingerprint = sq_order_find_fingerprint,
	.order_set_state = sq_order_set_state,
	.order_list = sq_order_list,
	.event_append = sq_event_append,
	.event_list = sq_event_list,
	.idempotency_get = sq_idempotency_get,
	.idempotency_put = sq_idempotency_put,
};
