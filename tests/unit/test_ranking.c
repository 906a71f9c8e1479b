/* Unit tests of the recommendations' ranking (analytics/ranking.h, issue 12). */
#include <criterion/criterion.h>
#include <string.h>

#include "analytics/ranking.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
/* A source without text matches. */
#define SRC(name, items, n) { name, items, n, NULL, 0 }

static struct arena arena;

static void setup(void)
{
	memset(&arena, 0, sizeof(arena));
}

static void teardown(void)
{
	arena_free(&arena);
}

TestSuite(ranking, .init = setup, .fini = teardown);

struct ranked {
	struct ranking_item *items;
	int n, more;
};

static struct ranked rank(const struct ranking_input *in, int limit)
{
	struct ranked r;
	ranking_recommend(&arena, in, limit, &r.items, &r.n, &r.more);
	return r;
}

static void expect(const struct ranking_item *it, const char *sku, enum ranking_reason reason,
		   const char *because, int64_t score)
{
	cr_expect_str_eq(it->sku, sku);
	cr_expect_eq(it->reason, reason, "%s: reason %d", sku, it->reason);
	cr_expect_str_eq(it->because, because, "%s: because %s", sku, it->because);
	cr_expect_eq(it->score, score, "%s: score %lld", sku, (long long)it->score);
}

Test(ranking, nothing_in_gives_nothing_out)
{
	struct ranking_input in = { 0 };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 0);
	cr_assert_eq(r.more, 0);
}

Test(ranking, counts_add_up_over_the_bought_skus_and_the_largest_names_the_reason)
{
	static const struct ranking_count tea[] = { { "CUP", 3 }, { "POT", 5 } };
	static const struct ranking_count cup[] = { { "POT", 1 }, { "SPOON", 4 } };
	const struct ranking_source seeds[] = { SRC("TEA", tea, 2), SRC("CUP", cup, 2) };
	const char *bought[] = { "TEA", "CUP" };
	struct ranking_input in = { .bought = bought, .nbought = 2,
				    .sources = { [RANKING_BOUGHT_TOGETHER] = seeds },
				    .nsources = { [RANKING_BOUGHT_TOGETHER] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 2);	/* CUP is bought: never a candidate */
	expect(&r.items[0], "POT", RANKING_BOUGHT_TOGETHER, "TEA", 6);
	expect(&r.items[1], "SPOON", RANKING_BOUGHT_TOGETHER, "CUP", 4);
}

Test(ranking, a_tie_of_score_goes_to_the_earlier_source_then_to_the_sku)
{
	static const struct ranking_count recent[] = { { "B", 2 }, { "Z", 2 } };
	static const struct ranking_count older[] = { { "A", 2 } };
	const struct ranking_source seeds[] = { SRC("NEW", recent, 2), SRC("OLD", older, 1) };
	struct ranking_input in = { .sources = { [RANKING_BOUGHT_TOGETHER] = seeds },
				    .nsources = { [RANKING_BOUGHT_TOGETHER] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 3);
	expect(&r.items[0], "B", RANKING_BOUGHT_TOGETHER, "NEW", 2);
	expect(&r.items[1], "Z", RANKING_BOUGHT_TOGETHER, "NEW", 2);
	expect(&r.items[2], "A", RANKING_BOUGHT_TOGETHER, "OLD", 2);
}

Test(ranking, a_tie_of_count_for_because_goes_to_the_earlier_source)
{
	static const struct ranking_count a[] = { { "X", 2 } };
	static const struct ranking_count b[] = { { "X", 2 } };
	const struct ranking_source q[] = { SRC("recent query", a, 1), SRC("older query", b, 1) };
	struct ranking_input in = { .sources = { [RANKING_MATCHES_SEARCH] = q },
				    .nsources = { [RANKING_MATCHES_SEARCH] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 1);
	expect(&r.items[0], "X", RANKING_MATCHES_SEARCH, "recent query", 4);
}

Test(ranking, the_reasons_take_turns_and_a_sku_is_listed_once)
{
	static const struct ranking_count bt[] = { { "P1", 9 }, { "BOTH", 8 }, { "P2", 1 } };
	static const struct ranking_count ms[] = { { "BOTH", 50 }, { "Q1", 3 } };
	const struct ranking_source seeds[] = { SRC("BASE", bt, 3) };
	const struct ranking_source queries[] = { SRC("kettle", ms, 2) };
	static const struct ranking_count ic[] = { { "I1", 1 }, { "P1", 1 } };
	const struct ranking_source interests[] = { SRC("green-tea", ic, 2) };
	struct ranking_input in = {
		.sources = { seeds, queries, interests }, .nsources = { 1, 1, 1 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 5);
	expect(&r.items[0], "P1", RANKING_BOUGHT_TOGETHER, "BASE", 9);
	expect(&r.items[1], "BOTH", RANKING_MATCHES_SEARCH, "kettle", 50);
	expect(&r.items[2], "I1", RANKING_MATCHES_INTEREST, "green-tea", 1);
	expect(&r.items[3], "P2", RANKING_BOUGHT_TOGETHER, "BASE", 1);	/* BOTH is taken */
	expect(&r.items[4], "Q1", RANKING_MATCHES_SEARCH, "kettle", 3);
	cr_assert_eq(r.more, 0);
}

Test(ranking, limit_cuts_the_list_and_says_there_was_more)
{
	static const struct ranking_count c[] = { { "A", 3 }, { "B", 2 }, { "C", 1 } };
	const struct ranking_source s[] = { SRC("q", c, 3) };
	struct ranking_input in = { .sources = { [RANKING_MATCHES_SEARCH] = s },
				    .nsources = { [RANKING_MATCHES_SEARCH] = 1 } };
	struct ranked r = rank(&in, 2);
	cr_assert_eq(r.n, 2);
	cr_assert_eq(r.more, 1);
	cr_expect_str_eq(r.items[1].sku, "B");
	r = rank(&in, 3);
	cr_assert_eq(r.n, 3);
	cr_assert_eq(r.more, 0);
}

Test(ranking, interests_count_one_per_interest_whatever_the_count_given)
{
	static const struct ranking_count tea[] = { { "SENCHA", 100 }, { "MAT", 1 } };
	static const struct ranking_count yoga[] = { { "MAT", 1 } };
	const struct ranking_source s[] = { SRC("green-tea", tea, 2), SRC("yoga", yoga, 1) };
	struct ranking_input in = { .sources = { [RANKING_MATCHES_INTEREST] = s },
				    .nsources = { [RANKING_MATCHES_INTEREST] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 2);
	expect(&r.items[0], "MAT", RANKING_MATCHES_INTEREST, "green-tea", 2);
	expect(&r.items[1], "SENCHA", RANKING_MATCHES_INTEREST, "green-tea", 1);
}

Test(ranking, bought_skus_are_excluded_from_every_reason)
{
	static const struct ranking_count c[] = { { "OWNED", 5 }, { "NEW", 1 } };
	const struct ranking_source s[] = { SRC("x", c, 2) };
	const char *bought[] = { "ZZZ", "OWNED", "AAA" };	/* any order */
	struct ranking_input in = { .bought = bought, .nbought = N(bought),
				    .sources = { s, s, s }, .nsources = { 1, 1, 1 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 1);
	cr_expect_str_eq(r.items[0].sku, "NEW");
}

Test(ranking, a_huge_count_saturates_instead_of_overflowing)
{
	static const struct ranking_count a[] = { { "X", INT64_MAX - 1 } };
	static const struct ranking_count b[] = { { "X", 5 } };
	const struct ranking_source s[] = { SRC("s1", a, 1), SRC("s2", b, 1) };
	struct ranking_input in = { .sources = { [RANKING_BOUGHT_TOGETHER] = s },
				    .nsources = { [RANKING_BOUGHT_TOGETHER] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.items[0].score, INT64_MAX);
}

Test(ranking, the_same_input_in_another_source_order_of_items_ranks_the_same)
{
	static const struct ranking_count one[] = { { "C", 2 }, { "A", 2 }, { "B", 3 } };
	static const struct ranking_count two[] = { { "B", 3 }, { "C", 2 }, { "A", 2 } };
	const struct ranking_source s1[] = { SRC("q", one, 3) }, s2[] = { SRC("q", two, 3) };
	struct ranking_input i1 = { .sources = { [RANKING_MATCHES_SEARCH] = s1 },
				    .nsources = { [RANKING_MATCHES_SEARCH] = 1 } };
	struct ranking_input i2 = i1;
	i2.sources[RANKING_MATCHES_SEARCH] = s2;
	struct ranked r1 = rank(&i1, 10), r2 = rank(&i2, 10);
	cr_assert_eq(r1.n, 3);
	cr_assert_eq(r2.n, 3);
	for (int i = 0; i < 3; i++)
		cr_expect_str_eq(r1.items[i].sku, r2.items[i].sku);
	cr_expect_str_eq(r1.items[0].sku, "B");
	cr_expect_str_eq(r1.items[1].sku, "A");
}

Test(ranking, text_matches_rank_after_every_item_by_popularity_then_source_then_sku)
{
	static const struct ranking_count learnt[] = { { "LEARNT", 1 } };
	static const struct ranking_count text1[] = { { "POPULAR", 9 }, { "LEARNT", 50 },
						      { "BOUGHT", 99 }, { "TIE-B", 2 } };
	static const struct ranking_count text2[] = { { "TIE-A", 2 }, { "OLDER", 3 } };
	const struct ranking_source q[] = { { "tea", learnt, 1, text1, 4 },
					    { "green", NULL, 0, text2, 2 } };
	const char *bought[] = { "BOUGHT" };
	struct ranking_input in = { .bought = bought, .nbought = 1,
				    .sources = { [RANKING_MATCHES_SEARCH] = q },
				    .nsources = { [RANKING_MATCHES_SEARCH] = 2 } };
	struct ranked r = rank(&in, 10);
	cr_assert_eq(r.n, 5);
	/* An item stays an item with its own count, whatever text matches it. */
	expect(&r.items[0], "LEARNT", RANKING_MATCHES_SEARCH, "tea", 1);
	expect(&r.items[1], "POPULAR", RANKING_MATCHES_SEARCH, "tea", 9);
	expect(&r.items[2], "OLDER", RANKING_MATCHES_SEARCH, "green", 3);
	/* Equal popularity: the earlier query first, then the SKU. */
	expect(&r.items[3], "TIE-B", RANKING_MATCHES_SEARCH, "tea", 2);
	expect(&r.items[4], "TIE-A", RANKING_MATCHES_SEARCH, "green", 2);
}

Test(ranking, a_text_match_of_two_queries_adds_up_and_names_the_larger)
{
	static const struct ranking_count text1[] = { { "POT", 4 } };
	static const struct ranking_count text2[] = { { "POT", 4 }, { "CUP", 7 } };
	const struct ranking_source q[] = { { "pot", NULL, 0, text1, 1 },
					    { "clay pot", NULL, 0, text2, 2 } };
	struct ranking_input in = { .sources = { [RANKING_MATCHES_SEARCH] = q },
				    .nsources = { [RANKING_MATCHES_SEARCH] = 2 } };
	struct ranked r = rank(&in, 1);
	cr_assert_eq(r.n, 1);
	cr_expect_eq(r.more, 1);
	expect(&r.items[0], "POT", RANKING_MATCHES_SEARCH, "pot", 8);
}
