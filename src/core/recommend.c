/* recommend.c: the store's side of the recommendations; see recommend.h. */
#include "recommend.h"

#include <stdlib.h>
#include <string.h>

#include "product_text.h"

/* The customer's bought SKUs, most recently bought first (then by SKU). */
static int bought_skus(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *customer, const char ***out, int *n, struct err *e)
{
	int cap = 16, rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT l.sku, max(o.placed_at) FROM orders o JOIN order_lines l"
		" ON l.shop_id = o.shop_id AND l.order_id = o.id"
		" WHERE o.shop_id = $1 AND o.customer_id = $2"
		" AND o.status IN ('paid', 'partially_refunded')"
		" GROUP BY l.sku ORDER BY 2 DESC, 1", "ss", shop, customer);
	*n = 0;
	*out = arena_alloc(a, (size_t)cap * sizeof(**out));
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		if (*n == cap) {
			const char **more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, *out, (size_t)cap * sizeof(*more));
			*out = more;
			cap *= 2;
		}
		(*out)[(*n)++] = arena_strdup(a, store_text(st, 0));
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* Reads (sku, count) rows of st, at most RECOMMEND_PARTNERS_MAX, into s. */
static int read_counts(struct store_stmt *st, struct arena *a, struct ranking_source *s,
		       struct err *e)
{
	struct ranking_count *items = arena_alloc(a, RECOMMEND_PARTNERS_MAX * sizeof(*items));
	int rc = 0;
	s->items = items;
	s->nitems = 0;
	if (!st)
		return e->kind;
	while (s->nitems < RECOMMEND_PARTNERS_MAX && (rc = store_step(st, e)) == 1)
		items[s->nitems++] = (struct ranking_count){ arena_strdup(a, store_text(st, 0)),
							     store_int(st, 1) };
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int seeds(struct store_tx *tx, struct arena *a, const char *shop, const char **bought,
		 int nbought, struct ranking_input *in, struct err *e)
{
	int n = nbought < RECOMMEND_SEEDS_MAX ? nbought : RECOMMEND_SEEDS_MAX, rc = 0;
	struct ranking_source *s = arena_alloc(a, (size_t)(n + 1) * sizeof(*s));
	for (int i = 0; !rc && i < n; i++) {
		s[i].name = bought[i];
		rc = read_counts(store_query(tx, e,
			"SELECT partner, orders FROM copurchase WHERE shop_id = $1 AND sku = $2"
			" ORDER BY orders DESC, partner LIMIT $3",
			"ssi", shop, bought[i], (int64_t)RECOMMEND_PARTNERS_MAX), a, &s[i], e);
	}
	in->sources[RANKING_BOUGHT_TOGETHER] = s;
	in->nsources[RANKING_BOUGHT_TOGETHER] = n;
	return rc;
}

static int strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* The query's text matches (core/product_text.h): at most
 * RECOMMEND_MATCHES_MAX, none bought (bought is sorted) nor an item of s
 * already, so that neither uses up the bound. */
static int text_matches(struct store_tx *tx, struct arena *a, const char *shop,
			const char *const *bought, int nbought, struct ranking_source *s,
			struct err *e)
{
	const char **skip = arena_alloc(a, (size_t)(nbought + s->nitems + 1) * sizeof(*skip));
	struct product_text_hit *hits;
	struct ranking_count *m;
	int nhits, rc;
	memcpy(skip, bought, (size_t)nbought * sizeof(*skip));
	for (int i = 0; i < s->nitems; i++)
		skip[nbought + i] = s->items[i].sku;
	qsort(skip, (size_t)(nbought + s->nitems), sizeof(*skip), strings);
	if ((rc = product_text_match(tx, a, shop, s->name, skip, nbought + s->nitems,
				     RECOMMEND_MATCHES_MAX, &hits, &nhits, e)))
		return rc;
	m = arena_alloc(a, (size_t)(nhits + 1) * sizeof(*m));
	for (int i = 0; i < nhits; i++)
		m[i] = (struct ranking_count){ hits[i].sku, hits[i].orders };
	s->matches = m;
	s->nmatches = nhits;
	return 0;
}

static int searches(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		    const char *const *bought, int nbought, struct ranking_input *in,
		    struct err *e)
{
	struct ranking_source *s = arena_alloc(a, RECOMMEND_SEARCHES_MAX * sizeof(*s));
	int n = 0, rc = 0;
	memset(s, 0, RECOMMEND_SEARCHES_MAX * sizeof(*s));
	struct store_stmt *st = store_query(tx, e,
		"SELECT subject, max(at) FROM activity WHERE shop_id = $1 AND customer_id = $2"
		" AND type = 'search' GROUP BY subject ORDER BY 2 DESC, 1 LIMIT $3",
		"ssi", shop, customer, (int64_t)RECOMMEND_SEARCHES_MAX);
	if (!st)
		return e->kind;
	while (n < RECOMMEND_SEARCHES_MAX && (rc = store_step(st, e)) == 1)
		s[n++].name = arena_strdup(a, store_text(st, 0));
	store_done(st);
	if (rc < 0)
		return rc;
	rc = 0;
	for (int i = 0; !rc && i < n; i++)
		if (!(rc = read_counts(store_query(tx, e,
			"SELECT sku, customers FROM search_skus WHERE shop_id = $1 AND query = $2"
			" ORDER BY customers DESC, sku LIMIT $3",
			"ssi", shop, s[i].name, (int64_t)RECOMMEND_PARTNERS_MAX), a, &s[i], e)))
			rc = text_matches(tx, a, shop, bought, nbought, &s[i], e);
	in->sources[RANKING_MATCHES_SEARCH] = s;
	in->nsources[RANKING_MATCHES_SEARCH] = n;
	return rc;
}

static void interests_in(struct arena *a, const struct recommend_interest *interests, int n,
			 struct ranking_input *in)
{
	struct ranking_source *s = arena_alloc(a, (size_t)(n + 1) * sizeof(*s));
	for (int i = 0; i < n; i++) {
		struct ranking_count *items =
			arena_alloc(a, (size_t)(interests[i].nskus + 1) * sizeof(*items));
		for (int k = 0; k < interests[i].nskus; k++)
			items[k] = (struct ranking_count){ interests[i].skus[k], 1 };
		s[i] = (struct ranking_source){ .name = interests[i].key, .items = items,
						.nitems = interests[i].nskus };
	}
	in->sources[RANKING_MATCHES_INTEREST] = s;
	in->nsources[RANKING_MATCHES_INTEREST] = n;
}

int recommend_for(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const struct recommend_interest *interests, int ninterests, int limit,
		  struct ranking_item **out, int *n, int *more, struct err *e)
{
	struct ranking_input in = { 0 };
	const char **bought, **sorted;
	int nbought, rc;
	if ((rc = bought_skus(tx, a, shop, customer, &bought, &nbought, e)) ||
	    (rc = seeds(tx, a, shop, bought, nbought, &in, e)))
		return rc;
	sorted = arena_alloc(a, (size_t)(nbought + 1) * sizeof(*sorted));
	memcpy(sorted, bought, (size_t)nbought * sizeof(*sorted));
	qsort(sorted, (size_t)nbought, sizeof(*sorted), strings);
	if ((rc = searches(tx, a, shop, customer, sorted, nbought, &in, e)))
		return rc;
	in.bought = bought;
	in.nbought = nbought;
	interests_in(a, interests, ninterests, &in);
	ranking_recommend(a, &in, limit, out, n, more);
	return 0;
}
