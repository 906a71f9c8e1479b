/*
 * main.c: `retain <command> [options]`. The commands table below is the whole
 * command line; each command lives in src/cli/, with its help text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"
#include "base/config.h"
#include "base/log.h"
#include "base/secure.h"
#include "cli/cli.h"
#include "web/routes.h"

#define RETAIN_VERSION "0.1.0"

static int cmd_version(int argc, char **argv, const struct config *cfg);
static int serve(int argc, char **argv, const struct config *cfg);
static int cmd_help(int argc, char **argv, const struct config *cfg);

static const char version_usage[] = "usage: retain version\n\nPrints the version (also: retain --version).\n";
static const char help_usage[] =
	"usage: retain help [COMMAND]\n"
	"\n"
	"Without COMMAND: every command and setting. With one: its usage and options\n"
	"(also: retain COMMAND --help, or -h).\n";

/* Which invocations may create a missing database: only serve, migrate, demo
 * and shop create; every other command refuses a --db that does not exist. */
enum db_use { DB_NONE, DB_MUST_EXIST, DB_CREATES };

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct config *cfg);
	enum db_use db;
	const char *creates_with;	/* DB_MUST_EXIST, but DB_CREATES with this first argument */
	int settings;			/* its help lists every setting */
	const char *summary;		/* its line in `retain help` */
	const char *usage;		/* `retain help NAME`, from the command's own file */
} commands[] = {
	{ "serve", serve, DB_CREATES, NULL, 1, "serve the HTTP API (--listen, --db, --test-clock)",
	  cmd_serve_usage },
	{ "shop", cmd_shop, DB_MUST_EXIST, "create", 0, "create, list shops or rotate their keys",
	  cmd_shop_usage },
	{ "migrate", cmd_migrate, DB_CREATES, NULL, 0, "create or upgrade the database schema",
	  cmd_migrate_usage },
	{ "demo", cmd_demo, DB_CREATES, NULL, 0, "create a demo shop with generated history",
	  cmd_demo_usage },
	{ "import", cmd_import, DB_MUST_EXIST, NULL, 0,
	  "import order history from a CSV file (progress bar, idempotent)", cmd_import_usage },
	{ "report", cmd_report, DB_MUST_EXIST, NULL, 0,
	  "retention reports: retention, cohorts, rfm, clv (BG/NBD + Gamma-Gamma)", cmd_report_usage },
	{ "backtest", cmd_backtest, DB_MUST_EXIST, NULL, 0,
	  "what a campaign or a draft programme would have cost over the last N days",
	  cmd_backtest_usage },
	{ "check", cmd_check, DB_MUST_EXIST, NULL, 0,
	  "recompute every lot from its entries, hold balances to the limits (exit 1 on a problem)",
	  cmd_check_usage },
	{ "jobs", cmd_jobs, DB_MUST_EXIST, NULL, 0,
	  "run the due jobs once: expiry, reminders, tier downgrades", cmd_jobs_usage },
	{ "version", cmd_version, DB_NONE, NULL, 0, "print the version", version_usage },
	{ "help", cmd_help, DB_NONE, NULL, 0, "this text, or a command's (retain help COMMAND)",
	  help_usage },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	fprintf(stderr, "retain: unknown command \"%s\"; see \"retain help\"\n", name);
	return 2;
}

/* The one place the API meets the server: main.c wires the layers, so
 * `retain serve` (cli/) is handed the route table instead of including api/.
 * Issue 14: the dashboard's routes (web/routes.c) follow the API's. */
static int serve(int argc, char **argv, const struct config *cfg)
{
	int n = api_nroutes + web_nroutes;
	struct route *all = malloc(sizeof(*all) * (size_t)n);
	if (!all)
		return 1;
	memcpy(all, api_routes, sizeof(*all) * (size_t)api_nroutes);
	memcpy(all + api_nroutes, web_routes, sizeof(*all) * (size_t)web_nroutes);
	int rc = cmd_serve(argc, argv, cfg, all, n);
	free(all);
	return rc;
}

static int cmd_version(int argc, char **argv, const struct config *cfg)
{
	(void)argv, (void)cfg;
	if (argc > 0)
		return cli_usage(version_usage);
	printf("retain %s\n", RETAIN_VERSION);
	return 0;
}

/* A command's help: its own text, then where its database comes from. */
static void command_help(const struct command *c, FILE *out)
{
	fputs(c->usage, out);
	if (c->db == DB_NONE)
		return;
	fprintf(out, "\n  --db PATH            the database (RETAIN_DB; default retain.db): %s\n",
		c->db == DB_CREATES ? "created when missing" : "must exist");
	if (c->creates_with)
		fprintf(out, "                       (\"retain %s %s\" creates a missing one)\n", c->name,
			c->creates_with);
	if (c->settings) {
		fprintf(out, "\nsettings (flag, environment, meaning):\n");
		config_usage(out);
	}
	fprintf(out, "  --config PATH        settings from a file (RETAIN_CONFIG); all: retain help\n");
}

static int cmd_help(int argc, char **argv, const struct config *cfg)
{
	(void)cfg;
	if (argc > 1)
		return cli_usage(help_usage);
	if (argc == 1) {
		const struct command *c = find_command(argv[0]);
		if (!c)
			return unknown_command(argv[0]);
		command_help(c, stdout);
		return 0;
	}
	printf("usage: retain <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\n\"retain help COMMAND\" (or \"retain COMMAND --help\") shows a command's options.\n");
	printf("\nsettings, for every command (flag, environment, meaning):\n");
	config_usage(stdout);
	printf("  --config PATH        RETAIN_CONFIG            a file of \"key = value\" lines\n");
	printf("\nexit codes: 0 done; 1 failed, or found a problem (check: a mismatch); 2 refused\n"
	       "before reading or writing anything (an unknown command or option, a bad value,\n"
	       "a missing --db for a command that does not create one).\n");
	return 0;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

/* Whether the command's first argument that is not an option is the one that
 * may create the database ("shop --json create NAME" creates like "shop create"). */
static int creates_with(const struct command *c, int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		if (argv[i][0] != '-')
			return !strcmp(argv[i], c->creates_with);
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct err e = { 0 };
	const struct command *c;
	char **rest;
	int nrest;

	if (argc < 2) {
		cmd_help(0, NULL, NULL);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 2, argv + 2, NULL);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 2, argv + 2, NULL);
	if (!(c = find_command(argv[1])))
		return unknown_command(argv[1]);
	/* Help needs no configuration: it works even when RETAIN_* is bad. */
	if (wants_help(argc - 2, argv + 2)) {
		command_help(c, stdout);
		return 0;
	}
	if (c->run == cmd_help)
		return cmd_help(argc - 2, argv + 2, NULL);
	if (secure_init() < 0) {
		fputs("retain: libsodium failed to initialise\n", stderr);
		return 1;
	}
	if (!(rest = calloc((size_t)argc, sizeof(char *))))
		return 1;
	if (config_load(&cfg, argc - 2, argv + 2, rest, &nrest, &e)) {
		free(rest);
		return cli_fail(&e);
	}
	if (!strcmp(cfg.log_level, "debug"))
		log_set_level(LOG_DEBUG);
	else if (!strcmp(cfg.log_level, "warn"))
		log_set_level(LOG_WARN);
	else if (!strcmp(cfg.log_level, "error"))
		log_set_level(LOG_ERROR);
	cli_set_db_create(c->db == DB_CREATES || (c->creates_with && creates_with(c, nrest, rest)));
	int rc = c->run(nrest, rest, &cfg);
	free(rest);
	return rc;
}
