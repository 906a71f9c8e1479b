-- pg_insert.sql: pgbench's ceiling for bench/pg_nodes: one durable insert of an
-- order-sized body per transaction (autocommit, synchronous_commit on), the
-- PostgreSQL counterpart of bench/ceiling/ceiling.c's POST /insert.
INSERT INTO t (body, at) VALUES ('{"external_id":"B-1","customer":{"email":"bench@example.com"},"currency":"EUR","lines":[{"sku":"TEA-SENCHA","quantity":2,"unit_price":1290},{"sku":"ACC-FILTER","quantity":1,"unit_price":390,"discount":40}],"shipping":490,"total":3420}', extract(epoch from now())::bigint);
