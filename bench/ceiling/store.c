/*
 * store.c: the embedded store's ceilings for the analytics benchmarks.
 *
 *   store bulk DB N    inserts N order-sized rows (one secondary index) in
 *                      transactions of 1000 and prints rows/s: the bulk-insert
 *                      ceiling that `retain import` is compared with
 *   store scan DB SHOP reads every order of SHOP once (customer, time, net)
 *                      and prints the seconds: the raw-scan ceiling for reports
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	if (argc != 4 || sqlite3_open(argv[2], &db) != SQLITE_OK) {
		fprintf(stderr, "usage: store bulk DB N | store scan DB SHOP\n");
		return 2;
	}
	sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", 0, 0, 0);
	double t0 = now();
	if (!strcmp(argv[1], "bulk")) {
		long n = atol(argv[3]);
		sqlite3_exec(db, "CREATE TABLE t (shop TEXT, id TEXT, customer TEXT, currency TEXT,"
				 " total INTEGER, placed_at INTEGER, status TEXT, channel TEXT,"
				 " PRIMARY KEY (shop, id)) STRICT; CREATE INDEX t_c ON t (shop, customer);", 0, 0, 0);
		sqlite3_prepare_v2(db, "INSERT INTO t VALUES ('shop_bench', ?1, ?2, 'USD', ?3, ?4, 'paid', 'web')",
				   -1, &st, 0);
		for (long i = 0; i < n; i++) {
			char id[32], customer[32];
			if (i % 1000 == 0)
				sqlite3_exec(db, i ? "COMMIT; BEGIN" : "BEGIN", 0, 0, 0);
			snprintf(id, sizeof(id), "ord_%012ld", i);
			snprintf(customer, sizeof(customer), "cus_%08ld", (i * 7919) % (n / 5 + 1));
			sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(st, 2, customer, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(st, 3, 1000 + i % 5000);
			sqlite3_bind_int64(st, 4, 850000000000LL + i * 1000);
			sqlite3_step(st);
			sqlite3_reset(st);
		}
		sqlite3_exec(db, "COMMIT", 0, 0, 0);
		printf("%.0f\n", (double)n / (now() - t0));
	} else {
		long rows = 0, sum = 0;
		sqlite3_prepare_v2(db, "SELECT customer_id, placed_at, paid_amount - refunded_amount FROM orders"
				   " WHERE shop_id = ?1", -1, &st, 0);
		sqlite3_bind_text(st, 1, argv[3], -1, SQLITE_STATIC);
		while (sqlite3_step(st) == SQLITE_ROW) {
			rows++;
			sum += sqlite3_column_int64(st, 2) + (long)sqlite3_column_bytes(st, 0);
		}
		printf("%.3f %ld\n", now() - t0, rows + (sum & 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return 0;
}
