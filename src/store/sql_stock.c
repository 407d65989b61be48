/*
 * sql_stock.c - a batch's stock changes, kept as changes and written at its
 * end (store_int.h, STOCK WRITTEN AT THE BATCH'S END, says why and when).
 *
 * The rows a batch reads are kept in tx->stock.rows in the order first
 * read, each with the batch's changes to it; a job's first change of a row
 * saves the changes before it, which a rollback of the job restores. The
 * stock events are kept in the order appended, each naming its row.
 */
#include "store/sql_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/catalog.h"
#include "core/err.h"
#include "core/limits.h"

void tx_stock_begin(store_tx *tx, bool deltas)
{
	tx_stock_forget(tx);
	tx->stock.deltas = deltas;
}

void tx_stock_forget(store_tx *tx)
{
	struct tx_stock *s = &tx->stock;

	free(s->rows);
	free(s->events);
	free(s->index);
	s->rows = NULL;
	s->events = NULL;
	s->index = NULL;
	s->n = s->cap = s->index_cap = s->n_events = s->cap_events = 0;
	s->mark = 0;
	s->deltas = s->conflict = false;
}

ordo_code store_stock_exact(store_tx *tx, ordo_err *err)
{
	if (!tx->stock.deltas)
		return ORDO_OK;
	tx->stock.conflict = true;
	return ordo_err_set(err, ORDO_ECONFLICT, "sku",
			    "stock set to what is found, in a batch that "
			    "writes its stock at its end: it runs again "
			    "exact");
}

void tx_stock_job_begin(store_tx *tx)
{
	struct tx_stock *s = &tx->stock;

	s->mark = s->n_events;
}

void tx_stock_job_undo(store_tx *tx)
{
	struct tx_stock *s = &tx->stock;
	size_t i;

	for (i = 0; i < s->n; i++) {
		struct tx_stock_row *r = &s->rows[i];

		if (r->job != tx->job)
			continue;
		r->d_on_hand = r->s_on_hand;
		r->d_reserved = r->s_reserved;
		r->d_safety = r->s_safety;
		r->base.updated_at = r->s_updated_at;
		r->reserves = r->s_reserves;
		r->job = 0;
	}
	s->n_events = s->mark;
}

/* FNV-1a of (tenant, location, sku). */
static size_t row_hash(int64_t tenant, const char *location, const char *sku)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)tenant;
	const char *parts[2] = {location, sku};
	size_t k;

	for (k = 0; k < 2; k++) {
		const unsigned char *c;

		for (c = (const unsigned char *)parts[k]; *c; c++)
			h = (h ^ *c) * 1099511628211ULL;
		h = (h ^ 0xff) * 1099511628211ULL; /* between the parts */
	}
	return (size_t)h;
}

/* The slot of (tenant, location, sku) in the index: its row's, or the
 * empty one where it would go. */
static size_t *index_slot(struct tx_stock *s, int64_t tenant,
			  const char *location, const char *sku)
{
	size_t mask = s->index_cap - 1;
	size_t at = row_hash(tenant, location, sku) & mask;

	for (;; at = (at + 1) & mask) {
		const struct tx_stock_row *r;

		if (s->index[at] == 0)
			return &s->index[at];
		r = &s->rows[s->index[at] - 1];
		if (r->tenant == tenant && strcmp(r->base.sku, sku) == 0 &&
		    strcmp(r->base.location, location) == 0)
			return &s->index[at];
	}
}

struct tx_stock_row *tx_stock_find(store_tx *tx, int64_t tenant,
				   const char *location, const char *sku)
{
	struct tx_stock *s = &tx->stock;
	size_t *slot;

	if (s->n == 0)
		return NULL;
	slot = index_slot(s, tenant, location, sku);
	return *slot ? &s->rows[*slot - 1] : NULL;
}

/* Room for one row more, the index at most half full. */
static ordo_code rows_grow(struct tx_stock *s, ordo_err *err)
{
	size_t grown, i, *index;
	struct tx_stock_row *more;

	if (s->n < s->cap)
		return ORDO_OK;
	grown = s->cap ? s->cap * 2 : 64;
	more = realloc(s->rows, grown * sizeof(*more));
	if (!more)
		return sql_no_memory(err, "keeping stock");
	s->rows = more;
	index = calloc(2 * grown, sizeof(*index));
	if (!index)
		return sql_no_memory(err, "keeping stock");
	free(s->index);
	s->index = index;
	s->index_cap = 2 * grown;
	s->cap = grown;
	for (i = 0; i < s->n; i++)
		*index_slot(s, s->rows[i].tenant, s->rows[i].base.location,
			    s->rows[i].base.sku) = i + 1;
	return ORDO_OK;
}

/* The row as the batch sees it: as read, with its changes made. */
static void row_view(const struct tx_stock_row *r, stock_level *out)
{
	*out = r->base;
	out->on_hand += r->d_on_hand;
	out->reserved += r->d_reserved;
	out->safety_stock += r->d_safety;
}

ordo_code tx_stock_seen(store_tx *tx, int64_t tenant, stock_level *level,
			ordo_err *err)
{
	struct tx_stock *s = &tx->stock;
	struct tx_stock_row *r;

	r = tx_stock_find(tx, tenant, level->location, level->sku);
	if (!r) {
		ordo_code rc = rows_grow(s, err);

		if (rc)
			return rc;
		r = &s->rows[s->n++];
		memset(r, 0, sizeof(*r));
		r->tenant = tenant;
		r->base = *level;
		*index_slot(s, tenant, level->location, level->sku) = s->n;
		/* Stock free of a SKU a job found short, at a location it did
		 * not see: it came meanwhile (store_stock_short). */
		if (level->location[0] && stock_available(level) > 0) {
			struct tx_stock_row *mark =
				tx_stock_find(tx, tenant, "", level->sku);

			if (mark && mark->short_of)
				s->conflict = true;
		}
	}
	row_view(r, level);
	return ORDO_OK;
}

void tx_stock_change(store_tx *tx, struct tx_stock_row *r,
		     const stock_level *level)
{
	stock_level view;

	if (r->job != tx->job) {
		r->s_on_hand = r->d_on_hand;
		r->s_reserved = r->d_reserved;
		r->s_safety = r->d_safety;
		r->s_updated_at = r->base.updated_at;
		r->s_reserves = r->reserves;
		r->job = tx->job;
	}
	row_view(r, &view);
	if (level->reserved > view.reserved)
		r->reserves = true;
	r->d_on_hand += level->on_hand - view.on_hand;
	r->d_reserved += level->reserved - view.reserved;
	r->d_safety += level->safety_stock - view.safety_stock;
	if (level->updated_at > r->base.updated_at)
		r->base.updated_at = level->updated_at;
}

ordo_code tx_stock_keep_event(store_tx *tx, const struct tx_stock_row *r,
			      const stock_event *ev, ordo_err *err)
{
	struct tx_stock *s = &tx->stock;
	struct tx_stock_event *e;

	if (s->n_events == s->cap_events) {
		size_t grown = s->cap_events ? s->cap_events * 2 : 64;
		struct tx_stock_event *more =
			realloc(s->events, grown * sizeof(*more));

		if (!more)
			return sql_no_memory(err, "keeping a stock event");
		s->events = more;
		s->cap_events = grown;
	}
	e = &s->events[s->n_events++];
	e->tenant = r->tenant;
	e->row = (size_t)(r - s->rows);
	e->ev = *ev;
	return ORDO_OK;
}

void store_stock_short(store_tx *tx, int64_t tenant, const char *sku)
{
	struct tx_stock *s = &tx->stock;
	stock_level mark;
	ordo_err err = ORDO_ERR_INIT;
	size_t i;

	if (!s->deltas)
		return;
	for (i = 0; i < s->n; i++)
		if (s->rows[i].tenant == tenant &&
		    strcmp(s->rows[i].base.sku, sku) == 0)
			s->rows[i].short_of = true;
	if (tx_stock_find(tx, tenant, "", sku))
		return;
	memset(&mark, 0, sizeof(mark));
	ordo_strlcpy(mark.sku, sku, sizeof(mark.sku));
	if (tx_stock_seen(tx, tenant, &mark, &err) == ORDO_OK)
		tx_stock_find(tx, tenant, "", sku)->short_of = true;
	else
		tx->stock.conflict = true; /* no memory: run it exact */
	ordo_err_clear(&err);
}

/* ---- the batch's end ------------------------------------------------------ */

static int changed_cmp(const void *a, const void *b)
{
	const struct tx_stock_row *x = *(const struct tx_stock_row *const *)a;
	const struct tx_stock_row *y = *(const struct tx_stock_row *const *)b;
	int c;

	if (x->tenant != y->tenant)
		return x->tenant < y->tenant ? -1 : 1;
	c = strcmp(x->base.sku, y->base.sku);
	return c ? c : strcmp(x->base.location, y->base.location);
}

/* The stock taken by another transaction since the batch read it: the batch
 * must run again exact. */
static ordo_code conflict(store_tx *tx, const stock_level *now,
			  ordo_err *err)
{
	tx->stock.conflict = true;
	return ordo_err_set(err, ORDO_ECONFLICT, "sku",
			    "stock of \"%.64s\" at \"%.32s\" changed while "
			    "the batch ran",
			    now->sku, now->location);
}

/* Whether availability going from `from` to `to` crosses the tenant's
 * low-stock threshold downwards (the stock.low webhook's test). */
static bool crosses(const stock_level *from, const stock_level *to,
		    int64_t threshold)
{
	return stock_available(from) > threshold &&
	       stock_available(to) <= threshold;
}

/*
 * Check row r's changes made to the row as it now is (locked, *now) and
 * set *now to the row to write. Where no one else changed the row since
 * the batch read it, the jobs saw it as it is. Else the changes hold when
 * no more of it is free than the jobs saw (one that found too little
 * would find enough now: a count that added stock looked for orders
 * waiting for it before this batch's were stored), the row stays
 * possible, what the batch reserved or took stays free of others'
 * reservations and safety stock, and the batch's change crosses the
 * low-stock threshold (threshold) exactly when its jobs saw it cross.
 */
static ordo_code check_row(store_tx *tx, const struct tx_stock_row *r,
			   int64_t threshold, stock_level *now, ordo_err *err)
{
	stock_level before = *now, view;
	int64_t taken = r->d_reserved + r->d_safety - r->d_on_hand;
	bool others = before.on_hand != r->base.on_hand ||
		      before.reserved != r->base.reserved ||
		      before.safety_stock != r->base.safety_stock;

	now->on_hand += r->d_on_hand;
	now->reserved += r->d_reserved;
	now->safety_stock += r->d_safety;
	if (r->base.updated_at > now->updated_at)
		now->updated_at = r->base.updated_at;
	if (!others)
		return ORDO_OK;
	row_view(r, &view);
	if ((r->short_of &&
	     stock_available(&before) > stock_available(&r->base)) ||
	    now->on_hand < 0 || now->reserved < 0 || now->safety_stock < 0 ||
	    now->reserved > now->on_hand || now->on_hand > ORDO_MAX_STOCK ||
	    now->safety_stock > ORDO_MAX_STOCK ||
	    ((taken > 0 || r->reserves) &&
	     now->on_hand - now->reserved - now->safety_stock < 0) ||
	    crosses(&r->base, &view, threshold) !=
		    crosses(&before, now, threshold))
		return conflict(tx, now, err);
	return ORDO_OK;
}

/* Lock and check the rows of one tenant the batch read, chg[0..n)
 * (sorted), and write those it changed; each row's levels as they were
 * when read are moved to what they are now in moved[] (by row index). */
static ordo_code finish_tenant(store_tx *tx, struct tx_stock_row **chg,
			       size_t n, stock_level *moved, ordo_err *err)
{
	struct tx_stock *s = &tx->stock;
	const char **skus = malloc(n * sizeof(*skus));
	stock_level *rows = NULL;
	tenant_settings set;
	size_t i, k, m = 0, count = 0;
	ordo_code rc;

	if (!skus)
		return sql_no_memory(err, "writing stock");
	rc = store_settings_get(tx, chg[0]->tenant, &set, err);
	if (rc) {
		free(skus);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (m == 0 || strcmp(skus[m - 1], chg[i]->base.sku) != 0)
			skus[m++] = chg[i]->base.sku;
	rc = sql_stock_rows_of_skus(tx, chg[0]->tenant, skus, m, true, &rows,
				    &count, err);
	/* A row of a SKU a job found too little of, at a location new to the
	 * batch (another transaction's since), with stock free. */
	for (k = 0; rc == ORDO_OK && k < count; k++) {
		struct tx_stock_row *mark =
			tx_stock_find(tx, chg[0]->tenant, "", rows[k].sku);

		if (mark && mark->short_of &&
		    !tx_stock_find(tx, chg[0]->tenant, rows[k].location,
				   rows[k].sku) &&
		    stock_available(&rows[k]) > 0)
			rc = conflict(tx, &rows[k], err);
	}
	for (i = 0, k = 0; rc == ORDO_OK && i < n; i++) {
		struct tx_stock_row *r = chg[i];
		stock_level now;

		if (!r->base.location[0])
			continue; /* a SKU's mark (store_stock_short) */
		while (k < count &&
		       (strcmp(rows[k].sku, r->base.sku) < 0 ||
			(strcmp(rows[k].sku, r->base.sku) == 0 &&
			 strcmp(rows[k].location, r->base.location) < 0)))
			k++;
		if (k == count || strcmp(rows[k].sku, r->base.sku) != 0 ||
		    strcmp(rows[k].location, r->base.location) != 0) {
			rc = conflict(tx, &r->base, err);
			break;
		}
		now = rows[k];
		moved[r - s->rows].on_hand = now.on_hand - r->base.on_hand;
		moved[r - s->rows].reserved = now.reserved - r->base.reserved;
		rc = check_row(tx, r, set.low_stock_threshold, &now, err);
		if (rc == ORDO_OK &&
		    (r->d_on_hand || r->d_reserved || r->d_safety))
			rc = sql_stock_write(tx, r->tenant, &now, err);
	}
	free(rows);
	free(skus);
	return rc;
}

ordo_code tx_stock_finish(store_tx *tx, ordo_err *err)
{
	struct tx_stock *s = &tx->stock;
	struct tx_stock_row **chg = NULL;
	stock_level *moved = NULL;
	size_t i, n = 0, from;
	ordo_code rc = ORDO_OK;

	if (!s->deltas || s->n == 0)
		return ORDO_OK;
	chg = malloc(s->n * sizeof(*chg));
	moved = calloc(s->n, sizeof(*moved));
	if (!chg || !moved) {
		rc = sql_no_memory(err, "writing stock");
		goto out;
	}
	/* Every row read: a job may have found too little of it. */
	for (i = 0; i < s->n; i++)
		chg[n++] = &s->rows[i];
	qsort(chg, n, sizeof(*chg), changed_cmp);
	for (from = 0; rc == ORDO_OK && from < n; from = i) {
		for (i = from; i < n && chg[i]->tenant == chg[from]->tenant;
		     i++)
			;
		rc = finish_tenant(tx, chg + from, i - from, moved, err);
	}
	/* The events, in their order, each with what others changed of its
	 * row since the batch read it. */
	for (i = 0; rc == ORDO_OK && i < s->n_events; i++) {
		struct tx_stock_event *e = &s->events[i];

		e->ev.on_hand += moved[e->row].on_hand;
		e->ev.reserved += moved[e->row].reserved;
	}
	if (rc == ORDO_OK)
		rc = sql_stock_events_write(tx, s->events, s->n_events, err);
out:
	free(chg);
	free(moved);
	return rc;
}
