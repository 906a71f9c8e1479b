/* Unit tests of the lifetime-value models against the published CDNOW fits
 * (tests/data/cdnow/ORIGIN.md) and of their special functions. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "analytics/bgnbd.h"
#include "analytics/gammagamma.h"
#include "analytics/special.h"

static int load_cdnow(struct rfm_tuple **out)
{
	FILE *f = fopen("tests/data/cdnow/cdnow_customers_summary_with_transactions.csv", "r");
	char line[256];
	int n = 0;
	cr_assert_not_null(f, "run the unit tests from the repository root");
	*out = calloc(3000, sizeof(**out));
	fgets(line, sizeof(line), f);	/* header */
	while (fgets(line, sizeof(line), f)) {
		struct rfm_tuple *t = &(*out)[n];
		int id;
		if (sscanf(line, "%d,%lf,%lf,%lf,%lf", &id, &t->x, &t->t_x, &t->T, &t->monetary) == 5) {
			t->weight = 1;
			n++;
		}
	}
	fclose(f);
	return n;
}

/* x rounded to 3 significant digits, as the papers print. */
static double sig3(double x)
{
	double scale = pow(10, 2 - floor(log10(fabs(x))));
	return round(x * scale) / scale;
}

Test(special, digamma_matches_known_values)
{
	cr_assert_float_eq(special_digamma(1), -0.5772156649015329, 1e-13);
	cr_assert_float_eq(special_digamma(0.5), -1.9635100260214235, 1e-13);
	cr_assert_float_eq(special_digamma(10), 2.251752589066721, 1e-13);
	cr_assert_float_eq(special_digamma(0.01), -100.56088545786867, 1e-10);
}

Test(special, hyp2f1_matches_closed_forms)
{
	/* 2F1(1, 1; 2; z) = -ln(1 - z) / z */
	cr_assert_float_eq(special_hyp2f1(1, 1, 2, 0.5), -log(0.5) / 0.5, 1e-13);
	/* 2F1(a, b; b; z) = (1 - z)^-a */
	cr_assert_float_eq(special_hyp2f1(2.5, 3, 3, 0.3), pow(0.7, -2.5), 1e-12);
}

Test(bgnbd, fits_the_published_cdnow_parameters_to_three_digits)
{
	struct rfm_tuple *t;
	int n = load_cdnow(&t);
	cr_assert_eq(n, 2357);
	int distinct = bgnbd_group(t, n, 0);
	struct bgnbd_params p;
	struct fit_report rep;
	bgnbd_fit(t, distinct, 0, &p, &rep);
	cr_assert(rep.converged, "not converged: gradient %g after %d iterations", rep.grad_norm,
		  rep.iterations);
	cr_assert_eq(rep.customers, 2357);
	cr_assert_lt(rep.distinct, 2357, "equal tuples were not grouped");
	cr_assert_float_eq(sig3(p.r), 0.243, 1e-12, "r = %.6f", p.r);
	cr_assert_float_eq(sig3(p.alpha), 4.41, 1e-12, "alpha = %.6f", p.alpha);
	cr_assert_float_eq(sig3(p.a), 0.793, 1e-12, "a = %.6f", p.a);
	cr_assert_float_eq(sig3(p.b), 2.43, 1e-12, "b = %.6f", p.b);
	cr_assert_float_eq(rep.log_likelihood, -9582.4, 0.05, "LL = %.3f", rep.log_likelihood);
	free(t);
}

Test(gammagamma, fits_the_published_cdnow_parameters_to_three_digits)
{
	struct rfm_tuple *t;
	int n = load_cdnow(&t);
	int distinct = bgnbd_group(t, n, 1);
	struct gammagamma_params g;
	struct fit_report rep;
	double corr;
	gammagamma_fit(t, distinct, 0, &g, &rep, &corr);
	cr_assert(rep.converged, "not converged: gradient %g", rep.grad_norm);
	cr_assert_eq(rep.customers, 946);
	cr_assert_float_eq(sig3(g.p), 6.25, 1e-12, "p = %.6f", g.p);
	cr_assert_float_eq(sig3(g.q), 3.74, 1e-12, "q = %.6f", g.q);
	cr_assert_float_eq(sig3(g.gamma), 15.4, 1e-12, "gamma = %.6f", g.gamma);
	cr_assert_float_eq(g.gamma, 15.44, 0.01, "gamma = %.6f", g.gamma);
	cr_assert_lt(fabs(corr), 0.2, "frequency and spend correlate: %f", corr);
	free(t);
}

Test(bgnbd, predictions_behave_as_the_model_says)
{
	struct bgnbd_params p = { 0.243, 4.414, 0.793, 2.426 };
	/* No repeat purchase: alive for sure (the model's convention). */
	cr_assert_float_eq(bgnbd_p_alive(&p, 0, 0, 38.86), 1, 1e-15);
	/* A recent buyer is likelier alive than one who stopped long ago. */
	cr_assert_gt(bgnbd_p_alive(&p, 2, 30.43, 38.86), bgnbd_p_alive(&p, 2, 5, 38.86));
	/* Expected purchases grow with the horizon and with past frequency. */
	double e39 = bgnbd_expected(&p, 39, 2, 30.43, 38.86);
	cr_assert_gt(e39, bgnbd_expected(&p, 10, 2, 30.43, 38.86));
	cr_assert_gt(bgnbd_expected(&p, 39, 5, 30.43, 38.86), e39);
	cr_assert(isfinite(e39) && e39 > 0);
}
