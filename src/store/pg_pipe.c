/*
 * pg_pipe.c - the PostgreSQL driver's errors and deferred statements
 * (pg_int.h; the rest of the driver is pg.c).
 *
 * DEFERRED STATEMENTS (db.h)
 *
 * A deferred statement is sent in pipeline mode (PQsendQueryPrepared) and
 * its outcome left unread; SAVEPOINT and RELEASE of a job are sent so
 * too. The connection leaves pipeline mode before anything that waits for
 * an answer (every other statement, prepare, transaction command): it
 * sends a sync, reads every pending outcome in order (the first failure
 * is kept; the server skips what follows it until the sync) and exits
 * pipeline mode, then runs what came. A kept failure is that call's
 * error, mapped as the deferred statement asked. What a job sends travels
 * with its next read, the next job's first, or the batch's end: the
 * committer does not wait at each job's end. A failure of a statement an
 * earlier job sent (store_tx.late_failure) makes the committer run the
 * batch again, waiting at each job's end, where every failure is its own
 * job's.
 *
 * ERRORS (SQLSTATE)
 *
 *     23505 unique violation               -> ORDO_ECONFLICT (field named)
 *     23503 foreign key violation          -> ORDO_ENOTFOUND "tenant_id"
 *     40001 serialization, 40P01 deadlock,
 *     55P03 lock not available (timeout)   -> ORDO_ESTORAGE, retryable
 *     the connection lost (above)          -> ORDO_EUNAVAILABLE
 *     anything else                        -> ORDO_ESTORAGE with the
 *                                             server's message
 *
 */
#include "store/pg_int.h"

#include <string.h>

/* ---- errors -------------------------------------------------------------- */


/* Copy a libpq message as one line: its newlines and tabs become spaces,
 * the trailing ones go. */
void pg_msg_copy(char *dst, size_t size, const char *msg)
{
	size_t n, i;

	ordo_strlcpy(dst, msg && msg[0] ? msg : "the database gave no reason",
		     size);
	n = strlen(dst);
	while (n > 0 && (dst[n - 1] == '\n' || dst[n - 1] == ' '))
		dst[--n] = '\0';
	for (i = 0; i < n; i++)
		if (dst[i] == '\n' || dst[i] == '\t')
			dst[i] = ' ';
}

/* Does this SQLSTATE (or its absence) mean the connection is gone? */
static bool pg_state_lost(const char *state)
{
	if (!state || !state[0])
		return true;
	return strncmp(state, "08", 2) == 0 || strcmp(state, "57P01") == 0 ||
	       strcmp(state, "57P02") == 0 || strcmp(state, "57P03") == 0;
}

/* Remember why res (NULL: libpq returned none) failed on c. */
void pg_note_error(struct pg_conn *c, const PGresult *res)
{
	const char *state = NULL, *msg = NULL;

	if (res) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		if (!msg || !msg[0])
			msg = PQresultErrorMessage(res);
	}
	if (!msg || !msg[0])
		msg = PQerrorMessage(c->pg);
	ordo_strlcpy(c->err_state, state ? state : "", sizeof(c->err_state));
	pg_msg_copy(c->err_msg, sizeof(c->err_msg), msg);
	c->err_lost = PQstatus(c->pg) != CONNECTION_OK || pg_state_lost(state);
	if (c->err_lost)
		c->broken = true;
}

/* Remember an error of the driver's own (not the server's). */
void pg_note_own_error(struct pg_conn *c, const char *msg)
{
	c->err_lost = false;
	c->err_state[0] = '\0';
	ordo_strlcpy(c->err_msg, msg, sizeof(c->err_msg));
}

ordo_code pg_map_error(struct pg_conn *c, store_tx *tx,
			      const char *what, const char *field,
			      ordo_err *err)
{
	if (c->err_lost)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "%s: the database connection was lost: %s",
				    what, c->err_msg);
	if (strcmp(c->err_state, "23505") == 0)
		return ordo_err_set(err, ORDO_ECONFLICT, field,
				    "%s: %s is already taken", what,
				    field ? field : "the key");
	if (strcmp(c->err_state, "23503") == 0)
		return ordo_err_set(err, ORDO_ENOTFOUND, "tenant_id",
				    "%s: the tenant or a row it refers to "
				    "does not exist",
				    what);
	/* Another transaction was in the way; this one was fine. */
	if (strcmp(c->err_state, "40001") == 0 ||
	    strcmp(c->err_state, "40P01") == 0 ||
	    strcmp(c->err_state, "55P03") == 0)
		tx->retryable = true;
	return ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s: %s", what,
			    c->err_msg);
}

/* ---- deferred statements -------------------------------------------------- */

/* Note the deferred failure of pending[i] (res: the server's answer). */
static void pg_pending_failed(struct pg_conn *c, int i, const PGresult *res,
			      ordo_code if_none)
{
	if (c->deferred_failed)
		return;
	c->deferred_failed = true;
	/* Sent by a job before the running one, which stood unflushed
	 * (store_int.h, store_tx.job). */
	if (c->pending[i].job != c->tx.job)
		c->tx.late_failure = true;
	c->failed_what = c->pending[i].what;
	c->failed_field = if_none != ORDO_OK && c->pending[i].none_field
				  ? c->pending[i].none_field
				  : c->pending[i].field;
	c->failed_none = if_none;
	c->failed_msg = c->pending[i].none_msg;
	if (if_none == ORDO_OK)
		pg_note_error(c, res);
}

/*
 * Read the outcome of every deferred statement and leave pipeline mode;
 * with last, the last one sent is a statement that waits, whose result is
 * handed over in *last rather than judged. False when a deferred one
 * failed (deferred_failed says which) or the connection broke (err_lost).
 */
bool pg_drain_keep(struct pg_conn *c, PGresult **last)
{
	PGresult *res;
	int i;

	if (!c->piped)
		return !c->deferred_failed;
	c->tx.round_trips++;
	if (PQpipelineSync(c->pg) != 1)
		goto lost;
	for (i = 0; i < c->n_pending; i++) {
		ExecStatusType st;

		res = PQgetResult(c->pg);
		if (!res)
			goto lost;
		st = PQresultStatus(res);
		if (last && i == c->n_pending - 1) {
			*last = res;
			res = NULL;
		} else if (st == PGRES_TUPLES_OK && PQntuples(res) == 0 &&
			   c->pending[i].if_none != ORDO_OK) {
			pg_pending_failed(c, i, res, c->pending[i].if_none);
		} else if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
			   st != PGRES_PIPELINE_ABORTED) {
			pg_pending_failed(c, i, res, ORDO_OK);
		}
		PQclear(res);
		/* Each statement's results end with a NULL. */
		res = PQgetResult(c->pg);
		if (res) {
			PQclear(res);
			goto lost;
		}
	}
	res = PQgetResult(c->pg);
	if (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC) {
		PQclear(res);
		goto lost;
	}
	PQclear(res);
	if (PQexitPipelineMode(c->pg) != 1)
		goto lost;
	c->piped = false;
	c->n_pending = 0;
	return !c->deferred_failed;
lost:
	/* Whatever was pending is lost with the connection. */
	if (last) {
		PQclear(*last);
		*last = NULL;
	}
	pg_note_error(c, NULL);
	c->broken = true;
	c->err_lost = true;
	c->piped = false;
	c->n_pending = 0;
	c->deferred_failed = false;
	return false;
}

bool pg_drain(struct pg_conn *c)
{
	return pg_drain_keep(c, NULL);
}

/* Forget a kept deferred failure: the job it failed is being undone. */
void pg_drain_quiet(struct pg_conn *c)
{
	(void)pg_drain(c);
	c->deferred_failed = false;
}

/* Send a statement deferred: named prepared one, or sql (no params). */
bool pg_send(struct pg_conn *c, const char *name, const char *sql,
		    int nparams, const char *const *vals, const char *what,
		    const char *field, ordo_code if_none,
		    const char *none_field, const char *none_msg)
{
	int sent;

	if (c->n_pending == PG_PIPELINE_MAX && !pg_drain(c))
		return false;
	if (c->deferred_failed)
		return false;
	if (!c->piped) {
		if (PQenterPipelineMode(c->pg) != 1) {
			pg_note_error(c, NULL);
			return false;
		}
		c->piped = true;
	}
	if (name)
		sent = PQsendQueryPrepared(c->pg, name, nparams, vals, NULL,
					   NULL, 0);
	else
		sent = PQsendQueryParams(c->pg, sql, 0, NULL, NULL, NULL, NULL,
					 0);
	if (sent != 1) {
		pg_note_error(c, NULL);
		return false;
	}
	c->pending[c->n_pending].what = what;
	c->pending[c->n_pending].field = field;
	c->pending[c->n_pending].if_none = if_none;
	c->pending[c->n_pending].none_field = none_field;
	c->pending[c->n_pending].none_msg = none_msg;
	c->pending[c->n_pending].job = c->tx.job;
	c->n_pending++;
	return true;
}

/*
 * Map the connection's error: a deferred statement's, first. That stays
 * the job's failure until the job is undone (pg_drain_quiet): a caller
 * that takes an error in its stride (a missing row it may create) must
 * not end it, since every later call and the job's flush fail with it.
 */
ordo_code pg_error_of(struct pg_conn *c, store_tx *tx,
			     const char *what, const char *field,
			     ordo_err *err)
{
	if (c->deferred_failed) {
		what = c->failed_what;
		field = c->failed_field;
		if (c->failed_none != ORDO_OK)
			return ordo_err_set(err, c->failed_none, field,
					    "%s: %s", what,
					    c->failed_msg ? c->failed_msg
							  : "no row");
	}
	return pg_map_error(c, tx, what, field, err);
}

/*
 * Run one or more statements without parameters (transaction control, SET,
 * a script); rows_ok when the last may answer rows, which are dropped.
 */
ordo_code pg_command(struct pg_conn *c, const char *sql, bool rows_ok,
			    const char *what, ordo_err *err)
{
	PGresult *res;
	ExecStatusType st;
	ordo_code rc = ORDO_OK;

	if (!c->broken && !pg_drain(c))
		return pg_error_of(c, &c->tx, what, NULL, err);
	if (c->broken) {
		c->err_lost = true;
		ordo_strlcpy(c->err_msg, "not reconnected yet",
			     sizeof(c->err_msg));
		return pg_map_error(c, &c->tx, what, NULL, err);
	}
	c->tx.round_trips++;
	res = PQexec(c->pg, sql);
	st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (st != PGRES_COMMAND_OK && !(rows_ok && st == PGRES_TUPLES_OK)) {
		pg_note_error(c, res);
		rc = pg_map_error(c, &c->tx, what, NULL, err);
	}
	PQclear(res);
	return rc;
}

