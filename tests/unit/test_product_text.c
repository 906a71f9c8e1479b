/* Unit tests of the product text index's folding (core/product_text.h, issue
 * 12): a product's search text and a search's normalised query
 * (core/activity.h) fold alike. */
#include <criterion/criterion.h>
#include <string.h>

#include "core/activity.h"
#include "core/product_text.h"

static struct arena arena;

static void setup(void)
{
	memset(&arena, 0, sizeof(arena));
}

static void teardown(void)
{
	arena_free(&arena);
}

TestSuite(product_text, .init = setup, .fini = teardown);

/* query as activity_check() stores it. */
static const char *normalised(const char *query)
{
	struct activity_event ev = { ACTIVITY_SEARCH, query, ORDER_TIME_MIN_MS };
	struct err e;
	cr_assert_eq(activity_check(&arena, &ev, -1, ORDER_TIME_MIN_MS, &e), 0, "%s", e.message);
	return ev.subject;
}

Test(product_text, the_text_is_sku_name_and_category_folded_one_per_line)
{
	cr_expect_str_eq(product_text_fold(&arena, "PU-ER-1", "Pu'er Ёлка", "Чай ÆØÅ"),
			 "pu-er-1\npu'er ёлка\nчай æøå");
	cr_expect_str_eq(product_text_fold(&arena, "SKU", NULL, "Tea"), "sku\ntea");
	cr_expect_str_eq(product_text_fold(&arena, "SKU", "", NULL), "sku");
}

Test(product_text, a_query_and_a_text_fold_alike_in_every_script)
{
	static const char *const names[] = { "Pu'er Ёлка", "ΣΟΦΊΑ Tea", "Ⱥ pot", "ÇAY Bardağı" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *text = product_text_fold(&arena, "X", names[i], NULL);
		const char *query = normalised(names[i]);
		cr_expect(strstr(text, query) != NULL, "%s: \"%s\" not in \"%s\"", names[i], query,
			  text);
	}
}
