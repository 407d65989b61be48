/*
 * sql.c - every data operation of the store, written once: the SQL text of
 * each statement in one table (sql_text[], indexed by enum sql_id) and the C
 * that binds, steps and reads it through the driver interface of db.h. The
 * same code runs on SQLite and PostgreSQL; only the driver under tx->db
 * differs. See store.h for the contract of each public function.
 *
 * THE SQL
 *
 * Statements are written in the common subset of SQLite 3.40 and PostgreSQL
 * 15 (see db.h): "?" placeholders and never a '?' elsewhere, ON CONFLICT
 * upserts, RETURNING instead of last_insert_rowid() and changes(), LIMIT ?,
 * integer 0/1 for booleans. Both schemas (migrations/sqlite and
 * migrations/postgres) have the same tables, columns and keys, so one text
 * fits both. Two answers come from RETURNING rather than from an error the
 * databases word differently:
 *
 *     order insert   ON CONFLICT (tenant_id, channel, external_id) DO NOTHING
 *                    RETURNING seq: no row means the external id is taken; a
 *                    unique error can then only be the order id.
 *     stock set      DO UPDATE ... WHERE stock.reserved <= excluded.on_hand
 *                    RETURNING the row: no row means on_hand would fall below
 *                    what is reserved.
 *
 * Every value reaches SQL as a bound parameter. The one statement with a
 * shape chosen at run time, the order list, is assembled from the fixed
 * fragments of order_list_where[] and cached under its own number for each
 * combination of filters present (SQL_COUNT + bit mask).
 *
 * Each function follows the same course through a struct q (one statement in
 * use): q_open (prepare or take from the cache), q_i64 / q_str (sequential
 * binding), q_step (row, done, or the driver's mapped error), q_col_*
 * (sequential reading; a value longer than its buffer marks the row bad) and
 * q_close (reset) on every path out.
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
 * checked the same way (0 <= reserved <= on_hand), also the row a stock
 * update returns.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define SQL_ADDR_COLS(p)                                                       \
	p "name, " p "company, " p "line1, " p "line2, " p "city, "            \
	p "region, " p "postal_code, " p "country, " p "phone"

/* The order's columns after seq, in the order they are bound and read. */
#define SQL_ORDER_COLS_NOSEQ                                                   \
	"tenant_id, id, external_id, channel, placed_at, received_at, "        \
	"updated_at, currency, customer_external_id, customer_name, "          \
	"customer_email, customer_phone, "                                     \
	SQL_ADDR_COLS("ship_to_") ", has_bill_to, "                            \
	SQL_ADDR_COLS("bill_to_") ", "                                         \
	"shipping_method, shipping_amount, subtotal, shipping_total, tax, "    \
	"discount, total, payment_status, notes, state, fingerprint"
#define SQL_ORDER_COLS "seq, " SQL_ORDER_COLS_NOSEQ
#define SQL_Q10 "?,?,?,?,?,?,?,?,?,?"

#define SQL_SKU_COLS "sku, title, unit_price, currency, active, updated_at"
#define SQL_LOCATION_COLS                                                      \
	"code, name, " SQL_ADDR_COLS("addr_") ", priority, active, updated_at"
#define SQL_STOCK_COLS                                                         \
	"location, sku, on_hand, reserved, safety_stock, updated_at"
#define SQL_LINE_COLS                                                          \
	"line_no, sku, title, quantity, unit_price, qty_open, qty_allocated, " \
	"qty_released, qty_shipped, qty_cancelled, qty_returned"
#define SQL_HOLD_COLS                                                          \
	"id, type, status, field, message, related_order_id, raised_by, "      \
	"created_at, resolved_at"
#define SQL_EVENT_COLS                                                         \
	"seq, type, from_state, to_state, hold_id, actor, message, at"

enum sql_id {
	SQL_TABLE_EXISTS, /* the driver's text: db->sql_table_exists */
	SQL_MIGRATIONS_CREATE,
	SQL_MIGRATIONS_MAX,
	SQL_MIGRATION_MARK,
	SQL_TENANT_INSERT,
	SQL_TENANT_BY_SLUG,
	SQL_TENANT_BY_ID,
	SQL_API_KEY_INSERT,
	SQL_API_KEY_BY_HASH,
	SQL_SKU_PUT,
	SQL_SKU_GET,
	SQL_SKU_LIST,
	SQL_LOCATION_PUT,
	SQL_LOCATION_GET,
	SQL_LOCATION_LIST,
	SQL_LOCATION_EXISTS,
	SQL_SKU_EXISTS,
	SQL_STOCK_SET,
	SQL_STOCK_GET,
	SQL_ORDER_INSERT,
	SQL_LINE_INSERT,
	SQL_HOLD_INSERT,
	SQL_ORDER_GET,
	SQL_ORDER_SEQ,
	SQL_LINE_COUNT,
	SQL_LINES_OF,
	SQL_HOLDS_OF,
	SQL_ORDER_BY_EXTERNAL,
	SQL_ORDER_BY_FINGERPRINT,
	SQL_ORDER_SET_STATE,
	SQL_EVENT_INSERT,
	SQL_EVENTS_OF,
	SQL_IDEM_GET,
	SQL_IDEM_PUT,
	SQL_COUNT
	/* SQL_COUNT + mask: the order list with the filters in mask. */
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_MIGRATIONS_CREATE] = "CREATE TABLE IF NOT EXISTS "
				  "schema_migrations ("
				  " version INTEGER PRIMARY KEY,"
				  " applied_at BIGINT NOT NULL)",
	[SQL_MIGRATIONS_MAX] = "SELECT coalesce(max(version), 0) "
			       "FROM schema_migrations",
	[SQL_MIGRATION_MARK] = "INSERT INTO schema_migrations "
			       "(version, applied_at) VALUES (?, ?)",
	[SQL_TENANT_INSERT] = "INSERT INTO tenants "
			      "(slug, dup_window_s, created_at) "
			      "VALUES (?, ?, ?) RETURNING id",
	[SQL_TENANT_BY_SLUG] = "SELECT id, slug, dup_window_s, created_at "
			       "FROM tenants WHERE slug = ?",
	[SQL_TENANT_BY_ID] = "SELECT id, slug, dup_window_s, created_at "
			     "FROM tenants WHERE id = ?",
	[SQL_API_KEY_INSERT] = "INSERT INTO api_keys "
			       "(tenant_id, name, role, key_hash, created_at) "
			       "VALUES (?, ?, ?, ?, ?) RETURNING id",
	[SQL_API_KEY_BY_HASH] = "SELECT id, tenant_id, name, role, key_hash, "
				"created_at FROM api_keys WHERE key_hash = ?",
	[SQL_SKU_PUT] = "INSERT INTO skus (tenant_id, " SQL_SKU_COLS ") "
			"VALUES (?, ?, ?, ?, ?, ?, ?) "
			"ON CONFLICT (tenant_id, sku) DO UPDATE SET "
			"title = excluded.title, "
			"unit_price = excluded.unit_price, "
			"currency = excluded.currency, "
			"active = excluded.active, "
			"updated_at = excluded.updated_at",
	[SQL_SKU_GET] = "SELECT " SQL_SKU_COLS " FROM skus "
			"WHERE tenant_id = ? AND sku = ?",
	[SQL_SKU_LIST] = "SELECT " SQL_SKU_COLS " FROM skus "
			 "WHERE tenant_id = ? AND sku > ? ORDER BY sku LIMIT ?",
	[SQL_LOCATION_PUT] =
		"INSERT INTO locations (tenant_id, " SQL_LOCATION_COLS ") "
		"VALUES (?, " SQL_Q10 ", ?, ?, ?, ?) "
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
	[SQL_LOCATION_GET] = "SELECT " SQL_LOCATION_COLS " FROM locations "
			     "WHERE tenant_id = ? AND code = ?",
	[SQL_LOCATION_LIST] = "SELECT " SQL_LOCATION_COLS " FROM locations "
			      "WHERE tenant_id = ? AND code > ? "
			      "ORDER BY code LIMIT ?",
	[SQL_LOCATION_EXISTS] = "SELECT 1 FROM locations "
				"WHERE tenant_id = ? AND code = ?",
	[SQL_SKU_EXISTS] = "SELECT 1 FROM skus WHERE tenant_id = ? AND sku = ?",
	/* No row back: on_hand would fall below what is reserved. */
	[SQL_STOCK_SET] = "INSERT INTO stock (tenant_id, " SQL_STOCK_COLS ") "
			  "VALUES (?, ?, ?, ?, 0, 0, ?) "
			  "ON CONFLICT (tenant_id, location, sku) "
			  "DO UPDATE SET on_hand = excluded.on_hand, "
			  "updated_at = excluded.updated_at "
			  "WHERE stock.reserved <= excluded.on_hand "
			  "RETURNING " SQL_STOCK_COLS,
	[SQL_STOCK_GET] = "SELECT " SQL_STOCK_COLS " FROM stock "
			  "WHERE tenant_id = ? AND location = ? AND sku = ?",
	/* No row back: (tenant, channel, external id) is taken. */
	[SQL_ORDER_INSERT] = "INSERT INTO orders (" SQL_ORDER_COLS_NOSEQ ") "
			     "VALUES (" SQL_Q10 "," SQL_Q10 "," SQL_Q10
			     "," SQL_Q10 ",?,?) "
			     "ON CONFLICT (tenant_id, channel, external_id) "
			     "DO NOTHING RETURNING seq",
	[SQL_LINE_INSERT] = "INSERT INTO order_lines (order_seq, "
			    SQL_LINE_COLS ") VALUES (?, " SQL_Q10 ", ?)",
	[SQL_HOLD_INSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			    SQL_HOLD_COLS ") VALUES (?, ?, ?,?,?,?,?,?,?,?,?)",
	[SQL_ORDER_GET] = "SELECT " SQL_ORDER_COLS " FROM orders "
			  "WHERE tenant_id = ? AND id = ?",
	[SQL_ORDER_SEQ] = "SELECT seq FROM orders "
			  "WHERE tenant_id = ? AND id = ?",
	[SQL_LINE_COUNT] = "SELECT count(*) FROM order_lines "
			   "WHERE order_seq = ?",
	[SQL_LINES_OF] = "SELECT " SQL_LINE_COLS " FROM order_lines "
			 "WHERE order_seq = ? ORDER BY line_no",
	/* Insertion order: SQLite's implicit rowid, an explicit identity
	 * column of that name in PostgreSQL. */
	[SQL_HOLDS_OF] = "SELECT " SQL_HOLD_COLS " FROM holds "
			 "WHERE tenant_id = ? AND order_seq = ? "
			 "ORDER BY created_at, rowid",
	[SQL_ORDER_BY_EXTERNAL] = "SELECT id FROM orders WHERE tenant_id = ? "
				  "AND channel = ? AND external_id = ?",
	[SQL_ORDER_BY_FINGERPRINT] = "SELECT id FROM orders "
				     "WHERE tenant_id = ? AND fingerprint = ? "
				     "AND received_at >= ? "
				     "ORDER BY received_at DESC, seq DESC "
				     "LIMIT 1",
	/* No row back: no such order of the tenant. */
	[SQL_ORDER_SET_STATE] = "UPDATE orders SET state = ?, updated_at = ? "
				"WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_EVENT_INSERT] = "INSERT INTO order_events (tenant_id, order_seq, "
			     "type, from_state, to_state, hold_id, actor, "
			     "message, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
			     "RETURNING seq",
	[SQL_EVENTS_OF] = "SELECT " SQL_EVENT_COLS " FROM order_events "
			  "WHERE tenant_id = ? AND order_seq = ? ORDER BY seq",
	[SQL_IDEM_GET] = "SELECT key, request_hash, status, body, created_at "
			 "FROM idempotency_keys "
			 "WHERE tenant_id = ? AND key = ?",
	[SQL_IDEM_PUT] = "INSERT INTO idempotency_keys (tenant_id, key, "
			 "request_hash, status, body, created_at) "
			 "VALUES (?, ?, ?, ?, ?, ?)",
};

/*
 * The order list: "SELECT ... WHERE tenant_id = ?", then the fragment of
 * every filter present, in this order and bound in this order, then
 * " ORDER BY seq DESC LIMIT ?".
 */
enum order_list_filter {
	OLF_STATE,
	OLF_CHANNEL,
	OLF_EXTERNAL_ID,
	OLF_RECEIVED_FROM,
	OLF_RECEIVED_TO,
	OLF_BEFORE_SEQ,
	OLF_HOLD_TYPE, /* binds the type, then the open status */
	OLF_COUNT
};

static const char *const order_list_where[OLF_COUNT] = {
	[OLF_STATE] = " AND state = ?",
	[OLF_CHANNEL] = " AND channel = ?",
	[OLF_EXTERNAL_ID] = " AND external_id = ?",
	[OLF_RECEIVED_FROM] = " AND received_at >= ?",
	[OLF_RECEIVED_TO] = " AND received_at < ?",
	[OLF_BEFORE_SEQ] = " AND seq < ?",
	[OLF_HOLD_TYPE] = " AND EXISTS (SELECT 1 FROM holds h"
			  " WHERE h.tenant_id = orders.tenant_id"
			  " AND h.order_seq = orders.seq"
			  " AND h.type = ? AND h.status = ?)",
};

_Static_assert(SQL_COUNT + (1 << OLF_COUNT) <= DB_STMT_MAX,
	       "every statement number must fit the drivers' caches");

/* ---- one statement in use ------------------------------------------------ */

struct q {
	store_tx *tx;
	db_stmt *s;
	int col;  /* next column to read */
	bool bad; /* a value did not fit its buffer */
};

static ordo_code q_open_sql(struct q *q, store_tx *tx, unsigned id,
			    const char *sql, ordo_err *err)
{
	memset(q, 0, sizeof(*q));
	q->tx = tx;
	return tx->db->prepare(tx, id, sql, &q->s, err);
}

static ordo_code q_open(struct q *q, store_tx *tx, enum sql_id id,
			ordo_err *err)
{
	return q_open_sql(q, tx, id, sql_text[id], err);
}

/* Reset the statement for its next use; safe after a failed q_open. */
static void q_close(struct q *q)
{
	if (q->s)
		q->tx->db->reset(q->s);
	q->s = NULL;
}

static void q_i64(struct q *q, int64_t v)
{
	q->tx->db->bind_i64(q->s, v);
}

static void q_str(struct q *q, const char *v)
{
	q->tx->db->bind_text(q->s, v ? v : "");
}

/* "" is stored as NULL (an external id the channel did not give). */
static void q_str_or_null(struct q *q, const char *v)
{
	if (!v || !v[0])
		q->tx->db->bind_null(q->s);
	else
		q->tx->db->bind_text(q->s, v);
}

static void q_address(struct q *q, const order_address *a)
{
	q_str(q, a->name);
	q_str(q, a->company);
	q_str(q, a->line1);
	q_str(q, a->line2);
	q_str(q, a->city);
	q_str(q, a->region);
	q_str(q, a->postal_code);
	q_str(q, a->country);
	q_str(q, a->phone);
}

/*
 * Step to the next row; *row says whether there was one. what says what was
 * being done, field names the unique key should the step violate one.
 */
static ordo_code q_step(struct q *q, bool *row, const char *what,
			const char *field, ordo_err *err)
{
	*row = false;
	q->col = 0;
	switch (q->tx->db->step(q->s)) {
	case DB_ROW:
		*row = true;
		return ORDO_OK;
	case DB_DONE:
		return ORDO_OK;
	default:
		return q->tx->db->error(q->tx, what, field, err);
	}
}

/* Step a statement whose rows (if any) do not matter. */
static ordo_code q_exec(struct q *q, const char *what, const char *field,
			ordo_err *err)
{
	bool row;

	return q_step(q, &row, what, field, err);
}

static int64_t q_col_i64(struct q *q)
{
	return q->tx->db->column_i64(q->s, q->col++);
}

static void q_col_str(struct q *q, char *dst, size_t size)
{
	const struct db_driver *db = q->tx->db;
	const char *t = NULL;

	if (!db->column_is_null(q->s, q->col))
		t = db->column_text(q->s, q->col, NULL);
	if (ordo_strlcpy(dst, t ? t : "", size) != 0)
		q->bad = true;
	q->col++;
}

static void q_col_address(struct q *q, order_address *a)
{
	q_col_str(q, a->name, sizeof(a->name));
	q_col_str(q, a->company, sizeof(a->company));
	q_col_str(q, a->line1, sizeof(a->line1));
	q_col_str(q, a->line2, sizeof(a->line2));
	q_col_str(q, a->city, sizeof(a->city));
	q_col_str(q, a->region, sizeof(a->region));
	q_col_str(q, a->postal_code, sizeof(a->postal_code));
	q_col_str(q, a->country, sizeof(a->country));
	q_col_str(q, a->phone, sizeof(a->phone));
}

/* The row just read is whole (no value cut to fit), or ORDO_ESTORAGE. */
static ordo_code q_row_end(struct q *q, const char *what, ordo_err *err)
{
	if (q->bad)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: a stored value is longer than ordo "
				    "allows",
				    what);
	return ORDO_OK;
}

/*
 * A write through a read snapshot is a programmer error the database would
 * also refuse (read connections are read-only); say so plainly.
 */
static ordo_code tx_check_writable(store_tx *tx, const char *what,
				   ordo_err *err)
{
	if (tx->writable)
		return ORDO_OK;
	return ordo_err_set(err, ORDO_EINTERNAL, NULL,
			    "%s needs a write job, not a read transaction",
			    what);
}

/* ---- migration bookkeeping ----------------------------------------------- */

ordo_code sql_migrations_init(store_tx *tx, ordo_err *err)
{
	return tx->db->exec_script(tx, sql_text[SQL_MIGRATIONS_CREATE], err);
}

ordo_code sql_schema_version(store_tx *tx, int *version, ordo_err *err)
{
	struct q q;
	bool row = false;
	ordo_code rc;

	*version = 0;
	rc = q_open_sql(&q, tx, SQL_TABLE_EXISTS, tx->db->sql_table_exists,
			err);
	if (rc)
		goto out;
	q_str(&q, "schema_migrations");
	rc = q_step(&q, &row, "reading the schema version", NULL, err);
	if (rc || !row || q_col_i64(&q) == 0)
		goto out;
	q_close(&q);
	/* Prepared only once the table exists. */
	rc = q_open(&q, tx, SQL_MIGRATIONS_MAX, err);
	if (rc)
		goto out;
	rc = q_step(&q, &row, "reading the schema version", NULL, err);
	if (rc)
		goto out;
	if (row)
		*version = (int)q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

ordo_code sql_migration_mark(store_tx *tx, int version, ordo_time at,
			     ordo_err *err)
{
	struct q q;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_MIGRATION_MARK, err);
	if (rc)
		goto out;
	q_i64(&q, version);
	q_i64(&q, at);
	rc = q_exec(&q, "recording a migration", "version", err);
out:
	q_close(&q);
	return rc;
}

/* ---- tenants and API keys ------------------------------------------------ */

/*
 * Run an INSERT ... RETURNING of one generated key into *id. A unique key
 * taken is ORDO_ECONFLICT naming field.
 */
static ordo_code q_insert_returning(struct q *q, int64_t *id, const char *what,
				    const char *field, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, what, field, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: the database returned no key", what);
	*id = q_col_i64(q);
	return ORDO_OK;
}

ordo_code store_tenant_insert(store_tx *tx, store_tenant *t, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_tenant_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_TENANT_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, t->slug);
	q_i64(&q, t->dup_window_s);
	q_i64(&q, t->created_at);
	rc = q_insert_returning(&q, &t->id, "tenant", "slug", err);
out:
	q_close(&q);
	return rc;
}

/* Open, bound: read the one tenant row or ORDO_ENOTFOUND naming field. */
static ordo_code tenant_read(struct q *q, store_tenant *t, const char *field,
			     const char *key, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, "reading a tenant", NULL, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ENOTFOUND, field,
				    "no tenant with %s \"%.64s\"", field, key);
	memset(t, 0, sizeof(*t));
	t->id = q_col_i64(q);
	q_col_str(q, t->slug, sizeof(t->slug));
	t->dup_window_s = q_col_i64(q);
	t->created_at = q_col_i64(q);
	return q_row_end(q, "reading a tenant", err);
}

ordo_code store_tenant_by_slug(store_tx *tx, const char *slug, store_tenant *t,
			       ordo_err *err)
{
	struct q q;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_TENANT_BY_SLUG, err);
	if (rc)
		goto out;
	q_str(&q, slug);
	rc = tenant_read(&q, t, "slug", slug, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_tenant_by_id(store_tx *tx, int64_t id, store_tenant *t,
			     ordo_err *err)
{
	struct q q;
	char key[24];
	ordo_code rc;

	snprintf(key, sizeof(key), "%lld", (long long)id);
	rc = q_open(&q, tx, SQL_TENANT_BY_ID, err);
	if (rc)
		goto out;
	q_i64(&q, id);
	rc = tenant_read(&q, t, "id", key, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_api_key_insert(store_tx *tx, store_api_key *k, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_api_key_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_API_KEY_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, k->tenant_id);
	q_str(&q, k->name);
	q_str(&q, k->role);
	q_str(&q, k->key_hash);
	q_i64(&q, k->created_at);
	rc = q_insert_returning(&q, &k->id, "API key", "key_hash", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_api_key_by_hash(store_tx *tx, const char *key_hash,
				store_api_key *k, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_API_KEY_BY_HASH, err);
	if (rc)
		goto out;
	q_str(&q, key_hash);
	rc = q_step(&q, &row, "reading an API key", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no API key with this hash");
		goto out;
	}
	memset(k, 0, sizeof(*k));
	k->id = q_col_i64(&q);
	k->tenant_id = q_col_i64(&q);
	q_col_str(&q, k->name, sizeof(k->name));
	q_col_str(&q, k->role, sizeof(k->role));
	q_col_str(&q, k->key_hash, sizeof(k->key_hash));
	k->created_at = q_col_i64(&q);
	rc = q_row_end(&q, "reading an API key", err);
out:
	q_close(&q);
	return rc;
}

/* ---- SKUs and locations -------------------------------------------------- */

static void q_col_sku(struct q *q, catalog_sku *s)
{
	memset(s, 0, sizeof(*s));
	q_col_str(q, s->sku, sizeof(s->sku));
	q_col_str(q, s->title, sizeof(s->title));
	s->unit_price = q_col_i64(q);
	q_col_str(q, s->currency, sizeof(s->currency));
	s->active = q_col_i64(q) != 0;
	s->updated_at = q_col_i64(q);
}

static void q_col_location(struct q *q, catalog_location *l)
{
	memset(l, 0, sizeof(*l));
	q_col_str(q, l->code, sizeof(l->code));
	q_col_str(q, l->name, sizeof(l->name));
	q_col_address(q, &l->address);
	l->priority = (int)q_col_i64(q);
	l->active = q_col_i64(q) != 0;
	l->updated_at = q_col_i64(q);
}

ordo_code store_sku_put(store_tx *tx, int64_t tenant, const catalog_sku *s,
			ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_sku_put", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SKU_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, s->sku);
	q_str(&q, s->title);
	q_i64(&q, s->unit_price);
	q_str(&q, s->currency);
	q_i64(&q, s->active ? 1 : 0);
	q_i64(&q, s->updated_at);
	rc = q_exec(&q, "SKU", "sku", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_sku_get(store_tx *tx, int64_t tenant, const char *sku,
			catalog_sku *s, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_SKU_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, sku);
	rc = q_step(&q, &row, "reading a SKU", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "sku",
				  "no SKU \"%.64s\"", sku);
		goto out;
	}
	q_col_sku(&q, s);
	rc = q_row_end(&q, "reading a SKU", err);
out:
	q_close(&q);
	return rc;
}

/*
 * One page of a catalog list (SKUs or locations, keyed by a text column):
 * up to limit items of size bytes, each filled by read from a row.
 */
static ordo_code catalog_list(store_tx *tx, enum sql_id id, int64_t tenant,
			      const char *after, int limit, size_t size,
			      void (*read)(struct q *q, void *item),
			      const char *what, void **out, size_t *n,
			      ordo_err *err)
{
	struct q q = {0};
	char *items = NULL;
	size_t count = 0;
	bool row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	if (limit < 1 || limit > STORE_LIST_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "limit",
				  "limit must be 1..%d, not %d",
				  STORE_LIST_MAX, limit);
		goto out;
	}
	items = calloc((size_t)limit, size);
	if (!items) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory %s", what);
		goto out;
	}
	rc = q_open(&q, tx, id, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, after ? after : "");
	q_i64(&q, limit);
	for (;;) {
		rc = q_step(&q, &row, what, NULL, err);
		if (rc || !row)
			break;
		if (count == (size_t)limit) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "%s: more rows than the limit", what);
			break;
		}
		read(&q, items + count++ * size);
		rc = q_row_end(&q, what, err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	if (rc) {
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

static void sku_item(struct q *q, void *item)
{
	q_col_sku(q, item);
}

static void location_item(struct q *q, void *item)
{
	q_col_location(q, item);
}

ordo_code store_sku_list(store_tx *tx, int64_t tenant, const char *after,
			 int limit, catalog_sku **out, size_t *n, ordo_err *err)
{
	void *items = NULL;
	ordo_code rc;

	rc = catalog_list(tx, SQL_SKU_LIST, tenant, after, limit,
			  sizeof(**out), sku_item, "listing SKUs", &items, n,
			  err);
	*out = items;
	return rc;
}

ordo_code store_location_put(store_tx *tx, int64_t tenant,
			     const catalog_location *l, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_location_put", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_LOCATION_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, l->code);
	q_str(&q, l->name);
	q_address(&q, &l->address);
	q_i64(&q, l->priority);
	q_i64(&q, l->active ? 1 : 0);
	q_i64(&q, l->updated_at);
	rc = q_exec(&q, "location", "code", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_location_get(store_tx *tx, int64_t tenant, const char *code,
			     catalog_location *l, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_LOCATION_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, code);
	rc = q_step(&q, &row, "reading a location", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "location",
				  "no location \"%.32s\"", code);
		goto out;
	}
	q_col_location(&q, l);
	rc = q_row_end(&q, "reading a location", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_location_list(store_tx *tx, int64_t tenant, const char *after,
			      int limit, catalog_location **out, size_t *n,
			      ordo_err *err)
{
	void *items = NULL;
	ordo_code rc;

	rc = catalog_list(tx, SQL_LOCATION_LIST, tenant, after, limit,
			  sizeof(**out), location_item, "listing locations",
			  &items, n, err);
	*out = items;
	return rc;
}

/* ---- stock --------------------------------------------------------------- */

/* ORDO_ENOTFOUND naming field unless (tenant, key) exists via statement id. */
static ordo_code require_key(store_tx *tx, enum sql_id id, int64_t tenant,
			     const char *key, const char *field, ordo_err *err)
{
	struct q q;
	bool row = false;
	ordo_code rc;

	rc = q_open(&q, tx, id, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, key);
	rc = q_step(&q, &row, "looking up a key", NULL, err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, field, "no %s \"%.64s\"",
				  field, key);
out:
	q_close(&q);
	return rc;
}

/* Read a stock row (SQL_STOCK_COLS) and check 0 <= reserved <= on_hand. */
static ordo_code q_col_stock(struct q *q, stock_level *level, ordo_err *err)
{
	ordo_code rc;

	memset(level, 0, sizeof(*level));
	q_col_str(q, level->location, sizeof(level->location));
	q_col_str(q, level->sku, sizeof(level->sku));
	level->on_hand = q_col_i64(q);
	level->reserved = q_col_i64(q);
	level->safety_stock = q_col_i64(q);
	level->updated_at = q_col_i64(q);
	rc = q_row_end(q, "reading stock", err);
	if (rc)
		return rc;
	if (level->on_hand < 0 || level->reserved < 0 ||
	    level->safety_stock < 0 || level->reserved > level->on_hand)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "stock of \"%.64s\" at \"%.32s\" is "
				    "inconsistent: on hand %lld, reserved %lld",
				    level->sku, level->location,
				    (long long)level->on_hand,
				    (long long)level->reserved);
	return ORDO_OK;
}

ordo_code store_stock_get(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, stock_level *level, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_STOCK_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, location);
	q_str(&q, sku);
	rc = q_step(&q, &row, "reading stock", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "sku",
				  "no stock of SKU \"%.64s\" at location "
				  "\"%.32s\"",
				  sku, location);
		goto out;
	}
	rc = q_col_stock(&q, level, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_stock_set(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, int64_t on_hand, ordo_time now,
			  stock_level *level, ordo_err *err)
{
	struct q q = {0};
	stock_level tmp;
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_stock_set", err);
	if (rc)
		goto out;
	if (on_hand < 0 || on_hand > ORDO_MAX_STOCK) {
		rc = ordo_err_set(err, ORDO_EINVALID, "on_hand",
				  "on_hand must be 0..%lld, not %lld",
				  (long long)ORDO_MAX_STOCK,
				  (long long)on_hand);
		goto out;
	}
	rc = require_key(tx, SQL_LOCATION_EXISTS, tenant, location,
			 "location", err);
	if (rc)
		goto out;
	rc = require_key(tx, SQL_SKU_EXISTS, tenant, sku, "sku", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_STOCK_SET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, location);
	q_str(&q, sku);
	q_i64(&q, on_hand);
	q_i64(&q, now);
	rc = q_step(&q, &row, "setting stock", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
				  "on hand %lld is less than what is "
				  "already reserved of \"%.64s\" at "
				  "\"%.32s\"",
				  (long long)on_hand, sku, location);
		goto out;
	}
	rc = q_col_stock(&q, level ? level : &tmp, err);
out:
	q_close(&q);
	return rc;
}

/* ---- orders -------------------------------------------------------------- */

static ordo_code order_children_insert(store_tx *tx, const order *o,
				       int64_t seq, ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		rc = q_open(&q, tx, SQL_LINE_INSERT, err);
		if (rc)
			goto out;
		q_i64(&q, seq);
		q_i64(&q, l->line_no);
		q_str(&q, l->sku);
		q_str(&q, l->title);
		q_i64(&q, l->quantity);
		q_i64(&q, l->unit_price);
		q_i64(&q, l->qty_open);
		q_i64(&q, l->qty_allocated);
		q_i64(&q, l->qty_released);
		q_i64(&q, l->qty_shipped);
		q_i64(&q, l->qty_cancelled);
		q_i64(&q, l->qty_returned);
		rc = q_exec(&q, "order line", "line_no", err);
		if (rc)
			goto out;
		q_close(&q);
	}
	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		rc = q_open(&q, tx, SQL_HOLD_INSERT, err);
		if (rc)
			goto out;
		q_i64(&q, o->tenant_id);
		q_i64(&q, seq);
		q_str(&q, h->id);
		q_str(&q, hold_type_name(h->type));
		q_str(&q, hold_status_name(h->status));
		q_str(&q, h->field);
		q_str(&q, h->message);
		q_str(&q, h->related_order_id);
		q_str(&q, h->raised_by);
		q_i64(&q, h->created_at);
		q_i64(&q, h->resolved_at);
		rc = q_exec(&q, "hold", "holds", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_insert(store_tx *tx, order *o, ordo_err *err)
{
	struct q q = {0};
	int64_t seq = 0;
	bool row;
	size_t i;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_insert", err);
	if (rc)
		goto out;
	for (i = 0; i < o->n_lines; i++)
		order_line_check(&o->lines[i]);

	rc = q_open(&q, tx, SQL_ORDER_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, o->tenant_id);
	q_str(&q, o->id);
	q_str_or_null(&q, o->external_id);
	q_str(&q, o->channel);
	q_i64(&q, o->placed_at);
	q_i64(&q, o->received_at);
	q_i64(&q, o->updated_at);
	q_str(&q, o->currency);
	q_str(&q, o->customer.external_id);
	q_str(&q, o->customer.name);
	q_str(&q, o->customer.email);
	q_str(&q, o->customer.phone);
	q_address(&q, &o->ship_to);
	q_i64(&q, o->has_bill_to ? 1 : 0);
	q_address(&q, &o->bill_to);
	q_str(&q, o->shipping.method);
	q_i64(&q, o->shipping.amount);
	q_i64(&q, o->totals.subtotal);
	q_i64(&q, o->totals.shipping);
	q_i64(&q, o->totals.tax);
	q_i64(&q, o->totals.discount);
	q_i64(&q, o->totals.total);
	q_str(&q, payment_status_name(o->payment));
	q_str(&q, o->notes);
	q_str(&q, order_state_name(o->state));
	q_str(&q, o->fingerprint);
	/* The external id's key is DO NOTHING: a unique error is the id's. */
	rc = q_step(&q, &row, "order", "id", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ECONFLICT, "external_id",
				  "order: external_id is already taken");
		goto out;
	}
	seq = q_col_i64(&q);
	q_close(&q);

	rc = order_children_insert(tx, o, seq, err);
	if (rc)
		goto out;
	o->seq = seq;
out:
	q_close(&q);
	return rc;
}

/* Read one orders row (SQL_ORDER_COLS) into o, which has no lines or holds. */
static ordo_code q_col_order(struct q *q, order *o, ordo_err *err)
{
	char payment[32], state[32];
	ordo_code rc;

	order_init(o);
	o->seq = q_col_i64(q);
	o->tenant_id = q_col_i64(q);
	q_col_str(q, o->id, sizeof(o->id));
	q_col_str(q, o->external_id, sizeof(o->external_id));
	q_col_str(q, o->channel, sizeof(o->channel));
	o->placed_at = q_col_i64(q);
	o->received_at = q_col_i64(q);
	o->updated_at = q_col_i64(q);
	q_col_str(q, o->currency, sizeof(o->currency));
	q_col_str(q, o->customer.external_id, sizeof(o->customer.external_id));
	q_col_str(q, o->customer.name, sizeof(o->customer.name));
	q_col_str(q, o->customer.email, sizeof(o->customer.email));
	q_col_str(q, o->customer.phone, sizeof(o->customer.phone));
	q_col_address(q, &o->ship_to);
	o->has_bill_to = q_col_i64(q) != 0;
	q_col_address(q, &o->bill_to);
	q_col_str(q, o->shipping.method, sizeof(o->shipping.method));
	o->shipping.amount = q_col_i64(q);
	o->totals.subtotal = q_col_i64(q);
	o->totals.shipping = q_col_i64(q);
	o->totals.tax = q_col_i64(q);
	o->totals.discount = q_col_i64(q);
	o->totals.total = q_col_i64(q);
	q_col_str(q, payment, sizeof(payment));
	q_col_str(q, o->notes, sizeof(o->notes));
	q_col_str(q, state, sizeof(state));
	q_col_str(q, o->fingerprint, sizeof(o->fingerprint));
	rc = q_row_end(q, "reading an order", err);
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

/* Load the lines of o (header read, none loaded yet), checking each. */
static ordo_code order_lines_load(store_tx *tx, order *o, ordo_err *err)
{
	struct q q;
	size_t n = 0, i = 0;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_LINE_COUNT, err);
	if (rc)
		goto out;
	q_i64(&q, o->seq);
	rc = q_step(&q, &row, "counting order lines", NULL, err);
	if (rc)
		goto out;
	if (row)
		n = (size_t)q_col_i64(&q);
	q_close(&q);
	rc = order_lines_alloc(o, n, err);
	if (rc)
		goto out;

	rc = q_open(&q, tx, SQL_LINES_OF, err);
	if (rc)
		goto out;
	q_i64(&q, o->seq);
	for (;;) {
		order_line *l;

		rc = q_step(&q, &row, "reading order lines", NULL, err);
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
		l->line_no = (int)q_col_i64(&q);
		q_col_str(&q, l->sku, sizeof(l->sku));
		q_col_str(&q, l->title, sizeof(l->title));
		l->quantity = q_col_i64(&q);
		l->unit_price = q_col_i64(&q);
		l->qty_open = q_col_i64(&q);
		l->qty_allocated = q_col_i64(&q);
		l->qty_released = q_col_i64(&q);
		l->qty_shipped = q_col_i64(&q);
		l->qty_cancelled = q_col_i64(&q);
		l->qty_returned = q_col_i64(&q);
		rc = q_row_end(&q, "reading order lines", err);
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
	if (i != n)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "order %s: fewer lines than counted", o->id);
out:
	q_close(&q);
	return rc;
}

static ordo_code order_holds_load(store_tx *tx, order *o, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_HOLDS_OF, err);
	if (rc)
		goto out;
	q_i64(&q, o->tenant_id);
	q_i64(&q, o->seq);
	for (;;) {
		order_hold h;
		char type[32], status[16];

		rc = q_step(&q, &row, "reading holds", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		memset(&h, 0, sizeof(h));
		q_col_str(&q, h.id, sizeof(h.id));
		q_col_str(&q, type, sizeof(type));
		q_col_str(&q, status, sizeof(status));
		q_col_str(&q, h.field, sizeof(h.field));
		q_col_str(&q, h.message, sizeof(h.message));
		q_col_str(&q, h.related_order_id, sizeof(h.related_order_id));
		q_col_str(&q, h.raised_by, sizeof(h.raised_by));
		h.created_at = q_col_i64(&q);
		h.resolved_at = q_col_i64(&q);
		rc = q_row_end(&q, "reading holds", err);
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
	q_close(&q);
	return rc;
}

/* Load the lines and holds of o (header read, none loaded yet). */
static ordo_code order_children_load(store_tx *tx, order *o, ordo_err *err)
{
	ordo_code rc = order_lines_load(tx, o, err);

	return rc ? rc : order_holds_load(tx, o, err);
}

ordo_code store_order_get(store_tx *tx, int64_t tenant, const char *id,
			  order *o, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	order_free(o);
	rc = q_open(&q, tx, SQL_ORDER_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading an order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
		goto out;
	}
	rc = q_col_order(&q, o, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = order_children_load(tx, o, err);
out:
	q_close(&q);
	if (rc)
		order_free(o);
	return rc;
}

/* Step an open, bound statement yielding one id column into id_out, or
 * ORDO_ENOTFOUND naming field. */
static ordo_code order_find_id(struct q *q, char *id_out, const char *field,
			       const char *what, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, what, NULL, err);
	if (rc)
		return rc;
	if (!row)
		return ordo_err_set(err, ORDO_ENOTFOUND, field,
				    "no order with this %s", field);
	q_col_str(q, id_out, ORDO_ID_MAX);
	return q_row_end(q, what, err);
}

ordo_code store_order_find_external(store_tx *tx, int64_t tenant,
				    const char *channel,
				    const char *external_id,
				    char id_out[ORDO_ID_MAX], ordo_err *err)
{
	struct q q;
	ordo_code rc;

	id_out[0] = '\0';
	rc = q_open(&q, tx, SQL_ORDER_BY_EXTERNAL, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, channel);
	q_str(&q, external_id);
	rc = order_find_id(&q, id_out, "external_id",
			   "finding an order by external id", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_find_fingerprint(store_tx *tx, int64_t tenant,
				       const char *fingerprint,
				       ordo_time since,
				       char id_out[ORDO_ID_MAX],
				       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	id_out[0] = '\0';
	/* An order without a fingerprint is like no other. */
	if (!fingerprint || !fingerprint[0]) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "fingerprint",
				  "no order with this fingerprint");
		goto out;
	}
	rc = q_open(&q, tx, SQL_ORDER_BY_FINGERPRINT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, fingerprint);
	q_i64(&q, since);
	rc = order_find_id(&q, id_out, "fingerprint",
			   "finding an order by fingerprint", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_set_state(store_tx *tx, int64_t tenant, const char *id,
				order_state state, ordo_time now,
				ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_set_state", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_ORDER_SET_STATE, err);
	if (rc)
		goto out;
	q_str(&q, order_state_name(state));
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "setting the order state", NULL, err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
out:
	q_close(&q);
	return rc;
}

/* Open the order list statement for the filters of f, with all bound. */
static ordo_code order_list_open(struct q *q, store_tx *tx, int64_t tenant,
				 const order_filter *f, int64_t limit,
				 ordo_err *err)
{
	bool has[OLF_COUNT] = {
		[OLF_STATE] = f->has_state,
		[OLF_CHANNEL] = f->channel[0] != '\0',
		[OLF_EXTERNAL_ID] = f->external_id[0] != '\0',
		[OLF_RECEIVED_FROM] = f->received_from != 0,
		[OLF_RECEIVED_TO] = f->received_to != 0,
		[OLF_BEFORE_SEQ] = f->before_seq != 0,
		[OLF_HOLD_TYPE] = f->has_hold_type,
	};
	const char *frag[OLF_COUNT];
	char sql[2048];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	for (i = 0; i < OLF_COUNT; i++) {
		frag[i] = has[i] ? order_list_where[i] : "";
		if (has[i])
			mask |= 1u << i;
	}
	_Static_assert(OLF_COUNT == 7, "one %s per filter below");
	len = snprintf(sql, sizeof(sql),
		       "SELECT " SQL_ORDER_COLS " FROM orders "
		       "WHERE tenant_id = ?%s%s%s%s%s%s%s "
		       "ORDER BY seq DESC LIMIT ?",
		       frag[0], frag[1], frag[2], frag[3], frag[4], frag[5],
		       frag[6]);
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql))
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "the order list query does not fit");

	rc = q_open_sql(q, tx, SQL_COUNT + mask, sql, err);
	if (rc)
		return rc;
	q_i64(q, tenant);
	if (has[OLF_STATE])
		q_str(q, order_state_name(f->state));
	if (has[OLF_CHANNEL])
		q_str(q, f->channel);
	if (has[OLF_EXTERNAL_ID])
		q_str(q, f->external_id);
	if (has[OLF_RECEIVED_FROM])
		q_i64(q, f->received_from);
	if (has[OLF_RECEIVED_TO])
		q_i64(q, f->received_to);
	if (has[OLF_BEFORE_SEQ])
		q_i64(q, f->before_seq);
	if (has[OLF_HOLD_TYPE]) {
		q_str(q, hold_type_name(f->hold_type));
		q_str(q, hold_status_name(HOLD_OPEN));
	}
	q_i64(q, limit);
	return ORDO_OK;
}

ordo_code store_order_list(store_tx *tx, int64_t tenant, const order_filter *f,
			   order_page *page, ordo_err *err)
{
	struct q q = {0};
	order *orders = NULL;
	size_t n = 0, cap = 0, i;
	bool row;
	ordo_code rc;

	memset(page, 0, sizeof(*page));
	if (f->limit < 1 || f->limit > ORDO_PAGE_MAX) {
		rc = ordo_err_set(err, ORDO_EINVALID, "limit",
				  "limit must be 1..%d, not %d",
				  ORDO_PAGE_MAX, f->limit);
		goto out;
	}
	if (f->before_seq < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
		goto out;
	}
	/* One row more than the page tells whether another page follows. */
	cap = (size_t)f->limit + 1;
	orders = calloc(cap, sizeof(*orders));
	if (!orders) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory listing orders");
		goto out;
	}
	rc = order_list_open(&q, tx, tenant, f, (int64_t)cap, err);
	if (rc)
		goto out;
	for (;;) {
		rc = q_step(&q, &row, "listing orders", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		if (n == cap) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "listing orders: more rows than "
					  "the limit");
			goto out;
		}
		rc = q_col_order(&q, &orders[n++], err);
		if (rc)
			goto out;
	}
	q_close(&q);

	/* limit + 1 rows came back: there is another page after this one. */
	if (n == cap) {
		n--;
		order_free(&orders[n]);
		page->next_before_seq = orders[n - 1].seq;
	}
	for (i = 0; i < n; i++) {
		rc = order_children_load(tx, &orders[i], err);
		if (rc)
			goto out;
	}
out:
	q_close(&q);
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

void order_page_free(order_page *page)
{
	size_t i;

	if (!page)
		return;
	for (i = 0; i < page->n; i++)
		order_free(&page->orders[i]);
	free(page->orders);
	memset(page, 0, sizeof(*page));
}

/* ---- events -------------------------------------------------------------- */

/* The seq of the tenant's order id, or ORDO_ENOTFOUND. */
static ordo_code order_seq(store_tx *tx, int64_t tenant, const char *id,
			   int64_t *seq, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_ORDER_SEQ, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "finding an order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", id);
		goto out;
	}
	*seq = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

ordo_code store_event_append(store_tx *tx, int64_t tenant,
			     const char *order_id, order_event *ev,
			     ordo_err *err)
{
	struct q q = {0};
	int64_t seq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_event_append", err);
	if (rc)
		goto out;
	rc = order_seq(tx, tenant, order_id, &seq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_EVENT_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, seq);
	q_str(&q, ev->type);
	q_str(&q, order_state_name(ev->from_state));
	q_str(&q, order_state_name(ev->to_state));
	q_str(&q, ev->hold_id);
	q_str(&q, ev->actor);
	q_str(&q, ev->message);
	q_i64(&q, ev->at);
	rc = q_insert_returning(&q, &ev->seq, "event", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_event_list(store_tx *tx, int64_t tenant, const char *order_id,
			   order_event **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	order_event *evs = NULL;
	size_t count = 0, cap = 0;
	int64_t seq = 0;
	bool row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = order_seq(tx, tenant, order_id, &seq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_EVENTS_OF, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, seq);
	for (;;) {
		order_event *ev;
		char from[32], to[32];

		rc = q_step(&q, &row, "reading events", NULL, err);
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
		ev->seq = q_col_i64(&q);
		q_col_str(&q, ev->type, sizeof(ev->type));
		q_col_str(&q, from, sizeof(from));
		q_col_str(&q, to, sizeof(to));
		q_col_str(&q, ev->hold_id, sizeof(ev->hold_id));
		q_col_str(&q, ev->actor, sizeof(ev->actor));
		q_col_str(&q, ev->message, sizeof(ev->message));
		ev->at = q_col_i64(&q);
		rc = q_row_end(&q, "reading events", err);
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
	q_close(&q);
	if (rc) {
		free(evs);
		return rc;
	}
	*out = evs;
	*n = count;
	return ORDO_OK;
}

/* ---- idempotency --------------------------------------------------------- */

ordo_code store_idempotency_get(store_tx *tx, int64_t tenant, const char *key,
				store_idempotency *rec, ordo_err *err)
{
	struct q q;
	const char *body;
	size_t len = 0;
	bool row;
	ordo_code rc;

	memset(rec, 0, sizeof(*rec));
	rc = q_open(&q, tx, SQL_IDEM_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, key);
	rc = q_step(&q, &row, "reading an idempotency key", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "key",
				  "no idempotency key \"%.64s\"", key);
		goto out;
	}
	q_col_str(&q, rec->key, sizeof(rec->key));
	q_col_str(&q, rec->request_hash, sizeof(rec->request_hash));
	rec->status = (int)q_col_i64(&q);
	body = tx->db->column_text(q.s, q.col++, &len);
	rec->created_at = q_col_i64(&q);
	rc = q_row_end(&q, "reading an idempotency key", err);
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
	q_close(&q);
	return rc;
}

ordo_code store_idempotency_put(store_tx *tx, int64_t tenant,
				const store_idempotency *rec, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_idempotency_put", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_IDEM_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, rec->key);
	q_str(&q, rec->request_hash);
	q_i64(&q, rec->status);
	q_str(&q, rec->body);
	q_i64(&q, rec->created_at);
	rc = q_exec(&q, "idempotency key", "key", err);
out:
	q_close(&q);
	return rc;
}

void store_idempotency_free(store_idempotency *rec)
{
	if (!rec)
		return;
	free(rec->body);
	rec->body = NULL;
}
