/* group.c: see group.h. The queue is the writers' own stack frames, linked. */
#include "group.h"

#include <assert.h>

#define GROUP_MAX 256

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

/* Called by the leader, lock held, once its batch w[0..n-1] committed:
 * unlinks the batch and wakes the next leader. The batch's writers, no
 * longer in the queue, wait on for done. */
static void detach(struct group *g, struct group_write **w, int n)
{
	g->head = w[n - 1]->next;
	if (!g->head)
		g->tail = NULL;
	if (g->head)
		pthread_cond_signal(&g->head->cond);
}

/* Lock held, once the batch is durable: wakes its writers. A woken writer
 * returns and frees its frame only after the lock is released. */
static void finish(struct group_write **w, int n)
{
	for (int i = 0; i < n; i++) {
		w[i]->done = 1;
		pthread_cond_signal(&w[i]->cond);
	}
}

int group_write(struct group *g, store_fn fn, void *ctx, struct err *e)
{
	struct group_write self = { .fn = fn, .ctx = ctx, .e = e };
	struct group_write *batch[GROUP_MAX];
	int n = 0;

	pthread_cond_init(&self.cond, NULL);
	pthread_mutex_lock(&g->lock);
	if (g->tail)
		g->tail->next = &self;
	else
		g->head = &self;
	g->tail = &self;
	while (!self.done && g->head != &self)
		pthread_cond_wait(&self.cond, &g->lock);
	if (!self.done) {
		if (g->ready) {
			pthread_mutex_unlock(&g->lock);
			g->ready(g->engine);
			pthread_mutex_lock(&g->lock);
		}
		/* The leader: everyone queued now, up to max, itself first. */
		for (struct group_write *w = g->head; w && n < g->max; w = w->next)
			batch[n++] = w;
		g->batches++;
		g->writes += (uint64_t)n;
		pthread_mutex_unlock(&g->lock);
		uint64_t ticket = g->run(g->engine, batch, n);
		pthread_mutex_lock(&g->lock);
		detach(g, batch, n);
		if (ticket && g->sync) {
			pthread_mutex_unlock(&g->lock);
			g->sync(g->engine, ticket, batch, n);
			pthread_mutex_lock(&g->lock);
		}
		finish(batch, n);
	}
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&self.cond);
	return self.rc;
}
