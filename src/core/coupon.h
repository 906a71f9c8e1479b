/*
 * coupon.h: coupon codes, their validation at checkout and their redemption
 * for an order.
 *
 * Codes are case-insensitive: stored and compared upper case, trimmed of
 * surrounding blanks; letters, digits, '-' and '_' only (validation calls
 * anything else an unknown code; creating or importing one is a 400). Generated
 * codes take COUPON_ALPHABET (no 0, O, 1, I or L), at least COUPON_LENGTH_MIN
 * characters (>= 50 bits from libsodium's CSPRNG), after an optional prefix.
 *
 * Validation (coupon_validate) writes nothing and says why a code would be
 * refused: reason codes in coupon_reasons[] (unknown_code, not_started,
 * expired, already_used, limit_reached, budget_exhausted, min_cart_not_met,
 * not_eligible, currency_mismatch, not_combinable). A redemption
 * (coupon_redeem) validates again inside its write and reserves the code for
 * the order until the reservation times out; the order's payment makes it
 * final (coupon_on_order_paid); a cancel, a full refund (when the campaign
 * releases on refund), the timeout (coupon_release_due) or the shop
 * (coupon_release) release it, and the code can be used again.
 *
 * Limits hold with any number of concurrent writers and nodes: every check
 * reads inside the write transaction (store.h's contract), and the database
 * refuses a second live redemption of a single-use code or a second one of a
 * code for one order (unique indexes, 006_campaigns.sql).
 */
#ifndef RETAIN_COUPON_H
#define RETAIN_COUPON_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "campaign.h"
#include "discount.h"

#define COUPON_ALPHABET "23456789ABCDEFGHJKMNPQRSTUVWXYZ"	/* 31 symbols */
#define COUPON_LENGTH_MIN 11		/* 11 x log2(31) = 54.5 bits */
#define COUPON_LENGTH_DEFAULT 12
#define COUPON_LENGTH_MAX 32
#define COUPON_PREFIX_MAX 20
#define COUPON_CODE_MAX 64		/* bytes of any code, imported ones too */
#define COUPON_GENERATE_MAX 10000	/* codes per call */

extern const char *const coupon_reasons[];

/* Normalises a code as typed (trims, upper-cases ASCII) into out; ERR_INVALID
 * (param) when empty, too long or not printable ASCII. */
int coupon_normalize(const char *in, const char *param, char out[COUPON_CODE_MAX + 1],
		     struct err *e);

/* count single-use codes for a unique (or treasure-hunt) campaign; the codes
 * into *codes (arena) when codes is not NULL. */
int coupon_generate(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *campaign_id, int64_t count, const char *prefix,
		    int64_t length, const char ***codes, struct err *e);
/* The shop's own single-use codes: normalised; one already in this campaign
 * is skipped (counted in *skipped), one in another campaign (or twice in the
 * list) is ERR_CONFLICT "code_exists" naming it, and nothing is imported. */
int coupon_import(struct store_tx *tx, struct arena *a, const char *shop,
		  const char *campaign_id, const char *const *codes, int n,
		  int64_t *imported, int64_t *skipped, struct err *e);
/* A personal code of the campaign for one customer (valid_from/expires_at 0:
 * the campaign's window), made by offers.c, treasure.c, referral.c. */
int coupon_issue(struct store_tx *tx, const char *shop, const struct campaign *c,
		 const char *customer, const char *source, int64_t valid_from,
		 int64_t expires_at, char out[COUPON_CODE_MAX + 1], struct err *e);

/* A code with its state (available, reserved, used, expired, not_started). */
struct coupon_code {
	const char *code, *campaign_id, *kind, *source, *customer_id, *owner_id, *state;
	int64_t valid_from, expires_at, created_at, uses;
};
int coupon_get(struct store_tx *tx, struct arena *a, const char *shop, const char *code,
	       struct coupon_code *out, struct err *e);
int coupon_list(struct store_tx *tx, struct arena *a, const char *shop,
		const char *campaign_id, const char *starting_after, int limit,
		struct coupon_code **out, int *n, int *has_more, struct err *e);
/* The codes held by a customer (personal ones), newest first. */
int coupon_list_held(struct store_tx *tx, struct arena *a, const char *shop,
		     const char *customer, struct coupon_code **out, int *n, struct err *e);

/* A validation's question: the code, the customer (a ref; NULL for a guest
 * cart), the cart, and the order it is for (a ref; NULL before there is
 * one: then no other discount of the order is known). */
struct coupon_request {
	const char *code, *customer, *order;
	const struct discount_cart *cart;	/* NULL: the order's own lines */
};

struct coupon_check {
	int valid;
	const char *reason, *message;	/* reason NULL when valid */
	struct campaign campaign;	/* set when the code is known */
	struct discount_result discount;	/* discount.lines: one per cart line */
	int nlines;			/* the cart's lines */
	const char *currency;		/* the cart's */
	struct discount_cart cart;	/* the cart as validated (the order's lines without one) */
	const char *code;		/* normalised, when it is a code at all */
	char customer_id[ID_MAX], order_id[ID_MAX];
};

/* Decides whether the code applies, into out; returns an error only for bad
 * input (an unknown customer or order ref, a cart in another shape) or the
 * store, never for a refusal (that is out->valid 0 with a reason). The
 * code's campaign may come from the campaign cache (campaign_get_at). */
int coupon_validate(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct coupon_request *rq, struct coupon_check *out, struct err *e);

struct coupon_redemption {
	char id[ID_MAX];
	const char *code, *campaign_id, *customer_id, *order_id, *status, *currency,
		*release_reason;
	int64_t discount, shipping_discount, reserved_until, created_at, finalized_at,
		released_at;
	int overuse;
	int64_t *lines;		/* per cart line, nlines */
	const char **skus;	/* each line's SKU */
	int nlines;
};

/* Reserves the code for the order (rq->order and rq->customer required).
 * The same code for the same order again returns its live redemption
 * (*created 0). A refusal is ERR_REFUSED with the reason as code. */
int coupon_redeem(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct coupon_request *rq, struct coupon_redemption *out,
		  int *created, struct err *e);
int coupon_redemption_get(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *id, struct coupon_redemption *out, struct err *e);
/* Releases a reserved redemption (idempotent on a released one); a final
 * one is ERR_CONFLICT "redemption_final" (the order is paid: cancel or
 * refund the order instead). */
int coupon_release(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   const char *reason, struct coupon_redemption *out, struct err *e);

/* Order hooks (order.c): paid makes the order's reservations final (an
 * expired one only if its limits still allow it, else it is released) and
 * then runs what a paid order gives (offers_on_order_paid, referrals); a
 * cancel releases them all; a full refund releases those whose campaign
 * releases on refund. */
int coupon_on_order_paid(struct store_tx *tx, const char *shop, const char *order_id,
			 struct err *e);
int coupon_on_order_cancelled(struct store_tx *tx, const char *shop, const char *order_id,
			      struct err *e);
int coupon_on_order_refunded(struct store_tx *tx, const char *shop, const char *order_id,
			     struct err *e);
/* The order's live coupon discounts (but except_code's, may be NULL):
 * how many, their total, and whether one is exclusive. redemption.c asks
 * before points pay for an order: an exclusive code takes no other discount. */
int coupon_order_discounts(struct store_tx *tx, const char *shop, const char *order_id,
			   const char *except_code, int64_t *count, int64_t *total, int *exclusive,
			   struct err *e);
/* The jobs' part: releases reservations past their time, every shop. */
int coupon_release_due(struct store_tx *tx, int64_t *released, struct err *e);
/* Customer merge: source's codes, redemptions and grants move to target. */
int coupon_merge(struct store_tx *tx, const char *shop, const char *target,
		 const char *source, struct err *e);

/* Issue 9 (the order path, fourth round): the order's redemptions, oldest
 * first, in one statement (the array grown as rows come, in a). */
int coupon_redemptions_of_order_once(struct store_tx *tx, struct arena *a, const char *shop,
				     const char *order_id, struct coupon_redemption **out, int *n,
				     struct err *e);

#endif
