/* Unit tests of the SQLite store: transactions commit or roll back whole. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"

static char path[64];

static struct store *open_temp(void)
{
	struct store *st;
	struct err e;
	snprintf(path, sizeof(path), "/tmp/retain-unit-%d.db", getpid());
	unlink(path);
	cr_assert_eq(store_open(path, &st, &e), 0, "%s", e.message);
	return st;
}

static void remove_temp(struct store *st)
{
	char p[80];
	store_close(st);
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

static int insert_then_fail(struct store_tx *tx, void *ctx, struct err *e)
{
	int rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ($1, $2, $3)",
			    "ssi", "shop_x", "X", (int64_t)1);
	cr_assert_eq(rc, 1);
	return *(int *)ctx ? err_set(e, ERR_REFUSED, NULL, "changed my mind") : 0;
}

static int count_shops(struct store_tx *tx, void *ctx, struct err *e)
{
	struct store_stmt *s = store_query(tx, e, "SELECT count(*) FROM shops", "");
	cr_assert_not_null(s);
	cr_assert_eq(store_step(s, e), 1);
	*(int64_t *)ctx = store_int(s, 0);
	store_done(s);
	return 0;
}

Test(store, a_failing_write_leaves_nothing_behind)
{
	struct store *st = open_temp();
	struct err e;
	int fail = 1;
	int64_t n = -1;
	cr_assert_eq(store_write(st, insert_then_fail, &fail, &e), ERR_REFUSED);
	cr_assert_eq(store_read(st, count_shops, &n, &e), 0);
	cr_assert_eq(n, 0);
	fail = 0;
	cr_assert_eq(store_write(st, insert_then_fail, &fail, &e), 0);
	cr_assert_eq(store_read(st, count_shops, &n, &e), 0);
	cr_assert_eq(n, 1);
	remove_temp(st);
}

static int duplicate(struct store_tx *tx, void *ctx, struct err *e)
{
	(void)ctx;
	store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ('a', 'A', 1)", "");
	int rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ('a', 'A', 1)", "");
	cr_assert_eq(rc, ERR_CONFLICT);
	cr_assert(store_tx_was_unique_violation(tx));
	return rc;
}

Test(store, unique_violations_are_conflicts_and_roll_back)
{
	struct store *st = open_temp();
	struct err e;
	int64_t n = -1;
	cr_assert_eq(store_write(st, duplicate, NULL, &e), ERR_CONFLICT);
	store_read(st, count_shops, &n, &e);
	cr_assert_eq(n, 0);
	remove_temp(st);
}

static int bad_sql(struct store_tx *tx, void *ctx, struct err *e)
{
	(void)ctx;
	cr_assert_null(store_query(tx, e, "SELEC nonsense", ""));
	return e->kind;
}

Test(store, broken_sql_is_an_internal_error_with_the_reason)
{
	struct store *st = open_temp();
	struct err e;
	cr_assert_eq(store_write(st, bad_sql, NULL, &e), ERR_INTERNAL);
	cr_assert(e.message[0]);
	remove_temp(st);
}

Test(store, reopening_applies_no_migration_twice)
{
	struct store *st = open_temp(), *again;
	struct err e;
	store_close(st);
	cr_assert_eq(store_open(path, &again, &e), 0, "%s", e.message);
	remove_temp(again);
}

static int note_read_only(struct store_tx *tx, void *ctx, struct err *e)
{
	(void)e;
	*(int *)ctx = store_tx_read_only(tx);
	return 0;
}

/* The campaign cache keeps only what a read transaction read (committed
 * rows): the store says which kind a transaction is (issue 10 bench). */
Test(store, a_transaction_says_whether_it_is_a_read)
{
	struct store *st = open_temp();
	struct err e;
	int ro = -1;
	cr_assert_eq(store_read(st, note_read_only, &ro, &e), 0);
	cr_assert_eq(ro, 1);
	cr_assert_eq(store_peek(st, note_read_only, &ro, &e), 0);
	cr_assert_eq(ro, 1);
	cr_assert_eq(store_write(st, note_read_only, &ro, &e), 0);
	cr_assert_eq(ro, 0);
	remove_temp(st);
}
