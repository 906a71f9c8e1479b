/*
 * cli.h: `retain <command>`. Each command gets its own arguments (after the
 * configuration flags were taken out) and the loaded configuration, and
 * returns the process exit code:
 *
 *	0  done
 *	1  it ran and failed, or found a problem (a store error, an unknown shop,
 *	   a ledger mismatch, bad rows in an import)
 *	2  refused before reading or writing anything: an unknown command or
 *	   option, a bad option value, a file named on the command line that does
 *	   not exist (--db for a command that may not create it, an import FILE,
 *	   --config)
 *
 * Each command's help text (usage lines, then one line per option) is a
 * string in its own file, CMD_usage below, shown by `retain help CMD`,
 * `retain CMD --help` and after a usage error; the commands table in main.c
 * points at it.
 */
#ifndef RETAIN_CLI_H
#define RETAIN_CLI_H

#include <stdint.h>

#include "../base/config.h"
#include "../store/store.h"

struct route;
/* `retain serve` mounts the nroutes routes on the HTTP server. main.c passes
 * the API's table (api/routes.h): cli/ includes nothing of api/. */
int cmd_serve(int argc, char **argv, const struct config *cfg, const struct route *routes,
	      int nroutes);
int cmd_shop(int argc, char **argv, const struct config *cfg);
int cmd_migrate(int argc, char **argv, const struct config *cfg);
int cmd_demo(int argc, char **argv, const struct config *cfg);
int cmd_check(int argc, char **argv, const struct config *cfg);
int cmd_jobs(int argc, char **argv, const struct config *cfg);
int cmd_import(int argc, char **argv, const struct config *cfg);
int cmd_report(int argc, char **argv, const struct config *cfg);

extern const char cmd_serve_usage[], cmd_shop_usage[], cmd_migrate_usage[], cmd_demo_usage[],
	cmd_check_usage[], cmd_jobs_usage[], cmd_import_usage[], cmd_report_usage[];

/* A number macro as a string, for help texts that state a limit. */
#define CLI_STR_(x) #x
#define CLI_STR(x) CLI_STR_(x)

/* Prints "retain: <message>" for e on stderr and returns the exit code. */
int cli_fail(const struct err *e);
/* Prints usage (a CMD_usage text) on stderr and returns 2. */
int cli_usage(const char *usage);
/* Prints "retain CMD: <message>" and a pointer to `retain help CMD` on
 * stderr and returns 2: for a bad option or value. */
int cli_bad(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Parses "--name VALUE" / "--name=VALUE" at argv[*i]; 1 when it matched. */
int cli_option(int argc, char **argv, int *i, const char *name, const char **value);

/* The one checked number parser: the whole of s is a decimal integer (or a
 * finite number) from lo to hi. 0 and *out, or -1 (nothing printed). */
int cli_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out);
int cli_parse_number(const char *s, double lo, double hi, double *out);
/* The same for option values: on a bad one prints which option, what value
 * and the range (cli_bad) and returns 2. */
int cli_int_option(const char *cmd, const char *option, const char *value, int64_t lo,
		   int64_t hi, int64_t *out);
int cli_number_option(const char *cmd, const char *option, const char *value, double lo,
		      double hi, double *out);

/* Whether this invocation may create a missing database (main.c sets it from
 * the commands table before running the command). */
void cli_set_db_create(int may_create);
/* Opens cfg->db: creating it only when allowed, else refusing a missing file
 * (ERR_INVALID naming the path: exit 2). */
int cli_store_open(const struct config *cfg, struct store **out, struct err *e);

#endif
