/*
 * program.h: a shop's loyalty programme. Every change makes a new version;
 * lots remember the version they were earned under, and their expiry is fixed
 * when they are made, never recomputed when the programme changes.
 *
 * The programme is also published to customers in plain words
 * (program_terms()): every condition that affects them, nothing hidden.
 *
 * Percentages are integers: 100 = x1, 150 = x1.5. Strings live in the arena
 * the programme was loaded into.
 */
#ifndef RETAIN_PROGRAM_H
#define RETAIN_PROGRAM_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"

#define PROGRAM_MAX_ITEMS 50
#define PROGRAM_TEXT_MAX 100

/*
 * Bounds on every configured factor (docs/loyalty.md "Limits"). They make the
 * earn arithmetic safe by construction: the product behind a line's points,
 * 10^15 minor units x POINTS_PER_UNIT_MAX x percent (100 x (PERCENT_MAX /
 * 100)^3: one multiplier per type can match a line, duplicates are refused)
 * x TIER_PERCENT_MAX, is at most 10^29 < 2^127, computed in 128 bits; the
 * points are then held to LEDGER_POINTS_MAX_PER_ORDER (ledger.h).
 */
#define PROGRAM_POINTS_PER_UNIT_MAX 1000
#define PROGRAM_PERCENT_MAX 10000		/* a multiplier: x100 */
#define PROGRAM_TIER_PERCENT_MAX 1000		/* a tier: x10 */
#define PROGRAM_ITEM_POINTS_MAX 1000000000LL	/* a bonus, milestone, reward cost: 10^9 */
#define PROGRAM_CASHBACK_BP_MAX 10000		/* 100% */
#define PROGRAM_POINT_VALUE_MAX 100000		/* minor units per point */
#define PROGRAM_AMOUNT_MAX 1000000000000LL	/* min_order, thresholds, fixed discounts: 10^12 */
#define PROGRAM_COUNT_MAX 1000000000LL		/* stock */
#define PROGRAM_LIMIT_MAX 1000000		/* per_customer_limit */

struct program_multiplier {
	const char *type;	/* category, sku, channel */
	const char *value;
	int64_t percent;
};

struct program_tier {
	const char *name;
	int64_t threshold;	/* in the basis' unit: points, minor units, orders */
	int64_t earn_percent;
	int free_shipping, early_access;
};

struct program_milestone {
	const char *type;	/* every (Nth paid order) or at (the Nth) */
	int64_t n;
	int64_t points;
	const char *gift;	/* a packing note for the warehouse, or NULL */
};

struct program_reward {
	const char *key;	/* the shop's name for it, unique in the catalogue */
	const char *kind;	/* discount_fixed, discount_percent, free_shipping,
				 * gift, warranty, insurance */
	const char *name;
	int64_t cost;		/* points */
	int64_t value;		/* minor units (discount_fixed), percent
				 * (discount_percent), else 0 */
	int64_t per_customer_limit;	/* 0: no limit */
	int64_t stock;		/* -1: unlimited */
};

struct program_bonus {
	const char *action;	/* signup, account_created, review, birthday */
	int64_t points;
	int64_t per_customer_limit;	/* 0: no limit */
};

/* A note for the warehouse, printed on an order's packing list (core/packing.h)
 * when the rule holds: tier (value: the tier's name), first_order, milestone
 * (the order reached one; {gift} names its gift), gift_wrap (value: the SKU
 * of the shop's gift-wrap line; without one, any line of category
 * "gift_wrap"). The text may say {first_name}, {name}, {tier}, {gift}. */
struct program_packing {
	const char *type, *value, *text;
};

struct program {
	int64_t version;	/* 0: the shop has no programme yet */
	int64_t created_at;
	int64_t points_per_unit;	/* per major currency unit (1 per EUR) */
	int include_shipping, include_tax;
	int64_t min_order;	/* minor units, net of discounts */
	int64_t pending_days;	/* the return window */
	const char *expiry;	/* never, days, end_of_month, inactivity */
	int64_t expiry_n;	/* days, or months for end_of_month */
	int64_t reminder_days;
	const char *tier_basis;	/* points_earned, net_spend, order_count */
	int64_t tier_window_days;
	const char *downgrade;	/* one_down, recalculate */
	const char *refund_policy;	/* clamp, debt */
	int milestone_survives_partial_refund;
	struct program_multiplier multipliers[PROGRAM_MAX_ITEMS];
	int nmultipliers;
	struct program_tier tiers[PROGRAM_MAX_ITEMS];	/* ascending thresholds */
	int ntiers;
	struct program_milestone milestones[PROGRAM_MAX_ITEMS];
	int nmilestones;
	int64_t cashback_bp;	/* store credit in basis points of the net paid */
	struct program_bonus bonuses[PROGRAM_MAX_ITEMS];
	int nbonuses;
	int64_t point_value;	/* minor units a point is worth as a discount */
	struct program_reward rewards[PROGRAM_MAX_ITEMS];
	int nrewards;
	struct program_packing packing[PROGRAM_MAX_ITEMS];
	int npacking;
};

/* Defaults: 1 point per unit, 14 pending days, no expiry, clamp, no tiers. */
void program_defaults(struct program *p);
/* Checks p completely (ERR_INVALID naming the field), then stores it as the
 * next version and fills p->version and p->created_at. */
int program_put(struct store_tx *tx, const char *shop, struct program *p, struct err *e);
/* The current version; p->version = 0 when the shop has none. */
int program_get(struct store_tx *tx, struct arena *a, const char *shop,
		struct program *p, struct err *e);
int program_get_version(struct store_tx *tx, struct arena *a, const char *shop,
			int64_t version, struct program *p, struct err *e);
/* The programme in plain English, one condition per line, into the arena. */
char *program_terms(struct arena *a, const struct program *p);
/* The bonus for an action, or NULL. */
const struct program_bonus *program_bonus(const struct program *p, const char *action);
/* The catalogue reward with this key, or NULL. */
const struct program_reward *program_reward(const struct program *p, const char *key);
/* The tier named name, or NULL. */
const struct program_tier *program_tier(const struct program *p, const char *name);

#endif
