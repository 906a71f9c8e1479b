/* config.c: the settings table and its loaders; see config.h. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

enum option_type { OPT_STRING, OPT_INT, OPT_FLAG };

/*
 * Every option has its accepted values: OPT_INT and OPT_FLAG a range (a flag
 * is 0 or 1), OPT_STRING a length range and, where the text has a form, a
 * check and the words that describe it. A value outside is refused wherever
 * it comes from (flag, environment, file), naming the option, its source and
 * the value.
 */
struct option {
	const char *name;	/* flag "--name", file key "name" */
	const char *env;
	enum option_type type;
	size_t offset, size;
	const char *def;
	int secret;		/* never printed, not even in an error */
	const char *help;
	int64_t min, max;	/* OPT_INT, OPT_FLAG: the value; OPT_STRING: min 1, not empty */
	int (*valid)(const char *value);	/* OPT_STRING: its form, or NULL */
	const char *form;	/* what valid() accepts, for the message */
};

static const char *const log_levels[] = { "debug", "info", "warn", "error", NULL };

static int valid_log_level(const char *v)
{
	for (int i = 0; log_levels[i]; i++)
		if (!strcmp(v, log_levels[i]))
			return 1;
	return 0;
}

static int valid_listen(const char *v)
{
	uint32_t addr;
	uint16_t port;
	return config_listen_parse(v, &addr, &port) == 0;
}

/* Empty: generate one into DB.operator-key (cli/cmd_serve.c). */
static int valid_operator_key(const char *v)
{
	return !*v || (!strncmp(v, "op_", 3) && strlen(v) >= 24);
}

/* Empty: no e-mail (core/email.h). */
static int valid_smtp_url(const char *v)
{
	return !*v || smtp_url_valid(v);
}

#define S(field) offsetof(struct config, field), sizeof(((struct config *)0)->field)
#define INT(lo, hi) lo, hi, NULL, NULL
#define FLAG 0, 1, NULL, NULL
#define TEXT(nonempty, valid, form) nonempty, 0, valid, form

static const struct option options[] = {
	{ "db", "RETAIN_DB", OPT_STRING, S(db), "retain.db", 0,
	  "SQLite database file", TEXT(1, NULL, NULL) },
	{ "listen", "RETAIN_LISTEN", OPT_STRING, S(listen), "127.0.0.1:8080", 0,
	  "address:port to serve HTTP on", TEXT(1, valid_listen,
	  "an IPv4 address (or \"localhost\") and a port from 0 to 65535, as \"127.0.0.1:8080\"") },
	{ "threads", "RETAIN_THREADS", OPT_INT, S(threads), "0", 0,
	  "HTTP worker threads (0 = 2 per core)", INT(0, CONFIG_THREADS_MAX) },
	{ "body-limit", "RETAIN_BODY_LIMIT", OPT_INT, S(body_limit), "1048576", 0,
	  "largest request body in bytes (413 above)", INT(1024, CONFIG_BODY_LIMIT_MAX) },
	{ "key-grace-hours", "RETAIN_KEY_GRACE_HOURS", OPT_INT, S(key_grace_hours), "24", 0,
	  "hours a rotated key keeps working", INT(0, CONFIG_KEY_GRACE_HOURS_MAX) },
	{ "test-clock", "RETAIN_TEST_CLOCK", OPT_FLAG, S(test_clock), "0", 0,
	  "let the operator set the clock (POST /v1/test/clock); tests only", FLAG },
	{ "access-log", "RETAIN_ACCESS_LOG", OPT_INT, S(access_log), "1", 0,
	  "1 to log every request as a JSON line, 0 not to", INT(0, 1) },
	{ "drain-seconds", "RETAIN_DRAIN_SECONDS", OPT_INT, S(drain_seconds), "10", 0,
	  "on SIGTERM, wait this long for requests in flight", INT(0, 3600) },
	{ "jobs-interval", "RETAIN_JOBS_INTERVAL", OPT_INT, S(jobs_interval), "60", 0,
	  "seconds between runs of the jobs (expiry, reminders, tiers); 0 = never", INT(0, 86400) },
	{ "idempotency-retention-hours", "RETAIN_IDEMPOTENCY_RETENTION_HOURS", OPT_INT,
	  S(idempotency_retention_hours), "24", 0,
	  "hours an Idempotency-Key is remembered", INT(1, 24 * 365) },
	{ "operator-key", "RETAIN_OPERATOR_KEY", OPT_STRING, S(operator_key), "", 1,
	  "deployment operator key (default: generated into DB.operator-key)",
	  TEXT(0, valid_operator_key, "\"op_\" and at least 21 more characters") },
	{ "log-level", "RETAIN_LOG_LEVEL", OPT_STRING, S(log_level), "info", 0,
	  "debug, info, warn or error", TEXT(1, valid_log_level, "debug, info, warn or error") },
	{ "print-config", NULL, OPT_FLAG, S(print_config), "0", 0,
	  "print the effective configuration and exit", FLAG },
	/* Issue 13: webhooks. */
	{ "webhooks-allow-private", "RETAIN_WEBHOOKS_ALLOW_PRIVATE", OPT_FLAG,
	  S(webhooks_allow_private), "0", 0,
	  "let webhooks reach loopback and private addresses (and plain http)", FLAG },
	{ "webhooks-interval", "RETAIN_WEBHOOKS_INTERVAL", OPT_INT, S(webhooks_interval), "5", 0,
	  "seconds between webhook delivery runs of the jobs thread (0 = with the jobs only)",
	  INT(0, 86400) },
	/* Issue 13: e-mail over SMTP (core/email.h, docs/email.md). */
	{ "smtp-url", "RETAIN_SMTP_URL", OPT_STRING, S(smtp_url), "", 0,
	  "SMTP server for e-mail to customers, smtp://host:port or smtps://host:port;"
	  " empty: no e-mail is sent", TEXT(0, valid_smtp_url,
	  "empty or an smtp:// or smtps:// URL with a host, as \"smtp://mail.example.com:587\"") },
	{ "smtp-user", "RETAIN_SMTP_USER", OPT_STRING, S(smtp_user), "", 0,
	  "SMTP user name (empty: no login)", TEXT(0, NULL, NULL) },
	{ "smtp-password", "RETAIN_SMTP_PASSWORD", OPT_STRING, S(smtp_password), "", 1,
	  "SMTP password (never printed or logged)", TEXT(0, NULL, NULL) },
	{ "smtp-timeout-seconds", "RETAIN_SMTP_TIMEOUT_SECONDS", OPT_INT, S(smtp_timeout_seconds), "30", 0,
	  "seconds one SMTP delivery may take", INT(1, 600) },
	/* Issue 14: the dashboard's cached reports (analytics/report_cache.h). */
	{ "report-cache-minutes", "RETAIN_REPORT_CACHE_MINUTES", OPT_INT, S(report_cache_minutes), "10", 0,
	  "minutes a cached dashboard report is shown before a page recomputes it (the jobs"
	  " thread recomputes it at half)", INT(1, 1440) },
};

#define NOPTIONS (sizeof(options) / sizeof(options[0]))

int config_listen_parse(const char *listen, uint32_t *addr, uint16_t *port)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	struct in_addr in;

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (!strcmp(host, "localhost") || !*host)
		strcpy(host, "127.0.0.1");
	const char *p = colon + 1;
	long n = 0;
	if (!*p || strlen(p) > 5)
		return -1;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (n > 65535 || inet_pton(AF_INET, host, &in) != 1)
		return -1;
	*addr = in.s_addr;
	*port = (uint16_t)n;
	return 0;
}

static const struct option *find_option(const char *name, size_t n)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strlen(options[i].name) == n && strncmp(options[i].name, name, n) == 0)
			return &options[i];
	return NULL;
}

/* origin says where value came from: "--name", "RETAIN_NAME" or "FILE:LINE". */
static int set_string(char *field, const struct option *o, const char *value,
		      const char *origin, struct err *e)
{
	size_t n = strlen(value);

	if (o->min && n == 0)
		return err_set(e, ERR_INVALID, o->name, "%s: \"%s\" must not be empty",
			       origin, o->name);
	if (n >= o->size)
		return err_set(e, ERR_INVALID, o->name,
			       "%s: \"%s\" must be at most %zu bytes long, not %zu", origin,
			       o->name, o->size - 1, n);
	if (o->valid && !o->valid(value) && o->secret)
		return err_set(e, ERR_INVALID, o->name, "%s: \"%s\" must be %s (the value is"
			       " not shown: it is a secret)", origin, o->name, o->form);
	if (o->valid && !o->valid(value))
		return err_set(e, ERR_INVALID, o->name, "%s: \"%s\" must be %s, not \"%.200s\"",
			       origin, o->name, o->form, value);
	strcpy(field, value);
	return 0;
}

static int set_option(struct config *c, const struct option *o, const char *value,
		      const char *origin, struct err *e)
{
	char *field = (char *)c + o->offset;

	if (o->type == OPT_STRING)
		return set_string(field, o, value, origin, e);
	char *end;
	errno = 0;
	/* Whole and plain: no leading space or "+" (strtoll would take them). */
	long long v = strtoll(value, &end, 10);
	if (!isdigit((unsigned char)value[0]) && !(value[0] == '-' && isdigit((unsigned char)value[1])))
		end = (char *)value;
	if (o->type == OPT_FLAG && (!strcmp(value, "true") || !strcmp(value, "yes")))
		v = 1, end = (char *)value + strlen(value);
	else if (o->type == OPT_FLAG && (!strcmp(value, "false") || !strcmp(value, "no")))
		v = 0, end = (char *)value + strlen(value);
	if (o->type == OPT_FLAG && (errno || end == value || *end || v < 0 || v > 1))
		return err_set(e, ERR_INVALID, o->name,
			       "%s: \"%s\" must be 1, 0, true, false, yes or no, not \"%.200s\"",
			       origin, o->name, value);
	if (errno || end == value || *end || v < o->min || v > o->max)
		return err_set(e, ERR_INVALID, o->name,
			       "%s: \"%s\" must be an integer from %lld to %lld, not \"%.200s\"",
			       origin, o->name, (long long)o->min, (long long)o->max, value);
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
	for (size_t i = 0; i < NOPTIONS; i++) {
		const struct option *o = &options[i];
		fprintf(out, "  --%-18s %-24s %s (", o->name, o->env ? o->env : "", o->help);
		if (o->type == OPT_INT)
			fprintf(out, "%lld to %lld, ", (long long)o->min, (long long)o->max);
		fprintf(out, "default \"%s\")\n", o->def);
	}
}
