/*
 * clv.c: the CLV page: clv_compute() (GET /v1/reports/clv with its default
 * options: a 52-week horizon, CLV over 12 months at 1% a month) as a
 * histogram of the customers' CLV (CLV_BINS equal bins from 0 to the
 * largest), a scatter of P(alive) against repeat purchases (at most
 * CLV_SCATTER_MAX points, every k-th customer beyond), the top customers by
 * CLV, and the fit report of both models.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../base/clock.h"
#include "../core/customer.h"
#include "svg.h"
#include "web.h"

#define CLV_BINS 10
#define CLV_TOP 20
#define CLV_SCATTER_MAX 2000

struct clv_page {
	struct web *w;
	struct clv_options o;
	struct clv_report rep;
	struct clv_customer **top;
	struct customer *names;
	int ntop;
};

static int by_clv(const void *a, const void *b)
{
	const struct clv_customer *x = *(struct clv_customer *const *)a, *y = *(struct clv_customer *const *)b;
	double u = isfinite(x->clv) ? x->clv : -INFINITY, v = isfinite(y->clv) ? y->clv : -INFINITY;
	return u < v ? 1 : u > v ? -1 : strcmp(x->id, y->id);
}

static int clv_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct clv_page *c = ctx;
	struct arena *a = &c->w->r->arena;
	int rc = clv_compute(tx, a, c->w->shop, &c->o, &c->rep, e);
	if (rc)
		return rc;
	struct clv_customer **all = arena_alloc(a, sizeof(*all) * (size_t)(c->rep.n + 1));
	for (int i = 0; i < c->rep.n; i++)
		all[i] = &c->rep.list[i];
	qsort(all, (size_t)c->rep.n, sizeof(*all), by_clv);
	c->top = all;
	c->ntop = c->rep.n < CLV_TOP ? c->rep.n : CLV_TOP;
	c->names = arena_alloc(a, sizeof(*c->names) * (size_t)(c->ntop + 1));
	for (int i = 0; i < c->ntop; i++)
		if ((rc = customer_get(tx, a, c->w->shop, all[i]->id, &c->names[i], e)))
			return rc;
	return 0;
}

static void histogram(struct web *w, const struct clv_report *rep)
{
	struct arena *a = &w->r->arena;
	double hi = 0;
	for (int i = 0; i < rep->n; i++)
		if (isfinite(rep->list[i].clv) && rep->list[i].clv > hi)
			hi = rep->list[i].clv;
	if (hi <= 0)
		hi = 1;
	struct svg_point p[CLV_BINS];
	double count[CLV_BINS] = { 0 };
	for (int i = 0; i < rep->n; i++) {
		double v = rep->list[i].clv;
		if (!isfinite(v))
			continue;
		int k = (int)(v / hi * CLV_BINS);
		count[k < 0 ? 0 : k >= CLV_BINS ? CLV_BINS - 1 : k]++;
	}
	for (int k = 0; k < CLV_BINS; k++)
		p[k] = (struct svg_point){ arena_printf(a, "%.0f–%.0f", hi * k / CLV_BINS,
							hi * (k + 1) / CLV_BINS), count[k] };
	svg_bars(&w->out, "clv-histogram", "Customers by CLV (in the currency's major units), ten equal bins", p,
		 CLV_BINS, 1, "%.0f customers");
}

static void scatter(struct web *w, const struct clv_report *rep)
{
	struct arena *a = &w->r->arena;
	int step = rep->n > CLV_SCATTER_MAX ? (rep->n + CLV_SCATTER_MAX - 1) / CLV_SCATTER_MAX : 1;
	int n = 0;
	double *x = arena_alloc(a, sizeof(double) * (size_t)(rep->n + 1));
	double *y = arena_alloc(a, sizeof(double) * (size_t)(rep->n + 1));
	const char **t = arena_alloc(a, sizeof(*t) * (size_t)(rep->n + 1));
	for (int i = 0; i < rep->n; i += step) {
		x[n] = rep->list[i].x;
		y[n] = rep->list[i].p_alive;
		t[n] = rep->list[i].id;
		n++;
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
	for (int i = 0; i < c->ntop; i++) {
		const struct clv_customer *k = c->top[i];
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
	c->o = (struct clv_options){ 0, clock_now_ms(), NULL, 52, 12, 0.01, 0 };
	int rc = web_read(w, clv_tx, c, e);
	if (rc)
		return rc;
	web_page_begin(w, "CLV", "clv");
	html_printf(&w->out, "<h1>Customer lifetime value</h1><p class=\"muted\" id=\"clv-summary\""
		    " data-customers=\"%lld\" data-repeaters=\"%lld\">%lld customers, %lld of them repeat"
		    " buyers.</p>", (long long)c->rep.customers, (long long)c->rep.repeaters,
		    (long long)c->rep.customers, (long long)c->rep.repeaters);
	if (!c->rep.enough) {
		html_raw(&w->out, "<p id=\"clv-not-enough\">Not enough data for a fit: ");
		html_text(&w->out, c->rep.reason ? c->rep.reason : "no data");
		html_raw(&w->out, "</p>");
	} else {
		char num[32];
		html_printf(&w->out, "<p>CLV over %d months: median <span id=\"clv-median\">%s</span>,",
			    c->o.months, web_number(c->rep.clv_p50, 0, num));
		html_printf(&w->out, " total <span id=\"clv-total\" data-value=\"%.12g\">%s</span> ",
			    c->rep.clv_total, web_number(c->rep.clv_total, 0, num));
		html_text(&w->out, c->rep.currency);
		html_raw(&w->out, ".</p><h2>Distribution</h2>");
		histogram(w, &c->rep);
		html_raw(&w->out, "<h2>P(alive) and frequency</h2>");
		scatter(w, &c->rep);
		top(w, c);
		fit_report(w, &c->rep);
	}
	web_page_end(w);
	return 0;
}

int web_clv(struct req *r, struct err *e)
{
	return web_run(r, e, clv_page, 0);
}
