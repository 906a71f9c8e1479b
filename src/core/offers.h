/*
 * offers.h: what campaigns give customers on their own, and what a customer
 * holds. Every grant is a row of offer_grants, once per (campaign, customer,
 * cause), and writes an "offer.issued" event in the same transaction; a
 * second call for the same cause returns the first grant and gives nothing.
 *
 *  - welcome: each active welcome campaign gives a new customer a personal
 *    code at sign-up (issue_on "signup": POST /v1/customers) or when the
 *    customer creates an account ("account_created").
 *  - next_purchase: after a customer's first paid order, a personal code
 *    valid from delay_days after the payment for validity_days.
 *  - personal: offers_issue() to listed customers or an RFM segment, each
 *    with its own expiry (validity_days from the issue, or the campaign's end).
 *  - apology: offers_trigger() for a trigger the campaign answers: a code,
 *    points, or both, at most once per cause.
 * Codes given this way are personal: only their customer may use them, once.
 */
#ifndef RETAIN_OFFERS_H
#define RETAIN_OFFERS_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"
#include "campaign.h"
#include "coupon.h"

struct offer_grant {
	char id[ID_MAX];
	const char *campaign_id, *customer_id, *cause, *code;
	int64_t points, created_at;
	int created;		/* 0: it existed (the same cause before) */
};

/* Gives customer c's offer for cause (issued code valid from valid_from,
 * 0 now, for the campaign's validity): the grant into out. */
int offers_grant(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct campaign *c, const char *customer, const char *cause,
		 int64_t valid_from, struct offer_grant *out, struct err *e);

/* The triggers later features fire: late_delivery, payment_failed,
 * ticket_sla_breached, negative_review, at_risk (campaign_triggers[]). Every
 * active apology campaign that names trigger and is open now gives once per
 * cause (a shipment, order, ticket or review id). *given: how many gave
 * something now. An unknown trigger is ERR_INVALID. */
int offers_trigger(struct store_tx *tx, const char *shop, const char *customer,
		   const char *trigger, const char *cause, int *given, struct err *e);

int offers_on_signup(struct store_tx *tx, const char *shop, const char *customer,
		     struct err *e);
int offers_on_account_created(struct store_tx *tx, const char *shop, const char *customer,
			      struct err *e);
/* After an order was paid: its customer's first paid order gives the
 * next-purchase codes. */
int offers_on_order_paid(struct store_tx *tx, const char *shop, const char *customer,
			 const char *order_id, struct err *e);

/* A personal campaign's codes for the customers (refs) or, with segment, for
 * every customer in that RFM segment now. *issued new grants, *existing
 * ones given before. */
int offers_issue(struct store_tx *tx, struct arena *a, const char *shop, const char *campaign_id,
		 const char *const *customers, int ncustomers, const char *segment,
		 int64_t *issued, int64_t *existing, struct err *e);

/* Issue 12: offers_issue() narrowed to the customers the shop may target by
 * interest (a catalogue key; NULL: no narrowing): a customer counts only
 * where the interest is visible to everyone, or to friends and the customer
 * gave marketing consent (PROFILE_VIEWER_SHOP, core/profile.h), never for an
 * only_me one. With neither customers nor segment, every such customer.
 * *not_targeted: listed or segment customers left out by the interest.
 * ERR_INVALID naming "interest" for a key not in the catalogue. */
int offers_issue_by_interest(struct store_tx *tx, struct arena *a, const char *shop,
			     const char *campaign_id, const char *const *customers, int ncustomers,
			     const char *segment, const char *interest, int64_t *issued,
			     int64_t *existing, int64_t *not_targeted, struct err *e);

/* What a customer holds now: personal codes with their state, and the
 * shared codes of active campaigns open to the customer now (early access
 * included). */
struct offer {
	struct campaign campaign;
	const char *code, *state;	/* available, reserved, used, expired, not_started */
	int64_t valid_from, expires_at;
	int personal;
};
int offers_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		struct offer **out, int *n, struct err *e);

#endif
