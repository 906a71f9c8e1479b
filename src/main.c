/*
 * main.c: `retain <command> [options]`. The commands table below is the whole
 * command line; each command lives in src/cli/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/log.h"
#include "base/secure.h"
#include "cli/cli.h"

#define RETAIN_VERSION "0.1.0"

static int cmd_version(int argc, char **argv, const struct config *cfg);
static int cmd_help(int argc, char **argv, const struct config *cfg);

static const struct command {
	const char *name;
	int (*run)(int argc, char **argv, const struct config *cfg);
	const char *summary;
} commands[] = {
	{ "serve", cmd_serve, "serve the HTTP API (--listen, --db, --test-clock)" },
	{ "shop", cmd_shop, "create, list shops or rotate their keys" },
	{ "migrate", cmd_migrate, "create or upgrade the database schema" },
	{ "demo", cmd_demo, "create a demo shop with generated history" },
	{ "import", cmd_import, "import order history from a CSV file (progress bar, idempotent)" },
	{ "report", cmd_report, "retention reports: clv (BG/NBD + Gamma-Gamma)" },
	{ "check", cmd_check, "recompute every points lot from its entries (exit 1 on a mismatch)" },
	{ "jobs", cmd_jobs, "run the due jobs once: expiry, reminders, tier downgrades" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "this text" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static int cmd_version(int argc, char **argv, const struct config *cfg)
{
	(void)argc, (void)argv, (void)cfg;
	printf("retain %s\n", RETAIN_VERSION);
	return 0;
}

static int cmd_help(int argc, char **argv, const struct config *cfg)
{
	(void)argc, (void)argv, (void)cfg;
	printf("usage: retain <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		printf("  %-10s %s\n", commands[i].name, commands[i].summary);
	printf("\noptions (flag, environment, meaning):\n");
	config_usage(stdout);
	printf("  --config PATH        RETAIN_CONFIG            a file of \"key = value\" lines\n");
	return 0;
}

int main(int argc, char **argv)
{
	struct config cfg;
	struct err e = { 0 };
	char **rest;
	int nrest;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(0, NULL, NULL) == 0 && argc >= 2 ? 0 : 2;
	if (!strcmp(argv[1], "--version"))
		return cmd_version(0, NULL, NULL);
	if (secure_init() < 0) {
		fputs("retain: libsodium failed to initialise\n", stderr);
		return 1;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		rest = calloc((size_t)argc, sizeof(char *));
		if (!rest)
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
		int rc = commands[i].run(nrest, rest, &cfg);
		free(rest);
		return rc;
	}
	fprintf(stderr, "retain: unknown command \"%s\"; see \"retain help\"\n", argv[1]);
	return 2;
}
