/*
 * cors.h: cross-origin calls from a shop's own pages (issue 14, the
 * storefront widget). Only the storefront routes, those open to a publishable
 * key (AUTH_PUBLISHABLE), answer a browser on another origin:
 *
 * - a preflight (OPTIONS with Origin and Access-Control-Request-Method) for such a
 *   route is 204 with Access-Control-Allow-Origin "*", the route's methods and
 *   the headers the storefront sends (Authorization, Content-Type,
 *   Customer-Token, Idempotency-Key), cached for 10 minutes; for any other
 *   route 403 "cors_not_allowed", and a path that matches nothing 404;
 * - a response of such a route to a request with an Origin carries
 *   Access-Control-Allow-Origin "*" and exposes Request-Id and
 *   Idempotent-Replayed, unless the request was made with the secret or the
 *   operator key: a browser on another origin never reads what a secret key
 *   returns, even when a shop put its secret key in a page.
 *
 * "*" and no credentials: the key and the customer token travel in headers
 * that the page sets, never in cookies, so no origin list is needed.
 */
#ifndef RETAIN_CORS_H
#define RETAIN_CORS_H

#include "request.h"

struct MHD_Response;

/* 1 for a CORS preflight: OPTIONS with Origin and
 * Access-Control-Request-Method (any other OPTIONS is routed as before: 405
 * with Allow). */
int cors_is_preflight(struct req *r);
/* Answers a preflight: 0 with r's response set (204), or an error. */
int cors_preflight(struct req *r, const struct route *routes, int nroutes, struct err *e);
/* Adds the CORS headers r's response needs, if any. */
void cors_add_headers(struct req *r, struct MHD_Response *resp);

#endif
