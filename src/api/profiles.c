/* profiles.c: issue 12's resources: the interest catalogue, a customer's
 * interests, friends, and profiles (core/interest.h, core/friend.h,
 * core/profile.h); and the interests the customer resource shows. Who sees
 * which interest is decided in core (profile_viewer_sees()), never here. */
#include <stdio.h>
#include <string.h>

#include <microhttpd.h>

#include "../base/jsonv.h"
#include "../core/customer.h"
#include "../core/friend.h"
#include "../core/interest.h"
#include "../core/profile.h"
#include "../core/token.h"
#include "api.h"
#include "../render/render.h"
#include "../render/render_profile.h"

struct profile_call {
	struct req *r;
	const char *ref, *other, *display_name;
	char customer[ID_MAX];
	struct interest_catalogue_input catalogue;
	struct interest_choice *choices;
	int nchoices;
};

/* ---- the catalogue ---- */

static int parse_skus(struct req *r, json_t *v, int i, struct interest *t, struct err *e)
{
	t->nskus = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) > INTEREST_SKUS_MAX)
		return err_set(e, ERR_INVALID, arena_printf(&r->arena, "interests[%d].skus", i),
			       "\"skus\" is an array of at most %d SKUs", INTEREST_SKUS_MAX);
	t->skus = arena_alloc(&r->arena, (json_array_size(v) + 1) * sizeof(*t->skus));
	for (size_t k = 0; k < json_array_size(v); k++) {
		const char *sku = json_string_value(json_array_get(v, k));
		if (!sku)
			return err_set(e, ERR_INVALID, arena_printf(&r->arena, "interests[%d].skus[%zu]",
				       i, k), "each SKU is a string");
		t->skus[t->nskus++] = sku;
	}
	return 0;
}

static int parse_catalogue(struct req *r, struct interest_catalogue_input *in, struct err *e)
{
	static const char *const allowed[] = { "interests", NULL };
	static const char *const item_keys[] = { "key", "name", "skus", NULL };
	json_t *list = r->json ? json_object_get(r->json, "interests") : NULL;
	int rc;
	if (r->json && (rc = jsonv_only_keys(r->json, allowed, "", e)))
		return rc;
	if (!json_is_array(list))
		return err_setc(e, ERR_INVALID, "parameter_missing", "interests", "send"
				" {interests: [{key, name, skus?}]}");
	if (json_array_size(list) > INTEREST_CATALOGUE_MAX)
		return err_set(e, ERR_INVALID, "interests", "a catalogue holds at most %d interests",
			       INTEREST_CATALOGUE_MAX);
	struct interest *v = arena_alloc(&r->arena, (json_array_size(list) + 1) * sizeof(*v));
	in->interests = v;
	in->n = 0;
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		struct interest *t = &v[in->n++];
		char *prefix = arena_printf(&r->arena, "interests[%zu].", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, arena_printf(&r->arena, "interests[%zu]", i),
				       "each interest is {key, name, skus?}");
		if ((rc = jsonv_only_keys(o, item_keys, prefix, e)) ||
		    (rc = jsonv_string(o, "key", JSONV_REQUIRED, INTEREST_KEY_MAX, &t->key,
				       arena_printf(&r->arena, "%skey", prefix), e)) ||
		    (rc = jsonv_string(o, "name", JSONV_REQUIRED, INTEREST_NAME_MAX, &t->name,
				       arena_printf(&r->arena, "%sname", prefix), e)) ||
		    (rc = parse_skus(r, json_object_get(o, "skus"), (int)i, t, e)))
			return rc;
	}
	return 0;
}

static int catalogue_json(struct store_tx *tx, struct req *r, json_t **out, struct err *e)
{
	struct interest *list;
	int64_t updated_at;
	int n, rc = interest_get_catalogue(tx, &r->arena, r->shop_id, &list, &n, &updated_at, e);
	if (!rc)
		*out = render_catalogue(list, n, updated_at);
	return rc;
}

static int catalogue_put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct profile_call *c = ctx;
	const char **retired;
	int nretired;
	json_t *body;
	int rc = interest_put_catalogue(tx, &c->r->arena, c->r->shop_id, &c->catalogue, &retired,
					&nretired, e);
	if (rc || (rc = catalogue_json(tx, c->r, &body, e)))
		return rc;
	json_t *list = json_array();
	for (int i = 0; i < nretired; i++)
		json_array_append_new(list, json_string(retired[i]));
	json_object_set_new(body, "retired_now", list);
	req_json(c->r, 200, body);
	return 0;
}

int api_interests_catalogue_put(struct req *r, struct err *e)
{
	struct profile_call c = { .r = r };
	int rc = parse_catalogue(r, &c.catalogue, e);
	return rc ? rc : req_write(r, catalogue_put_tx, &c, e);
}

static int catalogue_get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct profile_call *c = ctx;
	json_t *body;
	int rc = catalogue_json(tx, c->r, &body, e);
	if (!rc)
		req_json(c->r, 200, body);
	return rc;
}

/* The secret key, or the storefront with the publishable key alone: the
 * catalogue is what the shop offers everyone to choose from. */
int api_interests_catalogue_get(struct req *r, struct err *e)
{
	struct profile_call c = { .r = r };
	return req_read(r, catalogue_get_tx, &c, e);
}

/* ---- the viewer ---- */

/* The customer a storefront call's Customer-Token names into holder, or ""
 * without a token; a bad token is 401, never a quieter view. */
static int token_holder(struct store_tx *tx, struct req *r, char holder[ID_MAX], struct err *e)
{
	const char *token = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Customer-Token");
	int rc;
	holder[0] = '\0';
	if (!token || r->auth != AUTH_PUBLISHABLE)
		return 0;
	if ((rc = token_verify(tx, r->shop_id, token, holder, e)) ||
	    (rc = customer_resolve(tx, r->shop_id, holder, "Customer-Token", holder, e)))
		return rc == ERR_NOT_FOUND ? err_setc(e, ERR_AUTH, "customer_token_invalid",
						      "Customer-Token", "invalid customer token") : rc;
	return 0;
}

static int viewer_of(struct store_tx *tx, struct req *r, const char *customer,
		     enum profile_viewer *out, struct err *e)
{
	char holder[ID_MAX];
	int rc = token_holder(tx, r, holder, e);
	return rc ? rc : profile_viewer_of(tx, r->shop_id, customer, holder[0] ? holder : NULL,
					   r->auth == AUTH_SECRET, out, e);
}

json_t *api_customer_with_interests(struct store_tx *tx, struct req *r, const struct customer *c,
				    struct err *e)
{
	struct interest_seen *seen;
	int n;
	if (interest_visible(tx, &r->arena, r->shop_id, c->id, PROFILE_VIEWER_SHOP, &seen, &n, e))
		return NULL;
	json_t *o = render_customer(c);
	json_object_set_new(o, "interests", render_interests(seen, n));
	return o;
}

/* ---- a customer's interests ---- */

/* Who answers a write on the customer's behalf: the customer themself (a
 * storefront call, api_customer_scope() checked the token) or the shop. */
static enum profile_viewer caller_view(const struct req *r)
{
	return r->auth == AUTH_PUBLISHABLE ? PROFILE_VIEWER_OWNER : PROFILE_VIEWER_SHOP;
}

static int parse_choices(struct req *r, struct profile_call *c, struct err *e)
{
	static const char *const allowed[] = { "interests", NULL };
	static const char *const item_keys[] = { "interest", "visibility", NULL };
	json_t *list = r->json ? json_object_get(r->json, "interests") : NULL;
	int rc;
	if (r->json && (rc = jsonv_only_keys(r->json, allowed, "", e)))
		return rc;
	if (!json_is_array(list))
		return err_setc(e, ERR_INVALID, "parameter_missing", "interests", "send {interests:"
				" [{interest, visibility: everyone|friends|only_me}]}");
	if (json_array_size(list) > INTEREST_CUSTOMER_MAX)
		return err_set(e, ERR_INVALID, "interests", "a customer holds at most %d interests",
			       INTEREST_CUSTOMER_MAX);
	c->choices = arena_alloc(&r->arena, (json_array_size(list) + 1) * sizeof(*c->choices));
	for (size_t i = 0; i < json_array_size(list); i++) {
		json_t *o = json_array_get(list, i);
		struct interest_choice *ch = &c->choices[c->nchoices++];
		char *prefix = arena_printf(&r->arena, "interests[%zu].", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, arena_printf(&r->arena, "interests[%zu]", i),
				       "each item is {interest, visibility}");
		if ((rc = jsonv_only_keys(o, item_keys, prefix, e)) ||
		    (rc = jsonv_string(o, "interest", JSONV_REQUIRED, INTEREST_KEY_MAX + 50,
				       &ch->interest, arena_printf(&r->arena, "%sinterest", prefix), e)) ||
		    (rc = jsonv_string(o, "visibility", JSONV_REQUIRED, 40, &ch->visibility,
				       arena_printf(&r->arena, "%svisibility", prefix), e)))
			return rc;
	}
	return 0;
}

static int interests_put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct profile_call *c = ctx;
	struct profile p;
	int rc = api_customer_scope(tx, c->r, c->ref, c->customer, e);
	/* The answer is the profile as the caller may see it: all to the
	 * customer, the shop's view to the secret key (profile.h). */
	if (rc || (rc = interest_put_customer(tx, &c->r->arena, c->r->shop_id, c->customer,
					      c->choices, c->nchoices, e)) ||
	    (rc = profile_get(tx, &c->r->arena, c->r->shop_id, c->customer, caller_view(c->r), &p, e)))
		return rc;
	req_json(c->r, 200, render_profile(&p));
	return 0;
}

int api_customers_interests_put(struct req *r, struct err *e)
{
	struct profile_call c = { .r = r, .ref = req_param(r, 0) };
	req_array_body(r, "interests");	/* the contract's bare array */
	int rc = parse_choices(r, &c, e);
	return rc ? rc : req_write(r, interests_put_tx, &c, e);
}

/* ---- friends ---- */

typedef int (*friend_fn)(struct store_tx *, struct arena *, const char *, const char *,
			 const char *, struct friendship *, struct err *);

struct friend_call {
	struct req *r;
	const char *ref, *other;
	friend_fn fn;
	int status;
};

static int friend_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct friend_call *c = ctx;
	char customer[ID_MAX];
	struct friendship f;
	int rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (!rc && !(rc = c->fn(tx, &c->r->arena, c->r->shop_id, customer, c->other, &f, e)))
		req_json(c->r, f.repeated ? 200 : c->status, render_friendship(&f));
	return rc;
}

int api_friends_request(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "customer", NULL };
	struct friend_call c = { .r = r, .ref = req_param(r, 0), .fn = friend_request, .status = 201 };
	int rc;
	if (!r->json)
		return err_setc(e, ERR_INVALID, "parameter_missing", "customer", "send {customer}: the"
				" customer to ask");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "customer", JSONV_REQUIRED, CUSTOMER_TEXT_MAX + 4, &c.other,
			       NULL, e)) ||
	    (rc = customer_clean_ref(&r->arena, c.other, "customer", &c.other, e)))
		return rc;
	return req_write(r, friend_tx, &c, e);
}

static int friend_path(struct req *r, friend_fn fn, struct err *e)
{
	struct friend_call c = { .r = r, .ref = req_param(r, 0), .other = req_param(r, 1), .fn = fn,
				 .status = 200 };
	return req_write(r, friend_tx, &c, e);
}

int api_friends_accept(struct req *r, struct err *e)
{
	return friend_path(r, friend_accept, e);
}

int api_friends_decline(struct req *r, struct err *e)
{
	return friend_path(r, friend_decline, e);
}

int api_friends_remove(struct req *r, struct err *e)
{
	return friend_path(r, friend_remove, e);
}

static int friends_list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct friend_call *c = ctx;
	char customer[ID_MAX];
	struct friendship *list;
	int n, rc = api_customer_scope(tx, c->r, c->ref, customer, e);
	if (rc || (rc = friend_list(tx, &c->r->arena, c->r->shop_id, customer, &list, &n, e)))
		return rc;
	json_t *friends = json_array(), *incoming = json_array(), *outgoing = json_array();
	for (int i = 0; i < n; i++) {
		json_t *to = !strcmp(list[i].state, "accepted") ? friends
			   : !strcmp(list[i].state, "incoming") ? incoming : outgoing;
		json_array_append_new(to, render_friendship(&list[i]));
	}
	req_json(c->r, 200, json_pack("{s:s, s:s, s:o, s:o, s:o}", "object", "friend_list",
				      "customer", customer, "friends", friends, "incoming", incoming,
				      "outgoing", outgoing));
	return 0;
}

int api_friends_list(struct req *r, struct err *e)
{
	struct friend_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, friends_list_tx, &c, e);
}

/* ---- profiles ---- */

static int profile_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct profile_call *c = ctx;
	enum profile_viewer viewer;
	struct profile p;
	int rc = customer_resolve(tx, c->r->shop_id, c->ref, "id", c->customer, e);
	if (rc || (rc = viewer_of(tx, c->r, c->customer, &viewer, e)) ||
	    (rc = profile_get(tx, &c->r->arena, c->r->shop_id, c->customer, viewer, &p, e)))
		return rc;
	req_json(c->r, 200, render_profile(&p));
	return 0;
}

int api_profiles_get(struct req *r, struct err *e)
{
	struct profile_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, profile_tx, &c, e);
}

static int profile_update_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct profile_call *c = ctx;
	struct customer_input in = { .display_name = c->display_name, .has_display_name = 1 };
	struct customer cu;
	struct profile p;
	int rc = api_customer_scope(tx, c->r, c->ref, c->customer, e);
	if (rc || (rc = customer_update(tx, &c->r->arena, c->r->shop_id, c->customer, &in, &cu, e)) ||
	    (rc = profile_get(tx, &c->r->arena, c->r->shop_id, c->customer, caller_view(c->r), &p, e)))
		return rc;
	req_json(c->r, 200, render_profile(&p));
	return 0;
}

/* The display name, by the customer (storefront with their token) or the
 * shop; the only field of a profile one sets directly. */
int api_profiles_update(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "display_name", NULL };
	struct profile_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if (!r->json || !json_object_get(r->json, "display_name"))
		return err_setc(e, ERR_INVALID, "parameter_missing", "display_name", "send"
				" {display_name} (null clears it)");
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "display_name", JSONV_OPTIONAL, PROFILE_DISPLAY_NAME_MAX * 4,
			       &c.display_name, NULL, e)) ||
	    (rc = profile_check_display_name(c.display_name, e)))
		return rc;
	return req_write(r, profile_update_tx, &c, e);
}
