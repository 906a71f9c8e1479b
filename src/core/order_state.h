/*
 * order_state.h: the order state machine (docs/orders.md draws it).
 *
 *   pending --payment paid--> paid --refund part--> partially_refunded
 *   pending --payment failed--> payment_failed --payment paid--> paid
 *   pending, payment_failed --cancel--> cancelled
 *   paid, partially_refunded --refund all--> refunded
 *
 * Anything else is illegal and answered 409 with the current status.
 */
#ifndef RETAIN_ORDER_STATE_H
#define RETAIN_ORDER_STATE_H

enum order_status {
	ORDER_PENDING,
	ORDER_PAYMENT_FAILED,
	ORDER_PAID,
	ORDER_PARTIALLY_REFUNDED,
	ORDER_REFUNDED,
	ORDER_CANCELLED,
	ORDER_STATUS_COUNT
};

enum order_event {
	ORDER_EVENT_PAYMENT_PAID,
	ORDER_EVENT_PAYMENT_FAILED,
	ORDER_EVENT_CANCEL,
	ORDER_EVENT_REFUND_PART,
	ORDER_EVENT_REFUND_ALL,
	ORDER_EVENT_COUNT
};

/* The status after ev, or -1 when ev is not allowed in status from. */
int order_state_next(enum order_status from, enum order_event ev);
const char *order_state_name(enum order_status s);
/* -1 for an unknown name. */
int order_state_parse(const char *name);
const char *order_state_event_name(enum order_event ev);

#endif
