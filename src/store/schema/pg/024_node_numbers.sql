-- PostgreSQL's 024: every node (retain serve, or a CLI command that writes)
-- takes the next number when it opens the database (pg_open), and its ids
-- carry it (src/base/ids.h): the ids of up to 4,096 nodes started one after
-- the other never meet. Not a table: nothing to distribute on Citus.
CREATE SEQUENCE IF NOT EXISTS node_numbers;
