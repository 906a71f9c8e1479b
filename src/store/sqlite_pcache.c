/* sqlite_pcache.c: see sqlite_pcache.h. */
#include "sqlite_pcache.h"

#include <sqlite3.h>
#include <stdlib.h>

/* SQLite's lock page lies at this byte offset (PENDING_BYTE). */
#define LOCK_BYTE 0x40000000u

struct cache {
	sqlite3_pcache *real;
	unsigned lock_page;	/* the temporary number of a swap */
	unsigned max;		/* no page held has a larger number, lock_page aside */
	int at_lock_page;	/* pages renumbered to lock_page, not yet away */
};

static sqlite3_pcache_methods2 real;

static int wrap_init(void *arg)
{
	return real.xInit ? real.xInit(arg) : SQLITE_OK;
}

static void wrap_shutdown(void *arg)
{
	if (real.xShutdown)
		real.xShutdown(arg);
}

static sqlite3_pcache *wrap_create(int page_size, int extra, int purgeable)
{
	struct cache *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	if (!(c->real = real.xCreate(page_size, extra, purgeable))) {
		free(c);
		return NULL;
	}
	c->lock_page = page_size > 0 ? LOCK_BYTE / (unsigned)page_size + 1 : 0;
	return (sqlite3_pcache *)c;
}

static void wrap_cachesize(sqlite3_pcache *p, int n)
{
	real.xCachesize(((struct cache *)p)->real, n);
}

static int wrap_pagecount(sqlite3_pcache *p)
{
	return real.xPagecount(((struct cache *)p)->real);
}

static sqlite3_pcache_page *wrap_fetch(sqlite3_pcache *p, unsigned key, int create)
{
	struct cache *c = (struct cache *)p;
	sqlite3_pcache_page *pg = real.xFetch(c->real, key, create);
	if (pg && create && key > c->max)
		c->max = key;
	return pg;
}

static void wrap_unpin(sqlite3_pcache *p, sqlite3_pcache_page *pg, int discard)
{
	real.xUnpin(((struct cache *)p)->real, pg, discard);
}

static void wrap_rekey(sqlite3_pcache *p, sqlite3_pcache_page *pg, unsigned old, unsigned key)
{
	struct cache *c = (struct cache *)p;
	real.xRekey(c->real, pg, old, key);
	if (old == c->lock_page && c->at_lock_page > 0)
		c->at_lock_page--;
	if (key == c->lock_page)
		c->at_lock_page++;
	else if (key > c->max)
		c->max = key;
}

/* Drops the pages numbered limit and above: nothing to do when none is. */
static void wrap_truncate(sqlite3_pcache *p, unsigned limit)
{
	struct cache *c = (struct cache *)p;
	if (limit > c->max && !c->at_lock_page)
		return;
	real.xTruncate(c->real, limit);
	if (limit > 0 && c->max >= limit)
		c->max = limit - 1;
	if (limit <= c->lock_page)
		c->at_lock_page = 0;
}

static void wrap_destroy(sqlite3_pcache *p)
{
	struct cache *c = (struct cache *)p;
	real.xDestroy(c->real);
	free(c);
}

static void wrap_shrink(sqlite3_pcache *p)
{
	real.xShrink(((struct cache *)p)->real);
}

int sqlite_pcache_install(void)
{
	if (sqlite3_config(SQLITE_CONFIG_GETPCACHE2, &real) != SQLITE_OK || !real.xCreate)
		return -1;
	sqlite3_pcache_methods2 wrap = {
		.iVersion = 1,
		.pArg = real.pArg,
		.xInit = wrap_init,
		.xShutdown = wrap_shutdown,
		.xCreate = wrap_create,
		.xCachesize = wrap_cachesize,
		.xPagecount = wrap_pagecount,
		.xFetch = wrap_fetch,
		.xUnpin = wrap_unpin,
		.xRekey = wrap_rekey,
		.xTruncate = wrap_truncate,
		.xDestroy = wrap_destroy,
		.xShrink = wrap_shrink,
	};
	return sqlite3_config(SQLITE_CONFIG_PCACHE2, &wrap) == SQLITE_OK ? 0 : -1;
}
