/* router.c: see router.h. Linear over a few dozen routes: cheaper than any tree. */
#include "router.h"

#include <stdio.h>
#include <string.h>

/* A segment as it came: libmicrohttpd has already decoded the path
 * (http/server.c's unescape, which leaves "%00" as written). Decoding it
 * again made "%2541" an "A" and "%2500" a NUL that cut the value short. */
static char *segment(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

/* 1 when path matches pattern; captures into params. */
static int match(const char *pattern, const char *path, struct arena *a,
		 const char **params, int *nparams)
{
	const char *p = pattern, *s = path;
	*nparams = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return 0;
		p++, s++;
		const char *pe = strchr(p, '/'), *se = strchr(s, '/');
		size_t pl = pe ? (size_t)(pe - p) : strlen(p);
		size_t sl = se ? (size_t)(se - s) : strlen(s);
		if (*p == ':') {
			if (sl == 0 || *nparams == ROUTE_MAX_PARAMS)
				return 0;
			if (a)
				params[(*nparams)++] = segment(a, s, sl);
		} else if (pl != sl || strncmp(p, s, pl) != 0) {
			return 0;
		}
		p += pl, s += sl;
	}
	return *p == '\0' && *s == '\0';
}

/* 0 when the pattern's literal start (up to its first ":name") is not the
 * path's start: most routes are told apart there, in a few compares. */
static int may_match(const char *p, const char *s)
{
	while (*p && *p != ':' && *p == *s)
		p++, s++;
	return *p == ':' || (*p == '\0' && *s == '\0');
}

enum router_result router_match(const struct route *routes, int nroutes, const char *method,
				const char *path, struct arena *a, int *index,
				const char **params, int *nparams)
{
	enum router_result result = ROUTER_NO_PATH;
	if (!strcmp(method, "HEAD"))
		method = "GET";
	for (int i = 0; i < nroutes; i++) {
		if (!may_match(routes[i].pattern, path) ||
		    !match(routes[i].pattern, path, NULL, params, nparams))
			continue;
		if (strcmp(routes[i].method, method) != 0) {
			result = ROUTER_NO_METHOD;
			continue;
		}
		match(routes[i].pattern, path, a, params, nparams);
		*index = i;
		return ROUTER_FOUND;
	}
	return result;
}

static int listed(const char *list, const char *method)
{
	size_t n = strlen(method);
	for (const char *p = list; (p = strstr(p, method)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

static int append_method(char *out, size_t size, const char *method)
{
	size_t len = strlen(out), n = strlen(method) + (len ? 2 : 0);
	if (listed(out, method) || len + n >= size)
		return 0;
	snprintf(out + len, size - len, "%s%s", len ? ", " : "", method);
	return 1;
}

int router_allow(const struct route *routes, int nroutes, const char *path, char *out,
		 size_t size)
{
	int count = 0, nparams;
	const char *params[ROUTE_MAX_PARAMS];
	out[0] = '\0';
	for (int i = 0; i < nroutes; i++) {
		if (!match(routes[i].pattern, path, NULL, params, &nparams))
			continue;
		count += append_method(out, size, routes[i].method);
		if (!strcmp(routes[i].method, "GET"))
			count += append_method(out, size, "HEAD");
	}
	return count;
}
