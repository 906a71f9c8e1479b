/*
 * clv_cache.h: the CLV fit of each shop, kept in memory so that a customer's
 * predictions cost one small query instead of a fit over the shop's orders.
 *
 * A fit is fresh for CLV_CACHE_TTL_MS (an hour) after it was made. A read
 * (clv_cache_fit) returns the shop's fresh fit, or fits on the spot and keeps
 * the result; clv_cache_refresh (the serve jobs thread, beside core/jobs)
 * refits every kept shop whose fit is older than half the lifetime, so that
 * readers rarely wait for a fit. 64 slots, by a hash of the shop id: a shop
 * whose slot another shop took fits again on its next read. Safe to call from
 * any thread (one lock; no fit runs under it).
 *
 * What is kept is the fit's parameters and summary (list and n are dropped).
 * A fit made on a read uses that read's options up to now; a refresh fits
 * all of the shop's paid orders up to now, in its most used currency, with
 * the defaults (52-week horizon, 12 months, 1% monthly discount, no penalty).
 */
#ifndef RETAIN_CLV_CACHE_H
#define RETAIN_CLV_CACHE_H

#include "clv.h"

#define CLV_CACHE_TTL_MS (3600LL * 1000)

/* The shop's fit into *out (currency and reason copied into a), from the
 * cache, or fitted inside tx (a read transaction) with o up to now and kept. */
int clv_cache_fit(struct store_tx *tx, struct arena *a, const char *shop,
		  const struct clv_options *o, struct clv_report *out, struct err *e);

/* Refits, each in its own read, the kept shops whose fit is older than half
 * CLV_CACHE_TTL_MS; *refitted gets how many. Stops at the first error. */
int clv_cache_refresh(struct store *st, int *refitted, struct err *e);

#endif
