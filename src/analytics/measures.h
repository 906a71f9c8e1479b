/*
 * measures.h: retention measures from a shop's paid orders (net of refunds;
 * fully refunded, cancelled and unpaid orders are not purchases), over a date
 * range, optionally for one channel. One ordered scan, aggregated in C.
 *
 * Members are customers with an account (joining the programme asks for no
 * more than that); the comparison is reported when the shop has a programme.
 * Results live in the arena.
 */
#ifndef RETAIN_MEASURES_H
#define RETAIN_MEASURES_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define MEASURES_MAX_MONTHS 120

struct measures_filter {
	int64_t from, to;	/* unix ms, to inclusive of its day */
	const char *channel;	/* NULL: all */
	const char *currency;	/* NULL: the shop's most used */
};

struct group_stats {
	int64_t customers, orders, repeat_customers, revenue;
	double orders_per_customer, average_order_value, revenue_per_customer, repeat_rate;
};

struct retention_report {
	const char *currency;
	struct group_stats all, members, non_members;
	int has_program;
	double days_between_mean, days_between_median;
	int64_t gaps;
};

struct cohort_row {
	int year, month;	/* the month of the first purchase */
	int64_t customers, revenue0;
	int ncells;
	double *share;		/* share of the cohort buying in month k */
	double *revenue;	/* revenue in month k / revenue in month 0 */
};

struct cohort_report {
	const char *currency;
	struct cohort_row *rows;
	int nrows;
};

struct rfm_customer {
	char id[ID_MAX];
	int64_t recency_days, frequency, monetary;
	int r, f, m;
	const char *segment;
};

struct rfm_segment {
	const char *name;
	int64_t customers, revenue;
};

#define RFM_SEGMENTS 11

struct rfm_report {
	const char *currency;
	struct rfm_segment segments[RFM_SEGMENTS];
	struct rfm_customer *customers;
	int n;
};

int measures_retention(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct measures_filter *f, struct retention_report *out,
		       struct err *e);
/* Issue 14: measures_retention() for n windows at once (w[i]'s from and to;
 * channel and currency those of w[0]), with one scan of their union:
 * out[i] is what measures_retention(w[i]) gives. */
int measures_retention_windows(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct measures_filter *w, int n, struct retention_report *out,
			       struct err *e);
int measures_cohorts(struct store_tx *tx, struct arena *a, const char *shop,
		     const struct measures_filter *f, struct cohort_report *out, struct err *e);
int measures_rfm(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct measures_filter *f, struct rfm_report *out, struct err *e);
/* The rule every caller applies to a filter it was given: "from" is not after
 * "to" (ERR_INVALID, param "from"). */
int measures_filter_check(const struct measures_filter *f, struct err *e);
/* The segment of an R and F score (1..5), by the documented grid. */
const char *measures_rfm_segment(int r, int f);

#endif
