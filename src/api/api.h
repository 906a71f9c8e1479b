/*
 * api.h: the HTTP resources. Each file parses and validates a request body,
 * calls core/ inside a store transaction and renders JSON; none writes SQL.
 * The route table (routes.c) binds them to methods and paths.
 */
#ifndef RETAIN_API_H
#define RETAIN_API_H

#include "../base/ids.h"
#include "../http/request.h"
#include "routes.h"

/* health.c */
int api_health_livez(struct req *r, struct err *e);
int api_health_readyz(struct req *r, struct err *e);
int api_health_metrics(struct req *r, struct err *e);
int api_health_test_clock_get(struct req *r, struct err *e);
int api_health_test_clock_set(struct req *r, struct err *e);
int api_health_test_store_faults_get(struct req *r, struct err *e);
int api_health_test_store_faults_set(struct req *r, struct err *e);

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
/* body's "customer": an id, "ext:..." or {id, external_id, email, phone,
 * whatsapp, name}; orders and tickets take it. */
struct order_customer;
int api_orders_parse_customer(struct req *r, json_t *body, struct order_customer *c, struct err *e);

/* program.c */
int api_program_get(struct req *r, struct err *e);
int api_program_put(struct req *r, struct err *e);
int api_program_terms(struct req *r, struct err *e);

/* loyalty.c */
int api_loyalty_get(struct req *r, struct err *e);
int api_loyalty_ledger(struct req *r, struct err *e);
int api_loyalty_adjust(struct req *r, struct err *e);
int api_loyalty_bonus(struct req *r, struct err *e);
int api_jobs_run(struct req *r, struct err *e);
/* A run of the jobs (core/jobs.h) as POST /v1/jobs/run answers it; the test
 * clock's move shows its run the same way. */
struct jobs_counts;
json_t *api_render_job_run(const struct jobs_counts *c);
int api_customer_tokens_create(struct req *r, struct err *e);
/* Resolves ref into customer and, for a publishable key, checks that the
 * request's Customer-Token belongs to that customer. */
int api_customer_scope(struct store_tx *tx, struct req *r, const char *ref,
		       char customer[ID_MAX], struct err *e);
/* redemptions.c */
int api_redemptions_create(struct req *r, struct err *e);
int api_redemptions_list(struct req *r, struct err *e);
int api_redemptions_get(struct req *r, struct err *e);
int api_redemptions_cancel(struct req *r, struct err *e);

/* campaigns.c */
struct campaign;
struct campaign_usage;
struct coupon_code;
struct coupon_redemption;
int api_campaigns_create(struct req *r, struct err *e);
int api_campaigns_list(struct req *r, struct err *e);
int api_campaigns_get(struct req *r, struct err *e);
int api_campaigns_update(struct req *r, struct err *e);
int api_campaigns_end(struct req *r, struct err *e);
int api_campaigns_codes_create(struct req *r, struct err *e);
int api_campaigns_codes_list(struct req *r, struct err *e);
int api_campaigns_issue(struct req *r, struct err *e);
/* usage may be NULL. */
json_t *api_render_campaign(const struct campaign *c, const struct campaign_usage *u);
json_t *api_render_code(const struct coupon_code *k);

/* coupons.c */
int api_coupons_validate(struct req *r, struct err *e);
int api_coupons_redeem(struct req *r, struct err *e);
int api_coupons_release(struct req *r, struct err *e);
int api_coupons_redemption_get(struct req *r, struct err *e);
int api_coupons_code_get(struct req *r, struct err *e);
int api_customers_offers(struct req *r, struct err *e);
int api_customers_referral(struct req *r, struct err *e);
int api_customers_trigger(struct req *r, struct err *e);
json_t *api_render_coupon_redemption(const struct coupon_redemption *d);

/* backtest.c */
int api_backtest_campaign(struct req *r, struct err *e);
int api_backtest_program(struct req *r, struct err *e);

/* shipments.c */
struct shipment;
int api_shipments_create(struct req *r, struct err *e);
int api_shipments_event(struct req *r, struct err *e);
int api_shipments_get(struct req *r, struct err *e);
int api_orders_packing(struct req *r, struct err *e);
json_t *api_render_shipment(const struct shipment *s);

/* tickets.c */
struct ticket;
int api_tickets_create(struct req *r, struct err *e);
int api_tickets_list(struct req *r, struct err *e);
int api_tickets_get(struct req *r, struct err *e);
int api_tickets_update(struct req *r, struct err *e);
int api_tickets_message(struct req *r, struct err *e);
int api_sla_create(struct req *r, struct err *e);
int api_sla_list(struct req *r, struct err *e);
int api_sla_get(struct req *r, struct err *e);
int api_sla_update(struct req *r, struct err *e);
json_t *api_render_ticket(const struct ticket *t, int with_messages);
int api_tickets_erasure_rewrite(struct store_tx *tx, struct req *r, const char *customer,
				struct err *e);

/* reports.c */
int api_reports_retention(struct req *r, struct err *e);
int api_reports_cohorts(struct req *r, struct err *e);
int api_reports_rfm(struct req *r, struct err *e);
int api_reports_clv(struct req *r, struct err *e);
int api_reports_delivery(struct req *r, struct err *e);
int api_customers_predictions(struct req *r, struct err *e);

/* treasure.c */
int api_treasure_spots_create(struct req *r, struct err *e);
int api_treasure_spots_list(struct req *r, struct err *e);
int api_treasure_claims_create(struct req *r, struct err *e);

/* Issue 11, the shop's contact, surveys, the service report and the
 * customer overview. shops.c: */
int api_shops_update(struct req *r, struct err *e);
/* surveys.c */
int api_surveys_answer(struct req *r, struct err *e);
int api_customers_surveys(struct req *r, struct err *e);
int api_customers_overview(struct req *r, struct err *e);
/* reports.c */
int api_reports_service(struct req *r, struct err *e);
/* loyalty.c: the body of GET /v1/customers/{id}/loyalty for customer (an
 * id, resolved by the caller); NULL on error (e set). */
json_t *api_loyalty_json(struct store_tx *tx, struct req *r, const char *customer,
			 struct err *e);
/* reports.c: the body of GET /v1/customers/{id}/predictions with its
 * defaults, for customer (an id); NULL on error (e set). */
json_t *api_predictions_json(struct store_tx *tx, struct req *r, const char *customer,
			     struct err *e);

/* integrations.c (issue 13): the Shopify and WooCommerce connections and
 * their inbound webhooks */
int api_integrations_shopify_put(struct req *r, struct err *e);
int api_integrations_shopify_get(struct req *r, struct err *e);
int api_integrations_shopify_delete(struct req *r, struct err *e);
int api_integrations_shopify_webhook(struct req *r, struct err *e);
int api_integrations_woocommerce_put(struct req *r, struct err *e);
int api_integrations_woocommerce_get(struct req *r, struct err *e);
int api_integrations_woocommerce_delete(struct req *r, struct err *e);
int api_integrations_woocommerce_webhook(struct req *r, struct err *e);

/* Issue 12: reviews and questions. reviews.c: */
struct review;
int api_reviews_create(struct req *r, struct err *e);
int api_reviews_list(struct req *r, struct err *e);
int api_reviews_showcase(struct req *r, struct err *e);
int api_reviews_queue(struct req *r, struct err *e);
int api_reviews_settings_get(struct req *r, struct err *e);
int api_reviews_settings_put(struct req *r, struct err *e);
int api_reviews_get(struct req *r, struct err *e);
int api_reviews_history(struct req *r, struct err *e);
int api_reviews_reply(struct req *r, struct err *e);
int api_reviews_vote(struct req *r, struct err *e);
int api_reviews_moderate(struct req *r, struct err *e);
int api_questions_create(struct req *r, struct err *e);
int api_questions_list(struct req *r, struct err *e);
int api_questions_get(struct req *r, struct err *e);
int api_questions_answer(struct req *r, struct err *e);
int api_reports_reviews(struct req *r, struct err *e);
/* shop 1: as the shop's secret key sees it (private replies, the reply
 * target, the ticket); 0: as a storefront does. */
json_t *api_render_review(const struct review *v, int shop);
/* The customer's reviews for the overview: counts, average, the latest;
 * NULL on error (e set). */
json_t *api_reviews_of_customer_json(struct store_tx *tx, struct req *r, const char *customer,
				     struct err *e);
/* An erasure (customers.c) collects, before it, the reviews and questions
 * the customer wrote or answered, and rewrites, after it, each stored
 * response that shows one to the record as it is now (blank). */
struct api_review_erasure {
	char (*ids)[32];
	int n;
};
int api_reviews_erasure_collect(struct store_tx *tx, struct req *r, const char *ref,
				struct api_review_erasure *out, struct err *e);
int api_reviews_erasure_rewrite(struct store_tx *tx, struct req *r,
				const struct api_review_erasure *x, struct err *e);

/* recommendations.c (issue 12) */
int api_activity_record(struct req *r, struct err *e);
int api_recommendations_get(struct req *r, struct err *e);

/* Issue 12: interests, friends and profiles. profiles.c: */
struct customer;
int api_interests_catalogue_put(struct req *r, struct err *e);
int api_interests_catalogue_get(struct req *r, struct err *e);
int api_customers_interests_put(struct req *r, struct err *e);
int api_friends_request(struct req *r, struct err *e);
int api_friends_accept(struct req *r, struct err *e);
int api_friends_decline(struct req *r, struct err *e);
int api_friends_remove(struct req *r, struct err *e);
int api_friends_list(struct req *r, struct err *e);
int api_profiles_get(struct req *r, struct err *e);
int api_profiles_update(struct req *r, struct err *e);
/* The customer resource as the shop's secret key reads it: render_customer()
 * with "interests", those the shop may see (everyone; friends ones with the
 * customer's marketing consent; never only_me). NULL on error (e set). */
json_t *api_customer_with_interests(struct store_tx *tx, struct req *r, const struct customer *c,
				    struct err *e);

/* Issue 13: webhook endpoints and events (webhooks.c). */
int api_webhooks_create(struct req *r, struct err *e);
int api_webhooks_list(struct req *r, struct err *e);
int api_webhooks_get(struct req *r, struct err *e);
int api_webhooks_update(struct req *r, struct err *e);
int api_webhooks_delete(struct req *r, struct err *e);
int api_webhooks_rotate_secret(struct req *r, struct err *e);
int api_webhooks_deliveries(struct req *r, struct err *e);
int api_events_list(struct req *r, struct err *e);
int api_events_get(struct req *r, struct err *e);
int api_events_redeliver(struct req *r, struct err *e);

/* Issue 13, e-mail. email.c: */
int api_templates_list(struct req *r, struct err *e);
int api_templates_put(struct req *r, struct err *e);
int api_templates_get(struct req *r, struct err *e);
int api_templates_delete(struct req *r, struct err *e);
int api_templates_preview(struct req *r, struct err *e);
int api_email_settings_get(struct req *r, struct err *e);
int api_email_settings_put(struct req *r, struct err *e);
int api_unsubscribe(struct req *r, struct err *e);
int api_email_messages_list(struct req *r, struct err *e);

/* Issue 14: the storefront widget. storefront.c: */
int api_customers_orders(struct req *r, struct err *e);
int api_customers_rewards(struct req *r, struct err *e);
/* widget.c */
int api_widget_js(struct req *r, struct err *e);

/* The erasure of DELETE /v1/customers/{id} inside tx, for another route to
 * call (Shopify's customers/redact, api/integrations.c): customer_erase() and
 * every copy the API keeps (stored responses, tickets, reviews, order
 * fingerprints). *out is the erased record; the caller answers, and calls
 * store_scrub() after the commit as api_customers_erase() does. customers.c: */
int api_customers_erase_in(struct store_tx *tx, struct req *r, const char *ref,
			   struct customer *out, struct err *e);

#endif
