/*
 * report_cache.h: the dashboard's reports of each shop, computed once and
 * served to every page view (issue 14; docs/decisions.md "Issue 14: the
 * dashboard's report cache"), so that a page costs a read of one row
 * instead of a scan of every paid order.
 *
 * The table report_cache (migration 021) holds one row per shop and report
 * kind (overview, cohorts, rfm, clv): the text dashboard_data.h writes (body,
 * and for rfm the customers' scores in detail), its format number and when it
 * was computed (computed_at, the reports' "to"). Every node reads it; no
 * process keeps a copy in memory (an erasure on one node must reach all).
 *
 * Freshness, with ttl the configured report-cache-minutes:
 *  - a page (report_cache_get) serves the row when it was computed less than
 *    ttl ago (and not after now: a test clock set back); otherwise (no row,
 *    too old, another format) it computes the report in a read of its own,
 *    stores it and serves that, saying so (computed_now);
 *  - report_cache_refresh (the serve jobs thread, beside clv_cache_refresh)
 *    recomputes every row older than half the ttl, so a page rarely finds one
 *    too old: under the lock REPORT_CACHE_LOCK_KEY it claims the due rows
 *    (claimed_until: no other node takes them meanwhile), computes each in a
 *    read of its own and writes it back if the claim is still its own (a
 *    page's or a "refresh now"'s newer write clears the claim and wins);
 *  - report_cache_compute (the pages' "refresh now") computes and stores at
 *    once, whatever the row's age.
 * Only reports a page showed in the last REPORT_CACHE_IDLE_MS are refreshed
 * in the background.
 * A shop's rows are deleted by its customers' erasure (core/customer.c), and
 * the jobs' refresh writes only a row it still claims, so its report read
 * before an erasure is dropped. report_cache_compute's store is not so held:
 * an erasure that commits between its read and its write leaves the report
 * read before it. That report holds what one computed after it would (the
 * reports keep counting an erased customer's anonymous orders under the
 * customer's id; no name, e-mail or other contact is cached), so nothing
 * the erasure removed comes back.
 */
#ifndef RETAIN_REPORT_CACHE_H
#define RETAIN_REPORT_CACHE_H

#include <stdint.h>

#include "../base/arena.h"
#include "../store/store.h"

enum report_kind { REPORT_OVERVIEW, REPORT_COHORTS, REPORT_RFM, REPORT_CLV, REPORT_KINDS };

/* The refresh's lock: the jobs' key space ("retain" in the high bytes,
 * core/jobs.h) with the low 16 bits 0xfffe, a row no job takes (the CLV fits
 * have 0xffff). Held from psql, it pauses the refresh on every node. */
#define REPORT_CACHE_LOCK_KEY ((int64_t)(0x72657461696eLL << 16 | 0xfffe))
/* How long a claimed refresh may take before another node may claim it. */
#define REPORT_CACHE_CLAIM_MS (10LL * 60 * 1000)
/* A report no page has shown for this long is no longer refreshed in the
 * background (a shop nobody looks at costs nothing; its next visit computes
 * the page once); a page showing it moves its viewed_at on at most once per
 * REPORT_CACHE_VIEW_STEP_MS (a write an hour, not one per view). */
#define REPORT_CACHE_IDLE_MS (7LL * 24 * 60 * 60 * 1000)
#define REPORT_CACHE_VIEW_STEP_MS (60LL * 60 * 1000)

struct report_text {
	int64_t computed_at;
	int computed_now;	/* 1: computed by this call (none was fresh) */
	const char *body;	/* in the arena */
	const char *detail;	/* asked for and the kind has one, else NULL */
};

/* The kind's name ("overview", "cohorts", "rfm", "clv"), and back (-1 for
 * a name that is none). */
const char *report_cache_name(enum report_kind k);
int report_cache_kind(const char *name);

/* The shop's report k into *out, as described above; with_detail asks for
 * the detail text too. */
int report_cache_get(struct store *st, struct arena *a, const char *shop, enum report_kind k,
		     int with_detail, int64_t ttl_ms, struct report_text *out, struct err *e);
/* Computes the shop's report k now and stores it ("refresh now"). */
int report_cache_compute(struct store *st, struct arena *a, const char *shop,
			 enum report_kind k, int with_detail, struct report_text *out,
			 struct err *e);
/* The jobs thread's refresh; *refreshed gets how many rows it rewrote.
 * Stops at the first error. */
int report_cache_refresh(struct store *st, int64_t ttl_ms, int *refreshed, struct err *e);

#endif
