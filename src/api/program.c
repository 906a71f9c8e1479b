/* program.c: /v1/program (the loyalty programme, versioned) and its terms. */
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../core/program.h"
#include "api.h"
#include "../render/render.h"

struct program_call {
	struct req *r;
	struct program p;
};

static int get_object(json_t *parent, const char *key, json_t **out, struct err *e)
{
	json_t *v = json_object_get(parent, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, key, "\"%s\" must be an object", key);
	*out = v;
	return 0;
}

static int get_array(json_t *parent, const char *key, const char *param, json_t **out,
		     struct err *e)
{
	json_t *v = json_object_get(parent, key);
	*out = NULL;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return err_set(e, ERR_INVALID, param, "\"%s\" must be an array", param);
	if (json_array_size(v) > PROGRAM_MAX_ITEMS)
		return err_set(e, ERR_INVALID, param, "at most %d items", PROGRAM_MAX_ITEMS);
	*out = v;
	return 0;
}

static const char *param_at(struct req *r, const char *list, size_t i, const char *field)
{
	return arena_printf(&r->arena, "%s[%zu].%s", list, i, field);
}

static int item_object(json_t *arr, size_t i, const char *list, const char *const *allowed,
		       struct req *r, json_t **out, struct err *e)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return err_set(e, ERR_INVALID, list, "each of \"%s\" must be an object", list);
	return jsonv_only_keys(*out, allowed, arena_printf(&r->arena, "%s[%zu].", list, i), e);
}

static int parse_earn(struct req *r, json_t *earn, struct program *p, struct err *e)
{
	static const char *const allowed[] = { "points_per_unit", "include_shipping", "include_tax",
					       "min_order", "multipliers", NULL };
	static const char *const mult_keys[] = { "type", "value", "percent", NULL };
	json_t *arr;
	int rc;
	if (!earn)
		return 0;
	if ((rc = jsonv_only_keys(earn, allowed, "earn.", e)) ||
	    (rc = jsonv_int(earn, "points_per_unit", 0, 0, PROGRAM_POINTS_PER_UNIT_MAX, &p->points_per_unit, NULL,
			    "earn.points_per_unit", e)) ||
	    (rc = jsonv_bool(earn, "include_shipping", 0, &p->include_shipping, NULL,
			     "earn.include_shipping", e)) ||
	    (rc = jsonv_bool(earn, "include_tax", 0, &p->include_tax, NULL, "earn.include_tax", e)) ||
	    (rc = jsonv_money(earn, "min_order", 0, 0, PROGRAM_AMOUNT_MAX, &p->min_order, NULL,
			      "earn.min_order", e)) ||
	    (rc = get_array(earn, "multipliers", "earn.multipliers", &arr, e)))
		return rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_multiplier *m = &p->multipliers[p->nmultipliers++];
		json_t *o;
		if ((rc = item_object(arr, i, "earn.multipliers", mult_keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &m->type, param_at(r, "earn.multipliers", i, "type"), e)) ||
		    (rc = jsonv_string(o, "value", 1, PROGRAM_TEXT_MAX, &m->value,
				       param_at(r, "earn.multipliers", i, "value"), e)) ||
		    (rc = jsonv_int(o, "percent", 1, 0, PROGRAM_PERCENT_MAX, &m->percent, NULL,
				    param_at(r, "earn.multipliers", i, "percent"), e)))
			return rc;
	}
	return 0;
}

static int parse_tiers(struct req *r, json_t *tiers, struct program *p, struct err *e)
{
	static const char *const allowed[] = { "basis", "window_days", "downgrade", "levels", NULL };
	static const char *const level_keys[] = { "name", "threshold", "earn_percent", "free_shipping",
						  "early_access", NULL };
	json_t *arr;
	const char *s;
	int rc;
	if (!tiers)
		return 0;
	if ((rc = jsonv_only_keys(tiers, allowed, "tiers.", e)) ||
	    (rc = jsonv_string(tiers, "basis", 0, 32, &s, "tiers.basis", e)))
		return rc;
	if (s)
		p->tier_basis = s;
	if ((rc = jsonv_string(tiers, "downgrade", 0, 32, &s, "tiers.downgrade", e)))
		return rc;
	if (s)
		p->downgrade = s;
	if ((rc = jsonv_int(tiers, "window_days", 0, 1, 3650, &p->tier_window_days, NULL,
			    "tiers.window_days", e)) ||
	    (rc = get_array(tiers, "levels", "tiers.levels", &arr, e)))
		return rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_tier *t = &p->tiers[p->ntiers++];
		json_t *o;
		t->earn_percent = 100;
		if ((rc = item_object(arr, i, "tiers.levels", level_keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "name", 1, PROGRAM_TEXT_MAX, &t->name,
				       param_at(r, "tiers.levels", i, "name"), e)) ||
		    (rc = jsonv_int(o, "threshold", 1, 1, PROGRAM_AMOUNT_MAX, &t->threshold, NULL,
				    param_at(r, "tiers.levels", i, "threshold"), e)) ||
		    (rc = jsonv_int(o, "earn_percent", 0, 100, PROGRAM_TIER_PERCENT_MAX, &t->earn_percent, NULL,
				    param_at(r, "tiers.levels", i, "earn_percent"), e)) ||
		    (rc = jsonv_bool(o, "free_shipping", 0, &t->free_shipping, NULL,
				     param_at(r, "tiers.levels", i, "free_shipping"), e)) ||
		    (rc = jsonv_bool(o, "early_access", 0, &t->early_access, NULL,
				     param_at(r, "tiers.levels", i, "early_access"), e)))
			return rc;
	}
	return 0;
}

static int parse_milestones(struct req *r, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "type", "n", "points", "gift", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_milestone *m = &p->milestones[p->nmilestones++];
		json_t *o;
		if ((rc = item_object(arr, i, "milestones", keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &m->type, param_at(r, "milestones", i, "type"), e)) ||
		    (rc = jsonv_int(o, "n", 1, 1, 100000, &m->n, NULL, param_at(r, "milestones", i, "n"), e)) ||
		    (rc = jsonv_int(o, "points", 0, 0, PROGRAM_ITEM_POINTS_MAX, &m->points, NULL,
				    param_at(r, "milestones", i, "points"), e)) ||
		    (rc = jsonv_string(o, "gift", 0, PROGRAM_TEXT_MAX, &m->gift,
				       param_at(r, "milestones", i, "gift"), e)))
			return rc;
	}
	return 0;
}

static int parse_rewards(struct req *r, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "key", "kind", "name", "cost", "value",
					     "per_customer_limit", "stock", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_reward *w = &p->rewards[p->nrewards++];
		json_t *o;
		w->stock = -1;
		if ((rc = item_object(arr, i, "rewards", keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "key", 1, PROGRAM_TEXT_MAX, &w->key, param_at(r, "rewards", i, "key"), e)) ||
		    (rc = jsonv_string(o, "kind", 1, 32, &w->kind, param_at(r, "rewards", i, "kind"), e)) ||
		    (rc = jsonv_string(o, "name", 1, PROGRAM_TEXT_MAX, &w->name, param_at(r, "rewards", i, "name"), e)) ||
		    (rc = jsonv_int(o, "cost", 1, 1, PROGRAM_ITEM_POINTS_MAX, &w->cost, NULL, param_at(r, "rewards", i, "cost"), e)) ||
		    (rc = jsonv_int(o, "value", 0, 0, PROGRAM_AMOUNT_MAX, &w->value, NULL,
				    param_at(r, "rewards", i, "value"), e)) ||
		    (rc = jsonv_int(o, "per_customer_limit", 0, 0, PROGRAM_LIMIT_MAX, &w->per_customer_limit, NULL,
				    param_at(r, "rewards", i, "per_customer_limit"), e)) ||
		    (rc = jsonv_int(o, "stock", 0, -1, PROGRAM_COUNT_MAX, &w->stock, NULL,
				    param_at(r, "rewards", i, "stock"), e)))
			return rc;
	}
	return 0;
}

static int parse_bonuses(struct req *r, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "action", "points", "per_customer_limit", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_bonus *b = &p->bonuses[p->nbonuses++];
		json_t *o;
		if ((rc = item_object(arr, i, "bonuses", keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "action", 1, 32, &b->action, param_at(r, "bonuses", i, "action"), e)) ||
		    (rc = jsonv_int(o, "points", 1, 1, PROGRAM_ITEM_POINTS_MAX, &b->points, NULL,
				    param_at(r, "bonuses", i, "points"), e)) ||
		    (rc = jsonv_int(o, "per_customer_limit", 0, 0, PROGRAM_LIMIT_MAX, &b->per_customer_limit, NULL,
				    param_at(r, "bonuses", i, "per_customer_limit"), e)))
			return rc;
	}
	return 0;
}

static int parse_packing(struct req *r, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "type", "value", "text", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_packing *k = &p->packing[p->npacking++];
		json_t *o;
		if ((rc = item_object(arr, i, "packing", keys, r, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &k->type, param_at(r, "packing", i, "type"), e)) ||
		    (rc = jsonv_string(o, "value", 0, PROGRAM_TEXT_MAX, &k->value,
				       param_at(r, "packing", i, "value"), e)) ||
		    (rc = jsonv_string(o, "text", 1, PROGRAM_TEXT_MAX, &k->text,
				       param_at(r, "packing", i, "text"), e)))
			return rc;
	}
	return 0;
}

static int parse_program(struct req *r, struct program *p, struct err *e)
{
	static const char *const allowed[] = { "earn", "pending_days", "expiry", "tiers", "milestones",
		"milestone_survives_partial_refund", "refund_policy", "rewards", "point_value", "cashback",
		"bonuses", "packing", NULL };
	static const char *const cashback_keys[] = { "basis_points", NULL };
	static const char *const expiry_keys[] = { "policy", "n", "reminder_days", NULL };
	json_t *b = r->json, *earn, *expiry, *tiers, *milestones, *rewards, *cashback, *bonuses,
	       *packing;
	const char *s;
	int rc;

	program_defaults(p);
	if (!b)
		return 0;
	if ((rc = jsonv_only_keys(b, allowed, "", e)) || (rc = get_object(b, "earn", &earn, e)) ||
	    (rc = get_object(b, "expiry", &expiry, e)) || (rc = get_object(b, "tiers", &tiers, e)) ||
	    (rc = get_array(b, "milestones", "milestones", &milestones, e)) ||
	    (rc = parse_earn(r, earn, p, e)) || (rc = parse_tiers(r, tiers, p, e)) ||
	    (rc = parse_milestones(r, milestones, p, e)) ||
	    (rc = get_array(b, "rewards", "rewards", &rewards, e)) ||
	    (rc = parse_rewards(r, rewards, p, e)) ||
	    (rc = jsonv_money(b, "point_value", 0, 0, PROGRAM_POINT_VALUE_MAX, &p->point_value, NULL,
			      NULL, e)) ||
	    (rc = get_array(b, "bonuses", "bonuses", &bonuses, e)) ||
	    (rc = parse_bonuses(r, bonuses, p, e)) ||
	    (rc = get_array(b, "packing", "packing", &packing, e)) ||
	    (rc = parse_packing(r, packing, p, e)) ||
	    (rc = get_object(b, "cashback", &cashback, e)) ||
	    (cashback && ((rc = jsonv_only_keys(cashback, cashback_keys, "cashback.", e)) ||
			  (rc = jsonv_int(cashback, "basis_points", 1, 0, PROGRAM_CASHBACK_BP_MAX, &p->cashback_bp, NULL,
					  "cashback.basis_points", e)))) ||
	    (rc = jsonv_int(b, "pending_days", 0, 0, 365, &p->pending_days, NULL, NULL, e)) ||
	    (rc = jsonv_bool(b, "milestone_survives_partial_refund", 0,
			     &p->milestone_survives_partial_refund, NULL, NULL, e)) ||
	    (rc = jsonv_string(b, "refund_policy", 0, 16, &s, NULL, e)))
		return rc;
	if (s)
		p->refund_policy = s;
	if (expiry) {
		if ((rc = jsonv_only_keys(expiry, expiry_keys, "expiry.", e)) ||
		    (rc = jsonv_string(expiry, "policy", 1, 16, &p->expiry, "expiry.policy", e)) ||
		    (rc = jsonv_int(expiry, "n", 0, 0, 3650, &p->expiry_n, NULL, "expiry.n", e)) ||
		    (rc = jsonv_int(expiry, "reminder_days", 0, 0, 365, &p->reminder_days, NULL,
				    "expiry.reminder_days", e)))
			return rc;
	}
	return 0;
}

static json_t *render_program(const struct program *p)
{
	json_t *mults = json_array(), *levels = json_array(), *ms = json_array(), *rw = json_array();
	for (int i = 0; i < p->nrewards; i++)
		json_array_append_new(rw, json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I}",
			"key", p->rewards[i].key, "kind", p->rewards[i].kind, "name", p->rewards[i].name,
			"cost", (json_int_t)p->rewards[i].cost, "value", (json_int_t)p->rewards[i].value,
			"per_customer_limit", (json_int_t)p->rewards[i].per_customer_limit,
			"stock", (json_int_t)p->rewards[i].stock));
	for (int i = 0; i < p->nmultipliers; i++)
		json_array_append_new(mults, json_pack("{s:s, s:s, s:I}", "type", p->multipliers[i].type,
			"value", p->multipliers[i].value, "percent", (json_int_t)p->multipliers[i].percent));
	for (int i = 0; i < p->ntiers; i++)
		json_array_append_new(levels, json_pack("{s:s, s:I, s:I, s:b, s:b}", "name", p->tiers[i].name,
			"threshold", (json_int_t)p->tiers[i].threshold,
			"earn_percent", (json_int_t)p->tiers[i].earn_percent,
			"free_shipping", p->tiers[i].free_shipping, "early_access", p->tiers[i].early_access));
	for (int i = 0; i < p->nmilestones; i++)
		json_array_append_new(ms, json_pack("{s:s, s:I, s:I, s:o}", "type", p->milestones[i].type,
			"n", (json_int_t)p->milestones[i].n, "points", (json_int_t)p->milestones[i].points,
			"gift", render_string(p->milestones[i].gift)));
	json_t *out = json_pack("{s:s, s:I, s:o, s:{s:I, s:b, s:b, s:I, s:o}, s:I,"
			 " s:{s:s, s:I, s:I}, s:{s:s, s:I, s:s, s:o}, s:o, s:b, s:s}",
		"object", "program", "version", (json_int_t)p->version,
		"created_at", render_time(p->created_at),
		"earn", "points_per_unit", (json_int_t)p->points_per_unit,
		"include_shipping", p->include_shipping, "include_tax", p->include_tax,
		"min_order", (json_int_t)p->min_order, "multipliers", mults,
		"pending_days", (json_int_t)p->pending_days,
		"expiry", "policy", p->expiry, "n", (json_int_t)p->expiry_n,
		"reminder_days", (json_int_t)p->reminder_days,
		"tiers", "basis", p->tier_basis, "window_days", (json_int_t)p->tier_window_days,
		"downgrade", p->downgrade, "levels", levels,
		"milestones", ms,
		"milestone_survives_partial_refund", p->milestone_survives_partial_refund,
		"refund_policy", p->refund_policy);
	json_object_set_new(out, "rewards", rw);
	json_t *packing = json_array();
	for (int i = 0; i < p->npacking; i++)
		json_array_append_new(packing, json_pack("{s:s, s:o, s:s}", "type", p->packing[i].type,
			"value", render_string(p->packing[i].value), "text", p->packing[i].text));
	json_object_set_new(out, "packing", packing);
	json_object_set_new(out, "point_value", json_integer(p->point_value));
	json_object_set_new(out, "cashback", json_pack("{s:I}", "basis_points", (json_int_t)p->cashback_bp));
	json_t *bonuses = json_array();
	for (int i = 0; i < p->nbonuses; i++)
		json_array_append_new(bonuses, json_pack("{s:s, s:I, s:I}", "action", p->bonuses[i].action,
			"points", (json_int_t)p->bonuses[i].points,
			"per_customer_limit", (json_int_t)p->bonuses[i].per_customer_limit));
	json_object_set_new(out, "bonuses", bonuses);
	return out;
}

static int put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct program_call *c = ctx;
	int rc = program_put(tx, c->r->shop_id, &c->p, e);
	if (!rc)
		req_json(c->r, 200, render_program(&c->p));
	return rc;
}

int api_program_put(struct req *r, struct err *e)
{
	struct program_call c = { .r = r };
	int rc = parse_program(r, &c.p, e);
	return rc ? rc : req_write(r, put_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct program_call *c = ctx;
	int rc = program_get(tx, &c->r->arena, c->r->shop_id, &c->p, e);
	if (!rc && !c->p.version)
		return err_setc(e, ERR_NOT_FOUND, "program_missing", NULL,
				"this shop has no loyalty programme yet: PUT /v1/program creates it");
	if (!rc)
		req_json(c->r, 200, render_program(&c->p));
	return rc;
}

int api_program_get(struct req *r, struct err *e)
{
	struct program_call c = { .r = r };
	return req_read(r, get_tx, &c, e);
}

static int terms_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct program_call *c = ctx;
	int rc = program_get(tx, &c->r->arena, c->r->shop_id, &c->p, e);
	if (!rc)
		req_json(c->r, 200, json_pack("{s:s, s:I, s:s}", "object", "program_terms",
					      "version", (json_int_t)c->p.version,
					      "text", program_terms(&c->r->arena, &c->p)));
	return rc;
}

int api_program_terms(struct req *r, struct err *e)
{
	struct program_call c = { .r = r };
	return req_read(r, terms_tx, &c, e);
}
