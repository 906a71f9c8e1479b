/* ids.c: see ids.h. */
#include "ids.h"

#include <string.h>

#include "secure.h"

static const char crockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void id_new(char out[ID_MAX], const char *prefix, int64_t now_ms)
{
	uint32_t rnd;
	size_t plen = strlen(prefix);
	uint64_t t = (uint64_t)now_ms & ((1ull << 48) - 1);

	secure_random(&rnd, sizeof(rnd));
	memcpy(out, prefix, plen);
	/* 48 bits of time, most significant first, as 10 chars (50 bits). */
	for (int i = 9; i >= 0; i--) {
		out[plen + (size_t)i] = crockford[t & 31];
		t >>= 5;
	}
	/* 32 random bits as 6 chars (30 bits shown; 2 dropped). */
	for (int i = 15; i >= 10; i--) {
		out[plen + (size_t)i] = crockford[rnd & 31];
		rnd >>= 5;
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
