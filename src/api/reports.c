/* reports.c: /v1/reports/{retention,cohorts,rfm,clv} and a customer's
 * predictions, from the shop's CLV fit kept by analytics/clv_cache.h (so a
 * customer's predictions cost one small query). Shapes: analytics/report_json.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../analytics/clv_cache.h"
#include "../analytics/delivery.h"
#include "../analytics/measures.h"
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

static int predictions_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct clv_report fit;
	struct clv_customer k;
	int64_t fitted_at;
	int found, rc;
	if ((rc = customer_resolve(tx, c->r->shop_id, req_param(c->r, 0), "id", c->customer, e)) ||
	    (rc = clv_cache_fit(tx, &c->r->arena, c->r->shop_id, &c->clv, &fit, &fitted_at, e)))
		return rc;
	c->clv.to = clock_now_ms();
	if (!fit.enough) {
		req_json(c->r, 200, json_pack("{s:s, s:s, s:b, s:s, s:o}", "object", "predictions",
			"customer", c->customer, "enough_data", 0, "reason", fit.reason ? fit.reason : "",
			"model_fitted_at", render_time(fitted_at)));
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
	req_json(c->r, 200, o);
	return 0;
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
