/*
 * app/imports.h - order files taken in: an import's record, its orders
 * taken one write each, its rows not taken.
 */
#ifndef ORDO_APP_IMPORTS_H
#define ORDO_APP_IMPORTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/caller.h"
#include "channels/csv.h"
#include "core/clock.h"
#include "store/store.h"

/* ---- imports (app/imports.c) ------------------------------------------ */

/*
 * Record a new import of the caller's tenant (state running, its id made
 * here) of a file named file_name for channel: *im is the import as
 * stored. One write of its own, waited for.
 */
ordo_code app_import_begin(store *st, const app_caller *c, const char *channel,
			   const char *file_name, ordo_time now,
			   store_import *im, ordo_err *err);

/* What watches an import as it runs. All members may be NULL. */
typedef struct {
	/* Told after each record of the import's counts, and at its end. */
	void (*progress)(void *ctx, const store_import *im);
	void *ctx;
	/* Set by another thread: take no more orders, record the import
	 * failed ("stopped"), return ORDO_EUNAVAILABLE. */
	atomic_bool *stop;
} app_import_watch;

/*
 * Take in the CSV file buf (len bytes) as the import *im (app_import_begin),
 * its orders received at the times clock gives, through the channel ch
 * (NULL: none; its SKU mapping applied to each line, its currency for a
 * file and map that name none),
 * with map (NULL: ordo's own column names): each good order as POST
 * /v1/orders takes one (the same validation, duplicate detection, holds
 * and policy; an order already taken through the same channel counts as
 * existing), each in a write of its own with at most ORDO_IMPORT_IN_FLIGHT
 * waiting at once, so that other writes go between them; every row not
 * taken recorded with its line, column and reason; the counts recorded
 * every ORDO_IMPORT_PROGRESS_ORDERS orders and at the end (state done, or
 * failed with the reason when the file is refused as a whole). *im is the
 * import as recorded last. Returns the file's refusal, or what stopped
 * it; ORDO_OK however many rows were not taken.
 */
ordo_code app_import_csv(store *st, const app_caller *c,
			 const ordo_channel *ch, const ordo_clock *clock,
			 store_import *im, const char *buf, size_t len,
			 const csv_map *map, const app_import_watch *watch,
			 ordo_err *err);

/* Reads: an import, a page of the tenant's imports (newest first), and a
 * page of an import's rows not taken (after the after_n'th). */
ordo_code app_import_get(store *st, const app_caller *c, const char *id,
			 store_import *im, ordo_err *err);
ordo_code app_import_list(store *st, const app_caller *c, int64_t before_seq,
			  int limit, store_import **out, size_t *n,
			  int64_t *next, ordo_err *err);
ordo_code app_import_problems(store *st, const app_caller *c, const char *id,
			      int64_t after_n, int limit, store_import *im,
			      import_problem **out, size_t *n, ordo_err *err);

#endif
