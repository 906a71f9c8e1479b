/* order_state.c: the transition table; see order_state.h. */
#include "order_state.h"

#include <string.h>

#define ILLEGAL -1

static const signed char transitions[ORDER_STATUS_COUNT][ORDER_EVENT_COUNT] = {
	/*                          paid         failed                cancel           refund part               refund all */
	[ORDER_PENDING]            = { ORDER_PAID, ORDER_PAYMENT_FAILED, ORDER_CANCELLED, ILLEGAL,                  ILLEGAL },
	[ORDER_PAYMENT_FAILED]     = { ORDER_PAID, ORDER_PAYMENT_FAILED, ORDER_CANCELLED, ILLEGAL,                  ILLEGAL },
	[ORDER_PAID]               = { ILLEGAL,    ILLEGAL,              ILLEGAL,         ORDER_PARTIALLY_REFUNDED, ORDER_REFUNDED },
	[ORDER_PARTIALLY_REFUNDED] = { ILLEGAL,    ILLEGAL,              ILLEGAL,         ORDER_PARTIALLY_REFUNDED, ORDER_REFUNDED },
	[ORDER_REFUNDED]           = { ILLEGAL,    ILLEGAL,              ILLEGAL,         ILLEGAL,                  ILLEGAL },
	[ORDER_CANCELLED]          = { ILLEGAL,    ILLEGAL,              ILLEGAL,         ILLEGAL,                  ILLEGAL },
};

static const char *const status_names[ORDER_STATUS_COUNT] = {
	"pending", "payment_failed", "paid", "partially_refunded", "refunded", "cancelled",
};

static const char *const event_names[ORDER_EVENT_COUNT] = {
	"pay", "record a failed payment for", "cancel", "refund", "refund",
};

int order_state_next(enum order_status from, enum order_event ev)
{
	if ((unsigned)from >= ORDER_STATUS_COUNT || (unsigned)ev >= ORDER_EVENT_COUNT)
		return ILLEGAL;
	return transitions[from][ev];
}

const char *order_state_name(enum order_status s)
{
	return (unsigned)s < ORDER_STATUS_COUNT ? status_names[s] : "unknown";
}

int order_state_parse(const char *name)
{
	for (int i = 0; i < ORDER_STATUS_COUNT; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

const char *order_state_event_name(enum order_event ev)
{
	return (unsigned)ev < ORDER_EVENT_COUNT ? event_names[ev] : "change";
}
