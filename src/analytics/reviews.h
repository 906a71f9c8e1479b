/*
 * reviews.h: how the shop answers what customers say (GET
 * /v1/reports/reviews, docs/reviews.md "The report").
 *
 * Reviews counted: those written in [from, to) and not hidden (a hidden one
 * is abuse, not an opinion), by month of writing (UTC, "YYYY-MM") and in
 * total: their count and average rating; the replies: how many have one and
 * the wall-clock minutes from the review to its first reply (average and
 * p50 by nearest rank); negative reviews (rating <= 2): how many, how many
 * came due (replied, or the reply target passed unreplied by `now`), and of
 * those how many were replied by their reply_due_at; the share answered in
 * time = met / due (NaN with none due).
 */
#ifndef RETAIN_ANALYTICS_REVIEWS_H
#define RETAIN_ANALYTICS_REVIEWS_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"

struct reviews_period {
	char month[8];		/* "" for the total */
	int64_t reviews, rating_sum, replied, negative, negative_due, negative_in_time;
	double average_rating, reply_minutes_average, reply_minutes_p50, negative_answered_in_time;
};

struct reviews_report {
	struct reviews_period total;
	struct reviews_period *months;	/* oldest first */
	int nmonths;
};

int reviews_report(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		   int64_t to, int64_t now, struct reviews_report *out, struct err *e);

#endif
