/*
 * backtest.h: what a draft would have cost. The shop's paid orders of the
 * last N days are replayed against a campaign (its discount, conditions,
 * targeting and limits) or a draft loyalty programme (its earn rules and
 * milestones), and the figures are reported. A backtest writes nothing: it
 * runs in one read transaction (store_read), and the counters it keeps live
 * in memory for the length of the call.
 *
 * The orders: status paid or partially_refunded (the ledger's paid orders;
 * a fully refunded order gave its discount and its points back), placed in
 * [now - days, now), in placed order (placed_at, then id). Each is replayed
 * as the cart it was: its lines (sku, category, quantity, unit_price), its
 * currency, channel and shipping. Rows are read in pages of
 * BACKTEST_PAGE_ORDERS orders; what is kept across pages is one small
 * record per customer met (their counters), nothing per order.
 *
 * Campaign (backtest_campaign): each order is asked what coupon validation
 * (core/coupon.c) would ask of it, in the same order; the first check that
 * fails names the reason the order was not reached:
 *   - with respect_window only: the campaign's window as the customer sees
 *     it: at or after ends_at (or the end of an ended campaign) "expired",
 *     before campaign_opens_for's from (early access included)
 *     "not_started". By default the window and the status are ignored: a
 *     draft for next month is tested on last month's orders.
 *   - targeting (campaign_opens_for; the targeting as of now, since the
 *     tiers, segments and lists of the past are not kept): "not_eligible".
 *   - per_customer and total_uses, counting the orders the backtest reached
 *     so far: "limit_reached".
 *   - the currency (the discount's, else conditions.currency):
 *     "currency_mismatch"; channels, and first_order_only (the customer has
 *     no order with a payment placed before this one): "not_eligible".
 *   - min_cart against the cart's lines (discount_cart_subtotal):
 *     "min_cart_not_met".
 *   - the discount (discount_apply, capped by max_total_discount): a percent
 *     or fixed one that no line is eligible for is "not_eligible"; budget,
 *     counting the discount the backtest gave so far, must hold all of it
 *     (else "budget_exhausted": a later, smaller discount may still fit).
 * The campaign's real redemptions do not count: the backtest asks what the
 * campaign alone would have cost over those days, limits honoured in placed
 * order.
 *
 * Programme (backtest_program): for each order, the points it earns under
 * the draft and under the shop's current programme (none: 0), with
 * ledger_earn (the payment's own computation) and the milestones its
 * customer's paid order count reaches (ledger_milestone_hit; the count in
 * placed order, the orders before the window included). The tier factor is
 * the customer's tier now (loyalty_accounts), looked up by name in each
 * programme (a name the programme lacks: x1). An order the draft would make
 * earn more than LEDGER_POINTS_MAX_PER_ORDER is counted in
 * orders_over_limit_draft and earns 0 under it (its payment would be
 * refused). Cashback is not part of the figures.
 *
 * Totals saturate at INT64_MAX. Strings live in the arena a.
 */
#ifndef RETAIN_BACKTEST_H
#define RETAIN_BACKTEST_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "program.h"

#define BACKTEST_DAYS_MIN 1
#define BACKTEST_DAYS_MAX 3660
#define BACKTEST_DAYS_DEFAULT 30
#define BACKTEST_PAGE_ORDERS 256

/* Why an order was not reached, in the order of the checks above. */
enum backtest_reason {
	BACKTEST_NOT_STARTED,
	BACKTEST_EXPIRED,
	BACKTEST_CURRENCY_MISMATCH,
	BACKTEST_NOT_ELIGIBLE,
	BACKTEST_MIN_CART_NOT_MET,
	BACKTEST_LIMIT_REACHED,
	BACKTEST_BUDGET_EXHAUSTED,
	BACKTEST_REASONS
};
/* Their codes ("not_started", ...), the same as coupon validation's. */
extern const char *const backtest_reasons[BACKTEST_REASONS];

struct backtest_options {
	int64_t days;		/* BACKTEST_DAYS_MIN..MAX */
	int respect_window;	/* campaigns only */
};

/* Refuses days outside BACKTEST_DAYS_MIN..MAX (ERR_INVALID, param "days"). */
int backtest_check_options(const struct backtest_options *o, struct err *e);

/* The discount given in one currency. */
struct backtest_currency {
	const char *currency;
	int64_t discount_total;		/* lines and shipping */
	int64_t discount_shipping;
	int64_t orders_reached;
};

struct backtest_campaign_result {
	char campaign_id[ID_MAX];
	int64_t days, from, to;		/* the orders placed in [from, to) */
	int respect_window;
	int64_t orders_considered, orders_reached, customers_reached;
	struct backtest_currency *currencies;	/* in order of first use, arena */
	int ncurrencies;
	int64_t not_reached[BACKTEST_REASONS];
};

/* Replays the orders against campaign id (any status: draft, active or
 * ended). An unknown campaign is campaign_get's ERR_NOT_FOUND. */
int backtest_campaign(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *campaign_id, const struct backtest_options *o,
		      struct backtest_campaign_result *out, struct err *e);

struct backtest_program_result {
	int64_t days, from, to;
	int64_t current_version;	/* 0: the shop has no programme */
	int64_t orders_considered;
	int64_t orders_reached, customers_reached;	/* earning points under the draft */
	int64_t earn_draft, milestones_draft, points_issued_draft;
	int64_t earn_current, milestones_current, points_issued_current;
	int64_t difference;		/* points_issued_draft - points_issued_current */
	int64_t orders_over_limit_draft;
};

/* Replays the orders under draft (checked here with program_check(): a bad
 * draft is ERR_INVALID naming the field) and under the current programme. */
int backtest_program(struct store_tx *tx, struct arena *a, const char *shop,
		     const struct program *draft, const struct backtest_options *o,
		     struct backtest_program_result *out, struct err *e);

#endif
