/*
 * policy.h - review policy as rules: a small expression language over the
 * order and its context, compiled once, evaluated per order.
 *
 * A policy is an ordered list of rules. Each rule has an id, a condition
 * ("when") and an outcome: raise a hold of a type with a priority, or
 * approve. Rules are evaluated in order; every matching hold rule raises its
 * hold; the first matching approve rule stops evaluation (later rules are
 * not looked at - so an approve rule placed first exempts what it matches).
 *
 * THE LANGUAGE
 *
 *     expr    := or
 *     or      := and ("or" and)*
 *     and     := not ("and" not)*
 *     not     := "not" not | compare
 *     compare := value (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in"
 *                        | "contains") value)?
 *     value   := NUMBER | STRING | "true" | "false" | FIELD
 *              | "[" (value ("," value)*)? "]" | "(" expr ")"
 *
 * NUMBER is 12, 12.5 (no exponent, no sign: write 0 - x as x < 0 checks);
 * STRING is "..." with \" and \\ escapes; FIELD is a dotted name from the
 * table below. The whole condition must be boolean.
 *
 * Types: bool, int, money, string, list of strings. Comparisons need the
 * same type on both sides, except that a money field compares with a
 * NUMBER, read in the order's currency ("total >= 1000" means 1000.00 USD
 * for a USD order); "<" and friends take int or money; "in" takes a string
 * and a list (or a list field); "contains" takes a list and a string, or two
 * strings (substring). String comparison is exact; use lower-case values
 * for the fields documented as lower-case.
 *
 * FIELDS (policy_field_names lists them for documentation and errors):
 *     total, subtotal, shipping.amount        money
 *     currency, channel, payment_status       string
 *     shipping.method                         string (lower-case)
 *     shipping.expedited                      bool: method is express,
 *                                             expedited, overnight,
 *                                             next_day, priority or same_day
 *     lines.count, quantity.total,
 *     quantity.max                            int
 *     skus                                    list of strings
 *     ship_to.country, ship_to.region,
 *     ship_to.postal_code, ship_to.city,
 *     bill_to.country, bill_to.region         string ("" when absent)
 *     address.mismatch                        bool: bill-to given and its
 *                                             country differs from ship-to
 *     ship_to.po_box                          bool: a PO box address
 *     customer.email, customer.phone,
 *     customer.name                           string
 *     customer.orders_count                   int: the customer's earlier
 *                                             orders with this tenant
 *     customer.defects_count                  int: downstream defects on
 *                                             those earlier orders
 *     destination.served                      bool: some active location
 *                                             serves the ship-to
 *     hour                                    int 0..23, UTC, of receipt
 *     weekday                                 int 0 (Sunday) .. 6, UTC
 *
 * Refusals name the rule (by index and id), the position in the condition
 * (1-based column) and the reason: unknown field, unexpected token,
 * unterminated string, type mismatch, condition not boolean, nesting or
 * length past the limits (POLICY_* in core/limits.h).
 */
#ifndef ORDO_CORE_POLICY_H
#define ORDO_CORE_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/limits.h" /* POLICY_MAX_RULES and the other bounds */
#include "core/order.h"

/* One rule as written (the API decodes JSON into these). */
typedef struct {
	char id[POLICY_RULE_ID_MAX];
	const char *when; /* borrowed during policy_compile */
	bool approve;	  /* outcome "approve" ... */
	hold_type hold;	  /* ... or raise this hold */
	int priority;	  /* POLICY_PRIORITY_MIN..MAX */
} policy_rule_src;

typedef struct policy_expr policy_expr;

typedef struct {
	char id[POLICY_RULE_ID_MAX];
	char *when; /* owned copy of the text */
	policy_expr *expr;
	bool approve;
	hold_type hold;
	int priority;
} policy_rule;

typedef struct {
	int version; /* set by the caller (store); 0 = the built-in default */
	size_t n_rules;
	policy_rule *rules;
} policy;

/*
 * Compile rules into p (zeroed by the caller). On a refusal returns
 * ORDO_EINVALID with err->field "rules[i].when" (or ".id", ".then") and a
 * message like: rule "big-orders" (rules[0]), column 9: unknown field
 * "totl". p is left empty on failure.
 */
ordo_code policy_compile(const policy_rule_src *src, size_t n, policy *p,
			 ordo_err *err);
void policy_free(policy *p);

/* What an order is judged on besides itself. */
typedef struct {
	const order *o;
	int64_t customer_orders;  /* earlier orders of the customer */
	int64_t customer_defects; /* defects on those orders */
	bool destination_served;
} policy_context;

typedef struct {
	size_t n_hits;
	size_t hits[POLICY_MAX_RULES]; /* indices of matching hold rules */
	bool approved;		       /* an approve rule matched */
	size_t approved_by;	       /* its index */
	bool failed;		       /* ORDO_EINTERNAL: ... */
	size_t failed_at;	       /* ... this rule's tree was broken */
} policy_outcome;

/*
 * Evaluate every rule in order (see the top of this file). ORDO_OK, or
 * ORDO_EINTERNAL when a compiled tree is not what policy_compile makes (or
 * an argument is missing): then out holds no hits and no approval, only
 * failed and failed_at, so no verdict is drawn from a broken policy.
 */
ordo_code policy_evaluate(const policy *p, const policy_context *ctx,
			  policy_outcome *out);

/* Evaluate one compiled condition (for tests and tools); false also when
 * the tree is broken (policy_evaluate reports that). */
bool policy_expr_eval(const policy_expr *e, const policy_context *ctx);

/* The default policy's rules, as written: large value, first order with
 * express shipping and a bill/ship country mismatch, incomplete customer
 * contact, destination no location serves, payment not verified. */
extern const policy_rule_src policy_default_rules[];
extern const size_t policy_default_count;

/* NULL-terminated list of the field names above. */
extern const char *const policy_field_names[];

/* The customer identity used for customer.orders_count: lower-cased email,
 * else the phone's digits, else the lower-cased name ("" if none). */
void policy_customer_key(const order_customer *c, char *out, size_t size);

#endif
