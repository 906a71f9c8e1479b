/* redemptions.c: /v1/customers/{id}/redemptions and /v1/redemptions/{id}. */
#include <string.h>

#include "../base/jsonv.h"
#include "../core/redemption.h"
#include "api.h"
#include "../render/render.h"

struct redemption_call {
	struct req *r;
	const char *ref, *starting_after;
	struct redemption_input in;
	int limit;
};

static json_t *render_redemption(const struct redemption *d)
{
	int fulfilment = !strcmp(d->kind, "gift") || !strcmp(d->kind, "warranty") ||
			 !strcmp(d->kind, "insurance");
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:s, s:o, s:o}",
		"id", d->id, "object", "redemption", "customer", d->customer_id,
		"reward", render_string(d->reward_key), "kind", d->kind, "name", d->name,
		"points", (json_int_t)d->points, "value", (json_int_t)d->value,
		"code", render_string(d->code), "order", render_string(d->order_id),
		"fulfilment", fulfilment ? json_pack("{s:s, s:s}", "type", d->kind, "status",
						     !strcmp(d->status, "active") ? "to_fulfil" : "cancelled")
					 : json_null(),
		"status", d->status, "created_at", render_time(d->created_at),
		"cancelled_at", render_time(d->cancelled_at));
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct redemption_call *c = ctx;
	struct redemption d;
	char customer[ID_MAX];
	/* Issue 14: the storefront redeems for the customer of its token only. */
	int rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (!rc)
		rc = redemption_create(tx, &c->r->arena, c->r->shop_id, customer, &c->in, &d, e);
	if (!rc)
		req_json(c->r, 201, render_redemption(&d));
	return rc;
}

int api_redemptions_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "reward", "points", "order", NULL };
	struct redemption_call c = { .r = r, .ref = req_param(r, 0) };
	int has_points, rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "reward", 0, 100, &c.in.reward, NULL, e)) ||
	    (rc = jsonv_int(r->json, "points", 0, 1, 1000000000, &c.in.points, &has_points, NULL, e)) ||
	    (rc = jsonv_string(r->json, "order", 0, 220, &c.in.order, NULL, e)))
		return rc;
	if (!c.in.reward == !has_points)
		return err_setc(e, ERR_INVALID, "parameter_missing", "reward",
				"send either \"reward\" (a catalogue key) or \"points\" with an \"order\"");
	if (c.in.reward && c.in.order)
		return err_set(e, ERR_INVALID, "order", "\"order\" goes with \"points\", not a reward");
	return req_write(r, create_tx, &c, e);
}

static int cancel_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct redemption_call *c = ctx;
	struct redemption d;
	int rc = redemption_cancel(tx, &c->r->arena, c->r->shop_id, c->ref, &d, e);
	if (!rc)
		req_json(c->r, 200, render_redemption(&d));
	return rc;
}

int api_redemptions_cancel(struct req *r, struct err *e)
{
	struct redemption_call c = { .r = r, .ref = req_param(r, 0) };
	static const char *const allowed[] = { NULL };
	int rc = jsonv_only_keys(r->json, allowed, "", e);
	return rc ? rc : req_write(r, cancel_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct redemption_call *c = ctx;
	struct redemption d;
	int rc = redemption_get(tx, &c->r->arena, c->r->shop_id, c->ref, &d, e);
	if (!rc)
		req_json(c->r, 200, render_redemption(&d));
	return rc;
}

int api_redemptions_get(struct req *r, struct err *e)
{
	struct redemption_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct redemption_call *c = ctx;
	struct redemption *list;
	char customer[ID_MAX];
	int n, more;
	int rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (rc)
		return rc;
	rc = redemption_list(tx, &c->r->arena, c->r->shop_id, customer, c->starting_after,
				 c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_redemption(&list[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_redemptions_list(struct req *r, struct err *e)
{
	struct redemption_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, list_tx, &c, e);
}
