/*
 * test_money.c - currencies, decimal parsing and formatting for 0-, 2- and
 * 3-decimal currencies, every refusal, and checked arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/limits.h"
#include "core/money.h"

static int64_t parse_ok(const char *text, const char *cur, bool neg)
{
	int64_t v = 12345;
	ordo_err err = ORDO_ERR_INIT;

	ordo_err_clear(&err);
	if (money_parse(text, cur, neg, &v, "amount", &err) != ORDO_OK)
		fail_msg("\"%s\" %s refused: %s", text, cur, err.message);
	return v;
}

/* Expect a refusal whose message contains `why`. */
static void parse_bad(const char *text, const char *cur, bool neg,
		      const char *why)
{
	int64_t v = 777;
	ordo_err err = ORDO_ERR_INIT;

	ordo_err_clear(&err);
	if (money_parse(text, cur, neg, &v, "totals.total", &err) !=
	    ORDO_EINVALID)
		fail_msg("\"%s\" %s accepted as %lld", text ? text : "(null)",
			 cur, (long long)v);
	assert_int_equal(err.code, ORDO_EINVALID);
	assert_string_equal(err.field, "totals.total");
	if (!strstr(err.message, why))
		fail_msg("\"%s\": message \"%s\" lacks \"%s\"", text,
			 err.message, why);
	assert_int_equal(v, 777); /* untouched */
}

static const char *fmt(int64_t v, const char *cur)
{
	static char buf[64];

	money_format(v, cur, buf, sizeof(buf));
	return buf;
}

static void test_currencies(void **unused)
{
	static const char *const known[] = {
		"USD", "EUR", "GBP", "CAD", "AUD", "JPY", "CHF", "CNY",
		"SEK", "NOK", "DKK", "PLN", "CZK", "HUF", "MXN", "BRL",
		"INR", "KRW", "SGD", "HKD", "NZD", "ZAR", "AED", "SAR",
		"KWD", "BHD", "OMR", "JOD", "TND", "ISK", "CLP", "VND",
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		assert_true(money_currency_known(known[i]));
	assert_false(money_currency_known("usd"));
	assert_false(money_currency_known("XYZ"));
	assert_false(money_currency_known("US"));
	assert_false(money_currency_known("USDD"));
	assert_false(money_currency_known(""));
	assert_false(money_currency_known(NULL));

	assert_int_equal(money_currency_exponent("USD"), 2);
	assert_int_equal(money_currency_exponent("EUR"), 2);
	assert_int_equal(money_currency_exponent("JPY"), 0);
	assert_int_equal(money_currency_exponent("KRW"), 0);
	assert_int_equal(money_currency_exponent("ISK"), 0);
	assert_int_equal(money_currency_exponent("CLP"), 0);
	assert_int_equal(money_currency_exponent("VND"), 0);
	assert_int_equal(money_currency_exponent("UGX"), 0);
	assert_int_equal(money_currency_exponent("XAF"), 0);
	assert_int_equal(money_currency_exponent("XOF"), 0);
	assert_int_equal(money_currency_exponent("KWD"), 3);
	assert_int_equal(money_currency_exponent("BHD"), 3);
	assert_int_equal(money_currency_exponent("OMR"), 3);
	assert_int_equal(money_currency_exponent("JOD"), 3);
	assert_int_equal(money_currency_exponent("TND"), 3);
	assert_int_equal(money_currency_exponent("IQD"), 3);
	assert_int_equal(money_currency_exponent("LYD"), 3);
	assert_int_equal(money_currency_exponent("XYZ"), 2);
	assert_int_equal(money_currency_exponent(NULL), 2);
}

static void test_parse_two_decimals(void **unused)
{
	(void)unused;
	assert_int_equal(parse_ok("12.50", "USD", false), 1250);
	assert_int_equal(parse_ok("12.5", "USD", false), 1250);
	assert_int_equal(parse_ok("12", "USD", false), 1200);
	assert_int_equal(parse_ok("0", "USD", false), 0);
	assert_int_equal(parse_ok("0.01", "USD", false), 1);
	assert_int_equal(parse_ok("007.50", "EUR", false), 750);
	assert_int_equal(parse_ok("-0.05", "USD", true), -5);
	assert_int_equal(parse_ok("-12", "USD", true), -1200);
	assert_int_equal(parse_ok("100000000000", "USD", false),
			 ORDO_MAX_MONEY_MINOR);
	assert_int_equal(parse_ok("-100000000000.00", "USD", true),
			 -ORDO_MAX_MONEY_MINOR);
}

static void test_parse_zero_and_three_decimals(void **unused)
{
	(void)unused;
	assert_int_equal(parse_ok("100", "JPY", false), 100);
	assert_int_equal(parse_ok("0", "JPY", false), 0);
	assert_int_equal(parse_ok("-3", "KRW", true), -3);
	assert_int_equal(parse_ok("10000000000000", "JPY", false),
			 ORDO_MAX_MONEY_MINOR);
	assert_int_equal(parse_ok("1.234", "KWD", false), 1234);
	assert_int_equal(parse_ok("1.2", "KWD", false), 1200);
	assert_int_equal(parse_ok("1", "BHD", false), 1000);
	assert_int_equal(parse_ok("0.001", "OMR", false), 1);
}

static void test_parse_refusals(void **unused)
{
	static const char *const malformed[] = {
		"1.",	 ".5",	 "1e3", "+1",	 " 1",	  "1 ",	  "1,00",
		"1.2.3", "abc",	 "-",	"--1",	 "1-",	  "0x10", "1.2a",
		"１",	 "1.\n", "-.5", "12.5 ", "1_000", "∞",
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++)
		parse_bad(malformed[i], "USD", true,
			  "must be a decimal string such as \"12.50\"");
	parse_bad("", "USD", true, "must be a decimal string");
	parse_bad(NULL, "USD", true, "must be a decimal string");
	parse_bad("1.234", "USD", false, "USD allows at most 2 decimal places");
	parse_bad("0.0001", "KWD", false,
		  "KWD allows at most 3 decimal places");
	parse_bad("1.5", "JPY", false, "JPY has no decimal places");
	parse_bad("1.0", "JPY", false, "JPY has no decimal places");
	parse_bad("1.", "JPY", false, "must be a decimal string");
	parse_bad("-1", "USD", false, "must not be negative");
	parse_bad("-0", "USD", false, "must not be negative");
	parse_bad("-0.01", "USD", false, "must not be negative");
	parse_bad("100000000000.01", "USD", false,
		  "must be at most 100000000000.00");
	parse_bad("-100000000000.01", "USD", true, "must be at most");
	parse_bad("10000000000001", "JPY", false,
		  "must be at most 10000000000000");
	parse_bad("99999999999999999999999999", "USD", false,
		  "must be at most");
	parse_bad("10000000000.0001", "KWD", false, "at most 3 decimal");
}

static void test_format(void **unused)
{
	(void)unused;
	assert_string_equal(fmt(1250, "USD"), "12.50");
	assert_string_equal(fmt(-5, "USD"), "-0.05");
	assert_string_equal(fmt(0, "USD"), "0.00");
	assert_string_equal(fmt(1, "EUR"), "0.01");
	assert_string_equal(fmt(100, "JPY"), "100");
	assert_string_equal(fmt(-100, "JPY"), "-100");
	assert_string_equal(fmt(1234, "KWD"), "1.234");
	assert_string_equal(fmt(5, "KWD"), "0.005");
	assert_string_equal(fmt(-1005, "KWD"), "-1.005");
	assert_string_equal(fmt(ORDO_MAX_MONEY_MINOR, "USD"),
			    "100000000000.00");
	assert_string_equal(fmt(INT64_MIN, "USD"), "-92233720368547758.08");
	assert_string_equal(fmt(1250, "XYZ"), "12.50");

	/* snprintf semantics: the needed length, truncated output. */
	{
		char small[4];

		assert_int_equal(
			money_format(1250, "USD", small, sizeof(small)), 5);
		assert_string_equal(small, "12.");
	}
}

static void test_round_trip(void **unused)
{
	static const int64_t values[] = {
		0,
		1,
		-1,
		9,
		10,
		99,
		100,
		101,
		1250,
		-1250,
		123456789,
		ORDO_MAX_MONEY_MINOR,
		-ORDO_MAX_MONEY_MINOR,
	};
	static const char *const curs[] = { "USD", "JPY", "KWD",
					    "EUR", "CLP", "OMR" };
	size_t i, j;
	char buf[64];

	(void)unused;
	for (j = 0; j < sizeof(curs) / sizeof(curs[0]); j++) {
		for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
			money_format(values[i], curs[j], buf, sizeof(buf));
			assert_int_equal(parse_ok(buf, curs[j], true),
					 values[i]);
		}
	}
}

static void test_arithmetic(void **unused)
{
	int64_t r = 42;

	(void)unused;
	assert_true(money_add(1, 2, &r));
	assert_int_equal(r, 3);
	assert_true(money_add(-5, 2, &r));
	assert_int_equal(r, -3);
	assert_true(money_add(ORDO_MAX_MONEY_MINOR - 1, 1, &r));
	assert_int_equal(r, ORDO_MAX_MONEY_MINOR);
	r = 42;
	assert_false(money_add(ORDO_MAX_MONEY_MINOR, 1, &r));
	assert_false(money_add(-ORDO_MAX_MONEY_MINOR, -1, &r));
	assert_false(money_add(INT64_MAX, 1, &r));
	assert_false(money_add(INT64_MIN, -1, &r));
	assert_int_equal(r, 42);

	assert_true(money_mul(1250, 3, &r));
	assert_int_equal(r, 3750);
	assert_true(money_mul(-1250, 3, &r));
	assert_int_equal(r, -3750);
	assert_true(money_mul(ORDO_MAX_MONEY_MINOR, 1, &r));
	assert_true(money_mul(0, ORDO_MAX_QUANTITY, &r));
	assert_int_equal(r, 0);
	r = 42;
	assert_false(money_mul(ORDO_MAX_MONEY_MINOR, 2, &r));
	assert_false(money_mul(INT64_MAX, 2, &r));
	assert_false(money_mul(INT64_MIN, -1, &r));
	assert_false(money_mul(ORDO_MAX_MONEY_MINOR, ORDO_MAX_QUANTITY, &r));
	assert_int_equal(r, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_currencies),
		cmocka_unit_test(test_parse_two_decimals),
		cmocka_unit_test(test_parse_zero_and_three_decimals),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_arithmetic),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
