/* campaigns.c: /v1/campaigns, their codes and their personal issues. One
 * parser serves create and PATCH: a field sent replaces what is there, null
 * removes an optional one, a field left out stays. */
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../base/rfc3339.h"
#include "../core/campaign.h"
#include "../core/coupon.h"
#include "../core/offers.h"
#include "api.h"
#include "../render/render.h"

struct campaign_call {
	struct req *r;
	const char *ref, *starting_after, *type, *status;
	struct campaign c, in;	/* in: as sent (create), c: as stored */
	json_t *patch;
	int limit;
	/* codes */
	int64_t count, length;
	const char *prefix;
	const char **codes;
	int ncodes;
	/* issue */
	const char *segment, *interest;	/* interest: issue 12 */
};

/* A field that may be absent (unchanged), null (cleared to 0/NULL) or set. */
static int opt_int(json_t *o, const char *key, int64_t min, int64_t max, int money,
		   int64_t *out, const char *param, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v))
		return *out = 0, 0;
	return money ? jsonv_money(o, key, 1, min, max, out, NULL, param, e)
		     : jsonv_int(o, key, 1, min, max, out, NULL, param, e);
}

static int opt_string(json_t *o, const char *key, size_t max, const char **out,
		      const char *param, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	if (json_is_null(v))
		return *out = NULL, 0;
	return jsonv_string(o, key, 1, max, out, param, e);
}

static int opt_bool(json_t *o, const char *key, int *out, const char *param, struct err *e)
{
	int v, present, rc = jsonv_bool(o, key, 0, &v, &present, param, e);
	if (!rc && present)
		*out = v;
	return rc;
}

/* A list of strings (or null: empty). A lone string counts as one item. */
static int opt_list(struct req *r, json_t *o, const char *key, struct campaign_list *l,
		    const char *param, struct err *e)
{
	json_t *v = json_object_get(o, key);
	if (!v)
		return 0;
	l->n = 0;
	if (json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		l->v = arena_alloc(&r->arena, sizeof(*l->v));
		l->v[l->n++] = json_string_value(v);
		return 0;
	}
	if (!json_is_array(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be an array of strings", param);
	size_t n = json_array_size(v);
	if (n > CAMPAIGN_LIST_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" has at most %d items", param,
			       CAMPAIGN_LIST_MAX);
	l->v = arena_alloc(&r->arena, (n + 1) * sizeof(*l->v));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);
		if (!json_is_string(s))
			return err_set(e, ERR_INVALID, param, "\"%s\" must be an array of strings", param);
		l->v[l->n++] = json_string_value(s);
	}
	return 0;
}

static int object_or_absent(json_t *b, const char *key, json_t **out, struct err *e)
{
	*out = json_object_get(b, key);
	if (*out && json_is_null(*out))
		*out = NULL;
	if (*out && !json_is_object(*out))
		return err_set(e, ERR_INVALID, key, "\"%s\" must be an object", key);
	return 0;
}

static int parse_discount(struct req *r, json_t *d, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "kind", "value", "currency", "max_amount", "gift",
					       "applies_to", NULL };
	static const char *const applies[] = { "skus", "categories", "exclude_skus",
					       "exclude_categories", NULL };
	json_t *to;
	int rc;
	if ((rc = jsonv_only_keys(d, allowed, "discount.", e)) ||
	    (rc = opt_string(d, "kind", 40, &c->discount_kind, "discount.kind", e)) ||
	    (rc = opt_int(d, "value", 0, CAMPAIGN_AMOUNT_MAX, 0, &c->discount_value,
			  "discount.value", e)) ||
	    (rc = opt_string(d, "currency", 3, &c->discount_currency, "discount.currency", e)) ||
	    (rc = opt_int(d, "max_amount", 1, CAMPAIGN_AMOUNT_MAX, 1, &c->max_amount,
			  "discount.max_amount", e)) ||
	    (rc = opt_string(d, "gift", CAMPAIGN_NAME_MAX, &c->gift, "discount.gift", e)) ||
	    (rc = object_or_absent(d, "applies_to", &to, e)))
		return rc;
	if (!to)
		return 0;
	if ((rc = jsonv_only_keys(to, applies, "discount.applies_to.", e)) ||
	    (rc = opt_list(r, to, "skus", &c->skus, "discount.applies_to.skus", e)) ||
	    (rc = opt_list(r, to, "categories", &c->categories, "discount.applies_to.categories", e)) ||
	    (rc = opt_list(r, to, "exclude_skus", &c->exclude_skus,
			   "discount.applies_to.exclude_skus", e)) ||
	    (rc = opt_list(r, to, "exclude_categories", &c->exclude_categories,
			   "discount.applies_to.exclude_categories", e)))
		return rc;
	return 0;
}

static int parse_conditions(struct req *r, json_t *d, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "min_cart", "currency", "first_order_only",
					       "channels", NULL };
	int rc;
	if ((rc = jsonv_only_keys(d, allowed, "conditions.", e)) ||
	    (rc = opt_int(d, "min_cart", 1, CAMPAIGN_AMOUNT_MAX, 1, &c->min_cart,
			  "conditions.min_cart", e)) ||
	    (rc = opt_string(d, "currency", 3, &c->currency, "conditions.currency", e)) ||
	    (rc = opt_bool(d, "first_order_only", &c->first_order_only,
			   "conditions.first_order_only", e)) ||
	    (rc = opt_list(r, d, "channels", &c->channels, "conditions.channels", e)))
		return rc;
	return 0;
}

static int parse_limits(struct req *r, json_t *d, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "total_uses", "per_customer", "budget",
					       "concurrency", "reservation_minutes", NULL };
	int rc;
	if ((rc = jsonv_only_keys(d, allowed, "limits.", e)) ||
	    (rc = opt_int(d, "total_uses", 1, CAMPAIGN_COUNT_MAX, 0, &c->total_uses,
			  "limits.total_uses", e)) ||
	    (rc = opt_int(d, "per_customer", 1, CAMPAIGN_COUNT_MAX, 0, &c->per_customer,
			  "limits.per_customer", e)) ||
	    (rc = opt_int(d, "budget", 1, CAMPAIGN_AMOUNT_MAX, 1, &c->budget, "limits.budget", e)) ||
	    (rc = opt_string(d, "concurrency", 20, &c->concurrency, "limits.concurrency", e)) ||
	    (rc = opt_int(d, "reservation_minutes", 1, CAMPAIGN_RESERVATION_MAX, 0,
			  &c->reservation_minutes, "limits.reservation_minutes", e)))
		return rc;
	if (!c->concurrency)
		c->concurrency = "reject";
	if (!c->reservation_minutes)
		c->reservation_minutes = CAMPAIGN_RESERVATION_DEFAULT;
	return 0;
}

static int parse_early(json_t *d, struct req *r, struct campaign *c, const char *param,
		       struct err *e)
{
	static const char *const allowed[] = { "tiers", "days", NULL };
	char prefix[48], p1[64], p2[64];
	int rc;
	if (!d || json_is_null(d)) {
		if (d)
			c->early_tiers.n = 0, c->early_days = 0;
		return 0;
	}
	if (!json_is_object(d))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be an object {tiers, days}", param);
	snprintf(prefix, sizeof(prefix), "%s.", param);
	snprintf(p1, sizeof(p1), "%s.tiers", param);
	snprintf(p2, sizeof(p2), "%s.days", param);
	if ((rc = jsonv_only_keys(d, allowed, prefix, e)) ||
	    (rc = opt_list(r, d, "tiers", &c->early_tiers, p1, e)) ||
	    (rc = opt_int(d, "days", 1, CAMPAIGN_DAYS_MAX, 0, &c->early_days, p2, e)))
		return rc;
	return 0;
}

static int parse_targeting(struct req *r, json_t *v, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "all", "tiers", "customers", "segment",
					       "early_access", NULL };
	int rc, set = 0;
	if (json_is_string(v) && !strcmp(json_string_value(v), "all")) {
		c->target = "all", c->target_values.n = 0;
		return 0;
	}
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, "targeting", "\"targeting\" is \"all\" or an object with"
			       " one of all, tiers, customers, segment");
	if ((rc = jsonv_only_keys(v, allowed, "targeting.", e)) ||
	    (rc = parse_early(json_object_get(v, "early_access"), r, c, "targeting.early_access", e)))
		return rc;
	for (int i = 0; i < 4; i++) {
		json_t *x = json_object_get(v, allowed[i]);
		if (!x || json_is_null(x))
			continue;
		if (set++)
			return err_set(e, ERR_INVALID, "targeting", "\"targeting\" takes one of all, tiers,"
				       " customers or segment");
		char param[40];
		snprintf(param, sizeof(param), "targeting.%s", allowed[i]);
		c->target = allowed[i];
		c->target_values.n = 0;
		if (i == 0) {
			if (!json_is_true(x))
				return err_set(e, ERR_INVALID, param, "\"targeting.all\" is true");
		} else if ((rc = opt_list(r, v, allowed[i], &c->target_values, param, e))) {
			return rc;
		}
	}
	return 0;
}

static int parse_stacking(json_t *v, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "mode", "max_total_discount", NULL };
	int rc;
	if (json_is_string(v)) {
		c->stacking = json_string_value(v);
		c->max_total_discount = 0;
		return 0;
	}
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, "stacking", "\"stacking\" is \"exclusive\", \"stackable\""
			       " or {mode, max_total_discount}");
	if ((rc = jsonv_only_keys(v, allowed, "stacking.", e)) ||
	    (rc = opt_string(v, "mode", 20, &c->stacking, "stacking.mode", e)) ||
	    (rc = opt_int(v, "max_total_discount", 1, CAMPAIGN_AMOUNT_MAX, 1, &c->max_total_discount,
			  "stacking.max_total_discount", e)))
		return rc;
	if (!c->stacking)
		c->stacking = "exclusive";
	return 0;
}

static int parse_referral(json_t *v, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "referrer_points", "referee_points", NULL };
	int rc;
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, "referral", "\"referral\" is {referrer_points,"
			       " referee_points}");
	if ((rc = jsonv_only_keys(v, allowed, "referral.", e)) ||
	    (rc = opt_int(v, "referrer_points", 0, CAMPAIGN_POINTS_MAX, 0, &c->referrer_points,
			  "referral.referrer_points", e)) ||
	    (rc = opt_int(v, "referee_points", 0, CAMPAIGN_POINTS_MAX, 0, &c->referee_points,
			  "referral.referee_points", e)))
		return rc;
	return 0;
}

static int parse_time(json_t *b, const char *key, int64_t *out, struct err *e)
{
	json_t *v = json_object_get(b, key);
	if (!v)
		return 0;
	if (json_is_null(v))
		return *out = 0, 0;
	return jsonv_time(b, key, 1, out, NULL, NULL, e);
}

static int parse_campaign(struct req *r, json_t *b, struct campaign *c, struct err *e)
{
	static const char *const allowed[] = { "name", "type", "status", "starts_at", "ends_at",
		"timezone", "code", "discount", "conditions", "limits", "targeting", "early_access",
		"stacking", "concurrency", "reservation_minutes", "release_on_refund", "triggers",
		"points", "validity_days", "delay_days", "issue_on", "referral", NULL };
	json_t *d;
	int rc;
	if ((rc = jsonv_only_keys(b, allowed, "", e)) ||
	    (rc = opt_string(b, "name", CAMPAIGN_NAME_MAX, &c->name, NULL, e)) ||
	    (rc = opt_string(b, "status", 20, &c->status, NULL, e)) ||
	    (rc = parse_time(b, "starts_at", &c->starts_at, e)) ||
	    (rc = parse_time(b, "ends_at", &c->ends_at, e)) ||
	    (rc = opt_string(b, "timezone", 64, &c->timezone, NULL, e)) ||
	    (rc = opt_string(b, "code", COUPON_CODE_MAX, &c->code, NULL, e)))
		return rc;
	if (json_object_get(b, "status") && c->status && strcmp(c->status, "draft") &&
	    strcmp(c->status, "active"))
		return err_set(e, ERR_INVALID, "status", "\"status\" is draft or active (POST"
			       " .../end ends a campaign)");
	if (!c->timezone)
		c->timezone = "UTC";
	if (c->code) {
		char *norm = arena_alloc(&r->arena, COUPON_CODE_MAX + 1);
		if ((rc = coupon_normalize(c->code, "code", norm, e)))
			return rc;
		c->code = norm;
	}
	if ((rc = object_or_absent(b, "discount", &d, e)) || (d && (rc = parse_discount(r, d, c, e))) ||
	    (rc = object_or_absent(b, "conditions", &d, e)) ||
	    (d && (rc = parse_conditions(r, d, c, e))) ||
	    (rc = object_or_absent(b, "limits", &d, e)) || (d && (rc = parse_limits(r, d, c, e))))
		return rc;
	if (json_object_get(b, "discount") && json_is_null(json_object_get(b, "discount")))
		c->discount_kind = NULL, c->discount_value = 0;
	if ((d = json_object_get(b, "targeting")) && json_is_null(d))
		c->target = "all", c->target_values.n = 0, c->early_tiers.n = 0, c->early_days = 0;
	else if (d && (rc = parse_targeting(r, d, c, e)))
		return rc;
	if ((d = json_object_get(b, "early_access")) &&
	    (rc = parse_early(d, r, c, "early_access", e)))
		return rc;
	if ((d = json_object_get(b, "stacking")) && json_is_null(d))
		c->stacking = "exclusive", c->max_total_discount = 0;
	else if (d && (rc = parse_stacking(d, c, e)))
		return rc;
	if ((d = json_object_get(b, "referral")) && !json_is_null(d) && (rc = parse_referral(d, c, e)))
		return rc;
	if ((rc = opt_string(b, "concurrency", 20, &c->concurrency, NULL, e)) ||
	    (rc = opt_int(b, "reservation_minutes", 1, CAMPAIGN_RESERVATION_MAX, 0,
			  &c->reservation_minutes, NULL, e)) ||
	    (rc = opt_bool(b, "release_on_refund", &c->release_on_refund, NULL, e)) ||
	    (rc = opt_list(r, b, "triggers", &c->triggers, "triggers", e)) ||
	    (rc = opt_int(b, "points", 0, CAMPAIGN_POINTS_MAX, 0, &c->points, NULL, e)) ||
	    (rc = opt_int(b, "validity_days", 1, CAMPAIGN_DAYS_MAX, 0, &c->validity_days, NULL, e)) ||
	    (rc = opt_int(b, "delay_days", 0, CAMPAIGN_DAYS_MAX, 0, &c->delay_days, NULL, e)) ||
	    (rc = opt_string(b, "issue_on", 40, &c->issue_on, NULL, e)))
		return rc;
	if (!c->concurrency)
		c->concurrency = "reject";
	if (!c->reservation_minutes)
		c->reservation_minutes = CAMPAIGN_RESERVATION_DEFAULT;
	return 0;
}

static json_t *list_json(const struct campaign_list *l)
{
	json_t *a = json_array();
	for (int i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *money_or_null(int64_t v)
{
	return v ? json_integer(v) : json_null();
}

static json_t *render_targeting(const struct campaign *c)
{
	json_t *t = json_object();
	if (!strcmp(c->target, "all"))
		json_object_set_new(t, "all", json_true());
	else if (!strcmp(c->target, "segment"))
		json_object_set_new(t, "segment", c->target_values.n ? json_string(c->target_values.v[0])
								     : json_null());
	else
		json_object_set_new(t, c->target, list_json(&c->target_values));
	json_object_set_new(t, "early_access", c->early_days
		? json_pack("{s:o, s:I}", "tiers", list_json(&c->early_tiers), "days",
			    (json_int_t)c->early_days)
		: json_null());
	return t;
}

static json_t *render_discount(const struct campaign *c)
{
	if (!c->discount_kind)
		return json_null();
	return json_pack("{s:s, s:I, s:o, s:o, s:o, s:{s:o, s:o, s:o, s:o}}",
		"kind", c->discount_kind, "value", (json_int_t)c->discount_value,
		"currency", render_string(c->discount_currency), "max_amount", money_or_null(c->max_amount),
		"gift", render_string(c->gift), "applies_to", "skus", list_json(&c->skus),
		"categories", list_json(&c->categories), "exclude_skus", list_json(&c->exclude_skus),
		"exclude_categories", list_json(&c->exclude_categories));
}

json_t *api_render_campaign(const struct campaign *c, const struct campaign_usage *u)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:s, s:o, s:o}",
		"id", c->id, "object", "campaign", "name", c->name, "type", c->type,
		"status", c->status, "starts_at", render_time(c->starts_at),
		"ends_at", render_time(c->ends_at), "timezone", c->timezone,
		"code", render_string(c->code), "discount", render_discount(c));
	json_object_set_new(o, "conditions", json_pack("{s:o, s:o, s:b, s:o}",
		"min_cart", money_or_null(c->min_cart), "currency", render_string(c->currency),
		"first_order_only", c->first_order_only, "channels", list_json(&c->channels)));
	json_object_set_new(o, "limits", json_pack("{s:o, s:o, s:o, s:s, s:I}",
		"total_uses", money_or_null(c->total_uses), "per_customer", money_or_null(c->per_customer),
		"budget", money_or_null(c->budget), "concurrency", c->concurrency,
		"reservation_minutes", (json_int_t)c->reservation_minutes));
	json_object_set_new(o, "targeting", render_targeting(c));
	json_object_set_new(o, "stacking", json_pack("{s:s, s:o}", "mode", c->stacking,
		"max_total_discount", money_or_null(c->max_total_discount)));
	json_object_set_new(o, "concurrency", json_string(c->concurrency));
	json_object_set_new(o, "reservation_minutes", json_integer(c->reservation_minutes));
	json_object_set_new(o, "release_on_refund", json_boolean(c->release_on_refund));
	json_object_set_new(o, "triggers", list_json(&c->triggers));
	json_object_set_new(o, "points", json_integer(c->points));
	json_object_set_new(o, "validity_days", money_or_null(c->validity_days));
	json_object_set_new(o, "delay_days", json_integer(c->delay_days));
	json_object_set_new(o, "issue_on", render_string(c->issue_on));
	json_object_set_new(o, "referral", !strcmp(c->type, "referral")
		? json_pack("{s:I, s:I}", "referrer_points", (json_int_t)c->referrer_points,
			    "referee_points", (json_int_t)c->referee_points) : json_null());
	if (u)
		json_object_set_new(o, "usage", json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}",
			"uses", (json_int_t)u->final_uses,
			"reserved", (json_int_t)(u->live_uses - u->final_uses),
			"discount_given", (json_int_t)u->final_discount,
			"discount_reserved", (json_int_t)(u->live_discount - u->final_discount),
			"overuse", (json_int_t)u->overuse,
			"budget_left", c->budget ? json_integer(c->budget - u->live_discount > 0
						   ? c->budget - u->live_discount : 0) : json_null()));
	json_object_set_new(o, "created_at", render_time(c->created_at));
	json_object_set_new(o, "updated_at", render_time(c->updated_at));
	json_object_set_new(o, "ended_at", render_time(c->ended_at));
	return o;
}

static int respond(struct campaign_call *k, struct store_tx *tx, int status, struct err *e)
{
	struct campaign_usage u;
	int rc = campaign_usage(tx, k->r->shop_id, k->c.id, &u, e);
	if (!rc)
		req_json(k->r, status, api_render_campaign(&k->c, &u));
	return rc;
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	struct campaign c = k->in;	/* a rerun starts from what was sent */
	int rc = campaign_create(tx, k->r->shop_id, &c, e);
	if (rc || (rc = campaign_get(tx, &k->r->arena, k->r->shop_id, c.id, &k->c, e)))
		return rc;
	return respond(k, tx, 201, e);
}

int api_campaigns_create(struct req *r, struct err *e)
{
	struct campaign_call k = { .r = r };
	const char *type = NULL;
	int rc = jsonv_string(r->json, "type", 1, 40, &type, NULL, e);
	if (rc)
		return rc;
	campaign_defaults(&k.in, type);
	if ((rc = parse_campaign(r, r->json, &k.in, e)))
		return rc;
	k.in.type = type;
	if (!k.in.status)
		k.in.status = "active";
	if ((rc = campaign_check(&k.in, e)))
		return rc;
	return req_write(r, create_tx, &k, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	int rc = campaign_get(tx, &k->r->arena, k->r->shop_id, k->ref, &k->c, e);
	return rc ? rc : respond(k, tx, 200, e);
}

int api_campaigns_get(struct req *r, struct err *e)
{
	struct campaign_call k = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &k, e);
}

static int update_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	struct campaign c;
	int rc = campaign_get(tx, &k->r->arena, k->r->shop_id, k->ref, &c, e);
	if (rc)
		return rc;
	const char *type = c.type;
	if ((rc = parse_campaign(k->r, k->patch, &c, e)))
		return rc;
	if (json_object_get(k->patch, "type")) {
		const char *t = json_string_value(json_object_get(k->patch, "type"));
		if (!t || strcmp(t, type))
			return err_set(e, ERR_INVALID, "type", "a campaign's \"type\" never changes");
	}
	c.type = type;
	if (!c.status)
		c.status = "active";
	if ((rc = campaign_update(tx, k->r->shop_id, &c, e)) ||
	    (rc = campaign_get(tx, &k->r->arena, k->r->shop_id, k->ref, &k->c, e)))
		return rc;
	return respond(k, tx, 200, e);
}

int api_campaigns_update(struct req *r, struct err *e)
{
	struct campaign_call k = { .r = r, .ref = req_param(r, 0), .patch = r->json };
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", NULL, "send the fields to change");
	return req_write(r, update_tx, &k, e);
}

static int end_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	int rc = campaign_end(tx, &k->r->arena, k->r->shop_id, k->ref, &k->c, e);
	return rc ? rc : respond(k, tx, 200, e);
}

int api_campaigns_end(struct req *r, struct err *e)
{
	static const char *const allowed[] = { NULL };
	struct campaign_call k = { .r = r, .ref = req_param(r, 0) };
	int rc = r->json ? jsonv_only_keys(r->json, allowed, "", e) : 0;
	return rc ? rc : req_write(r, end_tx, &k, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	struct campaign *list;
	int n, more, rc = campaign_list(tx, &k->r->arena, k->r->shop_id, k->type, k->status,
					k->starting_after, k->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		struct campaign_usage u;
		if ((rc = campaign_usage(tx, k->r->shop_id, list[i].id, &u, e))) {
			json_decref(data);
			return rc;
		}
		json_array_append_new(data, api_render_campaign(&list[i], &u));
	}
	req_json(k->r, 200, render_list(data, more));
	return 0;
}

int api_campaigns_list(struct req *r, struct err *e)
{
	struct campaign_call k = { .r = r, .type = req_query(r, "type"),
				   .status = req_query(r, "status") };
	int rc = req_page(r, &k.limit, &k.starting_after, e);
	if (rc)
		return rc;
	if (k.type && !campaign_in(campaign_types, k.type))
		return err_set(e, ERR_INVALID, "type", "unknown campaign type \"%s\"", k.type);
	static const char *const statuses[] = { "draft", "active", "ended", NULL };
	if (k.status && !campaign_in(statuses, k.status))
		return err_set(e, ERR_INVALID, "status", "\"status\" is draft, active or ended");
	return req_read(r, list_tx, &k, e);
}

/* ---- codes ---- */

static int generate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	const char **codes;
	int rc = coupon_generate(tx, &k->r->arena, k->r->shop_id, k->ref, k->count, k->prefix,
				 k->length, &codes, e);
	if (rc)
		return rc;
	json_t *list = json_array();
	for (int64_t i = 0; i < k->count; i++)
		json_array_append_new(list, json_string(codes[i]));
	req_json(k->r, 201, json_pack("{s:s, s:s, s:I, s:o}", "object", "code_batch", "campaign",
				      k->ref, "count", (json_int_t)k->count, "codes", list));
	return 0;
}

static int import_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	int64_t imported, skipped;
	int rc = coupon_import(tx, &k->r->arena, k->r->shop_id, k->ref, k->codes, k->ncodes,
			       &imported, &skipped, e);
	if (!rc)
		req_json(k->r, 201, json_pack("{s:s, s:s, s:I, s:I}", "object", "code_import",
					      "campaign", k->ref, "imported", (json_int_t)imported,
					      "skipped", (json_int_t)skipped));
	return rc;
}

/* {count, prefix?, length?} generates; {codes: [...]} imports the shop's own. */
int api_campaigns_codes_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "count", "prefix", "length", "codes", NULL };
	struct campaign_call k = { .r = r, .ref = req_param(r, 0) };
	int has_count, rc;
	json_t *codes = r->json ? json_object_get(r->json, "codes") : NULL;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "count",
				"send {\"count\": N} to generate codes or {\"codes\": [...]} to import");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_int(r->json, "count", 0, 1, COUPON_GENERATE_MAX, &k.count, &has_count, NULL, e)) ||
	    (rc = jsonv_string(r->json, "prefix", 0, COUPON_PREFIX_MAX, &k.prefix, NULL, e)) ||
	    (rc = jsonv_int(r->json, "length", 0, COUPON_LENGTH_MIN, COUPON_LENGTH_MAX, &k.length,
			    NULL, NULL, e)))
		return rc;
	if (has_count == !!codes)
		return err_setc(e, ERR_INVALID, "parameter_missing", "count",
				"send either \"count\" (generate) or \"codes\" (import)");
	if (has_count)
		return req_write(r, generate_tx, &k, e);
	if (k.prefix || json_object_get(r->json, "length"))
		return err_set(e, ERR_INVALID, "codes", "\"prefix\" and \"length\" are for generated"
			       " codes, not imported ones");
	if (!json_is_array(codes) || !json_array_size(codes) ||
	    json_array_size(codes) > COUPON_GENERATE_MAX)
		return err_set(e, ERR_INVALID, "codes", "\"codes\" is an array of 1 to %d strings",
			       COUPON_GENERATE_MAX);
	k.ncodes = (int)json_array_size(codes);
	k.codes = arena_alloc(&r->arena, (size_t)k.ncodes * sizeof(*k.codes));
	for (int i = 0; i < k.ncodes; i++) {
		json_t *s = json_array_get(codes, (size_t)i);
		if (!json_is_string(s))
			return err_set(e, ERR_INVALID, "codes", "\"codes[%d]\" must be a string", i);
		k.codes[i] = json_string_value(s);
	}
	return req_write(r, import_tx, &k, e);
}

json_t *api_render_code(const struct coupon_code *k)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:I, s:o}",
		"object", "coupon_code", "code", k->code, "campaign", k->campaign_id, "kind", k->kind,
		"state", k->state, "customer", render_string(k->customer_id),
		"owner", render_string(k->owner_id), "valid_from", render_time(k->valid_from),
		"expires_at", render_time(k->expires_at), "uses", (json_int_t)k->uses,
		"created_at", render_time(k->created_at));
}

static int codes_list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	struct coupon_code *list;
	int n, more, rc = coupon_list(tx, &k->r->arena, k->r->shop_id, k->ref, k->starting_after,
				      k->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_render_code(&list[i]));
	req_json(k->r, 200, render_list(data, more));
	return 0;
}

int api_campaigns_codes_list(struct req *r, struct err *e)
{
	struct campaign_call k = { .r = r, .ref = req_param(r, 0) };
	int rc = req_page(r, &k.limit, &k.starting_after, e);
	return rc ? rc : req_read(r, codes_list_tx, &k, e);
}

/* ---- personal issues ---- */

static int issue_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct campaign_call *k = ctx;
	int64_t issued, existing, not_targeted;
	int rc = offers_issue_by_interest(tx, &k->r->arena, k->r->shop_id, k->ref, k->codes,
					  k->ncodes, k->segment, k->interest, &issued, &existing,
					  &not_targeted, e);
	if (!rc) {
		json_t *o = json_pack("{s:s, s:s, s:I, s:I}", "object", "offer_issue",
				      "campaign", k->ref, "issued", (json_int_t)issued,
				      "existing", (json_int_t)existing);
		if (k->interest) {	/* issue 12 */
			json_object_set_new(o, "interest", json_string(k->interest));
			json_object_set_new(o, "not_targeted", json_integer(not_targeted));
		}
		req_json(k->r, 200, o);
	}
	return rc;
}

int api_campaigns_issue(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "customers", "segment", "interest", NULL };
	struct campaign_call k = { .r = r, .ref = req_param(r, 0) };
	struct campaign_list l = { 0 };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customers",
				"send \"customers\" (ids) or an RFM \"segment\"");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = opt_list(r, r->json, "customers", &l, "customers", e)) ||
	    (rc = jsonv_string(r->json, "segment", 0, 40, &k.segment, NULL, e)) ||
	    (rc = jsonv_string(r->json, "interest", 0, 100, &k.interest, NULL, e)))
		return rc;
	if (!l.n && !k.segment && !k.interest)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customers",
				"send \"customers\" (ids), an RFM \"segment\" or an \"interest\"");
	if (k.segment) {
		struct campaign probe;
		campaign_defaults(&probe, "personal");
		probe.name = "probe", probe.starts_at = 1, probe.discount_kind = "gift",
		probe.gift = "x", probe.target = "segment";
		probe.target_values.v = &k.segment, probe.target_values.n = 1;
		if ((rc = campaign_check(&probe, e)))
			return err_set(e, ERR_INVALID, "segment", "no RFM segment \"%s\"", k.segment);
	}
	k.codes = l.v, k.ncodes = l.n;
	return req_write(r, issue_tx, &k, e);
}
