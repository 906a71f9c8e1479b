/*
 * profile.h: who may see which of a customer's interests, and the profile
 * (display name and interests) a viewer is shown. The rule lives here and
 * only here, in profile_viewer_sees(); every read path that shows or uses a
 * customer's interests (the profile, the customer resource and its lists, the
 * overview, offers targeting, recommendations) asks it, through
 * interest_visible() or interest_targets() (core/interest.h).
 *
 *	viewer \ visibility	everyone	friends		only_me
 *	owner			yes		yes		yes
 *	friend (accepted)	yes		yes		no
 *	public			yes		no		no
 *	shop			yes		with consent	no
 *
 * "public" is anyone else: a publishable key without a customer token,
 * another customer's token, a customer whose friend request is still pending.
 * "shop" is the shop's secret key, and the shop's own use of interests
 * (offers targeting, recommendations): it sees friends-only interests only
 * where the customer gave marketing consent (customers.marketing_consent),
 * and never an only_me one.
 */
#ifndef RETAIN_PROFILE_H
#define RETAIN_PROFILE_H

#include "../base/arena.h"
#include "../base/ids.h"
#include "../store/store.h"

enum profile_viewer {
	PROFILE_VIEWER_OWNER,
	PROFILE_VIEWER_FRIEND,
	PROFILE_VIEWER_PUBLIC,
	PROFILE_VIEWER_SHOP,
};

/* Index = enum interest_visibility (core/interest.h). */
enum interest_visibility {
	INTEREST_EVERYONE,
	INTEREST_FRIENDS,
	INTEREST_ONLY_ME,
};

/* "owner", "friend", "public", "shop": how the API names a viewer. */
extern const char *const profile_viewers[];

/* 1 when viewer may see (or, for the shop, use) an interest of visibility
 * held by a customer whose marketing consent is consent (0 or 1). The rule. */
int profile_viewer_sees(enum profile_viewer viewer, enum interest_visibility visibility,
			int consent);

/* The viewer of customer's profile (ids, resolved by the caller): holder is
 * the customer a customer token names (NULL: none, a publishable key without
 * a token), shop_key 1 for the shop's secret key (holder is then ignored).
 * The owner when holder is customer, a friend when they are friends
 * (accepted), else public. */
int profile_viewer_of(struct store_tx *tx, const char *shop, const char *customer,
		      const char *holder, int shop_key, enum profile_viewer *out, struct err *e);

#define PROFILE_DISPLAY_NAME_MAX 80

/* A display name: 1..80 bytes on one line, no control characters, not only
 * spaces. ERR_INVALID naming "display_name" otherwise. NULL passes (clears). */
int profile_check_display_name(const char *name, struct err *e);

struct interest_seen;
struct profile {
	char id[ID_MAX];
	const char *display_name;	/* NULL: none set; never the name, e-mail or phone */
	enum profile_viewer viewer;
	struct interest_seen *interests;
	int ninterests;
};

/* customer's profile as viewer sees it (customer resolved, following merges,
 * by the caller). ERR_NOT_FOUND for an erased customer: an erased customer
 * has no profile. Results in the arena. */
int profile_get(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		enum profile_viewer viewer, struct profile *out, struct err *e);

#endif
