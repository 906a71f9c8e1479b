/* reviews.c: /v1/reviews (with replies, votes, moderation, history, the
 * showcase, the reply queue and the settings) and /v1/questions
 * (core/review.h, core/question.h). A publishable key reads what a
 * storefront shows (published reviews, public replies) and writes for the
 * customer of its Customer-Token only. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/jsonv.h"
#include "../base/rfc3339.h"
#include "../base/utf8_repair.h"
#include "../analytics/reviews.h"
#include "../core/customer.h"
#include "../core/question.h"
#include "../core/review.h"
#include "api.h"
#include "../render/render.h"

struct review_call {
	struct req *r;
	const char *ref, *starting_after;
	struct review_input in;
	struct question_input q;
	struct review_filter filter;
	struct review_settings settings;
	const char *body, *action, *reason, *by, *customer, *sku;
	int flag, limit, answered;
	char resolved[ID_MAX];
};

static int shop_view(const struct req *r)
{
	return r->auth == AUTH_SECRET;
}

/* An author links to their profile (GET /v1/profiles/{id}), which shows
 * each viewer what the customer let them see; the display name is public. */
static json_t *author(const char *customer, const char *name)
{
	if (!customer)
		return json_null();
	char profile[ID_MAX + 20];
	snprintf(profile, sizeof(profile), "/v1/profiles/%s", customer);
	return json_pack("{s:s, s:o, s:s}", "customer", customer, "display_name",
			 render_string(name), "profile", profile);
}

json_t *api_render_review(const struct review *v, int shop)
{
	json_t *photos = json_array(), *replies = json_array();
	for (int i = 0; i < v->nphotos; i++)
		json_array_append_new(photos, json_string(v->photos[i]));
	for (int i = 0; i < v->nreplies; i++)
		if (shop || v->replies[i].public)
			json_array_append_new(replies, json_pack("{s:s, s:s, s:b, s:o}", "id",
				v->replies[i].id, "body", v->replies[i].body, "public", v->replies[i].public,
				"created_at", render_time(v->replies[i].created_at)));
	json_t *o = json_pack("{s:s, s:s, s:o, s:o, s:I, s:o, s:o, s:o, s:s, s:b, s:b}",
		"id", v->id, "object", "review", "sku", render_string(v->sku),
		"order", render_string(v->order_id), "rating", (json_int_t)v->rating,
		"title", render_string(v->title), "body", render_string(v->body), "photos", photos,
		"status", v->status, "verified_buyer", v->verified_buyer,
		"incentivized", v->incentive_points > 0 || v->incentivized_by_shop);
	json_object_set_new(o, "incentive", json_pack("{s:I, s:b}", "points",
		(json_int_t)v->incentive_points, "by_shop", v->incentivized_by_shop));
	json_object_set_new(o, "author", author(v->customer_id, v->author_name));
	json_object_set_new(o, "author_erased", json_boolean(v->author_erased));
	json_object_set_new(o, "votes", json_pack("{s:I, s:I}", "helpful", (json_int_t)v->helpful,
						  "unhelpful", (json_int_t)v->unhelpful));
	json_object_set_new(o, "replies", replies);
	if (shop) {
		json_object_set_new(o, "reply_due_at", render_time(v->reply_due_at));
		json_object_set_new(o, "replied_at", render_time(v->first_reply_at));
		json_object_set_new(o, "ticket", render_string(v->ticket_id));
	}
	json_object_set_new(o, "created_at", render_time(v->created_at));
	json_object_set_new(o, "published_at", render_time(v->published_at));
	json_object_set_new(o, "updated_at", render_time(v->updated_at));
	return o;
}

static json_t *render_question(const struct question *q)
{
	json_t *answers = json_array();
	for (int i = 0; i < q->nanswers; i++) {
		const struct question_answer *x = &q->answers[i];
		json_array_append_new(answers, json_pack("{s:s, s:s, s:o, s:o, s:o}", "id", x->id,
			"by", x->author, "author", !strcmp(x->author, "customer") ? author(x->customer_id, x->author_name)
			: json_null(), "body", render_string(x->body), "created_at",
			render_time(x->created_at)));
	}
	json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:b}", "id", q->id, "object", "question",
		"sku", q->sku, "author", author(q->customer_id, q->author_name), "body", render_string(q->body),
		"answers", answers, "answered", q->first_answer_at != 0);
	json_object_set_new(o, "reply_due_at", render_time(q->reply_due_at));
	json_object_set_new(o, "answered_at", render_time(q->first_answer_at));
	json_object_set_new(o, "created_at", render_time(q->created_at));
	return o;
}

/* A storefront writes for its token's customer only; the shop for anyone. */
static int scope(struct store_tx *tx, struct review_call *c, const char *ref, struct err *e)
{
	if (!ref || !*ref)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "\"customer\" is required");
	int rc = api_customer_scope(tx, c->r, ref, c->resolved, e);
	if (rc == ERR_NOT_FOUND)
		snprintf(e->param, sizeof(e->param), "customer");
	return rc;
}

static int string_list(struct req *r, const char *key, int max, const char *const **out, int *n,
		       struct err *e)
{
	json_t *v = json_object_get(r->json, key);
	*n = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || (int)json_array_size(v) > max)
		return err_set(e, ERR_INVALID, key, "\"%s\" is a list of at most %d URLs", key, max);
	const char **l = arena_alloc(&r->arena, (json_array_size(v) + 1) * sizeof(*l));
	for (size_t i = 0; i < json_array_size(v); i++) {
		if (!json_is_string(json_array_get(v, i)))
			return err_set(e, ERR_INVALID, key, "\"%s\" is a list of URLs (strings)", key);
		l[(*n)++] = json_string_value(json_array_get(v, i));
	}
	*out = l;
	return 0;
}

/* ---- reviews ---- */

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	struct review_input in = c->in;
	int rc = scope(tx, c, c->in.customer, e);
	if (rc)
		return rc;
	in.customer = c->resolved;
	if (!(rc = review_create(tx, &c->r->arena, c->r->shop_id, &in, &v, e)))
		req_json(c->r, 201, api_render_review(&v, shop_view(c->r)));
	return rc;
}

int api_reviews_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "customer", "sku", "order", "rating", "title", "body",
					       "photos", "incentivized", NULL };
	struct review_call c = { .r = r };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "rating", "send the review:"
				" {customer, sku or order, rating, title, body, photos}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_REQUIRED, 220, &c.in.customer, NULL, e)) ||
	    (rc = jsonv_string(r->json, "sku", JSONV_OPTIONAL, 200, &c.in.sku, NULL, e)) ||
	    (rc = jsonv_string(r->json, "order", JSONV_OPTIONAL, 220, &c.in.order, NULL, e)) ||
	    (rc = jsonv_int(r->json, "rating", JSONV_REQUIRED, 1, 5, &c.in.rating, NULL, NULL, e)) ||
	    (rc = jsonv_string(r->json, "title", JSONV_OPTIONAL, REVIEW_TITLE_MAX, &c.in.title, NULL,
			       e)) ||
	    (rc = jsonv_string(r->json, "body", JSONV_OPTIONAL, REVIEW_BODY_MAX, &c.in.body, NULL,
			       e)) ||
	    (rc = string_list(r, "photos", REVIEW_PHOTOS_MAX, &c.in.photos, &c.in.nphotos, e)) ||
	    (rc = jsonv_bool(r->json, "incentivized", JSONV_OPTIONAL, &c.in.incentivized, NULL, NULL,
			     e)))
		return rc;
	if (c.in.incentivized && !shop_view(r))
		return err_setc(e, ERR_FORBIDDEN, "key_not_allowed", "incentivized", "only the shop's"
				" secret key says a review was incentivized");
	return req_write(r, create_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	int rc = review_get(tx, &c->r->arena, c->r->shop_id, c->ref, !shop_view(c->r), &v, e);
	if (!rc)
		req_json(c->r, 200, api_render_review(&v, shop_view(c->r)));
	return rc;
}

int api_reviews_get(struct req *r, struct err *e)
{
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review *list;
	int n, more, rc = review_list(tx, &c->r->arena, c->r->shop_id, &c->filter, c->starting_after,
				      c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_render_review(&list[i], shop_view(c->r)));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

/* The showcase's "sku": absent, or 1 to 200 bytes of UTF-8 (it is echoed in the
 * answer, and JSON holds no other bytes: "%C3" was a 500). */
static int query_sku(struct req *r, const char **out, struct err *e)
{
	const char *v = req_query(r, "sku");
	*out = v;
	if (v && (!*v || strlen(v) > 200 || !utf8_repair_is_valid(v, strlen(v))))
		return err_set(e, ERR_INVALID, "sku", "\"sku\" is 1 to 200 bytes of UTF-8");
	return 0;
}

static int query_rating(struct req *r, int64_t *out, struct err *e)
{
	const char *v = req_query(r, "rating");
	*out = 0;
	if (!v)
		return 0;
	if (strlen(v) != 1 || *v < '1' || *v > '5')
		return err_set(e, ERR_INVALID, "rating", "\"rating\" is 1 to 5, not \"%s\"", v);
	*out = *v - '0';
	return 0;
}

int api_reviews_list(struct req *r, struct err *e)
{
	struct review_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc || (rc = query_rating(r, &c.filter.rating, e)))
		return rc;
	c.filter.sku = req_query(r, "sku");
	c.filter.status = req_query(r, "status");
	c.filter.customer = req_query(r, "customer");
	c.filter.public_only = !shop_view(r);
	if (!shop_view(r) && ((c.filter.status && strcmp(c.filter.status, "published")) ||
			      c.filter.customer))
		return err_setc(e, ERR_FORBIDDEN, "key_not_allowed", c.filter.customer ? "customer"
				: "status", "a publishable key lists published reviews only");
	return req_read(r, list_tx, &c, e);
}

static json_t *summary_json(const struct review_summary *s)
{
	json_t *d = json_object();
	char key[2] = "0";
	for (int i = 1; i <= 5; i++) {
		key[0] = (char)('0' + i);
		json_object_set_new(d, key, json_integer(s->distribution[i]));
	}
	return json_pack("{s:I, s:o, s:I, s:o}", "count", (json_int_t)s->count,
		"average", s->count ? json_real((double)s->sum / (double)s->count) : json_null(),
		"sum", (json_int_t)s->sum, "distribution", d);
}

static int showcase_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review_summary s;
	struct review *best;
	int n, rc;
	if ((rc = review_summary(tx, c->r->shop_id, c->sku, &s, e)) ||
	    (rc = review_showcase(tx, &c->r->arena, c->r->shop_id, c->sku, c->limit, &best, &n, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_render_review(&best[i], 0));
	req_json(c->r, 200, json_pack("{s:s, s:o, s:s, s:o, s:o}", "object", "review_showcase",
		"sku", render_string(c->sku), "order", "rating, helpful_votes, verified_buyer, newest",
		"summary", summary_json(&s), "data", data));
	return 0;
}

int api_reviews_showcase(struct req *r, struct err *e)
{
	struct review_call c = { .r = r, .limit = 10 };
	const char *v = req_query(r, "limit");
	int rc = query_sku(r, &c.sku, e);
	if (rc)
		return rc;
	if (v) {
		char *end;
		long l = strtol(v, &end, 10);
		if (!*v || *end || l < 1 || l > REVIEW_SHOWCASE_MAX)
			return err_set(e, ERR_INVALID, "limit", "\"limit\" must be an integer from 1 to %d,"
				       " not \"%s\"", REVIEW_SHOWCASE_MAX, v);
		c.limit = (int)l;
	}
	return req_read(r, showcase_tx, &c, e);
}

static int reply_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	int rc = review_reply(tx, &c->r->arena, c->r->shop_id, c->ref, c->body, c->flag, &v, e);
	if (!rc)
		req_json(c->r, 201, api_render_review(&v, 1));
	return rc;
}

int api_reviews_reply(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "body", "public", NULL };
	struct review_call c = { .r = r, .ref = req_param(r, 0), .flag = 1 };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "send {body, public}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "body", JSONV_REQUIRED, REVIEW_REPLY_MAX, &c.body, NULL, e)) ||
	    (rc = jsonv_bool(r->json, "public", JSONV_OPTIONAL, &c.flag, NULL, NULL, e)))
		return rc;
	return req_write(r, reply_tx, &c, e);
}

static int vote_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	int rc = scope(tx, c, c->customer, e);
	if (!rc)
		rc = review_vote(tx, &c->r->arena, c->r->shop_id, c->ref, c->resolved, c->flag, &v, e);
	if (!rc)
		req_json(c->r, 200, api_render_review(&v, shop_view(c->r)));
	return rc;
}

int api_reviews_vote(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "customer", "helpful", NULL };
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "send {customer, helpful}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_REQUIRED, 220, &c.customer, NULL, e)) ||
	    (rc = jsonv_bool(r->json, "helpful", JSONV_REQUIRED, &c.flag, NULL, NULL, e)))
		return rc;
	return req_write(r, vote_tx, &c, e);
}

static int moderate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	int rc = review_moderate(tx, &c->r->arena, c->r->shop_id, c->ref, c->action, c->reason, &v, e);
	if (!rc)
		req_json(c->r, 200, api_render_review(&v, 1));
	return rc;
}

int api_reviews_moderate(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "action", "reason", NULL };
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "action", "send {action, reason}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "action", JSONV_REQUIRED, 40, &c.action, NULL, e)) ||
	    (rc = jsonv_string(r->json, "reason", JSONV_OPTIONAL, 40, &c.reason, NULL, e)))
		return rc;
	return req_write(r, moderate_tx, &c, e);
}

static int history_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review v;
	struct review_event *h;
	int n, rc;
	if ((rc = review_get(tx, &c->r->arena, c->r->shop_id, c->ref, 0, &v, e)) ||
	    (rc = review_history(tx, &c->r->arena, c->r->shop_id, c->ref, &h, &n, e)))
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, json_pack("{s:I, s:s, s:o, s:o, s:o}", "seq",
			(json_int_t)h[i].seq, "action", h[i].action, "reason", render_string(h[i].reason),
			"detail", render_string(h[i].detail), "at", render_time(h[i].at)));
	req_json(c->r, 200, json_pack("{s:s, s:s, s:s, s:I, s:o}", "object", "review_history",
		"review", v.id, "status", v.status, "rating", (json_int_t)v.rating, "data", data));
	return 0;
}

int api_reviews_history(struct req *r, struct err *e)
{
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, history_tx, &c, e);
}

/* ---- the reply queue ---- */

static int queue_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct queue_item *items;
	int n, more, rc = question_queue(tx, &c->r->arena, c->r->shop_id, c->starting_after, c->limit,
					 &items, &n, &more, e);
	if (rc)
		return rc;
	int64_t now = clock_now_ms();
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		const struct queue_item *q = &items[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:b}", "object", "reply_queue_item",
			"id", q->is_review ? q->review.id : q->question.id,
			"kind", q->is_review ? "review" : "question", "due_at", render_time(q->due_at),
			"overdue", now > q->due_at);
		json_object_set_new(o, q->is_review ? "review" : "question", q->is_review
				    ? api_render_review(&q->review, 1) : render_question(&q->question));
		json_array_append_new(data, o);
	}
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_reviews_queue(struct req *r, struct err *e)
{
	struct review_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, queue_tx, &c, e);
}

/* ---- settings ---- */

static json_t *render_settings(const struct review_settings *s)
{
	return json_pack("{s:s, s:s, s:I, s:b, s:o}", "object", "review_settings", "moderation",
		s->moderation, "reply_hours", (json_int_t)s->reply_hours, "open_tickets",
		s->open_tickets, "updated_at", render_time(s->updated_at));
}

static int settings_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct review_settings s;
	int rc = review_settings_get(tx, &c->r->arena, c->r->shop_id, &s, e);
	if (!rc)
		req_json(c->r, 200, render_settings(&s));
	return rc;
}

int api_reviews_settings_get(struct req *r, struct err *e)
{
	struct review_call c = { .r = r };
	return req_read(r, settings_get_tx, &c, e);
}

static int settings_put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	int rc = review_settings_put(tx, c->r->shop_id, &c->settings, e);
	return rc ? rc : settings_get_tx(tx, ctx, e);
}

int api_reviews_settings_put(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "moderation", "reply_hours", "open_tickets", NULL };
	struct review_call c = { .r = r };
	int rc;
	c.settings = (struct review_settings){ "auto", REVIEW_REPLY_HOURS_DEFAULT, 0, 0 };
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "reply_hours", "send {moderation,"
				" reply_hours, open_tickets}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "moderation", JSONV_OPTIONAL, 20, &c.settings.moderation,
			       NULL, e)) ||
	    (rc = jsonv_int(r->json, "reply_hours", JSONV_OPTIONAL, 1, REVIEW_REPLY_HOURS_MAX,
			    &c.settings.reply_hours, NULL, NULL, e)) ||
	    (rc = jsonv_bool(r->json, "open_tickets", JSONV_OPTIONAL, &c.settings.open_tickets, NULL,
			     NULL, e)))
		return rc;
	if (!c.settings.moderation)
		c.settings.moderation = "auto";
	return req_write(r, settings_put_tx, &c, e);
}

/* ---- questions ---- */

static int question_create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct question q;
	struct question_input in = c->q;
	int rc = scope(tx, c, c->q.customer, e);
	if (rc)
		return rc;
	in.customer = c->resolved;
	if (!(rc = question_create(tx, &c->r->arena, c->r->shop_id, &in, &q, e)))
		req_json(c->r, 201, render_question(&q));
	return rc;
}

int api_questions_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "customer", "sku", "body", NULL };
	struct review_call c = { .r = r };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "send {customer, sku, body}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_REQUIRED, 220, &c.q.customer, NULL, e)) ||
	    (rc = jsonv_string(r->json, "sku", JSONV_REQUIRED, 200, &c.q.sku, NULL, e)) ||
	    (rc = jsonv_string(r->json, "body", JSONV_REQUIRED, QUESTION_BODY_MAX, &c.q.body, NULL, e)))
		return rc;
	return req_write(r, question_create_tx, &c, e);
}

static int question_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct question q;
	int rc = question_get(tx, &c->r->arena, c->r->shop_id, c->ref, &q, e);
	if (!rc)
		req_json(c->r, 200, render_question(&q));
	return rc;
}

int api_questions_get(struct req *r, struct err *e)
{
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, question_get_tx, &c, e);
}

static int question_list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct question *list;
	int n, more, rc = question_list(tx, &c->r->arena, c->r->shop_id, c->sku, c->answered,
					c->starting_after, c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_question(&list[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_questions_list(struct req *r, struct err *e)
{
	struct review_call c = { .r = r, .sku = req_query(r, "sku"), .answered = -1 };
	const char *answered = req_query(r, "answered");
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc)
		return rc;
	if (answered) {
		if (strcmp(answered, "true") && strcmp(answered, "false"))
			return err_set(e, ERR_INVALID, "answered", "\"answered\" is true or false");
		c.answered = !strcmp(answered, "true");
	}
	return req_read(r, question_list_tx, &c, e);
}

static int answer_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct review_call *c = ctx;
	struct question q;
	const char *customer = c->customer;	/* the shop's answer names none: core says so */
	int rc = 0;
	if (c->customer && !strcmp(c->by, "customer")) {
		if ((rc = scope(tx, c, c->customer, e)))
			return rc;
		customer = c->resolved;
	}
	rc = question_answer(tx, &c->r->arena, c->r->shop_id, c->ref, c->by, customer, c->body, &q, e);
	if (!rc)
		req_json(c->r, 201, render_question(&q));
	return rc;
}

int api_questions_answer(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "body", "by", "customer", NULL };
	struct review_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "body", "send {body, by, customer}");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "body", JSONV_REQUIRED, QUESTION_BODY_MAX, &c.body, NULL, e)) ||
	    (rc = jsonv_string(r->json, "by", JSONV_OPTIONAL, 20, &c.by, NULL, e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_OPTIONAL, 220, &c.customer, NULL, e)))
		return rc;
	/* Without "by": a customer's answer names the customer (the storefront's
	 * always is one), otherwise it is the shop's. */
	if (!c.by)
		c.by = c.customer || !shop_view(r) ? "customer" : "shop";
	if (!shop_view(r) && strcmp(c.by, "customer"))
		return err_setc(e, ERR_FORBIDDEN, "key_not_allowed", "by", "a publishable key answers"
				" for its customer only: \"by\" is customer");
	return req_write(r, answer_tx, &c, e);
}

/* ---- the customer overview ---- */

json_t *api_reviews_of_customer_json(struct store_tx *tx, struct req *r, const char *customer,
				     struct err *e)
{
	struct review_customer_summary s;
	if (review_of_customer(tx, &r->arena, r->shop_id, customer, 5, &s, e))
		return NULL;
	json_t *latest = json_array();
	for (int i = 0; i < s.nlatest; i++)
		json_array_append_new(latest, api_render_review(&s.latest[i], 1));
	return json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "count", (json_int_t)s.count,
		"published", (json_int_t)s.published, "hidden", (json_int_t)s.hidden,
		"pending", (json_int_t)s.pending,
		"average_rating", s.count ? json_real((double)s.sum / (double)s.count) : json_null(),
		"latest", latest);
}

/* ---- the report ---- */

static json_t *number(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *period_json(const struct reviews_period *p)
{
	json_t *o = json_pack("{s:I, s:o, s:{s:I, s:o, s:o}, s:{s:I, s:I, s:I, s:o}}",
		"reviews", (json_int_t)p->reviews, "average_rating", number(p->average_rating),
		"replies", "count", (json_int_t)p->replied,
		"minutes_average", number(p->reply_minutes_average),
		"minutes_p50", number(p->reply_minutes_p50),
		"negative", "count", (json_int_t)p->negative, "due", (json_int_t)p->negative_due,
		"answered_in_time", (json_int_t)p->negative_in_time,
		"share_answered_in_time", number(p->negative_answered_in_time));
	if (p->month[0])
		json_object_set_new(o, "month", json_string(p->month));
	return o;
}

struct report_call {
	struct req *r;
	int64_t from, to;
};

static int report_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_call *c = ctx;
	struct reviews_report out;
	int rc = reviews_report(tx, &c->r->arena, c->r->shop_id, c->from, c->to, clock_now_ms(), &out, e);
	if (rc)
		return rc;
	json_t *months = json_array();
	for (int i = 0; i < out.nmonths; i++)
		json_array_append_new(months, period_json(&out.months[i]));
	req_json(c->r, 200, json_pack("{s:s, s:o, s:o, s:o, s:o}", "object", "reviews_report",
		"from", render_time(c->from), "to", c->to == INT64_MAX ? json_null() : render_time(c->to),
		"total", period_json(&out.total), "by_month", months));
	return 0;
}

static int query_time(struct req *r, const char *name, int64_t *out, struct err *e)
{
	const char *v = req_query(r, name);
	if (v && rfc3339_parse(v, out))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a date like \"2026-01-31\" or an RFC"
			       " 3339 time, not \"%s\"", name, v);
	return 0;
}

int api_reports_reviews(struct req *r, struct err *e)
{
	struct report_call c = { .r = r, .from = 0, .to = INT64_MAX };
	int rc;
	if ((rc = query_time(r, "from", &c.from, e)) || (rc = query_time(r, "to", &c.to, e)))
		return rc;
	/* "to" is a day included whole, as in the service report. */
	if (req_query(r, "to"))
		c.to = (c.to / 86400000LL + 1) * 86400000LL;
	if (c.to <= c.from)
		return err_set(e, ERR_INVALID, "to", "\"to\" must not be before \"from\"");
	return req_read(r, report_tx, &c, e);
}

/* ---- erasure ---- */

int api_reviews_erasure_collect(struct store_tx *tx, struct req *r, const char *ref,
				struct api_review_erasure *out, struct err *e)
{
	char customer[ID_MAX];
	out->n = 0;
	int rc = customer_resolve(tx, r->shop_id, ref, "id", customer, e);
	return rc ? rc : review_written_by(tx, &r->arena, r->shop_id, customer, &out->ids, &out->n, e);
}

int api_reviews_erasure_rewrite(struct store_tx *tx, struct req *r,
				const struct api_review_erasure *x, struct err *e)
{
	int rc = 0;
	for (int i = 0; !rc && i < x->n; i++) {
		struct review v;
		struct question q;
		json_t *now = NULL;
		if (!strncmp(x->ids[i], "rev_", 4)) {
			if (!(rc = review_get(tx, &r->arena, r->shop_id, x->ids[i], 0, &v, e)))
				now = api_render_review(&v, 0);
		} else if (!(rc = question_get(tx, &r->arena, r->shop_id, x->ids[i], &q, e))) {
			now = render_question(&q);
		}
		if (now)
			rc = req_stored_responses_replace(tx, &r->arena, r->shop_id, x->ids[i], now, e);
		json_decref(now);
	}
	return rc;
}
