-- PostgreSQL's 025: nothing changes. The SQLite file rewrites two CHECK lists
-- as equalities because SQLite builds a temporary b-tree for a constant IN
-- list of more than two values on every INSERT; PostgreSQL checks the list
-- (a ScalarArrayOpExpr) in place, so its constraints stay as 001 and 002 made
-- them. A statement, because an empty migration is an empty query to libpq.
SELECT 1;
