/*
 * order.h: orders with lines, payments (paid and failed), cancellation and
 * refunds (by lines or amount, partial ones adding up, never more than paid).
 *
 * Amounts are integers in the minor unit of the order's ISO 4217 currency.
 * total must equal sum(quantity * unit_price - discount) + shipping + tax,
 * where a line's discount is for the whole line. Every state change writes an
 * event (core/event.h) in the same transaction.
 *
 * Natural idempotency: an order's external_id, a refund's external_id and an
 * optional payment external_id. Creating again with the same external id and
 * the same fingerprint (a digest of the request the caller computes) returns
 * the existing record with *created = 0; another fingerprint is ERR_CONFLICT.
 * For an order, "the same" also means a customer reference that finds the
 * order's customer (docs/decisions.md, "order fingerprints").
 *
 * Refs are "ord_..." ids or "ext:<external_id>". Results live in the arena.
 */
#ifndef RETAIN_ORDER_H
#define RETAIN_ORDER_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define ORDER_MAX_LINES 500
#define ORDER_TEXT_MAX 200
#define ORDER_AMOUNT_MAX 1000000000000000LL	/* 10^15 minor units */
#define ORDER_QUANTITY_MAX 1000000
/* An order's placed_at and promised_delivery_at: 1980-01-01T00:00:00Z (incl.)
 * to 2100-01-01T00:00:00Z (excl.), in unix ms. Earlier is a data error (often
 * a zero or a seconds-for-milliseconds mix-up), never silently "now". */
#define ORDER_YEAR_MIN 1980
#define ORDER_YEAR_END 2100	/* the first year no longer allowed */
/* Unix ms of 1 January of year y (1970 < y <= 2400), as a constant. */
#define ORDER_JAN1_MS(y) \
	((365LL * ((y) - 1970) + ((y) - 1969) / 4 - ((y) - 1901) / 100 + ((y) - 1601) / 400) * \
	 86400000LL)
#define ORDER_TIME_MIN_MS ORDER_JAN1_MS(ORDER_YEAR_MIN)	/* 315532800000 */
#define ORDER_TIME_MAX_MS ORDER_JAN1_MS(ORDER_YEAR_END)	/* 4102444800000 */
/* "from 1980-01-01T00:00:00Z to before 2100-01-01T00:00:00Z", for messages. */
#define ORDER_TIME_RANGE_MAX 160

struct order_line {
	int position;
	const char *sku, *name, *category;
	int64_t quantity, unit_price, discount, refunded_quantity;
};

struct payment {
	char id[ID_MAX];
	const char *external_id, *status, *method, *failure_reason;
	int64_t amount, created_at;
};

struct refund_line {
	int64_t position;	/* index into the order's lines */
	const char *sku;
	int64_t quantity, amount;
};

struct refund {
	char id[ID_MAX];
	const char *external_id, *reason;
	int64_t amount, created_at;
	struct refund_line *lines;
	int nlines;
};

struct order {
	char id[ID_MAX];
	const char *external_id, *customer_id, *currency, *channel, *seller, *status;
	int64_t subtotal, discount, shipping, tax, total;
	int64_t paid_amount, refunded_amount, failed_payments;
	int64_t placed_at, promised_delivery_at, created_at, updated_at;
	struct order_line *lines;
	int nlines;
	struct payment *payments;
	int npayments;
	struct refund *refunds;
	int nrefunds;
};

/* How an order names its customer: by id, external id, or identities (an
 * unknown e-mail or phone creates a guest with them). */
struct order_customer {
	const char *id, *external_id, *email, *phone, *whatsapp, *name;
};

/* Finds the customer c refers to (following merges) into id, creating a
 * guest with its identities when nobody is known by them: orders and
 * tickets name their customer this way. */
int order_resolve_customer(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct order_customer *c, char id[ID_MAX], struct err *e);

struct order_input {
	const char *external_id;
	struct order_customer customer;
	const char *currency, *channel, *seller;
	struct order_line *lines;
	int nlines;
	int64_t shipping, tax, total;
	int64_t placed_at;		/* 0: now; else within ORDER_TIME_MIN/MAX_MS */
	int64_t promised_delivery_at;	/* 0: none */
	/* The digest of the request. When fingerprint_omits_customer (the API's,
	 * which leaves out the customer object and its personal data), a repeat
	 * must also name the same customer (order_create). */
	const char *fingerprint;
	int fingerprint_omits_customer;
	/* Optional: writes the digest of the whole request (64 hex digits and
	 * its NUL) into out, which orders stored before issue 8 carry, so that
	 * their replays still match. Called (with legacy_ctx) only when an order
	 * with the external_id exists and its stored digest is such a one: no
	 * other stored digest is 64 characters long ("c1:" and "import:" ones
	 * are longer, "erased" shorter), so a new order never pays for it. */
	void (*legacy_fingerprint)(void *legacy_ctx, char out[65]);
	void *legacy_ctx;
};

struct payment_input {
	const char *external_id, *status, *method, *failure_reason;
	int64_t amount;		/* -1: the order's total */
};

struct refund_input {
	const char *external_id, *reason, *fingerprint;
	struct refund_line *lines;	/* sku + quantity; position/amount computed */
	int nlines;
	int64_t amount;		/* -1: computed from the lines */
};

struct order_filter {
	const char *customer;	/* a customer ref */
	const char *status;
};

/* Erasure: the customer's orders forget fingerprints that digest a whole
 * request body (its customer object with e-mail, name and phone); a replay of
 * such an order is ERR_CONFLICT afterwards. */
int order_forget_fingerprints(struct store_tx *tx, const char *shop, const char *customer_id,
			      struct err *e);

/* 1 when ms lies in [ORDER_TIME_MIN_MS, ORDER_TIME_MAX_MS). */
int order_time_valid(int64_t ms);
/* Writes the range above as text ("from ... to before ...") into out. */
const char *order_time_range(char out[ORDER_TIME_RANGE_MAX]);

/* 1 when channel is one of web, app, phone, whatsapp, store, marketplace. */
int order_channel_valid(const char *channel);

int order_create(struct store_tx *tx, struct arena *a, const char *shop,
		 const struct order_input *in, struct order *out, int *created,
		 struct err *e);
int order_get(struct store_tx *tx, struct arena *a, const char *shop,
	      const char *ref, struct order *out, struct err *e);
int order_list(struct store_tx *tx, struct arena *a, const char *shop,
	       const struct order_filter *f, const char *starting_after, int limit,
	       struct order **out, int *n, int *has_more, struct err *e);
/* A payment attempt. "failed" ones are kept: they cost loyalty. */
int order_pay(struct store_tx *tx, struct arena *a, const char *shop,
	      const char *ref, const struct payment_input *in, struct order *out,
	      struct err *e);
int order_cancel(struct store_tx *tx, struct arena *a, const char *shop,
		 const char *ref, struct order *out, struct err *e);
/* ERR_REFUSED ("refund_exceeds_paid", "refund_exceeds_quantity") when the
 * refund would return more than was paid or bought. */
int order_refund(struct store_tx *tx, struct arena *a, const char *shop,
		 const char *ref, const struct refund_input *in, struct order *out,
		 int *created, struct err *e);

/* The discount share of refunding q more units of a line of which `before`
 * were already refunded: floor-based so that all partial shares add up to the
 * line's discount exactly. */
int64_t order_discount_share(int64_t discount, int64_t quantity, int64_t before,
			     int64_t q);

#endif
