/* customers.c: /v1/customers and their identities, accounts, merges, erasure. */
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../base/log.h"
#include "../core/customer.h"
#include "../core/order.h"
#include "../core/profile.h"
#include "api.h"
#include "../render/render.h"

struct customer_call {
	struct req *r;
	const char *ref, *other, *starting_after;
	struct customer_input in;
	struct customer_filter filter;
	int limit, created;
};

static int parse_identities(struct req *r, json_t *arr, struct customer_input *in,
			    struct err *e)
{
	static const char *const allowed[] = { "type", "value", NULL };
	size_t n = json_array_size(arr);
	if (!json_is_array(arr))
		return err_set(e, ERR_INVALID, "identities",
			       "\"identities\" must be an array of {\"type\", \"value\"}");
	if (n > CUSTOMER_MAX_IDENTITIES)
		return err_set(e, ERR_INVALID, "identities", "at most %d identities",
			       CUSTOMER_MAX_IDENTITIES);
	in->identities = arena_alloc(&r->arena, (n + 2) * sizeof(*in->identities));
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		char prefix[32], ptype[48], pvalue[48];
		int rc;
		snprintf(prefix, sizeof(prefix), "identities[%zu].", i);
		snprintf(ptype, sizeof(ptype), "identities[%zu].type", i);
		snprintf(pvalue, sizeof(pvalue), "identities[%zu].value", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, prefix, "each identity must be an object");
		struct identity *id = &in->identities[in->nidentities++];
		if ((rc = jsonv_only_keys(o, allowed, prefix, e)) ||
		    (rc = jsonv_string(o, "type", JSONV_REQUIRED, 16, &id->kind, ptype, e)) ||
		    (rc = jsonv_string(o, "value", JSONV_REQUIRED, CUSTOMER_TEXT_MAX, &id->value,
				       pvalue, e)))
			return rc;
	}
	return 0;
}

static int parse_addresses(struct req *r, json_t *arr, struct customer_input *in,
			   struct err *e)
{
	static const char *const allowed[] = { "name", "line1", "line2", "city", "region",
					       "postal_code", "country", "phone", NULL };
	size_t n = json_array_size(arr);
	if (!json_is_array(arr))
		return err_set(e, ERR_INVALID, "addresses", "\"addresses\" must be an array");
	if (n > CUSTOMER_MAX_ADDRESSES)
		return err_set(e, ERR_INVALID, "addresses", "at most %d saved addresses",
			       CUSTOMER_MAX_ADDRESSES);
	in->addresses = arena_alloc(&r->arena, (n + 1) * sizeof(*in->addresses));
	in->naddresses = (int)n;
	in->has_addresses = 1;
	for (size_t i = 0; i < n; i++) {
		json_t *o = json_array_get(arr, i);
		struct address *ad = &in->addresses[i];
		const char **fields[] = { &ad->name, &ad->line1, &ad->line2, &ad->city, &ad->region,
					  &ad->postal_code, &ad->country, &ad->phone };
		char prefix[32];
		int rc;
		snprintf(prefix, sizeof(prefix), "addresses[%zu].", i);
		if (!json_is_object(o))
			return err_set(e, ERR_INVALID, prefix, "each address must be an object");
		if ((rc = jsonv_only_keys(o, allowed, prefix, e)))
			return rc;
		for (int f = 0; allowed[f]; f++) {
			char param[64];
			snprintf(param, sizeof(param), "%s%s", prefix, allowed[f]);
			if ((rc = jsonv_string(o, allowed[f], JSONV_OPTIONAL, CUSTOMER_TEXT_MAX,
					       fields[f], arena_strdup(&r->arena, param), e)))
				return rc;
		}
	}
	return 0;
}

/* A present key with null clears the field (PATCH); absent leaves it. */
static int parse_nullable(struct req *r, const char *key, const char **out, int *has,
			  struct err *e)
{
	json_t *v = json_object_get(r->json, key);
	*has = v != NULL;
	return jsonv_string(r->json, key, JSONV_OPTIONAL, CUSTOMER_TEXT_MAX * 2, out, NULL, e);
}

static int parse_input(struct req *r, struct customer_input *in, int creating, struct err *e)
{
	static const char *const allowed_create[] = { "external_id", "name", "email", "phone",
		"whatsapp", "identities", "addresses", "account", "display_name", "marketing_consent",
		NULL };
	static const char *const allowed_update[] = { "name", "email", "phone", "whatsapp",
		"identities", "addresses", "account", "display_name", "marketing_consent", NULL };
	const char *whatsapp = NULL;
	json_t *v;
	int rc, account = 0;

	memset(in, 0, sizeof(*in));
	if ((rc = jsonv_only_keys(r->json, creating ? allowed_create : allowed_update, "", e)))
		return rc;
	if (creating && (rc = jsonv_string(r->json, "external_id", JSONV_OPTIONAL,
					   CUSTOMER_TEXT_MAX, &in->external_id, NULL, e)))
		return rc;
	if (in->external_id &&
	    (rc = customer_clean_ref(&r->arena, in->external_id, "external_id", &in->external_id, e)))
		return rc;
	if ((rc = parse_nullable(r, "name", &in->name, &in->has_name, e)) ||
	    (rc = parse_nullable(r, "email", &in->email, &in->has_email, e)) ||
	    (rc = parse_nullable(r, "phone", &in->phone, &in->has_phone, e)) ||
	    (rc = jsonv_string(r->json, "whatsapp", JSONV_OPTIONAL, 40, &whatsapp, NULL, e)) ||
	    (rc = jsonv_bool(r->json, "account", JSONV_OPTIONAL, &account, NULL, NULL, e)))
		return rc;
	in->account = account;
	if ((rc = jsonv_string(r->json, "display_name", JSONV_OPTIONAL, PROFILE_DISPLAY_NAME_MAX * 4,
			       &in->display_name, NULL, e)) ||
	    (rc = jsonv_bool(r->json, "marketing_consent", JSONV_OPTIONAL, &in->marketing_consent,
			     &in->has_marketing_consent, NULL, e)))
		return rc;
	in->has_display_name = json_object_get(r->json, "display_name") != NULL;
	if ((v = json_object_get(r->json, "identities")) && !json_is_null(v) &&
	    (rc = parse_identities(r, v, in, e)))
		return rc;
	if (!in->identities)
		in->identities = arena_alloc(&r->arena, sizeof(*in->identities));
	if (whatsapp)
		in->identities[in->nidentities++] = (struct identity){ "whatsapp", whatsapp };
	if ((v = json_object_get(r->json, "addresses")) && !json_is_null(v) &&
	    (rc = parse_addresses(r, v, in, e)))
		return rc;
	return 0;
}

/* Every answer shows the customer with the interests the shop may see
 * (issue 12, api_customer_with_interests()). */
static int respond_customer(struct store_tx *tx, struct customer_call *c, int status,
			    const struct customer *cu, struct err *e)
{
	json_t *j = api_customer_with_interests(tx, c->r, cu, e);
	if (!j)
		return e->kind;
	req_json(c->r, status, j);
	return 0;
}

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = customer_upsert(tx, &c->r->arena, c->r->shop_id, &c->in, &out, &c->created, e);
	return rc ? rc : respond_customer(tx, c, c->created ? 201 : 200, &out, e);
}

int api_customers_create(struct req *r, struct err *e)
{
	struct customer_call c = { .r = r };
	int rc = parse_input(r, &c.in, 1, e);
	return rc ? rc : req_write(r, create_tx, &c, e);
}

static int update_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = customer_update(tx, &c->r->arena, c->r->shop_id, c->ref, &c->in, &out, e);
	return rc ? rc : respond_customer(tx, c, 200, &out, e);
}

int api_customers_update(struct req *r, struct err *e)
{
	struct customer_call c = { .r = r, .ref = req_param(r, 0) };
	int rc = parse_input(r, &c.in, 0, e);
	return rc ? rc : req_write(r, update_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = customer_get(tx, &c->r->arena, c->r->shop_id, c->ref, &out, e);
	return rc ? rc : respond_customer(tx, c, 200, &out, e);
}

int api_customers_get(struct req *r, struct err *e)
{
	struct customer_call c = { .r = r, .ref = req_param(r, 0) };
	return req_read(r, get_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer *list;
	int n, more;
	int rc = customer_list(tx, &c->r->arena, c->r->shop_id, &c->filter, c->starting_after,
			       c->limit, &list, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		json_t *j = api_customer_with_interests(tx, c->r, &list[i], e);
		if (!j) {
			json_decref(data);
			return e->kind;
		}
		json_array_append_new(data, j);
	}
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_customers_list(struct req *r, struct err *e)
{
	struct customer_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	if (rc)
		return rc;
	c.filter.email = req_query(r, "email");
	c.filter.phone = req_query(r, "phone");
	c.filter.external_id = req_query(r, "external_id");
	c.filter.status = req_query(r, "status");
	if (c.filter.status && strcmp(c.filter.status, "guest") && strcmp(c.filter.status, "account") &&
	    strcmp(c.filter.status, "erased"))
		return err_set(e, ERR_INVALID, "status",
			       "\"status\" must be \"guest\", \"account\" or \"erased\"");
	return req_read(r, list_tx, &c, e);
}

/* Erasure reaches every copy: the rows, and each stored idempotent response
 * that carries one of the scrubbed customers, rewritten to the record as it is
 * now (a replay neither re-creates nor reveals; docs/decisions.md). */
int api_customers_erase_in(struct store_tx *tx, struct req *r, const char *ref,
			   struct customer *erased_out, struct err *e)
{
	struct customer_call call = { .r = r, .ref = ref }, *c = &call;
	struct arena *a = &c->r->arena;
	struct customer now;
	char (*erased)[ID_MAX];
	struct api_review_erasure reviews;	/* issue 12 */
	int n, rc = api_reviews_erasure_collect(tx, c->r, c->ref, &reviews, e);
	if (rc)
		return rc;
	rc = customer_erase(tx, a, c->r->shop_id, c->ref, erased_out, &erased, &n, e);
	for (int i = 0; !rc && i < n; i++) {
		if (!(rc = order_forget_fingerprints(tx, c->r->shop_id, erased[i], e)) &&
		    !(rc = customer_get(tx, a, c->r->shop_id, erased[i], &now, e))) {
			json_t *j = api_customer_with_interests(tx, c->r, &now, e);
			if (!j)
				return e->kind;
			rc = req_stored_responses_replace(tx, a, c->r->shop_id, erased[i], j, e);
			json_decref(j);
		}
		if (!rc)
			rc = api_tickets_erasure_rewrite(tx, c->r, erased[i], e);
	}
	if (!rc)
		rc = api_reviews_erasure_rewrite(tx, c->r, &reviews, e);
	return rc;
}

static int erase_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = api_customers_erase_in(tx, c->r, c->ref, &out, e);
	return rc ? rc : respond_customer(tx, c, 200, &out, e);
}

int api_customers_erase(struct req *r, struct err *e)
{
	struct customer_call c = { .r = r, .ref = req_param(r, 0) };
	struct err scrub;
	int rc = req_write(r, erase_tx, &c, e);
	/* Old page images stay in the WAL until it is rewritten: fold it into the
	 * database (secure_delete zeroes what was deleted) and truncate it. The
	 * erasure is committed either way: a scrub that would wait for readers
	 * is left due, and the store retries it after a later write. */
	if (!rc && store_scrub(r->store, &scrub))
		log_warn("erasure scrub deferred", ",\"request_id\":\"%s\",\"error\":\"%s\"",
			 r->request_id, scrub.code);
	return rc;
}

static int merge_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = customer_merge(tx, &c->r->arena, c->r->shop_id, c->ref, c->other, &out, e);
	return rc ? rc : respond_customer(tx, c, 200, &out, e);
}

int api_customers_merge(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "source", NULL };
	struct customer_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "source", JSONV_REQUIRED, CUSTOMER_TEXT_MAX + 4, &c.other,
			       NULL, e)))
		return rc;
	return req_write(r, merge_tx, &c, e);
}

static int account_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct customer_call *c = ctx;
	struct customer out;
	int rc = customer_create_account(tx, &c->r->arena, c->r->shop_id, c->ref, c->other, &out, e);
	return rc ? rc : respond_customer(tx, c, 200, &out, e);
}

int api_customers_account(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "email", NULL };
	struct customer_call c = { .r = r, .ref = req_param(r, 0) };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "email", JSONV_OPTIONAL, 254, &c.other, NULL, e)))
		return rc;
	return req_write(r, account_tx, &c, e);
}
