-- Idempotency keys are kept for a retention (--idempotency-retention-hours):
-- the pruning job deletes by age, so it needs an index on created_at.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Responses that showed new shop keys (POST /v1/shops and POST
-- /v1/shops/{id}/rotate_keys, both stored under 'operator') were stored whole
-- before issue 8. Keys are shown once and only their SHA-256 is kept, so the
-- stored copies lose the two keys and keep the rest, as retain stores such a
-- response now: a retry under the same Idempotency-Key still replays the shop
-- (no second one is made) and, after a rotation, the key list with the old
-- keys' expiry; "secret_key" and "publishable_key" are null. The store
-- checkpoints and truncates the WAL after a migration, so no old page keeps a
-- key either. SQLite-only: json_set() and json() (JSON1; PostgreSQL: jsonb_set
-- on response_body::jsonb with 'null'::jsonb).
UPDATE idempotency_keys
   SET response_body = json_set(response_body, '$.secret_key', json('null'),
                                '$.publishable_key', json('null'))
 WHERE shop_id = 'operator' AND response_body LIKE '%"secret_key":"%';
