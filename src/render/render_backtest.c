/* render_backtest.c: see render_backtest.h. */
#include "render_backtest.h"

#include "render.h"

json_t *render_backtest_campaign(const struct backtest_campaign_result *b)
{
	json_t *by = json_array(), *reasons = json_object();
	for (int i = 0; i < b->ncurrencies; i++)
		json_array_append_new(by, json_pack("{s:s, s:I, s:I, s:I}",
			"currency", b->currencies[i].currency,
			"discount_total", (json_int_t)b->currencies[i].discount_total,
			"discount_shipping", (json_int_t)b->currencies[i].discount_shipping,
			"orders_reached", (json_int_t)b->currencies[i].orders_reached));
	for (int i = 0; i < BACKTEST_REASONS; i++)
		json_object_set_new(reasons, backtest_reasons[i], json_integer(b->not_reached[i]));
	int several = b->ncurrencies > 1;
	const struct backtest_currency *one = b->ncurrencies == 1 ? &b->currencies[0] : NULL;
	return json_pack("{s:s, s:s, s:I, s:o, s:o, s:b, s:I, s:I, s:I, s:o, s:o, s:o, s:o, s:o}",
		"object", "campaign_backtest", "campaign", b->campaign_id, "days", (json_int_t)b->days,
		"from", render_time(b->from), "to", render_time(b->to),
		"respect_window", b->respect_window,
		"orders_considered", (json_int_t)b->orders_considered,
		"orders_reached", (json_int_t)b->orders_reached,
		"customers_reached", (json_int_t)b->customers_reached,
		"currency", render_string(one ? one->currency : NULL),
		"discount_total", several ? json_null() : json_integer(one ? one->discount_total : 0),
		"discount_shipping", several ? json_null()
					     : json_integer(one ? one->discount_shipping : 0),
		"by_currency", by, "not_reached", reasons);
}

json_t *render_backtest_program(const struct backtest_program_result *b)
{
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I},"
			 " s:{s:I, s:I}, s:I}",
		"object", "program_backtest", "days", (json_int_t)b->days,
		"from", render_time(b->from), "to", render_time(b->to),
		"current_version", b->current_version ? json_integer(b->current_version) : json_null(),
		"orders_considered", (json_int_t)b->orders_considered,
		"orders_reached", (json_int_t)b->orders_reached,
		"customers_reached", (json_int_t)b->customers_reached,
		"points_issued_draft", (json_int_t)b->points_issued_draft,
		"points_issued_current", (json_int_t)b->points_issued_current,
		"difference", (json_int_t)b->difference,
		"draft", "earn", (json_int_t)b->earn_draft, "milestones", (json_int_t)b->milestones_draft,
		"current", "earn", (json_int_t)b->earn_current,
		"milestones", (json_int_t)b->milestones_current,
		"orders_over_limit_draft", (json_int_t)b->orders_over_limit_draft);
}
