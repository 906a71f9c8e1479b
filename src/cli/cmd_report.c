/* cmd_report.c: `retain report NAME`: reports on the terminal (aligned
 * tables), as JSON or as CSV. The reports table lists them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../analytics/measures.h"
#include "../analytics/report_json.h"
#include "../base/clock.h"
#include "../base/currency.h"
#include "../base/rfc3339.h"
#include "../core/shop.h"
#include "../store/store.h"
#include "cli.h"

struct report_cmd {
	const char *shop, *format, *name;
	int customers;
	struct clv_options clv;
	struct measures_filter f;
	struct arena arena;
	struct clv_report out;
	struct retention_report retention;
	struct cohort_report cohorts;
	struct rfm_report rfm;
};

static int clv_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_cmd *c = ctx;
	struct shop s;
	int rc = shop_get(tx, &c->arena, c->shop, &s, e);
	if (rc)
		return rc;
	if (!strcmp(c->name, "retention"))
		return measures_retention(tx, &c->arena, c->shop, &c->f, &c->retention, e);
	if (!strcmp(c->name, "cohorts"))
		return measures_cohorts(tx, &c->arena, c->shop, &c->f, &c->cohorts, e);
	if (!strcmp(c->name, "rfm"))
		return measures_rfm(tx, &c->arena, c->shop, &c->f, &c->rfm, e);
	return clv_compute(tx, &c->arena, c->shop, &c->clv, &c->out, e);
}

static int print_json(json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2));
	puts(text);
	free(text);
	json_decref(o);
	return 0;
}

static void print_group(const char *name, const struct group_stats *g)
{
	printf("%-12s %9lld %9lld %8.1f%% %10.2f %12.2f %13.2f\n", name, (long long)g->customers,
	       (long long)g->orders, g->repeat_rate * 100, g->orders_per_customer,
	       g->average_order_value / 100, g->revenue_per_customer / 100);
}

static int print_retention(struct report_cmd *c)
{
	struct retention_report *r = &c->retention;
	if (!strcmp(c->format, "json"))
		return print_json(report_json_retention(r));
	if (!strcmp(c->format, "csv")) {
		printf("group,customers,orders,repeat_customers,revenue,repeat_rate,average_order_value\n");
		const struct { const char *n; const struct group_stats *g; } rows[] = {
			{ "all", &r->all }, { "members", &r->members }, { "non_members", &r->non_members } };
		for (int i = 0; i < (r->has_program ? 3 : 1); i++)
			printf("%s,%lld,%lld,%lld,%lld,%.6f,%.2f\n", rows[i].n, (long long)rows[i].g->customers,
			       (long long)rows[i].g->orders, (long long)rows[i].g->repeat_customers,
			       (long long)rows[i].g->revenue, rows[i].g->repeat_rate, rows[i].g->average_order_value);
		return 0;
	}
	printf("currency %s (amounts in major units)\n", r->currency ? r->currency : "-");
	printf("%-12s %9s %9s %9s %10s %12s %13s\n", "", "customers", "orders", "repeat", "orders/cust",
	       "order value", "revenue/cust");
	print_group("all", &r->all);
	if (r->has_program) {
		print_group("members", &r->members);
		print_group("non-members", &r->non_members);
	}
	if (r->gaps)
		printf("days between orders: mean %.1f, median %.1f (%lld gaps)\n", r->days_between_mean,
		       r->days_between_median, (long long)r->gaps);
	return 0;
}

static int print_cohorts(struct report_cmd *c)
{
	struct cohort_report *r = &c->cohorts;
	if (!strcmp(c->format, "json"))
		return print_json(report_json_cohorts(&c->arena, r));
	int csv = !strcmp(c->format, "csv"), width = 0;
	for (int i = 0; i < r->nrows; i++)
		width = r->rows[i].ncells > width ? r->rows[i].ncells : width;
	printf(csv ? "cohort,customers" : "%-8s %9s", "cohort", "customers");
	for (int k = 0; k < width && k < 24; k++)
		if (csv)
			printf(",m%d", k);
		else
			printf(" %5s", arena_printf(&c->arena, "m%d", k));
	putchar('\n');
	for (int i = 0; i < r->nrows; i++) {
		struct cohort_row *w = &r->rows[i];
		printf(csv ? "%04d-%02d,%lld" : "%04d-%02d  %9lld", w->year, w->month, (long long)w->customers);
		for (int k = 0; k < w->ncells && k < 24; k++)
			printf(csv ? ",%.4f" : " %4.0f%%", csv ? w->share[k] : w->share[k] * 100);
		putchar('\n');
	}
	return 0;
}

static int print_rfm(struct report_cmd *c)
{
	struct rfm_report *r = &c->rfm;
	if (!strcmp(c->format, "json"))
		return print_json(report_json_rfm(r, c->customers));
	if (!strcmp(c->format, "csv")) {
		printf("customer,recency_days,frequency,monetary,r,f,m,segment\n");
		for (int i = 0; i < r->n; i++) {
			struct rfm_customer *k = &r->customers[i];
			printf("%s,%lld,%lld,%lld,%d,%d,%d,%s\n", k->id, (long long)k->recency_days,
			       (long long)k->frequency, (long long)k->monetary, k->r, k->f, k->m, k->segment);
		}
		return 0;
	}
	printf("%-20s %9s %14s   (%lld customers, %s)\n", "segment", "customers", "revenue",
	       (long long)r->n, r->currency ? r->currency : "-");
	for (int i = 0; i < RFM_SEGMENTS; i++)
		printf("%-20s %9lld %14.2f\n", r->segments[i].name, (long long)r->segments[i].customers,
		       (double)r->segments[i].revenue / 100);
	return 0;
}

static void print_fit(const char *name, const char *const *labels, const struct fit_report *f, int np)
{
	printf("%-12s", name);
	for (int i = 0; i < np; i++)
		printf(" %s %-10.4f", labels[i], f->params[i]);
	printf(" LL %.2f  %d iterations  gradient %.1e  %s  %.1f ms\n", f->log_likelihood, f->iterations,
	       f->grad_norm, f->converged ? "converged" : "NOT CONVERGED", f->seconds * 1000);
}

static const char *const bg_labels[] = { "r", "alpha", "a", "b" };
static const char *const gg_labels[] = { "p", "q", "gamma" };

static int print_clv(struct report_cmd *c)
{
	struct clv_report *r = &c->out;
	if (!strcmp(c->format, "json"))
		return print_json(report_json_clv(r, &c->clv, c->customers));
	if (!strcmp(c->format, "csv")) {
		printf("customer,x,t_x,T,monetary,p_alive,expected_purchases,expected_spend,clv,churn_risk\n");
		for (int i = 0; r->enough && i < r->n; i++) {
			struct clv_customer *k = &r->list[i];
			printf("%s,%.0f,%.4f,%.4f,%.4f,%.6f,%.6f,%.4f,%.4f,%s\n", k->id, k->x, k->t_x, k->T,
			       k->monetary, k->p_alive, k->expected, k->spend, k->clv, k->risk);
		}
		if (!r->enough)
			fprintf(stderr, "retain report: %s\n", r->reason);
		return 0;
	}
	printf("customers    %lld (%lld with a repeat purchase), currency %s\n", (long long)r->customers,
	       (long long)r->repeaters, r->currency ? r->currency : "-");
	if (!r->enough) {
		printf("%s\n", r->reason);
		return 0;
	}
	print_fit("BG/NBD", bg_labels, &r->bgnbd_fit, 4);
	if (r->spend_enough) {
		print_fit("Gamma-Gamma", gg_labels, &r->gg_fit, 3);
		printf("spend vs frequency correlation %.3f%s\n", r->spend_correlation,
		       r->spend_correlation > 0.3 || r->spend_correlation < -0.3
		       ? " (high: Gamma-Gamma assumes independence, read CLV with care)" : " (independent enough)");
	}
	printf("churn risk   low %lld   medium %lld   high %lld\n", (long long)r->risk[0],
	       (long long)r->risk[1], (long long)r->risk[2]);
	printf("CLV %d months at %.1f%%/month: p10 %.2f  median %.2f  p90 %.2f  total %.2f %s\n",
	       c->clv.months, c->clv.discount * 100, r->clv_p10, r->clv_p50, r->clv_p90, r->clv_total,
	       r->currency);
	return 0;
}

const char cmd_report_usage[] =
	"usage: retain report retention|cohorts|rfm|clv --shop SHOP_ID [options] [--db PATH]\n"
	"\n"
	"  retention            repeat rate, orders per customer, members and non-members\n"
	"  cohorts              monthly cohorts: the share buying again in month k\n"
	"  rfm                  recency, frequency and monetary segments\n"
	"  clv                  lifetime value from BG/NBD and Gamma-Gamma fits\n"
	"  --shop SHOP_ID       the shop (required)\n"
	"  --from DATE          first day, YYYY-MM-DD or an RFC 3339 time (default: all)\n"
	"  --to DATE            last day, not before --from (default: now)\n"
	"  --format FORMAT      table (default), json or csv\n"
	"  --customers          with one row per customer (rfm, clv)\n"
	"  --currency CODE      an ISO 4217 code (default: the shop's most used)\n"
	"  --horizon-weeks N    clv: expected purchases over N weeks, " CLI_STR(CLV_HORIZON_WEEKS_MIN)
	" to " CLI_STR(CLV_HORIZON_WEEKS_MAX) " (default 52)\n"
	"  --months N           clv: value over N months, " CLI_STR(CLV_MONTHS_MIN) " to "
	CLI_STR(CLV_MONTHS_MAX) " (default 12)\n"
	"  --discount RATE      clv: monthly discount rate, 0 to " CLI_STR(CLV_DISCOUNT_MAX)
	" (default 0.01)\n"
	"  --penalty X          clv: L2 penalty of the fits, 0 to " CLI_STR(CLV_PENALTY_MAX)
	" (default 0)\n";

static int string_value(const char *option, const char *v, const char **out)
{
	if (!v)
		return cli_bad("report", "%s needs a value", option);
	*out = v;
	return 0;
}

static int parse_date(const char *option, const char *v, int64_t *ms)
{
	if (!v)
		return cli_bad("report", "%s needs a value", option);
	if (rfc3339_parse(v, ms))
		return cli_bad("report", "%s \"%s\" is not a date like \"2026-01-31\" or an RFC 3339"
			       " time (years %d to %d)", option, v, RFC3339_YEAR_MIN, RFC3339_YEAR_MAX);
	return 0;
}

static int parse_options(struct report_cmd *c, int argc, char **argv)
{
	const char *from = NULL, *to = NULL;
	int64_t months = c->clv.months;
	int rc = 0;
	for (int i = 1; i < argc && !rc; i++) {
		const char *v;
		if (!strcmp(argv[i], "--customers"))
			c->customers = 1;
		else if (cli_option(argc, argv, &i, "--shop", &v))
			rc = string_value("--shop", v, &c->shop);
		else if (cli_option(argc, argv, &i, "--format", &v))
			rc = string_value("--format", v, &c->format);
		else if (cli_option(argc, argv, &i, "--currency", &v))
			rc = string_value("--currency", v, &c->clv.currency);
		else if (cli_option(argc, argv, &i, "--from", &v))
			rc = parse_date("--from", from = v, &c->clv.from);
		else if (cli_option(argc, argv, &i, "--to", &v))
			rc = parse_date("--to", to = v, &c->clv.to);
		else if (cli_option(argc, argv, &i, "--horizon-weeks", &v))
			rc = cli_number_option("report", "--horizon-weeks", v, CLV_HORIZON_WEEKS_MIN,
					       CLV_HORIZON_WEEKS_MAX, &c->clv.horizon_weeks);
		else if (cli_option(argc, argv, &i, "--months", &v))
			rc = cli_int_option("report", "--months", v, CLV_MONTHS_MIN, CLV_MONTHS_MAX, &months);
		else if (cli_option(argc, argv, &i, "--discount", &v))
			rc = cli_number_option("report", "--discount", v, 0, CLV_DISCOUNT_MAX, &c->clv.discount);
		else if (cli_option(argc, argv, &i, "--penalty", &v))
			rc = cli_number_option("report", "--penalty", v, 0, CLV_PENALTY_MAX, &c->clv.penalty);
		else {
			fprintf(stderr, "retain report: unknown option \"%s\"\n", argv[i]);
			return cli_usage(cmd_report_usage);
		}
	}
	if (rc)
		return rc;
	c->clv.months = (int)months;
	if (!c->shop)
		return cli_bad("report", "--shop is required");
	if (strcmp(c->format, "table") && strcmp(c->format, "json") && strcmp(c->format, "csv"))
		return cli_bad("report", "--format \"%s\" must be table, json or csv", c->format);
	if (c->clv.currency && currency_exponent(c->clv.currency) < 0)
		return cli_bad("report", "--currency \"%s\" is not an ISO 4217 currency", c->clv.currency);
	if (c->clv.to < 0)
		c->clv.to = clock_now_ms();	/* as of today */
	c->f = (struct measures_filter){ c->clv.from, c->clv.to, NULL, c->clv.currency };
	struct err e = { 0 };
	if (measures_filter_check(&c->f, &e))
		return cli_bad("report", "--from \"%s\" is after --to \"%s\"", from ? from : "",
			       to ? to : "now");
	return 0;
}

int cmd_report(int argc, char **argv, const struct config *cfg)
{
	struct report_cmd c = { .format = "table", .arena = ARENA_INIT };
	struct store *st;
	struct err e = { 0 };
	int rc;
	c.clv = (struct clv_options){ 0, 0, NULL, 52, 12, 0.01, 0 };
	c.clv.to = -1;
	if (argc < 1 || (strcmp(argv[0], "clv") && strcmp(argv[0], "retention") &&
			  strcmp(argv[0], "cohorts") && strcmp(argv[0], "rfm"))) {
		if (argc > 0)
			fprintf(stderr, "retain report: unknown report \"%s\"\n", argv[0]);
		return cli_usage(cmd_report_usage);
	}
	c.name = argv[0];
	if ((rc = parse_options(&c, argc, argv)))
		return rc;
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	rc = store_read(st, clv_tx, &c, &e);
	if (rc)
		rc = cli_fail(&e);
	else if (!strcmp(c.name, "retention"))
		rc = print_retention(&c);
	else if (!strcmp(c.name, "cohorts"))
		rc = print_cohorts(&c);
	else if (!strcmp(c.name, "rfm"))
		rc = print_rfm(&c);
	else
		rc = print_clv(&c);
	store_close(st);
	arena_free(&c.arena);
	return rc;
}
