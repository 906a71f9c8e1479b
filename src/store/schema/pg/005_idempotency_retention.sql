-- PostgreSQL's 005: the index the pruning job deletes by. The SQLite file also
-- takes the keys out of shop responses stored before issue 8 (with SQLite's
-- json_set); no PostgreSQL database existed before issue 8, so none holds one.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
