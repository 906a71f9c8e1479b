/* activity.c: searches, views and the search links; see activity.h. */
#include "activity.h"

#include <stdio.h>
#include <string.h>

#include "../base/casemap.h"
#include "../base/clock.h"
#include "../base/ids.h"
#include "copurchase.h"
#include "customer.h"

const char *const activity_types[ACTIVITY_TYPE_COUNT] = { "search", "view" };

/* What each type needs: its subject field, named in messages. */
static const char *const subject_fields[ACTIVITY_TYPE_COUNT] = { "query", "sku" };

int activity_type_parse(const char *name)
{
	for (int i = 0; i < ACTIVITY_TYPE_COUNT; i++)
		if (name && !strcmp(activity_types[i], name))
			return i;
	return -1;
}

/* Lower case, white space runs to one space, trimmed. */
static int normalise_query(struct arena *a, const char *q, const char **out, const char *param,
			   struct err *e)
{
	size_t n = strlen(q), cap = n * 3 + 1;
	char *lower = arena_alloc(a, cap), *w;
	long len = casemap_lower_utf8(q, n, lower, cap);
	if (len < 0)
		return err_set(e, ERR_INVALID, param, "\"query\" is not valid UTF-8");
	w = lower;
	for (const char *p = lower; *p; p++) {
		int space = *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
		if (space && (w == lower || w[-1] == ' '))
			continue;
		*w++ = space ? ' ' : *p;
	}
	while (w > lower && w[-1] == ' ')
		w--;
	*w = 0;
	if (!*lower)
		return err_set(e, ERR_INVALID, param, "\"query\" must not be blank");
	if (w - lower > ACTIVITY_QUERY_MAX)
		return err_set(e, ERR_INVALID, param, "\"query\" must be at most %d bytes",
			       ACTIVITY_QUERY_MAX);
	*out = lower;
	return 0;
}

int activity_check(struct arena *a, struct activity_event *ev, int index, int64_t now,
		   struct err *e)
{
	char prefix[32] = "", param[48];
	if (index >= 0)
		snprintf(prefix, sizeof(prefix), "events[%d].", index);
	if (ev->type < 0 || ev->type >= ACTIVITY_TYPE_COUNT) {
		snprintf(param, sizeof(param), "%stype", prefix);
		return err_set(e, ERR_INVALID, param, "\"type\" must be \"search\" or \"view\"");
	}
	const char *field = subject_fields[ev->type];
	snprintf(param, sizeof(param), "%s%s", prefix, field);
	if (!ev->subject)
		return err_setc(e, ERR_INVALID, "parameter_missing", param,
				"a %s needs \"%s\"", activity_types[ev->type], field);
	if (ev->type == ACTIVITY_SEARCH &&
	    normalise_query(a, ev->subject, &ev->subject, param, e))
		return e->kind;
	if (ev->type == ACTIVITY_VIEW && strlen(ev->subject) > ACTIVITY_SKU_MAX)
		return err_set(e, ERR_INVALID, param, "\"sku\" must be at most %d bytes",
			       ACTIVITY_SKU_MAX);
	snprintf(param, sizeof(param), "%sat", prefix);
	if (ev->at < ORDER_TIME_MIN_MS)
		return err_set(e, ERR_INVALID, param, "\"at\" must be in 1980 or later");
	if (ev->at > now + ACTIVITY_SKEW_MS)
		return err_setc(e, ERR_INVALID, "at_in_future", param,
				"\"at\" is more than %lld seconds in the future",
				(long long)(ACTIVITY_SKEW_MS / 1000));
	return 0;
}

/* Links (query, sku) for customer once; counts the customer in search_skus
 * the first time. */
static int link(struct store_tx *tx, const char *shop, const char *customer, const char *query,
		const char *sku, struct err *e)
{
	int rc = store_exec(tx, e,
		"INSERT INTO search_links (shop_id, customer_id, query, sku, created_at)"
		" VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
		"ssssi", shop, customer, query, sku, clock_now_ms());
	if (rc <= 0)
		return rc;
	rc = store_exec(tx, e,
		"INSERT INTO search_skus (shop_id, query, sku, customers) VALUES ($1, $2, $3, 1)"
		" ON CONFLICT (shop_id, query, sku) DO UPDATE SET customers = search_skus.customers + 1",
		"sss", shop, query, sku);
	return rc < 0 ? rc : 0;
}

struct texts {
	const char **v;
	int n;
};

/* Reads the first (text) column of every row of st, at most max, into t. */
static int read_texts(struct store_stmt *st, struct arena *a, int max, struct texts *t,
		      struct err *e)
{
	int rc;
	t->v = arena_alloc(a, (size_t)(max > 0 ? max : 1) * sizeof(*t->v));
	t->n = 0;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1 && t->n < max)
		t->v[t->n++] = arena_strdup(a, store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The customer's distinct queries searched in [from, to], latest first. */
static int searches_between(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *customer, int64_t from, int64_t to, struct texts *t,
			    struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT subject, max(at) FROM activity WHERE shop_id = $1 AND customer_id = $2"
		" AND type = 'search' AND at >= $3 AND at <= $4 GROUP BY subject"
		" ORDER BY 2 DESC, 1 LIMIT $5",
		"ssiii", shop, customer, from, to, (int64_t)ACTIVITY_LINKS_MAX);
	return read_texts(st, a, ACTIVITY_LINKS_MAX, t, e);
}

/* A search at: the SKUs the customer viewed, or bought in a paid order
 * placed, in the window after it. */
static int link_search(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *customer, const struct activity_event *ev, struct err *e)
{
	struct texts viewed, bought;
	int64_t until = ev->at + ACTIVITY_SEARCH_WINDOW_MS;
	int rc = read_texts(store_query(tx, e,
		"SELECT subject, min(at) FROM activity WHERE shop_id = $1 AND customer_id = $2"
		" AND type = 'view' AND at >= $3 AND at <= $4 GROUP BY subject ORDER BY 2, 1 LIMIT $5",
		"ssiii", shop, customer, ev->at, until, (int64_t)ACTIVITY_LINKS_MAX),
		a, ACTIVITY_LINKS_MAX, &viewed, e);
	if (rc || (rc = read_texts(store_query(tx, e,
		"SELECT l.sku, min(o.placed_at) FROM orders o JOIN order_lines l"
		" ON l.shop_id = o.shop_id AND l.order_id = o.id"
		" WHERE o.shop_id = $1 AND o.customer_id = $2 AND o.placed_at >= $3 AND o.placed_at <= $4"
		" AND o.status IN ('paid', 'partially_refunded') GROUP BY l.sku ORDER BY 2, 1 LIMIT $5",
		"ssiii", shop, customer, ev->at, until, (int64_t)ACTIVITY_LINKS_MAX),
		a, ACTIVITY_LINKS_MAX, &bought, e)))
		return rc;
	for (int i = 0; !rc && i < viewed.n; i++)
		rc = link(tx, shop, customer, ev->subject, viewed.v[i], e);
	for (int i = 0; !rc && i < bought.n; i++)
		rc = link(tx, shop, customer, ev->subject, bought.v[i], e);
	return rc;
}

/* A view (or a bought SKU) at: the queries searched in the window before. */
static int link_sku(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		    const char *sku, int64_t at, struct err *e)
{
	struct texts queries;
	int rc = searches_between(tx, a, shop, customer, at - ACTIVITY_SEARCH_WINDOW_MS, at,
				  &queries, e);
	for (int i = 0; !rc && i < queries.n; i++)
		rc = link(tx, shop, customer, queries.v[i], sku, e);
	return rc;
}

int activity_record(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		    const struct activity_event *events, int n, int *recorded, struct err *e)
{
	int64_t now = clock_now_ms();
	int erased, rc;
	*recorded = 0;
	if ((rc = customer_is_erased(tx, shop, customer, "id", &erased, e)))
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "id",
				"customer \"%s\" is erased: its activity is not recorded", customer);
	for (int i = 0; i < n; i++) {
		const struct activity_event *ev = &events[i];
		char id[ID_MAX];
		id_new(id, "act_", now);
		rc = store_exec(tx, e,
			"INSERT INTO activity (shop_id, id, customer_id, type, subject, at, created_at)"
			" VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
			"sssssii", shop, id, customer, activity_types[ev->type], ev->subject, ev->at, now);
		if (rc < 0)
			return rc;
		if (rc == 0)	/* the same event again */
			continue;
		(*recorded)++;
		rc = ev->type == ACTIVITY_SEARCH ? link_search(tx, a, shop, customer, ev, e)
						 : link_sku(tx, a, shop, customer, ev->subject, ev->at, e);
		if (rc)
			return rc;
	}
	return 0;
}

int activity_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct order *o, struct err *e)
{
	const char **skus;
	struct texts queries;
	int64_t any;
	int n, rc;
	/* Most buyers searched nothing in the window: one probe of
	 * activity_by_customer answers that, where the grouped and sorted read
	 * below builds its temporary b-tree, rows or none (a fortieth of a
	 * payment: bench/README.md, the order path, fifth round). */
	if ((rc = store_query_int(tx, e, &any, "SELECT 1 FROM activity WHERE shop_id = $1"
				  " AND customer_id = $2 AND type = 'search' AND at >= $3 AND at <= $4"
				  " LIMIT 1", "ssii", shop, o->customer_id,
				  o->placed_at - ACTIVITY_SEARCH_WINDOW_MS, o->placed_at)) || !any)
		return rc;
	if ((rc = searches_between(tx, a, shop, o->customer_id,
				   o->placed_at - ACTIVITY_SEARCH_WINDOW_MS, o->placed_at, &queries, e)))
		return rc;
	if (queries.n == 0)
		return 0;
	copurchase_order_skus(a, o, &skus, &n);
	for (int q = 0; !rc && q < queries.n; q++)
		for (int i = 0; !rc && i < n; i++)
			rc = link(tx, shop, o->customer_id, queries.v[q], skus[i], e);
	return rc;
}

struct link_row {
	const char *query, *sku;
};

static int read_links(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		      struct link_row **out, int *n, struct err *e)
{
	int cap = 16, rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT query, sku FROM search_links WHERE shop_id = $1 AND customer_id = $2"
		" ORDER BY query, sku", "ss", shop, customer);
	*n = 0;
	*out = arena_alloc(a, (size_t)cap * sizeof(**out));
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		if (*n == cap) {
			struct link_row *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, *out, (size_t)cap * sizeof(*more));
			*out = more;
			cap *= 2;
		}
		(*out)[*n].query = arena_strdup(a, store_text(st, 0));
		(*out)[(*n)++].sku = arena_strdup(a, store_text(st, 1));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* One customer fewer behind (query, sku); a count of 0 goes. */
static int uncount(struct store_tx *tx, const char *shop, const struct link_row *l, struct err *e)
{
	int rc = store_exec(tx, e,
		"UPDATE search_skus SET customers = customers - 1 WHERE shop_id = $1 AND query = $2"
		" AND sku = $3 AND customers > 1", "sss", shop, l->query, l->sku);
	if (rc == 0)
		rc = store_exec(tx, e,
			"DELETE FROM search_skus WHERE shop_id = $1 AND query = $2 AND sku = $3",
			"sss", shop, l->query, l->sku);
	return rc < 0 ? rc : 0;
}

int activity_erase(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   struct err *e)
{
	struct link_row *links;
	int n, rc = read_links(tx, a, shop, customer, &links, &n, e);
	for (int i = 0; !rc && i < n; i++)
		rc = uncount(tx, shop, &links[i], e);
	if (rc || (rc = store_exec(tx, e, "DELETE FROM search_links WHERE shop_id = $1"
				   " AND customer_id = $2", "ss", shop, customer)) < 0)
		return rc;
	rc = store_exec(tx, e, "DELETE FROM activity WHERE shop_id = $1 AND customer_id = $2",
			"ss", shop, customer);
	return rc < 0 ? rc : 0;
}

int activity_merge(struct store_tx *tx, struct arena *a, const char *shop, const char *target,
		   const char *source, struct err *e)
{
	struct link_row *links;
	int n, rc = store_exec(tx, e,
		"DELETE FROM activity WHERE shop_id = $1 AND customer_id = $3 AND EXISTS"
		" (SELECT 1 FROM activity t WHERE t.shop_id = $1 AND t.customer_id = $2"
		"  AND t.type = activity.type AND t.subject = activity.subject AND t.at = activity.at)",
		"sss", shop, target, source);
	if (rc < 0 || (rc = store_exec(tx, e,
		"UPDATE activity SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"sss", shop, target, source)) < 0)
		return rc;
	if ((rc = read_links(tx, a, shop, source, &links, &n, e)))
		return rc;
	for (int i = 0; i < n; i++) {
		rc = store_exec(tx, e,
			"INSERT INTO search_links (shop_id, customer_id, query, sku, created_at)"
			" SELECT shop_id, $2, query, sku, created_at FROM search_links"
			" WHERE shop_id = $1 AND customer_id = $3 AND query = $4 AND sku = $5"
			" ON CONFLICT DO NOTHING",
			"sssss", shop, target, source, links[i].query, links[i].sku);
		if (rc < 0 || (rc == 0 && (rc = uncount(tx, shop, &links[i], e))))
			return rc;
	}
	rc = store_exec(tx, e, "DELETE FROM search_links WHERE shop_id = $1 AND customer_id = $2",
			"ss", shop, source);
	return rc < 0 ? rc : 0;
}
