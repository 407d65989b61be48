/*
 * money.c - ISO 4217 currencies, decimal strings <-> integer minor units, and
 * checked arithmetic. See money.h.
 *
 * Amounts are int64 minor units bounded by ORDO_MAX_MONEY_MINOR in absolute
 * value; every function here keeps that bound, so a product or sum that
 * passed money_mul()/money_add() is far from int64 overflow.
 *
 * Currency codes are matched exactly: three upper-case letters, as ISO 4217
 * writes them (decoders upper-case what channels send). An unknown code has
 * exponent 2, the common case; whether an order's currency is acceptable is
 * decided by money_currency_known(), not by parsing.
 *
 * The grammar money_parse() accepts is deliberately small:
 *
 *     ["-"] digit+ [ "." digit{1,exponent} ]
 *
 * No "+", no exponent, no grouping separators, no spaces, no bare "." at
 * either end. Leading zeros are accepted ("007.50" is 750 minor units).
 */
#include "core/money.h"

#include <stdio.h>
#include <string.h>

#include "core/limits.h"

struct currency {
	char code[4];
	int exponent;
};

/* Active ISO 4217 currencies (fund codes and precious metals left out). */
static const struct currency currencies[] = {
	{ "AED", 2 }, { "AFN", 2 }, { "ALL", 2 }, { "AMD", 2 }, { "ANG", 2 },
	{ "AOA", 2 }, { "ARS", 2 }, { "AUD", 2 }, { "AWG", 2 }, { "AZN", 2 },
	{ "BAM", 2 }, { "BBD", 2 }, { "BDT", 2 }, { "BGN", 2 }, { "BHD", 3 },
	{ "BIF", 0 }, { "BMD", 2 }, { "BND", 2 }, { "BOB", 2 }, { "BRL", 2 },
	{ "BSD", 2 }, { "BTN", 2 }, { "BWP", 2 }, { "BYN", 2 }, { "BZD", 2 },
	{ "CAD", 2 }, { "CDF", 2 }, { "CHF", 2 }, { "CLP", 0 }, { "CNY", 2 },
	{ "COP", 2 }, { "CRC", 2 }, { "CUP", 2 }, { "CVE", 2 }, { "CZK", 2 },
	{ "DJF", 0 }, { "DKK", 2 }, { "DOP", 2 }, { "DZD", 2 }, { "EGP", 2 },
	{ "ERN", 2 }, { "ETB", 2 }, { "EUR", 2 }, { "FJD", 2 }, { "FKP", 2 },
	{ "GBP", 2 }, { "GEL", 2 }, { "GHS", 2 }, { "GIP", 2 }, { "GMD", 2 },
	{ "GNF", 0 }, { "GTQ", 2 }, { "GYD", 2 }, { "HKD", 2 }, { "HNL", 2 },
	{ "HTG", 2 }, { "HUF", 2 }, { "IDR", 2 }, { "ILS", 2 }, { "INR", 2 },
	{ "IQD", 3 }, { "IRR", 2 }, { "ISK", 0 }, { "JMD", 2 }, { "JOD", 3 },
	{ "JPY", 0 }, { "KES", 2 }, { "KGS", 2 }, { "KHR", 2 }, { "KMF", 0 },
	{ "KPW", 2 }, { "KRW", 0 }, { "KWD", 3 }, { "KYD", 2 }, { "KZT", 2 },
	{ "LAK", 2 }, { "LBP", 2 }, { "LKR", 2 }, { "LRD", 2 }, { "LSL", 2 },
	{ "LYD", 3 }, { "MAD", 2 }, { "MDL", 2 }, { "MGA", 2 }, { "MKD", 2 },
	{ "MMK", 2 }, { "MNT", 2 }, { "MOP", 2 }, { "MRU", 2 }, { "MUR", 2 },
	{ "MVR", 2 }, { "MWK", 2 }, { "MXN", 2 }, { "MYR", 2 }, { "MZN", 2 },
	{ "NAD", 2 }, { "NGN", 2 }, { "NIO", 2 }, { "NOK", 2 }, { "NPR", 2 },
	{ "NZD", 2 }, { "OMR", 3 }, { "PAB", 2 }, { "PEN", 2 }, { "PGK", 2 },
	{ "PHP", 2 }, { "PKR", 2 }, { "PLN", 2 }, { "PYG", 0 }, { "QAR", 2 },
	{ "RON", 2 }, { "RSD", 2 }, { "RUB", 2 }, { "RWF", 0 }, { "SAR", 2 },
	{ "SBD", 2 }, { "SCR", 2 }, { "SDG", 2 }, { "SEK", 2 }, { "SGD", 2 },
	{ "SHP", 2 }, { "SLE", 2 }, { "SOS", 2 }, { "SRD", 2 }, { "SSP", 2 },
	{ "STN", 2 }, { "SVC", 2 }, { "SYP", 2 }, { "SZL", 2 }, { "THB", 2 },
	{ "TJS", 2 }, { "TMT", 2 }, { "TND", 3 }, { "TOP", 2 }, { "TRY", 2 },
	{ "TTD", 2 }, { "TWD", 2 }, { "TZS", 2 }, { "UAH", 2 }, { "UGX", 0 },
	{ "USD", 2 }, { "UYU", 2 }, { "UZS", 2 }, { "VES", 2 }, { "VND", 0 },
	{ "VUV", 0 }, { "WST", 2 }, { "XAF", 0 }, { "XCD", 2 }, { "XCG", 2 },
	{ "XOF", 0 }, { "XPF", 0 }, { "YER", 2 }, { "ZAR", 2 }, { "ZMW", 2 },
	{ "ZWG", 2 },
};

static const struct currency *currency_find(const char *code)
{
	size_t i;

	if (!code)
		return NULL;
	for (i = 0; i < sizeof(currencies) / sizeof(currencies[0]); i++)
		if (strcmp(code, currencies[i].code) == 0)
			return &currencies[i];
	return NULL;
}

bool money_currency_known(const char *currency)
{
	return currency_find(currency) != NULL;
}

int money_currency_exponent(const char *currency)
{
	const struct currency *c = currency_find(currency);

	return c ? c->exponent : 2;
}

static bool in_range(int64_t v)
{
	return v <= ORDO_MAX_MONEY_MINOR && v >= -ORDO_MAX_MONEY_MINOR;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

ordo_code money_parse(const char *text, const char *currency,
		      bool allow_negative, int64_t *out, const char *field,
		      ordo_err *err)
{
	const char *code = (currency && *currency) ? currency : "the currency";
	const char *p = text;
	int exponent = money_currency_exponent(currency);
	bool negative = false;
	int64_t value = 0;
	int decimals = 0;
	char maxbuf[40];

	if (!p || !*p)
		return ordo_err_set(
			err, ORDO_EINVALID, field,
			"must be a decimal string such as \"12.50\", "
			"not an empty string");
	if (*p == '-') {
		negative = true;
		p++;
	}
	if (!is_digit(*p))
		goto malformed;
	for (; is_digit(*p); p++) {
		value = value * 10 + (*p - '0');
		if (value > ORDO_MAX_MONEY_MINOR)
			goto too_large;
	}
	if (*p == '.') {
		p++;
		if (exponent == 0 && is_digit(*p))
			return ordo_err_set(err, ORDO_EINVALID, field,
					    "%s has no decimal places; write a "
					    "whole amount such as \"100\"",
					    code);
		if (!is_digit(*p))
			goto malformed;
		for (; is_digit(*p); p++) {
			if (decimals == exponent) {
				/* Keep scanning so "1.2x" is reported as
				 * malformed rather than as too precise. */
				while (is_digit(*p))
					p++;
				if (*p)
					goto malformed;
				return ordo_err_set(
					err, ORDO_EINVALID, field,
					"%s allows at most %d decimal places",
					code, exponent);
			}
			value = value * 10 + (*p - '0');
			decimals++;
			if (value > ORDO_MAX_MONEY_MINOR)
				goto too_large;
		}
	}
	if (*p)
		goto malformed;
	for (; decimals < exponent; decimals++) {
		value *= 10;
		if (value > ORDO_MAX_MONEY_MINOR)
			goto too_large;
	}
	if (negative && !allow_negative)
		return ordo_err_set(err, ORDO_EINVALID, field,
				    "must not be negative");
	*out = negative ? -value : value;
	return ORDO_OK;

malformed:
	return ordo_err_set(err, ORDO_EINVALID, field,
			    "must be a decimal string such as \"12.50\", not "
			    "\"%.40s\"",
			    text);
too_large:
	money_format(ORDO_MAX_MONEY_MINOR, currency, maxbuf, sizeof(maxbuf));
	return ordo_err_set(err, ORDO_EINVALID, field,
			    "must be at most %s in absolute value", maxbuf);
}

int money_format(int64_t minor, const char *currency, char *buf, size_t size)
{
	int exponent = money_currency_exponent(currency);
	uint64_t mag, scale = 1;
	int i;

	/* Magnitude as unsigned so INT64_MIN does not overflow. */
	mag = minor < 0 ? (uint64_t)0 - (uint64_t)minor : (uint64_t)minor;
	for (i = 0; i < exponent; i++)
		scale *= 10;
	if (exponent == 0)
		return snprintf(buf, size, "%s%llu", minor < 0 ? "-" : "",
				(unsigned long long)mag);
	return snprintf(buf, size, "%s%llu.%0*llu", minor < 0 ? "-" : "",
			(unsigned long long)(mag / scale), exponent,
			(unsigned long long)(mag % scale));
}

bool money_add(int64_t a, int64_t b, int64_t *out)
{
	int64_t r;

	if (__builtin_add_overflow(a, b, &r) || !in_range(r))
		return false;
	*out = r;
	return true;
}

bool money_mul(int64_t amount, int64_t qty, int64_t *out)
{
	int64_t r;

	if (__builtin_mul_overflow(amount, qty, &r) || !in_range(r))
		return false;
	*out = r;
	return true;
}
