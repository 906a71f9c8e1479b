/* auth.c: see auth.h. */
#include "auth.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "../base/clock.h"
#include "../core/shop.h"
#include "server.h"

/*
 * The key cache (issue 10; docs/decisions-speed.md, "Issue 10 bench", says why):
 * a key's tag (secure_tag: this process's keyed 128-bit hash, which costs a
 * tenth of the SHA-256 the store is looked up by) -> its shop, kind and
 * expiry, so that a request does not open a read transaction to
 * authenticate, nor hash the key with SHA-256. Direct-mapped (a key takes the
 * slot its tag names; a collision replaces), only keys that authenticated
 * (an unknown key is looked up every time). An entry is used for at most
 * AUTH_CACHE_TTL_MS of this process's monotonic clock: what another node or
 * a `retain shop rotate-keys` process changed shows within that bound. This
 * node's own key writes (KEYS_WRITE routes) empty it once they commit
 * (auth_cache_forget), and the epoch keeps a lookup that read before such a
 * commit from storing what it read after the emptying.
 */
#define AUTH_CACHE_SLOTS 1024	/* a power of two */
#define AUTH_CACHE_TTL_MS 1000.0

struct cached_key {
	unsigned char tag[SECURE_TAG_BYTES];
	int used;			/* 0: an empty slot */
	struct shop_auth auth;
	double loaded_ms;		/* clock_monotonic_ms() when read */
};

static struct {
	pthread_mutex_t lock;
	atomic_uint_fast64_t epoch;
	struct cached_key slot[AUTH_CACHE_SLOTS];
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct cached_key *slot_of(const unsigned char *tag)
{
	return &cache.slot[(tag[0] | (unsigned)tag[1] << 8) & (AUTH_CACHE_SLOTS - 1)];
}

/* 1 with *out filled when tag is cached, fresh and not expired. */
static int cache_get(const unsigned char *tag, struct shop_auth *out)
{
	int hit = 0;
	pthread_mutex_lock(&cache.lock);
	struct cached_key *c = slot_of(tag);
	if (c->used && !memcmp(c->tag, tag, SECURE_TAG_BYTES) &&
	    clock_monotonic_ms() - c->loaded_ms < AUTH_CACHE_TTL_MS) {
		*out = c->auth;
		hit = 1;
	}
	pthread_mutex_unlock(&cache.lock);
	/* An expired key: the store says so (api_key_expired), as before. */
	return hit && (!out->expires_at || out->expires_at > clock_now_ms());
}

/* Stores what a lookup begun at epoch read, unless a key write of this node
 * committed since (it may have read the keys from before it). */
static void cache_put(const unsigned char *tag, const struct shop_auth *auth,
		      uint_fast64_t epoch, double loaded_ms)
{
	pthread_mutex_lock(&cache.lock);
	if (atomic_load(&cache.epoch) == epoch) {
		struct cached_key *c = slot_of(tag);
		memcpy(c->tag, tag, SECURE_TAG_BYTES);
		c->used = 1;
		c->auth = *auth;
		c->loaded_ms = loaded_ms;
	}
	pthread_mutex_unlock(&cache.lock);
}

void auth_cache_forget(void)
{
	pthread_mutex_lock(&cache.lock);
	atomic_fetch_add(&cache.epoch, 1);
	for (int i = 0; i < AUTH_CACHE_SLOTS; i++)
		cache.slot[i].used = 0;
	pthread_mutex_unlock(&cache.lock);
}

struct lookup {
	const char *key;
	struct shop_auth out;
};

static int lookup_key(struct store_tx *tx, void *ctx, struct err *e)
{
	struct lookup *l = ctx;
	return shop_authenticate(tx, l->key, &l->out, e);
}

static const char *kind_name(int auth)
{
	return auth == AUTH_OPERATOR ? "the operator key"
	     : auth == AUTH_SECRET ? "a secret key" : "a publishable key";
}

int auth_request(struct req *r, struct err *e)
{
	int need = r->route->flags & (AUTH_OPERATOR | AUTH_SECRET | AUTH_PUBLISHABLE);
	const char *h = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Authorization");
	int rc;

	if (!need)
		return 0;
	if (!h || strncasecmp(h, "Bearer ", 7) != 0 || !h[7])
		return err_setc(e, ERR_AUTH, "api_key_missing", NULL,
				"no API key: send \"Authorization: Bearer <key>\"");
	const char *key = h + 7;
	if (!strncmp(key, "op_", 3)) {
		char hash[SECURE_SHA256_HEX];
		secure_sha256_hex(key, strlen(key), hash);
		if (!secure_equal(hash, r->srv->operator_key_hash))
			return err_setc(e, ERR_AUTH, "api_key_invalid", NULL, "invalid API key");
		r->auth = AUTH_OPERATOR;
	} else {
		struct lookup l = { key, { { 0 }, 0, 0 } };
		unsigned char tag[SECURE_TAG_BYTES];
		secure_tag(key, strlen(key), tag);
		if (!cache_get(tag, &l.out)) {
			uint_fast64_t epoch = atomic_load(&cache.epoch);
			double at = clock_monotonic_ms();
			/* not shown before the request's own read or write, which
			 * wait for durability (store.h) */
			if ((rc = store_peek(r->store, lookup_key, &l, e)))
				return rc;
			cache_put(tag, &l.out, epoch, at);
		}
		r->shop_id = arena_strdup(&r->arena, l.out.shop_id);
		r->auth = l.out.kind == SHOP_KEY_SECRET ? AUTH_SECRET : AUTH_PUBLISHABLE;
	}
	if (!(need & r->auth)) {
		const char *want = need & AUTH_SECRET ? "the shop's secret key"
				 : need & AUTH_OPERATOR ? "the operator key" : "a shop key";
		return err_setc(e, ERR_FORBIDDEN, "key_not_allowed", NULL,
				"%s cannot call %s %s; use %s", kind_name(r->auth),
				r->route->method, r->route->pattern, want);
	}
	return 0;
}
