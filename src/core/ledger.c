/* ledger.c: see ledger.h. */
#include "ledger.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "../base/checked.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "event.h"
#include "program.h"
#include "tier.h"

#define LOT_COLUMNS "id, kind, amount, remaining, available_at, expires_at, created_at," \
		    " order_id, program_version, note"

/* The expiry of points earned at `at` under p; 0 for never. */
static int64_t expiry_of(const struct program *p, int64_t at)
{
	if (!strcmp(p->expiry, "days"))
		return at + p->expiry_n * DAY_MS;
	if (!strcmp(p->expiry, "end_of_month")) {
		/* The first instant of the month after month(at) + n. */
		char s[RFC3339_MAX];
		int y, m;
		rfc3339_format(at, s);
		sscanf(s, "%d-%d", &y, &m);
		int64_t months = (int64_t)y * 12 + (m - 1) + p->expiry_n + 1;
		return rfc3339_days_from_civil(months / 12, (int)(months % 12) + 1, 1) * DAY_MS;
	}
	return 0;
}

int ledger_sum(struct store_stmt *st, int64_t *out, struct err *e)
{
	__int128 total = 0;	/* < 2^64 rows of < 2^63 each: exact */
	int rc;
	*out = 0;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1)
		total += store_int(st, 0);
	store_done(st);
	if (rc < 0)
		return rc;
	*out = total > INT64_MAX ? INT64_MAX : total < INT64_MIN ? INT64_MIN : (int64_t)total;
	return 0;
}

static int entry(struct store_tx *tx, const char *shop, const char *customer, const char *lot,
		 int64_t delta, const char *reason, const char *order_id, const char *redemption,
		 const char *note, struct err *e)
{
	char id[ID_MAX];
	int64_t now = clock_now_ms();
	id_new(id, "ent_", now);
	int rc = store_exec(tx, e,
		"INSERT INTO loyalty_entries (shop_id, id, customer_id, lot_id, delta, reason, order_id,"
		" redemption_id, note, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		"ssssissssi", shop, id, customer, lot, delta, reason, order_id, redemption, note, now);
	return rc < 0 ? rc : 0;
}

static int cashback_entry(struct store_tx *tx, const char *shop, const char *customer,
			  const char *currency, int64_t delta, const char *reason,
			  const char *order_id, struct err *e)
{
	char id[ID_MAX];
	int64_t now = clock_now_ms();
	id_new(id, "cbe_", now);
	int rc = store_exec(tx, e,
		"INSERT INTO cashback_entries (shop_id, id, customer_id, currency, delta, reason,"
		" order_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"ssssissi", shop, id, customer, currency, delta, reason, order_id, now);
	return rc < 0 ? rc : 0;
}

/* The wallet's balance, added up in C (ledger_sum): the entries' running
 * sum in SQL's row order is not bounded by the balance. */
static int cashback_balance(struct store_tx *tx, const char *shop, const char *customer,
			    const char *currency, int64_t *out, struct err *e)
{
	return ledger_sum(store_query(tx, e, "SELECT delta FROM cashback_entries WHERE shop_id = $1"
				      " AND customer_id = $2 AND currency = $3", "sss", shop,
				      customer, currency), out, e);
}

/* The customer's points: positive remaining over every lot, pending and
 * expired-but-not-yet-expired-by-the-job included. */
static int points_held(struct store_tx *tx, const char *shop, const char *customer, int64_t *out,
		       struct err *e)
{
	return ledger_sum(store_query(tx, e, "SELECT remaining FROM loyalty_lots WHERE shop_id = $1"
				      " AND customer_id = $2 AND remaining > 0", "ss", shop, customer),
			  out, e);
}

/* The customer's debt (a positive number): minus the remaining of debt lots. */
static int debt_held(struct store_tx *tx, const char *shop, const char *customer, int64_t *out,
		     struct err *e)
{
	int64_t neg;
	int rc = ledger_sum(store_query(tx, e, "SELECT remaining FROM loyalty_lots WHERE shop_id = $1"
					" AND customer_id = $2 AND kind = 'debt' AND remaining < 0", "ss",
					shop, customer), &neg, e);
	*out = neg == INT64_MIN ? INT64_MAX : -neg;
	return rc;
}

static int cashback_room(struct store_tx *tx, const char *shop, const char *customer,
			 const char *currency, int64_t cashback, struct err *e)
{
	int64_t held;
	int rc = cashback_balance(tx, shop, customer, currency, &held, e);
	if (rc)
		return rc;
	if (cashback > LEDGER_CASHBACK_MAX - held)
		return err_setc(e, ERR_REFUSED, "cashback_limit_exceeded", "customer",
				"customer \"%s\" holds %lld %s of cashback: %lld more would pass the"
				" maximum of %lld", customer, (long long)held, currency,
				(long long)cashback, (long long)LEDGER_CASHBACK_MAX);
	return 0;
}

/* Moves delta points into (positive) or out of (negative) a lot, with its entry. */
static int move(struct store_tx *tx, const char *shop, const char *customer, const char *lot,
		int64_t delta, const char *reason, const char *order_id, const char *note,
		struct err *e)
{
	int rc = store_exec(tx, e, "UPDATE loyalty_lots SET remaining = remaining + $3"
			    " WHERE shop_id = $1 AND id = $2", "ssi", shop, lot, delta);
	if (rc < 0)
		return rc;
	return entry(tx, shop, customer, lot, delta, reason, order_id, NULL, note, e);
}

/* Debt lots (negative remaining) are repaid first from any new credit. */
static int settle_debt(struct store_tx *tx, const char *shop, const char *customer,
		       const char *credit_lot, int64_t credit, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, -remaining FROM loyalty_lots WHERE shop_id = $1 AND customer_id = $2"
		" AND kind = 'debt' AND remaining < 0 ORDER BY created_at LIMIT 1", "ss", shop, customer);
	char debt[ID_MAX];
	int64_t owed = 0;
	int rc;
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1) {
		snprintf(debt, sizeof(debt), "%s", store_text(st, 0));
		owed = store_int(st, 1);
	}
	store_done(st);
	if (rc <= 0)
		return rc;
	int64_t pay = owed < credit ? owed : credit;
	if ((rc = move(tx, shop, customer, credit_lot, -pay, "debt_repaid", NULL, debt, e)) ||
	    (rc = move(tx, shop, customer, debt, pay, "debt_repaid", NULL, credit_lot, e)))
		return rc;
	return credit > pay ? settle_debt(tx, shop, customer, credit_lot, credit - pay, e) : 0;
}

/* Refuses a credit of points to a customer holding held already that would
 * take them beyond LEDGER_BALANCE_MAX. */
static int room_left(const char *customer, int64_t held, int64_t points, struct err *e)
{
	if (points > LEDGER_BALANCE_MAX - held)
		return err_setc(e, ERR_REFUSED, "balance_limit_exceeded", "points",
				"customer \"%s\" holds %lld points: %lld more would pass the maximum"
				" balance of %lld", customer, (long long)held, (long long)points,
				(long long)LEDGER_BALANCE_MAX);
	return 0;
}

/*
 * Refuses a credit of points that would take the customer's points beyond
 * LEDGER_BALANCE_MAX (positive remaining of every lot, pending included).
 */
static int room_for(struct store_tx *tx, const char *shop, const char *customer, int64_t points,
		    struct err *e)
{
	int64_t held;
	int rc = points_held(tx, shop, customer, &held, e);
	return rc ? rc : room_left(customer, held, points, e);
}

/*
 * What a credit needs of the customer's lots, in one read: the points held
 * (as points_held) and whether a debt is owed (a lot with a negative
 * remaining: only debt lots have one, by the table's CHECK), so that
 * settle_debt() is asked only then.
 */
static int held_and_owed(struct store_tx *tx, const char *shop, const char *customer,
			 int64_t *held, int *owes, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT remaining FROM loyalty_lots"
					    " WHERE shop_id = $1 AND customer_id = $2 AND remaining <> 0",
					    "ss", shop, customer);
	__int128 total = 0;	/* as ledger_sum: exact */
	int rc;
	*held = 0, *owes = 0;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		int64_t v = store_int(st, 0);
		if (v > 0)
			total += v;
		else
			*owes = 1;
	}
	store_done(st);
	if (rc < 0)
		return rc;
	*held = total > INT64_MAX ? INT64_MAX : (int64_t)total;
	return 0;
}

/* A new lot with its crediting entry; lot receives the id. */
static int credit(struct store_tx *tx, const char *shop, const char *customer, const char *kind,
		  int64_t points, int64_t available_at, int64_t expires_at, const char *order_id,
		  int64_t version, const char *reason, const char *note, char lot[ID_MAX],
		  struct err *e)
{
	int64_t now = clock_now_ms(), held;
	int owes = 0, rc;
	if (points > 0 && ((rc = held_and_owed(tx, shop, customer, &held, &owes, e)) ||
			   (rc = room_left(customer, held, points, e))))
		return rc;
	id_new(lot, "lot_", now);
	rc = store_exec(tx, e,
		"INSERT INTO loyalty_lots (shop_id, id, customer_id, kind, amount, remaining,"
		" available_at, expires_at, order_id, program_version, note, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $5, $6, nullif($7, 0), $8, nullif($9, 0), $10, $11)",
		"ssssiiisisi", shop, lot, customer, kind, points, available_at, expires_at, order_id,
		version, note, now);
	if (rc < 0 || (rc = entry(tx, shop, customer, lot, points, reason, order_id, NULL, note, e)))
		return rc;
	return owes ? settle_debt(tx, shop, customer, lot, points, e) : 0;
}

/* v * f in 128 bits; 1 when it does not fit. */
static int mul128(__int128 *v, int64_t f)
{
	return __builtin_mul_overflow(*v, (__int128)f, v);
}

/*
 * points = floor(base * points_per_unit * percent * tier_percent / (unit * 100 * 100)),
 * the product taken in 128 bits. The programme's bounds keep it at most 10^29
 * (program.h); a stored programme older than those bounds could still
 * overflow, which counts as "too many points". 1: more than
 * LEDGER_POINTS_MAX_PER_ORDER.
 */
static int earn_points(const struct program *p, int64_t base, __int128 percent,
		       int64_t tier_percent, int64_t unit, int64_t *out)
{
	__int128 v = base;
	if (mul128(&v, p->points_per_unit) || __builtin_mul_overflow(v, percent, &v) ||
	    mul128(&v, tier_percent))
		return 1;
	v /= (__int128)unit * 100 * 100;
	if (v > LEDGER_POINTS_MAX_PER_ORDER)
		return 1;
	*out = (int64_t)v;
	return 0;
}

static int line_points(const struct program *p, const struct order *o,
		       const struct order_line *l, int64_t tier_percent, int64_t unit, int64_t *out)
{
	__int128 percent = 100;
	for (int i = 0; i < p->nmultipliers; i++) {
		const struct program_multiplier *m = &p->multipliers[i];
		const char *v = !strcmp(m->type, "category") ? l->category
			      : !strcmp(m->type, "sku") ? l->sku : o->channel;
		if (!v || strcmp(v, m->value))
			continue;
		if (mul128(&percent, m->percent))
			return 1;
		percent /= 100;
	}
	return earn_points(p, l->quantity * l->unit_price - l->discount, percent, tier_percent,
			   unit, out);
}

static int too_many_points(const char *param, struct err *e)
{
	return err_setc(e, ERR_REFUSED, "points_limit_exceeded", param,
			"the order would earn more than %lld points, the most one order can earn:"
			" the programme's points_per_unit, multipliers and tier factor are too high"
			" for amounts this large", (long long)LEDGER_POINTS_MAX_PER_ORDER);
}

static int count_paid_orders(struct store_tx *tx, const char *shop, const char *customer,
			     int64_t *n, struct err *e)
{
	return store_query_int(tx, e, n,
		"SELECT count(*) FROM orders WHERE shop_id = $1 AND customer_id = $2"
		" AND status IN ('paid', 'partially_refunded')", "ss", shop, customer);
}

int ledger_milestone_hit(const struct program_milestone *m, int64_t paid_count)
{
	return !strcmp(m->type, "every") ? paid_count % m->n == 0 : paid_count == m->n;
}

static int award_milestones(struct store_tx *tx, const char *shop, const struct order *o,
			    const struct program *p, int64_t paid_count, int64_t available_at,
			    int64_t expires_at, struct err *e)
{
	for (int i = 0; i < p->nmilestones; i++) {
		const struct program_milestone *m = &p->milestones[i];
		char rule[48], id[ID_MAX], lot[ID_MAX] = "";
		int rc;
		if (!ledger_milestone_hit(m, paid_count))
			continue;
		snprintf(rule, sizeof(rule), "%s %lld", m->type, (long long)m->n);
		if (m->points && (rc = credit(tx, shop, o->customer_id, "milestone", m->points,
					      available_at, expires_at, o->id, p->version,
					      "milestone", rule, lot, e)))
			return rc;
		id_new(id, "msa_", clock_now_ms());
		rc = store_exec(tx, e,
			"INSERT INTO milestone_awards (shop_id, id, customer_id, order_id, rule, points,"
			" gift, lot_id, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7,"
			" nullif($8, ''), 'active', $9)", "sssssissi", shop, id, o->customer_id, o->id,
			rule, m->points, m->gift, lot, clock_now_ms());
		if (rc < 0 || (rc = event_record(tx, shop, "milestone.reached", id, o->customer_id, e)))
			return rc;
	}
	return 0;
}

/* Line amounts are at most 10^15 each and in all (order.h), shipping and tax
 * too: the base cannot overflow; it is checked anyway. */
int ledger_earn(const struct program *p, const struct order *o, int64_t tier_percent,
		int64_t *points, int64_t *base, int64_t *total, struct err *e)
{
	char param[32];
	int64_t unit = 1;
	for (int x = currency_exponent(o->currency); x > 0; x--)
		unit *= 10;
	*base = 0;
	for (int i = 0; i < o->nlines; i++) {
		snprintf(param, sizeof(param), "lines[%d]", i);
		if (line_points(p, o, &o->lines[i], tier_percent, unit, &points[i]))
			return too_many_points(param, e);
		if (checked_accumulate(base, o->lines[i].quantity * o->lines[i].unit_price -
					     o->lines[i].discount))
			return too_many_points("lines", e);
	}
	int64_t extra_base = (p->include_shipping ? o->shipping : 0) + (p->include_tax ? o->tax : 0);
	if (checked_accumulate(base, extra_base) ||
	    earn_points(p, extra_base, 100, tier_percent, unit, &points[o->nlines]))
		/* names the larger part earned on: the one to look at first */
		return too_many_points(p->include_shipping && (!p->include_tax ||
							       o->shipping >= o->tax)
				       ? "shipping" : "tax", e);
	if (*base < p->min_order)
		memset(points, 0, (size_t)(o->nlines + 1) * sizeof(int64_t));
	*total = 0;
	for (int i = 0; i <= o->nlines; i++) {
		*total += points[i];	/* at most 501 x 10^15 */
		if (*total > LEDGER_POINTS_MAX_PER_ORDER)
			return too_many_points("lines", e);
	}
	return 0;
}

/* Records each part's points (ledger_earn's) for exact claw-back. */
static int record_line_points(struct store_tx *tx, const char *shop, const struct order *o,
			      const int64_t *points, struct err *e)
{
	for (int i = 0; i <= o->nlines; i++) {
		if (!points[i])
			continue;
		int rc = store_exec(tx, e, "INSERT INTO order_line_points (shop_id, order_id, position,"
				    " points) VALUES ($1, $2, $3, $4)", "ssii", shop, o->id,
				    (int64_t)(i < o->nlines ? i : -1), points[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The order's loyalty row and its cashback (held to LEDGER_CASHBACK_MAX). */
static int record_earning(struct store_tx *tx, const char *shop, const struct order *o,
			  const struct program *p, int64_t total, int64_t base, int64_t paid_count,
			  struct err *e)
{
	int64_t cashback = (int64_t)((__int128)base * p->cashback_bp / 10000);	/* <= base */
	int rc;
	if (cashback > 0 && (rc = cashback_room(tx, shop, o->customer_id, o->currency, cashback, e)))
		return rc;
	rc = store_exec(tx, e,
		"INSERT INTO order_loyalty (shop_id, order_id, customer_id, points, program_version,"
		" paid_count, cashback, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		"sssiiiii", shop, o->id, o->customer_id, total, p->version, paid_count, cashback,
		clock_now_ms());
	if (rc < 0)
		return rc;
	return cashback > 0 ? cashback_entry(tx, shop, o->customer_id, o->currency, cashback, "earn",
					     o->id, e) : 0;
}

int ledger_on_order_paid(struct store_tx *tx, const char *shop, const struct order *o,
			 struct err *e)
{
	struct arena a = ARENA_INIT;
	struct program p;
	const char *tier;
	int64_t now = clock_now_ms(), total = 0, base = 0, paid_count;
	char lot[ID_MAX];
	int rc;

	if ((rc = program_get(tx, &a, shop, &p, e)) || !p.version)
		goto out;
	if ((rc = tier_current(tx, &a, shop, o->customer_id, &tier, e)) ||
	    (rc = count_paid_orders(tx, shop, o->customer_id, &paid_count, e)))
		goto out;
	const struct program_tier *t = program_tier(&p, tier);
	int64_t *points = arena_alloc(&a, (size_t)(o->nlines + 1) * sizeof(int64_t));
	if ((rc = ledger_earn(&p, o, t ? t->earn_percent : 100, points, &base, &total, e)) ||
	    (rc = record_line_points(tx, shop, o, points, e)) ||
	    (rc = record_earning(tx, shop, o, &p, total, base, paid_count, e)))
		goto out;
	int64_t available_at = now + p.pending_days * DAY_MS, expires_at = expiry_of(&p, now);
	if (total && (rc = credit(tx, shop, o->customer_id, "earn", total, available_at, expires_at,
				  o->id, p.version, "earn", NULL, lot, e)))
		goto out;
	/* Issue 13: the earning is an event of its own (webhooks, e-mail). */
	if (total && (rc = event_record(tx, shop, "points.earned", lot, o->customer_id, e)))
		goto out;
	if ((rc = award_milestones(tx, shop, o, &p, paid_count, available_at, expires_at, e)))
		goto out;
	rc = tier_refresh_from(tx, shop, o->customer_id, &p, 0, tier, e);
out:
	if (rc == ERR_REFUSED && !strcmp(e->code, "balance_limit_exceeded"))
		snprintf(e->param, sizeof(e->param), "customer");
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

/*
 * Takes up to want points for a refund of o: from the order's own earn lot
 * first; then the order's points that expired unspent count as taken (the
 * customer never had their value: they are not taken again from other lots),
 * up to expired_left, reported in *expired_used; then from lots with points
 * left, soonest expiry first. What it could not take goes to *short_by.
 */
static int claw(struct store_tx *tx, const char *shop, const struct order *o, int64_t want,
		int64_t expired_left, int64_t *expired_used, int64_t *short_by, struct err *e)
{
	struct arena a = ARENA_INIT;
	int64_t now = clock_now_ms();
	int rc = 0;
	*expired_used = 0;
	for (int pass = 0; pass < 2 && want > 0 && !rc; pass++) {
		char (*ids)[32];
		int64_t *have;
		int n;
		if (pass == 1) {
			*expired_used = expired_left < want ? expired_left : want;
			if ((want -= *expired_used) == 0)
				break;
		}
		rc = pass == 0
			? store_query_pairs(tx, e, &a, &ids, &have, &n,
				"SELECT id, remaining FROM loyalty_lots WHERE shop_id = $1 AND order_id = $2"
				" AND kind = 'earn' AND remaining > 0", "ss", shop, o->id)
			: store_query_pairs(tx, e, &a, &ids, &have, &n,
				"SELECT id, remaining FROM loyalty_lots WHERE shop_id = $1 AND customer_id = $2"
				" AND remaining > 0 AND (expires_at IS NULL OR expires_at > $3)"
				" ORDER BY expires_at IS NULL, expires_at, created_at, id",
				"ssi", shop, o->customer_id, now);
		for (int i = 0; !rc && i < n && want > 0; i++) {
			int64_t take = have[i] < want ? have[i] : want;
			if ((rc = move(tx, shop, o->customer_id, ids[i], -take, "refund_clawback", o->id,
				       NULL, e)))
				break;
			if (pass == 0 && (rc = store_exec(tx, e, "UPDATE loyalty_lots SET clawed = clawed + $3"
							  " WHERE shop_id = $1 AND id = $2", "ssi",
							  shop, ids[i], take)) < 0)
				break;
			rc = 0;
			want -= take;
		}
	}
	arena_free(&a);
	*short_by = want;
	return rc < 0 ? rc : 0;
}

/* Points of o's own earn lots that expired unspent (their expiry entries). */
static int expired_unspent(struct store_tx *tx, const char *shop, const struct order *o,
			   int64_t *out, struct err *e)
{
	int64_t sum;
	int rc = ledger_sum(store_query(tx, e,
		"SELECT x.delta FROM loyalty_lots l JOIN loyalty_entries x"
		" ON x.shop_id = l.shop_id AND x.lot_id = l.id WHERE l.shop_id = $1 AND l.order_id = $2"
		" AND l.kind = 'earn' AND x.reason = 'expiry'", "ss", shop, o->id), &sum, e);
	*out = sum == INT64_MIN ? INT64_MAX : -sum;
	return rc;
}

/*
 * Points that come back to a customer (a cancelled redemption, credit into
 * lot) first repay what refunds could not take: the uncollected claw-backs of
 * the customer's orders (refund_policy "clamp"), the lot's own order first,
 * then oldest first, then the debt lots ("debt").
 */
static int repay_uncollected(struct store_tx *tx, const char *shop, const char *customer,
			     const char *lot, int64_t credit, struct err *e)
{
	struct arena a = ARENA_INIT;
	char (*orders)[32];
	int64_t *owed;
	int n, rc = store_query_pairs(tx, e, &a, &orders, &owed, &n,
		"SELECT order_id, uncollected FROM order_loyalty WHERE shop_id = $1 AND customer_id = $2"
		" AND uncollected > 0 ORDER BY order_id = coalesce((SELECT order_id FROM loyalty_lots"
		" WHERE shop_id = $1 AND id = $3), '') DESC, created_at, order_id", "sss",
		shop, customer, lot);
	for (int i = 0; !rc && i < n && credit > 0; i++) {
		int64_t pay = owed[i] < credit ? owed[i] : credit;
		if ((rc = move(tx, shop, customer, lot, -pay, "refund_clawback", orders[i],
			       "uncollected claw-back repaid from points that came back", e)))
			break;
		rc = store_exec(tx, e, "UPDATE order_loyalty SET uncollected = uncollected - $3"
				" WHERE shop_id = $1 AND order_id = $2", "ssi", shop, orders[i], pay);
		if (rc >= 0)
			rc = store_exec(tx, e, "UPDATE loyalty_lots SET clawed = clawed + $3 WHERE shop_id = $1"
					" AND id = $2 AND kind = 'earn' AND order_id = $4", "ssis", shop, lot,
					pay, orders[i]);
		rc = rc < 0 ? rc : 0;
		credit -= pay;
	}
	arena_free(&a);
	if (rc || credit <= 0)
		return rc;
	return settle_debt(tx, shop, customer, lot, credit, e);
}

/* Points an order's refunds have cost so far: see ledger.h. */
int64_t ledger_clawback_target(int64_t points, const int64_t *line_points,
			       const int64_t *quantity, const int64_t *refunded_quantity,
			       int nlines, int64_t paid, int64_t refunded, int fully_refunded)
{
	__int128 by_lines = 0;
	if (fully_refunded)
		return points;
	for (int i = 0; i < nlines; i++)
		if (quantity[i] > 0)
			by_lines += (__int128)line_points[i] * refunded_quantity[i] / quantity[i];
	int64_t by_amount = paid ? (int64_t)((__int128)points * refunded / paid) : 0;
	int64_t target = (int64_t)by_lines > by_amount ? (int64_t)by_lines : by_amount;
	return target > points ? points : target;
}

static int clawback_target(struct store_tx *tx, const char *shop, const struct order *o,
			   int64_t points, int64_t *target, struct err *e)
{
	struct arena a = ARENA_INIT;
	int64_t *lp = arena_alloc(&a, (size_t)(o->nlines + 1) * 3 * sizeof(int64_t));
	int64_t *qty = lp + o->nlines + 1, *refunded = qty + o->nlines + 1;
	struct store_stmt *st = store_query(tx, e,
		"SELECT position, points FROM order_line_points WHERE shop_id = $1 AND order_id = $2"
		" AND position >= 0", "ss", shop, o->id);
	int rc = 0;
	for (int i = 0; i < o->nlines; i++) {
		qty[i] = o->lines[i].quantity;
		refunded[i] = o->lines[i].refunded_quantity;
	}
	if (!st) {
		rc = e->kind;
		goto out;
	}
	while ((rc = store_step(st, e)) == 1) {
		int64_t pos = store_int(st, 0);
		if (pos < o->nlines)
			lp[pos] = store_int(st, 1);
	}
	store_done(st);
	if (rc < 0)
		goto out;
	*target = ledger_clawback_target(points, lp, qty, refunded, o->nlines, o->paid_amount,
					 o->refunded_amount, !strcmp(o->status, "refunded"));
	rc = 0;
out:
	arena_free(&a);
	return rc;
}

static int void_milestones(struct store_tx *tx, const char *shop, const struct order *o,
			   const struct program *p, struct err *e)
{
	int full = !strcmp(o->status, "refunded");
	if (!full && p->milestone_survives_partial_refund)
		return 0;
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, lot_id FROM milestone_awards WHERE shop_id = $1 AND order_id = $2"
		" AND status = 'active'", "ss", shop, o->id);
	char ids[PROGRAM_MAX_ITEMS][ID_MAX], lots[PROGRAM_MAX_ITEMS][ID_MAX];
	int n = 0, rc;
	if (!st)
		return e->kind;
	while (n < PROGRAM_MAX_ITEMS && (rc = store_step(st, e)) == 1) {
		snprintf(ids[n], ID_MAX, "%s", store_text(st, 0));
		snprintf(lots[n++], ID_MAX, "%s", store_is_null(st, 1) ? "" : store_text(st, 1));
	}
	store_done(st);
	if (rc < 0)
		return rc;
	for (int i = 0; i < n; i++) {
		if (lots[i][0]) {
			/* The reward's points go if they are still there; spent ones stay spent. */
			int64_t left;
			if ((rc = store_query_int(tx, e, &left, "SELECT remaining FROM loyalty_lots"
						  " WHERE shop_id = $1 AND id = $2", "ss", shop, lots[i])))
				return rc;
			if (left > 0 && (rc = move(tx, shop, o->customer_id, lots[i], -left,
						   "milestone_voided", o->id, NULL, e)))
				return rc;
		}
		rc = store_exec(tx, e, "UPDATE milestone_awards SET status = 'voided' WHERE shop_id = $1"
				" AND id = $2", "ss", shop, ids[i]);
		if (rc < 0 || (rc = event_record(tx, shop, "milestone.voided", ids[i], o->id, e)))
			return rc;
	}
	return 0;
}


/*
 * Cashback goes back by the same rule as points (docs/loyalty.md): the larger
 * of the refunded lines' share (each line's cashback, floor(net * bp / 10000),
 * times the refunded fraction of its units) and the refunded amount's share;
 * all of it once fully refunded. Store credit never goes below zero; what was
 * already spent is recorded as such.
 */
static int claw_cashback(struct store_tx *tx, const char *shop, const struct order *o,
			 const struct program *p, int64_t cashback, int64_t clawed, struct err *e)
{
	struct arena a = ARENA_INIT;
	int64_t *lines = arena_alloc(&a, (size_t)(o->nlines + 1) * 3 * sizeof(int64_t));
	int64_t *qty = lines + o->nlines + 1, *refunded = qty + o->nlines + 1;
	for (int i = 0; i < o->nlines; i++) {
		const struct order_line *l = &o->lines[i];
		lines[i] = (int64_t)((__int128)(l->quantity * l->unit_price - l->discount) *
				     p->cashback_bp / 10000);
		qty[i] = l->quantity;
		refunded[i] = l->refunded_quantity;
	}
	int64_t target = ledger_clawback_target(cashback, lines, qty, refunded, o->nlines,
						o->paid_amount, o->refunded_amount,
						!strcmp(o->status, "refunded"));
	int64_t balance;
	int rc = 0;
	arena_free(&a);
	if (target <= clawed)
		return 0;
	if ((rc = cashback_balance(tx, shop, o->customer_id, o->currency, &balance, e)))
		return rc;
	int64_t take = target - clawed < balance ? target - clawed : balance;
	if (take > 0 && (rc = cashback_entry(tx, shop, o->customer_id, o->currency, -take,
					     "refund_clawback", o->id, e)))
		return rc;
	if (take < target - clawed && (rc = cashback_entry(tx, shop, o->customer_id, o->currency, 0,
							   "refund_uncollectable", o->id, e)))
		return rc;
	rc = store_exec(tx, e, "UPDATE order_loyalty SET cashback_clawed = $3 WHERE shop_id = $1"
			" AND order_id = $2", "ssi", shop, o->id, target);
	return rc < 0 ? rc : 0;
}

/*
 * What a claw-back could not take: a debt lot under "debt" (total debt held to
 * LEDGER_BALANCE_MAX, the rest treated as under "clamp"), else an audit entry
 * and the order's uncollected amount, which points coming back repay first.
 */
static int record_short(struct store_tx *tx, struct arena *a, const char *shop,
			const struct order *o, int64_t short_by, struct err *e)
{
	struct program cur;
	char lot[ID_MAX], note[128];
	int64_t debt = 0, as_debt = 0;
	int rc;
	if ((rc = program_get(tx, a, shop, &cur, e)))
		return rc;
	if (!strcmp(cur.refund_policy, "debt")) {
		if ((rc = debt_held(tx, shop, o->customer_id, &debt, e)))
			return rc;
		as_debt = debt >= LEDGER_BALANCE_MAX ? 0
			: LEDGER_BALANCE_MAX - debt < short_by ? LEDGER_BALANCE_MAX - debt : short_by;
	}
	if (as_debt > 0) {
		snprintf(note, sizeof(note), "%lld points of refunded order were already spent",
			 (long long)as_debt);
		if ((rc = credit(tx, shop, o->customer_id, "debt", -as_debt, clock_now_ms(), 0, o->id,
				 cur.version, "refund_debt", note, lot, e)))
			return rc;
		short_by -= as_debt;
	}
	if (short_by <= 0)
		return 0;
	snprintf(note, sizeof(note), "%lld points of refunded order were already spent",
		 (long long)short_by);
	if ((rc = entry(tx, shop, o->customer_id, NULL, 0, "refund_uncollectable", o->id, NULL, note, e)))
		return rc;
	rc = store_exec(tx, e, "UPDATE order_loyalty SET uncollected = uncollected + $3"
			" WHERE shop_id = $1 AND order_id = $2", "ssi", shop, o->id, short_by);
	return rc < 0 ? rc : 0;
}

int ledger_on_order_refunded(struct store_tx *tx, const char *shop, const struct order *o,
			     struct err *e)
{
	struct arena a = ARENA_INIT;
	struct program p;
	int64_t points = 0, clawed = 0, version = 0, target = 0, short_by = 0, counted = 0;
	int64_t cashback = 0, cashback_clawed = 0, expired = 0, expired_used = 0;
	int found, rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT points, clawed, program_version, cashback, cashback_clawed, expired_unclawed"
		" FROM order_loyalty WHERE shop_id = $1 AND order_id = $2", "ss", shop, o->id);
	if (!st)
		return e->kind;
	found = (rc = store_step(st, e)) == 1;
	if (found) {
		points = store_int(st, 0);
		clawed = store_int(st, 1);
		version = store_int(st, 2);
		cashback = store_int(st, 3);
		cashback_clawed = store_int(st, 4);
		counted = store_int(st, 5);
	}
	store_done(st);
	if (rc < 0 || !found)
		return rc < 0 ? rc : 0;	/* paid before the programme existed */
	if ((rc = program_get_version(tx, &a, shop, version, &p, e)) ||
	    (rc = clawback_target(tx, shop, o, points, &target, e)))
		goto out;
	if (target > clawed) {
		if ((rc = expired_unspent(tx, shop, o, &expired, e)) ||
		    (rc = claw(tx, shop, o, target - clawed, expired - counted, &expired_used,
			       &short_by, e)))
			goto out;
		rc = store_exec(tx, e, "UPDATE order_loyalty SET clawed = $3,"
				" expired_unclawed = expired_unclawed + $4 WHERE shop_id = $1"
				" AND order_id = $2", "ssii", shop, o->id, target, expired_used);
		if (rc < 0)
			goto out;
	}
	if (expired_used > 0) {
		char note[128];
		snprintf(note, sizeof(note), "%lld points of refunded order had expired unspent:"
			 " not taken again", (long long)expired_used);
		if ((rc = entry(tx, shop, o->customer_id, NULL, 0, "refund_expired", o->id, NULL, note, e)))
			goto out;
	}
	if ((short_by > 0 && (rc = record_short(tx, &a, shop, o, short_by, e))) ||
	    (rc = claw_cashback(tx, shop, o, &p, cashback, cashback_clawed, e)) ||
	    (rc = void_milestones(tx, shop, o, &p, e)))
		goto out;
	struct program cur;
	if ((rc = program_get(tx, &a, shop, &cur, e)) == 0)
		rc = tier_refresh(tx, shop, o->customer_id, &cur, 1, e);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ledger_order_earning(struct store_tx *tx, struct arena *a, const char *shop,
			 const char *order_id, struct order_earning *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	struct store_stmt *st = store_query(tx, e,
		"SELECT ol.points, ol.clawed, l.available_at, l.expires_at, ol.cashback, ol.cashback_clawed"
		" FROM order_loyalty ol"
		" LEFT JOIN loyalty_lots l ON l.shop_id = ol.shop_id AND l.order_id = ol.order_id"
		" AND l.kind = 'earn' WHERE ol.shop_id = $1 AND ol.order_id = $2", "ss", shop, order_id);
	int rc;
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1) {
		out->known = 1;
		out->points = store_int(st, 0);
		out->clawed = store_int(st, 1);
		out->available_at = store_int(st, 2);
		out->expires_at = store_int(st, 3);
		out->cashback = store_int(st, 4);
		out->cashback_clawed = store_int(st, 5);
	}
	store_done(st);
	if (rc < 0 || !out->known)
		return rc < 0 ? rc : 0;
	st = store_query(tx, e, "SELECT id, rule, gift, status, points, created_at FROM milestone_awards"
			 " WHERE shop_id = $1 AND order_id = $2 ORDER BY id LIMIT 50", "ss", shop, order_id);
	if (!st)
		return e->kind;
	out->awards = arena_alloc(a, 50 * sizeof(*out->awards));
	while ((rc = store_step(st, e)) == 1) {
		struct milestone_award *m = &out->awards[out->nawards++];
		snprintf(m->id, sizeof(m->id), "%s", store_text(st, 0));
		m->rule = arena_strdup(a, store_text(st, 1));
		m->gift = arena_strdup(a, store_text(st, 2));
		m->status = arena_strdup(a, store_text(st, 3));
		m->points = store_int(st, 4);
		m->created_at = store_int(st, 5);
		m->order_id = order_id;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

static void row_to_lot(struct store_stmt *st, struct arena *a, int64_t now, struct loyalty_lot *l)
{
	snprintf(l->id, sizeof(l->id), "%s", store_text(st, 0));
	l->kind = arena_strdup(a, store_text(st, 1));
	l->amount = store_int(st, 2);
	l->remaining = store_int(st, 3);
	l->available_at = store_int(st, 4);
	l->expires_at = store_int(st, 5);
	l->created_at = store_int(st, 6);
	l->order_id = arena_strdup(a, store_text(st, 7));
	l->program_version = store_int(st, 8);
	l->note = arena_strdup(a, store_text(st, 9));
	l->state = l->expires_at && l->expires_at <= now ? "expired"
		 : l->remaining == 0 ? "used"
		 : l->available_at > now ? "pending" : "available";
}

/* The customer's wallets, one per currency (at most 16), each added up in C. */
static int cashback_wallets(struct store_tx *tx, struct arena *a, const char *shop,
			    const char *customer, struct cashback_balance **out, int *n,
			    struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT DISTINCT currency FROM cashback_entries"
		" WHERE shop_id = $1 AND customer_id = $2 ORDER BY currency LIMIT 16", "ss", shop, customer);
	int rc;
	*out = arena_alloc(a, 16 * sizeof(**out));
	*n = 0;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1)
		(*out)[(*n)++].currency = arena_strdup(a, store_text(st, 0));
	store_done(st);
	for (int i = 0; rc >= 0 && i < *n; i++)
		rc = cashback_balance(tx, shop, customer, (*out)[i].currency, &(*out)[i].balance, e);
	return rc < 0 ? rc : 0;
}

int ledger_balance(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   struct loyalty_balance *out, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc, cap = 16;
	memset(out, 0, sizeof(*out));
	struct store_stmt *st = store_query(tx, e,
		"SELECT " LOT_COLUMNS " FROM loyalty_lots WHERE shop_id = $1 AND customer_id = $2"
		" AND remaining <> 0 AND (expires_at IS NULL OR expires_at > $3)"
		" ORDER BY expires_at IS NULL, expires_at, created_at, id", "ssi", shop, customer, now);
	if (!st)
		return e->kind;
	out->lots = arena_alloc(a, (size_t)cap * sizeof(*out->lots));
	while ((rc = store_step(st, e)) == 1) {
		if (out->nlots == cap) {
			struct loyalty_lot *more = arena_alloc(a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, out->lots, (size_t)cap * sizeof(*more));
			out->lots = more;
			cap *= 2;
		}
		struct loyalty_lot *l = &out->lots[out->nlots++];
		row_to_lot(st, a, now, l);
		/* Checked: a balance can pass LEDGER_BALANCE_MAX by points given
		 * back (ledger_restore), and must never wrap. */
		if (!strcmp(l->state, "pending"))
			out->pending = checked_sat_add(out->pending, l->remaining);
		else
			out->available = checked_sat_add(out->available, l->remaining);
		if (l->expires_at && l->expires_at <= now + 30 * DAY_MS && strcmp(l->state, "pending"))
			out->expiring_soon = checked_sat_add(out->expiring_soon, l->remaining);
	}
	store_done(st);
	if (rc < 0)
		return rc;
	/* Lifetime earnings have no bound: added up in C, saturating. */
	if ((rc = ledger_sum(store_query(tx, e, "SELECT amount - clawed FROM loyalty_lots"
					 " WHERE shop_id = $1 AND customer_id = $2 AND amount > 0",
					 "ss", shop, customer), &out->lifetime_earned, e)) ||
	    (rc = store_query_int(tx, e, &out->last_activity,
			"SELECT coalesce(max(created_at), 0) FROM loyalty_entries WHERE shop_id = $1"
			" AND customer_id = $2 AND reason IN ('earn', 'redemption', 'manual', 'bonus',"
			" 'milestone')", "ss", shop, customer)))
		return rc;
	if ((rc = cashback_wallets(tx, a, shop, customer, &out->cashback, &out->ncashback, e)))
		return rc;
	return count_paid_orders(tx, shop, customer, &out->paid_orders, e);
}

int ledger_entries(struct store_tx *tx, struct arena *a, const char *shop, const char *customer,
		   const char *starting_after, int limit, struct loyalty_entry **out, int *n,
		   int *has_more, struct err *e)
{
	int rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT id, lot_id, reason, order_id, redemption_id, note, delta, created_at"
		" FROM loyalty_entries WHERE shop_id = $1 AND customer_id = $2"
		" AND ($3 IS NULL OR id < $3) ORDER BY id DESC LIMIT $4",
		"sssi", shop, customer, starting_after, (int64_t)limit + 1);
	if (!st)
		return e->kind;
	*out = arena_alloc(a, (size_t)(limit + 1) * sizeof(**out));
	*n = 0;
	while ((rc = store_step(st, e)) == 1) {
		struct loyalty_entry *x = &(*out)[(*n)++];
		snprintf(x->id, sizeof(x->id), "%s", store_text(st, 0));
		x->lot_id = arena_strdup(a, store_text(st, 1));
		x->reason = arena_strdup(a, store_text(st, 2));
		x->order_id = arena_strdup(a, store_text(st, 3));
		x->redemption_id = arena_strdup(a, store_text(st, 4));
		x->note = arena_strdup(a, store_text(st, 5));
		x->delta = store_int(st, 6);
		x->created_at = store_int(st, 7);
	}
	store_done(st);
	*has_more = *n > limit;
	if (*has_more)
		*n = limit;
	return rc < 0 ? rc : 0;
}

int ledger_adjust(struct store_tx *tx, const char *shop, const char *customer, int64_t points,
		  const char *note, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct program p;
	int64_t now = clock_now_ms();
	char lot[ID_MAX];
	int rc;

	if (points == 0)
		return err_set(e, ERR_INVALID, "points", "\"points\" must not be 0");
	if (!note || !*note)
		return err_setc(e, ERR_INVALID, "parameter_missing", "reason",
				"\"reason\" is required: every manual change says why");
	if ((rc = program_get(tx, &a, shop, &p, e)))
		goto out;
	if (points > 0) {
		rc = credit(tx, shop, customer, "manual", points, now, expiry_of(&p, now), NULL,
			    p.version, "manual", note, lot, e);
		goto out;
	}
	rc = ledger_spend(tx, shop, customer, -points, "manual", NULL, note, e);
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ledger_spend(struct store_tx *tx, const char *shop, const char *customer, int64_t points,
		 const char *reason, const char *redemption_id, const char *note, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct loyalty_balance b;
	int rc;
	if ((rc = ledger_balance(tx, &a, shop, customer, &b, e)))
		goto out;
	if (b.available < points) {
		rc = err_setc(e, ERR_REFUSED, "not_enough_points", "points",
			      "customer has %lld points available, %lld needed",
			      (long long)(b.available > 0 ? b.available : 0), (long long)points);
		goto out;
	}
	for (int i = 0; i < b.nlots && points > 0; i++) {
		struct loyalty_lot *l = &b.lots[i];
		if (strcmp(l->state, "available") || l->remaining <= 0)
			continue;
		int64_t take = l->remaining < points ? l->remaining : points;
		rc = store_exec(tx, e, "UPDATE loyalty_lots SET remaining = remaining - $3"
				" WHERE shop_id = $1 AND id = $2", "ssi", shop, l->id, take);
		if (rc < 0 || (rc = entry(tx, shop, customer, l->id, -take, reason, NULL, redemption_id,
					  note, e)))
			goto out;
		if (redemption_id && (rc = store_exec(tx, e,
				"INSERT INTO redemption_draws (shop_id, redemption_id, lot_id, points)"
				" VALUES ($1, $2, $3, $4)", "sssi", shop, redemption_id, l->id, take)) < 0)
			goto out;
		points -= take;
	}
	rc = 0;
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ledger_restore(struct store_tx *tx, const char *shop, const char *customer,
		   const char *redemption_id, struct err *e)
{
	struct arena a = ARENA_INIT;
	char (*lots)[32];
	int64_t *points;
	int n, rc = store_query_pairs(tx, e, &a, &lots, &points, &n,
		"SELECT lot_id, points FROM redemption_draws WHERE shop_id = $1 AND redemption_id = $2",
		"ss", shop, redemption_id);
	/* Never held to LEDGER_BALANCE_MAX: these points were the customer's
	 * already (ledger.h); refusing would block the refund or cancel. */
	for (int i = 0; !rc && i < n; i++) {
		rc = store_exec(tx, e, "UPDATE loyalty_lots SET remaining = remaining + $3"
				" WHERE shop_id = $1 AND id = $2", "ssi", shop, lots[i], points[i]);
		if (rc >= 0)
			rc = entry(tx, shop, customer, lots[i], points[i], "redemption_cancelled", NULL,
				   redemption_id, NULL, e);
		if (!rc)
			rc = repay_uncollected(tx, shop, customer, lots[i], points[i], e);
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ledger_bonus(struct store_tx *tx, const char *shop, const char *customer, const char *action,
		 int strict, int64_t *points, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct program p;
	int64_t now = clock_now_ms(), given = 0;
	char lot[ID_MAX];
	int rc;
	*points = 0;
	if ((rc = program_get(tx, &a, shop, &p, e)))
		goto out;
	const struct program_bonus *b = p.version ? program_bonus(&p, action) : NULL;
	if (!b) {
		if (strict)
			rc = err_setc(e, ERR_REFUSED, "bonus_not_offered", "action",
				      "the programme offers no bonus for \"%s\"", action);
		goto out;
	}
	if (b->per_customer_limit) {
		if ((rc = store_query_int(tx, e, &given,
				"SELECT count(*) FROM loyalty_lots WHERE shop_id = $1 AND customer_id = $2"
				" AND kind = 'bonus' AND note = $3", "sss", shop, customer, action)))
			goto out;
		if (given >= b->per_customer_limit) {
			rc = strict ? err_setc(e, ERR_REFUSED, "limit_reached", "action",
					       "the \"%s\" bonus is limited to %lld per customer", action,
					       (long long)b->per_customer_limit) : 0;
			goto out;
		}
	}
	if (!strict && room_for(tx, shop, customer, b->points, e) == ERR_REFUSED) {
		err_clear(e);	/* a quiet bonus never fails the request it rides on */
		rc = 0;
		goto out;
	}
	rc = credit(tx, shop, customer, "bonus", b->points, now, expiry_of(&p, now), NULL, p.version,
		    "bonus", action, lot, e);
	if (!rc) {
		*points = b->points;
		rc = event_record(tx, shop, "points.bonus", lot, customer, e);
	}
out:
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int expire_inactive(struct store_tx *tx, int64_t now, struct ledger_job_counts *c,
			   struct err *e)
{
	struct arena a = ARENA_INIT;
	struct store_stmt *st = store_query(tx, e, "SELECT DISTINCT shop_id FROM program_versions", "");
	char shops[1024][ID_MAX];
	int nshops = 0, rc = 0;
	if (!st)
		return e->kind;
	while (nshops < 1024 && (rc = store_step(st, e)) == 1)
		snprintf(shops[nshops++], ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	for (int s = 0; rc >= 0 && s < nshops; s++) {
		struct program p;
		if ((rc = program_get(tx, &a, shops[s], &p, e)) || strcmp(p.expiry, "inactivity"))
			continue;
		/* Lots of customers whose last earning or use of points is too old. */
		st = store_query(tx, e,
			"SELECT l.id, l.customer_id, l.remaining FROM loyalty_lots l WHERE l.shop_id = $1"
			" AND l.remaining > 0 AND l.available_at <= $2 AND (SELECT max(x.created_at)"
			" FROM loyalty_entries x WHERE x.shop_id = l.shop_id AND x.customer_id = l.customer_id"
			" AND x.reason IN ('earn', 'redemption', 'manual', 'bonus', 'milestone')) <= $3"
			" LIMIT 4096", "sii", shops[s], now, now - p.expiry_n * DAY_MS);
		if (!st) {
			rc = e->kind;
			break;
		}
		char (*lots)[2][ID_MAX] = arena_alloc(&a, 4096 * sizeof(*lots));
		int64_t *left = arena_alloc(&a, 4096 * sizeof(int64_t));
		int n = 0;
		while ((rc = store_step(st, e)) == 1) {
			snprintf(lots[n][0], ID_MAX, "%s", store_text(st, 0));
			snprintf(lots[n][1], ID_MAX, "%s", store_text(st, 1));
			left[n++] = store_int(st, 2);
		}
		store_done(st);
		for (int i = 0; rc >= 0 && i < n; i++) {
			if ((rc = move(tx, shops[s], lots[i][1], lots[i][0], -left[i], "expiry", NULL,
				       "inactivity", e)) ||
			    (rc = event_record(tx, shops[s], "points.expired", lots[i][0], lots[i][1], e)))
				break;
			c->expired_lots++;
			c->expired_points = checked_sat_add(c->expired_points, left[i]);
		}
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int merge_refused(const char *code, const char *what, const char *target,
			 const char *source, int64_t t, int64_t s, int64_t max, struct err *e)
{
	return err_setc(e, ERR_REFUSED, code, "source",
			"customer \"%s\" holds %lld %s and customer \"%s\" %lld: together they"
			" would pass the maximum of %lld", target, (long long)t, what, source,
			(long long)s, (long long)max);
}

/* One currency of source's wallets against target's wallet in it. */
static int merge_wallet_room(struct store_tx *tx, const char *shop, const char *target,
			     const char *source, const struct cashback_balance *w, struct err *e)
{
	char what[64];
	int64_t held, sum;
	int rc = cashback_balance(tx, shop, target, w->currency, &held, e);
	if (rc)
		return rc;
	if (checked_add(held, w->balance, &sum) || sum > LEDGER_CASHBACK_MAX) {
		snprintf(what, sizeof(what), "%.8s of cashback", w->currency);
		return merge_refused("cashback_limit_exceeded", what, target, source, held, w->balance,
				     LEDGER_CASHBACK_MAX, e);
	}
	return 0;
}

int ledger_merge_room(struct store_tx *tx, const char *shop, const char *target,
		      const char *source, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct cashback_balance *w;
	int64_t tp, sp, td, sd, sum;
	int nw, rc;
	if ((rc = points_held(tx, shop, target, &tp, e)) || (rc = points_held(tx, shop, source, &sp, e)) ||
	    (rc = debt_held(tx, shop, target, &td, e)) || (rc = debt_held(tx, shop, source, &sd, e)))
		goto out;
	if (checked_add(tp, sp, &sum) || sum > LEDGER_BALANCE_MAX) {
		rc = merge_refused("balance_limit_exceeded", "points", target, source, tp, sp,
				   LEDGER_BALANCE_MAX, e);
		goto out;
	}
	if (checked_add(td, sd, &sum) || sum > LEDGER_BALANCE_MAX) {
		rc = merge_refused("balance_limit_exceeded", "points of debt", target, source, td, sd,
				   LEDGER_BALANCE_MAX, e);
		goto out;
	}
	if ((rc = cashback_wallets(tx, &a, shop, source, &w, &nw, e)))
		goto out;
	for (int i = 0; !rc && i < nw; i++)
		rc = merge_wallet_room(tx, shop, target, source, &w[i], e);
out:
	arena_free(&a);
	return rc;
}

int ledger_merge(struct store_tx *tx, const char *shop, const char *target, const char *source,
		 struct err *e)
{
	static const char *const moves[] = {
		"UPDATE loyalty_lots SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE loyalty_entries SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE order_loyalty SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE milestone_awards SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE redemptions SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"UPDATE cashback_entries SET customer_id = $2 WHERE shop_id = $1 AND customer_id = $3",
		"DELETE FROM loyalty_accounts WHERE shop_id = $1 AND customer_id = $3",
	};
	struct arena a = ARENA_INIT;
	struct program p;
	int rc = 0;
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]) && rc >= 0; i++)
		rc = store_exec(tx, e, moves[i], "sss", shop, target, source);
	if (rc >= 0 && (rc = program_get(tx, &a, shop, &p, e)) == 0)
		rc = tier_refresh(tx, shop, target, &p, 0, e);
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int expire_lots(struct store_tx *tx, int64_t now, struct ledger_job_counts *c, struct err *e)
{
	for (;;) {
		struct store_stmt *st = store_query(tx, e,
			"SELECT shop_id, id, customer_id, remaining FROM loyalty_lots"
			" WHERE remaining > 0 AND expires_at <= $1 LIMIT 256", "i", now);
		char shops[256][ID_MAX], lots[256][ID_MAX], customers[256][ID_MAX];
		int64_t left[256];
		int n = 0, rc;
		if (!st)
			return e->kind;
		while (n < 256 && (rc = store_step(st, e)) == 1) {
			snprintf(shops[n], ID_MAX, "%s", store_text(st, 0));
			snprintf(lots[n], ID_MAX, "%s", store_text(st, 1));
			snprintf(customers[n], ID_MAX, "%s", store_text(st, 2));
			left[n++] = store_int(st, 3);
		}
		store_done(st);
		if (rc < 0)
			return rc;
		for (int i = 0; i < n; i++) {
			if ((rc = move(tx, shops[i], customers[i], lots[i], -left[i], "expiry", NULL, NULL, e)) ||
			    (rc = event_record(tx, shops[i], "points.expired", lots[i], customers[i], e)))
				return rc;
			c->expired_lots++;
			c->expired_points = checked_sat_add(c->expired_points, left[i]);
		}
		if (n < 256)
			return 0;
	}
}

static int remind(struct store_tx *tx, int64_t now, struct ledger_job_counts *c, struct err *e)
{
	struct arena a = ARENA_INIT;
	int rc = 0;
	struct store_stmt *st = store_query(tx, e, "SELECT DISTINCT shop_id FROM program_versions", "");
	char shops[1024][ID_MAX];
	int nshops = 0;
	if (!st)
		return e->kind;
	while (nshops < 1024 && (rc = store_step(st, e)) == 1)
		snprintf(shops[nshops++], ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	for (int s = 0; rc >= 0 && s < nshops; s++) {
		struct program p;
		if ((rc = program_get(tx, &a, shops[s], &p, e)) || !p.reminder_days ||
		    !strcmp(p.expiry, "never"))
			continue;
		st = store_query(tx, e,
			"UPDATE loyalty_lots SET reminded_at = $2 WHERE shop_id = $1 AND remaining > 0"
			" AND reminded_at IS NULL AND expires_at > $2 AND expires_at <= $3"
			" RETURNING id, customer_id", "sii", shops[s], now, now + p.reminder_days * DAY_MS);
		if (!st) {
			rc = e->kind;
			break;
		}
		char lots[512][ID_MAX], customers[512][ID_MAX];
		int n = 0;
		while (n < 512 && (rc = store_step(st, e)) == 1) {
			snprintf(lots[n], ID_MAX, "%s", store_text(st, 0));
			snprintf(customers[n++], ID_MAX, "%s", store_text(st, 1));
		}
		store_done(st);
		for (int i = 0; rc >= 0 && i < n; i++, c->reminders++)
			rc = event_record(tx, shops[s], "points.expiring", lots[i], customers[i], e);
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

static int downgrade_tiers(struct store_tx *tx, struct ledger_job_counts *c, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct store_stmt *st = store_query(tx, e,
		"SELECT shop_id, customer_id FROM loyalty_accounts WHERE tier IS NOT NULL LIMIT 100000", "");
	int rc = 0, cap = 1024, n = 0;
	char (*rows)[2][ID_MAX] = NULL;
	if (!st)
		return e->kind;
	rows = arena_alloc(&a, (size_t)cap * sizeof(*rows));
	while ((rc = store_step(st, e)) == 1) {
		if (n == cap) {
			char (*more)[2][ID_MAX] = arena_alloc(&a, (size_t)cap * 2 * sizeof(*more));
			memcpy(more, rows, (size_t)cap * sizeof(*rows));
			rows = more;
			cap *= 2;
		}
		snprintf(rows[n][0], ID_MAX, "%s", store_text(st, 0));
		snprintf(rows[n++][1], ID_MAX, "%s", store_text(st, 1));
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < n; i++) {
		struct program p;
		const char *before, *after;
		if ((rc = program_get(tx, &a, rows[i][0], &p, e)) ||
		    (rc = tier_current(tx, &a, rows[i][0], rows[i][1], &before, e)) ||
		    (rc = tier_refresh(tx, rows[i][0], rows[i][1], &p, 1, e)) ||
		    (rc = tier_current(tx, &a, rows[i][0], rows[i][1], &after, e)))
			break;
		if ((before == NULL) != (after == NULL) || (before && strcmp(before, after)))
			c->tier_changes++;
	}
	arena_free(&a);
	return rc < 0 ? rc : 0;
}

int ledger_run_jobs(struct store_tx *tx, struct ledger_job_counts *out, struct err *e)
{
	int64_t now = clock_now_ms();
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = expire_lots(tx, now, out, e)) || (rc = expire_inactive(tx, now, out, e)) ||
	    (rc = remind(tx, now, out, e)))
		return rc;
	return downgrade_tiers(tx, out, e);
}

static int add_mismatch(struct arena *a, struct ledger_mismatch **out, int *n, int *cap,
			struct ledger_mismatch m)
{
	if (*n == *cap) {
		struct ledger_mismatch *more = arena_alloc(a, (size_t)*cap * 2 * sizeof(*more));
		memcpy(more, *out, (size_t)*cap * sizeof(*more));
		*out = more;
		*cap *= 2;
	}
	(*out)[(*n)++] = m;
	return 0;
}

/* Each lot against the sum of its entries (added up in C: corrupt data must
 * be reported, not fail the check with "integer overflow"). */
static int check_lots(struct store_tx *tx, struct arena *a, struct ledger_mismatch **out, int *n,
		      int *cap, int64_t *lots_checked, struct err *e)
{
	int rc;
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, id, kind, amount, remaining"
					    " FROM loyalty_lots", "");
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		const char *shop = store_text(st, 0), *lot = store_text(st, 1), *kind = store_text(st, 2);
		int64_t amount = store_int(st, 3), remaining = store_int(st, 4), sum;
		if ((rc = ledger_sum(store_query(tx, e, "SELECT delta FROM loyalty_entries"
						 " WHERE shop_id = $1 AND lot_id = $2", "ss", shop, lot),
				     &sum, e)))
			break;
		const char *problem = remaining != sum ? "remaining differs from the sum of its entries"
			: strcmp(kind, "debt") && remaining < 0 ? "negative remaining outside a debt lot"
			: amount > 0 && remaining > amount ? "remaining above the amount credited"
			: NULL;
		(*lots_checked)++;
		if (problem)
			add_mismatch(a, out, n, cap, (struct ledger_mismatch){ arena_strdup(a, shop),
				     arena_strdup(a, lot), NULL, problem, remaining, sum });
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/*
 * One customer against the limits (ledger.h): points at most
 * LEDGER_BALANCE_MAX plus the points ever given back by cancelled spends
 * (never refused), debt at most LEDGER_BALANCE_MAX, each wallet at most
 * LEDGER_CASHBACK_MAX.
 */
static int check_customer(struct store_tx *tx, struct arena *a, const char *shop,
			  const char *customer, struct ledger_mismatch **out, int *n, int *cap,
			  struct err *e)
{
	struct arena local = ARENA_INIT;	/* the wallets: per customer, not kept */
	struct cashback_balance *w;
	int64_t held, debt, given_back, nw;
	int rc, count;
	if ((rc = points_held(tx, shop, customer, &held, e)) ||
	    (rc = debt_held(tx, shop, customer, &debt, e)) ||
	    (rc = ledger_sum(store_query(tx, e, "SELECT delta FROM loyalty_entries WHERE shop_id = $1"
					 " AND customer_id = $2 AND reason = 'redemption_cancelled'", "ss",
					 shop, customer), &given_back, e)) ||
	    (rc = cashback_wallets(tx, &local, shop, customer, &w, &count, e)))
		goto out;
	int64_t allowed = checked_sat_add(LEDGER_BALANCE_MAX, given_back);
	struct ledger_mismatch m = { NULL, NULL, NULL, NULL, 0, 0 };
	if (held > allowed)
		m.problem = "points above the maximum balance", m.remaining = held, m.entries = allowed;
	else if (debt > LEDGER_BALANCE_MAX)
		m.problem = "debt above the maximum", m.remaining = debt, m.entries = LEDGER_BALANCE_MAX;
	for (nw = 0; !m.problem && nw < count; nw++)
		if (w[nw].balance > LEDGER_CASHBACK_MAX)
			m.problem = "a cashback wallet above the maximum",
			m.remaining = w[nw].balance, m.entries = LEDGER_CASHBACK_MAX;
	if (m.problem) {
		m.shop = arena_strdup(a, shop);
		m.customer_id = arena_strdup(a, customer);
		add_mismatch(a, out, n, cap, m);
	}
out:
	arena_free(&local);
	return rc;
}

static int check_customers(struct store_tx *tx, struct arena *a, struct ledger_mismatch **out,
			   int *n, int *cap, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT shop_id, customer_id FROM loyalty_lots"
					    " UNION SELECT shop_id, customer_id FROM cashback_entries", "");
	int rc;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1)
		if ((rc = check_customer(tx, a, store_text(st, 0), store_text(st, 1), out, n, cap, e)))
			break;
	store_done(st);
	return rc < 0 ? rc : 0;
}

int ledger_check(struct store_tx *tx, struct arena *a, struct ledger_mismatch **out, int *n,
		 int64_t *lots_checked, struct err *e)
{
	int cap = 16, rc;
	*out = arena_alloc(a, (size_t)cap * sizeof(**out));
	*n = 0;
	*lots_checked = 0;
	if ((rc = check_lots(tx, a, out, n, &cap, lots_checked, e)))
		return rc;
	return check_customers(tx, a, out, n, &cap, e);
}

int ledger_credit_offer(struct store_tx *tx, const char *shop, const char *customer,
			int64_t points, const char *reason, const char *note, struct err *e)
{
	struct arena a = ARENA_INIT;
	struct program p;
	int64_t now = clock_now_ms();
	char lot[ID_MAX];
	int rc;
	assert(points > 0);
	if (!(rc = program_get(tx, &a, shop, &p, e)))
		rc = credit(tx, shop, customer, "bonus", points, now, expiry_of(&p, now), NULL,
			    p.version, reason, note, lot, e);
	arena_free(&a);
	return rc < 0 ? rc : 0;
}
