/*
 * app/caller.h - ordo's use cases: who asks, and the map of the layer.
 *
 * Each write use case is a function that runs inside one store transaction
 * (a store job, see store.h) and either does all of its work or returns an
 * error having written nothing the caller could see: the store rolls the
 * job back to its savepoint. Read use cases take a read transaction.
 *
 * The callers - the HTTP API and the CLI - decode input, pick the use case
 * and encode the answer; they never decide anything about orders themselves.
 *
 * Everything is scoped by the caller's tenant (app_caller), which the API
 * derives from the API key and the CLI from the tenant slug.
 *
 * One header per area, each naming the file that implements it:
 *
 *     caller.h       roles and the caller (ids: core/ids.h)
 *     tenants.h      tenants and API keys (tenants.c)
 *     people.h       people, passwords and sessions (people.c)
 *     audit.h        the audit log (audit.c)
 *     catalog.h      SKUs and locations (catalog.c)
 *     intake.h       order intake (intake.c)
 *     idempotency.h  Idempotency-Key (idempotency.c)
 *     flow.h         the order flow inside a write, webhook events (flow.c)
 *     allocation.h   promising stock, routing, release (allocation.c),
 *                    waves (wave.c)
 *     stock.h        counts and adjustments (stock.c)
 *     fulfillment.h  fulfillment orders, shipments, delivery (fulfillment.c)
 *     settings.h     tenant settings (settings.c)
 *     webhooks.h     subscriptions and deliveries (webhooks.c)
 *     channels.h     channels, their documents (channels.c; reads:
 *                    queries.c)
 *     review.h       the review queue and defects (review.c), notes
 *                    (notes.c)
 *     changes.h      changes, cancellations, change requests, holds by
 *                    hand (changes.c)
 *     returns.h      returns: authorised, received, refunded (returns.c)
 *     policy.h       review policy and simulation (policy.c)
 *     queries.h      read use cases (queries.c)
 */
#ifndef ORDO_APP_CALLER_H
#define ORDO_APP_CALLER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/ids.h"
#include "core/limits.h"
#include "core/order.h"

/* X(enum, name) - what each role may do is enforced per route. */
#define APP_ROLE_MAP(X)                                                        \
	X(ROLE_ADMIN, "admin")                                                 \
	X(ROLE_SUPERVISOR, "supervisor")                                       \
	X(ROLE_AGENT, "agent")                                                 \
	X(ROLE_INTEGRATION, "integration")                                     \
	X(ROLE_VIEWER, "viewer")

typedef enum {
#define APP_X_ENUM(e, name) e,
	APP_ROLE_MAP(APP_X_ENUM)
#undef APP_X_ENUM
	APP_ROLE_COUNT
} app_role;

const char *app_role_name(app_role r);
int app_role_parse(const char *name, app_role *out);

/* Who is asking: the tenant and the actor recorded on every event. */
typedef struct {
	int64_t tenant_id;
	char tenant_slug[ORDO_SLUG_MAX];
	app_role role;
	int64_t key_id; /* the API key's own number; 0: not a key */
	int64_t user_id; /* the person's own number; 0: not a person */
	char actor[ORDO_ACTOR_MAX]; /* "key:<name>", "user:<email>", "cli", ... */
	char address[64]; /* the client's, as the audit log records it */
	/* An integration key's reach (the API sets it from the key): the
	 * orders it created and the fulfillments, shipments and change
	 * requests of location ("": none), and nothing else - another's
	 * is answered as if it were not there. false: the whole tenant
	 * (every other caller, channels and the CLI among them). */
	bool scoped;
	char location[ORDO_LOCATION_CODE_MAX];
} app_caller;

/* Whether c may see or act on order o; and on what is at location. */
bool app_reaches_order(const app_caller *c, const order *o);
bool app_reaches_location(const app_caller *c, const char *location);
/* The answer for what c may not reach, as for what does not exist:
 * ORDO_ENOTFOUND, 'no <noun> "<id>"' naming "id" (the store's words). */
ordo_code app_unreached(const char *noun, const char *id, ordo_err *err);


#endif
