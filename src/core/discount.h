/*
 * discount.h: what a campaign's discount takes off a cart. A pure function
 * of the cart and the discount: no store, no clock, so it is unit-tested
 * (tests/unit/test_discount.c) and shared by validation, redemption and the
 * backtest.
 *
 * A line is eligible when the discount applies to it: in skus or categories
 * when either list is given (any match), never in exclude_skus or
 * exclude_categories. Amounts are minor units; a line's amount is quantity x
 * unit_price (at most 10^15 each, checked by the caller; the sums here are
 * done in 128 bits and the results are at most the cart's own amounts).
 *
 * percent (1..100): each eligible line gives floor(amount x value / 100);
 * then max_amount (when > 0) caps the total and the lines are scaled down to
 * it. fixed: value, capped at the eligible lines' sum, spread over them in
 * proportion to their amounts. In both, the lines' shares add up to the
 * total exactly (largest remainder, ties to the earlier line).
 * free_shipping: the shipping, capped at max_amount. gift: nothing off.
 *
 * cap (> 0) then limits the whole discount (lines and shipping, shipping
 * first kept) to cap, for stacking's max_total_discount.
 */
#ifndef RETAIN_DISCOUNT_H
#define RETAIN_DISCOUNT_H

#include <stdint.h>

#include "campaign.h"

struct discount_line {
	const char *sku, *category;
	int64_t quantity, unit_price;
};

struct discount_cart {
	const char *currency, *channel;
	const struct discount_line *lines;
	int nlines;
	int64_t shipping;
};

struct discount_result {
	int64_t total;		/* lines + shipping */
	int64_t shipping;
	int64_t eligible;	/* the eligible lines' amount (for min_cart) */
	int neligible;		/* eligible lines */
	int64_t *lines;		/* per cart line, nlines entries, in the arena */
};

/* 1 when the discount applies to the line. */
int discount_eligible(const struct campaign *c, const struct discount_line *l);
/* The cart's lines amount (quantity x unit_price), shipping excluded. */
int64_t discount_cart_subtotal(const struct discount_cart *cart);
/* Computes the discount into out (lines allocated in a). */
void discount_apply(const struct campaign *c, const struct discount_cart *cart, int64_t cap,
		    struct arena *a, struct discount_result *out);

#endif
