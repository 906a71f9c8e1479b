-- 020: the external ids of erased customers, as SHA-256 digests (a review of
-- issues 12-14). An erasure clears a customer's external_id; a Shopify or
-- WooCommerce webhook naming that platform id afterwards would otherwise
-- create the person again. The digest lets an integration recognise the id
-- (and ignore the delivery) without keeping it.

CREATE TABLE erased_external_ids (
	shop_id TEXT NOT NULL REFERENCES shops (id),
	digest TEXT NOT NULL,
	erased_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, digest)
) STRICT;
