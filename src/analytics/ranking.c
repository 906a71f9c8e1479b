/* ranking.c: see ranking.h for the rules. */
#include "ranking.h"

#include <stdlib.h>
#include <string.h>

const char *const ranking_reasons[RANKING_REASON_COUNT] = {
	"bought_together", "matches_search", "matches_interest",
};

struct candidate {
	const char *sku, *because;
	int64_t score, best;	/* best: the because source's count */
	int source;		/* the because source's position */
	int tier;		/* 0: an item, 1: a text match */
};

static int strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int by_sku_then_source(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	int c = strcmp(a->sku, b->sku);
	if (c)
		return c;
	if (a->tier != b->tier)
		return a->tier < b->tier ? -1 : 1;
	return (a->source > b->source) - (a->source < b->source);
}

static int by_rank(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->tier != b->tier)
		return a->tier < b->tier ? -1 : 1;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	if (a->source != b->source)
		return a->source < b->source ? -1 : 1;
	return strcmp(a->sku, b->sku);
}

static int in_sorted(const char *const *set, int n, const char *sku)
{
	return n > 0 && bsearch(&sku, set, (size_t)n, sizeof(*set), strings) != NULL;
}

/* One reason's candidates, ranked. */
static struct candidate *rank_reason(struct arena *a, const struct ranking_input *in, int reason,
				     const char *const *excluded, int nexcluded, int *n)
{
	const struct ranking_source *src = in->sources[reason];
	int total = 0, k = 0;
	for (int s = 0; s < in->nsources[reason]; s++)
		total += src[s].nitems + src[s].nmatches;
	struct candidate *c = arena_alloc(a, (size_t)(total + 1) * sizeof(*c));
	for (int s = 0; s < in->nsources[reason]; s++)
		for (int tier = 0; tier < 2; tier++) {
			const struct ranking_count *list = tier ? src[s].matches : src[s].items;
			int nlist = tier ? src[s].nmatches : src[s].nitems;
			for (int i = 0; i < nlist; i++) {
				const struct ranking_count *it = &list[i];
				int64_t count = reason == RANKING_MATCHES_INTEREST ? 1 : it->count;
				if (count <= 0 || in_sorted(excluded, nexcluded, it->sku))
					continue;
				c[k++] = (struct candidate){ it->sku, src[s].name, count, count, s, tier };
			}
		}
	/* A SKU's rows come together, its items' (tier 0) first. */
	qsort(c, (size_t)k, sizeof(*c), by_sku_then_source);
	*n = 0;
	for (int i = 0; i < k; i++) {
		struct candidate *last = *n ? &c[*n - 1] : NULL;
		if (!last || strcmp(last->sku, c[i].sku)) {
			c[(*n)++] = c[i];
			continue;
		}
		if (c[i].tier != last->tier)	/* a text match of a SKU that is an item */
			continue;
		/* The sum of counts saturates rather than overflows. */
		last->score = last->score > INT64_MAX - c[i].score ? INT64_MAX : last->score + c[i].score;
		if (c[i].best > last->best) {	/* equal: the earlier source stays */
			last->best = c[i].best;
			last->because = c[i].because;
			last->source = c[i].source;
		}
	}
	qsort(c, (size_t)*n, sizeof(*c), by_rank);
	return c;
}

static int taken(const struct ranking_item *out, int n, const char *sku)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(out[i].sku, sku))
			return 1;
	return 0;
}

void ranking_recommend(struct arena *a, const struct ranking_input *in, int limit,
		       struct ranking_item **out, int *n, int *more)
{
	struct candidate *c[RANKING_REASON_COUNT];
	int nc[RANKING_REASON_COUNT], next[RANKING_REASON_COUNT] = { 0 };
	int nbought = in->nbought, nsources = in->nsources[RANKING_BOUGHT_TOGETHER];
	const char **excluded = arena_alloc(a, (size_t)(nbought + nsources + 1) * sizeof(*excluded));

	/* Bought SKUs, and the bought_together sources (bought too). */
	for (int i = 0; i < nbought; i++)
		excluded[i] = in->bought[i];
	for (int i = 0; i < nsources; i++)
		excluded[nbought + i] = in->sources[RANKING_BOUGHT_TOGETHER][i].name;
	qsort(excluded, (size_t)(nbought + nsources), sizeof(*excluded), strings);
	for (int r = 0; r < RANKING_REASON_COUNT; r++)
		c[r] = rank_reason(a, in, r, excluded, nbought + nsources, &nc[r]);

	*n = 0;
	*more = 0;
	*out = arena_alloc(a, (size_t)(limit > 0 ? limit : 1) * sizeof(**out));
	for (int progress = 1; progress;) {
		progress = 0;
		for (int r = 0; r < RANKING_REASON_COUNT; r++) {
			while (next[r] < nc[r] && taken(*out, *n, c[r][next[r]].sku))
				next[r]++;
			if (next[r] == nc[r])
				continue;
			if (*n == limit) {
				*more = 1;
				return;
			}
			const struct candidate *best = &c[r][next[r]++];
			(*out)[(*n)++] = (struct ranking_item){ best->sku, (enum ranking_reason)r,
								best->because, best->score };
			progress = 1;
		}
	}
}
