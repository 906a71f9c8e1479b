/* token.c: see token.h. */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "customer.h"

static int shop_secret(struct store_tx *tx, const char *shop, int create, char out[80],
		       struct err *e)
{
	char fresh[80];
	int rc;
	if (create) {
		secure_random_token("", 48, fresh, sizeof(fresh));
		rc = store_exec(tx, e, "UPDATE shops SET token_secret = coalesce(token_secret, $2)"
				" WHERE id = $1", "ss", shop, fresh);
		if (rc < 0)
			return rc;
	}
	struct store_stmt *st = store_query(tx, e, "SELECT token_secret FROM shops WHERE id = $1",
					    "s", shop);
	if (!st)
		return e->kind;
	rc = store_step(st, e);
	out[0] = '\0';
	if (rc == 1 && !store_is_null(st, 0))
		snprintf(out, 80, "%s", store_text(st, 0));
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void sign(const char *secret, const char *shop, const char *customer, int64_t expires,
		 char mac[SECURE_SHA256_HEX])
{
	char msg[160];
	int n = snprintf(msg, sizeof(msg), "%s\n%s\n%lld", shop, customer, (long long)expires);
	secure_hmac_sha256_hex(secret, msg, (size_t)n, mac);
}

int token_mint(struct store_tx *tx, const char *shop, const char *customer, int64_t ttl_ms,
	       char out[TOKEN_MAX], int64_t *expires_at, struct err *e)
{
	char secret[80], mac[SECURE_SHA256_HEX];
	int erased, rc = customer_is_erased(tx, shop, customer, "id", &erased, e);
	if (rc)
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "id",
				"customer \"%s\" is erased: no customer tokens for it", customer);
	if ((rc = shop_secret(tx, shop, 1, secret, e)))
		return rc;
	*expires_at = clock_now_ms() + ttl_ms;
	sign(secret, shop, customer, *expires_at, mac);
	snprintf(out, TOKEN_MAX, "ctk_%s.%lld.%s", customer, (long long)*expires_at, mac);
	return 0;
}

int token_verify(struct store_tx *tx, const char *shop, const char *token, char customer[ID_MAX],
		 struct err *e)
{
	char secret[80], mac[SECURE_SHA256_HEX], copy[TOKEN_MAX];
	if (strncmp(token, "ctk_", 4) || strlen(token) >= sizeof(copy))
		return err_setc(e, ERR_AUTH, "customer_token_invalid", "Customer-Token",
				"invalid customer token");
	snprintf(copy, sizeof(copy), "%s", token + 4);
	char *dot1 = strchr(copy, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL, *end;
	if (!dot2 || dot1 - copy >= ID_MAX)
		return err_setc(e, ERR_AUTH, "customer_token_invalid", "Customer-Token",
				"invalid customer token");
	*dot1 = *dot2 = '\0';
	long long expires = strtoll(dot1 + 1, &end, 10);
	int rc = shop_secret(tx, shop, 0, secret, e);
	if (rc)
		return rc;
	if (*end || !secret[0])
		return err_setc(e, ERR_AUTH, "customer_token_invalid", "Customer-Token",
				"invalid customer token");
	sign(secret, shop, copy, expires, mac);
	if (!secure_equal(mac, dot2 + 1))
		return err_setc(e, ERR_AUTH, "customer_token_invalid", "Customer-Token",
				"invalid customer token");
	if (expires <= clock_now_ms())
		return err_setc(e, ERR_AUTH, "customer_token_expired", "Customer-Token",
				"the customer token has expired; ask the shop's server for a new one");
	/* A token outlives nothing: once its customer (or the customer it was
	 * merged into) is erased, it opens no storefront read. */
	int erased;
	rc = customer_is_erased(tx, shop, copy, "Customer-Token", &erased, e);
	if (rc == ERR_NOT_FOUND || (!rc && erased))
		return err_setc(e, ERR_AUTH, "customer_token_invalid", "Customer-Token",
				"invalid customer token: its customer %s", rc ? "does not exist" : "was erased");
	if (rc)
		return rc;
	snprintf(customer, ID_MAX, "%.31s", copy);
	return 0;
}

int token_derive_key(struct store_tx *tx, const char *shop, const char *label, int create,
		     char out[SECURE_SHA256_HEX], struct err *e)
{
	char secret[80];
	int rc = shop_secret(tx, shop, create, secret, e);
	out[0] = '\0';
	if (rc)
		return rc;
	if (secret[0])
		secure_hmac_sha256_hex(secret, label, strlen(label), out);
	return 0;
}

int token_parts(const char *token, const char *kind, const char *id_prefix, char shop[ID_MAX],
		char id[ID_MAX])
{
	char copy[TOKEN_MAX];
	size_t len = strlen(token), k = strlen(kind);
	if (strncmp(token, kind, k) || len >= sizeof(copy))
		return 0;
	memcpy(copy, token, len + 1);
	char *dot1 = strchr(copy, '.'), *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (!dot2)
		return 0;
	*dot1 = *dot2 = '\0';
	if (!id_valid(copy + k, "shop_") || !id_valid(dot1 + 1, id_prefix))
		return 0;
	snprintf(shop, ID_MAX, "%s", copy + k);
	snprintf(id, ID_MAX, "%s", dot1 + 1);
	return 1;
}
