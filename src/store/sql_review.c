/*
 * sql_review.c - the review of holds: one hold read and updated on its own
 * (claims, releases, resolutions, with the row lock of write jobs on
 * PostgreSQL), the review queue with its filters and keyset cursor, and the
 * versions of a tenant's review policy. A hold row is read by the orders'
 * reader (q_col_hold). See store.h for the contract of each public
 * function.
 */
#include "store/sql_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* A hold with its order, from "holds h JOIN orders o". */
#define SQL_HOLD_FROM " FROM holds h JOIN orders o ON o.seq = h.order_seq "
/* A policy version's columns after version (policy_fields), then its
 * document. */
#define SQL_POLICY_COLS "created_by, created_at, document"
/* The summary of its order a queue row carries (queue_order_fields). */
#define SQL_QUEUE_ORDER_COLS                                                   \
	"o.id, o.external_id, o.channel, o.state, o.total, o.currency, "       \
	"o.customer_name, o.received_at"

Q_ENUM_NAMES(queue_state_names, order_state, order_state_name,
	     order_state_parse);

static const struct q_field queue_order_fields[] = {
	Q_TEXT(queue_item, order_id),
	Q_TEXT(queue_item, external_id),
	Q_TEXT(queue_item, channel),
	Q_ENUM(queue_item, order_state, &queue_state_names),
	Q_I64(queue_item, total),
	Q_TEXT(queue_item, currency),
	Q_TEXT(queue_item, customer_name),
	Q_I64(queue_item, received_at),
};

static const struct q_field policy_fields[] = {
	Q_TEXT(policy_version, created_by),
	Q_I64(policy_version, created_at),
};

static const char *const sql_text[SQL_COUNT] = {
	/* A tenant's holds of one rule (or one type) raised in [from, to),
	 * newest first, before the cursor (created_at, id): the history
	 * indexes (migration 0022). */
	[SQL_HOLD_HISTORY_RULE] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id"
				  SQL_HOLD_FROM
				  "WHERE h.tenant_id = ? AND h.rule_id = ? "
				  "AND h.created_at >= ? "
				  "AND (h.created_at, h.id) < (?, ?) "
				  "ORDER BY h.created_at DESC, h.id DESC "
				  "LIMIT ?",
	[SQL_HOLD_HISTORY_ALL] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id"
				 SQL_HOLD_FROM
				 "WHERE (h.tenant_id + 0) = ? AND ? = '' "
				 "AND h.created_at >= ? "
				 "AND (h.created_at, h.id) < (?, ?) "
				 "ORDER BY h.created_at DESC, h.id DESC "
				 "LIMIT ?",
	[SQL_HOLD_HISTORY_TYPE] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id"
				  SQL_HOLD_FROM
				  "WHERE h.tenant_id = ? AND (h.type || '') = ? "
				  "AND h.created_at >= ? "
				  "AND (h.created_at, h.id) < (?, ?) "
				  "ORDER BY h.created_at DESC, h.id DESC "
				  "LIMIT ?",
	[SQL_HOLD_GET] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id" SQL_HOLD_FROM
			 "WHERE h.tenant_id = ? AND h.id = ?",
	/* SQL_HOLD_GET locking the hold (not its order): drivers with
	 * row_locks, inside a write transaction (of many claimers of one
	 * hold, one at a time reads it, so exactly one wins). */
	[SQL_HOLD_GET_LOCKED] = "SELECT " SQL_HOLD_COLS_OF("h.") ", o.id"
				SQL_HOLD_FROM
				"WHERE h.tenant_id = ? AND h.id = ? "
				"FOR UPDATE OF h",
	/* No row back: no such hold of the tenant. */
	[SQL_HOLD_UPDATE] = "UPDATE holds SET (" SQL_HOLD_COURSE_COLS_OF("")
			    ") = (" SQL_Q10 ", ?) "
			    "WHERE tenant_id = ? AND id = ? RETURNING id",
	[SQL_POLICY_ACTIVE] = "SELECT version, " SQL_POLICY_COLS
			      " FROM policy_versions WHERE tenant_id = ? "
			      "ORDER BY version DESC LIMIT 1",
	/* The next version is taken in the statement itself; two writers
	 * taking the same one meet at the primary key (ORDO_ECONFLICT). */
	[SQL_POLICY_INSERT] = "INSERT INTO policy_versions (tenant_id, "
			      "version, " SQL_POLICY_COLS ") "
			      "VALUES (?, (SELECT coalesce(max(version), 0) "
			      "+ 1 FROM policy_versions WHERE tenant_id = ?), "
			      "?, ?, ?) RETURNING version",
	[SQL_POLICY_LIST] = "SELECT version, " SQL_POLICY_COLS
			    " FROM policy_versions WHERE tenant_id = ? "
			    "ORDER BY version DESC",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_review_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/*
 * The review queue: SQL_QUEUE_HEAD (tenant, open status, the cursor
 * (due_at, seq) bound as after_due, after_due, after_seq, and the age bound,
 * INT64_MAX when none), then the fragment of every filter present, in this
 * order and bound in this order, then " ORDER BY h.due_at, h.rowid LIMIT ?".
 * A hold's seq is its rowid (SQLite's implicit one; PostgreSQL's identity
 * column of that name, see migrations/postgres/0001_init.sql).
 */
enum queue_list_filter {
	QLF_TYPE,
	QLF_PRIORITY,
	QLF_UNCLAIMED, /* binds now */
	QLF_ASSIGNEE,  /* binds the name, then now */
	QLF_CHANNEL,
	QLF_ESCALATED,
	QLF_COUNT
};

static const char *const queue_list_where[QLF_COUNT] = {
	[QLF_TYPE] = " AND h.type = ?",
	[QLF_PRIORITY] = " AND h.priority = ?",
	[QLF_UNCLAIMED] = " AND (h.assignee = '' OR h.claimed_until < ?)",
	[QLF_ASSIGNEE] = " AND h.assignee = ? AND h.claimed_until >= ?",
	[QLF_CHANNEL] = " AND o.channel = ?",
	[QLF_ESCALATED] = " AND h.escalated = ?",
};

_Static_assert(QLF_COUNT == SQL_QUEUE_FILTERS,
	       "sql_int.h numbers one statement per combination of filters");

/* ---- holds and the review queue ------------------------------------------ */

ordo_code store_hold_get(store_tx *tx, int64_t tenant, const char *id,
			 order_hold *h, char order_id[ORDO_ID_MAX],
			 ordo_err *err)
{
	struct q q;
	ordo_code rc;

	memset(h, 0, sizeof(*h));
	order_id[0] = '\0';
	/* On a database with row locks, a write job's read locks the hold
	 * it is about to change: of two claimers the second waits, then
	 * reads the first one's claim. */
	rc = q_get(&q, tx, q_locking(tx, SQL_HOLD_GET, SQL_HOLD_GET_LOCKED),
		   tenant, id, "reading a hold", "id", "hold", err);
	if (rc)
		goto out;
	rc = q_col_hold(&q, h, err);
	if (rc)
		goto out;
	q_col_str(&q, order_id, ORDO_ID_MAX);
	rc = q_row_end(&q, "reading a hold", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_hold_history(store_tx *tx, int64_t tenant,
			     const store_hold_filter *f, store_hold_row **out,
			     size_t *n, bool *more, ordo_err *err)
{
	bool by_rule = f->rule_id[0] != '\0', by_type = f->type[0] != '\0';
	store_hold_row *rows = NULL;
	size_t cap = 0;
	struct q q;
	bool row;
	ordo_code rc = sql_check_limit(f->limit, STORE_LIST_MAX, err);

	*out = NULL;
	*n = 0;
	*more = false;
	if (rc)
		return rc;
	rc = q_open(&q, tx,
		    by_rule   ? SQL_HOLD_HISTORY_RULE
		    : by_type ? SQL_HOLD_HISTORY_TYPE
			      : SQL_HOLD_HISTORY_ALL,
		    err);
	if (rc)
		return rc;
	q_i64(&q, tenant);
	q_str(&q, by_rule ? f->rule_id : f->type);
	q_i64(&q, f->from);
	q_i64(&q, f->before_at);
	q_str(&q, f->before_id);
	q_i64(&q, (int64_t)f->limit + 1);
	for (;;) {
		rc = q_step(&q, &row, "listing holds", NULL, err);
		if (rc || !row)
			break;
		if (*n == (size_t)f->limit) {
			*more = true;
			break;
		}
		if (*n == cap) {
			store_hold_row *g = sql_grow(rows, &cap, sizeof(*rows));

			if (!g) {
				rc = sql_no_memory(err, "listing holds");
				break;
			}
			rows = g;
		}
		rc = q_col_hold(&q, &rows[*n].hold, err);
		if (rc)
			break;
		q_col_str(&q, rows[*n].order_id, sizeof(rows[*n].order_id));
		rc = q_row_end(&q, "listing holds", err);
		if (rc)
			break;
		(*n)++;
	}
	q_close(&q);
	*out = q_rows_done(rc, rows, n);
	return rc;
}

ordo_code store_hold_update(store_tx *tx, int64_t tenant, const order_hold *h,
			    ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_hold_update", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_HOLD_UPDATE, err);
	if (rc)
		goto out;
	q_bind_hold_course(&q, h);
	q_i64(&q, tenant);
	q_str(&q, h->id);
	rc = q_step_one(&q, "updating a hold", "id", "hold", h->id, err);
out:
	q_close(&q);
	return rc;
}

int sql_queue_text(unsigned mask, char *buf, size_t size)
{
	const char *frag[QLF_COUNT];
	int i;

	for (i = 0; i < QLF_COUNT; i++)
		frag[i] = mask & (1u << i) ? queue_list_where[i] : "";
	_Static_assert(QLF_COUNT == 6, "one %s per filter below");
	return snprintf(buf, size,
			"SELECT h.rowid, " SQL_HOLD_COLS_OF("h.") ", "
			SQL_QUEUE_ORDER_COLS SQL_HOLD_FROM
			"WHERE h.tenant_id = ? AND h.status = ? "
			"AND (h.due_at > ? OR (h.due_at = ? AND h.rowid > ?)) "
			"AND h.created_at <= ?%s%s%s%s%s%s "
			"ORDER BY h.due_at, h.rowid LIMIT ?",
			frag[0], frag[1], frag[2], frag[3], frag[4], frag[5]);
}

/* Open the queue statement for the filters of f, with all bound. */
static ordo_code queue_list_open(struct q *q, store_tx *tx, int64_t tenant,
				 const queue_filter *f, int64_t limit,
				 ordo_err *err)
{
	bool has[QLF_COUNT] = {
		[QLF_TYPE] = f->has_type,
		[QLF_PRIORITY] = f->priority != 0,
		[QLF_UNCLAIMED] = strcmp(f->assignee, "-") == 0,
		[QLF_ASSIGNEE] = f->assignee[0] != '\0' &&
				 strcmp(f->assignee, "-") != 0,
		[QLF_CHANNEL] = f->channel[0] != '\0',
		[QLF_ESCALATED] = f->has_escalated,
	};
	char sql[2048];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	for (i = 0; i < QLF_COUNT; i++)
		if (has[i])
			mask |= 1u << i;
	len = sql_queue_text(mask, sql, sizeof(sql));
	/* Fixed fragments in a fixed buffer: too small is our bug. */
	if (len < 0 || (size_t)len >= sizeof(sql))
		return ordo_err_set(err, ORDO_EINTERNAL, NULL,
				    "the queue query does not fit");

	rc = q_open_sql(q, tx, SQL_QUEUE_BASE + mask, sql, err);
	if (rc)
		return rc;
	q_i64(q, tenant);
	q_str(q, hold_status_name(HOLD_OPEN));
	/* The first page's cursor is before every (due_at, seq). */
	q_i64(q, f->after_seq > 0 ? f->after_due : INT64_MIN);
	q_i64(q, f->after_seq > 0 ? f->after_due : INT64_MIN);
	q_i64(q, f->after_seq);
	q_i64(q, f->min_age_s > 0 ? f->now - f->min_age_s : INT64_MAX);
	if (has[QLF_TYPE])
		q_str(q, hold_type_name(f->type));
	if (has[QLF_PRIORITY])
		q_i64(q, f->priority);
	if (has[QLF_UNCLAIMED])
		q_i64(q, f->now);
	if (has[QLF_ASSIGNEE]) {
		q_str(q, f->assignee);
		q_i64(q, f->now);
	}
	if (has[QLF_CHANNEL])
		q_str(q, f->channel);
	if (has[QLF_ESCALATED])
		q_i64(q, f->escalated ? 1 : 0);
	q_i64(q, limit);
	return ORDO_OK;
}

/* Read one queue row: the hold's seq and columns, its order's summary. */
static ordo_code q_col_queue_item(struct q *q, queue_item *it, ordo_err *err)
{
	ordo_code rc;

	memset(it, 0, sizeof(*it));
	it->seq = q_col_i64(q);
	rc = q_col_hold(q, &it->hold, err);
	if (rc)
		return rc;
	q_read_row(q, it, queue_order_fields);
	return q_row_end(q, "listing the queue", err);
}

static ordo_code read_queue_item(struct q *q, void *item, ordo_err *err)
{
	return q_col_queue_item(q, item, err);
}

ordo_code store_queue_list(store_tx *tx, int64_t tenant, const queue_filter *f,
			   queue_item **out, size_t *n, bool *more,
			   ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	int64_t next = 0;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*more = false;
	rc = sql_check_limit(f->limit, STORE_BULK_MAX, err);
	if (rc == ORDO_OK && f->after_seq < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
	if (rc == ORDO_OK && f->min_age_s < 0)
		rc = ordo_err_set(err, ORDO_EINVALID, "min_age_s",
				  "the minimum age must not be negative");
	if (rc)
		return rc;
	rc = queue_list_open(&q, tx, tenant, f, (int64_t)f->limit + 1, err);
	/* A hold's seq is never 0: a cursor back means another page. */
	if (rc == ORDO_OK)
		rc = q_page(&q, f->limit, sizeof(queue_item),
			    offsetof(queue_item, seq), read_queue_item, &items,
			    n, &next, "listing the queue", err);
	q_close(&q);
	*more = next != 0;
	*out = q_rows_done(rc, items, n);
	return rc;
}

/* ---- review policy versions ---------------------------------------------- */

void store_policy_version_free(policy_version *v)
{
	if (!v)
		return;
	free(v->document);
	v->document = NULL;
}

/* Read one version (version, then SQL_POLICY_COLS) into v. */
static ordo_code q_col_policy(struct q *q, policy_version *v, ordo_err *err)
{
	ordo_code rc;

	memset(v, 0, sizeof(*v));
	v->version = (int)q_col_i64(q);
	q_read_row(q, v, policy_fields);
	rc = q_col_dup(q, &v->document, "reading a policy", err);
	if (rc == ORDO_OK)
		rc = q_row_end(q, "reading a policy", err);
	if (rc)
		store_policy_version_free(v);
	return rc;
}

ordo_code store_policy_active(store_tx *tx, int64_t tenant,
			      policy_version *out, ordo_err *err)
{
	struct q q;
	bool row;
	ordo_code rc;

	memset(out, 0, sizeof(*out));
	if (tx_cache_policy(tx, tenant, &row, out, &rc, err)) {
		if (rc == ORDO_OK && !row)
			rc = ordo_err_set(err, ORDO_ENOTFOUND, "policy",
					  "no review policy was saved");
		return rc;
	}
	rc = q_open(&q, tx, SQL_POLICY_ACTIVE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "reading the policy", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		tx_cache_put_policy(tx, tenant, NULL);
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "policy",
				  "no review policy was saved");
		goto out;
	}
	rc = q_col_policy(&q, out, err);
	if (rc == ORDO_OK)
		tx_cache_put_policy(tx, tenant, out);
out:
	q_close(&q);
	return rc;
}

ordo_code store_policy_insert(store_tx *tx, int64_t tenant, policy_version *v,
			      ordo_err *err)
{
	struct q q = {0};
	int64_t version = 0;
	ordo_code rc;

	tx_cache_forget_policy(tx);
	rc = tx_check_writable(tx, "store_policy_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_POLICY_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, tenant);
	q_bind_row(&q, v, policy_fields);
	q_str(&q, v->document);
	rc = q_insert_returning(&q, &version, "policy", "version", err);
	if (rc)
		goto out;
	v->version = (int)version;
out:
	q_close(&q);
	return rc;
}

static ordo_code read_policy(struct q *q, void *item, ordo_err *err)
{
	return q_col_policy(q, item, err);
}

ordo_code store_policy_list(store_tx *tx, int64_t tenant,
			    policy_version **out, size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *raw = NULL;
	policy_version *items;
	size_t count = 0, i;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	rc = q_open(&q, tx, SQL_POLICY_LIST, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_rows(&q, SIZE_MAX, sizeof(policy_version), read_policy, &raw,
		    &count, "listing policies", err);
out:
	q_close(&q);
	items = raw;
	if (rc) {
		for (i = 0; i < count; i++)
			store_policy_version_free(&items[i]);
		free(items);
		return rc;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}
