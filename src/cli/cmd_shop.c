/* cmd_shop.c: `retain shop create|list|rotate-keys`, on the same core as the API. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../render/render.h"
#include "../core/shop.h"
#include "../store/store.h"
#include "cli.h"

_Static_assert(CONFIG_KEY_GRACE_HOURS_MAX == SHOP_GRACE_HOURS_MAX,
	       "--key-grace-hours takes the API's range");

struct shop_cmd {
	struct arena arena;
	const char *name, *id;
	int64_t grace_ms;
	struct shop shop;
	struct shop_keys keys;
	struct shop *list;
	int n, more;
};

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_cmd *c = ctx;
	return shop_create(tx, &c->arena, c->name, &c->shop, &c->keys, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_cmd *c = ctx;
	return shop_list(tx, &c->arena, NULL, 1000, &c->list, &c->n, &c->more, e);
}

static int rotate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_cmd *c = ctx;
	int rc = shop_rotate_keys(tx, c->id, c->grace_ms, &c->keys, e);
	return rc ? rc : shop_get(tx, &c->arena, c->id, &c->shop, e);
}

static void print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2));
	puts(s);
	free(s);
	json_decref(v);
}

static void print_keys(const struct shop *s, const struct shop_keys *k)
{
	printf("shop             %s  %s\n", s->id, s->name);
	printf("secret key       %s\n", k->secret);
	printf("publishable key  %s\n", k->publishable);
	printf("(keys are shown once: retain stores only their SHA-256)\n");
}

const char cmd_shop_usage[] =
	"usage: retain shop create NAME [--json] [--db PATH]\n"
	"       retain shop list [--json] [--db PATH]\n"
	"       retain shop rotate-keys SHOP_ID [--grace-hours N] [--json] [--db PATH]\n"
	"\n"
	"  create NAME          a new shop and its keys (shown once)\n"
	"  list                 every shop, newest first\n"
	"  rotate-keys SHOP_ID  new keys; the old ones keep working for the grace period\n"
	"  --grace-hours N      the grace period, 0 to " CLI_STR(SHOP_GRACE_HOURS_MAX) " hours"
	" (default: --key-grace-hours)\n"
	"  --json               print JSON instead of text\n";

static int usage(const char *fmt, const char *arg)
{
	fputs("retain shop: ", stderr);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return cli_usage(cmd_shop_usage);
}

int cmd_shop(int argc, char **argv, const struct config *cfg)
{
	struct shop_cmd c = { .arena = ARENA_INIT };
	struct store *st = NULL;
	struct err e = { 0 };
	const char *positional[2];
	int npos = 0, json = 0, rc = 0;
	int64_t hours = cfg->key_grace_hours;

	for (int i = 0; i < argc; i++) {
		const char *v;
		if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (cli_option(argc, argv, &i, "--grace-hours", &v)) {
			if ((rc = cli_int_option("shop", "--grace-hours", v, 0, SHOP_GRACE_HOURS_MAX, &hours)))
				return rc;
		} else if (argv[i][0] == '-') {
			return usage("unknown option \"%s\"", argv[i]);
		} else if (npos == 2) {
			return usage("unexpected argument \"%s\"", argv[i]);
		} else {
			positional[npos++] = argv[i];
		}
	}
	if (npos < 1)
		return usage("%s", "which one: create, list or rotate-keys?");
	if (strcmp(positional[0], "create") && strcmp(positional[0], "list") &&
	    strcmp(positional[0], "rotate-keys"))
		return usage("unknown shop command \"%s\"", positional[0]);
	if (npos != (strcmp(positional[0], "list") ? 2 : 1))
		return usage("\"%s\": wrong number of arguments", positional[0]);
	if (!strcmp(positional[0], "rotate-keys") && hours > SHOP_GRACE_HOURS_MAX)
		return cli_bad("shop", "the key grace period (--key-grace-hours, RETAIN_KEY_GRACE_HOURS)"
			       " %lld is more than %d hours", (long long)hours, SHOP_GRACE_HOURS_MAX);
	c.grace_ms = hours * 3600 * 1000;
	if (cli_store_open(cfg, &st, &e))
		return cli_fail(&e);
	if (!strcmp(positional[0], "create") && npos == 2) {
		c.name = positional[1];
		if ((rc = store_write(st, create_tx, &c, &e)))
			goto out;
		if (json)
			print_json(render_shop(&c.shop, &c.keys));
		else
			print_keys(&c.shop, &c.keys);
	} else if (!strcmp(positional[0], "list") && npos == 1) {
		if ((rc = store_read(st, list_tx, &c, &e)))
			goto out;
		json_t *data = json_array();
		for (int i = 0; i < c.n; i++) {
			if (json)
				json_array_append_new(data, render_shop(&c.list[i], NULL));
			else
				printf("%s  %s\n", c.list[i].id, c.list[i].name);
		}
		if (json)
			print_json(data);
		else
			json_decref(data);
	} else {
		c.id = positional[1];
		if ((rc = store_write(st, rotate_tx, &c, &e)))
			goto out;
		if (json)
			print_json(render_shop(&c.shop, &c.keys));
		else
			print_keys(&c.shop, &c.keys);
	}
out:
	if (rc)
		rc = cli_fail(&e);
	store_close(st);
	arena_free(&c.arena);
	return rc;
}
