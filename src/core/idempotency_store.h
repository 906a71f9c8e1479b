/*
 * idempotency_store.h: the retention of stored Idempotency-Key responses
 * (table idempotency_keys, written by http/request.c in each write's own
 * transaction). A key is remembered for the retention after the write it
 * answered (--idempotency-retention-hours, 24 by default, as Stripe); after
 * that a retry under it runs as a new request, and the pruning job deletes
 * the row. Time is the clock's now, so the test clock moves it.
 */
#ifndef RETAIN_IDEMPOTENCY_STORE_H
#define RETAIN_IDEMPOTENCY_STORE_H

#include <stdint.h>

#include "../store/store.h"

#define IDEMPOTENCY_RETENTION_HOURS_MAX (24 * 365)

/* The oldest created_at (unix ms) still remembered at now_ms. */
int64_t idempotency_store_cutoff(int64_t now_ms, int64_t retention_hours);
/* Deletes, for every shop, the keys created before cutoff_ms; *pruned (may
 * be NULL) gets how many. Idempotent. */
int idempotency_store_prune(struct store_tx *tx, int64_t cutoff_ms, int64_t *pruned,
			    struct err *e);

#endif
