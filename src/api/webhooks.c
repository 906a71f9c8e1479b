/* webhooks.c: /v1/webhook_endpoints and /v1/events (issue 13, core/webhook.h). */
#include <string.h>

#include "../base/jsonv.h"
#include "../http/server.h"
#include "../core/event.h"
#include "../core/webhook.h"
#include "api.h"
#include "../render/render.h"

struct webhook_call {
	struct req *r;
	const char *ref, *starting_after, *pattern;
	struct webhook_input in;
	int limit;
};

static json_t *render_endpoint(const struct webhook_endpoint *w, int with_secret)
{
	json_t *events = json_array();
	for (int i = 0; i < w->nevents; i++)
		json_array_append_new(events, json_string(w->events[i]));
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:s, s:o}", "id", w->id, "object",
			      "webhook_endpoint", "url", w->url, "description",
			      render_string(w->description), "events", events, "status", w->status,
			      "disabled_reason", render_string(w->disabled_reason));
	json_object_set_new(o, "secret", render_string(with_secret ? w->secret : NULL));
	json_object_set_new(o, "previous_secret_expires_at", render_time(w->previous_secret_until));
	json_object_set_new(o, "created_at", render_time(w->created_at));
	json_object_set_new(o, "updated_at", render_time(w->updated_at));
	return o;
}

static json_t *render_event(const struct event *ev)
{
	struct buf b;
	buf_init(&b, 64 * 1024);
	json_t *data = event_data_json(&b, ev) ? NULL : json_loads(b.data, 0, NULL);
	buf_free(&b);
	json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "id", ev->id, "object", "event", "type",
			      ev->type, "created_at", render_time(ev->created_at));
	json_object_set_new(o, "data", data ? data : json_object());
	return o;
}

/* "events": an array of 1..WEBHOOK_EVENTS_MAX patterns of the vocabulary. */
static int parse_events(struct req *r, int required, struct webhook_input *in, struct err *e)
{
	json_t *v = json_object_get(r->json, "events");
	in->nevents = -1;
	if (!v || json_is_null(v))
		return required ? err_setc(e, ERR_INVALID, "parameter_missing", "events", "send"
					   " \"events\": the event types, such as [\"points.earned\","
					   " \"offer.*\"]") : 0;
	if (!json_is_array(v) || json_array_size(v) > WEBHOOK_EVENTS_MAX)
		return err_set(e, ERR_INVALID, "events", "\"events\" is an array of at most %d event"
			       " types", WEBHOOK_EVENTS_MAX);
	const char **l = arena_alloc(&r->arena, (json_array_size(v) + 1) * sizeof(*l));
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return err_set(e, ERR_INVALID, "events", "\"events\" is an array of strings");
		l[i] = json_string_value(json_array_get(v, i));
	}
	in->events = l;
	in->nevents = (int)json_array_size(v);
	return webhook_events_check(in->events, in->nevents, e);
}

static int parse_endpoint(struct req *r, int creating, struct webhook_input *in, struct err *e)
{
	static const char *const allowed_create[] = { "url", "events", "description", NULL };
	static const char *const allowed_update[] = { "url", "events", "description", "enabled",
						      NULL };
	int rc, enabled, has_enabled = 0;
	*in = (struct webhook_input){ .nevents = -1, .enabled = -1 };
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "url", creating ?
				"send {url, events, description?}" : "send the fields to change");
	if ((rc = jsonv_only_keys(r->json, creating ? allowed_create : allowed_update, "", e)) ||
	    (rc = jsonv_string(r->json, "url", creating, WEBHOOK_URL_MAX, &in->url, NULL, e)) ||
	    (rc = jsonv_string(r->json, "description", 0, WEBHOOK_DESCRIPTION_MAX,
			       &in->description, NULL, e)) ||
	    (rc = parse_events(r, creating, in, e)) ||
	    (!creating && (rc = jsonv_bool(r->json, "enabled", 0, &enabled, &has_enabled, NULL, e))))
		return rc;
	json_t *d = json_object_get(r->json, "description");
	in->clear_description = d && json_is_null(d);
	if (has_enabled)
		in->enabled = enabled;
	/* The target is checked before the write: it resolves the host. */
	return in->url ? webhook_url_check(in->url, (int)r->srv->cfg->webhooks_allow_private, e) : 0;
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_endpoint w;
	int rc = webhook_create(tx, &c->r->arena, c->r->shop_id, &c->in, &w, e);
	if (!rc)
		req_json_once(c->r, 201, render_endpoint(&w, 1), render_endpoint(&w, 0));
	return rc;
}

int api_webhooks_create(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r };
	int rc = parse_endpoint(r, 1, &c.in, e);
	return rc ? rc : req_write(r, create_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_endpoint w;
	int rc = webhook_get(tx, &c->r->arena, c->r->shop_id, c->ref, &w, e);
	if (!rc)
		req_json(c->r, 200, render_endpoint(&w, 0));
	return rc;
}

int api_webhooks_get(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_endpoint *list;
	int n, more, rc = webhook_list(tx, &c->r->arena, c->r->shop_id, c->starting_after,
				       c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_endpoint(&list[i], 0));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_webhooks_list(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, list_tx, &c, e);
}

static int update_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_endpoint w;
	int rc = webhook_update(tx, &c->r->arena, c->r->shop_id, c->ref, &c->in, &w, e);
	if (!rc)
		req_json(c->r, 200, render_endpoint(&w, 0));
	return rc;
}

int api_webhooks_update(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = parse_endpoint(r, 0, &c.in, e);
	return rc ? rc : req_write(r, update_tx, &c, e);
}

static int delete_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	int rc = webhook_delete(tx, c->r->shop_id, c->ref, e);
	if (!rc)
		req_json(c->r, 200, json_pack("{s:s, s:s, s:b}", "id", c->ref, "object",
					      "webhook_endpoint", "deleted", 1));
	return rc;
}

int api_webhooks_delete(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	return req_write(r, delete_tx, &c, e);
}

static int rotate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_endpoint w;
	int rc = webhook_rotate_secret(tx, &c->r->arena, c->r->shop_id, c->ref, &w, e);
	if (!rc)
		req_json_once(c->r, 200, render_endpoint(&w, 1), render_endpoint(&w, 0));
	return rc;
}

int api_webhooks_rotate_secret(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	if (r->json && json_object_size(r->json))
		return err_set(e, ERR_INVALID, NULL, "rotate_secret takes no fields");
	return req_write(r, rotate_tx, &c, e);
}

static int deliveries_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct webhook_attempt *list;
	int n, more, rc = webhook_attempts(tx, &c->r->arena, c->r->shop_id, c->ref,
					   c->starting_after, c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		const struct webhook_attempt *t = &list[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:o, s:I, s:o}", "id", t->id, "object",
			"webhook_attempt", "event", t->event_id, "attempt", (json_int_t)t->attempt,
			"at", render_time(t->at), "duration_ms", (json_int_t)t->duration_ms,
			"status_code", t->status_code ? json_integer(t->status_code) : json_null());
		json_object_set_new(o, "succeeded",
				    json_boolean(t->status_code >= 200 && t->status_code <= 299));
		json_object_set_new(o, "error", render_string(t->error));
		json_array_append_new(data, o);
	}
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_webhooks_deliveries(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, deliveries_tx, &c, e);
}

/* ---- events ---- */

static int events_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct event *list;
	int n, more, rc = event_list(tx, &c->r->arena, c->r->shop_id, c->pattern,
				     c->starting_after, c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_event(&list[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_events_list(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .pattern = req_query(r, "type") };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc)
		return rc;
	if (c.pattern && (strlen(c.pattern) > 60 || !event_pattern_valid(c.pattern)))
		return err_setc(e, ERR_INVALID, "event_type_unknown", "type", "\"type\" is"
				" \"%.60s\", which is not an event type (a group is written"
				" \"offer.*\")", c.pattern);
	return req_read(r, events_tx, &c, e);
}

static int event_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct event ev;
	int rc = event_get(tx, &c->r->arena, c->r->shop_id, c->ref, &ev, e);
	if (!rc)
		req_json(c->r, 200, render_event(&ev));
	return rc;
}

int api_events_get(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, event_tx, &c, e);
}

static int redeliver_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct webhook_call *c = ctx;
	struct event ev;
	int64_t queued;
	int rc = webhook_redeliver(tx, c->r->shop_id, c->ref, &queued, e);
	if (!rc)
		rc = event_get(tx, &c->r->arena, c->r->shop_id, c->ref, &ev, e);
	if (!rc) {
		json_t *o = render_event(&ev);
		json_object_set_new(o, "deliveries_queued", json_integer(queued));
		req_json(c->r, 200, o);
	}
	return rc;
}

int api_events_redeliver(struct req *r, struct err *e)
{
	struct webhook_call c = { .r = r, .ref = req_param(r, 0) };
	if (r->json && json_object_size(r->json))
		return err_set(e, ERR_INVALID, NULL, "redeliver takes no fields");
	return req_write(r, redeliver_tx, &c, e);
}
