/* product_text.c: the product text index; see product_text.h. */
#include "product_text.h"

#include <stdlib.h>
#include <string.h>

#include "../base/casemap.h"

/* s lower-cased into w (room for 3 bytes a byte); the bytes as they are
 * when they are not UTF-8 (never from the API: JSON strings are). */
static char *fold_into(char *w, const char *s)
{
	size_t n = strlen(s), cap = n * 3 + 1;
	long len = casemap_lower_utf8(s, n, w, cap);
	if (len < 0) {
		memcpy(w, s, n + 1);
		len = (long)n;
	}
	return w + len;
}

const char *product_text_fold(struct arena *a, const char *sku, const char *name,
			      const char *category)
{
	const char *parts[3] = { sku, name, category };
	size_t cap = 1;
	for (int i = 0; i < 3; i++)
		cap += parts[i] ? strlen(parts[i]) * 3 + 1 : 0;
	char *out = arena_alloc(a, cap), *w = out;
	*w = 0;
	for (int i = 0; i < 3; i++) {
		if (!parts[i] || !*parts[i])
			continue;
		if (w > out)
			*w++ = '\n';
		w = fold_into(w, parts[i]);
	}
	*w = 0;
	return out;
}

struct sku_text {
	const char *sku, *name, *category;
	int position;
};

static int by_sku_then_position(const void *x, const void *y)
{
	const struct sku_text *a = x, *b = y;
	int c = strcmp(a->sku, b->sku);
	return c ? c : (a->position > b->position) - (a->position < b->position);
}

/* o's distinct SKUs in SKU order, each with the name and category of its
 * last line that has one. */
static struct sku_text *order_texts(struct arena *a, const struct order *o, int *n)
{
	struct sku_text *v = arena_alloc(a, (size_t)(o->nlines + 1) * sizeof(*v));
	int k = 0;
	for (int i = 0; i < o->nlines; i++)
		v[i] = (struct sku_text){ o->lines[i].sku, o->lines[i].name, o->lines[i].category,
					  o->lines[i].position };
	qsort(v, (size_t)o->nlines, sizeof(*v), by_sku_then_position);
	for (int i = 0; i < o->nlines; i++) {
		if (k && !strcmp(v[k - 1].sku, v[i].sku)) {
			if (v[i].name && *v[i].name)
				v[k - 1].name = v[i].name;
			if (v[i].category && *v[i].category)
				v[k - 1].category = v[i].category;
			continue;
		}
		v[k++] = v[i];
	}
	*n = k;
	return v;
}

/* One order more for t: its name and category replace the stored ones (those
 * it lacks are kept), the text refolded. */
static int add_one(struct store_tx *tx, struct arena *a, const char *shop, struct sku_text *t,
		   struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT name, category FROM product_text WHERE shop_id = $1 AND sku = $2",
		"ss", shop, t->sku);
	int rc;
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1) {
		if ((!t->name || !*t->name) && !store_is_null(st, 0))
			t->name = arena_strdup(a, store_text(st, 0));
		if ((!t->category || !*t->category) && !store_is_null(st, 1))
			t->category = arena_strdup(a, store_text(st, 1));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	const char *name = t->name && *t->name ? t->name : NULL;
	const char *category = t->category && *t->category ? t->category : NULL;
	rc = store_exec(tx, e,
		"INSERT INTO product_text (shop_id, sku, name, category, search_text, orders)"
		" VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (shop_id, sku) DO UPDATE SET"
		" name = excluded.name, category = excluded.category,"
		" search_text = excluded.search_text, orders = product_text.orders + 1",
		"sssss", shop, t->sku, name, category,
		product_text_fold(a, t->sku, name, category));
	return rc < 0 ? rc : 0;
}

static int remove_one(struct store_tx *tx, const char *shop, const char *sku, struct err *e)
{
	int rc = store_exec(tx, e,
		"UPDATE product_text SET orders = orders - 1 WHERE shop_id = $1 AND sku = $2"
		" AND orders > 1", "ss", shop, sku);
	if (rc == 0)
		rc = store_exec(tx, e, "DELETE FROM product_text WHERE shop_id = $1 AND sku = $2",
				"ss", shop, sku);
	return rc < 0 ? rc : 0;
}

/* Rows are written in SKU order, so that concurrent payments on PostgreSQL
 * lock them in one order (as core/copurchase.c does). */
int product_text_on_order_paid(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct order *o, struct err *e)
{
	int n, rc = 0;
	struct sku_text *t = order_texts(a, o, &n);
	for (int i = 0; !rc && i < n; i++)
		rc = add_one(tx, a, shop, &t[i], e);
	return rc;
}

int product_text_on_order_refunded(struct store_tx *tx, struct arena *a, const char *shop,
				   const struct order *o, struct err *e)
{
	int n, rc = 0;
	struct sku_text *t = order_texts(a, o, &n);
	for (int i = 0; !rc && i < n; i++)
		rc = remove_one(tx, shop, t[i].sku, e);
	return rc;
}

/* word as a LIKE pattern that finds it anywhere, literally. */
static const char *contains_pattern(struct arena *a, const char *word, size_t len)
{
	char *p = arena_alloc(a, len * 2 + 3), *w = p;
	*w++ = '%';
	for (size_t i = 0; i < len; i++) {
		if (word[i] == '%' || word[i] == '_' || word[i] == '\\')
			*w++ = '\\';
		*w++ = word[i];
	}
	*w++ = '%';
	*w = 0;
	return p;
}

static int strings(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Every word of query (split at spaces) is in text. */
static int has_words(const char *text, const char *query, struct arena *a)
{
	for (const char *p = query; *p;) {
		size_t len = strcspn(p, " ");
		if (len) {
			char *word = arena_alloc(a, len + 1);
			memcpy(word, p, len);
			word[len] = 0;
			if (!strstr(text, word))
				return 0;
		}
		p += len;
		while (*p == ' ')
			p++;
	}
	return 1;
}

int product_text_match(struct store_tx *tx, struct arena *a, const char *shop, const char *query,
		       const char *const *skip, int nskip, int max,
		       struct product_text_hit **out, int *n, struct err *e)
{
	const char *like[PRODUCT_TEXT_WORDS_SQL];
	int words = 0, rc = 0;
	for (const char *p = query; *p;) {
		size_t len = strcspn(p, " ");
		if (len && words < PRODUCT_TEXT_WORDS_SQL)
			like[words] = contains_pattern(a, p, len);
		words += len > 0;
		p += len;
		while (*p == ' ')
			p++;
	}
	for (int i = words; i < PRODUCT_TEXT_WORDS_SQL; i++)
		like[i] = "%";
	/* Past the words the store matches, the rest are checked here, and
	 * those rows may fail: then no bound but the shop's products. */
	int64_t limit = words > PRODUCT_TEXT_WORDS_SQL ? INT32_MAX : (int64_t)max + nskip;
	*n = 0;
	*out = arena_alloc(a, (size_t)(max > 0 ? max : 1) * sizeof(**out));
	struct store_stmt *st = store_query(tx, e,
		"SELECT sku, orders, search_text FROM product_text WHERE shop_id = $1"
		" AND search_text LIKE $2 ESCAPE '\\' AND search_text LIKE $3 ESCAPE '\\'"
		" AND search_text LIKE $4 ESCAPE '\\' AND search_text LIKE $5 ESCAPE '\\'"
		" AND search_text LIKE $6 ESCAPE '\\' AND search_text LIKE $7 ESCAPE '\\'"
		" AND search_text LIKE $8 ESCAPE '\\' AND search_text LIKE $9 ESCAPE '\\'"
		" ORDER BY orders DESC, sku LIMIT $10",
		"sssssssssi", shop, like[0], like[1], like[2], like[3], like[4], like[5], like[6],
		like[7], limit);
	if (!st)
		return e->kind;
	while (*n < max && (rc = store_step(st, e)) == 1) {
		const char *sku = store_text(st, 0);
		if (nskip > 0 && bsearch(&sku, skip, (size_t)nskip, sizeof(*skip), strings))
			continue;
		if (words > PRODUCT_TEXT_WORDS_SQL && !has_words(store_text(st, 2), query, a))
			continue;
		(*out)[(*n)++] = (struct product_text_hit){ arena_strdup(a, sku), store_int(st, 1) };
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}
