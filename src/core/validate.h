/*
 * validate.h - business validation of a well-formed order.
 *
 * Structural problems (bad JSON, wrong types, missing required fields) are the
 * decoder's business and refuse the request. Everything here concerns an order
 * that is well formed but doubtful; each problem becomes one typed hold that
 * names the field and what is wrong, and the order is kept. Orders are never
 * lost because a rule disliked them.
 *
 * Rules, each with its hold type:
 *   unknown_sku          a line's SKU is not in the tenant's catalog
 *   inactive_sku         a line's SKU is in the catalog but not active
 *   price_mismatch       a line's unit price differs from the catalog price
 *   totals_mismatch      subtotal != sum of lines, or
 *                        total != subtotal + shipping + tax - discount, or
 *                        totals.shipping != shipping.amount
 *   address_unverifiable ship-to incomplete (name, line1, city, postal code,
 *                        country) or implausible (unknown country, postal code
 *                        that cannot belong to that country, region required
 *                        but missing)
 *   missing_contact      the customer has neither a valid email nor a phone
 *   invalid_data         an email that is present but malformed; placed_at in
 *                        the future beyond clock skew
 *
 * Catalog look-ups come through a callback so the core stays free of I/O.
 */
#ifndef ORDO_CORE_VALIDATE_H
#define ORDO_CORE_VALIDATE_H

#include <stdbool.h>

#include "core/order.h"

typedef struct {
	bool found;
	bool active;
	ordo_money unit_price;
	char currency[ORDO_CURRENCY_MAX];
} catalog_entry;

/*
 * Looks up a SKU for the order's tenant. Returns ORDO_OK with entry->found
 * set accordingly, or an error (storage) which aborts validation.
 */
typedef ordo_code (*catalog_lookup_fn)(void *ctx, const char *sku,
				       catalog_entry *entry, ordo_err *err);

/*
 * Run every rule and append one open hold per problem to o->holds (raised_by
 * "validation", created_at = now). Returns ORDO_OK even when holds were
 * raised; an error only when the lookup failed or holds could not be added.
 */
ordo_code validate_order(order *o, catalog_lookup_fn lookup, void *ctx,
			 ordo_time now, ordo_err *err);

/* Address checks, exposed for tests and for change requests. */
bool validate_country_known(const char *alpha2);
bool validate_postal_code(const char *country, const char *postal);
bool validate_email(const char *email);

#endif
