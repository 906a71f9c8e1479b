/* config.c: the settings table and its loaders; see config.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum option_type { OPT_STRING, OPT_INT, OPT_FLAG };

struct option {
	const char *name;	/* flag "--name", file key "name" */
	const char *env;
	enum option_type type;
	size_t offset, size;
	const char *def;
	int secret;
	const char *help;
	int64_t min, max;	/* OPT_INT bounds; max 0: no upper bound */
};

#define NO_BOUNDS 0, 0
#define S(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)

static const struct option options[] = {
	{ "db", "RETAIN_DB", OPT_STRING, S(db), "retain.db", 0,
	  "SQLite database file", NO_BOUNDS },
	{ "listen", "RETAIN_LISTEN", OPT_STRING, S(listen), "127.0.0.1:8080", 0,
	  "address:port to serve HTTP on", NO_BOUNDS },
	{ "threads", "RETAIN_THREADS", OPT_INT, S(threads), "0", 0,
	  "HTTP worker threads (0 = 2 per core)", NO_BOUNDS },
	{ "body-limit", "RETAIN_BODY_LIMIT", OPT_INT, S(body_limit), "1048576", 0,
	  "largest request body in bytes (413 above)", NO_BOUNDS },
	{ "key-grace-hours", "RETAIN_KEY_GRACE_HOURS", OPT_INT, S(key_grace_hours), "24", 0,
	  "hours a rotated key keeps working", NO_BOUNDS },
	{ "test-clock", "RETAIN_TEST_CLOCK", OPT_FLAG, S(test_clock), "0", 0,
	  "let the operator set the clock (POST /v1/test/clock); tests only", NO_BOUNDS },
	{ "access-log", "RETAIN_ACCESS_LOG", OPT_INT, S(access_log), "1", 0,
	  "1 to log every request as a JSON line, 0 not to", NO_BOUNDS },
	{ "drain-seconds", "RETAIN_DRAIN_SECONDS", OPT_INT, S(drain_seconds), "10", 0,
	  "on SIGTERM, wait this long for requests in flight", NO_BOUNDS },
	{ "jobs-interval", "RETAIN_JOBS_INTERVAL", OPT_INT, S(jobs_interval), "60", 0,
	  "seconds between runs of the jobs (expiry, reminders, tiers); 0 = never", NO_BOUNDS },
	{ "idempotency-retention-hours", "RETAIN_IDEMPOTENCY_RETENTION_HOURS", OPT_INT,
	  S(idempotency_retention_hours), "24", 0,
	  "hours an Idempotency-Key is remembered (1 to 8760)", 1, 24 * 365 },
	{ "operator-key", "RETAIN_OPERATOR_KEY", OPT_STRING, S(operator_key), "", 1,
	  "deployment operator key (default: generated into DB.operator-key)", NO_BOUNDS },
	{ "log-level", "RETAIN_LOG_LEVEL", OPT_STRING, S(log_level), "info", 0,
	  "debug, info, warn or error", NO_BOUNDS },
	{ "print-config", NULL, OPT_FLAG, S(print_config), "0", 0,
	  "print the effective configuration and exit", NO_BOUNDS },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static const struct option *find_option(const char *name, size_t n)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strlen(options[i].name) == n && strncmp(options[i].name, name, n) == 0)
			return &options[i];
	return NULL;
}

static int set_option(struct config *c, const struct option *o, const char *value,
		      const char *origin, struct err *e)
{
	char *field = (char *)c + o->offset;

	if (o->type == OPT_STRING) {
		if (strlen(value) >= o->size)
			return err_set(e, ERR_INVALID, o->name, "%s: \"%s\" is too long",
				       origin, o->name);
		strcpy(field, value);
		return 0;
	}
	char *end;
	errno = 0;
	long long v = strtoll(value, &end, 10);
	if (o->type == OPT_FLAG && (!strcmp(value, "true") || !strcmp(value, "yes")))
		v = 1, end = (char *)value + strlen(value);
	else if (o->type == OPT_FLAG && (!strcmp(value, "false") || !strcmp(value, "no")))
		v = 0, end = (char *)value + strlen(value);
	if (errno || end == value || *end || v < 0)
		return err_set(e, ERR_INVALID, o->name,
			       "%s: \"%s\" must be a non-negative integer, not \"%s\"",
			       origin, o->name, value);
	if (o->max && (v < o->min || v > o->max))
		return err_set(e, ERR_INVALID, o->name,
			       "%s: \"%s\" must be from %lld to %lld, not \"%s\"", origin,
			       o->name, (long long)o->min, (long long)o->max, value);
	memcpy(field, &(int64_t){ v }, sizeof(int64_t));
	return 0;
}

static int load_file(struct config *c, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	char line[1200];
	int lineno = 0, rc = 0;

	if (!f)
		return err_set(e, ERR_INVALID, "config", "cannot open config file \"%s\": %s",
			       path, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *eq, *k_end, *v;
		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '#' || *p == '\0')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			rc = err_set(e, ERR_INVALID, "config", "%s:%d: expected \"key = value\"",
				     path, lineno);
			break;
		}
		for (k_end = eq; k_end > p && isspace((unsigned char)k_end[-1]); k_end--)
			;
		v = eq + 1;
		while (isspace((unsigned char)*v))
			v++;
		v[strcspn(v, "\r\n")] = '\0';
		for (size_t n = strlen(v); n && isspace((unsigned char)v[n - 1]); n--)
			v[n - 1] = '\0';
		const struct option *o = find_option(p, (size_t)(k_end - p));
		if (!o) {
			rc = err_set(e, ERR_INVALID, "config", "%s:%d: unknown setting \"%.*s\"",
				     path, lineno, (int)(k_end - p), p);
			break;
		}
		char origin[1100];
		snprintf(origin, sizeof(origin), "%s:%d", path, lineno);
		if ((rc = set_option(c, o, v, origin, e)))
			break;
	}
	fclose(f);
	return rc;
}

int config_load(struct config *c, int argc, char **argv, char **rest,
		int *nrest, struct err *e)
{
	const char *file = getenv("RETAIN_CONFIG");
	int rc;

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NOPTIONS; i++)
		set_option(c, &options[i], options[i].def, "default", NULL);
	/* The config file may be named on the command line: find it first. */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--config") && i + 1 < argc)
			file = argv[i + 1];
		else if (!strncmp(argv[i], "--config=", 9))
			file = argv[i] + 9;
	}
	if (file && *file && (rc = load_file(c, file, e)))
		return rc;
	for (size_t i = 0; i < NOPTIONS; i++) {
		const char *v = options[i].env ? getenv(options[i].env) : NULL;
		if (v && (rc = set_option(c, &options[i], v, options[i].env, e)))
			return rc;
	}
	*nrest = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) != 0) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		const char *name = a + 2, *eq = strchr(name, '=');
		size_t n = eq ? (size_t)(eq - name) : strlen(name);
		if (n == 6 && !strncmp(name, "config", 6)) {
			i += !eq;
			continue;
		}
		const struct option *o = find_option(name, n);
		if (!o) {
			rest[(*nrest)++] = argv[i];
			continue;
		}
		const char *value = eq ? eq + 1 : NULL;
		if (!value && o->type == OPT_FLAG)
			value = "1";
		if (!value) {
			if (i + 1 >= argc)
				return err_set(e, ERR_INVALID, o->name,
					       "option \"--%s\" needs a value", o->name);
			value = argv[++i];
		}
		char origin[80];
		snprintf(origin, sizeof(origin), "--%s", o->name);
		if ((rc = set_option(c, o, value, origin, e)))
			return rc;
	}
	return 0;
}

void config_redact_url(const char *value, char *out, size_t size)
{
	snprintf(out, size, "%s", value);
	char *auth = strstr(out, "://");
	if (!auth)
		return;
	auth += 3;
	char *at = strchr(auth, '@'), *slash = strchr(auth, '/');
	char *colon = strchr(auth, ':');
	if (at && (!slash || at < slash) && colon && colon < at)
		memmove(colon, at, strlen(at) + 1);
}

void config_print(const struct config *c, FILE *out)
{
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];
		const char *field = (const char *)c + o->offset;
		if (!strcmp(o->name, "print-config"))
			continue;
		if (o->type == OPT_STRING) {
			char shown[1024];
			config_redact_url(field, shown, sizeof(shown));
			fprintf(out, "%s = %s\n", o->name,
				o->secret && *field ? "(set, hidden)" : shown);
		} else {
			fprintf(out, "%s = %lld\n", o->name,
				(long long)*(const int64_t *)(const void *)field);
		}
	}
}

void config_usage(FILE *out)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		fprintf(out, "  --%-18s %-24s %s (default \"%s\")\n", options[i].name,
			options[i].env ? options[i].env : "", options[i].help,
			options[i].def);
}
