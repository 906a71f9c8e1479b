/* delivery.c: see delivery.h. */
#include "delivery.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/rfc3339.h"

const char *const delivery_groups[] = { "carrier", "region", "partner", "seller", "month", NULL };

/* The key expressions, by group (the month is made from the promise below). */
static const char *const key_sql[] = { "s.carrier", "s.region", "s.partner", "o.seller", "NULL" };

struct acc {
	struct delivery_row row;
	int64_t *delays;
	int64_t ndelays, cap;
};

static int cmp64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static void add(struct acc *g, int64_t promise, int64_t delivered, int damaged, int returned,
		int64_t now)
{
	struct delivery_row *r = &g->row;
	r->shipments++;
	r->damaged += damaged;
	r->returned += returned;
	if (!delivered && promise >= now)
		return;
	r->due++;
	if (delivered && delivered <= promise) {
		r->on_time++;
		return;
	}
	r->late++;
	if (g->ndelays == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->delays = realloc(g->delays, (size_t)g->cap * sizeof(*g->delays));
	}
	g->delays[g->ndelays++] = ((delivered ? delivered : now) - promise) / 60000;
}

static void finish(struct acc *g)
{
	struct delivery_row *r = &g->row;
	r->on_time_rate = r->due ? (double)r->on_time / (double)r->due : NAN;
	r->average_delay_minutes = r->p90_delay_minutes = NAN;
	if (!g->ndelays)
		goto out;
	qsort(g->delays, (size_t)g->ndelays, sizeof(*g->delays), cmp64);
	double sum = 0;
	for (int64_t i = 0; i < g->ndelays; i++)
		sum += (double)g->delays[i];
	r->average_delay_minutes = sum / (double)g->ndelays;
	int64_t rank = (int64_t)ceil(0.9 * (double)g->ndelays);
	r->p90_delay_minutes = (double)g->delays[(rank > 0 ? rank : 1) - 1];
out:
	free(g->delays);
	g->delays = NULL;
}

static struct acc *find(struct acc **groups, int *n, int *cap, struct arena *a, const char *key)
{
	for (int i = 0; i < *n; i++)
		if ((!key && !(*groups)[i].row.key) ||
		    (key && (*groups)[i].row.key && !strcmp(key, (*groups)[i].row.key)))
			return &(*groups)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*groups = realloc(*groups, (size_t)*cap * sizeof(**groups));
	}
	struct acc *g = &(*groups)[(*n)++];
	memset(g, 0, sizeof(*g));
	g->row.key = key ? arena_strdup(a, key) : NULL;
	return g;
}

static int by_key(const void *x, const void *y)
{
	const struct delivery_row *a = x, *b = y;
	if (!a->key || !b->key)
		return !a->key - !b->key;
	return strcmp(a->key, b->key);
}

int delivery_report(struct store_tx *tx, struct arena *a, const char *shop, const char *group,
		    int64_t from, int64_t to, struct delivery_report *out, struct err *e)
{
	int gi = -1;
	for (int i = 0; delivery_groups[i]; i++)
		if (group && !strcmp(group, delivery_groups[i]))
			gi = i;
	if (gi < 0)
		return err_set(e, ERR_INVALID, "group", "\"group\" is carrier, region, partner, seller"
			       " or month");
	char sql[600];
	snprintf(sql, sizeof(sql), "SELECT %s, s.promised_delivery_at, coalesce(s.delivered_at, 0),"
		 " s.damaged, s.returned FROM shipments s JOIN orders o ON o.shop_id = s.shop_id"
		 " AND o.id = s.order_id WHERE s.shop_id = $1 AND s.promised_delivery_at IS NOT NULL"
		 " AND s.promised_delivery_at >= $2 AND s.promised_delivery_at < $3", key_sql[gi]);
	struct store_stmt *st = store_query(tx, e, sql, "sii", shop, from, to);
	if (!st)
		return e->kind;
	struct acc total = { 0 }, *groups = NULL;
	int n = 0, cap = 0, rc;
	int64_t now = clock_now_ms();
	while ((rc = store_step(st, e)) == 1) {
		int64_t promise = store_int(st, 1), delivered = store_int(st, 2);
		int damaged = (int)store_int(st, 3), returned = (int)store_int(st, 4);
		char month[8];
		const char *key = store_text(st, 0);
		if (gi == 4) {
			char day[RFC3339_MAX];
			rfc3339_format(promise, day);
			memcpy(month, day, 7);
			month[7] = 0;
			key = month;
		}
		add(find(&groups, &n, &cap, a, key), promise, delivered, damaged, returned, now);
		add(&total, promise, delivered, damaged, returned, now);
	}
	store_done(st);
	memset(out, 0, sizeof(*out));
	out->group = group;
	out->rows = arena_alloc(a, (size_t)(n + 1) * sizeof(*out->rows));
	for (int i = 0; i < n; i++) {
		finish(&groups[i]);
		out->rows[i] = groups[i].row;
	}
	out->n = n;
	qsort(out->rows, (size_t)n, sizeof(*out->rows), by_key);
	finish(&total);
	out->total = total.row;
	free(groups);
	return rc < 0 ? rc : 0;
}
