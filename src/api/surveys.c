/* surveys.c: POST /v1/surveys/answers (no key: the token names the shop),
 * a customer's surveys, and the customer overview an agent reads before
 * answering (core/survey.h; loyalty and predictions as loyalty.c and
 * reports.c render them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../core/customer.h"
#include "../core/order.h"
#include "../core/shipment.h"
#include "../core/shop.h"
#include "../core/survey.h"
#include "../core/ticket.h"
#include "api.h"
#include "../render/render.h"

#define OVERVIEW_ORDERS 10
#define OVERVIEW_TICKETS 20
#define OVERVIEW_ANSWERS 5
#define SURVEYS_LIST_MAX 100

struct survey_call {
	struct req *r;
	struct survey_answer_input in;
	char customer[ID_MAX];
	int limit;
};

/* The answer link: the shop's survey page with the token, or null when the
 * shop has not said where its page is. */
static json_t *answer_link(struct req *r, const char *page, const char *token)
{
	if (!page)
		return json_null();
	return json_string(survey_link_url(&r->arena, page, token));
}

static json_t *render_survey(struct req *r, const struct survey *s, const char *page)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:o, s:o, s:o}",
		"id", s->id, "object", "survey", "kind", s->kind, "state", s->state,
		"customer", s->customer_id, "order", render_string(s->order_id),
		"ticket", render_string(s->ticket_id), "shipment", render_string(s->shipment_id),
		"channel", s->channel, "score", s->score >= 0 ? json_integer(s->score) : json_null(),
		"comment", render_string(s->comment), "suggestion", render_string(s->suggestion));
	json_object_set_new(o, "tier", render_string(s->tier));
	json_object_set_new(o, "follow_up_ticket", render_string(s->follow_up_ticket_id));
	json_object_set_new(o, "sent_at", render_time(s->sent_at));
	json_object_set_new(o, "answered_at", render_time(s->answered_at));
	if (s->token[0])
		json_object_set_new(o, "answer", json_pack("{s:s, s:o}", "token", s->token,
							   "link", answer_link(r, page, s->token)));
	return o;
}

/* What the one who clicked sees: their answer, nothing of the shop's. */
static json_t *render_answer(const struct survey *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:o, s:o, s:o}", "id", s->id, "object", "survey",
		"kind", s->kind, "state", s->state, "score", (json_int_t)s->score,
		"comment", render_string(s->comment), "suggestion", render_string(s->suggestion),
		"answered_at", render_time(s->answered_at));
}

static int answer_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct survey_call *c = ctx;
	struct survey s;
	int rc = survey_answer(tx, &c->r->arena, &c->in, &s, e);
	if (!rc)
		req_json(c->r, 200, render_answer(&s));
	return rc;
}

int api_surveys_answer(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "token", "score", "comment", "suggestion", NULL };
	struct survey_call c = { .r = r };
	json_t *token = json_object_get(r->json, "token");
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)))
		return rc;
	/* Any string is a token to verify: a mangled one is refused as forged. */
	if (!json_is_string(token))
		return err_setc(e, ERR_INVALID, token ? "parameter_invalid" : "parameter_missing",
				"token", "\"token\" must be the string of the survey's answer link");
	c.in.token = json_string_value(token);
	if ((rc = jsonv_int(r->json, "score", JSONV_REQUIRED, 0, 10, &c.in.score, NULL, NULL, e)) ||
	    (rc = jsonv_string(r->json, "comment", JSONV_OPTIONAL, SURVEY_TEXT_MAX, &c.in.comment,
			       NULL, e)) ||
	    (rc = jsonv_string(r->json, "suggestion", JSONV_OPTIONAL, SURVEY_TEXT_MAX,
			       &c.in.suggestion, NULL, e)))
		return rc;
	return req_write(r, answer_tx, &c, e);
}

static int survey_page(struct store_tx *tx, struct req *r, const char **page, struct err *e)
{
	struct shop s;
	int rc = shop_get(tx, &r->arena, r->shop_id, &s, e);
	*page = rc ? NULL : s.contact->survey_url;
	return rc;
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct survey_call *c = ctx;
	struct survey *list;
	const char *page = NULL;
	int n, secret = c->r->auth == AUTH_SECRET;
	int rc = api_customer_scope(tx, c->r, req_param(c->r, 0), c->customer, e);
	if (!rc && secret)
		rc = survey_page(tx, c->r, &page, e);
	if (!rc)
		rc = survey_list_of_customer(tx, &c->r->arena, c->r->shop_id, c->customer, secret, 0,
					     c->limit + 1, &list, &n, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n && i < c->limit; i++)
		json_array_append_new(data, render_survey(c->r, &list[i], page));
	req_json(c->r, 200, render_list(data, n > c->limit));
	return 0;
}

int api_customers_surveys(struct req *r, struct err *e)
{
	struct survey_call c = { .r = r, .limit = 20 };
	int64_t limit = 20;
	const char *v = req_query(r, "limit");
	if (v) {
		char *end;
		limit = strtoll(v, &end, 10);
		if (*end || end == v || limit < 1 || limit > SURVEYS_LIST_MAX)
			return err_set(e, ERR_INVALID, "limit", "\"limit\" must be 1 to %d",
				       SURVEYS_LIST_MAX);
	}
	c.limit = (int)limit;
	return req_read(r, list_tx, &c, e);
}

/* "not_shipped", "delivered" (every parcel), "late" (one is late and not
 * delivered), else "in_transit". */
static const char *delivery_state(const struct shipment *s, int n)
{
	int delivered = 0, late = 0;
	for (int i = 0; i < n; i++) {
		delivered += s[i].delivered_at != 0;
		late += s[i].late_at && !s[i].delivered_at;
	}
	return !n ? "not_shipped" : delivered == n ? "delivered" : late ? "late" : "in_transit";
}

static int overview_orders(struct store_tx *tx, struct req *r, const char *customer, json_t **out,
			   struct err *e)
{
	struct order_filter f = { .customer = customer };
	struct order *orders;
	int n, more;
	int rc = order_list(tx, &r->arena, r->shop_id, &f, NULL, OVERVIEW_ORDERS, &orders, &n, &more, e);
	if (rc)
		return rc;
	*out = json_array();
	for (int i = 0; i < n; i++) {
		const struct order *o = &orders[i];
		struct shipment *parcels;
		int np;
		if ((rc = shipment_list_of_order(tx, &r->arena, r->shop_id, o->id, &parcels, &np, e)))
			return rc;
		json_t *shipments = json_array();
		for (int j = 0; j < np; j++)
			json_array_append_new(shipments, api_render_shipment(&parcels[j]));
		json_array_append_new(*out, json_pack("{s:s, s:o, s:s, s:s, s:I, s:s, s:o, s:o, s:s, s:o}",
			"id", o->id, "external_id", render_string(o->external_id), "status", o->status,
			"channel", o->channel, "total", (json_int_t)o->total, "currency", o->currency,
			"placed_at", render_time(o->placed_at),
			"promised_delivery_at", render_time(o->promised_delivery_at),
			"delivery_state", delivery_state(parcels, np), "shipments", shipments));
	}
	return 0;
}

static int overview_tickets(struct store_tx *tx, struct req *r, const char *customer, json_t **out,
			    struct err *e)
{
	static const char *const open_statuses[] = { "open", "pending" };
	*out = json_array();
	for (int s = 0; s < 2; s++) {
		struct ticket_filter f = { .status = open_statuses[s], .customer = customer,
					   .breached = -1 };
		struct ticket *list;
		int n, more;
		int rc = ticket_list(tx, &r->arena, r->shop_id, &f, NULL, OVERVIEW_TICKETS, &list, &n,
				     &more, e);
		if (rc)
			return rc;
		for (int i = 0; i < n; i++)
			json_array_append_new(*out, api_render_ticket(&list[i], 0));
	}
	return 0;
}

static int overview_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct survey_call *c = ctx;
	struct req *r = c->r;
	struct customer cu;
	struct survey *answers;
	json_t *orders = NULL, *tickets = NULL, *loyalty, *predictions;
	int n, rc;
	if ((rc = customer_resolve(tx, r->shop_id, req_param(r, 0), "id", c->customer, e)) ||
	    (rc = customer_get(tx, &r->arena, r->shop_id, c->customer, &cu, e)) ||
	    (rc = overview_orders(tx, r, c->customer, &orders, e)) ||
	    (rc = overview_tickets(tx, r, c->customer, &tickets, e)) ||
	    (rc = survey_list_of_customer(tx, &r->arena, r->shop_id, c->customer, 0, 1,
					  OVERVIEW_ANSWERS, &answers, &n, e)))
		goto fail;
	if (!(loyalty = api_loyalty_json(tx, r, c->customer, e)))
		goto fail_kind;
	if (!(predictions = api_predictions_json(tx, r, c->customer, e))) {
		json_decref(loyalty);
		goto fail_kind;
	}
	json_t *last = json_array(), *shown = api_customer_with_interests(tx, r, &cu, e);
	for (int i = 0; i < n; i++)
		json_array_append_new(last, render_survey(r, &answers[i], NULL));
	if (!shown) {	/* issue 12: the customer with the interests the shop may see */
		json_decref(last);
		json_decref(loyalty);
		json_decref(predictions);
		goto fail_kind;
	}
	json_t *body = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "object", "customer_overview",
		"customer", shown, "orders", orders, "loyalty", loyalty,
		"open_tickets", tickets, "last_survey_answers", last, "predictions", predictions);
	/* Issue 12: the customer's reviews. */
	json_t *reviews = api_reviews_of_customer_json(tx, r, c->customer, e);
	if (!reviews) {
		json_decref(body);
		return e->kind;
	}
	json_object_set_new(body, "reviews", reviews);
	req_json(r, 200, body);
	return 0;
fail_kind:
	rc = e->kind;
fail:
	json_decref(orders);
	json_decref(tickets);
	return rc;
}

int api_customers_overview(struct req *r, struct err *e)
{
	struct survey_call c = { .r = r };
	return req_read(r, overview_tx, &c, e);
}
