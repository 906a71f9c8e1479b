/* optimize.c: see optimize.h. The classic BFGS update of the inverse Hessian
 * (Nocedal & Wright, Numerical Optimization, ch. 6), written for n <= 8. */
#include "optimize.h"

#include <math.h>
#include <string.h>

static double norm(const double *v, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += v[i] * v[i];
	return sqrt(s);
}

void optimize_bfgs(optimize_fn f, double *x, int n, void *ctx, double tolerance,
		   int max_iterations, struct optimize_result *out)
{
	double H[OPTIMIZE_MAX_DIM][OPTIMIZE_MAX_DIM], g[OPTIMIZE_MAX_DIM], p[OPTIMIZE_MAX_DIM];
	double xn[OPTIMIZE_MAX_DIM], gn[OPTIMIZE_MAX_DIM], s[OPTIMIZE_MAX_DIM], y[OPTIMIZE_MAX_DIM];
	double fx = f(x, g, n, ctx);
	int it;

	memset(H, 0, sizeof(H));
	for (int i = 0; i < n; i++)
		H[i][i] = 1;
	for (it = 0; it < max_iterations && norm(g, n) > tolerance; it++) {
		double slope = 0, step = 1, fn = 0;
		for (int i = 0; i < n; i++) {
			p[i] = 0;
			for (int j = 0; j < n; j++)
				p[i] -= H[i][j] * g[j];
			slope += p[i] * g[i];
		}
		if (slope >= 0) {	/* not a descent direction: restart from -g */
			memset(H, 0, sizeof(H));
			for (int i = 0; i < n; i++) {
				H[i][i] = 1;
				p[i] = -g[i];
			}
			slope = -norm(g, n) * norm(g, n);
		}
		/* Keep the first step modest in log space: e^3 is a factor of 20. */
		double pn = norm(p, n);
		if (pn > 3)
			step = 3 / pn;
		for (int tries = 0; tries < 60; tries++, step *= 0.5) {
			for (int i = 0; i < n; i++)
				xn[i] = x[i] + step * p[i];
			fn = f(xn, gn, n, ctx);
			if (isfinite(fn) && fn <= fx + 1e-4 * step * slope)
				break;
		}
		if (!isfinite(fn) || fn > fx)
			break;	/* no progress possible along any step */
		double sy = 0;
		for (int i = 0; i < n; i++) {
			s[i] = xn[i] - x[i];
			y[i] = gn[i] - g[i];
			sy += s[i] * y[i];
		}
		double change = fx - fn;
		memcpy(x, xn, sizeof(double) * (size_t)n);
		memcpy(g, gn, sizeof(double) * (size_t)n);
		fx = fn;
		if (sy > 1e-12) {
			double Hy[OPTIMIZE_MAX_DIM], yHy = 0;
			for (int i = 0; i < n; i++) {
				Hy[i] = 0;
				for (int j = 0; j < n; j++)
					Hy[i] += H[i][j] * y[j];
				yHy += y[i] * Hy[i];
			}
			for (int i = 0; i < n; i++)
				for (int j = 0; j < n; j++)
					H[i][j] += ((sy + yHy) * s[i] * s[j]) / (sy * sy) -
						   (Hy[i] * s[j] + s[i] * Hy[j]) / sy;
		}
		if (change < 1e-16 * (fabs(fx) + 1))
			break;	/* converged as far as doubles allow */
	}
	out->value = fx;
	out->grad_norm = norm(g, n);
	out->iterations = it;
	out->converged = out->grad_norm <= tolerance;
}
