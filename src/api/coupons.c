/* coupons.c: /v1/coupons (validate, redeem, release), a customer's offers,
 * referral code and triggers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/currency.h"
#include "../base/jscan.h"
#include "../base/jsonv.h"
#include "../core/coupon.h"
#include "../core/offers.h"
#include "../core/order.h"
#include "../core/referral.h"
#include "api.h"
#include "../render/render.h"

struct coupon_call {
	struct req *r;
	const char *ref;
	struct coupon_request rq;
	struct discount_cart cart;
	const char *trigger, *cause;
	char customer[ID_MAX];
};

static int parse_cart(struct req *r, json_t *v, struct discount_cart *cart, struct err *e)
{
	static const char *const allowed[] = { "currency", "channel", "lines", "shipping", NULL };
	static const char *const line_keys[] = { "sku", "category", "quantity", "unit_price",
						 "name", NULL };
	int rc;
	if (!json_is_object(v))
		return err_set(e, ERR_INVALID, "cart", "\"cart\" must be an object {currency, lines,"
			       " shipping}");
	memset(cart, 0, sizeof(*cart));
	if ((rc = jsonv_only_keys(v, allowed, "cart.", e)) ||
	    (rc = jsonv_string(v, "currency", 1, 3, &cart->currency, "cart.currency", e)) ||
	    (currency_exponent(cart->currency) < 0 &&
	     (rc = err_set(e, ERR_INVALID, "cart.currency", "\"%s\" is not an ISO 4217 currency",
			   cart->currency))) ||
	    (rc = jsonv_string(v, "channel", 0, 20, &cart->channel, "cart.channel", e)) ||
	    (rc = jsonv_money(v, "shipping", 0, 0, ORDER_AMOUNT_MAX, &cart->shipping, NULL,
			      "cart.shipping", e)))
		return rc;
	json_t *lines = json_object_get(v, "lines");
	if (!lines || !json_is_array(lines))
		return err_setc(e, ERR_INVALID, "parameter_missing", "cart.lines",
				"\"cart.lines\" is an array of {sku, category, quantity, unit_price}");
	size_t n = json_array_size(lines);
	if (n > ORDER_MAX_LINES)
		return err_set(e, ERR_INVALID, "cart.lines", "at most %d lines", ORDER_MAX_LINES);
	struct discount_line *l = arena_alloc(&r->arena, (n + 1) * sizeof(*l));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(lines, i);
		char prefix[40], p[4][48];
		/* one snprintf a line, not five: this is validate's hot path */
		int len = snprintf(prefix, sizeof(prefix), "cart.lines[%zu].", i);
		for (int f = 0; f < 4; f++) {
			memcpy(p[f], prefix, (size_t)len);
			strcpy(p[f] + len, line_keys[f]);
		}
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, "cart.lines", "each of \"cart.lines\" is an object");
		if ((rc = jsonv_only_keys(o, line_keys, prefix, e)) ||
		    (rc = jsonv_string(o, "sku", 1, ORDER_TEXT_MAX, &l[i].sku, p[0], e)) ||
		    (rc = jsonv_string(o, "category", 0, ORDER_TEXT_MAX, &l[i].category, p[1], e)) ||
		    (rc = jsonv_int(o, "quantity", 1, 1, ORDER_QUANTITY_MAX, &l[i].quantity, NULL, p[2],
				    e)) ||
		    (rc = jsonv_money(o, "unit_price", 1, 0, ORDER_AMOUNT_MAX, &l[i].unit_price, NULL,
				      p[3], e)))
			return rc;
	}
	cart->lines = l;
	cart->nlines = (int)n;
	return 0;
}

static int parse_request(struct coupon_call *k, const char *const *allowed, struct err *e)
{
	struct req *r = k->r;
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "code", "send the \"code\"");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "code", 1, 200, &k->rq.code, NULL, e)) ||
	    (rc = jsonv_string(r->json, "customer", 0, 220, &k->rq.customer, NULL, e)) ||
	    (rc = jsonv_string(r->json, "order", 0, 220, &k->rq.order, NULL, e)))
		return rc;
	json_t *cart = json_object_get(r->json, "cart");
	if (cart && !json_is_null(cart)) {
		if ((rc = parse_cart(r, cart, &k->cart, e)))
			return rc;
		k->rq.cart = &k->cart;
	}
	if (!k->rq.cart && !k->rq.order)
		return err_setc(e, ERR_INVALID, "parameter_missing", "cart",
				"send the \"cart\" (or the \"order\" it is for)");
	return 0;
}

static json_t *render_lines(const int64_t *lines, int n, const struct discount_cart *cart,
			    const char *const *skus)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++) {
		const char *sku = cart && i < cart->nlines ? cart->lines[i].sku : skus ? skus[i] : NULL;
		json_array_append_new(a, json_pack("{s:i, s:o, s:I}", "position", i, "sku",
			render_string(sku), "amount", (json_int_t)lines[i]));
	}
	return a;
}

static json_t *render_campaign_brief(const struct campaign *c)
{
	return json_pack("{s:s, s:s, s:s, s:o}", "id", c->id, "name", c->name, "type", c->type,
			 "gift", render_string(c->gift));
}

/*
 * The validation's answer, written straight into a buffer: the hottest
 * answer of the API (bench/README.md, coupons), where building it with
 * json_pack, dumping and freeing it took a third of the request. The bytes
 * are what jansson's compact dump of the same object gives (key order; the
 * strings and integers by jsonv_put_*, jansson's escapes):
 * tests/api/test_coupons_validate_answer.py reads them field by field.
 */
static int put_string(struct buf *b, const char *s)
{
	if (!s)
		return buf_append(b, "null", 4);
	return jsonv_put_string(b, s);	/* -1: not UTF-8 (jansson refused it too) */
}

static int put_int(struct buf *b, int64_t v)
{
	jsonv_put_integer(b, v);
	return 0;
}

static int put_field(struct buf *b, const char *key, const char *value)
{
	return buf_puts(b, key) || put_string(b, value);
}

static int put_discount(struct buf *b, const struct coupon_check *c)
{
	if (!c->valid)
		return buf_puts(b, "{\"total\":0,\"shipping\":0,\"lines\":[]}");
	if (buf_puts(b, "{\"total\":") || put_int(b, c->discount.total) ||
	    buf_puts(b, ",\"shipping\":") || put_int(b, c->discount.shipping) ||
	    buf_puts(b, ",\"lines\":["))
		return -1;
	for (int i = 0; i < c->nlines; i++)
		if (buf_puts(b, i ? ",{\"position\":" : "{\"position\":") || put_int(b, i) ||
		    buf_puts(b, ",\"sku\":") ||
		    put_string(b, i < c->cart.nlines ? c->cart.lines[i].sku : NULL) ||
		    buf_puts(b, ",\"amount\":") || put_int(b, c->discount.lines[i]) ||
		    buf_puts(b, "}"))
			return -1;
	return buf_puts(b, "]}");
}

static int put_validation(struct buf *b, const struct coupon_check *c, const char *code)
{
	const struct campaign *k = &c->campaign;
	if (buf_puts(b, c->valid ? "{\"object\":\"coupon_validation\",\"valid\":true"
				 : "{\"object\":\"coupon_validation\",\"valid\":false") ||
	    put_field(b, ",\"code\":", code) || buf_puts(b, ",\"discount\":") ||
	    put_discount(b, c) || put_field(b, ",\"currency\":", c->currency) ||
	    buf_puts(b, ",\"campaign\":"))
		return -1;
	if (!*k->id ? buf_puts(b, "null")
		    : put_field(b, "{\"id\":", k->id) || put_field(b, ",\"name\":", k->name) ||
		      put_field(b, ",\"type\":", k->type) || put_field(b, ",\"gift\":", k->gift) ||
		      buf_puts(b, "}"))
		return -1;
	if (c->valid)
		return buf_puts(b, ",\"reason\":null}");
	return put_field(b, ",\"reason\":{\"code\":", c->reason) ||
	       put_field(b, ",\"message\":", c->message) || buf_puts(b, "}}");
}

/*
 * The fast reader of a validation's body (issue 10, bench/README.md "Coupons",
 * fourth round): jansson's parse and free were a third of the instructions of
 * a validation. fast_request() returns 1 when the body lies in jscan's subset
 * and holds what parse_request() accepts, with k filled as parse_request()
 * fills it; 0 otherwise (an escape, a non-ASCII text, a null, a key twice, an
 * unknown key, a value out of range, anything missing), and the caller lets
 * jansson and parse_request() read the body and say what is wrong with it.
 * So an answer never depends on which reader read the body:
 * tests/api/test_coupons_fast_body.py holds the two to the same answers.
 */
struct fast {
	struct jscan j;
	struct arena *a;
};

/* The next member's key of an object: its index in keys (each at most once),
 * -1 at the object's end, -2 on anything else. */
static int fast_key(struct fast *f, const char *const *keys, unsigned *seen, int first)
{
	enum jscan_tok t = jscan_next(&f->j);
	if (t == JSCAN_OBJECT_END)
		return -1;
	if (!first) {
		if (t != JSCAN_COMMA)
			return -2;
		t = jscan_next(&f->j);
	}
	if (t != JSCAN_STRING)
		return -2;
	for (int i = 0; keys[i]; i++)
		if (strlen(keys[i]) == f->j.len && !memcmp(keys[i], f->j.text, f->j.len)) {
			if (*seen & (1u << i) || jscan_next(&f->j) != JSCAN_COLON)
				return -2;
			*seen |= 1u << i;
			return i;
		}
	return -2;
}

static int fast_string(struct fast *f, size_t maxlen, const char **out)
{
	if (jscan_next(&f->j) != JSCAN_STRING || f->j.len == 0 || f->j.len > maxlen)
		return 0;
	*out = arena_strndup(f->a, f->j.text, f->j.len);
	return 1;
}

static int fast_int(struct fast *f, int64_t min, int64_t max, int64_t *out)
{
	if (jscan_next(&f->j) != JSCAN_INT || f->j.value < min || f->j.value > max)
		return 0;
	*out = f->j.value;
	return 1;
}

/* A line of cart.lines; "name" is allowed and not read (parse_cart). */
static int fast_line(struct fast *f, struct discount_line *l)
{
	static const char *const keys[] = { "sku", "category", "quantity", "unit_price", "name",
					    NULL };
	unsigned seen = 0;
	int ok = 1, i;
	memset(l, 0, sizeof(*l));
	if (jscan_next(&f->j) != JSCAN_OBJECT)
		return 0;
	for (int first = 1; ok && (i = fast_key(f, keys, &seen, first)) >= 0; first = 0) {
		if (i == 0)
			ok = fast_string(f, ORDER_TEXT_MAX, &l->sku);
		else if (i == 1)
			ok = fast_string(f, ORDER_TEXT_MAX, &l->category);
		else if (i == 2)
			ok = fast_int(f, 1, ORDER_QUANTITY_MAX, &l->quantity);
		else if (i == 3)
			ok = fast_int(f, 0, ORDER_AMOUNT_MAX, &l->unit_price);
		else
			ok = jscan_next(&f->j) == JSCAN_STRING;
	}
	return ok && i == -1 && (seen & 0xd) == 0xd;	/* sku, quantity, unit_price */
}

static int fast_lines(struct fast *f, struct discount_cart *cart)
{
	struct discount_line *l = NULL;
	int n = 0, cap = 0;
	if (jscan_next(&f->j) != JSCAN_ARRAY)
		return 0;
	for (;;) {
		struct jscan at = f->j;
		enum jscan_tok t = jscan_next(&f->j);
		if (t == JSCAN_ARRAY_END && n == 0)
			break;
		if (n > 0) {
			if (t == JSCAN_ARRAY_END)
				break;
			if (t != JSCAN_COMMA)
				return 0;
		} else {
			f->j = at;	/* the first line's '{' */
		}
		if (n == ORDER_MAX_LINES)
			return 0;
		if (n == cap) {
			cap = cap ? cap * 2 : 4;
			struct discount_line *g = arena_alloc(f->a, ((size_t)cap + 1) * sizeof(*g));
			if (n)
				memcpy(g, l, (size_t)n * sizeof(*g));
			l = g;
		}
		if (!fast_line(f, &l[n++]))
			return 0;
	}
	cart->lines = l ? l : arena_alloc(f->a, sizeof(*l));
	cart->nlines = n;
	return 1;
}

static int fast_cart(struct fast *f, struct discount_cart *cart)
{
	static const char *const keys[] = { "currency", "channel", "lines", "shipping", NULL };
	unsigned seen = 0;
	int ok = 1, i;
	memset(cart, 0, sizeof(*cart));
	if (jscan_next(&f->j) != JSCAN_OBJECT)
		return 0;
	for (int first = 1; ok && (i = fast_key(f, keys, &seen, first)) >= 0; first = 0) {
		if (i == 0)
			ok = fast_string(f, 3, &cart->currency) &&
			     currency_exponent(cart->currency) >= 0;
		else if (i == 1)
			ok = fast_string(f, 20, &cart->channel);
		else if (i == 2)
			ok = fast_lines(f, cart);
		else
			ok = fast_int(f, 0, ORDER_AMOUNT_MAX, &cart->shipping);
	}
	return ok && i == -1 && (seen & 0x5) == 0x5;	/* currency, lines */
}

static int fast_request(struct coupon_call *k)
{
	static const char *const keys[] = { "code", "customer", "order", "cart", NULL };
	struct fast f = { .a = &k->r->arena };
	unsigned seen = 0;
	int ok = 1, i;
	jscan_init(&f.j, k->r->body.data, k->r->body.len);
	if (jscan_next(&f.j) != JSCAN_OBJECT)
		return 0;
	for (int first = 1; ok && (i = fast_key(&f, keys, &seen, first)) >= 0; first = 0) {
		if (i == 0)
			ok = fast_string(&f, 200, &k->rq.code);
		else if (i == 1)
			ok = fast_string(&f, 220, &k->rq.customer);
		else if (i == 2)
			ok = fast_string(&f, 220, &k->rq.order);
		else if ((ok = fast_cart(&f, &k->cart)))
			k->rq.cart = &k->cart;
	}
	return ok && i == -1 && jscan_next(&f.j) == JSCAN_END && (seen & 1) &&
	       (k->rq.cart || k->rq.order);
}

static int validate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct coupon_check c;
	struct buf b;
	int rc = coupon_validate(tx, &k->r->arena, k->r->shop_id, &k->rq, &c, e);
	if (rc)
		return rc;
	buf_init(&b, 0);
	if (put_validation(&b, &c, c.code ? c.code : k->rq.code))
		rc = err_set(e, ERR_INTERNAL, NULL, "a stored text of the validation is not UTF-8");
	else
		req_body(k->r, 200, "application/json", b.data, b.len);
	buf_free(&b);
	return rc;
}

int api_coupons_validate(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "code", "customer", "order", "cart", NULL };
	struct coupon_call k = { .r = r };
	int rc = 0;
	if (r->json || !r->body.len || !fast_request(&k)) {
		memset(&k, 0, sizeof(k));
		k.r = r;
		if ((rc = req_json_body(r, e)) || (rc = parse_request(&k, allowed, e)))
			return rc;
	}
	return req_read(r, validate_tx, &k, e);
}

json_t *api_render_coupon_redemption(const struct coupon_redemption *d)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:I, s:I, s:o}, s:b, s:o,"
			 " s:o, s:o, s:o, s:o}",
		"id", d->id, "object", "coupon_redemption", "code", d->code, "campaign", d->campaign_id,
		"customer", d->customer_id, "order", d->order_id, "status", d->status,
		"currency", d->currency, "discount", "total", (json_int_t)d->discount,
		"shipping", (json_int_t)d->shipping_discount, "lines",
		render_lines(d->lines, d->nlines, NULL, d->skus), "overuse", d->overuse,
		"reserved_until", render_time(d->reserved_until),
		"release_reason", render_string(d->release_reason),
		"created_at", render_time(d->created_at), "finalized_at", render_time(d->finalized_at),
		"released_at", render_time(d->released_at));
}

static int redeem_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct coupon_redemption d;
	int created, rc = coupon_redeem(tx, &k->r->arena, k->r->shop_id, &k->rq, &d, &created, e);
	if (!rc)
		req_json(k->r, created ? 201 : 200, api_render_coupon_redemption(&d));
	return rc;
}

int api_coupons_redeem(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "code", "customer", "order", "cart", NULL };
	struct coupon_call k = { .r = r };
	int rc = parse_request(&k, allowed, e);
	if (rc)
		return rc;
	if (!k.rq.order)
		return err_setc(e, ERR_INVALID, "parameter_missing", "order",
				"a redemption is for an \"order\" (POST /v1/orders first)");
	return req_write(r, redeem_tx, &k, e);
}

static int release_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct coupon_redemption d;
	int rc = coupon_release(tx, &k->r->arena, k->r->shop_id, k->ref, "released", &d, e);
	if (!rc)
		req_json(k->r, 200, api_render_coupon_redemption(&d));
	return rc;
}

int api_coupons_release(struct req *r, struct err *e)
{
	static const char *const allowed[] = { NULL };
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	int rc = r->json ? jsonv_only_keys(r->json, allowed, "", e) : 0;
	return rc ? rc : req_write(r, release_tx, &k, e);
}

static int redemption_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct coupon_redemption d;
	int rc = coupon_redemption_get(tx, &k->r->arena, k->r->shop_id, k->ref, &d, e);
	if (!rc)
		req_json(k->r, 200, api_render_coupon_redemption(&d));
	return rc;
}

int api_coupons_redemption_get(struct req *r, struct err *e)
{
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, redemption_get_tx, &k, e);
}

static int code_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct coupon_code c;
	char code[COUPON_CODE_MAX + 1];
	if (coupon_normalize(k->ref, "code", code, e))	/* a code that cannot exist */
		return err_setc(e, ERR_NOT_FOUND, "unknown_code", "code", "no code \"%s\"", k->ref);
	int rc = coupon_get(tx, &k->r->arena, k->r->shop_id, code, &c, e);
	if (rc)
		return rc;
	req_json(k->r, 200, api_render_code(&c));
	return 0;
}

int api_coupons_code_get(struct req *r, struct err *e)
{
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, code_get_tx, &k, e);
}

/* ---- a customer's offers, referral code and triggers ---- */

static int offers_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct offer *list;
	int n, rc = api_customer_scope(tx, k->r, k->ref, k->customer, e);
	if (rc || (rc = offers_list(tx, &k->r->arena, k->r->shop_id, k->customer, &list, &n, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		const struct offer *o = &list[i];
		json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:b}",
			"object", "offer", "code", o->code, "state", o->state,
			"campaign", render_campaign_brief(&o->campaign),
			"discount", o->campaign.discount_kind
				? json_pack("{s:s, s:I, s:o}", "kind", o->campaign.discount_kind,
					    "value", (json_int_t)o->campaign.discount_value,
					    "currency", render_string(o->campaign.discount_currency))
				: json_null(),
			"valid_from", render_time(o->valid_from), "expires_at", render_time(o->expires_at),
			"personal", o->personal));
	}
	req_json(k->r, 200, render_list(data, 0));
	return 0;
}

int api_customers_offers(struct req *r, struct err *e)
{
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, offers_tx, &k, e);
}

static int referral_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	struct referral_info info;
	int rc = api_customer_scope(tx, k->r, k->ref, k->customer, e);
	if (rc || (rc = referral_code(tx, &k->r->arena, k->r->shop_id, k->customer, &info, e)))
		return rc;
	req_json(k->r, 200, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I}", "object", "referral",
		"customer", k->customer, "code", info.code, "campaign", info.campaign_id,
		"referred", (json_int_t)info.referred, "points_earned", (json_int_t)info.points_earned));
	return 0;
}

/* A write (the code is made on first ask), also for a storefront GET. */
int api_customers_referral(struct req *r, struct err *e)
{
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	return req_write(r, referral_tx, &k, e);
}

static int trigger_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct coupon_call *k = ctx;
	int given, rc = customer_resolve(tx, k->r->shop_id, k->ref, "id", k->customer, e);
	if (rc || (rc = offers_trigger(tx, k->r->shop_id, k->customer, k->trigger, k->cause, &given, e)))
		return rc;
	req_json(k->r, 200, json_pack("{s:s, s:s, s:s, s:s, s:i}", "object", "trigger",
		"customer", k->customer, "trigger", k->trigger, "cause", k->cause, "offers_given", given));
	return 0;
}

int api_customers_trigger(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "trigger", "cause", NULL };
	struct coupon_call k = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "trigger", "send \"trigger\" and"
				" \"cause\"");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "trigger", 1, 40, &k.trigger, NULL, e)) ||
	    (rc = jsonv_string(r->json, "cause", 1, 200, &k.cause, NULL, e)))
		return rc;
	if (!campaign_in(campaign_triggers, k.trigger))
		return err_set(e, ERR_INVALID, "trigger", "unknown trigger \"%s\" (late_delivery,"
			       " payment_failed, ticket_sla_breached, negative_review, at_risk)", k.trigger);
	return req_write(r, trigger_tx, &k, e);
}
