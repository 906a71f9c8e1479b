/* friend.c: see friend.h. */
#include "friend.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "customer.h"
#include "event.h"

/* customer's side of the relation with other: "outgoing", "incoming",
 * "accepted", or "" when there is none (into state, 16 bytes). */
static int side(struct store_tx *tx, const char *shop, const char *customer, const char *other,
		char state[16], struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT state FROM friendships WHERE shop_id = $1"
					    " AND customer_id = $2 AND friend_id = $3", "sss", shop,
					    customer, other);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	snprintf(state, 16, "%s", rc == 1 ? store_text(st, 0) : "");
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int check_active(struct store_tx *tx, const char *shop, const char *id, const char *param,
			struct err *e)
{
	int erased, rc = customer_is_erased(tx, shop, id, param, &erased, e);
	if (!rc && erased)
		return err_setc(e, ERR_CONFLICT, "customer_inactive", param, "customer \"%s\" is erased",
				id);
	return rc;
}

static int fill(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		const char *other, const char *state, struct friendship *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->customer, sizeof(out->customer), "%s", customer);
	snprintf(out->friend_id, sizeof(out->friend_id), "%s", other);
	out->state = state;
	struct store_stmt *st = store_query(tx, e, "SELECT f.created_at, f.updated_at, c.display_name"
		" FROM customers c LEFT JOIN friendships f ON f.shop_id = c.shop_id AND"
		" f.customer_id = $2 AND f.friend_id = c.id WHERE c.shop_id = $1 AND c.id = $3", "sss",
		shop, customer, other);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1) {
		out->created_at = store_int(st, 0);
		out->updated_at = store_int(st, 1);
		out->display_name = store_text(st, 2) ? arena_strdup(a, store_text(st, 2)) : NULL;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static int set_both(struct store_tx *tx, const char *shop, const char *a, const char *b,
		    const char *a_state, const char *b_state, int64_t now, struct err *e)
{
	static const char *const sql = "INSERT INTO friendships (shop_id, customer_id, friend_id,"
		" state, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (shop_id,"
		" customer_id, friend_id) DO UPDATE SET state = excluded.state, updated_at ="
		" excluded.updated_at";
	int rc = store_exec(tx, e, sql, "ssssi", shop, a, b, a_state, now);
	if (rc >= 0)
		rc = store_exec(tx, e, sql, "ssssi", shop, b, a, b_state, now);
	return rc < 0 ? rc : 0;
}

static int drop_both(struct store_tx *tx, const char *shop, const char *a, const char *b,
		     struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM friendships WHERE shop_id = $1 AND ((customer_id = $2"
			    " AND friend_id = $3) OR (customer_id = $3 AND friend_id = $2))", "sss",
			    shop, a, b);
	return rc < 0 ? rc : 0;
}

static int room(struct store_tx *tx, const char *shop, const char *customer, const char *param,
		struct err *e)
{
	int64_t n;
	int rc = store_query_int(tx, e, &n, "SELECT count(*) FROM friendships WHERE shop_id = $1 AND"
				 " customer_id = $2", "ss", shop, customer);
	if (!rc && n >= FRIEND_MAX)
		return err_setc(e, ERR_REFUSED, "friend_limit", param, "customer \"%s\" has %d friends"
				" and requests, the most there may be", customer, FRIEND_MAX);
	return rc;
}

int friend_request(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   const char *other_ref, struct friendship *out, struct err *e)
{
	char other[ID_MAX], state[16];
	int64_t now = clock_now_ms();
	int rc;
	if ((rc = check_active(tx, shop, customer, "id", e)) ||
	    (rc = customer_resolve(tx, shop, other_ref, "customer", other, e)))
		return rc;
	if (!strcmp(other, customer))
		return err_setc(e, ERR_INVALID, "friend_self", "customer", "customer \"%s\" cannot ask"
				" themself to be friends", customer);
	if ((rc = check_active(tx, shop, other, "customer", e)) ||
	    (rc = side(tx, shop, customer, other, state, e)))
		return rc;
	if (!strcmp(state, "accepted"))
		return err_setc(e, ERR_CONFLICT, "already_friends", "customer", "customers \"%s\" and"
				" \"%s\" are friends already", customer, other);
	if (!strcmp(state, "outgoing")) {	/* asked already: the same request */
		rc = fill(tx, a, shop, customer, other, "outgoing", out, e);
		out->repeated = 1;
		return rc;
	}
	if (!strcmp(state, "incoming")) {
		/* Mutual: the other asked first; asking back accepts. */
		if ((rc = set_both(tx, shop, customer, other, "accepted", "accepted", now, e)) ||
		    (rc = event_record(tx, shop, "friend.accepted", customer, other, e)))
			return rc;
		return fill(tx, a, shop, customer, other, "accepted", out, e);
	}
	if ((rc = room(tx, shop, customer, "id", e)) || (rc = room(tx, shop, other, "customer", e)) ||
	    (rc = set_both(tx, shop, customer, other, "outgoing", "incoming", now, e)) ||
	    (rc = event_record(tx, shop, "friend.requested", customer, other, e)))
		return rc;
	return fill(tx, a, shop, customer, other, "outgoing", out, e);
}

/* The request other sent customer, for the one asked to answer. */
static int pending_from(struct store_tx *tx, const char *shop, const char *customer,
			const char *other_ref, char other[ID_MAX], struct err *e)
{
	char state[16];
	int rc = customer_resolve(tx, shop, other_ref, "other", other, e);
	if (rc || (rc = side(tx, shop, customer, other, state, e)))
		return rc;
	if (!strcmp(state, "outgoing"))
		return err_setc(e, ERR_CONFLICT, "friend_request_own", "other", "customer \"%s\" sent"
				" this request; only \"%s\" can answer it", customer, other);
	if (!strcmp(state, "accepted"))
		return err_setc(e, ERR_CONFLICT, "already_friends", "other", "customers \"%s\" and"
				" \"%s\" are friends already", customer, other);
	if (strcmp(state, "incoming"))
		return err_setc(e, ERR_NOT_FOUND, "friend_request_missing", "other", "no friend request"
				" from \"%s\" to \"%s\"", other, customer);
	return 0;
}

int friend_accept(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const char *other_ref, struct friendship *out, struct err *e)
{
	char other[ID_MAX];
	int rc;
	if ((rc = check_active(tx, shop, customer, "id", e)) ||
	    (rc = pending_from(tx, shop, customer, other_ref, other, e)) ||
	    (rc = check_active(tx, shop, other, "other", e)) ||
	    (rc = set_both(tx, shop, customer, other, "accepted", "accepted", clock_now_ms(), e)) ||
	    (rc = event_record(tx, shop, "friend.accepted", customer, other, e)))
		return rc;
	return fill(tx, a, shop, customer, other, "accepted", out, e);
}

int friend_decline(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   const char *other_ref, struct friendship *out, struct err *e)
{
	char other[ID_MAX];
	int rc;
	if ((rc = pending_from(tx, shop, customer, other_ref, other, e)) ||
	    (rc = fill(tx, a, shop, customer, other, "declined", out, e)) ||
	    (rc = drop_both(tx, shop, customer, other, e)))
		return rc;
	out->updated_at = clock_now_ms();
	return event_record(tx, shop, "friend.declined", customer, other, e);
}

int friend_remove(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		  const char *other_ref, struct friendship *out, struct err *e)
{
	char other[ID_MAX], state[16];
	int rc = customer_resolve(tx, shop, other_ref, "other", other, e);
	if (rc || (rc = side(tx, shop, customer, other, state, e)))
		return rc;
	if (!*state)
		return err_setc(e, ERR_NOT_FOUND, "friendship_missing", "other", "customers \"%s\" and"
				" \"%s\" are not friends and have no pending request", customer, other);
	if ((rc = fill(tx, a, shop, customer, other, "removed", out, e)) ||
	    (rc = drop_both(tx, shop, customer, other, e)))
		return rc;
	out->updated_at = clock_now_ms();
	return event_record(tx, shop, "friend.removed", customer, other, e);
}

int friend_list(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		struct friendship **out, int *n, struct err *e)
{
	int64_t count;
	int rc = store_query_int(tx, e, &count, "SELECT count(*) FROM friendships WHERE shop_id = $1"
				 " AND customer_id = $2", "ss", shop, customer);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT f.friend_id, f.state, f.created_at,"
		" f.updated_at, c.display_name FROM friendships f JOIN customers c ON c.shop_id ="
		" f.shop_id AND c.id = f.friend_id WHERE f.shop_id = $1 AND f.customer_id = $2"
		" ORDER BY CASE f.state WHEN 'accepted' THEN 0 WHEN 'incoming' THEN 1 ELSE 2 END,"
		" f.updated_at DESC, f.friend_id", "ss", shop, customer);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(count + 1) * sizeof(**out));
	*n = 0;
	while (*n < count && (rc = store_step(st, e)) == 1) {
		struct friendship *f = &(*out)[(*n)++];
		snprintf(f->customer, sizeof(f->customer), "%s", customer);
		snprintf(f->friend_id, sizeof(f->friend_id), "%s", store_text(st, 0));
		f->state = arena_strdup(a, store_text(st, 1));
		f->created_at = store_int(st, 2);
		f->updated_at = store_int(st, 3);
		f->display_name = store_text(st, 4) ? arena_strdup(a, store_text(st, 4)) : NULL;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

int friend_are_friends(struct store_tx *tx, const char *shop, const char *a, const char *b,
		       int *accepted, struct err *e)
{
	char state[16];
	int rc = side(tx, shop, a, b, state, e);
	*accepted = !rc && !strcmp(state, "accepted");
	return rc;
}

int friend_erase(struct store_tx *tx, const char *shop, const char *customer, struct err *e)
{
	int rc = store_exec(tx, e, "DELETE FROM friendships WHERE shop_id = $1 AND (customer_id = $2"
			    " OR friend_id = $2)", "ss", shop, customer);
	return rc < 0 ? rc : 0;
}

static int rank(const char *state)
{
	return !strcmp(state, "accepted") ? 2 : *state ? 1 : 0;
}

int friend_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e)
{
	struct arena a = ARENA_INIT;
	char (*others)[32];
	int64_t *unused;
	int n, rc = store_query_pairs(tx, e, &a, &others, &unused, &n, "SELECT friend_id, 0 FROM"
				      " friendships WHERE shop_id = $1 AND customer_id = $2 ORDER BY"
				      " friend_id", "ss", shop, source);
	int64_t now = clock_now_ms();
	for (int i = 0; !rc && i < n; i++) {
		char mine[16], theirs[16];
		const char *other = others[i];
		if ((rc = side(tx, shop, source, other, theirs, e)) ||
		    (rc = side(tx, shop, target, other, mine, e)))
			break;
		if (!strcmp(other, target) || rank(mine) >= rank(theirs))
			continue;	/* dropped below with the source's rows */
		const char *back = !strcmp(theirs, "outgoing") ? "incoming"
				 : !strcmp(theirs, "incoming") ? "outgoing" : "accepted";
		rc = set_both(tx, shop, target, other, theirs, back, now, e);
	}
	if (!rc)
		rc = friend_erase(tx, shop, source, e);
	arena_free(&a);
	return rc;
}
