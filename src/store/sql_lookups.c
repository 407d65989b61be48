/*
 * sql_lookups.c - INTAKE'S LOOKUPS. Intake looks up three things before it
 * writes a new order: an order of the same channel and external id, one of
 * the same content, the customer's history. Asked one by one, on
 * PostgreSQL each is a round trip the committer waits for;
 * store_intake_lookup asks them in one statement and keeps the answers in
 * the transaction (tx->lookups) for store_order_find_external,
 * store_order_find_fingerprint and store_customer_history
 * (sql_history.c), which answer from them when asked exactly the same
 * until the job inserts an order (which could change them) or ends
 * (sql_lookups_forget, from store_order_insert and the committer). See
 * store.h for the contract of each public function.
 */
#include "store/sql_int.h"

#include <stdint.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

/* An order by its channel and external id; the newest by its content
 * fingerprint received since a time. */
#define SQL_BY_EXTERNAL                                                        \
	"id FROM orders WHERE tenant_id = ? AND channel = ? "                  \
	"AND external_id = ?"
#define SQL_BY_FINGERPRINT                                                     \
	"id FROM orders WHERE tenant_id = ? AND fingerprint = ? "              \
	"AND received_at >= ? ORDER BY received_at DESC, seq DESC LIMIT 1"

static const char *const sql_text[SQL_COUNT] = {
	[SQL_ORDER_BY_EXTERNAL] = "SELECT " SQL_BY_EXTERNAL,
	[SQL_ORDER_BY_FINGERPRINT] = "SELECT " SQL_BY_FINGERPRINT,
	/* The two above and a customer's history (sql_history.c), each a
	 * subquery answering NULL for none. */
	[SQL_INTAKE_LOOKUP] = "SELECT (SELECT " SQL_BY_EXTERNAL "), "
			      "(SELECT " SQL_BY_FINGERPRINT "), "
			      SQL_HISTORY_ORDERS ", " SQL_HISTORY_DEFECTS,
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_lookups_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- lookups ------------------------------------------------------------- */

/* ORDO_ENOTFOUND: no order with this field's value. */
static ordo_code no_order(const char *field, ordo_err *err)
{
	return ordo_err_set(err, ORDO_ENOTFOUND, field,
			    "no order with this %s", field);
}

/* Step an open, bound statement yielding one id column into id_out, or
 * ORDO_ENOTFOUND naming field. */
static ordo_code order_find_id(struct q *q, char *id_out, const char *field,
			       const char *what, ordo_err *err)
{
	bool row;
	ordo_code rc;

	rc = q_step(q, &row, what, NULL, err);
	if (rc)
		return rc;
	if (!row)
		return no_order(field, err);
	q_col_str(q, id_out, ORDO_ID_MAX);
	return q_row_end(q, what, err);
}

void sql_lookups_forget(store_tx *tx)
{
	tx->lookups.valid = false;
}

/* The answer kept for found (an id, "" for none), as order_find_id gives
 * it. */
static ordo_code lookup_answer(const char *found, char *id_out,
			       const char *field, ordo_err *err)
{
	if (!found[0])
		return no_order(field, err);
	ordo_strlcpy(id_out, found, ORDO_ID_MAX);
	return ORDO_OK;
}

ordo_code store_intake_lookup(store_tx *tx, const order *o, bool by_content,
			      ordo_time since, ordo_err *err)
{
	struct tx_lookups *l = &tx->lookups;
	struct q q = {0};
	bool row;
	ordo_code rc;

	l->valid = false;
	rc = q_open(&q, tx, SQL_INTAKE_LOOKUP, err);
	if (rc)
		goto out;
	q_i64(&q, o->tenant_id);
	q_str(&q, o->channel);
	q_str(&q, o->external_id);
	q_i64(&q, o->tenant_id);
	q_str(&q, o->fingerprint);
	q_i64(&q, since);
	q_bind_history(&q, o->tenant_id, o->customer_key, o->received_at,
		       INT64_MAX);
	rc = q_step(&q, &row, "looking up a new order", NULL, err);
	if (rc)
		goto out;
	if (!row) {
		rc = ordo_err_set(err, ORDO_ESTORAGE, NULL,
				  "looking up a new order: no row");
		goto out;
	}
	memset(l, 0, sizeof(*l));
	l->tenant = o->tenant_id;
	ordo_strlcpy(l->channel, o->channel, sizeof(l->channel));
	ordo_strlcpy(l->external_id, o->external_id, sizeof(l->external_id));
	q_col_str(&q, l->by_external, sizeof(l->by_external));
	l->by_content = by_content && o->fingerprint[0];
	ordo_strlcpy(l->fingerprint, o->fingerprint, sizeof(l->fingerprint));
	l->since = since;
	q_col_str(&q, l->by_fingerprint, sizeof(l->by_fingerprint));
	ordo_strlcpy(l->customer_key, o->customer_key,
		     sizeof(l->customer_key));
	l->before = o->received_at;
	/* An order without a key has no history (store_customer_history). */
	l->orders = o->customer_key[0] ? q_col_i64(&q) : 0;
	l->defects = o->customer_key[0] ? q_col_i64(&q) : 0;
	rc = q_row_end(&q, "looking up a new order", err);
	l->valid = rc == ORDO_OK;
out:
	q_close(&q);
	return rc;
}

bool sql_lookups_history(store_tx *tx, int64_t tenant,
			 const char *customer_key, ordo_time before,
			 int64_t before_seq, int64_t *orders, int64_t *defects)
{
	const struct tx_lookups *l = &tx->lookups;

	if (!l->valid || l->tenant != tenant || l->before != before ||
	    before_seq != INT64_MAX ||
	    strcmp(l->customer_key, customer_key) != 0)
		return false;
	*orders = l->orders;
	*defects = l->defects;
	return true;
}

ordo_code store_order_find_external(store_tx *tx, int64_t tenant,
				    const char *channel,
				    const char *external_id,
				    char id_out[ORDO_ID_MAX], ordo_err *err)
{
	const struct tx_lookups *l = &tx->lookups;
	struct q q;
	ordo_code rc;

	id_out[0] = '\0';
	if (l->valid && l->tenant == tenant &&
	    strcmp(l->channel, channel) == 0 &&
	    strcmp(l->external_id, external_id) == 0)
		return lookup_answer(l->by_external, id_out, "external_id",
				     err);
	rc = q_open(&q, tx, SQL_ORDER_BY_EXTERNAL, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, channel);
	q_str(&q, external_id);
	rc = order_find_id(&q, id_out, "external_id",
			   "finding an order by external id", err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_order_find_fingerprint(store_tx *tx, int64_t tenant,
				       const char *fingerprint,
				       ordo_time since,
				       char id_out[ORDO_ID_MAX],
				       ordo_err *err)
{
	const struct tx_lookups *l = &tx->lookups;
	struct q q = {0};
	ordo_code rc;

	id_out[0] = '\0';
	/* An order without a fingerprint is like no other. */
	if (!fingerprint || !fingerprint[0]) {
		rc = no_order("fingerprint", err);
		goto out;
	}
	if (l->valid && l->by_content && l->tenant == tenant &&
	    l->since == since && strcmp(l->fingerprint, fingerprint) == 0)
		return lookup_answer(l->by_fingerprint, id_out, "fingerprint",
				     err);
	rc = q_open(&q, tx, SQL_ORDER_BY_FINGERPRINT, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, fingerprint);
	q_i64(&q, since);
	rc = order_find_id(&q, id_out, "fingerprint",
			   "finding an order by fingerprint", err);
out:
	q_close(&q);
	return rc;
}
