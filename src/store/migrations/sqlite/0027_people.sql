-- 0027_people.sql - people, the tenants they serve, their sessions and
-- the count of failed logins; the twin of migrations/postgres/0027_people.sql.
--
-- A person is known by an email (kept lower case), across tenants: one
-- row in user_roles per tenant they serve, with their role there. The
-- password is kept only as its Argon2id hash (libsodium's string form,
-- with its salt and limits). user_roles.disabled_at: they no longer
-- serve that tenant (its admins disable them there).
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE user_roles (
	user_id INTEGER NOT NULL REFERENCES users(id),
	tenant_id INTEGER NOT NULL REFERENCES tenants(id),
	role TEXT NOT NULL,
	disabled_at INTEGER,
	PRIMARY KEY (user_id, tenant_id)
) STRICT;
CREATE INDEX user_roles_tenant ON user_roles(tenant_id, user_id);

-- A session is kept by the SHA-256 of its token; the token itself is in
-- the person's cookie alone. seen_at is kept to the minute.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	seen_at INTEGER NOT NULL,
	address TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id, created_at);

-- Failed logins in a row (core/login.h), by "email:<email>" and
-- "address:<client address>".
CREATE TABLE login_failures (
	name TEXT PRIMARY KEY,
	failures INTEGER NOT NULL,
	last_failed_at INTEGER NOT NULL
) STRICT;

-- What the purge reads: sessions past their absolute end, counts past
-- their lock.
CREATE INDEX sessions_created ON sessions(created_at);
CREATE INDEX login_failures_at ON login_failures(last_failed_at);
