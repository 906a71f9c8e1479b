/* gammagamma.c: see gammagamma.h. */
#include "gammagamma.h"

#include <math.h>
#include <stddef.h>

#include "../base/clock.h"
#include "optimize.h"
#include "special.h"

struct objective {
	const struct rfm_tuple *t;
	int n;
	double customers, penalty;
};

static double tuple_ll(double p, double q, double v, const struct rfm_tuple *c, double *g)
{
	double x = c->x, m = c->monetary, px = p * x;
	if (g) {
		double ps = special_digamma(px + q);
		g[0] = x * ps - x * special_digamma(px) + x * log(m) + x * log(x) - x * log(x * m + v);
		g[1] = ps - special_digamma(q) + log(v) - log(x * m + v);
		g[2] = q / v - (px + q) / (x * m + v);
	}
	return lgamma(px + q) - lgamma(px) - lgamma(q) + q * log(v) + (px - 1) * log(m) +
	       px * log(x) - (px + q) * log(x * m + v);
}

static double objective(const double *theta, double *grad, int dim, void *ctx)
{
	const struct objective *o = ctx;
	double p[3], sum = 0, gsum[3] = { 0 };
	for (int k = 0; k < 3; k++)
		p[k] = exp(theta[k]);
	for (int i = 0; i < o->n; i++) {
		const struct rfm_tuple *c = &o->t[i];
		double g[3], w = (double)c->weight;
		if (c->x <= 0 || c->monetary <= 0)
			continue;
		sum += w * tuple_ll(p[0], p[1], p[2], c, g);
		for (int k = 0; k < 3; k++)
			gsum[k] += w * g[k];
	}
	double f = -sum / o->customers;
	for (int k = 0; k < dim; k++) {
		grad[k] = -gsum[k] * p[k] / o->customers + 2 * o->penalty * p[k] * p[k];
		f += o->penalty * p[k] * p[k];
	}
	return isfinite(f) ? f : INFINITY;
}

void gammagamma_fit(const struct rfm_tuple *t, int n, double penalty,
		    struct gammagamma_params *out, struct fit_report *report, double *corr)
{
	struct objective o = { t, n, 0, penalty };
	struct optimize_result res;
	double theta[3] = { 0, 0, 0 }, sx = 0, sm = 0, sxx = 0, smm = 0, sxm = 0, ll = 0;
	int distinct = 0;
	for (int i = 0; i < n; i++) {
		const struct rfm_tuple *c = &t[i];
		double w = (double)c->weight;
		if (c->x <= 0 || c->monetary <= 0)
			continue;
		distinct++;
		o.customers += w;
		sx += w * c->x, sm += w * c->monetary;
		sxx += w * c->x * c->x, smm += w * c->monetary * c->monetary;
		sxm += w * c->x * c->monetary;
	}
	double N = o.customers;
	double vx = sxx / N - (sx / N) * (sx / N), vm = smm / N - (sm / N) * (sm / N);
	*corr = N > 1 && vx > 0 && vm > 0 ? (sxm / N - (sx / N) * (sm / N)) / sqrt(vx * vm) : 0;
	double started = clock_monotonic_ms();
	optimize_bfgs(objective, theta, 3, &o, 1e-6, 500, &res);
	report->seconds = (clock_monotonic_ms() - started) / 1000;
	out->p = exp(theta[0]);
	out->q = exp(theta[1]);
	out->gamma = exp(theta[2]);
	for (int i = 0; i < n; i++)
		if (t[i].x > 0 && t[i].monetary > 0)
			ll += (double)t[i].weight * tuple_ll(out->p, out->q, out->gamma, &t[i], NULL);
	report->params[0] = out->p;
	report->params[1] = out->q;
	report->params[2] = out->gamma;
	report->params[3] = 0;
	report->log_likelihood = ll;
	report->grad_norm = res.grad_norm;
	report->iterations = res.iterations;
	report->converged = res.converged;
	report->customers = (int64_t)N;
	report->distinct = distinct;
}

double gammagamma_expected_spend(const struct gammagamma_params *g, double x, double monetary)
{
	return (g->p * (g->gamma + x * monetary)) / (g->p * x + g->q - 1);
}

double gammagamma_clv(const struct bgnbd_params *b, const struct gammagamma_params *g,
		      double x, double t_x, double T, double monetary, int months, double rate,
		      double units_per_month)
{
	double spend = gammagamma_expected_spend(g, x, monetary), clv = 0, prev = 0;
	for (int i = 1; i <= months; i++) {
		double cum = bgnbd_expected(b, i * units_per_month, x, t_x, T);
		clv += (cum - prev) * spend / pow(1 + rate, i);
		prev = cum;
	}
	return clv;
}
