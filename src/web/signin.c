/*
 * signin.c: signing in and out, and an operator's choice of shop.
 *
 * The sign-in form is guarded by a double-submit token: GET sets the
 * "retain_signin" cookie (random, HttpOnly, SameSite=Strict) and puts the
 * same value in the form; a POST whose field differs is 403. A shop's secret
 * key opens a session for that shop; the operator key opens one for no shop
 * yet, and /dashboard/shops picks it. The session cookie is HttpOnly,
 * SameSite=Strict, Path=/dashboard, and Secure when the request came through
 * a TLS-terminating proxy (X-Forwarded-Proto: https).
 */
#include <string.h>

#include "../core/shop.h"
#include "../http/server.h"
#include "../http/router.h"
#include "routes.h"
#include "web.h"

#define SIGNIN_COOKIE "retain_signin"

static int secure_request(struct req *r)
{
	const char *p = req_header_in(r, "X-Forwarded-Proto");
	return p && !strcasecmp(p, "https");
}

static void set_cookie(struct web *w, const char *name, const char *value, int clear)
{
	struct req *r = w->r;
	req_header(r, "Set-Cookie", arena_printf(&r->arena, "%s=%s; Path=/dashboard; HttpOnly;"
		   " SameSite=Strict%s%s", name, value, clear ? "; Max-Age=0" : "",
		   secure_request(r) ? "; Secure" : ""));
}

static void sign_in_form(struct web *w, const char *message)
{
	char token[48];
	secure_random_token("", 32, token, sizeof(token));
	set_cookie(w, SIGNIN_COOKIE, token, 0);
	web_page_begin(w, "Sign in", "sign-in");
	html_raw(&w->out, "<section class=\"sign-in\"><h1>Sign in to the dashboard</h1>");
	if (message) {
		html_raw(&w->out, "<p class=\"error\" id=\"sign-in-error\" role=\"alert\">");
		html_text(&w->out, message);
		html_raw(&w->out, "</p>");
	}
	html_raw(&w->out, "<form method=\"post\" action=\"/dashboard/sign-in\" id=\"sign-in-form\">"
			  "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_text(&w->out, token);
	html_raw(&w->out, "\"><label for=\"key\">The shop's secret key (sk_…) or the operator key"
			  " (op_…)</label><input type=\"password\" id=\"key\" name=\"key\""
			  " autocomplete=\"off\" required><button type=\"submit\">Sign in</button>"
			  "</form></section>");
	web_page_end(w);
}

static int sign_in_page(struct web *w, struct err *e)
{
	(void)e;
	if (w->sid[0]) {
		web_redirect(w, w->shop ? "/dashboard/overview" : "/dashboard/shops");
		return 0;
	}
	sign_in_form(w, NULL);
	return 0;
}

int web_sign_in_get(struct req *r, struct err *e)
{
	return web_run(r, e, sign_in_page, WEB_PUBLIC);
}

struct sign_in {
	const char *key;
	struct shop_auth auth;
	const char *shop;
	int operator;
	char sid[SESSION_ID_MAX];
	const char *old;	/* the session the request came with, or "" */
};

static int lookup_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct sign_in *s = ctx;
	return shop_authenticate(tx, s->key, &s->auth, e);
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct sign_in *s = ctx;
	/* signing in again ends the session the browser had */
	int rc = s->old[0] ? session_delete(tx, s->old, e) : 0;
	return rc ? rc : session_create(tx, s->shop, s->operator, s->sid, e);
}

static int sign_in_submit(struct web *w, struct err *e)
{
	char want[48];
	struct sign_in s = { 0 };
	int rc;
	web_cookie(w->r, SIGNIN_COOKIE, want, sizeof(want));
	const char *got = web_form(w, "csrf");
	if (!want[0] || !got || strlen(got) != strlen(want) || !secure_equal(want, got))
		return err_setc(e, ERR_FORBIDDEN, "csrf_invalid", "csrf",
				"the sign-in form's token is missing or wrong: reload the page");
	s.old = w->sid;
	s.key = web_form(w, "key");
	if (!s.key || !s.key[0]) {
		w->status = 400;
		sign_in_form(w, "Enter a key.");
		return 0;
	}
	if (!strncmp(s.key, "op_", 3)) {
		char hash[SECURE_SHA256_HEX];
		secure_sha256_hex(s.key, strlen(s.key), hash);
		s.operator = secure_equal(hash, w->r->srv->operator_key_hash);
		rc = s.operator ? 0 : ERR_AUTH;
	} else {
		rc = web_read(w, lookup_tx, &s, e);
		if (!rc && s.auth.kind != SHOP_KEY_SECRET) {
			w->status = 403;
			sign_in_form(w, "That is a publishable key: sign in with the shop's secret key.");
			return 0;
		}
		s.shop = s.auth.shop_id;
	}
	if (rc == ERR_AUTH) {
		err_clear(e);
		w->status = 401;
		sign_in_form(w, "That key is not valid.");
		return 0;
	}
	if (rc || (rc = web_write(w, create_tx, &s, e)))
		return rc;
	set_cookie(w, SIGNIN_COOKIE, "", 1);
	set_cookie(w, "retain_session", s.sid, 0);
	web_redirect(w, s.operator ? "/dashboard/shops" : "/dashboard/overview");
	return 0;
}

int web_sign_in_post(struct req *r, struct err *e)
{
	return web_run(r, e, sign_in_submit, WEB_PUBLIC);
}

static int delete_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	return session_delete(tx, ((struct web *)ctx)->sid, e);
}

static int sign_out(struct web *w, struct err *e)
{
	int rc = web_write(w, delete_tx, w, e);
	if (rc)
		return rc;
	set_cookie(w, "retain_session", "", 1);
	web_redirect(w, "/dashboard/sign-in");
	return 0;
}

int web_sign_out(struct req *r, struct err *e)
{
	return web_run(r, e, sign_out, WEB_ANY_SHOP);
}

static int home(struct web *w, struct err *e)
{
	(void)e;
	web_redirect(w, "/dashboard/overview");
	return 0;
}

int web_home(struct req *r, struct err *e)
{
	return web_run(r, e, home, 0);
}

static int not_found(struct web *w, struct err *e)
{
	(void)w;
	return err_set(e, ERR_NOT_FOUND, NULL, "no such page");
}

int web_not_found(struct req *r, struct err *e)
{
	return web_run(r, e, not_found, WEB_ANY_SHOP);
}

/* A method no page of the path takes: 405 with the methods the pages of the
 * path take in Allow (the table's pages, before its catch-all rows), or 404
 * when no page has the path. */
static int not_allowed(struct web *w, struct err *e)
{
	int pages = 0;
	while (pages < web_nroutes && web_routes[pages].handler != web_not_found)
		pages++;
	char allow[128];
	if (!router_allow(web_routes, pages, w->r->url, allow, sizeof(allow)))
		return err_set(e, ERR_NOT_FOUND, NULL, "no such page");
	w->r->allow = arena_strdup(&w->r->arena, allow);
	return err_set(e, ERR_METHOD, NULL, "%.10s is not allowed here (allowed: %s)", w->r->method,
		       allow);
}

int web_method_not_allowed(struct req *r, struct err *e)
{
	return web_run(r, e, not_allowed, WEB_ANY_SHOP | WEB_NO_CSRF);
}

/* ---- an operator picks a shop ---- */

struct shops_ctx {
	struct web *w;
	size_t mark;
};

static int shops_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shops_ctx *c = ctx;
	struct web *w = c->w;
	struct shop *list;
	int n, more, rc;
	w->out.len = c->mark;
	if ((rc = shop_list(tx, &w->r->arena, NULL, 100, &list, &n, &more, e)))
		return rc;
	html_raw(&w->out, "<table id=\"shops\"><thead><tr><th>Shop</th><th>Id</th><th></th></tr>"
			  "</thead><tbody>");
	for (int i = 0; i < n; i++) {
		html_raw(&w->out, "<tr data-shop=\"");
		html_text(&w->out, list[i].id);
		html_raw(&w->out, "\"><td>");
		html_text(&w->out, list[i].name);
		html_raw(&w->out, "</td><td><code>");
		html_text(&w->out, list[i].id);
		html_raw(&w->out, "</code></td><td><form method=\"post\" action=\"/dashboard/shops\">");
		web_csrf_field(w);
		html_raw(&w->out, "<input type=\"hidden\" name=\"shop\" value=\"");
		html_text(&w->out, list[i].id);
		html_raw(&w->out, "\"><button type=\"submit\">Open</button></form></td></tr>");
	}
	html_raw(&w->out, "</tbody></table>");
	if (more) {
		html_raw(&w->out, "<p>The 100 newest shops are shown. Another one by its id:</p>"
				  "<form method=\"post\" action=\"/dashboard/shops\" id=\"shop-by-id\">");
		web_csrf_field(w);
		html_raw(&w->out, "<input name=\"shop\" aria-label=\"Shop id\" placeholder=\"shop_…\""
				  " required><button type=\"submit\">Open</button></form>");
	}
	return 0;
}

static int shops_page(struct web *w, struct err *e)
{
	if (!w->s.operator)
		return err_setc(e, ERR_FORBIDDEN, "session_not_operator", NULL,
				"only the operator picks a shop");
	web_page_begin(w, "Shops", "shops");
	html_raw(&w->out, "<h1>Pick a shop</h1>");
	struct shops_ctx c = { w, w->out.len };
	int rc = web_read(w, shops_tx, &c, e);
	if (rc)
		return rc;
	web_page_end(w);
	return 0;
}

int web_shops_get(struct req *r, struct err *e)
{
	return web_run(r, e, shops_page, WEB_ANY_SHOP);
}

struct pick {
	struct web *w;
	const char *shop;
};

static int pick_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct pick *p = ctx;
	return session_pick_shop(tx, p->w->sid, p->shop, e);
}

static int shops_pick(struct web *w, struct err *e)
{
	struct pick p = { w, web_form(w, "shop") };
	if (!p.shop || !p.shop[0])
		return err_set(e, ERR_INVALID, "shop", "pick a shop");
	int rc = web_write(w, pick_tx, &p, e);
	if (rc)
		return rc;
	web_redirect(w, "/dashboard/overview");
	return 0;
}

int web_shops_post(struct req *r, struct err *e)
{
	return web_run(r, e, shops_pick, WEB_ANY_SHOP);
}
