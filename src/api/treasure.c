/* treasure.c: /v1/campaigns/{id}/spots and /v1/treasure/claims (core/treasure.h). */
#include <string.h>

#include "../base/jsonv.h"
#include "../core/customer.h"
#include "../core/token.h"
#include "../core/treasure.h"
#include <microhttpd.h>
#include "api.h"
#include "../render/render.h"

struct treasure_call {
	struct req *r;
	const char *campaign, *page, *clue, *token, *customer, *starting_after;
	int64_t claims_limit;
	int limit;
};

static json_t *render_spot(const struct treasure_spot *s)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:o}",
		"id", s->id, "object", "treasure_spot", "campaign", s->campaign_id, "page", s->page,
		"clue", s->clue, "claims_limit", (json_int_t)s->claims_limit,
		"claims", (json_int_t)s->claims,
		"remaining", (json_int_t)(s->claims < s->claims_limit ? s->claims_limit - s->claims : 0),
		"token", s->token, "created_at", render_time(s->created_at));
}

static json_t *render_claim(const struct treasure_claim *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o}",
		"object", "treasure_claim", "spot", c->spot_id, "campaign", c->campaign_id,
		"customer", c->customer_id, "code", c->code, "valid_from", render_time(c->valid_from),
		"expires_at", render_time(c->expires_at), "created_at", render_time(c->created_at));
}

static int spot_create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct treasure_call *c = ctx;
	struct treasure_spot s;
	int rc = treasure_spot_create(tx, &c->r->arena, c->r->shop_id, c->campaign, c->page,
				      c->clue, c->claims_limit, &s, e);
	if (!rc)
		req_json(c->r, 201, render_spot(&s));
	return rc;
}

int api_treasure_spots_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "page", "clue", "claims_limit", NULL };
	struct treasure_call c = { .r = r, .campaign = req_param(r, 0) };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "page", JSONV_REQUIRED, TREASURE_PAGE_MAX, &c.page, NULL, e)) ||
	    (rc = jsonv_string(r->json, "clue", JSONV_REQUIRED, TREASURE_CLUE_MAX, &c.clue, NULL, e)) ||
	    (rc = jsonv_int(r->json, "claims_limit", JSONV_REQUIRED, 1, TREASURE_CLAIMS_MAX,
			    &c.claims_limit, NULL, NULL, e)))
		return rc;
	return req_write(r, spot_create_tx, &c, e);
}

static int spot_list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct treasure_call *c = ctx;
	struct treasure_spot *list;
	int n, more;
	int rc = treasure_spot_list(tx, &c->r->arena, c->r->shop_id, c->campaign,
				    c->starting_after, c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_spot(&list[i]));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_treasure_spots_list(struct req *r, struct err *e)
{
	struct treasure_call c = { .r = r, .campaign = req_param(r, 0) };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, spot_list_tx, &c, e);
}

/* Who claims: the "customer" of the shop's server, or on the storefront the
 * holder of the Customer-Token (a "customer" sent there must be that one). */
static int claimant(struct store_tx *tx, struct req *r, const char *ref, char customer[ID_MAX],
		    struct err *e)
{
	if (r->auth != AUTH_PUBLISHABLE)
		return customer_resolve(tx, r->shop_id, ref, "customer", customer, e);
	if (ref)
		return api_customer_scope(tx, r, ref, customer, e);
	const char *token = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Customer-Token");
	char holder[ID_MAX];
	int rc;
	if (!token)
		return err_setc(e, ERR_AUTH, "customer_token_required", "Customer-Token",
				"a publishable key needs a \"Customer-Token\" header; the shop's"
				" server mints one with POST /v1/customers/{id}/tokens");
	if ((rc = token_verify(tx, r->shop_id, token, holder, e)))
		return rc;
	return api_customer_scope(tx, r, holder, customer, e);
}

static int claim_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct treasure_call *c = ctx;
	struct treasure_claim claim;
	char customer[ID_MAX];
	int rc = claimant(tx, c->r, c->customer, customer, e);
	if (!rc)
		rc = treasure_claim(tx, &c->r->arena, c->r->shop_id, c->token, customer, &claim, e);
	if (!rc)
		req_json(c->r, 201, render_claim(&claim));
	return rc;
}

static int holder_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct treasure_call *c = ctx;
	char customer[ID_MAX];
	int rc = claimant(tx, c->r, c->customer, customer, e);
	if (!rc)
		jsonv_fingerprint(c->r->method, arena_printf(&c->r->arena, "%s\ncustomer %s",
							     c->r->url, customer),
				  c->r->json, c->r->fingerprint);
	return rc;
}

int api_treasure_claims_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "spot_token", "customer", NULL };
	struct treasure_call c = { .r = r };
	json_t *token = json_object_get(r->json, "spot_token");
	const char *ref;
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_OPTIONAL, CUSTOMER_TEXT_MAX, &ref, NULL, e)))
		return rc;
	/* Any string is a token to verify: an empty or mangled one is refused as
	 * forged (422), the same as one with a wrong signature. */
	if (!json_is_string(token))
		return err_setc(e, ERR_INVALID, token ? "parameter_invalid" : "parameter_missing",
				"spot_token", "\"spot_token\" must be the string of a spot's token");
	c.token = json_string_value(token);
	if (ref && (rc = customer_clean_ref(&r->arena, ref, "customer", &c.customer, e)))
		return rc;
	if (!c.customer && r->auth != AUTH_PUBLISHABLE)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer",
				"\"customer\" is required with a secret key: the customer who"
				" found the spot");
	/* The storefront's body is the same for every customer who found the
	 * spot, and the stored answer holds a customer's code: a retry replays
	 * it only for the customer the Customer-Token names, never to another
	 * customer (or to no token) who sent the same key. */
	if (r->auth == AUTH_PUBLISHABLE && r->idempotency_key &&
	    (rc = req_read(r, holder_tx, &c, e)))
		return rc;
	return req_write(r, claim_tx, &c, e);
}
