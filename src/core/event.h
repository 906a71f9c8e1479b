/*
 * event.h: the outbox. Every state change writes one event row in the same
 * transaction as the change itself, so an event exists exactly when its change
 * committed. Later versions deliver them as webhooks and e-mails.
 */
#ifndef RETAIN_EVENT_H
#define RETAIN_EVENT_H

#include "../store/store.h"

/* type like "order.paid"; related_id may be NULL. */
int event_record(struct store_tx *tx, const char *shop_id, const char *type,
		 const char *object_id, const char *related_id, struct err *e);

#endif
