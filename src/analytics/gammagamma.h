/*
 * gammagamma.h: the Gamma-Gamma model of spend per purchase (Fader, Hardie &
 * Lee 2005, "RFM and CLV"; Hardie's note 025), fitted on customers with
 * repeat purchases and positive mean spend, and the CLV over a horizon with a
 * monthly discount rate, the formula lifetimes uses.
 */
#ifndef RETAIN_GAMMAGAMMA_H
#define RETAIN_GAMMAGAMMA_H

#include "bgnbd.h"

struct gammagamma_params {
	double p, q, gamma;
};

/* Fits on tuples with x > 0 and monetary > 0 (others are skipped and counted
 * in report->customers only if used). corr receives the Pearson correlation
 * of x and monetary among them: the model assumes they are independent. */
void gammagamma_fit(const struct rfm_tuple *t, int n, double penalty,
		    struct gammagamma_params *out, struct fit_report *report, double *corr);
/* E[M | x, mean spend]: the customer's expected spend per purchase. */
double gammagamma_expected_spend(const struct gammagamma_params *g, double x, double monetary);
/*
 * CLV over months (30-day steps of units_per_month time units) with a monthly
 * discount rate: sum over i of expected purchases in month i times the
 * expected spend, discounted by (1 + rate)^i.
 */
double gammagamma_clv(const struct bgnbd_params *b, const struct gammagamma_params *g,
		      double x, double t_x, double T, double monetary, int months,
		      double rate, double units_per_month);

#endif
