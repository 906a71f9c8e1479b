/*
 * cohorts.c: the cohorts page: measures_cohorts() (GET /v1/reports/cohorts,
 * all time, as the shop's cached cohorts report: report_cache.h) as two heat maps, the share of each monthly cohort buying again
 * k months after its first purchase, and its revenue in month k against
 * month 0. Each cell's <title> shows the cohort, the month and the number.
 */
#include <math.h>
#include <stdio.h>

#include "../analytics/dashboard_data.h"
#include "svg.h"
#include "web.h"

static void heat(struct web *w, const struct cohort_report *rep, int revenue)
{
	struct arena *a = &w->r->arena;
	int ncols = 0;
	for (int i = 0; i < rep->nrows; i++)
		if (rep->rows[i].ncells > ncols)
			ncols = rep->rows[i].ncells;
	const char **rows = arena_alloc(a, sizeof(*rows) * (size_t)(rep->nrows + 1));
	const char **cols = arena_alloc(a, sizeof(*cols) * (size_t)(ncols + 1));
	double *v = arena_alloc(a, sizeof(*v) * (size_t)(rep->nrows * ncols + 1));
	for (int j = 0; j < ncols; j++)
		cols[j] = arena_printf(a, "M%d", j);
	for (int i = 0; i < rep->nrows; i++) {
		const struct cohort_row *r = &rep->rows[i];
		rows[i] = arena_printf(a, "%04d-%02d (%lld)", r->year % 10000, r->month % 100,
				       (long long)r->customers);
		for (int j = 0; j < ncols; j++)
			v[i * ncols + j] = j < r->ncells ? (revenue ? r->revenue[j] : r->share[j]) : NAN;
	}
	svg_heat(&w->out, revenue ? "cohort-revenue" : "cohort-retention",
		 revenue ? "Revenue retention: revenue in month k of month 0's, by cohort"
			 : "Retention: share of each cohort buying in month k, by cohort",
		 rows, rep->nrows, cols, ncols, v, 100, "%.1f%%");
}

static int cohorts_page(struct web *w, struct err *e)
{
	struct cohort_report rep;
	struct report_text t;
	int rc = web_report(w, REPORT_COHORTS, 0, &t, e);
	if (rc || (rc = dash_cohorts_parse(&w->r->arena, t.body, &rep, e)))
		return rc;
	web_page_begin(w, "Cohorts", "cohorts");
	html_raw(&w->out, "<h1>Cohorts</h1><p class=\"muted\">Customers by the month of their first"
			  " purchase (paid, net of refunds); hover a cell for its number.</p>");
	web_as_of(w, REPORT_COHORTS, &t);
	if (!rep.nrows) {
		html_raw(&w->out, "<p id=\"cohorts-empty\">No purchases yet.</p>");
	} else {
		html_raw(&w->out, "<h2>Retention</h2>");
		heat(w, &rep, 0);
		html_raw(&w->out, "<h2>Revenue retention</h2>");
		heat(w, &rep, 1);
	}
	web_page_end(w);
	return 0;
}

int web_cohorts(struct req *r, struct err *e)
{
	return web_run(r, e, cohorts_page, 0);
}
