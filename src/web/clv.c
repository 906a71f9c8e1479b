/*
 * clv.c: the CLV page: clv_compute() (GET /v1/reports/clv with its default
 * options: a 52-week horizon, CLV over 12 months at 1% a month; the shop's
 * cached clv report, report_cache.h, which keeps what follows) as a
 * histogram of the customers' CLV (CLV_BINS equal bins from 0 to the
 * largest), a scatter of P(alive) against repeat purchases (at most
 * CLV_SCATTER_MAX points, every k-th customer beyond), the top customers by
 * CLV, and the fit report of both models.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/dashboard_data.h"
#include "../core/customer.h"
#include "svg.h"
#include "web.h"

#define CLV_BINS DASH_CLV_BINS

struct clv_page {
	struct web *w;
	struct report_text t;
	struct dash_clv d;
	const struct clv_report *rep;	/* &d.fit */
	struct customer *names;
};

static int names_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct clv_page *c = ctx;
	struct arena *a = &c->w->r->arena;
	int rc;
	c->names = arena_alloc(a, sizeof(*c->names) * (size_t)(c->d.ntop + 1));
	for (int i = 0; i < c->d.ntop; i++)
		if ((rc = customer_get(tx, a, c->w->shop, c->d.top[i].id, &c->names[i], e)))
			return rc;
	return 0;
}

static void histogram(struct web *w, const struct dash_clv *d)
{
	struct arena *a = &w->r->arena;
	double hi = d->hist_hi;
	struct svg_point p[CLV_BINS];
	for (int k = 0; k < CLV_BINS; k++)
		p[k] = (struct svg_point){ arena_printf(a, "%.0f–%.0f", hi * k / CLV_BINS,
							hi * (k + 1) / CLV_BINS), d->hist[k] };
	svg_bars(&w->out, "clv-histogram", "Customers by CLV (in the currency's major units), ten equal bins", p,
		 CLV_BINS, 1, "%.0f customers");
}

static void scatter(struct web *w, const struct dash_clv *d)
{
	struct arena *a = &w->r->arena;
	int n = d->nscatter;
	double *x = arena_alloc(a, sizeof(double) * (size_t)(n + 1));
	double *y = arena_alloc(a, sizeof(double) * (size_t)(n + 1));
	const char **t = arena_alloc(a, sizeof(*t) * (size_t)(n + 1));
	for (int i = 0; i < n; i++) {
		x[i] = d->scatter[i].x;
		y[i] = d->scatter[i].y;
		t[i] = d->scatter[i].id;
	}
	svg_scatter(&w->out, "clv-scatter", "P(alive) against repeat purchases, one dot a customer",
		    "repeat purchases", "P(alive)", x, y, t, n);
}

static void fit_row(struct web *w, const char *name, const char *const *labels, int np,
		    const struct fit_report *f)
{
	char num[32];
	html_printf(&w->out, "<tr data-model=\"%s\"><th scope=\"row\">%s</th><td>", name, name);
	for (int i = 0; i < np; i++) {
		html_printf(&w->out, "%s%s = <span data-param=\"%s\" data-value=\"%.12g\">", i ? ", " : "",
			    labels[i], labels[i], f->params[i]);
		html_text(&w->out, web_number(f->params[i], 4, num));
		html_raw(&w->out, "</span>");
	}
	html_printf(&w->out, "</td><td>%s</td><td>%d</td><td>%s</td><td>%lld</td></tr>",
		    web_number(f->log_likelihood, 2, num), f->iterations, f->converged ? "yes" : "no",
		    (long long)f->customers);
}

static void fit_report(struct web *w, const struct clv_report *rep)
{
	static const char *const bg[] = { "r", "alpha", "a", "b" }, *const gg[] = { "p", "q", "gamma" };
	char num[32];
	html_raw(&w->out, "<h2>Fit report</h2><table id=\"clv-fit\"><thead><tr><th>Model</th>"
			  "<th>Parameters</th><th>Log-likelihood</th><th>Iterations</th><th>Converged</th>"
			  "<th>Customers</th></tr></thead><tbody>");
	fit_row(w, "bgnbd", bg, 4, &rep->bgnbd_fit);
	if (rep->spend_enough)
		fit_row(w, "gamma_gamma", gg, 3, &rep->gg_fit);
	html_raw(&w->out, "</tbody></table>");
	html_printf(&w->out, "<p>Spend against frequency correlation: <span id=\"clv-correlation\">%s"
		    "</span>. Churn risk: <span id=\"risk-low\" data-value=\"%lld\">%lld low</span>,"
		    " <span id=\"risk-medium\" data-value=\"%lld\">%lld medium</span>, <span"
		    " id=\"risk-high\" data-value=\"%lld\">%lld high</span>.</p>",
		    web_number(rep->spend_correlation, 3, num), (long long)rep->risk[0],
		    (long long)rep->risk[0], (long long)rep->risk[1], (long long)rep->risk[1],
		    (long long)rep->risk[2], (long long)rep->risk[2]);
}

static void top(struct web *w, struct clv_page *c)
{
	char num[32], pa[32];
	html_raw(&w->out, "<h2>Top customers</h2><table id=\"clv-top\"><thead><tr><th>Customer</th>"
			  "<th>CLV</th><th>P(alive)</th><th>Expected purchases</th><th>Risk</th></tr>"
			  "</thead><tbody>");
	for (int i = 0; i < c->d.ntop; i++) {
		const struct clv_customer *k = &c->d.top[i];
		html_raw(&w->out, "<tr data-customer=\"");
		html_text(&w->out, k->id);
		html_printf(&w->out, "\" data-value=\"%.12g\"><td><a href=\"/dashboard/customers/", k->clv);
		html_url(&w->out, k->id);
		html_raw(&w->out, "\">");
		html_text(&w->out, c->names[i].name ? c->names[i].name : k->id);
		html_printf(&w->out, "</a></td><td>%s</td><td>%s</td><td>", web_number(k->clv, 0, num),
			    web_percent(k->p_alive, pa));
		html_text(&w->out, web_number(k->expected, 2, num));
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, k->risk);
		html_raw(&w->out, "</td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static int clv_page(struct web *w, struct err *e)
{
	struct clv_page *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	int rc = web_report(w, REPORT_CLV, 0, &c->t, e);
	if (rc || (rc = dash_clv_parse(&w->r->arena, c->t.body, &c->d, e)) ||
	    (rc = web_read(w, names_tx, c, e)))
		return rc;
	const struct clv_report *rep = &c->d.fit;
	struct clv_options o = dash_clv_options(c->t.computed_at);
	web_page_begin(w, "CLV", "clv");
	html_printf(&w->out, "<h1>Customer lifetime value</h1><p class=\"muted\" id=\"clv-summary\""
		    " data-customers=\"%lld\" data-repeaters=\"%lld\">%lld customers, %lld of them repeat"
		    " buyers.</p>", (long long)rep->customers, (long long)rep->repeaters,
		    (long long)rep->customers, (long long)rep->repeaters);
	web_as_of(w, REPORT_CLV, &c->t);
	if (!rep->enough) {
		html_raw(&w->out, "<p id=\"clv-not-enough\">Not enough data for a fit: ");
		html_text(&w->out, rep->reason ? rep->reason : "no data");
		html_raw(&w->out, "</p>");
	} else {
		char num[32];
		html_printf(&w->out, "<p>CLV over %d months: median <span id=\"clv-median\">%s</span>,",
			    o.months, web_number(rep->clv_p50, 0, num));
		html_printf(&w->out, " total <span id=\"clv-total\" data-value=\"%.12g\">%s</span> ",
			    rep->clv_total, web_number(rep->clv_total, 0, num));
		html_text(&w->out, rep->currency);
		html_raw(&w->out, ".</p><h2>Distribution</h2>");
		histogram(w, &c->d);
		html_raw(&w->out, "<h2>P(alive) and frequency</h2>");
		scatter(w, &c->d);
		top(w, c);
		fit_report(w, rep);
	}
	web_page_end(w);
	return 0;
}

int web_clv(struct req *r, struct err *e)
{
	return web_run(r, e, clv_page, 0);
}
