-- 014: activity and recommendations (issue 12; core/activity.h,
-- core/copurchase.h, core/recommend.h, docs/recommendations.md).

-- A customer's searches and product views, as the storefront reports them.
-- subject is the normalised query of a search or the SKU of a view; an
-- identical event (same customer, type, subject and time to the ms) is
-- stored once. Personal data: erasure deletes the rows, a merge moves them.
CREATE TABLE activity (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	type TEXT NOT NULL CHECK (type IN ('search', 'view')),
	subject TEXT NOT NULL,
	at INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id)
) STRICT;
CREATE UNIQUE INDEX activity_identical ON activity (shop_id, customer_id, type, subject, at);
-- A customer's recent searches, and the views in a window after a search.
CREATE INDEX activity_by_customer ON activity (shop_id, customer_id, type, at);

-- Co-purchase counts over the shop's paid orders, both directions stored, so
-- that the top partners of a SKU are one range of copurchase_top. orders is
-- how many paid (not fully refunded) orders hold both SKUs.
CREATE TABLE copurchase (
	shop_id TEXT NOT NULL,
	sku TEXT NOT NULL,
	partner TEXT NOT NULL,
	orders INTEGER NOT NULL CHECK (orders > 0),
	PRIMARY KEY (shop_id, sku, partner)
) STRICT;
CREATE INDEX copurchase_top ON copurchase (shop_id, sku, orders DESC, partner);
-- The orders whose pairs are in copurchase (and how many SKUs they gave): a
-- payment adds an order's pairs once, a full refund takes them out once.
CREATE TABLE copurchase_orders (
	shop_id TEXT NOT NULL,
	order_id TEXT NOT NULL,
	skus INTEGER NOT NULL,
	PRIMARY KEY (shop_id, order_id)
) STRICT;

-- The search model: a customer who searched query and within a day viewed
-- or bought sku links the two once; search_skus counts the customers who
-- did, per query and SKU. The links are personal (erasure deletes them and
-- takes them out of the counts); the counts are the shop's.
CREATE TABLE search_links (
	shop_id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	query TEXT NOT NULL,
	sku TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, customer_id, query, sku)
) STRICT;
CREATE TABLE search_skus (
	shop_id TEXT NOT NULL,
	query TEXT NOT NULL,
	sku TEXT NOT NULL,
	customers INTEGER NOT NULL CHECK (customers > 0),
	PRIMARY KEY (shop_id, query, sku)
) STRICT;
CREATE INDEX search_skus_top ON search_skus (shop_id, query, customers DESC, sku);
