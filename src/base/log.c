/* log.c: see log.h. One write(2) per line keeps lines whole across threads. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "rfc3339.h"

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = { "debug", "info", "warn", "error" };

void log_set_level(enum log_level min)
{
	min_level = min;
}

void log_write(enum log_level level, const char *msg, const char *fields, ...)
{
	char ts[RFC3339_MAX], line[2048];
	if (level < min_level)
		return;
	rfc3339_format(clock_now_ms(), ts);
	int n = snprintf(line, sizeof(line), "{\"ts\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"",
			 ts, level_names[level], msg);
	if (fields && n > 0 && (size_t)n < sizeof(line)) {
		va_list ap;
		va_start(ap, fields);
		int m = vsnprintf(line + n, sizeof(line) - (size_t)n, fields, ap);
		va_end(ap);
		if (m > 0)
			n += m;
	}
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	line[n++] = '}';
	line[n++] = '\n';
	ssize_t w = write(STDERR_FILENO, line, (size_t)n);
	(void)w;
}
