/* bgnbd.c: see bgnbd.h. Equations (6) and (10) of Fader, Hardie & Lee (2005),
 * with the log-sum-exp arrangement lifetimes uses for numerical safety. */
#include "bgnbd.h"

#include <math.h>
#include <stdlib.h>

#include "../base/clock.h"
#include "optimize.h"
#include "special.h"

static int cmp_tuple(const void *pa, const void *pb)
{
	const struct rfm_tuple *a = pa, *b = pb;
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->t_x != b->t_x)
		return a->t_x < b->t_x ? -1 : 1;
	if (a->T != b->T)
		return a->T < b->T ? -1 : 1;
	if (a->monetary != b->monetary)
		return a->monetary < b->monetary ? -1 : 1;
	return 0;
}

int bgnbd_group(struct rfm_tuple *t, int n, int with_monetary)
{
	int out = 0;
	if (!with_monetary)
		for (int i = 0; i < n; i++)
			t[i].monetary = 0;
	qsort(t, (size_t)n, sizeof(*t), cmp_tuple);
	for (int i = 0; i < n; i++) {
		if (out && !cmp_tuple(&t[out - 1], &t[i]))
			t[out - 1].weight += t[i].weight;
		else
			t[out++] = t[i];
	}
	return out;
}

/* The terms of a tuple's log-likelihood and gradient that depend on x alone
 * (and the parameters): tuples are sorted by x, so a fit computes them once
 * per distinct x instead of once per tuple. */
struct x_terms {
	double x, lg, pr, pab, pabx, pbx, pb, lbx1;
};

static void x_terms(double r, double a, double b, double x, struct x_terms *k)
{
	k->x = x;
	k->lg = lgamma(r + x) - lgamma(r) + lgamma(a + b) + lgamma(b + x) - lgamma(b) -
		lgamma(a + b + x);
	k->pr = special_digamma(r + x) - special_digamma(r);
	k->pab = special_digamma(a + b);
	k->pabx = special_digamma(a + b + x);
	k->pbx = special_digamma(b + x);
	k->pb = special_digamma(b);
	k->lbx1 = x > 0 ? log(b + x - 1) : 0;
}

/* The log-likelihood of one tuple and, if g, its gradient in (r, alpha, a, b). */
static double tuple_ll(double r, double al, double a, double b, const struct rfm_tuple *c,
		       const struct x_terms *k, double *g)
{
	double x = c->x, T = c->T, tx = c->t_x, lal = log(al);
	double A3 = -(r + x) * log(al + T);
	double A4 = x > 0 ? log(a) - k->lbx1 - (r + x) * log(al + tx) : -INFINITY;
	double m = A3 > A4 ? A3 : A4;
	double s = exp(A3 - m) + (x > 0 ? exp(A4 - m) : 0);
	if (g) {
		double w3 = exp(A3 - m) / s, w4 = x > 0 ? exp(A4 - m) / s : 0;
		g[0] = k->pr + lal - w3 * log(al + T) - w4 * (x > 0 ? log(al + tx) : 0);
		g[1] = r / al - w3 * (r + x) / (al + T) - w4 * (r + x) / (al + tx);
		g[2] = k->pab - k->pabx + w4 / a;
		g[3] = k->pab + k->pbx - k->pb - k->pabx - (x > 0 ? w4 / (b + x - 1) : 0);
	}
	return k->lg + r * lal + m + log(s);
}

double bgnbd_log_likelihood(const struct bgnbd_params *p, const struct rfm_tuple *t, int n)
{
	struct x_terms k = { -1, 0, 0, 0, 0, 0, 0, 0 };
	double ll = 0;
	for (int i = 0; i < n; i++) {
		if (t[i].x != k.x)
			x_terms(p->r, p->a, p->b, t[i].x, &k);
		ll += (double)t[i].weight * tuple_ll(p->r, p->alpha, p->a, p->b, &t[i], &k, NULL);
	}
	return ll;
}

struct objective {
	const struct rfm_tuple *t;
	int n;
	double customers, penalty;
};

/* Mean negative log-likelihood (plus penalty) in log-parameter space. */
static double objective(const double *theta, double *grad, int dim, void *ctx)
{
	const struct objective *o = ctx;
	double p[4], sum = 0, gsum[4] = { 0 };
	for (int k = 0; k < 4; k++)
		p[k] = exp(theta[k]);
	struct x_terms xt = { -1, 0, 0, 0, 0, 0, 0, 0 };
	for (int i = 0; i < o->n; i++) {
		double g[4], w = (double)o->t[i].weight;
		if (o->t[i].x != xt.x)
			x_terms(p[0], p[2], p[3], o->t[i].x, &xt);
		sum += w * tuple_ll(p[0], p[1], p[2], p[3], &o->t[i], &xt, g);
		for (int k = 0; k < 4; k++)
			gsum[k] += w * g[k];
	}
	double f = -sum / o->customers;
	for (int k = 0; k < dim; k++) {
		/* d/dtheta = p * d/dp; the penalty is penalty * sum p^2. */
		grad[k] = -gsum[k] * p[k] / o->customers + 2 * o->penalty * p[k] * p[k];
		f += o->penalty * p[k] * p[k];
	}
	return isfinite(f) ? f : INFINITY;
}

void bgnbd_fit(const struct rfm_tuple *t, int n, double penalty, struct bgnbd_params *out,
	       struct fit_report *report)
{
	struct objective o = { t, n, 0, penalty };
	struct optimize_result res;
	double theta[4] = { 0, 0, 0, 0 };	/* all parameters 1, as lifetimes starts */
	for (int i = 0; i < n; i++)
		o.customers += (double)t[i].weight;
	double started = clock_monotonic_ms();
	optimize_bfgs(objective, theta, 4, &o, 1e-6, 500, &res);
	report->seconds = (clock_monotonic_ms() - started) / 1000;
	out->r = exp(theta[0]);
	out->alpha = exp(theta[1]);
	out->a = exp(theta[2]);
	out->b = exp(theta[3]);
	report->params[0] = out->r;
	report->params[1] = out->alpha;
	report->params[2] = out->a;
	report->params[3] = out->b;
	report->log_likelihood = bgnbd_log_likelihood(out, t, n);
	report->grad_norm = res.grad_norm;
	report->iterations = res.iterations;
	report->converged = res.converged;
	report->customers = (int64_t)o.customers;
	report->distinct = n;
}

double bgnbd_p_alive(const struct bgnbd_params *p, double x, double t_x, double T)
{
	if (x <= 0)
		return 1;
	double lr = log(p->a) - log(p->b + x - 1) + (p->r + x) * (log(p->alpha + T) - log(p->alpha + t_x));
	return 1 / (1 + exp(lr));
}

double bgnbd_expected(const struct bgnbd_params *p, double t, double x, double t_x, double T)
{
	double r = p->r, al = p->alpha, a = p->a, b = p->b;
	double hyp = special_hyp2f1(r + x, b + x, a + b + x - 1, t / (al + T + t));
	double first = (a + b + x - 1) / (a - 1);
	double second = 1 - pow((al + T) / (al + T + t), r + x) * hyp;
	double denom = 1 + (x > 0 ? (a / (b + x - 1)) * pow((al + T) / (al + t_x), r + x) : 0);
	return first * second / denom;
}
