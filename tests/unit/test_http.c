/* Unit tests of routing, in-flight idempotency keys and the status mapping. */
#include <criterion/criterion.h>
#include <string.h>

#include "http/idempotency.h"
#include "http/response.h"
#include "http/router.h"

static int handler(struct req *r, struct err *e)
{
	(void)r, (void)e;
	return 0;
}

static const struct route routes[] = {
	{ "GET", "/v1/customers", handler, 0 },
	{ "GET", "/v1/customers/:id", handler, 0 },
	{ "POST", "/v1/customers/:id/merge", handler, 0 },
	{ "GET", "/v1/orders/:id", handler, 0 },
};

Test(router, matches_literal_and_captured_segments)
{
	struct arena a = ARENA_INIT;
	const char *params[ROUTE_MAX_PARAMS];
	int index, n;
	cr_assert_eq(router_match(routes, 4, "GET", "/v1/customers", &a, &index, params, &n), ROUTER_FOUND);
	cr_assert_eq(index, 0);
	cr_assert_eq(router_match(routes, 4, "POST", "/v1/customers/cus_1/merge", &a, &index, params, &n),
		     ROUTER_FOUND);
	cr_assert_eq(index, 2);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(params[0], "cus_1");
	/* the path comes decoded by libmicrohttpd (server.c's unescape): a
	 * segment is taken as it is, never decoded a second time */
	cr_assert_eq(router_match(routes, 4, "GET", "/v1/orders/ext:A%2541%00", &a, &index, params, &n),
		     ROUTER_FOUND);
	cr_assert_str_eq(params[0], "ext:A%2541%00");
	arena_free(&a);
}

Test(router, tells_a_wrong_method_from_an_unknown_path)
{
	struct arena a = ARENA_INIT;
	const char *params[ROUTE_MAX_PARAMS];
	int index, n;
	cr_assert_eq(router_match(routes, 4, "DELETE", "/v1/customers", &a, &index, params, &n),
		     ROUTER_NO_METHOD);
	cr_assert_eq(router_match(routes, 4, "GET", "/v1/customers/", &a, &index, params, &n),
		     ROUTER_NO_PATH);
	cr_assert_eq(router_match(routes, 4, "GET", "/v1/customers/a/b", &a, &index, params, &n),
		     ROUTER_NO_PATH);
	cr_assert_eq(router_match(routes, 4, "GET", "/v1", &a, &index, params, &n), ROUTER_NO_PATH);
	arena_free(&a);
}

Test(idempotency, a_key_in_flight_refuses_a_duplicate_until_it_ends)
{
	struct err e;
	cr_assert_eq(idempotency_begin("shop_a", "k", &e), 0);
	cr_assert_eq(idempotency_begin("shop_a", "k", &e), ERR_CONFLICT);
	cr_assert_str_eq(e.code, "idempotency_request_in_progress");
	cr_assert_eq(idempotency_begin("shop_b", "k", &e), 0);
	idempotency_end("shop_a", "k");
	cr_assert_eq(idempotency_begin("shop_a", "k", &e), 0);
	idempotency_end("shop_a", "k");
	idempotency_end("shop_b", "k");
}

Test(idempotency, keys_must_be_short_printable_ascii)
{
	struct err e;
	char long_key[300];
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = 0;
	cr_assert_eq(idempotency_key_valid("order-123", &e), 0);
	cr_assert_eq(idempotency_key_valid("", &e), ERR_INVALID);
	cr_assert_eq(idempotency_key_valid("has space", &e), ERR_INVALID);
	cr_assert_eq(idempotency_key_valid(long_key, &e), ERR_INVALID);
}

Test(response, every_error_kind_maps_to_its_documented_status)
{
	const int pairs[][2] = { { ERR_INVALID, 400 }, { ERR_AUTH, 401 }, { ERR_FORBIDDEN, 403 },
				 { ERR_NOT_FOUND, 404 }, { ERR_METHOD, 405 }, { ERR_CONFLICT, 409 },
				 { ERR_TOO_LARGE, 413 }, { ERR_MEDIA_TYPE, 415 }, { ERR_REFUSED, 422 },
				 { ERR_RATE_LIMITED, 429 }, { ERR_INTERNAL, 500 },
				 { ERR_UNAVAILABLE, 503 }, { -99, 500 } };
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
		cr_assert_eq(response_status(pairs[i][0]), pairs[i][1]);
}
