/* service.c: see service.h. */
#include "service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/rfc3339.h"

/* Minutes, grown as needed (freed by finish_times). */
struct minutes {
	double *v;
	int64_t n, cap;
};

struct times_acc {
	struct service_times row;
	struct minutes first, resolution;
};

static void push(struct minutes *m, double v)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = realloc(m->v, (size_t)m->cap * sizeof(*m->v));
	}
	m->v[m->n++] = v;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

/* Nearest rank: the smallest value with at least q of the values at or below it. */
static double rank(struct minutes *m, double q)
{
	if (!m->n)
		return NAN;
	int64_t r = (int64_t)ceil(q * (double)m->n);
	return m->v[(r > 0 ? r : 1) - 1];
}

static double share(int64_t part, int64_t whole)
{
	return whole ? (double)part / (double)whole : NAN;
}

static void finish_times(struct times_acc *g)
{
	struct service_times *r = &g->row;
	if (g->first.n)
		qsort(g->first.v, (size_t)g->first.n, sizeof(double), cmp_double);
	if (g->resolution.n)
		qsort(g->resolution.v, (size_t)g->resolution.n, sizeof(double), cmp_double);
	r->first_responses = g->first.n;
	r->solved = g->resolution.n;
	r->first_response_p50 = rank(&g->first, 0.5);
	r->first_response_p90 = rank(&g->first, 0.9);
	r->resolution_p50 = rank(&g->resolution, 0.5);
	r->resolution_p90 = rank(&g->resolution, 0.9);
	r->first_response_within_sla = share(r->first_response_met, r->first_response_due);
	r->resolution_within_sla = share(r->resolution_met, r->resolution_due);
	r->within_sla = share(r->first_response_met + r->resolution_met,
			      r->first_response_due + r->resolution_due);
	free(g->first.v);
	free(g->resolution.v);
}

/* One target: due once met or past its time; met when done by it. */
static void target(int64_t due, int64_t done, int64_t now, int64_t *ndue, int64_t *nmet)
{
	if (!due || (!done && now <= due))
		return;
	(*ndue)++;
	*nmet += done && done <= due;
}

struct ticket_row {
	int64_t created, first, solved, first_due, resolution_due;
};

static void add_ticket(struct times_acc *g, const struct ticket_row *t, int64_t now)
{
	struct service_times *r = &g->row;
	r->tickets++;
	if (t->first)
		push(&g->first, (double)(t->first - t->created) / 60000.0);
	if (t->solved)
		push(&g->resolution, (double)(t->solved - t->created) / 60000.0);
	target(t->first_due, t->first, now, &r->first_response_due, &r->first_response_met);
	target(t->resolution_due, t->solved, now, &r->resolution_due, &r->resolution_met);
}

static int same_key(const char *x, const char *y)
{
	return (!x && !y) || (x && y && !strcmp(x, y));
}

static struct times_acc *channel_acc(struct times_acc **list, int *n, int *cap, struct arena *a,
				     const char *key)
{
	for (int i = 0; i < *n; i++)
		if (same_key((*list)[i].row.key, key))
			return &(*list)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*list = realloc(*list, (size_t)*cap * sizeof(**list));
	}
	struct times_acc *g = &(*list)[(*n)++];
	memset(g, 0, sizeof(*g));
	g->row.key = arena_strdup(a, key);
	return g;
}

static int by_times_key(const void *x, const void *y)
{
	const struct service_times *a = x, *b = y;
	return strcmp(a->key, b->key);
}

static int ticket_times(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
			int64_t to, struct service_report *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT channel, created_at,"
		" coalesce(first_response_at, 0), coalesce(solved_at, 0),"
		" coalesce(first_response_due_at, 0), coalesce(resolution_due_at, 0) FROM tickets"
		" WHERE shop_id = $1 AND created_at >= $2 AND created_at < $3", "sii", shop, from, to);
	if (!st)
		return e->kind;
	struct times_acc total = { 0 }, *list = NULL;
	int n = 0, cap = 0, rc;
	int64_t now = clock_now_ms();
	while ((rc = store_step(st, e)) == 1) {
		struct ticket_row t = { store_int(st, 1), store_int(st, 2), store_int(st, 3),
					store_int(st, 4), store_int(st, 5) };
		add_ticket(channel_acc(&list, &n, &cap, a, store_text(st, 0)), &t, now);
		add_ticket(&total, &t, now);
	}
	store_done(st);
	out->channels = arena_alloc(a, (size_t)(n + 1) * sizeof(*out->channels));
	for (int i = 0; i < n; i++) {
		finish_times(&list[i]);
		out->channels[i] = list[i].row;
	}
	out->nchannels = n;
	qsort(out->channels, (size_t)n, sizeof(*out->channels), by_times_key);
	finish_times(&total);
	out->total = total.row;
	free(list);
	return rc < 0 ? rc : 0;
}

/* A growing list of score rows (freed by the caller). */
struct score_list {
	struct service_score *v;
	int n, cap;
};

static struct service_score *score_row(struct score_list *l, struct arena *a, const char *key)
{
	for (int i = 0; i < l->n; i++)
		if (same_key(l->v[i].key, key))
			return &l->v[i];
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = realloc(l->v, (size_t)l->cap * sizeof(*l->v));
	}
	struct service_score *s = &l->v[l->n++];
	memset(s, 0, sizeof(*s));
	s->key = arena_strdup(a, key);
	return s;
}

static void add_score(struct service_score *s, int nps, int64_t score)
{
	s->answers++;
	s->sum += score;
	if (nps) {
		s->promoters += score >= 9;
		s->detractors += score <= 6;
		s->passives += score == 7 || score == 8;
	} else {
		s->promoters += score >= 4;
		s->detractors += score <= 2;
		s->passives += score == 3;
	}
}

static void finish_score(struct service_score *s, int nps)
{
	if (!s->answers)
		s->value = NAN;
	else if (nps)
		s->value = 100.0 * (double)(s->promoters - s->detractors) / (double)s->answers;
	else
		s->value = (double)s->sum / (double)s->answers;
}

static int by_score_key(const void *x, const void *y)
{
	const struct service_score *a = x, *b = y;
	if (!a->key || !b->key)
		return !a->key - !b->key;
	return strcmp(a->key, b->key);
}

static void finish_list(struct arena *a, struct score_list *l, int nps, struct service_score **out,
			int *n)
{
	*out = arena_alloc(a, (size_t)(l->n + 1) * sizeof(**out));
	for (int i = 0; i < l->n; i++) {
		finish_score(&l->v[i], nps);
		(*out)[i] = l->v[i];
	}
	*n = l->n;
	qsort(*out, (size_t)*n, sizeof(**out), by_score_key);
	free(l->v);
}

static int scores(struct store_tx *tx, struct arena *a, const char *shop, const char *kind,
		  int64_t from, int64_t to, struct service_scores *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT score, answered_at, channel, tier FROM"
		" surveys WHERE shop_id = $1 AND kind = $2 AND answered_at IS NOT NULL AND"
		" answered_at >= $3 AND answered_at < $4", "ssii", shop, kind, from, to);
	if (!st)
		return e->kind;
	struct score_list month = { 0 }, channel = { 0 }, tier = { 0 };
	int nps = !strcmp(kind, "nps"), rc;
	memset(out, 0, sizeof(*out));
	while ((rc = store_step(st, e)) == 1) {
		int64_t score = store_int(st, 0);
		char day[RFC3339_MAX];
		rfc3339_format(store_int(st, 1), day);
		day[7] = '\0';
		add_score(score_row(&month, a, day), nps, score);
		add_score(score_row(&channel, a, store_text(st, 2)), nps, score);
		add_score(score_row(&tier, a, store_text(st, 3)), nps, score);
		add_score(&out->total, nps, score);
	}
	store_done(st);
	finish_list(a, &month, nps, &out->by_month, &out->nmonth);
	finish_list(a, &channel, nps, &out->by_channel, &out->nchannel);
	finish_list(a, &tier, nps, &out->by_tier, &out->ntier);
	finish_score(&out->total, nps);
	return rc < 0 ? rc : 0;
}

static int suggestions(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		       int64_t to, struct service_report *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT id, kind, customer_id, suggestion, score,"
		" answered_at FROM surveys WHERE shop_id = $1 AND answered_at IS NOT NULL AND"
		" answered_at >= $2 AND answered_at < $3 AND suggestion IS NOT NULL"
		" ORDER BY answered_at DESC, id DESC LIMIT $4", "siii", shop, from, to,
		(int64_t)SERVICE_SUGGESTIONS);
	int rc = 0;
	if (!st)
		return e->kind;
	out->nsuggestions = 0;
	while (out->nsuggestions < SERVICE_SUGGESTIONS && (rc = store_step(st, e)) == 1) {
		struct service_suggestion *s = &out->suggestions[out->nsuggestions++];
		s->survey_id = arena_strdup(a, store_text(st, 0));
		s->kind = arena_strdup(a, store_text(st, 1));
		s->customer_id = arena_strdup(a, store_text(st, 2));
		s->text = arena_strdup(a, store_text(st, 3));
		s->score = store_int(st, 4);
		s->answered_at = store_int(st, 5);
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int service_report(struct store_tx *tx, struct arena *a, const char *shop, int64_t from,
		   int64_t to, struct service_report *out, struct err *e)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = ticket_times(tx, a, shop, from, to, out, e)) ||
	    (rc = store_query_int(tx, e, &out->orders, "SELECT count(*) FROM orders WHERE shop_id = $1"
				  " AND placed_at >= $2 AND placed_at < $3", "sii", shop, from, to)) ||
	    (rc = scores(tx, a, shop, "nps", from, to, &out->nps, e)) ||
	    (rc = scores(tx, a, shop, "csat", from, to, &out->csat, e)))
		return rc;
	out->complaints_per_100_orders = out->orders
		? 100.0 * (double)out->total.tickets / (double)out->orders : NAN;
	return suggestions(tx, a, shop, from, to, out, e);
}
