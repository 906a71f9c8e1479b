/*
 * rfc3339.h: times in the API are RFC 3339 strings, in the store unix ms.
 * Parsing accepts "2026-11-22T10:00:00Z", fractional seconds, and numeric
 * offsets ("+02:00"); a bare date "2026-11-22" means midnight UTC.
 * Formatting always writes UTC with millisecond precision only when non-zero.
 */
#ifndef RETAIN_RFC3339_H
#define RETAIN_RFC3339_H

#include <stdint.h>

#define RFC3339_MAX 64

/* Returns 0 and sets *ms, or -1 when s is not a valid RFC 3339 time. */
int rfc3339_parse(const char *s, int64_t *ms);
/* Writes a NUL-terminated string of at most RFC3339_MAX bytes into out. */
void rfc3339_format(int64_t ms, char out[RFC3339_MAX]);
/* Days since 1970-01-01 of a proleptic Gregorian date (any year 1..9999). */
int64_t rfc3339_days_from_civil(int64_t y, int m, int d);

#endif
