/*
 * ticket.h: support tickets, tied to a customer (and an order when there is
 * one), by any channel (sla_channels[]). A ticket gets its due times from
 * the shop's SLA policies (core/sla.h) when it is opened and again when its
 * priority changes: first response due (met by the first agent message) and
 * resolution due (met when it is solved).
 *
 * Status: open -> pending (waiting for the customer) -> open again when the
 * customer writes; solved (an agent's word) -> closed, or open again when the
 * customer writes before it is closed. A closed ticket takes no more
 * messages (ERR_CONFLICT "ticket_closed"). Due times do not pause.
 *
 * ticket_mark_breaches() (the jobs) marks each target breached once, as
 * soon as its due time passes unmet, writes "ticket.sla_breached" and fires
 * the ticket_sla_breached trigger (core/offers.h) with the ticket and the
 * target as the cause. Results live in the arena.
 */
#ifndef RETAIN_TICKET_H
#define RETAIN_TICKET_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "order.h"

#define TICKET_SUBJECT_MAX 200
#define TICKET_BODY_MAX 20000
#define TICKET_TAGS_MAX 20

extern const char *const ticket_statuses[];

struct ticket_message {
	char id[ID_MAX];
	const char *author, *agent, *body;
	int64_t created_at;
};

struct ticket {
	char id[ID_MAX];
	const char *customer_id, *order_id, *channel, *subject, *status, *priority, *assignee,
		*source, *policy_id;
	const char **tags;
	int ntags;
	int64_t first_response_due_at, resolution_due_at, first_response_at, solved_at, closed_at,
		first_response_breached_at, resolution_breached_at, created_at, updated_at;
	struct ticket_message *messages;
	int nmessages;
};

struct ticket_input {
	const char *channel, *order, *subject, *body, *priority, *source;
	struct order_customer customer;
	const char *const *tags;
	int ntags;
};

/* Opens a ticket with its first message (the customer's body); an erased
 * customer (also as the order's) is ERR_CONFLICT customer_inactive. */
int ticket_create(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct ticket_input *in, struct ticket *out, struct err *e);
int ticket_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
	       struct ticket *out, struct err *e);

struct ticket_message_input {
	const char *author, *agent, *body;
};
/* A closed ticket, or one of an erased customer, is ERR_CONFLICT (ticket_closed,
 * customer_inactive). */
int ticket_add_message(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		       const struct ticket_message_input *in, struct ticket *out, struct err *e);

/* A change: NULL fields (and ntags -1) stay. */
struct ticket_change {
	const char *status, *priority, *assignee;
	const char *const *tags;
	int ntags;
	int clear_assignee;
};
int ticket_update(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		  const struct ticket_change *in, struct ticket *out, struct err *e);

struct ticket_filter {
	const char *status, *customer;	/* a customer ref */
	int breached;			/* -1 any, 0 not breached, 1 breached */
	int64_t due_before;		/* 0: any; else an unmet due time before it */
};
/* Newest first; messages are not loaded. */
int ticket_list(struct store_tx *tx, struct arena *a, const char *shop,
		const struct ticket_filter *f, const char *starting_after, int limit,
		struct ticket **out, int *n, int *has_more, struct err *e);

int ticket_mark_breaches(struct store_tx *tx, int64_t *marked, struct err *e);

#endif
