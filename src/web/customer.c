/*
 * customer.c: one customer's page, the overview an agent reads (as GET
 * /v1/customers/{id}/overview): identity, the latest orders, points and tier
 * (ledger_balance, tier_status), open tickets, reviews, predictions (the
 * shop's cached fit, clv_cache_fit + clv_customer, as GET .../predictions),
 * and a manual points adjustment form (ledger_adjust, as POST
 * .../adjustments). A customer of another shop is 404, as in the API.
 */
#include <stdlib.h>
#include <string.h>

#include "../analytics/dashboard_data.h"
#include "../base/clock.h"
#include "../base/rfc3339.h"
#include "../core/customer.h"
#include "../core/ledger.h"
#include "../core/order.h"
#include "../core/program.h"
#include "../core/review.h"
#include "../core/ticket.h"
#include "../core/tier.h"
#include "web.h"

#define CUSTOMER_ORDERS 20
#define CUSTOMER_TICKETS 20
#define CUSTOMER_REVIEWS 10
#define ADJUST_MAX 1000000000

struct customer_page {
	struct web *w;
	const char *ref;
	char id[ID_MAX];
	struct customer c;
	struct order *orders;
	int norders;
	struct loyalty_balance bal;
	struct program p;
	struct tier_status tier;
	struct ticket *tickets[2];
	int ntickets[2];
	struct review_customer_summary reviews;
	struct dash_clv clv;
	int64_t fitted_at;	/* the cached clv report's */
	int fit_now;		/* computed for this visit */
	struct clv_report fit;
	struct clv_customer pred;
	int found;
};

static int customer_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_page *c = ctx;
	struct arena *a = &c->w->r->arena;
	const char *shop = c->w->shop;
	static const char *const open_statuses[] = { "open", "pending" };
	int more, rc;
	struct order_filter of = { 0 };
	if ((rc = customer_resolve(tx, shop, c->ref, "id", c->id, e)) ||
	    (rc = customer_get(tx, a, shop, c->id, &c->c, e)))
		return rc;
	of.customer = c->id;
	if ((rc = order_list(tx, a, shop, &of, NULL, CUSTOMER_ORDERS, &c->orders, &c->norders, &more, e)) ||
	    (rc = ledger_balance(tx, a, shop, c->id, &c->bal, e)) ||
	    (rc = program_get(tx, a, shop, &c->p, e)) ||
	    (rc = tier_status(tx, a, shop, c->id, &c->p, &c->tier, e)) ||
	    (rc = review_of_customer(tx, a, shop, c->id, CUSTOMER_REVIEWS, &c->reviews, e)))
		return rc;
	for (int s = 0; s < 2; s++) {
		struct ticket_filter f = { open_statuses[s], c->id, -1, 0 };
		if ((rc = ticket_list(tx, a, shop, &f, NULL, CUSTOMER_TICKETS, &c->tickets[s],
				      &c->ntickets[s], &more, e)))
			return rc;
	}
	struct clv_options o = dash_clv_options(clock_now_ms());
	c->found = 0;
	if (c->fit.enough &&
	    (rc = clv_customer(tx, shop, c->id, &o, &c->fit, &c->pred, &c->found, e)))
		return rc;
	return 0;
}

static void dl_text(struct web *w, const char *term, const char *key, const char *value)
{
	html_printf(&w->out, "<dt>%s</dt><dd data-field=\"%s\">", term, key);
	html_text(&w->out, value ? value : "–");
	html_raw(&w->out, "</dd>");
}

static void dl_int(struct web *w, const char *term, const char *key, int64_t v)
{
	html_printf(&w->out, "<dt>%s</dt><dd data-field=\"%s\" data-value=\"%lld\">%lld</dd>", term,
		    key, (long long)v, (long long)v);
}

static void orders(struct web *w, struct customer_page *c)
{
	html_raw(&w->out, "<h2>Orders</h2><table id=\"customer-orders\"><thead><tr><th>Order</th>"
			  "<th>Placed</th><th>Status</th><th>Total</th></tr></thead><tbody>");
	for (int i = 0; i < c->norders; i++) {
		const struct order *o = &c->orders[i];
		char t[RFC3339_MAX], money[32];
		rfc3339_format(o->placed_at, t);
		html_raw(&w->out, "<tr data-order=\"");
		html_text(&w->out, o->id);
		html_printf(&w->out, "\" data-value=\"%lld\"><td>", (long long)o->total);
		html_text(&w->out, o->external_id ? o->external_id : o->id);
		html_printf(&w->out, "</td><td>%s</td><td>", t);
		html_text(&w->out, o->status);
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, web_money(o->total, o->currency, money));
		html_raw(&w->out, "</td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static void loyalty(struct web *w, struct customer_page *c)
{
	html_raw(&w->out, "<h2>Points and tier</h2><dl id=\"customer-points\">");
	dl_int(w, "Available", "available", c->bal.available);
	dl_int(w, "Pending", "pending", c->bal.pending);
	dl_int(w, "Expiring within 30 days", "expiring", c->bal.expiring_soon);
	dl_int(w, "Earned in all", "lifetime_earned", c->bal.lifetime_earned);
	dl_text(w, "Tier", "tier", c->tier.current);
	dl_text(w, "Next tier", "next_tier", c->tier.next ? c->tier.next->name : NULL);
	html_raw(&w->out, "</dl><form method=\"post\" id=\"adjust-form\" action=\"/dashboard/customers/");
	html_url(&w->out, c->id);
	html_raw(&w->out, "/adjust\" data-confirm=\"Change this customer's points?\">");
	web_csrf_field(w);
	html_printf(&w->out, "<label for=\"points\">Adjust points (negative to take away)</label>"
		    "<input type=\"number\" id=\"points\" name=\"points\" min=\"-%d\" max=\"%d\" required>"
		    "<label for=\"reason\">Reason</label><input id=\"reason\" name=\"reason\""
		    " maxlength=\"200\" required><button type=\"submit\">Adjust</button></form>",
		    ADJUST_MAX, ADJUST_MAX);
}

static void tickets(struct web *w, struct customer_page *c)
{
	html_raw(&w->out, "<h2>Open tickets</h2><ul id=\"customer-tickets\">");
	for (int s = 0; s < 2; s++)
		for (int i = 0; i < c->ntickets[s]; i++) {
			const struct ticket *t = &c->tickets[s][i];
			html_raw(&w->out, "<li data-ticket=\"");
			html_text(&w->out, t->id);
			html_raw(&w->out, "\">");
			html_text(&w->out, t->subject);
			html_raw(&w->out, " (");
			html_text(&w->out, t->status);
			html_raw(&w->out, ")</li>");
		}
	html_raw(&w->out, "</ul>");
}

static void reviews(struct web *w, struct customer_page *c)
{
	html_printf(&w->out, "<h2>Reviews</h2><p id=\"customer-reviews\" data-value=\"%lld\">%lld"
		    " reviews, %lld published.</p><ul>", (long long)c->reviews.count,
		    (long long)c->reviews.count, (long long)c->reviews.published);
	for (int i = 0; i < c->reviews.nlatest; i++) {
		const struct review *r = &c->reviews.latest[i];
		html_raw(&w->out, "<li data-review=\"");
		html_text(&w->out, r->id);
		html_printf(&w->out, "\">%lld ★ <strong>", (long long)r->rating);
		html_text(&w->out, r->title);
		html_raw(&w->out, "</strong> ");
		html_text(&w->out, r->body);
		html_raw(&w->out, "</li>");
	}
	html_raw(&w->out, "</ul>");
}

static void predictions(struct web *w, struct customer_page *c)
{
	char num[32], when[RFC3339_MAX];
	rfc3339_format(c->fitted_at, when);
	html_printf(&w->out, "<h2>Predictions</h2><p class=\"muted\" id=\"predictions-as-of\""
		    " data-computed-at=\"%s\" data-computed-now=\"%d\">From the CLV model of <a"
		    " href=\"/dashboard/clv\"><time datetime=\"%s\">%s</time></a>%s.</p>", when,
		    c->fit_now, when, when, c->fit_now ? " (computed for this visit: none was cached)" : "");
	if (!c->fit.enough) {
		html_raw(&w->out, "<p id=\"customer-predictions\">Not enough data for a fit: ");
		html_text(&w->out, c->fit.reason);
		html_raw(&w->out, "</p>");
		return;
	}
	if (!c->found) {
		html_raw(&w->out, "<p id=\"customer-predictions\">No paid order yet: nothing to predict"
				  " from.</p>");
		return;
	}
	html_printf(&w->out, "<dl id=\"customer-predictions\"><dt>P(alive)</dt><dd data-field=\"p_alive\""
		    " data-value=\"%.12g\">%s</dd>", c->pred.p_alive, web_percent(c->pred.p_alive, num));
	html_printf(&w->out, "<dt>Expected purchases (52 weeks)</dt><dd data-field=\"expected\""
		    " data-value=\"%.12g\">%s</dd>", c->pred.expected, web_number(c->pred.expected, 2, num));
	if (c->fit.spend_enough)
		html_printf(&w->out, "<dt>CLV (12 months)</dt><dd data-field=\"clv\" data-value=\"%.12g\">"
			    "%s</dd>", c->pred.clv, web_number(c->pred.clv, 0, num));
	dl_text(w, "Churn risk", "churn_risk", c->pred.risk);
	html_raw(&w->out, "</dl>");
}

/* Whether the page's customer exists, before the CLV report (which a first
 * visit computes over the whole shop) is asked for: an unknown id is a 404
 * at the cost of one row. */
static int known_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_page *c = ctx;
	return customer_resolve(tx, c->w->shop, c->ref, "id", c->id, e);
}

static int customer_page(struct web *w, struct err *e)
{
	struct customer_page *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->ref = req_param(w->r, 0);
	struct report_text t;
	int rc = web_read(w, known_tx, c, e);
	if (rc || (rc = web_report(w, REPORT_CLV, 0, &t, e)) || (rc = dash_clv_parse(&w->r->arena, t.body, &c->clv, e)))
		return rc;
	c->fit = c->clv.fit;
	c->fitted_at = t.computed_at;
	c->fit_now = t.computed_now;
	if ((rc = web_read(w, customer_tx, c, e)))
		return rc;
	web_page_begin(w, "Customer", "customer");
	html_raw(&w->out, "<h1 id=\"customer-name\">");
	html_text(&w->out, c->c.name ? c->c.name : c->c.id);
	html_raw(&w->out, "</h1><dl id=\"customer\">");
	dl_text(w, "Id", "id", c->c.id);
	dl_text(w, "External id", "external_id", c->c.external_id);
	dl_text(w, "E-mail", "email", c->c.email);
	dl_text(w, "Phone", "phone", c->c.phone);
	dl_text(w, "Status", "status", c->c.status);
	dl_int(w, "Orders", "orders_count", c->c.orders_count);
	html_raw(&w->out, "</dl>");
	loyalty(w, c);
	orders(w, c);
	tickets(w, c);
	reviews(w, c);
	predictions(w, c);
	web_page_end(w);
	return 0;
}

int web_customer(struct req *r, struct err *e)
{
	return web_run(r, e, customer_page, 0);
}

/* ---- the manual adjustment ---- */

struct adjust {
	struct web *w;
	const char *ref, *note;
	char id[ID_MAX];
	int64_t points;
};

static int adjust_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct adjust *a = ctx;
	int rc = customer_resolve(tx, a->w->shop, a->ref, "id", a->id, e);
	return rc ? rc : ledger_adjust(tx, a->w->shop, a->id, a->points, a->note, e);
}

static int adjust_post(struct web *w, struct err *e)
{
	struct adjust a = { w, req_param(w->r, 0), web_form(w, "reason"), { 0 }, 0 };
	const char *points = web_form(w, "points");
	char *end = NULL;
	long long v = points && *points ? strtoll(points, &end, 10) : 0;
	if (!end || *end || v == 0 || v < -ADJUST_MAX || v > ADJUST_MAX)
		return err_set(e, ERR_INVALID, "points", "\"points\" must be a whole number from %d to %d,"
			       " not 0", -ADJUST_MAX, ADJUST_MAX);
	if (!a.note || !a.note[0] || strlen(a.note) > 200)
		return err_set(e, ERR_INVALID, "reason", "give a reason of 1 to 200 characters");
	a.points = v;
	int rc = web_write(w, adjust_tx, &a, e);
	if (rc)
		return rc;
	web_redirect(w, arena_printf(&w->r->arena, "/dashboard/customers/%s", a.id));
	return 0;
}

int web_customer_adjust(struct req *r, struct err *e)
{
	return web_run(r, e, adjust_post, 0);
}
