/* clv.c: see clv.h. */
#include "clv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/checked.h"
#include "../base/currency.h"

#define DAY_MS (86400LL * 1000)

static int most_used_currency(struct store_tx *tx, struct arena *a, const char *shop,
			      const char **out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT currency FROM orders WHERE shop_id = $1 GROUP BY currency"
		" ORDER BY count(*) DESC, currency LIMIT 1", "s", shop);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*out = rc == 1 ? arena_strdup(a, store_text(st, 0)) : NULL;
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Accumulates one customer's purchase days into a tuple. */
struct acc {
	int64_t first_day, last_day, day, day_total, days;
	double repeat_sum;
};

static void close_day(struct acc *c, double unit)
{
	if (c->day < 0)
		return;
	if (c->days > 0)
		c->repeat_sum += (double)c->day_total / unit;
	c->days++;
	c->last_day = c->day;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int scan(struct store_tx *tx, struct arena *a, const char *shop, const struct clv_options *o,
		const char *currency, const char *only, struct clv_report *r, struct err *e)
{
	double unit = pow(10, currency_exponent(currency));
	int64_t end_day = o->to / DAY_MS;
	int cap = 1024, rc;
	struct acc c = { .day = -1 };
	char cur[ID_MAX] = "";
	struct store_stmt *st = only
		? store_query(tx, e,
			"SELECT customer_id, placed_at, paid_amount - refunded_amount FROM orders"
			" WHERE shop_id = $1 AND customer_id = $5 AND status IN ('paid', 'partially_refunded')"
			" AND currency = $2 AND placed_at >= $3 AND placed_at < $4 ORDER BY placed_at",
			"ssiis", shop, currency, o->from, (end_day + 1) * DAY_MS, only)
		: store_query(tx, e,
			"SELECT customer_id, placed_at, paid_amount - refunded_amount FROM orders"
			" WHERE shop_id = $1 AND status IN ('paid', 'partially_refunded') AND currency = $2"
			" AND placed_at >= $3 AND placed_at < $4 ORDER BY customer_id, placed_at",
			"ssii", shop, currency, o->from, (end_day + 1) * DAY_MS);
	if (!st)
		return e->kind;
	r->list = arena_alloc(a, (size_t)cap * sizeof(*r->list));
	for (;;) {
		rc = store_step(st, e);
		const char *id = rc == 1 ? store_text(st, 0) : NULL;
		if (rc < 0)
			break;
		if (!id || strcmp(id, cur)) {
			if (cur[0]) {	/* finish the previous customer */
				close_day(&c, unit);
				if (r->n == cap) {
					struct clv_customer *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
					memcpy(more, r->list, (size_t)cap * sizeof(*more));
					r->list = more;
					cap *= 2;
				}
				struct clv_customer *k = &r->list[r->n++];
				snprintf(k->id, sizeof(k->id), "%s", cur);
				k->x = (double)(c.days - 1);
				k->t_x = (double)(c.last_day - c.first_day) / 7;
				k->T = (double)(end_day - c.first_day) / 7;
				k->monetary = c.days > 1 ? c.repeat_sum / (double)(c.days - 1) : 0;
			}
			if (!id)
				break;
			snprintf(cur, sizeof(cur), "%s", id);
			memset(&c, 0, sizeof(c));
			c.day = -1;
		}
		int64_t day = store_int(st, 1) / DAY_MS;
		if (day != c.day) {
			close_day(&c, unit);
			if (c.day < 0)
				c.first_day = day;
			c.day = day;
			c.day_total = 0;
		}
		/* One customer's orders of one day: bounded per order, not in number. */
		if (checked_accumulate(&c.day_total, store_int(st, 2))) {
			rc = err_setc(e, ERR_REFUSED, "report_too_large", "revenue",
				      "customer \"%s\" paid more than %lld minor units in one day",
				      cur, (long long)INT64_MAX);
			break;
		}
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void predict(const struct clv_report *r, const struct clv_options *o, struct clv_customer *k)
{
	k->p_alive = bgnbd_p_alive(&r->bgnbd, k->x, k->t_x, k->T);
	k->expected = bgnbd_expected(&r->bgnbd, o->horizon_weeks, k->x, k->t_x, k->T);
	k->risk = k->p_alive >= 0.7 ? "low" : k->p_alive >= 0.3 ? "medium" : "high";
	k->spend = k->clv = 0;
	if (r->spend_enough) {
		/* A customer without repeat spend gets the population's mean. */
		k->spend = k->x > 0 && k->monetary > 0
			? gammagamma_expected_spend(&r->gg, k->x, k->monetary)
			: r->gg.p * r->gg.gamma / (r->gg.q - 1);
		k->clv = gammagamma_clv(&r->bgnbd, &r->gg, k->x, k->t_x, k->T,
					k->x > 0 && k->monetary > 0 ? k->monetary : k->spend,
					o->months, o->discount, 4.345);
	}
}

int clv_customer(struct store_tx *tx, const char *shop, const char *customer,
		 const struct clv_options *o, const struct clv_report *r,
		 struct clv_customer *out, int *found, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct clv_report one;
	memset(&one, 0, sizeof(one));
	int rc = scan(tx, &a, shop, o, r->currency, customer, &one, e);
	*found = !rc && one.n == 1;
	if (*found) {
		*out = one.list[0];
		if (r->enough)
			predict(r, o, out);
	}
	arena_free(&a);
	return rc;
}

int clv_compute(struct store_tx *tx, struct arena *a, const char *shop,
		const struct clv_options *o, struct clv_report *r, struct err *e)
{
	const char *currency = o->currency;
	int rc;
	memset(r, 0, sizeof(*r));
	if (!currency && (rc = most_used_currency(tx, a, shop, &currency, e)))
		return rc;
	r->currency = currency;
	if (!currency) {
		r->reason = "this shop has no orders yet";
		return 0;
	}
	if ((rc = scan(tx, a, shop, o, currency, NULL, r, e)))
		return rc;
	r->customers = r->n;
	for (int i = 0; i < r->n; i++)
		r->repeaters += r->list[i].x > 0;
	if (r->customers < CLV_MIN_CUSTOMERS || r->repeaters < CLV_MIN_REPEATERS) {
		r->reason = arena_printf(a, "not enough data: %lld customers and %lld with a repeat purchase;"
					 " the model needs at least %d and %d",
					 (long long)r->customers, (long long)r->repeaters,
					 CLV_MIN_CUSTOMERS, CLV_MIN_REPEATERS);
		return 0;
	}
	struct rfm_tuple *t = arena_alloc(a, (size_t)r->n * sizeof(*t));
	for (int i = 0; i < r->n; i++)
		t[i] = (struct rfm_tuple){ r->list[i].x, r->list[i].t_x, r->list[i].T, r->list[i].monetary, 1 };
	int distinct = bgnbd_group(t, r->n, 0);
	bgnbd_fit(t, distinct, o->penalty, &r->bgnbd, &r->bgnbd_fit);
	for (int i = 0; i < r->n; i++)
		t[i] = (struct rfm_tuple){ r->list[i].x, r->list[i].t_x, r->list[i].T, r->list[i].monetary, 1 };
	distinct = bgnbd_group(t, r->n, 1);
	int64_t spenders = 0;
	for (int i = 0; i < distinct; i++)
		spenders += t[i].x > 0 && t[i].monetary > 0 ? t[i].weight : 0;
	if (spenders >= CLV_MIN_REPEATERS) {
		gammagamma_fit(t, distinct, o->penalty, &r->gg, &r->gg_fit, &r->spend_correlation);
		r->spend_enough = 1;
	}
	r->enough = 1;
	double *values = arena_alloc(a, (size_t)r->n * sizeof(double));
	for (int i = 0; i < r->n; i++) {
		struct clv_customer *k = &r->list[i];
		predict(r, o, k);
		r->risk[k->p_alive >= 0.7 ? 0 : k->p_alive >= 0.3 ? 1 : 2]++;
		r->expected_total += k->expected;
		values[i] = k->clv;
		r->clv_total += k->clv;
	}
	qsort(values, (size_t)r->n, sizeof(double), cmp_double);
	r->clv_p10 = values[r->n / 10];
	r->clv_p50 = values[r->n / 2];
	r->clv_p90 = values[r->n * 9 / 10];
	return 0;
}
