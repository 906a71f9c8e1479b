/*
 * overview.c: the overview page: the shop's headline figures, each with its
 * trend over the last 12 calendar months (the current one included, so far).
 * Every figure comes from an analytics/ report, rendered, never recomputed:
 *  - repeat rate and active members: measures_retention_windows() over the 365 days
 *    up to each month's end (GET /v1/reports/retention?from=...&to=...):
 *    all.repeat_rate and members.customers;
 *  - on-time delivery rate: delivery_report() by month of promise;
 *  - first-response time (p50, minutes) and NPS: service_report(), per month.
 * The headline is the latest point: the 365 days up to today (retention),
 * the 12 months together (delivery, service).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../analytics/delivery.h"
#include "../analytics/measures.h"
#include "../analytics/points.h"
#include "../analytics/service.h"
#include "../base/checked.h"
#include "../base/clock.h"
#include "../core/program.h"
#include "svg.h"
#include "web.h"

#define MONTHS 12
#define DAY_MS 86400000LL

struct overview {
	struct web *w;
	size_t mark;
	int64_t start[MONTHS + 1];	/* month k: [start[k], start[k + 1]) */
	char labels[MONTHS][24];
	struct svg_point repeat[MONTHS], members[MONTHS], on_time[MONTHS], first[MONTHS], nps[MONTHS];
	struct svg_point liability[MONTHS], redemption[MONTHS];
	double repeat_now, members_now, on_time_now, first_now, nps_now, redemption_now;
	int64_t liability_now, point_value;
	const char *currency;
};

/* The first instant of the month months before now's (UTC). */
static int64_t month_start(int64_t now, int back)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	int m = tm.tm_year * 12 + tm.tm_mon - back;
	struct tm s = { 0 };
	s.tm_year = m / 12;
	s.tm_mon = m % 12;
	s.tm_mday = 1;
	return (int64_t)timegm(&s) * 1000;
}

static void months(struct overview *o)
{
	int64_t now = clock_now_ms();
	for (int k = 0; k < MONTHS; k++) {
		o->start[k] = month_start(now, MONTHS - 1 - k);
		time_t t = (time_t)(o->start[k] / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(o->labels[k], sizeof(o->labels[k]), "%04d-%02d", tm.tm_year + 1900,
			 (tm.tm_mon + 1) % 100);
	}
	o->start[MONTHS] = month_start(now, -1);
}

static int retention_trend(struct store_tx *tx, struct overview *o, struct err *e)
{
	int64_t now = clock_now_ms();
	struct measures_filter f[MONTHS];
	struct retention_report r[MONTHS];
	for (int k = 0; k < MONTHS; k++) {
		int64_t end = k == MONTHS - 1 ? now : o->start[k + 1] - 1;
		f[k] = (struct measures_filter){ end - 365 * DAY_MS, end, NULL, NULL };
	}
	int rc = measures_retention_windows(tx, &o->w->r->arena, o->w->shop, f, MONTHS, r, e);
	if (rc)
		return rc;
	for (int k = 0; k < MONTHS; k++) {
		o->repeat[k] = (struct svg_point){ o->labels[k], r[k].all.repeat_rate };
		o->members[k] = (struct svg_point){ o->labels[k], (double)r[k].members.customers };
	}
	o->currency = r[MONTHS - 1].currency;
	o->repeat_now = o->repeat[MONTHS - 1].value;
	o->members_now = o->members[MONTHS - 1].value;
	return 0;
}

static int delivery_trend(struct store_tx *tx, struct overview *o, struct err *e)
{
	struct delivery_report d;
	int rc = delivery_report(tx, &o->w->r->arena, o->w->shop, "month", o->start[0],
				 o->start[MONTHS], &d, e);
	if (rc)
		return rc;
	for (int k = 0; k < MONTHS; k++) {
		o->on_time[k] = (struct svg_point){ o->labels[k], NAN };
		for (int i = 0; i < d.n; i++)
			if (d.rows[i].key && !strcmp(d.rows[i].key, o->labels[k]))
				o->on_time[k].value = d.rows[i].on_time_rate;
	}
	o->on_time_now = d.total.on_time_rate;
	return 0;
}

static int service_trend(struct store_tx *tx, struct overview *o, struct err *e)
{
	struct service_report s;
	struct arena *a = &o->w->r->arena;
	int rc = service_report(tx, a, o->w->shop, o->start[0], o->start[MONTHS], &s, e);
	if (rc)
		return rc;
	o->first_now = s.total.first_response_p50;
	o->nps_now = s.nps.total.value;
	for (int k = 0; k < MONTHS; k++) {
		o->nps[k] = (struct svg_point){ o->labels[k], NAN };
		for (int i = 0; i < s.nps.nmonth; i++)
			if (s.nps.by_month[i].key && !strcmp(s.nps.by_month[i].key, o->labels[k]))
				o->nps[k].value = s.nps.by_month[i].value;
	}
	for (int k = 0; k < MONTHS; k++) {
		struct service_report m;
		if ((rc = service_report(tx, a, o->w->shop, o->start[k], o->start[k + 1], &m, e)))
			return rc;
		o->first[k] = (struct svg_point){ o->labels[k], m.total.first_response_p50 };
	}
	return 0;
}

/* Outstanding points at each month's end (now for the current one) times
 * the programme's point value; the redemption rate of each month. */
static int points_trend(struct store_tx *tx, struct overview *o, struct err *e)
{
	struct program p;
	struct points_report pr[MONTHS + 1];
	int64_t bounds[MONTHS + 2];
	int64_t now = clock_now_ms();
	int rc = program_get(tx, &o->w->r->arena, o->w->shop, &p, e);
	if (rc)
		return rc;
	o->point_value = p.version ? p.point_value : 0;
	for (int k = 0; k < MONTHS; k++)
		bounds[k] = o->start[k];
	bounds[MONTHS] = now + 1;
	if ((rc = points_months(tx, o->w->shop, bounds, MONTHS + 1, pr, e)))
		return rc;
	for (int k = 0; k < MONTHS; k++) {
		int64_t money;
		if (checked_mul(pr[k].outstanding, o->point_value, &money))
			money = INT64_MAX;
		o->liability[k] = (struct svg_point){ o->labels[k], (double)money };
		o->redemption[k] = (struct svg_point){ o->labels[k], pr[k].redemption_rate };
		if (k == MONTHS - 1)
			o->liability_now = money;
	}
	o->redemption_now = pr[MONTHS].redemption_rate;
	return 0;
}

static int overview_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct overview *o = ctx;
	int rc;
	if ((rc = retention_trend(tx, o, e)) || (rc = delivery_trend(tx, o, e)) ||
	    (rc = points_trend(tx, o, e)) || (rc = service_trend(tx, o, e)))
		return rc;
	return 0;
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
	char f[32];
	memset(o, 0, sizeof(*o));
	o->w = w;
	months(o);
	int rc = web_read(w, overview_tx, o, e);
	if (rc)
		return rc;
	web_page_begin(w, "Overview", "overview");
	html_raw(&w->out, "<h1>Overview</h1><div class=\"cards\">");
	card(w, "repeat-rate", "Repeat rate", web_percent(o->repeat_now, f), o->repeat_now,
	     "customers with two or more purchases, of those who bought in the last 365 days",
	     o->repeat, 100, "%.1f%%");
	card(w, "active-members", "Active members", web_number(o->members_now, 0, f),
	     o->members_now, "members (customers with an account) who bought in the last 365 days",
	     o->members, 1, "%.0f");
	card(w, "liability", "Points liability", web_money(o->liability_now, o->currency, f),
	     (double)o->liability_now, "outstanding points (pending included) times the point value"
	     "", o->liability, 1, "%.0f minor units");
	card(w, "redemption-rate", "Redemption rate", web_percent(o->redemption_now, f),
	     o->redemption_now, "points redeemed, of the points earned, over the 12 months",
	     o->redemption, 100, "%.1f%%");
	card(w, "on-time", "On-time delivery rate", web_percent(o->on_time_now, f), o->on_time_now,
	     "shipments delivered by their promise, of those due, by month of promise",
	     o->on_time, 100, "%.1f%%");
	card(w, "first-response", "First-response time", web_number(o->first_now, 0, f),
	     o->first_now, "median minutes from a ticket's opening to the first agent message",
	     o->first, 1, "%.0f min");
	card(w, "nps", "NPS", web_number(o->nps_now, 0, f), o->nps_now,
	     "promoters% - detractors% of the survey answers, -100 to 100", o->nps, 1, "%.0f");
	html_raw(&w->out, "</div>");
	web_page_end(w);
	return 0;
}

int web_overview(struct req *r, struct err *e)
{
	return web_run(r, e, overview_page, 0);
}
