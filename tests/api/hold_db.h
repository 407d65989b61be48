/*
 * hold_db.h - hold the test server's database from outside, so that its
 * committer can finish nothing until let go: on SQLite a write
 * transaction of the test's own on the file (BEGIN IMMEDIATE), on
 * PostgreSQL an exclusive lock on the orders table. Reads (the API key,
 * /metrics) are not held up by either. Let go within a second or two,
 * well inside the committer's lock wait (5 s), and the held writes
 * succeed. Static functions, as proc.h's: the tests that include this
 * link SQLite and libpq (tests/CMakeLists.txt).
 */
#ifndef ORDO_TESTS_API_HOLD_DB_H
#define ORDO_TESTS_API_HOLD_DB_H

#include <string.h>

#include <libpq-fe.h>
#include <sqlite3.h>

#include "harness.h"

static sqlite3 *held_sqlite;
static PGconn *held_pg;

static void hold_database(void)
{
	if (strncmp(srv->db_path, "postgres", 8) == 0) {
		PGresult *res;

		held_pg = PQconnectdb(srv->db_path);
		check(PQstatus(held_pg) == CONNECTION_OK, "connect: %s",
		      PQerrorMessage(held_pg));
		res = PQexec(held_pg, "BEGIN; LOCK TABLE orders IN ACCESS "
				      "EXCLUSIVE MODE");
		check(PQresultStatus(res) == PGRES_COMMAND_OK, "lock: %s",
		      PQerrorMessage(held_pg));
		PQclear(res);
		return;
	}
	check(sqlite3_open(srv->db_path, &held_sqlite) == SQLITE_OK,
	      "open %s", srv->db_path);
	/* The server may be writing (a key's last use, a sweep): wait for
	 * its transaction, as its own connections do. */
	sqlite3_busy_timeout(held_sqlite, 5000);
	check(sqlite3_exec(held_sqlite, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		      SQLITE_OK,
	      "BEGIN IMMEDIATE: %s", sqlite3_errmsg(held_sqlite));
}

static void let_go(void)
{
	if (held_pg) {
		PQclear(PQexec(held_pg, "COMMIT"));
		PQfinish(held_pg);
		held_pg = NULL;
	}
	if (held_sqlite) {
		sqlite3_exec(held_sqlite, "COMMIT", NULL, NULL, NULL);
		sqlite3_close(held_sqlite);
		held_sqlite = NULL;
	}
}

#endif
