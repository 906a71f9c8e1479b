/* Unit tests of base/tzinfo.h (issue 11): a zone's offset at an instant,
 * read from the zone database, agrees with the C library's localtime under
 * TZ for many zones and instants (also past 2037, where the footer rule
 * applies), and wall-clock times map back to the instant they name. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "base/tz.h"
#include "base/tzinfo.h"

static const char *const zones[] = { "Europe/Warsaw", "America/New_York", "Australia/Sydney",
	"Asia/Kolkata", "America/Sao_Paulo", "Pacific/Chatham", "Europe/London", "Asia/Tbilisi",
	"America/St_Johns", "Africa/Casablanca", "UTC" };

static long libc_offset(const char *zone, time_t t)
{
	struct tm tm;
	setenv("TZ", zone, 1);
	tzset();
	localtime_r(&t, &tm);
	return tm.tm_gmtoff;
}

Test(tzinfo, agrees_with_the_c_library_from_1970_to_2099)
{
	struct err e;
	uint64_t x = 88172645463325252ULL;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		for (int i = 0; i < 3000; i++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			int64_t t = (int64_t)(x % 4102444800ULL);	/* 1970 .. 2100 */
			int32_t off;
			cr_assert_eq(tzinfo_offset(zones[z], t * 1000, &off, &e), 0, "%s", zones[z]);
			cr_assert_eq(off, libc_offset(zones[z], (time_t)t), "%s at %lld: %d vs %ld",
				     zones[z], (long long)t, off, libc_offset(zones[z], (time_t)t));
		}
	}
}

Test(tzinfo, agrees_around_every_change_of_a_year)
{
	struct err e;
	/* Every hour of 2031 and of 2045 (past the database's table). */
	for (int y = 0; y < 2; y++) {
		int64_t from = y ? 2366841600LL : 1924992000LL;
		for (int64_t t = from; t < from + 366 * 86400LL; t += 1800) {
			int32_t off;
			tzinfo_offset("Europe/Warsaw", t * 1000, &off, &e);
			cr_assert_eq(off, libc_offset("Europe/Warsaw", (time_t)t), "at %lld", (long long)t);
			tzinfo_offset("Australia/Sydney", t * 1000, &off, &e);
			cr_assert_eq(off, libc_offset("Australia/Sydney", (time_t)t), "at %lld", (long long)t);
		}
	}
}

Test(tzinfo, a_wall_clock_time_maps_back_to_its_instant)
{
	struct err e;
	int64_t local, utc;
	/* 2031-05-09 09:00 in Warsaw (summer, +2) is 07:00 UTC. */
	cr_assert_eq(tzinfo_utc("Europe/Warsaw", 1936076400000LL + 2 * 3600000LL, &utc, &e), 0);
	cr_assert_eq(utc, 1936076400000LL);
	cr_assert_eq(tzinfo_local("Europe/Warsaw", utc, &local, &e), 0);
	cr_assert_eq(local, 1936076400000LL + 2 * 3600000LL);
	/* 2031-03-30 02:30 does not exist in Warsaw: it lands just after the gap,
	 * 03:30 (+2), which is 01:30 UTC. 2031-03-30T00:00:00Z = 1932595200. */
	cr_assert_eq(tzinfo_utc("Europe/Warsaw", (1932595200LL + 2 * 3600 + 1800) * 1000, &utc, &e), 0);
	cr_assert_eq(utc, (1932595200LL + 3600 + 1800) * 1000);
	/* 2031-10-26 02:30 happens twice: the first, still at +2 (00:30 UTC). */
	cr_assert_eq(tzinfo_utc("Europe/Warsaw", (1950739200LL + 2 * 3600 + 1800) * 1000, &utc, &e), 0);
	cr_assert_eq(utc, (1950739200LL + 1800) * 1000);
}

Test(tzinfo, an_unknown_zone_is_refused)
{
	struct err e;
	int32_t off;
	cr_assert_eq(tzinfo_offset("Mars/Olympus", 0, &off, &e), ERR_INVALID);
	cr_assert_eq(tzinfo_offset("../../etc/passwd", 0, &off, &e), ERR_INVALID);
	cr_assert_eq(tzinfo_offset(NULL, 0, &off, &e), ERR_INVALID);
}

Test(tz, names_a_place_or_is_refused)
{
	cr_assert(tz_valid("UTC"));
	cr_assert(tz_valid("Europe/Warsaw"));
	cr_assert(tz_valid("America/Argentina/Buenos_Aires"));
	cr_assert_not(tz_valid("Mars/Olympus_Mons"));
	cr_assert_not(tz_valid("../etc/passwd"));
	cr_assert_not(tz_valid("zone.tab"));
	/* in the database, but no place's zone (an SLA calendar took "posixrules") */
	cr_assert_not(tz_valid("posixrules"));
	cr_assert_not(tz_valid("localtime"));
	cr_assert_not(tz_valid("Factory"));
	cr_assert_not(tz_valid("right/Europe/Warsaw"));
	cr_assert_not(tz_valid("posix/Europe/Warsaw"));
	cr_assert_not(tz_valid("leapseconds"), "a text file beside the zones");
}

/* A name stored before tz_valid() refused it still reads (the review of the
 * stricter check: a stored SLA calendar in "posixrules" must not break
 * ticket due times), while a name that is no compiled zone does not. */
Test(tz, a_stored_name_tz_valid_now_refuses_still_reads)
{
	int32_t off = 1;
	struct err e = { 0 };
	cr_assert_not(tz_valid("posixrules"));
	if (!access("/usr/share/zoneinfo/posixrules", R_OK)) {	/* tzdata-legacy after bookworm */
		cr_assert_eq(tzinfo_offset("posixrules", 1751328000000LL, &off, &e), 0, "%s",
			     e.message);
		cr_assert_eq(off, -4 * 3600, "New York's rules in July: %d", off);
	}
	cr_assert_neq(tzinfo_offset("leapseconds", 0, &off, &e), 0);
	cr_assert_neq(tzinfo_offset("../etc/passwd", 0, &off, &e), 0);
}
