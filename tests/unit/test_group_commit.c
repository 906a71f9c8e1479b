/*
 * Unit tests of group commit (issue9): the queue in store/group.c driven with
 * a recording engine, then the SQLite store's store_write() from threads.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/group.h"
#include "store/store.h"

/* ---- the queue, with an engine that records its batches ---- */

struct recorder {
	pthread_mutex_t lock;
	int sizes[64], nbatches;
	int hold_first;		/* the first batch waits until release is set */
	int release;
	struct group *g;
};

static uint64_t record_batch(void *engine, struct group_write **w, int n)
{
	struct recorder *r = engine;
	pthread_mutex_lock(&r->lock);
	int first = r->nbatches == 0;
	r->sizes[r->nbatches++] = n;
	pthread_mutex_unlock(&r->lock);
	while (first && r->hold_first && !__atomic_load_n(&r->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (int i = 0; i < n; i++)
		/* Each write's own outcome: what its ctx asks for. */
		w[i]->rc = *(int *)w[i]->ctx;
	return 0;
}

static int queued(struct group *g)
{
	int n = 0;
	pthread_mutex_lock(&g->lock);
	for (struct group_write *w = g->head; w; w = w->next)
		n++;
	pthread_mutex_unlock(&g->lock);
	return n;
}

struct writer {
	struct group *g;
	int want, got;
	pthread_t thread;
};

static void *write_one(void *p)
{
	struct writer *w = p;
	struct err e;
	w->got = group_write(w->g, NULL, &w->want, &e);
	return NULL;
}

/* Starts the first writer, waits until its batch is running, queues the
 * others behind it, then lets the first batch finish. */
static void run_writers(struct recorder *r, struct group *g, struct writer *w, int n)
{
	r->hold_first = 1;
	w[0].g = g;
	pthread_create(&w[0].thread, NULL, write_one, &w[0]);
	while (__atomic_load_n(&r->nbatches, __ATOMIC_ACQUIRE) == 0)
		usleep(1000);
	for (int i = 1; i < n; i++) {
		w[i].g = g;
		pthread_create(&w[i].thread, NULL, write_one, &w[i]);
	}
	while (queued(g) < n)
		usleep(1000);
	__atomic_store_n(&r->release, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < n; i++)
		pthread_join(w[i].thread, NULL);
}

Test(group_commit, a_lone_write_is_committed_at_once_in_a_batch_of_one)
{
	struct recorder r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct group g;
	struct err e;
	int ok = 0;
	group_init(&g, 64, record_batch, NULL, NULL, &r);
	cr_assert_eq(group_write(&g, NULL, &ok, &e), 0);
	cr_assert_eq(group_write(&g, NULL, &ok, &e), 0);
	cr_assert_eq(r.nbatches, 2, "each lone write leads its own batch, waiting for nobody");
	cr_assert_eq(r.sizes[0], 1);
	cr_assert_eq(r.sizes[1], 1);
	group_destroy(&g);
}

Test(group_commit, writers_waiting_on_a_commit_share_the_next_one)
{
	struct recorder r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct writer w[16] = { 0 };
	struct group g;
	group_init(&g, 64, record_batch, NULL, NULL, &r);
	run_writers(&r, &g, w, 16);
	cr_assert_eq(r.nbatches, 2, "%d batches", r.nbatches);
	cr_assert_eq(r.sizes[0], 1);
	cr_assert_eq(r.sizes[1], 15, "the 15 that queued meanwhile commit together");
	cr_assert_eq(g.batches, 2);
	cr_assert_eq(g.writes, 16);
	group_destroy(&g);
}

Test(group_commit, a_batch_takes_at_most_max_writes)
{
	struct recorder r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct writer w[11] = { 0 };
	struct group g;
	group_init(&g, 4, record_batch, NULL, NULL, &r);
	run_writers(&r, &g, w, 11);
	cr_assert_eq(r.nbatches, 4, "%d batches", r.nbatches);
	cr_assert_eq(r.sizes[0], 1);
	cr_assert_eq(r.sizes[1], 4);
	cr_assert_eq(r.sizes[2], 4);
	cr_assert_eq(r.sizes[3], 2);
	group_destroy(&g);
}

Test(group_commit, each_writer_gets_its_own_outcome)
{
	struct recorder r = { .lock = PTHREAD_MUTEX_INITIALIZER };
	struct writer w[12] = { 0 };
	struct group g;
	for (int i = 0; i < 12; i++)
		w[i].want = i % 3 == 1 ? ERR_REFUSED : 0;
	group_init(&g, 64, record_batch, NULL, NULL, &r);
	run_writers(&r, &g, w, 12);
	for (int i = 0; i < 12; i++)
		cr_assert_eq(w[i].got, w[i].want, "writer %d", i);
	group_destroy(&g);
}

/* ---- a split commit: the sync after the next batch started ---- */

struct split {
	int runs, synced, release;	/* atomics */
	int second_ran_before_first_synced;
	int fail_sync;
};

/* The first batch waits for release, so that the next writers queue. */
static uint64_t split_run(void *engine, struct group_write **w, int n)
{
	struct split *sp = engine;
	int run = __atomic_add_fetch(&sp->runs, 1, __ATOMIC_ACQ_REL);
	while (run == 1 && !sp->fail_sync && !__atomic_load_n(&sp->release, __ATOMIC_ACQUIRE))
		usleep(1000);
	for (int i = 0; i < n; i++)
		w[i]->rc = *(int *)w[i]->ctx;
	return (uint64_t)run;
}

/* The first batch's sync waits (at most 5 s) for the second batch to run;
 * every sync takes 20 ms, and then counts as done. */
static void split_sync(void *engine, uint64_t ticket, struct group_write **w, int n)
{
	struct split *sp = engine;
	for (int i = 0; ticket == 1 && i < 5000; i++) {
		if (__atomic_load_n(&sp->runs, __ATOMIC_ACQUIRE) >= 2) {
			sp->second_ran_before_first_synced = 1;
			break;
		}
		usleep(1000);
	}
	usleep(20 * 1000);
	for (int i = 0; sp->fail_sync && i < n; i++)
		if (!w[i]->rc)
			w[i]->rc = ERR_UNAVAILABLE;
	int before = __atomic_load_n(&sp->synced, __ATOMIC_ACQUIRE);
	if ((int)ticket > before)
		__atomic_store_n(&sp->synced, (int)ticket, __ATOMIC_RELEASE);
}

struct split_writer {
	struct group *g;
	struct split *sp;
	int want, got, synced_when_answered;
	pthread_t thread;
};

static void *split_write(void *p)
{
	struct split_writer *w = p;
	struct err e;
	w->got = group_write(w->g, NULL, &w->want, &e);
	w->synced_when_answered = __atomic_load_n(&w->sp->synced, __ATOMIC_ACQUIRE);
	return NULL;
}

Test(group_commit, the_next_batch_runs_while_the_one_before_waits_for_its_sync)
{
	struct split sp = { 0 };
	struct split_writer w[3] = { 0 };
	struct group g;
	group_init(&g, 64, split_run, split_sync, NULL, &sp);
	for (int i = 0; i < 3; i++)
		w[i] = (struct split_writer){ .g = &g, .sp = &sp };
	pthread_create(&w[0].thread, NULL, split_write, &w[0]);
	while (__atomic_load_n(&sp.runs, __ATOMIC_ACQUIRE) == 0)
		usleep(1000);
	/* Two more queue behind the first batch: the second batch, of two. */
	for (int i = 1; i < 3; i++)
		pthread_create(&w[i].thread, NULL, split_write, &w[i]);
	while (queued(&g) < 3)
		usleep(1000);
	__atomic_store_n(&sp.release, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 3; i++)
		pthread_join(w[i].thread, NULL);
	cr_assert(sp.second_ran_before_first_synced,
		  "the second batch waited for the first one's sync");
	cr_assert_eq(g.batches, 2);
	cr_assert_geq(w[0].synced_when_answered, 1, "the first writer was answered before its sync");
	for (int i = 1; i < 3; i++) {
		cr_assert_eq(w[i].got, 0);
		cr_assert_geq(w[i].synced_when_answered, 2,
			      "writer %d of the second batch was answered before its sync", i);
	}
	group_destroy(&g);
}

Test(group_commit, a_failed_sync_fails_the_writes_that_had_succeeded)
{
	struct split sp = { .fail_sync = 1 };
	struct group g;
	struct err e;
	int ok = 0, refused = ERR_REFUSED;
	group_init(&g, 64, split_run, split_sync, NULL, &sp);
	cr_assert_eq(group_write(&g, NULL, &ok, &e), ERR_UNAVAILABLE);
	cr_assert_eq(group_write(&g, NULL, &refused, &e), ERR_REFUSED);
	group_destroy(&g);
}

/* ---- the SQLite store: failures inside a shared commit ---- */

static char path[64];

static void remove_db(void)
{
	char p[80];
	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

enum outcome { COMMITS, REFUSED_AFTER_WRITING, TAKES_A_TAKEN_ID };

struct shop_write {
	struct store *st;
	int n;
	enum outcome how;
	int hold;		/* sleeps in its callback, so the others queue */
	int rc;
	int64_t others_uncommitted;	/* rows of other writes it saw in its transaction */
	pthread_t thread;
};

static int count(struct store_tx *tx, void *ctx, struct err *e)
{
	return store_query_int(tx, e, ctx, "SELECT count(*) FROM shops WHERE id LIKE 'gc-%'", "");
}

static int write_shop(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_write *w = ctx;
	char id[32], name[32];
	int64_t in_tx = 0, committed = 0;
	int rc;

	if (w->hold)
		usleep(200 * 1000);
	/* Rows this transaction sees that no snapshot does: other writes of
	 * the same batch, not yet committed. */
	if ((rc = count(tx, &in_tx, e)) || (rc = store_read(w->st, count, &committed, e)))
		return rc;
	w->others_uncommitted = in_tx - committed;
	snprintf(id, sizeof(id), "gc-%d", w->n);
	snprintf(name, sizeof(name), "shop %d", w->n);
	rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ($1, $2, 1)",
			"ss", id, name);
	if (rc < 0)
		return rc;
	if (w->how == REFUSED_AFTER_WRITING) {
		snprintf(id, sizeof(id), "gc-%d-second", w->n);
		rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ($1, $2, 1)",
				"ss", id, name);
		if (rc < 0)
			return rc;
		return err_set(e, ERR_REFUSED, NULL, "refused after two writes");
	}
	if (w->how == TAKES_A_TAKEN_ID) {
		rc = store_exec(tx, e, "INSERT INTO shops (id, name, created_at) VALUES ('gc-0', 'x', 1)",
				"");
		cr_assert(rc < 0 && store_tx_was_unique_violation(tx));
		return rc;
	}
	return 0;
}

static void *run_shop_write(void *p)
{
	struct shop_write *w = p;
	struct err e;
	w->rc = store_write(w->st, write_shop, w, &e);
	return NULL;
}

struct exists {
	const char *id;
	int64_t n;
};

static int count_id(struct store_tx *tx, void *ctx, struct err *e)
{
	struct exists *x = ctx;
	return store_query_int(tx, e, &x->n, "SELECT count(*) FROM shops WHERE id = $1", "s",
			       x->id);
}

static int shop_exists(struct store *st, const char *id)
{
	struct err e;
	struct exists x = { id, -1 };
	cr_assert_eq(store_read(st, count_id, &x, &e), 0);
	return (int)x.n;
}

Test(group_commit, a_failing_write_in_a_batch_leaves_no_trace_and_the_others_commit)
{
	struct store *st;
	struct err e;
	struct shop_write w[16] = { 0 };
	int64_t seen = 0;

	snprintf(path, sizeof(path), "/tmp/retain-unit-gc-%d.db", getpid());
	remove_db();
	cr_assert_eq(store_open(path, &st, &e), 0, "%s", e.message);
	for (int i = 0; i < 16; i++) {
		w[i] = (struct shop_write){ .st = st, .n = i, .hold = i == 0 };
		w[i].how = i == 0 || i % 3 == 0 ? COMMITS : i % 3 == 1 ? REFUSED_AFTER_WRITING
								  : TAKES_A_TAKEN_ID;
	}
	pthread_create(&w[0].thread, NULL, run_shop_write, &w[0]);
	usleep(50 * 1000);	/* w[0] leads a batch and holds it */
	for (int i = 1; i < 16; i++)
		pthread_create(&w[i].thread, NULL, run_shop_write, &w[i]);
	for (int i = 0; i < 16; i++)
		pthread_join(w[i].thread, NULL);

	for (int i = 0; i < 16; i++) {
		char id[32];
		snprintf(id, sizeof(id), "gc-%d", i);
		if (w[i].how == COMMITS) {
			cr_assert_eq(w[i].rc, 0, "write %d", i);
			cr_assert_eq(shop_exists(st, id), 1, "write %d committed", i);
		} else {
			cr_assert_eq(w[i].rc, w[i].how == REFUSED_AFTER_WRITING ? ERR_REFUSED
										: ERR_CONFLICT, "write %d", i);
			cr_assert_eq(shop_exists(st, id), 0, "write %d left its first row", i);
			snprintf(id, sizeof(id), "gc-%d-second", i);
			cr_assert_eq(shop_exists(st, id), 0, "write %d left its second row", i);
		}
		if (w[i].others_uncommitted > seen)
			seen = w[i].others_uncommitted;
	}
	cr_assert_gt(seen, 0, "no write saw another's uncommitted row: nothing was batched");
	store_close(st);
	remove_db();
}
