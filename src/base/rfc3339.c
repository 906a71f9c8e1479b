/* rfc3339.c: see rfc3339.h. Calendar arithmetic after H. Hinnant's algorithms. */
#include "rfc3339.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

int64_t rfc3339_days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

static int days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : days[m - 1];
}

int rfc3339_from_civil(int y, int mo, int d, int h, int mi, int sec, int64_t *ms)
{
	if (y < RFC3339_YEAR_MIN || y > RFC3339_YEAR_MAX || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return -1;
	if (sec == 60)
		sec = 59;	/* leap second: clamp, unix time has none */
	*ms = (rfc3339_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) * 1000;
	return 0;
}

int rfc3339_parse(const char *s, int64_t *ms)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, frac_ms = 0, off = 0;
	int64_t local;

	if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) ||
	    *p++ != '-' || digits(&p, 2, &d))
		return -1;
	if (*p == '\0')
		goto done;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) ||
	    *p++ != ':' || digits(&p, 2, &sec))
		return -1;
	if (*p == '.') {
		int n = 0;
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		for (; isdigit((unsigned char)*p); p++, n++)
			if (n < 3)
				frac_ms = frac_ms * 10 + (*p - '0');
		for (; n < 3; n++)
			frac_ms *= 10;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			return -1;
		off = sign * (oh * 60 + om);
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
done:
	if (rfc3339_from_civil(y, mo, d, h, mi, sec, &local))
		return -1;
	local += frac_ms - (int64_t)off * 60 * 1000;
	/* an offset can move the local time across the range's ends */
	if (local < 0 || local > rfc3339_days_from_civil(RFC3339_YEAR_MAX + 1, 1, 1) * 86400000 - 1)
		return -1;
	*ms = local;
	return 0;
}

void rfc3339_format(int64_t ms, char out[RFC3339_MAX])
{
	int64_t secs = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
	int millis = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
	int64_t rem = secs - days * 86400, y;
	int m, d;

	civil_from_days(days, &y, &m, &d);
	/* Years 0-9999 digit by digit (snprintf was most of a response's
	 * times: bench/README.md, the order path, fifth round); the same bytes. */
	if (y >= 0 && y <= 9999) {
		int v[7] = { (int)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
			     millis };
		char *w = out;
		w[0] = (char)('0' + v[0] / 1000), w[1] = (char)('0' + v[0] / 100 % 10);
		w[2] = (char)('0' + v[0] / 10 % 10), w[3] = (char)('0' + v[0] % 10);
		w += 4;
		static const char sep[] = "--T::";
		for (int i = 1; i < 6; i++) {
			*w++ = sep[i - 1];
			*w++ = (char)('0' + v[i] / 10);
			*w++ = (char)('0' + v[i] % 10);
		}
		if (millis) {
			*w++ = '.';
			*w++ = (char)('0' + millis / 100);
			*w++ = (char)('0' + millis / 10 % 10);
			*w++ = (char)('0' + millis % 10);
		}
		*w++ = 'Z';
		*w = 0;
		return;
	}
	if (millis)
		snprintf(out, RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
			 (int)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
			 (int)(rem % 60), millis);
	else
		snprintf(out, RFC3339_MAX, "%04d-%02d-%02dT%02d:%02d:%02dZ",
			 (int)y, m, d, (int)(rem / 3600), (int)(rem / 60 % 60),
			 (int)(rem % 60));
}
