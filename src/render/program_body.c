/* program_body.c: see program_body.h. Moved from api/program.c unchanged but
 * for the arena it names parameters in. */
#include "program_body.h"

#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"

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

static const char *param_at(struct arena *a, const char *list, size_t i, const char *field)
{
	return arena_printf(a, "%s[%zu].%s", list, i, field);
}

static int item_object(json_t *arr, size_t i, const char *list, const char *const *allowed,
		       struct arena *a, json_t **out, struct err *e)
{
	*out = json_array_get(arr, i);
	if (!json_is_object(*out))
		return err_set(e, ERR_INVALID, list, "each of \"%s\" must be an object", list);
	return jsonv_only_keys(*out, allowed, arena_printf(a, "%s[%zu].", list, i), e);
}

static int parse_earn(struct arena *a, json_t *earn, struct program *p, struct err *e)
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
		if ((rc = item_object(arr, i, "earn.multipliers", mult_keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &m->type, param_at(a, "earn.multipliers", i, "type"), e)) ||
		    (rc = jsonv_string(o, "value", 1, PROGRAM_TEXT_MAX, &m->value,
				       param_at(a, "earn.multipliers", i, "value"), e)) ||
		    (rc = jsonv_int(o, "percent", 1, 0, PROGRAM_PERCENT_MAX, &m->percent, NULL,
				    param_at(a, "earn.multipliers", i, "percent"), e)))
			return rc;
	}
	return 0;
}

static int parse_tiers(struct arena *a, json_t *tiers, struct program *p, struct err *e)
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
		if ((rc = item_object(arr, i, "tiers.levels", level_keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "name", 1, PROGRAM_TEXT_MAX, &t->name,
				       param_at(a, "tiers.levels", i, "name"), e)) ||
		    (rc = jsonv_int(o, "threshold", 1, 1, PROGRAM_AMOUNT_MAX, &t->threshold, NULL,
				    param_at(a, "tiers.levels", i, "threshold"), e)) ||
		    (rc = jsonv_int(o, "earn_percent", 0, 100, PROGRAM_TIER_PERCENT_MAX, &t->earn_percent, NULL,
				    param_at(a, "tiers.levels", i, "earn_percent"), e)) ||
		    (rc = jsonv_bool(o, "free_shipping", 0, &t->free_shipping, NULL,
				     param_at(a, "tiers.levels", i, "free_shipping"), e)) ||
		    (rc = jsonv_bool(o, "early_access", 0, &t->early_access, NULL,
				     param_at(a, "tiers.levels", i, "early_access"), e)))
			return rc;
	}
	return 0;
}

static int parse_milestones(struct arena *a, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "type", "n", "points", "gift", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_milestone *m = &p->milestones[p->nmilestones++];
		json_t *o;
		if ((rc = item_object(arr, i, "milestones", keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &m->type, param_at(a, "milestones", i, "type"), e)) ||
		    (rc = jsonv_int(o, "n", 1, 1, 100000, &m->n, NULL, param_at(a, "milestones", i, "n"), e)) ||
		    (rc = jsonv_int(o, "points", 0, 0, PROGRAM_ITEM_POINTS_MAX, &m->points, NULL,
				    param_at(a, "milestones", i, "points"), e)) ||
		    (rc = jsonv_string(o, "gift", 0, PROGRAM_TEXT_MAX, &m->gift,
				       param_at(a, "milestones", i, "gift"), e)))
			return rc;
	}
	return 0;
}

static int parse_rewards(struct arena *a, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "key", "kind", "name", "cost", "value",
					     "per_customer_limit", "stock", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_reward *w = &p->rewards[p->nrewards++];
		json_t *o;
		w->stock = -1;
		if ((rc = item_object(arr, i, "rewards", keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "key", 1, PROGRAM_TEXT_MAX, &w->key, param_at(a, "rewards", i, "key"), e)) ||
		    (rc = jsonv_string(o, "kind", 1, 32, &w->kind, param_at(a, "rewards", i, "kind"), e)) ||
		    (rc = jsonv_string(o, "name", 1, PROGRAM_TEXT_MAX, &w->name, param_at(a, "rewards", i, "name"), e)) ||
		    (rc = jsonv_int(o, "cost", 1, 1, PROGRAM_ITEM_POINTS_MAX, &w->cost, NULL, param_at(a, "rewards", i, "cost"), e)) ||
		    (rc = jsonv_int(o, "value", 0, 0, PROGRAM_AMOUNT_MAX, &w->value, NULL,
				    param_at(a, "rewards", i, "value"), e)) ||
		    (rc = jsonv_int(o, "per_customer_limit", 0, 0, PROGRAM_LIMIT_MAX, &w->per_customer_limit, NULL,
				    param_at(a, "rewards", i, "per_customer_limit"), e)) ||
		    (rc = jsonv_int(o, "stock", 0, -1, PROGRAM_COUNT_MAX, &w->stock, NULL,
				    param_at(a, "rewards", i, "stock"), e)))
			return rc;
	}
	return 0;
}

static int parse_bonuses(struct arena *a, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "action", "points", "per_customer_limit", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_bonus *b = &p->bonuses[p->nbonuses++];
		json_t *o;
		if ((rc = item_object(arr, i, "bonuses", keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "action", 1, 32, &b->action, param_at(a, "bonuses", i, "action"), e)) ||
		    (rc = jsonv_int(o, "points", 1, 1, PROGRAM_ITEM_POINTS_MAX, &b->points, NULL,
				    param_at(a, "bonuses", i, "points"), e)) ||
		    (rc = jsonv_int(o, "per_customer_limit", 0, 0, PROGRAM_LIMIT_MAX, &b->per_customer_limit, NULL,
				    param_at(a, "bonuses", i, "per_customer_limit"), e)))
			return rc;
	}
	return 0;
}

static int parse_packing(struct arena *a, json_t *arr, struct program *p, struct err *e)
{
	static const char *const keys[] = { "type", "value", "text", NULL };
	int rc;
	for (size_t i = 0; i < json_array_size(arr); i++) {
		struct program_packing *k = &p->packing[p->npacking++];
		json_t *o;
		if ((rc = item_object(arr, i, "packing", keys, a, &o, e)) ||
		    (rc = jsonv_string(o, "type", 1, 16, &k->type, param_at(a, "packing", i, "type"), e)) ||
		    (rc = jsonv_string(o, "value", 0, PROGRAM_TEXT_MAX, &k->value,
				       param_at(a, "packing", i, "value"), e)) ||
		    (rc = jsonv_string(o, "text", 1, PROGRAM_TEXT_MAX, &k->text,
				       param_at(a, "packing", i, "text"), e)))
			return rc;
	}
	return 0;
}

int program_body_parse(struct arena *a, json_t *b, struct program *p, struct err *e)
{
	static const char *const allowed[] = { "earn", "pending_days", "expiry", "tiers", "milestones",
		"milestone_survives_partial_refund", "refund_policy", "rewards", "point_value", "cashback",
		"bonuses", "packing", NULL };
	static const char *const cashback_keys[] = { "basis_points", NULL };
	static const char *const expiry_keys[] = { "policy", "n", "reminder_days", NULL };
	json_t *earn, *expiry, *tiers, *milestones, *rewards, *cashback, *bonuses, *packing;
	const char *s;
	int rc;

	program_defaults(p);
	if (!b)
		return 0;
	if ((rc = jsonv_only_keys(b, allowed, "", e)) || (rc = get_object(b, "earn", &earn, e)) ||
	    (rc = get_object(b, "expiry", &expiry, e)) || (rc = get_object(b, "tiers", &tiers, e)) ||
	    (rc = get_array(b, "milestones", "milestones", &milestones, e)) ||
	    (rc = parse_earn(a, earn, p, e)) || (rc = parse_tiers(a, tiers, p, e)) ||
	    (rc = parse_milestones(a, milestones, p, e)) ||
	    (rc = get_array(b, "rewards", "rewards", &rewards, e)) ||
	    (rc = parse_rewards(a, rewards, p, e)) ||
	    (rc = jsonv_money(b, "point_value", 0, 0, PROGRAM_POINT_VALUE_MAX, &p->point_value, NULL,
			      NULL, e)) ||
	    (rc = get_array(b, "bonuses", "bonuses", &bonuses, e)) ||
	    (rc = parse_bonuses(a, bonuses, p, e)) ||
	    (rc = get_array(b, "packing", "packing", &packing, e)) ||
	    (rc = parse_packing(a, packing, p, e)) ||
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
