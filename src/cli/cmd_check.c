/* cmd_check.c: `retain check`: recompute every lot from its entries, and
 * `retain jobs run`: run the due jobs once. */
#include <stdio.h>
#include <string.h>

#include "../core/jobs.h"
#include "../core/ledger.h"
#include "../store/store.h"
#include "cli.h"

const char cmd_check_usage[] =
	"usage: retain check [--db PATH]\n"
	"\n"
	"Recomputes every points lot from its ledger entries and prints each lot whose\n"
	"remaining points differ, and each customer whose points, debt or cashback wallet\n"
	"is over its maximum (docs/loyalty.md \"Limits\"); exit 0 when all agree, 1 on a\n"
	"mismatch.\n";

const char cmd_jobs_usage[] =
	"usage: retain jobs run [--db PATH]\n"
	"\n"
	"Runs the due jobs once, as the server does every --jobs-interval seconds:\n"
	"points expiry, expiry reminders, tier downgrades, stored Idempotency-Key\n"
	"responses past their retention, coupon reservations past their time, late\n"
	"deliveries (with their apologies) and support tickets past their service\n"
	"targets.\n";

struct check {
	struct arena arena;
	struct ledger_mismatch *bad;
	int nbad;
	int64_t lots;
};

static int check_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct check *c = ctx;
	return ledger_check(tx, &c->arena, &c->bad, &c->nbad, &c->lots, e);
}

int cmd_check(int argc, char **argv, const struct config *cfg)
{
	struct check c = { .arena = ARENA_INIT };
	struct store *st;
	struct err e = { 0 };
	int rc;
	if (argc > 0) {
		fprintf(stderr, "retain check: unknown argument \"%s\"\n", argv[0]);
		return cli_usage(cmd_check_usage);
	}
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	if ((rc = store_read(st, check_tx, &c, &e))) {
		rc = cli_fail(&e);
		goto out;
	}
	for (int i = 0; i < c.nbad; i++)
		if (c.bad[i].customer_id)
			printf("%s customer %s: %s (holds %lld, at most %lld)\n", c.bad[i].shop,
			       c.bad[i].customer_id, c.bad[i].problem, (long long)c.bad[i].remaining,
			       (long long)c.bad[i].entries);
		else
			printf("%s %s: %s (remaining %lld, entries sum to %lld)\n", c.bad[i].shop,
			       c.bad[i].lot_id, c.bad[i].problem, (long long)c.bad[i].remaining,
			       (long long)c.bad[i].entries);
	printf("retain check: %lld lots, %d mismatch%s\n", (long long)c.lots, c.nbad,
	       c.nbad == 1 ? "" : "es");
	rc = c.nbad ? 1 : 0;
out:
	store_close(st);
	arena_free(&c.arena);
	return rc;
}

int cmd_jobs(int argc, char **argv, const struct config *cfg)
{
	struct jobs_counts n;
	struct store *st;
	struct err e = { 0 };
	if (argc != 1 || strcmp(argv[0], "run")) {
		if (argc > 0)
			fprintf(stderr, "retain jobs: unknown argument \"%s\"\n",
				strcmp(argv[0], "run") ? argv[0] : argv[1]);
		return cli_usage(cmd_jobs_usage);
	}
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	int rc = jobs_run(st, cfg, &n, &e);
	store_close(st);
	if (rc)
		return cli_fail(&e);
	printf("retain jobs: %lld lots expired (%lld points), %lld reminders, %lld tier changes,"
	       " %lld coupon reservations released, %lld late deliveries (%lld apologies),"
	       " %lld service targets breached",
	       (long long)n.expired_lots, (long long)n.expired_points, (long long)n.reminders,
	       (long long)n.tier_changes, (long long)n.reservations_released,
	       (long long)n.late_deliveries, (long long)n.apologies, (long long)n.sla_breaches);
	/* Issue 13: the e-mails queued and sent (core/email.h). */
	printf(", %lld e-mails queued (%lld skipped), %lld sent, %lld to retry, %lld failed",
	       (long long)n.emails_queued, (long long)n.emails_skipped, (long long)n.emails_sent,
	       (long long)n.emails_retried, (long long)n.emails_failed);
	for (int i = 0, first = 1; i < jobs_count(); i++)
		if (n.skipped_mask & (1u << i)) {
			printf("%s%s", first ? "; skipped (another node holds its lock): " : ", ",
			       jobs_name(i));
			first = 0;
		}
	printf("\n");
	return 0;
}
