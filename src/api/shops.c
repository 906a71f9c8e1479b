/* shops.c: /v1/shops (the operator's) and a shop's view of itself. */
#include <string.h>

#include "../base/jsonv.h"
#include "../core/shop.h"
#include "api.h"
#include "../render/render.h"
#include "../http/server.h"

struct shop_call {
	struct req *r;
	const char *id, *name, *starting_after;
	int limit;
	int64_t grace_ms;
};

static int create_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_call *c = ctx;
	struct shop s;
	struct shop_keys keys;
	int rc = shop_create(tx, &c->r->arena, c->name, &s, &keys, e);
	if (!rc)
		req_json_once(c->r, 201, render_shop(&s, &keys), render_shop_keys_withheld(&s));
	return rc;
}

int api_shops_create(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "name", NULL };
	struct shop_call c = { .r = r };
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_string(r->json, "name", JSONV_REQUIRED, SHOP_NAME_MAX, &c.name, NULL, e)))
		return rc;
	return req_write(r, create_tx, &c, e);
}

static int list_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_call *c = ctx;
	struct shop *shops;
	int n, more, rc = shop_list(tx, &c->r->arena, c->starting_after, c->limit, &shops, &n, &more, e);
	if (rc)
		return rc;
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, render_shop(&shops[i], NULL));
	req_json(c->r, 200, render_list(data, more));
	return 0;
}

int api_shops_list(struct req *r, struct err *e)
{
	struct shop_call c = { .r = r };
	int rc = req_page(r, &c.limit, &c.starting_after, e);
	return rc ? rc : req_read(r, list_tx, &c, e);
}

static int get_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_call *c = ctx;
	struct shop s;
	int rc = shop_get(tx, &c->r->arena, c->id, &s, e);
	if (!rc)
		req_json(c->r, 200, render_shop(&s, NULL));
	return rc;
}

/* A shop's secret key may read its own shop, and only that one. */
static int check_own_shop(struct req *r, const char *id, struct err *e)
{
	if (r->auth != AUTH_OPERATOR && strcmp(r->shop_id, id) != 0)
		return err_set(e, ERR_NOT_FOUND, "id", "no shop \"%s\"", id);
	return 0;
}

int api_shops_get(struct req *r, struct err *e)
{
	struct shop_call c = { .r = r, .id = req_param(r, 0) };
	int rc = check_own_shop(r, c.id, e);
	return rc ? rc : req_read(r, get_tx, &c, e);
}

static int rotate_tx(struct store_tx *tx, void *ctx, struct err *e)
{
	struct shop_call *c = ctx;
	struct shop s;
	struct shop_keys keys;
	int rc = shop_rotate_keys(tx, c->id, c->grace_ms, &keys, e);
	if (!rc)
		rc = shop_get(tx, &c->r->arena, c->id, &s, e);
	if (!rc)
		req_json_once(c->r, 200, render_shop(&s, &keys), render_shop_keys_withheld(&s));
	return rc;
}

int api_shops_rotate_keys(struct req *r, struct err *e)
{
	static const char *const allowed[] = { "grace_hours", NULL };
	struct shop_call c = { .r = r, .id = req_param(r, 0) };
	int64_t hours = r->srv->cfg->key_grace_hours;
	int rc;
	if ((rc = jsonv_only_keys(r->json, allowed, "", e)) ||
	    (rc = jsonv_int(r->json, "grace_hours", JSONV_OPTIONAL, 0, SHOP_GRACE_HOURS_MAX, &hours, NULL,
			    NULL, e)))
		return rc;
	c.grace_ms = hours * 3600 * 1000;
	return req_write(r, rotate_tx, &c, e);
}
