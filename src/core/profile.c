/* profile.c: see profile.h. */
#include "profile.h"

#include <stdio.h>
#include <string.h>

#include "friend.h"
#include "interest.h"

const char *const profile_viewers[] = { "owner", "friend", "public", "shop", NULL };

/* The visibility matrix of profile.h, as data: sees[viewer][visibility]. The
 * shop's friends column is decided by consent (-1 below). */
static const int sees[4][3] = {
	[PROFILE_VIEWER_OWNER] = { 1, 1, 1 },
	[PROFILE_VIEWER_FRIEND] = { 1, 1, 0 },
	[PROFILE_VIEWER_PUBLIC] = { 1, 0, 0 },
	[PROFILE_VIEWER_SHOP] = { 1, -1, 0 },
};

int profile_viewer_sees(enum profile_viewer viewer, enum interest_visibility visibility,
			int consent)
{
	if ((unsigned)viewer > PROFILE_VIEWER_SHOP || (unsigned)visibility > INTEREST_ONLY_ME)
		return 0;
	int v = sees[viewer][visibility];
	return v < 0 ? consent == 1 : v;
}

int profile_viewer_of(struct store_tx *tx, const char *shop, const char *customer,
		      const char *holder, int shop_key, enum profile_viewer *out, struct err *e)
{
	int friends = 0, rc;
	if (shop_key) {
		*out = PROFILE_VIEWER_SHOP;
		return 0;
	}
	*out = PROFILE_VIEWER_PUBLIC;
	if (!holder)
		return 0;
	if (!strcmp(holder, customer)) {
		*out = PROFILE_VIEWER_OWNER;
		return 0;
	}
	if ((rc = friend_are_friends(tx, shop, customer, holder, &friends, e)))
		return rc;
	if (friends)
		*out = PROFILE_VIEWER_FRIEND;
	return 0;
}

int profile_check_display_name(const char *name, struct err *e)
{
	if (!name)
		return 0;
	size_t n = strlen(name);
	if (n == 0 || n > PROFILE_DISPLAY_NAME_MAX || name[strspn(name, " \t")] == '\0')
		return err_set(e, ERR_INVALID, "display_name", "\"display_name\" is 1 to %d bytes,"
			       " not only spaces", PROFILE_DISPLAY_NAME_MAX);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < ' ' || *p == 0x7f)
			return err_set(e, ERR_INVALID, "display_name", "\"display_name\" is one line"
				       " without control characters");
	return 0;
}

int profile_get(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		enum profile_viewer viewer, struct profile *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct store_stmt *st = store_query(tx, e, "SELECT id, display_name FROM customers WHERE"
					    " shop_id = $1 AND id = $2 AND status <> 'erased'",
					    "ss", shop, customer);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		snprintf(out->id, sizeof(out->id), "%s", store_text(st, 0));
		out->display_name = store_text(st, 1) ? arena_strdup(a, store_text(st, 1)) : NULL;
	}
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no profile \"%s\"", customer);
	if (rc < 0)
		return rc;
	out->viewer = viewer;
	return interest_visible(tx, a, shop, customer, viewer, &out->interests, &out->ninterests, e);
}
