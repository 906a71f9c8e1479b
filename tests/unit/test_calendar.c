/* Unit tests of core/calendar.h (issue 11): working minutes across nights,
 * weekends, holidays and a daylight-saving change. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"

static struct calendar office(const char *zone)
{
	struct calendar c;
	memset(&c, 0, sizeof(c));
	snprintf(c.timezone, sizeof(c.timezone), "%s", zone);
	for (int d = 1; d <= 5; d++)
		c.weekdays |= 1 << d;
	c.start = calendar_parse_hhmm("09:00");
	c.end = calendar_parse_hhmm("17:00");
	return c;
}

/* Unix ms of a UTC wall time. */
static int64_t at(int y, int mo, int d, int h, int mi)
{
	int64_t day;
	char s[16];
	snprintf(s, sizeof(s), "%04d-%02d-%02d", y, mo, d);
	cr_assert_eq(calendar_parse_date(s, &day), 0);
	return (day * 1440 + h * 60 + mi) * 60000LL;
}

Test(calendar, minutes_within_the_same_day)
{
	struct calendar c = office("UTC");
	struct err e;
	int64_t due;
	cr_assert_eq(calendar_add(&c, at(2031, 5, 7, 10, 0), 90, &due, &e), 0);	/* a Wednesday */
	cr_assert_eq(due, at(2031, 5, 7, 11, 30));
}

Test(calendar, a_friday_afternoon_ticket_is_due_on_monday)
{
	struct calendar c = office("UTC");
	struct err e;
	int64_t due;
	cr_assert_eq(calendar_add(&c, at(2031, 5, 9, 16, 0), 240, &due, &e), 0);	/* Friday 16:00 */
	cr_assert_eq(due, at(2031, 5, 12, 12, 0), "1 h on Friday, 3 h on Monday");
	cr_assert_eq(calendar_add(&c, at(2031, 5, 10, 11, 0), 60, &due, &e), 0);	/* Saturday */
	cr_assert_eq(due, at(2031, 5, 12, 10, 0));
}

Test(calendar, holidays_are_skipped)
{
	struct calendar c = office("UTC");
	struct err e;
	int64_t due;
	cr_assert_eq(calendar_parse_date("2031-12-25", &c.holidays[c.nholidays++]), 0);
	cr_assert_eq(calendar_parse_date("2031-12-26", &c.holidays[c.nholidays++]), 0);
	cr_assert_eq(calendar_add(&c, at(2031, 12, 24, 16, 30), 60, &due, &e), 0);	/* Wednesday */
	cr_assert_eq(due, at(2031, 12, 29, 9, 30), "Thursday and Friday off, then the weekend");
}

Test(calendar, local_hours_follow_the_zone_and_its_summer_time)
{
	struct calendar c = office("Europe/Warsaw");
	struct err e;
	int64_t due;
	/* Friday 2031-03-28 16:30 local (+1) = 15:30 UTC; 60 working minutes:
	 * 30 on Friday, 30 on Monday 31 March from 09:00 local (+2) = 07:00 UTC. */
	cr_assert_eq(calendar_add(&c, at(2031, 3, 28, 15, 30), 60, &due, &e), 0);
	cr_assert_eq(due, at(2031, 3, 31, 7, 30));
}

Test(calendar, bad_calendars_and_inputs_are_refused)
{
	struct calendar c = office("UTC");
	struct err e;
	int64_t day;
	c.weekdays = 0;
	cr_assert_eq(calendar_check(&c, &e), ERR_INVALID);
	c = office("UTC");
	c.end = c.start;
	cr_assert_eq(calendar_check(&c, &e), ERR_INVALID);
	c = office("Nowhere/Land");
	cr_assert_eq(calendar_check(&c, &e), ERR_INVALID);
	cr_assert_eq(calendar_parse_hhmm("9:00"), -1);
	cr_assert_eq(calendar_parse_hhmm("24:30"), -1);
	cr_assert_eq(calendar_parse_hhmm("24:00"), 1440);
	cr_assert_eq(calendar_parse_date("2031-02-29", &day), -1);
	cr_assert_eq(calendar_parse_date("2032-02-29", &day), 0);
	cr_assert_eq(calendar_parse_date("2031-13-01", &day), -1);
}
