/*
 * engine.h: what a store engine (sqlite.c, pg.c) gives store.c, which picks
 * one by the database's name and forwards store.h's calls to it. Private to
 * src/store/.
 *
 * One engine per process: the first store_open() chooses it, and opening a
 * database of the other engine in the same process is refused. Each engine
 * defines struct store, store_tx and store_stmt for itself; store.c never
 * looks inside them.
 */
#ifndef RETAIN_STORE_ENGINE_H
#define RETAIN_STORE_ENGINE_H

#include <stdarg.h>

#include "store.h"

struct store_engine {
	const char *name;
	int (*open)(const char *where, const struct store_options *o, struct store **out,
		    struct err *e);
	void (*close)(struct store *st);
	int (*write)(struct store *st, store_fn fn, void *ctx, struct err *e);
	int (*read)(struct store *st, store_fn fn, void *ctx, struct err *e);
	/* store_peek(); NULL: the same as read. */
	int (*peek)(struct store *st, store_fn fn, void *ctx, struct err *e);
	int (*scrub)(struct store *st, struct err *e);
	int (*ping)(struct store *st, struct err *e);
	struct store_stmt *(*query)(struct store_tx *tx, struct err *e, const char *sql,
				    const char *types, va_list ap);
	int (*step)(struct store_stmt *s, struct err *e);
	int64_t (*int_at)(struct store_stmt *s, int col);
	const char *(*text_at)(struct store_stmt *s, int col);
	int (*is_null)(struct store_stmt *s, int col);
	void (*done)(struct store_stmt *s);
	/* Rows the last completed statement of tx changed. */
	int (*changes)(struct store_tx *tx);
	int (*was_unique_violation)(struct store_tx *tx);
	/* 1 for a store_read()/store_peek() transaction. */
	int (*read_only)(struct store_tx *tx);
	/* store_try_lock(): 1 taken, 0 held by another transaction, or an error. */
	int (*try_lock)(struct store_tx *tx, int64_t key, struct err *e);
};

extern const struct store_engine sqlite_engine;
extern const struct store_engine pg_engine;

/* The message for a database whose schema is newer than this binary. */
int store_schema_too_new(struct err *e, int found, int known);
/* rc, after naming migration m in e's message when the store failed (ERR_INTERNAL). */
struct migration;
int store_migration_failed(struct err *e, int rc, const struct migration *m);
/* For a database used as it is (must_exist: never migrated): 0 when its schema
 * is at version known, else ERR_NOT_FOUND with code "db_not_retain" (no
 * schema: version <= 0), "db_outdated" or "db_too_new", naming shown. */
int store_schema_check(struct err *e, const char *shown, int version, int known);

#endif
