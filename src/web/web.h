/*
 * web.h: the dashboard at /dashboard (issue 14; docs/dashboard.md). Pages are
 * HTML rendered here from what core/ and analytics/ return, with SVG charts
 * (svg.h); web/ writes no SQL. Every page goes through web_run(), which:
 *  - sets the security headers on every response (a strict
 *    Content-Security-Policy, nosniff, no referrer, no caching);
 *  - finds the session of the "retain_session" cookie (core/session.h), or
 *    answers 303 to /dashboard/sign-in (a page without a session);
 *  - on a POST, reads the form (application/x-www-form-urlencoded) and
 *    refuses it, 403 with nothing changed, unless its "csrf" field is the
 *    session's CSRF token (compared in constant time);
 *  - renders the page's error, if any, as an HTML page with its status.
 */
#ifndef RETAIN_WEB_H
#define RETAIN_WEB_H

#include "../analytics/report_cache.h"
#include "../base/buf.h"
#include "../core/session.h"
#include "../http/request.h"
#include "html.h"

#define WEB_FORM_MAX 32

struct web {
	struct req *r;
	struct buf out;		/* the page being written */
	char sid[SESSION_ID_MAX];	/* the session's id (from the cookie), or "" */
	struct session s;
	char csrf[SECURE_SHA256_HEX];
	const char *shop;	/* the session's shop, or NULL */
	const char *shop_name;	/* its name (the header shows it), or NULL */
	const char *form_keys[WEB_FORM_MAX], *form_vals[WEB_FORM_MAX];
	int nform;
	int status;		/* of the page; 200 unless set */
	const char *type;	/* NULL: text/html */
	const char *location;	/* a 303's target */
};

enum web_flags {
	WEB_PUBLIC = 1 << 0,	/* needs no session (the sign-in page, its CSS) */
	WEB_ANY_SHOP = 1 << 1,	/* an operator's session without a shop will do */
	WEB_NO_CSRF = 1 << 2,	/* a POST that changes nothing (a 405): no token asked */
};

typedef int (*web_page_fn)(struct web *w, struct err *e);

int web_run(struct req *r, struct err *e, web_page_fn fn, int flags);

/* The value of cookie name of the request into out ("" when absent or
 * longer than size - 1). */
void web_cookie(struct req *r, const char *name, char *out, size_t size);
/* A form field of the POST, or NULL. */
const char *web_form(struct web *w, const char *name);
/* A 303 See Other to path (a literal of web/ or an id already checked). */
void web_redirect(struct web *w, const char *path);
/* The page frame: <head>, the navigation with the shop's name, sign-out. */
void web_page_begin(struct web *w, const char *title, const char *active);
void web_page_end(struct web *w);
/* <input type=hidden name=csrf value=...> for a form of this session. */
void web_csrf_field(struct web *w);
/* Runs fn in a read (fn must start by calling web_mark_reset if it writes
 * to w->out: a read may run again). */
int web_read(struct web *w, store_fn fn, void *ctx, struct err *e);
int web_write(struct web *w, store_fn fn, void *ctx, struct err *e);

/* The shop's cached report k for a page (analytics/report_cache.h, with
 * the configured report-cache-minutes), and the page's "as of" line with
 * its "refresh now" form (web/report.c). */
int web_report(struct web *w, enum report_kind k, int with_detail, struct report_text *out,
	       struct err *e);
void web_as_of(struct web *w, enum report_kind k, const struct report_text *t);

/* Numbers as pages show them, into out (size >= 32). NaN shows "–". */
const char *web_percent(double v, char *out);
const char *web_number(double v, int decimals, char *out);
const char *web_money(int64_t minor, const char *currency, char *out);

/* The page handlers (routes.c binds them). */
int web_sign_in_get(struct req *r, struct err *e);
int web_sign_in_post(struct req *r, struct err *e);
int web_sign_out(struct req *r, struct err *e);
int web_shops_get(struct req *r, struct err *e);
int web_shops_post(struct req *r, struct err *e);
int web_home(struct req *r, struct err *e);
int web_asset_css(struct req *r, struct err *e);
int web_asset_js(struct req *r, struct err *e);
int web_overview(struct req *r, struct err *e);
int web_cohorts(struct req *r, struct err *e);
int web_rfm(struct req *r, struct err *e);
int web_rfm_customers(struct req *r, struct err *e);
int web_rfm_csv(struct req *r, struct err *e);
int web_rfm_offer(struct req *r, struct err *e);
int web_clv(struct req *r, struct err *e);
int web_program(struct req *r, struct err *e);
int web_campaign_backtest(struct req *r, struct err *e);
int web_queues(struct req *r, struct err *e);
int web_review_reply(struct req *r, struct err *e);
int web_ticket_reply(struct req *r, struct err *e);
int web_customer(struct req *r, struct err *e);
int web_customer_adjust(struct req *r, struct err *e);
int web_not_found(struct req *r, struct err *e);
int web_report_refresh(struct req *r, struct err *e);
int web_program_backtest(struct req *r, struct err *e);
int web_method_not_allowed(struct req *r, struct err *e);

#endif
