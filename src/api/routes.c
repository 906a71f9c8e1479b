/* routes.c: every endpoint of retain, in one table. docs/openapi.yaml describes them. */
#include "api.h"

#define SHOP (AUTH_SECRET)
#define OPERATOR (AUTH_OPERATOR)
/* Also open to a publishable key with a customer token, for that customer only. */
#define STOREFRONT (AUTH_PUBLISHABLE)

const struct route api_routes[] = {
	{ "GET", "/livez", api_health_livez, AUTH_NONE },
	{ "GET", "/readyz", api_health_readyz, AUTH_NONE },
	{ "GET", "/metrics", api_health_metrics, AUTH_NONE },
	{ "GET", "/v1/test/clock", api_health_test_clock_get, OPERATOR },
	{ "POST", "/v1/test/clock", api_health_test_clock_set, OPERATOR },
	{ "GET", "/v1/test/store_faults", api_health_test_store_faults_get, OPERATOR },
	{ "POST", "/v1/test/store_faults", api_health_test_store_faults_set, OPERATOR },

	{ "POST", "/v1/shops", api_shops_create, OPERATOR | IDEMPOTENT | SECRET_RESPONSE },
	{ "GET", "/v1/shops", api_shops_list, OPERATOR },
	{ "GET", "/v1/shops/:id", api_shops_get, OPERATOR | SHOP },
	{ "POST", "/v1/shops/:id/rotate_keys", api_shops_rotate_keys,
	  OPERATOR | IDEMPOTENT | SECRET_RESPONSE | KEYS_WRITE },

	{ "POST", "/v1/customers", api_customers_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/customers", api_customers_list, SHOP },
	{ "GET", "/v1/customers/:id", api_customers_get, SHOP },
	{ "PATCH", "/v1/customers/:id", api_customers_update, SHOP | IDEMPOTENT },
	{ "DELETE", "/v1/customers/:id", api_customers_erase, SHOP | IDEMPOTENT },
	{ "POST", "/v1/customers/:id/merge", api_customers_merge, SHOP | IDEMPOTENT },
	{ "POST", "/v1/customers/:id/account", api_customers_account, SHOP | IDEMPOTENT },

	{ "GET", "/v1/customers/:id/loyalty", api_loyalty_get, SHOP | STOREFRONT },
	{ "GET", "/v1/customers/:id/ledger", api_loyalty_ledger, SHOP | STOREFRONT },
	{ "POST", "/v1/customers/:id/tokens", api_customer_tokens_create, SHOP | SECRET_RESPONSE },
	{ "POST", "/v1/customers/:id/adjustments", api_loyalty_adjust, SHOP | IDEMPOTENT },
	{ "POST", "/v1/customers/:id/bonuses", api_loyalty_bonus, SHOP | IDEMPOTENT },

	{ "POST", "/v1/customers/:id/redemptions", api_redemptions_create,
	  SHOP | STOREFRONT | IDEMPOTENT },
	{ "GET", "/v1/customers/:id/redemptions", api_redemptions_list, SHOP | STOREFRONT },
	{ "GET", "/v1/redemptions/:id", api_redemptions_get, SHOP },
	{ "POST", "/v1/redemptions/:id/cancel", api_redemptions_cancel, SHOP | IDEMPOTENT },

	{ "GET", "/v1/reports/retention", api_reports_retention, SHOP },
	{ "GET", "/v1/reports/cohorts", api_reports_cohorts, SHOP },
	{ "GET", "/v1/reports/rfm", api_reports_rfm, SHOP },
	{ "GET", "/v1/reports/clv", api_reports_clv, SHOP },
	{ "GET", "/v1/reports/delivery", api_reports_delivery, SHOP },
	{ "GET", "/v1/customers/:id/predictions", api_customers_predictions, SHOP },

	{ "GET", "/v1/program", api_program_get, SHOP },
	{ "PUT", "/v1/program", api_program_put, SHOP | IDEMPOTENT },
	{ "GET", "/v1/program/terms", api_program_terms, SHOP | STOREFRONT },
	{ "POST", "/v1/jobs/run", api_jobs_run, OPERATOR },

	{ "POST", "/v1/campaigns", api_campaigns_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/campaigns", api_campaigns_list, SHOP },
	{ "GET", "/v1/campaigns/:id", api_campaigns_get, SHOP },
	{ "PATCH", "/v1/campaigns/:id", api_campaigns_update, SHOP | IDEMPOTENT },
	{ "POST", "/v1/campaigns/:id/end", api_campaigns_end, SHOP | IDEMPOTENT },
	{ "POST", "/v1/campaigns/:id/codes", api_campaigns_codes_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/campaigns/:id/codes", api_campaigns_codes_list, SHOP },
	{ "POST", "/v1/campaigns/:id/issue", api_campaigns_issue, SHOP | IDEMPOTENT },
	{ "POST", "/v1/coupons/validate", api_coupons_validate, SHOP | READ_ONLY | LAZY_JSON },
	{ "POST", "/v1/coupons/redeem", api_coupons_redeem, SHOP | IDEMPOTENT },
	{ "GET", "/v1/coupons/redemptions/:id", api_coupons_redemption_get, SHOP },
	{ "POST", "/v1/coupons/redemptions/:id/release", api_coupons_release, SHOP | IDEMPOTENT },
	{ "GET", "/v1/coupons/codes/:code", api_coupons_code_get, SHOP },
	{ "GET", "/v1/customers/:id/offers", api_customers_offers, SHOP | STOREFRONT },
	{ "GET", "/v1/customers/:id/referral", api_customers_referral, SHOP | STOREFRONT },
	{ "POST", "/v1/customers/:id/triggers", api_customers_trigger, SHOP | IDEMPOTENT },

	/* backtests: POST for their bodies, but they only read (api/backtest.c) */
	{ "POST", "/v1/campaigns/:id/backtest", api_backtest_campaign, SHOP },
	{ "POST", "/v1/program/backtest", api_backtest_program, SHOP },

	{ "POST", "/v1/tickets", api_tickets_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/tickets", api_tickets_list, SHOP },
	{ "GET", "/v1/tickets/:id", api_tickets_get, SHOP },
	{ "PATCH", "/v1/tickets/:id", api_tickets_update, SHOP | IDEMPOTENT },
	{ "POST", "/v1/tickets/:id/messages", api_tickets_message, SHOP | IDEMPOTENT },
	{ "POST", "/v1/sla_policies", api_sla_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/sla_policies", api_sla_list, SHOP },
	{ "GET", "/v1/sla_policies/:id", api_sla_get, SHOP },
	{ "PATCH", "/v1/sla_policies/:id", api_sla_update, SHOP | IDEMPOTENT },

	{ "POST", "/v1/orders", api_orders_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/orders", api_orders_list, SHOP },
	{ "GET", "/v1/orders/:id", api_orders_get, SHOP },
	{ "POST", "/v1/orders/:id/payments", api_orders_pay, SHOP | IDEMPOTENT },
	{ "POST", "/v1/orders/:id/cancel", api_orders_cancel, SHOP | IDEMPOTENT },
	{ "POST", "/v1/orders/:id/refunds", api_orders_refund, SHOP | IDEMPOTENT },
	{ "POST", "/v1/orders/:id/shipments", api_shipments_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/shipments/:id", api_shipments_get, SHOP },
	{ "GET", "/v1/orders/:id/packing", api_orders_packing, SHOP },
	{ "POST", "/v1/shipments/:id/events", api_shipments_event, SHOP | IDEMPOTENT },

	{ "POST", "/v1/campaigns/:id/spots", api_treasure_spots_create, SHOP | IDEMPOTENT },
	{ "GET", "/v1/campaigns/:id/spots", api_treasure_spots_list, SHOP },
	{ "POST", "/v1/treasure/claims", api_treasure_claims_create,
	  SHOP | STOREFRONT | IDEMPOTENT },

	/* Issue 11: the shop's contact, surveys, the service report, the overview. */
	{ "PATCH", "/v1/shops/:id", api_shops_update, OPERATOR | SHOP | IDEMPOTENT },
	{ "POST", "/v1/surveys/answers", api_surveys_answer, AUTH_NONE },
	{ "GET", "/v1/customers/:id/surveys", api_customers_surveys, SHOP | STOREFRONT },
	{ "GET", "/v1/customers/:id/overview", api_customers_overview, SHOP },
	{ "GET", "/v1/reports/service", api_reports_service, SHOP },

	/* Issue 13: inbound integrations. The webhooks carry no API key: the
	 * platform's HMAC names and proves the shop (api/integrations.c). */
	{ "PUT", "/v1/integrations/shopify", api_integrations_shopify_put, SHOP | IDEMPOTENT },
	{ "GET", "/v1/integrations/shopify", api_integrations_shopify_get, SHOP },
	{ "DELETE", "/v1/integrations/shopify", api_integrations_shopify_delete, SHOP | IDEMPOTENT },
	{ "POST", "/v1/integrations/shopify/webhooks", api_integrations_shopify_webhook,
	  AUTH_NONE | RAW_BODY },
	{ "PUT", "/v1/integrations/woocommerce", api_integrations_woocommerce_put,
	  SHOP | IDEMPOTENT },
	{ "GET", "/v1/integrations/woocommerce", api_integrations_woocommerce_get, SHOP },
	{ "DELETE", "/v1/integrations/woocommerce", api_integrations_woocommerce_delete,
	  SHOP | IDEMPOTENT },
	{ "POST", "/v1/integrations/woocommerce/webhooks", api_integrations_woocommerce_webhook,
	  AUTH_NONE | RAW_BODY },

	/* Issue 12: reviews and questions (api/reviews.c); the literal paths
	 * come before /v1/reviews/:id. */
	{ "POST", "/v1/reviews", api_reviews_create, SHOP | STOREFRONT | IDEMPOTENT },
	{ "GET", "/v1/reviews", api_reviews_list, SHOP | STOREFRONT },
	{ "GET", "/v1/reviews/showcase", api_reviews_showcase, SHOP | STOREFRONT },
	{ "GET", "/v1/reviews/queue", api_reviews_queue, SHOP },
	{ "GET", "/v1/reviews/settings", api_reviews_settings_get, SHOP },
	{ "PUT", "/v1/reviews/settings", api_reviews_settings_put, SHOP | IDEMPOTENT },
	{ "GET", "/v1/reviews/:id", api_reviews_get, SHOP | STOREFRONT },
	{ "GET", "/v1/reviews/:id/history", api_reviews_history, SHOP },
	{ "POST", "/v1/reviews/:id/replies", api_reviews_reply, SHOP | IDEMPOTENT },
	{ "POST", "/v1/reviews/:id/votes", api_reviews_vote, SHOP | STOREFRONT | IDEMPOTENT },
	{ "POST", "/v1/reviews/:id/moderate", api_reviews_moderate, SHOP | IDEMPOTENT },
	{ "POST", "/v1/questions", api_questions_create, SHOP | STOREFRONT | IDEMPOTENT },
	{ "GET", "/v1/questions", api_questions_list, SHOP | STOREFRONT },
	{ "GET", "/v1/questions/:id", api_questions_get, SHOP | STOREFRONT },
	{ "POST", "/v1/questions/:id/answers", api_questions_answer, SHOP | STOREFRONT | IDEMPOTENT },
	{ "GET", "/v1/reports/reviews", api_reports_reviews, SHOP },

	/* Issue 12: activity and recommendations. */
	{ "POST", "/v1/customers/:id/activity", api_activity_record,
	  SHOP | STOREFRONT | IDEMPOTENT | ARRAY_BODY },
	{ "GET", "/v1/customers/:id/recommendations", api_recommendations_get, SHOP | STOREFRONT },

	/* Issue 12: interests, friends and profiles (api/profiles.c). */
	{ "PUT", "/v1/interests/catalogue", api_interests_catalogue_put, SHOP | IDEMPOTENT },
	{ "GET", "/v1/interests/catalogue", api_interests_catalogue_get, SHOP | STOREFRONT },
	{ "PUT", "/v1/customers/:id/interests", api_customers_interests_put,
	  SHOP | STOREFRONT | IDEMPOTENT | ARRAY_BODY },
	{ "POST", "/v1/customers/:id/friends", api_friends_request, SHOP | STOREFRONT | IDEMPOTENT },
	{ "GET", "/v1/customers/:id/friends", api_friends_list, SHOP | STOREFRONT },
	{ "POST", "/v1/customers/:id/friends/:other/accept", api_friends_accept,
	  SHOP | STOREFRONT | IDEMPOTENT },
	{ "POST", "/v1/customers/:id/friends/:other/decline", api_friends_decline,
	  SHOP | STOREFRONT | IDEMPOTENT },
	{ "DELETE", "/v1/customers/:id/friends/:other", api_friends_remove,
	  SHOP | STOREFRONT | IDEMPOTENT },
	/* a publishable key without a token reads a profile as anyone */
	{ "GET", "/v1/profiles/:id", api_profiles_get, SHOP | STOREFRONT },
	{ "PATCH", "/v1/profiles/:id", api_profiles_update, SHOP | STOREFRONT | IDEMPOTENT },

	/* Issue 13: outgoing webhooks and the events they deliver. */
	{ "POST", "/v1/webhook_endpoints", api_webhooks_create, SHOP | IDEMPOTENT | SECRET_RESPONSE },
	{ "GET", "/v1/webhook_endpoints", api_webhooks_list, SHOP },
	{ "GET", "/v1/webhook_endpoints/:id", api_webhooks_get, SHOP },
	{ "PATCH", "/v1/webhook_endpoints/:id", api_webhooks_update, SHOP | IDEMPOTENT },
	{ "DELETE", "/v1/webhook_endpoints/:id", api_webhooks_delete, SHOP | IDEMPOTENT },
	{ "POST", "/v1/webhook_endpoints/:id/rotate_secret", api_webhooks_rotate_secret,
	  SHOP | IDEMPOTENT | SECRET_RESPONSE },
	{ "GET", "/v1/webhook_endpoints/:id/deliveries", api_webhooks_deliveries, SHOP },
	{ "GET", "/v1/events", api_events_list, SHOP },
	{ "GET", "/v1/events/:id", api_events_get, SHOP },
	{ "POST", "/v1/events/:id/redeliver", api_events_redeliver, SHOP | IDEMPOTENT },

	/* Issue 13, e-mail: templates per event type, the shop's e-mail
	 * settings, unsubscribing by the signed token of a message's link. */
	{ "GET", "/v1/templates", api_templates_list, SHOP },
	{ "PUT", "/v1/templates/:event", api_templates_put, SHOP | IDEMPOTENT },
	{ "GET", "/v1/templates/:event", api_templates_get, SHOP },
	{ "DELETE", "/v1/templates/:event", api_templates_delete, SHOP | IDEMPOTENT },
	{ "POST", "/v1/templates/:event/preview", api_templates_preview, SHOP },
	{ "GET", "/v1/email/settings", api_email_settings_get, SHOP },
	{ "PUT", "/v1/email/settings", api_email_settings_put, SHOP | IDEMPOTENT },
	{ "POST", "/v1/unsubscribe", api_unsubscribe, AUTH_NONE },
	{ "GET", "/v1/email/messages", api_email_messages_list, SHOP },

	/* Issue 14: the storefront widget (docs/widget.md), its script and what
	 * it reads beyond the routes above. */
	{ "GET", "/widget.js", api_widget_js, AUTH_NONE },
	{ "GET", "/v1/customers/:id/orders", api_customers_orders, SHOP | STOREFRONT },
	{ "GET", "/v1/customers/:id/rewards", api_customers_rewards, SHOP | STOREFRONT },
};

const int api_nroutes = sizeof(api_routes) / sizeof(api_routes[0]);
