/*
 * money.h - money as integer minor units, and decimal strings at the edges.
 *
 * JSON carries money as a decimal string ("12.50"); inside ordo it is an
 * int64 count of the currency's minor units (1250). The number of decimals
 * comes from ISO 4217 (JPY 0, USD 2, KWD 3). Parsing refuses more decimals
 * than the currency has, signs where none are allowed, exponents, and values
 * past ORDO_MAX_MONEY_MINOR. There is no floating point anywhere on this path.
 */
#ifndef ORDO_CORE_MONEY_H
#define ORDO_CORE_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* True for a syntactically valid ISO 4217 code that ordo knows. */
bool money_currency_known(const char *currency);

/* Decimal places of the currency's minor unit (2 when unknown). */
int money_currency_exponent(const char *currency);

/*
 * Parse "123", "123.4", "123.45" (up to the currency's exponent) into minor
 * units. Negative values are refused unless allow_negative. On failure returns
 * ORDO_EINVALID with field set to `field` and a message saying why.
 */
ordo_code money_parse(const char *text, const char *currency,
		      bool allow_negative, int64_t *out, const char *field,
		      ordo_err *err);

/* Format minor units as a decimal string ("12.50"); returns chars written as
 * snprintf does. */
int money_format(int64_t minor, const char *currency, char *buf, size_t size);

/* Checked arithmetic: return false on overflow or past the money limit. */
bool money_add(int64_t a, int64_t b, int64_t *out);
bool money_mul(int64_t amount, int64_t qty, int64_t *out);

#endif
