/*
 * interest.h: the shop's interest catalogue and the interests each customer
 * holds, each with a visibility (everyone, friends, only_me). Who may see or
 * use which is decided by profile_viewer_sees() (core/profile.h) and by
 * nothing else: every reader goes through interest_visible() or
 * interest_targets() below.
 *
 * The catalogue is replaced whole (interest_put_catalogue). An interest may
 * tag products by SKU (our refinement: recommendations say matches_interest
 * for a tagged product). An interest dropped from the catalogue while some
 * customer holds it is kept and marked retired: the customers keep it (with
 * its visibility), nobody can newly choose it, and a later catalogue that
 * lists the key again brings it back. One nobody holds is deleted.
 *
 * A customer's list is replaced whole too (interest_put_customer): every key
 * must be in the catalogue (a retired one only when the customer already
 * holds it), each once, with a known visibility; otherwise ERR_INVALID naming
 * the item and nothing changes. Results live in the arena.
 */
#ifndef RETAIN_INTEREST_H
#define RETAIN_INTEREST_H

#include <stdint.h>

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"
#include "profile.h"

#define INTEREST_KEY_MAX 50
#define INTEREST_NAME_MAX 100
#define INTEREST_CATALOGUE_MAX 200
#define INTEREST_SKUS_MAX 200
#define INTEREST_SKU_MAX 200
#define INTEREST_CUSTOMER_MAX 50

/* "everyone", "friends", "only_me": index = enum interest_visibility. */
extern const char *const interest_visibilities[];

struct interest {
	const char *key, *name;
	const char **skus;
	int nskus;
	int64_t retired_at;		/* 0: in the catalogue */
};

struct interest_catalogue_input {
	const struct interest *interests;	/* key, name, skus */
	int n;
};

/* Replaces the catalogue; *retired lists (in the arena, by strcmp) the keys dropped
 * but kept because customers hold them. */
int interest_put_catalogue(struct store_tx *tx, struct arena *a, const char *shop,
			   const struct interest_catalogue_input *in, const char ***retired,
			   int *nretired, struct err *e);
/* In catalogue order, then the retired ones. */
int interest_get_catalogue(struct store_tx *tx, struct arena *a, const char *shop,
			   struct interest **out, int *n, int64_t *updated_at, struct err *e);

struct interest_choice {
	const char *interest, *visibility;
};
/* customer (an id) holds exactly choices from now on. ERR_CONFLICT
 * "customer_inactive" for an erased or merged customer. */
int interest_put_customer(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *customer, const struct interest_choice *choices, int n,
			  struct err *e);

/* One interest of a customer as a viewer sees it. */
struct interest_seen {
	const char *key, *name;
	enum interest_visibility visibility;
	int retired;
	const char **skus;		/* the products the shop tagged with it */
	int nskus;
};

/*
 * THE read of a customer's interests, for every path that shows or uses
 * them: the interests of customer (an id of this shop, resolved by the
 * caller; an unknown or erased one simply holds none) that viewer may see,
 * in the customer's order, each with the SKUs the shop tagged with it, into
 * *out (in the arena), *n of them. For recommendations pass
 * PROFILE_VIEWER_SHOP: the shop uses everyone interests, friends ones only
 * with the customer's marketing consent, never only_me ones, whoever asks
 * for the recommendations. Reads only; 0 or a store error.
 */
int interest_visible(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		     enum profile_viewer viewer, struct interest_seen **out, int *n, struct err *e);

/* The customers (ids, in the arena, sorted by strcmp) for whom the shop may use
 * interest key (PROFILE_VIEWER_SHOP): offers targeting. ERR_INVALID naming
 * param for a key not in the catalogue. */
int interest_targets(struct store_tx *tx, struct arena *a, const char *shop, const char *key,
		     const char *param, char (**ids)[ID_MAX], int *n, struct err *e);

/* Erasure: customer holds no interests any more. */
int interest_erase(struct store_tx *tx, const char *shop, const char *customer, struct err *e);
/* Merge: source's interests join target's (union); on a key both hold the
 * stricter visibility wins (only_me over friends over everyone). The union
 * may hold more than INTEREST_CUSTOMER_MAX: all are kept and shown; the
 * customer's next list holds that many at most. */
int interest_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		   struct err *e);

#endif
