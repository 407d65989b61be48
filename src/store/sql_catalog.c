/*
 * sql_catalog.c - what a tenant sells and where it keeps it: SKUs,
 * locations, stock levels and the stock events that record each change,
 * and the orders waiting for a SKU that stock arriving may release. Stock
 * rows are checked when read (0 <= reserved <= on_hand), also the row a
 * stock update returns. See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* Each table's columns (p: a table alias and its dot, or ""), in the order
 * of its array of members below. */
#define SQL_SKU_COLS_OF(p)                                                     \
	p "sku, " p "title, " p "unit_price, " p "currency, " p "active, "     \
	p "updated_at"
#define SQL_SKU_COLS SQL_SKU_COLS_OF("")
/* A location's columns, serves (joined in C) last. */
#define SQL_LOCATION_COLS_OF(p)                                                \
	p "code, " p "name, " SQL_ADDR_COLS(p "addr_") ", " p "priority, "     \
	p "active, " p "updated_at, " p "serves"
#define SQL_LOCATION_COLS SQL_LOCATION_COLS_OF("")
#define SQL_STOCK_COLS_OF(p)                                                   \
	p "location, " p "sku, " p "on_hand, " p "reserved, "                  \
	p "safety_stock, " p "updated_at"
#define SQL_STOCK_COLS SQL_STOCK_COLS_OF("")
#define SQL_STOCK_EVENT_COLS                                                   \
	"location, sku, type, delta_on_hand, delta_reserved, on_hand, "        \
	"reserved, reason, note, actor, order_id, at"

static const struct q_field sku_fields[] = {
	Q_TEXT(catalog_sku, sku),	  Q_TEXT(catalog_sku, title),
	Q_I64(catalog_sku, unit_price),	  Q_TEXT(catalog_sku, currency),
	Q_BOOL(catalog_sku, active),	  Q_I64(catalog_sku, updated_at),
};

/* SQL_LOCATION_COLS but serves. */
static const struct q_field location_fields[] = {
	Q_TEXT(catalog_location, code),	      Q_TEXT(catalog_location, name),
	Q_ADDRESS(catalog_location, address), Q_INT(catalog_location, priority),
	Q_BOOL(catalog_location, active),     Q_I64(catalog_location, updated_at),
};

static const struct q_field stock_fields[] = {
	Q_TEXT(stock_level, location),	  Q_TEXT(stock_level, sku),
	Q_I64(stock_level, on_hand),	  Q_I64(stock_level, reserved),
	Q_I64(stock_level, safety_stock), Q_I64(stock_level, updated_at),
};

/* SQL_STOCK_EVENT_COLS, after seq when read. */
static const struct q_field stock_event_fields[] = {
	Q_TEXT(stock_event, location),	  Q_TEXT(stock_event, sku),
	Q_TEXT(stock_event, type),	  Q_I64(stock_event, delta_on_hand),
	Q_I64(stock_event, delta_reserved), Q_I64(stock_event, on_hand),
	Q_I64(stock_event, reserved),	  Q_TEXT(stock_event, reason),
	Q_TEXT(stock_event, note),	  Q_TEXT(stock_event, actor),
	Q_TEXT(stock_event, order_id),	  Q_I64(stock_event, at),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_SKU_PUT] = "INSERT INTO skus (tenant_id, " SQL_SKU_COLS ") "
			"VALUES (?, ?, ?, ?, ?, ?, ?) "
			"ON CONFLICT (tenant_id, sku) DO UPDATE SET ("
			SQL_SKU_COLS ") = (" SQL_SKU_COLS_OF("excluded.") ")",
	[SQL_SKU_GET] = "SELECT " SQL_SKU_COLS " FROM skus "
			"WHERE tenant_id = ? AND sku = ?",
	[SQL_SKU_LIST] = "SELECT " SQL_SKU_COLS " FROM skus "
			 "WHERE tenant_id = ? AND sku > ? ORDER BY sku LIMIT ?",
	[SQL_LOCATION_PUT] =
		"INSERT INTO locations (tenant_id, " SQL_LOCATION_COLS ") "
		"VALUES (?, " SQL_Q10 ", ?, ?, ?, ?, ?) "
		"ON CONFLICT (tenant_id, code) DO UPDATE SET ("
		SQL_LOCATION_COLS ") = ("
		SQL_LOCATION_COLS_OF("excluded.") ")",
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
	/* SQL_STOCK_GET locking the row: drivers with row_locks, inside a
	 * write transaction (read-modify-write across nodes). */
	[SQL_STOCK_GET_LOCKED] = "SELECT " SQL_STOCK_COLS " FROM stock "
				 "WHERE tenant_id = ? AND location = ? "
				 "AND sku = ? FOR UPDATE",
	[SQL_STOCK_PUT] = "INSERT INTO stock (tenant_id, " SQL_STOCK_COLS ") "
			  "VALUES (?, ?, ?, ?, ?, ?, ?) "
			  "ON CONFLICT (tenant_id, location, sku) "
			  "DO UPDATE SET (" SQL_STOCK_COLS ") = ("
			  SQL_STOCK_COLS_OF("excluded.") ") "
			  "RETURNING 1",
	[SQL_STOCK_OF_SKU] = "SELECT " SQL_STOCK_COLS " FROM stock "
			     "WHERE tenant_id = ? AND sku = ? "
			     "ORDER BY location",
	/* SQL_STOCK_OF_SKU locking the rows: drivers with row_locks, inside
	 * a write transaction (routing plans on the stock it will reserve). */
	[SQL_STOCK_OF_SKU_LOCKED] = "SELECT " SQL_STOCK_COLS " FROM stock "
				    "WHERE tenant_id = ? AND sku = ? "
				    "ORDER BY location FOR UPDATE",
	/* The stock of a batch's SKUs of one tenant, locked in one order
	 * (STOCK LOCKS, committer.c); binds the SKUs as one array, sorted. Each
	 * SKU is looked up by the index on its own: with "sku = ANY (?)" a
	 * plan made for any array read every stock row of a small catalog
	 * and compared each with every SKU of the batch. */
	[SQL_STOCK_LOCK_SKUS] = "SELECT s.* FROM (SELECT CAST(? AS BIGINT) "
				"AS t, unnest(CAST(? AS TEXT[])) AS sku) k, "
				"LATERAL (SELECT " SQL_STOCK_COLS " FROM stock "
				"WHERE tenant_id = k.t AND sku = k.sku "
				"ORDER BY location FOR UPDATE) s "
				"ORDER BY s.sku, s.location",
	/* The same, not locked: a batch writing its stock at its end
	 * (store_int.h, STOCK WRITTEN AT THE BATCH'S END). */
	[SQL_STOCK_OF_SKUS] = "SELECT s.* FROM (SELECT CAST(? AS BIGINT) "
			      "AS t, unnest(CAST(? AS TEXT[])) AS sku) k, "
			      "LATERAL (SELECT " SQL_STOCK_COLS " FROM stock "
			      "WHERE tenant_id = k.t AND sku = k.sku "
			      "ORDER BY location) s "
			      "ORDER BY s.sku, s.location",
	/* The same SKUs' catalog rows, read with their stock, likewise. */
	[SQL_SKUS_OF_BATCH] = "SELECT s.* FROM (SELECT CAST(? AS BIGINT) "
			      "AS t, unnest(CAST(? AS TEXT[])) AS sku) k, "
			      "LATERAL (SELECT " SQL_SKU_COLS " FROM skus "
			      "WHERE tenant_id = k.t AND sku = k.sku "
			      "LIMIT 1) s",
	[SQL_STOCK_EVENT_INSERT] = "INSERT INTO stock_events (tenant_id, "
				   SQL_STOCK_EVENT_COLS ") "
				   "VALUES (?, ?,?,?,?,?,?,?,?,?,?,?,?)",
	/* The first page binds INT64_MAX as the cursor. */
	[SQL_STOCK_EVENTS] = "SELECT seq, " SQL_STOCK_EVENT_COLS
			     " FROM stock_events "
			     "WHERE tenant_id = ? AND sku = ? AND seq < ? "
			     "ORDER BY seq DESC LIMIT ?",
	[SQL_STOCK_EVENTS_AT] = "SELECT seq, " SQL_STOCK_EVENT_COLS
				" FROM stock_events "
				"WHERE tenant_id = ? AND sku = ? "
				"AND location = ? AND seq < ? "
				"ORDER BY seq DESC LIMIT ?",
	/* The four states bound are the ones that may take stock. */
	[SQL_ORDERS_AWAITING_SKU] = "SELECT o.id FROM orders o "
				    "WHERE o.tenant_id = ? "
				    "AND o.state IN (?, ?, ?, ?) "
				    "AND EXISTS (SELECT 1 FROM order_lines l "
				    "WHERE l.order_seq = o.seq AND l.sku = ? "
				    "AND l.qty_open > 0) "
				    "ORDER BY o.seq LIMIT ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_catalog_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- SKUs and locations -------------------------------------------------- */

static ordo_code read_sku(struct q *q, void *item, ordo_err *err)
{
	q_read_row(q, item, sku_fields);
	return q_row_end(q, "reading a SKU", err);
}

/* The serves column: codes joined by commas, "" for everywhere. */
#define SERVES_TEXT_MAX (LOCATION_MAX_SERVES * LOCATION_SERVE_MAX)

/* Join l's serve codes into buf; ORDO_EINVALID if one cannot be stored. */
static ordo_code serves_join(const catalog_location *l,
			     char buf[SERVES_TEXT_MAX], ordo_err *err)
{
	size_t i, len = 0;

	buf[0] = '\0';
	if (l->n_serves > LOCATION_MAX_SERVES)
		return ordo_err_set(err, ORDO_EINVALID, "serves",
				    "a location serves at most %d "
				    "destinations",
				    LOCATION_MAX_SERVES);
	for (i = 0; i < l->n_serves; i++) {
		const char *c = l->serves[i];
		size_t n = strnlen(c, LOCATION_SERVE_MAX);

		if (n == 0 || n == LOCATION_SERVE_MAX || strchr(c, ','))
			return ordo_err_set(err, ORDO_EINVALID, "serves",
					    "location %.32s: serve code %zu "
					    "is empty, too long or has a comma",
					    l->code, i + 1);
		if (i)
			buf[len++] = ',';
		memcpy(buf + len, c, n);
		len += n;
		buf[len] = '\0';
	}
	return ORDO_OK;
}

/* Split a serves column into l; false if it does not fit. */
static bool serves_split(const char *text, catalog_location *l)
{
	const char *p = text;

	l->n_serves = 0;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 0 || n >= LOCATION_SERVE_MAX ||
		    l->n_serves == LOCATION_MAX_SERVES)
			return false;
		memcpy(l->serves[l->n_serves], p, n);
		l->serves[l->n_serves][n] = '\0';
		l->n_serves++;
		if (!end)
			break;
		p = end + 1;
		if (!*p)
			return false; /* a trailing comma */
	}
	return true;
}

static ordo_code read_location(struct q *q, void *item, ordo_err *err)
{
	catalog_location *l = item;
	char serves[SERVES_TEXT_MAX];

	q_read_row(q, l, location_fields);
	q_col_str(q, serves, sizeof(serves));
	if (!serves_split(serves, l))
		q->bad = true;
	return q_row_end(q, "reading a location", err);
}

ordo_code store_sku_put(store_tx *tx, int64_t tenant, const catalog_sku *s,
			ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	tx_cache_forget_skus(tx);
	rc = tx_check_writable(tx, "store_sku_put", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SKU_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_bind_row(&q, s, sku_fields);
	rc = q_exec(&q, "SKU", "sku", err);
out:
	q_close(&q);
	return rc;
}

/*
 * Read the one row of (tenant, key) that statement id answers into item
 * (size bytes) with read, or ORDO_ENOTFOUND naming field ("no <noun> ...").
 */
static ordo_code catalog_get(store_tx *tx, enum sql_id id, int64_t tenant,
			     const char *key, const char *field,
			     const char *noun, q_row_fn read, void *item,
			     size_t size, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	memset(item, 0, size);
	rc = q_get(&q, tx, id, tenant, key, "reading the catalog", field, noun,
		   err);
	if (rc == ORDO_OK)
		rc = read(&q, item, err);
	q_close(&q);
	return rc;
}

ordo_code store_sku_get(store_tx *tx, int64_t tenant, const char *sku,
			catalog_sku *s, ordo_err *err)
{
	ordo_code rc;

	if (tx_cache_sku(tx, tenant, sku, s))
		return ORDO_OK;
	rc = catalog_get(tx, SQL_SKU_GET, tenant, sku, "sku", "SKU", read_sku,
			 s, sizeof(*s), err);
	if (rc == ORDO_OK)
		tx_cache_put_sku(tx, tenant, s);
	return rc;
}

/*
 * One page of a catalog list (SKUs or locations, keyed by a text column):
 * up to limit items of size bytes, each filled by read from a row.
 */
static ordo_code catalog_list(store_tx *tx, enum sql_id id, int64_t tenant,
			      const char *after, int limit, size_t size,
			      q_row_fn read, const char *what, void **out,
			      size_t *n, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = sql_check_limit(limit, STORE_LIST_MAX, err);
	if (rc)
		return rc;
	rc = q_open(&q, tx, id, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, after ? after : "");
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, size, read, out, n, what, err);
	}
	q_close(&q);
	*out = q_rows_done(rc, *out, n);
	return rc;
}

ordo_code store_sku_list(store_tx *tx, int64_t tenant, const char *after,
			 int limit, catalog_sku **out, size_t *n, ordo_err *err)
{
	void *items = NULL;
	ordo_code rc;

	rc = catalog_list(tx, SQL_SKU_LIST, tenant, after, limit,
			  sizeof(**out), read_sku, "listing SKUs", &items, n,
			  err);
	*out = items;
	return rc;
}

ordo_code store_location_put(store_tx *tx, int64_t tenant,
			     const catalog_location *l, ordo_err *err)
{
	struct q q = {0};
	char serves[SERVES_TEXT_MAX];
	ordo_code rc;

	tx_cache_forget_locations(tx);
	rc = tx_check_writable(tx, "store_location_put", err);
	if (rc)
		goto out;
	rc = serves_join(l, serves, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_LOCATION_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_bind_row(&q, l, location_fields);
	q_str(&q, serves);
	rc = q_exec(&q, "location", "code", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_location_get(store_tx *tx, int64_t tenant, const char *code,
			     catalog_location *l, ordo_err *err)
{
	return catalog_get(tx, SQL_LOCATION_GET, tenant, code, "location",
			   "location", read_location, l, sizeof(*l), err);
}

ordo_code store_location_list(store_tx *tx, int64_t tenant, const char *after,
			      int limit, catalog_location **out, size_t *n,
			      ordo_err *err)
{
	void *items = NULL;
	bool first = !after || !after[0];
	ordo_code rc;

	if (first && tx_cache_locations(tx, tenant, limit, out, n))
		return ORDO_OK;
	rc = catalog_list(tx, SQL_LOCATION_LIST, tenant, after, limit,
			  sizeof(**out), read_location, "listing locations",
			  &items, n, err);
	*out = items;
	if (rc == ORDO_OK && first)
		tx_cache_put_locations(tx, tenant, limit, *out, *n);
	return rc;
}

/* ---- stock --------------------------------------------------------------- */

/* ORDO_ENOTFOUND naming field unless (tenant, key) exists via statement id. */
ordo_code require_key(store_tx *tx, enum sql_id id, int64_t tenant,
		      const char *key, const char *field, ordo_err *err)
{
	struct q q;
	ordo_code rc;

	if (tx_cache_key_exists(tx, id, tenant, key))
		return ORDO_OK;
	rc = q_get(&q, tx, id, tenant, key, "looking up a key", field, field,
		   err);
	q_close(&q);
	if (rc == ORDO_OK)
		tx_cache_put_key(tx, id, tenant, key);
	return rc;
}

/* Read a stock row (SQL_STOCK_COLS) and check 0 <= reserved <= on_hand. */
static ordo_code q_col_stock(struct q *q, stock_level *level, ordo_err *err)
{
	ordo_code rc;

	memset(level, 0, sizeof(*level));
	q_read_row(q, level, stock_fields);
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

/* plain in a batch that writes its stock at its end, else q_locking. */
static unsigned stock_locking(const store_tx *tx, unsigned plain,
			      unsigned locked)
{
	return tx->stock.deltas ? plain : q_locking(tx, plain, locked);
}

ordo_code store_stock_get(store_tx *tx, int64_t tenant, const char *location,
			  const char *sku, stock_level *level, ordo_err *err)
{
	struct q q;
	struct tx_stock_row *r;
	bool row;
	ordo_code rc;

	/* A batch writing its stock at its end reads a row once, unlocked,
	 * and sees its own changes (STOCK WRITTEN AT THE BATCH'S END). */
	if (tx->stock.deltas &&
	    (r = tx_stock_find(tx, tenant, location, sku))) {
		*level = r->base;
		return tx_stock_seen(tx, tenant, level, err);
	}
	/* Else, on a database with row locks, a write job's read locks the
	 * row it will write back (store_stock_put). */
	rc = q_open(&q, tx, stock_locking(tx, SQL_STOCK_GET,
					  SQL_STOCK_GET_LOCKED),
		    err);
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
	if (rc == ORDO_OK && tx->stock.deltas)
		rc = tx_stock_seen(tx, tenant, level, err);
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
	/* Sets the row as it stands, not as the batch read it. */
	rc = store_stock_exact(tx, err);
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
	if (rc == ORDO_OK)
		tx_cache_stock_written(tx, tenant, level ? level : &tmp);
out:
	q_close(&q);
	return rc;
}

/* ---- stock: rows and history --------------------------------------------- */

ordo_code sql_stock_write(store_tx *tx, int64_t tenant,
			  const stock_level *level, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = q_open(&q, tx, SQL_STOCK_PUT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_bind_row(&q, level, stock_fields);
		/* What is stored is level, checked by the caller and by the
		 * schema's own CHECKs; the upsert answers its row, so none
		 * back is a failure. */
		rc = q_exec_deferred_row(&q, "writing stock", NULL,
					 ORDO_ESTORAGE, NULL,
					 "the database returned no row", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_stock_put(store_tx *tx, int64_t tenant,
			  const stock_level *level, ordo_err *err)
{
	struct tx_stock_row *r;
	stock_level seen;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_stock_put", err);
	if (rc)
		return rc;
	if (level->on_hand < 0 || level->reserved < 0 ||
	    level->safety_stock < 0 || level->reserved > level->on_hand)
		return ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
				    "stock of \"%.64s\" at \"%.32s\": on hand "
				    "%lld, reserved %lld, safety stock %lld is "
				    "not possible",
				    level->sku, level->location,
				    (long long)level->on_hand,
				    (long long)level->reserved,
				    (long long)level->safety_stock);
	if (level->on_hand > ORDO_MAX_STOCK ||
	    level->safety_stock > ORDO_MAX_STOCK)
		return ordo_err_set(err, ORDO_EINVALID, "on_hand",
				    "stock counts must be at most %lld",
				    (long long)ORDO_MAX_STOCK);
	/* Kept as a change of the row as the batch read it (STOCK WRITTEN
	 * AT THE BATCH'S END); a row it has not read, read first. */
	if (tx->stock.deltas) {
		r = tx_stock_find(tx, tenant, level->location, level->sku);
		if (!r) {
			rc = store_stock_get(tx, tenant, level->location,
					     level->sku, &seen, err);
			if (rc == ORDO_ENOTFOUND) {
				/* A new row is a count's: not a change. */
				ordo_err_clear(err);
				return store_stock_exact(tx, err);
			}
			if (rc)
				return rc;
			r = tx_stock_find(tx, tenant, level->location,
					  level->sku);
		}
		tx_stock_change(tx, r, level);
		tx_cache_stock_written(tx, tenant, level);
		return ORDO_OK;
	}
	rc = require_key(tx, SQL_LOCATION_EXISTS, tenant, level->location,
			 "location", err);
	if (rc == ORDO_OK)
		rc = require_key(tx, SQL_SKU_EXISTS, tenant, level->sku, "sku",
				 err);
	if (rc == ORDO_OK)
		rc = sql_stock_write(tx, tenant, level, err);
	if (rc == ORDO_OK)
		tx_cache_stock_written(tx, tenant, level);
	return rc;
}

static ordo_code read_stock(struct q *q, void *item, ordo_err *err)
{
	return q_col_stock(q, item, err);
}

ordo_code store_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			     stock_level **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	size_t count = 0, i;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	/* Read (and locked) once per transaction: the stock writes made
	 * since went through store_stock_put/set, which keep it true. */
	if (tx_cache_stock_of_sku(tx, tenant, sku, out, n))
		return ORDO_OK;
	/* Locked in a write job on a database with row locks: what is
	 * planned on it is still there when it is reserved. */
	rc = q_open(&q, tx,
		    stock_locking(tx, SQL_STOCK_OF_SKU,
				  SQL_STOCK_OF_SKU_LOCKED),
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, sku);
	rc = q_rows(&q, SIZE_MAX, sizeof(stock_level), read_stock, &items,
		    &count, "reading stock of a SKU", err);
out:
	q_close(&q);
	*n = count;
	*out = q_rows_done(rc, items, n);
	/* Each row as the batch sees it (STOCK WRITTEN AT THE BATCH'S
	 * END). */
	for (i = 0; rc == ORDO_OK && tx->stock.deltas && i < *n; i++)
		rc = tx_stock_seen(tx, tenant, &(*out)[i], err);
	if (rc) {
		free(*out);
		*out = NULL;
		*n = 0;
	}
	if (rc == ORDO_OK)
		tx_cache_put_stock_of_sku(tx, tenant, sku, *out, *n);
	return rc;
}

/* An array literal of skus: {"A","B"}, each " and \\ escaped; NULL when
 * out of memory. free(). */
static char *sku_array(const char *const *skus, size_t n)
{
	size_t size = 3, i, len = 0;
	char *list;

	for (i = 0; i < n; i++)
		size += 2 * strlen(skus[i]) + 3;
	list = malloc(size);
	if (!list)
		return NULL;
	list[len++] = '{';
	for (i = 0; i < n; i++) {
		const char *c;

		if (i)
			list[len++] = ',';
		list[len++] = '"';
		for (c = skus[i]; *c; c++) {
			if (*c == '"' || *c == '\\')
				list[len++] = '\\';
			list[len++] = *c;
		}
		list[len++] = '"';
	}
	list[len++] = '}';
	list[len] = '\0';
	return list;
}

static ordo_code stock_rows_of(store_tx *tx, int64_t tenant,
			       const char *list, bool lock, stock_level **rows,
			       size_t *count, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*count = 0;
	rc = q_open(&q, tx, lock ? SQL_STOCK_LOCK_SKUS : SQL_STOCK_OF_SKUS,
		    err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, list);
		rc = q_rows(&q, SIZE_MAX, sizeof(stock_level), read_stock,
			    &items, count,
			    lock ? "locking stock" : "reading stock", err);
	}
	q_close(&q);
	*rows = q_rows_done(rc, items, count);
	return rc;
}

ordo_code sql_stock_rows_of_skus(store_tx *tx, int64_t tenant,
				 const char *const *skus, size_t n,
				 bool lock, stock_level **rows, size_t *count,
				 ordo_err *err)
{
	char *list = sku_array(skus, n);
	ordo_code rc;

	*rows = NULL;
	*count = 0;
	if (!list)
		return sql_no_memory(err, "reading stock");
	rc = stock_rows_of(tx, tenant, list, lock, rows, count, err);
	free(list);
	return rc;
}

ordo_code sql_stock_lock(store_tx *tx, int64_t tenant,
			 const char *const *skus, size_t n, ordo_err *err)
{
	struct q q = {0};
	size_t i, k, count = 0, n_found = 0;
	stock_level *rows = NULL;
	void *found = NULL;
	char *list = sku_array(skus, n);
	ordo_code rc;

	if (!list)
		return sql_no_memory(err, "locking stock");
	/* A batch writing its stock at its end reads it now, unlocked. */
	rc = stock_rows_of(tx, tenant, list, !tx->stock.deltas, &rows, &count,
			   err);
	/* The jobs check their lines against the SKUs and write stock only
	 * of SKUs and at locations that exist: read those at once too. */
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_SKUS_OF_BATCH, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, list);
		rc = q_rows(&q, SIZE_MAX, sizeof(catalog_sku), read_sku,
			    &found, &n_found, "reading SKUs", err);
	}
	q_close(&q);
	free(list);
	for (i = 0; rc == ORDO_OK && i < n_found; i++) {
		const catalog_sku *s = (const catalog_sku *)found + i;

		tx_cache_put_sku(tx, tenant, s);
		tx_cache_put_key(tx, SQL_SKU_EXISTS, tenant, s->sku);
	}
	free(found);
	for (i = 0; rc == ORDO_OK && i < count; i++) {
		const char *at = rows[i].location;

		if (tx->stock.deltas)
			rc = tx_stock_seen(tx, tenant, &rows[i], err);
		if (!tx_cache_key_exists(tx, SQL_LOCATION_EXISTS, tenant, at))
			tx_cache_put_key(tx, SQL_LOCATION_EXISTS, tenant, at);
	}
	/* What the batch's jobs will read of these SKUs, read now: each
	 * SKU's rows, in location order, none for a SKU without stock. */
	for (i = 0, k = 0; rc == ORDO_OK && i < n; i++) {
		stock_level *of = rows + k;
		size_t m = 0;

		while (k + m < count && strcmp(of[m].sku, skus[i]) == 0)
			m++;
		tx_cache_put_stock_of_sku(tx, tenant, skus[i], of, m);
		k += m;
	}
	free(rows);
	return rc;
}

static void stock_event_bind(struct q *q, const void *item, const void *ctx)
{
	const struct tx_stock_event *e = item;

	(void)ctx;
	q_i64(q, e->tenant);
	q_bind_row(q, &e->ev, stock_event_fields);
}

/* Write n stock events (tenant and event; their rows unused). No
 * RETURNING: each reservation appends one, and its writer needs no seq
 * (the history is read by the list). */
ordo_code sql_stock_events_write(store_tx *tx,
				 const struct tx_stock_event *evs, size_t n,
				 ordo_err *err)
{
	return q_insert_rows(tx, SQL_STOCK_EVENT_INSERT, evs, n, sizeof(*evs),
			     stock_event_bind, NULL, "stock event", NULL, err);
}

ordo_code store_stock_event_append(store_tx *tx, int64_t tenant,
				   const stock_event *ev, ordo_err *err)
{
	struct tx_stock_row *r;
	struct tx_stock_event one = {0};
	ordo_code rc = tx_check_writable(tx, "store_stock_event_append", err);

	if (rc)
		return rc;
	/* An event of a row the batch changes is written with it, at the
	 * batch's end: its levels are moved by what others changed
	 * meanwhile. */
	r = tx->stock.deltas
		    ? tx_stock_find(tx, tenant, ev->location, ev->sku)
		    : NULL;
	if (r)
		return tx_stock_keep_event(tx, r, ev, err);
	one.tenant = tenant;
	one.ev = *ev;
	return sql_stock_events_write(tx, &one, 1, err);
}

static ordo_code read_stock_event(struct q *q, void *item, ordo_err *err)
{
	stock_event *ev = item;

	ev->seq = q_col_i64(q);
	q_read_row(q, ev, stock_event_fields);
	return q_row_end(q, "listing stock events", err);
}

ordo_code store_stock_event_list(store_tx *tx, int64_t tenant, const char *sku,
				 const char *location, int64_t before_seq,
				 int limit, stock_event **out, size_t *n,
				 int64_t *next, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	bool at = location && location[0];
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = sql_check_page(limit, before_seq, err);
	if (rc)
		return rc;
	rc = q_open(&q, tx, at ? SQL_STOCK_EVENTS_AT : SQL_STOCK_EVENTS, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_str(&q, sku);
		if (at)
			q_str(&q, location);
		q_i64(&q, sql_page_bound(before_seq));
		q_i64(&q, (int64_t)limit + 1);
		rc = q_page(&q, limit, sizeof(stock_event),
			    offsetof(stock_event, seq), read_stock_event,
			    &items, n, next, "listing stock events", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_orders_awaiting_sku(store_tx *tx, int64_t tenant,
				    const char *sku, int limit,
				    char (**ids)[ORDO_ID_MAX], size_t *n,
				    ordo_err *err)
{
	struct q q = {0};
	char(*items)[ORDO_ID_MAX] = NULL;
	size_t count = 0, cap = 0;
	bool row;
	ordo_code rc;

	*ids = NULL;
	*n = 0;
	rc = sql_check_limit(limit, SQL_SCAN_MAX, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_ORDERS_AWAITING_SKU, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, order_state_name(ORDER_ACCEPTED));
	q_str(&q, order_state_name(ORDER_ALLOCATED));
	q_str(&q, order_state_name(ORDER_RELEASED));
	q_str(&q, order_state_name(ORDER_ON_HOLD));
	q_str(&q, sku);
	q_i64(&q, limit);
	for (;;) {
		rc = q_step(&q, &row, "finding orders awaiting a SKU", NULL,
			    err);
		if (rc || !row)
			break;
		if (count == cap) {
			char(*p)[ORDO_ID_MAX] =
				sql_grow(items, &cap, sizeof(*items));

			if (!p) {
				rc = sql_no_memory(err, "finding orders");
				break;
			}
			items = p;
		}
		q_col_str(&q, items[count++], ORDO_ID_MAX);
		rc = q_row_end(&q, "finding orders awaiting a SKU", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	*n = count;
	*ids = q_rows_done(rc, items, n);
	return rc;
}
