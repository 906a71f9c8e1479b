/* report_json.c: see report_json.h. */
#include "report_json.h"

#include <math.h>

/* Non-finite numbers (no data) render null: JSON has no NaN. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *string_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *group_json(const struct group_stats *g)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o, s:o, s:o}",
		"customers", (json_int_t)g->customers, "orders", (json_int_t)g->orders,
		"repeat_customers", (json_int_t)g->repeat_customers, "revenue", (json_int_t)g->revenue,
		"repeat_rate", num(g->repeat_rate), "orders_per_customer", num(g->orders_per_customer),
		"average_order_value", num(g->average_order_value),
		"revenue_per_customer", num(g->revenue_per_customer));
}

json_t *report_json_retention(const struct retention_report *out)
{
	json_t *o = json_pack("{s:s, s:o, s:o, s:{s:o, s:o, s:I}}", "object", "retention_report",
		"currency", string_or_null(out->currency), "all", group_json(&out->all),
		"days_between_orders", "mean", out->gaps ? num(out->days_between_mean) : json_null(),
		"median", out->gaps ? num(out->days_between_median) : json_null(), "gaps", (json_int_t)out->gaps);
	json_object_set_new(o, "members_vs_non_members", out->has_program
		? json_pack("{s:o, s:o}", "members", group_json(&out->members),
			    "non_members", group_json(&out->non_members))
		: json_null());
	return o;
}

json_t *report_json_cohorts(struct arena *a, const struct cohort_report *out)
{
	json_t *rows = json_array();
	for (int i = 0; i < out->nrows; i++) {
		struct cohort_row *w = &out->rows[i];
		json_t *share = json_array(), *rev = json_array();
		for (int k = 0; k < w->ncells; k++) {
			json_array_append_new(share, num(w->share[k]));
			json_array_append_new(rev, num(w->revenue[k]));
		}
		json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:o, s:o}",
			"cohort", arena_printf(a, "%04d-%02d", w->year, w->month),
			"customers", (json_int_t)w->customers, "first_month_revenue", (json_int_t)w->revenue0,
			"retention", share, "revenue_retention", rev));
	}
	return json_pack("{s:s, s:o, s:o}", "object", "cohort_report",
			 "currency", string_or_null(out->currency), "cohorts", rows);
}

json_t *report_json_rfm(const struct rfm_report *out, int with_customers)
{
	json_t *segments = json_array(), *customers = json_array();
	for (int i = 0; i < RFM_SEGMENTS; i++)
		json_array_append_new(segments, json_pack("{s:s, s:I, s:I}", "segment", out->segments[i].name,
			"customers", (json_int_t)out->segments[i].customers,
			"revenue", (json_int_t)out->segments[i].revenue));
	for (int i = 0; with_customers && i < out->n; i++) {
		struct rfm_customer *k = &out->customers[i];
		json_array_append_new(customers, json_pack("{s:s, s:I, s:I, s:I, s:i, s:i, s:i, s:s}",
			"customer", k->id, "recency_days", (json_int_t)k->recency_days,
			"frequency", (json_int_t)k->frequency, "monetary", (json_int_t)k->monetary,
			"r", k->r, "f", k->f, "m", k->m, "segment", k->segment));
	}
	json_t *o = json_pack("{s:s, s:o, s:I, s:o}", "object", "rfm_report", "currency",
			      string_or_null(out->currency), "customers", (json_int_t)out->n, "segments", segments);
	json_object_set_new(o, "customers_detail", with_customers ? customers : json_null());
	if (!with_customers)
		json_decref(customers);
	return o;
}

static json_t *fit_json(const char *const *labels, const struct fit_report *f, int np)
{
	json_t *params = json_object();
	for (int i = 0; i < np; i++)
		json_object_set_new(params, labels[i], num(f->params[i]));
	return json_pack("{s:o, s:o, s:i, s:o, s:b, s:I, s:I, s:o}", "params", params,
			 "log_likelihood", num(f->log_likelihood), "iterations", f->iterations,
			 "gradient_norm", num(f->grad_norm), "converged", f->converged,
			 "customers", (json_int_t)f->customers, "distinct_tuples", (json_int_t)f->distinct,
			 "seconds", num(f->seconds));
}

static const char *const bg_labels[] = { "r", "alpha", "a", "b" };
static const char *const gg_labels[] = { "p", "q", "gamma" };

json_t *report_json_clv(const struct clv_report *r, const struct clv_options *o, int with_customers)
{
	json_t *out = json_pack("{s:s, s:o, s:I, s:I, s:b}", "object", "clv_report",
			      "currency", string_or_null(r->currency), "customers", (json_int_t)r->customers,
			      "repeat_customers", (json_int_t)r->repeaters, "enough_data", r->enough);
	if (!r->enough) {
		json_object_set_new(out, "reason", json_string(r->reason ? r->reason : "no data"));
		return out;
	}
	json_object_set_new(out, "bgnbd", fit_json(bg_labels, &r->bgnbd_fit, 4));
	json_object_set_new(out, "gamma_gamma", r->spend_enough ? fit_json(gg_labels, &r->gg_fit, 3) : json_null());
	json_object_set_new(out, "spend_frequency_correlation", num(r->spend_correlation));
	json_object_set_new(out, "churn_risk", json_pack("{s:I, s:I, s:I}", "low", (json_int_t)r->risk[0],
		"medium", (json_int_t)r->risk[1], "high", (json_int_t)r->risk[2]));
	json_object_set_new(out, "clv", json_pack("{s:o, s:o, s:o, s:o, s:i, s:o}", "p10", num(r->clv_p10),
		"median", num(r->clv_p50), "p90", num(r->clv_p90), "total", num(r->clv_total),
		"months", o->months, "monthly_discount", num(o->discount)));
	json_object_set_new(out, "expected_purchases_total", num(r->expected_total));
	if (!with_customers)
		return out;
	json_t *list = json_array();
	for (int i = 0; i < r->n; i++) {
		const struct clv_customer *k = &r->list[i];
		json_array_append_new(list, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:s}",
			"customer", k->id, "x", num(k->x), "t_x", num(k->t_x), "T", num(k->T),
			"monetary", num(k->monetary), "p_alive", num(k->p_alive),
			"expected_purchases", num(k->expected), "expected_spend", num(k->spend),
			"clv", num(k->clv), "churn_risk", k->risk));
	}
	json_object_set_new(out, "customers_detail", list);
	return out;
}

