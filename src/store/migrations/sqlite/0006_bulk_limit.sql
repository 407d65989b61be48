-- 0006_bulk_limit.sql - a tenant's bulk limit on SQLite: how many holds a
-- bulk action may touch unless the request names a larger "limit" itself.
-- The twin of migrations/postgres/0006_bulk_limit.sql. The default is
-- settings_defaults() (ORDO_BULK_DEFAULT in core/limits.h); the ceiling,
-- ORDO_BULK_MAX, is checked by settings_check.
ALTER TABLE tenant_settings ADD COLUMN bulk_limit INTEGER NOT NULL DEFAULT 100
	CHECK (bulk_limit >= 1);
