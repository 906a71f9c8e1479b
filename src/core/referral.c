/* referral.c: see referral.h. */
#include "referral.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "campaign.h"
#include "event.h"
#include "ledger.h"

static int newest_campaign(struct store_tx *tx, struct arena *a, const char *shop,
			   struct campaign *out, struct err *e)
{
	struct campaign *list;
	int n, rc = campaign_active_of_type(tx, a, shop, "referral", &list, &n, e);
	if (rc)
		return rc;
	if (!n)
		return err_setc(e, ERR_REFUSED, "referral_not_offered", NULL,
				"this shop has no active referral campaign");
	*out = list[n - 1];
	return 0;
}

int referral_code(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  struct referral_info *out, struct err *e)
{
	struct campaign c;
	char code[COUPON_CODE_MAX + 1];
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = newest_campaign(tx, a, shop, &c, e)))
		return rc;
	out->campaign_id = arena_strdup(a, c.id);
	struct store_stmt *st = store_query(tx, e, "SELECT code FROM coupon_codes WHERE shop_id = $1"
					    " AND campaign_id = $2 AND owner_id = $3", "sss", shop, c.id,
					    customer);
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	if (rc == 1)
		out->code = arena_strdup(a, store_text(st, 0));
	store_done(st);
	if (rc < 0)
		return rc;
	for (int tries = 0; !out->code && tries < 8; tries++) {
		secure_random_from(COUPON_ALPHABET, "REF-", COUPON_LENGTH_DEFAULT, code, sizeof(code));
		rc = store_exec(tx, e, "INSERT INTO coupon_codes (shop_id, code, campaign_id, kind, source,"
				" owner_id, created_at) VALUES ($1, $2, $3, 'referral', 'referral', $4, $5)"
				" ON CONFLICT (shop_id, code) DO NOTHING", "ssssi", shop, code, c.id,
				customer, clock_now_ms());
		if (rc < 0)
			return rc;
		if (rc)
			out->code = arena_strdup(a, code);
	}
	if (!out->code)
		return err_set(e, ERR_INTERNAL, NULL, "no free referral code found");
	st = store_query(tx, e, "SELECT count(*), coalesce(sum(referrer_points), 0) FROM referrals"
			 " WHERE shop_id = $1 AND referrer_id = $2", "ss", shop, customer);
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1)
		out->referred = store_int(st, 0), out->points_earned = store_int(st, 1);
	store_done(st);
	return rc < 0 ? rc : 0;
}

int referral_check(struct store_tx *tx, const char *shop, const struct coupon_code *k,
		   const char *customer, const char *order_id, const char **reason,
		   const char **message, struct err *e)
{
	int64_t n;
	int rc;
	*reason = NULL;
	if (!customer)
		return *reason = "not_eligible", *message = "a referral code needs the new customer", 0;
	if (!strcmp(customer, k->owner_id))
		return *reason = "not_eligible", *message = "a customer cannot use their own referral"
			" code", 0;
	if ((rc = store_query_int(tx, e, &n, "SELECT count(*) FROM customer_identities a JOIN"
				  " customer_identities b ON b.shop_id = a.shop_id AND b.value = a.value"
				  " AND (b.kind = a.kind OR (a.kind IN ('phone', 'whatsapp')"
				  " AND b.kind IN ('phone', 'whatsapp'))) WHERE a.shop_id = $1 AND a.customer_id = $2"
				  " AND b.customer_id = $3", "sss", shop, customer, k->owner_id)))
		return rc;
	if (n)
		return *reason = "not_eligible", *message = "this referral code belongs to the same"
			" person", 0;
	if ((rc = store_query_int(tx, e, &n, "SELECT count(*) FROM referrals WHERE shop_id = $1"
				  " AND referee_id = $2", "ss", shop, customer)))
		return rc;
	if (n)
		return *reason = "not_eligible", *message = "this customer was referred before", 0;
	if ((rc = store_query_int(tx, e, &n, "SELECT count(*) FROM orders WHERE shop_id = $1"
				  " AND customer_id = $2 AND id <> $3 AND paid_amount > 0", "sss", shop,
				  customer, order_id ? order_id : "")))
		return rc;
	if (n)
		return *reason = "not_eligible", *message = "a referral code is for a new customer's"
			" first order", 0;
	return 0;
}

int referral_on_final(struct store_tx *tx, const char *shop, const struct coupon_redemption *r,
		      struct err *e)
{
	struct arena a = ARENA_INIT;
	struct coupon_code k;
	struct campaign c;
	int rc = coupon_get(tx, &a, shop, r->code, &k, e);
	if (rc || strcmp(k.kind, "referral") || !strcmp(k.owner_id, r->customer_id))
		goto out;
	if ((rc = campaign_get(tx, &a, shop, k.campaign_id, &c, e)))
		goto out;
	rc = store_exec(tx, e, "INSERT INTO referrals (shop_id, referee_id, referrer_id, campaign_id,"
			" code, order_id, referrer_points, referee_points, created_at) VALUES ($1, $2,"
			" $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (shop_id, referee_id) DO NOTHING",
			"ssssssiii", shop, r->customer_id, k.owner_id, c.id, k.code, r->order_id,
			c.referrer_points, c.referee_points, clock_now_ms());
	if (rc <= 0)
		goto out;
	char note[200];
	snprintf(note, sizeof(note), "referral campaign \"%s\"", c.id);
	if (c.referrer_points &&
	    (rc = ledger_credit_offer(tx, shop, k.owner_id, c.referrer_points, "referral", note, e)))
		goto out;
	if (c.referee_points &&
	    (rc = ledger_credit_offer(tx, shop, r->customer_id, c.referee_points, "referral", note, e)))
		goto out;
	rc = event_record(tx, shop, "referral.rewarded", r->customer_id, k.owner_id, e);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}
