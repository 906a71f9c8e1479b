/*
 * tzinfo.h: the UTC offset of an IANA time zone at an instant, read from
 * the system's zone database (/usr/share/zoneinfo, TZif version 2 or
 * later), without touching the process's TZ or localtime's global state, so
 * that any thread may ask about any zone.
 *
 * A zone file is read once and kept (at most TZINFO_CACHE zones; one lock).
 * Instants past the file's last transition follow its footer rule (the
 * POSIX TZ string such as "CET-1CEST,M3.5.0,M10.5.0/3"; the Mm.w.d form
 * every current zone uses). "UTC" needs no file.
 */
#ifndef RETAIN_TZINFO_H
#define RETAIN_TZINFO_H

#include <stdint.h>

#include "err.h"

#define TZINFO_CACHE 64

/* The offset east of UTC, in seconds, of zone at utc_ms into *offset.
 * ERR_INVALID (param "timezone") for a zone that is not in the database. */
int tzinfo_offset(const char *zone, int64_t utc_ms, int32_t *offset, struct err *e);

/* Local wall-clock time (ms since the epoch as if the zone were UTC) into
 * *local: utc_ms + the offset then. */
int tzinfo_local(const char *zone, int64_t utc_ms, int64_t *local, struct err *e);

/* The UTC instant of a local wall-clock time. A time in a spring-forward gap
 * is taken with the offset before the gap (so it lands just after it); one
 * that happens twice (autumn) is the first. */
int tzinfo_utc(const char *zone, int64_t local_ms, int64_t *utc, struct err *e);

#endif
