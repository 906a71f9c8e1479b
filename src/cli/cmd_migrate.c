/* cmd_migrate.c: `retain migrate`: bring the database's schema up to date. */
#include <stdio.h>

#include "../store/migrate.h"
#include "../store/store.h"
#include "cli.h"

int cmd_migrate(int argc, char **argv, const struct config *cfg)
{
	struct store *st;
	struct err e = { 0 };
	(void)argv;
	if (argc > 0) {
		fprintf(stderr, "usage: retain migrate [--db PATH]\n");
		return 2;
	}
	if (store_open(cfg->db, &st, &e))
		return cli_fail(&e);
	store_close(st);
	printf("%s: schema at version %d (%s)\n", cfg->db,
	       migrations[migrations_count - 1].version, migrations[migrations_count - 1].name);
	return 0;
}
