/*
 * referral.h: loyal customers bring friends. The shop's active referral
 * campaign (the newest, when there are several) gives each customer one
 * referral code, shared by them with anyone. A new customer's first order
 * redeems it like any code (the campaign's discount, first order only); when
 * that order is paid, the referrer gets referrer_points and the new customer
 * referee_points (ledger_credit_offer), once per new customer ever.
 *
 * Refused as "not_eligible": the referrer's own code, a new customer who
 * shares an identity (e-mail, phone, WhatsApp; a phone number is the same
 * person as a WhatsApp account of that number) with the referrer, one who
 * has a paid order already, or was referred before.
 */
#ifndef RETAIN_REFERRAL_H
#define RETAIN_REFERRAL_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"
#include "coupon.h"

struct referral_info {
	const char *code, *campaign_id;
	int64_t referred;		/* new customers rewarded so far */
	int64_t points_earned;		/* by the referrer */
};

/* The customer's code (made on first ask) and figures. No active referral
 * campaign: ERR_REFUSED "referral_not_offered". */
int referral_code(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  struct referral_info *out, struct err *e);
/* Whether customer may use referral code k for order_id (may be ""): *reason
 * NULL when so. */
int referral_check(struct store_tx *tx, const char *shop, const struct coupon_code *k,
		   const char *customer, const char *order_id, const char **reason,
		   const char **message, struct err *e);
/* After a redemption turned final: a referral code's rewards (once). */
int referral_on_final(struct store_tx *tx, const char *shop, const struct coupon_redemption *r,
		      struct err *e);

#endif
