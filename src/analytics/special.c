/* special.c: see special.h. */
#include "special.h"

#include <math.h>

double special_digamma(double x)
{
	double result = 0;
	/* psi(x) = psi(x + 1) - 1/x until x is large enough for the series. */
	while (x < 10) {
		result -= 1 / x;
		x += 1;
	}
	double f = 1 / (x * x);
	/* Asymptotic expansion: ln x - 1/2x - sum B_2k / (2k x^2k). */
	double t = f * (-1.0 / 12 + f * (1.0 / 120 + f * (-1.0 / 252 + f * (1.0 / 240 +
		   f * (-1.0 / 132 + f * (691.0 / 32760 + f * (-1.0 / 12)))))));
	return result + log(x) - 0.5 / x + t;
}

double special_hyp2f1(double a, double b, double c, double z)
{
	double term = 1, sum = 1;
	for (int n = 0; n < 100000; n++) {
		term *= (a + n) * (b + n) / ((c + n) * (n + 1)) * z;
		double next = sum + term;
		if (next == sum)
			break;
		sum = next;
	}
	return sum;
}

double special_lbeta(double a, double b)
{
	return lgamma(a) + lgamma(b) - lgamma(a + b);
}
