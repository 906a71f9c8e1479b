/*
 * Unit tests of SQLite's allocator wrapper (store/sqlite_mem.c, issue 9
 * seventh round): a freed 1 KiB block is handed out again on its thread,
 * kept blocks are ordinary blocks of SQLite's allocator (size, realloc,
 * content), other sizes and blocks beyond the per-thread bound go back to the
 * allocator, a thread's kept blocks are not another thread's, and a
 * sub-journal that savepoints fill and roll back keeps every row right.
 */
#include <criterion/criterion.h>
#include <malloc.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_mem.h"

Test(sqlite_mem, a_freed_journal_piece_is_handed_out_again_on_its_thread)
{
	cr_assert_eq(sqlite_mem_install(), 0, "installed before SQLite starts");
	cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
	void *a = sqlite3_malloc(1024);
	cr_assert_not_null(a);
	cr_assert_eq(sqlite3_msize(a), 1024);
	sqlite3_free(a);
	void *b = sqlite3_malloc(1024);
	cr_assert_eq(b, a, "the kept block comes back");
	memset(b, 0x5a, 1024);
	char *c = sqlite3_realloc(b, 4000);	/* a kept block is the allocator's own */
	cr_assert_not_null(c);
	for (int i = 0; i < 1024; i++)
		cr_assert_eq((unsigned char)c[i], 0x5a);
	cr_assert_geq(sqlite3_msize(c), 4000);
	sqlite3_free(c);
	void *d = sqlite3_malloc(1000);	/* another size: never a kept block */
	cr_assert_eq(sqlite3_msize(d), 1000);
	sqlite3_free(d);
}

Test(sqlite_mem, past_the_bound_blocks_go_back_and_other_sizes_are_never_kept)
{
	cr_assert_eq(sqlite_mem_install(), 0);
	cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
	enum { N = 600 };
	static void *p[N];
	for (int i = 0; i < N; i++) {
		cr_assert_not_null(p[i] = sqlite3_malloc(1024));
		memset(p[i], i & 0xff, 1024);
	}
	size_t used = mallinfo2().uordblks;
	for (int i = 0; i < N; i++)
		sqlite3_free(p[i]);
	/* 256 stay allocated for this thread, the other 344 go back to malloc
	 * (glibc counts the few its thread cache holds as in use too). */
	size_t back = used - mallinfo2().uordblks;
	cr_assert(back >= (N - 256 - 64) * 1024 && back < (N - 200) * 1040, "%zu bytes back", back);
	int again = 0;
	for (int i = 0; i < N; i++) {
		void *q = sqlite3_malloc(1024);
		for (int j = 0; j < N; j++)
			again += q == p[j];
		p[i] = q;
	}
	cr_assert_geq(again, 256, "the kept ones come back (%d)", again);
	for (int i = 0; i < N; i++)
		sqlite3_free(p[i]);
	void *big = sqlite3_malloc(2048);
	sqlite3_free(big);
	void *small = sqlite3_malloc(512);
	cr_assert_eq(sqlite3_msize(small), 512);
	sqlite3_free(small);
}

static void *kept_here;
static int got_own;

static void *other_thread(void *arg)
{
	(void)arg;
	void *mine = sqlite3_malloc(1024);
	got_own = mine != NULL && mine != kept_here;
	sqlite3_free(mine);
	return NULL;
}

Test(sqlite_mem, a_threads_kept_blocks_are_its_own)
{
	cr_assert_eq(sqlite_mem_install(), 0);
	cr_assert_eq(sqlite3_initialize(), SQLITE_OK);
	kept_here = sqlite3_malloc(1024);
	sqlite3_free(kept_here);	/* kept by this thread */
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, other_thread, NULL), 0);
	pthread_join(t, NULL);
	cr_assert(got_own, "the other thread got a block of its own");
	void *again = sqlite3_malloc(1024);
	cr_assert_eq(again, kept_here);
	sqlite3_free(again);
}

static long long count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	long long n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, &msg), SQLITE_OK, "%s: %s", sql,
		     msg ? msg : "");
}

Test(sqlite_mem, savepoints_rolled_back_through_kept_pieces_keep_every_row)
{
	cr_assert_eq(sqlite_mem_install(), 0);
	char dir[] = "/tmp/retain-mem-XXXXXX", path[128];
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	sqlite3 *db;
	cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
	exec(db, "PRAGMA journal_mode=WAL; PRAGMA temp_store=MEMORY;"
		 "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL); CREATE INDEX t_v ON t (v)");
	exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 4000)"
		 " INSERT INTO t SELECT i, printf('%0400d', i) FROM n");
	/* Eight writes a round, each in its own savepoint (every third rolled
	 * back), a round committed or rolled back in turn: each class of rows
	 * (k % 7) ends shifted by its last write that was kept. */
	long long expect[7] = { 0 };
	for (int round = 0; round < 50; round++) {
		long long now[7];
		memcpy(now, expect, sizeof(now));
		exec(db, "BEGIN");
		for (int w = 0; w < 8; w++) {
			char sql[200];
			int back = w % 3 == 1;
			exec(db, "SAVEPOINT w");
			snprintf(sql, sizeof(sql), "UPDATE t SET v = printf('%%0400d', k + %d)"
				 " WHERE k %% 7 = %d", round * 8 + w + 1, w % 7);
			exec(db, sql);
			exec(db, back ? "ROLLBACK TO w" : "SELECT 1");
			exec(db, "RELEASE w");
			if (!back)
				now[w % 7] = round * 8 + w + 1;
		}
		exec(db, round % 2 ? "COMMIT" : "ROLLBACK");
		if (round % 2)
			memcpy(expect, now, sizeof(now));
	}
	char sql[400];
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM t WHERE length(v) <> 400 OR"
		 " CAST(v AS INTEGER) - k <> CASE k %% 7 WHEN 0 THEN %lld WHEN 1 THEN %lld"
		 " WHEN 2 THEN %lld WHEN 3 THEN %lld WHEN 4 THEN %lld WHEN 5 THEN %lld ELSE %lld END",
		 expect[0], expect[1], expect[2], expect[3], expect[4], expect[5], expect[6]);
	cr_assert_eq(count(db, "SELECT count(*) FROM t"), 4000);
	cr_assert_eq(count(db, sql), 0, "%s", sql);
	cr_assert_eq(expect[0], 49 * 8 + 1, "the model: round 49's first write");
	cr_assert_eq(expect[1], 0, "the model: class 1's writes all rolled back");
	sqlite3_stmt *st;
	cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
	cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
	cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
	sqlite3_finalize(st);
	sqlite3_close(db);
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}
