/* tz.c: see tz.h. */
#include "tz.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ZONEINFO "/usr/share/zoneinfo"

/* Files of the zone database that are not zones one names: the POSIX
 * default rules, the machine's own zone, the zone of no place, and the two
 * trees of copies ("right/" counts leap seconds, so its clocks are 27 s off
 * civil time). */
static const char *const not_zones[] = { "posixrules", "localtime", "Factory", NULL };
static const char *const not_zone_trees[] = { "posix/", "right/", NULL };

static int listed(const char *name)
{
	for (int i = 0; not_zones[i]; i++)
		if (!strcmp(name, not_zones[i]))
			return 1;
	for (int i = 0; not_zone_trees[i]; i++)
		if (!strncmp(name, not_zone_trees[i], strlen(not_zone_trees[i])))
			return 1;
	return 0;
}

/* 1 when the file at path is a compiled zone (RFC 8536: "TZif" first). */
static int tzif(const char *path)
{
	char magic[4];
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	size_t n = fread(magic, 1, sizeof(magic), f);
	fclose(f);
	return n == sizeof(magic) && !memcmp(magic, "TZif", 4);
}

int tz_shape_ok(const char *name)
{
	size_t n = strlen(name);
	if (!n || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/' || strstr(name, "//"))
		return 0;
	for (const char *p = name; *p; p++) {
		int c = (unsigned char)*p;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '/'))
			return 0;
	}
	return 1;
}

int tz_valid(const char *name)
{
	struct stat st;
	char path[sizeof(ZONEINFO) + TZ_NAME_MAX + 2];
	if (!name || !tz_shape_ok(name) || listed(name))
		return 0;
	if (!strcmp(name, "UTC"))
		return 1;
	if (stat(ZONEINFO, &st) || !S_ISDIR(st.st_mode))
		return 1;	/* no zone database here: the shape is all we can check */
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, name);
	return !stat(path, &st) && S_ISREG(st.st_mode) && tzif(path);
}
