/* routes.c: every page of the dashboard, in one table (docs/dashboard.md). */
#include "routes.h"

#include "web.h"

#define FORM (AUTH_NONE | RAW_BODY)
#define NOT_ALLOWED(m) \
	{ m, "/dashboard", web_method_not_allowed, FORM }, \
	{ m, "/dashboard/:a", web_method_not_allowed, FORM }, \
	{ m, "/dashboard/:a/:b", web_method_not_allowed, FORM }, \
	{ m, "/dashboard/:a/:b/:c", web_method_not_allowed, FORM }, \
	{ m, "/dashboard/:a/:b/:c/:d", web_method_not_allowed, FORM }

const struct route web_routes[] = {
	{ "GET", "/dashboard", web_home, AUTH_NONE },
	{ "GET", "/dashboard/sign-in", web_sign_in_get, AUTH_NONE },
	{ "POST", "/dashboard/sign-in", web_sign_in_post, FORM },
	{ "POST", "/dashboard/sign-out", web_sign_out, FORM },
	{ "GET", "/dashboard/shops", web_shops_get, AUTH_NONE },
	{ "POST", "/dashboard/shops", web_shops_post, FORM },
	{ "GET", "/dashboard/assets/dashboard.css", web_asset_css, AUTH_NONE },
	{ "GET", "/dashboard/assets/dashboard.js", web_asset_js, AUTH_NONE },
	{ "GET", "/dashboard/overview", web_overview, AUTH_NONE },
	{ "GET", "/dashboard/cohorts", web_cohorts, AUTH_NONE },
	{ "GET", "/dashboard/rfm", web_rfm, AUTH_NONE },
	{ "GET", "/dashboard/rfm/customers", web_rfm_customers, AUTH_NONE },
	{ "GET", "/dashboard/rfm/customers.csv", web_rfm_csv, AUTH_NONE },
	{ "POST", "/dashboard/rfm/offer", web_rfm_offer, FORM },
	{ "GET", "/dashboard/clv", web_clv, AUTH_NONE },
	{ "GET", "/dashboard/program", web_program, AUTH_NONE },
	{ "POST", "/dashboard/campaigns/:id/backtest", web_campaign_backtest, FORM },
	{ "GET", "/dashboard/queues", web_queues, AUTH_NONE },
	{ "POST", "/dashboard/reviews/:id/reply", web_review_reply, FORM },
	{ "POST", "/dashboard/tickets/:id/reply", web_ticket_reply, FORM },
	{ "GET", "/dashboard/customers/:id", web_customer, AUTH_NONE },
	{ "POST", "/dashboard/customers/:id/adjust", web_customer_adjust, FORM },
	{ "POST", "/dashboard/:report/refresh", web_report_refresh, FORM },
	{ "POST", "/dashboard/program/backtest", web_program_backtest, FORM },
	/* last: any other GET under /dashboard is the dashboard's own 404 (behind
	 * the session, with the security headers), not the API's JSON one */
	{ "GET", "/dashboard/:a", web_not_found, AUTH_NONE },
	{ "GET", "/dashboard/:a/:b", web_not_found, AUTH_NONE },
	{ "GET", "/dashboard/:a/:b/:c", web_not_found, AUTH_NONE },
	{ "GET", "/dashboard/:a/:b/:c/:d", web_not_found, AUTH_NONE },
	/* and any other method is the dashboard's own 405 (HTML, with Allow),
	 * or its 404 for a path no page has */
	NOT_ALLOWED("POST"),
	NOT_ALLOWED("PUT"),
	NOT_ALLOWED("PATCH"),
	NOT_ALLOWED("DELETE"),
};

const int web_nroutes = sizeof(web_routes) / sizeof(web_routes[0]);
