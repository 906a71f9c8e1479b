/* program.c: /v1/program (the loyalty programme, versioned) and its terms. */
#include "../core/program.h"
#include "../render/program_body.h"
#include "api.h"
#include "../render/render.h"

struct program_call {
	struct req *r;
	struct program p;
};

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
	int rc = program_body_parse(&r->arena, r->json, &c.p, e);
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
