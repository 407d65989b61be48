/*
 * fingerprint.h - the content fingerprint used to catch duplicate orders.
 *
 * Two orders are suspected duplicates when the same customer asks for the
 * same goods to the same place: the fingerprint hashes a normalised form of
 * the customer (email, else phone, else name), the ship-to address (name,
 * line1, line2, city, postal code, country) and the lines (SKU and quantity,
 * merged per SKU and sorted), so that case, spacing, punctuation and line
 * order do not hide a duplicate. Channel, external id, prices, notes and
 * timestamps are left out on purpose: a customer who orders twice through two
 * channels is exactly the case to catch.
 *
 * The hash is SHA-256 over the canonical text, written as 64 hex digits.
 */
#ifndef ORDO_CORE_FINGERPRINT_H
#define ORDO_CORE_FINGERPRINT_H

#include <stddef.h>

#include "core/order.h"

/*
 * Write the canonical text of o into buf (NUL-terminated). Returns the length
 * it needs (excluding NUL), like snprintf; exposed for tests.
 */
size_t fingerprint_canonical(const order *o, char *buf, size_t size);

/* Compute o->fingerprint. Returns ORDO_ENOMEM if the canonical text could not
 * be built. */
ordo_code fingerprint_order(order *o, ordo_err *err);

#endif
