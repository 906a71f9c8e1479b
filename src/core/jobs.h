/*
 * jobs.h: the due work of every shop, as one table of jobs (jobs.c).
 *
 * Each job is a function of the store and the clock's now that does what is
 * due and nothing else, so running it again at once changes nothing
 * (idempotent) and a caller may run the table as often as it likes: the serve
 * jobs thread every --jobs-interval seconds, `retain jobs run`, `retain demo`,
 * POST /v1/jobs/run and the test clock after it moves. A job runs in its own
 * write transaction: one that fails rolls back its own work only, and the
 * table stops there with the error (the jobs before it stay done).
 *
 * Pending points need no job: a lot is available from its available_at on,
 * read as such by every query. The CLV fit cache is refreshed beside the
 * table by its caller (analytics/clv_cache.h): a read, not a write.
 */
#ifndef RETAIN_JOBS_H
#define RETAIN_JOBS_H

#include <stdint.h>

#include "../base/config.h"
#include "../store/store.h"

/* What one run of the table did. */
struct jobs_counts {
	int64_t expired_lots, expired_points;	/* lot expiry and inactivity expiry */
	int64_t reminders;			/* expiry reminders due */
	int64_t tier_changes;			/* tier downgrades at the window's end */
	int64_t idempotency_keys_pruned;	/* stored responses past the retention */
	int runs;				/* jobs run (each job once per call) */
};

/* The jobs, in the order jobs_run() runs them; names for logs and tests. */
int jobs_count(void);
const char *jobs_name(int i);

/* Runs every job once, in table order, at the clock's now; cfg gives the
 * idempotency retention. *out is zeroed first and filled as the jobs run. */
int jobs_run(struct store *st, const struct config *cfg, struct jobs_counts *out,
	     struct err *e);

#endif
