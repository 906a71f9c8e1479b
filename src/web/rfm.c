/*
 * rfm.c: the RFM page: measures_rfm() (GET /v1/reports/rfm, as the shop's
 * cached rfm report: report_cache.h) as the 5x5 grid
 * of recency (rows, 5 at the top) by frequency (columns) scores, each cell
 * with its segment (measures_rfm_segment) and count, and the eleven
 * segments' counts and revenue. A cell or a segment opens the list of its
 * customers, which exports as CSV and can be sent a personal offer through
 * the campaign issue path (core/offers.h, as POST /v1/campaigns/{id}/issue).
 * The list, its CSV and the offer read the cached report's customers (its
 * detail), the ones the grid counted; names and e-mails are read live.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/dashboard_data.h"
#include "../core/campaign.h"
#include "../core/customer.h"
#include "../core/offers.h"
#include "web.h"

#define RFM_LIST_MAX 500

struct rfm_ctx {
	struct web *w;
	struct report_text t;
	struct rfm_customer *list;	/* the selection's, in the report's order */
	int nlist;
	const char *currency;
	struct dash_rfm_sel sel;
	struct customer *names;	/* of the selection's first max_names */
	int nsel, max_names;
	struct campaign *campaigns;
	int ncampaigns;
	size_t mark;
	/* the offer */
	const char *campaign;
	int64_t issued, existing, not_targeted;
};

/* The cached report's customers that c->sel selects, and its currency. */
static int rfm_list(struct rfm_ctx *c, struct err *e)
{
	struct dash_rfm sum;
	int rc = web_report(c->w, REPORT_RFM, 1, &c->t, e);
	if (rc || (rc = dash_rfm_parse(c->t.body, &sum, e)) ||
	    (rc = dash_rfm_customers(&c->w->r->arena, c->t.detail, &c->sel, &c->list, &c->nlist, e)))
		return rc;
	c->currency = arena_strdup(&c->w->r->arena, sum.currency);
	return 0;
}

static int score_arg(const char *v, const char *name, int *out, struct err *e)
{
	*out = 0;
	if (!v || !*v || !strcmp(v, "0"))
		return 0;
	if (strlen(v) != 1 || v[0] < '1' || v[0] > '5')
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a score from 1 to 5", name);
	*out = v[0] - '0';
	return 0;
}

static int segment_arg(const char *v, const char **out, struct err *e)
{
	*out = NULL;
	if (!v || !*v)
		return 0;
	for (int r = 1; r <= 5; r++)
		for (int f = 1; f <= 5; f++)
			if (!strcmp(measures_rfm_segment(r, f), v)) {
				*out = measures_rfm_segment(r, f);
				return 0;
			}
	return err_set(e, ERR_INVALID, "segment", "no RFM segment \"%.40s\"", v);
}

static int parse_sel(struct dash_rfm_sel *s, const char *r, const char *f, const char *seg,
		     struct err *e)
{
	int rc;
	if ((rc = score_arg(r, "r", &s->r, e)) || (rc = score_arg(f, "f", &s->f, e)) ||
	    (rc = segment_arg(seg, &s->segment, e)))
		return rc;
	if (!s->r && !s->f && !s->segment)
		return err_setc(e, ERR_INVALID, "parameter_missing", "segment",
				"pick a cell (r and f) or a segment");
	return 0;
}

static void sel_query(struct web *w, const struct dash_rfm_sel *s)
{
	html_printf(&w->out, "r=%d&amp;f=%d&amp;segment=", s->r, s->f);
	html_url(&w->out, s->segment);
}

/* ---- the grid ---- */

static void grid(struct web *w, const struct dash_rfm *rep)
{
	const int64_t (*count)[6] = rep->count;
	html_raw(&w->out, "<table class=\"rfm\" id=\"rfm-grid\" aria-label=\"Customers by recency"
			  " (rows) and frequency (columns) score\"><thead><tr><th>R \\ F</th>");
	for (int f = 1; f <= 5; f++)
		html_printf(&w->out, "<th scope=\"col\">F%d</th>", f);
	html_raw(&w->out, "</tr></thead><tbody>");
	for (int r = 5; r >= 1; r--) {
		html_printf(&w->out, "<tr><th scope=\"row\">R%d</th>", r);
		for (int f = 1; f <= 5; f++) {
			const char *seg = measures_rfm_segment(r, f);
			html_printf(&w->out, "<td class=\"cell\" data-r=\"%d\" data-f=\"%d\" data-value=\"%lld\""
				    " data-segment=\"", r, f, (long long)count[r][f]);
			html_text(&w->out, seg);
			html_printf(&w->out, "\"><a href=\"/dashboard/rfm/customers?r=%d&amp;f=%d\""
				    " title=\"", r, f);
			html_text(&w->out, seg);
			html_printf(&w->out, ": %lld customers\"><span class=\"count\">%lld</span><br>"
				    "<small>", (long long)count[r][f], (long long)count[r][f]);
			html_text(&w->out, seg);
			html_raw(&w->out, "</small></a></td>");
		}
		html_raw(&w->out, "</tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static void segments(struct web *w, const struct dash_rfm *rep)
{
	char money[32];
	html_raw(&w->out, "<h2>Segments</h2><table id=\"rfm-segments\"><thead><tr><th>Segment</th>"
			  "<th>Customers</th><th>Revenue</th></tr></thead><tbody>");
	for (int i = 0; i < RFM_SEGMENTS; i++) {
		const struct rfm_segment *s = &rep->segments[i];
		html_raw(&w->out, "<tr data-segment=\"");
		html_text(&w->out, s->name);
		html_printf(&w->out, "\" data-value=\"%lld\"><td><a href=\"/dashboard/rfm/customers?segment=",
			    (long long)s->customers);
		html_url(&w->out, s->name);
		html_raw(&w->out, "\">");
		html_text(&w->out, s->name);
		html_printf(&w->out, "</a></td><td>%lld</td><td>", (long long)s->customers);
		html_text(&w->out, web_money(s->revenue, rep->currency, money));
		html_raw(&w->out, "</td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
}

static int rfm_page(struct web *w, struct err *e)
{
	struct dash_rfm rep;
	struct report_text t;
	int rc = web_report(w, REPORT_RFM, 0, &t, e);
	if (rc || (rc = dash_rfm_parse(t.body, &rep, e)))
		return rc;
	web_page_begin(w, "RFM", "rfm");
	html_printf(&w->out, "<h1>RFM</h1><p class=\"muted\">%d customers with a purchase, scored by"
		    " quintile; open a cell or a segment for its customers.</p>", rep.n);
	web_as_of(w, REPORT_RFM, &t);
	grid(w, &rep);
	segments(w, &rep);
	web_page_end(w);
	return 0;
}

int web_rfm(struct req *r, struct err *e)
{
	return web_run(r, e, rfm_page, 0);
}

/* ---- a cell's or a segment's customers ---- */

/* The names of the list's first max_names, and the active campaigns. */
static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct rfm_ctx *c = ctx;
	struct arena *a = &c->w->r->arena;
	int rc;
	c->nsel = c->nlist;
	int n = c->nlist < c->max_names ? c->nlist : c->max_names;
	c->names = arena_alloc(a, sizeof(*c->names) * (size_t)(n + 1));
	for (int i = 0; i < n; i++)
		if ((rc = customer_get(tx, a, c->w->shop, c->list[i].id, &c->names[i], e)))
			return rc;
	return campaign_list(tx, a, c->w->shop, NULL, "active", NULL, 100, &c->campaigns,
			     &c->ncampaigns, &(int){ 0 }, e);
}

static void offer_form(struct web *w, struct rfm_ctx *c)
{
	html_raw(&w->out, "<h2>Send them a personal offer</h2>");
	if (!c->ncampaigns) {
		html_raw(&w->out, "<p id=\"offer-none\">No active campaign: create one through the API"
				  " (POST /v1/campaigns) first.</p>");
		return;
	}
	html_raw(&w->out, "<form method=\"post\" action=\"/dashboard/rfm/offer\" id=\"offer-form\""
			  " data-confirm=\"Send the offer to these customers?\">");
	web_csrf_field(w);
	html_printf(&w->out, "<input type=\"hidden\" name=\"r\" value=\"%d\"><input type=\"hidden\""
		    " name=\"f\" value=\"%d\"><input type=\"hidden\" name=\"segment\" value=\"",
		    c->sel.r, c->sel.f);
	html_text(&w->out, c->sel.segment);
	html_raw(&w->out, "\"><label for=\"campaign\">Campaign</label><select id=\"campaign\""
			  " name=\"campaign\">");
	for (int i = 0; i < c->ncampaigns; i++) {
		html_raw(&w->out, "<option value=\"");
		html_text(&w->out, c->campaigns[i].id);
		html_raw(&w->out, "\">");
		html_text(&w->out, c->campaigns[i].name);
		html_raw(&w->out, " (");
		html_text(&w->out, c->campaigns[i].type);
		html_raw(&w->out, ")</option>");
	}
	html_raw(&w->out, "</select><button type=\"submit\">Send the offer</button></form>");
}

static int list_page(struct web *w, struct err *e)
{
	struct rfm_ctx *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->max_names = RFM_LIST_MAX;
	int rc = parse_sel(&c->sel, req_query(w->r, "r"), req_query(w->r, "f"),
			   req_query(w->r, "segment"), e);
	if (rc || (rc = rfm_list(c, e)) || (rc = web_read(w, list_tx, c, e)))
		return rc;
	web_page_begin(w, "RFM customers", "rfm");
	html_raw(&w->out, "<h1>RFM customers</h1><p id=\"rfm-selection\">");
	if (c->sel.r)
		html_printf(&w->out, "Recency score %d. ", c->sel.r);
	if (c->sel.f)
		html_printf(&w->out, "Frequency score %d. ", c->sel.f);
	if (c->sel.segment) {
		html_raw(&w->out, "Segment ");
		html_text(&w->out, c->sel.segment);
		html_raw(&w->out, ". ");
	}
	html_printf(&w->out, "<span id=\"rfm-count\" data-value=\"%d\">%d customers</span></p>",
		    c->nsel, c->nsel);
	web_as_of(w, REPORT_RFM, &c->t);
	html_raw(&w->out, "<p><a id=\"rfm-csv\" href=\"/dashboard/rfm/customers.csv?");
	sel_query(w, &c->sel);
	html_raw(&w->out, "\">Export as CSV</a></p><table id=\"rfm-customers\"><thead><tr><th>Customer"
			  "</th><th>Recency (days)</th><th>Orders</th><th>Spent</th><th>R F M</th>"
			  "<th>Segment</th></tr></thead><tbody>");
	int shown = 0;
	for (int i = 0; i < c->nlist && shown < RFM_LIST_MAX; i++) {
		const struct rfm_customer *k = &c->list[i];
		char money[32];
		html_raw(&w->out, "<tr data-customer=\"");
		html_text(&w->out, k->id);
		html_raw(&w->out, "\"><td><a href=\"/dashboard/customers/");
		html_url(&w->out, k->id);
		html_raw(&w->out, "\">");
		html_text(&w->out, c->names[shown].name ? c->names[shown].name : k->id);
		html_printf(&w->out, "</a></td><td>%lld</td><td>%lld</td><td>", (long long)k->recency_days,
			    (long long)k->frequency);
		html_text(&w->out, web_money(k->monetary, c->currency, money));
		html_printf(&w->out, "</td><td>%d %d %d</td><td>", k->r, k->f, k->m);
		html_text(&w->out, k->segment);
		html_raw(&w->out, "</td></tr>");
		shown++;
	}
	html_raw(&w->out, "</tbody></table>");
	if (c->nsel > shown)
		html_printf(&w->out, "<p>The first %d are shown; the CSV holds them all.</p>", shown);
	offer_form(w, c);
	web_page_end(w);
	return 0;
}

int web_rfm_customers(struct req *r, struct err *e)
{
	return web_run(r, e, list_page, 0);
}

/* A CSV field: quoted when it holds a comma, quote or line break; a leading
 * = + - @ (a spreadsheet formula) is defused with a '. */
static void csv_field(struct buf *b, const char *s)
{
	s = s ? s : "";
	int quote = strpbrk(s, ",\"\r\n") != NULL || strchr("=+-@", s[0]) != NULL;
	if (quote)
		buf_puts(b, "\"");
	if (s[0] && strchr("=+-@", s[0]))
		buf_puts(b, "'");
	for (const char *p = s; *p; p++) {
		buf_append(b, p, 1);
		if (*p == '"')
			buf_puts(b, "\"");
	}
	if (quote)
		buf_puts(b, "\"");
}

static int csv_page(struct web *w, struct err *e)
{
	struct rfm_ctx *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->max_names = INT_MAX;
	int rc = parse_sel(&c->sel, req_query(w->r, "r"), req_query(w->r, "f"),
			   req_query(w->r, "segment"), e);
	if (rc || (rc = rfm_list(c, e)) || (rc = web_read(w, list_tx, c, e)))
		return rc;
	w->type = "text/csv; charset=utf-8";
	req_header(w->r, "Content-Disposition", "attachment; filename=\"rfm-customers.csv\"");
	buf_puts(&w->out, "customer,name,email,recency_days,frequency,monetary,r,f,m,segment\r\n");
	for (int j = 0; j < c->nlist; j++) {
		const struct rfm_customer *k = &c->list[j];
		csv_field(&w->out, k->id);
		buf_puts(&w->out, ",");
		csv_field(&w->out, c->names[j].name);
		buf_puts(&w->out, ",");
		csv_field(&w->out, c->names[j].email);
		buf_printf(&w->out, ",%lld,%lld,%lld,%d,%d,%d,", (long long)k->recency_days,
			   (long long)k->frequency, (long long)k->monetary, k->r, k->f, k->m);
		csv_field(&w->out, k->segment);
		buf_puts(&w->out, "\r\n");
	}
	return 0;
}

int web_rfm_csv(struct req *r, struct err *e)
{
	return web_run(r, e, csv_page, 0);
}

/* ---- the offer ---- */

static int offer_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct rfm_ctx *c = ctx;
	struct arena *a = &c->w->r->arena;
	const char **ids = arena_alloc(a, sizeof(*ids) * (size_t)(c->nlist + 1));
	for (int i = 0; i < c->nlist; i++)
		ids[i] = c->list[i].id;
	c->nsel = c->nlist;
	c->issued = c->existing = c->not_targeted = 0;
	if (!c->nsel)
		return 0;
	return offers_issue_by_interest(tx, a, c->w->shop, c->campaign, ids, c->nsel, NULL, NULL,
					&c->issued, &c->existing, &c->not_targeted, e);
}

static int offer_post(struct web *w, struct err *e)
{
	struct rfm_ctx *c = arena_alloc(&w->r->arena, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->w = w;
	c->campaign = web_form(w, "campaign");
	int rc = parse_sel(&c->sel, web_form(w, "r"), web_form(w, "f"), web_form(w, "segment"), e);
	if (rc)
		return rc;
	if (!c->campaign || !c->campaign[0])
		return err_setc(e, ERR_INVALID, "parameter_missing", "campaign", "pick a campaign");
	if ((rc = rfm_list(c, e)) || (rc = web_write(w, offer_tx, c, e)))
		return rc;
	web_page_begin(w, "Offer sent", "rfm");
	html_printf(&w->out, "<h1>Offer sent</h1><p id=\"offer-result\" data-issued=\"%lld\""
		    " data-existing=\"%lld\">%lld customers received the offer; %lld had it already.</p>",
		    (long long)c->issued, (long long)c->existing, (long long)c->issued,
		    (long long)c->existing);
	html_raw(&w->out, "<p><a href=\"/dashboard/rfm/customers?");
	sel_query(w, &c->sel);
	html_raw(&w->out, "\">Back to the customers</a></p>");
	web_page_end(w);
	return 0;
}

int web_rfm_offer(struct req *r, struct err *e)
{
	return web_run(r, e, offer_post, 0);
}
