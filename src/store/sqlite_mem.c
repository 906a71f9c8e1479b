/* sqlite_mem.c: see sqlite_mem.h. */
#include "sqlite_mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stddef.h>

/* The size SQLite asks for a piece of an in-memory journal
 * (MEMJOURNAL_DFLT_FILECHUNKSIZE in its memjournal.c). */
#define MEM_PIECE 1024
/* Kept per thread, at most: 256 KiB, more than one write's sub-journal. */
#define MEM_KEEP 256

struct kept {
	struct kept *next;
};

struct pool {
	struct kept *head;
	int n;
};

static sqlite3_mem_methods real;
static pthread_key_t key;
static __thread struct pool pool;

/* A thread's end: its kept blocks go back to the allocator. */
static void pool_drain(void *arg)
{
	struct pool *p = arg;
	while (p->head) {
		struct kept *k = p->head;
		p->head = k->next;
		real.xFree(k);
	}
	p->n = 0;
}

static void *mem_malloc(int n)
{
	if (n == MEM_PIECE && pool.head) {
		struct kept *k = pool.head;
		pool.head = k->next;
		pool.n--;
		return k;
	}
	return real.xMalloc(n);
}

static void mem_free(void *p)
{
	if (p && pool.n < MEM_KEEP && real.xSize(p) == MEM_PIECE) {
		if (!pool.n)	/* the first block kept: drained when the thread ends */
			pthread_setspecific(key, &pool);
		struct kept *k = p;
		k->next = pool.head;
		pool.head = k;
		pool.n++;
		return;
	}
	real.xFree(p);
}

static void *mem_realloc(void *p, int n)
{
	return real.xRealloc(p, n);
}

static int mem_size(void *p)
{
	return real.xSize(p);
}

static int mem_roundup(int n)
{
	return real.xRoundup(n);
}

static int mem_init(void *arg)
{
	return real.xInit(arg);
}

static void mem_shutdown(void *arg)
{
	pool_drain(&pool);
	real.xShutdown(arg);
}

int sqlite_mem_install(void)
{
	static sqlite3_mem_methods wrap = {
		mem_malloc, mem_free, mem_realloc, mem_size, mem_roundup, mem_init, mem_shutdown, NULL,
	};
	if (sqlite3_config(SQLITE_CONFIG_GETMALLOC, &real) != SQLITE_OK || !real.xMalloc ||
	    !real.xSize || real.xRoundup(MEM_PIECE) != MEM_PIECE)
		return -1;
	wrap.pAppData = real.pAppData;
	if (pthread_key_create(&key, pool_drain))
		return -1;
	return sqlite3_config(SQLITE_CONFIG_MALLOC, &wrap) == SQLITE_OK ? 0 : -1;
}
