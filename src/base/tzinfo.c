/* tzinfo.c: see tzinfo.h. TZif: RFC 8536. */
#include "tzinfo.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tz.h"

#define ZONEINFO "/usr/share/zoneinfo"
#define TZIF_MAX (1 << 20)
#define DAY_S 86400LL

/* The footer rule: standard offset, and when there is daylight time its
 * offset and the two changes (month, week 1..5, weekday 0..6, seconds of
 * local time, possibly negative or past a day). */
struct rule {
	int32_t std, dst;
	int has_dst;
	int m[2], w[2], d[2];
	int32_t at[2];
};

struct zone {
	char name[TZ_NAME_MAX + 1];
	int64_t *times;		/* transitions, unix seconds */
	unsigned char *idx;	/* type of each transition */
	int32_t *offsets;	/* per type */
	unsigned char *isdst;
	int ntimes, ntypes;
	int32_t before;		/* the offset before the first transition */
	struct rule rule;
	int has_rule;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct zone *cache[TZINFO_CACHE];
static int ncache;

static int64_t be(const unsigned char *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	if (n == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

/* [+-]hh[:mm[:ss]] into seconds; the number of characters read, 0 if none. */
static int parse_hms(const char *s, int32_t *out)
{
	const char *p = s;
	int sign = 1, h = 0, m = 0, sec = 0;
	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		h = h * 10 + (*p++ - '0');
	if (*p == ':') {
		p++;
		while (*p >= '0' && *p <= '9')
			m = m * 10 + (*p++ - '0');
		if (*p == ':') {
			p++;
			while (*p >= '0' && *p <= '9')
				sec = sec * 10 + (*p++ - '0');
		}
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	return (int)(p - s);
}

static const char *skip_name(const char *p)
{
	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		return *p ? p + 1 : p;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	return p;
}

/* ",Mm.w.d[/time]" */
static const char *parse_change(const char *p, struct rule *r, int i)
{
	int32_t at = 2 * 3600;
	if (*p++ != ',' || *p++ != 'M')
		return NULL;
	r->m[i] = (int)strtol(p, (char **)&p, 10);
	if (*p++ != '.')
		return NULL;
	r->w[i] = (int)strtol(p, (char **)&p, 10);
	if (*p++ != '.')
		return NULL;
	r->d[i] = (int)strtol(p, (char **)&p, 10);
	if (*p == '/') {
		int n = parse_hms(p + 1, &at);
		if (!n)
			return NULL;
		p += 1 + n;
	}
	r->at[i] = at;
	if (r->m[i] < 1 || r->m[i] > 12 || r->w[i] < 1 || r->w[i] > 5 || r->d[i] < 0 || r->d[i] > 6)
		return NULL;
	return p;
}

/* A POSIX TZ string; 0 when it is one this file can follow. */
static int parse_rule(const char *s, struct rule *r)
{
	const char *p = skip_name(s);
	int32_t off;
	int n;
	memset(r, 0, sizeof(*r));
	if (p == s || !(n = parse_hms(p, &off)))
		return -1;
	r->std = -off;		/* POSIX counts west of Greenwich as positive */
	p += n;
	if (!*p)
		return 0;
	const char *q = skip_name(p);
	if (q == p)
		return -1;
	r->has_dst = 1;
	r->dst = r->std + 3600;
	p = q;
	if ((n = parse_hms(p, &off))) {
		r->dst = -off;
		p += n;
	}
	if (!(p = parse_change(p, r, 0)) || !(p = parse_change(p, r, 1)))
		return -1;
	return *p ? -1 : 0;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int64_t year_of(int64_t days)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	return yoe + era * 400 + (mp >= 10);
}

/* The local second (in the offset then in force) of change i in year y. */
static int64_t change_local(const struct rule *r, int i, int64_t y)
{
	int m = r->m[i];
	int64_t first = days_from_civil(y, m, 1);
	int wd = (int)(((first % 7) + 11) % 7);		/* 1970-01-01 was a Thursday */
	int64_t day = first + ((r->d[i] - wd) + 7) % 7 + (int64_t)(r->w[i] - 1) * 7;
	int64_t next = days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
	while (day >= next)
		day -= 7;
	return day * DAY_S + r->at[i];
}

static int32_t rule_offset(const struct rule *r, int64_t t)
{
	if (!r->has_dst)
		return r->std;
	int64_t y = year_of((t + r->std) / DAY_S - ((t + r->std) % DAY_S < 0));
	int64_t start = change_local(r, 0, y) - r->std, end = change_local(r, 1, y) - r->dst;
	int dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
	return dst ? r->dst : r->std;
}

static void zone_free(struct zone *z)
{
	if (!z)
		return;
	free(z->times);
	free(z->idx);
	free(z->offsets);
	free(z->isdst);
	free(z);
}

/* Parses the v2 block of a TZif file (data, len) into z. */
static int parse_tzif(const unsigned char *d, size_t len, struct zone *z)
{
	if (len < 44 || memcmp(d, "TZif", 4) || d[4] < '2')
		return -1;
	int64_t c[6];
	for (int i = 0; i < 6; i++)
		c[i] = be(d + 20 + 4 * i, 4);
	size_t v1 = 44 + (size_t)(c[3] * 5 + c[4] * 6 + c[5] + c[2] * 8 + c[1] + c[0]);
	if (v1 + 44 > len || memcmp(d + v1, "TZif", 4))
		return -1;
	const unsigned char *h = d + v1;
	for (int i = 0; i < 6; i++)
		c[i] = be(h + 20 + 4 * i, 4);
	int64_t isut = c[0], isstd = c[1], leap = c[2], timecnt = c[3], typecnt = c[4], chars = c[5];
	if (timecnt < 0 || typecnt < 1 || typecnt > 256 || timecnt > 100000)
		return -1;
	const unsigned char *p = h + 44;
	size_t need = (size_t)(timecnt * 9 + typecnt * 6 + chars + leap * 12 + isstd + isut);
	if ((size_t)(p - d) + need > len)
		return -1;
	z->ntimes = (int)timecnt;
	z->ntypes = (int)typecnt;
	z->times = malloc((size_t)(timecnt + 1) * sizeof(*z->times));
	z->idx = malloc((size_t)timecnt + 1);
	z->offsets = malloc((size_t)typecnt * sizeof(*z->offsets));
	z->isdst = malloc((size_t)typecnt);
	if (!z->times || !z->idx || !z->offsets || !z->isdst)
		return -1;
	for (int64_t i = 0; i < timecnt; i++)
		z->times[i] = be(p + 8 * i, 8);
	p += timecnt * 8;
	for (int64_t i = 0; i < timecnt; i++)
		if ((z->idx[i] = p[i]) >= typecnt)
			return -1;
	p += timecnt;
	for (int64_t i = 0; i < typecnt; i++) {
		z->offsets[i] = (int32_t)be(p + 6 * i, 4);
		z->isdst[i] = p[6 * i + 4];
	}
	p += typecnt * 6 + chars + leap * 12 + isstd + isut;
	z->before = z->offsets[0];
	for (int i = 0; i < z->ntypes; i++)
		if (!z->isdst[i]) {
			z->before = z->offsets[i];
			break;
		}
	/* The footer: "\n" TZ-string "\n". */
	if ((size_t)(p - d) < len && *p == '\n') {
		const unsigned char *q = memchr(p + 1, '\n', len - (size_t)(p - d) - 1);
		char footer[128];
		size_t n = q ? (size_t)(q - p - 1) : 0;
		if (q && n && n < sizeof(footer)) {
			memcpy(footer, p + 1, n);
			footer[n] = 0;
			z->has_rule = !parse_rule(footer, &z->rule);
		}
	}
	return 0;
}

static struct zone *zone_load(const char *name)
{
	char path[sizeof(ZONEINFO) + TZ_NAME_MAX + 2];
	unsigned char *buf = NULL;
	struct zone *z = NULL;
	size_t len;
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	buf = malloc(TZIF_MAX);
	len = buf ? fread(buf, 1, TZIF_MAX, f) : 0;
	fclose(f);
	z = calloc(1, sizeof(*z));
	if (!buf || !z || parse_tzif(buf, len, z)) {
		zone_free(z);
		z = NULL;
	} else {
		snprintf(z->name, sizeof(z->name), "%s", name);
	}
	free(buf);
	return z;
}

/* The zone, from the cache or the database; NULL when there is none. The
 * caller holds the lock while it uses the zone (another may evict it). */
static struct zone *zone_get(const char *name)
{
	struct zone *z = NULL;
	for (int i = 0; i < ncache && !z; i++)
		if (!strcmp(cache[i]->name, name))
			z = cache[i];
	if (!z && (z = zone_load(name))) {
		if (ncache == TZINFO_CACHE)
			zone_free(cache[--ncache]);	/* zones are few: any one may go */
		cache[ncache++] = z;
	}
	return z;
}

static int32_t offset_at(const struct zone *z, int64_t t)
{
	if (!z->ntimes || t < z->times[0])
		return z->ntimes || !z->has_rule ? z->before : rule_offset(&z->rule, t);
	if (t >= z->times[z->ntimes - 1] && z->has_rule)
		return rule_offset(&z->rule, t);
	int lo = 0, hi = z->ntimes - 1;
	while (lo < hi) {
		int mid = (lo + hi + 1) / 2;
		if (z->times[mid] <= t)
			lo = mid;
		else
			hi = mid - 1;
	}
	return z->offsets[z->idx[lo]];
}

int tzinfo_offset(const char *zone, int64_t utc_ms, int32_t *offset, struct err *e)
{
	*offset = 0;
	if (zone && !strcmp(zone, "UTC"))
		return 0;
	if (!zone || !tz_shape_ok(zone))	/* stored names too: not tz_valid() */
		goto bad;
	pthread_mutex_lock(&lock);
	struct zone *z = zone_get(zone);
	if (z)
		*offset = offset_at(z, utc_ms / 1000 - (utc_ms % 1000 < 0));
	pthread_mutex_unlock(&lock);
	if (!z)
		goto bad;
	return 0;
bad:
	return err_set(e, ERR_INVALID, "timezone", "no time zone \"%s\" in the zone database",
		       zone ? zone : "");
}

int tzinfo_local(const char *zone, int64_t utc_ms, int64_t *local, struct err *e)
{
	int32_t off;
	int rc = tzinfo_offset(zone, utc_ms, &off, e);
	*local = utc_ms + (int64_t)off * 1000;
	return rc;
}

int tzinfo_utc(const char *zone, int64_t local_ms, int64_t *utc, struct err *e)
{
	int32_t before, oa, ob;
	int rc;
	if ((rc = tzinfo_offset(zone, local_ms - DAY_S * 1000, &before, e)))
		return rc;
	int64_t ua = local_ms - (int64_t)before * 1000;
	if ((rc = tzinfo_offset(zone, ua, &oa, e)))
		return rc;
	if (oa == before)
		return *utc = ua, 0;
	int64_t ub = local_ms - (int64_t)oa * 1000;
	if ((rc = tzinfo_offset(zone, ub, &ob, e)))
		return rc;
	*utc = ob == oa ? ub : ua;	/* else a gap: the offset before it */
	return 0;
}
