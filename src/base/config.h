/*
 * config.h: every setting of retain in one table (config.c). Precedence, highest
 * first: command-line flags, RETAIN_* environment variables, a config file
 * (--config PATH or RETAIN_CONFIG: "key = value" lines, # comments), defaults.
 * `retain serve --print-config` shows the result with secrets masked.
 */
#ifndef RETAIN_CONFIG_H
#define RETAIN_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

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
};

/*
 * Fills c from defaults, environment, file and argv (in reverse precedence).
 * Arguments that are not configuration flags are copied, in order, into
 * rest (which must hold argc entries) for the command to parse.
 */
int config_load(struct config *c, int argc, char **argv, char **rest,
		int *nrest, struct err *e);
void config_print(const struct config *c, FILE *out);
/* value as it may be shown (messages, --print-config): a URL's password left
 * out, postgres://user:secret@host/db as postgres://user@host/db. */
void config_redact_url(const char *value, char *out, size_t size);
/* Text for `retain help`: one line per option. */
void config_usage(FILE *out);

#endif
