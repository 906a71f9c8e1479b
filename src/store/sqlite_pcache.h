/*
 * sqlite_pcache.h: SQLite's own page cache, with a commit that does not
 * scan the whole cache after a page split (store-internal, sqlite.c).
 *
 * At the end of every write transaction SQLite drops the cached pages past
 * the database's size (pcache1's xTruncate). It scans only the hash slots
 * between the database's size and the largest page number ever cached; but
 * when a b-tree page splits, SQLite swaps two new pages' numbers through a
 * temporary one, the number of the lock page (1 GiB / page size + 1: 262,145
 * with 4 KiB pages), which then counts as the largest ever cached. The next
 * commit scans every slot of the cache: 4,096 of them, and the pages on them,
 * with the writer's 16 MB cache, at most commits under the order load (2.6%
 * of the server's CPU; bench/README.md, the sixth round).
 *
 * This wrapper keeps, per cache, a bound on the page numbers it holds that
 * leaves the temporary number out (no page keeps it: SQLite renumbers the
 * page at once), and skips a truncation that the bound says removes nothing.
 * Every other call goes to SQLite's cache unchanged.
 */
#ifndef RETAIN_STORE_SQLITE_PCACHE_H
#define RETAIN_STORE_SQLITE_PCACHE_H

/* Installs the wrapper around SQLite's default page cache. Call once,
 * before SQLite is initialised (sqlite3_config). 0 on success. */
int sqlite_pcache_install(void);

#endif
