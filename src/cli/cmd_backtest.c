/* cmd_backtest.c: `retain backtest`: what a campaign or a draft programme
 * would have cost over the last N days of the shop's paid orders
 * (core/backtest.h), as a table or as the API's JSON. Writes nothing. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../base/currency.h"
#include "../base/jsonv.h"
#include "../base/rfc3339.h"
#include "../core/backtest.h"
#include "../core/shop.h"
#include "../render/program_body.h"
#include "../render/render_backtest.h"
#include "../store/store.h"
#include "cli.h"

#define PROGRAM_FILE_MAX (1024 * 1024)	/* bytes of a draft programme */

struct backtest_cmd {
	const char *shop, *campaign, *program_file;
	int json;
	struct backtest_options o;
	struct arena arena;
	json_t *draft_json;
	struct program draft;
	struct backtest_campaign_result campaign_out;
	struct backtest_program_result program_out;
};

const char cmd_backtest_usage[] =
	"usage: retain backtest --shop SHOP_ID (--campaign ID | --program FILE.json) [options]"
	" [--db PATH]\n"
	"\n"
	"Replays the shop's paid orders of the last N days against a campaign (a draft\n"
	"too) or a draft loyalty programme, and prints what it would have cost: the\n"
	"discount given, the points issued, the orders and customers reached. Writes\n"
	"nothing.\n"
	"\n"
	"  --shop SHOP_ID       the shop (required)\n"
	"  --campaign ID        a campaign of the shop: its discount, conditions, targeting\n"
	"                       and limits\n"
	"  --program FILE.json  a draft programme in the shape of PUT /v1/program, against\n"
	"                       the shop's current one\n"
	"  --days N             the last N days, " CLI_STR(BACKTEST_DAYS_MIN) " to "
	CLI_STR(BACKTEST_DAYS_MAX) " (default " CLI_STR(BACKTEST_DAYS_DEFAULT) ")\n"
	"  --respect-window     campaign: only orders within its window (default: ignored,\n"
	"                       so a draft for next month is tested on last month)\n"
	"  --json               the API's JSON (POST /v1/campaigns/{id}/backtest,\n"
	"                       POST /v1/program/backtest)\n";

static int string_value(const char *option, const char *v, const char **out)
{
	if (!v)
		return cli_bad("backtest", "%s needs a value", option);
	if (!*v)
		return cli_bad("backtest", "%s needs a value, not \"\"", option);
	*out = v;
	return 0;
}

static int parse_options(struct backtest_cmd *c, int argc, char **argv)
{
	int rc = 0;
	for (int i = 0; i < argc && !rc; i++) {
		const char *v;
		if (!strcmp(argv[i], "--json"))
			c->json = 1;
		else if (!strcmp(argv[i], "--respect-window"))
			c->o.respect_window = 1;
		else if (cli_option(argc, argv, &i, "--shop", &v))
			rc = string_value("--shop", v, &c->shop);
		else if (cli_option(argc, argv, &i, "--campaign", &v))
			rc = string_value("--campaign", v, &c->campaign);
		else if (cli_option(argc, argv, &i, "--program", &v))
			rc = string_value("--program", v, &c->program_file);
		else if (cli_option(argc, argv, &i, "--days", &v))
			rc = cli_int_option("backtest", "--days", v, BACKTEST_DAYS_MIN, BACKTEST_DAYS_MAX,
					    &c->o.days);
		else {
			fprintf(stderr, "retain backtest: %s \"%s\"\n",
				argv[i][0] == '-' ? "unknown option" : "unexpected argument", argv[i]);
			return cli_usage(cmd_backtest_usage);
		}
	}
	if (rc)
		return rc;
	if (!c->shop)
		return cli_bad("backtest", "--shop is required");
	if (!c->campaign == !c->program_file)
		return cli_bad("backtest", "give either --campaign ID or --program FILE.json");
	if (c->program_file && c->o.respect_window)
		return cli_bad("backtest", "--respect-window goes with --campaign: a programme has"
			       " no window");
	return 0;
}

/* Reads and checks the draft before the database is opened: a missing file
 * or a bad draft is refused with exit 2, having read nothing. */
static int read_draft(struct backtest_cmd *c)
{
	struct err e = { 0 };
	struct stat sb;
	FILE *f = fopen(c->program_file, "rb");
	if (!f || fstat(fileno(f), &sb) < 0 || !S_ISREG(sb.st_mode)) {
		if (f)
			fclose(f);
		return cli_bad("backtest", "--program \"%s\": no such file", c->program_file);
	}
	if (sb.st_size > PROGRAM_FILE_MAX) {
		fclose(f);
		return cli_bad("backtest", "--program \"%s\" is larger than %d bytes", c->program_file,
			       PROGRAM_FILE_MAX);
	}
	char *text = arena_alloc(&c->arena, (size_t)sb.st_size + 1);
	size_t n = fread(text, 1, (size_t)sb.st_size, f);
	fclose(f);
	if (jsonv_parse_object(text, n, &c->draft_json, &e) ||
	    program_body_parse(&c->arena, c->draft_json, &c->draft, &e) ||
	    program_check(&c->draft, &e))
		return cli_bad("backtest", "--program \"%s\": %s", c->program_file, e.message);
	return 0;
}

static int backtest_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct backtest_cmd *c = ctx;
	struct shop s;
	int rc = shop_get(tx, &c->arena, c->shop, &s, e);
	if (rc)
		return rc;
	if (c->campaign)
		return backtest_campaign(tx, &c->arena, c->shop, c->campaign, &c->o, &c->campaign_out, e);
	return backtest_program(tx, &c->arena, c->shop, &c->draft, &c->o, &c->program_out, e);
}

static int print_json(json_t *o)
{
	char *text = json_dumps(o, JSON_INDENT(2));
	puts(text);
	free(text);
	json_decref(o);
	return 0;
}

/* minor units in currency as "1234.50 EUR" */
static const char *money(struct arena *a, int64_t minor, const char *currency)
{
	int x = currency_exponent(currency);
	int64_t unit = 1;
	for (int i = 0; i < x; i++)
		unit *= 10;
	if (x <= 0)
		return arena_printf(a, "%lld %s", (long long)minor, currency);
	return arena_printf(a, "%lld.%0*lld %s", (long long)(minor / unit), x,
			    (long long)(minor % unit), currency);
}

static void print_period(int64_t days, int64_t from, int64_t to)
{
	char f[RFC3339_MAX], t[RFC3339_MAX];
	rfc3339_format(from, f);
	rfc3339_format(to, t);
	printf("orders placed from %s to before %s (%lld days)\n", f, t, (long long)days);
}

static int print_campaign(struct backtest_cmd *c)
{
	const struct backtest_campaign_result *b = &c->campaign_out;
	if (c->json)
		return print_json(render_backtest_campaign(b));
	printf("campaign %s, %s\n", b->campaign_id,
	       b->respect_window ? "within its window" : "its window ignored");
	print_period(b->days, b->from, b->to);
	printf("%-22s %lld\n", "orders considered", (long long)b->orders_considered);
	printf("%-22s %lld\n", "orders reached", (long long)b->orders_reached);
	printf("%-22s %lld\n", "customers reached", (long long)b->customers_reached);
	if (!b->ncurrencies)
		printf("%-22s %s\n", "discount given", "none");
	for (int i = 0; i < b->ncurrencies; i++)
		printf("%-22s %s (shipping %s, %lld orders)\n", "discount given",
		       money(&c->arena, b->currencies[i].discount_total, b->currencies[i].currency),
		       money(&c->arena, b->currencies[i].discount_shipping, b->currencies[i].currency),
		       (long long)b->currencies[i].orders_reached);
	printf("not reached, by reason:\n");
	for (int i = 0; i < BACKTEST_REASONS; i++)
		printf("  %-20s %lld\n", backtest_reasons[i], (long long)b->not_reached[i]);
	return 0;
}

static int print_program(struct backtest_cmd *c)
{
	const struct backtest_program_result *b = &c->program_out;
	if (c->json)
		return print_json(render_backtest_program(b));
	if (b->current_version)
		printf("draft programme against the current one (version %lld)\n",
		       (long long)b->current_version);
	else
		printf("draft programme (the shop has no programme yet: the current one issues 0)\n");
	print_period(b->days, b->from, b->to);
	printf("%-22s %15s %15s %15s\n", "", "draft", "current", "difference");
	printf("%-22s %15lld %15lld %15lld\n", "points issued", (long long)b->points_issued_draft,
	       (long long)b->points_issued_current, (long long)b->difference);
	printf("%-22s %15lld %15lld\n", "  earned on orders", (long long)b->earn_draft,
	       (long long)b->earn_current);
	printf("%-22s %15lld %15lld\n", "  milestones", (long long)b->milestones_draft,
	       (long long)b->milestones_current);
	printf("%-22s %lld\n", "orders considered", (long long)b->orders_considered);
	printf("%-22s %lld (earning points under the draft)\n", "orders reached",
	       (long long)b->orders_reached);
	printf("%-22s %lld\n", "customers reached", (long long)b->customers_reached);
	if (b->orders_over_limit_draft)
		printf("%-22s %lld (the draft would refuse their payment: points_limit_exceeded)\n",
		       "orders over the limit", (long long)b->orders_over_limit_draft);
	return 0;
}

int cmd_backtest(int argc, char **argv, const struct config *cfg)
{
	struct backtest_cmd c = { .arena = ARENA_INIT, .o = { BACKTEST_DAYS_DEFAULT, 0 } };
	struct store *st = NULL;
	struct err e = { 0 };
	int rc;
	if ((rc = parse_options(&c, argc, argv)) || (c.program_file && (rc = read_draft(&c))))
		goto out;
	if (cli_store_open(cfg, &st, &e)) {
		rc = cli_fail(&e);
		goto out;
	}
	if (store_read(st, backtest_tx, &c, &e))
		rc = cli_fail(&e);
	else
		rc = c.campaign ? print_campaign(&c) : print_program(&c);
	store_close(st);
out:
	json_decref(c.draft_json);
	arena_free(&c.arena);
	return rc;
}
