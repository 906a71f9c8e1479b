/*
 * clv.h: customer lifetime value from a shop's own orders. One scan of the
 * paid orders (net of refunds; fully refunded and unpaid ones are not
 * purchases) builds each customer's (x, t_x, T, mean repeat spend) in weeks,
 * purchases on one day counting as one; BG/NBD and Gamma-Gamma are fitted on
 * them; every customer gets P(alive), expected purchases, expected spend per
 * purchase, CLV and a churn-risk band.
 *
 * Too little data is a clear answer, never a silent bad fit: see enough and
 * reason. Results live in the arena.
 */
#ifndef RETAIN_CLV_H
#define RETAIN_CLV_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "bgnbd.h"
#include "gammagamma.h"

#define CLV_MIN_CUSTOMERS 20
#define CLV_MIN_REPEATERS 10
/* The accepted options (API query and CLI flags alike). */
#define CLV_HORIZON_WEEKS_MIN 1
#define CLV_HORIZON_WEEKS_MAX 520
#define CLV_MONTHS_MIN 1
#define CLV_MONTHS_MAX 120
#define CLV_DISCOUNT_MAX 1	/* monthly, from 0 */
#define CLV_PENALTY_MAX 100	/* from 0 */

struct clv_options {
	int64_t from, to;	/* unix ms; to is the end of the calibration day */
	const char *currency;	/* NULL: the shop's most used currency */
	double horizon_weeks;	/* for expected purchases */
	int months;		/* CLV horizon */
	double discount;	/* monthly */
	double penalty;		/* L2, 0 for none */
};

struct clv_customer {
	char id[ID_MAX];
	double x, t_x, T, monetary;
	double p_alive, expected, spend, clv;
	const char *risk;	/* low, medium, high */
};

struct clv_report {
	const char *currency;
	int64_t customers, repeaters;
	int enough;		/* 0: see reason */
	const char *reason;
	struct bgnbd_params bgnbd;
	struct fit_report bgnbd_fit;
	int spend_enough;
	struct gammagamma_params gg;
	struct fit_report gg_fit;
	double spend_correlation;
	double clv_p10, clv_p50, clv_p90, clv_total, expected_total;
	int64_t risk[3];	/* low, medium, high */
	struct clv_customer *list;
	int n;
};

/* One customer's (x, t_x, T, monetary) as of o->to, with predictions from a
 * fitted report (r->enough; r->spend_enough for spend and CLV). *found = 0
 * when the customer has no purchase in the range. */
int clv_customer(struct store_tx *tx, const char *shop, const char *customer,
		 const struct clv_options *o, const struct clv_report *r,
		 struct clv_customer *out, int *found, struct err *e);

int clv_compute(struct store_tx *tx, struct arena *a, const char *shop,
		const struct clv_options *o, struct clv_report *r, struct err *e);

#endif
