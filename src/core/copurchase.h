/*
 * copurchase.h: co-purchase counts over all of a shop's paid orders (issue
 * 12, docs/recommendations.md), kept incrementally: the payment that makes an
 * order paid adds its pairs, the refund that makes it fully refunded takes
 * them back out. A partial refund changes nothing (the order is still a
 * purchase of those SKUs together; "bought" everywhere means an order paid
 * and not fully refunded). A cancel cannot meet a paid order (order_state.h).
 *
 * An order's pairs are those of its distinct SKUs, at most
 * COPURCHASE_SKUS_MAX of them (copurchase_order_skus()): the SKUs it spent
 * most on, then by SKU; so an order adds at most 20 * 19 / 2 = 190 pairs
 * (380 rows, both directions). copurchase_orders records each counted order
 * (since migration 018 one of a single SKU too, which has no pairs), so the
 * counts move once per order whatever reruns a write makes; the same row
 * moves the product text index (core/product_text.h) when its texts is 1. The
 * rows are written in (sku, partner) order, so that concurrent payments on
 * PostgreSQL lock them in one order (serialization failures, no deadlocks;
 * the store reruns the loser, store.h).
 */
#ifndef RETAIN_COPURCHASE_H
#define RETAIN_COPURCHASE_H

#include "../base/arena.h"
#include "../store/store.h"
#include "order.h"

#define COPURCHASE_SKUS_MAX 20

/* The distinct SKUs of o's lines that count, at most COPURCHASE_SKUS_MAX, in
 * SKU order, into an arena array. */
void copurchase_order_skus(struct arena *a, const struct order *o, const char ***skus, int *n);

/* o (with its lines) has just become paid: adds its pairs and its SKUs'
 * texts (core/product_text.h), once. */
int copurchase_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			     const struct order *o, struct err *e);
/* o has just become fully refunded: takes out, once, what its payment
 * added (an order paid before migration 018 has no texts to take out). */
int copurchase_on_order_refunded(struct store_tx *tx, struct arena *a, const char *shop,
				 const struct order *o, struct err *e);

#endif
