/*
 * config.h: every setting of retain in one table (config.c). Precedence, highest
 * first: command-line flags, RETAIN_* environment variables, a config file
 * (--config PATH or RETAIN_CONFIG: "key = value" lines, # comments), defaults.
 * `retain serve --print-config` shows the result with secrets masked.
 *
 * Every setting has a range or a set of accepted values (the table in
 * config.c); a value outside it, from any source, is ERR_INVALID with a
 * message naming the setting, where the value came from and the value.
 */
#ifndef RETAIN_CONFIG_H
#define RETAIN_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

#define CONFIG_THREADS_MAX 1024
#define CONFIG_BODY_LIMIT_MAX (64 * 1024 * 1024)
/* = SHOP_GRACE_HOURS_MAX (core/shop.h; base does not include core): the API's
 * and the CLI's limit for a rotated key, so the default is one they accept.
 * cli/cmd_shop.c asserts that the two agree. */
#define CONFIG_KEY_GRACE_HOURS_MAX 2160

struct config {
	char db[1024];
	char listen[256];
	int64_t threads;
	int64_t body_limit;
	int64_t key_grace_hours;
	int64_t test_clock;
	int64_t access_log;
	int64_t drain_seconds;
	int64_t jobs_interval;
	int64_t idempotency_retention_hours;
	char operator_key[128];
	char log_level[16];
	int64_t print_config;
	int64_t webhooks_allow_private;
	int64_t webhooks_interval;
	/* Issue 13, e-mail (core/email.h): the SMTP server; "" sends none. */
	char smtp_url[512];
	char smtp_user[256];
	char smtp_password[256];
	int64_t smtp_timeout_seconds;
	/* Issue 14: how long a cached dashboard report serves pages
	 * (analytics/report_cache.h); the jobs thread recomputes it at half. */
	int64_t report_cache_minutes;
};

/*
 * Fills c from defaults, environment, file and argv (in reverse precedence).
 * Arguments that are not configuration flags are copied, in order, into
 * rest (which must hold argc entries) for the command to parse.
 */
int config_load(struct config *c, int argc, char **argv, char **rest,
		int *nrest, struct err *e);
/* Splits "ADDRESS:PORT" (IPv4, or "localhost" or "" for 127.0.0.1; a port from
 * 0 to 65535) into addr (network byte order) and port (host byte order); -1
 * when listen is not of that form. */
int config_listen_parse(const char *listen, uint32_t *addr, uint16_t *port);
void config_print(const struct config *c, FILE *out);
/* value as it may be shown (messages, --print-config): a URL's password left
 * out, postgres://user:secret@host/db as postgres://user@host/db. */
void config_redact_url(const char *value, char *out, size_t size);
/* Text for `retain help`: one line per option. */
void config_usage(FILE *out);

#endif
