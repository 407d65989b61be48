/*
 * test_timeutil.c - RFC 3339 parsing (valid forms, offsets, leap years, every
 * refusal), formatting, and the civil-date arithmetic.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/timeutil.h"

static int64_t parse_ok(const char *text)
{
	int64_t t = -12345;

	if (time_parse_rfc3339(text, &t) != 0)
		fail_msg("\"%s\" refused", text);
	return t;
}

static void parse_bad(const char *text)
{
	int64_t t = 4242;

	if (time_parse_rfc3339(text, &t) != -1)
		fail_msg("\"%s\" accepted as %lld", text ? text : "(null)",
			 (long long)t);
	assert_int_equal(t, 4242);
}

static const char *fmt(int64_t t)
{
	static char buf[32];

	time_format_rfc3339(t, buf, sizeof(buf));
	return buf;
}

static void test_days_from_civil(void **unused)
{
	(void)unused;
	assert_int_equal(time_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(time_days_from_civil(1970, 1, 2), 1);
	assert_int_equal(time_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(time_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(time_days_from_civil(2000, 2, 29), 11016);
	assert_int_equal(time_days_from_civil(2026, 11, 27), 20784);
	assert_int_equal(time_days_from_civil(1, 1, 1), -719162);
	assert_int_equal(time_days_from_civil(0, 3, 1), -719468);
	assert_int_equal(time_days_from_civil(9999, 12, 31), 2932896);
}

static void test_parse_valid(void **unused)
{
	(void)unused;
	assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(parse_ok("2026-11-27T10:15:00Z"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27t10:15:00z"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T10:15:00.123Z"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T10:15:00.999999999Z"),
			 1795774500);
	assert_int_equal(parse_ok("1969-12-31T23:59:59Z"), -1);
	assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), -62167219200LL);
	assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799LL);
	assert_int_equal(parse_ok("2038-01-19T03:14:08Z"), 2147483648LL);
}

static void test_parse_offsets(void **unused)
{
	(void)unused;
	assert_int_equal(parse_ok("2026-11-27T12:15:00+02:00"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T05:15:00-05:00"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T15:45:00+05:30"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T10:15:00+00:00"), 1795774500);
	assert_int_equal(parse_ok("2026-11-27T10:15:00-00:00"), 1795774500);
	/* Crossing a day, a month and a year boundary. */
	assert_int_equal(parse_ok("2026-12-31T23:30:00-01:00"),
			 parse_ok("2027-01-01T00:30:00Z"));
	assert_int_equal(parse_ok("2027-01-01T00:30:00+01:00"),
			 parse_ok("2026-12-31T23:30:00Z"));
	assert_int_equal(parse_ok("2026-01-01T00:00:00+23:59"),
			 parse_ok("2025-12-31T00:01:00Z"));
}

static void test_leap_years(void **unused)
{
	(void)unused;
	assert_int_equal(parse_ok("2024-02-29T00:00:00Z") + 86400,
			 parse_ok("2024-03-01T00:00:00Z"));
	assert_int_equal(parse_ok("2000-02-29T12:00:00Z"), 951825600);
	parse_bad("2023-02-29T00:00:00Z");
	parse_bad("1900-02-29T00:00:00Z"); /* divisible by 100 */
	parse_bad("2100-02-29T00:00:00Z");
	parse_ok("2400-02-29T00:00:00Z"); /* divisible by 400 */
	parse_ok("2023-02-28T23:59:59Z");
}

static void test_leap_second(void **unused)
{
	(void)unused;
	/* Read as :59 - see timeutil.c. */
	assert_int_equal(parse_ok("2016-12-31T23:59:60Z"),
			 parse_ok("2016-12-31T23:59:59Z"));
	assert_int_equal(parse_ok("2017-01-01T05:29:60+05:30"),
			 parse_ok("2016-12-31T23:59:59Z"));
	parse_bad("2016-12-31T23:58:60Z");
	parse_bad("2016-12-31T22:59:60Z");
	parse_bad("2016-12-31T23:59:60+01:00");
	parse_bad("2016-12-31T23:59:61Z");
}

static void test_parse_refusals(void **unused)
{
	static const char *const bad[] = {
		"",
		"2026-11-27",
		"2026-11-27T10:15:00",	 /* no offset */
		"2026-11-27 10:15:00Z",	 /* space for T */
		"2026-11-27T10:15Z",	 /* no seconds */
		"2026-11-27T10:15:00ZZ", /* trailing */
		"2026-11-27T10:15:00Z ", /* trailing space */
		" 2026-11-27T10:15:00Z", /* leading space */
		"26-11-27T10:15:00Z",	 /* short year */
		"+2026-11-27T10:15:00Z", /* sign */
		"20261-11-27T10:15:00Z", /* long year */
		"2026-1-27T10:15:00Z",	 /* short month */
		"2026-11-7T10:15:00Z",	 /* short day */
		"2026-11-27T1:15:00Z",	 /* short hour */
		"2026-11-27T10:5:00Z",	 /* short minute */
		"2026-11-27T10:15:0Z",	 /* short second */
		"2026/11/27T10:15:00Z",	 /* separators */
		"2026-11-27T10.15.00Z",
		"2026-00-27T10:15:00Z", /* month 0 */
		"2026-13-27T10:15:00Z", /* month 13 */
		"2026-11-00T10:15:00Z", /* day 0 */
		"2026-11-31T10:15:00Z", /* November has 30 */
		"2026-04-31T10:15:00Z",
		"2026-06-31T10:15:00Z",
		"2026-09-31T10:15:00Z",
		"2026-01-32T10:15:00Z",
		"2026-02-30T10:15:00Z",
		"2026-11-27T24:00:00Z", /* hour 24 */
		"2026-11-27T10:60:00Z", /* minute 60 */
		"2026-11-27T10:15:61Z",
		"2026-11-27T10:15:00.Z",    /* empty fraction */
		"2026-11-27T10:15:00,5Z",   /* comma fraction */
		"2026-11-27T10:15:00+0200", /* offset without colon */
		"2026-11-27T10:15:00+02",   /* short offset */
		"2026-11-27T10:15:00+2:00",
		"2026-11-27T10:15:00+24:00", /* offset hour */
		"2026-11-27T10:15:00+02:60", /* offset minute */
		"2026-11-27T10:15:00UTC",
		"2026-11-27T10:15:00GMT",
		"2026-11-27X10:15:00Z",
		"2026-11-27T10:15:00+02:00Z",
		"１９７０-01-01T00:00:00Z",
		"not a time",
	};
	size_t i;

	(void)unused;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_bad(bad[i]);
	parse_bad(NULL);
}

static void test_format(void **unused)
{
	char small[21];

	(void)unused;
	assert_string_equal(fmt(0), "1970-01-01T00:00:00Z");
	assert_string_equal(fmt(1795774500), "2026-11-27T10:15:00Z");
	assert_string_equal(fmt(-1), "1969-12-31T23:59:59Z");
	assert_string_equal(fmt(951825600), "2000-02-29T12:00:00Z");
	assert_string_equal(fmt(-62167219200LL), "0000-01-01T00:00:00Z");
	assert_string_equal(fmt(253402300799LL), "9999-12-31T23:59:59Z");
	/* Clamped to what four-digit years can say. */
	assert_string_equal(fmt(INT64_MAX), "9999-12-31T23:59:59Z");
	assert_string_equal(fmt(INT64_MIN), "0000-01-01T00:00:00Z");
	time_format_rfc3339(1795774500, small, sizeof(small));
	assert_int_equal(strlen(small), 20);
}

static void test_round_trip(void **unused)
{
	int64_t t;
	char buf[32];

	(void)unused;
	/* Steps of 13 days 7h13m31s across ten thousand years
	 * cross every leap rule and every time of day. */
	for (t = -62167219200LL; t < 253402300799LL; t += 86400 * 13 + 26011) {
		time_format_rfc3339(t, buf, sizeof(buf));
		if (parse_ok(buf) != t)
			fail_msg("%lld -> %s -> %lld", (long long)t, buf,
				 (long long)parse_ok(buf));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_days_from_civil),
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_offsets),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_leap_second),
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
