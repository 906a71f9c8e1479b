-- 018: the product text index (issue 12, "search text matches";
-- core/product_text.h, docs/recommendations.md). One row per SKU the shop
-- sold: the name and category of its latest paid line that had them, the
-- case-folded search text a query's words are looked up in, and how many
-- paid, not fully refunded orders hold it (orders, the popularity).
-- search_text is folded by the API's own code (base/casemap.h), which plain
-- SQL cannot do alike on both engines: the index fills from payments made
-- from now on (docs/decisions.md says why), no backfill.
CREATE TABLE product_text (
	shop_id TEXT NOT NULL,
	sku TEXT NOT NULL,
	name TEXT,
	category TEXT,
	search_text TEXT NOT NULL,
	orders INTEGER NOT NULL CHECK (orders > 0),
	PRIMARY KEY (shop_id, sku)
) STRICT;
-- A query's matches are the first rows of this range whose text has its words;
-- the text is in the index too, so the scan never visits the table (SKU,
-- name and category are 200 bytes each, folded at most 1.5 times longer: some
-- 900 bytes, well within PostgreSQL's limit of a B-tree entry).
CREATE INDEX product_text_popular ON product_text (shop_id, orders DESC, sku, search_text);
-- copurchase_orders now records every counted paid order (one SKU too, with
-- skus = 1 and no pairs); texts = 1 when its SKUs are counted in
-- product_text, so that a full refund takes out only what was put in (an
-- order paid before 018 has texts = 0).
ALTER TABLE copurchase_orders ADD COLUMN texts INTEGER NOT NULL DEFAULT 0;
