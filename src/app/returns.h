/*
 * app/returns.h - returns of what shipped (app/returns.c; the rules are
 * core/returns.h's).
 *
 *   authorise   against each line's shipped units not yet under a return;
 *               a claim (wrong_item, missing_item) records a defect of
 *               its type on the order too
 *   receive     units back at a location; restocked ones go back into its
 *               stock (an adjustment, reason "return", which offers them
 *               to the orders waiting for that SKU)
 *   refund      an amount recorded, at most what the order's refunds may
 *               still come to (its total); ordo moves no money
 *
 * Each is a timeline event (return_authorized, return_received,
 * return_refunded) and a webhook (return.authorized, return.received,
 * return.refunded).
 */
#ifndef ORDO_APP_RETURNS_H
#define ORDO_APP_RETURNS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/order.h"
#include "core/returns.h"
#include "store/store.h"

/* A return as the API shows it (and webhooks carry it). */
json_t *app_return_json(const order_return *r);

/* Authorise a return of the order order_id. */
typedef struct {
	app_write w;
	char order_id[ORDO_ID_MAX];	/* in */
	return_ask asks[RETURN_LINES_MAX]; /* in */
	size_t n;			/* in */
	return_reason reason;		/* in */
	char note[ORDO_MESSAGE_MAX];	/* in */
	order_return ret;		/* out */
} app_return_cmd;

void app_return_cmd_init(app_return_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id);

/* Receive units of the return return_id at location. */
typedef struct {
	app_write w;
	char return_id[ORDO_ID_MAX];		 /* in */
	return_ask asks[RETURN_LINES_MAX];	 /* in */
	size_t n;				 /* in */
	bool restock;				 /* in */
	char location[ORDO_LOCATION_CODE_MAX];	 /* in */
	order_return ret;			 /* out */
} app_return_receive_cmd;

void app_return_receive_cmd_init(app_return_receive_cmd *c,
				 const app_caller *caller, ordo_time now,
				 const char *return_id);

/* Record a refund of the return return_id: amount as decimal text in the
 * return's currency, and the caller's reference. */
typedef struct {
	app_write w;
	char return_id[ORDO_ID_MAX];		  /* in */
	char amount[32];			  /* in */
	char reference[ORDO_EXTERNAL_ID_MAX];	  /* in */
	order_return ret;			  /* out */
} app_return_refund_cmd;

void app_return_refund_cmd_init(app_return_refund_cmd *c,
				const app_caller *caller, ordo_time now,
				const char *return_id);

/* The commands' use cases, for a caller already inside a write (the
 * demo): in's inputs, r the output. */
ordo_code app_return_authorize(store_tx *tx, const app_caller *c,
			       const app_return_cmd *in, order_return *r,
			       ordo_time now, ordo_err *err);
ordo_code app_return_receive(store_tx *tx, const app_caller *c,
			     const app_return_receive_cmd *in, order_return *r,
			     ordo_time now, ordo_err *err);
ordo_code app_return_refund(store_tx *tx, const app_caller *c,
			    const app_return_refund_cmd *in, order_return *r,
			    ordo_time now, ordo_err *err);

#endif
