/*
 * cli.h: `retain <command>`. Each command gets its own arguments (after the
 * configuration flags were taken out) and the loaded configuration, and
 * returns the process exit code: 0 ok, 1 failure, 2 usage error.
 */
#ifndef RETAIN_CLI_H
#define RETAIN_CLI_H

#include "../base/config.h"

int cmd_serve(int argc, char **argv, const struct config *cfg);
int cmd_shop(int argc, char **argv, const struct config *cfg);
int cmd_migrate(int argc, char **argv, const struct config *cfg);
int cmd_demo(int argc, char **argv, const struct config *cfg);
int cmd_check(int argc, char **argv, const struct config *cfg);
int cmd_jobs(int argc, char **argv, const struct config *cfg);
int cmd_import(int argc, char **argv, const struct config *cfg);
int cmd_report(int argc, char **argv, const struct config *cfg);

/* Prints "retain: <message>" for e on stderr and returns the exit code. */
int cli_fail(const struct err *e);
/* Parses "--name VALUE" / "--name=VALUE" at argv[*i]; 1 when it matched. */
int cli_option(int argc, char **argv, int *i, const char *name, const char **value);

#endif
