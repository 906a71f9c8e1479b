/* dashboard_data.c: see dashboard_data.h. */
#include "dashboard_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../base/checked.h"
#include "delivery.h"
#include "points.h"
#include "service.h"

#define DAY_MS 86400000LL

/* ---- the text: tokens written here, read back in the same order ---- */

static void put_int(struct buf *b, int64_t v)
{
	buf_printf(b, "%lld ", (long long)v);
}

static void put_num(struct buf *b, double v)
{
	buf_printf(b, "%.17g ", v);
}

/* A string token: bytes outside '!'..'~' and '%' as %XX; "%" alone for NULL,
 * "%-" for "". */
static void put_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "% ");
		return;
	}
	if (!*s)
		buf_puts(b, "%-");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p > ' ' && *p < 0x7f && *p != '%')
			buf_append(b, p, 1);
		else
			buf_printf(b, "%%%02X", *p);
	}
	buf_puts(b, " ");
}

struct rd {
	const char *p;
	int bad;
};

/* The next token's start and length (0 at the end: bad). */
static size_t token(struct rd *r, const char **start)
{
	while (*r->p == ' ' || *r->p == '\n')
		r->p++;
	*start = r->p;
	size_t n = strcspn(r->p, " \n");
	r->p += n;
	if (!n)
		r->bad = 1;
	return n;
}

static int64_t get_int(struct rd *r)
{
	const char *s;
	size_t n = token(r, &s);
	char *end;
	long long v = n ? strtoll(s, &end, 10) : 0;
	if (n && end != s + n)
		r->bad = 1;
	return v;
}

static double get_num(struct rd *r)
{
	const char *s;
	size_t n = token(r, &s);
	char *end;
	double v = n ? strtod(s, &end) : NAN;
	if (n && end != s + n)
		r->bad = 1;
	return v;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* A string token into out (size bytes, cut short), or NULL for "%". */
static char *get_str(struct rd *r, char *out, size_t size)
{
	const char *s;
	size_t n = token(r, &s), o = 0;
	if (n == 1 && s[0] == '%')
		return NULL;
	if (n == 2 && s[0] == '%' && s[1] == '-') {
		out[0] = '\0';
		return out;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			c = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		}
		if (o + 1 < size)
			out[o++] = c;
	}
	out[o] = '\0';
	return out;
}

static char *get_str_arena(struct rd *r, struct arena *a)
{
	char tmp[512];
	char *s = get_str(r, tmp, sizeof(tmp));
	return s ? arena_strdup(a, s) : NULL;
}

static int parsed(const struct rd *r, const char *what, struct err *e)
{
	if (r->bad)
		return err_setc(e, ERR_INTERNAL, "report_cache_corrupt", NULL,
				"the cached %s report cannot be read", what);
	return 0;
}

/* ---- overview ---- */

/* The first instant of the month back months before now's (UTC). */
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

struct months {
	int64_t now, start[DASH_MONTHS + 1];	/* month k: [start[k], start[k + 1]) */
};

static void months(struct months *m, struct dash_overview *o, int64_t now)
{
	m->now = now;
	for (int k = 0; k < DASH_MONTHS; k++) {
		m->start[k] = month_start(now, DASH_MONTHS - 1 - k);
		time_t t = (time_t)(m->start[k] / 1000);
		struct tm tm;
		gmtime_r(&t, &tm);
		snprintf(o->labels[k], sizeof(o->labels[k]), "%04d-%02d", (tm.tm_year + 1900) % 10000,
			 (tm.tm_mon + 1) % 100);
	}
	m->start[DASH_MONTHS] = month_start(now, -1);
}

static int retention_trend(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct months *m, struct dash_overview *o, struct err *e)
{
	struct measures_filter f[DASH_MONTHS];
	struct retention_report r[DASH_MONTHS];
	for (int k = 0; k < DASH_MONTHS; k++) {
		int64_t end = k == DASH_MONTHS - 1 ? m->now : m->start[k + 1] - 1;
		f[k] = (struct measures_filter){ end - 365 * DAY_MS, end, NULL, NULL };
	}
	int rc = measures_retention_windows(tx, a, shop, f, DASH_MONTHS, r, e);
	if (rc)
		return rc;
	for (int k = 0; k < DASH_MONTHS; k++) {
		o->repeat[k] = r[k].all.repeat_rate;
		o->members[k] = (double)r[k].members.customers;
	}
	snprintf(o->currency, sizeof(o->currency), "%s",
		 r[DASH_MONTHS - 1].currency ? r[DASH_MONTHS - 1].currency : "");
	o->repeat_now = o->repeat[DASH_MONTHS - 1];
	o->members_now = o->members[DASH_MONTHS - 1];
	return 0;
}

static int delivery_trend(struct store_tx *tx, struct arena *a, const char *shop,
			  const struct months *m, struct dash_overview *o, struct err *e)
{
	struct delivery_report d;
	int rc = delivery_report(tx, a, shop, "month", m->start[0], m->start[DASH_MONTHS], &d, e);
	if (rc)
		return rc;
	for (int k = 0; k < DASH_MONTHS; k++) {
		o->on_time[k] = NAN;
		for (int i = 0; i < d.n; i++)
			if (d.rows[i].key && !strcmp(d.rows[i].key, o->labels[k]))
				o->on_time[k] = d.rows[i].on_time_rate;
	}
	o->on_time_now = d.total.on_time_rate;
	return 0;
}

static int service_trend(struct store_tx *tx, struct arena *a, const char *shop,
			 const struct months *m, struct dash_overview *o, struct err *e)
{
	struct service_report s;
	int rc = service_report(tx, a, shop, m->start[0], m->start[DASH_MONTHS], &s, e);
	if (rc)
		return rc;
	o->first_now = s.total.first_response_p50;
	o->nps_now = s.nps.total.value;
	for (int k = 0; k < DASH_MONTHS; k++) {
		o->nps[k] = NAN;
		for (int i = 0; i < s.nps.nmonth; i++)
			if (s.nps.by_month[i].key && !strcmp(s.nps.by_month[i].key, o->labels[k]))
				o->nps[k] = s.nps.by_month[i].value;
	}
	for (int k = 0; k < DASH_MONTHS; k++) {
		struct service_report one;
		if ((rc = service_report(tx, a, shop, m->start[k], m->start[k + 1], &one, e)))
			return rc;
		o->first[k] = one.total.first_response_p50;
	}
	return 0;
}

/* Outstanding points at each month's end (now for the current one); the
 * redemption rate of each month and of the 12 together. */
static int points_trend(struct store_tx *tx, const char *shop, const struct months *m,
			struct dash_overview *o, struct err *e)
{
	struct points_report pr[DASH_MONTHS + 1];
	int64_t bounds[DASH_MONTHS + 2];
	for (int k = 0; k < DASH_MONTHS; k++)
		bounds[k] = m->start[k];
	bounds[DASH_MONTHS] = m->now + 1;
	int rc = points_months(tx, shop, bounds, DASH_MONTHS + 1, pr, e);
	if (rc)
		return rc;
	for (int k = 0; k < DASH_MONTHS; k++) {
		o->outstanding[k] = pr[k].outstanding;
		o->redemption[k] = pr[k].redemption_rate;
	}
	o->redemption_now = pr[DASH_MONTHS].redemption_rate;
	return 0;
}

static void put_series(struct buf *b, const double *v)
{
	for (int k = 0; k < DASH_MONTHS; k++)
		put_num(b, v[k]);
	buf_puts(b, "\n");
}

int dash_overview_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
			struct buf *body, struct buf *detail, struct err *e)
{
	struct dash_overview o;
	struct months m;
	int rc;
	memset(&o, 0, sizeof(o));
	months(&m, &o, now);
	if ((rc = retention_trend(tx, a, shop, &m, &o, e)) || (rc = delivery_trend(tx, a, shop, &m, &o, e)) ||
	    (rc = points_trend(tx, shop, &m, &o, e)) || (rc = service_trend(tx, a, shop, &m, &o, e)))
		return rc;
	put_str(body, o.currency);
	for (int k = 0; k < DASH_MONTHS; k++)
		put_str(body, o.labels[k]);
	buf_puts(body, "\n");
	put_series(body, o.repeat);
	put_series(body, o.members);
	put_series(body, o.on_time);
	put_series(body, o.first);
	put_series(body, o.nps);
	put_series(body, o.redemption);
	for (int k = 0; k < DASH_MONTHS; k++)
		put_int(body, o.outstanding[k]);
	buf_puts(body, "\n");
	double now_v[] = { o.repeat_now, o.members_now, o.on_time_now, o.first_now, o.nps_now,
			   o.redemption_now };
	for (size_t i = 0; i < sizeof(now_v) / sizeof(now_v[0]); i++)
		put_num(body, now_v[i]);
	buf_puts(body, "\n");
	return 0;
}

static void get_series(struct rd *r, double *v)
{
	for (int k = 0; k < DASH_MONTHS; k++)
		v[k] = get_num(r);
}

int dash_overview_parse(const char *text, struct dash_overview *o, struct err *e)
{
	struct rd r = { text, 0 };
	memset(o, 0, sizeof(*o));
	get_str(&r, o->currency, sizeof(o->currency));
	for (int k = 0; k < DASH_MONTHS; k++)
		get_str(&r, o->labels[k], sizeof(o->labels[k]));
	get_series(&r, o->repeat);
	get_series(&r, o->members);
	get_series(&r, o->on_time);
	get_series(&r, o->first);
	get_series(&r, o->nps);
	get_series(&r, o->redemption);
	for (int k = 0; k < DASH_MONTHS; k++)
		o->outstanding[k] = get_int(&r);
	o->repeat_now = get_num(&r);
	o->members_now = get_num(&r);
	o->on_time_now = get_num(&r);
	o->first_now = get_num(&r);
	o->nps_now = get_num(&r);
	o->redemption_now = get_num(&r);
	return parsed(&r, "overview", e);
}

/* ---- cohorts ---- */

int dash_cohorts_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		       struct buf *body, struct buf *detail, struct err *e)
{
	struct measures_filter f = { 0, now, NULL, NULL };
	struct cohort_report rep;
	int rc = measures_cohorts(tx, a, shop, &f, &rep, e);
	if (rc)
		return rc;
	put_str(body, rep.currency);
	put_int(body, rep.nrows);
	buf_puts(body, "\n");
	for (int i = 0; i < rep.nrows; i++) {
		const struct cohort_row *row = &rep.rows[i];
		put_int(body, row->year);
		put_int(body, row->month);
		put_int(body, row->customers);
		put_int(body, row->revenue0);
		put_int(body, row->ncells);
		for (int j = 0; j < row->ncells; j++) {
			put_num(body, row->share[j]);
			put_num(body, row->revenue[j]);
		}
		buf_puts(body, "\n");
	}
	return 0;
}

int dash_cohorts_parse(struct arena *a, const char *text, struct cohort_report *out,
		       struct err *e)
{
	struct rd r = { text, 0 };
	memset(out, 0, sizeof(*out));
	out->currency = get_str_arena(&r, a);
	int64_t n = get_int(&r);
	if (r.bad || n < 0 || n > 100000)
		return parsed(&(struct rd){ NULL, 1 }, "cohorts", e);
	out->rows = arena_alloc(a, sizeof(*out->rows) * (size_t)(n + 1));
	for (int i = 0; i < n && !r.bad; i++) {
		struct cohort_row *row = &out->rows[i];
		row->year = (int)get_int(&r);
		row->month = (int)get_int(&r);
		row->customers = get_int(&r);
		row->revenue0 = get_int(&r);
		int64_t cells = get_int(&r);
		if (cells < 0 || cells > 100000) {
			r.bad = 1;
			break;
		}
		row->ncells = (int)cells;
		row->share = arena_alloc(a, sizeof(double) * (size_t)(cells + 1));
		row->revenue = arena_alloc(a, sizeof(double) * (size_t)(cells + 1));
		for (int j = 0; j < row->ncells; j++) {
			row->share[j] = get_num(&r);
			row->revenue[j] = get_num(&r);
		}
		out->nrows = i + 1;
	}
	return parsed(&r, "cohorts", e);
}

/* ---- RFM ---- */

static const char *segment_named(const char *name)
{
	for (int r = 1; r <= 5; r++)
		for (int f = 1; f <= 5; f++)
			if (!strcmp(measures_rfm_segment(r, f), name))
				return measures_rfm_segment(r, f);
	return NULL;
}

int dash_rfm_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		   struct buf *body, struct buf *detail, struct err *e)
{
	struct measures_filter f = { 0, now, NULL, NULL };
	struct rfm_report rep;
	int64_t count[6][6] = { { 0 } };
	int rc = measures_rfm(tx, a, shop, &f, &rep, e);
	if (rc)
		return rc;
	for (int i = 0; i < rep.n; i++) {
		const struct rfm_customer *k = &rep.customers[i];
		if (k->r >= 1 && k->r <= 5 && k->f >= 1 && k->f <= 5)
			count[k->r][k->f]++;
		buf_printf(detail, "%s\t%d %d %d %lld %lld %lld\n", k->id, k->r, k->f, k->m,
			   (long long)k->recency_days, (long long)k->frequency, (long long)k->monetary);
	}
	put_str(body, rep.currency);
	put_int(body, rep.n);
	buf_puts(body, "\n");
	for (int r = 1; r <= 5; r++)
		for (int c = 1; c <= 5; c++)
			put_int(body, count[r][c]);
	buf_puts(body, "\n");
	for (int i = 0; i < RFM_SEGMENTS; i++) {
		put_str(body, rep.segments[i].name);
		put_int(body, rep.segments[i].customers);
		put_int(body, rep.segments[i].revenue);
		buf_puts(body, "\n");
	}
	return 0;
}

int dash_rfm_parse(const char *text, struct dash_rfm *out, struct err *e)
{
	struct rd r = { text, 0 };
	char name[64];
	memset(out, 0, sizeof(*out));
	get_str(&r, out->currency, sizeof(out->currency));
	out->n = (int)get_int(&r);
	for (int i = 1; i <= 5; i++)
		for (int c = 1; c <= 5; c++)
			out->count[i][c] = get_int(&r);
	for (int i = 0; i < RFM_SEGMENTS; i++) {
		const char *s = get_str(&r, name, sizeof(name));
		out->segments[i].name = s ? segment_named(s) : NULL;
		if (!out->segments[i].name)
			r.bad = 1;
		out->segments[i].customers = get_int(&r);
		out->segments[i].revenue = get_int(&r);
	}
	return parsed(&r, "RFM", e);
}

/* n space-separated integers from p, the last one ending at end: 0, or -1. */
static int line_numbers(const char *p, const char *end, int64_t *v, int n)
{
	for (int i = 0; i < n; i++) {
		char *next;
		if (p >= end || *p < '-' || *p > '9')
			return -1;
		v[i] = strtoll(p, &next, 10);
		if (next == p || next > end || (i < n - 1 ? *next != ' ' : next != end))
			return -1;
		p = next + 1;
	}
	return 0;
}

int dash_rfm_customers(struct arena *a, const char *detail, const struct dash_rfm_sel *sel,
		       struct rfm_customer **out, int *n, struct err *e)
{
	int cap = 64;
	*n = 0;
	*out = arena_alloc(a, sizeof(**out) * (size_t)cap);
	for (const char *p = detail ? detail : ""; *p;) {
		const char *tab = strchr(p, '\t'), *nl = strchr(p, '\n');
		int r, f, m;
		long long rec, freq, mon;
		/* "id<TAB>r f ...": the scores first, the rest only when selected */
		if (!tab || !nl || tab > nl || tab - p >= ID_MAX || nl - tab < 5 || tab[2] != ' ' ||
		    (r = tab[1] - '0') < 1 || r > 5 || (f = tab[3] - '0') < 1 || f > 5)
			return err_setc(e, ERR_INTERNAL, "report_cache_corrupt", NULL,
					"the cached RFM customers cannot be read");
		const char *seg = measures_rfm_segment(r, f);
		if ((!sel->r || sel->r == r) && (!sel->f || sel->f == f) &&
		    (!sel->segment || !strcmp(sel->segment, seg))) {
			/* strtoll, not sscanf: glibc's sscanf measures the whole rest
			 * of the text first, which made a list quadratic */
			int64_t v[6];
			if (line_numbers(tab + 1, nl, v, 6))
				return err_setc(e, ERR_INTERNAL, "report_cache_corrupt", NULL,
						"the cached RFM customers cannot be read");
			m = (int)v[2];
			rec = v[3];
			freq = v[4];
			mon = v[5];
			if (*n == cap) {
				struct rfm_customer *more = arena_alloc(a, sizeof(*more) * (size_t)cap * 2);
				memcpy(more, *out, sizeof(*more) * (size_t)cap);
				*out = more;
				cap *= 2;
			}
			struct rfm_customer *k = &(*out)[(*n)++];
			*k = (struct rfm_customer){ .recency_days = rec, .frequency = freq, .monetary = mon,
						    .r = r, .f = f, .m = m, .segment = seg };
			memcpy(k->id, p, (size_t)(tab - p));
			k->id[tab - p] = '\0';
		}
		p = nl + 1;
	}
	return 0;
}

/* ---- CLV ---- */

struct clv_options dash_clv_options(int64_t now)
{
	return (struct clv_options){ 0, now, NULL, 52, 12, 0.01, 0 };
}

static void put_fit(struct buf *b, const struct fit_report *f)
{
	for (int i = 0; i < 4; i++)
		put_num(b, f->params[i]);
	put_num(b, f->log_likelihood);
	put_num(b, f->grad_norm);
	put_int(b, f->iterations);
	put_int(b, f->converged);
	put_int(b, f->customers);
	put_int(b, f->distinct);
	put_num(b, f->seconds);
	buf_puts(b, "\n");
}

static void get_fit(struct rd *r, struct fit_report *f)
{
	for (int i = 0; i < 4; i++)
		f->params[i] = get_num(r);
	f->log_likelihood = get_num(r);
	f->grad_norm = get_num(r);
	f->iterations = (int)get_int(r);
	f->converged = (int)get_int(r);
	f->customers = get_int(r);
	f->distinct = get_int(r);
	f->seconds = get_num(r);
}

static int by_clv(const void *a, const void *b)
{
	const struct clv_customer *x = *(struct clv_customer *const *)a, *y = *(struct clv_customer *const *)b;
	double u = isfinite(x->clv) ? x->clv : -INFINITY, v = isfinite(y->clv) ? y->clv : -INFINITY;
	return u < v ? 1 : u > v ? -1 : strcmp(x->id, y->id);
}

static void put_fit_scalars(struct buf *b, const struct clv_report *r)
{
	put_str(b, r->currency);
	put_str(b, r->reason);
	put_int(b, r->customers);
	put_int(b, r->repeaters);
	put_int(b, r->enough);
	put_int(b, r->spend_enough);
	buf_puts(b, "\n");
	put_num(b, r->bgnbd.r);
	put_num(b, r->bgnbd.alpha);
	put_num(b, r->bgnbd.a);
	put_num(b, r->bgnbd.b);
	put_fit(b, &r->bgnbd_fit);
	put_num(b, r->gg.p);
	put_num(b, r->gg.q);
	put_num(b, r->gg.gamma);
	put_fit(b, &r->gg_fit);
	double v[] = { r->spend_correlation, r->clv_p10, r->clv_p50, r->clv_p90, r->clv_total,
		       r->expected_total };
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		put_num(b, v[i]);
	for (int i = 0; i < 3; i++)
		put_int(b, r->risk[i]);
	buf_puts(b, "\n");
}

static void get_fit_scalars(struct rd *rd, struct arena *a, struct clv_report *r)
{
	r->currency = get_str_arena(rd, a);
	r->reason = get_str_arena(rd, a);
	r->customers = get_int(rd);
	r->repeaters = get_int(rd);
	r->enough = (int)get_int(rd);
	r->spend_enough = (int)get_int(rd);
	r->bgnbd.r = get_num(rd);
	r->bgnbd.alpha = get_num(rd);
	r->bgnbd.a = get_num(rd);
	r->bgnbd.b = get_num(rd);
	get_fit(rd, &r->bgnbd_fit);
	r->gg.p = get_num(rd);
	r->gg.q = get_num(rd);
	r->gg.gamma = get_num(rd);
	get_fit(rd, &r->gg_fit);
	r->spend_correlation = get_num(rd);
	r->clv_p10 = get_num(rd);
	r->clv_p50 = get_num(rd);
	r->clv_p90 = get_num(rd);
	r->clv_total = get_num(rd);
	r->expected_total = get_num(rd);
	for (int i = 0; i < 3; i++)
		r->risk[i] = get_int(rd);
}

static const char *risk_named(const char *s)
{
	static const char *const risks[] = { "low", "medium", "high" };
	for (int i = 0; s && i < 3; i++)
		if (!strcmp(s, risks[i]))
			return risks[i];
	return NULL;
}

int dash_clv_build(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		   struct buf *body, struct buf *detail, struct err *e)
{
	struct clv_options o = dash_clv_options(now);
	struct clv_report rep;
	int rc = clv_compute(tx, a, shop, &o, &rep, e);
	if (rc)
		return rc;
	put_fit_scalars(body, &rep);
	/* the histogram: CLV_BINS equal bins from 0 to the largest CLV */
	double hi = 0, count[DASH_CLV_BINS] = { 0 };
	for (int i = 0; i < rep.n; i++)
		if (isfinite(rep.list[i].clv) && rep.list[i].clv > hi)
			hi = rep.list[i].clv;
	if (hi <= 0)
		hi = 1;
	for (int i = 0; i < rep.n; i++) {
		double v = rep.list[i].clv;
		if (!isfinite(v))
			continue;
		int k = (int)(v / hi * DASH_CLV_BINS);
		count[k < 0 ? 0 : k >= DASH_CLV_BINS ? DASH_CLV_BINS - 1 : k]++;
	}
	put_num(body, hi);
	for (int k = 0; k < DASH_CLV_BINS; k++)
		put_num(body, count[k]);
	buf_puts(body, "\n");
	/* the scatter: every step-th customer, at most CLV_SCATTER_MAX */
	int step = rep.n > DASH_CLV_SCATTER_MAX ? (rep.n + DASH_CLV_SCATTER_MAX - 1) / DASH_CLV_SCATTER_MAX : 1;
	put_int(body, (rep.n + step - 1) / step);
	buf_puts(body, "\n");
	for (int i = 0; i < rep.n; i += step) {
		put_num(body, rep.list[i].x);
		put_num(body, rep.list[i].p_alive);
		put_str(body, rep.list[i].id);
		buf_puts(body, "\n");
	}
	/* the top customers by CLV */
	struct clv_customer **all = arena_alloc(a, sizeof(*all) * (size_t)(rep.n + 1));
	for (int i = 0; i < rep.n; i++)
		all[i] = &rep.list[i];
	qsort(all, (size_t)rep.n, sizeof(*all), by_clv);
	int ntop = rep.n < DASH_CLV_TOP ? rep.n : DASH_CLV_TOP;
	put_int(body, ntop);
	buf_puts(body, "\n");
	for (int i = 0; i < ntop; i++) {
		put_str(body, all[i]->id);
		put_num(body, all[i]->clv);
		put_num(body, all[i]->p_alive);
		put_num(body, all[i]->expected);
		put_str(body, all[i]->risk);
		buf_puts(body, "\n");
	}
	return 0;
}

int dash_clv_parse(struct arena *a, const char *text, struct dash_clv *out, struct err *e)
{
	struct rd r = { text, 0 };
	char risk[16];
	memset(out, 0, sizeof(*out));
	get_fit_scalars(&r, a, &out->fit);
	out->hist_hi = get_num(&r);
	for (int k = 0; k < DASH_CLV_BINS; k++)
		out->hist[k] = get_num(&r);
	int64_t n = get_int(&r);
	if (r.bad || n < 0 || n > DASH_CLV_SCATTER_MAX + 1)
		return parsed(&(struct rd){ NULL, 1 }, "CLV", e);
	out->scatter = arena_alloc(a, sizeof(*out->scatter) * (size_t)(n + 1));
	for (int i = 0; i < n && !r.bad; i++) {
		out->scatter[i].x = get_num(&r);
		out->scatter[i].y = get_num(&r);
		get_str(&r, out->scatter[i].id, sizeof(out->scatter[i].id));
		out->nscatter = i + 1;
	}
	int64_t ntop = get_int(&r);
	if (ntop < 0 || ntop > DASH_CLV_TOP)
		r.bad = 1;
	for (int i = 0; i < ntop && !r.bad; i++) {
		struct clv_customer *k = &out->top[i];
		get_str(&r, k->id, sizeof(k->id));
		k->clv = get_num(&r);
		k->p_alive = get_num(&r);
		k->expected = get_num(&r);
		k->risk = risk_named(get_str(&r, risk, sizeof(risk)));
		out->ntop = i + 1;
	}
	return parsed(&r, "CLV", e);
}
