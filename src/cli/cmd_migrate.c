/* cmd_migrate.c: `retain migrate`: bring the database's schema up to date. */
#include <stdio.h>

#include "../base/config.h"
#include "../store/migrate.h"
#include "../store/store.h"
#include "cli.h"

const char cmd_migrate_usage[] =
	"usage: retain migrate [--db PATH]\n"
	"\n"
	"Creates the database if it is missing and brings its schema up to date\n"
	"(every command does the latter on its own; this one only migrates).\n";

int cmd_migrate(int argc, char **argv, const struct config *cfg)
{
	struct store *st;
	struct err e = { 0 };
	if (argc > 0) {
		fprintf(stderr, "retain migrate: unknown argument \"%s\"\n", argv[0]);
		return cli_usage(cmd_migrate_usage);
	}
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	store_close(st);
	char shown[1024];
	config_redact_url(cfg->db, shown, sizeof(shown));
	printf("%s: schema at version %d (%s)\n", shown,
	       migrations[migrations_count - 1].version, migrations[migrations_count - 1].name);
	return 0;
}
