/*
 * dashboard_data.h: what the dashboard's analytic pages show (issue 14),
 * computed from the analytics/ reports and written as text for the report
 * cache (report_cache.h), then read back by the pages (web/). Each kind has
 * a build (compute inside a read transaction at now and write the text) and
 * a parse (the text back into its struct, in an arena):
 *  - overview: the headline figures and their 12-month trends (retention
 *    windows, delivery, service, points; web/overview.c says which report
 *    gives which figure). The points liability is kept as outstanding
 *    points: the page multiplies by the programme's point value of now.
 *  - cohorts: measures_cohorts() over all time up to now.
 *  - rfm: measures_rfm() up to now: in the body the grid's counts and the
 *    eleven segments; in the detail every customer's scores (id and
 *    figures, in the report's order), read back filtered by a cell or a
 *    segment.
 *  - clv: clv_compute() with the dashboard's defaults (52-week horizon, 12
 *    months, 1% a month): the fit (every scalar of struct clv_report, so a
 *    customer's predictions can be made from it), the histogram's bins, the
 *    scatter's sample and the top customers.
 * The texts hold no name, e-mail or other identity: customers appear by id
 * only (the pages look their names up live).
 *
 * The text is a sequence of space-separated tokens read back in the order
 * written (report_cache.h stores a format number with it: a text of another
 * format is never parsed). A parse of a malformed text is ERR_INTERNAL.
 */
#ifndef RETAIN_DASHBOARD_DATA_H
#define RETAIN_DASHBOARD_DATA_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "clv.h"
#include "measures.h"

#define DASH_FORMAT 1		/* of every text below: bump when one changes */
#define DASH_MONTHS 12
#define DASH_CLV_BINS 10
#define DASH_CLV_TOP 20
#define DASH_CLV_SCATTER_MAX 2000

struct dash_overview {
	char labels[DASH_MONTHS][16];	/* "2026-03" */
	double repeat[DASH_MONTHS], members[DASH_MONTHS], on_time[DASH_MONTHS];
	double first[DASH_MONTHS], nps[DASH_MONTHS], redemption[DASH_MONTHS];
	int64_t outstanding[DASH_MONTHS];	/* points at each month's end (now for the last) */
	double repeat_now, members_now, on_time_now, first_now, nps_now, redemption_now;
	char currency[8];
};

struct dash_rfm {
	char currency[8];
	int n;				/* customers with a purchase */
	int64_t count[6][6];		/* [r][f], scores 1..5 */
	struct rfm_segment segments[RFM_SEGMENTS];
};

/* A cell (r and f) or a segment; 0 / NULL: any. */
struct dash_rfm_sel {
	int r, f;
	const char *segment;
};

struct dash_clv_point {
	double x, y;		/* repeat purchases, P(alive) */
	char id[ID_MAX];
};

struct dash_clv {
	struct clv_report fit;	/* list NULL, n 0 */
	double hist_hi;		/* the histogram's bins: CLV_BINS equal ones from 0 */
	double hist[DASH_CLV_BINS];
	struct dash_clv_point *scatter;
	int nscatter;
	struct clv_customer top[DASH_CLV_TOP];	/* by CLV, highest first */
	int ntop;
};

/* The dashboard's CLV options at now. */
struct clv_options dash_clv_options(int64_t now);

/* Builds: compute at now inside tx (a read), append the text to body (and,
 * rfm only, the customers to detail). */
int dash_overview_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
			struct buf *body, struct buf *detail, struct err *e);
int dash_cohorts_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		       struct buf *body, struct buf *detail, struct err *e);
int dash_rfm_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		   struct buf *body, struct buf *detail, struct err *e);
int dash_clv_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		   struct buf *body, struct buf *detail, struct err *e);

/* Parses. */
int dash_overview_parse(const char *text, struct dash_overview *out, struct err *e);
int dash_cohorts_parse(struct arena *a, const char *text, struct cohort_report *out,
		       struct err *e);
int dash_rfm_parse(const char *text, struct dash_rfm *out, struct err *e);
/* The customers of detail that sel selects, in the report's order, into
 * *out (*n of them; segment names are measures_rfm_segment's). */
int dash_rfm_customers(struct arena *a, const char *detail, const struct dash_rfm_sel *sel,
		       struct rfm_customer **out, int *n, struct err *e);
int dash_clv_parse(struct arena *a, const char *text, struct dash_clv *out, struct err *e);

#endif
