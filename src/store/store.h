/*
 * store.h: the one interface between retain's domain and its database.
 *
 * Domain code never says BEGIN or COMMIT. It hands the store a callback:
 *
 *	static int create(struct store_tx *tx, void *ctx, struct err *e) { ... }
 *	rc = store_write(st, create, &ctx, e);
 *
 * and the store runs it inside a transaction: committed durably (WAL,
 * synchronous=FULL) when the callback returns 0, rolled back when it returns
 * an error. Nothing half-done is ever visible. store_write() returns only
 * after the commit is on disk, so a caller may acknowledge the write; a later
 * version batches concurrent callbacks into one commit (group commit) behind
 * this same signature. store_read() runs a callback in a read-only snapshot on
 * a per-thread connection that never blocks the writer.
 *
 * SQL is portable between SQLite and PostgreSQL: $1, $2 ... placeholders,
 * INSERT ... ON CONFLICT, RETURNING, integer unix-ms times.
 *
 * Statements: store_query() prepares (cached per connection) and binds in one
 * call, with a type string: 'i' int64_t, 's' const char * (NULL binds NULL).
 * Step it with store_step(), read columns, and always store_done() it.
 * Text columns are valid until the next step or done; copy what you keep.
 */
#ifndef RETAIN_STORE_H
#define RETAIN_STORE_H

#include <stdint.h>

#include "../base/err.h"

struct store;
struct store_tx;
struct store_stmt;

typedef int (*store_fn)(struct store_tx *tx, void *ctx, struct err *e);

/* Opens (creating if needed) the database at path and applies migrations. */
int store_open(const char *path, struct store **out, struct err *e);
/* The same for a database that must exist already, used as it is: never
 * creates or migrates one. ERR_NOT_FOUND with code "db_missing" when there is
 * none at path, "db_not_retain" for a file that holds no retain schema (an
 * empty file too, left untouched), "db_outdated" or "db_too_new" when its
 * schema is not this binary's (`retain migrate` upgrades it). */
int store_open_existing(const char *path, struct store **out, struct err *e);
void store_close(struct store *st);

int store_write(struct store *st, store_fn fn, void *ctx, struct err *e);
int store_read(struct store *st, store_fn fn, void *ctx, struct err *e);
/* After an erasure: folds the write-ahead log into the database and truncates
 * it, so that no old page image (with data since deleted; deleted content is
 * zeroed in the database) stays on disk. Waits for readers at most 100 ms;
 * when they hold the log longer, ERR_UNAVAILABLE and the scrub stays due: the
 * store retries it after a later write (at most once a second) until it
 * succeeds. Also run after open when a migration was applied. */
int store_scrub(struct store *st, struct err *e);
/* 0 when the store answers a trivial query (for /readyz). */
int store_ping(struct store *st, struct err *e);

/* Prepares sql and binds args as described by types. NULL on error (e set). */
struct store_stmt *store_query(struct store_tx *tx, struct err *e,
			       const char *sql, const char *types, ...);
/* 1 a row is ready, 0 no more rows, negative: error (e set). */
int store_step(struct store_stmt *s, struct err *e);
int64_t store_int(struct store_stmt *s, int col);
/* NULL for SQL NULL. */
const char *store_text(struct store_stmt *s, int col);
int store_is_null(struct store_stmt *s, int col);
void store_done(struct store_stmt *s);

/* The first column of the first row as an integer into *out (0 when there is
 * no row): for counts, sums and maxima. Returns 0 or an error. */
int store_query_int(struct store_tx *tx, struct err *e, int64_t *out, const char *sql,
		    const char *types, ...);

/* Every row's first column (text) and second (integer) into arena arrays:
 * for reading the rows a write will then change, without a bound. */
struct arena;
int store_query_pairs(struct store_tx *tx, struct err *e, struct arena *a, char (**ids)[32],
		      int64_t **values, int *n, const char *sql, const char *types, ...);

/* Runs a statement that returns no rows; returns rows changed (>= 0) or an
 * error. */
int store_exec(struct store_tx *tx, struct err *e, const char *sql,
	       const char *types, ...);
/* 1 when the last failed step broke a UNIQUE or PRIMARY KEY constraint. */
int store_tx_was_unique_violation(struct store_tx *tx);

#endif
