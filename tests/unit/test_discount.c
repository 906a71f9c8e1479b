/* Unit tests of core/discount.h (issue 10): which lines a campaign's discount
 * applies to, what each kind takes off, and that the shares always add up. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "core/discount.h"

#define LIST(...) ((struct campaign_list){ (const char *[]){ __VA_ARGS__ }, \
	(int)(sizeof((const char *[]){ __VA_ARGS__ }) / sizeof(const char *)) })
#define NLINES(v) ((int)(sizeof(v) / sizeof((v)[0])))

static struct campaign campaign_of(const char *kind, int64_t value, int64_t max_amount)
{
	struct campaign c;

	memset(&c, 0, sizeof(c));
	c.discount_kind = kind;
	c.discount_value = value;
	c.max_amount = max_amount;
	return c;
}

static struct discount_cart cart_of(const struct discount_line *lines, int n, int64_t shipping)
{
	return (struct discount_cart){ "EUR", "web", lines, n, shipping };
}

static void assert_lines(const struct discount_result *r, const int64_t *want, int n)
{
	int64_t sum = 0;

	for (int i = 0; i < n; i++) {
		cr_assert_eq(r->lines[i], want[i], "line %d: %lld, want %lld", i,
			     (long long)r->lines[i], (long long)want[i]);
		sum += r->lines[i];
	}
	cr_assert_eq(sum + r->shipping, r->total);
}

static const struct discount_line mixed[] = {
	{ "A", "hats", 1, 1000 },
	{ "B", "shoes", 2, 1000 },
	{ "C", "hats", 3, 1000 },
};

Test(discount, percent_applies_to_the_listed_skus_and_categories_only)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("percent", 10, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 0);
	struct discount_result r;

	c.skus = LIST("A");
	c.categories = LIST("shoes");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 100, 200, 0 }, 3);
	cr_assert_eq(r.total, 300);
	cr_assert_eq(r.eligible, 3000);
	cr_assert_eq(r.neligible, 2);
	cr_assert_eq(discount_cart_subtotal(&cart), 6000);
	arena_free(&a);
}

Test(discount, without_include_lists_every_line_but_the_excluded_ones_is_eligible)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("percent", 10, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 0);
	struct discount_result r;

	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 100, 200, 300 }, 3);
	cr_assert_eq(r.neligible, 3);

	c.exclude_categories = LIST("hats");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 0, 200, 0 }, 3);
	cr_assert_eq(r.eligible, 2000);
	arena_free(&a);
}

Test(discount, excludes_win_over_includes)
{
	struct campaign c = campaign_of("percent", 10, 0);

	c.skus = LIST("A", "B");
	c.categories = LIST("hats");
	c.exclude_skus = LIST("A");
	c.exclude_categories = LIST("shoes");
	cr_assert_eq(discount_eligible(&c, &mixed[0]), 0);	/* listed sku, excluded sku */
	cr_assert_eq(discount_eligible(&c, &mixed[1]), 0);	/* listed sku, excluded category */
	cr_assert_eq(discount_eligible(&c, &mixed[2]), 1);	/* listed category */
	cr_assert_eq(discount_eligible(&c, &(struct discount_line){ NULL, NULL, 1, 1 }), 0);
}

Test(discount, percent_floors_each_line_not_the_sum)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("percent", 10, 0);
	const struct discount_line lines[] = { { "A", "x", 1, 999 }, { "B", "x", 1, 999 },
					       { "C", "x", 1, 999 } };
	struct discount_cart cart = cart_of(lines, 3, 0);
	struct discount_result r;

	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 99, 99, 99 }, 3);
	cr_assert_eq(r.total, 297);
	arena_free(&a);
}

Test(discount, max_amount_caps_percent_and_the_lines_still_add_up)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("percent", 50, 1000);
	const struct discount_line lines[] = { { "A", "x", 1, 1000 }, { "B", "x", 1, 2000 },
					       { "C", "x", 1, 3000 } };
	struct discount_cart cart = cart_of(lines, 3, 0);
	struct discount_result r;

	/* 500, 1000, 1500 scaled to 1000: 166.67, 333.33, 500; the unit left
	 * goes to the largest remainder, line 0. */
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 167, 333, 500 }, 3);
	cr_assert_eq(r.total, 1000);

	c.max_amount = 5000;	/* above the discount: no effect */
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 500, 1000, 1500 }, 3);
	arena_free(&a);
}

Test(discount, one_hundred_percent_is_the_eligible_amount)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("percent", 100, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 495);
	struct discount_result r;

	c.exclude_skus = LIST("C");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 1000, 2000, 0 }, 3);
	cr_assert_eq(r.total, r.eligible);
	cr_assert_eq(r.shipping, 0);
	arena_free(&a);
}

Test(discount, fixed_is_spread_in_proportion_over_the_eligible_lines)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("fixed", 600, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 0);
	struct discount_result r;

	c.exclude_skus = LIST("C");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 200, 400, 0 }, 3);
	cr_assert_eq(r.total, 600);
	arena_free(&a);
}

Test(discount, fixed_remainder_ties_go_to_the_earlier_line)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("fixed", 100, 0);
	const struct discount_line lines[] = { { "A", "x", 1, 1000 }, { "B", "x", 1, 1000 },
					       { "C", "x", 1, 1000 } };
	struct discount_cart cart = cart_of(lines, 3, 0);
	struct discount_result r;

	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 34, 33, 33 }, 3);
	c.discount_value = 2;
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 1, 1, 0 }, 3);
	arena_free(&a);
}

Test(discount, fixed_is_capped_at_the_eligible_lines_sum)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("fixed", 5000, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 0);
	struct discount_result r;

	c.categories = LIST("hats");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 1000, 0, 3000 }, 3);
	cr_assert_eq(r.total, 4000);
	cr_assert_eq(r.eligible, 4000);
	arena_free(&a);
}

Test(discount, a_cart_without_eligible_lines_gets_nothing)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("fixed", 500, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 495);
	struct discount_cart empty = cart_of(NULL, 0, 495);
	struct discount_result r;

	c.skus = LIST("Z");
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 0, 0, 0 }, 3);
	cr_assert_eq(r.total, 0);
	cr_assert_eq(r.eligible, 0);
	cr_assert_eq(r.neligible, 0);

	c.discount_kind = "percent";
	c.discount_value = 50;
	discount_apply(&c, &cart, 0, &a, &r);
	cr_assert_eq(r.total, 0);
	discount_apply(&c, &empty, 0, &a, &r);
	cr_assert_eq(r.total, 0);
	cr_assert_eq(discount_cart_subtotal(&empty), 0);
	arena_free(&a);
}

Test(discount, free_shipping_takes_off_the_shipping_up_to_max_amount)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("free_shipping", 0, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 495);
	struct discount_result r;

	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 0, 0, 0 }, 3);
	cr_assert_eq(r.shipping, 495);
	cr_assert_eq(r.total, 495);

	c.max_amount = 300;
	discount_apply(&c, &cart, 0, &a, &r);
	cr_assert_eq(r.shipping, 300);
	cr_assert_eq(r.total, 300);

	cart.shipping = 0;
	discount_apply(&c, &cart, 0, &a, &r);
	cr_assert_eq(r.total, 0);
	arena_free(&a);
}

Test(discount, a_gift_takes_nothing_off)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("gift", 0, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 495);
	struct discount_result r;

	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ 0, 0, 0 }, 3);
	cr_assert_eq(r.total, 0);
	cr_assert_eq(r.shipping, 0);
	cr_assert_eq(r.eligible, 6000);	/* still reported, for min_cart */
	arena_free(&a);
}

Test(discount, the_cap_keeps_shipping_first_then_scales_the_lines_down)
{
	struct arena a = ARENA_INIT;
	struct campaign c = campaign_of("free_shipping", 0, 0);
	struct discount_cart cart = cart_of(mixed, NLINES(mixed), 495);
	struct discount_result r;

	discount_apply(&c, &cart, 200, &a, &r);
	cr_assert_eq(r.shipping, 200);
	cr_assert_eq(r.total, 200);
	discount_apply(&c, &cart, 1000, &a, &r);	/* a cap above the discount */
	cr_assert_eq(r.shipping, 495);

	c = campaign_of("percent", 50, 0);
	discount_apply(&c, &cart, 1000, &a, &r);	/* 500, 1000, 1500 to 1000 */
	assert_lines(&r, (int64_t[]){ 167, 333, 500 }, 3);
	cr_assert_eq(r.total, 1000);

	c = campaign_of("fixed", 3000, 0);
	discount_apply(&c, &cart, 1, &a, &r);
	assert_lines(&r, (int64_t[]){ 0, 0, 1 }, 3);	/* the largest remainder */
	arena_free(&a);
}

Test(discount, large_amounts_do_not_overflow)
{
	struct arena a = ARENA_INIT;
	const int64_t e12 = 1000000000000LL, e15 = 1000000000000000LL, e18 = e12 * 1000000;
	const struct discount_line big[] = { { "A", "x", 1000000, e12 }, { "B", "x", 1000000, e12 },
					     { "C", "x", 1000000, e12 } };
	struct discount_cart cart = cart_of(big, 3, 0);
	struct campaign c = campaign_of("percent", 37, 0);
	struct discount_result r;

	/* 10^18 x 37 passes 2^63: the product is done in 128 bits. */
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ e18 / 100 * 37, e18 / 100 * 37, e18 / 100 * 37 }, 3);
	cr_assert_eq(r.eligible, 3 * e18);

	c = campaign_of("fixed", e18 + 1, 0);
	discount_apply(&c, &cart, 0, &a, &r);
	assert_lines(&r, (int64_t[]){ e18 / 3 + 1, e18 / 3 + 1, e18 / 3 }, 3);

	/* 10^15 x 10^6 passes INT64_MAX: the line is taken as INT64_MAX, the
	 * sums saturate, and the discount still adds up within an int64. */
	const struct discount_line huge[] = { { "A", "x", 1000000, e15 }, { "B", "x", 1000000, e15 } };
	cart = cart_of(huge, 2, 0);
	cr_assert_eq(discount_cart_subtotal(&cart), INT64_MAX);
	c = campaign_of("percent", 100, 0);
	discount_apply(&c, &cart, 0, &a, &r);
	cr_assert_eq(r.eligible, INT64_MAX);
	cr_assert_eq(r.total, INT64_MAX);
	assert_lines(&r, (int64_t[]){ INT64_MAX / 2 + 1, INT64_MAX / 2 }, 2);
	arena_free(&a);
}

/* xorshift64*: a fixed seed, so a failure reproduces. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(uint64_t n)
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return (rnd_state * 0x2545f4914f6cdd1dULL) % n;
}

static const char *const pool[] = { "a", "b", "c", "d" };

static struct campaign_list random_list(const char **buf)
{
	int n = 0;

	for (int i = 0; i < 4; i++)
		if (rnd(4) == 0)
			buf[n++] = pool[i];
	return (struct campaign_list){ buf, n };
}

static int64_t random_amount(void)
{
	switch (rnd(10)) {
	case 0:
		return 0;
	case 1:
		return (int64_t)rnd(1000000) * 1000000;	/* up to 10^12 */
	default:
		return (int64_t)rnd(100000);
	}
}

static int64_t min64(int64_t x, int64_t y)
{
	return x < y ? x : y;
}

Test(discount, random_carts_always_add_up_within_their_amounts_and_the_cap)
{
	static const char *const kind_names[] = { "percent", "fixed", "free_shipping", "gift" };
	struct arena a = ARENA_INIT;

	for (int iter = 0; iter < 5000; iter++) {
		const char *b1[4], *b2[4], *b3[4], *b4[4];
		struct discount_line lines[8];
		int n = (int)rnd(9);
		struct campaign c = campaign_of(kind_names[rnd(4)], 0, 0);
		struct discount_result r;

		c.discount_value = !strcmp(c.discount_kind, "percent") ? 1 + (int64_t)rnd(100) :
				   !strcmp(c.discount_kind, "fixed") ? random_amount() : 0;
		c.max_amount = rnd(3) ? 0 : random_amount();
		c.skus = random_list(b1);
		c.categories = random_list(b2);
		c.exclude_skus = random_list(b3);
		c.exclude_categories = random_list(b4);
		for (int i = 0; i < n; i++)
			lines[i] = (struct discount_line){ pool[rnd(4)], pool[rnd(4)],
							   (int64_t)rnd(1000000) % 7, random_amount() };
		struct discount_cart cart = cart_of(lines, n, (int64_t)rnd(2000));
		int64_t cap = rnd(2) ? 0 : random_amount();

		discount_apply(&c, &cart, cap, &a, &r);

		/* What the kind gives before the cap, computed the plain way. */
		__int128 want = 0, sum = 0, eligible = 0;
		for (int i = 0; i < n; i++) {
			int64_t amount = lines[i].quantity * lines[i].unit_price;
			int64_t share = discount_eligible(&c, &lines[i]) ? amount : 0;
			cr_assert(r.lines[i] >= 0 && r.lines[i] <= share,
				  "iter %d line %d: %lld of %lld", iter, i,
				  (long long)r.lines[i], (long long)share);
			sum += r.lines[i];
			eligible += share;
			if (!strcmp(c.discount_kind, "percent"))
				want += (__int128)share * c.discount_value / 100;
		}
		if (!strcmp(c.discount_kind, "percent") && c.max_amount > 0 && want > c.max_amount)
			want = c.max_amount;
		if (!strcmp(c.discount_kind, "fixed"))
			want = c.discount_value < eligible ? c.discount_value : eligible;
		if (!strcmp(c.discount_kind, "free_shipping"))
			want = c.max_amount > 0 ? min64(cart.shipping, c.max_amount) : cart.shipping;
		if (cap > 0 && want > cap)
			want = cap;

		cr_assert_eq(sum + r.shipping, r.total, "iter %d", iter);
		cr_assert(r.shipping >= 0 && r.shipping <= cart.shipping, "iter %d", iter);
		cr_assert_eq(r.eligible, (int64_t)eligible, "iter %d", iter);
		cr_assert_eq(r.total, (int64_t)want, "iter %d: %lld, want %lld", iter,
			     (long long)r.total, (long long)want);
		cr_assert(cap <= 0 || r.total <= cap, "iter %d", iter);
		arena_free(&a);
	}
}
