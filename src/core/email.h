/*
 * email.h: e-mail to customers (issue 13, docs/email.md). A shop writes a
 * template (subject, text, HTML in the mustache subset of base/template.h)
 * per event type of the vocabulary below; the jobs then turn each new event
 * of that type into one message per (event, customer), rendered against the
 * customer, the shop and the event's object, and send it over SMTP.
 *
 * Messages: queued -> sent, or failed after EMAIL_ATTEMPTS_MAX attempts
 * (back-off EMAIL_RETRY_FIRST_MS doubling up to EMAIL_RETRY_MAX_MS) or at
 * once when the server refuses the recipient or the message for good (550,
 * 551, 553, 554); or
 * skipped at once with a reason: no_email, erased, unsubscribed,
 * weekly_cap, no_shop_contact, no_unsubscribe_url, render_failed.
 * Promotional messages go only to customers who did not unsubscribe, at
 * most the shop's promotional_weekly_cap in 7 days; transactional ones
 * always. Every message carries the shop's contact line and an
 * unsubscribe link (the shop's unsubscribe_url with ?token=, the token for
 * POST /v1/unsubscribe), also in a List-Unsubscribe header.
 *
 * Once per event across nodes: the queueing is a job of core/jobs.c (its
 * lock, and the UNIQUE (shop_id, event_id, customer_id) of the message); a
 * send is claimed by a conditional UPDATE setting a lease, so two nodes never
 * send one message at the same time. A node dying between the SMTP reply and
 * the mark sends it again after the lease (at least once).
 *
 * Results are allocated in the arena a.
 */
#ifndef RETAIN_EMAIL_H
#define RETAIN_EMAIL_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/config.h"
#include "../base/ids.h"
#include "../base/template.h"
#include "../store/store.h"

#define EMAIL_SUBJECT_MAX 1000		/* bytes of a subject template */
#define EMAIL_BODY_MAX (64 * 1024)	/* bytes of a text or HTML template */
#define EMAIL_OUTPUT_MAX (256 * 1024)	/* bytes of a rendered part */
#define EMAIL_WEEKLY_CAP_DEFAULT 3
#define EMAIL_WEEKLY_CAP_MAX 100
#define EMAIL_ATTEMPTS_MAX 10
#define EMAIL_RETRY_FIRST_MS (60 * 1000LL)
#define EMAIL_RETRY_MAX_MS (6 * 3600 * 1000LL)
/* A claimed message is another node's to send again after this: longer than
 * one send may take (10 s to connect + --smtp-timeout-seconds, at most 600);
 * each message is marked sent as soon as its server answered. */
#define EMAIL_LEASE_MS (15 * 60 * 1000LL)
/* Events older than this when first seen get no e-mail (a server without
 * --smtp-url for a while does not send a backlog of stale news). */
#define EMAIL_EVENT_MAX_AGE_MS (2 * 86400 * 1000LL)
#define EMAIL_TOKEN_MAX 160
#define EMAIL_URL_MAX 2000

/* ---- the vocabulary (email_events.c) ---- */

enum email_class { EMAIL_TRANSACTIONAL, EMAIL_PROMOTIONAL };

/* The event types a template may be written for, in the table's order. */
int email_event_count(void);
const char *email_event_type(int i);
enum email_class email_event_class(int i);
/* The index of type, or -1. */
int email_event_find(const char *type);
const char *email_class_name(enum email_class c);
/* The variables of event i, NULL-terminated: the common ones first. */
const char *const *email_event_variables(int i, int *n);

/* The data of one event for its template, built from the store; customer
 * gets the event's customer (the one it was merged into, if so), "" when the
 * event has none or it is unknown. */
int email_event_context(struct store_tx *tx, struct arena *a, int event, const char *shop,
			const char *object_id, const char *related_id, struct template_value *root,
			char customer[ID_MAX], struct err *e);
/* Made-up data with every variable of event i, for previews. */
struct template_value *email_event_sample(struct arena *a, int event);

/* ---- templates ---- */

struct email_template {
	const char *event_type, *subject, *text, *html;
	int64_t created_at, updated_at;
};

/* Checks in (event type of the vocabulary, parts within their limits and
 * valid templates using only the event's variables): ERR_INVALID naming
 * "event" (code "event_type_unknown"), "subject", "text" or "html". */
int email_template_check(const struct email_template *in, struct err *e);
/* Creates or replaces the shop's template of in->event_type, after the
 * check; *created 1 when there was none. A new template sees the events from
 * now on, a replaced one keeps its place. */
int email_template_put(struct store_tx *tx, const char *shop, const struct email_template *in,
		       int *created, struct err *e);
/* ERR_NOT_FOUND when the shop has none for event_type. */
int email_template_get(struct store_tx *tx, struct arena *a, const char *shop,
		       const char *event_type, struct email_template *out, struct err *e);
int email_template_list(struct store_tx *tx, struct arena *a, const char *shop,
			struct email_template **out, int *n, struct err *e);
int email_template_delete(struct store_tx *tx, const char *shop, const char *event_type,
			  struct err *e);

struct email_rendered {
	const char *subject, *text, *html;
};
/* in rendered against made-up data of its event, with the contact line and
 * an example unsubscribe link (for previews; checked first). */
int email_preview(struct arena *a, const struct email_template *in, struct email_rendered *out,
		  struct err *e);

/* ---- settings and unsubscribing ---- */

struct email_settings {
	const char *unsubscribe_url;	/* NULL: not set (no e-mail is sent) */
	int64_t promotional_weekly_cap;
	int64_t updated_at;		/* 0: the defaults */
};
int email_settings_get(struct store_tx *tx, struct arena *a, const char *shop,
		       struct email_settings *out, struct err *e);
/* unsubscribe_url an http(s) URL or NULL, the cap 0..EMAIL_WEEKLY_CAP_MAX. */
int email_settings_put(struct store_tx *tx, const char *shop, const struct email_settings *in,
		       struct err *e);
/* Unsubscribes the token's customer from promotional e-mail (again: no
 * change). ERR_REFUSED "unsubscribe_token_invalid" for anything else. */
int email_unsubscribe(struct store_tx *tx, const char *token, char shop[ID_MAX],
		      char customer[ID_MAX], struct err *e);
/* *yes 1 when the customer (or one merged into it) unsubscribed. */
int email_is_unsubscribed(struct store_tx *tx, const char *shop, const char *customer, int *yes,
			  struct err *e);

/* ---- the messages, as the shop sees them ---- */

struct email_message {
	char id[ID_MAX];
	const char *event_id, *event_type, *customer_id, *class_name, *state, *reason, *last_error;
	int64_t attempts, created_at, sent_at, next_attempt_at;
};
/* The shop's messages newest first, of one customer (the id as stored: the
 * survivor of a merge) or all with customer NULL; starting_after a message
 * id or NULL. At most limit, *has_more when there are more. */
int email_message_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		       const char *starting_after, int limit, struct email_message **out, int *n,
		       int *has_more, struct err *e);

/* ---- the jobs (core/jobs.c) ---- */

struct email_counts {
	int64_t queued, skipped, sent, retried, failed;
};
/* Queues (or skips) a message for every event of a template not seen yet.
 * Does nothing when cfg has no smtp_url. Inside the job's transaction. */
int email_queue_due(struct store_tx *tx, const struct config *cfg, int64_t now,
		    struct email_counts *n, struct err *e);
/* Sends the queued messages that are due: claims a few in a write, sends
 * them over SMTP outside any transaction, marks each in another write.
 * Does nothing when cfg has no smtp_url. */
int email_deliver_due(struct store *st, const struct config *cfg, struct email_counts *n,
		      struct err *e);

#endif
