/* Unit tests of the order state machine and refund arithmetic. */
#include <criterion/criterion.h>

#include "core/order.h"
#include "core/order_state.h"

Test(order_state, the_happy_path_goes_pending_paid_partially_refunded_refunded)
{
	cr_assert_eq(order_state_next(ORDER_PENDING, ORDER_EVENT_PAYMENT_PAID), ORDER_PAID);
	cr_assert_eq(order_state_next(ORDER_PAID, ORDER_EVENT_REFUND_PART), ORDER_PARTIALLY_REFUNDED);
	cr_assert_eq(order_state_next(ORDER_PARTIALLY_REFUNDED, ORDER_EVENT_REFUND_PART),
		     ORDER_PARTIALLY_REFUNDED);
	cr_assert_eq(order_state_next(ORDER_PARTIALLY_REFUNDED, ORDER_EVENT_REFUND_ALL), ORDER_REFUNDED);
}

Test(order_state, a_failed_payment_can_be_followed_by_a_successful_one_or_a_cancel)
{
	cr_assert_eq(order_state_next(ORDER_PENDING, ORDER_EVENT_PAYMENT_FAILED), ORDER_PAYMENT_FAILED);
	cr_assert_eq(order_state_next(ORDER_PAYMENT_FAILED, ORDER_EVENT_PAYMENT_FAILED), ORDER_PAYMENT_FAILED);
	cr_assert_eq(order_state_next(ORDER_PAYMENT_FAILED, ORDER_EVENT_PAYMENT_PAID), ORDER_PAID);
	cr_assert_eq(order_state_next(ORDER_PAYMENT_FAILED, ORDER_EVENT_CANCEL), ORDER_CANCELLED);
}

Test(order_state, terminal_states_accept_nothing)
{
	for (int ev = 0; ev < ORDER_EVENT_COUNT; ev++) {
		cr_assert_eq(order_state_next(ORDER_REFUNDED, ev), -1);
		cr_assert_eq(order_state_next(ORDER_CANCELLED, ev), -1);
	}
}

Test(order_state, paid_orders_are_refunded_not_cancelled_and_never_paid_twice)
{
	cr_assert_eq(order_state_next(ORDER_PAID, ORDER_EVENT_CANCEL), -1);
	cr_assert_eq(order_state_next(ORDER_PAID, ORDER_EVENT_PAYMENT_PAID), -1);
	cr_assert_eq(order_state_next(ORDER_PENDING, ORDER_EVENT_REFUND_PART), -1);
	cr_assert_eq(order_state_next(ORDER_PENDING, ORDER_EVENT_REFUND_ALL), -1);
}

Test(order_state, names_round_trip_and_unknown_names_are_refused)
{
	for (int s = 0; s < ORDER_STATUS_COUNT; s++)
		cr_assert_eq(order_state_parse(order_state_name(s)), s);
	cr_assert_eq(order_state_parse("shipped"), -1);
	cr_assert_eq(order_state_next(-1, 0), -1);
	cr_assert_eq(order_state_next(ORDER_PAID, ORDER_EVENT_COUNT), -1);
}

Test(order_refund, discount_shares_of_partial_refunds_add_up_to_the_line_discount)
{
	/* Every way of splitting a line into refunds gives back exactly its discount. */
	for (int64_t quantity = 1; quantity <= 12; quantity++)
		for (int64_t discount = 0; discount <= 1001; discount += 37) {
			for (int64_t step = 1; step <= quantity; step++) {
				int64_t before = 0, total = 0;
				while (before < quantity) {
					int64_t q = before + step <= quantity ? step : quantity - before;
					int64_t share = order_discount_share(discount, quantity, before, q);
					cr_assert_geq(share, 0);
					total += share;
					before += q;
				}
				cr_assert_eq(total, discount, "q=%lld d=%lld step=%lld",
					     (long long)quantity, (long long)discount, (long long)step);
			}
		}
}

Test(order_refund, shares_do_not_overflow_at_the_largest_amounts)
{
	int64_t d = ORDER_AMOUNT_MAX, q = ORDER_QUANTITY_MAX;
	cr_assert_eq(order_discount_share(d, q, 0, q), d);
	cr_assert_eq(order_discount_share(d, q, q - 1, 1) + order_discount_share(d, q, 0, q - 1), d);
}

Test(order_channel, only_the_documented_channels_are_valid)
{
	const char *ok[] = { "web", "app", "phone", "whatsapp", "store", "marketplace" };
	for (size_t i = 0; i < 6; i++)
		cr_assert(order_channel_valid(ok[i]));
	cr_assert_not(order_channel_valid("pigeon"));
	cr_assert_not(order_channel_valid("WEB"));
}
