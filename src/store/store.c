/*
 * store.c: store.h's entry points, forwarded to the engine the database's
 * name selects (engine.h): a postgres:// or postgresql:// URL is PostgreSQL
 * (pg.c), anything else a SQLite file (sqlite.c). The helpers built on
 * statements (store_exec, store_query_int, store_query_pairs) live here once
 * for both engines.
 */
#include "engine.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "../base/arena.h"
#include "migrate.h"

static const struct store_engine *engine;	/* chosen by the first open */

/* Statements left before the armed fault (store_fault_arm); 0: none armed.
 * Read once per statement, relaxed: the fast path is a load of 0. */
static _Atomic int64_t fault_left;
static atomic_int test_faults_allowed;

void store_allow_test_faults(void)
{
	atomic_store(&test_faults_allowed, 1);
}

int store_test_faults_allowed(void)
{
	return atomic_load(&test_faults_allowed);
}

void store_fault_arm(int64_t nth)
{
	atomic_store(&fault_left, nth > 0 ? nth : 0);
}

int64_t store_fault_left(void)
{
	return atomic_load(&fault_left);
}

/* 1 when this statement is the one the armed fault names: e then says so,
 * as the engine says a failed disk write or a lost connection. */
static int fault_fires(struct err *e, const char *what)
{
	int64_t left = atomic_load_explicit(&fault_left, memory_order_relaxed);
	while (left > 0 && !atomic_compare_exchange_weak(&fault_left, &left, left - 1))
		;
	if (left != 1)
		return 0;
	err_setc(e, ERR_INTERNAL, "store_error", NULL, "%s: an injected fault (test mode)", what);
	return 1;
}

static struct store_stmt *query(struct store_tx *tx, struct err *e, const char *sql,
				const char *types, va_list ap)
{
	if (fault_fires(e, "prepare"))
		return NULL;
	return engine->query(tx, e, sql, types, ap);
}

int store_is_postgres(const char *where)
{
	return strncmp(where, "postgres://", 11) == 0 || strncmp(where, "postgresql://", 13) == 0;
}

int store_schema_too_new(struct err *e, int found, int known)
{
	return err_setc(e, ERR_REFUSED, "schema_too_new", "db",
			"the database's schema is at version %d, newer than this retain"
			" knows (%d): run a newer retain", found, known);
}

int store_migration_failed(struct err *e, int rc, const struct migration *m)
{
	if (e && rc == ERR_INTERNAL) {
		char msg[sizeof(e->message)];
		snprintf(msg, sizeof(msg), "%s", e->message);
		snprintf(e->message, sizeof(e->message), "migration %03d %.40s: %.260s",
			 m->version, m->name, msg);
	}
	return rc;
}

int store_schema_check(struct err *e, const char *shown, int version, int known)
{
	if (version <= 0)
		return err_setc(e, ERR_NOT_FOUND, "db_not_retain", "db",
				"\"%s\" holds no retain schema (\"retain migrate\" makes one)", shown);
	if (version < known)
		return err_setc(e, ERR_NOT_FOUND, "db_outdated", "db",
				"the database \"%s\" is at schema version %d and this retain needs"
				" %d: run \"retain migrate\" first", shown, version, known);
	if (version > known)
		return err_setc(e, ERR_NOT_FOUND, "db_too_new", "db",
				"the database \"%s\" is at schema version %d, newer than this retain"
				" (%d): use a newer retain", shown, version, known);
	return 0;
}

int store_open_with(const char *where, const struct store_options *o, struct store **out,
		    struct err *e)
{
	const struct store_engine *want = store_is_postgres(where) ? &pg_engine : &sqlite_engine;
	if (engine && engine != want)
		return err_setc(e, ERR_INVALID, "store_engine", "db",
				"this process already uses %s; it cannot also open a %s database",
				engine->name, want->name);
	engine = want;
	return engine->open(where, o, out, e);
}

int store_open(const char *where, struct store **out, struct err *e)
{
	return store_open_with(where, &(struct store_options){ 0 }, out, e);
}

int store_open_existing(const char *where, struct store **out, struct err *e)
{
	return store_open_with(where, &(struct store_options){ .must_exist = 1 }, out, e);
}

void store_close(struct store *st)
{
	if (st)
		engine->close(st);
}

int store_write(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return engine->write(st, fn, ctx, e);
}

int store_read(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return engine->read(st, fn, ctx, e);
}

int store_peek(struct store *st, store_fn fn, void *ctx, struct err *e)
{
	return (engine->peek ? engine->peek : engine->read)(st, fn, ctx, e);
}

int store_scrub(struct store *st, struct err *e)
{
	return engine->scrub(st, e);
}

int store_ping(struct store *st, struct err *e)
{
	return engine->ping(st, e);
}

struct store_stmt *store_query(struct store_tx *tx, struct err *e, const char *sql,
			       const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *s = query(tx, e, sql, types, ap);
	va_end(ap);
	return s;
}

int store_step(struct store_stmt *s, struct err *e)
{
	if (fault_fires(e, "step"))
		return ERR_INTERNAL;
	return engine->step(s, e);
}

int64_t store_int(struct store_stmt *s, int col)
{
	return engine->int_at(s, col);
}

const char *store_text(struct store_stmt *s, int col)
{
	return engine->text_at(s, col);
}

int store_is_null(struct store_stmt *s, int col)
{
	return engine->is_null(s, col);
}

void store_done(struct store_stmt *s)
{
	if (s)
		engine->done(s);
}

int store_tx_was_unique_violation(struct store_tx *tx)
{
	return engine->was_unique_violation(tx);
}

int store_tx_read_only(struct store_tx *tx)
{
	return engine->read_only(tx);
}

int store_try_lock(struct store_tx *tx, int64_t key, struct err *e)
{
	return engine->try_lock(tx, key, e);
}

int store_query_int(struct store_tx *tx, struct err *e, int64_t *out, const char *sql,
		    const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *s = query(tx, e, sql, types, ap);
	va_end(ap);
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	int rc = store_step(s, e);
	*out = rc == 1 ? store_int(s, 0) : 0;
	store_done(s);
	return rc < 0 ? rc : 0;
}

int store_query_pairs(struct store_tx *tx, struct err *e, struct arena *a, char (**ids)[32],
		      int64_t **values, int *n, const char *sql, const char *types, ...)
{
	va_list ap;
	int cap = 64, rc;
	va_start(ap, types);
	struct store_stmt *s = query(tx, e, sql, types, ap);
	va_end(ap);
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	*n = 0;
	*ids = arena_alloc(a, (size_t)cap * sizeof(**ids));
	*values = arena_alloc(a, (size_t)cap * sizeof(**values));
	while ((rc = store_step(s, e)) == 1) {
		if (*n == cap) {
			char (*more_ids)[32] = arena_alloc(a, (size_t)cap * 2 * sizeof(**ids));
			int64_t *more_values = arena_alloc(a, (size_t)cap * 2 * sizeof(**values));
			memcpy(more_ids, *ids, (size_t)cap * sizeof(**ids));
			memcpy(more_values, *values, (size_t)cap * sizeof(**values));
			*ids = more_ids, *values = more_values, cap *= 2;
		}
		snprintf((*ids)[*n], 32, "%s", store_text(s, 0) ? store_text(s, 0) : "");
		(*values)[(*n)++] = store_int(s, 1);
	}
	store_done(s);
	return rc < 0 ? rc : 0;
}

int store_exec(struct store_tx *tx, struct err *e, const char *sql, const char *types, ...)
{
	va_list ap;
	va_start(ap, types);
	struct store_stmt *s = query(tx, e, sql, types, ap);
	va_end(ap);
	if (!s)
		return e ? e->kind : ERR_INTERNAL;
	int rc = store_step(s, e);
	if (rc == 1)
		rc = 0;	/* a RETURNING row nobody asked for */
	if (rc == 0)
		rc = engine->changes(tx);
	store_done(s);
	return rc;
}
