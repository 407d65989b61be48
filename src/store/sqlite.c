/*
 * sqlite.c - the SQLite driver of the store (see db.h): connections, the
 * read pool, a cache of prepared statements per connection, the statement
 * primitives sql_*.c run every data operation with, and the mapping of
 * SQLite's errors. No data operation is written here.
 *
 * CONNECTIONS
 *
 *     writer   one connection, used only by the committer thread (committer.c):
 *              journal_mode=WAL, synchronous=FULL (a commit is on disk when
 *              COMMIT returns), foreign_keys=ON, busy_timeout from options.
 *     outbox   a second writer for the outbox's short transactions
 *              (outbox_begin): BEGIN IMMEDIATE, waiting out the committer's
 *              transaction under the busy timeout, as it waits out these.
 *     readers  opts->read_pool_size connections with query_only=ON, checked
 *              out by read_begin (waiting on a condition when all are out)
 *              and returned by read_end. In WAL mode a reader's deferred
 *              BEGIN pins a snapshot at its first read and never waits for
 *              the writer, nor the writer for it.
 *
 * Each connection has its own store_tx (tx->conn points back at it) and its
 * own statement cache: DB_STMT_MAX slots for the numbers of sql_int.h and a
 * few of the driver's own for transaction control (sq_ctl_sql[]). Statements
 * are prepared on first use, kept for the life of the connection, and reset
 * after every use. Bound text is SQLITE_STATIC: the caller keeps it alive
 * until the reset, as db.h requires.
 *
 * ERRORS
 *
 *     SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY  -> ORDO_ECONFLICT (field named)
 *     SQLITE_CONSTRAINT_FOREIGNKEY            -> ORDO_ENOTFOUND "tenant_id"
 *     SQLITE_BUSY / SQLITE_LOCKED             -> ORDO_ESTORAGE, retryable
 *     SQLITE_FULL                             -> ORDO_EUNAVAILABLE "the
 *                                                database is full"
 *     SQLITE_IOERR_* (but _NOMEM)             -> ORDO_EUNAVAILABLE "the
 *                                                database could not be
 *                                                written" (or read)
 *     anything else                           -> ORDO_ESTORAGE with
 *                                                sqlite3_errmsg()
 *
 * DISK FULL, DISK FAILING. A disk with no space left, or one that fails a
 * write, is the operator's to fix, not the write's fault: the write is
 * answered ORDO_EUNAVAILABLE (503, try again later). SQLite undoes the
 * statement, or the whole transaction, that met it (a failed COMMIT leaves
 * nothing of the batch in the database: the WAL frames it wrote are not
 * in the WAL's index, and the next commit writes over them); the
 * connection then carries on as it was, so the first write after space
 * returns succeeds with nothing to reopen. When SQLite rolled the whole
 * transaction back by itself, the next savepoint move of the batch finds
 * it gone (sq_check_in_tx) and says why: the fault the connection met
 * (sq_conn.fault), so that every job of the batch is answered 503 too.
 * An fsync that fails (SQLITE_IOERR_FSYNC) is the one case whose outcome
 * is not certain: the frames were written, and the recovery after a crash
 * (before the next commit wrote over them) would find them again.
 *
 * For tests, store_options.test_io_faults opens every connection through
 * a VFS that fails writes on demand (sqlite_faults.c).
 */
#include "store/store_int.h"
#include "store/sqlite_faults.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

extern const struct ordo_embedded migrations_sqlite[];
extern const size_t migrations_sqlite_count;

/* ---- connections and the pool -------------------------------------------- */

/* The driver's own statements: transaction control. */
enum sq_ctl {
	SQ_BEGIN,
	SQ_BEGIN_IMMEDIATE,
	SQ_SAVEPOINT,
	SQ_RELEASE,
	SQ_ROLLBACK_TO,
	SQ_COMMIT,
	SQ_ROLLBACK,
	SQ_CTL_COUNT
};

static const char *const sq_ctl_sql[SQ_CTL_COUNT] = {
	[SQ_BEGIN] = "BEGIN",
	[SQ_BEGIN_IMMEDIATE] = "BEGIN IMMEDIATE",
	[SQ_SAVEPOINT] = "SAVEPOINT ordo_job",
	[SQ_RELEASE] = "RELEASE ordo_job",
	[SQ_ROLLBACK_TO] = "ROLLBACK TO ordo_job",
	[SQ_COMMIT] = "COMMIT",
	[SQ_ROLLBACK] = "ROLLBACK",
};

struct db_stmt {
	sqlite3_stmt *s; /* NULL until first prepared */
	struct sq_conn *c; /* its connection */
	int pos;	 /* parameters bound since the last reset */
	int r;		 /* the first binding error, SQLITE_OK if none */
};

struct sq_conn {
	sqlite3 *db;
	struct db_stmt stmt[DB_STMT_MAX];
	struct db_stmt ctl[SQ_CTL_COUNT];
	store_tx tx;
	struct sq_conn *next_free;
	/* Virtual machine steps of the statements run since the last BEGIN:
	 * the work of the transaction (rows_read). */
	int64_t steps;
	/* The last disk fault (SQLITE_FULL, SQLITE_IOERR_*) a statement met
	 * since the write transaction began; 0 if none (DISK FULL). */
	int fault;
};

struct sq_store {
	char path[4096]; /* the database file, for backups */
	/* The VFS its connections open with: NULL, SQLite's default, but
	 * for tests (sqlite_faults.c). */
	const char *vfs;
	struct sq_conn writer;
	/* The outbox's own writer, one thread at a time (outbox_mu). */
	struct sq_conn outbox;
	pthread_mutex_t outbox_mu;
	struct sq_conn *readers;
	int n_readers;
	pthread_mutex_t pool_mu;
	pthread_cond_t pool_cv; /* a reader was returned */
	struct sq_conn *free_readers;

	/* CHECKPOINTS: the checkpointer's thread and connection. */
	struct sq_conn checkpointer;
	pthread_t ckpt_thread;
	bool ckpt_started;
	pthread_mutex_t ckpt_mu;
	pthread_cond_t ckpt_cv; /* wanted or stop */
	bool ckpt_wanted;
	bool ckpt_stop;
};

/*
 * CHECKPOINTS. In WAL mode every commit appends pages to the -wal file,
 * and a checkpoint copies them back into the database (and fsyncs it) so
 * that the WAL can start over. SQLite runs that checkpoint, by default,
 * inside the commit that takes the WAL past 1,000 pages - on the
 * committer's thread, which every writer waits for. Here the writers' WAL
 * hook only asks the checkpointer thread, on a connection of its own, to
 * run a PASSIVE checkpoint (one that never waits for readers or writers)
 * once the WAL holds SQ_WAL_CHECKPOINT_PAGES; the committer goes on
 * committing meanwhile. Should the checkpointer fall behind (a long
 * reader keeping it from finishing), the writer itself checkpoints past
 * SQ_WAL_MAX_PAGES, so the WAL stays bounded.
 */
static int sq_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
	struct sq_store *s = arg;

	if (pages >= SQ_WAL_MAX_PAGES) {
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
		return SQLITE_OK;
	}
	if (pages >= SQ_WAL_CHECKPOINT_PAGES) {
		pthread_mutex_lock(&s->ckpt_mu);
		s->ckpt_wanted = true;
		pthread_cond_signal(&s->ckpt_cv);
		pthread_mutex_unlock(&s->ckpt_mu);
	}
	return SQLITE_OK;
}

static void *sq_checkpointer_main(void *arg)
{
	store *st = arg;
	struct sq_store *s = st->impl;

	pthread_mutex_lock(&s->ckpt_mu);
	for (;;) {
		while (!s->ckpt_wanted && !s->ckpt_stop)
			pthread_cond_wait(&s->ckpt_cv, &s->ckpt_mu);
		if (s->ckpt_stop)
			break;
		s->ckpt_wanted = false;
		pthread_mutex_unlock(&s->ckpt_mu);
		if (sqlite3_wal_checkpoint_v2(s->checkpointer.db, NULL,
					      SQLITE_CHECKPOINT_PASSIVE, NULL,
					      NULL) == SQLITE_OK)
			store_note_checkpoint(st);
		pthread_mutex_lock(&s->ckpt_mu);
	}
	pthread_mutex_unlock(&s->ckpt_mu);
	return NULL;
}

static void sq_conn_close(struct sq_conn *c)
{
	size_t i;

	for (i = 0; i < DB_STMT_MAX; i++) {
		sqlite3_finalize(c->stmt[i].s);
		c->stmt[i].s = NULL;
	}
	for (i = 0; i < SQ_CTL_COUNT; i++) {
		sqlite3_finalize(c->ctl[i].s);
		c->ctl[i].s = NULL;
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

/*
 * Make path, which must not exist (else EEXIST), an empty file readable
 * and writable by its owner alone: it will hold customers' addresses and
 * webhook secrets, and SQLite would create it as the umask allows (0644
 * as a rule), its WAL and shared-memory files with the same mode as it.
 * Never opens a file that exists: closing any descriptor of a database
 * file drops every POSIX lock this process holds on it, SQLite's among
 * them. An error in errno, else 0.
 */
/* Take group's and others' bits off path, when it exists and is ours to
 * change (best effort: a file shared on purpose through a group the
 * operator set up keeps working). */
static void sq_make_private(const char *path)
{
	struct stat sb;

	if (stat(path, &sb) == 0 && (sb.st_mode & 077))
		(void)chmod(path, sb.st_mode & 0700);
}

/* A database made before its files were private: made so now, with the
 * WAL and shared memory SQLite made beside it in its mode. */
static void sq_db_make_private(const char *path)
{
	char side[PATH_MAX + 8];

	sq_make_private(path);
	snprintf(side, sizeof(side), "%s-wal", path);
	sq_make_private(side);
	snprintf(side, sizeof(side), "%s-shm", path);
	sq_make_private(side);
}

static int sq_create_private(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		      S_IRUSR | S_IWUSR);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static ordo_code sq_conn_open(store *st, struct sq_conn *c, const char *path,
			      bool writer, const store_options *opts,
			      ordo_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
	ordo_code rc = ORDO_OK;
	int r;

	memset(c, 0, sizeof(*c));
	if (writer) {
		int e = sq_create_private(path);

		if (e == EEXIST)
			sq_db_make_private(path);
		if (e && e != EEXIST)
			return ordo_err_set(err, ORDO_ESTORAGE, "url",
					    "cannot open database \"%.128s\": "
					    "%s",
					    path, strerror(e));
		flags |= SQLITE_OPEN_CREATE;
	}
	r = sqlite3_open_v2(path, &c->db, flags,
			    ((struct sq_store *)st->impl)->vfs);
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
		/* Each job runs in a savepoint, whose statement journal
		 * passes SQLite's 64 KiB for most orders and would spill to
		 * a temporary file: kept in memory it costs a batch's worth
		 * at most, and no file writes and syncs outside the WAL. */
		rc = sq_pragma(c, "PRAGMA temp_store = MEMORY", NULL, err);
		if (rc)
			goto out;
	} else {
		rc = sq_pragma(c, "PRAGMA query_only = ON", NULL, err);
		if (rc)
			goto out;
	}
	c->tx.st = st;
	c->tx.db = &db_driver_sqlite;
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
	if (s->ckpt_started) {
		pthread_mutex_lock(&s->ckpt_mu);
		s->ckpt_stop = true;
		pthread_cond_signal(&s->ckpt_cv);
		pthread_mutex_unlock(&s->ckpt_mu);
		pthread_join(s->ckpt_thread, NULL);
	}
	sq_conn_close(&s->checkpointer);
	pthread_cond_destroy(&s->ckpt_cv);
	pthread_mutex_destroy(&s->ckpt_mu);
	for (i = 0; i < s->n_readers; i++)
		sq_conn_close(&s->readers[i]);
	free(s->readers);
	sq_conn_close(&s->outbox);
	pthread_mutex_destroy(&s->outbox_mu);
	/* The writer goes last: closing the last connection checkpoints. */
	sq_conn_close(&s->writer);
	pthread_cond_destroy(&s->pool_cv);
	pthread_mutex_destroy(&s->pool_mu);
	free(s);
	st->impl = NULL;
}

/*
 * SQLite keeps statistics of its memory by default, taking a global mutex
 * around every allocation of every connection: thousands per second on the
 * committer alone, contended by the readers. ordo reads none of them. The
 * setting must come before SQLite is first used; if something used it
 * first, SQLite refuses it and all that is lost is the saving.
 */
static pthread_once_t sq_configured = PTHREAD_ONCE_INIT;

static void sq_configure(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
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
	pthread_once(&sq_configured, sq_configure);
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
	if (pthread_mutex_init(&s->outbox_mu, NULL) != 0) {
		pthread_cond_destroy(&s->pool_cv);
		pthread_mutex_destroy(&s->pool_mu);
		free(s);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create the outbox's mutex");
	}
	if (pthread_mutex_init(&s->ckpt_mu, NULL) != 0 ||
	    pthread_cond_init(&s->ckpt_cv, NULL) != 0) {
		pthread_mutex_destroy(&s->outbox_mu);
		pthread_cond_destroy(&s->pool_cv);
		pthread_mutex_destroy(&s->pool_mu);
		free(s);
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "cannot create the checkpointer's lock");
	}
	st->impl = s;
	if (ordo_strlcpy(s->path, path, sizeof(s->path)) != 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "url",
				  "the database path is too long");
		goto out;
	}

	if (opts->test_io_faults) {
		rc = sq_faults_vfs(opts->test_io_faults, &s->vfs, err);
		if (rc)
			goto out;
	}

	/* The writer first: it creates the file and switches it to WAL. */
	rc = sq_conn_open(st, &s->writer, path, true, opts, err);
	if (rc)
		goto out;
	rc = sq_conn_open(st, &s->outbox, path, true, opts, err);
	if (rc)
		goto out;
	rc = sq_conn_open(st, &s->checkpointer, path, true, opts, err);
	if (rc)
		goto out;
	sqlite3_wal_hook(s->writer.db, sq_wal_hook, s);
	sqlite3_wal_hook(s->outbox.db, sq_wal_hook, s);
	if (pthread_create(&s->ckpt_thread, NULL, sq_checkpointer_main, st) !=
	    0) {
		rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
				  "cannot start the checkpointer thread");
		goto out;
	}
	s->ckpt_started = true;
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

/* ---- statements ---------------------------------------------------------- */

/* Prepare sql into slot s of connection c unless it is there already. */
static ordo_code sq_prepare_slot(struct sq_conn *c, struct db_stmt *s,
				 const char *sql, ordo_err *err)
{
	int r;

	if (s->s)
		return ORDO_OK;
	r = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
			       &s->s, NULL);
	if (r != SQLITE_OK) {
		sqlite3_finalize(s->s);
		s->s = NULL;
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "preparing a statement: %s",
				    sqlite3_errmsg(c->db));
	}
	s->c = c;
	s->pos = 0;
	s->r = SQLITE_OK;
	return ORDO_OK;
}

static ordo_code sq_prepare(store_tx *tx, unsigned id, const char *sql,
			    db_stmt **out, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	ordo_code rc;

	assert(id < DB_STMT_MAX && sql);
	*out = NULL;
	rc = sq_prepare_slot(c, &c->stmt[id], sql, err);
	if (!rc)
		*out = &c->stmt[id];
	return rc;
}

static void sq_bind_i64(db_stmt *s, int64_t v)
{
	s->pos++;
	if (s->r == SQLITE_OK)
		s->r = sqlite3_bind_int64(s->s, s->pos, v);
}

static void sq_bind_text(db_stmt *s, const char *v)
{
	s->pos++;
	if (s->r == SQLITE_OK)
		s->r = sqlite3_bind_text(s->s, s->pos, v, -1, SQLITE_STATIC);
}

static void sq_bind_null(db_stmt *s)
{
	s->pos++;
	if (s->r == SQLITE_OK)
		s->r = sqlite3_bind_null(s->s, s->pos);
}

static enum db_step sq_step(db_stmt *s)
{
	int r;

	/* A failed bind left its error on the connection for error(). */
	if (s->r != SQLITE_OK)
		return DB_ERROR;
	/* Every parameter of the statement bound, no more: our bug if not. */
	assert(s->pos == sqlite3_bind_parameter_count(s->s));
	r = sqlite3_step(s->s);
	if (r == SQLITE_ROW)
		return DB_ROW;
	if (r == SQLITE_DONE)
		return DB_DONE;
	return DB_ERROR;
}

static int64_t sq_column_i64(db_stmt *s, int col)
{
	return sqlite3_column_int64(s->s, col);
}

static const char *sq_column_text(db_stmt *s, int col, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(s->s, col);

	/* After column_text: the length of the text form. */
	if (len)
		*len = t ? (size_t)sqlite3_column_bytes(s->s, col) : 0;
	return t ? (const char *)t : "";
}

static bool sq_column_is_null(db_stmt *s, int col)
{
	return sqlite3_column_type(s->s, col) == SQLITE_NULL;
}

static void sq_reset(db_stmt *s)
{
	if (!s || !s->s)
		return;
	s->c->steps += sqlite3_stmt_status(s->s, SQLITE_STMTSTATUS_VM_STEP, 1);
	sqlite3_reset(s->s);
	sqlite3_clear_bindings(s->s);
	s->pos = 0;
	s->r = SQLITE_OK;
}

/* Is e, an extended result code, the disk under the database full or
 * failing (DISK FULL)? Out of memory is not, whatever its class. */
static bool sq_is_disk_fault(int e)
{
	return (e & 0xff) == SQLITE_FULL ||
	       ((e & 0xff) == SQLITE_IOERR && e != SQLITE_IOERR_NOMEM);
}

/* The error of disk fault e met by what: the database unavailable until
 * the operator makes room or mends the disk. */
static ordo_code sq_disk_fault(int e, const char *what, ordo_err *err)
{
	if ((e & 0xff) == SQLITE_FULL)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "the database is full: no space is left "
				    "on its disk (%s)",
				    what);
	if (e == SQLITE_IOERR_READ || e == SQLITE_IOERR_SHORT_READ)
		return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
				    "the database could not be read: disk "
				    "I/O error (%s)",
				    what);
	return ordo_err_set(err, ORDO_EUNAVAILABLE, NULL,
			    "the database could not be written: disk I/O "
			    "error%s (%s)",
			    e == SQLITE_IOERR_FSYNC ? " flushing it" : "",
			    what);
}

static ordo_code sq_error(store_tx *tx, const char *what, const char *field,
			  ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	int e = sqlite3_extended_errcode(c->db);

	if (sq_is_disk_fault(e)) {
		c->fault = e;
		return sq_disk_fault(e, what, err);
	}
	switch (e) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return ordo_err_set(err, ORDO_ECONFLICT, field,
				    "%s: %s is already taken", what,
				    field ? field : "the key");
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return ordo_err_set(err, ORDO_ENOTFOUND, "tenant_id",
				    "%s: the tenant or a row it refers to "
				    "does not exist",
				    what);
	default:
		/* Another connection held the lock past busy_timeout: the
		 * transaction itself was fine. */
		if ((e & 0xff) == SQLITE_BUSY || (e & 0xff) == SQLITE_LOCKED)
			tx->retryable = true;
		return ordo_err_set(err, ORDO_ESTORAGE, NULL, "%s: %s", what,
				    sqlite3_errmsg(c->db));
	}
}

/* ---- transactions -------------------------------------------------------- */

static ordo_code sq_run_ctl(store_tx *tx, enum sq_ctl id, ordo_err *err)
{
	struct sq_conn *c = tx->conn;
	struct db_stmt *s = &c->ctl[id];
	ordo_code rc;

	rc = sq_prepare_slot(c, s, sq_ctl_sql[id], err);
	if (rc)
		goto out;
	if (sq_step(s) == DB_ERROR)
		rc = sq_error(tx, sq_ctl_sql[id], NULL, err);
out:
	sq_reset(s);
	return rc;
}

/* The write transaction must still be open after every savepoint move; SQLite
 * rolls it back by itself on some errors (disk full, I/O): then the error is
 * the fault that made it (DISK FULL). */
static ordo_code sq_check_in_tx(store_tx *tx, const char *what, ordo_err *err)
{
	struct sq_conn *c = tx->conn;

	if (sqlite3_get_autocommit(c->db) && c->fault) {
		char where[64];

		snprintf(where, sizeof(where), "%s: the transaction was "
			 "rolled back", what);
		return sq_disk_fault(c->fault, where, err);
	}
	if (sqlite3_get_autocommit(c->db))
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "%s: the database rolled the transaction "
				    "back",
				    what);
	return ORDO_OK;
}

static ordo_code sq_write_begin(store *st, int writer, store_tx **tx,
				ordo_err *err)
{
	struct sq_store *s = st->impl;
	ordo_code rc;

	(void)writer; /* always 0: writers_max is 1 */
	*tx = &s->writer.tx;
	s->writer.steps = 0;
	s->writer.fault = 0;
	rc = sq_run_ctl(*tx, SQ_BEGIN_IMMEDIATE, err);
	if (rc)
		*tx = NULL;
	return rc;
}

static ordo_code sq_outbox_begin(store *st, store_tx **tx, ordo_err *err)
{
	struct sq_store *s = st->impl;
	ordo_code rc;

	pthread_mutex_lock(&s->outbox_mu);
	*tx = &s->outbox.tx;
	s->outbox.fault = 0;
	rc = sq_run_ctl(*tx, SQ_BEGIN_IMMEDIATE, err);
	s->outbox.steps = 0;
	if (rc) {
		*tx = NULL;
		pthread_mutex_unlock(&s->outbox_mu);
	}
	return rc;
}

static void sq_outbox_end(store_tx *tx)
{
	struct sq_store *s = tx->st->impl;

	pthread_mutex_unlock(&s->outbox_mu);
}

static ordo_code sq_rows_read(store_tx *tx, int64_t *rows, ordo_err *err)
{
	struct sq_conn *c = tx->conn;

	(void)err;
	*rows = c->steps;
	return ORDO_OK;
}

static ordo_code sq_savepoint(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_run_ctl(tx, SQ_SAVEPOINT, err);

	return rc ? rc : sq_check_in_tx(tx, "SAVEPOINT", err);
}

static ordo_code sq_release(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_check_in_tx(tx, "RELEASE", err);

	return rc ? rc : sq_run_ctl(tx, SQ_RELEASE, err);
}

static ordo_code sq_rollback_to(store_tx *tx, ordo_err *err)
{
	ordo_code rc;

	rc = sq_check_in_tx(tx, "ROLLBACK TO", err);
	if (rc)
		goto out;
	rc = sq_run_ctl(tx, SQ_ROLLBACK_TO, err);
	if (rc)
		goto out;
	/* ROLLBACK TO keeps the savepoint open; pop it. */
	rc = sq_run_ctl(tx, SQ_RELEASE, err);
out:
	return rc;
}

static ordo_code sq_commit(store_tx *tx, ordo_err *err)
{
	ordo_code rc = sq_check_in_tx(tx, "COMMIT", err);

	return rc ? rc : sq_run_ctl(tx, SQ_COMMIT, err);
}

static void sq_rollback(store_tx *tx)
{
	struct sq_conn *c = tx->conn;

	if (!sqlite3_get_autocommit(c->db))
		(void)sq_run_ctl(tx, SQ_ROLLBACK, NULL);
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

	c->steps = 0;
	rc = sq_run_ctl(&c->tx, SQ_BEGIN, err);
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
	    sq_run_ctl(tx, SQ_COMMIT, NULL) != ORDO_OK)
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

/* ---- the driver ---------------------------------------------------------- */

/*
 * Online backup: a connection of its own reads a consistent snapshot (WAL
 * lets it while the committer goes on writing) and copies every page to
 * dest, which must not exist yet. The copy is a complete database file.
 */
static ordo_code sq_backup(store *st, const char *dest, ordo_err *err)
{
	struct sq_store *s = st->impl;
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b;
	ordo_code rc = ORDO_OK;
	int r;

	int e = sq_create_private(dest);

	if (e == EEXIST)
		return ordo_err_set(err, ORDO_ECONFLICT, "to",
				    "\"%s\" exists already; back up to a new "
				    "file",
				    dest);
	if (e)
		return ordo_err_set(err, ORDO_ESTORAGE, "to",
				    "cannot create \"%s\" for the backup: %s",
				    dest, strerror(e));
	r = sqlite3_open_v2(s->path, &src, SQLITE_OPEN_READONLY, NULL);
	if (r == SQLITE_OK)
		r = sqlite3_open_v2(dest, &dst,
				    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
				    NULL);
	if (r != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, "to",
				  "cannot open \"%s\" for the backup: %s",
				  dest, sqlite3_errstr(r));
		goto out;
	}
	sqlite3_busy_timeout(src, 5000);
	b = sqlite3_backup_init(dst, "main", src, "main");
	if (!b) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL, "backup: %s",
				  sqlite3_errmsg(dst));
		goto out;
	}
	do {
		r = sqlite3_backup_step(b, 256);
		if (r == SQLITE_BUSY || r == SQLITE_LOCKED)
			sqlite3_sleep(20);
	} while (r == SQLITE_OK || r == SQLITE_BUSY || r == SQLITE_LOCKED);
	sqlite3_backup_finish(b);
	if (r != SQLITE_DONE)
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL, "backup: %s",
				  sqlite3_errstr(r));
out:
	sqlite3_close_v2(src);
	sqlite3_close_v2(dst);
	if (rc)
		unlink(dest); /* made above, so ours */
	return rc;
}

const struct db_driver db_driver_sqlite = {
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
	.outbox_begin = sq_outbox_begin,
	.outbox_end = sq_outbox_end,
	.rows_read = sq_rows_read,
	.prepare = sq_prepare,
	.bind_i64 = sq_bind_i64,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.column_i64 = sq_column_i64,
	.column_text = sq_column_text,
	.column_is_null = sq_column_is_null,
	.reset = sq_reset,
	.error = sq_error,
	.migrations = sq_migrations,
	.exec_script = sq_exec_script,
	.backup = sq_backup,
	.sql_table_exists = "SELECT count(*) FROM sqlite_master "
			    "WHERE type = 'table' AND name = ?",
	/* One writer holds the whole database: no row locks to take, and
	 * one committer. */
	.row_locks = false,
	.writers_max = 1,
	/* FTS5 walks a common term's entries to reach a rare term's. */
	.search_by_rarest = true,
};
