/*
 * webhook.h: outgoing webhooks (issue 13), as Standard Webhooks describes
 * them. A shop's endpoint is a URL, the event types it wants (patterns of
 * the vocabulary in core/event.h: "points.earned", "offer.*", "*") and a
 * signing secret "whsec_" + base64 of 24 random bytes.
 *
 * The outbox: event_record() calls webhook_fanout(), which queues one
 * delivery per matching enabled endpoint in the event's own transaction, so
 * a delivery exists exactly when its event committed. webhook_deliver_due()
 * (the jobs, core/jobs.c; the serve jobs thread also runs it alone every
 * --webhooks-interval seconds) sends the due ones with libcurl
 * (core/webhook_send.h), outside any transaction:
 *  - claim: in a write that first takes the webhooks job lock, the due
 *    deliveries are leased (leased_until) for WEBHOOK_LEASE_MS, so no other
 *    node sends them meanwhile; only the head of each queue (one endpoint,
 *    one customer: the earliest pending event) is due, so a customer's
 *    later event waits while an earlier one is failing;
 *  - send, all at once (the multi interface), each within 15 s;
 *  - record, in another write: every attempt (status code, time, duration,
 *    error); a 2xx marks the delivery delivered; anything else schedules a
 *    retry with exponential back-off and jitter (webhook_backoff_ms). A
 *    delivery failing for WEBHOOK_GIVE_UP_MS (3 days) disables its endpoint
 *    and records "webhook_endpoint.disabled"; its deliveries stay pending
 *    and resume when the endpoint is enabled again.
 * A crash between claim and record leaves the lease to run out: the
 * delivery is sent again (at least once; receivers deduplicate by the
 * webhook-id header, the event id).
 *
 * The secret is stored as it is (it must sign) and shown only by
 * webhook_create() and webhook_rotate_secret(). After a rotation the
 * previous secret signs beside the new one for WEBHOOK_ROTATION_MS (24 h).
 * Results live in the arena a.
 */
#ifndef RETAIN_WEBHOOK_H
#define RETAIN_WEBHOOK_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "event.h"

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_DESCRIPTION_MAX 500
#define WEBHOOK_EVENTS_MAX 64
#define WEBHOOK_SECRET_MAX 64
#define WEBHOOK_ROTATION_MS (24LL * 3600 * 1000)
#define WEBHOOK_GIVE_UP_MS (3LL * 24 * 3600 * 1000)
#define WEBHOOK_LEASE_MS (60LL * 1000)
#define WEBHOOK_TIMEOUT_MS 15000L
/* next_attempt_at of a delivery waiting behind an earlier one of its queue. */
#define WEBHOOK_BLOCKED (INT64_C(1) << 62)

struct webhook_endpoint {
	char id[ID_MAX];
	const char *url, *description, *status, *disabled_reason;
	const char **events;
	int nevents;
	const char *secret;		/* set by create and rotate only, else NULL */
	int64_t previous_secret_until;	/* 0: no previous secret signs */
	int64_t created_at, updated_at;
};

/* What a create or an update sets: NULL / -1 leave a field as it is. */
struct webhook_input {
	const char *url, *description;
	const char *const *events;
	int nevents;			/* -1: unchanged */
	int clear_description;
	int enabled;			/* -1 unchanged, 0 disable, 1 enable */
};

/*
 * The URL's form and target, outside any transaction (it resolves the host):
 * http or https with a host, no user or password, at most WEBHOOK_URL_MAX;
 * plain http only with allow_private (local receivers). Without
 * allow_private every address the host resolves to must be public
 * (base/netaddr.h). ERR_INVALID naming "url" otherwise: code "url_invalid",
 * "url_insecure", "url_unresolvable" or "url_private".
 */
int webhook_url_check(const char *url, int allow_private, struct err *e);
/* Each pattern valid (event_pattern_valid), 1 to WEBHOOK_EVENTS_MAX of them;
 * ERR_INVALID "event_type_unknown" naming the first unknown one. */
int webhook_events_check(const char *const *events, int n, struct err *e);

int webhook_create(struct store_tx *tx, struct arena *a, const char *shop,
		   const struct webhook_input *in, struct webhook_endpoint *out, struct err *e);
/* ERR_NOT_FOUND for an id that is not an endpoint of the shop. */
int webhook_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		struct webhook_endpoint *out, struct err *e);
int webhook_list(struct store_tx *tx, struct arena *a, const char *shop,
		 const char *starting_after, int limit, struct webhook_endpoint **out, int *n,
		 int *more, struct err *e);
int webhook_update(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   const struct webhook_input *in, struct webhook_endpoint *out, struct err *e);
/* Removes the endpoint with its pending deliveries and its attempts. */
int webhook_delete(struct store_tx *tx, const char *shop, const char *id, struct err *e);
/* A new secret into out->secret; the one before signs beside it for 24 h. */
int webhook_rotate_secret(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *id, struct webhook_endpoint *out, struct err *e);

struct webhook_attempt {
	char id[ID_MAX];
	const char *event_id, *error;
	int64_t attempt, at, duration_ms, status_code;	/* status 0: no HTTP answer */
};

/* The endpoint's attempts, newest first. */
int webhook_attempts(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		     const char *starting_after, int limit, struct webhook_attempt **out, int *n,
		     int *more, struct err *e);

/* Queues the event for delivery again to every enabled endpoint subscribed
 * to its type now, delivered before or not; *queued: how many. */
int webhook_redeliver(struct store_tx *tx, const char *shop, const char *event_id,
		      int64_t *queued, struct err *e);

/* For event_record(): a delivery of the event to every enabled endpoint of
 * the shop whose patterns select t. */
int webhook_fanout(struct store_tx *tx, const char *shop, const char *event_id,
		   const struct event_type *t, const char *object_id, const char *related_id,
		   int64_t now, struct err *e);

/* The pause before attempt (attempts + 1), after attempts failed ones:
 * 10 s doubling up to 8 h, then half of it fixed and half random. */
int64_t webhook_backoff_ms(int64_t attempts);

struct webhook_counts {
	int64_t delivered, failed, disabled;
	int skipped;		/* another node held the lock for the first claim */
};

/* Sends what is due now, round after round (a customer's next event is due
 * once the one before it is delivered), until nothing is due or about 30 s
 * passed. lock_key is the job's lock. */
int webhook_deliver_due(struct store *st, int allow_private, int64_t lock_key,
			struct webhook_counts *out, struct err *e);

#endif
