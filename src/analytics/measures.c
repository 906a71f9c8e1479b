/* measures.c: see measures.h. */
#include "measures.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/checked.h"
#include "../base/rfc3339.h"

#define DAY_MS (86400LL * 1000)

struct purchase {
	int customer;		/* index into the customers of the scan */
	int64_t at, amount;
};

struct scan {
	struct purchase *p;
	int n;
	char (*ids)[ID_MAX];
	int *member;
	int ncustomers;
	const char *currency;
};

static int scan_orders(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct measures_filter *f, struct scan *s, struct err *e)
{
	struct store_stmt *st;
	int rc, cap = 4096, ccap = 1024;
	memset(s, 0, sizeof(*s));
	s->currency = f->currency;
	if (!s->currency) {
		st = store_query(tx, e, "SELECT currency FROM orders WHERE shop_id = $1 GROUP BY currency"
				 " ORDER BY count(*) DESC, currency LIMIT 1", "s", shop);
		if (!st)
			return e->kind;
		if ((rc = store_step(st, e)) == 1)
			s->currency = arena_strdup(a, store_text(st, 0));
		store_done(st);
		if (rc < 0)
			return rc;
		if (!s->currency)
			return 0;
	}
	/* Orders come from the covering index in customer and time order; members
	 * are read once per customer by a second cursor over the same order. */
	st = store_query(tx, e,
		"SELECT customer_id, placed_at, paid_amount - refunded_amount FROM orders"
		" WHERE shop_id = $1 AND status IN ('paid', 'partially_refunded')"
		" AND currency = $2 AND placed_at >= $3 AND placed_at < $4"
		" AND ($5 IS NULL OR channel = $5) ORDER BY customer_id, placed_at",
		"ssiis", shop, s->currency, f->from, (f->to / DAY_MS + 1) * DAY_MS, f->channel);
	if (!st)
		return e->kind;
	struct store_stmt *members = store_query(tx, e,
		"SELECT id FROM customers WHERE shop_id = $1 AND status = 'account' ORDER BY id", "s", shop);
	if (!members) {
		store_done(st);
		return e->kind;
	}
	char member[ID_MAX] = "";
	int mrc = store_step(members, e);
	if (mrc == 1)
		snprintf(member, sizeof(member), "%s", store_text(members, 0));
	s->p = arena_alloc(a, (size_t)cap * sizeof(*s->p));
	s->ids = arena_alloc(a, (size_t)ccap * sizeof(*s->ids));
	s->member = arena_alloc(a, (size_t)ccap * sizeof(int));
	while (mrc >= 0 && (rc = store_step(st, e)) == 1) {
		const char *id = store_text(st, 0);
		if (!s->ncustomers || strcmp(s->ids[s->ncustomers - 1], id)) {
			if (s->ncustomers == ccap) {
				char (*ids)[ID_MAX] = arena_alloc(a, (size_t)ccap * 2 * sizeof(*ids));
				int *member_flags = arena_alloc(a, (size_t)ccap * 2 * sizeof(int));
				memcpy(ids, s->ids, (size_t)ccap * sizeof(*ids));
				memcpy(member_flags, s->member, (size_t)ccap * sizeof(int));
				s->ids = ids, s->member = member_flags, ccap *= 2;
			}
			/* Advance the members cursor up to this customer. */
			while (mrc == 1 && strcmp(member, id) < 0) {
				mrc = store_step(members, e);
				if (mrc == 1)
					snprintf(member, sizeof(member), "%s", store_text(members, 0));
			}
			snprintf(s->ids[s->ncustomers], ID_MAX, "%s", id);
			s->member[s->ncustomers++] = mrc == 1 && !strcmp(member, id);
		}
		if (s->n == cap) {
			struct purchase *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, s->p, (size_t)cap * sizeof(*more));
			s->p = more, cap *= 2;
		}
		s->p[s->n++] = (struct purchase){ s->ncustomers - 1, store_int(st, 1), store_int(st, 2) };
	}
	store_done(members);
	store_done(st);
	if (mrc < 0)
		return mrc;
	return rc < 0 ? rc : 0;
}

/* Revenue is added with checked arithmetic: orders are at most 3 x 10^15
 * minor units each but a range can hold any number of them. */
static int too_large(struct err *e)
{
	return err_setc(e, ERR_REFUSED, "report_too_large", "revenue",
			"the revenue of this report passes %lld minor units: narrow the range",
			(long long)INT64_MAX);
}

static void finish(struct group_stats *g)
{
	if (!g->customers)
		return;
	g->orders_per_customer = (double)g->orders / (double)g->customers;
	g->average_order_value = g->orders ? (double)g->revenue / (double)g->orders : 0;
	g->revenue_per_customer = (double)g->revenue / (double)g->customers;
	g->repeat_rate = (double)g->repeat_customers / (double)g->customers;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static int has_program(struct store_tx *tx, const char *shop, int *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT 1 FROM program_versions WHERE shop_id = $1"
					    " LIMIT 1", "s", shop);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*out = rc == 1;
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The retention report of the purchases of s placed in [from, to_excl). */
static int aggregate(struct arena *a, const struct scan *s, int64_t from, int64_t to_excl,
		     struct retention_report *out, struct err *e)
{
	int64_t *gaps = arena_alloc(a, (size_t)(s->n + 1) * sizeof(int64_t));
	for (int i = 0, start = 0; i <= s->n; i++) {
		if (i == start || (i < s->n && s->p[i].customer == s->p[start].customer))
			continue;
		int c = s->p[start].customer, orders = 0;
		int64_t revenue = 0, last = 0;
		for (int k = start; k < i; k++) {
			if (s->p[k].at < from || s->p[k].at >= to_excl)
				continue;
			if (checked_accumulate(&revenue, s->p[k].amount))
				return too_large(e);
			if (orders++)
				gaps[out->gaps++] = (s->p[k].at - last) / DAY_MS;
			last = s->p[k].at;
		}
		if (orders) {
			struct group_stats *groups[2] = { &out->all, s->member[c] ? &out->members : &out->non_members };
			for (int g = 0; g < 2; g++) {
				groups[g]->customers++;
				groups[g]->orders += orders;
				if (checked_accumulate(&groups[g]->revenue, revenue))
					return too_large(e);
				groups[g]->repeat_customers += orders > 1;
			}
		}
		start = i;
	}
	finish(&out->all);
	finish(&out->members);
	finish(&out->non_members);
	if (out->gaps) {
		double sum = 0;
		qsort(gaps, (size_t)out->gaps, sizeof(int64_t), cmp_i64);
		for (int64_t i = 0; i < out->gaps; i++)
			sum += (double)gaps[i];
		out->days_between_mean = sum / (double)out->gaps;
		out->days_between_median = out->gaps % 2 ? (double)gaps[out->gaps / 2]
			: ((double)gaps[out->gaps / 2 - 1] + (double)gaps[out->gaps / 2]) / 2;
	}
	return 0;
}

int measures_retention(struct store_tx *tx, struct arena *a, const char *shop,
		       const struct measures_filter *f, struct retention_report *out, struct err *e)
{
	return measures_retention_windows(tx, a, shop, f, 1, out, e);
}

int measures_retention_windows(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct measures_filter *w, int n, struct retention_report *out,
			       struct err *e)
{
	struct scan s;
	int has = 0, rc;
	assert(n >= 1);
	struct measures_filter all = w[0];
	for (int i = 1; i < n; i++) {
		if (w[i].from < all.from)
			all.from = w[i].from;
		if (w[i].to > all.to)
			all.to = w[i].to;
	}
	memset(out, 0, sizeof(*out) * (size_t)n);
	if ((rc = scan_orders(tx, a, shop, &all, &s, e)) || (rc = has_program(tx, shop, &has, e)))
		return rc;
	for (int i = 0; i < n; i++) {
		out[i].currency = s.currency;
		out[i].has_program = has;
		if ((rc = aggregate(a, &s, w[i].from, (w[i].to / DAY_MS + 1) * DAY_MS, &out[i], e)))
			return rc;
	}
	return 0;
}

static int month_index(int64_t ms, int *year, int *month)
{
	char s[RFC3339_MAX];
	rfc3339_format(ms, s);
	*year = atoi(s);
	*month = atoi(s + 5);
	return *year * 12 + *month - 1;
}

int measures_cohorts(struct store_tx *tx, struct arena *a, const char *shop,
		     const struct measures_filter *f, struct cohort_report *out, struct err *e)
{
	struct scan s;
	int rc, y, m;
	memset(out, 0, sizeof(*out));
	if ((rc = scan_orders(tx, a, shop, f, &s, e)))
		return rc;
	out->currency = s.currency;
	if (!s.n)
		return 0;
	int lo = 1 << 30, hi = 0;
	for (int i = 0; i < s.n; i++) {
		int k = month_index(s.p[i].at, &y, &m);
		lo = k < lo ? k : lo;
		hi = k > hi ? k : hi;
	}
	if (hi - lo >= MEASURES_MAX_MONTHS)
		lo = hi - MEASURES_MAX_MONTHS + 1;	/* the last ten years at most */
	int months = hi - lo + 1;
	out->rows = arena_alloc(a, (size_t)months * sizeof(*out->rows));
	out->nrows = months;
	int64_t *buyers = arena_alloc(a, (size_t)months * months * sizeof(int64_t));
	int64_t *revenue = arena_alloc(a, (size_t)months * months * sizeof(int64_t));
	char *seen = arena_alloc(a, (size_t)months);
	for (int i = 0, start = 0; i <= s.n; i++) {
		if (i < s.n && s.p[i].customer == s.p[start].customer)
			continue;
		if (i > start) {
			int cohort = month_index(s.p[start].at, &y, &m) - lo;
			memset(seen, 0, (size_t)months);
			if (cohort >= 0) {
				out->rows[cohort].customers++;
				for (int k = start; k < i; k++) {
					int cell = month_index(s.p[k].at, &y, &m) - lo - cohort;
					if (checked_accumulate(&revenue[cohort * months + cell],
							       s.p[k].amount))
						return too_large(e);
					if (!seen[cell]++)
						buyers[cohort * months + cell]++;
				}
			}
		}
		start = i;
	}
	for (int c = 0; c < months; c++) {
		struct cohort_row *r = &out->rows[c];
		int k = lo + c;
		r->year = k / 12;
		r->month = k % 12 + 1;
		r->ncells = months - c;
		r->share = arena_alloc(a, (size_t)r->ncells * sizeof(double));
		r->revenue = arena_alloc(a, (size_t)r->ncells * sizeof(double));
		r->revenue0 = revenue[c * months];
		for (int cell = 0; cell < r->ncells; cell++) {
			r->share[cell] = r->customers ? (double)buyers[c * months + cell] / (double)r->customers : 0;
			r->revenue[cell] = r->revenue0 ? (double)revenue[c * months + cell] / (double)r->revenue0 : 0;
		}
	}
	return 0;
}

/* The grid, rows R = 5 down to 1, columns F = 1 to 5 (docs/analytics.md). */
static const char *const grid[5][5] = {
	{ "new", "potential_loyalists", "potential_loyalists", "champions", "champions" },
	{ "promising", "potential_loyalists", "loyal", "champions", "champions" },
	{ "about_to_sleep", "need_attention", "need_attention", "loyal", "loyal" },
	{ "hibernating", "hibernating", "at_risk", "at_risk", "cannot_lose" },
	{ "lost", "lost", "at_risk", "cannot_lose", "cannot_lose" },
};

static const char *const segment_names[RFM_SEGMENTS] = {
	"champions", "loyal", "potential_loyalists", "new", "promising", "need_attention",
	"about_to_sleep", "at_risk", "cannot_lose", "hibernating", "lost",
};

int measures_filter_check(const struct measures_filter *f, struct err *e)
{
	if (f->from > f->to)
		return err_set(e, ERR_INVALID, "from", "\"from\" is after \"to\"");
	return 0;
}

const char *measures_rfm_segment(int r, int f)
{
	if (r < 1 || r > 5 || f < 1 || f > 5)
		return "unknown";
	return grid[5 - r][f - 1];
}

/* Quintile scores 1..5 by rank; equal values get equal scores (the score of
 * their first rank), so ties never split across segments. */
struct ranked {
	int64_t value;
	int index;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	return x->value < y->value ? -1 : x->value > y->value ? 1 : x->index - y->index;
}

static void score(struct arena *a, int n, const int64_t *values, int *scores, int higher_is_better)
{
	struct ranked *r = arena_alloc(a, (size_t)n * sizeof(*r));
	for (int i = 0; i < n; i++)
		r[i] = (struct ranked){ higher_is_better ? values[i] : -values[i], i };
	qsort(r, (size_t)n, sizeof(*r), cmp_ranked);
	for (int i = 0, first = 0; i < n; i++) {
		if (i && r[i].value != r[i - 1].value)
			first = i;
		scores[r[i].index] = 1 + (int)((int64_t)first * 5 / n);
	}
}

int measures_rfm(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct measures_filter *f, struct rfm_report *out, struct err *e)
{
	struct scan s;
	int rc;
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < RFM_SEGMENTS; i++)
		out->segments[i].name = segment_names[i];
	if ((rc = scan_orders(tx, a, shop, f, &s, e)))
		return rc;
	out->currency = s.currency;
	out->n = s.ncustomers;
	out->customers = arena_alloc(a, (size_t)(s.ncustomers + 1) * sizeof(*out->customers));
	int64_t *rv = arena_alloc(a, (size_t)(s.ncustomers + 1) * 3 * sizeof(int64_t));
	int64_t *fv = rv + s.ncustomers + 1, *mv = fv + s.ncustomers + 1;
	int *rs = arena_alloc(a, (size_t)(s.ncustomers + 1) * 3 * sizeof(int));
	int *fs = rs + s.ncustomers + 1, *ms = fs + s.ncustomers + 1;
	int64_t end_day = f->to / DAY_MS;
	for (int i = 0; i < s.n; i++) {
		struct rfm_customer *c = &out->customers[s.p[i].customer];
		c->frequency++;
		if (checked_accumulate(&c->monetary, s.p[i].amount))
			return too_large(e);
		c->recency_days = end_day - s.p[i].at / DAY_MS;	/* the last one wins */
	}
	for (int i = 0; i < s.ncustomers; i++) {
		snprintf(out->customers[i].id, ID_MAX, "%s", s.ids[i]);
		rv[i] = out->customers[i].recency_days;
		fv[i] = out->customers[i].frequency;
		mv[i] = out->customers[i].monetary;
	}
	score(a, s.ncustomers, rv, rs, 0);
	score(a, s.ncustomers, fv, fs, 1);
	score(a, s.ncustomers, mv, ms, 1);
	for (int i = 0; i < s.ncustomers; i++) {
		struct rfm_customer *c = &out->customers[i];
		c->r = rs[i], c->f = fs[i], c->m = ms[i];
		c->segment = measures_rfm_segment(c->r, c->f);
		for (int k = 0; k < RFM_SEGMENTS; k++)
			if (!strcmp(out->segments[k].name, c->segment)) {
				out->segments[k].customers++;
				if (checked_accumulate(&out->segments[k].revenue, c->monetary))
					return too_large(e);
			}
	}
	return 0;
}
