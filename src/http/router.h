/*
 * router.h: matches a method and path against a route table. Patterns are
 * literal segments and ":name" segments, which capture one non-empty segment.
 */
#ifndef RETAIN_ROUTER_H
#define RETAIN_ROUTER_H

#include "../base/arena.h"
#include "request.h"

enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

/* On ROUTER_FOUND sets *index and the captured params (URL-decoded, in a).
 * HEAD matches the GET route of a path (the server sends no body). */
enum router_result router_match(const struct route *routes, int nroutes,
				const char *method, const char *path, struct arena *a,
				int *index, const char **params, int *nparams);
/*
 * The methods path allows, for a 405's Allow header: "GET, HEAD, POST", in
 * the table's order, HEAD right after GET. Written into out (size bytes,
 * NUL-terminated, cut at a whole method); returns the number of methods.
 */
int router_allow(const struct route *routes, int nroutes, const char *path, char *out,
		 size_t size);

#endif
