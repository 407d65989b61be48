/*
 * app/policy.h - review policy: documents, versions, judging orders, simulation, retention.
 *
 * A new version is checked (decoded and compiled, app_policy_check) by its
 * caller before the write; the write, an app_policy_cmd, only stores it.
 */
#ifndef ORDO_APP_POLICY_H
#define ORDO_APP_POLICY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/caller.h"
#include "app/write.h"
#include "core/catalog.h"
#include "core/fulfillment.h"
#include "core/order.h"
#include "core/policy.h"
#include "core/settings.h"
#include "core/validate.h"
#include "store/store.h"

/* ---- review policy (app/policy.c) -------------------------------------- */

/* A policy document decoded from JSON: rule sources ready to compile. */
typedef struct {
	policy_rule_src *src;
	char **whens; /* owned condition texts */
	size_t n;
} app_policy_doc;

/* Decode {"rules": [...]}; every problem in err with its field path. */
ordo_code app_policy_decode(const json_t *doc, app_policy_doc *d,
			    ordo_err *err);
void app_policy_doc_free(app_policy_doc *d);

/* The tenant's active policy, compiled (version 0: the default). */
ordo_code app_policy_load(store_tx *tx, int64_t tenant, policy *p,
			  ordo_err *err);

/* The context an order is judged in (history before its receipt). */
ordo_code app_policy_context(store_tx *tx, const order *o,
			     policy_context *ctx, ordo_err *err);

/* Judge o by the active policy: append one open hold per matching hold
 * rule (not a type already open), unstamped (see app_hold_stamp). */
ordo_code app_policy_judge(store_tx *tx, order *o, ordo_time now,
			   ordo_err *err);

/* Fill a new hold's id (if none), rule id (if none: "<raised_by>.<type>"),
 * priority (if 0) and due date from the tenant's settings, and the policy
 * version in force. */
ordo_code app_hold_stamp(store_tx *tx, int64_t tenant, order_hold *h,
			 ordo_err *err);

/*
 * Check doc as a policy: decode it (app_policy_decode) and compile its
 * rules (core/policy.h). On success *document is its text as stored
 * (compact, members in order; the caller frees it).
 */
ordo_code app_policy_check(const json_t *doc, char **document, ordo_err *err);

/* Store document (checked by app_policy_check) as the tenant's next
 * policy version, by the caller at now; *out is the version stored (free
 * with store_policy_version_free). */
ordo_code app_policy_save(store_tx *tx, const app_caller *c,
			  const char *document, ordo_time now,
			  policy_version *out, ordo_err *err);

/* The command (write.h): a checked document in, the version stored out. */
typedef struct {
	app_write w;
	char *document;	       /* in: owned; from app_policy_check */
	policy_version stored; /* out */
} app_policy_cmd;

void app_policy_cmd_init(app_policy_cmd *c, const app_caller *caller,
			 ordo_time now);

typedef struct {
	int64_t held;  /* orders with at least one policy hold */
	int64_t holds; /* policy holds in all */
	int64_t by_rule[POLICY_MAX_RULES];
	int64_t defects_caught;
	int64_t defects_missed;
} app_sim_side;

typedef struct {
	int64_t orders;
	int64_t mean_handling_s;
	policy active_policy; /* owned */
	app_sim_side candidate;
	app_sim_side active;
} app_sim_result;

/* Replay candidate and the active policy over the orders received in
 * [from, to) (0 = open), in one read transaction. */
ordo_code app_policy_simulate(store *st, const app_caller *c,
			      const policy *candidate, ordo_time from,
			      ordo_time to, app_sim_result *res,
			      ordo_err *err);
void app_sim_result_free(app_sim_result *res);


#endif
