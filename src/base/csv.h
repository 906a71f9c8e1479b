/*
 * csv.h: splitting one line of a delimited file into fields, in place.
 * Delimiter ',' (or ';', '\t') follows RFC 4180 quoting ("a ""b""" is a "b");
 * delimiter ' ' splits on runs of spaces and tabs, as whitespace-aligned
 * exports like CDNOW's are written. Trailing CR and LF are dropped.
 */
#ifndef RETAIN_CSV_H
#define RETAIN_CSV_H

#include <stddef.h>

#define CSV_MAX_FIELDS 64

/* Returns the number of fields (at most max), or -1 for an unclosed quote. */
int csv_split(char *line, char delimiter, char **fields, int max);
/* Parses a decimal amount ("29.33", "-5", "1,5" with decimal ',') into minor
 * units of a currency with `exponent` decimals. -1: not a number or more
 * decimals than the currency has. */
int csv_amount(const char *s, int exponent, long long *minor);

#endif
