/*
 * timeutil.h - UTC times as integer seconds, RFC 3339 at the edges.
 *
 * Parsing accepts "2026-11-27T10:15:00Z", fractional seconds (dropped) and
 * numeric offsets ("+02:00"), converting to UTC; it refuses anything else,
 * including out-of-range fields (month 13, February 30). Formatting always
 * writes "YYYY-MM-DDTHH:MM:SSZ". No locale or TZ environment is consulted.
 */
#ifndef ORDO_CORE_TIMEUTIL_H
#define ORDO_CORE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 and sets *out, or -1 if text is not a valid RFC 3339 time. */
int time_parse_rfc3339(const char *text, int64_t *out);

/* Writes 20 characters plus NUL; size must be at least 21. */
void time_format_rfc3339(int64_t t, char *buf, size_t size);

/* Days since the epoch for a civil date (proleptic Gregorian). */
int64_t time_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
