/* backtest.c: POST /v1/campaigns/{id}/backtest and POST /v1/program/backtest.
 * POST because they take a body (a draft programme can be large), but they
 * only read: each runs in one read transaction and is not idempotent-keyed,
 * since there is nothing to replay. */
#include <stdio.h>

#include "../base/jsonv.h"
#include "../core/backtest.h"
#include "../render/program_body.h"
#include "../render/render_backtest.h"
#include "api.h"

struct backtest_call {
	struct req *r;
	const char *campaign;
	struct backtest_options o;
	struct program draft;
	struct backtest_campaign_result campaign_out;
	struct backtest_program_result program_out;
};

static int parse_days(json_t *body, struct backtest_options *o, struct err *e)
{
	o->days = BACKTEST_DAYS_DEFAULT;
	int rc = jsonv_int(body, "days", JSONV_OPTIONAL, BACKTEST_DAYS_MIN, BACKTEST_DAYS_MAX,
			   &o->days, NULL, NULL, e);
	return rc ? rc : backtest_check_options(o, e);
}

static int campaign_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct backtest_call *c = ctx;
	int rc = backtest_campaign(tx, &c->r->arena, c->r->shop_id, c->campaign, &c->o,
				   &c->campaign_out, e);
	if (!rc)
		req_json(c->r, 200, render_backtest_campaign(&c->campaign_out));
	return rc;
}

int api_backtest_campaign(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "days", "respect_window", NULL };
	struct backtest_call *c = arena_alloc(&r->arena, sizeof(*c));
	int rc;
	c->r = r;
	c->campaign = req_param(r, 0);
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) || (rc = parse_days(r->json, &c->o, e)) ||
	    (rc = jsonv_bool(r->json, "respect_window", JSONV_OPTIONAL, &c->o.respect_window, NULL,
			     NULL, e)))
		return rc;
	return req_read(r, campaign_tx, c, e);
}

static int program_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct backtest_call *c = ctx;
	int rc = backtest_program(tx, &c->r->arena, c->r->shop_id, &c->draft, &c->o,
				  &c->program_out, e);
	if (!rc)
		req_json(c->r, 200, render_backtest_program(&c->program_out));
	return rc;
}

/* The draft's fields are named as in PUT /v1/program, under "program.". */
static int prefix_param(struct req *r, int rc, struct err *e)
{
	if (rc == ERR_INVALID)
		snprintf(e->param, sizeof(e->param), "%s",
			 arena_printf(&r->arena, "program%s%s", e->param[0] ? "." : "", e->param));
	return rc;
}

int api_backtest_program(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "program", "days", NULL };
	struct backtest_call *c = arena_alloc(&r->arena, sizeof(*c));
	json_t *draft = json_object_get(r->json, "program");
	int rc;
	c->r = r;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) || (rc = parse_days(r->json, &c->o, e)))
		return rc;
	if (!json_is_object(draft))
		return err_setc(e, ERR_INVALID, draft ? "parameter_invalid" : "parameter_missing",
				"program", "\"program\" must be an object: a draft programme in the"
				" shape of PUT /v1/program");
	if ((rc = prefix_param(r, program_body_parse(&r->arena, draft, &c->draft, e), e)) ||
	    (rc = prefix_param(r, program_check(&c->draft, e), e)))
		return rc;
	return req_read(r, program_tx, c, e);
}
