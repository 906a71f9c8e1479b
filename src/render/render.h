/*
 * render.h: JSON shapes of retain's resources, shared by the API's handlers
 * (api/) and the command line (cli/: `retain shop --json` prints the shop with
 * render_shop() so that it is the API's shop). A layer beside api/ and cli/,
 * above core/: only jansson, base/ and core/ below it, no HTTP
 * (tests/api/test_layering_issue9.py). Reports have their shapes in
 * analytics/report_json.h. Each returns a new reference.
 */
#ifndef RETAIN_RENDER_H
#define RETAIN_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "../core/customer.h"
#include "../core/ledger.h"
#include "../core/order.h"
#include "../core/shop.h"

json_t *render_time(int64_t ms);	/* 0 renders null */
json_t *render_string(const char *s);	/* NULL renders null */
json_t *render_shop(const struct shop *s, const struct shop_keys *new_keys);
/* The shop as a replay of its creation or rotation shows it: "secret_key" and
 * "publishable_key" are null (keys are shown once, never stored). */
json_t *render_shop_keys_withheld(const struct shop *s);
json_t *render_customer(const struct customer *c);
/* earning may be NULL (rendered as null). */
json_t *render_order(const struct order *o, const struct order_earning *earning);
json_t *render_earning(const struct order_earning *earning);
/* render_order(o, earning) written into b without its tree: the bytes
 * jsonv_dump() writes of it, less the closing brace (the API appends an
 * order's coupons and shipments). Returns -1 (b then holds a part) where the
 * tree would differ from the plain reading of the fields: a string that is
 * not valid UTF-8 or a NULL where a string is required (json_string() and
 * json_pack() drop those); the caller renders the tree then. */
struct buf;
int render_order_open(struct buf *b, const struct order *o, const struct order_earning *earning);
/* {"object":"list","data":[...],"has_more":...}; steals data. */
json_t *render_list(json_t *data, int has_more);

#endif
