-- 0027_people.sql - people, the tenants they serve, their sessions and
-- the count of failed logins; the twin of migrations/sqlite/0027_people.sql.
CREATE TABLE users (
	id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	public_id TEXT NOT NULL UNIQUE,
	email TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL,
	created_at BIGINT NOT NULL
);

CREATE TABLE user_roles (
	user_id BIGINT NOT NULL REFERENCES users(id),
	tenant_id BIGINT NOT NULL REFERENCES tenants(id),
	role TEXT NOT NULL,
	disabled_at BIGINT,
	PRIMARY KEY (user_id, tenant_id)
);
CREATE INDEX user_roles_tenant ON user_roles(tenant_id, user_id);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id BIGINT NOT NULL REFERENCES users(id),
	created_at BIGINT NOT NULL,
	seen_at BIGINT NOT NULL,
	address TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id, created_at);

CREATE TABLE login_failures (
	name TEXT PRIMARY KEY,
	failures BIGINT NOT NULL,
	last_failed_at BIGINT NOT NULL
);

CREATE INDEX sessions_created ON sessions(created_at);
CREATE INDEX login_failures_at ON login_failures(last_failed_at);
