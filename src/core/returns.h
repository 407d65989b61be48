/*
 * returns.h - returns (RMAs): units a customer sends back, authorised
 * against what shipped, received at a location (and put back into stock
 * or not), and refunded (an amount recorded; ordo moves no money).
 *
 *     authorized --receive (all)--> received --refund--> refunded
 *         |  \--receive (some)--> partly_received --...
 *         +--refund--> refunded   (refunded first, a claim: what comes
 *                                  back after is still received, in the
 *                                  lines; the state stays refunded)
 *
 * A line's returned units (order.h: returned <= shipped) are those under a
 * return: they count when the return is authorised, so that no unit is
 * authorised twice. What came back is the return's own count per line
 * (received; restocked of it).
 *
 * A return's reason is one of the return_reason names. wrong_item and
 * missing_item are claims about what was shipped: they also record a
 * downstream defect of the same type on the order.
 */
#ifndef ORDO_CORE_RETURNS_H
#define ORDO_CORE_RETURNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"

/* The most lines one return names. */
#define RETURN_LINES_MAX 100

/* X(enum, name) */
#define RETURN_REASON_MAP(X)                                                   \
	X(RETURN_DAMAGED, "damaged")                                           \
	X(RETURN_DEFECTIVE, "defective")                                       \
	X(RETURN_WRONG_ITEM, "wrong_item")                                     \
	X(RETURN_MISSING_ITEM, "missing_item")                                 \
	X(RETURN_NOT_WANTED, "not_wanted")                                     \
	X(RETURN_OTHER, "other")

typedef enum {
#define RETURN_X_ENUM(e, name) e,
	RETURN_REASON_MAP(RETURN_X_ENUM)
#undef RETURN_X_ENUM
	RETURN_REASON_COUNT
} return_reason;

const char *return_reason_name(return_reason r);
int return_reason_parse(const char *name, return_reason *out);
/* wrong_item and missing_item: claims that record a defect. */
bool return_reason_is_claim(return_reason r);

/* The states of a return (the diagram above), as stored and shown;
 * NULL-terminated. */
extern const char *const return_states[];
/* Whether name is one of them, exactly. */
bool return_state_known(const char *name);

typedef struct {
	int line_no;
	char sku[ORDO_SKU_MAX];
	int64_t quantity;  /* authorised */
	int64_t received;  /* <= quantity */
	int64_t restocked; /* <= received */
} return_line;

typedef struct {
	int64_t seq;
	char id[ORDO_ID_MAX]; /* "ret_..." */
	char order_id[ORDO_ID_MAX];
	char state[16]; /* authorized, partly_received, received, refunded */
	return_reason reason;
	char note[ORDO_MESSAGE_MAX];
	char created_by[ORDO_ACTOR_MAX];
	ordo_time created_at;
	ordo_time updated_at;
	ordo_time received_at; /* the last receipt; 0 before */
	char currency[ORDO_CURRENCY_MAX];
	ordo_money refund_amount; /* 0 until refunded */
	char refund_reference[ORDO_EXTERNAL_ID_MAX];
	char refunded_by[ORDO_ACTOR_MAX];
	ordo_time refunded_at;
	char defect_id[ORDO_ID_MAX]; /* a claim's defect; "" for none */
	size_t n_lines;
	return_line lines[RETURN_LINES_MAX];
} order_return;

/* A line asked for (authorised, or received): line_no and quantity. */
typedef struct {
	int line_no;
	int64_t quantity;
} return_ask;

/*
 * Authorise asks[0..n) on o: each line o has, named once, for at most its
 * shipped units not yet under a return. On success the lines' returned
 * units grow and r's lines are set (with their SKUs). Errors name
 * "lines[i].line_no" or "lines[i].quantity" (ORDO_ENOTFOUND for a line o
 * lacks, ORDO_ESTATE for more units than may come back); o is then left
 * as it was.
 */
ordo_code return_authorize(order *o, order_return *r, const return_ask *asks,
			   size_t n, ordo_err *err);

/*
 * Receive asks[0..n) on r: each a line of the return, named once, for at
 * most its units not yet received; restock says whether they go back into
 * stock. r's state follows (received once every unit is; a refunded one
 * stays refunded). Errors as return_authorize's; r is then left as it
 * was. A return received whole takes no more (ORDO_ESTATE, field
 * "state").
 */
ordo_code return_receive(order_return *r, const return_ask *asks, size_t n,
			 bool restock, ordo_err *err);

/* Record a refund of amount (> 0) on r: once (a second is ORDO_ESTATE). */
ordo_code return_refund(order_return *r, ordo_money amount,
			const char *reference, const char *actor,
			ordo_time now, ordo_err *err);

#endif
