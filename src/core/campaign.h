/*
 * campaign.h: a shop's campaigns, the rules behind every coupon code: what
 * the discount is, what a cart must meet, who may use it, how often, within
 * which window, and how it combines with other discounts. Codes, validation
 * and redemption are core/coupon.h; what a campaign gives customers on its
 * own (welcome, next purchase, personal, apology) is core/offers.h.
 *
 * Types (campaign_types[], written once): generic (one shared code), unique
 * (many single-use codes), welcome, next_purchase, seasonal, personal,
 * apology, treasure_hunt, referral. A campaign is "draft" (never valid, but
 * backtested), "active" or "ended" (by POST .../end, for good). Whether an
 * active campaign is open is a matter of the clock: from starts_at (earlier
 * by early_days for the early tiers) until ends_at.
 *
 * Discount kinds: percent (value 1..100, of the eligible lines), fixed
 * (value in minor units of discount_currency, spread over the eligible
 * lines), free_shipping (the shipping, up to max_amount), gift (value 0; the
 * gift's text is shown and packed). max_amount caps percent and free
 * shipping. Limits count live redemptions (reserved or final) with the
 * default concurrency "reject"; with "honour", total_uses and budget count
 * final ones only, so checkouts that reserved the last use together are all
 * honoured at payment (overuse is counted). A single-use code and
 * per_customer are never honoured past their limit.
 *
 * Lists are arrays of strings in the arena. Strings live in the arena the
 * campaign was read into.
 */
#ifndef RETAIN_CAMPAIGN_H
#define RETAIN_CAMPAIGN_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define CAMPAIGN_NAME_MAX 200
#define CAMPAIGN_LIST_MAX 100		/* items in any list */
#define CAMPAIGN_ITEM_MAX 100		/* bytes in a list item (sku, category...) */
#define CAMPAIGN_AMOUNT_MAX 1000000000000LL	/* 10^12 minor units */
#define CAMPAIGN_COUNT_MAX 1000000000LL	/* total uses, codes */
#define CAMPAIGN_DAYS_MAX 3660
#define CAMPAIGN_POINTS_MAX 1000000000LL
#define CAMPAIGN_RESERVATION_DEFAULT 30	/* minutes */
#define CAMPAIGN_RESERVATION_MAX 10080	/* a week */

struct campaign_list {
	const char **v;
	int n;
};

struct campaign {
	char id[ID_MAX];
	const char *name, *type, *status, *timezone, *code;
	int64_t starts_at, ends_at;	/* ends_at 0: open-ended */
	/* discount */
	const char *discount_kind;	/* NULL: points only (apology) */
	int64_t discount_value, max_amount;	/* max_amount 0: none */
	const char *discount_currency, *gift;
	struct campaign_list skus, categories, exclude_skus, exclude_categories;
	/* conditions */
	int64_t min_cart;		/* 0: none */
	const char *currency;		/* NULL: any */
	int first_order_only;
	struct campaign_list channels;
	/* limits: 0 none */
	int64_t total_uses, per_customer, budget;
	/* targeting */
	const char *target;		/* all, tiers, customers, segment */
	struct campaign_list target_values;
	struct campaign_list early_tiers;
	int64_t early_days;
	/* stacking */
	const char *stacking;		/* exclusive, stackable */
	int64_t max_total_discount;	/* 0: none */
	const char *concurrency;	/* reject, honour */
	int64_t reservation_minutes;
	int release_on_refund;
	/* what the campaign gives on its own */
	struct campaign_list triggers;	/* apology */
	int64_t points;			/* apology: points given per trigger */
	int64_t validity_days;		/* issued codes: 0 until the campaign ends */
	int64_t delay_days;		/* next_purchase: valid this long after the order */
	const char *issue_on;		/* welcome: signup or account_created */
	int64_t referrer_points, referee_points;
	int64_t created_at, updated_at, ended_at;
};

/* Vocabularies, NULL-terminated, in the order the docs list them. */
extern const char *const campaign_types[];
extern const char *const campaign_discount_kinds[];
extern const char *const campaign_targets[];
extern const char *const campaign_triggers[];
/* 1 when v is in the NULL-terminated list. */
int campaign_in(const char *const *list, const char *v);
/* 1 when v is an item of l. */
int campaign_list_has(const struct campaign_list *l, const char *v);

/* Fills in a new campaign's defaults by type (stacking exclusive, concurrency
 * reject, reservation 30 minutes, target all, timezone UTC, release on
 * refund; welcome and referral first order only; welcome issue_on signup;
 * next_purchase 30 days validity), before the caller sets what it was sent. */
void campaign_defaults(struct campaign *c, const char *type);
/* Checks a whole campaign: ERR_INVALID naming the field (param such as
 * "discount.value", "limits.budget"). Also the rules across fields: a
 * window that ends after it starts; fixed needs a currency; a budget needs a
 * currency (the discount's or the conditions'); a generic or seasonal
 * campaign needs its code; apology needs triggers and a discount or points. */
int campaign_check(const struct campaign *c, struct err *e);

/* Creates c (checked; id, times and status set here): draft when
 * c->status is "draft", else active. A code that exists already is
 * ERR_CONFLICT "code_exists". */
int campaign_create(struct store_tx *tx, const char *shop, struct campaign *c,
		    struct err *e);
int campaign_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct campaign *out, struct err *e);
/* campaign_get() for a caller that read the row's updated_at in this
 * transaction: from the process's campaign cache when it holds the row at
 * that updated_at (exactly the row this transaction would read), else read,
 * and kept when tx is a read transaction (store_tx_read_only: committed). */
int campaign_get_at(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    int64_t updated_at, struct campaign *out, struct err *e);
/* Replaces a campaign with c (read with campaign_get and changed by the
 * caller): checked again; type and id never change; an ended campaign is
 * ERR_CONFLICT "campaign_ended"; status may go draft -> active only.
 * updated_at grows with every write of the row, even within a millisecond
 * (campaign_end too): campaign_get_at() relies on it. */
int campaign_update(struct store_tx *tx, const char *shop, struct campaign *c,
		    struct err *e);
/* Ends it now (idempotent). Its codes stop validating ("expired"). */
int campaign_end(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct campaign *out, struct err *e);
/* Newest first; type and status filter when not NULL. */
int campaign_list(struct store_tx *tx, struct arena *a, const char *shop, const char *type,
		  const char *status, const char *starting_after, int limit,
		  struct campaign **out, int *n, int *has_more, struct err *e);
/* The active campaigns of a type, oldest first (for the automatic offers). */
int campaign_active_of_type(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *type, struct campaign **out, int *n, struct err *e);

/* When customer may use the campaign: *from (starts_at, or early_days
 * before for a customer in an early tier) and whether the targeting admits
 * the customer (*targeted). customer NULL: an anonymous cart (targeting
 * other than "all" does not admit it). */
int campaign_opens_for(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct campaign *c, const char *customer, int64_t *from,
		       int *targeted, struct err *e);

/* What the campaign's redemptions used so far: live uses (reserved until a
 * future time or final), final uses, discount given by live and by final
 * ones, and the overuse honoured. */
struct campaign_usage {
	int64_t live_uses, final_uses, live_discount, final_discount, overuse;
};
int campaign_usage(struct store_tx *tx, const char *shop, const char *id,
		   struct campaign_usage *out, struct err *e);

#endif
