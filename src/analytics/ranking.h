/*
 * ranking.h: personal recommendations ranked from what the store gathered
 * (core/recommend.h gathers it): a pure function, no SQL, no clock, no
 * state, so the rules below are unit-tested on their own
 * (tests/unit/test_ranking.c) and documented in docs/recommendations.md.
 *
 * Three reasons, each with its sources in priority order:
 *   RANKING_BOUGHT_TOGETHER  a source is a SKU the customer bought (most
 *                            recently bought first), its items the SKUs
 *                            bought with it and in how many orders;
 *   RANKING_MATCHES_SEARCH   a source is a query the customer searched (most
 *                            recent first), its items the SKUs the shop's
 *                            customers went on to view or buy and how many
 *                            customers did;
 *   RANKING_MATCHES_INTEREST a source is an interest key (in the caller's
 *                            order), its items the SKUs tagged with it
 *                            (their count is ignored: each counts 1).
 *
 * A source may also carry text matches (matches_search: the SKUs whose
 * product text has every word of the query, core/product_text.h, their
 * count the SKU's popularity): a second tier, ranked after every item of the
 * reason's sources. A SKU that is an item of any source of the reason is in
 * the first tier whatever matches it; otherwise it is a text match.
 *
 * Per reason and tier, a SKU's score is the sum of its counts over the
 * sources, and its "because" the source that gave it the largest count (a
 * tie: the source that comes first). Candidates are ordered by tier (items
 * first), then score (higher first), then by the position of their
 * "because" source (earlier first), then by SKU (bytewise). A SKU in bought (and, for bought_together, a source SKU) is
 * never a candidate. The result interleaves the reasons: the best remaining
 * bought_together, then matches_search, then matches_interest, round after
 * round, a SKU already taken skipped, until limit items or none is left.
 */
#ifndef RETAIN_RANKING_H
#define RETAIN_RANKING_H

#include <stdint.h>

#include "../base/arena.h"

enum ranking_reason {
	RANKING_BOUGHT_TOGETHER,
	RANKING_MATCHES_SEARCH,
	RANKING_MATCHES_INTEREST,
	RANKING_REASON_COUNT
};

/* "bought_together", "matches_search", "matches_interest". */
extern const char *const ranking_reasons[RANKING_REASON_COUNT];

struct ranking_count {
	const char *sku;
	int64_t count;		/* > 0 */
};

struct ranking_source {
	const char *name;	/* the SKU bought, the query, the interest key */
	const struct ranking_count *items;
	int nitems;
	const struct ranking_count *matches;	/* the text matches, tier two */
	int nmatches;
};

struct ranking_input {
	const char *const *bought;	/* every SKU the customer bought, any order */
	int nbought;
	const struct ranking_source *sources[RANKING_REASON_COUNT];
	int nsources[RANKING_REASON_COUNT];
};

struct ranking_item {
	const char *sku;
	enum ranking_reason reason;
	const char *because;	/* a source's name */
	int64_t score;
};

/* Ranks in into *out (an arena array, strings borrowed from in): at most
 * limit items; *more = 1 when candidates were left over. */
void ranking_recommend(struct arena *a, const struct ranking_input *in, int limit,
		       struct ranking_item **out, int *n, int *more);

#endif
