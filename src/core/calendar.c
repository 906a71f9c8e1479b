/* calendar.c: see calendar.h. */
#include "calendar.h"

#include <stdio.h>
#include <string.h>

#include "../base/tz.h"
#include "../base/tzinfo.h"

#define DAY_MS 86400000LL
#define MIN_MS 60000LL
#define SEARCH_DAYS 3660	/* ten years without a working minute is a broken calendar */

int calendar_parse_hhmm(const char *s)
{
	int h, m;
	char tail;
	if (!s || strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || s[2] != ':')
		return -1;
	if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m))
		return -1;
	return h * 60 + m;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

int calendar_parse_date(const char *s, int64_t *day)
{
	int y, m, d;
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || s[4] != '-' ||
	    s[7] != '-' || y < 1970 || y > 2399 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return -1;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100) || y % 400 == 0))
		return -1;
	*day = days_from_civil(y, m, d);
	return 0;
}

int calendar_check(const struct calendar *c, struct err *e)
{
	if (!(c->weekdays & 0xfe))
		return err_set(e, ERR_INVALID, "calendar.weekdays", "a calendar needs at least one"
			       " working weekday (1 Monday .. 7 Sunday)");
	if (c->start < 0 || c->end > 1440 || c->start >= c->end)
		return err_set(e, ERR_INVALID, "calendar.hours", "working hours end after they start,"
			       " within a day (\"09:00\" to \"17:00\")");
	int32_t off;
	if (!tz_valid(c->timezone))
		return err_set(e, ERR_INVALID, "calendar.timezone", "no time zone \"%s\" in the zone"
			       " database", c->timezone);
	return tzinfo_offset(c->timezone, 0, &off, e) ? (snprintf(e->param, sizeof(e->param),
							  "calendar.timezone"), e->kind) : 0;
}

static int is_holiday(const struct calendar *c, int64_t day)
{
	for (int i = 0; i < c->nholidays; i++)
		if (c->holidays[i] == day)
			return 1;
	return 0;
}

int calendar_add(const struct calendar *c, int64_t from, int64_t minutes, int64_t *due,
		 struct err *e)
{
	int64_t local, left = minutes * MIN_MS;
	int rc = tzinfo_local(c->timezone, from, &local, e);
	if (rc)
		return rc;
	int64_t day = local / DAY_MS - (local % DAY_MS < 0);
	for (int i = 0; i < SEARCH_DAYS; i++, day++) {
		int weekday = (int)(((day % 7) + 10) % 7) + 1;	/* 1970-01-01: a Thursday (4) */
		if (!(c->weekdays & (1 << weekday)) || is_holiday(c, day))
			continue;
		int64_t open = day * DAY_MS + c->start * MIN_MS, close = day * DAY_MS + c->end * MIN_MS;
		int64_t begin = local > open ? local : open;
		if (begin >= close)
			continue;
		if (left <= close - begin)
			return tzinfo_utc(c->timezone, begin + left, due, e);
		left -= close - begin;
	}
	return err_set(e, ERR_INVALID, "calendar", "this calendar has no working time for ten years");
}
