/* reports.c: /v1/reports/{retention,cohorts,rfm,clv} and a customer's
 * predictions. The CLV fit is cached per shop for an hour (and refitted on
 * the first read after), so a customer's predictions cost one small query. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../analytics/measures.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "../core/customer.h"
#include "api.h"
#include "render.h"

#define FIT_TTL_MS (3600LL * 1000)

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
	if (c->f.from > c->f.to)
		return err_set(e, ERR_INVALID, "from", "\"from\" is after \"to\"");
	if (c->f.currency && currency_exponent(c->f.currency) < 0)
		return err_set(e, ERR_INVALID, "currency", "\"%s\" is not an ISO 4217 currency", c->f.currency);
	const char *inc = req_query(r, "include");
	c->with_customers = inc && !strcmp(inc, "customers");
	c->clv = (struct clv_options){ c->f.from, c->f.to, c->f.currency, 52, 12, 0.01, 0 };
	double months = 12;
	if ((rc = query_number(r, "horizon_weeks", 1, 520, &c->clv.horizon_weeks, e)) ||
	    (rc = query_number(r, "months", 1, 120, &months, e)) ||
	    (rc = query_number(r, "discount", 0, 1, &c->clv.discount, e)))
		return rc;
	c->clv.months = (int)months;
	return 0;
}

static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
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

static int retention_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct retention_report out;
	int rc = measures_retention(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	json_t *o = json_pack("{s:s, s:o, s:o, s:{s:o, s:o, s:I}}", "object", "retention_report",
		"currency", render_string(out.currency), "all", group_json(&out.all),
		"days_between_orders", "mean", out.gaps ? num(out.days_between_mean) : json_null(),
		"median", out.gaps ? num(out.days_between_median) : json_null(), "gaps", (json_int_t)out.gaps);
	json_object_set_new(o, "members_vs_non_members", out.has_program
		? json_pack("{s:o, s:o}", "members", group_json(&out.members),
			    "non_members", group_json(&out.non_members))
		: json_null());
	req_json(c->r, 200, o);
	return 0;
}

static int cohorts_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct cohort_report out;
	int rc = measures_cohorts(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	json_t *rows = json_array();
	for (int i = 0; i < out.nrows; i++) {
		struct cohort_row *w = &out.rows[i];
		json_t *share = json_array(), *rev = json_array();
		for (int k = 0; k < w->ncells; k++) {
			json_array_append_new(share, num(w->share[k]));
			json_array_append_new(rev, num(w->revenue[k]));
		}
		json_array_append_new(rows, json_pack("{s:s, s:I, s:I, s:o, s:o}",
			"cohort", arena_printf(&c->r->arena, "%04d-%02d", w->year, w->month),
			"customers", (json_int_t)w->customers, "first_month_revenue", (json_int_t)w->revenue0,
			"retention", share, "revenue_retention", rev));
	}
	req_json(c->r, 200, json_pack("{s:s, s:o, s:o}", "object", "cohort_report",
				      "currency", render_string(out.currency), "cohorts", rows));
	return 0;
}

static int rfm_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct rfm_report out;
	int rc = measures_rfm(tx, &c->r->arena, c->r->shop_id, &c->f, &out, e);
	if (rc)
		return rc;
	json_t *segments = json_array(), *customers = json_array();
	for (int i = 0; i < RFM_SEGMENTS; i++)
		json_array_append_new(segments, json_pack("{s:s, s:I, s:I}", "segment", out.segments[i].name,
			"customers", (json_int_t)out.segments[i].customers,
			"revenue", (json_int_t)out.segments[i].revenue));
	for (int i = 0; c->with_customers && i < out.n; i++) {
		struct rfm_customer *k = &out.customers[i];
		json_array_append_new(customers, json_pack("{s:s, s:I, s:I, s:I, s:i, s:i, s:i, s:s}",
			"customer", k->id, "recency_days", (json_int_t)k->recency_days,
			"frequency", (json_int_t)k->frequency, "monetary", (json_int_t)k->monetary,
			"r", k->r, "f", k->f, "m", k->m, "segment", k->segment));
	}
	json_t *o = json_pack("{s:s, s:o, s:I, s:o}", "object", "rfm_report", "currency",
			      render_string(out.currency), "customers", (json_int_t)out.n, "segments", segments);
	json_object_set_new(o, "customers_detail", c->with_customers ? customers : json_null());
	if (!c->with_customers)
		json_decref(customers);
	req_json(c->r, 200, o);
	return 0;
}

static json_t *fit_json(const char *const *labels, const struct fit_report *f, int np)
{
	json_t *params = json_object();
	for (int i = 0; i < np; i++)
		json_object_set_new(params, labels[i], num(f->params[i]));
	return json_pack("{s:o, s:o, s:i, s:o, s:b, s:I, s:I}", "params", params,
			 "log_likelihood", num(f->log_likelihood), "iterations", f->iterations,
			 "gradient_norm", num(f->grad_norm), "converged", f->converged,
			 "customers", (json_int_t)f->customers, "distinct_tuples", (json_int_t)f->distinct);
}

static const char *const bg_labels[] = { "r", "alpha", "a", "b" };
static const char *const gg_labels[] = { "p", "q", "gamma" };

static json_t *clv_json(struct report_call *c, const struct clv_report *r)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:b}", "object", "clv_report",
			      "currency", render_string(r->currency), "customers", (json_int_t)r->customers,
			      "repeat_customers", (json_int_t)r->repeaters, "enough_data", r->enough);
	if (!r->enough) {
		json_object_set_new(o, "reason", json_string(r->reason ? r->reason : "no data"));
		return o;
	}
	json_object_set_new(o, "bgnbd", fit_json(bg_labels, &r->bgnbd_fit, 4));
	json_object_set_new(o, "gamma_gamma", r->spend_enough ? fit_json(gg_labels, &r->gg_fit, 3) : json_null());
	json_object_set_new(o, "spend_frequency_correlation", num(r->spend_correlation));
	json_object_set_new(o, "churn_risk", json_pack("{s:I, s:I, s:I}", "low", (json_int_t)r->risk[0],
		"medium", (json_int_t)r->risk[1], "high", (json_int_t)r->risk[2]));
	json_object_set_new(o, "clv", json_pack("{s:o, s:o, s:o, s:o, s:i, s:o}", "p10", num(r->clv_p10),
		"median", num(r->clv_p50), "p90", num(r->clv_p90), "total", num(r->clv_total),
		"months", c->clv.months, "monthly_discount", num(c->clv.discount)));
	return o;
}

static int clv_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct clv_report out;
	int rc = clv_compute(tx, &c->r->arena, c->r->shop_id, &c->clv, &out, e);
	if (!rc)
		req_json(c->r, 200, clv_json(c, &out));
	return rc;
}

/* The per-shop fit cache for predictions. */
struct fit_cache {
	char shop[ID_MAX];
	int64_t fitted_at;
	struct clv_report report;	/* list and strings dropped: params only */
	char currency[8];
	char reason[240];
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fit_cache cache[64];

static int cached_fit(struct store_tx *tx, struct report_call *c, struct clv_report *out, struct err *e)
{
	int64_t now = clock_now_ms();
	unsigned h = 0;
	for (const char *p = c->r->shop_id; *p; p++)
		h = h * 31 + (unsigned char)*p;
	struct fit_cache *slot = &cache[h % 64];
	pthread_mutex_lock(&cache_lock);
	int hit = !strcmp(slot->shop, c->r->shop_id) && now - slot->fitted_at < FIT_TTL_MS &&
		  now >= slot->fitted_at;
	if (hit) {
		*out = slot->report;
		out->currency = arena_strdup(&c->r->arena, slot->currency);
		out->reason = arena_strdup(&c->r->arena, slot->reason);
	}
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return 0;
	struct clv_options o = c->clv;
	o.to = now;
	int rc = clv_compute(tx, &c->r->arena, c->r->shop_id, &o, out, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&cache_lock);
	snprintf(slot->shop, sizeof(slot->shop), "%s", c->r->shop_id);
	slot->fitted_at = now;
	slot->report = *out;
	slot->report.list = NULL;
	slot->report.n = 0;
	snprintf(slot->currency, sizeof(slot->currency), "%s", out->currency ? out->currency : "");
	snprintf(slot->reason, sizeof(slot->reason), "%s", out->reason ? out->reason : "");
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

static int predictions_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct clv_report fit;
	struct clv_customer k;
	int found, rc;
	if ((rc = customer_resolve(tx, c->r->shop_id, req_param(c->r, 0), "id", c->customer, e)) ||
	    (rc = cached_fit(tx, c, &fit, e)))
		return rc;
	c->clv.to = clock_now_ms();
	if (!fit.enough) {
		req_json(c->r, 200, json_pack("{s:s, s:s, s:b, s:s}", "object", "predictions",
			"customer", c->customer, "enough_data", 0, "reason", fit.reason ? fit.reason : ""));
		return 0;
	}
	if ((rc = clv_customer(tx, c->r->shop_id, c->customer, &c->clv, &fit, &k, &found, e)))
		return rc;
	json_t *o = json_pack("{s:s, s:s, s:b, s:o}", "object", "predictions", "customer", c->customer,
			      "enough_data", 1, "currency", render_string(fit.currency));
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
