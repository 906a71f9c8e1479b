-- 017: inbound integrations (issue 13, core/integration.h). A shop connects
-- its Shopify store (by its myshopify.com domain) or its WooCommerce site (by
-- its site URL) with the secret that signs the platform's webhooks.
--
-- integrations is a reference table like api_keys: a webhook names its
-- platform's domain, not the retain shop, so it is looked up by (platform,
-- domain) before the shop is known; each domain belongs to one shop, and a
-- shop has at most one connection per platform. The secret is kept as given:
-- verifying an HMAC needs the key itself (as shops.token_secret).
--
-- integration_deliveries remembers every webhook delivery applied, by the
-- platform's own delivery id, so that a replay changes nothing.

CREATE TABLE integrations (
	platform TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
	domain TEXT NOT NULL,
	shop_id TEXT NOT NULL REFERENCES shops (id),
	secret TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	PRIMARY KEY (platform, domain)
) STRICT;
CREATE UNIQUE INDEX integrations_by_shop ON integrations (shop_id, platform);

CREATE TABLE integration_deliveries (
	shop_id TEXT NOT NULL,
	platform TEXT NOT NULL CHECK (platform IN ('shopify', 'woocommerce')),
	delivery_id TEXT NOT NULL,
	topic TEXT NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'ignored')),
	received_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, platform, delivery_id)
) STRICT;
