/*
 * fulfillment.h - fulfillment orders, shipments, and the order stage that
 * follows from line quantities.
 *
 * A fulfillment order is the part of an order one location must ship: one
 * per (order, location) while it is open. Its life:
 *
 *     pending --release--> released --accept--> accepted
 *        |                    |                    |
 *        |                    +------reject--------+--> rejected
 *        |                    |                    |
 *        |                    +---every unit shipped---> shipped
 *        +--cancel--> cancelled (also from released/accepted, before shipping)
 *
 * fulfillment_can_move() is the one table of these moves.
 *
 * The order's stage is derived from its lines (order_stage_from_lines):
 * nothing allocated -> accepted, something allocated -> allocated, something
 * released or shipped -> released, every unit that is not cancelled shipped
 * -> shipped. Delivery and closing come from shipments and time, not lines.
 */
#ifndef ORDO_CORE_FULFILLMENT_H
#define ORDO_CORE_FULFILLMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/catalog.h"
#include "core/order.h"

#define FULFILLMENT_STATE_MAP(X)                                               \
	X(FULFILLMENT_PENDING, "pending")                                      \
	X(FULFILLMENT_RELEASED, "released")                                    \
	X(FULFILLMENT_ACCEPTED, "accepted")                                    \
	X(FULFILLMENT_REJECTED, "rejected")                                    \
	X(FULFILLMENT_SHIPPED, "shipped")                                      \
	X(FULFILLMENT_CANCELLED, "cancelled")

typedef enum {
#define FULFILLMENT_X_ENUM(e, name) e,
	FULFILLMENT_STATE_MAP(FULFILLMENT_X_ENUM)
#undef FULFILLMENT_X_ENUM
	FULFILLMENT_STATE_COUNT
} fulfillment_state;

const char *fulfillment_state_name(fulfillment_state s);
int fulfillment_state_parse(const char *name, fulfillment_state *out);
bool fulfillment_can_move(fulfillment_state from, fulfillment_state to);
/* Move if allowed, else ORDO_ESTATE naming both states. */
ordo_code fulfillment_move(fulfillment_state *state, fulfillment_state to,
			   ordo_err *err);

/* Why a warehouse refused a fulfillment order. X(enum, name, hold raised) */
#define REJECT_REASON_MAP(X)                                                   \
	X(REJECT_INCORRECT_ADDRESS, "incorrect_address",                       \
	  HOLD_ADDRESS_UNVERIFIABLE)                                           \
	X(REJECT_INVALID_SKU, "invalid_sku", HOLD_UNKNOWN_SKU)                 \
	X(REJECT_OUT_OF_STOCK, "out_of_stock", HOLD_INSUFFICIENT_STOCK)        \
	X(REJECT_OTHER, "other", HOLD_POLICY_EXCEPTION)

typedef enum {
#define REJECT_X_ENUM(e, name, hold) e,
	REJECT_REASON_MAP(REJECT_X_ENUM)
#undef REJECT_X_ENUM
	REJECT_REASON_COUNT
} reject_reason;

const char *reject_reason_name(reject_reason r);
int reject_reason_parse(const char *name, reject_reason *out);
/* The hold a rejection raises when ordo cannot route around it. */
hold_type reject_reason_hold(reject_reason r);
/* Whether another location may be tried: out_of_stock and invalid_sku. */
bool reject_reason_reroutes(reject_reason r);

typedef struct {
	int line_no; /* the order line it ships */
	char sku[ORDO_SKU_MAX];
	int64_t quantity; /* allocated to this fulfillment */
	int64_t shipped;  /* <= quantity */
} fulfillment_line;

typedef struct fulfillment {
	int64_t seq; /* store's ordinal */
	char id[ORDO_ID_MAX];
	char order_id[ORDO_ID_MAX];
	char location[ORDO_LOCATION_CODE_MAX];
	fulfillment_state state;
	char reject_reason[32];
	char reject_message[ORDO_MESSAGE_MAX];
	ordo_time created_at;
	ordo_time released_at; /* 0 until released */
	ordo_time updated_at;
	size_t n_lines;
	fulfillment_line *lines; /* owned; fulfillment_free */
} fulfillment;

void fulfillment_free(fulfillment *f);
/* Units of this fulfillment not yet shipped. */
int64_t fulfillment_unshipped(const fulfillment *f);

typedef struct {
	char sku[ORDO_SKU_MAX];
	int64_t quantity;
} shipment_line;

typedef struct shipment_s {
	char id[ORDO_ID_MAX];
	char fulfillment_id[ORDO_ID_MAX];
	char order_id[ORDO_ID_MAX];
	char location[ORDO_LOCATION_CODE_MAX]; /* its fulfillment's */
	char carrier[ORDO_METHOD_MAX];
	char tracking_number[ORDO_EXTERNAL_ID_MAX];
	ordo_time shipped_at;
	ordo_time delivered_at; /* 0 until delivered */
	size_t n_lines;
	shipment_line *lines; /* owned; shipment_free */
} shipment;

void shipment_free(shipment *s);

/* The buckets a line's ordered units sit in (see order.h). */
typedef enum {
	QTY_OPEN,
	QTY_ALLOCATED,
	QTY_RELEASED,
	QTY_SHIPPED,
	QTY_CANCELLED,
} qty_bucket;

const char *qty_bucket_name(qty_bucket b);

/*
 * Move q units of line l from one bucket to another: the one way line
 * quantities change (allocate: open->allocated, release: allocated->
 * released, ship: released->shipped, warehouse rejection: released->open,
 * deallocation: allocated->open, cancellation: open->cancelled). Refuses
 * (ORDO_ECONFLICT) a move of more units than the source bucket holds or of
 * q <= 0; asserts the quantity identity before and after.
 */
ordo_code order_line_move(order_line *l, qty_bucket from, qty_bucket to,
			  int64_t q, ordo_err *err);

/* Units of the order not yet allocated (backordered, once accepted). */
int64_t order_open_units(const order *o);

/*
 * The stage an order in the main flow has reached, from its lines (see the
 * top of this file). Only meaningful for orders past acceptance that are
 * not on hold, cancelled or closed.
 */
order_state order_stage_from_lines(const order *o);

/*
 * When the order must be released: accepted_at + sla_s, but no later than
 * the first cut-off at or after accepted_at when cutoff_minute (minutes
 * after 00:00 UTC, 0..1439) is set; cutoff_minute < 0 means none.
 */
ordo_time release_due_at(ordo_time accepted_at, int64_t sla_s,
			 int cutoff_minute);

#endif
