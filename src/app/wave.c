/*
 * wave.c - releasing a wave: every pending fulfillment (of one location, or
 * all) of orders without open holds goes to its warehouse at once. The
 * release itself is app_order_release's (allocation.c); this file picks
 * the orders and is the wave's command (write.h).
 */
#include "app/allocation.h"
#include "app/flow.h"

#include <stdlib.h>
#include <string.h>

ordo_code app_wave_release(store_tx *tx, const app_caller *c,
			   const char *location, ordo_time now,
			   char (**ids)[ORDO_ID_MAX], size_t *n,
			   ordo_err *err)
{
	fulfillment_filter f;
	size_t cap = 0;
	ordo_code rc = ORDO_OK;

	*ids = NULL;
	*n = 0;
	memset(&f, 0, sizeof(f));
	ordo_strlcpy(f.location, location, sizeof(f.location));
	f.has_state = true;
	f.state = FULFILLMENT_PENDING;
	f.limit = ORDO_PAGE_MAX;
	for (;;) {
		fulfillment *page = NULL;
		size_t got = 0, i, k;
		int64_t next = 0;

		rc = store_fulfillment_list(tx, c->tenant_id, &f, &page, &got,
					    &next, err);
		if (rc)
			break;
		for (i = 0; rc == ORDO_OK && i < got; i++) {
			order o;

			order_init(&o);
			rc = app_order_load(tx, c->tenant_id,
					    page[i].order_id, &o, err);
			if (rc == ORDO_OK)
				rc = app_order_release(tx, &o, location,
						       c->actor, now,
						       err);
			for (k = 0; rc == ORDO_OK && k < o.n_fulfillments;
			     k++) {
				const fulfillment *r = &o.fulfillments[k];

				if (strcmp(r->id, page[i].id) != 0 ||
				    r->state != FULFILLMENT_RELEASED)
					continue;
				if (*n == cap) {
					size_t nc = cap ? cap * 2 : 16;
					char(*grown)[ORDO_ID_MAX] = realloc(
						*ids, nc * sizeof(**ids));

					if (!grown) {
						rc = ordo_err_set(
							err, ORDO_ENOMEM, NULL,
							"out of memory");
						break;
					}
					*ids = grown;
					cap = nc;
				}
				ordo_strlcpy((*ids)[(*n)++], r->id,
					     ORDO_ID_MAX);
			}
			order_free(&o);
		}
		for (i = 0; i < got; i++)
			fulfillment_free(&page[i]);
		free(page);
		if (rc || next == 0)
			break;
		f.before_seq = next;
	}
	if (rc) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	return rc;
}

/* ---- the command (write.h) ------------------------------------------------ */

static ordo_code wave_run(store_tx *tx, app_write *w, ordo_err *err)
{
	app_wave_cmd *c = (app_wave_cmd *)w;

	return app_wave_release(tx, &w->caller, c->location, w->now, &c->ids,
				&c->n, err);
}

static void wave_clear(app_write *w)
{
	app_wave_cmd *c = (app_wave_cmd *)w;

	free(c->ids);
	c->ids = NULL;
	c->n = 0;
}

static const app_write_type wave_type = {
	.name = "wave_release", .run = wave_run, .clear = wave_clear};

void app_wave_cmd_init(app_wave_cmd *c, const app_caller *caller,
		       ordo_time now)
{
	memset(c, 0, sizeof(*c));
	app_write_init(&c->w, &wave_type, caller, now);
}
