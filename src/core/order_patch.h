/*
 * order_patch.h - the changes a correction makes to an order, decoded and
 * ready to apply.
 *
 * A reviewer correcting a held order says only what changes: some fields
 * of the customer, the addresses, shipping, totals, the payment status,
 * the notes, and per line (by line_no) its sku, title, unit price or
 * quantity. A patch holds each of those with its presence, so that a field
 * not given is left as it is and a field given as "" is emptied.
 *
 * A patch is decoded where the request is read (the API), before any
 * storage work; it is applied to the stored order inside the write, where
 * the order is at hand. Two things can only be checked there, so they are
 * order_patch_apply's: money is kept as the decimal text the client sent
 * and converted with the order's currency (how many decimals it takes
 * depends on it), and a line_no must name a line the order has.
 *
 * Errors name the field as the request did: "changes.<path>", the line
 * paths by their position in the request ("changes.lines[0]").
 */
#ifndef ORDO_CORE_ORDER_PATCH_H
#define ORDO_CORE_ORDER_PATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/order.h"

/* Which members of an address are set. */
typedef struct {
	bool name, company, line1, line2, city, region, postal_code, country,
		phone;
} order_patch_address_set;

typedef struct {
	size_t index; /* position in the request's "lines", for errors */
	int line_no;
	bool has_sku, has_title, has_quantity;
	char sku[ORDO_SKU_MAX];
	char title[ORDO_TITLE_MAX];
	char *unit_price; /* owned decimal text; NULL: not given */
	int64_t quantity; /* units besides those cancelled */
} order_patch_line;

typedef struct {
	bool has_customer_name, has_customer_email, has_customer_phone;
	order_customer customer;

	order_patch_address_set ship_to_set;
	order_address ship_to;
	/* A bill_to given at all (even {}) gives the order one. */
	bool has_bill_to;
	order_patch_address_set bill_to_set;
	order_address bill_to;

	bool has_shipping_method;
	char shipping_method[ORDO_METHOD_MAX];
	char *shipping_amount; /* owned decimal text; NULL: not given */

	/* Owned decimal texts; NULL: not given. */
	char *subtotal, *shipping, *tax, *discount, *total;

	bool has_payment;
	payment_status payment;

	bool has_notes;
	char notes[ORDO_NOTES_MAX];

	order_patch_line *lines; /* owned */
	size_t n_lines;
} order_patch;

/* Zero a patch (nothing set). */
void order_patch_init(order_patch *p);
/* Free what the patch owns and zero it. Safe on a zeroed patch. */
void order_patch_free(order_patch *p);

/* Set a money member to a copy of text (*dst freed first). Returns
 * ORDO_ENOMEM (err set) when out of memory. */
ordo_code order_patch_money(char **dst, const char *text, ordo_err *err);

/* Append a zeroed line for request position index; NULL when out of
 * memory or past ORDO_MAX_LINES. */
order_patch_line *order_patch_line_add(order_patch *p, size_t index);

/*
 * Apply p to o. Every problem is added to err (ORDO_EINVALID, message "the
 * changes have N problems") and then o may be partly changed: the caller
 * throws it away. A quantity goes through order_line_set_quantity.
 */
ordo_code order_patch_apply(order *o, const order_patch *p, ordo_err *err);

#endif
