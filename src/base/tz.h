/*
 * tz.h: IANA time zone names ("Europe/Warsaw", "UTC"), checked so that a
 * campaign or report never carries a zone no one can read. A name is valid
 * when it has the shape of one (letters, digits, '_', '+', '-' in parts
 * separated by '/', at most TZ_NAME_MAX bytes, no "." part), is not one of
 * the database's files that name no place (posixrules, localtime, Factory,
 * the posix/ and right/ copies) and, when the machine has the zone database
 * (/usr/share/zoneinfo), is a compiled zone there (a TZif file: not the
 * "leapseconds" text beside them).
 */
#ifndef RETAIN_TZ_H
#define RETAIN_TZ_H

#define TZ_NAME_MAX 64

/* For a name someone sends (a campaign's, an SLA calendar's). */
int tz_valid(const char *name);
/* The shape alone (no path can leave the database): for names read back from
 * the store, which may predate a stricter tz_valid(); tzinfo then reads the
 * file and refuses what is not a compiled zone. */
int tz_shape_ok(const char *name);

#endif
