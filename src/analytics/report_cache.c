/* report_cache.c: see report_cache.h. */
#include "report_cache.h"

#include <stdio.h>
#include <string.h>

#include "../base/buf.h"
#include "../base/clock.h"
#include "../base/ids.h"
#include "dashboard_data.h"

#define REFRESH_MAX 64		/* rows claimed by one refresh */

typedef int (*build_fn)(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
			struct buf *body, struct buf *detail, struct err *e);

static const struct kind {
	const char *name;
	build_fn build;
} kinds[REPORT_KINDS] = {
	[REPORT_OVERVIEW] = { "overview", dash_overview_build },
	[REPORT_COHORTS] = { "cohorts", dash_cohorts_build },
	[REPORT_RFM] = { "rfm", dash_rfm_build },
	[REPORT_CLV] = { "clv", dash_clv_build },
};

const char *report_cache_name(enum report_kind k)
{
	return k >= 0 && k < REPORT_KINDS ? kinds[k].name : NULL;
}

int report_cache_kind(const char *name)
{
	for (int k = 0; name && k < REPORT_KINDS; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return -1;
}

static int is_fresh(int64_t computed_at, int64_t now, int64_t ttl_ms)
{
	return computed_at <= now && now - computed_at < ttl_ms;
}

/* ---- computing ---- */

struct build {
	const char *shop;
	enum report_kind kind;
	int64_t now;
	struct arena arena;	/* the reports' own, dropped once written */
	struct buf body, detail;
};

/* A read may run again: it starts over. */
static int build_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct build *b = ctx;
	arena_free(&b->arena);
	buf_reset(&b->body);
	buf_reset(&b->detail);
	return kinds[b->kind].build(tx, &b->arena, b->shop, b->now, &b->body, &b->detail, e);
}

static void build_init(struct build *b, const char *shop, enum report_kind k, int64_t now)
{
	memset(b, 0, sizeof(*b));
	b->shop = shop;
	b->kind = k;
	b->now = now;
	b->arena = (struct arena)ARENA_INIT;
	buf_init(&b->body, 0);
	buf_init(&b->detail, 0);
}

static void build_free(struct build *b)
{
	arena_free(&b->arena);
	buf_free(&b->body);
	buf_free(&b->detail);
}

static const char *text_of(const struct buf *b)
{
	return b->data ? b->data : "";
}

static int store_tx_fn(struct store_tx *tx, void *ctx, struct err *e)
{
	struct build *b = ctx;
	int rc = store_exec(tx, e,
		"INSERT INTO report_cache (shop_id, report, format, computed_at, claimed_until, viewed_at,"
		" body, detail) VALUES ($1, $2, $3, $4, NULL, $4, $5, $6) ON CONFLICT (shop_id, report)"
		" DO UPDATE SET format = excluded.format, computed_at = excluded.computed_at,"
		" claimed_until = NULL, viewed_at = excluded.viewed_at, body = excluded.body,"
		" detail = excluded.detail", "ssiiss", b->shop,
		kinds[b->kind].name, (int64_t)DASH_FORMAT, b->now, text_of(&b->body),
		b->detail.len ? text_of(&b->detail) : NULL);
	return rc < 0 ? rc : 0;
}

int report_cache_compute(struct store *st, struct arena *a, const char *shop,
			 enum report_kind k, int with_detail, struct report_text *out,
			 struct err *e)
{
	struct build b;
	build_init(&b, shop, k, clock_now_ms());
	int rc = store_read(st, build_tx, &b, e);
	if (!rc)
		rc = store_write(st, store_tx_fn, &b, e);
	if (!rc) {
		out->computed_at = b.now;
		out->computed_now = 1;
		out->body = arena_strdup(a, text_of(&b.body));
		out->detail = with_detail && b.detail.len ? arena_strdup(a, text_of(&b.detail)) : NULL;
	}
	build_free(&b);
	return rc;
}

/* ---- reading ---- */

struct get {
	struct arena *a;
	const char *shop;
	enum report_kind kind;
	int with_detail;
	int64_t now, ttl_ms;
	int found, touch;
	struct report_text *out;
};

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct get *g = ctx;
	g->found = g->touch = 0;
	struct store_stmt *st = store_query(tx, e, g->with_detail
		? "SELECT computed_at, format, viewed_at, body, detail FROM report_cache"
		  " WHERE shop_id = $1 AND report = $2"
		: "SELECT computed_at, format, viewed_at, body FROM report_cache"
		  " WHERE shop_id = $1 AND report = $2",
		"ss", g->shop, kinds[g->kind].name);
	if (!st)
		return e->kind;
	int rc = store_step(st, e);
	if (rc == 1 && store_int(st, 1) == DASH_FORMAT &&
	    is_fresh(store_int(st, 0), g->now, g->ttl_ms)) {
		g->found = 1;
		g->touch = g->now - store_int(st, 2) >= REPORT_CACHE_VIEW_STEP_MS ||
			   store_int(st, 2) > g->now;
		g->out->computed_at = store_int(st, 0);
		g->out->computed_now = 0;
		g->out->body = arena_strdup(g->a, store_text(st, 3));
		g->out->detail = g->with_detail && !store_is_null(st, 4)
			       ? arena_strdup(g->a, store_text(st, 4)) : NULL;
	}
	store_done(st);
	return rc < 0 ? rc : 0;
}

/* The report was shown: its viewed_at moves on (at most once an hour). */
static int touch_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct get *g = ctx;
	int rc = store_exec(tx, e, "UPDATE report_cache SET viewed_at = $3 WHERE shop_id = $1"
			    " AND report = $2", "ssi", g->shop, kinds[g->kind].name, g->now);
	return rc < 0 ? rc : 0;
}

int report_cache_get(struct store *st, struct arena *a, const char *shop, enum report_kind k,
		     int with_detail, int64_t ttl_ms, struct report_text *out, struct err *e)
{
	struct get g = { a, shop, k, with_detail, clock_now_ms(), ttl_ms, 0, 0, out };
	memset(out, 0, sizeof(*out));
	int rc = store_read(st, get_tx, &g, e);
	if (!rc && g.touch)
		rc = store_write(st, touch_tx, &g, e);
	if (rc || g.found)
		return rc;
	return report_cache_compute(st, a, shop, k, with_detail, out, e);
}

/* ---- the refresh ---- */

struct due {
	char shop[ID_MAX];
	enum report_kind kind;
};

struct claim {
	int64_t now, ttl_ms;
	int taken;
	struct due due[REFRESH_MAX];
	int ndue;
};

static int claim_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct claim *c = ctx;
	c->ndue = 0;
	if ((c->taken = store_try_lock(tx, REPORT_CACHE_LOCK_KEY, e)) <= 0)
		return c->taken;
	struct store_stmt *st = store_query(tx, e,
		"SELECT shop_id, report FROM report_cache WHERE (format <> $3 OR computed_at <= $1"
		" OR computed_at > $2) AND (claimed_until IS NULL OR claimed_until <= $2)"
		" AND viewed_at > $4 ORDER BY computed_at, shop_id, report LIMIT 64", "iiii",
		c->now - c->ttl_ms / 2, c->now, (int64_t)DASH_FORMAT, c->now - REPORT_CACHE_IDLE_MS);
	if (!st)
		return e->kind;
	int rc = 0;
	while (c->ndue < REFRESH_MAX && (rc = store_step(st, e)) == 1) {
		int k = report_cache_kind(store_text(st, 1));
		if (k < 0)
			continue;	/* a kind of another binary's */
		snprintf(c->due[c->ndue].shop, ID_MAX, "%s", store_text(st, 0));
		c->due[c->ndue++].kind = (enum report_kind)k;
	}
	store_done(st);
	for (int i = 0; rc >= 0 && i < c->ndue; i++)
		rc = store_exec(tx, e, "UPDATE report_cache SET claimed_until = $3 WHERE shop_id = $1"
				" AND report = $2", "ssi", c->due[i].shop, kinds[c->due[i].kind].name,
				c->now + REPORT_CACHE_CLAIM_MS);
	return rc < 0 ? rc : 0;
}

struct rewrite {
	struct build *b;
	int64_t claimed_until;
	int written;
};

/* The new text goes in if the claim is still this call's. */
static int rewrite_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct rewrite *w = ctx;
	struct build *b = w->b;
	int rc = store_exec(tx, e,
		"UPDATE report_cache SET format = $3, computed_at = $4, claimed_until = NULL, body = $5,"
		" detail = $6 WHERE shop_id = $1 AND report = $2 AND claimed_until = $7", "ssiissi",
		b->shop, kinds[b->kind].name, (int64_t)DASH_FORMAT, b->now, text_of(&b->body),
		b->detail.len ? text_of(&b->detail) : NULL, w->claimed_until);
	if (rc < 0)
		return rc;
	w->written = rc == 1;
	return 0;
}

int report_cache_refresh(struct store *st, int64_t ttl_ms, int *refreshed, struct err *e)
{
	struct claim c = { .now = clock_now_ms(), .ttl_ms = ttl_ms };
	*refreshed = 0;
	int rc = store_write(st, claim_tx, &c, e);
	if (rc || !c.taken)
		return rc;
	/* A report that fails keeps its claim (tried again when it lapses) and
	 * does not stop the others: the first failure is the one returned. */
	struct err first;
	int first_rc = 0;
	for (int i = 0; i < c.ndue; i++) {
		struct build b;
		build_init(&b, c.due[i].shop, c.due[i].kind, clock_now_ms());
		struct rewrite w = { &b, c.now + REPORT_CACHE_CLAIM_MS, 0 };
		if (!(rc = store_read(st, build_tx, &b, e)) && !(rc = store_write(st, rewrite_tx, &w, e)) &&
		    w.written)
			(*refreshed)++;
		build_free(&b);
		if (rc && !first_rc) {
			first_rc = rc;
			first = *e;
		}
		err_clear(e);
	}
	if (first_rc)
		*e = first;
	return first_rc;
}
