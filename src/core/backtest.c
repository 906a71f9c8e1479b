/* backtest.c: see backtest.h. One scan of the paid orders in pages, one
 * record per customer met, and a visitor per kind of backtest. */
#include "backtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/checked.h"
#include "../base/clock.h"
#include "campaign.h"
#include "discount.h"
#include "ledger.h"
#include "order.h"
#include "tier.h"

const char *const backtest_reasons[BACKTEST_REASONS] = {
	[BACKTEST_NOT_STARTED] = "not_started",
	[BACKTEST_EXPIRED] = "expired",
	[BACKTEST_CURRENCY_MISMATCH] = "currency_mismatch",
	[BACKTEST_NOT_ELIGIBLE] = "not_eligible",
	[BACKTEST_MIN_CART_NOT_MET] = "min_cart_not_met",
	[BACKTEST_LIMIT_REACHED] = "limit_reached",
	[BACKTEST_BUDGET_EXHAUSTED] = "budget_exhausted",
};

int backtest_check_options(const struct backtest_options *o, struct err *e)
{
	if (o->days < BACKTEST_DAYS_MIN || o->days > BACKTEST_DAYS_MAX)
		return err_set(e, ERR_INVALID, "days", "\"days\" must be from %d to %d, not %lld",
			       BACKTEST_DAYS_MIN, BACKTEST_DAYS_MAX, (long long)o->days);
	return 0;
}

/* What the backtest remembers of a customer between their orders. */
struct customer_state {
	char id[ID_MAX];		/* "" : a free slot */
	int64_t paid_before;		/* paid orders placed before the current one */
	int64_t uses;			/* orders the backtest reached */
	int64_t opens_from;		/* campaign: when it opens for them */
	int64_t tier_draft, tier_current;	/* programme: their tier's factor */
	int targeted, reached;
};

/* An open-addressing table of customer_state, grown at 1/2 full. */
struct customers {
	struct customer_state *slots;
	size_t cap, n;
};

static size_t hash_of(const char *s)
{
	size_t h = 14695981039346656037ULL;	/* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static struct customer_state *slot_of(struct customer_state *slots, size_t cap, const char *id)
{
	size_t i = hash_of(id) & (cap - 1);
	while (slots[i].id[0] && strcmp(slots[i].id, id))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static void customers_grow(struct customers *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	struct customer_state *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		abort();	/* as arena_alloc: out of memory is no state to continue in */
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].id[0])
			*slot_of(slots, cap, m->slots[i].id) = m->slots[i];
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
}

/* The customer's record; *fresh 1 when it was just made (all zero). */
static struct customer_state *customers_get(struct customers *m, const char *id, int *fresh)
{
	if ((m->n + 1) * 2 > m->cap)
		customers_grow(m);
	struct customer_state *s = slot_of(m->slots, m->cap, id);
	*fresh = !s->id[0];
	if (*fresh) {
		snprintf(s->id, sizeof(s->id), "%s", id);
		m->n++;
	}
	return s;
}

/*
 * The customer's paid orders placed before o. For the programme, as the
 * ledger counts them at payment (status paid or partially_refunded); for a
 * campaign's first_order_only, as coupon validation asks (any order with a
 * payment: a refunded first order was a first order).
 */
static int paid_before(struct store_tx *tx, const char *shop, const struct order *o,
		       int any_payment, int64_t *out, struct err *e)
{
	return store_query_int(tx, e, out, any_payment
		? "SELECT count(*) FROM orders WHERE shop_id = $1 AND customer_id = $2"
		  " AND paid_amount > 0 AND (placed_at < $3 OR (placed_at = $3 AND id < $4))"
		: "SELECT count(*) FROM orders WHERE shop_id = $1 AND customer_id = $2"
		  " AND status IN ('paid', 'partially_refunded')"
		  " AND (placed_at < $3 OR (placed_at = $3 AND id < $4))",
		"ssis", shop, o->customer_id, o->placed_at, o->id);
}

/* One page of orders with their lines, copied into the arena a. */
struct page {
	struct order *orders;
	int n;
};

static void *grow(struct arena *a, void *v, size_t size, int n, int *cap)
{
	if (n < *cap)
		return v;
	int more = *cap ? *cap * 2 : 64;
	void *w = arena_alloc(a, (size_t)more * size);
	if (n)
		memcpy(w, v, (size_t)n * size);
	*cap = more;
	return w;
}

static int read_page(struct store_tx *tx, struct arena *a, const char *shop, int64_t after_at,
		     const char *after_id, int64_t to, struct page *out, struct err *e)
{
	struct store_stmt *st = store_query(tx, e,
		"SELECT o.id, o.customer_id, o.currency, o.channel, o.shipping, o.tax, o.placed_at,"
		" l.sku, l.category, l.quantity, l.unit_price, l.discount"
		" FROM (SELECT id, customer_id, currency, channel, shipping, tax, placed_at FROM orders"
		" WHERE shop_id = $1 AND status IN ('paid', 'partially_refunded') AND placed_at < $4"
		" AND (placed_at > $2 OR (placed_at = $2 AND id > $3))"
		" ORDER BY placed_at, id LIMIT $5) o"
		" LEFT JOIN order_lines l ON l.shop_id = $1 AND l.order_id = o.id"
		" ORDER BY o.placed_at, o.id, l.position",
		"sisii", shop, after_at, after_id, to, (int64_t)BACKTEST_PAGE_ORDERS);
	struct order_line *lines = NULL;
	int *first = NULL, nlines = 0, lines_cap = 0, orders_cap = 0, first_cap = 0, rc;
	out->orders = NULL;
	out->n = 0;
	if (!st)
		return e->kind;
	while ((rc = store_step(st, e)) == 1) {
		if (!out->n || strcmp(out->orders[out->n - 1].id, store_text(st, 0))) {
			out->orders = grow(a, out->orders, sizeof(*out->orders), out->n, &orders_cap);
			first = grow(a, first, sizeof(*first), out->n, &first_cap);
			struct order *o = &out->orders[out->n];
			memset(o, 0, sizeof(*o));
			snprintf(o->id, sizeof(o->id), "%s", store_text(st, 0));
			o->customer_id = arena_strdup(a, store_text(st, 1));
			o->currency = arena_strdup(a, store_text(st, 2));
			o->channel = arena_strdup(a, store_text(st, 3));
			o->shipping = store_int(st, 4);
			o->tax = store_int(st, 5);
			o->placed_at = store_int(st, 6);
			first[out->n++] = nlines;
		}
		if (store_is_null(st, 7))
			continue;	/* an order without lines */
		lines = grow(a, lines, sizeof(*lines), nlines, &lines_cap);
		lines[nlines] = (struct order_line){
			.position = nlines - first[out->n - 1], .sku = arena_strdup(a, store_text(st, 7)),
			.category = arena_strdup(a, store_text(st, 8)), .quantity = store_int(st, 9),
			.unit_price = store_int(st, 10), .discount = store_int(st, 11) };
		nlines++;
	}
	store_done(st);
	for (int i = 0; i < out->n; i++) {
		out->orders[i].lines = lines ? &lines[first[i]] : NULL;
		out->orders[i].nlines = (i + 1 < out->n ? first[i + 1] : nlines) - first[i];
	}
	return rc < 0 ? rc : 0;
}

/* Called for each order in placed order; scratch is freed after each page. */
typedef int (*visit_fn)(struct store_tx *tx, struct arena *scratch, const struct order *o,
			void *ctx, struct err *e);

static int scan(struct store_tx *tx, const char *shop, int64_t from, int64_t to, visit_fn visit,
		void *ctx, struct err *e)
{
	int64_t after_at = from;
	char after_id[ID_MAX] = "";	/* every id sorts after "": placed_at >= from */
	int rc = 0;
	for (;;) {
		struct arena page_arena = ARENA_INIT;
		struct page p;
		if ((rc = read_page(tx, &page_arena, shop, after_at, after_id, to, &p, e)))
			goto next;
		for (int i = 0; !rc && i < p.n; i++)
			rc = visit(tx, &page_arena, &p.orders[i], ctx, e);
		if (p.n) {
			after_at = p.orders[p.n - 1].placed_at;
			snprintf(after_id, sizeof(after_id), "%s", p.orders[p.n - 1].id);
		}
next:
		arena_free(&page_arena);
		if (rc || p.n < BACKTEST_PAGE_ORDERS)
			return rc;
	}
}

static void window(const struct backtest_options *o, int64_t *from, int64_t *to)
{
	*to = clock_now_ms();
	*from = *to - o->days * DAY_MS;
}

/* ---- campaigns ---- */

struct campaign_run {
	const char *shop;
	struct arena *a;
	const struct campaign *c;
	const char *currency;		/* the one a cart must be in, or NULL */
	int64_t ends;			/* 0: open-ended */
	int64_t uses, given;
	struct customers customers;
	struct backtest_campaign_result *out;
	int currencies_cap;
};

static int reason(struct campaign_run *run, enum backtest_reason why)
{
	run->out->not_reached[why]++;
	return 0;
}

static struct backtest_currency *currency_of(struct campaign_run *run, const char *currency)
{
	struct backtest_campaign_result *out = run->out;
	for (int i = 0; i < out->ncurrencies; i++)
		if (!strcmp(out->currencies[i].currency, currency))
			return &out->currencies[i];
	out->currencies = grow(run->a, out->currencies, sizeof(*out->currencies), out->ncurrencies,
			       &run->currencies_cap);
	struct backtest_currency *b = &out->currencies[out->ncurrencies++];
	*b = (struct backtest_currency){ .currency = arena_strdup(run->a, currency) };
	return b;
}

/* The checks before the discount, in coupon validation's order (check_access,
 * check_uses, check_cart in core/coupon.c); BACKTEST_REASONS: passed. */
static enum backtest_reason precheck(const struct campaign_run *run, const struct order *o,
				     const struct customer_state *s, int respect_window)
{
	const struct campaign *c = run->c;
	if (respect_window && run->ends && o->placed_at >= run->ends)
		return BACKTEST_EXPIRED;
	if (respect_window && o->placed_at < s->opens_from)
		return BACKTEST_NOT_STARTED;
	if (!s->targeted)
		return BACKTEST_NOT_ELIGIBLE;
	if ((c->per_customer && s->uses >= c->per_customer) ||
	    (c->total_uses && run->uses >= c->total_uses))
		return BACKTEST_LIMIT_REACHED;
	if (run->currency && strcmp(run->currency, o->currency))
		return BACKTEST_CURRENCY_MISMATCH;
	if ((c->channels.n && !campaign_list_has(&c->channels, o->channel)) ||
	    (c->first_order_only && s->paid_before > 0))
		return BACKTEST_NOT_ELIGIBLE;
	return BACKTEST_REASONS;
}

/* The cart as it was: the order's lines, currency, channel and shipping. */
static void cart_of(const struct order *o, struct arena *scratch, struct discount_cart *cart)
{
	struct discount_line *lines = arena_alloc(scratch, (size_t)(o->nlines + 1) * sizeof(*lines));
	for (int i = 0; i < o->nlines; i++)
		lines[i] = (struct discount_line){ o->lines[i].sku, o->lines[i].category,
						   o->lines[i].quantity, o->lines[i].unit_price };
	*cart = (struct discount_cart){ o->currency, o->channel, lines, o->nlines, o->shipping };
}

/* After the discount, as coupon.c's price(): a percent or fixed discount
 * needs an eligible line; the budget must hold the whole discount. */
static enum backtest_reason postcheck(const struct campaign_run *run,
				      const struct discount_result *d)
{
	const struct campaign *c = run->c;
	const char *k = c->discount_kind;
	if (k && (!strcmp(k, "percent") || !strcmp(k, "fixed")) && !d->neligible)
		return BACKTEST_NOT_ELIGIBLE;
	if (c->budget && (run->given >= c->budget || d->total > c->budget - run->given))
		return BACKTEST_BUDGET_EXHAUSTED;
	return BACKTEST_REASONS;
}

static void reached(struct campaign_run *run, struct customer_state *s, const char *currency,
		    const struct discount_result *d)
{
	struct backtest_campaign_result *out = run->out;
	run->uses++;
	s->uses++;
	run->given = checked_sat_add(run->given, d->total);
	out->orders_reached++;
	if (!s->reached) {
		s->reached = 1;
		out->customers_reached++;
	}
	struct backtest_currency *b = currency_of(run, currency);
	b->discount_total = checked_sat_add(b->discount_total, d->total);
	b->discount_shipping = checked_sat_add(b->discount_shipping, d->shipping);
	b->orders_reached++;
}

static int visit_campaign(struct store_tx *tx, struct arena *scratch, const struct order *o,
			  void *ctx, struct err *e)
{
	struct campaign_run *run = ctx;
	const struct campaign *c = run->c;
	int fresh, rc;
	struct customer_state *s = customers_get(&run->customers, o->customer_id, &fresh);
	if (fresh && ((rc = paid_before(tx, run->shop, o, 1, &s->paid_before, e)) ||
		      (rc = campaign_opens_for(tx, scratch, run->shop, c, o->customer_id,
					       &s->opens_from, &s->targeted, e))))
		return rc;
	run->out->orders_considered++;
	enum backtest_reason why = precheck(run, o, s, run->out->respect_window);
	s->paid_before++;	/* this order was paid: the customer's next ones are not first */
	if (why != BACKTEST_REASONS)
		return reason(run, why);
	struct discount_cart cart;
	struct discount_result d;
	cart_of(o, scratch, &cart);
	if (c->min_cart && discount_cart_subtotal(&cart) < c->min_cart)
		return reason(run, BACKTEST_MIN_CART_NOT_MET);
	discount_apply(c, &cart, c->max_total_discount, scratch, &d);
	if ((why = postcheck(run, &d)) != BACKTEST_REASONS)
		return reason(run, why);
	reached(run, s, o->currency, &d);
	return 0;
}

int backtest_campaign(struct store_tx *tx, struct arena *a, const char *shop,
		      const char *campaign_id, const struct backtest_options *o,
		      struct backtest_campaign_result *out, struct err *e)
{
	struct campaign *c = arena_alloc(a, sizeof(*c));
	struct campaign_run run = { .shop = shop, .a = a, .c = c, .out = out };
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = backtest_check_options(o, e)) ||
	    (rc = campaign_get(tx, a, shop, campaign_id, c, e)))
		return rc;
	snprintf(out->campaign_id, sizeof(out->campaign_id), "%s", c->id);
	out->days = o->days;
	out->respect_window = o->respect_window;
	window(o, &out->from, &out->to);
	run.currency = c->discount_currency ? c->discount_currency : c->currency;
	run.ends = c->ends_at;
	if (c->ended_at && (!run.ends || c->ended_at < run.ends))
		run.ends = c->ended_at;
	rc = scan(tx, shop, out->from, out->to, visit_campaign, &run, e);
	free(run.customers.slots);
	return rc;
}

/* ---- programmes ---- */

struct program_run {
	const char *shop;
	const struct program *draft, *current;	/* current NULL: none */
	struct customers customers;
	struct backtest_program_result *out;
};

static int64_t tier_factor(const struct program *p, const char *tier)
{
	const struct program_tier *t = tier ? program_tier(p, tier) : NULL;
	return t ? t->earn_percent : 100;
}

/* Earned and milestone points of o under p; *over 1 when ledger_earn refused. */
static int points_under(const struct program *p, const struct order *o, int64_t tier_percent,
			int64_t paid_count, struct arena *scratch, int64_t *earn,
			int64_t *milestones, int *over, struct err *e)
{
	int64_t *points = arena_alloc(scratch, (size_t)(o->nlines + 1) * sizeof(int64_t)), base;
	int rc = ledger_earn(p, o, tier_percent, points, &base, earn, e);
	*over = 0;
	*milestones = 0;
	if (rc == ERR_REFUSED) {
		err_clear(e);
		*over = 1;
		*earn = 0;
		return 0;	/* the payment would be refused: it earns nothing */
	}
	if (rc)
		return rc;
	for (int i = 0; i < p->nmilestones; i++)
		if (ledger_milestone_hit(&p->milestones[i], paid_count))
			*milestones += p->milestones[i].points;	/* <= 50 x 10^9 */
	return 0;
}

static int visit_program(struct store_tx *tx, struct arena *scratch, const struct order *o,
			 void *ctx, struct err *e)
{
	struct program_run *run = ctx;
	struct backtest_program_result *out = run->out;
	int64_t earn, ms, earn_now = 0, ms_now = 0;
	int fresh, over, over_now, rc;
	struct customer_state *s = customers_get(&run->customers, o->customer_id, &fresh);
	if (fresh) {
		const char *tier;
		if ((rc = paid_before(tx, run->shop, o, 0, &s->paid_before, e)) ||
		    (rc = tier_current(tx, scratch, run->shop, o->customer_id, &tier, e)))
			return rc;
		s->tier_draft = tier_factor(run->draft, tier);
		s->tier_current = run->current ? tier_factor(run->current, tier) : 100;
	}
	int64_t paid_count = ++s->paid_before;	/* this order included, as at payment */
	out->orders_considered++;
	if ((rc = points_under(run->draft, o, s->tier_draft, paid_count, scratch, &earn, &ms, &over,
			       e)) ||
	    (run->current && (rc = points_under(run->current, o, s->tier_current, paid_count, scratch,
						&earn_now, &ms_now, &over_now, e))))
		return rc;
	out->orders_over_limit_draft += over;
	out->earn_draft = checked_sat_add(out->earn_draft, earn);
	out->milestones_draft = checked_sat_add(out->milestones_draft, ms);
	out->earn_current = checked_sat_add(out->earn_current, earn_now);
	out->milestones_current = checked_sat_add(out->milestones_current, ms_now);
	if (earn + ms > 0) {
		out->orders_reached++;
		if (!s->reached) {
			s->reached = 1;
			out->customers_reached++;
		}
	}
	return 0;
}

int backtest_program(struct store_tx *tx, struct arena *a, const char *shop,
		     const struct program *draft, const struct backtest_options *o,
		     struct backtest_program_result *out, struct err *e)
{
	struct program *current = arena_alloc(a, sizeof(*current));
	struct program_run run = { .shop = shop, .draft = draft, .out = out };
	int rc;
	memset(out, 0, sizeof(*out));
	if ((rc = backtest_check_options(o, e)) || (rc = program_check(draft, e)) ||
	    (rc = program_get(tx, a, shop, current, e)))
		return rc;
	out->days = o->days;
	out->current_version = current->version;
	run.current = current->version ? current : NULL;
	window(o, &out->from, &out->to);
	rc = scan(tx, shop, out->from, out->to, visit_program, &run, e);
	free(run.customers.slots);
	if (rc)
		return rc;
	out->points_issued_draft = checked_sat_add(out->earn_draft, out->milestones_draft);
	out->points_issued_current = checked_sat_add(out->earn_current, out->milestones_current);
	out->difference = out->points_issued_draft - out->points_issued_current;
	return 0;
}
