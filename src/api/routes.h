/*
 * routes.h - the API's route table: every method and path ordo answers,
 * the handler that answers it and the roles that may call it.
 *
 * The table (routes.c) is data, not code, so that the server's dispatcher
 * (server.c) and the tests read the same list: the route tests walk it to
 * try every route with every role and fail when a route appears that they
 * do not know, or when a route's roles differ from what they expect.
 *
 * A pattern is a path whose '*' segments match exactly one non-empty path
 * segment each (at most API_MAX_PARAMS of them); the dispatcher hands the
 * matched segments to the handler in order. The first route whose pattern
 * and method both match wins.
 *
 * roles is a set of ROLE_BITs (app/caller.h's roles); ANYONE (0) means
 * the route needs no key at all, and a key sent to it is not looked at.
 */
#ifndef ORDO_API_ROUTES_H
#define ORDO_API_ROUTES_H

#include <stddef.h>

#include <microhttpd.h>

#include "app/caller.h"

/* Who may call a route: a set of roles; 0 = no key needed. */
#define ROLE_BIT(r) (1u << (r))
#define ANYONE 0u
/*
 * The roles (app/caller.h), as the routes below give them:
 *   viewer       reads;
 *   agent        reads, and works the queue: claims, resolves (approve,
 *                correct, escalate; not cancel_order: review.c), notes,
 *                holds by hand, defects, simulations;
 *   supervisor   an agent's, and cancels, changes, returns, stock,
 *                waves, imports, bulk actions, assignment, the policy;
 *   admin        a supervisor's, and settings, people, keys, webhooks,
 *                channels, the catalog's SKUs and locations, the audit;
 *   integration  creates orders (POST /v1/orders, an X12 interchange) and
 *                answers as a warehouse (accept, reject, ship, delivered,
 *                change requests), and reads the orders it created and
 *                its location's fulfillments: nothing else. What it may
 *                reach within those routes is its own alone (app_caller's
 *                scoped, app_reaches_order/location): another's answers
 *                404, as if it were not there.
 */
#define READERS                                                                \
	(ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR) |                    \
	 ROLE_BIT(ROLE_AGENT) | ROLE_BIT(ROLE_VIEWER))
#define AGENTS                                                                 \
	(ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR) |                    \
	 ROLE_BIT(ROLE_AGENT))
#define SUPERVISORS (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_SUPERVISOR))
#define ADMINS ROLE_BIT(ROLE_ADMIN)
/* The routes an integration takes too: its own orders and location's. */
#define READERS_AND_OWN (READERS | ROLE_BIT(ROLE_INTEGRATION))
#define INTAKE (SUPERVISORS | ROLE_BIT(ROLE_INTEGRATION))
#define WAREHOUSE (SUPERVISORS | ROLE_BIT(ROLE_INTEGRATION))

struct api_request;

typedef struct {
	const char *method;
	const char *pattern; /* '*' matches one path segment */
	enum MHD_Result (*handler)(struct api_request *r);
	unsigned roles; /* ROLE_BITs allowed; ANYONE: no key needed */
	/* The body it takes: its media type (NULL: application/json) and
	 * its largest size (0: ORDO_MAX_BODY_BYTES). */
	const char *media;
	size_t max_body;
} api_route;

extern const api_route api_routes[];
extern const size_t api_n_routes;

#endif
