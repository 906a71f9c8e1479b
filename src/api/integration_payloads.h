/*
 * integration_payloads.h: the Shopify and WooCommerce webhook payloads read
 * into core/integration.h's structs (api/integration_payloads.c). Only the
 * fields docs/integrations.md maps are read; the rest of a payload is left
 * alone, as the platforms add fields over time. Bad or missing fields that
 * are mapped are ERR_INVALID naming the field ("line_items[2].price").
 * Everything read lives in the arena a or in the payload object.
 */
#ifndef RETAIN_API_INTEGRATION_PAYLOADS_H
#define RETAIN_API_INTEGRATION_PAYLOADS_H

#include <jansson.h>

#include "../core/integration.h"

/* orders/create, orders/updated, orders/paid, orders/cancelled. */
int shopify_read_order(struct arena *a, json_t *o, struct integration_order *out, struct err *e);
/* refunds/create: the refund and the external id of its order. currency is
 * the order's, which the refund payload names only in its transactions. */
int shopify_read_refund(struct arena *a, json_t *o, struct integration_refund *out,
			const char **order_external_id, struct err *e);
/* customers/create, customers/update. */
int shopify_read_customer(struct arena *a, json_t *o, struct integration_customer *out,
			  struct err *e);
/* customers/redact (orders_key "orders_to_redact") and customers/data_request
 * ("orders_requested"): the customer {id, email, phone} and the order ids;
 * data_request.id when there is one. A customer naming nobody is read (the
 * delivery is then "ignored"); a missing customer object is 400. */
int shopify_read_privacy(struct arena *a, json_t *o, const char *orders_key,
			 struct integration_privacy *out, struct err *e);

/* order.created, order.updated. */
int woocommerce_read_order(struct arena *a, json_t *o, struct integration_order *out,
			   struct err *e);
/* customer.created, customer.updated. */
int woocommerce_read_customer(struct arena *a, json_t *o, struct integration_customer *out,
			      struct err *e);

#endif
