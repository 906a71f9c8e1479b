/*
 * question.h: questions customers ask about a product (a SKU), their
 * answers, and the reply queue of reviews and questions (docs/reviews.md).
 *
 * A question is answered by the shop or by a verified buyer of its SKU
 * (core/review.h's test: a paid order line of that SKU not wholly refunded);
 * anyone else's answer is ERR_REFUSED "not_a_verified_buyer". A question
 * stays in the reply queue until its first answer, with reply_due_at = its
 * creation + the shop's reply_hours in business hours (review_reply_due).
 * Writes "question.created" and "question.answered". An erasure blanks the
 * customer's questions and answers (body NULL, author NULL); a merge moves
 * them (review_erase_customer, review_merge do both).
 *
 * Strings live in the arena the question was read into.
 */
#ifndef RETAIN_QUESTION_H
#define RETAIN_QUESTION_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "review.h"

#define QUESTION_BODY_MAX 4000

struct question_answer {
	char id[ID_MAX];
	const char *author, *customer_id, *body;	/* author: shop, customer */
	const char *author_name;	/* the customer's display name, or NULL */
	int64_t created_at;
};

struct question {
	char id[ID_MAX];
	const char *customer_id, *sku, *body;	/* NULL once the author was erased */
	const char *author_name;	/* the author's display name, or NULL */
	int64_t reply_due_at, first_answer_at, created_at, updated_at;
	struct question_answer *answers;
	int nanswers;
};

struct question_input {
	const char *customer, *sku, *body;
};

int question_create(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct question_input *in, struct question *out, struct err *e);
int question_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct question *out, struct err *e);
/* Newest first, with answers; sku NULL: every SKU; answered -1 any, 0, 1. */
int question_list(struct store_tx *tx, struct arena *a, const char *shop, const char *sku,
		  int answered, const char *starting_after, int limit, struct question **out,
		  int *n, int *has_more, struct err *e);
/* author "shop" (customer NULL) or "customer" (customer a ref, a verified
 * buyer of the question's SKU). ERR_INVALID "by", "customer", "body". */
int question_answer(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		    const char *author, const char *customer, const char *body,
		    struct question *out, struct err *e);

/* The reply queue: every review of REVIEW_QUEUE_MAX_RATING stars or less
 * (not hidden) without a reply and every question without an answer, by
 * due time, then id. Cursor starting_after: an item's id. */
struct queue_item {
	int is_review;
	struct review review;
	struct question question;
	int64_t due_at;
};
int question_queue(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *starting_after, int limit, struct queue_item **out, int *n,
		   int *has_more, struct err *e);

#endif
