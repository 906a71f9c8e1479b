-- 022: integration_deliveries is pruned by age (core/integration.h,
-- INTEGRATION_DELIVERY_RETENTION_DAYS, the jobs' "integration_deliveries"
-- row). The job deletes the oldest rows of every shop by received_at, so it
-- needs an index on it: without one each run reads the whole table, and on
-- PostgreSQL (SERIALIZABLE) that scan locks the whole relation as read, so
-- that every delivery inserted meanwhile would conflict with the job. Not a
-- key (nothing unique), so the shop_id-first rule of the keys does not apply.
CREATE INDEX integration_deliveries_received ON integration_deliveries (received_at);
