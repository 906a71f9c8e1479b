/* redemption.c: see redemption.h. */
#include "redemption.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "../base/secure.h"
#include "coupon.h"
#include "customer.h"
#include "event.h"
#include "ledger.h"
#include "order.h"
#include "program.h"

#define REDEMPTION_COLUMNS "id, customer_id, reward_key, kind, name, code, order_id, status," \
			   " points, value, created_at, cancelled_at"

static void row_to_redemption(struct store_stmt *st, struct arena *a, struct redemption *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", store_text(st, 0));
	r->customer_id = arena_strdup(a, store_text(st, 1));
	r->reward_key = arena_strdup(a, store_text(st, 2));
	r->kind = arena_strdup(a, store_text(st, 3));
	r->name = arena_strdup(a, store_text(st, 4));
	r->code = arena_strdup(a, store_text(st, 5));
	r->order_id = arena_strdup(a, store_text(st, 6));
	r->status = arena_strdup(a, store_text(st, 7));
	r->points = store_int(st, 8);
	r->value = store_int(st, 9);
	r->created_at = store_int(st, 10);
	r->cancelled_at = store_int(st, 11);
}

int redemption_get(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		   struct redemption *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT " REDEMPTION_COLUMNS " FROM redemptions"
					    " WHERE shop_id = $1 AND id = $2", "ss", shop, id);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1)
		row_to_redemption(st, a, out);
	store_done(st);
	if (rc == 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no redemption \"%s\"", id);
	return rc < 0 ? rc : 0;
}

static int count(struct store_tx *tx, const char *sql, const char *shop, const char *a1,
		 const char *a2, int64_t *n, struct err *e)
{
	return store_query_int(tx, e, n, sql, "sss", shop, a1, a2);
}

static int check_reward(struct store_tx *tx, const char *shop, const char *customer,
			const struct program_reward *w, struct err *e)
{
	int64_t n;
	int rc;
	if (w->stock >= 0) {
		if ((rc = count(tx, "SELECT count(*) FROM redemptions WHERE shop_id = $1 AND reward_key = $2"
				" AND status = 'active' AND $3 IS NULL", shop, w->key, NULL, &n, e)))
			return rc;
		if (n >= w->stock)
			return err_setc(e, ERR_REFUSED, "out_of_stock", "reward",
					"reward \"%s\" is out of stock", w->key);
	}
	if (w->per_customer_limit) {
		if ((rc = count(tx, "SELECT count(*) FROM redemptions WHERE shop_id = $1 AND reward_key = $2"
				" AND customer_id = $3 AND status = 'active'", shop, w->key, customer, &n, e)))
			return rc;
		if (n >= w->per_customer_limit)
			return err_setc(e, ERR_REFUSED, "limit_reached", "reward",
					"reward \"%s\" is limited to %lld per customer", w->key,
					(long long)w->per_customer_limit);
	}
	return 0;
}

int redemption_create(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *customer_ref, const struct redemption_input *in,
		      struct redemption *out, struct err *e)
{
	struct program p;
	char customer[ID_MAX], id[ID_MAX], code[32] = "";
	const char *kind, *name, *key = NULL, *order_id = NULL;
	int64_t points, value, now = clock_now_ms();
	int rc;

	if ((rc = customer_resolve(tx, shop, customer_ref, "id", customer, e)) ||
	    (rc = program_get(tx, a, shop, &p, e)))
		return rc;
	if (!p.version)
		return err_setc(e, ERR_REFUSED, "program_missing", NULL,
				"this shop has no loyalty programme");
	if (in->reward) {
		const struct program_reward *w = program_reward(&p, in->reward);
		if (!w)
			return err_setc(e, ERR_NOT_FOUND, "reward_unknown", "reward",
					"no reward \"%s\" in the catalogue", in->reward);
		if ((rc = check_reward(tx, shop, customer, w, e)))
			return rc;
		key = w->key, kind = w->kind, name = w->name, points = w->cost, value = w->value;
	} else {
		struct order o;
		if (!in->order)
			return err_setc(e, ERR_INVALID, "parameter_missing", "order",
					"points as a discount need the \"order\" they pay for");
		if ((rc = order_get(tx, a, shop, in->order, &o, e))) {
			snprintf(e->param, sizeof(e->param), "order");
			return rc;
		}
		if (strcmp(o.customer_id, customer))
			return err_set(e, ERR_INVALID, "order", "order \"%s\" belongs to another customer", o.id);
		if (!p.point_value)
			return err_setc(e, ERR_REFUSED, "points_not_payable", "points",
					"this programme does not let points pay for orders");
		if (!strcmp(o.status, "cancelled") || !strcmp(o.status, "refunded"))
			return err_setc(e, ERR_CONFLICT, "order_status_conflict", "order",
					"cannot pay order \"%s\" with points: its status is \"%s\"",
					o.id, o.status);
		int64_t coupons, coupon_total;
		int exclusive;
		if ((rc = coupon_order_discounts(tx, shop, o.id, NULL, &coupons, &coupon_total,
						 &exclusive, e)))
			return rc;
		if (exclusive)
			return err_setc(e, ERR_REFUSED, "not_combinable", "order", "order \"%s\" has a"
					" coupon that combines with no other discount", o.id);
		order_id = arena_strdup(a, o.id);
		kind = "points_discount", name = "points discount", points = in->points;
		int64_t before;
		/* points <= 10^9 and point_value <= 10^5: value < 2^63. The SQL
		 * sum below cannot overflow: every value is positive and each
		 * was accepted only while the active ones stayed <= o.total
		 * (< 4 x 10^15, order.h), so every running sum is bounded too. */
		value = in->points * p.point_value;
		if ((rc = store_query_int(tx, e, &before,
				"SELECT coalesce(sum(value), 0) FROM redemptions WHERE shop_id = $1"
				" AND order_id = $2 AND kind = 'points_discount' AND status = 'active'",
				"ss", shop, o.id)))
			return rc;
		if (value > o.total - before)
			return err_setc(e, ERR_REFUSED, "discount_exceeds_order", "points",
					"%lld points are worth %lld; with the %lld already paid in points"
					" that is more than the order's %lld", (long long)points,
					(long long)value, (long long)before, (long long)o.total);
	}
	if (!strcmp(kind, "discount_fixed") || !strcmp(kind, "discount_percent") ||
	    !strcmp(kind, "free_shipping") || !strcmp(kind, "points_discount"))
		secure_random_token("RW-", 16, code, sizeof(code));	/* ~95 bits */
	id_new(id, "rdm_", now);
	rc = store_exec(tx, e,
		"INSERT INTO redemptions (shop_id, id, customer_id, reward_key, kind, name, points, value,"
		" code, order_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
		" nullif($9, ''), $10, 'active', $11)", "ssssssiissi", shop, id, customer, key, kind, name,
		points, value, code, order_id, now);
	if (rc < 0 || (rc = ledger_spend(tx, shop, customer, points, "redemption", id, name, e)) ||
	    (rc = event_record(tx, shop, "redemption.created", id, customer, e)))
		return rc;
	return redemption_get(tx, a, shop, id, out, e);
}

int redemption_cancel(struct store_tx *tx, struct arena *a, const char *shop, const char *id,
		      struct redemption *out, struct err *e)
{
	int rc = redemption_get(tx, a, shop, id, out, e);
	if (rc || !strcmp(out->status, "cancelled"))
		return rc;
	rc = store_exec(tx, e, "UPDATE redemptions SET status = 'cancelled', cancelled_at = $3"
			" WHERE shop_id = $1 AND id = $2", "ssi", shop, id, clock_now_ms());
	if (rc < 0 || (rc = ledger_restore(tx, shop, out->customer_id, id, e)) ||
	    (rc = event_record(tx, shop, "redemption.cancelled", id, out->customer_id, e)))
		return rc;
	return redemption_get(tx, a, shop, id, out, e);
}

int redemption_release_order(struct store_tx *tx, const char *shop, const char *order_id,
			     struct err *e)
{
	struct arena a = ARENA_INIT;
	char (*ids)[32];
	int64_t *points;
	int n, rc = store_query_pairs(tx, e, &a, &ids, &points, &n,
		"SELECT id, points FROM redemptions WHERE shop_id = $1 AND order_id = $2"
		" AND kind = 'points_discount' AND status = 'active' ORDER BY id", "ss", shop, order_id);
	for (int i = 0; !rc && i < n; i++) {
		struct redemption r;
		rc = redemption_cancel(tx, &a, shop, ids[i], &r, e);
	}
	arena_free(&a);
	return rc;
}

int redemption_list(struct store_tx *tx, struct arena *a, const char *shop,
		    const char *customer_ref, const char *starting_after, int limit,
		    struct redemption **out, int *n, int *has_more, struct err *e)
{
	char customer[ID_MAX];
	int rc = customer_resolve(tx, shop, customer_ref, "id", customer, e);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e, "SELECT " REDEMPTION_COLUMNS " FROM redemptions"
		" WHERE shop_id = $1 AND customer_id = $2 AND ($3 IS NULL OR id < $3)"
		" ORDER BY id DESC LIMIT $4", "sssi", shop, customer, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1)
		row_to_redemption(st, a, &(*out)[(*n)++]);
	store_done(st);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return rc < 0 ? rc : 0;
}
