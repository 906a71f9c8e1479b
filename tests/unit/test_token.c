/* The shape of the shop-signed tokens (core/token.h token_parts): treasure
 * spots, surveys and unsubscribe links share it; the MAC is the caller's. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "core/token.h"

#define SHOP "shop_01ABCDEFGHJKMNPQ"
#define CUS "cus_01ABCDEFGHJKMNPQ"

Test(token, a_well_shaped_token_gives_its_shop_and_id)
{
	char shop[ID_MAX], id[ID_MAX];
	cr_assert(token_parts("eut_" SHOP "." CUS ".00ff", "eut_", "cus_", shop, id));
	cr_assert_str_eq(shop, SHOP);
	cr_assert_str_eq(id, CUS);
}

Test(token, another_kind_a_missing_part_or_a_bad_id_is_no_token)
{
	char shop[ID_MAX], id[ID_MAX];
	static const char *const bad[] = {
		"tsp_" SHOP "." CUS ".00ff",	/* another kind's prefix */
		"eut_" SHOP "." CUS,		/* no mac */
		"eut_" SHOP,			/* nothing after the shop */
		"eut_shop_x." CUS ".00ff",	/* not a shop id */
		"eut_" SHOP ".spt_01ABCDEFGHJKMNPQ.00ff",	/* an id of another prefix */
		"eut_" SHOP ".." ".00ff",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(!token_parts(bad[i], "eut_", "cus_", shop, id), "%s", bad[i]);
	char longer[TOKEN_MAX + 64];
	memset(longer, 'f', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	memcpy(longer, "eut_" SHOP "." CUS ".", strlen("eut_" SHOP "." CUS "."));
	cr_assert(!token_parts(longer, "eut_", "cus_", shop, id), "longer than TOKEN_MAX");
}
