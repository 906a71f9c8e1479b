/* Unit tests of an order's delivery state as its customer sees it (issue 14). */
#include <criterion/criterion.h>
#include <string.h>

#include "core/order_delivery.h"

static struct shipment parcel(const char *status, int64_t delivered_at, int64_t updated_at)
{
	struct shipment s;
	memset(&s, 0, sizeof(s));
	s.status = status;
	s.delivered_at = delivered_at;
	s.updated_at = updated_at;
	s.on_time = -1;
	return s;
}

static const char *state_of(const struct shipment *s, int n)
{
	struct order o = { .promised_delivery_at = 0 };
	static struct order_delivery d;
	order_delivery_summary(&o, s, n, &d);
	return d.state;
}

Test(order_delivery, no_parcel_is_not_shipped_and_a_parcel_without_events_is_preparing)
{
	struct shipment s[1] = { parcel("created", 0, 1) };
	cr_assert_str_eq(state_of(NULL, 0), "not_shipped");
	cr_assert_str_eq(state_of(s, 1), "preparing");
}

Test(order_delivery, the_undelivered_parcel_that_changed_last_gives_the_state)
{
	struct shipment s[2] = { parcel("shipped", 0, 10), parcel("failed_attempt", 0, 20) };
	cr_assert_str_eq(state_of(s, 2), "failed_attempt");
	s[0].updated_at = 30;
	cr_assert_str_eq(state_of(s, 2), "shipped");
}

Test(order_delivery, some_delivered_is_partly_all_delivered_is_delivered_a_return_wins)
{
	struct shipment s[2] = { parcel("delivered", 100, 10), parcel("shipped", 0, 5) };
	cr_assert_str_eq(state_of(s, 2), "partly_delivered");
	s[1] = parcel("delivered", 200, 20);
	struct order o = { .promised_delivery_at = 0 };
	struct order_delivery d;
	order_delivery_summary(&o, s, 2, &d);
	cr_assert_str_eq(d.state, "delivered");
	cr_assert_eq(d.delivered_at, 200, "the last delivery");
	s[0].returned = 1;
	order_delivery_summary(&o, s, 2, &d);
	cr_assert_str_eq(d.state, "returned");
	cr_assert_eq(d.delivered_at, 0);
}

Test(order_delivery, late_when_marked_late_undelivered_or_delivered_after_the_promise)
{
	struct order o = { .promised_delivery_at = 500 };
	struct order_delivery d;
	struct shipment s[1] = { parcel("shipped", 0, 1) };
	s[0].promised_delivery_at = 400;
	order_delivery_summary(&o, s, 1, &d);
	cr_assert(!d.late);
	cr_assert_eq(d.promised_at, 400, "the earliest promise");
	s[0].late_at = 450;
	order_delivery_summary(&o, s, 1, &d);
	cr_assert(d.late);
	s[0] = parcel("delivered", 600, 2);
	s[0].on_time = 0;
	order_delivery_summary(&o, s, 1, &d);
	cr_assert(d.late);
	cr_assert_eq(d.promised_at, 500, "the order's promise when the parcel has none");
}

Test(order_delivery, every_state_is_in_the_vocabulary)
{
	const char *seen[] = { "not_shipped", "preparing", "partly_delivered", "delivered", "returned",
			       "shipped", "out_for_delivery", "failed_attempt", "damaged" };
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		int found = 0;
		for (int k = 0; order_delivery_states[k]; k++)
			found |= !strcmp(order_delivery_states[k], seen[i]);
		cr_assert(found, "%s", seen[i]);
	}
}
