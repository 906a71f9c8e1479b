/* tier.c: see tier.h. */
#include "tier.h"

#include <stdio.h>
#include <string.h>

#include "../base/clock.h"
#include "event.h"
#include "ledger.h"

/*
 * A lifetime or window total, added up by ledger_sum() rather than by SQL
 * sum(), which fails on overflow: every row is bounded (points per order,
 * money per order) but their number is not, so the total saturates.
 */
static int saturating_sum(struct store_tx *tx, const char *sql, const char *shop,
			  const char *customer, int64_t since, int64_t *out, struct err *e)
{
	return ledger_sum(store_query(tx, e, sql, "ssi", shop, customer, since), out, e);
}

static int metric(struct store_tx *tx, const char *shop, const char *customer,
		  const struct program *p, int64_t *out, struct err *e)
{
	int64_t since = clock_now_ms() - p->tier_window_days * DAY_MS;
	if (!strcmp(p->tier_basis, "points_earned"))
		return saturating_sum(tx, "SELECT amount - clawed FROM loyalty_lots WHERE shop_id = $1"
				      " AND customer_id = $2 AND kind = 'earn' AND created_at >= $3",
				      shop, customer, since, out, e);
	if (!strcmp(p->tier_basis, "net_spend"))
		return saturating_sum(tx, "SELECT paid_amount - refunded_amount FROM orders"
				      " WHERE shop_id = $1 AND customer_id = $2"
				      " AND status IN ('paid', 'partially_refunded') AND placed_at >= $3",
				      shop, customer, since, out, e);
	return store_query_int(tx, e, out,
		"SELECT count(*) FROM orders WHERE shop_id = $1 AND customer_id = $2"
		" AND status IN ('paid', 'partially_refunded') AND placed_at >= $3",
		"ssi", shop, customer, since);
}

static int index_of(const struct program *p, const char *name)
{
	for (int i = 0; name && i < p->ntiers; i++)
		if (!strcmp(p->tiers[i].name, name))
			return i;
	return -1;
}

int tier_current(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		 const char **name, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT tier FROM loyalty_accounts WHERE shop_id = $1 AND customer_id = $2",
		"ss", shop, customer);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	*name = rc == 1 ? arena_strdup(a, store_text(st, 0)) : NULL;
	store_done(st);
	return rc < 0 ? rc : 0;
}

int tier_refresh(struct store_tx *tx, const char *shop, const char *customer,
		 const struct program *p, int allow_downgrade, struct err *e)
{
	struct arena a = ARENA_INIT;
	const char *name;
	int rc = 0;

	if (p->ntiers && !(rc = tier_current(tx, &a, shop, customer, &name, e)))
		rc = tier_refresh_from(tx, shop, customer, p, allow_downgrade, name, e);
	arena_free(&a);
	return rc;
}

int tier_refresh_from(struct store_tx *tx, const char *shop, const char *customer,
		      const struct program *p, int allow_downgrade, const char *name,
		      struct err *e)
{
	int64_t m;
	int rc = 0;

	if (!p->ntiers)
		return 0;
	int cur = index_of(p, name), qual = -1;
	/* At the top already, with no way down: nothing the metric says can
	 * change the tier (one statement fewer per paid order of such a member). */
	if (!allow_downgrade && cur == p->ntiers - 1)
		return 0;
	if ((rc = metric(tx, shop, customer, p, &m, e)))
		goto out;
	for (int i = 0; i < p->ntiers; i++)
		if (m >= p->tiers[i].threshold)
			qual = i;
	int next = cur;
	if (qual > cur)
		next = qual;
	else if (qual < cur && allow_downgrade)
		next = !strcmp(p->downgrade, "one_down") ? cur - 1 : qual;
	if (next == cur && (name == NULL) == (cur < 0))
		goto out;
	rc = store_exec(tx, e,
		"INSERT INTO loyalty_accounts (shop_id, customer_id, tier, tier_since) VALUES ($1, $2, $3, $4)"
		" ON CONFLICT (shop_id, customer_id) DO UPDATE SET tier = excluded.tier,"
		" tier_since = excluded.tier_since",
		"sssi", shop, customer, next >= 0 ? p->tiers[next].name : NULL, clock_now_ms());
	if (rc >= 0)
		rc = event_record(tx, shop, "customer.tier_changed", customer,
				  next >= 0 ? p->tiers[next].name : NULL, e);
out:
	return rc < 0 ? rc : 0;
}

int tier_status(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		const struct program *p, struct tier_status *out, struct err *e)
{
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = metric(tx, shop, customer, p, &out->metric, e)))
		return rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT tier, tier_since FROM loyalty_accounts WHERE shop_id = $1 AND customer_id = $2",
		"ss", shop, customer);
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1) {
		out->current = arena_strdup(a, store_text(st, 0));
		out->since = store_int(st, 1);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	int cur = index_of(p, out->current);
	if (cur < 0)
		out->current = NULL;
	out->next = cur + 1 < p->ntiers ? &p->tiers[cur + 1] : NULL;
	return 0;
}
