/*
 * special.h: the special functions the lifetime-value models need that C's
 * libm lacks. lgamma() comes from libm.
 */
#ifndef RETAIN_SPECIAL_H
#define RETAIN_SPECIAL_H

/* The digamma function psi(x) = d/dx ln Gamma(x), for x > 0; relative error
 * below 1e-13 (recurrence up to x >= 10, then the asymptotic series). */
double special_digamma(double x);
/* The Gauss hypergeometric function 2F1(a, b; c; z) for |z| < 1 by its
 * series, summed until terms no longer change the sum (at most 100000). */
double special_hyp2f1(double a, double b, double c, double z);
/* ln B(a, b) = lnGamma(a) + lnGamma(b) - lnGamma(a + b). */
double special_lbeta(double a, double b);

#endif
