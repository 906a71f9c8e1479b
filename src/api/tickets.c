/* tickets.c: /v1/tickets with their messages, and /v1/sla_policies. */
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../base/rfc3339.h"
#include "../core/order.h"
#include "../core/sla.h"
#include "../core/ticket.h"
#include "api.h"
#include "../render/render.h"

struct ticket_call {
	struct req *r;
	const char *ref, *starting_after;
	struct ticket_input in;
	struct ticket_message_input msg;
	struct ticket_change change;
	struct ticket_filter filter;
	struct sla_policy policy;
	int limit;
};

static json_t *strings(const char *const *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *api_render_ticket(const struct ticket *t, int with_messages)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
		"id", t->id, "object", "ticket", "customer", t->customer_id,
		"order", render_string(t->order_id), "channel", t->channel, "subject", t->subject,
		"status", t->status, "priority", t->priority, "tags", strings(t->tags, t->ntags),
		"assignee", render_string(t->assignee), "source", render_string(t->source));
	json_object_set_new(o, "sla", json_pack("{s:o, s:o, s:o, s:o, s:b, s:b}",
		"policy", render_string(t->policy_id),
		"first_response_due_at", render_time(t->first_response_due_at),
		"resolution_due_at", render_time(t->resolution_due_at),
		"first_response_at", render_time(t->first_response_at),
		"first_response_breached", t->first_response_breached_at != 0,
		"resolution_breached", t->resolution_breached_at != 0));
	json_object_set_new(o, "solved_at", render_time(t->solved_at));
	json_object_set_new(o, "closed_at", render_time(t->closed_at));
	json_object_set_new(o, "created_at", render_time(t->created_at));
	json_object_set_new(o, "updated_at", render_time(t->updated_at));
	if (with_messages) {
		json_t *m = json_array();
		for (int i = 0; i < t->nmessages; i++)
			json_array_append_new(m, json_pack("{s:s, s:s, s:o, s:s, s:o}", "id",
				t->messages[i].id, "author", t->messages[i].author,
				"agent", render_string(t->messages[i].agent), "body", t->messages[i].body,
				"created_at", render_time(t->messages[i].created_at)));
		json_object_set_new(o, "messages", m);
	}
	return o;
}

static int string_list(struct req *r, json_t *body, const char *key, const char *const **out,
		       int *n, struct err *e)
{
	json_t *v = json_object_get(body, key);
	*n = -1;
	if (!v)
		return 0;
	*n = 0;
	if (json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > 100)
		return err_set(e, ERR_INVALID, key, "\"%s\" is an array of strings", key);
	const char **l = arena_alloc(&r->arena, (json_array_size(v) + 1) * sizeof(*l));
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return err_set(e, ERR_INVALID, key, "\"%s\" is an array of strings", key);
		l[(*n)++] = json_string_value(json_array_get(v, i));
	}
	*out = l;
	return 0;
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct ticket t;
	int rc = ticket_create(tx, &c->r->arena, c->r->shop_id, &c->in, &t, e);
	if (!rc)
		req_json(c->r, 201, api_render_ticket(&t, 1));
	return rc;
}

int api_tickets_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "channel", "customer", "order", "subject", "body",
					       "priority", "tags", NULL };
	struct ticket_call c = { .r = r };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "channel", "send the ticket:"
				" {channel, customer, subject, body, ...}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "channel", 1, 20, &c.in.channel, NULL, e)) ||
	    (rc = jsonv_string(r->json, "order", 0, 220, &c.in.order, NULL, e)) ||
	    (rc = jsonv_string(r->json, "subject", 1, TICKET_SUBJECT_MAX, &c.in.subject, NULL, e)) ||
	    (rc = jsonv_string(r->json, "body", 1, TICKET_BODY_MAX, &c.in.body, NULL, e)) ||
	    (rc = jsonv_string(r->json, "priority", 0, 20, &c.in.priority, NULL, e)) ||
	    (rc = string_list(r, r->json, "tags", &c.in.tags, &c.in.ntags, e)))
		return rc;
	if (c.in.ntags < 0)
		c.in.ntags = 0;
	json_t *who = json_object_get(r->json, "customer");
	if (((who && !json_is_null(who)) || !c.in.order) && (rc = api_orders_parse_customer(r, r->json, &c.in.customer, e)))
		return rc;
	return req_write(r, create_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct ticket t;
	int rc = ticket_get(tx, &c->r->arena, c->r->shop_id, c->ref, &t, e);
	if (!rc)
		req_json(c->r, 200, api_render_ticket(&t, 1));
	return rc;
}

int api_tickets_get(struct req *r, struct err *e)
{
	struct ticket_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int message_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct ticket t;
	int rc = ticket_add_message(tx, &c->r->arena, c->r->shop_id, c->ref, &c->msg, &t, e);
	if (!rc)
		req_json(c->r, 201, api_render_ticket(&t, 1));
	return rc;
}

int api_tickets_message(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "author", "body", "agent", NULL };
	struct ticket_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "send {author, body}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "author", 1, 20, &c.msg.author, NULL, e)) ||
	    (rc = jsonv_string(r->json, "body", 1, TICKET_BODY_MAX, &c.msg.body, NULL, e)) ||
	    (rc = jsonv_string(r->json, "agent", 0, 200, &c.msg.agent, NULL, e)))
		return rc;
	return req_write(r, message_tx, &c, e);
}

static int update_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct ticket t;
	int rc = ticket_update(tx, &c->r->arena, c->r->shop_id, c->ref, &c->change, &t, e);
	if (!rc)
		req_json(c->r, 200, api_render_ticket(&t, 1));
	return rc;
}

int api_tickets_update(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "status", "priority", "tags", "assignee", NULL };
	struct ticket_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", NULL, "send the fields to change");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "status", 0, 20, &c.change.status, NULL, e)) ||
	    (rc = jsonv_string(r->json, "priority", 0, 20, &c.change.priority, NULL, e)) ||
	    (rc = jsonv_string(r->json, "assignee", 0, 200, &c.change.assignee, NULL, e)) ||
	    (rc = string_list(r, r->json, "tags", &c.change.tags, &c.change.ntags, e)))
		return rc;
	json_t *a = json_object_get(r->json, "assignee");
	c.change.clear_assignee = a && json_is_null(a);
	return req_write(r, update_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct ticket *list;
	int n, more, rc = ticket_list(tx, &c->r->arena, c->r->shop_id, &c->filter, c->starting_after,
				      c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_render_ticket(&list[i], 0));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_tickets_list(struct req *r, struct err *e)
{
	struct ticket_call c = { .r = r };
	const char *breached = req_query(r, "breached"), *due = req_query(r, "due_before");
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc)
		return rc;
	c.filter.status = req_query(r, "status");
	c.filter.customer = req_query(r, "customer");
	c.filter.breached = -1;
	if (breached) {
		if (strcmp(breached, "true") && strcmp(breached, "false"))
			return err_set(e, ERR_INVALID, "breached", "\"breached\" is true or false");
		c.filter.breached = !strcmp(breached, "true");
	}
	if (due && rfc3339_parse(due, &c.filter.due_before))
		return err_set(e, ERR_INVALID, "due_before", "\"due_before\" is an RFC 3339 time");
	return req_read(r, list_tx, &c, e);
}

/* ---- SLA policies ---- */

static char *hhmm(struct arena *a, int minutes)
{
	return arena_printf(a, "%02d:%02d", minutes / 60, minutes % 60);
}

static json_t *render_policy(struct arena *a, const struct sla_policy *p)
{
	json_t *days = json_array(), *holidays = json_array(), *targets = json_array();
	for (int d = 1; d <= 7; d++)
		if (p->calendar.weekdays & (1 << d))
			json_array_append_new(days, json_integer(d));
	for (int i = 0; i < p->calendar.nholidays; i++) {
		char s[RFC3339_MAX];
		rfc3339_format(p->calendar.holidays[i] * 86400000LL, s);
		json_array_append_new(holidays, json_stringn(s, 10));
	}
	for (int i = 0; i < p->ntargets; i++)
		json_array_append_new(targets, json_pack("{s:o, s:o, s:I, s:I}", "priority",
			render_string(p->targets[i].priority), "channel", render_string(p->targets[i].channel),
			"first_response_minutes", (json_int_t)p->targets[i].first_response_minutes,
			"resolution_minutes", (json_int_t)p->targets[i].resolution_minutes));
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:o, s:{s:s, s:s}, s:o}, s:o, s:o, s:o}",
		"id", p->id, "object", "sla_policy", "name", p->name, "calendar",
		"timezone", p->calendar.timezone, "weekdays", days, "hours", "start",
		hhmm(a, p->calendar.start), "end", hhmm(a, p->calendar.end), "holidays", holidays,
		"targets", targets, "created_at", render_time(p->created_at),
		"updated_at", render_time(p->updated_at));
}

static int parse_calendar(json_t *v, struct calendar *c, struct err *e)
{
	static const char *const allowed[] = { "timezone", "weekdays", "hours", "holidays", NULL };
	static const char *const hours_keys[] = { "start", "end", NULL };
	const char *tz, *start, *end;
	int rc;
	if (!v || !json_is_object(v))
		return err_setc(e, ERR_INVALID, "parameter_missing", "calendar", "\"calendar\" is"
				" {timezone, weekdays, hours: {start, end}, holidays}");
	if ((rc = jsonv_only_keys(v, allowed, "calendar.", e)) ||
	    (rc = jsonv_string(v, "timezone", 1, TZ_NAME_MAX, &tz, "calendar.timezone", e)))
		return rc;
	snprintf(c->timezone, sizeof(c->timezone), "%s", tz);
	json_t *days = json_object_get(v, "weekdays"), *hours = json_object_get(v, "hours");
	if (!json_is_array(days) || !json_array_size(days) || json_array_size(days) > 7)
		return err_set(e, ERR_INVALID, "calendar.weekdays", "\"weekdays\" lists 1 (Monday) to 7"
			       " (Sunday)");
	c->weekdays = 0;
	for (size_t i = 0; i < json_array_size(days); i++) {
		json_t *d = json_array_get(days, i);
		json_int_t n = json_is_integer(d) ? json_integer_value(d) : 0;
		if (n < 1 || n > 7 || (c->weekdays & (1 << n)))
			return err_set(e, ERR_INVALID, "calendar.weekdays", "\"weekdays\" lists 1 (Monday)"
				       " to 7 (Sunday), each once");
		c->weekdays |= 1 << n;
	}
	if (!json_is_object(hours))
		return err_setc(e, ERR_INVALID, "parameter_missing", "calendar.hours",
				"\"hours\" is {start: \"09:00\", end: \"17:00\"}");
	if ((rc = jsonv_only_keys(hours, hours_keys, "calendar.hours.", e)) ||
	    (rc = jsonv_string(hours, "start", 1, 5, &start, "calendar.hours.start", e)) ||
	    (rc = jsonv_string(hours, "end", 1, 5, &end, "calendar.hours.end", e)))
		return rc;
	if ((c->start = calendar_parse_hhmm(start)) < 0 || c->start == 1440)
		return err_set(e, ERR_INVALID, "calendar.hours.start", "\"start\" is a time like \"09:00\"");
	if ((c->end = calendar_parse_hhmm(end)) < 0)
		return err_set(e, ERR_INVALID, "calendar.hours.end", "\"end\" is a time like \"17:00\"");
	json_t *h = json_object_get(v, "holidays");
	c->nholidays = 0;
	if (h && !json_is_null(h)) {
		if (!json_is_array(h) || json_array_size(h) > CALENDAR_HOLIDAYS_MAX)
			return err_set(e, ERR_INVALID, "calendar.holidays", "\"holidays\" is a list of at"
				       " most %d dates (\"2026-12-25\")", CALENDAR_HOLIDAYS_MAX);
		for (size_t i = 0; i < json_array_size(h); i++) {
			const char *s = json_string_value(json_array_get(h, i));
			if (calendar_parse_date(s, &c->holidays[c->nholidays++]))
				return err_set(e, ERR_INVALID, "calendar.holidays", "\"%s\" is not a date like"
					       " \"2026-12-25\"", s ? s : "");
		}
	}
	return 0;
}

static int parse_policy(struct req *r, struct sla_policy *p, struct err *e)
{
	static const char *const allowed[] = { "name", "calendar", "targets", NULL };
	static const char *const target_keys[] = { "priority", "channel", "first_response_minutes",
						   "resolution_minutes", NULL };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "name", "send {name, calendar,"
				" targets}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "name", 1, 200, &p->name, NULL, e)) ||
	    (rc = parse_calendar(json_object_get(r->json, "calendar"), &p->calendar, e)))
		return rc;
	json_t *t = json_object_get(r->json, "targets");
	if (!json_is_array(t) || !json_array_size(t) || json_array_size(t) > SLA_TARGETS_MAX)
		return err_set(e, ERR_INVALID, "targets", "\"targets\" is a list of 1 to %d {priority?,"
			       " channel?, first_response_minutes, resolution_minutes}", SLA_TARGETS_MAX);
	p->ntargets = (int)json_array_size(t);
	for (int i = 0; i < p->ntargets; i++) {
		json_t *o = json_array_get(t, (size_t)i);
		struct sla_target *g = &p->targets[i];
		char prefix[24], p1[48], p2[48], p3[48], p4[48];
		snprintf(prefix, sizeof(prefix), "targets[%d].", i);
		snprintf(p1, sizeof(p1), "targets[%d].priority", i);
		snprintf(p2, sizeof(p2), "targets[%d].channel", i);
		snprintf(p3, sizeof(p3), "targets[%d].first_response_minutes", i);
		snprintf(p4, sizeof(p4), "targets[%d].resolution_minutes", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, "targets", "each target is an object");
		if ((rc = jsonv_only_keys(o, target_keys, prefix, e)) ||
		    (rc = jsonv_string(o, "priority", 0, 20, &g->priority, p1, e)) ||
		    (rc = jsonv_string(o, "channel", 0, 20, &g->channel, p2, e)) ||
		    (rc = jsonv_int(o, "first_response_minutes", 1, 1, SLA_MINUTES_MAX,
				    &g->first_response_minutes, NULL, p3, e)) ||
		    (rc = jsonv_int(o, "resolution_minutes", 1, 1, SLA_MINUTES_MAX,
				    &g->resolution_minutes, NULL, p4, e)))
			return rc;
	}
	return 0;
}

static int policy_put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct sla_policy p = c->policy;	/* a rerun starts from what was sent */
	int rc = sla_put(tx, c->r->shop_id, &p, e);
	if (!rc && !(rc = sla_get(tx, &c->r->arena, c->r->shop_id, p.id, &p, e)))
		req_json(c->r, c->ref ? 200 : 201, render_policy(&c->r->arena, &p));
	return rc;
}

int api_sla_create(struct req *r, struct err *e)
{
	struct ticket_call *c = arena_alloc(&r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	int rc = parse_policy(r, &c->policy, e);
	return rc ? rc : req_write(r, policy_put_tx, c, e);
}

int api_sla_update(struct req *r, struct err *e)
{
	struct ticket_call *c = arena_alloc(&r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->ref = req_param(r, 0);
	int rc = parse_policy(r, &c->policy, e);
	if (rc)
		return rc;
	if (strlen(c->ref) >= sizeof(c->policy.id))
		return err_set(e, ERR_NOT_FOUND, "id", "no SLA policy \"%s\"", c->ref);
	snprintf(c->policy.id, sizeof(c->policy.id), "%s", c->ref);
	return req_write(r, policy_put_tx, c, e);
}

static int policy_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	int rc = sla_get(tx, &c->r->arena, c->r->shop_id, c->ref, &c->policy, e);
	if (!rc)
		req_json(c->r, 200, render_policy(&c->r->arena, &c->policy));
	return rc;
}

int api_sla_get(struct req *r, struct err *e)
{
	struct ticket_call *c = arena_alloc(&r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->r = r;
	c->ref = req_param(r, 0);
	return req_read(r, policy_get_tx, c, e);
}

static int policy_list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct ticket_call *c = ctx;
	struct sla_policy *list;
	int n, rc = sla_list(tx, &c->r->arena, c->r->shop_id, &list, &n, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_policy(&c->r->arena, &list[i]));
	req_json(c->r, 200, render_list(data, 0));
	return 0;
}

int api_sla_list(struct req *r, struct err *e)
{
	struct ticket_call c = { .r = r };
	return req_read(r, policy_list_tx, &c, e);
}

/* An erasure's reach into stored answers (api/customers.c): every stored
 * idempotent response that shows one of the customer's tickets gets the
 * ticket as it is now, blank subject and messages (a replay of the POST
 * that opened it reveals nothing the erasure removed). */
int api_tickets_erasure_rewrite(struct store_tx *tx, struct req *r, const char *customer,
				struct err *e)
{
	struct ticket_filter f = { .customer = customer, .breached = -1 };
	const char *after = NULL;
	int more = 1, rc = 0;
	while (!rc && more) {
		struct ticket *list, t;
		int n;
		if ((rc = ticket_list(tx, &r->arena, r->shop_id, &f, after, 100, &list, &n, &more, e)))
			break;
		for (int i = 0; !rc && i < n; i++) {
			if ((rc = ticket_get(tx, &r->arena, r->shop_id, list[i].id, &t, e)))
				break;
			json_t *now = api_render_ticket(&t, 1);
			rc = req_stored_responses_replace(tx, &r->arena, r->shop_id, t.id, now, e);
			json_decref(now);
		}
		after = n ? list[n - 1].id : NULL;
		more = more && after;
	}
	return rc;
}
