/*
 * svg.h: charts as inline SVG, rendered on the server: no script draws them.
 * Every mark (a <rect>, a <circle>, a line's point) carries its plotted
 * number in data-value (and its label in data-label) for tests and for
 * assistive tools, and a <title> child that a browser shows on hover. Each
 * chart is an <svg role="img"> with an aria-label naming what it shows, and a
 * class "chart chart-<kind>" (docs/dashboard.md lists them).
 *
 * Labels and titles are escaped (html.h); values are plain numbers, NaN for a
 * point without data (drawn as no mark, data-value="").
 */
#ifndef RETAIN_SVG_H
#define RETAIN_SVG_H

#include "../base/buf.h"

struct svg_point {
	const char *label;	/* the x label: "2026-03" */
	double value;
};

/* A line of n points (a trend): id names the chart, label is its aria-label,
 * fmt formats a value for the titles ("%.1f%%" with scale 100, say). */
void svg_line(struct buf *b, const char *id, const char *label, const struct svg_point *p,
	      int n, double scale, const char *fmt);
/* Vertical bars, one per point (a histogram). */
void svg_bars(struct buf *b, const char *id, const char *label, const struct svg_point *p,
	      int n, double scale, const char *fmt);
/* A heat map of nrows x ncols cells; v[i * ncols + j], NaN for no cell; row
 * and column labels; each cell's value shown scaled by scale with fmt. */
void svg_heat(struct buf *b, const char *id, const char *label, const char *const *rows,
	      int nrows, const char *const *cols, int ncols, const double *v, double scale,
	      const char *fmt);
/* A scatter of n points (x[i], y[i]), with axis names and a title per point. */
void svg_scatter(struct buf *b, const char *id, const char *label, const char *xname,
		 const char *yname, const double *x, const double *y, const char *const *titles,
		 int n);

#endif
