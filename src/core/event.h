/*
 * event.h: the outbox. Every state change writes one event row in the same
 * transaction as the change itself, so an event exists exactly when its change
 * committed. Webhooks (core/webhook.h) deliver them: event_record() queues a
 * delivery for every endpoint of the shop subscribed to the type, in that
 * same transaction.
 *
 * The vocabulary: every type event_record() may write is a row of one table
 * (event.c), which also says what the event's object is and where its
 * customer is. A type missing there is an omission: it is still recorded,
 * and delivered only to "*" subscriptions, as an event of no customer.
 */
#ifndef RETAIN_EVENT_H
#define RETAIN_EVENT_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/buf.h"
#include "../base/ids.h"
#include "../store/store.h"

/* Where the customer of an event is found. */
enum event_customer {
	EVENT_CUSTOMER_NONE,		/* not a customer's event */
	EVENT_CUSTOMER_OBJECT,		/* object_id is the customer */
	EVENT_CUSTOMER_RELATED,		/* related_id is the customer (may be NULL) */
	EVENT_CUSTOMER_ORDER,		/* related_id is an order: its customer */
};

struct event_type {
	const char *name;		/* "order.paid" */
	const char *object;		/* what object_id names: "order" */
	enum event_customer customer;
	/* The key related_id is shown under in the event's data when it is not
	 * the customer ("order", "tier"), NULL when it is the customer. */
	const char *related;
};

/* The row of the vocabulary for name, NULL when it is not an event type. */
const struct event_type *event_type_find(const char *name);
/* The row for name, or *unknown filled as a type of no customer (object
 * "object", related id under "related") when the vocabulary lacks it. */
const struct event_type *event_type_or_unknown(const char *name, struct event_type *unknown);
/* The customer of an event of type t, as the vocabulary says where it is;
 * order_customer is the customer of the order related_id names (for
 * EVENT_CUSTOMER_ORDER, looked up by the caller). NULL for none. */
const char *event_customer(const struct event_type *t, const char *object_id,
			   const char *related_id, const char *order_customer);
/* The vocabulary, for docs and tests: n rows. */
const struct event_type *event_types(int *n);
/* 1 when pattern is a subscription: "*", a type, or "GROUP.*" for a group
 * ("offer.*": every type whose name starts with "offer."). */
int event_pattern_valid(const char *pattern);
/* 1 when type is selected by the (valid) pattern. */
int event_pattern_matches(const char *pattern, const char *type);

/* A recorded event, for GET /v1/events and the webhooks. */
struct event {
	char id[ID_MAX];
	const char *type, *object_id, *related_id;
	const char *customer_id;	/* from the vocabulary's customer column, or NULL */
	int64_t created_at;
};

/*
 * The event's data as a JSON object into b (the same for the API and the
 * webhook body): {"object": what object_id is, "id": object_id,
 * "customer": the customer or null, and the related id under its key when
 * the type has one}. -1 when b is full.
 */
int event_data_json(struct buf *b, const struct event *ev);

/* The shop's events after starting_after (an event id), oldest first, whose
 * type pattern selects (NULL: every type); ERR_NOT_FOUND for a cursor that is
 * not an event of the shop. */
int event_list(struct store_tx *tx, struct arena *a, const char *shop, const char *pattern,
	       const char *starting_after, int limit, struct event **out, int *n, int *more,
	       struct err *e);
/* ERR_NOT_FOUND for an id that is not an event of the shop. */
int event_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	      struct event *out, struct err *e);

/* type like "order.paid" (a row of the vocabulary); related_id may be NULL. */
int event_record(struct store_tx *tx, const char *shop_id, const char *type,
		 const char *object_id, const char *related_id, struct err *e);

#endif
