/*
 * review.h: what customers say about a product (a SKU) or an order, and
 * what the shop does about it (docs/reviews.md).
 *
 * A review is of exactly one subject: a SKU, or an order of its customer in
 * this shop (another shop's order is ERR_NOT_FOUND "order"; another
 * customer's ERR_INVALID "order"). One review per customer per subject:
 * a second is ERR_CONFLICT "review_exists" naming the first (idempotency
 * keys replay a retried request as usual). Marks, fixed when it is written:
 *	verified_buyer	a SKU review: the customer (or one merged into them)
 *		has a paid order line of that SKU not wholly refunded; an order
 *		review: the order is paid and not wholly refunded
 *	incentivized	the write gave the programme's "review" bonus
 *		(incentive_points > 0; per_customer_limit respected, a quiet
 *		bonus never fails the review), or the shop said it gave a coupon
 *		or other consideration (incentivized_by_shop)
 *
 * Status: published at once (the shop's moderation "auto", the default), or
 * pending until the shop publishes it ("manual"). Moderation
 * (review_moderate): hide a published or pending review for an abuse reason
 * (review_reasons[]: spam, profanity, personal_data, off_topic) only, never
 * for its rating; restore a hidden one; publish a pending one. Every change
 * is a row of the review's history, append-only: created, published,
 * hidden (with its reason), restored, replied, erased.
 *
 * A rating of REVIEW_QUEUE_MAX_RATING (3) or less enters the reply queue
 * with reply_due_at = its creation + the shop's reply_hours in business
 * hours (the calendar of the shop's newest SLA policy, core/sla.h; without
 * one, hours around the clock) and writes "review.needs_reply"; the first
 * reply takes it out. A negative one (rating <= REVIEW_NEGATIVE_MAX_RATING,
 * 2) fires the negative_review trigger (core/offers.h) with the review as
 * the cause and, when the shop's open_tickets is on, opens a support ticket
 * (source "review"), once per review.
 *
 * Erasing a customer (core/customer.c) blanks their reviews' title, body,
 * photos and author and writes "erased" into each one's history; the rating,
 * status and marks stay, so the distribution stays true. A merge moves the
 * reviews and votes to the surviving customer (a vote both gave on one
 * review keeps the survivor's).
 *
 * Strings live in the arena the review was read into.
 */
#ifndef RETAIN_REVIEW_H
#define RETAIN_REVIEW_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define REVIEW_TITLE_MAX 200
#define REVIEW_BODY_MAX 10000
#define REVIEW_PHOTOS_MAX 10
#define REVIEW_URL_MAX 2000
#define REVIEW_REPLY_MAX 10000
#define REVIEW_QUEUE_MAX_RATING 3
#define REVIEW_NEGATIVE_MAX_RATING 2
#define REVIEW_REPLY_HOURS_DEFAULT 24
#define REVIEW_REPLY_HOURS_MAX 8760
#define REVIEW_SHOWCASE_MAX 100

extern const char *const review_statuses[];	/* pending published hidden */
extern const char *const review_reasons[];	/* spam profanity personal_data off_topic */
extern const char *const review_actions[];	/* hide restore publish */

struct review_reply {
	char id[ID_MAX];
	const char *body;
	int public;
	int64_t created_at;
};

struct review {
	char id[ID_MAX];
	const char *customer_id;	/* NULL: the author was erased */
	const char *author_name;	/* the author's display name (core/profile.h), or NULL */
	const char *sku, *order_id, *title, *body, *status, *ticket_id;
	const char **photos;
	int nphotos;
	int64_t rating;
	int verified_buyer, incentivized_by_shop, author_erased;
	int64_t incentive_points, helpful, unhelpful;
	int64_t reply_due_at, first_reply_at, created_at, updated_at, published_at;
	struct review_reply *replies;
	int nreplies;
};

struct review_input {
	const char *customer, *sku, *order, *title, *body;	/* a customer ref */
	const char *const *photos;
	int nphotos;
	int64_t rating;
	int incentivized;	/* the shop gave a coupon or other consideration */
};

/* The shop's settings; a shop that set none has the defaults
 * (moderation "auto", REVIEW_REPLY_HOURS_DEFAULT, open_tickets 0). */
struct review_settings {
	const char *moderation;	/* auto, manual */
	int64_t reply_hours;
	int open_tickets;
	int64_t updated_at;	/* 0: the defaults */
};
int review_settings_get(struct store_tx *tx, struct arena *a, const char *shop,
			struct review_settings *out, struct err *e);
/* Checks (ERR_INVALID naming "moderation", "reply_hours") and stores. */
int review_settings_put(struct store_tx *tx, const char *shop, const struct review_settings *in,
			struct err *e);

/* Checks everything (ERR_INVALID naming the field) before it writes. */
int review_create(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct review_input *in, struct review *out, struct err *e);
/* With its replies (public_only 1: the public ones). ERR_NOT_FOUND "id". */
int review_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	       int public_only, struct review *out, struct err *e);

struct review_filter {
	const char *sku, *status, *customer;	/* NULL: any sku; status NULL: published */
	int64_t rating;				/* 0: any */
	int public_only;			/* replies */
};
/* Newest first (id order), cursor starting_after (a review id). status may
 * also be "any". ERR_INVALID "status", "rating". */
int review_list(struct store_tx *tx, struct arena *a, const char *shop,
		const struct review_filter *f, const char *starting_after, int limit,
		struct review **out, int *n, int *has_more, struct err *e);

/* Adds the shop's reply (public: shown with the review on the storefront);
 * the first one takes the review out of the reply queue. */
int review_reply(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 const char *body, int public, struct review *out, struct err *e);
/* The customer's vote on a published review, one per customer, changeable;
 * an author's vote on their own review is ERR_REFUSED "own_review". */
int review_vote(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		const char *customer, int helpful, struct review *out, struct err *e);
/* action hide (reason required, an abuse reason), restore (a hidden one),
 * publish (a pending one). ERR_INVALID "action" or "reason" naming the
 * allowed ones; ERR_CONFLICT "review_status_conflict" for an action the
 * status does not allow. */
int review_moderate(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    const char *action, const char *reason, struct review *out, struct err *e);

struct review_event {
	int64_t seq, at;
	const char *action, *reason, *detail;
};
/* The review's whole history, oldest first. */
int review_history(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   struct review_event **out, int *n, struct err *e);

/* Over every published review of sku (NULL: the whole shop). */
struct review_summary {
	int64_t count, sum;
	int64_t distribution[6];	/* [1..5] */
};
int review_summary(struct store_tx *tx, const char *shop, const char *sku,
		   struct review_summary *out, struct err *e);
/* The best published reviews first: rating, helpful votes, verified buyer,
 * newest, id (all descending); public replies only. */
int review_showcase(struct store_tx *tx, struct arena *a, const char *shop, const char *sku,
		    int limit, struct review **out, int *n, struct err *e);

/* The customer's (merges followed by the caller: an id) reviews. */
struct review_customer_summary {
	int64_t count, published, hidden, pending, sum;
	struct review *latest;
	int nlatest;
};
int review_of_customer(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *customer, int latest, struct review_customer_summary *out,
		       struct err *e);

/* The reply target of something written at `from`: the shop's reply_hours
 * of business hours later (of the newest SLA calendar; around the clock
 * without one, or when that calendar cannot reach it within ten years). */
int review_reply_due(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		     int64_t *due, struct err *e);

/* 1 when customer (an id; merged customers included) bought sku: a paid
 * order line not wholly refunded. */
int review_is_verified_buyer(struct store_tx *tx, const char *shop, const char *customer,
			     const char *sku, int *verified, struct err *e);

/* The customer.c hooks: erasure of one customer id, merge of source into
 * target. */
int review_erase_customer(struct store_tx *tx, const char *shop, const char *customer,
			  struct err *e);
int review_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e);
/* The reviews and questions customer (an id) wrote or answered, into arena
 * arrays: what an erasure rewrites in stored responses (api/customers.c). */
int review_written_by(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *customer, char (**ids)[32], int *n, struct err *e);

#endif
