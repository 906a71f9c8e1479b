/*
 * program.c: the programme and campaigns page, read-only: the programme's
 * terms as customers read them (program_terms), each campaign's uses and
 * cost (campaign_usage, as GET /v1/campaigns/{id} shows them under "usage"),
 * and a backtest form per campaign that runs backtest_campaign() (POST
 * /v1/campaigns/{id}/backtest) over the last N days. Changing the
 * programme or a campaign stays the API's.
 */
#include <stdlib.h>
#include <string.h>

#include "../core/backtest.h"
#include "../core/campaign.h"
#include "../core/program.h"
#include "web.h"

#define PROGRAM_CAMPAIGNS_MAX 100

struct program_page {
	struct web *w;
	struct program p;
	const char *terms;
	struct campaign *campaigns;
	struct campaign_usage *usage;
	int n, more;
};

static int program_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct program_page *c = ctx;
	struct arena *a = &c->w->r->arena;
	int rc = program_get(tx, a, c->w->shop, &c->p, e);
	if (rc)
		return rc;
	c->terms = c->p.version ? program_terms(a, &c->p) : NULL;
	if ((rc = campaign_list(tx, a, c->w->shop, NULL, NULL, NULL, PROGRAM_CAMPAIGNS_MAX,
				&c->campaigns, &c->n, &c->more, e)))
		return rc;
	c->usage = arena_alloc(a, sizeof(*c->usage) * (size_t)(c->n + 1));
	for (int i = 0; i < c->n; i++)
		if ((rc = campaign_usage(tx, c->w->shop, c->campaigns[i].id, &c->usage[i], e)))
			return rc;
	return 0;
}

static void campaigns(struct web *w, struct program_page *c)
{
	html_raw(&w->out, "<h2>Campaigns</h2><table id=\"campaigns\"><thead><tr><th>Campaign</th>"
			  "<th>Type</th><th>Status</th><th>Uses</th><th>Reserved</th><th>Cost (discount"
			  " given, minor units)</th><th>Backtest</th></tr></thead><tbody>");
	for (int i = 0; i < c->n; i++) {
		const struct campaign *k = &c->campaigns[i];
		const struct campaign_usage *u = &c->usage[i];
		html_raw(&w->out, "<tr data-campaign=\"");
		html_text(&w->out, k->id);
		html_printf(&w->out, "\" data-uses=\"%lld\" data-cost=\"%lld\"><td>",
			    (long long)u->final_uses, (long long)u->final_discount);
		html_text(&w->out, k->name);
		html_raw(&w->out, "<br><code>");
		html_text(&w->out, k->id);
		html_raw(&w->out, "</code></td><td>");
		html_text(&w->out, k->type);
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, k->status);
		html_printf(&w->out, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>",
			    (long long)u->final_uses, (long long)(u->live_uses - u->final_uses),
			    (long long)u->final_discount);
		html_raw(&w->out, "<form method=\"post\" class=\"inline backtest\" action=\"/dashboard/campaigns/");
		html_url(&w->out, k->id);
		html_raw(&w->out, "/backtest\">");
		web_csrf_field(w);
		html_printf(&w->out, "<label>Days <input type=\"number\" name=\"days\" min=\"%d\" max=\"%d\""
			    " value=\"%d\"></label><label><input type=\"checkbox\" name=\"respect_window\""
			    " value=\"1\"> only within its dates</label><button type=\"submit\">Backtest"
			    "</button></form></td></tr>", BACKTEST_DAYS_MIN, BACKTEST_DAYS_MAX,
			    BACKTEST_DAYS_DEFAULT);
	}
	html_raw(&w->out, "</tbody></table>");
	if (c->more)
		html_printf(&w->out, "<p>The %d newest campaigns are shown.</p>", PROGRAM_CAMPAIGNS_MAX);
}

static int program_page(struct web *w, struct err *e)
{
	struct program_page *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	int rc = web_read(w, program_tx, c, e);
	if (rc)
		return rc;
	web_page_begin(w, "Programme", "program");
	html_raw(&w->out, "<h1>Programme and campaigns</h1>");
	if (!c->p.version) {
		html_raw(&w->out, "<p id=\"program-none\">No programme yet: set one with PUT /v1/program.</p>");
	} else {
		html_printf(&w->out, "<section id=\"program\" data-version=\"%lld\" data-point-value=\"%lld\">"
			    "<h2>Programme, version %lld</h2><p>A point is worth %lld minor units as a"
			    " discount.</p><pre id=\"program-terms\">", (long long)c->p.version,
			    (long long)c->p.point_value, (long long)c->p.version, (long long)c->p.point_value);
		html_text(&w->out, c->terms);
		html_raw(&w->out, "</pre></section>");
	}
	campaigns(w, c);
	web_page_end(w);
	return 0;
}

int web_program(struct req *r, struct err *e)
{
	return web_run(r, e, program_page, 0);
}

/* ---- a campaign's backtest ---- */

struct backtest_page {
	struct web *w;
	const char *campaign;
	struct backtest_options o;
	struct backtest_campaign_result out;
};

static int backtest_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct backtest_page *c = ctx;
	return backtest_campaign(tx, &c->w->r->arena, c->w->shop, c->campaign, &c->o, &c->out, e);
}

static int backtest_post(struct web *w, struct err *e)
{
	struct backtest_page *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->campaign = req_param(w->r, 0);
	const char *days = web_form(w, "days"), *respect = web_form(w, "respect_window");
	char *end = NULL;
	c->o.days = days && *days ? strtoll(days, &end, 10) : BACKTEST_DAYS_DEFAULT;
	if (end && *end)
		return err_set(e, ERR_INVALID, "days", "\"days\" must be a whole number of days");
	c->o.respect_window = respect && !strcmp(respect, "1");
	int rc = backtest_check_options(&c->o, e);
	if (rc || (rc = web_read(w, backtest_tx, c, e)))
		return rc;
	const struct backtest_campaign_result *b = &c->out;
	web_page_begin(w, "Backtest", "program");
	html_raw(&w->out, "<h1>Backtest of <code>");
	html_text(&w->out, b->campaign_id);
	html_printf(&w->out, "</code></h1><dl id=\"backtest\" data-days=\"%lld\""
		    " data-orders-considered=\"%lld\" data-orders-reached=\"%lld\""
		    " data-customers-reached=\"%lld\"><dt>Days</dt><dd>%lld</dd><dt>Orders"
		    " considered</dt><dd>%lld</dd><dt>Orders reached</dt><dd>%lld</dd><dt>Customers"
		    " reached</dt><dd>%lld</dd></dl>", (long long)b->days, (long long)b->orders_considered,
		    (long long)b->orders_reached, (long long)b->customers_reached, (long long)b->days,
		    (long long)b->orders_considered, (long long)b->orders_reached,
		    (long long)b->customers_reached);
	html_raw(&w->out, "<table id=\"backtest-currencies\"><thead><tr><th>Currency</th><th>Discount"
			  "</th><th>Of it shipping</th><th>Orders</th></tr></thead><tbody>");
	for (int i = 0; i < b->ncurrencies; i++) {
		char money[32], ship[32];
		const struct backtest_currency *k = &b->currencies[i];
		html_raw(&w->out, "<tr data-currency=\"");
		html_text(&w->out, k->currency);
		html_printf(&w->out, "\" data-value=\"%lld\"><td>", (long long)k->discount_total);
		html_text(&w->out, k->currency);
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, web_money(k->discount_total, k->currency, money));
		html_raw(&w->out, "</td><td>");
		html_text(&w->out, web_money(k->discount_shipping, k->currency, ship));
		html_printf(&w->out, "</td><td>%lld</td></tr>", (long long)k->orders_reached);
	}
	html_raw(&w->out, "</tbody></table><h2>Orders not reached, by reason</h2><ul id=\"backtest-reasons\">");
	for (int i = 0; i < BACKTEST_REASONS; i++)
		html_printf(&w->out, "<li data-reason=\"%s\" data-value=\"%lld\">%s: %lld</li>",
			    backtest_reasons[i], (long long)b->not_reached[i], backtest_reasons[i],
			    (long long)b->not_reached[i]);
	html_raw(&w->out, "</ul><p><a href=\"/dashboard/program\">Back to the programme</a></p>");
	web_page_end(w);
	return 0;
}

int web_campaign_backtest(struct req *r, struct err *e)
{
	return web_run(r, e, backtest_post, 0);
}
