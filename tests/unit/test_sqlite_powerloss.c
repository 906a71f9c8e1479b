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

#include "base/clock.h"
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
 * without closing. Exit status 0 when every step went as expected. */
static void child(const char *path, int simulate)
{
	if (simulate) {
		setenv("RETAIN_TEST_POWER_LOSS", "1", 1);
		clock_enable_test();
		if (!sqlite_powerloss_install())
			_exit(10);
	}
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    !exec_ok(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);"
			 " PRAGMA synchronous=OFF; INSERT INTO t VALUES (2);"))
		_exit(11);
	sqlite3 *other;			/* another connection reads both */
	if (sqlite3_open(path, &other) != SQLITE_OK || count(other, "SELECT count(*) FROM t") != 2)
		_exit(12);
	_exit(0);			/* no close: what kill -9 leaves */
}

static long long survivors(int simulate)
{
	char dir[] = "/tmp/retain-powerloss-XXXXXX", path[64], shm[80];
	cr_assert(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		child(path, simulate);
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child step %d failed",
		  WEXITSTATUS(status));
	snprintf(shm, sizeof(shm), "%s-shm", path);
	unlink(shm);			/* a power cut loses the index */
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	long long n = count(db, "SELECT count(*) FROM t");
	cr_assert_str_eq(sqlite3_errmsg(db), "not an error");
	sqlite3_close(db);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
	return n;
}

Test(powerloss, a_cut_keeps_the_synced_commit_and_loses_the_unsynced_one)
{
	cr_assert_eq(survivors(1), 1);
}

Test(powerloss, kill_9_without_the_simulation_keeps_both)
{
	cr_assert_eq(survivors(0), 2);
}

Test(powerloss, nothing_is_installed_without_the_test_clock_or_the_variable)
{
	setenv("RETAIN_TEST_POWER_LOSS", "1", 1);
	cr_assert_eq(sqlite_powerloss_install(), 0, "the test clock is off");
	clock_enable_test();
	unsetenv("RETAIN_TEST_POWER_LOSS");
	cr_assert_eq(sqlite_powerloss_install(), 0, "the variable is unset");
	cr_assert_eq(sqlite_powerloss_mark(), 0u);
}
