/* casemap.c: see casemap.h. */
#include "casemap.h"

#include "utf8.h"

struct casemap_run {
	uint32_t first, last;
	int32_t delta;
	uint8_t stride;
};

struct casemap_range {
	uint32_t first, last;
};

#include "casemap_table.h"

uint32_t casemap_lower(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(casemap_runs) / sizeof(casemap_runs[0]);
	if (cp < 0x80)	/* the common case, without a search */
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	while (lo < hi) {	/* the last run whose first is <= cp */
		size_t mid = lo + (hi - lo) / 2;
		if (casemap_runs[mid].first <= cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return cp;
	const struct casemap_run *r = &casemap_runs[lo - 1];
	if (cp > r->last || (cp - r->first) % r->stride)
		return cp;
	return (uint32_t)((int64_t)cp + r->delta);
}

int casemap_is_ignorable(uint32_t cp)
{
	size_t lo = 0, hi = sizeof(casemap_ignorable) / sizeof(casemap_ignorable[0]);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (casemap_ignorable[mid].last < cp)
			lo = mid + 1;
		else if (casemap_ignorable[mid].first > cp)
			hi = mid;
		else
			return 1;
	}
	return 0;
}

/* Encodes cp into out (room for 4 bytes); returns its length. */
static int encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

long casemap_lower_utf8(const char *s, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = 0;
	while (n) {
		uint32_t cp;
		char enc[4];
		size_t used = utf8_decode(p, n, &cp);
		if (!used)
			return CASEMAP_INVALID_UTF8;
		int w = encode(casemap_lower(cp), enc);
		if (len + (size_t)w + 1 > cap)
			return CASEMAP_TOO_LONG;
		for (int i = 0; i < w; i++)
			out[len++] = enc[i];
		p += used;
		n -= used;
	}
	if (cap == 0)
		return CASEMAP_TOO_LONG;
	out[len] = '\0';
	return (long)len;
}
