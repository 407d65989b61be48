/*
 * pg_int.h - what the PostgreSQL driver's files share (pg.c: connections,
 * statements, transactions; pg_pipe.c: errors and deferred statements).
 * Nothing outside the driver includes it.
 */
#ifndef ORDO_STORE_PG_INT_H
#define ORDO_STORE_PG_INT_H

#include <stdbool.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "store/store_int.h"

/* Deferred statements sent before their outcomes are read, at most: far
 * less than fills the socket buffers with answers nobody reads yet. */
#define PG_PIPELINE_MAX 256

struct db_stmt {
	struct pg_conn *c;
	unsigned id;
	bool prepared; /* on the connection's current session */
	int nparams;   /* the '?' in its SQL */
	int pos;       /* parameters bound since the last reset */
	bool overbound;
	const char **vals; /* nparams values for PQexecPrepared */
	char (*nums)[24];  /* nparams buffers for formatted integers */
	PGresult *res;	   /* the result, from the first step to reset */
	int row;	   /* the current row */
	int nrows;
};

/*
 * Tuples read by scans and fetched through indexes in this transaction,
 * from the statistics PostgreSQL keeps for it before they are flushed:
 * pg_stat_xact_user_tables' seq_tup_read + idx_tup_fetch, summed. That
 * view works out nine counters of each table, grouped over its indexes
 * (about 0.8 ms a call on a 2-core machine); the two counters it sums
 * are read here from each user table and index alone (about half of
 * that). store/test_outbox compares the two.
 */
#define PG_ROWS_READ_SQL                                                       \
	"SELECT coalesce(sum(pg_stat_get_xact_tuples_fetched(c.oid) + "        \
	"CASE c.relkind WHEN 'i' THEN 0 "                                      \
	"ELSE pg_stat_get_xact_tuples_returned(c.oid) END), 0) "               \
	"FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "       \
	"WHERE c.relkind IN ('r', 't', 'm', 'p', 'i') "                        \
	"AND n.nspname <> ALL (ARRAY['pg_catalog', 'information_schema']) "    \
	"AND n.nspname !~ '^pg_toast'"

struct pg_conn {
	PGconn *pg;
	int lock_timeout_ms;
	struct db_stmt stmt[DB_STMT_MAX];
	store_tx tx;
	struct pg_conn *next_free;

	/* Lost and not yet reset; the last failed attempt to reconnect, the
	 * next one, the current backoff. */
	bool broken;
	int64_t failed_at_ms;
	int64_t retry_at_ms;
	int backoff_ms;

	/* A read's ROLLBACK sent, its answer not read yet (pg_read_end). */
	bool ending;

	/* The last error, for error(). */
	bool err_lost;
	char err_state[6];
	char err_msg[256];

	/* DEFERRED STATEMENTS: in pipeline mode, n_pending sent and not yet
	 * read, each with what to map its failure by. */
	bool piped;
	int n_pending;
	struct pg_pending {
		const char *what, *field, *none_field, *none_msg;
		ordo_code if_none;
		unsigned job; /* tx.job when sent */
	} pending[PG_PIPELINE_MAX];
	/* The first deferred failure, for error(): its what and field, and
	 * the code of a statement that returned no row (ORDO_OK when the
	 * server refused it: err_state says why). */
	bool deferred_failed;
	const char *failed_what, *failed_field, *failed_msg;
	ordo_code failed_none;
};

struct pg_store {
	/* One per committer (committer.c), n_writers of them. */
	struct pg_conn *writers;
	int n_writers;
	/* The outbox's own writer, one thread at a time (outbox_mu). */
	struct pg_conn outbox;
	pthread_mutex_t outbox_mu;
	struct pg_conn *readers;
	int n_readers;
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv; /* a reader was returned */
	/* The readers free, the one returned longest ago first: a read's
	 * ROLLBACK is answered (pg_read_end) before its connection is
	 * taken again. */
	struct pg_conn *free_readers, *free_last;
	/* When a connection last reconnected (pg_now_ms), any of them. */
	_Atomic int64_t up_at_ms;
};

/* ---- errors and deferred statements (pg_pipe.c) ------------------------- */

void pg_msg_copy(char *dst, size_t size, const char *msg);
void pg_note_error(struct pg_conn *c, const PGresult *res);
void pg_note_own_error(struct pg_conn *c, const char *msg);
ordo_code pg_map_error(struct pg_conn *c, store_tx *tx, const char *what,
		       const char *field, ordo_err *err);
bool pg_drain_keep(struct pg_conn *c, PGresult **last);
bool pg_drain(struct pg_conn *c);
void pg_drain_quiet(struct pg_conn *c);
bool pg_send(struct pg_conn *c, const char *name, const char *sql,
	     int nparams, const char *const *vals, const char *what,
	     const char *field, ordo_code if_none, const char *none_field,
	     const char *none_msg);
ordo_code pg_error_of(struct pg_conn *c, store_tx *tx, const char *what,
		      const char *field, ordo_err *err);
ordo_code pg_command(struct pg_conn *c, const char *sql, bool rows_ok,
		     const char *what, ordo_err *err);

#endif
