/* loyalty.c: a customer's points, tier and milestones; their ledger; manual
 * adjustments by the shop; and the jobs endpoint (core/jobs.h runs them). */
#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/jsonv.h"
#include "../core/customer.h"
#include "../core/jobs.h"
#include "../core/ledger.h"
#include "../core/program.h"
#include "../core/tier.h"
#include "../core/token.h"
#include <microhttpd.h>
#include "../http/server.h"
#include "api.h"
#include "../render/render.h"

struct loyalty_call {
	struct req *r;
	const char *ref, *note, *starting_after;
	char customer[ID_MAX];
	int64_t points;
	int limit;
};

static const char *unit_words(const char *basis)
{
	return !strcmp(basis, "points_earned") ? "points earned"
	     : !strcmp(basis, "net_spend") ? "spent" : "paid orders";
}

static json_t *render_tier(struct req *r, const struct program *p, const struct tier_status *t)
{
	const struct program_tier *cur = program_tier(p, t->current);
	json_t *next = json_null(), *benefits = json_null();
	const char *progress = "this programme has no tiers";
	if (cur)
		benefits = json_pack("{s:I, s:b, s:b}", "earn_percent", (json_int_t)cur->earn_percent,
				     "free_shipping", cur->free_shipping, "early_access", cur->early_access);
	if (t->next) {
		int64_t missing = t->next->threshold - t->metric;
		if (missing < 1)
			missing = 1;	/* qualifies: the upgrade lands with the next order */
		next = json_pack("{s:s, s:I, s:I}", "name", t->next->name,
				 "threshold", (json_int_t)t->next->threshold, "missing", (json_int_t)missing);
		progress = arena_printf(&r->arena, "%lld more %s in the last %lld days to reach \"%s\"",
					(long long)missing, unit_words(p->tier_basis),
					(long long)p->tier_window_days, t->next->name);
	} else if (cur) {
		progress = arena_printf(&r->arena, "you are in the top tier, \"%s\"", cur->name);
	}
	return json_pack("{s:o, s:o, s:s, s:I, s:I, s:o, s:o, s:s}",
		"name", render_string(cur ? cur->name : NULL), "since", render_time(cur ? t->since : 0),
		"basis", p->tier_basis, "window_days", (json_int_t)p->tier_window_days,
		"metric", (json_int_t)t->metric, "benefits", benefits, "next", next, "progress", progress);
}

static json_t *render_milestones(struct req *r, const struct program *p, int64_t paid)
{
	json_t *upcoming = json_array();
	for (int i = 0; i < p->nmilestones; i++) {
		const struct program_milestone *m = &p->milestones[i];
		int64_t to_go = !strcmp(m->type, "every") ? m->n - paid % m->n : m->n - paid;
		if (to_go <= 0)
			continue;	/* an "at" milestone already passed */
		const char *what = m->gift ? m->gift
				 : arena_printf(&r->arena, "%lld bonus points", (long long)m->points);
		json_array_append_new(upcoming, json_pack("{s:s, s:I, s:I, s:I, s:o, s:s}",
			"type", m->type, "n", (json_int_t)m->n, "orders_to_go", (json_int_t)to_go,
			"points", (json_int_t)m->points, "gift", render_string(m->gift),
			"text", arena_printf(&r->arena, "%lld more order%s to your %s", (long long)to_go,
					     to_go == 1 ? "" : "s", what)));
	}
	return json_pack("{s:I, s:o}", "paid_orders", (json_int_t)paid, "upcoming", upcoming);
}

static json_t *render_lots(const struct loyalty_balance *b)
{
	json_t *lots = json_array();
	for (int i = 0; i < b->nlots; i++) {
		const struct loyalty_lot *l = &b->lots[i];
		json_array_append_new(lots, json_pack("{s:s, s:s, s:I, s:I, s:s, s:o, s:o, s:o, s:o}",
			"id", l->id, "kind", l->kind, "amount", (json_int_t)l->amount,
			"remaining", (json_int_t)l->remaining, "state", l->state,
			"available_at", render_time(l->available_at), "expires_at", render_time(l->expires_at),
			"order", render_string(l->order_id), "note", render_string(l->note)));
	}
	return lots;
}

int api_customer_scope(struct store_tx *tx, struct req *r, const char *ref,
		       char customer[ID_MAX], struct err *e)
{
	int rc = customer_resolve(tx, r->shop_id, ref, "id", customer, e);
	if (rc || r->auth != AUTH_PUBLISHABLE)
		return rc;
	/* A storefront call: only the customer the shop's server vouched for. */
	const char *token = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Customer-Token");
	char holder[ID_MAX];
	if (!token)
		return err_setc(e, ERR_AUTH, "customer_token_required", "Customer-Token",
				"a publishable key needs a \"Customer-Token\" header; the shop's"
				" server mints one with POST /v1/customers/{id}/tokens");
	if ((rc = token_verify(tx, r->shop_id, token, holder, e)) ||
	    (rc = customer_resolve(tx, r->shop_id, holder, "Customer-Token", holder, e)))
		return rc == ERR_NOT_FOUND ? err_setc(e, ERR_AUTH, "customer_token_invalid",
						      "Customer-Token", "invalid customer token") : rc;
	if (strcmp(holder, customer))
		return err_setc(e, ERR_FORBIDDEN, "customer_token_mismatch", "Customer-Token",
				"this customer token belongs to another customer");
	return 0;
}

json_t *api_loyalty_json(struct store_tx *tx, struct req *r, const char *customer, struct err *e)
{
	struct arena *a = &r->arena;
	struct loyalty_balance b;
	struct program p;
	struct tier_status t;
	if (program_get(tx, a, r->shop_id, &p, e) ||
	    ledger_balance(tx, a, r->shop_id, customer, &b, e) ||
	    tier_status(tx, a, r->shop_id, customer, &p, &t, e))
		return NULL;
	json_t *cashback = json_array();
	for (int i = 0; i < b.ncashback; i++)
		json_array_append_new(cashback, json_pack("{s:s, s:I}", "currency", b.cashback[i].currency,
							  "balance", (json_int_t)b.cashback[i].balance));
	int64_t inactive_at = !strcmp(p.expiry, "inactivity") && b.last_activity
		? b.last_activity + p.expiry_n * DAY_MS : 0;
	return json_pack("{s:s, s:s, s:I, s:{s:I, s:I, s:I, s:I, s:o}, s:o, s:o, s:o, s:o}",
		"object", "loyalty", "customer", customer, "program_version", (json_int_t)p.version,
		"points", "available", (json_int_t)b.available, "pending", (json_int_t)b.pending,
		"expiring_within_30_days", (json_int_t)b.expiring_soon,
		"lifetime_earned", (json_int_t)b.lifetime_earned,
		"expire_if_inactive_at", render_time(inactive_at),
		"lots", render_lots(&b), "cashback", cashback, "tier", render_tier(r, &p, &t),
		"milestones", render_milestones(r, &p, b.paid_orders));
}

static int summary_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct loyalty_call *c = ctx;
	json_t *o;
	int rc = api_customer_scope(tx, c->r, c->ref, c->customer, e);
	if (rc)
		return rc;
	if (!(o = api_loyalty_json(tx, c->r, c->customer, e)))
		return e->kind;
	req_json(c->r, 200, o);
	return 0;
}

int api_loyalty_get(struct req *r, struct err *e)
{
	struct loyalty_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, summary_tx, &c, e);
}

static int ledger_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct loyalty_call *c = ctx;
	struct loyalty_entry *list;
	int n, more;
	int rc = api_customer_scope(tx, c->r, c->ref, c->customer, e);
	if (!rc)
		rc = ledger_entries(tx, &c->r->arena, c->r->shop_id, c->customer, c->starting_after,
				    c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:o}",
			"id", list[i].id, "object", "ledger_entry", "points", (json_int_t)list[i].delta,
			"reason", list[i].reason, "lot", render_string(list[i].lot_id),
			"order", render_string(list[i].order_id),
			"redemption", render_string(list[i].redemption_id),
			"note", render_string(list[i].note), "created_at", render_time(list[i].created_at)));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_loyalty_ledger(struct req *r, struct err *e)
{
	struct loyalty_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, ledger_tx, &c, e);
}

static int adjust_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct loyalty_call *c = ctx;
	int rc = customer_resolve(tx, c->r->shop_id, c->ref, "id", c->customer, e);
	if (!rc)
		rc = ledger_adjust(tx, c->r->shop_id, c->customer, c->points, c->note, e);
	return rc ? rc : summary_tx(tx, ctx, e);
}

int api_loyalty_adjust(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "points", "reason", NULL };
	struct loyalty_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_int(r->json, "points", 1, -1000000000, 1000000000, &c.points, NULL, NULL, e)) ||
	    (rc = jsonv_string(r->json, "reason", 1, 200, &c.note, NULL, e)))
		return rc;
	if (c.points == 0)
		return err_set(e, ERR_INVALID, "points", "\"points\" must not be 0");
	return req_write(r, adjust_tx, &c, e);
}

/* The jobs another node was running (their lock held), by name. */
static json_t *skipped_jobs(const struct jobs_counts *c)
{
	json_t *names = json_array();
	for (int i = 0; i < jobs_count(); i++)
		if (c->skipped_mask & (1u << i))
			json_array_append_new(names, json_string(jobs_name(i)));
	return names;
}

json_t *api_render_job_run(const struct jobs_counts *c)
{
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:o}",
			      "object", "job_run",
			      "expired_lots", (json_int_t)c->expired_lots,
			      "expired_points", (json_int_t)c->expired_points,
			      "reminders", (json_int_t)c->reminders,
			      "tier_changes", (json_int_t)c->tier_changes,
			      "reservations_released", (json_int_t)c->reservations_released,
			      "late_deliveries", (json_int_t)c->late_deliveries,
			      "apologies", (json_int_t)c->apologies,
			      "sla_breaches", (json_int_t)c->sla_breaches,
			      "skipped", c->skipped, "skipped_jobs", skipped_jobs(c));
	/* issue 13: webhooks and e-mails */
	json_object_set_new(o, "webhooks_delivered", json_integer(c->webhooks_delivered));
	json_object_set_new(o, "webhooks_failed", json_integer(c->webhooks_failed));
	json_object_set_new(o, "emails_queued", json_integer(c->emails_queued));
	json_object_set_new(o, "emails_sent", json_integer(c->emails_sent));
	json_object_set_new(o, "emails_failed", json_integer(c->emails_failed));
	/* inbound integrations: delivery ids forgotten after their retention */
	json_object_set_new(o, "integration_deliveries_pruned",
			    json_integer(c->integration_deliveries_pruned));
	return o;
}

int api_jobs_run(struct req *r, struct err *e)
{
	struct jobs_counts c;
	int rc = jobs_run(r->store, r->srv->cfg, &c, e);
	if (!rc)
		req_json(r, 200, api_render_job_run(&c));
	return rc;
}

static int token_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct loyalty_call *c = ctx;
	char token[TOKEN_MAX];
	int64_t expires;
	int rc = customer_resolve(tx, c->r->shop_id, c->ref, "id", c->customer, e);
	if (!rc)
		rc = token_mint(tx, c->r->shop_id, c->customer, c->points * 1000, token, &expires, e);
	if (!rc)
		req_json(c->r, 201, json_pack("{s:s, s:s, s:s, s:o}", "object", "customer_token",
					      "customer", c->customer, "token", token,
					      "expires_at", render_time(expires)));
	return rc;
}

int api_customer_tokens_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "ttl_seconds", NULL };
	struct loyalty_call c = { .r = r, .ref = req_param(r, 0), .points = 3600 };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_int(r->json, "ttl_seconds", 0, 60, TOKEN_TTL_MAX_SECONDS, &c.points, NULL,
			    NULL, e)))
		return rc;
	return req_write(r, token_tx, &c, e);
}

static int bonus_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct loyalty_call *c = ctx;
	int64_t points;
	int rc = customer_resolve(tx, c->r->shop_id, c->ref, "id", c->customer, e);
	if (!rc)
		rc = ledger_bonus(tx, c->r->shop_id, c->customer, c->note, 1, &points, e);
	return rc ? rc : summary_tx(tx, ctx, e);
}

int api_loyalty_bonus(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "action", NULL };
	struct loyalty_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "action", 1, 32, &c.note, NULL, e)))
		return rc;
	if (strcmp(c.note, "review") && strcmp(c.note, "birthday") && strcmp(c.note, "signup") &&
	    strcmp(c.note, "account_created"))
		return err_set(e, ERR_INVALID, "action",
			       "\"action\" must be signup, account_created, review or birthday");
	return req_write(r, bonus_tx, &c, e);
}
