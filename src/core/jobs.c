/* jobs.c: see jobs.h. A new job is a row below: a function that does what is
 * due at now, idempotently, inside the transaction it is given. */
#include "jobs.h"

#include <assert.h>
#include <pthread.h>
#include <string.h>

#include "../base/clock.h"
#include "../store/idempotency.h"
#include "coupon.h"
#include "email.h"
#include "integration.h"
#include "ledger.h"
#include "shipment.h"
#include "ticket.h"
#include "webhook.h"

struct job_env {
	const struct config *cfg;
	int64_t now;
	struct jobs_counts *counts;
};

/* Lot expiry, inactivity expiry, expiry reminders and tier downgrades: the
 * ledger's due work, in one transaction because they read each other's
 * results (a reminder is for points not yet expired). */
static int job_ledger(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	struct ledger_job_counts n;
	int rc = ledger_run_jobs(tx, &n, e);
	if (rc)
		return rc;
	env->counts->expired_lots += n.expired_lots;
	env->counts->expired_points += n.expired_points;
	env->counts->reminders += n.reminders;
	env->counts->tier_changes += n.tier_changes;
	return 0;
}

/* Stored Idempotency-Key responses past the retention. */
static int job_idempotency_keys(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	int64_t cutoff = store_idempotency_cutoff(env->now, env->cfg->idempotency_retention_hours);
	int64_t pruned = 0;
	int rc = store_idempotency_prune(tx, cutoff, &pruned, e);
	if (!rc)
		env->counts->idempotency_keys_pruned += pruned;
	return rc;
}

/* Coupon reservations past their time, released so the code is free again. */
static int job_coupon_reservations(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	int64_t released = 0;
	int rc = coupon_release_due(tx, &released, e);
	if (!rc)
		env->counts->reservations_released += released;
	return rc;
}

/* Shipments whose promise passed undelivered: late, once, with the apology. */
static int job_late_deliveries(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	int64_t marked = 0, apologies = 0;
	int rc = shipment_mark_late(tx, &marked, &apologies, e);
	if (!rc) {
		env->counts->late_deliveries += marked;
		env->counts->apologies += apologies;
	}
	return rc;
}

/* Tickets past a due time unmet: breached, once per ticket and target. */
static int job_ticket_breaches(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	int64_t marked = 0;
	int rc = ticket_mark_breaches(tx, &marked, e);
	if (!rc)
		env->counts->sla_breaches += marked;
	return rc;
}

/* Webhook deliveries (issue 13): a job of its own kind, since it sends
 * outside any transaction; webhook.h says how the lock still gives each
 * delivery to one node. */
static int job_webhooks(struct store *st, const struct job_env *env, int64_t key,
			int *skipped, struct err *e)
{
	struct webhook_counts n;
	int rc = webhook_deliver_due(st, (int)env->cfg->webhooks_allow_private, key, &n, e);
	env->counts->webhooks_delivered += n.delivered;
	env->counts->webhooks_failed += n.failed;
	env->counts->webhook_endpoints_disabled += n.disabled;
	*skipped = n.skipped && !n.delivered && !n.failed;
	return rc;
}

/* Issue 13: a message (queued or skipped) for each new event that has a
 * template; the SMTP sending runs after the table (jobs_run). */
static int job_email_queue(struct store_tx *tx, const struct job_env *env, struct err *e)
{
	struct email_counts n = { 0 };
	int rc = email_queue_due(tx, env->cfg, env->now, &n, e);
	if (!rc) {
		env->counts->emails_queued += n.queued;
		env->counts->emails_skipped += n.skipped;
	}
	return rc;
}

/* Inbound integrations: delivery ids past their retention (integration.h). */
static int job_integration_deliveries(struct store_tx *tx, const struct job_env *env,
				      struct err *e)
{
	int64_t pruned = 0;
	int rc = integration_deliveries_prune(tx, env->now, &pruned, e);
	if (!rc)
		env->counts->integration_deliveries_pruned += pruned;
	return rc;
}

/* lock: the job's number in JOBS_LOCK_KEY, written out and never reused, so
 * that a job keeps its key when rows are added (nodes of two versions during
 * an upgrade then still exclude each other): the next job takes 9. */
static const struct job {
	const char *name;
	int (*run)(struct store_tx *tx, const struct job_env *env, struct err *e);
	int lock;
} jobs[] = {
	{ "ledger", job_ledger, 1 },
	{ "idempotency_retention", job_idempotency_keys, 2 },
	{ "coupon_reservations", job_coupon_reservations, 3 },
	{ "late_deliveries", job_late_deliveries, 4 },
	{ "ticket_breaches", job_ticket_breaches, 5 },
	{ "email_queue", job_email_queue, 6 },
	{ "integration_deliveries", job_integration_deliveries, 8 },
};

/* Jobs that make their own transactions, taking their lock key in each; run
 * after the table above (lock: as there). */
static const struct alone_job {
	const char *name;
	int (*run)(struct store *st, const struct job_env *env, int64_t key, int *skipped,
		   struct err *e);
	int lock;
} alone_jobs[] = {
	{ "webhooks", job_webhooks, 7 },
};

#define NTX ((int)(sizeof(jobs) / sizeof(jobs[0])))
#define NJOBS (NTX + (int)(sizeof(alone_jobs) / sizeof(alone_jobs[0])))
_Static_assert(NJOBS <= 32, "jobs_counts.skipped_mask has a bit per job");

int jobs_count(void)
{
	return NJOBS;
}

const char *jobs_name(int i)
{
	assert(i >= 0 && i < NJOBS);
	return i < NTX ? jobs[i].name : alone_jobs[i - NTX].name;
}

int64_t jobs_lock_key(int i)
{
	assert(i >= 0 && i < NJOBS);
	return JOBS_LOCK_KEY(i < NTX ? jobs[i].lock : alone_jobs[i - NTX].lock);
}

/* One jobs_run() at a time in this process (jobs.h says why). */
static pthread_mutex_t running = PTHREAD_MUTEX_INITIALIZER;

struct job_call {
	const struct job *job;
	int64_t key;
	struct job_env env;
	struct jobs_counts counts;	/* this job's own, kept only when it commits */
	int skipped;			/* another process holds the job's lock */
};

/* A write callback may run more than once (store.h): it counts into its own
 * zeroed counts, which the caller adds up after the commit. The lock comes
 * first, before the job reads anything. */
static int job_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct job_call *c = ctx;
	memset(&c->counts, 0, sizeof(c->counts));
	c->env.counts = &c->counts;
	int taken = store_try_lock(tx, c->key, e);
	if (taken < 0)
		return taken;
	c->skipped = !taken;
	return taken ? c->job->run(tx, &c->env, e) : 0;
}

/* One job's counts into the run's: every counter of struct jobs_counts, so
 * POST /v1/jobs/run and `retain jobs run` report what each job did. */
static void counts_add(struct jobs_counts *to, const struct jobs_counts *n)
{
	to->expired_lots += n->expired_lots;
	to->expired_points += n->expired_points;
	to->reminders += n->reminders;
	to->tier_changes += n->tier_changes;
	to->idempotency_keys_pruned += n->idempotency_keys_pruned;
	to->reservations_released += n->reservations_released;
	to->late_deliveries += n->late_deliveries;
	to->apologies += n->apologies;
	to->sla_breaches += n->sla_breaches;
	to->webhooks_delivered += n->webhooks_delivered;
	to->webhooks_failed += n->webhooks_failed;
	to->webhook_endpoints_disabled += n->webhook_endpoints_disabled;
	to->emails_queued += n->emails_queued;
	to->emails_skipped += n->emails_skipped;
	to->emails_sent += n->emails_sent;
	to->emails_retried += n->emails_retried;
	to->emails_failed += n->emails_failed;
	to->integration_deliveries_pruned += n->integration_deliveries_pruned;
}

int jobs_run(struct store *st, const struct config *cfg, struct jobs_counts *out,
	     struct err *e)
{
	int rc = 0;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&running);
	int64_t now = clock_now_ms();	/* read once the run before this one is done */
	for (int i = 0; i < NJOBS; i++) {
		struct job_call c = { i < NTX ? &jobs[i] : NULL, jobs_lock_key(i), { cfg, now, NULL },
				      { 0 }, 0 };
		if (i >= NTX) {
			c.env.counts = &c.counts;
			rc = alone_jobs[i - NTX].run(st, &c.env, c.key, &c.skipped, e);
		} else {
			rc = store_write(st, job_tx, &c, e);
		}
		if (rc)
			break;
		if (c.skipped) {
			out->skipped++;
			out->skipped_mask |= 1u << i;
			continue;
		}
		counts_add(out, &c.counts);
		out->runs++;
	}
	/* Issue 13: SMTP outside the job transactions; a claim per message. */
	if (!rc) {
		struct email_counts sent = { 0 };
		rc = email_deliver_due(st, cfg, &sent, e);
		out->emails_sent += sent.sent;
		out->emails_retried += sent.retried;
		out->emails_failed += sent.failed;
	}
	pthread_mutex_unlock(&running);
	return rc;
}

int jobs_run_one(struct store *st, const struct config *cfg, const char *name,
		 struct jobs_counts *out, struct err *e)
{
	memset(out, 0, sizeof(*out));
	for (int i = NTX; i < NJOBS; i++) {
		if (strcmp(alone_jobs[i - NTX].name, name))
			continue;
		struct job_call c = { NULL, jobs_lock_key(i), { cfg, 0, &c.counts }, { 0 }, 0 };
		pthread_mutex_lock(&running);
		c.env.now = clock_now_ms();
		int rc = alone_jobs[i - NTX].run(st, &c.env, c.key, &c.skipped, e);
		pthread_mutex_unlock(&running);
		*out = c.counts;
		out->runs = !c.skipped;
		out->skipped = c.skipped;
		out->skipped_mask = c.skipped ? 1u << i : 0;
		return rc;
	}
	return err_set(e, ERR_NOT_FOUND, NULL, "no job \"%s\" of its own transactions", name);
}
