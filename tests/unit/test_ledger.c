/* Unit tests of the ledger's claw-back arithmetic: rounding never creates or
 * destroys points, whatever the order of partial refunds. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "core/ledger.h"

static uint64_t state = 12345;

static int64_t rnd(int64_t n)
{
	state = state * 6364136223846793005ull + 1442695040888963407ull;
	return (int64_t)((state >> 33) % (uint64_t)n);
}

Test(ledger_clawback, a_full_refund_takes_everything_and_nothing_more)
{
	int64_t lp[] = { 7, 3 }, q[] = { 3, 1 }, r[] = { 0, 0 };
	cr_assert_eq(ledger_clawback_target(10, lp, q, r, 2, 1000, 1000, 1), 10);
	cr_assert_eq(ledger_clawback_target(10, lp, q, r, 2, 1000, 0, 0), 0);
}

Test(ledger_clawback, line_refunds_take_the_floor_of_each_lines_share)
{
	int64_t lp[] = { 10 }, q[] = { 3 }, r[] = { 1 };
	cr_assert_eq(ledger_clawback_target(10, lp, q, r, 1, 3000, 1000, 0), 3);
	r[0] = 2;
	cr_assert_eq(ledger_clawback_target(10, lp, q, r, 1, 3000, 2000, 0), 6);
	r[0] = 3;
	cr_assert_eq(ledger_clawback_target(10, lp, q, r, 1, 3000, 3000, 1), 10);
}

Test(ledger_clawback, partial_refunds_in_any_order_never_take_more_than_one_refund_of_the_total)
{
	/* Random orders refunded in random steps: the target only grows, never
	 * exceeds the points, and ends at the points exactly when fully refunded. */
	for (int trial = 0; trial < 20000; trial++) {
		int n = 1 + (int)rnd(4);
		int64_t lp[4], q[4], r[4] = { 0 }, price[4], points = 0, paid = 0, refunded = 0, last = 0;
		for (int i = 0; i < n; i++) {
			q[i] = 1 + rnd(5);
			price[i] = 1 + rnd(5000);
			lp[i] = q[i] * price[i] * (100 + rnd(200)) / 10000;
			points += lp[i];
			paid += q[i] * price[i];
		}
		while (refunded < paid) {
			int i = (int)rnd(n);
			if (r[i] < q[i] && rnd(2)) {
				r[i]++;
				refunded += price[i];
			} else {
				int64_t amount = 1 + rnd(paid - refunded);
				refunded += amount;
			}
			if (refunded > paid)
				refunded = paid;
			int64_t t = ledger_clawback_target(points, lp, q, r, n, paid, refunded,
							   refunded == paid);
			cr_assert_geq(t, last, "the claw-back went down: %lld after %lld",
				      (long long)t, (long long)last);
			cr_assert_leq(t, points);
			last = t;
		}
		cr_assert_eq(last, points, "a fully refunded order kept %lld points",
			     (long long)(points - last));
	}
}

Test(ledger_clawback, an_order_without_payment_or_points_takes_nothing)
{
	int64_t lp[] = { 0 }, q[] = { 1 }, r[] = { 1 };
	cr_assert_eq(ledger_clawback_target(0, lp, q, r, 1, 0, 0, 0), 0);
	cr_assert_eq(ledger_clawback_target(0, lp, q, r, 1, 500, 500, 1), 0);
}
