-- Idempotency keys are kept for a retention (--idempotency-retention-hours):
-- the pruning job deletes by age, so it needs an index on created_at.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Responses that showed new shop keys were stored whole before issue 8; keys
-- are shown once and only their SHA-256 is kept, so those copies go.
DELETE FROM idempotency_keys
 WHERE shop_id = 'operator' AND response_body LIKE '%"secret_key":"%';
