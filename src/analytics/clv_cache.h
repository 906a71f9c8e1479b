/*
 * clv_cache.h: the CLV fit of each shop, kept so that a customer's
 * predictions cost one small query instead of a fit over the shop's orders,
 * and shared by every node on one database (issue 9).
 *
 * Two layers. The table clv_fits (migration 007) holds each shop's fit (its
 * parameters and summary, and when it was made), written only by the node
 * whose refresh took the fits' lock, read by every node. In front of it each
 * process keeps a copy in memory (64 slots, by a hash of the shop id), so a
 * read of a fresh fit touches no table at all.
 *
 * A fit is fresh for CLV_CACHE_TTL_MS (an hour) after it was made, wherever it
 * is kept. A read (clv_cache_fit) returns the shop's fresh fit from memory,
 * else from the table, else fits on the spot with the read's options up to
 * now and keeps the result in this process's memory (a read cannot write the
 * table). clv_cache_refresh (the serve jobs thread, beside core/jobs) takes
 * the lock CLV_CACHE_LOCK_KEY for its write; without it (another node is
 * refreshing) it does nothing. With it, it publishes this process's fits of
 * shops the table lacks, then claims the shops whose shared fit is older than
 * half the lifetime (claimed_until: no other node refits them meanwhile),
 * refits each in a read of its own with the defaults (all of the shop's paid
 * orders up to now, in its most used currency, 52-week horizon, 12 months, 1%
 * monthly discount, no penalty) and writes it back, so that readers rarely
 * wait for a fit and a refit is done once for all nodes. Safe to call from
 * any thread (one lock for memory; no fit runs under it).
 *
 * What is kept is the fit's parameters and summary (list and n are dropped).
 */
#ifndef RETAIN_CLV_CACHE_H
#define RETAIN_CLV_CACHE_H

#include "clv.h"

#define CLV_CACHE_TTL_MS (3600LL * 1000)
/* How long a claimed refit may take before another node may claim it. */
#define CLV_CACHE_CLAIM_MS (10LL * 60 * 1000)
/* The refresh's lock (store_try_lock): the jobs' key space ("retain" in the
 * high bytes, core/jobs.h) with the low 16 bits all set, a row no job takes.
 * Held from psql, it pauses the fits' refresh on every node. */
#define CLV_CACHE_LOCK_KEY ((int64_t)(0x72657461696eLL << 16 | 0xffff))

/* The shop's fit into *out (currency and reason copied into a) and when it
 * was made into *fitted_at: from memory, from the table, or fitted inside tx
 * (a read transaction) with o up to now and kept in memory. */
int clv_cache_fit(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct clv_options *o, struct clv_report *out, int64_t *fitted_at,
		  struct err *e);

/* The refresh described above; *refitted gets how many fits this call made
 * and wrote. Stops at the first error. */
int clv_cache_refresh(struct store *st, int *refitted, struct err *e);

#endif
