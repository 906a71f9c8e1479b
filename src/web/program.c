/*
 * program.c: the programme and campaigns page, read-only: the programme's
 * terms as customers read them (program_terms), each campaign's uses and
 * cost (campaign_usage, as GET /v1/campaigns/{id} shows them under "usage"),
 * and a backtest form per campaign that runs backtest_campaign() (POST
 * /v1/campaigns/{id}/backtest) over the last N days, and a backtest form for
 * a draft programme (JSON in the shape of PUT /v1/program, read by
 * program_body_parse as POST /v1/program/backtest reads it) that runs
 * backtest_program() in a read: it shows what the draft would have issued
 * and cost against the current programme, and saves nothing. Changing the
 * programme or a campaign stays the API's.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../base/checked.h"

#include "../core/backtest.h"
#include "../core/campaign.h"
#include "../core/program.h"
#include "../render/program_body.h"
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

/* The draft programme's backtest form, holding text and days. */
static void draft_form(struct web *w, const char *text, int64_t days)
{
	html_raw(&w->out, "<section id=\"program-backtest\"><h2>Backtest a draft programme</h2><p"
			  " class=\"muted\">A draft in the shape of PUT /v1/program ({} is every default),"
			  " replayed on the paid orders of the last days against the current programme."
			  " Nothing is saved.</p><form method=\"post\" action=\"/dashboard/program/backtest\""
			  " id=\"program-backtest-form\">");
	web_csrf_field(w);
	html_raw(&w->out, "<label for=\"draft\">Draft programme (JSON)</label><textarea id=\"draft\""
			  " name=\"program\" rows=\"12\" cols=\"80\" spellcheck=\"false\" required>");
	html_text(&w->out, text);
	html_printf(&w->out, "</textarea><label>Days <input type=\"number\" name=\"days\" min=\"%d\""
		    " max=\"%d\" value=\"%lld\"></label><button type=\"submit\">Backtest the draft"
		    "</button></form></section>", BACKTEST_DAYS_MIN, BACKTEST_DAYS_MAX, (long long)days);
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
	draft_form(w, "{}", BACKTEST_DAYS_DEFAULT);
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

/* ---- a draft programme's backtest ---- */

struct draft_page {
	struct web *w;
	struct program draft, current;
	struct backtest_options o;
	struct backtest_program_result out;
};

static int draft_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct draft_page *c = ctx;
	struct arena *a = &c->w->r->arena;
	int rc = program_get(tx, a, c->w->shop, &c->current, e);
	return rc ? rc : backtest_program(tx, a, c->w->shop, &c->draft, &c->o, &c->out, e);
}

/* The draft's fields are named as in POST /v1/program/backtest. */
static int draft_param(struct web *w, int rc, struct err *e)
{
	if (rc && rc != ERR_INTERNAL)
		snprintf(e->param, sizeof(e->param), "%s",
			 arena_printf(&w->r->arena, "program%s%s", e->param[0] ? "." : "", e->param));
	return rc;
}

static int64_t cost(int64_t points, int64_t point_value)
{
	int64_t v;
	return checked_mul(points, point_value, &v) ? INT64_MAX : v;
}

static void result_row(struct web *w, const char *key, const char *name, int64_t draft,
		       int64_t current)
{
	html_printf(&w->out, "<tr data-field=\"%s\" data-draft=\"%lld\" data-current=\"%lld\"><th"
		    " scope=\"row\">%s</th><td>%lld</td><td>%lld</td></tr>", key, (long long)draft,
		    (long long)current, name, (long long)draft, (long long)current);
}

static void draft_result(struct web *w, struct draft_page *c)
{
	const struct backtest_program_result *b = &c->out;
	int64_t pv = c->current.version ? c->current.point_value : 0;
	int64_t cost_draft = cost(b->points_issued_draft, c->draft.point_value);
	int64_t cost_current = cost(b->points_issued_current, pv);
	html_printf(&w->out, "<h1>Backtest of a draft programme</h1><dl id=\"program-backtest-result\""
		    " data-days=\"%lld\" data-orders-considered=\"%lld\" data-orders-reached=\"%lld\""
		    " data-customers-reached=\"%lld\" data-difference=\"%lld\" data-over-limit=\"%lld\""
		    " data-cost-draft=\"%lld\" data-cost-current=\"%lld\"><dt>Days</dt><dd>%lld</dd>"
		    "<dt>Orders considered</dt><dd>%lld</dd><dt>Orders earning under the draft</dt><dd>%lld"
		    "</dd><dt>Customers earning under the draft</dt><dd>%lld</dd><dt>Orders the draft"
		    " would refuse (over the per-order limit)</dt><dd>%lld</dd></dl>",
		    (long long)b->days, (long long)b->orders_considered, (long long)b->orders_reached,
		    (long long)b->customers_reached, (long long)b->difference,
		    (long long)b->orders_over_limit_draft, (long long)cost_draft, (long long)cost_current,
		    (long long)b->days, (long long)b->orders_considered, (long long)b->orders_reached,
		    (long long)b->customers_reached, (long long)b->orders_over_limit_draft);
	html_raw(&w->out, "<table id=\"program-backtest-points\"><thead><tr><th></th><th>Draft</th>"
			  "<th>Current programme</th></tr></thead><tbody>");
	result_row(w, "earn", "Points earned on orders", b->earn_draft, b->earn_current);
	result_row(w, "milestones", "Milestone points", b->milestones_draft, b->milestones_current);
	result_row(w, "points_issued", "Points issued", b->points_issued_draft, b->points_issued_current);
	result_row(w, "point_value", "Point value (minor units)", c->draft.point_value, pv);
	result_row(w, "cost", "What the points would cost (points issued × point value, minor units)",
		   cost_draft, cost_current);
	html_printf(&w->out, "</tbody></table><p id=\"program-backtest-difference\">The draft issues"
		    " %lld points %s than the current programme%s.</p>",
		    (long long)(b->difference < 0 ? -b->difference : b->difference),
		    b->difference < 0 ? "fewer" : "more",
		    b->current_version ? "" : " (the shop has none: it issues 0)");
}

static int draft_post(struct web *w, struct err *e)
{
	struct draft_page *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	const char *text = web_form(w, "program"), *days = web_form(w, "days");
	char *end = NULL;
	c->o.days = days && *days ? strtoll(days, &end, 10) : BACKTEST_DAYS_DEFAULT;
	if (end && *end)
		return err_set(e, ERR_INVALID, "days", "\"days\" must be a whole number of days");
	int rc = backtest_check_options(&c->o, e);
	if (rc)
		return rc;
	json_error_t jerr;
	json_t *body = json_loads(text && *text ? text : "{}", JSON_REJECT_DUPLICATES, &jerr);
	if (!body || !json_is_object(body)) {
		json_decref(body);
		return err_setc(e, ERR_INVALID, "invalid_json", "program", "the draft must be a JSON"
				" object in the shape of PUT /v1/program (line %d: %.80s)",
				body ? 1 : jerr.line, body ? "not an object" : jerr.text);
	}
	if (!(rc = draft_param(w, program_body_parse(&w->r->arena, body, &c->draft, e), e)) &&
	    !(rc = draft_param(w, program_check(&c->draft, e), e)))
		rc = web_read(w, draft_tx, c, e);
	if (!rc) {
		web_page_begin(w, "Draft backtest", "program");
		draft_result(w, c);
		draft_form(w, text && *text ? text : "{}", c->o.days);
		html_raw(&w->out, "<p><a href=\"/dashboard/program\">Back to the programme</a></p>");
		web_page_end(w);
	}
	json_decref(body);
	return rc;
}

int web_program_backtest(struct req *r, struct err *e)
{
	return web_run(r, e, draft_post, 0);
}
