/*
 * ledger.h: the points ledger (DESIGN.md §4). Points live in lots; every
 * movement is an append-only entry linked to its lot and cause, and a lot's
 * remaining is always the sum of its entries (ledger_check() proves it).
 *
 * A lot is pending until available_at (the return window), available until
 * expires_at (fixed when the lot is made), then expired. The balance is the
 * sum of remaining over available lots; it never goes below zero unless the
 * programme's refund policy is "debt".
 *
 * Order hooks (called by core/order.c inside the order's transaction):
 * payment earns, refunds claw back in proportion and void milestone rewards.
 * Results live in the arena a.
 */
#ifndef RETAIN_LEDGER_H
#define RETAIN_LEDGER_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "order.h"

#define DAY_MS (86400LL * 1000)

/*
 * Limits (docs/loyalty.md "Limits"). One order earns at most
 * LEDGER_POINTS_MAX_PER_ORDER points; a customer holds at most
 * LEDGER_BALANCE_MAX points (the sum of remaining over lots with points left,
 * pending ones included) and owes at most as much in debt lots; a cashback
 * wallet holds at most LEDGER_CASHBACK_MAX minor units. A payment, bonus,
 * adjustment or merge that would go beyond is refused (ERR_REFUSED
 * "points_limit_exceeded", "balance_limit_exceeded",
 * "cashback_limit_exceeded") and changes nothing. Points given back by a
 * cancelled spend (ledger_restore()) are never refused: they were the
 * customer's already, so the points can pass LEDGER_BALANCE_MAX by at most
 * the points given back so far (ledger_check() holds them to that), and new
 * points are refused meanwhile. Totals of rows are added in
 * C (ledger_sum()), never by SQL sum(); lifetime totals saturate.
 */
#define LEDGER_POINTS_MAX_PER_ORDER 1000000000000000LL	/* 10^15 */
#define LEDGER_BALANCE_MAX 100000000000000000LL		/* 10^17 */
#define LEDGER_CASHBACK_MAX 100000000000000000LL	/* 10^17 minor units */

struct loyalty_lot {
	char id[ID_MAX];
	const char *kind, *state, *order_id, *note;	/* state: pending, available, expired, used */
	int64_t amount, remaining, available_at, expires_at, created_at, program_version;
};

struct loyalty_entry {
	char id[ID_MAX];
	const char *lot_id, *reason, *order_id, *redemption_id, *note;
	int64_t delta, created_at;
};

struct milestone_award {
	char id[ID_MAX];
	const char *rule, *gift, *status, *order_id;
	int64_t points, created_at;
};

/* What an order earned, for the order response and the thank-you page. */
struct order_earning {
	int known;		/* 0: no programme when it was paid, or not paid yet */
	int64_t points, clawed, available_at, expires_at;
	int64_t cashback, cashback_clawed;	/* in the order's currency */
	struct milestone_award *awards;
	int nawards;
};

struct cashback_balance {
	const char *currency;
	int64_t balance;
};

struct loyalty_balance {
	int64_t available, pending, expiring_soon, lifetime_earned;
	int64_t paid_orders;
	int64_t last_activity;	/* the last earning or use of points, 0: none */
	struct cashback_balance *cashback;
	int ncashback;
	struct loyalty_lot *lots;	/* lots with points left, soonest expiry first */
	int nlots;
};

/*
 * The points an order's refunds take back so far (pure arithmetic, exposed
 * for tests): the larger of the lines' share (sum of floor(points_i *
 * refunded_i / quantity_i)) and the amount's share (floor(points * refunded /
 * paid)), all of it once fully refunded, never more than points. Both shares
 * are cumulative floors: they only grow as refunds add up, so a sequence of
 * partial refunds takes back exactly what one refund of the same total would.
 */
int64_t ledger_clawback_target(int64_t points, const int64_t *line_points,
			       const int64_t *quantity, const int64_t *refunded_quantity,
			       int nlines, int64_t paid, int64_t refunded, int fully_refunded);

/*
 * Adds up the first column of every row of st (which it finishes) exactly,
 * in 128 bits, into *out, clamped to INT64_MIN..INT64_MAX: for totals that
 * SQL sum() could fail on ("integer overflow" as soon as a running sum
 * passes 2^63, whatever the final total). st NULL: returns e's error.
 */
int ledger_sum(struct store_stmt *st, int64_t *out, struct err *e);

int ledger_on_order_paid(struct store_tx *tx, const char *shop, const struct order *o,
			 struct err *e);
/* o is the order after the refund (refunded quantities and amount updated). */
int ledger_on_order_refunded(struct store_tx *tx, const char *shop, const struct order *o,
			     struct err *e);
int ledger_order_earning(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *order_id, struct order_earning *out, struct err *e);
int ledger_balance(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *customer, struct loyalty_balance *out, struct err *e);
/* Newest first. */
int ledger_entries(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *customer, const char *starting_after, int limit,
		   struct loyalty_entry **out, int *n, int *has_more, struct err *e);
/* A shop's manual change with a note: positive credits a lot (available at
 * once, expiring by the programme), negative spends available points
 * (ERR_REFUSED "not_enough_points"). */
int ledger_adjust(struct store_tx *tx, const char *shop, const char *customer,
		  int64_t points, const char *note, struct err *e);
/* Spends points from available lots, soonest expiry first, one entry per lot
 * drawn; with redemption_id the draws are recorded for ledger_restore().
 * ERR_REFUSED "not_enough_points" when the available balance is short. */
int ledger_spend(struct store_tx *tx, const char *shop, const char *customer,
		 int64_t points, const char *reason, const char *redemption_id,
		 const char *note, struct err *e);
/* Puts a redemption's points back into the lots they came from, with those
 * lots' original expiry. */
int ledger_restore(struct store_tx *tx, const char *shop, const char *customer,
		   const char *redemption_id, struct err *e);
/*
 * Credits the programme's bonus for action (signup, account_created, review,
 * birthday): available at once, expiring by the programme. *points receives
 * what was credited. strict: ERR_REFUSED "bonus_not_offered" or
 * "limit_reached" instead of crediting nothing quietly.
 */
int ledger_bonus(struct store_tx *tx, const char *shop, const char *customer,
		 const char *action, int strict, int64_t *points, struct err *e);
/* Credits points a campaign gave (an apology, a referral): a bonus lot,
 * available at once, expiring by the programme; the entry's reason is reason
 * ("apology", "referral") and its note says which campaign. points > 0.
 * ERR_REFUSED "balance_limit_exceeded" past LEDGER_BALANCE_MAX. */
int ledger_credit_offer(struct store_tx *tx, const char *shop, const char *customer,
			int64_t points, const char *reason, const char *note, struct err *e);
/* ERR_REFUSED (param "source") when target and source together would hold
 * more points or debt than LEDGER_BALANCE_MAX ("balance_limit_exceeded") or
 * more in one cashback wallet than LEDGER_CASHBACK_MAX
 * ("cashback_limit_exceeded"); customer_merge() asks before it moves anything. */
int ledger_merge_room(struct store_tx *tx, const char *shop, const char *target,
		      const char *source, struct err *e);
/* Moves source's lots, entries and awards to target (customer merge). */
int ledger_merge(struct store_tx *tx, const char *shop, const char *target,
		 const char *source, struct err *e);

struct ledger_job_counts {
	int64_t expired_lots, expired_points, reminders, tier_changes;
};
/* Due work for every shop at the clock's now: expiry (entries), reminders
 * (events), tier downgrades. Idempotent: running it twice changes nothing. */
int ledger_run_jobs(struct store_tx *tx, struct ledger_job_counts *out, struct err *e);

/* A lot's problem (lot_id; remaining against its entries' sum) or a
 * customer's (customer_id; the amount held in remaining, the maximum in
 * entries). */
struct ledger_mismatch {
	const char *shop, *lot_id, *customer_id, *problem;
	int64_t remaining, entries;
};
/* Recomputes every lot from its entries and holds every customer's points,
 * debt and wallets to the limits; returns the problems found. */
int ledger_check(struct store_tx *tx, struct arena *a, struct ledger_mismatch **out,
		 int *n, int64_t *lots_checked, struct err *e);

#endif
