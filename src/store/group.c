/* group.c: see group.h. The queue is the writers' own stack frames, linked. */
#include "group.h"

#include <assert.h>

#define GROUP_MAX 256

void group_init(struct group *g, int max, group_batch_fn run, void *engine)
{
	pthread_mutex_init(&g->lock, NULL);
	g->head = g->tail = NULL;
	g->max = max < 1 ? 1 : max > GROUP_MAX ? GROUP_MAX : max;
	g->run = run;
	g->engine = engine;
	g->batches = g->writes = 0;
}

void group_destroy(struct group *g)
{
	assert(!g->head);
	pthread_mutex_destroy(&g->lock);
}

/* Called by the leader, lock held, after its batch w[0..n-1] committed:
 * unlinks the batch, wakes its writers and the next leader. A woken writer
 * returns and frees its frame only after the lock is released. */
static void finish(struct group *g, struct group_write **w, int n)
{
	g->head = w[n - 1]->next;
	if (!g->head)
		g->tail = NULL;
	for (int i = 0; i < n; i++) {
		w[i]->done = 1;
		pthread_cond_signal(&w[i]->cond);
	}
	if (g->head)
		pthread_cond_signal(&g->head->cond);
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
		/* The leader: everyone queued now, up to max, itself first. */
		for (struct group_write *w = g->head; w && n < g->max; w = w->next)
			batch[n++] = w;
		g->batches++;
		g->writes += (uint64_t)n;
		pthread_mutex_unlock(&g->lock);
		g->run(g->engine, batch, n);
		pthread_mutex_lock(&g->lock);
		finish(g, batch, n);
	}
	pthread_mutex_unlock(&g->lock);
	pthread_cond_destroy(&self.cond);
	return self.rc;
}
