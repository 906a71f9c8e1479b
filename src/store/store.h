/*
 * store.h: the one interface between retain's domain and its database.
 *
 * Domain code never says BEGIN or COMMIT. It hands the store a callback:
 *
 *	static int create(struct store_tx *tx, void *ctx, struct err *e) { ... }
 *	rc = store_write(st, create, &ctx, e);
 *
 * and the store runs it inside a transaction: committed durably when the
 * callback returns 0, rolled back when it returns an error. Nothing half-done
 * is ever visible. store_write() returns only after the commit is durable, so
 * a caller may acknowledge the write. store_read() runs a callback in a
 * read-only snapshot that never blocks a writer.
 *
 * Two engines (store.c picks one by the database's name, one per process):
 * SQLite for a file path, PostgreSQL for a postgres:// or postgresql:// URL.
 *
 * The write contract (docs/decisions.md, issue 9, says why):
 *  - Isolation. A write callback sees and changes the database as if it ran
 *    alone. SQLite: one writer at a time (BEGIN IMMEDIATE, WAL, each commit
 *    synced to disk before store_write() returns). PostgreSQL: SERIALIZABLE;
 *    a callback that read a row another transaction changed meanwhile
 *    fails with a serialization failure (40001) or a deadlock (40P01), and
 *    the store rolls back and runs it again, whole, up to 32 times with a
 *    random pause (then ERR_UNAVAILABLE, code "store_busy", a 503 to
 *    retry). So every read-then-write in core/ (read a balance, then spend
 *    it) is correct with concurrent writers and several nodes without
 *    SELECT ... FOR UPDATE. An insert that meets a concurrent insert of the
 *    same key may be reported as a unique violation (23505) instead; a
 *    callback that failed after one runs again too, up to 3 times in all,
 *    and then finds the row its check had missed.
 *  - A callback may run more than once (that retry; a group-commit replay on
 *    SQLite). It keeps no side effect outside its transaction: no response
 *    sent, no log line that claims success, no counter bumped, no memory
 *    another thread sees; what it computes goes into ctx, which it must
 *    reset at its start (a later run starts over, and only the last run's
 *    ctx counts).
 *  - Limits (a balance, a lot's remaining, a refund up to the paid amount)
 *    are enforced inside the write: by what the callback reads in it (the
 *    isolation above makes that read current), by a conditional UPDATE with
 *    its row count checked, or by a CHECK constraint; never by a read made
 *    in an earlier transaction.
 *  - Reads: SQLite reads on a per-thread WAL connection; PostgreSQL runs
 *    REPEATABLE READ READ ONLY. Either way one snapshot for the callback,
 *    and store_read() returns only once what it may have seen is durable.
 *
 * SQL is portable between SQLite and PostgreSQL: $1, $2 ... placeholders,
 * INSERT ... ON CONFLICT, RETURNING, integer unix-ms times (BIGINT on
 * PostgreSQL), no SQLite-only functions or scalar max(a, b) (GREATEST and
 * LEAST differ too: write CASE), sum() read with store_int() (PostgreSQL's
 * numeric comes back as its digits). A boolean result reads as 1 or 0.
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

struct store_options {
	/* Never create: ERR_NOT_FOUND (code "db_missing") when there is none. */
	int must_exist;
	/* PostgreSQL: connections at most (the HTTP threads + 1 for the jobs);
	 * 0: 8. SQLite has one writer and a reader per thread instead. */
	int connections;
};

/* Opens the database and applies migrations. where is a file path (SQLite)
 * or a postgres:// or postgresql:// URL (PostgreSQL, libpq's URI syntax).
 * A PostgreSQL database is never created by retain: it must exist (createdb),
 * so must_exist changes nothing there. A database whose schema is newer than
 * this binary is refused (ERR_REFUSED, code "schema_too_new"). */
int store_open_with(const char *where, const struct store_options *o, struct store **out,
		    struct err *e);
/* 1 when where names a PostgreSQL database (postgres:// or postgresql://),
 * not a file: there is then no DB.operator-key or DB.demo-keys beside it. */
int store_is_postgres(const char *where);
/* store_open_with() with the defaults, creating a SQLite file if needed. */
int store_open(const char *where, struct store **out, struct err *e);
/* The same for a database that must exist already, used as it is: never
 * creates or migrates one. ERR_NOT_FOUND with code "db_missing" when there is
 * none at path, "db_not_retain" for a file that holds no retain schema (an
 * empty file too, left untouched), "db_outdated" or "db_too_new" when its
 * schema is not this binary's (`retain migrate` upgrades it). PostgreSQL: the
 * database must exist in any case, and store_open migrates it. */
int store_open_existing(const char *where, struct store **out, struct err *e);
void store_close(struct store *st);

int store_write(struct store *st, store_fn fn, void *ctx, struct err *e);
int store_read(struct store *st, store_fn fn, void *ctx, struct err *e);
/* store_read() for a result nobody is shown before a later read or write of
 * the same request returns: authentication. store_read() returns only once
 * every write its snapshot may have seen is durable (SQLite commits durably
 * after the COMMIT, src/store/sqlite.c); store_peek() does not wait for that,
 * so it may see a write not yet durable (a key from a rotation whose answer
 * has not been sent yet). PostgreSQL: the same as store_read(). */
int store_peek(struct store *st, store_fn fn, void *ctx, struct err *e);
/* After an erasure: folds the write-ahead log into the database and truncates
 * it, so that no old page image (with data since deleted; deleted content is
 * zeroed in the database) stays on disk. Waits for readers at most 100 ms;
 * when they hold the log longer, ERR_UNAVAILABLE and the scrub stays due: the
 * store retries it after a later write (at most once a second) until it
 * succeeds. Also run after open when a migration was applied.
 * PostgreSQL: nothing to do here (0). Dead row versions stay in the table
 * files until (auto)vacuum reuses them, and in the WAL until it is recycled;
 * docs/operations.md says how an operator makes that immediate. */
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
/* 1 when the latest statement's failed step broke a UNIQUE or PRIMARY KEY
 * constraint (each statement starts it at 0, so a violation a callback
 * handled does not name a later failure). */
int store_tx_was_unique_violation(struct store_tx *tx);
/* 1 when tx is a store_read() or store_peek() transaction: what it reads is
 * committed (the campaign cache keeps only such rows), 0 in store_write(). */
int store_tx_read_only(struct store_tx *tx);

/* Fault injection, for tests of what a failed statement leaves (the server
 * turns it on in --test-clock mode only: POST /v1/test/store_faults).
 * store_fault_arm(n): the nth store_query() or store_step() from now, in any
 * thread (1 = the next), fails as a failed disk write would: NULL or
 * ERR_INTERNAL with code "store_error"; then no more faults. 0 disarms.
 * Only the domain's statements count, not the engine's own (BEGIN, COMMIT,
 * SAVEPOINT, store_try_lock(), store_ping()), so a fault hits the same
 * statement on both engines.
 * store_fault_left(): statements left before it fires, 0 when it fired or
 * none is armed. With no fault armed a statement pays one atomic load. */
void store_fault_arm(int64_t nth);
int64_t store_fault_left(void);
/* `retain serve --test-clock` calls it before opening the store: only then
 * does RETAIN_TEST_POWER_LOSS=1 simulate a power cut (SQLite,
 * store/sqlite_powerloss.h). Never called in production. */
void store_allow_test_faults(void);
int store_test_faults_allowed(void);

/* Takes the lock named key for the rest of tx's transaction, without waiting:
 * 1 taken (released by the commit or rollback), 0 another transaction holds
 * it now, or an error. For work that one writer at a time should do across
 * every process on the database (the jobs, core/jobs.c): a callback given 0
 * does nothing and returns 0. Call it first in a write callback; a rerun of
 * the callback takes it again. It is an optimisation, never the only guard:
 * the work it protects must still be safe to do twice (the write contract
 * above). PostgreSQL: pg_try_advisory_xact_lock(key), one lock space for the
 * whole database, so every node and an operator's psql share it. SQLite:
 * always 1, since the one writer is already alone. */
int store_try_lock(struct store_tx *tx, int64_t key, struct err *e);

#endif
