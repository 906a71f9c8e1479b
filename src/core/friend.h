/*
 * friend.h: friendships between two customers of one shop. A customer asks
 * another (friend_request); the one asked accepts or declines; either side
 * removes it (a pending request too), and both sides go at once. Each side
 * has its own row (outgoing, incoming, accepted), written together.
 *
 * Refused, nothing changed: a request to oneself (ERR_INVALID "friend_self"),
 * to a customer of another shop or nobody (ERR_NOT_FOUND naming
 * "customer"), to or from an erased or merged customer (ERR_CONFLICT
 * "customer_inactive"), a request between friends (ERR_CONFLICT
 * "already_friends"), accepting or declining one's own request (ERR_CONFLICT
 * "friend_request_own"), or a request that does not exist (ERR_NOT_FOUND
 * "friend_request_missing"; "friendship_missing" for a removal).
 * A repeat of a pending request is that request (out->repeated set, nothing
 * written): a double click asks once. Mutual requests: asking someone who
 * already asked you accepts theirs, and you are friends at once.
 *
 * Customers are ids of the shop, resolved (following merges) by the caller,
 * except the requested one, a ref resolved here. Results in the arena.
 */
#ifndef RETAIN_FRIEND_H
#define RETAIN_FRIEND_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

/* Friends and pending requests a customer may have at most. */
#define FRIEND_MAX 1000

struct friendship {
	char customer[ID_MAX], friend_id[ID_MAX];
	const char *state;		/* outgoing, incoming, accepted; "declined"/"removed" after those */
	const char *display_name;	/* the friend's */
	int64_t created_at, updated_at;
	int repeated;			/* friend_request: it was pending already */
};

int friend_request(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   const char *other_ref, struct friendship *out, struct err *e);
int friend_accept(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const char *other_ref, struct friendship *out, struct err *e);
int friend_decline(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   const char *other_ref, struct friendship *out, struct err *e);
int friend_remove(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const char *other_ref, struct friendship *out, struct err *e);

/* Every relation of customer, accepted first then incoming then outgoing,
 * newest first within each. */
int friend_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		struct friendship **out, int *n, struct err *e);

/* *accepted = 1 when a and b are friends (accepted). */
int friend_are_friends(struct store_tx *tx, const char *shop, const char *a, const char *b,
		       int *accepted, struct err *e);

/* Erasure: every relation of customer, both sides, goes. */
int friend_erase(struct store_tx *tx, const char *shop, const char *customer, struct err *e);
/* Merge: source's relations become target's; where target already has one
 * with the same customer the stronger stays (accepted over pending), and one
 * between target and source goes. */
int friend_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e);

#endif
