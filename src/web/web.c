/* web.c: see web.h. The session, CSRF and header rules of every page. */
#include "web.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/currency.h"
#include "../core/shop.h"
#include "../http/response.h"

#define COOKIE "retain_session"

static const char csp[] = "default-src 'none'; style-src 'self'; img-src 'self' data:;"
			  " script-src 'self'; form-action 'self'; frame-ancestors 'none';"
			  " base-uri 'none'";

static void security_headers(struct req *r)
{
	req_header(r, "Content-Security-Policy", csp);
	req_header(r, "X-Content-Type-Options", "nosniff");
	req_header(r, "Referrer-Policy", "no-referrer");
	req_header(r, "Cache-Control", "no-store");
	req_header(r, "X-Frame-Options", "DENY");
}

/* The value of cookie name in the request's Cookie header into out, or "". */
void web_cookie(struct req *r, const char *name, char *out, size_t size)
{
	const char *h = req_header_in(r, "Cookie");
	size_t n = strlen(name);
	out[0] = '\0';
	for (const char *p = h; p && *p;) {
		while (*p == ' ' || *p == ';')
			p++;
		size_t len = strcspn(p, ";");
		if (len > n && !strncmp(p, name, n) && p[n] == '=') {
			size_t v = len - n - 1;
			if (v < size) {
				memcpy(out, p + n + 1, v);
				out[v] = '\0';
			}
			return;
		}
		p += len;
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	     : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Decodes application/x-www-form-urlencoded text in place. */
static char *form_decode(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '+') {
			*o++ = ' ';
		} else if (*p == '%' && hexval(p[1]) >= 0 && hexval(p[2]) >= 0) {
			*o++ = (char)(hexval(p[1]) * 16 + hexval(p[2]));
			p += 2;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	return s;
}

static void parse_form(struct web *w)
{
	struct req *r = w->r;
	if (!r->body.len)
		return;
	char *s = arena_alloc(&r->arena, r->body.len + 1);
	memcpy(s, r->body.data, r->body.len);
	s[r->body.len] = '\0';
	for (char *save = NULL, *kv = strtok_r(s, "&", &save); kv && w->nform < WEB_FORM_MAX;
	     kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		w->form_keys[w->nform] = form_decode(kv);
		w->form_vals[w->nform] = eq ? form_decode(eq + 1) : "";
		w->nform++;
	}
}

const char *web_form(struct web *w, const char *name)
{
	for (int i = 0; i < w->nform; i++)
		if (!strcmp(w->form_keys[i], name))
			return w->form_vals[i];
	return NULL;
}

void web_redirect(struct web *w, const char *path)
{
	w->status = 303;
	w->location = arena_strdup(&w->r->arena, path);
}

static int find_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct web *w = ctx;
	struct shop shop;
	w->shop_name = NULL;
	int rc = session_find(tx, w->sid, &w->s, e);
	if (rc || !w->s.shop_id[0])
		return rc;
	rc = shop_get(tx, &w->r->arena, w->s.shop_id, &shop, e);
	if (rc == ERR_NOT_FOUND) {
		err_clear(e);
		return 0;
	}
	if (!rc)
		w->shop_name = shop.name;
	return rc;
}

static int touch_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	return session_touch(tx, ((struct web *)ctx)->sid, e);
}

static int delete_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	return session_delete(tx, ((struct web *)ctx)->sid, e);
}

int web_read(struct web *w, store_fn fn, void *ctx, struct err *e)
{
	return store_read(w->r->store, fn, ctx, e);
}

int web_write(struct web *w, store_fn fn, void *ctx, struct err *e)
{
	return store_write(w->r->store, fn, ctx, e);
}

/* The session of the cookie into w: 0, or ERR_AUTH with w->sid cleared. */
static int find_session(struct web *w, struct err *e)
{
	web_cookie(w->r, COOKIE, w->sid, sizeof(w->sid));
	if (!w->sid[0])
		return err_setc(e, ERR_AUTH, "session_invalid", NULL, "no dashboard session");
	int rc = web_read(w, find_tx, w, e);
	if (rc == ERR_AUTH && !strcmp(e->code, "session_expired")) {
		struct err e2 = { 0 };
		web_write(w, delete_tx, w, &e2);
	}
	if (!rc && w->s.stale)
		rc = web_write(w, touch_tx, w, e);
	if (rc) {
		w->sid[0] = '\0';
		return rc;
	}
	session_csrf(w->sid, w->csrf);
	w->shop = w->s.shop_id[0] ? w->s.shop_id : NULL;
	return 0;
}

static int csrf_ok(const char *want, const char *got)
{
	return got && strlen(got) == strlen(want) && secure_equal(want, got);
}

static void error_page(struct web *w, int rc, const struct err *e)
{
	w->out.len = 0;
	if (w->out.data)
		w->out.data[0] = '\0';
	w->status = response_status(rc);
	w->type = NULL;
	w->location = NULL;
	web_page_begin(w, "Error", "");
	html_printf(&w->out, "<section class=\"error\" id=\"error\" data-status=\"%d\"><h1>", w->status);
	html_text(&w->out, w->status == 404 ? "Not found" : w->status == 403 ? "Refused"
			   : w->status >= 500 ? "Something went wrong" : "That did not work");
	html_raw(&w->out, "</h1><p class=\"message\">");
	html_text(&w->out, e->message[0] ? e->message : "internal error");
	html_raw(&w->out, "</p><p><a href=\"/dashboard/overview\">Back to the overview</a></p></section>");
	web_page_end(w);
}

static void respond(struct web *w)
{
	struct req *r = w->r;
	if (w->location) {
		req_header(r, "Location", w->location);
		req_body(r, 303, "text/plain; charset=utf-8", "", 0);
		return;
	}
	req_body(r, w->status ? w->status : 200, w->type ? w->type : "text/html; charset=utf-8",
		 w->out.data ? w->out.data : "", w->out.len);
}

int web_run(struct req *r, struct err *e, web_page_fn fn, int flags)
{
	struct web *w = arena_alloc(&r->arena, sizeof(*w));
	memset(w, 0, sizeof(*w));
	w->r = r;
	buf_init(&w->out, 0);
	security_headers(r);
	int post = !strcmp(r->method, "POST");
	if (post)
		parse_form(w);
	int rc = find_session(w, e);
	if (rc && !(flags & WEB_PUBLIC)) {
		if (rc != ERR_AUTH)
			goto fail;
		web_redirect(w, "/dashboard/sign-in");
		goto out;
	}
	err_clear(e);
	if (post && !(flags & (WEB_PUBLIC | WEB_NO_CSRF)) && !csrf_ok(w->csrf, web_form(w, "csrf"))) {
		rc = err_setc(e, ERR_FORBIDDEN, "csrf_invalid", "csrf",
			      "the form's CSRF token is missing or wrong: reload the page and send it again");
		goto fail;
	}
	if (w->sid[0] && !w->shop && !(flags & (WEB_PUBLIC | WEB_ANY_SHOP))) {
		web_redirect(w, "/dashboard/shops");
		goto out;
	}
	if ((rc = fn(w, e)))
		goto fail;
	goto out;
fail:
	error_page(w, rc, e);
out:
	respond(w);
	buf_free(&w->out);
	err_clear(e);
	return 0;
}

void web_csrf_field(struct web *w)
{
	html_raw(&w->out, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(&w->out, w->csrf);
	html_raw(&w->out, "\">");
}

static const struct {
	const char *key, *label, *href;
} nav[] = {
	{ "overview", "Overview", "/dashboard/overview" },
	{ "cohorts", "Cohorts", "/dashboard/cohorts" },
	{ "rfm", "RFM", "/dashboard/rfm" },
	{ "clv", "CLV", "/dashboard/clv" },
	{ "program", "Programme", "/dashboard/program" },
	{ "queues", "Queues", "/dashboard/queues" },
};

void web_page_begin(struct web *w, const char *title, const char *active)
{
	struct buf *b = &w->out;
	html_raw(b, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>");
	html_text(b, title);
	html_raw(b, " · retain</title><link rel=\"stylesheet\" href=\"/dashboard/assets/dashboard.css\">");
	if (w->sid[0])
		html_raw(b, "<script src=\"/dashboard/assets/dashboard.js\" defer></script>");
	html_raw(b, "</head><body><header class=\"top\"><span class=\"brand\">retain</span>");
	if (w->sid[0]) {
		html_raw(b, "<nav id=\"nav\">");
		for (size_t i = 0; w->shop && i < sizeof(nav) / sizeof(nav[0]); i++) {
			html_printf(b, "<a href=\"%s\" data-page=\"%s\"%s>%s</a>", nav[i].href, nav[i].key,
				    strcmp(active, nav[i].key) ? "" : " aria-current=\"page\"",
				    nav[i].label);
		}
		if (w->s.operator)
			html_raw(b, "<a href=\"/dashboard/shops\" data-page=\"shops\">Shops</a>");
		html_raw(b, "</nav><span class=\"shop\" id=\"shop\" data-shop=\"");
		html_text(b, w->shop);
		html_raw(b, "\">");
		html_text(b, w->shop_name && w->shop_name[0] ? w->shop_name : w->shop);
		html_raw(b, "</span><form method=\"post\" action=\"/dashboard/sign-out\" id=\"sign-out\">");
		web_csrf_field(w);
		html_raw(b, "<button type=\"submit\">Sign out</button></form>");
	}
	html_raw(b, "</header><main id=\"main\" data-page=\"");
	html_text(b, active);
	html_raw(b, "\">");
}

void web_page_end(struct web *w)
{
	html_raw(&w->out, "</main></body></html>\n");
}

const char *web_percent(double v, char *out)
{
	if (!isfinite(v))
		return strcpy(out, "–");
	snprintf(out, 32, "%.1f%%", v * 100);
	return out;
}

const char *web_number(double v, int decimals, char *out)
{
	if (!isfinite(v))
		return strcpy(out, "–");
	snprintf(out, 32, "%.*f", decimals, v);
	return out;
}

const char *web_money(int64_t minor, const char *currency, char *out)
{
	int exp = currency ? currency_exponent(currency) : 2;
	if (exp < 0)
		exp = 2;
	int64_t div = 1;
	for (int i = 0; i < exp; i++)
		div *= 10;
	int64_t a = minor < 0 ? -minor : minor;
	char tmp[128];
	if (exp)
		snprintf(tmp, sizeof(tmp), "%s%" PRId64 ".%0*" PRId64 " %.3s", minor < 0 ? "-" : "",
			 a / div, exp & 7, a % div, currency ? currency : "");
	else
		snprintf(tmp, sizeof(tmp), "%s%" PRId64 " %.3s", minor < 0 ? "-" : "", a,
			 currency ? currency : "");
	snprintf(out, 32, "%.31s", tmp);
	return out;
}
