/*
 * sql_audit.c - the audit log (store.h: store_audit_*).
 */
#include "store/sql_int.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_AUDIT_COLS "seq, at, actor, address, kind, target, detail"
/* A page of the log between two rows (binds: the tenant, [the actor],
 * [the kind], before, from, limit). */
#define SQL_AUDIT_PAGE(where)                                                  \
	"SELECT " SQL_AUDIT_COLS " FROM audit_log WHERE tenant_id = ? "        \
	where "AND seq < ? AND seq >= ? ORDER BY seq DESC LIMIT ?"

static const char *const sql_text[SQL_COUNT] = {
	[SQL_AUDIT_INSERT] = "INSERT INTO audit_log (tenant_id, at, actor, "
			     "address, kind, target, detail) "
			     "VALUES (?, ?, ?, ?, ?, ?, ?)",
	[SQL_AUDIT_PAGE] = SQL_AUDIT_PAGE(""),
	[SQL_AUDIT_PAGE_KIND] = SQL_AUDIT_PAGE("AND kind = ? "),
	[SQL_AUDIT_PAGE_ACTOR] = SQL_AUDIT_PAGE("AND actor = ? "),
	[SQL_AUDIT_PAGE_ACTOR_KIND] = SQL_AUDIT_PAGE("AND actor = ? "
						     "AND kind = ? "),
	/* The first row at or after a time, and the last before one. */
	[SQL_AUDIT_FIRST_AT] = "SELECT seq FROM audit_log WHERE tenant_id = ? "
			       "AND at >= ? ORDER BY at, seq LIMIT 1",
	[SQL_AUDIT_LAST_BEFORE] = "SELECT seq FROM audit_log "
				  "WHERE tenant_id = ? AND at < ? "
				  "ORDER BY at DESC, seq DESC LIMIT 1",
};

const char *sql_audit_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

ordo_code store_audit_insert(store_tx *tx, int64_t tenant,
			     const store_audit *a, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_audit_insert", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_AUDIT_INSERT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, a->at);
		q_str(&q, a->actor);
		q_str(&q, a->address);
		q_str(&q, a->kind);
		q_str(&q, a->target);
		q_str(&q, a->detail ? a->detail : "{}");
		rc = q_exec(&q, "recording an audit row", NULL, err);
	}
	q_close(&q);
	return rc;
}

static ordo_code audit_row(struct q *q, void *item, ordo_err *err)
{
	store_audit *a = item;
	ordo_code rc;

	memset(a, 0, sizeof(*a));
	a->seq = q_col_i64(q);
	a->at = q_col_i64(q);
	q_col_str(q, a->actor, sizeof(a->actor));
	q_col_str(q, a->address, sizeof(a->address));
	q_col_str(q, a->kind, sizeof(a->kind));
	q_col_str(q, a->target, sizeof(a->target));
	rc = q_col_dup(q, &a->detail, "reading the audit log", err);
	return rc ? rc : q_row_end(q, "reading the audit log", err);
}

/* The seq one of the two bound statements finds, or none (*found). */
static ordo_code audit_bound(store_tx *tx, unsigned id, int64_t tenant,
			     ordo_time at, int64_t *seq, bool *found,
			     ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = q_open(&q, tx, id, err);

	*found = false;
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		q_i64(&q, at);
		rc = q_step(&q, found, "finding a time in the audit log", NULL,
			    err);
	}
	if (rc == ORDO_OK && *found)
		*seq = q_col_i64(&q);
	q_close(&q);
	return rc;
}

void store_audit_free(store_audit *items, size_t n)
{
	size_t i;

	for (i = 0; items && i < n; i++)
		free(items[i].detail);
	free(items);
}

ordo_code store_audit_list(store_tx *tx, int64_t tenant,
			   const store_audit_filter *f, store_audit **out,
			   size_t *n, int64_t *next, ordo_err *err)
{
	static const unsigned ids[4] = {SQL_AUDIT_PAGE, SQL_AUDIT_PAGE_KIND,
					SQL_AUDIT_PAGE_ACTOR,
					SQL_AUDIT_PAGE_ACTOR_KIND};
	int64_t hi = f->before > 0 ? f->before : INT64_MAX, lo = 0, seq = 0;
	struct q q = {0};
	void *items = NULL;
	bool found = true;
	ordo_code rc = ORDO_OK;

	*out = NULL;
	*n = 0;
	*next = 0;
	if (f->from) {
		rc = audit_bound(tx, SQL_AUDIT_FIRST_AT, tenant, f->from, &seq,
				 &found, err);
		lo = seq;
	}
	if (rc == ORDO_OK && found && f->to) {
		rc = audit_bound(tx, SQL_AUDIT_LAST_BEFORE, tenant, f->to, &seq,
				 &found, err);
		if (seq + 1 < hi)
			hi = seq + 1;
	}
	if (rc || !found || lo >= hi)
		return rc;
	rc = q_open(&q, tx, ids[(f->kind[0] ? 1 : 0) + (f->actor[0] ? 2 : 0)],
		    err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		if (f->actor[0])
			q_str(&q, f->actor);
		if (f->kind[0])
			q_str(&q, f->kind);
		q_i64(&q, hi);
		q_i64(&q, lo);
		q_i64(&q, (int64_t)f->limit + 1);
		rc = q_page(&q, f->limit, sizeof(store_audit),
			    offsetof(store_audit, seq), audit_row, &items, n,
			    next, "reading the audit log", err);
	}
	q_close(&q);
	if (rc) {
		store_audit_free(items, *n);
		*n = 0;
		return rc;
	}
	/* The row past the page, read to know there is another, is not
	 * kept. */
	if (*next)
		free(((store_audit *)items)[*n].detail);
	*out = items;
	return ORDO_OK;
}
