/* cmd_report.c: `retain report NAME`: reports on the terminal (aligned
 * tables), as JSON or as CSV. The reports table lists them. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../analytics/clv.h"
#include "../base/clock.h"
#include "../base/rfc3339.h"
#include "../core/shop.h"
#include "../store/store.h"
#include "cli.h"

struct report_cmd {
	const char *shop, *format;
	int customers;
	struct clv_options clv;
	struct arena arena;
	struct clv_report out;
};

static int clv_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct report_cmd *c = ctx;
	struct shop s;
	int rc = shop_get(tx, &c->arena, c->shop, &s, e);
	return rc ? rc : clv_compute(tx, &c->arena, c->shop, &c->clv, &c->out, e);
}

static void print_fit(const char *name, const char *const *labels, const struct fit_report *f, int np)
{
	printf("%-12s", name);
	for (int i = 0; i < np; i++)
		printf(" %s %-10.4f", labels[i], f->params[i]);
	printf(" LL %.2f  %d iterations  gradient %.1e  %s\n", f->log_likelihood, f->iterations,
	       f->grad_norm, f->converged ? "converged" : "NOT CONVERGED");
}

static json_t *fit_json(const char *const *labels, const struct fit_report *f, int np)
{
	json_t *params = json_object();
	for (int i = 0; i < np; i++)
		json_object_set_new(params, labels[i], json_real(f->params[i]));
	return json_pack("{s:o, s:f, s:i, s:f, s:b, s:I, s:I}", "params", params,
			 "log_likelihood", f->log_likelihood, "iterations", f->iterations,
			 "gradient_norm", f->grad_norm, "converged", f->converged,
			 "customers", (json_int_t)f->customers, "distinct_tuples", (json_int_t)f->distinct);
}

static const char *const bg_labels[] = { "r", "alpha", "a", "b" };
static const char *const gg_labels[] = { "p", "q", "gamma" };

static int print_clv(struct report_cmd *c)
{
	struct clv_report *r = &c->out;
	if (!strcmp(c->format, "json")) {
		json_t *o = json_pack("{s:s, s:o, s:I, s:I, s:b}", "report", "clv",
				      "currency", r->currency ? json_string(r->currency) : json_null(),
				      "customers", (json_int_t)r->customers,
				      "repeat_customers", (json_int_t)r->repeaters, "enough_data", r->enough);
		if (!r->enough) {
			json_object_set_new(o, "reason", json_string(r->reason));
		} else {
			json_object_set_new(o, "bgnbd", fit_json(bg_labels, &r->bgnbd_fit, 4));
			json_object_set_new(o, "gamma_gamma", r->spend_enough ? fit_json(gg_labels, &r->gg_fit, 3)
									      : json_null());
			json_object_set_new(o, "spend_frequency_correlation", json_real(r->spend_correlation));
			json_object_set_new(o, "churn_risk", json_pack("{s:I, s:I, s:I}", "low", (json_int_t)r->risk[0],
				"medium", (json_int_t)r->risk[1], "high", (json_int_t)r->risk[2]));
			json_object_set_new(o, "clv", json_pack("{s:f, s:f, s:f, s:f}", "p10", r->clv_p10,
				"median", r->clv_p50, "p90", r->clv_p90, "total", r->clv_total));
			json_object_set_new(o, "expected_purchases_total", json_real(r->expected_total));
			if (c->customers) {
				json_t *list = json_array();
				for (int i = 0; i < r->n; i++) {
					struct clv_customer *k = &r->list[i];
					json_array_append_new(list, json_pack("{s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:s}",
						"customer", k->id, "x", k->x, "t_x", k->t_x, "T", k->T,
						"monetary", k->monetary, "p_alive", k->p_alive, "expected_purchases", k->expected,
						"expected_spend", k->spend, "clv", k->clv, "churn_risk", k->risk));
				}
				json_object_set_new(o, "customers_detail", list);
			}
		}
		char *s = json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
		puts(s);
		free(s);
		json_decref(o);
		return 0;
	}
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

static int usage(void)
{
	fprintf(stderr, "usage: retain report clv --shop SHOP_ID [--db PATH] [--from DATE] [--to DATE]\n"
			"         [--format table|json|csv] [--customers] [--horizon-weeks 52]\n"
			"         [--months 12] [--discount 0.01] [--penalty 0] [--currency XXX]\n");
	return 2;
}

static int parse_day(const char *s, int64_t *ms)
{
	return rfc3339_parse(s, ms);
}

int cmd_report(int argc, char **argv, const struct config *cfg)
{
	struct report_cmd c = { .format = "table", .arena = ARENA_INIT };
	struct store *st;
	struct err e = { 0 };
	c.clv = (struct clv_options){ 0, 0, NULL, 52, 12, 0.01, 0 };
	c.clv.to = -1;
	if (argc < 1 || strcmp(argv[0], "clv"))
		return usage();
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (!strcmp(argv[i], "--customers"))
			c.customers = 1;
		else if (cli_option(argc, argv, &i, "--shop", &v) && v)
			c.shop = v;
		else if (cli_option(argc, argv, &i, "--format", &v) && v)
			c.format = v;
		else if (cli_option(argc, argv, &i, "--currency", &v) && v)
			c.clv.currency = v;
		else if (cli_option(argc, argv, &i, "--from", &v) && v && !parse_day(v, &c.clv.from))
			;
		else if (cli_option(argc, argv, &i, "--to", &v) && v && !parse_day(v, &c.clv.to))
			;
		else if (cli_option(argc, argv, &i, "--horizon-weeks", &v) && v)
			c.clv.horizon_weeks = atof(v);
		else if (cli_option(argc, argv, &i, "--months", &v) && v)
			c.clv.months = atoi(v);
		else if (cli_option(argc, argv, &i, "--discount", &v) && v)
			c.clv.discount = atof(v);
		else if (cli_option(argc, argv, &i, "--penalty", &v) && v)
			c.clv.penalty = atof(v);
		else
			return usage();
	}
	if (!c.shop || (strcmp(c.format, "table") && strcmp(c.format, "json") && strcmp(c.format, "csv")) ||
	    c.clv.months < 1 || c.clv.months > 120 || c.clv.horizon_weeks <= 0 || c.clv.discount < 0 ||
	    c.clv.penalty < 0)
		return usage();
	if (c.clv.to < 0)
		c.clv.to = clock_now_ms();	/* as of today */
	if (store_open(cfg->db, &st, &e))
		return cli_fail(&e);
	int rc = store_read(st, clv_tx, &c, &e);
	rc = rc ? cli_fail(&e) : print_clv(&c);
	store_close(st);
	arena_free(&c.arena);
	return rc;
}
