/* tz.c: see tz.h. */
#include "tz.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define ZONEINFO "/usr/share/zoneinfo"

static int shape_ok(const char *name)
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
	if (!name || !shape_ok(name))
		return 0;
	if (!strcmp(name, "UTC"))
		return 1;
	if (stat(ZONEINFO, &st) || !S_ISDIR(st.st_mode))
		return 1;	/* no zone database here: the shape is all we can check */
	snprintf(path, sizeof(path), "%s/%s", ZONEINFO, name);
	return !stat(path, &st) && S_ISREG(st.st_mode);
}
