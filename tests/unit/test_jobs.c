/* Unit tests of the jobs table (core/jobs.c) and the idempotency storage
 * (store/idempotency.c) on a real SQLite store (issue 9). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/config.h"
#include "core/jobs.h"
#include "store/idempotency.h"
#include "store/store.h"

static char path[64];

static struct store *open_temp(void)
{
	struct store *st;
	struct err e;
	snprintf(path, sizeof(path), "/tmp/retain-unit-jobs-%d.db", getpid());
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

#define HOUR_MS (3600LL * 1000)

struct put {
	const char *shop, *key, *body;
	int64_t at;
};

static int put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	const struct put *p = ctx;
	struct store_idempotency_row row = { "fp", 201, p->body };
	return store_idempotency_put(tx, p->shop, p->key, &row, p->at, e);
}

static void put(struct store *st, const char *shop, const char *key, const char *body, int64_t at)
{
	struct put p = { shop, key, body, at };
	struct err e;
	cr_assert_eq(store_write(st, put_tx, &p, &e), 0, "%s", e.message);
}

struct find {
	const char *shop, *key;
	int64_t cutoff;
	struct arena arena;
	struct store_idempotency_row row;
	int found;
};

static int find_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct find *f = ctx;
	f->found = store_idempotency_find(tx, &f->arena, f->shop, f->key, f->cutoff, &f->row, e);
	return f->found < 0 ? f->found : 0;
}

static int found(struct store *st, const char *shop, const char *key, int64_t cutoff,
		 char body[64])
{
	struct find f = { shop, key, cutoff, ARENA_INIT, { 0 }, 0 };
	struct err e;
	cr_assert_eq(store_read(st, find_tx, &f, &e), 0, "%s", e.message);
	if (f.found && body)
		snprintf(body, 64, "%s", f.row.body);
	arena_free(&f.arena);
	return f.found;
}

Test(jobs, the_table_runs_each_job_once_per_call_and_a_second_call_finds_nothing_due)
{
	struct store *st = open_temp();
	struct config cfg;
	struct jobs_counts n;
	struct err e;
	int64_t now = clock_now_ms();
	memset(&cfg, 0, sizeof(cfg));
	cfg.idempotency_retention_hours = 24;
	put(st, "shop_a", "old", "{}", now - 25 * HOUR_MS);
	put(st, "shop_a", "new", "{}", now - 23 * HOUR_MS);

	cr_assert_eq(jobs_run(st, &cfg, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n.runs, jobs_count());
	cr_assert_eq(n.idempotency_keys_pruned, 1);
	cr_assert_eq(found(st, "shop_a", "old", 0, NULL), 0);
	cr_assert_eq(found(st, "shop_a", "new", 0, NULL), 1);

	cr_assert_eq(jobs_run(st, &cfg, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n.runs, jobs_count());
	cr_assert_eq(n.idempotency_keys_pruned, 0);
	cr_assert_eq(n.expired_lots + n.reminders + n.tier_changes, 0);
	remove_temp(st);
}

Test(jobs, every_job_has_its_own_name)
{
	cr_assert_gt(jobs_count(), 1);
	for (int i = 0; i < jobs_count(); i++)
		for (int j = i + 1; j < jobs_count(); j++)
			cr_assert_str_neq(jobs_name(i), jobs_name(j));
}

/* A job keeps its lock key when jobs are added: nodes of two versions
 * exclude each other during an upgrade (the keys as they were before the
 * delivery pruning joined the table). */
Test(jobs, a_job_keeps_its_lock_key_when_jobs_are_added)
{
	static const struct { const char *name; int lock; } known[] = {
		{ "ledger", 1 }, { "idempotency_retention", 2 }, { "coupon_reservations", 3 },
		{ "late_deliveries", 4 }, { "ticket_breaches", 5 }, { "email_queue", 6 },
		{ "webhooks", 7 }, { "integration_deliveries", 8 },
	};
	for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
		int found = 0;
		for (int i = 0; i < jobs_count(); i++)
			if (!strcmp(jobs_name(i), known[k].name)) {
				cr_assert_eq(jobs_lock_key(i), JOBS_LOCK_KEY(known[k].lock), "%s",
					     known[k].name);
				found = 1;
			}
		cr_assert(found, "%s", known[k].name);
	}
}

/* Issue 9: each job has an advisory lock key of its own, none of them the
 * migration lock ("retain"), all positive (PostgreSQL's bigint). */
Test(jobs, every_job_has_its_own_lock_key_apart_from_the_migration_lock_issue9)
{
	for (int i = 0; i < jobs_count(); i++) {
		cr_assert_gt(jobs_lock_key(i), 0);
		cr_assert_neq(jobs_lock_key(i), 0x72657461696eLL);
		for (int j = i + 1; j < jobs_count(); j++)
			cr_assert_neq(jobs_lock_key(i), jobs_lock_key(j));
	}
}

struct locks {
	int64_t key;
	int first, again;
};

static int locks_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct locks *l = ctx;
	l->first = store_try_lock(tx, l->key, e);
	l->again = store_try_lock(tx, l->key, e);
	return 0;
}

/* Issue 9: SQLite's one writer is alone, so every lock is taken (twice in one
 * transaction too) and no job of the table is ever skipped. */
Test(jobs, on_sqlite_every_lock_is_taken_and_no_job_is_skipped_issue9)
{
	struct store *st = open_temp();
	struct locks l = { JOBS_LOCK_KEY(1), -1, -1 };
	struct config cfg;
	struct jobs_counts n;
	struct err e;
	memset(&cfg, 0, sizeof(cfg));
	cfg.idempotency_retention_hours = 24;
	cr_assert_eq(store_write(st, locks_tx, &l, &e), 0, "%s", e.message);
	cr_assert_eq(l.first, 1);
	cr_assert_eq(l.again, 1);
	cr_assert_eq(jobs_run(st, &cfg, &n, &e), 0, "%s", e.message);
	cr_assert_eq(n.runs, jobs_count());
	cr_assert_eq(n.skipped, 0);
	remove_temp(st);
}

Test(store_idempotency, a_row_older_than_the_cutoff_is_not_found_and_a_put_takes_it_over)
{
	struct store *st = open_temp();
	char body[64];
	put(st, "shop_a", "k", "{\"v\":1}", 1000);
	cr_assert_eq(found(st, "shop_a", "k", 1000, body), 1);
	cr_assert_str_eq(body, "{\"v\":1}");
	cr_assert_eq(found(st, "shop_a", "k", 1001, NULL), 0);
	cr_assert_eq(found(st, "shop_b", "k", 0, NULL), 0);
	put(st, "shop_a", "k", "{\"v\":2}", 5000);
	cr_assert_eq(found(st, "shop_a", "k", 5000, body), 1);
	cr_assert_str_eq(body, "{\"v\":2}");
	remove_temp(st);
}

struct rewrite {
	struct arena arena;
	int n;
};

static int rewrite_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct rewrite *w = ctx;
	const char **keys, **bodies;
	int rc = store_idempotency_containing(tx, &w->arena, "shop_a", "\"cus_1\"", &keys, &bodies,
					      &w->n, e);
	for (int i = 0; !rc && i < w->n; i++)
		rc = store_idempotency_set_body(tx, "shop_a", keys[i], "{\"id\":\"cus_1\",\"erased\":true}",
						e);
	return rc;
}

Test(store_idempotency, the_bodies_of_one_shop_that_name_an_id_are_found_and_rewritten)
{
	struct store *st = open_temp();
	struct rewrite w = { ARENA_INIT, 0 };
	struct err e;
	char body[64];
	put(st, "shop_a", "k1", "{\"id\":\"cus_1\",\"name\":\"Ann\"}", 1000);
	put(st, "shop_a", "k2", "{\"id\":\"cus_2\"}", 1000);
	put(st, "shop_b", "k3", "{\"id\":\"cus_1\"}", 1000);
	cr_assert_eq(store_write(st, rewrite_tx, &w, &e), 0, "%s", e.message);
	cr_assert_eq(w.n, 1);
	cr_assert_eq(found(st, "shop_a", "k1", 0, body), 1);
	cr_assert_str_eq(body, "{\"id\":\"cus_1\",\"erased\":true}");
	cr_assert_eq(found(st, "shop_b", "k3", 0, body), 1);
	cr_assert_str_eq(body, "{\"id\":\"cus_1\"}");
	arena_free(&w.arena);
	remove_temp(st);
}

static int bulk_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	int n = *(int *)ctx;
	for (int i = 0; i < n; i++) {
		char key[32];
		struct store_idempotency_row row = { "fp", 201, "{}" };
		snprintf(key, sizeof(key), "k%d", i);
		int rc = store_idempotency_put(tx, "shop_a", key, &row, 1000 + i, e);
		if (rc)
			return rc;
	}
	return 0;
}

struct prune {
	int64_t cutoff, pruned;
};

static int prune_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct prune *p = ctx;
	return store_idempotency_prune(tx, p->cutoff, &p->pruned, e);
}

/* Issue 8 review: the first prune after an upgrade must not delete years of
 * keys in one transaction holding the writer. */
Test(store_idempotency, pruning_takes_a_bounded_batch_oldest_first_and_the_rest_on_the_next_run_issue8)
{
	struct store *st = open_temp();
	int n = STORE_IDEMPOTENCY_PRUNE_BATCH + 5;
	struct prune p = { INT64_MAX, 0 };
	struct err e;
	cr_assert_eq(store_write(st, bulk_tx, &n, &e), 0, "%s", e.message);
	cr_assert_eq(store_write(st, prune_tx, &p, &e), 0, "%s", e.message);
	cr_assert_eq(p.pruned, STORE_IDEMPOTENCY_PRUNE_BATCH);
	cr_assert_eq(found(st, "shop_a", "k0", 0, NULL), 0, "the oldest goes first");
	cr_assert_eq(found(st, "shop_a", "k10004", 0, NULL), 1);
	cr_assert_eq(store_write(st, prune_tx, &p, &e), 0, "%s", e.message);
	cr_assert_eq(p.pruned, 5);
	cr_assert_eq(store_write(st, prune_tx, &p, &e), 0, "%s", e.message);
	cr_assert_eq(p.pruned, 0);
	remove_temp(st);
}
