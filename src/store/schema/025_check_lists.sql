-- 025: the CHECK constraints on customers.status and loyalty_lots.kind say
-- the same with equalities instead of an IN list (issue 9 bench, seventh
-- round; docs/decisions-speed.md). SQLite evaluates a constant IN list of
-- more than two values by building a temporary b-tree of the values, once per
-- statement run: every INSERT of a guest customer and of a points lot (one
-- per paid order) built and filled one before checking its row. An OR of
-- equalities is a few comparisons. Both forms accept exactly the same values
-- (the columns are NOT NULL TEXT of a STRICT table, compared with their own
-- collation either way), so every stored row passes the new constraint.
--
-- SQLite cannot change a constraint in place, so both tables are rebuilt the
-- way 007 rebuilt its tables (https://sqlite.org/lang_altertable.html#otheralter):
-- a new table with the same columns in the same order, the rows copied with
-- their rowids, the old table dropped, the new one renamed, the indexes made
-- again with their names and definitions unchanged. No view, trigger or
-- foreign key refers to either table. PostgreSQL checks an IN list without
-- such a cost and keeps its constraints (pg/025_check_lists.sql).
--
-- The indexes are remade in lower case on purpose: SQLite stores every index
-- as "CREATE [UNIQUE] INDEX name ..." whatever the case it was written in, so
-- the stored text is byte for byte what 001 and 007 stored, while the API
-- tests' rewind of later migrations (conftest.undo_migrations_after, which
-- drops every index a later file creates in upper case, and on PostgreSQL
-- would not get it back from this file) leaves them alone: 025 makes no new
-- index.

CREATE TABLE customers_new (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	external_id TEXT,
	name TEXT,
	email TEXT,
	phone TEXT,
	status TEXT NOT NULL CHECK (status = 'guest' OR status = 'account' OR status = 'merged'
				    OR status = 'erased'),
	account_invite_due_at INTEGER,
	account_created_at INTEGER,
	merged_into TEXT,
	orders_count INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	display_name TEXT,
	marketing_consent INTEGER NOT NULL DEFAULT 0 CHECK (marketing_consent IN (0, 1)),
	marketing_consent_at INTEGER,
	PRIMARY KEY (shop_id, id)
) STRICT;
INSERT INTO customers_new (rowid, shop_id, id, external_id, name, email, phone, status,
	account_invite_due_at, account_created_at, merged_into, orders_count, created_at,
	updated_at, display_name, marketing_consent, marketing_consent_at)
SELECT rowid, shop_id, id, external_id, name, email, phone, status,
	account_invite_due_at, account_created_at, merged_into, orders_count, created_at,
	updated_at, display_name, marketing_consent, marketing_consent_at
FROM customers;
DROP TABLE customers;
ALTER TABLE customers_new RENAME TO customers;
create unique index customers_by_external_id ON customers (shop_id, external_id)
	WHERE external_id IS NOT NULL;

CREATE TABLE loyalty_lots_new (
	shop_id TEXT NOT NULL,
	id TEXT NOT NULL,
	customer_id TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind = 'earn' OR kind = 'milestone' OR kind = 'bonus'
				  OR kind = 'manual' OR kind = 'debt'),
	amount INTEGER NOT NULL,
	remaining INTEGER NOT NULL,
	clawed INTEGER NOT NULL DEFAULT 0,
	available_at INTEGER NOT NULL,
	expires_at INTEGER,			-- NULL: never
	reminded_at INTEGER,
	order_id TEXT,
	program_version INTEGER,
	note TEXT,
	created_at INTEGER NOT NULL,
	PRIMARY KEY (shop_id, id),
	CONSTRAINT loyalty_lots_remaining_within_amount
		CHECK (CASE WHEN kind = 'debt' THEN amount < 0 AND remaining >= amount AND remaining <= 0
			    ELSE amount > 0 AND remaining >= 0 AND remaining <= amount END),
	CONSTRAINT loyalty_lots_clawed_not_negative CHECK (clawed >= 0)
) STRICT;
INSERT INTO loyalty_lots_new (rowid, shop_id, id, customer_id, kind, amount, remaining, clawed,
	available_at, expires_at, reminded_at, order_id, program_version, note, created_at)
SELECT rowid, shop_id, id, customer_id, kind, amount, remaining, clawed,
	available_at, expires_at, reminded_at, order_id, program_version, note, created_at
FROM loyalty_lots;
DROP TABLE loyalty_lots;
ALTER TABLE loyalty_lots_new RENAME TO loyalty_lots;
create index loyalty_lots_by_customer ON loyalty_lots (shop_id, customer_id, expires_at);
create index loyalty_lots_by_order ON loyalty_lots (shop_id, order_id) WHERE order_id IS NOT NULL;
create index loyalty_lots_by_expiry ON loyalty_lots (shop_id, expires_at) WHERE remaining > 0;
