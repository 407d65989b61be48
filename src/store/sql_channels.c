/*
 * sql_channels.c - channels (migration 0014): create, read (by a tenant's
 * id, or by the id alone for what a channel sends), list, count, update
 * and delete, each channel with its SKU mapping (channel_skus, read whole
 * and written whole); and an order's source document, kept in its orders
 * row. See store.h for the contract of each public function.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

/* ---- SQL ----------------------------------------------------------------- */

Q_ENUM_NAMES(kind_names, channel_kind, channel_kind_name, channel_kind_parse);

/* SQL_CHANNEL_COLS after seq, from and into a channel. */
static const struct q_field channel_fields[] = {
	Q_TEXT(ordo_channel, id),	     Q_I64(ordo_channel, tenant_id),
	Q_ENUM(ordo_channel, kind, &kind_names), Q_TEXT(ordo_channel, name),
	Q_TEXT(ordo_channel, secret),     Q_TEXT(ordo_channel, base_url),
	Q_TEXT(ordo_channel, currency),   Q_TEXT(ordo_channel, csv_map),
	Q_I64(ordo_channel, created_at),  Q_I64(ordo_channel, updated_at),
	Q_TEXT(ordo_channel, api_token),  Q_TEXT(ordo_channel, location),
	Q_TEXT(ordo_channel, edi_own_id), Q_TEXT(ordo_channel, edi_partner_id),
	Q_TEXT(ordo_channel, previous_secret),
	Q_I64(ordo_channel, previous_until),
};
#define SQL_CHANNEL_COLS                                                       \
	"id, tenant_id, kind, name, secret, base_url, currency, csv_map, "     \
	"created_at, updated_at, api_token, location, edi_own_id, "           \
	"edi_partner_id, previous_secret, previous_until"
/* What an update writes, in channel_fields' order from name on. */
static const struct q_field channel_set_fields[] = {
	Q_TEXT(ordo_channel, name),	   Q_TEXT(ordo_channel, secret),
	Q_TEXT(ordo_channel, base_url), Q_TEXT(ordo_channel, currency),
	Q_TEXT(ordo_channel, csv_map),	Q_I64(ordo_channel, updated_at),
	Q_TEXT(ordo_channel, api_token), Q_TEXT(ordo_channel, location),
	Q_TEXT(ordo_channel, edi_own_id), Q_TEXT(ordo_channel, edi_partner_id),
	Q_TEXT(ordo_channel, previous_secret),
	Q_I64(ordo_channel, previous_until),
};

static const char *const sql_text[SQL_COUNT] = {
	[SQL_CHANNEL_INSERT] = "INSERT INTO channels (" SQL_CHANNEL_COLS ") "
			       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
			       "?, ?) "
			       "RETURNING seq",
	/* By the id alone (unique): a channel's deliveries carry no key. */
	[SQL_CHANNEL_GET] = "SELECT seq, " SQL_CHANNEL_COLS " FROM channels "
			    "WHERE id = ?",
	[SQL_CHANNEL_BY_NAME] = "SELECT seq, " SQL_CHANNEL_COLS " FROM channels "
				"WHERE tenant_id = ? AND name = ?",
	/* A tenant's, by name, each with how many codes it maps. */
	[SQL_CHANNEL_LIST] = "SELECT c.seq, " SQL_CHANNEL_COLS ", "
			     "(SELECT count(*) FROM channel_skus s "
			     "WHERE s.channel_seq = c.seq) "
			     "FROM channels c WHERE c.tenant_id = ? "
			     "ORDER BY c.name",
	[SQL_CHANNEL_COUNT] = "SELECT count(*) FROM channels "
			      "WHERE tenant_id = ?",
	[SQL_CHANNEL_UPDATE] = "UPDATE channels SET (name, secret, base_url, "
			       "currency, csv_map, updated_at, api_token, "
			       "location, edi_own_id, edi_partner_id, "
			       "previous_secret, previous_until) = "
			       "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_CHANNEL_DELETE] = "DELETE FROM channels "
			       "WHERE tenant_id = ? AND id = ? RETURNING seq",
	[SQL_CHANNEL_SKUS_OF] = "SELECT code, sku FROM channel_skus "
				"WHERE channel_seq = ? ORDER BY code",
	[SQL_CHANNEL_SKUS_DELETE] = "DELETE FROM channel_skus "
				    "WHERE channel_seq = ?",
	[SQL_CHANNEL_SKU_INSERT] = "INSERT INTO channel_skus (channel_seq, "
				   "code, sku) VALUES (?, ?, ?)",
	[SQL_X12_FORGET] = "DELETE FROM x12_interchanges WHERE channel_seq = ?",
	[SQL_X12_SEEN] = "SELECT ack FROM x12_interchanges WHERE channel_seq = "
			 "? AND sender = ? AND control_number = ?",
	/* A second node's insert of the same interchange loses on the key
	 * (ORDO_ECONFLICT): it was taken by the other. */
	[SQL_X12_KEEP] = "INSERT INTO x12_interchanges (channel_seq, sender, "
			 "control_number, received_at, ack) "
			 "VALUES (?, ?, ?, ?, ?)",
	[SQL_ORDER_SOURCE] = "SELECT source_type, source FROM orders "
			     "WHERE tenant_id = ? AND id = ?",
};

/* This file's text of statement id, NULL if another file holds it (for
 * store_statement_text). */
const char *sql_channels_text(unsigned id)
{
	return id < SQL_COUNT ? sql_text[id] : NULL;
}

/* ---- the SKU mapping ----------------------------------------------------- */

static ordo_code skus_write(store_tx *tx, const ordo_channel *c, ordo_err *err)
{
	struct q q = {0};
	size_t i;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_CHANNEL_SKUS_DELETE, err);
	if (rc == ORDO_OK) {
		q_i64(&q, c->seq);
		rc = q_exec(&q, "replacing a channel's SKU mapping", "skus",
			    err);
	}
	for (i = 0; rc == ORDO_OK && i < c->n_skus; i++) {
		q_close(&q);
		rc = q_open(&q, tx, SQL_CHANNEL_SKU_INSERT, err);
		if (rc)
			break;
		q_i64(&q, c->seq);
		q_str(&q, c->skus[i].code);
		q_str(&q, c->skus[i].sku);
		rc = q_exec(&q, "mapping a channel's code", "skus", err);
	}
	q_close(&q);
	return rc;
}

static ordo_code read_sku(struct q *q, void *item, ordo_err *err)
{
	channel_sku *s = item;

	q_col_str(q, s->code, sizeof(s->code));
	q_col_str(q, s->sku, sizeof(s->sku));
	return q_row_end(q, "reading a channel's SKU mapping", err);
}

/* c's mapping (none read yet), in code order as stored. */
static ordo_code skus_read(store_tx *tx, ordo_channel *c, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	size_t n = 0;
	ordo_code rc;

	rc = q_open(&q, tx, SQL_CHANNEL_SKUS_OF, err);
	if (rc == ORDO_OK) {
		q_i64(&q, c->seq);
		rc = q_rows(&q, ORDO_CHANNEL_SKUS_MAX, sizeof(channel_sku),
			    read_sku, &items, &n,
			    "reading a channel's SKU mapping", err);
	}
	q_close(&q);
	c->skus = q_rows_done(rc, items, &n);
	c->n_skus = n;
	return rc;
}

/* ---- channels ------------------------------------------------------------ */

ordo_code store_channel_insert(store_tx *tx, int64_t tenant, ordo_channel *c,
			       ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_channel_insert", err);
	if (rc)
		goto out;
	c->tenant_id = tenant;
	rc = q_open(&q, tx, SQL_CHANNEL_INSERT, err);
	if (rc)
		goto out;
	q_bind_row(&q, c, channel_fields);
	rc = q_insert_returning(&q, &c->seq, "channel", "name", err);
	q_close(&q);
	if (rc == ORDO_OK)
		rc = skus_write(tx, c, err);
out:
	q_close(&q);
	return rc;
}

static void col_channel(struct q *q, ordo_channel *c)
{
	c->seq = q_col_i64(q);
	q_read_row(q, c, channel_fields);
}

/* The channel of statement id (by its id, or the tenant's by name). */
static ordo_code channel_read(store_tx *tx, unsigned id, int64_t tenant,
			      const char *key, ordo_channel *c, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	channel_free(c);
	rc = q_open(&q, tx, id, err);
	if (rc)
		goto out;
	if (id == SQL_CHANNEL_BY_NAME)
		q_i64(&q, tenant);
	q_str(&q, key);
	rc = q_step(&q, &row, "reading a channel", "id", err);
	if (rc)
		goto out;
	if (row)
		col_channel(&q, c);
	if (!row || (tenant && c->tenant_id != tenant)) {
		channel_init(c);
		rc = ordo_err_set(err, ORDO_ENOTFOUND,
				  id == SQL_CHANNEL_BY_NAME ? "channel" : "id",
				  "no channel \"%.64s\"", key);
		goto out;
	}
	rc = q_row_end(&q, "reading a channel", err);
	q_close(&q);
	if (rc == ORDO_OK)
		rc = skus_read(tx, c, err);
out:
	q_close(&q);
	if (rc)
		channel_free(c);
	return rc;
}

ordo_code store_channel_get(store_tx *tx, int64_t tenant, const char *id,
			    ordo_channel *c, ordo_err *err)
{
	return channel_read(tx, SQL_CHANNEL_GET, tenant, id, c, err);
}

ordo_code store_channel_by_name(store_tx *tx, int64_t tenant,
				const char *name, ordo_channel *c,
				ordo_err *err)
{
	return channel_read(tx, SQL_CHANNEL_BY_NAME, tenant, name, c, err);
}

/* A listed channel: its mapping counted (n_skus), not read (skus NULL). */
static ordo_code read_listed(struct q *q, void *item, ordo_err *err)
{
	ordo_channel *c = item;

	col_channel(q, c);
	c->n_skus = (size_t)q_col_i64(q);
	return q_row_end(q, "listing channels", err);
}

ordo_code store_channel_list(store_tx *tx, int64_t tenant, ordo_channel **out,
			     size_t *n, ordo_err *err)
{
	struct q q = {0};
	void *items = NULL;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_CHANNEL_LIST, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		rc = q_rows(&q, SIZE_MAX, sizeof(ordo_channel), read_listed,
			    &items, n, "listing channels", err);
	}
	q_close(&q);
	*out = q_rows_done(rc, items, n);
	return rc;
}

ordo_code store_channel_count(store_tx *tx, int64_t tenant, int64_t *n,
			      ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	*n = 0;
	rc = q_open(&q, tx, SQL_CHANNEL_COUNT, err);
	if (rc == ORDO_OK) {
		q_i64(&q, tenant);
		rc = q_step(&q, &row, "counting channels", NULL, err);
		if (rc == ORDO_OK && row)
			*n = q_col_i64(&q);
	}
	q_close(&q);
	return rc;
}

ordo_code store_channel_update(store_tx *tx, int64_t tenant, ordo_channel *c,
			       bool skus, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	rc = tx_check_writable(tx, "store_channel_update", err);
	if (rc)
		goto out;
	rc = q_open(&q, tx, SQL_CHANNEL_UPDATE, err);
	if (rc)
		goto out;
	q_bind_row(&q, c, channel_set_fields);
	q_i64(&q, tenant);
	q_str(&q, c->id);
	rc = q_step_one(&q, "updating a channel", "id", "channel", c->id,
			err);
	if (rc)
		goto out;
	c->seq = q_col_i64(&q);
	q_close(&q);
	if (skus)
		rc = skus_write(tx, c, err);
out:
	q_close(&q);
	return rc;
}

ordo_code store_channel_delete(store_tx *tx, int64_t tenant, const char *id,
			       ordo_err *err)
{
	struct q q = {0};
	ordo_channel c;
	ordo_code rc;

	channel_init(&c);
	rc = tx_check_writable(tx, "store_channel_delete", err);
	if (rc)
		goto out;
	/* Its mapping first: channel_skus refers to it. */
	rc = store_channel_get(tx, tenant, id, &c, err);
	if (rc)
		goto out;
	c.n_skus = 0;
	rc = skus_write(tx, &c, err);
	if (rc)
		goto out;
	/* And the interchanges it read (migration 0016). */
	rc = q_open(&q, tx, SQL_X12_FORGET, err);
	if (rc)
		goto out;
	q_i64(&q, c.seq);
	rc = q_exec(&q, "forgetting a channel's interchanges", NULL, err);
	if (rc)
		goto out;
	q_close(&q);
	rc = q_open(&q, tx, SQL_CHANNEL_DELETE, err);
	if (rc)
		goto out;
	q_i64(&q, tenant);
	q_str(&q, id);
	rc = q_step_one(&q, "deleting a channel", "id", "channel", id, err);
out:
	q_close(&q);
	channel_free(&c);
	return rc;
}

/* ---- an order's source --------------------------------------------------- */

ordo_code store_order_source(store_tx *tx, int64_t tenant,
			     const char *order_id, char *type,
			     size_t type_size, char **body, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc;

	*body = NULL;
	rc = q_get(&q, tx, SQL_ORDER_SOURCE, tenant, order_id,
		   "reading an order's source", "id", "order", err);
	if (rc)
		goto out;
	q_col_str(&q, type, type_size);
	if (tx->db->column_is_null(q.s, q.col)) {
		rc = ordo_err_set(err, ORDO_ENOTFOUND, "source",
				  "order %.64s has no source document: it was "
				  "taken in before ordo kept them",
				  order_id);
		goto out;
	}
	rc = q_col_dup(&q, body, "an order's source", err);
	if (rc == ORDO_OK)
		rc = q_row_end(&q, "reading an order's source", err);
	if (rc) {
		free(*body);
		*body = NULL;
	}
out:
	q_close(&q);
	return rc;
}

/* ---- EDI interchanges ---------------------------------------------------- */

ordo_code store_x12_seen(store_tx *tx, int64_t channel_seq, const char *sender,
			 const char *control_number, char **ack, ordo_err *err)
{
	struct q q = {0};
	bool row;
	ordo_code rc;

	*ack = NULL;
	rc = q_open(&q, tx, SQL_X12_SEEN, err);
	if (rc == ORDO_OK) {
		q_i64(&q, channel_seq);
		q_str(&q, sender);
		q_str(&q, control_number);
		rc = q_step(&q, &row, "reading an interchange", NULL, err);
		if (rc == ORDO_OK && row)
			rc = q_col_dup(&q, ack, "an interchange's 997", err);
	}
	q_close(&q);
	return rc;
}

ordo_code store_x12_keep(store_tx *tx, int64_t channel_seq, const char *sender,
			 const char *control_number, int64_t received_at,
			 const char *ack, ordo_err *err)
{
	struct q q = {0};
	ordo_code rc = tx_check_writable(tx, "store_x12_keep", err);

	if (rc == ORDO_OK)
		rc = q_open(&q, tx, SQL_X12_KEEP, err);
	if (rc == ORDO_OK) {
		q_i64(&q, channel_seq);
		q_str(&q, sender);
		q_str(&q, control_number);
		q_i64(&q, received_at);
		q_str(&q, ack);
		rc = q_exec(&q, "keeping an interchange", "ISA13", err);
	}
	q_close(&q);
	return rc;
}
