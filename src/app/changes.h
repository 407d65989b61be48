/*
 * app/changes.h - changes and cancellations of orders in the flow, the
 * requests a warehouse answers, and holds people place by hand
 * (app/changes.c).
 *
 * A change (core/order_change.h) is decided by where the order is:
 * before release it is applied at once - the units taken away give back
 * their stock, the order is validated and judged again (which may hold
 * it) and its open units allocated again; after release it becomes a
 * request to the warehouses holding the units it touches, which accept
 * it (only then does the order change) or refuse it; a refusal, or no
 * answer within the tenant's change_window_s, raises a
 * change_after_release hold for a person. Every change is recorded
 * (store_change): what, why, who asked and when, and how it ended.
 *
 * While a request waits, the order takes no other change: the second is
 * refused (ORDO_ECONFLICT naming the request), never applied to an order
 * the warehouse may be changing.
 */
#ifndef ORDO_APP_CHANGES_H
#define ORDO_APP_CHANGES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/order.h"
#include "core/order_change.h"
#include "store/store.h"

/* The states of a change. */
#define APP_CHANGE_APPLIED "applied"
#define APP_CHANGE_REQUESTED "requested"
#define APP_CHANGE_ACCEPTED "accepted"
#define APP_CHANGE_REFUSED "refused"
#define APP_CHANGE_EXPIRED "expired"

/* A change as the API shows it (and webhooks carry it). */
json_t *app_change_json(const store_change *c);

/*
 * ORDO_EPRECONDITION when if_match (a version the caller read; 0: none
 * given) is not o's version: someone changed the order since.
 */
ordo_code app_order_if_match(const order *o, int64_t if_match,
			     ordo_err *err);

/* Ask change c of the order (see the top); detail is c as JSON, kept
 * with it. *rec is the change as recorded, *o the order after. */
typedef struct {
	app_write w;
	char order_id[ORDO_ID_MAX];		/* in */
	order_change change;			/* in */
	char detail[STORE_CHANGE_DETAIL_MAX];	/* in */
	char reason[ORDO_MESSAGE_MAX];		/* in */
	int64_t if_match;			/* in: 0 for none */
	store_change rec;			/* out */
	order order;				/* out */
} app_change_cmd;

/* ORDO_OK when c may see and answer request rec: every fulfillment it
 * asks is at c's location (app_reaches_location); else what a change
 * that is not there answers (app_unreached). */
ordo_code app_change_reached(store_tx *tx, const app_caller *c,
			     const store_change *rec, ordo_err *err);

void app_change_cmd_init(app_change_cmd *c, const app_caller *caller,
			 ordo_time now, const char *order_id);
/* The command's use case, for a caller already inside a write (the
 * demo): in's inputs, rec and o its outputs (o order_init'ed). */
ordo_code app_order_change(store_tx *tx, const app_caller *caller,
			   const app_change_cmd *in, store_change *rec,
			   order *o, ordo_time now, ordo_err *err);

/*
 * An order's channel sent it again, changed (theirs; o is the order as
 * ordo has it, loaded and locked): each thing it changes is asked as a
 * change by the caller (the channel), reason "changed at the store" -
 * applied, or requested of the warehouse (and then nothing after it) -
 * and what is not taken (shipped units, a request waiting, ...) is said
 * in not_applied ("" when all is taken). At most APP_CHANNEL_CHANGES_MAX
 * changes at once. When the order went its own way in ordo since
 * (corrected in review, changed by anyone else, a change of the
 * channel's its warehouse did not take), none is taken: the channel's
 * version is not the order plus its edits any more. Each is said, and a
 * policy_exception hold (raised_by "channel", once) asks a person to
 * reconcile the two.
 */
#define APP_CHANNEL_CHANGES_MAX 20
ordo_code app_channel_changes(store_tx *tx, const app_caller *caller,
			      order *o, const order *theirs, char *not_applied,
			      size_t size, ordo_time now, ordo_err *err);
/* The same for changes made already (all[0..n)), for reason; what is
 * not taken is added to not_applied. */
ordo_code app_channel_ask_all(store_tx *tx, const app_caller *caller,
			      order *o, const order_change *all, size_t n,
			      const char *reason, char *not_applied,
			      size_t size, ordo_time now, ordo_err *err);
/* The channel cancelled the order: a cancellation asked as above. */
ordo_code app_channel_cancel(store_tx *tx, const app_caller *caller,
			     order *o, char *not_applied, size_t size,
			     ordo_time now, ordo_err *err);

/* Accept or refuse the change request change_id; an accept applies
 * change (the request's own, decoded by the caller from its detail). */
typedef struct {
	app_write w;
	char change_id[ORDO_ID_MAX];	/* in */
	bool accept;			/* in */
	char reason[ORDO_MESSAGE_MAX];	/* in */
	order_change change;		/* in: accept */
	store_change rec;		/* out */
	order order;			/* out */
} app_decide_cmd;

void app_decide_cmd_init(app_decide_cmd *c, const app_caller *caller,
			 ordo_time now, const char *change_id, bool accept);
/* Its use case, as app_order_change's. */
ordo_code app_change_decide(store_tx *tx, const app_caller *caller,
			    const app_decide_cmd *in, store_change *rec,
			    order *o, ordo_time now, ordo_err *err);

/*
 * Expire the requests whose answer was due by now (at most a page a
 * round), each in a write of its own: each raises a change_after_release
 * hold. One whose hold cannot be raised is expired without it, saying
 * why, so that it holds back no other.
 */
ordo_code app_changes_expire(store *st, ordo_time now, size_t *expired,
			     ordo_err *err);

/* A person holds an order by hand (a customer called to say wait): a
 * hold of type, with reason, raised by the caller. */
typedef struct {
	app_write w;
	char order_id[ORDO_ID_MAX];	/* in */
	hold_type type;			/* in */
	char reason[ORDO_MESSAGE_MAX];	/* in */
	int64_t if_match;		/* in: 0 for none */
	order_hold hold;		/* out */
	order order;			/* out */
} app_hold_place_cmd;

void app_hold_place_cmd_init(app_hold_place_cmd *c, const app_caller *caller,
			     ordo_time now, const char *order_id);

#endif
