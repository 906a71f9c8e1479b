/* csv.c: see csv.h. */
#include "csv.h"

#include <ctype.h>
#include <string.h>

static void trim_newline(char *line)
{
	size_t n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
}

static int split_spaces(char *line, char **fields, int max)
{
	int n = 0;
	char *p = line;
	while (*p && n < max) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		fields[n++] = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		if (*p)
			*p++ = '\0';
	}
	return n;
}

int csv_split(char *line, char delimiter, char **fields, int max)
{
	trim_newline(line);
	if (delimiter == ' ')
		return split_spaces(line, fields, max);
	int n = 0;
	char *p = line;
	for (;;) {
		if (n == max)
			return n;
		if (*p == '"') {
			char *out = ++p;
			fields[n++] = out;
			for (;;) {
				if (!*p)
					return -1;
				if (*p == '"' && p[1] == '"') {
					*out++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*out++ = *p++;
				}
			}
			*out = '\0';
			while (*p && *p != delimiter)
				p++;
		} else {
			fields[n++] = p;
			while (*p && *p != delimiter)
				p++;
		}
		if (!*p)
			return n;
		*p++ = '\0';
	}
}

int csv_amount(const char *s, int exponent, long long *minor)
{
	long long whole = 0, frac = 0;
	int neg = 0, digits = 0, decimals = 0;
	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s); s++, digits++) {
		if (whole > 100000000000000LL)
			return -1;
		whole = whole * 10 + (*s - '0');
	}
	if (*s == '.' || *s == ',') {
		for (s++; isdigit((unsigned char)*s); s++, decimals++) {
			if (decimals >= exponent)
				return -1;
			frac = frac * 10 + (*s - '0');
			digits++;
		}
	}
	while (*s == ' ')
		s++;
	if (*s || !digits)
		return -1;
	for (; decimals < exponent; decimals++)
		frac *= 10;
	long long unit = 1;
	for (int i = 0; i < exponent; i++)
		unit *= 10;
	*minor = (whole * unit + frac) * (neg ? -1 : 1);
	return 0;
}
