/*
 * app/review.h - the review queue: claims, decisions, bulk actions, defects,
 * and their commands (write.h): each decoded and checked by its caller,
 * run on the committer, answered from its outputs after the commit.
 */
#ifndef ORDO_APP_REVIEW_H
#define ORDO_APP_REVIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/order_patch.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- the review queue (app/review.c) ------------------------------------ */

typedef enum {
	REVIEW_APPROVE,
	REVIEW_CORRECT,
	REVIEW_CANCEL, /* "cancel_order" */
	REVIEW_ESCALATE,
	REVIEW_RELEASE, /* bulk only: give the claims up */
} review_action;

const char *review_action_name(review_action a);
int review_action_parse(const char *name, review_action *out);

/* Claim (or renew) a hold for the caller for lease_s seconds. */
ordo_code app_hold_claim(store_tx *tx, const app_caller *c, const char *id,
			 int lease_s, ordo_time now, order_hold *h,
			 ordo_err *err);
/* Give a claim up: one's own, or - for a supervisor - anyone's. */
ordo_code app_hold_release(store_tx *tx, const app_caller *c, const char *id,
			   ordo_time now, order_hold *h, ordo_err *err);
/* A supervisor hands a hold to assignee for lease_s seconds. */
ordo_code app_hold_assign(store_tx *tx, const app_caller *c, const char *id,
			  const char *assignee, int lease_s, ordo_time now,
			  order_hold *out, ordo_err *err);

/*
 * Decide a hold (see review.c). patch, the changes a correction makes, is
 * used by REVIEW_CORRECT only (NULL: none). On success *hold_out is the
 * hold as decided and *order_out the order after (order_init'ed by the
 * caller; free with order_free).
 */
ordo_code app_hold_resolve(store_tx *tx, const app_caller *c, const char *id,
			   review_action action, const char *reason,
			   const order_patch *patch, ordo_time now,
			   order_hold *hold_out, order *order_out,
			   ordo_err *err);

/*
 * Validate and judge o again after its content changed (a correction, a
 * change): its open validation holds are resolved ("system", why), and
 * what validation and the policy find now raised, as at intake - but a
 * policy hold a person approved is not raised again.
 */
ordo_code app_order_revalidate(store_tx *tx, order *o, const char *actor,
			       const char *why, ordo_time now, ordo_err *err);

/* After its last open hold is resolved, the order goes on by itself. */
ordo_code app_order_resume(store_tx *tx, order *o, const char *actor,
			   ordo_time now, ordo_err *err);

/* Cancel the whole order: stock given back, fulfillments cancelled, every
 * unit not shipped cancelled, open holds resolved - as cancel_order when
 * a person cancelled it in review (in_review), else as system ("the
 * order was cancelled: <reason>"). */
ordo_code app_order_cancel(store_tx *tx, order *o, const char *actor,
			   const char *reason, bool in_review, ordo_time now,
			   ordo_err *err);

typedef struct {
	char hold_id[ORDO_ID_MAX];
	char error[ORDO_MESSAGE_MAX];
} app_bulk_failed;

typedef struct {
	size_t matched;
	size_t applied;
	bool more; /* more holds matched than one call takes */
	char (*ids)[ORDO_ID_MAX];
	app_bulk_failed *failed;
	size_t n_failed;
} app_bulk_result;

/* One action over every open hold f matches, at most f->limit (0: the
 * tenant's bulk_limit setting): when more match, ORDO_ECONFLICT (field
 * "limit") and nothing is done. With dry_run,
 * only count and list them (res->more says there are more). */
ordo_code app_holds_bulk(store_tx *tx, const app_caller *c,
			 const queue_filter *f, review_action action,
			 const char *reason, bool dry_run, ordo_time now,
			 app_bulk_result *res, ordo_err *err);
void app_bulk_result_free(app_bulk_result *res);

/* The defect types, NULL-terminated: wrong_address, missing_item,
 * wrong_item, duplicate_shipped, wrong_status, bad_handoff, other. */
extern const char *const app_defect_types[];
bool app_defect_type_known(const char *type);

/* Check what a defect report says (its type is one of the above);
 * ORDO_EINVALID naming the field otherwise. */
ordo_code app_defect_check(const order_defect *d, ordo_err *err);

/* Record a downstream defect against an order (id, reporter and time,
 * now, set). */
ordo_code app_defect_report(store_tx *tx, const app_caller *c,
			    order_defect *d, ordo_time now, ordo_err *err);

/* ---- the commands (write.h) ----------------------------------------------- */

typedef enum {
	APP_CLAIM_TAKE,	   /* claim or renew for the caller */
	APP_CLAIM_RELEASE, /* give the claim up */
	APP_CLAIM_ASSIGN,  /* a supervisor hands the hold to assignee */
} app_claim_op;

/* Claim, release or assign the hold hold_id; the hold as it is after. */
typedef struct {
	app_write w;
	app_claim_op op;		/* in */
	char hold_id[ORDO_ID_MAX];	/* in */
	int lease_s;			/* in: take, assign */
	char assignee[ORDO_ACTOR_MAX];	/* in: assign */
	order_hold hold;		/* out */
} app_claim_cmd;

void app_claim_cmd_init(app_claim_cmd *c, const app_caller *caller,
			ordo_time now, app_claim_op op, const char *hold_id);

/* Decide the hold hold_id; the hold as decided and its order after. */
typedef struct {
	app_write w;
	char hold_id[ORDO_ID_MAX];	/* in */
	review_action action;		/* in */
	char reason[ORDO_MESSAGE_MAX];	/* in */
	order_patch changes;		/* in: REVIEW_CORRECT's */
	order_hold hold;		/* out */
	order order;			/* out */
} app_resolve_cmd;

void app_resolve_cmd_init(app_resolve_cmd *c, const app_caller *caller,
			  ordo_time now, const char *hold_id);

/* One action over the holds filter matches (app_holds_bulk; the filter's
 * now and limit are set by the run, from the command's). */
typedef struct {
	app_write w;
	queue_filter filter;		/* in */
	review_action action;		/* in */
	char reason[ORDO_MESSAGE_MAX];	/* in */
	bool dry_run;			/* in */
	int limit;			/* in: 0 for the tenant's */
	app_bulk_result result;		/* out */
} app_bulk_cmd;

void app_bulk_cmd_init(app_bulk_cmd *c, const app_caller *caller,
		       ordo_time now);

/* Report defect against the order order_id; the defect as stored. */
typedef struct {
	app_write w;
	char order_id[ORDO_ID_MAX];	/* in */
	order_defect defect;		/* in: type, found_by, note */
	order_defect stored;		/* out */
} app_defect_cmd;

void app_defect_cmd_init(app_defect_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id);

/* ---- notes (app/notes.c) ----------------------------------------------- */

/*
 * A note a person writes on an order, or on one of its holds: its text
 * (1 .. ORDO_MESSAGE_MAX - 1 bytes, no control characters but line
 * breaks and tabs) goes on the order's timeline as an event "note", with
 * its author and time. Notes are never changed or deleted.
 */
typedef struct {
	char order_id[ORDO_ID_MAX];
	char hold_id[ORDO_ID_MAX]; /* "" = the order's */
	char text[ORDO_MESSAGE_MAX];
	char actor[ORDO_ACTOR_MAX]; /* set when written */
	ordo_time at;		    /* set when written */
} app_note;

/* What a note says is fit to keep (checked again when written). */
ordo_code app_note_check(const app_note *n, ordo_err *err);
/* Write n on its order's timeline; ORDO_ENOTFOUND naming "hold_id" for
 * a hold that is not the order's. */
ordo_code app_note_write(store_tx *tx, const app_caller *c, app_note *n,
			 ordo_time now, ordo_err *err);

typedef struct {
	app_write w;
	app_note note;	 /* in: order_id (the path's), hold_id, text */
	app_note stored; /* out */
} app_note_cmd;

void app_note_cmd_init(app_note_cmd *c, const app_caller *caller,
		       ordo_time now, const char *order_id);

#endif
