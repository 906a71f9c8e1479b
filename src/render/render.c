/* render.c: see render.h. */
#include "render.h"

#include "../base/buf.h"
#include "../base/jsonv.h"
#include "../base/rfc3339.h"

json_t *render_time(int64_t ms)
{
	char buf[RFC3339_MAX];
	if (!ms)
		return json_null();
	rfc3339_format(ms, buf);
	return json_string(buf);
}

json_t *render_string(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *render_shop(const struct shop *s, const struct shop_keys *new_keys)
{
	json_t *keys = json_array();
	for (int i = 0; i < s->nkeys; i++)
		json_array_append_new(keys, json_pack("{s:s, s:s, s:o, s:o}",
			"type", s->keys[i].kind, "hint", s->keys[i].hint,
			"created_at", render_time(s->keys[i].created_at),
			"expires_at", render_time(s->keys[i].expires_at)));
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o}", "id", s->id, "object", "shop",
			      "name", s->name, "created_at", render_time(s->created_at),
			      "keys", keys);
	const struct shop_contact *c = s->contact;
	json_object_set_new(o, "support_contact", c && c->support_email
		? json_pack("{s:s, s:o}", "email", c->support_email, "phone", render_string(c->support_phone))
		: json_null());
	json_object_set_new(o, "sender", c && c->sender_email
		? json_pack("{s:s, s:o}", "email", c->sender_email, "name", render_string(c->sender_name))
		: json_null());
	json_object_set_new(o, "survey_url", render_string(c ? c->survey_url : NULL));
	if (new_keys) {
		/* Shown once: only their hashes are stored. */
		json_object_set_new(o, "secret_key", json_string(new_keys->secret));
		json_object_set_new(o, "publishable_key", json_string(new_keys->publishable));
	}
	return o;
}

json_t *render_shop_keys_withheld(const struct shop *s)
{
	json_t *o = render_shop(s, NULL);
	json_object_set_new(o, "secret_key", json_null());
	json_object_set_new(o, "publishable_key", json_null());
	return o;
}

static json_t *render_address(const struct address *a)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"name", render_string(a->name), "line1", render_string(a->line1),
		"line2", render_string(a->line2), "city", render_string(a->city),
		"region", render_string(a->region), "postal_code", render_string(a->postal_code),
		"country", render_string(a->country), "phone", render_string(a->phone));
}

json_t *render_customer(const struct customer *c)
{
	json_t *ids = json_array(), *addresses = json_array();
	for (int i = 0; i < c->nidentities; i++)
		json_array_append_new(ids, json_pack("{s:s, s:s}", "type", c->identities[i].kind,
						     "value", c->identities[i].value));
	for (int i = 0; i < c->naddresses; i++)
		json_array_append_new(addresses, render_address(&c->addresses[i]));
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:s, s:b, s:o, s:o, s:o, s:I,"
			 " s:o, s:o, s:o, s:o}",
		"id", c->id, "object", "customer",
		"external_id", render_string(c->external_id),
		"name", render_string(c->name),
		"email", render_string(c->email),
		"phone", render_string(c->phone),
		"status", c->status,
		"account_invite_due", c->account_invite_due_at != 0,
		"account_invite_due_at", render_time(c->account_invite_due_at),
		"account_created_at", render_time(c->account_created_at),
		"merged_into", render_string(c->merged_into),
		"orders_count", (json_int_t)c->orders_count,
		"identities", ids,
		"addresses", addresses,
		"created_at", render_time(c->created_at),
		"updated_at", render_time(c->updated_at));
	/* Issue 12 */
	json_object_set_new(o, "display_name", render_string(c->display_name));
	json_object_set_new(o, "marketing_consent", json_boolean(c->marketing_consent));
	json_object_set_new(o, "marketing_consent_at", render_time(c->marketing_consent_at));
	return o;
}

/* Order rendering runs on every order request: objects are built with
 * direct sets under literal keys (no json_pack format to parse, no key
 * validation), in json_pack's key order. */
static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new_nocheck(o, key, v);
}

static json_t *render_lines(const struct order *o)
{
	json_t *lines = json_array();
	for (int i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		json_t *j = json_object();
		set(j, "sku", json_string(l->sku));
		set(j, "name", render_string(l->name));
		set(j, "category", render_string(l->category));
		set(j, "quantity", json_integer(l->quantity));
		set(j, "unit_price", json_integer(l->unit_price));
		set(j, "discount", json_integer(l->discount));
		set(j, "amount", json_integer(l->quantity * l->unit_price - l->discount));
		set(j, "refunded_quantity", json_integer(l->refunded_quantity));
		json_array_append_new(lines, j);
	}
	return lines;
}

static json_t *render_payments(const struct order *o)
{
	json_t *out = json_array();
	for (int i = 0; i < o->npayments; i++) {
		const struct payment *p = &o->payments[i];
		json_t *j = json_object();
		set(j, "id", json_string(p->id));
		set(j, "object", json_string("payment"));
		set(j, "external_id", render_string(p->external_id));
		set(j, "status", json_string(p->status));
		set(j, "amount", json_integer(p->amount));
		set(j, "method", render_string(p->method));
		set(j, "failure_reason", render_string(p->failure_reason));
		set(j, "created_at", render_time(p->created_at));
		json_array_append_new(out, j);
	}
	return out;
}

static json_t *render_refunds(const struct order *o)
{
	json_t *out = json_array();
	for (int i = 0; i < o->nrefunds; i++) {
		const struct refund *r = &o->refunds[i];
		json_t *lines = json_array();
		for (int j = 0; j < r->nlines; j++)
			json_array_append_new(lines, json_pack("{s:o, s:I, s:I}",
				"sku", render_string(r->lines[j].sku),
				"quantity", (json_int_t)r->lines[j].quantity,
				"amount", (json_int_t)r->lines[j].amount));
		json_array_append_new(out, json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o}",
			"id", r->id, "object", "refund", "external_id", r->external_id,
			"amount", (json_int_t)r->amount, "reason", render_string(r->reason),
			"lines", lines, "created_at", render_time(r->created_at)));
	}
	return out;
}

json_t *render_earning(const struct order_earning *m)
{
	if (!m || !m->known)
		return json_null();
	json_t *awards = json_array();
	for (int i = 0; i < m->nawards; i++)
		json_array_append_new(awards, json_pack("{s:s, s:s, s:I, s:o, s:s}",
			"id", m->awards[i].id, "rule", m->awards[i].rule,
			"points", (json_int_t)m->awards[i].points, "gift", render_string(m->awards[i].gift),
			"status", m->awards[i].status));
	return json_pack("{s:I, s:I, s:o, s:o, s:o, s:{s:I, s:I}}", "points", (json_int_t)m->points,
			 "clawed_back", (json_int_t)m->clawed, "available_at", render_time(m->available_at),
			 "expires_at", render_time(m->expires_at), "milestones", awards,
			 "cashback", "amount", (json_int_t)m->cashback,
			 "clawed_back", (json_int_t)m->cashback_clawed);
}

json_t *render_order(const struct order *o, const struct order_earning *earning)
{
	json_t *out = json_object();
	set(out, "id", json_string(o->id));
	set(out, "object", json_string("order"));
	set(out, "external_id", json_string(o->external_id));
	set(out, "customer", json_string(o->customer_id));
	set(out, "currency", json_string(o->currency));
	set(out, "channel", json_string(o->channel));
	set(out, "seller", render_string(o->seller));
	set(out, "status", json_string(o->status));
	set(out, "lines", render_lines(o));
	set(out, "subtotal", json_integer(o->subtotal));
	set(out, "discount", json_integer(o->discount));
	set(out, "shipping", json_integer(o->shipping));
	set(out, "tax", json_integer(o->tax));
	set(out, "total", json_integer(o->total));
	set(out, "paid_amount", json_integer(o->paid_amount));
	set(out, "refunded_amount", json_integer(o->refunded_amount));
	set(out, "failed_payments", json_integer(o->failed_payments));
	set(out, "payments", render_payments(o));
	set(out, "refunds", render_refunds(o));
	set(out, "placed_at", render_time(o->placed_at));
	set(out, "promised_delivery_at", render_time(o->promised_delivery_at));
	set(out, "created_at", render_time(o->created_at));
	set(out, "updated_at", render_time(o->updated_at));
	set(out, "loyalty", render_earning(earning));
	return out;
}

json_t *render_list(json_t *data, int has_more)
{
	return json_pack("{s:s, s:o, s:b}", "object", "list", "data", data, "has_more", has_more);
}

/* ---- the order written without its tree (render_order_open) ---- */

/* A literal piece: keys and punctuation, bytes that need no escape. */
#define RAW(b, lit) (jsonv_put_raw((b), lit, sizeof(lit) - 1), 0)

/* A required string: NULL is where json_string() would drop the key. */
static int put_text(struct buf *b, const char *s)
{
	return s ? jsonv_put_string(b, s) : -1;
}

static int put_optional(struct buf *b, const char *s)
{
	return s ? jsonv_put_string(b, s) : RAW(b, "null");
}

static int put_int(struct buf *b, int64_t v)
{
	jsonv_put_integer(b, v);
	return 0;
}

static int put_time(struct buf *b, int64_t ms)
{
	char t[RFC3339_MAX];
	if (!ms)
		return RAW(b, "null");
	rfc3339_format(ms, t);
	return jsonv_put_string(b, t);
}

static int put_lines(struct buf *b, const struct order *o)
{
	int rc = RAW(b, "[");
	for (int i = 0; !rc && i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		rc = (i ? RAW(b, ",{\"sku\":") : RAW(b, "{\"sku\":")) || put_text(b, l->sku) ||
		     RAW(b, ",\"name\":") || put_optional(b, l->name) ||
		     RAW(b, ",\"category\":") || put_optional(b, l->category) ||
		     RAW(b, ",\"quantity\":") || put_int(b, l->quantity) ||
		     RAW(b, ",\"unit_price\":") || put_int(b, l->unit_price) ||
		     RAW(b, ",\"discount\":") || put_int(b, l->discount) ||
		     RAW(b, ",\"amount\":") || put_int(b, l->quantity * l->unit_price - l->discount) ||
		     RAW(b, ",\"refunded_quantity\":") || put_int(b, l->refunded_quantity) ||
		     RAW(b, "}");
	}
	return rc || RAW(b, "]");
}

static int put_payments(struct buf *b, const struct order *o)
{
	int rc = RAW(b, "[");
	for (int i = 0; !rc && i < o->npayments; i++) {
		const struct payment *p = &o->payments[i];
		rc = (i ? RAW(b, ",{\"id\":") : RAW(b, "{\"id\":")) || put_text(b, p->id) ||
		     RAW(b, ",\"object\":\"payment\",\"external_id\":") ||
		     put_optional(b, p->external_id) ||
		     RAW(b, ",\"status\":") || put_text(b, p->status) ||
		     RAW(b, ",\"amount\":") || put_int(b, p->amount) ||
		     RAW(b, ",\"method\":") || put_optional(b, p->method) ||
		     RAW(b, ",\"failure_reason\":") || put_optional(b, p->failure_reason) ||
		     RAW(b, ",\"created_at\":") || put_time(b, p->created_at) || RAW(b, "}");
	}
	return rc || RAW(b, "]");
}

/* Refunds are rare on the paths that matter: their tree, dumped. */
static int put_refunds(struct buf *b, const struct order *o)
{
	if (!o->nrefunds)
		return RAW(b, "[]");
	json_t *v = render_refunds(o);
	jsonv_put_json(b, v);
	json_decref(v);
	return 0;
}

static int put_earning(struct buf *b, const struct order_earning *m)
{
	if (!m || !m->known)
		return RAW(b, "null");
	int rc = RAW(b, "{\"points\":") || put_int(b, m->points) ||
		 RAW(b, ",\"clawed_back\":") || put_int(b, m->clawed) ||
		 RAW(b, ",\"available_at\":") || put_time(b, m->available_at) ||
		 RAW(b, ",\"expires_at\":") || put_time(b, m->expires_at) ||
		 RAW(b, ",\"milestones\":[");
	for (int i = 0; !rc && i < m->nawards; i++) {
		const struct milestone_award *w = &m->awards[i];
		rc = (i ? RAW(b, ",{\"id\":") : RAW(b, "{\"id\":")) || put_text(b, w->id) ||
		     RAW(b, ",\"rule\":") || put_text(b, w->rule) ||
		     RAW(b, ",\"points\":") || put_int(b, w->points) ||
		     RAW(b, ",\"gift\":") || put_optional(b, w->gift) ||
		     RAW(b, ",\"status\":") || put_text(b, w->status) || RAW(b, "}");
	}
	return rc || RAW(b, "],\"cashback\":{\"amount\":") || put_int(b, m->cashback) ||
	       RAW(b, ",\"clawed_back\":") || put_int(b, m->cashback_clawed) || RAW(b, "}}");
}

/* The keys and their order are render_order()'s. */
int render_order_open(struct buf *b, const struct order *o, const struct order_earning *earning)
{
	return RAW(b, "{\"id\":") || put_text(b, o->id) ||
	       RAW(b, ",\"object\":\"order\",\"external_id\":") || put_text(b, o->external_id) ||
	       RAW(b, ",\"customer\":") || put_text(b, o->customer_id) ||
	       RAW(b, ",\"currency\":") || put_text(b, o->currency) ||
	       RAW(b, ",\"channel\":") || put_text(b, o->channel) ||
	       RAW(b, ",\"seller\":") || put_optional(b, o->seller) ||
	       RAW(b, ",\"status\":") || put_text(b, o->status) ||
	       RAW(b, ",\"lines\":") || put_lines(b, o) ||
	       RAW(b, ",\"subtotal\":") || put_int(b, o->subtotal) ||
	       RAW(b, ",\"discount\":") || put_int(b, o->discount) ||
	       RAW(b, ",\"shipping\":") || put_int(b, o->shipping) ||
	       RAW(b, ",\"tax\":") || put_int(b, o->tax) ||
	       RAW(b, ",\"total\":") || put_int(b, o->total) ||
	       RAW(b, ",\"paid_amount\":") || put_int(b, o->paid_amount) ||
	       RAW(b, ",\"refunded_amount\":") || put_int(b, o->refunded_amount) ||
	       RAW(b, ",\"failed_payments\":") || put_int(b, o->failed_payments) ||
	       RAW(b, ",\"payments\":") || put_payments(b, o) ||
	       RAW(b, ",\"refunds\":") || put_refunds(b, o) ||
	       RAW(b, ",\"placed_at\":") || put_time(b, o->placed_at) ||
	       RAW(b, ",\"promised_delivery_at\":") || put_time(b, o->promised_delivery_at) ||
	       RAW(b, ",\"created_at\":") || put_time(b, o->created_at) ||
	       RAW(b, ",\"updated_at\":") || put_time(b, o->updated_at) ||
	       RAW(b, ",\"loyalty\":") || put_earning(b, earning) ? -1 : 0;
}
