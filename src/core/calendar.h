/*
 * calendar.h: business hours, for service targets ("answer within 4 working
 * hours"). A calendar is a time zone, the working weekdays (1 Monday .. 7
 * Sunday), one daily window of local time [start, end) and holidays (local
 * dates, whole days off). Pure: no store; the zone's offsets come from
 * base/tzinfo.
 */
#ifndef RETAIN_CALENDAR_H
#define RETAIN_CALENDAR_H

#include <stdint.h>

#include "../base/err.h"
#include "../base/tz.h"

#define CALENDAR_HOLIDAYS_MAX 400

struct calendar {
	char timezone[TZ_NAME_MAX + 1];
	int weekdays;		/* bit d set: weekday d (1..7) is a working day */
	int start, end;		/* minutes after local midnight, 0 <= start < end <= 1440 */
	int64_t holidays[CALENDAR_HOLIDAYS_MAX];	/* local days since 1970-01-01 */
	int nholidays;
};

/* Parses "HH:MM" into minutes (24:00 allowed as an end); -1 if it is not one. */
int calendar_parse_hhmm(const char *s);
/* Parses "YYYY-MM-DD" into days since 1970-01-01; 0 ok, -1 not a date. */
int calendar_parse_date(const char *s, int64_t *day);
/* ERR_INVALID naming the field ("calendar.weekdays", ...) for a calendar
 * with no working time at all or a window that ends before it starts. */
int calendar_check(const struct calendar *c, struct err *e);
/* The instant that is `minutes` working minutes after `from` (both UTC ms):
 * time outside the windows, on days off and holidays does not count. */
int calendar_add(const struct calendar *c, int64_t from, int64_t minutes, int64_t *due,
		 struct err *e);

#endif
