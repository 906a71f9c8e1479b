/*
 * optimize.h: minimisation of a smooth function of a few variables with its
 * gradient, by BFGS with a backtracking (Armijo) line search. The lifetime
 * models minimise their negative log-likelihood in log-parameter space, where
 * every point is a valid parameter set.
 */
#ifndef RETAIN_OPTIMIZE_H
#define RETAIN_OPTIMIZE_H

#define OPTIMIZE_MAX_DIM 8

/* Returns f(x) and writes its gradient into g (n values). */
typedef double (*optimize_fn)(const double *x, double *g, int n, void *ctx);

struct optimize_result {
	double value;		/* f at the optimum */
	double grad_norm;	/* Euclidean norm of the gradient there */
	int iterations;
	int converged;		/* gradient norm below the tolerance */
};

/* Minimises f from x (updated in place). tolerance bounds the gradient norm. */
void optimize_bfgs(optimize_fn f, double *x, int n, void *ctx, double tolerance,
		   int max_iterations, struct optimize_result *out);

#endif
