/*
 * storefront.c: what the storefront widget (issue 14, docs/widget.md) reads
 * beside the loyalty summary, open to the secret key and to the publishable
 * key with the customer's token (api_customer_scope).
 *
 * GET /v1/customers/{id}/orders: a customer's
 * past orders as the customer sees them, newest first, in cursor pages: the
 * lines, the amounts, the points the order earned and its delivery state
 * (core/order_delivery.h) with each parcel's carrier and tracking id. The
 * same shape for the secret key and for the storefront (the publishable key
 * with that customer's token, api_customer_scope); payments, refunds' reasons
 * and the seller stay on /v1/orders.
 */
#include <string.h>

#include "../core/ledger.h"
#include "../core/order.h"
#include "../core/order_delivery.h"
#include "../core/program.h"
#include "../core/shipment.h"
#include "api.h"
#include "../render/render.h"

struct customer_orders_call {
	struct req *r;
	const char *ref, *starting_after;
	int limit;
};

static json_t *render_parcels(const struct shipment *s, int n)
{
	json_t *list = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:s, s:o, s:s, s:o, s:o}",
			"id", s[i].id, "carrier", s[i].carrier,
			"tracking_id", render_string(s[i].tracking_id), "status", s[i].status,
			"shipped_at", render_time(s[i].shipped_at),
			"delivered_at", render_time(s[i].delivered_at)));
	return list;
}

static json_t *render_customer_order(const struct order *o, const struct order_earning *earned,
				     const struct shipment *s, int n)
{
	struct order_delivery d;
	json_t *lines = json_array();
	order_delivery_summary(o, s, n, &d);
	for (int i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		json_array_append_new(lines, json_pack("{s:s, s:o, s:I, s:I, s:I}",
			"sku", l->sku, "name", render_string(l->name),
			"quantity", (json_int_t)l->quantity, "unit_price", (json_int_t)l->unit_price,
			"refunded_quantity", (json_int_t)l->refunded_quantity));
	}
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
		"id", o->id, "object", "customer_order", "external_id", o->external_id,
		"status", o->status, "currency", o->currency, "placed_at", render_time(o->placed_at),
		"subtotal", (json_int_t)o->subtotal, "discount", (json_int_t)o->discount,
		"shipping", (json_int_t)o->shipping, "tax", (json_int_t)o->tax,
		"total", (json_int_t)o->total, "refunded_amount", (json_int_t)o->refunded_amount,
		"lines", lines);
	json_object_set_new(out, "points", earned->known
		? json_pack("{s:I, s:I}", "earned", (json_int_t)earned->points,
			    "clawed_back", (json_int_t)earned->clawed)
		: json_null());
	json_object_set_new(out, "delivery", json_pack("{s:s, s:o, s:o, s:b, s:o}",
		"state", d.state, "promised_at", render_time(d.promised_at),
		"delivered_at", render_time(d.delivered_at), "late", d.late,
		"shipments", render_parcels(s, n)));
	return out;
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_orders_call *c = ctx;
	struct arena *a = &c->r->arena;
	char customer[ID_MAX];
	struct order *list;
	int n, more, rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (rc)
		return rc;
	struct order_filter f = { .customer = customer };
	if ((rc = order_list(tx, a, c->r->shop_id, &f, c->starting_after, c->limit, &list, &n,
			     &more, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		struct order_earning earned;
		struct shipment *s;
		int ns;
		if ((rc = ledger_order_earning(tx, a, c->r->shop_id, list[i].id, &earned, e)) ||
		    (rc = shipment_list_of_order(tx, a, c->r->shop_id, list[i].id, &s, &ns, e))) {
			json_decref(data);
			return rc;
		}
		json_array_append_new(data, render_customer_order(&list[i], &earned, s, ns));
	}
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_customers_orders(struct req *r, struct err *e)
{
	struct customer_orders_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, list_tx, &c, e);
}

/*
 * GET /v1/customers/{id}/rewards: the programme's reward catalogue as this
 * customer may redeem it: each reward with its cost, and "affordable" when
 * the available points cover it and stock is left. The per-customer limit is
 * checked by the redemption itself (core/redemption.h).
 */
static int rewards_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_orders_call *c = ctx;
	struct arena *a = &c->r->arena;
	char customer[ID_MAX];
	struct loyalty_balance b;
	struct program p;
	int rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (rc || (rc = program_get(tx, a, c->r->shop_id, &p, e)) ||
	    (rc = ledger_balance(tx, a, c->r->shop_id, customer, &b, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < p.nrewards; i++) {
		const struct program_reward *w = &p.rewards[i];
		json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:b}",
			"object", "reward", "key", w->key, "kind", w->kind, "name", w->name,
			"cost", (json_int_t)w->cost, "value", (json_int_t)w->value,
			"stock", w->stock < 0 ? json_null() : json_integer(w->stock),
			"affordable", b.available >= w->cost && w->stock != 0));
	}
	json_t *out = render_list(data, 0);
	json_object_set_new(out, "points_available", json_integer(b.available));
	req_json(c->r, 200, out);
	return 0;
}

int api_customers_rewards(struct req *r, struct err *e)
{
	struct customer_orders_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, rewards_tx, &c, e);
}
