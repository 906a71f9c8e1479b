/*
 * group.h: group commit, independent of the engine (store-internal).
 *
 * Concurrent writers queue their callbacks. The writer at the head of the
 * queue becomes the leader: it takes every write queued at that moment (at
 * most max), hands them to the engine's batch function, which runs them in
 * one transaction with one durable commit and sets each write's rc, and then
 * wakes each writer of the batch and the next leader. A lone writer leads a
 * batch of one at once: nobody waits for company, so light load adds no
 * latency, and batches grow only with the number of writers waiting.
 *
 * The batch function runs on the leader's thread, the callbacks with it:
 * a callback must not depend on the thread it runs on (store.h).
 *
 * An engine may split the commit in two (sqlite.c does): the batch function
 * commits without waiting for the disk and returns a ticket, the next leader
 * starts its batch at once, and the sync function, run by this leader after
 * that, returns once everything up to the ticket is durable. One sync then
 * covers every batch committed before it started, and a batch's callbacks
 * run while the one before it waits for the disk. The writers of a batch are
 * woken only after its sync.
 *
 * A waiting writer sleeps on a futex word in its own frame, woken once: as
 * the next leader or with its batch durable. The leader wakes them after
 * releasing the queue's lock (a condition variable signalled under the lock
 * woke a writer that then slept again on the lock: bench/README.md, the
 * sixth round), and only those it must. The engine's ready function, called by a leader
 * before it takes its batch, may hold it back while a batch committed before
 * is still waiting for a sync that has not started: such a leader's batch
 * could not be durable any sooner, and the writers queued meanwhile join it.
 */
#ifndef RETAIN_STORE_GROUP_H
#define RETAIN_STORE_GROUP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "store.h"

struct group_write {
	store_fn fn;
	void *ctx;
	struct err *e;
	int rc;			/* the write's outcome, set by the batch function */
	/* private to group.c */
	_Atomic int state;	/* GROUP_WAITING, then GROUP_LEAD or GROUP_DONE */
	struct group_write *next;
};

/* Runs w[0..n-1] in one transaction and commits it; sets every w[i]->rc
 * (and w[i]->e on error). Returns 0 when the commit is durable already (or
 * nothing committed), else a ticket for the sync function. */
typedef uint64_t (*group_batch_fn)(void *engine, struct group_write **w, int n);
/* Returns once the commits up to ticket are durable; on failure turns the
 * rc of each w[i] that succeeded into an error. */
typedef void (*group_sync_fn)(void *engine, uint64_t ticket, struct group_write **w, int n);
/* Returns when the engine may take the next batch. */
typedef void (*group_ready_fn)(void *engine);

struct group {
	pthread_mutex_t lock;
	struct group_write *head, *tail;
	int max;
	group_batch_fn run;
	group_sync_fn sync;	/* NULL: run's commits are durable */
	group_ready_fn ready;	/* NULL: at once */
	void *engine;
	uint64_t batches, writes;	/* under lock: for tests and figures */
};

/* max < 1 is taken as 1 (one commit per write). sync and ready may be NULL. */
void group_init(struct group *g, int max, group_batch_fn run, group_sync_fn sync,
		group_ready_fn ready, void *engine);
void group_destroy(struct group *g);
/* Queues fn and returns once its batch is committed: fn's rc. */
int group_write(struct group *g, store_fn fn, void *ctx, struct err *e);

#endif
