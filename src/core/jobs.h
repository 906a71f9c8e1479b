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
 * Several nodes (issue 9): every `retain serve` on one PostgreSQL database
 * runs this table, and each due item is still done once. A job's transaction
 * first takes the job's lock (store_try_lock, an advisory lock of the
 * transaction on PostgreSQL, JOBS_LOCK_KEY(its number) below); a node that finds it
 * taken skips that job for this call (counted in skipped), since the node
 * holding it is doing the same work now. Within one process, calls are run
 * one at a time (a mutex), so that a call made after the test clock moved
 * waits for a jobs-thread run at the old time instead of skipping. The lock
 * spares the work; it is not the only guard: each item changes the state
 * that made it due in the same SERIALIZABLE write (a lot's remaining goes to
 * 0, a reminder sets reminded_at), so a run that does get in after another
 * finds nothing left to do, or is retried by the store and then finds
 * nothing.
 *
 * Pending points need no job: a lot is available from its available_at on,
 * read as such by every query. The CLV fits are refreshed beside the table by
 * its caller (analytics/clv_cache.h, core/ does not call analytics/), under a
 * lock of their own in the same key space (CLV_CACHE_LOCK_KEY).
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
	int64_t reservations_released;		/* coupon reservations past their time */
	int64_t late_deliveries, apologies;	/* shipments found late, offers it gave */
	int64_t sla_breaches;			/* ticket targets found breached */
	int64_t webhooks_delivered, webhooks_failed;	/* attempts that succeeded, failed */
	int64_t webhook_endpoints_disabled;	/* endpoints failing for 3 days */
	int64_t emails_queued, emails_skipped;	/* issue 13: messages made for events */
	int64_t emails_sent, emails_retried, emails_failed;	/* and their SMTP deliveries */
	int64_t integration_deliveries_pruned;	/* inbound delivery ids past the retention */
	int runs;				/* jobs run by this call */
	int skipped;				/* jobs another process held the lock of */
	uint32_t skipped_mask;			/* which: bit i is job i (jobs_name(i)) */
};

/* The advisory lock key of the job numbered n (from 1, so that none is the
 * migration lock; each job's number is written in core/jobs.c's table and
 * never changes): "retain" in the high bytes. An operator
 * holding it (SELECT pg_advisory_lock(key) in psql) pauses that job on every
 * node until it is released. */
#define JOBS_LOCK_KEY(n) ((int64_t)(0x72657461696eLL << 16 | (n)))

/* The jobs, in the order jobs_run() runs them; names for logs and tests. */
int jobs_count(void);
const char *jobs_name(int i);
/* The lock key of job i (0-based, as jobs_name): JOBS_LOCK_KEY(its number). */
int64_t jobs_lock_key(int i);

/* Runs every job once, in table order, at the clock's now, skipping a job
 * whose lock another process holds, then (issue 13) sends the e-mails that
 * are due over SMTP outside any transaction (core/email.h); cfg gives the
 * idempotency retention. *out is zeroed first and filled as the jobs run. */
int jobs_run(struct store *st, const struct config *cfg, struct jobs_counts *out,
	     struct err *e);

/* Runs the one job named name as jobs_run() would, for the serve jobs
 * thread's quicker cadence of webhook deliveries (--webhooks-interval); only
 * the jobs that make their own transactions ("webhooks"), ERR_NOT_FOUND for
 * another name. */
int jobs_run_one(struct store *st, const struct config *cfg, const char *name,
		 struct jobs_counts *out, struct err *e);

#endif
