/*
 * queries.c - the read use cases, each in one read transaction so that what
 * it answers is one consistent snapshot.
 */
#include "app/app.h"

ordo_code app_order_get(store *st, const app_caller *c, const char *id,
			order *o, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_order_get(tx, c->tenant_id, id, o, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_order_list(store *st, const app_caller *c,
			 const order_filter *f, order_page *page,
			 ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_order_list(tx, c->tenant_id, f, page, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_order_events(store *st, const app_caller *c, const char *id,
			   order_event **out, size_t *n, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_event_list(tx, c->tenant_id, id, out, n, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_sku_list(store *st, const app_caller *c, const char *after,
		       int limit, catalog_sku **out, size_t *n, ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_sku_list(tx, c->tenant_id, after, limit, out, n, err);
	store_read_end(tx);
	return rc;
}

ordo_code app_location_list(store *st, const app_caller *c, const char *after,
			    int limit, catalog_location **out, size_t *n,
			    ordo_err *err)
{
	store_tx *tx;
	ordo_code rc = store_read_begin(st, &tx, err);

	if (rc)
		return rc;
	rc = store_location_list(tx, c->tenant_id, after, limit, out, n, err);
	store_read_end(tx);
	return rc;
}
