/* cors.c: see cors.h. */
#include "cors.h"

#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "router.h"

#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Customer-Token, Idempotency-Key"
#define CORS_EXPOSE_HEADERS "Request-Id, Idempotent-Replayed"
#define CORS_MAX_AGE "600"

/* The storefront methods of path into out ("GET, PUT"); their count. */
static int storefront_methods(const struct route *routes, int nroutes, const char *path,
			      struct arena *a, char *out, size_t size)
{
	const char *params[ROUTE_MAX_PARAMS];
	int n = 0, index, nparams;
	static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", NULL };
	out[0] = '\0';
	for (int m = 0; methods[m]; m++) {
		if (router_match(routes, nroutes, methods[m], path, a, &index, params, &nparams) !=
			    ROUTER_FOUND ||
		    !(routes[index].flags & AUTH_PUBLISHABLE))
			continue;
		size_t len = strlen(out);
		snprintf(out + len, size - len, "%s%s", n ? ", " : "", methods[m]);
		n++;
	}
	return n;
}

/* 1 when method is one of list's ("GET, PUT"), as a whole word. */
static int listed(const char *list, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = list; n && (p = strstr(p, method)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

int cors_is_preflight(struct req *r)
{
	return !strcmp(r->method, "OPTIONS") &&
	       MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin") &&
	       MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Access-Control-Request-Method");
}

int cors_preflight(struct req *r, const struct route *routes, int nroutes, struct err *e)
{
	char allow[64], methods[64];
	const char *want = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
						       "Access-Control-Request-Method");
	if (router_allow(routes, nroutes, r->url, allow, sizeof(allow)) == 0)
		return err_set(e, ERR_NOT_FOUND, NULL, "no such endpoint: OPTIONS %.200s", r->url);
	int n = storefront_methods(routes, nroutes, r->url, &r->arena, methods, sizeof(methods));
	if (!n || !listed(methods, want))
		return err_setc(e, ERR_FORBIDDEN, "cors_not_allowed", NULL,
				"%.200s is not open to other origins: only the storefront routes"
				" (the publishable key) are", r->url);
	r->cors_methods = arena_strdup(&r->arena, methods);
	r->status = 204;
	r->resp_body = "";
	r->resp_len = 0;
	return 0;
}

void cors_add_headers(struct req *r, struct MHD_Response *resp)
{
	if (r->cors_methods) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
		MHD_add_response_header(resp, "Access-Control-Allow-Methods", r->cors_methods);
		MHD_add_response_header(resp, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
		MHD_add_response_header(resp, "Access-Control-Max-Age", CORS_MAX_AGE);
		return;
	}
	if (!r->route || !(r->route->flags & AUTH_PUBLISHABLE) ||
	    r->auth == AUTH_SECRET || r->auth == AUTH_OPERATOR ||
	    !MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Origin"))
		return;
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	MHD_add_response_header(resp, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
	MHD_add_response_header(resp, "Vary", "Origin");
}
