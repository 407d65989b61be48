/*
 * db.h - the database driver under the store: the little a backend must do
 * so that every store operation (sql_*.c) can be written once, for SQLite and
 * PostgreSQL alike. Nothing outside src/store/ includes this file.
 *
 * SHAPE
 *
 *     store_order_get(tx, ...)                 sql_orders.c: SQL text + C, once
 *         -> tx->db->prepare(tx, SQL_ORDER_GET, sql_text[...])
 *         -> tx->db->bind_i64 / bind_text / step / column_* / reset
 *                                              sqlite.c, pg.c
 *
 * A driver owns its connections. It keeps a writer connection for each
 * committer thread (committer.c, THE COMMITTERS: opts->writers of them, at most
 * writers_max; committer k begins on writer k alone), a writer for the
 * outbox's own short transactions (outbox_begin), and a pool of read
 * connections handed out by read_begin and taken back by read_end. Each connection carries a
 * store_tx of its own (so beginning a transaction never allocates);
 * tx->conn points back at the driver's connection object.
 *
 * The committer's protocol for one batch, with the functions it calls:
 *
 *     write_begin                       BEGIN IMMEDIATE (SQLite) / BEGIN
 *     for each job:
 *         savepoint                     SAVEPOINT job
 *         job->run(tx, ...)
 *         release | rollback_to         RELEASE job | ROLLBACK TO job; RELEASE
 *     commit                            COMMIT (one fsync for the batch)
 *     (rollback if anything in the transaction control failed)
 *
 * Transaction control failing (not a job failing) means the transaction can
 * no longer be trusted; the committer then rolls back the whole batch.
 *
 * STATEMENTS
 *
 * Every connection caches prepared statements by a small number (below
 * DB_STMT_MAX) chosen by sql_int.h; the same number always comes with the same
 * SQL text, which is only read the first time the number is prepared on a
 * connection. A statement in use is: prepared, bound, stepped, read, reset -
 * always reset before its connection runs the same number again, and before
 * the next statement that must see its effect is stepped.
 *
 * Parameters are written "?" and bound sequentially: the first bind call
 * binds parameter 1, the next 2, and so on, until reset. A driver whose
 * database numbers parameters ($1, $2 ... in PostgreSQL) rewrites the "?"
 * when it prepares; so SQL text given to prepare must never contain a '?'
 * other than a placeholder - not in a string literal, comment or operator.
 * Bound text is not copied by every driver: it must stay valid until the
 * statement is reset. Binding every parameter of the statement, no more and
 * no fewer, is the caller's duty; a driver may assert it.
 *
 * The SQL sql_*.c write is the common subset of SQLite 3.40 and PostgreSQL 15:
 * "?" placeholders, INSERT ... ON CONFLICT (...) DO UPDATE / DO NOTHING,
 * RETURNING for generated keys and to learn whether a row was touched, LIMIT
 * ?, integer 0/1 for booleans, no functions of one database only. What
 * cannot be written in that subset is a string the driver supplies
 * (sql_table_exists).
 *
 * ERRORS
 *
 * A failed bind is remembered by the statement and reported by the next step
 * (DB_ERROR). After DB_ERROR the caller asks error() to turn the connection's
 * last error into an ordo_code, then resets; it must not run another
 * statement in the same job (in PostgreSQL the transaction is aborted until
 * the committer's rollback_to). error() maps:
 *
 *     unique / primary key violated     -> ORDO_ECONFLICT, the given field
 *     foreign key violated              -> ORDO_ENOTFOUND "tenant_id"
 *     serialization failure, deadlock,
 *     database busy or locked           -> ORDO_ESTORAGE, and tx->retryable
 *                                          is set: the whole transaction may
 *                                          succeed if run again
 *     anything else                     -> ORDO_ESTORAGE with the database's
 *                                          own message
 */
#ifndef ORDO_STORE_DB_H
#define ORDO_STORE_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "embedded.h"
#include "store/store.h"

/* A prepared statement of one connection; each driver defines it. */
typedef struct db_stmt db_stmt;

/* Statement numbers are 0..DB_STMT_MAX-1: each connection's cache size
 * (sql_int.h's fixed statements, then the variants of the order list and of
 * the review queue, one per combination of filters, then the inserts of
 * several rows, one per row count). */
#define DB_STMT_MAX 768

enum db_step {
	DB_ROW,	 /* a row is ready to be read with column_* */
	DB_DONE, /* no (more) rows; the statement ran to its end */
	DB_ERROR /* ask error() what went wrong */
};

struct db_driver {
	const char *name;

	/*
	 * Open the database named by target (the url without its scheme
	 * prefix, for SQLite the file path) and set st->impl. On failure
	 * everything opened so far is closed again.
	 */
	ordo_code (*open)(store *st, const char *target,
			  const store_options *opts, ordo_err *err);
	/* Close every connection and free st->impl. No transaction is open. */
	void (*close)(store *st);

	/* ---- the writers; writer k called from committer k only --------- */
	ordo_code (*write_begin)(store *st, int writer, store_tx **tx,
				 ordo_err *err);
	ordo_code (*savepoint)(store_tx *tx, ordo_err *err);
	ordo_code (*release)(store_tx *tx, ordo_err *err);
	ordo_code (*rollback_to)(store_tx *tx, ordo_err *err);
	ordo_code (*commit)(store_tx *tx, ordo_err *err);
	void (*rollback)(store_tx *tx);

	/* ---- read snapshots from the pool ------------------------------- */
	/* The snapshot must hold for the whole transaction (repeatable
	 * read): an order's lines are counted, then read. */
	ordo_code (*read_begin)(store *st, store_tx **tx, ordo_err *err);
	void (*read_end)(store_tx *tx);

	/* ---- the outbox's connection ------------------------------------ */
	/*
	 * A writer apart from the committer's, for the outbox's short
	 * transactions (store_outbox_run): outbox_begin waits until no other
	 * thread holds it, then begins a write transaction on it (SQLite:
	 * BEGIN IMMEDIATE, waiting out the committer's transaction under the
	 * busy timeout; PostgreSQL: BEGIN). The transaction is ended with
	 * commit or rollback, then the connection given back by outbox_end.
	 */
	ordo_code (*outbox_begin)(store *st, store_tx **tx, ordo_err *err);
	void (*outbox_end)(store_tx *tx);
	/* The work done so far in tx's transaction (store_tx_rows_read). */
	ordo_code (*rows_read)(store_tx *tx, int64_t *rows, ordo_err *err);

	/* ---- statements on tx's connection ------------------------------ */
	/* The cached statement number id, prepared from sql the first time. */
	ordo_code (*prepare)(store_tx *tx, unsigned id, const char *sql,
			     db_stmt **out, ordo_err *err);
	void (*bind_i64)(db_stmt *s, int64_t v);
	void (*bind_text)(db_stmt *s, const char *v); /* NUL-terminated */
	void (*bind_null)(db_stmt *s);
	enum db_step (*step)(db_stmt *s);
	/* Columns of the current row, from 0. Text is NUL-terminated, *len
	 * (when given) its length, valid until the next step or reset; a
	 * NULL reads as 0 or "". */
	int64_t (*column_i64)(db_stmt *s, int col);
	const char *(*column_text)(db_stmt *s, int col, size_t *len);
	bool (*column_is_null)(db_stmt *s, int col);
	/* Ready the statement for its next use: rows, bindings, errors
	 * dropped. A NULL s is ignored. */
	void (*reset)(db_stmt *s);
	/* Map the connection's last error (see ERRORS); what says what was
	 * being done, field names the unique key for ORDO_ECONFLICT. */
	ordo_code (*error)(store_tx *tx, const char *what, const char *field,
			   ordo_err *err);
	/*
	 * DEFERRED STATEMENTS (the PostgreSQL hook; NULL where every step
	 * runs at once). Send the bound statement to run without waiting for
	 * its outcome, and answer DB_DONE (or DB_ERROR as step does). The
	 * caller reads none of its rows; when if_none is not ORDO_OK, a
	 * statement that returns no row has failed with that code, naming
	 * none_field (NULL: field), saying "what: none_msg". Its
	 * outcome is learned at the connection's next call that waits (a
	 * step, a transaction command) or at flush, which then answers its
	 * failure, mapped with the what and field given here (literals). So
	 * only a statement whose failure fails the whole job may be
	 * deferred, never one whose error the caller handles. Statements
	 * deferred one after another reach the database together, in one
	 * round trip (PostgreSQL's pipeline mode). The committer does not
	 * flush at each job's end: a job's deferred statements travel with
	 * the next job's first call that waits. A failure of one learned
	 * there is an earlier job's (store_tx.late_failure), and the batch
	 * runs again, flushing at each job's end.
	 */
	enum db_step (*defer)(db_stmt *s, const char *what, const char *field,
			      ordo_code if_none, const char *none_field,
			      const char *none_msg);
	/* Wait for the deferred statements: ORDO_OK or the first failure. */
	ordo_code (*flush)(store_tx *tx, ordo_err *err);
	/* Whether one of them is known to have failed already (its answer
	 * read with a later call's), without waiting. */
	bool (*deferred_failed)(store_tx *tx);

	/* ---- migrations -------------------------------------------------- */
	/* The embedded scripts, sorted by name ("0001_init.sql"). */
	void (*migrations)(const struct ordo_embedded **list, size_t *n);
	/* Run a fixed script of one or more statements (no parameters). */
	ordo_code (*exec_script)(store_tx *tx, const char *sql, ordo_err *err);
	/*
	 * MIGRATION LOCK (the PostgreSQL hook; NULL when not needed). Called
	 * first in every migration job, before the bookkeeping table is
	 * created or read: it must make another process's migration job wait
	 * until this transaction ends (PostgreSQL: pg_advisory_xact_lock), so
	 * nodes starting at once apply the scripts one after another and each
	 * reads the version the other left. SQLite needs none: BEGIN
	 * IMMEDIATE already holds the whole database.
	 */
	ordo_code (*migrate_lock)(store_tx *tx, ordo_err *err);
	/* Copy the whole database, online, to a new file dest; NULL when
	 * the database has its own tools for that (PostgreSQL: pg_dump). */
	ordo_code (*backup)(store *st, const char *dest, ordo_err *err);
	/* SQL with one parameter, a table name, answering one row whose
	 * first column is 1 if the table exists and 0 if not. */
	const char *sql_table_exists;
	/* SQL with one text parameter that takes a lock on that name until
	 * the transaction ends, or NULL when writers never run concurrently
	 * (SQLite: one writer at a time). See store_lock_named. */
	const char *sql_named_lock;
	/* Likewise a shared lock on a name (many holders at once, none while
	 * another holds it exclusively), and a try: an exclusive lock taken
	 * only if free now, answering one row whose first column is 1 when
	 * taken and 0 when not. NULL with sql_named_lock. */
	const char *sql_named_lock_shared;
	const char *sql_named_try_lock;
	/*
	 * SEQS DRAWN AHEAD (the PostgreSQL hook; NULL where a row's seq is
	 * only known once inserted). SQL with two parameters, a table (orders
	 * or fulfillments) and a count, whose rows are that many new values
	 * of the table's seq: a write transaction draws a few at once and
	 * inserts its rows with them, so that an insert need not wait for
	 * its seq (DEFERRED STATEMENTS). A seq drawn and not used is a gap,
	 * as a rolled-back insert leaves.
	 */
	const char *sql_seqs;
	/*
	 * KEYS CHECKED AT THE WRITE (the PostgreSQL hook, with sql_seqs; NULL
	 * where an order is inserted at once). Two statements without
	 * parameters: the first defers the checks of the deferrable foreign
	 * keys to orders (migration 0013) until the second, which checks
	 * them at once again (sql_orders.c, AN ORDER WRITTEN ONCE).
	 */
	const char *sql_checks_deferred;
	const char *sql_checks_immediate;

	/*
	 * ROW LOCKS (the PostgreSQL hook). True when several processes may
	 * write the database at once and a transaction can lock the rows it
	 * reads (SELECT ... FOR UPDATE [SKIP LOCKED]). sql_*.c then prepare
	 * the *_LOCKED variants of its statements instead of the plain ones:
	 * SQL_STOCK_GET_LOCKED, SQL_STOCK_OF_SKU_LOCKED, SQL_ORDER_GET_LOCKED
	 * and SQL_HOLD_GET_LOCKED in write transactions (read-modify-write of
	 * stock rows, of an order and of a hold) and SQL_WEBHOOK_DUE_LOCKED
	 * (each node claims other webhooks). False for SQLite: one writer
	 * at a time holds the whole database, and its SQL has no FOR UPDATE.
	 */
	bool row_locks;
	/*
	 * WRITERS. How many batches may run at once from one process, each
	 * in a write transaction on a writer connection of its own: 1 for
	 * SQLite (one writer holds the whole database), STORE_WRITERS_MAX
	 * for PostgreSQL, whose writers wait for each other only on the rows
	 * they share (row_locks). Where it is more than 1, open is asked for
	 * one writer connection more than the batches that may run
	 * (committer.c, THE COMMITTERS): a batch begins while another commits.
	 */
	int writers_max;
	/*
	 * SEARCH BY THE RAREST TERM. True when the full-text index answers
	 * an AND of terms at a cost that grows with a common term's entries
	 * (SQLite's FTS5 walks them until it reaches a rare term's; GIN on
	 * PostgreSQL skips through them, at a cost for each entry of the
	 * rarer): a search of several terms then looks up the term with the
	 * fewest entries alone, when it has few, and checks the others on
	 * the rows it finds (sql_order_list.c).
	 */
	bool search_by_rarest;
	/*
	 * SEARCH BY SPANS. True when the full-text index keeps a token's
	 * orders in no order (PostgreSQL's GIN: a page of a common word's
	 * newest orders reads every order that has it) and each order's
	 * words also name the spans of history it falls in (migration
	 * 0023): a search then reads one span at a time, newest first,
	 * widening the span while it holds too few matches
	 * (sql_order_list.c, SEARCH BY SPANS).
	 */
	bool search_by_spans;
};

/*
 * LOST CONNECTIONS. A driver talking to a server over a network answers
 * ORDO_EUNAVAILABLE (from any call, through error() for a step) when the
 * connection is gone, and reconnects on a later write_begin / read_begin,
 * with a backoff, answering ORDO_EUNAVAILABLE at once until the server is
 * back; read_begin failing so is how /healthz learns the database is down.
 * Waits are bounded by the driver's connect timeout, TCP keepalives and a
 * statement timeout, never left to the operating system's defaults.
 */

/* The drivers store.c can dispatch to. */
extern const struct db_driver db_driver_sqlite;
extern const struct db_driver db_driver_pg; /* postgres:// postgresql:// */

#endif
