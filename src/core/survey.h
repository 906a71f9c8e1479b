/*
 * survey.h: what customers think. Two kinds:
 *	nps	0..10, "would you recommend us?", sent after an order's first
 *		delivery (the first "delivered" event of any of its shipments)
 *	csat	1..5, "how did we do?", sent after a ticket is solved
 * Each is sent at most once per cause (the order, the ticket: a unique key),
 * only when the shop has a support contact (core/shop.h) and the customer is
 * not erased; otherwise nothing is stored and "survey.skipped" names the
 * cause in the outbox. Sending stores the survey (state "sent") and writes
 * "survey.sent" (object: the survey, related: its customer): the message
 * that carries it (issue 13) reads the survey, its answer link and the
 * shop's contact.
 *
 * The answer link carries a one-click token
 *	svt_<shop id>.<survey id>.<HMAC-SHA256 hex>
 * signed over the shop, the survey, its kind and its customer with a key
 * derived from the shop's token secret under its own label
 * (token_derive_key): no other token passes for it, and the secret never
 * leaves the database. The token names its shop, so an answer needs no key.
 *
 * Answering (survey_answer) refuses, changing nothing:
 *	ERR_REFUSED (422) "survey_token_invalid"	forged, malformed, of an
 *		unknown shop or survey, or with another shop's name or signature
 *		(the same words whatever the cause), or of a customer since erased
 *	ERR_CONFLICT (409) "survey_already_answered"	a second answer that
 *		differs from the first (the same answer again returns the survey
 *		as it is: a retried click changes nothing)
 *	ERR_INVALID (400) "score"	outside 0..10 (nps) or 1..5 (csat);
 *		"comment", "suggestion" longer than SURVEY_TEXT_MAX bytes
 * A detractor (nps <= 6, csat <= 2) opens a ticket (source "survey", on
 * the channel of the survey's order or ticket when tickets have it, else
 * "web"; it gets its due times from the SLA policies like any other).
 *
 * Erasing a customer (core/customer.h) forgets the words of their answers
 * (comment, suggestion); the scores stay for the reports.
 *
 * Strings live in the arena the survey was read into.
 */
#ifndef RETAIN_SURVEY_H
#define RETAIN_SURVEY_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define SURVEY_TEXT_MAX 2000
#define SURVEY_TOKEN_MAX 160

struct shipment;
struct ticket;

struct survey {
	char id[ID_MAX];
	const char *kind, *cause, *customer_id, *order_id, *ticket_id, *shipment_id, *channel,
		*state, *comment, *suggestion, *tier, *follow_up_ticket_id;
	int64_t score;		/* -1 before the answer */
	int64_t sent_at, answered_at;
	char token[SURVEY_TOKEN_MAX];	/* "" unless asked for */
};

struct survey_answer_input {
	const char *token, *comment, *suggestion;	/* comment, suggestion may be NULL */
	int64_t score;
};

/* The hook of shipment_add_event() for a new carrier event of s: sends the
 * order's NPS survey on a "delivered" one (once per order). */
int survey_after_delivery(struct store_tx *tx, const char *shop, const struct shipment *s,
			  const char *event_type, struct err *e);
/* The hook of a ticket's move to "solved": sends its CSAT survey (once). */
int survey_after_solve(struct store_tx *tx, const char *shop, const struct ticket *t,
		       struct err *e);

/* The answer link of survey id for its e-mail (core/email_events.c): the
 * shop's survey page with the survey's token into *link (in the arena), or
 * NULL when the survey is answered already, unknown, or the shop has no
 * survey page (PATCH /v1/shops/{id} survey_url). */
int survey_link(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		const char **link, struct err *e);
/* page (an http(s) URL) with "token=<token>" added to its query. */
const char *survey_link_url(struct arena *a, const char *page, const char *token);

/* The answer; the survey as it is now into out (with its token). */
int survey_answer(struct store_tx *tx, struct arena *a, const struct survey_answer_input *in,
		  struct survey *out, struct err *e);

/* The customer's surveys (and those of customers merged into it), newest
 * first, at most limit; with_token 1 fills each one's token. */
int survey_list_of_customer(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *customer, int with_token, int answered_only, int limit,
			    struct survey **out, int *n, struct err *e);

/* 1 for a detractor's score of kind. */
int survey_is_detractor(const char *kind, int64_t score);

#endif
