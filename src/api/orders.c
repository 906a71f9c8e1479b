/* orders.c: /v1/orders with payments, cancellation and refunds. */
#include <stdio.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/jsonv.h"
#include "../core/coupon.h"
#include "../core/customer.h"
#include "../core/ledger.h"
#include "../core/order.h"
#include "../core/shipment.h"
#include "api.h"
#include "../render/render.h"

struct order_call {
	struct req *r;
	const char *ref, *starting_after;
	struct order_input in;
	struct payment_input pay;
	struct refund_input refund;
	struct order_filter filter;
	int limit, created;
	char fingerprint[68];
};

int api_orders_parse_customer(struct req *r, json_t *body, struct order_customer *c, struct err *e)
{
	static const char *const allowed[] = { "id", "external_id", "email", "phone", "whatsapp",
					       "name", NULL };
	json_t *v = json_object_get(body, "customer");
	int rc;
	if (!v || json_is_null(v))
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer",
				"\"customer\" is required: an id, or an object with id, external_id,"
				" email, phone or whatsapp");
	if (json_is_string(v)) {
		const char *s = json_string_value(v), *ref;
		int ext = !strncmp(s + strspn(s, " \t"), "ext:", 4);
		if ((rc = customer_clean_ref(&r->arena, s, "customer", &ref, e)) ||
		    (ext && (rc = customer_clean_ref(&r->arena, ref + 4, "customer", &ref, e))))
			return err_set(e, ERR_INVALID, "customer",
				       "\"customer\" must be a customer id or \"ext:\" and an external id,"
				       " not \"%s\"", s);
		if (ext)
			c->external_id = ref;
		else
			c->id = ref;
		return 0;
	}
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, "customer", "\"customer\" must be a string or an object");
	if ((rc = jsonv_only_keys(v, allowed, "customer.", e)))
		return rc;
	if ((rc = jsonv_string(v, "id", 0, 64, &c->id, "customer.id", e)) ||
	    (rc = jsonv_string(v, "external_id", 0, ORDER_TEXT_MAX, &c->external_id,
			       "customer.external_id", e)) ||
	    (rc = jsonv_string(v, "email", 0, 254, &c->email, "customer.email", e)) ||
	    (rc = jsonv_string(v, "phone", 0, 40, &c->phone, "customer.phone", e)) ||
	    (rc = jsonv_string(v, "whatsapp", 0, 40, &c->whatsapp, "customer.whatsapp", e)) ||
	    (rc = jsonv_string(v, "name", 0, ORDER_TEXT_MAX, &c->name, "customer.name", e)))
		return rc;
	if ((c->id && (rc = customer_clean_ref(&r->arena, c->id, "customer.id", &c->id, e))) ||
	    (c->external_id && (rc = customer_clean_ref(&r->arena, c->external_id,
							"customer.external_id", &c->external_id, e))))
		return rc;
	/* A name alone finds nobody: without an identity the order would get an
	 * anonymous customer no later order can ever reach. */
	if (!c->id && !c->external_id && !c->email && !c->phone && !c->whatsapp)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer",
				"\"customer\" needs an id, external_id, email, phone or whatsapp");
	return 0;
}

static int parse_lines(struct req *r, json_t *arr, struct order_input *in, struct err *e)
{
	static const char *const allowed[] = { "sku", "name", "category", "quantity",
					       "unit_price", "discount", NULL };
	if (!arr || json_is_null(arr))
		return err_setc(e, ERR_INVALID, "parameter_missing", "lines", "\"lines\" is required");
	if (!json_is_array(arr))
		return err_set(e, ERR_INVALID, "lines", "\"lines\" must be an array");
	size_t n = json_array_size(arr);
	if (n > ORDER_MAX_LINES)
		return err_set(e, ERR_INVALID, "lines", "at most %d lines", ORDER_MAX_LINES);
	in->lines = arena_alloc(&r->arena, (n + 1) * sizeof(*in->lines));
	in->nlines = (int)n;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct order_line *l = &in->lines[i];
		char prefix[32], p[6][40];
		int rc;
		/* Each field's own path ("lines[3].unit_price"); the error copies it. */
		for (int f = 0; f < 6; f++)
			jsonv_item_path(p[f], sizeof(p[f]), "lines", i, allowed[f]);
		jsonv_item_path(prefix, sizeof(prefix), "lines", i, NULL);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, prefix, "\"%s\" must be an object", prefix);
		jsonv_item_path(prefix, sizeof(prefix), "lines", i, "");
		if ((rc = jsonv_only_keys(o, allowed, prefix, e)) ||
		    (rc = jsonv_string(o, "sku", 1, ORDER_TEXT_MAX, &l->sku, p[0], e)) ||
		    (rc = jsonv_string(o, "name", 0, ORDER_TEXT_MAX, &l->name, p[1], e)) ||
		    (rc = jsonv_string(o, "category", 0, ORDER_TEXT_MAX, &l->category, p[2], e)) ||
		    (rc = jsonv_int(o, "quantity", 1, 1, ORDER_QUANTITY_MAX, &l->quantity, NULL,
				    p[3], e)) ||
		    (rc = jsonv_money(o, "unit_price", 1, 0, ORDER_AMOUNT_MAX, &l->unit_price, NULL,
				      p[4], e)) ||
		    (rc = jsonv_money(o, "discount", 0, 0, ORDER_AMOUNT_MAX, &l->discount, NULL,
				      p[5], e)))
			return rc;
	}
	return 0;
}

static int parse_order(struct req *r, struct order_input *in, struct err *e)
{
	static const char *const allowed[] = { "external_id", "customer", "currency", "lines",
		"shipping", "tax", "total", "channel", "seller", "placed_at",
		"promised_delivery_at", NULL };
	json_t *b = r->json;
	int rc;
	memset(in, 0, sizeof(*in));
	if ((rc = jsonv_only_keys(b, allowed, "", e)) ||
	    (rc = jsonv_string(b, "external_id", 1, ORDER_TEXT_MAX, &in->external_id, NULL, e)) ||
	    (rc = api_orders_parse_customer(r, b, &in->customer, e)) ||
	    (rc = jsonv_string(b, "currency", 1, 3, &in->currency, NULL, e)) ||
	    (rc = parse_lines(r, json_object_get(b, "lines"), in, e)) ||
	    (rc = jsonv_money(b, "shipping", 0, 0, ORDER_AMOUNT_MAX, &in->shipping, NULL, NULL, e)) ||
	    (rc = jsonv_money(b, "tax", 0, 0, ORDER_AMOUNT_MAX, &in->tax, NULL, NULL, e)) ||
	    /* No upper bound here: core/order.c names the line that is too large,
	     * then a total that does not match (bounded lines cannot overflow it). */
	    (rc = jsonv_money(b, "total", 1, 0, INT64_MAX, &in->total, NULL, NULL, e)) ||
	    (rc = jsonv_string(b, "channel", 0, 32, &in->channel, NULL, e)) ||
	    (rc = jsonv_string(b, "seller", 0, ORDER_TEXT_MAX, &in->seller, NULL, e)) ||
	    (rc = jsonv_time_between(b, "placed_at", 0, ORDER_TIME_MIN_MS, ORDER_TIME_MAX_MS,
				     &in->placed_at, NULL, NULL, e)) ||
	    (rc = jsonv_time_between(b, "promised_delivery_at", 0, ORDER_TIME_MIN_MS,
				     ORDER_TIME_MAX_MS, &in->promised_delivery_at, NULL, NULL, e)))
		return rc;
	return 0;
}

/* What an order's answer shows beside the order itself (all in the arena). */
struct order_extras {
	struct order_earning earning;
	struct coupon_redemption *coupons;
	int ncoupons;
	struct shipment *shipments;
	int nshipments;
};

/* The extras of o, read in tx (the order's own transaction). */
static int read_extras(struct store_tx *tx, struct req *r, const struct order *o,
		       struct order_extras *x, struct err *e)
{
	if (ledger_order_earning(tx, &r->arena, r->shop_id, o->id, &x->earning, e) ||
	    coupon_redemptions_of_order_once(tx, &r->arena, r->shop_id, o->id, &x->coupons,
					     &x->ncoupons, e) ||
	    shipment_list_of_order(tx, &r->arena, r->shop_id, o->id, &x->shipments,
				   &x->nshipments, e))
		return e->kind ? e->kind : ERR_INTERNAL;
	return 0;
}

static json_t *order_json_of(const struct order *o, const struct order_extras *x)
{
	json_t *out = render_order(o, &x->earning), *list = json_array(), *parcels = json_array();
	for (int i = 0; i < x->ncoupons; i++)
		json_array_append_new(list, api_render_coupon_redemption(&x->coupons[i]));
	for (int i = 0; i < x->nshipments; i++)
		json_array_append_new(parcels, api_render_shipment(&x->shipments[i]));
	json_object_set_new(out, "coupons", list);
	json_object_set_new(out, "shipments", parcels);
	return out;
}

/* The response of one order, written without its tree (render_order_open)
 * where it can be: the bytes jsonv_dump() of order_json_of() writes. A
 * coupon or shipment json_pack() refused is left out, as the array append
 * of its NULL leaves it out there. */
#define PUT_LITERAL(b, lit) jsonv_put_raw((b), lit, sizeof(lit) - 1)

/* An array's element j, after a comma unless it is the first, and freed;
 * NULL (a render that failed) is left out, as json_array_append_new did. */
static void put_element(struct buf *b, json_t *j, int *first)
{
	if (!j)
		return;
	if (!*first)
		PUT_LITERAL(b, ",");
	jsonv_put_json(b, j);
	*first = 0;
	json_decref(j);
}

static void respond_order_of(struct req *r, int status, const struct order *o,
			     const struct order_extras *x)
{
	struct buf b;
	buf_init(&b, 0);
	int rc = render_order_open(&b, o, &x->earning), first = 1;
	PUT_LITERAL(&b, ",\"coupons\":[");
	for (int i = 0; !rc && i < x->ncoupons; i++)
		put_element(&b, api_render_coupon_redemption(&x->coupons[i]), &first);
	PUT_LITERAL(&b, "],\"shipments\":[");
	first = 1;
	for (int i = 0; !rc && i < x->nshipments; i++)
		put_element(&b, api_render_shipment(&x->shipments[i]), &first);
	PUT_LITERAL(&b, "]}");
	if (rc)
		req_json(r, status, order_json_of(o, x));
	else
		req_body(r, status, "application/json", b.data, b.len);
	buf_free(&b);
}

/* Responds with an order and what it earned (read in the same transaction). */
static int respond_order(struct store_tx *tx, struct order_call *c, int status,
			 const struct order *o, struct err *e)
{
	struct order_extras x;
	int rc = read_extras(tx, c->r, o, &x, e);
	if (!rc)
		respond_order_of(c->r, status, o, &x);
	return rc;
}

/* Renders an order with what it earned (read in the same transaction). */
static json_t *order_json(struct store_tx *tx, struct req *r, const struct order *o,
			  struct err *e)
{
	struct order_extras x;
	return read_extras(tx, r, o, &x, e) ? NULL : order_json_of(o, &x);
}

/* An order created by this request: nothing can have earned on it, redeemed
 * a code for it or shipped it yet (all three name an existing order), so it
 * renders as respond_order() would without the three reads. */
static void respond_new_order(struct req *r, const struct order *o)
{
	struct order_extras none;
	memset(&none, 0, sizeof(none));
	respond_order_of(r, 201, o, &none);
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order out;
	int rc = order_create(tx, &c->r->arena, c->r->shop_id, &c->in, &out, &c->created, e);
	if (rc || !c->created)
		return rc ? rc : respond_order(tx, c, 200, &out, e);
	respond_new_order(c->r, &out);
	return 0;
}

/* order_input.legacy_fingerprint: the whole body's digest, which only a
 * replay of an order stored before issue 8 needs. */
static void legacy_fingerprint(void *ctx, char out[65])
{
	struct req *r = ctx;
	jsonv_fingerprint("POST", "/v1/orders", r->json, out);
}

int api_orders_create(struct req *r, struct err *e)
{
	struct order_call c = { .r = r };
	int rc = parse_order(r, &c.in, e);
	if (rc)
		return rc;
	/* The natural key's "same body" test, independent of Idempotency-Key:
	 * the body without its customer object, whose e-mail, name or phone must
	 * not outlive an erasure in a digest (docs/decisions.md). */
	char digest[65];
	json_t *rest = json_copy(r->json);
	if (!rest)
		return err_set(e, ERR_INTERNAL, NULL, "out of memory");
	json_object_del(rest, "customer");
	jsonv_fingerprint("POST", "/v1/orders", rest, digest);
	json_decref(rest);
	snprintf(c.fingerprint, sizeof(c.fingerprint), "c1:%s", digest);
	c.in.fingerprint = c.fingerprint;
	c.in.fingerprint_omits_customer = 1;
	c.in.legacy_fingerprint = legacy_fingerprint;
	c.in.legacy_ctx = r;
	return req_write(r, create_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order out;
	int rc = order_get(tx, &c->r->arena, c->r->shop_id, c->ref, &out, e);
	return rc ? rc : respond_order(tx, c, 200, &out, e);
}

int api_orders_get(struct req *r, struct err *e)
{
	struct order_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order *list;
	int n, more;
	int rc = order_list(tx, &c->r->arena, c->r->shop_id, &c->filter, c->starting_after,
			    c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		json_t *j = order_json(tx, c->r, &list[i], e);
		if (!j) {
			json_decref(data);
			return e->kind;
		}
		json_array_append_new(data, j);
	}
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_orders_list(struct req *r, struct err *e)
{
	struct order_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc)
		return rc;
	c.filter.customer = req_query(r, "customer");
	c.filter.status = req_query(r, "status");
	return req_read(r, list_tx, &c, e);
}

static int pay_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order out;
	int rc = order_pay(tx, &c->r->arena, c->r->shop_id, c->ref, &c->pay, &out, e);
	return rc ? rc : respond_order(tx, c, 200, &out, e);
}

int api_orders_pay(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "status", "amount", "method", "failure_reason",
					       "external_id", NULL };
	struct order_call c = { .r = r, .ref = req_param(r, 0) };
	int has_amount, rc;
	json_t *b = r->json;
	if ((rc = jsonv_only_keys(b, allowed, "", e)) ||
	    (rc = jsonv_string(b, "status", 1, 16, &c.pay.status, NULL, e)) ||
	    (rc = jsonv_money(b, "amount", 0, 0, ORDER_AMOUNT_MAX * 3, &c.pay.amount, &has_amount,
			    NULL, e)) ||
	    (rc = jsonv_string(b, "method", 0, ORDER_TEXT_MAX, &c.pay.method, NULL, e)) ||
	    (rc = jsonv_string(b, "failure_reason", 0, ORDER_TEXT_MAX, &c.pay.failure_reason, NULL, e)) ||
	    (rc = jsonv_string(b, "external_id", 0, ORDER_TEXT_MAX, &c.pay.external_id, NULL, e)))
		return rc;
	if (!has_amount)
		c.pay.amount = -1;
	return req_write(r, pay_tx, &c, e);
}

static int cancel_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order out;
	int rc = order_cancel(tx, &c->r->arena, c->r->shop_id, c->ref, &out, e);
	return rc ? rc : respond_order(tx, c, 200, &out, e);
}

int api_orders_cancel(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "reason", NULL };
	struct order_call c = { .r = r, .ref = req_param(r, 0) };
	const char *reason;
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "reason", 0, ORDER_TEXT_MAX, &reason, NULL, e)))
		return rc;
	return req_write(r, cancel_tx, &c, e);
}

static int refund_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct order_call *c = ctx;
	struct order out;
	int rc = order_refund(tx, &c->r->arena, c->r->shop_id, c->ref, &c->refund, &out,
			      &c->created, e);
	return rc ? rc : respond_order(tx, c, c->created ? 201 : 200, &out, e);
}

static int parse_refund_lines(struct req *r, json_t *arr, struct refund_input *in, struct err *e)
{
	static const char *const allowed[] = { "sku", "quantity", NULL };
	if (!json_is_array(arr))
		return err_set(e, ERR_INVALID, "lines", "\"lines\" must be an array of {sku, quantity}");
	size_t n = json_array_size(arr);
	if (n > ORDER_MAX_LINES)
		return err_set(e, ERR_INVALID, "lines", "at most %d lines", ORDER_MAX_LINES);
	in->lines = arena_alloc(&r->arena, (n + 1) * sizeof(*in->lines));
	in->nlines = (int)n;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		char prefix[32], psku[40], pq[48];
		int rc;
		snprintf(prefix, sizeof(prefix), "lines[%zu].", i);
		snprintf(psku, sizeof(psku), "lines[%zu].sku", i);
		snprintf(pq, sizeof(pq), "lines[%zu].quantity", i);
		if (!json_is_object(o)) {
			snprintf(prefix, sizeof(prefix), "lines[%zu]", i);
			return err_set(e, ERR_INVALID, prefix, "\"%s\" must be an object", prefix);
		}
		if ((rc = jsonv_only_keys(o, allowed, prefix, e)) ||
		    (rc = jsonv_string(o, "sku", 1, ORDER_TEXT_MAX, &in->lines[i].sku, psku, e)) ||
		    (rc = jsonv_int(o, "quantity", 1, 1, ORDER_QUANTITY_MAX, &in->lines[i].quantity,
				    NULL, pq, e)))
			return rc;
	}
	return 0;
}

int api_orders_refund(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "external_id", "lines", "amount", "reason", NULL };
	struct order_call c = { .r = r, .ref = req_param(r, 0) };
	json_t *b = r->json, *lines = json_object_get(b, "lines");
	int has_amount, rc;
	if ((rc = jsonv_only_keys(b, allowed, "", e)) ||
	    (rc = jsonv_string(b, "external_id", 1, ORDER_TEXT_MAX, &c.refund.external_id, NULL, e)) ||
	    (rc = jsonv_string(b, "reason", 0, ORDER_TEXT_MAX, &c.refund.reason, NULL, e)) ||
	    (rc = jsonv_money(b, "amount", 0, 1, ORDER_AMOUNT_MAX * 3, &c.refund.amount, &has_amount,
			    NULL, e)) ||
	    (lines && !json_is_null(lines) && (rc = parse_refund_lines(r, lines, &c.refund, e))))
		return rc;
	if (!has_amount)
		c.refund.amount = -1;
	jsonv_fingerprint("POST", "refund", b, c.fingerprint);
	c.refund.fingerprint = c.fingerprint;
	return req_write(r, refund_tx, &c, e);
}
