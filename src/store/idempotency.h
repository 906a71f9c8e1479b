/*
 * store/idempotency.h: the stored responses of Idempotency-Key requests
 * (table idempotency_keys), the only place that reads or writes it.
 *
 * A row is (shop_id, key) -> the request's fingerprint, the status and body
 * of the response it got, and when. http/request.c finds and stores rows
 * inside each idempotent write's own transaction, erasure rewrites bodies,
 * and the pruning job (core/jobs.c) deletes old rows. A key is remembered for
 * the retention after the write it answered (--idempotency-retention-hours,
 * 24 by default, as Stripe); a row older than that is ignored at once, and
 * deleted when the job runs.
 *
 * Written once, in the portable SQL of store.h, on store_query and
 * store_exec: every engine behind store.h runs these same statements. Text
 * handed out lives in the caller's arena.
 */
#ifndef RETAIN_STORE_IDEMPOTENCY_H
#define RETAIN_STORE_IDEMPOTENCY_H

#include <stdint.h>

#include "../base/arena.h"
#include "store.h"

#define STORE_IDEMPOTENCY_RETENTION_HOURS_MAX (24 * 365)

/* A stored response. */
struct store_idempotency_row {
	const char *fingerprint;
	int status;
	const char *body;
};

/* The oldest created_at (unix ms) still remembered at now_ms; retention_hours
 * is from 1 to STORE_IDEMPOTENCY_RETENTION_HOURS_MAX (the caller checked). */
int64_t store_idempotency_cutoff(int64_t now_ms, int64_t retention_hours);

/* The row of (shop, key) created at or after cutoff_ms into *out (strings in
 * a): 1 found, 0 none (or only an older one), negative an error (e set). */
int store_idempotency_find(struct store_tx *tx, struct arena *a, const char *shop,
			   const char *key, int64_t cutoff_ms, struct store_idempotency_row *out,
			   struct err *e);

/* Stores (shop, key) -> row, created at now_ms, replacing an older row of the
 * same key (one past the retention: a current one was found first). */
int store_idempotency_put(struct store_tx *tx, const char *shop, const char *key,
			  const struct store_idempotency_row *row, int64_t now_ms, struct err *e);

/* The shop's stored responses whose body contains the text needle (a cheap
 * superset for the caller to check exactly: '_' and '%' in needle match any
 * character): keys[i] and bodies[i], *n of them, all in a. */
int store_idempotency_containing(struct store_tx *tx, struct arena *a, const char *shop,
				 const char *needle, const char ***keys, const char ***bodies,
				 int *n, struct err *e);

/* The fingerprint of a row whose request is forgotten (see set_body), as
 * rows stored before fingerprints named their route have it. */
#define STORE_IDEMPOTENCY_FORGOTTEN "forgotten"

/* Replaces the stored body of (shop, key), keeping its status and time, and
 * forgets the digest in the request's fingerprint (a digest of a body that
 * held personal data): erasure's rewrite. A fingerprint "METHOD ROUTE DIGEST"
 * (http/request.c) becomes "forgotten METHOD ROUTE", so that a later request
 * with that key to the same route replays the new body whatever it sends
 * (nothing is created again), and one to another route is refused; an older
 * fingerprint of the digest alone becomes STORE_IDEMPOTENCY_FORGOTTEN. */
int store_idempotency_set_body(struct store_tx *tx, const char *shop, const char *key,
			       const char *body, struct err *e);

/* Deletes, for every shop, at most STORE_IDEMPOTENCY_PRUNE_BATCH of the rows
 * created before cutoff_ms, oldest first, so that one run never holds the
 * writer long (a backlog, such as the first run after an upgrade, clears over
 * the following runs; a row past the retention is ignored by find() at once).
 * *pruned (may be NULL) gets how many. Idempotent. */
#define STORE_IDEMPOTENCY_PRUNE_BATCH 10000
int store_idempotency_prune(struct store_tx *tx, int64_t cutoff_ms, int64_t *pruned,
			    struct err *e);

#endif
