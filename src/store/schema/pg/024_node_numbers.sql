-- PostgreSQL's 024: where a process (retain serve, or a CLI command) starts
-- looking for a node number when it opens the database: it takes the first
-- from the sequence's next value on (modulo 4,096) whose advisory lock no
-- running process holds, and holds it until it exits (pg.c
-- claim_node_number). Its ids carry the number (src/base/ids.h), so running
-- processes never make the same id. Not a table: nothing to distribute on
-- Citus.
CREATE SEQUENCE IF NOT EXISTS node_numbers;
