/*
 * router.h: matches a method and path against a route table. Patterns are
 * literal segments and ":name" segments, which capture one non-empty segment.
 */
#ifndef RETAIN_ROUTER_H
#define RETAIN_ROUTER_H

#include "../base/arena.h"
#include "request.h"

enum router_result { ROUTER_FOUND, ROUTER_NO_PATH, ROUTER_NO_METHOD };

/* On ROUTER_FOUND sets *index and the captured params (URL-decoded, in a). */
enum router_result router_match(const struct route *routes, int nroutes,
				const char *method, const char *path, struct arena *a,
				int *index, const char **params, int *nparams);

#endif
