/*
 * sqlite_faults.c - for ordo's own tests only: a SQLite VFS over the
 * default one that makes writes fail on demand, so that a black-box test
 * can see what ordo does when the disk under its database fills up or
 * fails, without the privileges a small filesystem of its own would take.
 *
 * `ordo` reads ORDO_TEST_IO_FAULTS=PATH from its environment when it opens
 * the store (cli/main.c, with a warning in the log) and passes it as
 * store_options.test_io_faults; sqlite.c then opens every connection of
 * the store through this VFS. Unset, none of this is ever registered.
 *
 * Each file SQLite opens through it is the default VFS's file with a thin
 * layer on top that passes every call through, except that each xWrite,
 * xTruncate and xSync first reads the control file: a few words a test
 * writes, and rewrites while ordo runs. The faults hit the database's own
 * files (the database, its WAL) unless the word "temp" is there too.
 *
 *     (absent, empty, "none")  no fault
 *     full        xWrite fails with SQLITE_FULL, as the default VFS
 *                 answers when the disk has no space left (ENOSPC)
 *     eio         xWrite fails with SQLITE_IOERR_WRITE and xTruncate with
 *                 SQLITE_IOERR_TRUNCATE, as when the disk fails (EIO)
 *     fsync       xSync fails with SQLITE_IOERR_FSYNC
 *     temp        SQLite's temporary files fail as well: a savepoint's
 *                 journal, spilled to one past 64 KiB, then fails in the
 *                 middle of a write's statements, before its COMMIT (as
 *                 when the temporary directory is on the full disk)
 *     after=N     the first N calls that would fail, counted from when the
 *                 control file's text last changed, still succeed: a
 *                 fault in the middle of a commit, after part of it was
 *                 written
 *     delay_ms=N  every xSync first sleeps N ms: a slow disk, so that a
 *                 test can have writes queue up into one batch
 *
 * e.g. "eio after=2", or "delay_ms=1000" alone. A call that fails does
 * nothing to the file, as a write refused for want of space would. Reading
 * the control file on each call is slow, which a test does not mind.
 */
#include "store/sqlite_faults.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#define FAULTS_VFS_NAME "ordo-test-io-faults"
/* The control file's text is a few words; more is read as no fault. */
#define FAULTS_CONTROL_MAX 128

enum fault_mode { FAULT_NONE, FAULT_FULL, FAULT_EIO, FAULT_FSYNC };
enum fault_op { OP_WRITE, OP_TRUNCATE, OP_SYNC };

struct fault_plan {
	enum fault_mode mode;
	bool temp;
	long after;
	long delay_ms;
};

static struct {
	pthread_mutex_t mu;
	char control[PATH_MAX]; /* the control file's path */
	char seen[FAULTS_CONTROL_MAX]; /* its text when last read */
	long passed; /* calls let through by after=N since it changed */
	sqlite3_vfs *real;
	sqlite3_vfs vfs;
	bool registered;
} faults = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* A file of this VFS: the default VFS's file lives right after it. */
struct fault_file {
	sqlite3_file base;
	sqlite3_file *real;
	/* The database's own file, or its WAL or rollback journal; not one
	 * of SQLite's temporary files. */
	bool own;
};

/* The control file's text into text ("" when it cannot be read). */
static void control_read(char *text, size_t size)
{
	int fd = open(faults.control, O_RDONLY | O_CLOEXEC);
	ssize_t got = -1;

	if (fd >= 0) {
		do
			got = read(fd, text, size - 1);
		while (got < 0 && errno == EINTR);
		close(fd);
	}
	text[got > 0 ? got : 0] = '\0';
}

/* A word "name=N" of the control text: N into *v. */
static bool word_number(const char *word, size_t len, const char *name,
			long *v)
{
	size_t n = strlen(name);
	char digits[24], *end;

	if (len <= n || len - n >= sizeof(digits) ||
	    strncmp(word, name, n) != 0)
		return false;
	memcpy(digits, word + n, len - n);
	digits[len - n] = '\0';
	errno = 0;
	*v = strtol(digits, &end, 10);
	return errno == 0 && *end == '\0' && *v >= 0;
}

/* What the control text asks for; an unknown word means no fault. */
static void plan_parse(const char *text, struct fault_plan *p)
{
	const char *w = text;

	memset(p, 0, sizeof(*p));
	while (*w) {
		size_t len = strcspn(w, " \t\r\n");

		if (len == 4 && strncmp(w, "full", 4) == 0)
			p->mode = FAULT_FULL;
		else if (len == 3 && strncmp(w, "eio", 3) == 0)
			p->mode = FAULT_EIO;
		else if (len == 5 && strncmp(w, "fsync", 5) == 0)
			p->mode = FAULT_FSYNC;
		else if (len == 4 && strncmp(w, "none", 4) == 0)
			p->mode = FAULT_NONE;
		else if (len == 4 && strncmp(w, "temp", 4) == 0)
			p->temp = true;
		else if (len && !word_number(w, len, "after=", &p->after) &&
			 !word_number(w, len, "delay_ms=", &p->delay_ms)) {
			memset(p, 0, sizeof(*p));
			return;
		}
		w += len;
		w += strspn(w, " \t\r\n");
	}
}

/* The error op on a file (own: the database's own) is to fail with now
 * (SQLITE_OK: none), and how long an xSync sleeps first. */
static int fault_for(enum fault_op op, bool own, long *delay_ms)
{
	char text[FAULTS_CONTROL_MAX];
	struct fault_plan p;
	int rc = SQLITE_OK;

	control_read(text, sizeof(text));
	plan_parse(text, &p);
	*delay_ms = op == OP_SYNC ? p.delay_ms : 0;
	if (!own && !p.temp)
		p.mode = FAULT_NONE;
	if (p.mode == FAULT_FULL && op == OP_WRITE)
		rc = SQLITE_FULL;
	else if (p.mode == FAULT_EIO && op == OP_WRITE)
		rc = SQLITE_IOERR_WRITE;
	else if (p.mode == FAULT_EIO && op == OP_TRUNCATE)
		rc = SQLITE_IOERR_TRUNCATE;
	else if (p.mode == FAULT_FSYNC && op == OP_SYNC)
		rc = SQLITE_IOERR_FSYNC;

	pthread_mutex_lock(&faults.mu);
	if (strcmp(text, faults.seen) != 0) {
		memcpy(faults.seen, text, sizeof(faults.seen));
		faults.passed = 0;
	}
	if (rc != SQLITE_OK && faults.passed < p.after) {
		faults.passed++;
		rc = SQLITE_OK;
	}
	pthread_mutex_unlock(&faults.mu);
	return rc;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* ---- the file's methods: the default VFS's, three of them checked ------- */

#define REAL(file) (((struct fault_file *)(file))->real)

static int f_close(sqlite3_file *file)
{
	return REAL(file)->pMethods->xClose(REAL(file));
}

static int f_read(sqlite3_file *file, void *buf, int amt, sqlite3_int64 off)
{
	return REAL(file)->pMethods->xRead(REAL(file), buf, amt, off);
}

static int f_write(sqlite3_file *file, const void *buf, int amt,
		   sqlite3_int64 off)
{
	long delay_ms;
	int rc = fault_for(OP_WRITE, ((struct fault_file *)file)->own,
			   &delay_ms);

	if (rc != SQLITE_OK)
		return rc;
	return REAL(file)->pMethods->xWrite(REAL(file), buf, amt, off);
}

static int f_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	long delay_ms;
	int rc = fault_for(OP_TRUNCATE, ((struct fault_file *)file)->own,
			   &delay_ms);

	if (rc != SQLITE_OK)
		return rc;
	return REAL(file)->pMethods->xTruncate(REAL(file), size);
}

static int f_sync(sqlite3_file *file, int flags)
{
	long delay_ms;
	int rc = fault_for(OP_SYNC, ((struct fault_file *)file)->own,
			   &delay_ms);

	if (delay_ms > 0)
		sleep_ms(delay_ms);
	if (rc != SQLITE_OK)
		return rc;
	return REAL(file)->pMethods->xSync(REAL(file), flags);
}

static int f_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	return REAL(file)->pMethods->xFileSize(REAL(file), size);
}

static int f_lock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xLock(REAL(file), lock);
}

static int f_unlock(sqlite3_file *file, int lock)
{
	return REAL(file)->pMethods->xUnlock(REAL(file), lock);
}

static int f_check_reserved_lock(sqlite3_file *file, int *out)
{
	return REAL(file)->pMethods->xCheckReservedLock(REAL(file), out);
}

static int f_file_control(sqlite3_file *file, int op, void *arg)
{
	return REAL(file)->pMethods->xFileControl(REAL(file), op, arg);
}

static int f_sector_size(sqlite3_file *file)
{
	return REAL(file)->pMethods->xSectorSize(REAL(file));
}

static int f_device_characteristics(sqlite3_file *file)
{
	return REAL(file)->pMethods->xDeviceCharacteristics(REAL(file));
}

static int f_shm_map(sqlite3_file *file, int page, int size, int extend,
		     void volatile **p)
{
	return REAL(file)->pMethods->xShmMap(REAL(file), page, size, extend,
					     p);
}

static int f_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return REAL(file)->pMethods->xShmLock(REAL(file), offset, n, flags);
}

static void f_shm_barrier(sqlite3_file *file)
{
	REAL(file)->pMethods->xShmBarrier(REAL(file));
}

static int f_shm_unmap(sqlite3_file *file, int delete_flag)
{
	return REAL(file)->pMethods->xShmUnmap(REAL(file), delete_flag);
}

static int f_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p)
{
	return REAL(file)->pMethods->xFetch(REAL(file), off, amt, p);
}

static int f_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	return REAL(file)->pMethods->xUnfetch(REAL(file), off, p);
}

/* Version 3, as the default (unix) VFS's files are: WAL needs the xShm
 * methods. */
static const sqlite3_io_methods fault_io = {
	.iVersion = 3,
	.xClose = f_close,
	.xRead = f_read,
	.xWrite = f_write,
	.xTruncate = f_truncate,
	.xSync = f_sync,
	.xFileSize = f_file_size,
	.xLock = f_lock,
	.xUnlock = f_unlock,
	.xCheckReservedLock = f_check_reserved_lock,
	.xFileControl = f_file_control,
	.xSectorSize = f_sector_size,
	.xDeviceCharacteristics = f_device_characteristics,
	.xShmMap = f_shm_map,
	.xShmLock = f_shm_lock,
	.xShmBarrier = f_shm_barrier,
	.xShmUnmap = f_shm_unmap,
	.xFetch = f_fetch,
	.xUnfetch = f_unfetch,
};

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file,
		  int flags, int *out_flags)
{
	struct fault_file *f = (struct fault_file *)file;
	int rc;

	(void)vfs;
	f->real = (sqlite3_file *)(f + 1);
	f->own = (flags & (SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL |
			   SQLITE_OPEN_MAIN_JOURNAL)) != 0;
	rc = faults.real->xOpen(faults.real, name, f->real, flags, out_flags);
	/* SQLite closes a file whose pMethods is set, even when its open
	 * failed: set exactly when the default VFS's file needs closing. */
	file->pMethods = f->real->pMethods ? &fault_io : NULL;
	return rc;
}

ordo_code sq_faults_vfs(const char *control, const char **vfs_name,
			ordo_err *err)
{
	ordo_code rc = ORDO_OK;

	*vfs_name = NULL;
	pthread_mutex_lock(&faults.mu);
	if (faults.registered) {
		if (strcmp(faults.control, control) != 0)
			rc = ordo_err_set(err, ORDO_EINVALID, NULL,
					  "the I/O fault control file is "
					  "\"%.128s\" already",
					  faults.control);
		goto out;
	}
	if (ordo_strlcpy(faults.control, control, sizeof(faults.control))) {
		rc = ordo_err_set(err, ORDO_EINVALID, NULL,
				  "the I/O fault control file's path is too "
				  "long");
		goto out;
	}
	faults.real = sqlite3_vfs_find(NULL);
	if (!faults.real) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "SQLite has no default VFS to wrap");
		goto out;
	}
	/* The default VFS's own methods for everything but opening a file
	 * (they read nothing of ours); its files wrapped in ours. */
	faults.vfs = *faults.real;
	faults.vfs.pNext = NULL;
	faults.vfs.zName = FAULTS_VFS_NAME;
	faults.vfs.szOsFile =
		(int)sizeof(struct fault_file) + faults.real->szOsFile;
	faults.vfs.xOpen = f_open;
	if (sqlite3_vfs_register(&faults.vfs, 0) != SQLITE_OK) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "cannot register the I/O fault VFS");
		goto out;
	}
	faults.registered = true;
out:
	pthread_mutex_unlock(&faults.mu);
	if (rc == ORDO_OK)
		*vfs_name = FAULTS_VFS_NAME;
	return rc;
}
