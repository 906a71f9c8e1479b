/* integration_payloads.c: see integration_payloads.h; the mapping, field by
 * field, is docs/integrations.md. */
#include "integration_payloads.h"

#include <stdio.h>
#include <string.h>

#include "../base/rfc3339.h"

/* ---- shared readers ---- */

/* A platform id: a JSON integer or a short non-empty string; else NULL. */
static const char *id_of(struct arena *a, json_t *v)
{
	if (json_is_integer(v))
		return arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (json_is_string(v) && json_string_length(v) > 0 && json_string_length(v) <= 64)
		return json_string_value(v);
	return NULL;
}

/* A string field, or NULL when absent, null or not a string. */
static const char *text(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The string, if non-empty and at most max bytes (longer text is not kept). */
static const char *short_text(json_t *obj, const char *key, size_t max)
{
	const char *s = text(obj, key);
	return s && *s && strlen(s) <= max ? s : NULL;
}

static int is_true(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/*
 * A decimal amount of money ("19.99") in minor units of currency. The
 * platforms write amounts as strings; a JSON integer is read as whole units.
 * A JSON fraction (19.99) is refused: no binary floating point for money.
 * Absent or null: 0 unless required.
 */
static int money(struct arena *a, json_t *obj, const char *key, const char *currency,
		 int required, int allow_negative, int64_t *out, const char *param, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	const char *s = NULL;
	*out = 0;
	if (!v || json_is_null(v)) {
		if (required)
			return err_setc(e, ERR_INVALID, "parameter_missing", param, "\"%s\" is required",
					param);
		return 0;
	}
	if (json_is_string(v))
		s = json_string_value(v);
	else if (json_is_integer(v))
		s = arena_printf(a, "%lld", (long long)json_integer_value(v));
	if (!s || integration_money(s, currency, allow_negative, out))
		return err_set(e, ERR_INVALID, param,
			       "\"%s\" must be an amount of %s written as a decimal string like"
			       " \"19.99\", with at most the currency's decimals", param, currency);
	return 0;
}

static int quantity(json_t *obj, const char *key, int64_t *out, const char *param, struct err *e)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > ORDER_QUANTITY_MAX)
		return err_set(e, ERR_INVALID, param, "\"%s\" must be an integer from 0 to %d", param,
			       ORDER_QUANTITY_MAX);
	*out = json_integer_value(v);
	return 0;
}

static int currency_of(json_t *o, const char **out, struct err *e)
{
	*out = short_text(o, "currency", 3);
	if (!*out)
		return err_setc(e, ERR_INVALID, "parameter_missing", "currency",
				"\"currency\" is required: the order's ISO 4217 code");
	return 0;
}

/* A time with an offset ("2026-11-22T10:00:00-05:00"), or with none, read as
 * UTC (WooCommerce's *_gmt fields); 0 when absent or unreadable. */
static int64_t time_of(struct arena *a, json_t *obj, const char *key, int utc_without_zone)
{
	const char *s = text(obj, key);
	int64_t ms;
	if (!s || !*s)
		return 0;
	if (utc_without_zone && strlen(s) == 19)
		s = arena_printf(a, "%sZ", s);
	return rfc3339_parse(s, &ms) ? 0 : ms;
}

static json_t *array_of(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? v : NULL;
}

static void *alloc_array(struct arena *a, size_t n, size_t size)
{
	return arena_alloc(a, (n + 1) * size);
}

/* ---- Shopify ---- */

/* A line's SKU; a line without one is named by its variant, or by itself. */
static const char *shopify_sku(struct arena *a, json_t *line)
{
	const char *sku = short_text(line, "sku", ORDER_TEXT_MAX);
	const char *variant = id_of(a, json_object_get(line, "variant_id"));
	const char *id = id_of(a, json_object_get(line, "id"));
	if (sku)
		return sku;
	if (variant)
		return arena_printf(a, "shopify-variant:%s", variant);
	return id ? arena_printf(a, "shopify-line:%s", id) : NULL;
}

/* The sum of a line's (or a shipping line's) discount_allocations; without
 * that list, fallback (the older total_discount). */
static int allocated_discount(struct arena *a, json_t *line, const char *currency,
			      const char *fallback, const char *prefix, int64_t *out,
			      struct err *e)
{
	json_t *list = array_of(line, "discount_allocations");
	size_t i;
	json_t *d;
	*out = 0;
	if (!list)
		return fallback ? money(a, line, fallback, currency, 0, 0, out,
					arena_printf(a, "%s.%s", prefix, fallback), e) : 0;
	json_array_foreach(list, i, d) {
		int64_t amount;
		int rc = money(a, d, "amount", currency, 1, 0, &amount,
			       arena_printf(a, "%s.discount_allocations[%zu].amount", prefix, i), e);
		if (rc)
			return rc;
		*out += amount;	/* each at most 3 * ORDER_AMOUNT_MAX, at most 500 lines */
		if (*out > ORDER_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, prefix, "the discounts of \"%s\" are too large",
				       prefix);
	}
	return 0;
}

/* The order's "line_items" (1 to ORDER_MAX_LINES of them) into *list, with
 * room for their lines in out; both platforms name them so. */
static int line_items(struct arena *a, json_t *o, struct integration_order *out, json_t **list,
		      struct err *e)
{
	*list = array_of(o, "line_items");
	if (!*list || json_array_size(*list) == 0)
		return err_setc(e, ERR_INVALID, "parameter_missing", "line_items",
				"\"line_items\" must list the order's lines");
	if (json_array_size(*list) > ORDER_MAX_LINES)
		return err_set(e, ERR_INVALID, "line_items", "at most %d lines", ORDER_MAX_LINES);
	out->lines = alloc_array(a, json_array_size(*list), sizeof(*out->lines));
	return 0;
}

static int shopify_lines(struct arena *a, json_t *o, struct integration_order *out,
			 struct err *e)
{
	json_t *list, *l;
	size_t i;
	if (line_items(a, o, out, &list, e))
		return e->kind;
	json_array_foreach(list, i, l) {
		const char *p = arena_printf(a, "line_items[%zu]", i);
		struct order_line *line = &out->lines[out->nlines];
		int rc;
		if (!json_is_object(l))
			return err_set(e, ERR_INVALID, p, "\"%s\" must be an object", p);
		line->sku = shopify_sku(a, l);
		line->name = short_text(l, "title", ORDER_TEXT_MAX);
		line->category = short_text(l, "product_type", ORDER_TEXT_MAX);
		if (!line->sku)
			return err_setc(e, ERR_INVALID, "parameter_missing", p,
					"\"%s\" has no sku, variant_id or id", p);
		if ((rc = quantity(l, "quantity", &line->quantity, arena_printf(a, "%s.quantity", p), e)) ||
		    (rc = money(a, l, "price", out->currency, 1, 0, &line->unit_price,
				arena_printf(a, "%s.price", p), e)) ||
		    (rc = allocated_discount(a, l, out->currency, "total_discount", p,
					     &line->discount, e)))
			return rc;
		if (line->quantity > 0)	/* a line removed by an order edit */
			out->nlines++;
	}
	return 0;
}

static int shopify_shipping(struct arena *a, json_t *o, struct integration_order *out,
			    struct err *e)
{
	json_t *list = array_of(o, "shipping_lines"), *l;
	size_t i;
	out->shipping = 0;
	json_array_foreach(list, i, l) {
		const char *p = arena_printf(a, "shipping_lines[%zu]", i);
		int64_t price, discount;
		int rc;
		if ((rc = money(a, l, "price", out->currency, 1, 0, &price,
				arena_printf(a, "%s.price", p), e)) ||
		    (rc = allocated_discount(a, l, out->currency, NULL, p, &discount, e)))
			return rc;
		if (discount > price)
			return err_set(e, ERR_INVALID, p, "\"%s\" has a discount above its price", p);
		out->shipping += price - discount;
		if (out->shipping > ORDER_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, "shipping_lines", "shipping is too large");
	}
	return 0;
}

static enum integration_payment shopify_payment(const char *financial_status)
{
	static const char *const paid[] = { "paid", "partially_refunded", "refunded", NULL };
	for (const char *const *s = paid; financial_status && *s; s++)
		if (!strcmp(*s, financial_status))
			return INTEGRATION_PAID;
	return INTEGRATION_UNPAID;
}

static void shopify_customer_fields(struct arena *a, json_t *c, struct integration_customer *out)
{
	const char *id = id_of(a, json_object_get(c, "id"));
	json_t *consent = json_object_get(c, "email_marketing_consent");
	out->external_id = id ? integration_external_id(a, INTEGRATION_SHOPIFY, id) : NULL;
	out->email = short_text(c, "email", 254);
	out->phone = short_text(c, "phone", 40);
	out->first_name = short_text(c, "first_name", ORDER_TEXT_MAX);
	out->last_name = short_text(c, "last_name", ORDER_TEXT_MAX);
	out->accepts_marketing = is_true(c, "accepts_marketing");
	if (json_is_object(consent) && text(consent, "state"))
		out->accepts_marketing = !strcmp(text(consent, "state"), "subscribed");
}

int shopify_read_customer(struct arena *a, json_t *o, struct integration_customer *out,
			  struct err *e)
{
	memset(out, 0, sizeof(*out));
	shopify_customer_fields(a, o, out);
	if (!out->external_id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "id",
				"\"id\" is required: the customer's Shopify id");
	return 0;
}

int shopify_read_privacy(struct arena *a, json_t *o, const char *orders_key,
			 struct integration_privacy *out, struct err *e)
{
	json_t *c = json_object_get(o, "customer"), *orders = array_of(o, orders_key), *v;
	json_t *request = json_object_get(o, "data_request");
	const char *request_id = json_is_object(request) ? id_of(a, json_object_get(request, "id"))
							 : NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(c))
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer",
				"\"customer\" is required: the customer the request is about");
	shopify_customer_fields(a, c, &out->customer);
	out->customer.accepts_marketing = -1;	/* a privacy request says nothing of it */
	out->customer.first_name = out->customer.last_name = NULL;
	out->request_id = request_id ? integration_external_id(a, INTEGRATION_SHOPIFY, request_id)
				     : NULL;
	if (json_object_get(o, orders_key) && !json_is_null(json_object_get(o, orders_key)) &&
	    !orders)
		return err_set(e, ERR_INVALID, orders_key, "\"%s\" must be a list of order ids",
			       orders_key);
	out->orders = alloc_array(a, json_array_size(orders), sizeof(*out->orders));
	json_array_foreach(orders, i, v) {
		const char *id = id_of(a, v);
		if (!id)
			return err_set(e, ERR_INVALID, arena_printf(a, "%s[%zu]", orders_key, i),
				       "\"%s[%zu]\" must be an order id", orders_key, i);
		out->orders[out->norders++] = integration_external_id(a, INTEGRATION_SHOPIFY, id);
	}
	return 0;
}

/* The refund's lines and the money its successful refund transactions
 * returned; currency NULL: the transactions' own. */
static int shopify_refund_body(struct arena *a, json_t *o, const char *currency,
			       const char *prefix, struct integration_refund *out, struct err *e)
{
	json_t *lines = array_of(o, "refund_line_items"), *tx = array_of(o, "transactions"), *v;
	const char *id = id_of(a, json_object_get(o, "id"));
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id)
		return err_setc(e, ERR_INVALID, "parameter_missing", arena_printf(a, "%sid", prefix),
				"\"%sid\" is required: the refund's Shopify id", prefix);
	out->external_id = integration_external_id(a, INTEGRATION_SHOPIFY, id);
	out->reason = short_text(o, "note", ORDER_TEXT_MAX);
	out->lines = alloc_array(a, json_array_size(lines), sizeof(*out->lines));
	json_array_foreach(lines, i, v) {
		const char *p = arena_printf(a, "%srefund_line_items[%zu]", prefix, i);
		json_t *item = json_object_get(v, "line_item");
		struct refund_line *l = &out->lines[out->nlines];
		const char *line_id = id_of(a, json_object_get(v, "line_item_id"));
		l->sku = json_is_object(item) ? shopify_sku(a, item)
		       : line_id ? arena_printf(a, "shopify-line:%s", line_id) : NULL;
		if (!l->sku)
			return err_setc(e, ERR_INVALID, "parameter_missing", p,
					"\"%s\" names no line_item", p);
		if ((rc = quantity(v, "quantity", &l->quantity, arena_printf(a, "%s.quantity", p), e)))
			return rc;
		if (l->quantity > 0)
			out->nlines++;
	}
	json_array_foreach(tx, i, v) {
		const char *kind = text(v, "kind"), *status = text(v, "status");
		const char *cur = currency ? currency : short_text(v, "currency", 3);
		int64_t amount;
		if (!kind || strcmp(kind, "refund") || (status && strcmp(status, "success")))
			continue;
		if (!cur)
			return err_setc(e, ERR_INVALID, "parameter_missing",
					arena_printf(a, "%stransactions[%zu].currency", prefix, i),
					"a refund transaction needs its currency");
		if ((rc = money(a, v, "amount", cur, 1, 0, &amount,
				arena_printf(a, "%stransactions[%zu].amount", prefix, i), e)))
			return rc;
		out->amount += amount;
		if (out->amount > ORDER_AMOUNT_MAX * 3)
			return err_set(e, ERR_INVALID, "transactions", "the refund is too large");
	}
	/* No money moved (a restock only): the lines say what was returned. */
	if (out->amount == 0)
		out->amount = out->nlines ? -1 : 0;
	return 0;
}

int shopify_read_refund(struct arena *a, json_t *o, struct integration_refund *out,
			const char **order_external_id, struct err *e)
{
	const char *order = id_of(a, json_object_get(o, "order_id"));
	if (!order)
		return err_setc(e, ERR_INVALID, "parameter_missing", "order_id",
				"\"order_id\" is required: the refunded order's Shopify id");
	*order_external_id = integration_external_id(a, INTEGRATION_SHOPIFY, order);
	return shopify_refund_body(a, o, NULL, "", out, e);
}

static int shopify_refunds(struct arena *a, json_t *o, struct integration_order *out,
			   struct err *e)
{
	json_t *list = array_of(o, "refunds"), *v;
	size_t i;
	out->refunds = alloc_array(a, json_array_size(list), sizeof(*out->refunds));
	json_array_foreach(list, i, v) {
		int rc = shopify_refund_body(a, v, out->currency, arena_printf(a, "refunds[%zu].", i),
					     &out->refunds[out->nrefunds], e);
		if (rc)
			return rc;
		out->nrefunds++;
	}
	return 0;
}

int shopify_read_order(struct arena *a, json_t *o, struct integration_order *out, struct err *e)
{
	const char *id = id_of(a, json_object_get(o, "id")), *source = text(o, "source_name");
	json_t *customer = json_object_get(o, "customer"), *gateway;
	int64_t tax;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "id",
				"\"id\" is required: the order's Shopify id");
	out->external_id = integration_external_id(a, INTEGRATION_SHOPIFY, id);
	if ((rc = currency_of(o, &out->currency, e)) ||
	    (rc = shopify_lines(a, o, out, e)) ||
	    (rc = shopify_shipping(a, o, out, e)) ||
	    (rc = money(a, o, "total_tax", out->currency, 0, 0, &tax, "total_tax", e)) ||
	    (rc = money(a, o, "total_price", out->currency, 1, 0, &out->total, "total_price", e)) ||
	    (rc = shopify_refunds(a, o, out, e)))
		return rc;
	if (out->nlines == 0)
		return err_setc(e, ERR_INVALID, "parameter_missing", "line_items",
				"the order has no line with a quantity");
	/* Prices that include tax already hold it: nothing is added on top. */
	out->tax = is_true(o, "taxes_included") == 1 ? 0 : tax;
	out->channel = source && !strcmp(source, "pos") ? "store" : "web";
	out->placed_at = time_of(a, o, "created_at", 0);
	out->payment = shopify_payment(text(o, "financial_status"));
	out->cancelled = text(o, "cancelled_at") != NULL;
	gateway = json_array_get(array_of(o, "payment_gateway_names"), 0);
	out->payment_method = json_is_string(gateway) && json_string_length(gateway) > 0 &&
			      json_string_length(gateway) <= ORDER_TEXT_MAX
		? json_string_value(gateway) : short_text(o, "gateway", ORDER_TEXT_MAX);
	if (json_is_object(customer))
		shopify_customer_fields(a, customer, &out->customer);
	/* A guest checkout: the order's own e-mail and phone name the buyer. */
	if (!out->customer.email)
		out->customer.email = short_text(o, "email", 254);
	if (!out->customer.phone)
		out->customer.phone = short_text(o, "phone", 40);
	if (out->customer.accepts_marketing < 0 || !json_is_object(customer))
		out->customer.accepts_marketing = is_true(o, "buyer_accepts_marketing");
	return 0;
}

/* ---- WooCommerce ---- */

/* A line's unit price from its subtotal (before discounts, before tax) and
 * its discount from its total (after discounts): the unit price rounds up so
 * that quantity * unit_price - discount is the line's total exactly. */
static int woocommerce_lines(struct arena *a, json_t *o, struct integration_order *out,
			     struct err *e)
{
	json_t *list, *l;
	size_t i;
	if (line_items(a, o, out, &list, e))
		return e->kind;
	json_array_foreach(list, i, l) {
		const char *p = arena_printf(a, "line_items[%zu]", i);
		struct order_line *line = &out->lines[out->nlines];
		const char *product = id_of(a, json_object_get(l, "variation_id"));
		int64_t subtotal, total;
		int rc;
		if (!json_is_object(l))
			return err_set(e, ERR_INVALID, p, "\"%s\" must be an object", p);
		if (!product || !strcmp(product, "0"))
			product = id_of(a, json_object_get(l, "product_id"));
		line->sku = short_text(l, "sku", ORDER_TEXT_MAX);
		if (!line->sku && product)
			line->sku = arena_printf(a, "woocommerce-product:%s", product);
		line->name = short_text(l, "name", ORDER_TEXT_MAX);
		if (!line->sku)
			return err_setc(e, ERR_INVALID, "parameter_missing", p,
					"\"%s\" has no sku or product_id", p);
		if ((rc = quantity(l, "quantity", &line->quantity, arena_printf(a, "%s.quantity", p), e)) ||
		    (rc = money(a, l, "subtotal", out->currency, 1, 0, &subtotal,
				arena_printf(a, "%s.subtotal", p), e)) ||
		    (rc = money(a, l, "total", out->currency, 1, 0, &total,
				arena_printf(a, "%s.total", p), e)))
			return rc;
		if (line->quantity == 0)
			continue;
		if (total > subtotal)
			return err_set(e, ERR_INVALID, arena_printf(a, "%s.total", p),
				       "\"%s.total\" is more than its subtotal", p);
		line->unit_price = (subtotal + line->quantity - 1) / line->quantity;
		line->discount = line->unit_price * line->quantity - total;
		out->nlines++;
	}
	return 0;
}

static int woocommerce_shipping(struct arena *a, json_t *o, struct integration_order *out,
				struct err *e)
{
	json_t *list = array_of(o, "shipping_lines"), *l;
	size_t i;
	if (!list)
		return money(a, o, "shipping_total", out->currency, 0, 0, &out->shipping,
			     "shipping_total", e);
	json_array_foreach(list, i, l) {
		int64_t v;
		int rc = money(a, l, "total", out->currency, 1, 0, &v,
			       arena_printf(a, "shipping_lines[%zu].total", i), e);
		if (rc)
			return rc;
		out->shipping += v;
		if (out->shipping > ORDER_AMOUNT_MAX)
			return err_set(e, ERR_INVALID, "shipping_lines", "shipping is too large");
	}
	return 0;
}

/* WooCommerce lists an order's refunds as {id, reason, total: "-5.00"}. */
static int woocommerce_refunds(struct arena *a, json_t *o, struct integration_order *out,
			       struct err *e)
{
	json_t *list = array_of(o, "refunds"), *v;
	size_t i;
	out->refunds = alloc_array(a, json_array_size(list), sizeof(*out->refunds));
	json_array_foreach(list, i, v) {
		struct integration_refund *r = &out->refunds[out->nrefunds];
		const char *id = id_of(a, json_object_get(v, "id"));
		const char *p = arena_printf(a, "refunds[%zu]", i);
		int rc;
		if (!id)
			return err_setc(e, ERR_INVALID, "parameter_missing", p, "\"%s.id\" is required", p);
		r->external_id = integration_external_id(a, INTEGRATION_WOOCOMMERCE, id);
		r->reason = short_text(v, "reason", ORDER_TEXT_MAX);
		if ((rc = money(a, v, "total", out->currency, 1, 1, &r->amount,
				arena_printf(a, "%s.total", p), e)))
			return rc;
		r->amount = r->amount < 0 ? -r->amount : r->amount;
		out->nrefunds++;
	}
	return 0;
}

static const struct {
	const char *status;
	enum integration_payment payment;
	int cancelled, refunded;
} woocommerce_statuses[] = {
	{ "pending", INTEGRATION_UNPAID, 0, 0 },
	{ "on-hold", INTEGRATION_UNPAID, 0, 0 },
	{ "processing", INTEGRATION_PAID, 0, 0 },
	{ "completed", INTEGRATION_PAID, 0, 0 },
	{ "refunded", INTEGRATION_PAID, 0, 1 },
	{ "failed", INTEGRATION_PAYMENT_FAILED, 0, 0 },
	{ "cancelled", INTEGRATION_UNPAID, 1, 0 },
};

static void woocommerce_status(const char *status, struct integration_order *out)
{
	for (size_t i = 0; status && i < sizeof(woocommerce_statuses) / sizeof(*woocommerce_statuses); i++)
		if (!strcmp(woocommerce_statuses[i].status, status)) {
			out->payment = woocommerce_statuses[i].payment;
			out->cancelled = woocommerce_statuses[i].cancelled;
			out->refunded_in_full = woocommerce_statuses[i].refunded;
			return;
		}
	out->payment = INTEGRATION_UNPAID;	/* a status a plugin added: no change */
}

static void woocommerce_person(struct arena *a, json_t *customer_id, json_t *billing,
			       struct integration_customer *out)
{
	const char *id = id_of(a, customer_id);
	/* 0 is a guest: no WooCommerce account */
	out->external_id = id && strcmp(id, "0")
		? integration_external_id(a, INTEGRATION_WOOCOMMERCE, id) : NULL;
	out->email = short_text(billing, "email", 254);
	out->phone = short_text(billing, "phone", 40);
	out->first_name = short_text(billing, "first_name", ORDER_TEXT_MAX);
	out->last_name = short_text(billing, "last_name", ORDER_TEXT_MAX);
	out->accepts_marketing = -1;
}

int woocommerce_read_order(struct arena *a, json_t *o, struct integration_order *out,
			   struct err *e)
{
	const char *id = id_of(a, json_object_get(o, "id"));
	int rc;

	memset(out, 0, sizeof(*out));
	if (!id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "id",
				"\"id\" is required: the order's WooCommerce id");
	out->external_id = integration_external_id(a, INTEGRATION_WOOCOMMERCE, id);
	if ((rc = currency_of(o, &out->currency, e)) ||
	    (rc = woocommerce_lines(a, o, out, e)) ||
	    (rc = woocommerce_shipping(a, o, out, e)) ||
	    (rc = money(a, o, "total_tax", out->currency, 0, 0, &out->tax, "total_tax", e)) ||
	    (rc = money(a, o, "total", out->currency, 1, 0, &out->total, "total", e)) ||
	    (rc = woocommerce_refunds(a, o, out, e)))
		return rc;
	if (out->nlines == 0)
		return err_setc(e, ERR_INVALID, "parameter_missing", "line_items",
				"the order has no line with a quantity");
	woocommerce_status(text(o, "status"), out);
	/* The block checkout saves the cart as an order before it is placed. */
	if (text(o, "status") && !strcmp(text(o, "status"), "checkout-draft"))
		out->ignored = "a checkout draft is no order yet";
	out->channel = "web";
	out->placed_at = time_of(a, o, "date_created_gmt", 1);
	out->payment_method = short_text(o, "payment_method_title", ORDER_TEXT_MAX);
	woocommerce_person(a, json_object_get(o, "customer_id"), json_object_get(o, "billing"),
			   &out->customer);
	return 0;
}

int woocommerce_read_customer(struct arena *a, json_t *o, struct integration_customer *out,
			      struct err *e)
{
	json_t *billing = json_object_get(o, "billing");
	memset(out, 0, sizeof(*out));
	woocommerce_person(a, json_object_get(o, "id"), billing, out);
	/* The account's own names and e-mail before the billing address's. */
	out->email = short_text(o, "email", 254) ? short_text(o, "email", 254) : out->email;
	out->first_name = short_text(o, "first_name", ORDER_TEXT_MAX)
		? short_text(o, "first_name", ORDER_TEXT_MAX) : out->first_name;
	out->last_name = short_text(o, "last_name", ORDER_TEXT_MAX)
		? short_text(o, "last_name", ORDER_TEXT_MAX) : out->last_name;
	if (!out->external_id)
		return err_setc(e, ERR_INVALID, "parameter_missing", "id",
				"\"id\" is required: the customer's WooCommerce id");
	return 0;
}
