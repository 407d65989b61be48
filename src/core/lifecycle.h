/*
 * lifecycle.h - the order's stages and the moves between them.
 *
 *   received -> validated -> accepted -> allocated -> released -> shipped
 *       |           |            |           |            |          |
 *       |           v            v           v            v          v
 *       +------> on_hold <-------+-----------+------------+      delivered
 *       |       (open holds block progress;                          |
 *       |        resolving the last one lets the                     v
 *       |        order continue: on_hold -> validated                closed
 *       |        or to the stage its lines say, shipped
 *       |        when a change left only shipped units)
 *       v
 *   rejected (never accepted)       cancelled (whole order, before shipping)
 *
 * lifecycle_can_move() is the one table of allowed moves; every state change
 * in ordo goes through it. Terminal states (closed, rejected, cancelled)
 * allow no move at all.
 */
#ifndef ORDO_CORE_LIFECYCLE_H
#define ORDO_CORE_LIFECYCLE_H

#include <stdbool.h>

#include "core/err.h"

#define ORDER_STATE_MAP(X)                                                     \
	X(ORDER_RECEIVED, "received")                                          \
	X(ORDER_VALIDATED, "validated")                                        \
	X(ORDER_ON_HOLD, "on_hold")                                            \
	X(ORDER_ACCEPTED, "accepted")                                          \
	X(ORDER_ALLOCATED, "allocated")                                        \
	X(ORDER_RELEASED, "released")                                          \
	X(ORDER_SHIPPED, "shipped")                                            \
	X(ORDER_DELIVERED, "delivered")                                        \
	X(ORDER_CLOSED, "closed")                                              \
	X(ORDER_REJECTED, "rejected")                                          \
	X(ORDER_CANCELLED, "cancelled")

typedef enum {
#define ORDER_X_ENUM(e, name) e,
	ORDER_STATE_MAP(ORDER_X_ENUM)
#undef ORDER_X_ENUM
	ORDER_STATE_COUNT
} order_state;

const char *order_state_name(order_state s);
/* Returns 0 and sets *out, or -1 if name is not a state. */
int order_state_parse(const char *name, order_state *out);

bool lifecycle_is_terminal(order_state s);

/* The one table of allowed moves. */
bool lifecycle_can_move(order_state from, order_state to);

/*
 * Move *state to `to` if allowed; otherwise leave it and return ORDO_ESTATE
 * with a message naming both states.
 */
ordo_code lifecycle_move(order_state *state, order_state to, ordo_err *err);

#endif
