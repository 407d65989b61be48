/*
 * store_migrate.c - the migration runner: each of the driver's embedded
 * scripts (migrations/sqlite, migrations/postgres), in version order, once,
 * each in a write of its own through the committer (store.c), recorded in
 * schema_migrations. See store.h (store_migrate, store_schema_version).
 */
#include "store/store_int.h"

#include <errno.h>
#include <stdlib.h>

/* The version of "0001_init.sql" is 1; -1 when the name has none. */
static int migration_version(const char *name)
{
	char *end = NULL;
	long v;

	if (!name || name[0] < '0' || name[0] > '9')
		return -1;
	errno = 0;
	v = strtol(name, &end, 10);
	if (errno || v <= 0 || v > 1000000 || *end != '_')
		return -1;
	return (int)v;
}

struct migrate_job {
	const struct ordo_embedded *script;
	int version;
	ordo_time now; /* recorded as the time it was applied */
	bool applied;
};

static ordo_code migrate_run(store_tx *tx, void *arg, ordo_err *err)
{
	struct migrate_job *mj = arg;
	int current = 0;
	ordo_code rc;

	mj->applied = false;
	/* Other processes migrating the same database wait here (db.h). */
	if (tx->db->migrate_lock) {
		rc = tx->db->migrate_lock(tx, err);
		if (rc)
			goto out;
	}
	rc = sql_migrations_init(tx, err);
	if (rc)
		goto out;
	rc = sql_schema_version(tx, &current, err);
	if (rc)
		goto out;
	if (current >= mj->version)
		goto out; /* applied before, by us or by another process */
	rc = tx->db->exec_script(tx, (const char *)mj->script->data, err);
	if (rc) {
		/* Name the script: the driver's message names only SQL. */
		char msg[ORDO_ERR_MESSAGE_MAX];

		ordo_strlcpy(msg, err->message, sizeof(msg));
		ordo_err_set(err, rc, NULL, "migration %s: %s",
			     mj->script->name, msg);
		goto out;
	}
	/* The search index's words are written by the code that writes
	 * every order's (sql_search.c), not by SQL that could only imitate
	 * it: the orders stored before it get theirs here, in the same
	 * transaction as the script. */
	if (mj->version == SQL_SEARCH_MIGRATION)
		rc = sql_search_fill(tx, err);
	if (rc)
		goto out;
	rc = sql_migration_mark(tx, mj->version, mj->now, err);
	if (rc)
		goto out;
	mj->applied = true;
out:
	return rc;
}

ordo_code store_migrate(store *st, ordo_time now, int *applied, int *version,
			ordo_err *err)
{
	const struct ordo_embedded *list = NULL;
	size_t n = 0, i;
	int count = 0, prev = 0;
	ordo_code rc = ORDO_OK;

	st->db->migrations(&list, &n);
	for (i = 0; i < n; i++) {
		struct migrate_job mj;

		mj.script = &list[i];
		mj.version = migration_version(list[i].name);
		mj.now = now;
		mj.applied = false;
		/* Names are fixed at build time: a bad one is our bug. */
		if (mj.version <= prev) {
			rc = ordo_err_set(err, ORDO_EINTERNAL, NULL,
					  "migration \"%s\" has no version "
					  "above %d",
					  list[i].name, prev);
			goto out;
		}
		prev = mj.version;
		rc = store_write(st, migrate_run, &mj, err);
		if (rc)
			goto out;
		if (mj.applied)
			count++;
	}
	if (version) {
		rc = store_schema_version(st, version, err);
		if (rc)
			goto out;
	}
out:
	if (applied)
		*applied = count;
	return rc;
}

ordo_code store_schema_version(store *st, int *version, ordo_err *err)
{
	store_tx *tx = NULL;
	ordo_code rc;

	*version = 0;
	rc = store_read_begin(st, &tx, err);
	if (rc)
		goto out;
	rc = sql_schema_version(tx, version, err);
out:
	store_read_end(tx);
	return rc;
}
