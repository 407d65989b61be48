/*
 * lifecycle.c - the order's stages and THE table of allowed moves.
 *
 *   received -> validated -> accepted -> allocated -> released -> shipped
 *       |           |            |           |            |          |
 *       +-----------+---> on_hold <----------+------------+          v
 *                                                                delivered
 *   rejected: from received, validated, on_hold (never accepted)     |
 *   cancelled: from any stage before shipped                         v
 *                                                                  closed
 *
 * Moves, from -> to (everything else, and every same-state move, is refused):
 *
 *   received   validated, on_hold, rejected, cancelled
 *   validated  accepted, on_hold, rejected, cancelled
 *   on_hold    validated, accepted, allocated, released, rejected, cancelled
 *              (resolving the last hold returns the order to validation or
 *              to the stage it left)
 *   accepted   allocated, on_hold, cancelled
 *   allocated  released, accepted (deallocation), on_hold, cancelled
 *   released   shipped, allocated (the warehouse refused it), on_hold,
 *              cancelled
 *   shipped    delivered
 *   delivered  closed
 *   closed, rejected, cancelled: terminal
 *
 * lifecycle_can_move() reads the table; lifecycle_move() is the only function
 * that changes a state, and every state change in ordo goes through it.
 */
#include "core/lifecycle.h"

#include <string.h>

static const char *const state_names[] = {
#define ORDER_X_NAME(e, name) name,
	ORDER_STATE_MAP(ORDER_X_NAME)
#undef ORDER_X_NAME
};

#define BIT(s) (1u << (s))

/* allowed[from] is the set of states `from` may move to. */
static const unsigned allowed[ORDER_STATE_COUNT] = {
	[ORDER_RECEIVED] = BIT(ORDER_VALIDATED) | BIT(ORDER_ON_HOLD) |
			   BIT(ORDER_REJECTED) | BIT(ORDER_CANCELLED),
	[ORDER_VALIDATED] = BIT(ORDER_ACCEPTED) | BIT(ORDER_ON_HOLD) |
			    BIT(ORDER_REJECTED) | BIT(ORDER_CANCELLED),
	/* A held order goes back to where its lines say: shipped too, once
	 * a change took away every unit that was not. */
	[ORDER_ON_HOLD] = BIT(ORDER_VALIDATED) | BIT(ORDER_ACCEPTED) |
			  BIT(ORDER_ALLOCATED) | BIT(ORDER_RELEASED) |
			  BIT(ORDER_SHIPPED) | BIT(ORDER_REJECTED) |
			  BIT(ORDER_CANCELLED),
	[ORDER_ACCEPTED] = BIT(ORDER_ALLOCATED) | BIT(ORDER_ON_HOLD) |
			   BIT(ORDER_CANCELLED),
	[ORDER_ALLOCATED] = BIT(ORDER_RELEASED) | BIT(ORDER_ACCEPTED) |
			    BIT(ORDER_ON_HOLD) | BIT(ORDER_CANCELLED),
	[ORDER_RELEASED] = BIT(ORDER_SHIPPED) | BIT(ORDER_ALLOCATED) |
			   BIT(ORDER_ON_HOLD) | BIT(ORDER_CANCELLED),
	[ORDER_SHIPPED] = BIT(ORDER_DELIVERED),
	[ORDER_DELIVERED] = BIT(ORDER_CLOSED),
	[ORDER_CLOSED] = 0,
	[ORDER_REJECTED] = 0,
	[ORDER_CANCELLED] = 0,
};

_Static_assert(ORDER_STATE_COUNT <= 32, "state set must fit in unsigned");

const char *order_state_name(order_state s)
{
	if ((unsigned)s >= ORDER_STATE_COUNT)
		return "unknown";
	return state_names[s];
}

int order_state_parse(const char *name, order_state *out)
{
	size_t i;

	if (!name)
		return -1;
	for (i = 0; i < ORDER_STATE_COUNT; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (order_state)i;
			return 0;
		}
	}
	return -1;
}

bool lifecycle_is_terminal(order_state s)
{
	return s == ORDER_CLOSED || s == ORDER_REJECTED || s == ORDER_CANCELLED;
}

bool lifecycle_can_move(order_state from, order_state to)
{
	if ((unsigned)from >= ORDER_STATE_COUNT ||
	    (unsigned)to >= ORDER_STATE_COUNT)
		return false;
	return (allowed[from] & BIT(to)) != 0;
}

ordo_code lifecycle_move(order_state *state, order_state to, ordo_err *err)
{
	if (!lifecycle_can_move(*state, to))
		return ordo_err_set(err, ORDO_ESTATE, "state",
				    "cannot move order from %s to %s",
				    order_state_name(*state),
				    order_state_name(to));
	*state = to;
	return ORDO_OK;
}
