/*
 * integrations.c: /v1/integrations/{shopify,woocommerce} (the connection, with
 * the shop's secret key) and their /webhooks (no API key: the platform signs
 * each delivery). The payloads are read by integration_payloads.c and mapped
 * by core/integration.c; docs/integrations.md has the mapping.
 */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "../base/jsonv.h"
#include "../base/log.h"
#include "../core/integration.h"
#include "../core/customer.h"
#include "../core/shop.h"
#include "../render/render.h"
#include "api.h"
#include "integration_payloads.h"

/* ---- the connection ---- */

static const char *const domain_field[INTEGRATION_COUNT] = { "shop_domain", "site_url" };

struct connect_call {
	struct req *r;
	enum integration_platform p;
	const char *domain, *secret;
	int created, deleted;
};

static json_t *render_integration(const struct integration *it, enum integration_platform p,
				  int deleted)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "object", "integration",
			      "platform", integration_platform_name(p), domain_field[p], it->domain,
			      "webhook_secret_hint", it->secret_hint,
			      "created_at", render_time(it->created_at),
			      "updated_at", render_time(it->updated_at));
	json_object_set_new(o, "webhook_path",
			    json_string(p == INTEGRATION_SHOPIFY ? "/v1/integrations/shopify/webhooks"
								 : "/v1/integrations/woocommerce/webhooks"));
	if (deleted)
		json_object_set_new(o, "deleted", json_true());
	return o;
}

static int put_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct connect_call *c = ctx;
	struct integration it;
	int rc = integration_connect(tx, &c->r->arena, c->r->shop_id, c->p, c->domain, c->secret,
				     &it, &c->created, e);
	if (!rc)
		req_json(c->r, c->created ? 201 : 200, render_integration(&it, c->p, 0));
	return rc;
}

static int put(struct req *r, enum integration_platform p, struct err *e)
{
	const char *const allowed[] = { domain_field[p], "webhook_secret", NULL };
	struct connect_call c = { .r = r, .p = p };
	int rc;
	/* The secret is never echoed, logged or stored in a response: the
	 * answer (and so an Idempotency-Key replay) shows its last four only. */
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, domain_field[p], JSONV_REQUIRED, SHOP_URL_MAX, &c.domain,
			       NULL, e)) ||
	    (rc = jsonv_string(r->json, "webhook_secret", JSONV_REQUIRED, INTEGRATION_SECRET_MAX,
			       &c.secret, NULL, e)))
		return rc;
	return req_write(r, put_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct connect_call *c = ctx;
	struct integration it;
	int rc = c->deleted
		? integration_disconnect(tx, &c->r->arena, c->r->shop_id, c->p, &it, e)
		: integration_get(tx, &c->r->arena, c->r->shop_id, c->p, &it, e);
	if (!rc)
		req_json(c->r, 200, render_integration(&it, c->p, c->deleted));
	return rc;
}

int api_integrations_shopify_put(struct req *r, struct err *e)
{
	return put(r, INTEGRATION_SHOPIFY, e);
}

int api_integrations_woocommerce_put(struct req *r, struct err *e)
{
	return put(r, INTEGRATION_WOOCOMMERCE, e);
}

int api_integrations_shopify_get(struct req *r, struct err *e)
{
	struct connect_call c = { .r = r, .p = INTEGRATION_SHOPIFY };
	return req_read(r, get_tx, &c, e);
}

int api_integrations_woocommerce_get(struct req *r, struct err *e)
{
	struct connect_call c = { .r = r, .p = INTEGRATION_WOOCOMMERCE };
	return req_read(r, get_tx, &c, e);
}

int api_integrations_shopify_delete(struct req *r, struct err *e)
{
	struct connect_call c = { .r = r, .p = INTEGRATION_SHOPIFY, .deleted = 1 };
	return req_write(r, get_tx, &c, e);
}

int api_integrations_woocommerce_delete(struct req *r, struct err *e)
{
	struct connect_call c = { .r = r, .p = INTEGRATION_WOOCOMMERCE, .deleted = 1 };
	return req_write(r, get_tx, &c, e);
}

/* ---- inbound webhooks ---- */

enum topic_kind {
	TOPIC_IGNORED, TOPIC_ORDER, TOPIC_REFUND, TOPIC_CUSTOMER,
	/* Shopify's mandatory privacy topics */
	TOPIC_CUSTOMER_REDACT, TOPIC_DATA_REQUEST, TOPIC_SHOP_REDACT,
};

static const struct {
	enum integration_platform platform;
	const char *name;
	enum topic_kind kind;
} topics[] = {
	{ INTEGRATION_SHOPIFY, "orders/create", TOPIC_ORDER },
	{ INTEGRATION_SHOPIFY, "orders/updated", TOPIC_ORDER },
	{ INTEGRATION_SHOPIFY, "orders/paid", TOPIC_ORDER },
	{ INTEGRATION_SHOPIFY, "orders/cancelled", TOPIC_ORDER },
	{ INTEGRATION_SHOPIFY, "refunds/create", TOPIC_REFUND },
	{ INTEGRATION_SHOPIFY, "customers/create", TOPIC_CUSTOMER },
	{ INTEGRATION_SHOPIFY, "customers/update", TOPIC_CUSTOMER },
	{ INTEGRATION_WOOCOMMERCE, "order.created", TOPIC_ORDER },
	{ INTEGRATION_WOOCOMMERCE, "order.updated", TOPIC_ORDER },
	{ INTEGRATION_WOOCOMMERCE, "customer.created", TOPIC_CUSTOMER },
	{ INTEGRATION_WOOCOMMERCE, "customer.updated", TOPIC_CUSTOMER },
	{ INTEGRATION_SHOPIFY, "customers/redact", TOPIC_CUSTOMER_REDACT },
	{ INTEGRATION_SHOPIFY, "customers/data_request", TOPIC_DATA_REQUEST },
	{ INTEGRATION_SHOPIFY, "shop/redact", TOPIC_SHOP_REDACT },
};

/* The header fields each platform sends with a delivery. */
static const struct {
	const char *domain, *signature, *delivery, *topic;
} headers[INTEGRATION_COUNT] = {
	{ "X-Shopify-Shop-Domain", "X-Shopify-Hmac-Sha256", "X-Shopify-Webhook-Id",
	  "X-Shopify-Topic" },
	{ "X-WC-Webhook-Source", "X-WC-Webhook-Signature", "X-WC-Webhook-Delivery-ID",
	  "X-WC-Webhook-Topic" },
};

struct inbound_call {
	struct req *r;
	enum integration_platform p;
	const char *domain, *signature, *delivery_id, *topic;
	enum topic_kind kind;
	char shop[ID_MAX];
	struct integration_order order;
	struct integration_refund refund;
	const char *refund_order;
	struct integration_customer customer;
	struct integration_privacy privacy;
	struct integration_result result;
	int replayed;
	int erased;		/* customers/redact erased someone: scrub after the commit */
};

static const char *header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

static enum topic_kind topic_kind(enum integration_platform p, const char *topic)
{
	for (size_t i = 0; topic && i < sizeof(topics) / sizeof(*topics); i++)
		if (topics[i].platform == p && !strcmp(topics[i].name, topic))
			return topics[i].kind;
	return TOPIC_IGNORED;
}

static int verify_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct inbound_call *c = ctx;
	return integration_verify(tx, c->p, c->domain, c->r->body.data, c->r->body.len,
				  c->signature, c->shop, e);
}

static int delivery_id_valid(const char *id)
{
	size_t n = id ? strlen(id) : 0;
	if (n == 0 || n > INTEGRATION_DELIVERY_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (id[i] < 0x21 || id[i] > 0x7e)
			return 0;
	return 1;
}

/* Reads the payload of a verified delivery into c. */
static int read_payload(struct inbound_call *c, struct err *e)
{
	struct req *r = c->r;
	struct arena *a = &r->arena;
	int rc;
	if (c->kind == TOPIC_IGNORED || c->kind == TOPIC_SHOP_REDACT)	/* any body is fine */
		return 0;
	if ((rc = jsonv_parse_object(r->body.data, r->body.len, &r->json, e)))
		return rc;
	switch (c->kind) {
	case TOPIC_ORDER:
		return c->p == INTEGRATION_SHOPIFY ? shopify_read_order(a, r->json, &c->order, e)
						   : woocommerce_read_order(a, r->json, &c->order, e);
	case TOPIC_REFUND:
		return shopify_read_refund(a, r->json, &c->refund, &c->refund_order, e);
	case TOPIC_CUSTOMER:
		return c->p == INTEGRATION_SHOPIFY
			? shopify_read_customer(a, r->json, &c->customer, e)
			: woocommerce_read_customer(a, r->json, &c->customer, e);
	case TOPIC_CUSTOMER_REDACT:
		return shopify_read_privacy(a, r->json, "orders_to_redact", &c->privacy, e);
	case TOPIC_DATA_REQUEST:
		return shopify_read_privacy(a, r->json, "orders_requested", &c->privacy, e);
	case TOPIC_IGNORED:
	case TOPIC_SHOP_REDACT:
		break;
	}
	return 0;
}

static json_t *render_delivery(struct inbound_call *c)
{
	const struct integration_result *res = &c->result;
	const char *outcome = c->replayed ? "replayed" : res->outcome;
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "object", "integration_delivery",
			      "platform", integration_platform_name(c->p), "topic", c->topic,
			      "delivery_id", c->delivery_id, "outcome", outcome);
	json_object_set_new(o, "reason", render_string(res->reason));
	json_object_set_new(o, "customer", render_string(res->customer_id[0] ? res->customer_id
									      : NULL));
	json_object_set_new(o, "order", render_string(res->order_id[0] ? res->order_id : NULL));
	json_object_set_new(o, "order_status", render_string(res->order_status));
	json_object_set_new(o, "accepts_marketing", res->accepts_marketing < 0
			    ? json_null() : json_boolean(res->accepts_marketing));
	return o;
}

/* customers/redact: each customer the request reaches goes through the
 * erasure of DELETE /v1/customers/{id}, in this transaction. */
static int redact(struct store_tx *tx, struct inbound_call *c, struct err *e)
{
	struct arena *a = &c->r->arena;
	char (*ids)[ID_MAX];
	struct customer out;
	int n, rc = integration_redact_targets(tx, a, c->shop, c->p, &c->privacy, &ids, &n,
					       &c->result, e);
	for (int i = 0; !rc && i < n; i++)
		rc = api_customers_erase_in(tx, c->r, ids[i], &out, e);
	c->erased = !rc && n > 0;
	return rc;
}

static int apply(struct store_tx *tx, struct inbound_call *c, struct err *e)
{
	struct arena *a = &c->r->arena;
	switch (c->kind) {
	case TOPIC_ORDER:
		return integration_apply_order(tx, a, c->shop, &c->order, &c->result, e);
	case TOPIC_REFUND:
		return integration_apply_refund(tx, a, c->shop, c->refund_order, &c->refund,
						&c->result, e);
	case TOPIC_CUSTOMER:
		return integration_apply_customer(tx, a, c->shop, &c->customer, &c->result, e);
	case TOPIC_CUSTOMER_REDACT:
		return redact(tx, c, e);
	case TOPIC_DATA_REQUEST:
		return integration_apply_data_request(tx, a, c->shop, c->p, &c->privacy, &c->result,
						      e);
	case TOPIC_SHOP_REDACT:
		return integration_apply_shop_redact(tx, a, c->shop, c->p, &c->result, e);
	case TOPIC_IGNORED:
		break;
	}
	c->result.outcome = "ignored";
	c->result.reason = "retain does not read this topic";
	return 0;
}

static int inbound_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct inbound_call *c = ctx;
	int rc;
	/* A run may be repeated (store.h): start from nothing. */
	memset(&c->result, 0, sizeof(c->result));
	c->result.accepts_marketing = -1;
	c->replayed = 0;
	c->erased = 0;
	/* Verified again in the write: the connection may have changed since. */
	if ((rc = verify_tx(tx, c, e)) ||
	    (rc = integration_delivery_claim(tx, c->shop, c->p, c->delivery_id, c->topic,
					     &c->replayed, e)))
		return rc;
	if (!c->replayed) {
		if ((rc = apply(tx, c, e)))
			return rc;
		if (!strcmp(c->result.outcome, "ignored") &&
		    (rc = integration_delivery_outcome(tx, c->shop, c->p, c->delivery_id, "ignored",
						       e)))
			return rc;
	}
	req_json(c->r, 200, render_delivery(c));
	return 0;
}

/* WooCommerce's ping when a webhook is saved: "webhook_id=12" as a form,
 * without a topic. It changes nothing, so it needs no signature. */
static int woocommerce_ping(struct req *r, const char *topic)
{
	const char *b = r->body.data;
	size_t n = r->body.len, k = strlen("webhook_id=");
	if (topic || n <= k || n > 40 || strncmp(b, "webhook_id=", k))
		return 0;
	for (size_t i = k; i < n; i++)
		if (b[i] < '0' || b[i] > '9')
			return 0;
	return 1;
}

static int inbound(struct req *r, enum integration_platform p, struct err *e)
{
	struct inbound_call c = { .r = r, .p = p };
	int rc;
	c.domain = header(r, headers[p].domain);
	c.signature = header(r, headers[p].signature);
	c.delivery_id = header(r, headers[p].delivery);
	c.topic = header(r, headers[p].topic);
	if (p == INTEGRATION_WOOCOMMERCE && woocommerce_ping(r, c.topic)) {
		req_json(r, 200, json_pack("{s:s, s:s}", "object", "integration_ping", "platform",
					   integration_platform_name(p)));
		return 0;
	}
	/* Who is calling first: nothing of the body is read before. */
	if ((rc = req_read(r, verify_tx, &c, e)))
		return rc;
	r->shop_id = arena_strdup(&r->arena, c.shop);
	if (!delivery_id_valid(c.delivery_id))
		return err_setc(e, ERR_INVALID, "parameter_missing", headers[p].delivery,
				"\"%s\" must name the delivery (1 to %d printable characters)",
				headers[p].delivery, INTEGRATION_DELIVERY_ID_MAX);
	if (!c.topic || !*c.topic || strlen(c.topic) > 100)
		return err_setc(e, ERR_INVALID, "parameter_missing", headers[p].topic,
				"\"%s\" must name the webhook's topic", headers[p].topic);
	c.kind = topic_kind(p, c.topic);
	if ((rc = read_payload(&c, e)))
		return rc;
	rc = req_write(r, inbound_tx, &c, e);
	/* As DELETE /v1/customers/{id}: old page images of the erased rows
	 * leave the WAL (a scrub that would wait is left due to the store). */
	struct err scrub;
	if (!rc && c.erased && store_scrub(r->store, &scrub))
		log_warn("erasure scrub deferred", ",\"request_id\":\"%s\",\"error\":\"%s\"",
			 r->request_id, scrub.code);
	return rc;
}

int api_integrations_shopify_webhook(struct req *r, struct err *e)
{
	return inbound(r, INTEGRATION_SHOPIFY, e);
}

int api_integrations_woocommerce_webhook(struct req *r, struct err *e)
{
	return inbound(r, INTEGRATION_WOOCOMMERCE, e);
}
