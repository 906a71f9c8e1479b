/* svg.c: see svg.h. */
#include "svg.h"

#include <math.h>
#include <stdio.h>

#include "html.h"

#define W 480.0
#define H 160.0
#define PAD 24.0

static void open_svg(struct buf *b, const char *kind, const char *id, const char *label,
		     double w, double h)
{
	html_printf(b, "<svg class=\"chart chart-%s\" id=\"", kind);
	html_text(b, id);
	html_printf(b, "\" role=\"img\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\""
		    " aria-label=\"", w, h, w, h);
	html_text(b, label);
	html_raw(b, "\"><title>");
	html_text(b, label);
	html_raw(b, "</title>");
}

static void value_attr(struct buf *b, double v)
{
	if (isfinite(v))
		html_printf(b, " data-value=\"%.12g\"", v);
	else
		html_raw(b, " data-value=\"\"");
}

static void title(struct buf *b, const char *label, double v, double scale, const char *fmt)
{
	char num[64];
	html_raw(b, "<title>");
	html_text(b, label);
	html_raw(b, ": ");
	if (isfinite(v))
		snprintf(num, sizeof(num), fmt, v * scale);
	else
		snprintf(num, sizeof(num), "no data");
	html_text(b, num);
	html_raw(b, "</title>");
}

static void range(const double *v, int n, int stride, double *lo, double *hi)
{
	*lo = 0;
	*hi = 0;
	for (int i = 0; i < n; i++) {
		double x = v[i * stride];
		if (!isfinite(x))
			continue;
		if (x < *lo)
			*lo = x;
		if (x > *hi)
			*hi = x;
	}
	if (*hi - *lo <= 0)
		*hi = *lo + 1;
}

static void point_range(const struct svg_point *p, int n, double *lo, double *hi)
{
	*lo = 0;
	*hi = 0;
	for (int i = 0; i < n; i++) {
		double x = p[i].value;
		if (!isfinite(x))
			continue;
		if (x < *lo)
			*lo = x;
		if (x > *hi)
			*hi = x;
	}
	if (*hi - *lo <= 0)
		*hi = *lo + 1;
}

static double y_of(double v, double lo, double hi)
{
	return H - PAD - (v - lo) / (hi - lo) * (H - 2 * PAD);
}

static void axis_labels(struct buf *b, const struct svg_point *p, int n, double step)
{
	for (int i = 0; i < n; i += n > 6 ? 2 : 1) {
		html_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"%.1f\">", PAD + step * i + step / 2,
			    H - 6);
		html_text(b, p[i].label);
		html_raw(b, "</text>");
	}
}

void svg_line(struct buf *b, const char *id, const char *label, const struct svg_point *p,
	      int n, double scale, const char *fmt)
{
	double lo, hi, step = n ? (W - 2 * PAD) / n : 0;
	point_range(p, n, &lo, &hi);
	open_svg(b, "line", id, label, W, H);
	html_printf(b, "<line class=\"base\" x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>", PAD,
		    y_of(lo, lo, hi), W - PAD, y_of(lo, lo, hi));
	html_raw(b, "<polyline class=\"trend\" points=\"");
	for (int i = 0; i < n; i++)
		if (isfinite(p[i].value))
			html_printf(b, "%.1f,%.1f ", PAD + step * i + step / 2, y_of(p[i].value, lo, hi));
	html_raw(b, "\"/>");
	for (int i = 0; i < n; i++) {
		html_raw(b, "<circle class=\"mark\" r=\"4\"");
		html_printf(b, " cx=\"%.1f\" cy=\"%.1f\"", PAD + step * i + step / 2,
			    isfinite(p[i].value) ? y_of(p[i].value, lo, hi) : H - PAD);
		value_attr(b, p[i].value);
		html_raw(b, " data-label=\"");
		html_text(b, p[i].label);
		html_printf(b, "\"%s>", isfinite(p[i].value) ? "" : " visibility=\"hidden\"");
		title(b, p[i].label, p[i].value, scale, fmt);
		html_raw(b, "</circle>");
	}
	axis_labels(b, p, n, step);
	html_raw(b, "</svg>");
}

void svg_bars(struct buf *b, const char *id, const char *label, const struct svg_point *p,
	      int n, double scale, const char *fmt)
{
	double lo, hi, step = n ? (W - 2 * PAD) / n : 0;
	point_range(p, n, &lo, &hi);
	open_svg(b, "bars", id, label, W, H);
	for (int i = 0; i < n; i++) {
		double v = isfinite(p[i].value) ? p[i].value : 0;
		double y = y_of(v, lo, hi), y0 = y_of(0, lo, hi);
		html_printf(b, "<rect class=\"mark\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"",
			    PAD + step * i + 1, y < y0 ? y : y0, step > 2 ? step - 2 : step,
			    fabs(y0 - y));
		value_attr(b, p[i].value);
		html_raw(b, " data-label=\"");
		html_text(b, p[i].label);
		html_raw(b, "\">");
		title(b, p[i].label, p[i].value, scale, fmt);
		html_raw(b, "</rect>");
	}
	axis_labels(b, p, n, step);
	html_raw(b, "</svg>");
}

void svg_heat(struct buf *b, const char *id, const char *label, const char *const *rows,
	      int nrows, const char *const *cols, int ncols, const double *v, double scale,
	      const char *fmt)
{
	const double cell = 28, left = 96, top = 20;
	double lo, hi;
	range(v, nrows * ncols, 1, &lo, &hi);
	open_svg(b, "heat", id, label, left + cell * (ncols > 0 ? ncols : 1) + 4,
		 top + cell * (nrows > 0 ? nrows : 1) + 4);
	for (int j = 0; j < ncols; j++) {
		html_printf(b, "<text class=\"axis\" x=\"%.1f\" y=\"14\">", left + cell * j + cell / 2);
		html_text(b, cols[j]);
		html_raw(b, "</text>");
	}
	for (int i = 0; i < nrows; i++) {
		html_printf(b, "<text class=\"axis row\" x=\"2\" y=\"%.1f\">", top + cell * i + cell * 0.65);
		html_text(b, rows[i]);
		html_raw(b, "</text>");
		for (int j = 0; j < ncols; j++) {
			double x = v[i * ncols + j];
			if (!isfinite(x))
				continue;
			int level = (int)floor((x - lo) / (hi - lo) * 9.999);
			char lab[160];
			snprintf(lab, sizeof(lab), "%s, %s", rows[i], cols[j]);
			html_printf(b, "<rect class=\"mark cell heat-%d\" x=\"%.1f\" y=\"%.1f\" width=\"%.0f\""
				    " height=\"%.0f\" data-row=\"%d\" data-col=\"%d\"", level < 0 ? 0 : level,
				    left + cell * j, top + cell * i, cell - 1, cell - 1, i, j);
			value_attr(b, x);
			html_raw(b, ">");
			title(b, lab, x, scale, fmt);
			html_raw(b, "</rect>");
		}
	}
	html_raw(b, "</svg>");
}

void svg_scatter(struct buf *b, const char *id, const char *label, const char *xname,
		 const char *yname, const double *x, const double *y, const char *const *titles,
		 int n)
{
	double xlo, xhi, ylo, yhi;
	range(x, n, 1, &xlo, &xhi);
	range(y, n, 1, &ylo, &yhi);
	open_svg(b, "scatter", id, label, W, H + 20);
	html_printf(b, "<text class=\"axis\" x=\"%.0f\" y=\"%.0f\">", W / 2, H + 14);
	html_text(b, xname);
	html_raw(b, "</text><text class=\"axis row\" x=\"2\" y=\"12\">");
	html_text(b, yname);
	html_raw(b, "</text>");
	for (int i = 0; i < n; i++) {
		if (!isfinite(x[i]) || !isfinite(y[i]))
			continue;
		double cx = PAD + (x[i] - xlo) / (xhi - xlo) * (W - 2 * PAD);
		html_printf(b, "<circle class=\"mark\" r=\"3\" cx=\"%.1f\" cy=\"%.1f\" data-x=\"%.12g\""
			    " data-value=\"%.12g\">", cx, y_of(y[i], ylo, yhi), x[i], y[i]);
		html_raw(b, "<title>");
		html_text(b, titles ? titles[i] : "");
		html_raw(b, ": ");
		html_text(b, xname);
		html_printf(b, " %.6g, ", x[i]);
		html_text(b, yname);
		html_printf(b, " %.4g</title></circle>", y[i]);
	}
	html_raw(b, "</svg>");
}
