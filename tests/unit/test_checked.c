/* Unit tests of base/checked.h (issue 8): overflow is reported, never wrapped,
 * and the claw-back arithmetic stays exact at the documented limits. */
#include <criterion/criterion.h>
#include <stdint.h>

#include "base/checked.h"
#include "core/ledger.h"

Test(checked, sums_and_products_that_fit_are_exact)
{
	int64_t r = 0;
	cr_assert_eq(checked_add(INT64_MAX - 1, 1, &r), 0);
	cr_assert_eq(r, INT64_MAX);
	cr_assert_eq(checked_mul(3037000499LL, 3037000499LL, &r), 0);
	cr_assert_eq(r, 9223372030926249001LL);
	cr_assert_eq(checked_sub(INT64_MIN + 1, 1, &r), 0);
	cr_assert_eq(r, INT64_MIN);
}

Test(checked, overflow_is_reported_and_leaves_the_result_unchanged)
{
	int64_t r = 42, acc = INT64_MAX - 5;
	cr_assert_eq(checked_add(INT64_MAX, 1, &r), 1);
	cr_assert_eq(checked_sub(INT64_MIN, 1, &r), 1);
	cr_assert_eq(checked_mul(92233720368547LL, 1000000LL, &r), 1);
	cr_assert_eq(checked_mul(-2, INT64_MAX, &r), 1);
	cr_assert_eq(r, 42);
	cr_assert_eq(checked_accumulate(&acc, 6), 1);
	cr_assert_eq(acc, INT64_MAX - 5);
	cr_assert_eq(checked_narrow((__int128)INT64_MAX + 1, &r), 1);
	cr_assert_eq(checked_narrow((__int128)INT64_MIN - 1, &r), 1);
	cr_assert_eq(r, 42);
	cr_assert_eq(checked_narrow(-7, &r), 0);
	cr_assert_eq(r, -7);
}

Test(checked, saturating_totals_stop_at_the_ends)
{
	cr_assert_eq(checked_sat_add(INT64_MAX - 1, 5), INT64_MAX);
	cr_assert_eq(checked_sat_add(INT64_MIN + 1, -5), INT64_MIN);
	cr_assert_eq(checked_sat_add(40, 2), 42);
}

Test(checked, claw_back_targets_are_exact_at_the_points_and_amount_limits)
{
	int64_t lp[] = { LEDGER_POINTS_MAX_PER_ORDER }, q[] = { 1000000 }, r[] = { 999999 };
	int64_t paid = 3000000000000000LL;
	cr_assert_eq(ledger_clawback_target(LEDGER_POINTS_MAX_PER_ORDER, lp, q, r, 1, paid, paid - 1, 0),
		     LEDGER_POINTS_MAX_PER_ORDER - 1);
	cr_assert_eq(ledger_clawback_target(LEDGER_POINTS_MAX_PER_ORDER, lp, q, r, 1, paid, paid, 1),
		     LEDGER_POINTS_MAX_PER_ORDER);
}
