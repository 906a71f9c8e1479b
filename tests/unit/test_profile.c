/* Unit tests of core/profile.c: the visibility rule of issue 12, every cell. */
#include <criterion/criterion.h>
#include <string.h>

#include "base/err.h"
#include "core/profile.h"

Test(profile, the_owner_sees_every_visibility)
{
	for (int consent = 0; consent <= 1; consent++) {
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_OWNER, INTEREST_EVERYONE, consent));
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_OWNER, INTEREST_FRIENDS, consent));
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_OWNER, INTEREST_ONLY_ME, consent));
	}
}

Test(profile, a_friend_sees_everyone_and_friends_and_a_stranger_everyone)
{
	for (int consent = 0; consent <= 1; consent++) {
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_FRIEND, INTEREST_EVERYONE, consent));
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_FRIEND, INTEREST_FRIENDS, consent));
		cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_FRIEND, INTEREST_ONLY_ME, consent));
		cr_assert(profile_viewer_sees(PROFILE_VIEWER_PUBLIC, INTEREST_EVERYONE, consent));
		cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_PUBLIC, INTEREST_FRIENDS, consent));
		cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_PUBLIC, INTEREST_ONLY_ME, consent));
	}
}

Test(profile, the_shop_sees_friends_interests_only_with_consent_and_only_me_never)
{
	cr_assert(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_EVERYONE, 0));
	cr_assert(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_EVERYONE, 1));
	cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_FRIENDS, 0));
	cr_assert(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_FRIENDS, 1));
	cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_ONLY_ME, 0));
	cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_SHOP, INTEREST_ONLY_ME, 1));
}

Test(profile, out_of_range_viewers_and_visibilities_see_nothing)
{
	cr_assert_not(profile_viewer_sees((enum profile_viewer)7, INTEREST_EVERYONE, 1));
	cr_assert_not(profile_viewer_sees(PROFILE_VIEWER_OWNER, (enum interest_visibility)3, 1));
	cr_assert_not(profile_viewer_sees((enum profile_viewer)-1, INTEREST_EVERYONE, 1));
}

Test(profile, display_names_are_one_short_line)
{
	struct err e;
	cr_assert_eq(profile_check_display_name("Sofia", &e), 0);
	cr_assert_eq(profile_check_display_name(NULL, &e), 0);
	cr_assert_eq(profile_check_display_name("", &e), ERR_INVALID);
	cr_assert_eq(profile_check_display_name("  \t", &e), ERR_INVALID);
	cr_assert_eq(profile_check_display_name("a\nb", &e), ERR_INVALID);
	cr_assert_str_eq(e.param, "display_name");
	char long_name[82];
	memset(long_name, 'a', 81);
	long_name[81] = '\0';
	cr_assert_eq(profile_check_display_name(long_name, &e), ERR_INVALID);
	long_name[80] = '\0';
	cr_assert_eq(profile_check_display_name(long_name, &e), 0);
}
