/*
 * token.h: customer tokens. A shop's server mints a short-lived token for one
 * of its customers; the storefront sends it with the publishable key, and the
 * customer reads only their own loyalty data. A token is
 *	ctk_<customer id>.<expiry ms>.<HMAC-SHA256 hex>
 * signed with a per-shop secret that never leaves the database.
 */
#ifndef RETAIN_TOKEN_H
#define RETAIN_TOKEN_H

#include <stdint.h>

#include "../base/ids.h"
#include "../base/secure.h"
#include "../store/store.h"

#define TOKEN_MAX 160
#define TOKEN_TTL_MAX_SECONDS 86400

/* ERR_CONFLICT "customer_inactive" for an erased customer: no tokens for it. */
int token_mint(struct store_tx *tx, const char *shop, const char *customer, int64_t ttl_ms,
	       char out[TOKEN_MAX], int64_t *expires_at, struct err *e);
/* The token's customer into customer; ERR_AUTH "customer_token_invalid" (also
 * when the customer, or the one it was merged into, is erased) or
 * "customer_token_expired". */
int token_verify(struct store_tx *tx, const char *shop, const char *token,
		 char customer[ID_MAX], struct err *e);

/* A key of the shop for another kind of signed token (core/treasure.c):
 * HMAC-SHA256 of label under the shop's token secret, hex, into out. Distinct
 * labels give unrelated keys, so one kind of token never passes for another,
 * and the secret itself never leaves this file. With create 1 (in a write)
 * the secret is made when the shop has none yet; with create 0, a shop without
 * one gives out "" (no token of it can be valid). */
int token_derive_key(struct store_tx *tx, const char *shop, const char *label, int create,
		     char out[SECURE_SHA256_HEX], struct err *e);

/* The shape every such token has, "<kind><shop id>.<id>.<mac>" (treasure
 * spots, surveys, unsubscribe links; shorter than TOKEN_MAX): 1 with the
 * shop and the id (of prefix id_prefix) copied out, 0 for any other text.
 * The caller re-signs what the token names under the shop's key and
 * compares in constant time (secure_equal): this only reads the shape. */
int token_parts(const char *token, const char *kind, const char *id_prefix, char shop[ID_MAX],
		char id[ID_MAX]);

#endif
