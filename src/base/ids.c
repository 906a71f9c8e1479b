/* ids.c: see ids.h. */
#include "ids.h"

#include <pthread.h>
#include <string.h>

#include "secure.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The last (time, random) pair handed out: within one millisecond (or under a
 * frozen test clock) the next id counts up from it, so ids stay in creation
 * order inside a process. */
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t last_time, last_rand;

void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms)
{
	uint32_t rnd;
	size_t plen = strlen(prefix);
	uint64_t t = (uint64_t)now_ms & ((1ull << 48) - 1), r;

	secure_random(&rnd, sizeof(rnd));
	r = rnd & ((1u << 30) - 1);
	pthread_mutex_lock(&last_lock);
	if (t < last_time || (t == last_time && r <= last_rand)) {
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
