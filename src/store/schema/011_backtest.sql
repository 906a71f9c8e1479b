-- 011: a shop's orders in time order, for the backtest's scan of the last N
-- days (core/backtest.h): it reads them in pages by (placed_at, id) after the
-- last one read, which without this index is a scan and sort of all the
-- shop's orders for every page.
CREATE INDEX orders_by_shop_time ON orders (shop_id, placed_at, id);
