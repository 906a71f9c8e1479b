/* clv_cache.c: see clv_cache.h. */
#include "clv_cache.h"

#include <assert.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"

#define SLOTS 64
#define MODEL_MAX 4096		/* the model's text: about 45 lines of at most 50 bytes */
#define REFRESH_MAX 64		/* shops claimed by one refresh */

struct slot {
	char shop[ID_MAX];
	int64_t fitted_at;
	struct clv_report report;	/* list and strings dropped: params only */
	char currency[8];
	char reason[240];
	int shared;			/* the table has a fit of this shop */
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct slot cache[SLOTS];

static struct slot *slot_of(const char *shop)
{
	unsigned h = 0;
	for (const char *p = shop; *p; p++)
		h = h * 31 + (unsigned char)*p;
	return &cache[h % SLOTS];
}

static int is_fresh(int64_t fitted_at, int64_t now)
{
	return now - fitted_at < CLV_CACHE_TTL_MS && now >= fitted_at;
}

/* Keeps fit as shop's, made at fitted_at; the caller holds the lock. */
static void slot_keep(struct slot *s, const char *shop, int64_t fitted_at,
		      const struct clv_report *fit, int shared)
{
	snprintf(s->shop, sizeof(s->shop), "%s", shop);
	s->fitted_at = fitted_at;
	s->shared = shared;
	s->report = *fit;
	s->report.list = NULL;
	s->report.n = 0;
	snprintf(s->currency, sizeof(s->currency), "%s", fit->currency ? fit->currency : "");
	snprintf(s->reason, sizeof(s->reason), "%s", fit->reason ? fit->reason : "");
	s->report.currency = NULL;
	s->report.reason = NULL;
}

static void keep(const char *shop, int64_t fitted_at, const struct clv_report *fit, int shared)
{
	pthread_mutex_lock(&cache_lock);
	slot_keep(slot_of(shop), shop, fitted_at, fit, shared);
	pthread_mutex_unlock(&cache_lock);
}

/* --- the model as text (clv_fits.model) ---
 * One "name value" line per number of the report, doubles with 17
 * significant digits (read back exactly by strtod, nan and inf included).
 * A name this binary does not know is skipped, one it misses reads as 0. */

enum field_kind { FIELD_DOUBLE, FIELD_INT64, FIELD_INT };

static const struct field {
	const char *name;
	size_t offset;
	enum field_kind kind;
} fields[] = {
#define F(name, member, kind) { name, offsetof(struct clv_report, member), kind }
#define FIT(p, m) \
	F(p ".params.0", m.params[0], FIELD_DOUBLE), F(p ".params.1", m.params[1], FIELD_DOUBLE), \
	F(p ".params.2", m.params[2], FIELD_DOUBLE), F(p ".params.3", m.params[3], FIELD_DOUBLE), \
	F(p ".log_likelihood", m.log_likelihood, FIELD_DOUBLE), \
	F(p ".grad_norm", m.grad_norm, FIELD_DOUBLE), F(p ".iterations", m.iterations, FIELD_INT), \
	F(p ".converged", m.converged, FIELD_INT), F(p ".customers", m.customers, FIELD_INT64), \
	F(p ".distinct", m.distinct, FIELD_INT64), F(p ".seconds", m.seconds, FIELD_DOUBLE)
	F("customers", customers, FIELD_INT64),
	F("repeaters", repeaters, FIELD_INT64),
	F("enough", enough, FIELD_INT),
	F("bgnbd.r", bgnbd.r, FIELD_DOUBLE),
	F("bgnbd.alpha", bgnbd.alpha, FIELD_DOUBLE),
	F("bgnbd.a", bgnbd.a, FIELD_DOUBLE),
	F("bgnbd.b", bgnbd.b, FIELD_DOUBLE),
	FIT("bgnbd_fit", bgnbd_fit),
	F("spend_enough", spend_enough, FIELD_INT),
	F("gg.p", gg.p, FIELD_DOUBLE),
	F("gg.q", gg.q, FIELD_DOUBLE),
	F("gg.gamma", gg.gamma, FIELD_DOUBLE),
	FIT("gg_fit", gg_fit),
	F("spend_correlation", spend_correlation, FIELD_DOUBLE),
	F("clv_p10", clv_p10, FIELD_DOUBLE),
	F("clv_p50", clv_p50, FIELD_DOUBLE),
	F("clv_p90", clv_p90, FIELD_DOUBLE),
	F("clv_total", clv_total, FIELD_DOUBLE),
	F("expected_total", expected_total, FIELD_DOUBLE),
	F("risk.low", risk[0], FIELD_INT64),
	F("risk.medium", risk[1], FIELD_INT64),
	F("risk.high", risk[2], FIELD_INT64),
#undef FIT
#undef F
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

static void model_encode(const struct clv_report *r, char out[MODEL_MAX])
{
	size_t n = 0;
	out[0] = '\0';
	for (size_t i = 0; i < NFIELDS && n < MODEL_MAX; i++) {
		const char *p = (const char *)r + fields[i].offset;
		double d;
		int64_t v;
		int k;
		switch (fields[i].kind) {
		case FIELD_DOUBLE:
			memcpy(&d, p, sizeof(d));
			n += (size_t)snprintf(out + n, MODEL_MAX - n, "%s %.17g\n", fields[i].name, d);
			break;
		case FIELD_INT64:
			memcpy(&v, p, sizeof(v));
			n += (size_t)snprintf(out + n, MODEL_MAX - n, "%s %lld\n", fields[i].name,
					      (long long)v);
			break;
		case FIELD_INT:
			memcpy(&k, p, sizeof(k));
			n += (size_t)snprintf(out + n, MODEL_MAX - n, "%s %d\n", fields[i].name, k);
			break;
		}
	}
	assert(n < MODEL_MAX);	/* every number fits: it is never cut short */
}

static const struct field *field_named(const char *name, size_t len)
{
	for (size_t i = 0; i < NFIELDS; i++)
		if (strlen(fields[i].name) == len && !memcmp(fields[i].name, name, len))
			return &fields[i];
	return NULL;
}

static void model_decode(const char *text, struct clv_report *r)
{
	memset(r, 0, sizeof(*r));
	for (const char *line = text; line && *line;) {
		const char *space = strchr(line, ' '), *end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		const struct field *f = space && space < end ? field_named(line, (size_t)(space - line))
							     : NULL;
		if (f) {
			char *p = (char *)r + f->offset;
			double d = strtod(space + 1, NULL);
			int64_t v = strtoll(space + 1, NULL, 10);
			int k = (int)v;
			if (f->kind == FIELD_DOUBLE)
				memcpy(p, &d, sizeof(d));
			else if (f->kind == FIELD_INT64)
				memcpy(p, &v, sizeof(v));
			else
				memcpy(p, &k, sizeof(k));
		}
		line = *end ? end + 1 : end;
	}
}

/* --- reading --- */

/* The shop's fit from the table into *out when it is fresh at now: 1, else 0
 * (none, or too old), or an error. */
static int table_fit(struct store_tx *tx, struct arena *a, const char *shop, int64_t now,
		     struct clv_report *out, int64_t *fitted_at, struct err *e)
{
	struct store_stmt *st = store_query(tx, e, "SELECT fitted_at, currency, reason, model"
					    " FROM clv_fits WHERE shop_id = $1", "s", shop);
	int rc;
	if (!st)
		return e->kind;
	if ((rc = store_step(st, e)) == 1) {
		*fitted_at = store_int(st, 0);
		rc = is_fresh(*fitted_at, now);
		if (rc) {
			model_decode(store_text(st, 3), out);
			out->currency = arena_strdup(a, store_is_null(st, 1) ? "" : store_text(st, 1));
			out->reason = arena_strdup(a, store_is_null(st, 2) ? "" : store_text(st, 2));
		}
	}
	store_done(st);
	return rc;
}

int clv_cache_fit(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct clv_options *o, struct clv_report *out, int64_t *fitted_at,
		  struct err *e)
{
	int64_t now = clock_now_ms();
	struct slot *s = slot_of(shop);
	pthread_mutex_lock(&cache_lock);
	int hit = !strcmp(s->shop, shop) && is_fresh(s->fitted_at, now);
	if (hit) {
		*out = s->report;
		*fitted_at = s->fitted_at;
		out->currency = arena_strdup(a, s->currency);
		out->reason = arena_strdup(a, s->reason);
	}
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return 0;
	int rc = table_fit(tx, a, shop, now, out, fitted_at, e);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		keep(shop, *fitted_at, out, 1);
		return 0;
	}
	struct clv_options fit = *o;
	fit.to = now;
	if ((rc = clv_compute(tx, a, shop, &fit, out, e)))
		return rc;
	*fitted_at = now;
	keep(shop, now, out, 0);
	return 0;
}

/* --- the refresh --- */

struct claim {
	int64_t now;
	struct slot *mine;		/* this process's fresh fits, to publish */
	int nmine;
	int taken;			/* the lock */
	char due[REFRESH_MAX][ID_MAX];	/* claimed for refitting until now + CLAIM */
	int ndue;
};

static int publish(struct store_tx *tx, const struct slot *s, struct err *e)
{
	char model[MODEL_MAX];
	model_encode(&s->report, model);
	int rc = store_exec(tx, e, "INSERT INTO clv_fits (shop_id, fitted_at, currency, reason, model)"
			    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (shop_id) DO NOTHING", "sisss",
			    s->shop, s->fitted_at, s->currency[0] ? s->currency : NULL,
			    s->reason[0] ? s->reason : NULL, model);
	return rc < 0 ? rc : 0;
}

/* Under the lock: this process's fits the table lacks go in, and the shops
 * whose shared fit is due are claimed. */
static int claim_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct claim *c = ctx;
	c->ndue = 0;
	if ((c->taken = store_try_lock(tx, CLV_CACHE_LOCK_KEY, e)) <= 0)
		return c->taken;
	int rc = 0;
	for (int i = 0; i < c->nmine && !rc; i++)
		rc = publish(tx, &c->mine[i], e);
	if (rc)
		return rc;
	struct store_stmt *st = store_query(tx, e,
		"SELECT shop_id FROM clv_fits WHERE fitted_at <= $1"
		" AND (claimed_until IS NULL OR claimed_until <= $2)"
		" ORDER BY fitted_at, shop_id LIMIT 64", "ii",
		c->now - CLV_CACHE_TTL_MS / 2, c->now);
	if (!st)
		return e->kind;
	while (c->ndue < REFRESH_MAX && (rc = store_step(st, e)) == 1)
		snprintf(c->due[c->ndue++], ID_MAX, "%s", store_text(st, 0));
	store_done(st);
	for (int i = 0; rc >= 0 && i < c->ndue; i++)
		rc = store_exec(tx, e, "UPDATE clv_fits SET claimed_until = $2 WHERE shop_id = $1",
				"si", c->due[i], c->now + CLV_CACHE_CLAIM_MS);
	return rc < 0 ? rc : 0;
}

struct refit {
	const char *shop;
	struct arena arena;
	struct clv_report out;
	int64_t now, claimed_until;
	int written;
};

static int refit_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct refit *f = ctx;
	struct clv_options o = { 0, clock_now_ms(), NULL, 52, 12, 0.01, 0 };
	return clv_compute(tx, &f->arena, f->shop, &o, &f->out, e);
}

/* The refit goes in if the claim is still this call's (not expired and
 * taken by another node meanwhile). */
static int store_fit_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct refit *f = ctx;
	char model[MODEL_MAX];
	model_encode(&f->out, model);
	int rc = store_exec(tx, e,
		"UPDATE clv_fits SET fitted_at = $2, currency = $3, reason = $4, model = $5,"
		" claimed_until = NULL WHERE shop_id = $1 AND claimed_until = $6", "sisssi",
		f->shop, f->now, f->out.currency, f->out.reason, model, f->claimed_until);
	if (rc < 0)
		return rc;
	f->written = rc == 1;
	return 0;
}

/* This process's fresh fits the table may lack (made on a read here),
 * copied out of the slots (malloc'd, *n of them). */
static struct slot *unshared_slots(int64_t now, int *n)
{
	struct slot *mine = malloc(sizeof(cache));
	if (!mine)
		abort();
	*n = 0;
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < SLOTS; i++)
		if (cache[i].shop[0] && !cache[i].shared && is_fresh(cache[i].fitted_at, now))
			mine[(*n)++] = cache[i];
	pthread_mutex_unlock(&cache_lock);
	return mine;
}

/* After they went in: the slots still holding those fits are shared. */
static void mark_shared(const struct slot *mine, int n)
{
	pthread_mutex_lock(&cache_lock);
	for (int i = 0; i < n; i++) {
		struct slot *s = slot_of(mine[i].shop);
		if (!strcmp(s->shop, mine[i].shop) && s->fitted_at == mine[i].fitted_at)
			s->shared = 1;
	}
	pthread_mutex_unlock(&cache_lock);
}

int clv_cache_refresh(struct store *st, int *refitted, struct err *e)
{
	struct claim c = { .now = clock_now_ms() };
	int rc;
	*refitted = 0;
	c.mine = unshared_slots(c.now, &c.nmine);
	rc = store_write(st, claim_tx, &c, e);
	if (!rc && c.taken)
		mark_shared(c.mine, c.nmine);
	free(c.mine);
	if (rc || !c.taken)
		return rc;
	for (int i = 0; i < c.ndue && !rc; i++) {
		struct refit f = { c.due[i], ARENA_INIT, { 0 }, c.now, c.now + CLV_CACHE_CLAIM_MS, 0 };
		if (!(rc = store_read(st, refit_tx, &f, e)) &&
		    !(rc = store_write(st, store_fit_tx, &f, e)) && f.written) {
			keep(f.shop, f.now, &f.out, 1);
			(*refitted)++;
		}
		arena_free(&f.arena);
	}
	return rc;
}
