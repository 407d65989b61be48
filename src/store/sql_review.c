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
#define SQL_POLICY_COLS "version, document, created_by, created_at"

static const char *const sql_text[SQL_COUNT] = {
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
	[SQL_HOLD_UPDATE] = "UPDATE holds SET status = ?, priority = ?, "
			    "due_at = ?, assignee = ?, claimed_at = ?, "
			    "claimed_until = ?, escalated = ?, "
			    "resolution = ?, resolution_reason = ?, "
			    "resolved_by = ?, resolved_at = ? "
			    "WHERE tenant_id = ? AND id = ? RETURNING id",
	[SQL_POLICY_ACTIVE] = "SELECT " SQL_POLICY_COLS
			      " FROM policy_versions WHERE tenant_id = ? "
			      "ORDER BY version DESC LIMIT 1",
	/* The next version is taken in the statement itself; two writers
	 * taking the same one meet at the primary key (ORDO_ECONFLICT). */
	[SQL_POLICY_INSERT] = "INSERT INTO policy_versions (tenant_id, "
			      SQL_POLICY_COLS ") "
			      "VALUES (?, (SELECT coalesce(max(version), 0) "
			      "+ 1 FROM policy_versions WHERE tenant_id = ?), "
			      "?, ?, ?) RETURNING version",
	[SQL_POLICY_LIST] = "SELECT " SQL_POLICY_COLS
			    " FROM policy_versions WHERE tenant_id = ? "
			    "ORDER BY version DESC",
};

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
	bool row;
	ordo_code rc;

	memset(h, 0, sizeof(*h));
	order_id[0] = '\0';
	/* On a database with row locks, a write job's read locks the hold
	 * it is about to change: of two claimers the second waits, then
	 * reads the first one's claim. */
	rc = q_open(&q, tx,
		    tx->writable && tx->db->row_locks ? SQL_HOLD_GET_LOCKED
						       : SQL_HOLD_GET,
		    err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step(&q, &row, "reading a hold", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no hold \"%.32s\"", id);
		goto out;
	}
	rc = q_col_hold(&q, h, err);
	if (rc)
		goto out;
	q_col_str(&q, order_id, ORDO_ID_MAX);
	rc = q_row_end(&q, "reading a hold", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_hold_update(store_tx *tx, int64_t tenant, const order_hold *h,
			    ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	rc = tx_check_writable(tx, "store_hold_update", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_HOLD_UPDATE, err);
	if (rc)
		goto out;
	q_str(&q, hold_status_name(h->status));
	q_i64(&q, h->priority);
	q_i64(&q, h->due_at);
	q_str(&q, h->assignee);
	q_i64(&q, h->claimed_at);
	q_i64(&q, h->claimed_until);
	q_i64(&q, h->escalated ? 1 : 0);
	q_str(&q, h->resolution);
	q_str(&q, h->resolution_reason);
	q_str(&q, h->resolved_by);
	q_i64(&q, h->resolved_at);
	q_i64(&q, tenant);
	q_str(&q, h->id);
	rc = q_step(&q, &row, "updating a hold", NULL, err);
	if (rc)
		goto out;
	if (!row)
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "id",
				  "no hold \"%.32s\"", h->id);
out:
	q_close(&q);
	return rc;
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
	const char *frag[QLF_COUNT];
	char sql[2048];
	unsigned mask = 0;
	int i, len;
	ordo_code rc;

	for (i = 0; i < QLF_COUNT; i++) {
		frag[i] = has[i] ? queue_list_where[i] : "";
		if (has[i])
			mask |= 1u << i;
	}
	_Static_assert(QLF_COUNT == 6, "one %s per filter below");
	len = snprintf(sql, sizeof(sql),
		       "SELECT h.rowid, " SQL_HOLD_COLS_OF("h.") ", o.id, "
		       "o.external_id, o.channel, o.state, o.total, "
		       "o.currency, o.customer_name, o.received_at"
		       SQL_HOLD_FROM
		       "WHERE h.tenant_id = ? AND h.status = ? "
		       "AND (h.due_at > ? OR (h.due_at = ? AND h.rowid > ?)) "
		       "AND h.created_at <= ?%s%s%s%s%s%s "
		       "ORDER BY h.due_at, h.rowid LIMIT ?",
		       frag[0], frag[1], frag[2], frag[3], frag[4], frag[5]);
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
	char state[32];
	ordo_code rc;

	memset(it, 0, sizeof(*it));
	it->seq = q_col_i64(q);
	rc = q_col_hold(q, &it->hold, err);
	if (rc)
		return rc;
	q_col_str(q, it->order_id, sizeof(it->order_id));
	q_col_str(q, it->external_id, sizeof(it->external_id));
	q_col_str(q, it->channel, sizeof(it->channel));
	q_col_str(q, state, sizeof(state));
	it->total = q_col_i64(q);
	q_col_str(q, it->currency, sizeof(it->currency));
	q_col_str(q, it->customer_name, sizeof(it->customer_name));
	it->received_at = q_col_i64(q);
	rc = q_row_end(q, "listing the queue", err);
	if (rc)
		return rc;
	if (order_state_parse(state, &it->order_state) != 0)
		return ordo_err_set(err, ORDO_ESTORAGE, NULL,
				    "order %s has an unknown state \"%s\"",
				    it->order_id, state);
	return ORDO_OK;
}

ordo_code store_queue_list(store_tx *tx, int64_t tenant, const queue_filter *f,
			   queue_item **out, size_t *n, bool *more,
			   ordo_err *err)
{
	struct q q = {0};
	queue_item *items = NULL;
	size_t count = 0, cap = 0;
	bool row;
	ordo_code rc;

	*out = NULL;
	*n = 0;
	*more = false;
	rc = sql_check_limit(f->limit, STORE_BULK_MAX, err);
	if (rc)
		goto out;
	if (f->after_seq < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "cursor",
				  "the page cursor is not valid");
		goto out;
	}
	if (f->min_age_s < 0) {
		rc = ordo_err_set(err, ORDO_EINVALID, "min_age_s",
				  "the minimum age must not be negative");
		goto out;
	}
	/* One row more than the page tells whether another page follows. */
	cap = (size_t)f->limit + 1;
	items = calloc(cap, sizeof(*items));
	if (!items) {
		rc = sql_no_memory(err, "listing the queue");
		goto out;
	}
	rc = queue_list_open(&q, tx, tenant, f, (int64_t)cap, err);
	if (rc)
		goto out;
	for (;;) {
		rc = q_step(&q, &row, "listing the queue", NULL, err);
		if (rc || !row)
			break;
		if (count == cap) {
			rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
					  "listing the queue: more rows "
					  "than the limit");
			break;
		}
		rc = q_col_queue_item(&q, &items[count++], err);
		if (rc)
			break;
	}
out:
	q_close(&q);
	if (rc) {
		free(items);
		return rc;
	}
	/* limit + 1 rows: another page follows this one. */
	if (count == cap) {
		count--;
		*more = true;
	}
	*out = items;
	*n = count;
	return ORDO_OK;
}

/* ---- review policy versions ---------------------------------------------- */

void store_policy_version_free(policy_version *v)
{
	if (!v)
		return;
	free(v->document);
	v->document = NULL;
}

/* Read one version (SQL_POLICY_COLS) into v. */
static ordo_code q_col_policy(struct q *q, policy_version *v, ordo_err *err)
{
	ordo_code rc;

	memset(v, 0, sizeof(*v));
	v->version = (int)q_col_i64(q);
	rc = q_col_dup(q, &v->document, "reading a policy", err);
	if (rc)
		return rc;
	q_col_str(q, v->created_by, sizeof(v->created_by));
	v->created_at = q_col_i64(q);
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
	rc = q_open(&q, tx, SQL_POLICY_ACTIVE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	rc = q_step(&q, &row, "reading the policy", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "policy",
				  "no review policy was saved");
		goto out;
	}
	rc = q_col_policy(&q, out, err);
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

	rc = tx_check_writable(tx, "store_policy_insert", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_POLICY_INSERT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_i64(&q, tenant);
	q_str(&q, v->document);
	q_str(&q, v->created_by);
	q_i64(&q, v->created_at);
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
