/*
 * timeutil.c - RFC 3339 <-> UTC seconds, without libc time zones. See
 * timeutil.h.
 *
 * Accepted grammar (RFC 3339 section 5.6, "date-time"):
 *
 *     YYYY "-" MM "-" DD ("T"|"t") hh ":" mm ":" ss ["." digit+]
 *         ("Z"|"z"|("+"|"-") hh ":" mm)
 *
 * Every field has exactly the digits shown; the date must exist in the
 * proleptic Gregorian calendar (leap years included); hours 0..23, minutes
 * 0..59, offsets up to 23:59. Fractional seconds are dropped, not rounded.
 *
 * Leap seconds: ordo's clock has none, as POSIX time has none. A second of
 * 60 is accepted only where a leap second can fall - the last second of a
 * UTC day, 23:59:60Z, whatever the offset it is written in - and is read as
 * :59, so a channel that reports a leap second is neither refused nor moved
 * into the next day.
 *
 * Conversions use Howard Hinnant's days_from_civil / civil_from_days
 * algorithms (http://howardhinnant.github.io/date_algorithms.html), written
 * out here in integer arithmetic. Nothing consults TZ, the locale, timegm()
 * or gmtime().
 */
#include "core/timeutil.h"

#include <stdbool.h>
#include <stdio.h>

#define SECONDS_PER_DAY 86400

int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;				       /* [0, 399] */
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;	       /* [0, 146096] */
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30,
					   31, 31, 30, 31, 30, 31 };

	if (m == 2 && is_leap(y))
		return 29;
	return days[m - 1];
}

/* Read exactly n digits at *p into *out and advance; false if any is not a
 * digit. */
static bool read_digits(const char **p, int n, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (unsigned)(c - '0');
	}
	*p += n;
	*out = v;
	return true;
}

static bool expect(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

int time_parse_rfc3339(const char *text, int64_t *out)
{
	const char *p = text;
	unsigned year, month, day, hour, minute, second;
	unsigned off_h = 0, off_m = 0;
	int sign = 0;
	bool leap;
	int64_t t;

	if (!p)
		return -1;
	if (!read_digits(&p, 4, &year) || !expect(&p, '-') ||
	    !read_digits(&p, 2, &month) || !expect(&p, '-') ||
	    !read_digits(&p, 2, &day))
		return -1;
	if (*p != 'T' && *p != 't')
		return -1;
	p++;
	if (!read_digits(&p, 2, &hour) || !expect(&p, ':') ||
	    !read_digits(&p, 2, &minute) || !expect(&p, ':') ||
	    !read_digits(&p, 2, &second))
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '+' ? 1 : -1;
		p++;
		if (!read_digits(&p, 2, &off_h) || !expect(&p, ':') ||
		    !read_digits(&p, 2, &off_m))
			return -1;
		if (off_h > 23 || off_m > 59)
			return -1;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;

	if (month < 1 || month > 12 || day < 1 ||
	    day > days_in_month(year, month))
		return -1;
	if (hour > 23 || minute > 59 || second > 60)
		return -1;
	leap = second == 60;
	if (second == 60)
		second = 59;

	t = time_days_from_civil(year, month, day) * SECONDS_PER_DAY +
	    (int64_t)hour * 3600 + (int64_t)minute * 60 + second;
	/* Local time = UTC + offset, so UTC = local - offset. */
	t -= (int64_t)sign * ((int64_t)off_h * 3600 + (int64_t)off_m * 60);
	if (leap) {
		int64_t tod = t % SECONDS_PER_DAY;

		if (tod < 0)
			tod += SECONDS_PER_DAY;
		if (tod != SECONDS_PER_DAY - 1)
			return -1;
	}
	*out = t;
	return 0;
}

/*
 * Times outside years 0000..9999 cannot be written in RFC 3339's four-digit
 * year; they are clamped to the nearest representable second so the output
 * is always 20 characters.
 */
void time_format_rfc3339(int64_t t, char *buf, size_t size)
{
	const int64_t min_t = time_days_from_civil(0, 1, 1) * SECONDS_PER_DAY;
	const int64_t max_t =
		time_days_from_civil(9999, 12, 31) * SECONDS_PER_DAY + 86399;
	int64_t days, secs, y;
	unsigned m, d;

	if (t < min_t)
		t = min_t;
	if (t > max_t)
		t = max_t;
	days = t / SECONDS_PER_DAY;
	secs = t % SECONDS_PER_DAY;
	if (secs < 0) {
		secs += SECONDS_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	snprintf(buf, size, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, m, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}
