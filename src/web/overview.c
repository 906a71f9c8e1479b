/*
 * overview.c: the overview page: the shop's headline figures, each with its
 * trend over the last 12 calendar months (the current one included, so far),
 * from the shop's cached overview report (analytics/dashboard_data.h, served
 * by report_cache.h; the page says when it was computed). Every figure comes
 * from an analytics/ report, rendered, never recomputed:
 *  - repeat rate and active members: measures_retention_windows() over the 365 days
 *    up to each month's end (GET /v1/reports/retention?from=...&to=...):
 *    all.repeat_rate and members.customers;
 *  - on-time delivery rate: delivery_report() by month of promise;
 *  - first-response time (p50, minutes) and NPS: service_report(), per month;
 *  - points liability: the outstanding points at each month's end times the
 *    programme's point value (read live: a new point value shows at once).
 * The headline is the latest point: the 365 days up to the report's time
 * (retention), the 12 months together (delivery, service).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../analytics/dashboard_data.h"
#include "../base/checked.h"
#include "../core/program.h"
#include "svg.h"
#include "web.h"

#define MONTHS DASH_MONTHS

struct overview {
	struct web *w;
	struct dash_overview d;
	struct svg_point repeat[MONTHS], members[MONTHS], on_time[MONTHS], first[MONTHS], nps[MONTHS];
	struct svg_point liability[MONTHS], redemption[MONTHS];
	int64_t liability_now, point_value;
};

static int point_value_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct overview *o = ctx;
	struct program p;
	int rc = program_get(tx, &o->w->r->arena, o->w->shop, &p, e);
	if (!rc)
		o->point_value = p.version ? p.point_value : 0;
	return rc;
}

static void series(struct overview *o, struct svg_point *p, const double *v)
{
	for (int k = 0; k < MONTHS; k++)
		p[k] = (struct svg_point){ o->d.labels[k], v[k] };
}

static void points(struct overview *o)
{
	series(o, o->repeat, o->d.repeat);
	series(o, o->members, o->d.members);
	series(o, o->on_time, o->d.on_time);
	series(o, o->first, o->d.first);
	series(o, o->nps, o->d.nps);
	series(o, o->redemption, o->d.redemption);
	for (int k = 0; k < MONTHS; k++) {
		int64_t money;
		if (checked_mul(o->d.outstanding[k], o->point_value, &money))
			money = INT64_MAX;
		o->liability[k] = (struct svg_point){ o->d.labels[k], (double)money };
		if (k == MONTHS - 1)
			o->liability_now = money;
	}
}

static void card(struct web *w, const char *id, const char *name, const char *figure,
		 double value, const char *note, const struct svg_point *trend, double scale,
		 const char *fmt)
{
	struct buf *b = &w->out;
	html_printf(b, "<section class=\"card\" id=\"card-%s\"><h2>%s</h2>", id, name);
	html_printf(b, "<div class=\"figure\" id=\"figure-%s\"", id);
	if (isfinite(value))
		html_printf(b, " data-value=\"%.12g\"", value);
	else
		html_raw(b, " data-value=\"\"");
	html_raw(b, ">");
	html_text(b, figure);
	html_raw(b, "</div><p class=\"muted\">");
	html_text(b, note);
	html_raw(b, "</p>");
	char chart[64], label[160];
	snprintf(chart, sizeof(chart), "trend-%s", id);
	snprintf(label, sizeof(label), "%s, by month, the last 12 months", name);
	svg_line(b, chart, label, trend, MONTHS, scale, fmt);
	html_raw(b, "</section>");
}

static int overview_page(struct web *w, struct err *e)
{
	struct overview *o = arena_alloc(&w->r->arena, sizeof(*o));
	struct report_text t;
	char f[32];
	memset(o, 0, sizeof(*o));
	o->w = w;
	int rc = web_report(w, REPORT_OVERVIEW, 0, &t, e);
	if (rc || (rc = dash_overview_parse(t.body, &o->d, e)) ||
	    (rc = web_read(w, point_value_tx, o, e)))
		return rc;
	points(o);
	web_page_begin(w, "Overview", "overview");
	html_raw(&w->out, "<h1>Overview</h1>");
	web_as_of(w, REPORT_OVERVIEW, &t);
	html_raw(&w->out, "<div class=\"cards\">");
	card(w, "repeat-rate", "Repeat rate", web_percent(o->d.repeat_now, f), o->d.repeat_now,
	     "customers with two or more purchases, of those who bought in the last 365 days",
	     o->repeat, 100, "%.1f%%");
	card(w, "active-members", "Active members", web_number(o->d.members_now, 0, f),
	     o->d.members_now, "members (customers with an account) who bought in the last 365 days",
	     o->members, 1, "%.0f");
	card(w, "liability", "Points liability", web_money(o->liability_now, o->d.currency, f),
	     (double)o->liability_now, "outstanding points (pending included) times the point value"
	     "", o->liability, 1, "%.0f minor units");
	card(w, "redemption-rate", "Redemption rate", web_percent(o->d.redemption_now, f),
	     o->d.redemption_now, "points redeemed, of the points earned, over the 12 months",
	     o->redemption, 100, "%.1f%%");
	card(w, "on-time", "On-time delivery rate", web_percent(o->d.on_time_now, f), o->d.on_time_now,
	     "shipments delivered by their promise, of those due, by month of promise",
	     o->on_time, 100, "%.1f%%");
	card(w, "first-response", "First-response time", web_number(o->d.first_now, 0, f),
	     o->d.first_now, "median minutes from a ticket's opening to the first agent message",
	     o->first, 1, "%.0f min");
	card(w, "nps", "NPS", web_number(o->d.nps_now, 0, f), o->d.nps_now,
	     "promoters% - detractors% of the survey answers, -100 to 100", o->nps, 1, "%.0f");
	html_raw(&w->out, "</div>");
	web_page_end(w);
	return 0;
}

int web_overview(struct req *r, struct err *e)
{
	return web_run(r, e, overview_page, 0);
}
