/*
 * product_text.h: the shop's product text index (issue 12, "search text
 * matches", docs/recommendations.md): one row per (shop, SKU) the shop sold,
 * with the name and category of its latest paid order line that had them, a
 * case-folded search text, and a popularity: how many paid, not fully
 * refunded orders hold the SKU. Kept incrementally beside the co-purchase
 * counts and by the same bookkeeping (core/copurchase.h: copurchase_orders
 * records each counted order, with texts = 1 once its SKUs are counted here),
 * so a rerun or a redelivered webhook counts an order once, and a full refund
 * takes out exactly what its payment put in. A SKU whose count falls to 0
 * leaves the index.
 *
 * Folding. The search text is sku, name and category, each lower-cased by
 * casemap_lower_utf8() (base/casemap.h), one per line: the folding
 * activity_check() applies to a search's query (core/activity.h), so a
 * stored query and a stored text compare byte for byte. A query matches a
 * product when every one of its words (split at the single spaces the
 * normalised query keeps) is found in the text, in any order, literally
 * (a "%" or "_" is no wildcard).
 *
 * Orders paid before migration 018 are not in the index: it fills from new
 * payments (docs/decisions.md, "Issue 12: search text matches", says why).
 */
#ifndef RETAIN_PRODUCT_TEXT_H
#define RETAIN_PRODUCT_TEXT_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"
#include "order.h"

/* Words of a query the store matches; a longer query's further words are
 * checked on the rows it returns (product_text_match()). */
#define PRODUCT_TEXT_WORDS_SQL 8

/* The folded search text of (sku, name, category) into a (NULL names and
 * categories are left out). */
const char *product_text_fold(struct arena *a, const char *sku, const char *name,
			      const char *category);

/* o (with its lines) has just been counted paid (copurchase_orders says so,
 * once): every distinct SKU of it gets its latest text and one order more. */
int product_text_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct order *o, struct err *e);
/* o, counted here, has just become fully refunded: one order fewer for each
 * of its SKUs; a SKU at 0 goes. */
int product_text_on_order_refunded(struct store_tx *tx, struct arena *a, const char *shop,
				   const struct order *o, struct err *e);

struct product_text_hit {
	const char *sku;
	int64_t orders;
};

/*
 * The SKUs whose text has every word of query (normalised: activity_check()),
 * most popular first, then by SKU, at most max into an arena array, skipping
 * those in skip (sorted by strcmp, nskip of them: what the caller will drop
 * anyway, so that they do not use up max).
 */
int product_text_match(struct store_tx *tx, struct arena *a, const char *shop, const char *query,
		       const char *const *skip, int nskip, int max,
		       struct product_text_hit **out, int *n, struct err *e);

#endif
