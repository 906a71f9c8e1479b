/*
 * Unit tests of the simulated power cut (store/sqlite_powerloss.c), the
 * ground under tests/api/test_power_loss.py: a process that dies without
 * closing its database (kill -9, here _exit in a child) leaves on disk what
 * it synced and nothing it did not; reads in the process see every write;
 * and without RETAIN_TEST_POWER_LOSS (or without the test clock) nothing is
 * installed.
 */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store/store.h"
#include "store/sqlite_powerloss.h"

static int exec_ok(sqlite3 *db, const char *sql)
{
	return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

/* In a child: a synced commit (row 1), then one that is not (row 2, with
 * synchronous=OFF), both visible to the child's own reads; then it dies
 * without closing. With checkpoints, row 1 is first copied into the
 * database file and the log truncated (TRUNCATE), row 2 is written after a
 * PASSIVE checkpoint of a synced row 3: what reaches the database file by a
 * checkpoint is synced, what follows is not. Exit status 0 when every step
 * went as expected. */
static void child(const char *path, int simulate, int checkpoints)
{
	if (simulate) {
		setenv("RETAIN_TEST_POWER_LOSS", "1", 1);
		store_allow_test_faults();
		if (!sqlite_powerloss_install())
			_exit(10);
	}
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    !exec_ok(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"))
		_exit(11);
	if (checkpoints && !exec_ok(db, "PRAGMA wal_checkpoint(TRUNCATE); INSERT INTO t VALUES (3);"
				    " PRAGMA wal_checkpoint(PASSIVE);"))
		_exit(13);
	if (!exec_ok(db, "PRAGMA synchronous=OFF; INSERT INTO t VALUES (2);"))
		_exit(14);
	sqlite3 *other;			/* another connection reads them all */
	if (sqlite3_open(path, &other) != SQLITE_OK ||
	    count(other, "SELECT count(*) FROM t") != 2 + checkpoints)
		_exit(12);
	_exit(0);			/* no close: what kill -9 leaves */
}

/* The rows left once the child died and the -shm index was lost; -1 when
 * row 2 (never synced) is among them. */
static long long survivors(int simulate, int checkpoints)
{
	char dir[] = "/tmp/retain-powerloss-XXXXXX", path[64], shm[80];
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		child(path, simulate, checkpoints);
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child step %d failed",
		  WEXITSTATUS(status));
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(shm);			/* a power cut loses the index */
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	long long n = count(db, "SELECT count(*) FROM t");
	if (count(db, "SELECT count(*) FROM t WHERE x = 2"))
		n = -n;
	cr_assert_str_eq(sqlite3_errmsg(db), "not an error");
	sqlite3_close(db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	return n;
}

Test(powerloss, a_cut_keeps_the_synced_commit_and_loses_the_unsynced_one)
{
	cr_assert_eq(survivors(1, 0), 1);
}

Test(powerloss, a_cut_after_checkpoints_keeps_what_they_copied_and_loses_what_came_after)
{
	cr_assert_eq(survivors(1, 1), 2);
}

Test(powerloss, kill_9_without_the_simulation_keeps_everything)
{
	cr_assert_eq(survivors(0, 0), -2);
	cr_assert_eq(survivors(0, 1), -3);
}

Test(powerloss, nothing_is_installed_unless_serve_allowed_it_and_the_variable_is_set)
{
	setenv("RETAIN_TEST_POWER_LOSS", "1", 1);
	cr_assert_eq(sqlite_powerloss_install(), 0, "serve --test-clock did not allow it");
	store_allow_test_faults();
	unsetenv("RETAIN_TEST_POWER_LOSS");
	cr_assert_eq(sqlite_powerloss_install(), 0, "the variable is unset");
	cr_assert_eq(sqlite_powerloss_mark(), 0u);
}
