-- Issue 8: what a refund's claw-back left uncollected (refund_policy "clamp"),
-- repaid first by points that come back later (a cancelled redemption), and
-- how much of it was covered by the order's own points that had expired unspent
-- (those are never taken again from other lots).
ALTER TABLE order_loyalty ADD COLUMN uncollected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE order_loyalty ADD COLUMN expired_unclawed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX order_loyalty_uncollected ON order_loyalty (shop_id, customer_id) WHERE uncollected > 0;
