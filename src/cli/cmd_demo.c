/*
 * cmd_demo.c: `retain demo`: a demo shop with about two years of generated
 * history, through the same core functions the API uses.
 *
 * The history has the structure real shops show, so that retention analytics
 * find something: each customer buys at their own rate (gamma-distributed
 * across customers) and may drop out after any purchase (a beta-distributed
 * probability), the BG/NBD story. Customers arrive over the first 18 months;
 * channels, failed payments, refunds and guests who later open accounts are
 * mixed in. The same --seed gives the same history.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/clock.h"
#include "../core/campaign.h"
#include "../core/customer.h"
#include "../core/jobs.h"
#include "../core/program.h"
#include "../core/order.h"
#include "../core/shop.h"
#include "../store/store.h"
#include "cli.h"

#define DAY_MS (86400LL * 1000)
#define WEEK_MS (7 * DAY_MS)
#define HISTORY_WEEKS 104

static uint64_t rng_state;

static uint64_t rng_next(void)
{
	/* splitmix64: small, fast, and the same everywhere for a seed. */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_uniform(void)
{
	return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void)
{
	return sqrt(-2 * log(rng_uniform())) * cos(2 * M_PI * rng_uniform());
}

/* Marsaglia and Tsang's method; shape < 1 via the boost u^(1/shape). */
static double rng_gamma(double shape, double scale)
{
	if (shape < 1)
		return rng_gamma(shape + 1, scale) * pow(rng_uniform(), 1 / shape);
	double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
	for (;;) {
		double x = rng_normal(), v = 1 + c * x;
		if (v <= 0)
			continue;
		v = v * v * v;
		double u = rng_uniform();
		if (log(u) < 0.5 * x * x + d - d * v + d * log(v))
			return d * v * scale;
	}
}

static double rng_beta(double a, double b)
{
	double x = rng_gamma(a, 1), y = rng_gamma(b, 1);
	return x / (x + y);
}

static const struct product {
	const char *sku, *name, *category;
	int64_t price;
} catalog[] = {
	{ "TEA-SENCHA", "Sencha, 100 g", "green tea", 1290 },
	{ "TEA-GYOKURO", "Gyokuro, 50 g", "green tea", 2450 },
	{ "TEA-MATCHA", "Ceremonial matcha, 30 g", "green tea", 2990 },
	{ "TEA-ASSAM", "Assam breakfast, 250 g", "black tea", 1150 },
	{ "TEA-DARJ", "Darjeeling first flush, 100 g", "black tea", 1890 },
	{ "TEA-EARLGREY", "Earl Grey, 100 g", "black tea", 990 },
	{ "TEA-OOLONG", "Tie Guan Yin oolong, 100 g", "oolong", 2190 },
	{ "TEA-PUERH", "Shou pu-erh cake, 357 g", "pu-erh", 3490 },
	{ "TEA-ROOIBOS", "Rooibos vanilla, 100 g", "herbal", 790 },
	{ "TEA-CHAMOMILE", "Chamomile flowers, 50 g", "herbal", 690 },
	{ "ACC-KYUSU", "Tokoname kyusu teapot", "teaware", 5900 },
	{ "ACC-CUPS", "Porcelain cups, set of 4", "teaware", 3200 },
	{ "ACC-WHISK", "Bamboo matcha whisk", "teaware", 1490 },
	{ "ACC-FILTER", "Paper filters, 100 pcs", "accessories", 390 },
};

#define NPRODUCTS (sizeof(catalog) / sizeof(catalog[0]))

static const char *const first_names[] = { "Olga", "Igor", "Maria", "Piotr", "Nino", "Sofia",
	"Anna", "Lukas", "Marta", "Jonas", "Eva", "Tomasz", "Lea", "Mateo", "Ines", "Karim",
	"Yuki", "Amir", "Elena", "Noah" };
static const char *const last_names[] = { "Kowalska", "Petrov", "Garcia", "Nowak", "Beridze",
	"Rossi", "Schmidt", "Dubois", "Silva", "Novak", "Jensen", "Costa", "Weber", "Horvat" };

struct demo {
	struct arena arena;
	const char *shop_name;
	int customers, done_customers, orders, refunds, failed;
	int64_t start_ms, end_ms;
	struct shop shop;
	struct shop_keys keys;
};

/* The demo's programme: the seeds' examples (1 point per euro, a 14-day
 * return window, a surprise gift on every 5th order, rewards at the 5th and
 * the 50th, two tiers, a small catalogue). */
static int create_shop_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct demo *d = ctx;
	struct program p;
	int rc = shop_create(tx, &d->arena, d->shop_name, &d->shop, &d->keys, e);
	if (rc)
		return rc;
	program_defaults(&p);
	p.expiry = "days";
	p.expiry_n = 365;
	p.reminder_days = 30;
	p.cashback_bp = 100;
	p.multipliers[p.nmultipliers++] = (struct program_multiplier){ "category", "green tea", 150 };
	p.tiers[p.ntiers++] = (struct program_tier){ "silver", 150, 125, 0, 0 };
	p.tiers[p.ntiers++] = (struct program_tier){ "gold", 500, 150, 1, 1 };
	p.milestones[p.nmilestones++] = (struct program_milestone){ "every", 5, 0, "a surprise tea sample" };
	p.milestones[p.nmilestones++] = (struct program_milestone){ "at", 50, 500, "a handmade cup" };
	p.rewards[p.nrewards++] = (struct program_reward){ "five-off", "discount_fixed", "5 EUR off", 250, 500, 0, -1 };
	p.rewards[p.nrewards++] = (struct program_reward){ "kyusu-warranty", "warranty",
							   "Two more years of teapot warranty", 300, 0, 1, -1 };
	p.rewards[p.nrewards++] = (struct program_reward){ "tote", "gift", "Tea tote bag", 400, 0, 1, 200 };
	return program_put(tx, d->shop.id, &p, e);
}

/* The demo's campaigns, made after the history (so that it gave no offers):
 * a shared code for green tea, a welcome offer, a next-purchase thank-you
 * and an apology for late parcels. */
static int create_campaigns_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct demo *d = ctx;
	static const char *const green[] = { "green tea" };
	static const char *const late[] = { "late_delivery" };
	struct campaign c[4];
	campaign_defaults(&c[0], "generic");
	c[0].name = "15% off green tea", c[0].code = "TEA15", c[0].discount_kind = "percent";
	c[0].discount_value = 15, c[0].categories = (struct campaign_list){ (const char **)green, 1 };
	c[0].min_cart = 3000, c[0].currency = "EUR";
	campaign_defaults(&c[1], "welcome");
	c[1].name = "Welcome: 10% off your first order", c[1].discount_kind = "percent";
	c[1].discount_value = 10, c[1].validity_days = 30;
	campaign_defaults(&c[2], "next_purchase");
	c[2].name = "Thank you: 5 EUR off your next order", c[2].discount_kind = "fixed";
	c[2].discount_value = 500, c[2].discount_currency = "EUR";
	campaign_defaults(&c[3], "apology");
	c[3].name = "Sorry it was late", c[3].points = 200;
	c[3].triggers = (struct campaign_list){ (const char **)late, 1 };
	for (int i = 0; i < 4; i++) {
		c[i].starts_at = d->end_ms;
		int rc = campaign_create(tx, d->shop.id, &c[i], e);
		if (rc)
			return rc;
	}
	return 0;
}

static const char *pick_channel(void)
{
	double u = rng_uniform();
	return u < 0.58 ? "web" : u < 0.78 ? "app" : u < 0.86 ? "phone" : u < 0.91 ? "whatsapp"
	     : u < 0.97 ? "store" : "marketplace";
}

static int one_order(struct store_tx *tx, struct demo *d, const char *customer, int n,
		     int64_t when, struct err *e)
{
	struct order_input in = { 0 };
	struct order_line lines[4];
	struct order o;
	int created, rc;
	char ext[200], fp[220];

	in.nlines = 1 + (int)(rng_uniform() * rng_uniform() * 4);
	for (int i = 0; i < in.nlines; i++) {
		const struct product *p = &catalog[rng_next() % NPRODUCTS];
		lines[i] = (struct order_line){ .sku = p->sku, .name = p->name,
						.category = p->category, .unit_price = p->price,
						.quantity = 1 + (rng_uniform() < 0.25) };
		/* The same product twice in one order is one line with more units. */
		for (int j = 0; j < i; j++)
			if (!strcmp(lines[j].sku, p->sku)) {
				lines[j].quantity += lines[i].quantity;
				i--, in.nlines--;
				break;
			}
	}
	int64_t subtotal = 0;
	for (int i = 0; i < in.nlines; i++)
		subtotal += lines[i].quantity * lines[i].unit_price;
	snprintf(ext, sizeof(ext), "D-%s-%d", customer + 4, n);
	snprintf(fp, sizeof(fp), "demo-%s", ext);
	in.external_id = ext;
	in.customer.id = customer;
	in.currency = "EUR";
	in.channel = pick_channel();
	in.seller = !strcmp(in.channel, "marketplace") ? "teahouse-partner" : NULL;
	in.lines = lines;
	in.shipping = subtotal >= 4900 ? 0 : 490;
	in.tax = 0;
	in.total = subtotal + in.shipping;
	in.placed_at = when;
	in.promised_delivery_at = when + 3 * DAY_MS;
	in.fingerprint = fp;
	clock_set_ms(when);	/* the ledger sees the order at its own time */
	if ((rc = order_create(tx, &d->arena, d->shop.id, &in, &o, &created, e)))
		return rc;
	d->orders++;
	/* The ledger's limits (points_limit_exceeded and the rest, 422 through
	 * the API) cannot refuse these payments: an order is at most 8 units of
	 * at most 59 EUR, earning under 10^4 points (x1.5 x1.5), and a
	 * customer places at most a few hundred in two years, far below 10^17. A
	 * refusal here is a bug, and failing the demo is right. */
	struct payment_input pay = { .status = "paid", .amount = -1, .method = "card" };
	if (rng_uniform() < 0.04) {
		struct payment_input failed = { .status = "failed", .amount = -1, .method = "card",
						.failure_reason = "card_declined" };
		if ((rc = order_pay(tx, &d->arena, d->shop.id, o.id, &failed, &o, e)))
			return rc;
		d->failed++;
		if (rng_uniform() < 0.4)
			return order_cancel(tx, &d->arena, d->shop.id, o.id, &o, e);
	}
	if ((rc = order_pay(tx, &d->arena, d->shop.id, o.id, &pay, &o, e)))
		return rc;
	if (rng_uniform() < 0.05) {
		struct refund_line rl = { .sku = o.lines[0].sku, .quantity = 1 };
		struct refund_input ri = { .external_id = "R1", .reason = "damaged in transit",
					   .fingerprint = "demo", .lines = &rl, .nlines = 1,
					   .amount = -1 };
		if ((rc = order_refund(tx, &d->arena, d->shop.id, o.id, &ri, &o, &created, e)))
			return rc;
		d->refunds++;
	}
	return 0;
}

static int one_customer(struct store_tx *tx, struct demo *d, int index, struct err *e)
{
	struct customer_input in = { 0 };
	struct customer c;
	char name[80], email[80], ext[32];
	int created, rc;
	const char *first = first_names[rng_next() % (sizeof(first_names) / sizeof(*first_names))];
	const char *last = last_names[rng_next() % (sizeof(last_names) / sizeof(*last_names))];

	snprintf(name, sizeof(name), "%s %s", first, last);
	snprintf(email, sizeof(email), "%s.%s.%d@example.com", first, last, index);
	snprintf(ext, sizeof(ext), "demo-%d", index);
	in.external_id = ext;
	in.name = name;
	in.has_name = 1;
	in.email = email;
	in.has_email = 1;
	if ((rc = customer_upsert(tx, &d->arena, d->shop.id, &in, &c, &created, e)))
		return rc;
	/* Purchase rate per week and drop-out probability (BG/NBD-like). */
	double lambda = rng_gamma(0.55, 1 / 4.0), p = rng_beta(0.8, 2.4);
	int64_t span = d->end_ms - d->start_ms;
	int64_t t = d->start_ms + (int64_t)(rng_uniform() * (double)span * 0.75);
	for (int n = 1; t < d->end_ms; n++) {
		if ((rc = one_order(tx, d, c.id, n, t, e)))
			return rc;
		if (n == 1 && rng_uniform() < 0.45 &&
		    (rc = customer_create_account(tx, &d->arena, d->shop.id, c.id, NULL, &c, e)))
			return rc;
		if (rng_uniform() < p)
			break;	/* this customer has left */
		double wait_weeks = -log(rng_uniform()) / (lambda > 1e-3 ? lambda : 1e-3);
		t += (int64_t)(wait_weeks * (double)WEEK_MS) + DAY_MS;
	}
	return 0;
}

struct batch {
	struct demo *d;
	int from, to;
};

static int batch_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct batch *b = ctx;
	for (int i = b->from; i < b->to; i++) {
		int rc = one_customer(tx, b->d, i, e);
		if (rc)
			return rc;
		arena_free(&b->d->arena);
	}
	return 0;
}

static int write_keys_file(const struct config *cfg, const struct demo *d)
{
	char path[1100];
	snprintf(path, sizeof(path), "%s.demo-keys", cfg->db);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	chmod(path, 0600);
	fprintf(f, "{\"shop\":\"%s\",\"secret_key\":\"%s\",\"publishable_key\":\"%s\"}\n",
		d->shop.id, d->keys.secret, d->keys.publishable);
	return fclose(f);
}

#define DEMO_CUSTOMERS_MAX 10000000

const char cmd_demo_usage[] =
	"usage: retain demo [--customers N] [--seed S] [--name NAME] [--db PATH]\n"
	"\n"
	"Creates a shop with about two years of generated history (a loyalty programme,\n"
	"repeat buyers, drop-outs, refunds) and writes its keys to DB.demo-keys\n"
	"(on PostgreSQL only to the output).\n"
	"\n"
	"  --customers N        1 to " CLI_STR(DEMO_CUSTOMERS_MAX) " customers (default 1000)\n"
	"  --seed S             0 to 2^63-1; the same seed gives the same history (default 42)\n"
	"  --name NAME          the shop's name (default \"Demo Tea House\")\n";

int cmd_demo(int argc, char **argv, const struct config *cfg)
{
	struct demo d = { .arena = ARENA_INIT, .shop_name = "Demo Tea House", .customers = 1000 };
	struct store *st;
	struct err e = { 0 };
	int64_t seed = 42, customers = d.customers;
	int rc;

	for (int i = 0; i < argc; i++) {
		const char *v;
		if (cli_option(argc, argv, &i, "--customers", &v)) {
			if ((rc = cli_int_option("demo", "--customers", v, 1, DEMO_CUSTOMERS_MAX, &customers)))
				return rc;
		} else if (cli_option(argc, argv, &i, "--seed", &v)) {
			if ((rc = cli_int_option("demo", "--seed", v, 0, INT64_MAX, &seed)))
				return rc;
		} else if (cli_option(argc, argv, &i, "--name", &v)) {
			if (!v)
				return cli_bad("demo", "--name needs a value");
			d.shop_name = v;
		} else {
			fprintf(stderr, "retain demo: unknown argument \"%s\"\n", argv[i]);
			return cli_usage(cmd_demo_usage);
		}
	}
	d.customers = (int)customers;
	rng_state = (uint64_t)seed;
	d.end_ms = clock_now_ms();
	/* History is replayed on a simulated clock so that lots, tiers and
	 * expiry happen when the orders did; it ends at the real now. */
	clock_enable_test();
	d.start_ms = d.end_ms - HISTORY_WEEKS * WEEK_MS;
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	if ((rc = store_write(st, create_shop_tx, &d, &e)))
		goto out;
	int tty = isatty(2);
	for (int from = 0; from < d.customers; from += 200) {
		struct batch b = { &d, from, from + 200 < d.customers ? from + 200 : d.customers };
		if ((rc = store_write(st, batch_tx, &b, &e)))
			goto out;
		if (tty)
			fprintf(stderr, "\rretain demo: %d/%d customers, %d orders", b.to, d.customers,
				d.orders);
	}
	if (tty)
		fputc('\n', stderr);
	clock_set_ms(d.end_ms);
	if ((rc = store_write(st, create_campaigns_tx, &d, &e)))
		goto out;
	struct jobs_counts jobs;
	if ((rc = jobs_run(st, cfg, &jobs, &e)))
		goto out;
	if (!store_is_postgres(cfg->db) && write_keys_file(cfg, &d) < 0)
		fprintf(stderr, "retain demo: could not write %s.demo-keys\n", cfg->db);
	printf("demo shop        %s  %s\n", d.shop.id, d.shop_name);
	printf("history          %d customers, %d orders, %d refunds, %d failed payments\n",
	       d.customers, d.orders, d.refunds, d.failed);
	printf("campaigns        TEA15 (15%% off green tea over 30 EUR), welcome, next purchase,"
	       " late-parcel apology\n");
	printf("secret key       %s\n", d.keys.secret);
	printf("publishable key  %s\n", d.keys.publishable);
out:
	if (rc)
		rc = cli_fail(&e);
	store_close(st);
	arena_free(&d.arena);
	return rc;
}
