/*
 * log.h: JSON-lines logs on stderr, one object per line:
 *	{"ts":"2026-11-22T10:00:00.123Z","level":"info","msg":"listening","addr":"127.0.0.1:8080"}
 * fields is a printf format producing further ,"key":value pairs (leading
 * comma included) or NULL. Never log secrets or raw e-mail addresses.
 */
#ifndef RETAIN_LOG_H
#define RETAIN_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
void log_write(enum log_level level, const char *msg, const char *fields, ...)
	__attribute__((format(printf, 3, 4)));

#define log_info(msg, ...) log_write(LOG_INFO, msg, __VA_ARGS__)
#define log_warn(msg, ...) log_write(LOG_WARN, msg, __VA_ARGS__)
#define log_error(msg, ...) log_write(LOG_ERROR, msg, __VA_ARGS__)

#endif
