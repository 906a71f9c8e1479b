/*
 * bgnbd.h: the BG/NBD model of repeat buying (Fader, Hardie & Lee 2005,
 * "Counting your customers the easy way"). A customer is summarised by
 * x (repeat purchases), t_x (time of the last purchase since the first) and
 * T (time since the first purchase), in one time unit (weeks here).
 *
 * The fit maximises the log-likelihood over (r, alpha, a, b) in log space
 * with analytic gradients; customers with equal (x, t_x, T) are grouped so a
 * fit costs O(distinct tuples). An optional L2 penalty on the parameters
 * (as lifetimes' penalizer_coef) regularises small data sets.
 */
#ifndef RETAIN_BGNBD_H
#define RETAIN_BGNBD_H

#include <stdint.h>

struct rfm_tuple {
	double x, t_x, T;
	double monetary;	/* mean repeat spend (Gamma-Gamma), 0 if none */
	int64_t weight;		/* customers with this tuple */
};

struct bgnbd_params {
	double r, alpha, a, b;
};

struct fit_report {
	double params[4];
	double log_likelihood;	/* summed over customers, unpenalised */
	double grad_norm;	/* of the mean negative log-likelihood, log space */
	int iterations, converged;
	int64_t customers, distinct;
	double seconds;		/* the fit's own time */
};

/* Sorts and merges equal (x, t_x, T[, monetary]) in place; returns the new count. */
int bgnbd_group(struct rfm_tuple *t, int n, int with_monetary);
double bgnbd_log_likelihood(const struct bgnbd_params *p, const struct rfm_tuple *t, int n);
void bgnbd_fit(const struct rfm_tuple *t, int n, double penalty, struct bgnbd_params *out,
	       struct fit_report *report);
/* P(the customer is still active | x, t_x, T). */
double bgnbd_p_alive(const struct bgnbd_params *p, double x, double t_x, double T);
/* Expected purchases in the next t units. */
double bgnbd_expected(const struct bgnbd_params *p, double t, double x, double t_x, double T);

#endif
