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
#include "channels/x12.h"
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

/* What taking an EDI file did. */
typedef struct {
	int64_t interchanges;	   /* answered */
	int64_t interchanges_seen; /* read before: answered as then */
	int64_t orders_taken, orders_existing, orders_refused;
	/* Ship notices (856, 945): shipments made of them, notices taken
	 * before (the same tracking number on the same fulfillment),
	 * notices refused (each logged with why). */
	int64_t shipments_taken, shipments_existing, shipments_refused;
	/* Purchase order changes (860): those asked of their orders (some
	 * of what they ask may not be taken: said on the order's
	 * timeline), and those whose order ordo does not have or that ask
	 * nothing ordo takes. */
	int64_t changes_taken, changes_refused;
	/* The replies, one 997 per interchange answered, in order
	 * (malloc'd; the caller frees). */
	char *ack;
	size_t ack_len;
} app_x12_result;

/*
 * Take in an EDI X12 file sent through the x12 channel ch (channels/x12.h):
 * each interchange the channel has taken orders from before (its sender,
 * ISA05/ISA06, and control number, ISA13) is answered with the 997 it got
 * then and takes nothing (one the 997 rejected whole is read again); each new one's accepted 850s are taken in as POST
 * /v1/orders takes an order (one write each; the PO number is the
 * external id, so a PO sent again is found, not taken twice; the whole
 * file is each order's source), and its 997 is built - control numbers
 * those of the interchange it answers - and kept with it. A set the 997
 * rejects is not taken, nor is a cancellation (BEG01 01: refused,
 * counted so). ORDO_EINVALID, with the file's problems as
 * details, when no interchange in it can be answered; ORDO_ELIMIT for a
 * file over the X12 limits.
 */
ordo_code app_x12_take(store *st, const app_caller *c, const ordo_channel *ch,
		       const ordo_clock *clock, const char *buf, size_t len,
		       app_x12_result *res, ordo_err *err);

/*
 * The source kept with the order of 850 set s of d (which 855s are made
 * again from): its interchange's ISA, its group's GS, its own segments as
 * the partner wrote them, and the trailers that close them around this one
 * set. Malloc'd; NULL when out of memory.
 */
char *app_x12_set_source(const x12_doc *d, size_t s);

/*
 * The notices of what a warehouse shipped in set `set` of d (an 856 or
 * 945, channels/x12.h SHIP NOTICES), each shipped as POST
 * /v1/fulfillments/{id}/shipments ships (app/notices.c): the order its
 * ordo id or, else, its one order of that external id (the PO number);
 * the fulfillment the order's released one at ch's location (any, when
 * ch names none, if it has only one); the lines' codes mapped by ch,
 * a partner's line ID that is one of the order's lines winning. One
 * write each; counted in res; *failed counts those the store failed.
 */
ordo_code app_x12_ship_notices(store *st, const app_caller *c,
			       const ordo_channel *ch, const x12_doc *d,
			       size_t set, ordo_time now, app_x12_result *res,
			       size_t *failed, ordo_err *err);

/*
 * The 855 purchase order acknowledgment of an order taken from an 850
 * (channels/x12.h), as its lines stand now: each accepted, backordered
 * (units still open), changed (some cancelled) or rejected (all
 * cancelled); the whole order rejected when it was. *out is malloc'd.
 * ORDO_ENOTFOUND naming "id" for no such order, or one that did not come
 * in an 850; ORDO_ESTATE while it is not yet accepted (received or on
 * hold): the partner hears once a person has decided.
 */
ordo_code app_order_855(store *st, const app_caller *c, const char *id,
			ordo_time now, char **out, size_t *out_len,
			ordo_err *err);

/* Reads: a page of the tenant's imports (newest first), and an import
 * with a page of its rows not taken (after the after_n'th). */
ordo_code app_import_list(store *st, const app_caller *c, int64_t before_seq,
			  int limit, store_import **out, size_t *n,
			  int64_t *next, ordo_err *err);
ordo_code app_import_problems(store *st, const app_caller *c, const char *id,
			      int64_t after_n, int limit, store_import *im,
			      import_problem **out, size_t *n, ordo_err *err);

#endif
