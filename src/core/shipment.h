/*
 * shipment.h: the parcels of an order and what the carrier says about them.
 *
 * A shipment belongs to one order and carries the delivery promise (the
 * order's promised_delivery_at unless it has its own). Carrier events
 * (shipment_event_types[]) come with their own time and external id, in any
 * order and any number of times: each is stored once (the same external id
 * with the same content is a replay, with other content ERR_CONFLICT
 * "event_exists"), and the shipment's state is derived again from all its
 * events by their times: the latest event's type is the status, the first
 * delivery is delivered_at, damaged and returned are remembered.
 *
 * A shipment is on time when delivered by its promise. shipment_mark_late()
 * (the jobs) marks a shipment late once, as soon as its promise passed with
 * no delivery, writes "delivery.late" and fires the late_delivery trigger
 * (core/offers.h) for its customer with the shipment as the cause, unless
 * the customer caused the delay: a failed attempt with reason
 * customer_absent at or before the promise. Results live in the arena.
 */
#ifndef RETAIN_SHIPMENT_H
#define RETAIN_SHIPMENT_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define SHIPMENT_TEXT_MAX 200
#define SHIPMENT_MAX_LINES 500

extern const char *const shipment_event_types[];
extern const char *const shipment_event_reasons[];

struct shipment_line {
	const char *sku;
	int64_t quantity;
};

struct shipment_event {
	const char *external_id, *type, *reason;
	int64_t at, created_at;
};

struct shipment {
	char id[ID_MAX];
	const char *order_id, *customer_id, *external_id, *carrier, *region, *partner,
		*tracking_id, *status;
	int64_t promised_delivery_at, shipped_at, delivered_at, late_at, created_at, updated_at;
	int damaged, returned, customer_caused;
	int on_time;		/* 1 delivered by the promise, 0 late, -1 not known yet */
	struct shipment_line *lines;
	int nlines;
	struct shipment_event *events;	/* by time */
	int nevents;
};

struct shipment_input {
	const char *external_id, *carrier, *region, *partner, *tracking_id;
	struct shipment_line *lines;	/* each sku must be in the order */
	int nlines;
	int64_t promised_delivery_at;	/* 0: the order's */
	const char *fingerprint;	/* of the request, for replays */
};

/* Creates a shipment of the order ref; the same external_id again with the
 * same fingerprint returns it (*created 0), with another ERR_CONFLICT
 * "shipment_exists". A cancelled order is ERR_CONFLICT
 * "order_status_conflict". */
int shipment_create(struct store_tx *tx, struct arena *a, const char *shop, const char *order_ref,
		    const struct shipment_input *in, struct shipment *out, int *created,
		    struct err *e);
int shipment_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		 struct shipment *out, struct err *e);
/* The order's shipments, oldest first. */
int shipment_list_of_order(struct store_tx *tx, struct arena *a, const char *shop,
			   const char *order_id, struct shipment **out, int *n, struct err *e);

struct shipment_event_input {
	const char *external_id, *type, *reason;
	int64_t at;
};
/* Adds a carrier event (checked: type and reason from the vocabularies, at
 * within the order time range) and derives the state again. *created 0 for
 * a replay. */
int shipment_add_event(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		       const struct shipment_event_input *in, struct shipment *out, int *created,
		       struct err *e);

/* The jobs' part, every shop: shipments whose promise passed undelivered are
 * marked late, once each. *marked: how many now; *apologies: triggers fired. */
int shipment_mark_late(struct store_tx *tx, int64_t *marked, int64_t *apologies, struct err *e);

#endif
