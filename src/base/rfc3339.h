/*
 * rfc3339.h: times in the API are RFC 3339 strings, in the store unix ms.
 * Parsing accepts "2026-11-22T10:00:00Z", fractional seconds, and numeric
 * offsets ("+02:00"); a bare date "2026-11-22" means midnight UTC.
 * Formatting always writes UTC with millisecond precision only when non-zero.
 *
 * Every time retain takes in (the API's times and dates, the CLI's --from,
 * --to and imported dates) goes through rfc3339_parse or rfc3339_from_civil,
 * so they share one rule: a real calendar date (no 30 February) from
 * 1970-01-01T00:00:00Z (unix time 0: stored times are never negative) to the
 * end of RFC3339_YEAR_MAX (so that every date retain derives from a stored one,
 * an expiry or a forecast horizon, still has a four-digit year).
 */
#ifndef RETAIN_RFC3339_H
#define RETAIN_RFC3339_H

#include <stdint.h>

#define RFC3339_MAX 64
#define RFC3339_YEAR_MIN 1970
#define RFC3339_YEAR_MAX 2999

/* Returns 0 and sets *ms, or -1 when s is not a valid RFC 3339 time in the
 * range above. */
int rfc3339_parse(const char *s, int64_t *ms);
/* The same rule for a broken-down UTC time (month 1-12, second 0-60; a leap
 * second counts as 59): 0 and *ms, or -1 for a date that does not exist or
 * lies outside the range. */
int rfc3339_from_civil(int y, int mo, int d, int h, int mi, int sec, int64_t *ms);
/* Writes a NUL-terminated string of at most RFC3339_MAX bytes into out. */
void rfc3339_format(int64_t ms, char out[RFC3339_MAX]);
/* Days since 1970-01-01 of a proleptic Gregorian date (any year 1..9999). */
int64_t rfc3339_days_from_civil(int64_t y, int m, int d);

#endif
