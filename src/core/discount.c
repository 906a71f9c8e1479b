/*
 * discount.c: what a campaign's discount takes off a cart; see discount.h
 * for the contract.
 *
 * Arithmetic: a line's amount is quantity x unit_price done in 128 bits; a
 * product past INT64_MAX is taken as INT64_MAX (callers bound both factors,
 * so this is a defence, never a normal path), and a negative or zero
 * quantity or price is an amount of 0. Sums over lines are 128-bit; the
 * subtotal and the eligible amount saturate at INT64_MAX. The discount
 * itself never passes INT64_MAX: a total past it is trimmed exactly like a
 * cap of INT64_MAX, so out->total always equals the lines plus shipping.
 *
 * Every split (fixed spread, max_amount, cap) is one largest-remainder
 * allocation: share_i = floor(T x w_i / W), then the units left go one each
 * to the largest remainders, ties to the earlier line. With T <= W every
 * share is at most its weight, and a zero weight gets nothing.
 *
 * Owns nothing: out->lines and scratch live in the caller's arena.
 */
#include "discount.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* campaign_list_has lives in campaign.c; this file keeps its own so it links
 * (and is unit-tested) without the store-backed campaign code. */
static int list_has(const struct campaign_list *l, const char *v)
{
	if (!v)
		return 0;
	for (int i = 0; i < l->n; i++)
		if (l->v[i] && !strcmp(l->v[i], v))
			return 1;
	return 0;
}

static int64_t clamp64(__int128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	return v < 0 ? 0 : (int64_t)v;
}

static int64_t line_amount(const struct discount_line *l)
{
	if (l->quantity <= 0 || l->unit_price <= 0)
		return 0;
	return clamp64((__int128)l->quantity * l->unit_price);
}

int discount_eligible(const struct campaign *c, const struct discount_line *l)
{
	if (list_has(&c->exclude_skus, l->sku) || list_has(&c->exclude_categories, l->category))
		return 0;
	if (c->skus.n == 0 && c->categories.n == 0)
		return 1;
	return list_has(&c->skus, l->sku) || list_has(&c->categories, l->category);
}

int64_t discount_cart_subtotal(const struct discount_cart *cart)
{
	__int128 sum = 0;

	for (int i = 0; i < cart->nlines; i++)
		sum += line_amount(&cart->lines[i]);
	return clamp64(sum);
}

struct remainder {
	__int128 rem;
	int idx;
};

/* Largest remainder first; ties to the earlier line. */
static int remainder_cmp(const void *pa, const void *pb)
{
	const struct remainder *a = pa, *b = pb;

	if (a->rem != b->rem)
		return a->rem > b->rem ? -1 : 1;
	return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Splits total (0 <= total <= the weights' sum) over n lines in proportion
 * to w (each >= 0) into out, adding up to total exactly. */
static void allocate(struct arena *a, int64_t total, const int64_t *w, int n, int64_t *out)
{
	__int128 sum = 0, given = 0;
	struct remainder *r;
	int nr = 0;

	for (int i = 0; i < n; i++)
		sum += w[i];
	assert(total >= 0 && (__int128)total <= sum);
	if (total == 0 || sum == 0) {
		memset(out, 0, (size_t)n * sizeof(*out));
		return;
	}
	r = arena_alloc(a, (size_t)n * sizeof(*r));
	for (int i = 0; i < n; i++) {
		__int128 p = (__int128)total * w[i];
		out[i] = (int64_t)(p / sum);
		given += out[i];
		if (p % sum)
			r[nr++] = (struct remainder){ p % sum, i };
	}
	/* The units left are the remainders' sum over sum: fewer than nr. */
	qsort(r, (size_t)nr, sizeof(*r), remainder_cmp);
	for (int k = 0; given < total; k++, given++) {
		assert(k < nr);
		out[r[k].idx]++;
	}
}

static __int128 lines_sum(const int64_t *v, int n)
{
	__int128 s = 0;

	for (int i = 0; i < n; i++)
		s += v[i];
	return s;
}

/* What one kind computes: lines (in out->lines, zeroed) and shipping. */
struct kind_ctx {
	const struct campaign *c;
	const struct discount_cart *cart;
	const int64_t *eligible;	/* amount of eligible lines, 0 for others */
	struct arena *a;
	struct discount_result *out;
};

static void kind_percent(struct kind_ctx *k)
{
	int64_t value = k->c->discount_value, max = k->c->max_amount;
	int n = k->cart->nlines;

	if (value <= 0)
		return;
	if (value > 100)
		value = 100;
	for (int i = 0; i < n; i++)
		k->out->lines[i] = (int64_t)((__int128)k->eligible[i] * value / 100);
	if (max > 0 && lines_sum(k->out->lines, n) > max) {
		int64_t *w = arena_alloc(k->a, (size_t)n * sizeof(*w));
		memcpy(w, k->out->lines, (size_t)n * sizeof(*w));
		allocate(k->a, max, w, n, k->out->lines);
	}
}

static void kind_fixed(struct kind_ctx *k)
{
	int n = k->cart->nlines;
	__int128 sum = lines_sum(k->eligible, n);
	int64_t value = k->c->discount_value;

	if (value <= 0)
		return;
	if ((__int128)value > sum)
		value = (int64_t)sum;
	allocate(k->a, value, k->eligible, n, k->out->lines);
}

static void kind_free_shipping(struct kind_ctx *k)
{
	int64_t s = k->cart->shipping > 0 ? k->cart->shipping : 0;

	if (k->c->max_amount > 0 && s > k->c->max_amount)
		s = k->c->max_amount;
	k->out->shipping = s;
}

static void kind_gift(struct kind_ctx *k)
{
	(void)k;
}

static const struct {
	const char *kind;
	void (*apply)(struct kind_ctx *k);
} kinds[] = {
	{ "percent", kind_percent },
	{ "fixed", kind_fixed },
	{ "free_shipping", kind_free_shipping },
	{ "gift", kind_gift },
};

/* Limits lines plus shipping to cap: shipping kept first, then the lines
 * scaled down to what is left with the same allocation. */
static void trim(struct arena *a, int64_t cap, int n, struct discount_result *out)
{
	__int128 lines = lines_sum(out->lines, n);
	int64_t *w;

	if (lines + out->shipping <= cap)
		return;
	if (out->shipping >= cap) {
		out->shipping = cap;
		memset(out->lines, 0, (size_t)n * sizeof(*out->lines));
		return;
	}
	w = arena_alloc(a, (size_t)n * sizeof(*w));
	memcpy(w, out->lines, (size_t)n * sizeof(*w));
	allocate(a, cap - out->shipping, w, n, out->lines);
}

void discount_apply(const struct campaign *c, const struct discount_cart *cart, int64_t cap,
		    struct arena *a, struct discount_result *out)
{
	int n = cart->nlines > 0 ? cart->nlines : 0;
	int64_t *eligible = arena_alloc(a, (size_t)n * sizeof(*eligible));
	__int128 esum = 0;

	memset(out, 0, sizeof(*out));
	out->lines = arena_alloc(a, (size_t)n * sizeof(*out->lines));
	for (int i = 0; i < n; i++) {
		if (!discount_eligible(c, &cart->lines[i]))
			continue;
		eligible[i] = line_amount(&cart->lines[i]);
		esum += eligible[i];
		out->neligible++;
	}
	out->eligible = clamp64(esum);

	struct kind_ctx k = { c, cart, eligible, a, out };
	for (size_t i = 0; c->discount_kind && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (!strcmp(kinds[i].kind, c->discount_kind)) {
			kinds[i].apply(&k);
			break;
		}
	}

	/* cap <= 0 is no cap; INT64_MAX keeps the total in an int64. */
	trim(a, cap > 0 ? cap : INT64_MAX, n, out);
	out->total = (int64_t)(lines_sum(out->lines, n) + out->shipping);
}
