/*
 * customer.h: customers, the identities they are found by, their accounts and
 * saved addresses.
 *
 * A customer is found by any of its identities: an e-mail (lower-cased), a
 * phone or WhatsApp number (E.164), or an id the shop uses on a channel
 * ("web", "app", "store"). Each identity belongs to at most one customer of a
 * shop. A customer starts as a guest; after a guest's first order the engine
 * sets account_invite_due_at (the moment to invite them to create an account,
 * never before); customer_create_account() turns a guest into an account
 * holder. Merging folds a duplicate into another customer; erasure removes
 * personal data and keeps the anonymous orders.
 *
 * References (ref) are "cus_..." ids or "ext:<external_id>"; a merged
 * customer's ref resolves to the customer it was merged into, except in
 * customer_get(), which shows the merged record itself.
 *
 * All results live in the arena a.
 */
#ifndef RETAIN_CUSTOMER_H
#define RETAIN_CUSTOMER_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

#define CUSTOMER_TEXT_MAX 200
#define CUSTOMER_MAX_IDENTITIES 20
#define CUSTOMER_MAX_ADDRESSES 10

struct identity {
	const char *kind;	/* email, phone, whatsapp, web, app, store */
	const char *value;
};

struct address {
	const char *name, *line1, *line2, *city, *region, *postal_code, *country, *phone;
};

struct customer {
	char id[ID_MAX];
	const char *external_id, *name, *email, *phone;
	const char *status;	/* guest, account, merged, erased */
	int64_t account_invite_due_at;	/* 0: not due */
	int64_t account_created_at;	/* 0: guest */
	const char *merged_into;
	int64_t orders_count, created_at, updated_at;
	struct identity *identities;
	int nidentities;
	struct address *addresses;
	int naddresses;
	/* Issue 12: what a profile shows (never name, e-mail or phone), and
	 * whether the customer agreed to marketing use of their data (the shop
	 * then sees and targets their friends-only interests, core/profile.h). */
	const char *display_name;
	int marketing_consent;
	int64_t marketing_consent_at;	/* its last change; 0: never set */
};

/* What a create or update sets. has_* tells a PATCH which fields were sent;
 * a present NULL clears the field. */
struct customer_input {
	const char *external_id;
	const char *name, *email, *phone;
	int has_name, has_email, has_phone;
	struct identity *identities;	/* added, never removed by an update */
	int nidentities;
	struct address *addresses;	/* replace the saved addresses */
	int naddresses, has_addresses;
	int account;	/* 1: the customer holds an account (create, or guest to account) */
	/* Issue 12: a present NULL display_name clears it; a consent change
	 * writes "customer.marketing_consent_given" or "..._withdrawn". */
	const char *display_name;
	int has_display_name;
	int marketing_consent, has_marketing_consent;
};

struct customer_filter {
	const char *email, *phone, *external_id;	/* raw, normalised here */
	const char *status;
};

/* Creates, or with a known external_id updates (upsert). *created tells which. */
int customer_upsert(struct store_tx *tx, struct arena *a, const char *shop,
		    const struct customer_input *in, struct customer *out,
		    int *created, struct err *e);
int customer_update(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *ref, const struct customer_input *in,
		    struct customer *out, struct err *e);
int customer_get(struct store_tx *tx, struct arena *a, const char *shop,
		 const char *ref, struct customer *out, struct err *e);
/*
 * A customer reference or external id as a client sent it, trimmed of
 * surrounding spaces and tabs into the arena (*out). ERR_INVALID naming param
 * when nothing is left: " " is nobody's id.
 */
int customer_clean_ref(struct arena *a, const char *v, const char *param, const char **out,
		       struct err *e);
/* Resolves ref (following merges) into id. ERR_NOT_FOUND naming param. */
int customer_resolve(struct store_tx *tx, const char *shop, const char *ref,
		     const char *param, char id[ID_MAX], struct err *e);
/* The same, and (first_guest_order, may be NULL) whether the customer found
 * is a guest with no orders yet: 1 or 0, -1 when unknown (a merge into a row
 * that is gone). One statement per row on the way (no merge: one). */
int customer_resolve_counted(struct store_tx *tx, const char *shop, const char *ref,
			     const char *param, char id[ID_MAX], int *first_guest_order,
			     struct err *e);
/* The same for an order's buyer: an erased customer (the row the merges end
 * at) is ERR_CONFLICT "customer_inactive" naming param; an erased person
 * places no more orders under that id (the same statements: the status is
 * read with the row). */
int customer_resolve_buyer(struct store_tx *tx, const char *shop, const char *ref,
			   const char *param, char id[ID_MAX], int *first_guest_order,
			   struct err *e);
/* customer_find_identity() (value already normalised) and then
 * customer_resolve_counted() of its owner, naming param, the owner's row read
 * with the identity (one statement without a merge); id "" when nobody has
 * it. */
int customer_find_identity_resolved(struct store_tx *tx, const char *shop, const char *kind,
				    const char *value, const char *param, char id[ID_MAX],
				    int *first_guest_order, struct err *e);
/* *erased = 1 when ref (following merges) is an erased customer.
 * ERR_NOT_FOUND naming param for an unknown ref. */
int customer_is_erased(struct store_tx *tx, const char *shop, const char *ref,
		       const char *param, int *erased, struct err *e);
/* Finds the customer owning identity kind/value (normalised), or id[0] = 0. */
int customer_find_identity(struct store_tx *tx, const char *shop, const char *kind,
			   const char *value, char id[ID_MAX], struct err *e);
int customer_list(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct customer_filter *f, const char *starting_after,
		  int limit, struct customer **out, int *n, int *has_more,
		  struct err *e);
/* Folds source into target: orders, identities, addresses and counters move
 * (issue 12: interests join as a union, the stricter visibility on a key both
 * hold; friendships move; the target keeps its display name, or takes the
 * source's when it has none, and keeps its own marketing consent);
 * source becomes status "merged" pointing at target; an event records it. */
int customer_merge(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *target_ref, const char *source_ref,
		   struct customer *out, struct err *e);
/* Guest to account holder (idempotent); email, if given, joins its identities. */
int customer_create_account(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *ref, const char *email,
			    struct customer *out, struct err *e);
/* 1 in *erased when a customer with external_id was erased in this shop: the
 * erasure keeps a digest of the id (never the id), so that an integration
 * ignores the platform's later webhooks of that person instead of creating
 * them again. */
int customer_external_id_erased(struct store_tx *tx, const char *shop, const char *external_id,
				int *erased, struct err *e);
/* Removes name, e-mail, phone, identities, addresses and the external id
 * (and, issue 12, the display name, consent, interests and friendships); the
 * orders stay, anonymous. Customers merged into it (at any depth) lose the
 * same data. *erased (in the arena) lists every customer scrubbed, the erased
 * one first, so that a caller can reach the copies it keeps elsewhere (stored
 * responses). Idempotent. */
int customer_erase(struct store_tx *tx, struct arena *a, const char *shop,
		   const char *ref, struct customer *out, char (**erased)[ID_MAX],
		   int *nerased, struct err *e);
/* Called by order creation: one more order; a guest's first sets the invite. */
int customer_count_order(struct store_tx *tx, const char *shop, const char *id,
			 struct err *e);
/* The same without reading the row again, for a caller that knows (from
 * customer_resolve_counted() in this transaction, nothing written to the row
 * since) whether it is a guest's first order: 1 or 0; -1 reads it. */
int customer_count_order_as(struct store_tx *tx, const char *shop, const char *id,
			    int first_guest_order, struct err *e);
/* Creates a guest with the given (already validated) identities. */
int customer_create_guest(struct store_tx *tx, const char *shop,
			  const struct customer_input *in, char id[ID_MAX],
			  struct err *e);
/* Normalises an identity value of a kind into the arena; ERR_INVALID naming
 * param for an unknown kind or a bad value. */
int customer_normalize_identity(struct arena *a, const char *kind, const char *value,
				const char *param, const char **out, struct err *e);

#endif
