/* recommendations.c: POST /v1/customers/{id}/activity and GET
 * /v1/customers/{id}/recommendations (issue 12; core/activity.h,
 * core/recommend.h, docs/recommendations.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/jsonv.h"
#include "../core/activity.h"
#include "../core/interest.h"
#include "../core/recommend.h"
#include "api.h"
#include "../render/render.h"

struct activity_call {
	struct req *r;
	struct activity_event *events;
	int n;
	char customer[ID_MAX];
	int recorded;
};

/* Event index of a batch (-1 alone) from o into ev. */
static int parse_event(struct req *r, json_t *o, int index, struct activity_event *ev,
		       struct err *e)
{
	static const char *const allowed[] = { "type", "query", "sku", "at", NULL };
	char prefix[32] = "", param[48];
	const char *type = NULL;
	int rc;
	if (index >= 0) {
		snprintf(prefix, sizeof(prefix), "events[%d].", index);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, arena_printf(&r->arena, "events[%d]", index),
				       "an event must be an object");
	}
	if ((rc = jsonv_only_keys(o, allowed, prefix, e)))
		return rc;
	snprintf(param, sizeof(param), "%stype", prefix);
	if ((rc = jsonv_string(o, "type", JSONV_REQUIRED, 32, &type, param, e)))
		return rc;
	ev->type = activity_type_parse(type);
	if (ev->type < 0)
		return err_set(e, ERR_INVALID, param,
			       "unknown activity type \"%s\": \"search\" or \"view\"", type);
	const char *field = ev->type == ACTIVITY_SEARCH ? "query" : "sku";
	const char *other = ev->type == ACTIVITY_SEARCH ? "sku" : "query";
	snprintf(param, sizeof(param), "%s%s", prefix, other);
	if (json_object_get(o, other))
		return err_set(e, ERR_INVALID, param, "a %s takes \"%s\", not \"%s\"", type,
			       field, other);
	snprintf(param, sizeof(param), "%s%s", prefix, field);
	ev->subject = NULL;
	/* A query may shrink when normalised: activity_check() has the last word. */
	size_t max = ev->type == ACTIVITY_SEARCH ? 4 * ACTIVITY_QUERY_MAX : ACTIVITY_SKU_MAX;
	if ((rc = jsonv_string(o, field, JSONV_OPTIONAL, max, &ev->subject, param, e)))
		return rc;
	snprintf(param, sizeof(param), "%sat", prefix);
	if ((rc = jsonv_time(o, "at", JSONV_REQUIRED, &ev->at, NULL, param, e)))
		return rc;
	return activity_check(&r->arena, ev, index, clock_now_ms(), e);
}

static int record_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct activity_call *c = ctx;
	int rc = api_customer_scope(tx, c->r, req_param(c->r, 0), c->customer, e);
	if (!rc)
		rc = activity_record(tx, &c->r->arena, c->r->shop_id, c->customer, c->events, c->n,
				     &c->recorded, e);
	if (rc)
		return rc;
	/* No query or SKU in the answer: a stored response holds nothing of the
	 * activity that erasure would have to find. */
	req_json(c->r, 200, json_pack("{s:s, s:s, s:i, s:i}", "object", "activity",
				      "customer", c->customer, "received", c->n,
				      "recorded", c->recorded));
	return 0;
}

int api_activity_record(struct req *r, struct err *e)
{
	static const char *const batch_keys[] = { "events", NULL };
	struct activity_call c = { .r = r };
	req_array_body(r, "events");	/* a bare array is the batch */
	json_t *events = json_object_get(r->json, "events");
	int rc;
	if (!events) {	/* one event, the body itself */
		c.n = 1;
		c.events = arena_alloc(&r->arena, sizeof(*c.events));
		if ((rc = parse_event(r, r->json, -1, c.events, e)))
			return rc;
		return req_write(r, record_tx, &c, e);
	}
	if ((rc = jsonv_only_keys(r->json, batch_keys, "", e)))
		return rc;
	if (!json_is_array(events) || json_array_size(events) == 0 ||
	    json_array_size(events) > ACTIVITY_BATCH_MAX)
		return err_set(e, ERR_INVALID, "events", "\"events\" must be an array of 1 to %d events",
			       ACTIVITY_BATCH_MAX);
	c.n = (int)json_array_size(events);
	c.events = arena_alloc(&r->arena, (size_t)c.n * sizeof(*c.events));
	for (int i = 0; i < c.n; i++)
		if ((rc = parse_event(r, json_array_get(events, i), i, &c.events[i], e))) {
			/* The whole batch is refused: say which event. */
			char said[sizeof(e->message)];
			snprintf(said, sizeof(said), "%s", e->message);
			snprintf(e->message, sizeof(e->message), "event %d: %.290s", i, said);
			return rc;
		}
	return req_write(r, record_tx, &c, e);
}

struct recommend_call {
	struct req *r;
	int limit;
	char customer[ID_MAX];
};

/*
 * The interest seam (core/recommend.h): the interests the shop may use for
 * customer (core/interest.h, the shop viewer whoever asks: a recommendation
 * is the shop's targeting, so `only_me` never counts and `friends` only
 * with marketing consent), with the SKUs tagged with each.
 */
static int viewer_interests(struct store_tx *tx, struct recommend_call *c,
			    struct recommend_interest **out, int *n, struct err *e)
{
	struct interest_seen *seen;
	int rc = interest_visible(tx, &c->r->arena, c->r->shop_id, c->customer,
				  PROFILE_VIEWER_SHOP, &seen, n, e);
	if (rc)
		return rc;
	*out = arena_alloc(&c->r->arena, (size_t)(*n + 1) * sizeof(**out));
	for (int i = 0; i < *n; i++)
		(*out)[i] = (struct recommend_interest){ seen[i].key, seen[i].skus, seen[i].nskus };
	return 0;
}

static json_t *render_item(const struct ranking_item *it)
{
	static const char *const because_keys[RANKING_REASON_COUNT] = { "sku", "query", "interest" };
	return json_pack("{s:s, s:s, s:{s:s}, s:I}", "sku", it->sku,
			 "reason", ranking_reasons[it->reason],
			 "because", because_keys[it->reason], it->because,
			 "score", (json_int_t)it->score);
}

static int recommend_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct recommend_call *c = ctx;
	struct recommend_interest *interests;
	struct ranking_item *items;
	int ninterests, n, more;
	int rc = api_customer_scope(tx, c->r, req_param(c->r, 0), c->customer, e);
	if (rc || (rc = viewer_interests(tx, c, &interests, &ninterests, e)) ||
	    (rc = recommend_for(tx, &c->r->arena, c->r->shop_id, c->customer, interests, ninterests,
				c->limit, &items, &n, &more, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_item(&items[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_recommendations_get(struct req *r, struct err *e)
{
	struct recommend_call c = { .r = r, .limit = RECOMMEND_LIMIT_DEFAULT };
	const char *v = req_query(r, "limit");
	if (v) {
		char *end;
		long long limit = strtoll(v, &end, 10);
		if (*end || end == v || limit < 1 || limit > RECOMMEND_LIMIT_MAX)
			return err_set(e, ERR_INVALID, "limit", "\"limit\" must be 1 to %d",
				       RECOMMEND_LIMIT_MAX);
		c.limit = (int)limit;
	}
	return req_read(r, recommend_tx, &c, e);
}
