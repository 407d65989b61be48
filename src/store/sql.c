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
 *     hold upsert    ON CONFLICT (id) DO UPDATE ... WHERE the hold is this
 *                    order's, RETURNING id: no row means the id is another
 *                    order's.
 *
 * Every value reaches SQL as a bound parameter. The two statements with a
 * shape chosen at run time, the order list, the review queue and the
 * shipment list, are assembled from the fixed fragments of
 * order_list_where[], queue_list_where[] and ship_list_where[] and cached
 * under their own number for each combination of filters present
 * (SQL_COUNT, SQL_QUEUE_BASE, SQL_SHIP_LIST_BASE + bit mask). The
 * smaller lists (fulfillments, stock events, deliveries, defects) have one
 * text per combination of their optional filters in sql_text[]; their cursor
 * is always bound, the first page binding INT64_MAX (the queue's keyset
 * cursor (due_at, seq) likewise, from INT64_MIN). Pages fetch one row more
 * than the limit to learn whether another page follows.
 *
 * ROW LOCKS (POSTGRESQL)
 *
 * A few statements differ where several writers share the database (read
 * committed: each statement sees what others committed before it, and
 * nothing stops two transactions from reading the same row and writing
 * it back). In a write job they lock the rows they read for the rest of
 * the transaction, so a read-modify-write on one node waits for the
 * other's to commit and then reads its result:
 *
 *     stock row, stock of a SKU     FOR UPDATE: reservations and counts
 *                                   are computed from rows no one else
 *                                   can change before the commit
 *     order                         FOR UPDATE: every change to an order
 *                                   (its lines, holds, fulfillments) is
 *                                   made after reading it, so changes to
 *                                   one order are serialized
 *     hold                          FOR UPDATE OF h: a claim, release or
 *                                   resolution of one hold reads it first,
 *                                   so of two claimers one wins
 *     webhook claim                 FOR UPDATE SKIP LOCKED: nodes
 *                                   claim different webhooks, no waiting
 *
 * Each has a *_LOCKED twin in sql_text[], used when the driver sets
 * row_locks (db.h); SQLite, one writer at a time, never prepares them.
 * Locks taken in different orders by two nodes can deadlock; PostgreSQL
 * then fails one job (ORDO_ESTORAGE, tx->retryable) and the rest of its
 * batch stands.
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
 * row that matched the tenant; so are fulfillment and shipment lines through
 * their parent's seq. Three scans are across tenants by design, each row
 * carrying its tenant: orders due to close, the webhook claim and its lease.
 *
 * INVARIANTS, CHECKED TWICE
 *
 * Line quantities are asserted before writing (order_line_check) and checked
 * again when read back (order_line_consistent, a broken row is ORDO_ESTORAGE),
 * with CHECK constraints in the schema between the two. Stock rows are
 * checked the same way (0 <= reserved <= on_hand), also the row a stock
 * update returns; fulfillment lines likewise (0 <= shipped <= quantity).
 */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

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
	"discount, total, payment_status, notes, state, fingerprint, "         \
	"accepted_at, release_due_at, released_at, delivered_at, closed_at, "  \
	"customer_key"
#define SQL_ORDER_COLS "seq, " SQL_ORDER_COLS_NOSEQ
#define SQL_Q10 "?,?,?,?,?,?,?,?,?,?"

#define SQL_SKU_COLS "sku, title, unit_price, currency, active, updated_at"
#define SQL_LOCATION_COLS                                                      \
	"code, name, " SQL_ADDR_COLS("addr_") ", priority, serves, active, "  \
	"updated_at"
#define SQL_STOCK_COLS                                                         \
	"location, sku, on_hand, reserved, safety_stock, updated_at"
#define SQL_LINE_COLS                                                          \
	"line_no, sku, title, quantity, unit_price, qty_open, qty_allocated, " \
	"qty_released, qty_shipped, qty_cancelled, qty_returned"
/* A hold's columns (p: a table alias and its dot, or ""), in the order
 * they are bound (q_hold) and read (q_col_hold). */
#define SQL_HOLD_COLS_OF(p)                                                    \
	p "id, " p "type, " p "status, " p "field, " p "message, "             \
	p "related_order_id, " p "raised_by, " p "created_at, "                \
	p "resolved_at, " p "rule_id, " p "policy_version, " p "priority, "   \
	p "due_at, " p "assignee, " p "claimed_at, " p "claimed_until, "       \
	p "escalated, " p "resolution, " p "resolution_reason, "               \
	p "resolved_by"
#define SQL_HOLD_COLS SQL_HOLD_COLS_OF("")
#define SQL_Q20 SQL_Q10 "," SQL_Q10
#define SQL_EVENT_COLS                                                         \
	"seq, type, from_state, to_state, hold_id, actor, message, at"
#define SQL_SETTINGS_COLS                                                      \
	"duplicate_window_s, backorder_mode, release_mode, release_sla_s, "    \
	"cutoff_minute, closing_period_s, webhook_retry_window_s, "            \
	"low_stock_threshold, bulk_limit"
#define SQL_STOCK_EVENT_COLS                                                   \
	"location, sku, type, delta_on_hand, delta_reserved, on_hand, "        \
	"reserved, reason, note, actor, order_id, at"
/* A fulfillment's header, with its order's id, from "fulfillments f JOIN
 * orders o". */
#define SQL_FUL_COLS                                                           \
	"f.seq, f.id, o.id, f.location, f.state, f.reject_reason, "            \
	"f.reject_message, f.created_at, f.released_at, f.updated_at"
#define SQL_FUL_FROM                                                           \
	" FROM fulfillments f JOIN orders o ON o.seq = f.order_seq "
#define SQL_SHIP_COLS                                                          \
	"s.seq, s.id, f.id, o.id, s.location, s.carrier, s.tracking_number, "  \
	"s.shipped_at, s.delivered_at"
#define SQL_SHIP_FROM                                                          \
	" FROM shipments s JOIN fulfillments f ON f.seq = s.fulfillment_seq "  \
	"JOIN orders o ON o.seq = s.order_seq "
#define SQL_WEBHOOK_COLS "id, url, secret, events, location, created_at"
/* How sending to a webhook goes, after SQL_WEBHOOK_COLS when reading. */
#define SQL_WEBHOOK_STATE_COLS                                                 \
	"status, paused_at, failures, failing_since, last_error, "             \
	"next_attempt_at"
/* A hold with its order, from "holds h JOIN orders o". */
#define SQL_HOLD_FROM " FROM holds h JOIN orders o ON o.seq = h.order_seq "
#define SQL_POLICY_COLS "version, document, created_by, created_at"
/* A defect with its order's id, from "defects d JOIN orders o". */
#define SQL_DEFECT_COLS                                                        \
	"d.seq, d.id, o.id, d.type, d.found_by, d.note, d.reported_by, "       \
	"d.created_at"
#define SQL_DEFECT_FROM " FROM defects d JOIN orders o ON o.seq = d.order_seq "
#define SQL_DELIVERY_COLS                                                      \
	"d.seq, d.id, d.tenant_id, d.webhook_id, d.event_id, d.event_type, "   \
	"d.order_id, d.status, d.attempts, d.last_status, d.last_error, "      \
	"d.next_attempt_at, d.retry_until, d.claimed_until, d.delivered_at, "  \
	"d.created_at"
/*
 * Up to ? webhooks due at ? (status bound first), the longest-waiting
 * first: the outbox's round robin. The PostgreSQL variant
 * (SQL_WEBHOOK_DUE_LOCKED) appends the row lock.
 */
#define SQL_WEBHOOK_DUE_TEXT                                                   \
	"SELECT seq, tenant_id, " SQL_WEBHOOK_COLS ", "                        \
	SQL_WEBHOOK_STATE_COLS " FROM webhooks "                               \
	"WHERE status = ? AND next_attempt_at <= ? "                           \
	"ORDER BY next_attempt_at, seq LIMIT ?"

enum sql_id {
	SQL_TABLE_EXISTS, /* the driver's text: db->sql_table_exists */
	SQL_NAMED_LOCK,	  /* the driver's text: db->sql_named_lock */
	SQL_NAMED_LOCK_SHARED, /* db->sql_named_lock_shared */
	SQL_NAMED_TRY_LOCK,    /* db->sql_named_try_lock */
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
	SQL_ORDER_GET_LOCKED, /* drivers with row_locks, write jobs */
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
	SQL_PURGE_IDEM,
	SQL_PURGE_DELIVERIES,
	SQL_PURGE_EVENTS,
	SQL_SETTINGS_GET,
	SQL_SETTINGS_PUT,
	SQL_STOCK_GET_LOCKED,
	SQL_STOCK_PUT,
	SQL_STOCK_OF_SKU,
	SQL_STOCK_OF_SKU_LOCKED, /* drivers with row_locks, write jobs */
	SQL_STOCK_EVENT_INSERT,
	SQL_STOCK_EVENTS,
	SQL_STOCK_EVENTS_AT,
	SQL_ORDERS_AWAITING_SKU,
	SQL_ORDER_UPDATE,
	SQL_LINE_UPDATE,
	SQL_ORDER_UPDATE_CONTENT,
	SQL_LINE_UPDATE_CONTENT,
	SQL_HOLD_UPSERT,
	SQL_ORDERS_DUE_TO_CLOSE,
	SQL_FUL_INSERT,
	SQL_FUL_LINE_PUT,
	SQL_FUL_UPDATE,
	SQL_FUL_GET,
	SQL_FUL_REF,
	SQL_FUL_LINES_OF,
	SQL_FULS_OF_ORDER,
	SQL_FUL_LIST,
	SQL_FUL_LIST_LOC,
	SQL_FUL_LIST_STATE,
	SQL_FUL_LIST_LOC_STATE,
	SQL_SHIP_INSERT,
	SQL_SHIP_LINE_INSERT,
	SQL_SHIP_GET,
	SQL_SHIP_LINES_OF,
	SQL_SHIP_SET_DELIVERED,
	SQL_SHIPS_OF_ORDER,
	SQL_WEBHOOK_INSERT,
	SQL_WEBHOOK_LIST,
	SQL_WEBHOOK_GET,
	SQL_WEBHOOK_COUNT,
	SQL_WEBHOOK_DELETE,
	SQL_WEBHOOK_FAIL_PENDING,
	SQL_WEBHOOK_RESUME,
	SQL_WEBHOOK_RECORD,
	SQL_WEBHOOK_DUE,
	SQL_WEBHOOK_DUE_LOCKED, /* drivers with row_locks (PostgreSQL) */
	SQL_WEBHOOK_SET_NEXT,
	SQL_WEBHOOK_WAKE,
	SQL_WEBHOOKS_FOR_EVENT,
	SQL_OUTBOX_INSERT,
	SQL_DELIVERY_INSERT,
	SQL_DELIVERY_READY,
	SQL_EVENT_PAYLOAD,
	SQL_DELIVERY_LANE_BUSY,
	SQL_DELIVERY_LANE_NEXT,
	SQL_DELIVERY_UPDATE,
	SQL_DELIVERY_GET,
	SQL_DELIVERY_LIST,
	SQL_DELIVERY_LIST_STATUS,
	SQL_HOLD_SETTINGS_GET,
	SQL_HOLD_SETTINGS_PUT,
	SQL_HOLD_GET,
	SQL_HOLD_GET_LOCKED, /* drivers with row_locks, write jobs */
	SQL_HOLD_UPDATE,
	SQL_POLICY_ACTIVE,
	SQL_POLICY_INSERT,
	SQL_POLICY_LIST,
	SQL_DEFECT_INSERT,
	SQL_DEFECTS_OF_ORDER,
	SQL_DEFECT_LIST,
	SQL_DEFECT_LIST_TYPE,
	SQL_DEFECT_COUNT,
	SQL_CUSTOMER_HISTORY,
	SQL_HANDLING_TIME,
	SQL_COUNT
	/* SQL_COUNT + mask: the order list with the filters in mask;
	 * SQL_QUEUE_BASE + mask: the review queue with the filters in mask. */
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
	[SQL_TENANT_INSERT] = "INSERT INTO tenants (slug, created_at) "
			      "VALUES (?, ?) RETURNING id",
	[SQL_TENANT_BY_SLUG] = "SELECT id, slug, created_at "
			       "FROM tenants WHERE slug = ?",
	[SQL_TENANT_BY_ID] = "SELECT id, slug, created_at "
			     "FROM tenants WHERE id = ?",
	/* No row returned: the tenant has a key of that name (0005). */
	[SQL_API_KEY_INSERT] = "INSERT INTO api_keys "
			       "(tenant_id, name, role, key_hash, created_at) "
			       "VALUES (?, ?, ?, ?, ?) "
			       "ON CONFLICT (tenant_id, name) DO NOTHING "
			       "RETURNING id",
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
		"VALUES (?, " SQL_Q10 ", ?, ?, ?, ?, ?) "
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
		"priority = excluded.priority, serves = excluded.serves, "
		"active = excluded.active, updated_at = excluded.updated_at",
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
			     "," SQL_Q10 ",?,?,?,?,?,?,?,?) "
			     "ON CONFLICT (tenant_id, channel, external_id) "
			     "DO NOTHING RETURNING seq",
	[SQL_LINE_INSERT] = "INSERT INTO order_lines (order_seq, "
			    SQL_LINE_COLS ") VALUES (?, " SQL_Q10 ", ?)",
	[SQL_HOLD_INSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			    SQL_HOLD_COLS ") VALUES (?, ?, " SQL_Q20 ")",
	[SQL_ORDER_GET] = "SELECT " SQL_ORDER_COLS " FROM orders "
			  "WHERE tenant_id = ? AND id = ?",
	/* SQL_ORDER_GET locking the row: drivers with row_locks, inside a
	 * write transaction (changes to one order, one node at a time). */
	[SQL_ORDER_GET_LOCKED] = "SELECT " SQL_ORDER_COLS " FROM orders "
				 "WHERE tenant_id = ? AND id = ? FOR UPDATE",
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
	/* A key is stored with status 0 by the write, then its answer
	 * (app/write.c): the second put fills in that row only. */
	[SQL_IDEM_PUT] = "INSERT INTO idempotency_keys (tenant_id, key, "
			 "request_hash, status, body, created_at) "
			 "VALUES (?, ?, ?, ?, ?, ?) "
			 "ON CONFLICT (tenant_id, key) DO UPDATE SET "
			 "status = excluded.status, body = excluded.body "
			 "WHERE idempotency_keys.status = 0 AND "
			 "idempotency_keys.request_hash = "
			 "excluded.request_hash RETURNING 1",
	/* Retention (store_purge): each answers the rows it removed. */
	[SQL_PURGE_IDEM] = "DELETE FROM idempotency_keys WHERE created_at < ? "
			   "RETURNING 1",
	[SQL_PURGE_DELIVERIES] = "DELETE FROM deliveries WHERE status = "
				 "'delivered' AND delivered_at < ? "
				 "RETURNING 1",
	[SQL_PURGE_EVENTS] = "DELETE FROM outbox_events WHERE created_at < ? "
			     "AND NOT EXISTS (SELECT 1 FROM deliveries d "
			     "WHERE d.event_id = outbox_events.id) "
			     "RETURNING 1",
	[SQL_SETTINGS_GET] = "SELECT " SQL_SETTINGS_COLS
			     " FROM tenant_settings WHERE tenant_id = ?",
	[SQL_SETTINGS_PUT] =
		"INSERT INTO tenant_settings (tenant_id, "
		SQL_SETTINGS_COLS ") "
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
		"ON CONFLICT (tenant_id) DO UPDATE SET "
		"duplicate_window_s = excluded.duplicate_window_s, "
		"backorder_mode = excluded.backorder_mode, "
		"release_mode = excluded.release_mode, "
		"release_sla_s = excluded.release_sla_s, "
		"cutoff_minute = excluded.cutoff_minute, "
		"closing_period_s = excluded.closing_period_s, "
		"webhook_retry_window_s = excluded.webhook_retry_window_s, "
		"low_stock_threshold = excluded.low_stock_threshold, "
		"bulk_limit = excluded.bulk_limit",
	/* SQL_STOCK_GET locking the row: drivers with row_locks, inside a
	 * write transaction (read-modify-write across nodes). */
	[SQL_STOCK_GET_LOCKED] = "SELECT " SQL_STOCK_COLS " FROM stock "
				 "WHERE tenant_id = ? AND location = ? "
				 "AND sku = ? FOR UPDATE",
	[SQL_STOCK_PUT] = "INSERT INTO stock (tenant_id, " SQL_STOCK_COLS ") "
			  "VALUES (?, ?, ?, ?, ?, ?, ?) "
			  "ON CONFLICT (tenant_id, location, sku) "
			  "DO UPDATE SET on_hand = excluded.on_hand, "
			  "reserved = excluded.reserved, "
			  "safety_stock = excluded.safety_stock, "
			  "updated_at = excluded.updated_at "
			  "RETURNING " SQL_STOCK_COLS,
	[SQL_STOCK_OF_SKU] = "SELECT " SQL_STOCK_COLS " FROM stock "
			     "WHERE tenant_id = ? AND sku = ? "
			     "ORDER BY location",
	/* SQL_STOCK_OF_SKU locking the rows: drivers with row_locks, inside
	 * a write transaction (routing plans on the stock it will reserve). */
	[SQL_STOCK_OF_SKU_LOCKED] = "SELECT " SQL_STOCK_COLS " FROM stock "
				    "WHERE tenant_id = ? AND sku = ? "
				    "ORDER BY location FOR UPDATE",
	[SQL_STOCK_EVENT_INSERT] = "INSERT INTO stock_events (tenant_id, "
				   SQL_STOCK_EVENT_COLS ") "
				   "VALUES (?, ?,?,?,?,?,?,?,?,?,?,?,?) "
				   "RETURNING seq",
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
	/* No row back: no such order of the tenant. */
	[SQL_ORDER_UPDATE] = "UPDATE orders SET state = ?, updated_at = ?, "
			     "accepted_at = ?, release_due_at = ?, "
			     "released_at = ?, delivered_at = ?, "
			     "closed_at = ? "
			     "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_ORDER_UPDATE_CONTENT] =
		"UPDATE orders SET customer_external_id = ?, customer_name = ?, "
		"customer_email = ?, customer_phone = ?, "
		"ship_to_name = ?, ship_to_company = ?, ship_to_line1 = ?, "
		"ship_to_line2 = ?, ship_to_city = ?, ship_to_region = ?, "
		"ship_to_postal_code = ?, ship_to_country = ?, "
		"ship_to_phone = ?, has_bill_to = ?, "
		"bill_to_name = ?, bill_to_company = ?, bill_to_line1 = ?, "
		"bill_to_line2 = ?, bill_to_city = ?, bill_to_region = ?, "
		"bill_to_postal_code = ?, bill_to_country = ?, "
		"bill_to_phone = ?, shipping_method = ?, shipping_amount = ?, "
		"subtotal = ?, shipping_total = ?, tax = ?, discount = ?, "
		"total = ?, payment_status = ?, notes = ?, fingerprint = ?, "
		"customer_key = ? "
		"WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* order_seq comes from SQL_ORDER_UPDATE_CONTENT (tenant matched). */
	[SQL_LINE_UPDATE_CONTENT] = "UPDATE order_lines SET sku = ?, "
				    "title = ?, unit_price = ? "
				    "WHERE order_seq = ? AND line_no = ? "
				    "RETURNING line_no",
	/* order_seq comes from SQL_ORDER_UPDATE, which matched the tenant. */
	[SQL_LINE_UPDATE] = "UPDATE order_lines SET quantity = ?, "
			    "qty_open = ?, qty_allocated = ?, "
			    "qty_released = ?, qty_shipped = ?, "
			    "qty_cancelled = ?, qty_returned = ? "
			    "WHERE order_seq = ? AND line_no = ? "
			    "RETURNING line_no",
	/* No row back: the hold id is another order's. */
	[SQL_HOLD_UPSERT] = "INSERT INTO holds (tenant_id, order_seq, "
			    SQL_HOLD_COLS ") VALUES (?, ?, " SQL_Q20 ") "
			    "ON CONFLICT (id) DO UPDATE SET "
			    "type = excluded.type, status = excluded.status, "
			    "field = excluded.field, "
			    "message = excluded.message, "
			    "related_order_id = excluded.related_order_id, "
			    "raised_by = excluded.raised_by, "
			    "created_at = excluded.created_at, "
			    "resolved_at = excluded.resolved_at, "
			    "rule_id = excluded.rule_id, "
			    "policy_version = excluded.policy_version, "
			    "priority = excluded.priority, "
			    "due_at = excluded.due_at, "
			    "assignee = excluded.assignee, "
			    "claimed_at = excluded.claimed_at, "
			    "claimed_until = excluded.claimed_until, "
			    "escalated = excluded.escalated, "
			    "resolution = excluded.resolution, "
			    "resolution_reason = excluded.resolution_reason, "
			    "resolved_by = excluded.resolved_by "
			    "WHERE holds.tenant_id = excluded.tenant_id "
			    "AND holds.order_seq = excluded.order_seq "
			    "RETURNING id",
	/* Any tenant; the default closing period is bound for tenants that
	 * saved no settings. */
	[SQL_ORDERS_DUE_TO_CLOSE] = "SELECT o.tenant_id, o.id FROM orders o "
				    "LEFT JOIN tenant_settings s "
				    "ON s.tenant_id = o.tenant_id "
				    "WHERE o.state = ? AND o.delivered_at + "
				    "coalesce(s.closing_period_s, ?) <= ? "
				    "ORDER BY o.delivered_at, o.seq LIMIT ?",
	[SQL_FUL_INSERT] = "INSERT INTO fulfillments (id, tenant_id, "
			   "order_seq, location, state, reject_reason, "
			   "reject_message, created_at, released_at, "
			   "updated_at) VALUES (" SQL_Q10 ") RETURNING seq",
	/* fulfillment_seq comes from a row that matched the tenant. */
	[SQL_FUL_LINE_PUT] = "INSERT INTO fulfillment_lines (fulfillment_seq, "
			     "line_no, sku, quantity, shipped) "
			     "VALUES (?, ?, ?, ?, ?) "
			     "ON CONFLICT (fulfillment_seq, line_no) "
			     "DO UPDATE SET sku = excluded.sku, "
			     "quantity = excluded.quantity, "
			     "shipped = excluded.shipped",
	[SQL_FUL_UPDATE] = "UPDATE fulfillments SET state = ?, "
			   "reject_reason = ?, reject_message = ?, "
			   "released_at = ?, updated_at = ? "
			   "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_FUL_GET] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			"WHERE f.tenant_id = ? AND f.id = ?",
	[SQL_FUL_REF] = "SELECT f.seq, f.order_seq, o.id" SQL_FUL_FROM
			"WHERE f.tenant_id = ? AND f.id = ?",
	[SQL_FUL_LINES_OF] = "SELECT line_no, sku, quantity, shipped "
			     "FROM fulfillment_lines "
			     "WHERE fulfillment_seq = ? ORDER BY line_no",
	[SQL_FULS_OF_ORDER] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			      "WHERE f.tenant_id = ? AND f.order_seq = ? "
			      "ORDER BY f.seq",
	/* The list, one text per combination of filters; the first page
	 * binds INT64_MAX as the cursor. */
	[SQL_FUL_LIST] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			 "WHERE f.tenant_id = ? AND f.seq < ? "
			 "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_LOC] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			     "WHERE f.tenant_id = ? AND f.seq < ? "
			     "AND f.location = ? "
			     "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_STATE] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
			       "WHERE f.tenant_id = ? AND f.seq < ? "
			       "AND f.state = ? "
			       "ORDER BY f.seq DESC LIMIT ?",
	[SQL_FUL_LIST_LOC_STATE] = "SELECT " SQL_FUL_COLS SQL_FUL_FROM
				   "WHERE f.tenant_id = ? AND f.seq < ? "
				   "AND f.location = ? AND f.state = ? "
				   "ORDER BY f.seq DESC LIMIT ?",
	[SQL_SHIP_INSERT] = "INSERT INTO shipments (id, tenant_id, "
			    "fulfillment_seq, order_seq, location, carrier, "
			    "tracking_number, shipped_at, delivered_at) "
			    "VALUES (?, ?, ?, ?, (SELECT f.location "
			    "FROM fulfillments f WHERE f.seq = ?), "
			    "?, ?, ?, ?) RETURNING seq",
	[SQL_SHIP_LINE_INSERT] = "INSERT INTO shipment_lines (shipment_seq, "
				 "line_no, sku, quantity) "
				 "VALUES (?, ?, ?, ?)",
	[SQL_SHIP_GET] = "SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
			 "WHERE s.tenant_id = ? AND s.id = ?",
	[SQL_SHIP_LINES_OF] = "SELECT sku, quantity FROM shipment_lines "
			      "WHERE shipment_seq = ? ORDER BY line_no",
	[SQL_SHIP_SET_DELIVERED] = "UPDATE shipments SET delivered_at = ? "
				   "WHERE tenant_id = ? AND id = ? "
				   "RETURNING seq",
	[SQL_SHIPS_OF_ORDER] = "SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
			       "WHERE s.tenant_id = ? AND s.order_seq = ? "
			       "ORDER BY s.seq",
	[SQL_WEBHOOK_INSERT] = "INSERT INTO webhooks (tenant_id, "
			       SQL_WEBHOOK_COLS ") "
			       "VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_WEBHOOK_LIST] = "SELECT " SQL_WEBHOOK_COLS ", "
			     SQL_WEBHOOK_STATE_COLS " FROM webhooks "
			     "WHERE tenant_id = ? ORDER BY seq",
	[SQL_WEBHOOK_GET] = "SELECT " SQL_WEBHOOK_COLS ", "
			    SQL_WEBHOOK_STATE_COLS " FROM webhooks "
			    "WHERE tenant_id = ? AND id = ?",
	[SQL_WEBHOOK_COUNT] = "SELECT count(*) FROM webhooks "
			      "WHERE tenant_id = ?",
	[SQL_WEBHOOK_DELETE] = "DELETE FROM webhooks "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	/* Binds: failed, the message, tenant, webhook id, pending. */
	[SQL_WEBHOOK_FAIL_PENDING] = "UPDATE deliveries SET status = ?, "
				     "last_error = ?, claimed_until = 0 "
				     "WHERE tenant_id = ? AND webhook_id = ? "
				     "AND status = ?",
	/* Binds: active, now, tenant, id. */
	[SQL_WEBHOOK_RESUME] = "UPDATE webhooks SET status = ?, paused_at = 0, "
			       "idle = 0, "
			       "failures = 0, failing_since = 0, "
			       "last_error = '', next_attempt_at = ? "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_WEBHOOK_RECORD] = "UPDATE webhooks SET idle = 0, status = ?, "
			       "paused_at = ?, "
			       "failures = ?, failing_since = ?, "
			       "last_error = ?, next_attempt_at = ? "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_WEBHOOK_DUE] = SQL_WEBHOOK_DUE_TEXT,
	/*
	 * POSTGRESQL HOOK: the claim for drivers with row_locks (db.h).
	 * Several nodes claim at once there; each locks the webhook it chose
	 * and skips those another node holds, so no webhook has two senders
	 * and nobody waits. The lease (SQL_WEBHOOK_SET_NEXT) is written in
	 * the same transaction. Never prepared on SQLite.
	 */
	[SQL_WEBHOOK_DUE_LOCKED] = SQL_WEBHOOK_DUE_TEXT " FOR UPDATE SKIP LOCKED",
	/* seq comes from the claim just made (any tenant, by design). */
	[SQL_WEBHOOK_SET_NEXT] = "UPDATE webhooks SET next_attempt_at = ?, "
				 "idle = ? "
				 "WHERE seq = ?",
	/*
	 * An idle webhook (its last claim found nothing to send) is due at
	 * once when it is given something: binds now, tenant, id. Only an
	 * idle one: a webhook backing off or leased to a sender keeps its
	 * time. On PostgreSQL the row is locked only when it matches, so
	 * writers meet here only when a webhook wakes.
	 */
	[SQL_WEBHOOK_WAKE] = "UPDATE webhooks SET idle = 0, next_attempt_at = ? "
			     "WHERE tenant_id = ? AND id = ? AND idle = 1",
	/* Webhooks of any location or of the event's; the event type is
	 * matched against each one's list in C. */
	[SQL_WEBHOOKS_FOR_EVENT] = "SELECT id, events FROM webhooks "
				   "WHERE tenant_id = ? "
				   "AND (location = '' OR location = ?) "
				   "ORDER BY seq",
	[SQL_OUTBOX_INSERT] = "INSERT INTO outbox_events (id, tenant_id, "
			      "type, order_id, location, payload, "
			      "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_DELIVERY_INSERT] = "INSERT INTO deliveries (id, tenant_id, "
				"webhook_id, event_id, event_type, order_id, "
				"status, attempts, last_status, last_error, "
				"next_attempt_at, retry_until, claimed_until, "
				"delivered_at, created_at, waiting) "
				"VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?, "
				"0, 0, ?, ?)",
	/*
	 * A claimed webhook's ready deliveries, oldest first: an index range
	 * of deliveries_ready bounded by the limit. The ORDER BY names the
	 * index's columns so that no planner prefers walking another index
	 * in seq order. The webhook (tenant, id) was just read from its row
	 * (any tenant, by design). Each payload is then read by its own
	 * probe (SQL_EVENT_PAYLOAD), never by a join a planner could turn
	 * into a scan.
	 */
	[SQL_DELIVERY_READY] = "SELECT " SQL_DELIVERY_COLS " FROM deliveries d "
			       "WHERE d.webhook_id = ? AND d.status = ? "
			       "AND d.waiting = 0 AND d.tenant_id = ? "
			       "ORDER BY d.webhook_id, d.status, d.waiting, "
			       "d.seq LIMIT ?",
	/* A claimed delivery's payload: one probe of the unique id. */
	[SQL_EVENT_PAYLOAD] = "SELECT payload FROM outbox_events "
			      "WHERE id = ? AND tenant_id = ?",
	/* Whether a lane (webhook, order) has a pending delivery. */
	[SQL_DELIVERY_LANE_BUSY] = "SELECT seq FROM deliveries "
				   "WHERE webhook_id = ? AND order_id = ? "
				   "AND status = ? AND tenant_id = ? LIMIT 1",
	/* The first pending delivery of a lane is ready. */
	[SQL_DELIVERY_LANE_NEXT] = "UPDATE deliveries SET waiting = 0 "
				   "WHERE seq = (SELECT seq FROM deliveries "
				   "WHERE webhook_id = ? AND order_id = ? "
				   "AND status = ? AND tenant_id = ? "
				   "ORDER BY seq LIMIT 1) AND waiting = 1",
	[SQL_DELIVERY_UPDATE] = "UPDATE deliveries SET status = ?, "
				"attempts = ?, last_status = ?, "
				"last_error = ?, next_attempt_at = ?, "
				"retry_until = ?, delivered_at = ?, "
				"claimed_until = 0, waiting = 0 "
				"WHERE tenant_id = ? AND id = ? "
				"RETURNING seq, webhook_id, order_id",
	[SQL_DELIVERY_GET] = "SELECT " SQL_DELIVERY_COLS " FROM deliveries d "
			     "WHERE d.tenant_id = ? AND d.id = ?",
	[SQL_DELIVERY_LIST] = "SELECT " SQL_DELIVERY_COLS
			      " FROM deliveries d "
			      "WHERE d.tenant_id = ? AND d.seq < ? "
			      "ORDER BY d.seq DESC LIMIT ?",
	[SQL_DELIVERY_LIST_STATUS] = "SELECT " SQL_DELIVERY_COLS
				     " FROM deliveries d "
				     "WHERE d.tenant_id = ? AND d.seq < ? "
				     "AND d.status = ? "
				     "ORDER BY d.seq DESC LIMIT ?",
	[SQL_HOLD_SETTINGS_GET] = "SELECT type, sla_s, priority "
				  "FROM tenant_hold_settings "
				  "WHERE tenant_id = ?",
	[SQL_HOLD_SETTINGS_PUT] = "INSERT INTO tenant_hold_settings "
				  "(tenant_id, type, sla_s, priority) "
				  "VALUES (?, ?, ?, ?) "
				  "ON CONFLICT (tenant_id, type) DO UPDATE SET "
				  "sla_s = excluded.sla_s, "
				  "priority = excluded.priority",
	[SQL_HOLD_GET] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id" SQL_HOLD_FROM
			 "WHERE h.tenant_id = ? AND h.id = ?",
	/* SQL_HOLD_GET locking the hold (not its order): drivers with
	 * row_locks, inside a write transaction (of many claimers of one
	 * hold, one at a time reads it, so exactly one wins). */
	[SQL_HOLD_GET_LOCKED] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id"
				SQL_HOLD_FROM
				"WHERE h.tenant_id = ? AND h.id = ? "
				"FOR UPDATE OF h",
	/* No row back: no such hold of the tenant. */
	[SQL_HOLD_UPDATE] = "UPDATE holds SET status = ?, priority = ?, "
			    "due_at = ?, assignee = ?, claimed_at = ?, "
			    "claimed_until = ?, escalated = ?, "
			    "resolution = ?, resolution_reason = ?, "
			    "resolved_by = ?, resolved_at = ? "
			    "WHERE tenant_id = ? AND id = ? RETURNING id",
	[SQL_POLICY_ACTIVE] = "SELECT " SQL_POLICY_COLS
			      " FROM policy_versions WHERE tenant_id = ? "
			      "ORDER BY version DESC LIMIT 1",
	/* The next version is taken in the statement itself; two writers
	 * taking the same one meet at the primary key (ORDO_ECONFLICT). */
	[SQL_POLICY_INSERT] = "INSERT INTO policy_versions (tenant_id, "
			      SQL_POLICY_COLS ") "
			      "VALUES (?, (SELECT coalesce(max(version), 0) "
			      "+ 1 FROM policy_versions WHERE tenant_id = ?), "
			      "?, ?, ?) RETURNING version",
	[SQL_POLICY_LIST] = "SELECT " SQL_POLICY_COLS
			    " FROM policy_versions WHERE tenant_id = ? "
			    "ORDER BY version DESC",
	[SQL_DEFECT_INSERT] = "INSERT INTO defects (id, tenant_id, order_seq, "
			      "type, found_by, note, reported_by, created_at) "
			      "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
	[SQL_DEFECTS_OF_ORDER] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
				 "WHERE d.tenant_id = ? AND d.order_seq = ? "
				 "ORDER BY d.seq",
	/* The list, one text with the type filter and one without; the
	 * cursor and the time bounds are always bound (INT64_MAX, INT64_MIN
	 * and INT64_MAX when open). */
	[SQL_DEFECT_LIST] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
			    "WHERE d.tenant_id = ? AND d.seq < ? "
			    "AND d.created_at >= ? AND d.created_at < ? "
			    "ORDER BY d.seq DESC LIMIT ?",
	[SQL_DEFECT_LIST_TYPE] = "SELECT " SQL_DEFECT_COLS SQL_DEFECT_FROM
				 "WHERE d.tenant_id = ? AND d.seq < ? "
				 "AND d.created_at >= ? AND d.created_at < ? "
				 "AND d.type = ? "
				 "ORDER BY d.seq DESC LIMIT ?",
	/* order_seq comes from a row that matched the tenant. */
	[SQL_DEFECT_COUNT] = "SELECT count(*) FROM defects "
			     "WHERE tenant_id = ? AND order_seq = ?",
	/* Binds: tenant, key, before (the orders), the same again (their
	 * defects). */
	/* "Before" is (received_at, seq) < (?, ?): orders received in the
	 * same second count when they came first. */
	[SQL_CUSTOMER_HISTORY] = "SELECT (SELECT count(*) FROM orders "
				 "WHERE tenant_id = ? AND customer_key = ? "
				 "AND (received_at < ? OR (received_at = ? "
				 "AND seq < ?))), "
				 "(SELECT count(*) FROM orders o "
				 "JOIN defects d ON d.tenant_id = o.tenant_id "
				 "AND d.order_seq = o.seq "
				 "WHERE o.tenant_id = ? AND o.customer_key = ? "
				 "AND (o.received_at < ? OR (o.received_at = ? "
				 "AND o.seq < ?)) AND d.created_at <= ?)",
	/* The sum, not avg(): avg is numeric in PostgreSQL and real in
	 * SQLite, and each rounds its own way; C divides. Binds: tenant,
	 * resolved, "system". */
	[SQL_HANDLING_TIME] = "SELECT count(*), "
			      "coalesce(sum(resolved_at - claimed_at), 0) "
			      "FROM holds WHERE tenant_id = ? AND status = ? "
			      "AND claimed_at > 0 AND resolution <> ? "
			      "AND resolved_at >= claimed_at",
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

/*
 * The review queue: SQL_QUEUE_HEAD (tenant, open status, the cursor
 * (due_at, seq) bound as after_due, after_due, after_seq, and the age bound,
 * INT64_MAX when none), then the fragment of every filter present, in this
 * order and bound in this order, then " ORDER BY h.due_at, h.rowid LIMIT ?".
 * A hold's seq is its rowid (SQLite's implicit one; PostgreSQL's identity
 * column of that name, see migrations/postgres/0001_init.sql).
 */
enum queue_list_filter {
	QLF_TYPE,
	QLF_PRIORITY,
	QLF_UNCLAIMED, /* binds now */
	QLF_ASSIGNEE,  /* binds the name, then now */
	QLF_CHANNEL,
	QLF_ESCALATED,
	QLF_COUNT
};

static const char *const queue_list_where[QLF_COUNT] = {
	[QLF_TYPE] = " AND h.type = ?",
	[QLF_PRIORITY] = " AND h.priority = ?",
	[QLF_UNCLAIMED] = " AND (h.assignee = '' OR h.claimed_until < ?)",
	[QLF_ASSIGNEE] = " AND h.assignee = ? AND h.claimed_until >= ?",
	[QLF_CHANNEL] = " AND o.channel = ?",
	[QLF_ESCALATED] = " AND h.escalated = ?",
};

#define SQL_QUEUE_BASE (SQL_COUNT + (1 << OLF_COUNT))

_Static_assert(SQL_QUEUE_BASE + (1 << QLF_COUNT) <= DB_STMT_MAX,
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
	bool row;
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
	rc = q_step(&q, &row, "API key", "key_hash", err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ECONFLICT, "name",
				  "the tenant already has a key named "
				  "\"%.128s\"",
				  k->name);
		goto out;
	}
	k->id = q_col_i64(&q);
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

static void q_col_location(struct q *q, catalog_location *l)
{
	char serves[SERVES_TEXT_MAX];

	memset(l, 0, sizeof(*l));
	q_col_str(q, l->code, sizeof(l->code));
	q_col_str(q, l->name, sizeof(l->name));
	q_col_address(q, &l->address);
	l->priority = (int)q_col_i64(q);
	q_col_str(q, serves, sizeof(serves));
	if (!serves_split(serves, l))
		q->bad = true;
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
	char serves[SERVES_TEXT_MAX];
	ordo_code rc;

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
	q_str(&q, l->code);
	q_str(&q, l->name);
	q_address(&q, &l->address);
	q_i64(&q, l->priority);
	q_str(&q, serves);
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

	/* On a database with row locks, a write job's read locks the row
	 * it will write back (store_stock_put). */
	rc = q_open(&q, tx,
		    tx->writable && tx->db->row_locks ? SQL_STOCK_GET_LOCKED
						       : SQL_STOCK_GET,
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

/* Bind every column of a hold (SQL_HOLD_COLS). */
static void q_hold(struct q *q, const order_hold *h)
{
	q_str(q, h->id);
	q_str(q, hold_type_name(h->type));
	q_str(q, hold_status_name(h->status));
	q_str(q, h->field);
	q_str(q, h->message);
	q_str(q, h->related_order_id);
	q_str(q, h->raised_by);
	q_i64(q, h->created_at);
	q_i64(q, h->resolved_at);
	q_str(q, h->rule_id);
	q_i64(q, h->policy_version);
	q_i64(q, h->priority);
	q_i64(q, h->due_at);
	q_str(q, h->assignee);
	q_i64(q, h->claimed_at);
	q_i64(q, h->claimed_until);
	q_i64(q, h->escalated ? 1 : 0);
	q_str(q, h->resolution);
	q_str(q, h->resolution_reason);
	q_str(q, h->resolved_by);
}

/* Read one hold (SQL_HOLD_COLS) into h, checking its type and status. */
static ordo_code q_col_hold(struct q *q, order_hold *h, ordo_err *err)
{
	char type[32], status[16];
	ordo_code rc;

	memset(h, 0, sizeof(*h));
	q_col_str(q, h->id, sizeof(h->id));
	q_col_str(q, type, sizeof(type));
	q_col_str(q, status, sizeof(status));
	q_col_str(q, h->field, sizeof(h->field));
	q_col_str(q, h->message, sizeof(h->message));
	q_col_str(q, h->related_order_id, sizeof(h->related_order_id));
	q_col_str(q, h->raised_by, sizeof(h->raised_by));
	h->created_at = q_col_i64(q);
	h->resolved_at = q_col_i64(q);
	q_col_str(q, h->rule_id, sizeof(h->rule_id));
	h->policy_version = (int)q_col_i64(q);
	h->priority = (int)q_col_i64(q);
	h->due_at = q_col_i64(q);
	q_col_str(q, h->assignee, sizeof(h->assignee));
	h->claimed_at = q_col_i64(q);
	h->claimed_until = q_col_i64(q);
	h->escalated = q_col_i64(q) != 0;
	q_col_str(q, h->resolution, sizeof(h->resolution));
	q_col_str(q, h->resolution_reason, sizeof(h->resolution_reason));
	q_col_str(q, h->resolved_by, sizeof(h->resolved_by));
	rc = q_row_end(q, "reading holds", err);
	if (rc)
		return rc;
	if (hold_type_parse(type, &h->type) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "hold %s has an unknown type \"%s\"",
				    h->id, type);
	if (strcmp(status, hold_status_name(HOLD_OPEN)) == 0)
		h->status = HOLD_OPEN;
	else if (strcmp(status, hold_status_name(HOLD_RESOLVED)) == 0)
		h->status = HOLD_RESOLVED;
	else
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "hold %s has an unknown status \"%s\"",
				    h->id, status);
	return ORDO_OK;
}

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
		q_hold(&q, h);
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
	q_i64(&q, o->accepted_at);
	q_i64(&q, o->release_due_at);
	q_i64(&q, o->released_at);
	q_i64(&q, o->delivered_at);
	q_i64(&q, o->closed_at);
	q_str(&q, o->customer_key);
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
	o->accepted_at = q_col_i64(q);
	o->release_due_at = q_col_i64(q);
	o->released_at = q_col_i64(q);
	o->delivered_at = q_col_i64(q);
	o->closed_at = q_col_i64(q);
	q_col_str(q, o->customer_key, sizeof(o->customer_key));
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

		rc = q_step(&q, &row, "reading holds", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		rc = q_col_hold(&q, &h, err);
		if (rc)
			goto out;
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
	/* On a database with row locks, a write job's read locks the order
	 * it is about to change. */
	rc = q_open(&q, tx,
		    tx->writable && tx->db->row_locks ? SQL_ORDER_GET_LOCKED
						       : SQL_ORDER_GET,
		    err);
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

/*
 * A named lock until the transaction ends: exclusive (waits), shared
 * (waits for an exclusive holder only) or a try (exclusive if free now;
 * *got says). Without named locks (one writer at a time) every kind is
 * had at once.
 */
enum named_lock { NAMED_EXCLUSIVE, NAMED_SHARED, NAMED_TRY };

static ordo_code named_lock(store_tx *tx, int64_t tenant, const char *name,
			    enum named_lock kind, bool *got, ordo_err *err)
{
	static const unsigned ids[] = {SQL_NAMED_LOCK, SQL_NAMED_LOCK_SHARED,
				       SQL_NAMED_TRY_LOCK};
	const char *sql = kind == NAMED_EXCLUSIVE ? tx->db->sql_named_lock
			  : kind == NAMED_SHARED  ? tx->db->sql_named_lock_shared
						  : tx->db->sql_named_try_lock;
	char key[256];
	struct q q;
	bool row = false;
	ordo_code rc;

	if (got)
		*got = true;
	if (!sql)
		return ORDO_OK; /* writers never overlap */
	snprintf(key, sizeof(key), "%lld:%s", (long long)tenant, name);
	rc = q_open_sql(&q, tx, ids[kind], sql, err);
	if (rc == ORDO_OK) {
		q_str(&q, key);
		rc = q_step(&q, &row, "taking a lock", NULL, err);
	}
	if (rc == ORDO_OK && kind == NAMED_TRY && got)
		*got = row && q_col_i64(&q) == 1;
	q_close(&q);
	return rc;
}

ordo_code store_lock_named(store_tx *tx, int64_t tenant, const char *name,
			   ordo_err *err)
{
	return named_lock(tx, tenant, name, NAMED_EXCLUSIVE, NULL, err);
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

/* The seq of the tenant's order id, or ORDO_ENOTFOUND naming field. */
static ordo_code order_seq_of(store_tx *tx, int64_t tenant, const char *id,
			      const char *field, int64_t *seq, ordo_err *err)
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
		rc = ordo_err_set(err, ORDO_ENOTFOUND, field,
				  "no order \"%.32s\"", id);
		goto out;
	}
	*seq = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

/* The seq of the tenant's order id, or ORDO_ENOTFOUND naming "id". */
static ordo_code order_seq(store_tx *tx, int64_t tenant, const char *id,
			   int64_t *seq, ordo_err *err)
{
	return order_seq_of(tx, tenant, id, "id", seq, err);
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

/* Run one purge statement with its cut-off; count the rows it removed. */
static ordo_code purge_one(store_tx *tx, unsigned id, ordo_time before,
			   int64_t *n, ordo_err *err)
{
	struct q q = {0};
	bool row = true;
	ordo_code rc = q_open(&q, tx, id, err);

	if (rc == ORDO_OK)
		q_i64(&q, before);
	while (rc == ORDO_OK && row) {
		rc = q_step(&q, &row, "purging old rows", NULL, err);
		if (rc == ORDO_OK && row)
			(*n)++;
	}
	q_close(&q);
	return rc;
}

ordo_code store_purge(store_tx *tx, ordo_time idempotency_before,
		      ordo_time delivered_before, int64_t *purged,
		      ordo_err *err)
{
	ordo_code rc = tx_check_writable(tx, "store_purge", err);

	*purged = 0;
	if (rc == ORDO_OK)
		rc = purge_one(tx, SQL_PURGE_IDEM, idempotency_before, purged,
			       err);
	if (rc == ORDO_OK)
		rc = purge_one(tx, SQL_PURGE_DELIVERIES, delivered_before,
			       purged, err);
	if (rc == ORDO_OK)
		rc = purge_one(tx, SQL_PURGE_EVENTS, delivered_before, purged,
			       err);
	return rc;
}

ordo_code store_idempotency_put(store_tx *tx, int64_t tenant,
				const store_idempotency *rec, ordo_err *err)
{
	struct q q = {0};
	bool row;
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
	rc = q_step(&q, &row, "idempotency key", "key", err);
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ECONFLICT, "key",
				  "the idempotency key \"%.64s\" is taken",
				  rec->key);
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

/* ---- helpers of the operations below ------------------------------------- */

/* Most rows one scan across orders or deliveries returns (claims, closers,
 * orders waiting for stock); callers run it again for more. */
#define SQL_SCAN_MAX 10000

/*
 * Double an array of items of size bytes (when count reached *cap), zeroing
 * the new part. Returns the array, or NULL (the old one kept) when out of
 * memory.
 */
static void *grow(void *items, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 16;
	char *p = realloc(items, ncap * size);

	if (!p)
		return NULL;
	memset(p + *cap * size, 0, (ncap - *cap) * size);
	*cap = ncap;
	return p;
}

static ordo_code no_memory(ordo_err *err, const char *what)
{
	return ordo_err_set(err, ORDO_ENOMEM, NULL, "out of memory %s", what);
}

/* Reads one row of an open statement into item (zeroed memory). */
typedef ordo_code (*q_row_fn)(struct q *q, void *item, ordo_err *err);

/*
 * Read every row the open, bound statement q yields - at most max - into a
 * new array of items of `size` bytes, each read by `read`. The array grows
 * as rows come, and every item starts zeroed. On failure *items and *n
 * still hold what was read (the row that failed included), for the caller
 * to free with its item's destructor; the statement is left open.
 */
static ordo_code q_rows(struct q *q, size_t max, size_t size, q_row_fn read,
			void **items, size_t *n, const char *what,
			ordo_err *err)
{
	size_t cap = 0;
	char *p = NULL;
	bool row;
	ordo_code rc;

	*items = NULL;
	*n = 0;
	for (;;) {
		rc = q_step(q, &row, what, NULL, err);
		if (rc || !row)
			break;
		if (*n == max) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "%s: more rows than the limit",
					  what);
			break;
		}
		if (*n == cap) {
			char *g = grow(p, &cap, size);

			if (!g) {
				rc = no_memory(err, what);
				break;
			}
			p = g;
			*items = p;
		}
		rc = read(q, p + (*n)++ * size, err);
		if (rc)
			break;
	}
	return rc;
}

/* A limit in 1..max, or ORDO_EINVALID. */
static ordo_code check_limit(int limit, int max, ordo_err *err)
{
	if (limit < 1 || limit > max)
		return ordo_err_set(err, ORDO_EINVALID, "limit",
				    "limit must be 1..%d, not %d", max, limit);
	return ORDO_OK;
}

/* A page's limit and cursor are valid. */
static ordo_code check_page(int limit, int64_t before_seq, ordo_err *err)
{
	ordo_code rc = check_limit(limit, STORE_LIST_MAX, err);

	if (!rc && before_seq < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
	return rc;
}

/* The "seq < ?" bound of a page: the first page has none. */
static int64_t page_bound(int64_t before_seq)
{
	return before_seq > 0 ? before_seq : INT64_MAX;
}

static const char base32[] = "0123456789abcdefghjkmnpqrstvwxyz";

/*
 * A new public id: prefix and 26 characters of Crockford base32 drawn from
 * 128 random bits, as the app layer makes them (app/ids.c) - the store
 * cannot call up into the app for the few ids it makes itself.
 */
static void store_id_new(const char *prefix, char out[ORDO_ID_MAX])
{
	unsigned char raw[16];
	size_t plen = strlen(prefix), i, bit = 0;

	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, plen);
	/* 26 characters x 5 bits = 130 bits; the last 2 bits read as zero. */
	for (i = 0; i < 26; i++, bit += 5) {
		unsigned v = 0, b;

		for (b = 0; b < 5; b++) {
			size_t at = bit + b;
			unsigned set =
				at < 128 ? (raw[at / 8] >> (7 - at % 8)) & 1u
					 : 0u;

			v = (v << 1) | set;
		}
		out[plen + i] = base32[v];
	}
	out[plen + 26] = '\0';
}

/* Copy the text column at q->col into a new string *out. */
static ordo_code q_col_dup(struct q *q, char **out, const char *what,
			   ordo_err *err)
{
	const struct db_driver *db = q->tx->db;
	const char *t = "";
	size_t len = 0;

	if (!db->column_is_null(q->s, q->col))
		t = db->column_text(q->s, q->col, &len);
	q->col++;
	*out = malloc(len + 1);
	if (!*out)
		return no_memory(err, what);
	if (len)
		memcpy(*out, t, len);
	(*out)[len] = '\0';
	return ORDO_OK;
}

/* ---- tenant settings ----------------------------------------------------- */

/* Override s's per-hold-type settings with the tenant's saved rows. A row
 * of a type this build does not know is passed over: settings of a type
 * since removed must not make the others unreadable. */
static ordo_code hold_settings_load(store_tx *tx, int64_t tenant,
				    tenant_settings *s, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_HOLD_SETTINGS_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	for (;;) {
		char type[32];
		hold_type t;
		int64_t sla_s;
		int priority;

		rc = q_step(&q, &row, "reading hold settings", NULL, err);
		if (rc || !row)
			break;
		q_col_str(&q, type, sizeof(type));
		sla_s = q_col_i64(&q);
		priority = (int)q_col_i64(&q);
		q.bad = false; /* a type name too long is one not known */
		if (hold_type_parse(type, &t) != 0)
			continue;
		s->hold_sla_s[t] = sla_s;
		s->hold_priority[t] = priority;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_settings_get(store_tx *tx, int64_t tenant, tenant_settings *s,
			     ordo_err *err)
{
	struct q q;
	char backorder[16], release[16];
	bool row;
	ordo_code rc;

	settings_defaults(s);
	rc = q_open(&q, tx, SQL_SETTINGS_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "reading settings", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		q_close(&q);
		rc = hold_settings_load(tx, tenant, s, err);
		goto out;
	}
	s->duplicate_window_s = q_col_i64(&q);
	q_col_str(&q, backorder, sizeof(backorder));
	q_col_str(&q, release, sizeof(release));
	s->release_sla_s = q_col_i64(&q);
	s->cutoff_minute = (int)q_col_i64(&q);
	s->closing_period_s = q_col_i64(&q);
	s->webhook_retry_window_s = q_col_i64(&q);
	s->low_stock_threshold = q_col_i64(&q);
	s->bulk_limit = q_col_i64(&q);
	rc = q_row_end(&q, "reading settings", err);
	if (rc)
		goto out;
	if (backorder_mode_parse(backorder, &s->backorder) != 0 ||
	    release_mode_parse(release, &s->release) != 0) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "the settings of tenant %lld have an "
				  "unknown mode",
				  (long long)tenant);
		goto out;
	}
	q_close(&q);
	rc = hold_settings_load(tx, tenant, s, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_settings_put(store_tx *tx, int64_t tenant,
			     const tenant_settings *s, ordo_err *err)
{
	struct q q = {0};
	int t;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_settings_put", err);
	if (rc)
		goto out;
	rc = settings_check(s, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SETTINGS_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, s->duplicate_window_s);
	q_str(&q, backorder_mode_name(s->backorder));
	q_str(&q, release_mode_name(s->release));
	q_i64(&q, s->release_sla_s);
	q_i64(&q, s->cutoff_minute);
	q_i64(&q, s->closing_period_s);
	q_i64(&q, s->webhook_retry_window_s);
	q_i64(&q, s->low_stock_threshold);
	q_i64(&q, s->bulk_limit);
	rc = q_exec(&q, "settings", "tenant_id", err);
	if (rc)
		goto out;
	q_close(&q);
	/* Every type's row, so that what was saved is what is read back
	 * whatever the defaults become. */
	for (t = 0; t < HOLD_TYPE_COUNT; t++) {
		rc = q_open(&q, tx, SQL_HOLD_SETTINGS_PUT, err);
		if (rc)
			goto out;
		q_i64(&q, tenant);
		q_str(&q, hold_type_name((hold_type)t));
		q_i64(&q, s->hold_sla_s[t]);
		q_i64(&q, s->hold_priority[t]);
		rc = q_exec(&q, "hold settings", "type", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

/* ---- stock: rows and history --------------------------------------------- */

ordo_code store_stock_put(store_tx *tx, int64_t tenant,
			  const stock_level *level, ordo_err *err)
{
	struct q q = {0};
	stock_level back;
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_stock_put", err);
	if (rc)
		goto out;
	if (level->on_hand < 0 || level->reserved < 0 ||
	    level->safety_stock < 0 || level->reserved > level->on_hand) {
		rc = ordo_err_set(err, ORDO_ECONFLICT, "on_hand",
				  "stock of \"%.64s\" at \"%.32s\": on hand "
				  "%lld, reserved %lld, safety stock %lld is "
				  "not possible",
				  level->sku, level->location,
				  (long long)level->on_hand,
				  (long long)level->reserved,
				  (long long)level->safety_stock);
		goto out;
	}
	if (level->on_hand > ORDO_MAX_STOCK ||
	    level->safety_stock > ORDO_MAX_STOCK) {
		rc = ordo_err_set(err, ORDO_EINVALID, "on_hand",
				  "stock counts must be at most %lld",
				  (long long)ORDO_MAX_STOCK);
		goto out;
	}
	rc = require_key(tx, SQL_LOCATION_EXISTS, tenant, level->location,
			 "location", err);
	if (rc)
		goto out;
	rc = require_key(tx, SQL_SKU_EXISTS, tenant, level->sku, "sku", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_STOCK_PUT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, level->location);
	q_str(&q, level->sku);
	q_i64(&q, level->on_hand);
	q_i64(&q, level->reserved);
	q_i64(&q, level->safety_stock);
	q_i64(&q, level->updated_at);
	rc = q_step(&q, &row, "writing stock", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "writing stock: the database returned no "
				  "row");
		goto out;
	}
	/* What was stored is checked like what is read. */
	rc = q_col_stock(&q, &back, err);
out:
	q_close(&q);
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
	size_t count = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	/* Locked in a write job on a database with row locks: what is
	 * planned on it is still there when it is reserved. */
	rc = q_open(&q, tx,
		    tx->writable && tx->db->row_locks ? SQL_STOCK_OF_SKU_LOCKED
						       : SQL_STOCK_OF_SKU,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, sku);
	rc = q_rows(&q, SIZE_MAX, sizeof(stock_level), read_stock, &items,
		    &count, "reading stock of a SKU", err);
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

ordo_code store_stock_event_append(store_tx *tx, int64_t tenant,
				   stock_event *ev, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_stock_event_append", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_STOCK_EVENT_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, ev->location);
	q_str(&q, ev->sku);
	q_str(&q, ev->type);
	q_i64(&q, ev->delta_on_hand);
	q_i64(&q, ev->delta_reserved);
	q_i64(&q, ev->on_hand);
	q_i64(&q, ev->reserved);
	q_str(&q, ev->reason);
	q_str(&q, ev->note);
	q_str(&q, ev->actor);
	q_str(&q, ev->order_id);
	q_i64(&q, ev->at);
	rc = q_insert_returning(&q, &ev->seq, "stock event", NULL, err);
out:
	q_close(&q);
	return rc;
}

static void q_col_stock_event(struct q *q, stock_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->seq = q_col_i64(q);
	q_col_str(q, ev->location, sizeof(ev->location));
	q_col_str(q, ev->sku, sizeof(ev->sku));
	q_col_str(q, ev->type, sizeof(ev->type));
	ev->delta_on_hand = q_col_i64(q);
	ev->delta_reserved = q_col_i64(q);
	ev->on_hand = q_col_i64(q);
	ev->reserved = q_col_i64(q);
	q_col_str(q, ev->reason, sizeof(ev->reason));
	q_col_str(q, ev->note, sizeof(ev->note));
	q_col_str(q, ev->actor, sizeof(ev->actor));
	q_col_str(q, ev->order_id, sizeof(ev->order_id));
	ev->at = q_col_i64(q);
}

ordo_code store_stock_event_list(store_tx *tx, int64_t tenant, const char *sku,
				 const char *location, int64_t before_seq,
				 int limit, stock_event **out, size_t *n,
				 int64_t *next, ordo_err *err)
{
	struct q q = {0};
	stock_event *items = NULL;
	size_t count = 0, cap;
	bool at = location && location[0], row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = check_page(limit, before_seq, err);
	if (rc)
		goto out;
	/* One row more than the page tells whether another page follows. */
	cap = (size_t)limit + 1;
	items = calloc(cap, sizeof(*items));
	if (!items) {
		rc = no_memory(err, "listing stock events");
		goto out;
	}
	rc = q_open(&q, tx, at ? SQL_STOCK_EVENTS_AT : SQL_STOCK_EVENTS, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, sku);
	if (at)
		q_str(&q, location);
	q_i64(&q, page_bound(before_seq));
	q_i64(&q, (int64_t)cap);
	for (;;) {
		rc = q_step(&q, &row, "listing stock events", NULL, err);
		if (rc || !row)
			break;
		if (count == cap) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "listing stock events: more rows "
					  "than the limit");
			break;
		}
		q_col_stock_event(&q, &items[count++]);
		rc = q_row_end(&q, "listing stock events", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	if (rc) {
		free(items);
		return rc;
	}
	if (count == cap) {
		count--;
		*next = items[count - 1].seq;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
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
	rc = check_limit(limit, SQL_SCAN_MAX, err);
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
				grow(items, &cap, sizeof(*items));

			if (!p) {
				rc = no_memory(err, "finding orders");
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
	if (rc) {
		free(items);
		return rc;
	}
	*ids = items;
	*n = count;
	return ORDO_OK;
}

/* ---- orders: whole-order update ------------------------------------------ */

ordo_code store_order_update_content(store_tx *tx, const order *o,
				     ordo_err *err)
{
	struct q q = {0};
	int64_t seq;
	bool row;
	size_t i;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_update_content", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_ORDER_UPDATE_CONTENT, err);
	if (rc)
		goto out;
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
	q_str(&q, o->fingerprint);
	q_str(&q, o->customer_key);
	q_i64(&q, o->tenant_id);
	q_str(&q, o->id);
	rc = q_step(&q, &row, "correcting an order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", o->id);
		goto out;
	}
	seq = q_col_i64(&q);
	q_close(&q);
	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		rc = q_open(&q, tx, SQL_LINE_UPDATE_CONTENT, err);
		if (rc)
			goto out;
		q_str(&q, l->sku);
		q_str(&q, l->title);
		q_i64(&q, l->unit_price);
		q_i64(&q, seq);
		q_i64(&q, l->line_no);
		rc = q_step(&q, &row, "correcting an order line", NULL, err);
		if (rc)
			goto out;
		if (!row) {
			rc = ordo_err_set(err, ORDO_ENOTFOUND, "line_no",
					  "order %.32s has no line %d", o->id,
					  l->line_no);
			goto out;
		}
		q_close(&q);
	}
	/* Quantities, state and holds: the ordinary update. */
	rc = store_order_update(tx, o, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_update(store_tx *tx, const order *o, ordo_err *err)
{
	struct q q = {0};
	int64_t seq;
	bool row;
	size_t i;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_order_update", err);
	if (rc)
		goto out;
	for (i = 0; i < o->n_lines; i++)
		order_line_check(&o->lines[i]);

	rc = q_open(&q, tx, SQL_ORDER_UPDATE, err);
	if (rc)
		goto out;
	q_str(&q, order_state_name(o->state));
	q_i64(&q, o->updated_at);
	q_i64(&q, o->accepted_at);
	q_i64(&q, o->release_due_at);
	q_i64(&q, o->released_at);
	q_i64(&q, o->delivered_at);
	q_i64(&q, o->closed_at);
	q_i64(&q, o->tenant_id);
	q_str(&q, o->id);
	rc = q_step(&q, &row, "updating an order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no order \"%.32s\"", o->id);
		goto out;
	}
	/* The seq of the row that matched the tenant, not o->seq. */
	seq = q_col_i64(&q);
	q_close(&q);

	for (i = 0; i < o->n_lines; i++) {
		const order_line *l = &o->lines[i];

		rc = q_open(&q, tx, SQL_LINE_UPDATE, err);
		if (rc)
			goto out;
		q_i64(&q, l->quantity);
		q_i64(&q, l->qty_open);
		q_i64(&q, l->qty_allocated);
		q_i64(&q, l->qty_released);
		q_i64(&q, l->qty_shipped);
		q_i64(&q, l->qty_cancelled);
		q_i64(&q, l->qty_returned);
		q_i64(&q, seq);
		q_i64(&q, l->line_no);
		rc = q_step(&q, &row, "updating an order line", NULL, err);
		if (rc)
			goto out;
		if (!row) {
			rc = ordo_err_set(err, ORDO_ENOTFOUND, "line_no",
					  "order %.32s has no line %d", o->id,
					  l->line_no);
			goto out;
		}
		q_close(&q);
	}
	for (i = 0; i < o->n_holds; i++) {
		const order_hold *h = &o->holds[i];

		rc = q_open(&q, tx, SQL_HOLD_UPSERT, err);
		if (rc)
			goto out;
		q_i64(&q, o->tenant_id);
		q_i64(&q, seq);
		q_hold(&q, h);
		rc = q_step(&q, &row, "hold", "holds", err);
		if (rc)
			goto out;
		if (!row) {
			rc = ordo_err_set(err, ORDO_ECONFLICT, "holds",
					  "hold %.32s belongs to another "
					  "order",
					  h->id);
			goto out;
		}
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

static ordo_code read_order_ref(struct q *q, void *item, ordo_err *err)
{
	store_order_ref *r = item;

	r->tenant_id = q_col_i64(q);
	q_col_str(q, r->id, sizeof(r->id));
	return q_row_end(q, "finding orders to close", err);
}

ordo_code store_orders_due_to_close(store_tx *tx, ordo_time now, int limit,
				    store_order_ref **out, size_t *n,
				    ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	tenant_settings defaults;
	size_t count = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = check_limit(limit, SQL_SCAN_MAX, err);
	if (rc)
		goto out;
	settings_defaults(&defaults);
	rc = q_open(&q, tx, SQL_ORDERS_DUE_TO_CLOSE, err);
	if (rc)
		goto out;
	q_str(&q, order_state_name(ORDER_DELIVERED));
	q_i64(&q, defaults.closing_period_s);
	q_i64(&q, now);
	q_i64(&q, limit);
	rc = q_rows(&q, (size_t)limit, sizeof(store_order_ref),
		    read_order_ref, &items, &count, "finding orders to close",
		    err);
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

/* ---- fulfillments -------------------------------------------------------- */

static bool ful_line_consistent(const fulfillment_line *l)
{
	return l->quantity >= 0 && l->shipped >= 0 &&
	       l->shipped <= l->quantity;
}

/* Every line of f ships 0..quantity units: checked before writing. */
static ordo_code ful_lines_check(const fulfillment *f, ordo_err *err)
{
	size_t i;

	for (i = 0; i < f->n_lines; i++) {
		const fulfillment_line *l = &f->lines[i];

		if (!ful_line_consistent(l))
			return ordo_err_set(err, ORDO_EINTERNAL, NULL,
					    "fulfillment %.32s line %d: "
					    "shipped %lld of %lld",
					    f->id, l->line_no,
					    (long long)l->shipped,
					    (long long)l->quantity);
	}
	return ORDO_OK;
}

/* Insert or rewrite every line of f under fulfillment seq. */
static ordo_code ful_lines_put(store_tx *tx, int64_t seq, const fulfillment *f,
			       ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc = ORDO_OK;

	for (i = 0; i < f->n_lines; i++) {
		const fulfillment_line *l = &f->lines[i];

		rc = q_open(&q, tx, SQL_FUL_LINE_PUT, err);
		if (rc)
			goto out;
		q_i64(&q, seq);
		q_i64(&q, l->line_no);
		q_str(&q, l->sku);
		q_i64(&q, l->quantity);
		q_i64(&q, l->shipped);
		rc = q_exec(&q, "fulfillment line", "line_no", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_insert(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0, seq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_fulfillment_insert", err);
	if (rc)
		goto out;
	rc = ful_lines_check(f, err);
	if (rc)
		goto out;
	rc = order_seq_of(tx, tenant, f->order_id, "order_id", &oseq, err);
	if (rc)
		goto out;
	rc = require_key(tx, SQL_LOCATION_EXISTS, tenant, f->location,
			 "location", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_FUL_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, f->id);
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	q_str(&q, f->location);
	q_str(&q, fulfillment_state_name(f->state));
	q_str(&q, f->reject_reason);
	q_str(&q, f->reject_message);
	q_i64(&q, f->created_at);
	q_i64(&q, f->released_at);
	q_i64(&q, f->updated_at);
	rc = q_insert_returning(&q, &seq, "fulfillment", "id", err);
	if (rc)
		goto out;
	q_close(&q);
	rc = ful_lines_put(tx, seq, f, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_update(store_tx *tx, int64_t tenant,
				   const fulfillment *f, ordo_err *err)
{
	struct q q = {0};
	int64_t seq;
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_fulfillment_update", err);
	if (rc)
		goto out;
	rc = ful_lines_check(f, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_FUL_UPDATE, err);
	if (rc)
		goto out;
	q_str(&q, fulfillment_state_name(f->state));
	q_str(&q, f->reject_reason);
	q_str(&q, f->reject_message);
	q_i64(&q, f->released_at);
	q_i64(&q, f->updated_at);
	q_i64(&q, tenant);
	q_str(&q, f->id);
	rc = q_step(&q, &row, "updating a fulfillment", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no fulfillment \"%.32s\"", f->id);
		goto out;
	}
	seq = q_col_i64(&q);
	q_close(&q);
	rc = ful_lines_put(tx, seq, f, err);
out:
	q_close(&q);
	return rc;
}

/* Read one fulfillment header (SQL_FUL_COLS) into f, which has no lines. */
static ordo_code q_col_ful(struct q *q, fulfillment *f, ordo_err *err)
{
	char state[32];
	ordo_code rc;

	memset(f, 0, sizeof(*f));
	f->seq = q_col_i64(q);
	q_col_str(q, f->id, sizeof(f->id));
	q_col_str(q, f->order_id, sizeof(f->order_id));
	q_col_str(q, f->location, sizeof(f->location));
	q_col_str(q, state, sizeof(state));
	q_col_str(q, f->reject_reason, sizeof(f->reject_reason));
	q_col_str(q, f->reject_message, sizeof(f->reject_message));
	f->created_at = q_col_i64(q);
	f->released_at = q_col_i64(q);
	f->updated_at = q_col_i64(q);
	rc = q_row_end(q, "reading a fulfillment", err);
	if (rc)
		return rc;
	if (fulfillment_state_parse(state, &f->state) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "fulfillment %s has an unknown state "
				    "\"%s\"",
				    f->id, state);
	return ORDO_OK;
}

/* Load the lines of f (header read, none loaded yet), checking each. */
static ordo_code ful_lines_load(store_tx *tx, fulfillment *f, ordo_err *err)
{
	struct q q;
	size_t cap = 0;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_FUL_LINES_OF, err);
	if (rc)
		goto out;
	q_i64(&q, f->seq);
	for (;;) {
		fulfillment_line *l;

		rc = q_step(&q, &row, "reading fulfillment lines", NULL, err);
		if (rc || !row)
			break;
		if (f->n_lines == cap) {
			fulfillment_line *p =
				grow(f->lines, &cap, sizeof(*f->lines));

			if (!p) {
				rc = no_memory(err,
					       "reading fulfillment lines");
				break;
			}
			f->lines = p;
		}
		l = &f->lines[f->n_lines++];
		l->line_no = (int)q_col_i64(&q);
		q_col_str(&q, l->sku, sizeof(l->sku));
		l->quantity = q_col_i64(&q);
		l->shipped = q_col_i64(&q);
		rc = q_row_end(&q, "reading fulfillment lines", err);
		if (rc)
			break;
		if (!ful_line_consistent(l)) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "fulfillment %s line %d ships more "
					  "than its quantity",
					  f->id, l->line_no);
			break;
		}
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_get(store_tx *tx, int64_t tenant, const char *id,
				fulfillment *f, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	fulfillment_free(f);
	rc = q_open(&q, tx, SQL_FUL_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a fulfillment", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no fulfillment \"%.32s\"", id);
		goto out;
	}
	rc = q_col_ful(&q, f, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = ful_lines_load(tx, f, err);
out:
	q_close(&q);
	if (rc)
		fulfillment_free(f);
	return rc;
}

static ordo_code read_ful(struct q *q, void *item, ordo_err *err)
{
	return q_col_ful(q, item, err);
}

/*
 * Read the headers an open, bound statement yields (at most max), close it,
 * then load each one's lines. On failure nothing is left allocated.
 */
static ordo_code ful_read_all(store_tx *tx, struct q *q, size_t max,
			      fulfillment **out, size_t *n, const char *what,
			      ordo_err *err)
{
	void *raw = NULL;
	fulfillment *items;
	size_t count = 0, i;
	ordo_code rc = q_rows(q, max, sizeof(fulfillment), read_ful, &raw,
			      &count, what, err);

	items = raw;
	q_close(q);
	for (i = 0; !rc && i < count; i++)
		rc = ful_lines_load(tx, &items[i], err);
	if (rc) {
		for (i = 0; i < count; i++)
			fulfillment_free(&items[i]);
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

ordo_code store_fulfillments_of_order(store_tx *tx, int64_t tenant,
				      const char *order_id, fulfillment **out,
				      size_t *n, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = order_seq(tx, tenant, order_id, &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_FULS_OF_ORDER, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	rc = ful_read_all(tx, &q, SIZE_MAX, out, n,
			  "reading an order's fulfillments", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_fulfillment_list(store_tx *tx, int64_t tenant,
				 const fulfillment_filter *f,
				 fulfillment **out, size_t *n, int64_t *next,
				 ordo_err *err)
{
	static const enum sql_id ids[2][2] = {
		{SQL_FUL_LIST, SQL_FUL_LIST_STATE},
		{SQL_FUL_LIST_LOC, SQL_FUL_LIST_LOC_STATE},
	};
	struct q q = {0};
	bool at = f->location[0] != '\0';
	size_t cap;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = check_page(f->limit, f->before_seq, err);
	if (rc)
		goto out;
	cap = (size_t)f->limit + 1;
	rc = q_open(&q, tx, ids[at][f->has_state], err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, page_bound(f->before_seq));
	if (at)
		q_str(&q, f->location);
	if (f->has_state)
		q_str(&q, fulfillment_state_name(f->state));
	q_i64(&q, (int64_t)cap);
	rc = ful_read_all(tx, &q, cap, out, n, "listing fulfillments", err);
	if (rc)
		goto out;
	/* limit + 1 rows: another page follows this one. */
	if (*n == cap) {
		(*n)--;
		fulfillment_free(&(*out)[*n]);
		*next = (*out)[*n - 1].seq;
	}
out:
	q_close(&q);
	return rc;
}

/* ---- shipments ----------------------------------------------------------- */

ordo_code store_shipment_insert(store_tx *tx, int64_t tenant,
				const shipment *s, ordo_err *err)
{
	struct q q = {0};
	char order_id[ORDO_ID_MAX];
	int64_t ful = 0, oseq = 0, seq = 0;
	bool row;
	size_t i;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_shipment_insert", err);
	if (rc)
		goto out;
	for (i = 0; i < s->n_lines; i++) {
		if (s->lines[i].quantity < 0) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
					  "shipment %.32s line %zu: negative "
					  "quantity",
					  s->id, i + 1);
			goto out;
		}
	}
	/* The fulfillment, the tenant's, and the order it belongs to. */
	rc = q_open(&q, tx, SQL_FUL_REF, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, s->fulfillment_id);
	rc = q_step(&q, &row, "finding a fulfillment", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "fulfillment_id",
				  "no fulfillment \"%.32s\"",
				  s->fulfillment_id);
		goto out;
	}
	ful = q_col_i64(&q);
	oseq = q_col_i64(&q);
	q_col_str(&q, order_id, sizeof(order_id));
	rc = q_row_end(&q, "finding a fulfillment", err);
	if (rc)
		goto out;
	q_close(&q);
	if (s->order_id[0] && strcmp(s->order_id, order_id) != 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "order_id",
				  "fulfillment %.32s is not of order %.32s",
				  s->fulfillment_id, s->order_id);
		goto out;
	}

	rc = q_open(&q, tx, SQL_SHIP_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, s->id);
	q_i64(&q, tenant);
	q_i64(&q, ful);
	q_i64(&q, oseq);
	q_i64(&q, ful);
	q_str(&q, s->carrier);
	q_str(&q, s->tracking_number);
	q_i64(&q, s->shipped_at);
	q_i64(&q, s->delivered_at);
	rc = q_insert_returning(&q, &seq, "shipment", "id", err);
	if (rc)
		goto out;
	q_close(&q);
	for (i = 0; i < s->n_lines; i++) {
		rc = q_open(&q, tx, SQL_SHIP_LINE_INSERT, err);
		if (rc)
			goto out;
		q_i64(&q, seq);
		q_i64(&q, (int64_t)i + 1);
		q_str(&q, s->lines[i].sku);
		q_i64(&q, s->lines[i].quantity);
		rc = q_exec(&q, "shipment line", "line_no", err);
		if (rc)
			goto out;
		q_close(&q);
	}
out:
	q_close(&q);
	return rc;
}

/* Read one shipment header (SQL_SHIP_COLS) into s; *seq is its key. */
static ordo_code q_col_ship(struct q *q, shipment *s, int64_t *seq,
			    ordo_err *err)
{
	memset(s, 0, sizeof(*s));
	*seq = q_col_i64(q);
	q_col_str(q, s->id, sizeof(s->id));
	q_col_str(q, s->fulfillment_id, sizeof(s->fulfillment_id));
	q_col_str(q, s->order_id, sizeof(s->order_id));
	q_col_str(q, s->location, sizeof(s->location));
	q_col_str(q, s->carrier, sizeof(s->carrier));
	q_col_str(q, s->tracking_number, sizeof(s->tracking_number));
	s->shipped_at = q_col_i64(q);
	s->delivered_at = q_col_i64(q);
	return q_row_end(q, "reading a shipment", err);
}

static ordo_code ship_lines_load(store_tx *tx, shipment *s, int64_t seq,
				 ordo_err *err)
{
	struct q q;
	size_t cap = 0;
	bool row;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_SHIP_LINES_OF, err);
	if (rc)
		goto out;
	q_i64(&q, seq);
	for (;;) {
		shipment_line *l;

		rc = q_step(&q, &row, "reading shipment lines", NULL, err);
		if (rc || !row)
			break;
		if (s->n_lines == cap) {
			shipment_line *p =
				grow(s->lines, &cap, sizeof(*s->lines));

			if (!p) {
				rc = no_memory(err, "reading shipment lines");
				break;
			}
			s->lines = p;
		}
		l = &s->lines[s->n_lines++];
		q_col_str(&q, l->sku, sizeof(l->sku));
		l->quantity = q_col_i64(&q);
		rc = q_row_end(&q, "reading shipment lines", err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_shipment_get(store_tx *tx, int64_t tenant, const char *id,
			     shipment *s, ordo_err *err)
{
	struct q q;
	int64_t seq = 0;
	bool row;
	ordo_code rc;

	memset(s, 0, sizeof(*s));
	rc = q_open(&q, tx, SQL_SHIP_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a shipment", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no shipment \"%.32s\"", id);
		goto out;
	}
	rc = q_col_ship(&q, s, &seq, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = ship_lines_load(tx, s, seq, err);
out:
	q_close(&q);
	if (rc)
		shipment_free(s);
	return rc;
}

ordo_code store_shipment_set_delivered(store_tx *tx, int64_t tenant,
				       const char *id, ordo_time at,
				       ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_shipment_set_delivered", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SHIP_SET_DELIVERED, err);
	if (rc)
		goto out;
	q_i64(&q, at);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "marking a shipment delivered", NULL, err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no shipment \"%.32s\"", id);
out:
	q_close(&q);
	return rc;
}

/*
 * Read every row of q (SQL_SHIP_COLS), at most cap, then each shipment's
 * lines. On failure nothing is left allocated.
 */
static ordo_code ship_read_all(store_tx *tx, struct q *q, size_t cap,
			       const char *what, shipment **out, size_t *n,
			       int64_t **seqs_out, ordo_err *err)
{
	shipment *items = NULL;
	int64_t *seqs = NULL;
	size_t count = 0, icap = 0, scap = 0, i;
	bool row;
	ordo_code rc = ORDO_OK;

	for (;;) {
		if (count == cap)
			break;
		rc = q_step(q, &row, what, NULL, err);
		if (rc || !row)
			break;
		if (count == icap) {
			shipment *p = grow(items, &icap, sizeof(*items));
			int64_t *ps;

			if (!p) {
				rc = no_memory(err, what);
				break;
			}
			items = p;
			ps = grow(seqs, &scap, sizeof(*seqs));
			if (!ps) {
				rc = no_memory(err, what);
				break;
			}
			seqs = ps;
		}
		rc = q_col_ship(q, &items[count], &seqs[count], err);
		count++;
		if (rc)
			break;
	}
	q_close(q);
	for (i = 0; !rc && i < count; i++)
		rc = ship_lines_load(tx, &items[i], seqs[i], err);
	if (rc) {
		for (i = 0; i < count; i++)
			shipment_free(&items[i]);
		free(items);
		free(seqs);
		return rc;
	}
	*out = items;
	*n = count;
	*seqs_out = seqs;
	return ORDO_OK;
}

ordo_code store_shipments_of_order(store_tx *tx, int64_t tenant,
				   const char *order_id, shipment **out,
				   size_t *n, ordo_err *err)
{
	struct q q = {0};
	int64_t *seqs = NULL;
	int64_t oseq = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = order_seq(tx, tenant, order_id, &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_SHIPS_OF_ORDER, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	rc = ship_read_all(tx, &q, SIZE_MAX, "reading an order's shipments",
			   out, n, &seqs, err);
	free(seqs);
out:
	q_close(&q);
	return rc;
}

/*
 * The shipment list: "SELECT ... WHERE s.tenant_id = ? AND s.seq < ?", then
 * the fragment of every filter present, in this order and bound in this
 * order, then " ORDER BY s.seq DESC LIMIT ?". The order and fulfillment
 * filters find their parent's seq by its (unique) id within the tenant.
 */
enum ship_list_filter {
	SLF_ORDER,	 /* binds tenant, order id */
	SLF_FULFILLMENT, /* binds tenant, fulfillment id */
	SLF_LOCATION,
	SLF_CARRIER,
	SLF_TRACKING,
	SLF_COUNT
};

static const char *const ship_list_where[SLF_COUNT] = {
	[SLF_ORDER] = " AND s.order_seq = (SELECT seq FROM orders"
		      " WHERE tenant_id = ? AND id = ?)",
	[SLF_FULFILLMENT] = " AND s.fulfillment_seq = (SELECT seq FROM"
			    " fulfillments WHERE tenant_id = ? AND id = ?)",
	[SLF_LOCATION] = " AND s.location = ?",
	[SLF_CARRIER] = " AND s.carrier = ?",
	[SLF_TRACKING] = " AND s.tracking_number = ?",
};

#define SQL_SHIP_LIST_BASE (SQL_QUEUE_BASE + (1 << QLF_COUNT))

_Static_assert(SQL_SHIP_LIST_BASE + (1 << SLF_COUNT) <= DB_STMT_MAX,
	       "every statement number must fit the drivers' caches");

ordo_code store_shipment_list(store_tx *tx, int64_t tenant,
			      const shipment_filter *f, shipment **out,
			      size_t *n, int64_t *next, ordo_err *err)
{
	bool has[SLF_COUNT] = {
		[SLF_ORDER] = f->order_id[0] != '\0',
		[SLF_FULFILLMENT] = f->fulfillment_id[0] != '\0',
		[SLF_LOCATION] = f->location[0] != '\0',
		[SLF_CARRIER] = f->carrier[0] != '\0',
		[SLF_TRACKING] = f->tracking_number[0] != '\0',
	};
	const char *frag[SLF_COUNT];
	struct q q = {0};
	int64_t *seqs = NULL;
	char sql[1024];
	unsigned mask = 0;
	size_t cap;
	int i, len;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = check_page(f->limit, f->before_seq, err);
	if (rc)
		goto out;
	for (i = 0; i < SLF_COUNT; i++) {
		frag[i] = has[i] ? ship_list_where[i] : "";
		if (has[i])
			mask |= 1u << i;
	}
	_Static_assert(SLF_COUNT == 5, "one %s per filter below");
	len = snprintf(sql, sizeof(sql),
		       "SELECT " SQL_SHIP_COLS SQL_SHIP_FROM
		       "WHERE s.tenant_id = ? AND s.seq < ?%s%s%s%s%s "
		       "ORDER BY s.seq DESC LIMIT ?",
		       frag[0], frag[1], frag[2], frag[3], frag[4]);
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql)) {
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "the shipment list query does not fit");
		goto out;
	}
	cap = (size_t)f->limit + 1;
	rc = q_open_sql(&q, tx, SQL_SHIP_LIST_BASE + mask, sql, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, page_bound(f->before_seq));
	if (has[SLF_ORDER]) {
		q_i64(&q, tenant);
		q_str(&q, f->order_id);
	}
	if (has[SLF_FULFILLMENT]) {
		q_i64(&q, tenant);
		q_str(&q, f->fulfillment_id);
	}
	if (has[SLF_LOCATION])
		q_str(&q, f->location);
	if (has[SLF_CARRIER])
		q_str(&q, f->carrier);
	if (has[SLF_TRACKING])
		q_str(&q, f->tracking_number);
	q_i64(&q, (int64_t)cap);
	rc = ship_read_all(tx, &q, cap, "listing shipments", out, n, &seqs,
			   err);
	if (rc)
		goto out;
	/* limit + 1 rows: another page follows this one. */
	if (*n == cap) {
		(*n)--;
		shipment_free(&(*out)[*n]);
		*next = seqs[*n - 1];
	}
	free(seqs);
out:
	q_close(&q);
	return rc;
}

/* ---- webhooks ------------------------------------------------------------ */

ordo_code store_webhook_insert(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, w->id);
	q_str(&q, w->url);
	q_str(&q, w->secret);
	q_str(&q, w->events);
	q_str(&q, w->location);
	q_i64(&q, w->created_at);
	rc = q_exec(&q, "webhook", "id", err);
out:
	q_close(&q);
	return rc;
}

/* SQL_WEBHOOK_COLS then SQL_WEBHOOK_STATE_COLS into w (not row-ended). */
static void q_col_webhook(struct q *q, webhook_sub *w)
{
	char status[16];

	memset(w, 0, sizeof(*w));
	q_col_str(q, w->id, sizeof(w->id));
	q_col_str(q, w->url, sizeof(w->url));
	q_col_str(q, w->secret, sizeof(w->secret));
	q_col_str(q, w->events, sizeof(w->events));
	q_col_str(q, w->location, sizeof(w->location));
	w->created_at = q_col_i64(q);
	q_col_str(q, status, sizeof(status));
	w->paused = strcmp(status, "paused") == 0;
	w->paused_at = q_col_i64(q);
	w->failures = (int)q_col_i64(q);
	w->failing_since = q_col_i64(q);
	q_col_str(q, w->last_error, sizeof(w->last_error));
	w->next_attempt_at = q_col_i64(q);
}

static ordo_code read_webhook(struct q *q, void *item, ordo_err *err)
{
	q_col_webhook(q, item);
	return q_row_end(q, "listing webhooks", err);
}

ordo_code store_webhook_list(store_tx *tx, int64_t tenant, webhook_sub **out,
			     size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	size_t count = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open(&q, tx, SQL_WEBHOOK_LIST, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_rows(&q, SIZE_MAX, sizeof(webhook_sub), read_webhook, &items,
		    &count, "listing webhooks", err);
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

ordo_code store_webhook_get(store_tx *tx, int64_t tenant, const char *id,
			    webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	memset(w, 0, sizeof(*w));
	rc = q_open(&q, tx, SQL_WEBHOOK_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a webhook", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no webhook \"%.32s\"", id);
		goto out;
	}
	q_col_webhook(&q, w);
	rc = q_row_end(&q, "reading a webhook", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_count(store_tx *tx, int64_t tenant, int64_t *n,
			      ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_WEBHOOK_COUNT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "counting webhooks", NULL, err);
	if (!rc && row)
		*n = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_delete(store_tx *tx, int64_t tenant, const char *id,
			       ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_delete", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_DELETE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "deleting a webhook", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no webhook \"%.32s\"", id);
		goto out;
	}
	q_close(&q);
	/* Nothing will send its pending deliveries any more: say so. No lane
	 * is left to move on: every delivery of the webhook has ended. */
	rc = q_open(&q, tx, SQL_WEBHOOK_FAIL_PENDING, err);
	if (rc)
		goto out;
	q_str(&q, delivery_status_name(DELIVERY_FAILED));
	q_str(&q, "the webhook was deleted");
	q_i64(&q, tenant);
	q_str(&q, id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	rc = q_exec(&q, "failing a deleted webhook's deliveries", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_resume(store_tx *tx, int64_t tenant, const char *id,
			       ordo_time now, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_resume", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_RESUME, err);
	if (rc)
		goto out;
	q_str(&q, "active");
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "resuming a webhook", NULL, err);
	if (!rc && !row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no webhook \"%.32s\"", id);
out:
	q_close(&q);
	return rc;
}

ordo_code store_webhook_record(store_tx *tx, int64_t tenant,
			       const webhook_sub *w, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_record", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_RECORD, err);
	if (rc)
		goto out;
	q_str(&q, w->paused ? "paused" : "active");
	q_i64(&q, w->paused_at);
	q_i64(&q, w->failures);
	q_i64(&q, w->failing_since);
	q_str(&q, w->last_error);
	q_i64(&q, w->next_attempt_at);
	q_i64(&q, tenant);
	q_str(&q, w->id);
	rc = q_step(&q, &row, "recording a webhook's state", NULL, err);
	if (!rc && !row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no webhook \"%.32s\"", w->id);
out:
	q_close(&q);
	return rc;
}

/* ---- the outbox and deliveries ------------------------------------------- */

/*
 * WAKING (POSTGRESQL). A claim that finds a webhook empty sets it idle, and
 * an emit wakes an idle webhook; with several writers an emit not yet
 * committed is invisible to the claim, and its wake may have run before
 * the claim made the webhook idle - the wake-up would be lost. So a waker
 * holds a shared lock "wake:<webhook>" until it commits, and the claim sets
 * a webhook idle only when it can take that lock exclusively (a try, never
 * a wait): a waker in flight makes it look again soon instead, and a waker
 * coming after it waits for its commit and then finds the webhook idle.
 */
static void wake_lock_name(char *buf, size_t size, const char *webhook_id)
{
	snprintf(buf, size, "wake:%s", webhook_id);
}

ordo_code store_webhook_wake(store_tx *tx, int64_t tenant, const char *id,
			     ordo_time now, ordo_err *err)
{
	char name[ORDO_ID_MAX + 8];
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_webhook_wake", err);
	if (rc)
		goto out;
	wake_lock_name(name, sizeof(name), id);
	rc = named_lock(tx, tenant, name, NAMED_SHARED, NULL, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_WEBHOOK_WAKE, err);
	if (rc)
		goto out;
	q_i64(&q, now);
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_exec(&q, "waking a webhook", NULL, err);
out:
	q_close(&q);
	return rc;
}

/* Whether the comma-separated list names type (blanks around names are
 * ignored). */
static bool events_has(const char *list, const char *type)
{
	size_t tlen = strlen(type);
	const char *p = list;

	while (*p) {
		const char *end = strchr(p, ',');
		const char *stop = end ? end : p + strlen(p);

		while (p < stop && *p == ' ')
			p++;
		while (stop > p && stop[-1] == ' ')
			stop--;
		if ((size_t)(stop - p) == tlen && memcmp(p, type, tlen) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

/*
 * A lane is one webhook's deliveries for one order. On PostgreSQL its
 * emits (under the order's row lock) and the end of its pending delivery
 * (on the outbox's connection) take this lock first, so an emit that saw
 * the lane busy commits before the ending delivery looks for the next one
 * to make ready, or sees it ended: no delivery is left waiting behind
 * nothing.
 */
static ordo_code lane_lock(store_tx *tx, int64_t tenant,
			   const char *webhook_id, const char *order_id,
			   ordo_err *err)
{
	char name[2 * ORDO_ID_MAX + 8];

	snprintf(name, sizeof(name), "lane:%s:%s", webhook_id, order_id);
	return store_lock_named(tx, tenant, name, err);
}

/* Whether the lane (webhook, order) has a pending delivery. */
static ordo_code lane_busy(store_tx *tx, int64_t tenant,
			   const char *webhook_id, const char *order_id,
			   bool *busy, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*busy = false;
	rc = q_open(&q, tx, SQL_DELIVERY_LANE_BUSY, err);
	if (rc)
		goto out;
	q_str(&q, webhook_id);
	q_str(&q, order_id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	q_i64(&q, tenant);
	rc = q_step(&q, busy, "reading a delivery lane", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_outbox_emit(store_tx *tx, int64_t tenant,
			    const outbox_event *ev, int64_t retry_window_s,
			    size_t *n_deliveries, ordo_err *err)
{
	return store_outbox_emit_except(tx, tenant, ev, retry_window_s, "",
					n_deliveries, err);
}

ordo_code store_outbox_emit_except(store_tx *tx, int64_t tenant,
				   const outbox_event *ev,
				   int64_t retry_window_s,
				   const char *skip_webhook,
				   size_t *n_deliveries, ordo_err *err)
{
	struct q q = {0};
	char(*hooks)[ORDO_ID_MAX] = NULL;
	size_t count = 0, cap = 0, i;
	bool row;
	ordo_code rc;

	*n_deliveries = 0;
	rc = tx_check_writable(tx, "store_outbox_emit", err);
	if (rc)
		goto out;
	if (retry_window_s < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "retry_window_s",
				  "the retry window must not be negative");
		goto out;
	}
	rc = q_open(&q, tx, SQL_OUTBOX_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, ev->id);
	q_i64(&q, tenant);
	q_str(&q, ev->type);
	q_str(&q, ev->order_id);
	q_str(&q, ev->location);
	q_str(&q, ev->payload);
	q_i64(&q, ev->created_at);
	rc = q_exec(&q, "outbox event", "id", err);
	if (rc)
		goto out;
	q_close(&q);

	/* The subscribers: read them all before writing. */
	rc = q_open(&q, tx, SQL_WEBHOOKS_FOR_EVENT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, ev->location);
	for (;;) {
		char id[ORDO_ID_MAX], events[STORE_EVENTS_MAX];

		rc = q_step(&q, &row, "finding webhooks", NULL, err);
		if (rc)
			goto out;
		if (!row)
			break;
		q_col_str(&q, id, sizeof(id));
		q_col_str(&q, events, sizeof(events));
		rc = q_row_end(&q, "finding webhooks", err);
		if (rc)
			goto out;
		if (!events_has(events, ev->type) ||
		    strcmp(id, skip_webhook) == 0)
			continue;
		if (count == cap) {
			char(*p)[ORDO_ID_MAX] =
				grow(hooks, &cap, sizeof(*hooks));

			if (!p) {
				rc = no_memory(err, "finding webhooks");
				goto out;
			}
			hooks = p;
		}
		memcpy(hooks[count++], id, sizeof(id));
	}
	q_close(&q);

	for (i = 0; i < count; i++) {
		char id[ORDO_ID_MAX];
		bool waiting = false;

		/* Behind an earlier pending delivery of its order, a delivery
		 * waits: one index probe now, none at claim time. */
		if (ev->order_id[0]) {
			rc = lane_lock(tx, tenant, hooks[i], ev->order_id,
				       err);
			if (rc == ORDO_OK)
				rc = lane_busy(tx, tenant, hooks[i],
					       ev->order_id, &waiting, err);
			if (rc)
				goto out;
		}
		store_id_new("dlv_", id);
		rc = q_open(&q, tx, SQL_DELIVERY_INSERT, err);
		if (rc)
			goto out;
		q_str(&q, id);
		q_i64(&q, tenant);
		q_str(&q, hooks[i]);
		q_str(&q, ev->id);
		q_str(&q, ev->type);
		q_str(&q, ev->order_id);
		q_str(&q, delivery_status_name(DELIVERY_PENDING));
		q_i64(&q, ev->created_at);
		q_i64(&q, ev->created_at + retry_window_s);
		q_i64(&q, ev->created_at);
		q_i64(&q, waiting ? 1 : 0);
		rc = q_exec(&q, "delivery", "id", err);
		if (rc)
			goto out;
		q_close(&q);
		if (!waiting) {
			rc = store_webhook_wake(tx, tenant, hooks[i],
						ev->created_at, err);
			if (rc)
				goto out;
		}
	}
	*n_deliveries = count;
out:
	q_close(&q);
	free(hooks);
	return rc;
}

static const char *const delivery_status_names[] = {
	[DELIVERY_PENDING] = "pending",
	[DELIVERY_DELIVERED] = "delivered",
	[DELIVERY_FAILED] = "failed",
};

const char *delivery_status_name(delivery_status s)
{
	if ((unsigned)s > DELIVERY_FAILED)
		return "unknown";
	return delivery_status_names[s];
}

int delivery_status_parse(const char *name, delivery_status *out)
{
	unsigned i;

	for (i = 0; i <= DELIVERY_FAILED; i++) {
		if (strcmp(name, delivery_status_names[i]) == 0) {
			*out = (delivery_status)i;
			return 0;
		}
	}
	return -1;
}

void store_delivery_free(delivery *d)
{
	if (!d)
		return;
	free(d->payload);
	d->payload = NULL;
}

/* Read one delivery (SQL_DELIVERY_COLS) into d, zeroing the rest. */
static ordo_code q_col_delivery(struct q *q, delivery *d, ordo_err *err)
{
	char status[16];
	ordo_code rc;

	memset(d, 0, sizeof(*d));
	d->seq = q_col_i64(q);
	q_col_str(q, d->id, sizeof(d->id));
	d->tenant_id = q_col_i64(q);
	q_col_str(q, d->webhook_id, sizeof(d->webhook_id));
	q_col_str(q, d->event_id, sizeof(d->event_id));
	q_col_str(q, d->event_type, sizeof(d->event_type));
	q_col_str(q, d->order_id, sizeof(d->order_id));
	q_col_str(q, status, sizeof(status));
	d->attempts = (int)q_col_i64(q);
	d->last_status = (int)q_col_i64(q);
	q_col_str(q, d->last_error, sizeof(d->last_error));
	d->next_attempt_at = q_col_i64(q);
	d->retry_until = q_col_i64(q);
	d->claimed_until = q_col_i64(q);
	d->delivered_at = q_col_i64(q);
	d->created_at = q_col_i64(q);
	rc = q_row_end(q, "reading a delivery", err);
	if (rc)
		return rc;
	if (delivery_status_parse(status, &d->status) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "delivery %s has an unknown status \"%s\"",
				    d->id, status);
	return ORDO_OK;
}

static void deliveries_free(delivery *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_delivery_free(&items[i]);
	free(items);
}

void store_outbox_claim_free(outbox_claim *c)
{
	if (!c)
		return;
	deliveries_free(c->items, c->n);
	c->items = NULL;
	c->n = 0;
}

static ordo_code read_ready(struct q *q, void *item, ordo_err *err)
{
	return q_col_delivery(q, item, err);
}

/* The payload of a claimed delivery's event. */
static ordo_code event_payload(store_tx *tx, delivery *d, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc = q_open(&q, tx, SQL_EVENT_PAYLOAD, err);

	if (rc)
		goto out;
	q_str(&q, d->event_id);
	q_i64(&q, d->tenant_id);
	rc = q_step(&q, &row, "reading an event", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "delivery %s has no event %s", d->id,
				  d->event_id);
		goto out;
	}
	rc = q_col_dup(&q, &d->payload, "reading an event", err);
	if (rc == ORDO_OK)
		rc = q_row_end(&q, "reading an event", err);
out:
	q_close(&q);
	return rc;
}

/* Webhooks looked at per claim for one with work: a bound on its cost. */
#define OUTBOX_CLAIM_PROBE 8

static ordo_code webhook_set_next(store_tx *tx, int64_t seq, ordo_time at,
				  bool idle, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_open(&q, tx, SQL_WEBHOOK_SET_NEXT, err);

	if (rc == ORDO_OK) {
		q_i64(&q, at);
		q_i64(&q, idle ? 1 : 0);
		q_i64(&q, seq);
		rc = q_exec(&q, "leasing a webhook", NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_outbox_claim(store_tx *tx, ordo_time now,
			     ordo_time lease_until, ordo_time idle_until,
			     int limit, outbox_claim *c, ordo_err *err)
{
	struct q q = {0};
	struct due {
		int64_t seq;
		int64_t tenant;
		webhook_sub w;
	} *due = NULL;
	size_t n_due = 0, i;
	void *raw = NULL;
	size_t count = 0;
	int64_t before = 0;
	bool row;
	ordo_code rc;

	memset(c, 0, sizeof(*c));
	rc = tx_check_writable(tx, "store_outbox_claim", err);
	if (rc)
		goto out;
	/* The work counter may carry work done before this claim. */
	rc = store_tx_rows_read(tx, &before, err);
	if (rc)
		goto out;
	rc = check_limit(limit, SQL_SCAN_MAX, err);
	if (rc)
		goto out;
	due = calloc(OUTBOX_CLAIM_PROBE, sizeof(*due));
	if (!due) {
		rc = no_memory(err, "claiming a webhook");
		goto out;
	}
	/* The PostgreSQL hook: lock the chosen webhooks, skip locked ones. */
	rc = q_open(&q, tx,
		    tx->db->row_locks ? SQL_WEBHOOK_DUE_LOCKED
				      : SQL_WEBHOOK_DUE,
		    err);
	if (rc)
		goto out;
	q_str(&q, "active");
	q_i64(&q, now);
	q_i64(&q, OUTBOX_CLAIM_PROBE);
	while (n_due < OUTBOX_CLAIM_PROBE) {
		rc = q_step(&q, &row, "claiming a webhook", NULL, err);
		if (rc || !row)
			break;
		due[n_due].seq = q_col_i64(&q);
		due[n_due].tenant = q_col_i64(&q);
		q_col_webhook(&q, &due[n_due].w);
		rc = q_row_end(&q, "claiming a webhook", err);
		if (rc)
			break;
		n_due++;
	}
	q_close(&q);
	if (rc)
		goto out;

	for (i = 0; i < n_due; i++) {
		rc = q_open(&q, tx, SQL_DELIVERY_READY, err);
		if (rc)
			goto out;
		q_str(&q, due[i].w.id);
		q_str(&q, delivery_status_name(DELIVERY_PENDING));
		q_i64(&q, due[i].tenant);
		q_i64(&q, limit);
		rc = q_rows(&q, (size_t)limit, sizeof(delivery), read_ready,
			    &raw, &count, "claiming deliveries", err);
		q_close(&q);
		if (rc)
			goto out;
		if (count == 0) {
			char name[ORDO_ID_MAX + 8];
			bool quiet;

			free(raw);
			raw = NULL;
			/* Nothing to send: idle until an event wakes it
			 * (store_webhook_wake), or idle_until at the latest,
			 * behind the webhooks that wait already - unless a
			 * waker is in flight (see WAKING): then soon. */
			wake_lock_name(name, sizeof(name), due[i].w.id);
			rc = named_lock(tx, due[i].tenant, name, NAMED_TRY,
					&quiet, err);
			if (rc)
				goto out;
			rc = webhook_set_next(tx, due[i].seq,
					      quiet ? idle_until : now + 1,
					      quiet, err);
			if (rc)
				goto out;
			continue;
		}
		for (size_t k = 0; k < count; k++) {
			rc = event_payload(tx, &((delivery *)raw)[k], err);
			if (rc)
				goto out;
		}
		rc = webhook_set_next(tx, due[i].seq, lease_until, false,
				      err);
		if (rc)
			goto out;
		c->tenant_id = due[i].tenant;
		c->hook = due[i].w;
		c->hook.next_attempt_at = lease_until;
		c->items = raw;
		c->n = count;
		raw = NULL;
		for (size_t k = 0; k < count; k++) {
			ordo_strlcpy(c->items[k].url, c->hook.url,
				     sizeof(c->items[k].url));
			ordo_strlcpy(c->items[k].secret, c->hook.secret,
				     sizeof(c->items[k].secret));
		}
		break;
	}
	/* What the claim cost, whatever it found: the measure that must not
	 * grow with the backlog. */
	rc = store_tx_rows_read(tx, &c->rows_read, err);
	c->rows_read -= before;
	if (rc == ORDO_OK)
		store_note_claim(tx->st, c->rows_read);
out:
	q_close(&q);
	if (rc) {
		deliveries_free(raw, count);
		store_outbox_claim_free(c);
	}
	free(due);
	return rc;
}

ordo_code store_delivery_update(store_tx *tx, const delivery *d,
				ordo_err *err)
{
	struct q q = {0};
	char webhook_id[ORDO_ID_MAX] = "", order_id[ORDO_ID_MAX] = "";
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_delivery_update", err);
	if (rc)
		goto out;
	/* Ending a delivery moves its lane on: lock the lane first (see
	 * lane_lock), before the row. Its ids come from the row itself. */
	if (d->status != DELIVERY_PENDING && d->order_id[0] &&
	    d->webhook_id[0]) {
		rc = lane_lock(tx, d->tenant_id, d->webhook_id, d->order_id,
			       err);
		if (rc)
			goto out;
	}
	rc = q_open(&q, tx, SQL_DELIVERY_UPDATE, err);
	if (rc)
		goto out;
	q_str(&q, delivery_status_name(d->status));
	q_i64(&q, d->attempts);
	q_i64(&q, d->last_status);
	q_str(&q, d->last_error);
	q_i64(&q, d->next_attempt_at);
	q_i64(&q, d->retry_until);
	q_i64(&q, d->delivered_at);
	q_i64(&q, d->tenant_id);
	q_str(&q, d->id);
	rc = q_step(&q, &row, "updating a delivery", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no delivery \"%.32s\"", d->id);
		goto out;
	}
	(void)q_col_i64(&q);
	q_col_str(&q, webhook_id, sizeof(webhook_id));
	q_col_str(&q, order_id, sizeof(order_id));
	rc = q_row_end(&q, "updating a delivery", err);
	q_close(&q);
	if (rc || d->status == DELIVERY_PENDING || !order_id[0])
		goto out;
	/* It has ended: the next pending delivery of its lane is ready. */
	rc = q_open(&q, tx, SQL_DELIVERY_LANE_NEXT, err);
	if (rc)
		goto out;
	q_str(&q, webhook_id);
	q_str(&q, order_id);
	q_str(&q, delivery_status_name(DELIVERY_PENDING));
	q_i64(&q, d->tenant_id);
	rc = q_exec(&q, "moving a delivery lane on", NULL, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_delivery_get(store_tx *tx, int64_t tenant, const char *id,
			     delivery *d, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	memset(d, 0, sizeof(*d));
	rc = q_open(&q, tx, SQL_DELIVERY_GET, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a delivery", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no delivery \"%.32s\"", id);
		goto out;
	}
	rc = q_col_delivery(&q, d, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_delivery_list(store_tx *tx, int64_t tenant, bool has_status,
			      delivery_status status, int64_t before_seq,
			      int limit, delivery **out, size_t *n,
			      int64_t *next, ordo_err *err)
{
	struct q q = {0};
	delivery *items = NULL;
	size_t count = 0, cap = 0;
	bool row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = check_page(limit, before_seq, err);
	if (rc)
		goto out;
	cap = (size_t)limit + 1;
	items = calloc(cap, sizeof(*items));
	if (!items) {
		rc = no_memory(err, "listing deliveries");
		goto out;
	}
	rc = q_open(&q, tx,
		    has_status ? SQL_DELIVERY_LIST_STATUS : SQL_DELIVERY_LIST,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, page_bound(before_seq));
	if (has_status)
		q_str(&q, delivery_status_name(status));
	q_i64(&q, (int64_t)cap);
	for (;;) {
		rc = q_step(&q, &row, "listing deliveries", NULL, err);
		if (rc || !row)
			break;
		if (count == cap) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "listing deliveries: more rows "
					  "than the limit");
			break;
		}
		rc = q_col_delivery(&q, &items[count++], err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	if (rc) {
		deliveries_free(items, count);
		return rc;
	}
	/* limit + 1 rows: another page follows this one. */
	if (count == cap) {
		count--;
		*next = items[count - 1].seq;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

/* ---- holds and the review queue ------------------------------------------ */

ordo_code store_hold_get(store_tx *tx, int64_t tenant, const char *id,
			 order_hold *h, char order_id[ORDO_ID_MAX],
			 ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	memset(h, 0, sizeof(*h));
	order_id[0] = '\0';
	/* On a database with row locks, a write job's read locks the hold
	 * it is about to change: of two claimers the second waits, then
	 * reads the first one's claim. */
	rc = q_open(&q, tx,
		    tx->writable && tx->db->row_locks ? SQL_HOLD_GET_LOCKED
						       : SQL_HOLD_GET,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a hold", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no hold \"%.32s\"", id);
		goto out;
	}
	rc = q_col_hold(&q, h, err);
	if (rc)
		goto out;
	q_col_str(&q, order_id, ORDO_ID_MAX);
	rc = q_row_end(&q, "reading a hold", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_hold_update(store_tx *tx, int64_t tenant, const order_hold *h,
			    ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_hold_update", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_HOLD_UPDATE, err);
	if (rc)
		goto out;
	q_str(&q, hold_status_name(h->status));
	q_i64(&q, h->priority);
	q_i64(&q, h->due_at);
	q_str(&q, h->assignee);
	q_i64(&q, h->claimed_at);
	q_i64(&q, h->claimed_until);
	q_i64(&q, h->escalated ? 1 : 0);
	q_str(&q, h->resolution);
	q_str(&q, h->resolution_reason);
	q_str(&q, h->resolved_by);
	q_i64(&q, h->resolved_at);
	q_i64(&q, tenant);
	q_str(&q, h->id);
	rc = q_step(&q, &row, "updating a hold", NULL, err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no hold \"%.32s\"", h->id);
out:
	q_close(&q);
	return rc;
}

/* Open the queue statement for the filters of f, with all bound. */
static ordo_code queue_list_open(struct q *q, store_tx *tx, int64_t tenant,
				 const queue_filter *f, int64_t limit,
				 ordo_err *err)
{
	bool has[QLF_COUNT] = {
		[QLF_TYPE] = f->has_type,
		[QLF_PRIORITY] = f->priority != 0,
		[QLF_UNCLAIMED] = strcmp(f->assignee, "-") == 0,
		[QLF_ASSIGNEE] = f->assignee[0] != '\0' &&
				 strcmp(f->assignee, "-") != 0,
		[QLF_CHANNEL] = f->channel[0] != '\0',
		[QLF_ESCALATED] = f->has_escalated,
	};
	const char *frag[QLF_COUNT];
	char sql[2048];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	for (i = 0; i < QLF_COUNT; i++) {
		frag[i] = has[i] ? queue_list_where[i] : "";
		if (has[i])
			mask |= 1u << i;
	}
	_Static_assert(QLF_COUNT == 6, "one %s per filter below");
	len = snprintf(sql, sizeof(sql),
		       "SELECT h.rowid, " SQL_HOLD_COLS_OF("h.") ", o.id, "
		       "o.external_id, o.channel, o.state, o.total, "
		       "o.currency, o.customer_name, o.received_at"
		       SQL_HOLD_FROM
		       "WHERE h.tenant_id = ? AND h.status = ? "
		       "AND (h.due_at > ? OR (h.due_at = ? AND h.rowid > ?)) "
		       "AND h.created_at <= ?%s%s%s%s%s%s "
		       "ORDER BY h.due_at, h.rowid LIMIT ?",
		       frag[0], frag[1], frag[2], frag[3], frag[4], frag[5]);
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql))
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "the queue query does not fit");

	rc = q_open_sql(q, tx, SQL_QUEUE_BASE + mask, sql, err);
	if (rc)
		return rc;
	q_i64(q, tenant);
	q_str(q, hold_status_name(HOLD_OPEN));
	/* The first page's cursor is before every (due_at, seq). */
	q_i64(q, f->after_seq > 0 ? f->after_due : INT64_MIN);
	q_i64(q, f->after_seq > 0 ? f->after_due : INT64_MIN);
	q_i64(q, f->after_seq);
	q_i64(q, f->min_age_s > 0 ? f->now - f->min_age_s : INT64_MAX);
	if (has[QLF_TYPE])
		q_str(q, hold_type_name(f->type));
	if (has[QLF_PRIORITY])
		q_i64(q, f->priority);
	if (has[QLF_UNCLAIMED])
		q_i64(q, f->now);
	if (has[QLF_ASSIGNEE]) {
		q_str(q, f->assignee);
		q_i64(q, f->now);
	}
	if (has[QLF_CHANNEL])
		q_str(q, f->channel);
	if (has[QLF_ESCALATED])
		q_i64(q, f->escalated ? 1 : 0);
	q_i64(q, limit);
	return ORDO_OK;
}

/* Read one queue row: the hold's seq and columns, its order's summary. */
static ordo_code q_col_queue_item(struct q *q, queue_item *it, ordo_err *err)
{
	char state[32];
	ordo_code rc;

	memset(it, 0, sizeof(*it));
	it->seq = q_col_i64(q);
	rc = q_col_hold(q, &it->hold, err);
	if (rc)
		return rc;
	q_col_str(q, it->order_id, sizeof(it->order_id));
	q_col_str(q, it->external_id, sizeof(it->external_id));
	q_col_str(q, it->channel, sizeof(it->channel));
	q_col_str(q, state, sizeof(state));
	it->total = q_col_i64(q);
	q_col_str(q, it->currency, sizeof(it->currency));
	q_col_str(q, it->customer_name, sizeof(it->customer_name));
	it->received_at = q_col_i64(q);
	rc = q_row_end(q, "listing the queue", err);
	if (rc)
		return rc;
	if (order_state_parse(state, &it->order_state) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "order %s has an unknown state \"%s\"",
				    it->order_id, state);
	return ORDO_OK;
}

ordo_code store_queue_list(store_tx *tx, int64_t tenant, const queue_filter *f,
			   queue_item **out, size_t *n, bool *more,
			   ordo_err *err)
{
	struct q q = {0};
	queue_item *items = NULL;
	size_t count = 0, cap = 0;
	bool row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*more = false;
	rc = check_limit(f->limit, STORE_BULK_MAX, err);
	if (rc)
		goto out;
	if (f->after_seq < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
		goto out;
	}
	if (f->min_age_s < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "min_age_s",
				  "the minimum age must not be negative");
		goto out;
	}
	/* One row more than the page tells whether another page follows. */
	cap = (size_t)f->limit + 1;
	items = calloc(cap, sizeof(*items));
	if (!items) {
		rc = no_memory(err, "listing the queue");
		goto out;
	}
	rc = queue_list_open(&q, tx, tenant, f, (int64_t)cap, err);
	if (rc)
		goto out;
	for (;;) {
		rc = q_step(&q, &row, "listing the queue", NULL, err);
		if (rc || !row)
			break;
		if (count == cap) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "listing the queue: more rows "
					  "than the limit");
			break;
		}
		rc = q_col_queue_item(&q, &items[count++], err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	if (rc) {
		free(items);
		return rc;
	}
	/* limit + 1 rows: another page follows this one. */
	if (count == cap) {
		count--;
		*more = true;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

/* ---- review policy versions ---------------------------------------------- */

void store_policy_version_free(policy_version *v)
{
	if (!v)
		return;
	free(v->document);
	v->document = NULL;
}

/* Read one version (SQL_POLICY_COLS) into v. */
static ordo_code q_col_policy(struct q *q, policy_version *v, ordo_err *err)
{
	ordo_code rc;

	memset(v, 0, sizeof(*v));
	v->version = (int)q_col_i64(q);
	rc = q_col_dup(q, &v->document, "reading a policy", err);
	if (rc)
		return rc;
	q_col_str(q, v->created_by, sizeof(v->created_by));
	v->created_at = q_col_i64(q);
	rc = q_row_end(q, "reading a policy", err);
	if (rc)
		store_policy_version_free(v);
	return rc;
}

ordo_code store_policy_active(store_tx *tx, int64_t tenant,
			      policy_version *out, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	memset(out, 0, sizeof(*out));
	rc = q_open(&q, tx, SQL_POLICY_ACTIVE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "reading the policy", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "policy",
				  "no review policy was saved");
		goto out;
	}
	rc = q_col_policy(&q, out, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_policy_insert(store_tx *tx, int64_t tenant, policy_version *v,
			      ordo_err *err)
{
	struct q q = {0};
	int64_t version = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_policy_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_POLICY_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, tenant);
	q_str(&q, v->document);
	q_str(&q, v->created_by);
	q_i64(&q, v->created_at);
	rc = q_insert_returning(&q, &version, "policy", "version", err);
	if (rc)
		goto out;
	v->version = (int)version;
out:
	q_close(&q);
	return rc;
}

static ordo_code read_policy(struct q *q, void *item, ordo_err *err)
{
	return q_col_policy(q, item, err);
}

ordo_code store_policy_list(store_tx *tx, int64_t tenant,
			    policy_version **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *raw = NULL;
	policy_version *items;
	size_t count = 0, i;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open(&q, tx, SQL_POLICY_LIST, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_rows(&q, SIZE_MAX, sizeof(policy_version), read_policy, &raw,
		    &count, "listing policies", err);
out:
	q_close(&q);
	items = raw;
	if (rc) {
		for (i = 0; i < count; i++)
			store_policy_version_free(&items[i]);
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

/* ---- downstream defects -------------------------------------------------- */

ordo_code store_defect_insert(store_tx *tx, int64_t tenant,
			      const order_defect *d, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_defect_insert", err);
	if (rc)
		goto out;
	rc = order_seq_of(tx, tenant, d->order_id, "order_id", &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_DEFECT_INSERT, err);
	if (rc)
		goto out;
	q_str(&q, d->id);
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	q_str(&q, d->type);
	q_str(&q, d->found_by);
	q_str(&q, d->note);
	q_str(&q, d->reported_by);
	q_i64(&q, d->created_at);
	rc = q_exec(&q, "defect", "id", err);
out:
	q_close(&q);
	return rc;
}

/* Read one defect (SQL_DEFECT_COLS) into d. */
static ordo_code q_col_defect(struct q *q, order_defect *d, ordo_err *err)
{
	memset(d, 0, sizeof(*d));
	d->seq = q_col_i64(q);
	q_col_str(q, d->id, sizeof(d->id));
	q_col_str(q, d->order_id, sizeof(d->order_id));
	q_col_str(q, d->type, sizeof(d->type));
	q_col_str(q, d->found_by, sizeof(d->found_by));
	q_col_str(q, d->note, sizeof(d->note));
	q_col_str(q, d->reported_by, sizeof(d->reported_by));
	d->created_at = q_col_i64(q);
	return q_row_end(q, "reading a defect", err);
}

static ordo_code read_defect(struct q *q, void *item, ordo_err *err)
{
	return q_col_defect(q, item, err);
}

/*
 * Read the defects an open, bound statement yields (at most max) into a new
 * array. On failure nothing is left allocated.
 */
static ordo_code defect_read_all(struct q *q, size_t max, order_defect **out,
				 size_t *n, const char *what, ordo_err *err)
{
	void *items = NULL;
	size_t count = 0;
	ordo_code rc = q_rows(q, max, sizeof(order_defect), read_defect,
			      &items, &count, what, err);

	if (rc) {
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

ordo_code store_defects_of_order(store_tx *tx, int64_t tenant,
				 const char *order_id, order_defect **out,
				 size_t *n, ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = order_seq(tx, tenant, order_id, &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_DEFECTS_OF_ORDER, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	rc = defect_read_all(&q, SIZE_MAX, out, n,
			     "reading an order's defects", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_defect_list(store_tx *tx, int64_t tenant, const char *type,
			    ordo_time from, ordo_time to, int64_t before_seq,
			    int limit, order_defect **out, size_t *n,
			    int64_t *next, ordo_err *err)
{
	struct q q = {0};
	bool typed = type && type[0];
	size_t cap;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*next = 0;
	rc = check_page(limit, before_seq, err);
	if (rc)
		goto out;
	cap = (size_t)limit + 1;
	rc = q_open(&q, tx, typed ? SQL_DEFECT_LIST_TYPE : SQL_DEFECT_LIST,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, page_bound(before_seq));
	q_i64(&q, from != 0 ? from : INT64_MIN);
	q_i64(&q, to != 0 ? to : INT64_MAX);
	if (typed)
		q_str(&q, type);
	q_i64(&q, (int64_t)cap);
	rc = defect_read_all(&q, cap, out, n, "listing defects", err);
	if (rc)
		goto out;
	/* limit + 1 rows: another page follows this one. */
	if (*n == cap) {
		(*n)--;
		*next = (*out)[*n - 1].seq;
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_defect_count(store_tx *tx, int64_t tenant,
				   const char *order_id, int64_t *n,
				   ordo_err *err)
{
	struct q q = {0};
	int64_t oseq = 0;
	bool row;
	ordo_code rc;

	*n = 0;
	rc = order_seq(tx, tenant, order_id, &oseq, err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_DEFECT_COUNT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, oseq);
	rc = q_step(&q, &row, "counting an order's defects", NULL, err);
	if (!rc && row)
		*n = q_col_i64(&q);
out:
	q_close(&q);
	return rc;
}

/* ---- what policies are judged on ----------------------------------------- */

ordo_code store_customer_history(store_tx *tx, int64_t tenant,
				 const char *customer_key, ordo_time before,
				 int64_t before_seq,
				 int64_t *orders, int64_t *defects,
				 ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc = ORDO_OK;

	*orders = 0;
	*defects = 0;
	/* Orders without a key are nobody's: no history to count. */
	if (!customer_key || !customer_key[0])
		goto out;
	rc = q_open(&q, tx, SQL_CUSTOMER_HISTORY, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, customer_key);
	q_i64(&q, before);
	q_i64(&q, before);
	q_i64(&q, before_seq);
	q_i64(&q, tenant);
	q_str(&q, customer_key);
	q_i64(&q, before);
	q_i64(&q, before);
	q_i64(&q, before_seq);
	q_i64(&q, before); /* defects known by then */
	rc = q_step(&q, &row, "counting a customer's orders", NULL, err);
	if (!rc && row) {
		*orders = q_col_i64(&q);
		*defects = q_col_i64(&q);
	}
out:
	q_close(&q);
	return rc;
}

ordo_code store_handling_time(store_tx *tx, int64_t tenant, int64_t *mean_s,
			      int64_t *n, ordo_err *err)
{
	struct q q = {0};
	int64_t count = 0, sum = 0;
	bool row;
	ordo_code rc;

	*mean_s = 0;
	*n = 0;
	rc = q_open(&q, tx, SQL_HANDLING_TIME, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, hold_status_name(HOLD_RESOLVED));
	q_str(&q, "system");
	rc = q_step(&q, &row, "measuring handling time", NULL, err);
	if (rc || !row)
		goto out;
	count = q_col_i64(&q);
	sum = q_col_i64(&q);
	/* Whole seconds, rounded down (every term is >= 0). */
	if (count > 0) {
		*mean_s = sum / count;
		*n = count;
	}
out:
	q_close(&q);
	return rc;
}
