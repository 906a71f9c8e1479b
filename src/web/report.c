/*
 * report.c: the analytic pages' cached reports (analytics/report_cache.h):
 * reading one for a page, the "as of" line with its "refresh now" form, and
 * that form's POST /dashboard/{report}/refresh, which recomputes the report
 * at once and sends the browser back to its page.
 */
#include <string.h>

#include "../base/rfc3339.h"
#include "../http/server.h"
#include "web.h"

static int64_t ttl_ms(struct web *w)
{
	return w->r->srv->cfg->report_cache_minutes * 60 * 1000;
}

int web_report(struct web *w, enum report_kind k, int with_detail, struct report_text *out,
	       struct err *e)
{
	return report_cache_get(w->r->store, &w->r->arena, w->shop, k, with_detail, ttl_ms(w), out, e);
}

void web_as_of(struct web *w, enum report_kind k, const struct report_text *t)
{
	char when[RFC3339_MAX];
	rfc3339_format(t->computed_at, when);
	html_printf(&w->out, "<div class=\"as-of\"><p id=\"as-of\" data-computed-at=\"%s\""
		    " data-computed-now=\"%d\">Figures as of <time datetime=\"%s\">%s</time>", when,
		    t->computed_now, when, when);
	if (t->computed_now)
		html_raw(&w->out, " (computed for this visit: none was cached)");
	html_printf(&w->out, "; kept for %lld minutes.</p><form method=\"post\" id=\"refresh-form\""
		    " class=\"inline\" action=\"/dashboard/%s/refresh\">",
		    (long long)w->r->srv->cfg->report_cache_minutes, report_cache_name(k));
	web_csrf_field(w);
	html_raw(&w->out, "<button type=\"submit\">Refresh now</button></form></div>");
}

static int refresh_post(struct web *w, struct err *e)
{
	int k = report_cache_kind(req_param(w->r, 0));
	if (k < 0)
		return err_setc(e, ERR_NOT_FOUND, "not_found", NULL, "no such report");
	struct report_text t;
	int rc = report_cache_compute(w->r->store, &w->r->arena, w->shop, (enum report_kind)k, 0, &t, e);
	if (rc)
		return rc;
	web_redirect(w, arena_printf(&w->r->arena, "/dashboard/%s", report_cache_name((enum report_kind)k)));
	return 0;
}

int web_report_refresh(struct req *r, struct err *e)
{
	return web_run(r, e, refresh_post, 0);
}
