/*
 * recommend.h: a customer's personal recommendations (issue 12): gathers
 * from the store what analytics/ranking.h ranks, within bounds that keep the
 * read fast on a large shop (docs/recommendations.md, "Performance"):
 *
 *   bought       every SKU of the customer's paid, not fully refunded orders
 *                (status paid or partially_refunded): never recommended;
 *   seeds        the RECOMMEND_SEEDS_MAX of them bought most recently (by the
 *                order's placed_at, then SKU), each with its top
 *                RECOMMEND_PARTNERS_MAX partners from copurchase (one range
 *                of the copurchase_top index: orders, then partner);
 *   searches     the customer's RECOMMEND_SEARCHES_MAX most recently searched
 *                queries, each with its top RECOMMEND_PARTNERS_MAX SKUs from
 *                search_skus (customers, then SKU), then its
 *                RECOMMEND_MATCHES_MAX most popular text matches
 *                (core/product_text.h) among the SKUs neither bought nor
 *                already among those (ranking.h's second tier);
 *   interests    given by the caller (below).
 *
 * The interest seam. The caller passes the interests the viewer of the
 * recommendations may use for this customer, already filtered by visibility
 * and consent: a list of {key, the shop's SKUs tagged with it}, in the order
 * the caller wants them to weigh (earlier wins a tie). recommend_for()
 * neither reads nor checks visibility: whoever fills the list owns that
 * (the profiles' visibility function, issue 12). NULL with n = 0: no
 * interests, matches_interest yields nothing. Strings are borrowed for the
 * call; the list may live in the caller's arena.
 */
#ifndef RETAIN_RECOMMEND_H
#define RETAIN_RECOMMEND_H

#include "../analytics/ranking.h"
#include "../base/arena.h"
#include "../store/store.h"

#define RECOMMEND_LIMIT_MAX 100
#define RECOMMEND_LIMIT_DEFAULT 10
#define RECOMMEND_SEEDS_MAX 20
#define RECOMMEND_SEARCHES_MAX 10
#define RECOMMEND_PARTNERS_MAX 30
#define RECOMMEND_MATCHES_MAX 30

struct recommend_interest {
	const char *key;
	const char *const *skus;
	int nskus;
};

/* Up to limit items for customer (a resolved id) into an arena array; *more
 * when there were more candidates. */
int recommend_for(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const struct recommend_interest *interests, int ninterests, int limit,
		  struct ranking_item **out, int *n, int *more, struct err *e);

#endif
