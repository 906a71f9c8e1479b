/* cli.c: helpers shared by the commands; see cli.h. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int db_may_create;

int cli_fail(const struct err *e)
{
	fprintf(stderr, "retain: %s\n", e->message[0] ? e->message : "failed");
	return e->kind == ERR_INVALID ? 2 : 1;
}

int cli_usage(const char *usage)
{
	fputs(usage, stderr);
	return 2;
}

int cli_bad(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "retain %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n(see \"retain help %s\")\n", cmd);
	return 2;
}

int cli_option(int argc, char **argv, int *i, const char *name, const char **value)
{
	size_t n = strlen(name);
	const char *a = argv[*i];
	if (strncmp(a, name, n) != 0)
		return 0;
	if (a[n] == '=') {
		*value = a + n + 1;
		return 1;
	}
	if (a[n] != '\0')
		return 0;
	if (*i + 1 >= argc) {
		*value = NULL;
		return 1;
	}
	*value = argv[++*i];
	return 1;
}

int cli_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	/* strtoll skips leading blanks and would read " 5"; a value is digits */
	if (!s || !(*s == '-' || *s == '+' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	if (!s || !(*s == '-' || *s == '+' || *s == '.' || (*s >= '0' && *s <= '9')))
		return -1;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int cli_int_option(const char *cmd, const char *option, const char *value, int64_t lo,
		   int64_t hi, int64_t *out)
{
	if (!value)
		return cli_bad(cmd, "%s needs a value", option);
	if (cli_parse_int(value, lo, hi, out))
		return cli_bad(cmd, "%s \"%s\" must be an integer from %lld to %lld", option, value,
			       (long long)lo, (long long)hi);
	return 0;
}

int cli_number_option(const char *cmd, const char *option, const char *value, double lo,
		      double hi, double *out)
{
	if (!value)
		return cli_bad(cmd, "%s needs a value", option);
	if (cli_parse_number(value, lo, hi, out))
		return cli_bad(cmd, "%s \"%s\" must be a number from %g to %g", option, value, lo, hi);
	return 0;
}

void cli_set_db_create(int may_create)
{
	db_may_create = may_create;
}

/* PostgreSQL's pool: a connection for each HTTP thread (as server.c counts
 * them) and one for the jobs thread. */
static int pool_size(const struct config *cfg)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	long threads = cfg->threads > 0 ? (long)cfg->threads : ncpu > 0 ? ncpu * 2 : 4;
	return (int)(threads < 2 ? 2 : threads > 1000 ? 1000 : threads) + 1;
}

int cli_store_open(const struct config *cfg, struct store **out, struct err *e)
{
	struct store_options o = { .must_exist = !db_may_create, .connections = pool_size(cfg) };
	int rc = store_open_with(cfg->db, &o, out, e);
	if (rc == ERR_NOT_FOUND && !strcmp(e->code, "db_missing"))
		return err_setc(e, ERR_INVALID, "db_missing", "db",
				"no database at \"%s\" (check --db or RETAIN_DB; \"retain migrate\""
				" creates one)", cfg->db);
	if (rc == ERR_NOT_FOUND)
		e->kind = rc = ERR_INVALID;	/* refused before anything ran: exit 2 */
	return rc;
}
