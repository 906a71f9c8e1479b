/* ids.c: see ids.h. */
#include "ids.h"

#include <pthread.h>
#include <string.h>

#include "secure.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

#define NODE_MASK ((1u << ID_NODE_BITS) - 1)
#define COUNT_LIMIT (1u << ID_COUNT_BITS)
#define COUNT_START_MASK ((1u << (ID_COUNT_BITS - 1)) - 1)

/* The process's maker. Its node is drawn at random on first use unless the
 * store set one before (node_set). */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct id_maker process;
static int node_set;

/* Random bits for ids come from libsodium's generator 256 bytes at a time,
 * per thread: one getrandom() per 64 ids instead of one per id (every request
 * takes one for its request id; bench/README.md, issue 10's fourth round).
 * Ids are not secrets, so the unused bytes left in memory protect nothing;
 * secure_random() itself stays unbuffered for keys and tokens. */
static _Thread_local struct {
	uint32_t word[64];
	unsigned next;
} pool = { .next = 64 };

static uint32_t pool_word(void)
{
	if (pool.next == 64) {
		secure_random(pool.word, sizeof(pool.word));
		pool.next = 0;
	}
	return pool.word[pool.next++];
}

void id_make(struct id_maker *m, char out[ID_MAX], const char *prefix, int64_t now_ms,
	     uint32_t rnd)
{
	size_t plen = strlen(prefix);
	uint64_t t = (uint64_t)now_ms & ((1ull << 48) - 1), count, r;

	/* A new millisecond starts its count at a random point of the lower
	 * half; within the last id's millisecond (or behind it, a clock moved
	 * back) the count goes up by 1 to 4, and past the top it borrows the
	 * next millisecond. Only counting up: taking any larger random number
	 * made every process's ids of a busy millisecond climb to the top of
	 * the range, where nodes then met (two events_pkey conflicts of the
	 * PostgreSQL races under a frozen clock, 2026-12-01). */
	count = rnd & COUNT_START_MASK;
	if (t <= m->last_time) {
		t = m->last_time;
		count = m->last_count + 1 + (rnd >> 30);
		if (count >= COUNT_LIMIT) {
			t++;
			count = rnd & COUNT_START_MASK;
		}
	}
	m->last_time = t;
	m->last_count = count;
	r = (uint64_t)(m->node & NODE_MASK) << ID_COUNT_BITS | count;
	memcpy(out, prefix, plen);
	/* 48 bits of time, most significant first, as 10 chars (50 bits). */
	for (int i = 9; i >= 0; i--) {
		out[plen + (size_t)i] = crockford[t & 31];
		t >>= 5;
	}
	/* node and count, 30 bits, as 6 chars. */
	for (int i = 15; i >= 10; i--) {
		out[plen + (size_t)i] = crockford[r & 31];
		r >>= 5;
	}
	out[plen + 16] = '\0';
}

void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms)
{
	uint32_t rnd = pool_word();
	pthread_mutex_lock(&lock);
	if (!node_set) {
		process.node = pool_word() & NODE_MASK;
		node_set = 1;
	}
	id_make(&process, out, prefix, now_ms, rnd);
	pthread_mutex_unlock(&lock);
}

void id_set_node(uint64_t node)
{
	pthread_mutex_lock(&lock);
	process.node = (uint32_t)(node & NODE_MASK);
	node_set = 1;
	/* The next id goes to a later millisecond, so it sorts after every id
	 * made under the old node number, whatever the two numbers. */
	process.last_count = COUNT_LIMIT;
	pthread_mutex_unlock(&lock);
}

unsigned id_node(void)
{
	pthread_mutex_lock(&lock);
	if (!node_set) {
		process.node = pool_word() & NODE_MASK;
		node_set = 1;
	}
	unsigned n = process.node;
	pthread_mutex_unlock(&lock);
	return n;
}

int id_valid(const char *s, const char *prefix)
{
	size_t plen = strlen(prefix);
	if (strncmp(s, prefix, plen) != 0 || strlen(s) != plen + 16)
		return 0;
	for (const char *p = s + plen; *p; p++)
		if (!strchr(crockford, *p))
			return 0;
	return 1;
}
