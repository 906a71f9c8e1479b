/*
 * order_delivery.h: an order's delivery state as its customer sees it (issue
 * 14, the storefront's past orders), summed up from the order's shipments
 * (core/shipment.h). No store access: the caller reads the shipments.
 *
 * The state is one of order_delivery_states[]:
 *	not_shipped       no shipment yet
 *	preparing         shipments exist, none has a carrier event yet
 *	shipped, out_for_delivery, failed_attempt, damaged
 *	                  the status of the undelivered shipment that changed last
 *	partly_delivered  some shipments delivered, others not
 *	delivered         every shipment delivered
 *	returned          a shipment came back (whatever the others did)
 * late: a shipment was marked late and is not delivered, or was delivered
 * after its promise. Pointers in out point into the shipments.
 */
#ifndef RETAIN_ORDER_DELIVERY_H
#define RETAIN_ORDER_DELIVERY_H

#include <stdint.h>

#include "order.h"
#include "shipment.h"

extern const char *const order_delivery_states[];

struct order_delivery {
	const char *state;
	int64_t promised_at;	/* the earliest promise; 0: none */
	int64_t delivered_at;	/* the last delivery when state is delivered; else 0 */
	int late;
};

void order_delivery_summary(const struct order *o, const struct shipment *s, int n,
			    struct order_delivery *out);

#endif
