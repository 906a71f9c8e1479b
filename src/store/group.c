/* group.c: see group.h. The queue is the writers' own stack frames, linked. */
#include "group.h"

#include <assert.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#define GROUP_MAX 256

enum { GROUP_WAITING, GROUP_LEAD, GROUP_DONE };

void group_init(struct group *g, int max, group_batch_fn run, group_sync_fn sync,
		group_ready_fn ready, void *engine)
{
	pthread_mutex_init(&g->lock, NULL);
	g->head = g->tail = NULL;
	g->max = max < 1 ? 1 : max > GROUP_MAX ? GROUP_MAX : max;
	g->run = run;
	g->sync = sync;
	g->ready = ready;
	g->engine = engine;
	g->batches = g->writes = 0;
}

void group_destroy(struct group *g)
{
	assert(!g->head);
	pthread_mutex_destroy(&g->lock);
}

/* Sleeps until w->state leaves GROUP_WAITING; returns the new state. */
static int await(struct group_write *w)
{
	int s;
	while ((s = atomic_load_explicit(&w->state, memory_order_acquire)) == GROUP_WAITING)
		syscall(SYS_futex, &w->state, FUTEX_WAIT_PRIVATE, GROUP_WAITING, NULL, NULL, 0);
	return s;
}

/* Hands w its new state (and, for GROUP_DONE, the rc and error written
 * before) and wakes it. Once the store is seen, w may return and its frame
 * be gone: the wake then names an address nobody waits on, which the kernel
 * ignores (glibc's own mutex unlock wakes the same way). */
static void wake(struct group_write *w, int state)
{
	_Atomic int *word = &w->state;
	atomic_store_explicit(word, state, memory_order_release);
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

int group_write(struct group *g, store_fn fn, void *ctx, struct err *e)
{
	struct group_write self = { .fn = fn, .ctx = ctx, .e = e, .state = GROUP_WAITING };
	struct group_write *batch[GROUP_MAX];
	int n = 0;

	pthread_mutex_lock(&g->lock);
	if (g->tail)
		g->tail->next = &self;
	else
		g->head = &self;
	g->tail = &self;
	int lead = g->head == &self;
	pthread_mutex_unlock(&g->lock);
	if (!lead && await(&self) == GROUP_DONE)
		return self.rc;
	/* The leader: at the head of the queue, which only it unlinks. */
	if (g->ready)
		g->ready(g->engine);
	pthread_mutex_lock(&g->lock);
	/* Everyone queued now, up to max, itself first. */
	for (struct group_write *w = g->head; w && n < g->max; w = w->next)
		batch[n++] = w;
	g->batches++;
	g->writes += (uint64_t)n;
	pthread_mutex_unlock(&g->lock);
	assert(batch[0] == &self);
	uint64_t ticket = g->run(g->engine, batch, n);
	/* Unlinks the batch; the next in the queue leads the next batch,
	 * while this one waits for its sync. */
	pthread_mutex_lock(&g->lock);
	struct group_write *next = g->head = batch[n - 1]->next;
	if (!next)
		g->tail = NULL;
	pthread_mutex_unlock(&g->lock);
	if (next)
		wake(next, GROUP_LEAD);
	if (ticket && g->sync)
		g->sync(g->engine, ticket, batch, n);
	/* Once durable: the batch's writers, no longer in the queue. */
	for (int i = 1; i < n; i++)
		wake(batch[i], GROUP_DONE);
	return self.rc;
}
