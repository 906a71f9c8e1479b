/* auth.c: see auth.h. */
#include "auth.h"

#include <microhttpd.h>
#include <string.h>

#include "../core/shop.h"
#include "server.h"

struct lookup {
	const char *key;
	struct shop_auth out;
};

static int lookup_key(struct store_tx *tx, void *ctx, struct err *e)
{
	struct lookup *l = ctx;
	return shop_authenticate(tx, l->key, &l->out, e);
}

static const char *kind_name(int auth)
{
	return auth == AUTH_OPERATOR ? "the operator key"
	     : auth == AUTH_SECRET ? "a secret key" : "a publishable key";
}

int auth_request(struct req *r, struct err *e)
{
	int need = r->route->flags & (AUTH_OPERATOR | AUTH_SECRET | AUTH_PUBLISHABLE);
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	int rc;

	if (!need)
		return 0;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
		return err_setc(e, ERR_AUTH, "api_key_missing", NULL,
				"no API key: send \"Authorization: Bearer <key>\"");
	const char *key = h + 7;
	if (!strncmp(key, "op_", 3)) {
		char hash[SECURE_SHA256_HEX];
		secure_sha256_hex(key, strlen(key), hash);
		if (!secure_equal(hash, r->srv->operator_key_hash))
			return err_setc(e, ERR_AUTH, "api_key_invalid", NULL, "invalid API key");
		r->auth = AUTH_OPERATOR;
	} else {
		struct lookup l = { key, { { 0 }, 0 } };
		/* not shown before the request's own read or write, which wait
		 * for durability (store.h) */
		if ((rc = store_peek(r->store, lookup_key, &l, e)))
			return rc;
		r->shop_id = arena_strdup(&r->arena, l.out.shop_id);
		r->auth = l.out.kind == SHOP_KEY_SECRET ? AUTH_SECRET : AUTH_PUBLISHABLE;
	}
	if (!(need & r->auth)) {
		const char *want = need & AUTH_SECRET ? "the shop's secret key"
				 : need & AUTH_OPERATOR ? "the operator key" : "a shop key";
		return err_setc(e, ERR_FORBIDDEN, "key_not_allowed", NULL,
				"%s cannot call %s %s; use %s", kind_name(r->auth),
				r->route->method, r->route->pattern, want);
	}
	return 0;
}
