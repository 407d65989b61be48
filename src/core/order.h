/*
 * order.h - the order as ordo's core sees it.
 *
 * An order is a header (who, where, how much), lines, holds and - in the store
 * - a timeline of events. Strings are fixed-size buffers bounded by limits.h:
 * a decoder refuses longer input rather than truncating it, so an order held
 * in memory is always complete.
 *
 * Quantities live on each line, per state, as mature order systems keep them:
 *
 *     ordered = open + allocated + released + shipped + cancelled
 *     returned <= shipped
 *
 * order_line_check() asserts this identity; every function that moves
 * quantities calls it before and after. Asserts vanish from release
 * builds, so the app also calls order_check() before it writes an order,
 * which checks every line in every build and refuses with ORDO_EINTERNAL.
 *
 * Money is integer minor units of the order's currency (see money.h); time is
 * UTC seconds since the epoch (see timeutil.h).
 */
#ifndef ORDO_CORE_ORDER_H
#define ORDO_CORE_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/lifecycle.h"
#include "core/limits.h"

typedef int64_t ordo_money; /* minor units */
typedef int64_t ordo_time;  /* UTC seconds since 1970-01-01 */

typedef struct {
	char name[ORDO_NAME_MAX];
	char company[ORDO_NAME_MAX];
	char line1[ORDO_ADDRESS_LINE_MAX];
	char line2[ORDO_ADDRESS_LINE_MAX];
	char city[ORDO_CITY_MAX];
	char region[ORDO_REGION_MAX];
	char postal_code[ORDO_POSTAL_MAX];
	char country[ORDO_COUNTRY_MAX];
	char phone[ORDO_PHONE_MAX];
} order_address;

typedef struct {
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char name[ORDO_NAME_MAX];
	char email[ORDO_EMAIL_MAX];
	char phone[ORDO_PHONE_MAX];
} order_customer;

typedef struct {
	int line_no; /* 1-based position in the order */
	char sku[ORDO_SKU_MAX];
	char title[ORDO_TITLE_MAX];
	/* The channel's own id of the line (a storefront's line item, a
	 * partner's PO1 line); "" = none given. */
	char external_id[ORDO_EXTERNAL_ID_MAX];
	int64_t quantity; /* ordered */
	ordo_money unit_price;
	/* ordered = open + allocated + released + shipped + cancelled */
	int64_t qty_open;
	int64_t qty_allocated;
	int64_t qty_released;
	int64_t qty_shipped;
	int64_t qty_cancelled;
	int64_t qty_returned; /* <= shipped */
} order_line;

/* X(enum, name, blocking by default) */
#define HOLD_TYPE_MAP(X)                                                       \
	X(HOLD_MISSING_DATA, "missing_data")                                   \
	X(HOLD_INVALID_DATA, "invalid_data")                                   \
	X(HOLD_ADDRESS_UNVERIFIABLE, "address_unverifiable")                   \
	X(HOLD_MISSING_CONTACT, "missing_contact")                             \
	X(HOLD_UNKNOWN_SKU, "unknown_sku")                                     \
	X(HOLD_INACTIVE_SKU, "inactive_sku")                                   \
	X(HOLD_PRICE_MISMATCH, "price_mismatch")                               \
	X(HOLD_TOTALS_MISMATCH, "totals_mismatch")                             \
	X(HOLD_DUPLICATE_SUSPECT, "duplicate_suspect")                         \
	X(HOLD_PAYMENT_UNVERIFIED, "payment_unverified")                       \
	X(HOLD_HIGH_VALUE, "high_value")                                       \
	X(HOLD_RISKY_ORDER, "risky_order")                                     \
	X(HOLD_INSUFFICIENT_STOCK, "insufficient_stock")                       \
	X(HOLD_SHIPPING_CONFLICT, "shipping_conflict")                         \
	X(HOLD_POLICY_EXCEPTION, "policy_exception")                           \
	X(HOLD_CHANGE_AFTER_RELEASE, "change_after_release")

typedef enum {
#define HOLD_X_ENUM(e, name) e,
	HOLD_TYPE_MAP(HOLD_X_ENUM)
#undef HOLD_X_ENUM
	HOLD_TYPE_COUNT
} hold_type;

typedef enum { HOLD_OPEN, HOLD_RESOLVED } hold_status;

typedef struct {
	char id[ORDO_ID_MAX];
	hold_type type;
	hold_status status;
	char field[ORDO_ERR_FIELD_MAX]; /* JSON path of the field at fault */
	char message[ORDO_MESSAGE_MAX];
	char related_order_id[ORDO_ID_MAX]; /* duplicate_suspect: the other order */
	char raised_by[ORDO_ACTOR_MAX];	    /* "validation", "duplicates", ... */
	ordo_time created_at;
	ordo_time resolved_at; /* 0 while open */
	/* Which rule raised it: a policy rule id, or for ordo's own checks
	 * "<raised_by>.<type>" ("validation.unknown_sku",
	 * "duplicates.duplicate_suspect", "warehouse.address_unverifiable"). */
	char rule_id[72];
	int policy_version; /* the review policy in force; 0 = default */
	int priority;	    /* 1 (most urgent) .. 5 */
	ordo_time due_at;   /* created_at + the hold type's SLA */
	/* The review queue: who works it, until when. */
	char assignee[ORDO_ACTOR_MAX]; /* "" = nobody */
	ordo_time claimed_at;	       /* first claim; for handling time */
	ordo_time claimed_until;       /* the claim's lease */
	bool escalated;
	/* How it ended: approve, correct, cancel_order, or system. */
	char resolution[16];
	char resolution_reason[ORDO_MESSAGE_MAX];
	char resolved_by[ORDO_ACTOR_MAX];
	/* As the store has it (not stored): 0 new in this write, 1 open,
	 * 2 resolved - what the rollups have counted of it. */
	unsigned char was;
} order_hold;

typedef struct {
	char method[ORDO_METHOD_MAX]; /* "standard", "express", ... */
	ordo_money amount;
} order_shipping;

typedef struct {
	ordo_money subtotal;
	ordo_money shipping;
	ordo_money tax;
	ordo_money discount;
	ordo_money total;
} order_totals;

/* X(enum, name) */
#define PAYMENT_STATUS_MAP(X)                                                  \
	X(PAYMENT_PENDING, "pending")                                          \
	X(PAYMENT_AUTHORIZED, "authorized")                                    \
	X(PAYMENT_PAID, "paid")                                                \
	X(PAYMENT_PARTIALLY_PAID, "partially_paid")                            \
	X(PAYMENT_REFUNDED, "refunded")                                        \
	X(PAYMENT_VOIDED, "voided")                                            \
	X(PAYMENT_UNKNOWN, "unknown")

typedef enum {
#define PAYMENT_X_ENUM(e, name) e,
	PAYMENT_STATUS_MAP(PAYMENT_X_ENUM)
#undef PAYMENT_X_ENUM
	PAYMENT_STATUS_COUNT
} payment_status;

typedef struct {
	char id[ORDO_ID_MAX]; /* public id, "ord_..." */
	int64_t seq;	      /* store's ordinal; orders listing order */
	int64_t tenant_id;
	char external_id[ORDO_EXTERNAL_ID_MAX];
	char channel[ORDO_CHANNEL_MAX];
	/* The kind of the configured channel it came through ("shopify",
	 * "woocommerce", "csv", "x12"); "" for ordo's own API. */
	char channel_kind[16];
	/* The integration key that created it (its own number), which alone
	 * of integration keys reads it; 0 when anyone else did. */
	int64_t created_key;
	ordo_time placed_at;
	ordo_time received_at;
	ordo_time updated_at;
	ordo_time accepted_at;	  /* 0 until accepted */
	ordo_time release_due_at; /* from the tenant's SLA and cut-off */
	ordo_time released_at;	  /* first release to a warehouse */
	ordo_time delivered_at;
	ordo_time closed_at;
	/* One more for each write that changes the order (If-Match). */
	int64_t version;
	ordo_time state_since; /* when it came into its state */
	/* What the rollups have counted of it (core/metrics.h, MARKS), and
	 * what this write found (not stored: counted as it saves). */
	int64_t marks;
	int64_t marks_new;
	/* Its state as stored (not stored itself; ORDER_RECEIVED when new):
	 * what the backlog counts it in. */
	order_state stored_state;
	/* The review policy's approve rule that let it through at intake,
	 * if one did. */
	char approved_rule[72];
	/* This write has counted its change already (not stored). */
	bool version_counted;
	char currency[ORDO_CURRENCY_MAX];
	order_customer customer;
	order_address ship_to;
	bool has_bill_to;
	order_address bill_to;
	order_shipping shipping;
	order_totals totals;
	payment_status payment;
	char notes[ORDO_NOTES_MAX];
	order_state state;
	char fingerprint[65]; /* hex SHA-256, see fingerprint.h */
	char customer_key[ORDO_EMAIL_MAX]; /* policy_customer_key() */
	/* The document it came in, as it came (UTF-8 text), and its media
	 * type: stored with a new order, for audit. NULL on an order read
	 * back (store_order_source reads it). Owned; copied by order_copy. */
	char *source;
	char source_type[ORDO_SOURCE_TYPE_MAX];

	size_t n_lines;
	order_line *lines; /* owned; freed by order_free */
	size_t n_holds;
	order_hold *holds; /* owned; freed by order_free */
	/* Loaded by the app layer beside the order; see fulfillment.h. */
	size_t n_fulfillments;
	struct fulfillment *fulfillments; /* owned; freed by order_free */
	size_t n_shipments;
	struct shipment_s *shipments; /* owned; freed by order_free */
	size_t n_defects;
	struct order_defect_s *defects; /* owned; freed by order_free */
} order;

/* A downstream defect reported against an order (wrong address, missing
 * item, ...): how order accuracy is measured where it is felt. */
typedef struct order_defect_s {
	int64_t seq;
	char id[ORDO_ID_MAX];
	char order_id[ORDO_ID_MAX];
	char type[32];
	char found_by[ORDO_NAME_MAX];
	char note[ORDO_MESSAGE_MAX];
	char reported_by[ORDO_ACTOR_MAX];
	ordo_time created_at;
	/* Who let it through (defect_attribute): the step ("review",
	 * "policy", "intake"), the rule and the person or channel. */
	char attributed_step[16];
	char attributed_rule[72];
	char attributed_actor[ORDO_ACTOR_MAX];
} order_defect;

/* A timeline entry. Events are append-only. */
typedef struct {
	int64_t seq;
	char type[32]; /* "received", "state_changed", "hold_raised", ... */
	order_state from_state;
	order_state to_state;
	char hold_id[ORDO_ID_MAX];
	char actor[ORDO_ACTOR_MAX];
	char message[ORDO_MESSAGE_MAX];
	ordo_time at;
} order_event;

const char *hold_type_name(hold_type t);
/* Returns 0 and sets *out, or -1 if name is not a hold type. */
int hold_type_parse(const char *name, hold_type *out);
const char *hold_status_name(hold_status s);

/* Whether h is claimed at `now`: a claim whose lease has run out is no
 * claim, and nobody holds the hold. */
bool hold_claim_live(const order_hold *h, ordo_time now);

const char *payment_status_name(payment_status p);
int payment_status_parse(const char *name, payment_status *out);

/* Zero an order. */
void order_init(order *o);
/* Free lines, holds, fulfillments and the source and zero the order. Safe
 * on a zeroed order. */
void order_free(order *o);
/* Free only the fulfillments (to load them again). */
void order_fulfillments_free(order *o);
/* Free only the shipments (to load them again). */
void order_shipments_free(order *o);

/*
 * Allocate n zeroed lines (replacing none: the order must have none yet).
 * Returns ORDO_OK or ORDO_ENOMEM / ORDO_ELIMIT (over ORDO_MAX_LINES).
 */
ordo_code order_lines_alloc(order *o, size_t n, ordo_err *err);

/*
 * Append a hold (copied). Returns the stored hold, or NULL when the order
 * already carries ORDO_MAX_HOLDS or memory ran out.
 */
order_hold *order_hold_add(order *o, const order_hold *h);

/* Number of holds still open. */
size_t order_open_holds(const order *o);

/*
 * Copy src into dst (order_init'ed): the header, lines, holds and source,
 * but not fulfillments, shipments or defects. A write that may run again (the store retries
 * a job that lost to another transaction) works on a copy so that each
 * run starts from the request as it came. ORDO_ENOMEM leaves dst empty.
 */
ordo_code order_copy(order *dst, const order *src, ordo_err *err);

/* Set every line's quantities for a new order: all ordered units open. */
void order_lines_open_all(order *o);

/*
 * Make the line for qty units besides those cancelled (a correction of the
 * ordered quantity). Only open units change: units allocated, released or
 * shipped stay, so qty below them is ORDO_ESTATE (field "quantity"), and a
 * qty below 1 or over ORDO_MAX_QUANTITY is ORDO_EINVALID; the line is then
 * left as it was. The quantity identity holds before and after.
 */
ordo_code order_line_set_quantity(order_line *l, int64_t qty, ordo_err *err);

/* Assert the quantity identity of one line (programmer error if broken). */
void order_line_check(const order_line *l);

/* True when the identity holds; for tests and for reading back from a store. */
bool order_line_consistent(const order_line *l);

/*
 * ORDO_OK when every line of o keeps the quantity identity; otherwise
 * ORDO_EINTERNAL, with a message naming the order, the line and all its
 * quantities. Checked in every build (unlike order_line_check) before an
 * order's lines are written, so a use case that computed a wrong line fails
 * and its transaction writes nothing.
 */
ordo_code order_check(const order *o, ordo_err *err);

#endif
