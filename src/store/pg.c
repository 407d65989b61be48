/*
 * pg.c - the PostgreSQL driver of the store (see db.h), over libpq:
 * connections, the read pool, a cache of prepared statements per connection,
 * the statement primitives sql_*.c run every data operation with,
 * transactions, and reconnecting after the database went away; the
 * mapping of PostgreSQL's errors and the deferred statements are
 * pg_pipe.c's. No data operation is written here.
 *
 * CONNECTIONS
 *
 *     writers  opts->writers connections, writer k used only by committer
 *              thread k (committer.c, THE COMMITTERS); their transactions are
 *              BEGIN (read committed): rows that must not change under a
 *              job are locked by the SQL itself (row_locks: SELECT ...
 *              FOR UPDATE [SKIP LOCKED]).
 *     outbox   a writer for the outbox's short transactions
 *              (outbox_begin), BEGIN (read committed) like the others.
 *     readers  opts->read_pool_size connections, checked out by read_begin
 *              (waiting on a condition when all are out) and returned by
 *              read_end; each read is BEGIN ISOLATION LEVEL REPEATABLE READ
 *              READ ONLY, one snapshot for the whole transaction.
 *
 * Every connection is opened with the url as given (PQconnectdbParams
 * expands it) over a few defaults the url may override: connect_timeout 2 s,
 * TCP keepalives and tcp_user_timeout, so a dead server or network is
 * noticed rather than waited on forever. Each session then sets
 * statement_timeout (PG_STATEMENT_TIMEOUT_MS) and lock_timeout (the
 * store's busy_timeout_ms, SQLite's busy timeout by another name).
 *
 * LOST CONNECTIONS
 *
 * A call that fails because the connection is gone (PQstatus not OK, an
 * error without SQLSTATE, class 08, or 57P01..57P03: the server shutting
 * down or starting) marks the connection broken and is answered
 * ORDO_EUNAVAILABLE. The transaction it was in is lost. The next
 * write_begin or read_begin on a broken connection calls PQreset, at once
 * the first time and then no more often than the backoff allows (50 ms,
 * doubling to 2 s); until then it answers ORDO_EUNAVAILABLE without
 * touching the network, so /healthz (one read_begin) answers 503 quickly
 * while the database is down and 200 once it is back. Once any connection
 * of the store is back, the others stop waiting out their backoff: the
 * writer is not left refusing writes for seconds after a reader (and
 * /healthz) found the database up again. A connection found
 * dead by its BEGIN (the server restarted while it was idle) is reset and
 * the BEGIN tried once more, so a restart costs no request when the server
 * is back. After a reset the connection's prepared statements are gone
 * with the old session: its cache is marked unprepared and statements are
 * prepared again on their next use.
 *
 * STATEMENTS
 *
 * Each connection has DB_STMT_MAX slots for the numbers sql_int.h chooses.
 * The first prepare of a number rewrites each '?' into $1, $2 ... and sends
 * it with PQprepare under the name "s<number>", parameter types left to
 * the server to infer from where they stand. Parameters are text: an
 * integer is formatted into the slot's own buffer, text is passed as the
 * caller's pointer (valid until reset, as db.h requires), NULL as NULL. The
 * statement runs (PQexecPrepared, text results) on its first step; the
 * whole result is then held by the slot and handed out one row per step,
 * so other statements may run on the connection while its rows are read.
 *
 * MIGRATIONS
 *
 * Scripts run with PQexec inside the committer's transaction. migrate_lock
 * takes a transaction-level advisory lock first, so nodes starting at once
 * apply the scripts one after another, each seeing what the other did.
 *
 * ERRORS and DEFERRED STATEMENTS: pg_pipe.c.
 */
#include "store/pg_int.h"

#include <assert.h>
#include <inttypes.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern const struct ordo_embedded migrations_postgres[];
extern const size_t migrations_postgres_count;

/* The advisory lock migrations take: "ordo" in ASCII. */
#define PG_MIGRATE_LOCK "1869771375"

static int64_t pg_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- connections and the pool -------------------------------------------- */

static void pg_stmt_clear(struct db_stmt *s)
{
	PQclear(s->res);
	s->res = NULL;
	s->pos = 0;
	s->overbound = false;
	s->row = 0;
	s->nrows = 0;
}

static void pg_conn_close(struct pg_conn *c)
{
	size_t i;

	for (i = 0; i < DB_STMT_MAX; i++) {
		pg_stmt_clear(&c->stmt[i]);
		free(c->stmt[i].vals);
		free(c->stmt[i].nums);
		c->stmt[i].vals = NULL;
		c->stmt[i].nums = NULL;
	}
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
}

/* The server's notices ("relation already exists, skipping") are not
 * errors and not for ordo's log. */
static void pg_notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * The planner's part of every session: plans made once per prepared
 * statement for any parameters, the plans test_plans checks; no JIT
 * compilation (a plan made for any values may be costed high enough for
 * the server to compile it, 70 ms for a statement that runs in 1); no
 * parallel workers; and no hash or merge joins. Every read of ordo's is a
 * page or a row by an index, its joins probes by key (test_plans plans
 * every statement so): a plan made for any values, costed for a long
 * history, was run with two workers, whose start took 9 ms of a list's 11
 * at 1,000,000 orders; and on a short one, a page's 50 orders were joined
 * to their fulfillments by hashing every order (4 to 8 ms a statement at
 * 10,000 orders).
 */
#define PG_PLANNER_SETTINGS                                                    \
	"SET plan_cache_mode = force_generic_plan; SET jit = off; "            \
	"SET max_parallel_workers_per_gather = 0; "                            \
	"SET enable_hashjoin = off; SET enable_mergejoin = off"

const char *store_pg_planner_settings(void)
{
	return PG_PLANNER_SETTINGS;
}

/* Every session: bounded waits, and the planner's settings. */
static ordo_code pg_session_setup(struct pg_conn *c, ordo_err *err)
{
	char sql[96 + sizeof(PG_PLANNER_SETTINGS)];
	int64_t trips = c->tx.round_trips;
	ordo_code rc;

	snprintf(sql, sizeof(sql),
		 "SET statement_timeout = %d; SET lock_timeout = %d; "
		 PG_PLANNER_SETTINGS,
		 PG_STATEMENT_TIMEOUT_MS, c->lock_timeout_ms);
	rc = pg_command(c, sql, false, "setting up the session", err);
	c->tx.round_trips = trips; /* the session's, not a transaction's */
	return rc;
}

static ordo_code pg_conn_open(store *st, struct pg_conn *c, const char *url,
			      bool writer, const store_options *opts,
			      ordo_err *err)
{
	/* Seconds, or ms for tcp_user_timeout (unacknowledged data). */
	static const char *const defaults[][2] = {
		{"connect_timeout", "2"},
		{"keepalives", "1"},
		{"keepalives_idle", "10"},
		{"keepalives_interval", "5"},
		{"keepalives_count", "3"},
		{"tcp_user_timeout", "15000"},
		{"application_name", "ordo"},
		{"client_encoding", "UTF8"},
	};
	enum { N_DEFAULTS = sizeof(defaults) / sizeof(defaults[0]) };
	const char *keys[N_DEFAULTS + 2], *vals[N_DEFAULTS + 2];
	ordo_code rc = ORDO_OK;
	size_t i;

	/* Defaults first: the url, expanded last, overrides any of them. */
	for (i = 0; i < N_DEFAULTS; i++) {
		keys[i] = defaults[i][0];
		vals[i] = defaults[i][1];
	}
	keys[N_DEFAULTS] = "dbname";
	vals[N_DEFAULTS] = url;
	keys[N_DEFAULTS + 1] = NULL;
	vals[N_DEFAULTS + 1] = NULL;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < DB_STMT_MAX; i++) {
		c->stmt[i].c = c;
		c->stmt[i].id = (unsigned)i;
	}
	c->lock_timeout_ms = opts->busy_timeout_ms;
	c->tx.st = st;
	c->tx.db = &db_driver_pg;
	c->tx.conn = c;
	c->tx.writable = writer;

	c->pg = PQconnectdbParams(keys, vals, 1);
	if (!c->pg) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory connecting to the database");
		goto out;
	}
	/* Kept by the PGconn across PQreset. */
	PQsetNoticeProcessor(c->pg, pg_notice_ignore, NULL);
	if (PQstatus(c->pg) != CONNECTION_OK) {
		char msg[256];

		pg_msg_copy(msg, sizeof(msg), PQerrorMessage(c->pg));
		rc = ordo_err_set(err, ORDO_EUNAVAILABLE, "url",
				  "cannot connect to the database: %s", msg);
		goto out;
	}
	rc = pg_session_setup(c, err);
out:
	if (rc)
		pg_conn_close(c);
	return rc;
}

/*
 * Make a broken connection usable again if the backoff allows: PQreset,
 * the session set up again, every statement to be prepared anew. Answers
 * ORDO_EUNAVAILABLE while the database cannot be reached.
 */
static ordo_code pg_conn_ready(struct pg_conn *c, ordo_err *err)
{
	struct pg_store *s = c->tx.st->impl;
	int64_t now;
	ordo_code rc;
	size_t i;

	if (!c->broken)
		return ORDO_OK;
	now = pg_now_ms();
	/* In backoff, unless another connection got through since. */
	if (now < c->retry_at_ms &&
	    atomic_load(&s->up_at_ms) <= c->failed_at_ms)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "the database is unreachable (next attempt "
				    "in %" PRId64 " ms): %s",
				    c->retry_at_ms - now, c->err_msg);

	PQreset(c->pg);
	c->ending = false;
	c->piped = false;
	c->n_pending = 0;
	c->deferred_failed = false;
	for (i = 0; i < DB_STMT_MAX; i++) {
		pg_stmt_clear(&c->stmt[i]);
		c->stmt[i].prepared = false;
	}
	if (PQstatus(c->pg) == CONNECTION_OK) {
		c->broken = false;
		rc = pg_session_setup(c, err);
		if (!rc) {
			c->backoff_ms = 0;
			c->retry_at_ms = 0;
			atomic_store(&s->up_at_ms, pg_now_ms());
			return ORDO_OK;
		}
		c->broken = true;
	} else {
		pg_msg_copy(c->err_msg, sizeof(c->err_msg),
			    PQerrorMessage(c->pg));
	}
	c->backoff_ms = c->backoff_ms ? c->backoff_ms * 2 : PG_BACKOFF_MIN_MS;
	if (c->backoff_ms > PG_BACKOFF_MAX_MS)
		c->backoff_ms = PG_BACKOFF_MAX_MS;
	c->failed_at_ms = pg_now_ms();
	c->retry_at_ms = c->failed_at_ms + c->backoff_ms;
	return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
			    "the database is unreachable: %s", c->err_msg);
}

static void pg_close(store *st)
{
	struct pg_store *s = st->impl;
	int i;

	if (!s)
		return;
	for (i = 0; i < s->n_readers; i++)
		pg_conn_close(&s->readers[i]);
	free(s->readers);
	pg_conn_close(&s->outbox);
	pthread_mutex_destroy(&s->outbox_mu);
	for (i = 0; i < s->n_writers; i++)
		pg_conn_close(&s->writers[i]);
	free(s->writers);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->pool_mu);
	free(s);
	st->impl = NULL;
}

/* Put reader c last among the free ones (pool_mu held, or the pool not
 * yet shared). */
static void pg_reader_queue(struct pg_store *s, struct pg_conn *c)
{
	c->next_free = NULL;
	if (s->free_last)
		s->free_last->next_free = c;
	else
		s->free_readers = c;
	s->free_last = c;
}

static ordo_code pg_open(store *st, const char *url, const store_options *opts,
			 ordo_err *err)
{
	struct pg_store *s;
	ordo_code rc = ORDO_OK;
	int i;

	if (!PQisthreadsafe())
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "this libpq was built without thread "
				    "support");
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
	if (pthread_mutex_init(&s->outbox_mu, NULL) != 0) {
		pthread_cond_destroy(&s->pool_cv);
		pthread_mutex_destroy(&s->pool_mu);
		free(s);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create the outbox's mutex");
	}
	atomic_init(&s->up_at_ms, 0);
	st->impl = s;

	s->writers = calloc((size_t)opts->writers, sizeof(*s->writers));
	if (!s->writers) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory opening the writers");
		goto out;
	}
	for (i = 0; i < opts->writers; i++) {
		rc = pg_conn_open(st, &s->writers[i], url, true, opts, err);
		if (rc)
			goto out;
		s->n_writers = i + 1;
	}
	rc = pg_conn_open(st, &s->outbox, url, true, opts, err);
	if (rc)
		goto out;
	s->readers = calloc((size_t)opts->read_pool_size, sizeof(*s->readers));
	if (!s->readers) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory opening the read pool");
		goto out;
	}
	for (i = 0; i < opts->read_pool_size; i++) {
		rc = pg_conn_open(st, &s->readers[i], url, false, opts, err);
		if (rc)
			goto out;
		s->n_readers = i + 1;
		pg_reader_queue(s, &s->readers[i]);
	}
out:
	if (rc)
		pg_close(st);
	return rc;
}

/* ---- statements ---------------------------------------------------------- */

/* sql with every '?' written $1, $2 ...; *n the count. NULL: no memory. */
static char *pg_rewrite(const char *sql, int *n)
{
	const char *p;
	char *out, *o;
	size_t len = strlen(sql), size;

	*n = 0;
	for (p = sql; *p; p++)
		if (*p == '?')
			(*n)++;
	/* Each '?' grows into '$' and at most 5 digits. */
	size = len + (size_t)*n * 5 + 1;
	out = malloc(size);
	if (!out)
		return NULL;
	o = out;
	*n = 0;
	for (p = sql; *p; p++) {
		if (*p != '?') {
			*o++ = *p;
			continue;
		}
		(*n)++;
		o += snprintf(o, size - (size_t)(o - out), "$%d", *n);
	}
	*o = '\0';
	return out;
}

static ordo_code pg_prepare(store_tx *tx, unsigned id, const char *sql,
			    db_stmt **out, ordo_err *err)
{
	struct pg_conn *c = tx->conn;
	struct db_stmt *s;
	char name[16], *text = NULL;
	PGresult *res = NULL;
	ordo_code rc = ORDO_OK;
	int n = 0;
	int64_t trips;

	assert(id < DB_STMT_MAX && sql);
	*out = NULL;
	s = &c->stmt[id];
	if (s->prepared)
		goto done;
	if (c->broken) {
		pg_note_own_error(c, "not reconnected yet");
		c->err_lost = true;
		rc = pg_map_error(c, tx, "preparing a statement", NULL, err);
		goto out;
	}
	text = pg_rewrite(sql, &n);
	if (text && n > 0 && !s->vals)
		s->vals = calloc((size_t)n, sizeof(*s->vals));
	if (text && n > 0 && !s->nums)
		s->nums = calloc((size_t)n, sizeof(*s->nums));
	if (!text || (n > 0 && (!s->vals || !s->nums))) {
		rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				  "out of memory preparing a statement");
		goto out;
	}
	/* The same number always comes with the same text (db.h), so the
	 * arrays of an earlier session fit. */
	assert(s->nparams == 0 || s->nparams == n);
	s->nparams = n;
	snprintf(name, sizeof(name), "s%u", id);
	/* Not counted in tx.round_trips, nor the deferred statements read
	 * first: once per statement and session. */
	trips = c->tx.round_trips;
	if (!pg_drain(c)) {
		c->tx.round_trips = trips;
		rc = pg_error_of(c, tx, "preparing a statement", NULL, err);
		goto out;
	}
	c->tx.round_trips = trips;
	res = PQprepare(c->pg, name, text, 0, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_note_error(c, res);
		rc = pg_map_error(c, tx, "preparing a statement", NULL, err);
		goto out;
	}
	s->prepared = true;
	pg_stmt_clear(s);
done:
	*out = s;
out:
	PQclear(res);
	free(text);
	return rc;
}

static void pg_bind_i64(db_stmt *s, int64_t v)
{
	if (s->pos >= s->nparams) {
		s->overbound = true;
		return;
	}
	snprintf(s->nums[s->pos], sizeof(s->nums[s->pos]), "%" PRId64, v);
	s->vals[s->pos] = s->nums[s->pos];
	s->pos++;
}

static void pg_bind_text(db_stmt *s, const char *v)
{
	if (s->pos >= s->nparams) {
		s->overbound = true;
		return;
	}
	s->vals[s->pos++] = v;
}

static void pg_bind_null(db_stmt *s)
{
	if (s->pos >= s->nparams) {
		s->overbound = true;
		return;
	}
	s->vals[s->pos++] = NULL;
}

/* Whether s can be sent: bound whole, on a live connection; else the
 * error is noted for error(). */
static bool pg_stmt_ready(db_stmt *s)
{
	struct pg_conn *c = s->c;

	/* A kept deferred failure is every later call's (pg_error_of):
	 * nothing more goes to the server to overwrite why. */
	if (c->deferred_failed)
		return false;
	if (s->overbound) {
		pg_note_own_error(c, "a statement was bound more parameters "
				     "than it has");
		return false;
	}
	/* Every parameter of the statement bound: our bug if not. */
	assert(s->pos == s->nparams);
	if (c->broken) {
		pg_note_own_error(c, "not reconnected yet");
		c->err_lost = true;
		return false;
	}
	return true;
}

static enum db_step pg_step(db_stmt *s)
{
	struct pg_conn *c = s->c;
	ExecStatusType st;
	char name[16];

	if (s->res) {
		/* The statement ran: the next row of its result. */
		if (++s->row < s->nrows)
			return DB_ROW;
		s->row = s->nrows;
		return DB_DONE;
	}
	if (!pg_stmt_ready(s))
		return DB_ERROR;
	snprintf(name, sizeof(name), "s%u", s->id);
	if (c->piped) {
		/* Behind what is deferred, in the same round trip. */
		if (!pg_send(c, name, NULL, s->nparams,
			     (const char *const *)s->vals, NULL, NULL,
			     ORDO_OK, NULL, NULL) ||
		    !pg_drain_keep(c, &s->res)) {
			PQclear(s->res);
			s->res = NULL;
			return DB_ERROR;
		}
	} else {
		c->tx.round_trips++;
		s->res = PQexecPrepared(c->pg, name, s->nparams,
					(const char *const *)s->vals, NULL,
					NULL, 0);
	}
	st = s->res ? PQresultStatus(s->res) : PGRES_FATAL_ERROR;
	if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
		pg_note_error(c, s->res);
		PQclear(s->res);
		s->res = NULL;
		return DB_ERROR;
	}
	s->nrows = PQntuples(s->res);
	s->row = 0;
	return s->nrows > 0 ? DB_ROW : DB_DONE;
}

static bool pg_has_value(db_stmt *s, int col)
{
	return s->res && s->row < s->nrows && col >= 0 &&
	       col < PQnfields(s->res);
}

static int64_t pg_column_i64(db_stmt *s, int col)
{
	if (!pg_has_value(s, col) || PQgetisnull(s->res, s->row, col))
		return 0;
	return strtoll(PQgetvalue(s->res, s->row, col), NULL, 10);
}

static const char *pg_column_text(db_stmt *s, int col, size_t *len)
{
	if (!pg_has_value(s, col)) {
		if (len)
			*len = 0;
		return "";
	}
	/* A NULL is "" in libpq already. */
	if (len)
		*len = (size_t)PQgetlength(s->res, s->row, col);
	return PQgetvalue(s->res, s->row, col);
}

static bool pg_column_is_null(db_stmt *s, int col)
{
	return !pg_has_value(s, col) || PQgetisnull(s->res, s->row, col);
}

static void pg_reset(db_stmt *s)
{
	if (s)
		pg_stmt_clear(s);
}

static ordo_code pg_error(store_tx *tx, const char *what, const char *field,
			  ordo_err *err)
{
	return pg_error_of(tx->conn, tx, what, field, err);
}

static enum db_step pg_defer(db_stmt *s, const char *what, const char *field,
			     ordo_code if_none, const char *none_field,
			     const char *none_msg)
{
	struct pg_conn *c = s->c;
	char name[16];

	if (!pg_stmt_ready(s))
		return DB_ERROR;
	snprintf(name, sizeof(name), "s%u", s->id);
	if (!pg_send(c, name, NULL, s->nparams,
		     (const char *const *)s->vals, what, field, if_none,
		     none_field, none_msg))
		return DB_ERROR;
	return DB_DONE;
}

static bool pg_deferred_failed(store_tx *tx)
{
	return ((struct pg_conn *)tx->conn)->deferred_failed;
}

static ordo_code pg_flush(store_tx *tx, ordo_err *err)
{
	struct pg_conn *c = tx->conn;

	if (!pg_drain(c))
		return pg_error_of(c, tx, "writing", NULL, err);
	/* A failed statement whose error its caller took in its stride
	 * left the transaction failed: the job cannot stand. */
	if (!c->broken && PQtransactionStatus(c->pg) == PQTRANS_INERROR)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "writing: a statement of the write failed");
	return ORDO_OK;
}

/* ---- transactions -------------------------------------------------------- */

/* Whether nothing has come from the server on c's idle session since it
 * was last read (no notice, no word that it ended), without waiting. */
static bool pg_quiet(struct pg_conn *c)
{
	struct pollfd p = {.fd = PQsocket(c->pg), .events = POLLIN};

	return p.fd >= 0 && poll(&p, 1, 0) == 0;
}

/*
 * BEGIN on c, after a reset if it was broken. A connection that turns out
 * dead at its BEGIN lost nothing yet: it is reset and the BEGIN tried once
 * more. Deferred (a read's), the BEGIN is sent and not waited for: it is
 * answered with the transaction's first statement, one round trip for
 * both. Only on a quiet session, though: one the server has ended since
 * its last use (a restart, a terminated backend) has said so on its
 * socket, and is found dead by a BEGIN waited for, which resets it and
 * tries again, rather than by the read's first statement, which would
 * fail.
 */
static ordo_code pg_begin(struct pg_conn *c, const char *sql, bool deferred,
			  ordo_err *err)
{
	ordo_code rc;
	int attempt;

	for (attempt = 0;; attempt++) {
		rc = pg_conn_ready(c, err);
		if (rc)
			return rc;
		/* The answer of the ROLLBACK a read sent (pg_read_end),
		 * read now: the read that sent it did not wait for it, and
		 * unless this BEGIN comes at once, it is here already. */
		if (c->ending) {
			PGresult *res;

			c->ending = false;
			while ((res = PQgetResult(c->pg)))
				PQclear(res);
		}
		pg_drain_quiet(c);
		/* Left open by a failure: it can only be rolled back. */
		if (!c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
			(void)pg_command(c, "ROLLBACK", false, "ROLLBACK",
					 NULL);
		if (deferred && !c->broken && pg_quiet(c))
			rc = pg_send(c, NULL, sql, 0, NULL, "BEGIN", NULL,
				     ORDO_OK, NULL, NULL)
				     ? ORDO_OK
				     : pg_error_of(c, &c->tx, "BEGIN", NULL,
						   err);
		else
			rc = pg_command(c, sql, false, "BEGIN", err);
		if (!rc || !c->broken || attempt > 0)
			return rc;
	}
}

static ordo_code pg_write_begin(store *st, int writer, store_tx **tx,
				ordo_err *err)
{
	struct pg_store *s = st->impl;
	ordo_code rc;

	*tx = NULL;
	rc = pg_begin(&s->writers[writer], "BEGIN", false, err);
	if (!rc)
		*tx = &s->writers[writer].tx;
	return rc;
}

static ordo_code pg_outbox_begin(store *st, store_tx **tx, ordo_err *err)
{
	struct pg_store *s = st->impl;
	ordo_code rc;

	*tx = NULL;
	pthread_mutex_lock(&s->outbox_mu);
	rc = pg_begin(&s->outbox, "BEGIN", false, err);
	if (rc) {
		pthread_mutex_unlock(&s->outbox_mu);
		return rc;
	}
	*tx = &s->outbox.tx;
	return ORDO_OK;
}

static void pg_outbox_end(store_tx *tx)
{
	struct pg_store *s = tx->st->impl;

	pthread_mutex_unlock(&s->outbox_mu);
}

/* Tuples read by scans and fetched through indexes (pg_int.h,
 * PG_ROWS_READ_SQL). The counts are those not yet flushed to the shared
 * statistics, which PostgreSQL does at most once a second: they may carry
 * earlier transactions' work, and a measure is a difference. */
static ordo_code pg_rows_read(store_tx *tx, int64_t *rows, ordo_err *err)
{
	struct pg_conn *c = tx->conn;
	PGresult *res;
	ordo_code rc = ORDO_OK;

	*rows = 0;
	if (c->broken || !pg_drain(c))
		return pg_command(c, "SELECT 1", true, "reading rows read",
				  err);
	c->tx.round_trips++;
	res = PQexec(c->pg, PG_ROWS_READ_SQL);
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK ||
	    PQntuples(res) != 1) {
		pg_note_error(c, res);
		rc = pg_map_error(c, tx, "reading rows read", NULL, err);
	} else {
		*rows = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	return rc;
}

/* A transaction command sent deferred (SAVEPOINT, RELEASE): its failure,
 * if any, is learned by the next call that waits. */
static ordo_code pg_command_deferred(struct pg_conn *c, const char *sql,
				     const char *what, ordo_err *err)
{
	if (c->broken ||
	    !pg_send(c, NULL, sql, 0, NULL, what, NULL, ORDO_OK, NULL, NULL))
		return pg_error_of(c, &c->tx, what, NULL, err);
	return ORDO_OK;
}

static ordo_code pg_savepoint(store_tx *tx, ordo_err *err)
{
	return pg_command_deferred(tx->conn, "SAVEPOINT ordo_job",
				   "SAVEPOINT", err);
}

static ordo_code pg_release(store_tx *tx, ordo_err *err)
{
	return pg_command_deferred(tx->conn, "RELEASE SAVEPOINT ordo_job",
				   "RELEASE", err);
}

static ordo_code pg_rollback_to(store_tx *tx, ordo_err *err)
{
	/* What the job sent is undone whatever became of it. */
	pg_drain_quiet(tx->conn);
	/* ROLLBACK TO keeps the savepoint open; pop it. One round trip. */
	return pg_command(tx->conn,
			  "ROLLBACK TO SAVEPOINT ordo_job; "
			  "RELEASE SAVEPOINT ordo_job",
			  false, "ROLLBACK TO", err);
}

static ordo_code pg_commit(store_tx *tx, ordo_err *err)
{
	struct pg_conn *c = tx->conn;
	PGresult *res;
	ordo_code rc = ORDO_OK;

	if (!c->broken && !pg_drain(c))
		return pg_error_of(c, tx, "COMMIT", NULL, err);
	/* COMMIT of a failed transaction "succeeds" as a ROLLBACK. */
	if (!c->broken && PQtransactionStatus(c->pg) != PQTRANS_INTRANS)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "COMMIT: the transaction had failed");
	if (c->broken)
		return pg_command(c, "COMMIT", false, "COMMIT", err);
	c->tx.round_trips++;
	res = PQexec(c->pg, "COMMIT");
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		pg_note_error(c, res);
		rc = pg_map_error(c, tx, "COMMIT", NULL, err);
	} else if (strcmp(PQcmdStatus(res), "COMMIT") != 0) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "COMMIT: the database rolled the "
				  "transaction back");
	}
	PQclear(res);
	return rc;
}

static void pg_rollback(store_tx *tx)
{
	struct pg_conn *c = tx->conn;

	if (!c->broken)
		pg_drain_quiet(c);
	if (!c->broken && PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		(void)pg_command(c, "ROLLBACK", false, "ROLLBACK", NULL);
}

static void pg_reader_put(struct pg_store *s, struct pg_conn *c)
{
	pthread_mutex_lock(&s->pool_mu);
	pg_reader_queue(s, c);
	pthread_cond_signal(&s->pool_cv);
	pthread_mutex_unlock(&s->pool_mu);
}

static ordo_code pg_read_begin(store *st, store_tx **tx, ordo_err *err)
{
	struct pg_store *s = st->impl;
	struct pg_conn *c;
	ordo_code rc;

	pthread_mutex_lock(&s->pool_mu);
	while (!s->free_readers)
		pthread_cond_wait(&s->pool_cv, &s->pool_mu);
	c = s->free_readers;
	s->free_readers = c->next_free;
	if (!s->free_readers)
		s->free_last = NULL;
	c->next_free = NULL;
	pthread_mutex_unlock(&s->pool_mu);

	rc = pg_begin(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
		      true, err);
	if (rc) {
		pg_reader_put(s, c);
		return rc;
	}
	*tx = &c->tx;
	return ORDO_OK;
}

static void pg_read_end(store_tx *tx)
{
	struct pg_conn *c = tx->conn;

	/* Nothing to keep from a read-only transaction. Its ROLLBACK is
	 * sent, so that the server ends it now, and its answer left to the
	 * connection's next BEGIN (pg_begin): the caller does not wait a
	 * round trip for it. */
	if (!c->broken && !c->piped &&
	    PQtransactionStatus(c->pg) == PQTRANS_INTRANS &&
	    PQsendQuery(c->pg, "ROLLBACK") == 1) {
		c->ending = true;
		pg_reader_put(tx->st->impl, c);
		return;
	}
	pg_rollback(tx);
	pg_reader_put(tx->st->impl, c);
}

/* ---- migrations ---------------------------------------------------------- */

static void pg_migrations(const struct ordo_embedded **list, size_t *n)
{
	*list = migrations_postgres;
	*n = migrations_postgres_count;
}

static ordo_code pg_exec_script(store_tx *tx, const char *sql, ordo_err *err)
{
	return pg_command(tx->conn, sql, true, "running a script", err);
}

static ordo_code pg_migrate_lock(store_tx *tx, ordo_err *err)
{
	/*
	 * Until the transaction ends: a node waits here while another
	 * migrates (scripts may be long, so the timeouts are raised for this
	 * transaction), then reads the version that one left.
	 */
	return pg_command(tx->conn,
			  "SET LOCAL lock_timeout = '10min'; "
			  "SET LOCAL statement_timeout = '30min'; "
			  "SELECT pg_advisory_xact_lock(" PG_MIGRATE_LOCK ")",
			  true, "taking the migration lock", err);
}

/* ---- the driver ---------------------------------------------------------- */

const struct db_driver db_driver_pg = {
	.name = "postgres",
	.open = pg_open,
	.close = pg_close,
	.write_begin = pg_write_begin,
	.savepoint = pg_savepoint,
	.release = pg_release,
	.rollback_to = pg_rollback_to,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.read_begin = pg_read_begin,
	.read_end = pg_read_end,
	.outbox_begin = pg_outbox_begin,
	.outbox_end = pg_outbox_end,
	.rows_read = pg_rows_read,
	.prepare = pg_prepare,
	.bind_i64 = pg_bind_i64,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.column_i64 = pg_column_i64,
	.column_text = pg_column_text,
	.column_is_null = pg_column_is_null,
	.reset = pg_reset,
	.error = pg_error,
	.defer = pg_defer,
	.flush = pg_flush,
	.deferred_failed = pg_deferred_failed,
	.migrations = pg_migrations,
	.exec_script = pg_exec_script,
	.migrate_lock = pg_migrate_lock,
	.sql_named_lock = "SELECT pg_advisory_xact_lock(hashtextextended(?, 0))",
	.sql_named_lock_shared =
		"SELECT pg_advisory_xact_lock_shared(hashtextextended(?, 0))",
	/* The sequence looked up once (OFFSET 0 keeps the subquery apart),
	 * not for each value drawn. */
	.sql_seqs = "SELECT nextval(q.s) FROM (SELECT CAST("
		    "pg_get_serial_sequence(?, 'seq') AS regclass) AS s "
		    "OFFSET 0) q, generate_series(1, ?)",
	/* The keys of migration 0013: the rest are never deferrable. */
	.sql_checks_deferred = "SET CONSTRAINTS ALL DEFERRED",
	.sql_checks_immediate = "SET CONSTRAINTS ALL IMMEDIATE",
	.sql_named_try_lock = "SELECT CASE WHEN pg_try_advisory_xact_lock("
			      "hashtextextended(?, 0)) THEN 1 ELSE 0 END",
	.sql_table_exists = "SELECT count(*) FROM pg_catalog.pg_tables "
			    "WHERE schemaname = current_schema() "
			    "AND tablename = ?",
	/* Several nodes write at once: lock the rows read to be changed. */
	.row_locks = true,
	/* Each committer's transactions in a server process of its own. */
	.writers_max = STORE_WRITERS_MAX,
	/* GIN keeps no order: migration 0023's spans give it one. */
	.search_by_spans = true,
	.search_by_rarest = true,
};
