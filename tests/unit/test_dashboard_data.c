/* Unit tests of the dashboard's cached report texts (issue 14,
 * analytics/dashboard_data.h): an RFM detail is read back filtered by a cell
 * or a segment, in its order; numbers that are not finite come back as such;
 * a malformed text is an error, never a guess. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "analytics/dashboard_data.h"

static const char detail[] =
	"cus_a\t5 5 4 3 9 90000\n"
	"cus_b\t1 1 1 400 1 1000\n"
	"cus_c\t5 5 2 1 8 4000\n"
	"cus_d\t2 3 3 200 3 5000\n";

Test(dashboard_data, an_rfm_detail_is_read_back_by_cell_in_its_order)
{
	struct arena a = ARENA_INIT;
	struct err e = { 0 };
	struct rfm_customer *list;
	int n;
	struct dash_rfm_sel cell = { 5, 5, NULL };
	cr_assert_eq(dash_rfm_customers(&a, detail, &cell, &list, &n, &e), 0);
	cr_assert_eq(n, 2);
	cr_assert_str_eq(list[0].id, "cus_a");
	cr_assert_str_eq(list[1].id, "cus_c");
	cr_assert_eq(list[0].monetary, 90000);
	cr_assert_eq(list[1].recency_days, 1);
	cr_assert_eq(list[1].m, 2);
	cr_assert_str_eq(list[0].segment, measures_rfm_segment(5, 5));
	arena_free(&a);
}

Test(dashboard_data, an_rfm_detail_is_read_back_by_segment)
{
	struct arena a = ARENA_INIT;
	struct err e = { 0 };
	struct rfm_customer *list;
	int n;
	struct dash_rfm_sel seg = { 0, 0, measures_rfm_segment(1, 1) };
	cr_assert_eq(dash_rfm_customers(&a, detail, &seg, &list, &n, &e), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(list[0].id, "cus_b");
	struct dash_rfm_sel none = { 0, 0, NULL };
	cr_assert_eq(dash_rfm_customers(&a, NULL, &none, &list, &n, &e), 0);
	cr_assert_eq(n, 0);
	arena_free(&a);
}

Test(dashboard_data, a_malformed_rfm_detail_is_an_error)
{
	static const char *const bad[] = {
		"cus_a 5 5 4 3 9 90000\n",	/* no tab */
		"cus_a\t9 5 4 3 9 90000\n",	/* a score out of range */
		"cus_a\t5 5 4 3 9\n",		/* a figure missing */
		"cus_a\t5 5 4 3 9 90000",	/* no end of line */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct arena a = ARENA_INIT;
		struct err e = { 0 };
		struct rfm_customer *list;
		int n;
		struct dash_rfm_sel any = { 0, 0, NULL };
		cr_assert_eq(dash_rfm_customers(&a, bad[i], &any, &list, &n, &e), ERR_INTERNAL, "%s", bad[i]);
		cr_assert_str_eq(e.code, "report_cache_corrupt");
		arena_free(&a);
	}
}

Test(dashboard_data, cohorts_read_back_with_their_cells_and_a_short_text_is_an_error)
{
	struct arena a = ARENA_INIT;
	struct err e = { 0 };
	struct cohort_report rep;
	cr_assert_eq(dash_cohorts_parse(&a, "EUR 2\n2031 1 4 1000 2 1 1 0.5 0.25\n2031 2 2 500 1 1 1\n",
					&rep, &e), 0);
	cr_assert_str_eq(rep.currency, "EUR");
	cr_assert_eq(rep.nrows, 2);
	cr_assert_eq(rep.rows[0].ncells, 2);
	cr_assert_float_eq(rep.rows[0].share[1], 0.5, 1e-12);
	cr_assert_float_eq(rep.rows[0].revenue[1], 0.25, 1e-12);
	cr_assert_eq(rep.rows[1].month, 2);
	cr_assert_eq(dash_cohorts_parse(&a, "EUR 2\n2031 1 4 1000 2 1 1\n", &rep, &e), ERR_INTERNAL);
	cr_assert_eq(dash_cohorts_parse(&a, "EUR x\n", &rep, &e), ERR_INTERNAL);
	arena_free(&a);
}

Test(dashboard_data, an_overview_keeps_what_is_not_a_number)
{
	struct buf b;
	buf_init(&b, 0);
	/* currency, 12 labels, 6 series of 12, 12 outstanding, 6 headlines */
	buf_puts(&b, "%- ");
	for (int k = 0; k < 12; k++)
		buf_printf(&b, "2031-%02d ", k + 1);
	for (int s = 0; s < 6; s++)
		for (int k = 0; k < 12; k++)
			buf_puts(&b, k == 3 ? "nan " : "0.5 ");
	for (int k = 0; k < 12; k++)
		buf_printf(&b, "%d ", k * 10);
	buf_puts(&b, "0.5 7 nan -inf 12 0.25\n");
	struct dash_overview o;
	struct err e = { 0 };
	cr_assert_eq(dash_overview_parse(b.data, &o, &e), 0);
	cr_assert_str_eq(o.currency, "");
	cr_assert_str_eq(o.labels[11], "2031-12");
	cr_assert(isnan(o.repeat[3]) && o.repeat[4] == 0.5);
	cr_assert_eq(o.outstanding[11], 110);
	cr_assert(isnan(o.on_time_now) && isinf(o.first_now) && o.first_now < 0);
	cr_assert_float_eq(o.redemption_now, 0.25, 1e-12);
	buf_free(&b);
	cr_assert_eq(dash_overview_parse("USD 2031-01", &o, &e), ERR_INTERNAL);
}
