/* treasure.c: see treasure.h. */
#include "treasure.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "campaign.h"
#include "customer.h"
#include "offers.h"
#include "token.h"

#define SPOT_PREFIX "spot_"
#define TOKEN_PREFIX "tsp_"
/* The label of the spot key (token_derive_key): never the customer tokens'. */
#define SPOT_KEY_LABEL "retain treasure spot token v1"

#define SPOT_COLUMNS "s.id, s.campaign_id, s.page, s.clue, s.claims_limit, s.created_at," \
	" (SELECT count(*) FROM treasure_claims c WHERE c.shop_id = s.shop_id AND c.spot_id = s.id)"

static int invalid_token(struct err *e)
{
	return err_setc(e, ERR_REFUSED, "spot_token_invalid", "spot_token",
			"invalid spot token: it was not made for a spot of this shop");
}

static void sign_with(const char *key, const char *shop, const char *spot, const char *campaign,
		      char out[TREASURE_TOKEN_MAX])
{
	char msg[128], mac[SECURE_SHA256_HEX];
	int n = snprintf(msg, sizeof(msg), "treasure_spot\n%s\n%s\n%s", shop, spot, campaign);
	secure_hmac_sha256_hex(key, msg, (size_t)n, mac);
	snprintf(out, TREASURE_TOKEN_MAX, TOKEN_PREFIX "%s.%s.%s", shop, spot, mac);
}

static int spot_key(struct store_tx *tx, const char *shop, int create, char key[SECURE_SHA256_HEX],
		    struct err *e)
{
	int rc = token_derive_key(tx, shop, SPOT_KEY_LABEL, create, key, e);
	if (!rc && !key[0])
		return err_set(e, ERR_INTERNAL, NULL, "shop \"%s\" has spots but no token secret", shop);
	return rc;
}

int treasure_token_sign(struct store_tx *tx, const char *shop, const char *spot_id,
			const char *campaign_id, int create, char out[TREASURE_TOKEN_MAX],
			struct err *e)
{
	char key[SECURE_SHA256_HEX];
	int rc = spot_key(tx, shop, create, key, e);
	if (!rc)
		sign_with(key, shop, spot_id, campaign_id, out);
	return rc;
}

static void row_to_spot(struct store_stmt *st, struct arena *a, struct treasure_spot *s)
{
	snprintf(s->id, ID_MAX, "%s", store_text(st, 0));
	s->campaign_id = arena_strdup(a, store_text(st, 1));
	s->page = arena_strdup(a, store_text(st, 2));
	s->clue = arena_strdup(a, store_text(st, 3));
	s->claims_limit = store_int(st, 4);
	s->created_at = store_int(st, 5);
	s->claims = store_int(st, 6);
	s->token[0] = '\0';
}

/* The spot without its token; *found 0 when the shop has no such spot. */
static int spot_read(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		     struct treasure_spot *out, int *found, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " SPOT_COLUMNS " FROM treasure_spots s"
					    " WHERE s.shop_id = $1 AND s.id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_spot(st, a, out);
	store_done(st);
	*found = rc == 1;
	return rc < 0 ? rc : 0;
}

int treasure_spot_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		      struct treasure_spot *out, struct err *e)
{
	int found, rc = spot_read(tx, a, shop, id, out, &found, e);
	if (!rc && !found)
		return err_setc(e, ERR_NOT_FOUND, "resource_missing", "id",
				"no treasure spot \"%s\"", id);
	return rc ? rc : treasure_token_sign(tx, shop, out->id, out->campaign_id, 0, out->token, e);
}

int treasure_token_verify(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *token, struct treasure_spot *out, struct err *e)
{
	char named[ID_MAX], spot[ID_MAX], key[SECURE_SHA256_HEX], expected[TREASURE_TOKEN_MAX];
	/* Another shop's token names that shop: refused before anything of the
	 * other shop is read, with the words of a forged one. */
	if (!token_parts(token, TOKEN_PREFIX, SPOT_PREFIX, named, spot) || strcmp(named, shop))
		return invalid_token(e);
	int found, rc = spot_read(tx, a, shop, spot, out, &found, e);
	if (rc)
		return rc;
	if (!found)
		return invalid_token(e);
	if ((rc = token_derive_key(tx, shop, SPOT_KEY_LABEL, 0, key, e)))
		return rc;
	if (!key[0])
		return invalid_token(e);
	sign_with(key, shop, out->id, out->campaign_id, expected);
	if (!secure_equal(expected, token))
		return invalid_token(e);
	snprintf(out->token, sizeof(out->token), "%s", expected);
	return 0;
}

/* A page is an absolute path or an http(s) URL, with no spaces or controls. */
static int check_page(const char *page, struct err *e)
{
	if (!page || !page[0] || strlen(page) > TREASURE_PAGE_MAX)
		return err_set(e, ERR_INVALID, "page", "\"page\" must be 1 to %d bytes",
			       TREASURE_PAGE_MAX);
	if (page[0] != '/' && strncmp(page, "https://", 8) && strncmp(page, "http://", 7))
		return err_set(e, ERR_INVALID, "page", "\"page\" must be a path starting with \"/\""
			       " or an http(s) URL, not \"%.60s\"", page);
	for (const unsigned char *p = (const unsigned char *)page; *p; p++)
		if (*p <= ' ' || *p == 0x7f)
			return err_set(e, ERR_INVALID, "page",
				       "\"page\" must not hold spaces or control characters");
	return 0;
}

/* A clue is text to show: not blank, no control characters but new lines. */
static int check_clue(const char *clue, struct err *e)
{
	int blank = 1;
	if (!clue || !clue[0] || strlen(clue) > TREASURE_CLUE_MAX)
		return err_set(e, ERR_INVALID, "clue", "\"clue\" must be 1 to %d bytes",
			       TREASURE_CLUE_MAX);
	for (const unsigned char *p = (const unsigned char *)clue; *p; p++) {
		if ((*p < ' ' && *p != '\n') || *p == 0x7f)
			return err_set(e, ERR_INVALID, "clue",
				       "\"clue\" must not hold control characters");
		if (*p != ' ' && *p != '\n')
			blank = 0;
	}
	return blank ? err_set(e, ERR_INVALID, "clue", "\"clue\" must not be blank") : 0;
}

static int treasure_campaign(struct store_tx *tx, struct arena *a, const char *shop,
			     const char *campaign_id, struct campaign *c, struct err *e)
{
	int rc = campaign_get(tx, a, shop, campaign_id, c, e);
	if (rc)
		return rc;
	if (strcmp(c->type, "treasure_hunt"))
		return err_setc(e, ERR_REFUSED, "not_a_treasure_hunt", "id",
				"campaign \"%s\" is of type \"%s\": only a treasure_hunt campaign"
				" has spots", campaign_id, c->type);
	return 0;
}

int treasure_spot_create(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *campaign_id, const char *page, const char *clue,
			 int64_t claims_limit, struct treasure_spot *out, struct err *e)
{
	struct campaign c;
	int rc;
	if ((rc = check_page(page, e)) || (rc = check_clue(clue, e)))
		return rc;
	if (claims_limit < 1 || claims_limit > TREASURE_CLAIMS_MAX)
		return err_set(e, ERR_INVALID, "claims_limit", "\"claims_limit\" must be 1 to %lld",
			       (long long)TREASURE_CLAIMS_MAX);
	if ((rc = treasure_campaign(tx, a, shop, campaign_id, &c, e)))
		return rc;
	if (!strcmp(c.status, "ended"))
		return err_setc(e, ERR_CONFLICT, "campaign_ended", "id",
				"campaign \"%s\" has ended: it takes no new spots", campaign_id);
	memset(out, 0, sizeof(*out));
	out->created_at = clock_now_ms();
	id_new(out->id, SPOT_PREFIX, out->created_at);
	out->campaign_id = arena_strdup(a, c.id);
	out->page = arena_strdup(a, page);
	out->clue = arena_strdup(a, clue);
	out->claims_limit = claims_limit;
	rc = store_exec(tx, e, "INSERT INTO treasure_spots (shop_id, id, campaign_id, page, clue,"
			" claims_limit, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)", "sssssii",
			shop, out->id, c.id, page, clue, claims_limit, out->created_at);
	if (rc < 0)
		return rc;
	return treasure_token_sign(tx, shop, out->id, out->campaign_id, 1, out->token, e);
}

int treasure_spot_list(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *campaign_id, const char *starting_after, int limit,
		       struct treasure_spot **out, int *n, int *has_more, struct err *e)
{
	struct campaign c;
	char key[SECURE_SHA256_HEX];
	int rc = treasure_campaign(tx, a, shop, campaign_id, &c, e);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT " SPOT_COLUMNS " FROM treasure_spots s"
		" WHERE s.shop_id = $1 AND s.campaign_id = $2 AND ($3 IS NULL OR s.id > $3)"
		" ORDER BY s.id LIMIT $4", "sssi", shop, c.id, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		row_to_spot(st, a, &(*out)[(*n)++]);
	store_done(st);
	if (rc < 0)
		return rc;
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	if (*n && (rc = spot_key(tx, shop, 0, key, e)))
		return rc;
	for (int i = 0; i < *n; i++)
		sign_with(key, shop, (*out)[i].id, c.id, (*out)[i].token);
	return 0;
}

/* Whether the campaign takes claims from customer now: the reasons of a
 * coupon (expired, not_started, not_eligible) for the same situations. */
static int check_open(struct store_tx *tx, struct arena *a, const char *shop,
		      const struct campaign *c, const char *customer, struct err *e)
{
	int64_t now = clock_now_ms(), from;
	int targeted, rc;
	if (!strcmp(c->status, "draft"))
		return err_setc(e, ERR_REFUSED, "campaign_not_open", "spot_token",
				"the treasure hunt has not been opened yet");
	if (!strcmp(c->status, "ended") || (c->ends_at && now >= c->ends_at))
		return err_setc(e, ERR_REFUSED, "expired", "spot_token",
				"the treasure hunt is over");
	if ((rc = campaign_opens_for(tx, a, shop, c, customer, &from, &targeted, e)))
		return rc;
	if (now < from)
		return err_setc(e, ERR_REFUSED, "not_started", "spot_token",
				"the treasure hunt has not started yet");
	if (!targeted)
		return err_setc(e, ERR_REFUSED, "not_eligible", "spot_token",
				"this treasure hunt is not open to this customer");
	return 0;
}

static int fill_validity(struct store_tx *tx, struct arena *a, const char *shop,
			 const struct campaign *c, struct treasure_claim *out, struct err *e)
{
	struct coupon_code code;
	int rc = coupon_get(tx, a, shop, out->code, &code, e);
	if (rc)
		return rc;
	out->valid_from = code.valid_from ? code.valid_from : c->starts_at;
	out->expires_at = code.expires_at ? code.expires_at : c->ends_at;
	return 0;
}

int treasure_claim(struct store_tx *tx, struct arena *a, const char *shop, const char *token,
		   const char *customer, struct treasure_claim *out, struct err *e)
{
	struct treasure_spot s;
	struct campaign c;
	struct offer_grant g;
	int64_t mine;
	int erased, rc;
	if ((rc = customer_is_erased(tx, shop, customer, "customer", &erased, e)))
		return rc;
	if (erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", "customer",
				"customer \"%s\" is erased: it claims nothing", customer);
	if ((rc = treasure_token_verify(tx, a, shop, token, &s, e)))
		return rc;
	if ((rc = campaign_get(tx, a, shop, s.campaign_id, &c, e)))
		return rc == ERR_NOT_FOUND ? invalid_token(e) : rc;
	if ((rc = check_open(tx, a, shop, &c, customer, e)) ||
	    (rc = store_query_int(tx, e, &mine, "SELECT count(*) FROM treasure_claims WHERE"
				  " shop_id = $1 AND spot_id = $2 AND customer_id = $3", "sss",
				  shop, s.id, customer)))
		return rc;
	if (mine)
		return err_setc(e, ERR_REFUSED, "already_claimed", "spot_token",
				"this customer has claimed this spot already");
	/* s.claims was counted inside this write: the limit holds however many
	 * claim at once (store.h's isolation). */
	if (s.claims >= s.claims_limit)
		return err_setc(e, ERR_REFUSED, "claims_exhausted", "spot_token",
				"all %lld claims of this spot have been made",
				(long long)s.claims_limit);
	if ((rc = offers_grant(tx, a, shop, &c, customer, s.id, 0, &g, e)))
		return rc;
	if (!g.created || !g.code)
		return err_setc(e, ERR_REFUSED, "already_claimed", "spot_token",
				"this customer holds the code of this spot already");
	memset(out, 0, sizeof(*out));
	out->spot_id = arena_strdup(a, s.id);
	out->campaign_id = arena_strdup(a, c.id);
	out->customer_id = arena_strdup(a, customer);
	out->code = arena_strdup(a, g.code);
	out->grant_id = arena_strdup(a, g.id);
	out->created_at = clock_now_ms();
	rc = store_exec(tx, e, "INSERT INTO treasure_claims (shop_id, spot_id, customer_id, code,"
			" created_at) VALUES ($1, $2, $3, $4, $5)", "ssssi", shop, s.id, customer,
			g.code, out->created_at);
	if (rc < 0)
		return store_tx_was_unique_violation(tx)
			? err_setc(e, ERR_REFUSED, "already_claimed", "spot_token",
				   "this customer has claimed this spot already") : rc;
	return fill_validity(tx, a, shop, &c, out, e);
}

int treasure_merge(struct store_tx *tx, const char *shop, const char *target,
		   const char *source, struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE treasure_claims SET customer_id = $2"
		" WHERE shop_id = $1 AND customer_id = $3 AND spot_id NOT IN"
		" (SELECT t.spot_id FROM treasure_claims t WHERE t.shop_id = $1 AND t.customer_id = $2)",
		"sss", shop, target, source);
	return rc < 0 ? rc : 0;
}
