/* email.c: the e-mail templates (PUT/GET/DELETE /v1/templates/{event}, a
 * preview), the shop's e-mail settings and POST /v1/unsubscribe (no key: the
 * signed token names the shop and the customer). core/email.h does the work. */
#include <string.h>

#include "../base/jsonv.h"
#include "../core/customer.h"
#include "../core/email.h"
#include "api.h"
#include "../render/render.h"

struct email_call {
	struct req *r;
	struct email_template t;
	struct email_settings s;
	const char *token;
};

static json_t *render_template(const struct email_template *t)
{
	int event = email_event_find(t->event_type);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "object", "email_template",
		"event", t->event_type, "class", email_class_name(email_event_class(event)),
		"subject", t->subject, "text", t->text, "html", t->html,
		"created_at", render_time(t->created_at), "updated_at", render_time(t->updated_at));
}

/* The body of PUT and preview: all three parts, strings (may be empty). */
static int parse_template(struct req *r, struct email_template *t, struct err *e)
{
	static const char *const allowed[] = { "subject", "text", "html", NULL };
	static const char *const parts[] = { "subject", "text", "html" };
	const char **out[] = { &t->subject, &t->text, &t->html };
	int rc = jsonv_only_keys(r->json, allowed, "", e);
	if (rc)
		return rc;
	memset(t, 0, sizeof(*t));
	t->event_type = req_param(r, 0);
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(r->json, parts[i]);
		if (!json_is_string(v))
			return err_setc(e, ERR_INVALID, v ? "parameter_invalid" : "parameter_missing",
					parts[i], "\"%s\" must be a string (a template)", parts[i]);
		*out[i] = json_string_value(v);
	}
	return email_template_check(t, e);
}

static int put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	struct email_template saved;
	int created, rc = email_template_put(tx, c->r->shop_id, &c->t, &created, e);
	if (!rc)
		rc = email_template_get(tx, &c->r->arena, c->r->shop_id, c->t.event_type, &saved, e);
	if (!rc)
		req_json(c->r, created ? 201 : 200, render_template(&saved));
	return rc;
}

int api_templates_put(struct req *r, struct err *e)
{
	struct email_call c = { .r = r };
	int rc = parse_template(r, &c.t, e);
	return rc ? rc : req_write(r, put_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	struct email_template t;
	int rc = email_template_get(tx, &c->r->arena, c->r->shop_id, req_param(c->r, 0), &t, e);
	if (!rc)
		req_json(c->r, 200, render_template(&t));
	return rc;
}

int api_templates_get(struct req *r, struct err *e)
{
	struct email_call c = { .r = r };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	struct email_template *list;
	int n, rc = email_template_list(tx, &c->r->arena, c->r->shop_id, &list, &n, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_template(&list[i]));
	req_json(c->r, 200, render_list(data, 0));
	return 0;
}

int api_templates_list(struct req *r, struct err *e)
{
	struct email_call c = { .r = r };
	return req_read(r, list_tx, &c, e);
}

static int delete_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	int rc = email_template_delete(tx, c->r->shop_id, req_param(c->r, 0), e);
	if (!rc)
		req_json(c->r, 200, json_pack("{s:s, s:s, s:b}", "object", "email_template",
					      "event", req_param(c->r, 0), "deleted", 1));
	return rc;
}

int api_templates_delete(struct req *r, struct err *e)
{
	struct email_call c = { .r = r };
	return req_write(r, delete_tx, &c, e);
}

int api_templates_preview(struct req *r, struct err *e)
{
	struct email_template t;
	struct email_rendered out;
	int rc = parse_template(r, &t, e);
	if (!rc)
		rc = email_preview(&r->arena, &t, &out, e);
	if (!rc)
		req_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", "email_preview",
					   "event", t.event_type, "subject", out.subject, "text", out.text,
					   "html", out.html));
	return rc;
}

static json_t *render_settings(const struct email_settings *s)
{
	return json_pack("{s:s, s:o, s:I, s:o}", "object", "email_settings",
			 "unsubscribe_url", render_string(s->unsubscribe_url),
			 "promotional_weekly_cap", (json_int_t)s->promotional_weekly_cap,
			 "updated_at", render_time(s->updated_at));
}

static int settings_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	struct email_settings s;
	int rc = email_settings_get(tx, &c->r->arena, c->r->shop_id, &s, e);
	if (!rc)
		req_json(c->r, 200, render_settings(&s));
	return rc;
}

int api_email_settings_get(struct req *r, struct err *e)
{
	struct email_call c = { .r = r };
	return req_read(r, settings_get_tx, &c, e);
}

static int settings_put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	struct email_settings s;
	int rc = email_settings_put(tx, c->r->shop_id, &c->s, e);
	if (!rc)
		rc = email_settings_get(tx, &c->r->arena, c->r->shop_id, &s, e);
	if (!rc)
		req_json(c->r, 200, render_settings(&s));
	return rc;
}

/* The whole settings: a field left out takes its default (the URL: none). */
int api_email_settings_put(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "unsubscribe_url", "promotional_weekly_cap", NULL };
	struct email_call c = { .r = r, .s = { .promotional_weekly_cap = EMAIL_WEEKLY_CAP_DEFAULT } };
	int rc;
	/* No body is no settings, never "all the defaults": it would wipe the unsubscribe page. */
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "unsubscribe_url",
				"send {unsubscribe_url, promotional_weekly_cap}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "unsubscribe_url", JSONV_OPTIONAL, EMAIL_URL_MAX,
			       &c.s.unsubscribe_url, NULL, e)) ||
	    (rc = jsonv_int(r->json, "promotional_weekly_cap", JSONV_OPTIONAL, 0, EMAIL_WEEKLY_CAP_MAX,
			    &c.s.promotional_weekly_cap, NULL, NULL, e)))
		return rc;
	return req_write(r, settings_put_tx, &c, e);
}

static int unsubscribe_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct email_call *c = ctx;
	char shop[ID_MAX], customer[ID_MAX];
	int rc = email_unsubscribe(tx, c->token, shop, customer, e);
	if (!rc)
		req_json(c->r, 200, json_pack("{s:s, s:s}", "object", "email_unsubscribe",
					      "promotional", "unsubscribed"));
	return rc;
}

int api_unsubscribe(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "token", NULL };
	struct email_call c = { .r = r };
	json_t *token = json_object_get(r->json, "token");
	int rc = jsonv_only_keys(r->json, allowed, "", e);
	if (rc)
		return rc;
	if (!json_is_string(token))
		return err_setc(e, ERR_INVALID, token ? "parameter_invalid" : "parameter_missing",
				"token", "\"token\" must be the string of the unsubscribe link");
	c.token = json_string_value(token);
	return req_write(r, unsubscribe_tx, &c, e);
}

static json_t *render_message(const struct email_message *m)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I}", "id", m->id,
		"object", "email_message", "event", m->event_id, "event_type", m->event_type,
		"customer", m->customer_id, "class", m->class_name, "state", m->state,
		"reason", render_string(m->reason), "attempts", (json_int_t)m->attempts);
	json_object_set_new(o, "last_error", render_string(m->last_error));
	json_object_set_new(o, "created_at", render_time(m->created_at));
	json_object_set_new(o, "sent_at", render_time(m->sent_at));
	json_object_set_new(o, "next_attempt_at", render_time(m->next_attempt_at));
	return o;
}

struct messages_call {
	struct req *r;
	const char *customer, *starting_after;
	int limit;
};

static int messages_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct messages_call *c = ctx;
	char customer[ID_MAX];
	struct email_message *list;
	int n, more, rc = 0;
	if (c->customer)
		rc = customer_resolve(tx, c->r->shop_id, c->customer, "customer", customer, e);
	if (!rc)
		rc = email_message_list(tx, &c->r->arena, c->r->shop_id, c->customer ? customer : NULL,
					c->starting_after, c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_message(&list[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

/* GET /v1/email/messages?customer=&limit=&starting_after=: what was sent,
 * what waits, and why a customer got nothing (never the address or words). */
int api_email_messages_list(struct req *r, struct err *e)
{
	struct messages_call c = { .r = r, .customer = req_query(r, "customer") };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, messages_tx, &c, e);
}
