/*
 * sql_cache.c - the transaction cache: rows a transaction reads again and
 * again, kept for its length (store_int.h, TRANSACTION CACHE, says why it
 * stays true). Each kind is a handful of fixed slots, the oldest replaced
 * first; a miss only costs the read the cache would have saved.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

#include "core/err.h"

void tx_cache_reset(store_tx *tx)
{
	struct tx_cache *c = &tx->cache;
	size_t i;

	if (!c->dirty)
		return; /* nothing kept: as zeroed as it was */
	store_policy_version_free(&c->policy);
	free(c->locations);
	for (i = 0; i < TX_CACHE_STOCK; i++)
		free(c->stock[i].rows);
	memset(c, 0, sizeof(*c));
}

/* ---- settings ------------------------------------------------------------ */

bool tx_cache_settings(store_tx *tx, int64_t tenant, tenant_settings *out)
{
	const struct tx_cache *c = &tx->cache;

	if (!c->has_settings || c->settings_tenant != tenant)
		return false;
	*out = c->settings;
	return true;
}

void tx_cache_put_settings(store_tx *tx, int64_t tenant,
			   const tenant_settings *s)
{
	tx->cache.dirty = true;
	tx->cache.has_settings = true;
	tx->cache.settings_tenant = tenant;
	tx->cache.settings = *s;
}

void tx_cache_forget_settings(store_tx *tx)
{
	tx->cache.has_settings = false;
}

/* ---- the active review policy --------------------------------------------- */

bool tx_cache_policy(store_tx *tx, int64_t tenant, bool *found,
		     policy_version *out, ordo_code *rc, ordo_err *err)
{
	const struct tx_cache *c = &tx->cache;

	*rc = ORDO_OK;
	if (!c->has_policy || c->policy_tenant != tenant)
		return false;
	*found = c->policy_found;
	if (!c->policy_found)
		return true;
	*out = c->policy;
	out->document = strdup(c->policy.document);
	if (!out->document)
		*rc = ordo_err_set(err, ORDO_ENOMEM, NULL,
				   "out of memory reading the policy");
	return true;
}

void tx_cache_put_policy(store_tx *tx, int64_t tenant,
			 const policy_version *v)
{
	struct tx_cache *c = &tx->cache;

	c->dirty = true;
	tx_cache_forget_policy(tx);
	if (v) {
		c->policy = *v;
		c->policy.document = strdup(v->document);
		if (!c->policy.document)
			return; /* not kept: the next read asks again */
	}
	c->has_policy = true;
	c->policy_found = v != NULL;
	c->policy_tenant = tenant;
}

void tx_cache_forget_policy(store_tx *tx)
{
	struct tx_cache *c = &tx->cache;

	store_policy_version_free(&c->policy);
	memset(&c->policy, 0, sizeof(c->policy));
	c->has_policy = false;
}

/* ---- orders' seqs --------------------------------------------------------- */

bool tx_cache_order_seq(store_tx *tx, int64_t tenant, const char *id,
			int64_t *seq)
{
	const struct tx_cache *c = &tx->cache;
	size_t i;

	for (i = 0; i < TX_CACHE_ORDERS; i++)
		if (c->orders[i].tenant == tenant && tenant != 0 &&
		    strcmp(c->orders[i].id, id) == 0) {
			*seq = c->orders[i].seq;
			return true;
		}
	return false;
}

void tx_cache_put_order_seq(store_tx *tx, int64_t tenant, const char *id,
			    int64_t seq)
{
	struct tx_cache *c = &tx->cache;
	int64_t known;

	c->dirty = true;
	if (strlen(id) >= sizeof(c->orders[0].id) ||
	    tx_cache_order_seq(tx, tenant, id, &known))
		return;
	c->orders[c->next_order].tenant = tenant;
	memcpy(c->orders[c->next_order].id, id, strlen(id) + 1);
	c->orders[c->next_order].seq = seq;
	c->next_order = (c->next_order + 1) % TX_CACHE_ORDERS;
}

/* ---- the webhooks that hear of an event ----------------------------------- */

const struct tx_subscribers *tx_cache_subscribers(store_tx *tx,
						  int64_t tenant,
						  const char *type,
						  const char *location,
						  const char *skip)
{
	const struct tx_cache *c = &tx->cache;
	size_t i;

	for (i = 0; i < c->n_subscribers; i++) {
		const struct tx_subscribers *s = &c->subscribers[i];

		if (s->tenant == tenant && strcmp(s->type, type) == 0 &&
		    strcmp(s->location, location) == 0 &&
		    strcmp(s->skip, skip) == 0)
			return s;
	}
	return NULL;
}

void tx_cache_put_subscribers(store_tx *tx, const struct tx_subscribers *s)
{
	struct tx_cache *c = &tx->cache;

	c->dirty = true;
	c->subscribers[c->next_subscribers] = *s;
	c->next_subscribers = (c->next_subscribers + 1) % TX_CACHE_SUBSCRIBERS;
	if (c->n_subscribers < TX_CACHE_SUBSCRIBERS)
		c->n_subscribers++;
}

void tx_cache_forget_subscribers(store_tx *tx)
{
	tx->cache.n_subscribers = 0;
	tx->cache.next_subscribers = 0;
}

/* ---- locations -------------------------------------------------------------- */

bool tx_cache_locations(store_tx *tx, int64_t tenant, int limit,
			catalog_location **out, size_t *n)
{
	const struct tx_cache *c = &tx->cache;

	*out = NULL;
	*n = 0;
	if (!c->has_locations || c->locations_tenant != tenant ||
	    c->locations_limit != limit)
		return false;
	if (c->n_locations > 0) {
		*out = malloc(c->n_locations * sizeof(**out));
		if (!*out)
			return false; /* read again: that path says ENOMEM */
		memcpy(*out, c->locations, c->n_locations * sizeof(**out));
	}
	*n = c->n_locations;
	return true;
}

void tx_cache_put_locations(store_tx *tx, int64_t tenant, int limit,
			    const catalog_location *items, size_t n)
{
	struct tx_cache *c = &tx->cache;
	catalog_location *copy = NULL;

	c->dirty = true;
	tx_cache_forget_locations(tx);
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return; /* not kept */
		memcpy(copy, items, n * sizeof(*copy));
	}
	c->has_locations = true;
	c->locations_tenant = tenant;
	c->locations_limit = limit;
	c->locations = copy;
	c->n_locations = n;
}

void tx_cache_forget_locations(store_tx *tx)
{
	struct tx_cache *c = &tx->cache;

	free(c->locations);
	c->locations = NULL;
	c->n_locations = 0;
	c->has_locations = false;
}

/* ---- keys that exist ---------------------------------------------------------- */

bool tx_cache_key_exists(store_tx *tx, unsigned id, int64_t tenant,
			 const char *key)
{
	const struct tx_cache *c = &tx->cache;
	size_t i;

	for (i = 0; i < TX_CACHE_KEYS; i++)
		if (c->keys[i].id == id && id != 0 &&
		    c->keys[i].tenant == tenant &&
		    strcmp(c->keys[i].key, key) == 0)
			return true;
	return false;
}

void tx_cache_put_key(store_tx *tx, unsigned id, int64_t tenant,
		      const char *key)
{
	struct tx_cache *c = &tx->cache;
	size_t len = strlen(key);

	c->dirty = true;
	if (id == 0 || len >= sizeof(c->keys[0].key))
		return;
	c->keys[c->next_key].id = id;
	c->keys[c->next_key].tenant = tenant;
	memcpy(c->keys[c->next_key].key, key, len + 1);
	c->next_key = (c->next_key + 1) % TX_CACHE_KEYS;
}

/* ---- SKUs ---------------------------------------------------------------- */

bool tx_cache_sku(store_tx *tx, int64_t tenant, const char *sku,
		  catalog_sku *out)
{
	const struct tx_cache *c = &tx->cache;
	size_t i;

	for (i = 0; i < TX_CACHE_SKUS; i++)
		if (c->skus[i].tenant == tenant && tenant != 0 &&
		    strcmp(c->skus[i].sku.sku, sku) == 0) {
			*out = c->skus[i].sku;
			return true;
		}
	return false;
}

void tx_cache_put_sku(store_tx *tx, int64_t tenant, const catalog_sku *s)
{
	struct tx_cache *c = &tx->cache;

	c->dirty = true;
	c->skus[c->next_sku].tenant = tenant;
	c->skus[c->next_sku].sku = *s;
	c->next_sku = (c->next_sku + 1) % TX_CACHE_SKUS;
}

void tx_cache_forget_skus(store_tx *tx)
{
	struct tx_cache *c = &tx->cache;

	memset(c->skus, 0, sizeof(c->skus));
	c->next_sku = 0;
}

/* ---- stock of a SKU --------------------------------------------------------- */

bool tx_cache_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			   stock_level **out, size_t *n)
{
	const struct tx_cache *c = &tx->cache;
	size_t i;

	*out = NULL;
	*n = 0;
	for (i = 0; i < TX_CACHE_STOCK; i++) {
		if (c->stock[i].tenant != tenant || tenant == 0 ||
		    strcmp(c->stock[i].sku, sku) != 0)
			continue;
		if (c->stock[i].n > 0) {
			*out = malloc(c->stock[i].n * sizeof(**out));
			if (!*out)
				return false; /* read again: it says ENOMEM */
			memcpy(*out, c->stock[i].rows,
			       c->stock[i].n * sizeof(**out));
		}
		*n = c->stock[i].n;
		return true;
	}
	return false;
}

void tx_cache_put_stock_of_sku(store_tx *tx, int64_t tenant, const char *sku,
			       const stock_level *rows, size_t n)
{
	struct tx_cache *c = &tx->cache;
	unsigned at = c->next_stock;
	stock_level *copy = NULL;

	c->dirty = true;
	if (strlen(sku) >= sizeof(c->stock[0].sku))
		return;
	if (n > 0) {
		copy = malloc(n * sizeof(*copy));
		if (!copy)
			return; /* not kept */
		memcpy(copy, rows, n * sizeof(*copy));
	}
	free(c->stock[at].rows);
	c->stock[at].tenant = tenant;
	memcpy(c->stock[at].sku, sku, strlen(sku) + 1);
	c->stock[at].rows = copy;
	c->stock[at].n = n;
	c->next_stock = (at + 1) % TX_CACHE_STOCK;
}

void tx_cache_stock_written(store_tx *tx, int64_t tenant,
			    const stock_level *level)
{
	struct tx_cache *c = &tx->cache;
	size_t i, k;

	for (i = 0; i < TX_CACHE_STOCK; i++) {
		if (c->stock[i].tenant != tenant || tenant == 0 ||
		    strcmp(c->stock[i].sku, level->sku) != 0)
			continue;
		for (k = 0; k < c->stock[i].n; k++)
			if (strcmp(c->stock[i].rows[k].location,
				   level->location) == 0) {
				c->stock[i].rows[k] = *level;
				return;
			}
		/* A row the list does not have: read the list again. */
		free(c->stock[i].rows);
		memset(&c->stock[i], 0, sizeof(c->stock[i]));
		return;
	}
}
