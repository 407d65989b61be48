/*
 * sql_people.c - people, the tenants they serve, their sessions and the
 * counts of failed logins. See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

#define SQL_USER_COLS_OF(p)                                                    \
	p "id, " p "public_id, " p "email, " p "password_hash, "               \
	p "created_at"

/* SQL_USER_COLS_OF after id. */
static const struct q_field user_fields[] = {
	Q_TEXT(store_user, public_id),	   Q_TEXT(store_user, email),
	Q_TEXT(store_user, password_hash), Q_I64(store_user, created_at),
};

static const char *const sql_text[SQL_COUNT] = {
	/* No row returned: the email is a person's already. */
	[SQL_USER_INSERT] = "INSERT INTO users (public_id, email, "
			    "password_hash, created_at) VALUES (?, ?, ?, ?) "
			    "ON CONFLICT (email) DO NOTHING RETURNING id",
	[SQL_USER_BY_EMAIL] = "SELECT " SQL_USER_COLS_OF("") " FROM users "
			      "WHERE email = ?",
	/* A role given is served: a disabling ends. */
	[SQL_USER_ROLE_PUT] = "INSERT INTO user_roles (user_id, tenant_id, "
			      "role) VALUES (?, ?, ?) "
			      "ON CONFLICT (user_id, tenant_id) DO UPDATE "
			      "SET role = excluded.role, disabled_at = NULL",
	/* A person's role in a tenant and whether it is disabled (binds:
	 * role, disabled_at or NULL, the person, the tenant). */
	[SQL_USER_ROLE_SET] = "UPDATE user_roles SET role = ?, "
			      "disabled_at = ? "
			      "WHERE user_id = ? AND tenant_id = ?",
	/* The people of a tenant, newest first, by its index of them. */
	[SQL_TENANT_USERS] = "SELECT r.user_id, u.public_id, u.email, r.role, "
			     "u.created_at, r.disabled_at "
			     "FROM user_roles r JOIN users u "
			     "ON u.id = r.user_id "
			     "WHERE r.tenant_id = ? AND r.user_id < ? "
			     "ORDER BY r.user_id DESC LIMIT ?",
	/* One person of the tenant (binds: the tenant, the public id). */
	[SQL_TENANT_USER_GET] = "SELECT r.user_id, u.public_id, u.email, "
				"r.role, u.created_at, r.disabled_at "
				"FROM users u JOIN user_roles r "
				"ON r.user_id = u.id AND r.tenant_id = ? "
				"WHERE u.public_id = ?",
	/* The tenants a person serves, by the primary key; put in order
	 * by store_user_roles (an ORDER BY offers the planner the other
	 * index, of every person's roles, for its order). */
	[SQL_USER_ROLES] = "SELECT r.tenant_id, (SELECT slug FROM tenants "
			   "WHERE id = r.tenant_id), r.role "
			   "FROM user_roles r WHERE r.user_id = ? "
			   "AND r.disabled_at IS NULL",
	[SQL_SESSION_INSERT] = "INSERT INTO sessions (token_hash, user_id, "
			       "created_at, seen_at, address) "
			       "VALUES (?, ?, ?, ?, ?)",
	/* The session, then its person (SQL_USER_BY_ID): each by its
	 * key. */
	[SQL_SESSION_GET] = "SELECT user_id, created_at, seen_at "
			    "FROM sessions WHERE token_hash = ?",
	[SQL_USER_BY_ID] = "SELECT " SQL_USER_COLS_OF("") " FROM users "
			   "WHERE id = ?",
	[SQL_SESSION_DELETE] = "DELETE FROM sessions WHERE token_hash = ?",
	/* Kept to the minute (binds: now, the hash, now less a minute). */
	[SQL_SESSION_SEEN] = "UPDATE sessions SET seen_at = ? "
			     "WHERE token_hash = ? AND seen_at <= ?",
	/* A person's sessions: at most ORDO_SESSIONS_PER_USER_MAX and the
	 * one being made; put in order by store_sessions_of_user (as
	 * above: sessions_created would give the order). */
	/* Oldest first: a login past the most a person keeps ends the
	 * oldest (sessions_user). */
	[SQL_SESSIONS_OF_USER] = "SELECT token_hash, created_at, seen_at "
				 "FROM sessions WHERE user_id = ? "
				 "ORDER BY created_at",
	[SQL_LOGIN_FAILURES_GET] = "SELECT failures, last_failed_at "
				   "FROM login_failures WHERE name = ?",
	[SQL_LOGIN_FAILURES_PUT] = "INSERT INTO login_failures (name, "
				   "failures, last_failed_at) "
				   "VALUES (?, ?, ?) ON CONFLICT (name) DO "
				   "UPDATE SET failures = excluded.failures, "
				   "last_failed_at = excluded.last_failed_at",
	[SQL_LOGIN_FAILURES_CLEAR] = "DELETE FROM login_failures "
				     "WHERE name = ?",
	[SQL_PURGE_SESSIONS] = "DELETE FROM sessions WHERE created_at < ? "
			       "RETURNING 1",
	[SQL_PURGE_LOGIN_FAILURES] = "DELETE FROM login_failures "
				     "WHERE last_failed_at < ? RETURNING 1",
};

const char *sql_people_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- people ---------------------------------------------------------------- */

ordo_code store_user_insert(store_tx *tx, store_user *u, ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc = tx_check_writable(tx, "store_user_insert", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_USER_INSERT, err);
	if (rc == ORDO_OK) {
		q_str(&q, u->public_id);
		q_str(&q, u->email);
		q_str(&q, u->password_hash);
		q_i64(&q, u->created_at);
		rc = q_step(&q, &row, "adding a person", "email", err);
	}
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ECONFLICT, "email",
				  "%.254s is a person of ordo's already",
				  u->email);
	else if (rc == ORDO_OK)
		u->id = q_col_i64(&q);
	q_close(&q);
	return rc;
}

/* The row of SQL_USER_COLS_OF at the statement's next column. */
static void user_read(struct q *q, store_user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = q_col_i64(q);
	q_read_row(q, u, user_fields);
}

ordo_code store_user_by_email(store_tx *tx, const char *email, store_user *u,
			      ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_open(&q, tx, SQL_USER_BY_EMAIL, err);

	if (rc == ORDO_OK) {
		q_str(&q, email);
		rc = q_step_one(&q, "reading a person", "email", "person",
				email, err);
	}
	if (rc == ORDO_OK) {
		user_read(&q, u);
		rc = q_row_end(&q, "reading a person", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_user_role_put(store_tx *tx, int64_t user, int64_t tenant,
			      const char *role, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_user_role_put", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_USER_ROLE_PUT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, user);
		q_i64(&q, tenant);
		q_str(&q, role);
		rc = q_exec(&q, "giving a person a role", NULL, err);
	}
	q_close(&q);
	return rc;
}

static ordo_code tenant_user_row(struct q *q, void *item, ordo_err *err)
{
	store_tenant_user *u = item;

	memset(u, 0, sizeof(*u));
	u->user_id = q_col_i64(q);
	q_col_str(q, u->public_id, sizeof(u->public_id));
	q_col_str(q, u->email, sizeof(u->email));
	q_col_str(q, u->role, sizeof(u->role));
	u->created_at = q_col_i64(q);
	u->disabled_at = q_col_i64(q);
	return q_row_end(q, "reading a tenant's people", err);
}

ordo_code store_tenant_users(store_tx *tx, int64_t tenant, int64_t before,
			     int limit, store_tenant_user **out, size_t *n,
			     int64_t *next, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc = q_open(&q, tx, SQL_TENANT_USERS, err);

	*n = 0;
	*next = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, before > 0 ? before : INT64_MAX);
		q_i64(&q, (int64_t)limit + 1);
		rc = q_page(&q, limit, sizeof(store_tenant_user),
			    offsetof(store_tenant_user, user_id),
			    tenant_user_row, &items, n, next,
			    "listing a tenant's people", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_tenant_user_get(store_tx *tx, int64_t tenant, const char *id,
				store_tenant_user *u, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_get(&q, tx, SQL_TENANT_USER_GET, tenant, id,
			     "reading a person", "id", "person", err);

	if (rc == ORDO_OK)
		rc = tenant_user_row(&q, u, err);
	q_close(&q);
	return rc;
}

ordo_code store_user_role_set(store_tx *tx, int64_t user, int64_t tenant,
			      const char *role, ordo_time disabled_at,
			      ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_user_role_set", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_USER_ROLE_SET, err);
	if (rc == ORDO_OK) {
		q_str(&q, role);
		if (disabled_at)
			q_i64(&q, disabled_at);
		else
			q_str_or_null(&q, "");
		q_i64(&q, user);
		q_i64(&q, tenant);
		rc = q_exec(&q, "changing a person's role", NULL, err);
	}
	q_close(&q);
	return rc;
}

static int by_tenant(const void *a, const void *b)
{
	int64_t x = ((const store_user_role *)a)->tenant_id;
	int64_t y = ((const store_user_role *)b)->tenant_id;

	return (x > y) - (x < y);
}

static ordo_code user_role_row(struct q *q, void *item, ordo_err *err)
{
	store_user_role *r = item;

	memset(r, 0, sizeof(*r));
	r->tenant_id = q_col_i64(q);
	q_col_str(q, r->tenant_slug, sizeof(r->tenant_slug));
	q_col_str(q, r->role, sizeof(r->role));
	return q_row_end(q, "reading a person's roles", err);
}

ordo_code store_user_roles(store_tx *tx, int64_t user, store_user_role **out,
			   size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc = q_open(&q, tx, SQL_USER_ROLES, err);

	*n = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, user);
		rc = q_rows(&q, ORDO_USER_TENANTS_MAX, sizeof(store_user_role),
			    user_role_row, &items, n,
			    "reading a person's roles", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	if (*out)
		qsort(*out, *n, sizeof(store_user_role), by_tenant);
	return rc;
}

/* ---- sessions ---------------------------------------------------------------- */

ordo_code store_session_insert(store_tx *tx, const store_session *s,
			       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_session_insert", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_SESSION_INSERT, err);
	if (rc == ORDO_OK) {
		q_str(&q, s->token_hash);
		q_i64(&q, s->user_id);
		q_i64(&q, s->created_at);
		q_i64(&q, s->seen_at);
		q_str(&q, s->address);
		rc = q_exec(&q, "starting a session", NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_session_get(store_tx *tx, const char *token_hash,
			    store_session *s, store_user *u, ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc = q_open(&q, tx, SQL_SESSION_GET, err);

	if (rc == ORDO_OK) {
		q_str(&q, token_hash);
		rc = q_step(&q, &row, "reading a session", NULL, err);
	}
	if (rc == ORDO_OK && !row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "session",
				  "no such session");
	if (rc == ORDO_OK) {
		memset(s, 0, sizeof(*s));
		ordo_strlcpy(s->token_hash, token_hash, sizeof(s->token_hash));
		s->user_id = q_col_i64(&q);
		s->created_at = q_col_i64(&q);
		s->seen_at = q_col_i64(&q);
		rc = q_row_end(&q, "reading a session", err);
	}
	q_close(&q);
	/* Every session has its person (a foreign key). */
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_USER_BY_ID, err);
	if (rc == ORDO_OK) {
		q_i64(&q, s->user_id);
		rc = q_step_one(&q, "reading a session's person", NULL,
				"person", "of the session", err);
	}
	if (rc == ORDO_OK) {
		user_read(&q, u);
		rc = q_row_end(&q, "reading a session's person", err);
	}
	q_close(&q);
	return rc;
}

/* Run the write id with one text bind: the session or count's key. */
static ordo_code exec_by_name(store_tx *tx, unsigned id, const char *name,
			      const char *what, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, what, err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, id, err);
	if (rc == ORDO_OK) {
		q_str(&q, name);
		rc = q_exec(&q, what, NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_session_delete(store_tx *tx, const char *token_hash,
			       ordo_err *err)
{
	return exec_by_name(tx, SQL_SESSION_DELETE, token_hash,
			    "ending a session", err);
}

ordo_code store_session_seen(store_tx *tx, const char *token_hash,
			     ordo_time now, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_session_seen", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_SESSION_SEEN, err);
	if (rc == ORDO_OK) {
		q_i64(&q, now);
		q_str(&q, token_hash);
		q_i64(&q, now - STORE_KEY_USED_GRAIN_S);
		rc = q_exec(&q, "noting a session's use", NULL, err);
	}
	q_close(&q);
	return rc;
}

/* Oldest first; two of one second by their hash. */
static int by_creation(const void *a, const void *b)
{
	const store_session *x = a, *y = b;

	if (x->created_at != y->created_at)
		return (x->created_at > y->created_at) -
		       (x->created_at < y->created_at);
	return strcmp(x->token_hash, y->token_hash);
}

static ordo_code session_row(struct q *q, void *item, ordo_err *err)
{
	store_session *s = item;

	memset(s, 0, sizeof(*s));
	q_col_str(q, s->token_hash, sizeof(s->token_hash));
	s->created_at = q_col_i64(q);
	s->seen_at = q_col_i64(q);
	return q_row_end(q, "reading a person's sessions", err);
}

ordo_code store_sessions_of_user(store_tx *tx, int64_t user,
				 store_session **out, size_t *n,
				 ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc = q_open(&q, tx, SQL_SESSIONS_OF_USER, err);

	*n = 0;
	if (rc == ORDO_OK) {
		q_i64(&q, user);
		rc = q_rows(&q, SIZE_MAX, sizeof(store_session), session_row,
			    &items, n, "reading a person's sessions", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	if (*out)
		qsort(*out, *n, sizeof(store_session), by_creation);
	return rc;
}

/* ---- failed logins --------------------------------------------------------- */

ordo_code store_login_failures_get(store_tx *tx, const char *name,
				   int64_t *failures, ordo_time *last,
				   ordo_err *err)
{
	struct q q = {0};
	bool row = false;
	ordo_code rc = q_open(&q, tx, SQL_LOGIN_FAILURES_GET, err);

	*failures = 0;
	*last = 0;
	if (rc == ORDO_OK) {
		q_str(&q, name);
		rc = q_step(&q, &row, "reading failed logins", NULL, err);
	}
	if (rc == ORDO_OK && row) {
		*failures = q_col_i64(&q);
		*last = q_col_i64(&q);
	}
	q_close(&q);
	return rc;
}

ordo_code store_login_failures_put(store_tx *tx, const char *name,
				   int64_t failures, ordo_time last,
				   ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	if (failures == 0)
		return exec_by_name(tx, SQL_LOGIN_FAILURES_CLEAR, name,
				    "clearing failed logins", err);
	rc = tx_check_writable(tx, "store_login_failures_put", err);
	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_LOGIN_FAILURES_PUT, err);
	if (rc == ORDO_OK) {
		q_str(&q, name);
		q_i64(&q, failures);
		q_i64(&q, last);
		rc = q_exec(&q, "counting failed logins", NULL, err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_people_purge(store_tx *tx, ordo_time sessions_before,
			     ordo_time failures_before, int64_t *purged,
			     ordo_err *err)
{
	ordo_code rc = tx_check_writable(tx, "store_people_purge", err);

	if (rc == ORDO_OK)
		rc = sql_purge_rows(tx, SQL_PURGE_SESSIONS, sessions_before,
				    purged, err);
	if (rc == ORDO_OK)
		rc = sql_purge_rows(tx, SQL_PURGE_LOGIN_FAILURES,
				    failures_before, purged, err);
	return rc;
}
