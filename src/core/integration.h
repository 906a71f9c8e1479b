/*
 * integration.h: inbound integrations (issue 13). A shop connects its Shopify
 * store or WooCommerce site; the platform's signed webhooks then become
 * retain's customers, orders, payments, cancellations and refunds, through
 * the same core functions the API calls (customer.h, order.h), so that an
 * order that arrives by webhook earns exactly what the same order sent to
 * POST /v1/orders earns.
 *
 * This file knows no JSON and no HTTP: api/integrations.c reads the headers
 * and the platform's payload into the plain structs below; the mapping of
 * the platforms' fields is documented field by field in docs/integrations.md.
 *
 * The platform's ids become external ids with a prefix naming the platform
 * ("shopify:450789469", "woocommerce:727"), so that they never meet the
 * shop's own external ids; integration_external_id() makes them.
 *
 * Results live in the arena a.
 */
#ifndef RETAIN_INTEGRATION_H
#define RETAIN_INTEGRATION_H

#include <stddef.h>
#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "order.h"

enum integration_platform { INTEGRATION_SHOPIFY, INTEGRATION_WOOCOMMERCE, INTEGRATION_COUNT };

#define INTEGRATION_SECRET_MIN 8
#define INTEGRATION_SECRET_MAX 256
#define INTEGRATION_DOMAIN_MAX 255	/* a Shopify host; a WooCommerce URL up to SHOP_URL_MAX */
#define INTEGRATION_DELIVERY_ID_MAX 200

/* "shopify" or "woocommerce". */
const char *integration_platform_name(enum integration_platform p);

struct integration {
	const char *platform, *domain;
	char shop_id[ID_MAX];
	char secret_hint[16];	/* "…" and the secret's last four characters */
	int64_t created_at, updated_at;
};

/*
 * The domain a platform names itself by, normalised into *out (the arena):
 * Shopify: the store's host ("tea-house.myshopify.com"; a scheme or a
 * trailing slash pasted along is dropped, letters are lower-cased).
 * WooCommerce: the site URL ("https://tea.example" or with a path for a site
 * in a subdirectory; scheme and host lower-cased, trailing slashes dropped).
 * ERR_INVALID naming param for anything else.
 */
int integration_normalize_domain(struct arena *a, enum integration_platform p, const char *raw,
				 const char *param, const char **out, struct err *e);
/* Connects (or reconnects with a new secret) the shop's store on platform p.
 * ERR_CONFLICT "integration_domain_taken" when another retain shop has
 * connected that domain; ERR_INVALID for a secret not of
 * INTEGRATION_SECRET_MIN..MAX printable ASCII characters. *created tells
 * whether the connection is new. */
int integration_connect(struct store_tx *tx, struct arena *a, const char *shop,
			enum integration_platform p, const char *domain, const char *secret,
			struct integration *out, int *created, struct err *e);
/* ERR_NOT_FOUND when the shop has not connected platform p. */
int integration_get(struct store_tx *tx, struct arena *a, const char *shop,
		    enum integration_platform p, struct integration *out, struct err *e);
/* Forgets the connection (and so its secret); ERR_NOT_FOUND when none. The
 * deliveries already applied stay remembered. */
int integration_disconnect(struct store_tx *tx, struct arena *a, const char *shop,
			   enum integration_platform p, struct integration *out, struct err *e);

/*
 * Finds the shop that connected domain (as the platform's header names it)
 * and verifies signature, the base64 HMAC-SHA256 of the raw body under that
 * shop's secret, in constant time. 0 with shop set, or ERR_AUTH
 * "webhook_signature_invalid" for a missing or wrong signature and for a
 * domain nobody connected alike: the answer never tells which.
 */
int integration_verify(struct store_tx *tx, enum integration_platform p, const char *domain,
		       const void *body, size_t len, const char *signature, char shop[ID_MAX],
		       struct err *e);

/*
 * Remembers delivery_id (the platform's own id of one webhook delivery) as
 * applied with outcome "applied" or "ignored", inside the write that applies
 * it. *replayed = 1 (and nothing written) when it was already: the caller
 * then changes nothing and answers as before.
 */
int integration_delivery_claim(struct store_tx *tx, const char *shop,
			       enum integration_platform p, const char *delivery_id,
			       const char *topic, int *replayed, struct err *e);
int integration_delivery_outcome(struct store_tx *tx, const char *shop,
				 enum integration_platform p, const char *delivery_id,
				 const char *outcome, struct err *e);

/*
 * How long a delivery id is remembered (the jobs prune older rows):
 * 7 days. Shopify retries a delivery that got no 2xx 8 times over 4 hours
 * (19 times over 48 hours before September 2024) and may deliver up to a day
 * late; WooCommerce gives each delivery an id of its own and disables a
 * webhook after 5 failures in a row. Every retry of a delivery falls well inside the window.
 * A replay after it is still safe for orders, payments and refunds (their
 * own external ids) and for an erased customer (the digest of their id):
 * docs/integrations.md, "Deliveries".
 */
#define INTEGRATION_DELIVERY_RETENTION_DAYS 7
#define INTEGRATION_DELIVERY_RETENTION_MS \
	((int64_t)INTEGRATION_DELIVERY_RETENTION_DAYS * 24 * 3600 * 1000)
/* At most this many rows go per run of the job; the next run takes the rest. */
#define INTEGRATION_DELIVERY_PRUNE_BATCH 10000
/* Forgets, for every shop, the deliveries received before
 * now - INTEGRATION_DELIVERY_RETENTION_MS (at most the batch, oldest first);
 * *pruned counts them. Idempotent: a second run at the same now finds none. */
int integration_deliveries_prune(struct store_tx *tx, int64_t now, int64_t *pruned,
				 struct err *e);

/*
 * A decimal amount as the platforms write it ("199.00", "-5.00", "1000") in
 * minor units of currency: exact (no floating point), at most the currency's
 * exponent of fractional digits unless the rest are zeros ("10.500" is 1050
 * cents; "10.505" is refused), |value| <= ORDER_AMOUNT_MAX * 3. A leading '-'
 * only when allow_negative. 0, or -1 when s is no such amount.
 */
int integration_money(const char *s, const char *currency, int allow_negative, int64_t *out);
/* "<platform>:<id>" in the arena: the external id of a platform's record. */
const char *integration_external_id(struct arena *a, enum integration_platform p, const char *id);

/* A customer as the platform describes it. NULL fields are unknown. An
 * e-mail or phone that retain cannot read (not an e-mail, not a number that
 * becomes E.164) is left out rather than refusing the whole webhook. */
struct integration_customer {
	const char *external_id;	/* integration_external_id() of the platform's id */
	const char *email, *phone, *first_name, *last_name;
	/* The customer's consent to marketing as the platform says it (1, 0,
	 * or -1 unknown): stored as the customer's marketing_consent when
	 * known (docs/integrations.md), also shown in the result. */
	int accepts_marketing;
};

struct integration_refund {
	const char *external_id;
	const char *reason;
	struct refund_line *lines;	/* sku + quantity */
	int nlines;
	int64_t amount;		/* the money returned; -1: computed from the lines */
};

enum integration_payment {
	INTEGRATION_UNPAID,	/* pending, authorized, on hold */
	INTEGRATION_PAID,
	INTEGRATION_PAYMENT_FAILED,
};

struct integration_order {
	const char *external_id;
	struct integration_customer customer;
	const char *currency, *channel, *payment_method;
	struct order_line *lines;
	int nlines;
	int64_t shipping, tax;
	int64_t total;		/* the platform's total, checked against the parts */
	int64_t placed_at;	/* 0: unknown (now) */
	enum integration_payment payment;
	int cancelled;
	/* WooCommerce's status "refunded": whatever the listed refunds leave
	 * unrefunded is refunded too. */
	int refunded_in_full;
	struct integration_refund *refunds;
	int nrefunds;
	/* Set: the payload is no order retain keeps (WooCommerce's checkout
	 * drafts); the delivery is "ignored" with this reason. */
	const char *ignored;
};

/* What a webhook did. outcome is "applied" or "ignored" (reason says why). */
struct integration_result {
	const char *outcome, *reason;
	char customer_id[ID_MAX], order_id[ID_MAX];
	const char *order_status;
	int accepts_marketing;
};

/*
 * customers/create and customers/update: the customer known by the external
 * id, or else by the e-mail or phone, is updated with what the platform sent;
 * nobody known: a new customer with that external id. An e-mail or phone that
 * belongs to another retain customer is left where it is (merging is the
 * shop's decision).
 */
int integration_apply_customer(struct store_tx *tx, struct arena *a, const char *shop,
			       const struct integration_customer *in,
			       struct integration_result *out, struct err *e);
/*
 * Any order topic: each payload carries the whole order, so each brings the
 * retain order to the state it describes, whatever arrived before: created
 * when unknown (its customer found or created as above; an order with no
 * customer identity at all is ignored), then paid, failed, refunded (each
 * listed refund once, by its external id) or cancelled as the payload says.
 * The parts must add up to total (ERR_REFUSED "integration_total_mismatch").
 * A known order keeps its lines: later edits on the platform are not
 * mirrored (docs/integrations.md).
 */
int integration_apply_order(struct store_tx *tx, struct arena *a, const char *shop,
			    const struct integration_order *in, struct integration_result *out,
			    struct err *e);
/*
 * Shopify's refunds/create: a refund of the order order_external_id. An order
 * retain does not know yet is ERR_CONFLICT "integration_order_unknown", and an
 * order not yet paid ERR_CONFLICT "order_status_conflict": both retryable, so
 * that the platform delivers it again after the order (docs/integrations.md).
 */
int integration_apply_refund(struct store_tx *tx, struct arena *a, const char *shop,
			     const char *order_external_id, const struct integration_refund *in,
			     struct integration_result *out, struct err *e);

/*
 * Shopify's privacy topics (customers/redact, customers/data_request,
 * shop/redact): who a request is about and the orders it names. The
 * platform's answer deadline is 30 days; retain answers at once.
 */
struct integration_privacy {
	struct integration_customer customer;	/* external id, e-mail, phone */
	const char **orders;	/* external ids ("shopify:{id}") of the orders named */
	int norders;
	const char *request_id;	/* "shopify:{data_request.id}", or NULL */
};

/*
 * customers/redact: the customers to erase, each once, into *ids (the
 * arena): the one the request names, found as the other topics find
 * customers (the external id, else the e-mail, else the phone), the ones
 * holding the request's e-mail and phone (a guest record beside the
 * platform's), and the buyer retain recorded for each order named, so that
 * a guest record made from an order's e-mail goes too. A customer the platform knows under
 * another id of its own ("shopify:" and not this one) is someone else and is
 * left alone. *n 0: out is "ignored" with the reason (nobody known, or
 * erased already). The caller erases them (api/customers.c's erasure, which
 * calls customer_erase()); the orders stay, anonymous (docs/decisions.md).
 */
int integration_redact_targets(struct store_tx *tx, struct arena *a, const char *shop,
			       enum integration_platform p, const struct integration_privacy *in,
			       char (**ids)[ID_MAX], int *n, struct integration_result *out,
			       struct err *e);
/*
 * customers/data_request: retain cannot answer the platform, so it tells the
 * shop: an event "customer.data_requested" of the customer found as above
 * (its data names the platform's request id under "data_request"), for the
 * shop's webhooks and GET /v1/events. "ignored" when retain holds nobody.
 */
int integration_apply_data_request(struct store_tx *tx, struct arena *a, const char *shop,
				   enum integration_platform p,
				   const struct integration_privacy *in,
				   struct integration_result *out, struct err *e);
/*
 * shop/redact (48 hours after the store uninstalled the app): the
 * connection and its secret are forgotten, as integration_disconnect(); the
 * shop's customers, points and orders stay (docs/decisions.md says why).
 */
int integration_apply_shop_redact(struct store_tx *tx, struct arena *a, const char *shop,
				  enum integration_platform p, struct integration_result *out,
				  struct err *e);

#endif
