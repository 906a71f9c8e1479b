/*
 * render.h: JSON shapes of retain's resources, shared by handlers and the CLI.
 * Each returns a new reference.
 */
#ifndef RETAIN_RENDER_H
#define RETAIN_RENDER_H

#include <jansson.h>
#include <stdint.h>

#include "../analytics/clv.h"
#include "../analytics/measures.h"
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
/* {"object":"list","data":[...],"has_more":...}; steals data. */
json_t *render_list(json_t *data, int has_more);

/* Reports, shared by the API and `retain report --format json`. */
json_t *render_retention(const struct retention_report *r);
json_t *render_cohorts(struct arena *a, const struct cohort_report *r);
json_t *render_rfm(const struct rfm_report *r, int with_customers);
json_t *render_clv(const struct clv_report *r, const struct clv_options *o, int with_customers);

#endif
