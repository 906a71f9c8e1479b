/* Unit tests of core/webhook and core/event: the back-off and the vocabulary (issue 13). */
#include <criterion/criterion.h>
#include <string.h>

#include "base/secure.h"
#include "core/event.h"
#include "core/webhook.h"

Test(webhook, backs_off_exponentially_with_jitter_up_to_eight_hours)
{
	secure_init();
	int64_t delay = 10000, cap = 8LL * 3600 * 1000;
	int varied = 0;
	for (int64_t attempts = 1; attempts <= 30; attempts++) {
		int64_t first = webhook_backoff_ms(attempts);
		for (int i = 0; i < 50; i++) {
			int64_t b = webhook_backoff_ms(attempts);
			cr_assert(b >= delay / 2 && b <= delay, "attempt %lld: %lld not in [%lld, %lld]",
				  (long long)attempts, (long long)b, (long long)delay / 2, (long long)delay);
			varied |= b != first;
		}
		delay = delay * 2 > cap ? cap : delay * 2;
	}
	cr_assert(varied, "the pauses are jittered");
}

Test(webhook, retries_span_three_days_before_the_endpoint_is_disabled)
{
	secure_init();
	int64_t waited = 0;
	int attempts = 0;
	while (waited < WEBHOOK_GIVE_UP_MS)
		waited += webhook_backoff_ms(++attempts);
	cr_assert(attempts >= 12 && attempts <= 40, "%d attempts in 3 days", attempts);
}

Test(event, patterns_name_a_type_a_group_or_everything)
{
	cr_assert(event_pattern_valid("*"));
	cr_assert(event_pattern_valid("points.earned"));
	cr_assert(event_pattern_valid("offer.*"));
	cr_assert(event_pattern_valid("webhook_endpoint.*"));
	cr_assert(!event_pattern_valid("points.earnd"));
	cr_assert(!event_pattern_valid("points"));
	cr_assert(!event_pattern_valid("nothing.*"));
	cr_assert(!event_pattern_valid("point.*"));
	cr_assert(!event_pattern_valid(".*"));
	cr_assert(!event_pattern_valid("*.*"));
	cr_assert(!event_pattern_valid(""));
	cr_assert(event_pattern_matches("offer.*", "offer.issued"));
	cr_assert(!event_pattern_matches("offer.*", "offers.issued"));
	cr_assert(event_pattern_matches("*", "order.paid"));
	cr_assert(!event_pattern_matches("order.paid", "order.paid_twice"));
}

Test(event, the_vocabulary_has_each_type_once_and_says_what_its_object_is)
{
	int n;
	const struct event_type *t = event_types(&n);
	cr_assert_gt(n, 40);
	for (int i = 0; i < n; i++) {
		cr_assert(strchr(t[i].name, '.'), "%s", t[i].name);
		cr_assert(t[i].object && *t[i].object, "%s", t[i].name);
		cr_assert_eq(event_type_find(t[i].name), &t[i], "%s twice", t[i].name);
		cr_assert(t[i].customer != EVENT_CUSTOMER_ORDER || t[i].related, "%s", t[i].name);
	}
}
