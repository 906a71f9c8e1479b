/* reviews.c: see reviews.h. One scan of the period's reviews in time
 * order; months come out in order, so each is finished as the next begins. */
#include "reviews.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../base/rfc3339.h"

#define NEGATIVE_MAX_RATING 2	/* core/review.h REVIEW_NEGATIVE_MAX_RATING */

struct minutes {
	double *v;
	size_t n, cap;
};

static int push(struct minutes *m, double x)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;
		double *v = realloc(m->v, cap * sizeof(*v));
		if (!v)
			return -1;
		m->v = v, m->cap = cap;
	}
	m->v[m->n++] = x;
	return 0;
}

static int by_value(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

static void finish(struct reviews_period *p, struct minutes *m)
{
	p->average_rating = p->reviews ? (double)p->rating_sum / (double)p->reviews : NAN;
	p->negative_answered_in_time = p->negative_due
		? (double)p->negative_in_time / (double)p->negative_due : NAN;
	p->reply_minutes_average = p->reply_minutes_p50 = NAN;
	if (!m->n)
		return;
	double sum = 0;
	for (size_t i = 0; i < m->n; i++)
		sum += m->v[i];
	qsort(m->v, m->n, sizeof(*m->v), by_value);
	p->reply_minutes_average = sum / (double)m->n;
	p->reply_minutes_p50 = m->v[(m->n + 1) / 2 - 1];	/* nearest rank */
}

static void add(struct reviews_period *p, struct minutes *m, int64_t rating, int64_t created,
		int64_t replied, int64_t due, int64_t now, int *oom)
{
	p->reviews++;
	p->rating_sum += rating;
	if (replied) {
		p->replied++;
		*oom |= push(m, (double)(replied - created) / 60000.0);
	}
	if (rating > NEGATIVE_MAX_RATING)
		return;
	p->negative++;
	if (due && (replied || due < now)) {
		p->negative_due++;
		p->negative_in_time += replied && replied <= due;
	}
}

int reviews_report(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		   int64_t to, int64_t now, struct reviews_report *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT rating, created_at, coalesce(first_reply_at,"
		" 0), coalesce(reply_due_at, 0) FROM reviews WHERE shop_id = $1 AND status <> 'hidden'"
		" AND created_at >= $2 AND created_at < $3 ORDER BY created_at", "sii", shop, from, to);
	struct minutes all = { 0 }, month = { 0 };
	int cap = 0, oom = 0, rc;
	if (!st)
		return e->kind;
	memset(out, 0, sizeof(*out));
	while ((rc = store_step(st, e)) == 1) {
		int64_t rating = store_int(st, 0), created = store_int(st, 1);
		char day[RFC3339_MAX];
		rfc3339_format(created, day);
		day[7] = '\0';
		if (!out->nmonths || strcmp(out->months[out->nmonths - 1].month, day)) {
			if (out->nmonths)
				finish(&out->months[out->nmonths - 1], &month);
			month.n = 0;
			if (out->nmonths == cap) {
				cap = cap ? cap * 2 : 16;
				struct reviews_period *more = arena_alloc(a, (size_t)cap * sizeof(*more));
				if (out->nmonths)
					memcpy(more, out->months, (size_t)out->nmonths * sizeof(*more));
				out->months = more;
			}
			struct reviews_period *p = &out->months[out->nmonths++];
			memset(p, 0, sizeof(*p));
			memcpy(p->month, day, 8);
		}
		int64_t replied = store_int(st, 2), due = store_int(st, 3);
		add(&out->months[out->nmonths - 1], &month, rating, created, replied, due, now, &oom);
		add(&out->total, &all, rating, created, replied, due, now, &oom);
	}
	store_done(st);
	if (out->nmonths)
		finish(&out->months[out->nmonths - 1], &month);
	finish(&out->total, &all);
	free(all.v);
	free(month.v);
	if (rc >= 0 && oom)
		rc = err_set(e, ERR_INTERNAL, NULL, "out of memory for the review report");
	return rc < 0 ? rc : 0;
}
