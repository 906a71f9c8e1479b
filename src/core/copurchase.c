/* copurchase.c: the co-purchase counts; see copurchase.h. */
#include "copurchase.h"

#include <stdlib.h>
#include <string.h>

#include "product_text.h"

struct sku_value {
	const char *sku;
	int64_t value;
};

static int by_sku(const void *x, const void *y)
{
	return strcmp(((const struct sku_value *)x)->sku, ((const struct sku_value *)y)->sku);
}

static int by_value_then_sku(const void *x, const void *y)
{
	const struct sku_value *a = x, *b = y;
	if (a->value != b->value)
		return a->value > b->value ? -1 : 1;
	return strcmp(a->sku, b->sku);
}

static int strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

void copurchase_order_skus(struct arena *a, const struct order *o, const char ***skus, int *n)
{
	struct sku_value *v = arena_alloc(a, (size_t)(o->nlines + 1) * sizeof(*v));
	int distinct = 0;
	for (int i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		/* Bounded by the order's checks (ORDER_AMOUNT_MAX per line). */
		v[i] = (struct sku_value){ l->sku, l->quantity * l->unit_price - l->discount };
	}
	qsort(v, (size_t)o->nlines, sizeof(*v), by_sku);
	for (int i = 0; i < o->nlines; i++) {
		if (distinct && !strcmp(v[distinct - 1].sku, v[i].sku))
			v[distinct - 1].value += v[i].value;
		else
			v[distinct++] = v[i];
	}
	qsort(v, (size_t)distinct, sizeof(*v), by_value_then_sku);
	*n = distinct < COPURCHASE_SKUS_MAX ? distinct : COPURCHASE_SKUS_MAX;
	*skus = arena_alloc(a, (size_t)(*n + 1) * sizeof(**skus));
	for (int i = 0; i < *n; i++)
		(*skus)[i] = v[i].sku;
	qsort(*skus, (size_t)*n, sizeof(**skus), strings);
}

static int add_pair(struct store_tx *tx, const char *shop, const char *sku, const char *partner,
		    struct err *e)
{
	int rc = store_exec(tx, e,
		"INSERT INTO copurchase (shop_id, sku, partner, orders) VALUES ($1, $2, $3, 1)"
		" ON CONFLICT (shop_id, sku, partner) DO UPDATE SET orders = copurchase.orders + 1",
		"sss", shop, sku, partner);
	return rc < 0 ? rc : 0;
}

static int remove_pair(struct store_tx *tx, const char *shop, const char *sku,
		       const char *partner, struct err *e)
{
	int rc = store_exec(tx, e,
		"UPDATE copurchase SET orders = orders - 1 WHERE shop_id = $1 AND sku = $2"
		" AND partner = $3 AND orders > 1", "sss", shop, sku, partner);
	if (rc == 0)
		rc = store_exec(tx, e,
			"DELETE FROM copurchase WHERE shop_id = $1 AND sku = $2 AND partner = $3",
			"sss", shop, sku, partner);
	return rc < 0 ? rc : 0;
}

/* Every ordered pair of distinct skus (sorted), in (sku, partner) order. */
static int each_pair(struct store_tx *tx, const char *shop, const char **skus, int n,
		     int (*fn)(struct store_tx *, const char *, const char *, const char *,
			       struct err *), struct err *e)
{
	int rc = 0;
	for (int i = 0; !rc && i < n; i++)
		for (int j = 0; !rc && j < n; j++)
			if (i != j)
				rc = fn(tx, shop, skus[i], skus[j], e);
	return rc;
}

int copurchase_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			     const struct order *o, struct err *e)
{
	const char **skus;
	int n, rc;
	copurchase_order_skus(a, o, &skus, &n);
	if (n < 1)
		return 0;
	rc = store_exec(tx, e,
		"INSERT INTO copurchase_orders (shop_id, order_id, skus, texts) VALUES ($1, $2, $3, 1)"
		" ON CONFLICT DO NOTHING", "ssi", shop, o->id, (int64_t)n);
	if (rc <= 0)	/* counted already, or an error */
		return rc;
	if ((rc = each_pair(tx, shop, skus, n, add_pair, e)))
		return rc;
	return product_text_on_order_paid(tx, a, shop, o, e);
}

int copurchase_on_order_refunded(struct store_tx *tx, struct arena *a, const char *shop,
				 const struct order *o, struct err *e)
{
	const char **skus;
	int64_t texts;
	int n, rc = store_query_int(tx, e, &texts,
		"SELECT texts FROM copurchase_orders WHERE shop_id = $1 AND order_id = $2",
		"ss", shop, o->id);
	if (rc || (rc = store_exec(tx, e,
		"DELETE FROM copurchase_orders WHERE shop_id = $1 AND order_id = $2",
		"ss", shop, o->id)) <= 0)	/* not counted (paid before 018, one SKU), or an error */
		return rc;
	copurchase_order_skus(a, o, &skus, &n);
	if ((rc = each_pair(tx, shop, skus, n, remove_pair, e)))
		return rc;
	return texts ? product_text_on_order_refunded(tx, a, shop, o, e) : 0;
}
