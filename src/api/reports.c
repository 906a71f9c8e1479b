/* reports.c: /v1/reports/{retention,cohorts,rfm,clv} and a customer's
 * predictions, from the shop's CLV fit kept by analytics/clv_cache.h (so a
 * customer's predictions cost one small query). Shapes: analytics/report_json.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../analytics/clv_cache.h"
#include "../analytics/delivery.h"
#include "../analytics/measures.h"
#include "../analytics/service.h"
#include "../analytics/report_json.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "../core/customer.h"
#include "api.h"
#include "../render/render.h"

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

struct report_call {
	struct req *r;
	struct measures_filter f;
	struct clv_options clv;
	int with_customers;
	char customer[ID_MAX];
};

static int query_time(struct req *r, const char *name, int64_t *out, struct err *e)
{
	const char *v = req_query(r, name);
	if (v && rfc3339_parse(v, out))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a date like \"2026-01-31\" or an RFC 3339"
			       " time, not \"%s\"", name, v);
	return 0;
}

static int query_number(struct req *r, const char *name, double lo, double hi, double *out,
			struct err *e)
{
	const char *v = req_query(r, name);
	char *end;
	if (!v)
		return 0;
	double d = strtod(v, &end);
	if (*end || end == v || !(d >= lo && d <= hi))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a number from %g to %g", name, lo, hi);
	*out = d;
	return 0;
}

static int parse_filter(struct req *r, struct report_call *c, struct err *e)
{
	int rc;
	c->f.from = 0;
	c->f.to = clock_now_ms();
	c->f.channel = req_query(r, "channel");
	c->f.currency = req_query(r, "currency");
	if ((rc = query_time(r, "from", &c->f.from, e)) || (rc = query_time(r, "to", &c->f.to, e)))
		return rc;
	if ((rc = measures_filter_check(&c->f, e)))
		return rc;
	if (c->f.currency && currency_exponent(c->f.currency) < 0)
		return err_set(e, ERR_INVALID, "currency", "\"%s\" is not an ISO 4217 currency", c->f.currency);
	const char *inc = req_query(r, "include");
	c->with_customers = inc && !strcmp(inc, "customers");
	c->clv = (struct clv_options){ c->f.from, c->f.to, c->f.currency, 52, 12, 0.01, 0 };
	double months = 12;
	if ((rc = query_number(r, "horizon_weeks", CLV_HORIZON_WEEKS_MIN, CLV_HORIZON_WEEKS_MAX,
			       &c->clv.horizon_weeks, e)) ||
	    (rc = query_number(r, "penalty", 0, CLV_PENALTY_MAX, &c->clv.penalty, e)) ||
	    (rc = query_number(r, "months", CLV_MONTHS_MIN, CLV_MONTHS_MAX, &months, e)) ||
	    (rc = query_number(r, "discount", 0, CLV_DISCOUNT_MAX, &c->clv.discount, e)))
		return rc;
	c->clv.months = (int)months;
	return 0;
}

static int retention_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct retention_report out;
	int rc = measures_retention(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	req_json(c->r, 200, report_json_retention(&out));
	return 0;
}

static int cohorts_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct cohort_report out;
	int rc = measures_cohorts(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	req_json(c->r, 200, report_json_cohorts(&c->r->arena, &out));
	return 0;
}

static int rfm_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct rfm_report out;
	int rc = measures_rfm(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	req_json(c->r, 200, report_json_rfm(&out, c->with_customers));
	return 0;
}

static int clv_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct clv_report out;
	int rc = clv_compute(tx, &c->r->arena, c->r->shop_id, &c->clv, &out, e);
	if (!rc)
		req_json(c->r, 200, report_json_clv(&out, &c->clv, 0));
	return rc;
}

/* A customer's predictions with the options of c (its customer resolved). */
static int predictions_json(struct store_tx *tx, struct report_call *c, json_t **out,
			    struct err *e)
{
	struct clv_report fit;
	struct clv_customer k;
	int64_t fitted_at;
	int found, rc;
	if ((rc = clv_cache_fit(tx, &c->r->arena, c->r->shop_id, &c->clv, &fit, &fitted_at, e)))
		return rc;
	c->clv.to = clock_now_ms();
	if (!fit.enough) {
		*out = json_pack("{s:s, s:s, s:b, s:s, s:o}", "object", "predictions",
			"customer", c->customer, "enough_data", 0, "reason", fit.reason ? fit.reason : "",
			"model_fitted_at", render_time(fitted_at));
		return 0;
	}
	if ((rc = clv_customer(tx, c->r->shop_id, c->customer, &c->clv, &fit, &k, &found, e)))
		return rc;
	json_t *o = json_pack("{s:s, s:s, s:b, s:o, s:o}", "object", "predictions", "customer",
			      c->customer, "enough_data", 1, "currency", render_string(fit.currency),
			      "model_fitted_at", render_time(fitted_at));
	if (!found) {
		json_object_set_new(o, "purchases", json_integer(0));
		json_object_set_new(o, "reason", json_string("no paid order yet: nothing to predict from"));
	} else {
		json_object_set_new(o, "summary", json_pack("{s:o, s:o, s:o, s:o}", "x", num(k.x),
			"t_x_weeks", num(k.t_x), "T_weeks", num(k.T), "mean_repeat_spend", num(k.monetary)));
		json_object_set_new(o, "p_alive", num(k.p_alive));
		json_object_set_new(o, "churn_risk", json_string(k.risk));
		json_object_set_new(o, "expected_purchases", json_pack("{s:o, s:o}", "weeks",
			num(c->clv.horizon_weeks), "count", num(k.expected)));
		json_object_set_new(o, "expected_spend_per_purchase", fit.spend_enough ? num(k.spend) : json_null());
		json_object_set_new(o, "clv", fit.spend_enough ? json_pack("{s:o, s:i, s:o}", "value", num(k.clv),
			"months", c->clv.months, "monthly_discount", num(c->clv.discount)) : json_null());
	}
	*out = o;
	return 0;
}

static int predictions_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	json_t *o;
	int rc = customer_resolve(tx, c->r->shop_id, req_param(c->r, 0), "id", c->customer, e);
	if (!rc)
		rc = predictions_json(tx, c, &o, e);
	if (!rc)
		req_json(c->r, 200, o);
	return rc;
}

json_t *api_predictions_json(struct store_tx *tx, struct req *r, const char *customer,
			     struct err *e)
{
	struct report_call c = { .r = r };
	json_t *o = NULL;
	/* The defaults of GET /v1/customers/{id}/predictions without a query. */
	c.f.to = clock_now_ms();
	c.clv = (struct clv_options){ 0, c.f.to, NULL, 52, 12, 0.01, 0 };
	snprintf(c.customer, sizeof(c.customer), "%s", customer);
	return predictions_json(tx, &c, &o, e) ? NULL : o;
}

static json_t *delivery_row_json(const struct delivery_row *r)
{
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o, s:o}",
		"key", render_string(r->key), "shipments", (json_int_t)r->shipments,
		"due", (json_int_t)r->due, "on_time", (json_int_t)r->on_time, "late", (json_int_t)r->late,
		"damaged", (json_int_t)r->damaged, "returned", (json_int_t)r->returned,
		"on_time_rate", num(r->on_time_rate), "average_delay_minutes",
		num(r->average_delay_minutes), "p90_delay_minutes", num(r->p90_delay_minutes));
}

static int delivery_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct delivery_report out;
	const char *group = req_query(c->r, "group");
	/* "to" is a day included whole; without it, every promise, future ones
	 * too (a parcel delivered ahead of its promise is on time already). */
	int64_t to = req_query(c->r, "to") ? (c->f.to / 86400000LL + 1) * 86400000LL : INT64_MAX;
	int rc = delivery_report(tx, &c->r->arena, c->r->shop_id, group ? group : "carrier",
				 c->f.from, to, &out, e);
	if (rc)
		return rc;
	json_t *rows = json_array();
	for (int i = 0; i < out.n; i++)
		json_array_append_new(rows, delivery_row_json(&out.rows[i]));
	req_json(c->r, 200, json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "object", "delivery_report",
		"group", out.group, "from", render_time(c->f.from),
		"to", req_query(c->r, "to") ? render_time(c->f.to) : json_null(),
		"total", delivery_row_json(&out.total), "groups", rows));
	return 0;
}

#define REPORT_HANDLER(name, fn) \
	int name(struct req *r, struct err *e) \
	{ \
		struct report_call c = { .r = r }; \
		int rc = parse_filter(r, &c, e); \
		return rc ? rc : req_read(r, fn, &c, e); \
	}

REPORT_HANDLER(api_reports_retention, retention_tx)
REPORT_HANDLER(api_reports_cohorts, cohorts_tx)
REPORT_HANDLER(api_reports_rfm, rfm_tx)
REPORT_HANDLER(api_reports_clv, clv_tx)
REPORT_HANDLER(api_customers_predictions, predictions_tx)
REPORT_HANDLER(api_reports_delivery, delivery_tx)

static json_t *service_times_json(const struct service_times *t)
{
	return json_pack("{s:o, s:I, s:{s:I, s:o, s:o}, s:{s:I, s:o, s:o}, s:{s:I, s:I, s:I, s:I,"
			 " s:o, s:o, s:o}}",
		"channel", render_string(t->key), "tickets", (json_int_t)t->tickets,
		"first_response_minutes", "count", (json_int_t)t->first_responses,
		"p50", num(t->first_response_p50), "p90", num(t->first_response_p90),
		"resolution_minutes", "count", (json_int_t)t->solved,
		"p50", num(t->resolution_p50), "p90", num(t->resolution_p90),
		"sla", "first_response_due", (json_int_t)t->first_response_due,
		"first_response_met", (json_int_t)t->first_response_met,
		"resolution_due", (json_int_t)t->resolution_due,
		"resolution_met", (json_int_t)t->resolution_met,
		"first_response_within", num(t->first_response_within_sla),
		"resolution_within", num(t->resolution_within_sla), "within", num(t->within_sla));
}

static json_t *service_score_json(const struct service_score *s, int nps)
{
	if (nps)
		return json_pack("{s:o, s:I, s:I, s:I, s:I, s:o}", "key", render_string(s->key),
			"answers", (json_int_t)s->answers, "promoters", (json_int_t)s->promoters,
			"passives", (json_int_t)s->passives, "detractors", (json_int_t)s->detractors,
			"nps", num(s->value));
	return json_pack("{s:o, s:I, s:I, s:I, s:I, s:o}", "key", render_string(s->key),
		"answers", (json_int_t)s->answers, "satisfied", (json_int_t)s->promoters,
		"neutral", (json_int_t)s->passives, "dissatisfied", (json_int_t)s->detractors,
		"average", num(s->value));
}

static json_t *service_scores_json(const struct service_scores *s, int nps)
{
	json_t *month = json_array(), *channel = json_array(), *tier = json_array();
	for (int i = 0; i < s->nmonth; i++)
		json_array_append_new(month, service_score_json(&s->by_month[i], nps));
	for (int i = 0; i < s->nchannel; i++)
		json_array_append_new(channel, service_score_json(&s->by_channel[i], nps));
	for (int i = 0; i < s->ntier; i++)
		json_array_append_new(tier, service_score_json(&s->by_tier[i], nps));
	json_t *total = service_score_json(&s->total, nps);
	json_object_del(total, "key");
	return json_pack("{s:o, s:o, s:o, s:o}", "total", total, "by_month", month,
			 "by_channel", channel, "by_tier", tier);
}

static int service_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct service_report out;
	/* "to" is a day included whole, as in the delivery report; without it,
	 * everything up to now. */
	int64_t to = req_query(c->r, "to") ? (c->f.to / 86400000LL + 1) * 86400000LL : INT64_MAX;
	int rc = service_report(tx, &c->r->arena, c->r->shop_id, c->f.from, to, &out, e);
	if (rc)
		return rc;
	json_t *channels = json_array(), *suggestions = json_array();
	for (int i = 0; i < out.nchannels; i++)
		json_array_append_new(channels, service_times_json(&out.channels[i]));
	for (int i = 0; i < out.nsuggestions; i++) {
		const struct service_suggestion *s = &out.suggestions[i];
		json_array_append_new(suggestions, json_pack("{s:s, s:s, s:s, s:I, s:s, s:o}",
			"survey", s->survey_id, "kind", s->kind, "customer", s->customer_id,
			"score", (json_int_t)s->score, "suggestion", s->text,
			"answered_at", render_time(s->answered_at)));
	}
	json_t *total = service_times_json(&out.total);
	json_object_del(total, "channel");
	req_json(c->r, 200, json_pack("{s:s, s:o, s:o, s:o, s:o, s:{s:I, s:I, s:o}, s:o, s:o, s:o}",
		"object", "service_report", "from", render_time(c->f.from),
		"to", req_query(c->r, "to") ? render_time(c->f.to) : json_null(),
		"tickets", total, "channels", channels,
		"complaints", "tickets", (json_int_t)out.total.tickets, "orders", (json_int_t)out.orders,
		"per_100_orders", num(out.complaints_per_100_orders),
		"nps", service_scores_json(&out.nps, 1), "csat", service_scores_json(&out.csat, 0),
		"suggestions", suggestions));
	return 0;
}

int api_reports_service(struct req *r, struct err *e)
{
	struct report_call c = { .r = r };
	int rc;
	c.f.to = clock_now_ms();
	if ((rc = query_time(r, "from", &c.f.from, e)) || (rc = query_time(r, "to", &c.f.to, e)))
		return rc;
	if (req_query(r, "to") && c.f.to < c.f.from)
		return err_set(e, ERR_INVALID, "to", "\"to\" must not be before \"from\"");
	return req_read(r, service_tx, &c, e);
}
