/* ids.c: see ids.h. */
#include "ids.h"

#include <pthread.h>
#include <string.h>

#include "secure.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The last (time, random) pair handed out: within one millisecond (or under a
 * frozen test clock) the next id counts up from it by 1 to 256, so ids stay in
 * creation order inside a process and a millisecond's ids start at a random
 * point of the range in each process. */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_time, last_rand;

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

void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms)
{
	uint32_t rnd = pool_word();
	size_t plen = strlen(prefix);
	uint64_t t = (uint64_t)now_ms & ((1ull << 48) - 1), r;

	r = rnd & ((1u << 30) - 1);
	pthread_mutex_lock(&last_lock);
	/* Within the last id's millisecond (or behind it) count up from it,
	 * rather than taking a larger random number when one comes: that made
	 * every process's ids of a busy millisecond climb to the top of the
	 * range, where several nodes then counted up side by side and met (two
	 * events_pkey conflicts of the PostgreSQL races under a frozen clock). */
	if (t <= last_time) {
		t = last_time;
		r = last_rand + 1 + (rnd & 0xff);	/* still unguessable in its low bits */
		if (r >= (1u << 30)) {
			t++;
			r &= (1u << 29) - 1;
		}
	}
	last_time = t;
	last_rand = r;
	pthread_mutex_unlock(&last_lock);
	memcpy(out, prefix, plen);
	/* 48 bits of time, most significant first, as 10 chars (50 bits). */
	for (int i = 9; i >= 0; i--) {
		out[plen + (size_t)i] = crockford[t & 31];
		t >>= 5;
	}
	/* 30 bits of the random part as 6 chars. */
	for (int i = 15; i >= 10; i--) {
		out[plen + (size_t)i] = crockford[r & 31];
		r >>= 5;
	}
	out[plen + 16] = '\0';
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
