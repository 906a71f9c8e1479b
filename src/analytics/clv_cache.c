/* clv_cache.c: see clv_cache.h. */
#include "clv_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../base/clock.h"

#define SLOTS 64

struct slot {
	char shop[ID_MAX];
	int64_t fitted_at;
	struct clv_report report;	/* list and strings dropped: params only */
	char currency[8];
	char reason[240];
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

/* Keeps fit as shop's, made at now; the caller holds the lock. */
static void slot_keep(struct slot *s, const char *shop, int64_t now, const struct clv_report *fit)
{
	snprintf(s->shop, sizeof(s->shop), "%s", shop);
	s->fitted_at = now;
	s->report = *fit;
	s->report.list = NULL;
	s->report.n = 0;
	snprintf(s->currency, sizeof(s->currency), "%s", fit->currency ? fit->currency : "");
	snprintf(s->reason, sizeof(s->reason), "%s", fit->reason ? fit->reason : "");
	s->report.currency = NULL;
	s->report.reason = NULL;
}

int clv_cache_fit(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct clv_options *o, struct clv_report *out, struct err *e)
{
	int64_t now = clock_now_ms();
	struct slot *s = slot_of(shop);
	pthread_mutex_lock(&cache_lock);
	int hit = !strcmp(s->shop, shop) && now - s->fitted_at < CLV_CACHE_TTL_MS &&
		  now >= s->fitted_at;
	if (hit) {
		*out = s->report;
		out->currency = arena_strdup(a, s->currency);
		out->reason = arena_strdup(a, s->reason);
	}
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return 0;
	struct clv_options fit = *o;
	fit.to = now;
	int rc = clv_compute(tx, a, shop, &fit, out, e);
	if (rc)
		return rc;
	pthread_mutex_lock(&cache_lock);
	slot_keep(s, shop, now, out);
	pthread_mutex_unlock(&cache_lock);
	return 0;
}

struct refit {
	const char *shop;
	struct arena arena;
	struct clv_report out;
};

static int refit_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct refit *f = ctx;
	struct clv_options o = { 0, clock_now_ms(), NULL, 52, 12, 0.01, 0 };
	return clv_compute(tx, &f->arena, f->shop, &o, &f->out, e);
}

int clv_cache_refresh(struct store *st, int *refitted, struct err *e)
{
	int64_t now = clock_now_ms();
	*refitted = 0;
	for (int i = 0; i < SLOTS; i++) {
		char shop[ID_MAX];
		pthread_mutex_lock(&cache_lock);
		int stale = cache[i].shop[0] && now - cache[i].fitted_at >= CLV_CACHE_TTL_MS / 2;
		memcpy(shop, cache[i].shop, sizeof(shop));
		shop[sizeof(shop) - 1] = '\0';
		pthread_mutex_unlock(&cache_lock);
		if (!stale)
			continue;
		struct refit f = { shop, ARENA_INIT, { 0 } };
		int rc = store_read(st, refit_tx, &f, e);
		if (!rc) {
			pthread_mutex_lock(&cache_lock);
			if (!strcmp(cache[i].shop, shop))	/* not taken over meanwhile */
				slot_keep(&cache[i], shop, now, &f.out);
			pthread_mutex_unlock(&cache_lock);
			(*refitted)++;
		}
		arena_free(&f.arena);
		if (rc)
			return rc;
	}
	return 0;
}
