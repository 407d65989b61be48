/*
 * order_change.h - a change to an order that is already in the flow, and
 * what it takes, decided from where the order is in its life.
 *
 * The kinds: ship_to (a new address, whole), quantity (a line's new
 * quantity), add_line, remove_line, shipping_method, and cancel (the whole
 * order, or some units of some lines). Units go away by being cancelled:
 * a line's ordered quantity stays what the customer ordered, its cancelled
 * units say what was taken off (order.h's identity), and its money counts
 * the units not cancelled. Units come by being ordered: an increase adds
 * to the line's quantity and to its open units.
 *
 * order_change_plan() decides, from the order's lines alone:
 *
 *   - refused: the order is finished (cancelled, rejected, closed), or has
 *     shipped everything, or the change would take shipped units away
 *     (ORDO_ESTATE; the message points to returns);
 *   - CHANGE_APPLY: nothing the change touches has been handed to a
 *     warehouse; it is applied at once;
 *   - CHANGE_REQUEST: it touches units released to a warehouse (or, for an
 *     address or a shipping method, an order with such units): the
 *     warehouse must accept it first.
 *
 * Units taken away are taken from the open ones first, then from those
 * allocated but not yet released, then from released ones: the least
 * disturbance, and a request only when nothing else will do.
 */
#ifndef ORDO_CORE_ORDER_CHANGE_H
#define ORDO_CORE_ORDER_CHANGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"

/* X(enum, name) */
#define CHANGE_KIND_MAP(X)                                                     \
	X(CHANGE_SHIP_TO, "ship_to")                                           \
	X(CHANGE_QUANTITY, "quantity")                                         \
	X(CHANGE_ADD_LINE, "add_line")                                         \
	X(CHANGE_REMOVE_LINE, "remove_line")                                   \
	X(CHANGE_SHIPPING_METHOD, "shipping_method")                           \
	X(CHANGE_CANCEL, "cancel")

typedef enum {
#define CHANGE_X_ENUM(e, name) e,
	CHANGE_KIND_MAP(CHANGE_X_ENUM)
#undef CHANGE_X_ENUM
	CHANGE_KIND_COUNT
} change_kind;

const char *change_kind_name(change_kind k);
int change_kind_parse(const char *name, change_kind *out);

/* Money given as the decimal text the caller sent: how many decimals it
 * takes depends on the order's currency, known when the change is applied. */
#define CHANGE_MONEY_TEXT_MAX 32

typedef struct {
	int line_no;
	int64_t quantity; /* units to cancel */
} change_line;

/* The most lines one cancellation names (a whole order is cancelled by
 * naming none). */
#define CHANGE_LINES_MAX 100

typedef struct {
	change_kind kind;
	/* ship_to: the new address, whole. */
	order_address ship_to;
	/* shipping_method: the method and, when given, the new amount. */
	char method[ORDO_METHOD_MAX];
	char amount[CHANGE_MONEY_TEXT_MAX]; /* "" = unchanged */
	/* quantity: the line and its new quantity (units not cancelled);
	 * remove_line: the line. */
	int line_no;
	int64_t quantity;
	/* add_line: sku, title and quantity; its unit price as text. */
	order_line add;
	char add_price[CHANGE_MONEY_TEXT_MAX];
	/* cancel: the lines and units to cancel; none = the whole order. */
	size_t n_lines;
	change_line lines[CHANGE_LINES_MAX];
} order_change;

typedef enum {
	CHANGE_APPLY,	/* before release: applied at once */
	CHANGE_REQUEST, /* after release: the warehouse must accept it */
} change_route;

/* What the change does to one line (same index as the order's lines). */
typedef struct {
	int64_t from_open;	/* units cancelled that were open */
	int64_t from_allocated; /* ... allocated, not yet released */
	int64_t from_released;	/* ... released to a warehouse */
	int64_t add;		/* units ordered besides */
} change_line_effect;

typedef struct {
	change_route route;
	/* Per order line, n_lines of them (the order's); owned. */
	change_line_effect *lines;
	size_t n_lines;
	/* The whole order is cancelled: every unit not shipped. */
	bool whole;
	/* ship_to or shipping_method: the order's content changes. */
	bool content;
} change_plan;

/* Zero a change (kind ship_to, nothing set). */
void order_change_init(order_change *c);

/*
 * Decide what c takes on o (see the top). On success *plan is filled
 * (change_plan_free it). Errors name the field of the request:
 * "line_no", "quantity", "lines[i].line_no", "lines[i].quantity",
 * "amount", "line.unit_price" (money bad in the order's currency), or
 * "state" when the order's stage refuses the change. A change that
 * leaves the order no unit (its last line removed, every quantity
 * cancelled) is planned whole: it cancels the order.
 */
ordo_code order_change_plan(const order *o, const order_change *c,
			    change_plan *plan, ordo_err *err);
void change_plan_free(change_plan *p);

/*
 * Apply c to o as planned, for what needs no stock: open units cancelled,
 * units added (a new line for add_line, numbered after the last), the
 * address and shipping method, and the totals kept in step - subtotal and
 * total move with the money of the units not cancelled (and shipping with
 * a new amount); a whole cancellation keeps the totals as they were. The
 * allocated and released units the plan cancels are the caller's to move
 * (it gives back their stock too). ORDO_EINVALID for money that is bad in
 * o's currency or too large; ORDO_ELIMIT past ORDO_MAX_LINES; o is then
 * unusable.
 */
ordo_code order_change_apply(order *o, const order_change *c,
			     const change_plan *plan, ordo_err *err);

/*
 * The changes that make `ours` (an order ordo has) what `theirs` (the
 * same order as its channel now sends it) says, into out (at most max;
 * *n of them): lines matched by the channel's line id when both have one,
 * else by position and SKU; a line of theirs that ours lacks is added
 * first (so that swapping an order's only item never empties it), then a
 * line of ours that theirs lacks is removed, one whose units differ
 * changes quantity (a line wholly cancelled here is left be); then a new
 * address, then a new shipping method or amount. Returns false when
 * there are more than max (out then holds the first max).
 */
bool order_channel_changes(const order *ours, const order *theirs,
			   order_change *out, size_t max, size_t *n);

/* Whether two addresses say the same, member by member. */
bool order_address_same(const order_address *a, const order_address *b);

/* A one-line description of the change for the timeline ("quantity of
 * line 2: 5 -> 3", "cancel the order"). */
void order_change_describe(const order *o, const order_change *c, char *buf,
			   size_t size);

#endif
