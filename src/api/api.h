/*
 * api.h: the HTTP resources. Each file parses and validates a request body,
 * calls core/ inside a store transaction and renders JSON; none writes SQL.
 * The route table (routes.c) binds them to methods and paths.
 */
#ifndef RETAIN_API_H
#define RETAIN_API_H

#include "../http/request.h"

extern const struct route api_routes[];
extern const int api_nroutes;

/* health.c */
int api_health_livez(struct req *r, struct err *e);
int api_health_readyz(struct req *r, struct err *e);
int api_health_metrics(struct req *r, struct err *e);
int api_health_test_clock_get(struct req *r, struct err *e);
int api_health_test_clock_set(struct req *r, struct err *e);

/* shops.c */
int api_shops_create(struct req *r, struct err *e);
int api_shops_list(struct req *r, struct err *e);
int api_shops_get(struct req *r, struct err *e);
int api_shops_rotate_keys(struct req *r, struct err *e);

/* customers.c */
int api_customers_create(struct req *r, struct err *e);
int api_customers_list(struct req *r, struct err *e);
int api_customers_get(struct req *r, struct err *e);
int api_customers_update(struct req *r, struct err *e);
int api_customers_erase(struct req *r, struct err *e);
int api_customers_merge(struct req *r, struct err *e);
int api_customers_account(struct req *r, struct err *e);

/* orders.c */
int api_orders_create(struct req *r, struct err *e);
int api_orders_list(struct req *r, struct err *e);
int api_orders_get(struct req *r, struct err *e);
int api_orders_pay(struct req *r, struct err *e);
int api_orders_cancel(struct req *r, struct err *e);
int api_orders_refund(struct req *r, struct err *e);

#endif
