/* Regression tests for issue 8: error messages are always valid UTF-8, a
 * 405's Allow lists the path's own methods, HEAD matches GET routes. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "base/err.h"
#include "base/utf8_repair.h"
#include "http/router.h"

static int handler(struct req *r, struct err *e)
{
	(void)r, (void)e;
	return 0;
}

static const struct route routes[] = {
	{ "GET", "/livez", handler, 0 },
	{ "POST", "/v1/shops", handler, 0 },
	{ "GET", "/v1/shops", handler, 0 },
	{ "GET", "/v1/customers/:id", handler, 0 },
	{ "PATCH", "/v1/customers/:id", handler, 0 },
	{ "DELETE", "/v1/customers/:id", handler, 0 },
	{ "POST", "/v1/customers/:id/merge", handler, 0 },
	{ "PUT", "/v1/program", handler, 0 },
	{ "GET", "/v1/program", handler, 0 },
};
#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

/* Parameters are copied into the test's process: arrays, not pointers. */
struct allow_case {
	char path[40], allow[40];
};

ParameterizedTestParameters(allow, lists_the_methods_of_the_path_issue8)
{
	static struct allow_case cases[] = {
		{ "/livez", "GET, HEAD" },
		{ "/v1/shops", "POST, GET, HEAD" },
		{ "/v1/customers/cus_1", "GET, HEAD, PATCH, DELETE" },
		{ "/v1/customers/cus_1/merge", "POST" },
		{ "/v1/program", "PUT, GET, HEAD" },
		{ "/v1/nothing", "" },
	};
	return cr_make_param_array(struct allow_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct allow_case *c, allow, lists_the_methods_of_the_path_issue8)
{
	char out[128];
	router_allow(routes, NROUTES, c->path, out, sizeof(out));
	cr_assert_str_eq(out, c->allow, "%s: \"%s\"", c->path, out);
}

Test(allow, is_cut_at_a_whole_method_issue8)
{
	char out[12];
	cr_assert_eq(router_allow(routes, NROUTES, "/v1/customers/x", out, sizeof(out)), 2);
	cr_assert_str_eq(out, "GET, HEAD");
}

Test(router, head_matches_the_get_route_and_nothing_else_issue8)
{
	struct arena a = ARENA_INIT;
	const char *params[ROUTE_MAX_PARAMS];
	int index = -1, n;
	cr_assert_eq(router_match(routes, NROUTES, "HEAD", "/v1/shops", &a, &index, params, &n),
		     ROUTER_FOUND);
	cr_assert_str_eq(routes[index].method, "GET");
	cr_assert_eq(router_match(routes, NROUTES, "HEAD", "/v1/customers/c/merge", &a, &index,
				  params, &n), ROUTER_NO_METHOD);
	arena_free(&a);
}

struct repair_case {
	char in[24], out[40];
};

ParameterizedTestParameters(utf8, invalid_bytes_become_the_replacement_character_issue8)
{
	static struct repair_case cases[] = {
		{ "plain", "plain" },
		{ "caf\xc3\xa9 \xd9\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xd9\xa9 \xe2\x82\xac \xf0\x9f\x98\x80" },
		{ "/v1/\xff", "/v1/\xef\xbf\xbd" },
		{ "\xfe\xff", "\xef\xbf\xbd\xef\xbf\xbd" },
		{ "a\x80z", "a\xef\xbf\xbdz" },			/* stray continuation */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" },	/* overlong "/" */
		{ "\xe0\x80\xaf", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },	/* surrogate */
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\"\xd9\"", "\"\xef\xbf\xbd\"" },	/* a character cut by a precision */
		{ "end \xe2\x82", "end \xef\xbf\xbd\xef\xbf\xbd" },
	};
	return cr_make_param_array(struct repair_case, cases, sizeof(cases) / sizeof(cases[0]));
}

ParameterizedTest(struct repair_case *c, utf8, invalid_bytes_become_the_replacement_character_issue8)
{
	char out[64];
	size_t n = utf8_repair(out, sizeof(out), c->in, strlen(c->in));
	cr_assert_str_eq(out, c->out);
	cr_assert_eq(n, strlen(c->out));
	cr_assert(utf8_repair_is_valid(out, n));
}

Test(utf8, a_full_buffer_ends_at_a_character_boundary_issue8)
{
	const char *in = "\xd9\xa9\xd9\xa9\xd9\xa9";	/* three two-byte characters */
	for (size_t size = 1; size <= 8; size++) {
		char out[8];
		size_t n = utf8_repair(out, size, in, strlen(in));
		cr_assert_eq(n, (size - 1) / 2 * 2 > 6 ? 6 : (size - 1) / 2 * 2, "size %zu", size);
		cr_assert(utf8_repair_is_valid(out, n));
	}
}

Test(err, a_message_is_valid_utf8_whatever_it_quotes_issue8)
{
	struct err e;
	char value[600];
	/* 'é' starting at an odd offset, so the 320-byte buffer ends mid-character. */
	value[0] = 'x';
	for (size_t i = 1; i + 2 < sizeof(value); i += 2)
		memcpy(value + i, "\xc3\xa9", 2);
	value[sizeof(value) - 1] = '\0';
	err_set(&e, ERR_INVALID, "id", "no customer \"%s\"", value);
	cr_assert(utf8_repair_is_valid(e.message, strlen(e.message)));
	cr_assert_gt(strlen(e.message), sizeof(e.message) - 4);
	err_set(&e, ERR_NOT_FOUND, NULL, "no such endpoint: GET %.5s", "/v1/\xff\xfe");
	cr_assert_str_eq(e.message, "no such endpoint: GET /v1/\xef\xbf\xbd");
	err_set(&e, ERR_INVALID, "phone", "contains \"%.1s\"", "\xd9\xa9");
	cr_assert_str_eq(e.message, "contains \"\xef\xbf\xbd\"");
}
