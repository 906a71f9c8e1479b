/*
 * treasure.h: the treasure hunt. A treasure_hunt campaign hides spots on the
 * shop's pages; each spot has a clue, a page and a number of claims. The shop
 * embeds the spot's token in that page; a customer who finds it claims it and
 * gets a personal code of the campaign (offers_grant, cause = the spot id),
 * once per spot, while claims remain.
 *
 * A spot token is
 *	tsp_<shop id>.<spot id>.<HMAC-SHA256 hex>
 * signed over the shop, the spot and its campaign with a key derived from
 * the shop's token secret under its own label (token_derive_key): the secret
 * never leaves the database, and a customer token can never pass as a spot
 * token nor the reverse. Tokens do not expire: the campaign's window does.
 *
 * Refusals are ERR_REFUSED (422) with these codes, and change nothing:
 *	spot_token_invalid	forged, malformed, another shop's, an unknown spot
 *				(the same words whatever the cause: a token never
 *				tells whether its spot exists elsewhere)
 *	campaign_not_open	the campaign is a draft
 *	not_started		before the campaign opens for this customer
 *	expired			the campaign ended or is past its ends_at
 *	not_eligible		the campaign's targeting leaves the customer out
 *	already_claimed		this customer claimed this spot before
 *	claims_exhausted	claims_limit claims were made
 * The limit and the one claim per customer hold with any number of writers
 * and nodes: both are read inside the claim's write (store.h's contract) and
 * the primary key of treasure_claims refuses a second claim.
 *
 * Strings live in the arena the spot or claim was read into.
 */
#ifndef RETAIN_TREASURE_H
#define RETAIN_TREASURE_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "coupon.h"

#define TREASURE_PAGE_MAX 2000		/* bytes of a page (a URL or a path) */
#define TREASURE_CLUE_MAX 500		/* bytes of a clue */
#define TREASURE_CLAIMS_MAX 1000000000LL
#define TREASURE_TOKEN_MAX 160		/* bytes of a spot token, with its NUL */

struct treasure_spot {
	char id[ID_MAX];
	const char *campaign_id, *page, *clue;
	int64_t claims_limit, claims, created_at;
	char token[TREASURE_TOKEN_MAX];
};

struct treasure_claim {
	const char *spot_id, *campaign_id, *customer_id, *code, *grant_id;
	int64_t valid_from, expires_at, created_at;
};

/* A new spot of campaign_id with page, clue and claims_limit (checked:
 * ERR_INVALID naming "page", "clue" or "claims_limit"). ERR_NOT_FOUND for an
 * unknown campaign; ERR_REFUSED "not_a_treasure_hunt" for a campaign of
 * another type; ERR_CONFLICT "campaign_ended" for an ended one (a draft may
 * get spots ahead of its start). The spot, with its token, into out. */
int treasure_spot_create(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *campaign_id, const char *page, const char *clue,
			 int64_t claims_limit, struct treasure_spot *out, struct err *e);
/* ERR_NOT_FOUND (param "id") for a spot that is not this shop's. */
int treasure_spot_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		      struct treasure_spot *out, struct err *e);
/* A campaign's spots, oldest first, with their claim counts and tokens.
 * ERR_NOT_FOUND for an unknown campaign. */
int treasure_spot_list(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *campaign_id, const char *starting_after, int limit,
		       struct treasure_spot **out, int *n, int *has_more, struct err *e);

/* The token of a spot of the shop into out (the key is made on first use
 * when create is 1; a read passes 0 and then needs a key made before). */
int treasure_token_sign(struct store_tx *tx, const char *shop, const char *spot_id,
			const char *campaign_id, int create, char out[TREASURE_TOKEN_MAX],
			struct err *e);
/* The spot a token names in this shop into out, or ERR_REFUSED
 * "spot_token_invalid" (param "spot_token"). */
int treasure_token_verify(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *token, struct treasure_spot *out, struct err *e);

/* customer (an id, resolved by the caller) claims the spot token names: the
 * personal code into out, or a refusal listed above. ERR_CONFLICT
 * "customer_inactive" for an erased customer. */
int treasure_claim(struct store_tx *tx, struct arena *a, const char *shop, const char *token,
		   const char *customer, struct treasure_claim *out, struct err *e);

/* Customer merge: source's claims move to target, except those of a spot
 * target claimed too, which stay counted under source (a merged id). */
int treasure_merge(struct store_tx *tx, const char *shop, const char *target,
		   const char *source, struct err *e);

#endif
