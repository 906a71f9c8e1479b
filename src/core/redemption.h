/*
 * redemption.h: spending points on the shop's reward catalogue (discounts,
 * free shipping, gifts, extended warranty, insurance) or as a discount on an
 * order. A redemption draws from available lots, soonest expiry first, and
 * remembers which; cancelling it puts the points back into those lots with
 * their original expiry. Discounts and free shipping come with an unguessable
 * single-use code; gifts, warranties and insurance with a fulfilment record.
 *
 * Refused with ERR_REFUSED: "not_enough_points", "out_of_stock",
 * "limit_reached", "discount_exceeds_order" (the order's points discounts
 * together would be worth more than its total), "not_combinable" (the order
 * holds an exclusive coupon: core/coupon.h); ERR_CONFLICT
 * "order_status_conflict" for points on a cancelled or refunded order. Results live in the arena.
 */
#ifndef RETAIN_REDEMPTION_H
#define RETAIN_REDEMPTION_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

struct redemption {
	char id[ID_MAX];
	const char *customer_id, *reward_key, *kind, *name, *code, *order_id, *status;
	int64_t points, value, created_at, cancelled_at;
};

struct redemption_input {
	const char *reward;	/* a catalogue key, or NULL with points + order */
	int64_t points;
	const char *order;	/* an order ref, for points as a discount */
};

int redemption_create(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *customer_ref, const struct redemption_input *in,
		      struct redemption *out, struct err *e);
/* Idempotent: cancelling a cancelled redemption returns it unchanged. The
 * points come back into the lots they were drawn from, and first repay what
 * refunds could not claw back (ledger_restore()). */
int redemption_cancel(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *id, struct redemption *out, struct err *e);
/* Cancels the active points discounts of an order that was cancelled or
 * refunded in full (order.c calls it): as redemption_cancel() each. */
int redemption_release_order(struct store_tx *tx, const char *shop, const char *order_id,
			     struct err *e);
int redemption_get(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *id, struct redemption *out, struct err *e);
int redemption_list(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *customer_ref, const char *starting_after, int limit,
		    struct redemption **out, int *n, int *has_more, struct err *e);

#endif
